"""Synthetic year: determinism, physics, wind statistics, and agreement with real years.

The agreement thresholds (annual GHI within 2 %, annual PV yield within 3 %, both from GHI
through the same Erbs decomposition and PV model) come from the project issue.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from support.weather_testdata import station

from lingtan.validation.reference_weather import pvlib_file as pvlib_data
from lingtan.weather import city_climate, read_epw, read_tmy3, synthetic_year
from lingtan.weather.readers import CANONICAL_COLUMNS, read_tmy2

STATIONS = ["Hefei", "Anqing", "Nanjing", "Shanghai", "Hangzhou", "Changsha", "Wuhan", "Lanzhou", "Jiuquan", "Beijing"]


@pytest.fixture(scope="module")
def hefei_year():
    return synthetic_year(city_climate("hefei"), year=2025, seed=3)


def test_seeded_repeatability(hefei_year):
    again = synthetic_year(city_climate("hefei"), year=2025, seed=3)
    pd.testing.assert_frame_equal(hefei_year, again)
    other = synthetic_year(city_climate("hefei"), year=2025, seed=4)
    assert not np.allclose(other["ghi"], hefei_year["ghi"])
    assert not np.allclose(other["wind_speed"], hefei_year["wind_speed"])


def test_shape_and_physics(hefei_year):
    w = hefei_year
    c = city_climate("hefei")
    assert list(w.columns) == list(CANONICAL_COLUMNS) and len(w) == 8760
    assert str(w.index.tz) == "Asia/Shanghai"
    assert w.index[0] == pd.Timestamp("2025-01-01 00:00", tz="Asia/Shanghai")
    assert w.notna().all().all() and (w[["ghi", "dni", "dhi"]] >= 0).all().all()
    from lingtan.weather.closure import component_closure, mid_interval_solar_position

    sp = mid_interval_solar_position(w.index, c.latitude, c.longitude, c.altitude_m)
    night = sp["zenith"].to_numpy() >= 90
    assert (w["ghi"].to_numpy()[night] == 0).all()
    cosz = np.cos(np.radians(sp["zenith"].to_numpy()))
    np.testing.assert_allclose(
        (w["dni"] * np.clip(cosz, 0, None) + w["dhi"]).to_numpy(), w["ghi"].to_numpy(), atol=1e-6
    )
    assert component_closure(w, c.latitude, c.longitude, c.altitude_m) == pytest.approx(1.0)
    # monthly GHI, temperature and wind match the climatology exactly (by construction)
    m = w.index.month
    days = w.groupby(m).size() / 24
    np.testing.assert_allclose(w["ghi"].groupby(m).sum() / 1000 / days, c.ghi_kwh_m2_day, rtol=1e-6)
    np.testing.assert_allclose(w["temp_air"].groupby(m).mean(), c.temp_air_c, atol=1e-6)
    np.testing.assert_allclose(w["wind_speed"].groupby(m).mean(), c.wind_speed_m_s, rtol=1e-6)
    assert w["ghi"].sum() / 1000 == pytest.approx(c.annual_ghi_kwh_m2, rel=1e-6)


def _lag1(v):
    v = np.asarray(v)
    return np.corrcoef(v[:-1], v[1:])[0, 1]


def test_wind_autocorrelation(hefei_year):
    # Without the diurnal cycle the hourly lag-1 autocorrelation is the AR(1) target 0.85,
    # slightly lowered by the non-linear Weibull mapping and the per-month scaling; with
    # 8760 samples the sampling standard error of the estimate is ~0.006. Tolerance 0.03.
    flat = synthetic_year(city_climate("hefei"), year=2025, seed=3, wind={"diurnal_strength": 0.0})
    assert _lag1(flat["wind_speed"]) == pytest.approx(0.85, abs=0.03)
    # HOMER's diurnal sinusoid (strength 0.25) is itself strongly autocorrelated and adds
    # about +0.02 at lag 1; the default series stays within 0.05 of 0.85.
    assert _lag1(hefei_year["wind_speed"]) == pytest.approx(0.85, abs=0.05)
    # diurnal cycle peaks in the afternoon
    hourly = hefei_year["wind_speed"].groupby(hefei_year.index.hour).mean()
    assert 12 <= hourly.idxmax() <= 18


def test_site_override_and_leap_year():
    c = city_climate("jiuquan")
    w = synthetic_year(c, year=2024, seed=0, latitude=40.0, longitude=100.0, altitude_m=1500)
    assert len(w) == 8760 and not ((w.index.month == 2) & (w.index.day == 29)).any()
    # pvlib.atmosphere.alt2pres of the 1500 m given: 100 * ((44331.514 - h) / 11880.516) ** (1 / 0.1902632) [Pa]
    assert (w["pressure"] == 100 * ((44331.514 - 1500) / 11880.516) ** (1 / 0.1902632)).all()


def _real_years():
    cases = [
        pytest.param((read_tmy3, pvlib_data("723170TYA.CSV")), id="Greensboro"),
        pytest.param((read_tmy3, pvlib_data("703165TY.csv")), id="SandPoint"),
        pytest.param((read_tmy2, pvlib_data("12839.tm2")), id="Miami"),
    ]
    for city in STATIONS:
        cases.append(pytest.param((read_epw, station(city)), id=city))
    return cases


MEASURED = {}


@pytest.mark.parametrize("reader_path", _real_years())
def test_synthetic_matches_real_year(reader_path, references):
    from lingtan.validation.weather_generator import compare_synthetic_to_real

    reader, path = reader_path
    if path is None:
        references.missing("no CSWD file for this station")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real, m = reader(path, year=2025)
    res = compare_synthetic_to_real(real, m["latitude"], m["longitude"], m["altitude_m"], seed=0, year=2025)
    MEASURED[path.name] = {k: v for k, v in res.items() if isinstance(v, float)}
    assert abs(res["ghi_rel_error"]) < 0.02
    assert abs(res["pv_rel_error"]) < 0.03
    assert res["wind_mean_synthetic_m_s"] == pytest.approx(res["wind_mean_real_m_s"], rel=1e-6)
    assert 0 <= res["kt_ks_distance"] < 0.25


# --- Weibull shape of the climatology and the spread of synthetic wind -------------------
@pytest.mark.parametrize("k", [0.5, 0.8, 1.3, 2.0, 3.5])
def test_weibull_k_moments_recovers_shape(k):
    # Method of moments (Justus et al. 1978): a large Weibull sample gives back its k,
    # also below 1 (calm sites), where the (std/mean)^-1.086 shortcut does not hold.
    from lingtan.weather.derive_climatology import weibull_cv, weibull_k_moments

    v = 3.0 * np.random.default_rng(5).weibull(k, 200_000)
    assert weibull_k_moments(v) == pytest.approx(k, rel=0.03)
    assert weibull_cv(weibull_k_moments(v)) == pytest.approx(v.std() / v.mean(), rel=1e-5)


def test_weibull_k_moments_keeps_calms_and_degenerate_default():
    from lingtan.weather.derive_climatology import K_DEFAULT, weibull_k_moments

    # half the hours calm: the spread is large, so k falls well below 1
    v = np.concatenate([np.zeros(360), np.full(180, 1.0), np.full(180, 3.0)])
    assert weibull_k_moments(v) < 1.0
    assert weibull_k_moments(np.full(720, 2.0)) == K_DEFAULT
    assert weibull_k_moments(np.zeros(720)) == K_DEFAULT


@pytest.mark.parametrize("city", ["lanzhou", "wuhan", "shanghai"])
def test_synthetic_wind_spread_follows_weibull_k(city):
    # The generator keeps the Weibull marginal: each month's std/mean is the Weibull
    # coefficient of variation of its k, up to sampling (a month of AR(1) lag-1 0.85 holds
    # about 60 independent hours) and the small downward bias of the exact monthly-mean
    # scaling; on average over 12 months within 8 %.
    from lingtan.weather.derive_climatology import weibull_cv

    c = city_climate(city)
    w = synthetic_year(c, year=2025, seed=1)["wind_speed"]
    cv = w.groupby(w.index.month).agg(lambda x: x.std(ddof=0) / x.mean()).to_numpy()
    ratio = cv / weibull_cv(np.array(c.weibull_k))
    assert np.mean(ratio) == pytest.approx(1.0, abs=0.08)
    assert (ratio > 0.7).all() and (ratio < 1.3).all()


@pytest.mark.parametrize("city", STATIONS)
def test_shipped_weibull_k_matches_station_spread(city, references):
    # The shipped k reproduces each month's hourly std/mean of the CSWD file exactly.
    from lingtan.weather.derive_climatology import weibull_cv

    path = station(city)
    if path is None:
        references.missing(f"no CSWD file for {city}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real, _ = read_epw(path, year=2025)
    v = real["wind_speed"]
    cv_real = v.groupby(v.index.month).agg(lambda x: x.std(ddof=0) / x.mean()).to_numpy()
    k = np.array(city_climate(city.lower()).weibull_k)
    np.testing.assert_allclose(weibull_cv(k), cv_real, rtol=2e-3)


def test_compiled_sum_is_numpys_to_the_bit():
    # Plumbing for bit-identical synthetic years: the compiled sum must add in numpy's pairwise order. Lengths
    # cover the in-order (< 8), blocked (8..128) and split (> 128) branches; magnitudes spread over 12 decades
    # so that a different order shows in the last bits.
    from lingtan.weather.synthetic import numpy_sum

    rng = np.random.default_rng(7)
    for n in range(2001):
        a = rng.random(n) * 10.0 ** rng.integers(-6, 6, n)
        assert numpy_sum(a) == a.sum(), n


def test_bounded_rescale_meets_target_and_caps():
    from lingtan.weather.synthetic import _bounded_rescale

    # 10, 20, 30, 90 (sum 150) up to 200 under caps of 100. Pass 1: all free, x 200/150 -> 13.3, 26.7, 40, 120,
    # the last capped at 100 (sum 180). Pass 2: the free three (sum 80) x (200 - 100)/80 = 1.25 -> 16.7, 33.3, 50.
    # Sum 200, none above 100.
    v = _bounded_rescale(np.array([10.0, 20.0, 30.0, 90.0]), np.full(4, 100.0), 200.0)
    assert v.sum() == pytest.approx(200.0, abs=1e-7)
    assert v.max() <= 100.0
    # Scaling down is proportional: 10, 20, 30 to 30 -> 5, 10, 15.
    np.testing.assert_array_equal(_bounded_rescale(np.array([10.0, 20.0, 30.0]), np.full(3, 100.0), 30.0), [5, 10, 15])
    # Caps that cannot hold the target: every entry ends at its cap.
    np.testing.assert_array_equal(_bounded_rescale(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 100.0), [3, 4])
