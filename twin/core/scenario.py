"""Scenario files: YAML loaded into typed, validated models.

A scenario reads like the plant it describes; every quantity carries its unit in
its name. Unknown fields are errors. Any problem is raised as a
:class:`~lingtan.errors.ScenarioError` naming the file, the field path
(``pv[0].tilt_deg``), what was expected and what was found.

The component parameter classes (``PVArray``, ``WindFarm``, ``Battery``,
``GridConnection``, loads) live beside their models in ``components/`` and are
composed here unchanged, so their field names are the YAML keys.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lingtan.components.battery import Battery
from lingtan.components.grid import GridConnection
from lingtan.components.fuel_use import FuelUse
from lingtan.components.heat import AMBIENT_AIR, Boiler, HeatExchanger, HeatPump, PurchasedHeat, ThermalStorage
from lingtan.components.process import ProductionLine, check_fired_losses
from lingtan.components.space import SpaceConditioning
from lingtan.components.loads import Load
from lingtan.components.pv import PVArray
from lingtan.components.wind import WindFarm
from lingtan.twin.accounting.account import Accounting, GreenPower, Offsets
from lingtan.twin.accounting.criteria import pack_names
from lingtan.twin.accounting.criteria.core import CriteriaSettings, Declared
from lingtan.twin.accounting.economics import Economics
from lingtan.errors import ScenarioError
from lingtan.limits import MAX_EMISSIONS_T, MAX_HOURS, MAX_ITEMS
from lingtan.loader import check_numbers, read_yaml
from lingtan.twin.studies.plan import Plan


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Site(_Strict):
    """Where the plant is."""

    latitude: float = Field(ge=-90, le=90, description="[deg north]")
    longitude: float = Field(ge=-180, le=180, description="[deg east]")
    altitude_m: float = Field(default=0.0, ge=-500, le=9000, description="[m above sea level]")
    timezone: str = Field(default="Asia/Shanghai", description="IANA name of the local (meter) time zone")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            raise ValueError(f"an IANA time zone such as 'Asia/Shanghai', not {value!r}") from None
        return value


class MonthlyValues(_Strict):
    """A user's own monthly climatology for a site without a shipped city."""

    ghi_kwh_m2_day: tuple[Annotated[float, Field(ge=0, le=12)], ...] = Field(
        description="mean daily GHI per month [kWh/m2/day], 12 values, each at most 12 (above the daily "
                    "extraterrestrial irradiation anywhere on Earth)")
    temp_air_c: tuple[Annotated[float, Field(ge=-90, le=60)], ...] = Field(
        description="mean air temperature per month [C], 12 values within -90..60 (the recorded extremes of Earth)")
    temp_range_c: tuple[Annotated[float, Field(ge=0, le=60)], ...] | None = Field(
        default=None, description="mean daily range [C], 12 values within 0..60")
    wind_speed_m_s: tuple[Annotated[float, Field(ge=0, le=60)], ...] | None = Field(
        default=None, description="mean wind speed [m/s], 12 values within 0..60 (a monthly mean above hurricane "
                                  "force is no climate)")

    @field_validator("ghi_kwh_m2_day", "temp_air_c", "temp_range_c", "wind_speed_m_s")
    @classmethod
    def _twelve(cls, value):
        if value is not None and len(value) != 12:
            raise ValueError(f"12 monthly values, got {len(value)}")
        return value


class SyntheticWeather(_Strict):
    """A seeded synthetic typical year from shipped or user-given monthly climatology."""

    source: Literal["synthetic"]
    city: str | None = Field(default=None, description="a shipped city, e.g. 'hefei'")
    monthly: MonthlyValues | None = None
    seed: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _one_climate(self) -> "SyntheticWeather":
        if (self.city is None) == (self.monthly is None):
            raise ValueError("give exactly one of 'city' or 'monthly'")
        return self


class FileWeather(_Strict):
    """Weather from an EPW, TMY3 or CSV file, re-stamped onto the scenario year."""

    source: Literal["epw", "tmy3", "csv"]
    path: str = Field(description="weather file, relative to the scenario file")
    fill: Literal["error", "interpolate"] = Field(default="error", description="what to do with gaps")
    max_gap_h: int = Field(default=6, ge=1, le=int(MAX_HOURS),
                           description="longest gap that 'interpolate' fills [h]; upper bound lingtan.limits.MAX_HOURS")
    rebuild_components: bool = Field(
        default=False, description="rebuild DNI/DHI from GHI (erbs) when the file's components do not close"
    )


Weather = Annotated[Union[SyntheticWeather, FileWeather], Field(discriminator="source")]


