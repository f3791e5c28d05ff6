"""Demand-response events: the kernel's import cap and preparation by hand, the event bookkeeping, a whole run."""

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from support.scenario_files import DEFAULT

from lingtan.components.demand_response import DemandResponse, event_caps, event_steps, response_kpis
from lingtan.twin.core.dispatch import FLOWS, STATES, dispatch, params_matrix
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import simulate


def tou_battery():
    # 100 kWh, 50 kW, lossless, empty at the start; tou_arbitrage, whose default periods neither charge nor
    # discharge in a flat hour: whatever it does below comes from the event.
    return params_matrix(
        1,
        energy_kwh=100,
        charge_kw=50,
        discharge_kw=50,
        charge_efficiency=1,
        discharge_efficiency=1,
        soc_min=0,
        soc_max=1,
        self_discharge_fraction_per_hour=0,
        soc_initial=0,
        import_limit_kw=1e9,
        export_limit_kw=0,
        strategy=1,
        load_scale=1,
    )


def run(**event):
    res = dispatch(
        np.zeros((1, 4)),
        np.ones((1, 1)),
        np.full(4, 100.0),
        tou_battery(),
        period=np.ones(4, int),
        month=np.zeros(4, int),
        price_cny_per_kwh=np.ones(4),
        record_hourly=True,
        **event,
    )
    return {name: res.hourly[:, i] for i, name in enumerate(FLOWS + STATES)}


def test_the_battery_prepares_then_holds_the_cap_by_hand():
    # Load 100 kW flat, no renewables. h0, h1 prepare under a cap of 150 kW: the battery charges
    # min(50 kW, 150 - 100) = 50 each hour (e = 50, 100). h2, h3 are event hours capped at 60 kW: it discharges
    # the 40 above the cap (e = 60, 20), and the grid gives 60.
    e = run(
        event_step=np.array([2, 3, 0, 1]),
        event_prep=np.array([True, True, False, False]),
        event_import_cap_kw=np.array([[60.0, 60.0, 150.0, 150.0]]),
    )
    np.testing.assert_allclose(e["grid_to_battery"], [50, 50, 0, 0], atol=1e-12)
    np.testing.assert_allclose(e["grid_to_load"], [100, 100, 60, 60], atol=1e-12)
    np.testing.assert_allclose(e["battery_e"], [50, 100, 60, 20], atol=1e-12)
    # A preparation cap at the load leaves no room to charge; without the arguments nothing moves at all.
    e = run(
        event_step=np.array([2, 3, 0, 1]),
        event_prep=np.array([True, True, False, False]),
        event_import_cap_kw=np.array([[60.0, 60.0, 100.0, 100.0]]),
    )
    np.testing.assert_allclose(e["grid_to_load"], [100, 100, 100, 100], atol=1e-12)
    e = run()
    assert e["grid_to_battery"].sum() == 0 and e["battery_grid_to_load"].sum() == 0


INDEX = pd.date_range("2025-07-15", periods=48, freq="h", tz="Asia/Shanghai")


def test_event_hours_preparation_and_caps():
    # Events at 10:00 for 2 h and at 13:00 for 1 h, 3 h of preparation: 07-09 prepare the first; 11-12 the
    # second (10 and 11 are the first's own hours; 12 is free). Caps: the baseline less the reduction in the
    # event hours, the baseline's July peak (900) while preparing.
    dr = DemandResponse(
        events=[
            {"start": "2025-07-15 10:00", "duration_h": 2, "reduction_kw": 100},
            {"start": "2025-07-15 13:00", "duration_h": 1, "reduction_kw": 500},
        ],
        price_cny_per_kwh=2.0,
        prepare_h=3,
    )
    event, prep = event_steps(INDEX, dr)
    assert list(np.flatnonzero(event >= 0)) == [10, 11, 13] and list(event[[10, 11, 13]]) == [0, 1, 2]
    assert list(np.flatnonzero(prep)) == [7, 8, 9, 12]
    base = np.full((1, 48), 400.0)
    peak = np.full((1, 12), 900.0)
    step, cap = event_caps(base, peak, event, prep, INDEX.month.to_numpy() - 1, dr)
    np.testing.assert_allclose(cap, [[300, 300, 0, 900, 900, 900, 900]])  # 400 - 500 is held at 0
    assert list(step[[7, 8, 9, 10, 11, 12, 13]]) == [3, 4, 5, 0, 1, 6, 2]
    # Delivered: baseline 400, import 330 and 300 in the first event, 0 in the second: 70 + 100 + 400 kWh,
    # short 30 + 100; revenue 2.0 CNY/kWh on what was delivered.
    imp = np.full(48, 400.0)
    imp[[10, 11, 13]] = [330.0, 300.0, 0.0]
    k = response_kpis(base[0], imp, event, dr)
    assert [x["delivered_e_kwh"] for x in k["events"]] == [170.0, 400.0]
    assert [x["met"] for x in k["events"]] == [False, False] and k["shortfall_e_kwh"] == 130.0
    assert k["revenue_cny"] == 2.0 * 570.0


