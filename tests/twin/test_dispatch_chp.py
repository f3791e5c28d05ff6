"""Combined heat and power in the dispatch kernel: hand-worked hours, the part-load lines, the bus.

One heat demand (D=1), no store, no power-to-heat unit, one gas boiler (B=1) and one CHP unit (C=1) of 100 kW
electric: 40 % electric and 45 % heat efficiency at full load, 35 % and 48 % at half load, so per kW of rating
(components/chp.py)::

    fuel / 100 kW = (2/0.40 - 1/0.35) x + (1/0.35 - 1/0.40)       = 2.142857 x + 0.357143
    heat / 100 kW = (2 * 0.45/0.40 - 0.48/0.35) x + (...)          = 0.878571 x + 0.246429

full load: fuel 250, heat 112.5 [kW]; half load: fuel 142.857, heat 68.571.
Tolerances of 1e-9 are float round-off on numbers of order 100.
"""

from dataclasses import replace

import numpy as np
import pytest
from support.kernels import bare_system

from lingtan.components.chp import CombinedHeatPower, chp_coefficients, chp_flows, chp_p_for_heat
from lingtan.twin.core.dispatch import HeatSizes

from .test_dispatch_heat import no_battery, run

ENGINE = dict(
    name="engine",
    prime_mover="gas_engine",
    capacity_p_kw=100.0,
    electric_efficiency=0.40,
    electric_efficiency_half_load=0.35,
    heat_efficiency=0.45,
    heat_efficiency_half_load=0.48,
    t_c=90.0,
)


def chp_system(res, mode, min_load=0.5):
    unit = CombinedHeatPower(**ENGINE, mode=mode, min_load_fraction=min_load)
    return unit, bare_system(
        len(res),
        [res],
        gas_boiler=True,
        chp_params=np.array([[*chp_coefficients(unit), min_load]]),
        chp_heat_led=np.array([mode == "heat_led"]),
        chp_serves=np.array([[True]]),
    )


def chp_sizes(kw=100.0):
    z = np.zeros((1, 0))
    return HeatSizes(z, z, z, z, z, chp_kw=np.array([[kw]]))


def with_export(limit):
    p = no_battery()
    p[0, 10] = limit  # export_limit_kw
    return p


def test_part_load_lines_through_the_data_sheet_points():
    unit = CombinedHeatPower(**ENGINE, mode="heat_led")
    fuel, heat = chp_flows([100.0, 50.0], unit)
    np.testing.assert_allclose(fuel, [100 / 0.40, 50 / 0.35], rtol=1e-12)
    np.testing.assert_allclose(heat, [100 / 0.40 * 0.45, 50 / 0.35 * 0.48], rtol=1e-12)
    # Heat-led: the output whose heat is the demand; off below half load's 68.571 kW_th; capped at the rating.
    np.testing.assert_allclose(
        chp_p_for_heat([60.0, 90.0, 200.0], unit), [0.0, (90 / 100 - 0.246429) / 0.878571 * 100, 100.0], rtol=1e-5
    )


