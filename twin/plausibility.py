"""Plausibility warnings: inputs that validate but that a person would question before trusting a result.

Nothing here refuses input: ``twin check`` and ``twin run`` print each finding as a ``warning:`` line
naming the field path, what looks wrong and why. The checks and their bounds:

* **Time zone against longitude**: the site's UTC offset in January differs from longitude / 15 by
  more than :data:`TZ_MAX_OFFSET_H` (a Hefei site with ``timezone: Europe/Berlin``). Western China
  keeps Beijing time, so a site in Xinjiang may see this warning rightly ignored.
* **City against coordinates**: a shipped synthetic city more than :data:`CITY_MAX_DISTANCE_KM`
  from the site (great circle, the city's CSWD station coordinates in ``lingtan.weather/data/climatology.csv``).
* **Load against the grid connection**: the peak of the declared loads above everything that can
  serve it (grid import limit + PV kWp + wind nominal power + battery discharge power), which leaves
  load unserved or means a wrong unit; and a load whose mean power lies outside
  :data:`LOAD_MEAN_BAND_KW` for its declared unit (values in W read as kW, or kW read as MW).
* **Emission factor**: a constant or the mean of an hourly profile outside the published range of
  Chinese grid factors, the lowest and highest factor of ``components/data/emission_factors.csv``
  (MEE & NBS announcements of the 2021-2023 factors, each row with its source).
* **Weather extremes**: annual GHI outside :data:`GHI_BAND_KWH_M2`, hourly air temperature outside
  :data:`TEMP_BAND_C`, annual mean wind speed above :data:`WIND_MEAN_MAX_M_S`.
* **Weather timing** (a weather file): light while the sun is below the horizon all hour, or a mean daily
  irradiance curve that fits the clear-sky curve clearly better moved by whole hours
  (:func:`lingtan.weather.timing_check`, thresholds and their reasons there); the finding suggests the
  ``weather.time_shift_h`` that corrects it.
* **Weather year against the long term**: the year's annual GHI (after ``weather.scale``) more than
  :data:`REFERENCE_MAX_DEVIATION` from the long-term annual GHI of its city from a second published source
  (``lingtan.weather.longterm_ghi``); the city is the synthetic year's, or for a file the shipped city
  within :data:`REFERENCE_CITY_MAX_KM` of the site.
* **Unserved load** (after a run): more than :data:`UNSERVED_MAX_SHARE` of the load unserved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from lingtan.components.grid import HourlyEmissionFactorProfile
    from lingtan.twin.core.scenario import Scenario
    from lingtan.twin.core.schema.park import Park, SharedAssets
    from lingtan.twin.core.schema.site import Site, SiteAssets, Weather
    from lingtan.twin.run import RunResult
    from lingtan.twin.studies.park import ParkResult

TZ_MAX_OFFSET_H = 2.0
"""Largest plausible gap between a site's January UTC offset and its solar offset longitude / 15 [h]."""

CITY_MAX_DISTANCE_KM = 300.0
"""Largest plausible distance from a site to the shipped city whose climate it uses [km]."""

EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius [km] (IUGG), for great-circle distances."""

GHI_BAND_KWH_M2 = (500.0, 2800.0)
"""Plausible annual global horizontal irradiation [kWh/m2]. The upper bound lies just above the highest
measured on Earth, about 2 700 kWh/m2 (308 W/m2 mean) on the Atacama plateau (Rondanelli, Molina and
Falvey 2015, Bull. Amer. Meteor. Soc. 96(3), 405-418); the lower one below polar sites (about 600).
China's CSWD stations shipped here read 1 085 (Changsha) to 1 687 (Jiuquan), see ``weather/data``."""

TEMP_BAND_C = (-50.0, 55.0)
"""Plausible hourly air temperature [C]; China's records are -52.3 C (Mohe, 1969) and about 50 C (Turpan),
so a value outside this band is nearly always a unit or column error (K, F, or another quantity)."""

WIND_MEAN_MAX_M_S = 15.0
"""Highest plausible annual mean wind speed at the weather's measurement height [m/s]; the best
onshore wind sites average about 8-10 m/s at hub height."""

