"""Vehicle-to-building and fuel-cell vehicles in a run: the named flow in the electric balance, what it changes in
the KPIs, the bill and the economics, the hydrogen trucks on the store's hydrogen, and the input errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from support.fleets import TRUCKS
from support.scenario_files import DEFAULT, write
from support.sweeps import assert_same_columns, both_paths

from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import check_electric_balance
from lingtan.twin.reports.html import monthly_electric
from lingtan.twin.reports.summary import fleet_rows
from lingtan.twin.run import simulate
from lingtan.twin.studies.economics import project_economics

from .test_hydrogen_run import DATA as H2_DATA

# 40 delivery vans, 80 km a day at 0.3 kWh/km (24 kWh), back at 17:00 and out at 07:00, batteries of 100 kWh with a
# 20 % reserve, on 40 bidirectional points of 11 kW: each comes back with 100 - 24 = 76 kWh and keeps the next trip
# plus the reserve, 24 + 20 = 44: 32 kWh to give from, 0.87 x 32 = 27.84 kWh at the meter (Schram et al.'s round
# trip, the default).
VANS = dict(
    TRUCKS,
    name="vans",
    count=40,
    distance_km_per_day=80,
    consumption_kwh_per_km=0.3,
    arrival_h=17,
    departure_h=7,
    charger="v2b",
    battery_kwh=100,
    v2b={"reserve_fraction": 0.2},
)


def _with_vans(v2b: bool = True) -> dict:
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    vans = copy.deepcopy(VANS) if v2b else {k: x for k, x in VANS.items() if k != "v2b"}
    data["vehicles"] = [vans]
    data["chargers"] = [{"name": "v2b", "power_kw": 11, "count": 40, "discharge_power_kw": 11}]
    data["charging"] = {"strategy": "smart"}
    return data


@pytest.fixture(scope="module")
def v2b_runs():
    return tuple(simulate(scenario_from_dict(_with_vans(on)), DEFAULT.parent) for on in (True, False))


def test_the_vehicles_are_a_named_source_of_the_load_and_the_balance_closes(v2b_runs):
    run, plain = v2b_runs
    h, v = run.hourly, run.kpis["vehicles"]["v2b"]
    assert check_electric_balance(h) <= 1e-6
    assert "v2b_to_load_kw" not in plain.hourly and (h.v2b_to_load_kw >= 0).all()
    # Every van gives all it may every day on this site (evening peaks, night valleys): 40 x 365 x 32 kWh
    # recharged, 0.87 of it given.
    assert v["recharge_e_kwh"] == pytest.approx(40 * 365 * 32.0, rel=1e-12)
    assert v["given_e_kwh"] == pytest.approx(0.87 * 40 * 365 * 32.0, rel=1e-12)
    assert h.v2b_to_load_kw.sum() == pytest.approx(v["given_e_kwh"], rel=1e-12)
    assert v["loss_e_kwh"] == pytest.approx(0.13 * 40 * 365 * 32.0, rel=1e-9)
    assert v["peak_kw"] <= 40 * 11 + 1e-9 and v["vehicle_days"] == 40 * 365
    # The load is the same loads plus the recharge (the vehicles' own charging does not move): the site's loads,
    # whatever serves them.
    recharge = (run.hourly.load_kw - plain.hourly.load_kw).sum()
    assert recharge == pytest.approx(v["recharge_e_kwh"], rel=1e-9)
    assert run.kpis["load_e_kwh"] == pytest.approx(h.load_kw.sum(), rel=1e-12)
    assert run.kpis["vehicles"]["charging_e_kwh"] - plain.kpis["vehicles"]["charging_e_kwh"] == pytest.approx(
        v["recharge_e_kwh"], rel=1e-9
    )
    assert run.kpis["vehicles"]["unmet_trips"] == 0


def test_stored_energy_is_not_delivered_twice(v2b_runs):
    # What the vans give was charged before as load; delivered energy grows by the round trip's losses only
    # (recharge - given), not by the energy given (as a battery's or a fuel cell's re-delivery).
    run, plain = v2b_runs
    v = run.kpis["vehicles"]["v2b"]
    grown = run.kpis["delivered_consumption_e_kwh"] - plain.kpis["delivered_consumption_e_kwh"]
    assert grown == pytest.approx(v["loss_e_kwh"], rel=1e-6)


def test_the_bill_change_is_the_run_without_giving(v2b_runs):
    run, plain = v2b_runs
    v = run.kpis["vehicles"]["v2b"]
    change = run.kpis["grid_bill_cny"]["total_cny"] - plain.kpis["grid_bill_cny"]["total_cny"]
    assert v["bill_change_cny"] == pytest.approx(change, rel=1e-9)
    assert v["bill_change_cny"] < 0 and v["net_saving_cny"] == pytest.approx(-v["bill_change_cny"])  # no ageing cost


def test_reports_show_the_vehicles(v2b_runs):
    run, plain = v2b_runs
    rows = {text: value for text, value, _ in fleet_rows(run.kpis["vehicles"])}
    assert rows["Vehicle-to-building energy"] == pytest.approx(run.kpis["vehicles"]["v2b"]["given_e_kwh"] * 1e-3)
    assert "Vehicle-to-building energy" not in {t for t, _, _ in fleet_rows(plain.kpis["vehicles"])}
    # The month's sources, vehicles among them, equal its uses.
    m = monthly_electric(run)
    sources = m[["pv_e_kwh", "wind_e_kwh", "grid_import_e_kwh", "battery_discharge_e_kwh", "v2b_e_kwh"]]
    uses = m[["load_e_kwh", "power_to_heat_e_kwh", "battery_charge_e_kwh", "grid_export_e_kwh", "curtailed_e_kwh"]]
    assert (sources.sum(axis=1) - uses.sum(axis=1)).abs().max() < 1e-3
    assert m.v2b_e_kwh.sum() == pytest.approx(run.kpis["vehicles"]["v2b"]["given_e_kwh"], rel=1e-9)


def test_chargers_are_costed(v2b_runs):
    # 40 bidirectional points of 11 kW at the assumed 800 CNY/kW: 352 000 CNY.
    run, _ = v2b_runs
    e = project_economics(run)
    (points,) = [a for a in e["assets"] if a["name"] == "chargers.v2b"]
    assert points["kind"] == "bidirectional_charger" and points["capex_cny"] == pytest.approx(800 * 11 * 40)
    assert "assumed" in points["cost_source"]


# Fuel-cell trucks: the hydrogen run of test_hydrogen_run (30 MWp, a 2 MW electrolyser, 2 t of tanks) with its
# 200 kg-a-day trucks (20:00-24:00) as a fleet group instead: 20 trucks x 100 km x 10 kg/100 km, back at 20:00,
# out at midnight, replacing diesel trucks of 30 L/100 km.
FC = dict(
    TRUCKS,
    name="fc_trucks",
    count=20,
    fuel="hydrogen",
    distance_km_per_day=100,
    consumption_kwh_per_km=None,
    consumption_kg_per_100km=10.0,
    charger=None,
    arrival_h=20,
    departure_h=0,
    replaces_fuel="diesel",
    replaced_l_per_100km=30,
)


@pytest.fixture(scope="module")
def h2_runs():
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["pv"][0]["capacity_kwp"] = 30000
    d.update(copy.deepcopy(H2_DATA))
    as_use = simulate(scenario_from_dict(d), DEFAULT.parent)
    d["hydrogen_uses"] = []
    d["vehicles"] = [FC, dict(TRUCKS, name="e_trucks")]
    d["chargers"] = [{"name": "depot", "power_kw": 60, "count": 10}]
    return as_use, simulate(scenario_from_dict(d), DEFAULT.parent)


def test_fuel_cell_trucks_draw_the_store_as_the_hydrogen_use_did(h2_runs):
    as_use, fleet = h2_runs
    cols = [c for c in as_use.hourly_heat.columns if c.startswith("tanks.")]
    np.testing.assert_array_equal(fleet.hourly_heat[cols].to_numpy(), as_use.hourly_heat[cols].to_numpy())
    h2 = fleet.kpis["vehicles"]["hydrogen"]
    assert h2["need_kg"] == pytest.approx(200.0 * 365, rel=1e-12)
    assert h2["unmet_kg"] == pytest.approx(as_use.kpis["hydrogen"]["unmet_kg"], rel=1e-12)
    # Unmet truck-days from the store's own column: each evening 20:00-24:00 short u kg leaves ceil(u / 10) trucks
    # without their day's 10 kg (the trucks are the store's only use).
    short = fleet.hourly_heat["tanks.unmet_kg"].to_numpy().reshape(365, 24)[:, 20:24].sum(axis=1)
    assert h2["unmet_trips"] == int(np.ceil(short / 10.0 - 1e-10).sum()) > 0
    v = fleet.kpis["vehicles"]
    assert v["unmet_trips"] == h2["unmet_trips"]  # the electric trucks charge in full
    assert v["trips"] == 365 * (20 + 10)
    assert any("refuel the hydrogen vehicles" in w for w in fleet.kpis["warnings"])


def test_fuel_cell_trucks_are_new_energy_and_avoid_diesel(h2_runs):
    _, fleet = h2_runs
    v = fleet.kpis["vehicles"]
    # 20 fuel-cell + 10 electric of 30 vehicles; 20 x 100 km x 30 L/100 km = 600 L of diesel a day avoided.
    assert (v["hydrogen_vehicles"], v["electric_vehicles"], v["vehicles"]) == (20, 10, 30)
    assert v["nev_share"] == 1.0
    assert v["fuel"]["avoided"]["diesel_l"] == pytest.approx(600.0 * 365)
    rows = {text: value for text, value, _ in fleet_rows(v)}
    assert rows["Hydrogen of the fuel-cell vehicles"] == pytest.approx(73.0)  # 200 kg x 365 = 73 t


@pytest.mark.parametrize(
    ("edit", "where", "expected"),
    [
        (lambda d: d["chargers"][0].pop("discharge_power_kw"), "vehicles[0].v2b", "a bidirectional charger group"),
        (lambda d: d["charging"].update(strategy="unmanaged"), "charging.strategy", "smart for vehicle-to-building"),
        (lambda d: d["vehicles"][0]["v2b"].update(reserve_fraction=1.5), "vehicles[0].v2b.reserve_fraction", ""),
        (lambda d: d["chargers"][0].update(discharge_power_kw=-1), "chargers[0].discharge_power_kw", ""),
        (lambda d: d["vehicles"][0].pop("battery_kwh"), "vehicles[0].battery_kwh", "the usable battery"),
        (
            lambda d: d["vehicles"].append(dict(FC, replaces_fuel=None, replaced_l_per_100km=None)),
            "hydrogen_stores",
            "a hydrogen store the hydrogen vehicles of vehicles[1] refuel from",
        ),
        (
            lambda d: d["vehicles"].append(dict(FC, consumption_kg_per_100km=None)),
            "vehicles[1].consumption_kg_per_100km",
            "the consumption [kg/100 km] of a hydrogen vehicle",
        ),
    ],
)
def test_new_fields_name_their_path_in_one_line(tmp_path, capsys, edit, where, expected):
    data = _with_vans()
    edit(data)
    path = write(tmp_path, data)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert f"{path}: {where}: expected {expected}" in err


def test_a_sweep_gives_each_case_its_bill_change_and_the_whole_scenario_rows(tmp_path):
    # Plumbing: the vans' giving is scheduled before dispatch on the site's PV (profile groups per PV size); the bill
    # change of vehicle-to-building needs each case's year without the giving, one more kernel call over the chunk.
    # The fast rows, judged from the annual KPIs (no heat side), equal the whole path's, bill change and economics
    # (the vans' ageing) included.
    data = _with_vans()
    data["vehicles"][0]["v2b"]["ageing_cny_per_kwh"] = 0.1
    file = write(tmp_path, data, "vans.yaml")
    params = ["pv[0].capacity_kwp=2000:12000:2", "battery[0].energy_kwh=0:8000:2"]
    a, b = both_paths(file, params, tmp_path)
    assert a.verdicts_computed.all()
    shared = [c for c in a.columns if c in b.columns and c != "case_hash"]
    assert {"vehicles.v2b.bill_change_cny", "vehicles.v2b.net_saving_cny", "economics.annualised_cost_cny"} <= set(
        shared
    )
    assert_same_columns(a, b, shared)
    # a saving in every case, not the same one: the battery takes part of the evening peak the vans shave
    assert a["vehicles.v2b.bill_change_cny"].nunique() > 1 and (a["vehicles.v2b.bill_change_cny"] < 0).all()
