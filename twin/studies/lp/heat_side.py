"""The heat side of ``twin size --method lp``: heat pumps sized, before the LP, to meet a waste-heat recovery row.

Why outside the LP
------------------
Anhui's admission standard asks "园区内余热余能回收率须达到10%及以上" (皖发改产业〔2024〕254号, Annex 1, 2.1): waste
heat recovered and delivered to a useful demand / all waste heat and energy of the boundary
(:func:`lingtan.twin.core.kpis.heat_kpis`). In this model that rate does not move with the electricity side: a heat
pump that runs on any electricity (``electricity: any``, the default) recovers what its capacity, its source and its
sink allow in every hour whatever the PV, wind, battery and green power, and the heat rejected by electric loads
follows the loads, not the supply (anhui-park: 7.20 % at the scenario's sizes, at twice its PV and without its
battery alike). The split is then exact: the heat side is sized first, by simulation; the design LP then chooses
the electricity side with the heat side's electricity in its load and its cost among the costs no LP variable moves.
A heat pump on ``renewable_surplus`` or a thermal store ties recovery to the surplus: the split is then an
approximation, said so in :attr:`HeatSide.text`, and the simulated design's verdict decides.

Lever and price are the search's (no second copy): ``heat_pump`` of
:func:`lingtan.twin.studies.sizing.apply_lever` scales every heat pump's ``capacity_q_kw_th`` by one factor, and a
design's cost is the annualised cost of :func:`lingtan.twin.studies.economics.project_economics` on its simulation
(the heat pumps' capital from the same cost data, the fuel they displace, their electricity).

Steps
-----
1. The least factor that meets every ``recovery_min`` row, by bisection on [0, hi] (recovery does not fall as the
   heat pumps grow), hi the first of 1, 2, 4, ... :data:`MAX_FACTOR` that passes, to :data:`FACTOR_TOL`.
2. Bigger is not always dearer (a heat pump displaces boiler fuel): that factor, the scenario's own (1) and the
   search's ``heat_pump`` levels above it are simulated, and the cheapest passing one is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from lingtan.twin.studies.sizing import DEFAULT_LEVELS, _Evaluator, apply_lever, lever_sizes

MAX_FACTOR = 16.0
"""Largest heat-pump factor tried [-]: beyond it the recovery row is reported unmet."""

FACTOR_TOL = 1e-3
"""Bisection stops when the bracket is this fraction of its upper end [-]."""


@dataclass(frozen=True)
class HeatSide:
    """The heat side the design LP is built on.

    Attributes
    ----------
    factor : float
        Heat-pump factor of the chosen heat side (1: the scenario's) [-].
    q_kw_th : float
        Total heat-pump capacity at that factor [kW_th].
    data : dict
        The scenario mapping with the heat pumps at that factor.
    text : str
        What was done, for the terminal.
    """

    factor: float
    q_kw_th: float
    data: dict
    text: str


def heat_side(data: dict, park: bool, base_dir, criteria: list[str], eco, file, rows) -> HeatSide:
    """Size the heat pumps for the recovery rows (module docstring).

    Parameters
    ----------
    data : dict
        The scenario mapping (validated).
    park : bool
        Whether it is a park.
    base_dir : Path
        Folder of the scenario file.
    criteria : list of str
        Criteria packs.
    eco : Economics
        The economics the search costs designs with.
    file : path or None
        The scenario file, for error messages.
    rows : sequence of CriterionRow
        The packs' rows (:func:`lingtan.twin.studies.lp.problem.criteria_rows`); those of kind ``recovery_min`` are
        met here.

    Returns
    -------
    HeatSide
        The scenario's heat side unchanged when no row asks for recovery or it has no heat pump.
    """
    ids = [r.id for r in rows if r.kind == "recovery_min"]
    ev = _Evaluator(data, park, base_dir, list(criteria), eco, {}, file)
    sc = ev.scenario(data)
    q0 = lever_sizes(sc, "heat_pump")
    if not ids or q0 <= 0:
        why = "no recovery criterion chosen" if not ids else "no heat pump to size"
        return HeatSide(1.0, q0, data, f"heat side as the scenario has it ({why})")

    def passes(f: float) -> tuple[bool, object]:
        dsg = ev.evaluate({"heat_pump": f}, {})
        return all(dsg.margins[i]["passed"] for i in ids if dsg.margins[i]["fixable"]), dsg

    hi = 1.0
    while not passes(hi)[0]:
        if hi >= MAX_FACTOR:
            return HeatSide(1.0, q0, data, f"no heat-pump factor up to {MAX_FACTOR:g} meets {', '.join(ids)}")
        hi *= 2
    lo = 0.0
    if passes(lo)[0]:
        hi = lo
    while hi - lo > FACTOR_TOL * hi:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if passes(mid)[0] else (mid, hi)
    candidates = sorted({hi, 1.0, *(lv for lv in DEFAULT_LEVELS["heat_pump"] if lv > hi)})
    costed = [(d.cost_cny_per_year, f) for f in candidates for ok, d in [passes(f)] if ok]
    _, best = min(costed)
    surplus = any(h.electricity == "renewable_surplus" for s in _sites(sc, park) for h in s.heat_pumps) or any(
        s.thermal_storage for s in _sites(sc, park)
    )
    text = (
        f"heat pumps x{best:.3f} ({q0 * best:,.0f} kW_th): least factor meeting {', '.join(ids)} {hi:.3f}, "
        f"cheapest of {', '.join(f'{f:g}' for f in candidates)}"
        + ("; approximate split: recovery depends on the renewable surplus here" if surplus else "")
    )
    return HeatSide(best, q0 * best, apply_lever(data, "heat_pump", best, park, {}), text)


def _sites(sc, park: bool) -> list:
    return list(sc.tenants) if park else [sc]


__all__ = ["HeatSide", "heat_side", "MAX_FACTOR", "FACTOR_TOL"]
