"""Synthetic weather ensembles: calendar, reproducibility, and the drawn spread against the stated one.

The statistical checks use the chi-square interval of a sample standard deviation and Fisher's z
interval of a sample correlation, at a two-sided level of 99.9 % per month, with fixed seeds.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm

from lingtan.errors import InputError
from lingtan.weather import cities, city_climate, synthetic_year
from lingtan.weather.ensemble import (
    DEFAULT_ANNUAL_GHI_REL_SD,
    GHI_FACTOR_FLOOR,
    InterannualSpread,
    default_spread,
    interannual_spread,
    member_anomalies,
    synthetic_members,
)

DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
LEVEL = 0.999


def _sd_interval(n: int) -> tuple[float, float]:
    """Bounds of sample SD / true SD for n normal draws (chi-square, two-sided LEVEL)."""
    a = (1 - LEVEL) / 2
    return float(np.sqrt(chi2.ppf(a, n - 1) / (n - 1))), float(np.sqrt(chi2.ppf(1 - a, n - 1) / (n - 1)))


@pytest.fixture(scope="module")
def hefei():
    return city_climate("hefei")


@pytest.fixture(scope="module")
def members(hefei):
    return synthetic_members(hefei, 3, year=2024, seed=7)


def test_frames_have_the_calendar_of_synthetic_year(hefei, members):
    typical = synthetic_year(hefei, year=2024, seed=7)  # 2024: a leap year, Feb 29 skipped
    for frame, info in members:
        assert frame.index.equals(typical.index)
        assert list(frame.columns) == list(typical.columns)
        assert (frame.dtypes == typical.dtypes).all()
        assert set(info) == {"member", "seed", "ghi_factor", "temp_air_delta_c", "wind_factor"}
        assert all(len(info[k]) == 12 for k in ("ghi_factor", "temp_air_delta_c", "wind_factor"))
    assert [info["member"] for _, info in members] == [0, 1, 2]


def test_each_member_carries_its_monthly_anomalies(hefei, members):
    for frame, info in members:
        month = frame.index.month.to_numpy() - 1
        ghi_kwh_m2_day = np.bincount(month, weights=frame["ghi"].to_numpy(), minlength=12) / 1000.0 / DAYS
        np.testing.assert_allclose(ghi_kwh_m2_day, np.array(hefei.ghi_kwh_m2_day) * info["ghi_factor"], rtol=1e-9)
        wind = np.bincount(month, weights=frame["wind_speed"].to_numpy(), minlength=12) / np.bincount(month)
        np.testing.assert_allclose(wind, np.array(hefei.wind_speed_m_s) * info["wind_factor"], rtol=1e-9)


def test_reproducible_by_seed_and_independent_of_n(hefei, members):
    again = synthetic_members(hefei, 2, year=2024, seed=7)
    for (f1, i1), (f2, i2) in zip(members[:2], again, strict=True):
        pd.testing.assert_frame_equal(f1, f2)
        assert i1 == i2


def test_members_differ_from_each_other_and_from_the_typical_year(hefei, members):
    typical = synthetic_year(hefei, year=2024, seed=7)
    (f0, i0), (f1, i1) = members[0], members[1]
    assert i0["seed"] != i1["seed"] and i0["seed"] != 7
    assert not np.allclose(f0["ghi"], f1["ghi"])
    assert not np.allclose(f0["ghi"], typical["ghi"])
    assert abs(f0["ghi"].sum() / f1["ghi"].sum() - 1.0) > 1e-4  # the annual totals differ, not only the hours
    other = synthetic_members(hefei, 1, year=2024, seed=8)[0][0]
    assert not np.allclose(f0["ghi"], other["ghi"])

    # a new day-to-day sequence: which days are clear is unrelated between members, not only rescaled
    def daily_relative(frame):
        daily = frame["ghi"].resample("D").sum()
        return (daily / daily.groupby(daily.index.month).transform("mean")).to_numpy()

    assert np.corrcoef(daily_relative(f0), daily_relative(f1))[0, 1] < 0.5


def test_sample_sd_of_monthly_ghi_factors_within_chi_square_interval(hefei):
    n = 4000
    spread = interannual_spread("hefei")
    an = member_anomalies(hefei, n, seed=11)
    lo, hi = _sd_interval(n)
    ratio = an["ghi_factor"].std(axis=0, ddof=1) / np.array(spread.ghi_rel_sd)
    assert ((ratio > lo) & (ratio < hi)).all(), ratio
    # the annual GHI spread is the stated one (months independent)
    annual = (an["ghi_factor"] * np.array(hefei.ghi_kwh_m2_day) * DAYS).sum(axis=1)
    stated = spread.annual_ghi_rel_sd(hefei)
    assert stated == pytest.approx(DEFAULT_ANNUAL_GHI_REL_SD, rel=1e-3)
    assert lo < (annual.std(ddof=1) / annual.mean()) / stated < hi


def test_correlation_sign_and_size_hold():
    clim = city_climate("beijing")
    r = np.array([-0.4, -0.4, 0.0, 0.3, 0.5, 0.6, 0.6, 0.6, 0.5, 0.3, -0.2, -0.4])
    spread = InterannualSpread(
        name="test",
        ghi_rel_sd=(0.10,) * 12,
        temp_air_sd_k=(1.5,) * 12,
        wind_rel_sd=(0.08,) * 12,
        corr_ghi_temp=tuple(r),
        source="test values",
    )
    n = 4000
    an = member_anomalies(clim, n, seed=3, spread=spread)
    for m in range(12):
        got = np.corrcoef(an["ghi_factor"][:, m], an["temp_air_delta_c"][:, m])[0, 1]
        half = norm.ppf(0.5 + LEVEL / 2) / np.sqrt(n - 3)  # Fisher z interval
        assert np.tanh(np.arctanh(r[m]) - half) < got < np.tanh(np.arctanh(r[m]) + half), (m, got)
        if r[m] != 0:
            assert np.sign(got) == np.sign(r[m])
        # wind is drawn independently of GHI and temperature
        assert abs(np.corrcoef(an["ghi_factor"][:, m], an["wind_factor"][:, m])[0, 1]) < half
    lo, hi = _sd_interval(n)
    assert (lo < an["temp_air_delta_c"].std(axis=0, ddof=1) / 1.5).all()
    assert (an["temp_air_delta_c"].std(axis=0, ddof=1) / 1.5 < hi).all()
    cov = spread.covariance()
    assert cov.shape == (12, 3, 3) and np.allclose(cov[:, 0, 1], r * 0.10 * 1.5)


def test_factors_stay_within_physical_bounds_and_members_validate():
    clim = city_climate("jiuquan")  # the clearest station: the 0.85 clearness cap is nearest
    wide = dataclasses.replace(default_spread(clim), ghi_rel_sd=(0.5,) * 12)
    an = member_anomalies(clim, 2000, seed=1, spread=wide)
    assert an["ghi_factor"].min() >= GHI_FACTOR_FLOOR
    from lingtan.weather.climatology import monthly_extraterrestrial_kwh_m2_day

    kt = an["ghi_factor"] * np.array(clim.ghi_kwh_m2_day) / monthly_extraterrestrial_kwh_m2_day(clim.latitude)
    assert kt.max() <= 0.85
    synthetic_members(clim, 1, year=2025, seed=1, spread=wide)  # a capped member is a valid climate


def test_shipped_spreads_cover_every_city_with_their_source():
    for city in cities():
        s = interannual_spread(city)
        assert s.is_default and "Clean Power Research" in s.source
        clim = city_climate(city)
        assert s.annual_ghi_rel_sd(clim) == pytest.approx(DEFAULT_ANNUAL_GHI_REL_SD, rel=1e-3)
        expected = default_spread(clim)
        np.testing.assert_allclose(s.ghi_rel_sd, expected.ghi_rel_sd, atol=5e-5)  # CSV rounded to 4 digits
    assert interannual_spread(" HeFei ") == interannual_spread("hefei")


def test_bad_city_and_bad_count_raise_input_error(hefei):
    with pytest.raises(InputError) as err:
        interannual_spread("atlantis")
    assert err.value.field == "weather.city" and "hefei" in err.value.expected
    for bad in (0, -3, 2.5, True):
        with pytest.raises(InputError) as err:
            synthetic_members(hefei, bad, year=2025)
        assert err.value.field == "weather.ensemble.years"
    with pytest.raises(InputError) as err:
        InterannualSpread("x", (0.1,) * 12, (1.0,) * 12, (0.1,) * 12, (1.5,) * 12, "s")
    assert err.value.field == "corr_ghi_temp[0]"
