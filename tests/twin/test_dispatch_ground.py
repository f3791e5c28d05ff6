"""A ground-source heat pump in the dispatch kernel: its COP follows its loop's fluid, its cut-out holds.

One demand (D=1), no store, one heat pump (U=1) on one ground loop (G=1), a gas boiler (B=1). The loop is the
5 x 4 field of 120 m of tests/components/test_ground.py: K = 0.033157 K/kW per unit g, R = 0.041667 K/kW.
"""

import numpy as np
import pytest

from lingtan.components.ground import ground_modes, loop_fluid_t_c, resistance_k_per_kw
from lingtan.components.heat import heat_pump_cop
from lingtan.twin.core.dispatch import FLOWS, HeatSizes, HeatSystem, dispatch
from lingtan.validation.plant_cases import FIELD  # the reference field, 5 x 4 boreholes of 120 m

from .test_dispatch_heat import no_battery

SINK_C = 45.0
CHILLER_COP = 4.0


def run(demand_kw_th, hp_kw_th, loop=FIELD, cooling_kw_th=None, full=False):
    t = len(demand_kw_th)
    modes = ground_modes(loop, 1.0)
    heat = HeatSystem(
        residual_kw_th=np.array([demand_kw_th], float),
        store_recoverable_kw_th=np.zeros((0, t)),
        store_serves=np.zeros((0, 1), bool),
        store_keep=np.zeros(0),
        unit_cop=np.full((1, t), 99.0),  # unread for a ground unit: a wrong value would show
        unit_max_kw_th=np.full((1, t), np.inf),
        unit_serves=np.array([[True]]),
        unit_charges=np.zeros((1, 0), bool),
        unit_grid_allowed=np.array([True]),
        boiler_capacity_kw_th=np.array([1e9]),
        boiler_serves=np.array([[True]]),
        unit_ground=np.array([0]),
        unit_cop_params=np.array([[SINK_C, 0.45, 6.0, 10.0, np.inf, 160.0]]),
        ground_cooling_kw_th=np.zeros((1, t)) if cooling_kw_th is None else np.array([cooling_kw_th], float),
        ground_cooling_params=np.array([[7.0, CHILLER_COP]]),
    )
    z = np.zeros((1, 0))
    loop_row = [loop.t_ground_c, resistance_k_per_kw(loop), loop.min_fluid_t_c, loop.max_fluid_t_c]
    sizes = HeatSizes(z, z, z, z, np.array([[hp_kw_th]], float), np.array([[loop_row]]), modes[None, None])
    res = dispatch(
        np.zeros((1, t)),
        np.ones((1, 1)),
        np.zeros(t),
        no_battery(),
        period=np.ones(t, int),
        month=np.zeros(t, int),
        price_cny_per_kwh=np.ones(t),
        heat=heat,
        heat_sizes=sizes,
        record_hourly=True,
    )
    cols = {f"{g}{i}.{q}": res.heat_hourly[:, k] for k, (g, i, q) in enumerate(heat.columns())}
    made = cols["unit0.heat_to_demand"]
    el = cols["unit0.p_base_kw"]
    return (made, el, cols["boiler0.heat"]) + ((cols, res) if full else ())


def test_first_hour_by_hand():
    # Hour 0 sees the undisturbed ground: COP = 0.45 x (45 + 273.15) / (45 - 18) = 5.3025; 100 kW_th of demand
    # takes 100 / 5.3025 = 18.859 kW and draws 81.141 kW_th from the ground. Hour 1 sees the fluid that left.
    made, el, boiler = run(np.full(2, 100.0), 200.0)
    assert made[0] == pytest.approx(100.0, abs=1e-9)
    assert el[0] == pytest.approx(100.0 / (0.45 * 318.15 / 27.0), rel=1e-12)
    assert boiler[0] == pytest.approx(0.0, abs=1e-9)
    t_f1 = loop_fluid_t_c(FIELD, made - el)[1]
    assert t_f1 < 18.0 - resistance_k_per_kw(FIELD) * 81.14  # the resistance alone takes 3.4 K
    assert made[1] / el[1] == pytest.approx(float(heat_pump_cop(t_f1, SINK_C, 0.45, 6.0, 10.0)), rel=1e-12)


