"""The ``twin`` command.

Exit codes
----------
0
    Success (``twin check``: the scenario and every input it names are fit to run; plausibility
    warnings may still be printed).
2
    Bad input: ``twin run`` prints one line on stderr naming the file, the field path, what was
    expected and what was found; ``twin check`` prints one such line for every problem it finds.
    Never a traceback.
3
    An energy balance did not close: a bug in the model, to be reported.
4
    ``twin run`` only: the results are written, but more than 0.1 % of the load is unserved, so every
    simulated verdict is "not assessable". A scenario whose ``study`` is ``off_grid`` or ``islanding``
    expects unserved load and exits 0 (the warning is printed all the same).

Warnings (``warning: FILE: FIELD: ...`` on stderr) say what looks implausible without refusing it:
see :mod:`lingtan.twin.plausibility`.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

EXIT_INPUT = 2
EXIT_MODEL = 3
EXIT_UNSERVED = 4


def _warn(file, findings) -> None:
    for finding in findings:
        print(f"warning: {file}: {finding}", file=sys.stderr)


def _cmd_check(args) -> int:
    from lingtan.twin.check import check
    from lingtan.twin.core.schema.park import Park

    result = check(args.file)
    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    _warn(args.file, result.warnings)
    if result.problems:
        return EXIT_INPUT
    sc = result.scenario
    if isinstance(sc, Park):
        print(
            f"{args.file}: ok ({sc.name}: park of {len(sc.tenants)} tenants, {len(sc.shared.pv)} shared PV, "
            f"{len(sc.heat_network)} heat-network links)"
        )
    else:
        years = f", plan of {result.plan_years} years" if result.plan_years is not None else ""
        print(
            f"{args.file}: ok ({sc.name}: {len(sc.loads)} loads, {len(sc.processes)} production lines, "
            f"{len(sc.pv)} PV, {len(sc.wind)} wind, {len(sc.battery)} battery{years})"
        )
    return 0


def _holding_out(command):
    """Check and lock ``--out`` before the command simulates: a refused folder costs no simulation, and a
    concurrent run into the same folder is refused with this one's PID
    (:func:`lingtan.twin.core.results_dir.reserve`)."""

    def run(args) -> int:
        from lingtan.twin.core.results_dir import reserve

        with reserve(args.out, "run", source=args.file):
            return command(args)

    return run


@_holding_out
def _cmd_run(args) -> int:
    from lingtan.errors import InputError
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.reports.output import write_park, write_run
    from lingtan.twin.reports.summary import economics_lines, park_summary, summary_table
    from lingtan.twin.studies.economics import GRID_ONLY
    from lingtan.twin.studies.life import run_economics
    from lingtan.twin.studies.park import simulate_site

    path = Path(args.file)
    sc = load_scenario(path)
    lang = args.lang or sc.lang
    if not isinstance(sc, Park) and sc.plan is not None:
        from lingtan.twin.reports.output import write_plan
        from lingtan.twin.reports.summary import plan_summary
        from lingtan.twin.studies.plan import run_plan

        if args.base:
            raise InputError(path, "--base", "a single-year scenario (a plan compares its own years)", "a plan")
        if args.weather_years is not None or sc.weather.ensemble is not None:
            raise InputError(path, "--weather-years", "a single-year scenario (a plan runs its own years)", "a plan")
        result = run_plan(path, file=path)
        out, text = write_plan(result, args.out, lang=lang, reports=args.reports), plan_summary(result, lang)
        runs = [(f"year {run.scenario.year}: ", run) for run in result.years]
    else:
        if sc.uncertainty is not None and (args.weather_years is not None or sc.weather.ensemble is not None):
            # Each weather member drawing one sample of the other uncertainties is not wired yet (closing note).
            raise InputError(
                path, "uncertainty", "no weather ensemble beside it (run them separately)", "both together"
            )
        if sc.uncertainty is not None:
            from lingtan.twin.reports.tornado import refuse_unbuilt, run_uncertainty, uncertainty_lines

            refuse_unbuilt(sc, path)  # before a park's seconds of simulation
        ens = _simulate_ensemble(sc, path, args.weather_years)
        result = simulate_site(sc, path.parent) if ens is None else ens.typical
        base = _simulate_base(args.base, sc, path) if args.base else None
        base_dir = Path(args.base).parent if args.base and args.base != GRID_ONLY else path.parent
        econ = run_economics(result, path.parent, base, base_dir)
        write, summary = (
            (write_park, park_summary(result, ensemble=ens))
            if isinstance(sc, Park)
            else (write_run, summary_table(result, lang, ensemble=ens))
        )
        # Run before the folder is written: it is written once, whole, with the members and the tornado in it.
        unc = run_uncertainty(sc, path, result) if sc.uncertainty is not None else None
        extra = {"ensemble": ens} if unc is None else {"uncertainty": unc}
        out = write(result, args.out, lang=lang, reports=args.reports, economics=econ, **extra)
        text = "\n".join([summary, *economics_lines(econ, lang, args.base or "")])
        if unc is not None:
            text = "\n".join([text, *uncertainty_lines(unc)])
        runs = [("", result)]
    if not args.quiet:
        print(text)
        print(f"\nresults written to {out}")
    return _run_warnings(sc, path, runs)


def _simulate_ensemble(sc, path: Path, years: int | None):
    """The weather-year ensemble of ``twin run`` (``--weather-years`` or the scenario's ``weather.ensemble``), or
    None for a single-year run."""
    from lingtan.errors import InputError
    from lingtan.limits import MAX_ENSEMBLE_YEARS
    from lingtan.twin.core.schema.site import FileWeather
    from lingtan.twin.studies.ensemble import simulate_ensemble

    if years is not None:
        if not 2 <= years <= MAX_ENSEMBLE_YEARS:
            raise InputError(path, "--weather-years", f"an integer from 2 to {MAX_ENSEMBLE_YEARS}", str(years))
        if isinstance(sc.weather, FileWeather):
            raise InputError(
                path,
                "--weather-years",
                "synthetic weather (weather.source: synthetic); for file weather give weather.ensemble.paths, "
                "one file per year",
                f"weather.source: {sc.weather.source}",
            )
    elif sc.weather.ensemble is None:
        return None
    return simulate_ensemble(sc, path.parent, years=years, file=path)


def _run_warnings(sc, path: Path, runs) -> int:
    """Print the plausibility warnings of a finished run and the unserved-load warning of each simulated year;
    the exit code: :data:`EXIT_UNSERVED` when load is unserved in a study that does not expect it."""
    from lingtan.twin.check import read_inputs
    from lingtan.twin.plausibility import findings, unserved_finding

    _, inputs = read_inputs(sc, path.parent, path)  # read without a problem by the run just done
    _warn(path, findings(sc, inputs.weather[0] if inputs.weather else None, inputs.load_kw, inputs.ef_t_per_mwh))
    lost = [f for label, run in runs if (f := unserved_finding(run, label)) is not None]
    _warn(path, lost)
    return EXIT_UNSERVED if lost and sc.study == "grid_connected" else 0


def _simulate_base(spec: str, scenario, path: Path):
    """The base case of ``twin run --base``: ``grid-only`` (this scenario without PV, wind and batteries) or a
    scenario file of the same kind (factory or park), one year."""
    from lingtan.errors import InputError
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.studies.economics import GRID_ONLY, grid_only_base
    from lingtan.twin.studies.park import simulate_site

    if spec == GRID_ONLY:
        sc, base_dir = grid_only_base(scenario), path.parent
    else:
        sc, base_dir = load_scenario(Path(spec)), Path(spec).parent
        if type(sc) is not type(scenario) or getattr(sc, "plan", None) is not None:
            want = "a park" if isinstance(scenario, Park) else "a single-year factory"
            raise InputError(
                spec, "--base", f"{GRID_ONLY} or {want} scenario, like the one run", type(sc).__name__.lower()
            )
    return simulate_site(sc, base_dir)


# Sub-commands whose own parser lives with their module; their arguments go to it untouched. They are
# imported by name only when used: the sweep engine alone costs 0.4 s of imports, and the dashboard and
# the validation sit above the engine (they import it; the engine never imports them).
_PASSTHROUGH = {
    "sweep": "lingtan.twin.cli.sweep",
    "size": "lingtan.twin.cli.size",
    "dashboard": "lingtan.dashboard.app",
    "validate": "lingtan.validation.cli",
    "meters": "lingtan.twin.cli.meters",
}


def _cmd_passthrough(module: str):
    def run(args) -> int:
        import importlib

        return importlib.import_module(module).main(args.rest)

    return run


def build_parser() -> argparse.ArgumentParser:
    """The ``twin`` command's parser, with its sub-commands (pass-through ones excepted).

    Returns
    -------
    argparse.ArgumentParser
        Each sub-parser sets ``func``, the function that runs it.
    """
    parser = argparse.ArgumentParser(
        prog="twin", description="Hour-by-hour digital twin of zero-carbon factories and parks (lingtan)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="validate a scenario file without running it")
    p.add_argument("file")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("run", help="simulate a scenario year and write the results")
    p.add_argument("file")
    p.add_argument("--out", required=True, help="results folder (replaced atomically)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.add_argument("--lang", choices=("en", "zh"), default=None, help="report language (default: the scenario's)")
    p.add_argument(
        "--reports",
        choices=("all", "html", "none"),
        default="all",
        help="write report.html and report.xlsx (all), only the HTML, or neither (tables only)",
    )
    p.add_argument(
        "--base",
        metavar="FILE|grid-only",
        help="the base case: a scenario file of the same kind, or grid-only (this scenario without its "
        "PV, wind and batteries); adds savings, payback and the cost per tonne CO2 avoided",
    )
    p.add_argument(
        "--weather-years",
        type=int,
        metavar="N",
        help="also run N synthetic weather years with the site's interannual spread (weather.ensemble.years) and "
        "give every KPI's P10/P50/P90 and every simulated criterion's probability of passing",
    )
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser(
        "validate",
        help="compare the twin with outside references and write the validation report "
        "(twin validate [--quick] [--out DIR] [--only GROUP])",
        add_help=False,
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_passthrough(_PASSTHROUGH["validate"]))
    p = sub.add_parser(
        "sweep",
        help="sweep scenario fields over a grid, a Latin hypercube or one at a time "
        "(twin sweep FILE --param pv[0].capacity_kwp=0:20000:21 --out DIR)",
        add_help=False,
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_passthrough(_PASSTHROUGH["sweep"]))
    p = sub.add_parser("dashboard", help="serve the dashboard on http://127.0.0.1:8050", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_passthrough(_PASSTHROUGH["dashboard"]))
    p = sub.add_parser(
        "size",
        help="least-cost design that passes the chosen criteria (twin size FILE --criteria "
        "PACK --vary pv,battery,green_power)",
        add_help=False,
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_passthrough(_PASSTHROUGH["size"]))
    p = sub.add_parser(
        "meters", help="import and check meter data (twin meters import|check|generate ...)", add_help=False
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_passthrough(_PASSTHROUGH["meters"]))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``twin`` command: bad input prints one line and returns :data:`EXIT_INPUT`.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0, the sub-command's own, :data:`EXIT_INPUT` or :data:`EXIT_MODEL`.
    """
    from lingtan.errors import BalanceError, InputError

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in _PASSTHROUGH:
        args = argparse.Namespace(rest=argv[1:], func=_cmd_passthrough(_PASSTHROUGH[argv[0]]))
    else:
        args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        # Data-quality warnings are for the user: one line each, no source location.
        warnings.simplefilter("default")
        warnings.showwarning = lambda msg, cat, *a, **k: print(f"warning: {msg}", file=sys.stderr)
        try:
            return args.func(args)
        except InputError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_INPUT
        except BalanceError as err:
            print(f"internal error (please report): {err}", file=sys.stderr)
            return EXIT_MODEL
        except BrokenPipeError:  # the reader went away (twin run ... | head): nothing left to say
            sys.stderr.close()
            return 0


if __name__ == "__main__":
    sys.exit(main())
