"""The dispatch kernel: one loop over hours, vectorised over configurations.

Every run, single or sweep, goes through :func:`dispatch`. Renewable sources
enter as unit profiles (kW per kWp, kW per turbine) and a matrix of sizes, so a
size sweep computes each profile once and only re-runs this kernel.

Sign convention
---------------
Every flow is a non-negative mean power over the hour [kW] (= energy [kWh] for
an hourly step) from a named source to a named sink. The electric bus balances
each hour::

    re + grid_import + battery_out + unserved = load + battery_in + export + curtailed

and the battery balances each hour::

    e(t) = e(t-1) + battery_in - battery_out - losses

Storage provenance
------------------
The battery is two pools, renewable-charged and grid-charged, which discharge
pro rata to their contents (a well-mixed store) and lose energy pro rata too.
Energy present at the first hour is counted as grid energy, the conservative
choice: it never inflates the renewable share. A grid-charged battery therefore
passes grid energy through and never renewable energy (DESIGN.md, KPIs).

Strategies
----------
``load_following`` (code 0)
    Renewables serve the load; surplus charges the battery, then is exported
    up to the export limit, then curtailed; a deficit is met from the battery,
    then from the grid. The battery never charges from the grid.
``tou_arbitrage`` (code 1)
    As above for renewable surplus, but the battery charges from the grid (up to
    ``soc_max`` and the import limit) in the grid-charge periods, and discharges
    to the load only in the discharge periods.

Load above what renewables, battery and the import limit can supply is
reported as ``unserved``, never silently dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import literally, njit, prange

STRATEGIES = ("load_following", "tou_arbitrage")

# Columns of the parameter matrix, one row per configuration.
PARAMS = (
    "energy_kwh", "charge_kw", "discharge_kw", "charge_efficiency", "discharge_efficiency",
    "soc_min", "soc_max", "self_discharge_fraction_per_hour", "soc_initial",
    "import_limit_kw", "export_limit_kw", "strategy", "load_scale",
)
_P = {name: i for i, name in enumerate(PARAMS)}

# Hourly flows recorded for single runs [kW], in kernel column order.
FLOWS = (
    "re_to_load", "re_to_battery", "re_to_grid", "re_curtailed",
    "grid_to_load", "grid_to_battery",
    "battery_re_to_load", "battery_grid_to_load",
    "battery_loss_re", "battery_loss_grid", "unserved", "load",
    "heat_load", "re_to_heat",
)
# ``load`` is all electric demand met through the bus in merit order: the site's loads plus
# ``heat_load``, the power-to-heat units allowed to run on any electricity. ``re_to_heat`` is
# renewable surplus taken by power-to-heat units, a separate sink of the bus.
# Hourly states recorded for single runs [kWh], end of hour.
STATES = ("battery_e", "battery_e_re")
_NF = len(FLOWS)
_NH = _NF + len(STATES)

# Annual totals per configuration: every flow, then these.
TOTALS = FLOWS + (
    "re_generation", "import_valley", "import_flat", "import_peak", "import_critical",
    "import_cost_cny", "export_revenue_cny", "peak_import_kw", "battery_e_start", "battery_e_end",
    "battery_e_re_end", "max_bus_residual", "max_store_residual", "max_heat_residual",
)
_NT = len(TOTALS)
_T = {name: i for i, name in enumerate(TOTALS)}
# Integer column constants for the compiled code (numba cannot read a dict global).
_I_RE_GEN = _T["re_generation"]
_I_IMPORT0 = _T["import_valley"]
_I_COST = _T["import_cost_cny"]
_I_REVENUE = _T["export_revenue_cny"]
_I_PEAK = _T["peak_import_kw"]
_I_E_START = _T["battery_e_start"]
_I_E_END = _T["battery_e_end"]
_I_E_RE_END = _T["battery_e_re_end"]
_I_BUS = _T["max_bus_residual"]
_I_STORE = _T["max_store_residual"]
_I_HEAT = _T["max_heat_residual"]


@njit(cache=True, nogil=True, error_model="numpy")
def _run_one(n, unit, caps, load_kw, period, month, price, feed_in, grid_charge, discharge_ok,
             params, hourly, totals, monthly_peak,
             h_res, h_srec, h_sserve, h_skeep, h_cop, h_qmax, h_userve, h_ucharge, h_ugrid, h_bcap, h_bserve,
             h_ssize, h_se0, h_ucap, h_hourly, h_totals, has_heat, record):
    energy = params[n, 0]
    p_ch_max = params[n, 1]
    p_dis_max = params[n, 2]
    eta_c = params[n, 3]
    eta_d = params[n, 4]
    # Reciprocals once: a division on the state's critical path costs ~20 cycles per hour.
    inv_eta_c = 1.0 / eta_c
    inv_eta_d = 1.0 / eta_d
    e_lo = params[n, 5] * energy
    e_hi = params[n, 6] * energy
    keep = 1.0 - params[n, 7]
    imp_max = params[n, 9]
    exp_max = params[n, 10]
    tou = params[n, 11] == 1.0
    scale = params[n, 12]
    n_src = unit.shape[0]
    n_t = unit.shape[1]

    # The store is its energy e and the renewable fraction f of it (two pools, well mixed). Pro-rata
    # discharge and self-discharge leave f unchanged, so f moves only when charging: this keeps a
    # division off the hour-to-hour dependency chain of e, which sets the sweep speed.
    e = params[n, 8] * energy
    f = 0.0
    totals[n, _I_E_START] = e

    # Heat side: D demands, S stores, U power-to-heat units, B fuel boilers / purchased heat.
    n_d = h_res.shape[0]
    n_s = h_srec.shape[0]
    n_u = h_cop.shape[0]
    n_b = h_bcap.shape[0]
    o_s = 4 * n_d
    o_u = o_s + 5 * n_s
    o_b = o_u + 4 * n_u
    n_hh = o_b + n_b
    rem = np.zeros(n_d)
    e_st = np.zeros(n_s)
    ch_left = np.zeros(n_s)
    u_left = np.zeros(n_u)
    h_row = np.zeros(n_hh)
    h_acc = np.zeros(n_hh)
    for j in range(n_s):
        e_st[j] = h_se0[n, j]
    a_heat_load = a_re_heat = 0.0
    max_heat = 0.0
    # Scalar accumulators: arrays here would alias the outputs and stay in memory.
    a_direct = a_ch_re = a_export = a_curt = a_grid_load = a_ch_gr = 0.0
    a_dis_re = a_dis_gr = a_loss_re = a_loss_gr = a_unserved = a_load = 0.0
    imp_v = imp_f = imp_p = imp_c = 0.0
    m_peak = np.zeros(12)
    # The running month's peak lives in a register and goes to m_peak when the month changes.
    m_cur = month[0] if unit.shape[1] > 0 else 0
    p_cur = 0.0
    cost = 0.0
    revenue = 0.0
    peak = 0.0
    max_bus = 0.0
    max_store = 0.0
    re_total = 0.0

    for t in range(n_t):
        re = 0.0
        for k in range(n_src):
            re += caps[n, k] * unit[k, t]
        load = load_kw[t] * scale
        p = period[t]

        # Self-discharge at the start of the hour, by pool.
        e0 = e
        lost = e * (1.0 - keep)
        e -= lost
        loss_re = lost * f
        loss_gr = lost - loss_re
        may_discharge = (not tou) or discharge_ok[p]

        if has_heat:
            # ---- heat, steps 1-2: thermal stores lose standing heat, serve their demands, take recovered heat.
            for k in range(n_hh):
                h_row[k] = 0.0
            for d in range(n_d):
                rem[d] = h_res[d, t]
            st_in0 = 0.0
            for j in range(n_s):
                st_in0 += e_st[j]
                lost = e_st[j] * (1.0 - h_skeep[j])
                e_st[j] -= lost
                h_row[o_s + 5 * j + 3] = lost
                avail = min(h_ssize[n, j, 2], e_st[j])
                for d in range(n_d):
                    if h_sserve[j, d] and avail > 0.0 and rem[d] > 0.0:
                        q = min(rem[d], avail)
                        rem[d] -= q
                        avail -= q
                        e_st[j] -= q
                        h_row[4 * d] += q
                        h_row[o_s + 5 * j + 2] += q
                q = max(0.0, min(h_srec[j, t], h_ssize[n, j, 1], h_ssize[n, j, 0] - e_st[j]))
                e_st[j] += q
                ch_left[j] = h_ssize[n, j, 1] - q
                h_row[o_s + 5 * j] = q

        # ---- heat, step 3: power-to-heat units allowed on any electricity serve what is left, within
        # what the bus can supply this hour (renewables, battery, import limit), so they never cause
        # unserved electric load; the rest falls to surplus and boilers.
        heat_load = 0.0
        if has_heat:
            bus_room = re + imp_max - load
            if may_discharge:
                bus_room += min(p_dis_max, max(0.0, (e - e_lo) * eta_d))
            for u in range(n_u):
                u_left[u] = min(h_ucap[n, u], h_qmax[u, t]) if h_cop[u, t] > 0.0 else 0.0
                if not h_ugrid[u]:
                    continue
                for d in range(n_d):
                    if h_userve[u, d] and u_left[u] > 0.0 and rem[d] > 0.0:
                        q = min(rem[d], u_left[u], max(0.0, bus_room - heat_load) * h_cop[u, t])
                        rem[d] -= q
                        u_left[u] -= q
                        heat_load += q / h_cop[u, t]
                        h_row[4 * d + 1] += q
                        h_row[o_u + 4 * u] += q
                        h_row[o_u + 4 * u + 2] += q / h_cop[u, t]
        load += heat_load

        direct = min(re, load)
        surplus = re - direct
        deficit = load - direct

        # ---- heat, step 4: renewable surplus runs power-to-heat for the heat still needed (used now, no
        # storage loss), before it charges the battery.
        re_heat = 0.0
        if has_heat:
            for u in range(n_u):
                for d in range(n_d):
                    if h_userve[u, d] and u_left[u] > 0.0 and rem[d] > 0.0 and surplus - re_heat > 0.0:
                        q = min(rem[d], u_left[u], (surplus - re_heat) * h_cop[u, t])
                        rem[d] -= q
                        u_left[u] -= q
                        re_heat += q / h_cop[u, t]
                        h_row[4 * d + 1] += q
                        h_row[o_u + 4 * u] += q
                        h_row[o_u + 4 * u + 3] += q / h_cop[u, t]
            # q / cop * cop can round a hair above what was left: surplus never goes below zero.
            surplus = max(0.0, surplus - re_heat)

        # Charge from renewable surplus, within power and the SoC ceiling.
        room_in = max(0.0, (e_hi - e) * inv_eta_c)
        ch_re = min(surplus, p_ch_max, room_in)
        # Grid charging only in tou_arbitrage grid-charge periods.
        ch_gr = 0.0
        dis = 0.0
        if tou and grid_charge[p]:
            ch_gr = max(0.0, min(p_ch_max - ch_re, room_in - ch_re, imp_max - deficit))
        elif deficit > 0.0 and may_discharge:
            avail_out = max(0.0, (e - e_lo) * eta_d)
            dis = min(deficit, p_dis_max, avail_out)

        # Discharge splits pro rata to the pools (well-mixed store).
        dis_re = dis * f
        dis_gr = dis - dis_re
        e_new = e + (ch_re + ch_gr) * eta_c - dis * inv_eta_d
        if ch_re + ch_gr > 0.0:
            e_re_new = f * e - dis_re * inv_eta_d + ch_re * eta_c
            f = min(1.0, max(0.0, e_re_new / e_new)) if e_new > 0.0 else 0.0
        loss_re += ch_re * (1.0 - eta_c) + dis_re * (inv_eta_d - 1.0)
        loss_gr += ch_gr * (1.0 - eta_c) + dis_gr * (inv_eta_d - 1.0)
        # Rounding can leave the store a hair below zero; it never carries energy.
        e = max(e_new, 0.0)

        grid_load = min(deficit - dis, imp_max)
        if grid_load < 0.0:
            grid_load = 0.0
        unserved = deficit - dis - grid_load
        rest = surplus - ch_re

        # ---- heat, step 5: what surplus remains charges thermal stores through power-to-heat.
        if has_heat:
            for u in range(n_u):
                for j in range(n_s):
                    if h_ucharge[u, j] and u_left[u] > 0.0 and rest > 0.0:
                        q = max(0.0, min(u_left[u], ch_left[j], h_ssize[n, j, 0] - e_st[j], rest * h_cop[u, t]))
                        e_st[j] += q
                        ch_left[j] -= q
                        u_left[u] -= q
                        rest -= q / h_cop[u, t]
                        re_heat += q / h_cop[u, t]
                        h_row[o_s + 5 * j + 1] += q
                        h_row[o_u + 4 * u + 1] += q
                        h_row[o_u + 4 * u + 3] += q / h_cop[u, t]

        rest = max(0.0, rest)  # the same round-off after power-to-heat took surplus for the stores
        export = min(rest, exp_max)
        curtailed = rest - export

        if has_heat:
            # ---- heat, step 6: fuel boilers and purchased heat, in scenario order; the rest is unserved.
            for b in range(n_b):
                left = h_bcap[b]
                for d in range(n_d):
                    if h_bserve[b, d] and left > 0.0 and rem[d] > 0.0:
                        q = min(rem[d], left)
                        rem[d] -= q
                        left -= q
                        h_row[4 * d + 2] += q
                        h_row[o_b + b] += q
            st_out = 0.0
            for d in range(n_d):
                h_row[4 * d + 3] = rem[d]
                # Each demand: served by stores, power-to-heat, boilers, or unserved.
                max_heat = max(max_heat, abs(h_res[d, t] - h_row[4 * d] - h_row[4 * d + 1] - h_row[4 * d + 2]
                                             - h_row[4 * d + 3]))
            for j in range(n_s):
                h_row[o_s + 5 * j + 4] = e_st[j]
                st_out += e_st[j] - h_row[o_s + 5 * j] - h_row[o_s + 5 * j + 1] + h_row[o_s + 5 * j + 2] \
                    + h_row[o_s + 5 * j + 3]
            max_heat = max(max_heat, abs(st_out - st_in0))
            for k in range(n_hh):
                h_acc[k] += h_row[k]
            if record:
                for k in range(n_hh):
                    h_hourly[t, k] = h_row[k]

        imp = grid_load + ch_gr
        bus = re + imp + dis + unserved - (load + ch_re + ch_gr + export + curtailed + re_heat)
        store = e - (e0 + ch_re + ch_gr - dis - loss_re - loss_gr)
        max_bus = max(max_bus, abs(bus))
        max_store = max(max_store, abs(store))
        a_heat_load += heat_load
        a_re_heat += re_heat

        a_direct += direct
        a_ch_re += ch_re
        a_export += export
        a_curt += curtailed
        a_grid_load += grid_load
        a_ch_gr += ch_gr
        a_dis_re += dis_re
        a_dis_gr += dis_gr
        a_loss_re += loss_re
        a_loss_gr += loss_gr
        a_unserved += unserved
        a_load += load
        re_total += re
        if p == 0:
            imp_v += imp
        elif p == 1:
            imp_f += imp
        elif p == 2:
            imp_p += imp
        else:
            imp_c += imp
        cost += imp * price[t]
        revenue += export * feed_in
        peak = max(peak, imp)
        m = month[t]
        if m != m_cur:
            m_peak[m_cur] = max(m_peak[m_cur], p_cur)
            m_cur = m
            p_cur = m_peak[m]
        p_cur = max(p_cur, imp)

        if record:
            hourly[t, 0] = direct
            hourly[t, 1] = ch_re
            hourly[t, 2] = export
            hourly[t, 3] = curtailed
            hourly[t, 4] = grid_load
            hourly[t, 5] = ch_gr
            hourly[t, 6] = dis_re
            hourly[t, 7] = dis_gr
            hourly[t, 8] = loss_re
            hourly[t, 9] = loss_gr
            hourly[t, 10] = unserved
            hourly[t, 11] = load
            hourly[t, 12] = heat_load
            hourly[t, 13] = re_heat
            hourly[t, 14] = e
            hourly[t, 15] = e * f

    sums = (a_direct, a_ch_re, a_export, a_curt, a_grid_load, a_ch_gr,
            a_dis_re, a_dis_gr, a_loss_re, a_loss_gr, a_unserved, a_load, a_heat_load, a_re_heat)
    for k in range(n_hh):
        h_totals[n, k] = h_acc[k]
    for j in range(n_s):
        h_totals[n, o_s + 5 * j + 4] = e_st[j]  # the store's energy at the end of the year
    for i in range(_NF):
        totals[n, i] = sums[i]
    totals[n, _I_RE_GEN] = re_total
    totals[n, _I_IMPORT0] = imp_v
    totals[n, _I_IMPORT0 + 1] = imp_f
    totals[n, _I_IMPORT0 + 2] = imp_p
    totals[n, _I_IMPORT0 + 3] = imp_c
    for i in range(12):
        monthly_peak[n, i] = m_peak[i]
    monthly_peak[n, m_cur] = max(m_peak[m_cur], p_cur)
    totals[n, _I_COST] = cost
    totals[n, _I_REVENUE] = revenue
    totals[n, _I_PEAK] = peak
    totals[n, _I_E_END] = e
    totals[n, _I_E_RE_END] = e * f
    totals[n, _I_BUS] = max_bus
    totals[n, _I_STORE] = max_store
    totals[n, _I_HEAT] = max_heat


# ``has_heat`` and ``record`` are passed as literals, so numba compiles this one source into variants without
# the code a run does not need: the heat branches (a quarter of an electric-only sweep's time) and the hourly
# record (sweeps keep totals only).
@njit(cache=True, parallel=True, error_model="numpy")
def _kernel_parallel(unit, caps, load_kw, period, month, price, feed_in, grid_charge, discharge_ok,
                     params, hourly, totals, monthly_peak, h_res, h_srec, h_sserve, h_skeep, h_cop, h_qmax,
                     h_userve, h_ucharge, h_ugrid, h_bcap, h_bserve, h_ssize, h_se0, h_ucap, h_hourly, h_totals,
                     has_heat, record):
    literally(has_heat)
    literally(record)
    for n in prange(caps.shape[0]):
        _run_one(n, unit, caps, load_kw, period, month, price, feed_in, grid_charge, discharge_ok,
                 params, hourly, totals, monthly_peak, h_res, h_srec, h_sserve, h_skeep, h_cop, h_qmax,
                 h_userve, h_ucharge, h_ugrid, h_bcap, h_bserve, h_ssize, h_se0, h_ucap, h_hourly, h_totals, has_heat,
                 record)


@njit(cache=True, error_model="numpy")
def _kernel_serial(unit, caps, load_kw, period, month, price, feed_in, grid_charge, discharge_ok,
                   params, hourly, totals, monthly_peak, h_res, h_srec, h_sserve, h_skeep, h_cop, h_qmax,
                   h_userve, h_ucharge, h_ugrid, h_bcap, h_bserve, h_ssize, h_se0, h_ucap, h_hourly, h_totals,
                   has_heat, record):
    literally(has_heat)
    literally(record)
    for n in range(caps.shape[0]):
        _run_one(n, unit, caps, load_kw, period, month, price, feed_in, grid_charge, discharge_ok,
                 params, hourly, totals, monthly_peak, h_res, h_srec, h_sserve, h_skeep, h_cop, h_qmax,
                 h_userve, h_ucharge, h_ugrid, h_bcap, h_bserve, h_ssize, h_se0, h_ucap, h_hourly, h_totals, has_heat,
                 record)


@dataclass(frozen=True)
class HeatSystem:
    """The size-independent heat side of a site, as the kernel reads it.

    D heat demands (one per temperature level), S thermal stores, U power-to-heat
    units (heat pumps, electric boilers), B fuel boilers and purchased-heat
    contracts. Direct heat exchange from waste heat does not depend on any state,
    so it is computed before the kernel and only the residual demand enters.

    Attributes
    ----------
    residual_kw_th : (D, T)
        Heat demand left after direct waste-heat exchange [kW_th].
    store_recoverable_kw_th : (S, T)
        Waste heat that exchangers could put into each store [kW_th].
    store_serves : (S, D) bool
        Which demands each store can supply (store hotter than the demand).
    store_keep : (S,)
        1 - standing loss per hour [-].
    unit_cop : (U, T)
        Heat out per electricity in [-]; 0 where the unit cannot run.
    unit_max_kw_th : (U, T)
        Output limit set by the unit's heat source [kW_th] (inf for electric boilers).
    unit_serves : (U, D) bool; unit_charges : (U, S) bool
        Which demands each unit can supply and which stores it can charge.
    unit_grid_allowed : (U,) bool
        Units that run on any electricity; the others only on renewable surplus.
    boiler_capacity_kw_th : (B,); boiler_serves : (B, D) bool
    """

    residual_kw_th: np.ndarray
    store_recoverable_kw_th: np.ndarray
    store_serves: np.ndarray
    store_keep: np.ndarray
    unit_cop: np.ndarray
    unit_max_kw_th: np.ndarray
    unit_serves: np.ndarray
    unit_charges: np.ndarray
    unit_grid_allowed: np.ndarray
    boiler_capacity_kw_th: np.ndarray
    boiler_serves: np.ndarray

    @classmethod
    def none(cls, n_hours: int) -> "HeatSystem":
        """A site without a heat side."""
        z = np.zeros
        return cls(z((0, n_hours)), z((0, n_hours)), z((0, 0), bool), z(0), z((0, n_hours)), z((0, n_hours)),
                   z((0, 0), bool), z((0, 0), bool), z(0, bool), z(0), z((0, 0), bool))

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(D, S, U, B)."""
        return (self.residual_kw_th.shape[0], self.store_recoverable_kw_th.shape[0], self.unit_cop.shape[0],
                self.boiler_capacity_kw_th.shape[0])

    def columns(self) -> list[tuple[str, int, str]]:
        """Meaning of each column of the heat record: (group, index, quantity)."""
        d, s, u, b = self.shape
        cols = [("demand", i, q) for i in range(d) for q in ("from_storage", "from_p2h", "from_boilers", "unserved")]
        cols += [("store", i, q) for i in range(s) for q in ("charge_recovered", "charge_p2h", "discharge",
                                                             "loss", "e_kwh_th")]
        cols += [("unit", i, q) for i in range(u) for q in ("heat_to_demand", "heat_to_storage", "p_base_kw",
                                                            "p_surplus_kw")]
        cols += [("boiler", i, "heat") for i in range(b)]
        return cols


