"""A "measured" year with a known truth: meter readings made from a simulated year, with planted defects.

The truth is the simulated flows with two changes a calibration must later find (issue 18, point 6):
PV soiled by :data:`SOILING` and the load :data:`LOAD_SCALE` above the scenario. For a factory,
:func:`perturbed_run` simulates the year again with both (the battery dispatched anew, as the plant's
own would be); :func:`true_flows` alone applies them to a simulated table, and the grid meters carry the
difference: the extra load and the PV lost to soiling are imported, first out of what was exported (the
battery's dispatch is kept, so its meters contradict a calibrated twin's; a park's truth is made so).
Readings then get noise and the planted defects of :class:`Defects`, each listed with its meter and hours
so that a test can ask the quality check to find it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from lingtan.meters.schema import ASSET_LIST, FLOW_CARRIER, WASTE_HEAT, MeterMap, unit_factor
from lingtan.twin.run import RunResult, build_profiles, simulate_profiles

SOILING = 0.04
LOAD_SCALE = 1.07
NOISE = 0.01  # relative standard deviation of a reading [-]: class 1 meters, IEC 62053-21


def _flows(h: pd.DataFrame, soiling: float, load_scale: float) -> dict[str, pd.Series]:
    """A table's metered flows [kW], with the soiling and the extra load of the truth."""
    col = lambda name: h[name] if name in h else pd.Series(0.0, index=h.index)  # noqa: E731
    lost_pv = soiling * (col("pv_to_load_kw") + col("pv_to_heat_kw") + col("pv_to_grid_kw"))
    extra = (load_scale - 1) * col("load_kw") + lost_pv
    net = (
        col("grid_to_load_kw")
        + col("grid_to_heat_kw")
        + col("grid_to_battery_kw")
        - col("pv_to_grid_kw")
        - col("wind_to_grid_kw")
        - col("tenants_to_grid_kw")
        + extra
    )
    return {
        "grid_import": net.clip(lower=0),
        "grid_export": (-net).clip(lower=0),
        "tenant_supply": net.clip(lower=0),
        "pv": col("pv_kw") * (1 - soiling),
        "wind": col("wind_kw"),
        "battery_charge": col("pv_to_battery_kw")
        + col("wind_to_battery_kw")
        + col("grid_to_battery_kw")
        + col("tenants_to_battery_kw"),
        "battery_discharge": col("battery_re_to_load_kw")
        + col("battery_re_to_heat_kw")
        + col("battery_grid_to_load_kw")
        + col("battery_grid_to_heat_kw"),
    }


def perturbed_run(
    scenario: object, base_dir: str | Path, *, soiling: float = SOILING, load_scale: float = LOAD_SCALE
) -> RunResult:
    """A factory's year simulated with its PV output soiled and its electric loads scaled.

    Parameters
    ----------
    scenario : Scenario
        The factory.
    base_dir : str or Path
        Folder of the scenario file.
    soiling : float
        Share of every PV array's AC output lost [-].
    load_scale : float
        Factor on the electric loads (heat pumps and electric boilers follow their heat demand) [-].

    Returns
    -------
    RunResult
        The year, unassessed: its hourly electric table is for :func:`true_flows` with ``soiling=0, load_scale=1``,
        its heat table and heat KPIs for :func:`heat_truth`.
    """
    prof = build_profiles(scenario, Path(base_dir))
    pv = np.array([kind == "pv" for kind, _ in prof.sources], dtype=bool)
    other_kw = prof.heat.electric_load_kw
    prof = replace(
        prof,
        unit_kw=prof.unit_kw * np.where(pv, 1 - soiling, 1.0)[:, None],
        load_kw=other_kw + (prof.load_kw - other_kw) * load_scale,
    )
    return simulate_profiles(scenario, prof, assessed=False)


