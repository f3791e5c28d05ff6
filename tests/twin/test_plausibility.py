"""Plausibility warnings: each fires on the implausible input the safety issue names and stays silent on the
shipped scenario; twin run warns about unserved load and exits 4 unless the study expects it."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from support.scenario_files import DEFAULT, ROOT, base, write  # noqa: F401 (base is a fixture)

from lingtan.twin.cli import EXIT_UNSERVED, main
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.core.schema.site import Site
from lingtan.twin.plausibility import (
    CITY_MAX_DISTANCE_KM,
    GHI_BAND_KWH_M2,
    LOAD_MEAN_BAND_KW,
    UNSERVED_MAX_SHARE,
    city_findings,
    emission_factor_findings,
    great_circle_km,
    published_ef_range,
    timezone_findings,
    unserved_finding,
    weather_findings,
)
from lingtan.twin.run import load_weather


@pytest.fixture(scope="module")
def hefei_weather():
    return load_weather(load_scenario(DEFAULT), DEFAULT.parent)[0]


LONG_TERM = "from the long-term"
"""The shipped Hefei year (CSWD) is 14.5 % below Hefei's NASA SSE long-term GHI: every Hefei scenario carries that
warning (tests/twin/test_weather_warnings.py tests it); the tests here look at the other findings."""


def check_warnings(capsys, path):
    """Exit 0 and the warning lines of ``twin check``, but the long-term GHI one."""
    code = main(["check", str(path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert ": ok (" in out.out
    return [line for line in out.err.splitlines() if line.startswith(f"warning: {path}: ") and LONG_TERM not in line]


def test_shipped_scenario_has_no_warning(capsys):
    assert check_warnings(capsys, DEFAULT) == []


def test_time_zone_far_from_longitude():
    hefei = dict(latitude=31.87, longitude=117.23)
    (finding,) = timezone_findings(Site(**hefei, timezone="Europe/Berlin"), 2025)
    assert finding.field == "site.timezone"
    assert "UTC+1" in finding.text and "6.8 h" in finding.text  # 117.23 / 15 = 7.8 h by the sun
    assert timezone_findings(Site(**hefei, timezone="Asia/Shanghai"), 2025) == []  # 0.2 h
    # Jiuquan (98.48 E) keeps Beijing time, 1.4 h from its sun: within the 2 h.
    assert timezone_findings(Site(latitude=39.77, longitude=98.48, timezone="Asia/Shanghai"), 2025) == []
    # January, not July: Berlin is UTC+1 in winter; 45 E is 3 h by the sun, 2 h from UTC+1 is just inside.
    assert timezone_findings(Site(latitude=50, longitude=45.0, timezone="Europe/Berlin"), 2025) == []
    assert len(timezone_findings(Site(latitude=50, longitude=46.0, timezone="Europe/Berlin"), 2025)) == 1


def test_city_far_from_the_site(base):
    spec = load_scenario(DEFAULT).weather
    (finding,) = city_findings(spec, Site(latitude=-31.87, longitude=117.23))
    assert finding.field == "weather.city" and "7088 km" in finding.text
    assert city_findings(spec, Site(latitude=31.87, longitude=117.23)) == []
    # Shanghai's station is 403 km from Hefei's: a plant in Shanghai should not use hefei. The spherical law of
    # cosines on the same 6371 km sphere: R * acos(sin p1 sin p2 + cos p1 cos p2 cos(dl)) = 402.9 km.
    p1, p2, dl = math.radians(31.87), math.radians(31.4), math.radians(121.45 - 117.23)
    by_cosines = 6371.0 * math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
    assert great_circle_km(31.87, 117.23, 31.4, 121.45) == pytest.approx(by_cosines, rel=1e-9)
    assert len(city_findings(spec, Site(latitude=31.4, longitude=121.45))) == 1
    assert city_findings(spec, Site(latitude=31.87, longitude=120.0)) == []  # 262 km


def test_great_circle_distance():
    # One degree of latitude is 2 pi R / 360 = 111.19 km.
    assert great_circle_km(0, 0, 1, 0) == pytest.approx(111.195, abs=1e-3)
    assert great_circle_km(31.87, 117.23, 31.87, 117.23) == 0.0
    assert CITY_MAX_DISTANCE_KM == 300.0


def test_emission_factor_outside_the_published_range(tmp_path):
    (lo, lo_name), (hi, hi_name) = published_ef_range()
    assert (lo, lo_name) == (0.4772, "gansu_2022") and (hi, hi_name) == (0.8426, "national_2021_fossil")
    (finding,) = emission_factor_findings(100.0)
    assert finding.field == "grid.emission_factor" and "100 tCO2/MWh" in finding.text
    assert emission_factor_findings(0.5366) == [] and emission_factor_findings("national_2022") == []
    assert len(emission_factor_findings(0.4)) == 1
    # An hourly profile is judged by its mean: 537 g/kWh written as t/MWh.
    assert len(emission_factor_findings({"path": "ef.csv"}, np.full(8760, 537.0))) == 1
    # Mean 0.589 inside the range, though most hours (the median, 0.2) lie below it.
    assert emission_factor_findings({"path": "ef.csv"}, np.r_[np.full(4500, 0.2), np.full(4260, 1.0)]) == []


def test_emission_factor_warning_from_check(tmp_path, capsys, base):
    # 1.5 t/MWh: inside the schema's bound (lingtan.limits.MAX_EF_T_PER_MWH, 2.0), outside the published range.
    pd.DataFrame({"ef_t_per_mwh": np.full(8760, 1.5)}).to_csv(tmp_path / "ef.csv", index=False)
    base["grid"]["emission_factor"] = "ef.csv"
    (line,) = check_warnings(capsys, write(tmp_path, base))
    assert "grid.emission_factor: the hourly profile's mean 1.5 tCO2/MWh" in line


def test_weather_extremes(hefei_weather):
    assert weather_findings(hefei_weather) == []  # 1155 kWh/m2, -5..38 C, 2.9 m/s
    dim = hefei_weather.assign(ghi=hefei_weather.ghi * 0.4)  # 462 kWh/m2
    (finding,) = weather_findings(dim)
    assert finding.field == "weather" and "462 kWh/m2" in finding.text
    assert GHI_BAND_KWH_M2[0] <= 0.45 * hefei_weather.ghi.sum() / 1000  # 520: inside
    assert weather_findings(hefei_weather.assign(ghi=hefei_weather.ghi * 0.45)) == []
    kelvin = hefei_weather.assign(temp_air=hefei_weather.temp_air + 273.15)
    (finding,) = weather_findings(kelvin)
    assert "air temperature" in finding.text and "8760 hours" in finding.text
    one_hot = hefei_weather.copy()
    one_hot.iloc[4000, one_hot.columns.get_loc("temp_air")] = 56.0
    assert "(1 hours)" in weather_findings(one_hot)[0].text
    windy = hefei_weather.assign(wind_speed=hefei_weather.wind_speed * 6)  # km/h and then some: 17 m/s
    (finding,) = weather_findings(windy)
    assert "mean wind speed 17" in finding.text
    assert weather_findings(hefei_weather.assign(wind_speed=hefei_weather.wind_speed * 5)) == []  # 14.3 m/s


def test_weather_warning_from_a_csv_file(tmp_path, capsys, base, hefei_weather):
    # Temperatures in kelvin in the user's weather file.
    w = hefei_weather.tz_localize(None)
    pd.DataFrame(
        {
            "time": w.index.strftime("%Y-%m-%d %H:%M"),
            "ghi": w.ghi,
            "dni": w.dni,
            "dhi": w.dhi,
            "temp_air": w.temp_air + 273.15,
            "wind_speed": w.wind_speed,
        }
    ).to_csv(tmp_path / "w.csv", index=False)
    base["weather"] = {"source": "csv", "path": "w.csv"}
    (line,) = check_warnings(capsys, write(tmp_path, base))
    assert ": weather: air temperature" in line


def test_timezone_and_city_warnings_from_check(tmp_path, capsys, base):
    base["site"]["timezone"] = "Europe/Berlin"
    base["site"]["latitude"] = -31.87
    lines = check_warnings(capsys, write(tmp_path, base))
    assert [line.split(": ")[2] for line in lines] == ["site.timezone", "weather.city"], lines


def test_load_above_everything_that_can_serve_it(tmp_path, capsys, base):
    # 50 GWh on two shifts peaks at 8.43 MW; 3 MW of import + 12 MWp PV + 4 MW battery cannot carry 2.5 x that.
    base["loads"][0]["annual_e_kwh"] = 125e6
    base["grid"]["import_limit_kw"] = 3000
    (line,) = check_warnings(capsys, write(tmp_path, base))
    assert "grid.import_limit_kw: the loads' peak 21.07 MW" in line and "3 MW + PV, wind and battery 16 MW" in line
    base["grid"]["import_limit_kw"] = 5100  # 5.1 + 12 + 4 = 21.1 MW: enough nameplate
    assert check_warnings(capsys, write(tmp_path, base)) == []


@pytest.mark.parametrize(
    "unit, values_kw, hint",
    [
        ("kW", 5.0e6, "values in W"),  # a meter export in W read as kW: 5 GW
        ("MW", 5000.0, "values in W"),  # kW declared as MW
        ("kW", 5.0, "values in MW"),  # MW read as kW: 5 kW
    ],
)
def test_load_csv_in_the_wrong_unit(tmp_path, capsys, base, unit, values_kw, hint):
    pd.DataFrame({"p_kw": np.full(8760, values_kw)}).to_csv(tmp_path / "load.csv", index=False)
    base["loads"] = [{"name": "meter", "kind": "csv", "path": "load.csv", "unit": unit}]
    base["grid"]["import_limit_kw"] = 1e9  # the unit alone, not the connection
    lines = check_warnings(capsys, write(tmp_path, base))
    assert [line.split(": ")[2] for line in lines] == ["loads[0]"], lines
    assert hint in lines[0] and f"declared in {unit}" in lines[0]


def test_load_csv_in_kw_is_plausible(tmp_path, capsys, base):
    pd.DataFrame({"p_kw": np.full(8760, 5000.0)}).to_csv(tmp_path / "load.csv", index=False)
    base["loads"] = [{"name": "meter", "kind": "csv", "path": "load.csv"}]
    assert check_warnings(capsys, write(tmp_path, base)) == []
    assert LOAD_MEAN_BAND_KW[0] < 5000.0 < LOAD_MEAN_BAND_KW[1]


def test_tenant_load_above_its_connection(tmp_path, capsys):
    park = {
        "name": "Small park",
        "site": {"latitude": 31.87, "longitude": 117.23},
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei"},
        "grid": {"import_limit_kw": 20000},
        "tenants": [
            {
                "name": "a",
                "loads": [{"name": "plant", "kind": "shifts", "annual_e_kwh": 8e6}],
                "connection": {"import_limit_kw": 500},
            },
            {"name": "b", "loads": [{"name": "plant", "kind": "shifts", "annual_e_kwh": 1e6}]},
        ],
    }
    (line,) = check_warnings(capsys, write(tmp_path, park))
    assert "tenants[0].connection.import_limit_kw: the loads' peak 1.503 MW" in line
    park["tenants"][0]["connection"]["import_limit_kw"] = 1600
    assert check_warnings(capsys, write(tmp_path, park)) == []


def run(tmp_path, capsys, path):
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--reports", "none", "--no-lp-optimum"])
    return code, "".join(line for line in capsys.readouterr().err.splitlines(True) if LONG_TERM not in line)


def test_unserved_load_exits_4_after_writing_the_results(tmp_path, capsys, base):
    base["grid"]["import_limit_kw"] = 1  # the example: 79 % of the load unserved
    code, err = run(tmp_path, capsys, write(tmp_path, base))
    assert code == EXIT_UNSERVED == 4
    lines = [line for line in err.splitlines() if line.startswith("warning:")]
    assert (
        len(lines) == 1
        and "unserved_load_e_kwh: 39,613.4 MWh (79.2 %) of the load is unserved; every "
        "simulated verdict is not assessable"
        in lines[0]
    ), err
    kpis = json.loads((tmp_path / "out" / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["unserved_load_e_kwh"] == pytest.approx(39_613_437, rel=1e-6)
    # An off-grid study expects it: the same warning, and success; the run prints check's warnings too.
    base["study"] = "off_grid"
    base["grid"]["emission_factor"] = 1.5
    code, err = run(tmp_path, capsys, write(tmp_path, base))
    lines = err.splitlines()
    assert code == 0 and len(lines) == 2, err
    assert ": grid.emission_factor: 1.5 tCO2/MWh is outside" in lines[0]
    assert "(79.2 %) of the load is unserved" in lines[1]


def test_served_load_exits_0_without_a_warning(tmp_path, capsys, base):
    code, err = run(tmp_path, capsys, write(tmp_path, base))
    assert code == 0 and err == ""


def test_unserved_threshold_is_a_tenth_of_a_percent():
    def result(unserved_kwh):
        kpis = {
            "load_e_kwh": 1e6,
            "power_to_heat_e_kwh": 0.0,
            "power_to_heat_from_surplus_e_kwh": 0.0,
            "unserved_load_e_kwh": unserved_kwh,
        }
        return type("Run", (), {"kpis": kpis})()

    assert UNSERVED_MAX_SHARE == 0.001
    assert unserved_finding(result(1000.0)) is None  # exactly 0.1 %
    assert "1.0 MWh (0.1 %)" in unserved_finding(result(1000.5)).text
