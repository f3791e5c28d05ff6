"""The design-and-dispatch problem of one site as plain arrays: what the linear programme reads.

:class:`DesignProblem` is the one input of lingtan's own LP (:mod:`lingtan.twin.studies.lp.model`) and of any
outside peer that solves the same question (``validation/pypsa_design.py`` builds the same problem in PyPSA from
this record). It holds no solver object, only numbers with their units and the source of every cost.

Conventions
-----------
* T steps of ``step_h`` hours; every power is the step's mean [kW], energy = power x ``step_h`` [kWh].
* K renewable sources (PV arrays [kWp], then wind farms [turbines]) in the order of
  :attr:`lingtan.twin.run.Profiles.sources`; ``unit_kw[k]`` is the AC output per unit of size.
* Sizes are continuous in the LP; whole turbines are chosen afterwards (:mod:`lingtan.twin.studies.lp.solve`).
* Annualised cost of a size = HOMER's annualised cost of one unit of it: capital, replacements, fixed O&M and
  salvage over the analysis period, times the capital recovery factor
  (:func:`lingtan.twin.studies.economics.asset_npc`, :func:`~lingtan.twin.studies.economics.crf`): linear in size.
* A park is one node, its bus: tenants' loads (and their power-to-heat electricity) summed, every PV array and
  wind farm of tenants and shared assets a source of that node, one battery of the summed energy and power
  (:func:`park_problem`). The tenants' own meters and connection limits are not in the problem; the chosen design is
  simulated afterwards with the park's own model, which checks them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lingtan.components.battery import Battery
from lingtan.components.grid import CONTRACT_OVERRUN_PRICE_FACTOR, CONTRACT_OVERRUN_THRESHOLD_PCT, PERIODS
from lingtan.twin.accounting.criteria import pack_criteria
from lingtan.twin.accounting.criteria.packs.hunan_factory_2025 import RE_RATIO_KEYS
from lingtan.twin.core.heat_profiles import heat_sizes
from lingtan.twin.core.kpis import heat_kpis
from lingtan.twin.core.tables import heat_table
from lingtan.twin.studies.economics import asset_npc, crf
from lingtan.twin.studies.lp.heat_dispatch import HeatLP, heat_lp
from lingtan.twin.studies.lp.intensity import IntensityModel, affine, intensity_model

RE_SHARE_KPIS = {
    "re_electricity_share_onsite": (False, False),
    "re_electricity_share_with_green_power": (True, False),
    "re_electricity_share_with_certificates": (True, True),
}
"""Renewable-share KPIs a criterion may read -> (contracted green power counted, certificates counted)."""


@dataclass(frozen=True)
class SizeCost:
    """The annualised cost of one unit of a size the LP may choose.

    Attributes
    ----------
    unit : str
        ``kWp``, ``turbine``, ``kWh``, ``kW``, ``kWh_th``, ``kW_th`` or ``kWh_yr`` (green power).
    capex_cny : float
        Capital cost of one unit [CNY].
    annualised_cny_per_yr : float
        HOMER annualised cost of one unit: NPC (capital + replacements + fixed O&M - salvage) x CRF [CNY/yr].
    source : str
        Where the numbers come from (:data:`lingtan.twin.core.schema.economics.DEFAULT_COSTS` or the user's).
    """

    unit: str
    capex_cny: float
    annualised_cny_per_yr: float
    source: str


@dataclass(frozen=True)
class StorageParams:
    """An electric or thermal store as the LP sees it.

    Attributes
    ----------
    charge_efficiency, discharge_efficiency : float
        In to stored, stored to out [-].
    soc_min, soc_max : float
        State-of-charge window [-].
    keep_per_step : float
        1 - self-discharge (standing loss) per step [-].
    soc_initial : float
        State of charge at the first step [-]; the LP ends the year at least as full (no free energy).
    energy_kwh, charge_kw, discharge_kw : float
        Existing sizes [kWh, kW] (kWh_th, kW_th for a thermal store).
    soc_end_min : float or None
        State of charge the last step must reach at least [-]; None: ``soc_initial`` (a rolling-horizon window
        starts from the carried state but ends at least as full as the year started).
    grid_charge_ok, discharge_ok : tuple of bool, shape (4,)
        Per time-of-use code (0 valley .. 3 critical), whether the dispatch rule that will run this store may
        charge it from the grid / discharge it (:func:`rule_envelope`); a design LP keeps to them.
    """

    charge_efficiency: float
    discharge_efficiency: float
    soc_min: float
    soc_max: float
    keep_per_step: float
    soc_initial: float
    energy_kwh: float
    charge_kw: float
    discharge_kw: float
    soc_end_min: float | None = None
    grid_charge_ok: tuple[bool, ...] = (True, True, True, True)
    discharge_ok: tuple[bool, ...] = (True, True, True, True)


@dataclass(frozen=True)
class CriterionRow:
    """One criterion of the chosen packs as the LP can (or cannot) hold it.

    Attributes
    ----------
    id : str
        The criterion's id (``anhui_park_2024.re_share``).
    kind : str
        ``re_share_min`` (linear in flows: the LP holds it), ``recovery_min`` (a waste-heat recovery rate: the LP
        holds it on its heat side, :func:`lingtan.twin.studies.lp.heat_dispatch.recovered_terms`),
        ``intensity_max`` (emissions per tce, :mod:`lingtan.twin.studies.lp.intensity`), or
        ``simulated`` (not linear in the LP's flows or not moved by its sizes: judged on the simulated design only).
    threshold : float or None
        The fraction the share or the recovery rate must reach [-], or the intensity's limit [tCO2/tce].
    green_power_counts, certificates_count : bool
        Whether contracted green power / unbundled certificates enter the share's numerator.
    variant : str
        The definition the LP uses, named as the criterion names it.
    """

    id: str
    kind: str
    threshold: float | None
    green_power_counts: bool = False
    certificates_count: bool = False
    variant: str = ""


@dataclass(frozen=True)
class DesignProblem:
    """A site's year as the linear programme reads it (module docstring for conventions).

    Attributes
    ----------
    name : str
        The scenario's name.
    step_h : float
        Step length [h].
    month : ndarray of int, shape (T,)
        Calendar month of each step, 0-based.
    period : ndarray of int, shape (T,)
        Time-of-use code of each step (0 valley, 1 flat, 2 peak, 3 critical).
    load_kw : ndarray, shape (T,)
        Electric load met through the bus [kW] (loads, electric cooling, power-to-heat run on any electricity).
    sources : tuple of (str, str)
        ``(kind, name)`` of each renewable source, kind ``pv`` or ``wind``.
    unit_kw : ndarray, shape (K, T)
        AC output per unit of size [kW per kWp, kW per turbine].
    existing_size : ndarray, shape (K,)
        Sizes as the scenario has them [kWp, turbines]; dispatch holds these, design starts from 0.
    max_size : ndarray, shape (K,)
        Site limit of each source [kWp, turbines]: a PV array's ``max_capacity_kwp``; inf where none.
    size_cost : tuple of SizeCost
        Cost of one unit of each source.
    import_price_cny_per_kwh, export_price_cny_per_kwh : ndarray, shape (T,)
        Energy price of import and price paid for export in each step [CNY/kWh].
    import_limit_kw, export_limit_kw : float
        Connection limits [kW] (export 0 when export is not allowed).
    basic_charge_basis : str
        ``demand``, ``contracted_demand``, ``capacity`` or ``none`` (:class:`lingtan.components.grid.Tariff`).
    demand_price_cny_per_kw_month : float
        Price of the month's maximum demand, or of the contracted demand [CNY/(kW month)].
    contracted_demand_kw : float or None
        Contracted maximum demand (合同最大需量) [kW] of the contracted-demand basis.
    overrun_threshold_fraction, overrun_price_factor : float
        Demand above this fraction of the contract is billed at this multiple of the demand price
        (发改办价格〔2016〕1583号, :func:`lingtan.components.grid.basic_charge_parts_cny`).
    contracted_demand_overrun : str
        ``band`` or ``contract``: what an overrunning month pays at the single price.
    fixed_basic_charge_cny_per_month : float
        The capacity basis's charge, the same every month whatever the flows [CNY].
    battery : StorageParams or None
        The battery (its parameters; existing energy and power). A site without one gets the schema's default
        parameters (:class:`lingtan.components.battery.Battery`) at zero size, which a design may enlarge.
    battery_energy_cost, battery_power_cost : SizeCost
        Cost of one kWh and of one kW of power conversion (PCS).
    battery_variable_om_cny_per_kwh : float
        Variable O&M per kWh discharged [CNY/kWh].
    variable_om_cny_per_kwh : ndarray, shape (K,)
        Variable O&M per kWh generated by each source [CNY/kWh].
    green_power_e_kwh : float
        Contracted green power (绿电交易) of the scenario [kWh/yr]; a design variable of the design LP.
    green_power_cost : SizeCost
        Premium of one kWh/yr of contracted green power (unit ``kWh_yr``).
    green_power_direct_e_kwh : float
        Directly supplied green power (绿电直连) [kWh/yr], fixed. Contract and direct supply count only up to the
        grid import (``green_power_covered_e_kwh`` of the accounting).
    green_certificates_e_kwh : float
        Unbundled certificates surrendered [kWh/yr] (counted only where a criterion counts them).
    onsite_certificates_sold_e_kwh : float
        On-site renewable electricity whose certificates were sold [kWh/yr]: leaves every share's numerator.
    criteria : tuple of CriterionRow
        The chosen packs' criteria, as the LP holds them.
    heat_present : bool
        Whether the site has a heat side.
    heat : HeatLP or None
        The heat side in the LP (:mod:`lingtan.twin.studies.lp.heat_dispatch`): its stores, power-to-heat units and
        boilers, their electricity drawn from the same bus. None: the heat side is not scheduled (its electricity,
        if any, in ``load_kw``).
    intensity : IntensityModel or None
        Emissions and energy as affine functions of the flows, for an ``intensity_max`` row
        (:mod:`lingtan.twin.studies.lp.intensity`).
    block_size : ndarray, shape (K,), optional
        The unit each source is built in [kWp, turbines]: a PV array's ``block_kwp`` (0: any size), 1 turbine;
        None: any size.
    months : int
        Calendar months billed (12 for a year).
    peak_floor_kw : ndarray, shape (12,), optional
        Monthly maximum demand already reached before the first step [kW] (a rolling-horizon window: the month's
        running peak); the peak variables start there, so demand below it costs nothing more. None: no floor.

    The renewable share rows read (accounting's definitions): renewable consumed = generation - export -
    curtailment (storage losses on renewable energy count as consumed); electricity consumed = import + generation -
    export - curtailment; the delivered-energy basis leaves the storage losses out of both, and a criterion uses the
    stricter of the two, so the LP holds both.
    """

    name: str
    step_h: float
    month: np.ndarray
    period: np.ndarray
    load_kw: np.ndarray
    sources: tuple[tuple[str, str], ...]
    unit_kw: np.ndarray
    existing_size: np.ndarray
    max_size: np.ndarray
    size_cost: tuple[SizeCost, ...]
    import_price_cny_per_kwh: np.ndarray
    export_price_cny_per_kwh: np.ndarray
    import_limit_kw: float
    export_limit_kw: float
    basic_charge_basis: str
    demand_price_cny_per_kw_month: float
    contracted_demand_kw: float | None
    overrun_threshold_fraction: float
    overrun_price_factor: float
    contracted_demand_overrun: str
    fixed_basic_charge_cny_per_month: float
    battery: StorageParams | None
    battery_energy_cost: SizeCost
    battery_power_cost: SizeCost
    battery_variable_om_cny_per_kwh: float
    variable_om_cny_per_kwh: np.ndarray
    green_power_e_kwh: float
    green_power_cost: SizeCost
    green_power_direct_e_kwh: float = 0.0
    green_certificates_e_kwh: float = 0.0
    onsite_certificates_sold_e_kwh: float = 0.0
    criteria: tuple[CriterionRow, ...] = ()
    heat_present: bool = False
    months: int = 12
    peak_floor_kw: np.ndarray | None = None
    heat: HeatLP | None = None
    intensity: IntensityModel | None = None
    block_size: np.ndarray | None = None

    @property
    def n_steps(self) -> int:
        """Number of steps T.

        Returns
        -------
        int
        """
        return len(self.load_kw)


# --------------------------------------------------------------------------- costs


def unit_cost(cost, unit: str, capex_per_unit: float, discount_rate: float, period_years: float) -> SizeCost:
    """HOMER's annualised cost of one unit of a size (:class:`SizeCost`).

    Parameters
    ----------
    cost : AssetCost
        The kind's costs (:class:`lingtan.twin.core.schema.economics.AssetCost`): life, O&M fraction, replacement.
    unit : str
        The unit of size the cost is per.
    capex_per_unit : float
        Capital cost of one unit [CNY].
    discount_rate : float
        Real discount rate [-].
    period_years : float
        Analysis period [yr].

    Returns
    -------
    SizeCost
        Capital and annualised cost of one unit. The kind's ``fixed_om_cny_per_year`` (per asset, not per unit of
        size) is not in it: a cost that does not scale with size does not move a linear optimum.
    """
    npc = asset_npc(
        capex_per_unit,
        cost.fixed_om_fraction_of_capex * capex_per_unit,
        cost.lifetime_years,
        discount_rate,
        period_years,
        cost.replacement_cost_fraction,
    )["npc"]
    return SizeCost(unit, capex_per_unit, npc * crf(discount_rate, period_years), cost.source)


def _source_costs(pv, wind, eco) -> tuple[list[SizeCost], list[float]]:
    """Cost of one kWp of each PV array and of one turbine of each wind farm, and their variable O&M."""
    rate, years = eco.discount_rate, eco.analysis_period_years
    pv_cost, wind_cost = eco.cost("pv"), eco.cost("wind")
    costs = [
        unit_cost(pv_cost, "kWp", pv_cost.capex_cny_per_kwp + pv_cost.capex_cny_per_kw / a.dc_ac_ratio, rate, years)
        for a in pv
    ]
    costs += [
        unit_cost(
            wind_cost,
            "turbine",
            wind_cost.capex_cny_per_kw * f.nominal_power_kw + wind_cost.capex_cny_per_unit,
            rate,
            years,
        )
        for f in wind
    ]
    vom = [pv_cost.variable_om_cny_per_kwh] * len(pv) + [wind_cost.variable_om_cny_per_kwh] * len(wind)
    return costs, vom


# --------------------------------------------------------------------------- criteria


def criteria_rows(packs: list[str], settings) -> tuple[CriterionRow, ...]:
    """The chosen packs' criteria as the LP holds them.

    A criterion that reads a renewable electricity share (:data:`RE_SHARE_KPIS`) with ``>=`` and a threshold
    known before the run (a fixed one, or one its band takes from the settings alone: Hunan's targets by
    ``hunan_target_year``) becomes a ``re_share_min`` row; the Anhui park pack's share reads the variant of
    ``criteria_settings.anhui_re_share_variant``, the Hunan pack's ``hunan_re_ratio_variant`` (an energy basis is
    not a row of electricity flows: simulated). A criterion that reads ``unit_energy_carbon_t_per_tce`` with ``<=``
    (Hunan's target) becomes an ``intensity_max`` row on the ``hunan_tce_basis`` energy (a factory whose
    intensity is affine in its flows holds it: :func:`design_problem`). A criterion that reads
    ``waste_heat_recovery_rate`` with ``>=`` and such a threshold becomes a ``recovery_min`` row (Anhui,
    Annex 1, 2.1: "园区内余热余能回收率须达到10%及以上"). Every other criterion of role admission or target is
    ``simulated``: judged on the simulated design.

    Parameters
    ----------
    packs : list of str
        Criteria pack ids.
    settings : CriteriaSettings
        The scenario's ``criteria_settings``.

    Returns
    -------
    tuple of CriterionRow
    """
    rows = []
    for pack in packs:
        for c in pack_criteria(pack):
            if c.role not in ("admission", "target"):
                continue
            key = _share_key(c, settings)
            threshold = _threshold(c, settings)
            if key in RE_SHARE_KPIS and c.comparator == ">=" and threshold is not None:
                gp, cert = RE_SHARE_KPIS[key]
                rows.append(CriterionRow(c.id, "re_share_min", threshold, gp, cert, variant=key))
            elif c.reads == "waste_heat_recovery_rate" and c.comparator == ">=" and threshold is not None:
                rows.append(CriterionRow(c.id, "recovery_min", threshold, variant=c.reads))
            elif c.reads == "unit_energy_carbon_t_per_tce" and c.comparator == "<=" and threshold is not None:
                rows.append(CriterionRow(c.id, "intensity_max", threshold, variant=settings.hunan_tce_basis))
            else:
                rows.append(CriterionRow(c.id, "simulated", None))
    return tuple(rows)


class _SettingsOnly:
    """What a criterion's band may read before any run: the criteria settings; a KPI raises."""

    def __init__(self, settings) -> None:
        self.settings = settings

    def __getattr__(self, name: str):
        raise LookupError(name)


def _threshold(c, settings) -> float | None:
    """A criterion's threshold as a number: its fixed one, or its band's when the band reads settings only (Hunan's
    targets by ``hunan_target_year``); None when it needs the run (an energy-size band) or has none."""
    if isinstance(c.threshold, (int, float)) and not isinstance(c.threshold, bool):
        return float(c.threshold)
    if c.band is None:
        return None
    try:
        value, _ = c.band(_SettingsOnly(settings))
    except LookupError:
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _share_key(c, settings) -> str | None:
    """The share KPI a criterion reads, its pack's variant setting resolved; None for another criterion."""
    if c.id == "anhui_park_2024.re_electricity_share":  # reads the onsite key, measures the setting's variant
        return {
            "onsite": "re_electricity_share_onsite",
            "onsite_plus_green_power": "re_electricity_share_with_green_power",
            "onsite_plus_green_power_and_certificates": "re_electricity_share_with_certificates",
        }[settings.anhui_re_share_variant]
    if c.id == "hunan_factory_2025.re_ratio":  # reads the setting's variant (an energy basis is not a row)
        return RE_RATIO_KEYS[settings.hunan_re_ratio_variant]
    if c.reads in RE_SHARE_KPIS:
        return c.reads
    return None


# --------------------------------------------------------------------------- building


def free_battery(p: DesignProblem) -> DesignProblem:
    """``p`` with its battery free to grid-charge and discharge in any hour (no :func:`rule_envelope`).

    The programme of a peer model whose battery has no dispatch rule (PyPSA's store, in
    ``validation/pypsa_design.py``).

    Parameters
    ----------
    p : DesignProblem

    Returns
    -------
    DesignProblem
    """
    every = (True,) * len(PERIODS)
    return replace(p, battery=replace(p.battery, grid_charge_ok=every, discharge_ok=every))


def window(p: DesignProblem, first_day: int, days: int) -> DesignProblem:
    """``days`` days of a factory's problem from ``first_day`` (0-based), its annualised size costs scaled to them.

    A short span bills a short span: with a year's capital costs against it, no battery pays. For benchmarks and
    peer checks on a fortnight (``validation/peer_cases.py``, ``benchmarks/lp_bench.py``).

    Parameters
    ----------
    p : DesignProblem
        A year without a heat side.
    first_day, days : int
        The span [days].

    Returns
    -------
    DesignProblem
    """
    per_day = round(24 / p.step_h)
    cut = slice(first_day * per_day, (first_day + days) * per_day)
    share = days / 365.0

    def scaled(c: SizeCost) -> SizeCost:
        return replace(c, annualised_cny_per_yr=c.annualised_cny_per_yr * share)

    return replace(
        p,
        month=p.month[cut],
        period=p.period[cut],
        load_kw=p.load_kw[cut],
        unit_kw=p.unit_kw[:, cut],
        import_price_cny_per_kwh=p.import_price_cny_per_kwh[cut],
        export_price_cny_per_kwh=p.export_price_cny_per_kwh[cut],
        size_cost=tuple(scaled(c) for c in p.size_cost),
        battery_energy_cost=scaled(p.battery_energy_cost),
        battery_power_cost=scaled(p.battery_power_cost),
    )


def rule_envelope(b) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    """Per time-of-use code, when the battery's dispatch rule may charge from the grid and when it may discharge.

    The kernel's rules (:mod:`lingtan.twin.core.dispatch`): ``load_following`` "never charges from the grid" and
    discharges in any hour; ``tou_arbitrage`` charges from the grid in its ``grid_charge_periods`` and discharges
    only in its ``discharge_periods``; ``peak_shaving`` grid-charges in any hour within the room its limit leaves;
    ``optimal`` is the LP's own dispatch. A design LP holding the battery to its rule chooses the battery the rule
    will run, and stays a lower bound on every design simulated with that rule (the rule's dispatch is one of its
    choices); without it the LP sized a battery for grid arbitrage that load-following never does.

    Parameters
    ----------
    b : lingtan.components.battery.Battery

    Returns
    -------
    grid_charge_ok, discharge_ok : tuple of bool, shape (4,)
        Indexed by :data:`lingtan.components.grid.PERIODS` codes.
    """
    every = (True,) * len(PERIODS)
    if b.dispatch == "load_following":
        return (False,) * len(PERIODS), every
    if b.dispatch == "tou_arbitrage":
        return tuple(q in b.grid_charge_periods for q in PERIODS), tuple(q in b.discharge_periods for q in PERIODS)
    return every, every


def _battery(b, step_h: float) -> StorageParams:
    grid_charge_ok, discharge_ok = rule_envelope(b)
    return StorageParams(
        charge_efficiency=b.charge_efficiency,
        discharge_efficiency=b.discharge_efficiency,
        soc_min=b.soc_min,
        soc_max=b.soc_max,
        keep_per_step=(1.0 - b.self_discharge_fraction_per_hour) ** step_h,
        soc_initial=b.soc_initial_value,
        energy_kwh=b.energy_kwh,
        charge_kw=b.charge_kw,
        discharge_kw=b.discharge_kw,
        grid_charge_ok=grid_charge_ok,
        discharge_ok=discharge_ok,
    )


def _tariff_fields(tariff) -> dict:
    fixed = 0.0
    if tariff.basic_charge_basis == "capacity":
        fixed = tariff.contracted_capacity_kva * tariff.capacity_charge_cny_per_kva_month
    return dict(
        basic_charge_basis=tariff.basic_charge_basis,
        demand_price_cny_per_kw_month=tariff.demand_charge_cny_per_kw_month,
        contracted_demand_kw=tariff.contracted_demand_kw,
        overrun_threshold_fraction=CONTRACT_OVERRUN_THRESHOLD_PCT / 100,
        overrun_price_factor=CONTRACT_OVERRUN_PRICE_FACTOR,
        contracted_demand_overrun=tariff.contracted_demand_overrun,
        fixed_basic_charge_cny_per_month=fixed,
    )


def _green_power_cost(gp, eco) -> SizeCost:
    """The premium of one kWh/yr of contracted green power (an annual cost: its annualised cost is itself), chosen
    as :func:`lingtan.twin.studies.economics.annual_operating_costs` chooses it."""
    if "green_power_contract_premium_cny_per_kwh" in gp.model_fields_set:
        return SizeCost("kWh_yr", 0.0, gp.green_power_contract_premium_cny_per_kwh, "scenario green_power section")
    return SizeCost(
        "kWh_yr",
        0.0,
        eco.green_power_contract_premium_cny_per_kwh,
        "economics.green_power_contract_premium_cny_per_kwh (its description gives the source)",
    )


def design_problem(
    scenario,
    prof,
    packs: list[str] | None = None,
    step_h: float = 1.0,
    *,
    pv=None,
    wind=None,
    batteries=None,
    co_heat: bool = False,
    intensity: bool = True,
) -> DesignProblem:
    """The design problem of a factory (or of a park's bus, :func:`park_problem`) from its profiles.

    Parameters
    ----------
    scenario : Scenario
        The factory: grid, battery, green power, economics and criteria settings are read.
    prof : Profiles
        Its size-independent profiles (:func:`lingtan.twin.run.build_profiles`).
    packs : list of str, optional
        Criteria packs whose linear rows the design must meet (default: none, a pure cost problem).
    step_h : float
        Step length [h].
    pv, wind, batteries : list, optional
        The PV arrays, wind farms and batteries behind ``prof.sources`` (default the scenario's own).
    co_heat : bool
        Co-schedule the heat side in the dispatch LP (:attr:`DesignProblem.heat`); False: no heat side scheduled.
    intensity : bool
        Hold an ``intensity_max`` row where the site's intensity is affine in its flows
        (:func:`lingtan.twin.studies.lp.intensity.affine`; a reference year is simulated for it); otherwise, or
        False (a park's node), the criterion is judged on the simulated design only.

    Returns
    -------
    DesignProblem
    """
    eco = scenario.economics
    pv = scenario.pv if pv is None else pv
    wind = scenario.wind if wind is None else wind
    batteries = scenario.battery if batteries is None else batteries
    costs, vom = _source_costs(pv, wind, eco)
    rate, years = eco.discount_rate, eco.analysis_period_years
    bcost = eco.cost("battery")
    grid = scenario.grid
    t = len(prof.load_kw)
    rows, model = criteria_rows(list(packs or []), scenario.criteria_settings), None
    wanted = [r for r in rows if r.kind == "intensity_max"]
    if wanted and intensity and affine(scenario):
        model = intensity_model(scenario, prof, wanted[0].variant)
    elif wanted:
        rows = tuple(replace(r, kind="simulated", threshold=None) if r.kind == "intensity_max" else r for r in rows)
    return DesignProblem(
        name=scenario.name,
        step_h=float(step_h),
        month=np.asarray(prof.month, dtype=np.int64),
        period=np.asarray(prof.period, dtype=np.int64),
        load_kw=np.asarray(prof.load_kw, dtype=float),
        sources=tuple(prof.sources),
        unit_kw=np.asarray(prof.unit_kw, dtype=float),
        existing_size=np.array([a.capacity_kwp for a in pv] + [float(f.count) for f in wind], dtype=float),
        max_size=np.array(
            [np.inf if a.max_capacity_kwp is None else a.max_capacity_kwp for a in pv] + [np.inf] * len(wind),
            dtype=float,
        ),
        size_cost=tuple(costs),
        block_size=np.array([a.block_kwp or 0.0 for a in pv] + [1.0] * len(wind), dtype=float),
        import_price_cny_per_kwh=np.asarray(prof.price_cny_per_kwh, dtype=float),
        export_price_cny_per_kwh=np.full(t, prof.tariff.feed_in_price_cny_per_kwh),
        import_limit_kw=grid.import_limit_kw,
        export_limit_kw=grid.effective_export_limit_kw,
        **_tariff_fields(prof.tariff),
        battery=_battery(batteries[0] if batteries else Battery(name="lp", energy_kwh=0.0, power_kw=0.0), step_h),
        battery_energy_cost=unit_cost(bcost, "kWh", bcost.capex_cny_per_kwh, rate, years),
        battery_power_cost=unit_cost(bcost, "kW", bcost.capex_cny_per_kw, rate, years),
        battery_variable_om_cny_per_kwh=bcost.variable_om_cny_per_kwh,
        variable_om_cny_per_kwh=np.array(vom, dtype=float),
        green_power_e_kwh=scenario.green_power.green_power_contract_e_kwh,
        green_power_cost=_green_power_cost(scenario.green_power, eco),
        green_power_direct_e_kwh=scenario.green_power.green_power_direct_e_kwh,
        green_certificates_e_kwh=scenario.green_power.green_certificates_mwh * 1000.0,
        onsite_certificates_sold_e_kwh=scenario.green_power.onsite_certificates_sold_mwh * 1000.0,
        criteria=rows,
        intensity=model,
        heat_present=not prof.heat.empty,
        heat=site_heat(scenario, prof) if co_heat and not prof.heat.empty else None,
    )


def site_heat(scenario, prof, prefix: str = "") -> HeatLP:
    """A factory's or a tenant's heat side as the LP reads it, with what a design needs: the heat pumps' and stores'
    annualised costs per kW_th and kWh_th, and the recovery rate's resources and fixed part.

    The store's cost per kWh_th carries its charge or discharge power at the scenario's proportion (the larger, as
    the economics prices a store: :func:`lingtan.twin.studies.economics.asset_capex`). The recovery rate's
    resources and fixed part are read by the heat KPIs themselves from a year in which no store, heat pump or boiler
    runs (:func:`lingtan.twin.core.kpis.heat_kpis`): direct exchange, heat network and declared energy are what
    remains recovered then.

    Parameters
    ----------
    scenario : Scenario
        The factory or tenant.
    prof : Profiles
        Its profiles.
    prefix : str
        Put before every name (``"tenant."`` in a park).

    Returns
    -------
    HeatLP
    """
    eco = scenario.economics
    rate, years = eco.discount_rate, eco.analysis_period_years
    hp, ts = eco.cost("heat_pump"), eco.cost("thermal_storage")
    per_kw = unit_cost(hp, "kW_th", hp.capex_cny_per_kw, rate, years).annualised_cny_per_yr
    store_cost = [
        unit_cost(
            ts,
            "kWh_th",
            ts.capex_cny_per_kwh + ts.capex_cny_per_kw * max(st.charge_kw_th, st.discharge_kw_th) / st.capacity_kwh_th
            if st.capacity_kwh_th > 0
            else ts.capex_cny_per_kwh,
            rate,
            years,
        ).annualised_cny_per_yr
        for st in scenario.thermal_storage
    ]
    setup = prof.heat
    zero = np.zeros((len(prof.index), len(setup.system.columns())))
    idle = heat_table(prof.index, setup, zero, round(prof.step_h * 60))
    k = heat_kpis(setup, idle, scenario)
    return heat_lp(
        scenario,
        setup,
        heat_sizes(scenario),
        prefix=prefix,
        unit_cost_cny_per_kw_th_yr=[per_kw if kind == "heat_pump" else 0.0 for kind in setup.unit_kinds],
        store_cost_cny_per_kwh_th_yr=store_cost,
        recovery_e_kwh_th=(k["waste_heat_available_e_kwh_th"], k["waste_heat_recovered_e_kwh_th"]),
    )


__all__ = [
    "DesignProblem",
    "SizeCost",
    "StorageParams",
    "CriterionRow",
    "design_problem",
    "criteria_rows",
    "site_heat",
]
