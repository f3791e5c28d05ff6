"""Year to date and year end: the measured months plus the twin for the rest of the year.

With meter data up to a cutoff, each weather year of the scenario (its typical year, plus the members of its
weather ensemble where it has one or ``years`` is given: :func:`lingtan.twin.studies.ensemble.member_weathers`)
is simulated as a single run, read through the same meters as the plant
(:func:`lingtan.meters.generate.true_flows`, nothing planted), and its hours after the cutoff are joined to
the measured hours before it. Each joined year then goes through the measured accounting
(:func:`lingtan.meters.assess.assess_meters`): the same KPIs, accounting and criteria as a simulation. Over the
members this gives each criterion's year-end P50 and probability of passing (:func:`lingtan.twin.core.odds.odds`,
its convention). A calibrated scenario (``twin calibrate``) is an ordinary scenario: pass it to project with the
twin fitted to the meters.

Waste-heat meters read the simulated year through :func:`lingtan.meters.generate.heat_truth`. Meters the twin
cannot read (gas, and heat and steam meters of units: no flow of the truth for them) are left out of the joined
years, so a criterion that needs them stays "not assessable" at year end too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lingtan.errors import InputError
from lingtan.meters.assess import MeasuredAssessment, MeterHours, assess_meters
from lingtan.meters.generate import heat_truth, true_flows
from lingtan.twin.accounting.criteria import pack_criteria
from lingtan.twin.core.odds import CONVENTION, odds
from lingtan.twin.core.schema.park import Park


@dataclass(frozen=True)
class Projection:
    """The year so far and where it ends.

    Attributes
    ----------
    cutoff : pandas.Timestamp
        UTC end of the measured part (exclusive); the twin runs from here to the year's end.
    so_far : MeasuredAssessment
        The measured part's own verdicts.
    members : pandas.DataFrame
        One row per weather year: ``member`` (-1 the typical year) and per criterion ``<id>.value`` and
        ``<id>.status`` of the joined year.
    criteria : dict
        Criterion id to ``so_far`` (value of the measured part), ``threshold``, ``comparator`` and the
        :func:`lingtan.twin.core.odds.odds` of the joined years (``value_p50``, ``p_pass``, ...); a criterion
        without a number in every year has ``p_pass`` alone.
    track : pandas.DataFrame
        The year to date at each month's end up to the cutoff: ``end_utc`` and per criterion read from meters
        its value over the measured hours until then.
    compare : pandas.DataFrame
        Per month of the measured part and meter: ``measured_e_kwh`` and ``simulated_e_kwh`` (the typical
        year) [kWh, or kWh_th, m3 for heat and gas meters].
    """

    cutoff: pd.Timestamp
    so_far: MeasuredAssessment
    members: pd.DataFrame
    criteria: dict
    track: pd.DataFrame
    compare: pd.DataFrame

    def to_dict(self) -> dict:
        """The projection as JSON-ready data.

        Returns
        -------
        dict
            ``cutoff`` (UTC), ``convention``, ``members``, ``so_far`` (completeness, notes) and ``criteria``.
        """
        return {
            "cutoff_utc": self.cutoff.isoformat(),
            "convention": CONVENTION,
            "members": int(len(self.members)),
            "so_far": {
                "start_utc": self.so_far.start.isoformat(),
                "completeness": self.so_far.completeness,
                "unmetered": self.so_far.unmetered,
                "notes": self.so_far.notes,
            },
            "criteria": self.criteria,
            "track": self.track.assign(end_utc=self.track.end_utc.astype(str)).to_dict("records"),
            "compare": self.compare.to_dict("records"),
        }


def _weathers(scenario, base_dir: Path, years: int | None, file) -> list[tuple[pd.DataFrame, dict]]:
    """The typical year first, then the ensemble's members (none without an ensemble or ``years``)."""
    from lingtan.twin.run import load_weather
    from lingtan.twin.studies.ensemble import member_weathers

    frame, meta = load_weather(scenario, base_dir)
    out = [(frame, dict(meta, member=-1))]
    if years is not None or scenario.weather.ensemble is not None:
        out += member_weathers(scenario, base_dir, years, file)[0]
    return out


