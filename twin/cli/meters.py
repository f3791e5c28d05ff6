"""``twin meters``: import meter data into a store, check its quality, make a "measured" test year.

::

    twin meters import SCENARIO --meters SOURCE --map MAP [--db URL]
    twin meters check SCENARIO [--meters SOURCE --map MAP] [--db URL]
    twin meters generate SCENARIO --map MAP --out FILE [--step-min 15] [--days N] [--seed S]

The store defaults to a DuckDB file beside the results, ``results/<scenario stem>.meters.duckdb``; ``--db``
takes a SQLAlchemy URL (``postgresql+psycopg://user@host:port/db`` for an operator's platform).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lingtan.errors import InputError
from lingtan.meters.generate import Defects, heat_truth, measured_year, perturbed_run, true_flows
from lingtan.meters.quality import QualityResult, check_store
from lingtan.meters.read import iter_readings
from lingtan.meters.schema import load_meter_map
from lingtan.meters.store import Store, default_url
from lingtan.twin.core.scenario import load_scenario


def build_parser() -> argparse.ArgumentParser:
    """The ``twin meters`` parser.

    Returns
    -------
    argparse.ArgumentParser
        Sub-commands ``import``, ``check`` and ``generate``, each setting ``func``.
    """
    parser = argparse.ArgumentParser(prog="twin meters", description="meter data: import, check, generate")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("import", help="read meter files and store them")
    p.add_argument("scenario", help="scenario YAML the meters belong to")
    p.add_argument("--meters", required=True, help="a CSV or Parquet file, or a folder of them")
    p.add_argument("--map", required=True, help="the meter map (YAML)")
    p.add_argument("--db", help="SQLAlchemy URL (default: a DuckDB file beside the results)")
    p.set_defaults(func=import_meters)
    p = sub.add_parser("check", help="check the stored readings: findings, hourly table, completeness")
    p.add_argument("scenario", help="scenario YAML the meters belong to")
    p.add_argument("--meters", help="import these files first (with --map)")
    p.add_argument("--map", help="the meter map (YAML), with --meters")
    p.add_argument("--db", help="SQLAlchemy URL (default: a DuckDB file beside the results)")
    p.set_defaults(func=_check)
    p = sub.add_parser("generate", help="a measured year with planted defects, made from a simulated year")
    p.add_argument("scenario", help="scenario YAML the meters belong to")
    p.add_argument("--map", required=True, help="the meter map (YAML)")
    p.add_argument("--out", required=True, help="the CSV file to write (refused if it exists)")
    p.add_argument(
        "--step-min", type=int, default=15, choices=(1, 5, 10, 15, 30, 60), help="reading interval [min] (default 15)"
    )
    p.add_argument("--days", type=int, help="keep only the first N days")
    p.add_argument("--seed", type=int, default=0, help="seed of the meter noise and the planted defects (default 0)")
    p.add_argument("--wide", action="store_true", help="one column per meter instead of meter_id, timestamp, value")
    p.add_argument(
        "--plant",
        action="append",
        default=[],
        metavar="KIND=METER",
        help="plant a defect: gap, stuck, unit, shift, spike or reset, on a meter (repeatable)",
    )
    p.set_defaults(func=_generate)
    return parser


def open_store(args: argparse.Namespace, create: bool = True) -> Store:
    """The meter store the command names: ``--db``, else ``results/<scenario stem>.meters.duckdb``.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (``db``, ``scenario``).
    create : bool
        Whether the default DuckDB file may be made; without it a missing file is an input error.

    Returns
    -------
    Store
        The open store.
    """
    if args.db:
        return Store(args.db)
    path = Path("results") / f"{Path(args.scenario).stem}.meters.duckdb"
    if not create and not path.is_file():
        raise InputError(path, "--db", "a meter store (twin meters import first, or --db URL)", "no such file")
    path.parent.mkdir(parents=True, exist_ok=True)
    return Store(default_url(path))


def import_meters(args: argparse.Namespace) -> int:
    """``twin meters import``, and the import step of ``assess`` and ``calibrate`` given ``--meters``: the files
    read and checked against the meter map, then stored.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (``scenario``, ``meters``, ``map``, ``db``).

    Returns
    -------
    int
        The exit code (0).
    """
    scenario = load_scenario(args.scenario)
    mmap = load_meter_map(args.map, scenario)
    t0 = time.perf_counter()
    tz = mmap.timezone or scenario.site.timezone
    parts = iter_readings(args.meters, mmap, tz)
    first = next(parts)  # the first file is checked before a database is made
    store = open_store(args)
    rows, meters = 0, set()
    try:
        store.put_meters(mmap)
        for readings in (first, *parts):
            rows += store.put_readings(readings)
            meters |= set(readings.meter_id.unique())
    finally:
        store.close()
    print(f"{rows} readings of {len(meters)} meters stored in {store.url} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _check(args: argparse.Namespace) -> int:
    if (args.meters is None) != (args.map is None):
        raise InputError(None, "--meters/--map", "both or neither", "only one")
    if args.meters:
        import_meters(args)
    scenario = load_scenario(args.scenario)
    store = open_store(args, create=False)
    try:
        result = check_store(store, scenario)
    finally:
        store.close()
    print_quality(result)
    return 0


def print_quality(result: QualityResult) -> None:
    """Print the findings (times in UTC) and each meter's completeness.

    Parameters
    ----------
    result : QualityResult
        The quality check's outcome.
    """
    f = result.findings
    print(f"{len(f)} findings")
    for row in f.itertuples():
        print(
            f"  {row.meter_id:<16} {row.kind:<15} {row.start_ts:%Y-%m-%d %H:%M} .. {row.end_ts:%Y-%m-%d %H:%M} UTC "
            f"{row.hours:7.2f} h  {row.detail}"
        )
    print("completeness (share of hours measured or interpolated; long gaps await the calibrated twin)")
    for meter_id, c in result.completeness().iterrows():
        print(
            f"  {meter_id:<16} {c.completeness:7.2%}  measured {c.measured:.0f} h, interpolated "
            f"{c.interpolated:.0f} h, gaps {c.gap:.0f} h"
        )


def _generate(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() or out.is_symlink():
        raise InputError(out, "--out", "a new file (existing files are never replaced)", "a file already there")
    scenario = load_scenario(args.scenario)
    mmap = load_meter_map(args.map, scenario)
    base = Path(args.scenario).parent
    if getattr(scenario, "tenants", None):
        from lingtan.twin.studies.park import simulate_park

        park = simulate_park(scenario, base, power_flow=False)
        tables = {None: park.bus, **{name: r.hourly for name, r in park.tenants.items()}}
        truth = true_flows(tables, mmap, scenario).join(heat_truth(park.tenants, mmap))
    else:
        # the factory's year simulated with the truth's soiling and load: its battery is dispatched anew
        run = perturbed_run(scenario, base)
        truth = true_flows({None: run.hourly}, mmap, scenario, soiling=0.0, load_scale=1.0).join(
            heat_truth({None: run}, mmap)
        )
    if args.days:
        truth = truth.iloc[: args.days * 24]
    readings, planted = measured_year(
        truth,
        mmap,
        _defects(args.plant, set(truth.columns)),
        step_min=args.step_min,
        tz=scenario.site.timezone,
        seed=args.seed,
    )
    n_rows, n_meters = len(readings), readings.meter_id.nunique()
    if args.wide:
        readings = readings.pivot(index="timestamp", columns="meter_id", values="value")[list(truth.columns)]
    readings.to_csv(out, index=args.wide, float_format="%.7g")
    print(f"{n_rows} readings of {n_meters} meters written to {out}")
    for p in planted.itertuples():
        print(f"  planted {p.kind} on {p.meter_id}: {p.start} .. {p.end} UTC")
    return 0


def _defects(plants: list[str], meters: set[str]) -> Defects:
    """The defects of ``--plant KIND=METER`` options."""
    kinds = {
        "gap": "gap_meter",
        "stuck": "stuck_meter",
        "unit": "unit_meter",
        "shift": "shift_meter",
        "spike": "spike_meter",
        "reset": "reset_meter",
    }
    chosen = {}
    for i, text in enumerate(plants):
        kind, _, meter = text.partition("=")
        if kind not in kinds or meter not in meters:
            raise InputError(
                None,
                f"--plant[{i}]",
                f"KIND=METER, KIND one of {', '.join(kinds)}, METER an electric meter of the map",
                repr(text),
            )
        chosen[kinds[kind]] = meter
    return Defects(**chosen)


def main(argv: list[str] | None = None) -> int:
    """Run ``twin meters``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after ``meters`` (default ``sys.argv[2:]``).

    Returns
    -------
    int
        0 on success; bad input raises :class:`~lingtan.errors.InputError`, which ``twin`` prints (exit 2).
    """
    args = build_parser().parse_args(sys.argv[2:] if argv is None else argv)
    return args.func(args)
