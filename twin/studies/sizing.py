"""Least-cost sizing: the cheapest design that passes the chosen criteria, with the Pareto front.

``twin size FILE --criteria PACK[,PACK] [--vary pv,battery,green_power] [--out DIR]``

Levers
------
Each lever scales one asset family of the scenario by a factor (the scenario as written is factor 1).
Without ``--vary`` the levers are the electricity supply the scenario has (``pv``, ``wind``, ``battery``)
and ``green_power`` (:func:`default_levers`); the heat levers are chosen explicitly.

* ``pv`` — ``capacity_kwp`` of every PV array (a park: the shared PV; every tenant's PV if there is
  none), never above an array's ``max_capacity_kwp`` (a factor beyond it holds the array at its roof or land
  limit). Factor 0 removes the arrays.
* ``battery`` — energy and power of the battery (a park: the central battery). Factor 0 removes it.
* ``wind`` — the turbine count of every wind farm (rounded; 0 removes the farm).
* ``heat_pump`` — ``capacity_q_kw_th`` of every heat pump; ``thermal_storage`` — capacity and
  charge/discharge limits of every thermal store (a park: every tenant's).
* ``green_power`` — the contracted green power (绿电交易) [kWh]; its reference (factor 1) is the
  scenario's contract, or 10 % of the site's electricity consumption when it has none.

Method
------
1. The base design is simulated; criteria of the chosen packs with role ``admission`` or ``target``
   that read a **declared** fact (or nothing) cannot be changed by sizing: those that fail are listed
   as ``unfixable`` and the design is sized for the criteria that read simulated values.
2. Physical levers (everything but green power) span a lattice of levels. With at most
   ``exhaustive_limit`` lattice points every point is simulated (exhaustive grid). Otherwise a coarse
   grid (first, middle and last level of each lever) is simulated, then a pattern search on the full
   lattice moves from the best coarse point to its best neighbour (one level up or down in one lever)
   while that lowers the cost of a passing design (or, while nothing passes, raises the smallest margin).
3. Green power changes no hourly flow, only the accounting: for every simulated design every green
   power level is assessed without re-simulating (cheap), so that lever is always searched exhaustively.
   With ``refine=True`` the contract of the chosen design is then bisected between the passing level and
   the level below, to the least passing amount (within 0.1 % of the reference).
4. Cost = annualised cost of :func:`lingtan.twin.studies.economics.project_economics` (assets with replacement and
   salvage, grid bill, fuel, green-power premiums, carbon). A design passes when every fixable criterion
   passes and, with ``network_limits`` (a park), its network stays within limits every hour. Without it
   the search's park years skip the network power flow and only the chosen design is checked. The chosen design is
   the least-cost passing one; the Pareto front keeps the designs not
   dominated in (lower cost, higher renewable share) and in (lower cost, lower residual emissions).

Sizing with odds
----------------
``twin size FILE --criteria PACK --confidence p [--weather-years N] [--each-criterion]`` (``confidence``):
a design passes when it passes in at least a fraction ``p`` of the years of a weather-year ensemble
(``--weather-years N`` synthetic years, else the scenario's ``weather.ensemble``, else
:data:`DEFAULT_WEATHER_YEARS`; :func:`lingtan.twin.studies.ensemble.member_weathers`).

* ``joint`` (default): the probability that **every** fixable criterion passes **in the same year**
  (a member with unserved load passes nothing); ``each`` (``--each-criterion``): every fixable criterion
  passes in at least ``p`` of the years on its own (looser: the years that fail may differ).
* The fixable criteria are those of step 1 at the design in the typical year; the cost, the Pareto fronts
  and the typical-year verdict printed beside are the typical year's (the scenario's own weather).
* Speed: the members' profiles do not depend on sizes: they are built once per member for the whole
  search; the designs of a search step are dispatched through the kernel side by side, one call per
  member (:func:`lingtan.twin.studies.sweep.fast_rows`), and judged from their annual KPIs. Hence a factory
  whose verdicts the annual KPIs decide (no heat side, a constant grid factor:
  :func:`lingtan.twin.studies.sweep.fast_verdicts_possible`); anything else is refused.
* While nothing passes, the pattern search follows the smallest over the criteria of the margin exceeded in
  a fraction ``p`` of the years.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lingtan.errors import InputError
from lingtan.twin.core import progress
from lingtan.twin.core.odds import exceedance
from lingtan.twin.core.schema.economics import Economics
from lingtan.twin.studies.economics import project_economics

LEVERS = ("pv", "battery", "wind", "heat_pump", "thermal_storage", "green_power")
ACCOUNTING_LEVERS = ("green_power",)
DEFAULT_LEVELS: dict[str, list[float]] = {
    "pv": [0.5, 1.0, 1.5, 2.0],
    "battery": [0.0, 0.5, 1.0, 2.0],
    "wind": [0.0, 1.0, 2.0, 3.0],
    "heat_pump": [0.0, 0.5, 1.0, 1.5],
    "thermal_storage": [0.0, 0.5, 1.0, 2.0],
    "green_power": [0.0, 0.5, 1.0, 1.1, 1.2, 1.3, 1.5, 2.0],
}
SIZING_ROLES = ("admission", "target")
DEFAULT_LEVERS = ("pv", "wind", "battery", "green_power")
DEFAULT_WEATHER_YEARS = 50
"""Weather years of ``--confidence`` when neither ``--weather-years`` nor ``weather.ensemble`` names them [-]:
with 50 years a pass probability moves in steps of 2 %, and the search takes seconds."""
ODDS_MODES = ("joint", "each")
"""How a design's pass probability is read (module docstring, "Sizing with odds")."""


# --------------------------------------------------------------------------- applying levers


def _sites(data: dict, park: bool, family: str) -> list[dict]:
    """The dicts holding ``family`` lists that a lever scales."""
    if not park:
        return [data]
    shared = data.setdefault("shared", {})
    if family in ("pv", "battery", "wind") and shared.get(family):
        return [shared]
    return list(data["tenants"])


