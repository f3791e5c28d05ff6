"""Energy that a battery takes from the grid never counts as renewable, with renewables in the same store.

The case mixes both origins in one battery so that the kernel's pro-rata pools decide the answer; the expected
shares are counted by hand below with the conventions of ``lingtan.twin.core.dispatch`` (stored energy grows by
``p_in * eta_c`` and falls by ``p_out / eta_d``) and the KPI definitions of ``lingtan.twin.core.kpis``. Tolerances of
1e-12 are float round-off on numbers of order 10.
"""

import numpy as np

from lingtan.twin.core.dispatch import FLOWS, STATES, dispatch, params_matrix
from lingtan.twin.core.kpis import electric_kpis

VALLEY, FLAT, PEAK = 0, 1, 2


def test_grid_charged_energy_never_counts_as_renewable():
    # Battery 100 kWh, 50 kW, eta_c 0.9, eta_d 0.8, empty; tou_arbitrage; import limit 30 kW.
    # h0 valley, no RE, no load: grid charges min(50 kW, room 100/0.9, import headroom 30) = 30 -> grid pool 27.
    # h1 flat, RE 20, load 10: 10 RE to load, surplus 10 charges -> RE pool 9 (no export, nothing curtailed).
    # h2 peak, load 18: discharge 18 draws 18/0.8 = 22.5 from the pools 27 + 9 pro rata (RE share 9/36 = 1/4):
    #     RE 5.625 out -> 4.5 to load; grid 16.875 out -> 13.5 to load. Ends with RE 3.375, grid 10.125 stored.
    load = np.array([0.0, 10.0, 18.0])
    params = params_matrix(
        1,
        energy_kwh=100.0,
        charge_kw=50.0,
        discharge_kw=50.0,
        charge_efficiency=0.9,
        discharge_efficiency=0.8,
        soc_min=0.0,
        soc_max=1.0,
        self_discharge_fraction_per_hour=0.0,
        soc_initial=0.0,
        import_limit_kw=30.0,
        export_limit_kw=0.0,
        strategy="tou_arbitrage",
        load_scale=1.0,
    )
    res = dispatch(
        np.array([[0.0, 20.0, 0.0]]),
        np.ones((1, 1)),
        load,
        params,
        period=np.array([VALLEY, FLAT, PEAK]),
        month=np.zeros(3, int),
        price_cny_per_kwh=np.ones(3),
        record_hourly=True,
    )
    h = {name: res.hourly[:, i] for i, name in enumerate(FLOWS + STATES)}
    np.testing.assert_allclose(h["grid_to_battery"], [30, 0, 0], atol=1e-12)
    np.testing.assert_allclose(h["battery_re_to_load"], [0, 0, 4.5], atol=1e-12)
    np.testing.assert_allclose(h["battery_grid_to_load"], [0, 0, 13.5], atol=1e-12)
    np.testing.assert_allclose(h["battery_e_re"], [0, 9, 3.375], atol=1e-12)

    k = electric_kpis(
        res, pv_e_kwh=[20.0], wind_e_kwh=[0.0], energy_kwh=100.0, soc_min=0.0, soc_max=1.0, grid_cost_cny=[0.0]
    )
    # On-site share: RE consumed = generation 20 - export 0 - curtailed 0 = 20; consumption = import 30 + 20 = 50.
    assert k["re_consumed_e_kwh"][0] == 20.0
    assert k["total_consumption_e_kwh"][0] == 50.0
    assert k["re_electricity_share_onsite"][0] == 20.0 / 50.0
    # Delivered share: RE delivered = 10 direct + 4.5 from the store = 14.5 of 28 kWh served. Were the grid's
    # 13.5 kWh through the battery counted as renewable, it would read 28/28.
    np.testing.assert_allclose(k["re_delivered_e_kwh"], [14.5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(k["re_electricity_share_onsite_delivered"], [14.5 / 28.0], rtol=0, atol=1e-12)
