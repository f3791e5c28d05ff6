"""One run of a scenario: weather -> unit profiles -> dispatch kernel -> hourly flows and KPIs.

This is the thin orchestration layer (pvlib's ModelChain in spirit): every
physical model lives in ``components/`` or ``weather/``, every sequential
decision in ``lingtan.twin.core.dispatch``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from lingtan.components import grid as gridmod
from lingtan.components.demand_response import event_caps, event_hours, event_steps, response_kpis
from lingtan.components.flexible import batch_load_kw, batch_starts, flexible_kpis
from lingtan.components.heat import load_fuels
from lingtan.components.hydrogen import hydrogen_use_kg
from lingtan.components.loads import CsvLoad, csv_load_kw, shift_load_kw
from lingtan.components.vehicles import (
    ChargingSite,
    FleetCharging,
    fleet_charging,
    fleet_fuel_uses,
    fleet_hydrogen_uses,
    fleet_kpis,
    hydrogen_trips,
)
from lingtan.errors import InputError
from lingtan.limits import PEAK_TARGET_TOL_KW
from lingtan.paths import resolve_input
from lingtan.twin.accounting.account import AccountingResult, fuel_uses_year
from lingtan.twin.accounting.assess import Assessment, assess
from lingtan.twin.core.dispatch import (
    FLOWS,
    PARAMS,
    PEAK_LIMITS,
    STRATEGIES,
    DispatchResult,
    HeatSizes,
    dispatch,
    lowest_peak_targets,
    params_matrix,
    peak_shortfall_kw,
)
from lingtan.twin.core.heat_profiles import HeatSetup, build_heat, chp_absorbers, heat_sizes, hydrogen_uses
from lingtan.twin.core.kpis import (
    electric_kpis,
    heat_kpis,
    heat_rejection_warnings,
    hydrogen_kpis,
    load_store_kpis,
    storage_warnings,
)
from lingtan.twin.core.scenario import Scenario
from lingtan.twin.core.schema.site import FileWeather
from lingtan.twin.core.tables import (
    BALANCE_TOL_KWH,
    check_electric_balance,
    check_heat_balance,
    electric_table,
    grid_exchange_kw,
    heat_table,
)


@dataclass(frozen=True)
class Profiles:
    """Everything the kernel needs that does not depend on sizes.

    Attributes
    ----------
    index : DatetimeIndex
        The time steps (hourly or 15-minute), tz-aware, interval start.
    weather : DataFrame
        pvlib-named weather columns, one row per step.
    unit_kw : ndarray, shape (K, T)
        One row per PV array [kW per kWp], then per wind farm [kW per turbine].
    sources : list of (kind, name)
        ``("pv", name)`` or ``("wind", name)`` for each row of ``unit_kw``.
    load_kw : ndarray, shape (T,)
        Sum of all electric loads [kW], production lines and electric cooling included.
    period, month, price_cny_per_kwh : ndarray, shape (T,)
        Time-of-use code, 0-based month, import price.
    tariff : Tariff
    weather_meta : dict
    base_dir : Path
        Folder the scenario's relative paths resolve against (its file's folder); the assessment reads an
        hourly emission-factor file from it.
    step_h : float
        Length of a time step [h] (``time_step_min / 60``): every ``(T,)`` array holds one value per step, a
        power [kW] whose energy is ``power * step_h`` [kWh].
    vehicles : FleetCharging or None
        The fleet's year of charging, already inside ``load_kw``, less what its vehicles gave the site
        (vehicle-to-building: ``vehicles.v2b_kw``, a source of the load the kernel does not see); None without a fleet.
    flexible_kw : dict of str to ndarray, shape (T,)
        Each flexible load's scheduled year [kW] (:mod:`lingtan.components.flexible`), already inside ``load_kw``.
    """

    index: pd.DatetimeIndex
    weather: pd.DataFrame
    unit_kw: np.ndarray
    sources: list[tuple[str, str]]
    load_kw: np.ndarray
    period: np.ndarray
    month: np.ndarray
    price_cny_per_kwh: np.ndarray
    tariff: object
    weather_meta: dict
    heat: HeatSetup
    base_dir: Path
    fuel_uses: dict = field(
        default_factory=dict
    )  # the year of fuel_uses (lingtan.twin.accounting.account.fuel_uses_year)
    step_h: float = 1.0
    vehicles: FleetCharging | None = None  # the fleet's year of charging, inside load_kw
    flexible_kw: dict = field(default_factory=dict)  # each flexible load's year [kW] by name, inside load_kw


def load_weather(scenario: Scenario, base_dir: Path) -> tuple[pd.DataFrame, dict]:
    """The scenario's weather year, on its calendar year and time zone.

    Parameters
    ----------
    scenario : Scenario
        Its ``name``, ``site``, ``year`` and ``weather`` are read.
    base_dir : Path
        Folder a weather file's relative path starts from.

    Returns
    -------
    frame : pandas.DataFrame
        Weather on the scenario's time step (``time_step_min``), pvlib column names, a copy the caller may
        change.
    meta : dict
        Where it came from (source, path or city and seed, ...).

    Notes
    -----
    A synthetic year is a pure function of its spec, site, year and name, and costs a fifth of a run's
    compute; a run reads it once for the simulation and once more for the plausibility checks, a plan
    once per year. It is kept for the process (:data:`_SYNTHETIC_YEARS`, a few recent specs). File weather
    is read each time: its reader's data-quality warnings belong to each run. ``weather.time_shift_h`` then moves
    a file's values by whole hours (:func:`lingtan.weather.shift_hours`) and ``weather.scale`` scales either kind to
    a site assessment's annual values (:func:`lingtan.weather.scale_resource`); ``meta`` records both. Last, an
    hourly year is interpolated to a 15-minute ``time_step_min`` (:func:`lingtan.weather.resample.to_steps`).
    """
    import lingtan.weather as wx

    spec = scenario.weather
    site = scenario.site
    if isinstance(spec, FileWeather):
        path = resolve_input(base_dir, spec.path, field="weather.path")
        opts = dict(
            year=scenario.year,
            tz=site.timezone,
            fill=spec.fill,
            max_gap_h=spec.max_gap_h,
            rebuild_components=spec.rebuild_components,
        )
        if spec.source == "csv":
            # A plain CSV carries no coordinates: the site's are needed for closure and decomposition.
            frame, meta = wx.read_csv(
                path, latitude=site.latitude, longitude=site.longitude, altitude_m=site.altitude_m, **opts
            )
        else:
            frame, meta = {"epw": wx.read_epw, "tmy3": wx.read_tmy3}[spec.source](path, **opts)
        meta = dict(meta, source=spec.source, path=str(path))
        if spec.time_shift_h:
            frame, meta["time_shift_h"] = wx.shift_hours(frame, spec.time_shift_h), spec.time_shift_h
        return _on_step(*_scaled(frame, meta, spec.scale), scenario)
    key = (spec.model_dump_json(exclude={"scale"}), site.model_dump_json(), scenario.year, scenario.name)
    kept = _SYNTHETIC_YEARS.get(key)
    if kept is None:
        kept = _SYNTHETIC_YEARS[key] = _synthetic_weather(scenario)
        if len(_SYNTHETIC_YEARS) > 4:
            _SYNTHETIC_YEARS.pop(next(iter(_SYNTHETIC_YEARS)))
    frame, meta = kept
    if _step_of(scenario) == 60:
        return _scaled(frame.copy(), dict(meta), spec.scale)
    return _on_step(*_scaled(frame.copy(), dict(meta), spec.scale), scenario)


def step_minutes(index: pd.DatetimeIndex) -> float:
    """The time step of an index [min]: its most common spacing (a missing 29 February aside); 60 for one label.

    Parameters
    ----------
    index : DatetimeIndex
        Interval-start labels.

    Returns
    -------
    float
        The step [min].
    """
    if len(index) < 2:
        return 60.0
    steps, counts = np.unique(np.diff(index.asi8), return_counts=True)
    return float(steps[np.argmax(counts)] / 6e10)


def _step_of(scenario) -> int:
    """A scenario's ``time_step_min`` [min]; a park (which load_weather also reads) is hourly: it has none."""
    return getattr(scenario, "time_step_min", 60)


