"""Stores of what an electric load makes (cold stores, air receivers) in the dispatch kernel: hand-worked hours and
balance properties.

One store (L=1) beside a load whose electricity is part of the site's: an ice tank whose chillers make 3 kWh_th per
kWh while charging and 4 while serving (``k_charge = 3``, ``k_serve = 4``), 300 kWh_th, 150 kW_th in, 200 kW_th out,
1 % standing loss an hour, valley grid charging allowed; no heat demand, no battery. Periods: 0 valley, 1 flat,
2 peak. Tolerances of 1e-9 are float round-off on numbers of order 100.
"""

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from support.kernels import bare_system

from lingtan.twin.core.dispatch import HeatSizes
from lingtan.twin.core.heat_profiles import next_day_sum

from .test_dispatch_heat import no_battery, run

K_CH, K_SV, KEEP = 3.0, 4.0, 0.99


def store_system(served, grid=True, keep=KEEP):
    rows = np.array([served], float)
    return bare_system(
        len(served),
        ls_params=np.array([[keep, float(grid), K_CH, K_SV]]),
        ls_p_served_kw=rows,
        ls_want=next_day_sum(rows * K_SV),
    )


def store_sizes(cap=300.0, ch=150.0, dis=200.0, e0=0.0):
    z = np.zeros((1, 0))
    return HeatSizes(z, z, z, z, z, ls_size=np.array([[[cap, ch, dis, e0]]]))


def test_next_day_sum():
    # out[t] = sum of the 24 steps after t; the year's last steps see fewer.
    rows = np.arange(30.0)[None, :]
    out = next_day_sum(rows)
    assert out[0, 0] == sum(range(1, 25))
    assert out[0, 5] == sum(range(6, 30))
    assert out[0, 29] == 0.0


def test_hand_worked_hours():
    # Load 100 kW every hour, of which the chillers' 40 kW (160 kW_th of cooling). The next day's need is 160 kW_th
    # for each hour left, so the store fills to min(300, that) kWh_th.
    # h0 valley, no renewables: no discharge in the valley; grid charge min(150/3 = 50 kW, room (300 - 0) / 3 = 100)
    #    = 50 kW -> 150 kWh_th; load 150.
    # h1 valley: loses 1.5 -> 148.5; charge min(50, (300 - 148.5) / 3 = 50.5) = 50 -> 298.5; load 150.
    # h2 peak: loses 2.985 -> 295.515; the site imports 100: relief min(100, 40, 200/4 = 50, 295.515/4) = 40 kW,
    #    160 kWh_th out -> 135.515; load 60.
    # h3 peak: loses 1.35515 -> 134.15985; relief min(40, 134.15985 / 4 = 33.5399625) -> empty; load 66.46.
    # h4 flat, 130 kW of PV: loses nothing; surplus 30 charges min(30, 50, (160 - 0) / 3) = 30 kW -> 90 kWh_th;
    #    the next day's need is the last hour's 160 kW_th. Load 130, nothing exported.
    # h5 flat, no PV: loses 0.9 -> 89.1; relief min(40, 89.1 / 4 = 22.275) = 22.275 -> empty; load 77.725.
    served = [40.0] * 6
    heat = store_system(served)
    res, h, e = run([0, 0, 0, 0, 130, 0], [100.0] * 6, heat, store_sizes(), period=[0, 0, 2, 2, 1, 1])
    np.testing.assert_allclose(h["load_store0.p_charge_kw"], [50, 50, 0, 0, 30, 0], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.p_surplus_kw"], [0, 0, 0, 0, 30, 0], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.p_relief_kw"], [0, 0, 40, 33.5399625, 0, 22.275], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.loss"], [0, 1.5, 2.985, 1.35515, 0, 0.9], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.content"], [150, 298.5, 135.515, 0, 90, 0], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.charge"], 3 * h["load_store0.p_charge_kw"], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.discharge"], 4 * h["load_store0.p_relief_kw"], atol=1e-9)
    np.testing.assert_allclose(e["load"], [150, 150, 60, 66.4600375, 130, 77.725], atol=1e-9)
    np.testing.assert_allclose(e["grid_to_load"], [150, 150, 60, 66.4600375, 0, 77.725], atol=1e-9)
    np.testing.assert_allclose(e["re_curtailed"], 0, atol=1e-9)


