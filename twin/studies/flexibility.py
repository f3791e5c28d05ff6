"""Flexibility a site could offer as part of a virtual power plant, by hour of day (issue 19, item 5).

The Anhui plan asks parks to take part in the power market with their energy assets as a virtual power plant
("将能源资产以虚拟电厂形式参与电力交易", 三(四)). This study reads a finished run's hourly tables and says, for
every step of the year, how much the site's import could move and for how long, then sums that up by hour of
day. It changes nothing in the dispatch: it is the headroom around the schedule the run followed.

Definitions
-----------
For a step starting at ``t`` and a duration ``d`` in :data:`DURATIONS_H` [h]:

``up`` (less import or more export, held for ``d`` hours) [kW]
    battery: ``max(0, min(P_dis, (e(t) - e_min) * eta_dis / d) - discharge(t)) + charge(t)``: a new discharge
    level the stored energy above the floor can hold for ``d`` hours, less the discharge already in the
    schedule, plus the charging the battery was doing (stopping it frees that power).

    power-to-heat: a heat pump or electric boiler on bus power (``<unit>.p_base_kw``; renewable surplus runs
    nothing off the grid) switched off while a thermal store covers its heat: ``min(p_base(t), h / COP(t))``,
    where ``COP(t)`` is the unit's heat over its electricity that step and ``h`` the store heat held for ``d``
    hours, ``min(e_store(t) / d, discharge limit - discharge(t))`` [kW_th]. The tables do not say which
    demand a unit served, so a store covers a unit only when it is at least as hot (``store.t_c >=
    unit.t_c``): every demand the unit can serve, the store can serve too. A store's heat is handed to its
    units in scenario order, so two units never count the same heat.

    cold store or air receiver (:mod:`lingtan.components.load_storage`): its load's machines rest while the store
    serves it, ``min(p_load(t) - relief(t), e(t) / (k_serve d)) + p_charge(t)``: the load's electricity the store
    does not already spare, as far as its content carries it for ``d`` hours, plus the charging it was doing.

``down`` (more import, absorbing surplus, held for ``d`` hours) [kW]
    battery: ``max(0, min(P_ch, (e_max - e(t)) / (eta_ch * d)) - charge(t)) + discharge(t)``: the charge
    headroom less what it already charged, plus the discharge it was doing (stopping it adds that import).
    cold store or air receiver: ``max(0, min(charge limit, (capacity - e(t)) / d) / k_charge - p_charge(t)) +
    relief(t)``: the machines charging it harder, plus the relief it was giving (its load runs again).
    Power-to-heat is not counted downward (running a unit harder to charge a store needs the store's
    charge headroom and the unit's spare capacity, which the tables do not give per unit).

``e(t)`` is the energy at the start of the step: the previous row's ``battery_e_kwh`` (``<store>.e_kwh_th``),
the first step's from ``soc_initial``. Self-discharge and standing losses over the ``d`` hours are left out
(a fraction of a per cent per hour in the shipped scenarios), and so is battery fade.

    flexible batch (``flexible_loads``, given its scheduled year): ``p`` where the batch runs through all ``d`` hours
    and another start in its window would keep them free (a day-ahead move), else 0.

``down`` for a flexible batch: ``p`` where it does not run in any of the ``d`` hours and a start in its window
would run through them all.

Interruptible process loads and vehicle charging beyond the schedule are not in the model. The output says so
(:data:`NOT_MODELLED`).

By hour of day, each asset's and the total's (the sum of the assets step by step, not of their statistics)
mean, P10 (the level available on 90 % of the days: the 10th percentile over the year's steps in that hour)
and minimum [kW].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lingtan.twin.core.heat_profiles import load_store_params

if TYPE_CHECKING:
    from lingtan.components.battery import Battery
    from lingtan.components.heat import Boiler, HeatPump, ThermalStorage

DURATIONS_H = (1, 2, 4)
"""Durations a flexibility offer is held for [h]."""

P10_QUANTILE = 0.10
"""The quantile of a P10: the level reached or exceeded on 90 % of the days [-]."""

TOTAL = "total"
"""The asset name of the sum over assets."""

BATCH_PREFIX = "flexible_load:"
"""Prefix of a flexible batch's asset name (``flexible_load:<batch>``)."""

