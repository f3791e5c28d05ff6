"""The factory-year's least-cost design as a PyPSA model: the outside reference for lingtan's own LP.

The same question lingtan's ``twin size --method lp`` answers (PV size, battery energy and power, and
the hourly dispatch, chosen together to minimise the annualised cost), written in PyPSA's components
and solved by PyPSA's own optimiser (linopy, HiGHS). The model is the peer's own; only the inputs are
shared with lingtan: the scenario's profiles (:func:`lingtan.twin.run.build_profiles`) and the annualised
unit costs of its economics (:func:`lingtan.twin.studies.lp.problem.unit_cost`, which the LP also uses).

The network
-----------
Two electric buses, so that only PV can be exported (the grid cannot be re-sold through the site, as
in the dispatch kernel):

================================  ==================================================================
``pv`` bus
  generator ``pv``                extendable ``p_nom`` [kWp], ``p_max_pu`` the array's AC output per
                                  kWp (so generation below it is curtailment), ``capital_cost`` the
                                  annualised cost per kWp, ``p_nom_max`` the roof's limit
  generator ``export``            ``p_min_pu = -1, p_max_pu = 0``, ``p_nom`` the export limit,
                                  ``marginal_cost`` the feed-in price (negative power earns it)
  link ``pv to site``             pv -> site, lossless, extendable at no cost
``site`` bus
  load ``load``                   the factory's electric load [kW]
  generators ``import m``         one per month m = 1..12: ``p_max_pu`` 1 in the hours of month m and
                                  0 elsewhere, ``marginal_cost`` the hourly import price, extendable
                                  ``p_nom`` up to the import limit with ``capital_cost`` the demand
                                  price [CNY/(kW month)]: ``p_nom`` of month m is that month's maximum
                                  demand, billed once. This is how PyPSA expresses a monthly demand
                                  charge: as twelve capacities, each available in its own month only
  links ``battery charge``,       site -> battery (efficiency ``charge_efficiency``) and battery ->
  ``battery discharge``           site (``discharge_efficiency``), both extendable; one power rating
                                  ``P`` limits the AC charge and the AC discharge:
                                  ``p_nom(charge) = P`` and ``p_nom(discharge) = P / discharge_efficiency``
                                  (a linopy constraint added through ``extra_functionality``, the way
                                  PyPSA's examples tie a store's two links); the power cost sits on
                                  the charge link
``battery`` bus
  store ``battery``               extendable ``e_nom`` [kWh] between ``soc_min`` and ``soc_max``,
                                  ``standing_loss`` the self-discharge per hour; the year starts and
                                  ends at ``soc_initial`` of the chosen energy (cyclic, plus one row)
================================  ==================================================================

The renewable share of consumption (the project's ``re_electricity_share_onsite``: renewable
consumed / total consumption, consumption = import + PV generation - export, curtailment never
generated here) is linear in flows: share >= x is ``x import - (1 - x)(PV - export) <= 0``. PyPSA
writes it as a ``GlobalConstraint`` of type ``primary_energy`` on a carrier attribute
(``re_share_weight``: ``x`` on the grid, ``-(1 - x)`` on PV and on the export generator, whose power
is negative) with the constant 0.

Money: every cost is annual. Capital enters as the annualised cost of one unit of size (HOMER's
annualised cost of :mod:`lingtan.twin.studies.economics`, with replacements and salvage, linear in
size), the grid bill as energy at the hourly price, the monthly demand charge and the feed-in revenue.
The objective is the annualised cost [CNY/yr] that lingtan's sizing minimises.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lingtan.errors import InputError

PYPSA_INSTALL_HINT = "pip install -e '.[dev]' (PyPSA is a development extra)"
"""How to install the reference (the validation rows print it when PyPSA is missing)."""
MONTHS = 12


def pypsa_missing() -> str | None:
    """Why PyPSA cannot be used, or None when it can.

    Returns
    -------
    str or None
        The reason (not installed) or None.
    """
    if importlib.util.find_spec("pypsa") is None:
        return "PyPSA is not installed"
    return None


@dataclass(frozen=True)
class DesignInputs:
    """One factory-year's design question, in plain arrays and annual unit costs.

    Attributes
    ----------
    load_kw : ndarray, shape (T,)
        Electric load [kW], step means.
    pv_kw_per_kwp : ndarray, shape (T,)
        AC output of the PV array per kWp [kW/kWp].
    price_cny_per_kwh : ndarray, shape (T,)
        Import price [CNY/kWh].
    month : ndarray, shape (T,)
        0-based month of each step.
    feed_in_cny_per_kwh : float or ndarray, shape (T,)
        Price paid for exported energy [CNY/kWh].
    import_limit_kw, export_limit_kw : float
        Connection limits [kW].
    demand_charge_cny_per_kw_month : float
        Basic charge on the month's maximum demand [CNY/(kW month)].
    pv_cny_per_kwp_year : float
        Annualised cost of 1 kWp of PV [CNY/(kWp yr)].
    battery_energy_cny_per_kwh_year, battery_power_cny_per_kw_year : float
        Annualised cost of 1 kWh and of 1 kW of battery [CNY/(kWh yr)], [CNY/(kW yr)].
    charge_efficiency, discharge_efficiency, soc_min, soc_max : float
        Battery [-].
    self_discharge_fraction_per_hour : float
        Battery [1/h].
    soc_initial : float or None
        State of charge before the first step [-] (None: ``soc_min``); the year ends as full as it started.
    pv_variable_om_cny_per_kwh, battery_variable_om_cny_per_kwh : float
        Variable O&M per kWh the PV can generate and per kWh (AC) the battery discharges [CNY/kWh].
    pv_max_kwp : float
        Largest PV the site holds [kWp]; ``inf`` for no limit.
    re_share_min : float or None
        Least renewable share of consumption [-], or None for no such constraint.
    step_h : float
        Length of a step [h].
    """

    load_kw: np.ndarray
    pv_kw_per_kwp: np.ndarray
    price_cny_per_kwh: np.ndarray
    month: np.ndarray
    feed_in_cny_per_kwh: float | np.ndarray
    import_limit_kw: float
    export_limit_kw: float
    demand_charge_cny_per_kw_month: float
    pv_cny_per_kwp_year: float
    battery_energy_cny_per_kwh_year: float
    battery_power_cny_per_kw_year: float
    charge_efficiency: float
    discharge_efficiency: float
    soc_min: float
    soc_max: float
    self_discharge_fraction_per_hour: float = 0.0
    soc_initial: float | None = None
    pv_variable_om_cny_per_kwh: float = 0.0
    battery_variable_om_cny_per_kwh: float = 0.0
    pv_max_kwp: float = math.inf
    re_share_min: float | None = None
    step_h: float = 1.0


def annualised_unit_cost(capex_per_unit: float, cost: Any, discount_rate: float, period_years: float) -> float:
    """Annualised cost of one unit of size [CNY/(unit yr)]: HOMER's NPC of the asset times the CRF.

    Parameters
    ----------
    capex_per_unit : float
        Capital cost of one unit (kWp, kWh or kW) [CNY].
    cost : lingtan.twin.core.schema.economics.AssetCost
        Its O&M fraction, life and replacement fraction.
    discount_rate : float
        Real discount rate [-].
    period_years : float
        Analysis period [yr].

    Returns
    -------
    float
        [CNY/(unit yr)]; capital, replacements and fixed O&M, less salvage.
    """
    from lingtan.twin.studies.lp.problem import unit_cost

    return unit_cost(cost, "unit", capex_per_unit, discount_rate, period_years).annualised_cny_per_yr


def design_inputs(
    scenario_path: str | Path, re_share_min: float | None = None, pv_max_kwp: float = math.inf
) -> DesignInputs:
    """The design question of a factory scenario with one PV array and one battery.

    Parameters
    ----------
    scenario_path : str or Path
        A factory scenario file (for example ``scenarios/hefei_auto_parts.yaml``).
    re_share_min : float, optional
        Least renewable share of consumption [-].
    pv_max_kwp : float
        Largest PV [kWp].

    Returns
    -------
    DesignInputs
        Its profiles, tariff, limits and annual unit costs.

    Raises
    ------
    InputError
        For a scenario this model does not hold (not one PV array and one battery, wind, a heat side, or a
        basic charge other than on the maximum demand).
    """
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.core.schema.economics import Economics
    from lingtan.twin.run import build_profiles

    path = Path(scenario_path)
    sc = load_scenario(path)
    where = str(path)
    if len(sc.pv) != 1 or len(sc.battery) != 1 or sc.wind:
        raise InputError(where, "pv, battery, wind", "one PV array, one battery and no wind", "another set of assets")
    prof = build_profiles(sc, path.parent)
    if prof.heat.electric_load_kw.any():
        raise InputError(where, "heat", "no electric heat load", "an electric heat side")
    tariff = prof.tariff
    if tariff.basic_charge_basis not in ("demand", "none"):
        raise InputError(where, "grid.tariff.basic_charge_basis", "demand or none", repr(tariff.basic_charge_basis))
    demand = tariff.demand_charge_cny_per_kw_month if tariff.basic_charge_basis == "demand" else 0.0
    eco = sc.economics or Economics()
    i, n = eco.discount_rate, eco.analysis_period_years
    pv_cost, bat_cost = eco.cost("pv"), eco.cost("battery")
    b = sc.battery[0]
    step_h = float((prof.index[1] - prof.index[0]).total_seconds() / 3600.0)
    return DesignInputs(
        load_kw=np.asarray(prof.load_kw, dtype=float),
        pv_kw_per_kwp=np.asarray(prof.unit_kw[0], dtype=float),
        price_cny_per_kwh=np.asarray(prof.price_cny_per_kwh, dtype=float),
        month=np.asarray(prof.month, dtype=int),
        feed_in_cny_per_kwh=float(tariff.feed_in_price_cny_per_kwh),
        import_limit_kw=float(sc.grid.import_limit_kw),
        export_limit_kw=float(sc.grid.effective_export_limit_kw),
        demand_charge_cny_per_kw_month=float(demand),
        pv_cny_per_kwp_year=annualised_unit_cost(pv_cost.capex_cny_per_kwp, pv_cost, i, n),
        battery_energy_cny_per_kwh_year=annualised_unit_cost(bat_cost.capex_cny_per_kwh, bat_cost, i, n),
        battery_power_cny_per_kw_year=annualised_unit_cost(bat_cost.capex_cny_per_kw, bat_cost, i, n),
        charge_efficiency=float(b.charge_efficiency),
        discharge_efficiency=float(b.discharge_efficiency),
        soc_min=float(b.soc_min),
        soc_max=float(b.soc_max),
        self_discharge_fraction_per_hour=float(b.self_discharge_fraction_per_hour),
        soc_initial=float(b.soc_initial_value),
        pv_variable_om_cny_per_kwh=float(pv_cost.variable_om_cny_per_kwh),
        battery_variable_om_cny_per_kwh=float(bat_cost.variable_om_cny_per_kwh),
        pv_max_kwp=float(pv_max_kwp),
        re_share_min=re_share_min,
        step_h=step_h,
    )


def inputs_from_problem(problem: Any) -> DesignInputs:
    """The same question from lingtan's ``DesignProblem`` record (``lingtan.twin.studies.lp.problem``).

    Only the record's fields are read (no code of lingtan's LP runs): the peer and the LP answer one question.

    Parameters
    ----------
    problem : lingtan.twin.studies.lp.problem.DesignProblem
        A factory's year with one PV array, a battery, a demand (or no) basic charge and no criteria rows.

    Returns
    -------
    DesignInputs

    Raises
    ------
    InputError
        For a problem this model does not hold.
    """
    p = problem
    if [k for k, _ in p.sources] != ["pv"] or p.battery is None:
        raise InputError(None, f"{p.name}: sources", "one PV array and a battery", repr(p.sources))
    if p.basic_charge_basis not in ("demand", "none"):
        raise InputError(None, f"{p.name}: basic_charge_basis", "demand or none", repr(p.basic_charge_basis))
    if any(c.kind == "re_share_min" for c in p.criteria):
        raise InputError(None, f"{p.name}: criteria", "no renewable-share rows", "a re_share_min row")
    b = p.battery
    return DesignInputs(
        load_kw=p.load_kw,
        pv_kw_per_kwp=p.unit_kw[0],
        price_cny_per_kwh=p.import_price_cny_per_kwh,
        month=p.month,
        feed_in_cny_per_kwh=p.export_price_cny_per_kwh,
        import_limit_kw=float(p.import_limit_kw),
        export_limit_kw=float(p.export_limit_kw),
        demand_charge_cny_per_kw_month=float(
            p.demand_price_cny_per_kw_month if p.basic_charge_basis == "demand" else 0
        ),
        pv_cny_per_kwp_year=float(p.size_cost[0].annualised_cny_per_yr),
        battery_energy_cny_per_kwh_year=float(p.battery_energy_cost.annualised_cny_per_yr),
        battery_power_cny_per_kw_year=float(p.battery_power_cost.annualised_cny_per_yr),
        charge_efficiency=float(b.charge_efficiency),
        discharge_efficiency=float(b.discharge_efficiency),
        soc_min=float(b.soc_min),
        soc_max=float(b.soc_max),
        self_discharge_fraction_per_hour=1.0 - float(b.keep_per_step) ** (1.0 / p.step_h),
        soc_initial=float(b.soc_initial),
        pv_variable_om_cny_per_kwh=float(p.variable_om_cny_per_kwh[0]),
        battery_variable_om_cny_per_kwh=float(p.battery_variable_om_cny_per_kwh),
        pv_max_kwp=float(p.max_size[0]),
        step_h=float(p.step_h),
    )


@dataclass(frozen=True)
class PeerDesign:
    """PyPSA's optimum of one :class:`DesignInputs`.

    Attributes
    ----------
    annualised_cost_cny : float
        The objective [CNY/yr]: assets' annualised cost plus the grid bill.
    pv_kwp, battery_kwh, battery_kw : float
        The chosen sizes [kWp], [kWh], [kW] (battery power: AC charge and discharge limit).
    energy_cost_cny, demand_charge_cny, feed_in_revenue_cny : float
        Parts of the year's grid bill [CNY/yr].
    re_share : float
        Renewable share of consumption of the optimal dispatch [-].
    solve_s : float
        Wall time of building and solving the model [s].
    """

    annualised_cost_cny: float
    pv_kwp: float
    battery_kwh: float
    battery_kw: float
    energy_cost_cny: float
    demand_charge_cny: float
    feed_in_revenue_cny: float
    re_share: float
    solve_s: float


def build_network(inputs: DesignInputs) -> Any:
    """The design question as a PyPSA network (module docstring).

    Parameters
    ----------
    inputs : DesignInputs
        The question.

    Returns
    -------
    pypsa.Network
        Unsolved; power in kW, energy in kWh, money in CNY per year.
    """
    import pandas as pd
    import pypsa

    d = inputs
    n_t = len(d.load_kw)
    snapshots = pd.RangeIndex(n_t, name="step")
    net = pypsa.Network()
    net.set_snapshots(snapshots)
    # Every step lasts step_h hours: energy, costs and store balances are weighted by it.
    net.snapshot_weightings.loc[:, :] = d.step_h
    x = d.re_share_min
    weights = (
        {"pv": -(1.0 - x), "grid": x, "export": -(1.0 - x)} if x is not None else {"pv": 0, "grid": 0, "export": 0}
    )
    for carrier, w in weights.items():
        net.add("Carrier", carrier, re_share_weight=w)
    net.add("Carrier", "battery")
    net.add("Bus", ["pv", "site", "battery"], carrier="AC")
    net.add("Load", "load", bus="site", p_set=pd.Series(d.load_kw, index=snapshots))
    net.add(
        "Generator",
        "pv",
        bus="pv",
        carrier="pv",
        p_nom_extendable=True,
        p_nom_max=d.pv_max_kwp,
        p_max_pu=pd.Series(d.pv_kw_per_kwp, index=snapshots),
        # Variable O&M on every kWh a kWp can generate (curtailed or not), as a cost per kWp and year.
        capital_cost=d.pv_cny_per_kwp_year + d.pv_variable_om_cny_per_kwh * float(d.pv_kw_per_kwp.sum()) * d.step_h,
    )
    if d.export_limit_kw > 0:
        net.add(
            "Generator",
            "export",
            bus="pv",
            carrier="export",
            p_nom=d.export_limit_kw,
            p_min_pu=-1.0,
            p_max_pu=0.0,
            marginal_cost=pd.Series(np.broadcast_to(d.feed_in_cny_per_kwh, (n_t,)), index=snapshots),
        )
    net.add("Link", "pv to site", bus0="pv", bus1="site", p_nom_extendable=True)
    price = pd.Series(d.price_cny_per_kwh, index=snapshots)
    for m in range(MONTHS):
        in_month = d.month == m
        if not in_month.any():
            continue
        net.add(
            "Generator",
            f"import {m + 1}",
            bus="site",
            carrier="grid",
            p_nom_extendable=True,
            p_nom_max=d.import_limit_kw,
            p_max_pu=pd.Series(in_month.astype(float), index=snapshots),
            marginal_cost=price,
            capital_cost=d.demand_charge_cny_per_kw_month,
        )
    net.add(
        "Store",
        "battery",
        bus="battery",
        carrier="battery",
        e_nom_extendable=True,
        e_min_pu=d.soc_min,
        e_max_pu=d.soc_max,
        e_cyclic=True,
        standing_loss=d.self_discharge_fraction_per_hour,
        capital_cost=d.battery_energy_cny_per_kwh_year,
    )
    net.add(
        "Link",
        "battery charge",
        bus0="site",
        bus1="battery",
        efficiency=d.charge_efficiency,
        p_nom_extendable=True,
        capital_cost=d.battery_power_cny_per_kw_year,
    )
    net.add(
        "Link",
        "battery discharge",
        bus0="battery",
        bus1="site",
        efficiency=d.discharge_efficiency,
        p_nom_extendable=True,
        # the link's power is measured on the stored side: per kWh out, discharge_efficiency kWh of it
        marginal_cost=d.battery_variable_om_cny_per_kwh * d.discharge_efficiency,
    )
    if x is not None:
        net.add(
            "GlobalConstraint",
            "re_share",
            type="primary_energy",
            carrier_attribute="re_share_weight",
            sense="<=",
            constant=0.0,
        )
    return net


def _battery_rows(inputs: DesignInputs):
    """``extra_functionality``: the battery's rows that PyPSA's components do not hold.

    * One power rating for the AC charge and the AC discharge: ``discharge_efficiency p_nom(discharge) =
      p_nom(charge)``.
    * The year starts and ends at ``soc_initial`` of the chosen energy: the store is cyclic and its last
      energy equals ``soc_initial e_nom`` (PyPSA's ``e_initial`` is a fixed number, not a share of an extendable
      store). Ending fuller than the start, which lingtan's LP allows, never lowers a cost: the two optima agree.
    """
    soc0 = inputs.soc_min if inputs.soc_initial is None else inputs.soc_initial

    def rows(net: Any, snapshots: Any) -> None:
        p_nom = net.model["Link-p_nom"]
        dim = p_nom.dims[0]
        charge = p_nom.sel({dim: "battery charge"}, drop=True)
        discharge = p_nom.sel({dim: "battery discharge"}, drop=True)
        net.model.add_constraints(discharge * inputs.discharge_efficiency - charge == 0, name="battery_power_tie")
        if not net.stores.at["battery", "e_cyclic"]:
            return  # a fixed start (a test pins the store): PyPSA's e_initial holds it
        e = net.model["Store-e"]
        e_nom = net.model["Store-e_nom"]
        last = e.isel(snapshot=-1, drop=True).sel({e.dims[-1]: "battery"}, drop=True)
        size = e_nom.sel({e_nom.dims[0]: "battery"}, drop=True)
        net.model.add_constraints(last - soc0 * size == 0, name="battery_year_end")

    return rows


def solve_design(inputs: DesignInputs) -> PeerDesign:
    """Build the design question's network and solve it with PyPSA's optimiser and HiGHS.

    Parameters
    ----------
    inputs : DesignInputs
        The question.

    Returns
    -------
    PeerDesign
        The optimal annualised cost, sizes and bill; ``solve_s`` includes building the network, not importing PyPSA.
    """
    importlib.import_module("pypsa")  # its first import (seconds) is not the model's time
    t0 = time.perf_counter()
    got = solve_network(build_network(inputs), inputs)
    return dataclasses.replace(got, solve_s=time.perf_counter() - t0)


def solve_network(net: Any, inputs: DesignInputs) -> PeerDesign:
    """Solve a network of :func:`build_network` (possibly with sizes pinned) with PyPSA's optimiser and HiGHS.

    Parameters
    ----------
    net : pypsa.Network
        From :func:`build_network`; solved in place.
    inputs : DesignInputs
        The question it was built from (prices and limits for the bill's parts).

    Returns
    -------
    PeerDesign
        The optimal annualised cost, sizes and bill.

    Raises
    ------
    RuntimeError
        When HiGHS does not report an optimum.
    """
    import logging

    for name in ("linopy", "pypsa"):
        logging.getLogger(name).setLevel(logging.ERROR)
    t0 = time.perf_counter()
    status, condition = net.optimize(
        solver_name="highs",
        extra_functionality=_battery_rows(inputs),
        log_to_console=False,
        # linopy hands the model to highspy in memory instead of through an LP file (several times faster).
        io_api="direct",
        # Every capacity is extendable from zero, so the objective has no constant part.
        include_objective_constant=False,
    )
    solve_s = time.perf_counter() - t0
    if status != "ok" or condition != "optimal":
        raise RuntimeError(f"PyPSA/HiGHS did not reach an optimum: {status}, {condition}")
    d = inputs
    w = d.step_h
    gen = net.generators_t.p
    imports = [c for c in gen.columns if c.startswith("import ")]
    imp = gen[imports].to_numpy().sum(axis=1)
    export = -gen["export"].to_numpy() if "export" in gen else np.zeros(len(d.load_kw))
    pv = gen["pv"].to_numpy()
    energy = float((d.price_cny_per_kwh * imp).sum() * w)
    demand = float(net.generators.p_nom_opt[imports].sum() * d.demand_charge_cny_per_kw_month)
    revenue = float((np.broadcast_to(d.feed_in_cny_per_kwh, export.shape) * export).sum() * w)
    pv_used = (pv - export).sum()
    consumption = imp.sum() + pv_used
    objective = float(net.objective)
    return PeerDesign(
        annualised_cost_cny=objective,
        pv_kwp=float(net.generators.p_nom_opt["pv"]),
        battery_kwh=float(net.stores.e_nom_opt["battery"]),
        battery_kw=float(net.links.p_nom_opt["battery charge"]),
        energy_cost_cny=energy,
        demand_charge_cny=demand,
        feed_in_revenue_cny=revenue,
        re_share=float(pv_used / consumption) if consumption > 0 else 0.0,
        solve_s=solve_s,
    )


__all__ = [
    "DesignInputs",
    "PeerDesign",
    "PYPSA_INSTALL_HINT",
    "annualised_unit_cost",
    "build_network",
    "design_inputs",
    "inputs_from_problem",
    "pypsa_missing",
    "solve_design",
    "solve_network",
]
