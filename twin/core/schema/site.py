"""What a factory and a park share: the site, its weather source and the assets behind one meter."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lingtan.components.battery import Battery
from lingtan.components.chp import CombinedHeatPower
from lingtan.components.flexible import ShiftableBatch
from lingtan.components.fuel_use import FuelUse
from lingtan.components.ground import GroundLoop
from lingtan.components.heat import (
    AMBIENT_AIR,
    AbsorptionChiller,
    Boiler,
    HeatExchanger,
    HeatPump,
    PurchasedHeat,
    ThermalStorage,
)
from lingtan.components.hydrogen import Electrolyser, FuelCell, HydrogenBoiler, HydrogenStore, HydrogenUse
from lingtan.components.load_storage import AirReceiver, ColdStore
from lingtan.components.loads import Load
from lingtan.components.process import ProductionLine, check_fired_losses
from lingtan.components.pv import PVArray
from lingtan.components.space import SpaceConditioning
from lingtan.components.vehicles import ChargerGroup, Charging, VehicleGroup
from lingtan.components.wind import WindFarm
from lingtan.errors import FieldPathError
from lingtan.limits import (
    MAX_EMISSIONS_T,
    MAX_ENSEMBLE_YEARS,
    MAX_GHI_KWH_M2_YR,
    MAX_HOURS,
    MAX_ITEMS,
    MAX_TIME_SHIFT_H,
    MAX_WIND_MEAN_M_S,
)
from lingtan.twin.core.schema.criteria import Declared


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
        "extraterrestrial irradiation anywhere on Earth)"
    )
    temp_air_c: tuple[Annotated[float, Field(ge=-90, le=60)], ...] = Field(
        description="mean air temperature per month [C], 12 values within -90..60 (the recorded extremes of Earth)"
    )
    temp_range_c: tuple[Annotated[float, Field(ge=0, le=60)], ...] | None = Field(
        default=None, description="mean daily range [C], 12 values within 0..60"
    )
    wind_speed_m_s: tuple[Annotated[float, Field(ge=0, le=60)], ...] | None = Field(
        default=None,
        description="mean wind speed [m/s], 12 values within 0..60 (a monthly mean above hurricane "
        "force is no climate)",
    )

    @field_validator("ghi_kwh_m2_day", "temp_air_c", "temp_range_c", "wind_speed_m_s")
    @classmethod
    def _twelve(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and len(value) != 12:
            raise ValueError(f"12 monthly values, got {len(value)}")
        return value


class Ensemble(_Strict):
    """Weather years run side by side (an ensemble): synthetic members with the site's interannual spread, or one
    real weather file per year; the typical year (``weather`` itself) still gives the headline result."""

    years: int | None = Field(
        default=None,
        ge=2,
        le=MAX_ENSEMBLE_YEARS,
        description="synthetic members with the site's interannual spread; upper bound "
        "lingtan.limits.MAX_ENSEMBLE_YEARS",
    )
    paths: list[str] | None = Field(
        default=None,
        min_length=2,
        max_length=MAX_ENSEMBLE_YEARS,
        description="weather files, one per year, in weather.source's format, relative to the scenario file",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Ensemble:
        if (self.years is None) == (self.paths is None):
            raise ValueError("give exactly one of 'years' or 'paths'")
        return self


class WeatherScale(_Strict):
    """Annual values from a site assessment that the weather year is scaled to (``lingtan.weather.scale``)."""

    ghi_kwh_m2_yr: float | None = Field(
        default=None,
        gt=0,
        le=MAX_GHI_KWH_M2_YR,
        description="annual global horizontal irradiation [kWh/m2]: GHI, DNI and DHI scaled by one factor; "
        "upper bound lingtan.limits.MAX_GHI_KWH_M2_YR",
    )
    wind_mean_m_s: float | None = Field(
        default=None,
        gt=0,
        le=MAX_WIND_MEAN_M_S,
        description="annual mean wind speed at the weather's height [m/s]; upper bound "
        "lingtan.limits.MAX_WIND_MEAN_M_S",
    )

    @model_validator(mode="after")
    def _something(self) -> WeatherScale:
        if self.ghi_kwh_m2_yr is None and self.wind_mean_m_s is None:
            raise ValueError("give ghi_kwh_m2_yr, wind_mean_m_s or both")
        return self


class SyntheticWeather(_Strict):
    """A seeded synthetic typical year from shipped or user-given monthly climatology."""

    source: Literal["synthetic"]
    city: str | None = Field(default=None, description="a shipped city, e.g. 'hefei'")
    monthly: MonthlyValues | None = None
    seed: int = Field(default=1, ge=0)
    ensemble: Ensemble | None = Field(default=None, description="members' seeds derive from seed")
    scale: WeatherScale | None = Field(default=None, description="annual values the year is scaled to")

    @model_validator(mode="after")
    def _one_climate(self) -> SyntheticWeather:
        if (self.city is None) == (self.monthly is None):
            raise ValueError("give exactly one of 'city' or 'monthly'")
        return self


class FileWeather(_Strict):
    """Weather from an EPW, TMY3 or CSV file, re-stamped onto the scenario year."""

    source: Literal["epw", "tmy3", "csv"]
    path: str = Field(description="weather file, relative to the scenario file")
    fill: Literal["error", "interpolate"] = Field(default="error", description="what to do with gaps")
    max_gap_h: int = Field(
        default=6,
        ge=1,
        le=int(MAX_HOURS),
        description="longest gap that 'interpolate' fills [h]; upper bound lingtan.limits.MAX_HOURS",
    )
    rebuild_components: bool = Field(
        default=False, description="rebuild DNI/DHI from GHI (erbs) when the file's components do not close"
    )
    ensemble: Ensemble | None = Field(default=None, description="synthetic members' seeds start from 0")
    time_shift_h: int = Field(
        default=0,
        ge=-MAX_TIME_SHIFT_H,
        le=MAX_TIME_SHIFT_H,
        description="whole hours added to the file's time stamps to correct a shifted clock [h] (twin check "
        "suggests it); bounds lingtan.limits.MAX_TIME_SHIFT_H",
    )
    scale: WeatherScale | None = Field(default=None, description="annual values the year is scaled to")


Weather = Annotated[SyntheticWeather | FileWeather, Field(discriminator="source")]


class SiteAssets(_Strict):
    """What stands behind one meter: loads, production lines, sources, storage and the heat side.

    A factory is site assets plus a site, weather and a grid connection; a park's tenant is site
    assets behind the park's meter. Both are checked by the same rules.
    """

    # Each list holds at most lingtan.limits.MAX_ITEMS entries: the run's work grows with them.
    loads: list[Load] = Field(default=[], max_length=MAX_ITEMS)
    pv: list[PVArray] = Field(default=[], max_length=MAX_ITEMS)
    wind: list[WindFarm] = Field(default=[], max_length=MAX_ITEMS)
    battery: list[Battery] = Field(
        default=[], max_length=1, description="at most one battery: the kernel models one store"
    )
    processes: list[ProductionLine] = Field(default=[], max_length=MAX_ITEMS)
    space: list[SpaceConditioning] = Field(default=[], max_length=MAX_ITEMS)
    heat_exchangers: list[HeatExchanger] = Field(default=[], max_length=MAX_ITEMS)
    heat_pumps: list[HeatPump] = Field(default=[], max_length=MAX_ITEMS)
    boilers: list[Boiler] = Field(default=[], max_length=MAX_ITEMS)
    purchased_heat: list[PurchasedHeat] = Field(default=[], max_length=MAX_ITEMS)
    thermal_storage: list[ThermalStorage] = Field(default=[], max_length=MAX_ITEMS)
    absorption_chillers: list[AbsorptionChiller] = Field(
        default=[],
        max_length=MAX_ITEMS,
        description="chillers driven by a waste-heat stream or a CHP unit's heat, cooling a space",
    )
    ground_loops: list[GroundLoop] = Field(
        default=[], max_length=MAX_ITEMS, description="borehole fields a ground-source heat pump takes heat from"
    )
    chp: list[CombinedHeatPower] = Field(
        default=[], max_length=MAX_ITEMS, description="combined heat and power: gas engines and turbines"
    )
    fuel_uses: list[FuelUse] = Field(
        default=[], max_length=MAX_ITEMS, description="fuel burnt outside the boilers, steam bought by mass"
    )
    vehicles: list[VehicleGroup] = Field(
        default=[], max_length=MAX_ITEMS, description="the fleet by group: type, fuel, daily driving, times on site"
    )
    chargers: list[ChargerGroup] = Field(default=[], max_length=MAX_ITEMS, description="charge points by power")
    electrolysers: list[Electrolyser] = Field(
        default=[], max_length=MAX_ITEMS, description="water electrolysis on renewable surplus, into the hydrogen store"
    )
    hydrogen_stores: list[HydrogenStore] = Field(
        default=[], max_length=1, description="at most one compressed-hydrogen store: the kernel models one"
    )
    hydrogen_uses: list[HydrogenUse] = Field(
        default=[], max_length=MAX_ITEMS, description="hydrogen taken from the store each day"
    )
    fuel_cells: list[FuelCell] = Field(
        default=[], max_length=MAX_ITEMS, description="fuel cells on the store's hydrogen: electricity and heat"
    )
    hydrogen_boilers: list[HydrogenBoiler] = Field(
        default=[],
        max_length=MAX_ITEMS,
        description="boilers burning the store's hydrogen above a share of its capacity and its uses' reserve",
    )
    flexible_loads: list[ShiftableBatch] = Field(
        default=[], max_length=MAX_ITEMS, description="daily batches whose start may move within a window"
    )
    cold_stores: list[ColdStore] = Field(
        default=[],
        max_length=MAX_ITEMS,
        description="stores of cooling beside a space's chillers or a cold room: tanks, ice, a setpoint band",
    )
    air_receivers: list[AirReceiver] = Field(
        default=[], max_length=MAX_ITEMS, description="compressed-air receivers the compressors charge ahead"
    )
    charging: Charging = Field(default=Charging(), description="charging strategy, seed of the draws, parking spaces")
    process_emissions_t: float = Field(
        default=0.0,
        ge=0,
        le=MAX_EMISSIONS_T,
        description="declared process CO2 emissions [t/yr]; upper bound lingtan.limits.MAX_EMISSIONS_T",
    )
    declared: Declared = Declared()

    @field_validator("battery", mode="before")
    @classmethod
    def _one_battery(cls, value: Any) -> Any:
        # One store per meter: several would need a policy between them (which charges first, which serves first,
        # whether one charges another) that the kernel does not have, and summing unlike batteries into one would
        # not be exact. Said before pydantic's list-length message, which does not say why.
        if isinstance(value, list) and len(value) > 1:
            names = [b.get("name") if isinstance(b, dict) else getattr(b, "name", None) for b in value]
            raise ValueError(
                f"one battery per site (the dispatch kernel models one store); found {len(value)}: "
                f"{names}. Model them as one battery with the summed energy_kwh and power"
            )
        return value

    @model_validator(mode="after")
    def _some_demand(self) -> SiteAssets:
        if not self.loads and not self.processes:
            raise ValueError("a scenario needs at least one entry in 'loads' or 'processes'")
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> SiteAssets:
        for group in (
            "loads",
            "pv",
            "wind",
            "battery",
            "processes",
            "space",
            "heat_exchangers",
            "heat_pumps",
            "boilers",
            "purchased_heat",
            "thermal_storage",
            "absorption_chillers",
            "ground_loops",
            "chp",
            "fuel_uses",
            "vehicles",
            "chargers",
            "flexible_loads",
            "electrolysers",
            "hydrogen_uses",
            "fuel_cells",
            "hydrogen_boilers",
            "cold_stores",
            "air_receivers",
        ):
            names = [item.name for item in getattr(self, group)]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"names in '{group}' must be unique; repeated: {dup}")
        # The heat table names its columns <asset>.<quantity> across these groups: one name, one asset.
        seen: dict[str, str] = {}
        for group in (
            "heat_pumps",
            "boilers",
            "purchased_heat",
            "thermal_storage",
            "absorption_chillers",
            "ground_loops",
            "chp",
            "electrolysers",
            "hydrogen_stores",
            "fuel_cells",
            "hydrogen_boilers",
            "cold_stores",
            "air_receivers",
        ):
            for i, item in enumerate(getattr(self, group)):
                if item.name in seen:
                    raise FieldPathError(
                        f"{group}[{i}].name",
                        f"a name no other heat or hydrogen asset has ({seen[item.name]} has it)",
                        repr(item.name),
                    )
                seen[item.name] = group
        return self

    @model_validator(mode="after")
    def _heat_references(self) -> SiteAssets:
        # Names that exchangers and heat pumps refer to must exist: say which, and what there is.
        streams = [w.name for line in self.processes for w in line.waste_heat]
        demands = [h.name for line in self.processes for h in line.heat_demands] + [
            s.name for s in self.space if s.heating
        ]
        stores = [s.name for s in self.thermal_storage]
        for group, names in (("waste-heat streams", streams), ("heat demands and stores", demands + stores)):
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"names of {group} must be unique across the scenario; repeated: {dup}")
        for ex in self.heat_exchangers:
            if ex.source not in streams:
                raise ValueError(
                    f"heat exchanger {ex.name!r}: source {ex.source!r} is not a waste-heat stream (streams: {streams})"
                )
            if ex.sink not in demands + stores:
                raise ValueError(
                    f"heat exchanger {ex.name!r}: sink {ex.sink!r} is not a heat demand or a thermal "
                    f"store (demands: {demands}, stores: {stores})"
                )
        loops = [g.name for g in self.ground_loops]
        clash = sorted(set(loops) & set(streams + [AMBIENT_AIR]))
        if clash:
            i = loops.index(clash[0])
            raise FieldPathError(f"ground_loops[{i}].name", "a name no waste-heat stream has", repr(clash[0]))
        used = [hp.source for hp in self.heat_pumps if hp.source not in [AMBIENT_AIR, *loops]]
        for i, hp in enumerate(self.heat_pumps):
            if hp.source not in [AMBIENT_AIR, *streams, *loops]:
                raise FieldPathError(
                    f"heat_pumps[{i}].source",
                    f"a waste-heat stream {streams}, a ground loop {loops} or {AMBIENT_AIR!r}",
                    repr(hp.source),
                )
            if hp.sink is not None and hp.sink not in demands:
                raise ValueError(f"heat pump {hp.name!r}: sink {hp.sink!r} is not a heat demand ({demands})")
        cooled = {s.name: s for s in self.space if s.cooling and s.cooling_cop is not None}
        by = [hp.cooling for hp in self.heat_pumps]
        free = sorted(set(cooled) - set(by))
        engines = {c.name: c for c in self.chp}
        on_engines = [ch.cooling for ch in self.absorption_chillers if ch.source in engines]
        for i, ch in enumerate(self.absorption_chillers):
            if ch.source not in streams and ch.source not in engines:
                raise FieldPathError(
                    f"absorption_chillers[{i}].source",
                    f"a waste-heat stream ({streams}) or a CHP unit ({sorted(engines)})",
                    repr(ch.source),
                )
            if ch.source in engines and engines[ch.source].t_c < ch.min_drive_t_c:
                raise FieldPathError(
                    f"absorption_chillers[{i}].min_drive_t_c",
                    f"a drive temperature the CHP unit's heat reaches ({engines[ch.source].t_c:g} C)",
                    f"{ch.min_drive_t_c:g} C",
                )
            if ch.source in engines and on_engines.count(ch.cooling) > 1:
                raise FieldPathError(
                    f"absorption_chillers[{i}].cooling", "one CHP-driven absorption chiller per space", repr(ch.cooling)
                )
            if ch.cooling not in cooled or ch.cooling in by:
                raise FieldPathError(
                    f"absorption_chillers[{i}].cooling",
                    f"a space with cooling and a cooling_cop that no ground-source heat pump cools ({free})",
                    repr(ch.cooling),
                )
        for i, hp in enumerate(self.heat_pumps):
            if hp.cooling is not None and by.count(hp.cooling) > 1:
                raise FieldPathError(f"heat_pumps[{i}].cooling", "one heat pump cooling a space", repr(hp.cooling))
            if hp.cooling is not None and hp.source not in loops:
                raise FieldPathError(
                    f"heat_pumps[{i}].cooling", "cooling only from a ground loop source", repr(hp.source)
                )
            if hp.cooling is not None and hp.cooling not in cooled:
                raise FieldPathError(
                    f"heat_pumps[{i}].cooling",
                    f"a space with cooling and a cooling_cop, whose chillers take what the heat pump cannot "
                    f"({sorted(cooled)})",
                    repr(hp.cooling),
                )
        on_loop = [hp.source for hp in self.heat_pumps if hp.source in loops]
        for i, hp in enumerate(self.heat_pumps):
            if hp.source in loops and on_loop.count(hp.source) > 1:
                raise FieldPathError(
                    f"heat_pumps[{i}].source",
                    "one heat pump per ground loop (the loop's low-temperature cut-out limits one machine): "
                    "model them as one with the summed capacity_q_kw_th",
                    f"{on_loop.count(hp.source)} on {hp.source!r}",
                )
        shared = sorted({s for s in used if used.count(s) > 1})
        if shared:
            raise ValueError(f"two heat pumps draw on the same stream {shared}; give each stream one heat pump")
        return self

    @model_validator(mode="after")
    def _chp_has_demand(self) -> SiteAssets:
        # A unit's heat must have somewhere to go: the kernel runs CHP units and hydrogen boilers on the heat side.
        temps = [h.t_c for line in self.processes for h in line.heat_demands] + [s.t_c for s in self.space if s.heating]
        for group in ("chp", "hydrogen_boilers"):
            for i, c in enumerate(getattr(self, group)):
                if not any(t <= c.t_c for t in temps):
                    raise FieldPathError(
                        f"{group}[{i}].t_c",
                        "a heat temperature at or above a heat demand's (production lines' heat_demands, heated "
                        f"spaces: {sorted(temps)} C)",
                        f"{c.t_c:g} C",
                    )
        return self

    @model_validator(mode="after")
    def _hydrogen_has_a_store(self) -> SiteAssets:
        for group in ("electrolysers", "hydrogen_uses", "fuel_cells", "hydrogen_boilers"):
            if getattr(self, group) and not self.hydrogen_stores:
                raise FieldPathError(
                    "hydrogen_stores", f"a hydrogen store for the {group} (its hydrogen goes through one)", "none"
                )
        for i, g in enumerate(self.vehicles):
            if g.fuel == "hydrogen" and not self.hydrogen_stores:
                raise FieldPathError(
                    "hydrogen_stores", f"a hydrogen store the hydrogen vehicles of vehicles[{i}] refuel from", "none"
                )
        return self

    @model_validator(mode="after")
    def _load_stores_serve(self) -> SiteAssets:
        # A store relieves one load whose electricity is its machines': a space's own electric chillers (beside a
        # ground-source heat pump or a CHP-driven absorption chiller that cools the space first: the kernel settles
        # their shares), a production line, or for air an electric load.
        lines = [p.name for p in self.processes]
        spaces = sorted(s.name for s in self.space if s.cooling and s.cooling_cop is not None)
        for i, c in enumerate(self.cold_stores):
            if c.serves not in spaces + lines:
                raise FieldPathError(
                    f"cold_stores[{i}].serves",
                    f"a space with cooling and a cooling_cop ({spaces}) or a production line ({lines})",
                    repr(c.serves),
                )
            if c.serves in lines and c.serve_cop is None:
                raise FieldPathError(
                    f"cold_stores[{i}].serve_cop",
                    "the COP of the line's refrigeration (it has none of its own)",
                    "none",
                )
            if c.serves in spaces and c.serve_cop is not None:
                raise FieldPathError(
                    f"cold_stores[{i}].serve_cop",
                    "none for a space: the store spares its chillers, at the space's cooling_cop",
                    f"{c.serve_cop:g}",
                )
        loads = [ld.name for ld in self.loads] + lines
        for i, r in enumerate(self.air_receivers):
            if r.serves not in loads:
                raise FieldPathError(
                    f"air_receivers[{i}].serves", f"an electric load or a production line ({loads})", repr(r.serves)
                )
        served = [c.serves for c in self.cold_stores] + [r.serves for r in self.air_receivers]
        for group in ("cold_stores", "air_receivers"):
            for i, item in enumerate(getattr(self, group)):
                if served.count(item.serves) > 1:
                    raise FieldPathError(f"{group}[{i}].serves", "one store per load", repr(item.serves))
        return self

    @model_validator(mode="after")
    def _chargers_named(self) -> SiteAssets:
        chargers = {c.name: c for c in self.chargers}
        names = list(chargers)
        for i, g in enumerate(self.vehicles):
            if g.charger is not None and g.charger not in names:
                raise FieldPathError(
                    f"vehicles[{i}].charger", f"the name of a charger group (chargers: {names})", repr(g.charger)
                )
            if g.v2b is not None and g.charger is not None and chargers[g.charger].discharge_power_kw is None:
                raise FieldPathError(
                    f"vehicles[{i}].v2b",
                    f"a bidirectional charger group for vehicle-to-building (chargers[{names.index(g.charger)}]"
                    ".discharge_power_kw)",
                    f"{g.charger!r} without one",
                )
            if g.v2b is not None and self.charging.strategy != "smart":
                raise FieldPathError(
                    "charging.strategy",
                    f"smart for vehicle-to-building (vehicles[{i}].v2b: scheduled with the smart charging)",
                    repr(self.charging.strategy),
                )
        return self

    @model_validator(mode="after")
    def _fired_losses(self) -> SiteAssets:
        check_fired_losses(self.processes, self.boilers)
        return self