def apply_lever(data: dict, lever: str, factor: float, park: bool, reference: dict) -> dict:
    """Scale one lever of a scenario dict (a deep copy is modified and returned).

    Parameters
    ----------
    data : dict
        The scenario mapping; not changed.
    lever : str
        One of :data:`DEFAULT_LEVELS`' keys (``pv``, ``battery``, ``wind``, ``heat_pump``, ``thermal_storage``,
        ``green_power``).
    factor : float
        Multiplier of the lever's sizes (0 removes the assets; wind counts are rounded; PV is held at its
        ``max_capacity_kwp``).
    park : bool
        Whether ``data`` is a park (the shared assets, else the tenants', are scaled).
    reference : dict of str to float
        Reference sizes by lever; ``green_power`` [kWh/yr] is read here.

    Returns
    -------
    dict
        The scaled copy.
    """
    d = copy.deepcopy(data)
    if lever == "green_power":
        d.setdefault("green_power", {})["green_power_contract_e_kwh"] = float(reference["green_power"] * factor)
        return d
    key = {
        "pv": "pv",
        "battery": "battery",
        "wind": "wind",
        "heat_pump": "heat_pumps",
        "thermal_storage": "thermal_storage",
    }[lever]
    for site in _sites(d, park, lever):
        items = site.get(key) or []
        out = []
        for it in items:
            it = dict(it)
            if lever == "pv":
                it["capacity_kwp"] = it["capacity_kwp"] * factor
                if it.get("max_capacity_kwp") is not None:  # the roof or land holds no more
                    it["capacity_kwp"] = min(it["capacity_kwp"], it["max_capacity_kwp"])
                keep = it["capacity_kwp"] > 0
            elif lever == "battery":
                for k in ("energy_kwh", "power_kw", "charge_power_kw", "discharge_power_kw"):
                    if it.get(k) is not None:
                        it[k] = it[k] * factor
                keep = factor > 0
            elif lever == "wind":
                it["count"] = int(round(it.get("count", 1) * factor))
                keep = it["count"] >= 1
            elif lever == "heat_pump":
                it["capacity_q_kw_th"] = it["capacity_q_kw_th"] * factor
                keep = True
            else:
                for k in ("capacity_kwh_th", "charge_kw_th", "discharge_kw_th"):
                    it[k] = it[k] * factor
                keep = True
            if keep:
                out.append(it)
        if items:
            site[key] = out
            gone = {it["name"] for it in items} - {it["name"] for it in out}
            conns = (d.get("network") or {}).get("connections") if park else None
            for name in gone if conns else ():
                conns.pop(name, None)  # a removed shared asset leaves the park network too
    return d


def lever_sizes(scenario, lever: str, shared: bool | None = None) -> float:
    """The lever's total size in a validated scenario [kWp, kWh, turbines, kW_th, kWh_th, kWh/yr].

    ``shared`` (parks): count the shared assets only (True), the tenants' (False), or decide by whether
    the park has shared assets of that kind (None).

    Parameters
    ----------
    scenario : Scenario or Park
        A validated scenario.
    lever : str
        The lever.
    shared : bool or None
        See above.

    Returns
    -------
    float
        The total size.
    """
    park = hasattr(scenario, "tenants")
    if park and lever in ("pv", "battery", "wind") and shared is not None:
        s = scenario.shared if shared else None
        sites = [s] if s is not None else list(scenario.tenants)
        return lever_sizes_of(sites, lever)
    if lever == "green_power":
        return scenario.green_power.green_power_contract_e_kwh
    sites = list(scenario.tenants) if park else [scenario]
    if park and lever in ("pv", "battery", "wind") and getattr(scenario.shared, lever):
        sites = [scenario.shared]
    return lever_sizes_of(sites, lever)


def lever_sizes_of(sites, lever: str) -> float:
    """The lever's total size over some sites [kWp, kWh, turbines, kW_th, kWh_th].

    Parameters
    ----------
    sites : iterable of Scenario or Shared
        Records holding the lever's asset lists.
    lever : str
        A physical lever (not ``green_power``).

    Returns
    -------
    float
        The sum of the assets' sizes.
    """
    if lever == "pv":
        return float(sum(a.capacity_kwp for s in sites for a in s.pv))
    if lever == "battery":
        return float(sum(b.energy_kwh for s in sites for b in s.battery))
    if lever == "wind":
        return float(sum(f.count for s in sites for f in s.wind))
    if lever == "heat_pump":
        return float(sum(h.capacity_q_kw_th for s in sites for h in s.heat_pumps))
    return float(sum(t.capacity_kwh_th for s in sites for t in s.thermal_storage))


def default_levers(scenario) -> list[str]:
    """The levers sized when none are named: those of :data:`DEFAULT_LEVERS` the scenario has something to
    scale for (green power always: with no contract its reference is 10 % of consumption).

    Parameters
    ----------
    scenario : Scenario or Park
        A validated scenario.

    Returns
    -------
    list of str
        Lever names.
    """
    return [lv for lv in DEFAULT_LEVERS if lv == "green_power" or lever_sizes(scenario, lv) > 0]


def _check_lever(scenario, lever: str, file) -> None:
    if lever not in LEVERS:
        raise InputError(file, "--vary", f"levers among {', '.join(LEVERS)}", repr(lever))
    if lever != "green_power" and lever_sizes(scenario, lever) <= 0:
        raise InputError(
            file,
            "--vary",
            f"a lever the scenario has something to scale for ({lever}: give "
            f"at least one asset of that kind in the scenario)",
            f"no {lever} in the scenario",
        )


# --------------------------------------------------------------------------- evaluation


@dataclass
class Design:
    """One evaluated design."""

    factors: dict[str, float]
    sizes: dict[str, float]
    cost_cny_per_year: float
    npc_cny: float
    capex_cny: float
    re_share: float
    re_share_onsite: float
    residual_emissions_t: float
    passed: bool
    min_margin: float
    failed: list[str]
    margins: dict[str, Any]
    refined: bool = False
    p_pass: float | None = None  # with odds: the probability the design is judged by, 0..1
    typical_passed: bool | None = None  # with odds: the typical year's verdict (``passed`` is then the odds')
    odds: dict[str, dict] | None = None  # with odds: criterion id -> p_pass, margin_p50, margin_p90

    def row(self) -> dict[str, Any]:
        """The design as one flat row of the designs table: factors, sizes, money, shares, verdict.

        Returns
        -------
        dict
            Column name to value; failed criteria joined by ``;``.
        """
        out = {f"{k}_factor": v for k, v in self.factors.items()}
        out.update({f"{k}_size": v for k, v in self.sizes.items()})
        out.update(
            cost_cny_per_year=self.cost_cny_per_year,
            npc_cny=self.npc_cny,
            capex_cny=self.capex_cny,
            re_share=self.re_share,
            re_share_onsite=self.re_share_onsite,
            residual_emissions_t=self.residual_emissions_t,
            passed=self.passed,
            min_margin=self.min_margin,
            failed=";".join(self.failed),
            refined=self.refined,
        )
        if self.p_pass is not None:
            out.update(p_pass=self.p_pass, typical_passed=self.typical_passed)
        return out


