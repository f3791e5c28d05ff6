"""``twin size``: the command line of :mod:`lingtan.twin.studies.sizing`."""

from __future__ import annotations

import argparse
import contextlib
import sys

from lingtan.errors import InputError
from lingtan.twin.core.results_dir import reserve
from lingtan.twin.reports.sizing import write_outputs
from lingtan.twin.studies.sizing import DEFAULT_LEVERS, DEFAULT_WEATHER_YEARS, LEVERS, size, summary


def build_parser() -> argparse.ArgumentParser:
    """The ``twin size`` parser.

    Returns
    -------
    argparse.ArgumentParser
        Its options.
    """
    p = argparse.ArgumentParser(prog="twin size", description="least-cost design that passes the chosen criteria")
    p.add_argument("file")
    p.add_argument("--criteria", required=True, help="criteria packs, comma-separated")
    p.add_argument(
        "--vary",
        help=f"levers, comma-separated, among {','.join(LEVERS)}; default the scenario's "
        f"{', '.join(DEFAULT_LEVERS[:-1])} and {DEFAULT_LEVERS[-1]}",
    )
    p.add_argument("--out", help="folder for designs.csv, pareto.html, pareto_emissions.html and sizing.txt")
    p.add_argument(
        "--levels", action="append", default=[], help="levels of one lever as factors, e.g. pv=0.5,1,2 (repeatable)"
    )
    p.add_argument("--exhaustive-limit", type=int, default=16)
    p.add_argument(
        "--network-limits",
        action="store_true",
        help="a park design passes only if its network stays within limits every hour (slower: the "
        "power flow runs for every design)",
    )
    p.add_argument(
        "--confidence",
        metavar="P",
        help="size with odds: the least-cost design passing in at least a fraction P (0 < P < 1) of the weather "
        "years, every criterion in the same year",
    )
    p.add_argument(
        "--weather-years",
        metavar="N",
        help="synthetic weather years of --confidence (default the scenario's weather.ensemble, else "
        f"{DEFAULT_WEATHER_YEARS})",
    )
    p.add_argument(
        "--each-criterion",
        action="store_true",
        help="with --confidence: each criterion passes in at least P of the years on its own (not jointly)",
    )
    return p


def _number(text: str | None, kind, option: str, expected: str):
    """``text`` as a number of ``kind``, or an InputError naming the option."""
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InputError(None, option, expected, repr(text)) from None


def main(argv: list[str] | None = None) -> int:
    """``twin size FILE --criteria PACK[,PACK] [--vary pv,battery,green_power] [--out DIR] [--confidence P
    [--weather-years N] [--each-criterion]]``; 0 when a design passes,
    1 when none does, 2 for bad input.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after ``size`` (default ``sys.argv[1:]``, through argparse).

    Returns
    -------
    int
        Exit code: 0 when a design passes, 1 when none does.
    """
    args = build_parser().parse_args(argv)
    try:
        grid = {}
        for spec in args.levels:
            name, _, vals = spec.partition("=")
            try:
                grid[name.strip()] = [float(x) for x in vals.split(",") if x.strip()]
            except ValueError:
                raise InputError(None, "--levels", "lever=f1,f2,...", repr(spec)) from None
        confidence = _number(args.confidence, float, "--confidence", "a probability p with 0 < p < 1 (e.g. 0.9)")
        years = _number(args.weather_years, int, "--weather-years", "an integer number of years")
        if args.each_criterion and confidence is None:
            raise InputError(None, "--each-criterion", "--confidence P beside it", "no --confidence")
        # The results folder is checked and held before the search: a refused --out costs no simulation.
        with reserve(args.out, "size", source=args.file) if args.out else contextlib.nullcontext():
            res = size(
                args.file,
                [c.strip() for c in args.criteria.split(",") if c.strip()],
                [v.strip() for v in (args.vary or "").split(",") if v.strip()] or None,
                grid_points=grid or None,
                exhaustive_limit=args.exhaustive_limit,
                network_limits=args.network_limits,
                confidence=confidence,
                weather_years=years,
                odds_mode="each" if args.each_criterion else "joint",
            )
            print(summary(res))
            if args.out:
                print(f"\ndesigns and Pareto plot written to {write_outputs(res, args.out)}")
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0 if res.feasible else 1