def simulated_meters(scenario, base_dir: Path, mmap, weather: tuple[pd.DataFrame, dict]) -> pd.DataFrame:
    """What the map's electric and waste-heat meters would read in a simulated year on ``weather`` [kW, kW_th].

    Parameters
    ----------
    scenario : Scenario or Park
        The scenario (a calibrated one for the calibrated twin).
    base_dir : Path
        Its folder.
    mmap : lingtan.meters.schema.MeterMap
        The meter map.
    weather : tuple of (DataFrame, dict)
        The year's weather.

    Returns
    -------
    pandas.DataFrame
        One column per electric and waste-heat meter, indexed by UTC hour start (naive).
    """
    from lingtan.twin.run import build_profiles, simulate_profiles
    from lingtan.twin.studies.park import simulate_park

    if isinstance(scenario, Park):
        park = simulate_park(scenario, base_dir, power_flow=False, weather=weather)
        tables = {None: park.bus, **{name: r.hourly for name, r in park.tenants.items()}}
        runs = park.tenants
    else:
        runs = {None: simulate_profiles(scenario, build_profiles(scenario, base_dir, weather))}
        tables = {None: runs[None].hourly}
    return true_flows(tables, mmap, scenario, soiling=0.0, load_scale=1.0).join(heat_truth(runs, mmap))


def joined(measured: MeterHours, simulated: pd.DataFrame, cutoff: pd.Timestamp) -> MeterHours:
    """The measured hours before ``cutoff`` and the simulated ones from it, for the meters the twin reads.

    Parameters
    ----------
    measured : MeterHours
        The meters' hours (any span; only those before the cutoff are used).
    simulated : pandas.DataFrame
        :func:`simulated_meters` of one year.
    cutoff : pandas.Timestamp
        UTC (naive) start of the twin's part.

    Returns
    -------
    MeterHours
        The whole year; simulated hours count as real (they are the twin's, not filled readings).
    """
    ids = [m for m in measured.p.columns if m in simulated.columns]
    before = measured.p.index[measured.p.index < cutoff]
    p = simulated[ids].copy()
    real = pd.DataFrame(True, index=p.index, columns=ids)
    inside = before.intersection(p.index)
    p.loc[inside] = measured.p.loc[inside, ids].to_numpy()
    real.loc[inside] = measured.real.loc[inside, ids].to_numpy()
    meters = measured.meters[measured.meters.meter_id.isin(ids)].reset_index(drop=True)
    return MeterHours(p=p, real=real, meters=meters)


def project(
    scenario,
    measured: MeterHours,
    mmap,
    *,
    base_dir: str | Path = ".",
    cutoff: pd.Timestamp | None = None,
    years: int | None = None,
    file: str | Path | None = None,
) -> Projection:
    """The measured part of the scenario's year, and its year-end verdicts over weather years.

    Parameters
    ----------
    scenario : Scenario or Park
        The scenario (or its calibrated copy).
    measured : MeterHours
        The meters' hours (:func:`lingtan.meters.assess.meter_hours`).
    mmap : lingtan.meters.schema.MeterMap
        The meter map.
    base_dir : str or Path
        The scenario file's folder.
    cutoff : pandas.Timestamp, optional
        UTC (naive) end of the measured part; default the end of the readings.
    years : int, optional
        Synthetic weather years instead of the scenario's ensemble (``--weather-years``).
    file : str or Path, optional
        The scenario file, named in errors.

    Returns
    -------
    Projection
        So far, per weather year, and per criterion the year-end odds.

    Raises
    ------
    InputError
        When the measured part does not lie inside the scenario's year.
    """
    base_dir = Path(base_dir)
    weathers = _weathers(scenario, base_dir, years, file)
    rows, sims = [], []
    for w in weathers:
        sims.append(simulated_meters(scenario, base_dir, mmap, w))
    year = sims[0].index
    end = measured.p.index[-1] + pd.Timedelta(hours=1)
    cutoff = min(end, cutoff) if cutoff is not None else end
    if measured.p.index[0] < year[0] or cutoff <= year[0] or cutoff > year[-1] + pd.Timedelta(hours=1):
        raise InputError(
            None,
            "--meters",
            f"readings inside the scenario's year {scenario.year}",
            f"{measured.p.index[0]} .. {end} UTC",
        )
    keep = measured.p.index < cutoff
    so_far = assess_meters(
        MeterHours(measured.p[keep], measured.real[keep], measured.meters), scenario, base_dir=base_dir
    )
    for w, sim in zip(weathers, sims, strict=True):
        year_end = assess_meters(joined(measured, sim, cutoff), scenario, base_dir=base_dir)
        row: dict[str, Any] = {"member": int(w[1]["member"])}
        for v in year_end.verdicts:
            row[f"{v['criterion_id']}.value"] = _number(v["value"])
            row[f"{v['criterion_id']}.threshold"] = _number(v["threshold"])
            row[f"{v['criterion_id']}.status"] = v["status"]
        rows.append(row)
    members = pd.DataFrame(rows)
    part = MeterHours(measured.p[keep], measured.real[keep], measured.meters)
    return Projection(
        cutoff=cutoff,
        so_far=so_far,
        members=members,
        criteria=_criteria(so_far, members),
        track=_track(part, scenario, base_dir),
        compare=_compare(part, sims[0], scenario.site.timezone),
    )