@dataclass
class SizingResult:
    """What :func:`size` found."""

    chosen: Design | None
    designs: list[Design]
    pareto_re_share: list[Design]
    pareto_emissions: list[Design]
    unfixable: list[dict]
    criteria: list[str]
    vary: list[str]
    levels: dict[str, list[float]]
    reference: dict[str, float]
    method: str
    simulations: int
    at_bound: list[str] = field(default_factory=list)
    economics: dict | None = None
    network: dict | None = (
        None  # a park's network findings at the chosen design (lingtan.twin.studies.park kpis["network"])
    )
    odds: dict | None = None  # with odds: members, source, confidence, mode
    typical_choice: Design | None = None  # with odds: the least-cost design passing in the typical year
    # The chosen packs' acceptance and guiding items that fail at the scenario as written: the search sizes for
    # admission and targets only (SIZING_ROLES), and says so rather than call the design passing in silence.
    not_sized_for: list[dict] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        """Whether some design passes every chosen criterion."""
        return self.chosen is not None


def _fixable(v: dict) -> bool:
    # no design changes a threshold no text gives, nor a criterion that does not apply
    return (
        v["role"] in SIZING_ROLES
        and v["input"] == "simulated"
        and v.get("status") not in ("undetermined", "not applicable")
    )


def _judge(verdicts: list[dict], criteria: list[str]) -> tuple[bool, float, list[str], dict]:
    chosen = [v for v in verdicts if v["pack"] in criteria and v["role"] in SIZING_ROLES]
    fix = [v for v in chosen if _fixable(v)]
    failed = [v["criterion_id"] for v in fix if not v["passed"]]
    margins = [v["margin"] for v in fix if v["margin"] is not None]
    m = {
        v["criterion_id"]: {
            "passed": v["passed"],
            "margin": v["margin"],
            "value": v["value"],
            "threshold": v["threshold"],
            "unit": v.get("unit", ""),
            "input": v["input"],
            "role": v["role"],
            "fixable": _fixable(v),
        }
        for v in chosen
    }
    return not failed, (min(margins) if margins else math.inf), failed, m


class _Evaluator:
    def __init__(
        self,
        data: dict,
        park: bool,
        base_dir: Path,
        criteria: list[str],
        economics: Economics,
        reference: dict,
        file,
        network_limits: bool = False,
    ):
        self.data, self.park, self.base_dir, self.criteria = data, park, base_dir, criteria
        self.economics, self.reference, self.file = economics, reference, file
        self.network_limits = network_limits
        self.cache: dict[tuple, Any] = {}
        self.profiles: dict[tuple, Any] = {}
        self.simulations = 0
        self.members: _Members | None = None
        sc0 = scenario_from_dict_cached(data, file)
        self.shared = {lv: bool(getattr(sc0.shared, lv)) for lv in ("pv", "battery", "wind")} if park else {}

    def scenario(self, d: dict):
        from lingtan.twin.core.scenario import scenario_from_dict

        return scenario_from_dict(d, self.file)

    def simulate(self, phys: dict[str, float]):
        key = tuple(sorted(phys.items()))
        if key in self.cache:
            return self.cache[key]
        d = self.data
        for lever, f in phys.items():
            d = apply_lever(d, lever, f, self.park, self.reference)
        sc = self.scenario(d)
        if self.park:
            from lingtan.twin.studies.park import simulate_park

            # Without network limits the chosen design alone gets the power flow (network_check). A park's
            # stages are the steps of the search, not stages of their own.
            with progress.muted():
                res = simulate_park(sc, self.base_dir, power_flow=self.network_limits)
        else:
            from lingtan.twin.run import build_profiles, schedules_before_dispatch, simulate_profiles, sizes

            heat_levers = {"heat_pump", "thermal_storage"} & set(phys)
            pkey = (tuple(a.name for a in sc.pv), tuple(f.name for f in sc.wind))
            if schedules_before_dispatch(sc):  # its schedule reads the design's PV, wind and battery target
                b = sc.battery[0] if sc.battery else None
                pkey += (tuple(sizes(sc)), None if b is None else tuple(b.peak_target_monthly_kw or ()))
            if heat_levers:
                prof = build_profiles(sc, self.base_dir)
            else:
                if pkey not in self.profiles:
                    self.profiles[pkey] = build_profiles(sc, self.base_dir)
                prof = self.profiles[pkey]
            res = simulate_profiles(sc, prof)
        self.simulations += 1
        progress.advance()
        self.cache[key] = (d, res)
        return d, res

    def evaluate(self, phys: dict[str, float], acct: dict[str, float], refined: bool = False) -> Design:
        d, res = self.simulate(phys)
        if acct:
            from lingtan.twin.accounting.assess import assess

            for lever, f in acct.items():
                d = apply_lever(d, lever, f, self.park, self.reference)
            sc = self.scenario(d)
            a = assess(sc, res.kpis, res.bus if self.park else res.hourly, base_dir=self.base_dir)
            res = replace(
                res,
                **{"park" if self.park else "scenario": sc},
                accounting=a.accounting,
                verdicts=a.verdicts,
                packs=a.packs,
            )
        sc = res.park if self.park else res.scenario
        eco = project_economics(res, sc, self.economics)
        ok, mm, failed, margins = _judge(res.verdicts, self.criteria)
        if self.network_limits and "network" in res.kpis:
            viol = res.kpis["network"]["violations"]
            margins["network"] = {
                "passed": not viol,
                "margin": None,
                "value": len(viol),
                "threshold": 0,
                "input": "simulated",
                "role": "admission",
                "fixable": True,
            }
            if viol:
                ok, failed = False, failed + ["network"]
        k = res.accounting.kpis
        factors = dict(phys, **acct)
        dsg = Design(
            factors=factors,
            sizes={lv: lever_sizes(sc, lv, self.shared.get(lv)) for lv in factors},
            cost_cny_per_year=eco["annualised_cost_cny"],
            npc_cny=eco["npc_cny"],
            capex_cny=eco["capex_cny"],
            re_share=k.re_electricity_share_with_green_power,
            re_share_onsite=k.re_electricity_share_onsite,
            residual_emissions_t=k.residual_emissions_t,
            passed=ok,
            min_margin=mm,
            failed=failed,
            margins=margins,
            refined=refined,
        )
        return dsg if self.members is None else self.members.judge(dsg, sc, self.member_rows(phys))

    def prefetch(self, points: list[dict[str, float]]) -> None:
        """Dispatch the members of designs not seen yet, side by side (with odds; nothing otherwise)."""
        if self.members is None:
            return
        new = {self._key(p): p for p in points if self._key(p) not in self.members.rows}
        if new:
            scenarios = [self.simulate(p)[1].scenario for p in new.values()]
            for key, rows in zip(new, self.members.dispatch(scenarios), strict=True):
                self.members.rows[key] = rows

    def member_rows(self, phys: dict[str, float]) -> pd.DataFrame:
        """The members' annual KPIs of a design, one row per member (with odds)."""
        self.prefetch([phys])
        return self.members.rows[self._key(phys)]

    @staticmethod
    def _key(phys: dict[str, float]) -> tuple:
        return tuple(sorted(phys.items()))


