"""Heat meters (issue 18, point 3: "recovery rate from heat meters"): the measured waste-heat recovery rate goes
through the twin's own rate arithmetic (:func:`lingtan.twin.core.kpis.waste_heat_rates`)."""

from pathlib import Path

import pandas as pd
import pytest

from lingtan.errors import InputError
from lingtan.meters.assess import MeterHours, assess_meters, meter_hours
from lingtan.meters.generate import Defects, heat_truth, measured_year, perturbed_run, true_flows
from lingtan.meters.quality import check_store
from lingtan.meters.read import read_readings
from lingtan.meters.schema import check_against, load_meter_map, meter_map_from_dict
from lingtan.meters.store import Store, default_url
from lingtan.twin.core.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"
MAP = Path(__file__).with_name("hefei_heat_map.yaml")
TYPES = "zhejiang_factory_2025.waste_energy"


def _hours(p: dict, meters: list[dict]) -> MeterHours:
    """Meter hours of hand-written rates, every hour a real reading."""
    frame = pd.DataFrame(p, index=pd.date_range("2025-03-03", periods=3, freq="1h"))
    table = pd.DataFrame(meters).rename(columns={"id": "meter_id"})
    table["tenant"] = None
    return MeterHours(p=frame, real=frame.notna(), meters=table)


HEAT_METERS = [
    {"id": "OVEN", "flow": "waste_heat_available", "asset": "oven_exhaust"},
    {"id": "OVEN-REC", "flow": "waste_heat_recovered", "asset": "oven_exhaust"},
    {"id": "ECOAT", "flow": "waste_heat_available", "asset": "ecoat_cooling"},
    {"id": "AIR", "flow": "waste_heat_available", "asset": "compressor_coolers"},
    {"id": "AIR-REC", "flow": "waste_heat_recovered", "asset": "compressor_coolers"},
]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENARIO)


def test_the_rate_is_recovered_over_available_worked_by_hand(scenario):
    hours = _hours(
        {
            "OVEN": [1000.0, 1200.0, 800.0],  # 3000 kWh_th available over 3 h
            "OVEN-REC": [500.0, 600.0, 400.0],  # 1500 recovered
            "ECOAT": [400.0, 400.0, 200.0],  # 1000 available; no recovered meter: none recovered
            "AIR": [640.0, 640.0, 720.0],  # 2000 available
            "AIR-REC": [320.0, 320.0, 360.0],  # 1000 recovered
        },
        HEAT_METERS,
    )
    got = assess_meters(hours, scenario, SCENARIO.parent)
    heat = got.kpis["heat"]
    # (1500 + 0 + 1000) / (3000 + 1000 + 2000) = 2500 / 6000 = 0.41667
    assert heat["waste_heat_recovery_rate"] == pytest.approx(2500 / 6000, rel=1e-12)
    assert heat["waste_heat_recovery_rate_by_stream"] == pytest.approx(
        {"oven_exhaust": 0.5, "ecoat_cooling": 0.0, "compressor_coolers": 0.5}, rel=1e-12
    )
    assert heat["waste_heat_recovery_rate_by_grade"] == pytest.approx(  # oven 250 C medium; 35 C and 85 C low
        {"medium": 0.5, "low": 1000 / 3000}, rel=1e-12
    )
    assert got.unmetered_heat == ["site.waste_heat.ecoat_cooling.recovered"]
    assert got.completeness["heat"] == 1.0
    v = {v["criterion_id"]: v for v in got.verdicts}[TYPES]
    # one type (余热) at 41.7 %, under 60 %: no type counts; read from the heat meters, so measured
    assert v["input"] == "measured" and v["needs"] == ["heat"] and v["completeness"] == 1.0
    assert v["value"] == 0


def test_without_an_available_meter_the_rate_is_not_measured(scenario):
    meters = [m for m in HEAT_METERS if m["id"] != "ECOAT"]
    hours = _hours({"OVEN": [1.0] * 3, "OVEN-REC": [1.0] * 3, "AIR": [1.0] * 3, "AIR-REC": [1.0] * 3}, meters)
    got = assess_meters(hours, scenario, SCENARIO.parent)
    # recovered everything metered, but the e-coat loop's heat is unknown: a rate over the rest would overstate it
    assert "waste_heat_recovery_rate" not in got.kpis["heat"]
    assert got.completeness["heat"] == 0.0
    assert "site.waste_heat.ecoat_cooling.available" in got.unmetered_heat
    v = {v["criterion_id"]: v for v in got.verdicts}[TYPES]
    # the criterion falls back to the plant's declaration, which it has not made: never a silent pass
    assert v["input"] == "missing" and v["passed"] is False


