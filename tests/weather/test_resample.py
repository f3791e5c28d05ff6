"""Hourly weather interpolated to 15 minutes (lingtan.weather.resample): energy kept hour by hour, light only
with the sun up, the clearness index (not GHI) interpolated, components closing in every step.

Tolerances: 1e-9 W/m2 is float round-off on irradiances of order 1000 W/m2.
"""

import numpy as np
import pandas as pd
import pytest

import lingtan.weather as wx
from lingtan.weather.closure import mid_interval_solar_position
from lingtan.weather.resample import to_steps

HEFEI = dict(latitude=31.87, longitude=117.23, altitude_m=27.0)


@pytest.fixture(scope="module")
def hourly() -> pd.DataFrame:
    return wx.synthetic_year(wx.city_climate("hefei"), year=2025, seed=1, **HEFEI)


@pytest.fixture(scope="module")
def quarters(hourly) -> pd.DataFrame:
    return to_steps(hourly, **HEFEI, step_min=15)


def test_every_hour_keeps_its_irradiation(hourly, quarters):
    # The module's promise: the mean of an hour's four quarter-hours is the hour's GHI (same Wh/m2).
    assert len(quarters) == 4 * len(hourly)
    means = quarters["ghi"].to_numpy().reshape(-1, 4).mean(axis=1)
    assert np.abs(means - hourly["ghi"].to_numpy()).max() < 1e-9
    assert quarters.index[1] - quarters.index[0] == pd.Timedelta(minutes=15)
    assert (quarters.index[::4] == hourly.index).all()


def test_no_light_before_sunrise_or_after_sunset(hourly, quarters):
    # A quarter-hour whose middle has the sun below the horizon gets no GHI, even inside a sunlit hour:
    # interpolating GHI itself would give it light from the next hour.
    zen = mid_interval_solar_position(quarters.index, **HEFEI, step_min=15)["zenith"].to_numpy()
    ghi = quarters["ghi"].to_numpy()
    hour_lit = np.repeat(hourly["ghi"].to_numpy() > 0, 4) & np.repeat((zen < 90).reshape(-1, 4).any(axis=1), 4)
    dark_in_lit_hour = (zen >= 90) & hour_lit
    assert dark_in_lit_hour.sum() > 300  # sunrise and sunset quarter-hours over the year
    assert ghi[dark_in_lit_hour].max() == 0.0


def test_components_close_in_every_quarter_hour(quarters):
    zen = mid_interval_solar_position(quarters.index, **HEFEI, step_min=15)["zenith"].to_numpy()
    rebuilt = quarters["dni"].to_numpy() * np.clip(np.cos(np.radians(zen)), 0, None) + quarters["dhi"].to_numpy()
    assert np.abs(rebuilt - quarters["ghi"].to_numpy()).max() < 1e-9
    assert (quarters[["ghi", "dni", "dhi"]].to_numpy() >= 0).all()


def test_a_constant_clearness_index_stays_constant():
    # A day whose every hour has clearness index 0.6 (GHI = 0.6 x the hour's mean extraterrestrial horizontal
    # irradiance) gives 0.6 in every sunlit quarter-hour: the index is what is interpolated, not GHI.
    from pvlib.irradiance import get_extra_radiation

    hours = pd.date_range("2025-06-21 00:00", periods=48, freq="h", tz="Asia/Shanghai")
    steps = pd.date_range(hours[0], periods=4 * len(hours), freq="15min")
    zen = mid_interval_solar_position(steps, **HEFEI, step_min=15)["zenith"].to_numpy()
    e_h = np.asarray(get_extra_radiation(steps.dayofyear)) * np.clip(np.cos(np.radians(zen)), 0, None)
    weather = pd.DataFrame(
        {"ghi": 0.6 * e_h.reshape(-1, 4).mean(axis=1), "dni": 0.0, "dhi": 0.0, "temp_air": 20.0, "wind_speed": 2.0},
        index=hours,
    )
    out = to_steps(weather, **HEFEI, step_min=15)
    lit = e_h > 0
    assert np.abs(out["ghi"].to_numpy()[lit] / e_h[lit] - 0.6).max() < 1e-12
    assert (out["ghi"].to_numpy()[~lit] == 0).all()


def test_temperature_and_wind_are_linear_between_hour_middles():
    # An hourly mean belongs to the hour's middle: a ramp of 1 C per hour gives 0.25 C per quarter-hour, and the
    # quarter-hour 10:15-10:30 (middle 10:22:30) lies 7.5 min before the 10:00 hour's middle.
    hours = pd.date_range("2025-03-01 00:00", periods=24, freq="h", tz="Asia/Shanghai")
    ramp = np.arange(24, dtype=float)
    weather = pd.DataFrame(
        {"ghi": 0.0, "dni": 0.0, "dhi": 0.0, "temp_air": ramp, "wind_speed": 2.0 * ramp}, index=hours
    )
    out = to_steps(weather, **HEFEI, step_min=15)
    inner = slice(4, -4)  # the first and last hours hold their value beyond their middles
    t = out["temp_air"].to_numpy()
    assert np.abs(np.diff(t[inner]) - 0.25).max() < 1e-12
    assert t[10 * 4 + 1] == pytest.approx(10.0 - 0.125, abs=1e-12)
    assert np.abs(out["wind_speed"].to_numpy()[inner] - 2.0 * t[inner]).max() < 1e-12


def test_sixty_minutes_is_the_hourly_year(hourly):
    assert to_steps(hourly, **HEFEI, step_min=60).equals(hourly)


@pytest.mark.parametrize("step", [7, 0, 90])
def test_a_step_that_does_not_divide_the_hour_is_refused(hourly, step):
    with pytest.raises(ValueError, match="step_min must divide 60"):
        to_steps(hourly.iloc[:48], **HEFEI, step_min=step)


def test_weather_that_is_not_hourly_is_refused(quarters):
    with pytest.raises(ValueError, match="must be hourly"):
        to_steps(quarters.iloc[:96], **HEFEI, step_min=15)
