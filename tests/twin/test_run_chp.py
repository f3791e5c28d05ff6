"""A gas engine (combined heat and power) through the whole run: the bus, the heat table, the fuel, the accounting.

The default factory with offices heated at 45 C (a heat demand that follows the weather), a 200 kW heat-led gas
engine (40 % / 45 % electric / heat efficiency at full load, 35 % / 48 % at half load) and a gas boiler behind it.
"""

import copy

import numpy as np
import pytest
import yaml
from support.scenario_files import DEFAULT
from support.sweeps import both_paths

from lingtan.components.absorption import cooling_water_t_c
from lingtan.components.chp import CombinedHeatPower, chp_flows, chp_p_for_heat
from lingtan.components.heat import AbsorptionChiller, absorption_chiller_full_load, fuel_burnt
from lingtan.errors import InputError
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import check_electric_balance
from lingtan.twin.run import build_profiles, simulate

OFFICES = {"name": "offices", "ua_kw_per_k": 40, "setpoint_heating_c": 18, "t_c": 45}
ENGINE = {
    "name": "engine",
    "prime_mover": "gas_engine",
    "capacity_p_kw": 200.0,
    "electric_efficiency": 0.40,
    "electric_efficiency_half_load": 0.35,
    "heat_efficiency": 0.45,
    "heat_efficiency_half_load": 0.48,
    "t_c": 90.0,
    "mode": "heat_led",
}


def with_chp(data: dict, capacity_p_kw: float = 200.0) -> dict:
    d = copy.deepcopy(data)
    d["space"] = [dict(OFFICES)]
    d["boilers"] = [{"name": "gas", "fuel": "natural_gas", "efficiency": 0.92, "capacity_q_kw_th": 2000, "t_c": 90}]
    d["chp"] = [dict(ENGINE, capacity_p_kw=capacity_p_kw)]
    return d


@pytest.fixture(scope="module")
def runs():
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    sc = scenario_from_dict(with_chp(data))
    return sc, simulate(sc, DEFAULT.parent), simulate(scenario_from_dict(with_chp(data, 0.0)), DEFAULT.parent)


def test_heat_led_hours_by_hand(runs):
    # Each hour the engine makes the offices' heat when that is at least its half-load heat (137.14 kW_th for
    # 200 kW), at most its full-load heat (225 kW_th), and its electricity fits under what the grid would import
    # (no export here); the boiler makes the rest. Without the engine the boiler makes it all.
    sc, r, r0 = runs
    h, h0 = r.hourly_heat, r0.hourly_heat
    unit = CombinedHeatPower(**ENGINE)
    demand = h["offices.demand_kw_th"].to_numpy()
    grid0 = (r0.hourly.grid_to_load_kw + r0.hourly.grid_to_heat_kw).to_numpy()
    want = chp_p_for_heat(demand, unit)
    p = h["engine.p_kw"].to_numpy()
    fits = want <= grid0
    assert fits.mean() > 0.9 and (p > 0).sum() > 500  # the test exercises the engine
    np.testing.assert_allclose(p[fits], want[fits], rtol=1e-9, atol=1e-9)
    _, made = chp_flows(p, unit)
    np.testing.assert_allclose(h["engine.heat_to_demand_kw_th"], np.minimum(made, demand), atol=1e-9)
    np.testing.assert_allclose(h["gas.heat_kw_th"] + h["engine.heat_to_demand_kw_th"], h0["gas.heat_kw_th"], atol=1e-9)
    # The engine's electricity displaces import one for one, and goes to the grid where there is none to
    # displace (hours of PV surplus, within the export limit): the site's load is unchanged.
    np.testing.assert_allclose(r.hourly.chp_kw, p, atol=1e-9)
    to_load = np.minimum(p, grid0)
    np.testing.assert_allclose(grid0 - (r.hourly.grid_to_load_kw + r.hourly.grid_to_heat_kw), to_load, atol=1e-9)
    np.testing.assert_allclose(r.hourly.chp_to_grid_kw, p - to_load, atol=1e-9)
    assert (p > to_load).sum() > 50  # such hours exist
    assert check_electric_balance(r.hourly) <= 1e-6


