"""Flexibility for a virtual power plant: hand-worked steps, a property of every step, and a whole run.

Hand cases are worked on paper with the definitions of ``lingtan.twin.studies.flexibility``: the energy at a
step's start is the previous row's (the first step's from ``soc_initial``); upward, the battery offers
``max(0, min(P_dis, (e - e_min) * eta_d / d) - discharge) + charge``, downward
``max(0, min(P_ch, (e_max - e) / (eta_c * d)) - charge) + discharge``; a power-to-heat unit offers the bus
electricity a store at least as hot could stand in for, ``min(p_base, h / COP)``, the store's heat
``h = min(e_store / d, discharge limit - discharge)`` handed to the units in scenario order.
"""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lingtan.components.battery import Battery
from lingtan.components.heat import AMBIENT_AIR, Boiler, HeatPump, ThermalStorage
from lingtan.twin.cli import main
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
from lingtan.twin.reports.summary import park_summary, summary_table
from lingtan.twin.run import simulate
from lingtan.twin.studies.flexibility import (
    COLUMNS,
    NOT_MODELLED,
    battery_flexibility_kw,
    by_hour_of_day,
    flexibility_report,
    park_flexibility_report,
    power_to_heat_flexibility_kw,
)
from lingtan.twin.studies.park import simulate_park

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"

# 1000 kWh, window 0.1 .. 0.5 (e_min 100, e_max 500 kWh), 150 kW each way, 95 % each way, starts at 300 kWh.
BATTERY = Battery(name="b", energy_kwh=1000, power_kw=150, soc_min=0.1, soc_max=0.5, soc_initial=0.3)


