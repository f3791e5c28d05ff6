"""Parks: tenants behind their own meters, shared assets behind the park's, and who gets what.

A park file has ``tenants:``; each tenant is written exactly as a factory is
(loads, production lines, PV, battery, heat side), without site, weather, year or
grid, which the park gives. The park adds shared assets (public PV, wind, a
central battery) on the park bus, a heat network between tenants, park-level
green-power contracts and certificates, and an allocation rule.

How a year is simulated
-----------------------
1. The heat network moves waste heat from one tenant's stream to another's demand
   (:func:`lingtan.twin.core.heat_profiles.exchange_between`); both tenants' heat balances show it.
2. Each tenant is dispatched by the kernel as a factory whose grid is the park
   bus: its own renewables (and its combined heat and power units) serve it first;
   its surplus goes to the park bus.
3. The park bus is dispatched by the same kernel: the tenants' demand on the bus is
   the load; shared PV, shared wind and the tenants' renewable surplus are the
   renewable pool; the central battery and the park's grid connection serve the rest.
   The tenants' CHP export is not renewable and stays out of the pool: "CHP first",
   it serves the bus demand before the renewables, the central battery and the grid,
   and what is left of it is exported in the room the renewables' export leaves
   (:func:`_tenants_chp_on_bus`; the stricter reading for the renewable share).
4. Renewable energy delivered on the park bus (directly or through the central
   battery's renewable pool) is allocated to tenants hour by hour by the rule:
   ``pro_rata`` (to each tenant's demand on the bus), ``contract_share`` (fixed
   shares, capped at each tenant's demand, the rest pro rata) or ``priority``
   (tenants in the order given). The tenants' CHP electricity delivered on the bus
   is split pro rata to what each tenant's demand still wants after its renewables.
   Grid-origin energy fills the rest of each tenant's demand. Park green-power
   contracts and certificates are allocated pro rata to each tenant's grid-origin
   energy, each capped at it (tenant table:
   ``green_power_allocated_e_kwh``, ``certificates_allocated_e_kwh``,
   ``re_share_with_green_power``).

Reconciliation
--------------
Tenant totals plus a ``park_common`` row equal the park totals exactly. The
common row holds what belongs to no tenant: the central battery's losses and
change of stored energy (consumption, and the renewable part of it), less any
tenant demand the park connection could not serve. The park's consumption counts
the CHP electricity used in the park (each tenant's own and the bus's), as a
factory's does; its ``grid_export_e_kwh`` is renewable export, as a factory's, and
the CHP's export is ``chp_export_e_kwh`` (the ``chp_*`` keys only when a tenant holds CHP).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lingtan.components.grid import bill_from_totals, monthly_bill
from lingtan.twin.accounting.account import AccountingResult
from lingtan.twin.accounting.criteria import evaluate
from lingtan.twin.core import progress
from lingtan.twin.core.heat_profiles import exchange_between
from lingtan.twin.core.scenario import Scenario
from lingtan.twin.core.schema.park import Park, Tenant
from lingtan.twin.core.schema.site import Site


def tenant_scenario(park: Park, tenant: Tenant) -> Scenario:
    """The factory scenario of one tenant: its own assets, the park's site and weather, the park bus as grid.

    Parameters
    ----------
    park : Park
        The park.
    tenant : Tenant
        One of its tenants.

    Returns
    -------
    Scenario
        The tenant as a validated factory.
    """
    c = tenant.connection
    own = tenant.model_dump(exclude={"name", "description", "connection", "contract_share"})
    return Scenario.model_validate(
        dict(
            own,
            name=f"{park.name} / {tenant.name}",
            site=park.site.model_dump(),
            year=park.year,
            weather=park.weather.model_dump(),
            grid=dict(
                import_limit_kw=c.import_limit_kw,
                export_allowed=c.export_allowed,
                export_limit_kw=c.export_limit_kw,
                tariff=park.grid.tariff,
                emission_factor=park.grid.emission_factor,
            ),
            accounting=park.accounting.model_dump(),
        )
    )


def allocate(rule: str, renewable_kw: np.ndarray, demand_kw: np.ndarray, shares=None, order=None) -> np.ndarray:
    """Split renewable energy delivered on the park bus among tenants, hour by hour.

    Parameters
    ----------
    rule : {'pro_rata', 'contract_share', 'priority'}
    renewable_kw : ndarray (T,)
        Renewable energy delivered to tenants on the bus [kW], never more than their total demand.
    demand_kw : ndarray (I, T)
        Each tenant's demand on the bus [kW].
    shares : sequence of float, optional
        Contract shares (sum 1), for ``contract_share``.
    order : sequence of int, optional
        Tenant indices, first served first, for ``priority``.

    Returns
    -------
    ndarray (I, T)
        Renewable energy allocated to each tenant [kW]; each row within its demand, columns summing to
        ``renewable_kw``.
    """
    total = demand_kw.sum(axis=0)
    if rule == "pro_rata":
        return demand_kw * np.divide(renewable_kw, total, out=np.zeros_like(total), where=total > 0)
    if rule == "priority":
        out = np.zeros_like(demand_kw)
        left = renewable_kw.copy()
        for i in order:
            out[i] = np.minimum(demand_kw[i], left)
            left -= out[i]
        return out
    out = np.minimum(demand_kw, np.asarray(shares, dtype=float)[:, None] * renewable_kw)
    rest = demand_kw - out
    extra = renewable_kw - out.sum(axis=0)
    return out + rest * np.divide(extra, rest.sum(axis=0), out=np.zeros_like(extra), where=rest.sum(axis=0) > 0)


@dataclass(frozen=True)
class ParkResult:
    """A park year: every tenant's run, the park bus, the allocation and the reconciled tables."""

    park: Park
    tenants: dict  # name -> RunResult (tenant behind its own meter)
    bus: pd.DataFrame  # electric table of the park bus
    allocation_kw: pd.DataFrame  # renewable energy allocated to each tenant per hour
    heat_links: pd.DataFrame  # per link: delivered and pipe loss per hour
    tenant_table: pd.DataFrame  # one row per tenant, then park_common, then park
    kpis: dict
    accounting: AccountingResult
    verdicts: list
    packs: list
    tenant_verdicts: dict
    weather_meta: dict
    network: object = None  # lingtan.twin.network.NetworkResult, when the park has a network
    network_p_mw: dict | None = None  # net demand of every connection per hour [MW], the power flow's input
    substation_limits: object = None  # lingtan.twin.network.SubstationLimitResult


