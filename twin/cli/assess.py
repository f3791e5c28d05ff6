"""``twin assess``: the verdicts of a real plant's meters, and where its year will end.

::

    twin assess SCENARIO --meters SOURCE [--map MAP] [--db URL] [--from DATE --to DATE]
                [--project [--weather-years N]] [--json FILE]

``--meters`` imports the readings into the store first and checks them (``twin meters import`` and ``check``);
without it the store's checked hours are assessed. The map defaults to the one ``*map.yaml`` beside the
readings. Dates are the site's local days, both included. ``--project`` adds the year-end projection
(:mod:`lingtan.twin.studies.projection`); the JSON (default ``results/<scenario stem>.assess.json``, beside the
store) holds the measured KPIs, the verdicts and the projection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from lingtan.errors import InputError
from lingtan.meters.assess import COMPLETENESS_LIMIT, MeasuredAssessment, assess_meters, meter_hours
from lingtan.meters.quality import QualityResult, check_store
from lingtan.meters.schema import load_meter_map
from lingtan.twin.cli.meters import import_meters, open_store
from lingtan.twin.core.scenario import load_scenario

JSON_MARK = "lingtan twin assess"  # a JSON file holding this under "written_by" is ours to replace


def build_parser() -> argparse.ArgumentParser:
    """The ``twin assess`` parser.

    Returns
    -------
    argparse.ArgumentParser
        Its options.
    """
    p = argparse.ArgumentParser(prog="twin assess", description="verdicts from meter data, and the year-end odds")
    p.add_argument("scenario", help="scenario YAML the meters belong to")
    p.add_argument("--meters", help="a CSV or Parquet file, or a folder of them: imported and checked first")
    p.add_argument("--map", help="the meter map (default: the one *map.yaml beside the readings)")
    p.add_argument("--db", help="SQLAlchemy URL (default: a DuckDB file beside the results)")
    p.add_argument("--from", dest="start", type=_date, help="first local day assessed (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=_date, help="last local day assessed, included (YYYY-MM-DD)")
    p.add_argument("--project", action="store_true", help="join the twin for the rest of the year: year-end odds")
    p.add_argument("--weather-years", type=int, metavar="N", help="with --project: N synthetic weather years")
    p.add_argument("--json", help="the JSON written (default results/<scenario stem>.assess.json)")
    return p


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date YYYY-MM-DD, not {text!r}") from None


def default_map(source: str | Path) -> Path:
    """The one ``*map.yaml`` in the readings' folder.

    Parameters
    ----------
    source : str or Path
        A meter file or folder.

    Returns
    -------
    Path
        The map.

    Raises
    ------
    InputError
        When there is none or more than one.
    """
    folder = Path(source) if Path(source).is_dir() else Path(source).parent
    found = sorted(folder.glob("*map.yaml"))
    if len(found) != 1:
        names = ", ".join(f.name for f in found) or "none"
        raise InputError(folder, "--map", "one *map.yaml beside the readings, or --map", names)
    return found[0]


def _utc(day: dt.date, tz: str) -> pd.Timestamp:
    return pd.Timestamp(day).tz_localize(tz).tz_convert("UTC").tz_localize(None)


def _assess(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    base_dir = Path(args.scenario).parent
    if args.weather_years is not None and not args.project:
        raise InputError(None, "--weather-years", "with --project", "without it")
    if args.meters:
        args.map = args.map or str(default_map(args.meters))
        import_meters(args)
    if args.project and args.map is None:  # the twin reads the map's meters; the store's own map serves the rest
        raise InputError(None, "--map", "the meter map with --project (or --meters with a map beside it)", "none")
    tz = scenario.site.timezone
    start = _utc(args.start, tz) if args.start else None
    end = _utc(args.end + dt.timedelta(days=1), tz) if args.end else None
    store = open_store(args, create=False)
    try:
        if args.meters or store.table("hourly").empty:
            check_store(store, scenario)
        hourly, findings = store.table("hourly"), store.table("findings")
        hours = meter_hours(hourly, store.meters(), start, end)
    finally:
        store.close()
    result = assess_meters(hours, scenario, base_dir)
    print("\n".join(measured_lines(result, scenario.site.timezone)))
    out = {
        "written_by": JSON_MARK,
        "scenario": str(args.scenario),
        "measured": measured_dict(result),
        "quality": quality_dict(QualityResult(hourly, findings)),
    }
    if args.project:
        from lingtan.twin.studies.projection import project

        mmap = load_meter_map(args.map, scenario)
        proj = project(
            scenario, hours, mmap, base_dir=base_dir, cutoff=end, years=args.weather_years, file=args.scenario
        )
        print("\n".join(projection_lines(proj)))
        out["projection"] = proj.to_dict()
    path = Path(args.json) if args.json else Path("results") / f"{Path(args.scenario).stem}.assess.json"
    _write_json(path, out)
    print(f"written {path}")
    return 0


def _write_json(path: Path, data: dict) -> None:
    """Write ``data``, replacing only a JSON this command wrote."""
    if path.exists() or path.is_symlink():
        try:
            ours = json.loads(path.read_text()).get("written_by") == JSON_MARK
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours or path.is_symlink():
            raise InputError(path, "--json", "a new file or one twin assess wrote", "another file there")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    tmp.replace(path)


def measured_dict(result: MeasuredAssessment) -> dict:
    """The measured assessment as JSON-ready data.

    Parameters
    ----------
    result : MeasuredAssessment
        :func:`lingtan.meters.assess.assess_meters`.

    Returns
    -------
    dict
        Period (UTC), completeness, limit, unmetered assets, notes, KPIs and verdicts.
    """
    return {
        "start_utc": result.start.isoformat(),
        "end_utc": result.end.isoformat(),
        "completeness": result.completeness,
        "completeness_limit": COMPLETENESS_LIMIT,
        "unmetered": result.unmetered,
        "unmetered_heat": result.unmetered_heat,
        "notes": result.notes,
        "kpis": result.kpis,
        "verdicts": result.verdicts,
    }


def quality_dict(result: QualityResult) -> dict:
    """The quality check's findings and each meter's completeness as JSON-ready data.

    Parameters
    ----------
    result : QualityResult
        The store's hourly table and findings.

    Returns
    -------
    dict
        ``findings`` (times in UTC) and ``meters`` (hours measured, interpolated, gaps and completeness).
    """
    findings = result.findings.copy()
    for col in ("start_ts", "end_ts"):
        findings[col] = pd.to_datetime(findings[col]).dt.strftime("%Y-%m-%d %H:%M")
    meters = result.completeness().reset_index()
    return {"findings": findings.to_dict("records"), "meters": meters.to_dict("records")}


def _value(v, unit: str) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, float)):
        return f"{v:.1%}" if unit in ("-", "", "fraction") and abs(v) <= 1.5 else f"{v:,.4g} {unit}".strip()
    return str(v)


def measured_lines(result: MeasuredAssessment, tz: str) -> list[str]:
    """The terminal summary of a measured assessment.

    Parameters
    ----------
    result : MeasuredAssessment
        :func:`lingtan.meters.assess.assess_meters`.
    tz : str
        The site's time zone, for the period.

    Returns
    -------
    list of str
        Period, completeness, unmetered assets, the main KPIs and every measured verdict.
    """
    local = lambda t: t.tz_localize("UTC").tz_convert(tz).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    k = result.kpis
    hours = (result.end - result.start) / pd.Timedelta(hours=1)
    lines = [
        f"measured {local(result.start)} .. {local(result.end)} ({tz}), {hours:.0f} h",
        "completeness (share of hours with real readings of every meter of the group): "
        + ", ".join(f"{g} {c:.1%}" + (" (no meter)" if c == 0 else "") for g, c in result.completeness.items())
        + f"; a measured verdict needs {COMPLETENESS_LIMIT:.0%}",
    ]
    if result.unmetered:
        lines.append(f"unmetered, counted as generating nothing: {', '.join(result.unmetered)}")
    if result.unmetered_heat:
        lines.append(
            "waste heat without a meter (no available meter: rate not measured; no recovered meter: counted as "
            f"none recovered): {', '.join(result.unmetered_heat)}"
        )
    lines += [f"note: {n}" for n in result.notes]
    lines.append(
        f"consumption {k['total_consumption_e_kwh'] / 1e3:,.0f} MWh, import {k['grid_import_e_kwh'] / 1e3:,.0f} MWh, "
        f"export {k['grid_export_e_kwh'] / 1e3:,.0f} MWh, generation {k['re_generation_e_kwh'] / 1e3:,.0f} MWh, "
        f"on-site renewable share {k['re_electricity_share_onsite']:.1%} "
        f"(delivered {k['re_electricity_share_onsite_delivered']:.1%})"
    )
    rate = k["heat"].get("waste_heat_recovery_rate")
    if rate is not None:
        lines.append(
            f"waste heat recovered {k['heat']['waste_heat_recovered_e_kwh_th'] / 1e3:,.0f} MWh_th of "
            f"{k['heat']['waste_heat_available_e_kwh_th'] / 1e3:,.0f} MWh_th available: recovery rate {rate:.1%}"
        )
    lines.append("verdicts from meters (status, value, threshold, completeness):")
    declared = 0
    for v in result.verdicts:
        if v["input"] != "measured":
            declared += 1
            continue
        lines.append(
            f"  {v['status'].upper():<15} {v['criterion_id']:<44} {_value(v['value'], v['unit']):>10}  "
            f"{_value(v['threshold'], v['unit']):>10}  measured, "
            f"{v['completeness']:.1%} complete"
        )
        if v["status"] != "pass" and v.get("note"):
            lines.append(f"      {v['note']}")
    lines.append(f"  ({declared} more criteria read declared facts, not meters)")
    return lines


def projection_lines(proj) -> list[str]:
    """The terminal lines of a projection: per criterion so far, year-end P50 and the chance of passing.

    Parameters
    ----------
    proj : lingtan.twin.studies.projection.Projection
        The projection.

    Returns
    -------
    list of str
        One line per criterion read from meters.
    """
    n = len(proj.members)
    spread = "" if n > 1 else " (no weather ensemble: --weather-years N gives the odds over N years)"
    lines = [f"year end: measured to {proj.cutoff:%Y-%m-%d %H:%M} UTC, then the twin over {n} weather year(s){spread}"]
    for cid, c in proj.criteria.items():
        if "value_p50" in c:
            lines.append(
                f"  {cid}: {_value(c['so_far'], c['unit'])} so far; year-end P50 {_value(c['value_p50'], c['unit'])}, "
                f"{c['p_pass']:.0%} chance of {c['comparator']} {_value(c['threshold'], c['unit'])}"
            )
        elif c["so_far_status"] == "not assessable":
            lines.append(f"  {cid}: not assessable from meters (needs {' and '.join(c['needs'])} meters)")
        else:
            lines.append(
                f"  {cid}: {c['so_far_status']} so far; year end passes in {c['p_pass']:.0%} of years "
                f"({', '.join(f'{s} {k}' for s, k in c['statuses'].items())})"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run ``twin assess``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after ``assess`` (default ``sys.argv[2:]``).

    Returns
    -------
    int
        0 on success; bad input raises :class:`~lingtan.errors.InputError`, which ``twin`` prints (exit 2).
    """
    args = build_parser().parse_args(sys.argv[2:] if argv is None else argv)
    return _assess(args)