BATTERY = "battery"
"""The asset name of the site's battery."""

P2H_PREFIX = "power_to_heat:"
"""Prefix of a power-to-heat unit's asset name (``power_to_heat:<unit>``)."""

STORE_PREFIX = "load_store:"
"""Prefix of a cold store's or air receiver's asset name (``load_store:<name>``)."""

NOT_MODELLED = "interruptible production and vehicle charging beyond the schedule are not in the model"
"""What a flexibility report does not count, as written into ``kpis.json``."""

COLUMNS = ("direction", "duration_h", "hour", "asset", "mean_kw", "p10_kw", "min_kw")
"""Columns of the tidy table (``flexibility.csv``)."""


@dataclass(frozen=True)
class FlexibilityReport:
    """A run's flexibility: the tidy table by hour of day and the summary for ``kpis.json``.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`COLUMNS`: direction (``up``, ``down``), duration [h], hour of day (0..23, local), asset
        (``battery``, ``power_to_heat:<unit>``, ``total``), mean, P10 and minimum [kW].
    summary : dict
        ``kpis["flexibility"]`` (:func:`summarise`).
    """

    table: pd.DataFrame
    summary: dict[str, Any]


def _start_energy(e_end: np.ndarray, e0: float) -> np.ndarray:
    """Energy at the start of each step: the previous step's end, ``e0`` before the first."""
    return np.concatenate([[e0], e_end[:-1]]) if len(e_end) else e_end


def battery_flexibility_kw(hourly: pd.DataFrame, battery: Battery, duration_h: float) -> tuple[np.ndarray, np.ndarray]:
    """The battery's upward and downward flexibility of every step, held for ``duration_h`` hours.

    Parameters
    ----------
    hourly : pandas.DataFrame
        A run's electric table (:func:`lingtan.twin.core.tables.electric_table`): ``battery_e_kwh`` at each step's
        end [kWh], the ``*_to_battery_kw`` charge and the ``battery_re_to_*`` / ``battery_grid_to_*`` discharge
        flows [kW].
    battery : lingtan.components.battery.Battery
        Its energy [kWh], state-of-charge window and initial state [-], power limits [kW], efficiencies [-].
    duration_h : float
        How long the offer is held [h].

    Returns
    -------
    tuple of ndarray
        Upward and downward flexibility of every step [kW] (module docstring, Definitions).
    """
    e = _start_energy(hourly["battery_e_kwh"].to_numpy(dtype=float), battery.soc_initial_value * battery.energy_kwh)
    e_min, e_max = battery.soc_min * battery.energy_kwh, battery.soc_max * battery.energy_kwh
    charge = hourly.filter(regex=r"_to_battery_kw$").sum(axis=1).to_numpy(dtype=float)
    discharge = hourly.filter(regex=r"^battery_(re|grid)_to_").sum(axis=1).to_numpy(dtype=float)
    # Energy above the floor, delivered over d hours at the discharge efficiency; below the floor, none.
    held_dis = np.minimum(battery.discharge_kw, np.maximum(e - e_min, 0.0) * battery.discharge_efficiency / duration_h)
    held_ch = np.minimum(battery.charge_kw, np.maximum(e_max - e, 0.0) / (battery.charge_efficiency * duration_h))
    up = np.maximum(held_dis - discharge, 0.0) + charge
    down = np.maximum(held_ch - charge, 0.0) + discharge
    return up, down


