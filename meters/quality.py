"""The data-quality check: every finding with its meter and hours, an hourly table, completeness.

Readings become a rate in the carrier's canonical unit (kW, kW_th, m3/h) at the meter's own step, are
checked there, then averaged to hours. Short gaps (at most :data:`SHORT_GAP_H`) are interpolated and
flagged ``interpolated``; longer ones stay gaps, flagged ``gap``, for the calibrated twin to fill
(issue 18, point 4: not done here). Invalid readings (stuck, spikes, negative where impossible) are
removed first and so become gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lingtan.errors import InputError
from lingtan.meters.schema import FLOW_CARRIER, unit_factor

# Longest gap filled by linear interpolation [h]: two hours keep a load's shape (shifts change on the hour).
SHORT_GAP_H = 2.0
# Identical non-zero readings for this long are a stuck meter [h]: a metered flow with a real 0.1 %
# noise never repeats a value to the last digit for three hours.
STUCK_H = 3.0
# A spike rises above the centred two-hour rolling median by more than SPIKE_RISE times the meter's 99th
# percentile, for at most SPIKE_MAX_H [h]. A flow that steps from zero to its top for one hour (a battery
# charging) rises by one 99th percentile against that median, so the rise must be at least twice it.
SPIKE_RISE = 2.0
SPIKE_MAX_H = 0.5
# A meter's 99th percentile above this multiple of its asset's capacity (or its parent's) is a unit
# mistake (W read as kW reads 1000 times too high); below capacity / UNIT_LOW_RATIO too low (MW as kW).
UNIT_HIGH_RATIO = 10.0
UNIT_LOW_RATIO = 200.0
# A PV meter's generation-weighted mean hour more than this from solar noon is shifted in time [h]
# (the equation of time moves solar noon by at most 0.27 h).
SHIFT_TOLERANCE_H = 0.5
SHIFT_MIN_DAYS = 7  # days of readings a month needs for the test [d]
# Children summing above their parent by more than this share (plus a 1 kW floor) disagree with it.
PARENT_TOLERANCE = 0.02
FINDING_COLUMNS = ["meter_id", "kind", "start_ts", "end_ts", "hours", "detail"]


@dataclass(frozen=True)
class MeterContext:
    """What the check knows of a meter beyond its readings.

    Parameters
    ----------
    capacity : float or None
        The largest rate the metered asset can carry, canonical unit [kW, kW_th, m3/h]; None if unknown.
    longitude_deg : float or None
        Site longitude [deg east], for the solar-noon test of PV meters.
    """

    capacity: float | None = None
    longitude_deg: float | None = None


@dataclass
class QualityResult:
    """Outcome of :func:`check_store` or :func:`check_meter`.

    Parameters
    ----------
    hourly : pandas.DataFrame
        ``meter_id, hour, value, flag``: hourly mean rate [canonical unit], flag measured/interpolated/gap.
    findings : pandas.DataFrame
        ``meter_id, kind, start_ts, end_ts, hours, detail``, times in UTC.
    """

    hourly: pd.DataFrame
    findings: pd.DataFrame

    def completeness(self) -> pd.DataFrame:
        """Share of hours of each meter measured, and measured or interpolated.

        Returns
        -------
        pandas.DataFrame
            Index meter_id; columns ``hours``, ``measured``, ``interpolated``, ``gap`` (hours) and
            ``completeness`` (share measured or interpolated, 0..1).
        """
        counts = self.hourly.groupby(["meter_id", "flag"]).size().unstack(fill_value=0)
        for flag in ("measured", "interpolated", "gap"):
            if flag not in counts:
                counts[flag] = 0
        out = counts[["measured", "interpolated", "gap"]].copy()
        out.insert(0, "hours", out.sum(axis=1))
        out["completeness"] = (out.measured + out.interpolated) / out.hours
        return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of each run of True."""
    m = np.concatenate(([False], mask, [False])).astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def _finding(
    meter_id: str, kind: str, index: pd.DatetimeIndex, start: int, stop: int, step_h: float, detail: str
) -> dict:
    return {
        "meter_id": meter_id,
        "kind": kind,
        "start_ts": index[start],
        "end_ts": index[stop - 1] + pd.Timedelta(hours=step_h),
        "hours": (stop - start) * step_h,
        "detail": detail,
    }


