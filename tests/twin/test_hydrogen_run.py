"""Hydrogen in the dispatch kernel and a whole run: electrolysers on renewable surplus, the store, its uses.

Kernel cases: one electrolyser of 100 kW, 60 % efficient at rated load and 66 % at 20 % load (LHV), so per kW of
rating (components/hydrogen.py) slope = (0.60 - 0.2 x 0.66) / 0.8 = 0.585 and intercept = 0.60 - 0.585 = 0.015;
a store of 100 kg (cushion 10 kg, starting at 10 kg) whose compressor takes 2 kWh/kg; LHV 33.322 kWh/kg.
"""

import copy

import numpy as np
import pytest
import yaml
from support.kernels import bare_system
from support.scenario_files import DEFAULT

from lingtan.components.hydrogen import H2_LHV_KWH_PER_KG as LHV
from lingtan.components.hydrogen import Electrolyser, electrolyser_coefficients, electrolyser_h2
from lingtan.twin.core.dispatch import HeatSizes
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import check_electric_balance, check_heat_balance
from lingtan.twin.run import build_profiles, simulate

from .test_dispatch_heat import run

CELL = dict(name="cell", technology="alkaline", capacity_p_kw=100.0, efficiency=0.60, efficiency_min_load=0.66)


def h2_system(use_kg, min_load=0.2, ageing=0.0):
    e = Electrolyser(**CELL, min_load_fraction=min_load)
    return e, bare_system(
        len(use_kg),
        h2_params=np.array([[*electrolyser_coefficients(e), min_load, ageing, 0.0]]),
        h2_op0=np.zeros(1),
        h2_store_params=np.array([[2.0, 1.0]]),
        h2_use_kg=np.array([use_kg], float),
    )


def h2_sizes(capacity_kg=100.0):
    z = np.zeros((1, 0))
    return HeatSizes(z, z, z, z, z, h2_kw=np.array([[100.0]]), h2_store_kg=np.array([[[capacity_kg, 10.0, 10.0]]]))


def kg_at(p):
    # hydrogen [kg] an hour at input p [kW]: 100 (0.585 p / 100 + 0.015) / LHV
    return (0.585 * p + 1.5) / LHV


def test_surplus_makes_hydrogen_by_hand():
    # Load 50 kW. h0: renewables 200 -> surplus 150: full load, 100 kW, makes kg_at(100) = 1.7556 kg, whose
    #     compression takes 3.511 kW; the rest of the surplus (46.49 kW) is curtailed (no export).
    # h1: renewables 90 -> surplus 40: p + 2 kg_at(p) = 40 -> p (1 + 2 x 0.585 / LHV) = 40 - 2 x 1.5 / LHV,
    #     p = 38.57 kW >= 20 (min load).
    # h2: renewables 60 -> surplus 10 < 20 + compression: off. The use takes 1 kg an hour throughout.
    e, heat = h2_system([1.0, 1.0, 1.0])
    res, h, el = run([200, 90, 60], [50, 50, 50], heat, h2_sizes())
    p1 = (40 - 2 * 1.5 / LHV) / (1 + 2 * 0.585 / LHV)
    np.testing.assert_allclose(h["electrolyser0.p_kw"], [100, p1, 0], atol=1e-9)
    np.testing.assert_allclose(h["electrolyser0.h2_kg"], [kg_at(100), kg_at(p1), 0], atol=1e-12)
    np.testing.assert_allclose(h["electrolyser0.compression_kw"], 2 * h["electrolyser0.h2_kg"], atol=1e-12)
    np.testing.assert_allclose(el["re_to_h2"], [100 + 2 * kg_at(100), 40, 0], atol=1e-9)
    np.testing.assert_allclose(el["re_curtailed"], [150 - 100 - 2 * kg_at(100), 0, 10], atol=1e-9)
    # The store: 10 + 1.7556 - 1 = 10.7556... then + kg_at(p1) - 1; at h2 only what is above the 10 kg cushion
    # goes to the use, the rest of its 1 kg is unmet.
    m1 = 10 + kg_at(100) - 1
    m2 = m1 + kg_at(p1) - 1
    np.testing.assert_allclose(h["h2store0.m_kg"], [m1, m2, 10.0], atol=1e-12)
    np.testing.assert_allclose(h["h2store0.offtake_kg"], [1, 1, m2 - 10], atol=1e-12)
    np.testing.assert_allclose(h["h2store0.unmet_kg"], [0, 0, 1 - (m2 - 10)], atol=1e-12)
    # Against the component's own line, new stack.
    np.testing.assert_allclose(h["electrolyser0.h2_kg"], electrolyser_h2(h["electrolyser0.p_kw"], e)[1], atol=1e-12)


