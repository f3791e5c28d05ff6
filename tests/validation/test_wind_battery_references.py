"""The references of the wind and battery validation rows, and that those rows fail on a wrong twin."""

import types

import numpy as np
import pandas as pd
import pytest

from lingtan.components.wind import WindFarm, power_curve

IDEAL_VOLTAGE_REL = 3e-4
"""SAM's 'flat' voltage table falls by 1 mV of 3.6 V (lingtan.validation.sam.IDEAL_CELL_V): stored energy per
unit charge differs by up to 0.03 % from a truly flat one."""


def _wind_frame(v_m_s, n=8760):
    idx = pd.date_range("2019-01-01", periods=n, freq="h", tz="Asia/Shanghai")
    return pd.DataFrame({"wind_speed": np.full(n, float(v_m_s))}, index=idx)


def test_sam_shear_heights_keep_the_ratio_within_sams_limit():
    from lingtan.validation.sam import SAM_MAX_EXTRAPOLATION_M, sam_shear_heights

    h, H = sam_shear_heights(10.0, 100.0)
    assert H / h == pytest.approx(10.0, rel=1e-12)
    assert H - h < SAM_MAX_EXTRAPOLATION_M
    assert sam_shear_heights(10.0, 40.0) == (10.0, 40.0)  # within the limit: the true heights


def test_sam_carries_the_station_wind_up_by_its_own_power_law():
    # 5 m/s at 10 m, alpha 0.2, hub 100 m: v_hub = 5 x 10^0.2 = 7.9245 m/s by hand; SAM's output is the
    # curve at that speed, so SAM (not the twin) applied the exponent and the heights.
    pytest.importorskip("PySAM.Windpower")
    from lingtan.validation.sam import windpower_kw

    farm = WindFarm(
        name="w",
        turbine_type="E-82/2350",
        hub_height_m=100.0,
        shear_exponent=0.2,
        loss_fraction=0.0,
        density_correction=False,
    )
    pc = power_curve(farm.turbine_type)
    want_kw = np.interp(5.0 * 10.0**0.2, pc["wind_speed"], pc["value"]) / 1000.0
    got = windpower_kw(_wind_frame(5.0), farm, pc)
    assert got == pytest.approx(np.full(8760, want_kw), rel=1e-9)


