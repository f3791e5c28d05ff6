"""The heat side co-scheduled in the dispatch LP: thermal stores, heat pumps, electric boilers and fuel boilers.

The heat side is the kernel's own (:class:`lingtan.twin.core.dispatch.HeatSystem`, :class:`HeatSizes`): the same
residual demands (after direct waste-heat exchange), recoverable heat offered to each store, COP and source limit of
each power-to-heat unit by step, and the same sizes. Nothing of it is computed a second time here.

Per-step variables, each a block of T columns per pair that the system allows
-----------------------------------------------------------------------------
=========  ===============================================  =========  ========================================
``hs``     store j to demand d (``store_serves``) [kW_th]    ``hu``     unit u to demand d (``unit_serves``)
``hr``     recovered heat into store j [kW_th]              ``huc``    unit u into store j (``unit_charges``)
``hb``     fuel boiler / purchased heat b to demand d       ``hx``     heat demand d unserved (penalised)
``es``     store j's energy at the step's end [kWh_th]      ``pb``     power-to-heat electricity from the bus
``pr``     power-to-heat electricity from renewables        \\        [kW]; ``pr`` also feeds surplus-only units
=========  ===============================================  =========  ========================================

Rows per step: each demand served (stores + units + boilers + unserved = residual); each store's energy
``es(t) = keep es(t-1) + dt (hr + huc - hs)`` (``keep`` the share kept over one step: the hourly keep to the power
``dt``, as the kernel takes it) within its capacity, charge and discharge limits; each unit's heat
within ``min(capacity, source limit)`` (0 where its COP is 0); the units' electricity ``sum heat / COP = pb + pr``,
surplus-only units' electricity within ``pr``; each boiler within its capacity. ``pb`` joins the load row, ``pr`` the
renewable bus. A store ends the year at least as full as it started (no free heat). The kernel orders all this by
rule (stores first, then units on the bus, then surplus, then boilers); every such hour satisfies these rows, so
the LP is a relaxation of the rule and its cost a bound on the rule's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lingtan.components.heat import boiler_fuel, purchased_heat_totals

HEAT_BLOCKS = ("hs", "hr", "hu", "huc", "hb", "hx", "es", "pb", "pr")
"""Heat blocks, in column order (module docstring)."""


@dataclass(frozen=True)
class HeatLP:
    """A site's heat side as the dispatch LP reads it.

    Attributes
    ----------
    system : HeatSystem
        The kernel's heat system (:attr:`lingtan.twin.core.heat_profiles.HeatSetup.system`).
    store_kwh_th, store_charge_kw_th, store_discharge_kw_th, store_e0_kwh_th : ndarray, shape (S,)
        Store capacity [kWh_th], charge and discharge limits [kW_th], energy before the first step [kWh_th].
    unit_kw_th : ndarray, shape (U,)
        Heat output capacity of each power-to-heat unit [kW_th].
    boiler_cost_cny_per_kwh_th : ndarray, shape (B,)
        Fuel (or purchased heat) cost of one kWh_th delivered by each boiler or contract [CNY/kWh_th], from the
        economics' fuel prices.
    boiler_names : list of str
        Fuel boilers then purchased-heat contracts (B).
    """

    system: object
    store_kwh_th: np.ndarray
    store_charge_kw_th: np.ndarray
    store_discharge_kw_th: np.ndarray
    store_e0_kwh_th: np.ndarray
    unit_kw_th: np.ndarray
    boiler_cost_cny_per_kwh_th: np.ndarray
    boiler_names: list

    def pairs(self) -> dict[str, list[tuple[int, int]]]:
        """The (from, to) pairs of each heat block that has them.

        Returns
        -------
        dict of str to list of (int, int)
            ``hs`` (store, demand), ``hu`` (unit, demand), ``huc`` (unit, store), ``hb`` (boiler, demand),
            ``hr`` and ``es`` (store, store), ``hx`` (demand, demand), ``pb`` and ``pr`` one pair (0, 0).
        """
        h = self.system
        d_n, s_n, _, _ = h.shape
        return {
            "hs": [tuple(ij) for ij in np.argwhere(h.store_serves)],
            "hr": [(j, j) for j in range(s_n)],
            "hu": [tuple(ij) for ij in np.argwhere(h.unit_serves)],
            "huc": [tuple(ij) for ij in np.argwhere(h.unit_charges)],
            "hb": [tuple(ij) for ij in np.argwhere(h.boiler_serves)],
            "hx": [(d, d) for d in range(d_n)],
            "es": [(j, j) for j in range(s_n)],
            "pb": [(0, 0)],
            "pr": [(0, 0)],
        }


def heat_lp(scenario, setup, sizes) -> HeatLP:
    """The dispatch LP's heat side of a factory.

    Parameters
    ----------
    scenario : Scenario
        The factory: its boilers, purchased heat and economics (fuel prices).
    setup : HeatSetup
        Its heat profiles (``Profiles.heat``).
    sizes : HeatSizes
        Its heat sizes (:func:`lingtan.twin.core.heat_profiles.heat_sizes`), first configuration.

    Returns
    -------
    HeatLP
    """
    eco = scenario.economics
    one = np.array([1.0])
    # the cost of one kWh_th, as the economics prices the fuel a boiler burns (fuel units x price per unit)
    costs = [
        float(boiler_fuel(one, b)["fuel_units"][0]) * eco.fuel_price(b.fuel)
        for b in scenario.boilers
        if b.fuel != "electric"
    ]
    costs += [float(np.sum(purchased_heat_totals(one, h)["cost_cny"])) for h in scenario.purchased_heat]
    return HeatLP(
        system=setup.system,
        store_kwh_th=np.asarray(sizes.store_kwh_th[0], dtype=float),
        store_charge_kw_th=np.asarray(sizes.store_charge_kw_th[0], dtype=float),
        store_discharge_kw_th=np.asarray(sizes.store_discharge_kw_th[0], dtype=float),
        store_e0_kwh_th=np.asarray(sizes.store_e0_kwh_th[0], dtype=float),
        unit_kw_th=np.asarray(sizes.unit_kw_th[0], dtype=float),
        boiler_cost_cny_per_kwh_th=np.array(costs, dtype=float),
        boiler_names=list(setup.boiler_names),
    )


def add_heat(h: HeatLP, rows, n0: int, t_n: int, dt: float, penalty: float):
    """Add the heat side's columns and rows to a dispatch programme (module docstring).

    Parameters
    ----------
    h : HeatLP
        The heat side.
    rows : _Rows
        The programme's rows (:mod:`lingtan.twin.studies.lp.model`); the heat rows are added to them.
    n0 : int
        First free column.
    t_n : int
        Number of steps T.
    dt : float
        Step length [h].
    penalty : float
        Cost of a kWh_th of unserved heat [CNY/kWh_th].

    Returns
    -------
    off : dict of str to int
        First column of each heat block; block ``name``'s i-th pair at step t is ``off[name] + i * T + t``.
    n : int
        Number of columns after the heat columns.
    cost, lower, upper : ndarray
        Objective coefficients [CNY] and bounds of the heat columns (``n - n0`` of each).
    """
    s = h.system
    pairs = h.pairs()
    t = np.arange(t_n)
    ones, zeros, inf = np.ones(t_n), np.zeros(t_n), np.inf
    off, n = {}, n0
    for name in HEAT_BLOCKS:
        off[name] = n
        n += len(pairs[name]) * t_n
    cost, lower, upper = np.zeros(n - n0), np.zeros(n - n0), np.full(n - n0, inf)

    def col(name: str, i: int, steps=t):
        return off[name] + i * t_n + steps

    def loc(name: str, i: int) -> slice:
        return slice(off[name] - n0 + i * t_n, off[name] - n0 + (i + 1) * t_n)

    cop = s.unit_cop
    inv_cop = np.divide(1.0, cop, out=np.zeros_like(cop), where=cop > 0)
    for i, (j, _) in enumerate(pairs["hr"]):
        upper[loc("hr", i)] = np.maximum(s.store_recoverable_kw_th[j], 0.0)
    for i, (j, _) in enumerate(pairs["es"]):
        upper[loc("es", i)] = h.store_kwh_th[j]
    for i, (b, _) in enumerate(pairs["hb"]):
        cost[loc("hb", i)] = h.boiler_cost_cny_per_kwh_th[b] * dt
    for i in range(len(pairs["hx"])):
        cost[loc("hx", i)] = penalty * dt

    # demand d: sum hs + sum hu + sum hb + hx = residual(d, t)
    for d in range(s.shape[0]):
        terms = [(t, col(nm, i), 1.0) for nm in ("hs", "hu", "hb") for i, (_, dd) in enumerate(pairs[nm]) if dd == d]
        terms.append((t, col("hx", d), 1.0))
        rows.add(terms, s.residual_kw_th[d], s.residual_kw_th[d])
    # store j: es(t) - keep es(t-1) - dt (hr + huc - hs) = keep e0 at t = 0, else 0; limits; end >= e0
    later = t[1:]
    for j in range(s.shape[1]):
        keep = s.store_keep[j] ** dt  # the system's keep is per hour
        charge = [(t, col("hr", j), -dt)] + [
            (t, col("huc", i), -dt) for i, (_, jj) in enumerate(pairs["huc"]) if jj == j
        ]
        discharge = [(t, col("hs", i), dt) for i, (jj, _) in enumerate(pairs["hs"]) if jj == j]
        rhs = zeros.copy()
        rhs[0] = keep * h.store_e0_kwh_th[j]
        rows.add([(t, col("es", j), 1.0), (later, col("es", j, later - 1), -keep), *charge, *discharge], rhs, rhs)
        rows.add([(r, c, -v / dt) for r, c, v in charge], -inf * ones, h.store_charge_kw_th[j] * ones)
        rows.add([(r, c, v / dt) for r, c, v in discharge], -inf * ones, h.store_discharge_kw_th[j] * ones)
        rows.add([(np.array([0]), col("es", j, np.array([t_n - 1])), 1.0)], [h.store_e0_kwh_th[j]], [inf])
    # unit u: heat <= min(capacity, source limit) where it can run, 0 where its COP is 0
    surplus_el = []
    el = [(t, col("pb", 0), -1.0), (t, col("pr", 0), -1.0)]
    for u in range(s.shape[2]):
        own = [(t, col(nm, i), 1.0) for nm in ("hu", "huc") for i, (uu, _) in enumerate(pairs[nm]) if uu == u]
        cap = np.where(cop[u] > 0, np.minimum(h.unit_kw_th[u], s.unit_max_kw_th[u]), 0.0)
        rows.add(own, -inf * ones, cap)
        el += [(r, c, inv_cop[u]) for r, c, _ in own]
        if not s.unit_grid_allowed[u]:
            surplus_el += [(r, c, inv_cop[u]) for r, c, _ in own]
    # electricity: sum heat / COP = pb + pr; surplus-only units within pr
    rows.add(el, zeros, zeros)
    if surplus_el:
        rows.add([*surplus_el, (t, col("pr", 0), -1.0)], -inf * ones, zeros)
    # boiler b: sum over demands <= capacity
    for b in range(s.shape[3]):
        terms = [(t, col("hb", i), 1.0) for i, (bb, _) in enumerate(pairs["hb"]) if bb == b]
        if terms:
            rows.add(terms, -inf * ones, s.boiler_capacity_kw_th[b] * ones)
    return off, n, cost, lower, upper


def heat_flows(h: HeatLP, off: dict, t_n: int, x: np.ndarray) -> dict[str, np.ndarray]:
    """The heat blocks of a solution.

    Parameters
    ----------
    h : HeatLP
        The heat side.
    off : dict of str to int
        First column of each heat block (:func:`add_heat`).
    t_n : int
        Number of steps T.
    x : ndarray
        The solution's columns.

    Returns
    -------
    dict of str to ndarray, shape (pairs, T)
        Each block of :data:`HEAT_BLOCKS` [kW_th, kWh_th for ``es``, kW for ``pb`` and ``pr``], clipped at 0.
    """
    pairs = h.pairs()
    return {
        nm: np.clip(x[off[nm] : off[nm] + len(pairs[nm]) * t_n].reshape(len(pairs[nm]), t_n), 0.0, None)
        for nm in HEAT_BLOCKS
    }


def fuel_cny(h: HeatLP, flows: dict[str, np.ndarray], dt: float) -> float:
    """Fuel and purchased-heat cost of a heat dispatch [CNY].

    Parameters
    ----------
    h : HeatLP
        The heat side.
    flows : dict of str to ndarray
        Its heat blocks (:func:`heat_flows`).
    dt : float
        Step length [h].

    Returns
    -------
    float
    """
    per = np.array([h.boiler_cost_cny_per_kwh_th[b] for b, _ in h.pairs()["hb"]])
    return float(np.sum(flows["hb"].sum(axis=1) * per) * dt) if len(per) else 0.0


def heat_record(h: HeatLP, flows: dict[str, np.ndarray], dt: float) -> tuple[np.ndarray, np.ndarray, float]:
    """A heat dispatch in the kernel's heat record (:meth:`lingtan.twin.core.dispatch.HeatSystem.columns`), so that
    an ``optimal`` run's heat side goes through the same tables, KPIs and accounting as a rule's.

    A store's standing loss in a step is what it does not keep of its energy before the step, as in the kernel. A
    unit's electricity is split as the kernel records it: a surplus-only unit's all from renewable surplus
    (``p_surplus_kw``); what is left of ``pr`` to the other units in order, the rest from the bus (``p_base_kw``).

    Parameters
    ----------
    h : HeatLP
        The heat side.
    flows : dict of str to ndarray
        Its heat blocks (:func:`heat_flows`).
    dt : float
        Step length [h].

    Returns
    -------
    hourly : ndarray, shape (T, columns)
        Flows by step [kW_th, kW], store energies at the step's end [kWh_th].
    totals : ndarray, shape (columns,)
        Flows over the year [kWh_th, kWh], store energies at the year's end [kWh_th].
    max_residual : float
        Largest step residual of a demand's or a store's balance [kWh_th].
    """
    s = h.system
    pairs = h.pairs()
    cols = {key: k for k, key in enumerate(s.columns())}
    t_n = s.residual_kw_th.shape[1]
    out = np.zeros((t_n, len(cols)))

    def put(group: str, i: int, q: str, v) -> None:
        out[:, cols[(group, i, q)]] += v

    for nm, q in (("hs", "from_storage"), ("hu", "from_p2h"), ("hb", "from_boilers")):
        for i, (_, d) in enumerate(pairs[nm]):
            put("demand", d, q, flows[nm][i])
    for d in range(s.shape[0]):
        put("demand", d, "unserved", flows["hx"][d])
    keep = np.asarray(s.store_keep, dtype=float) ** dt
    for j in range(s.shape[1]):
        before = np.concatenate([[h.store_e0_kwh_th[j]], flows["es"][j][:-1]])
        put("store", j, "charge_recovered", flows["hr"][j])
        put("store", j, "loss", (1.0 - keep[j]) * before / dt)
        put("store", j, "e_kwh_th", flows["es"][j])
    for i, (j, _) in enumerate(pairs["hs"]):
        put("store", j, "discharge", flows["hs"][i])
    for i, (u, j) in enumerate(pairs["huc"]):
        put("store", j, "charge_p2h", flows["huc"][i])
        put("unit", u, "heat_to_storage", flows["huc"][i])
    for i, (u, _) in enumerate(pairs["hu"]):
        put("unit", u, "heat_to_demand", flows["hu"][i])
    for i, (b, _) in enumerate(pairs["hb"]):
        put("boiler", b, "heat", flows["hb"][i])
    # each unit's electricity: surplus-only units first take renewables, the others what renewables are left
    cop = s.unit_cop
    inv_cop = np.divide(1.0, cop, out=np.zeros_like(cop), where=cop > 0)
    el = [
        (out[:, cols[("unit", u, "heat_to_demand")]] + out[:, cols[("unit", u, "heat_to_storage")]]) * inv_cop[u]
        for u in range(s.shape[2])
    ]
    surplus = flows["pr"][0].copy()
    for u in sorted(range(s.shape[2]), key=lambda u: bool(s.unit_grid_allowed[u])):
        from_re = el[u] if not s.unit_grid_allowed[u] else np.minimum(el[u], np.maximum(surplus, 0.0))
        surplus -= from_re
        put("unit", u, "p_surplus_kw", from_re)
        put("unit", u, "p_base_kw", el[u] - from_re)
    worst = 0.0
    for d in range(s.shape[0]):
        served = sum(out[:, cols[("demand", d, q)]] for q in ("from_storage", "from_p2h", "from_boilers", "unserved"))
        worst = max(worst, float(np.abs(served - s.residual_kw_th[d]).max(initial=0.0)) * dt)
    for j in range(s.shape[1]):
        before = np.concatenate([[h.store_e0_kwh_th[j]], flows["es"][j][:-1]])
        q = {name: out[:, cols[("store", j, name)]] for name in ("charge_recovered", "charge_p2h", "discharge", "loss")}
        change = (q["charge_recovered"] + q["charge_p2h"] - q["discharge"] - q["loss"]) * dt
        worst = max(worst, float(np.abs(flows["es"][j] - before - change).max(initial=0.0)))
    totals = out.sum(axis=0) * dt
    stores = [k for (group, _, q), k in cols.items() if group == "store" and q == "e_kwh_th"]
    totals[stores] = out[-1, stores] if t_n else 0.0
    return out, totals, worst


__all__ = ["HeatLP", "HEAT_BLOCKS", "heat_lp", "add_heat", "heat_flows", "fuel_cny", "heat_record"]
