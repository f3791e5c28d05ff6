"""Optimal design: one linear programme chooses the sizes with the dispatch (``twin size --method lp``).

Steps
-----
1. The site's :class:`~lingtan.twin.studies.lp.problem.DesignProblem` with the chosen packs' linear criteria
   rows: a factory from its own profiles; a park (:func:`park_problem`) as one node, its bus.
2. The design LP (:func:`lingtan.twin.studies.lp.solve.solve`, ``design``): PV per array within its
   ``max_capacity_kwp``, wind turbines, battery energy and power, heat pumps and thermal stores
   (:mod:`lingtan.twin.studies.lp.heat_dispatch`), contracted green power, with the year's dispatch of electricity
   and heat; the renewable-share rows and the waste-heat recovery rows of the chosen packs (the recovery row counts
   all heat recovered into a store as delivered: a bound, as the rest).
   Its objective is a lower bound on the annualised cost of every design the rule-based search can find: the LP
   also chooses the dispatch, its battery may discharge either pool at will within the hours its rule may (and
   grid-charge only where its rule does: :func:`lingtan.twin.studies.lp.problem.rule_envelope`), its
   relaxation lets import and export meet where prices invite it.
   That joint LP's objective is the reported bound and its heat pumps and stores are the design's. The rule then
   runs the heat side its own way (stores first, heat pumps whenever they can, boilers last), not as the LP
   scheduled it, and that moves the electricity the renewable share counts: with a heat side, the electric side is
   chosen again by the same LP with the heat side at those sizes and its electricity as the rule draws it in the
   load (:func:`bus_demand_kw`).
3. Integer choices by rounding and a local check (:func:`_round_sizes`): a PV array with ``block_kwp`` is rounded
   up to whole blocks, a fractional turbine count down and up; the LP is solved again with them fixed, the
   cheapest kept.
4. The design is written into the scenario (PV arrays, wind farms, the battery, heat pumps and thermal stores at
   the LP's sizes; the battery of a park is its shared one) and simulated with the user's dispatch rule, then
   costed and judged exactly as the search costs and judges its designs (:class:`lingtan.twin.studies.sizing`).

A park as one node: every tenant's electric loads are summed on the bus, its heat side enters beside the others'
(:func:`lingtan.twin.studies.lp.heat_dispatch.combine`) with its power-to-heat electricity on the same bus, every
tenant's and the shared PV arrays and wind farms are sources of that node, the one battery is the park's shared one
(tenants' own batteries are left out of the LP and kept in the simulation), and the park's connection and tariff
bill the node. Tenant meters and connection limits are not in the LP; the simulation checks them.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lingtan.components import grid as gridmod
from lingtan.errors import InputError
from lingtan.twin.studies.lp.heat_dispatch import combine
from lingtan.twin.studies.lp.problem import DesignProblem, design_problem, site_heat
from lingtan.twin.studies.lp.solve import TIME_LIMIT_S, Solution, solve


@dataclass(frozen=True)
class LpSizing:
    """What ``twin size --method lp`` found.

    Attributes
    ----------
    problem : DesignProblem
    solution : Solution
        The design LP's solution after rounding.
    bound_cny : float
        The relaxed design LP's objective plus the costs no LP variable moves [CNY/yr]: a lower bound on the
        annualised cost of any design of the site.
    constant_cny : float
        The costs no LP variable moves, taken from the simulated design (fuel, certificates, credits, carbon, fixed
        O&M per asset, the tenants' own batteries of a park) [CNY/yr].
    sizes : dict of str to float
        The chosen design: ``pv.<name>`` [kWp], ``wind.<name>`` [turbines], ``battery_kwh``, ``battery_kw``,
        ``green_power_kwh``, ``heat_pumps.<name>`` [kW_th] and ``thermal_storage.<name>`` [kWh_th] (``<tenant>.<name>``
        in a park).
    design : Design
        The design simulated with the user's dispatch rule, costed and judged as the search's designs.
    rounding : str
        What the rounding did.
    seconds : float
        Wall time of the LP part [s].
    """

    problem: DesignProblem
    solution: Solution
    bound_cny: float
    constant_cny: float
    sizes: dict
    design: object
    rounding: str
    seconds: float


def bus_demand_kw(scenario, prof) -> np.ndarray:
    """A site's electric demand at its meter with its heat side run by its rule: its loads plus the power-to-heat
    electricity its rule-based run draws [kW].

    Parameters
    ----------
    scenario : Scenario
        The factory or tenant.
    prof : Profiles
        Its profiles.

    Returns
    -------
    ndarray, shape (T,)
    """
    from lingtan.twin.run import simulate_profiles

    h = simulate_profiles(scenario, prof, assessed=False).hourly
    return h["load_kw"].to_numpy() + h.filter(like="_to_heat_kw").sum(axis=1).to_numpy()


def park_problem(park, base_dir: Path, packs: list[str], co_heat: bool = True) -> DesignProblem:
    """A park's design problem with its bus as the one node (module docstring).

    Parameters
    ----------
    park : Park
        The park.
    base_dir : Path
        Folder of the scenario file.
    packs : list of str
        Criteria packs.
    co_heat : bool
        The tenants' heat sides in the LP beside each other, their electricity on the bus; False: each tenant's
        demand with its heat side's electricity as its rule draws it (:func:`bus_demand_kw`), no heat side in the LP.

    Returns
    -------
    DesignProblem
    """
    from lingtan.twin.run import load_weather
    from lingtan.twin.studies.park import _tenant_profiles, _UnitProfiles, tenant_scenario

    weather = load_weather(park, base_dir)
    units = _UnitProfiles(weather[0], park.site)
    scen, prof, _ = _tenant_profiles(park, base_dir, weather, units)
    if co_heat:  # the heat sides' electricity joins the loads in the LP
        demand = sum(prof[name].load_kw for name in scen)
    else:
        demand = sum(bus_demand_kw(sc, prof[name]) for name, sc in scen.items())
    pv = [a.model_copy(update={"name": f"{t.name}.{a.name}"}) for t in park.tenants for a in t.pv]
    pv += [a.model_copy(update={"name": f"shared.{a.name}"}) for a in park.shared.pv]
    wind = [f.model_copy(update={"name": f"{t.name}.{f.name}"}) for t in park.tenants for f in t.wind]
    wind += [f.model_copy(update={"name": f"shared.{f.name}"}) for f in park.shared.wind]
    rows, sources, _ = units(pv, wind)
    index = weather[0].index
    tariff = park.grid.resolved_tariff(base_dir)
    first = prof[park.tenants[0].name]
    node = replace(
        first,
        unit_kw=np.vstack(rows) if rows else np.zeros((0, len(index))),
        sources=sources,
        load_kw=demand,
        tariff=tariff,
        period=gridmod.period_codes(index, tariff),
        month=index.month.to_numpy() - 1,
        price_cny_per_kwh=gridmod.hourly_price_cny_per_kwh(index, tariff),
    )
    # The node's scenario: the park's grid, green power, economics and criteria settings, the shared battery.
    sc0 = tenant_scenario(park, park.tenants[0])
    sc0 = sc0.model_copy(
        update={
            "name": park.name,
            "grid": park.grid,
            "green_power": park.green_power,
            "economics": park.economics,
            "criteria_settings": park.criteria_settings,
        }
    )
    p = design_problem(sc0, node, packs, pv=pv, wind=wind, batteries=list(park.shared.battery), intensity=False)
    sides = [site_heat(sc, prof[name], f"{name}.") for name, sc in scen.items() if not prof[name].heat.empty]
    heat = combine(sides) if sides and co_heat else None
    return replace(p, heat_present=bool(sides), heat=heat)


def _round_sizes(p: DesignProblem, s: Solution, time_limit_s: float) -> tuple[Solution, str]:
    """Sources in whole units, each choice then checked by the LP with the sizes fixed:

    * a PV array with ``block_kwp``: rounded up to whole blocks (more PV lowers no renewable share), down to the
      last whole block within ``max_capacity_kwp`` where that binds;
    * a fractional turbine count: rounded down and up (all combinations), the cheapest kept.
    """
    blocks = p.block_size if p.block_size is not None else np.zeros(len(p.sources))
    fixed, notes = {}, []
    for i, (kind, name) in enumerate(p.sources):
        b = blocks[i]
        if kind == "pv" and b > 0 and abs(s.sizes[i] / b - round(s.sizes[i] / b)) > 1e-9:
            up = math.ceil(s.sizes[i] / b) * b
            fixed[i] = up if up <= p.max_size[i] else math.floor(p.max_size[i] / b) * b
            notes.append(f"{name} {s.sizes[i]:,.1f} -> {fixed[i]:,.1f} kWp")
    wind = [i for i, (kind, _) in enumerate(p.sources) if kind == "wind"]
    frac = [i for i in wind if abs(s.sizes[i] - round(s.sizes[i])) > 1e-6]
    if not frac and not fixed:
        return s, "sizes already whole" if wind or blocks.any() else "no wind farm, no PV block"
    best, text = None, ""
    for pick in range(2 ** len(frac)):
        counts = {i: math.floor(s.sizes[i]) + ((pick >> bit) & 1) for bit, i in enumerate(frac)}
        if any(n > p.max_size[i] for i, n in counts.items()):
            continue
        try:
            cand = solve(p, "design", fix_sizes={**fixed, **counts}, time_limit_s=time_limit_s)
        except InputError:
            continue
        if best is None or cand.objective_cny < best.objective_cny:
            best = cand
            text = ", ".join([*notes, *(f"{p.sources[i][1]} {s.sizes[i]:.2f} -> {n}" for i, n in counts.items())])
    if best is None:
        raise InputError(None, "pv/wind", "whole PV blocks and turbines the criteria allow", "none within the limits")
    how = " and ".join(w for w, on in (("PV up to whole blocks", fixed), ("turbines both ways", frac)) if on)
    return best, f"{how}, the LP solved again with them fixed: {text}"


def _site(d: dict, park: bool, owner: str) -> dict:
    """The mapping of the site that owns an asset: the factory, a tenant, or the park's shared assets."""
    if not park:
        return d
    if owner == "shared":
        return d.setdefault("shared", {})
    return next(t for t in d["tenants"] if t["name"] == owner)


def _apply(data: dict, park: bool, p: DesignProblem, s: Solution) -> dict:
    """The scenario mapping with the LP's electric sizes written in: PV, wind, the battery, green power."""
    d = copy.deepcopy(data)
    sizes = dict(zip([f"{k}.{n}" for k, n in p.sources], s.sizes, strict=True))
    for key, v in sizes.items():
        kind, name = key.split(".", 1)
        owner, asset = name.split(".", 1) if park else ("", name)
        site = _site(d, park, owner)
        for item in site.get(kind, []):
            if item["name"] == asset:
                if kind == "pv":
                    item["capacity_kwp"] = float(v)
                else:
                    item["count"] = int(round(v))
        if kind == "wind":  # a farm of no turbine is no farm (the schema wants at least one)
            site[kind] = [f for f in site.get(kind, []) if f.get("count", 1) >= 1]
    bsite = _site(d, park, "shared")
    batteries = bsite.setdefault("battery", [])
    if s.e_kwh > 1e-6:
        if not batteries:
            batteries.append({"name": "lp_battery"})
        b = batteries[0]
        b["energy_kwh"] = float(s.e_kwh)
        for k in ("charge_power_kw", "discharge_power_kw"):
            b.pop(k, None)
        b["power_kw"] = float(s.p_kw)
    else:
        bsite["battery"] = []
    d.setdefault("green_power", {})["green_power_contract_e_kwh"] = float(s.green_kwh)
    return d


def _apply_heat(data: dict, park: bool, sizes: dict[str, float]) -> dict:
    """The scenario mapping with the LP's heat pumps and thermal stores (:func:`_heat_sizes`) written in; a store's
    power and first energy keep their proportion to its capacity."""
    d = copy.deepcopy(data)
    for key, v in sizes.items():
        kind, name = key.split(".", 1)
        owner, asset = name.split(".", 1) if park else ("", name)
        item = next(x for x in _site(d, park, owner).get(kind, []) if x["name"] == asset)
        if kind == "heat_pumps":
            item["capacity_q_kw_th"] = v
        else:
            cap = float(item["capacity_kwh_th"])
            for k in ("charge_kw_th", "discharge_kw_th"):
                item[k] = float(item[k]) * v / cap if cap > 0 else 0.0
            item["capacity_kwh_th"] = v
    return d


def _problem(sc, park: bool, base: Path, criteria: list[str], co_heat: bool) -> DesignProblem:
    """The site's design problem: with its heat side in the LP (``co_heat``), or with the heat side's electricity
    as its rule draws it in the load (:func:`bus_demand_kw`)."""
    if park:
        return park_problem(sc, base, criteria, co_heat)
    from lingtan.twin.run import build_profiles

    prof = build_profiles(sc, base)
    if co_heat:
        return design_problem(sc, prof, criteria, co_heat=True)
    # the load replaced after: an intensity row's reference year is simulated from the profiles as they are
    return replace(design_problem(sc, prof, criteria), load_kw=bus_demand_kw(sc, prof), heat_present=True)


def lp_size(path_or_scenario, criteria: list[str], base_dir=None, time_limit_s: float = TIME_LIMIT_S) -> LpSizing:
    """The least-cost design by the design LP, simulated with the user's dispatch rule (module docstring).

    Parameters
    ----------
    path_or_scenario : path, dict or Scenario/Park
        The site, as :func:`lingtan.twin.studies.sizing.size` takes it.
    criteria : list of str
        Criteria packs.
    base_dir : path, optional
        Folder for relative paths; default the file's folder.
    time_limit_s : float
        HiGHS time limit of each solve [s].

    Returns
    -------
    LpSizing

    Raises
    ------
    InputError
        Unknown packs, or no design within the site limits meets the criteria rows.
    """
    from lingtan.twin.studies.economics import annual_operating_costs, project_economics
    from lingtan.twin.studies.sizing import _check_packs, _Evaluator, _load, _validated

    t0 = time.perf_counter()
    data, park, eco, base, file = _load(path_or_scenario, base_dir)
    _check_packs(criteria, file)
    data["criteria"] = list(criteria)
    sc = _validated(data, file)
    p = _problem(sc, park, base, list(criteria), co_heat=True)
    try:
        joint = solve(p, "design", time_limit_s=time_limit_s)
    except InputError as err:
        held = ", ".join(r.id for r in p.criteria if r.kind != "simulated")
        raise InputError(
            file, "criteria", f"a design within the site's limits that meets {held or 'no row'}", err.found
        ) from None
    heat_sizes = _heat_sizes(p, joint)
    p_el, s_el = p, joint
    if p.heat is not None:
        # The rule runs the heat side its own way (stores first, then heat pumps whenever they can, then boilers),
        # not as the joint LP scheduled it: the electric side is chosen again with the heat side at the joint LP's
        # sizes and its electricity as the rule draws it.
        data = _apply_heat(data, park, heat_sizes)
        p_el = _problem(_validated(data, file), park, base, list(criteria), co_heat=False)
        s_el = solve(p_el, "design", time_limit_s=time_limit_s)
    s_el, rounding = _round_sizes(p_el, s_el, time_limit_s)
    seconds = time.perf_counter() - t0
    d = _apply(data, park, p_el, s_el)
    ev = _Evaluator(d, park, base, list(criteria), eco, {}, file)
    dsg = ev.evaluate({}, {})
    res = ev.cache[()][1]
    scn = res.park if park else res.scenario
    # What no LP variable moves, from the simulated design: its annualised cost less the LP-priced parts.
    econ = project_economics(res, scn, eco)
    ops = annual_operating_costs(res, scn, eco)
    runs = {f"{n}.": r for n, r in res.tenants.items()} if park else {"": res}
    lp_priced = _lp_priced_cost(p_el, s_el, ops) + _heat_priced_cost(p, joint, runs)
    constant = econ["annualised_cost_cny"] - lp_priced
    names = [f"{k}.{n}" for k, n in p_el.sources]
    sizes = dict(zip(names, (max(float(v), 0.0) for v in s_el.sizes), strict=True))  # no -0.0 printed
    sizes.update(battery_kwh=s_el.e_kwh, battery_kw=s_el.p_kw, green_power_kwh=s_el.green_kwh, **heat_sizes)
    return LpSizing(p, joint, joint.objective_cny + constant, constant, sizes, dsg, rounding, seconds)


def _heat_sizes(p: DesignProblem, s: Solution) -> dict[str, float]:
    """The heat pumps' [kW_th] and the thermal stores' [kWh_th] sizes the LP chose, by name."""
    h = p.heat
    if h is None:
        return {}
    out = {f"heat_pumps.{n}": float(q) for n, q, on in zip(h.unit_names, s.unit_kw_th, h.unit_sized, strict=True) if on}
    out.update({f"thermal_storage.{n}": float(e) for n, e in zip(h.store_names, s.store_kwh_th, strict=True)})
    return out


def _lp_priced_cost(p: DesignProblem, s: Solution, ops: dict) -> float:
    """The parts of a simulated design's annualised cost the LP prices on the electric side: its assets' annualised
    cost, its grid bill and its green-power premium [CNY/yr]."""
    assets = float(np.dot([c.annualised_cny_per_yr for c in p.size_cost], s.sizes))
    assets += p.battery_energy_cost.annualised_cny_per_yr * s.e_kwh
    assets += p.battery_power_cost.annualised_cny_per_yr * s.p_kw
    return assets + float(ops["grid_bill_cny"]) + float(ops["green_power_cny"])


def _heat_priced_cost(p: DesignProblem, s: Solution, runs: dict) -> float:
    """The parts of a simulated design's annualised cost the LP prices on the heat side: its heat pumps' and
    thermal stores' annualised cost at ``s``'s sizes, and its boilers' fuel and purchased heat [CNY/yr].

    ``runs`` are the simulated sites by the prefix of their names (``""`` a factory, ``"<tenant>."`` in a park)."""
    h = p.heat
    if h is None:
        return 0.0
    total = float(np.dot(h.unit_cost_cny_per_kw_th_yr, s.unit_kw_th * h.unit_sized))
    total += float(np.dot(h.store_cost_cny_per_kwh_th_yr, s.store_kwh_th))
    for name, price in zip(h.boiler_names, h.boiler_cost_cny_per_kwh_th, strict=True):
        site = next(k for k in runs if name.startswith(k))
        total += float(runs[site].hourly_heat[f"{name[len(site) :]}.heat_kw_th"].sum()) * p.step_h * float(price)
    return total


__all__ = ["LpSizing", "lp_size", "park_problem", "bus_demand_kw"]