def simulate_park(
    park: Park,
    base_dir: str | Path = ".",
    *,
    power_flow: bool = True,
    weather: tuple[pd.DataFrame, dict] | None = None,
    load_scale: float = 1.0,
) -> ParkResult:
    """Simulate one year of a park; see the module docstring for the order of things. ``power_flow=False`` leaves
    out the hourly power flow of the park's network (nothing else depends on it; sizing searches skip it).

    Parameters
    ----------
    park : Park
        The park.
    base_dir : str or Path
        Folder of the scenario file (relative paths are read from it).
    power_flow : bool
        Whether the network's hourly power flow is run.
    weather : tuple of (DataFrame, dict), optional
        Hourly weather and its metadata instead of the park's own year (a member of an ensemble).
    load_scale : float
        Multiplies every tenant's total electric load [-] as a factory's ``load_scale`` does
        (:mod:`lingtan.twin.studies.uncertainty`): a member of an uncertainty ensemble.

    Returns
    -------
    ParkResult
        Every tenant's run, the park bus, the allocation, the reconciled tables and the KPIs.
    """
    from lingtan.twin.accounting.assess import assess
    from lingtan.twin.run import load_weather, simulate_profiles

    base_dir = Path(base_dir)
    progress.stage("progress_profiles", len(park.tenants) + 1)
    weather = load_weather(park, base_dir) if weather is None else weather
    progress.advance()
    units = _UnitProfiles(weather[0], park.site)
    scen, prof, links = _tenant_profiles(park, base_dir, weather, units, load_scale)
    progress.stage("progress_tenants", len(scen))
    runs = {}
    for name in scen:
        runs[name] = simulate_profiles(scen[name], prof[name], assessed=False)
        progress.advance()
    names = list(runs)
    progress.stage("progress_park_bus")
    bus = _dispatch_bus(park, runs, prof[names[0]], units)
    alloc = _allocate_bus_renewables(park, names, bus)
    table, kpis = _reconcile(park, runs, names, bus.demand, (alloc, _allocate_bus_chp(bus, alloc)), bus.kpis, bus.table)
    network = limits = p_mw = None
    if park.network is not None and power_flow:
        progress.stage("progress_power_flow")
        network, limits, p_mw = _network_year(park, base_dir, names, bus)
        kpis["network"] = {
            "reverse_flow_hours": int(network.reverse_flow_hours),
            "violations": network.violations,
            "findings_at_substation_limits": limits.findings,
        }
    _park_kpis(kpis, runs, links, bus)
    progress.stage("progress_accounting")
    assessment = assess(park, kpis, bus.table, base_dir=base_dir)
    index = bus.table.index
    return ParkResult(
        park=park,
        tenants=runs,
        bus=bus.table,
        allocation_kw=pd.DataFrame({f"{n}_kw": alloc[i] for i, n in enumerate(names)}, index=index),
        heat_links=pd.DataFrame(links, index=index),
        tenant_table=table,
        kpis=kpis,
        accounting=assessment.accounting,
        verdicts=assessment.verdicts,
        packs=assessment.packs,
        tenant_verdicts=_tenant_verdicts(park, runs, table),
        weather_meta=weather[1],
        network=network,
        substation_limits=limits,
        network_p_mw=p_mw,
    )


