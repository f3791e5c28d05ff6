"""Stores of what an electric load makes (cold stores, air receivers) in the dispatch kernel: hand-worked hours and
balance properties.

One store (L=1) beside a load whose electricity is part of the site's: an ice tank whose chillers make 3 kWh_th per
kWh while charging and 4 while serving (``k_charge = 3``, ``k_serve = 4``), 300 kWh_th, 150 kW_th in, 200 kW_th out,
1 % standing loss an hour, valley grid charging allowed; no heat demand, no battery. Periods: 0 valley, 1 flat,
2 peak. Tolerances of 1e-9 are float round-off on numbers of order 100.
"""

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
