"""From a run's KPIs to the numbers the standards define, and to verdicts.

Energy (GB/T 2589) and emissions (GB/T 32150) are computed by
:func:`lingtan.twin.accounting.account.account` from the flows across the site boundary; the
criteria packs in :mod:`lingtan.twin.accounting.criteria` then read the simulated KPIs, the
accounting KPIs and the scenario's declared facts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lingtan.components.grid import emission_factor_t_per_mwh
from lingtan.twin.accounting.account import (
    AccountingResult,
    account,
    accounting_kpis,
    fuel_use_energy,
    load_fuel_factors,
)
from lingtan.twin.accounting.criteria import evaluate, score
from lingtan.twin.core.schema.accounting import AnnualEnergy, HeatPurchase


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


@dataclass(frozen=True)
class Assessment:
    """What a run is judged by.

    Attributes
    ----------
    accounting : AccountingResult or None
        Energy, emissions and offsets, every factor with its source
        (:func:`lingtan.twin.accounting.account.account`); None for a
        run left unassessed (a park's tenant, which the park assesses).
    verdicts : list of dict
        One per criterion, each naming its source clause (:meth:`lingtan.twin.accounting.criteria.Verdict.to_dict`).
    packs : list of dict
        Points and admission per pack (:func:`lingtan.twin.accounting.criteria.score`).
    """

    accounting: AccountingResult | None
    verdicts: list[dict]
    packs: list[dict]


def _annual_energy(scenario, kpis: dict) -> AnnualEnergy:
    """The year's flows across the boundary: the run's electricity, boiler fuels (fossil or biomass by the fuel
    table), fuel uses outside the boilers, purchased heat by source and the declared process emissions."""
    heat = kpis.get("heat", {})
    biomass = {name for name, f in load_fuel_factors().items() if f.biomass}
    fuels, bio = {}, {}
    for fuel, use in heat.get("fuel_use", {}).items():
        (bio if fuel in biomass else fuels)[fuel] = use["quantity"]
    uses = fuel_use_energy(kpis.get("fuel_uses", {}))
    return AnnualEnergy.from_kpis(
        kpis,
        fuels=fuels,
        biomass_fuels=bio,
        direct_fuels=uses["direct_fuels"],
        heat_purchases={**_heat_purchases(scenario, heat), **uses["heat_purchases"]},
        process_emissions_t=scenario.process_emissions_t,
    )


def _waste_heat_kpis(heat: dict) -> dict:
    """The waste-heat resources' recovery rates the criteria read (none for a site without a heat side)."""
    keys = ("waste_heat_recovery_rate", "waste_heat_recovery_rate_by_type", "waste_heat_recovery_rate_declared_streams")
    return {k: heat[k] for k in keys} if heat else {}


def assess(scenario, kpis: dict, hourly, *, base_dir) -> Assessment:
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
    Assessment
    """
    imp = (hourly.grid_to_load_kw + hourly.grid_to_heat_kw + hourly.grid_to_battery_kw).to_numpy()
    acc = account(
        _annual_energy(scenario, kpis),
        scenario.accounting,
        scenario.green_power,
        scenario.offsets,
        grid_emission_factor=_grid_factor(scenario, hourly.index, imp, base_dir),
    )
    flat = {k: v for k, v in kpis.items() if isinstance(v, (int, float))}
    flat.update(accounting_kpis(acc))
    flat.update(_waste_heat_kpis(kpis.get("heat", {})))
    firms = {t.name: t.declared for t in getattr(scenario, "tenants", [])}  # a park's tenants
    verdicts = (
        evaluate(scenario.criteria, flat, scenario.declared, scenario.criteria_settings, firms)
        if scenario.criteria
        else []
    )
    return Assessment(
        accounting=acc, verdicts=[v.to_dict() for v in verdicts], packs=[score(verdicts, p) for p in scenario.criteria]
    )