def _rate(meter: pd.Series, readings: pd.DataFrame, step_min: float, out: list) -> pd.Series:
    """Readings as a rate [canonical unit] on a regular grid at the meter's step; counters differenced."""
    carrier = FLOW_CARRIER[meter.flow]
    factor = unit_factor(carrier, meter.quantity, meter.unit)
    ts = pd.DatetimeIndex(readings["ts"])
    values = readings["value"].to_numpy(dtype=float)
    step = pd.Timedelta(minutes=step_min)
    grid = pd.date_range(ts[0], ts[-1], freq=step)
    step_h = step_min / 60
    if meter.quantity == "power":
        return pd.Series(values * factor, index=ts).reindex(grid)
    if meter.quantity == "energy":
        return pd.Series(values * factor / step_h, index=ts).reindex(grid)
    ok = ~np.isnan(values)
    ts, values = ts[ok], values[ok]
    delta = np.diff(values)
    for i in np.flatnonzero(delta < 0):
        top = meter.counter_max
        if top is not None and not np.isnan(top) and values[i] > 0.5 * top:
            delta[i] += top
            kind, detail = "counter_rollover", f"rolled over at {values[i]:g} {meter.unit} (counter_max {top:g})"
        else:
            delta[i] = values[i + 1]
            kind, detail = "counter_reset", f"fell from {values[i]:g} to {values[i + 1]:g} {meter.unit}: restarted at 0"
        k = grid.get_loc(ts[i + 1])
        out.append(_finding(meter.meter_id, kind, grid, k, k + 1, step_h, detail))
    # a counter's reading closes its interval (ts is the interval's start): the advance between two readings
    # belongs to the intervals after the first up to the second, spread evenly (exact in total)
    pos = np.asarray(grid.get_indexer(ts))
    rate = np.full(len(grid), np.nan)
    for a, b, d in zip(pos[:-1], pos[1:], delta, strict=True):
        rate[a + 1 : b + 1] = d * factor / ((b - a) * step_h)
    return pd.Series(rate, index=grid)


def check_meter(
    meter: pd.Series, readings: pd.DataFrame, hours: pd.DatetimeIndex, context: MeterContext = MeterContext()
) -> QualityResult:
    """Check one meter's readings and average them to hours.

    Parameters
    ----------
    meter : pandas.Series
        The meter's row of the store's ``meters`` table (``meter_id``, ``flow``, ``quantity``, ``unit``,
        ``counter_max`` ...).
    readings : pandas.DataFrame
        Its readings: ``ts`` (UTC interval start), ``value`` (declared unit), in time order.
    hours : pandas.DatetimeIndex
        The hours the result covers (UTC, hour starts); hours without readings are gaps.
    context : MeterContext
        Capacity and site longitude, when known.

    Returns
    -------
    QualityResult
        Its hourly table and findings.
    """
    mid = meter.meter_id
    out: list[dict] = []
    step_min = float(readings["ts"].diff().dt.total_seconds().median() / 60)
    step_h = step_min / 60
    rate = _rate(meter, readings, step_min, out)
    # extend to the whole period so that missing head and tail count as gaps
    grid = pd.date_range(
        hours[0], hours[-1] + pd.Timedelta(hours=1), freq=pd.Timedelta(minutes=step_min), inclusive="left"
    )
    rate = rate.reindex(grid.union(rate.index)).reindex(grid)
    index = rate.index
    r = rate.to_numpy(copy=True)
    finite = r[~np.isnan(r)]
    p99 = float(np.percentile(np.abs(finite), 99)) if len(finite) else 0.0
    if context.capacity and np.isfinite(context.capacity) and p99 > 0:
        ratio = p99 / context.capacity
        # export and battery meters may idle for a month: only a flow that always runs can read too low
        low = meter.flow in ("pv", "grid_import", "tenant_supply") and ratio < 1 / UNIT_LOW_RATIO
        if ratio > UNIT_HIGH_RATIO or low:
            power = round(np.log10(ratio) / 3) * 3
            fix = 10.0**-power
            detail = (
                f"99th percentile {p99:.4g} against a capacity of {context.capacity:.4g}: "
                f"readings {10.0 ** abs(power):g} times too {'high' if power > 0 else 'low'} (a unit mistake, "
                f"e.g. {'W as kW' if power > 0 else 'MW as kW'}); scaled by {fix:g}"
            )
            if power != 0:
                r = r * fix
                finite = finite * fix
                p99 = p99 * fix
                out.append(_finding(mid, "unit_mistake", index, 0, len(index), step_h, detail))
    bad = np.zeros(len(r), dtype=bool)
    scale = max(p99, 1e-9)
    negative = r < -1e-3 * scale
    for a, b in _runs(negative):
        out.append(
            _finding(mid, "negative", index, a, b, step_h, f"a {meter.flow} flow below zero ({np.nanmin(r[a:b]):.4g})")
        )
    bad |= negative
    same = np.concatenate(([False], np.diff(r) == 0)) & (r != 0)
    for a, b in _runs(same):
        a -= 1  # the first of the repeated values
        if (b - a) * step_h >= STUCK_H:
            out.append(_finding(mid, "stuck", index, a, b, step_h, f"the same value {r[a]:.6g} repeated {b - a} times"))
            bad[a:b] = True
    window = max(3, int(round(2 / step_h)) | 1)
    median = pd.Series(r).rolling(window, center=True, min_periods=1).median().to_numpy()
    high = (r - median) > SPIKE_RISE * scale
    for a, b in _runs(high):
        if (b - a) * step_h <= SPIKE_MAX_H:
            out.append(
                _finding(
                    mid,
                    "spike",
                    index,
                    a,
                    b,
                    step_h,
                    f"{np.nanmax(r[a:b]):.4g} against a local median of {np.nanmedian(median[a:b]):.4g}",
                )
            )
            bad[a:b] = True
    r[bad] = np.nan
    if meter.flow == "pv" and context.longitude_deg is not None:
        out += _time_shift(mid, pd.Series(r, index=index), context.longitude_deg, step_h)
    missing = np.isnan(r)
    filled = pd.Series(r, index=index)
    interpolated = np.zeros(len(r), dtype=bool)
    for a, b in _runs(missing):
        hrs = (b - a) * step_h
        if hrs <= SHORT_GAP_H and a > 0 and b < len(r):
            filled.iloc[a:b] = np.interp(np.arange(a, b), [a - 1, b], [r[a - 1], r[b]])
            interpolated[a:b] = True
            out.append(_finding(mid, "short_gap", index, a, b, step_h, "interpolated linearly, flagged"))
        else:
            out.append(_finding(mid, "long_gap", index, a, b, step_h, "left as a gap for the calibrated twin"))
    per_hour = filled.resample("1h").mean().reindex(hours)
    n_gap = pd.Series(np.isnan(filled.to_numpy()), index=index).resample("1h").sum().reindex(hours, fill_value=1)
    n_int = pd.Series(interpolated, index=index).resample("1h").sum().reindex(hours, fill_value=0)
    flag = np.where(n_gap.to_numpy() > 0, "gap", np.where(n_int.to_numpy() > 0, "interpolated", "measured"))
    value = np.where(flag == "gap", np.nan, per_hour.to_numpy())
    hourly = pd.DataFrame({"meter_id": mid, "hour": hours, "value": value, "flag": flag})
    return QualityResult(hourly, pd.DataFrame(out, columns=FINDING_COLUMNS))


