"""Solving the site's programme with HiGHS and reading the solution back.

* :func:`solve`: the relaxation first (its objective is the reported bound), then, only when the relaxation
  imports and exports in the same step where prices invite it (or bills an overrunning contracted-demand month
  below its band), the mixed-integer programme with those binaries.
* :func:`kernel_result`: the LP's flows as the dispatch kernel's :class:`~lingtan.twin.core.dispatch.DispatchResult`,
  so that an ``optimal`` run goes through the same tables, balance checks, KPIs, accounting and verdicts as a rule.
  The battery's renewable share is re-derived from the LP's charge and discharge as the kernel keeps it (a
  well-mixed store: pools discharge and lose pro rata to their contents).
* :func:`optimal_dispatch`, :func:`optimum_bill`: the ``dispatch: optimal`` strategy and the LP optimum's bill
  printed beside every run.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from lingtan.components import grid as gridmod
from lingtan.errors import InputError
from lingtan.twin.core.dispatch import FLOWS, STATES, TOTALS, DispatchResult, dispatch
from lingtan.twin.studies.lp.heat_dispatch import fuel_cny, heat_flows, heat_record, heat_sizes_of
from lingtan.twin.studies.lp.model import STEP_BLOCKS, Model, build
from lingtan.twin.studies.lp.problem import DesignProblem, design_problem

TIME_LIMIT_S = 900.0
"""HiGHS time limit of one solve [s]. A year's dispatch LP takes 10-30 s on one core; a year's design LP takes
minutes (interior point; its size columns touch every step)."""

MIP_REL_GAP = 1e-6
"""Relative gap at which HiGHS stops a mixed-integer solve [-]: well below the 0.1 % a peer comparison needs."""

FLOW_TOL_KW = 1e-6
"""Import and export within this of zero in one step are not 'both' [kW]: the solver's feasibility tolerance."""


