"""Weather-year ensembles: a factory or a park run on N weather years, and the odds of its verdicts.

The typical year (the scenario's own ``weather``) gives the headline result, exactly what a single run gives;
the members (``weather.ensemble``: synthetic years with the site's interannual spread, or one real file per
year) give the spread: every flat KPI's P10/P50/P90 and every simulated criterion's probability of passing
(convention: :data:`lingtan.twin.core.odds.CONVENTION`).

Each member is simulated exactly as a single run on that member's weather (profiles, dispatch, tables, KPIs,
accounting, verdicts), so a member's row equals a run of its weather year; a member whose load was not
served has "not assessable" verdicts and counts as not passing. A park's members leave out the network's
hourly power flow (nothing else depends on it): it runs on the typical year only.

Speed without other numbers: each worker makes its own synthetic members from their indices
(:func:`lingtan.weather.ensemble.synthetic_member`, the same years whatever the pool), the site's calendar
and sun are computed once (:func:`lingtan.weather.synthetic.year_geometry`), and the loads and tariff once
per worker (:func:`lingtan.twin.run.hour_profiles`).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lingtan.errors import InputError
from lingtan.paths import resolve_input
from lingtan.twin.core.odds import CONVENTION, odds, stats
from lingtan.twin.core.schema.park import Park
from lingtan.twin.core.schema.site import FileWeather

PARALLEL_MIN_MEMBERS = 8
"""Fewest members worth a process pool [-]: starting two workers and importing the engine in them costs
about a second, eight factory members about as much."""


@dataclass(frozen=True)
class EnsembleResult:
    """A scenario run on its typical year and on every member of its weather ensemble.

    Attributes
    ----------
    typical : RunResult or ParkResult
        The typical year's full result, exactly what a single run gives.
    members : pandas.DataFrame
        One row per member: ``member``, its weather (``weather.seed`` or ``weather.path``, annual GHI
        [kWh/m2]), every flat numeric KPI (dotted names as in ``kpis.json``, accounting under
        ``accounting.``) and, for each simulated criterion, ``<criterion_id>.value``, ``.margin``, ``.pass``
        and ``.status``.
    kpi_stats : dict
        KPI name to ``p10``, ``p50``, ``p90``, ``mean``, ``min``, ``max`` over the members, in the KPI's unit.
    criterion_odds : dict
        Criterion id to :func:`lingtan.twin.core.odds.odds` over the members (``p_pass`` counts a member with
        unserved load, whose verdict is "not assessable", as not passing).
    source : {"synthetic", "files"}
        Where the members' weather came from.
    drawn : tuple of str
        The quantities other than the weather each member drew (:mod:`lingtan.twin.studies.joint`), columns of
        ``members``; empty for a weather-only ensemble.
    """

    typical: Any
    members: pd.DataFrame
    kpi_stats: dict
    criterion_odds: dict
    source: str
    drawn: tuple[str, ...] = ()

    def kpis_entry(self) -> dict:
        """The ``ensemble`` entry of ``kpis.json``.

        Returns
        -------
        dict
            ``members``, ``source``, ``convention``, ``kpis`` (:attr:`kpi_stats`) and ``members_table``; with
            :attr:`drawn`, ``drawn``: each member's weather year and drawn values, one mapping per member.
        """
        entry = {
            "members": len(self.members),
            "source": self.source,
            "convention": CONVENTION,
            "kpis": self.kpi_stats,
            "members_table": "ensemble.parquet",
        }
        if self.drawn:
            which = [c for c in self.members.columns if c == "member" or c.startswith("weather.")]
            entry["drawn"] = self.members[[*which, *self.drawn]].to_dict("records")
        return entry


def member_weathers(
    scenario, base_dir: str | Path, years: int | None = None, file: str | Path | None = None
) -> tuple[list, str]:
    """The weather years of a scenario's ensemble.

    Parameters
    ----------
    scenario : Scenario or Park
        Its ``weather.ensemble`` names the members.
    base_dir : str or Path
        Folder of the scenario file (the members' paths are relative to it).
    years : int, optional
        Number of synthetic members instead of the scenario's own (``twin run --weather-years``).
    file : str or Path, optional
        The scenario file, named in errors.

    Returns
    -------
    members : list of (DataFrame, dict)
        Each member's hourly weather (pvlib column names) and where it came from.
    source : {"synthetic", "files"}
        Kind of the members.

    Raises
    ------
    InputError
        When the scenario has no ensemble, or asks synthetic years of file weather.
    """
    from lingtan.twin.run import load_weather

    spec = scenario.weather
    ens = spec.ensemble
    if years is None and ens is None:
        raise InputError(file, "weather.ensemble", "years or paths", "nothing")
    if isinstance(spec, FileWeather):
        if years is not None or ens.paths is None:
            raise InputError(
                file,
                "weather.ensemble.paths",
                f"one {spec.source} file per year (synthetic years need weather.source: synthetic)",
                f"{years or ens.years} synthetic years of file weather",
            )
        members = []
        factors = typical_scale_factors(scenario, base_dir)
        for i, p in enumerate(ens.paths):
            path = resolve_input(Path(base_dir), p, field=f"weather.ensemble.paths[{i}]")
            # Each file goes through the typical year's own reader and options: only its path differs, and the
            # typical year's scale factors replace weather.scale (which would bring every member to one value).
            update = {"path": str(path), "ensemble": None, "scale": None}
            one = scenario.model_copy(update={"weather": spec.model_copy(update=update)})
            frame, meta = load_weather(one, Path(base_dir))
            members.append(_scaled_member(frame, dict(meta, member=i), factors))
        return members, "files"
    recipe = _synthetic_recipe(scenario, years if years is not None else ens.years, base_dir)
    return list(recipe), "synthetic"


def typical_scale_factors(scenario, base_dir: str | Path) -> tuple[float | None, float | None]:
    """The factors ``weather.scale`` applies to the typical year, which its ensemble's members share.

    Parameters
    ----------
    scenario : Scenario or Park
        Its ``weather.scale`` (None: no factors).
    base_dir : str or Path
        Folder of the scenario file.

    Returns
    -------
    tuple of (float or None, float or None)
        The irradiance and wind-speed factors [-] (:func:`lingtan.weather.scale_resource`), None where not scaled.
    """
    if scenario.weather.scale is None:
        return None, None
    from lingtan.twin.run import load_weather

    _, meta = load_weather(scenario, Path(base_dir))
    return meta.get("ghi_scale_factor"), meta.get("wind_scale_factor")


def _scaled_member(frame: pd.DataFrame, meta: dict, factors: tuple) -> tuple[pd.DataFrame, dict]:
    """A member multiplied by the typical year's scale factors, the factors in its metadata."""
    if factors == (None, None):
        return frame, meta
    from lingtan.weather import scale_by

    named = {k: f for k, f in zip(("ghi_scale_factor", "wind_scale_factor"), factors, strict=True) if f is not None}
    return scale_by(frame, *factors), dict(meta, **named, scaled_by="the typical year's weather.scale factors")


@dataclass(frozen=True)
class _SyntheticMembers:
    """Some members of a synthetic ensemble, made when iterated: a worker makes the years it simulates."""

    climate: Any
    members: tuple[int, ...]
    options: dict  # year, tz, seed and site of lingtan.weather.ensemble.synthetic_member
    city: str | None
    factors: tuple = (None, None)  # the typical year's weather.scale factors (typical_scale_factors)

    def __len__(self) -> int:
        return len(self.members)

    def __iter__(self):
        from lingtan.weather.ensemble import synthetic_member

        for j in self.members:
            frame, meta = synthetic_member(self.climate, j, **self.options)
            yield _scaled_member(frame, dict(meta, source="synthetic", city=self.city), self.factors)

    def __getitem__(self, k):
        """Members ``k`` (an array of positions) as a recipe of their own."""
        return dataclasses.replace(self, members=tuple(self.members[i] for i in np.atleast_1d(k)))


def _synthetic_recipe(scenario, n: int, base_dir: str | Path) -> _SyntheticMembers:
    """The ``n`` synthetic members of a scenario's ensemble, not yet made."""
    from lingtan.twin.run import synthetic_climate

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:  # as member_anomalies checks it
        raise InputError(None, "weather.ensemble.years", "a positive integer", repr(n))
    site = scenario.site
    options = dict(
        year=scenario.year,
        tz=site.timezone,
        seed=scenario.weather.seed,
        latitude=site.latitude,
        longitude=site.longitude,
        altitude_m=site.altitude_m,
    )
    return _SyntheticMembers(
        synthetic_climate(scenario),
        tuple(range(int(n))),
        options,
        scenario.weather.city,
        typical_scale_factors(scenario, base_dir),
    )


def simulate_ensemble(
    scenario,
    base_dir: str | Path = ".",
    *,
    years: int | None = None,
    jobs: int | None = None,
    file: str | Path | None = None,
) -> EnsembleResult:
    """Simulate a factory or a park on its typical year and on every member of its weather ensemble.

    Parameters
    ----------
    scenario : Scenario or Park
        A validated scenario with ``weather.ensemble`` (or ``years``).
    base_dir : str or Path
        Folder of the scenario file.
    years : int, optional
        Number of synthetic members, instead of ``weather.ensemble`` (``twin run --weather-years``).
    jobs : int, optional
        Worker processes (default: the CPUs; one when there are fewer than :data:`PARALLEL_MIN_MEMBERS`).
    file : str or Path, optional
        The scenario file, named in errors.

    Returns
    -------
    EnsembleResult
        The typical year, one row per member, the KPIs' exceedance values and the criteria's odds.
    """
    from lingtan.twin.studies.park import simulate_site

    base_dir = Path(base_dir)
    weathers, source = _member_source(scenario, base_dir, years, file)
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(weathers) >= PARALLEL_MIN_MEMBERS:
        from lingtan.twin.studies.sweep import _pool

        chunks = np.array_split(np.arange(len(weathers)), jobs)
        # A factory's typical year runs first: the workers, forked after it, start with its imports and compiled
        # kernels loaded (a second of CPU each otherwise). A park's runs while they work (its power flow: seconds).
        typical = None if isinstance(scenario, Park) else simulate_site(scenario, base_dir)
        with _pool(jobs) as ex:
            futures = [ex.submit(_member_rows, scenario, base_dir, _take(weathers, c)) for c in chunks]
            if typical is None:
                typical = simulate_site(scenario, base_dir)
            rows = [row for f in futures for row in f.result()]
    else:
        typical = simulate_site(scenario, base_dir)
        rows = _member_rows(scenario, base_dir, weathers)
    members = pd.DataFrame(rows)
    comparators = _comparators(typical.verdicts)
    return EnsembleResult(
        typical=typical,
        members=members,
        kpi_stats={k: stats(members[k]) for k in _kpi_columns(members)},
        criterion_odds={cid: _criterion_odds(members, cid, comp) for cid, comp in comparators.items()},
        source=source,
    )


def _member_source(scenario, base_dir: Path, years: int | None, file) -> tuple[Any, str]:
    """The members as :func:`member_weathers` gives them, synthetic ones not yet made (each worker makes its
    own: generating a year costs a quarter of simulating it)."""
    from lingtan.twin.core.schema.site import SyntheticWeather

    spec = scenario.weather
    if isinstance(spec, SyntheticWeather) and (years is not None or spec.ensemble is not None):
        return _synthetic_recipe(scenario, years if years is not None else spec.ensemble.years, base_dir), "synthetic"
    return member_weathers(scenario, base_dir, years, file)


def _take(weathers, positions: np.ndarray):
    """The members at ``positions``: a recipe of synthetic ones, or a list of (frame, meta)."""
    if isinstance(weathers, _SyntheticMembers):
        return weathers[positions]
    return [weathers[i] for i in positions]


def member_row(result, weather: tuple[pd.DataFrame, dict]) -> dict:
    """The members-table row of one simulated weather year.

    Parameters
    ----------
    result : RunResult or ParkResult
        The year, assessed.
    weather : tuple of (DataFrame, dict)
        Its hourly weather and metadata (``member``, ``seed`` or ``path``).

    Returns
    -------
    dict
        ``member``, weather columns (annual GHI [kWh/m2]), flat numeric KPIs, accounting KPIs and the simulated
        criteria's value, threshold, margin, pass flag and status.
    """
    return {**weather_columns(weather), **result_columns(result)}


def result_columns(result) -> dict:
    """The members-table columns of a simulated year, its weather left out.

    Parameters
    ----------
    result : RunResult or ParkResult
        The year, assessed.

    Returns
    -------
    dict
        Flat numeric KPIs, accounting KPIs (``accounting.<name>``) and the simulated criteria's value,
        threshold, margin, pass flag and status (``<criterion_id>.<column>``).
    """
    from lingtan.twin.accounting.account import accounting_kpis
    from lingtan.twin.studies.sweep import _flatten

    row: dict[str, Any] = {}
    row.update(
        {k: v for k, v in _flatten({k: v for k, v in result.kpis.items() if k != "weather"}).items() if _numeric(v)}
    )
    row.update({f"accounting.{k}": float(v) for k, v in accounting_kpis(result.accounting).items() if _numeric(v)})
    for v in result.verdicts:
        if v["input"] != "simulated":
            continue
        cid = v["criterion_id"]
        numeric = _numeric(v["value"])
        row[f"{cid}.value"] = float(v["value"]) if numeric else np.nan
        row[f"{cid}.margin"] = float(v["margin"]) if v["margin"] is not None else np.nan
        row[f"{cid}.threshold"] = float(v["threshold"]) if _numeric(v["threshold"]) else np.nan
        row[f"{cid}.pass"] = v["status"] == "pass"
        row[f"{cid}.status"] = v["status"]
    return row


def weather_columns(weather: tuple[pd.DataFrame, dict]) -> dict:
    """The members-table columns that say which weather year a member ran on.

    Parameters
    ----------
    weather : tuple of (DataFrame, dict)
        The year's hourly weather and metadata (``member``, ``seed`` or ``path``).

    Returns
    -------
    dict
        ``member``, ``weather.<seed, path or scale factor>`` as given, ``weather.annual_ghi_kwh_m2`` [kWh/m2].
    """
    frame, meta = weather
    row: dict[str, Any] = {"member": int(meta["member"])}
    kept = ("seed", "path", "ghi_scale_factor", "wind_scale_factor")
    row.update({f"weather.{k}": meta[k] for k in kept if k in meta})
    row["weather.annual_ghi_kwh_m2"] = float(frame["ghi"].sum() / 1000.0)
    return row


def _member_rows(scenario, base_dir: Path, weathers: list) -> list[dict]:
    """Rows of some members, each simulated as a single run of its weather (a pool's task)."""
    from lingtan.twin.run import build_profiles, hour_profiles, simulate_profiles
    from lingtan.twin.studies.park import simulate_park

    if isinstance(scenario, Park):
        return [member_row(simulate_park(scenario, base_dir, power_flow=False, weather=w), w) for w in weathers]
    rows, hours = [], None
    for w in weathers:
        if hours is None or not hours.fits(w[0].index):
            hours = hour_profiles(scenario, base_dir, w[0].index)  # loads and tariff: the members' hours are one
        rows.append(member_row(simulate_profiles(scenario, build_profiles(scenario, base_dir, w, hours)), w))
    return rows


def _numeric(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _kpi_columns(members: pd.DataFrame) -> list[str]:
    """The KPI columns with a number in every member (no criterion or weather bookkeeping columns)."""
    skip = ("member", "weather.seed")
    return [
        c
        for c in members.columns
        if c not in skip
        and not c.endswith((".value", ".margin", ".threshold", ".pass", ".status"))
        and pd.api.types.is_numeric_dtype(members[c])
        and not pd.api.types.is_bool_dtype(members[c])
        and members[c].notna().all()
    ]


def _comparators(verdicts: list) -> dict[str, str | None]:
    """The comparator of each simulated criterion (``>=``, ``<=``, or None when it has no numeric margin)."""
    from lingtan.twin.accounting.criteria import pack_criteria

    out: dict[str, str | None] = {}
    for v in verdicts:
        if v["input"] != "simulated":
            continue
        comp = next(c.comparator for c in pack_criteria(v["pack"]) if c.id == v["criterion_id"])
        out[v["criterion_id"]] = comp if comp in (">=", "<=") else None
    return out


def _criterion_odds(members: pd.DataFrame, cid: str, comparator: str | None) -> dict:
    """:func:`lingtan.twin.core.odds.odds` of one criterion from the members' columns; ``p_pass`` alone when
    the criterion has no numeric value and threshold in every member."""
    passed = members[f"{cid}.pass"].to_numpy(bool)
    value, threshold = members[f"{cid}.value"], members[f"{cid}.threshold"]
    if comparator is None or value.isna().any() or threshold.isna().any():
        return {"members": int(passed.size), "p_pass": float(passed.mean())}
    return odds(value.to_numpy(), threshold.to_numpy(), comparator, passed=passed)


__all__ = [
    "EnsembleResult",
    "simulate_ensemble",
    "member_weathers",
    "member_row",
    "result_columns",
    "weather_columns",
]
