"""The ensemble's shortcuts give the numbers of the long way, exactly: a member made alone (in a worker) is the
member of the whole ensemble, the calendar and sun kept for a site are that site's, and the loads and tariff
computed once for the members' hours are those of a fresh build."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from support.scenario_files import base, write  # noqa: F401 (base is a fixture)

from lingtan.errors import InputError
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import build_profiles, hour_profiles, load_weather
from lingtan.weather.climatology import city_climate
from lingtan.weather.closure import mid_interval_solar_position
from lingtan.weather.ensemble import synthetic_member, synthetic_members
from lingtan.weather.synthetic import synthetic_year, year_geometry

SITE = dict(year=2024, tz="Asia/Shanghai", seed=7, latitude=31.86, longitude=117.28, altitude_m=30.0)


def test_member_made_alone_equals_its_row_of_the_ensemble():
    hefei = city_climate("hefei")
    ensemble = synthetic_members(hefei, 4, **SITE)
    for j in (0, 3):
        frame, meta = synthetic_member(hefei, j, **SITE)
        pd.testing.assert_frame_equal(frame, ensemble[j][0], check_exact=True)
        assert meta == ensemble[j][1]
    with pytest.raises(InputError, match="member"):
        synthetic_member(hefei, -1, **SITE)


def test_kept_calendar_and_sun_belong_to_their_site():
    hefei = city_climate("hefei")
    synthetic_year(hefei, **SITE)  # keeps Hefei's geometry
    north = dict(SITE, latitude=45.0, longitude=126.6, altitude_m=150.0)
    after_hefei = synthetic_year(hefei, **north)
    year_geometry.cache_clear()
    fresh = synthetic_year(hefei, **north)
    pd.testing.assert_frame_equal(after_hefei, fresh, check_exact=True)
    # and the sun is the northern site's: no irradiance in an hour whose mid-point has the sun below its horizon
    zenith = mid_interval_solar_position(after_hefei.index, 45.0, 126.6, 150.0)["zenith"].to_numpy()
    assert (zenith >= 90).sum() > 4000 and (after_hefei["ghi"].to_numpy()[zenith >= 90] == 0).all()
    # the kept arrays cannot be changed by a member
    cal, sun = year_geometry(2024, "Asia/Shanghai", 45.0, 126.6, 150.0)
    with pytest.raises(ValueError, match="read-only"):
        sun.e0_w_m2[0] = 1.0


def _assert_same_profiles(a, b) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        elif isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        elif isinstance(x, pd.Index):
            assert x.equals(y) and x.dtype == y.dtype, f.name
        elif f.name == "heat":
            np.testing.assert_array_equal(x.electric_load_kw, y.electric_load_kw)
        else:
            assert x == y, f.name


def test_hour_profiles_reused_only_on_their_hours(tmp_path, base):
    sc = load_scenario(write(tmp_path, base))
    weather = load_weather(sc, tmp_path)
    hours = hour_profiles(sc, tmp_path, weather[0].index)
    _assert_same_profiles(build_profiles(sc, tmp_path, weather, hours), build_profiles(sc, tmp_path, weather))
    # hours of another calendar year (a different weekday on each date) are not reused
    other = load_scenario(write(tmp_path, dict(base, year=2023), "other.yaml"))
    other_hours = hour_profiles(other, tmp_path, load_weather(other, tmp_path)[0].index)
    assert not other_hours.fits(weather[0].index)
    _assert_same_profiles(build_profiles(sc, tmp_path, weather, other_hours), build_profiles(sc, tmp_path, weather))