def true_flows(
    tables: dict[str | None, pd.DataFrame],
    mmap: MeterMap,
    scenario: object,
    *,
    soiling: float = SOILING,
    load_scale: float = LOAD_SCALE,
) -> pd.DataFrame:
    """The true hourly rate of every electric meter of the map [kW].

    With ``soiling=0`` and ``load_scale=1`` it is what the meters of the simulated year itself read
    (:mod:`lingtan.meters.calibrate` compares them with the measured ones).

    Parameters
    ----------
    tables : dict of str or None to pandas.DataFrame
        Hourly electric tables (:attr:`lingtan.twin.run.RunResult.hourly`) by tenant; ``None`` for the
        factory or the park bus.
    mmap : MeterMap
        The meter map; heat and gas meters are left out (the truth has no flows for them yet).
    scenario : Scenario or Park
        For the share of each PV array, wind farm and battery in its table's total (by capacity).
    soiling : float
        Share of the PV output lost to soiling in the truth [-].
    load_scale : float
        The true load over the simulated one [-].

    Returns
    -------
    pandas.DataFrame
        One column per electric meter, indexed by UTC hour start (naive).
    """
    tenants = {t.name: t for t in getattr(scenario, "tenants", [])}
    out = {}
    for m in mmap.meters:
        if FLOW_CARRIER[m.flow] != "electric":
            continue
        table = tables[m.tenant]
        series = _flows(table, soiling, load_scale)[m.flow]
        if m.flow in ASSET_LIST:
            where = tenants[m.tenant] if m.tenant else getattr(scenario, "shared", scenario)
            items = getattr(where, ASSET_LIST[m.flow])
            size = {"pv": "capacity_kwp", "wind": "count", "battery": "power_kw"}[ASSET_LIST[m.flow]]
            total = sum(getattr(a, size) for a in items)
            series = series * next(getattr(a, size) for a in items if a.name == m.asset) / total
        out[m.id] = series.to_numpy()
    index = next(iter(tables.values())).index.tz_convert("UTC").tz_localize(None)
    return pd.DataFrame(out, index=index)


def heat_truth(runs: dict[str | None, RunResult], mmap: MeterMap) -> pd.DataFrame:
    """The true hourly rate of every waste-heat meter of the map [kW_th], from simulated years.

    ``waste_heat_available`` reads the stream's available heat; a load's or condenser's rejected heat, which the
    heat table does not hold hour by hour, follows its site's electric load, scaled to the year's rejected heat of
    the heat KPIs (exact for a site whose only load rejects the heat). ``waste_heat_recovered`` reads the heat
    recovered from the stream, scaled to what the heat KPIs count as delivered to a demand (the store's and the
    network's losses spread over the hours in proportion): the sums of both meters over the year are the twin's
    own, so their rate is the simulated rate.

    Parameters
    ----------
    runs : dict of str or None to RunResult
        Simulated years by tenant (``None`` for a factory): their ``hourly``, ``hourly_heat`` and ``kpis["heat"]``.
    mmap : MeterMap
        The meter map; meters of other flows are left out.

    Returns
    -------
    pandas.DataFrame
        One column per waste-heat meter [kW_th], indexed by UTC hour start (naive); no column without such meters.
    """
    out = {}
    for m in mmap.meters:
        if m.flow not in WASTE_HEAT:
            continue
        run = runs[m.tenant]
        h, wanted = run.hourly_heat, m.flow == "waste_heat_available"
        if f"{m.asset}.available_kw_th" in h:
            shape = h[f"{m.asset}.available_kw_th" if wanted else f"{m.asset}.recovered_kw_th"].to_numpy()
        else:  # heat rejected by a load: the twin recovers none of it
            shape = run.hourly.load_kw.to_numpy() * wanted
        total = run.kpis["heat"][f"{m.flow}_e_kwh_th_by_stream"][m.asset]
        s = float(shape.sum())
        out[m.id] = shape * (total / s if s > 0 else 0.0)
    if not out:
        return pd.DataFrame()
    index = next(iter(runs.values())).hourly_heat.index.tz_convert("UTC").tz_localize(None)
    return pd.DataFrame(out, index=index)


