"""Vehicle-to-building in the smart schedule, worked by hand on the one-day site of test_vehicles.

One van: 100 km x 1.0 kWh/km = 100 kWh a day, plugged in 12:00-06:00 on one bidirectional point of 30 kW both ways.
The site: 100 kW, PV surplus 50 kW at 13:00 and 20 kW at 14:00, 40 kW at 02:00 and 03:00; valley 23-06, flat 06-18,
peak 18-23; prices valley 0.3, flat 0.6, peak 1.0 CNY/kWh. Its own 100 kWh goes, as without giving, to 13:00 (30),
14:00 (20), 02:00 (30) and 03:00 (20) (test_vehicles.test_smart_fills_the_surplus_first...).
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from lingtan.components import vehicles as v

from .test_vehicles import DAY_PERIODS, VAN, _site_day

PRICES = np.array([0.3, 0.6, 1.0, 1.5])[DAY_PERIODS]


def _site(target_kw=np.inf):
    day = _site_day(target_kw)
    return v.ChargingSite(day.net_kw, day.target_kw, day.period, price_cny_per_kwh=PRICES)


def _van(battery_kwh=300.0, **v2b):
    return v.VehicleGroup(**dict(VAN, battery_kwh=battery_kwh, v2b=dict(dict(reserve_fraction=0.0), **v2b)))


def _year(vans, site=None, discharge_kw=30.0, n_days=1):
    pool = [v.ChargerGroup(name="depot", power_kw=30, count=1, discharge_power_kw=discharge_kw)]
    return v.fleet_charging(vans, pool, v.Charging(strategy="smart"), 24 * n_days, 1.0, site or _site())


def test_the_van_gives_the_peak_and_recharges_in_the_valley_by_hand():
    # Battery 300 kWh, no reserve, round trip 0.75: back with 300 - 100 = 200 kWh, floor 100 (the next trip): 100
    # kWh to give from, 75 at the meter. Dearest first, the peak steps at 100 kW in time order:
    # 18:00 gives min(30 point, 100 import, 0.75 x 100) = 30, recharge 30 / 0.75 = 40 later in cheaper steps, lowest
    #       load first: 03:00 (40 + 20 = 60 kW) has 10 of point left, 02:00 (70 kW) none, then 23:00 (100 kW) 30.
    # 19:00 gives min(30, 0.75 x 60 = 45) = 30, recharge 40: 02:00, 03:00 full, 23:00 now 130 kW: 00:00 30,
    #       01:00 10.
    # 20:00 gives min(30, 0.75 x 20) = 15, recharge 20: 04:00 (100 kW, below 01:00's 110) 20. Nothing left.
    res = _year([_van(round_trip_efficiency=0.75)])
    given = np.zeros(24)
    given[[18, 19, 20]] = [30.0, 30.0, 15.0]
    charging = np.zeros(24)
    charging[[13, 14, 2, 3, 23, 0, 1, 4]] = [30.0, 20.0, 30.0, 30.0, 30.0, 30.0, 10.0, 20.0]
    np.testing.assert_allclose(res.v2b_kw, given, atol=1e-9)
    np.testing.assert_allclose(res.p_kw, charging, atol=1e-9)
    np.testing.assert_allclose(res.v2b_recharge_kw.sum(), 100.0, atol=1e-9)
    assert res.v2b_by_group["van"] == pytest.approx(
        {"given_e_kwh": 75.0, "recharge_e_kwh": 100.0, "vehicle_days": 1, "ageing_cny": 0.0}
    )
    assert (res.charged_e_kwh, res.unmet_trips) == (pytest.approx(100.0), 0)


def test_the_reserve_and_the_battery_bound_what_it_gives():
    # A 20 % reserve: floor 100 + 0.2 x 300 = 160, back with 200: 40 kWh to give from, 0.75 x 40 = 30 at 18:00,
    # recharged at 03:00 (10) and 23:00 (30). A 200 kWh battery comes back with exactly its floor: nothing.
    res = _year([_van(reserve_fraction=0.2, round_trip_efficiency=0.75)])
    assert res.v2b_kw[18] == pytest.approx(30.0) and res.v2b_kw.sum() == pytest.approx(30.0)
    assert res.p_kw[[3, 23]] == pytest.approx([30.0, 30.0])
    res = _year([_van(battery_kwh=200.0, round_trip_efficiency=0.75)])
    assert res.v2b_kw.sum() == 0.0 and res.p_kw.sum() == pytest.approx(100.0)


def test_the_ageing_cost_and_the_price_gap_decide():
    # Recharging in the valley costs 0.3 / 0.75 = 0.4 CNY per kWh given; with ageing 0.5 that is 0.9 < 1.0 at the
    # peak: the same 75 kWh as without ageing, 37.5 CNY of ageing. With ageing 0.6 (1.0, not below): nothing.
    res = _year([_van(round_trip_efficiency=0.75, ageing_cny_per_kwh=0.5)])
    assert res.v2b_by_group["van"]["given_e_kwh"] == pytest.approx(75.0)
    assert res.v2b_by_group["van"]["ageing_cny"] == pytest.approx(37.5)
    res = _year([_van(round_trip_efficiency=0.75, ageing_cny_per_kwh=0.6)])
    assert res.v2b_kw.sum() == 0.0


def test_a_target_bounds_the_recharge_and_the_giving():
    # A 95 kW target. Its own 100 kWh as before (13:00 30, 14:00 20 from the surplus; 02:00 30, 03:00 20 under the
    # target: 55 kW of room each). Giving, dearest first:
    # 18:00 (peak, price-led: up to the whole import): 30 kWh at most, recharge wanted 40 in cheaper steps under the
    #       target: 23:00-01:00, 04:00, 05:00 at 100 kW have no room, 02:00 no point left, 03:00 10 of point: 10
    #       kWh recharged, 0.75 x 10 = 7.5 given. 19-22: no point or room left in a cheaper step: nothing.
    # 12:00 (flat, above the target by 5 kW: target-led, the excess only): 5 kWh at most, recharge 5 / 0.75 = 6.67
    #       in a later step no dearer: 13:00 has no point left, 14:00 (flat, 95 kW of room) 10 of point: 6.67, 5
    #       given. 15-17: every later step no dearer is full or has no room: nothing.
    site = _site(target_kw=95.0)
    res = _year([_van(round_trip_efficiency=0.75)], site)
    given = np.zeros(24)
    given[[12, 18]] = [5.0, 7.5]
    np.testing.assert_allclose(res.v2b_kw, given, atol=1e-9)
    charging = np.zeros(24)
    charging[[13, 14, 2, 3]] = [30.0, 20.0 + 5.0 / 0.75, 30.0, 30.0]
    np.testing.assert_allclose(res.p_kw, charging, atol=1e-9)
    # The recharge never lifts the site above the target (03:00 at 70 kW, 14:00 at 6.7 kW); 12:00 comes down to it.
    after = site.net_kw + res.p_kw - res.v2b_kw
    assert after[[3, 14, 12]] == pytest.approx([70.0, -20.0 + 20.0 + 5.0 / 0.75, 95.0])


def test_giving_never_moves_the_own_charging_nor_leaves_a_trip_short():
    # A year of ten spread vans on four points, some giving: their own charging is the schedule without giving (the
    # second pass only adds), every trip is met, and what is given is the round trip of what is recharged.
    rng = np.random.default_rng(5)
    n = 24 * 30
    period = np.tile(DAY_PERIODS, 30)
    site = v.ChargingSite(
        net_kw=rng.uniform(-50, 150, n),
        target_kw=np.full(n, 140.0),
        period=period,
        price_cny_per_kwh=np.array([0.3, 0.6, 1.0, 1.5])[period],
    )
    spread = dict(count=10, arrival_spread_h=1.0, departure_spread_h=1.0, distance_km_per_day=40)
    givers = [v.VehicleGroup(**dict(VAN, **spread, battery_kwh=150.0, v2b={"reserve_fraction": 0.1}))]
    plain = [v.VehicleGroup(**dict(VAN, **spread))]
    pool = [v.ChargerGroup(name="depot", power_kw=30, count=4, discharge_power_kw=20)]
    a = v.fleet_charging(givers, pool, v.Charging(strategy="smart"), n, 1.0, site)
    b = v.fleet_charging(plain, pool, v.Charging(strategy="smart"), n, 1.0, site)
    assert a.v2b_kw.sum() > 1000.0
    np.testing.assert_allclose(a.p_kw - a.v2b_recharge_kw, b.p_kw, atol=1e-9)
    assert (a.unmet_trips, a.unmet_e_kwh) == (b.unmet_trips, b.unmet_e_kwh)
    assert a.v2b_kw.sum() == pytest.approx(0.87 * a.v2b_recharge_kw.sum(), rel=1e-12)
    # Never above the points' power either way: charging <= 4 x 30 kW, giving <= 4 x 20 kW, and a point's time
    # shared (charging / 30 + giving / 20 <= 4 points).
    assert a.p_kw.max() <= 120 + 1e-9 and a.v2b_kw.max() <= 80 + 1e-9
    assert (a.p_kw / 30 + a.v2b_kw / 20).max() <= 4 + 1e-9


def test_a_vehicle_short_the_day_before_gives_nothing():
    # Two sessions of one vehicle on one 30 kW point over one day: the first needs 1000 kWh (short), the second 100.
    # Given the same room, the second gives only when its previous session is itself, not the short one.
    site = _site()
    pool = [v.ChargerGroup(name="depot", power_kw=30, count=2, discharge_power_kw=30)]
    args = (np.array([12.0, 12.0]), np.array([30.0, 30.0]), np.array([1000.0, 100.0]), np.array([0, 0]), pool, site)

    def gives(previous):
        give = v.GiveBack(np.array([0.0, 100.0]), np.array(previous), np.full(2, 0.75), np.zeros(2))
        return v.smart_sessions(*args, 1.0, give).session_given_kwh[1]

    assert gives([0, 1]) > 0.0
    assert gives([1, 0]) == 0.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(v2b={"reserve_fraction": 0.1}), "battery_kwh"),
        (dict(battery_kwh=100, v2b={"reserve_fraction": 1.0}), "v2b.reserve_fraction"),
        (
            dict(battery_kwh=100, v2b={"reserve_fraction": 0.1, "round_trip_efficiency": 1.2}),
            "v2b.round_trip_efficiency",
        ),
        (dict(battery_kwh=-5), "battery_kwh"),
    ],
)
def test_v2b_fields_name_their_path(change, field):
    with pytest.raises(ValidationError) as err:
        v.VehicleGroup(**dict(VAN, **change))
    e = err.value.errors()[0]
    found = e["ctx"]["error"].field_path if "ctx" in e and "error" in e["ctx"] else ".".join(map(str, e["loc"]))
    assert found == field


def test_v2b_needs_smart_charging_and_a_bidirectional_point():
    with pytest.raises(ValueError, match="smart charging only"):
        v.fleet_charging([_van()], [v.ChargerGroup(name="depot", power_kw=30, count=1)], v.Charging(), 24, 1.0)
    with pytest.raises(ValueError, match="discharge_power_kw"):
        _year([_van()], discharge_kw=None)
