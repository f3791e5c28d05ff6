"""From a run's KPIs to the numbers the standards define, and to verdicts.

Energy (GB/T 2589) and emissions (GB/T 32150) are computed by
:func:`lingtan.twin.accounting.account.account` from the flows across the site boundary; the
criteria packs in :mod:`lingtan.twin.accounting.criteria` then read the simulated KPIs, the
accounting KPIs and the scenario's declared facts.

:func:`assess_cases` does the same for many cases of one site at once (a sweep's cases, an ensemble's members)
from a table of their annual KPIs: the accounting over arrays (the same formulas, N values each), each criterion
evaluated once over arrays of cases (:meth:`lingtan.twin.accounting.criteria.Criterion.evaluate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lingtan.components.grid import emission_factor_t_per_mwh
from lingtan.components.heat import GJ_PER_KWH
from lingtan.components.vehicles import fleet_flat_kpis
from lingtan.twin.accounting.account import (
    AccountingResult,
    account,
    accounting_kpis,
    annual_energy_arrays,
    fuel_use_energy,
    load_fuel_factors,
)
from lingtan.twin.accounting.criteria import Verdict, Verdicts, evaluate, evaluate_cases, score, score_cases
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


def annual_energy(scenario, kpis: dict) -> AnnualEnergy:
    """The year's flows across the boundary: the run's electricity, boiler fuels (fossil or biomass by the fuel
    table), fuel uses outside the boilers, purchased heat by source, the declared process emissions and the heat
    ground-source heat pumps drew from the ground (on-site renewable heat).

    Parameters
    ----------
    scenario : Scenario
        The factory (its purchased-heat sources and process emissions).
    kpis : dict
        The run's KPIs.

    Returns
    -------
    AnnualEnergy
    """
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
        # Heat a ground-source heat pump drew from the ground: on-site renewable heat (shallow geothermal).
        onsite_re_heat_gj=float(heat.get("ground_heat_e_kwh_th", 0.0)) * GJ_PER_KWH,
    )


def _waste_heat_kpis(heat: dict) -> dict:
    """The waste-heat resources' recovery rates the criteria read (none for a site without a heat side)."""
    keys = ("waste_heat_recovery_rate", "waste_heat_recovery_rate_by_type", "waste_heat_recovery_rate_declared_streams")
    return {k: heat[k] for k in keys if k in heat}


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
        annual_energy(scenario, kpis),
        scenario.accounting,
        scenario.green_power,
        scenario.offsets,
        grid_emission_factor=_grid_factor(scenario, hourly.index, imp, base_dir),
    )
    flat = {k: v for k, v in kpis.items() if isinstance(v, (int, float))}
    flat.update(accounting_kpis(acc))
    flat.update(_waste_heat_kpis(kpis.get("heat", {})))
    if "vehicles" in kpis:
        flat.update(fleet_flat_kpis(kpis["vehicles"]))  # the Anhui 2.2 shares, computed from the fleet
    firms = {t.name: t.declared for t in getattr(scenario, "tenants", [])}  # a park's tenants
    verdicts = (
        evaluate(scenario.criteria, flat, scenario.declared, scenario.criteria_settings, firms)
        if scenario.criteria
        else []
    )
    return Assessment(
        accounting=acc, verdicts=[v.to_dict() for v in verdicts], packs=[score(verdicts, p) for p in scenario.criteria]
    )


class _PerCase(Sequence):
    """Per case i, ``build(i)``: records of a case built when read (N cases of 31 criteria are many records)."""

    def __init__(self, n: int, build):
        self._n, self._build = n, build

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._build(j) for j in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        return self._build(i % self._n)


