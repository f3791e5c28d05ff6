"""Shipped climatology and user-given monthly values."""

from __future__ import annotations

import dataclasses

import pytest

from lingtan.errors import InputError
from lingtan.weather import MonthlyClimate, cities, city_climate

# Annual GHI [kWh/m2] stated in shared/facts/climate.md (read from the CSWD files)
ANNUAL_GHI = {
    "hefei": 1155,
    "anqing": 1172,
    "nanjing": 1208,
    "shanghai": 1271,
    "hangzhou": 1202,
    "changsha": 1085,
    "wuhan": 1169,
    "lanzhou": 1403,
    "jiuquan": 1687,
    "beijing": 1401,
}
MEAN_TEMP = {
    "hefei": 16.2,
    "anqing": 17.0,
    "nanjing": 15.8,
    "shanghai": 16.7,
    "hangzhou": 17.0,
    "changsha": 17.1,
    "wuhan": 17.3,
    "lanzhou": 10.3,
    "jiuquan": 8.2,
    "beijing": 12.6,
}
# Station id, latitude, longitude [deg] and altitude [m] of the LOCATION line of each CSWD EPW file
STATION = {
    "hefei": ("583210", 31.87, 117.23, 26.8),
    "anqing": ("584240", 30.53, 117.05, 19.8),
    "nanjing": ("582380", 32.83, 118.80, 7.1),
    "shanghai": ("583620", 31.40, 121.45, 5.5),
    "hangzhou": ("584570", 30.23, 120.17, 41.7),
    "changsha": ("576870", 28.22, 112.92, 68.0),
    "wuhan": ("574940", 30.62, 114.13, 23.1),
    "lanzhou": ("528890", 36.05, 103.88, 1517.2),
    "jiuquan": ("525330", 39.77, 98.48, 1477.2),
    "beijing": ("545110", 39.80, 116.47, 31.3),
}


def test_all_cities_ship():
    assert set(ANNUAL_GHI) <= set(cities())


@pytest.mark.parametrize("city", sorted(ANNUAL_GHI))
def test_city_loads_and_matches_facts(city):
    c = city_climate(city.upper())
    for attr in ("ghi_kwh_m2_day", "temp_air_c", "temp_range_c", "wind_speed_m_s", "weibull_k"):
        assert len(getattr(c, attr)) == 12
    # climate.md gives whole kWh/m2 and tenths of a degree: the shipped months agree within half the last digit
    assert c.annual_ghi_kwh_m2 == pytest.approx(ANNUAL_GHI[city], abs=0.5)
    # monthly means of hourly temperature weighted by days = the annual mean
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    t = sum(x * d for x, d in zip(c.temp_air_c, days, strict=True)) / 365
    assert t == pytest.approx(MEAN_TEMP[city], abs=0.05)
    assert "CSWD" in c.source
    assert (c.station_id, c.latitude, c.longitude, c.altitude_m) == STATION[city]


def test_unknown_city_lists_known():
    with pytest.raises(InputError) as ei:
        city_climate("wuhu")
    assert "hefei" in str(ei.value) and "'wuhu'" in str(ei.value)


def test_from_monthly_defaults_and_validation():
    ghi = [2.5, 3, 3.5, 4.5, 5, 5, 5, 5, 4, 3.5, 2.8, 2.4]
    t = [3, 5, 10, 16, 21, 25, 28, 28, 23, 17, 11, 5]
    c = MonthlyClimate.from_monthly(ghi, t, latitude=31.9, longitude=117.2)
    assert c.temp_range_c == (8.0,) * 12 and c.weibull_k == (2.0,) * 12
    assert c.wind_speed_m_s == (2.5,) * 12
    with pytest.raises(InputError, match="12 monthly values"):
        MonthlyClimate.from_monthly(ghi[:11], t, latitude=31.9, longitude=117.2)
    with pytest.raises(InputError, match=r"temp_air_c\[3\]"):
        MonthlyClimate.from_monthly(ghi, t[:3] + [99] + t[4:], latitude=31.9, longitude=117.2)
    with pytest.raises(InputError, match="latitude"):
        MonthlyClimate.from_monthly(ghi, t, latitude=95, longitude=117.2)
    with pytest.raises(InputError, match=r"ghi_kwh_m2_day\[0\]"):  # above extraterrestrial
        MonthlyClimate.from_monthly([9] + ghi[1:], t, latitude=31.9, longitude=117.2)
    with pytest.raises(InputError, match="wind_speed_m_s"):
        MonthlyClimate.from_monthly(ghi, t, latitude=31.9, longitude=117.2, wind_speed_m_s=-1)


def test_frozen():
    c = city_climate("hefei")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.latitude = 0.0
