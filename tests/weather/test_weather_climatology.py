"""Shipped climatology and user-given monthly values."""
from __future__ import annotations

import pytest

from lingtan.errors import InputError
from lingtan.weather import MonthlyClimate, cities, city_climate

# Annual GHI [kWh/m2] stated in shared/facts/climate.md (read from the CSWD files)
ANNUAL_GHI = {"hefei": 1155, "anqing": 1172, "nanjing": 1208, "shanghai": 1271,
              "hangzhou": 1202, "changsha": 1085, "wuhan": 1169, "lanzhou": 1403,
              "jiuquan": 1687, "beijing": 1401}
MEAN_TEMP = {"hefei": 16.2, "anqing": 17.0, "nanjing": 15.8, "shanghai": 16.7,
             "hangzhou": 17.0, "changsha": 17.1, "wuhan": 17.3, "lanzhou": 10.3,
             "jiuquan": 8.2, "beijing": 12.6}


def test_all_cities_ship():
    assert set(ANNUAL_GHI) <= set(cities())


@pytest.mark.parametrize("city", sorted(ANNUAL_GHI))
def test_city_loads_and_matches_facts(city):
    c = city_climate(city.upper())
    for attr in ("ghi_kwh_m2_day", "temp_air_c", "temp_range_c", "wind_speed_m_s",
                 "weibull_k"):
        assert len(getattr(c, attr)) == 12
    assert c.annual_ghi_kwh_m2 == pytest.approx(ANNUAL_GHI[city], rel=0.01)
    # monthly means of hourly temperature weighted by days ~ annual mean (+-0.2 C)
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    t = sum(x * d for x, d in zip(c.temp_air_c, days)) / 365
    assert t == pytest.approx(MEAN_TEMP[city], abs=0.2)
    assert "CSWD" in c.source and c.station_id
    assert 20 < c.latitude < 45 and 95 < c.longitude < 125


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
    with pytest.raises(Exception):
        c.latitude = 0.0
