"""ASHRAE Guideline 14 statistics against a twelve-month example worked by hand."""

import numpy as np
import pytest

from lingtan.meters.g14 import DOF, LIMITS, g14

# Twelve months measured [MWh]: sum 138, mean 11.5.
MEASURED = np.array([10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 13], dtype=float)


def test_twelve_months_by_hand():
    # The simulation reads 1 MWh low in every other month: residuals m - s = 1, 0, 1, 0, ...
    #   sum(m - s) = 6, sum((m - s)^2) = 6, n - p = 12 - 1 = 11
    #   NMBE     = 6 / (11 * 11.5)          = 6 / 126.5       = 0.0474308
    #   CV(RMSE) = sqrt(6 / 11) / 11.5      = 0.7385489 / 11.5 = 0.0642216
    # Both within the monthly limits (5 %, 15 %).
    fit = g14(MEASURED, MEASURED - np.tile([1.0, 0.0], 6), "monthly")
    assert DOF == 1
    assert fit.n == 12
    assert fit.nmbe == pytest.approx(0.0474308, abs=1e-7)
    assert fit.cv_rmse == pytest.approx(0.0642216, abs=1e-7)
    assert fit.passes


def test_bias_fails_monthly_but_passes_hourly():
    # 1 MWh low in every month: sum(m - s) = 12, sum((m - s)^2) = 12
    #   NMBE     = 12 / 126.5            = 0.0948617  (above 5 %, below 10 %)
    #   CV(RMSE) = sqrt(12 / 11) / 11.5  = 1.0444659 / 11.5 = 0.0908231
    monthly = g14(MEASURED, MEASURED - 1, "monthly")
    assert monthly.nmbe == pytest.approx(0.0948617, abs=1e-7)
    assert monthly.cv_rmse == pytest.approx(0.0908231, abs=1e-7)
    assert not monthly.passes
    assert g14(MEASURED, MEASURED - 1, "hourly").passes


def test_a_simulation_reading_high_has_a_negative_nmbe():
    # s = m + 1 everywhere: NMBE = -12 / 126.5 = -0.0948617, the same CV(RMSE)
    fit = g14(MEASURED, MEASURED + 1, "monthly")
    assert fit.nmbe == pytest.approx(-0.0948617, abs=1e-7)
    assert fit.cv_rmse == pytest.approx(0.0908231, abs=1e-7)
    assert not fit.passes  # the limit is on |NMBE|


def test_missing_periods_are_left_out():
    # NaN in either series drops the month: the first ten months alone, residuals 1, 0, ... (5 ones)
    #   mean(m) = (10+12+11+13+10+12+11+13+10+12) / 10 = 11.4, n - p = 9
    #   NMBE = 5 / (9 * 11.4) = 0.0487329, CV(RMSE) = sqrt(5 / 9) / 11.4 = 0.0653821
    m = MEASURED.copy()
    s = m - np.tile([1.0, 0.0], 6)
    m[10] = np.nan
    s[11] = np.nan
    fit = g14(m, s, "monthly")
    assert fit.n == 10
    assert fit.nmbe == pytest.approx(0.0487329, abs=1e-7)
    assert fit.cv_rmse == pytest.approx(0.0653821, abs=1e-7)


def test_limits_are_guideline_14s():
    assert LIMITS == {"monthly": (0.05, 0.15), "hourly": (0.10, 0.30)}
    # exactly at the limit passes, just past it fails
    edge = g14(np.array([100.0, 100.0]), np.array([95.0, 95.0]), "hourly")  # NMBE = 10 / (1 * 100) = 0.10
    assert edge.nmbe == pytest.approx(0.10)
    assert edge.passes
    assert not g14(np.array([100.0, 100.0]), np.array([94.9, 94.9]), "hourly").passes


def test_too_few_periods_give_nan():
    fit = g14(np.array([5.0]), np.array([4.0]), "monthly")
    assert np.isnan(fit.nmbe) and np.isnan(fit.cv_rmse) and not fit.passes
