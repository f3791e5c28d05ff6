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

from lingtan.errors import InputError

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
            f"{args.file}: ok ({sc.name}: park of {len(sc.tenants)} tenants; shared {len(sc.shared.pv)} PV, "
            f"{len(sc.shared.wind)} wind, {len(sc.shared.battery)} battery; {len(sc.heat_network)} heat-network links)"
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
    from lingtan.twin.cli.progress import progress_bars
    from lingtan.twin.core.scenario import load_scenario

    path = Path(args.file)
    sc = load_scenario(path)
    lang = args.lang or sc.lang
    try:
        with progress_bars(args.quiet, lang):
            out, text, runs = _simulate_and_write(args, sc, path, lang)
    except InputError as err:
        raise _told_as_check_tells_it(err, sc, path) from None
    if not args.quiet:
        from lingtan.twin.reports.i18n import label

        print(text)
        print("\n" + label("term_results_written", lang).format(out=out))
    return _run_warnings(sc, path, runs)


def _told_as_check_tells_it(err: InputError, sc, path: Path) -> InputError:
    """A reader's error in a file the scenario names (a weather file, a load CSV), told as ``twin check`` tells
    it: the scenario file and the field that names the file first. Only on the error path: the check re-reads
    the inputs to find which field it was."""
    if Path(err.file) == path:
        return err
    from lingtan.twin.check import read_inputs

    problems, _ = read_inputs(sc, path.parent, path)
    return next((p for p in problems if (p.expected, p.found) == (err.expected, err.found)), err)


def _simulate_and_write(args, sc, path: Path, lang: str):
    """Simulate ``twin run``'s scenario (a plan, a park or a factory, with its base, ensemble or uncertainty) and
    write its results folder; returns the folder, the summary text and the simulated years for the warnings."""
    from lingtan.twin.core import progress
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.reports.output import write_park, write_run
    from lingtan.twin.reports.summary import economics_lines, park_summary, summary_table
    from lingtan.twin.studies.economics import GRID_ONLY
    from lingtan.twin.studies.life import run_economics
    from lingtan.twin.studies.park import simulate_site

    if not isinstance(sc, Park) and sc.plan is not None:
        from lingtan.twin.reports.output import write_plan
        from lingtan.twin.reports.summary import plan_summary
        from lingtan.twin.studies.plan import run_plan

        if args.base:
            raise InputError(path, "--base", "a single-year scenario (a plan compares its own years)", "a plan")
        if args.weather_years is not None or sc.weather.ensemble is not None:
            raise InputError(path, "--weather-years", "a single-year scenario (a plan runs its own years)", "a plan")
        result = run_plan(path, file=path)
        progress.stage("progress_reports")
        out, text = write_plan(result, args.out, lang=lang, reports=args.reports), plan_summary(result, lang)
        runs = [(f"year {run.scenario.year}: ", run) for run in result.years]
    else:
        joint = sc.uncertainty is not None and (args.weather_years is not None or sc.weather.ensemble is not None)
        if sc.uncertainty is not None:
            from lingtan.twin.reports.tornado import run_uncertainty, uncertainty_lines
        from lingtan.twin.studies.lp.rolling import optimal_strategy

        if args.weather_years is not None or sc.weather.ensemble is not None:
            progress.stage("progress_weather_years")  # the members' own stages would hide this one
            with progress.muted():
                # Jointly: each weather year draws one sample of the other uncertainties (studies.joint).
                ens, unc = _simulate_ensemble(sc, path, args.weather_years, joint)
            result = ens.typical
        else:
            if not isinstance(sc, Park):  # a park names its own stages (studies.park)
                progress.stage("progress_year")
            ens, unc, result = None, None, simulate_site(sc, path.parent, optimal_strategy)
        if args.base:
            progress.stage("progress_base")
            with progress.muted():
                base = _simulate_base(args.base, sc, path)
        else:
            base = None
        base_dir = Path(args.base).parent if args.base and args.base != GRID_ONLY else path.parent
        progress.stage("progress_economics")
        econ = run_economics(result, path.parent, base, base_dir)
        write, summary = (
            (write_park, park_summary(result, lang, ensemble=ens))
            if isinstance(sc, Park)
            else (write_run, summary_table(result, lang, ensemble=ens))
        )
        lp_line = ""
        if not isinstance(sc, Park) and not args.no_lp_optimum:
            from lingtan.twin.studies.lp.solve import add_optimum_bill

            lp_line = add_optimum_bill(result, path.parent)  # into kpis.json: before the folder is written
        # Run before the folder is written: it is written once, whole, with the members and the tornado in it.
        if sc.uncertainty is not None and not joint:
            progress.stage("progress_uncertainty")
            with progress.muted():
                unc = run_uncertainty(sc, path, result)
        extra = {k: v for k, v in (("ensemble", ens), ("uncertainty", unc)) if v is not None}
        progress.stage("progress_reports")
        out = write(result, args.out, lang=lang, reports=args.reports, economics=econ, **extra)
        text = "\n".join([summary, *economics_lines(econ, lang, args.base or "")])
        if lp_line:
            text = "\n".join([text, lp_line])
        if unc is not None:
            text = "\n".join([text, *uncertainty_lines(unc)])
        runs = [("", result)]
    return out, text, runs


