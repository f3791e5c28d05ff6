"""Validation group ``peer``: lingtan's optimal design and dispatch against PyPSA, and against the rules.

* ``peer.lp_design.*``: the design LP of lingtan (``lingtan.twin.studies.lp``) and the PyPSA model of
  :mod:`lingtan.validation.pypsa_design`, both reading the one ``DesignProblem`` record of the default factory:
  the same optimal annualised cost within 0.1 % and the same sizes within 1 % (issue 16, point 8). Quick: two July
  weeks with the annualised capital costs of two weeks; full: the year.
* ``peer.optimal_bill.*`` (full list only): the bill of the LP's optimal dispatch of the default factory's plant is
  never above the bill of a rule-based dispatch (load following, TOU arbitrage, peak shaving) of the same plant.

Both rows need lingtan's LP; the first needs PyPSA (a development extra). A row whose reference is missing reads
"not available" with the reason (and fails under ``LINGTAN_REQUIRE_REFERENCES=1``, as the SAM rows do).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from lingtan.validation.result import CaseResult, not_available

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "hefei_auto_parts.yaml"
PEER_COST_TOL = 0.001
"""Optimal annualised cost, lingtan's LP / PyPSA - 1 (issue 16, point 8)."""
PEER_SIZE_TOL = 0.01
"""Each size, lingtan's LP / PyPSA - 1 (issue 16, point 8); relative to the larger of the two, for a size near 0."""
QUICK_DAYS = 14
QUICK_FIRST_DAY = 181
"""The quick design question: two weeks from 1 July (day 181 of a non-leap year, 0-based)."""
BILL_SLACK_CNY = 1.0
"""The optimal bill may exceed a rule's by this much [CNY/yr]: HiGHS's optimality tolerance on a bill of about
30 M CNY, far below any real difference."""
RULES = ("load_following", "tou_arbitrage", "peak_shaving")
LP_MISSING = (
    "needs lingtan's LP (lingtan.twin.studies.lp: DesignProblem, solve, optimum_bill), the lp branch of issue 16, "
    "which is not merged here"
)


def _lp_missing() -> str | None:
    if importlib.util.find_spec("lingtan.twin.studies.lp") is None:
        return LP_MISSING
    return None


GROUP = "9 Optimal design and dispatch vs PyPSA and the rules"


