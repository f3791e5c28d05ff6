"""Two-carrier runs: the paint-shop scenario and hand-worked heat cases through the whole run."""

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingtan.twin.core.heat_profiles import heat_sizes
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
from lingtan.twin.core.tables import check_electric_balance, check_heat_balance
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
HEAT = ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"


@pytest.fixture(scope="module")
def heat_dict():
    return yaml.safe_load(HEAT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def heat_run():
    return simulate(load_scenario(HEAT), HEAT.parent)


def test_paint_shop_reports_recovery_fuel_and_heat_by_source(heat_run):
    h = heat_run.kpis["heat"]
    # The compressors run 16 h on 6 days a week with no breakdowns: 2025 has 52 weeks and one more working day
    # (Wednesday 31 Dec), 313 days; 0.80 of 800 kW electric input -> 0.80 x 800 x 16 x 313 = 3 205 120 kWh_th.
    avail, recovered = h["waste_heat_available_e_kwh_th_by_stream"], h["waste_heat_recovered_e_kwh_th_by_stream"]
    assert avail["compressor_coolers"] == pytest.approx(0.80 * 800 * 16 * 313, rel=1e-12)
    # the rate is recovered over available, stream by stream and in total (all three streams are declared)
    for name, rate in h["waste_heat_recovery_rate_by_stream"].items():
        assert rate == pytest.approx(recovered[name] / avail[name], rel=1e-12), name
    assert h["waste_heat_recovery_rate"] == pytest.approx(sum(recovered.values()) / sum(avail.values()), rel=1e-12)
    assert set(h["waste_heat_recovery_rate_by_stream"]) == {"oven_exhaust", "ecoat_cooling", "compressor_coolers"}
    assert set(h["waste_heat_recovery_rate_by_kind"]) == {"exhaust_air", "product_cooling", "compressed_air_cooling"}
    assert h["fuel_use"]["natural_gas"]["unit"] == "m3" and h["fuel_use"]["natural_gas"]["quantity"] > 0
    served = h["heat_served_e_kwh_th"]
    assert sum(served.values()) == pytest.approx(h["heat_demand_e_kwh_th"], rel=1e-9)
    assert served["unserved"] == 0


def test_heat_balance_closes_every_hour(heat_run):
    sizes = heat_sizes(heat_run.scenario)
    assert check_heat_balance(heat_run.hourly_heat, _setup(heat_run), sizes.store_e0_kwh_th[0]) <= 1e-6
    assert check_electric_balance(heat_run.hourly) <= 1e-6


def _setup(run):
    from lingtan.twin.run import build_profiles

    return build_profiles(run.scenario, HEAT.parent).heat


def test_pv_surplus_runs_power_to_heat(heat_run):
    h, hh = heat_run.hourly, heat_run.hourly_heat
    # Surplus-only electric boiler: it runs, and only in hours when PV feeds the heat sink.
    on = hh["electric_boiler.p_surplus_kw"] > 0
    assert on.sum() > 100
    assert (h.loc[on, "pv_to_heat_kw"] > 0).all()
    assert hh["electric_boiler.p_base_kw"].sum() == 0
    assert heat_run.kpis["power_to_heat_from_surplus_e_kwh"] > 0


def test_seeded_runs_repeat_and_seeds_matter(heat_dict, heat_run):
    again = simulate(scenario_from_dict(heat_dict), HEAT.parent)
    assert again.hourly_heat.equals(heat_run.hourly_heat)
    other = copy.deepcopy(heat_dict)
    other["processes"][0]["seed"] = 8
    assert not simulate(scenario_from_dict(other), HEAT.parent).hourly_heat.equals(heat_run.hourly_heat)


def _hand_case(base):
    """A line running all year (three 8-hour shifts, every day, no breakdowns) with two streams:
    A: 100 kW_th at 90 C, isothermal, to a 60 C demand through an exchanger of effectiveness 0.5 -> 50 kW_th;
    B: 200 kW_th at 50 C, to the same 60 C demand -> 0 (colder than the demand: no heat pump, no transfer).
    The demand (1000 kW_th) is far larger than what is recovered, so nothing limits the exchange.
    Recovery rate = 50 / (100 + 200) = 1/6 exactly; the gas boiler serves the other 950 kW_th."""
    d = copy.deepcopy(base)
    cal = {"shifts_per_day": 3, "shift_hours": 8, "first_shift_start_h": 0, "working_days_per_week": 7}
    d["processes"] = [
        {
            "name": "line",
            "calendar": cal,
            "batch_duration_h": 8,
            "p_kw": 100,
            "heat_demands": [{"name": "bath", "t_c": 60, "q_kw_th": 1000}],
            "waste_heat": [
                {"name": "A", "kind": "cooling_water", "t_c": 90, "q_kw_th": 100},
                {"name": "B", "kind": "product_cooling", "t_c": 50, "q_kw_th": 200},
            ],
        }
    ]
    d["space"], d["heat_pumps"], d["thermal_storage"] = [], [], []
    d["heat_exchangers"] = [
        {"name": "xa", "source": "A", "sink": "bath", "effectiveness": 0.5},
        {"name": "xb", "source": "B", "sink": "bath", "effectiveness": 0.9},
    ]
    d["boilers"] = [{"name": "gas", "fuel": "natural_gas", "efficiency": 0.9, "capacity_q_kw_th": 5000, "t_c": 200}]
    return d


def test_hand_worked_two_stream_recovery_rate(heat_dict):
    res = simulate(scenario_from_dict(_hand_case(heat_dict)), HEAT.parent)
    h = res.kpis["heat"]
    assert h["production_availability"]["line"] == 1.0
    assert h["waste_heat_recovery_rate"] == pytest.approx(1 / 6, rel=1e-12)
    assert h["waste_heat_recovery_rate_by_stream"] == pytest.approx({"A": 0.5, "B": 0.0}, abs=1e-12)
    assert h["heat_served_e_kwh_th"]["gas"] == pytest.approx(950 * 8760, rel=1e-12)
    # Gas by hand: 950 kW_th * 8760 h / 0.9 efficiency, at the GB/T 32150 NCV of 38 931 kJ/m3 (3600 kJ per kWh).
    assert h["fuel_use"]["natural_gas"]["quantity"] == pytest.approx(950 * 8760 / 0.9 * 3600 / 38931, rel=1e-9)


def test_moving_the_stream_to_a_hotter_store_changes_the_rate(heat_dict):
    # Stream A at 90 C cannot charge a store at 85 C through a 10 K approach: recovery must drop to zero for A.
    d = _hand_case(heat_dict)
    d["thermal_storage"] = [
        {"name": "tank", "capacity_kwh_th": 1000, "charge_kw_th": 500, "discharge_kw_th": 500, "t_c": 85}
    ]
    d["heat_exchangers"][0]["sink"] = "tank"
    h = simulate(scenario_from_dict(d), HEAT.parent).kpis["heat"]
    assert h["waste_heat_recovery_rate_by_stream"]["A"] == 0.0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    store=st.floats(0, 20000),
    hp=st.floats(0, 2000),
    eb=st.floats(0, 5000),
    pv=st.floats(1, 40000),
    grid_hp=st.booleans(),
    eb_any=st.booleans(),
    gas=st.floats(0, 6000),
)
def test_random_heat_scenarios_balance(heat_dict, store, hp, eb, pv, grid_hp, eb_any, gas):
    d = copy.deepcopy(heat_dict)
    d["thermal_storage"][0]["capacity_kwh_th"] = store
    d["heat_pumps"][0].update(capacity_q_kw_th=hp, electricity="any" if grid_hp else "renewable_surplus")
    d["boilers"][0].update(capacity_q_kw_th=eb, electricity="any" if eb_any else "renewable_surplus")
    d["boilers"][1]["capacity_q_kw_th"] = gas  # may leave heat unserved: reported, and still balanced
    d["pv"][0]["capacity_kwp"] = pv
    sc = scenario_from_dict(d)
    res = simulate(sc, HEAT.parent)  # raises BalanceError if any hour of any carrier fails to close
    hh = res.hourly_heat
    flows = hh[[c for c in hh.columns if c.endswith("_kw_th") or c.endswith("_kw")]]
    assert (flows.to_numpy() >= -1e-9).all()
    assert (hh["hot_water_store.e_kwh_th"] <= store + 1e-6).all()
    # With a boiler at least as large as the largest hourly residual demand, no heat goes unserved.
    if gas >= hh[[c for c in hh.columns if c.endswith(".demand_kw_th")]].sum(axis=1).max():
        assert res.kpis["heat"]["heat_served_e_kwh_th"]["unserved"] == 0
