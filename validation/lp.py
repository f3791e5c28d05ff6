"""Perfect-foresight linear programme of the same year, for bounding the dispatch kernel.

The LP sees every hour at once and mirrors the kernel's physics exactly
(``lingtan.twin.core.dispatch``), so that every trajectory the kernel can produce is a
feasible point of the LP. Its optimum is therefore a bound: the kernel's grid
import (load_following, no grid charging) can never be lower than the LP's
minimum, and the kernel's energy cost (tou_arbitrage) never lower than the LP's
minimum cost. A kernel result beyond the bound is a bug.

Variables per hour t (all >= 0, mean power over the hour [kW] = energy [kWh]):

=========  ==============================================================
``d``      renewable to load
``c``      renewable to battery (AC in)
``cg``     grid to battery (AC in); upper bound 0 without grid charging
``x``      renewable export (<= export limit)
``k``      renewable curtailed
``b``      battery discharge to load (AC out, <= discharge limit)
``g``      grid to load
``u``      unserved load (penalised, so only used when the import limit binds)
``eu``     stored energy above the SoC floor at the end of hour t [kWh]
``ef``     stored energy in the floor band [0, soc_min E] at the end of t [kWh]
``m``      transfer from the upper band to the floor band [kWh]
=========  ==============================================================

Constraints per hour, the kernel's rules:

* renewable balance ``d + c + x + k = re``;
* load balance ``d + b + g + u = load``;
* store, self-discharge first (the kernel applies it at the hour start), then
  ``+ eta_c (c + cg) - b / eta_d``; energy in the floor band cannot be
  discharged (the kernel discharges only down to ``soc_min E``). The store is
  split into two bands because the kernel's self-discharge can take the store
  below ``soc_min E`` (discharge then stops, charge refills it): with
  ``ef <= soc_min E`` and ``eu <= (soc_max - soc_min) E`` every kernel
  trajectory maps onto the LP (``ef = min(e, soc_min E)``), so the LP is a
  relaxation. Without self-discharge the floor band stays full and the LP is
  exactly the kernel's SoC window ``[soc_min, soc_max] E``;
* ``c + cg <= charge limit``; ``g + cg <= import limit``;
* initial energy ``soc_initial E`` (split between the bands as the kernel would);
* end of year: ``e(T) >= e_end_min_kwh`` (default: the initial energy, i.e.
  the LP may not borrow the energy it started with). See :func:`solve`.

Objectives:

``min_import``
    minimise annual grid import (+ a large penalty on unserved load). With no
    grid charging this is the same as maximising the renewable energy that
    reaches the load, directly or through the battery.
``min_cost``
    minimise annual energy cost: ``sum price_t (g + cg) - feed_in x``, grid
    charging allowed. Demand (capacity) charges are outside the LP and are
    left out of the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNSERVED_PENALTY = 1.0e4
"""Objective weight of unserved load [per kWh]: far above any tariff, so the LP serves load whenever it can."""

_BLOCKS = ("d", "c", "cg", "x", "k", "b", "g", "u", "eu", "ef", "m")


@dataclass(frozen=True)
class Battery:
    """The battery limits, in the kernel's parameter names."""

    energy_kwh: float
    charge_kw: float
    discharge_kw: float
    charge_efficiency: float = 0.95
    discharge_efficiency: float = 0.95
    soc_min: float = 0.1
    soc_max: float = 0.95
    self_discharge_fraction_per_hour: float = 0.0
    soc_initial: float | None = None

    @property
    def e_initial_kwh(self) -> float:
        soc0 = self.soc_min if self.soc_initial is None else self.soc_initial
        return soc0 * self.energy_kwh

    @classmethod
    def from_params_row(cls, row) -> Battery:
        """From one row of :func:`lingtan.twin.core.dispatch.params_matrix`."""
        from lingtan.twin.core.dispatch import PARAMS

        p = dict(zip(PARAMS, np.asarray(row, dtype=float), strict=True))
        return cls(
            energy_kwh=p["energy_kwh"],
            charge_kw=p["charge_kw"],
            discharge_kw=p["discharge_kw"],
            charge_efficiency=p["charge_efficiency"],
            discharge_efficiency=p["discharge_efficiency"],
            soc_min=p["soc_min"],
            soc_max=p["soc_max"],
            self_discharge_fraction_per_hour=p["self_discharge_fraction_per_hour"],
            soc_initial=p["soc_initial"],
        )


