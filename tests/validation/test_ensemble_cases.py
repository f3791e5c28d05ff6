"""The tolerances of the ensemble validation row are computed, and agree with their textbook forms."""

import numpy as np
import pytest

from lingtan.validation.ensemble_cases import ENSEMBLE_MEMBERS, _chi2_sd_interval


def test_chi_square_interval_of_a_sample_sd_at_n_200():
    lo, hi = _chi2_sd_interval(ENSEMBLE_MEMBERS)
    # large-N normal approximation of the SD's sampling distribution: 1 -+ 1.96 / sqrt(2 (N - 1))
    half = 1.959964 / np.sqrt(2 * (ENSEMBLE_MEMBERS - 1))
    assert lo == pytest.approx(1 - half, abs=2e-3)
    assert hi == pytest.approx(1 + half, abs=2e-3)
    assert (lo, hi) == pytest.approx((0.902, 1.098), abs=1e-3)


def test_the_interval_holds_the_sd_of_normal_samples_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    n, trials = 200, 4000
    sd = rng.standard_normal((trials, n)).std(axis=1, ddof=1)
    lo, hi = _chi2_sd_interval(n)
    inside = np.mean((sd >= lo) & (sd <= hi))
    assert inside == pytest.approx(0.95, abs=3 * np.sqrt(0.95 * 0.05 / trials))