LOAD_MEAN_BAND_KW = (10.0, 2.0e6)
"""Plausible mean power of one declared load of a factory or a park tenant [kW]: 10 kW (88 MWh a year,
a workshop) to 2 GW (17.5 TWh a year, above the largest aluminium smelters). A profile outside it is
almost always in the wrong unit: W read as kW (x 1000) or kW read as MW (/ 1000)."""

REFERENCE_MAX_DEVIATION = 0.05
"""Largest relative difference between a weather year's annual GHI and its city's long-term reference [-]:
about the interannual standard deviation of annual GHI at a site (3-5 %), so a larger gap says the year, or
the source, is not the long-term mean a yield estimate assumes."""

REFERENCE_CITY_MAX_KM = 50.0
"""Farthest a weather file's site may lie from a shipped city to be compared with its reference [km]."""

UNSERVED_MAX_SHARE = 0.001
"""Share of the load that may go unserved before a run is infeasible (0.1 %) [-]."""


@dataclass(frozen=True)
class Finding:
    """One implausible input: the field path in the scenario and what looks wrong."""

    field: str
    text: str

    def __str__(self) -> str:
        return f"{self.field}: {self.text}"


def _join(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix else field


def timezone_findings(site: Site, year: int, prefix: str = "") -> list[Finding]:
    """The site's January UTC offset against its longitude / 15 [h].

    Parameters
    ----------
    site : lingtan.twin.core.scenario.Site
        The site: ``timezone`` (IANA name) and ``longitude`` [deg east].
    year : int
        The simulated year; the offset is read on 15 January at noon (no daylight saving).
    prefix : str
        Field path of the site's owner (``tenants[2]``), empty for a factory.

    Returns
    -------
    list of Finding
        One finding on ``site.timezone`` when the gap exceeds :data:`TZ_MAX_OFFSET_H`, else empty.
    """
    offset = ZoneInfo(site.timezone).utcoffset(datetime(year, 1, 15, 12))
    assert offset is not None  # a ZoneInfo always has an offset
    offset_h = offset.total_seconds() / 3600.0
    solar_h = site.longitude / 15.0
    gap_h = abs(offset_h - solar_h)
    if gap_h <= TZ_MAX_OFFSET_H:
        return []
    return [
        Finding(
            _join(prefix, "site.timezone"),
            f"{site.timezone} is UTC{offset_h:+g} h in January, {gap_h:.1f} h from the site's longitude "
            f"{site.longitude:g} deg (UTC{solar_h:+.1f} h by the sun; more than {TZ_MAX_OFFSET_H:g} h): "
            f"is the time zone or the longitude wrong?",
        )
    ]


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two points on a sphere of radius :data:`EARTH_RADIUS_KM`.

    Parameters
    ----------
    lat1, lon1 : float
        Latitude and longitude of the first point [deg].
    lat2, lon2 : float
        Latitude and longitude of the second point [deg].

    Returns
    -------
    float
        Distance [km].
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def city_findings(weather_spec: Weather, site: Site, prefix: str = "") -> list[Finding]:
    """A shipped synthetic city far from the site's coordinates.

    Parameters
    ----------
    weather_spec : lingtan.twin.core.scenario.SyntheticWeather or lingtan.twin.core.scenario.FileWeather
        The scenario's ``weather``; only a synthetic city is checked.
    site : lingtan.twin.core.scenario.Site
        The site's ``latitude`` and ``longitude`` [deg].
    prefix : str
        Field path of the weather's owner, empty for a factory.

    Returns
    -------
    list of Finding
        One finding on ``weather.city`` when the city's station is more than :data:`CITY_MAX_DISTANCE_KM`
        away, else empty (also for an unknown city, which its reader reports).
    """
    from lingtan.weather import cities, city_climate

    city = getattr(weather_spec, "city", None)
    if city is None or city.strip().lower() not in cities():  # an unknown city is a problem, reported by its reader
        return []
    climate = city_climate(city)
    km = great_circle_km(site.latitude, site.longitude, climate.latitude, climate.longitude)
    if km <= CITY_MAX_DISTANCE_KM:
        return []
    return [
        Finding(
            _join(prefix, "weather.city"),
            f"{city!r} (station at {climate.latitude:g} N, {climate.longitude:g} E) is {km:.0f} km from the "
            f"site at {site.latitude:g} N, {site.longitude:g} E (more than {CITY_MAX_DISTANCE_KM:g} km): "
            f"are the coordinates or the city wrong?",
        )
    ]


def _annual_ghi_kwh_m2(frame: pd.DataFrame) -> float:
    """A weather year's irradiation [kWh/m2]: the steps' mean GHI [W/m2] times their length, hourly or 15-minute."""
    from lingtan.twin.run import step_minutes

    return float(frame["ghi"].sum()) * step_minutes(frame.index) / 60.0 / 1000.0


def weather_findings(frame: pd.DataFrame, prefix: str = "") -> list[Finding]:
    """Annual GHI, hourly temperature and annual mean wind of a weather year against their plausible bands.

    Parameters
    ----------
    frame : DataFrame
        The weather year, hourly, pvlib columns ``ghi`` [W/m2], ``temp_air`` [C] and ``wind_speed`` [m/s].
    prefix : str
        Field path of the weather's owner, empty for a factory.

    Returns
    -------
    list of Finding
        On ``weather``, one for each of :data:`GHI_BAND_KWH_M2`, :data:`TEMP_BAND_C` and
        :data:`WIND_MEAN_MAX_M_S` that the year breaks.
    """
    out = []
    field = _join(prefix, "weather")
    ghi_kwh_m2 = _annual_ghi_kwh_m2(frame)
    lo, hi = GHI_BAND_KWH_M2
    if not lo <= ghi_kwh_m2 <= hi:
        out.append(
            Finding(
                field,
                f"annual GHI {ghi_kwh_m2:.0f} kWh/m2 is outside the plausible {lo:g}..{hi:g} kWh/m2 "
                f"(is the irradiance in W/m2, hourly means?)",
            )
        )
    t = frame["temp_air"].to_numpy(dtype=float)
    lo, hi = TEMP_BAND_C
    bad = np.flatnonzero((t < lo) | (t > hi))
    if bad.size:
        out.append(
            Finding(
                field,
                f"air temperature {t[bad[0]]:g} C at {frame.index[bad[0]]} ({bad.size} hours) is "
                f"outside the plausible {lo:g}..{hi:g} C (is it in K or F?)",
            )
        )
    wind_m_s = float(frame["wind_speed"].mean())
    if wind_m_s > WIND_MEAN_MAX_M_S:
        out.append(
            Finding(
                field,
                f"annual mean wind speed {wind_m_s:.1f} m/s is above the plausible "
                f"{WIND_MEAN_MAX_M_S:g} m/s (is it in km/h or knots?)",
            )
        )
    return out


def timing_findings(weather_spec: Weather, site: Site, frame: pd.DataFrame, prefix: str = "") -> list[Finding]:
    """A weather file whose clock looks shifted: light with the sun down, or a daily curve off by whole hours.

    The sun is placed at the site's coordinates, where the run puts it (not the file's own station).

    Parameters
    ----------
    weather_spec : lingtan.twin.core.scenario.SyntheticWeather or lingtan.twin.core.scenario.FileWeather
        The scenario's ``weather``; only a file is checked (a synthetic year is built on the sun's hours).
    site : lingtan.twin.core.scenario.Site
        The site's ``latitude``, ``longitude`` [deg] and ``altitude_m`` [m].
    frame : DataFrame
        The weather year as a run reads it (after ``weather.time_shift_h``), column ``ghi`` [W/m2].
    prefix : str
        Field path of the weather's owner, empty for a factory.

    Returns
    -------
    list of Finding
        One finding on ``weather.path`` naming the file, the hours and the suspected shift when
        :attr:`lingtan.weather.TimingFinding.flagged`, else empty.
    """
    from lingtan.weather import timing_check

    path = getattr(weather_spec, "path", None)
    if path is None:
        return []
    found = timing_check(frame, site.latitude, site.longitude, site.altitude_m)
    if not found.flagged:
        return []
    applied_h = weather_spec.time_shift_h
    moved = f" (after weather.time_shift_h: {applied_h})" if applied_h else ""
    return [Finding(_join(prefix, "weather.path"), f"{path}{moved}: {found.describe(applied_h)}")]


def reference_findings(weather_spec: Weather, site: Site, frame: pd.DataFrame, prefix: str = "") -> list[Finding]:
    """A weather year whose annual GHI differs from its city's long-term reference.

    Parameters
    ----------
    weather_spec : lingtan.twin.core.scenario.SyntheticWeather or lingtan.twin.core.scenario.FileWeather
        The scenario's ``weather``: a synthetic city is compared with its own reference, a file with the
        reference of the shipped city nearest the site, when within :data:`REFERENCE_CITY_MAX_KM`.
    site : lingtan.twin.core.scenario.Site
        The site's ``latitude`` and ``longitude`` [deg].
    frame : DataFrame
        The weather year as a run reads it (after ``weather.scale``), column ``ghi`` [W/m2].
    prefix : str
        Field path of the weather's owner, empty for a factory.

    Returns
    -------
    list of Finding
        One finding on ``weather`` when the annual GHI differs by more than :data:`REFERENCE_MAX_DEVIATION`,
        else empty (also without a city or a reference value).
    """
    from lingtan.weather import cities, city_climate, longterm_ghi

    city = getattr(weather_spec, "city", None)
    if city is None and getattr(weather_spec, "path", None) is not None:
        near = [
            (great_circle_km(site.latitude, site.longitude, c.latitude, c.longitude), name)
            for name in cities()
            for c in [city_climate(name)]
        ]
        km, nearest = min(near)
        city = nearest if km <= REFERENCE_CITY_MAX_KM else None
    ref = longterm_ghi().get(city.strip().lower()) if city is not None else None
    if ref is None or ref.ghi_kwh_m2_yr is None:
        return []
    ghi_kwh_m2 = _annual_ghi_kwh_m2(frame)
    deviation = ghi_kwh_m2 / ref.ghi_kwh_m2_yr - 1.0
    if abs(deviation) <= REFERENCE_MAX_DEVIATION:
        return []
    return [
        Finding(
            _join(prefix, "weather"),
            f"annual GHI {ghi_kwh_m2:.0f} kWh/m2 is {deviation:+.1%} from the long-term {ref.ghi_kwh_m2_yr:.0f} "
            f"kWh/m2 of {ref.city} ({ref.source}, satellite-derived: station years such as CSWD's read 9-15 % "
            f"lower in 9 of the 10 shipped cities; more than {REFERENCE_MAX_DEVIATION:.0%}): is this year "
            f"representative? weather.scale.ghi_kwh_m2_yr sets the annual value of a site assessment",
        )
    ]


def published_ef_range() -> tuple[tuple[float, str], tuple[float, str]]:
    """Lowest and highest shipped grid emission factor with their names.

    Returns
    -------
    ((float, str), (float, str))
        The lowest and the highest factor [tCO2/MWh], each with its name in
        ``components/data/emission_factors.csv`` (MEE & NBS; each row names its source).
    """
    from lingtan.components.grid import load_emission_factors

    table = load_emission_factors()
    lo, hi = table["ef_t_per_mwh"].idxmin(), table["ef_t_per_mwh"].idxmax()
    return (
        (float(table.at[lo, "ef_t_per_mwh"]), str(table.at[lo, "name"])),
        (float(table.at[hi, "ef_t_per_mwh"]), str(table.at[hi, "name"])),
    )


def emission_factor_findings(
    spec: str | float | HourlyEmissionFactorProfile, ef_t_per_mwh: np.ndarray | None = None, prefix: str = ""
) -> list[Finding]:
    """A user's grid emission factor (a constant, or the mean of an hourly profile) outside the published range.

    Shipped names are the range, so they are never questioned.

    Parameters
    ----------
    spec : str, float or lingtan.components.grid.HourlyEmissionFactorProfile
        ``grid.emission_factor`` as validated: a shipped name, a CSV path, a constant [tCO2/MWh], or an hourly
        profile read from a CSV.
    ef_t_per_mwh : ndarray, optional
        The hourly profile read from the CSV [tCO2/MWh]; a CSV without it is not checked.
    prefix : str
        Field path of the grid's owner, empty for a factory.

    Returns
    -------
    list of Finding
        One finding on ``grid.emission_factor`` outside :func:`published_ef_range`, else empty.
    """
    if isinstance(spec, str) and not spec.lower().endswith(".csv"):
        return []
    if isinstance(spec, (int, float)):
        value, what = float(spec), f"{float(spec):g} tCO2/MWh"
    elif ef_t_per_mwh is not None:
        value = float(np.mean(ef_t_per_mwh))
        what = f"the hourly profile's mean {value:.4g} tCO2/MWh"
    else:
        return []
    (lo, lo_name), (hi, hi_name) = published_ef_range()
    if lo <= value <= hi:
        return []
    return [
        Finding(
            _join(prefix, "grid.emission_factor"),
            f"{what} is outside the published range of Chinese grid factors, {lo:g} ({lo_name}) to "
            f"{hi:g} ({hi_name}) tCO2/MWh (MEE & NBS; components/data/emission_factors.csv): is it in "
            f"another unit (g/kWh is 1000 x tCO2/MWh)?",
        )
    ]


def load_unit_findings(load: object, load_kw: np.ndarray, field: str) -> list[Finding]:
    """One declared load's mean power against :data:`LOAD_MEAN_BAND_KW` for its unit.

    Parameters
    ----------
    load : lingtan.components.loads load spec
        The declared load; its ``kind`` and ``unit`` (for a CSV) name the unit in the message.
    load_kw : ndarray
        Its hourly profile [kW].
    field : str
        Its field path, e.g. ``loads[0]``.

    Returns
    -------
    list of Finding
        One finding when the mean is non-zero and outside the band, else empty.
    """
    mean_kw = float(np.mean(load_kw))
    lo, hi = LOAD_MEAN_BAND_KW
    if mean_kw == 0 or lo <= mean_kw <= hi:
        return []
    unit = getattr(load, "unit", "kW")
    declared = f"declared in {unit}" if getattr(load, "kind", "") == "csv" else "from annual_e_kwh [kWh]"
    hint = (
        "values in W or kW written as a larger unit?" if mean_kw > hi else "values in MW or MWh written as kW or kWh?"
    )
    return [
        Finding(
            field,
            f"mean power {mean_kw:,.3g} kW ({mean_kw * len(load_kw) / 1e3:,.4g} MWh a year, "
            f"{declared}) is outside the plausible {lo:g} kW..{hi / 1e3:g} MW of one load: {hint}",
        )
    ]


def supply_capacity_kw(assets: SiteAssets | SharedAssets) -> float:
    """Nameplate that can serve a load besides the grid.

    Parameters
    ----------
    assets : lingtan.twin.core.scenario.SiteAssets or lingtan.twin.studies.park.SharedAssets
        A factory, a tenant or a park's shared assets: ``pv``, ``wind``, ``battery``.

    Returns
    -------
    float
        PV kWp + wind farms' nominal power + batteries' discharge power [kW].
    """
    return (
        sum(a.capacity_kwp for a in assets.pv)
        + sum(f.count * f.nominal_power_kw for f in assets.wind)
        + sum(b.discharge_kw for b in assets.battery)
    )


def capacity_findings(
    peak_kw: float, import_limit_kw: float, onsite_kw: float, field: str, where: str = "the grid import limit"
) -> list[Finding]:
    """The peak of the declared loads against everything that can serve it.

    Parameters
    ----------
    peak_kw : float
        Peak of the declared loads' summed profile [kW].
    import_limit_kw : float
        Grid import limit of the connection [kW].
    onsite_kw : float
        On-site supply capacity (:func:`supply_capacity_kw`) [kW].
    field : str
        Field path of the finding, e.g. ``grid.import_limit_kw``.
    where : str
        Name of the import limit in the message.

    Returns
    -------
    list of Finding
        One finding when the peak exceeds import limit + on-site supply, else empty.
    """
    supply = import_limit_kw + onsite_kw
    if peak_kw <= supply:
        return []
    return [
        Finding(
            field,
            f"the loads' peak {peak_kw / 1e3:,.4g} MW exceeds everything that can serve it, "
            f"{where} {import_limit_kw / 1e3:,.4g} MW + PV, wind and battery {onsite_kw / 1e3:,.4g} MW: "
            f"load will be unserved, or a load is in the wrong unit",
        )
    ]


def findings(
    scenario: Scenario | Park,
    weather: pd.DataFrame | None = None,
    load_kw: Mapping[str, np.ndarray] | None = None,
    ef_t_per_mwh: np.ndarray | None = None,
) -> list[Finding]:
    """Every plausibility finding of a validated factory or park.

    Parameters
    ----------
    scenario : lingtan.twin.core.scenario.Scenario or lingtan.twin.studies.park.Park
        The validated factory or park.
    weather : DataFrame, optional
        The weather year as a run reads it (pvlib columns); weather extremes are left out without it.
    load_kw : mapping of str to ndarray, optional
        Each declared load's hourly profile [kW] by field path (``loads[0]``, ``tenants[2].loads[0]``);
        load checks are left out without it.
    ef_t_per_mwh : ndarray, optional
        The hourly emission-factor profile [tCO2/MWh], when ``grid.emission_factor`` names a CSV.

    Returns
    -------
    list of Finding
        Site, city, weather, emission-factor, load-unit and capacity findings, in that order.
    """
    out = timezone_findings(scenario.site, scenario.year) + city_findings(scenario.weather, scenario.site)
    if weather is not None:
        out += weather_findings(weather) + timing_findings(scenario.weather, scenario.site, weather)
        out += reference_findings(scenario.weather, scenario.site, weather)
    out += emission_factor_findings(scenario.grid.emission_factor, ef_t_per_mwh)
    if load_kw is None:
        return out
    tenants = getattr(scenario, "tenants", None)
    sites: list[tuple[str, Any]] = (
        [("", scenario)] if tenants is None else [(f"tenants[{i}]", t) for i, t in enumerate(tenants)]
    )
    onsite_kw, complete = 0.0, True
    for prefix, assets in sites:
        fields = [_join(prefix, f"loads[{j}]") for j in range(len(assets.loads))]
        for field, load in zip(fields, assets.loads, strict=True):
            if field in load_kw:
                out += load_unit_findings(load, load_kw[field], field)
        onsite_kw += supply_capacity_kw(assets)
        complete &= all(f in load_kw for f in fields)
        if tenants is not None and fields and all(f in load_kw for f in fields):
            peak_kw = float(np.max(sum(load_kw[f] for f in fields)))
            out += capacity_findings(
                peak_kw,
                assets.connection.import_limit_kw,
                supply_capacity_kw(assets),
                _join(prefix, "connection.import_limit_kw"),
                "its connection's import limit",
            )
    if complete and load_kw:
        # Production lines and heat add to the declared loads: their peak alone is a lower bound.
        if tenants is not None:
            onsite_kw += supply_capacity_kw(cast("Park", scenario).shared)
        peak_kw = float(np.max(sum(load_kw.values())))
        out += capacity_findings(peak_kw, scenario.grid.import_limit_kw, onsite_kw, "grid.import_limit_kw")
    return out


def unserved(result: RunResult | ParkResult) -> tuple[float, float]:
    """Unserved electric energy and the electric load of a run, a factory's or a park's.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult or lingtan.twin.studies.park.ParkResult
        A finished run; a park's counts its tenants' own connections and the park's bus together.

    Returns
    -------
    (float, float)
        Unserved energy and the load it belongs to, power-to-heat on the bus included [kWh].
    """
    runs = [result] if not hasattr(result, "tenants") else list(result.tenants.values())
    # The kernel's load includes power-to-heat: load_e_kwh leaves it out, power_to_heat less its surplus
    # part is what the load drew.
    load = sum(
        r.kpis["load_e_kwh"] + r.kpis["power_to_heat_e_kwh"] - r.kpis["power_to_heat_from_surplus_e_kwh"] for r in runs
    )
    lost = sum(r.kpis["unserved_load_e_kwh"] for r in runs)
    if hasattr(result, "tenants"):
        lost += result.kpis["unserved_load_e_kwh"]
    return float(lost), float(load)


def unserved_finding(result: RunResult | ParkResult, label: str = "") -> Finding | None:
    """The warning for a run whose unserved energy exceeds :data:`UNSERVED_MAX_SHARE` of the load.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult or lingtan.twin.studies.park.ParkResult
        A finished run.
    label : str
        Starts the finding's field (``"year 2026: "`` for a year of a plan).

    Returns
    -------
    Finding or None
        The finding on ``unserved_load_e_kwh``, or None when the share is within the bound or there is no
        load.
    """
    lost, load = unserved(result)
    if load <= 0 or lost <= UNSERVED_MAX_SHARE * load:
        return None
    return Finding(
        f"{label}unserved_load_e_kwh",
        f"{lost / 1e3:,.1f} MWh ({lost / load * 100:.1f} %) of the load is "
        f"unserved; every simulated verdict is not assessable",
    )


__all__ = ["Finding", "findings", "unserved", "unserved_finding", "published_ef_range", "great_circle_km"]
