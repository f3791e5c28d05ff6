"""The design LP of the default factory-year against PyPSA's time on the same problem (issue 16, "make bench").

Lines printed (times and their ratio, never asserted):

* design LP, 60 min: lingtan's ``solve(problem, "design")`` and PyPSA (linopy, HiGHS) on the same ``DesignProblem``
  record (:mod:`lingtan.validation.pypsa_design`), with both optima;
* design LP, 15 min: the same at 35 040 quarter hours, the profiles built at 15 minutes (``time_step_min``);
* the rolling-horizon dispatch of the year (48 h windows re-solved daily, perfect and persistence forecasts) beside
  the year's perfect-foresight dispatch LP in the same run, with the bills. PyPSA's
  ``optimize_with_rolling_horizon`` is not timed as the peer: it carries the stores' energy from one window to the
  next but re-chooses and re-bills every window's own demand (PyPSA has no running monthly peak to carry), and it
  solves on the true profiles with no forecast and no realisation against them, so it is not the same programme.

Each solve runs once: on two shared cores the spread between runs is larger than a repeat would remove.
Run alone: ``python benchmarks/lp_bench.py [--quick]`` (quick: two weeks instead of the year).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"


def _problem(step_min: int):
    """The default factory's DesignProblem with its profiles built at ``step_min`` minutes."""
    from lingtan.loader import read_yaml
    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.run import build_profiles
    from lingtan.twin.studies.lp.problem import design_problem

    data = read_yaml(SCENARIO)
    data["time_step_min"] = step_min
    sc = scenario_from_dict(data, SCENARIO)
    prof = build_profiles(sc, SCENARIO.parent, any_step=True)
    return design_problem(sc, prof, step_h=step_min / 60.0)


def design_line(step_min: int, quick: bool) -> str:
    """Time lingtan's design LP and PyPSA's on the same problem; one printed line."""
    from lingtan.twin.studies.lp.problem import free_battery, window
    from lingtan.twin.studies.lp.solve import solve
    from lingtan.validation.pypsa_design import inputs_from_problem, solve_design

    p = free_battery(_problem(step_min))  # PyPSA's battery charges in any hour: the same programme for both
    if quick:
        p = window(p, 181, 14)
    t0 = time.perf_counter()
    lp = solve(p, "design")
    t_lp = time.perf_counter() - t0
    peer = solve_design(inputs_from_problem(p))
    span = "two July weeks" if quick else "the year"
    return (
        f"design LP, {step_min} min, {span} ({p.n_steps} steps): lingtan {t_lp:.1f} s, "
        f"PyPSA {peer.solve_s:.1f} s, ratio lingtan/PyPSA {t_lp / peer.solve_s:.2f}; optimum lingtan "
        f"{lp.objective_cny / 1e6:.4f}, PyPSA {peer.annualised_cost_cny / 1e6:.4f} M CNY/yr"
    )


def rolling_line(quick: bool) -> str:
    """Time the rolling-horizon dispatch against the year's dispatch LP on the default factory; one printed line."""
    from lingtan.components import grid as gridmod
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.run import build_profiles
    from lingtan.twin.studies.lp.problem import design_problem, window
    from lingtan.twin.studies.lp.rolling import Forecast, rolling_solve
    from lingtan.twin.studies.lp.solve import solve

    sc = load_scenario(SCENARIO)
    prof = build_profiles(sc, SCENARIO.parent)
    p = design_problem(sc, prof, step_h=prof.step_h)
    index = prof.index
    if quick:
        p, index = window(p, 181, 14), index[181 * 24 : (181 + 14) * 24]

    def bill(f) -> float:
        return gridmod.monthly_bill(f["g"] + f["cg"], f["x"], index, prof.tariff, p.step_h).totals()["total_cny"]

    t0 = time.perf_counter()
    year = solve(p, "dispatch")
    t_year = time.perf_counter() - t0
    parts = [f"year LP {t_year:.1f} s, bill {bill(year.flows) / 1e6:.4f}"]
    for kind in ("perfect", "persistence"):
        t0 = time.perf_counter()
        roll = rolling_solve(p, 48, Forecast(kind))
        t = time.perf_counter() - t0
        parts.append(
            f"rolling 48 h {kind} {t:.1f} s ({roll.windows} windows, ratio to the year LP {t / t_year:.2f}), "
            f"bill {bill(roll.solution.flows) / 1e6:.4f}"
        )
    span = "two July weeks" if quick else "the year"
    return f"dispatch, 60 min, {span}: " + "; ".join(parts) + " M CNY (PyPSA peer: none, module docstring)"


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    print("LP benchmark (issue 16): lingtan's design LP against PyPSA on the same DesignProblem", flush=True)
    if importlib.util.find_spec("lingtan.twin.studies.lp") is None:
        print("  lingtan's LP (lingtan.twin.studies.lp, issue 16) is not in this tree: nothing to time")
        return 0
    if importlib.util.find_spec("pypsa") is None:
        print("  PyPSA is not installed (pip install -e '.[dev]'): no design LP to compare")
    else:
        for step in (60, 15):
            print("  " + design_line(step, quick), flush=True)
    print("  " + rolling_line(quick), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