def power_to_heat_flexibility_kw(
    hourly_heat: pd.DataFrame,
    units: Sequence[HeatPump | Boiler],
    stores: Sequence[ThermalStorage],
    duration_h: float,
) -> dict[str, np.ndarray]:
    """Bus electricity of each power-to-heat unit a thermal store could stand in for, held ``duration_h`` hours.

    Parameters
    ----------
    hourly_heat : pandas.DataFrame
        A run's heat table (:func:`lingtan.twin.core.tables.heat_table`): per unit ``<unit>.p_base_kw`` and
        ``<unit>.p_surplus_kw`` [kW], ``<unit>.heat_to_demand_kw_th`` and ``<unit>.heat_to_storage_kw_th``
        [kW_th]; per store ``<store>.e_kwh_th`` at each step's end [kWh_th] and ``<store>.discharge_kw_th``.
    units : sequence of HeatPump or Boiler
        The site's heat pumps and electric boilers, in scenario order (their ``name`` and supply ``t_c`` [C]).
    stores : sequence of ThermalStorage
        The site's thermal stores (name, temperature [C], initial state [-], capacity [kWh_th], discharge
        limit [kW_th]).
    duration_h : float
        How long the offer is held [h].

    Returns
    -------
    dict of str to ndarray
        Upward flexibility of every step [kW] by unit name, for the units a store at least as hot as the unit
        covers; empty when none is.
    """
    out: dict[str, np.ndarray] = {}
    if not len(hourly_heat.columns):
        return out
    col = {c: hourly_heat[c].to_numpy(dtype=float) for c in hourly_heat.columns}
    # Heat each store could give for d hours [kW_th]: its stored heat spread over d, within its spare discharge.
    spare = {}
    for s in stores:
        e = _start_energy(col[f"{s.name}.e_kwh_th"], s.soc_initial * s.capacity_kwh_th)
        spare[s.name] = np.maximum(
            np.minimum(np.maximum(e, 0.0) / duration_h, s.discharge_kw_th - col[f"{s.name}.discharge_kw_th"]), 0.0
        )
    for u in units:
        if f"{u.name}.p_base_kw" not in col:
            continue
        covering = [s.name for s in stores if s.t_c >= u.t_c]
        if not covering:
            continue
        p_base = col[f"{u.name}.p_base_kw"]
        p_all = p_base + col[f"{u.name}.p_surplus_kw"]
        heat = col[f"{u.name}.heat_to_demand_kw_th"] + col[f"{u.name}.heat_to_storage_kw_th"]
        cop = np.divide(heat, p_all, out=np.zeros_like(heat), where=p_all > 0)  # the step's own COP [-]
        need = p_base * cop  # heat made on bus power [kW_th]
        freed = np.zeros_like(p_base)
        for name in covering:  # a store's heat goes to the units in scenario order, counted once
            given = np.minimum(need, spare[name])
            spare[name] = spare[name] - given
            need = need - given
            freed = freed + np.divide(given, cop, out=np.zeros_like(given), where=cop > 0)
        out[u.name] = np.minimum(freed, p_base)
    return out