def _rel(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale > 0 else 0.0


def lp_design_row(quick: bool) -> CaseResult:
    """lingtan's design LP against PyPSA on the default factory's ``DesignProblem``.

    Parameters
    ----------
    quick : bool
        Two July weeks instead of the year.

    Returns
    -------
    CaseResult
    """
    from lingtan.validation.pypsa_design import PYPSA_INSTALL_HINT, inputs_from_problem, pypsa_missing, solve_design

    span = f"{QUICK_DAYS} days from 1 July, capital costs of {QUICK_DAYS} days" if quick else "the year"
    id_ = f"peer.lp_design.hefei{'_two_weeks' if quick else ''}"
    compared = f"least-cost PV, battery energy and battery power with the dispatch, {SCENARIO.name}, {span}"
    reference = "PyPSA 1.2 (linopy, HiGHS) on the same DesignProblem record (validation/pypsa_design.py)"
    why = pypsa_missing()
    if why is not None:
        return not_available(id_, GROUP, compared, reference, f"{why}: {PYPSA_INSTALL_HINT}")
    why = _lp_missing()
    if why is not None:
        return not_available(id_, GROUP, compared, reference, why)
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.run import build_profiles
    from lingtan.twin.studies.lp.problem import design_problem, free_battery, window
    from lingtan.twin.studies.lp.solve import solve

    sc = load_scenario(SCENARIO)
    problem = design_problem(sc, build_profiles(sc, SCENARIO.parent))
    problem = free_battery(problem)  # PyPSA's battery charges in any hour: both solve the same programme
    if quick:
        problem = window(problem, QUICK_FIRST_DAY, QUICK_DAYS)
    lp = solve(problem, "design")
    peer = solve_design(inputs_from_problem(problem))
    cost_gap = lp.objective_cny / peer.annualised_cost_cny - 1.0
    sizes = {
        "PV kWp": (float(lp.sizes[0]), peer.pv_kwp),
        "battery kWh": (lp.e_kwh, peer.battery_kwh),
        "battery kW": (lp.p_kw, peer.battery_kw),
    }
    worst = max(sizes, key=lambda k: _rel(*sizes[k]))
    return CaseResult(
        id=id_,
        group=GROUP,
        compared=compared,
        reference=reference,
        metric="annualised cost: LP / PyPSA - 1; sizes: largest |LP - PyPSA| / the larger",
        tolerance="cost ±0.1 %; sizes ±1 %",
        tolerance_reason="the issue's tolerances: the two programmes state one question in different variables "
        "(lingtan: flows from source to sink, a battery in two pools; PyPSA: buses, links and a store), so "
        "their optima agree up to the solvers' tolerances",
        value=f"{100 * cost_gap:+.4f} %; {100 * _rel(*sizes[worst]):.3f} % ({worst})",
        passed=bool(abs(cost_gap) <= PEER_COST_TOL and all(_rel(*v) <= PEER_SIZE_TOL for v in sizes.values())),
        note=f"LP {lp.objective_cny / 1e6:.4f} M CNY/yr, PyPSA {peer.annualised_cost_cny / 1e6:.4f} M CNY/yr; "
        + "; ".join(f"{k} LP {a:,.0f}, PyPSA {b:,.0f}" for k, (a, b) in sizes.items())
        + f"; PyPSA solved in {peer.solve_s:.0f} s",
    )


def optimal_bill_row() -> CaseResult:
    """The LP's optimal dispatch bill against every rule's bill on the default factory's plant.

    Returns
    -------
    CaseResult
    """
    id_ = "peer.optimal_bill.hefei"
    compared = f"annual grid bill (energy + basic charge - feed-in) of the plant of {SCENARIO.name}"
    reference = "the dispatch rules of the kernel on the same plant: " + ", ".join(RULES)
    why = _lp_missing()
    if why is not None:
        return not_available(id_, GROUP, compared, reference, why)
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.run import build_profiles, simulate_profiles
    from lingtan.twin.studies.lp.solve import optimum_bill

    sc = load_scenario(SCENARIO)
    prof = build_profiles(sc, SCENARIO.parent)
    best = optimum_bill(sc, prof)["total_cny"]
    bills = {}
    for rule in RULES:
        battery = sc.battery[0].model_copy(update={"dispatch": rule})
        res = simulate_profiles(sc.model_copy(update={"battery": [battery]}), prof, assessed=False)
        bills[rule] = float(res.kpis["grid_bill_cny"]["total_cny"])
    margin = min(bills.values()) - best
    return CaseResult(
        id=id_,
        group=GROUP,
        compared=compared,
        reference=reference,
        metric="lowest rule bill - LP optimal bill [CNY/yr]",
        tolerance=f">= -{BILL_SLACK_CNY:g} CNY/yr",
        tolerance_reason="the LP sees the year and chooses every flow a rule may choose (a relaxation of every "
        "rule), so no rule can bill less; the slack is HiGHS's tolerance",
        value=f"{margin:,.0f} CNY/yr",
        passed=bool(margin >= -BILL_SLACK_CNY),
        note=f"LP optimum {best / 1e6:.4f} M CNY/yr; "
        + "; ".join(f"{k} {v / 1e6:.4f} M CNY/yr" for k, v in bills.items()),
    )


def case_peer(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    """The ``peer`` group (module docstring).

    Parameters
    ----------
    quick : bool
        Two weeks of design instead of the year, and no bill row.
    plot_dir : Path, optional
        Unused (no plot).

    Returns
    -------
    list of CaseResult
    """
    rows = [lp_design_row(quick)]
    if not quick:  # a year's dispatch LP and three rule-based years: the full list only
        rows.append(optimal_bill_row())
    return rows


__all__ = ["case_peer", "lp_design_row", "optimal_bill_row", "PEER_COST_TOL", "PEER_SIZE_TOL"]
