"""The heat side in the LP: thermal stores, heat pumps, electric boilers and fuel boilers, co-scheduled with the
battery in a dispatch, and the heat pumps and stores sized with everything else in a design.

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

Sizes: one column per unit (``hq`` [kW_th]) and per store (``hE`` [kWh_th]), held at the scenario's in a dispatch and
chosen in a design (:func:`add_heat`). A design's waste-heat recovery row (Anhui, Annex 1, 2.1) counts what the
dispatch recovers (:func:`recovered_terms`) plus what is recovered whatever it does, against the boundary's resources.
A park's tenants' heat sides enter side by side (:func:`combine`); their power-to-heat electricity shares the bus.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.linalg import block_diag

from lingtan.components.heat import boiler_fuel, purchased_heat_totals
from lingtan.errors import InputError

HEAT_BLOCKS = ("hs", "hr", "hu", "huc", "hb", "hx", "es", "pb", "pr")
"""Heat blocks, in column order (module docstring)."""


@dataclass(frozen=True)
class HeatLP:
    """A site's heat side as the dispatch LP reads it (a park's: its tenants' side by side, :func:`combine`).

    Attributes
    ----------
    system : HeatSystem
        The kernel's heat system (:attr:`lingtan.twin.core.heat_profiles.HeatSetup.system`).
    store_kwh_th, store_charge_kw_th, store_discharge_kw_th, store_e0_kwh_th : ndarray, shape (S,)
        Store capacity [kWh_th], charge and discharge limits [kW_th], energy before the first step [kWh_th]. A design
        sizes the capacity and keeps the limits and the first energy in these proportions to it.
    unit_kw_th : ndarray, shape (U,)
        Heat output capacity of each power-to-heat unit [kW_th].
    boiler_cost_cny_per_kwh_th : ndarray, shape (B,)
        Fuel (or purchased heat) cost of one kWh_th delivered by each boiler or contract [CNY/kWh_th], from the
        economics' fuel prices.
    boiler_names : list of str
        Fuel boilers then purchased-heat contracts (B).
    unit_names, store_names : list of str
        Power-to-heat units (U) and stores (S), as the scenario names them (``tenant.name`` in a park).
    unit_sized : ndarray of bool, shape (U,)
        Units a design sizes: the heat pumps (electric boilers keep their capacity).
    unit_cost_cny_per_kw_th_yr : ndarray, shape (U,)
        Annualised cost of one kW_th of each unit a design sizes [CNY/yr].
    store_cost_cny_per_kwh_th_yr : ndarray, shape (S,)
        Annualised cost of one kWh_th of each store, its charge and discharge power in proportion [CNY/yr].
    unit_recovered_share : ndarray, shape (U, T)
        Share of each unit's heat output drawn from a waste-heat stream [-]: 1 - 1/COP for a heat pump on a
        stream (its source heat, as the heat table counts it), 0 for one on ambient air and an electric boiler.
    recovery_available_e_kwh_th : float
        The waste heat and energy resources of the boundary over the year [kWh_th] (the recovery rate's
        denominator, :func:`lingtan.twin.core.kpis.heat_kpis`); it does not depend on sizes or dispatch.
    recovery_fixed_e_kwh_th : float
        What is recovered whatever the sizes and the dispatch: direct exchange, heat network deliveries, declared
        recovered energy [kWh_th].
    store_end_min_kwh_th : ndarray, shape (S,), optional
        Energy each store holds at least after the last step [kWh_th]; None: what it held before the first (a
        rolling-horizon window ends at least as full as the year started, :func:`window_heat`).
    """

    system: object
    store_kwh_th: np.ndarray
    store_charge_kw_th: np.ndarray
    store_discharge_kw_th: np.ndarray
    store_e0_kwh_th: np.ndarray
    unit_kw_th: np.ndarray
    boiler_cost_cny_per_kwh_th: np.ndarray
    boiler_names: list
    unit_names: list = field(default_factory=list)
    store_names: list = field(default_factory=list)
    unit_sized: np.ndarray | None = None
    unit_cost_cny_per_kw_th_yr: np.ndarray | None = None
    store_cost_cny_per_kwh_th_yr: np.ndarray | None = None
    unit_recovered_share: np.ndarray | None = None
    recovery_available_e_kwh_th: float = 0.0
    recovery_fixed_e_kwh_th: float = 0.0
    store_end_min_kwh_th: np.ndarray | None = None

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


def heat_lp(
    scenario,
    setup,
    sizes,
    *,
    prefix: str = "",
    unit_cost_cny_per_kw_th_yr=None,
    store_cost_cny_per_kwh_th_yr=None,
    recovery_e_kwh_th: tuple[float, float] = (0.0, 0.0),
) -> HeatLP:
    """The dispatch LP's heat side of a factory or a tenant.

    Parameters
    ----------
    scenario : Scenario
        The factory: its boilers, purchased heat and economics (fuel prices).
    setup : HeatSetup
        Its heat profiles (``Profiles.heat``).
    sizes : HeatSizes
        Its heat sizes (:func:`lingtan.twin.core.heat_profiles.heat_sizes`), first configuration.
    prefix : str
        Put before every name (``"tenant."`` in a park).
    unit_cost_cny_per_kw_th_yr, store_cost_cny_per_kwh_th_yr : array_like, optional
        Annualised cost of one kW_th of each unit and one kWh_th of each store [CNY/yr] (a design's; default 0).
    recovery_e_kwh_th : (float, float)
        The recovery rate's resources and the part recovered whatever the sizes [kWh_th] (:class:`HeatLP`).

    Returns
    -------
    HeatLP
    """
    if setup.system.has_ground:
        # A ground loop's fluid temperature, hence its heat pump's COP, moves with the heat drawn: not linear.
        u = int(np.flatnonzero(np.asarray(setup.system.unit_ground) >= 0)[0])
        raise InputError(
            None,
            f"{prefix}heat_pumps[{u}].source",
            "heat pumps on waste heat or ambient air in a linear programme (a ground loop's COP moves with the heat "
            "it gives; simulate it with a rule dispatch)",
            f"ground loop {setup.ground_loops[int(setup.system.unit_ground[u])].name!r}",
        )
    if setup.electrolysers or setup.h2_stores:
        raise InputError(
            None,
            f"{prefix}electrolysers" if setup.electrolysers else f"{prefix}hydrogen_stores",
            "no hydrogen in a linear programme yet (simulate it with a rule dispatch)",
            "hydrogen assets",
        )
    if setup.chp:
        # A unit is off below its minimum load and its fuel line has an intercept: an on/off choice, not linear.
        raise InputError(
            None,
            f"{prefix}chp[0]",
            "no combined heat and power in a linear programme (its minimum load is an on/off choice; simulate it "
            "with a rule dispatch)",
            repr(setup.chp[0].name),
        )
    if setup.load_stores:
        group = "cold_stores" if scenario.cold_stores else "air_receivers"
        raise InputError(
            None,
            f"{prefix}{group}[0]",
            "no cold store or air receiver in a linear programme yet (simulate it with a rule dispatch)",
            repr(setup.load_stores[0].name),
        )
    eco = scenario.economics
    one = np.array([1.0])
    # the cost of one kWh_th, as the economics prices the fuel a boiler burns (fuel units x price per unit)
    costs = [
        float(boiler_fuel(one, b)["fuel_units"][0]) * eco.fuel_price(b.fuel)
        for b in scenario.boilers
        if b.fuel != "electric"
    ]
    costs += [float(np.sum(purchased_heat_totals(one, h)["cost_cny"])) for h in scenario.purchased_heat]
    sys_ = setup.system
    u_n, s_n = sys_.shape[2], sys_.shape[1]
    pump = np.array([k == "heat_pump" for k in setup.unit_kinds], dtype=bool)
    on_stream = pump & (np.asarray(setup.unit_source, dtype=int) >= 0)
    cop = np.asarray(sys_.unit_cop, dtype=float)
    inv_cop = np.divide(1.0, cop, out=np.ones_like(cop), where=cop > 0)
    share = np.where(on_stream[:, None] & (cop > 1.0), 1.0 - inv_cop, 0.0)  # source heat / output
    return HeatLP(
        system=sys_,
        store_kwh_th=np.asarray(sizes.store_kwh_th[0], dtype=float),
        store_charge_kw_th=np.asarray(sizes.store_charge_kw_th[0], dtype=float),
        store_discharge_kw_th=np.asarray(sizes.store_discharge_kw_th[0], dtype=float),
        store_e0_kwh_th=np.asarray(sizes.store_e0_kwh_th[0], dtype=float),
        unit_kw_th=np.asarray(sizes.unit_kw_th[0], dtype=float),
        boiler_cost_cny_per_kwh_th=np.array(costs, dtype=float),
        boiler_names=[prefix + n for n in setup.boiler_names],
        unit_names=[prefix + n for n in setup.unit_names],
        store_names=[prefix + n for n in setup.store_names],
        unit_sized=pump,
        unit_cost_cny_per_kw_th_yr=_or_zeros(unit_cost_cny_per_kw_th_yr, u_n),
        store_cost_cny_per_kwh_th_yr=_or_zeros(store_cost_cny_per_kwh_th_yr, s_n),
        unit_recovered_share=share,
        recovery_available_e_kwh_th=float(recovery_e_kwh_th[0]),
        recovery_fixed_e_kwh_th=float(recovery_e_kwh_th[1]),
    )


def combine(sides: list[HeatLP]) -> HeatLP:
    """A park's heat sides side by side: one heat side whose demands, stores, units and boilers are every tenant's,
    each serving only its own tenant's (block-diagonal), their resources and fixed recovery summed.

    Parameters
    ----------
    sides : list of HeatLP
        The tenants' heat sides (at least one), with their names prefixed.

    Returns
    -------
    HeatLP
    """
    from lingtan.twin.core.dispatch import HeatSystem

    if len(sides) == 1:
        return sides[0]
    systems = [h.system for h in sides]

    def stack(name: str) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(x, name)) for x in systems], axis=0)

    def block(name: str) -> np.ndarray:
        return block_diag(*(np.asarray(getattr(x, name), dtype=bool) for x in systems))

    system = HeatSystem(
        residual_kw_th=stack("residual_kw_th"),
        store_recoverable_kw_th=stack("store_recoverable_kw_th"),
        store_serves=block("store_serves"),
        store_keep=stack("store_keep"),
        unit_cop=stack("unit_cop"),
        unit_max_kw_th=stack("unit_max_kw_th"),
        unit_serves=block("unit_serves"),
        unit_charges=block("unit_charges"),
        unit_grid_allowed=stack("unit_grid_allowed"),
        boiler_capacity_kw_th=stack("boiler_capacity_kw_th"),
        boiler_serves=block("boiler_serves"),
    )
    cat = lambda name: np.concatenate([np.asarray(getattr(h, name), dtype=float) for h in sides])  # noqa: E731
    return HeatLP(
        system=system,
        store_kwh_th=cat("store_kwh_th"),
        store_charge_kw_th=cat("store_charge_kw_th"),
        store_discharge_kw_th=cat("store_discharge_kw_th"),
        store_e0_kwh_th=cat("store_e0_kwh_th"),
        unit_kw_th=cat("unit_kw_th"),
        boiler_cost_cny_per_kwh_th=cat("boiler_cost_cny_per_kwh_th"),
        boiler_names=[n for h in sides for n in h.boiler_names],
        unit_names=[n for h in sides for n in h.unit_names],
        store_names=[n for h in sides for n in h.store_names],
        unit_sized=np.concatenate([h.unit_sized for h in sides]).astype(bool),
        unit_cost_cny_per_kw_th_yr=cat("unit_cost_cny_per_kw_th_yr"),
        store_cost_cny_per_kwh_th_yr=cat("store_cost_cny_per_kwh_th_yr"),
        unit_recovered_share=np.concatenate([h.unit_recovered_share for h in sides], axis=0),
        recovery_available_e_kwh_th=sum(h.recovery_available_e_kwh_th for h in sides),
        recovery_fixed_e_kwh_th=sum(h.recovery_fixed_e_kwh_th for h in sides),
    )


def add_heat(h: HeatLP, rows, n0: int, t_n: int, dt: float, penalty: float, design: bool = False):
    """Add the heat side's columns and rows to a programme (module docstring).

    Every unit's capacity (``hq``, U columns) and every store's (``hE``, S columns) is a column: held at the
    scenario's sizes in a dispatch; in a design the heat pumps' and the stores' are chosen at their annualised cost
    (a store's charge and discharge limits and first energy in the scenario's proportion to its capacity; a store of
    no capacity in the scenario has no such proportion and stays empty), the electric boilers' held.

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
    design : bool
        Size the heat pumps and the stores.

    Returns
    -------
    off : dict of str to int
        First column of each heat block; block ``name``'s i-th pair at step t is ``off[name] + i * T + t``; ``hq``
        and ``hE`` the first size column.
    n : int
        Number of columns after the heat columns.
    cost, lower, upper : ndarray
        Objective coefficients [CNY] and bounds of the heat columns (``n - n0`` of each).
    """
    s = h.system
    d_n, s_n, u_n, _ = s.shape
    pairs = h.pairs()
    t = np.arange(t_n)
    ones, zeros, inf = np.ones(t_n), np.zeros(t_n), np.inf
    off, n = {}, n0
    for name in HEAT_BLOCKS:
        off[name] = n
        n += len(pairs[name]) * t_n
    off["hq"], off["hE"] = n, n + u_n
    n += u_n + s_n
    cost, lower, upper = np.zeros(n - n0), np.zeros(n - n0), np.full(n - n0, inf)

    def col(name: str, i: int, steps=t):
        return off[name] + i * t_n + steps

    def loc(name: str, i: int) -> slice:
        return slice(off[name] - n0 + i * t_n, off[name] - n0 + (i + 1) * t_n)

    cop = s.unit_cop
    inv_cop = np.divide(1.0, cop, out=np.zeros_like(cop), where=cop > 0)
    for i, (j, _) in enumerate(pairs["hr"]):
        upper[loc("hr", i)] = np.maximum(s.store_recoverable_kw_th[j], 0.0)
    for i, (b, _) in enumerate(pairs["hb"]):
        cost[loc("hb", i)] = h.boiler_cost_cny_per_kwh_th[b] * dt
    for i in range(len(pairs["hx"])):
        cost[loc("hx", i)] = penalty * dt
    # sizes: held, or chosen at their annualised cost
    sized = h.unit_sized if design and h.unit_sized is not None else np.zeros(u_n, dtype=bool)
    hq = off["hq"] - n0 + np.arange(u_n)
    lower[hq] = np.where(sized, 0.0, h.unit_kw_th)
    upper[hq] = np.where(sized, inf, h.unit_kw_th)
    hE = off["hE"] - n0 + np.arange(s_n)
    lower[hE] = 0.0 if design else h.store_kwh_th
    upper[hE] = inf if design else h.store_kwh_th
    if design:
        cost[hq] = np.where(sized, _or_zeros(h.unit_cost_cny_per_kw_th_yr, u_n), 0.0)
        cost[hE] = _or_zeros(h.store_cost_cny_per_kwh_th_yr, s_n)

    # demand d: sum hs + sum hu + sum hb + hx = residual(d, t)
    for d in range(d_n):
        terms = [(t, col(nm, i), 1.0) for nm in ("hs", "hu", "hb") for i, (_, dd) in enumerate(pairs[nm]) if dd == d]
        terms.append((t, col("hx", d), 1.0))
        rows.add(terms, s.residual_kw_th[d], s.residual_kw_th[d])
    # store j of capacity E: es(t) - keep es(t-1) - dt (hr + huc - hs) = keep e0 at t = 0, else 0, e0 = f E;
    # es <= E; charge <= rc E, discharge <= rd E (f, rc, rd the scenario's proportions); es at the end >= e0
    later, first, last = t[1:], np.array([0]), np.array([t_n - 1])
    cap = np.asarray(h.store_kwh_th, dtype=float)
    ratio = lambda v: np.divide(np.asarray(v, float), cap, out=np.zeros(s_n), where=cap > 0)  # noqa: E731
    f0, rc, rd = ratio(h.store_e0_kwh_th), ratio(h.store_charge_kw_th), ratio(h.store_discharge_kw_th)
    for j in range(s_n):
        keep = s.store_keep[j] ** dt  # the system's keep is per hour
        e_col = off["hE"] + j
        charge = [(t, col("hr", j), -dt)] + [
            (t, col("huc", i), -dt) for i, (_, jj) in enumerate(pairs["huc"]) if jj == j
        ]
        discharge = [(t, col("hs", i), dt) for i, (jj, _) in enumerate(pairs["hs"]) if jj == j]
        energy = [(t, col("es", j), 1.0), (later, col("es", j, later - 1), -keep), *charge, *discharge]
        rows.add([*energy, (first, e_col, -keep * f0[j])], zeros, zeros)
        rows.add([(t, col("es", j), 1.0), (t, e_col, -1.0)], -inf * ones, zeros)
        rows.add([(r, c, -v / dt) for r, c, v in charge] + [(t, e_col, -rc[j])], -inf * ones, zeros)
        rows.add([(r, c, v / dt) for r, c, v in discharge] + [(t, e_col, -rd[j])], -inf * ones, zeros)
        if h.store_end_min_kwh_th is None:
            rows.add([(first, col("es", j, last), 1.0), (first, e_col, -f0[j])], [0.0], [inf])
        else:
            rows.add([(first, col("es", j, last), 1.0)], [h.store_end_min_kwh_th[j]], [inf])
    # unit u of capacity Q: heat <= Q, and <= its source limit where it can run (0 where its COP is 0)
    surplus_el = []
    el = [(t, col("pb", 0), -1.0), (t, col("pr", 0), -1.0)]
    for u in range(u_n):
        own = [(t, col(nm, i), 1.0) for nm in ("hu", "huc") for i, (uu, _) in enumerate(pairs[nm]) if uu == u]
        rows.add(own + [(t, off["hq"] + u, -1.0)], -inf * ones, zeros)
        source = np.where(cop[u] > 0, s.unit_max_kw_th[u], 0.0)
        if not np.isinf(source).all():
            rows.add(own, -inf * ones, source)
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


def window_heat(h: HeatLP, start: int, end: int, e0_kwh_th: np.ndarray) -> HeatLP:
    """The heat side of steps ``start .. end - 1``: its profiles sliced, each store starting with ``e0_kwh_th`` and
    ending at least as full as the year started.

    Parameters
    ----------
    h : HeatLP
        The year's heat side (a dispatch's: sizes held).
    start, end : int
        The window's steps.
    e0_kwh_th : ndarray, shape (S,)
        Each store's energy before the window [kWh_th].

    Returns
    -------
    HeatLP
    """
    s = h.system
    cut = lambda a: np.asarray(a)[:, start:end]  # noqa: E731
    system = replace(
        s,
        residual_kw_th=cut(s.residual_kw_th),
        store_recoverable_kw_th=cut(s.store_recoverable_kw_th),
        unit_cop=cut(s.unit_cop),
        unit_max_kw_th=cut(s.unit_max_kw_th),
    )
    end_min = h.store_e0_kwh_th if h.store_end_min_kwh_th is None else h.store_end_min_kwh_th
    share = None if h.unit_recovered_share is None else cut(h.unit_recovered_share)
    return replace(
        h,
        system=system,
        store_e0_kwh_th=np.asarray(e0_kwh_th, dtype=float),
        store_end_min_kwh_th=np.asarray(end_min, dtype=float),
        unit_recovered_share=share,
    )


def recovered_terms(h: HeatLP, off: dict, t_n: int, dt: float) -> list:
    """The heat a dispatch recovers that moves with it, as row terms [kWh_th]: heat recovered into the stores and
    the waste-heat share of the heat pumps' output, all of it counted as delivered (a store's losses and what it
    holds at the end are not subtracted). The heat table counts a store's recovered heat only in the share the store
    delivered; counting all of it makes a recovery row that contains every dispatch the rule may choose (a bound).

    Parameters
    ----------
    h : HeatLP
        The heat side.
    off : dict of str to int
        Its blocks' first columns (:func:`add_heat`).
    t_n : int
        Number of steps T.
    dt : float
        Step length [h].

    Returns
    -------
    list of (rows, columns, coefficients)
        Terms of one row (row index 0).
    """
    pairs = h.pairs()
    t, row = np.arange(t_n), np.zeros(t_n, dtype=int)
    terms = [(row, off["hr"] + i * t_n + t, dt) for i in range(len(pairs["hr"]))]
    share = h.unit_recovered_share
    if share is not None:
        for nm in ("hu", "huc"):
            for i, (u, _) in enumerate(pairs[nm]):
                if share[u].any():
                    terms.append((row, off[nm] + i * t_n + t, share[u] * dt))
    return terms


def _or_zeros(a, n: int) -> np.ndarray:
    return np.zeros(n) if a is None else np.asarray(a, dtype=float)


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


def heat_sizes_of(h: HeatLP, off: dict, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unit and store capacities of a solution.

    Parameters
    ----------
    h : HeatLP
        The heat side.
    off : dict of str to int
        Its first columns (:func:`add_heat`).
    x : ndarray
        The solution's columns.

    Returns
    -------
    unit_kw_th : ndarray, shape (U,)
        Heat output capacity of each power-to-heat unit [kW_th].
    store_kwh_th : ndarray, shape (S,)
        Capacity of each store [kWh_th].
    """
    _, s_n, u_n, _ = h.system.shape
    return x[off["hq"] : off["hq"] + u_n].copy(), x[off["hE"] : off["hE"] + s_n].copy()


