"""The heat side of the dispatch kernel: hand-worked hours and balance properties.

One demand (D=1), one hot-water store (S=1), one heat pump (U=1) allowed on grid power,
one electric boiler (U=2) on renewable surplus only, one gas boiler (B=1).
Tolerances of 1e-9 are float round-off on numbers of order 100.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lingtan.twin.core.dispatch import FLOWS, STATES, HeatSizes, HeatSystem, dispatch, params_matrix


def no_battery(n=1, imp=1e9):
    return params_matrix(
        n,
        energy_kwh=0,
        charge_kw=0,
        discharge_kw=0,
        charge_efficiency=1,
        discharge_efficiency=1,
        soc_min=0,
        soc_max=1,
        self_discharge_fraction_per_hour=0,
        soc_initial=0,
        import_limit_kw=imp,
        export_limit_kw=0,
        strategy=0,
        load_scale=1,
    )


def system(res, rec, cop_hp, cop_eb=0.99, hp_max=1e9, keep=1.0, grid_hp=True):
    t = len(res)
    return HeatSystem(
        residual_kw_th=np.array([res], float),
        store_recoverable_kw_th=np.array([rec], float),
        store_serves=np.array([[True]]),
        store_keep=np.array([keep]),
        unit_cop=np.array([np.full(t, cop_hp), np.full(t, cop_eb)]),
        unit_max_kw_th=np.array([np.full(t, hp_max), np.full(t, np.inf)]),
        unit_serves=np.array([[True], [True]]),
        unit_charges=np.array([[True], [True]]),
        unit_grid_allowed=np.array([grid_hp, False]),
        boiler_capacity_kw_th=np.array([1e9]),
        boiler_serves=np.array([[True]]),
    )


def sizes(store=100.0, ch=50.0, dis=50.0, e0=0.0, hp=30.0, eb=1000.0):
    a = lambda v: np.array([[v]], float)  # noqa: E731
    return HeatSizes(a(store), a(ch), a(dis), a(e0), np.array([[hp, eb]], float))


def run(re, load, heat, hsizes, params=None, period=None):
    t = len(load)
    res = dispatch(
        np.array([re], float),
        np.ones((1, 1)),
        np.array(load, float),
        no_battery() if params is None else params,
        period=np.ones(t, int) if period is None else np.asarray(period),
        month=np.zeros(t, int),
        price_cny_per_kwh=np.ones(t),
        heat=heat,
        heat_sizes=hsizes,
        record_hourly=True,
    )
    cols = heat.columns()
    h = {f"{g}{i}.{q}": res.heat_hourly[:, k] for k, (g, i, q) in enumerate(cols)}
    e = {name: res.hourly[:, i] for i, name in enumerate(FLOWS + STATES)}
    return res, h, e


def test_hand_worked_hours():
    # h0: demand 100, no renewables. Store empty. Heat pump (COP 4, 30 kW_th) on grid: 30 kW_th for 7.5 kW;
    #     boiler the remaining 70. Recovered waste heat offered to the store: 40 -> stored 40 (charge limit 50).
    # h1: demand 100, renewables 200 with load 100 -> surplus 100. Store discharges 40 (all it has).
    #     Heat pump 30 kW_th for 7.5 kW (grid-allowed step, served by renewables on the bus since re > load).
    #     Surplus 100 - 7.5 = 92.5 runs the electric boiler (COP 0.99) for the last 30 kW_th: 30/0.99 kW.
    #     Remaining surplus charges the store via the electric boiler: min(charge 50, room 100) = 50 kW_th.
    #     Rest of surplus is curtailed (no export, no battery).
    heat = system(res=[100, 100], rec=[40, 0], cop_hp=4.0)
    res, h, e = run([0, 200], [50, 100], heat, sizes())
    np.testing.assert_allclose(h["unit0.heat_to_demand"], [30, 30], atol=1e-9)
    np.testing.assert_allclose(h["unit0.p_base_kw"], [7.5, 7.5], atol=1e-9)
    np.testing.assert_allclose(h["boiler0.heat"], [70, 0], atol=1e-9)
    np.testing.assert_allclose(h["store0.charge_recovered"], [40, 0], atol=1e-9)
    np.testing.assert_allclose(h["store0.discharge"], [0, 40], atol=1e-9)
    np.testing.assert_allclose(h["unit1.heat_to_demand"], [0, 30], atol=1e-9)
    np.testing.assert_allclose(h["unit1.heat_to_storage"], [0, 50], atol=1e-9)
    np.testing.assert_allclose(h["store0.e_kwh_th"], [40, 50], atol=1e-9)
    np.testing.assert_allclose(e["heat_load"], [7.5, 7.5], atol=1e-9)
    np.testing.assert_allclose(e["load"], [57.5, 107.5], atol=1e-9)
    np.testing.assert_allclose(e["re_to_heat"], [0, 30 / 0.99 + 50 / 0.99], atol=1e-9)
    np.testing.assert_allclose(e["re_curtailed"], [0, 200 - 107.5 - 80 / 0.99], atol=1e-9)
    np.testing.assert_allclose(h["demand0.unserved"], [0, 0], atol=1e-9)


def test_grid_heat_pump_never_causes_unserved_load():
    # Import limit 60 kW, process load 55 kW, no renewables: only 5 kW left for the heat pump (COP 3 -> 15 kW_th).
    heat = system(res=[100], rec=[0], cop_hp=3.0)
    res, h, e = run([0], [55], heat, sizes(store=0, ch=0, dis=0, hp=1000), params=no_battery(imp=60.0))
    np.testing.assert_allclose(h["unit0.heat_to_demand"], [15], atol=1e-9)
    np.testing.assert_allclose(e["unserved"], [0], atol=1e-12)
    np.testing.assert_allclose(h["boiler0.heat"], [85], atol=1e-9)


def test_standing_loss_and_surplus_only_units():
    # Store starts with 80, loses 10 %/h; no demand; the electric boiler never runs on grid power.
    heat = system(res=[0, 0], rec=[0, 0], cop_hp=0.0, keep=0.9, grid_hp=False)
    res, h, e = run([0, 0], [10, 10], heat, sizes(e0=80.0))
    # hour 0 loses 10 % of 80 and keeps 90 %; hour 1 loses 10 % of what is left
    e0, keep = 80.0, 0.9
    np.testing.assert_allclose(h["store0.loss"], [e0 * (1 - keep), e0 * keep * (1 - keep)], atol=1e-9)
    np.testing.assert_allclose(h["store0.e_kwh_th"], [e0 * keep, e0 * keep**2], atol=1e-9)
    assert e["heat_load"].sum() == 0 and e["re_to_heat"].sum() == 0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4))
def test_heat_balance_on_random_systems(seed, n):
    rng = np.random.default_rng(seed)
    t, d, s, u, b = 72, rng.integers(1, 4), rng.integers(0, 3), rng.integers(0, 4), rng.integers(0, 3)
    heat = HeatSystem(
        residual_kw_th=rng.uniform(0, 500, (d, t)),
        store_recoverable_kw_th=rng.uniform(0, 200, (s, t)),
        store_serves=rng.uniform(size=(s, d)) > 0.3,
        store_keep=rng.uniform(0.95, 1, s),
        unit_cop=rng.uniform(0, 5, (u, t)) * (rng.uniform(size=(u, t)) > 0.1),
        unit_max_kw_th=rng.uniform(0, 400, (u, t)),
        unit_serves=rng.uniform(size=(u, d)) > 0.3,
        unit_charges=rng.uniform(size=(u, s)) > 0.3,
        unit_grid_allowed=rng.uniform(size=u) > 0.5,
        boiler_capacity_kw_th=rng.uniform(0, 400, b),
        boiler_serves=rng.uniform(size=(b, d)) > 0.3,
    )
    hs = HeatSizes(
        rng.uniform(0, 1000, (n, s)),
        rng.uniform(0, 300, (n, s)),
        rng.uniform(0, 300, (n, s)),
        np.zeros((n, s)),
        rng.uniform(0, 500, (n, u)),
    )
    params = params_matrix(
        n,
        energy_kwh=rng.uniform(0, 2000, n),
        charge_kw=500,
        discharge_kw=500,
        charge_efficiency=0.9,
        discharge_efficiency=0.9,
        soc_min=0.1,
        soc_max=0.9,
        self_discharge_fraction_per_hour=0.001,
        soc_initial=0.1,
        import_limit_kw=rng.uniform(200, 2000, n),
        export_limit_kw=100,
        strategy=rng.integers(0, 2, n),
        load_scale=1,
    )
    kw = dict(period=rng.integers(0, 4, t), month=np.zeros(t, int), price_cny_per_kwh=np.ones(t), heat=heat)
    # dispatch() raises BalanceError if the electric bus, the battery, any demand or the stores fail to close.
    batch = dispatch(
        rng.uniform(0, 1, (1, t)), rng.uniform(0, 3000, (n, 1)), rng.uniform(0, 1000, t), params, heat_sizes=hs, **kw
    )
    assert batch.heat_totals.min() >= -1e-9
    # Electric flows are exactly non-negative (the accounting rejects even -1e-16 kWh of export).
    assert batch.totals[:, : len(FLOWS)].min() >= 0.0
