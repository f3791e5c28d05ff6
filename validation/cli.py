"""``twin validate [--quick] [--out DIR]``: run the validation cases and write the report.

Call :func:`main` (the lead wires it into ``twin validate``) or run
``python -m validation [--quick] [--out DIR]``.
Exit status 0 when every available case passes, 1 otherwise.

The SAM comparisons need PySAM, a development extra: without it (as after ``make demo``)
their rows read "not available" with how to install it, and do not fail the run. With
``LINGTAN_REQUIRE_REFERENCES=1`` in the environment every reference must be there: a row
not available (PySAM missing, CSWD station files missing) is a failure.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent

REQUIRE_ENV = "LINGTAN_REQUIRE_REFERENCES"
"""Set to 1 to make a missing reference (PySAM, the CSWD files) a failure instead of "not available"."""

SAM_GROUPS = {"pv": "1 PV vs SAM", "wind": "2 Wind vs SAM", "battery": "3 Battery vs SAM"}
"""The case groups of lingtan.validation.cases that run NREL SAM, with their report headings (the first three)."""


def build_parser() -> argparse.ArgumentParser:
    """The ``twin validate`` parser.

    Returns
    -------
    argparse.ArgumentParser
        Its options.
    """
    p = argparse.ArgumentParser(
        prog="twin validate",
        description="Run the validation cases (SAM, LP optimum, balances, weather, "
        "accounting) and write report.md and report.html.",
    )
    p.add_argument("--quick", action="store_true", help="a small subset (runs inside make test)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: the validation/ package folder)")
    p.add_argument(
        "--only",
        action="append",
        default=None,
        help="run only this case group (pv, wind, battery, lp, conservation, weather, accounting, network); repeatable",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar (none either when stderr is not a terminal)")
    return p


def summary_table(rows) -> str:
    """A plain-text table of every row: verdict, id, result, tolerance."""
    w_id = max([len(r.id) for r in rows] + [2])
    lines = [f"{'verdict':<20} {'id':<{w_id}}  {'result':<28} tolerance"]
    for r in rows:
        lines.append(f"{r.verdict:<20} {r.id:<{w_id}}  {str(r.value)[:28]:<28} {r.tolerance}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from lingtan.twin.cli.progress import progress_bars
    from lingtan.twin.core import progress
    from lingtan.validation.cases import CASES, run_cases
    from lingtan.validation.report import write_report
    from lingtan.validation.sam import INSTALL_HINT, pysam_missing

    if args.only:
        unknown = sorted(set(args.only) - set(CASES))
        if unknown:
            print(f"twin validate: unknown case group(s) {unknown}; known: {sorted(CASES)}", file=sys.stderr)
            return 2
    out = Path(args.out)
    plot_dir = out / "plots"
    plot_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    print(f"validation{' (quick)' if args.quick else ''}:", flush=True)
    groups = list(args.only or CASES)
    no_sam = [g for g in groups if g in SAM_GROUPS]
    why = pysam_missing() if no_sam else None
    if why is None:
        no_sam = []
    run = [g for g in groups if g not in no_sam]
    # the SAM groups come first in CASES, so their rows stay first in the report
    rows = _sam_not_available(no_sam, why)
    with progress_bars(args.quiet or not run) as bars_done:
        progress.stage("progress_validation", len(run))
        for group in [g for g in CASES if g in run]:  # one group at a time, in the report's order: the bar counts them
            rows += run_cases(args.quick, plot_dir, only=[group], log=_log)
            progress.advance()
        bars_done()
    required = os.environ.get(REQUIRE_ENV, "") not in ("", "0")
    missing = [r for r in rows if r.passed is None and not r.explained]
    if required:
        rows = [dataclasses.replace(r, passed=False) if r.passed is None and not r.explained else r for r in rows]
    elapsed = time.perf_counter() - t0
    md, html = write_report(rows, out, quick=args.quick, elapsed_s=elapsed)
    print(summary_table(rows))
    failed = [r for r in rows if r.passed is False]
    n_pass = sum(r.passed is True for r in rows)
    n_other = len(rows) - n_pass - len(failed)
    if no_sam:
        print(f"\n{', '.join(no_sam)}: not available: {INSTALL_HINT}")
    print(
        f"\n{n_pass} passed, {len(failed)} failed, {n_other} not available or compared-and-explained "
        f"in {elapsed:.0f} s; report: {md} and {html}"
    )
    if required and missing:
        print(
            f"twin validate: {REQUIRE_ENV} is set and {len(missing)} reference(s) are not available: "
            + "; ".join(f"{r.id} ({r.note})" for r in missing),
            file=sys.stderr,
        )
    return 1 if failed else 0


def _log(line: str) -> None:
    """One line of the log above the progress bar (tqdm redraws the bar below it)."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stdout)
    sys.stdout.flush()


def _sam_not_available(groups: list[str], why: str | None) -> list:
    """One "not available" row per SAM case group that cannot run for want of PySAM."""
    from lingtan.validation.result import not_available
    from lingtan.validation.sam import INSTALL_HINT

    return [
        not_available(
            f"{g}.sam",
            SAM_GROUPS[g],
            f"case '{g}' against NREL SAM",
            "PySAM (NREL SAM)",
            f"{INSTALL_HINT}; PySAM cannot be imported ({why})",
        )
        for g in groups
    ]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
