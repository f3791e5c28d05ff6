"""Annual electricity KPIs from the kernel's totals, vectorised over configurations.

Single runs and sweeps call the same function on the same totals, so a sweep's
row and a single run's ``kpis.json`` agree by construction. The totals are energies
on any time step (the kernel weighs each step by its length), peaks are the largest
step's power: the 15-minute maximum on a 15-minute run.

Definitions (DESIGN.md, "KPI definitions")
------------------------------------------
``total consumption``
    grid import + on-site renewable generation - export - curtailment + electricity of combined heat
    and power units used on site (``chp_to_load``: made from fuel, not renewable; its fuel is counted).
    Battery losses therefore count as consumption, as does any change of the
    battery's stored energy over the year (reported as
    ``battery_stored_change_e_kwh``; the battery starts at ``soc_initial``).
``re_electricity_share_onsite``
    renewable electricity consumed on site / total consumption, where
    renewable consumed = renewable generation - renewable export - curtailment.
    Battery losses on renewable energy count as renewable consumed. A battery
    charged from the grid passes grid energy through, never renewable energy,
    because the kernel tracks the two pools apart.
``re_electricity_share_onsite_delivered``
    the same share with storage losses (and the year's change of stored energy) left out of both
    sides: renewable electricity delivered to loads and power-to-heat, directly or through the
    battery / all electricity delivered to them. A lossy store cannot raise it (DESIGN.md: verdicts
    use the stricter of the two and name it).
``self_consumption_share``
    share of renewable generation used on site (not exported, not curtailed).
``self_sufficiency_share``
    share of the electric demand met through the bus (site loads and power-to-heat
    allowed on grid power) served by renewables, directly or through the battery.
``power_to_heat_e_kwh``
    electricity into heat pumps and electric boilers, of which
    ``power_to_heat_from_surplus_e_kwh`` was renewable surplus.
``hydrogen_e_kwh``
    renewable surplus into electrolysers and their compressor (consumed on site, delivered to a sink).
``fuel_cell_e_kwh``
    electricity fuel cells made of the store's hydrogen: stored renewable energy, as a battery's discharge, not
    counted again in the consumption or the delivered energy.
``load_e_kwh``
    the site's electric loads, power-to-heat on the bus left out; with vehicle-to-building it includes what the
    parked vehicles gave the load (``v2b_e_kwh``): that energy is stored energy, charged before as load (the
    fleet's charging), so it is neither consumption again nor delivered again (the kernel's load is the rest, and
    the delivered energy and the self-sufficiency are taken on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from lingtan.components.battery import equivalent_full_cycles
from lingtan.components.loads import CONDENSER_T_C
from lingtan.twin.core.dispatch import H2_STORE_COLUMNS, DispatchResult

if TYPE_CHECKING:
    from lingtan.twin.core.heat_profiles import HeatSetup
    from lingtan.twin.core.scenario import Scenario


def _ratio(num: ArrayLike, den: ArrayLike) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def electric_kpis(
    res: DispatchResult,
    *,
    pv_e_kwh: ArrayLike,
    wind_e_kwh: ArrayLike,
    energy_kwh: ArrayLike,
    soc_min: ArrayLike,
    soc_max: ArrayLike,
    grid_cost_cny: ArrayLike,
    v2b_e_kwh: ArrayLike = 0.0,
) -> dict[str, np.ndarray]:
    """Annual electricity KPIs for every configuration of a dispatch.

    Parameters
    ----------
    res : DispatchResult
        The kernel's output.
    pv_e_kwh, wind_e_kwh : array, shape (N,)
        Annual generation of PV and of wind before any curtailment [kWh].
    energy_kwh, soc_min, soc_max : array or float
        Battery nameplate energy [kWh] and SoC window [-], for cycle counting.
    grid_cost_cny : array, shape (N,)
        Annual grid bill net of feed-in revenue [CNY].
    v2b_e_kwh : array or float
        What parked vehicles gave the site's load outside the kernel (vehicle-to-building) [kWh].

    Returns
    -------
    dict of str to ndarray, shape (N,)
        Annual energies ``*_e_kwh`` [kWh], shares ``*_share*`` [-], ``peak_import_kw`` [kW],
        ``battery_equivalent_full_cycles`` [-] and ``grid_cost_cny`` [CNY] (definitions in the module
        docstring).
    """
    t = res.total
    re_gen = t("re_generation")
    export = t("re_to_grid")
    curtailed = t("re_curtailed")
    grid_import = t("grid_to_load") + t("grid_to_battery")
    discharge = t("battery_re_to_load") + t("battery_grid_to_load")
    charge = t("re_to_battery") + t("grid_to_battery")
    consumption = grid_import + re_gen - export - curtailed + t("chp_to_load")
    re_consumed = re_gen - export - curtailed
    served = t("load") - t("unserved")
    # Delivered to sinks: loads (incl. power-to-heat on the bus) and surplus power-to-heat; storage losses and the
    # change of stored energy are neither delivered renewable energy nor delivered consumption.
    re_delivered = t("re_to_load") + t("re_to_heat") + t("re_to_h2") + t("battery_re_to_load")
    # A fuel cell re-delivers what went into the electrolysers (already a delivered sink): counted once.
    delivered = served + t("re_to_heat") + t("re_to_h2") - t("fc_to_load")
    return {
        "load_e_kwh": t("load") - t("heat_load") + v2b_e_kwh,
        "power_to_heat_e_kwh": t("heat_load") + t("re_to_heat"),
        "power_to_heat_from_surplus_e_kwh": t("re_to_heat"),
        "hydrogen_e_kwh": t("re_to_h2"),
        "fuel_cell_e_kwh": t("fc_to_load"),
        "unserved_load_e_kwh": t("unserved"),
        "pv_e_kwh": np.asarray(pv_e_kwh, dtype=float),
        "wind_e_kwh": np.asarray(wind_e_kwh, dtype=float),
        "re_generation_e_kwh": re_gen,
        "grid_import_e_kwh": grid_import,
        "grid_import_valley_e_kwh": t("import_valley"),
        "grid_import_flat_e_kwh": t("import_flat"),
        "grid_import_peak_e_kwh": t("import_peak"),
        "grid_import_critical_e_kwh": t("import_critical"),
        "grid_export_e_kwh": export,
        "chp_e_kwh": t("chp_to_load") + t("chp_to_grid"),
        "chp_export_e_kwh": t("chp_to_grid"),
        "curtailed_e_kwh": curtailed,
        "battery_charge_e_kwh": charge,
        "battery_discharge_e_kwh": discharge,
        "battery_losses_e_kwh": t("battery_loss_re") + t("battery_loss_grid"),
        "battery_stored_change_e_kwh": t("battery_e_end") - t("battery_e_start"),
        "battery_equivalent_full_cycles": equivalent_full_cycles(discharge, energy_kwh, soc_min, soc_max),
        "total_consumption_e_kwh": consumption,
        "re_consumed_e_kwh": re_consumed,
        "re_electricity_share_onsite": _ratio(re_consumed, consumption),
        "delivered_consumption_e_kwh": delivered,
        "re_delivered_e_kwh": re_delivered,
        "re_electricity_share_onsite_delivered": _ratio(re_delivered, delivered),
        "self_consumption_share": _ratio(re_consumed, re_gen),
        "self_sufficiency_share": _ratio(t("re_to_load") + t("battery_re_to_load"), served),
        "peak_import_kw": t("peak_import_kw"),
        "grid_cost_cny": np.asarray(grid_cost_cny, dtype=float),
    }


def storage_warnings(kpis: dict[str, Any]) -> list[str]:
    """A battery that loses more than it delivers is a sink, not a store: say so (its losses count as consumption
    in ``re_electricity_share_onsite``, never in ``..._delivered``).

    Parameters
    ----------
    kpis : dict
        A single run's electric KPIs (scalars): ``battery_losses_e_kwh`` and ``battery_discharge_e_kwh``
        [kWh]; missing keys count 0.

    Returns
    -------
    list of str
        One warning when the losses exceed the discharge, else empty.
    """
    loss, out = kpis.get("battery_losses_e_kwh", 0.0), kpis.get("battery_discharge_e_kwh", 0.0)
    if loss > out:
        return [
            f"the battery loses more energy ({loss:.0f} kWh) than it delivers ({out:.0f} kWh): its losses raise "
            f"the consumption-based renewable share; the delivered share leaves them out"
        ]
    return []


GRADE_BOUNDS_C = (120.0, 400.0)
"""Waste-heat temperature grades: low below 120 C, medium 120-400 C, high from 400 C.