def _time_shift(mid: str, rate: pd.Series, longitude_deg: float, step_h: float) -> list[dict]:
    """Months in which a PV meter's generation centres away from solar noon (a clock or DST shift)."""
    noon_utc_h = 12.0 - longitude_deg / 15.0
    out = []
    frame = rate.clip(lower=0).to_frame("p")
    frame["h"] = frame.index.hour + frame.index.minute / 60 + step_h / 2
    months = []
    for month, part in frame.groupby(frame.index.to_period("M")):
        w = part["p"].fillna(0)
        # a month's few hours at the edge of the data (a morning only) would centre anywhere
        if w.sum() <= 0 or part["p"].notna().sum() * step_h < SHIFT_MIN_DAYS * 24:
            continue
        # circular mean hour, so that a noon near 0 h UTC (east of 165 E) still averages right
        angle = np.angle(np.sum(w * np.exp(2j * np.pi * part["h"] / 24)))
        offset = (angle * 24 / (2 * np.pi) - noon_utc_h + 12) % 24 - 12
        months.append((month, offset))
    # consecutive months shifted by the same whole hours make one finding
    runs: list[list] = []
    for month, offset in months:
        shift = round(offset) if abs(offset) > SHIFT_TOLERANCE_H else 0
        if runs and shift and runs[-1][2] == shift and runs[-1][1] + 1 == month:
            runs[-1][1] = month
            runs[-1][3].append(offset)
        elif shift:
            runs.append([month, month, shift, [offset]])
    for first, last, shift, offsets in runs:
        start, end = first.start_time, (last + 1).start_time
        out.append(
            {
                "meter_id": mid,
                "kind": "time_shift",
                "start_ts": start,
                "end_ts": end,
                "hours": (end - start) / pd.Timedelta(hours=1),
                "detail": f"generation centres {np.mean(offsets):+.2f} h from solar noon: timestamps shifted "
                f"by about {shift:+d} h (time zone or daylight saving)",
            }
        )
    return out