def _track(part: MeterHours, scenario, base_dir: Path) -> pd.DataFrame:
    """The measured criteria's values from the first measured hour to each local month's end (and the cutoff)."""
    index = part.p.index
    local = index.tz_localize("UTC").tz_convert(scenario.site.timezone)
    month = local.year * 12 + local.month
    ends = [index[k] + pd.Timedelta(hours=1) for k in np.flatnonzero(np.diff(month) != 0)] + [
        index[-1] + pd.Timedelta(hours=1)
    ]
    rows = []
    for end in ends:
        keep = index < end
        a = assess_meters(MeterHours(part.p[keep], part.real[keep], part.meters), scenario, base_dir=base_dir)
        rows.append(
            {"end_utc": end, **{v["criterion_id"]: _number(v["value"]) for v in a.verdicts if v["input"] == "measured"}}
        )
    return pd.DataFrame(rows)


def _compare(part: MeterHours, simulated: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Monthly energy of each meter, measured and simulated (the typical year), over the measured hours."""
    ids = [m for m in part.p.columns if m in simulated.columns]
    measured = part.p[ids]
    sim = simulated.reindex(measured.index)[ids]
    month = measured.index.tz_localize("UTC").tz_convert(tz).strftime("%Y-%m")
    both = pd.concat(
        {"measured_e_kwh": measured.groupby(month).sum().stack(), "simulated_e_kwh": sim.groupby(month).sum().stack()},
        axis=1,
    )
    both.index.names = ["month", "meter_id"]
    return both.reset_index()


def _number(x) -> float:
    return float(x) if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) else np.nan


def _criteria(so_far: MeasuredAssessment, members: pd.DataFrame) -> dict:
    """Per criterion read from meters: the value so far, and the joined years' odds."""
    out = {}
    for v in so_far.verdicts:
        if v["input"] != "measured":
            continue
        cid = v["criterion_id"]
        comparator = next(c.comparator for c in pack_criteria(v["pack"]) if c.id == cid)
        values, thresholds = members[f"{cid}.value"], members[f"{cid}.threshold"]
        passed = (members[f"{cid}.status"] == "pass").to_numpy()
        entry = {
            "unit": v["unit"],
            "needs": v["needs"],
            "so_far": _number(v["value"]),
            "so_far_status": v["status"],
            "completeness": v["completeness"],
            "threshold": _number(v["threshold"]),
            "comparator": comparator,
            "statuses": members[f"{cid}.status"].value_counts().to_dict(),
        }
        assessable = not (members[f"{cid}.status"] == "not assessable").any()
        if assessable and comparator in (">=", "<=") and values.notna().all() and thresholds.notna().all():
            entry.update(odds(values.to_numpy(), thresholds.to_numpy(), comparator, passed=passed))
        else:
            entry.update(members=int(len(members)), p_pass=float(passed.mean()))
        out[cid] = entry
    return out