def test_the_store_room_the_cushion_and_ageing():
    # A store of 11 kg holds 1 kg of room: the surplus of 1000 kW could run 100 kW, but the room caps the input
    # at kg_at(p) = 1, p = (LHV - 1.5) / 0.585 = 54.4 kW. The use wants 5 kg a step and finds 1 kg above the
    # 10 kg cushion: 4 kg unmet.
    e, heat = h2_system([5.0])
    res, h, el = run([1050], [50], heat, h2_sizes(capacity_kg=11.0))
    np.testing.assert_allclose(h["electrolyser0.p_kw"], [(LHV - 1.5) / 0.585], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.unmet_kg"], [4.0], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.m_kg"], [10.0], atol=1e-9)
    # Ageing 1 %/kh (1e-5 an hour): after 2 hours at full load the third makes (1 - 2e-5) of a new stack's.
    e, heat = h2_system([0.0] * 3, ageing=1e-5)
    res, h, el = run([1000] * 3, [0] * 3, heat, h2_sizes(capacity_kg=1e6))
    np.testing.assert_allclose(h["electrolyser0.h2_kg"], kg_at(100) * np.array([1, 1 - 1e-5, 1 - 2e-5]), atol=1e-12)


DATA = dict(
    electrolysers=[dict(CELL, capacity_p_kw=2000.0)],
    hydrogen_stores=[{"name": "tanks", "capacity_kg": 2000, "compression_kwh_per_kg": 2.0}],
    hydrogen_uses=[{"name": "trucks", "kind": "vehicles", "kg_per_day": 200, "start_h": 20, "hours": 4}],
)


@pytest.fixture(scope="module")
def h2_run():
    # The default factory with 30 MWp of PV (so there is surplus), a 2 MW electrolyser, 2 t of tanks and hydrogen
    # trucks taking 200 kg every evening.
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["pv"][0]["capacity_kwp"] = 30000
    base = copy.deepcopy(d)
    d.update(copy.deepcopy(DATA))
    sc = scenario_from_dict(d)
    return sc, simulate(sc, DEFAULT.parent), simulate(scenario_from_dict(base), DEFAULT.parent)


def test_a_year_of_green_hydrogen(h2_run):
    # The surplus into the electrolyser is renewable consumed on site: the on-site share rises by exactly that
    # energy over the consumption, and export plus curtailment fall by it. Every balance closes from the tables.
    sc, r, r0 = h2_run
    k, k0 = r.kpis, r0.kpis
    h2 = k["hydrogen"]
    assert h2["made_kg"] > 1000 and h2["renewable_share"] == 1.0
    assert k["hydrogen_e_kwh"] == pytest.approx(h2["electricity_e_kwh"], rel=1e-9)
    assert (k0["grid_export_e_kwh"] + k0["curtailed_e_kwh"]) - (k["grid_export_e_kwh"] + k["curtailed_e_kwh"]) == (
        pytest.approx(k["hydrogen_e_kwh"], rel=1e-9)
    )
    assert k["re_consumed_e_kwh"] - k0["re_consumed_e_kwh"] == pytest.approx(k["hydrogen_e_kwh"], rel=1e-9)
    assert h2["offtake_kg"] + h2["unmet_kg"] == pytest.approx(200 * 365, rel=1e-12)
    prof = build_profiles(sc, DEFAULT.parent)
    assert check_electric_balance(r.hourly) <= 1e-6
    assert check_heat_balance(r.hourly_heat, prof.heat, np.zeros(0)) <= 1e-6
    np.testing.assert_allclose(
        r.hourly.pv_to_h2_kw, (r.hourly_heat["cell.p_kw"] + r.hourly_heat["cell.compression_kw"]), atol=1e-9
    )


