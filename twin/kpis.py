"""Annual electricity KPIs from the kernel's totals, vectorised over configurations.

Single runs and sweeps call the same function on the same totals, so a sweep's
row and a single run's ``kpis.json`` agree by construction.

Definitions (DESIGN.md, "KPI definitions")
------------------------------------------
``total consumption``
    grid import + on-site renewable generation - export - curtailment.
    Battery losses therefore count as consumption, as does any change of the
    battery's stored energy over the year (reported as
    ``battery_stored_change_e_kwh``; the battery starts at ``soc_initial``).
``re_electricity_share_onsite``
    renewable electricity consumed on site / total consumption, where
    renewable consumed = renewable generation - renewable export - curtailment.
    Battery losses on renewable energy count as renewable consumed. A battery
    charged from the grid passes grid energy through, never renewable energy,
    because the kernel tracks the two pools apart.
``self_consumption_share``
    share of renewable generation used on site (not exported, not curtailed).
``self_sufficiency_share``
    share of the electric demand met through the bus (site loads and power-to-heat
    allowed on grid power) served by renewables, directly or through the battery.
``power_to_heat_e_kwh``
    electricity into heat pumps and electric boilers, of which
    ``power_to_heat_from_surplus_e_kwh`` was renewable surplus.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from components.battery import equivalent_full_cycles
from twin.dispatch import DispatchResult


def _ratio(num, den):
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def electric_kpis(res: DispatchResult, *, pv_e_kwh, wind_e_kwh, energy_kwh, soc_min, soc_max,
                  grid_cost_cny) -> dict[str, np.ndarray]:
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

    Returns
    -------
    dict of str to ndarray, shape (N,)
    """
    t = res.total
    re_gen = t("re_generation")
    export = t("re_to_grid")
    curtailed = t("re_curtailed")
    grid_import = t("grid_to_load") + t("grid_to_battery")
    discharge = t("battery_re_to_load") + t("battery_grid_to_load")
    charge = t("re_to_battery") + t("grid_to_battery")
    consumption = grid_import + re_gen - export - curtailed
    re_consumed = re_gen - export - curtailed
    served = t("load") - t("unserved")
    return {
        "load_e_kwh": t("load") - t("heat_load"),
        "power_to_heat_e_kwh": t("heat_load") + t("re_to_heat"),
        "power_to_heat_from_surplus_e_kwh": t("re_to_heat"),
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
        "curtailed_e_kwh": curtailed,
        "battery_charge_e_kwh": charge,
        "battery_discharge_e_kwh": discharge,
        "battery_losses_e_kwh": t("battery_loss_re") + t("battery_loss_grid"),
        "battery_stored_change_e_kwh": t("battery_e_end") - t("battery_e_start"),
        "battery_equivalent_full_cycles": equivalent_full_cycles(discharge, energy_kwh, soc_min, soc_max),
        "total_consumption_e_kwh": consumption,
        "re_consumed_e_kwh": re_consumed,
        "re_electricity_share_onsite": _ratio(re_consumed, consumption),
        "self_consumption_share": _ratio(re_consumed, re_gen),
        "self_sufficiency_share": _ratio(t("re_to_load") + t("battery_re_to_load"), served),
        "peak_import_kw": t("peak_import_kw"),
        "grid_cost_cny": np.asarray(grid_cost_cny, dtype=float),
    }


GRADE_BOUNDS_C = (120.0, 400.0)
"""Waste-heat temperature grades: low below 120 C, medium 120-400 C, high from 400 C.

A project convention, stated in every report: the GB/T 1028 grading was not
available to the project (``../shared/facts/standards.md``, "Waste heat")."""


def _grade(t_c: float) -> str:
    return "low" if t_c < GRADE_BOUNDS_C[0] else ("medium" if t_c < GRADE_BOUNDS_C[1] else "high")


