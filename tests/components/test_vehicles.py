"""Tests of lingtan.components.vehicles: charging sessions worked by hand, shares, fuel, input errors."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from support.fleets import TRUCKS

from lingtan.components import vehicles as v
from lingtan.components.heat import load_fuels


def _year(chargers: int, n_days: int = 3, **trucks):
    fleet = [v.VehicleGroup(**dict(TRUCKS, **trucks))]
    pool = [v.ChargerGroup(name="depot", power_kw=60, count=chargers)]
    return v.fleet_charging(fleet, pool, v.Charging(), n_days * 24, 1.0)


def test_ten_chargers_charge_every_truck_from_18_00():
    # Each truck: 144 kWh / 60 kW = 2.4 h, 18:00-20:24. Ten at once: 600 kW in 18-19 and 19-20,
    # 600 x 0.4 = 240 kW in 20-21; nothing else. The last night's 144 kWh x 10 are inside 18-21 too.
    res = _year(chargers=10)
    day = res.p_kw[:24]
    expected = np.zeros(24)
    expected[18:21] = [600.0, 600.0, 240.0]
    np.testing.assert_allclose(day, expected, atol=1e-9)
    assert res.p_kw.sum() == pytest.approx(3 * 1440.0)
    assert res.need_e_kwh == pytest.approx(3 * 1440.0)
    assert res.unmet_e_kwh == pytest.approx(0.0, abs=1e-9)
    assert (res.trips, res.unmet_trips) == (30, 0)


def test_too_few_chargers_leave_energy_and_trips_unmet():
    # One charger, a 10 h window (18:00-04:00): four trucks back to back take 9.6 h, the fifth gets the last
    # 0.4 h (24 kWh), five get nothing. Unmet a day: 1440 - 4 x 144 - 24 = 840 kWh; six trips.
    res = _year(chargers=1, departure_h=4)
    assert res.charged_e_kwh == pytest.approx(3 * 600.0)
    assert res.unmet_e_kwh == pytest.approx(3 * 840.0)
    assert res.unmet_trips == 3 * 6
    # The charger runs 60 kW from 18:00 to 04:00 every night; the third night's tail wraps to the first morning.
    np.testing.assert_allclose(res.p_kw[18:28], 60.0)
    np.testing.assert_allclose(res.p_kw[4:18], 0.0, atol=1e-12)
    np.testing.assert_allclose(res.p_kw[:4], 60.0)


def test_departure_before_any_charger_frees_gets_nothing():
    # Five chargers, window 18:00-20:00: the first five get 2 h x 60 = 120 kWh of 144, the others none.
    res = _year(chargers=5, departure_h=20, n_days=1)
    assert res.charged_e_kwh == pytest.approx(600.0)
    assert res.unmet_e_kwh == pytest.approx(840.0)
    assert res.unmet_trips == 10


def test_spread_draws_are_seeded_and_energy_is_kept():
    fleet = [v.VehicleGroup(**dict(TRUCKS, arrival_spread_h=1.5, departure_spread_h=0.5))]
    pool = [v.ChargerGroup(name="depot", power_kw=60, count=10)]
    a = v.fleet_charging(fleet, pool, v.Charging(seed=3), 365 * 24, 1.0)
    b = v.fleet_charging(fleet, pool, v.Charging(seed=3), 365 * 24, 1.0)
    c = v.fleet_charging(fleet, pool, v.Charging(seed=4), 365 * 24, 1.0)
    np.testing.assert_array_equal(a.p_kw, b.p_kw)
    assert not np.array_equal(a.p_kw, c.p_kw)
    # Windows of about 12 h and ten chargers: everything is charged, and the profile holds exactly that energy.
    assert a.unmet_e_kwh == pytest.approx(0.0, abs=1e-6)
    assert a.p_kw.sum() == pytest.approx(365 * 1440.0)
    assert a.p_kw.max() <= 600.0 + 1e-9


def test_quarter_hour_profile_has_the_same_energy_as_the_hourly():
    fleet = [v.VehicleGroup(**TRUCKS)]
    pool = [v.ChargerGroup(name="depot", power_kw=60, count=10)]
    q = v.fleet_charging(fleet, pool, v.Charging(), 2 * 96, 0.25)
    # 18:00-20:24 at 600 kW: 9 full quarter-hours then 600 x 9/15 = 360 kW in 20:15-20:30.
    np.testing.assert_allclose(q.p_kw[72:82], [600.0] * 9 + [360.0])
    assert q.p_kw.sum() * 0.25 == pytest.approx(2 * 1440.0)


def test_power_profile_property_energy_is_conserved():
    rng = np.random.default_rng(0)
    start = rng.uniform(0, 100, 50)
    end = start + rng.uniform(0, 24, 50)
    p = v.power_profile(start, end, 7.0, 100, 1.0)  # ends past the 100th hour wrap to the start
    assert p.sum() == pytest.approx(7.0 * (end - start).sum())
    assert (p >= 0).all()


def test_trips_times_km_per_trip_is_the_distance():
    g = v.VehicleGroup(**dict(TRUCKS, distance_km_per_day=None, trips_per_day=4, km_per_trip=30))
    assert v.distance_km_per_day(g) == 120.0


def test_nev_share_and_coverage():
    # 10 electric trucks, 30 diesel trucks, 10 petrol cars: 10 / 50 = 0.2 new-energy vehicles.
    fleet = [
        v.VehicleGroup(**TRUCKS),
        v.VehicleGroup(
            **dict(
                TRUCKS,
                name="d",
                fuel="diesel",
                count=30,
                charger=None,
                consumption_kwh_per_km=None,
                consumption_l_per_100km=30,
            )
        ),
        v.VehicleGroup(
            **dict(
                TRUCKS,
                name="c",
                type="car",
                fuel="petrol",
                count=10,
                charger=None,
                consumption_kwh_per_km=None,
                consumption_l_per_100km=8,
            )
        ),
    ]
    assert v.nev_share(fleet) == pytest.approx(0.2)
    pool = [v.ChargerGroup(name="depot", power_kw=60, count=4)]
    # 4 charge points / 50 vehicles = 0.08; / 20 parking spaces = 0.2.
    assert v.charging_coverage(fleet, pool, 20) == pytest.approx({"per_parking_space": 0.2, "per_vehicle": 0.08})
    assert v.charging_coverage(fleet, pool, None)["per_parking_space"] is None
    assert v.nev_share([]) is None


def test_fuel_burnt_and_avoided():
    # Electric trucks replacing diesel ones at 30 L/100 km: 10 x 120 km x 30 / 100 = 360 L a day.
    # tCO2 = L x 0.8275 kg/L x 3.0959 kgCO2/kg / 1000 (fuels.csv: GB 19147 midpoint, GB/T 32150 default).
    e = v.VehicleGroup(**dict(TRUCKS, replaces_fuel="diesel", replaced_l_per_100km=30))
    cars = v.VehicleGroup(
        **dict(
            TRUCKS,
            name="c",
            type="car",
            fuel="petrol",
            count=2,
            charger=None,
            consumption_kwh_per_km=None,
            consumption_l_per_100km=8,
            distance_km_per_day=50,
        )
    )
    out = v.fleet_fuel([e, cars], 365, load_fuels())
    assert out["avoided"]["diesel_l"] == pytest.approx(360.0 * 365)
    assert out["avoided"]["diesel_t_co2"] == pytest.approx(360.0 * 365 * 0.8275 * 3.0959 / 1000)
    assert out["avoided"]["petrol_l"] == 0.0
    # 2 cars x 50 km x 8 / 100 = 8 L a day of petrol (gasoline: 0.7475 kg/L, 2.9251 kgCO2/kg).
    assert out["burnt"]["petrol_l"] == pytest.approx(8.0 * 365)
    assert out["burnt"]["t_co2"] == pytest.approx(8.0 * 365 * 0.7475 * 2.9251 / 1000)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(consumption_kwh_per_km=None), "consumption_kwh_per_km"),
        (dict(consumption_l_per_100km=20), "consumption_l_per_100km"),
        (dict(charger=None), "charger"),
        (dict(trips_per_day=3), "distance_km_per_day"),
        (dict(distance_km_per_day=None, trips_per_day=3), "km_per_trip"),
        (dict(replaces_fuel="diesel"), "replaced_l_per_100km"),
        (dict(fuel="diesel", consumption_kwh_per_km=None, consumption_l_per_100km=20), "charger"),
    ],
)
def test_inconsistent_groups_name_their_field(change, field):
    with pytest.raises(ValidationError) as err:
        v.VehicleGroup(**dict(TRUCKS, **change))
    assert err.value.errors()[0]["ctx"]["error"].field_path == field


# Smart charging, worked on one day of hourly steps (the night wraps to the day's first hours). One van: 100 km x
# 1.0 kWh/km = 100 kWh, plugged in 12:00-06:00 (steps 12..23, then 0..5), on one 30 kW charge point.
VAN = dict(TRUCKS, name="van", type="car", count=1, distance_km_per_day=100, consumption_kwh_per_km=1.0, arrival_h=12)
VALLEY, FLAT, PEAK = 0, 1, 2
DAY_PERIODS = np.array([VALLEY] * 6 + [FLAT] * 12 + [PEAK] * 5 + [VALLEY])  # valley 23-06, peak 18-23


def _site_day(target_kw=np.inf):
    # The site's load less generation: 100 kW, except a PV surplus of 50 kW at 13:00 and 20 kW at 14:00 and a
    # lighter night at 02:00 and 03:00 (40 kW).
    net = np.full(24, 100.0)
    net[[13, 14]] = [-50.0, -20.0]
    net[[2, 3]] = 40.0
    return v.ChargingSite(net_kw=net, target_kw=np.full(24, target_kw), period=DAY_PERIODS)


def _smart(site, chargers=1, **van):
    fleet = [v.VehicleGroup(**dict(VAN, **van))]
    pool = [v.ChargerGroup(name="depot", power_kw=30, count=chargers)]
    return v.fleet_charging(fleet, pool, v.Charging(strategy="smart"), 24, 1.0, site)


def test_smart_fills_the_surplus_first_then_the_valley_within_the_charger():
    # Surplus first, the larger first: 13:00 takes min(50 surplus, 30 charger) = 30 kWh (the charger limit holds,
    # 20 kW of surplus stay unused), 14:00 takes its 20. Left 100 - 50 = 50 kWh for the valley (23:00, 00-06),
    # lightest site load first: 02:00 (40 kW) takes 30, 03:00 (40 kW) the last 20. Nothing in flat or peak hours.
    res = _smart(_site_day())
    expected = np.zeros(24)
    expected[[13, 14, 2, 3]] = [30.0, 20.0, 30.0, 20.0]
    np.testing.assert_allclose(res.p_kw, expected, atol=1e-9)
    assert res.charged_e_kwh == pytest.approx(100.0) and res.p_kw.sum() == pytest.approx(res.need_e_kwh)
    assert (res.unmet_trips, res.unmet_e_kwh, res.past_target_e_kwh) == (0, 0.0, 0.0)


def test_smart_shares_the_pool_and_never_exceeds_the_charge_points():
    # Two vans on one 30 kW point: the first (by departure, then arrival; a tie keeps the order given) takes the
    # schedule above; the second finds 13:00 and 02:00 full, 14:00 and 03:00 with 10 kWh of point left. Surplus:
    # 14:00 has no surplus left (20 taken), 13:00 has 20 but no point. Valley, lightest load first: 03:00 (now
    # 40 + 20 = 60 kW) gives 10; then 23:00, 00:00, 01:00 at 100 kW, in time order, 30 each = 90 -> 100 kWh.
    res = _smart(_site_day(), count=2)
    expected = np.zeros(24)
    expected[[13, 14, 2, 3, 23, 0, 1]] = [30.0, 20.0, 30.0, 30.0, 30.0, 30.0, 30.0]
    np.testing.assert_allclose(res.p_kw, expected, atol=1e-9)
    assert res.p_kw.max() <= 30.0 + 1e-9
    assert res.charged_e_kwh == pytest.approx(200.0)


def test_smart_keeps_the_demand_target_and_charges_the_rest_as_unmanaged():
    # A 110 km day (110 kWh) under a 60 kW target. The surplus takes 30 + 20 as before (the import stays 0). The
    # valley steps at 100 kW have no room; 02:00 and 03:00 (40 kW) have 20 each: 40 kWh. Flat: 14:00, at 0 kW after
    # its surplus, has 60 kW of room and 10 kW of charger left: 10 kWh; the other flat and all peak steps are at
    # 100 kW, above the target. The last 10 kWh cannot be placed under the target: they are charged as unmanaged
    # would, at the first step of the stay with charger room, 12:00 (the site 100 -> 110 kW).
    site = _site_day(target_kw=60.0)
    res = _smart(site, distance_km_per_day=110)
    expected = np.zeros(24)
    expected[[13, 14, 2, 3, 12]] = [30.0, 30.0, 20.0, 20.0, 10.0]
    np.testing.assert_allclose(res.p_kw, expected, atol=1e-9)
    assert res.past_target_e_kwh == pytest.approx(10.0)
    assert res.charged_e_kwh == pytest.approx(110.0) and res.unmet_trips == 0
    # The import the schedule adds never lifts the site above the target, except what it reports as past it.
    placed = res.p_kw.copy()
    placed[12] -= 10.0
    assert (np.maximum(site.net_kw + placed, 0.0) <= np.maximum(60.0, site.net_kw) + 1e-9).all()


def test_smart_and_unmanaged_leave_the_same_trip_unmet():
    # Plugged in 12:30-14:00 only: half of step 12 and step 13, 1.5 h x 30 kW = 45 kWh of the 100, whichever the
    # order; one car trip unmet, 55 kWh.
    for charging in ("smart", "unmanaged"):
        fleet = [v.VehicleGroup(**dict(VAN, arrival_h=12.5, departure_h=14))]
        pool = [v.ChargerGroup(name="depot", power_kw=30, count=1)]
        res = v.fleet_charging(fleet, pool, v.Charging(strategy=charging), 24, 1.0, _site_day())
        assert res.by_type == {"car": {"trips": 1, "unmet_trips": 1, "need_e_kwh": 100.0, "unmet_e_kwh": 55.0}}
        assert res.charged_e_kwh == pytest.approx(45.0)
        np.testing.assert_allclose(res.p_kw[12:14], [15.0, 30.0])


def test_smart_needs_the_site_and_a_bare_strategy_is_read():
    assert v.Charging.model_validate("smart").strategy == "smart"
    with pytest.raises(ValueError, match="site"):
        v.fleet_charging(
            [v.VehicleGroup(**VAN)],
            [v.ChargerGroup(name="depot", power_kw=30, count=1)],
            v.Charging(strategy="smart"),
            24,
            1.0,
        )