def test_fuel_and_accounting(runs):
    # Gas: the boiler's (heat / 0.92) plus the engine's fuel line, in m3 at the fuel table's NCV. Electricity
    # consumed = import + renewables consumed + the engine's; it counts in the renewable share's denominator, not
    # again in the energy (its gas does).
    sc, r, r0 = runs
    k, h = r.kpis, r.hourly_heat
    fuel_kwh = float(h["engine.fuel_kw"].sum()) + float(h["gas.heat_kw_th"].sum()) / 0.92
    gas = k["heat"]["fuel_use"]["natural_gas"]
    assert gas["fuel_e_kwh"] == pytest.approx(fuel_kwh, rel=1e-12)
    assert gas["quantity"] == pytest.approx(float(fuel_burnt(fuel_kwh, "natural_gas")["fuel_units"]), rel=1e-12)
    chp = k["chp_e_kwh"]
    assert chp == pytest.approx(float(h["engine.p_kw"].sum()), rel=1e-12)
    assert k["chp_export_e_kwh"] == pytest.approx(float(r.hourly.chp_to_grid_kw.sum()), rel=1e-12)
    chp -= k["chp_export_e_kwh"]  # consumed on site
    assert k["total_consumption_e_kwh"] == pytest.approx(r0.kpis["total_consumption_e_kwh"], rel=1e-9)
    el = r.accounting.energy.electricity
    assert el.chp_consumed_e_kwh == pytest.approx(chp, rel=1e-12)
    assert el.consumed_e_kwh == pytest.approx(el.grid_import_e_kwh + el.re_consumed_e_kwh + chp, rel=1e-12)
    el0 = r0.accounting.energy.electricity
    # Same consumption, same renewables: the same renewable share; the energy counted drops by the engine's kWh.
    assert el.re_consumed_e_kwh / el.consumed_e_kwh == pytest.approx(el0.re_consumed_e_kwh / el0.consumed_e_kwh)
    assert el0.calorific_tce - el.calorific_tce == pytest.approx(chp * el.calorific_kgce_per_kwh / 1000, rel=1e-9)
    unit = k["heat"]["chp"]["engine"]
    assert unit["fuel_e_kwh"] == pytest.approx(float(h["engine.fuel_kw"].sum()), rel=1e-12)
    assert 0.35 <= unit["electric_efficiency"] <= 0.40 and 0.80 < unit["total_efficiency"] < 0.85