def _simulate_ensemble(sc, path: Path, years: int | None, joint: bool = False):
    """The weather-year ensemble of ``twin run`` (``--weather-years`` or the scenario's ``weather.ensemble``) and,
    with ``joint``, the uncertainty ensemble drawn with it (:func:`lingtan.twin.reports.tornado.run_joint`), else
    None beside the ensemble."""
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
    if joint:
        from lingtan.twin.reports.tornado import run_joint

        return run_joint(sc, path, years)
    return simulate_ensemble(sc, path.parent, years=years, file=path), None


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
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.studies.economics import GRID_ONLY, grid_only_base
    from lingtan.twin.studies.park import simulate_site

    if spec == GRID_ONLY:
        sc, base_dir = grid_only_base(scenario), path.parent
    else:
        if not Path(spec).is_file():  # a typo of grid-only reads as a missing file: name both readings
            raise InputError(spec, "--base", f"{GRID_ONLY} or an existing scenario YAML file", "no such file")
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
    "assess": "lingtan.twin.cli.assess",
    "calibrate": "lingtan.twin.cli.calibrate",
}


_PASSTHROUGH_HELP = {
    "validate": "compare the twin with outside references and write the validation report "
    "(twin validate [--quick] [--out DIR] [--only GROUP])",
    "sweep": "sweep scenario fields over a grid, a Latin hypercube or one at a time "
    "(twin sweep FILE --param pv[0].capacity_kwp=0:20000:21 --out DIR)",
    "dashboard": "serve the dashboard on http://127.0.0.1:8050",
    "size": "least-cost design that passes the chosen criteria (twin size FILE --criteria "
    "PACK --vary pv,battery,green_power)",
    "meters": "import and check meter data (twin meters import|check|generate ...)",
    "assess": "verdicts from meter data and the year-end odds (twin assess FILE --meters SOURCE)",
    "calibrate": "fit the scenario to its meters, ASHRAE Guideline 14 before and after "
    "(twin calibrate FILE --meters SOURCE --map MAP --out DIR)",
}
"""The sub-commands whose own parsers take the rest of the line, in the order ``twin --help`` lists them."""


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
    p.add_argument("file", help="scenario YAML (a factory, a park or a plan)")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("run", help="simulate a scenario year and write the results")
    p.add_argument("file", help="scenario YAML (a factory, a park or a plan)")
    p.add_argument("--out", required=True, help="results folder (replaced atomically)")
    p.add_argument(
        "--quiet", action="store_true", help="print nothing on success, no progress bar (none either off a terminal)"
    )
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
        "--no-lp-optimum",
        action="store_true",
        help="leave out the bill of the LP optimum's dispatch of the same plant (a year's LP: seconds to a minute)",
    )
    p.add_argument(
        "--weather-years",
        type=int,
        metavar="N",
        help="also run N synthetic weather years with the site's interannual spread (weather.ensemble.years) and "
        "give every KPI's P10/P50/P90 and every simulated criterion's probability of passing",
    )
    p.set_defaults(func=_cmd_run)
    for name, help_text in _PASSTHROUGH_HELP.items():
        p = sub.add_parser(name, help=help_text, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=_cmd_passthrough(_PASSTHROUGH[name]))
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