class _UnitProfiles:
    """Unit profiles of renewable assets [kW per kWp, kW per turbine] on the park's weather, each design computed
    once: the tenants' roofs are mostly one design, and a PV profile (solar position, transposition, cell
    temperature) is the slowest size-independent profile of a park year. A PVWatts array's profile per kWp does
    not depend on its size; the physical model lays out strings from the size, so its size is part of the design,
    as a wind farm's turbine count is."""

    def __init__(self, frame: pd.DataFrame, site: Site):
        self.frame, self.site, self._memo = frame, site, {}

    def __call__(self, pv, wind) -> tuple[list, list, list]:
        """Like :func:`lingtan.twin.run.renewable_units`: profiles, ``(kind, name)`` and sizes of ``pv`` then
        ``wind``."""
        from lingtan.twin.run import renewable_units

        rows = []
        for kind, asset in [("pv", a) for a in pv] + [("wind", f) for f in wind]:
            same = {"name", "capacity_kwp"} if kind == "pv" and asset.model == "pvwatts" else {"name"}
            key = (kind, asset.model_dump_json(exclude=same))
            if key not in self._memo:
                one = ([asset], []) if kind == "pv" else ([], [asset])
                self._memo[key] = renewable_units(*one, self.frame, self.site)[0][0]
            rows.append(self._memo[key])
        return (
            rows,
            [("pv", a.name) for a in pv] + [("wind", f.name) for f in wind],
            [a.capacity_kwp for a in pv] + [float(f.count) for f in wind],
        )


def _tenant_profiles(
    park: Park, base_dir: Path, weather, units: _UnitProfiles, load_scale: float = 1.0
) -> tuple[dict, dict, dict]:
    """Step 1: each tenant's factory scenario and size-independent profiles on the park's weather (renewable
    unit profiles shared by design, electric load times ``load_scale``), then the heat network's exchanges
    between them. Returns the scenarios and profiles by tenant name, and each link's delivered heat and pipe
    loss per hour [kW_th]."""
    from lingtan.twin.run import build_profiles

    scen = {t.name: tenant_scenario(park, t) for t in park.tenants}
    prof = {}
    for name, sc in scen.items():
        rows, sources, _ = units(sc.pv, sc.wind)
        own = build_profiles(sc.model_copy(update={"pv": [], "wind": []}), base_dir, weather)
        progress.advance()
        unit = np.vstack(rows) if rows else own.unit_kw
        prof[name] = replace(own, unit_kw=unit, sources=sources, load_kw=own.load_kw * load_scale)
    links = {}
    for link in park.heat_network:
        (a, stream), (b, demand) = link.source.split(".", 1), link.sink.split(".", 1)
        ha, hb, delivered, loss = exchange_between(
            prof[a].heat,
            stream,
            prof[b].heat,
            demand,
            link.effectiveness,
            link.min_approach_k,
            link.loss_fraction,
            link.capacity_q_kw_th,
        )
        prof[a] = replace(prof[a], heat=ha)
        prof[b] = replace(prof[b], heat=hb)
        links[f"{link.name}.delivered_kw_th"] = delivered
        links[f"{link.name}.pipe_loss_kw_th"] = loss
    return scen, prof, links


@dataclass(frozen=True)
class _Bus:
    """The park bus's year: the tenants' demand on it, renewable surplus into it and CHP export into it [kW] (I, T),
    its renewable pool (rows, sources, sizes as the kernel took them), the kernel's result (the tenants' CHP in its
    ``chp_*`` flows), its electric table, bill (year totals, and month by month as
    :meth:`lingtan.components.grid.GridBill.to_dict`) and KPIs."""

    demand: np.ndarray
    surplus: np.ndarray
    chp: np.ndarray
    rows: list
    sources: list
    caps: list
    res: object
    table: pd.DataFrame
    bill: dict
    monthly_bill: dict
    kpis: dict