def test_chp_refusals_name_the_field(tmp_path, capsys):
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    bad = with_chp(data)
    bad["chp"][0]["t_c"] = 40.0  # below the offices' 45 C: its heat would serve nothing
    with pytest.raises(Exception, match=r"chp\[0\]\.t_c"):
        scenario_from_dict(bad)
    bad = with_chp(data)
    bad["chp"][0]["heat_efficiency"] = 0.65  # 0.40 + 0.65 > 1 at NCV
    with pytest.raises(Exception, match="chp"):
        scenario_from_dict(bad)
    sc = scenario_from_dict(with_chp(data))
    from lingtan.twin.core.heat_profiles import heat_sizes
    from lingtan.twin.run import build_profiles
    from lingtan.twin.studies.lp.heat_dispatch import heat_lp

    prof = build_profiles(sc, DEFAULT.parent)
    with pytest.raises(InputError, match="chp"):
        heat_lp(sc, prof.heat, heat_sizes(sc))
    # ... and so does a run with dispatch: optimal, though the site has no store or power-to-heat unit (its LP once
    # left the heat side to the rule kernel and so the engine's electricity out of the bus it optimised)
    from lingtan.twin.cli import main

    opt = with_chp(data)
    opt["battery"][0]["dispatch"] = "optimal"
    path = tmp_path / "opt.yaml"
    path.write_text(yaml.safe_dump(opt), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "chp[0]" in capsys.readouterr().err


def test_a_chp_sweep_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path):
    # Plumbing: the rating is a size (HeatSizes.chp_kw): the fast path's kernel runs every case's own rating, and
    # its rows equal those of scenarios built and run one by one. (With verdicts a heat side runs case by case on
    # either path: tests/twin/test_run_ground.py compares that.)
    file = tmp_path / "chp.yaml"
    file.write_text(yaml.safe_dump(with_chp(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")))), encoding="utf-8")
    col = "chp[0].capacity_p_kw"
    paths = both_paths(file, [f"{col}=0:400:3"], tmp_path, verdicts=False)
    rows = {p: r.sort_values(col).reset_index(drop=True) for p, r in zip(("auto", "whole"), paths, strict=True)}
    for c in ("grid_import_e_kwh", "chp_e_kwh", "chp_export_e_kwh", "total_consumption_e_kwh"):
        np.testing.assert_allclose(rows["auto"][c].to_numpy(float), rows["whole"][c].to_numpy(float), rtol=1e-12)
    chp = rows["auto"]["chp_e_kwh"].to_numpy()
    assert chp[0] == 0 and 0 < chp[1] < chp[2]


HALL = {
    "name": "hall",
    "ua_kw_per_k": 30,
    "setpoint_cooling_c": 24,
    "t_c": 45,
    "heating": False,
    "cooling": True,
    "cooling_cop": 4.0,
}


def with_trigeneration(data: dict, capacity_q_kw_th: float, **chiller) -> dict:
    d = with_chp(data)
    d["space"].append(dict(HALL))
    d["absorption_chillers"] = [
        {"name": "abs", "source": "engine", "cooling": "hall", "capacity_q_kw_th": capacity_q_kw_th, **chiller}
    ]
    return d


def test_trigeneration_cools_a_hall_and_the_load_falls_by_what_its_chillers_saved():
    # The engine's heat also drives a 100 kW_th absorption chiller (COP 0.7) on a hall cooled by electric chillers
    # of COP 4: each hour the site's load is the run without it less p_relief = cooling / 4, and the cooling is
    # the drive heat times 0.7 (the heat table's balance checks the engine's heat with it).
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    runs = {}
    for cap in (0.0, 100.0):
        runs[cap] = simulate(scenario_from_dict(with_trigeneration(data, cap)), DEFAULT.parent)
    h = runs[100.0].hourly_heat
    cool = h["abs.cooling_kw_th"].to_numpy()
    assert cool.sum() > 0 and cool.max() <= 100.0 + 1e-9
    np.testing.assert_allclose(cool, 0.7 * h["abs.drive_heat_kw_th"], atol=1e-9)
    np.testing.assert_allclose(h["abs.p_relief_kw"], cool / 4.0, atol=1e-9)
    drop = (runs[0.0].hourly.load_kw - runs[100.0].hourly.load_kw).to_numpy()
    np.testing.assert_allclose(drop, cool / 4.0, atol=1e-6)


def test_trigeneration_on_the_curve_takes_the_hours_cop_and_capacity():
    # The chiller on the characteristic equation, driven by the engine's 90 C heat: each hour its cooling is the
    # drive heat times the component's COP at 90 C and the tower's water, and at most its capacity there.
    d = with_trigeneration(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")), 100.0, model="characteristic_equation")
    sc = scenario_from_dict(d)
    h = simulate(sc, DEFAULT.parent).hourly_heat
    weather = build_profiles(sc, DEFAULT.parent).weather
    t_cw = cooling_water_t_c(weather["temp_air"].to_numpy(), weather["relative_humidity"].to_numpy(), 5.0)
    cap, cop = absorption_chiller_full_load(AbsorptionChiller(**d["absorption_chillers"][0]), 90.0, t_cw)
    cool = h["abs.cooling_kw_th"].to_numpy()
    assert cool.sum() > 0 and np.all(cool <= cap + 1e-9)
    np.testing.assert_allclose(cool, cop * h["abs.drive_heat_kw_th"], atol=1e-9)
    assert cop[cool > 0].min() < 0.7 - 1e-3  # warm hours run below the rated COP


def test_a_sweep_of_the_chp_absorber_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path):
    # Plumbing: a CHP-driven chiller's rating is a size (HeatSizes.cabs_kw, its hourly capacity per kW_th of rating
    # in HeatSystem.cabs_per_kw): the fast path's rows, on the characteristic equation, equal the whole path's.
    d = with_trigeneration(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")), 100.0, model="characteristic_equation")
    file = tmp_path / "trigen.yaml"
    file.write_text(yaml.safe_dump(d), encoding="utf-8")
    col = "absorption_chillers[0].capacity_q_kw_th"
    paths = both_paths(file, [f"{col}=0:200:3"], tmp_path, verdicts=False)
    rows = {p: r.sort_values(col).reset_index(drop=True) for p, r in zip(("auto", "whole"), paths, strict=True)}
    for c in ("grid_import_e_kwh", "chp_e_kwh", "total_consumption_e_kwh"):
        np.testing.assert_allclose(rows["auto"][c].to_numpy(float), rows["whole"][c].to_numpy(float), rtol=1e-12)
    load = rows["auto"]["total_consumption_e_kwh"].to_numpy()
    assert load[0] > load[1] > load[2]  # a bigger chiller spares the hall's chillers more
