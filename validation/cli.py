"""``twin validate [--quick] [--out DIR]``: run the validation cases and write the report.

Call :func:`main` (the lead wires it into ``twin validate``) or run
``python -m validation [--quick] [--out DIR]``.
Exit status 0 when every available case passes, 1 otherwise.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="twin validate",
                                description="Run the validation cases (SAM, LP optimum, balances, weather, "
                                            "accounting) and write report.md and report.html.")
    p.add_argument("--quick", action="store_true", help="a small subset (runs inside make test)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: the validation/ package folder)")
    p.add_argument("--only", action="append", default=None,
                   help="run only this case group (pv, wind, battery, lp, conservation, weather, accounting, "
                        "network); repeatable")
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
    from validation.cases import CASES, run_cases
    from validation.report import write_report

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
    rows = run_cases(args.quick, plot_dir, only=args.only, log=lambda s: print(s, flush=True))
    elapsed = time.perf_counter() - t0
    md, html = write_report(rows, out, quick=args.quick, elapsed_s=elapsed)
    print(summary_table(rows))
    failed = [r for r in rows if r.passed is False]
    n_pass = sum(r.passed is True for r in rows)
    n_other = len(rows) - n_pass - len(failed)
    print(f"\n{n_pass} passed, {len(failed)} failed, {n_other} not available or compared-and-explained "
          f"in {elapsed:.0f} s; report: {md} and {html}")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