@dataclass(frozen=True)
class HeatSizes:
    """Sizes of the heat assets per configuration.

    Attributes
    ----------
    store_kwh_th, store_charge_kw_th, store_discharge_kw_th, store_e0_kwh_th : (N, S)
        Store capacity, charge and discharge limits, and energy at the first hour.
    unit_kw_th : (N, U)
        Heat output capacity of each power-to-heat unit.
    """

    store_kwh_th: np.ndarray
    store_charge_kw_th: np.ndarray
    store_discharge_kw_th: np.ndarray
    store_e0_kwh_th: np.ndarray
    unit_kw_th: np.ndarray

    @classmethod
    def none(cls, n: int) -> "HeatSizes":
        z = np.zeros((n, 0))
        return cls(z, z, z, z, z)


@dataclass(frozen=True)
class DispatchResult:
    """Output of :func:`dispatch`.

    Attributes
    ----------
    totals : ndarray, shape (N, len(TOTALS))
        Annual sums per configuration: flows [kWh], imports by period [kWh],
        cost and revenue [CNY], peak import [kW], battery energies [kWh] and
        the largest hourly balance residuals [kWh].
    monthly_peak_kw : ndarray, shape (N, 12)
        Highest hourly grid import in each calendar month [kW].
    hourly : ndarray, shape (T, len(FLOWS) + len(STATES)) or (0, ...)
        Hourly flows [kW] and end-of-hour states [kWh], when recorded.
    heat_totals : ndarray, shape (N, len(HeatSystem.columns()))
        Annual heat flows [kWh_th] per demand, store, unit and boiler; store energy at year end.
    heat_hourly : ndarray, shape (T, len(HeatSystem.columns())) or (0, ...)
        The same per hour [kW_th], when recorded.
    """

    totals: np.ndarray
    monthly_peak_kw: np.ndarray
    hourly: np.ndarray
    heat_totals: np.ndarray
    heat_hourly: np.ndarray

    def total(self, name: str) -> np.ndarray:
        """Annual total ``name`` (one of :data:`TOTALS`) for every configuration."""
        return self.totals[:, _T[name]]


