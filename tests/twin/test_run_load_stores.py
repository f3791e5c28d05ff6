"""Cold stores and air receivers through the whole run: the bus, the heat table, the kpis, the field paths.

The default factory without its battery (so that the store is the only thing moving electricity in time), a
packing hall cooled by electric chillers (COP 4, 60 kW/K above 24 C) with an ice tank beside them (2 000 kWh_th,
400 kW_th each way, 0.5 % an hour, ice made at COP 3, valley grid charging), and a 100 m3 air receiver between
10 and 6 bar(g) on the production load's compressors (0.11 kWh/m3, 0.12 while charging to 10 bar).
"""

import numpy as np
import pytest
import yaml
from support.scenario_files import DEFAULT, write
from support.sweeps import assert_same_columns, both_paths

from lingtan.components.load_storage import (
    AirReceiver,
    band_keep_per_hour,
    receiver_free_air_m3,
    setpoint_band_kwh_th,
)
from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import load_store_columns
from lingtan.twin.run import simulate

HALL = {
    "name": "hall",
    "ua_kw_per_k": 60,
    "setpoint_heating_c": 14,
    "setpoint_cooling_c": 24,
    "t_c": 45,
    "heating": False,
    "cooling": True,
    "cooling_cop": 4.0,
}
ICE = {
    "name": "ice",
    "serves": "hall",
    "medium": "ice",
    "capacity_kwh_th": 2000,
    "loss_fraction_per_hour": 0.005,
    "charge_q_kw_th": 400,
    "discharge_q_kw_th": 400,
    "charge_cop": 3.0,
    "grid_charge": True,
}
RECEIVER = {
    "name": "rx",
    "serves": "production",
    "volume_m3": 100,
    "p_max_bar": 10,
    "p_min_bar": 6,
    "specific_power_kwh_per_m3": 0.11,
    "charge_specific_power_kwh_per_m3": 0.12,
    "charge_m3_per_h": 600,
}


def factory(stores: bool) -> dict:
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["battery"] = []
    d["space"] = [dict(HALL)]
    if stores:
        d["cold_stores"] = [dict(ICE)]
        d["air_receivers"] = [dict(RECEIVER)]
    return d


@pytest.fixture(scope="module")
def runs():
    sc = scenario_from_dict(factory(True))
    return sc, simulate(sc, DEFAULT.parent), simulate(scenario_from_dict(factory(False)), DEFAULT.parent)


def test_formulas_by_hand():
    # 100 t of frozen goods at 1.8 kJ/(kg K) over 3 K: 1e5 * 1.8 * 3 / 3600 = 150 kWh_th; held 1 K below setpoint
    # (50 kWh_th) in a room gaining 2 kW/K, the goods lose 2 kWh an hour of their 50: exp(-2 / 50) kept.
    assert setpoint_band_kwh_th(1e5, 1.8, 3.0) == pytest.approx(150.0, rel=1e-12)
    assert band_keep_per_hour(2.0, 50.0) == pytest.approx(np.exp(-0.04), rel=1e-12)
    # 20 m3 from 9 to 6 bar(g) give 20 * 3 / 1.01325 = 59.215 m3 of free air (MEASUR's usable capacity).
    assert receiver_free_air_m3(20.0, 9.0, 6.0) == pytest.approx(59.2154, rel=1e-5)
    assert AirReceiver(**RECEIVER).capacity() == pytest.approx(100 * 4 / 1.01325, rel=1e-12)