@dataclass(frozen=True)
class CasesAssessment:
    """What many cases of one site are judged by (:func:`assess_cases`).

    Attributes
    ----------
    accounting : AccountingResult
        One result whose yearly quantities are arrays of shape (N,) (factors and offsets bought are shared).
    kpis : DataFrame
        Per case (row) the accounting's flat KPIs (:func:`lingtan.twin.accounting.account.accounting_kpis`).
    criteria : list of Verdicts
        Per criterion, its verdicts over the N cases (:func:`lingtan.twin.accounting.criteria.evaluate_cases`).
    pack_ids : tuple of str
        The scenario's packs.
    """

    accounting: AccountingResult
    kpis: pd.DataFrame
    criteria: list[Verdicts]
    pack_ids: tuple[str, ...]

    @property
    def verdicts(self) -> Sequence[list[Verdict]]:
        """Per case, one :class:`Verdict` per criterion (built when a case is read)."""
        return _PerCase(len(self.kpis), lambda i: [v.case(i) for v in self.criteria])

    @property
    def packs(self) -> Sequence[list[dict]]:
        """Per case, the summary of each pack (:func:`lingtan.twin.accounting.criteria.score`, built when read)."""
        verdicts = self.verdicts
        return _PerCase(len(self.kpis), lambda i: [score(verdicts[i], p) for p in self.pack_ids])

    def verdict_columns(self, verdicts: tuple[str, ...] | str = ("value", "passed", "status")) -> dict[str, object]:
        """``verdict.<criterion>.<field>`` and ``pack.<pack>.points`` / ``.admission_passed`` / ``.targets_passed``,
        each an array over the cases.

        Parameters
        ----------
        verdicts : str or tuple of str
            The verdict fields to give a column each.

        Returns
        -------
        dict of str -> array of shape (N,)
            The columns.
        """
        cols: dict[str, object] = {}
        for v in self.criteria:
            for f in (verdicts,) if isinstance(verdicts, str) else verdicts:
                cols[f"verdict.{v.criterion_id}.{f}"] = v.array(f)
        for p in self.pack_ids:
            cols.update({f"pack.{p}.{k}": a for k, a in score_cases(self.criteria, p).items()})
        return cols

    def columns(self, verdicts: tuple[str, ...] | str = ("value", "passed", "status")) -> pd.DataFrame:
        """Flat columns of every case: ``accounting.<kpi>`` and :meth:`verdict_columns`.

        Parameters
        ----------
        verdicts : str or tuple of str
            The verdict fields to give a column each (a sweep row keeps ``passed`` only).

        Returns
        -------
        DataFrame
            One row per case, in the order of the KPI table.
        """
        cols: dict[str, object] = {f"accounting.{k}": self.kpis[k].to_numpy() for k in self.kpis.columns}
        cols.update(self.verdict_columns(verdicts))
        return pd.DataFrame(cols, index=self.kpis.index)


def assess_cases(scenario, kpis: pd.DataFrame) -> CasesAssessment:
    """Accounting, verdicts and pack scores of many cases of one factory from their annual KPIs, as
    :func:`assess` gives for each (a site without a heat side, fuel uses or purchased heat, and a constant grid
    emission factor: what the annual KPIs alone decide).

    Parameters
    ----------
    scenario : lingtan.twin.core.scenario.Scenario
        The ONE base scenario: its accounting, green power, offsets, grid factor, declared facts and criteria
        hold for every case (the cases differ only in what the KPIs carry).
    kpis : DataFrame
        One row per case, the flat KPIs of a sweep row (:func:`lingtan.twin.core.kpis.electric_kpis`; nested
        names joined by dots).

    Returns
    -------
    CasesAssessment
        Accounting over arrays, per-case accounting KPIs, verdicts and pack summaries.

    Raises
    ------
    InputError
        A KPI the accounting reads is missing or not one non-negative number per case.
    """
    energy = annual_energy_arrays(kpis, process_emissions_t=scenario.process_emissions_t)
    acc = account(
        energy,
        scenario.accounting,
        scenario.green_power,
        scenario.offsets,
        grid_emission_factor=scenario.grid.emission_factor,
    )
    n = len(kpis)
    acc_kpis = pd.DataFrame(
        {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in accounting_kpis(acc).items()},
        index=kpis.index,
    )
    flat = pd.concat([kpis.drop(columns=acc_kpis.columns, errors="ignore"), acc_kpis], axis=1)
    criteria = (
        evaluate_cases(
            scenario.criteria,
            {str(k): flat[k].to_numpy() for k in flat.columns},
            scenario.declared,
            scenario.criteria_settings,
        )
        if scenario.criteria and n
        else []
    )
    return CasesAssessment(accounting=acc, kpis=acc_kpis, criteria=criteria, pack_ids=tuple(scenario.criteria))
