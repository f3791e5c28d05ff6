"""``twin size``: the command line of :mod:`lingtan.twin.studies.sizing`."""

from __future__ import annotations

import argparse
import contextlib
import sys

from lingtan.errors import InputError
from lingtan.twin.cli.progress import progress_bars
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
    p = argparse.ArgumentParser(
        prog="twin size",
        description="least-cost design that passes the chosen criteria",
        epilog=_packs_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="scenario YAML of a factory or a park")
    p.add_argument("--criteria", required=True, help="criteria packs, comma-separated (listed below)")
    p.add_argument(
        "--vary",
        help=f"levers, comma-separated, among {','.join(LEVERS)}; default the scenario's "
        f"{', '.join(DEFAULT_LEVERS[:-1])} and {DEFAULT_LEVERS[-1]}",
    )
    p.add_argument("--out", help="folder for designs.csv, pareto.html, pareto_emissions.html and sizing.txt")
    p.add_argument(
        "--levels", action="append", default=[], help="levels of one lever as factors, e.g. pv=0.5,1,2 (repeatable)"
    )
    p.add_argument(
        "--method",
        choices=("search", "lp", "both"),
        default="search",
        help="search: grid and pattern search over rule-based runs (default); lp: one linear programme chooses the "
        "sizes with the dispatch (lingtan.twin.studies.lp.design), its design then simulated with the scenario's "
        "dispatch rule; both: the two, side by side",
    )
    p.add_argument(
        "--exhaustive-limit",
        type=int,
        default=16,
        metavar="N",
        help="simulate every design when the levels of the physical levers make at most N of them (default 16); "
        "above it a coarse grid and a pattern search",
    )
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
    p.add_argument("--quiet", action="store_true", help="no progress bar (none either when stderr is not a terminal)")
    return p


def _packs_epilog() -> str:
    """The criteria packs ``--criteria`` accepts, each with its name in English and Chinese."""
    from lingtan.twin.accounting.criteria import pack_names
    from lingtan.twin.reports.i18n import pack_label

    width = max(len(p) for p in pack_names())
    rows = [f"  {p:<{width}}  {pack_label(p, 'en')} / {pack_label(p, 'zh')}" for p in pack_names()]
    return "criteria packs (--criteria):\n" + "\n".join(rows)


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
        packs = [c.strip() for c in args.criteria.split(",") if c.strip()]
        if args.method != "search":
            from lingtan.twin.studies.lp.design import lp_size

            if args.out or confidence is not None:
                raise InputError(None, "--method", "search with --out or --confidence", args.method)
            lp = lp_size(args.file, packs)
            print("\n".join(lp_lines(lp)))
            if args.method == "lp":
                return 0 if lp.design.passed else 1
        # The results folder is checked and held before the search: a refused --out costs no simulation.
        with (
            reserve(args.out, "size", source=args.file) if args.out else contextlib.nullcontext(),
            progress_bars(args.quiet) as bars_done,
        ):
            res = size(
                args.file,
                packs,
                [v.strip() for v in (args.vary or "").split(",") if v.strip()] or None,
                grid_points=grid or None,
                exhaustive_limit=args.exhaustive_limit,
                network_limits=args.network_limits,
                confidence=confidence,
                weather_years=years,
                odds_mode="each" if args.each_criterion else "joint",
            )
            bars_done()
            print(summary(res))
            if args.method == "both":
                print("\n".join(side_by_side(lp, res)))
            if args.out:
                print(f"\ndesigns and Pareto plot written to {write_outputs(res, args.out)}")
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0 if res.feasible else 1


def lp_lines(lp) -> list[str]:
    """The design LP's answer for the terminal: sizes, bound, and the design simulated with the user's rule.

    Parameters
    ----------
    lp : lingtan.twin.studies.lp.design.LpSizing
        What :func:`lingtan.twin.studies.lp.design.lp_size` found.

    Returns
    -------
    list of str
    """
    s, d = lp.solution, lp.design
    lines = [
        f"LP design ({lp.problem.n_steps} steps, HiGHS, {lp.seconds:.0f} s; {lp.rounding}):",
        *(f"  {k:<40} {v:>14,.1f}" for k, v in lp.sizes.items()),
        f"  LP bound on the annualised cost (sizes and dispatch chosen together): {lp.bound_cny / 1e4:,.2f} 万 CNY/yr"
        f" (of it {lp.constant_cny / 1e4:,.2f} no LP variable moves: process fuel, certificates, fixed O&M, carbon)",
        f"  the design simulated with the scenario's dispatch rule: {d.cost_cny_per_year / 1e4:,.2f} 万 CNY/yr, "
        + ("PASS" if d.passed else f"FAIL ({', '.join(d.failed)})")
        + f"; renewable share {d.re_share:.2%} (with green power)",
    ]
    if s.status != "Optimal":
        lines.append(f"  HiGHS status {s.status}")
    return lines


def side_by_side(lp, res) -> list[str]:
    """The LP's design beside the search's: both costs and verdicts.

    Parameters
    ----------
    lp : lingtan.twin.studies.lp.design.LpSizing
        The design LP's answer.
    res : lingtan.twin.studies.sizing.SizingResult
        The search's.

    Returns
    -------
    list of str
    """
    c = res.chosen
    rows = [("LP design, simulated with the rule", lp.design.cost_cny_per_year, lp.design.passed)]
    if c is not None:
        rows.append(("search's least-cost passing design", c.cost_cny_per_year, c.passed))
    elif res.designs:  # nothing passes: the search's closest design, as its summary names it
        c = max(res.designs, key=lambda d: d.min_margin)
        rows.append(("search's closest design (none passes)", c.cost_cny_per_year, c.passed))
    out = ["", "LP against search (annualised cost, verdict):"]
    out += [f"  {name:<40} {cost / 1e4:>12,.2f} 万 CNY/yr  {'PASS' if ok else 'FAIL'}" for name, cost, ok in rows]
    out.append(f"  {'LP bound':<40} {lp.bound_cny / 1e4:>12,.2f} 万 CNY/yr")
    gap = lp.design.cost_cny_per_year - lp.bound_cny
    out.append(f"  gap of the LP design under the rule to the bound: {gap / 1e4:,.2f} 万 CNY/yr (dispatch, relaxation)")
    if c is not None and "heat_pump" not in res.vary and any(k.startswith("heat_pumps.") for k in lp.sizes):
        out.append("  the search kept the scenario's heat pumps; --vary ...,heat_pump with --levels lets it size them")
    return out