class _Members:
    """The weather years of a sizing with odds: each member's profiles, built once for the whole search.

    Parameters
    ----------
    scenario : Scenario
        The base scenario (its sources order the kernel's columns).
    base_dir : Path
        Folder of the scenario file.
    weathers : list of (DataFrame, dict)
        The members (:func:`lingtan.twin.studies.ensemble.member_weathers`).
    confidence : float
        Least pass probability of a passing design, 0 < p < 1.
    mode : {"joint", "each"}
        :data:`ODDS_MODES`.
    file : path
        Scenario file, named in errors.
    """

    def __init__(self, scenario, base_dir: Path, weathers: list, confidence: float, mode: str, file):
        from lingtan.twin.run import build_profiles, schedules_before_dispatch
        from lingtan.twin.studies.sweep import fast_verdicts_possible

        self.scenario, self.confidence, self.mode = scenario, confidence, mode
        if schedules_before_dispatch(scenario):
            raise InputError(
                file,
                "--confidence",
                "a factory whose profiles do not depend on its design (the members' profiles are built once)",
                "smart charging or flexible batches scheduled on its PV and wind",
            )
        self.profs = [build_profiles(scenario, base_dir, w) for w in weathers]
        if not fast_verdicts_possible(scenario, self.profs[0]):
            raise InputError(
                file,
                "--confidence",
                "a factory whose verdicts its annual KPIs decide (no heat side, a constant grid emission factor)",
                "a heat side or an hourly emission factor",
            )
        self.rows: dict[tuple, pd.DataFrame] = {}

    def dispatch(self, scenarios: list) -> list[pd.DataFrame]:
        """The members' annual KPIs of some designs: one kernel call per member, the designs side by side.

        Parameters
        ----------
        scenarios : list of Scenario
            The designs, validated.

        Returns
        -------
        list of DataFrame
            Per design, one row of flat annual KPIs per member.
        """
        from lingtan.twin.core.heat_profiles import heat_sizes
        from lingtan.twin.run import kernel_params
        from lingtan.twin.studies.sweep import FastInputs, fast_rows

        m, sources = len(scenarios), self.profs[0].sources
        caps = np.zeros((m, len(sources)))
        for i, sc in enumerate(scenarios):
            # A removed array is a column of zeros: the base's sources, the design's sizes.
            size = {("pv", a.name): a.capacity_kwp for a in sc.pv} | {("wind", f.name): f.count for f in sc.wind}
            caps[i] = [size.get(src, 0.0) for src in sources]
        bats = [sc.battery[0] if sc.battery else None for sc in scenarios]
        hs = heat_sizes(self.scenario, m)  # no heat side (fast_verdicts_possible): empty columns
        fi = FastInputs(
            caps=caps,
            params=np.vstack([kernel_params(sc.grid, sc.battery) for sc in scenarios]),
            store_kwh_th=hs.store_kwh_th,
            store_charge_kw_th=hs.store_charge_kw_th,
            store_discharge_kw_th=hs.store_discharge_kw_th,
            store_e0_kwh_th=hs.store_e0_kwh_th,
            unit_kw_th=hs.unit_kw_th,
            ground_loop=hs.ground_loop,
            ground_modes=hs.ground_modes,
            chp_kw=hs.chp_kw,
            h2_kw=hs.h2_kw,
            h2_store_kg=hs.h2_store_kg,
            fc_kw=hs.fc_kw,
            cabs_kw=hs.cabs_kw,
            hb_kw=hs.hb_kw,
            ls_size=hs.ls_size,
            bat_energy=np.array([b.energy_kwh if b else 0.0 for b in bats]),
            bat_soc_min=np.array([b.soc_min if b else 0.0 for b in bats]),
            bat_soc_max=np.array([b.soc_max if b else 1.0 for b in bats]),
        )
        per_member = [fast_rows(self.scenario, prof, fi).drop(columns="verdicts_computed") for prof in self.profs]
        return [pd.concat([r.iloc[[i]] for r in per_member], ignore_index=True) for i in range(m)]

    def judge(self, dsg: Design, scenario, rows: pd.DataFrame) -> Design:
        """The design judged by its odds over the members; the typical year's verdict kept beside.

        Parameters
        ----------
        dsg : Design
            The design as the typical year judges it.
        scenario : Scenario
            The design with its accounting levers, validated (criteria, declared facts, green power).
        rows : DataFrame
            Its members' annual KPIs (:meth:`dispatch`).

        Returns
        -------
        Design
            ``passed``, ``failed`` and ``min_margin`` by the odds; ``p_pass``, ``typical_passed``, ``odds``.
        """
        fixable = [cid for cid, m in dsg.margins.items() if m["fixable"] and cid != "network"]
        by_id = [{v.criterion_id: v for v in case} for case in member_verdicts(scenario, rows)]
        odds, passed, guide = {}, [], []
        for cid in fixable:
            ok = np.array([case[cid].status == "pass" for case in by_id])
            passed.append(ok)
            odds[cid] = {"p_pass": float(ok.mean())}
            margins = [case[cid].margin for case in by_id]
            if all(x is not None for x in margins):
                odds[cid].update(margin_p50=exceedance(margins, 50), margin_p90=exceedance(margins, 90))
                guide.append(exceedance(margins, 100 * self.confidence))
        joint = np.logical_and.reduce(passed) if passed else np.ones(len(rows), bool)
        p = float(joint.mean()) if self.mode == "joint" else min((o["p_pass"] for o in odds.values()), default=1.0)
        failed = [cid for cid, o in odds.items() if o["p_pass"] < self.confidence]
        if p < self.confidence and not failed:
            failed = [f"all criteria in the same year ({p:.0%})"]
        return replace(
            dsg,
            passed=p >= self.confidence,
            failed=failed,
            min_margin=min(guide) if guide else math.inf,
            p_pass=p,
            typical_passed=dsg.passed,
            odds=odds,
        )