def _dispatch_bus(park: Park, runs: dict, p0, units: _UnitProfiles) -> _Bus:
    """Step 3: the park bus through the kernel. The tenants' demand is the load; shared renewables and tenants'
    renewable surplus are the pool; the central battery, the tenants' CHP export (:func:`_tenants_chp_on_bus`) and
    the park's grid connection serve the rest. The table names the tenants' CHP ``tenants_chp_*``."""
    from lingtan.twin.core.dispatch import PARAMS, dispatch
    from lingtan.twin.core.kpis import electric_kpis
    from lingtan.twin.core.tables import check_electric_balance, electric_table, grid_exchange_kw
    from lingtan.twin.run import generation_by_kind, kernel_params, period_masks

    names = list(runs)
    demand = np.array(
        [runs[n].hourly[["grid_to_load_kw", "grid_to_heat_kw", "grid_to_battery_kw"]].sum(axis=1) for n in names]
    )
    surplus = np.array([runs[n].hourly[["pv_to_grid_kw", "wind_to_grid_kw"]].sum(axis=1) for n in names])
    chp = np.array([runs[n].hourly.get("chp_to_grid_kw", pd.Series(0.0, p0.index)).to_numpy() for n in names])
    rows, sources, caps = units(park.shared.pv, park.shared.wind)
    rows.append(surplus.sum(axis=0))
    sources.append(("tenants", "tenants"))
    caps.append(1.0)
    gc, dc = period_masks(park.shared.battery)
    params = kernel_params(park.grid, park.shared.battery)
    has_chp = any(t.chp for t in park.tenants)
    chp_load = np.minimum(chp.sum(axis=0), demand.sum(axis=0))  # CHP first (_tenants_chp_on_bus)
    res = dispatch(
        np.vstack(rows),
        np.array([caps]),
        demand.sum(axis=0) - chp_load,
        params,
        period=p0.period,
        month=p0.month,
        price_cny_per_kwh=p0.price_cny_per_kwh,
        feed_in_cny_per_kwh=p0.tariff.feed_in_price_cny_per_kwh,
        grid_charge_periods=gc,
        discharge_periods=dc,
        record_hourly=True,
    )
    if has_chp:
        res, spilled = _tenants_chp_on_bus(
            res, chp.sum(axis=0), chp_load, params[0, PARAMS.index("export_limit_kw")], p0
        )
    gen = generation_by_kind(sources, caps, rows, ("pv", "wind", "tenants"), len(p0.index))
    table = electric_table(p0.index, p0.period, p0.price_cny_per_kwh, gen, res.hourly, chp=has_chp)
    if has_chp:
        table = table.rename(columns=lambda c: f"tenants_{c}" if c.startswith("chp_") else c)
        table["tenants_chp_kw"] += spilled  # all the tenants' CHP export: what the bus took, and what it could not
        table["tenants_chp_spilled_kw"] = spilled
    check_electric_balance(table)
    bill = bill_from_totals(
        res.total("import_cost_cny"), res.monthly_peak_kw, res.total("export_revenue_cny"), p0.tariff
    )
    b = park.shared.battery[0] if park.shared.battery else None
    kpis = {
        k: float(np.ravel(v)[0])
        for k, v in electric_kpis(
            res,
            pv_e_kwh=gen["pv"].sum(),
            wind_e_kwh=gen["wind"].sum(),
            energy_kwh=b.energy_kwh if b else 0.0,
            soc_min=b.soc_min if b else 0.0,
            soc_max=b.soc_max if b else 1.0,
            grid_cost_cny=bill["total_cny"],
        ).items()
    }
    monthly = monthly_bill(*grid_exchange_kw(table), p0.index, p0.tariff, p0.step_h).to_dict()
    if has_chp:  # the bus makes no CHP electricity: it carries its tenants', already in their chp_e_kwh
        made, out = kpis.pop("chp_e_kwh"), kpis.pop("chp_export_e_kwh")
        kpis["tenants_chp_to_load_e_kwh"] = made - out
        kpis["tenants_chp_export_e_kwh"] = out
        kpis["tenants_chp_spilled_e_kwh"] = float(spilled.sum())
    return _Bus(demand, surplus, chp, rows, sources, caps, res, table, bill, monthly, kpis)


def _tenants_chp_on_bus(res, chp_kw: np.ndarray, to_load_kw: np.ndarray, export_limit_kw: float, p0):
    """Put the tenants' CHP export into the bus's kernel result where a factory's CHP units stand.

    The rule, "CHP first": the tenants' CHP electricity serves the bus demand before the bus's renewables, its
    central battery and the grid (the kernel ran on the demand less ``to_load_kw``); what is left of it is exported
    within the room the renewables' export left under the park's export limit. Of the two readings (CHP after the
    renewables and the battery, as in a factory's own kernel, or before them) this is the stricter one: CHP never
    lets a renewable kWh serve a tenant that the engine could have served, so the park's renewable share is never
    the higher of the two; CHP electricity is never renewable. What finds neither load nor export room is spilled:
    a tenant's run does not see the park's export limit, so its engine's fuel was burnt for it and stays counted
    in full.

    Parameters
    ----------
    res : lingtan.twin.core.dispatch.DispatchResult
        The bus's kernel result on the demand less ``to_load_kw``, hourly record kept (one configuration, hourly
        steps).
    chp_kw : ndarray, shape (T,)
        The tenants' CHP export into the bus summed [kW].
    to_load_kw : ndarray, shape (T,)
        Its part that serves the bus demand [kW].
    export_limit_kw : float
        The park connection's export limit, 0 when export is not allowed [kW].
    p0 : lingtan.twin.run.Profiles
        The park's hourly frame (its tariff's feed-in price).

    Returns
    -------
    tuple of (DispatchResult, ndarray)
        The result with ``chp_to_load`` and ``chp_to_grid``, ``load`` (the CHP's part added back) and the export
        revenue (the CHP's export added); the spilled CHP electricity per hour [kW].
    """
    from lingtan.twin.core.dispatch import FLOWS, TOTALS

    f = {name: i for i, name in enumerate(FLOWS)}
    h = res.hourly.copy()
    room = np.maximum(export_limit_kw - h[:, f["re_to_grid"]], 0.0)
    to_grid = np.minimum(chp_kw - to_load_kw, room)
    h[:, f["load"]] += to_load_kw
    h[:, f["chp_to_load"]] = to_load_kw
    h[:, f["chp_to_grid"]] = to_grid
    totals = res.totals.copy()
    for name in ("load", "chp_to_load", "chp_to_grid"):
        totals[0, TOTALS.index(name)] = h[:, f[name]].sum()  # hourly steps: power [kW] x 1 h
    totals[0, TOTALS.index("export_revenue_cny")] += to_grid.sum() * p0.tariff.feed_in_price_cny_per_kwh
    return replace(res, totals=totals, hourly=h), chp_kw - to_load_kw - to_grid


