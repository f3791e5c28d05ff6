"""Hydrogen (fuel-cell) vehicles: their daily hydrogen as a use of the site's store, unmet trips from what the store
could not give, the NEV share and the fuel they avoid, worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from support.fleets import TRUCKS

from lingtan.components import vehicles as v
from lingtan.components.heat import load_fuels
from lingtan.components.hydrogen import hydrogen_use_kg

# Three fuel-cell trucks, 100 km a day at 8 kg/100 km (24 kg a day), back at 22:00 and out at 02:00: the dispenser
# fills them over 22:00-02:00, 6 kg an hour.
H2 = dict(
    TRUCKS,
    name="fc",
    count=3,
    fuel="hydrogen",
    distance_km_per_day=100,
    consumption_kwh_per_km=None,
    consumption_kg_per_100km=8.0,
    charger=None,
    arrival_h=22,
    departure_h=2,
)


def test_a_group_is_a_hydrogen_use_over_its_stay():
    g = v.VehicleGroup(**H2)
    assert v.hydrogen_kg_per_day(g) == pytest.approx(24.0)
    (use,) = v.fleet_hydrogen_uses([g, v.VehicleGroup(**TRUCKS)])  # the electric trucks take none
    assert (use.name, use.kind, use.kg_per_day, use.start_h, use.hours) == ("vehicles.fc", "vehicles", 24.0, 22, 4)
    # Stays and the hours they touch: 18:30 -> 06:15 touches 18..06 (13 h); 20:00 -> 20:00 the next day 24 h;
    # 08:00 -> 08:30 one hour.
    assert v.refuel_hours(v.VehicleGroup(**dict(H2, arrival_h=18.5, departure_h=6.25))) == (18, 13)
    assert v.refuel_hours(v.VehicleGroup(**dict(H2, arrival_h=20, departure_h=20))) == (20, 24)
    assert v.refuel_hours(v.VehicleGroup(**dict(H2, arrival_h=8, departure_h=8.5))) == (8, 1)


def test_unmet_hydrogen_is_unmet_trips_by_hand():
    # Two days of hourly steps; the trucks' windows start at 22:00 (steps 22 and 46); steps 0-21 belong to the last
    # window (the year wraps). A boiler also takes 6 kg at 23:00.
    # Step 23: 12 kg wanted, 6 not there; the trucks' share 6/12: 3 kg. Step 25 (01:00 of day 2, the first window):
    # 6 kg wanted, all 6 short. First window short 3 + 6 = 9 kg: ceil(9 / 8) = 2 truck-days.
    # Step 1 (01:00 of day 1, the last window by the wrap): 0.5 kg short: 1 truck-day.
    g = v.VehicleGroup(**H2)
    index = np.arange(48) % 24
    (use,) = v.fleet_hydrogen_uses([g])
    want = np.where((index - 22) % 24 < 4, 6.0, 0.0)
    total = want + np.where(index == 23, 6.0, 0.0)
    unmet = np.zeros(48)
    unmet[[23, 25, 1]] = [6.0, 6.0, 0.5]
    out = v.hydrogen_trips([g], want[None, :], total, unmet, index)
    assert out["by_group"]["fc"] == {"trips": 6, "unmet_trips": 3, "need_kg": 48.0, "unmet_kg": 9.5}
    assert out["by_type"] == {"logistics_truck": {"trips": 6, "unmet_trips": 3}}
    assert (out["trips"], out["unmet_trips"], out["need_kg"], out["unmet_kg"]) == (6, 3, 48.0, 9.5)
    # A float's breadth short is no trip short: 1e-12 kg at 22:00 and 6 kg at 22:00 and 23:00 of day 2 (3 of it the
    # trucks'): ceil(9 / 8) = 2. Without the boiler and nothing in store, every truck every day, no more: 6.
    unmet[:] = 0.0
    unmet[22] = 1e-12
    unmet[[46, 47]] = 6.0
    assert v.hydrogen_trips([g], want[None, :], total, unmet, index)["unmet_trips"] == 2
    assert v.hydrogen_trips([g], want[None, :], want, want * (1 + 1e-12), index)["unmet_trips"] == 6


def test_the_use_matches_the_stores_hourly_offtake():
    # The group's use is the hydrogen_uses machinery's: 6 kg in each of 22, 23, 00, 01.
    import pandas as pd

    (use,) = v.fleet_hydrogen_uses([v.VehicleGroup(**H2)])
    kg = hydrogen_use_kg(pd.date_range("2025-01-01", periods=24, freq="h", tz="Asia/Shanghai"), use)
    np.testing.assert_allclose(kg, np.where(np.isin(np.arange(24), [22, 23, 0, 1]), 6.0, 0.0))


def test_fuel_cell_vehicles_are_new_energy_and_avoid_diesel():
    # 3 fuel-cell trucks replacing diesel ones of 30 L/100 km, 10 electric trucks, 7 diesel ones: (3 + 10) / 20 new
    # energy; avoided 3 x 100 km x 30 / 100 = 90 L a day.
    diesel = dict(H2, name="d", fuel="diesel", count=7, consumption_kg_per_100km=None, consumption_l_per_100km=30)
    fleet = [
        v.VehicleGroup(**dict(H2, replaces_fuel="diesel", replaced_l_per_100km=30)),
        v.VehicleGroup(**TRUCKS),
        v.VehicleGroup(**diesel),
    ]
    assert v.nev_share(fleet) == pytest.approx(13 / 20)
    out = v.fleet_fuel(fleet, 365, load_fuels())
    assert out["avoided"]["diesel_l"] == pytest.approx(90.0 * 365)
    flat = v.fleet_flat_kpis(
        v.merge_fleet_kpis(
            [
                {
                    "strategy": "smart",
                    **dict.fromkeys(("charging_e_kwh", "need_e_kwh", "charged_e_kwh", "unmet_e_kwh"), 0.0),
                    "trips": 6,
                    "unmet_trips": 1,
                    "vehicles": 20,
                    "electric_vehicles": 10,
                    "hydrogen_vehicles": 3,
                    "charge_points": 4,
                    "parking_spaces": None,
                    "hydrogen": {"need_kg": 48.0, "unmet_kg": 1.0, "trips": 6, "unmet_trips": 1},
                    "fuel": {k: {"diesel_l": 1.0, "t_co2": 1.0} for k in ("burnt", "avoided")},
                }
            ]
        )
    )
    assert flat["fleet_hydrogen_vehicles"] == 3 and flat["fleet_nev_share"] == pytest.approx(13 / 20)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(consumption_kg_per_100km=None), "consumption_kg_per_100km"),
        (dict(consumption_kwh_per_km=1.0), "consumption_kwh_per_km"),
        (dict(charger="depot"), "charger"),
        (dict(battery_kwh=100), "battery_kwh"),
        (dict(fuel="diesel", consumption_kg_per_100km=None, consumption_l_per_100km=30, replaces_fuel="diesel"), None),
    ],
)
def test_hydrogen_fields_name_their_path(change, field):
    data = dict(H2, **change)
    if field is None:  # a diesel vehicle replaces nothing
        data["replaced_l_per_100km"] = 30
        field = "replaces_fuel"
    with pytest.raises(ValidationError) as err:
        v.VehicleGroup(**data)
    assert err.value.errors()[0]["ctx"]["error"].field_path == field