@dataclass(frozen=True)
class LPResult:
    """Optimum of :func:`solve`: annual totals [kWh, CNY] and hourly flows [kW]."""

    status: str
    objective: float
    grid_import_e_kwh: float
    grid_to_load_e_kwh: float
    grid_to_battery_e_kwh: float
    export_e_kwh: float
    curtailed_e_kwh: float
    re_to_load_e_kwh: float
    charge_e_kwh: float
    discharge_e_kwh: float
    unserved_e_kwh: float
    e_start_kwh: float
    e_end_kwh: float
    energy_cost_cny: float
    load_e_kwh: float
    re_generation_e_kwh: float
    hourly: dict

    @property
    def battery_losses_e_kwh(self) -> float:
        """Charge - discharge - stored-energy change [kWh] (conversion and self-discharge losses)."""
        return self.charge_e_kwh - self.discharge_e_kwh - (self.e_end_kwh - self.e_start_kwh)

    @property
    def re_share_of_load(self) -> float:
        """Share of the served load not met by grid import [-] (no grid charging: the renewable share of the load)."""
        served = self.load_e_kwh - self.unserved_e_kwh
        return 1.0 - self.grid_to_load_e_kwh / served if served > 0 else 0.0


def solve(
    re_kw,
    load_kw,
    battery: Battery,
    *,
    import_limit_kw: float = np.inf,
    export_limit_kw: float = np.inf,
    objective: str = "min_import",
    grid_charging: bool = False,
    price_cny_per_kwh=None,
    feed_in_cny_per_kwh: float = 0.0,
    e_end_min_kwh: float | None = None,
    time_limit_s: float = 300.0,
) -> LPResult:
    """Solve the year as one LP with HiGHS.

    Parameters
    ----------
    re_kw, load_kw : array, shape (T,)
        Renewable generation and load [kW], hourly means.
    battery : Battery
    import_limit_kw, export_limit_kw : float
        [kW]; ``inf`` for none.
    objective : {"min_import", "min_cost"}
    grid_charging : bool
        Allow ``cg > 0`` (the kernel's ``tou_arbitrage`` charges from the grid; ``load_following`` never does).
    price_cny_per_kwh : array, shape (T,), optional
        Import price (needed for ``min_cost``; also used to report ``energy_cost_cny``).
    feed_in_cny_per_kwh : float
    e_end_min_kwh : float, optional
        Lowest stored energy allowed at the end of the year [kWh]; default the initial energy.
        To keep the LP a relaxation of a given kernel run, pass ``min(initial, kernel end)``.
    time_limit_s : float

    Returns
    -------
    LPResult
    """
    import highspy

    re = np.ascontiguousarray(re_kw, dtype=float)
    load = np.ascontiguousarray(load_kw, dtype=float)
    n_t = len(load)
    if re.shape != load.shape:
        raise ValueError("re_kw and load_kw must have the same length")
    price = np.zeros(n_t) if price_cny_per_kwh is None else np.ascontiguousarray(price_cny_per_kwh, float)
    if objective == "min_cost" and price_cny_per_kwh is None:
        raise ValueError("min_cost needs price_cny_per_kwh")
    if objective not in ("min_import", "min_cost"):
        raise ValueError(f"unknown objective {objective!r}")

    b = battery
    e_lo = b.soc_min * b.energy_kwh
    e_hi = b.soc_max * b.energy_kwh
    keep = 1.0 - b.self_discharge_fraction_per_hour
    eta_c = b.charge_efficiency
    eta_d = b.discharge_efficiency
    e0 = b.e_initial_kwh
    f0 = min(e0, e_lo)
    u0 = e0 - f0
    e_end_min = e0 if e_end_min_kwh is None else float(e_end_min_kwh)

    nb = len(_BLOCKS)
    off = {name: i * n_t for i, name in enumerate(_BLOCKS)}
    n_var = nb * n_t
    inf = highspy.kHighsInf
    big = lambda v: inf if not np.isfinite(v) else float(v)  # noqa: E731
    lb = np.zeros(n_var)
    ub = np.full(n_var, inf)

    def bound(name, value):
        ub[off[name] : off[name] + n_t] = value

    bound("x", big(export_limit_kw))
    bound("b", float(b.discharge_kw))
    bound("c", float(b.charge_kw))
    bound("cg", float(b.charge_kw) if grid_charging else 0.0)
    bound("g", big(import_limit_kw))
    bound("eu", max(0.0, e_hi - e_lo))
    bound("ef", e_lo)

    cost = np.zeros(n_var)
    if objective == "min_import":
        cost[off["g"] : off["g"] + n_t] = 1.0
        cost[off["cg"] : off["cg"] + n_t] = 1.0
    else:
        cost[off["g"] : off["g"] + n_t] = price
        cost[off["cg"] : off["cg"] + n_t] = price
        cost[off["x"] : off["x"] + n_t] = -float(feed_in_cny_per_kwh)
    cost[off["u"] : off["u"] + n_t] = UNSERVED_PENALTY

    t = np.arange(n_t)
    rows, cols, vals, lo, hi = [], [], [], [], []
    row0 = 0

    def add(block_terms, lower, upper):
        """Add n_t rows (one per hour) or a single row; block_terms = [(name, coeff, shift)]."""
        nonlocal row0
        m = len(lower)
        r = row0 + np.arange(m)
        for name, coeff, shift in block_terms:
            if m == n_t:
                tt = t - shift
                ok = tt >= 0
                rows.append(r[ok])
                cols.append(off[name] + tt[ok])
                vals.append(np.broadcast_to(np.asarray(coeff, float), (n_t,))[ok])
            else:
                rows.append(np.full(1, row0))
                cols.append(np.array([off[name] + shift]))
                vals.append(np.array([float(coeff)]))
        lo.append(np.asarray(lower, float))
        hi.append(np.asarray(upper, float))
        row0 += m

    # renewable balance: d + c + x + k = re
    add([("d", 1.0, 0), ("c", 1.0, 0), ("x", 1.0, 0), ("k", 1.0, 0)], re, re)
    # load balance: d + b + g + u = load
    add([("d", 1.0, 0), ("b", 1.0, 0), ("g", 1.0, 0), ("u", 1.0, 0)], load, load)
    # upper band: eu_t - keep eu_{t-1} - eta_c (c + cg) + b / eta_d + m = 0 (t = 0: = keep u0)
    rhs = np.zeros(n_t)
    rhs[0] = keep * u0
    add(
        [("eu", 1.0, 0), ("eu", -keep, 1), ("c", -eta_c, 0), ("cg", -eta_c, 0), ("b", 1.0 / eta_d, 0), ("m", 1.0, 0)],
        rhs,
        rhs,
    )
    # floor band: ef_t - keep ef_{t-1} - m = 0 (t = 0: = keep f0)
    rhs = np.zeros(n_t)
    rhs[0] = keep * f0
    add([("ef", 1.0, 0), ("ef", -keep, 1), ("m", -1.0, 0)], rhs, rhs)
    # charge power: c + cg <= charge limit
    add([("c", 1.0, 0), ("cg", 1.0, 0)], np.full(n_t, -inf), np.full(n_t, float(b.charge_kw)))
    # import limit: g + cg <= import limit
    if np.isfinite(import_limit_kw) and grid_charging:
        add([("g", 1.0, 0), ("cg", 1.0, 0)], np.full(n_t, -inf), np.full(n_t, float(import_limit_kw)))
    # end of year: eu_T + ef_T >= e_end_min
    add([("eu", 1.0, n_t - 1), ("ef", 1.0, n_t - 1)], np.array([e_end_min]), np.array([inf]))

    import scipy.sparse as sp

    a = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(row0, n_var))
    a.sum_duplicates()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("random_seed", 0)
    h.addVars(n_var, lb, ub)
    h.changeColsCost(n_var, np.arange(n_var, dtype=np.int32), cost)
    h.addRows(
        row0,
        np.concatenate(lo),
        np.concatenate(hi),
        a.nnz,
        a.indptr[:-1].astype(np.int32),
        a.indices.astype(np.int32),
        a.data.astype(float),
    )
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"LP not solved to optimality: {status}")
    col = np.asarray(h.getSolution().col_value)
    v = {name: np.clip(col[off[name] : off[name] + n_t], 0.0, None) for name in _BLOCKS}
    e = v["eu"] + v["ef"]
    imp = v["g"] + v["cg"]
    return LPResult(
        status=status,
        objective=float(h.getInfo().objective_function_value),
        grid_import_e_kwh=float(imp.sum()),
        grid_to_load_e_kwh=float(v["g"].sum()),
        grid_to_battery_e_kwh=float(v["cg"].sum()),
        export_e_kwh=float(v["x"].sum()),
        curtailed_e_kwh=float(v["k"].sum()),
        re_to_load_e_kwh=float(v["d"].sum()),
        charge_e_kwh=float((v["c"] + v["cg"]).sum()),
        discharge_e_kwh=float(v["b"].sum()),
        unserved_e_kwh=float(v["u"].sum()),
        e_start_kwh=e0,
        e_end_kwh=float(e[-1]),
        energy_cost_cny=float((price * imp).sum() - feed_in_cny_per_kwh * v["x"].sum()),
        load_e_kwh=float(load.sum()),
        re_generation_e_kwh=float(re.sum()),
        hourly=dict(v, e=e),
    )


def twin_re_share_of_load(res, i: int = 0) -> float:
    """The kernel's counterpart of :attr:`LPResult.re_share_of_load`: 1 - grid-to-load / served load."""
    served = res.total("load")[i] - res.total("unserved")[i]
    return float(1.0 - res.total("grid_to_load")[i] / served) if served > 0 else 0.0


__all__ = ["Battery", "LPResult", "solve", "twin_re_share_of_load", "UNSERVED_PENALTY"]
