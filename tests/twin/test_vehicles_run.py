"""A fleet in a run: its charging in the electric balance, its shares in the Anhui verdicts, its input errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from support.fleets import TRUCKS
from support.scenario_files import DEFAULT, ROOT, write
from support.sweeps import assert_same_columns, both_paths

from lingtan.components.vehicles import fleet_flat_kpis, merge_fleet_kpis
from lingtan.twin.accounting.criteria import evaluate
from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import check_electric_balance
from lingtan.twin.run import simulate

SCENARIOS = ROOT / "scenarios"

DIESEL = dict(
    name="diesel",
    type="logistics_truck",
    count=30,
    fuel="diesel",
    distance_km_per_day=120,
    consumption_l_per_100km=30,
    arrival_h=18,
    departure_h=6,
)


def _base() -> dict:
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    data["criteria"] = ["anhui_park_2024"]
    data["declared"] = {"nev_share": 0.9, "charging_coverage_share": 0.5}
    return data


def _with_fleet(data: dict, chargers: int = 10, **charging) -> dict:
    out = copy.deepcopy(data)
    out["vehicles"] = [TRUCKS, DIESEL]
    out["chargers"] = [{"name": "depot", "power_kw": 60, "count": chargers}]
    out["charging"] = charging
    return out


@pytest.fixture(scope="module")
def runs():
    data = _base()
    return simulate(scenario_from_dict(data), DEFAULT.parent), simulate(
        scenario_from_dict(_with_fleet(data, parking_spaces=100)), DEFAULT.parent
    )


def _verdict(run, suffix):
    return next(v for v in run.verdicts if v["criterion_id"].endswith(suffix))


def test_charging_is_in_the_load_and_the_balance_closes(runs):
    plain, fleet = runs
    # The charging load is on the bus: the hourly load grows by 600, 600, 240 kW at 18-21 h every day, nothing else.
    extra = (fleet.hourly.load_kw - plain.hourly.load_kw).to_numpy().reshape(365, 24)
    expected = np.zeros(24)
    expected[18:21] = [600.0, 600.0, 240.0]
    np.testing.assert_allclose(extra, np.broadcast_to(expected, (365, 24)), atol=1e-6)
    assert check_electric_balance(fleet.hourly) <= 1e-6
    v = fleet.kpis["vehicles"]
    assert v["charging_e_kwh"] == pytest.approx(365 * 1440.0)
    assert fleet.kpis["load_e_kwh"] - plain.kpis["load_e_kwh"] == pytest.approx(365 * 1440.0)
    assert (v["unmet_e_kwh"], v["unmet_trips"]) == (0.0, 0)
    # 10 x 120 km x 30 L/100 km a day avoided would need replaces_fuel: none declared, none counted;
    # the 30 diesel trucks burn 30 x 120 x 30 / 100 = 1080 L a day.
    assert v["fuel"]["avoided"]["t_co2"] == 0.0
    assert v["fuel"]["burnt"]["diesel_l"] == pytest.approx(1080.0 * 365)


def test_anhui_reads_the_fleet_as_simulated_and_the_declared_otherwise(runs):
    plain, fleet = runs
    nev = _verdict(fleet, "nev_share")
    # 10 electric of 40 vehicles = 0.25 < 0.30: the fleet fails where the declared 0.9 passed.
    assert (nev["input"], nev["value"], nev["status"]) == ("simulated", 0.25, "fail")
    assert "10 electric of 40" in nev["note"]
    declared = _verdict(plain, "nev_share")
    assert (declared["input"], declared["value"], declared["status"]) == ("declared", 0.9, "pass")
    # Coverage: 10 points / 100 spaces = 0.10 and 10 / 40 vehicles = 0.25; the stricter reading is 0.10.
    cov = _verdict(fleet, "charging_coverage")
    assert (cov["input"], cov["value"], cov["status"]) == ("simulated", 0.1, "pass")
    assert "per_parking_space" in cov["note"]
    assert _verdict(plain, "charging_coverage")["input"] == "declared"


def test_coverage_readings_by_setting():
    flat = fleet_flat_kpis(
        {
            "vehicles": 40,
            "electric_vehicles": 10,
            "charge_points": 3,
            "nev_share": 0.25,
            "unmet_e_kwh": 0.0,
            "unmet_trips": 0,
            "charging_coverage": {"per_parking_space": 3 / 50, "per_vehicle": 3 / 40},
        }
    )

    def cov(variant):
        verdicts = evaluate("anhui_park_2024", flat, {}, {"anhui_charging_coverage_variant": variant})
        return next(v for v in verdicts if v.criterion_id.endswith("charging_coverage"))

    assert cov("stricter").value == pytest.approx(0.06)
    assert cov("per_parking_space").value == pytest.approx(0.06)
    assert cov("per_vehicle").value == pytest.approx(0.075)
    del flat["fleet_charging_coverage_per_parking_space_share"]  # no parking spaces given
    assert cov("stricter").value == pytest.approx(0.075)
    missing = cov("per_parking_space")
    assert missing.input == "missing" and "parking_spaces" in missing.note


def test_too_few_chargers_are_reported_as_unmet():
    # One charger, 18:00-06:00: five trucks of 2.4 h fill the 12 h night exactly; the other five get nothing
    # (5 x 144 = 720 kWh and five trips a day; the sixth may get a float's breadth of energy, still unmet).
    data = _with_fleet(_base(), chargers=1)
    run = simulate(scenario_from_dict(data), DEFAULT.parent)
    v = run.kpis["vehicles"]
    assert v["unmet_e_kwh"] == pytest.approx(365 * 720.0)
    assert v["unmet_trips"] == 365 * 5
    assert any("could not deliver" in w and "(logistics_truck 1825;" in w for w in run.kpis["warnings"])
    assert v["unmet_by_type"]["logistics_truck"]["unmet_trips"] == 365 * 5
    assert check_electric_balance(run.hourly) <= 1e-6


def test_park_fleets_merge_by_count():
    # Tenant A: 10 of 40 electric, 10 points, 100 spaces; tenant B: 20 of 20, 2 points, no spaces given.
    a = {
        "strategy": "unmanaged",
        "charging_e_kwh": 1.0,
        "need_e_kwh": 1.0,
        "charged_e_kwh": 1.0,
        "unmet_e_kwh": 0.0,
        "trips": 1,
        "unmet_trips": 0,
        "vehicles": 40,
        "electric_vehicles": 10,
        "charge_points": 10,
        "parking_spaces": 100,
        "fuel": {k: {"diesel_l": 1.0, "t_co2": 2.0} for k in ("burnt", "avoided")},
    }
    b = dict(a, vehicles=20, electric_vehicles=20, charge_points=2, parking_spaces=None)
    m = merge_fleet_kpis([a, b])
    assert m["nev_share"] == pytest.approx(30 / 60)  # not the mean of 0.25 and 1.0
    assert m["charging_coverage"] == {"per_parking_space": None, "per_vehicle": pytest.approx(12 / 60)}
    assert m["fuel"]["burnt"]["t_co2"] == 4.0


def test_schema_error_names_the_field_in_one_line(tmp_path, capsys):
    data = _with_fleet(_base())
    data["vehicles"][0] = dict(TRUCKS, consumption_kwh_per_km=None)
    path = write(tmp_path, data)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert f"{path}: vehicles[0].consumption_kwh_per_km: expected the consumption [kWh/km]" in err
    data["vehicles"][0] = dict(TRUCKS, charger="nowhere")
    assert main(["check", str(write(tmp_path, data))]) == 2
    err = capsys.readouterr().err.strip()
    assert "vehicles[0].charger" in err and "found 'nowhere'" in err and err.count("\n") == 0


def test_fuel_vehicles_count_in_scope_1(runs):
    plain, fleet = runs
    # 30 diesel trucks x 120 km x 30 L/100 km = 1080 L a day, weighed at 0.8275 kg/L (fuels.csv) and burnt at
    # 3.0959 kgCO2/kg (GB/T 32150 default): a road fuel use named after the group.
    use = fleet.kpis["fuel_uses"]["vehicles.diesel"]
    assert (use["fuel"], use["use"], use["unit"]) == ("diesel", "road", "kg")
    assert use["quantity"] == pytest.approx(1080.0 * 365 * 0.8275)
    co2 = fleet.accounting.emissions.scope1.total_t - plain.accounting.emissions.scope1.total_t
    assert co2 == pytest.approx(1080.0 * 365 * 0.8275 * 3.0959 / 1000)
    assert co2 == pytest.approx(fleet.kpis["vehicles"]["fuel"]["burnt"]["t_co2"])


def test_a_park_counts_its_tenants_fleets_as_one():
    from lingtan.twin.studies.park import simulate_park

    park_file = DEFAULT.parent / "anhui-park.yaml"
    data = yaml.safe_load(park_file.read_text(encoding="utf-8"))
    data["tenants"][0].update(vehicles=[TRUCKS, DIESEL], chargers=[{"name": "depot", "power_kw": 60, "count": 10}])
    cars = dict(TRUCKS, name="cars", type="car", count=20, distance_km_per_day=40, consumption_kwh_per_km=0.15)
    data["tenants"][1].update(vehicles=[dict(cars, charger="ac")], chargers=[{"name": "ac", "power_kw": 7, "count": 4}])
    run = simulate_park(scenario_from_dict(data, park_file), base_dir=park_file.parent)
    v = run.kpis["vehicles"]
    # 30 electric of 60 vehicles; 14 points / 60 vehicles (no parking spaces given); charging
    # 10 x 144 + 20 x 40 x 0.15 = 1560 kWh a day.
    assert (v["electric_vehicles"], v["vehicles"], v["charge_points"]) == (30, 60, 14)
    assert v["charging_e_kwh"] == pytest.approx(365 * 1560.0)
    nev = next(x for x in run.verdicts if x["criterion_id"].endswith("nev_share"))
    assert (nev["input"], nev["value"]) == ("simulated", 0.5)  # the park file declares 0.35
    cov = next(x for x in run.verdicts if x["criterion_id"].endswith("charging_coverage"))
    assert (cov["input"], cov["value"]) == ("simulated", pytest.approx(14 / 60))


def test_unmet_trips_leave_the_fleet_verdicts_not_assessable():
    # 30 electric of 40 vehicles (0.75 >= 0.30) and 10 points / 40 vehicles (0.25 >= 0.10) pass, until the fleet
    # leaves 3 vehicle-days short of charge: a fleet that cannot make its trips has no simulated verdict.
    flat = fleet_flat_kpis(
        {
            "vehicles": 40,
            "electric_vehicles": 30,
            "charge_points": 10,
            "nev_share": 0.75,
            "unmet_e_kwh": 0.0,
            "unmet_trips": 0,
            "charging_coverage": {"per_parking_space": None, "per_vehicle": 0.25},
        }
    )

    def fleet_verdicts(kpis):
        verdicts = evaluate("anhui_park_2024", kpis, {}, {})
        return [v for v in verdicts if v.criterion_id.endswith(("nev_share", "charging_coverage"))]

    assert [v.status for v in fleet_verdicts(flat)] == ["pass", "pass"]
    short = fleet_verdicts(dict(flat, fleet_unmet_trips=3, fleet_unmet_e_kwh=420.0))
    assert [(v.status, v.passed, v.points) for v in short] == [("not assessable", False, 0.0)] * 2
    assert all(
        "left 3 trips (vehicle-days) short of charge or hydrogen" in v.note and "would have been: pass" in v.note
        for v in short
    )
    # A criterion that does not read the fleet keeps its verdict.
    other = evaluate("anhui_park_2024", dict(flat, fleet_unmet_trips=3), {}, {})
    assert "not assessable" not in {
        v.status for v in other if not v.criterion_id.endswith(("nev_share", "charging_coverage"))
    }


def test_smart_charging_delivers_the_same_energy_for_a_lower_bill():
    # The shipped hub: 30 trucks x 150 kWh back from 18:00 and 20 forklifts x 6 kWh from 22:00. Unmanaged charging
    # starts at arrival, in the peak hours (18-23 h); smart charging moves it into the valley night (23-06 h) and
    # the PV surplus, on the same chargers: the same energy, a lower energy charge and no higher demand.
    path = SCENARIOS / "hefei_logistics_fleet.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    runs = {}
    for strategy in ("unmanaged", "smart"):
        data["charging"]["strategy"] = strategy
        runs[strategy] = simulate(scenario_from_dict(data, path), path.parent)
    plain, smart = runs["unmanaged"], runs["smart"]
    vp, vs = plain.kpis["vehicles"], smart.kpis["vehicles"]
    assert vs["strategy"] == "smart" and vs["unmet_trips"] == 0 and vs["past_target_e_kwh"] == 0.0
    assert vs["charging_e_kwh"] == pytest.approx(vp["charging_e_kwh"]) == pytest.approx(vp["need_e_kwh"])
    assert smart.kpis["load_e_kwh"] == pytest.approx(plain.kpis["load_e_kwh"])
    assert check_electric_balance(smart.hourly) <= 1e-6
    bill_p, bill_s = plain.kpis["grid_bill_cny"], smart.kpis["grid_bill_cny"]
    assert bill_s["total_cny"] < bill_p["total_cny"]
    assert bill_s["basic_charge_cny"] <= bill_p["basic_charge_cny"]
    # The load differs by the fleet's charging only: smart takes energy out of the peak and critical hours.
    moved = smart.hourly.load_kw - plain.hourly.load_kw
    dear = plain.hourly.tou_period.isin(["peak", "critical"]).to_numpy()
    assert moved[dear].sum() < -0.5 * vp["charging_e_kwh"]


def test_a_bad_charging_strategy_names_its_field(tmp_path, capsys):
    data = _with_fleet(_base())
    for bad in ("fast", {"strategy": "smrt"}):
        data["charging"] = bad
        path = write(tmp_path, data)
        assert main(["check", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "Traceback" not in err
        assert f"{path}: charging.strategy: expected 'unmanaged' or 'smart', found" in err


def test_report_and_dashboard_show_the_fleet(runs):
    # Plumbing for the tables (they carry fleet_rows of the run's KPIs), arithmetic for the figures, worked from the
    # inputs: 10 charge points on 100 parking spaces cover 10.0 % of them; per vehicle 10 / (N + 30) with N electric
    # trucks and 30 diesel ones; the NEV share N / (N + 30).
    from lingtan.dashboard.pages_results import rows_table
    from lingtan.twin.reports.html import build_html
    from lingtan.twin.reports.summary import fleet_rows

    without, fleet = runs
    n = TRUCKS["count"]
    rows = {text: v for text, v, _ in fleet_rows(fleet.kpis["vehicles"])}
    assert rows["Charger coverage of parking spaces"] == pytest.approx(10.0, rel=1e-12)
    assert rows["Charge points per vehicle"] == pytest.approx(100 * 10 / (n + 30), rel=1e-12)
    assert rows["New-energy vehicle share"] == pytest.approx(100 * n / (n + 30), rel=1e-12)
    page = build_html(fleet, "en")
    assert 'id="fleet-table"' in page and '<th>Charger coverage of parking spaces</th><td class="num">10.0 %' in page
    assert 'id="fleet-table"' not in build_html(without, "en")
    div = rows_table(fleet_rows(fleet.kpis["vehicles"], "zh"), "results-fleet-table", "section_vehicles", "zh")
    assert div is not None and "车辆与充电设施" in str(div) and "10.0 %" in str(div)
    assert rows_table([], "results-fleet-table", "section_vehicles", "zh") is None


def test_a_sweep_of_the_chargers_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path):
    # Plumbing with one number by hand. The charge points shape the charging load before dispatch: the fast path
    # builds the profiles once per count (profile_groups) and runs that count's battery cases through the kernel
    # side by side. An all-electric fleet on a site without a heat side takes the annual-KPI verdicts, which must
    # read the fleet as simulated: its rows equal the whole-scenario path's, the fleet's numbers, the Anhui
    # verdicts and the economics (charge points priced) included.
    from lingtan.twin.studies.sweep import plan, profile_groups

    data = _with_fleet(_base(), parking_spaces=100)
    data["vehicles"] = [TRUCKS]
    file = write(tmp_path, data, "fleet.yaml")
    params = ["chargers[0].count=1:10:2", "battery[0].energy_kwh=0:20000:2"]
    groups = profile_groups(p := plan(file, params), list(range(len(p.values))))
    assert [len(g.cases) for g in groups] == [2, 2]
    a, b = both_paths(file, params, tmp_path)
    assert a.verdicts_computed.all()
    shared = [c for c in a.columns if c in b.columns and c != "case_hash"]
    assert {"vehicles.unmet_trips", "verdict.anhui_park_2024.nev_share", "economics.capex_cny"} <= set(shared)
    assert_same_columns(a, b, shared)
    assert set(b.columns) - set(a.columns) <= {"max_hourly_balance_residual_kwh"} | {
        c for c in b.columns if c.startswith(("by_source_e_kwh.", "grid_bill.", "vehicles.unmet_by_type."))
    }
    # One point leaves five trucks a night without charge (test_too_few_chargers_are_reported_as_unmet): the
    # coverage criterion is then not assessable (False) whatever the battery; ten points meet every trip.
    one = a[a["chargers[0].count"] == 1]
    assert (one["vehicles.unmet_trips"] == 365 * 5).all()
    assert not one["verdict.anhui_park_2024.charging_coverage"].any()
    assert (a[a["chargers[0].count"] == 10]["vehicles.unmet_trips"] == 0).all()