def test_the_load_moves_by_what_the_stores_draw_and_spare(runs):
    # Each hour the site's load is the one without the stores, plus the electricity their charging drew, less the
    # electricity their loads were spared; the table's product flows are those at the two factors.
    sc, r, r0 = runs
    h = r.hourly_heat
    moved = np.zeros(len(h))
    for store in (*sc.cold_stores, *sc.air_receivers):
        c = {q: h[name].to_numpy() for q, name in load_store_columns(store).items()}
        moved += c["p_charge_kw"] - c["p_relief_kw"]
        assert c["p_relief_kw"].sum() > 1000 and c["p_charge_kw"].sum() > 1000  # both stores work
    np.testing.assert_allclose(r.hourly.load_kw, r0.hourly.load_kw + moved, atol=1e-9)
    # ice: 3 kWh_th made per kWh drawn, 4 per kWh spared (the hall's chillers' COP)
    np.testing.assert_allclose(h["ice.cooling_in_kw_th"], 3.0 * h["ice.p_charge_kw"], atol=1e-9)
    np.testing.assert_allclose(h["ice.cooling_out_kw_th"], 4.0 * h["ice.p_relief_kw"], atol=1e-9)
    # air: 1 / 0.12 m3 per kWh charging, 1 / 0.11 per kWh the compressors rest
    np.testing.assert_allclose(h["rx.air_in_m3"], h["rx.p_charge_kw"] / 0.12, atol=1e-9)
    np.testing.assert_allclose(h["rx.air_out_m3"], h["rx.p_relief_kw"] / 0.11, atol=1e-9)


def test_ice_moves_the_chillers_from_the_peak_to_the_valley(runs):
    # The ice is made in the valley (and on renewable surplus) and spares the chillers outside it: peak-period
    # import falls by the electricity spared there, valley import rises by what the ice took there.
    sc, r, r0 = runs
    k = r.kpis["load_stores"]["ice"]
    assert k["relief_e_kwh_valley"] == 0.0
    assert k["charge_e_kwh_valley"] > 0.9 * (k["charge_e_kwh"] - k["surplus_e_kwh"])
    # the hall is cooled in summer only: the ice holds only the next day's cooling, so winter nights make none
    h = r.hourly_heat
    jan = h.index.month == 1
    assert h.loc[jan, "ice.p_charge_kw"].sum() == 0.0
    # the kpis are the table's sums
    assert k["discharge_e_kwh_th"] == pytest.approx(float(h["ice.cooling_out_kw_th"].sum()), rel=1e-12)
    assert k["net_e_kwh"] == pytest.approx(k["charge_e_kwh"] - k["relief_e_kwh"], rel=1e-12)
    # making ice at COP 3 to spare chillers at COP 4, with losses, costs electricity overall but cuts the bill
    assert k["net_e_kwh"] > 0
    assert r.kpis["grid_bill_cny"]["total_cny"] < r0.kpis["grid_bill_cny"]["total_cny"]


