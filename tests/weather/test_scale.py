"""Scaling a weather year to a site assessment's annual values: the stated values are met exactly, the
components keep their closure, the shape of the year is kept, and the run records what was done."""

from __future__ import annotations

import numpy as np
import pytest
from support.scenario_files import DEFAULT, base, write  # noqa: F401 (base is a fixture)

from lingtan.errors import ScenarioError
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import load_weather
from lingtan.validation.reference_weather import pvlib_file as pvlib_data
from lingtan.weather import component_closure, read_tmy3, scale_resource
from lingtan.weather.checks import shift_hours


@pytest.fixture(scope="module")
def greensboro():
    return read_tmy3(pvlib_data("723170TYA.CSV"), year=2025)


def test_stated_values_met_and_closure_kept(greensboro):
    w, m = greensboro
    site = (m["latitude"], m["longitude"], m["altitude_m"])
    before_ghi = w["ghi"].sum() / 1000.0
    out, rec = scale_resource(w, ghi_kwh_m2_yr=1500.0, wind_mean_m_s=6.0)
    assert out["ghi"].sum() / 1000.0 == pytest.approx(1500.0, rel=1e-12)
    assert out["wind_speed"].mean() == pytest.approx(6.0, rel=1e-12)
    k = 1500.0 / before_ghi
    assert rec["ghi_scale_factor"] == pytest.approx(k, rel=1e-12)
    assert rec["ghi_before_kwh_m2_yr"] == pytest.approx(before_ghi, rel=1e-12)
    assert rec["ghi_after_kwh_m2_yr"] == pytest.approx(1500.0, rel=1e-12)
    assert rec["wind_mean_before_m_s"] == pytest.approx(w["wind_speed"].mean(), rel=1e-12)
    for col in ("ghi", "dni", "dhi"):  # one factor for the three components
        np.testing.assert_allclose(out[col], w[col] * k, rtol=1e-12)
    assert component_closure(out, *site) == pytest.approx(component_closure(w, *site), rel=1e-12)
    # what is not scaled is untouched, and the input frame is not changed
    for col in ("temp_air", "pressure", "relative_humidity"):
        np.testing.assert_array_equal(out[col], w[col])
    assert w["ghi"].sum() / 1000.0 == before_ghi


def test_one_resource_alone(greensboro):
    w, _ = greensboro
    out, rec = scale_resource(w, wind_mean_m_s=2.0)
    np.testing.assert_array_equal(out["ghi"], w["ghi"])
    assert set(rec) == {"wind_scale_factor", "wind_mean_before_m_s", "wind_mean_after_m_s"}


def test_nothing_to_scale(greensboro):
    w, _ = greensboro
    dark = w.assign(ghi=0.0, dni=0.0, dhi=0.0)
    with pytest.raises(ValueError, match="annual GHI"):
        scale_resource(dark, ghi_kwh_m2_yr=1200.0)


def test_run_weather_scaled_and_recorded(tmp_path, base):
    plain, plain_meta = load_weather(load_scenario(DEFAULT), DEFAULT.parent)
    base["weather"]["scale"] = {"ghi_kwh_m2_yr": 1300.0}
    path = write(tmp_path, base)
    frame, meta = load_weather(load_scenario(path), path.parent)
    assert frame["ghi"].sum() / 1000.0 == pytest.approx(1300.0, rel=1e-12)
    np.testing.assert_array_equal(frame["wind_speed"], plain["wind_speed"])
    assert meta["ghi_before_kwh_m2_yr"] == pytest.approx(plain["ghi"].sum() / 1000.0, rel=1e-12)
    assert meta["ghi_scale_factor"] == pytest.approx(1300.0 / meta["ghi_before_kwh_m2_yr"], rel=1e-12)
    assert "ghi_scale_factor" not in plain_meta  # the kept synthetic year is not scaled in place
    again, _ = load_weather(load_scenario(DEFAULT), DEFAULT.parent)
    np.testing.assert_array_equal(again["ghi"], plain["ghi"])


def test_run_file_weather_shifted_and_recorded(tmp_path, base, greensboro):
    w, _ = greensboro
    csv = w.tz_convert("Etc/GMT+5").tz_localize(None).rename_axis("time")
    csv.to_csv(tmp_path / "w.csv")
    base["site"] = {"latitude": 36.1, "longitude": -79.95, "timezone": "Etc/GMT+5"}  # EST all year: the TMY3 clock
    base["weather"] = {"source": "csv", "path": "w.csv", "time_shift_h": 2, "scale": {"wind_mean_m_s": 4.0}}
    path = write(tmp_path, base)
    frame, meta = load_weather(load_scenario(path), path.parent)
    base["weather"] = {"source": "csv", "path": "w.csv"}
    plain, plain_meta = load_weather(load_scenario(write(tmp_path, base, "plain.yaml")), path.parent)
    np.testing.assert_array_equal(frame["ghi"], shift_hours(plain, 2)["ghi"])
    assert frame["wind_speed"].mean() == pytest.approx(4.0, rel=1e-12)
    assert meta["time_shift_h"] == 2 and "time_shift_h" not in plain_meta
    assert meta["wind_mean_before_m_s"] == pytest.approx(plain["wind_speed"].mean(), rel=1e-12)


@pytest.mark.parametrize(
    "weather, field",
    [
        ({"scale": {"ghi_kwh_m2_yr": 0}}, "weather.scale.ghi_kwh_m2_yr"),
        ({"scale": {"ghi_kwh_m2_yr": 5000}}, "weather.scale.ghi_kwh_m2_yr"),
        ({"scale": {"wind_mean_m_s": -1}}, "weather.scale.wind_mean_m_s"),
        ({"scale": {}}, "weather.scale"),
        ({"time_shift_h": 1}, "weather.time_shift_h"),
    ],
)
def test_bad_values_refused(tmp_path, base, weather, field):
    base["weather"].update(weather)
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, base))
    assert field in str(err.value), str(err.value)
