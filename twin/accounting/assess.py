"""From a run's KPIs to the numbers the standards define, and to verdicts.

Energy (GB/T 2589) and emissions (GB/T 32150) are computed by
:func:`lingtan.twin.accounting.account.account` from the flows across the site boundary; the
criteria packs in :mod:`lingtan.twin.accounting.criteria` then read the simulated KPIs, the
accounting KPIs and the scenario's declared facts.
"""
from __future__ import annotations

import numpy as np

from lingtan.components.grid import emission_factor_t_per_mwh
from lingtan.twin.accounting.account import account, accounting_kpis, fuel_use_energy, load_fuel_factors
from lingtan.twin.core.schema.accounting import AnnualEnergy, HeatPurchase
from lingtan.twin.accounting.criteria import evaluate, score


def _grid_factor(scenario, index, grid_import_kw, base_dir):
    """The scenario's grid factor as the accounting takes it: a shipped name or a number as given, and an
    hourly profile (a CSV relative to ``base_dir``) as its import-weighted mean, which gives the same
    location-based emissions."""
    spec = scenario.grid.emission_factor
    if isinstance(spec, (str, int, float)):
        return spec
    ef = emission_factor_t_per_mwh(spec, index, base_dir)
    total = float(np.sum(grid_import_kw))
    return float(np.sum(ef * grid_import_kw) / total) if total > 0 else float(np.mean(ef))


def _heat_purchases(scenario, heat: dict) -> dict[str, HeatPurchase]:
    """Purchased heat by source with the source's own factor (a park's sources are named ``tenant.source``)."""
    sites = [(f"{t.name}.", t) for t in scenario.tenants] if hasattr(scenario, "tenants") else [("", scenario)]
    ef = {prefix + h.name: h.ef_t_per_gj for prefix, site in sites for h in site.purchased_heat}
    return {name: HeatPurchase(gj=p["gj"], ef_t_per_gj=ef[name]) for name, p in heat.get("purchased_heat", {}).items()}


def assess(scenario, kpis: dict, hourly, *, base_dir) -> dict:
    """Accounting, flat KPIs for the criteria, verdicts and pack scores of one run.

    Parameters
    ----------
    scenario : lingtan.twin.core.scenario.Scenario
    kpis : dict
        The run's KPIs (``RunResult.kpis`` before this is added).
    hourly : DataFrame
        The electric table, for an hourly emission-factor profile.
    base_dir : path
        The scenario file's folder, which an emission-factor CSV path is relative to.

    Returns
    -------
    dict
        ``accounting`` (the full nested result with every factor and its source),
        ``verdicts`` (list of dicts, each naming its source clause) and ``packs``
        (points and admission per pack).
    """
    heat = kpis.get("heat", {})
    biomass = {name for name, f in load_fuel_factors().items() if f.biomass}
    fuels, bio = {}, {}
    for fuel, use in heat.get("fuel_use", {}).items():
        (bio if fuel in biomass else fuels)[fuel] = use["quantity"]
    uses = fuel_use_energy(kpis.get("fuel_uses", {}))
    energy = AnnualEnergy.from_kpis(
        kpis, fuels=fuels, biomass_fuels=bio, direct_fuels=uses["direct_fuels"],
        heat_purchases={**_heat_purchases(scenario, heat), **uses["heat_purchases"]},
        process_emissions_t=scenario.process_emissions_t)
    imp = (hourly.grid_to_load_kw + hourly.grid_to_heat_kw + hourly.grid_to_battery_kw).to_numpy()
    acc = account(energy, scenario.accounting, scenario.green_power, scenario.offsets,
                  grid_emission_factor=_grid_factor(scenario, hourly.index, imp, base_dir))
    flat = {k: v for k, v in kpis.items() if isinstance(v, (int, float))}
    flat.update(accounting_kpis(acc))
    if heat:
        flat["waste_heat_recovery_rate"] = heat["waste_heat_recovery_rate"]
        flat["waste_heat_recovery_rate_by_type"] = heat["waste_heat_recovery_rate_by_type"]
        flat["waste_heat_recovery_rate_declared_streams"] = heat["waste_heat_recovery_rate_declared_streams"]
    firms = {t.name: t.declared for t in getattr(scenario, "tenants", [])}  # a park's tenants
    verdicts = evaluate(scenario.criteria, flat, scenario.declared, scenario.criteria_settings, firms) \
        if scenario.criteria else []
    return {"accounting": acc, "verdicts": [v.to_dict() for v in verdicts],
            "packs": [score(verdicts, p) for p in scenario.criteria]}
