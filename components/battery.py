"""Battery energy storage: parameters and the quantities derived from them.

The state of charge moves only inside the dispatch kernel (``lingtan.twin.core.dispatch``),
the one place where time is sequential. This module holds the parameter class
and the closed-form quantities that reports and tests need.

Conventions
-----------
* ``energy_kwh`` is the nameplate energy; the usable window is
  ``[soc_min, soc_max] * energy_kwh``.
* Charge power ``p_ch`` is measured on the AC side going in; the stored energy
  grows by ``p_ch * charge_efficiency`` per hour. Discharge power ``p_dis`` is
  measured on the AC side going out; the stored energy falls by
  ``p_dis / discharge_efficiency`` per hour. Round-trip efficiency is the
  product of the two, as in SAM's BattWatts and HOMER's idealised storage.
* Self-discharge removes ``self_discharge_fraction_per_hour`` of the stored
  energy at the start of every hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.battery_ageing import BatteryAgeing
from lingtan.components.grid import PERIODS, Period  # noqa: F401  (period codes shared with the tariff)
from lingtan.limits import MAX_ENERGY_KWH, MAX_POWER_KW

PeakKw = Annotated[float, Field(ge=0, le=MAX_POWER_KW)]
"""A monthly grid import target [kW], within 0 .. lingtan.limits.MAX_POWER_KW."""


class OptimalDispatch(BaseModel):
    """The ``optimal:`` record of a battery with ``dispatch: optimal``: a rolling horizon instead of the year.

    Without it the linear programme sees the whole year at once (perfect foresight). With it the programme is
    re-solved every 24 h over ``horizon_h`` hours of a forecast, and only each window's first 24 h are kept
    (:mod:`lingtan.twin.studies.lp.rolling`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_h: int = Field(
        default=48,
        ge=24,
        le=8784,
        description="hours each window looks ahead [h]; re-solved every 24 h, so at least 24 (HOMER's and "
        "practice's 24-48 h; a year's length gives back the perfect-foresight year with perfect forecasts)",
    )
    forecast: Literal["perfect", "persistence", "file"] = Field(
        default="perfect",
        description="what a window sees of load and generation: perfect (the true profiles), persistence (every "
        "day of the window repeats the last day observed; the first day of the year is known), or file "
        "(forecast_file)",
    )
    forecast_file: str | None = Field(
        default=None,
        description="forecast: file: CSV relative to the scenario file, one row per time step of the year, "
        "columns load_kw and pv_kw (and wind_kw for a site with wind farms), mean power [kW]",
    )

    @model_validator(mode="after")
    def _file_with_file(self) -> OptimalDispatch:
        if (self.forecast == "file") != (self.forecast_file is not None):
            raise ValueError("forecast_file goes with forecast: file, and forecast: file needs a forecast_file")
        return self


if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike


class Battery(BaseModel):
    """A battery behind the factory meter.

    Attributes are the YAML keys of ``battery[i]`` in a scenario.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    energy_kwh: float = Field(
        ge=0, le=MAX_ENERGY_KWH, description="nameplate energy [kWh]; upper bound lingtan.limits.MAX_ENERGY_KWH"
    )
    power_kw: float | None = Field(
        default=None,
        ge=0,
        le=MAX_POWER_KW,
        description="charge and discharge power limit [kW]; sets both when given; upper bound "
        "lingtan.limits.MAX_POWER_KW",
    )
    charge_power_kw: float | None = Field(
        default=None,
        ge=0,
        le=MAX_POWER_KW,
        description="charge power limit, AC in [kW]; upper bound lingtan.limits.MAX_POWER_KW",
    )
    discharge_power_kw: float | None = Field(
        default=None,
        ge=0,
        le=MAX_POWER_KW,
        description="discharge power limit, AC out [kW]; upper bound lingtan.limits.MAX_POWER_KW",
    )
    charge_efficiency: float = Field(default=0.95, gt=0, le=1, description="AC to stored energy [-]")
    discharge_efficiency: float = Field(default=0.95, gt=0, le=1, description="stored energy to AC [-]")
    soc_min: float = Field(default=0.1, ge=0, le=1, description="lowest state of charge [-]")
    soc_max: float = Field(default=0.95, ge=0, le=1, description="highest state of charge [-]")
    soc_initial: float | None = Field(
        default=None, ge=0, le=1, description="state of charge at the first hour [-]; default soc_min"
    )
    self_discharge_fraction_per_hour: float = Field(default=0.0, ge=0, lt=1, description="[1/h]")
    dispatch: Literal["load_following", "tou_arbitrage", "peak_shaving", "optimal"] = Field(
        default="load_following",
        description="a rule of the dispatch kernel (load_following, tou_arbitrage, peak_shaving) or optimal: the "
        "bill-minimising dispatch, a linear programme (lingtan.twin.studies.lp), over the year with perfect "
        "foresight or over a rolling horizon (optimal)",
    )
    peak_target_kw: PeakKw | tuple[PeakKw, ...] | None = Field(
        default=None,
        description="peak_shaving and tou_arbitrage: the grid import the battery keeps each month at or below "
        "[kW], one number or 12 monthly ones (January first), within 0 .. lingtan.limits.MAX_POWER_KW. "
        "peak_shaving without it: the lowest the battery can hold, found by bisection within "
        "lingtan.limits.PEAK_TARGET_TOL_KW; tou_arbitrage without it: no limit",
    )
    grid_charge_periods: tuple[Period, ...] = Field(
        default=("valley",), description="tou_arbitrage: periods in which the battery charges from the grid"
    )
    discharge_periods: tuple[Period, ...] = Field(
        default=("peak", "critical"), description="tou_arbitrage: periods in which the battery discharges"
    )
    optimal: OptimalDispatch | None = Field(
        default=None,
        description="dispatch optimal: a rolling horizon and its forecast; None: the year with perfect foresight",
    )
    ageing: BatteryAgeing | None = Field(
        default=None,
        description="capacity fade and replacement (lingtan.components.battery_ageing); None: the battery does not age",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Battery:
        if self.soc_min >= self.soc_max:
            raise ValueError(f"soc_min ({self.soc_min}) must be below soc_max ({self.soc_max})")
        if self.power_kw is None and (self.charge_power_kw is None or self.discharge_power_kw is None):
            raise ValueError("give power_kw, or both charge_power_kw and discharge_power_kw")
        if self.power_kw is not None and (self.charge_power_kw is not None or self.discharge_power_kw is not None):
            raise ValueError("give either power_kw or charge_power_kw/discharge_power_kw, not both")
        soc0 = self.soc_initial_value
        if not self.soc_min <= soc0 <= self.soc_max:
            raise ValueError(f"soc_initial ({soc0}) must lie in [soc_min, soc_max] = [{self.soc_min}, {self.soc_max}]")
        if isinstance(self.peak_target_kw, tuple) and len(self.peak_target_kw) != 12:
            raise ValueError(f"peak_target_kw: give one number or 12 monthly ones, found {len(self.peak_target_kw)}")
        if self.peak_target_kw is not None and self.dispatch in ("load_following", "optimal"):
            raise ValueError(f"peak_target_kw applies to dispatch peak_shaving or tou_arbitrage, not {self.dispatch}")
        if self.optimal is not None and self.dispatch != "optimal":
            raise ValueError(f"optimal (a rolling horizon) applies to dispatch optimal, not {self.dispatch}")
        both = set(self.grid_charge_periods) & set(self.discharge_periods)
        if both:
            raise ValueError(f"a period cannot both grid-charge and discharge: {sorted(both)}")
        return self

    @property
    def charge_kw(self) -> float:
        """Charge power limit.

        Returns
        -------
        float
            ``power_kw``, else ``charge_power_kw`` [kW].
        """
        if self.power_kw is not None:
            return self.power_kw
        assert self.charge_power_kw is not None  # _consistent: without power_kw, both directions are given
        return self.charge_power_kw

    @property
    def discharge_kw(self) -> float:
        """Discharge power limit.

        Returns
        -------
        float
            ``power_kw``, else ``discharge_power_kw`` [kW].
        """
        if self.power_kw is not None:
            return self.power_kw
        assert self.discharge_power_kw is not None  # _consistent: without power_kw, both directions are given
        return self.discharge_power_kw

    @property
    def soc_initial_value(self) -> float:
        """State of charge at the first hour.

        Returns
        -------
        float
            ``soc_initial``, else ``soc_min`` [-].
        """
        return self.soc_min if self.soc_initial is None else self.soc_initial

    @property
    def peak_target_monthly_kw(self) -> tuple[float, ...] | None:
        """The grid import target of each calendar month.

        Returns
        -------
        tuple of 12 float, or None
            ``peak_target_kw`` per month, January first [kW]; None when not given.
        """
        t = self.peak_target_kw
        return None if t is None else t if isinstance(t, tuple) else (t,) * 12

    @property
    def usable_kwh(self) -> float:
        """Usable energy inside the SoC window.

        Returns
        -------
        float
            ``(soc_max - soc_min) * energy_kwh`` [kWh].
        """
        return (self.soc_max - self.soc_min) * self.energy_kwh


def equivalent_full_cycles(
    discharge_e_kwh: ArrayLike, energy_kwh: ArrayLike, soc_min: ArrayLike, soc_max: ArrayLike
) -> float | np.ndarray:
    """Equivalent full cycles of a year's discharge.

    Parameters
    ----------
    discharge_e_kwh : float or array
        Energy delivered by the battery, AC side [kWh].
    energy_kwh, soc_min, soc_max : float or array
        Nameplate energy [kWh] and SoC window [-].

    Returns
    -------
    float or array
        Delivered energy divided by the usable window [-]; 0 where there is no battery.
        This is the throughput-based definition used by SAM and HOMER
        (cycles = discharge throughput / usable capacity).
    """
    import numpy as np

    usable = np.asarray((np.asarray(soc_max) - np.asarray(soc_min)) * np.asarray(energy_kwh), dtype=float)
    out = np.divide(
        discharge_e_kwh, usable, out=np.zeros(np.broadcast(discharge_e_kwh, usable).shape), where=usable > 0
    )
    return out if out.ndim else float(out)
