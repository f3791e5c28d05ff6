"""Demand-response events: the kernel's import cap and preparation by hand, the event bookkeeping, a whole run."""

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from support.scenario_files import DEFAULT

from lingtan.components.demand_response import DemandResponse, event_caps, event_hours, event_steps, response_kpis
from lingtan.twin.core.dispatch import FLOWS, STATES, dispatch, params_matrix
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import simulate


def tou_battery(n=1):
    # 100 kWh, 50 kW, lossless, empty at the start; tou_arbitrage, whose default periods neither charge nor
    # discharge in a flat hour: whatever it does below comes from the event.
    return params_matrix(
        n,
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


def test_the_kernel_records_each_configurations_import_in_the_capped_steps_by_hand():
    # The hours above, two configurations side by side (the vectorised kernel): caps of 60 kW in the event hours
    # h2, h3 (columns 0, 1) and 150 kW while preparing h0, h1 (columns 2, 3) for the first, none in the event
    # hours and 120 kW while preparing for the second. First: charges 50 (import 150), then discharges the 40
    # above 60 (import 60). Second: charges min(50, 120 - 100) = 20 (import 120), then no cap, no discharge in a
    # flat hour (import 100). The record holds the import of the step that reads each column.
    events = dict(
        event_step=np.array([2, 3, 0, 1]),
        event_prep=np.array([True, True, False, False]),
        event_import_cap_kw=np.array([[60.0, 60.0, 150.0, 150.0], [np.inf, np.inf, 120.0, 120.0]]),
    )
    common = dict(period=np.ones(4, int), month=np.zeros(4, int), price_cny_per_kwh=np.ones(4))
    res = dispatch(np.zeros((1, 4)), np.ones((2, 1)), np.full(4, 100.0), tou_battery(2), **common, **events)
    np.testing.assert_allclose(res.event_import_kw, [[60, 60, 150, 150], [100, 100, 120, 120]], atol=1e-12)
    # Each alone in a single run (the serial kernel) records the same, its hourly import at the capped steps.
    for n in range(2):
        one = dict(events, event_import_cap_kw=events["event_import_cap_kw"][n : n + 1])
        r = dispatch(
            np.zeros((1, 4)), np.ones((1, 1)), np.full(4, 100.0), tou_battery(), record_hourly=True, **common, **one
        )
        imp = r.hourly[:, FLOWS.index("grid_to_load")] + r.hourly[:, FLOWS.index("grid_to_battery")]
        np.testing.assert_array_equal(r.event_import_kw[0], imp[[2, 3, 0, 1]])
        np.testing.assert_array_equal(r.event_import_kw[0], res.event_import_kw[n])
    assert dispatch(
        np.zeros((1, 4)), np.ones((2, 1)), np.full(4, 100.0), tou_battery(2), **common
    ).event_import_kw.shape == (2, 0)


def test_a_baseline_with_free_caps_in_the_event_hours_dispatches_as_without_events():
    # A sweep records its cases' baseline imports in the event hours by giving those hours caps of +inf and no
    # preparation: bit for bit the year without events, for every strategy (peak_shaving under a finite monthly
    # limit too, which a cap of +inf must leave as it is). 48 h of a made-up day-night load and PV.
    t = np.arange(48)
    rng = np.random.default_rng(7)
    unit = np.clip(np.sin((t % 24 - 6) * np.pi / 12), 0, None)[None, :]
    load = 400 + 200 * ((t % 24 >= 8) & (t % 24 < 20)) + rng.uniform(0, 50, 48)
    params = params_matrix(
        3,
        energy_kwh=[500, 800, 300],
        charge_kw=200,
        discharge_kw=200,
        charge_efficiency=0.95,
        discharge_efficiency=0.95,
        soc_min=0.1,
        soc_max=0.9,
        self_discharge_fraction_per_hour=0.001,
        soc_initial=0.5,
        import_limit_kw=1e4,
        export_limit_kw=100,
        strategy=[0, 1, 2],
        load_scale=1,
        peak_limit_kw=[[np.inf] * 12, [np.inf] * 12, [550.0] * 12],
    )
    common = dict(period=(t // 6) % 4, month=np.zeros(48, int), price_cny_per_kwh=0.3 + 0.1 * ((t // 6) % 4))
    caps = np.array([[300.0], [600.0], [900.0]])
    plain = dispatch(unit, caps, load, params, **common)
    event = np.full(48, -1)
    event[[18, 19, 20, 42]] = [0, 1, 2, 3]
    free = dispatch(unit, caps, load, params, event_step=event, event_import_cap_kw=np.full((3, 4), np.inf), **common)
    np.testing.assert_array_equal(free.totals, plain.totals)
    np.testing.assert_array_equal(free.monthly_peak_kw, plain.monthly_peak_kw)
    assert plain.total("battery_grid_to_load").min() > 0  # the batteries work in these hours, not a still year
    for n in range(3):  # and what it records is each configuration's own import there
        r = dispatch(unit, caps[n : n + 1], load, params[n : n + 1], record_hourly=True, **common)
        imp = r.hourly[:, FLOWS.index("grid_to_load")] + r.hourly[:, FLOWS.index("grid_to_battery")]
        np.testing.assert_array_equal(free.event_import_kw[n], imp[[18, 19, 20, 42]])


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
    assert list(event_hours(event)) == [10, 11, 13]
    base = np.full((1, 3), 400.0)  # the baseline's import in the event hours
    peak = np.full((1, 12), 900.0)
    step, cap = event_caps(base, peak, event, prep, INDEX.month.to_numpy() - 1, dr)
    np.testing.assert_allclose(cap, [[300, 300, 0, 900, 900, 900, 900]])  # 400 - 500 is held at 0
    assert list(step[[7, 8, 9, 10, 11, 12, 13]]) == [3, 4, 5, 0, 1, 6, 2]
    # Delivered: baseline 400, import 330 and 300 in the first event, 0 in the second: 70 + 100 + 400 kWh,
    # short 30 + 100; revenue 2.0 CNY/kWh on what was delivered; cost the bill's change 5000 - 4200 = 800 CNY,
    # net 1140 - 800 = 340 CNY.
    imp = np.array([330.0, 300.0, 0.0])
    k = response_kpis(base[0], imp, dr, np.array([5000.0]), np.array([4200.0]))
    assert [x["delivered_e_kwh"] for x in k["events"]] == [170.0, 400.0]
    assert [x["met"] for x in k["events"]] == [False, False] and k["shortfall_e_kwh"] == 130.0
    assert k["revenue_cny"] == 2.0 * 570.0 and (k["bill_change_cny"], k["net_cny"]) == (800.0, 340.0)
    assert isinstance(k["events"][0]["met"], bool) and isinstance(k["net_cny"], float)  # kpis.json's types
    # Many cases side by side: the same numbers per case. The second delivers it all (400 - 300, 400 - 0): met.
    many = response_kpis(
        np.vstack([base, base]), np.array([imp, [300.0, 300.0, 0.0]]), dr, np.array([5000.0, 0]), np.array([4200.0, 0])
    )
    np.testing.assert_array_equal(many["delivered_e_kwh"], [570.0, 600.0])
    np.testing.assert_array_equal(many["events"][0]["met"], [False, True])
    np.testing.assert_array_equal(many["net_cny"], [340.0, 1200.0])


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
