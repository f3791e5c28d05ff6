"""The quality check finds every defect planted in a measured year made from a simulated one (issue 18, point 6)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lingtan.meters.generate import LOAD_SCALE, SOILING, Defects, measured_year, true_flows
from lingtan.meters.quality import SHORT_GAP_H, MeterContext, check_meter, check_parents, check_store
from lingtan.meters.read import read_readings
from lingtan.meters.schema import load_meter_map
from lingtan.meters.store import Store, default_url
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
MAP = Path(__file__).with_name("hefei_map.yaml")
DEFECTS = Defects(
    gap_meter="M-GRID-IN",
    stuck_meter="M-GRID-IN",
    spike_meter="M-GRID-IN",
    unit_meter="M-BESS-C",
    shift_meter="M-PV",
    reset_meter="M-BESS-D",
)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The simulated run, the truth, what was planted and the quality check of the measured year."""
    scenario = load_scenario(SCENARIO)
    run = simulate(scenario, SCENARIO.parent)
    mmap = load_meter_map(MAP, scenario)
    truth = true_flows({None: run.hourly}, mmap, scenario)
    readings, planted = measured_year(truth, mmap, DEFECTS, seed=3)
    folder = tmp_path_factory.mktemp("measured")
    readings.to_csv(folder / "readings.csv", index=False)
    store = Store(default_url(folder / "meters.duckdb"))
    store.put_meters(mmap)
    store.put_readings(read_readings(folder / "readings.csv", mmap, scenario.site.timezone))
    result = check_store(store, scenario)
    store.close()
    return run, truth, planted, result


def test_truth_carries_the_soiling_and_the_extra_load(year):
    run, truth, _, _ = year
    assert truth["M-PV"].sum() == pytest.approx((1 - SOILING) * run.hourly.pv_kw.sum(), rel=1e-12)
    net = truth["M-GRID-IN"] - truth["M-GRID-OUT"]
    sim = (
        run.hourly.grid_to_load_kw
        + run.hourly.grid_to_heat_kw
        + run.hourly.grid_to_battery_kw
        - run.hourly.pv_to_grid_kw
    ).to_numpy()
    pv_used = (run.hourly.pv_to_load_kw + run.hourly.pv_to_heat_kw + run.hourly.pv_to_grid_kw).to_numpy()
    extra = (LOAD_SCALE - 1) * run.hourly.load_kw.to_numpy() + SOILING * pv_used
    np.testing.assert_allclose(net.to_numpy(), sim + extra, rtol=1e-12, atol=1e-9)


def test_every_planted_defect_is_found_on_its_meter_and_hours(year):
    _, _, planted, result = year
    f = result.findings
    assert len(planted) == 7
    for p in planted.itertuples():
        hits = f[(f.meter_id == p.meter_id) & (f.kind == p.kind) & (f.start_ts < p.end) & (f.end_ts > p.start)]
        assert len(hits) == 1, f"{p.kind} on {p.meter_id} at {p.start} not found:\n{f[f.meter_id == p.meter_id]}"
        if p.kind in ("short_gap", "long_gap", "stuck", "spike"):
            assert hits.iloc[0].start_ts == p.start and hits.iloc[0].end_ts == p.end


def test_nothing_is_found_where_nothing_was_planted(year):
    _, _, _, result = year
    f = result.findings
    assert f[f.meter_id == "M-GRID-OUT"].empty
    # a stuck run and a spike are removed, so they leave a long and a short gap; a counter's first interval
    # has no earlier reading, and the late PV meter's first hour is missing: nothing else
    expected = {
        ("M-GRID-IN", "long_gap"): 2,
        ("M-GRID-IN", "short_gap"): 2,
        ("M-GRID-IN", "stuck"): 1,
        ("M-GRID-IN", "spike"): 1,
        ("M-BESS-C", "unit_mistake"): 1,
        ("M-BESS-D", "counter_reset"): 1,
        ("M-BESS-D", "long_gap"): 1,
        ("M-PV", "time_shift"): 1,
        ("M-PV", "long_gap"): 1,
    }
    assert f.groupby(["meter_id", "kind"]).size().to_dict() == expected


def test_the_unit_mistake_is_undone_and_the_time_shift_named(year):
    _, truth, _, result = year
    h = result.hourly.pivot(index="hour", columns="meter_id", values="value")
    np.testing.assert_allclose(h["M-BESS-C"].to_numpy(), truth["M-BESS-C"].to_numpy(), rtol=0.03, atol=1.0)
    shift = result.findings[result.findings.kind == "time_shift"].iloc[0]
    assert "+1 h" in shift.detail and shift.hours == 8760