@dataclass(frozen=True)
class Solution:
    """A solved programme.

    Attributes
    ----------
    status : str
        HiGHS's model status.
    objective_cny : float
        Objective at the solution, with its constant part [CNY/yr].
    bound_cny : float
        Objective of the relaxation (no binaries): a lower bound [CNY/yr].
    mip : bool
        Whether binaries were needed (the relaxation imported and exported together, or billed below a band).
    mip_gap : float
        HiGHS's relative gap of the mixed-integer solve (0 without one) [-].
    flows : dict of str to ndarray, shape (T,)
        Each block of :data:`~lingtan.twin.studies.lp.model.STEP_BLOCKS` [kW, kWh for ``er``, ``eg``].
    sizes : ndarray, shape (K,)
        Source sizes [kWp, turbines].
    e_kwh, p_kw, green_kwh : float
        Battery energy [kWh], battery power (design) [kW], contracted green power [kWh/yr].
    peak_kw : ndarray, shape (12,)
        Monthly maximum demand variables [kW] (0 where no demand charge applies).
    z_steps : int
        Steps that carried a binary.
    heat : dict or None
        The co-scheduled heat side's blocks (:func:`lingtan.twin.studies.lp.heat_dispatch.heat_flows`); None
        without one.
    exact : bool
        Whether the solution is the programme's optimum (no binary was needed, or branch and bound ran); False:
        binaries fixed from the relaxation, ``mip_gap`` then the gap to the bound.
    unit_kw_th, store_kwh_th : ndarray
        With a heat side, each power-to-heat unit's capacity [kW_th] and each thermal store's [kWh_th]
        (:attr:`lingtan.twin.studies.lp.heat_dispatch.HeatLP.unit_names`, ``store_names``); empty without one.
    """

    status: str
    objective_cny: float
    bound_cny: float
    mip: bool
    mip_gap: float
    flows: dict
    sizes: np.ndarray
    e_kwh: float
    p_kw: float
    green_kwh: float
    peak_kw: np.ndarray
    z_steps: int = 0
    exact: bool = True
    heat: dict | None = None
    unit_kw_th: np.ndarray = field(default_factory=lambda: np.zeros(0))
    store_kwh_th: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _highs(highspy):
    """A HiGHS instance, its banner kept off the terminal: HiGHS prints it to file descriptor 1 when constructed,
    before any option can silence it, and ``twin run --quiet`` prints nothing on success."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _run(model: Model, integer: bool, time_limit_s: float, solver: str = "simplex"):
    """HiGHS on ``model`` (binaries when ``integer``); the column values, objective and gap."""
    import highspy

    h = _highs(highspy)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", solver)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    n = len(model.cost)
    inf = highspy.kHighsInf
    lb = np.where(np.isfinite(model.lower), model.lower, -inf)
    ub = np.where(np.isfinite(model.upper), model.upper, inf)
    h.addVars(n, lb, ub)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), model.cost)
    a = model.a
    h.addRows(
        a.shape[0],
        np.where(np.isfinite(model.row_lower), model.row_lower, -inf),
        np.where(np.isfinite(model.row_upper), model.row_upper, inf),
        a.nnz,
        a.indptr[:-1].astype(np.int32),
        a.indices.astype(np.int32),
        a.data.astype(float),
    )
    if integer and len(model.integer):
        idx = model.integer.astype(np.int32)
        h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kInteger))
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    if not ok and not (integer and h.getSolution().value_valid):
        raise InputError(None, "lp", "a programme HiGHS solves to optimality", f"HiGHS status {status!r}")
    info = h.getInfo()
    gap = float(info.mip_gap) if integer and len(model.integer) else 0.0
    return np.asarray(h.getSolution().col_value), float(info.objective_function_value) + model.constant_cny, gap, status


def _both(model: Model, col: np.ndarray) -> bool:
    """Whether a relaxed solution imports and exports in one flagged step, or bills a band month below its band."""
    off, t_n = model.offset, model.n_steps
    x = col[off["x"] : off["x"] + t_n]
    imp = col[off["g"] : off["g"] + t_n] + col[off["cg"] : off["cg"] + t_n]
    z = model.z_steps
    both = bool(((x[z] > FLOW_TOL_KW) & (imp[z] > FLOW_TOL_KW)).any())
    bands = model.integer[model.integer < off["z"]]
    if len(bands):
        over = col[off["over"] : off["over"] + 12]
        both |= bool(((over > FLOW_TOL_KW) & (col[bands] < 1 - 1e-9)).any())
    return both


def solve(
    p: DesignProblem,
    mode: str = "dispatch",
    exact: bool = False,
    time_limit_s: float = TIME_LIMIT_S,
    fix_sizes: dict[int, float] | None = None,
) -> Solution:
    """Solve the site's programme.

    The relaxation is solved first; its objective is the reported bound. When it imports and exports in one step
    where prices invite it (or bills an overrunning contracted-demand month below its band), the binaries decide:

    * ``exact``: the mixed-integer programme (HiGHS branch and bound; minutes for a year, seconds for days);
    * otherwise each binary is fixed where the relaxation leaned (export where it exported more than it imported,
      the band where it overran) and the programme is solved again: a feasible dispatch whose gap to the bound is
      reported (0.007 % of the default factory's bill).

    Parameters
    ----------
    p : DesignProblem
        The site's year.
    mode : str
        ``dispatch`` or ``design`` (:func:`lingtan.twin.studies.lp.model.build`; a design is the relaxation).
    exact : bool
        Branch and bound on the binaries instead of fixing them from the relaxation.
    time_limit_s : float
        HiGHS time limit of each solve [s].
    fix_sizes : dict of int to float, optional
        Source sizes held fixed in a design (index in ``p.sources`` -> size [kWp, turbines]).

    Returns
    -------
    Solution
        The optimum, or the fixed-binary dispatch with its gap to the bound.

    Raises
    ------
    InputError
        When HiGHS finds no solution (an infeasible criterion row: a share no design within the limits reaches).
    """
    model = build(p, mode, binaries=True)
    for i, v in (fix_sizes or {}).items():
        model.lower[model.offset["size"] + i] = model.upper[model.offset["size"] + i] = v
    # Interior point for a design: its size columns touch every step, which slows the simplex method most.
    col, bound, _, status = _run(model, False, time_limit_s, "ipm" if mode == "design" else "simplex")
    mip = _both(model, col)
    obj, gap = bound, 0.0
    if mip and exact:
        col, obj, gap, status = _run(model, True, time_limit_s)
    elif mip:
        col, obj, status = _fixed(model, col, time_limit_s)
        gap = (obj - bound) / abs(obj) if obj else 0.0
    off, t_n, k_n = model.offset, model.n_steps, len(p.sources)
    flows = {name: np.clip(col[off[name] : off[name] + t_n], 0.0, None) for name in STEP_BLOCKS}
    heat = p.heat is not None
    unit_kw_th, store_kwh_th = heat_sizes_of(p.heat, off, col) if heat else (np.zeros(0), np.zeros(0))
    return Solution(
        status=status,
        objective_cny=obj,
        bound_cny=bound,
        mip=mip,
        mip_gap=gap,
        flows=flows,
        sizes=col[off["size"] : off["size"] + k_n].copy(),
        e_kwh=float(col[off["e_kwh"]]),
        p_kw=float(col[off["p_kw"]]),
        green_kwh=float(col[off["green_kwh"]]),
        peak_kw=col[off["peak"] : off["peak"] + 12].copy(),
        z_steps=len(model.z_steps),
        exact=exact or not mip,
        heat=heat_flows(p.heat, off, t_n, col) if heat else None,
        unit_kw_th=unit_kw_th,
        store_kwh_th=store_kwh_th,
    )


def _fixed(model: Model, col: np.ndarray, time_limit_s: float) -> tuple[np.ndarray, float, str]:
    """The programme with every binary fixed where the relaxation ``col`` leaned, solved again."""
    off, t_n = model.offset, model.n_steps
    z = model.z_steps
    lower, upper = model.lower.copy(), model.upper.copy()
    x = col[off["x"] + z]
    cg = col[off["cg"] + z]
    zc = off["z"] + np.arange(len(z))
    lower[zc] = upper[zc] = (x > cg).astype(float)  # export where it exported more than it grid-charged
    bands = model.integer[model.integer < off["z"]]
    if len(bands):
        over = col[off["over"] : off["over"] + 12]
        lower[bands] = upper[bands] = (over > FLOW_TOL_KW).astype(float)
    fixed = Model(
        model.cost,
        lower,
        upper,
        model.a,
        model.row_lower,
        model.row_upper,
        model.integer[:0],
        model.offset,
        model.z_steps,
        model.constant_cny,
        t_n,
    )
    col, obj, _, status = _run(fixed, False, time_limit_s)
    return col, obj, status


# --------------------------------------------------------------------------- back to the kernel's shape


def _pools(s: Solution, p: DesignProblem, e_kwh: float) -> dict[str, np.ndarray]:
    """The kernel's battery columns from the LP's charge and discharge: a well-mixed store whose renewable pool
    discharges and loses pro rata to its contents (the energy at the first step is grid energy)."""
    b = p.battery
    t_n = p.n_steps
    f = s.flows
    out = {name: np.zeros(t_n) for name in ("dis_re", "loss_re", "loss_gr", "e", "e_re")}
    if b is None or e_kwh <= 0:
        return out
    keep, eta_c, eta_d, dt = b.keep_per_step, b.charge_efficiency, b.discharge_efficiency, p.step_h
    cr, cg, dis = f["cr"] * dt, f["cg"] * dt, (f["dr"] + f["dg"]) * dt
    e, e_re = b.soc_initial * e_kwh, 0.0
    for t in range(t_n):
        sd_re, sd_gr = e_re * (1 - keep), (e - e_re) * (1 - keep)  # standing loss at the start of the step
        e, e_re = e * keep, e_re * keep
        e_in, e_re_in = e + eta_c * (cr[t] + cg[t]), e_re + eta_c * cr[t]
        drawn = dis[t] / eta_d
        drawn_re = e_re_in * (drawn / e_in) if e_in > 0 else 0.0  # pro rata to the contents
        dis_re = drawn_re * eta_d
        out["dis_re"][t] = dis_re / dt
        out["loss_re"][t] = (sd_re + cr[t] * (1 - eta_c) + dis_re * (1 / eta_d - 1)) / dt
        out["loss_gr"][t] = (sd_gr + cg[t] * (1 - eta_c) + (dis[t] - dis_re) * (1 / eta_d - 1)) / dt
        e, e_re = max(e_in - drawn, 0.0), min(max(e_re_in - drawn_re, 0.0), max(e_in - drawn, 0.0))
        out["e"][t], out["e_re"][t] = e, e_re
    return out


def kernel_result(s: Solution, p: DesignProblem, e_kwh: float, heat: DispatchResult | None = None) -> DispatchResult:
    """The LP's year as the dispatch kernel's result of one configuration, hourly record included.

    Parameters
    ----------
    s : Solution
        A solved dispatch (or design) programme; with a co-scheduled heat side (``s.heat``) its heat record is the
        LP's (:func:`lingtan.twin.studies.lp.heat_dispatch.heat_record`): power-to-heat electricity from the bus
        joins the ``load`` column as ``heat_load``, from renewables ``re_to_heat``, as the kernel records them.
    p : DesignProblem
        Its problem.
    e_kwh : float
        Battery energy of the plant [kWh].
    heat : DispatchResult, optional
        Without a co-scheduled heat side: a kernel run of the same site whose heat side is kept (a heat side
        without power-to-heat units or stores does not depend on the electric dispatch); None: no heat side.

    Returns
    -------
    DispatchResult
        Totals, monthly peaks and the hourly record, in the kernel's columns and units.
    """
    f, dt, t_n = s.flows, p.step_h, p.n_steps
    pools = _pools(s, p, e_kwh)
    dis = f["dr"] + f["dg"]
    heat_load, re_to_heat = np.zeros(t_n), np.zeros(t_n)
    if s.heat is not None:
        heat_hourly, heat_totals, heat_residual = heat_record(p.heat, s.heat, dt)
        heat_load, re_to_heat = s.heat["pb"][0], s.heat["pr"][0]
    elif heat is not None:
        heat_hourly, heat_totals = heat.heat_hourly, heat.heat_totals[0]
        heat_residual = float(heat.total("max_heat_residual")[0])
        if len(heat.hourly):
            heat_load = heat.hourly[:, FLOWS.index("heat_load")]
    else:
        heat_hourly, heat_totals, heat_residual = np.zeros((t_n, 0)), np.zeros(0), 0.0
    cols = {
        "re_to_load": f["a"],
        "re_to_battery": f["cr"],
        "re_to_grid": f["x"],
        "re_curtailed": f["k"],
        "grid_to_load": f["g"],
        "grid_to_battery": f["cg"],
        "battery_re_to_load": pools["dis_re"],
        "battery_grid_to_load": dis - pools["dis_re"],
        "battery_loss_re": pools["loss_re"],
        "battery_loss_grid": pools["loss_gr"],
        "unserved": f["u"],
        # the LP's load row serves the loads and the power-to-heat electricity from the bus; the kernel's load
        # column holds both, heat_load the second (a heat side not co-scheduled: the kernel run's)
        "load": p.load_kw + (heat_load if s.heat is not None else 0.0),
        "heat_load": heat_load,
        "re_to_heat": re_to_heat,
        "chp_to_load": 0.0,  # the linear programmes refuse CHP units (heat_dispatch.heat_lp)
        "chp_to_grid": 0.0,
        "re_to_h2": 0.0,  # nor hydrogen
        "fc_to_load": 0.0,
        "battery_e": pools["e"],
        "battery_e_re": pools["e_re"],
    }
    hourly = np.column_stack([np.broadcast_to(cols[name], (t_n,)) for name in FLOWS + STATES])
    re = (p.unit_kw * s.sizes[:, None]).sum(axis=0) if len(p.sources) else np.zeros(t_n)
    imp = f["g"] + f["cg"]
    totals = np.zeros(len(TOTALS))
    totals[: len(FLOWS)] = hourly[:, : len(FLOWS)].sum(axis=0) * dt
    e0 = p.battery.soc_initial * e_kwh if p.battery is not None else 0.0
    e_prev = np.concatenate([[e0], pools["e"][:-1]])
    store = np.abs(pools["e"] - e_prev - (f["cr"] + f["cg"] - dis - pools["loss_re"] - pools["loss_gr"]) * dt)
    load = cols["load"]
    bus = np.abs(re + imp + dis + f["u"] - load - f["cr"] - f["cg"] - f["x"] - f["k"] - re_to_heat) * dt
    extra = {
        "re_generation": re.sum() * dt,
        "import_cost_cny": (imp * p.import_price_cny_per_kwh).sum() * dt,
        "export_revenue_cny": (f["x"] * p.export_price_cny_per_kwh).sum() * dt,
        "peak_import_kw": imp.max() if t_n else 0.0,
        "battery_e_start": e0,
        "battery_e_end": pools["e"][-1] if t_n else e0,
        "battery_e_re_end": pools["e_re"][-1] if t_n else 0.0,
        "max_bus_residual": bus.max() if t_n else 0.0,
        "max_store_residual": store.max() if t_n else 0.0,
        "max_pool_residual": 0.0,
        "max_heat_residual": heat_residual,
    }
    for code, name in enumerate(("import_valley", "import_flat", "import_peak", "import_critical")):
        extra[name] = imp[p.period == code].sum() * dt
    for name, v in extra.items():
        totals[TOTALS.index(name)] = v
    peaks = np.zeros(12)
    np.maximum.at(peaks, p.month, imp)
    return DispatchResult(
        totals=totals[None, :],
        monthly_peak_kw=peaks[None, :],
        hourly=hourly,
        heat_totals=heat_totals[None, :],
        heat_hourly=heat_hourly,
        event_import_kw=np.zeros((1, 0)),  # a linear programme takes no demand-response events
    )


# --------------------------------------------------------------------------- a run's optimum


def optimal_dispatch(scenario, prof, params: np.ndarray, site: dict, plan=None) -> DispatchResult:
    """``dispatch: optimal``: the year's bill-minimising dispatch of the scenario's plant, with perfect foresight
    (or another plan of the same programme: ``twin run`` passes
    :func:`lingtan.twin.studies.lp.rolling.optimal_strategy`, which reads the battery's ``optimal``).

    A heat side with thermal stores or power-to-heat units is co-scheduled with the battery
    (:mod:`~lingtan.twin.studies.lp.heat_dispatch`: the objective is then the bill plus the boilers' fuel and
    purchased heat) and its heat record is the LP's; a heat side of boilers alone is the kernel's run.

    Parameters
    ----------
    scenario : Scenario
        The factory (sizes, battery, grid).
    prof : Profiles
        Its profiles (:func:`lingtan.twin.run.build_profiles`).
    params : ndarray, shape (1, len(PARAMS))
        The kernel's parameters of the plant (a heat side is run through the kernel with them).
    site : dict
        The kernel's site arguments (:func:`lingtan.twin.run.kernel_site`).
    plan : callable, optional
        ``plan(p) -> Solution``: the flows of the plant's :class:`DesignProblem` (default the year programme,
        :func:`solve`; the rolling horizon, :func:`lingtan.twin.studies.lp.rolling.rolling_solve`).

    Returns
    -------
    DispatchResult
        The LP's year in the kernel's shape (:func:`kernel_result`).

    Raises
    ------
    InputError
        A bad forecast file, or an LP HiGHS cannot solve.
    """
    co_heat = _co_heat(prof)
    p = design_problem(scenario, prof, step_h=prof.step_h, co_heat=co_heat)
    s = _dispatch_optimum(p) if plan is None else plan(p)
    heat = None
    if not prof.heat.empty and not co_heat:
        # No store and no power-to-heat unit: the heat side does not depend on the electric dispatch.
        heat = dispatch(prof.unit_kw, p.existing_size[None, :], prof.load_kw, params, record_hourly=True, **site)
    return kernel_result(s, p, p.battery.energy_kwh, heat)


_DISPATCH_OPTIMA: OrderedDict[str, Solution] = OrderedDict()
"""Dispatch optima of this process by the content of their problem (sha256 of the pickled
:class:`~.problem.DesignProblem`): the same plant, profiles and tariff solve once. ``twin run`` solves one;
a process that runs a plant again (the dashboard, a test session, a plan's unchanged years) finds it here."""
KEEP_DISPATCH_OPTIMA = 8
"""Optima kept [-]: a year's flows are a few MB each."""


def _dispatch_optimum(p: DesignProblem) -> Solution:
    """:func:`solve` in ``"dispatch"`` mode, remembered by the problem's content (:data:`_DISPATCH_OPTIMA`)."""
    key = hashlib.sha256(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    if key not in _DISPATCH_OPTIMA:
        _DISPATCH_OPTIMA[key] = solve(p, "dispatch")
        while len(_DISPATCH_OPTIMA) > KEEP_DISPATCH_OPTIMA:
            _DISPATCH_OPTIMA.popitem(last=False)
    return _DISPATCH_OPTIMA[key]


def optimum_bill(scenario, prof) -> dict:
    """The bill of the LP optimum's dispatch of the same plant: what a rule leaves on the table.

    A heat side with thermal stores or power-to-heat units is co-scheduled
    (:mod:`~lingtan.twin.studies.lp.heat_dispatch`): the objective is then the electricity bill plus the fuel and
    purchased heat of the boilers (``bound_cny`` too), and the fuel is stated apart. A heat side without them does
    not depend on the electric dispatch and is left out.

    Parameters
    ----------
    scenario : Scenario
        The factory.
    prof : Profiles
        Its profiles.

    Returns
    -------
    dict
        ``total_cny`` [CNY/yr]: energy + basic charge - feed-in of the optimal dispatch, billed by
        :func:`lingtan.components.grid.monthly_bill` as the run's own bill is, and ``total_cny_by_month``
        [CNY] (``{"YYYY-MM": bill}``); ``bound_cny`` [CNY/yr]: the
        relaxation's objective (binaries free), a lower bound; ``exact`` and ``gap`` (:class:`Solution`);
        ``unserved_e_kwh`` [kWh]; ``note``. With a co-scheduled heat side also ``fuel_cny`` [CNY/yr] (fuel and
        purchased heat of the LP's dispatch), ``fuel_cny_per_kwh_th`` (each boiler's price of one kWh_th
        [CNY/kWh_th]), ``unserved_heat_e_kwh_th`` [kWh_th] and ``power_to_heat_e_kwh`` [kWh].
    """
    p = design_problem(scenario, prof, step_h=prof.step_h, co_heat=_co_heat(prof))
    s = _dispatch_optimum(p)
    f = s.flows
    monthly = gridmod.monthly_bill(f["g"] + f["cg"], f["x"], prof.index, prof.tariff, p.step_h)
    bill = monthly.totals()
    out = {
        "total_cny": float(bill["total_cny"]),
        "total_cny_by_month": monthly.total_cny_by_month(),
        "bound_cny": float(s.bound_cny),
        "exact": s.exact,
        "gap": float(s.mip_gap),
        "unserved_e_kwh": float(f["u"].sum() * p.step_h),
        "note": "perfect-foresight dispatch LP (HiGHS) of the same plant: battery charged from renewables or the "
        "grid in any step, monthly demand charges in the objective, no import and export in one step"
        + ("" if s.exact else f" (binaries fixed from the relaxation: within {s.mip_gap:.4%} of the bound)"),
    }
    if s.heat is not None:
        out["fuel_cny"] = fuel_cny(p.heat, s.heat, p.step_h)
        prices = map(float, p.heat.boiler_cost_cny_per_kwh_th)
        out["fuel_cny_per_kwh_th"] = dict(zip(p.heat.boiler_names, prices, strict=True))
        out["unserved_heat_e_kwh_th"] = float(s.heat["hx"].sum() * p.step_h)
        out["power_to_heat_e_kwh"] = float((s.heat["pb"] + s.heat["pr"]).sum() * p.step_h)
        out["note"] += (
            "; thermal stores, heat pumps and electric boilers co-scheduled, their electricity from the same bus, "
            "boiler fuel and purchased heat at the economics' prices in the objective: total_cny is the "
            "electricity bill alone, fuel_cny the fuel beside it; compare bill + fuel"
        )
    return out


def add_optimum_bill(result, base_dir) -> str:
    """Put the LP optimum's bill of a factory run's plant beside its own bill (``kpis["grid_bill"]["lp_optimum"]``)
    and say it in one line.

    Parameters
    ----------
    result : RunResult
        A simulated factory year (its kpis are extended in place).
    base_dir : path
        The scenario file's folder.

    Returns
    -------
    str
        One line for the terminal summary.
    """
    from lingtan.twin.run import build_profiles

    k = result.kpis
    own = k["grid_bill_cny"]["total_cny"]
    b = result.scenario.battery
    if b and b[0].dispatch == "optimal" and b[0].optimal is None:
        note = "this run's dispatch is the LP optimum"
        by_month = k.get("grid_bill", {}).get("total_cny_by_month")
        k.setdefault("grid_bill", {})["lp_optimum"] = {"total_cny": own, "total_cny_by_month": by_month, "note": note}
        return f"grid bill {own / 1e6:,.3f} M CNY/yr: this run's dispatch is the LP optimum"
    try:
        prof = build_profiles(result.scenario, base_dir)
        opt = optimum_bill(result.scenario, prof)
    except InputError as err:
        k.setdefault("grid_bill", {})["lp_optimum"] = {"total_cny": None, "note": f"not computed: {err}"}
        return f"grid bill {own / 1e6:,.3f} M CNY/yr; LP optimum not computed ({err.expected})"
    k.setdefault("grid_bill", {})["lp_optimum"] = opt
    left = own - opt["total_cny"]
    fuel = ""
    if "fuel_cny" in opt:
        # the rule's fuel at the LP's prices, so that bill + fuel compares like with like
        heat, dt = result.hourly_heat, prof.step_h
        own_fuel = sum(float(heat[f"{n}.heat_kw_th"].sum()) * c * dt for n, c in opt["fuel_cny_per_kwh_th"].items())
        opt["rule_fuel_cny"] = own_fuel
        left = own + own_fuel - opt["total_cny"] - opt["fuel_cny"]
        own += own_fuel
        fuel = " with boiler fuel"
    who = "the rolling horizon" if b and b[0].dispatch == "optimal" else "the dispatch rule"
    return (
        f"grid bill{fuel} {own / 1e6:,.3f} M CNY/yr; the LP optimum of the same plant "
        f"{(own - left) / 1e6:,.3f} M CNY/yr: {who} leaves {left / 1e6:,.3f} M CNY/yr "
        f"({left / own if own else 0.0:.2%}) on the table"
    )


def _co_heat(prof) -> bool:
    """Whether the LP co-schedules the site's heat side: it has a thermal store, a power-to-heat unit, a CHP unit, a
    hydrogen asset or a load store, whose schedule moves the electricity bill (the LP refuses the last three with
    their field path, :func:`~.heat_dispatch.heat_lp`). A heat side of boilers alone does not depend on the
    electric dispatch."""
    setup = prof.heat
    _, s_n, u_n, _ = setup.system.shape
    return bool(s_n or u_n or setup.chp or setup.h2_stores or setup.load_stores)


__all__ = [
    "Solution",
    "solve",
    "kernel_result",
    "optimal_dispatch",
    "optimum_bill",
    "add_optimum_bill",
]