def check_parents(hourly: pd.DataFrame, meters: pd.DataFrame) -> pd.DataFrame:
    """Hours in which a parent meter reads less than the meters below it.

    Parameters
    ----------
    hourly : pandas.DataFrame
        The hourly table of every meter (:class:`QualityResult`).
    meters : pandas.DataFrame
        The store's meter table (``meter_id``, ``parent``).

    Returns
    -------
    pandas.DataFrame
        Findings of kind ``exceeds_parent``, one per run of hours, on the parent meter.
    """
    wide = hourly.pivot(index="hour", columns="meter_id", values="value")
    out = []
    children = meters.dropna(subset=["parent"]).groupby("parent")["meter_id"].apply(list)
    for parent, kids in children.items():
        total = wide[kids].sum(axis=1, min_count=len(kids))
        p = wide[parent]
        over = (total > p * (1 + PARENT_TOLERANCE) + 1.0).to_numpy()
        for a, b in _runs(over):
            out.append(
                _finding(
                    parent,
                    "exceeds_parent",
                    wide.index,
                    a,
                    b,
                    1.0,
                    f"{', '.join(kids)} sum to {total.iloc[a:b].mean():.4g} against {p.iloc[a:b].mean():.4g}",
                )
            )
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


def capacity_of(meter: pd.Series, scenario: object) -> float | None:
    """The largest rate the metered asset can carry [kW], from the scenario; None where it says none.

    Parameters
    ----------
    meter : pandas.Series
        A row of the store's ``meters`` table.
    scenario : Scenario or Park
        The scenario.

    Returns
    -------
    float or None
        PV capacity [kWp], battery power, or the connection's import or export limit [kW].
    """
    tenants = {t.name: t for t in getattr(scenario, "tenants", [])}
    tenant = tenants.get(meter.tenant) if isinstance(meter.tenant, str) else None
    where = tenant if tenant is not None else getattr(scenario, "shared", scenario)
    if meter.flow == "pv":
        return next((a.capacity_kwp for a in where.pv if a.name == meter.asset), None)
    if meter.flow in ("battery_charge", "battery_discharge"):
        return next((b.power_kw for b in where.battery if b.name == meter.asset), None)
    grid = tenant.connection if tenant is not None else scenario.grid  # type: ignore[attr-defined]
    if meter.flow in ("grid_import", "tenant_supply"):
        return grid.import_limit_kw
    if meter.flow == "grid_export":
        return getattr(grid, "export_limit_kw", None)
    return None


def check_store(store: object, scenario: object) -> QualityResult:
    """Check every meter of a store, write its hourly table and findings back, and return them.

    Parameters
    ----------
    store : lingtan.meters.store.Store
        The meter store, with meters and readings imported.
    scenario : Scenario or Park
        The scenario the meters belong to (capacities, site longitude).

    Returns
    -------
    QualityResult
        Every meter's hours over the span of all readings, and every finding.

    Raises
    ------
    InputError
        When the store holds no readings.
    """
    meters = store.meters()  # type: ignore[attr-defined]
    spans = store.spans()  # type: ignore[attr-defined]
    spans = spans[spans.n > 1]
    if spans.empty:
        raise InputError(None, "--db", "a store holding readings (twin meters import first)", "none")
    # the period most meters cover: one meter running late or early does not stretch everyone's gaps
    first = spans.first_ts.median().floor("1h")
    last = spans.last_ts.median().floor("1h")
    hours = pd.date_range(first, last, freq="1h")
    lon = scenario.site.longitude  # type: ignore[attr-defined]
    results = []
    for _, meter in meters.iterrows():  # one meter's readings in memory at a time
        if meter.meter_id not in spans.index:
            empty = pd.DataFrame({"meter_id": meter.meter_id, "hour": hours, "value": np.nan, "flag": "gap"})
            note = pd.DataFrame([_finding(meter.meter_id, "long_gap", hours, 0, len(hours), 1.0, "no readings")])
            results.append(QualityResult(empty, note))
            continue
        context = MeterContext(capacity_of(meter, scenario), lon)
        results.append(check_meter(meter, store.readings(meter.meter_id), hours, context))  # type: ignore[attr-defined]
    hourly = pd.concat([r.hourly for r in results], ignore_index=True)
    parts = [r.findings for r in results] + [check_parents(hourly, meters)]
    findings = pd.concat([f for f in parts if len(f)], ignore_index=True) if any(len(f) for f in parts) else parts[-1]
    findings = findings.sort_values(["meter_id", "kind", "start_ts"], kind="stable").reset_index(drop=True)
    store.replace_results(hourly, findings)  # type: ignore[attr-defined]
    return QualityResult(hourly, findings)
