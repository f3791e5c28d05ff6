"""Rolling-horizon ``dispatch: optimal``: the year's programme re-solved every day on a forecast (issue 16, point 3).

Formulation
-----------
* A window starts every 24 h (at step ``s``) and covers ``horizon_h`` hours, or the rest of the year. Its programme
  is the year's dispatch programme (:func:`lingtan.twin.studies.lp.model.build`, ``mode="dispatch"``) on the
  window's steps, with the forecast's load and renewable output; prices, periods and months are the tariff's and
  known. The plant's renewables enter as one source, the sum of its arrays and farms at their sizes [kW] (sizes are
  fixed in a dispatch; the variable O&M of generation is then left out, a constant that moves no decision).
* The battery starts the window with the energy carried from the previous window (realised, not planned), all of
  it in the grid pool as the year starts (the pools only label energy; :func:`~.solve.kernel_result` re-derives
  them), and ends the window at least as full as the year started (the year programme's no-free-energy row).
* The monthly demand charge: ``peak(m) >= floor(m)``, ``floor(m)`` the month's maximum realised import so far.
  A window pays ``price x max(floor(m), its own maximum)`` for each month it reaches, so import below the peak
  already set costs nothing more and import above it costs the demand price; months the window does not reach are
  not billed in it. The same floor serves the contracted-demand basis (its overrun above 105 % of the contract).
* Only the first 24 h of each window are kept: its battery setpoints (charge, discharge) [kW]. They are then
  realised against the TRUE profiles (:func:`realise`): the battery follows its setpoints within what the load,
  its state of charge and the connection allow, renewables serve the load, and the grid takes the rest. A forecast
  error thus lands in grid import, export or curtailment (or, beyond the import limit, in unserved load), and the
  balance closes in every step.

A heat side with thermal stores or power-to-heat units is co-scheduled in every window
(:func:`lingtan.twin.studies.lp.heat_dispatch.window_heat`: its profiles sliced, each store starting with the energy
carried and ending the window at least as full as the year started). Its heat demand is known (it follows the
production schedule), so the kept day's heat plan holds wherever its electricity does: units that may run on any
electricity draw theirs from the bus like a load. A unit that runs on renewable surplus only gets what renewables are
left after the realised load and battery, and makes heat in proportion; a store then holds less, and what a demand
misses goes to its boilers, then unserved (:func:`realise_heat`).

Forecasts
---------
* ``perfect``: the true profiles.
* ``persistence``: every day of a window repeats the last day observed before it starts, step by step (day
  ``d - 1`` for a window starting on day ``d``); the first day of the year has no day before it and repeats
  itself (it is taken as observed).
* ``file``: a user's CSV, one row per step of the year, columns ``load_kw`` and ``pv_kw`` (and ``wind_kw`` for a
  site with wind farms), read by the load files' reader (:func:`lingtan.components.loads.csv_load_kw`, same checks
  and errors). One forecast per step, whatever the day it is issued.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from lingtan.components.loads import CsvLoad, csv_load_kw
from lingtan.paths import resolve_input
from lingtan.twin.core.dispatch import DispatchResult
from lingtan.twin.studies.lp.heat_dispatch import HeatLP, unit_el_kw, window_heat
from lingtan.twin.studies.lp.model import STEP_BLOCKS
from lingtan.twin.studies.lp.problem import DesignProblem, SizeCost
from lingtan.twin.studies.lp.solve import Solution, optimal_dispatch, solve

DAY_H = 24.0
"""A window is re-solved every day; its first day is kept [h]."""

FIELD = "battery[0].optimal"
"""Field path of the rolling horizon's settings in a scenario."""