def test_grid_charging_within_the_import_limit_and_only_where_declared():
    # Import limit 120 kW, load 100 in the valley: the store may take the 20 kW left, not its 50.
    heat = store_system([40.0, 40.0])
    p = no_battery(imp=120.0)
    _, h, e = run([0, 0], [100, 100], heat, store_sizes(), params=p, period=[0, 2])
    np.testing.assert_allclose(h["load_store0.p_charge_kw"], [20, 0], atol=1e-9)
    assert e["unserved"].max() == 0
    # Without grid charging a store fills on renewable surplus only: nothing here.
    _, h, _ = run([0, 0], [100, 100], store_system([40.0, 40.0], grid=False), store_sizes(), period=[0, 2])
    assert h["load_store0.p_charge_kw"].max() == 0


def test_no_charge_without_a_next_day_need():
    # The chillers idle (winter): the valley charges nothing, renewable surplus is left for export and curtailment.
    heat = store_system([0.0] * 3)
    _, h, e = run([0, 200, 0], [100] * 3, heat, store_sizes(), period=[0, 1, 2])
    assert h["load_store0.p_charge_kw"].max() == 0 and h["load_store0.content"].max() == 0
    np.testing.assert_allclose(e["re_curtailed"], [0, 100, 0], atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 300), min_size=24, max_size=24),
    st.lists(st.floats(0, 80), min_size=24, max_size=24),
    st.lists(st.sampled_from([0, 1, 2]), min_size=24, max_size=24),
    st.floats(0.9, 1.0),
    st.floats(0, 300),
)
def test_store_balance_and_limits(re, served, period, keep, e0):
    # Content = first + charge - discharge - loss each hour, within [0, capacity]; relief within the load's
    # electricity and within what the site would import; the bus closes (dispatch raises otherwise).
    heat = store_system(served, keep=keep)
    load = [100.0] * 24
    _, h, e = run(re, load, heat, store_sizes(e0=e0), period=period)
    prev = np.concatenate([[e0], h["load_store0.content"][:-1]])
    np.testing.assert_allclose(
        h["load_store0.content"],
        prev + h["load_store0.charge"] - h["load_store0.discharge"] - h["load_store0.loss"],
        atol=1e-9,
    )
    assert (h["load_store0.content"] >= -1e-9).all() and (h["load_store0.content"] <= 300 + 1e-9).all()
    assert (h["load_store0.p_relief_kw"] <= np.array(served) + 1e-9).all()
    assert (h["load_store0.p_relief_kw"] <= np.maximum(np.array(load) - np.array(re), 0) + 1e-9).all()
    assert (h["load_store0.p_relief_kw"][np.array(period) == 0] == 0).all()
    assert (h["load_store0.charge"] <= 150 + 1e-9).all()


