"""Hydrogen by origin: an electrolyser on valley grid power beside renewable surplus, and the store's renewable pool.

One electrolyser of 100 kW (60 % at rated load, 66 % at its 20 % minimum, so per kW of rating the hydrogen line has
slope 0.585 and intercept 0.015 [kW LHV per kW]: tests/twin/test_hydrogen_run.py), a store of 100 kg with a 10 kg
cushion holding 10 kg at the start (counted as grid hydrogen), 2 kWh/kg to compress, and a use taking 5 kg in the
fourth hour. Periods: 0 valley, 1 flat.
"""

from dataclasses import replace

import numpy as np

from lingtan.components.hydrogen import H2_LHV_KWH_PER_KG as LHV
from lingtan.twin.core.heat_profiles import next_day_sum

from .test_dispatch_heat import run
from .test_hydrogen_run import h2_sizes, h2_system


def origin_system(use_kg, grid: bool):
    _, heat = h2_system(use_kg)
    params = heat.h2_params.copy()
    params[0, 4] = float(grid)
    return replace(heat, h2_params=params, h2_fill_kg=next_day_sum(np.array([use_kg], float)))


def test_valley_grid_fills_to_the_next_day_and_the_pool_follows_by_hand():
    # h0 valley, no renewables: the store should hold 10 + 5 kg for the use; 5 kg needs more than the rating, so the
    #    electrolyser runs at 100 kW from the grid: 100 (0.585 + 0.015) / LHV = 1.8006 kg, 103.60 kW with compression,
    #    all grid; none renewable.
    # h1 flat, 150 kW of surplus: rated load on surplus, 1.8006 kg, all renewable. Store 13.601 kg, 1.8006 renewable.
    # h2 valley: 15 - 13.601 = 1.3988 kg to the fill level: input (1.3988 LHV / 100 - 0.015) / 0.585 x 100 = 77.12 kW
    #    (above the 20 kW minimum), from the grid; the store holds 15 kg.
    # h3 flat: the use takes 5 kg of a store 1.8006 / 15 = 12.0 % renewable: 0.6002 kg renewable taken.
    kg_rated = 60.0 / LHV
    heat = origin_system([0.0, 0.0, 0.0, 5.0], grid=True)
    _, h, e = run([0, 200, 0, 0], [50.0] * 4, heat, h2_sizes(), period=[0, 1, 0, 1])
    np.testing.assert_allclose(h["electrolyser0.h2_kg"], [kg_rated, kg_rated, 15 - 10 - 2 * kg_rated, 0], atol=1e-12)
    p2 = ((15 - 10 - 2 * kg_rated) * LHV / 100 - 0.015) / 0.585 * 100
    np.testing.assert_allclose(h["electrolyser0.p_kw"], [100, 100, p2, 0], atol=1e-9)
    e_in = h["electrolyser0.p_kw"] + h["electrolyser0.compression_kw"]
    np.testing.assert_allclose(h["electrolyser0.grid_kw"], [e_in[0], 0, e_in[2], 0], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.green_charge_kg"], [0, kg_rated, 0, 0], atol=1e-12)
    np.testing.assert_allclose(h["h2store0.m_kg"], [10 + kg_rated, 10 + 2 * kg_rated, 15, 10], atol=1e-9)
    np.testing.assert_allclose(h["h2store0.green_used_kg"], [0, 0, 0, 5 * kg_rated / 15], atol=1e-12)
    np.testing.assert_allclose(h["h2store0.green_m_kg"], [0, kg_rated, kg_rated, kg_rated * (1 - 5 / 15)], atol=1e-12)
    # the grid electricity is load the grid serves: valley import = the site's 50 plus the electrolyser's
    np.testing.assert_allclose(e["load"], 50 + h["electrolyser0.grid_kw"], atol=1e-9)
    np.testing.assert_allclose(e["grid_to_load"][[0, 2]], 50 + h["electrolyser0.grid_kw"][[0, 2]], atol=1e-9)
    # on surplus only, the valley hours make nothing
    _, h, _ = run(
        [0, 200, 0, 0], [50.0] * 4, origin_system([0.0, 0.0, 0.0, 5.0], False), h2_sizes(), period=[0, 1, 0, 1]
    )
    np.testing.assert_allclose(h["electrolyser0.h2_kg"], [0, kg_rated, 0, 0], atol=1e-12)
    assert h["electrolyser0.grid_kw"].max() == 0