def test_heat_led_hours():
    # Load 300 kW, no renewables: the bus can take any output.
    # h0: demand 90 kW_th -> x = (0.9 - 0.2464286) / 0.8785714 = 0.7439024, p = 74.39 kW, all heat to the demand,
    #     fuel 100 (2.142857 x + 0.357143) = 195.12 kW; the grid imports 300 - 74.39.
    # h1: demand 200 -> full load 100 kW, heat 112.5, the boiler 87.5.
    # h2: demand 60 < 68.57 at half load -> off, the boiler 60.
    unit, heat = chp_system([90, 200, 60], "heat_led")
    res, h, e = run([0, 0, 0], [300, 300, 300], heat, chp_sizes())
    x = (0.9 - 0.24642857142857144) / 0.8785714285714286
    np.testing.assert_allclose(h["chp0.p_kw"], [100 * x, 100, 0], atol=1e-9)
    np.testing.assert_allclose(
        h["chp0.fuel_kw"], [100 * (2.142857142857143 * x + 0.3571428571428572), 250, 0], atol=1e-9
    )
    np.testing.assert_allclose(h["chp0.heat_to_demand"], [90, 112.5, 0], atol=1e-9)
    np.testing.assert_allclose(h["chp0.heat_dumped"], [0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["demand0.from_chp"], [90, 112.5, 0], atol=1e-9)
    np.testing.assert_allclose(h["boiler0.heat"], [0, 87.5, 60], atol=1e-9)
    np.testing.assert_allclose(e["chp_to_load"], [100 * x, 100, 0], atol=1e-9)
    np.testing.assert_allclose(e["grid_to_load"], [300 - 100 * x, 200, 300], atol=1e-9)
    assert e["chp_to_grid"].sum() == 0


def test_heat_led_unit_stays_within_what_the_bus_takes():
    # Renewables 250 serve the 200 kW load; 50 kW surplus. Demand 200 kW_th wants full load (100 kW).
    # h0: export limit 0: the surplus is curtailed, the load wants nothing of the CHP: room 0 -> off; boiler 200.
    # h1: export limit 80: renewables export 50, room 30 < 50 (half load) -> off.
    # h2: export limit 130: room 80 -> x = 0.8, p = 80 kW all exported; heat 100 (0.8786 * 0.8 + 0.2464) = 94.93.
    unit, heat = chp_system([200, 200], "heat_led")
    res, h, e = run([250, 250], [200, 200], heat, chp_sizes(), params=with_export(0.0))
    assert h["chp0.p_kw"].sum() == 0
    np.testing.assert_allclose(h["boiler0.heat"], [200, 200], atol=1e-9)
    for limit, p in ((80.0, 0.0), (130.0, 80.0)):
        res, h, e = run([250], [200], chp_system([200], "heat_led")[1], chp_sizes(), params=with_export(limit))
        np.testing.assert_allclose(h["chp0.p_kw"], [p], atol=1e-9)
        np.testing.assert_allclose(e["chp_to_grid"], [p], atol=1e-9)
        np.testing.assert_allclose(e["re_to_grid"], [50], atol=1e-9)
        assert e["chp_to_load"][0] == 0
    np.testing.assert_allclose(
        h["chp0.heat_to_demand"], [100 * (0.8785714285714286 * 0.8 + 0.24642857142857144)], atol=1e-9
    )
    # Feed-in revenue counts both exports (feed-in price 0 here): the total carries both flows.
    np.testing.assert_allclose(res.total("chp_to_grid"), [80], atol=1e-9)


def test_electricity_led_hours():
    # Heat demand 50 kW_th every hour.
    # h0: load 80, no renewables -> p = 80 (x 0.8): heat 94.93, 50 to the demand, 44.93 dumped, no import.
    # h1: load 150 -> full load 100, heat 112.5: 50 used, 62.5 dumped; import 50.
    # h2: load 40 < half load 50 -> off: import 40, the boiler 50.
    unit, heat = chp_system([50, 50, 50], "electricity_led")
    res, h, e = run([0, 0, 0], [80, 150, 40], heat, chp_sizes())
    q08 = 100 * (0.8785714285714286 * 0.8 + 0.24642857142857144)
    np.testing.assert_allclose(h["chp0.p_kw"], [80, 100, 0], atol=1e-9)
    np.testing.assert_allclose(h["chp0.heat_to_demand"], [50, 50, 0], atol=1e-9)
    np.testing.assert_allclose(h["chp0.heat_dumped"], [q08 - 50, 62.5, 0], atol=1e-9)
    np.testing.assert_allclose(e["grid_to_load"], [0, 50, 40], atol=1e-9)
    np.testing.assert_allclose(h["boiler0.heat"], [0, 0, 50], atol=1e-9)
    assert e["chp_to_grid"].sum() == 0


@pytest.mark.parametrize("mode", ["heat_led", "electricity_led"])
def test_every_hour_matches_the_reference_lines(mode):
    # Over a noisy fortnight, the kernel's fuel and heat equal chp_flows at the output it chose, its heat-led
    # output equals chp_p_for_heat wherever the bus takes all of it, and the bus and heat balances close.
    rng = np.random.default_rng(3)
    t = 336
    demand = rng.uniform(0, 160, t)
    load = rng.uniform(0, 180, t)
    unit, heat = chp_system(demand, mode)
    res, h, e = run(np.zeros(t), load, heat, chp_sizes())
    fuel, made = chp_flows(h["chp0.p_kw"], unit)
    np.testing.assert_allclose(h["chp0.fuel_kw"], fuel, atol=1e-9)
    np.testing.assert_allclose(h["chp0.heat_to_demand"] + h["chp0.heat_dumped"], made, atol=1e-9)
    np.testing.assert_allclose(e["chp_to_load"] + e["grid_to_load"], load, atol=1e-9)
    if mode == "heat_led":
        want = chp_p_for_heat(demand, unit)
        fits = want <= load
        np.testing.assert_allclose(h["chp0.p_kw"][fits], want[fits], atol=1e-9)
        np.testing.assert_allclose(h["chp0.heat_dumped"], 0, atol=1e-9)
    else:
        on = load >= 50
        np.testing.assert_allclose(h["chp0.p_kw"], np.where(on, np.minimum(load, 100), 0), atol=1e-9)
    assert res.total("max_bus_residual")[0] < 1e-9 and res.total("max_heat_residual")[0] < 1e-9


def with_absorber(heat, want_kw_th, cop=0.7, chiller_cop=4.0):
    # An absorption chiller on the CHP unit's heat, cooling a space whose electric chillers have COP 4; its COP one
    # number for every hour or one per hour.
    t = heat.residual_kw_th.shape[1]
    return replace(
        heat,
        cabs_params=np.array([[0, 1.0 / chiller_cop]]),
        cabs_want_kw_th=np.full((1, t), float(want_kw_th)),
        cabs_cop=np.broadcast_to(np.asarray(cop, dtype=float), (1, t)).copy(),
    )


def test_absorption_cooling_on_chp_heat_by_hand():
    # Heat-led, load 300 kW (the space's chillers inside it), heat demand 50 kW_th, the chiller may cool 60 kW_th
    # (drive 60 / 0.7 = 85.71): the unit wants 135.71 kW_th, more than its full-load 112.5 -> 100 kW. The demand
    # takes 50, the chiller the other 62.5: it cools 62.5 x 0.7 = 43.75 kW_th, which the electric chillers no
    # longer draw 43.75 / 4 = 10.9375 kW for: the load is 289.0625 and the grid gives 189.0625.
    _, heat = chp_system([50], "heat_led")
    res, h, e = run([0], [300], with_absorber(heat, 60.0), chp_sizes())
    np.testing.assert_allclose(h["chp0.p_kw"], [100], atol=1e-9)
    np.testing.assert_allclose(h["chp_absorber0.drive_heat"], [62.5], atol=1e-9)
    np.testing.assert_allclose(h["chp_absorber0.cooling"], [43.75], atol=1e-9)
    np.testing.assert_allclose(h["chp_absorber0.p_relief_kw"], [10.9375], atol=1e-9)
    np.testing.assert_allclose(h["chp0.heat_dumped"], [0], atol=1e-9)
    np.testing.assert_allclose(e["load"], [289.0625], atol=1e-9)
    np.testing.assert_allclose(e["grid_to_load"], [189.0625], atol=1e-9)
    assert res.total("max_bus_residual")[0] < 1e-9


def test_absorption_cop_of_each_hour():
    # The hours of the test above with the chiller's COP 0.7, then 0.5 (warmer cooling water). Hour 1 as above:
    # cooling 43.75 on 62.5 kW_th. Hour 2: the chiller would take 60 / 0.5 = 120 kW_th, the unit runs at its full
    # 112.5; the demand takes 50, the chiller 62.5, cooling 62.5 x 0.5 = 31.25 kW_th and saving 31.25 / 4 = 7.8125
    # kW: the load is 292.1875 and the grid gives 192.1875.
    _, heat = chp_system([50, 50], "heat_led")
    res, h, e = run([0, 0], [300, 300], with_absorber(heat, 60.0, cop=[0.7, 0.5]), chp_sizes())
    np.testing.assert_allclose(h["chp_absorber0.drive_heat"], [62.5, 62.5], atol=1e-9)
    np.testing.assert_allclose(h["chp_absorber0.cooling"], [43.75, 31.25], atol=1e-9)
    np.testing.assert_allclose(h["chp_absorber0.p_relief_kw"], [10.9375, 7.8125], atol=1e-9)
    np.testing.assert_allclose(e["load"], [289.0625, 292.1875], atol=1e-9)
    np.testing.assert_allclose(e["grid_to_load"], [189.0625, 192.1875], atol=1e-9)
    assert res.total("max_bus_residual")[0] < 1e-9


def test_absorption_saving_beyond_the_grid_moves_chp_electricity_to_export():
    # Electricity-led on a load of 80 kW, heat demand 50 kW_th: x = 0.8, heat 94.93, 44.93 left for the chiller,
    # which cools 31.45 kW_th and saves 7.86 kW. The unit already serves the whole load, so the saving can only
    # move its electricity to export: with no export allowed it cannot run (the heat is dumped); with export, 7.86
    # kW of the unit's 80 go to the grid.
    q08 = 100 * (0.8785714285714286 * 0.8 + 0.24642857142857144)
    _, heat = chp_system([50], "electricity_led")
    res, h, e = run([0], [80], with_absorber(heat, 60.0), chp_sizes())
    assert h["chp_absorber0.cooling"][0] == 0 and h["chp0.heat_dumped"][0] == pytest.approx(q08 - 50)
    res, h, e = run([0], [80], with_absorber(heat, 60.0), chp_sizes(), params=with_export(1e6))
    cool = (q08 - 50) * 0.7
    np.testing.assert_allclose(h["chp_absorber0.cooling"], [cool], atol=1e-9)
    np.testing.assert_allclose(e["chp_to_grid"], [cool / 4], atol=1e-9)
    np.testing.assert_allclose(e["chp_to_load"] + e["grid_to_load"], [80 - cool / 4], atol=1e-9)
    np.testing.assert_allclose(e["load"], [80 - cool / 4], atol=1e-9)