def _on_step(frame: pd.DataFrame, meta: dict, scenario: Scenario) -> tuple[pd.DataFrame, dict]:
    """The weather on the scenario's ``time_step_min``: as read when it has that step, an hourly year interpolated
    to it (:func:`lingtan.weather.resample.to_steps`); any other step is refused."""
    step = _step_of(scenario)
    found = step_minutes(frame.index)
    if found == step:
        return frame, meta
    if found != 60:
        raise InputError(
            meta.get("path"),
            "time_step_min",
            f"weather of {step}-minute steps, or hourly weather to interpolate",
            f"weather of {found:g}-minute steps",
        )
    from lingtan.weather.resample import to_steps

    site = scenario.site
    frame = to_steps(frame, site.latitude, site.longitude, site.altitude_m, step_min=step)
    note = f"hourly weather interpolated to {step} min (clearness index; each hour's GHI energy kept)"
    return frame, dict(meta, resampled=note)


def _scaled(frame: pd.DataFrame, meta: dict, scale) -> tuple[pd.DataFrame, dict]:
    """The weather year scaled to ``weather.scale`` (when given), the factors and before/after values in ``meta``."""
    if scale is None:
        return frame, meta
    import lingtan.weather as wx

    try:
        frame, record = wx.scale_resource(frame, ghi_kwh_m2_yr=scale.ghi_kwh_m2_yr, wind_mean_m_s=scale.wind_mean_m_s)
    except ValueError as err:
        raise InputError(
            meta.get("path"), "weather.scale", "a weather year with the resource to scale", str(err)
        ) from None
    return frame, dict(meta, **record)


_SYNTHETIC_YEARS: dict[tuple, tuple[pd.DataFrame, dict]] = {}
"""Synthetic weather years made in this process, by (weather spec, site, year, name) as JSON."""


def synthetic_climate(scenario: Scenario):
    """The climatology a synthetic-weather scenario names: a shipped city's or its own monthly values.

    Parameters
    ----------
    scenario : Scenario
        Its ``weather`` (a :class:`~lingtan.twin.core.schema.site.SyntheticWeather`), ``name`` and ``site``.

    Returns
    -------
    lingtan.weather.MonthlyClimate
        The monthly climatology the synthetic years are drawn from.
    """
    import lingtan.weather as wx

    spec = scenario.weather
    site = scenario.site
    if spec.city is not None:
        return wx.city_climate(spec.city)
    m = spec.monthly
    return wx.MonthlyClimate.from_monthly(
        name=scenario.name,
        latitude=site.latitude,
        longitude=site.longitude,
        altitude_m=site.altitude_m,
        ghi_kwh_m2_day=m.ghi_kwh_m2_day,
        temp_air_c=m.temp_air_c,
        temp_range_c=m.temp_range_c,
        wind_speed_m_s=m.wind_speed_m_s,
    )


def _synthetic_weather(scenario: Scenario) -> tuple[pd.DataFrame, dict]:
    """The synthetic year a scenario names: a shipped city's climatology or its own monthly values."""
    import lingtan.weather as wx

    spec = scenario.weather
    site = scenario.site
    climate = synthetic_climate(scenario)
    frame = wx.synthetic_year(
        climate,
        year=scenario.year,
        tz=site.timezone,
        seed=spec.seed,
        latitude=site.latitude,
        longitude=site.longitude,
        altitude_m=site.altitude_m,
    )
    return frame, {"source": "synthetic", "city": spec.city, "seed": spec.seed, "climate_source": climate.source}