class SiteAssets(_Strict):
    """What stands behind one meter: loads, production lines, sources, storage and the heat side.

    A factory is site assets plus a site, weather and a grid connection; a park's tenant is site
    assets behind the park's meter. Both are checked by the same rules.
    """

    # Each list holds at most lingtan.limits.MAX_ITEMS entries: the run's work grows with them.
    loads: list[Load] = Field(default=[], max_length=MAX_ITEMS)
    pv: list[PVArray] = Field(default=[], max_length=MAX_ITEMS)
    wind: list[WindFarm] = Field(default=[], max_length=MAX_ITEMS)
    battery: list[Battery] = Field(default=[], max_length=1,
                                   description="at most one battery: the kernel models one store")
    processes: list[ProductionLine] = Field(default=[], max_length=MAX_ITEMS)
    space: list[SpaceConditioning] = Field(default=[], max_length=MAX_ITEMS)
    heat_exchangers: list[HeatExchanger] = Field(default=[], max_length=MAX_ITEMS)
    heat_pumps: list[HeatPump] = Field(default=[], max_length=MAX_ITEMS)
    boilers: list[Boiler] = Field(default=[], max_length=MAX_ITEMS)
    purchased_heat: list[PurchasedHeat] = Field(default=[], max_length=MAX_ITEMS)
    thermal_storage: list[ThermalStorage] = Field(default=[], max_length=MAX_ITEMS)
    fuel_uses: list[FuelUse] = Field(default=[], max_length=MAX_ITEMS,
                                     description="fuel burnt outside the boilers, steam bought by mass")
    process_emissions_t: float = Field(default=0.0, ge=0, le=MAX_EMISSIONS_T,
                                       description="declared process CO2 emissions [t/yr]; upper bound "
                                                   "lingtan.limits.MAX_EMISSIONS_T")
    declared: Declared = Declared()

    @model_validator(mode="after")
    def _some_demand(self) -> "SiteAssets":
        if not self.loads and not self.processes:
            raise ValueError("a scenario needs at least one entry in 'loads' or 'processes'")
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> "SiteAssets":
        for group in ("loads", "pv", "wind", "battery", "processes", "space", "heat_exchangers", "heat_pumps",
                      "boilers", "purchased_heat", "thermal_storage", "fuel_uses"):
            names = [item.name for item in getattr(self, group)]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"names in '{group}' must be unique; repeated: {dup}")
        return self

    @model_validator(mode="after")
    def _heat_references(self) -> "SiteAssets":
        # Names that exchangers and heat pumps refer to must exist: say which, and what there is.
        streams = [w.name for line in self.processes for w in line.waste_heat]
        demands = [h.name for line in self.processes for h in line.heat_demands] + \
            [s.name for s in self.space if s.heating]
        stores = [s.name for s in self.thermal_storage]
        for group, names in (("waste-heat streams", streams), ("heat demands and stores", demands + stores)):
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"names of {group} must be unique across the scenario; repeated: {dup}")
        for ex in self.heat_exchangers:
            if ex.source not in streams:
                raise ValueError(f"heat exchanger {ex.name!r}: source {ex.source!r} is not a waste-heat stream "
                                 f"(streams: {streams})")
            if ex.sink not in demands + stores:
                raise ValueError(f"heat exchanger {ex.name!r}: sink {ex.sink!r} is not a heat demand or a thermal "
                                 f"store (demands: {demands}, stores: {stores})")
        used = [hp.source for hp in self.heat_pumps if hp.source != AMBIENT_AIR]
        for hp in self.heat_pumps:
            if hp.source != AMBIENT_AIR and hp.source not in streams:
                raise ValueError(f"heat pump {hp.name!r}: source {hp.source!r} is not a waste-heat stream or "
                                 f"{AMBIENT_AIR!r} (streams: {streams})")
            if hp.sink is not None and hp.sink not in demands:
                raise ValueError(f"heat pump {hp.name!r}: sink {hp.sink!r} is not a heat demand ({demands})")
        shared = sorted({s for s in used if used.count(s) > 1})
        if shared:
            raise ValueError(f"two heat pumps draw on the same stream {shared}; give each stream one heat pump")
        return self

    @model_validator(mode="after")
    def _fired_losses(self) -> "SiteAssets":
        check_fired_losses(self.processes, self.boilers)
        return self