def params_matrix(n: int, **columns) -> np.ndarray:
    """Build the (N, len(PARAMS)) parameter matrix from named columns.

    Every name in :data:`PARAMS` must be given, as a scalar or an array of length N.
    ``strategy`` may be given as a name from :data:`STRATEGIES`.
    """
    missing = set(PARAMS) - set(columns)
    extra = set(columns) - set(PARAMS)
    if missing or extra:
        raise TypeError(f"params_matrix: missing {sorted(missing)}, unknown {sorted(extra)}")
    strategy = columns["strategy"]
    if isinstance(strategy, str):
        columns = dict(columns, strategy=STRATEGIES.index(strategy))
    out = np.empty((n, len(PARAMS)))
    for name, i in _P.items():
        out[:, i] = columns[name]
    return out


def dispatch(unit_kw: np.ndarray, caps: np.ndarray, load_kw: np.ndarray, params: np.ndarray, *,
             period: np.ndarray, month: np.ndarray, price_cny_per_kwh: np.ndarray,
             feed_in_cny_per_kwh: float = 0.0,
             grid_charge_periods: np.ndarray | None = None,
             discharge_periods: np.ndarray | None = None,
             heat: HeatSystem | None = None, heat_sizes: HeatSizes | None = None,
             record_hourly: bool = False, balance_tol_kwh: float = 1e-6) -> DispatchResult:
    """Dispatch N configurations of one site over a year.

    Parameters
    ----------
    unit_kw : ndarray, shape (K, T)
        Renewable unit profiles: AC output per unit of size [kW per kWp, kW per turbine].
    caps : ndarray, shape (N, K)
        Sizes of each source in each configuration [kWp, turbines].
    load_kw : ndarray, shape (T,)
        Electric load [kW]; column ``load_scale`` of ``params`` scales it per configuration.
    params : ndarray, shape (N, len(PARAMS))
        From :func:`params_matrix`.
    period : ndarray of int, shape (T,)
        Time-of-use period code per hour (0 valley, 1 flat, 2 peak, 3 critical).
    month : ndarray of int, shape (T,)
        Calendar month per hour, 0-based.
    price_cny_per_kwh : ndarray, shape (T,)
        Energy price of grid import per hour [CNY/kWh].
    feed_in_cny_per_kwh : float
        Price paid for exported energy [CNY/kWh].
    grid_charge_periods, discharge_periods : ndarray of bool, shape (4,)
        For ``tou_arbitrage``: which period codes allow grid charging / discharge.
        Defaults: valley charges; peak and critical discharge.
    heat : HeatSystem, optional
        The site's heat side; none by default.
    heat_sizes : HeatSizes, optional
        Heat asset sizes per configuration (required with ``heat``).
    record_hourly : bool
        Keep the hourly flows (only for N = 1: a sweep keeps annual totals only).
    balance_tol_kwh : float
        Largest hourly residual of the electric bus or the battery that is accepted [kWh].

    Returns
    -------
    DispatchResult

    Raises
    ------
    twin.errors.BalanceError
        If any hour of any configuration fails to balance within ``balance_tol_kwh``.
    """
    from twin.errors import BalanceError

    unit_kw = np.ascontiguousarray(unit_kw, dtype=np.float64).reshape(-1, len(load_kw))
    caps = np.ascontiguousarray(caps, dtype=np.float64).reshape(params.shape[0], unit_kw.shape[0])
    n = params.shape[0]
    if record_hourly and n != 1:
        raise ValueError("record_hourly is for single runs (N = 1)")
    if grid_charge_periods is None:
        grid_charge_periods = np.array([True, False, False, False])
    if discharge_periods is None:
        discharge_periods = np.array([False, False, True, True])
    t = len(load_kw)
    heat = HeatSystem.none(t) if heat is None else heat
    heat_sizes = HeatSizes.none(n) if heat_sizes is None else heat_sizes
    n_heat = len(heat.columns())
    hourly = np.zeros((t if record_hourly else 0, _NH))
    h_hourly = np.zeros((t if record_hourly else 0, n_heat))
    totals = np.zeros((n, _NT))
    h_totals = np.zeros((n, n_heat))
    monthly_peak = np.zeros((n, 12))
    f64 = lambda a: np.ascontiguousarray(a, dtype=np.float64)  # noqa: E731
    b1 = lambda a: np.ascontiguousarray(a, dtype=np.bool_)  # noqa: E731
    h_ssize = np.ascontiguousarray(np.stack([heat_sizes.store_kwh_th, heat_sizes.store_charge_kw_th,
                                             heat_sizes.store_discharge_kw_th], axis=-1), dtype=np.float64)
    kernel = _kernel_parallel if n > 1 else _kernel_serial
    kernel(unit_kw, caps, f64(load_kw), np.ascontiguousarray(period, dtype=np.int64),
           np.ascontiguousarray(month, dtype=np.int64), f64(price_cny_per_kwh), float(feed_in_cny_per_kwh),
           b1(grid_charge_periods), b1(discharge_periods), f64(params), hourly, totals, monthly_peak,
           f64(heat.residual_kw_th), f64(heat.store_recoverable_kw_th), b1(heat.store_serves),
           f64(heat.store_keep), f64(heat.unit_cop), f64(heat.unit_max_kw_th), b1(heat.unit_serves),
           b1(heat.unit_charges), b1(heat.unit_grid_allowed), f64(heat.boiler_capacity_kw_th),
           b1(heat.boiler_serves), h_ssize, f64(heat_sizes.store_e0_kwh_th), f64(heat_sizes.unit_kw_th),
           h_hourly, h_totals, n_heat > 0, bool(record_hourly))
    worst = max(totals[:, _I_BUS].max(), totals[:, _I_STORE].max(), totals[:, _I_HEAT].max())
    if not worst <= balance_tol_kwh:
        raise BalanceError(f"hourly energy balance did not close: largest residual {worst:.3g} kWh "
                           f"(tolerance {balance_tol_kwh} kWh)")
    return DispatchResult(totals=totals, monthly_peak_kw=monthly_peak, hourly=hourly, heat_totals=h_totals,
                          heat_hourly=h_hourly)