@dataclass(frozen=True)
class HourProfiles:
    """The profiles of a scenario that depend on its hours only, not on the weather year.

    Attributes
    ----------
    index : DatetimeIndex
        The hours they were computed on.
    load_by_name_kw : dict of str to ndarray, shape (T,)
        Each electric load's hourly power [kW] (read-only).
    tariff : Tariff
    period, month, price_cny_per_kwh : ndarray, shape (T,)
        Time-of-use code, 0-based month, import price [CNY/kWh].
    fuel_uses : dict
        The year of fuel uses (:func:`lingtan.twin.accounting.account.fuel_uses_year`).
    vehicles : FleetCharging or None
        The fleet's unmanaged charging (:func:`lingtan.components.vehicles.fleet_charging`), None without a fleet
        or with smart charging (which :func:`build_profiles` schedules on the weather year's generation).
    """

    index: pd.DatetimeIndex
    load_by_name_kw: dict
    tariff: object
    period: np.ndarray
    month: np.ndarray
    price_cny_per_kwh: np.ndarray
    fuel_uses: dict
    vehicles: FleetCharging | None = None

    def fits(self, index: pd.DatetimeIndex) -> bool:
        """Whether these profiles were computed on ``index`` (the same instants in the same zone).

        Parameters
        ----------
        index : DatetimeIndex
            The hours of a weather year.

        Returns
        -------
        bool
        """
        return self.index.dtype == index.dtype and self.index.equals(index)


def hour_profiles(scenario: Scenario, base_dir: Path, index: pd.DatetimeIndex) -> HourProfiles:
    """The loads, tariff and fuel uses of a scenario on some hours: what its weather years share.

    Parameters
    ----------
    scenario : Scenario
        The factory.
    base_dir : Path
        Folder of the scenario file (relative paths are read from it).
    index : DatetimeIndex
        The time steps (``scenario.time_step_min``), tz-aware, interval start.

    Returns
    -------
    HourProfiles
        Computed once for the members of a weather ensemble (:func:`build_profiles` ``hours``).
    """
    step = scenario.time_step_min
    by_load = {
        item.name: csv_load_kw(
            resolve_input(base_dir, item.path, field=f"loads.{item.name}.path"), item, len(index), step
        )
        if isinstance(item, CsvLoad)
        else shift_load_kw(index, item, step / 60)
        for item in scenario.loads
    }
    for row in by_load.values():
        row.flags.writeable = False  # shared by the years that reuse these profiles
    tariff = scenario.grid.resolved_tariff(base_dir)
    return HourProfiles(
        index=index,
        load_by_name_kw=by_load,
        tariff=tariff,
        period=gridmod.period_codes(index, tariff),
        month=index.month.to_numpy() - 1,
        price_cny_per_kwh=gridmod.hourly_price_cny_per_kwh(index, tariff),
        # Fuel-use profiles stay hourly whatever the step: only their year's sum is used.
        fuel_uses=fuel_uses_year(
            [*scenario.fuel_uses, *fleet_fuel_uses(scenario.vehicles, round(len(index) * step / 60 / 24))],
            base_dir,
            round(len(index) * step / 60),
            scenario.accounting.fuel_factors,
        ),
        # Unmanaged charging depends on the fleet's seeded draws only: a load added before dispatch. Smart charging
        # reads the weather year's generation too (build_profiles).
        vehicles=fleet_charging(scenario.vehicles, scenario.chargers, scenario.charging, len(index), step / 60)
        if scenario.vehicles and scenario.charging.strategy == "unmanaged"
        else None,
    )


def build_profiles(
    scenario: Scenario,
    base_dir: Path,
    weather: tuple[pd.DataFrame, dict] | None = None,
    hours: HourProfiles | None = None,
    any_step: bool = False,
) -> Profiles:
    """Compute every size-independent profile of a scenario, one value per time step.

    ``weather`` (frame, meta) is used instead of the scenario's own when given: the
    tenants of a park share one weather year.

    Parameters
    ----------
    scenario : Scenario
        The factory.
    base_dir : Path
        Folder of the scenario file (relative paths are read from it).
    weather : tuple of (DataFrame, dict), optional
        Hourly weather and its metadata, instead of the scenario's own.
    hours : HourProfiles, optional
        This scenario's :func:`hour_profiles`, reused when computed on the weather's hours (the
        members of an ensemble); computed otherwise.
    any_step : bool
        Whether the caller carries a 15-minute ``time_step_min`` through (a single run does); otherwise only
        hourly scenarios are accepted (:func:`require_hourly`).

    Returns
    -------
    Profiles
        Unit generation, loads, heat demands, tariff and emission factor by step.

    Raises
    ------
    InputError
        A 15-minute scenario where ``any_step`` is False, with a heat side (not carried to 15 minutes yet), or
        given weather of another step.
    """
    if not any_step:
        require_hourly(scenario, "studies of many runs (parks, sweeps, ensembles, sizing, the life series)")
    frame, meta = load_weather(scenario, base_dir) if weather is None else weather
    index = frame.index
    step = scenario.time_step_min
    if step != 60 and step_minutes(index) != step:
        raise InputError(
            meta.get("path"), "time_step_min", f"weather of {step}-minute steps", f"{step_minutes(index):g} min"
        )
    rows, sources, _ = renewable_units(scenario.pv, scenario.wind, frame, scenario.site)
    unit = np.vstack(rows) if rows else np.zeros((0, len(index)))

    if hours is None or not hours.fits(index):
        hours = hour_profiles(scenario, base_dir, index)
    load = sum(hours.load_by_name_kw.values(), np.zeros(len(index)))

    humidity = frame["relative_humidity"].to_numpy() if "relative_humidity" in frame else None
    heat = build_heat(scenario, index, frame["temp_air"].to_numpy(), hours.load_by_name_kw, humidity)
    if step != 60 and (scenario.processes or not heat.empty or heat.electric_load_kw.any()):
        require_hourly(scenario, "a scenario with a heat side or production lines (carried hourly only)")
    if scenario.hydrogen_stores or scenario.demand_response is not None or heat.load_stores:
        require_hourly(
            scenario, "hydrogen, demand-response events, cold stores and air receivers (carried hourly only)"
        )
    load += heat.electric_load_kw
    fleet = hours.vehicles
    if scenario.vehicles and scenario.charging.strategy == "smart":
        fleet = fleet_charging(
            scenario.vehicles,
            scenario.chargers,
            scenario.charging,
            len(index),
            step / 60,
            charging_site(scenario, unit, load, hours),
        )
    if fleet is not None:
        load += fleet.p_kw
    if fleet is not None and fleet.v2b_kw is not None:
        load -= fleet.v2b_kw  # the vehicles serve this part of the load: the kernel dispatches the rest
    flexible = {}
    if scenario.flexible_loads:
        require_hourly(scenario, "flexible loads (scheduled on hourly steps)")
        site = charging_site(scenario, unit, load, hours)
        price = hours.price_cny_per_kwh
        if scenario.demand_response is not None:  # an event hour's import forgoes the compensation too
            dr = scenario.demand_response
            price = price + np.where(event_steps(index, dr)[0] >= 0, dr.price_cny_per_kwh, 0.0)
        for batch in scenario.flexible_loads:  # each against the net load with the earlier ones in it
            starts = batch_starts(batch, index, site.net_kw, price, site.target_kw)
            flexible[batch.name] = batch_load_kw(batch, starts, len(index))
            site = replace(site, net_kw=site.net_kw + flexible[batch.name])
            load = load + flexible[batch.name]
    return Profiles(
        index=index,
        weather=frame,
        unit_kw=unit,
        sources=sources,
        load_kw=load,
        heat=heat,
        base_dir=Path(base_dir),
        period=hours.period,
        month=hours.month,
        price_cny_per_kwh=hours.price_cny_per_kwh,
        tariff=hours.tariff,
        weather_meta=meta,
        fuel_uses=hours.fuel_uses,
        step_h=step / 60,
        vehicles=fleet,
        flexible_kw=flexible,
    )