def _allocate_bus_renewables(park: Park, names: list[str], bus: _Bus) -> np.ndarray:
    """Step 4: renewable energy delivered on the bus (directly or from the central battery's renewable pool),
    split among the tenants by the allocation rule [kW] (I, T)."""
    t = bus.table
    renewable = t.pv_to_load_kw + t.wind_to_load_kw + t.tenants_to_load_kw + t.battery_re_to_load_kw
    t_index = {n: i for i, n in enumerate(names)}
    return allocate(
        park.allocation.rule,
        renewable.to_numpy(),
        bus.demand,
        shares=[t.contract_share for t in park.tenants],
        order=[t_index[n] for n in park.allocation.priority],
    )


def _allocate_bus_chp(bus: _Bus, renewable_kw: np.ndarray) -> np.ndarray:
    """The tenants' CHP electricity that served the bus demand, split among the tenants pro rata to what each
    tenant's demand wants after its allocated renewables ``renewable_kw`` [kW] (I, T): bookkeeping of who
    got it (the bus served it first, :func:`_tenants_chp_on_bus`); the allocation rule is for renewables only."""
    t = bus.table
    chp = t.tenants_chp_to_load_kw.to_numpy() if "tenants_chp_to_load_kw" in t else np.zeros(len(t))
    return allocate("pro_rata", chp, bus.demand - renewable_kw)


def _network_year(park: Park, base_dir: Path, names: list[str], bus: _Bus):
    """The park network's power flow for every hour, from the net demand of every connection, and the findings
    at the substation's limits. Returns (NetworkResult, SubstationLimitResult, net demand by connection [MW])."""
    # Imported here: pandapower and the solver cost a second of imports that a factory run never uses.
    from lingtan.twin.network import annual_power_flow, apply_substation_limits, build_net

    # Net demand of every connection [MW], pandapower's load convention (feed-in negative).
    p_mw = {n: (bus.demand[i] - bus.surplus[i] - bus.chp[i]) / 1e3 for i, n in enumerate(names)}
    for (kind, name), c, row in zip(bus.sources, bus.caps, bus.rows, strict=True):
        if kind != "tenants":
            p_mw[name] = -c * row / 1e3
    t = bus.table
    for b in park.shared.battery:
        charge = t[[c for c in t.columns if c.endswith("_to_battery_kw")]].sum(axis=1)
        out = t.battery_re_to_load_kw + t.battery_grid_to_load_kw
        p_mw[b.name] = ((charge - out) / 1e3).to_numpy()
    network = annual_power_flow(build_net(park.network, base_dir), p_mw, limits=park.network.limits, index=t.index)
    g = park.grid
    limits = apply_substation_limits(
        network,
        import_limit_mw=g.import_limit_kw / 1e3,
        export_limit_mw=(g.export_limit_kw if g.export_allowed else 0.0) / 1e3,
    )
    return network, limits, p_mw


def _park_kpis(kpis: dict, runs: dict, links: dict, bus: _Bus) -> None:
    """The park's bill, heat, fuel, park-bus KPIs and warnings, added to ``kpis``."""
    from lingtan.components.vehicles import merge_fleet_kpis
    from lingtan.twin.core.kpis import storage_warnings

    kpis["grid_bill_cny"] = {k: float(np.ravel(v)[0]) for k, v in bus.bill.items()}
    kpis["grid_bill"] = bus.monthly_bill
    kpis["heat"] = _park_heat(runs, links)
    kpis["fuel_uses"] = {f"{n}.{k}": v for n, r in runs.items() for k, v in r.kpis.get("fuel_uses", {}).items()}
    kpis.update(park_plant_kpis({n: r.kpis for n, r in runs.items()}))
    fleets = [r.kpis["vehicles"] for r in runs.values() if "vehicles" in r.kpis]
    if fleets:
        kpis["vehicles"] = merge_fleet_kpis(fleets)  # the park's NEV share and coverage: its tenants' fleets as one
    kpis["park_bus"] = bus.kpis
    warnings = [f"{n}: {w}" for n in runs for w in runs[n].kpis.get("warnings", [])] + [
        f"central battery: {w}" for w in storage_warnings(bus.kpis)
    ]
    if bus.kpis.get("tenants_chp_spilled_e_kwh", 0.0) > 0:
        warnings.append(
            f"park bus: {bus.kpis['tenants_chp_spilled_e_kwh']:.0f} kWh of the tenants' CHP export found neither "
            "demand nor export room (the park's export limit); the engines' fuel for it is counted"
        )
    if warnings:
        kpis["warnings"] = warnings