def test_cop_follows_the_loop_over_a_winter():
    # Property: every hour the kernel's COP is the COP of the fluid temperature the reference recursion
    # (components.ground.loop_fluid_t_c) gives for the heat the kernel drew: the kernel and the recursion agree.
    hours = np.arange(24 * 90)
    demand = 150 + 100 * np.cos(2 * np.pi * hours / 24)
    made, el, boiler = run(demand, 400.0)
    t_f = loop_fluid_t_c(FIELD, made - el)
    on = el > 0
    cop = heat_pump_cop(t_f, SINK_C, 0.45, 6.0, 10.0)
    assert np.abs(made[on] / el[on] - cop[on]).max() < 1e-9
    assert np.abs(made + boiler - demand).max() < 1e-9  # the demand is served, heat pump first
    assert t_f[-1] < t_f[24]  # the ground cools over the winter


def test_cut_out_holds_the_fluid_at_its_lowest_and_the_boiler_makes_up():
    # A field of 120 m for a 400 kW_th demand (3 300 W/m would be asked): within hours the fluid reaches its
    # -3 C floor; from then the heat pump gives only what keeps it there, never less than the floor, and the
    # gas boiler the rest.
    short = FIELD.model_copy(update={"boreholes_x": 1, "boreholes_y": 1})
    demand = np.full(200, 400.0)
    made, el, boiler = run(demand, 400.0, short)
    t_f = loop_fluid_t_c(short, made - el)
    assert t_f.min() >= short.min_fluid_t_c - 1e-9
    assert t_f[-1] == pytest.approx(short.min_fluid_t_c, abs=1e-6)
    assert 0 < made[-1] < 100.0 and boiler[-1] == pytest.approx(400.0 - made[-1], abs=1e-9)


def test_cooling_hour_by_hand():
    # Summer, no heating. Hour 0 sees the undisturbed 18 C fluid. Reversed, the heat pump lifts from 7 C chilled
    # water to 18 C: its heating COP there is 0.45 x 291.15 / 11 = 11.9, capped at 6, so its cooling COP is
    # 6 - 1 = 5: 100 kW_th of cooling takes 20 kW and puts 120 kW_th into the ground; the chillers take nothing.
    # The bus carries the 20 kW as heat-side load.
    made, el, boiler, cols, res = run(np.zeros(2), 400.0, cooling_kw_th=np.full(2, 100.0), full=True)
    assert cols["loop0.cooling"][0] == pytest.approx(100.0, abs=1e-9)
    assert cols["loop0.p_cooling_kw"][0] == pytest.approx(20.0, rel=1e-12)
    assert cols["loop0.p_chiller_kw"][0] == 0.0
    assert res.hourly[0, list(FLOWS).index("heat_load")] == pytest.approx(20.0, rel=1e-12)
    # Hour 1 sees the fluid the 120 kW_th put in: warmer than the ground by at least the resistance's 5 K.
    t_f1 = loop_fluid_t_c(FIELD, np.array([-120.0, 0.0]))[1]
    assert t_f1 > 18.0 + resistance_k_per_kw(FIELD) * 120 - 1e-9
    cop_c = float(heat_pump_cop(7.0, t_f1, 0.45, 6.0, 10.0)) - 1.0
    assert cols["loop0.p_cooling_kw"][1] == pytest.approx(100.0 / cop_c, rel=1e-12)


def test_cooling_cut_out_holds_the_ceiling_and_the_chillers_take_the_rest():
    # One borehole of 120 m asked for 300 kW_th of cooling: the fluid reaches its 35 C ceiling within hours and
    # stays there; the chillers cool the rest at COP 4 (their electricity: the rest / 4).
    short = FIELD.model_copy(update={"boreholes_x": 1, "boreholes_y": 1})
    made, el, boiler, cols, res = run(np.zeros(100), 400.0, short, cooling_kw_th=np.full(100, 300.0), full=True)
    injected = cols["loop0.cooling"] + cols["loop0.p_cooling_kw"]
    t_f = loop_fluid_t_c(short, -injected)
    assert t_f.max() <= short.max_fluid_t_c + 1e-9
    assert t_f[-1] == pytest.approx(short.max_fluid_t_c, abs=1e-6)
    rest = 300.0 - cols["loop0.cooling"]
    assert rest[-1] > 200.0
    assert np.allclose(cols["loop0.p_chiller_kw"], rest / CHILLER_COP, rtol=1e-12, atol=1e-12)