@dataclass(frozen=True)
class Defects:
    """Defects to plant, each on a named meter (None: not planted).

    Parameters
    ----------
    gap_meter : str or None
        Gets a one-hour gap (interpolated later) and a two-day gap (left as a gap).
    stuck_meter : str or None
        Repeats one reading for six hours.
    unit_meter : str or None
        Written in W while the map says kW (a factor of 1000).
    shift_meter : str or None
        A PV meter whose clock runs one hour late.
    spike_meter : str or None
        One reading fifty times its value plus the meter's peak.
    reset_meter : str or None
        A counter meter that restarts at zero once.
    """

    gap_meter: str | None = None
    stuck_meter: str | None = None
    unit_meter: str | None = None
    shift_meter: str | None = None
    spike_meter: str | None = None
    reset_meter: str | None = None


def measured_year(
    truth: pd.DataFrame,
    mmap: MeterMap,
    defects: Defects,
    *,
    step_min: int = 15,
    tz: str = "Asia/Shanghai",
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Readings of every meter of ``truth``, in each meter's declared unit and quantity, with defects.

    Parameters
    ----------
    truth : pandas.DataFrame
        True hourly rates [kW] by meter (:func:`true_flows`), UTC hour starts.
    mmap : MeterMap
        Units, quantities and interval labels of the meters.
    defects : Defects
        Where to plant what.
    step_min : int
        Reading step [min], a divisor of 60.
    tz : str
        Time zone the timestamps are written in (with their offset).
    seed : int
        Seed of the noise and of where the defects fall.

    Returns
    -------
    readings : pandas.DataFrame
        Long: ``meter_id``, ``timestamp`` (ISO 8601 text with offset), ``value``.
    planted : pandas.DataFrame
        ``meter_id``, ``kind``, ``start`` and ``end`` (UTC) of each planted defect.
    """
    rng = np.random.default_rng(seed)
    per_hour = 60 // step_min
    step_h = step_min / 60
    starts = pd.date_range(truth.index[0], periods=len(truth) * per_hour, freq=f"{step_min}min")
    meters = mmap.by_id()
    parts, planted = [], []

    def plant(mid: str, kind: str, a: int, b: int) -> None:
        planted.append(
            {"meter_id": mid, "kind": kind, "start": starts[a], "end": starts[b - 1] + pd.Timedelta(minutes=step_min)}
        )

    n = len(starts)
    for mid in truth.columns:
        m = meters[mid]
        rate = np.repeat(truth[mid].to_numpy(), per_hour) * (1 + NOISE * rng.standard_normal(n))
        stamps = starts + (pd.Timedelta(minutes=step_min) if mmap.interval_label == "end" else pd.Timedelta(0))
        keep = np.ones(n, dtype=bool)
        if mid == defects.stuck_meter:
            a = int(np.flatnonzero(rate > np.percentile(rate, 50))[n // 3])
            b = a + int(6 / step_h)
            rate[a:b] = rate[a]
            plant(mid, "stuck", a, b)
        if mid == defects.spike_meter:
            a = n // 2 + 7
            rate[a] = 50 * rate[a] + rate.max()
            plant(mid, "spike", a, a + 1)
        if mid == defects.shift_meter:
            stamps = stamps + pd.Timedelta(hours=1)
            plant(mid, "time_shift", 0, n)
        factor = unit_factor(m.carrier, m.quantity, m.unit)
        value = rate / factor if m.quantity == "power" else rate * step_h / factor
        if m.quantity == "counter":
            value = 1000.0 + np.cumsum(value)
            if mid == defects.reset_meter:
                a = n // 4
                value[a:] -= value[a - 1]
                plant(mid, "counter_reset", a, a + 1)
        if mid == defects.unit_meter:
            value = value * 1000
            plant(mid, "unit_mistake", 0, n)
        if mid == defects.gap_meter:
            a = n // 5
            keep[a : a + per_hour] = False
            plant(mid, "short_gap", a, a + per_hour)
            b = n // 2 + 13 * per_hour
            keep[b : b + 48 * per_hour] = False
            plant(mid, "long_gap", b, b + 48 * per_hour)
        local = stamps[keep].tz_localize("UTC").tz_convert(tz)
        parts.append(
            pd.DataFrame({"meter_id": mid, "timestamp": local.strftime("%Y-%m-%dT%H:%M:%S%z"), "value": value[keep]})
        )
    return pd.concat(parts, ignore_index=True), pd.DataFrame(planted)