def schedules_before_dispatch(scenario: Scenario) -> bool:
    """Whether a site schedules loads before dispatch on its PV, wind and import limit (smart charging, flexible
    batches: :func:`charging_site`), so that its profiles depend on those sizes.

    Parameters
    ----------
    scenario : Scenario
        The factory.

    Returns
    -------
    bool
    """
    return bool(scenario.flexible_loads) or (bool(scenario.vehicles) and scenario.charging.strategy == "smart")


def charging_site(scenario: Scenario, unit_kw: np.ndarray, load_kw: np.ndarray, hours: HourProfiles) -> ChargingSite:
    """What a schedule made before dispatch (smart charging, flexible loads) knows of a site: its load without what
    it schedules less its generation at the scenario's sizes, its demand target, its tariff periods and import prices,
    by step, and what its renewable surplus earns otherwise (the feed-in price where it may export).

    The target is the connection's ``import_limit_kw``, or the battery's ``peak_target_kw`` of the month where that
    is lower (the import the battery holds the site to). Profiles built once for many sizes keep the schedule of
    the sizes they were built with: a sweep builds them again for each PV, wind and import-limit value of such a
    site (:data:`lingtan.twin.studies.sweep.SCHEDULE_FIELDS`).

    Parameters
    ----------
    scenario : Scenario
        Its PV and wind sizes, grid connection and battery.
    unit_kw : ndarray, shape (K, T)
        Unit profiles of the PV arrays and wind farms [kW per kWp or per turbine] (:func:`renewable_units`).
    load_kw : ndarray, shape (T,)
        Electric load without what is scheduled [kW].
    hours : HourProfiles
        Tariff periods and months of the steps.

    Returns
    -------
    lingtan.components.vehicles.ChargingSite
        Net load [kW], target [kW], period code and import price [CNY/kWh] of each step; the surplus's value
        [CNY/kWh].
    """
    target = np.full(len(load_kw), scenario.grid.import_limit_kw)
    b = scenario.battery[0] if scenario.battery else None
    if b is not None and b.peak_target_monthly_kw is not None:
        target = np.minimum(target, np.array(b.peak_target_monthly_kw)[hours.month])
    generation = sizes(scenario) @ unit_kw if len(unit_kw) else np.zeros(len(load_kw))
    return ChargingSite(
        net_kw=load_kw - generation,
        target_kw=target,
        period=hours.period,
        price_cny_per_kwh=hours.price_cny_per_kwh,
        surplus_cny_per_kwh=hours.tariff.feed_in_price_cny_per_kwh if scenario.grid.export_allowed else 0.0,
    )


def v2b_e_kwh(prof: Profiles) -> float:
    """What a site's vehicles gave its load over the year (vehicle-to-building), outside the kernel's load [kWh].

    Parameters
    ----------
    prof : Profiles
        The site's profiles.

    Returns
    -------
    float
        ``sum(v2b_kw) x step_h`` [kWh]; 0 without vehicles that give.
    """
    fleet = prof.vehicles
    return 0.0 if fleet is None or fleet.v2b_kw is None else float(fleet.v2b_kw.sum() * prof.step_h)


def fleet_hydrogen(scenario: Scenario, setup: HeatSetup, hourly_heat: pd.DataFrame) -> dict | None:
    """The hydrogen vehicles' year (:func:`lingtan.components.vehicles.hydrogen_trips`): their hydrogen against what
    the store could not give its uses.

    Parameters
    ----------
    scenario : Scenario
        Its vehicles and hydrogen uses.
    setup : HeatSetup
        The run's heat side (its hydrogen store).
    hourly_heat : DataFrame
        The run's heat table (the store's ``unmet_kg``).

    Returns
    -------
    dict or None
        None without hydrogen vehicles.
    """
    mine = fleet_hydrogen_uses(scenario.vehicles)
    if not mine:
        return None
    index = hourly_heat.index
    total = sum((hydrogen_use_kg(index, u) for u in hydrogen_uses(scenario)), np.zeros(len(index)))
    unmet = hourly_heat[f"{setup.h2_stores[0].name}.unmet_kg"].to_numpy()
    want = np.array([hydrogen_use_kg(index, u) for u in mine])
    return hydrogen_trips(scenario.vehicles, want, total, unmet, np.asarray(index.hour))


