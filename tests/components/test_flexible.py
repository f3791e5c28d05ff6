"""Flexible loads: hand-worked starts of a daily batch, and a whole run."""

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from support.scenario_files import DEFAULT

from lingtan.components.flexible import ShiftableBatch, batch_load_kw, batch_starts, flexible_kpis
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import build_profiles, simulate

# Two days, Monday and Tuesday 2025-01-06/07.
INDEX = pd.date_range("2025-01-06", periods=48, freq="h", tz="Asia/Shanghai")
BATCH = dict(name="dryer", p_kw=100.0, duration_h=2, earliest_start_h=6, latest_start_h=14)


def test_cheapest_start_takes_the_surplus_then_the_lowest_price():
    # Day 1: a renewable surplus of 100 kW at 11-12 h: starting at 11 buys nothing -> start 11 (step 11).
    # Day 2: no surplus; price 1.0 except 0.5 at 8-9 h -> start 8 (step 24 + 8 = 32): 2 h x 100 kW x 0.5.
    net = np.full(48, 50.0)
    net[11:13] = -100.0
    price = np.ones(48)
    price[32:34] = 0.5
    starts = batch_starts(ShiftableBatch(**BATCH), INDEX, net, price, np.full(48, np.inf))
    assert list(starts) == [11, 32]
    load = batch_load_kw(ShiftableBatch(**BATCH), starts, 48)
    assert load.sum() == 400.0 and load[[11, 12, 32, 33]].tolist() == [100.0] * 4
    # A part surplus: 60 kW spare at 11 h only -> start 10 buys 100 + 40, start 11 buys 40 + 100: equal cost
    # with equal prices -> the earliest, 10 (start 6 buys 200).
    net = np.full(48, 50.0)
    net[11] = -60.0
    assert batch_starts(ShiftableBatch(**BATCH), INDEX, net, np.ones(48), np.full(48, np.inf))[0] == 10


def test_the_demand_target_and_no_shift():
    # Net load 50 kW, target 120 kW: a 100 kW batch would lift import to 150 at any hour but 13-14, where the
    # net load is 10 kW -> start 13 though the price is higher there (2.0 against 1.0).
    net = np.full(48, 50.0)
    net[13:15] = 10.0
    price = np.ones(48)
    price[13:15] = 2.0
    starts = batch_starts(ShiftableBatch(**BATCH), INDEX, net, price, np.full(48, 120.0))
    assert starts[0] == 13
    # Every start over the target (target 20): the cheapest of them, 6.
    assert batch_starts(ShiftableBatch(**BATCH), INDEX, net, price, np.full(48, 20.0))[0] == 6
    fixed = ShiftableBatch(**BATCH, shift="none")
    assert list(batch_starts(fixed, INDEX, net, price, np.full(48, np.inf))) == [6, 30]


def test_working_days_and_the_window_rule():
    # 2025-01-11 is a Saturday: with 5 days a week, a week of steps from Monday holds 5 runs.
    index = pd.date_range("2025-01-06", periods=7 * 24, freq="h", tz="Asia/Shanghai")
    b = ShiftableBatch(**BATCH, days_per_week=5, shift="none")
    assert len(batch_starts(b, index, np.zeros(168), np.ones(168), np.full(168, np.inf))) == 5
    with pytest.raises(ValueError, match="latest_start_h"):
        ShiftableBatch(**dict(BATCH, latest_start_h=29))  # 29 + 2 > 6 + 24
    with pytest.raises(ValueError, match="latest_start_h"):
        ShiftableBatch(**dict(BATCH, latest_start_h=5))
    by = flexible_kpis({"dryer": np.array([100.0, 100.0, 0.0])}, np.array([0, 2, 1]))["dryer"]
    assert by == {"e_kwh": 200.0, "e_kwh_valley": 100.0, "e_kwh_flat": 0.0, "e_kwh_peak": 100.0, "e_kwh_critical": 0.0}


def test_a_year_with_a_shifted_batch():
    # The default factory with a 300 kW, 3 h batch that may run from 06:00 to 15:00 every day: its energy is
    # 300 x 3 x 365 in every run; shifted, less of it falls in the peak and critical hours than at 06:00.
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    runs = {}
    for shift in ("none", "cheapest"):
        d = copy.deepcopy(data)
        d["flexible_loads"] = [dict(BATCH, name="batch", p_kw=300.0, duration_h=3, latest_start_h=15, shift=shift)]
        runs[shift] = simulate(scenario_from_dict(d), DEFAULT.parent)
    base = simulate(scenario_from_dict(data), DEFAULT.parent)
    for r in runs.values():
        k = r.kpis["flexible_loads"]["batch"]
        assert k["e_kwh"] == pytest.approx(300 * 3 * 365, rel=1e-12)
        assert r.kpis["load_e_kwh"] - base.kpis["load_e_kwh"] == pytest.approx(300 * 3 * 365, rel=1e-9)
    dear = {s: sum(runs[s].kpis["flexible_loads"]["batch"][f"e_kwh_{p}"] for p in ("peak", "critical")) for s in runs}
    assert dear["cheapest"] < dear["none"]
    assert (
        runs["cheapest"].kpis["grid_bill_cny"]["energy_charge_cny"]
        < runs["none"].kpis["grid_bill_cny"]["energy_charge_cny"]
    )
    prof = build_profiles(scenario_from_dict(d), DEFAULT.parent)
    assert prof.flexible_kw["batch"].sum() == pytest.approx(300 * 3 * 365)


def test_the_window_error_names_the_field():
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["flexible_loads"] = [dict(BATCH, latest_start_h=40)]
    with pytest.raises(Exception, match=r"flexible_loads\[0\]\.latest_start_h"):
        scenario_from_dict(d)