def member_verdicts(scenario, rows: pd.DataFrame) -> list[list]:
    """The verdicts of a design in each member, from the members' annual KPIs
    (:func:`lingtan.twin.accounting.assess.assess_cases`: the accounting over arrays of the members).

    Parameters
    ----------
    scenario : Scenario
        The design (accounting, green power, offsets, criteria and declared facts).
    rows : DataFrame
        One row of flat annual KPIs per member.

    Returns
    -------
    list of list of Verdict
        Per member, one verdict per criterion of the scenario's packs.
    """
    from lingtan.twin.accounting.assess import assess_cases

    return assess_cases(scenario, rows).verdicts


def _better(a: Design | None, b: Design | None) -> bool:
    """Is ``a`` a better incumbent than ``b``: passing beats failing, then lower cost; failing designs by margin."""
    if a is None:
        return False
    if b is None:
        return True
    if a.passed != b.passed:
        return a.passed
    if a.passed:
        return a.cost_cny_per_year < b.cost_cny_per_year - 1e-6
    return a.min_margin > b.min_margin + 1e-12


def pareto(designs: list[Design], key: str, maximise: bool) -> list[Design]:
    """Designs not dominated in (lower cost, better ``key``), sorted by cost.

    Parameters
    ----------
    designs : list of Design
        The designs evaluated.
    key : str
        The :class:`Design` field traded against cost.
    maximise : bool
        Whether more of ``key`` is better.

    Returns
    -------
    list of Design
        The Pareto front.
    """
    pts = sorted(designs, key=lambda d: (d.cost_cny_per_year, -getattr(d, key) if maximise else getattr(d, key)))
    front, best = [], -math.inf
    for d in pts:
        v = getattr(d, key) if maximise else -getattr(d, key)
        if v > best + 1e-12:
            front.append(d)
            best = v
    return front


def _load(path_or_scenario, base_dir):
    """Scenario dict (economics section removed), park flag, Economics, base folder, file name."""
    from lingtan.twin.core.scenario import read_yaml

    if isinstance(path_or_scenario, (str, Path)):
        path = Path(path_or_scenario)
        data = read_yaml(path)
        if not isinstance(data, dict):
            raise InputError(path, "(top level)", "a mapping of scenario fields", type(data).__name__)
        base = Path(base_dir) if base_dir is not None else path.parent
        file = path
    elif isinstance(path_or_scenario, dict):
        data, base, file = copy.deepcopy(path_or_scenario), Path(base_dir or "."), "<scenario>"
    else:
        # Only what was set: a default dumped back becomes "set" and can change a section whose defaults come from
        # elsewhere (the green-power premium defaults to the economics section's).
        data = path_or_scenario.model_dump(mode="json", exclude_unset=True)
        base, file = Path(base_dir or "."), "<scenario>"
    # The scenario's own validation checks the economics section (with its field path); read it from there.
    from lingtan.twin.core.scenario import scenario_from_dict

    eco = scenario_from_dict(copy.deepcopy(data), file).economics
    return data, "tenants" in data, eco, base, file


def size(
    path_or_scenario,
    criteria: list[str],
    vary: list[str] | None = None,
    base_dir=None,
    *,
    grid_points: dict[str, list[float]] | None = None,
    exhaustive_limit: int = 16,
    refine: bool = True,
    economics: Economics | None = None,
    network_limits: bool = False,
    confidence: float | None = None,
    weather_years: int | None = None,
    odds_mode: str = "joint",
) -> SizingResult:
    """Search the least-cost design that passes every fixable criterion of the chosen packs.

    Parameters
    ----------
    path_or_scenario : path, dict or Scenario/Park
        A scenario file (an ``economics:`` section in it is read), a scenario mapping, or a model.
    criteria : list of str
        Criteria packs, e.g. ``["anhui_park_2024"]``.
    vary : list of str, optional
        Levers among :data:`LEVERS`; default :func:`default_levers`.
    base_dir : path, optional
        Folder for relative paths; default the file's folder.
    grid_points : dict, optional
        Levels (factors of the scenario as written) per lever; default :data:`DEFAULT_LEVELS`.
    exhaustive_limit : int
        Largest lattice of physical levels simulated point by point; larger lattices use the coarse
        grid and pattern search (see the module docstring).
    refine : bool
        Bisect the green-power contract of the chosen design down to the least passing amount.
    economics : Economics, optional
        Overrides the scenario's ``economics:`` section.
    network_limits : bool
        A park: a design passes only if its network stays within its voltage and loading limits every hour
        (the power flow then runs for every design; otherwise only for the chosen one, whose findings are
        reported).
    confidence : float, optional
        Size with odds (module docstring): a design passes when its pass probability over the weather years is at
        least this, 0 < p < 1.
    weather_years : int, optional
        Synthetic weather years of the odds; default the scenario's ``weather.ensemble``, else
        :data:`DEFAULT_WEATHER_YEARS`.
    odds_mode : {"joint", "each"}
        Every criterion in the same year, or each criterion on its own (:data:`ODDS_MODES`).

    Returns
    -------
    SizingResult
    """
    data, park, eco, base, file = _load(path_or_scenario, base_dir)
    eco = economics or eco
    _check_packs(criteria, file)
    data["criteria"] = list(criteria)
    scenario0 = _validated(data, file)
    vary = list(dict.fromkeys(vary if vary else default_levers(scenario0)))
    for lever in vary:
        _check_lever(scenario0, lever, file)
    levels = _lever_levels(vary, grid_points, file)
    with_odds = confidence is not None or weather_years is not None
    if with_odds:
        _check_odds(scenario0, confidence, weather_years, odds_mode, file)

    reference = {"green_power": scenario0.green_power.green_power_contract_e_kwh}
    progress.stage("progress_sizing_base")
    ev = _Evaluator(data, park, base, list(criteria), eco, reference, file, network_limits)
    if "green_power" in vary and reference["green_power"] <= 0:
        reference["green_power"] = _default_green_power_e_kwh(ev)
    unfixable = _unfixable(ev, criteria)
    not_sized_for = _not_sized_for(ev, criteria)
    odds = None
    if with_odds:
        ev.members, odds = _odds_members(scenario0, base, file, confidence, weather_years, odds_mode)

    phys = [lv for lv in vary if lv not in ACCOUNTING_LEVERS]
    acct = [lv for lv in vary if lv in ACCOUNTING_LEVERS]
    search = _Search(ev, phys, acct, levels)
    lattice_size = math.prod(len(levels[lv]) for lv in phys) if phys else 1
    # The pattern search stops when it converges: its number of designs is not known ahead.
    progress.stage("progress_sizing_search", lattice_size if lattice_size <= exhaustive_limit else None)
    if lattice_size <= exhaustive_limit:
        method = "exhaustive grid over the physical levers"
        search.exhaustive()
    else:
        method = "coarse grid (first/middle/last level) + pattern search on the level lattice"
        search.coarse_then_pattern()
    if acct:
        method += "; green power assessed at every level of every simulated design"

    designs = search.designs
    passing = [d for d in designs if d.passed]
    chosen = min(passing, key=lambda d: d.cost_cny_per_year) if passing else None
    typical = [d for d in designs if d.typical_passed]
    typical_choice = min(typical, key=lambda d: d.cost_cny_per_year) if typical else None
    if chosen is not None and refine and "green_power" in acct:
        chosen = _refine_green_power(ev, chosen, phys, levels, designs)
    if typical_choice is not None and refine and "green_power" in acct:
        typical_choice = _refine_green_power(
            ev, typical_choice, phys, levels, designs, passes=lambda d: d.typical_passed
        )
    network = None
    if park and chosen is not None:  # the chosen design's hourly power flow: one stage, not a park run's five
        progress.stage("progress_power_flow")
        with progress.muted():
            network = network_check(ev, chosen)
    return SizingResult(
        chosen=chosen,
        designs=designs,
        pareto_re_share=pareto(designs, "re_share", True),
        pareto_emissions=pareto(designs, "residual_emissions_t", False),
        unfixable=unfixable,
        not_sized_for=not_sized_for,
        criteria=list(criteria),
        vary=vary,
        levels=levels,
        reference=reference,
        method=method,
        simulations=ev.simulations,
        at_bound=_at_bound_notes(chosen, vary, phys, levels),
        economics=eco.model_dump(mode="json"),
        network=network,
        odds=odds,
        typical_choice=typical_choice,
    )