class Scenario(SiteAssets):
    """A factory: site assets, plus site, weather, grid connection, accounting, criteria and an optional plan."""

    name: str
    description: str = ""
    site: Site
    year: int = Field(ge=1990, le=2100, description="calendar year of the simulation (tariff calendar, weekdays)")
    weather: Weather
    grid: GridConnection
    accounting: Accounting = Accounting()
    green_power: GreenPower = GreenPower()
    offsets: Offsets = Offsets()
    economics: Economics = Economics()
    criteria_settings: CriteriaSettings = CriteriaSettings()
    criteria: list[str] = Field(default=[], description="criteria packs to check, e.g. zhejiang_factory_2025")
    plan: Plan | None = Field(default=None, description="multi-year plan: base year and yearly stages")
    lang: Literal["zh", "en"] = "en"
    study: Literal["grid_connected", "off_grid", "islanding"] = Field(
        default="grid_connected", description="what the year studies: with 'off_grid' or 'islanding' unserved load "
        "is an expected result, so twin run does not exit with code 4 for it (the warning is still printed)")

    @field_validator("criteria")
    @classmethod
    def _known_packs(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in pack_names()]
        if unknown:
            raise ValueError(f"known criteria packs are {pack_names()}; unknown: {unknown}")
        return value

    @model_validator(mode="after")
    def _plan_starts_this_year(self) -> "Scenario":
        if self.plan is not None and self.plan.base_year != self.year:
            raise ValueError(f"plan.base_year ({self.plan.base_year}) must equal year ({self.year})")
        return self


def _path_text(loc: tuple, data: Any) -> str:
    """Turn a pydantic error location into ``pv[0].tilt_deg``.

    Discriminated unions insert the tag value into the location; those segments
    are not keys of the input and are dropped by walking the input alongside.
    """
    out = ""
    node = data
    for seg in loc:
        if isinstance(seg, int):
            out += f"[{seg}]"
            node = node[seg] if isinstance(node, list) and seg < len(node) else None
        elif isinstance(node, dict) and seg in node:
            out += f".{seg}" if out else str(seg)
            node = node[seg]
        elif isinstance(node, dict) or node is None:
            # A key the input does not have: a missing field, an unknown field, or a union tag.
            if seg in _UNION_TAGS:
                continue
            out += f".{seg}" if out else str(seg)
            node = None
        else:
            out += f".{seg}" if out else str(seg)
            node = None
    return out or "(top level)"


# Union tags that pydantic puts into error locations (weather sources, load kinds, functions).
_UNION_TAGS = {"synthetic", "epw", "tmy3", "csv", "shifts", "function-after", "function-before",
               "function-plain", "function-wrap", "str", "float", "int", "list[float]", "tagged-union"}


def _short(text: str, limit: int = 120) -> str:
    """A found value as the message shows it: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe(err: dict) -> tuple[str, str]:
    """Expected and found texts for one pydantic error."""
    expected, found = _describe_full(err)
    return _short(expected, 400), _short(found)


def _describe_full(err: dict) -> tuple[str, str]:
    kind = err["type"]
    msg = err["msg"]
    found = err.get("input")
    if kind == "extra_forbidden":
        return "only known fields (see the scenario format in README.md)", f"unknown field {err['loc'][-1]!r}"
    if kind == "missing":
        return "this field", "nothing"
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        return msg, repr(found) if not isinstance(found, dict) else "the values above"
    expected = msg.removeprefix("Input should be ").removeprefix("input should be ")
    return expected, repr(found)


def scenario_from_dict(data: Any, file: str | Path = "<scenario>"):
    """Validate a parsed scenario mapping: a factory (:class:`Scenario`), or a park
    (:class:`lingtan.twin.studies.park.Park`) when it has ``tenants``.

    Raises
    ------
    ScenarioError
        For the first problem found, with its field path.
    """
    if not isinstance(data, dict):
        raise ScenarioError(file, "(top level)", "a mapping of scenario fields", type(data).__name__)
    if "tenants" in data:
        from lingtan.twin.studies.park import Park as model
    else:
        model = Scenario
    try:
        scenario = model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        expected, found = _describe(err)
        path = _path_text(err["loc"], data)
        inner = getattr(err.get("ctx", {}).get("error"), "field_path", None)  # a check that names its own field
        if inner:
            path = inner if path == "(top level)" else f"{path}.{inner}"
        raise ScenarioError(file, path, expected, found) from None
    check_numbers(data, scenario, file)
    return scenario


def load_scenario(path: str | Path):
    """Read and validate a scenario YAML file (a factory, or a park when it has ``tenants``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Scenario or lingtan.twin.studies.park.Park

    Raises
    ------
    ScenarioError
        If the file is missing, not YAML within the loader's limits (:mod:`lingtan.loader`), or any field
        is invalid.
    """
    path = Path(path)
    return scenario_from_dict(read_yaml(path), path)


__all__ = ["Scenario", "Site", "SyntheticWeather", "FileWeather", "MonthlyValues",
           "load_scenario", "scenario_from_dict"]
