"""A hydrogen boiler in the dispatch kernel and a whole run: it burns what the store holds beyond its cushion and
its uses' reserve (here the next day's), before the gas boiler.

Kernel case: one heat demand of 200 kW_th (D=1) behind a 300 kW_th hydrogen boiler (90 % on the LHV, so
k = 1 / (0.9 x 33.322) = 0.033344 kg per kWh_th) and a gas boiler; a store of 100 kg with a 10 kg cushion, 50 kg at
the start; a use taking 20 kg in the third hour; no electrolyser.
"""

import numpy as np
import pytest
import yaml
from support.kernels import bare_system

from lingtan.components.hydrogen import H2_LHV_KWH_PER_KG as LHV
from lingtan.components.hydrogen import HydrogenBoiler, hydrogen_boiler_kg
from lingtan.twin.core.dispatch import HeatSizes
from lingtan.twin.core.heat_profiles import next_day_sum
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import simulate

from .test_dispatch_heat import run

BOILER = HydrogenBoiler(name="h2b", capacity_q_kw_th=300.0, efficiency=0.9, t_c=90.0)
K = 1.0 / (0.9 * LHV)


def boiler_system(use_kg, above_fraction=0.0):
    t = len(use_kg)
    use = np.array([use_kg], float)
    return bare_system(
        t,
        np.full((1, t), 200.0),
        gas_boiler=True,
        h2_params=np.zeros((0, 5)),
        h2_op0=np.zeros(0),
        h2_store_params=np.array([[2.0, 1.0]]),
        h2_use_kg=use,
        hb_params=np.array([[float(hydrogen_boiler_kg(1.0, BOILER)), above_fraction]]),
        hb_serves=np.array([[True]]),
        h2_reserve_kg=next_day_sum(use, 24),
    )


def boiler_sizes(first_kg=50.0):
    z = np.zeros((1, 0))
    return HeatSizes(
        z,
        z,
        z,
        z,
        z,
        h2_kw=np.zeros((1, 0)),
        h2_store_kg=np.array([[[100.0, 10.0, first_kg]]]),
        hb_kw=np.array([[300.0]]),
    )


def test_it_burns_only_what_the_next_day_does_not_need_by_hand():
    # The store starts at 35 kg.
    # h0: the next day's uses are 20 kg, so 35 - 10 - 20 = 5 kg are spare: 5 / K = 149.96 kW_th, the gas boiler the
    #     other 50.04; 30 kg left.
    # h1: nothing spare (30 = cushion + the use): the gas boiler gives 200.
    # h2: the use takes its 20 kg -> 10, the cushion; the gas boiler 200. h3: the same.
    _, h, _ = run([0] * 4, [10] * 4, boiler_system([0, 0, 20, 0]), boiler_sizes(35.0))
    np.testing.assert_allclose(h["h2_boiler0.heat_to_demand"], [5 / K, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["h2_boiler0.h2_kg"], K * h["h2_boiler0.heat_to_demand"], atol=1e-12)
    np.testing.assert_allclose(h["boiler0.heat"], [200 - 5 / K, 200, 200, 200], atol=1e-9)
    np.testing.assert_allclose(h["demand0.from_chp"], h["h2_boiler0.heat_to_demand"], atol=1e-12)
    np.testing.assert_allclose(h["h2store0.offtake_kg"], [0, 0, 20, 0], atol=1e-12)
    np.testing.assert_allclose(h["h2store0.m_kg"], [30, 30, 10, 10], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.boiler_kg"], h["h2_boiler0.h2_kg"], atol=1e-12)
    assert h["h2store0.unmet_kg"].max() == 0  # the use got its hydrogen
    # With 50 kg at the start the demand, not the hydrogen, sets the first hours: 200, 200, then after the use
    # what is left above the cushion, (50 - 400 K - 20 - 10) / K = 599.8 - 400 kW_th.
    _, h, _ = run([0] * 4, [10] * 4, boiler_system([0, 0, 20, 0]), boiler_sizes(50.0))
    np.testing.assert_allclose(h["h2_boiler0.heat_to_demand"], [200, 200, 20 / K - 400, 0], atol=1e-9)


def test_it_leaves_its_share_of_the_store():
    # Leaving 45 % of the 100 kg store: h0 keeps max(10 + 20, 45) = 45 kg, so 5 kg burn: 5 / K = 149.96 kW_th, the gas
    # boiler the other 50.04.
    _, h, _ = run([0], [10], boiler_system([0.0], above_fraction=0.45), boiler_sizes())
    np.testing.assert_allclose(h["h2_boiler0.heat_to_demand"], [5 / K], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.m_kg"], [45], atol=1e-9)


def test_a_year_with_a_hydrogen_boiler():
    # The cold-chain park with a 300 kW_th hydrogen boiler on the washing line, burning what lies above 80 % of the
    # 800 kg store: its heat is its hydrogen at 90 %; after every hour it burns the store holds at least 640 kg
    # (and the trucks' next week); it frees room, so the electrolyser makes at least as much; the gas falls.
    path = "scenarios/hefei_cold_chain_park.yaml"
    data = yaml.safe_load(open(path, encoding="utf-8"))
    base = simulate(scenario_from_dict(data), "scenarios")
    data["hydrogen_boilers"] = [{"name": "h2_boiler", "capacity_q_kw_th": 300, "efficiency": 0.9, "t_c": 90}]
    r = simulate(scenario_from_dict(data), "scenarios")
    k, k0 = r.kpis["hydrogen"], base.kpis["hydrogen"]
    burnt = k["boilers"]["h2_boiler"]
    assert burnt["h2_kg"] > 100  # the boiler works
    assert burnt["h2_kg"] == pytest.approx(burnt["heat_to_demand_e_kwh_th"] * K, rel=1e-12)
    h = r.hourly_heat
    on = h["h2_boiler.h2_kg"].to_numpy() > 0
    assert h["h2_tanks.m_kg"].to_numpy()[on].min() >= 0.8 * 800 - 1e-9
    assert k["made_kg"] >= k0["made_kg"]
    gas, gas0 = (x.kpis["heat"]["fuel_use"]["natural_gas"]["fuel_e_kwh"] for x in (r, base))
    assert gas < gas0


def test_refusals_name_the_field():
    data = yaml.safe_load(open("scenarios/hefei_cold_chain_park.yaml", encoding="utf-8"))
    cold = dict(data, hydrogen_boilers=[{"name": "hb", "capacity_q_kw_th": 100, "efficiency": 0.9, "t_c": 30}])
    with pytest.raises(Exception, match=r"hydrogen_boilers\[0\]\.t_c"):
        scenario_from_dict(cold)
    alone = {k: v for k, v in cold.items() if k not in ("hydrogen_stores", "electrolysers", "hydrogen_uses")}
    alone["hydrogen_boilers"] = [{"name": "hb", "capacity_q_kw_th": 100, "efficiency": 0.9, "t_c": 90}]
    with pytest.raises(Exception, match="hydrogen_stores"):
        scenario_from_dict(alone)
    with pytest.raises(Exception, match=r"hydrogen_boilers\[0\]\.efficiency"):
        scenario_from_dict(dict(cold, hydrogen_boilers=[{"name": "hb", "capacity_q_kw_th": 100, "t_c": 90}]))