@dataclass(frozen=True)
class Forecast:
    """What the windows see of the bus's load and the plant's renewable output.

    Attributes
    ----------
    kind : str
        ``perfect``, ``persistence`` or ``file`` (module docstring).
    load_kw : ndarray, shape (T,) or None
        ``file``: the forecast load of every step [kW].
    re_kw : ndarray, shape (T,) or None
        ``file``: the forecast renewable output of every step [kW].
    """

    kind: str
    load_kw: np.ndarray | None = None
    re_kw: np.ndarray | None = None

    def window(self, p: DesignProblem, start: int, end: int, day: int) -> tuple[np.ndarray, np.ndarray]:
        """The forecast of steps ``start .. end - 1`` as seen at ``start``.

        Parameters
        ----------
        p : DesignProblem
            The true year.
        start, end : int
            The window's steps.
        day : int
            Steps per day.

        Returns
        -------
        load_kw, re_kw : ndarray, shape (end - start,)
            Forecast load and renewable output [kW].
        """
        if self.kind == "file":
            return self.load_kw[start:end], self.re_kw[start:end]
        if self.kind == "persistence":
            seen = max(start // day - 1, 0)  # the last day observed (the first day of the year: itself)
            idx = seen * day + np.arange(end - start) % day  # before start, or the first day itself
        else:
            idx = np.arange(start, end)
        return p.load_kw[idx], renewables_kw(p)[idx]


def renewables_kw(p: DesignProblem) -> np.ndarray:
    """The plant's renewable output at its sizes [kW] by step.

    Parameters
    ----------
    p : DesignProblem

    Returns
    -------
    ndarray, shape (T,)
    """
    return p.existing_size @ p.unit_kw if len(p.sources) else np.zeros(p.n_steps)


@dataclass(frozen=True)
class Rolling:
    """A rolling-horizon year.

    Attributes
    ----------
    solution : Solution
        The realised flows of the year in the programme's blocks (``er`` 0, ``eg`` the battery's energy [kWh]:
        :func:`~.solve.kernel_result` re-derives the pools); ``objective_cny`` and ``bound_cny`` are NaN (no one
        programme: bill the flows with :func:`lingtan.components.grid.monthly_bill`); ``peak_kw`` the realised
        monthly maxima [kW]; ``mip_gap`` the largest window gap [-]; ``exact`` whether every window was.
    windows : int
        Programmes solved.
    solve_s : float
        Wall time of the windows' solves [s].
    """

    solution: Solution
    windows: int
    solve_s: float


def _window_problem(
    p: DesignProblem, start: int, end: int, load_kw, re_kw, e_kwh: float, floor, e_heat: np.ndarray
) -> DesignProblem:
    """The programme of one window (module docstring): forecast flows, carried energies, the months' floors."""
    b = p.battery
    cap = b.energy_kwh if b is not None else 0.0
    battery = None
    if b is not None:
        battery = replace(b, soc_initial=e_kwh / cap if cap > 0 else b.soc_initial, soc_end_min=b.soc_initial)
    return replace(
        p,
        month=p.month[start:end],
        period=p.period[start:end],
        load_kw=np.asarray(load_kw, float),
        sources=(("pv", "forecast"),),
        unit_kw=np.asarray(re_kw, float)[None, :],
        existing_size=np.ones(1),
        max_size=np.ones(1),
        size_cost=(SizeCost("kW", 0.0, 0.0, "dispatch window: sizes fixed"),),
        variable_om_cny_per_kwh=np.zeros(1),
        import_price_cny_per_kwh=p.import_price_cny_per_kwh[start:end],
        export_price_cny_per_kwh=p.export_price_cny_per_kwh[start:end],
        battery=battery,
        criteria=(),
        peak_floor_kw=floor.copy(),
        heat=None if p.heat is None else window_heat(p.heat, start, end, e_heat),
    )


def realise(
    p: DesignProblem, plan: dict, start: int, re_kw: np.ndarray, e_kwh: float, heat_kw: np.ndarray | None = None
) -> tuple[dict, float]:
    """A window's kept steps on the TRUE profiles, from its battery setpoints.

    Each step, in this order: the discharge follows its setpoint within the true load (the battery exports
    nothing) and the energy above ``soc_min``; the charge within the room below ``soc_max``; the charge takes
    renewables up to the planned renewable charge, the grid the rest; renewables serve the load; a renewable
    surplus replaces planned grid charging, then is exported up to the export limit, then curtailed; the grid
    serves the remaining load. Above the import limit grid charging is cut first (and the discharge with it where
    it relied on that charge), then load goes unserved. With a perfect forecast this returns the plan's flows
    (renewables-first and no import with export are what the plan does where it matters).

    Parameters
    ----------
    p : DesignProblem
        The true year.
    plan : dict of str to ndarray
        The window's flows (:data:`~.model.STEP_BLOCKS`) for the kept steps [kW].
    start : int
        Year step of the first kept step.
    re_kw : ndarray, shape (T,)
        True renewable output of the year [kW] (:func:`renewables_kw`).
    e_kwh : float
        Battery energy at the start [kWh].
    heat_kw : ndarray, optional
        Power-to-heat electricity of the kept steps [kW]: the heat side's plan, realised as planned, draws it from
        the bus like a load.

    Returns
    -------
    flows : dict of str to ndarray
        Realised flows of the kept steps [kW] (``eg``: energy at each step's end [kWh], ``er`` 0).
    e_kwh : float
        Battery energy after the last kept step [kWh].
    """
    b, dt, n = p.battery, p.step_h, len(plan["a"])
    out = {name: np.zeros(n) for name in STEP_BLOCKS}
    keep, eta_c, eta_d = (b.keep_per_step, b.charge_efficiency, b.discharge_efficiency) if b else (1.0, 1.0, 1.0)
    e_lo, e_hi = (b.soc_min * b.energy_kwh, b.soc_max * b.energy_kwh) if b else (0.0, 0.0)
    imp_max, exp_max = p.import_limit_kw, p.export_limit_kw

    def room(e0, d):  # charge that fills the battery to soc_max from e0 with discharge d in the step [kW]
        return max(e_hi - e0 + d * dt / eta_d, 0.0) / (eta_c * dt)

    def held(e0, c):  # discharge that empties the battery to soc_min from e0 with charge c in the step [kW]
        return max(e0 + eta_c * c * dt - e_lo, 0.0) * eta_d / dt

    for i in range(n):
        t = start + i
        load, re = float(p.load_kw[t]) + (float(heat_kw[i]) if heat_kw is not None else 0.0), float(re_kw[t])
        e0 = keep * e_kwh
        d = min(float(plan["dr"][i] + plan["dg"][i]), load)
        c = min(float(plan["cr"][i] + plan["cg"][i]), room(e0, d))
        d = min(d, held(e0, c))
        c = min(c, room(e0, d))  # ends at soc_max at most, where d <= held(e0, c) still holds
        cr = min(float(plan["cr"][i]), re, c)
        cg = c - cr
        left_re, left_load = re - cr, load - d
        a = min(left_re, left_load)
        surplus = left_re - a
        swap = min(cg, surplus)  # surplus renewables replace planned grid charging
        cr, cg, surplus = cr + swap, cg - swap, surplus - swap
        x = min(surplus, exp_max)
        g = left_load - a
        over = g + cg - imp_max
        if over > 0:
            cut = min(cg, over)
            cg, c = cg - cut, c - cut
            short = max(d - held(e0, c), 0.0)  # discharge that relied on that charge
            d, g = d - short, g + short
        u = max(g + cg - imp_max, 0.0)
        g -= u
        e_kwh = max(e0 + eta_c * c * dt - d * dt / eta_d, 0.0)
        plan_d = float(plan["dr"][i] + plan["dg"][i])
        share = float(plan["dr"][i]) / plan_d if plan_d > 0 else 0.0
        for name, v in (("a", a), ("cr", cr), ("x", x), ("k", surplus - x), ("g", g), ("cg", cg), ("u", u)):
            out[name][i] = v
        out["dr"][i], out["dg"][i], out["eg"][i] = d * share, d * (1 - share), e_kwh
    return out, e_kwh


def _bus_heat_kw(h: HeatLP, plan: dict) -> np.ndarray:
    """The planned electricity of the units that may run on any electricity [kW]: a load of the bus."""
    el = unit_el_kw(h, plan)
    return el[np.asarray(h.system.unit_grid_allowed, dtype=bool)].sum(axis=0)


def realise_heat(h: HeatLP, plan: dict, real: dict, e0_kwh_th: np.ndarray, dt: float) -> tuple[dict, np.ndarray]:
    """A window's kept heat plan on the realised electric flows.

    The heat demand is known, so the plan holds wherever its electricity does: units that may run on any
    electricity drew theirs from the bus (:func:`realise`). A unit that runs on renewable surplus only gets what
    renewables are left after the load and the battery, curtailment first, then export (``real``'s ``k`` and ``x``
    are reduced by it), and its heat falls in proportion. A store then holds less than planned: its planned
    discharge is cut to what it has. What a demand misses is served by its boilers within the capacity they have
    left, in scenario order; the rest is unserved heat.

    Parameters
    ----------
    h : HeatLP
        The kept steps' heat side (:func:`~lingtan.twin.studies.lp.heat_dispatch.window_heat`).
    plan : dict of str to ndarray
        The kept steps' heat plan (:func:`~lingtan.twin.studies.lp.heat_dispatch.heat_flows`, cut to them).
    real : dict of str to ndarray
        The kept steps' realised electric flows (:func:`realise`); ``k`` and ``x`` give up the surplus taken.
    e0_kwh_th : ndarray, shape (S,)
        Each store's energy before the first kept step [kWh_th].
    dt : float
        Step length [h].

    Returns
    -------
    heat : dict of str to ndarray
        The realised heat blocks of the kept steps (``pb`` the units' electricity from the bus, ``pr`` from
        renewable surplus) [kW_th, kW, kWh_th for ``es``].
    e_kwh_th : ndarray, shape (S,)
        Each store's energy after the last kept step [kWh_th].
    """
    s, pairs = h.system, h.pairs()
    out = {name: v.copy() for name, v in plan.items()}
    n = plan["pb"].shape[1]
    el = unit_el_kw(h, plan)
    only_re = ~np.asarray(s.unit_grid_allowed, dtype=bool)
    keep = np.asarray(s.store_keep, dtype=float) ** dt
    e = np.asarray(e0_kwh_th, dtype=float).copy()
    boiler_left = np.repeat(np.asarray(s.boiler_capacity_kw_th, dtype=float)[:, None], n, axis=1)
    for i, (b, _) in enumerate(pairs["hb"]):
        boiler_left[b] -= plan["hb"][i]
    for t in range(n):
        # surplus-only units: what renewables are left, curtailment first
        want = float(el[only_re, t].sum())
        got = min(want, float(real["k"][t] + real["x"][t]))
        from_k = min(got, float(real["k"][t]))
        real["k"][t] -= from_k
        real["x"][t] -= got - from_k
        phi = got / want if want > 0 else 1.0
        for nm in ("hu", "huc"):
            for i, (u, _) in enumerate(pairs[nm]):
                if only_re[u]:
                    out[nm][i, t] = plan[nm][i, t] * phi
        # stores: the planned discharge within what each holds
        for j in range(s.shape[1]):
            into = out["hr"][j, t] + sum(out["huc"][i, t] for i, (_, jj) in enumerate(pairs["huc"]) if jj == j)
            mine = [i for i, (jj, _) in enumerate(pairs["hs"]) if jj == j]
            has = (keep[j] * e[j] + into * dt) / dt  # the most it can give this step [kW_th]
            planned = sum(plan["hs"][i, t] for i in mine)
            cut = min(1.0, has / planned) if planned > 0 else 1.0
            for i in mine:
                out["hs"][i, t] = plan["hs"][i, t] * cut
            e[j] = max(keep[j] * e[j] + dt * (into - sum(out["hs"][i, t] for i in mine)), 0.0)
            out["es"][j, t] = e[j]
        # demands: what they miss from boilers with capacity left, then unserved
        for d in range(s.shape[0]):
            served = sum(out[nm][i, t] for nm in ("hs", "hu", "hb") for i, (_, dd) in enumerate(pairs[nm]) if dd == d)
            miss = max(float(s.residual_kw_th[d, t]) - served - plan["hx"][d, t], 0.0)
            for i, (b, dd) in enumerate(pairs["hb"]):
                if dd == d and miss > 0:
                    q = min(miss, max(boiler_left[b, t], 0.0))
                    out["hb"][i, t] += q
                    boiler_left[b, t] -= q
                    miss -= q
            out["hx"][d, t] = plan["hx"][d, t] + miss
    el_real = unit_el_kw(h, out)
    out["pb"] = el_real[~only_re].sum(axis=0)[None, :]
    out["pr"] = el_real[only_re].sum(axis=0)[None, :]
    return out, e


def rolling_solve(p: DesignProblem, horizon_h: float, forecast: Forecast, exact: bool = False) -> Rolling:
    """The year dispatched window by window (module docstring).

    Parameters
    ----------
    p : DesignProblem
        The true year (``mode="dispatch"``: the scenario's sizes).
    horizon_h : float
        Hours each window looks ahead [h], at least :data:`DAY_H`.
    forecast : Forecast
        What the windows see.
    exact : bool
        Branch and bound on each window's binaries (:func:`~.solve.solve`); False (default, as the year programme
        does) fixes them from the relaxation, the largest window's gap to its bound then in ``mip_gap``: on the
        default factory the year takes a third of the time of branch and bound.

    Returns
    -------
    Rolling

    Raises
    ------
    ValueError
        For a horizon shorter than a day.
    InputError
        When HiGHS solves no window.
    """
    if horizon_h < DAY_H:
        raise ValueError(f"horizon_h: expected at least {DAY_H} h, found {horizon_h}")
    day, span = round(DAY_H / p.step_h), round(horizon_h / p.step_h)
    t_n = p.n_steps
    re_kw = renewables_kw(p)
    b = p.battery
    e_kwh = b.soc_initial * b.energy_kwh if b is not None else 0.0
    floor = np.zeros(12)
    flows = {name: np.zeros(t_n) for name in STEP_BLOCKS}
    h = p.heat
    heat = None if h is None else {name: np.zeros((len(v), t_n)) for name, v in h.pairs().items()}
    e_heat = None if h is None else np.asarray(h.store_e0_kwh_th, dtype=float)
    windows, gap, all_exact, mip, z_n, solve_s = 0, 0.0, True, False, 0, 0.0
    for start in range(0, t_n, day):
        end, kept = min(start + span, t_n), min(start + day, t_n)
        load_fc, re_fc = forecast.window(p, start, end, day)
        w = _window_problem(p, start, end, load_fc, re_fc, e_kwh, floor, e_heat)
        t0 = time.perf_counter()
        s = solve(w, "dispatch", exact=exact)
        solve_s += time.perf_counter() - t0
        windows, gap, all_exact = windows + 1, max(gap, s.mip_gap), all_exact and s.exact
        mip, z_n = mip or s.mip, z_n + s.z_steps
        plan = {name: v[: kept - start] for name, v in s.flows.items()}
        plan_heat = None if heat is None else {name: v[:, : kept - start] for name, v in s.heat.items()}
        hk = None if heat is None else window_heat(h, start, kept, e_heat)
        real, e_kwh = realise(p, plan, start, re_kw, e_kwh, None if heat is None else _bus_heat_kw(hk, plan_heat))
        if heat is not None:
            real_heat, e_heat = realise_heat(hk, plan_heat, real, e_heat, p.step_h)
            for name, v in real_heat.items():
                heat[name][:, start:kept] = v
        for name, v in real.items():
            flows[name][start:kept] = v
        # the month's running peak: the floor of the next window's demand charge
        np.maximum.at(floor, p.month[start:kept], real["g"] + real["cg"])
    sol = Solution(
        status=f"rolling horizon: {windows} windows of {horizon_h:g} h, forecast {forecast.kind}",
        objective_cny=float("nan"),
        bound_cny=float("nan"),
        mip=mip,
        mip_gap=gap,
        flows=flows,
        sizes=p.existing_size.copy(),
        e_kwh=b.energy_kwh if b is not None else 0.0,
        p_kw=0.0,
        green_kwh=p.green_power_e_kwh,
        peak_kw=floor,
        z_steps=z_n,
        exact=all_exact,
        heat=heat,
    )
    return Rolling(sol, windows, solve_s)


def read_forecast(scenario, prof, p: DesignProblem) -> Forecast:
    """The forecast the scenario's ``battery[0].optimal`` names; a file read with the load files' reader.

    Parameters
    ----------
    scenario : Scenario
        The factory; its battery carries ``optimal`` (:class:`lingtan.components.battery.OptimalDispatch`).
    prof : Profiles
        Its profiles (the scenario file's folder, the time step).
    p : DesignProblem
        Its year (the number of steps; whether it has wind).

    Returns
    -------
    Forecast

    Raises
    ------
    InputError
        A forecast file that is missing, or lacks a column (``load_kw``, ``pv_kw``, ``wind_kw`` with wind farms),
        has another number of rows than the year's steps, or holds a value that is not a non-negative number.
    """
    o = scenario.battery[0].optimal
    if o.forecast != "file":
        return Forecast(o.forecast)
    path = resolve_input(prof.base_dir, o.forecast_file, field=f"{FIELD}.forecast_file")
    wind = any(kind == "wind" for kind, _ in p.sources)
    return Forecast("file", *read_forecast_file(path, p.n_steps, round(prof.step_h * 60), wind))


def read_forecast_file(path, n_steps: int, step_min: int, wind: bool) -> tuple[np.ndarray, np.ndarray]:
    """A forecast file's load and renewable output, with the load files' reader and its errors.

    Parameters
    ----------
    path : Path
        The resolved file.
    n_steps : int
        Rows expected (the year's steps).
    step_min : int
        The run's time step [min] (a ``time`` column must step by it).
    wind : bool
        Whether the site has wind farms (then ``wind_kw`` is read too).

    Returns
    -------
    load_kw, re_kw : ndarray, shape (n_steps,)
        Forecast load and renewable output (``pv_kw`` + ``wind_kw``) [kW].

    Raises
    ------
    InputError
        A missing file or column, another number of rows, or a value that is not a non-negative number.
    """
    columns = {"load_kw": "forecast load", "pv_kw": "forecast PV"} | ({"wind_kw": "forecast wind"} if wind else {})
    read = {
        c: csv_load_kw(path, CsvLoad(name="forecast", kind="csv", path=str(path), column=c), n_steps, step_min, what)
        for c, what in columns.items()
    }
    return read["load_kw"], read["pv_kw"] + read.get("wind_kw", 0.0)


def optimal_strategy(scenario, prof, params: np.ndarray, site: dict) -> DispatchResult:
    """The ``dispatch: optimal`` strategy ``twin run`` passes: the year programme, or the rolling horizon when the
    battery sets ``optimal``.

    Parameters
    ----------
    scenario : Scenario
        The factory (sizes, battery and its ``optimal`` settings, grid).
    prof : Profiles
        Its profiles (:func:`lingtan.twin.run.build_profiles`).
    params : ndarray, shape (1, len(PARAMS))
        The kernel's parameters of the plant (its heat side is run through the kernel).
    site : dict
        The kernel's site arguments (:func:`lingtan.twin.run.kernel_site`).

    Returns
    -------
    DispatchResult
        The realised year in the kernel's shape (:func:`~.solve.optimal_dispatch`).

    Raises
    ------
    InputError
        A bad forecast file, or a programme HiGHS cannot solve.
    """
    o = scenario.battery[0].optimal
    if o is None:
        return optimal_dispatch(scenario, prof, params, site)

    def plan(p: DesignProblem) -> Solution:
        return rolling_solve(p, o.horizon_h, read_forecast(scenario, prof, p)).solution

    return optimal_dispatch(scenario, prof, params, site, plan)


__all__ = [
    "optimal_strategy",
    "realise_heat",
    "Forecast",
    "Rolling",
    "rolling_solve",
    "read_forecast",
    "read_forecast_file",
    "realise",
    "renewables_kw",
]
