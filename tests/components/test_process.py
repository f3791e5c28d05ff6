"""Tests of lingtan.components.process: exact hourly integration, the simpy line model, reliability."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lingtan.components.process import (
    HeatDemand,
    ProductionLine,
    ShiftCalendar,
    WasteHeatStream,
    WeeklyWindow,
    running_fraction_per_hour,
    simulate_line,
)
from lingtan.errors import InputError

TZ = "Asia/Shanghai"


def _hours(start: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="h", tz=TZ)


def _t(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz=TZ)


# ---------------------------------------------------------------------------------------
# running_fraction_per_hour: hand-worked cases
# ---------------------------------------------------------------------------------------
def test_integration_breakdown_and_restart_hand_case():
    # Running 10:00-10:40, down, up again 12:15 until 14:00.
    idx = _hours("2025-03-10", 24)
    frac = running_fraction_per_hour(
        [(_t("2025-03-10 10:00"), _t("2025-03-10 10:40")), (_t("2025-03-10 12:15"), _t("2025-03-10 14:00"))], idx
    )
    expected = np.zeros(24)
    expected[10] = 40 / 60
    expected[11] = 0.0
    expected[12] = 45 / 60
    expected[13] = 1.0
    # integer-nanosecond arithmetic: equal, not merely close
    assert np.array_equal(frac, expected)


def test_integration_across_midnight():
    idx = _hours("2025-06-01", 48)
    frac = running_fraction_per_hour([("2025-06-01 23:30", "2025-06-02 00:30")], idx)  # naive = local time
    assert frac[23] == 0.5 and frac[24] == 0.5
    assert frac.sum() == 1.0


def test_integration_across_year_boundary():
    idx = _hours("2025-12-31", 48)
    frac = running_fraction_per_hour(
        pd.DataFrame({"start": [_t("2025-12-31 22:20")], "end": [_t("2026-01-01 01:10")]}), idx
    )
    assert frac[22] == 40 / 60
    assert frac[23] == 1.0 and frac[24] == 1.0
    assert frac[25] == 10 / 60
    assert np.isclose(frac.sum(), 2 + 50 / 60, rtol=0, atol=1e-12)


def test_integration_overlaps_count_once_outside_ignored_utc_converted():
    idx = _hours("2025-01-01", 24)
    frac = running_fraction_per_hour(
        [
            (_t("2025-01-01 01:00"), _t("2025-01-01 02:30")),
            (_t("2025-01-01 02:00"), _t("2025-01-01 03:00")),  # overlaps the first
            (_t("2024-12-31 22:00"), _t("2025-01-01 00:15")),  # starts before the index
            (_t("2025-01-01 23:45"), _t("2025-01-02 05:00")),  # ends after the index
            (pd.Timestamp("2025-01-01 04:00", tz="UTC"), pd.Timestamp("2025-01-01 04:30", tz="UTC")),  # 12:00 local
            (_t("2025-01-01 06:00"), _t("2025-01-01 05:00")),  # reversed: nothing
        ],
        idx,
    )
    assert frac[0] == 0.25
    assert frac[1] == 1.0 and frac[2] == 1.0
    assert frac[12] == 0.5
    assert frac[23] == 0.25
    assert frac[5] == 0.0
    assert frac.sum() == 0.25 + 2 + 0.5 + 0.25


def test_integration_empty_and_bad_index():
    idx = _hours("2025-01-01", 5)
    assert np.array_equal(running_fraction_per_hour([], idx), np.zeros(5))
    with pytest.raises(InputError):
        running_fraction_per_hour([], pd.date_range("2025-01-01", periods=5, freq="30min", tz=TZ))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-120, 72 * 60 + 120), st.integers(0, 600)), max_size=12))
def test_integration_matches_minute_brute_force(raw):
    """Against an independent count: intervals on whole minutes, coverage counted minute by minute."""
    idx = _hours("2025-12-31", 72)
    t0 = idx[0]
    pairs = [(t0 + pd.Timedelta(minutes=a), t0 + pd.Timedelta(minutes=a + d)) for a, d in raw]
    covered = np.zeros(72 * 60, dtype=bool)
    for a, d in raw:
        covered[max(a, 0) : max(min(a + d, 72 * 60), 0)] = True
    expected = covered.reshape(72, 60).sum(axis=1) / 60
    assert np.allclose(running_fraction_per_hour(pairs, idx), expected, rtol=0, atol=1e-15)


# ---------------------------------------------------------------------------------------
# Deterministic line behaviour (no breakdowns)
# ---------------------------------------------------------------------------------------
def _day_line(**kw) -> ProductionLine:
    base = dict(
        name="press",
        calendar=ShiftCalendar(shifts_per_day=1, shift_hours=8, first_shift_start_h=8, working_days_per_week=5),
        batch_duration_h=3.0,
        changeover_h=1.0,
        p_kw=400.0,
        p_idle_kw=40.0,
        heat_demands=(HeatDemand(name="wash", t_c=60, q_kw_th=100.0),),
        waste_heat=(
            WasteHeatStream(name="oil", kind="cooling_water", t_c=50, q_kw_th=30.0),
            WasteHeatStream(name="comp", kind="compressed_air_cooling", t_c=70, fraction_of_electric_input=0.5),
            WasteHeatStream(
                name="exh", kind="exhaust_air", t_c=90, t_return_c=40, fraction_of_heat_input=0.2, heat_demand="wash"
            ),
        ),
    )
    base.update(kw)
    return ProductionLine(**base)


def test_batches_changeovers_and_flows_hand_case():
    # Monday 2025-03-10, shift 08-16: run 08-11, changeover 11-12, run 12-15, changeover 15-16.
    idx = _hours("2025-03-10", 24 * 7)
    r = simulate_line(_day_line(), idx)
    day = slice(0, 24)
    run = np.zeros(24)
    run[[8, 9, 10, 12, 13, 14]] = 1.0
    assert np.array_equal(r.running_fraction[day], run)
    sched = np.zeros(24)
    sched[8:16] = 1.0
    assert np.array_equal(r.scheduled_fraction[day], sched)
    assert r.p_kw[9] == 400.0 and r.p_kw[11] == 40.0 and r.p_kw[15] == 40.0 and r.p_kw[3] == 0.0
    assert r.heat_demand_q_kw_th["wash"][9] == 100.0 and r.heat_demand_q_kw_th["wash"][11] == 0.0
    assert r.waste_heat_q_kw_th["oil"][9] == 30.0
    assert r.waste_heat_q_kw_th["comp"][9] == 200.0  # 0.5 x 400 kW
    assert r.waste_heat_q_kw_th["exh"][9] == 20.0  # 0.2 x 100 kW_th
    # Saturday and Sunday (days 5, 6) are off.
    assert r.running_fraction[24 * 5 :].sum() == 0.0 and r.p_kw[24 * 5 :].sum() == 0.0
    assert r.availability == pytest.approx(6 / 8, abs=1e-12)
    assert r.scheduled_hours == 40.0 and r.running_hours == pytest.approx(30.0, abs=1e-9)
    assert r.batches_completed == 10 and r.breakdowns == 0
    assert set(r.events["state"]) == {"running", "changeover"}


def test_batch_suspended_at_shift_end_resumes_next_shift():
    # 8 h shift, 5 h batches, no changeover: 08-13 batch 1, 13-16 part of batch 2, resumes 08-10 next day.
    idx = _hours("2025-03-10", 48)
    r = simulate_line(_day_line(batch_duration_h=5.0, changeover_h=0.0), idx)
    assert r.running_fraction[8:16].sum() == 8.0
    # batch 1: 08-13 day 1; batch 2: 13-16 day 1 + 08-10 day 2; batch 3: 10-15 day 2; batch 4 unfinished
    assert r.batches_completed == 3
    # with 4 h batches the same shifts complete exactly 2 per day
    assert simulate_line(_day_line(batch_duration_h=4.0, changeover_h=0.0), idx).batches_completed == 4
    second_day = r.events[(r.events["start"] >= _t("2025-03-11"))]
    assert second_day.iloc[0]["start"] == _t("2025-03-11 08:00")


def test_holidays_and_maintenance_remove_production():
    idx = _hours("2025-03-10", 24 * 14)
    line = _day_line(
        calendar=ShiftCalendar(
            shifts_per_day=1,
            shift_hours=8,
            first_shift_start_h=8,
            working_days_per_week=5,
            holidays=(dt.date(2025, 3, 11),),
        ),
        maintenance=((dt.datetime(2025, 3, 12, 10, 30), 2.0),),  # local 10:30-12:30 Wednesday
        weekly_maintenance=(WeeklyWindow(weekday=4, start_h=12, duration_h=4),),  # Fridays 12-16
    )
    r = simulate_line(line, idx)
    tue = slice(24, 48)
    assert r.scheduled_fraction[tue].sum() == 0.0 and r.p_kw[tue].sum() == 0.0
    wed = r.scheduled_fraction[48:72]
    assert wed[10] == 0.5 and wed[11] == 0.0 and wed[12] == 0.5
    fri = r.scheduled_fraction[96:120]
    assert fri[8:12].sum() == 4.0 and fri[12:16].sum() == 0.0
    # 2 weeks x 5 days x 8 h - Tuesday 8 h - 2 h - 2 Fridays x 4 h
    assert r.scheduled_hours == 80 - 8 - 2 - 8
    assert (r.events["state"] == "maintenance").sum() == 3
    assert np.all(r.running_fraction <= r.scheduled_fraction + 1e-12)


def test_night_shift_across_midnight_and_index_start():
    # 22:00-06:00 shifts Mon-Fri; 2025-01-01 is a Wednesday, so the Tuesday night shift of
    # 2024-12-31 reaches into the first six hours of the index.
    idx = _hours("2025-01-01", 48)
    line = _day_line(
        calendar=ShiftCalendar(shifts_per_day=1, shift_hours=8, first_shift_start_h=22),
        batch_duration_h=100.0,
        changeover_h=0.0,
    )
    r = simulate_line(line, idx)
    expected = np.zeros(48)
    expected[0:6] = 1.0
    expected[22:30] = 1.0
    expected[46:48] = 1.0
    assert np.array_equal(r.scheduled_fraction, expected)
    assert np.array_equal(r.running_fraction, expected)


# ---------------------------------------------------------------------------------------
# Breakdowns: reproducibility and consistency
# ---------------------------------------------------------------------------------------
YEAR = _hours("2025-01-01", 8760)


def _reliable_line(**kw) -> ProductionLine:
    base = dict(
        name="kiln",
        calendar=ShiftCalendar(shifts_per_day=2, shift_hours=8, first_shift_start_h=8),
        batch_duration_h=2.5,
        changeover_h=0.25,
        p_kw=800.0,
        p_idle_kw=100.0,
        heat_demands=(HeatDemand(name="dry", t_c=120, q_kw_th=500.0),),
        waste_heat=(WasteHeatStream(name="fg", kind="flue_gas", t_c=200, fraction_of_heat_input=0.3),),
        mtbf_h=60.0,
        mttr_h=5.0,
        seed=7,
    )
    base.update(kw)
    return ProductionLine(**base)


def test_seeded_runs_repeat_exactly_and_seeds_differ():
    line = _reliable_line()
    a, b = simulate_line(line, YEAR), simulate_line(line, YEAR)
    assert a.events.equals(b.events)
    assert np.array_equal(a.running_fraction, b.running_fraction) and np.array_equal(a.p_kw, b.p_kw)
    assert a.availability == b.availability
    c = simulate_line(line, YEAR, seed=8)
    assert not np.array_equal(a.running_fraction, c.running_fraction)
    assert a.availability != c.availability
    # the seed argument overrides the field
    d = simulate_line(line.model_copy(update={"seed": 8}), YEAR)
    assert np.array_equal(c.running_fraction, d.running_fraction)


def test_breakdown_results_are_consistent():
    r = simulate_line(_reliable_line(), YEAR)
    assert r.breakdowns > 0
    ev = r.events
    # the hourly running fraction is the exact integral of the logged running intervals
    assert np.array_equal(r.running_fraction, running_fraction_per_hour(ev[ev["state"] == "running"], YEAR))
    assert r.running_fraction.sum() == pytest.approx(r.running_hours, abs=1e-6)
    assert np.all((r.running_fraction >= 0) & (r.running_fraction <= r.scheduled_fraction + 1e-12))
    idle = r.scheduled_fraction - r.running_fraction
    assert np.allclose(r.p_kw, 800 * r.running_fraction + 100 * idle, atol=1e-9)
    assert np.allclose(r.waste_heat_q_kw_th["fg"], 0.3 * 500 * r.running_fraction)
    # breakdowns cut hours: some hours hold a partial running fraction other than the 0.5 of changeovers
    partial = r.running_fraction[(r.running_fraction > 0) & (r.running_fraction < 1)]
    assert np.any(~np.isclose(partial, 0.5) & ~np.isclose(partial, 0.75) & ~np.isclose(partial, 0.25))
    running = ev[ev["state"] == "running"]
    assert (running["end"] > running["start"]).all()
    assert r.availability < 1.0


def test_availability_converges_to_mtbf_over_mtbf_plus_mttr():
    """20 years of 24/7 operation, no changeovers, no maintenance.

    The line alternates up-times U (running hours to failure) and down-times D (repair),
    i.i.d. cycles, so the availability estimate is the ratio estimator
    A_hat = sum(U) / sum(U + D) -> A = m / (m + r), m = MTBF, r = MTTR (renewal-reward).
    By the delta method over n cycles,
        Var(A_hat) ~= (r^2 Var(U) + m^2 Var(D)) / (n (m + r)^4),
    with n ~= T / (m + r) cycles in T hours. Exponential: Var(U) = m^2, Var(D) = r^2.
    Weibull(k) with mean mu: Var = mu^2 (G(1 + 2/k) / G(1 + 1/k)^2 - 1).
    Tolerance: 4 standard errors (a correct model fails with probability ~6e-5 for a
    random seed) plus one mean cycle length / T for the cycle cut by the end of the run
    (a deterministic end effect of at most one cycle, not a random error).
    """
    idx = pd.date_range("2025-01-01", periods=20 * 8760, freq="h", tz=TZ)
    cal = ShiftCalendar(shifts_per_day=3, shift_hours=8, first_shift_start_h=0, working_days_per_week=7)
    m, r = 100.0, 10.0
    T = float(len(idx))
    n = T / (m + r)

    def check(line: ProductionLine, var_u: float, var_d: float):
        res = simulate_line(line, idx)
        assert res.scheduled_hours == T
        se = math.sqrt((r**2 * var_u + m**2 * var_d) / (n * (m + r) ** 4))
        tol = 4 * se + (m + r) / T
        assert abs(res.availability - m / (m + r)) < tol, (res.availability, m / (m + r), tol)
        # the breakdown count is Poisson-like too: n +- 4 sqrt(n) (exponential up-times)
        return res

    expo = ProductionLine(name="x", calendar=cal, batch_duration_h=24.0, p_kw=1.0, mtbf_h=m, mttr_h=r, seed=2025)
    res = check(expo, m**2, r**2)
    assert abs(res.breakdowns - n) < 4 * math.sqrt(n) + 1

    k = 2.0
    cv2 = math.gamma(1 + 2 / k) / math.gamma(1 + 1 / k) ** 2 - 1
    weib = expo.model_copy(update={"failure_distribution": "weibull", "failure_shape": k, "seed": 11})
    check(weib, cv2 * m**2, r**2)


# ---------------------------------------------------------------------------------------
# Parameter validation
# ---------------------------------------------------------------------------------------
def test_parameter_validation():
    with pytest.raises(ValidationError):
        WasteHeatStream(name="w", kind="flue_gas", t_c=200, q_kw_th=10, fraction_of_electric_input=0.1)
    with pytest.raises(ValidationError):
        WasteHeatStream(name="w", kind="flue_gas", t_c=200)
    with pytest.raises(ValidationError):
        WasteHeatStream(name="w", kind="steam", t_c=200, q_kw_th=1)
    with pytest.raises(ValidationError):
        WasteHeatStream(name="w", kind="flue_gas", t_c=100, t_return_c=120, q_kw_th=1)
    with pytest.raises(ValidationError):
        _day_line(mtbf_h=100.0)  # mttr missing
    with pytest.raises(ValidationError):
        _day_line(
            waste_heat=(
                WasteHeatStream(name="e", kind="exhaust_air", t_c=90, fraction_of_heat_input=0.2, heat_demand="nope"),
            )
        )
    with pytest.raises(ValidationError):
        ShiftCalendar(shifts_per_day=3, shift_hours=9)
    with pytest.raises(ValidationError):
        _day_line(unknown_key=1)
    line = _day_line()
    with pytest.raises(ValidationError):
        line.p_kw = 3.0  # frozen


def test_leap_year_index_without_29_february_is_exact():
    # The weather year keeps 8760 hours by dropping 29 February of a leap year; a line running all day on
    # 28 February and 1 March must count exactly one hour per hour there, not 25 in the hour before the gap.
    from lingtan.components.process import running_fraction_per_hour

    idx = pd.date_range("2024-02-28", "2024-03-02", freq="h", tz="Asia/Shanghai", inclusive="left")
    idx = idx[(idx.month != 2) | (idx.day != 29)]
    f = running_fraction_per_hour([("2024-02-28 00:00", "2024-03-02 00:00")], idx)
    assert len(f) == 48 and np.all(f == 1.0)