def _tenant_verdicts(park: Park, runs: dict, table: pd.DataFrame) -> dict:
    """Each tenant's simulated verdicts, on its row of the reconciled table (its own and allocated renewables)
    and its heat KPIs; none when the park names no criteria."""
    out = {}
    if not park.criteria:
        return out
    for tenant in park.tenants:
        n = tenant.name
        row = table.loc[n].to_dict()
        flat = {k: v for k, v in runs[n].kpis.items() if isinstance(v, (int, float))}
        flat.update(
            re_electricity_share_onsite=row["re_share"],
            total_consumption_e_kwh=row["consumption_e_kwh"],
            re_consumed_e_kwh=row["re_consumed_e_kwh"],
        )
        flat["re_electricity_share_onsite_delivered"] = row["re_share_delivered"]
        if "heat" in runs[n].kpis:
            h = runs[n].kpis["heat"]
            flat["waste_heat_recovery_rate"] = h["waste_heat_recovery_rate"]
            flat["waste_heat_recovery_rate_declared_streams"] = h["waste_heat_recovery_rate_declared_streams"]
            flat["waste_heat_recovery_rate_by_type"] = h["waste_heat_recovery_rate_by_type"]
        else:  # a tenant without any waste heat or energy: the recovery rate does not apply
            flat["waste_heat_recovery_rate"] = None
        out[n] = [
            v.to_dict()
            for v in evaluate(park.criteria, flat, tenant.declared, park.criteria_settings)
            if v.input == "simulated"
        ]
    return out


def simulate_site(scenario, base_dir: str | Path = ".", optimal=None):
    """One year of a factory (:func:`lingtan.twin.run.simulate`) or of a park (:func:`simulate_park`).

    Parameters
    ----------
    scenario : Scenario or Park
        A validated scenario.
    base_dir : str or Path
        Folder of the scenario file.
    optimal : callable, optional
        The ``dispatch: optimal`` strategy of a factory (:func:`lingtan.twin.run.simulate_profiles`); ``twin run``
        passes :func:`lingtan.twin.studies.lp.rolling.optimal_strategy`.

    Returns
    -------
    RunResult or ParkResult
        The year.
    """
    from lingtan.twin.run import simulate

    return simulate_park(scenario, base_dir) if isinstance(scenario, Park) else simulate(scenario, base_dir, optimal)


