"""``twin calibrate``: fit a factory's twin to its meters and write the calibrated scenario.

::

    twin calibrate SCENARIO [--meters SOURCE --map MAP] [--db URL] --out FOLDER

With ``--meters`` and ``--map`` the readings are imported first (as ``twin meters import``); without them
the store already holds them. The store is checked (``twin meters check``), the uncertain parameters are
fitted (:mod:`lingtan.meters.calibrate`), and FOLDER receives ``scenario.calibrated.yaml``, the hourly
loads it reads, and ``calibration.json``: what moved, by how much, and ASHRAE Guideline 14 statistics
of every meter before and after. The user's scenario is only read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml

from lingtan.errors import InputError
from lingtan.loader import read_yaml
from lingtan.meters.calibrate import LOADS_FILE, Calibration, calibrate, check_calibrated, check_factory
from lingtan.meters.g14 import DOF, LIMITS
from lingtan.meters.quality import check_store
from lingtan.meters.schema import MeterMap, load_meter_map, meter_map_from_dict
from lingtan.twin.cli.meters import import_meters, open_store
from lingtan.twin.core.results_dir import check_out, write_results
from lingtan.twin.core.scenario import load_scenario

SCENARIO_FILE = "scenario.calibrated.yaml"
REPORT_FILE = "calibration.json"


def build_parser() -> argparse.ArgumentParser:
    """The ``twin calibrate`` parser.

    Returns
    -------
    argparse.ArgumentParser
        Its arguments.
    """
    p = argparse.ArgumentParser(prog="twin calibrate", description="fit the scenario to its meters (ASHRAE G14)")
    p.add_argument("scenario", help="scenario YAML the meters belong to")
    p.add_argument("--meters", help="meter files to import first (a CSV or Parquet file, or a folder), with --map")
    p.add_argument("--map", help="the meter map (YAML), with --meters")
    p.add_argument("--db", help="SQLAlchemy URL (default: a DuckDB file beside the results)")
    p.add_argument("--out", required=True, help="folder for the calibrated scenario and the report")
    return p


def _stored_map(store) -> MeterMap:
    """The meter map a store holds (``twin meters import`` put it there)."""
    rows = [
        {k: v for k, v in row.items() if v is not None and not (isinstance(v, float) and np.isnan(v))}
        for row in store.meters().rename(columns={"meter_id": "id"}).to_dict("records")
    ]
    if not rows:
        raise InputError(None, "--db", "a store holding a meter map (or --meters with --map)", "no meters")
    return meter_map_from_dict({"meters": rows}, store.url)


def report(cal: Calibration, source: str) -> dict:
    """The calibration as JSON-ready data.

    Parameters
    ----------
    cal : Calibration
        The fit with its statistics after (:func:`lingtan.meters.calibrate.check_calibrated`).
    source : str
        The user's scenario file.

    Returns
    -------
    dict
        Parameters, load scale, Guideline 14 statistics by meter and resolution, before and after.
    """
    g14 = {
        mid: {res: {"before": cal.before[mid][res].as_dict(), "after": cal.after[mid][res].as_dict()} for res in LIMITS}
        for mid in cal.before
    }
    return {
        "scenario": source,
        "calibrated_scenario": SCENARIO_FILE,
        "statistics": "ASHRAE Guideline 14-2014: NMBE = sum(m - s) / ((n - p) mean(m)), "
        f"CV(RMSE) = sqrt(sum((m - s)^2) / (n - p)) / mean(m), p = {DOF}, m measured, s simulated",
        "limits": {res: {"abs_nmbe": a, "cv_rmse": c} for res, (a, c) in LIMITS.items()},
        "passes": cal.passes,
        "parameters": [
            {"name": p.name, "before": p.before, "after": p.after, "change": p.after - p.before, "bounds": p.bounds}
            for p in cal.parameters
        ],
        "load_scale": cal.load_scale,
        "time_shifts_moved_back_h": cal.shifts_h,
        "months_without_readings": list(cal.unmeasured_months),
        "g14": g14,
        "fit": cal.fit,
    }


def print_report(cal: Calibration, out: Path) -> None:
    """Print what moved and each meter's Guideline 14 statistics before and after.

    Parameters
    ----------
    cal : Calibration
        The checked calibration.
    out : Path
        The results folder.
    """
    print("parameters (scenario -> calibrated)")
    for p in cal.parameters:
        print(f"  {p.name:<24} {p.before:8.4f} -> {p.after:8.4f}  ({p.after - p.before:+.4f})")
    print(f"  {'load energy scale':<24} {1.0:8.4f} -> {cal.load_scale:8.4f}  ({cal.load_scale - 1:+.4f})")
    if cal.unmeasured_months:
        months = ", ".join(map(str, cal.unmeasured_months))
        print(f"  months {months} have no readings: their load factor is the measured months' mean")
    for mid, lag in cal.shifts_h.items():
        print(f"  {mid}: timestamps moved back by {lag:+d} h (a time shift the quality check found)")
    print(f"ASHRAE Guideline 14 (p = {DOF}; limits: monthly |NMBE| 5 %, CV(RMSE) 15 %; hourly 10 %, 30 %)")
    print(f"  {'meter':<16} {'':8} {'NMBE before':>12} {'CV before':>10} {'NMBE after':>11} {'CV after':>9}")
    for mid in cal.before:
        for res in LIMITS:
            b, a = cal.before[mid][res], cal.after[mid][res]
            verdict = "pass" if a.passes else "FAIL"
            print(
                f"  {mid:<16} {res:<8} {b.nmbe:12.2%} {b.cv_rmse:10.2%} {a.nmbe:11.2%} {a.cv_rmse:9.2%}  "
                f"{'pass' if b.passes else 'fail'} -> {verdict}"
            )
    state = "within" if cal.passes else "NOT within"
    print(f"calibrated scenario {state} Guideline 14 for every meter: {out / SCENARIO_FILE}")


def _calibrate(args: argparse.Namespace) -> int:
    if (args.meters is None) != (args.map is None):
        raise InputError(None, "--meters/--map", "both or neither", "only one")
    check_out(args.out, "run")  # before the minutes of import, check and fit; checked again when written
    path = Path(args.scenario)
    scenario = load_scenario(path)
    check_factory(scenario, path)
    raw = read_yaml(path)
    if args.meters:
        import_meters(args)
    store = open_store(args, create=False)
    try:
        mmap = load_meter_map(args.map, scenario) if args.map else _stored_map(store)
        quality = check_store(store, scenario)
    finally:
        store.close()
    cal = calibrate(scenario, path.parent, raw, mmap, quality)
    checked: list[Calibration] = []

    def write(folder: Path) -> None:
        cal.loads.to_csv(folder / LOADS_FILE, index=False, float_format="%.6f")
        (folder / SCENARIO_FILE).write_text(
            yaml.safe_dump(cal.scenario, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        done = check_calibrated(cal, folder / SCENARIO_FILE, mmap)
        (folder / REPORT_FILE).write_text(json.dumps(report(done, str(path.resolve())), indent=1), encoding="utf-8")
        checked.append(done)

    out = write_results(args.out, write, kind="run", source=path)
    print_report(checked[0], out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``twin calibrate``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after ``calibrate`` (default ``sys.argv[2:]``).

    Returns
    -------
    int
        0 on success; bad input raises :class:`~lingtan.errors.InputError`, which ``twin`` prints (exit 2).
    """
    return _calibrate(build_parser().parse_args(sys.argv[2:] if argv is None else argv))