# --------------------------------------------------------------------------- steps of size


def _check_odds(scenario, confidence, weather_years, mode: str, file) -> None:
    """Refuse odds options that cannot be met, before any simulation."""
    from lingtan.limits import MAX_ENSEMBLE_YEARS
    from lingtan.twin.core.schema.park import Park

    if confidence is None or not 0 < confidence < 1:
        raise InputError(file, "--confidence", "a probability p with 0 < p < 1 (e.g. 0.9)", repr(confidence))
    if mode not in ODDS_MODES:
        raise InputError(file, "odds_mode", " or ".join(ODDS_MODES), repr(mode))
    if isinstance(scenario, Park):
        raise InputError(file, "--confidence", "a factory scenario (a park is sized on its typical year)", "a park")
    if scenario.uncertainty is not None:
        # The odds of a design would leave out the load, PV age and tariff draws: an optimistic design, silently.
        raise InputError(
            file,
            "uncertainty",
            "no uncertainty section with --confidence (sizing draws weather years only)",
            f"uncertainty: {', '.join(scenario.uncertainty.varied())}",
        )
    if weather_years is not None and not 2 <= weather_years <= MAX_ENSEMBLE_YEARS:
        raise InputError(file, "--weather-years", f"an integer from 2 to {MAX_ENSEMBLE_YEARS}", repr(weather_years))


def _odds_members(scenario, base: Path, file, confidence, weather_years, mode: str) -> tuple[_Members, dict]:
    """The weather years of a sizing with odds, each member's profiles built once; and their description."""
    from lingtan.twin.studies.ensemble import member_weathers

    years = weather_years if weather_years is not None or scenario.weather.ensemble else DEFAULT_WEATHER_YEARS
    weathers, source = member_weathers(scenario, base, years, file)
    members = _Members(scenario, base, weathers, confidence, mode, file)
    return members, {"members": len(weathers), "source": source, "confidence": confidence, "mode": mode}


def _check_packs(criteria: list[str], file) -> None:
    """Refuse an empty list of criteria packs or a pack the twin does not know."""
    from lingtan.twin.accounting.criteria import pack_names

    unknown = [c for c in criteria if c not in pack_names()]
    if unknown or not criteria:
        raise InputError(file, "--criteria", f"packs among {', '.join(pack_names())}", repr(unknown or criteria))


def _lever_levels(vary: list[str], grid_points: dict[str, list[float]] | None, file) -> dict[str, list[float]]:
    """Each lever's levels [factor of the scenario as written, -], sorted without repeats: ``grid_points`` or
    :data:`DEFAULT_LEVELS`; at least one, none negative."""
    levels = {lv: sorted(set(float(x) for x in (grid_points or {}).get(lv, DEFAULT_LEVELS[lv]))) for lv in vary}
    for lv, lvls in levels.items():
        if not lvls or min(lvls) < 0:
            raise InputError(file, f"levels of {lv}", "one or more factors >= 0", repr(lvls))
    return levels


def _default_green_power_e_kwh(ev: _Evaluator) -> float:
    """The green-power reference of a scenario without a contract: 10 % of its electricity consumption [kWh]."""
    _, r0 = ev.simulate({})
    return 0.1 * float(r0.kpis.get("total_consumption_e_kwh", 0.0))


def _unfixable(ev: _Evaluator, criteria: list[str]) -> list[dict]:
    """The chosen packs' sizing criteria that fail at the scenario as written and that no lever changes."""
    _, r0 = ev.simulate({})
    return [
        {
            "criterion_id": v["criterion_id"],
            "input": v["input"],
            "value": v["value"],
            "threshold": v["threshold"],
            "note": v.get("note", ""),
            "text_en": v.get("text_en", ""),
        }
        for v in r0.verdicts
        if v["pack"] in criteria and v["role"] in SIZING_ROLES and not _fixable(v) and not v["passed"]
    ]