def require_hourly(scenario: Scenario, what: str) -> None:
    """Refuse a scenario whose ``time_step_min`` is not 60 for a use that is carried hourly only.

    Parameters
    ----------
    scenario : Scenario
        The factory.
    what : str
        The use, for the message.

    Raises
    ------
    InputError
        ``time_step_min`` other than 60.
    """
    if scenario.time_step_min != 60:
        raise InputError(
            None, "time_step_min", f"60 for {what}; 15 minutes is carried by a single run", scenario.time_step_min
        )


def renewable_units(pv, wind, frame: pd.DataFrame, site) -> tuple[list, list, list]:
    """Unit profiles of PV arrays [kW per kWp] then wind farms [kW per turbine], their ``(kind, name)``
    and their sizes [kWp, turbines], in that order.

    A unit profile does not depend on the asset's name or size, so each is kept for the process by
    weather content, site and the asset's other parameters (:data:`_UNIT_PROFILES`): the tenants of a
    park, the years of a plan and a dashboard's re-runs compute an array or a farm once. The rows are
    read-only views of the kept arrays.

    Parameters
    ----------
    pv : list of PVArray
        The PV arrays.
    wind : list of WindFarm
        The wind farms.
    frame : DataFrame
        Hourly weather (:mod:`lingtan.weather`).
    site : Site
        Latitude, longitude [deg] and altitude [m].

    Returns
    -------
    tuple of list
        Unit profiles (read-only arrays of the hours) [kW per kWp or per turbine], ``(kind, name)`` pairs and
        sizes [kWp or turbines].
    """
    from lingtan.components.pv import pv_ac_kw_per_kwp
    from lingtan.components.wind import wind_kw_per_turbine

    weather_key = _frame_digest(frame)
    site_key = (site.latitude, site.longitude, site.altitude_m)
    rows = [
        _unit_profile(
            ("pv", weather_key, site_key, a.model_dump_json(exclude={"name", "capacity_kwp"})),
            pv_ac_kw_per_kwp,
            frame,
            *site_key,
            a,
        )
        for a in pv
    ] + [
        _unit_profile(
            ("wind", weather_key, site_key, f.model_dump_json(exclude={"name", "count"})),
            wind_kw_per_turbine,
            frame,
            site.altitude_m,
            f,
        )
        for f in wind
    ]
    sources = [("pv", a.name) for a in pv] + [("wind", f.name) for f in wind]
    return rows, sources, [a.capacity_kwp for a in pv] + [float(f.count) for f in wind]


_UNIT_PROFILES: dict[tuple, np.ndarray] = {}
"""Unit profiles computed in this process [kW per kWp or per turbine], by (kind, weather digest, site,
parameters without name and size)."""


def _unit_profile(key: tuple, model, *args) -> np.ndarray:
    """``model(*args)`` as a read-only array, computed once per ``key``."""
    row = _UNIT_PROFILES.get(key)
    if row is None:
        row = np.array(model(*args), dtype=float)
        row.flags.writeable = False
        if len(_UNIT_PROFILES) >= 64:
            _UNIT_PROFILES.pop(next(iter(_UNIT_PROFILES)))
        _UNIT_PROFILES[key] = row
    return row


def _frame_digest(frame: pd.DataFrame) -> str:
    """A digest of a weather frame's instants, wall-clock times, column names and values."""
    h = hashlib.sha1(frame.index.asi8.tobytes())
    h.update(frame.index.tz_localize(None).asi8.tobytes())
    h.update("\0".join(map(str, frame.columns)).encode())
    h.update(np.ascontiguousarray(frame.to_numpy(dtype=float)).tobytes())
    return h.hexdigest()


def generation_by_kind(sources, caps, unit, kinds, n_hours: int) -> dict[str, np.ndarray]:
    """Hourly generation of each kind of source (``pv``, ``wind``, ...) summed over its assets [kW];
    zeros for a kind the site does not have.

    Parameters
    ----------
    sources : list of (str, str)
        ``(kind, name)`` of each source.
    caps : array_like
        Size of each source [kWp, turbines].
    unit : sequence of ndarray
        Unit profile of each source [kW per kWp or per turbine].
    kinds : iterable of str
        The kinds to report.
    n_hours : int
        Hours of the run.

    Returns
    -------
    dict of str to ndarray
        Generation [kW] by kind, shape (n_hours,).
    """
    return {
        kind: sum((c * row for (k, _), c, row in zip(sources, caps, unit, strict=True) if k == kind), np.zeros(n_hours))
        for kind in kinds
    }


def sizes(scenario: Scenario) -> np.ndarray:
    """Size of every renewable source, in the order of :attr:`Profiles.sources` [kWp, turbines].

    Parameters
    ----------
    scenario : Scenario
        The factory.

    Returns
    -------
    ndarray
        Sizes [kWp for PV, turbines for wind].
    """
    return np.array([a.capacity_kwp for a in scenario.pv] + [f.count for f in scenario.wind], dtype=float)