def test_hydrogen_refusals_name_the_field():
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d.update(copy.deepcopy(DATA))
    d["hydrogen_stores"][0]["name"] = "cell"  # the electrolyser's name: their heat-table columns would collide
    with pytest.raises(Exception, match=r"hydrogen_stores\[0\]\.name"):
        scenario_from_dict(d)
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["electrolysers"] = [dict(CELL)]
    with pytest.raises(Exception, match=r"hydrogen_stores"):
        scenario_from_dict(d)
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d.update(copy.deepcopy(DATA))
    d["electrolysers"][0]["efficiency"] = 0.05  # below 0.15 (alkaline minimum load) x 0.66: hydrogen falling
    with pytest.raises(Exception, match=r"electrolysers\[0\]"):
        scenario_from_dict(d)


def test_a_hydrogen_sweep_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path):
    # Plumbing: the electrolyser's rating and the store's capacity are sizes (HeatSizes): the fast path's rows
    # equal those of scenarios built and run one by one.
    from lingtan.twin.studies.sweep import read_results, run_sweep

    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["pv"][0]["capacity_kwp"] = 30000
    d.update(copy.deepcopy(DATA))
    file = tmp_path / "h2.yaml"
    file.write_text(yaml.safe_dump(d), encoding="utf-8")
    cols = ["electrolysers[0].capacity_p_kw", "hydrogen_stores[0].capacity_kg"]
    rows = {}
    for path in ("auto", "whole"):
        out = tmp_path / path
        s = run_sweep(
            file, [f"{cols[0]}=1000:2000:2", f"{cols[1]}=500:4000:2"], out=out, path=path, jobs=1, progress=False
        )
        assert s["path"] == ("fast" if path == "auto" else "whole")
        rows[path] = read_results(out).sort_values(cols).reset_index(drop=True)
    for c in ("hydrogen_e_kwh", "grid_import_e_kwh", "curtailed_e_kwh"):
        np.testing.assert_allclose(rows["auto"][c].to_numpy(float), rows["whole"][c].to_numpy(float), rtol=1e-12)
    e = rows["auto"].groupby(cols[1])["hydrogen_e_kwh"].max()
    assert e[4000] > e[500] > 0  # a larger store takes more surplus
    assert rows["auto"].groupby(cols[0])["hydrogen_e_kwh"].max()[2000] > e[500]  # as a larger electrolyser does


def test_hydrogen_is_carried_hourly_only():
    # The store's kilograms are per hourly step: a 15-minute scenario is refused naming time_step_min.
    from lingtan.errors import InputError

    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d.update(copy.deepcopy(DATA), time_step_min=15)
    with pytest.raises(InputError, match="time_step_min"):
        build_profiles(scenario_from_dict(d), DEFAULT.parent, any_step=True)


def with_fuel_cell(heat, cap_kw=50.0):
    # A PEM fuel cell, 50 % electric and 40 % heat efficient at full load, 35 % / 45 % at its 10 % minimum load
    # (LHV): hydrogen per kW of rating 2.0 x at full load (1 / 0.5) and 0.1 / 0.35 at 10 %.
    from dataclasses import replace

    from lingtan.components.hydrogen import FuelCell, fuel_cell_coefficients

    fc = FuelCell(
        name="fc",
        capacity_p_kw=cap_kw,
        electric_efficiency=0.5,
        electric_efficiency_min_load=0.35,
        heat_efficiency=0.4,
        heat_efficiency_min_load=0.45,
        min_load_fraction=0.1,
        t_c=60.0,
    )
    t = heat.residual_kw_th.shape[1]
    return (
        fc,
        replace(
            heat,
            fc_params=np.array([[*fuel_cell_coefficients(fc), 0.1]]),
            fc_serves=np.zeros((1, heat.residual_kw_th.shape[0]), bool),
        ),
        t,
    )