@pytest.mark.parametrize(
    "start, why",
    [("2026-01-01 10:00", "within the year 2025"), ("2025-07-15 10:30", "on the hour")],
)
def test_an_event_outside_the_year_names_the_field(start, why):
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["demand_response"] = {"events": [{"start": start, "duration_h": 2, "reduction_kw": 100}], "price_cny_per_kwh": 1}
    with pytest.raises(Exception, match=rf"demand_response\.events\[0\]\.start.*{why}"):
        scenario_from_dict(d)


@pytest.fixture(scope="module")
def event_run():
    # The default factory (an 8 MWh, 4 MW battery) asked for 1 MW less at 19:00-21:00 on 15 July, a day ahead: its
    # load is flat from 06:00 to 22:00 at July's peak, so the battery fills in the night's base-load hours.
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["demand_response"] = {
        "events": [{"start": "2025-07-15 19:00", "duration_h": 2, "reduction_kw": 1000}],
        "price_cny_per_kwh": 3.0,
    }
    with_dr = simulate(scenario_from_dict(d), DEFAULT.parent)
    d.pop("demand_response")
    return with_dr, simulate(scenario_from_dict(d), DEFAULT.parent)


def test_a_year_with_an_event(event_run):
    # The event's import is its baseline less 1 MW (delivered, not more: load_following discharges to the
    # deficit, so more may come off); before the preparation the two years are the same hour for hour; the
    # revenue is 3 CNY per kWh delivered and the cost the bill's change.
    r, r0 = event_run
    imp = (r.hourly.grid_to_load_kw + r.hourly.grid_to_heat_kw + r.hourly.grid_to_battery_kw).to_numpy()
    imp0 = (r0.hourly.grid_to_load_kw + r0.hourly.grid_to_heat_kw + r0.hourly.grid_to_battery_kw).to_numpy()
    at = r.hourly.index.get_indexer(pd.date_range("2025-07-15 19:00", periods=2, freq="h", tz="Asia/Shanghai"))
    k = r.kpis["demand_response"]["events"][0]
    assert k["met"] and k["delivered_e_kwh"] == pytest.approx(2000.0, rel=1e-9)
    assert (imp[at] <= imp0[at] - 1000.0 + 1e-6).all()
    np.testing.assert_allclose(imp[: at[0] - 24], imp0[: at[0] - 24], atol=1e-9)
    assert r.kpis["demand_response"]["revenue_cny"] == pytest.approx(6000.0)
    bill, bill0 = r.kpis["grid_bill_cny"]["total_cny"], r0.kpis["grid_bill_cny"]["total_cny"]
    assert r.kpis["demand_response"]["bill_change_cny"] == pytest.approx(bill - bill0, rel=1e-9)
    # Preparing never lifts July's peak above the baseline's.
    july = r.hourly.index.month == 7
    assert imp[july].max() <= imp0[july].max() + 1e-6


def test_a_flexible_batch_leaves_the_event_hours():
    # A 500 kW, 2 h batch that may start 15:00-20:00: its cheapest start avoids 19:00-20:00 on the event day
    # (the compensation it would forgo), wherever it starts on the other days.
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["flexible_loads"] = [
        {"name": "batch", "p_kw": 500, "duration_h": 2, "earliest_start_h": 15, "latest_start_h": 20}
    ]
    d["demand_response"] = {
        "events": [{"start": "2025-07-15 18:00", "duration_h": 4, "reduction_kw": 100}],
        "price_cny_per_kwh": 50.0,
    }
    from lingtan.twin.run import build_profiles

    p = build_profiles(scenario_from_dict(copy.deepcopy(d)), DEFAULT.parent)
    day = p.index.get_indexer(pd.date_range("2025-07-15 15:00", periods=8, freq="h", tz="Asia/Shanghai"))
    assert list(p.flexible_kw["batch"][day]) == [500.0, 500.0, 0, 0, 0, 0, 0, 0]
