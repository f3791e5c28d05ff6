"""Hourly result tables from the kernel's record, and the checks that read only those tables.

Electric table: non-negative flows [kW] from a named source to a named sink.
Sources: ``pv``, ``wind``, ``grid``, ``battery_re`` and ``battery_grid`` (the
battery's two pools), ``chp`` (combined heat and power), ``fc`` (fuel cells), ``v2b`` (parked vehicles giving
the site's load: vehicle-to-building, scheduled before dispatch), ``unserved``.
Sinks: ``load`` (the site's electric loads), ``heat`` (power-to-heat units), ``battery``, ``grid``
(export), ``h2`` (electrolysers, on a site that has them), ``curtailment``.

Heat table: per heat demand, what served it [kW_th]; per thermal store, its
charge, discharge, loss and energy; per power-to-heat unit, its heat and
electricity; per boiler, its heat; per waste-heat stream, what was available and
what was recovered.

Two allocations are made here, both pro rata and both stated: on-site renewables
are one pool in the kernel, split between PV and wind by each hour's generation;
and the bus serves the site load and grid-allowed power-to-heat in merit order
together, split by their shares of that hour's demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lingtan.components.chp import chp_flows
from lingtan.components.ground import loop_fluid_t_c
from lingtan.components.hydrogen import (
    H2_LHV_KWH_PER_KG,
    degradation_factor,
    electrolyser_h2,
    fuel_cell_flows,
    hydrogen_boiler_kg,
    store_limits_kg,
)
from lingtan.components.load_storage import AirReceiver, ColdStore
from lingtan.errors import BalanceError
from lingtan.twin.core.dispatch import (
    DEMAND_COLUMNS,
    ELECTROLYSER_COLUMNS,
    FLOWS,
    H2_STORE_COLUMNS,
    LOAD_STORE_COLUMNS,
    STATES,
)

if TYPE_CHECKING:  # for the annotations only: a bus without heat need not import the heat side's models
    from lingtan.twin.core.heat_profiles import HeatSetup

BALANCE_TOL_KWH = 1e-6
"""Largest hourly residual of any balance accepted [kWh] (DESIGN.md, energy balances)."""


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros_like(part, dtype=float), where=whole > 0)


def electric_table(
    index: pd.DatetimeIndex,
    period: np.ndarray,
    price: np.ndarray,
    gen: dict[str, np.ndarray],
    res_hourly: np.ndarray,
    step_min: int = 60,
    chp: bool = False,
    h2: bool = False,
    fc: bool = False,
    v2b_kw: np.ndarray | None = None,
) -> pd.DataFrame:
    """The electric table, one row per time step (hourly or 15-minute).

    Parameters
    ----------
    index : DatetimeIndex
        The hours of the run, T entries, labelled at the interval start.
    period : ndarray of int
        TOU period code per hour.
    price : ndarray
        Import price per hour [CNY/kWh].
    gen : dict
        Generation per hour of each renewable source in the kernel's pool [kW]: ``pv`` and ``wind``
        for a site; a park bus adds ``tenants`` (tenants' surplus fed into the park bus).
    res_hourly : ndarray (T, len(FLOWS) + len(STATES))
        The kernel's record, one row per step.
    step_min : int
        Length of a step [min], stated in the table's ``attrs["step_min"]`` (kept in ``hourly.parquet``).
    chp : bool
        The site has combined heat and power units: ``chp_kw`` and its flows to the load, to power-to-heat and to
        the grid are columns.
    h2 : bool
        The site has electrolysers: each renewable source's ``<kind>_to_h2_kw`` is a column.
    fc : bool
        The site has fuel cells: ``fc_kw`` and its flows to the load and to power-to-heat are columns.
    v2b_kw : ndarray, shape (T,), optional
        What parked vehicles gave the site's load [kW] (vehicle-to-building), outside the kernel's load: added to
        ``load_kw`` and a column ``v2b_to_load_kw`` (their recharge is in the load already, as charging).

    Returns
    -------
    DataFrame
        One row per step, index named ``time``: the load and every flow from a source to a sink, the step's
        mean power [kW] (times ``step_min / 60`` h its energy [kWh]), the battery's energy and its renewable
        part at the step's end [kWh], the TOU period and the import price [CNY/kWh].
    """
    col = {name: res_hourly[:, i] for i, name in enumerate(FLOWS + STATES)}
    heat = _share(col["heat_load"], col["load"])  # part of the bus's merit-order demand that is power-to-heat
    total = sum(gen.values(), np.zeros(res_hourly.shape[0]))
    data = {"load_kw": col["load"] - col["heat_load"]}
    for kind in gen:
        share = _share(gen[kind], total)
        data[f"{kind}_kw"] = gen[kind]
        data[f"{kind}_to_load_kw"] = col["re_to_load"] * (1 - heat) * share
        data[f"{kind}_to_heat_kw"] = (col["re_to_load"] * heat + col["re_to_heat"]) * share
        data[f"{kind}_to_battery_kw"] = col["re_to_battery"] * share
        if h2:
            data[f"{kind}_to_h2_kw"] = col["re_to_h2"] * share
        data[f"{kind}_to_grid_kw"] = col["re_to_grid"] * share
        data[f"{kind}_to_curtailment_kw"] = col["re_curtailed"] * share
    sources = [("grid", "grid_to_load"), ("battery_re", "battery_re_to_load"), ("battery_grid", "battery_grid_to_load")]
    if chp:
        data["chp_kw"] = col["chp_to_load"] + col["chp_to_grid"]
        data["chp_to_grid_kw"] = col["chp_to_grid"]
        sources.append(("chp", "chp_to_load"))
    if fc:
        data["fc_kw"] = col["fc_to_load"]
        sources.append(("fc", "fc_to_load"))
    for src, flow in sources:
        data[f"{src}_to_load_kw"] = col[flow] * (1 - heat)
        data[f"{src}_to_heat_kw"] = col[flow] * heat
    if v2b_kw is not None:
        data["load_kw"] = data["load_kw"] + v2b_kw
        data["v2b_to_load_kw"] = np.asarray(v2b_kw, dtype=float)
    data.update(
        {
            "grid_to_battery_kw": col["grid_to_battery"],
            "battery_loss_re_kw": col["battery_loss_re"],
            "battery_loss_grid_kw": col["battery_loss_grid"],
            "unserved_load_kw": col["unserved"],
            "battery_e_kwh": col["battery_e"],
            "battery_e_re_kwh": col["battery_e_re"],
            "tou_period": pd.Categorical.from_codes(period, ["valley", "flat", "peak", "critical"]),
            "price_cny_per_kwh": price,
        }
    )
    frame = pd.DataFrame(data, index=index)
    frame.index.name = "time"
    frame.attrs["step_min"] = int(step_min)
    return frame


def grid_exchange_kw(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """What the grid meter sees of an electric table: import and export per step.

    Parameters
    ----------
    table : DataFrame
        An electric table (:func:`electric_table`) of a site or of a park's bus.

    Returns
    -------
    tuple of Series
        Import (to the load, to power-to-heat and to the battery) and export (every ``*_to_grid_kw``) [kW].
    """
    return (
        table[["grid_to_load_kw", "grid_to_heat_kw", "grid_to_battery_kw"]].sum(axis=1),
        table.filter(like="_to_grid_kw").sum(axis=1),
    )


def step_h(table: pd.DataFrame) -> float:
    """Length of a table's time step [h]: its ``attrs["step_min"]`` / 60, an hour when it states none.

    Parameters
    ----------
    table : DataFrame
        An electric or heat table.

    Returns
    -------
    float
        The step [h].
    """
    return table.attrs.get("step_min", 60) / 60.0


def _flows(h: pd.DataFrame) -> list[str]:
    return [c for c in h.columns if c.endswith("_kw") or c.endswith("_kw_th")]


def _fold(arrays: list[np.ndarray], n: int) -> np.ndarray:
    """Element-wise sum from the left, as a DataFrame's row sum adds its columns; zeros for none."""
    return sum(arrays[1:], arrays[0]) if arrays else np.zeros(n)


def _no_negative(h: pd.DataFrame, tol: float, what: str) -> None:
    worst = float(h[_flows(h)].min().min()) if len(h.columns) else 0.0
    if worst < -tol:
        raise BalanceError(f"negative flow in the hourly {what} table: {worst:.3g}")


def check_electric_balance(h: pd.DataFrame, tol_kwh: float = BALANCE_TOL_KWH) -> float:
    """Check, from the electric table alone, that every hour balances; return the largest residual [kWh].

    Each source's generation (PV, wind, CHP, a park bus's tenants' CHP export ``tenants_chp``) equals the sum of
    its flows, and on the bus sources (PV, wind, CHP, fuel cells, grid import, battery discharge,
    vehicle-to-building, unserved) equal sinks (load, heat, battery charge, export, curtailment, the tenants' CHP
    spilled). No flow is negative.

    Parameters
    ----------
    h : DataFrame
        An electric table from :func:`electric_table`.
    tol_kwh : float
        Largest residual accepted in any hour [kWh].

    Returns
    -------
    float
        The largest hourly residual of any balance [kWh].

    Raises
    ------
    lingtan.errors.BalanceError
        A flow below ``-tol_kwh``, or a residual above ``tol_kwh``.
    """
    _no_negative(h, tol_kwh, "electric")
    # On the columns' arrays, not Series (a tenth of the time): the same sums in the same order, pandas' row
    # sums as left folds. A NaN would slip past the maxima below as it slipped past pandas', so it is refused.
    col = {c: h[c].to_numpy(dtype=float) for c in _flows(h)}
    if not all(np.isfinite(v).all() for v in col.values()):
        raise BalanceError("a flow of the hourly electric table is not a finite number")
    residuals = []
    kinds = [c[: -len("_to_curtailment_kw")] for c in col if c.endswith("_to_curtailment_kw")]
    sinks_re = ("load", "heat", "battery", "grid", "curtailment") + (
        ("h2",) if any(c.endswith("_to_h2_kw") for c in col) else ()
    )
    for kind in kinds:
        parts = sum(col[f"{kind}_to_{s}_kw"] for s in sinks_re)
        residuals.append(np.abs(col[f"{kind}_kw"] - parts).max())
    out = _fold([v for c, v in col.items() if c.startswith(("grid_to_", "battery_re_to_", "battery_grid_to_"))], len(h))
    to_heat = _fold([v for c, v in col.items() if c.endswith("_to_heat_kw")], len(h))
    sources = sum(col[f"{k}_kw"] for k in kinds) + out + col["unserved_load_kw"]
    sinks = (
        col["load_kw"]
        + to_heat
        + col["grid_to_battery_kw"]
        + sum(col[f"{k}_to_{s}_kw"] for k in kinds for s in sinks_re if s not in ("load", "heat"))
    )
    if "v2b_to_load_kw" in col:  # parked vehicles: a source of the load
        sources = sources + col["v2b_to_load_kw"]
    if "fc_kw" in col:  # fuel cells: a source of the load and of power-to-heat
        residuals.append(np.abs(col["fc_kw"] - col["fc_to_load_kw"] - col["fc_to_heat_kw"]).max())
        sources = sources + col["fc_kw"]
    # Combined heat and power, a site's own or a park's tenants' on the park bus: a source whose export is a sink
    # of the bus, and so is what a park bus spilled of its tenants' export (no load, no export room).
    for chp in [p for p in ("chp", "tenants_chp") if f"{p}_kw" in col]:
        spilled = col.get(f"{chp}_spilled_kw", 0.0)
        residuals.append(
            np.abs(
                col[f"{chp}_kw"]
                - col[f"{chp}_to_load_kw"]
                - col[f"{chp}_to_heat_kw"]
                - col[f"{chp}_to_grid_kw"]
                - spilled
            ).max()
        )
        sources = sources + col[f"{chp}_kw"]
        sinks = sinks + col[f"{chp}_to_grid_kw"] + spilled
    residuals.append(np.abs(sources - sinks).max())
    worst = float(max(residuals)) * step_h(h)  # a step's power residual [kW] times its length: energy [kWh]
    if worst > tol_kwh:
        raise BalanceError(f"hourly electric balance does not close: largest residual {worst:.3g} kWh")
    return worst


def heat_table(index: pd.DatetimeIndex, setup: HeatSetup, heat_hourly: np.ndarray, step_min: int = 60) -> pd.DataFrame:
    """The heat table of a run, one row per time step (empty when the scenario has no heat side).

    Parameters
    ----------
    index : DatetimeIndex
        The hours of the run, T entries.
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        The site's heat side: the names of its demands, stores, units, boilers and streams, and the flows
        fixed before the kernel (direct recovery, heat network).
    heat_hourly : ndarray (T, len(HeatSystem.columns()))
        The kernel's heat record, one row per step.
    step_min : int
        Length of a step [min], stated in the table's ``attrs["step_min"]``.

    Returns
    -------
    DataFrame
        One row per hour, index named ``time``, columns ``<name>.<quantity>``: per demand what served it, per
        store its flows and energy, per unit its heat and electricity, per boiler its heat, per waste-heat
        stream what was available and recovered [kW_th, kW, kWh_th].
    """
    rec = {(g, i, q): heat_hourly[:, k] for k, (g, i, q) in enumerate(setup.system.columns())}
    data: dict[str, np.ndarray] = {}
    for d, name in enumerate(setup.demand_names):
        data[f"{name}.demand_kw_th"] = setup.demand_kw_th[d]
        data[f"{name}.from_recovery_kw_th"] = setup.recovered_kw_th[d]
        data[f"{name}.from_heat_network_kw_th"] = setup.network_in_kw_th[d]
        for q in _demand_sources(setup):
            data[f"{name}.{q}_kw_th"] = rec[("demand", d, q)]
    for j, name in enumerate(setup.store_names):
        for q in ("charge_recovered", "charge_p2h", "discharge", "loss"):
            data[f"{name}.{q}_kw_th"] = rec[("store", j, q)]
        data[f"{name}.e_kwh_th"] = rec[("store", j, "e_kwh_th")]
    for u, name in enumerate(setup.unit_names):
        out = rec[("unit", u, "heat_to_demand")] + rec[("unit", u, "heat_to_storage")]
        p = rec[("unit", u, "p_base_kw")] + rec[("unit", u, "p_surplus_kw")]
        data[f"{name}.heat_to_demand_kw_th"] = rec[("unit", u, "heat_to_demand")]
        data[f"{name}.heat_to_storage_kw_th"] = rec[("unit", u, "heat_to_storage")]
        # Electricity by origin: run on the bus in merit order, or on renewable surplus.
        data[f"{name}.p_base_kw"] = rec[("unit", u, "p_base_kw")]
        data[f"{name}.p_surplus_kw"] = rec[("unit", u, "p_surplus_kw")]
        # Heat drawn from the unit's source (waste stream or ambient air): output minus electricity.
        data[f"{name}.source_heat_kw_th"] = (
            np.maximum(out - p, 0.0) if setup.unit_kinds[u] == "heat_pump" else np.zeros_like(out)
        )
    for b, name in enumerate(setup.boiler_names):
        data[f"{name}.heat_kw_th"] = rec[("boiler", b, "heat")]
    # Hydrogen: each electrolyser's electricity and its compressor's [kW] and the hydrogen it made [kg a step]; the
    # store's flows and content [kg].
    for z, e in enumerate(setup.electrolysers):
        for q in ELECTROLYSER_COLUMNS:
            data[f"{e.name}.{q}"] = rec[("electrolyser", z, q)]
    for y, tank in enumerate(setup.h2_stores):
        for q in H2_STORE_COLUMNS:
            data[f"{tank.name}.{q}"] = rec[("h2store", y, q)]
    for b, boiler in enumerate(setup.h2_boilers):
        data[f"{boiler.name}.heat_to_demand_kw_th"] = rec[("h2_boiler", b, "heat_to_demand")]
        data[f"{boiler.name}.h2_kg"] = rec[("h2_boiler", b, "h2_kg")]
    for f, cell in enumerate(setup.fuel_cells):
        data[f"{cell.name}.p_kw"] = rec[("fuel_cell", f, "p_kw")]
        data[f"{cell.name}.h2_kg"] = rec[("fuel_cell", f, "h2_kg")]
        data[f"{cell.name}.heat_to_demand_kw_th"] = rec[("fuel_cell", f, "heat_to_demand")]
        data[f"{cell.name}.heat_dumped_kw_th"] = rec[("fuel_cell", f, "heat_dumped")]
    # Combined heat and power: electricity, fuel burnt [kW at NCV], heat to demands and heat dumped.
    for c, unit in enumerate(setup.chp):
        data[f"{unit.name}.p_kw"] = rec[("chp", c, "p_kw")]
        data[f"{unit.name}.fuel_kw"] = rec[("chp", c, "fuel_kw")]
        data[f"{unit.name}.heat_to_demand_kw_th"] = rec[("chp", c, "heat_to_demand")]
        data[f"{unit.name}.heat_dumped_kw_th"] = rec[("chp", c, "heat_dumped")]
    # Absorption chillers on CHP heat: their cooling and drive heat, and the electricity their space's chillers saved.
    for a, ch in enumerate(setup.chp_absorbers):
        data[f"{ch.name}.cooling_kw_th"] = rec[("chp_absorber", a, "cooling")]
        data[f"{ch.name}.drive_heat_kw_th"] = rec[("chp_absorber", a, "drive_heat")]
        data[f"{ch.name}.p_relief_kw"] = rec[("chp_absorber", a, "p_relief_kw")]
    # Stores of what electric loads make: the electricity their charging drew and their load was spared [kW], and the
    # product in, out, lost [kW_th or m3 a step] and held [kWh_th or m3].
    for j, store in enumerate(setup.load_stores):
        for q, column in load_store_columns(store).items():
            data[column] = rec[("load_store", j, q)]
    # Each space its electric chillers cool: its cooling demand and who met it, the chillers taking the rest.
    for space, demand in setup.space_cooling_kw_th.items():
        absorbed = sum(
            (setup.absorption_cooling_kw_th[a] for a, s in enumerate(setup.absorption_cooled) if s == space),
            np.zeros(len(index)),
        )
        absorbed = absorbed + sum(
            (rec[("chp_absorber", a, "cooling")] for a, ch in enumerate(setup.chp_absorbers) if ch.cooling == space),
            np.zeros(len(index)),
        )
        stored = _store_cooling(setup, rec, space, len(index))
        data[f"{space}.cooling_demand_kw_th"] = demand
        data[f"{space}.cooling_from_absorption_kw_th"] = absorbed
        data[f"{space}.cooling_from_store_kw_th"] = stored
        data[f"{space}.cooling_from_chillers_kw_th"] = demand - absorbed - stored
    # Absorption chillers: the cooling each gave its space, and the waste heat that drove it.
    for a, name in enumerate(setup.absorption_names):
        data[f"{name}.cooling_kw_th"] = setup.absorption_cooling_kw_th[a]
        data[f"{name}.drive_heat_kw_th"] = setup.absorption_drive_kw_th[a]
    # Ground loops: the heat their heat pump drew heating and put back cooling (its space's cooling, the heat pump's
    # and the chillers' electricity), and the fluid temperature that left (the kernel's recursion).
    for g, loop in enumerate(setup.ground_loops):
        on = setup.loop_units(g)
        drawn = _fold([data[f"{n}.source_heat_kw_th"] for n in on], len(index))
        cool, p_cool = rec[("loop", g, "cooling")], rec[("loop", g, "p_cooling_kw")]
        demand = np.asarray(setup.system.ground_cooling_kw_th, dtype=float)[g]
        data[f"{loop.name}.extracted_kw_th"] = drawn
        data[f"{loop.name}.cooling_demand_kw_th"] = demand
        data[f"{loop.name}.cooling_kw_th"] = cool
        data[f"{loop.name}.p_cooling_kw"] = p_cool
        stored = _store_cooling(setup, rec, setup.ground_cooled.get(loop.name), len(index))
        data[f"{loop.name}.store_cooling_kw_th"] = stored
        data[f"{loop.name}.chiller_cooling_kw_th"] = demand - cool - stored
        data[f"{loop.name}.chiller_p_kw"] = rec[("loop", g, "p_chiller_kw")]
        data[f"{loop.name}.injected_kw_th"] = cool + p_cool
        data[f"{loop.name}.t_fluid_c"] = loop_fluid_t_c(loop, drawn - cool - p_cool, step_min / 60.0)
    # Waste heat put to use, per stream: direct exchange, its share of what stores took, and heat-pump source heat.
    store_taken = np.array([rec[("store", j, "charge_recovered")] for j in range(len(setup.store_names))])
    offers = setup.stream_store_offer_kw_th  # (W, S, T)
    offered = offers.sum(axis=0)
    for w, st in enumerate(setup.streams):
        into_stores = (_share(offers[w], offered) * store_taken).sum(axis=0) if len(store_taken) else 0.0
        by_pump = sum(
            (
                data[f"{setup.unit_names[u]}.source_heat_kw_th"]
                for u in range(len(setup.unit_names))
                if setup.unit_source[u] == w
            ),
            np.zeros(len(index)),
        )
        data[f"{st.name}.available_kw_th"] = st.available_kw_th
        data[f"{st.name}.to_heat_network_kw_th"] = setup.network_out_kw_th[w]
        data[f"{st.name}.heat_network_loss_kw_th"] = setup.network_loss_kw_th[w]
        data[f"{st.name}.recovered_kw_th"] = (
            setup.stream_direct_kw_th[w]
            + setup.absorbed_by_stream_kw_th(w)
            + into_stores
            + by_pump
            + setup.network_out_kw_th[w]
        )
    frame = pd.DataFrame(data, index=index)
    frame.index.name = "time"
    frame.attrs["step_min"] = int(step_min)
    return frame


def _hydrogen_residuals(h: pd.DataFrame, setup: HeatSetup, dt_h: float, tol: float) -> list[float]:
    """The hydrogen side's largest residuals [kg], from the heat table: each electrolyser's hydrogen against its
    line at its electricity and its stack's age then (:func:`lingtan.components.hydrogen.electrolyser_h2`), the
    store's content against its flows and what went in against what the electrolysers made; a negative flow or a
    content above the capacity is refused."""
    out: list[float] = []
    made = np.zeros(len(h))
    made_g = np.zeros(len(h))
    for e in setup.electrolysers:
        p = h[f"{e.name}.p_kw"].to_numpy()
        on = p > 0
        age = e.operating_h + np.cumsum(on) - on  # hours run before each step
        new, _ = electrolyser_h2(p, e)
        kg = h[f"{e.name}.h2_kg"].to_numpy()
        out.append(float(np.abs(new * degradation_factor(e, age) / H2_LHV_KWH_PER_KG - kg).max(initial=0.0)))
        made += kg
        # renewable in the share of its input (electrolyser and compressor) the grid did not give
        e_in = p + h[f"{e.name}.compression_kw"].to_numpy()
        made_g += kg * (1.0 - np.divide(h[f"{e.name}.grid_kw"].to_numpy(), e_in, out=np.zeros_like(e_in), where=on))
    for s in setup.h2_stores:
        q = {c: h[f"{s.name}.{c}"].to_numpy() for c in H2_STORE_COLUMNS}
        _, capacity, first = store_limits_kg(s)
        m_prev = np.concatenate([[first], q["m_kg"][:-1]])
        taken = q["offtake_kg"] + q["fuel_cell_kg"] + q["boiler_kg"] + q["loss_kg"]
        out.append(float(np.abs(q["m_kg"] - m_prev - q["charge_kg"] + taken).max(initial=0.0)))
        out.append(float(np.abs(q["charge_kg"] - made).max(initial=0.0)))
        # the renewable pool: kept as the store is, in at its origin, out in the share the store holds
        g_prev = np.concatenate([[0.0], q["green_m_kg"][:-1]])
        keep = 1.0 - s.standing_loss_fraction_per_h
        out.append(float(np.abs(q["green_charge_kg"] - made_g).max(initial=0.0)))
        out.append(
            float(np.abs(q["green_m_kg"] - g_prev * keep - q["green_charge_kg"] + q["green_used_kg"]).max(initial=0.0))
        )
        after = m_prev - q["loss_kg"] + q["charge_kg"]  # the store once made, before anything is taken
        share = np.divide(g_prev * keep + q["green_charge_kg"], after, out=np.zeros_like(after), where=after > 0)
        taken_out = q["offtake_kg"] + q["fuel_cell_kg"] + q["boiler_kg"]
        out.append(float(np.abs(q["green_used_kg"] - taken_out * share).max(initial=0.0)))
        used = sum((h[f"{c.name}.h2_kg"].to_numpy() for c in setup.fuel_cells), np.zeros(len(h)))
        out.append(float(np.abs(q["fuel_cell_kg"] - used).max(initial=0.0)))
        burnt = sum((h[f"{b.name}.h2_kg"].to_numpy() for b in setup.h2_boilers), np.zeros(len(h)))
        out.append(float(np.abs(q["boiler_kg"] - burnt).max(initial=0.0)))
    for b in setup.h2_boilers:  # a boiler's hydrogen is its heat at its efficiency
        kg = hydrogen_boiler_kg(h[f"{b.name}.heat_to_demand_kw_th"].to_numpy(), b, dt_h)
        out.append(float(np.abs(kg - h[f"{b.name}.h2_kg"].to_numpy()).max(initial=0.0)))
    for c in setup.fuel_cells:  # hydrogen and heat on the cell's part-load lines at its electricity
        h2_kw, h2_kg, heat = fuel_cell_flows(h[f"{c.name}.p_kw"].to_numpy(), c)
        out.append(float(np.abs(h2_kg - h[f"{c.name}.h2_kg"].to_numpy()).max(initial=0.0)))
        given = h[f"{c.name}.heat_to_demand_kw_th"] + h[f"{c.name}.heat_dumped_kw_th"]
        out.append(float(np.abs(heat - given.to_numpy()).max(initial=0.0)) * dt_h)
        if any((v < -tol).any() for v in q.values()) or (q["m_kg"] > capacity + tol).any():
            raise BalanceError(f"hydrogen store {s.name!r}: a negative flow, or more than its {capacity:g} kg")
    return out


def _store_cooling(setup: HeatSetup, rec: dict, space: str | None, t: int) -> np.ndarray:
    """The cooling the cold stores on ``space`` gave it each step [kW_th] (zero for none), from the kernel record."""
    return sum(
        (
            rec[("load_store", j, "discharge")]
            for j, st in enumerate(setup.load_stores)
            if isinstance(st, ColdStore) and st.serves == space
        ),
        np.zeros(t),
    )


def load_store_columns(store: ColdStore | AirReceiver) -> dict[str, str]:
    """The heat table's column of each of a load store's quantities (:data:`LOAD_STORE_COLUMNS`).

    Parameters
    ----------
    store : ColdStore or AirReceiver
        The store.

    Returns
    -------
    dict of str to str
        ``{"p_charge_kw": "<name>.p_charge_kw", ..., "charge": "<name>.cooling_in_kw_th", ..., "content":
        "<name>.cooling_held_kwh_th"}``; an air receiver's are ``air_in_m3`` .. ``air_held_m3`` (per step, and held).
    """
    # named by their product, apart from a thermal store's charge_/discharge_/loss_kw_th and e_kwh_th (heat, which
    # the heat side's sums and Sankey gather by those names)
    p, flow, held = ("cooling", "kw_th", "kwh_th") if isinstance(store, ColdStore) else ("air", "m3", "m3")
    names = {"charge": f"{p}_in_{flow}", "discharge": f"{p}_out_{flow}", "loss": f"{p}_lost_{flow}"}
    names["content"] = f"{p}_held_{held}"
    return {q: f"{store.name}.{names.get(q, q)}" for q in LOAD_STORE_COLUMNS}


def _load_store_residuals(h: pd.DataFrame, setup: HeatSetup, tol: float) -> list[float]:
    """Each load store's largest residuals, from the heat table: its content against its flows (the standing loss
    taken at the step's start), its charge and discharge against the electricity drawn and spared at its two
    factors, the electricity spared within its load's; a content outside [0, capacity] is refused."""
    out: list[float] = []
    if not setup.load_stores:
        return out
    params = np.asarray(setup.system.ls_params, dtype=float)
    served = np.asarray(setup.system.ls_p_served_kw, dtype=float)
    for j, store in enumerate(setup.load_stores):
        c = {q: h[name].to_numpy() for q, name in load_store_columns(store).items()}
        cap, _, _, first = store.kernel_sizes()
        prev = np.concatenate([[first], c["content"][:-1]])
        out.append(float(np.abs(c["content"] - prev - c["charge"] + c["discharge"] + c["loss"]).max(initial=0.0)))
        out.append(float(np.abs(c["loss"] - prev * (1.0 - params[j, 0])).max(initial=0.0)))
        out.append(float(np.abs(c["charge"] - c["p_charge_kw"] * params[j, 2]).max(initial=0.0)))
        out.append(float(np.abs(c["discharge"] - c["p_relief_kw"] * params[j, 3]).max(initial=0.0)))
        # The load it may spare: its own load's electricity, less what a CHP-driven absorption chiller could cool.
        out.append(float(max(0.0, (c["p_relief_kw"] - c["p_load_kw"]).max(initial=0.0))))
        out.append(float(max(0.0, (c["p_load_kw"] - served[j]).max(initial=0.0))))
        out.append(float(max(0.0, (c["p_surplus_kw"] - c["p_charge_kw"]).max(initial=0.0))))
        if (c["content"] < -tol).any() or (c["content"] > cap + tol).any():
            raise BalanceError(f"load store {store.name!r}: content outside 0 .. {cap:g}")
    return out


def _demand_sources(setup: HeatSetup) -> list[str]:
    """The kernel's columns per demand in the heat table: ``from_chp`` (on-site units burning gas or hydrogen) only on a
    site with CHP units, fuel cells or hydrogen boilers."""
    return [q for q in DEMAND_COLUMNS if q != "from_chp" or setup.chp or setup.fuel_cells or setup.h2_boilers]


def check_heat_balance(
    h: pd.DataFrame, setup: HeatSetup, store_e0_kwh_th: np.ndarray, tol_kwh: float = BALANCE_TOL_KWH
) -> float:
    """Check, from the heat table alone, every demand and every store each hour; return the largest residual.

    Demand: demand = recovery + heat network + storage + power-to-heat + CHP + boilers + unserved.
    Store: energy(t) = energy(t-1) + charges - discharge - loss.
    CHP unit: its fuel and its heat (to demands, to its absorption chillers and dumped) are its part-load lines at its
    electricity
    (:func:`lingtan.components.chp.chp_flows`).
    Stream: recovered plus heat-network pipe loss never exceeds what was available.

    Parameters
    ----------
    h : DataFrame
        A heat table from :func:`heat_table`.
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        The heat side the table was made from.
    store_e0_kwh_th : ndarray, shape (S,)
        Each store's energy before the first hour [kWh_th].
    tol_kwh : float
        Largest residual accepted in any hour [kWh_th].

    Returns
    -------
    float
        The largest hourly residual of any balance [kWh_th].

    Raises
    ------
    lingtan.errors.BalanceError
        A flow below ``-tol_kwh``, or a residual above ``tol_kwh``.
    """
    _no_negative(h.drop(columns=[c for c in h.columns if c.endswith("e_kwh_th")]), tol_kwh, "heat")
    residuals = [0.0]
    dt_h = step_h(h)
    for d in setup.demand_names:
        parts = sum(h[f"{d}.{q}_kw_th"] for q in ("from_recovery", "from_heat_network", *_demand_sources(setup)))
        residuals.append(float((h[f"{d}.demand_kw_th"] - parts).abs().max()) * dt_h)
    for j, s in enumerate(setup.store_names):
        e = h[f"{s}.e_kwh_th"].to_numpy()
        e_prev = np.concatenate([[store_e0_kwh_th[j]], e[:-1]])
        flow = (
            h[f"{s}.charge_recovered_kw_th"]
            + h[f"{s}.charge_p2h_kw_th"]
            - h[f"{s}.discharge_kw_th"]
            - h[f"{s}.loss_kw_th"]
        ).to_numpy() * dt_h
        residuals.append(float(np.abs(e - e_prev - flow).max()))
    for st in setup.streams:
        used = h[f"{st.name}.recovered_kw_th"] + h[f"{st.name}.heat_network_loss_kw_th"]
        residuals.append(float(max(0.0, (used - h[f"{st.name}.available_kw_th"]).max())) * dt_h)
    for g, loop in enumerate(setup.ground_loops):
        # The heat pump's cut-outs keep the fluid within its window; recomputed from the table.
        net = (h[f"{loop.name}.extracted_kw_th"] - h[f"{loop.name}.injected_kw_th"]).to_numpy()
        t_f = loop_fluid_t_c(loop, net, dt_h)
        if t_f.min() < loop.min_fluid_t_c - 1e-6 or t_f.max() > loop.max_fluid_t_c + 1e-6:
            raise BalanceError(
                f"ground loop {loop.name!r}: fluid from {t_f.min():.3f} to {t_f.max():.3f} C, outside its "
                f"{loop.min_fluid_t_c:g} .. {loop.max_fluid_t_c:g} C"
            )
        # The chillers take what the heat pump and a cold store left, never less, at their COP.
        chillers = h[f"{loop.name}.chiller_cooling_kw_th"].to_numpy()
        cop = float(np.asarray(setup.system.ground_cooling_params, dtype=float)[g, 1])
        residuals.append(float(np.abs(chillers - cop * h[f"{loop.name}.chiller_p_kw"].to_numpy()).max()) * dt_h)
        residuals.append(max(0.0, -float(chillers.min(initial=0.0))) * dt_h)
    residuals += _hydrogen_residuals(h, setup, dt_h, tol_kwh)
    residuals += _load_store_residuals(h, setup, tol_kwh)
    for space in setup.space_cooling_kw_th:  # the chillers take what the absorbers and stores leave, never less
        short = -float(h[f"{space}.cooling_from_chillers_kw_th"].to_numpy().min(initial=0.0)) * dt_h
        residuals.append(max(0.0, short))
    for unit in setup.chp:
        fuel, made = chp_flows(h[f"{unit.name}.p_kw"].to_numpy(), unit)
        given = h[f"{unit.name}.heat_to_demand_kw_th"] + h[f"{unit.name}.heat_dumped_kw_th"]
        for a, ch in enumerate(setup.chp_absorbers):
            if ch.source == unit.name:
                given = given + h[f"{ch.name}.drive_heat_kw_th"]
                # an absorption chiller's cooling is its drive heat times the hour's COP
                cop = np.asarray(setup.system.cabs_cop)[a]
                residuals.append(
                    float((h[f"{ch.name}.cooling_kw_th"] - cop * h[f"{ch.name}.drive_heat_kw_th"]).abs().max()) * dt_h
                )
        residuals.append(float(np.abs(made - given).max()) * dt_h)
        residuals.append(float(np.abs(fuel - h[f"{unit.name}.fuel_kw"]).max()) * dt_h)
    worst = max(residuals)
    if worst > tol_kwh:
        raise BalanceError(f"hourly heat balance does not close: largest residual {worst:.3g} kWh_th")
    return worst
