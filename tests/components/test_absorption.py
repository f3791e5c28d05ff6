"""The absorption chiller's characteristic equation, its cooling tower and its rating, worked by hand."""

import numpy as np
import pytest
from pydantic import ValidationError

from lingtan.components import heat as h
from lingtan.components.absorption import (
    CHARACTERISTIC_PARAMETERS,
    characteristic_q_kw,
    cooling_water_t_c,
    wet_bulb_t_c,
)

CURVE = {
    "name": "abs",
    "source": "fg",
    "cooling": "hall",
    "capacity_q_kw_th": 100.0,
    "model": "characteristic_equation",
}


def test_wet_bulb_is_stulls_check_value():
    # Stull (2011) works 20 C at 50 % to a wet bulb of 13.7 C; saturated air is its own wet bulb (within the fit's
    # error, RH clipped to 99 %); drier air has a lower wet bulb.
    assert float(wet_bulb_t_c(20.0, 50.0)) == pytest.approx(13.7, abs=0.01)
    assert float(wet_bulb_t_c(30.0, 100.0)) == pytest.approx(30.0, abs=0.3)
    assert float(wet_bulb_t_c(30.0, 20.0)) < float(wet_bulb_t_c(30.0, 60.0)) < 30.0


def test_cooling_water_falls_back_to_the_dry_bulb_without_humidity():
    # 20 C at 50 % with a 5 K approach: 13.70 + 5 = 18.70 C; the hour without humidity (NaN) and a site without any
    # (None): 20 + 5 = 25 C.
    t = cooling_water_t_c(np.array([20.0, 20.0]), np.array([50.0, np.nan]), 5.0)
    assert t[0] == pytest.approx(18.70, abs=0.01) and t[1] == 25.0
    assert float(cooling_water_t_c(20.0, None, 5.0)) == 25.0


def test_characteristic_equation_by_hand():
    # Kühn and Ziegler's 10 kW machine (a 2.5, e 1.8, s_E 0.42, r_E 0.9, s_G 0.51, r_G 2) at mean temperatures
    # 85.5 / 33 / 9.75 C: ddt = 85.5 - 2.5 x 33 + 1.8 x 9.75 = 20.55 K; Q_E = 0.42 x 20.55 + 0.9 = 9.531 kW,
    # Q_G = 0.51 x 20.55 + 2 = 12.4805 kW.
    q_e, q_g = characteristic_q_kw("kuehn_ziegler_10kw", 85.5, 33.0, 9.75)
    assert float(q_e) == pytest.approx(9.531, abs=1e-12) and float(q_g) == pytest.approx(12.4805, abs=1e-12)


def test_full_load_follows_the_curve_from_the_rating():
    # Rated 100 kW at COP 0.7 at 88 C drive and 31 C cooling water, chilled water 7 C: the means are 88 - 2.5 =
    # 85.5, 31 + 2 = 33 and 7 + 2.75 = 9.75 C, the rating of the test above (Q_E 9.531, Q_G 12.4805). At a drive
    # of 78 C: ddt = 75.5 - 82.5 + 17.55 = 10.55 K, Q_E = 5.331, Q_G = 7.3805: capacity 100 x 5.331 / 9.531 =
    # 55.933 kW, COP 0.7 x (5.331 / 7.3805) / (9.531 / 12.4805) = 0.66208. At 60 C the machine makes nothing
    # (ddt -7.45 K, Q_E -2.229 kW): capacity 0.
    ch = h.AbsorptionChiller(**CURVE)
    cap, cop = h.absorption_chiller_full_load(ch, np.array([88.0, 78.0, 60.0]), np.full(3, 31.0))
    np.testing.assert_allclose(cap, [100.0, 100 * 5.331 / 9.531, 0.0], rtol=1e-12)
    np.testing.assert_allclose(cop[:2], [0.7, 0.7 * (5.331 / 7.3805) / (9.531 / 12.4805)], rtol=1e-12)
    assert cap[1] == pytest.approx(55.933, abs=1e-3) and cop[1] == pytest.approx(0.66208, abs=1e-5)
    # Cooler water (29 C, means 31 C): ddt 25.55 K, Q_E 11.631, more cooling than rated: 122.03 kW.
    cap, _ = h.absorption_chiller_full_load(ch, 88.0, 29.0)
    assert float(cap) == pytest.approx(100 * 11.631 / 9.531, rel=1e-12)


def test_the_chiller_runs_on_the_hours_curve():
    # 78 C drive, 31 C cooling water (capacity 55.933 kW, COP 0.66208 above): 50 kW_th of drive heat cools
    # 0.66208 x 50 = 33.104 kW_th; 500 kW_th are capped at the capacity, which takes 55.933 / 0.66208 = 84.48 kW_th;
    # at 60 C, below its lowest drive (70 C here), nothing.
    ch = h.AbsorptionChiller(**CURVE, min_drive_t_c=70.0)
    cop = 0.7 * (5.331 / 7.3805) / (9.531 / 12.4805)
    cap = 100 * 5.331 / 9.531
    q_cool, q_drive = h.absorption_chiller_q_kw_th(
        np.array([50.0, 500.0, 500.0]), np.array([78.0, 78.0, 60.0]), ch, t_cooling_water_c=np.full(3, 31.0)
    )
    np.testing.assert_allclose(q_cool, [cop * 50.0, cap, 0.0], rtol=1e-12)
    np.testing.assert_allclose(q_drive, [50.0, cap / cop, 0.0], rtol=1e-12)
    with pytest.raises(ValueError, match="cooling-water temperature"):
        h.absorption_chiller_q_kw_th(50.0, 78.0, ch)


def test_constant_model_ignores_the_cooling_water():
    ch = h.AbsorptionChiller(name="abs", source="fg", cooling="hall", capacity_q_kw_th=100.0)
    cap, cop = h.absorption_chiller_full_load(ch, np.array([80.0, 95.0]), np.array([20.0, 35.0]))
    assert cap.tolist() == [100.0, 100.0] and cop.tolist() == [0.7, 0.7]


@pytest.mark.parametrize("machine", sorted(CHARACTERISTIC_PARAMETERS))
def test_bursts_beat_throttling_and_cooling_needs_heat(machine):
    # Why a part load runs at the hour's full-load COP: the throttled line Q_G = (s_G / s_E)(Q_E - r_E) + r_G has a
    # positive intercept for every shipped machine. And where a machine cools (Q_E > 0) it takes heat (Q_G > 0):
    # its Q_G line crosses zero at a lower ddt than its Q_E line.
    _, _, s_e, r_e, s_g, r_g = CHARACTERISTIC_PARAMETERS[machine]
    assert r_g - s_g * r_e / s_e > 0
    assert -r_g / s_g < -r_e / s_e


def test_a_rating_where_the_machine_cannot_run_is_refused():
    # 70 C drive and 35 C cooling water: means 67.5 / 37 / 9.75, ddt = 67.5 - 92.5 + 17.55 = -7.45 K: no cooling.
    with pytest.raises(ValidationError, match="rated_drive_t_c"):
        h.AbsorptionChiller(**CURVE, rated_drive_t_c=70.0, rated_cooling_water_t_c=35.0)
    with pytest.raises(ValidationError, match="machine"):
        h.AbsorptionChiller(**CURVE, machine="broad_01")
