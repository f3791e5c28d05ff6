"""Scenario section ``uncertainty:``: quantities other than the weather that an ensemble varies.

Each varied quantity is a list of values or a distribution::

    uncertainty:
      load_scale: {triangular: {low: 0.85, mode: 1.0, high: 1.1}}   # production volume [-]
      pv_age_years: [0, 5, 10]                                      # each value used equally
      tariff_scale: {normal: {mean: 1.0, sd: 0.05}}                 # truncated at [0, MAX_TARIFF_SCALE]
      members: 200
      seed: 1

A list may also be written ``{values: [...], pick: random}`` to draw each member's value uniformly from
the list instead of using each value equally often. Every value and every distribution parameter lies
within the quantity's physical bounds (:data:`QUANTITY_BOUNDS`); a normal distribution is truncated there.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.limits import (
    MAX_AGE_YEARS,
    MAX_ITEMS,
    MAX_LOAD_SCALE,
    MAX_TARIFF_SCALE,
    MAX_UNCERTAINTY_MEMBERS,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BoundError(ValueError):
    """A value outside its quantity's bounds; ``field_path`` names the field inside the quantity.

    Parameters
    ----------
    field_path : str
        The field below the quantity, e.g. ``normal.mean``; the scenario loader puts it after the quantity's
        own path (``uncertainty.load_scale.normal.mean``).
    message : str
        The bounds and the value found.
    """

    def __init__(self, field_path: str, message: str):
        self.field_path = field_path
        super().__init__(message)


class Normal(_Strict):
    """A normal distribution, truncated at the quantity's bounds (values outside are drawn again)."""

    mean: float = Field(description="mean before truncation [unit of the quantity]")
    sd: float = Field(gt=0, description="standard deviation before truncation [unit of the quantity]")


class Uniform(_Strict):
    """A uniform distribution on ``[low, high)``."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low < high, got low = {self.low}, high = {self.high}")
        return self


class Triangular(_Strict):
    """A triangular distribution with its lower limit, mode and upper limit."""

    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}")
        return self


class Varied(_Strict):
    """One uncertain quantity: exactly one of ``values``, ``normal``, ``uniform``, ``triangular``.

    A bare list in YAML means ``values`` with ``pick: equal``. Subclasses set the physical bounds
    ``LOW``, ``HIGH`` and name them in errors (``BOUNDS_SOURCE``).
    """

    LOW: ClassVar[float] = 0.0
    HIGH: ClassVar[float] = float("inf")
    BOUNDS_SOURCE: ClassVar[str] = ""

    values: list[float] | None = Field(
        default=None, min_length=1, max_length=MAX_ITEMS, description="the possible values"
    )
    pick: Literal["equal", "random"] = Field(
        default="equal",
        description="with values: 'equal' uses each value equally often (shuffled over the members), "
        "'random' draws each member's value uniformly from the list",
    )
    normal: Normal | None = None
    uniform: Uniform | None = None
    triangular: Triangular | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        return {"values": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _one_kind_within_bounds(self) -> Varied:
        given = [k for k in ("values", "normal", "uniform", "triangular") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"exactly one of values, normal, uniform, triangular; got {given or 'none'}")
        if self.pick != "equal" and self.values is None:
            raise BoundError("pick", "pick only with values")
        if self.values is not None:
            numbers = [(f"values[{i}]", v) for i, v in enumerate(self.values)]
        elif self.normal is not None:
            numbers = [("normal.mean", self.normal.mean)]
        else:  # uniform or triangular: every parameter is a value of the quantity
            numbers = [(f"{given[0]}.{k}", v) for k, v in getattr(self, given[0]).model_dump().items()]
        for path, v in numbers:
            if not self.LOW <= v <= self.HIGH:
                raise BoundError(
                    path, f"a value within [{self.LOW:g}, {self.HIGH:g}] ({self.BOUNDS_SOURCE}); {v:g} given"
                )
        return self


class LoadScale(Varied):
    """Production volume or load growth: multiplies every electric load [-]."""

    HIGH: ClassVar[float] = MAX_LOAD_SCALE
    BOUNDS_SOURCE: ClassVar[str] = "no negative load; lingtan.limits.MAX_LOAD_SCALE"


class PvAge(Varied):
    """Age of every PV array in the simulated year (its degradation year) [yr]."""

    HIGH: ClassVar[float] = MAX_AGE_YEARS
    BOUNDS_SOURCE: ClassVar[str] = "new to lingtan.limits.MAX_AGE_YEARS"


class TariffScale(Varied):
    """Tariff level: multiplies the import energy prices and the demand (basic) charges [-]."""

    HIGH: ClassVar[float] = MAX_TARIFF_SCALE
    BOUNDS_SOURCE: ClassVar[str] = "no negative price; lingtan.limits.MAX_TARIFF_SCALE"


QUANTITIES = ("load_scale", "pv_age_years", "tariff_scale")
"""The quantities an uncertainty ensemble can vary, in the order of its members table's columns."""


class Uncertainty(_Strict):
    """Non-weather uncertainties of a scenario and how many members sample them."""

    load_scale: LoadScale | None = Field(
        default=None, description="production volume / load growth, multiplies every electric load [-]"
    )
    pv_age_years: PvAge | None = Field(
        default=None, description="age of every PV array in the simulated year, replaces pv[].age_years [yr]"
    )
    tariff_scale: TariffScale | None = Field(
        default=None, description="multiplies import energy prices and demand charges, not feed-in prices [-]"
    )
    members: int | None = Field(
        default=None,
        ge=2,
        le=MAX_UNCERTAINTY_MEMBERS,
        description="members drawn; default lingtan.limits.DEFAULT_UNCERTAINTY_MEMBERS, or one per weather "
        "year of a weather ensemble; upper bound lingtan.limits.MAX_UNCERTAINTY_MEMBERS",
    )
    seed: int = Field(default=0, ge=0, description="seed of the draws (same seed, same members)")

    @model_validator(mode="after")
    def _something_varied(self) -> Uncertainty:
        if all(getattr(self, q) is None for q in QUANTITIES):
            raise ValueError(f"at least one of {', '.join(QUANTITIES)}")
        return self

    def varied(self) -> dict[str, Varied]:
        """The quantities this ensemble varies, in :data:`QUANTITIES` order.

        Returns
        -------
        dict of str to Varied
            Quantity name -> its values or distribution.
        """
        return {q: getattr(self, q) for q in QUANTITIES if getattr(self, q) is not None}


QUANTITY_BOUNDS = {q: (cls.LOW, cls.HIGH) for q, cls in zip(QUANTITIES, (LoadScale, PvAge, TariffScale), strict=True)}
"""Physical bounds of each quantity [its unit]; a normal distribution is truncated there."""