def kernel_params(grid, batteries, n: int = 1, **overrides) -> np.ndarray:
    """The kernel's parameter matrix for a grid connection and its battery list (empty or one),
    with optional per-configuration overrides.

    Parameters
    ----------
    grid : GridConnection
        Import and export limits [kW].
    batteries : list of Battery
        No battery or one.
    n : int
        Number of configurations (rows).
    **overrides
        Columns of :func:`lingtan.twin.core.dispatch.params_matrix` to set, scalars or arrays of length ``n``.

    Returns
    -------
    ndarray, shape (n, len(PARAMS))
        The parameter matrix; the monthly peak limits are the battery's ``peak_target_kw`` (inf without one).

    Raises
    ------
    InputError
        A ``peak_shaving`` battery without ``peak_target_kw`` and no ``peak_limit_kw`` override: only a single
        run (:func:`simulate_profiles`) finds the lowest target.
    """
    g = grid
    cols = dict(
        import_limit_kw=g.import_limit_kw,
        export_limit_kw=g.export_limit_kw if g.export_allowed else 0.0,
        load_scale=1.0,
    )
    if batteries:
        b = batteries[0]
        cols.update(
            energy_kwh=b.energy_kwh,
            charge_kw=b.charge_kw,
            discharge_kw=b.discharge_kw,
            charge_efficiency=b.charge_efficiency,
            discharge_efficiency=b.discharge_efficiency,
            soc_min=b.soc_min,
            soc_max=b.soc_max,
            self_discharge_fraction_per_hour=b.self_discharge_fraction_per_hour,
            soc_initial=b.soc_initial_value,
        )
        if b.dispatch == "optimal" and "strategy" not in overrides:
            raise InputError(
                None,
                "battery[0].dispatch",
                f"a rule for a study of many runs ({', '.join(STRATEGIES)}); optimal is one run's linear programme",
                "optimal",
            )
        cols["strategy"] = STRATEGIES.index(b.dispatch) if b.dispatch in STRATEGIES else 0
        if b.peak_target_kw is not None:
            cols["peak_limit_kw"] = np.array(b.peak_target_monthly_kw)
        elif b.dispatch == "peak_shaving" and "peak_limit_kw" not in overrides:
            raise InputError(
                None,
                "battery[0].peak_target_kw",
                "a target [kW] for peak_shaving in a study of many runs (a single run finds the lowest)",
                "none",
            )
    else:
        cols.update(
            energy_kwh=0.0,
            charge_kw=0.0,
            discharge_kw=0.0,
            charge_efficiency=1.0,
            discharge_efficiency=1.0,
            soc_min=0.0,
            soc_max=1.0,
            self_discharge_fraction_per_hour=0.0,
            soc_initial=0.0,
            strategy=0,
        )
    cols.update(overrides)
    return params_matrix(n, **cols)


def period_masks(batteries) -> tuple[np.ndarray, np.ndarray]:
    """Which TOU period codes allow grid charging and discharging (tou_arbitrage), for a battery list.

    Parameters
    ----------
    batteries : list of Battery
        No battery or one.

    Returns
    -------
    tuple of ndarray of bool, shape (4,)
        Grid charging allowed and discharging allowed, by period code (valley, flat, peak, critical).
    """
    from lingtan.components.battery import PERIODS

    if not batteries:
        return np.zeros(4, bool), np.zeros(4, bool)
    b = batteries[0]
    return (
        np.array([p in b.grid_charge_periods for p in PERIODS]),
        np.array([p in b.discharge_periods for p in PERIODS]),
    )


def kernel_site(batteries, prof: Profiles, hsizes: HeatSizes) -> dict:
    """The keyword arguments of :func:`lingtan.twin.core.dispatch.dispatch` that a site's profiles and its
    battery list fix: codes and prices per step, the step's length, feed-in price, TOU charge and discharge
    periods, heat side, heat sizes and the balance tolerance. Single runs, sweeps and uncertainty ensembles
    dispatch through it.

    Parameters
    ----------
    batteries : list of Battery
        No battery or one.
    prof : Profiles
        The site's size-independent profiles (:func:`build_profiles`).
    hsizes : HeatSizes
        Heat asset sizes of every configuration.

    Returns
    -------
    dict
        Keyword arguments for ``dispatch``.
    """
    grid_charge, discharge_ok = period_masks(batteries)
    return dict(
        period=prof.period,
        month=prof.month,
        price_cny_per_kwh=prof.price_cny_per_kwh,
        feed_in_cny_per_kwh=prof.tariff.feed_in_price_cny_per_kwh,
        grid_charge_periods=grid_charge,
        discharge_periods=discharge_ok,
        heat=prof.heat.system,
        heat_sizes=hsizes,
        balance_tol_kwh=BALANCE_TOL_KWH,
        step_h=prof.step_h,
    )


@dataclass(frozen=True)
class RunResult:
    """A simulated year: hourly flows, annual KPIs and what produced them."""

    scenario: Scenario
    hourly: pd.DataFrame
    hourly_heat: pd.DataFrame
    kpis: dict
    accounting: AccountingResult | None  # None when not assessed (a park's tenant)
    verdicts: list
    packs: list
    weather_meta: dict
    flexible_kw: dict = field(default_factory=dict)  # each flexible batch's scheduled year [kW] by name


def _import_kw(res: DispatchResult) -> np.ndarray:
    """(T,) a single run's grid import [kW]: to the load and to the battery."""
    return res.hourly[:, FLOWS.index("grid_to_load")] + res.hourly[:, FLOWS.index("grid_to_battery")]


def simulate(scenario: Scenario, base_dir: str | Path = ".", optimal=None) -> RunResult:
    """Simulate one year of a scenario.

    Parameters
    ----------
    scenario : Scenario
    base_dir : path
        Folder that relative paths in the scenario (weather, load CSVs, tariff, emission factor) start from:
        the scenario file's folder (:func:`lingtan.paths.resolve_input`).
    optimal : callable, optional
        The ``dispatch: optimal`` strategy (:func:`simulate_profiles`).

    Returns
    -------
    RunResult
    """
    return simulate_profiles(scenario, build_profiles(scenario, Path(base_dir), any_step=True), optimal=optimal)