def load_store_flexibility_kw(
    hourly_heat: pd.DataFrame, stores: Sequence[Any], params: np.ndarray, duration_h: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Upward and downward flexibility of each cold store and air receiver, held ``duration_h`` hours.

    Parameters
    ----------
    hourly_heat : pandas.DataFrame
        A run's heat table: per store its ``p_load_kw``, ``p_charge_kw``, ``p_relief_kw`` [kW] and content at each
        step's end (:func:`lingtan.twin.core.tables.load_store_columns`).
    stores : sequence of ColdStore or AirReceiver
        The stores, in the kernel's order (cold stores, then air receivers).
    params : ndarray, shape (L, 4)
        Their kernel parameters (``HeatSystem.ls_params``): the product a kWh of charging makes and a kWh of the
        load stands for are columns 2 and 3.
    duration_h : float
        How long the offer is held [h].

    Returns
    -------
    dict of str to (ndarray, ndarray)
        Up and down of every step [kW] by store name (module docstring, Definitions).
    """
    from lingtan.twin.core.tables import load_store_columns

    out = {}
    for j, s in enumerate(stores):
        c = {q: hourly_heat[name].to_numpy(dtype=float) for q, name in load_store_columns(s).items()}
        cap, ch_max, _, e0 = s.kernel_sizes()
        e = np.maximum(_start_energy(c["content"], e0), 0.0)
        k_ch, k_sv = params[j, 2], params[j, 3]
        p_load = hourly_heat[f"{s.name}.p_load_kw"].to_numpy(dtype=float)
        up = np.minimum(np.maximum(p_load - c["p_relief_kw"], 0.0), e / (k_sv * duration_h)) + c["p_charge_kw"]
        held_ch = np.minimum(ch_max, np.maximum(cap - e, 0.0) / duration_h) / k_ch
        down = np.maximum(held_ch - c["p_charge_kw"], 0.0) + c["p_relief_kw"]
        out[s.name] = (up, down)
    return out


def batch_flexibility_kw(
    batch: Any, p_kw: np.ndarray, index: pd.DatetimeIndex, duration_h: int
) -> tuple[np.ndarray, np.ndarray]:
    """A flexible batch's upward and downward flexibility of every step, held ``duration_h`` hours: a day-ahead move
    of its start within its window (module docstring, Definitions).

    Parameters
    ----------
    batch : lingtan.components.flexible.ShiftableBatch
        Its power [kW], duration [h], start window and working days.
    p_kw : ndarray, shape (T,)
        Its scheduled year [kW] (:func:`lingtan.components.flexible.batch_load_kw`).
    index : pandas.DatetimeIndex
        Hourly steps, local time.
    duration_h : int
        How long the offer is held [h].

    Returns
    -------
    tuple of ndarray
        Up and down of every step [kW].
    """
    n, d = len(p_kw), int(duration_h)
    up, down = np.zeros(n), np.zeros(n)
    on = np.asarray(p_kw) > 0
    midnight = np.flatnonzero(index.hour == 0)
    for m in midnight[index[midnight].dayofweek < batch.days_per_week]:
        starts = m + np.arange(batch.earliest_start_h, batch.latest_start_h + 1)
        steps = np.arange(starts[0], starts[-1] + batch.duration_h - d + 1)  # the holds within the window's reach
        steps = steps[steps + d <= n]
        # covered[s, t]: the run from start s holds all of t .. t + d - 1; free[s, t]: it touches none of them
        covered = (starts[:, None] <= steps[None, :]) & (steps[None, :] + d <= starts[:, None] + batch.duration_h)
        free = (steps[None, :] + d <= starts[:, None]) | (starts[:, None] + batch.duration_h <= steps[None, :])
        held = np.array([on[t : t + d].all() for t in steps], dtype=bool)
        idle = np.array([not on[t : t + d].any() for t in steps], dtype=bool)
        up[steps] = np.where(held & free.any(axis=0), batch.p_kw, up[steps])
        down[steps] = np.where(idle & covered.any(axis=0), batch.p_kw, down[steps])
    return up, down


def asset_flexibility_kw(
    hourly: pd.DataFrame,
    hourly_heat: pd.DataFrame,
    batteries: Sequence[Battery],
    units: Sequence[HeatPump | Boiler],
    stores: Sequence[ThermalStorage],
    duration_h: float,
) -> dict[str, dict[str, np.ndarray]]:
    """Every counted asset's flexibility of every step, by direction.

    Parameters
    ----------
    hourly : pandas.DataFrame
        The run's electric table.
    hourly_heat : pandas.DataFrame
        The run's heat table (no columns without a heat side).
    batteries : sequence of Battery
        None or one battery.
    units : sequence of HeatPump or Boiler
        Heat pumps and electric boilers.
    stores : sequence of ThermalStorage
        Thermal stores.
    duration_h : float
        How long the offer is held [h].

    Returns
    -------
    dict
        ``{"up": {asset: kW per step}, "down": {asset: kW per step}}``; assets named as in :data:`COLUMNS`.
    """
    up: dict[str, np.ndarray] = {}
    down: dict[str, np.ndarray] = {}
    for b in batteries:
        up[BATTERY], down[BATTERY] = battery_flexibility_kw(hourly, b, duration_h)
    for name, kw in power_to_heat_flexibility_kw(hourly_heat, units, stores, duration_h).items():
        up[P2H_PREFIX + name] = kw
    return {"up": up, "down": down}


def by_hour_of_day(index: pd.DatetimeIndex, kw: dict[str, np.ndarray]) -> pd.DataFrame:
    """Mean, P10 and minimum of each asset's and the total's flexibility by hour of day.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        The steps of the run, local time.
    kw : dict of str to ndarray
        Flexibility of every step [kW] by asset.

    Returns
    -------
    pandas.DataFrame
        Columns ``hour``, ``asset``, ``mean_kw``, ``p10_kw``, ``min_kw``: 24 rows per asset and 24 for
        ``total`` (zero when no asset is counted).
    """
    total = sum(kw.values(), np.zeros(len(index)))
    frame = pd.DataFrame({**kw, TOTAL: total}, index=np.asarray(index.hour))
    groups = frame.groupby(level=0)
    stats = {"mean_kw": groups.mean(), "p10_kw": groups.quantile(P10_QUANTILE), "min_kw": groups.min()}
    long = pd.concat({k: v.stack() for k, v in stats.items()}, axis=1)
    long.index.names = ["hour", "asset"]
    return long.reset_index()


def summarise(table: pd.DataFrame, steps: dict[tuple[str, int], np.ndarray], assets: dict[str, list[str]]) -> dict:
    """``kpis["flexibility"]``: per direction and duration, the year's P10 and the best hour of day.

    Parameters
    ----------
    table : pandas.DataFrame
        The tidy table (:data:`COLUMNS`).
    steps : dict
        The total flexibility of every step [kW] by (direction, duration [h]).
    assets : dict
        The assets counted, by direction.

    Returns
    -------
    dict
        ``assets`` (by direction), ``not_counted`` (:data:`NOT_MODELLED`), and per direction (``up``, ``down``)
        and duration (``"1h"``, ``"2h"``, ``"4h"``): ``p10_kw`` (the total's P10 over every step of the year),
        ``best_hour`` (the hour of day, 0..23, with the highest mean total; None when no asset is counted) and
        ``best_hour_mean_kw`` [kW].
    """
    out: dict[str, Any] = {"assets": assets, "not_counted": [NOT_MODELLED]}
    for (direction, d), total in steps.items():
        rows = table[(table.direction == direction) & (table.duration_h == d) & (table.asset == TOTAL)]
        best = rows.loc[rows.mean_kw.idxmax()] if len(rows) and assets.get(direction) else None
        out.setdefault(direction, {})[f"{d}h"] = {
            "p10_kw": float(np.quantile(total, P10_QUANTILE)) if len(total) else 0.0,
            "best_hour": None if best is None else int(best.hour),
            "best_hour_mean_kw": 0.0 if best is None else float(best.mean_kw),
        }
    return out


def flexibility_report(
    scenario: Any,
    hourly: pd.DataFrame,
    hourly_heat: pd.DataFrame,
    durations_h: Sequence[int] = DURATIONS_H,
    flexible_kw: dict[str, np.ndarray] | None = None,
) -> FlexibilityReport:
    """A run's flexibility by hour of day, and its summary.

    Parameters
    ----------
    scenario : lingtan.twin.core.scenario.Scenario
        The factory that ran: its ``battery``, ``heat_pumps``, ``boilers`` (the electric ones count) and
        ``thermal_storage``.
    hourly : pandas.DataFrame
        The run's electric table (``RunResult.hourly``).
    hourly_heat : pandas.DataFrame
        The run's heat table (``RunResult.hourly_heat``).
    durations_h : sequence of int
        Durations of the offers [h].
    flexible_kw : dict of str to ndarray, optional
        Each flexible batch's scheduled year [kW] (``RunResult.flexible_kw``); without it the batches are not
        counted.

    Returns
    -------
    FlexibilityReport
        The tidy table and the summary (module docstring, Definitions).
    """
    return sites_report([("", scenario, hourly, hourly_heat, flexible_kw or {})], durations_h)


def park_flexibility_report(result: Any, durations_h: Sequence[int] = DURATIONS_H) -> FlexibilityReport:
    """A park's flexibility: its shared battery on the park bus and every tenant's assets, behind the park's meter.

    Parameters
    ----------
    result : lingtan.twin.studies.park.ParkResult
        The simulated park: ``park.shared.battery`` on the ``bus`` table, and each tenant's run.
    durations_h : sequence of int
        Durations of the offers [h].

    Returns
    -------
    FlexibilityReport
        Assets named ``shared:battery`` and ``<tenant>:battery``, ``<tenant>:power_to_heat:<unit>``; the total
        is the park's (a tenant's import is the park's).
    """
    no_heat = pd.DataFrame(index=result.bus.index)
    shared = SimpleNamespace(battery=result.park.shared.battery, heat_pumps=[], boilers=[], thermal_storage=[])
    sites: list[tuple[str, Any, pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]] = [
        ("shared:", shared, result.bus, no_heat, {})
    ]
    sites += [
        (f"{name}:", run.scenario, run.hourly, run.hourly_heat, run.flexible_kw) for name, run in result.tenants.items()
    ]
    return sites_report(sites, durations_h)


def sites_report(
    sites: Sequence[tuple[str, Any, pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]],
    durations_h: Sequence[int] = DURATIONS_H,
) -> FlexibilityReport:
    """The flexibility of one or more sites behind one meter, their assets added step by step.

    Parameters
    ----------
    sites : sequence of (str, scenario, DataFrame, DataFrame, dict)
        Per site: the prefix of its asset names (``""`` for a lone factory), its assets (``battery``,
        ``heat_pumps``, ``boilers``, ``thermal_storage``, ``cold_stores``, ``air_receivers``, ``flexible_loads``),
        its electric and heat tables, all on one index, and its flexible batches' scheduled years [kW] by name.
    durations_h : sequence of int
        Durations of the offers [h].

    Returns
    -------
    FlexibilityReport
        The tidy table and the summary (module docstring, Definitions).
    """
    index = sites[0][2].index
    parts, steps = [], {}
    assets: dict[str, list[str]] = {"up": [], "down": []}
    for d in durations_h:
        flex: dict[str, dict[str, np.ndarray]] = {"up": {}, "down": {}}
        for prefix, sc, hourly, hourly_heat, batches in sites:
            units = [*sc.heat_pumps, *(b for b in sc.boilers if b.fuel == "electric")]
            for direction, kw in asset_flexibility_kw(
                hourly, hourly_heat, sc.battery, units, sc.thermal_storage, d
            ).items():
                flex[direction].update({prefix + name: v for name, v in kw.items()})
            stores = [*getattr(sc, "cold_stores", []), *getattr(sc, "air_receivers", [])]
            if stores:
                for name, (up, down) in load_store_flexibility_kw(
                    hourly_heat, stores, load_store_params(sc), d
                ).items():
                    flex["up"][f"{prefix}{STORE_PREFIX}{name}"] = up
                    flex["down"][f"{prefix}{STORE_PREFIX}{name}"] = down
            for b in getattr(sc, "flexible_loads", []):
                if b.name in batches:
                    up, down = batch_flexibility_kw(b, batches[b.name], hourly.index, d)
                    flex["up"][f"{prefix}{BATCH_PREFIX}{b.name}"] = up
                    flex["down"][f"{prefix}{BATCH_PREFIX}{b.name}"] = down
        for direction, kw in flex.items():
            assets[direction] = list(kw)
            part = by_hour_of_day(index, kw)
            part.insert(0, "duration_h", d)
            part.insert(0, "direction", direction)
            parts.append(part)
            steps[(direction, d)] = sum(kw.values(), np.zeros(len(index)))
    table = pd.concat(parts, ignore_index=True)[list(COLUMNS)]
    return FlexibilityReport(table, summarise(table, steps, assets))