def unit_el_kw(h: HeatLP, flows: dict[str, np.ndarray]) -> np.ndarray:
    """Each power-to-heat unit's electricity in a heat dispatch: its heat to demands and stores over its COP.

    Parameters
    ----------
    h : HeatLP
        The heat side.
    flows : dict of str to ndarray
        Its heat blocks (:func:`heat_flows`, or some steps of them with ``h``'s profiles cut to the same steps).

    Returns
    -------
    ndarray, shape (U, steps)
        [kW]; 0 where a unit's COP is 0 (it cannot run).
    """
    s, pairs = h.system, h.pairs()
    out = np.zeros((s.shape[2], flows["pb"].shape[1]))
    for nm in ("hu", "huc"):
        for i, (u, _) in enumerate(pairs[nm]):
            out[u] += flows[nm][i] / np.where(s.unit_cop[u] > 0, s.unit_cop[u], np.inf)
    return out


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
    # each store's energy before each step
    before = [np.concatenate([[h.store_e0_kwh_th[j]], flows["es"][j][:-1]]) for j in range(s.shape[1])]
    for j in range(s.shape[1]):
        put("store", j, "charge_recovered", flows["hr"][j])
        put("store", j, "loss", (1.0 - keep[j]) * before[j] / dt)
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
    el = unit_el_kw(h, flows)
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
        q = {name: out[:, cols[("store", j, name)]] for name in ("charge_recovered", "charge_p2h", "discharge", "loss")}
        change = (q["charge_recovered"] + q["charge_p2h"] - q["discharge"] - q["loss"]) * dt
        worst = max(worst, float(np.abs(flows["es"][j] - before[j] - change).max(initial=0.0)))
    totals = out.sum(axis=0) * dt
    stores = [k for (group, _, q), k in cols.items() if group == "store" and q == "e_kwh_th"]
    totals[stores] = out[-1, stores] if t_n else 0.0
    return out, totals, worst


__all__ = [
    "HeatLP",
    "HEAT_BLOCKS",
    "heat_lp",
    "combine",
    "window_heat",
    "add_heat",
    "recovered_terms",
    "heat_flows",
    "heat_sizes_of",
    "unit_el_kw",
    "fuel_cny",
    "heat_record",
]