def simulate_profiles(scenario: Scenario, prof: Profiles, assessed: bool = True, optimal=None) -> RunResult:
    """Simulate one year of a scenario from its size-independent profiles.

    With ``assessed=False`` the accounting and criteria are left out (a park assesses
    its tenants after allocating the shared energy to them).

    Parameters
    ----------
    scenario : Scenario
        The factory.
    prof : Profiles
        Its profiles (:func:`build_profiles`).
    assessed : bool
        Whether accounting and criteria are computed.
    optimal : callable, optional
        ``optimal(scenario, prof, params, site) -> DispatchResult``: the ``dispatch: optimal`` strategy, a linear
        programme that lives in the studies room (:func:`lingtan.twin.studies.lp.solve.optimal_dispatch`), which
        this room may not import; :func:`lingtan.twin.studies.park.simulate_site` passes it. Its result goes
        through the same tables, balance checks, KPIs and accounting as the kernel's.

    Returns
    -------
    RunResult
        Hourly tables, KPIs and, when assessed, accounting and verdicts.

    Raises
    ------
    InputError
        A battery with ``dispatch: optimal`` and no ``optimal`` strategy given.
    """
    caps = sizes(scenario)
    hsizes = heat_sizes(scenario)
    # The kernel's sizes (ground loops, CHP units and their absorption chillers, electrolysers, the hydrogen store,
    # fuel cells, hydrogen boilers, cold stores and air receivers) are the case's: a sweep's case may have other ones
    # than the profiles were built with, and the tables, checks and KPIs read them from the setup.
    setup = replace(
        prof.heat,
        ground_loops=list(scenario.ground_loops),
        chp=list(scenario.chp),
        chp_absorbers=chp_absorbers(scenario),
        electrolysers=list(scenario.electrolysers),
        h2_stores=list(scenario.hydrogen_stores),
        fuel_cells=list(scenario.fuel_cells),
        h2_boilers=list(scenario.hydrogen_boilers),
        load_stores=[*scenario.cold_stores, *scenario.air_receivers],
    )
    site = kernel_site(scenario.battery, prof, hsizes)
    b = scenario.battery[0] if scenario.battery else None
    found = b is not None and b.dispatch == "peak_shaving" and b.peak_target_kw is None
    limits = {}
    if found:
        free = kernel_params(scenario.grid, scenario.battery, peak_limit_kw=np.inf)
        limits["peak_limit_kw"] = lowest_peak_targets(
            prof.unit_kw, caps[None, :], prof.load_kw, free, tol_kw=PEAK_TARGET_TOL_KW, **site
        )
    if b is not None and b.dispatch == "optimal":
        if optimal is None:
            raise InputError(
                None,
                "battery[0].dispatch",
                "a rule (load_following, tou_arbitrage, peak_shaving) here; optimal runs through "
                "lingtan.twin.studies.park.simulate_site (twin run)",
                "optimal",
            )
        params = kernel_params(scenario.grid, scenario.battery, strategy=0)  # the heat side's kernel run
        res = optimal(scenario, prof, params, site)
    else:
        params = kernel_params(scenario.grid, scenario.battery, **limits)
        res = dispatch(prof.unit_kw, caps[None, :], prof.load_kw, params, record_hourly=True, **site)
    base, events = None, {}
    if scenario.demand_response is not None:
        if b is not None and b.dispatch == "optimal":
            raise InputError(
                None,
                "demand_response",
                "no demand-response events with dispatch: optimal (a rule holds the cap)",
                "events",
            )
        # The same year again with each event hour's import capped below the baseline (the run above).
        event, prep = event_steps(prof.index, scenario.demand_response)
        base = res
        base_kw = _import_kw(base)[event_hours(event)]
        step, cap = event_caps(base_kw, base.monthly_peak_kw, event, prep, prof.month, scenario.demand_response)
        events = dict(event_step=step, event_prep=prep, event_import_cap_kw=cap)
        res = dispatch(prof.unit_kw, caps[None, :], prof.load_kw, params, record_hourly=True, **events, **site)
    fleet = prof.vehicles
    v2b_alone = None
    if fleet is not None and fleet.v2b_kw is not None:
        # The same year without vehicle-to-building, for the bill's change: the smart schedule's first pass alone
        # (the second only adds the giving and its recharge), dispatched alike (battery targets, event caps).
        alone = prof.load_kw + fleet.v2b_kw - fleet.v2b_recharge_kw
        v2b_alone = (
            optimal(scenario, replace(prof, load_kw=alone), params, site)
            if b is not None and b.dispatch == "optimal"
            else dispatch(prof.unit_kw, caps[None, :], alone, params, **events, **site)
        )
    gen = generation_by_kind(prof.sources, caps, prof.unit_kw, ("pv", "wind"), len(prof.index))
    step_min = round(prof.step_h * 60)
    hourly = electric_table(
        prof.index,
        prof.period,
        prof.price_cny_per_kwh,
        gen,
        res.hourly,
        step_min,
        chp=bool(setup.chp),
        h2=bool(setup.electrolysers),
        fc=bool(setup.fuel_cells),
        v2b_kw=None if fleet is None else fleet.v2b_kw,
    )
    hourly_heat = heat_table(prof.index, setup, res.heat_hourly, step_min)
    residual = max(check_electric_balance(hourly), check_heat_balance(hourly_heat, setup, hsizes.store_e0_kwh_th[0]))

    bill = gridmod.bill_from_totals(
        res.total("import_cost_cny"), res.monthly_peak_kw, res.total("export_revenue_cny"), prof.tariff
    )
    k = electric_kpis(
        res,
        pv_e_kwh=hourly.pv_kw.sum() * prof.step_h,
        wind_e_kwh=hourly.wind_kw.sum() * prof.step_h,
        energy_kwh=b.energy_kwh if b else 0.0,
        soc_min=b.soc_min if b else 0.0,
        soc_max=b.soc_max if b else 1.0,
        grid_cost_cny=bill["total_cny"],
        v2b_e_kwh=v2b_e_kwh(prof),
    )
    kpis = {name: float(v[0]) if np.ndim(v) else float(v) for name, v in k.items()}
    kpis["grid_bill_cny"] = {name: float(np.ravel(v)[0]) for name, v in bill.items()}
    kpis["grid_bill"] = gridmod.monthly_bill(*grid_exchange_kw(hourly), prof.index, prof.tariff, prof.step_h).to_dict()
    kpis["max_hourly_balance_residual_kwh"] = residual
    if base is not None:
        base_bill = gridmod.bill_from_totals(
            base.total("import_cost_cny"), base.monthly_peak_kw, base.total("export_revenue_cny"), prof.tariff
        )
        # The response's cost: the grid bill against the baseline year's (energy moved, the battery's losses).
        kpis["demand_response"] = response_kpis(
            base_kw,
            _import_kw(res)[event_hours(event)],
            scenario.demand_response,
            bill["total_cny"],
            base_bill["total_cny"],
        )
    if not prof.heat.empty:
        kpis["heat"] = heat_kpis(setup, hourly_heat, scenario)
    if prof.fuel_uses:
        kpis["fuel_uses"] = prof.fuel_uses
    if prof.flexible_kw:
        kpis["flexible_loads"] = flexible_kpis(prof.flexible_kw, prof.period)
    if setup.h2_stores:
        kpis["hydrogen"] = hydrogen_kpis(setup, hourly_heat)
    if setup.load_stores:
        kpis["load_stores"] = load_store_kpis(setup, hourly_heat, prof.period)
    if fleet is not None:
        kpis["vehicles"] = fleet_kpis(
            scenario.vehicles,
            scenario.chargers,
            scenario.charging,
            fleet,
            prof.step_h,
            load_fuels(),
            fleet_hydrogen(scenario, setup, hourly_heat),
        )
    if v2b_alone is not None:
        alone_bill = gridmod.bill_from_totals(
            v2b_alone.total("import_cost_cny"),
            v2b_alone.monthly_peak_kw,
            v2b_alone.total("export_revenue_cny"),
            prof.tariff,
        )
        # The bill with the vehicles giving less the bill without (negative: a saving), and net of their ageing.
        change = float(np.ravel(bill["total_cny"])[0] - np.ravel(alone_bill["total_cny"])[0])
        kpis["vehicles"]["v2b"]["bill_change_cny"] = change
        kpis["vehicles"]["v2b"]["net_saving_cny"] = -change - kpis["vehicles"]["v2b"]["ageing_cny"]
    assessment = (
        assess(scenario, kpis, hourly, base_dir=prof.base_dir)
        if assessed
        else Assessment(accounting=None, verdicts=[], packs=[])
    )
    kpis["by_source_e_kwh"] = {
        f"{kind}.{name}": float(c * row.sum() * prof.step_h)
        for (kind, name), c, row in zip(prof.sources, caps, prof.unit_kw, strict=True)
    }
    ghi = prof.weather["ghi"].to_numpy()
    kpis["weather"] = dict(
        {k: v for k, v in prof.weather_meta.items() if isinstance(v, (str, int, float))},
        annual_ghi_kwh_m2=float(ghi.sum() * prof.step_h / 1000.0),
    )
    warnings = storage_warnings(kpis) + (
        kpis["heat"]["warnings"] if "heat" in kpis else heat_rejection_warnings(prof.heat)
    )
    if (
        kpis["unserved_load_e_kwh"] > BALANCE_TOL_KWH
    ):  # not the float noise of a load filled to the limit (smart charging)
        warnings.append(
            f"{kpis['unserved_load_e_kwh']:.0f} kWh of load could not be served within "
            f"grid.import_limit_kw = {scenario.grid.import_limit_kw}"
        )
    if fleet is not None and fleet.unmet_trips:
        by_type = ", ".join(f"{t} {r['unmet_trips']}" for t, r in fleet.by_type.items() if r["unmet_trips"])
        warnings.append(
            f"the chargers could not deliver {fleet.unmet_e_kwh:.0f} kWh of the fleet's charging: "
            f"{fleet.unmet_trips} of {fleet.trips} vehicle-days leave short ({by_type}; more or faster "
            "chargers, or longer stays)"
        )
    if fleet is not None and fleet.past_target_e_kwh:
        warnings.append(
            f"smart charging could not keep {fleet.past_target_e_kwh:.0f} kWh of the fleet's charging under the "
            "demand target (grid.import_limit_kw, battery[0].peak_target_kw): charged as unmanaged"
        )
    h2_fleet = kpis.get("vehicles", {}).get("hydrogen")
    if h2_fleet is not None and h2_fleet["unmet_trips"]:
        warnings.append(
            f"the hydrogen store could not refuel the hydrogen vehicles with {h2_fleet['unmet_kg']:.0f} kg: "
            f"{h2_fleet['unmet_trips']} of {h2_fleet['trips']} vehicle-days leave short (more electrolyser, store "
            "or renewable surplus)"
        )
    unmet_h2 = kpis.get("hydrogen", {}).get("unmet_kg", 0.0) - (h2_fleet or {}).get("unmet_kg", 0.0)
    if unmet_h2 > 1e-6:  # what the other uses missed (the vehicles' share is warned above)
        warnings.append(
            f"the hydrogen store could not give its {'other ' if h2_fleet else ''}uses {unmet_h2:.0f} kg of hydrogen "
            "(bought in or not used: more electrolyser, store or renewable surplus)"
        )
    short = [e for e in kpis.get("demand_response", {}).get("events", []) if not e["met"]]
    if short:
        warnings.append(
            f"{len(short)} demand-response event(s) not met in full, from {short[0]['start']}: "
            f"{sum(e['shortfall_e_kwh'] for e in short):.0f} kWh short of the reduction (a larger or fuller battery, "
            "flexible loads moved out of the event)"
        )
    if b is not None and b.dispatch != "load_following" and (found or b.peak_target_kw is not None):
        target = params[0, [PARAMS.index(c) for c in PEAK_LIMITS]]
        short = peak_shortfall_kw(res, params)[0]
        kpis["peak_target"] = {
            "target_kw": [None if np.isinf(v) else float(v) for v in target],  # inf: a month without hours
            "found": found,
            "tolerance_kw": PEAK_TARGET_TOL_KW if found else None,
            "shortfall_kw": [float(v) for v in short],
        }
        if short.any():
            months = ", ".join(f"{m + 1} ({v:.0f} kW)" for m, v in enumerate(short) if v > 0)
            warnings.append(f"the battery could not hold battery[0].peak_target_kw in months {months}")
    if warnings:
        kpis["warnings"] = warnings
    return RunResult(
        scenario=scenario,
        hourly=hourly,
        hourly_heat=hourly_heat,
        kpis=kpis,
        accounting=assessment.accounting,
        verdicts=assessment.verdicts,
        packs=assessment.packs,
        weather_meta=prof.weather_meta,
        flexible_kw=prof.flexible_kw,
    )


__all__ = ["simulate", "simulate_profiles", "build_profiles", "require_hourly", "RunResult", "Profiles"]
