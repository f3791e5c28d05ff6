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

import itertools
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

STRATEGIES = ("load_following", "tou_arbitrage")

# Columns of the parameter matrix, one row per configuration.
PARAMS = (
    "energy_kwh",
    "charge_kw",
    "discharge_kw",
    "charge_efficiency",
    "discharge_efficiency",
    "soc_min",
    "soc_max",
    "self_discharge_fraction_per_hour",
    "soc_initial",
    "import_limit_kw",
    "export_limit_kw",
    "strategy",
    "load_scale",
)
_P = {name: i for i, name in enumerate(PARAMS)}

# Hourly flows recorded for single runs [kW], in kernel column order.
FLOWS = (
    "re_to_load",
    "re_to_battery",
    "re_to_grid",
    "re_curtailed",
    "grid_to_load",
    "grid_to_battery",
    "battery_re_to_load",
    "battery_grid_to_load",
    "battery_loss_re",
    "battery_loss_grid",
    "unserved",
    "load",
    "heat_load",
    "re_to_heat",
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
    "re_generation",
    "import_valley",
    "import_flat",
    "import_peak",
    "import_critical",
    "import_cost_cny",
    "export_revenue_cny",
    "peak_import_kw",
    "battery_e_start",
    "battery_e_end",
    "battery_e_re_end",
    "max_bus_residual",
    "max_store_residual",
    "max_heat_residual",
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


# Configurations run in blocks of LANES: the hour loop outside, a loop over the block's configurations
# inside. That inner loop has no branch on the state (min, max and selects only) and keeps every state and
# running sum in rows of one (row, lane) array of fixed width, so LLVM compiles it to SIMD instructions over
# the lanes. One configuration at a time, the speed was set by the hour-to-hour latency of the battery
# state; over lanes it is set by arithmetic throughput, about five times faster.
LANES = 64

# Rows of the lane state array: the hour's renewable output, the store, then running sums.
_S_RE_HOUR = 0
_S_E = 1
_S_E_RE = 2
_S_FLOW0 = 3  # the FLOWS, in order
_S_RE = _S_FLOW0 + _NF
_S_IMP0 = _S_RE + 1  # imports by period code, 4 rows
_S_COST = _S_IMP0 + 4
_S_PEAK = _S_COST + 1
_S_MONTH_PEAK = _S_PEAK + 1  # the running month's peak import
_S_BUS = _S_MONTH_PEAK + 1
_S_STORE = _S_BUS + 1
_S_HEAT = _S_STORE + 1
_NS = _S_HEAT + 1

# Rows of the lane parameter array, read only in the hour loop.
(
    _L_CH,
    _L_DIS,
    _L_ETA_C,
    _L_ETA_D,
    _L_INV_ETA_C,
    _L_INV_ETA_D,
    _L_LOSS_C,
    _L_LOSS_D,
    _L_E_LO,
    _L_E_HI,
    _L_SD,
    _L_KEEP,
    _L_IMP,
    _L_EXP,
    _L_TOU,
    _L_SCALE,
) = range(16)
_NL = 16


# Inlined into the kernel: as a call it doubled the heat side's time (array arguments passed per unit and hour).
@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _p2h_serves_demands(u, w, t, budget_kw, rem, u_left, h_userve, h_cop, h_row, col_unit, col_el):
    """Power-to-heat unit ``u`` (lane ``w``, hour ``t``) serves the demands it can, within the heat it has left
    and an electricity budget [kW]. Heat goes to record columns ``4 d + 1`` (demand d served by power-to-heat)
    and ``col_unit`` (the unit's heat to demands), its electricity to ``col_el``. Returns the electricity used
    [kW]."""
    used = 0.0
    for d in range(rem.shape[0]):
        if h_userve[u, d] and u_left[u, w] > 0.0 and rem[d, w] > 0.0 and budget_kw - used > 0.0:
            q = min(rem[d, w], u_left[u, w], (budget_kw - used) * h_cop[u, t])
            rem[d, w] -= q
            u_left[u, w] -= q
            used += q / h_cop[u, t]
            h_row[4 * d + 1, w] += q
            h_row[col_unit, w] += q
            h_row[col_el, w] += q / h_cop[u, t]
    return used


@njit(cache=True, nogil=True, error_model="numpy")
def _run_block(
    n0,
    unit,
    caps,
    load_kw,
    period,
    month,
    price,
    feed_in,
    grid_charge,
    discharge_ok,
    params,
    hourly,
    totals,
    monthly_peak,
    h_res,
    h_srec,
    h_sserve,
    h_skeep,
    h_cop,
    h_qmax,
    h_userve,
    h_ucharge,
    h_ugrid,
    h_bcap,
    h_bserve,
    h_ssize,
    h_se0,
    h_ucap,
    h_hourly,
    h_totals,
    has_heat,
    record,
):
    """Configurations n0 .. n0 + LANES - 1 (or to the last one) over the year."""
    m = min(LANES, caps.shape[0] - n0)
    n_src = unit.shape[0]
    n_t = unit.shape[1]
    lp = np.zeros((_NL, LANES))
    cp = np.zeros((n_src, LANES))
    st = np.zeros((_NS, LANES))
    mp = np.zeros((12, LANES))
    for w in range(m):
        n = n0 + w
        energy = params[n, 0]
        lp[_L_CH, w] = params[n, 1]
        lp[_L_DIS, w] = params[n, 2]
        lp[_L_ETA_C, w] = params[n, 3]
        lp[_L_ETA_D, w] = params[n, 4]
        lp[_L_INV_ETA_C, w] = 1.0 / params[n, 3]  # reciprocals once: no division in the hour loop
        lp[_L_INV_ETA_D, w] = 1.0 / params[n, 4]
        lp[_L_LOSS_C, w] = 1.0 - params[n, 3]  # loss per kWh charged
        lp[_L_LOSS_D, w] = 1.0 / params[n, 4] - 1.0  # loss per kWh delivered
        lp[_L_E_LO, w] = params[n, 5] * energy
        lp[_L_E_HI, w] = params[n, 6] * energy
        lp[_L_SD, w] = params[n, 7]
        lp[_L_KEEP, w] = 1.0 - params[n, 7]
        lp[_L_IMP, w] = params[n, 9]
        lp[_L_EXP, w] = params[n, 10]
        lp[_L_TOU, w] = 1.0 if params[n, 11] == 1.0 else 0.0
        lp[_L_SCALE, w] = params[n, 12]
        for k in range(n_src):
            cp[k, w] = caps[n, k]
        # The store is its energy e, of which e_re came from renewables: two pools, well mixed. Energy present
        # at the first hour counts as grid energy (see the module docstring).
        st[_S_E, w] = params[n, 8] * energy
        totals[n, _I_E_START] = st[_S_E, w]

    # Heat side: D demands, S stores, U power-to-heat units, B fuel boilers / purchased heat; state per lane.
    n_d = h_res.shape[0]
    n_s = h_srec.shape[0]
    n_u = h_cop.shape[0]
    n_b = h_bcap.shape[0]
    o_s = 4 * n_d
    o_u = o_s + 5 * n_s
    o_b = o_u + 4 * n_u
    n_hh = o_b + n_b
    rem = np.zeros((n_d, LANES))
    e_st = np.zeros((n_s, LANES))
    ch_left = np.zeros((n_s, LANES))
    u_left = np.zeros((n_u, LANES))
    h_row = np.zeros((n_hh, LANES))
    h_acc = np.zeros((n_hh, LANES))
    for w in range(m):
        for j in range(n_s):
            e_st[j, w] = h_se0[n0 + w, j]

    m_cur = month[0] if n_t > 0 else 0
    for t in range(n_t):
        # What every lane shares this hour; period flags as numbers, so the lane loop needs no branch on them.
        p = period[t]
        load_t = load_kw[t]
        price_t = price[t]
        gc_t = 1.0 if grid_charge[p] else 0.0
        dis_t = 1.0 if discharge_ok[p] else 0.0
        in_p0 = 1.0 if p == 0 else 0.0
        in_p1 = 1.0 if p == 1 else 0.0
        in_p2 = 1.0 if p == 2 else 0.0
        in_p3 = 1.0 if p >= 3 else 0.0
        if month[t] != m_cur:  # a new month: keep the last month's peak, resume this month's
            for w in range(m):
                mp[m_cur, w] = max(mp[m_cur, w], st[_S_MONTH_PEAK, w])
                st[_S_MONTH_PEAK, w] = mp[month[t], w]
            m_cur = month[t]
        for w in range(m):
            st[_S_RE_HOUR, w] = 0.0
        for k in range(n_src):
            u_kt = unit[k, t]
            for w in range(m):
                st[_S_RE_HOUR, w] += cp[k, w] * u_kt

        for w in range(m):
            re = st[_S_RE_HOUR, w]
            load = load_t * lp[_L_SCALE, w]
            e = st[_S_E, w]
            e_re = st[_S_E_RE, w]
            e0 = e
            # Self-discharge at the start of the hour, by pool.
            loss_re = e_re * lp[_L_SD, w]
            loss_gr = (e - e_re) * lp[_L_SD, w]
            e *= lp[_L_KEEP, w]
            e_re *= lp[_L_KEEP, w]
            # tou_arbitrage charges from the grid in its grid-charge periods and discharges only in its
            # discharge periods; load_following never grid-charges and may always discharge.
            grid_charging = lp[_L_TOU, w] * gc_t
            may_discharge = max(1.0 - lp[_L_TOU, w], dis_t) * (1.0 - grid_charging)

            if has_heat:
                # ---- heat, steps 1-2: thermal stores lose standing heat, serve their demands, take recovered heat.
                for k in range(n_hh):
                    h_row[k, w] = 0.0
                for d in range(n_d):
                    rem[d, w] = h_res[d, t]
                st_in0 = 0.0
                for j in range(n_s):
                    st_in0 += e_st[j, w]
                    lost = e_st[j, w] * (1.0 - h_skeep[j])
                    e_st[j, w] -= lost
                    h_row[o_s + 5 * j + 3, w] = lost
                    avail = min(h_ssize[n0 + w, j, 2], e_st[j, w])
                    for d in range(n_d):
                        if h_sserve[j, d] and avail > 0.0 and rem[d, w] > 0.0:
                            q = min(rem[d, w], avail)
                            rem[d, w] -= q
                            avail -= q
                            e_st[j, w] -= q
                            h_row[4 * d, w] += q
                            h_row[o_s + 5 * j + 2, w] += q
                    q = max(0.0, min(h_srec[j, t], h_ssize[n0 + w, j, 1], h_ssize[n0 + w, j, 0] - e_st[j, w]))
                    e_st[j, w] += q
                    ch_left[j, w] = h_ssize[n0 + w, j, 1] - q
                    h_row[o_s + 5 * j, w] = q

            # ---- heat, step 3: power-to-heat units allowed on any electricity serve what is left, within
            # what the bus can supply this hour (renewables, battery, import limit), so they never cause
            # unserved electric load; the rest falls to surplus and boilers.
            heat_load = 0.0
            if has_heat:
                bus_room = re + lp[_L_IMP, w] - load
                if may_discharge > 0.0:
                    bus_room += min(lp[_L_DIS, w], max(0.0, (e - lp[_L_E_LO, w]) * lp[_L_ETA_D, w]))
                for u in range(n_u):
                    u_left[u, w] = min(h_ucap[n0 + w, u], h_qmax[u, t]) if h_cop[u, t] > 0.0 else 0.0
                    if h_ugrid[u]:
                        heat_load += _p2h_serves_demands(
                            u,
                            w,
                            t,
                            max(0.0, bus_room - heat_load),
                            rem,
                            u_left,
                            h_userve,
                            h_cop,
                            h_row,
                            o_u + 4 * u,
                            o_u + 4 * u + 2,
                        )
            load += heat_load

            direct = min(re, load)
            surplus = re - direct
            deficit = load - direct

            # ---- heat, step 4: renewable surplus runs power-to-heat for the heat still needed (used now, no
            # storage loss), before it charges the battery.
            re_heat = 0.0
            if has_heat:
                for u in range(n_u):
                    re_heat += _p2h_serves_demands(
                        u, w, t, surplus - re_heat, rem, u_left, h_userve, h_cop, h_row, o_u + 4 * u, o_u + 4 * u + 3
                    )
                # q / cop * cop can round a hair above what was left: surplus never goes below zero.
                surplus = max(0.0, surplus - re_heat)

            # Charge from renewable surplus within power and the SoC ceiling, worked out as energy stored
            # [kWh]; the power taken from the bus follows from it and never exceeds what was offered.
            head = max(0.0, lp[_L_E_HI, w] - e)
            offer = min(surplus, lp[_L_CH, w])
            stored_re = min(offer * lp[_L_ETA_C, w], head)
            ch_re = min(offer, stored_re * lp[_L_INV_ETA_C, w])
            offer = max(0.0, min(lp[_L_CH, w] - ch_re, lp[_L_IMP, w] - deficit)) * grid_charging
            stored_gr = max(0.0, min(offer * lp[_L_ETA_C, w], head - stored_re))
            ch_gr = min(offer, stored_gr * lp[_L_INV_ETA_C, w])
            # Discharge to the deficit, as energy drawn from the store within power and the SoC floor.
            want = min(deficit, lp[_L_DIS, w]) * may_discharge
            drawn = min(want * lp[_L_INV_ETA_D, w], max(0.0, e - lp[_L_E_LO, w]))
            dis = min(want, drawn * lp[_L_ETA_D, w])
            # Discharge takes from the pools pro rata: e_re * (drawn / e), so the division depends on e alone.
            drawn_re = min(drawn, e_re * (drawn / e if e > 0.0 else 0.0))
            dis_re = min(dis, drawn_re * lp[_L_ETA_D, w])
            dis_gr = dis - dis_re
            loss_re += ch_re * lp[_L_LOSS_C, w] + dis_re * lp[_L_LOSS_D, w]
            loss_gr += ch_gr * lp[_L_LOSS_C, w] + dis_gr * lp[_L_LOSS_D, w]
            # Rounding can leave the store a hair below zero; it never carries energy.
            e = max(e + stored_re + stored_gr - drawn, 0.0)
            e_re = min(max(e_re + stored_re - drawn_re, 0.0), e)

            grid_load = max(0.0, min(deficit - dis, lp[_L_IMP, w]))
            unserved = deficit - dis - grid_load
            rest = surplus - ch_re

            # ---- heat, step 5: what surplus remains charges thermal stores through power-to-heat.
            if has_heat:
                for u in range(n_u):
                    for j in range(n_s):
                        if h_ucharge[u, j] and u_left[u, w] > 0.0 and rest > 0.0:
                            q = max(
                                0.0,
                                min(
                                    u_left[u, w], ch_left[j, w], h_ssize[n0 + w, j, 0] - e_st[j, w], rest * h_cop[u, t]
                                ),
                            )
                            e_st[j, w] += q
                            ch_left[j, w] -= q
                            u_left[u, w] -= q
                            rest -= q / h_cop[u, t]
                            re_heat += q / h_cop[u, t]
                            h_row[o_s + 5 * j + 1, w] += q
                            h_row[o_u + 4 * u + 1, w] += q
                            h_row[o_u + 4 * u + 3, w] += q / h_cop[u, t]

            rest = max(0.0, rest)  # the same round-off after power-to-heat took surplus for the stores
            export = min(rest, lp[_L_EXP, w])
            curtailed = rest - export

            if has_heat:
                # ---- heat, step 6: fuel boilers and purchased heat, in scenario order; the rest is unserved.
                for b in range(n_b):
                    left = h_bcap[b]
                    for d in range(n_d):
                        if h_bserve[b, d] and left > 0.0 and rem[d, w] > 0.0:
                            q = min(rem[d, w], left)
                            rem[d, w] -= q
                            left -= q
                            h_row[4 * d + 2, w] += q
                            h_row[o_b + b, w] += q
                st_out = 0.0
                for d in range(n_d):
                    h_row[4 * d + 3, w] = rem[d, w]
                    # Each demand: served by stores, power-to-heat, boilers, or unserved.
                    st[_S_HEAT, w] = max(
                        st[_S_HEAT, w],
                        abs(
                            h_res[d, t]
                            - h_row[4 * d, w]
                            - h_row[4 * d + 1, w]
                            - h_row[4 * d + 2, w]
                            - h_row[4 * d + 3, w]
                        ),
                    )
                for j in range(n_s):
                    h_row[o_s + 5 * j + 4, w] = e_st[j, w]
                    st_out += (
                        e_st[j, w]
                        - h_row[o_s + 5 * j, w]
                        - h_row[o_s + 5 * j + 1, w]
                        + h_row[o_s + 5 * j + 2, w]
                        + h_row[o_s + 5 * j + 3, w]
                    )
                st[_S_HEAT, w] = max(st[_S_HEAT, w], abs(st_out - st_in0))
                for k in range(n_hh):
                    h_acc[k, w] += h_row[k, w]
                if record:
                    for k in range(n_hh):
                        h_hourly[t, k] = h_row[k, w]

            imp = grid_load + ch_gr
            bus = re + imp + dis + unserved - (load + ch_re + ch_gr + export + curtailed + re_heat)
            store = e - (e0 + ch_re + ch_gr - dis - loss_re - loss_gr)
            st[_S_E, w] = e
            st[_S_E_RE, w] = e_re
            flows = (
                direct,
                ch_re,
                export,
                curtailed,
                grid_load,
                ch_gr,
                dis_re,
                dis_gr,
                loss_re,
                loss_gr,
                unserved,
                load,
                heat_load,
                re_heat,
            )  # in FLOWS order
            for i in range(_NF):
                st[_S_FLOW0 + i, w] += flows[i]
            st[_S_RE, w] += re
            st[_S_IMP0, w] += imp * in_p0
            st[_S_IMP0 + 1, w] += imp * in_p1
            st[_S_IMP0 + 2, w] += imp * in_p2
            st[_S_IMP0 + 3, w] += imp * in_p3
            st[_S_COST, w] += imp * price_t
            st[_S_PEAK, w] = max(st[_S_PEAK, w], imp)
            st[_S_MONTH_PEAK, w] = max(st[_S_MONTH_PEAK, w], imp)
            st[_S_BUS, w] = max(st[_S_BUS, w], abs(bus))
            st[_S_STORE, w] = max(st[_S_STORE, w], abs(store))

            if record:
                for i in range(_NF):
                    hourly[t, i] = flows[i]
                hourly[t, _NF] = e
                hourly[t, _NF + 1] = e_re

    for w in range(m):
        n = n0 + w
        for k in range(n_hh):
            h_totals[n, k] = h_acc[k, w]
        for j in range(n_s):
            h_totals[n, o_s + 5 * j + 4] = e_st[j, w]  # the store's energy at the end of the year
        for i in range(_NF):
            totals[n, i] = st[_S_FLOW0 + i, w]
        totals[n, _I_RE_GEN] = st[_S_RE, w]
        for i in range(4):
            totals[n, _I_IMPORT0 + i] = st[_S_IMP0 + i, w]
        mp[m_cur, w] = max(mp[m_cur, w], st[_S_MONTH_PEAK, w])
        for i in range(12):
            monthly_peak[n, i] = mp[i, w]
        totals[n, _I_COST] = st[_S_COST, w]
        totals[n, _I_REVENUE] = st[_S_FLOW0 + 2, w] * feed_in  # one feed-in price for the year
        totals[n, _I_PEAK] = st[_S_PEAK, w]
        totals[n, _I_E_END] = st[_S_E, w]
        totals[n, _I_E_RE_END] = st[_S_E_RE, w]
        totals[n, _I_BUS] = st[_S_BUS, w]
        totals[n, _I_STORE] = st[_S_STORE, w]
        totals[n, _I_HEAT] = st[_S_HEAT, w]


def _make_kernel(parallel: bool, has_heat: bool, record: bool):
    """The kernel over all blocks, compiled for one combination of flags.

    ``has_heat`` and ``record`` are constants of the closure, so each compiled variant leaves out the code a
    run does not need: the heat branches (whose loops would also keep the lane loop from being vectorised)
    and the hourly record (sweeps keep totals only). Passed as ``numba.literally`` arguments instead, they
    cost a failed compilation attempt on every call (numba issue #6956), 10-15 ms.
    """
    blocks = prange if parallel else range

    @njit(cache=True, parallel=parallel, error_model="numpy")
    def kernel(
        unit,
        caps,
        load_kw,
        period,
        month,
        price,
        feed_in,
        grid_charge,
        discharge_ok,
        params,
        hourly,
        totals,
        monthly_peak,
        h_res,
        h_srec,
        h_sserve,
        h_skeep,
        h_cop,
        h_qmax,
        h_userve,
        h_ucharge,
        h_ugrid,
        h_bcap,
        h_bserve,
        h_ssize,
        h_se0,
        h_ucap,
        h_hourly,
        h_totals,
    ):
        for b in blocks((caps.shape[0] + LANES - 1) // LANES):
            _run_block(
                b * LANES,
                unit,
                caps,
                load_kw,
                period,
                month,
                price,
                feed_in,
                grid_charge,
                discharge_ok,
                params,
                hourly,
                totals,
                monthly_peak,
                h_res,
                h_srec,
                h_sserve,
                h_skeep,
                h_cop,
                h_qmax,
                h_userve,
                h_ucharge,
                h_ugrid,
                h_bcap,
                h_bserve,
                h_ssize,
                h_se0,
                h_ucap,
                h_hourly,
                h_totals,
                has_heat,
                record,
            )

    return kernel


# Single runs (one configuration, may record) run serially; sweeps in parallel over blocks and never record.
_KERNELS = {
    (par, heat, rec): _make_kernel(par, heat, rec)
    for par, heat, rec in itertools.product((False, True), (False, True), (False, True))
    if not (par and rec)
}


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
    def none(cls, n_hours: int) -> HeatSystem:
        """A site without a heat side."""
        z = np.zeros
        return cls(
            z((0, n_hours)),
            z((0, n_hours)),
            z((0, 0), bool),
            z(0),
            z((0, n_hours)),
            z((0, n_hours)),
            z((0, 0), bool),
            z((0, 0), bool),
            z(0, bool),
            z(0),
            z((0, 0), bool),
        )

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(D, S, U, B)."""
        return (
            self.residual_kw_th.shape[0],
            self.store_recoverable_kw_th.shape[0],
            self.unit_cop.shape[0],
            self.boiler_capacity_kw_th.shape[0],
        )

    def columns(self) -> list[tuple[str, int, str]]:
        """Meaning of each column of the heat record: (group, index, quantity)."""
        d, s, u, b = self.shape
        cols = [("demand", i, q) for i in range(d) for q in ("from_storage", "from_p2h", "from_boilers", "unserved")]
        cols += [
            ("store", i, q)
            for i in range(s)
            for q in ("charge_recovered", "charge_p2h", "discharge", "loss", "e_kwh_th")
        ]
        cols += [
            ("unit", i, q) for i in range(u) for q in ("heat_to_demand", "heat_to_storage", "p_base_kw", "p_surplus_kw")
        ]
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
    def none(cls, n: int) -> HeatSizes:
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


def dispatch(
    unit_kw: np.ndarray,
    caps: np.ndarray,
    load_kw: np.ndarray,
    params: np.ndarray,
    *,
    period: np.ndarray,
    month: np.ndarray,
    price_cny_per_kwh: np.ndarray,
    feed_in_cny_per_kwh: float = 0.0,
    grid_charge_periods: np.ndarray | None = None,
    discharge_periods: np.ndarray | None = None,
    heat: HeatSystem | None = None,
    heat_sizes: HeatSizes | None = None,
    record_hourly: bool = False,
    balance_tol_kwh: float = 1e-6,
) -> DispatchResult:
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
    lingtan.errors.BalanceError
        If any hour of any configuration fails to balance within ``balance_tol_kwh``.
    """
    from lingtan.errors import BalanceError

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
    h_ssize = np.ascontiguousarray(
        np.stack([heat_sizes.store_kwh_th, heat_sizes.store_charge_kw_th, heat_sizes.store_discharge_kw_th], axis=-1),
        dtype=np.float64,
    )
    kernel = _KERNELS[(n > 1, n_heat > 0, bool(record_hourly))]
    kernel(
        unit_kw,
        caps,
        f64(load_kw),
        np.ascontiguousarray(period, dtype=np.int64),
        np.ascontiguousarray(month, dtype=np.int64),
        f64(price_cny_per_kwh),
        float(feed_in_cny_per_kwh),
        b1(grid_charge_periods),
        b1(discharge_periods),
        f64(params),
        hourly,
        totals,
        monthly_peak,
        f64(heat.residual_kw_th),
        f64(heat.store_recoverable_kw_th),
        b1(heat.store_serves),
        f64(heat.store_keep),
        f64(heat.unit_cop),
        f64(heat.unit_max_kw_th),
        b1(heat.unit_serves),
        b1(heat.unit_charges),
        b1(heat.unit_grid_allowed),
        f64(heat.boiler_capacity_kw_th),
        b1(heat.boiler_serves),
        h_ssize,
        f64(heat_sizes.store_e0_kwh_th),
        f64(heat_sizes.unit_kw_th),
        h_hourly,
        h_totals,
    )
    worst = max(totals[:, _I_BUS].max(), totals[:, _I_STORE].max(), totals[:, _I_HEAT].max())
    if not worst <= balance_tol_kwh:
        raise BalanceError(
            f"hourly energy balance did not close: largest residual {worst:.3g} kWh (tolerance {balance_tol_kwh} kWh)"
        )
    return DispatchResult(
        totals=totals, monthly_peak_kw=monthly_peak, hourly=hourly, heat_totals=h_totals, heat_hourly=h_hourly
    )