def _index(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2025-01-01", periods=n, freq="h", tz="Asia/Shanghai", name="time")


def _battery_table() -> pd.DataFrame:
    # h0: idle, ends at 300 kWh. h1: PV 40 kW and grid 20 kW in, ends at 300 + 60 * 0.95 = 357 kWh.
    # h2: 70 + 30 kW out to the load, ends at 357 - 100 / 0.95 = 251.737 kWh.
    return pd.DataFrame(
        {
            "load_kw": [500.0, 500.0, 500.0],
            "pv_to_battery_kw": [0.0, 40.0, 0.0],
            "grid_to_battery_kw": [0.0, 20.0, 0.0],
            "battery_re_to_load_kw": [0.0, 0.0, 70.0],
            "battery_grid_to_load_kw": [0.0, 0.0, 30.0],
            "battery_e_kwh": [300.0, 357.0, 357.0 - 100.0 / 0.95],
        },
        index=_index(3),
    )


@pytest.mark.parametrize(
    ("d", "up", "down"),
    [
        # h0, e = 300: up min(150, (300 - 100) * 0.95 / 1 = 190) = 150; down min(150, (500 - 300) / 0.95 = 210.5)
        #   = 150.
        # h1, e = 300, charging 60: up 150 + 60 = 210; down max(0, 150 - 60) = 90.
        # h2, e = 357, discharging 100: up max(0, min(150, 257 * 0.95 = 244.15) - 100) = 50;
        #   down min(150, 143 / 0.95 = 150.53) + 100 = 250.
        (1, [150.0, 210.0, 50.0], [150.0, 90.0, 250.0]),
        # 2 h: up 190 / 2 = 95; 95 + 60 = 155; 244.15 / 2 - 100 = 22.075.
        #   down 200 / 1.9 = 105.263; 105.263 - 60 = 45.263; 143 / 1.9 + 100 = 175.263.
        (2, [95.0, 155.0, 22.075], [200 / 1.9, 200 / 1.9 - 60, 143 / 1.9 + 100]),
        # 4 h: up 190 / 4 = 47.5; 47.5 + 60 = 107.5; 61.04 - 100 < 0: 0.
        #   down 200 / 3.8 = 52.632; 52.632 - 60 < 0: 0; 143 / 3.8 + 100 = 137.632.
        (4, [47.5, 107.5, 0.0], [200 / 3.8, 0.0, 143 / 3.8 + 100]),
    ],
)
def test_battery_hand_case(d, up, down):
    got_up, got_down = battery_flexibility_kw(_battery_table(), BATTERY, d)
    np.testing.assert_allclose(got_up, up, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(got_down, down, rtol=1e-12, atol=1e-9)


HP = HeatPump(name="hp", source=AMBIENT_AIR, t_c=65, capacity_q_kw_th=500)
EB = Boiler(name="eb", fuel="electric", efficiency=1.0, capacity_q_kw_th=500, t_c=80, electricity="any")
# 400 kWh_th at 90 C, 100 kW_th out, starts half full (200 kWh_th); a cold store at 50 C covers neither unit.
HOT = ThermalStorage(name="hot", capacity_kwh_th=400, charge_kw_th=100, discharge_kw_th=100, t_c=90, soc_initial=0.5)
COLD = ThermalStorage(name="cold", capacity_kwh_th=9000, charge_kw_th=9000, discharge_kw_th=9000, t_c=50)


def _heat_table() -> pd.DataFrame:
    # hp: 10 kW bus + 10 kW surplus make 60 + 20 kW_th: COP 80 / 20 = 4, 40 kW_th on bus power.
    # eb: 50 kW bus makes 50 kW_th: COP 1.
    # hot: h0 gives 20 kW_th (ends at 180), h1 idle (ends at 180).
    return pd.DataFrame(
        {
            "hp.heat_to_demand_kw_th": [60.0, 60.0],
            "hp.heat_to_storage_kw_th": [20.0, 20.0],
            "hp.p_base_kw": [10.0, 10.0],
            "hp.p_surplus_kw": [10.0, 10.0],
            "eb.heat_to_demand_kw_th": [50.0, 50.0],
            "eb.heat_to_storage_kw_th": [0.0, 0.0],
            "eb.p_base_kw": [50.0, 50.0],
            "eb.p_surplus_kw": [0.0, 0.0],
            "hot.discharge_kw_th": [20.0, 0.0],
            "hot.e_kwh_th": [180.0, 180.0],
            "cold.discharge_kw_th": [0.0, 0.0],
            "cold.e_kwh_th": [9000.0, 9000.0],
        },
        index=_index(2),
    )


@pytest.mark.parametrize(
    ("d", "hp", "eb"),
    [
        # h0: store heat min(200 / 1, 100 - 20 = 80) = 80 kW_th: hp first, 40 kW_th / 4 = 10 kW; eb the other
        #   40 kW_th / 1 = 40 kW. h1: min(180, 100) = 100: hp 10 kW; eb min(50, 60) = 50 kW.
        (1, [10.0, 10.0], [40.0, 50.0]),
        # h0: min(200 / 2 = 100, 80) = 80: hp 10, eb 40. h1: min(90, 100) = 90: hp 10, eb 50.
        (2, [10.0, 10.0], [40.0, 50.0]),
        # h0: min(200 / 4 = 50, 80) = 50: hp 10, eb 10. h1: 180 / 4 = 45: hp 10, eb 5.
        (4, [10.0, 10.0], [10.0, 5.0]),
    ],
)
def test_power_to_heat_hand_case(d, hp, eb):
    got = power_to_heat_flexibility_kw(_heat_table(), [HP, EB], [HOT, COLD], d)
    np.testing.assert_allclose(got["hp"], hp, atol=1e-9)
    np.testing.assert_allclose(got["eb"], eb, atol=1e-9)


def test_power_to_heat_needs_a_store_at_least_as_hot():
    # Only the 50 C store: it cannot serve what a 65 C heat pump or an 80 C boiler serves.
    assert power_to_heat_flexibility_kw(_heat_table(), [HP, EB], [COLD], 1) == {}


def test_by_hour_of_day_hand_case():
    # Two days; at 00:00 the battery offers 10 then 30 kW, the heat pump 5 then 5: total 15 then 35.
    # P10 interpolates between the two days: 10 + 0.1 * (30 - 10) = 12; total 15 + 0.1 * 20 = 17.
    index = pd.date_range("2025-01-01", periods=48, freq="h", tz="Asia/Shanghai")
    bat, hp = np.zeros(48), np.zeros(48)
    bat[[0, 24]], hp[[0, 24]] = [10.0, 30.0], [5.0, 5.0]
    out = by_hour_of_day(index, {"battery": bat, "power_to_heat:hp": hp}).set_index(["hour", "asset"])
    assert out.loc[(0, "battery")].tolist() == pytest.approx([20.0, 12.0, 10.0])
    assert out.loc[(0, "total")].tolist() == pytest.approx([25.0, 17.0, 15.0])
    assert out.loc[(1, "total")].tolist() == [0.0, 0.0, 0.0]
    assert len(out) == 24 * 3


def test_nothing_to_offer():
    # No battery, no heat side: zero everywhere, no best hour, and the assets list says none was counted.
    site = SimpleNamespace(battery=[], heat_pumps=[], boilers=[], thermal_storage=[])
    rep = flexibility_report(site, pd.DataFrame({"load_kw": np.ones(48)}, index=_index(48)), pd.DataFrame())
    assert rep.summary["assets"] == {"up": [], "down": []}
    assert rep.summary["up"]["4h"] == {"p10_kw": 0.0, "best_hour": None, "best_hour_mean_kw": 0.0}
    assert set(rep.table.asset) == {"total"} and not rep.table[["mean_kw", "p10_kw", "min_kw"]].to_numpy().any()
    assert len(rep.table) == 2 * 3 * 24


@settings(max_examples=200, deadline=None)
@given(
    energy=st.floats(1.0, 1e4),
    window=st.tuples(st.floats(0.0, 0.5), st.floats(0.5, 1.0)).filter(lambda w: w[0] < w[1]),
    p_ch=st.floats(0.0, 5e3),
    p_dis=st.floats(0.0, 5e3),
    eta=st.tuples(st.floats(0.5, 1.0), st.floats(0.5, 1.0)),
    seed=st.integers(0, 2**31),
    d=st.sampled_from([1, 2, 4]),
)
def test_battery_never_offers_more_than_its_limit_and_its_schedule(energy, window, p_ch, p_dis, eta, seed, d):
    # Up can never pass the discharge limit plus the charge it stops; down the charge limit plus the discharge.
    rng = np.random.default_rng(seed)
    n = 48
    b = Battery(
        name="b",
        energy_kwh=energy,
        charge_power_kw=p_ch,
        discharge_power_kw=p_dis,
        charge_efficiency=eta[0],
        discharge_efficiency=eta[1],
        soc_min=window[0],
        soc_max=window[1],
    )
    charge = rng.uniform(0, p_ch, n) * (rng.random(n) < 0.5)
    discharge = rng.uniform(0, p_dis, n) * (rng.random(n) < 0.5)
    table = pd.DataFrame(
        {
            "grid_to_battery_kw": charge * 0.3,
            "pv_to_battery_kw": charge * 0.7,
            "battery_re_to_load_kw": discharge,
            "battery_e_kwh": rng.uniform(window[0], window[1], n) * energy,
        },
        index=_index(n),
    )
    up, down = battery_flexibility_kw(table, b, d)
    tol = 1e-9 * (1 + p_ch + p_dis)
    assert (up >= 0).all() and (down >= 0).all()
    assert (up <= p_dis + charge + tol).all()
    assert (down <= p_ch + discharge + tol).all()


# ---------------------------------------------------------------------------------------- a whole run


@pytest.fixture(scope="module")
def default_run():
    return simulate(load_scenario(DEFAULT), DEFAULT.parent)


def test_default_run_within_limits(default_run):
    # The shipped plant (4 MW / 8 MWh): every step's offer within its limit and schedule, as on random tables.
    b, h = default_run.scenario.battery[0], default_run.hourly
    charge = h.filter(regex="_to_battery_kw$").sum(axis=1).to_numpy()
    up, _ = battery_flexibility_kw(h, b, 1)
    assert (up <= b.discharge_kw + charge + 1e-6).all()
    assert up.max() > 0


def test_run_writes_flexibility(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(DEFAULT), "--out", str(out), "--quiet", "--reports", "none", "--no-lp-optimum"]) == 0
    table = pd.read_csv(out / "flexibility.csv")
    flex = json.loads((out / "kpis.json").read_text(encoding="utf-8"))["flexibility"]
    assert tuple(table.columns) == COLUMNS
    # 2 directions x 3 durations x 24 hours x (battery, total).
    assert len(table) == 2 * 3 * 24 * 2
    assert flex["assets"] == {"up": ["battery"], "down": ["battery"]}
    assert flex["not_counted"] == [NOT_MODELLED]
    for direction in ("up", "down"):
        for d in (1, 2, 4):
            row = flex[direction][f"{d}h"]
            total = table[(table.direction == direction) & (table.duration_h == d) & (table.asset == "total")]
            assert row["best_hour"] == int(total.loc[total.mean_kw.idxmax(), "hour"])
            assert row["best_hour_mean_kw"] == pytest.approx(total.mean_kw.max(), rel=1e-12)
            assert 0.0 <= row["p10_kw"] <= total.mean_kw.max() + 1e-9
    # A longer offer is never larger: the stored energy is spread over more hours.
    up = table[(table.direction == "up") & (table.asset == "total")].pivot(index="hour", columns="duration_h")
    assert (up["mean_kw"][1] >= up["mean_kw"][2] - 1e-9).all() and (up["mean_kw"][2] >= up["mean_kw"][4] - 1e-9).all()


def test_report_and_summary_agree(default_run):
    rep = flexibility_report(default_run.scenario, default_run.hourly, default_run.hourly_heat)
    text = summary_table(default_run, "en")
    assert "Flexibility for a virtual power plant (battery), kW:" in text
    row = rep.summary["down"]["4h"]
    assert f"down (more import), held 4 h: P10 {row['p10_kw']:,.0f}; best hour {row['best_hour']:02d}:00" in text
    assert "虚拟电厂可调能力（电池储能），kW" in summary_table(default_run, "zh")


def test_park_adds_the_shared_battery_and_the_tenants(tmp_path):
    # A park's offer is its shared battery on the park bus plus every tenant's, step by step: a tenant's import is
    # the park's.
    data = {
        "name": "two tenants",
        "site": {"latitude": 31.87, "longitude": 117.23, "altitude_m": 27},
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei", "seed": 1},
        "grid": {"import_limit_kw": 30000, "tariff": "anhui_large_industry_2025", "emission_factor": "national_2022"},
        "tenants": [
            {
                "name": "a",
                "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 8e6}],
                "pv": [{"name": "roof", "capacity_kwp": 2000}],
                "battery": [{"name": "b", "energy_kwh": 1000, "power_kw": 500}],
            },
            {"name": "b", "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 6e6}]},
        ],
        "shared": {
            "pv": [{"name": "carport", "capacity_kwp": 3000}],
            "battery": [{"name": "c", "energy_kwh": 4000, "power_kw": 2000}],
        },
    }
    park = simulate_park(scenario_from_dict(data), ".")
    rep = park_flexibility_report(park)
    assert rep.summary["assets"]["down"] == ["shared:battery", "a:battery"]
    one = rep.table[(rep.table.direction == "down") & (rep.table.duration_h == 1)].pivot(
        index="hour", columns="asset", values="mean_kw"
    )
    np.testing.assert_allclose(one["total"], one["shared:battery"] + one["a:battery"], rtol=1e-12)
    # The shared battery's own offer is the lone-site formula on the park bus.
    _, down = battery_flexibility_kw(park.bus, park.park.shared.battery[0], 1)
    assert one["shared:battery"].mean() == pytest.approx(down.mean(), rel=1e-12)
    assert "园区共享 电池储能、a 电池储能" in park_summary(park, "zh")


def test_a_cold_store_by_hand():
    # A tank of 300 kWh_th beside chillers of COP 4 (serving) and 3 (charging), 150 kW_th in, empty at the start.
    # step 0: empty, so nothing to spare; charging 10 kW -> up 10; down: min(150, 300 / 1) / 3 = 50 kW of charging
    #   less the 10 already drawn -> 40.
    # step 1: 120 kWh_th held; the load's 40 kW of which 30 already spared: up min(10, 120 / 4) = 10; down
    #   min(150, 180) / 3 = 50 more charging plus the 30 spared (the chillers run again) = 80. Held 2 h: up
    #   min(10, 120 / 8 = 15) = 10, down min(150, 180 / 2) / 3 + 30 = 60 (step 0: min(150, 300 / 2) / 3 - 10 = 40).
    from lingtan.components.load_storage import ColdStore
    from lingtan.twin.studies.flexibility import load_store_flexibility_kw

    store = ColdStore(
        name="tank",
        serves="hall",
        medium="chilled_water",
        capacity_kwh_th=300,
        loss_fraction_per_hour=0.0,
        charge_q_kw_th=150,
        discharge_q_kw_th=200,
        serve_cop=4.0,
        charge_cop=3.0,
    )
    heat = pd.DataFrame(
        {
            "tank.p_load_kw": [40.0, 40.0],
            "tank.p_charge_kw": [10.0, 0.0],
            "tank.p_surplus_kw": [0.0, 0.0],
            "tank.p_relief_kw": [0.0, 30.0],
            "tank.cooling_in_kw_th": [30.0, 0.0],
            "tank.cooling_out_kw_th": [0.0, 120.0],
            "tank.cooling_lost_kw_th": [0.0, 0.0],
            "tank.cooling_held_kwh_th": [120.0, 0.0],
        }
    )
    params = np.array([[1.0, 0.0, 3.0, 4.0]])
    up, down = load_store_flexibility_kw(heat, [store], params, 1)["tank"]
    np.testing.assert_allclose(up, [10, 10])
    np.testing.assert_allclose(down, [40, 80])
    up, down = load_store_flexibility_kw(heat, [store], params, 2)["tank"]
    np.testing.assert_allclose(up, [10, 10])
    np.testing.assert_allclose(down, [40, 60])


def test_a_flexible_batch_by_hand():
    # 100 kW for 2 h, any start from 09:00 to 11:00; scheduled at 10:00 on day 0 and 09:00 on day 1.
    # Held 1 h, day 0: up at 10 (a start at 11 keeps 10 free) and 11 (a start at 9 keeps 11 free); down at 9 (the
    # start at 9 runs through it) and 12 (the start at 11). Day 1: up at 33 and 34 (the start at 35), down at 35
    # and 36. Held 2 h, day 0: no start keeps both 10 and 11 free, and 9-10 or 11-12 are not idle: nothing.
    from lingtan.components.flexible import ShiftableBatch, batch_load_kw
    from lingtan.twin.studies.flexibility import batch_flexibility_kw

    batch = ShiftableBatch(name="b", p_kw=100, duration_h=2, earliest_start_h=9, latest_start_h=11)
    index = _index(48)
    p = batch_load_kw(batch, np.array([10, 33]), 48)
    up, down = batch_flexibility_kw(batch, p, index, 1)
    np.testing.assert_array_equal(np.flatnonzero(up), [10, 11, 33, 34])
    np.testing.assert_array_equal(np.flatnonzero(down), [9, 12, 35, 36])
    assert up.max() == down.max() == 100
    up, down = batch_flexibility_kw(batch, p, index, 2)
    assert up[:24].max() == 0 and down[:24].max() == 0