def test_sams_extrapolation_depends_on_the_height_ratio_only(monkeypatch):
    # The scaled heights rest on this: SAM at the true 10 m -> 40 m and at 10 x k -> 40 x k give the same year.
    pytest.importorskip("PySAM.Windpower")
    import lingtan.validation.sam as sam

    rng = np.random.default_rng(0)
    frame = _wind_frame(0.0)
    frame["wind_speed"] = rng.weibull(2.0, len(frame)) * 6.0
    farm = WindFarm(name="w", turbine_type="V90/2000", hub_height_m=40.0, loss_fraction=0.0, density_correction=False)
    true_heights = sam.windpower_kw(frame, farm, power_curve(farm.turbine_type))
    monkeypatch.setattr(sam, "SAM_MAX_EXTRAPOLATION_M", 20.0)
    assert sam.sam_shear_heights(10.0, 40.0)[0] < 10.0  # now scaled
    scaled = sam.windpower_kw(frame, farm, power_curve(farm.turbine_type))
    assert scaled == pytest.approx(true_heights, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("height_m, p_pa", [(1000.0, 89874.6), (11000.0, 22632.06)])
def test_hypsometric_density_is_the_standard_atmosphere(height_m, p_pa):
    # ISA (ISO 2533) pressure at 1 km and at the tropopause, 11 km geopotential altitude, above a 15 C, 101 325 Pa
    # sea level, to the six digits of the tables; temperature 288.15 - 6.5 K/km; density the ideal gas of both.
    from lingtan.validation.cases import DRY_AIR_GAS_CONSTANT_J_KG_K, ISA_LAPSE_RATE_K_M, hub_density_hypsometric

    frame = pd.DataFrame({"temp_air": [15.0 - ISA_LAPSE_RATE_K_M * 2.0], "pressure": [101325.0]})
    t_k = 288.15 - ISA_LAPSE_RATE_K_M * height_m
    want = p_pa / (DRY_AIR_GAS_CONSTANT_J_KG_K * t_k)
    assert hub_density_hypsometric(frame, 0.0, height_m)[0] == pytest.approx(want, rel=1e-5)


def test_sam_battery_follows_the_declared_parameters_by_hand():
    # 1 MWh, 250 kW, 98 % in, 92 % out, SoC 10-90 %, starts at 10 %. Load 100 kW; PV 300 kW in hour 10 only.
    # h10: surplus 200 kW charged, 196 kWh stored -> SoC 29.6 %. h11: 100 kW delivered, 108.70 kWh drawn
    # -> 18.73 %. h12: the 87.30 kWh left above the floor deliver 80.32 kW. Hours before 10: at the floor, idle.
    pytest.importorskip("PySAM.Battery")
    from lingtan.validation.sam import battery_self_consumption

    pv = np.zeros(8760)
    pv[10] = 300.0
    r = battery_self_consumption(
        pv,
        np.full(8760, 100.0),
        energy_kwh=1000.0,
        power_kw=250.0,
        charge_efficiency=0.98,
        discharge_efficiency=0.92,
        soc_min=0.1,
        soc_max=0.9,
        soc_initial=0.1,
    )
    soc_10 = 0.1 + 200.0 * 0.98 / 1000.0
    soc_11 = soc_10 - 100.0 / 0.92 / 1000.0
    assert r["charge_kw"][10] == pytest.approx(200.0, rel=IDEAL_VOLTAGE_REL)
    assert r["soc"][10:13] == pytest.approx([soc_10, soc_11, 0.1], rel=IDEAL_VOLTAGE_REL)
    assert r["discharge_kw"][11:13] == pytest.approx([100.0, (soc_11 - 0.1) * 1000.0 * 0.92], rel=IDEAL_VOLTAGE_REL)
    assert r["charge_kw"].sum() == pytest.approx(200.0, rel=IDEAL_VOLTAGE_REL)
    assert r["discharge_kw"][:11].sum() == 0.0 and r["discharge_kw"][13:].sum() == 0.0
    assert r["grid_import_kw"][12] == pytest.approx(100.0 - r["discharge_kw"][12], abs=1e-9)


def _verdicts(rows):
    return {r.id: r.passed for r in rows}


def test_battery_rows_fail_when_the_twins_discharge_efficiency_is_off(monkeypatch):
    # 0.5 % too little delivered per kWh drawn: invisible in grid import (0.06 %), caught by the battery rows.
    pytest.importorskip("PySAM.Battery")
    import lingtan.twin.run
    from lingtan.twin.core.dispatch import PARAMS
    from lingtan.validation.cases import case_battery

    good = _verdicts(case_battery(True))
    assert all(good.values()), good
    real = lingtan.twin.run.kernel_params

    def lossy(*args, **kwargs):
        p = real(*args, **kwargs)
        p[:, PARAMS.index("discharge_efficiency")] *= 0.995
        return p

    monkeypatch.setattr(lingtan.twin.run, "kernel_params", lossy)
    bad = _verdicts(case_battery(True))
    assert bad["battery.sym96.discharge"] is False and bad["battery.sym96.losses"] is False, bad


def test_wind_rows_fail_when_the_twins_shear_or_density_is_off(monkeypatch):
    pytest.importorskip("PySAM.Windpower")
    import lingtan.components.wind as wind
    from lingtan.validation.cases import case_wind

    good = _verdicts(case_wind(True))
    assert all(good.values()), good
    # Shear exponent 0.005 too high in the twin only (windpowerlib's own functions stay right).
    real_speed = wind.wpl_wind_speed

    def steeper(v, h, hub, hellman_exponent):
        return real_speed.hellman(v, h, hub, hellman_exponent=hellman_exponent + 0.005)

    monkeypatch.setattr(
        wind,
        "wpl_wind_speed",
        types.SimpleNamespace(hellman=steeper, logarithmic_profile=real_speed.logarithmic_profile),
    )
    bad = _verdicts(case_wind(True))
    assert bad["wind.greensboro.e82.sam_shear"] is False and bad["wind.greensboro.e82.windpowerlib"] is False, bad
    monkeypatch.setattr(wind, "wpl_wind_speed", real_speed)
    # Hub temperature left at the 2 m value (no lapse): density 0.25 % low.
    monkeypatch.setattr(wind, "wpl_temperature", types.SimpleNamespace(linear_gradient=lambda t, h, H: t))
    bad = _verdicts(case_wind(True))
    assert bad["wind.greensboro.density"] is False and bad["wind.greensboro.e82.windpowerlib"] is False, bad
    assert bad["wind.greensboro.e82.sam_shear"] is True  # density is off in that row: it sees the shear only
