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
``peak_shaving`` (code 2)
    Keeps grid import at or below the month's peak limit: the battery discharges only
    the part of the deficit above the limit, and recharges from renewable surplus,
    then from the grid in any hour within the room the limit leaves, so grid charging
    never sets a new peak.

Every strategy reads a peak limit per month (``peak_limit_kw_01`` .. ``_12`` [kW],
infinite by default), lowered in the hours of a demand-response event (and the hours that prepare it) to that
configuration's import cap there (``event_import_cap_kw``): above it the battery discharges the excess in any hour, and
grid charging stays below it; each configuration's import in those steps is kept
(:attr:`DispatchResult.event_import_kw`: a sweep's baselines and deliveries, without hourly records). An infinite
limit leaves ``load_following`` and ``tou_arbitrage`` as they were, bit for bit. Where the battery cannot hold the limit
the month's peak import exceeds it; the caller reports the shortfall
(:func:`peak_shortfall_kw`). :func:`lowest_peak_targets` finds the lowest limits the
battery can hold.

Load above what renewables, battery and the import limit can supply is
reported as ``unserved``, never silently dropped.

Time step
---------
"Hour" above reads "step" on 15-minute profiles (``step_h = 0.25``): :func:`dispatch` gives the compiled
loop its stores in energy per step and its standing losses per step (:func:`_per_step`), so the loop's
arithmetic is the hourly one, and an hourly run is the same bit for bit; the totals it returns are
energies [kWh] (:func:`_to_energy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, NamedTuple

import numpy as np
from numba import njit, prange
from numpy.typing import ArrayLike

from lingtan.components.heat import cop_of as _cop_py
from lingtan.components.hydrogen import H2_LHV_KWH_PER_KG

STRATEGIES = ("load_following", "tou_arbitrage", "peak_shaving")

# Grid import limit of each calendar month [kW], columns of the parameter matrix; inf: none.
PEAK_LIMITS = tuple(f"peak_limit_kw_{m:02d}" for m in range(1, 13))
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
) + PEAK_LIMITS
_P = {name: i for i, name in enumerate(PARAMS)}
_P_PEAK0 = _P[PEAK_LIMITS[0]]

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
    "chp_to_load",
    "chp_to_grid",
    "re_to_h2",
    "fc_to_load",
)
# ``load`` is all electric demand met through the bus in merit order: the site's loads plus
# ``heat_load``, the power-to-heat units allowed to run on any electricity. ``re_to_heat`` is
# renewable surplus taken by power-to-heat units, a separate sink of the bus. ``chp_to_load`` and
# ``chp_to_grid`` are the electricity of combined heat and power units, a second source of the bus
# (fuel, not renewable). ``re_to_h2`` is renewable surplus taken by electrolysers and their compressors;
# ``fc_to_load`` the electricity fuel cells make of the store's hydrogen (stored renewable energy, as a battery's).
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
    "max_pool_residual",
    "max_heat_residual",
)
_NT = len(TOTALS)
_T = {name: i for i, name in enumerate(TOTALS)}
# The heat pump's COP of one source and sink (lingtan.components.heat.cop_of), compiled into the kernel.
cop_of = njit(cache=True, nogil=True, inline="always")(_cop_py)
# Integer column constants for the compiled code (numba cannot read a dict global).
_I_RE_GEN = _T["re_generation"]
_F_RE_EXPORT = FLOWS.index("re_to_grid")
_F_CHP_EXPORT = FLOWS.index("chp_to_grid")
_I_IMPORT0 = _T["import_valley"]
_I_COST = _T["import_cost_cny"]
_I_REVENUE = _T["export_revenue_cny"]
_I_PEAK = _T["peak_import_kw"]
_I_E_START = _T["battery_e_start"]
_I_E_END = _T["battery_e_end"]
_I_E_RE_END = _T["battery_e_re_end"]
_I_BUS = _T["max_bus_residual"]
_I_STORE = _T["max_store_residual"]
_I_POOL = _T["max_pool_residual"]
_I_HEAT = _T["max_heat_residual"]


# Configurations run in blocks of LANES: the hour loop outside, a loop over the block's configurations
# inside. That inner loop has no branch on the state (min, max and selects only) and keeps every state and
# running sum in rows of one (row, lane) array of fixed width, so LLVM compiles it to SIMD instructions over
# the lanes. One configuration at a time, the speed was set by the hour-to-hour latency of the battery
# state; over lanes it is set by arithmetic throughput, about five times faster.
LANES = 64

# Rows of the lane state array: the hour's renewable output and load, the store, then running sums.
_S_RE_HOUR = 0
_S_LOAD_HOUR = 1
_S_E = 2
_S_E_RE = 3
_S_FLOW0 = 4  # the FLOWS, in order
_S_RE = _S_FLOW0 + _NF
_S_IMP0 = _S_RE + 1  # imports by period code, 4 rows
_S_COST = _S_IMP0 + 4
_S_PEAK = _S_COST + 1
_S_MONTH_PEAK = _S_PEAK + 1  # the running month's peak import
_S_BUS = _S_MONTH_PEAK + 1
_S_STORE = _S_BUS + 1
_S_POOL = _S_STORE + 1
_S_HEAT = _S_POOL + 1
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
    _L_PS,
    _L_LIM0,  # the month's peak limit, 12 rows
) = range(18)
_NL = _L_LIM0 + 12

# Columns of the heat record (HeatSystem.columns()): a group of columns per demand, then per store, per
# power-to-heat unit and per boiler.
# ``from_chp``: cogeneration, combined heat and power units and fuel cells.
DEMAND_COLUMNS = ("from_storage", "from_p2h", "from_chp", "from_boilers", "unserved")
STORE_COLUMNS = ("charge_recovered", "charge_p2h", "discharge", "loss", "e_kwh_th")
UNIT_COLUMNS = ("heat_to_demand", "heat_to_storage", "p_base_kw", "p_surplus_kw")
# Per ground loop: the cooling its heat pump gave, that heat pump's electricity, and the electricity of the
# space's chillers for the rest of the cooling demand.
LOOP_COLUMNS = ("cooling", "p_cooling_kw", "p_chiller_kw")
# Per combined heat and power unit: its electricity, the fuel it burnt [kW at NCV], and its heat to demands and
# dumped (what no demand it serves could take).
CHP_COLUMNS = ("p_kw", "fuel_kw", "heat_to_demand", "heat_dumped")
_HD_STORAGE, _HD_P2H, _HD_CHP, _HD_BOILERS, _HD_UNSERVED = range(len(DEMAND_COLUMNS))
_HS_RECOVERED, _HS_P2H, _HS_DISCHARGE, _HS_LOSS, _HS_E = range(len(STORE_COLUMNS))
_HU_DEMAND, _HU_STORAGE, _HU_P_BASE, _HU_P_SURPLUS = range(len(UNIT_COLUMNS))
_HL_COOL, _HL_P_COOL, _HL_P_CHILLER = range(len(LOOP_COLUMNS))
_HC_P, _HC_FUEL, _HC_DEMAND, _HC_DUMPED = range(len(CHP_COLUMNS))
# Per electrolyser: its electricity, its compressor's, the hydrogen made [kg per step] and the grid's part of the two
# electricities [kW]; for the hydrogen store (at most one): hydrogen in, taken by its uses, wanted and not there, by
# fuel cells, by hydrogen boilers, lost, the content at the step's end, and of renewable origin: in, taken (uses,
# fuel cells, boilers) and held [kg]. The store is well mixed: what leaves it is green in the share it holds.
ELECTROLYSER_COLUMNS = ("p_kw", "compression_kw", "h2_kg", "grid_kw")
H2_STORE_COLUMNS = (
    "charge_kg",
    "offtake_kg",
    "unmet_kg",
    "fuel_cell_kg",
    "boiler_kg",
    "loss_kg",
    "m_kg",
    "green_charge_kg",
    "green_used_kg",
    "green_m_kg",
)
# Per fuel cell: its electricity, the hydrogen it used [kg per step], its heat to demands and dumped [kW_th].
FUEL_CELL_COLUMNS = ("p_kw", "h2_kg", "heat_to_demand", "heat_dumped")
_HE_P, _HE_COMP, _HE_KG, _HE_GRID = range(len(ELECTROLYSER_COLUMNS))
(_HY_IN, _HY_OUT, _HY_UNMET, _HY_FC, _HY_BOILER, _HY_LOSS, _HY_M, _HY_G_IN, _HY_G_USED, _HY_G_M) = range(
    len(H2_STORE_COLUMNS)
)
_HF_P, _HF_KG, _HF_DEMAND, _HF_DUMPED = range(len(FUEL_CELL_COLUMNS))
# Per hydrogen boiler: its heat to demands [kW_th] and the hydrogen it burnt [kg per step].
H2_BOILER_COLUMNS = ("heat_to_demand", "h2_kg")
_HB_DEMAND, _HB_KG = range(len(H2_BOILER_COLUMNS))
_N_HE, _N_HY, _N_HF, _N_HB = (
    len(ELECTROLYSER_COLUMNS),
    len(H2_STORE_COLUMNS),
    len(FUEL_CELL_COLUMNS),
    len(H2_BOILER_COLUMNS),
)
# Columns of an electrolyser's parameters: its hydrogen line per kW of rating in the part load [kW LHV per kW]
# (lingtan.components.hydrogen.electrolyser_coefficients), its minimum load, and the share of its output an
# operating hour takes off (degradation); of the store's: compression [kWh/kg] and the share kept an hour.
_E_SLOPE, _E_INTERCEPT, _E_MIN_LOAD, _E_AGEING, _E_GRID = range(5)
_Y_COMP, _Y_KEEP = range(2)
_N_HD, _N_HS, _N_HU, _N_HL = len(DEMAND_COLUMNS), len(STORE_COLUMNS), len(UNIT_COLUMNS), len(LOOP_COLUMNS)
_N_HC = len(CHP_COLUMNS)
# Per absorption chiller a CHP unit drives: its cooling and drive heat [kW_th], and the electricity its cooling saved
# the space's electric chillers [kW].
CHP_ABSORBER_COLUMNS = ("cooling", "drive_heat", "p_relief_kw")
_HA_COOL, _HA_DRIVE, _HA_RELIEF = range(len(CHP_ABSORBER_COLUMNS))
_N_HA = len(CHP_ABSORBER_COLUMNS)
_A_CHP, _A_INV_COP_E = range(2)
# Per store of what an electric load makes (cold stores [kWh_th], air receivers [m3]; lingtan.components.load_storage):
# the electricity its charging drew, the part of it renewable surplus gave, and the electricity its load was spared
# [kW], the product in, out and lost, and
# the content at the step's end. Its parameters: the share kept a step, whether it charges from the grid in valley
# steps, the product a kWh of charging makes and a kWh of the load stands for; its sizes: capacity, largest charge
# and discharge a step, first content.
LOAD_STORE_COLUMNS = (
    "p_charge_kw",
    "p_surplus_kw",
    "p_relief_kw",
    "charge",
    "discharge",
    "loss",
    "content",
    "p_load_kw",
)
_HL_P_CH, _HL_P_RE, _HL_P_REL, _HL_CH, _HL_DIS, _HL_LOSS, _HL_E, _HL_P_LOAD = range(len(LOAD_STORE_COLUMNS))
_N_HLS = len(LOAD_STORE_COLUMNS)
_LS_KEEP, _LS_GRID, _LS_K_CH, _LS_K_SV = range(4)
_LS_CAP, _LS_CH, _LS_DIS, _LS_E0 = range(4)
# Columns of a CHP unit's parameters: its fuel and heat lines per kW of rating, slope and intercept in the part
# load (lingtan.components.chp.chp_coefficients), and its minimum part load.
_C_FUEL_SLOPE, _C_FUEL_INTERCEPT, _C_HEAT_SLOPE, _C_HEAT_INTERCEPT, _C_MIN_LOAD = range(5)


class KernelSite(NamedTuple):
    """What the kernel reads of the site, every configuration's sizes and its tariff (contiguous arrays)."""

    unit: np.ndarray  # (K, T) renewable unit profiles [kW per unit of size]
    caps: np.ndarray  # (N, K) sizes
    load: np.ndarray  # (L, T) electric load [kW], L = 1 (shared) or N (one per configuration)
    params: np.ndarray  # (N, len(PARAMS))
    period: np.ndarray  # (T,) int64 TOU period code
    month: np.ndarray  # (T,) int64, 0-based
    price: np.ndarray  # (T,) import price [CNY/kWh]
    feed_in: float  # export price [CNY/kWh]
    grid_charge: np.ndarray  # (4,) bool, per period code
    discharge_ok: np.ndarray  # (4,) bool, per period code
    event: np.ndarray  # (T,) int64, the column of event_cap a step reads (-1: none)
    event_prep: np.ndarray  # (T,) bool, a step before a demand-response event: the battery charges and holds
    event_cap: np.ndarray  # (N, E) [kW], each configuration's import cap in each capped step


class KernelHeat(NamedTuple):
    """The heat side as the kernel reads it: :class:`HeatSystem` and :class:`HeatSizes`, as contiguous arrays."""

    residual: np.ndarray  # (D, T) [kW_th]
    store_recoverable: np.ndarray  # (S, T) [kW_th]
    store_serves: np.ndarray  # (S, D) bool
    store_keep: np.ndarray  # (S,)
    unit_cop: np.ndarray  # (U, T)
    unit_max: np.ndarray  # (U, T) [kW_th]
    unit_serves: np.ndarray  # (U, D) bool
    unit_charges: np.ndarray  # (U, S) bool
    unit_grid: np.ndarray  # (U,) bool
    boiler_cap: np.ndarray  # (B,) [kW_th]
    boiler_serves: np.ndarray  # (B, D) bool
    store_kwh: np.ndarray  # (N, S) [kWh_th]
    store_charge_kw: np.ndarray  # (N, S) [kW_th]
    store_discharge_kw: np.ndarray  # (N, S) [kW_th]
    store_e0: np.ndarray  # (N, S) [kWh_th]
    unit_kw: np.ndarray  # (N, U) [kW_th]
    unit_ground: np.ndarray  # (U,) int64, -1: none
    unit_cop_params: np.ndarray  # (U, 6)
    ground_loop: np.ndarray  # (N, G, 4)
    ground_modes: np.ndarray  # (N, G, M, 2)
    ground_cooling: np.ndarray  # (G, T) [kW_th]
    ground_cooling_params: np.ndarray  # (G, 2)
    chp_params: np.ndarray  # (C, 5)
    chp_heat_led: np.ndarray  # (C,) bool
    chp_serves: np.ndarray  # (C, D) bool
    chp_kw: np.ndarray  # (N, C) [kW]
    cabs_params: np.ndarray  # (A, 2)
    cabs_want: np.ndarray  # (A, T) [kW_th]
    cabs_cop: np.ndarray  # (A, T)
    cabs_per_kw: np.ndarray  # (A, T) [kW_th per kW_th of rating]
    cabs_kw: np.ndarray  # (N, A) [kW_th]
    h2_params: np.ndarray  # (Z, 5)
    h2_op0: np.ndarray  # (Z,) [h] each electrolyser's operating hours at the first step
    h2_store_params: np.ndarray  # (Y, 2), Y = 0 or 1
    h2_use_kg: np.ndarray  # (Y, T) [kg per step]
    h2_kw: np.ndarray  # (N, Z) [kW]
    h2_store_kg: np.ndarray  # (N, Y, 3) [kg]: capacity, lowest, first content
    fc_params: np.ndarray  # (F, 5)
    fc_serves: np.ndarray  # (F, D) bool
    fc_kw: np.ndarray  # (N, F) [kW]
    hb_params: np.ndarray  # (H, 2) [kg per kWh_th], the share of the capacity it leaves
    hb_serves: np.ndarray  # (H, D) bool
    h2_reserve_kg: np.ndarray  # (H, T) [kg] the uses' hydrogen each hydrogen boiler leaves in the store
    hb_kw: np.ndarray  # (N, H) [kW_th]
    h2_fill_kg: np.ndarray  # (Y, T) [kg] the uses' next day, which valley grid power fills the store to
    ls_params: np.ndarray  # (L, 4)
    ls_p_served: np.ndarray  # (L, T) [kW] the electricity of the load each store serves
    ls_want: np.ndarray  # (L, T) the product its load takes in the next day [kWh_th or m3]
    ls_size: np.ndarray  # (N, L, 4)
    ls_absorber: np.ndarray  # (L,) int64, the CHP-driven absorption chiller on a cold store's space (-1: none)
    ls_loop: np.ndarray  # (L,) int64, the ground loop whose heat pump cools a cold store's space (-1: none)


class KernelOut(NamedTuple):
    """Arrays the kernel writes: hourly records (single runs) and annual totals per configuration."""

    hourly: np.ndarray  # (T or 0, len(FLOWS) + len(STATES))
    totals: np.ndarray  # (N, len(TOTALS))
    monthly_peak: np.ndarray  # (N, 12)
    heat_hourly: np.ndarray  # (T or 0, heat columns)
    heat_totals: np.ndarray  # (N, heat columns)
    event_import: np.ndarray  # (N, E) [kW] each configuration's grid import in the steps that read an event cap


BlockRunner = Callable[[int, KernelSite, KernelHeat, KernelOut], None]
"""A compiled year of one block of configurations: (first configuration, site, heat, out), see :func:`_make_block`."""


@njit(cache=True, nogil=True, inline="always")
def _heat_layout(heat: KernelHeat) -> tuple[int, int, int, int]:
    """First heat-record column of the stores, of the units and of the boilers, and the number of columns (the
    ground loops' after the boilers', then the CHP units', their absorption chillers', the electrolysers' and the
    hydrogen store's, the fuel cells', the hydrogen boilers', the load stores')."""
    o_s = _N_HD * heat.residual.shape[0]
    o_u = o_s + _N_HS * heat.store_recoverable.shape[0]
    o_b = o_u + _N_HU * heat.unit_cop.shape[0]
    o_c = o_b + heat.boiler_cap.shape[0] + _N_HL * heat.ground_cooling.shape[0]
    o_e = o_c + _N_HC * heat.chp_params.shape[0] + _N_HA * heat.cabs_params.shape[0]
    o_f = o_e + _N_HE * heat.h2_params.shape[0] + _N_HY * heat.h2_store_params.shape[0]
    o_l = o_f + _N_HF * heat.fc_params.shape[0] + _N_HB * heat.hb_params.shape[0]
    return o_s, o_u, o_b, o_l + _N_HLS * heat.ls_params.shape[0]


@njit(cache=True, nogil=True, error_model="numpy")
def _lane_setup(
    site: KernelSite,
    n0: int,
    m: int,
    lp: np.ndarray,
    cp: np.ndarray,
    lrow: np.ndarray,
    st: np.ndarray,
    totals: np.ndarray,
) -> None:
    """Copy configurations n0 .. n0 + m - 1 into the lanes: battery and grid parameters (with the reciprocals
    and loss factors the hour loop uses), sizes, load row and the store's first energy."""
    params = site.params
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
        lp[_L_PS, w] = 1.0 if params[n, 11] == 2.0 else 0.0
        for i in range(12):
            lp[_L_LIM0 + i, w] = params[n, _P_PEAK0 + i]
        for k in range(site.unit.shape[0]):
            cp[k, w] = site.caps[n, k]
        lrow[w] = n if site.load.shape[0] > 1 else 0
        # The store is its energy e, of which e_re came from renewables: two pools, well mixed. Energy present
        # at the first hour counts as grid energy (see the module docstring).
        st[_S_E, w] = params[n, 8] * energy
        totals[n, _I_E_START] = st[_S_E, w]


@njit(cache=True, nogil=True, inline="always")
def _loop_state(
    ground_loop: np.ndarray, ground_modes: np.ndarray, n: int, g: int, w: int, g_x: np.ndarray, g_q: np.ndarray
) -> tuple[float, float, float]:
    """Ground loop ``g`` of configuration ``n`` in lane ``w`` at the start of an hour: the fluid temperature the
    hours before left [C], and the fluid temperature after the hour as ``base + per_kw x (heat put in)`` [C], [K/kW]
    (:func:`lingtan.components.ground.loop_fluid_t_c`)."""
    t_f = ground_loop[n, g, 0] - ground_loop[n, g, 1] * g_q[g, w]
    base = ground_loop[n, g, 0]
    per_kw = ground_loop[n, g, 1]
    for k in range(g_x.shape[1]):
        t_f -= g_x[g, k, w]
        keep = ground_modes[n, g, k, 1]
        base -= g_x[g, k, w] * keep
        per_kw += ground_modes[n, g, k, 0] * (1.0 - keep)
    return t_f, base, per_kw


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _unit_limits(
    unit_cop: np.ndarray,
    unit_max: np.ndarray,
    unit_ground: np.ndarray,
    unit_cop_params: np.ndarray,
    ground_loop: np.ndarray,
    ground_modes: np.ndarray,
    n: int,
    w: int,
    t: int,
    g_x: np.ndarray,
    g_q: np.ndarray,
    cop_t: np.ndarray,
    max_t: np.ndarray,
) -> None:
    """Heat step 0: each unit's COP and largest heat output this hour (lane ``w``); elsewhere the profiles'.

    A unit on a ground loop lifts from the loop's fluid, which the hours before left at ``T_ground - sum_m x_m -
    R q_last`` (:func:`lingtan.components.ground.loop_fluid_t_c`). It takes no more from the ground than keeps the
    fluid at the loop's lowest temperature after the hour, ``q <= (T_ground - sum_m x_m c_m - T_min) /
    (sum_m a_m (1 - c_m) + R)``, as a plant's low-temperature cut-out does, and gives ``q COP / (COP - 1)``."""
    for u in range(cop_t.shape[0]):
        g = unit_ground[u]
        if g < 0:
            cop_t[u, w] = unit_cop[u, t]
            max_t[u, w] = unit_max[u, t]
            continue
        t_f, base, per_kw = _loop_state(ground_loop, ground_modes, n, g, w, g_x, g_q)
        room = base - ground_loop[n, g, 2]
        p = unit_cop_params[u]
        # The cut-out leaves the fluid at its floor up to round-off: the floor itself still runs.
        cop = cop_of(t_f, p[0], p[1], p[2], p[3], p[4], p[5]) if t_f >= ground_loop[n, g, 2] - 1e-9 else 0.0
        cop_t[u, w] = cop
        max_t[u, w] = max(room, 0.0) / per_kw * cop / (cop - 1.0) if cop > 1.0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _ground_cooling(
    unit_ground: np.ndarray,
    unit_cop_params: np.ndarray,
    unit_kw: np.ndarray,
    ground_loop: np.ndarray,
    ground_modes: np.ndarray,
    ground_cooling: np.ndarray,
    ground_cooling_params: np.ndarray,
    ls_loop: np.ndarray,
    n: int,
    w: int,
    t: int,
    o_g: int,
    o_l: int,
    g_x: np.ndarray,
    g_q: np.ndarray,
    h_row: np.ndarray,
    max_t: np.ndarray,
) -> float:
    """Heat step 0b: each ground loop's heat pump cools its space, first, and the space's chillers the rest;
    returns their electricity [kW], drawn from the bus like the load.

    Reversed, the heat pump lifts from the chilled water to the loop's fluid: its cooling COP is its heating COP
    between those temperatures less one (:func:`lingtan.components.heat.cop_of`; ``q_h = q_c + W``). It puts
    ``cooling (1 + 1 / COP_c)`` into the ground, no more than keeps the fluid at the loop's highest
    temperature after the hour (the mirror of the heating cut-out), stops above it, and gives up that much of
    its heating capacity this hour. A cold store on the space has served its part first (:func:`_load_stores_step`):
    the heat pump and the chillers share what it left."""
    el = 0.0
    for g in range(ground_cooling.shape[0]):
        demand = ground_cooling[g, t]
        for j in range(ls_loop.shape[0]):
            if ls_loop[j] == g:
                demand -= h_row[o_l + _N_HLS * j + _HL_DIS, w]
        demand = max(demand, 0.0)
        if demand <= 0.0:
            continue
        u = _loop_unit(unit_ground, g)
        t_f, base, per_kw = _loop_state(ground_loop, ground_modes, n, g, w, g_x, g_q)
        p = unit_cop_params[u]
        eer = 0.0
        if t_f <= ground_loop[n, g, 3] + 1e-9:
            eer = cop_of(ground_cooling_params[g, 0], t_f, p[1], p[2], p[3], p[4], np.inf) - 1.0
        cool = 0.0
        if eer > 0.0:
            cool = min(demand, unit_kw[n, u], max(ground_loop[n, g, 3] - base, 0.0) / per_kw * eer / (eer + 1.0))
        col = o_g + _N_HL * g
        h_row[col + _HL_COOL, w] = cool
        h_row[col + _HL_P_COOL, w] = cool / eer if cool > 0.0 else 0.0
        h_row[col + _HL_P_CHILLER, w] = (demand - cool) / ground_cooling_params[g, 1]
        el += h_row[col + _HL_P_COOL, w] + h_row[col + _HL_P_CHILLER, w]
        max_t[u, w] = min(max_t[u, w], max(unit_kw[n, u] - cool, 0.0))
    return el


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _ground_step(
    unit_ground: np.ndarray,
    ground_modes: np.ndarray,
    n: int,
    w: int,
    o_u: int,
    o_g: int,
    h_row: np.ndarray,
    g_x: np.ndarray,
    g_q: np.ndarray,
) -> None:
    """Heat step 7: each ground loop's extraction this hour, its units' heat out less their electricity in, less
    the heat its heat pump rejected cooling (cooling plus electricity) [kW_th], moves its modes (held over the
    hour: ``x <- x c + a (1 - c) q``)."""
    for g in range(g_x.shape[0]):
        col = o_g + _N_HL * g
        q = -(h_row[col + _HL_COOL, w] + h_row[col + _HL_P_COOL, w])
        for u in range(unit_ground.shape[0]):
            if unit_ground[u] == g:
                col = o_u + _N_HU * u
                q += h_row[col + _HU_DEMAND, w] + h_row[col + _HU_STORAGE, w]
                q -= h_row[col + _HU_P_BASE, w] + h_row[col + _HU_P_SURPLUS, w]
        for k in range(g_x.shape[1]):
            keep = ground_modes[n, g, k, 1]
            g_x[g, k, w] = g_x[g, k, w] * keep + ground_modes[n, g, k, 0] * (1.0 - keep) * q
        g_q[g, w] = q


# Inlined into the kernel: as a call it doubled the heat side's time (array arguments passed per unit and hour).
@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _p2h_serves_demands(
    cop: np.ndarray,
    unit_serves: np.ndarray,
    u: int,
    w: int,
    budget_kw: float,
    rem: np.ndarray,
    u_left: np.ndarray,
    h_row: np.ndarray,
    col_unit: int,
    col_el: int,
) -> float:
    """Power-to-heat unit ``u`` (lane ``w``, hour ``t``) serves the demands it can, within the heat it has left
    and an electricity budget [kW]. Heat goes to each demand's ``from_p2h`` column and to record column
    ``col_unit`` (the unit's heat to demands), its electricity to ``col_el``. Returns the electricity used [kW]."""
    used = 0.0
    for d in range(rem.shape[0]):
        if unit_serves[u, d] and u_left[u, w] > 0.0 and rem[d, w] > 0.0 and budget_kw - used > 0.0:
            q = min(rem[d, w], u_left[u, w], (budget_kw - used) * cop[u, w])
            rem[d, w] -= q
            u_left[u, w] -= q
            used += q / cop[u, w]
            h_row[_N_HD * d + _HD_P2H, w] += q
            h_row[col_unit, w] += q
            h_row[col_el, w] += q / cop[u, w]
    return used


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _stores_serve_and_recover(
    residual: np.ndarray,
    store_recoverable: np.ndarray,
    store_serves: np.ndarray,
    store_keep: np.ndarray,
    store_kwh: np.ndarray,
    store_charge_kw: np.ndarray,
    store_discharge_kw: np.ndarray,
    n: int,
    w: int,
    t: int,
    o_s: int,
    rem: np.ndarray,
    e_st: np.ndarray,
    ch_left: np.ndarray,
    h_row: np.ndarray,
) -> float:
    """Heat steps 1-2 for lane ``w`` (configuration ``n``): the demands' residual enters ``rem``; thermal stores
    lose standing heat, serve their demands within their discharge limit, then take recovered heat within
    their charge limit and room. Returns the stores' energy at the start of the hour [kWh_th]."""
    for d in range(rem.shape[0]):
        rem[d, w] = residual[d, t]
    st_in0 = 0.0
    for j in range(e_st.shape[0]):
        col = o_s + _N_HS * j
        st_in0 += e_st[j, w]
        lost = e_st[j, w] * (1.0 - store_keep[j])
        e_st[j, w] -= lost
        h_row[col + _HS_LOSS, w] = lost
        avail = min(store_discharge_kw[n, j], e_st[j, w])
        for d in range(rem.shape[0]):
            if store_serves[j, d] and avail > 0.0 and rem[d, w] > 0.0:
                q = min(rem[d, w], avail)
                rem[d, w] -= q
                avail -= q
                e_st[j, w] -= q
                h_row[_N_HD * d + _HD_STORAGE, w] += q
                h_row[col + _HS_DISCHARGE, w] += q
        q = max(0.0, min(store_recoverable[j, t], store_charge_kw[n, j], store_kwh[n, j] - e_st[j, w]))
        e_st[j, w] += q
        ch_left[j, w] = store_charge_kw[n, j] - q
        h_row[col + _HS_RECOVERED, w] = q
    return st_in0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _p2h_on_bus(
    cop: np.ndarray,
    max_t: np.ndarray,
    unit_serves: np.ndarray,
    unit_grid: np.ndarray,
    unit_kw: np.ndarray,
    n: int,
    w: int,
    o_u: int,
    bus_room: float,
    rem: np.ndarray,
    u_left: np.ndarray,
    h_row: np.ndarray,
) -> float:
    """Heat step 3: the units allowed on any electricity serve what is left, within ``bus_room``, what the bus
    can supply this hour [kW], so they never cause unserved electric load. Sets every unit's heat left for the
    hour; returns their electricity [kW]."""
    heat_load = 0.0
    for u in range(u_left.shape[0]):
        u_left[u, w] = min(unit_kw[n, u], max_t[u, w]) if cop[u, w] > 0.0 else 0.0
        if unit_grid[u]:
            col = o_u + _N_HU * u
            heat_load += _p2h_serves_demands(
                cop,
                unit_serves,
                u,
                w,
                max(0.0, bus_room - heat_load),
                rem,
                u_left,
                h_row,
                col + _HU_DEMAND,
                col + _HU_P_BASE,
            )
    return heat_load


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _p2h_on_surplus(
    cop: np.ndarray,
    unit_serves: np.ndarray,
    w: int,
    o_u: int,
    surplus: float,
    rem: np.ndarray,
    u_left: np.ndarray,
    h_row: np.ndarray,
) -> float:
    """Heat step 4: renewable surplus [kW] runs power-to-heat for the heat still needed (used now, no storage
    loss), before it charges the battery. Returns the electricity used [kW]."""
    re_heat = 0.0
    for u in range(u_left.shape[0]):
        col = o_u + _N_HU * u
        re_heat += _p2h_serves_demands(
            cop, unit_serves, u, w, surplus - re_heat, rem, u_left, h_row, col + _HU_DEMAND, col + _HU_P_SURPLUS
        )
    return re_heat


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _p2h_charges_stores(
    cop: np.ndarray,
    unit_charges: np.ndarray,
    store_kwh: np.ndarray,
    n: int,
    w: int,
    o_s: int,
    o_u: int,
    rest: float,
    re_heat: float,
    e_st: np.ndarray,
    ch_left: np.ndarray,
    u_left: np.ndarray,
    h_row: np.ndarray,
) -> tuple[float, float]:
    """Heat step 5: what renewable surplus remains, ``rest`` [kW], charges thermal stores through power-to-heat.
    Returns the surplus left and ``re_heat``, the surplus power-to-heat has used this hour, updated [kW]."""
    for u in range(u_left.shape[0]):
        for j in range(e_st.shape[0]):
            if unit_charges[u, j] and u_left[u, w] > 0.0 and rest > 0.0:
                q = max(0.0, min(u_left[u, w], ch_left[j, w], store_kwh[n, j] - e_st[j, w], rest * cop[u, w]))
                e_st[j, w] += q
                ch_left[j, w] -= q
                u_left[u, w] -= q
                rest -= q / cop[u, w]
                re_heat += q / cop[u, w]
                h_row[o_s + _N_HS * j + _HS_P2H, w] += q
                h_row[o_u + _N_HU * u + _HU_STORAGE, w] += q
                h_row[o_u + _N_HU * u + _HU_P_SURPLUS, w] += q / cop[u, w]
    return rest, re_heat


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _serve_demands(
    serves: np.ndarray, i: int, left: float, rem: np.ndarray, w: int, hd: int, col: int, h_row: np.ndarray
) -> float:
    """Heat ``left`` [kW_th] of supply ``i`` to the demands it ``serves``, in order: each takes what it still wants.
    Records the heat under each demand's column ``hd`` and the supply's column ``col``; returns what is left."""
    for d in range(rem.shape[0]):
        if serves[i, d] and left > 0.0 and rem[d, w] > 0.0:
            q = min(rem[d, w], left)
            rem[d, w] -= q
            left -= q
            h_row[_N_HD * d + hd, w] += q
            h_row[col, w] += q
    return left


@njit(cache=True, nogil=True, inline="always")
def _loop_unit(unit_ground: np.ndarray, g: int) -> int:
    """The power-to-heat unit that draws on ground loop ``g`` (the schema allows one: the last if several)."""
    u = 0
    for v in range(unit_ground.shape[0]):
        if unit_ground[v] == g:
            u = v
    return u


@njit(cache=True, nogil=True, inline="always")
def _first_cooling(
    a: int,
    g: int,
    cabs_want: np.ndarray,
    cabs_per_kw: np.ndarray,
    cabs_kw: np.ndarray,
    unit_ground: np.ndarray,
    unit_kw: np.ndarray,
    ground_cooling: np.ndarray,
    n: int,
    s: int,
) -> float:
    """The cooling a cold store's space gets at step ``s`` from the machine that cools it before the store, at that
    machine's rating [kW_th]: CHP-driven absorption chiller ``a`` or ground loop ``g``'s heat pump (-1: none)."""
    if a >= 0:
        return min(cabs_want[a, s], cabs_kw[n, a] * cabs_per_kw[a, s])
    return min(ground_cooling[g, s], unit_kw[n, _loop_unit(unit_ground, g)])


@njit(cache=True, nogil=True, inline="always")
def _cabs_left(
    cabs_want: np.ndarray, ls_absorber: np.ndarray, a: int, t: int, o_l: int, h_row: np.ndarray, w: int
) -> float:
    """The cooling CHP-driven absorption chiller ``a`` may still give its space this step [kW_th]: what the space's
    chillers cool less what a cold store on the space gave (this step's record)."""
    left = cabs_want[a, t]
    for j in range(ls_absorber.shape[0]):
        if ls_absorber[j] == a:
            left -= h_row[o_l + _N_HLS * j + _HL_DIS, w]
    return max(left, 0.0)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _chp_step(
    chp_params: np.ndarray,
    chp_heat_led: np.ndarray,
    chp_serves: np.ndarray,
    chp_kw: np.ndarray,
    cabs_params: np.ndarray,
    cabs_want: np.ndarray,
    cabs_cop: np.ndarray,
    cabs_per_kw: np.ndarray,
    cabs_kw: np.ndarray,
    ls_absorber: np.ndarray,
    n: int,
    w: int,
    t: int,
    o_c: int,
    o_l: int,
    room_load: float,
    room_export: float,
    rem: np.ndarray,
    h_row: np.ndarray,
) -> tuple[float, float, float]:
    """Heat step 6: combined heat and power units, in scenario order, after the battery and before the boilers.

    ``room_load`` [kW] is the electric demand the grid would serve (after renewables and the battery),
    ``room_export`` [kW] the export limit's room after renewable export. A heat-led unit makes the heat its
    demands still want (after stores and power-to-heat) at most at its rating and within both rooms; an
    electricity-led unit makes the electricity of ``room_load``, its heat to its demands and the rest dumped.
    Below its minimum part load a unit is off. Its electricity serves the load, then is exported.

    The heat its demands leave drives its absorption chillers (a heat-led unit counts their drive heat among what
    it makes): each cools its space for the electricity the space's chillers then do not draw, which first lowers
    what the grid gives, then moves the unit's own electricity from the load to export; never more than those
    two rooms hold (the rest of the heat is dumped); a cold store on the same space has served its part first
    (:func:`_load_stores_step`). Returns (electricity to the load, exported, the chillers' electricity saved) [kW]."""
    to_load = 0.0
    to_grid = 0.0
    relief = 0.0
    o_a = o_c + _N_HC * chp_params.shape[0]
    for c in range(chp_params.shape[0]):
        cap = chp_kw[n, c]
        if cap <= 0.0:
            continue
        heat_slope = chp_params[c, _C_HEAT_SLOPE]
        heat_icpt = chp_params[c, _C_HEAT_INTERCEPT]
        if chp_heat_led[c]:
            want = 0.0
            for d in range(rem.shape[0]):
                if chp_serves[c, d]:
                    want += rem[d, w]
            for a in range(cabs_params.shape[0]):
                if cabs_params[a, _A_CHP] == c:
                    want_a = _cabs_left(cabs_want, ls_absorber, a, t, o_l, h_row, w)
                    want += min(want_a, cabs_kw[n, a] * cabs_per_kw[a, t]) / cabs_cop[a, t]
            x = min((want / cap - heat_icpt) / heat_slope, 1.0, (room_load + room_export) / cap)
        else:
            x = min(room_load / cap, 1.0)
        if x < chp_params[c, _C_MIN_LOAD]:
            continue
        p = x * cap
        p_load = min(p, room_load)
        room_load -= p_load
        room_export = max(0.0, room_export - (p - p_load))
        to_load += p_load
        to_grid += p - p_load
        col = o_c + _N_HC * c
        h_row[col + _HC_P, w] = p
        h_row[col + _HC_FUEL, w] = cap * (chp_params[c, _C_FUEL_SLOPE] * x + chp_params[c, _C_FUEL_INTERCEPT])
        left = _serve_demands(
            chp_serves, c, cap * (heat_slope * x + heat_icpt), rem, w, _HD_CHP, col + _HC_DEMAND, h_row
        )
        for a in range(cabs_params.shape[0]):
            if cabs_params[a, _A_CHP] != c or left <= 0.0:
                continue
            inv_cop_e = cabs_params[a, _A_INV_COP_E]
            # The electricity saved may lower the grid's part, then move this unit's from the load to export.
            moved_max = min(room_export, p_load)
            cool = min(
                _cabs_left(cabs_want, ls_absorber, a, t, o_l, h_row, w),
                cabs_kw[n, a] * cabs_per_kw[a, t],
                left * cabs_cop[a, t],
                (room_load + moved_max) / inv_cop_e,
            )
            if cool <= 0.0:
                continue
            saved = cool * inv_cop_e
            moved = max(0.0, saved - room_load)
            room_load = max(0.0, room_load - saved)
            room_export -= moved
            p_load -= moved
            to_load -= moved
            to_grid += moved
            relief += saved
            left -= cool / cabs_cop[a, t]
            col_a = o_a + _N_HA * a
            h_row[col_a + _HA_COOL, w] = cool
            h_row[col_a + _HA_DRIVE, w] = cool / cabs_cop[a, t]
            h_row[col_a + _HA_RELIEF, w] = saved
        h_row[col + _HC_DUMPED, w] = max(left, 0.0)
    return to_load, to_grid, relief


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _h2_step(
    h2_params: np.ndarray,
    h2_store_params: np.ndarray,
    h2_use_kg: np.ndarray,
    h2_kw: np.ndarray,
    h2_store_kg: np.ndarray,
    fc_params: np.ndarray,
    fc_serves: np.ndarray,
    fc_kw: np.ndarray,
    hb_params: np.ndarray,
    hb_serves: np.ndarray,
    h2_reserve_kg: np.ndarray,
    hb_kw: np.ndarray,
    h2_fill_kg: np.ndarray,
    n: int,
    w: int,
    t: int,
    o_e: int,
    surplus: float,
    short: float,
    valley: float,
    grid_room: float,
    rem: np.ndarray,
    h2_m: np.ndarray,
    h2_g: np.ndarray,
    h2_op: np.ndarray,
    h_row: np.ndarray,
) -> tuple[float, float, float, float]:
    """Hydrogen: the store loses its standing loss; the electrolysers, in scenario order, take renewable surplus
    [kW] (after the battery and the heat stores, before export) for themselves and the compressor, within their
    rating and the store's room, off below minimum load (one on ``valley_grid`` tops its surplus input up from the
    grid in valley steps, within ``grid_room`` [kW], until the store holds its cushion and the uses' next day
    ``h2_fill_kg``); then the store gives its uses their hydrogen, down to its cushion; then the fuel cells, in
    scenario order, make the electricity ``short`` [kW] the grid would give (after
    the battery, before CHP units), within their rating and the hydrogen above the cushion, off below minimum load,
    their heat to the demands they serve before the CHP units and boilers (the rest dumped); then the hydrogen boilers,
    in scenario order, give those demands heat on the hydrogen above their share of the store's capacity and above the
    cushion and the uses' reserve, within their rating. The store's renewable hydrogen ``h2_g`` is carried beside its
    content ``h2_m``: made of surplus electricity in its share of the electrolyser's input, lost and taken in the
    share the store holds (well mixed; what it held at the start counts as grid hydrogen, the stricter reading).
    Returns (the surplus taken [kW], the store's balance residual [kg], the fuel cells' electricity [kW], the
    electrolysers' grid electricity [kW])."""
    if h2_store_params.shape[0] == 0:
        return 0.0, 0.0, 0.0, 0.0
    comp = h2_store_params[0, _Y_COMP]
    m0 = h2_m[w]
    keep = h2_store_params[0, _Y_KEEP]
    loss = m0 * (1.0 - keep)
    m = m0 - loss
    g = h2_g[w] * keep
    room = max(0.0, h2_store_kg[n, 0, 0] - m)
    left = surplus
    made = 0.0
    made_g = 0.0
    from_grid = 0.0
    fill = h2_store_kg[n, 0, 1] + h2_fill_kg[0, t]  # what valley grid power fills the store to
    o_y = o_e + _N_HE * h2_params.shape[0]
    for z in range(h2_params.shape[0]):
        cap = h2_kw[n, z]
        if cap <= 0.0:
            continue
        a = h2_params[z, _E_SLOPE]
        b = h2_params[z, _E_INTERCEPT]
        f = 1.0 - h2_params[z, _E_AGEING] * h2_op[z, w]  # the aged stack's share of a new one's hydrogen
        per_kw = f / H2_LHV_KWH_PER_KG  # kg of hydrogen per kW LHV-hour
        # Electricity drawn at input p: p + comp * kg(p), kg(p) = cap (a p / cap + b) f / LHV; solved for the
        # surplus left, and the input whose hydrogen fills the store's room.
        p_room = (room / (cap * per_kw) - b) / a * cap
        p = min(cap, (left - comp * cap * b * per_kw) / (1.0 + comp * a * per_kw), p_room)
        if h2_params[z, _E_GRID] * valley > 0.0:  # topped up from the grid, to the fill level at most
            p_fill = ((fill - m - made) / (cap * per_kw) - b) / a * cap
            p_budget = (left + grid_room - comp * cap * b * per_kw) / (1.0 + comp * a * per_kw)
            p = max(p, min(cap, p_fill, p_budget, p_room))
        if p < h2_params[z, _E_MIN_LOAD] * cap:
            continue
        kg = cap * (a * p / cap + b) * per_kw
        e_in = p + comp * kg
        # surplus first; one on surplus only draws none from the grid (its input was solved for the surplus: a
        # round-off above it is no grid electricity)
        e_re = min(left, e_in) if h2_params[z, _E_GRID] > 0.0 else e_in
        col = o_e + _N_HE * z
        h_row[col + _HE_P, w] = p
        h_row[col + _HE_COMP, w] = comp * kg
        h_row[col + _HE_KG, w] = kg
        h_row[col + _HE_GRID, w] = e_in - e_re
        left -= e_re
        grid_room -= e_in - e_re
        from_grid += e_in - e_re
        room -= kg
        made += kg
        made_g += kg * e_re / e_in
        h2_op[z, w] += 1.0
    m += made
    g += made_g
    share = g / m if m > 0.0 else 0.0  # the renewable share of what leaves the store this step
    want = h2_use_kg[0, t]
    out = min(want, max(0.0, m - h2_store_kg[n, 0, 1]))
    m -= out
    fc_load = 0.0
    fc_kg = 0.0
    o_f = o_y + _N_HY
    for f in range(fc_params.shape[0]):
        cap = fc_kw[n, f]
        if cap <= 0.0 or short <= 0.0:
            continue
        a = fc_params[f, 0]
        b = fc_params[f, 1]
        # hydrogen [kW LHV] at part load x: cap (a x + b), at most what lies above the cushion
        x = min(1.0, short / cap, ((m - h2_store_kg[n, 0, 1]) * H2_LHV_KWH_PER_KG / cap - b) / a)
        if x < fc_params[f, 4]:
            continue
        p = x * cap
        kg = cap * (a * x + b) / H2_LHV_KWH_PER_KG
        short -= p
        m -= kg
        fc_load += p
        fc_kg += kg
        col = o_f + _N_HF * f
        h_row[col + _HF_P, w] = p
        h_row[col + _HF_KG, w] = kg
        heat = cap * (fc_params[f, 2] * x + fc_params[f, 3])
        h_row[col + _HF_DUMPED, w] = _serve_demands(fc_serves, f, heat, rem, w, _HD_CHP, col + _HF_DEMAND, h_row)
    boiler_kg = 0.0
    o_hb = o_f + _N_HF * fc_params.shape[0]
    for b in range(hb_params.shape[0]):
        heat_wanted = 0.0
        for d in range(rem.shape[0]):
            if hb_serves[b, d]:
                heat_wanted += rem[d, w]
        keep = max(h2_store_kg[n, 0, 1] + h2_reserve_kg[b, t], hb_params[b, 1] * h2_store_kg[n, 0, 0])
        q = min(hb_kw[n, b], max(0.0, m - keep) / hb_params[b, 0], heat_wanted)
        if q <= 0.0:
            continue
        col = o_hb + _N_HB * b
        _serve_demands(hb_serves, b, q, rem, w, _HD_CHP, col + _HB_DEMAND, h_row)
        kg = q * hb_params[b, 0]
        h_row[col + _HB_KG, w] = kg
        m -= kg
        boiler_kg += kg
    h2_m[w] = m
    used_g = (out + fc_kg + boiler_kg) * share
    h2_g[w] = g - used_g
    h_row[o_y + _HY_G_IN, w] = made_g
    h_row[o_y + _HY_G_USED, w] = used_g
    h_row[o_y + _HY_G_M, w] = g - used_g
    h_row[o_y + _HY_IN, w] = made
    h_row[o_y + _HY_OUT, w] = out
    h_row[o_y + _HY_UNMET, w] = want - out
    h_row[o_y + _HY_FC, w] = fc_kg
    h_row[o_y + _HY_BOILER, w] = boiler_kg
    h_row[o_y + _HY_LOSS, w] = loss
    h_row[o_y + _HY_M, w] = m
    return surplus - left, abs(m - (m0 + made - out - fc_kg - boiler_kg - loss)), fc_load, from_grid


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _boilers_and_heat_balance(
    residual: np.ndarray,
    boiler_cap: np.ndarray,
    boiler_serves: np.ndarray,
    w: int,
    t: int,
    o_s: int,
    o_b: int,
    st_in0: float,
    rem: np.ndarray,
    e_st: np.ndarray,
    h_row: np.ndarray,
) -> tuple[float, float]:
    """Heat step 7: fuel boilers and purchased heat serve what is left, in scenario order; the rest is unserved.
    Returns the hour's largest heat residual [kWh_th]: each demand (served by stores, power-to-heat, boilers or
    unserved) and the stores together (energy now = at the start + charges - discharge - losses)."""
    for b in range(boiler_cap.shape[0]):
        _serve_demands(boiler_serves, b, boiler_cap[b], rem, w, _HD_BOILERS, o_b + b, h_row)
    worst = 0.0
    for d in range(rem.shape[0]):
        col = _N_HD * d
        h_row[col + _HD_UNSERVED, w] = rem[d, w]
        worst = max(
            worst,
            abs(
                residual[d, t]
                - h_row[col + _HD_STORAGE, w]
                - h_row[col + _HD_P2H, w]
                - h_row[col + _HD_CHP, w]
                - h_row[col + _HD_BOILERS, w]
                - h_row[col + _HD_UNSERVED, w]
            ),
        )
    st_out = 0.0
    for j in range(e_st.shape[0]):
        col = o_s + _N_HS * j
        h_row[col + _HS_E, w] = e_st[j, w]
        st_out += (
            e_st[j, w]
            - h_row[col + _HS_RECOVERED, w]
            - h_row[col + _HS_P2H, w]
            + h_row[col + _HS_DISCHARGE, w]
            + h_row[col + _HS_LOSS, w]
        )
    return worst, abs(st_out - st_in0)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _load_stores_step(
    ls_params: np.ndarray,
    ls_p_served: np.ndarray,
    ls_want: np.ndarray,
    ls_size: np.ndarray,
    ls_absorber: np.ndarray,
    ls_loop: np.ndarray,
    cabs_want: np.ndarray,
    cabs_per_kw: np.ndarray,
    cabs_kw: np.ndarray,
    unit_ground: np.ndarray,
    unit_kw: np.ndarray,
    ground_cooling: np.ndarray,
    n: int,
    w: int,
    t: int,
    o_l: int,
    re: float,
    load: float,
    scale: float,
    valley: float,
    import_room: float,
    ls_e: np.ndarray,
    h_row: np.ndarray,
) -> float:
    """Heat step 0: the stores of what electric loads make (cooling, compressed air), first on the bus; returns the
    change of the load they make [kW].

    Each store loses its standing loss, then: where the site would import outside the valley, it serves its load
    (its machines rest: the load falls by ``discharge / k_serve``, within the import it would need, the load's own
    electricity, the discharge limit and its content); where renewables exceed the load, the machines charge it on
    the surplus (``charge = p k_charge``); in the valley, a store that may also charges from the grid within the
    import the limit and the month's target leave. It fills to what its load will take in the next day at most
    (the day-ahead schedule knows the load: no ice made in winter to melt). Stores come before the battery: they
    store the product, not the electricity, and lose only their standing loss.

    A cold store on a space that a CHP-driven absorption chiller or a ground loop's heat pump also cools serves,
    and fills to, only what that machine could not cool at its rating: the unit's heat or the ground cools first
    where it can, the stored cold the rest (the space's chillers, at ``k_serve``, take what is left). A store
    beside a ground loop spares its chillers' electricity in :func:`_ground_cooling`, not here."""
    delta = 0.0
    n_t = ls_p_served.shape[1]
    for j in range(ls_params.shape[0]):
        k_ch = ls_params[j, _LS_K_CH]
        k_sv = ls_params[j, _LS_K_SV]
        p_load = ls_p_served[j, t] * scale
        want = ls_want[j, t] * scale
        a, g = ls_absorber[j], ls_loop[j]
        if a >= 0 or g >= 0:
            first = _first_cooling(a, g, cabs_want, cabs_per_kw, cabs_kw, unit_ground, unit_kw, ground_cooling, n, t)
            p_load = max(0.0, p_load - first / k_sv)
            want = 0.0
            for s in range(t + 1, min(t + 25, n_t)):  # the next day, as heat_profiles.next_day_sum
                first = _first_cooling(
                    a, g, cabs_want, cabs_per_kw, cabs_kw, unit_ground, unit_kw, ground_cooling, n, s
                )
                want += max(0.0, ls_p_served[j, s] * scale * k_sv - first)
        e = ls_e[j, w]
        loss = e * (1.0 - ls_params[j, _LS_KEEP])
        e -= loss
        net = load + delta - re
        relief = min(
            max(net, 0.0) * (1.0 - valley),
            p_load,
            ls_size[n, j, _LS_DIS] / k_sv,
            e / k_sv,
        )
        e -= relief * k_sv
        room = max(0.0, min(ls_size[n, j, _LS_CAP], want) - e) / k_ch
        ch_max = ls_size[n, j, _LS_CH] / k_ch
        p_re = min(max(-net, 0.0), ch_max, room)
        p_gr = valley * ls_params[j, _LS_GRID] * min(max(0.0, import_room - max(net, 0.0)), ch_max - p_re, room - p_re)
        p_ch = p_re + max(p_gr, 0.0)
        e += p_ch * k_ch
        ls_e[j, w] = e
        delta += p_ch - (relief if g < 0 else 0.0)
        k = o_l + _N_HLS * j
        h_row[k + _HL_P_CH, w] = p_ch
        h_row[k + _HL_P_RE, w] = p_re
        h_row[k + _HL_P_REL, w] = relief
        h_row[k + _HL_CH, w] = p_ch * k_ch
        h_row[k + _HL_DIS, w] = relief * k_sv
        h_row[k + _HL_LOSS, w] = loss
        h_row[k + _HL_E, w] = e
        h_row[k + _HL_P_LOAD, w] = p_load
    return delta


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _battery_charge(
    e: float,
    surplus: float,
    deficit: float,
    grid_charging: float,
    e_hi: float,
    ch_kw: float,
    imp_kw: float,
    peak_kw: float,
    eta_c: float,
    inv_eta_c: float,
) -> tuple[float, float, float, float]:
    """Charge from renewable surplus [kW] within power ``ch_kw`` and the SoC ceiling ``e_hi`` [kWh], worked out as
    energy stored [kWh]; the power taken from the bus follows from it and never exceeds what was offered. Then,
    when grid-charging (1.0, else 0.0), from the grid within the rest of the power, the headroom the deficit [kW]
    leaves below the import limit and below the month's peak limit ``peak_kw`` (inf: none), and the ceiling.
    Returns (renewable charge, stored from it, grid charge, stored from it).
    Scalars only: an array argument of an inlined function costs a reference count per lane and hour."""
    head = max(0.0, e_hi - e)
    offer = min(surplus, ch_kw)
    stored_re = min(offer * eta_c, head)
    ch_re = min(offer, stored_re * inv_eta_c)
    offer = max(0.0, min(ch_kw - ch_re, imp_kw - deficit, peak_kw - deficit)) * grid_charging
    stored_gr = max(0.0, min(offer * eta_c, head - stored_re))
    ch_gr = min(offer, stored_gr * inv_eta_c)
    return ch_re, stored_re, ch_gr, stored_gr


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _battery_discharge(
    e: float,
    e_re: float,
    deficit: float,
    may_discharge: float,
    peak_kw: float,
    dis_kw: float,
    e_lo: float,
    eta_d: float,
    inv_eta_d: float,
) -> tuple[float, float, float, float, float]:
    """Discharge to the deficit [kW] when ``may_discharge`` (1.0, else 0.0), and in any hour the part of it above
    the month's peak limit ``peak_kw`` (inf: none), as energy drawn from the store within power ``dis_kw`` and
    the SoC floor ``e_lo`` [kWh]; the pools give pro rata to their contents. Returns (energy drawn, of it
    renewable [kWh], delivered, of it from the renewable pool, from the grid pool [kW])."""
    # max(x, 0.0) is x: without a limit the first term is unchanged, bit for bit.
    want = max(min(deficit, dis_kw) * may_discharge, min(max(0.0, deficit - peak_kw), dis_kw))
    drawn = min(want * inv_eta_d, max(0.0, e - e_lo))
    dis = min(want, drawn * eta_d)
    # e_re * (drawn / e), so the division depends on e alone.
    drawn_re = min(drawn, e_re * (drawn / e if e > 0.0 else 0.0))
    dis_re = min(dis, drawn_re * eta_d)
    return drawn, drawn_re, dis, dis_re, dis - dis_re


def _make_block(has_heat: bool, record: bool) -> BlockRunner:
    """The year of one block of configurations, compiled for one combination of flags. As constants of the
    closure, ``has_heat`` and ``record`` are folded at compile time: the heat branches and the hourly record
    leave the lane loop, which LLVM then vectorises over the lanes (as a run-time flag they kept the lane loop
    scalar, three times slower in a sweep).

    Each variant gets its own name before it is compiled: numba names a cached function's machine code by its
    qualified name, and four variants under one name let a kernel loaded from the cache call the wrong one.
    """

    def run_block(n0: int, site: KernelSite, heat: KernelHeat, out: KernelOut) -> None:
        """Configurations n0 .. n0 + LANES - 1 (or to the last one) over the year."""
        m = min(LANES, site.caps.shape[0] - n0)
        n_t = site.unit.shape[1]
        lp = np.zeros((_NL, LANES))
        cp = np.zeros((site.unit.shape[0], LANES))
        lrow = np.zeros(LANES, np.int64)
        st = np.zeros((_NS, LANES))
        mp = np.zeros((12, LANES))
        _lane_setup(site, n0, m, lp, cp, lrow, st, out.totals)
        unit, load_kw, period, month, price = site.unit, site.load, site.period, site.month, site.price
        grid_charge, discharge_ok = site.grid_charge, site.discharge_ok
        event, event_prep, event_cap = site.event, site.event_prep, site.event_cap
        hourly, heat_hourly, event_import = out.hourly, out.heat_hourly, out.event_import

        # Heat side: D demands, S stores, U power-to-heat units, B fuel boilers / purchased heat; state per lane.
        # The record's arrays are unpacked once: each access to a tuple's array in the hour loop would count a
        # reference (an atomic add), which made the heat side twice as slow.
        (
            residual,
            store_recoverable,
            store_serves,
            store_keep,
            unit_cop,
            unit_max,
            unit_serves,
            unit_charges,
            unit_grid,
            boiler_cap,
            boiler_serves,
            store_kwh,
            store_charge_kw,
            store_discharge_kw,
            store_e0,
            unit_kw,
            unit_ground,
            unit_cop_params,
            ground_loop,
            ground_modes,
            ground_cooling,
            ground_cooling_params,
            chp_params,
            chp_heat_led,
            chp_serves,
            chp_kw,
            cabs_params,
            cabs_want,
            cabs_cop,
            cabs_per_kw,
            cabs_kw,
            h2_params,
            h2_op0,
            h2_store_params,
            h2_use_kg,
            h2_kw,
            h2_store_kg,
            fc_params,
            fc_serves,
            fc_kw,
            hb_params,
            hb_serves,
            h2_reserve_kg,
            hb_kw,
            h2_fill_kg,
            ls_params,
            ls_p_served,
            ls_want,
            ls_size,
            ls_absorber,
            ls_loop,
        ) = heat
        n_d, n_s, n_u = residual.shape[0], store_recoverable.shape[0], unit_cop.shape[0]
        n_g, n_m = ground_modes.shape[1], ground_modes.shape[2]
        o_s, o_u, o_b, n_hh = _heat_layout(heat)
        o_g = o_b + boiler_cap.shape[0]
        o_c = o_g + _N_HL * n_g
        o_e = o_c + _N_HC * chp_params.shape[0] + _N_HA * cabs_params.shape[0]
        o_l = n_hh - _N_HLS * ls_params.shape[0]
        ls_e = np.zeros((ls_params.shape[0], LANES))  # each load store's content
        h2_m = np.zeros(LANES)  # the hydrogen store's content [kg]
        h2_g = np.zeros(LANES)  # of it renewable [kg]; the first content counts as grid hydrogen
        h2_op = np.zeros((h2_params.shape[0], LANES))  # each electrolyser's operating hours
        rem = np.zeros((n_d, LANES))
        e_st = np.zeros((n_s, LANES))
        ch_left = np.zeros((n_s, LANES))
        u_left = np.zeros((n_u, LANES))
        h_row = np.zeros((n_hh, LANES))
        h_acc = np.zeros((n_hh, LANES))
        cop_t = np.zeros((n_u, LANES))  # each unit's COP this hour
        max_t = np.zeros((n_u, LANES))  # each unit's largest heat output this hour [kW_th]
        g_x = np.zeros((n_g, n_m, LANES))  # ground loops: each mode's wall temperature drop [K]
        g_q = np.zeros((n_g, LANES))  # ground loops: last hour's extraction [kW_th]
        for w in range(m):
            for j in range(n_s):
                e_st[j, w] = store_e0[n0 + w, j]
            if h2_store_kg.shape[1] > 0:
                h2_m[w] = h2_store_kg[n0 + w, 0, 2]
            for z in range(h2_params.shape[0]):
                h2_op[z, w] = h2_op0[z]
            for j in range(ls_params.shape[0]):
                ls_e[j, w] = ls_size[n0 + w, j, _LS_E0]

        m_cur = month[0] if n_t > 0 else 0
        for t in range(n_t):
            # What every lane shares this hour; period flags as numbers, so the lane loop needs no branch on them.
            p = period[t]
            price_t = price[t]
            ev = event[t]
            prep_t = 1.0 if event_prep[t] else 0.0  # before an event: the battery charges from the grid and holds
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
            # Each lane's renewable output and load this hour [kW]. Written here, not as an inlined step: an
            # inlined function's array arguments cost reference counts every hour, a third of a single run.
            for w in range(m):
                st[_S_RE_HOUR, w] = 0.0
            for k in range(unit.shape[0]):
                u_kt = unit[k, t]
                for w in range(m):
                    st[_S_RE_HOUR, w] += cp[k, w] * u_kt
            if load_kw.shape[0] == 1:
                load_t = load_kw[0, t]
                for w in range(m):
                    st[_S_LOAD_HOUR, w] = load_t * lp[_L_SCALE, w]
            else:
                for w in range(m):
                    st[_S_LOAD_HOUR, w] = load_kw[lrow[w], t] * lp[_L_SCALE, w]

            for w in range(m):
                n = n0 + w
                re = st[_S_RE_HOUR, w]
                load = st[_S_LOAD_HOUR, w]
                e = st[_S_E, w]
                e_re = st[_S_E_RE, w]
                e0 = e
                # Self-discharge at the start of the hour, by pool.
                loss_re = e_re * lp[_L_SD, w]
                loss_gr = (e - e_re) * lp[_L_SD, w]
                e *= lp[_L_KEEP, w]
                e_re *= lp[_L_KEEP, w]
                # tou_arbitrage charges from the grid in its grid-charge periods and discharges only in its
                # discharge periods; load_following never grid-charges and may always discharge; peak_shaving
                # grid-charges in any hour and discharges only above the month's peak limit.
                grid_charging = max(lp[_L_TOU, w] * gc_t + lp[_L_PS, w], prep_t)
                peak_kw = lp[_L_LIM0 + m_cur, w]
                if ev >= 0:  # a demand-response event or its preparation: the battery holds import at the cap
                    peak_kw = min(peak_kw, event_cap[n, ev])
                may_discharge = max(1.0 - lp[_L_TOU, w], dis_t) * (1.0 - grid_charging)

                st_in0 = 0.0
                heat_load = 0.0
                if has_heat:
                    for k in range(n_hh):
                        h_row[k, w] = 0.0
                    load += _load_stores_step(
                        ls_params,
                        ls_p_served,
                        ls_want,
                        ls_size,
                        ls_absorber,
                        ls_loop,
                        cabs_want,
                        cabs_per_kw,
                        cabs_kw,
                        unit_ground,
                        unit_kw,
                        ground_cooling,
                        n,
                        w,
                        t,
                        o_l,
                        re,
                        load,
                        lp[_L_SCALE, w],
                        in_p0,
                        min(lp[_L_IMP, w], peak_kw),
                        ls_e,
                        h_row,
                    )
                    _unit_limits(
                        unit_cop,
                        unit_max,
                        unit_ground,
                        unit_cop_params,
                        ground_loop,
                        ground_modes,
                        n,
                        w,
                        t,
                        g_x,
                        g_q,
                        cop_t,
                        max_t,
                    )
                    st_in0 = _stores_serve_and_recover(
                        residual,
                        store_recoverable,
                        store_serves,
                        store_keep,
                        store_kwh,
                        store_charge_kw,
                        store_discharge_kw,
                        n,
                        w,
                        t,
                        o_s,
                        rem,
                        e_st,
                        ch_left,
                        h_row,
                    )
                    cool_el = _ground_cooling(
                        unit_ground,
                        unit_cop_params,
                        unit_kw,
                        ground_loop,
                        ground_modes,
                        ground_cooling,
                        ground_cooling_params,
                        ls_loop,
                        n,
                        w,
                        t,
                        o_g,
                        o_l,
                        g_x,
                        g_q,
                        h_row,
                        max_t,
                    )
                    # What the bus can supply this hour beyond the load: renewables, battery, import limit.
                    bus_room = re + lp[_L_IMP, w] - load - cool_el
                    if may_discharge > 0.0:
                        bus_room += min(lp[_L_DIS, w], max(0.0, (e - lp[_L_E_LO, w]) * lp[_L_ETA_D, w]))
                    heat_load = cool_el + _p2h_on_bus(
                        cop_t, max_t, unit_serves, unit_grid, unit_kw, n, w, o_u, bus_room, rem, u_left, h_row
                    )
                load += heat_load

                direct = min(re, load)
                surplus = re - direct
                deficit = load - direct

                re_heat = 0.0
                if has_heat:
                    re_heat = _p2h_on_surplus(cop_t, unit_serves, w, o_u, surplus, rem, u_left, h_row)
                    # q / cop * cop can round a hair above what was left: surplus never goes below zero.
                    surplus = max(0.0, surplus - re_heat)

                ch_re, stored_re, ch_gr, stored_gr = _battery_charge(
                    e,
                    surplus,
                    deficit,
                    grid_charging,
                    lp[_L_E_HI, w],
                    lp[_L_CH, w],
                    lp[_L_IMP, w],
                    peak_kw,
                    lp[_L_ETA_C, w],
                    lp[_L_INV_ETA_C, w],
                )
                drawn, drawn_re, dis, dis_re, dis_gr = _battery_discharge(
                    e,
                    e_re,
                    deficit,
                    may_discharge,
                    peak_kw,
                    lp[_L_DIS, w],
                    lp[_L_E_LO, w],
                    lp[_L_ETA_D, w],
                    lp[_L_INV_ETA_D, w],
                )
                loss_re += ch_re * lp[_L_LOSS_C, w] + dis_re * lp[_L_LOSS_D, w]
                loss_gr += ch_gr * lp[_L_LOSS_C, w] + dis_gr * lp[_L_LOSS_D, w]
                # Rounding can leave the store a hair below zero; it never carries energy. The store's residual
                # below checks this clamp; the renewable pool's clamp gets its own residual.
                e = max(e + stored_re + stored_gr - drawn, 0.0)
                pool = e_re + stored_re - drawn_re
                e_re = min(max(pool, 0.0), e)

                rest = surplus - ch_re

                if has_heat:
                    rest, re_heat = _p2h_charges_stores(
                        cop_t,
                        unit_charges,
                        store_kwh,
                        n,
                        w,
                        o_s,
                        o_u,
                        rest,
                        re_heat,
                        e_st,
                        ch_left,
                        u_left,
                        h_row,
                    )
                rest = max(0.0, rest)  # the same round-off after power-to-heat took surplus for the stores
                re_h2 = 0.0
                h2_res = 0.0
                fc_load = 0.0
                if has_heat:
                    re_h2, h2_res, fc_load, h2_grid = _h2_step(
                        h2_params,
                        h2_store_params,
                        h2_use_kg,
                        h2_kw,
                        h2_store_kg,
                        fc_params,
                        fc_serves,
                        fc_kw,
                        hb_params,
                        hb_serves,
                        h2_reserve_kg,
                        hb_kw,
                        h2_fill_kg,
                        n,
                        w,
                        t,
                        o_e,
                        rest,
                        deficit - dis,
                        in_p0,
                        max(0.0, min(lp[_L_IMP, w], peak_kw) - (deficit - dis) - ch_gr),
                        rem,
                        h2_m,
                        h2_g,
                        h2_op,
                        h_row,
                    )
                    rest = max(0.0, rest - re_h2)
                    # An electrolyser on valley grid power is load the grid serves (within the room it was given).
                    load += h2_grid
                    deficit += h2_grid
                export = min(rest, lp[_L_EXP, w])
                curtailed = rest - export

                # What the grid would import (less what the fuel cells made): the CHP units may serve it first.
                short = deficit - dis - fc_load
                chp_load = 0.0
                chp_grid = 0.0
                if has_heat:
                    chp_load, chp_grid, relief = _chp_step(
                        chp_params,
                        chp_heat_led,
                        chp_serves,
                        chp_kw,
                        cabs_params,
                        cabs_want,
                        cabs_cop,
                        cabs_per_kw,
                        cabs_kw,
                        ls_absorber,
                        n,
                        w,
                        t,
                        o_c,
                        o_l,
                        short,
                        max(0.0, lp[_L_EXP, w] - export),
                        rem,
                        h_row,
                    )
                    # Absorption cooling on CHP heat: the space's chillers draw that much less.
                    load -= relief
                    short -= relief
                grid_load = max(0.0, min(short - chp_load, lp[_L_IMP, w]))
                unserved = short - chp_load - grid_load

                if has_heat:
                    demand_res, store_res = _boilers_and_heat_balance(
                        residual, boiler_cap, boiler_serves, w, t, o_s, o_b, st_in0, rem, e_st, h_row
                    )
                    st[_S_HEAT, w] = max(st[_S_HEAT, w], demand_res, store_res, h2_res)
                    _ground_step(unit_ground, ground_modes, n, w, o_u, o_g, h_row, g_x, g_q)
                    for k in range(n_hh):
                        h_acc[k, w] += h_row[k, w]
                    if record:
                        for k in range(n_hh):
                            heat_hourly[t, k] = h_row[k, w]

                imp = grid_load + ch_gr
                if ev >= 0:  # a step that reads an event cap: its import, for the caller's baseline or delivery
                    event_import[n, ev] = imp
                bus = (
                    re
                    + chp_load
                    + fc_load
                    + imp
                    + dis
                    + unserved
                    - (load + ch_re + ch_gr + export + curtailed + re_heat + re_h2)
                )
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
                    chp_load,
                    chp_grid,
                    re_h2,
                    fc_load,
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
                st[_S_POOL, w] = max(st[_S_POOL, w], abs(e_re - pool))

                if record:
                    for i in range(_NF):
                        hourly[t, i] = flows[i]
                    hourly[t, _NF] = e
                    hourly[t, _NF + 1] = e_re

        for w in range(m):
            mp[m_cur, w] = max(mp[m_cur, w], st[_S_MONTH_PEAK, w])
        _write_totals(site, n0, m, o_s, st, mp, h_acc, e_st, out)
        if h2_store_params.shape[0] > 0:  # the hydrogen store's content at the end of the year
            for w in range(m):
                out.heat_totals[n0 + w, o_e + _N_HE * h2_params.shape[0] + _HY_M] = h2_m[w]
        for j in range(ls_params.shape[0]):  # each load store's content at the end of the year
            for w in range(m):
                out.heat_totals[n0 + w, o_l + _N_HLS * j + _HL_E] = ls_e[j, w]

    run_block.__name__ = run_block.__qualname__ = f"block_{'heat' if has_heat else 'electric'}" + (
        "_recorded" if record else ""
    )
    return njit(cache=True, nogil=True, error_model="numpy")(run_block)


@njit(cache=True, nogil=True, error_model="numpy")
def _write_totals(
    site: KernelSite,
    n0: int,
    m: int,
    o_s: int,
    st: np.ndarray,
    mp: np.ndarray,
    h_acc: np.ndarray,
    e_st: np.ndarray,
    out: KernelOut,
) -> None:
    """The block's annual sums, peaks, end states and largest residuals into the output arrays."""
    for w in range(m):
        n = n0 + w
        for k in range(h_acc.shape[0]):
            out.heat_totals[n, k] = h_acc[k, w]
        for j in range(e_st.shape[0]):
            out.heat_totals[n, o_s + _N_HS * j + _HS_E] = e_st[j, w]  # the store's energy at the end of the year
        for i in range(_NF):
            out.totals[n, i] = st[_S_FLOW0 + i, w]
        out.totals[n, _I_RE_GEN] = st[_S_RE, w]
        for i in range(4):
            out.totals[n, _I_IMPORT0 + i] = st[_S_IMP0 + i, w]
        for i in range(12):
            out.monthly_peak[n, i] = mp[i, w]
        out.totals[n, _I_COST] = st[_S_COST, w]
        # One feed-in price for the year, for renewable and CHP export alike.
        out.totals[n, _I_REVENUE] = (st[_S_FLOW0 + _F_RE_EXPORT, w] + st[_S_FLOW0 + _F_CHP_EXPORT, w]) * site.feed_in
        out.totals[n, _I_PEAK] = st[_S_PEAK, w]
        out.totals[n, _I_E_END] = st[_S_E, w]
        out.totals[n, _I_E_RE_END] = st[_S_E_RE, w]
        out.totals[n, _I_BUS] = st[_S_BUS, w]
        out.totals[n, _I_STORE] = st[_S_STORE, w]
        out.totals[n, _I_POOL] = st[_S_POOL, w]
        out.totals[n, _I_HEAT] = st[_S_HEAT, w]


# One block function per flag combination, at module level, and the kernels below name them as globals:
# ``has_heat`` and ``record`` are folded at compile time (see :func:`_make_block`). A kernel made as a closure
# over its block was compiled again in every process (4 s): numba keys its cache on a closure's cells, and a
# compiled function in a cell is not the same from one process to the next.
_block_e = _make_block(False, False)
_block_e_rec = _make_block(False, True)
_block_h = _make_block(True, False)
_block_h_rec = _make_block(True, True)


@njit(cache=True, nogil=True, inline="always")
def _n_blocks(site: KernelSite) -> int:
    return (site.caps.shape[0] + LANES - 1) // LANES


@njit(cache=True, error_model="numpy")
def _kernel_e(site: KernelSite, heat: KernelHeat, out: KernelOut) -> None:
    for b in range(_n_blocks(site)):
        _block_e(b * LANES, site, heat, out)


@njit(cache=True, error_model="numpy")
def _kernel_e_rec(site: KernelSite, heat: KernelHeat, out: KernelOut) -> None:
    for b in range(_n_blocks(site)):
        _block_e_rec(b * LANES, site, heat, out)


@njit(cache=True, error_model="numpy")
def _kernel_h(site: KernelSite, heat: KernelHeat, out: KernelOut) -> None:
    for b in range(_n_blocks(site)):
        _block_h(b * LANES, site, heat, out)


@njit(cache=True, error_model="numpy")
def _kernel_h_rec(site: KernelSite, heat: KernelHeat, out: KernelOut) -> None:
    for b in range(_n_blocks(site)):
        _block_h_rec(b * LANES, site, heat, out)


@njit(cache=True, parallel=True, error_model="numpy")
def _kernel_e_par(site: KernelSite, heat: KernelHeat, out: KernelOut) -> None:
    for b in prange(_n_blocks(site)):
        _block_e(b * LANES, site, heat, out)


@njit(cache=True, parallel=True, error_model="numpy")
def _kernel_h_par(site: KernelSite, heat: KernelHeat, out: KernelOut) -> None:
    for b in prange(_n_blocks(site)):
        _block_h(b * LANES, site, heat, out)


# (parallel, has_heat, record): single runs (one configuration, may record) run serially; sweeps in parallel
# over blocks and never record.
_KERNELS = {
    (False, False, False): _kernel_e,
    (False, False, True): _kernel_e_rec,
    (False, True, False): _kernel_h,
    (False, True, True): _kernel_h_rec,
    (True, False, False): _kernel_e_par,
    (True, True, False): _kernel_h_par,
}


def _rows(a: np.ndarray | None) -> int:
    """Rows of an optional array: 0 for None."""
    return 0 if a is None else len(a)


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
        Heat output limit of each fuel boiler or purchased-heat contract [kW_th], and which demands it supplies.
    unit_ground : (U,) int, optional
        The ground loop (G of them, sized in :class:`HeatSizes`) each unit takes its source heat from, -1 for none;
        none by default. A ground
        unit's COP is worked out hour by hour from its loop's fluid temperature; its ``unit_cop`` row is unread.
    unit_cop_params : (U, 6), optional
        Per unit: sink temperature [C], Carnot fraction [-], COP cap [-], smallest and largest lift [K], highest
        sink temperature [C] (inf for no limit): the arguments of :func:`lingtan.components.heat.cop_of`.
    ground_cooling_kw_th : (G, T), optional
        Cooling demand of the space each loop's heat pump cools [kW_th] (zero for none): the heat pump cools
        first, rejecting heat into the loop; the space's chillers take the rest.
    ground_cooling_params : (G, 2), optional
        Per loop: chilled-water temperature [C], the COP of the space's chillers [-].
    chp_params : (C, 5), optional
        Per combined heat and power unit (C of them, rated in :class:`HeatSizes`): its fuel and heat lines per kW of
        rating, slope and intercept in the part load, and its minimum part load
        (:func:`lingtan.components.chp.chp_coefficients`); none by default.
    chp_heat_led : (C,) bool, optional
        Heat-led units; the others follow the electric demand.
    chp_serves : (C, D) bool, optional
        Which demands each unit's heat supplies.
    cabs_params : (A, 2), optional
        Per absorption chiller a CHP unit's heat drives: that unit's index and the electricity of a kW of its
        space's electric chillers' cooling [kW per kW_th].
    cabs_want_kw_th : (A, T), optional
        The cooling each may give each step [kW_th]: what the space's chillers still cool.
    cabs_cop : (A, T), optional
        Each one's COP each step [-] (:func:`lingtan.components.heat.absorption_chiller_full_load`).
    cabs_per_kw : (A, T), optional
        Each one's cooling capacity each step per kW_th of its rating [-] (1 for a constant rating); the rating is a
        size (:class:`HeatSizes`); without it the capacity is unbounded (``cabs_want_kw_th`` is the bound).
    h2_params : (Z, 5), optional
        Per electrolyser (Z of them, rated in :class:`HeatSizes`): its hydrogen line per kW of rating, slope and
        intercept in the part load [kW LHV per kW] (:func:`lingtan.components.hydrogen.electrolyser_coefficients`),
        its minimum part load [-], the share of a new stack's output each operating hour takes off [1/h] and 1 where
        it also runs on grid power in valley steps.
    h2_op0 : (Z,), optional
        Each electrolyser's operating hours at the first step [h].
    h2_store_params : (Y, 2), optional
        The hydrogen store (Y = 1; none: 0): its compressor's electricity [kWh/kg] and the share of its content
        kept over a step [-].
    h2_use_kg : (Y, T), optional
        Hydrogen its uses take each step [kg].
    fc_params : (F, 5), optional
        Per fuel cell (rated in :class:`HeatSizes`): its hydrogen and heat lines per kW of rating, slope and
        intercept in the part load [kW LHV, kW_th per kW] (:func:`lingtan.components.hydrogen.fuel_cell_coefficients`),
        and its minimum part load.
    fc_serves : (F, D) bool, optional
        Which demands each fuel cell's heat supplies.
    hb_params : (H, 2), optional
        Per hydrogen boiler (rated in :class:`HeatSizes`): the hydrogen a kWh_th of its heat burns [kg/kWh_th] and the
        share of the store's capacity it leaves in the store [-].
    hb_serves : (H, D) bool, optional
        Which demands each hydrogen boiler supplies.
    h2_fill_kg : (Y, T), optional
        The hydrogen the store's uses take in the next 24 steps [kg]: electrolysers on valley grid power fill the
        store to its cushion plus this.
    h2_reserve_kg : (H, T), optional
        The hydrogen the store's uses take in each hydrogen boiler's reserve window [kg]: the boiler leaves it.
    ls_params : (L, 4), optional
        Per store of what an electric load makes (cold stores, air receivers; sized in :class:`HeatSizes`): the share
        of its content kept a step [-], 1 where it also charges from the grid in valley steps, the product a kWh of
        charging makes and the product a kWh of its load's electricity stands for [kWh_th or m3 per kWh].
    ls_p_served_kw : (L, T), optional
        The electricity of the load each store serves [kW]: the most its discharge can spare.
    ls_want : (L, T), optional
        The product each store's load takes in the next 24 steps [kWh_th or m3]: the most it fills to.
    ls_absorber : (L,) int, optional
        The CHP-driven absorption chiller (its ``cabs_*`` row) on the space each cold store serves, -1 for none (the
        default): the store serves and fills to only what that chiller cannot cool at its capacity, and the chiller
        cools what the store left.
    ls_loop : (L,) int, optional
        Likewise the ground loop whose heat pump cools the space each cold store serves, -1 for none (the default);
        the store's ``ls_p_served_kw`` is then the space's whole cooling at its chillers' COP.
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
    unit_ground: np.ndarray | None = None
    unit_cop_params: np.ndarray | None = None
    ground_cooling_kw_th: np.ndarray | None = None
    ground_cooling_params: np.ndarray | None = None
    chp_params: np.ndarray | None = None
    chp_heat_led: np.ndarray | None = None
    chp_serves: np.ndarray | None = None
    cabs_params: np.ndarray | None = None
    cabs_want_kw_th: np.ndarray | None = None
    cabs_cop: np.ndarray | None = None
    cabs_per_kw: np.ndarray | None = None
    h2_params: np.ndarray | None = None
    h2_op0: np.ndarray | None = None
    h2_store_params: np.ndarray | None = None
    h2_use_kg: np.ndarray | None = None
    fc_params: np.ndarray | None = None
    fc_serves: np.ndarray | None = None
    hb_params: np.ndarray | None = None
    h2_fill_kg: np.ndarray | None = None
    hb_serves: np.ndarray | None = None
    h2_reserve_kg: np.ndarray | None = None
    ls_params: np.ndarray | None = None
    ls_p_served_kw: np.ndarray | None = None
    ls_want: np.ndarray | None = None
    ls_absorber: np.ndarray | None = None
    ls_loop: np.ndarray | None = None

    @property
    def n_load_stores(self) -> int:
        """The number of stores of what electric loads make L."""
        return _rows(self.ls_params)

    @property
    def n_h2_boilers(self) -> int:
        """The number of hydrogen boilers H."""
        return _rows(self.hb_params)

    @property
    def n_fuel_cells(self) -> int:
        """The number of fuel cells F."""
        return _rows(self.fc_params)

    @property
    def n_electrolysers(self) -> int:
        """The number of electrolysers Z."""
        return _rows(self.h2_params)

    @property
    def n_h2_stores(self) -> int:
        """The number of hydrogen stores Y (0 or 1)."""
        return _rows(self.h2_store_params)

    @property
    def n_chp_absorbers(self) -> int:
        """The number of absorption chillers CHP units drive."""
        return _rows(self.cabs_params)

    @property
    def n_chp(self) -> int:
        """The number of combined heat and power units C."""
        return _rows(self.chp_params)

    @property
    def has_ground(self) -> bool:
        """True when a unit draws on a ground loop."""
        return self.unit_ground is not None and bool((np.asarray(self.unit_ground) >= 0).any())

    @classmethod
    def none(cls, n_hours: int) -> HeatSystem:
        """A site without a heat side.

        Parameters
        ----------
        n_hours : int
            Number of hours T.

        Returns
        -------
        HeatSystem
            No demand, store, unit or boiler: D = S = U = B = 0, hourly arrays of shape (0, T).
        """
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
        """Meaning of each column of the heat record.

        Returns
        -------
        list of (str, int, str)
            Per column (group, index in the group, quantity): the groups ``demand``, ``store``, ``unit``,
            ``boiler``, ``loop``, ``chp``, ``chp_absorber``, ``electrolyser``, ``h2store``, ``fuel_cell``,
            ``h2_boiler`` and ``load_store`` in this order,
            quantities from :data:`DEMAND_COLUMNS`, :data:`STORE_COLUMNS`, :data:`UNIT_COLUMNS`, ``heat`` for a
            boiler, :data:`LOOP_COLUMNS`, :data:`CHP_COLUMNS`, :data:`CHP_ABSORBER_COLUMNS`,
            :data:`ELECTROLYSER_COLUMNS`, :data:`H2_STORE_COLUMNS`, :data:`FUEL_CELL_COLUMNS`,
            :data:`H2_BOILER_COLUMNS` and :data:`LOAD_STORE_COLUMNS`.
        """
        d, s, u, b = self.shape
        cols = [("demand", i, q) for i in range(d) for q in DEMAND_COLUMNS]
        cols += [("store", i, q) for i in range(s) for q in STORE_COLUMNS]
        cols += [("unit", i, q) for i in range(u) for q in UNIT_COLUMNS]
        cols += [("boiler", i, "heat") for i in range(b)]
        g = 0 if self.ground_cooling_kw_th is None else len(self.ground_cooling_kw_th)
        cols += [("loop", i, q) for i in range(g) for q in LOOP_COLUMNS]
        cols += [("chp", i, q) for i in range(self.n_chp) for q in CHP_COLUMNS]
        cols += [("chp_absorber", i, q) for i in range(self.n_chp_absorbers) for q in CHP_ABSORBER_COLUMNS]
        cols += [("electrolyser", i, q) for i in range(self.n_electrolysers) for q in ELECTROLYSER_COLUMNS]
        cols += [("h2store", i, q) for i in range(self.n_h2_stores) for q in H2_STORE_COLUMNS]
        cols += [("fuel_cell", i, q) for i in range(self.n_fuel_cells) for q in FUEL_CELL_COLUMNS]
        cols += [("h2_boiler", i, q) for i in range(self.n_h2_boilers) for q in H2_BOILER_COLUMNS]
        cols += [("load_store", i, q) for i in range(self.n_load_stores) for q in LOAD_STORE_COLUMNS]
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
    ground_loop : (N, G, 4), optional
        Per ground loop: undisturbed ground temperature [C], fluid-to-wall resistance [K/kW], lowest and highest
        fluid temperature [C] (:mod:`lingtan.components.ground`): the borehole field is a size.
    ground_modes : (N, G, M, 2), optional
        Per ground loop and mode: gain [K/kW] and the fraction kept over one step
        (:func:`lingtan.components.ground.ground_modes`, padded with gain 0).
    chp_kw : (N, C), optional
        Electric rating of each combined heat and power unit [kW].
    h2_kw : (N, Z), optional
        Electric rating of each electrolyser [kW].
    h2_store_kg : (N, Y, 3), optional
        The hydrogen store's capacity, lowest content (cushion gas) and first content [kg].
    fc_kw : (N, F), optional
        Electric rating of each fuel cell [kW].
    cabs_kw : (N, A), optional
        Cooling rating of each absorption chiller a CHP unit drives [kW_th].
    hb_kw : (N, H), optional
        Heat rating of each hydrogen boiler [kW_th].
    ls_size : (N, L, 4), optional
        Per store of what an electric load makes: its capacity, largest charge and discharge a step and first
        content [kWh_th or m3].
    """

    store_kwh_th: np.ndarray
    store_charge_kw_th: np.ndarray
    store_discharge_kw_th: np.ndarray
    store_e0_kwh_th: np.ndarray
    unit_kw_th: np.ndarray
    ground_loop: np.ndarray | None = None
    ground_modes: np.ndarray | None = None
    chp_kw: np.ndarray | None = None
    h2_kw: np.ndarray | None = None
    h2_store_kg: np.ndarray | None = None
    fc_kw: np.ndarray | None = None
    cabs_kw: np.ndarray | None = None
    hb_kw: np.ndarray | None = None
    ls_size: np.ndarray | None = None

    @classmethod
    def none(cls, n: int) -> HeatSizes:
        """Sizes for ``n`` configurations of a site without heat assets.

        Parameters
        ----------
        n : int
            Number of configurations N.

        Returns
        -------
        HeatSizes
            Every array of shape (N, 0).
        """
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
    event_import_kw : ndarray, shape (N, E)
        Grid import [kW] (to the load and the battery) in each step that reads a column of
        ``event_import_cap_kw``, in that column: a sweep's demand-response baselines and deliveries without
        hourly records; no columns without events.
    """

    totals: np.ndarray
    monthly_peak_kw: np.ndarray
    hourly: np.ndarray
    heat_totals: np.ndarray
    heat_hourly: np.ndarray
    event_import_kw: np.ndarray

    def total(self, name: str) -> np.ndarray:
        """Annual total ``name`` for every configuration.

        Parameters
        ----------
        name : str
            One of :data:`TOTALS`.

        Returns
        -------
        ndarray, shape (N,)
            The total in the unit :data:`TOTALS` gives it ([kWh], [CNY], [kW]): a view of :attr:`totals`.

        Raises
        ------
        KeyError
            ``name`` is not in :data:`TOTALS`.
        """
        return self.totals[:, _T[name]]


def params_matrix(n: int, **columns: ArrayLike) -> np.ndarray:
    """Build the (N, len(PARAMS)) parameter matrix from named columns.

    Parameters
    ----------
    n : int
        Number of configurations N.
    **columns
        Every name in :data:`PARAMS`, as a scalar or an array of length N, in the unit its name says
        ([kWh], [kW], fractions [-]). ``strategy`` may be given as a name from :data:`STRATEGIES`. The monthly
        peak limits :data:`PEAK_LIMITS` are optional (default inf, no limit) and may instead be given together
        as ``peak_limit_kw``: a scalar, 12 monthly values or an (N, 12) array [kW].

    Returns
    -------
    ndarray, shape (N, len(PARAMS))
        One row per configuration, columns in :data:`PARAMS` order. Ranges are checked by :func:`dispatch`.

    Raises
    ------
    TypeError
        A name of :data:`PARAMS` missing, or a name that is not one.
    ValueError
        A ``strategy`` name not in :data:`STRATEGIES`, or a column that does not broadcast to N rows.
    """
    columns = dict(columns)
    limits = np.broadcast_to(np.asarray(columns.pop("peak_limit_kw", np.inf), dtype=float), (n, 12))
    for m, name in enumerate(PEAK_LIMITS):
        columns.setdefault(name, limits[:, m])
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


def peak_shortfall_kw(result: DispatchResult, params: np.ndarray) -> np.ndarray:
    """How far each month's peak import went above its peak limit: what the battery could not hold.

    Parameters
    ----------
    result : DispatchResult
        A dispatch of ``params``.
    params : ndarray, shape (N, len(PARAMS))
        Its parameter matrix.

    Returns
    -------
    ndarray, shape (N, 12)
        Peak import above the limit per month [kW]; 0 where the limit held (float round-off aside) or there is
        none.
    """
    limits = np.asarray(params, dtype=float)[:, _P_PEAK0 : _P_PEAK0 + 12]
    peak = result.monthly_peak_kw
    return np.where(_held(peak, limits), 0.0, peak - limits)


def _held(peak_kw: np.ndarray, limit_kw: np.ndarray) -> np.ndarray:
    """Whether a peak import held its limit [kW], but for the float round-off of the flows that make it (a
    discharge of the excess works through ``/ eta_d`` and ``* eta_d``)."""
    return peak_kw <= limit_kw * (1.0 + 1e-12) + 1e-9


def lowest_peak_targets(
    unit_kw: np.ndarray,
    caps: np.ndarray,
    load_kw: np.ndarray,
    params: np.ndarray,
    *,
    tol_kw: float,
    candidates: int = LANES - 1,
    **kwargs: Any,
) -> np.ndarray:
    """The lowest monthly peak limits one configuration's battery can hold, by bisection over its year.

    Months are settled in calendar order, since a month's dispatch depends on the limits before it and not
    after it: for month m, the limits of earlier months are the ones found, of later months inf, and each round
    runs ``candidates`` limits for month m side by side through the kernel (one configuration each), keeping
    the lowest that held (the month's peak import at most the limit) and the highest below it that did not.
    The first round spans 0 to the month's peak import with the limit off in every month. Each round narrows
    the bracket by a factor ``candidates``; it stops at ``tol_kw``. Held-ness is taken to grow with the limit
    (a higher limit discharges less and leaves more room to recharge).

    Parameters
    ----------
    unit_kw, caps, load_kw :
        As for :func:`dispatch`, with one configuration: ``caps`` of shape (1, K), ``load_kw`` (T,) or (1, T).
    params : ndarray, shape (1, len(PARAMS))
        The configuration; its peak-limit columns are ignored.
    tol_kw : float
        Width of the final bracket [kW]: the target minus ``tol_kw`` is not held.
    candidates : int
        Limits tried per round, at least 2.
    **kwargs
        The keyword arguments of :func:`dispatch` (``period``, ``month``, ``price_cny_per_kwh``, ``heat``,
        ``heat_sizes`` with one row, ...), except ``record_hourly``.

    Returns
    -------
    ndarray, shape (12,)
        The lowest limit held in each month [kW], within ``tol_kw``; inf for a month without hours.

    Raises
    ------
    ValueError
        ``params`` not one row, ``tol_kw`` not positive, fewer than 2 candidates, or a :func:`dispatch` argument
        out of its range.
    """
    params = np.ascontiguousarray(params, dtype=np.float64)
    if params.ndim != 2 or params.shape[0] != 1:
        raise ValueError(f"params: expected one configuration, shape (1, {len(PARAMS)}), found {params.shape}")
    if not tol_kw > 0.0:
        raise ValueError(f"tol_kw: expected a positive tolerance [kW], found {tol_kw!r}")
    if candidates < 2:
        raise ValueError(f"candidates: expected at least 2, found {candidates}")
    heat_sizes = kwargs.pop("heat_sizes", None)
    load_kw = np.asarray(load_kw, dtype=np.float64)
    c = candidates

    def run(limits: np.ndarray) -> np.ndarray:
        """Monthly peak import of each row of limits (R, 12) [kW]."""
        r = limits.shape[0]
        rows = np.repeat(params, r, axis=0)
        rows[:, _P_PEAK0 : _P_PEAK0 + 12] = limits
        sizes = heat_sizes
        if sizes is not None:
            sizes = replace(
                sizes,
                **{f.name: np.repeat(v, r, axis=0) for f in fields(sizes) if (v := getattr(sizes, f.name)) is not None},
            )
        loads = load_kw if load_kw.ndim == 1 else np.repeat(load_kw, r, axis=0)
        res = dispatch(unit_kw, np.repeat(caps, r, axis=0), loads, rows, heat_sizes=sizes, **kwargs)
        return res.monthly_peak_kw

    months = np.unique(np.asarray(kwargs["month"]))
    found = np.full(12, np.inf)
    free = run(found[None, :])[0]
    for m in months:
        # hi holds: at the month's free peak no hour needs the battery and grid charging stays below it. The
        # first round tries 0 too (a month without deficit holds it); later rounds lie strictly inside (lo, hi).
        lo, hi, first = 0.0, float(free[m]), True
        while hi - lo > tol_kw:
            cand = lo + (hi - lo) * (np.arange(c) / c if first else np.arange(1, c + 1) / (c + 1))
            first = False
            limits = np.repeat(found[None, :], c, axis=0)
            limits[:, m] = cand
            held = _held(run(limits)[:, m], cand)
            if not held.any():
                lo = float(cand[-1])
                continue
            j = int(np.argmax(held))  # the lowest held; the one below it did not hold
            hi = float(cand[j])
            lo = float(cand[j - 1]) if j > 0 else (hi if cand[0] == 0.0 else lo)
        found[m] = hi
    return found


# Accepted range of each parameter column but the strategy code: (low, high, low open, high open).
_PARAM_RANGES = {
    "energy_kwh": (0.0, np.inf, False, True),
    "charge_kw": (0.0, np.inf, False, True),
    "discharge_kw": (0.0, np.inf, False, True),
    "charge_efficiency": (0.0, 1.0, True, False),
    "discharge_efficiency": (0.0, 1.0, True, False),
    "soc_min": (0.0, 1.0, False, False),
    "soc_max": (0.0, 1.0, False, False),
    "self_discharge_fraction_per_hour": (0.0, 1.0, False, True),
    "soc_initial": (0.0, 1.0, False, False),
    "import_limit_kw": (0.0, np.inf, False, True),
    "export_limit_kw": (0.0, np.inf, False, True),
    "load_scale": (0.0, np.inf, False, True),
} | dict.fromkeys(PEAK_LIMITS, (0.0, np.inf, False, False))


def _expect_shape(name: str, a: np.ndarray, dims: tuple[tuple[str, int], ...]) -> None:
    """Raise ValueError unless ``a`` has the shape ``dims`` ((symbol, size) per axis)."""
    shape = tuple(size for _, size in dims)
    if a.shape != shape:
        symbols = ", ".join(sym for sym, _ in dims) + ("," if len(dims) == 1 else "")
        raise ValueError(f"{name}: expected shape ({symbols}) = {shape}, found {a.shape}")


def _expect_range(
    name: str, a: np.ndarray, low: float, high: float, low_open: bool = False, high_open: bool = False
) -> None:
    """Raise ValueError naming the first value of ``a`` outside the interval (NaN is outside any)."""
    ok = (a > low if low_open else a >= low) & (a < high if high_open else a <= high)
    if not ok.all():
        at = np.unravel_index(int(np.argmin(ok)), a.shape)
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(
            f"{name}: expected values in {interval}, found {a[at].item()!r} at index {tuple(map(int, at))}"
        )


def _expect_codes(name: str, a: np.ndarray, n_codes: int) -> np.ndarray:
    """``a`` as int64 codes 0 .. n_codes - 1; ValueError for another dtype or value (it would index past
    the kernel's arrays)."""
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name}: expected integer codes 0..{n_codes - 1}, found dtype {a.dtype}")
    _expect_range(name, a, 0, n_codes - 1)
    return np.ascontiguousarray(a, dtype=np.int64)


def _kernel_heat(heat: HeatSystem, sizes: HeatSizes, n: int, t: int) -> KernelHeat:
    """The heat side as the kernel's record, every shape checked against (N, T) and the heat system's
    (D, S, U, B)."""
    d, s, u, b = heat.shape
    n_g = 0 if heat.ground_cooling_kw_th is None else len(heat.ground_cooling_kw_th)
    n_c = heat.n_chp
    n_z, n_y = heat.n_electrolysers, heat.n_h2_stores
    f64 = lambda a: np.ascontiguousarray(a, dtype=np.float64)  # noqa: E731
    b1 = lambda a: np.ascontiguousarray(a, dtype=np.bool_)  # noqa: E731
    record = KernelHeat(
        residual=f64(heat.residual_kw_th),
        store_recoverable=f64(heat.store_recoverable_kw_th),
        store_serves=b1(heat.store_serves),
        store_keep=f64(heat.store_keep),
        unit_cop=f64(heat.unit_cop),
        unit_max=f64(heat.unit_max_kw_th),
        unit_serves=b1(heat.unit_serves),
        unit_charges=b1(heat.unit_charges),
        unit_grid=b1(heat.unit_grid_allowed),
        boiler_cap=f64(heat.boiler_capacity_kw_th),
        boiler_serves=b1(heat.boiler_serves),
        store_kwh=f64(sizes.store_kwh_th),
        store_charge_kw=f64(sizes.store_charge_kw_th),
        store_discharge_kw=f64(sizes.store_discharge_kw_th),
        store_e0=f64(sizes.store_e0_kwh_th),
        unit_kw=f64(sizes.unit_kw_th),
        unit_ground=np.ascontiguousarray(np.full(u, -1) if heat.unit_ground is None else heat.unit_ground, np.int64),
        unit_cop_params=f64(np.zeros((u, 6)) if heat.unit_cop_params is None else heat.unit_cop_params),
        ground_loop=f64(np.zeros((n, n_g, 4)) if sizes.ground_loop is None else sizes.ground_loop),
        ground_modes=f64(np.zeros((n, n_g, 0, 2)) if sizes.ground_modes is None else sizes.ground_modes),
        ground_cooling=f64(np.zeros((n_g, t)) if heat.ground_cooling_kw_th is None else heat.ground_cooling_kw_th),
        ground_cooling_params=f64(
            np.ones((n_g, 2)) if heat.ground_cooling_params is None else heat.ground_cooling_params
        ),
        chp_params=f64(np.zeros((0, 5)) if heat.chp_params is None else heat.chp_params),
        chp_heat_led=b1(np.zeros(n_c) if heat.chp_heat_led is None else heat.chp_heat_led),
        chp_serves=b1(np.zeros((n_c, d)) if heat.chp_serves is None else heat.chp_serves),
        chp_kw=f64(np.zeros((n, n_c)) if sizes.chp_kw is None else sizes.chp_kw),
        cabs_params=f64(np.zeros((0, 2)) if heat.cabs_params is None else heat.cabs_params),
        cabs_want=f64(np.zeros((0, t)) if heat.cabs_want_kw_th is None else heat.cabs_want_kw_th),
        cabs_cop=f64(np.zeros((0, t)) if heat.cabs_cop is None else heat.cabs_cop),
        cabs_per_kw=f64(np.ones((heat.n_chp_absorbers, t)) if heat.cabs_per_kw is None else heat.cabs_per_kw),
        cabs_kw=f64(np.full((n, heat.n_chp_absorbers), np.inf) if sizes.cabs_kw is None else sizes.cabs_kw),
        h2_params=f64(np.zeros((0, 5)) if heat.h2_params is None else heat.h2_params),
        h2_op0=f64(np.zeros(n_z) if heat.h2_op0 is None else heat.h2_op0),
        h2_store_params=f64(np.zeros((0, 2)) if heat.h2_store_params is None else heat.h2_store_params),
        h2_use_kg=f64(np.zeros((n_y, t)) if heat.h2_use_kg is None else heat.h2_use_kg),
        h2_kw=f64(np.zeros((n, n_z)) if sizes.h2_kw is None else sizes.h2_kw),
        h2_store_kg=f64(np.zeros((n, n_y, 3)) if sizes.h2_store_kg is None else sizes.h2_store_kg),
        fc_params=f64(np.zeros((0, 5)) if heat.fc_params is None else heat.fc_params),
        fc_serves=b1(np.zeros((heat.n_fuel_cells, d)) if heat.fc_serves is None else heat.fc_serves),
        fc_kw=f64(np.zeros((n, heat.n_fuel_cells)) if sizes.fc_kw is None else sizes.fc_kw),
        hb_params=f64(np.zeros((0, 2)) if heat.hb_params is None else heat.hb_params),
        hb_serves=b1(np.zeros((heat.n_h2_boilers, d)) if heat.hb_serves is None else heat.hb_serves),
        h2_reserve_kg=f64(np.zeros((heat.n_h2_boilers, t)) if heat.h2_reserve_kg is None else heat.h2_reserve_kg),
        hb_kw=f64(np.zeros((n, heat.n_h2_boilers)) if sizes.hb_kw is None else sizes.hb_kw),
        h2_fill_kg=f64(np.zeros((n_y, t)) if heat.h2_fill_kg is None else heat.h2_fill_kg),
        ls_params=f64(np.zeros((0, 4)) if heat.ls_params is None else heat.ls_params),
        ls_p_served=f64(np.zeros((heat.n_load_stores, t)) if heat.ls_p_served_kw is None else heat.ls_p_served_kw),
        ls_want=f64(np.zeros((heat.n_load_stores, t)) if heat.ls_want is None else heat.ls_want),
        ls_size=f64(np.zeros((n, heat.n_load_stores, 4)) if sizes.ls_size is None else sizes.ls_size),
        ls_absorber=np.ascontiguousarray(
            np.full(heat.n_load_stores, -1) if heat.ls_absorber is None else heat.ls_absorber, np.int64
        ),
        ls_loop=np.ascontiguousarray(
            np.full(heat.n_load_stores, -1) if heat.ls_loop is None else heat.ls_loop, np.int64
        ),
    )
    g = n_g
    dims = {
        "residual": "DT",
        "store_recoverable": "ST",
        "store_serves": "SD",
        "store_keep": "S",
        "unit_cop": "UT",
        "unit_max": "UT",
        "unit_serves": "UD",
        "unit_charges": "US",
        "unit_grid": "U",
        "boiler_cap": "B",
        "boiler_serves": "BD",
        "store_kwh": "NS",
        "store_charge_kw": "NS",
        "store_discharge_kw": "NS",
        "store_e0": "NS",
        "unit_kw": "NU",
        "unit_ground": "U",
        "unit_cop_params": "UE",
        "ground_loop": "NGL",
        "ground_modes": "NGMP",
        "ground_cooling": "GT",
        "ground_cooling_params": "GP",
        "chp_params": "CK",
        "chp_heat_led": "C",
        "chp_serves": "CD",
        "chp_kw": "NC",
        "cabs_params": "AJ",
        "cabs_want": "AT",
        "cabs_cop": "AT",
        "cabs_per_kw": "AT",
        "cabs_kw": "NA",
        "h2_params": "ZQ",
        "h2_op0": "Z",
        "h2_store_params": "YR",
        "h2_use_kg": "YT",
        "h2_kw": "NZ",
        "h2_store_kg": "NYH",
        "fc_params": "FK",
        "fc_serves": "FD",
        "fc_kw": "NF",
        "hb_params": "WR",
        "hb_serves": "WD",
        "h2_reserve_kg": "WT",
        "hb_kw": "NW",
        "h2_fill_kg": "YT",
        "ls_params": "VL",
        "ls_p_served": "VT",
        "ls_want": "VT",
        "ls_size": "NVL",
        "ls_absorber": "V",
        "ls_loop": "V",
    }
    size = {
        "N": n,
        "T": t,
        "D": d,
        "S": s,
        "U": u,
        "B": b,
        "C": n_c,
        "K": 5,
        "E": 6,
        "Z": n_z,
        "F": heat.n_fuel_cells,
        "A": heat.n_chp_absorbers,
        "J": 2,
        "Y": n_y,
        "Q": 5,
        "R": 2,
        "H": 3,
        "G": g,
        "L": 4,  # loop parameters: ground, resistance, lowest and highest fluid
        "M": record.ground_modes.shape[2],
        "P": 2,
        "V": heat.n_load_stores,
        "W": heat.n_h2_boilers,
    }
    for field, axes in dims.items():
        name = f"{'heat_sizes' if axes[0] == 'N' else 'heat'}.{field}"
        _expect_shape(name, getattr(record, field), tuple((a, size[a]) for a in axes))
    _expect_range("heat.unit_ground", record.unit_ground, -1, g - 1)
    _expect_range("heat.cabs_params[:, 0]", record.cabs_params[:, 0], 0, n_c - 1)
    _expect_range("heat.ls_absorber", record.ls_absorber, -1, heat.n_chp_absorbers - 1)
    _expect_range("heat.ls_loop", record.ls_loop, -1, n_g - 1)
    if ((record.ls_absorber >= 0) & (record.ls_loop >= 0)).any():
        raise ValueError("heat.ls_loop: expected no store beside both an absorption chiller and a ground loop")
    if n_y > 1:
        raise ValueError(f"heat.h2_store_params: expected at most one hydrogen store, found {n_y}")
    if (heat.n_fuel_cells or heat.n_h2_boilers) and not n_y:
        raise ValueError("heat.fc_params: fuel cells need the hydrogen store (heat.h2_store_params), found none")
    return record


def _per_step(
    params: np.ndarray, heat: HeatSystem, sizes: HeatSizes, step_h: float
) -> tuple[np.ndarray, HeatSystem, HeatSizes]:
    """The kernel's inputs for a step of ``step_h`` hours: its arithmetic is the hourly one, unchanged.

    The kernel adds powers [kW] to stored energies as if each step were an hour. Stores are therefore given
    in units of their energy per step, ``e_kwh / step_h`` (a battery of 8 MWh is 32 000 kW-quarter-hours), and
    their standing losses per step, ``1 - (1 - loss per hour) ** step_h``; powers are unchanged. An hourly run
    never comes here, so its arithmetic stays bit for bit the same.
    """
    params = params.copy()
    params[:, _P["energy_kwh"]] /= step_h
    keep = (1.0 - params[:, _P["self_discharge_fraction_per_hour"]]) ** step_h
    params[:, _P["self_discharge_fraction_per_hour"]] = 1.0 - keep
    heat = replace(heat, store_keep=np.asarray(heat.store_keep, dtype=float) ** step_h)
    sizes = replace(
        sizes,
        store_kwh_th=np.asarray(sizes.store_kwh_th, dtype=float) / step_h,
        store_e0_kwh_th=np.asarray(sizes.store_e0_kwh_th, dtype=float) / step_h,
    )
    return params, heat, sizes


def _to_energy(out: KernelOut, heat: HeatSystem, step_h: float) -> None:
    """The kernel's sums over steps [kW x steps] and stored energies [kWh / step_h] back to [kWh], in place
    (:func:`_per_step`); powers (the peak import, the recorded flows) stay as they are."""
    peak = out.totals[:, _I_PEAK].copy()
    out.totals[:] *= step_h
    out.totals[:, _I_PEAK] = peak
    out.heat_totals[:] *= step_h
    out.hourly[:, _NF:] *= step_h
    stores = [k for k, (group, _, q) in enumerate(heat.columns()) if group == "store" and q == "e_kwh_th"]
    out.heat_hourly[:, stores] *= step_h


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
    step_h: float = 1.0,
    event_step: np.ndarray | None = None,
    event_prep: np.ndarray | None = None,
    event_import_cap_kw: np.ndarray | None = None,
) -> DispatchResult:
    """Dispatch N configurations of one site over a year.

    Parameters
    ----------
    unit_kw : ndarray, shape (K, T)
        Renewable unit profiles: AC output per unit of size [kW per kWp, kW per turbine].
    caps : ndarray, shape (N, K)
        Sizes of each source in each configuration [kWp, turbines].
    load_kw : ndarray, shape (T,) or (N, T)
        Electric load [kW], one for all configurations or one per configuration (the tenants of a park side
        by side); column ``load_scale`` of ``params`` scales it per configuration.
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
        Largest hourly residual of the electric bus, the battery, its renewable pool or the heat side that is
        accepted [kWh].
    step_h : float
        Length of a time step [h]: 1 for hourly profiles, 0.25 for 15-minute ones. Every array of length T is
        one value per step (flows are the step's mean power [kW]); totals are energies, power x ``step_h``
        summed (:func:`_per_step`).
    event_step : ndarray of int, shape (T,), optional
        The column (0 .. E-1) of ``event_import_cap_kw`` each step reads, -1 for none: the hours of
        demand-response events and of their preparation; none by default.
    event_prep : ndarray of bool, shape (T,), optional
        Steps before an event: the battery charges from the grid (within the import limit and the cap) and does
        not discharge below the cap; none by default.
    event_import_cap_kw : ndarray, shape (N, E), optional
        Each configuration's grid import cap in each capped step [kW]: the battery discharges above it and never
        grid-charges above it, as for a peak limit.

    Returns
    -------
    DispatchResult
        Annual totals and monthly peaks per configuration; hourly records when ``record_hourly``; every
        configuration's import in the steps of ``event_step`` (:attr:`DispatchResult.event_import_kw`).

    Raises
    ------
    ValueError
        If an argument's shape or a value's range is not the one stated here (naming the argument, what was
        expected and what was found).
    lingtan.errors.BalanceError
        If any hour of any configuration fails to balance within ``balance_tol_kwh``.
    """
    from lingtan.errors import BalanceError

    f64 = lambda a: np.ascontiguousarray(a, dtype=np.float64)  # noqa: E731
    b1 = lambda a: np.ascontiguousarray(a, dtype=np.bool_)  # noqa: E731
    params, load_kw, unit_kw, caps = f64(params), f64(load_kw), f64(unit_kw), f64(caps)
    if params.ndim != 2:
        raise ValueError(f"params: expected shape (N, {len(PARAMS)}), found {params.shape}")
    n = params.shape[0]
    if load_kw.ndim not in (1, 2):
        raise ValueError(f"load_kw: expected shape (T,) or (N, T), found {load_kw.shape}")
    t = load_kw.shape[-1]
    if load_kw.ndim == 2:
        _expect_shape("load_kw", load_kw, (("N", n), ("T", t)))
    if unit_kw.ndim != 2 or unit_kw.shape[1] != t:
        raise ValueError(f"unit_kw: expected shape (K, T) = (K, {t}), found {unit_kw.shape}")
    k = unit_kw.shape[0]
    _expect_shape("caps", caps, (("N", n), ("K", k)))
    _expect_shape("params", params, (("N", n), ("len(PARAMS)", len(PARAMS))))
    cols = [_P[name] for name in _PARAM_RANGES]
    low, high, low_open, high_open = (np.array(v) for v in zip(*_PARAM_RANGES.values(), strict=True))
    p = params[:, cols]
    if not (np.where(low_open, p > low, p >= low) & np.where(high_open, p < high, p <= high)).all():
        for name, (lo, hi, lo_open, hi_open) in _PARAM_RANGES.items():  # which one, said by name
            _expect_range(f"params[:, {name!r}]", params[:, _P[name]], lo, hi, lo_open, hi_open)
    strategy = params[:, _P["strategy"]]
    if not np.isin(strategy, np.arange(len(STRATEGIES))).all():
        at = int(np.argmin(np.isin(strategy, np.arange(len(STRATEGIES)))))
        raise ValueError(
            f"params[:, 'strategy']: expected a code 0..{len(STRATEGIES) - 1} {STRATEGIES}, "
            f"found {strategy[at].item()!r} at index ({at},)"
        )
    soc_min, soc_max = params[:, _P["soc_min"]], params[:, _P["soc_max"]]
    _expect_range("params[:, 'soc_max'] - params[:, 'soc_min']", soc_max - soc_min, 0.0, 1.0)
    for name, a in (("unit_kw", unit_kw), ("caps", caps), ("load_kw", load_kw)):
        _expect_range(name, a, 0.0, np.inf, high_open=True)
    period = np.asarray(period)
    month = np.asarray(month)
    price = f64(price_cny_per_kwh)
    for name, a in (("period", period), ("month", month), ("price_cny_per_kwh", price)):
        _expect_shape(name, a, (("T", t),))
    period = _expect_codes("period", period, 4)
    month = _expect_codes("month", month, 12)
    _expect_range("price_cny_per_kwh", price, -np.inf, np.inf, True, True)
    if record_hourly and n != 1:
        raise ValueError("record_hourly is for single runs (N = 1)")
    grid_charge = b1(np.array([True, False, False, False]) if grid_charge_periods is None else grid_charge_periods)
    discharge_ok = b1(np.array([False, False, True, True]) if discharge_periods is None else discharge_periods)
    _expect_shape("grid_charge_periods", grid_charge, (("period codes", 4),))
    _expect_shape("discharge_periods", discharge_ok, (("period codes", 4),))
    event = np.full(t, -1, np.int64) if event_step is None else np.asarray(event_step)
    _expect_shape("event_step", event, (("T", t),))
    event_cap = f64(np.zeros((n, 0)) if event_import_cap_kw is None else event_import_cap_kw)
    if event_cap.ndim != 2:
        raise ValueError(f"event_import_cap_kw: expected shape (N, E), found {event_cap.shape}")
    _expect_shape("event_import_cap_kw", event_cap, (("N", n), ("E", event_cap.shape[1])))
    if event.size and not np.issubdtype(event.dtype, np.integer):
        raise ValueError(f"event_step: expected integer event hours, found dtype {event.dtype}")
    _expect_range("event_step", event, -1, event_cap.shape[1] - 1)
    prep = b1(np.zeros(t, bool) if event_prep is None else event_prep)
    _expect_shape("event_prep", prep, (("T", t),))
    _expect_range("event_import_cap_kw", event_cap, 0.0, np.inf)
    event = np.ascontiguousarray(event, np.int64)
    if heat is not None and heat_sizes is None:
        raise ValueError("heat_sizes: expected the heat asset sizes with heat, found None")
    heat = HeatSystem.none(t) if heat is None else heat
    heat_sizes = HeatSizes.none(n) if heat_sizes is None else heat_sizes
    if not (np.isfinite(step_h) and 0.0 < step_h <= 1.0):
        raise ValueError(f"step_h: expected a step of (0, 1] h, found {step_h!r}")
    if step_h != 1.0:
        params, heat, heat_sizes = _per_step(params, heat, heat_sizes, step_h)
    kheat = _kernel_heat(heat, heat_sizes, n, t)
    n_heat = len(heat.columns())
    site = KernelSite(
        unit=unit_kw,
        caps=caps,
        load=load_kw.reshape(-1, t),
        params=params,
        period=period,
        month=month,
        price=price,
        feed_in=float(feed_in_cny_per_kwh),
        grid_charge=grid_charge,
        discharge_ok=discharge_ok,
        event=event,
        event_prep=prep,
        event_cap=event_cap,
    )
    out = KernelOut(
        hourly=np.zeros((t if record_hourly else 0, _NH)),
        totals=np.zeros((n, _NT)),
        monthly_peak=np.zeros((n, 12)),
        heat_hourly=np.zeros((t if record_hourly else 0, n_heat)),
        heat_totals=np.zeros((n, n_heat)),
        event_import=np.zeros(event_cap.shape),
    )
    _KERNELS[(n > 1, n_heat > 0, bool(record_hourly))](site, kheat, out)
    if step_h != 1.0:
        _to_energy(out, heat, step_h)
    totals = out.totals
    worst = float(totals[:, [_I_BUS, _I_STORE, _I_POOL, _I_HEAT]].max()) if n else 0.0
    if not worst <= balance_tol_kwh:
        raise BalanceError(
            f"hourly energy balance did not close: largest residual {worst:.3g} kWh (tolerance {balance_tol_kwh} kWh)"
        )
    return DispatchResult(
        totals=totals,
        monthly_peak_kw=out.monthly_peak,
        hourly=out.hourly,
        heat_totals=out.heat_totals,
        heat_hourly=out.heat_hourly,
        event_import_kw=out.event_import,
    )
