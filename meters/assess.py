"""Measured verdicts: a real plant's metered flows through the KPIs, accounting and criteria of a simulation.

The quality check's hourly table (:mod:`lingtan.meters.quality`) gives each meter's mean rate per hour. The
meters at the site's boundary become, hour by hour, the kernel's flows (:data:`lingtan.twin.core.dispatch.FLOWS`)
by the kernel's own merit order, and their sums go through :func:`lingtan.twin.core.kpis.electric_kpis` and
:func:`lingtan.twin.accounting.assess.assess`: the same definitions, accounting and criteria as a simulated
year, with no second copy of them. How each measured hour becomes flows:

* generation ``G`` is every PV and wind meter (what the inverters delivered, so nothing is curtailed);
  import ``I`` and export ``X`` are the meters of the site's own grid connection (a park's, not its tenants');
  battery charge ``C`` and discharge ``D`` are every battery meter, netted within the hour;
* the electricity used on site is what the balance leaves: ``L = I + G + D - X - C``. Load is never metered
  apart, so no load goes unmetered; load that was not served leaves no reading, so measured unserved load is
  zero by construction (a plant that shed load shows less consumption, not a "not assessable" verdict);
* export is renewable energy exported (the kernel never exports grid energy); the rest of the generation
  serves the site first, then charges the battery; the battery's charge from the grid is the rest;
* the battery's discharge is renewable in the share of renewable energy in everything it was charged with
  since the period began (its meters say how much went in and out, not from which pool); the difference
  of charge and discharge is its losses (its stored energy is not metered), split in the same shares;
* a generator of the scenario without a meter is counted as generating nothing: what it gave the site is
  missing from the consumption and from the renewable energy alike, so the measured share is a lower bound.

The waste-heat recovery rate comes from the heat meters of each resource (:func:`measured_heat`): a resource's
``waste_heat_available`` and ``waste_heat_recovered`` meters summed over the period go through
:func:`lingtan.twin.core.kpis.waste_heat_rates`, the simulation's own arithmetic. A resource of the scenario without
an ``available`` meter leaves the whole boundary's resource unknown, and a rate over the metered part only would
overstate it: the rate is then left out ("not assessable"), never a silent pass. A resource without a
``recovered`` meter counts as recovering nothing (a lower bound). Declared waste energy (余压, 余气, 余冷 per year)
counts pro rata to the period's hours, like green power.

Every verdict read from measured KPIs is marked ``measured`` with its completeness: the share of hours in
which every meter it needs had a real reading (not interpolated, not a gap). Hours that are not real are
filled linearly between real neighbours so that the sums cover the period; a verdict whose completeness is
below :data:`COMPLETENESS_LIMIT` cannot pass ("not assessable"). A part of a year is judged as its own period:
annual green power and certificates count pro rata to the period's hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lingtan.errors import InputError
from lingtan.meters.schema import ASSET_LIST, WASTE_HEAT, waste_heat_resources
from lingtan.twin.accounting.assess import assess
from lingtan.twin.accounting.criteria import pack_criteria
from lingtan.twin.core.dispatch import FLOWS, TOTALS, DispatchResult
from lingtan.twin.core.kpis import electric_kpis, heat_grade, waste_heat_rates

COMPLETENESS_LIMIT = 0.9
"""Least share of hours with real readings of every meter a measured verdict needs before it can pass [-]:
below it more than a tenth of the period (over a month of a year) is interpolation, not measurement
(project convention; ASHRAE Guideline 14 asks for complete data but names no share)."""

# The flows that cross the boundary of a factory or a park, by the role they play in the balance.
GENERATION = ("pv", "wind")
BATTERY = ("battery_charge", "battery_discharge")
CONNECTION = ("grid_import", "grid_export")
# KPIs that no meter gives: the tariff's periods and the bill are the twin's, not a meter's.
UNMEASURED_KPIS = (
    "grid_import_valley_e_kwh",
    "grid_import_flat_e_kwh",
    "grid_import_peak_e_kwh",
    "grid_import_critical_e_kwh",
    "grid_cost_cny",
    "battery_equivalent_full_cycles",
    "pv_e_kwh",
    "wind_e_kwh",
)
# Which meters a criterion's value needs, by the KPI it reads: the electric boundary, the fuels burnt (scope 1,
# tce) and the heat meters. A criterion reading another KPI (energy, emissions) needs the electric and fuel ones.
NEEDS = {
    "re_electricity_share_onsite": ("electric",),
    "re_electricity_share_onsite_delivered": ("electric",),
    "re_electricity_share_with_green_power": ("electric",),
    "re_electricity_share_with_certificates": ("electric",),
    "waste_heat_recovery_rate": ("heat",),
    "waste_heat_cold_pressure_utilisation_share": ("heat",),
}
DEFAULT_NEEDS = ("electric", "fuel")
# Declared facts a criterion reads from the heat KPIs instead when they are there (Zhejiang's waste-energy types).
FROM_HEAT = ("waste_energy_types_over_60pct",)


@dataclass(frozen=True)
class MeterHours:
    """Every meter's hourly mean rate over a period, and which hours are real readings.

    Parameters
    ----------
    p : pandas.DataFrame
        One column per meter [canonical unit: kW, kW_th, m3/h], indexed by the UTC start of each hour (naive);
        hours without a real reading filled linearly between real ones.
    real : pandas.DataFrame
        Same shape, True where the quality check flagged the hour ``measured``.
    meters : pandas.DataFrame
        The store's meter table (``meter_id``, ``flow``, ``tenant``, ``asset``, ...).
    """

    p: pd.DataFrame
    real: pd.DataFrame
    meters: pd.DataFrame

    def ids(self, flows: tuple[str, ...], boundary_only: bool = False) -> list[str]:
        """Meters of the given flows.

        Parameters
        ----------
        flows : tuple of str
            Flow names of :data:`lingtan.meters.schema.FLOW_CARRIER`.
        boundary_only : bool
            Only meters of no tenant (a park's own connection, not a tenant's).

        Returns
        -------
        list of str
            Their ids, in the meter table's order.
        """
        m = self.meters[self.meters.flow.isin(flows)]
        if boundary_only:
            m = m[m.tenant.isna()]
        return list(m.meter_id)

    def total(self, flows: tuple[str, ...], boundary_only: bool = False) -> np.ndarray:
        """Hourly sum of the meters of ``flows`` [canonical unit].

        Parameters
        ----------
        flows : tuple of str
            Flow names.
        boundary_only : bool
            Only meters of no tenant.

        Returns
        -------
        ndarray, shape (T,)
            The sum (zeros where there is no such meter).
        """
        ids = self.ids(flows, boundary_only)
        return self.p[ids].to_numpy(float).sum(axis=1) if ids else np.zeros(len(self.p))


def meter_hours(hourly: pd.DataFrame, meters: pd.DataFrame, start=None, end=None) -> MeterHours:
    """The quality check's hourly table as one column per meter, over ``[start, end)``.

    Parameters
    ----------
    hourly : pandas.DataFrame
        ``meter_id, hour, value, flag`` (:class:`lingtan.meters.quality.QualityResult` or the store's table).
    meters : pandas.DataFrame
        The store's meter table.
    start, end : pandas.Timestamp, optional
        UTC (naive) bounds of the period; the whole table when left out.

    Returns
    -------
    MeterHours
        Rates with the hours that are not real filled, and the real-reading mask.

    Raises
    ------
    InputError
        When the period holds no hour, or a meter has no real reading in it.
    """
    h = hourly.copy()
    h["hour"] = pd.to_datetime(h["hour"])
    if start is not None:
        h = h[h.hour >= start]
    if end is not None:
        h = h[h.hour < end]
    if h.empty:
        raise InputError(None, "--from/--to", "a period holding checked meter hours", "no hour in it")
    p, real = _wide(h)
    ids = [m for m in meters.meter_id if m in p.columns]
    p, real = p[ids], real[ids]
    # only real readings anchor the fill: an interpolated hour is no better than the line it lies on
    anchored = p.where(real)
    empty = [m for m in ids if not real[m].any()]
    if empty:
        raise InputError(None, "--meters", "at least one real reading of every meter in the period", ", ".join(empty))
    filled = anchored.interpolate(method="time", limit_direction="both")
    return MeterHours(p=filled, real=real, meters=meters.set_index("meter_id").loc[ids].reset_index())


def _wide(h: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long hourly table as (rates, real-reading mask), one column per meter, hours sorted: what two
    ``pivot`` calls give, by placing each row once (a third of their time on a year of 500 meters: each pivot
    sorts and factorises the whole table again)."""
    m_code, m_ids = pd.factorize(h["meter_id"], sort=True)
    h_code, hours = pd.factorize(h["hour"], sort=True)
    if np.bincount(h_code.astype(np.int64) * len(m_ids) + m_code).max() > 1:
        raise ValueError("the hourly table holds a meter's hour twice")  # as pivot would refuse it
    value = np.full((len(hours), len(m_ids)), np.nan)
    value[h_code, m_code] = h["value"].to_numpy(float)
    real = np.zeros((len(hours), len(m_ids)), dtype=bool)
    real[h_code, m_code] = h["flag"].to_numpy() == "measured"
    index = pd.DatetimeIndex(hours, name="hour")
    columns = pd.Index(m_ids, name="meter_id")
    return pd.DataFrame(value, index=index, columns=columns), pd.DataFrame(real, index=index, columns=columns)


def kernel_flows(g_kw, i_kw, x_kw, c_kw, d_kw) -> pd.DataFrame:
    """Hourly kernel flows (:data:`lingtan.twin.core.dispatch.FLOWS`) from metered boundary flows, by the kernel's
    merit order (module docstring).

    Parameters
    ----------
    g_kw, i_kw, x_kw, c_kw, d_kw : array, shape (T,)
        Generation, import, export, battery charge and discharge, hourly means [kW].

    Returns
    -------
    pandas.DataFrame
        One column per flow of :data:`FLOWS` [kW], plus ``battery_re_share`` [-] (the renewable share of the
        battery's charge so far) and ``imbalance_kw`` (load the balance makes negative, set to 0) [kW].
    """
    g, i, x = (np.clip(np.asarray(a, float), 0.0, None) for a in (g_kw, i_kw, x_kw))
    c, d = np.clip(np.asarray(c_kw, float), 0.0, None), np.clip(np.asarray(d_kw, float), 0.0, None)
    both = np.minimum(c, d)  # charging and discharging within one hour: only the net crosses the bus
    c, d = c - both, d - both
    raw = i + g + d - x - c
    load = np.clip(raw, 0.0, None)
    surplus = g - x
    re_to_load = np.clip(np.minimum(surplus, load), 0.0, None)
    re_to_battery = np.clip(np.minimum(c, surplus - re_to_load), 0.0, None)
    grid_to_battery = c - re_to_battery
    d_to_load = np.clip(d - np.clip(x - g, 0.0, None), 0.0, None)  # what the battery exported is export
    grid_to_load = np.clip(load - re_to_load - d_to_load, 0.0, None)
    # the battery's renewable share: of all it was charged with so far (its losses taken in the same shares)
    charged = np.cumsum(c + both)
    re_charged = np.cumsum(re_to_battery + both * np.divide(g, g + i, out=np.zeros_like(g), where=g + i > 0))
    share = np.divide(re_charged, charged, out=np.zeros_like(charged), where=charged > 0)
    losses = (c + both) - (d + both)
    flows = {name: np.zeros_like(g) for name in FLOWS}
    flows.update(
        re_to_load=re_to_load,
        re_to_battery=re_to_battery,
        re_to_grid=x,
        grid_to_load=grid_to_load,
        grid_to_battery=grid_to_battery,
        battery_re_to_load=d_to_load * share,
        battery_grid_to_load=d_to_load * (1 - share),
        load=load,
    )
    out = pd.DataFrame(flows)
    out["battery_re_share"] = share
    out["battery_losses_kw"] = losses
    out["imbalance_kw"] = load - raw
    return out


def dispatch_totals(flows: pd.DataFrame, g_kw) -> DispatchResult:
    """The annual totals a dispatch would give for measured flows, for :func:`electric_kpis`.

    Parameters
    ----------
    flows : pandas.DataFrame
        :func:`kernel_flows`.
    g_kw : array, shape (T,)
        Metered generation [kW].

    Returns
    -------
    DispatchResult
        One configuration; the battery's losses over the period (charge less discharge, its stored energy not
        being metered) split by its renewable share at the period's end.
    """
    totals = np.zeros((1, len(TOTALS)))
    col = {name: k for k, name in enumerate(TOTALS)}
    for name in FLOWS:
        totals[0, col[name]] = flows[name].sum()
    losses = float(flows.battery_losses_kw.sum())
    share = float(flows.battery_re_share.iloc[-1])
    totals[0, col["battery_loss_re"]] = losses * share
    totals[0, col["battery_loss_grid"]] = losses * (1 - share)
    totals[0, col["re_generation"]] = float(np.sum(g_kw))
    imp = flows.grid_to_load + flows.grid_to_battery
    totals[0, col["peak_import_kw"]] = float(imp.max()) if len(imp) else 0.0
    empty = np.zeros((0, 0))
    return DispatchResult(
        totals=totals,
        monthly_peak_kw=np.zeros((1, 12)),
        hourly=empty,
        heat_totals=empty,
        heat_hourly=empty,
        event_import_kw=np.zeros((1, 0)),
    )


def _sites(scenario: Any) -> list[tuple[str | None, Any]]:
    """(tenant name or None, its assets): a factory, or a park's tenants and its shared assets."""
    tenants = getattr(scenario, "tenants", None)
    return [(t.name, t) for t in tenants] + [(None, scenario.shared)] if tenants else [(None, scenario)]


def unmetered_assets(meters: pd.DataFrame, scenario: Any) -> list[str]:
    """The scenario's generators and batteries that no meter measures.

    Parameters
    ----------
    meters : pandas.DataFrame
        The store's meter table.
    scenario : Scenario or Park
        The scenario.

    Returns
    -------
    list of str
        ``tenant.list.name`` (a park's own assets under ``shared``) of each unmetered item.
    """
    tenants = getattr(scenario, "tenants", None)
    metered = {
        (m.tenant if isinstance(m.tenant, str) else None, ASSET_LIST[m.flow], m.asset)
        for m in meters.itertuples()
        if m.flow in ASSET_LIST
    }
    out = []
    for name, site in _sites(scenario):
        for kind in ("pv", "wind", "battery"):
            for a in getattr(site, kind):
                if (name, kind, a.name) not in metered:
                    out.append(f"{(name or 'shared') if tenants else 'site'}.{kind}.{a.name}")
    return out


def _burns_fuel(scenario: Any) -> bool:
    """Whether the site burns fuel in boilers or other uses (scope 1 and tce need gas meters then)."""
    sites = getattr(scenario, "tenants", None) or [scenario]
    return any(getattr(s, "boilers", None) or getattr(s, "fuel_uses", None) for s in sites)


@dataclass(frozen=True)
class MeasuredAssessment:
    """A period's verdicts from meters (:func:`assess_meters`).

    Attributes
    ----------
    start, end : pandas.Timestamp
        UTC bounds of the period (end exclusive).
    kpis : dict
        The measured KPIs (:func:`lingtan.twin.core.kpis.electric_kpis` names) [kWh, -].
    accounting : AccountingResult
        Energy and emissions of the period.
    verdicts : list of dict
        One per criterion; those read from measured KPIs have ``input`` "measured", ``completeness`` [-] and
        ``needs`` (the meter groups).
    completeness : dict
        Meter group (electric, fuel, heat) to the share of hours with real readings of all its meters [-];
        0 for a group the site needs but has no meter of.
    unmetered : list of str
        Generators and batteries without a meter (counted as nothing).
    unmetered_heat : list of str
        Waste-heat resources without an ``available`` or a ``recovered`` meter (:func:`measured_heat`).
    notes : list of str
        How the period was read (pro-rata green power, imbalance).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    kpis: dict
    accounting: Any
    verdicts: list
    completeness: dict
    unmetered: list = field(default_factory=list)
    unmetered_heat: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def measured_kpis(hours: MeterHours, scenario: Any) -> tuple[dict, pd.DataFrame]:
    """The period's electricity KPIs from the boundary meters, and the hourly kernel flows they came from.

    Parameters
    ----------
    hours : MeterHours
        The period's meter hours.
    scenario : Scenario or Park
        For which meters are the boundary (a park's connection is the meter of no tenant).

    Returns
    -------
    kpis : dict
        :func:`lingtan.twin.core.kpis.electric_kpis` as numbers, less the KPIs no meter gives
        (:data:`UNMEASURED_KPIS`), plus ``imbalance_e_kwh``.
    flows : pandas.DataFrame
        :func:`kernel_flows`, indexed by the hours.
    """
    g = hours.total(GENERATION)
    flows = kernel_flows(
        g,
        hours.total(("grid_import",), boundary_only=True),
        hours.total(("grid_export",), boundary_only=True),
        hours.total(("battery_charge",)),
        hours.total(("battery_discharge",)),
    )
    flows.index = hours.p.index
    res = dispatch_totals(flows, g)
    kpis = electric_kpis(
        res, pv_e_kwh=[0.0], wind_e_kwh=[0.0], energy_kwh=0.0, soc_min=0.0, soc_max=1.0, grid_cost_cny=[0.0]
    )
    out = {k: float(v[0]) for k, v in kpis.items() if k not in UNMEASURED_KPIS}
    out["imbalance_e_kwh"] = float(flows.imbalance_kw.sum())
    gas = hours.ids(("gas",))
    if gas:
        out["heat"] = {"fuel_use": {"natural_gas": {"quantity": float(hours.p[gas].to_numpy().sum())}}}
    return out, flows


def measured_heat(hours: MeterHours, scenario: Any, fraction: float) -> tuple[dict, list[str]]:
    """The period's waste-heat recovery rates from the heat meters (module docstring).

    Parameters
    ----------
    hours : MeterHours
        The period's meter hours; heat meters in [kW_th], so an hour's mean is its [kWh_th].
    scenario : Scenario or Park
        Its waste-heat resources (:func:`lingtan.meters.schema.waste_heat_resources`) and declared waste energy.
    fraction : float
        The period's share of the year, for the declared waste energy [-].

    Returns
    -------
    heat : dict
        :func:`lingtan.twin.core.kpis.waste_heat_rates`; without the rates when a resource has no
        ``waste_heat_available`` meter; rates None when the site has no resource at all (as a simulation gives).
    unmetered : list of str
        ``<tenant or site>.waste_heat.<resource>.<available|recovered>`` for each missing meter.
    """
    e = hours.p.sum(axis=0)  # hourly means [kW_th] over 1 h steps: [kWh_th]
    m = hours.meters
    items, unmetered = [], []
    for name, site in _sites(scenario):
        label = name or ("shared" if hasattr(scenario, "tenants") else "site")
        prefix = f"{name}." if name else ""
        here = m.tenant.isna() if name is None else m.tenant.eq(name)
        for r in waste_heat_resources(site):
            energy = {}
            for flow in WASTE_HEAT:
                ids = list(m.meter_id[(m.flow == flow) & here & (m.asset == r.name)])
                energy[flow] = float(e[ids].sum())
                if not ids:
                    unmetered.append(f"{label}.waste_heat.{r.name}.{flow.removeprefix('waste_heat_')}")
            rec, avail = energy["waste_heat_recovered"], energy["waste_heat_available"]
            items.append((prefix + r.name, r.kind, heat_grade(r.t_c), "heat", avail, rec, r.declared))
        for line in getattr(site, "processes", []):
            items += [
                (
                    f"{prefix}{line.name}.{d.name}",
                    d.type,
                    None,
                    d.type,
                    d.e_kwh(d.resource_per_year) * fraction,
                    d.e_kwh(d.recovered_per_year) * fraction,
                    True,
                )
                for d in line.waste_energy
            ]
    heat = waste_heat_rates(items)
    if any(u.endswith(".available") for u in unmetered):
        heat = {k: v for k, v in heat.items() if not k.startswith("waste_heat_recovery_rate")}
    return heat, unmetered


def _group_completeness(hours: MeterHours, scenario: Any) -> dict[str, float]:
    """Per meter group, the share of hours in which every meter of it read for real."""
    groups = {
        "electric": hours.ids(GENERATION + BATTERY) + hours.ids(CONNECTION, boundary_only=True),
        "fuel": hours.ids(("gas",)),
        "heat": hours.ids(WASTE_HEAT),
    }
    resources = any(waste_heat_resources(site) for _, site in _sites(scenario))
    needed = {"electric": True, "fuel": _burns_fuel(scenario), "heat": resources}
    out = {}
    for name, ids in groups.items():
        if ids:
            out[name] = float(hours.real[ids].all(axis=1).mean())
        elif needed[name]:
            out[name] = 0.0  # a quantity the site has but no meter measures
    return out


def _pro_rata(scenario: Any, fraction: float) -> Any:
    """The scenario with its annual green power and certificates scaled to a part of a year."""
    gp = scenario.green_power
    keys = (
        "green_power_contract_e_kwh",
        "green_power_direct_e_kwh",
        "green_certificates_mwh",
        "onsite_certificates_sold_mwh",
    )
    return scenario.model_copy(
        update={"green_power": gp.model_copy(update={k: getattr(gp, k) * fraction for k in keys})}
    )


def assess_meters(hours: MeterHours, scenario: Any, base_dir: str | Path = ".") -> MeasuredAssessment:
    """Accounting, KPIs and every criterion of a period from its meters.

    Parameters
    ----------
    hours : MeterHours
        The period's meter hours (:func:`meter_hours`).
    scenario : Scenario or Park
        The scenario the meters belong to: its accounting settings, green power, declared facts and criteria.
    base_dir : str or Path
        The scenario file's folder.

    Returns
    -------
    MeasuredAssessment
        The measured verdicts with their completeness.
    """
    index = hours.p.index
    start, end = index[0], index[-1] + pd.Timedelta(hours=1)
    year_h = 8784 if pd.Timestamp(year=scenario.year, month=1, day=1).is_leap_year else 8760
    fraction = min(1.0, len(index) / year_h)
    kpis, flows = measured_kpis(hours, scenario)
    heat, unmetered_heat = measured_heat(hours, scenario, fraction)
    kpis["heat"] = {**kpis.get("heat", {}), **heat}
    local = index.tz_localize("UTC").tz_convert(scenario.site.timezone)
    table = pd.DataFrame(
        {
            "grid_to_load_kw": flows.grid_to_load.to_numpy(),
            "grid_to_battery_kw": flows.grid_to_battery.to_numpy(),
            "grid_to_heat_kw": 0.0,
        },
        index=local,
    )
    result = assess(_pro_rata(scenario, fraction), kpis, table, base_dir=Path(base_dir))
    completeness = _group_completeness(hours, scenario)
    if any(u.endswith(".available") for u in unmetered_heat):
        completeness["heat"] = 0.0  # part of the resource is unknown: the rate is not measured
    verdicts = [_mark(v, completeness) for v in result.verdicts]
    notes = []
    if fraction < 1.0:
        notes.append(
            f"the period is {len(index)} h, {fraction:.1%} of {scenario.year}: annual green power and certificates "
            f"counted pro rata to its hours; thresholds are annual, so these are the period's values, not the year's"
        )
    if kpis["imbalance_e_kwh"] > 0:
        notes.append(
            f"{kpis['imbalance_e_kwh']:.0f} kWh of hours whose meters export more than they import and "
            f"generate (meter error) counted as no consumption"
        )
    return MeasuredAssessment(
        start=start,
        end=end,
        kpis=kpis,
        accounting=result.accounting,
        verdicts=verdicts,
        completeness=completeness,
        unmetered=unmetered_assets(hours.meters, scenario),
        unmetered_heat=unmetered_heat,
        notes=notes,
    )


def _mark(v: dict, completeness: dict[str, float]) -> dict:
    """A verdict read from the twin's KPIs as a measured one: its completeness, and no pass on too little real
    data (a KPI no meter gave, waste heat without heat meters, is missing and so not assessable)."""
    reads = _reads(v)
    if v["input"] != "simulated" and reads not in NEEDS:
        return v
    needs = ("heat",) if reads in FROM_HEAT else NEEDS.get(reads, DEFAULT_NEEDS)
    share = min(completeness.get(g, 1.0) for g in needs)
    out = dict(v, input="measured", completeness=share, needs=list(needs))
    if share < COMPLETENESS_LIMIT and v["status"] != "not applicable":
        lacking = ", ".join(g for g in needs if completeness.get(g, 1.0) < COMPLETENESS_LIMIT)
        out.update(
            status="not assessable",
            passed=False,
            note=f"measured {share:.1%} of hours for the {lacking} meters, below {COMPLETENESS_LIMIT:.0%}; "
            + v["note"],
        )
    return out


def _reads(v: dict) -> str:
    """The KPI or declared fact a verdict's criterion reads."""
    return next(c.reads for c in pack_criteria(v["pack"]) if c.id == v["criterion_id"])
