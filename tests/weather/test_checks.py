"""Timing checks of a weather year: a year moved on purpose is caught with the shift that undoes it, an honest
year is not, and of the ten CSWD station files exactly Nanjing and Hangzhou (known to be an hour late) are."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from support.weather_testdata import station_file

from lingtan.validation.reference_weather import pvlib_file as pvlib_data
from lingtan.weather import city_climate, read_epw, read_tmy3, shift_hours, synthetic_year, timing_check
from lingtan.weather.checks import FLAG_MIN_HOURS, SHIFT_MIN_IMPROVEMENT, hour_shift

HEFEI = dict(latitude=31.87, longitude=117.23, altitude_m=27.0)
STATIONS = ["Hefei", "Anqing", "Nanjing", "Shanghai", "Hangzhou", "Changsha", "Wuhan", "Lanzhou", "Jiuquan", "Beijing"]
LATE = {"Nanjing": 36, "Hangzhou": 60}
"""Hours of light with the sun down in the two late files, as issue 15 counts them."""


@pytest.fixture(scope="module")
def hefei_year():
    return synthetic_year(city_climate("hefei"), year=2025, seed=2, **HEFEI)


@pytest.fixture(scope="module")
def greensboro():
    # NREL's TMY3: values for the hour ending at the stamp, re-stamped at the interval start by the reader.
    return read_tmy3(pvlib_data("723170TYA.CSV"), year=2025)


def test_honest_years_pass(hefei_year, greensboro):
    found = timing_check(hefei_year, **HEFEI)
    assert not found.flagged and found.sun_down_hours == 0 and found.shift_h == 0
    w, m = greensboro
    found = timing_check(w, m["latitude"], m["longitude"], m["altitude_m"])
    assert not found.flagged and found.sun_down_hours < FLAG_MIN_HOURS and found.shift_h == 0


@pytest.mark.parametrize("moved_h", [1, -2])
def test_year_moved_on_purpose_is_caught(hefei_year, greensboro, moved_h):
    w, m = greensboro
    for year, site in ((hefei_year, HEFEI), (w, dict(latitude=m["latitude"], longitude=m["longitude"]))):
        found = timing_check(shift_hours(year, moved_h), **site)
        assert found.flagged
        assert found.shift_h == -moved_h  # the correction undoes the move
        assert found.fit_improvement >= SHIFT_MIN_IMPROVEMENT
        assert found.sun_down_hours >= FLAG_MIN_HOURS
        assert f"weather.time_shift_h: {-moved_h}" in found.describe()
        # after the correction the year is as honest as before
        back = timing_check(shift_hours(shift_hours(year, moved_h), found.shift_h), **site)
        assert back.shift_h == 0 and back.sun_down_hours == timing_check(year, **site).sun_down_hours


def test_shift_keeps_calendar_and_sums(hefei_year):
    moved = shift_hours(hefei_year, 3)
    assert moved.index.equals(hefei_year.index) and list(moved.columns) == list(hefei_year.columns)
    np.testing.assert_array_equal(moved["ghi"].to_numpy()[3:], hefei_year["ghi"].to_numpy()[:-3])
    # the last three hours of Dec 31 wrap to the first of Jan 1
    np.testing.assert_array_equal(moved["temp_air"].to_numpy()[:3], hefei_year["temp_air"].to_numpy()[-3:])
    assert moved.sum().to_dict() == pytest.approx(hefei_year.sum().to_dict(), rel=1e-12)


def test_misfit_is_least_at_the_right_shift(hefei_year):
    best, misfit = hour_shift(shift_hours(hefei_year, 2), **HEFEI)
    assert best == -2 and set(misfit) == set(range(-3, 4))
    assert misfit[-2] == min(misfit.values()) and misfit[0] > SHIFT_MIN_IMPROVEMENT * misfit[-2]


def test_cswd_stations_late_by_an_hour(shared_weather, references):
    flagged = {}
    for city in STATIONS:
        path = station_file(shared_weather, city, references)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the files' component closure, tested elsewhere
            w, m = read_epw(path, year=2025)
        found = timing_check(w, m["latitude"], m["longitude"], m["altitude_m"])
        if found.flagged:
            flagged[city] = (found.sun_down_hours, found.shift_h)
    assert flagged == {city: (hours, -1) for city, hours in LATE.items()}
