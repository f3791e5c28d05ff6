"""``twin sweep``: the command line of :mod:`lingtan.twin.studies.sweep`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lingtan.errors import InputError
from lingtan.twin.reports.sweep_plots import write_plots
from lingtan.twin.studies.sweep import CASES_DIR, DEFAULT_KPI, DEFAULT_THRESHOLD, MAX_CASES, SweepStopped, run_sweep


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``twin sweep``, for the CLI's sub-parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser; options are added to it.
    """
    parser.add_argument("file", help="scenario YAML")
    parser.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="NAME=lo:hi[:n]",
        help="a swept field by its path, e.g. pv[0].capacity_kwp=0:20000:21; repeatable",
    )
    parser.add_argument("--out", required=True, help="results folder (rerun to resume)")
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--lhs", type=int, metavar="N", help="Latin hypercube of N cases (ranges NAME=lo:hi)")
    g.add_argument("--oat", action="store_true", help="one at a time around the scenario's values (tornado)")
    parser.add_argument("--seed", type=int, default=0, help="seed of --lhs (default 0)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel processes for cases run one by one (default: CPU count)"
    )
    parser.add_argument("--cluster", metavar="tcp://HOST:PORT", help="run on a Dask distributed cluster")
    parser.add_argument(
        "--path",
        choices=("auto", "fast", "whole"),
        default="auto",
        help="execution path (default: fast when every parameter is a kernel size)",
    )
    parser.add_argument("--chunk-size", type=int, default=20_000, help="fast path: cases per kernel call")
    parser.add_argument(
        "--no-verdicts",
        action="store_true",
        help="fast path: skip per-case accounting, criteria and economics (about 0.5 ms a case)",
    )
    parser.add_argument("--kpi", default=DEFAULT_KPI, help=f"KPI of the pictures (default {DEFAULT_KPI})")
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"contour drawn on the heatmaps (default {DEFAULT_THRESHOLD})",
    )
    parser.add_argument("--no-plots", action="store_true", help="do not write the pictures")
    parser.add_argument(
        "--max-cases",
        type=int,
        default=MAX_CASES,
        help=f"refuse a design of more cases than this (default {MAX_CASES:,})",
    )
    parser.add_argument(
        "--weather-years",
        metavar="N",
        help="also run every case on N synthetic weather years and store, per case, the P50 and P90 of --kpi "
        "and each verdict's pass probability (ensemble.* columns)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no summary")


def run(args: argparse.Namespace) -> int:
    """``twin sweep`` from parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of :func:`add_arguments`.

    Returns
    -------
    int
        Exit code: 0, or ``128 + signal`` when the sweep was stopped.
    """
    if args.jobs is not None and args.jobs < 1:
        raise InputError(None, "--jobs", "N >= 1", str(args.jobs))
    if args.chunk_size < 1:
        raise InputError(None, "--chunk-size", "N >= 1", str(args.chunk_size))
    if args.max_cases < 1:
        raise InputError(None, "--max-cases", "N >= 1", str(args.max_cases))
    members = _members(args.file, args.weather_years) if args.weather_years is not None else None
    try:
        s = run_sweep(
            args.file,
            args.param,
            out=args.out,
            lhs=args.lhs,
            oat=args.oat,
            seed=args.seed,
            jobs=args.jobs,
            cluster=args.cluster,
            path=args.path,
            chunk_size=args.chunk_size,
            verdicts=not args.no_verdicts,
            progress=not args.quiet,
            plots=None if args.no_plots else write_plots,
            kpi=args.kpi,
            threshold=args.threshold,
            max_cases=args.max_cases,
            members=members,
        )
    except SweepStopped as stop:
        print(
            f"twin sweep: stopped by {stop}; {stop.done:,} of {stop.cases:,} cases are in {stop.out}, rerun the "
            f"same command to run the rest",
            file=sys.stderr,
        )
        return 128 + stop.signum
    if not args.quiet:
        print(
            f"{s['cases']} cases ({s['design']}, {s['path']} path): {s['ran']} run, {s['skipped']} already done, "
            f"{s['seconds']:.1f} s; results in {Path(s['out']) / CASES_DIR}"
        )
        for f in s.get("plots", []):
            print(f"  {f}")
    return 0


def _members(file: str, years_text: str) -> list:
    """The weather years of ``--weather-years N`` (the scenario's synthetic weather drawn for N years)."""
    from lingtan.limits import MAX_ENSEMBLE_YEARS
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.studies.ensemble import member_weathers

    try:
        years = int(years_text)
    except ValueError:
        years = 0
    if not 2 <= years <= MAX_ENSEMBLE_YEARS:
        raise InputError(file, "--weather-years", f"an integer from 2 to {MAX_ENSEMBLE_YEARS}", repr(years_text))
    return member_weathers(load_scenario(file), Path(file).parent, years, file)[0]


def main(argv: list[str] | None = None) -> int:
    """``twin sweep FILE --param ... --out DIR``; raises :class:`InputError` on bad input.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after ``sweep`` (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code (:func:`run`).
    """
    parser = argparse.ArgumentParser(prog="twin sweep", description="Sweep parameters of a scenario.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