def _not_sized_for(ev: _Evaluator, criteria: list[str]) -> list[dict]:
    """The chosen packs' items outside :data:`SIZING_ROLES` (acceptance, guiding) that fail at the scenario as
    written, each with its role and status."""
    _, r0 = ev.simulate({})
    return [
        {"criterion_id": v["criterion_id"], "role": v["role"], "status": v.get("status", "fail"), "input": v["input"]}
        for v in r0.verdicts
        if v["pack"] in criteria and v["role"] not in SIZING_ROLES and not v["passed"]
    ]


class _Search:
    """The search over the lattice of physical lever levels; each point is assessed at every green-power level.

    Parameters
    ----------
    ev : _Evaluator
    phys, acct : list of str
        Physical levers (the lattice) and accounting levers (assessed at every level of each point).
    levels : dict of str to list of float
        Each lever's levels [-].
    """

    def __init__(self, ev: _Evaluator, phys: list[str], acct: list[str], levels: dict[str, list[float]]):
        self.ev, self.phys, self.levels = ev, phys, levels
        self.acct_combos = [dict(zip(acct, c, strict=True)) for c in itertools.product(*(levels[a] for a in acct))] or [
            {}
        ]
        self.designs: list[Design] = []  # every design assessed, in the order assessed
        self.best_of: dict[tuple, Design] = {}  # lattice point -> its best design over the accounting levels

    def visit(self, point: tuple) -> Design:
        """Assess a lattice point (once) at every accounting combination; its best design."""
        if point in self.best_of:
            return self.best_of[point]
        p = dict(zip(self.phys, point, strict=True))
        best = None
        for combo in self.acct_combos:
            dsg = self.ev.evaluate(p, combo)
            self.designs.append(dsg)
            if _better(dsg, best):
                best = dsg
        self.best_of[point] = best
        return best

    def exhaustive(self) -> None:
        """Visit every lattice point."""
        points = list(itertools.product(*(self.levels[lv] for lv in self.phys)))
        self.ev.prefetch([dict(zip(self.phys, pt, strict=True)) for pt in points])
        for point in points:
            self.visit(point)

    def coarse_then_pattern(self) -> None:
        """Visit the coarse grid (first, middle and last level of each lever), then move from its best point
        to its best neighbour (one level up or down in one lever) while that is better."""
        levels, phys = self.levels, self.phys
        coarse = [sorted({levels[lv][0], levels[lv][len(levels[lv]) // 2], levels[lv][-1]}) for lv in phys]
        points = list(itertools.product(*coarse))
        self.ev.prefetch([dict(zip(phys, pt, strict=True)) for pt in points])
        for point in points:
            self.visit(point)
        incumbent = None
        for pt, dsg in self.best_of.items():
            if _better(dsg, self.best_of.get(incumbent) if incumbent else None):
                incumbent = pt
        while True:
            best_move = self._best_neighbour(incumbent)
            if best_move is None:
                break
            incumbent = best_move

    def _best_neighbour(self, incumbent: tuple) -> tuple | None:
        """The neighbour of ``incumbent`` better than it and than every other neighbour; None if none is."""
        levels = self.levels
        idx = [levels[lv].index(x) for lv, x in zip(self.phys, incumbent, strict=True)]
        neighbours = []
        for j, lv in enumerate(self.phys):
            for step in (-1, 1):
                k = idx[j] + step
                if 0 <= k < len(levels[lv]):
                    nb = list(incumbent)
                    nb[j] = levels[lv][k]
                    neighbours.append(tuple(nb))
        self.ev.prefetch([dict(zip(self.phys, nb, strict=True)) for nb in neighbours])
        best_move = None
        for nb in neighbours:
            dsg = self.visit(nb)
            if _better(dsg, self.best_of[best_move] if best_move else self.best_of[incumbent]):
                best_move = nb
        return best_move


def _at_bound_notes(
    chosen: Design | None, vary: list[str], phys: list[str], levels: dict[str, list[float]]
) -> list[str]:
    """Notes on levers of the chosen design at the highest level searched (a larger size may be cheaper)."""
    at_bound = []
    if chosen is None:
        return at_bound
    for lv in vary:
        f = chosen.factors[lv]
        if lv in phys and len(levels[lv]) > 1 and f >= levels[lv][-1]:
            at_bound.append(f"{lv} at the highest level searched ({f:g}x): a larger size may cost less")
        if lv not in phys and len(levels[lv]) > 1 and f >= levels[lv][-1] and not chosen.refined:
            at_bound.append(f"{lv} at the highest level searched ({f:g}x)")
    return at_bound


def network_check(ev: _Evaluator, chosen: Design) -> dict | None:
    """The hourly power flow of a park's network at the chosen design (the search leaves it out unless
    ``network_limits``: no criterion reads it, and it is half of a park year's time). None when the park has no
    network. Green power changes no flow, so the design's physical levers fix the network's loading.

    Parameters
    ----------
    ev : _Evaluator
        The search's evaluator.
    chosen : Design
        The chosen design.

    Returns
    -------
    dict or None
        The network findings (``kpis["network"]`` of :func:`lingtan.twin.studies.park.simulate_park`).
    """
    from lingtan.twin.studies.park import simulate_park

    d, res = ev.simulate({lv: f for lv, f in chosen.factors.items() if lv not in ACCOUNTING_LEVERS})
    if ev.network_limits:
        return res.kpis.get("network")  # already run with the power flow
    sc = ev.scenario(d)
    return None if sc.network is None else simulate_park(sc, ev.base_dir).kpis["network"]


def scenario_from_dict_cached(data: dict, file):
    """The validated scenario of a mapping (:func:`lingtan.twin.core.scenario.scenario_from_dict`).

    Parameters
    ----------
    data : dict
        The scenario mapping.
    file : path
        Scenario file, for relative paths and errors.

    Returns
    -------
    Scenario or Park
        The validated records.
    """
    return _validated(data, file)


def _validated(data: dict, file):
    from lingtan.twin.core.scenario import scenario_from_dict

    return scenario_from_dict(data, file)


def _refine_green_power(
    ev: _Evaluator, chosen: Design, phys: list[str], levels: dict, designs: list, passes=lambda d: d.passed
) -> Design:
    """Bisect the green-power factor between the chosen (passing) level and the level below it; ``passes`` reads
    the verdict a design is chosen by (with odds, the typical year's for the typical-year choice)."""
    lv = levels["green_power"]
    hi = chosen.factors["green_power"]
    lower = [x for x in lv if x < hi]
    if not lower:
        return chosen
    lo = max(lower)
    p = {k: chosen.factors[k] for k in phys}
    best = chosen
    tol = 1e-3
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        dsg = ev.evaluate(p, {"green_power": mid}, refined=True)
        designs.append(dsg)
        if passes(dsg):
            hi = mid
            if dsg.cost_cny_per_year <= best.cost_cny_per_year:
                best = dsg
        else:
            lo = mid
    return best


# --------------------------------------------------------------------------- output


def summary(res: SizingResult) -> str:
    """The text ``twin size`` prints.

    Parameters
    ----------
    res : SizingResult
        What :func:`size` found.

    Returns
    -------
    str
        Lines of text.
    """
    lines = [
        f"criteria: {', '.join(res.criteria)}; levers: {', '.join(res.vary)}",
        f"search: {res.method}; {res.simulations} simulations, {len(res.designs)} designs assessed",
    ]
    o = res.odds
    if o is not None:
        how = "every criterion in the same year" if o["mode"] == "joint" else "each criterion on its own"
        lines.append(
            f"odds: {o['members']} {o['source']} weather years; a design passes when it passes in at least "
            f"{o['confidence']:.0%} of them ({o['mode']}: {how}); costs are the typical year's"
        )
    if res.unfixable:
        lines.append("criteria sizing cannot change (declared or not simulated) that fail:")
        for u in res.unfixable:
            lines.append(
                f"  {u['criterion_id']}: {u['input']} value {u['value']!r} vs {u['threshold']!r}"
                f"{' (' + u['note'] + ')' if u['note'] else ''}"
            )
    if res.not_sized_for:
        lines.append(
            "not sized for (the search sizes for admission and targets; these fail at the scenario as written, "
            "and 'passing' below does not cover them):"
        )
        lines += [f"  {u['role']} {u['status'].upper()} {u['criterion_id']} ({u['input']})" for u in res.not_sized_for]
    c = res.chosen
    if c is None:
        best = max(res.designs, key=lambda d: d.min_margin)
        where = "" if o is None else f" in at least {o['confidence']:.0%} of the years"
        odds = "" if o is None else f"; pass probability {best.p_pass:.1%}"
        lines.append(
            f"no design in the search passes every simulated criterion{where}; closest: "
            + ", ".join(f"{k}={v:g}x" for k, v in best.factors.items())
            + f" (failing: {', '.join(best.failed)}{odds})"
        )
        return "\n".join(lines)
    lines.append(
        "least-cost passing design:"
        if o is None
        else f"least-cost design passing with probability >= {o['confidence']:.0%}:"
    )
    for lv in res.vary:
        lines.append(f"  {lv:<16} factor {c.factors[lv]:.4g}  size {c.sizes[lv]:,.0f} {LEVER_UNITS[lv]}")
    lines.append(
        f"  annualised cost {c.cost_cny_per_year:,.0f} CNY/yr; NPC {c.npc_cny:,.0f} CNY; capex {c.capex_cny:,.0f} CNY"
    )
    lines.append(
        f"  renewable share (with green power) {c.re_share:.1%}; on site {c.re_share_onsite:.1%}; "
        f"residual emissions {c.residual_emissions_t:,.0f} t"
    )
    if o is not None:
        lines += _odds_lines(res, c)
    else:
        lines.append("margins at the chosen design:")
        for cid, m in c.margins.items():
            margin = "n/a" if m["margin"] is None else f"{m['margin']:+.4g}"
            tag = "" if m["fixable"] else f" [{m['input']}: not changed by sizing]"
            lines.append(f"  {'PASS' if m['passed'] else 'FAIL'} {cid:<48} margin {margin}{tag}")
    if res.network is not None:
        viol = res.network["violations"]
        lines.append(
            f"park network at the chosen design: {len(viol)} limit violation(s), "
            f"{res.network['reverse_flow_hours']} h of reverse flow at the substation"
        )
        for v in viol[:5]:
            lines.append(f"  {v}")
        if len(viol) > 5:
            lines.append(f"  ... {len(viol) - 5} more (twin run the chosen design for the full network report)")
    for note in res.at_bound:
        lines.append(f"note: {note}")
    lines.append(
        f"Pareto fronts: cost vs renewable share {len(res.pareto_re_share)} designs, cost vs residual "
        f"emissions {len(res.pareto_emissions)} designs"
    )
    return "\n".join(lines)


def _odds_lines(res: SizingResult, c: Design) -> list[str]:
    """The chosen design's pass probability and, per criterion, its P50/P90 margins beside the typical year."""
    n = res.odds["members"]
    lines = [
        f"  pass probability {c.p_pass:.1%} ({round(c.p_pass * n)} of {n} years); "
        f"typical year: {'PASS' if c.typical_passed else 'FAIL'}",
        "criteria at the chosen design: typical year | over the years (P90 margin = exceeded in 90 % of them)",
    ]
    for cid, m in c.margins.items():
        margin = "n/a" if m["margin"] is None else f"{m['margin']:+.4g}"
        od = (c.odds or {}).get(cid)
        if od is None:
            tail = f" [{m['input']}: not changed by sizing]" if not m["fixable"] else ""
        else:
            spread = (
                f"; P50 margin {od['margin_p50']:+.4g}, P90 margin {od['margin_p90']:+.4g}"
                if "margin_p50" in od
                else ""
            )
            tail = f" | P(pass) {od['p_pass']:.0%}{spread}"
        lines.append(f"  {'PASS' if m['passed'] else 'FAIL'} {cid:<48} margin {margin}{tail}")
    t = res.typical_choice
    if t is None:
        lines.append("no design assessed passes in the typical year")
    elif t is not c:
        lines.append(
            "least-cost design passing in the typical year (not at the odds): "
            + ", ".join(f"{k}={v:g}x" for k, v in t.factors.items())
            + f", {t.cost_cny_per_year:,.0f} CNY/yr, pass probability {t.p_pass:.1%}"
        )
    return lines


LEVER_UNITS = {
    "pv": "kWp",
    "battery": "kWh",
    "wind": "turbines",
    "heat_pump": "kW_th",
    "thermal_storage": "kWh_th",
    "green_power": "kWh/yr",
}
"""The unit a lever's size is counted in, for reports and the dashboard."""


__all__ = [
    "size",
    "SizingResult",
    "Design",
    "apply_lever",
    "default_levers",
    "pareto",
    "summary",
    "LEVERS",
    "DEFAULT_LEVERS",
    "DEFAULT_LEVELS",
    "LEVER_UNITS",
]