def _reconcile(park, runs, names, demand, alloc, bus_k, bus) -> tuple[pd.DataFrame, dict]:
    """Tenant rows, the park_common row and the park row; park = sum of tenants + common, exactly. ``alloc`` is
    the renewable and the CHP electricity of the bus allocated to each tenant [kW] (I, T), two arrays."""
    rows = {}
    alloc, alloc_chp = alloc
    for i, n in enumerate(names):
        k = runs[n].kpis
        own_re = k["re_consumed_e_kwh"]
        got = float(alloc[i].sum())
        consumption = k["total_consumption_e_kwh"]
        rows[n] = {
            "consumption_e_kwh": consumption,
            "own_re_consumed_e_kwh": own_re,
            "park_re_allocated_e_kwh": got,
            "re_consumed_e_kwh": own_re + got,
            "bus_demand_e_kwh": float(demand[i].sum()),
            "surplus_to_bus_e_kwh": k["grid_export_e_kwh"],
            "chp_to_bus_e_kwh": k["chp_export_e_kwh"],
            "park_chp_allocated_e_kwh": float(alloc_chp[i].sum()),
            "re_generation_e_kwh": k["re_generation_e_kwh"],
            "curtailed_e_kwh": k["curtailed_e_kwh"],
            "delivered_e_kwh": k["delivered_consumption_e_kwh"],
            "re_delivered_e_kwh": k["re_delivered_e_kwh"] + got,
        }
    # What belongs to no tenant: the central battery's losses and stored change, less unserved bus demand.
    common_cons = bus_k["battery_losses_e_kwh"] + bus_k["battery_stored_change_e_kwh"] - bus_k["unserved_load_e_kwh"]
    e_re_end = float(bus["battery_e_re_kwh"].iloc[-1])
    common_re = float(bus.battery_loss_re_kw.sum()) + e_re_end  # the central battery starts with no renewable energy
    rows["park_common"] = {
        "consumption_e_kwh": common_cons,
        "own_re_consumed_e_kwh": common_re,
        "park_re_allocated_e_kwh": 0.0,
        "re_consumed_e_kwh": common_re,
        "bus_demand_e_kwh": 0.0,
        "surplus_to_bus_e_kwh": 0.0,
        "chp_to_bus_e_kwh": 0.0,
        "park_chp_allocated_e_kwh": 0.0,
        "re_generation_e_kwh": bus_k["pv_e_kwh"] + bus_k["wind_e_kwh"],
        "curtailed_e_kwh": bus_k["curtailed_e_kwh"],
        # the central battery delivers nothing of its own; bus demand it could not serve was
        # counted as delivered in the tenants' rows
        "delivered_e_kwh": -bus_k["unserved_load_e_kwh"],
        "re_delivered_e_kwh": 0.0,
    }
    # Park green power (contracts, direct lines) and certificates: pro rata to each tenant's grid-origin energy
    # on the bus (neither renewable nor the tenants' CHP), each capped at it (green power can only replace grid
    # energy).
    grid_origin = {
        n: rows[n]["bus_demand_e_kwh"] - rows[n]["park_re_allocated_e_kwh"] - rows[n]["park_chp_allocated_e_kwh"]
        for n in names
    }
    total_grid = sum(grid_origin.values())
    gp = park.green_power
    for kind, amount in (
        ("green_power", gp.green_power_contract_e_kwh + gp.green_power_direct_e_kwh),
        ("certificates", gp.green_certificates_mwh * 1e3),
    ):
        for n in names:
            share = grid_origin[n] / total_grid if total_grid > 0 else 0.0
            rows[n][f"{kind}_allocated_e_kwh"] = min(amount * share, grid_origin[n])
        rows["park_common"][f"{kind}_allocated_e_kwh"] = 0.0
    table = pd.DataFrame(rows).T
    table.loc["park"] = table.sum()
    # The park computed directly from its boundary, by the design's definitions.
    gen = sum(runs[n].kpis["re_generation_e_kwh"] for n in names) + bus_k["pv_e_kwh"] + bus_k["wind_e_kwh"]
    curt = sum(runs[n].kpis["curtailed_e_kwh"] for n in names) + bus_k["curtailed_e_kwh"]
    imp, exp = bus_k["grid_import_e_kwh"], bus_k["grid_export_e_kwh"]
    # CHP electricity used in the park (made from fuel, not renewable): each tenant's own and the bus's
    chp_used = sum(runs[n].kpis["chp_e_kwh"] - runs[n].kpis["chp_export_e_kwh"] for n in names)
    chp_used += bus_k.get("tenants_chp_to_load_e_kwh", 0.0)
    consumption = imp + gen - exp - curt + chp_used
    re_consumed = gen - exp - curt
    table.loc["park", "re_generation_e_kwh"] = gen
    table.loc["park", "curtailed_e_kwh"] = curt
    consumed = table.consumption_e_kwh.to_numpy(dtype=float)
    table["re_share"] = np.divide(
        table.re_consumed_e_kwh.to_numpy(dtype=float), consumed, out=np.zeros(len(table)), where=consumed > 0
    )
    delivered = table.delivered_e_kwh.to_numpy(dtype=float)
    table["re_share_delivered"] = np.divide(
        table.re_delivered_e_kwh.to_numpy(dtype=float), delivered, out=np.zeros(len(table)), where=delivered > 0
    )
    table["re_share_with_green_power"] = np.divide(
        (table.re_consumed_e_kwh + table.green_power_allocated_e_kwh).to_numpy(dtype=float),
        consumed,
        out=np.zeros(len(table)),
        where=consumed > 0,
    )
    kpis = {
        "grid_import_e_kwh": imp,
        "grid_export_e_kwh": exp,
        "re_generation_e_kwh": gen,
        "curtailed_e_kwh": curt,
        "total_consumption_e_kwh": consumption,
        "re_consumed_e_kwh": re_consumed,
        "re_electricity_share_onsite": re_consumed / consumption if consumption > 0 else 0.0,
        "delivered_consumption_e_kwh": float(table.loc["park", "delivered_e_kwh"]),
        "re_delivered_e_kwh": float(table.loc["park", "re_delivered_e_kwh"]),
        "re_electricity_share_onsite_delivered": float(table.loc["park", "re_share_delivered"]),
        "peak_import_kw": bus_k["peak_import_kw"],
        "unserved_load_e_kwh": bus_k["unserved_load_e_kwh"],
        "reconciliation_residual_e_kwh": max(
            abs(consumption - table.loc["park", "consumption_e_kwh"]),
            abs(re_consumed - table.loc["park", "re_consumed_e_kwh"]),
        ),
    }
    if any(t.chp for t in park.tenants):  # as a factory's (lingtan.twin.core.kpis.electric_kpis): the CHP's
        # electricity made and used in the park or exported through its connection, and that export
        kpis["chp_e_kwh"] = chp_used + bus_k["tenants_chp_export_e_kwh"]
        kpis["chp_export_e_kwh"] = bus_k["tenants_chp_export_e_kwh"]
    return table, kpis