def test_a_fuel_cell_serves_the_deficit_from_the_store_by_hand():
    # The store starts at its 10 kg cushion. h0: load 30, no renewables, nothing above the cushion: the grid gives
    # 30. h1, h2: 200 kW of renewables over 20 kW of load run the electrolyser at full load, 2 x kg_at(100) =
    # 3.51 kg (the cell has no deficit to serve). h3: load 30, no renewables: the cell makes 30 kW (x = 0.6; the
    # hydrogen above the cushion would carry x = 1.18) from 50 (a 0.6 + b) / LHV kg; the grid gives nothing.
    from dataclasses import replace

    from lingtan.components.hydrogen import fuel_cell_flows

    e, heat = h2_system([0.0] * 4)
    fc, heat, _ = with_fuel_cell(heat)
    sizes = replace(h2_sizes(), fc_kw=np.array([[50.0]]))
    res, h, el = run([0, 200, 200, 0], [30, 20, 20, 30], heat, sizes)
    np.testing.assert_allclose(h["fuel_cell0.p_kw"], [0, 0, 0, 30], atol=1e-9)
    _, kg, heat_kw = fuel_cell_flows(np.array([30.0]), fc)
    np.testing.assert_allclose(h["fuel_cell0.h2_kg"], [0, 0, 0, kg[0]], atol=1e-12)
    np.testing.assert_allclose(h["fuel_cell0.heat_dumped"], [0, 0, 0, heat_kw[0]], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.fuel_cell_kg"], [0, 0, 0, kg[0]], atol=1e-12)
    np.testing.assert_allclose(el["fc_to_load"], [0, 0, 0, 30], atol=1e-9)
    np.testing.assert_allclose(el["grid_to_load"], [30, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.m_kg"][3], 10 + 2 * kg_at(100) - kg[0], atol=1e-12)
    assert res.total("max_bus_residual")[0] < 1e-9 and res.total("max_heat_residual")[0] < 1e-9


def test_a_year_with_a_fuel_cell(tmp_path):
    # The green-hydrogen factory with a 300 kW fuel cell: its electricity comes out of the store's hydrogen and
    # its heat table checks close; the consumption does not count the cell's electricity again.
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["pv"][0]["capacity_kwp"] = 30000
    d.update(copy.deepcopy(DATA))
    d["hydrogen_uses"] = []
    d["fuel_cells"] = [
        {
            "name": "fc",
            "capacity_p_kw": 300,
            "electric_efficiency": 0.5,
            "electric_efficiency_min_load": 0.35,
            "heat_efficiency": 0.4,
            "heat_efficiency_min_load": 0.45,
            "t_c": 60,
        }
    ]
    sc = scenario_from_dict(d)
    r = simulate(sc, DEFAULT.parent)
    k = r.kpis
    assert k["fuel_cell_e_kwh"] > 0
    assert k["hydrogen"]["fuel_cell_kg"] == pytest.approx(float(r.hourly_heat["fc.h2_kg"].sum()), rel=1e-12)
    assert check_heat_balance(r.hourly_heat, build_profiles(sc, DEFAULT.parent).heat, np.zeros(0)) <= 1e-6
    assert check_electric_balance(r.hourly) <= 1e-6
    imp = k["grid_import_e_kwh"]
    assert k["total_consumption_e_kwh"] == pytest.approx(imp + k["re_consumed_e_kwh"], rel=1e-12)
