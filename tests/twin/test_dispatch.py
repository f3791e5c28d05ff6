"""The dispatch kernel: hand-worked battery cases and properties on random inputs.

Hand cases are worked on paper with the conventions in ``lingtan.twin.core.dispatch``:
stored energy grows by ``p_in * eta_c`` and falls by ``p_out / eta_d``;
self-discharge takes a fraction of the stored energy at the start of the hour.
Tolerances of 1e-9 kWh are float round-off on numbers of order 100.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lingtan.twin.core.dispatch import FLOWS, PARAMS, STATES, TOTALS, HeatSizes, HeatSystem, dispatch, params_matrix
from lingtan.twin.core.kpis import electric_kpis

VALLEY, FLAT, PEAK, CRITICAL = 0, 1, 2, 3


def run(
    re,
    load,
    *,
    period=None,
    energy=100.0,
    p=50.0,
    eta_c=0.9,
    eta_d=0.8,
    soc_min=0.0,
    soc_max=1.0,
    soc0=0.0,
    sd=0.0,
    imp=1e9,
    exp=0.0,
    strategy="load_following",
    price=None,
):
    re = np.asarray(re, float)
    load = np.asarray(load, float)
    t = len(load)
    period = np.zeros(t, int) + FLAT if period is None else np.asarray(period)
    params = params_matrix(
        1,
        energy_kwh=energy,
        charge_kw=p,
        discharge_kw=p,
        charge_efficiency=eta_c,
        discharge_efficiency=eta_d,
        soc_min=soc_min,
        soc_max=soc_max,
        self_discharge_fraction_per_hour=sd,
        soc_initial=soc0,
        import_limit_kw=imp,
        export_limit_kw=exp,
        strategy=strategy,
        load_scale=1.0,
    )
    res = dispatch(
        re[None, :],
        np.ones((1, 1)),
        load,
        params,
        period=period,
        month=np.zeros(t, int),
        price_cny_per_kwh=np.ones(t) if price is None else np.asarray(price, float),
        record_hourly=True,
    )
    hourly = {name: res.hourly[:, i] for i, name in enumerate(FLOWS + STATES)}
    return res, hourly


def test_load_following_hand_case():
    # h0: surplus 60 -> charge min(60, 50 kW, room 100/0.9) = 50, stored 45, loss 5; export 5 (limit); curtail 5.
    # h1: deficit 40 -> discharge min(40, 50, 45*0.8 = 36) = 36, stored 0, loss 9; grid 4.
    # h2: deficit 10, empty battery -> grid 10.
    res, h = run([80, 0, 0], [20, 40, 10], exp=5.0)
    np.testing.assert_allclose(h["re_to_load"], [20, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["re_to_battery"], [50, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["re_to_grid"], [5, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["re_curtailed"], [5, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["battery_re_to_load"], [0, 36, 0], atol=1e-9)
    np.testing.assert_allclose(h["grid_to_load"], [0, 4, 10], atol=1e-9)
    np.testing.assert_allclose(h["battery_loss_re"], [5, 9, 0], atol=1e-9)
    np.testing.assert_allclose(h["battery_e"], [45, 0, 0], atol=1e-9)
    assert h["grid_to_battery"].sum() == 0  # load_following never charges from the grid


def test_tou_arbitrage_hand_case():
    # h0 valley: load 10 from grid; grid charge min(50 kW, room 111, import headroom 40 - 10 = 30) = 30 -> stored 27.
    # h1 flat: no discharge outside discharge periods -> grid 10.
    # h2 peak: discharge min(40, 50, 27 * 0.8 = 21.6) = 21.6, all grid-origin; grid 18.4.
    res, h = run([0, 0, 0], [10, 10, 40], period=[VALLEY, FLAT, PEAK], imp=40.0, strategy="tou_arbitrage")
    np.testing.assert_allclose(h["grid_to_battery"], [30, 0, 0], atol=1e-9)
    np.testing.assert_allclose(h["battery_e"], [27, 27, 0], atol=1e-9)
    np.testing.assert_allclose(h["battery_grid_to_load"], [0, 0, 21.6], atol=1e-9)
    np.testing.assert_allclose(h["grid_to_load"], [10, 10, 18.4], atol=1e-9)
    np.testing.assert_allclose(res.total("import_flat"), 10, atol=1e-9)
    np.testing.assert_allclose(res.total("import_valley"), 40, atol=1e-9)


def test_mixed_pools_discharge_pro_rata():
    # Valley: grid charges 30 -> grid pool 27. Flat: RE surplus 10 -> RE pool 9. Pools 27 + 9 = 36, RE share 1/4.
    # Peak: discharge 18 draws 18 / 0.8 = 22.5 from the store: RE part 4.5 out, grid part 13.5 out.
    res, h = run([0, 20, 0], [0, 10, 18], period=[VALLEY, FLAT, PEAK], imp=30.0, strategy="tou_arbitrage")
    np.testing.assert_allclose(h["battery_re_to_load"], [0, 0, 4.5], atol=1e-9)
    np.testing.assert_allclose(h["battery_grid_to_load"], [0, 0, 13.5], atol=1e-9)
    np.testing.assert_allclose(h["battery_e_re"], [0, 9, 9 - 4.5 / 0.8], atol=1e-9)


def test_self_discharge_and_soc_window():
    # Starts at soc 0.5 of 100 kWh; 10 %/h self-discharge with no flows: 50 -> 45 -> 40.5; losses are grid-origin
    # because energy present at the start is counted as grid energy.
    res, h = run([0, 0], [0, 0], soc0=0.5, sd=0.1)
    np.testing.assert_allclose(h["battery_e"], [45, 40.5], atol=1e-9)
    np.testing.assert_allclose(h["battery_loss_grid"], [5, 4.5], atol=1e-9)
    # The window caps charging: soc_max 0.8 of 100 kWh from soc_min 0.2 (20 kWh) leaves 60 kWh of room = 60/0.9 in.
    res, h = run([500], [0], soc_min=0.2, soc_max=0.8, soc0=0.2, p=1000.0)
    np.testing.assert_allclose(h["re_to_battery"], [60 / 0.9], atol=1e-9)
    np.testing.assert_allclose(h["battery_e"], [80], atol=1e-9)


def test_import_limit_leaves_unserved_load():
    res, h = run([0], [150], imp=100.0, energy=0.0)
    np.testing.assert_allclose(h["grid_to_load"], [100], atol=1e-9)
    np.testing.assert_allclose(h["unserved"], [50], atol=1e-9)


@st.composite
def scenarios(draw):
    t = draw(st.integers(24, 24 * 14))
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 6))
    rng = np.random.default_rng(seed)
    unit = rng.uniform(0, 1, (2, t)) * (rng.uniform(size=(2, t)) > 0.3)
    caps = rng.uniform(0, 2000, (n, 2))
    load = rng.uniform(0, 1500, t)
    soc_min = rng.uniform(0, 0.4, n)
    soc_max = rng.uniform(0.6, 1.0, n)
    params = params_matrix(
        n,
        energy_kwh=rng.uniform(0, 5000, n) * (rng.uniform(size=n) > 0.2),
        charge_kw=rng.uniform(0, 1500, n),
        discharge_kw=rng.uniform(0, 1500, n),
        charge_efficiency=rng.uniform(0.7, 1, n),
        discharge_efficiency=rng.uniform(0.7, 1, n),
        soc_min=soc_min,
        soc_max=soc_max,
        self_discharge_fraction_per_hour=rng.uniform(0, 0.01, n),
        soc_initial=soc_min + rng.uniform(0, 1, n) * (soc_max - soc_min),
        import_limit_kw=rng.uniform(200, 3000, n),
        export_limit_kw=rng.uniform(0, 1000, n) * (rng.uniform(size=n) > 0.5),
        strategy=rng.integers(0, 2, n),
        load_scale=rng.uniform(0.5, 1.5, n),
    )
    period = rng.integers(0, 4, t)
    return unit, caps, load, params, period


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_balance_closes_and_flows_are_non_negative(case):
    unit, caps, load, params, period = case
    t = len(load)
    kw = dict(period=period, month=(np.arange(t) // 24) % 12, price_cny_per_kwh=np.linspace(0.3, 1.2, t))
    # dispatch() raises BalanceError if any hour of any configuration leaves a residual above 1e-6 kWh.
    res = dispatch(unit, caps, load, params, **kw)
    assert res.totals[:, : len(FLOWS)].min() >= 0
    # Every configuration, run alone with its hourly record, gives the same totals as in the batch
    # (serial and parallel kernels are one code path) and a non-negative, bounded hourly record.
    for i in range(len(caps)):
        one = dispatch(unit, caps[i : i + 1], load, params[i : i + 1], record_hourly=True, **kw)
        np.testing.assert_allclose(one.totals[0], res.totals[i], rtol=1e-12, atol=1e-9)
        assert one.hourly.min() >= -1e-9
        e = one.hourly[:, len(FLOWS)]
        energy, lo, hi = params[i, 0], params[i, 5], params[i, 6]
        assert np.all(e <= hi * energy + 1e-6)
        assert np.all(e >= min(lo * energy, one.total("battery_e_start")[0]) * (1 - params[i, 7]) ** t - 1e-6)
        np.testing.assert_allclose(
            one.hourly[:, : len(FLOWS)].sum(axis=0), one.totals[0, : len(FLOWS)], rtol=1e-9, atol=1e-6
        )
        # Renewable pool never exceeds the store; renewables consumed never exceed renewables generated.
        assert np.all(one.hourly[:, len(FLOWS) + 1] <= e + 1e-9)
    k = electric_kpis(
        res,
        pv_e_kwh=np.zeros(len(caps)),
        wind_e_kwh=np.zeros(len(caps)),
        energy_kwh=params[:, 0],
        soc_min=params[:, 5],
        soc_max=params[:, 6],
        grid_cost_cny=np.zeros(len(caps)),
    )
    assert np.all((k["re_electricity_share_onsite"] >= 0) & (k["re_electricity_share_onsite"] <= 1 + 1e-12))


def test_totals_names_are_unique():
    assert len(set(TOTALS)) == len(TOTALS)


def test_record_hourly_only_for_single_runs():
    params = params_matrix(
        2,
        energy_kwh=0,
        charge_kw=0,
        discharge_kw=0,
        charge_efficiency=1,
        discharge_efficiency=1,
        soc_min=0,
        soc_max=1,
        self_discharge_fraction_per_hour=0,
        soc_initial=0,
        import_limit_kw=1,
        export_limit_kw=0,
        strategy=0,
        load_scale=1,
    )
    with pytest.raises(ValueError):
        dispatch(
            np.zeros((1, 3)),
            np.zeros((2, 1)),
            np.zeros(3),
            params,
            period=np.zeros(3, int),
            month=np.zeros(3, int),
            price_cny_per_kwh=np.zeros(3),
            record_hourly=True,
        )


@pytest.mark.parametrize("with_heat", [False, True])
def test_blocks_of_lanes_do_not_mix_configurations(with_heat):
    """The kernel runs configurations in blocks of LANES side by side. 150 configurations span two full
    blocks and a partial one; each must give exactly the totals it gives alone (the same arithmetic on the
    same inputs: tolerance 1e-12 relative, float round-off only), electric-only and with a heat side."""
    from lingtan.twin.core.dispatch import LANES, HeatSizes, HeatSystem

    rng = np.random.default_rng(11)
    t, n = 24 * 20, 2 * LANES + 22
    unit = rng.uniform(0, 1, (2, t)) * (rng.uniform(size=(2, t)) > 0.3)
    caps = rng.uniform(0, 2000, (n, 2))
    load = rng.uniform(0, 1500, t)
    params = params_matrix(
        n,
        energy_kwh=rng.uniform(0, 5000, n),
        charge_kw=rng.uniform(0, 1500, n),
        discharge_kw=rng.uniform(0, 1500, n),
        charge_efficiency=rng.uniform(0.7, 1, n),
        discharge_efficiency=rng.uniform(0.7, 1, n),
        soc_min=0.1,
        soc_max=0.9,
        self_discharge_fraction_per_hour=rng.uniform(0, 0.01, n),
        soc_initial=0.5,
        import_limit_kw=rng.uniform(200, 3000, n),
        export_limit_kw=rng.uniform(0, 1000, n),
        strategy=rng.integers(0, 2, n),
        load_scale=rng.uniform(0.5, 1.5, n),
    )
    kw = dict(period=rng.integers(0, 4, t), month=(np.arange(t) // 40) % 12, price_cny_per_kwh=rng.uniform(0.3, 1.2, t))
    heat, hs = None, None
    if with_heat:
        heat = HeatSystem(
            residual_kw_th=rng.uniform(0, 500, (2, t)),
            store_recoverable_kw_th=rng.uniform(0, 200, (1, t)),
            store_serves=np.array([[True, False]]),
            store_keep=np.array([0.99]),
            unit_cop=rng.uniform(1, 4, (2, t)),
            unit_max_kw_th=rng.uniform(0, 400, (2, t)),
            unit_serves=np.array([[True, True], [False, True]]),
            unit_charges=np.array([[True], [False]]),
            unit_grid_allowed=np.array([True, False]),
            boiler_capacity_kw_th=np.array([300.0]),
            boiler_serves=np.array([[True, True]]),
        )
        hs = HeatSizes(
            rng.uniform(0, 1000, (n, 1)),
            rng.uniform(0, 300, (n, 1)),
            rng.uniform(0, 300, (n, 1)),
            rng.uniform(0, 100, (n, 1)),
            rng.uniform(0, 500, (n, 2)),
        )
    batch = dispatch(unit, caps, load, params, heat=heat, heat_sizes=hs, **kw)
    for i in (0, 1, LANES - 1, LANES, 2 * LANES - 1, 2 * LANES, n - 1):
        one_hs = (
            None
            if hs is None
            else HeatSizes(
                *(
                    a[i : i + 1]
                    for a in (
                        hs.store_kwh_th,
                        hs.store_charge_kw_th,
                        hs.store_discharge_kw_th,
                        hs.store_e0_kwh_th,
                        hs.unit_kw_th,
                    )
                )
            )
        )
        one = dispatch(unit, caps[i : i + 1], load, params[i : i + 1], heat=heat, heat_sizes=one_hs, **kw)
        np.testing.assert_allclose(one.totals[0], batch.totals[i], rtol=1e-12, atol=1e-9, err_msg=f"case {i}")
        np.testing.assert_allclose(one.monthly_peak_kw[0], batch.monthly_peak_kw[i], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(one.heat_totals[0], batch.heat_totals[i], rtol=1e-12, atol=1e-9)


def _inputs(t=48, n=2):
    """A small valid call of the kernel: two sources, ``n`` configurations, ``t`` hours."""
    rng = np.random.default_rng(3)
    params = params_matrix(
        n,
        energy_kwh=100.0,
        charge_kw=50.0,
        discharge_kw=50.0,
        charge_efficiency=0.9,
        discharge_efficiency=0.9,
        soc_min=0.1,
        soc_max=0.9,
        self_discharge_fraction_per_hour=0.0,
        soc_initial=0.5,
        import_limit_kw=1e3,
        export_limit_kw=0.0,
        strategy=1,
        load_scale=1.0,
    )
    args = dict(
        unit_kw=rng.uniform(0, 1, (2, t)), caps=np.full((n, 2), 50.0), load_kw=rng.uniform(0, 80, t), params=params
    )
    kw = dict(period=np.arange(t) % 4, month=np.arange(t) // 24, price_cny_per_kwh=np.ones(t))
    return args, kw


def _with_param(params, name, value):
    out = params.copy()
    out[1, PARAMS.index(name)] = value
    return out


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda a, k: k.update(month=np.where(np.arange(48) == 30, 12, k["month"])),
            r"month: expected values in \[0, 11\], found 12 at index \(30,\)",
        ),
        (
            lambda a, k: k.update(period=np.where(np.arange(48) == 5, 7, k["period"])),
            r"period: expected values in \[0, 3\], found 7 at index \(5,\)",
        ),
        (lambda a, k: k.update(period=k["period"].astype(float)), r"period: expected integer codes 0..3, found dtype"),
        (
            lambda a, k: a.update(params=_with_param(a["params"], "strategy", 5)),
            r"params\[:, 'strategy'\]: expected a code 0..2 .*, found 5.0 at index \(1,\)",
        ),
        (
            lambda a, k: a.update(unit_kw=a["unit_kw"].T),
            r"unit_kw: expected shape \(K, T\) = \(K, 48\), found \(48, 2\)",
        ),
        (lambda a, k: a.update(caps=np.ones((2, 3))), r"caps: expected shape \(N, K\) = \(2, 2\), found \(2, 3\)"),
        (
            lambda a, k: a.update(load_kw=np.ones((3, 48))),
            r"load_kw: expected shape \(N, T\) = \(2, 48\), found \(3, 48\)",
        ),
        (
            lambda a, k: k.update(price_cny_per_kwh=np.ones(47)),
            r"price_cny_per_kwh: expected shape \(T,\) = \(48,\), found \(47,\)",
        ),
        (
            lambda a, k: a.update(params=_with_param(a["params"], "charge_efficiency", 0.0)),
            r"params\[:, 'charge_efficiency'\]: expected values in \(0, 1\], found 0.0 at index \(1,\)",
        ),
        (
            lambda a, k: a.update(params=_with_param(a["params"], "soc_max", 0.05)),
            r"params\[:, 'soc_max'\] - params\[:, 'soc_min'\]: expected values in \[0, 1\], found -0.05",
        ),
        (
            lambda a, k: a.update(params=_with_param(a["params"], "import_limit_kw", np.nan)),
            r"params\[:, 'import_limit_kw'\]: expected values in \[0, inf\), found nan at index \(1,\)",
        ),
        (
            lambda a, k: k.update(grid_charge_periods=np.ones(3, bool)),
            r"grid_charge_periods: expected shape \(period codes,\) = \(4,\), found \(3,\)",
        ),
        (
            lambda a, k: k.update(heat=_one_store(48)),
            r"heat_sizes: expected the heat asset sizes with heat, found None",
        ),
        (
            lambda a, k: k.update(heat=_one_store(48), heat_sizes=HeatSizes.none(2)),
            r"heat_sizes.store_kwh: expected shape \(N, S\) = \(2, 1\), found \(2, 0\)",
        ),
    ],
)
def test_bad_inputs_raise_a_value_error_naming_the_argument(change, message):
    """Each of these was accepted before and indexed past an array (month 12, period 7, a store without sizes) or
    silently changed behaviour (strategy 5 ran as load_following; a (T, K) profile was reshaped into nonsense)."""
    args, kw = _inputs()
    dispatch(**args, **kw)  # the unchanged call is accepted
    change(args, kw)
    with pytest.raises(ValueError, match=message):
        dispatch(**args, **kw)


def _one_store(t):
    """A heat side of one demand served by one store, nothing else."""
    z = np.zeros
    return HeatSystem(
        np.full((1, t), 10.0),
        np.full((1, t), 5.0),
        np.ones((1, 1), bool),
        np.ones(1),
        z((0, t)),
        z((0, t)),
        z((0, 1), bool),
        z((0, 1), bool),
        z(0, bool),
        z(0),
        z((0, 1), bool),
    )


def test_a_load_per_configuration_gives_each_configuration_its_own_run():
    """Loads of shape (N, T), as a park's tenants side by side: each configuration's totals, monthly peaks and
    heat are those of its own run with its load alone (the same arithmetic: equal to the last bit), across
    blocks of lanes."""
    from lingtan.twin.core.dispatch import LANES

    t, n = 24 * 10, LANES + 3
    rng = np.random.default_rng(5)
    args, kw = _inputs(t, n)
    loads = rng.uniform(0, 120, (n, t))
    batch = dispatch(**dict(args, load_kw=loads), **kw)
    for i in (0, 1, LANES - 1, LANES, n - 1):
        one = dispatch(
            **dict(args, load_kw=loads[i], caps=args["caps"][i : i + 1], params=args["params"][i : i + 1]), **kw
        )
        np.testing.assert_array_equal(one.totals[0], batch.totals[i])
        np.testing.assert_array_equal(one.monthly_peak_kw[0], batch.monthly_peak_kw[i])
    assert len({batch.total("grid_to_load")[i] for i in range(n)}) == n  # the loads differ, so do the runs


def test_renewable_pool_clamp_has_its_residual():
    """The renewable pool is clamped to [0, e] against round-off; what the clamp removed is reported, and a run
    whose clamp removed more than round-off raises (a pool fed or drawn wrongly would otherwise be hidden)."""
    # Both pools discharge pro rata in the peak hour (test_mixed_pools_discharge_pro_rata).
    res, h = run([0, 20, 0], [0, 10, 18], period=[VALLEY, FLAT, PEAK], imp=30.0, strategy="tou_arbitrage")
    assert h["battery_re_to_load"][2] > 0 and h["battery_grid_to_load"][2] > 0
    assert 0.0 <= res.total("max_pool_residual")[0] <= 1e-12