def park_plant_kpis(tenant_kpis: dict[str, dict]) -> dict[str, Any]:
    """The tenants' hydrogen, load stores and demand response, for the park, in a factory's shape: hydrogen summed
    (made, taken, wanted and not there, electricity, grid electricity; the renewable shares weighted by what was
    made and what was used; fuel cells and boilers under ``<tenant>.<name>``), each store under
    ``<tenant>.<name>``, the events' delivered and short energy and net summed; each tenant's own under
    ``by_tenant``.

    Parameters
    ----------
    tenant_kpis : dict of str to dict
        Each tenant's ``kpis.json`` by tenant name.

    Returns
    -------
    dict
        ``hydrogen`` (when a tenant has a store), ``load_stores`` and ``demand_response`` (when any), as a factory's.
    """
    out: dict[str, Any] = {}
    h2 = {n: k["hydrogen"] for n, k in tenant_kpis.items() if k.get("hydrogen")}
    if h2:
        used = {n: h["offtake_kg"] + h["fuel_cell_kg"] + h["boiler_kg"] for n, h in h2.items()}
        made = sum(h["made_kg"] for h in h2.values())
        taken = sum(used.values())
        el = sum(h["electricity_e_kwh"] for h in h2.values())
        out["hydrogen"] = {
            "by_tenant": h2,
            "made_kg": made,
            "unmet_kg": sum(h["unmet_kg"] for h in h2.values()),
            "used_kg": taken,
            "electricity_e_kwh": el,
            "e_kwh_per_kg": el / made if made > 0 else None,
            "grid_e_kwh": sum(h["grid_e_kwh"] for h in h2.values()),
            "fuel_cells": {f"{n}.{c}": v for n, h in h2.items() for c, v in h["fuel_cells"].items()},
            "boilers": {f"{n}.{b}": v for n, h in h2.items() for b, v in h.get("boilers", {}).items()},
            "renewable_share": sum(h["made_kg"] * (h["renewable_share"] or 0.0) for h in h2.values()) / made
            if made > 0
            else None,
            "used_renewable_share": sum(used[n] * (h["used_renewable_share"] or 0.0) for n, h in h2.items()) / taken
            if taken > 0
            else None,
        }
    stores = {f"{n}.{s}": v for n, k in tenant_kpis.items() for s, v in k.get("load_stores", {}).items()}
    if stores:
        out["load_stores"] = stores
    events = {n: k["demand_response"] for n, k in tenant_kpis.items() if k.get("demand_response")}
    if events:
        out["demand_response"] = {
            "by_tenant": events,
            **{q: sum(e[q] for e in events.values()) for q in ("delivered_e_kwh", "shortfall_e_kwh", "net_cny")},
        }
    return out


def _park_heat(runs, links) -> dict:
    """Park heat KPIs: recovery over every tenant's resources (each tenant's whole boundary and declared streams,
    :func:`lingtan.twin.core.kpis.heat_kpis`), fuel, purchased heat and the heat ground loops drew (on-site
    renewable heat) summed, each tenant's loops by ``<tenant>.<loop>``. A park with nothing to recover has no rate
    (None, "not applicable")."""
    from lingtan.twin.core.kpis import WASTE_HEAT_GROUPS, waste_heat_rates_of_sums

    tot = {"available": 0.0, "recovered": 0.0, "declared": 0.0}
    groups: dict[str, dict[str, list[float]]] = {group: {} for group in WASTE_HEAT_GROUPS}
    fuels: dict[str, dict] = {}
    bought: dict[str, dict] = {}
    loops: dict[str, dict] = {}
    for n, r in runs.items():
        h = r.kpis.get("heat")
        if not h:
            continue
        tot["available"] += h["waste_heat_available_e_kwh_th"]
        tot["recovered"] += h["waste_heat_recovered_e_kwh_th"]
        tot["declared"] += h["waste_heat_declared_available_e_kwh_th"]
        for group, g in groups.items():
            for key, a in h[f"waste_heat_available_e_kwh_th_{group}"].items():
                # A stream is its tenant's; kinds, grades and types are the park's across tenants.
                acc = g.setdefault(f"{n}.{key}" if group == "by_stream" else key, [0.0, 0.0])
                acc[0] += a
                acc[1] += h[f"waste_heat_recovered_e_kwh_th_{group}"][key]
        for fuel, f in h["fuel_use"].items():
            agg = fuels.setdefault(fuel, {"unit": f["unit"], "quantity": 0.0, "fuel_e_kwh": 0.0, "kgce": 0.0})
            for key in ("quantity", "fuel_e_kwh", "kgce"):
                agg[key] += f[key]
        bought.update({f"{n}.{k}": v for k, v in h["purchased_heat"].items()})
        loops.update({f"{n}.{k}": v for k, v in h.get("ground_loops", {}).items()})
    out = waste_heat_rates_of_sums(tot["available"], tot["recovered"], tot["declared"], groups)
    out.update(
        {
            "heat_network_delivered_e_kwh_th": float(
                sum(v.sum() for k, v in links.items() if k.endswith(".delivered_kw_th"))
            ),
            "heat_network_pipe_loss_e_kwh_th": float(
                sum(v.sum() for k, v in links.items() if k.endswith(".pipe_loss_kw_th"))
            ),
            "fuel_use": fuels,
            "purchased_heat": bought,
            "ground_loops": loops,
            "ground_heat_e_kwh_th": sum(g["extracted_e_kwh_th"] for g in loops.values()),
        }
    )
    return out