A project convention, stated in every report: the GB/T 1028 grading was not
available to the project (``../shared/facts/standards.md``, "Waste heat")."""


def heat_grade(t_c: float) -> str:
    """The temperature grade of a waste-heat resource (:data:`GRADE_BOUNDS_C`).

    Parameters
    ----------
    t_c : float
        Its temperature [C].

    Returns
    -------
    str
        ``low``, ``medium`` or ``high``.
    """
    return "low" if t_c < GRADE_BOUNDS_C[0] else ("medium" if t_c < GRADE_BOUNDS_C[1] else "high")


LARGE_LOAD_E_KWH = 1.0e6
"""A load drawing 1 GWh a year or more (about 114 kW on average) whose heat rejection is not declared is
warned about: it may hide a waste-heat resource the whole-boundary rate needs (project convention)."""


def heat_rejection_warnings(setup: HeatSetup) -> list[str]:
    """Large loads (:data:`LARGE_LOAD_E_KWH`) whose heat rejection is not declared: a general load counts none,
    another end use counts its default rate. Given whether or not the site has a heat side.

    Parameters
    ----------
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        The run's heat profiles; its ``rejected`` heat by load.

    Returns
    -------
    list of str
        One warning per large load whose heat rejection is not declared; the rate is in [kWh_th/kWh].
    """
    return [
        f"load {r.name!r} ({r.electricity_e_kwh / 1e6:.1f} GWh/yr) "
        + (
            "declares no end_use or heat_rejected_fraction: the heat it rejects is counted as 0 in the waste-heat "
            "resource"
            if r.end_use == "general"
            else f"rejects heat at the default rate of end use {r.end_use!r} "
            f"({r.available_kw_th.sum() / max(r.electricity_e_kwh, 1e-12):.2f} kWh_th/kWh): declare "
            f"heat_rejected_fraction"
        )
        for r in setup.rejected
        if not r.declared and r.electricity_e_kwh >= LARGE_LOAD_E_KWH
    ]


def _rate(recovered: float, available: float) -> float | None:
    """Recovered / available; None ("not applicable") when there is nothing to recover."""
    return recovered / available if available > 0 else None


def waste_heat_rates(items: Iterable[tuple]) -> dict[str, Any]:
    """Recovery rates of waste-heat resources, overall and by group, from each resource's yearly energy.

    The one place the rate's arithmetic lives: a simulated year (:func:`heat_kpis`) and a metered period
    (:mod:`lingtan.meters.assess`) both come here.

    Parameters
    ----------
    items : iterable of tuple
        Per resource ``(name, kind, grade or None, type, available, recovered, declared)``: available and
        recovered energy [kWh_th] and whether the resource is a declared stream or declared waste energy (True)
        or heat rejected by a load (False).

    Returns
    -------
    dict
        ``waste_heat_available_e_kwh_th``, ``waste_heat_recovered_e_kwh_th``,
        ``waste_heat_declared_available_e_kwh_th``, ``waste_heat_rejected_by_loads_e_kwh_th`` [kWh_th];
        ``waste_heat_recovery_rate`` (whole boundary), ``_whole_boundary``, ``_declared_streams`` [-] or None;
        per group (``by_stream``, ``by_kind``, ``by_grade``, ``by_type``, ``by_type_declared``) the rates [-]
        and energies [kWh_th].
    """
    items = list(items)
    groups: dict[str, dict[str, list[float]]] = {group: {} for group in WASTE_HEAT_GROUPS}
    for name, kind, grade, etype, a, r, declared in items:
        keys = [("by_stream", name), ("by_kind", kind), ("by_type", etype)] + ([("by_grade", grade)] if grade else [])
        keys += [("by_type_declared", etype)] if declared else []
        for group, key in keys:
            acc = groups[group].setdefault(key, [0.0, 0.0])
            acc[0] += a
            acc[1] += r
    return waste_heat_rates_of_sums(
        sum(i[4] for i in items), sum(i[5] for i in items), sum(i[4] for i in items if i[6]), groups
    )


WASTE_HEAT_GROUPS = ("by_stream", "by_kind", "by_grade", "by_type", "by_type_declared")
"""How recovery is broken down: by resource, by kind, by grade, by type, and by type of the declared ones."""


def waste_heat_rates_of_sums(
    available: float, recovered: float, declared_available: float, groups: dict[str, dict[str, list[float]]]
) -> dict[str, Any]:
    """The rates and energies of :func:`waste_heat_rates` from energies already summed: a resource list's, or a
    park's over its tenants' (:mod:`lingtan.twin.studies.park`).

    Parameters
    ----------
    available, recovered, declared_available : float
        Waste heat available, recovered, and available in declared streams or declared waste energy [kWh_th].
    groups : dict
        Per group of :data:`WASTE_HEAT_GROUPS`, per key, ``[available, recovered]`` [kWh_th].

    Returns
    -------
    dict
        As :func:`waste_heat_rates`.
    """
    out: dict[str, Any] = {
        "waste_heat_available_e_kwh_th": available,
        "waste_heat_recovered_e_kwh_th": recovered,
        "waste_heat_declared_available_e_kwh_th": declared_available,
        "waste_heat_rejected_by_loads_e_kwh_th": available - declared_available,
        "waste_heat_recovery_rate_whole_boundary": _rate(recovered, available),
        "waste_heat_recovery_rate_declared_streams": _rate(recovered, declared_available),
    }
    out["waste_heat_recovery_rate"] = out["waste_heat_recovery_rate_whole_boundary"]
    for group, g in groups.items():
        out[f"waste_heat_recovery_rate_{group}"] = {k: _rate(v[1], v[0]) for k, v in g.items()}
        out[f"waste_heat_available_e_kwh_th_{group}"] = {k: v[0] for k, v in g.items()}
        out[f"waste_heat_recovered_e_kwh_th_{group}"] = {k: v[1] for k, v in g.items()}
    return out


def _delivered_by_stream(
    setup: HeatSetup, heat: pd.DataFrame, scenario: Scenario, e: dict[str, float]
) -> dict[str, float]:
    """Waste heat of each stream delivered to a useful heat demand over the year [kWh_th].

    Direct exchange, heat-network deliveries (pipe losses excluded) and absorption chillers' drive heat count in
    full. Heat a stream charged into
    a thermal store counts in the share the store delivered: the store is taken as well mixed, so every kWh_th
    that entered it (initial content, recovered and power-to-heat charges) left as discharge in the same
    proportion, the rest as standing losses or heat still stored at the end of the year. A heat pump's source
    heat counts in the share of its output that went to demands, plus its output into stores at the stores'
    overall delivered share.
    """
    from lingtan.twin.core.tables import _share

    e0 = {st.name: st.soc_initial * st.capacity_kwh_th for st in scenario.thermal_storage}
    into = {n: e0[n] + e[f"{n}.charge_recovered_kw_th"] + e[f"{n}.charge_p2h_kw_th"] for n in setup.store_names}
    frac = {n: (e[f"{n}.discharge_kw_th"] / into[n] if into[n] > 0 else 0.0) for n in setup.store_names}
    all_in = sum(into.values())
    frac_all = sum(e[f"{n}.discharge_kw_th"] for n in setup.store_names) / all_in if all_in > 0 else 0.0
    offers = setup.stream_store_offer_kw_th
    offered = offers.sum(axis=0)
    out = {}
    for w, st in enumerate(setup.streams):
        # direct exchange, the heat network and absorption chillers (their cooling is a useful demand)
        q = float(
            setup.stream_direct_kw_th[w].sum()
            + setup.network_out_kw_th[w].sum()
            + setup.absorbed_by_stream_kw_th(w).sum()
        )
        for j, n in enumerate(setup.store_names):
            q += (
                float(np.sum(_share(offers[w, j], offered[j]) * heat[f"{n}.charge_recovered_kw_th"].to_numpy()))
                * frac[n]
            )
        for u, name in enumerate(setup.unit_names):
            if setup.unit_source[u] != w:
                continue
            to_d, to_s = e[f"{name}.heat_to_demand_kw_th"], e[f"{name}.heat_to_storage_kw_th"]
            if to_d + to_s > 0:
                q += e[f"{name}.source_heat_kw_th"] * (to_d + to_s * frac_all) / (to_d + to_s)
        out[st.name] = q
    return out


def load_store_kpis(setup: HeatSetup, heat: pd.DataFrame, period: np.ndarray) -> dict[str, dict[str, Any]]:
    """Per cold store and air receiver, its year: the electricity its charging drew (and the renewable surplus part)
    and its load was spared [kWh], each by tariff period [kWh]; the product made, given and lost [kWh_th or m3];
    full cycles (given / capacity) [-]; and the electricity it cost net (drawn - spared) [kWh], the price of moving
    the load in time.

    Parameters
    ----------
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        Its load stores.
    heat : DataFrame
        The run's heat table.
    period : ndarray of int, shape (T,)
        Tariff period code of each step (0 valley, 1 flat, 2 peak, 3 critical).

    Returns
    -------
    dict of str to dict
    """
    from lingtan.components.flexible import PERIOD_NAMES
    from lingtan.components.load_storage import ColdStore
    from lingtan.twin.core.tables import load_store_columns

    codes = np.asarray(period, dtype=np.int64)
    out: dict[str, dict[str, Any]] = {}
    for store in setup.load_stores:
        c = {q: heat[name].to_numpy() for q, name in load_store_columns(store).items()}
        unit = "e_kwh_th" if isinstance(store, ColdStore) else "m3"
        row: dict[str, Any] = {
            "kind": "cold_store" if isinstance(store, ColdStore) else "air_receiver",
            f"capacity_{unit}": store.capacity(),
        }
        for q in ("p_charge_kw", "p_surplus_kw", "p_relief_kw"):
            key = q.removeprefix("p_").removesuffix("_kw") + "_e_kwh"
            by = np.bincount(codes, weights=c[q], minlength=len(PERIOD_NAMES))
            row[key] = float(c[q].sum())
            if q != "p_surplus_kw":
                row.update({f"{key}_{n}": float(v) for n, v in zip(PERIOD_NAMES, by, strict=True)})
        for q in ("charge", "discharge", "loss"):
            row[f"{q}_{unit}"] = float(c[q].sum())
        row["full_cycles"] = float(c["discharge"].sum()) / store.capacity() if store.capacity() > 0 else 0.0
        row["net_e_kwh"] = row["charge_e_kwh"] - row["relief_e_kwh"]
        out[store.name] = row
    return out


def hydrogen_kpis(setup: HeatSetup, heat: pd.DataFrame) -> dict[str, Any]:
    """The hydrogen store's year: hydrogen made, taken by its uses, wanted and not there, lost [kg]; the
    electricity the electrolysers and the compressor took [kWh] and per kg [kWh/kg]; the store's lowest, highest
    and last content [kg]; the renewable share of the hydrogen made (1 where every electrolyser runs on renewable
    surplus; None with none made) and of the hydrogen its uses, fuel cells and boilers took (the store's renewable
    pool, well mixed), the electrolysers' grid electricity [kWh]; per electrolyser its hydrogen [kg], full-load
    hours [h] and operating hours at the end [h].

    Parameters
    ----------
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        Its electrolysers and hydrogen store.
    heat : DataFrame
        The run's heat table.

    Returns
    -------
    dict
    """
    from lingtan.components.hydrogen import green_share

    store = setup.h2_stores[0].name
    q = {c: heat[f"{store}.{c}"].to_numpy() for c in H2_STORE_COLUMNS}
    el = sum(float((heat[f"{e.name}.p_kw"] + heat[f"{e.name}.compression_kw"]).sum()) for e in setup.electrolysers)
    made = float(q["charge_kg"].sum())
    made_g = min(float(q["green_charge_kg"].sum()), made)  # a surplus-only year sums to made, up to round-off
    share = green_share(made_g, made - made_g)
    used = float((q["offtake_kg"] + q["fuel_cell_kg"] + q["boiler_kg"]).sum())
    grid = sum(float(heat[f"{e.name}.grid_kw"].sum()) for e in setup.electrolysers)
    return {
        "made_kg": made,
        "offtake_kg": float(q["offtake_kg"].sum()),
        "unmet_kg": float(q["unmet_kg"].sum()),
        "loss_kg": float(q["loss_kg"].sum()),
        "fuel_cell_kg": float(q["fuel_cell_kg"].sum()),
        "fuel_cells": {
            c.name: {
                "p_e_kwh": float(heat[f"{c.name}.p_kw"].sum()),
                "heat_to_demand_e_kwh_th": float(heat[f"{c.name}.heat_to_demand_kw_th"].sum()),
                "heat_dumped_e_kwh_th": float(heat[f"{c.name}.heat_dumped_kw_th"].sum()),
            }
            for c in setup.fuel_cells
        },
        "boiler_kg": float(q["boiler_kg"].sum()),
        "boilers": {
            b.name: {
                "heat_to_demand_e_kwh_th": float(heat[f"{b.name}.heat_to_demand_kw_th"].sum()),
                "h2_kg": float(heat[f"{b.name}.h2_kg"].sum()),
            }
            for b in setup.h2_boilers
        },
        "electricity_e_kwh": el,
        "e_kwh_per_kg": el / made if made > 0 else None,
        "renewable_share": float(share) if made > 0 else None,
        "used_renewable_share": float(q["green_used_kg"].sum()) / used if used > 0 else None,
        "grid_e_kwh": grid,
        "store_min_kg": float(q["m_kg"].min(initial=np.inf)),
        "store_max_kg": float(q["m_kg"].max(initial=0.0)),
        "store_end_kg": float(q["m_kg"][-1]),
        "electrolysers": {
            e.name: {
                "made_kg": float(heat[f"{e.name}.h2_kg"].sum()),
                "full_load_h": float(heat[f"{e.name}.p_kw"].sum()) / e.capacity_p_kw if e.capacity_p_kw > 0 else 0.0,
                "operating_h_end": e.operating_h + float((heat[f"{e.name}.p_kw"] > 0).sum()),
            }
            for e in setup.electrolysers
        },
    }


def chp_kpis(setup: HeatSetup, heat: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Per combined heat and power unit: its electricity [kWh], fuel at NCV [kWh], heat to demands, to its
    absorption chillers and dumped [kWh_th], hours running and starts, full-load hours (electricity / rating) [h],
    and its electric and total (electricity + heat used, cooling's drive heat included) efficiencies over the year
    [-], None if it never ran.

    Parameters
    ----------
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        The run's heat side (its CHP units).
    heat : DataFrame
        The run's heat table (:func:`lingtan.twin.core.tables.heat_table`).

    Returns
    -------
    dict of str to dict
    """
    from lingtan.twin.core.tables import step_h

    dt_h = step_h(heat)
    out: dict[str, dict[str, float | None]] = {}
    for c in setup.chp:
        p = heat[f"{c.name}.p_kw"].to_numpy()
        el, fuel = float(p.sum()) * dt_h, float(heat[f"{c.name}.fuel_kw"].sum()) * dt_h
        cooled = [a.name for a in setup.chp_absorbers if a.source == c.name]
        to_cooling = sum(float(heat[f"{a}.drive_heat_kw_th"].sum()) for a in cooled) * dt_h
        used = float(heat[f"{c.name}.heat_to_demand_kw_th"].sum()) * dt_h + to_cooling
        on = p > 0
        out[c.name] = {
            "p_e_kwh": el,
            "fuel_e_kwh": fuel,
            "heat_to_demand_e_kwh_th": used - to_cooling,
            "heat_to_cooling_e_kwh_th": to_cooling,
            "heat_dumped_e_kwh_th": float(heat[f"{c.name}.heat_dumped_kw_th"].sum()) * dt_h,
            "running_h": float(on.sum()) * dt_h,
            "starts": float(np.count_nonzero(on[1:] & ~on[:-1]) + (1 if on.size and on[0] else 0)),
            "full_load_h": el / c.capacity_p_kw if c.capacity_p_kw > 0 else 0.0,
            "electric_efficiency": el / fuel if fuel > 0 else None,
            "total_efficiency": (el + used) / fuel if fuel > 0 else None,
        }
    return out


