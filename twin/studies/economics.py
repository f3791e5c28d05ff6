"""Economics of a run: asset costs, net present cost, annualised cost, LCOE, payback, cost per t CO2 avoided.

Conventions (HOMER's, cited below; all money in real CNY of the base year, costs positive)
------------------------------------------------------------------------------------------
* **Capital recovery factor** ``CRF(i, N) = i (1 + i)^N / ((1 + i)^N - 1)`` (``1/N`` when ``i = 0``);
  HOMER Pro manual, "Capital Recovery Factor"; the standard engineering-economics factor
  (Newnan et al., *Engineering Economic Analysis*).
* **Net present cost** = present value of every cost over the analysis period minus the present value
  of every revenue: capital at year 0; replacements when a component reaches the end of its life;
  O&M, fuel, grid purchases, green-power premiums and carbon cost at the end of each year 1..N; grid
  sales (in the grid bill) and **salvage** at year N as revenues. HOMER Pro manual, "Total Net Present
  Cost" (homerenergy.com/products/pro/docs/3.12/total_net_present_cost.html) and HOMER Grid, "Net
  Present Cost" (homerenergy.com/products/grid/docs/1.1/net_present_cost.html).
* **Replacement** of a component of life ``L`` at ``t = L, 2L, ...`` strictly before ``N``, each at
  ``replacement_cost_fraction x capital``.
* **Salvage** at year N by straight-line depreciation of the replacement cost over the component's
  life: ``S = C_rep x R_rem / L`` with ``R_rem = L - (N - t_last)``, ``t_last`` the last installation
  before N (HOMER Knowledge Base, "Capital cost rebates and salvage value": "the salvage value of
  the component reduces linearly to zero over its lifetime ... based on the replacement cost"; e.g.
  replacement cost 10 000 and life 25 yr give 5/25 x 10 000 = 2 000 after 20 years). When N is a
  multiple of L no replacement falls at N and the salvage is 0, which gives the same NPC as HOMER's
  replacement at N cancelled by a full salvage.
* **Annualised cost** = NPC x CRF(i, N) (HOMER Pro manual, "Annualized Cost").
* **LCOE**, NREL's simple (fixed-charge-rate) LCOE: ``LCOE = (FCR x TCC + FOC) / AEP + VOC`` with the
  fixed charge rate taken as the CRF (no taxes) — SAM "LCOE Calculator"
  (sam.nrel.gov/financial-models/lcoe-calculator.html; Short et al. 1995, NREL/TP-462-5173).
  For the on-site supply the annualised cost of the PV and wind assets (their HOMER annualised cost,
  which adds replacements and salvage to ``FCR x TCC``) is divided by their annual generation.
* **Simple payback**: the year at which the cumulative nominal cash flow of the difference between
  the project and the base case turns from negative to positive; **discounted payback** the same
  on discounted cash flows (HOMER Pro manual, "Summary", economic metrics). Linear interpolation
  inside the crossing year.
* **Cost per t CO2 avoided** = (annualised cost of the project - annualised cost of the base case)
  / (annual emissions of the base case - annual emissions of the project) [CNY/tCO2].

Year by year
------------
All of the above takes the simulated year as every year of the period (``economics.life: annuity``, the
default). ``economics.life: series`` (:mod:`lingtan.twin.studies.life`) simulates the years whose plant
differs (PV degradation, battery fade and replacement, load growth, tariff escalation) and takes NPC, LCOE,
payback and IRR from that series; for a plant that does not change the two agree.

Defaults
--------
Every default carries its source or the word **assumed** with the reason (:data:`DEFAULT_COSTS`,
:data:`DEFAULT_FUEL_PRICES`, the fields of :class:`Economics`). They are round numbers for China in
2024-2025; replace them with quotations for a real project.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from lingtan.twin.accounting.arrays import div, maximum, num
from lingtan.twin.core.schema.economics import DEFAULT_COSTS, DEFAULT_FUEL_PRICES, AssetCost, Economics

if TYPE_CHECKING:
    from lingtan.twin.core.scenario import Scenario
    from lingtan.twin.core.schema.park import Park, SharedAssets
    from lingtan.twin.core.schema.site import SiteAssets
    from lingtan.twin.run import RunResult
    from lingtan.twin.studies.park import ParkResult

# --------------------------------------------------------------------------- models


# --------------------------------------------------------------------------- pure functions


def crf(rate: float, n: float) -> float:
    """Capital recovery factor ``i (1+i)^n / ((1+i)^n - 1)``; ``1/n`` at ``i = 0`` (HOMER; Newnan et al.).

    Parameters
    ----------
    rate : float
        Real discount rate ``i`` [-].
    n : float
        Number of years [yr].

    Returns
    -------
    float
        The factor [1/yr].

    Raises
    ------
    ValueError
        For ``n <= 0``.
    """
    if n <= 0:
        raise ValueError(f"n must be > 0, got {n}")
    if rate == 0:
        return 1.0 / n
    g = (1.0 + rate) ** n
    return rate * g / (g - 1.0)


def present_worth_annuity(rate: float, n: float) -> float:
    """Present value of 1 CNY paid at the end of each of years 1..n: ``1 / CRF(rate, n)``.

    Parameters
    ----------
    rate : float
        Real discount rate [-].
    n : float
        Number of years [yr], > 0.

    Returns
    -------
    float
        Present value [CNY per CNY/yr].
    """
    return 1.0 / crf(rate, n)


def discount_factor(rate: float, t: float) -> float:
    """Present value of 1 CNY paid at time ``t``: ``(1 + rate)^-t``.

    Parameters
    ----------
    rate : float
        Real discount rate [-].
    t : float
        Time after year 0 [yr].

    Returns
    -------
    float
        The factor [-].
    """
    return (1.0 + rate) ** -t


def replacement_schedule(lifetime: float, period: float) -> tuple[list[float], float]:
    """Replacement years strictly before ``period`` and the remaining life at ``period``.

    Parameters
    ----------
    lifetime : float
        Component life ``L`` [yr], > 0.
    period : float
        Analysis period ``N`` [yr].

    Returns
    -------
    years : list of float
        Replacement times ``L, 2L, ... < N`` [yr].
    remaining : float
        ``L - (N - t_last)`` [yr], 0 when N is a multiple of L (HOMER's straight-line convention).
    """
    years = []
    t = lifetime
    while t < period - 1e-9:
        years.append(t)
        t += lifetime
    t_last = years[-1] if years else 0.0
    remaining = max(0.0, lifetime - (period - t_last))
    return years, remaining


def asset_npc(
    capex: float,
    fixed_om_per_year: float,
    lifetime: float,
    rate: float,
    period: float,
    replacement_cost_fraction: float = 1.0,
    variable_om_per_year: float = 0.0,
) -> dict[str, Any]:
    """Net present cost of one asset over the analysis period (HOMER's cash-flow convention).

    Parameters
    ----------
    capex : float
        Capital cost at year 0 [CNY].
    fixed_om_per_year : float
        Fixed O&M at the end of each year [CNY/yr].
    lifetime : float
        Component life [yr], > 0.
    rate : float
        Real discount rate [-].
    period : float
        Analysis period [yr], > 0.
    replacement_cost_fraction : float
        Replacement cost / capital cost [-].
    variable_om_per_year : float
        Variable O&M at the end of each year [CNY/yr].

    Returns
    -------
    dict
        Present values [CNY] of ``capital``, ``replacement``, ``om`` (fixed + variable), ``salvage`` (a
        revenue, positive here) and ``npc = capital + replacement + om - salvage``; ``salvage_nominal``
        [CNY] at ``period`` and ``replacement_years`` (list of float [yr]).
    """
    c_rep = replacement_cost_fraction * capex
    years, remaining = replacement_schedule(lifetime, period)
    rep = sum(c_rep * discount_factor(rate, t) for t in years)
    salvage_nominal = c_rep * remaining / lifetime
    salvage = salvage_nominal * discount_factor(rate, period)
    om = (fixed_om_per_year + variable_om_per_year) * present_worth_annuity(rate, period)
    return {
        "capital": capex,
        "replacement": rep,
        "om": om,
        "salvage": salvage,
        "salvage_nominal": salvage_nominal,
        "replacement_years": years,
        "npc": capex + rep + om - salvage,
    }


def npc(
    capex: float = 0.0,
    annual_cost: float = 0.0,
    rate: float = 0.08,
    period: float = 25,
    replacements: Sequence[tuple[float, float]] = (),
    salvage: float = 0.0,
) -> float:
    """Net present cost of a cash-flow pattern.

    Parameters
    ----------
    capex : float
        Paid at year 0 [CNY].
    annual_cost : float
        Paid at the end of each of years 1..period [CNY/yr].
    rate : float
        Real discount rate [-].
    period : float
        Analysis period [yr], > 0.
    replacements : sequence of (float, float)
        ``(year [yr], nominal cost [CNY])`` pairs.
    salvage : float
        Nominal value received at ``period`` [CNY].

    Returns
    -------
    float
        Net present cost [CNY].
    """
    return (
        capex
        + annual_cost * present_worth_annuity(rate, period)
        + sum(c * discount_factor(rate, t) for t, c in replacements)
        - salvage * discount_factor(rate, period)
    )


def annualised_cost(npc_cny: float, rate: float, period: float) -> float:
    """HOMER's annualised cost: ``NPC x CRF(rate, period)``.

    Parameters
    ----------
    npc_cny : float
        Net present cost [CNY].
    rate : float
        Real discount rate [-].
    period : float
        Analysis period [yr], > 0.

    Returns
    -------
    float
        Annualised cost [CNY/yr].
    """
    return npc_cny * crf(rate, period)


def lcoe_onsite(
    capex: float, fixed_om_per_year: float, aep_kwh: float, rate: float, period: float, variable_om_per_kwh: float = 0.0
) -> float:
    """NREL's simple LCOE ``(FCR x TCC + FOC) / AEP + VOC`` with ``FCR = CRF(rate, period)``.

    Parameters
    ----------
    capex : float
        Total capital cost TCC [CNY].
    fixed_om_per_year : float
        Fixed operating cost FOC [CNY/yr].
    aep_kwh : float
        Annual energy production AEP [kWh/yr].
    rate : float
        Real discount rate [-].
    period : float
        Analysis period [yr], > 0.
    variable_om_per_kwh : float
        Variable operating cost VOC [CNY/kWh].

    Returns
    -------
    float
        LCOE [CNY/kWh]; NaN when ``aep_kwh <= 0``.
    """
    if aep_kwh <= 0:
        return math.nan
    return (crf(rate, period) * capex + fixed_om_per_year) / aep_kwh + variable_om_per_kwh


def _crossing(cumulative: list[float]) -> float | None:
    """First time the cumulative series reaches >= 0, linear within the year; None if never."""
    if cumulative[0] >= 0:
        return 0.0
    for t in range(1, len(cumulative)):
        if cumulative[t] >= 0:
            prev, cur = cumulative[t - 1], cumulative[t]
            return (t - 1) + (-prev) / (cur - prev)
    return None


def simple_payback(cash_flows: Sequence[float]) -> float | None:
    """Years until the cumulative nominal cash flow turns non-negative.

    Parameters
    ----------
    cash_flows : sequence of float
        ``cash_flows[0]`` at year 0 (the extra investment, negative), ``cash_flows[t]`` the net flow at the
        end of year t [CNY].

    Returns
    -------
    float or None
        Payback time [yr], linear within the crossing year; None if it never pays back within the series.
    """
    cum, s = [], 0.0
    for c in cash_flows:
        s += c
        cum.append(s)
    return _crossing(cum)


def discounted_payback(cash_flows: Sequence[float], rate: float) -> float | None:
    """Like :func:`simple_payback` on cash flows discounted by ``(1 + rate)^-t``.

    Parameters
    ----------
    cash_flows : sequence of float
        Nominal net flow at year 0, 1, ... [CNY].
    rate : float
        Real discount rate [-].

    Returns
    -------
    float or None
        Payback time [yr]; None if it never pays back within the series.
    """
    cum, s = [], 0.0
    for t, c in enumerate(cash_flows):
        s += c * discount_factor(rate, t)
        cum.append(s)
    return _crossing(cum)


def npv(rate: float, cash_flows: Sequence[float]) -> float:
    """Net present value ``sum_t c_t (1 + rate)^-t``, ``t = 0, 1, ...``.

    Parameters
    ----------
    rate : float
        Discount rate [-], above -1.
    cash_flows : sequence of float
        Net flow at the end of year 0, 1, ... [CNY].

    Returns
    -------
    float
        Present value [CNY].
    """
    return float(sum(c * discount_factor(rate, t) for t, c in enumerate(cash_flows)))


IRR_BRACKET = (-0.99, 10.0)
"""Rates searched for the IRR [-]: from a loss of 99 % a year to a return of 1 000 % a year."""


def irr(cash_flows: Sequence[float], tol: float = 1e-12) -> float | None:
    """Internal rate of return: the lowest rate of :data:`IRR_BRACKET` at which :func:`npv` is zero.

    The bracket is scanned on a grid for the first change of sign, then bisected (the NPV is continuous in
    the rate, so bisection converges whatever the pattern of flows).

    Parameters
    ----------
    cash_flows : sequence of float
        Net flow at the end of year 0, 1, ... [CNY].
    tol : float
        Width of the final bracket [-].

    Returns
    -------
    float or None
        The rate [-]; None when the NPV keeps one sign over the bracket (for example a project that never
        pays back).
    """
    grid = np.concatenate(
        [np.linspace(IRR_BRACKET[0], 1.0, 400, endpoint=False), np.geomspace(1.0, IRR_BRACKET[1], 50)]
    )
    values = [npv(r, cash_flows) for r in grid]
    for k in range(len(grid) - 1):
        lo, hi, f_lo = float(grid[k]), float(grid[k + 1]), values[k]
        if f_lo == 0.0:
            return lo
        if f_lo * values[k + 1] < 0:
            while hi - lo > tol:
                mid = 0.5 * (lo + hi)
                f_mid = npv(mid, cash_flows)
                if f_mid * f_lo > 0:
                    lo, f_lo = mid, f_mid
                else:
                    hi = mid
            return 0.5 * (lo + hi)
    return None


def cost_per_t_co2_avoided(
    annualised_cost_project: float, annualised_cost_base: float, emissions_project_t: float, emissions_base_t: float
) -> float:
    """``(AC_project - AC_base) / (E_base - E_project)``.

    Parameters
    ----------
    annualised_cost_project, annualised_cost_base : float
        Annualised costs ``AC`` [CNY/yr].
    emissions_project_t, emissions_base_t : float
        Annual emissions ``E`` [tCO2/yr].

    Returns
    -------
    float
        Cost per tonne avoided [CNY/tCO2]; NaN when nothing is avoided.
    """
    avoided = emissions_base_t - emissions_project_t
    if avoided <= 0:
        return math.nan
    return (annualised_cost_project - annualised_cost_base) / avoided


# --------------------------------------------------------------------------- assets of a scenario


def _site_assets(site: SiteAssets | SharedAssets, where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for a in site.pv:
        out.append({"kind": "pv", "name": f"{where}pv.{a.name}", "kwp": a.capacity_kwp})
    for f in site.wind:
        out.append(
            {"kind": "wind", "name": f"{where}wind.{f.name}", "kw": f.count * f.nominal_power_kw, "units": f.count}
        )
    for b in site.battery:
        out.append(
            {
                "kind": "battery",
                "name": f"{where}battery.{b.name}",
                "kwh": b.energy_kwh,
                "kw": maximum(b.charge_kw, b.discharge_kw),
            }
        )
    for hp in getattr(site, "heat_pumps", []):
        out.append({"kind": "heat_pump", "name": f"{where}heat_pumps.{hp.name}", "kw": hp.capacity_q_kw_th, "units": 1})
    for s in getattr(site, "thermal_storage", []):
        out.append(
            {
                "kind": "thermal_storage",
                "name": f"{where}thermal_storage.{s.name}",
                "kwh": s.capacity_kwh_th,
                "kw": maximum(s.charge_kw_th, s.discharge_kw_th),
            }
        )
    for g in getattr(site, "ground_loops", []):
        out.append(
            {"kind": "ground_loop", "name": f"{where}ground_loops.{g.name}", "m": g.total_length_m, "units": g.count}
        )
    for e in getattr(site, "electrolysers", []):
        out.append(
            {"kind": "electrolyser", "name": f"{where}electrolysers.{e.name}", "kw": e.capacity_p_kw, "units": 1}
        )
    for f in getattr(site, "fuel_cells", []):
        out.append({"kind": "fuel_cell", "name": f"{where}fuel_cells.{f.name}", "kw": f.capacity_p_kw, "units": 1})
    for h in getattr(site, "hydrogen_stores", []):
        out.append(
            {"kind": "hydrogen_store", "name": f"{where}hydrogen_stores.{h.name}", "kg": h.capacity_kg, "units": 1}
        )
    for hb in getattr(site, "hydrogen_boilers", []):
        out.append(
            {
                "kind": "hydrogen_boiler",
                "name": f"{where}hydrogen_boilers.{hb.name}",
                "kw": hb.capacity_q_kw_th,
                "units": 1,
            }
        )
    for cs in getattr(site, "cold_stores", []):
        if cs.medium != "setpoint_band":  # a cold room's goods hold the band: nothing to buy but its controls
            out.append(
                {"kind": "cold_store", "name": f"{where}cold_stores.{cs.name}", "kwh": cs.capacity(), "units": 1}
            )
    for r in getattr(site, "air_receivers", []):
        out.append({"kind": "air_receiver", "name": f"{where}air_receivers.{r.name}", "m3": r.volume_m3, "units": 1})
    for c in getattr(site, "chp", []):
        out.append({"kind": "chp", "name": f"{where}chp.{c.name}", "kw": c.capacity_p_kw, "units": 1})
    for a in getattr(site, "absorption_chillers", []):
        out.append(
            {
                "kind": "absorption_chiller",
                "name": f"{where}absorption_chillers.{a.name}",
                "kw": a.capacity_q_kw_th,
                "units": 1,
            }
        )
    for c in getattr(site, "chargers", []):
        two_way = c.discharge_power_kw is not None
        out.append(
            {
                "kind": "bidirectional_charger" if two_way else "charger",
                "name": f"{where}chargers.{c.name}",
                "kw": max(c.power_kw, c.discharge_power_kw or 0.0) * c.count,
                "units": c.count,
            }
        )
    for bo in getattr(site, "boilers", []):
        if bo.fuel == "electric":
            out.append(
                {"kind": "electric_boiler", "name": f"{where}boilers.{bo.name}", "kw": bo.capacity_q_kw_th, "units": 1}
            )
    return out


def scenario_assets(scenario: Scenario | Park) -> list[dict[str, Any]]:
    """Every costed asset of a factory or a park, with its sizes.

    Parameters
    ----------
    scenario : Scenario or Park
        A factory, or a park (its tenants' assets, then the shared ones).

    Returns
    -------
    list of dict
        Per asset: ``kind`` (a key of :data:`DEFAULT_COSTS`), ``name`` (``[tenant.]pv.roof``) and the sizes
        that apply: ``kw`` [kW or kW_th], ``kwh`` [kWh or kWh_th], ``kwp`` [kWp], ``units`` [-], ``m`` [m].
    """
    if hasattr(scenario, "tenants"):
        park = cast("Park", scenario)
        out = []
        for t in park.tenants:
            out += _site_assets(t, f"{t.name}.")
        out += _site_assets(park.shared, "shared.")
        return out
    return _site_assets(scenario, "")


def _size(asset: dict[str, Any]) -> float:
    """The size an asset's kind shares its variable O&M by: [kWp], [kWh], [kW], [m] or [kg], the first it has."""
    return asset.get("kwp", asset.get("kwh", asset.get("kw", asset.get("m", asset.get("kg", 0.0)))))


def asset_capex(cost: AssetCost, asset: dict[str, Any]) -> float:
    """Capital cost of one asset: the size terms of :class:`AssetCost` that apply to it.

    Parameters
    ----------
    cost : AssetCost
        The costs of the asset's kind.
    asset : dict
        One entry of :func:`scenario_assets`; missing sizes count 0.

    Returns
    -------
    float
        Capital cost [CNY].
    """
    return (
        cost.capex_cny_per_kw * asset.get("kw", 0.0)
        + cost.capex_cny_per_kwh * asset.get("kwh", 0.0)
        + cost.capex_cny_per_kwp * asset.get("kwp", 0.0)
        + cost.capex_cny_per_unit * asset.get("units", 0.0)
        + cost.capex_cny_per_m * asset.get("m", 0.0)
        + cost.capex_cny_per_kg * asset.get("kg", 0.0)
        + cost.capex_cny_per_m3 * asset.get("m3", 0.0)
    )


# --------------------------------------------------------------------------- a run's economics


def energies(result: RunResult | ParkResult) -> dict[str, float]:
    """PV and wind generation, battery discharge and CHP electricity of a run, tenants and park bus summed for a
    park.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult or lingtan.twin.studies.park.ParkResult
        The simulated year.

    Returns
    -------
    dict
        ``pv_e_kwh``, ``wind_e_kwh``, ``battery_discharge_e_kwh`` and ``chp_e_kwh`` [kWh/yr].
    """
    runs = list(result.tenants.values()) if hasattr(result, "tenants") else [result]
    keys = ("pv_e_kwh", "wind_e_kwh", "battery_discharge_e_kwh", "chp_e_kwh")
    tot = {k: num(sum(r.kpis.get(k, 0.0) for r in runs)) for k in keys}
    bus = result.kpis.get("park_bus") if hasattr(result, "tenants") else None
    if bus:
        for k in keys:
            tot[k] += float(bus.get(k, 0.0))
    return tot


def _scenario_of(result: RunResult | ParkResult) -> Scenario | Park:
    return getattr(result, "park", None) or cast("RunResult", result).scenario


def project_economics(
    result: RunResult | ParkResult,
    scenario: Scenario | Park | None = None,
    economics: Economics | None = None,
    base: RunResult | ParkResult | None = None,
) -> dict[str, Any]:
    """Everything economic about one simulated year, optionally against a base case.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult or lingtan.twin.studies.park.ParkResult
        The simulated year.
    scenario : Scenario or Park, optional
        Defaults to the result's own.
    economics : Economics, optional
        Defaults to the scenario's ``economics`` section if it has one, else :class:`Economics`.
    base : RunResult or ParkResult, optional
        The base case (for example the plant without the new assets): adds payback, savings and the
        cost per tonne avoided.

    Returns
    -------
    dict
        ``assets`` (per asset: capex, replacement, O&M, salvage, NPC), ``annual`` operating costs
        [CNY/yr] (grid bill, fuel, green power, certificates, credits, carbon), ``npc_cny``,
        ``annualised_cost_cny``, ``capex_cny``, ``lcoe_onsite_cny_per_kwh`` and, with a base,
        ``versus_base``.
    """
    scenario = scenario if scenario is not None else _scenario_of(result)
    eco = economics or getattr(scenario, "economics", None) or Economics()
    i, n = eco.discount_rate, eco.analysis_period_years
    energy = energies(result)

    assets = []
    by_kind_energy = {
        "pv": energy["pv_e_kwh"],
        "wind": energy["wind_e_kwh"],
        "battery": energy["battery_discharge_e_kwh"],
        "chp": energy["chp_e_kwh"],
    }
    sizes_by_kind: dict[str, float] = {}
    for a in scenario_assets(scenario):
        sizes_by_kind[a["kind"]] = sizes_by_kind.get(a["kind"], 0.0) + _size(a)
    for a in scenario_assets(scenario):
        c = eco.cost(a["kind"])
        capex = asset_capex(c, a)
        fixed = c.fixed_om_cny_per_year + c.fixed_om_fraction_of_capex * capex
        # Variable O&M: the kind's energy shared among its assets in proportion to size.
        size = _size(a)
        share = div(size, sizes_by_kind[a["kind"]])
        var = c.variable_om_cny_per_kwh * by_kind_energy.get(a["kind"], 0.0) * share
        pv = asset_npc(capex, fixed, c.lifetime_years, i, n, c.replacement_cost_fraction, var)
        assets.append(
            dict(
                a,
                capex_cny=capex,
                fixed_om_cny_per_year=fixed,
                variable_om_cny_per_year=var,
                replacement_pv_cny=pv["replacement"],
                om_pv_cny=pv["om"],
                salvage_pv_cny=pv["salvage"],
                replacement_years=pv["replacement_years"],
                npc_cny=pv["npc"],
                annualised_cost_cny=annualised_cost(pv["npc"], i, n),
                cost_source=c.source,
            )
        )

    annual = annual_operating_costs(result, scenario, eco)
    asset_npc_total = sum(a["npc_cny"] for a in assets)
    operating_npc = annual["total_cny"] * present_worth_annuity(i, n)
    total_npc = asset_npc_total + operating_npc
    onsite = [a for a in assets if a["kind"] in ("pv", "wind")]
    gen = energy["pv_e_kwh"] + energy["wind_e_kwh"]
    lcoe = div(sum(a["annualised_cost_cny"] for a in onsite), gen, math.nan)
    storage = [a for a in assets if a["kind"] == "battery"]
    lcoe_storage = div(sum(a["annualised_cost_cny"] for a in onsite + storage), gen, math.nan)
    out = {
        "method": "annuity",
        "settings": eco.model_dump(mode="json"),
        "crf": crf(i, n),
        "assets": assets,
        "capex_cny": sum(a["capex_cny"] for a in assets),
        "asset_npc_cny": asset_npc_total,
        "annual": annual,
        "operating_npc_cny": operating_npc,
        "npc_cny": total_npc,
        "annualised_cost_cny": annualised_cost(total_npc, i, n),
        "onsite_generation_e_kwh": gen,
        "lcoe_onsite_cny_per_kwh": lcoe,
        "lcoe_onsite_with_storage_cny_per_kwh": lcoe_storage,
        "emissions_t": _emissions(result),
        "formulas": {
            "crf": "i(1+i)^N/((1+i)^N-1) (HOMER)",
            "npc": "capital + PV(replacements) + PV(O&M + operating) - PV(salvage) (HOMER)",
            "salvage": "C_rep x R_rem / L, straight line (HOMER)",
            "annualised": "NPC x CRF (HOMER)",
            "lcoe_onsite": "annualised cost of PV + wind / their generation (NREL simple LCOE with FCR = CRF)",
        },
    }
    if base is not None:
        out["versus_base"] = compare(out, project_economics(base, None, eco))
    return out


def _emissions(result: RunResult | ParkResult) -> dict[str, float]:
    if result.accounting is None:  # a run left unassessed
        return {"scope1_t": 0.0, "gross_t": 0.0, "residual_t": 0.0}
    k = result.accounting.kpis
    return {"scope1_t": k.scope1_t, "gross_t": k.gross_emissions_t, "residual_t": k.residual_emissions_t}


def annual_operating_costs(result: RunResult | ParkResult, scenario: Scenario | Park, eco: Economics) -> dict[str, Any]:
    """The year's operating costs: grid bill (TOU energy + basic charge - feed-in revenue), fuel, green power
    premiums, certificates, carbon credits, the carbon price and the cycle ageing of vehicles that give the site
    energy (vehicle-to-building: its saving is in the grid bill, its wear here).

    Parameters
    ----------
    result : lingtan.twin.run.RunResult or lingtan.twin.studies.park.ParkResult
        The simulated year (its grid bill, fuel use and emissions).
    scenario : Scenario or Park
        Its ``green_power``, ``offsets`` and ``declared`` sections.
    eco : Economics
        Prices and the carbon settings.

    Returns
    -------
    dict
        ``grid_bill_cny``, ``fuel_cny``, ``green_power_cny``, ``green_certificates_cny``,
        ``carbon_credits_cny``, ``carbon_cost_cny``, ``v2b_ageing_cny`` and their ``total_cny`` [CNY/yr];
        ``fuel_by_type_cny`` [CNY/yr], the premium [CNY/kWh] and certificate price [CNY/MWh] used,
        ``ets_covered`` and ``carbon_basis_t`` [tCO2/yr].
    """
    bill = result.kpis.get("grid_bill_cny", {})
    grid = num(bill.get("total_cny", result.kpis.get("grid_cost_cny", 0.0)))
    fuels: dict[str, float] = {}
    for fuel, use in (result.kpis.get("heat") or {}).get("fuel_use", {}).items():
        if fuel == "electric":
            continue  # its electricity is in the grid bill
        fuels[fuel] = float(use["quantity"]) * eco.fuel_price(fuel)
    gp = scenario.green_power
    set_ = gp.model_fields_set
    premium = (
        gp.green_power_contract_premium_cny_per_kwh
        if "green_power_contract_premium_cny_per_kwh" in set_
        else eco.green_power_contract_premium_cny_per_kwh
    )
    direct_premium = gp.green_power_direct_premium_cny_per_kwh
    cert_price = (
        gp.green_certificate_price_cny_per_mwh
        if "green_certificate_price_cny_per_mwh" in set_
        else eco.green_certificate_price_cny_per_mwh
    )
    green = gp.green_power_contract_e_kwh * premium + gp.green_power_direct_e_kwh * direct_premium
    certs = gp.green_certificates_mwh * cert_price
    off = scenario.offsets
    credits = (
        off.ccer_t * off.ccer_price_cny_per_t
        + off.other_credits_t * off.other_credits_price_cny_per_t
        + off.allowances_t * off.allowances_price_cny_per_t
    )
    covered = eco.ets_covered
    if covered is None:
        covered = bool(getattr(scenario.declared, "in_national_ets", False))
    em = _emissions(result)
    basis_t = {"scope1": em["scope1_t"], "gross": em["gross_t"], "residual": em["residual_t"]}[eco.carbon_basis]
    carbon = eco.carbon_price_cny_per_t * maximum(0.0, basis_t) if covered else 0.0
    runs = list(result.tenants.values()) if hasattr(result, "tenants") else [result]
    parts = {
        "grid_bill_cny": grid,
        "fuel_cny": sum(fuels.values()),
        "green_power_cny": green,
        "green_certificates_cny": certs,
        "carbon_credits_cny": credits,
        "carbon_cost_cny": carbon,
        "v2b_ageing_cny": sum(r.kpis.get("vehicles", {}).get("v2b", {}).get("ageing_cny", 0.0) for r in runs),
    }
    return dict(
        parts,
        fuel_by_type_cny=fuels,
        green_power_premium_cny_per_kwh=premium,
        green_certificate_price_cny_per_mwh=cert_price,
        ets_covered=covered,
        carbon_basis_t=basis_t if covered else 0.0,
        total_cny=sum(parts.values()),
    )


GRID_ONLY = "grid-only"
"""``twin run --base grid-only``: the base case is the same scenario without on-site supply."""


def grid_only_base(scenario: Scenario | Park) -> Scenario | Park:
    """The scenario without its PV, wind and batteries (a park: shared and every tenant's), everything else as
    written: the usual base case for the payback of on-site supply (HOMER's "base system").

    Parameters
    ----------
    scenario : Scenario or Park
        The validated scenario.

    Returns
    -------
    Scenario or Park
        A new validated scenario named ``<name> (grid-only base)``; a park's network loses the connections
        of the removed shared assets.
    """
    from lingtan.twin.core.scenario import scenario_from_dict

    data = scenario.model_dump(mode="json")
    sites = [data["shared"], *data["tenants"]] if "tenants" in data else [data]
    removed = set()
    for site in sites:
        for kind in ("pv", "wind", "battery"):
            removed |= {a["name"] for a in site[kind]}
            site[kind] = []
    net = data.get("network") if "tenants" in data else None
    if net and net.get("connections"):  # a park's network connects shared assets by name: they are gone
        net["connections"] = {k: v for k, v in net["connections"].items() if k not in removed}
    return scenario_from_dict(data, f"{scenario.name} ({GRID_ONLY} base)")


def project_cash_flows(econ: dict[str, Any]) -> list[float]:
    """Nominal yearly costs of a project from :func:`project_economics`.

    Parameters
    ----------
    econ : dict
        The output of :func:`project_economics`.

    Returns
    -------
    list of float
        Costs at year 0..N, positive [CNY]: capital at 0, replacements at the end of the year they fall in,
        O&M and operating costs at 1..N, salvage subtracted at N; those of the year-by-year series when the
        economics carry one (``life``, :mod:`lingtan.twin.studies.life`).
    """
    if "life" in econ:  # the year-by-year series carries its own flows
        return list(econ["life"]["cost_flows_cny"])
    n = int(econ["settings"]["analysis_period_years"])
    flows = [0.0] * (n + 1)
    flows[0] = econ["capex_cny"]
    for a in econ["assets"]:
        c = econ["settings"]["costs"].get(a["kind"]) or DEFAULT_COSTS[a["kind"]].model_dump()
        for t in a["replacement_years"]:
            k = int(math.ceil(t - 1e-9))
            flows[k] += a["capex_cny"] * c["replacement_cost_fraction"]
        life = c["lifetime_years"]
        _, remaining = replacement_schedule(life, n)
        flows[n] -= a["capex_cny"] * c["replacement_cost_fraction"] * remaining / life
        for t in range(1, n + 1):
            flows[t] += a["fixed_om_cny_per_year"] + a["variable_om_cny_per_year"]
    for t in range(1, n + 1):
        flows[t] += econ["annual"]["total_cny"]
    return flows


def compare(project: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Project against base case: savings, simple and discounted payback, cost per t CO2 avoided.

    The difference cash flow is ``base costs - project costs`` per year (year 0 negative when the project
    costs more up front). Replacements falling inside a year are booked at the end of that year.

    Parameters
    ----------
    project, base : dict
        Outputs of :func:`project_economics` over the same analysis period.

    Returns
    -------
    dict
        ``extra_capex_cny``, ``npc_savings_cny`` [CNY]; ``annual_operating_savings_cny``,
        ``annualised_savings_cny`` [CNY/yr]; ``simple_payback_years``, ``discounted_payback_years`` [yr]
        (None when never); ``emissions_avoided_t`` [tCO2/yr] (residual); ``cost_per_t_co2_avoided_cny``
        [CNY/tCO2]; ``npv_cny`` [CNY] at the discount rate and ``irr`` [-] (None when there is none in
        :data:`IRR_BRACKET`) of the difference flows; ``difference_cash_flows_cny`` (list [CNY] by year).
    """
    i = project["settings"]["discount_rate"]
    fp, fb = project_cash_flows(project), project_cash_flows(base)
    diff = [b - p for p, b in zip(fp, fb, strict=True)]
    return {
        "extra_capex_cny": project["capex_cny"] - base["capex_cny"],
        "annual_operating_savings_cny": base["annual"]["total_cny"] - project["annual"]["total_cny"],
        "npc_savings_cny": base["npc_cny"] - project["npc_cny"],
        "annualised_savings_cny": base["annualised_cost_cny"] - project["annualised_cost_cny"],
        "simple_payback_years": simple_payback(diff),
        "discounted_payback_years": discounted_payback(diff, i),
        "emissions_avoided_t": base["emissions_t"]["residual_t"] - project["emissions_t"]["residual_t"],
        "cost_per_t_co2_avoided_cny": cost_per_t_co2_avoided(
            project["annualised_cost_cny"],
            base["annualised_cost_cny"],
            project["emissions_t"]["residual_t"],
            base["emissions_t"]["residual_t"],
        ),
        "npv_cny": npv(i, diff),
        "irr": irr(diff),
        "difference_cash_flows_cny": diff,
    }


__all__ = [
    "AssetCost",
    "Economics",
    "DEFAULT_COSTS",
    "DEFAULT_FUEL_PRICES",
    "crf",
    "npc",
    "asset_npc",
    "annualised_cost",
    "lcoe_onsite",
    "simple_payback",
    "discounted_payback",
    "npv",
    "irr",
    "IRR_BRACKET",
    "energies",
    "cost_per_t_co2_avoided",
    "replacement_schedule",
    "present_worth_annuity",
    "scenario_assets",
    "project_economics",
    "annual_operating_costs",
    "compare",
    "project_cash_flows",
    "grid_only_base",
    "GRID_ONLY",
]