def test_a_store_beside_a_chp_absorber_serves_what_the_absorber_cannot():
    # The space's chillers cool 160 kW_th (40 kW at COP 4). A CHP unit of 100 kW (heat-led, full-load heat 112.5,
    # test_dispatch_chp) also drives a 50 kW_th absorption chiller (COP 0.7) on that space, after a 50 kW_th heat
    # demand; the store (as above, 200 kWh_th at the start) serves, and fills to, only what the absorber could not
    # cool at its rating: p_load = 40 - min(160, 50) / 4 = 27.5 kW; the next day's need 27.5 x 4 = 110 kWh_th an hour.
    # Load 300 kW, no renewables, peak hours.
    # h0: loses 2 -> 198; relief min(300, 27.5, 200 / 4, 198 / 4) = 27.5 kW, 110 kWh_th out -> 88; load 272.5.
    #     The unit: heat for 50 + min(160 - 110, 50) / 0.7 = 121.4 kW_th > 112.5 -> full load, 100 kW. The absorber
    #     takes the 62.5 left: cools min(50, 50, 62.5 x 0.7 = 43.75) = 43.75, sparing 10.9375 kW: load 261.5625.
    #     The space: 160 = 43.75 (absorber) + 110 (store) + 6.25 (chillers, 1.5625 kW = 40 - 27.5 - 10.9375).
    # h1: loses 0.88 -> 87.12; relief min(27.5, 87.12 / 4 = 21.78) -> empty; the absorber may still give
    #     160 - 87.12 = 72.88 and gives 43.75 again (its heat binds); chillers 29.13.
    from .test_dispatch_chp import chp_sizes, chp_system, with_absorber

    _, heat = chp_system([50, 50], "heat_led")
    heat = with_absorber(heat, 160.0)
    rows = np.array([[40.0, 40.0]])
    heat = replace(
        heat,
        ls_params=np.array([[KEEP, 1.0, K_CH, K_SV]]),
        ls_p_served_kw=rows,
        ls_want=next_day_sum(rows * K_SV),
        ls_absorber=np.array([0]),
    )
    sizes = replace(chp_sizes(), cabs_kw=np.array([[50.0]]), ls_size=np.array([[[300.0, 150.0, 200.0, 200.0]]]))
    res, h, e = run([0, 0], [300, 300], heat, sizes, period=[2, 2])
    np.testing.assert_allclose(h["load_store0.p_load_kw"], [27.5, 27.5], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.p_relief_kw"], [27.5, 21.78], atol=1e-9)
    np.testing.assert_allclose(h["load_store0.discharge"], [110.0, 87.12], atol=1e-9)
    np.testing.assert_allclose(h["chp0.p_kw"], [100, 100], atol=1e-9)
    np.testing.assert_allclose(h["chp_absorber0.cooling"], [43.75, 43.75], atol=1e-9)
    np.testing.assert_allclose(e["load"], [261.5625, 300 - 21.78 - 10.9375], atol=1e-9)
    chillers = 160.0 - h["chp_absorber0.cooling"] - h["load_store0.discharge"]
    np.testing.assert_allclose(chillers, [6.25, 29.13], atol=1e-9)
    assert res.total("max_bus_residual")[0] < 1e-9


def test_a_store_leaves_an_absorber_that_could_cool_everything_alone():
    # Rated 200 kW_th, the absorber could cool all 160: the store serves nothing and fills to nothing (no need left
    # for it), whatever its content; the absorber gives what the unit's heat allows (43.75) and the chillers the rest.
    from .test_dispatch_chp import chp_sizes, chp_system, with_absorber

    _, heat = chp_system([50, 50], "heat_led")
    rows = np.array([[40.0, 40.0]])
    heat = replace(
        with_absorber(heat, 160.0),
        ls_params=np.array([[KEEP, 1.0, K_CH, K_SV]]),
        ls_p_served_kw=rows,
        ls_want=next_day_sum(rows * K_SV),
        ls_absorber=np.array([0]),
    )
    sizes = replace(chp_sizes(), cabs_kw=np.array([[200.0]]), ls_size=np.array([[[300.0, 150.0, 200.0, 200.0]]]))
    _, h, _ = run([0, 0], [300, 300], heat, sizes, period=[0, 2])
    np.testing.assert_allclose(h["load_store0.p_load_kw"], [0, 0], atol=1e-9)
    assert h["load_store0.p_relief_kw"].max() == 0 and h["load_store0.p_charge_kw"].max() == 0
    np.testing.assert_allclose(h["chp_absorber0.cooling"], [43.75, 43.75], atol=1e-9)


def test_the_absorber_cools_only_what_the_store_left():
    # The first case's h0 with the load scaled by 1.2 (an uncertainty member: the chillers' 40 kW read as 48): the
    # store serves 48 - 12.5 = 35.5 kW, 142 kWh_th, so the absorber may give 160 - 142 = 18 kW_th only. The
    # heat-led unit makes 50 + 18 / 0.7 = 75.71 kW_th (x = 0.5813, 58.13 kW): the space gets 160, not more.
    from .test_dispatch_chp import chp_sizes, chp_system, with_absorber

    _, heat = chp_system([50], "heat_led")
    heat = replace(
        with_absorber(heat, 160.0),
        ls_params=np.array([[KEEP, 1.0, K_CH, K_SV]]),
        ls_p_served_kw=np.array([[40.0]]),
        ls_want=np.zeros((1, 1)),
        ls_absorber=np.array([0]),
    )
    sizes = replace(chp_sizes(), cabs_kw=np.array([[50.0]]), ls_size=np.array([[[300.0, 150.0, 200.0, 200.0]]]))
    p = no_battery()
    p[0, 12] = 1.2  # load_scale
    _, h, _ = run([0], [300], heat, sizes, params=p, period=[2])
    np.testing.assert_allclose(h["load_store0.discharge"], [142.0], atol=1e-9)
    np.testing.assert_allclose(h["chp_absorber0.cooling"], [18.0], atol=1e-9)
    x = ((50 + 18 / 0.7) / 100 - 0.246428571428571) / 0.878571428571429  # the unit's heat line (test_dispatch_chp)
    np.testing.assert_allclose(h["chp0.p_kw"], [100 * x], rtol=1e-9)