def heat_kpis(setup, heat: "pd.DataFrame", scenario) -> dict:
    """Annual heat KPIs of a single run, from its hourly heat table.

    ``waste_heat_recovery_rate`` = waste heat recovered and put to use / waste heat
    available at the source, both in kWh_th over the year. Recovered and put to
    use: heat delivered by direct exchange, heat taken into thermal stores, and
    heat drawn by heat pumps from waste streams. The denominator is every stream's
    heat while its line runs, as declared in the scenario (``waste_heat`` of each
    production line). Reported overall, per stream, per stream kind and per
    temperature grade (:data:`GRADE_BOUNDS_C`).
    """
    from components.heat import boiler_fuel, purchased_heat_totals

    e = {c: float(heat[c].sum()) for c in heat.columns}
    out: dict = {"definition": {
        "waste_heat_recovery_rate": "waste heat recovered and used (direct exchange + into thermal storage + heat "
                                    "pump source heat + delivered through a park heat network, pipe losses not "
                                    "counted) / waste heat available at the source, kWh_th per year",
        "grades_c": {"low": f"< {GRADE_BOUNDS_C[0]:g}", "medium": f"{GRADE_BOUNDS_C[0]:g}-{GRADE_BOUNDS_C[1]:g}",
                     "high": f">= {GRADE_BOUNDS_C[1]:g}", "source": "project convention (GB/T 1028 grading not "
                                                                     "available)"}}}
    avail = {st.name: e[f"{st.name}.available_kw_th"] for st in setup.streams}
    rec = {st.name: e[f"{st.name}.recovered_kw_th"] for st in setup.streams}
    total_avail, total_rec = sum(avail.values()), sum(rec.values())
    out["waste_heat_available_e_kwh_th"] = total_avail
    out["waste_heat_recovered_e_kwh_th"] = total_rec
    out["waste_heat_recovery_rate"] = total_rec / total_avail if total_avail > 0 else 0.0
    groups: dict[str, dict[str, list[float]]] = {"by_stream": {}, "by_kind": {}, "by_grade": {}}
    for st in setup.streams:
        for group, key in (("by_stream", st.name), ("by_kind", st.kind), ("by_grade", _grade(st.t_c))):
            a = groups[group].setdefault(key, [0.0, 0.0])
            a[0] += avail[st.name]
            a[1] += rec[st.name]
    for group, items in groups.items():
        out[f"waste_heat_recovery_rate_{group}"] = {k: (v[1] / v[0] if v[0] > 0 else 0.0) for k, v in items.items()}
        out[f"waste_heat_available_e_kwh_th_{group}"] = {k: v[0] for k, v in items.items()}

    demand = sum(e[f"{d}.demand_kw_th"] for d in setup.demand_names)
    by_source = {"recovered_direct": sum(e[f"{d}.from_recovery_kw_th"] for d in setup.demand_names),
                 "heat_network": sum(e[f"{d}.from_heat_network_kw_th"] for d in setup.demand_names),
                 "thermal_storage": sum(e[f"{d}.from_storage_kw_th"] for d in setup.demand_names)}
    for u, name in enumerate(setup.unit_names):
        by_source[name] = e[f"{name}.heat_to_demand_kw_th"]
    for name in setup.boiler_names:
        by_source[name] = e[f"{name}.heat_kw_th"]
    by_source["unserved"] = sum(e[f"{d}.unserved_kw_th"] for d in setup.demand_names)
    out["heat_demand_e_kwh_th"] = demand
    out["heat_served_e_kwh_th"] = by_source
    fuels: dict[str, dict] = {}
    for b in scenario.boilers:
        if b.fuel == "electric":
            continue
        f = boiler_fuel(heat[f"{b.name}.heat_kw_th"].to_numpy(), b)
        agg = fuels.setdefault(b.fuel, {"unit": f["unit"], "quantity": 0.0, "fuel_e_kwh": 0.0, "kgce": 0.0})
        agg["quantity"] += float(np.sum(f["fuel_units"]))
        agg["fuel_e_kwh"] += float(np.sum(f["fuel_e_kwh"]))
        agg["kgce"] += float(np.sum(f["kgce"]))
    out["fuel_use"] = fuels
    out["purchased_heat"] = {h.name: {k: float(np.sum(v)) if not isinstance(v, str) else v
                                      for k, v in purchased_heat_totals(heat[f"{h.name}.heat_kw_th"].to_numpy(),
                                                                        h).items()}
                             for h in scenario.purchased_heat}
    # Heat to demands from recovered or renewable sources: direct exchange; thermal stores (charged only by
    # recovered heat or renewable surplus); power-to-heat run on renewable surplus; and the source heat of
    # heat pumps run on the bus. The electricity of bus-run units is counted as not renewable (conservative).
    green = by_source["recovered_direct"] + by_source["heat_network"] + by_source["thermal_storage"]
    for u, name in enumerate(setup.unit_names):
        cop = setup.system.unit_cop[u]
        surplus_heat = heat[f"{name}.p_surplus_kw"].to_numpy() * cop - heat[f"{name}.heat_to_storage_kw_th"]
        base_source = heat[f"{name}.p_base_kw"].to_numpy() * np.maximum(cop - 1.0, 0.0)
        green += float(np.sum(np.maximum(surplus_heat, 0.0)) + np.sum(base_source))
    out["heat_share_recovered_or_renewable"] = green / demand if demand > 0 else 0.0
    out["production_availability"] = setup.line_availability
    return out