def ground_loop_kpis(setup: HeatSetup, heat: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Per ground loop: the heat drawn from the ground heating [kWh_th] (renewable heat: shallow geothermal),
    the electricity and heat of its heat pump heating [kWh, kWh_th] and their ratio (the seasonal COP [-], None
    if it never heated); cooling: the heat put into the ground [kWh_th], the cooling the heat pump and the
    space's chillers gave [kWh_th], the heat pump's electricity cooling [kWh] and its seasonal cooling COP
    [-]; the fluid's lowest, mean and highest temperature [C], and the hours at either cut-out (the fluid's
    floor heating, its ceiling cooling) [h].

    Parameters
    ----------
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        The run's heat side (its ground loops and which unit draws on which).
    heat : DataFrame
        The run's heat table (:func:`lingtan.twin.core.tables.heat_table`).

    Returns
    -------
    dict of str to dict
    """
    from lingtan.twin.core.tables import step_h

    dt_h = step_h(heat)
    out: dict[str, dict[str, float | None]] = {}
    for g, loop in enumerate(setup.ground_loops):
        units = setup.loop_units(g)
        made = sum(float((heat[f"{n}.heat_to_demand_kw_th"] + heat[f"{n}.heat_to_storage_kw_th"]).sum()) for n in units)
        el = sum(float((heat[f"{n}.p_base_kw"] + heat[f"{n}.p_surplus_kw"]).sum()) for n in units)
        t_f = heat[f"{loop.name}.t_fluid_c"]
        cooling = float(heat[f"{loop.name}.cooling_kw_th"].sum())
        p_cooling = float(heat[f"{loop.name}.p_cooling_kw"].sum())
        out[loop.name] = {
            "extracted_e_kwh_th": float(heat[f"{loop.name}.extracted_kw_th"].sum()) * dt_h,
            "heat_pump_heat_e_kwh_th": made * dt_h,
            "heat_pump_p_e_kwh": el * dt_h,
            "seasonal_cop": made / el if el > 0 else None,
            "t_fluid_min_c": float(t_f.min()),
            "t_fluid_mean_c": float(t_f.mean()),
            "at_cut_out_h": float((t_f <= loop.min_fluid_t_c + 1e-6).sum()) * dt_h,
            "injected_e_kwh_th": float(heat[f"{loop.name}.injected_kw_th"].sum()) * dt_h,
            "cooling_e_kwh_th": cooling * dt_h,
            "chiller_cooling_e_kwh_th": float(heat[f"{loop.name}.chiller_cooling_kw_th"].sum()) * dt_h,
            "cooling_p_e_kwh": p_cooling * dt_h,
            "seasonal_cooling_cop": cooling / p_cooling if p_cooling > 0 else None,
            "t_fluid_max_c": float(t_f.max()),
            "at_cooling_cut_out_h": float((t_f >= loop.max_fluid_t_c - 1e-6).sum()) * dt_h,
        }
    return out


def heat_kpis(setup: HeatSetup, heat: pd.DataFrame, scenario: Scenario) -> dict[str, Any]:
    """Annual heat KPIs of a single run, from its hourly heat table.

    ``waste_heat_recovery_rate`` follows GB/T 1028-2018's terms as Anhui's admission standard cites them
    (附件2, 3.4.4; 附件1, 2.1 "园区内余热余能回收率须达到10%及以上"): waste heat and energy recovered and
    delivered to a useful demand / all waste heat and energy resources of the boundary, per year. Two
    definitions are reported, the stricter being the default:

    ``whole_boundary`` (default)
        resources = the declared waste-heat streams + the heat rejected by electric loads by end use (data
        centres, chillers, cold stores, air compressors; :data:`lingtan.components.loads.HEAT_REJECTED_DEFAULTS`) and
        by electric space cooling (condenser heat) + declared waste energy (余压, 余气, 余冷, in kWh).
    ``declared_streams``
        resources = the declared streams and declared waste energy only.

    Recovered = heat delivered to a demand (:func:`_delivered_by_stream`): heat charged into a store and lost
    there, and heat-network pipe losses, are not recovered. Reported per stream, per kind, per temperature
    grade (:data:`GRADE_BOUNDS_C`) and per energy type (``heat`` 余热, ``pressure`` 余压, ``cold`` 余冷,
    ``gas`` 余气; two exhaust streams are one type). A rate with nothing to recover is None
    ("not applicable"), never 0.

    Parameters
    ----------
    setup : lingtan.twin.core.heat_profiles.HeatSetup
        The run's heat profiles (streams, rejected heat, units, stores, demands).
    heat : DataFrame
        The run's hourly heat table, ``<name>.<quantity>_kw_th`` and ``<unit>.p_*_kw`` columns [kW_th, kW].
    scenario : Scenario
        The factory (its thermal stores, boilers and purchased heat).

    Returns
    -------
    dict
        ``definition`` (texts); recovery rates ``waste_heat_recovery_rate*`` [-] or None, overall and
        ``_by_stream``/``_by_kind``/``_by_grade``/``_by_type``/``_by_type_declared``; available and recovered
        heat ``waste_heat_*_e_kwh_th`` [kWh_th]; ``thermal_storage_e_kwh_th``; ``heat_demand_e_kwh_th`` and
        ``heat_served_e_kwh_th`` by source [kWh_th]; ``fuel_use`` by fuel (physical unit, [kWh] at NCV,
        [kgce]); ``purchased_heat``; ``heat_share_recovered_or_renewable`` [-]; ``production_availability``
        [-]; ``warnings``.
    """
    from lingtan.components.heat import boiler_fuel, fuel_burnt, purchased_heat_totals
    from lingtan.components.process import WASTE_ENERGY_TYPE_ZH
    from lingtan.twin.core.tables import BALANCE_TOL_KWH

    e = {c: float(heat[c].sum()) for c in heat.columns}
    out: dict[str, Any] = {  # a JSON record: numbers, texts and nested tables
        "definition": {
            "waste_heat_recovery_rate": "whole boundary (GB/T 1028-2018 terms, the stricter reading): waste heat and "
            "energy delivered to a useful demand (direct exchange, heat pump source heat, "
            "heat network after pipe losses, thermal stores in the share they delivered) / "
            "all waste heat and energy resources of the boundary (declared streams + heat "
            "rejected by electric loads and cooling, estimated from the simulated "
            "electricity + declared 余压/余气/余冷), kWh per year",
            "waste_heat_recovery_rate_declared_streams": "the same recovered heat / declared streams and declared "
            "waste energy only",
            "types": dict(WASTE_ENERGY_TYPE_ZH),
            "grades_c": {
                "low": f"< {GRADE_BOUNDS_C[0]:g}",
                "medium": f"{GRADE_BOUNDS_C[0]:g}-{GRADE_BOUNDS_C[1]:g}",
                "high": f">= {GRADE_BOUNDS_C[1]:g}",
                "source": "project convention (GB/T 1028 grading not available)",
            },
        }
    }
    rec = _delivered_by_stream(setup, heat, scenario, e)
    # name -> (kind, grade or None, type, available, recovered, declared?)
    items: list[tuple[str, str, str | None, str, float, float, bool]] = [
        (st.name, st.kind, heat_grade(st.t_c), "heat", e[f"{st.name}.available_kw_th"], rec[st.name], True)
        for st in setup.streams
    ]
    items += [
        (r.name, r.end_use, heat_grade(r.t_c), "heat", float(r.available_kw_th.sum()), 0.0, False)
        for r in setup.rejected
        if r.available_kw_th.any()
    ]
    # A space a ground loop cools rejects its cooling plus the machines' electricity, into the ground or the air.
    items += [
        (
            f"{space}.condenser",
            "cooling",
            heat_grade(CONDENSER_T_C),
            "heat",
            sum(e[f"{loop}.{q}"] for q in ("injected_kw_th", "chiller_cooling_kw_th", "chiller_p_kw")),
            0.0,
            False,
        )
        for loop, space in setup.ground_cooled.items()
    ]
    # Heat a CHP unit or a fuel cell dumped (no demand it serves wanted it): rejected heat of the boundary, like a
    # condenser's.
    items += [
        (f"{c.name}.dumped", kind, heat_grade(c.t_c), "heat", e[f"{c.name}.heat_dumped_kw_th"], 0.0, False)
        for kind, units in (("chp", setup.chp), ("fuel_cell", setup.fuel_cells))
        for c in units
        if e[f"{c.name}.heat_dumped_kw_th"] > BALANCE_TOL_KWH * len(heat)  # not a heat-led unit's round-off
    ]
    items += [
        (f"{line}.{d.name}", d.type, None, d.type, d.e_kwh(d.resource_per_year), d.e_kwh(d.recovered_per_year), True)
        for line, d in setup.declared_energy
    ]
    out.update(waste_heat_rates(items))
    out["waste_heat_charged_not_delivered_e_kwh_th"] = sum(
        e[f"{st.name}.recovered_kw_th"] for st in setup.streams
    ) - sum(rec.values())
    out["warnings"] = heat_rejection_warnings(setup)
    stores = {
        n: {q: e[f"{n}.{q}_kw_th"] for q in ("charge_recovered", "charge_p2h", "discharge", "loss")}
        for n in setup.store_names
    }
    out["thermal_storage_e_kwh_th"] = stores
    out["warnings"] += [
        f"thermal store {n!r} loses more heat ({v['loss']:.0f} kWh_th) than it delivers ({v['discharge']:.0f} kWh_th)"
        for n, v in stores.items()
        if v["loss"] > v["discharge"]
    ]

    demand = sum(e[f"{d}.demand_kw_th"] for d in setup.demand_names)
    by_source = {
        "recovered_direct": sum(e[f"{d}.from_recovery_kw_th"] for d in setup.demand_names),
        "heat_network": sum(e[f"{d}.from_heat_network_kw_th"] for d in setup.demand_names),
        "thermal_storage": sum(e[f"{d}.from_storage_kw_th"] for d in setup.demand_names),
    }
    for name in setup.unit_names:
        by_source[name] = e[f"{name}.heat_to_demand_kw_th"]
    for name in setup.boiler_names:
        by_source[name] = e[f"{name}.heat_kw_th"]
    for name in [c.name for c in setup.chp] + [f.name for f in setup.fuel_cells] + [b.name for b in setup.h2_boilers]:
        by_source[name] = e[f"{name}.heat_to_demand_kw_th"]
    by_source["unserved"] = sum(e[f"{d}.unserved_kw_th"] for d in setup.demand_names)
    out["heat_demand_e_kwh_th"] = demand
    out["heat_served_e_kwh_th"] = by_source
    fuels: dict[str, dict[str, Any]] = {}  # per fuel: its unit (text) and three sums
    burnt = [boiler_fuel(heat[f"{b.name}.heat_kw_th"].to_numpy(), b) for b in scenario.boilers if b.fuel != "electric"]
    burnt += [fuel_burnt(e[f"{c.name}.fuel_kw"], c.fuel) for c in setup.chp]  # what the kernel burnt, at NCV
    for f in burnt:
        agg = fuels.setdefault(f["fuel"], {"unit": f["unit"], "quantity": 0.0, "fuel_e_kwh": 0.0, "kgce": 0.0})
        agg["quantity"] += float(np.sum(f["fuel_units"]))
        agg["fuel_e_kwh"] += float(np.sum(f["fuel_e_kwh"]))
        agg["kgce"] += float(np.sum(f["kgce"]))
    out["fuel_use"] = fuels
    out["purchased_heat"] = {
        h.name: {
            k: float(np.sum(v)) if not isinstance(v, str) else v
            for k, v in purchased_heat_totals(heat[f"{h.name}.heat_kw_th"].to_numpy(), h).items()
        }
        for h in scenario.purchased_heat
    }
    # Heat to demands from recovered or renewable sources: direct exchange; thermal stores (charged only by
    # recovered heat or renewable surplus); power-to-heat run on renewable surplus; and the source heat of
    # heat pumps run on the bus. The electricity of bus-run units is counted as not renewable (conservative).
    green = by_source["recovered_direct"] + by_source["heat_network"] + by_source["thermal_storage"]
    # hydrogen boilers burn hydrogen made of renewable surplus only (the electrolysers run on nothing else)
    green += sum(by_source[b.name] for b in setup.h2_boilers)
    for name in setup.unit_names:
        # The COP the unit ran at: a ground-source unit's moves with its loop, not with a profile.
        made = heat[f"{name}.heat_to_demand_kw_th"] + heat[f"{name}.heat_to_storage_kw_th"]
        el = (heat[f"{name}.p_base_kw"] + heat[f"{name}.p_surplus_kw"]).to_numpy()
        cop = np.divide(made.to_numpy(), el, out=np.zeros_like(el), where=el > 0)
        surplus_heat = heat[f"{name}.p_surplus_kw"].to_numpy() * cop - heat[f"{name}.heat_to_storage_kw_th"]
        base_source = heat[f"{name}.p_base_kw"].to_numpy() * np.maximum(cop - 1.0, 0.0)
        green += float(np.sum(np.maximum(surplus_heat, 0.0)) + np.sum(base_source))
    out["heat_share_recovered_or_renewable"] = _rate(green, demand)
    out["absorption_chillers"] = {
        name: {
            "cooling_e_kwh_th": float(setup.absorption_cooling_kw_th[a].sum()),
            "drive_heat_e_kwh_th": float(setup.absorption_drive_kw_th[a].sum()),
        }
        for a, name in enumerate(setup.absorption_names)
    } | {
        ch.name: {
            "cooling_e_kwh_th": e[f"{ch.name}.cooling_kw_th"],
            "drive_heat_e_kwh_th": e[f"{ch.name}.drive_heat_kw_th"],
            "electricity_saved_e_kwh": e[f"{ch.name}.p_relief_kw"],
        }
        for ch in setup.chp_absorbers
    }
    out["cooling"] = {
        space: {
            f"{q}_e_kwh_th": e[f"{space}.cooling_{q}_kw_th"]
            for q in ("demand", "from_absorption", "from_store", "from_chillers")
        }
        for space in setup.space_cooling_kw_th
    }
    out["chp"] = chp_kpis(setup, heat)
    out["ground_loops"] = ground_loop_kpis(setup, heat)
    out["ground_heat_e_kwh_th"] = sum(g["extracted_e_kwh_th"] for g in out["ground_loops"].values())
    out["production_availability"] = setup.line_availability
    return out