def test_a_heat_meter_must_name_a_waste_heat_resource(scenario):
    mmap = meter_map_from_dict(
        {"meters": [{"id": "H", "flow": "waste_heat_recovered", "asset": "roof", "quantity": "energy", "unit": "GJ"}]}
    )
    with pytest.raises(InputError) as err:
        check_against(mmap, scenario, "map.yaml")
    assert err.value.field == "meters[0].asset"
    assert "oven_exhaust, ecoat_cooling, compressor_coolers" in err.value.expected
    with pytest.raises(InputError) as err:
        meter_map_from_dict(
            {"meters": [{"id": "H", "flow": "waste_heat_available", "asset": "x", "quantity": "energy", "unit": "kWh"}]}
        )
    assert err.value.field == "meters[0].unit"


def test_generated_heat_meters_reproduce_the_simulated_rate(scenario, tmp_path):
    run = perturbed_run(scenario, SCENARIO.parent, soiling=0.0, load_scale=1.0)
    mmap = load_meter_map(MAP, scenario)
    heat_meters = heat_truth({None: run}, mmap)
    assert list(heat_meters.columns) == [m.id for m in mmap.meters if m.id.startswith("H-")]
    truth = true_flows({None: run.hourly}, mmap, scenario, soiling=0.0, load_scale=1.0).join(heat_meters)
    # one reading step's noise is 1 %, independent: over 8760 h x 4 steps the yearly sums move by ~1e-4
    readings, _ = measured_year(truth, mmap, Defects(), seed=5)
    readings.to_csv(tmp_path / "r.csv", index=False)
    store = Store(default_url(tmp_path / "m.duckdb"))
    store.put_meters(mmap)
    store.put_readings(read_readings(tmp_path / "r.csv", mmap, scenario.site.timezone))
    result = check_store(store, scenario)
    meters = store.meters()
    store.close()
    hours = meter_hours(result.hourly, meters)
    heat = assess_meters(hours, scenario, SCENARIO.parent).kpis["heat"]
    simulated = run.kpis["heat"]
    assert 0.1 < simulated["waste_heat_recovery_rate"] < 0.9
    assert heat["waste_heat_recovery_rate"] == pytest.approx(simulated["waste_heat_recovery_rate"], rel=2e-3)
    for name, rate in simulated["waste_heat_recovery_rate_by_stream"].items():
        assert heat["waste_heat_recovery_rate_by_stream"][name] == pytest.approx(rate, rel=2e-3), name


def test_gas_meters_give_the_fuel_burnt_and_its_emissions(scenario):
    """Natural gas [m3] from the meters goes through the accounting's own fuel table (components/data/fuels.csv:
    2.1622 kgCO2 and 1.3284 kgce per m3, GB/T 32150 and GB/T 2589 as the table cites them)."""
    hours = _hours(
        {"GAS": [100.0, 200.0, 300.0], **{m["id"]: [1.0, 1.0, 1.0] for m in HEAT_METERS}},
        [{"id": "GAS", "flow": "gas", "asset": "gas_boiler"}, *HEAT_METERS],
    )
    got = assess_meters(hours, scenario, SCENARIO.parent)
    line = got.accounting.energy.fuels["natural_gas"]
    assert line.quantity == 600.0  # m3/h over three 1 h steps
    assert line.co2_t == pytest.approx(600 * 2.1622 / 1000, rel=1e-12)  # 1.297 tCO2
    assert line.tce == pytest.approx(600 * 1.3284 / 1000, rel=1e-12)  # 0.797 tce
    assert got.accounting.emissions.scope1.fuels["natural_gas"].co2_t == pytest.approx(1.29732, rel=1e-12)
    assert got.completeness["fuel"] == 1.0  # the plant burns gas in its boiler: the fuel group is measured