def test_gaps_are_filled_only_when_short_and_every_filled_hour_is_flagged(year):
    _, truth, planted, result = year
    h = result.hourly[result.hourly.meter_id == "M-GRID-IN"].set_index("hour")
    short = planted[(planted.kind == "short_gap")].iloc[0]
    filled = h.loc[short.start : short.end - pd.Timedelta(minutes=1)]
    assert (filled.flag == "interpolated").all() and filled.value.notna().all()
    # a straight line from the reading before the gap to the one after: its mean is theirs
    before, after = truth["M-GRID-IN"].loc[short.start - pd.Timedelta(hours=1)], truth["M-GRID-IN"].loc[short.end]
    assert filled.value.iloc[0] == pytest.approx((before + after) / 2, rel=0.05)
    long = planted[(planted.kind == "long_gap")].iloc[0]
    left = h.loc[long.start : long.end - pd.Timedelta(minutes=1)]
    assert len(left) == 48 and (left.flag == "gap").all() and left.value.isna().all()
    c = result.completeness().loc["M-GRID-IN"]
    stuck = planted[planted.kind == "stuck"].iloc[0]  # six hours, not on the hour: seven hours touched
    touched = len(pd.date_range(stuck.start.floor("1h"), (stuck.end - pd.Timedelta(minutes=1)).floor("1h"), freq="1h"))
    assert c.gap == 48 + touched and c.interpolated == 2  # the short gap and the removed spike
    assert c.completeness == pytest.approx((8760 - 48 - touched) / 8760)


def test_measured_hours_match_the_truth_within_the_noise(year):
    _, truth, _, result = year
    h = result.hourly[result.hourly.flag == "measured"].pivot(index="hour", columns="meter_id", values="value")
    # four readings with 1 % noise each: an hour's mean is within 5 standard deviations of 0.5 %
    for mid in ("M-GRID-IN", "M-GRID-OUT", "M-BESS-D"):
        t = truth[mid].reindex(h.index)
        ok = h[mid].notna()
        np.testing.assert_allclose(h[mid][ok], t[ok], rtol=0.025, atol=1e-6)


def _hours(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2025-06-01", periods=n, freq="1h")


def test_a_counter_rolling_over_is_told_from_one_restarting():
    meter = pd.Series(
        {"meter_id": "C", "flow": "tenant_supply", "quantity": "counter", "unit": "kWh", "counter_max": 1000.0}
    )
    ts = pd.date_range("2025-06-01", periods=9, freq="1h")
    # each reading closes its hour: 110, 120, 130 (rolling over at 1000), 140, 150, then a restart at 0: 20
    values = [700, 810, 930, 60, 200, 350, 20, 180, 350]
    result = check_meter(meter, pd.DataFrame({"ts": ts, "value": values}), ts)
    kinds = result.findings.set_index("kind")
    assert list(kinds.index) == ["counter_rollover", "counter_reset", "long_gap"]
    assert kinds.loc["counter_rollover", "start_ts"] == ts[3] and kinds.loc["counter_reset", "start_ts"] == ts[6]
    np.testing.assert_allclose(result.hourly.value.to_numpy()[1:], [110, 120, 130, 140, 150, 20, 160, 170])
    assert result.hourly.flag.iloc[0] == "gap"  # the first reading closes an hour whose start is unknown


def test_negative_readings_of_a_one_way_flow_are_removed_and_named():
    meter = pd.Series({"meter_id": "P", "flow": "pv", "quantity": "power", "unit": "kW", "counter_max": None})
    hours = _hours(24)
    values = 100 + 10 * np.sin(np.arange(24))
    values[10] = -50
    result = check_meter(meter, pd.DataFrame({"ts": hours, "value": values}), hours, MeterContext(capacity=200))
    neg = result.findings[result.findings.kind == "negative"]
    assert len(neg) == 1 and neg.iloc[0].start_ts == hours[10]
    assert result.hourly.flag.iloc[10] == "interpolated" and 1 <= SHORT_GAP_H


def test_a_meter_reading_mw_as_kw_is_scaled_up():
    meter = pd.Series({"meter_id": "G", "flow": "grid_import", "quantity": "power", "unit": "kW", "counter_max": None})
    hours = _hours(48)
    values = (3000 + 500 * np.sin(np.arange(48) / 3)) / 1000  # MW written where kW was declared
    result = check_meter(meter, pd.DataFrame({"ts": hours, "value": values}), hours, MeterContext(capacity=8000))
    assert list(result.findings.kind) == ["unit_mistake"]
    np.testing.assert_allclose(result.hourly.value, values * 1000)


def test_children_summing_above_their_parent_are_named_for_the_hours_they_do():
    hours = _hours(6)
    parent = [100, 100, 100, 100, 100, 100]
    a = [40, 40, 70, 70, 40, 40]
    b = [50, 50, 50, 50, 50, 50]
    rows = [
        pd.DataFrame({"meter_id": m, "hour": hours, "value": v, "flag": "measured"})
        for m, v in (("P", parent), ("A", a), ("B", b))
    ]
    meters = pd.DataFrame({"meter_id": ["P", "A", "B"], "parent": [None, "P", "P"]})
    f = check_parents(pd.concat(rows), meters)
    assert len(f) == 1 and f.iloc[0].meter_id == "P" and f.iloc[0].hours == 2
    assert f.iloc[0].start_ts == hours[2] and f.iloc[0].end_ts == hours[4]