@pytest.mark.parametrize(
    ("group", "entry", "path", "fragment"),
    [
        ("cold_stores", dict(ICE, serves="hal"), "cold_stores[0].serves", "'hal'"),
        ("cold_stores", {k: v for k, v in ICE.items() if k != "charge_cop"}, "cold_stores[0].charge_cop", "ice"),
        (
            "cold_stores",
            dict(ICE, medium="setpoint_band", capacity_kwh_th=None, loss_fraction_per_hour=None, mass_kg=1e5),
            "cold_stores[0].specific_heat_kj_per_kg_k",
            "setpoint_band",
        ),
        ("air_receivers", dict(RECEIVER, p_min_bar=11), "air_receivers[0].p_min_bar", "below p_max_bar"),
        ("air_receivers", dict(RECEIVER, serves="compressors"), "air_receivers[0].serves", "'compressors'"),
    ],
)
def test_field_paths(tmp_path, capsys, group, entry, path, fragment):
    d = factory(False)
    d[group] = [{k: v for k, v in entry.items() if v is not None}]
    p = write(tmp_path, d)
    assert main(["check", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and path in err and fragment in err, err


def test_a_linear_programme_refuses_them(tmp_path, capsys):
    d = factory(True)
    battery = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))["battery"]
    d["battery"] = [dict(battery[0], dispatch="optimal")]
    p = write(tmp_path, d)
    assert main(["run", str(p), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "cold_stores[0]" in err and "linear programme" in err, err


def test_a_sweep_of_their_sizes_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path):
    # Plumbing: capacities and the receiver's volume are sizes (HeatSizes.ls_size): the fast path's kernel runs each
    # case's own, and its rows equal those of the scenarios built and run one by one.
    from lingtan.twin.studies.sweep import read_results, run_sweep

    file = write(tmp_path, factory(True), "stores.yaml")
    params = ["cold_stores[0].capacity_kwh_th=0:4000:3", "air_receivers[0].volume_m3=10:200:2"]
    rows = {}
    for path in ("auto", "whole"):
        out = tmp_path / path
        s = run_sweep(file, params, out=out, path=path, jobs=1, progress=False, verdicts=False)
        assert s["path"] == ("fast" if path == "auto" else "whole")
        rows[path] = read_results(out).sort_values([p.split("=")[0] for p in params]).reset_index(drop=True)
    for c in ("grid_import_e_kwh", "total_consumption_e_kwh", "grid_bill_cny.total_cny"):
        np.testing.assert_allclose(rows["auto"][c].to_numpy(float), rows["whole"][c].to_numpy(float), rtol=1e-12)
    bill = rows["auto"]["grid_bill_cny.total_cny"].to_numpy()
    assert len(set(np.round(bill, 3))) == 6  # every case its own


def test_the_hall_s_cooling_is_shared_and_checked(runs):
    # The hall's cooling each hour: the ice's, and the chillers' the rest (no absorption chiller here); the kpis sum
    # the table. A table whose chillers would cool less than nothing is refused by the balance check.
    from lingtan.errors import BalanceError
    from lingtan.twin.core.tables import check_heat_balance
    from lingtan.twin.run import build_profiles

    sc, r, _ = runs
    h = r.hourly_heat
    parts = sum(h[f"hall.cooling_from_{q}_kw_th"] for q in ("absorption", "store", "chillers"))
    np.testing.assert_allclose(h["hall.cooling_demand_kw_th"], parts, atol=1e-9)
    np.testing.assert_allclose(h["hall.cooling_from_store_kw_th"], h["ice.cooling_out_kw_th"], atol=1e-12)
    assert h["hall.cooling_from_chillers_kw_th"].min() >= -1e-9
    assert r.kpis["heat"]["cooling"]["hall"]["from_store_e_kwh_th"] == pytest.approx(
        float(h["ice.cooling_out_kw_th"].sum()), rel=1e-12
    )
    setup = build_profiles(sc, DEFAULT.parent).heat
    bad = h.copy()
    bad["hall.cooling_from_chillers_kw_th"] -= 1.0
    with pytest.raises(BalanceError):
        check_heat_balance(bad, setup, np.zeros(0))


def test_ice_beside_trigeneration_cools_what_the_absorber_cannot():
    # The CHP test's engine drives a 100 kW_th absorption chiller on a hall cooled by chillers of COP 4
    # (tests/twin/test_run_chp.py), and the ice tank above serves the same hall. Each hour the store may spare only
    # what the absorber could not cool at its rating: p_load = max(0, cooling - min(cooling, 100)) / 4; the hall's
    # cooling balance closes (the run's check refuses chillers cooling less than nothing), and the absorber still
    # cools on the engine's heat.
    from .test_run_chp import with_trigeneration

    d = with_trigeneration(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")), 100.0)
    d["battery"] = []
    d["cold_stores"] = [dict(ICE)]
    r = simulate(scenario_from_dict(d), DEFAULT.parent)
    h = r.hourly_heat
    demand = h["hall.cooling_demand_kw_th"].to_numpy()
    np.testing.assert_allclose(h["ice.p_load_kw"], np.maximum(demand - 100.0, 0.0) / 4.0, atol=1e-9)
    assert (h["ice.p_relief_kw"] <= h["ice.p_load_kw"] + 1e-9).all() and h["ice.p_relief_kw"].max() > 0
    assert h["abs.cooling_kw_th"].sum() > 0
    np.testing.assert_allclose(
        h["hall.cooling_from_absorption_kw_th"] + h["hall.cooling_from_store_kw_th"],
        h["hall.cooling_demand_kw_th"] - h["hall.cooling_from_chillers_kw_th"],
        atol=1e-9,
    )
    assert h["hall.cooling_from_chillers_kw_th"].min() >= -1e-9


def test_ice_beside_a_ground_source_heat_pump_cools_what_the_pump_cannot():
    # A reversible 100 kW_th heat pump on 2 x 2 boreholes heats offices and cools the hall first; the ice tank serves
    # only what it could not cool at its rating: p_load = max(0, cooling - 100) / 4. The loop's table shares the
    # hall's cooling between the pump, the store and the chillers, the chillers' electricity at COP 4 (checked by
    # the run), and the store's relief comes off the chillers' electricity, not the rest of the load: the bus and
    # the loop's balance close.
    d = factory(True)
    d["space"].append({"name": "offices", "ua_kw_per_k": 40, "setpoint_heating_c": 18, "t_c": 45})
    d["ground_loops"] = [
        {
            "name": "field",
            "boreholes_x": 2,
            "boreholes_y": 2,
            "spacing_m": 6,
            "length_m": 100,
            "conductivity_w_per_m_k": 2.0,
            "heat_capacity_mj_per_m3_k": 2.2,
            "t_ground_c": 18,
            "borehole_resistance_m_k_per_w": 0.1,
        }
    ]
    d["heat_pumps"] = [
        {"name": "gshp", "source": "field", "sink": "offices", "t_c": 45, "capacity_q_kw_th": 100, "cooling": "hall"}
    ]
    d["air_receivers"] = []
    r = simulate(scenario_from_dict(d), DEFAULT.parent)
    r0 = simulate(scenario_from_dict(dict(d, cold_stores=[])), DEFAULT.parent)
    h = r.hourly_heat
    demand = h["field.cooling_demand_kw_th"].to_numpy()
    # The store's charging is load; its relief is the chillers' (in the heat side's electricity), not the load's.
    np.testing.assert_allclose(r.hourly.load_kw - r0.hourly.load_kw, h["ice.p_charge_kw"], atol=1e-9)
    np.testing.assert_allclose(h["ice.p_load_kw"], np.maximum(demand - 100.0, 0.0) / 4.0, atol=1e-9)
    assert h["ice.p_relief_kw"].max() > 0 and (h["ice.p_relief_kw"] <= h["ice.p_load_kw"] + 1e-9).all()
    np.testing.assert_allclose(h["field.store_cooling_kw_th"], h["ice.cooling_out_kw_th"], atol=1e-9)
    parts = h["field.cooling_kw_th"] + h["field.store_cooling_kw_th"] + h["field.chiller_cooling_kw_th"]
    np.testing.assert_allclose(parts, demand, atol=1e-9)
    np.testing.assert_allclose(h["field.chiller_p_kw"] * 4.0, h["field.chiller_cooling_kw_th"], atol=1e-9)
    assert h["field.chiller_cooling_kw_th"].min() >= -1e-9


def test_a_judged_sweep_of_their_sizes_reads_each_case_s_store(tmp_path):
    # Plumbing: with verdicts, a site with a heat side runs each case through simulate_profiles on the sweep's
    # profiles; the tables, checks and KPIs must read the case's store, not the base one's (2 000 kWh_th and 100 m3
    # here: a bigger case failed its content check, a smaller one reported the base capacity and its cycles).
    file = write(tmp_path, factory(True), "stores.yaml")
    params = ["cold_stores[0].capacity_kwh_th=500:4000:2", "air_receivers[0].volume_m3=10:300:2"]
    a, b = both_paths(file, params, tmp_path)
    assert list(a.columns) == list(b.columns)
    assert_same_columns(a, b, a.columns)
    assert sorted(set(a["load_stores.ice.capacity_e_kwh_th"])) == [500.0, 4000.0]
