"""Economics over the life of a plant, year by year (``economics.life: series``).

The annuity of :func:`lingtan.twin.studies.economics.project_economics` repeats the simulated year for
every year of the analysis period. Here each year ``y = 1..N`` has the plant of that year instead:

* **PV**: every array is ``y - 1`` years older than written, so its DC factor
  ``(1 - degradation_fraction_per_year) ** age`` (lingtan.components.pv) falls year by year.
* **Load**: every electric load is multiplied by ``(1 + load_growth_per_year) ** (y - 1)``.
* **Tariff**: import energy prices and basic charges are multiplied by
  ``(1 + tariff_escalation_per_year) ** (y - 1)``, the feed-in price is held (the convention of
  :func:`lingtan.twin.studies.uncertainty.scale_tariff`). The bill scales exactly: the rule-based
  dispatch decides by TOU period, never by price level, so the flows do not change with the level.
* **Battery** (one with an ``ageing`` record): capacity ``soh_start x energy_kwh`` and one-way
  efficiencies from the resistance ratio (:func:`lingtan.components.battery_ageing.soh_by_year`),
  driven by the state of charge the dispatch gave in the years before (stored energy over that
  year's capacity) at a constant cell temperature ``battery_cell_t_c`` (default 25 degC, assumed:
  an air-conditioned container). A year's own resistance ratio is its mean over the year, with
  the year's state of charge forecast as that of the last simulated year. Replacement at the end
  of the year whose end-of-year SoH reaches the floor, the next year starts new, the replacement
  cost (``replacement_cost_fraction x capex``) in that year. A battery without ``ageing`` keeps
  its capacity and the fixed life of its costs, as in the annuity.
* **Year 1** is the run as simulated (the scenario as written, a new battery), so a plant that does
  not change gives the annuity's figures exactly.

Which years are simulated
-------------------------
Year 1 and year N always. By default (``life_simulate_every_years: null``) a year in between is
simulated when one of its states (PV DC factor, load scale, battery capacity, battery round-trip
efficiency) differs by more than ``life_change_threshold`` (default 1 %) from the last simulated
year: a battery replacement always triggers one, and PV at 0.5 %/yr is simulated every other
year or so. With ``life_simulate_every_years: k`` years 1, 1 + k, 1 + 2k, ... and N are
simulated. Energies and costs of the years in between are interpolated linearly between the
simulated years on either side; their battery ages with the last simulated state of charge.

Money (real CNY, costs positive, HOMER's conventions of the economics module)
-----------------------------------------------------------------------------
Capital at year 0; O&M, the operating costs and replacements at the end of their year; salvage at
year N as a revenue: the straight line of the economics module for every asset with a fixed life,
and for an ageing battery the replacement cost times its remaining useful capacity
``(SoH_N - floor) / (1 - floor)`` (the same straight line, on capacity instead of years).
NPC is the discounted sum of the cost flows; LCOE of on-site supply is the discounted cost of PV
and wind over their discounted generation (NREL's levelised cost, which equals the annuity's
``annualised cost / generation`` when generation is constant). Against a base case (run the same
way) the difference flows give simple and discounted payback, NPV and IRR.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lingtan.components.battery_ageing import round_trip_efficiency, soh_by_year
from lingtan.errors import InputError
from lingtan.twin.core.schema.economics import Economics
from lingtan.twin.studies.economics import (
    annual_operating_costs,
    annualised_cost,
    compare,
    discount_factor,
    energies,
    irr,
    npv,
    project_economics,
    replacement_schedule,
)

if TYPE_CHECKING:
    from lingtan.twin.core.scenario import Scenario
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.run import Profiles, RunResult
    from lingtan.twin.studies.park import ParkResult

_FLOWS = (
    "pv_e_kwh",
    "wind_e_kwh",
    "battery_discharge_e_kwh",
    "load_e_kwh",
    "grid_import_e_kwh",
    "energy_charge_cny",
    "basic_charge_cny",
    "feed_in_revenue_cny",
    "other_operating_cny",
)
"""What a simulated year gives the series, interpolated in the years between: energies [kWh/yr], the bill's
parts at the written tariff and the other operating costs (fuel, green power, certificates, credits, carbon)
[CNY/yr]."""

_STATES = ("pv_factor", "load_scale", "battery_capacity_fraction", "battery_round_trip_efficiency")
"""The plant states whose change triggers a simulated year."""


# --------------------------------------------------------------------------- the plant of one year


def _pv_factor(scenario: Scenario, year: int) -> float:
    """Capacity-weighted DC factor of the PV arrays in ``year`` (1 when there is no PV) [-]."""
    kwp = sum(a.capacity_kwp for a in scenario.pv)
    if kwp <= 0:
        return 1.0
    return (
        sum(a.capacity_kwp * (1 - a.degradation_fraction_per_year) ** (a.age_years + year - 1) for a in scenario.pv)
        / kwp
    )


def _step_h(index: pd.DatetimeIndex) -> float:
    return (index[1] - index[0]).total_seconds() / 3600.0 if len(index) > 1 else 1.0


def _battery_states(bat, soc_rows: list[np.ndarray], eco: Economics, step_h: float):
    """:func:`soh_by_year` of the battery over ``len(soc_rows)`` years of state of charge."""
    return soh_by_year(
        np.vstack(soc_rows),
        eco.battery_cell_t_c,
        bat.energy_kwh,
        len(soc_rows),
        bat.ageing.soh_floor,
        bat.ageing.parameters,
        step_h=step_h,
        charge_efficiency=bat.charge_efficiency,
        discharge_efficiency=bat.discharge_efficiency,
    )


def _simulate_year(scenario: Scenario, prof: Profiles, year: int, load_scale: float, battery: dict | None):
    """One year of the life: PV aged, loads scaled, the battery at its capacity and efficiencies."""
    from dataclasses import replace

    from lingtan.twin.run import renewable_units, simulate_profiles

    pv = [a.model_copy(update={"age_years": a.age_years + year - 1}) for a in scenario.pv]
    update: dict[str, Any] = {"pv": pv}
    if battery is not None:
        update["battery"] = [scenario.battery[0].model_copy(update=battery)]
    sc = scenario.model_copy(update=update)
    rows, _, _ = renewable_units(pv, scenario.wind, prof.weather, scenario.site)
    pr = replace(prof, unit_kw=np.vstack(rows) if rows else prof.unit_kw, load_kw=prof.load_kw * load_scale)
    return simulate_profiles(sc, pr)


def _flows(result: RunResult, scenario: Scenario, eco: Economics) -> dict[str, float]:
    """The :data:`_FLOWS` of a simulated year."""
    ops = annual_operating_costs(result, scenario, eco)
    bill = result.kpis["grid_bill_cny"]
    out = {k: float(v) for k, v in energies(result).items()}
    out.update(
        load_e_kwh=float(result.kpis["load_e_kwh"]),
        grid_import_e_kwh=float(result.kpis["grid_import_e_kwh"]),
        energy_charge_cny=float(bill["energy_charge_cny"]),
        basic_charge_cny=float(bill["basic_charge_cny"]),
        feed_in_revenue_cny=float(bill["feed_in_revenue_cny"]),
        other_operating_cny=float(ops["total_cny"] - ops["grid_bill_cny"]),
    )
    return out


def _changed(state: dict[str, float], last: dict[str, float], threshold: float) -> bool:
    return any(abs(state[k] - last[k]) > threshold * abs(last[k]) for k in _STATES)


def year_series(result: RunResult, base_dir: str | Path, eco: Economics) -> dict[str, Any]:
    """Energies, bill parts and plant state of every year of the analysis period.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        Year 1: the scenario as written, simulated.
    base_dir : path
        Folder of the scenario file (its relative paths start there).
    eco : Economics
        The growth and escalation rates, which years to simulate, the cell temperature.

    Returns
    -------
    dict
        ``years``: one dict per year 1..N with ``year``, ``simulated`` (bool), the states ``pv_factor``,
        ``load_scale``, ``tariff_scale`` [-], ``battery_capacity_kwh`` [kWh], ``battery_capacity_fraction``,
        ``battery_round_trip_efficiency`` [-], with an ageing battery ``battery_soh_end`` [-] (before any
        replacement), and the :data:`_FLOWS`; ``battery_replacement_years`` (list of int) and
        ``battery_soh_end`` [-] (SoH at the end of year N, None without an ageing battery).
    """
    from lingtan.twin.run import build_profiles

    scenario = result.scenario
    n = eco.analysis_period_years
    prof = build_profiles(scenario, Path(base_dir))
    step_h = _step_h(prof.index)
    bat = scenario.battery[0] if scenario.battery else None
    ageing = bat is not None and bat.ageing is not None and bat.energy_kwh > 0
    new_rte = float(round_trip_efficiency(1.0, bat.charge_efficiency, bat.discharge_efficiency)) if bat else 1.0

    years: list[dict[str, Any]] = []
    soc_rows: list[np.ndarray] = []
    last_sim: dict[str, Any] | None = None
    soc_last = None
    for y in range(1, n + 1):
        state = {
            "pv_factor": _pv_factor(scenario, y),
            "load_scale": (1 + eco.load_growth_per_year) ** (y - 1),
            "tariff_scale": (1 + eco.tariff_escalation_per_year) ** (y - 1),
            "battery_capacity_kwh": bat.energy_kwh if bat else 0.0,
            "battery_capacity_fraction": 1.0,
            "battery_round_trip_efficiency": new_rte,
        }
        battery = None
        if ageing and y > 1:
            ab = _battery_states(bat, [*soc_rows, soc_last], eco, step_h)
            ratio = ab.resistance_ratio[-1]
            state.update(
                battery_capacity_kwh=float(ab.capacity_start_kwh[-1]),
                battery_capacity_fraction=float(ab.soh_start[-1]),
                battery_round_trip_efficiency=float(ab.round_trip_efficiency[-1]),
            )
            # One-way efficiencies by the module's resistance proxy (the other direction held lossless).
            battery = {
                "energy_kwh": state["battery_capacity_kwh"],
                "charge_efficiency": float(round_trip_efficiency(ratio, bat.charge_efficiency, 1.0)),
                "discharge_efficiency": float(round_trip_efficiency(ratio, 1.0, bat.discharge_efficiency)),
            }
        every = eco.life_simulate_every_years
        simulate = (
            y == 1
            or y == n
            or ((y - 1) % every == 0 if every else _changed(state, last_sim, eco.life_change_threshold))
        )
        row = dict(state, year=y, simulated=simulate)
        if simulate:
            res = result if y == 1 else _simulate_year(scenario, prof, y, state["load_scale"], battery)
            row.update(_flows(res, res.scenario, eco))
            if last_sim is not None:
                _interpolate(years, last_sim, row)
            last_sim = row
            if ageing:
                e = res.hourly["battery_e_kwh"].to_numpy(dtype=float)
                soc_last = np.clip(e / state["battery_capacity_kwh"], 0.0, 1.0)
        years.append(row)
        if ageing:
            soc_rows.append(soc_last)
    out: dict[str, Any] = {"years": years, "battery_replacement_years": [], "battery_soh_end": None}
    if ageing:
        ab = _battery_states(bat, soc_rows, eco, step_h)
        out["battery_replacement_years"] = [t for t in ab.replacement_years if t < n]  # none at N (HOMER)
        out["battery_soh_end"] = float(ab.soh_end[-1])
        for row, soh in zip(years, ab.soh_end, strict=True):
            row["battery_soh_end"] = float(soh)
    return out


def _interpolate(years: list[dict[str, Any]], a: dict[str, Any], b: dict[str, Any]) -> None:
    """Fill the flows of the years between the simulated years ``a`` and ``b``, linearly."""
    for row in years:
        if a["year"] < row["year"] < b["year"]:
            w = (row["year"] - a["year"]) / (b["year"] - a["year"])
            row.update({k: a[k] + w * (b[k] - a[k]) for k in _FLOWS})


# --------------------------------------------------------------------------- the economics of the series


def life_economics(
    result: RunResult,
    base_dir: str | Path,
    economics: Economics | None = None,
    base: RunResult | None = None,
    base_dir_of_base: str | Path | None = None,
) -> dict[str, Any]:
    """:func:`lingtan.twin.studies.economics.project_economics` from the year-by-year series.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        Year 1 of a factory, simulated.
    base_dir : path
        Folder of its scenario file.
    economics : Economics, optional
        Defaults to the scenario's ``economics`` section.
    base : lingtan.twin.run.RunResult, optional
        The base case, run through the same years (same growth, escalation and settings).
    base_dir_of_base : path, optional
        Folder of the base case's scenario file; default ``base_dir``.

    Returns
    -------
    dict
        The keys of ``project_economics`` (``annual`` is year 1's) with ``method = "series"``; ``npc_cny``,
        ``annualised_cost_cny``, the LCOEs and each asset's present values from the series; ``life``:
        ``years`` (per year the states, energies [kWh], ``grid_bill_cny``, ``other_operating_cny``,
        ``om_cny``, ``replacement_cny``, ``salvage_cny`` and ``cost_cny``, the year's cash flow, costs
        positive [CNY]), ``cost_flows_cny`` (years 0..N [CNY]), ``simulated_years`` and the battery's
        replacements; with a base, ``versus_base`` adds ``irr`` and ``npv_cny`` of the difference flows.

    Raises
    ------
    InputError
        For a park (the series runs one factory).
    """
    if hasattr(result, "tenants"):
        raise InputError(None, "economics.life", "annuity for a park (the series runs one factory)", "series")
    scenario = result.scenario
    eco = economics or scenario.economics
    i, n = eco.discount_rate, eco.analysis_period_years
    out = project_economics(result, scenario, eco)
    series = year_series(result, base_dir, eco)
    years = series["years"]
    by_kind = {"pv": "pv_e_kwh", "wind": "wind_e_kwh", "battery": "battery_discharge_e_kwh"}
    sizes: dict[str, float] = {}
    for a in out["assets"]:
        sizes[a["kind"]] = sizes.get(a["kind"], 0.0) + _size(a)

    df = np.array([discount_factor(i, t) for t in range(n + 1)])
    flows = np.zeros(n + 1)
    onsite_flows = np.zeros(n + 1)
    for row in years:
        row.update(om_cny=0.0, replacement_cny=0.0, salvage_cny=0.0)
    ageing_kind = "battery" if series["battery_soh_end"] is not None else None
    for a in out["assets"]:
        c = eco.cost(a["kind"])
        rep_cost = a["capex_cny"] * c.replacement_cost_fraction
        f = np.zeros(n + 1)
        f[0] = a["capex_cny"]
        om = np.zeros(n + 1)
        share = _size(a) / sizes[a["kind"]] if sizes[a["kind"]] > 0 else 0.0
        for row in years:
            var = c.variable_om_cny_per_kwh * row.get(by_kind.get(a["kind"], ""), 0.0) * share
            om[row["year"]] = a["fixed_om_cny_per_year"] + var
            row["om_cny"] += om[row["year"]]
        if a["kind"] == ageing_kind:
            reps = list(series["battery_replacement_years"])
            floor = scenario.battery[0].ageing.soh_floor
            salvage = rep_cost * max(0.0, series["battery_soh_end"] - floor) / (1 - floor)
        else:
            times, remaining = replacement_schedule(c.lifetime_years, n)
            reps = [int(math.ceil(t - 1e-9)) for t in times]
            salvage = rep_cost * remaining / c.lifetime_years
        for t in reps:
            f[t] += rep_cost
            years[t - 1]["replacement_cny"] += rep_cost
        f[n] -= salvage
        years[n - 1]["salvage_cny"] += salvage
        f += om
        a_npc = float(f @ df)
        a.update(
            replacement_years=[float(t) for t in reps],
            replacement_pv_cny=float(sum(rep_cost * df[t] for t in reps)),
            salvage_pv_cny=salvage * df[n],
            om_pv_cny=float(om @ df),
            npc_cny=a_npc,
            annualised_cost_cny=annualised_cost(a_npc, i, n),
        )
        flows += f
        if a["kind"] in ("pv", "wind"):
            onsite_flows += f

    for row in years:
        s = row["tariff_scale"]
        row["grid_bill_cny"] = s * (row["energy_charge_cny"] + row["basic_charge_cny"]) - row["feed_in_revenue_cny"]
        row["operating_cny"] = row["grid_bill_cny"] + row["other_operating_cny"]
        flows[row["year"]] += row["operating_cny"]
        row["cost_cny"] = row["om_cny"] + row["replacement_cny"] - row["salvage_cny"] + row["operating_cny"]
    total_npc = float(flows @ df)
    operating_npc = float(sum(row["operating_cny"] * df[row["year"]] for row in years))
    gen = np.array([0.0] + [row["pv_e_kwh"] + row["wind_e_kwh"] for row in years])
    gen_pv = float(gen @ df)
    storage_npc = sum(a["npc_cny"] for a in out["assets"] if a["kind"] == "battery")
    out.update(
        method="series",
        asset_npc_cny=total_npc - operating_npc,
        operating_npc_cny=operating_npc,
        npc_cny=total_npc,
        annualised_cost_cny=annualised_cost(total_npc, i, n),
        lcoe_onsite_cny_per_kwh=float(onsite_flows @ df) / gen_pv if gen_pv > 0 else math.nan,
        lcoe_onsite_with_storage_cny_per_kwh=(float(onsite_flows @ df) + storage_npc) / gen_pv
        if gen_pv > 0
        else math.nan,
        life={
            "method": "series",
            "years": years,
            "cost_flows_cny": flows.tolist(),
            "simulated_years": [r["year"] for r in years if r["simulated"]],
            "battery_replacement_years": series["battery_replacement_years"],
            "battery_soh_end": series["battery_soh_end"],
            "battery_cell_t_c": eco.battery_cell_t_c,
        },
    )
    out["formulas"] = dict(
        out["formulas"],
        npc="sum over years 0..N of the cost flow x (1+i)^-t, each year from its own plant (series)",
        lcoe_onsite="PV(cost of PV + wind) / PV(their generation) (NREL levelised cost, series)",
    )
    if base is not None:
        out["versus_base"] = compare(out, life_economics(base, base_dir_of_base or base_dir, eco))
    return out


def _size(asset: dict[str, Any]) -> float:
    return asset.get("kwp", asset.get("kwh", asset.get("kw", 0.0)))


def run_economics(
    result: RunResult | ParkResult,
    base_dir: str | Path,
    base: RunResult | ParkResult | None = None,
    base_dir_of_base: str | Path | None = None,
    scenario: Scenario | Park | None = None,
) -> dict[str, Any]:
    """The economics of ``twin run`` by the scenario's ``economics.life``: the annuity or the series.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult or lingtan.twin.studies.park.ParkResult
        The simulated year.
    base_dir : path
        Folder of the scenario file.
    base : RunResult or ParkResult, optional
        The base case.
    base_dir_of_base : path, optional
        Folder of the base case's scenario file; default ``base_dir``.
    scenario : Scenario or Park, optional
        Defaults to the result's own.

    Returns
    -------
    dict
        :func:`lingtan.twin.studies.economics.project_economics` or :func:`life_economics`.
    """
    sc = scenario if scenario is not None else getattr(result, "park", None) or result.scenario
    eco = getattr(sc, "economics", None) or Economics()
    if eco.life == "series":
        return life_economics(result, base_dir, eco, base, base_dir_of_base)
    return project_economics(result, sc, eco, base)


__all__ = ["npv", "irr", "year_series", "life_economics", "run_economics"]
