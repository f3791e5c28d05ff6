"""A run on 15-minute steps (``time_step_min``): the same energy whatever the step, the storage counted per
step, per-step tables, the demand charge on the 15-minute maximum, and what is refused.

Tolerances: 1e-9 relative is float round-off of sums over 35 040 steps of numbers of order 1e3 kW.
"""

import numpy as np
import pandas as pd
import pytest
from support.scenario_files import DEFAULT, base, write  # noqa: F401 (base is a fixture)

from lingtan.components.grid import DEMAND_NOTE_QUARTER
from lingtan.errors import InputError, ScenarioError
from lingtan.twin import run as runmod
from lingtan.twin.cli import main
from lingtan.twin.core.dispatch import TOTALS, dispatch, params_matrix
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict

MONTH_HOURS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]) * 24


def _constant_year(step_h: float, re_kw: float, load_kw: float, soc0: float, sd: float = 0.0):
    """A year of constant renewable output and load on steps of ``step_h`` through the kernel, a battery in it."""
    per_hour = round(1 / step_h)
    t = 8760 * per_hour
    month = np.repeat(np.arange(12), MONTH_HOURS * per_hour)
    period = np.repeat(np.tile([0] * 8 + [1] * 8 + [2] * 8, 365), per_hour)
    params = params_matrix(
        1,
        energy_kwh=1000.0,
        charge_kw=300.0,
        discharge_kw=300.0,
        charge_efficiency=0.95,
        discharge_efficiency=0.9,
        soc_min=0.1,
        soc_max=0.9,
        self_discharge_fraction_per_hour=sd,
        soc_initial=soc0,
        import_limit_kw=1e6,
        export_limit_kw=70.0,
        strategy="load_following",
        load_scale=1.0,
    )
    return dispatch(
        np.full((1, t), re_kw),
        np.ones((1, 1)),
        np.full(t, load_kw),
        params,
        period=period,
        month=month,
        price_cny_per_kwh=np.array([0.3, 0.6, 1.0, 1.2])[period],
        feed_in_cny_per_kwh=0.35,
        record_hourly=True,
        step_h=step_h,
    )


@pytest.mark.parametrize(
    ("re_kw", "load_kw", "soc0"),
    [(500.0, 380.0, 0.1), (150.0, 420.0, 0.9), (0.0, 250.0, 0.5)],
    ids=["surplus fills the battery", "deficit empties it", "no renewables"],
)
def test_constant_profiles_give_the_same_energy_on_any_step(re_kw, load_kw, soc0):
    # Constant profiles: the battery fills (or empties) in quarter-hours instead of hours, and every annual energy,
    # cost and end state is the same, as is the peak import [kW].
    hourly = _constant_year(1.0, re_kw, load_kw, soc0)
    quarter = _constant_year(0.25, re_kw, load_kw, soc0)
    np.testing.assert_allclose(quarter.totals, hourly.totals, rtol=1e-9, atol=1e-6, err_msg=str(TOTALS))
    np.testing.assert_allclose(quarter.monthly_peak_kw, hourly.monthly_peak_kw, rtol=1e-12)
    assert quarter.total("re_generation")[0] == pytest.approx(re_kw * 8760, rel=1e-12)


def test_self_discharge_is_per_hour_on_any_step():
    # An idle battery at 90 % loses 0.002 % of its energy per hour, whatever the step ((1 - 2e-5)^0.25 kept per
    # quarter-hour): after a year e = 900 * (1 - 2e-5)^8760 = 756 kWh on both steps.
    hourly = _constant_year(1.0, 0.0, 0.0, 0.9, sd=2e-5)
    quarter = _constant_year(0.25, 0.0, 0.0, 0.9, sd=2e-5)
    end = 900.0 * (1 - 2e-5) ** 8760
    assert hourly.total("battery_e_end")[0] == pytest.approx(end, rel=1e-9)
    assert quarter.total("battery_e_end")[0] == pytest.approx(end, rel=1e-9)
    loss = quarter.total("battery_loss_grid")[0]
    assert loss == pytest.approx(900.0 - end, rel=1e-9)


@pytest.fixture(scope="module")
def runs():
    sc = load_scenario(DEFAULT)
    return runmod.simulate(sc, DEFAULT.parent), runmod.simulate(
        sc.model_copy(update={"time_step_min": 15}), DEFAULT.parent
    )


def test_a_quarter_hour_year_keeps_the_years_energy(runs):
    hourly, quarter = runs
    assert len(quarter.hourly) == 4 * len(hourly.hourly) == 35040
    assert quarter.hourly.attrs["step_min"] == 15 and hourly.hourly.attrs["step_min"] == 60
    # The shift load's year and the weather's irradiation are kept exactly; PV differs only by the sun's
    # position within the hour (a few per mille).
    assert quarter.kpis["load_e_kwh"] == pytest.approx(50e6, rel=1e-12)
    ghi = quarter.kpis["weather"]["annual_ghi_kwh_m2"]
    assert ghi == pytest.approx(hourly.kpis["weather"]["annual_ghi_kwh_m2"], rel=1e-12)
    assert quarter.kpis["pv_e_kwh"] == pytest.approx(hourly.kpis["pv_e_kwh"], rel=0.01)
    # Table and KPIs agree: sums of the step's power times 0.25 h.
    t = quarter.hourly
    imp = t[["grid_to_load_kw", "grid_to_heat_kw", "grid_to_battery_kw"]].sum(axis=1)
    assert imp.sum() * 0.25 == pytest.approx(quarter.kpis["grid_import_e_kwh"], rel=1e-12)
    assert t.pv_kw.sum() * 0.25 == pytest.approx(quarter.kpis["pv_e_kwh"], rel=1e-12)
    # The battery's energy is in kWh within its window (not in kW-quarter-hours, four times as large).
    assert 0.1 * 8000 - 1e-6 <= t.battery_e_kwh.min() and t.battery_e_kwh.max() <= 0.95 * 8000 + 1e-6
    assert t.battery_e_kwh.max() > 0.9 * 8000


def test_the_demand_charge_reads_the_quarter_hour_maximum(runs):
    hourly, quarter = runs
    for run, step in ((quarter, 15), (hourly, 60)):
        t = run.hourly
        imp = t[["grid_to_load_kw", "grid_to_heat_kw", "grid_to_battery_kw"]].sum(axis=1)
        by_month = imp.groupby(t.index.strftime("%Y-%m")).max()
        bill = run.kpis["grid_bill"]
        assert bill["step_h"] == step / 60
        assert bill["max_demand_kw_by_month"] == pytest.approx(by_month.to_dict(), rel=1e-12)
        assert run.kpis["grid_bill_cny"]["total_cny"] == pytest.approx(bill["totals"]["total_cny"], rel=1e-9)
    assert quarter.kpis["grid_bill"]["demand_basis_note"] == DEMAND_NOTE_QUARTER
    assert "largest 60-minute mean" in hourly.kpis["grid_bill"]["demand_basis_note"]


def test_the_report_and_the_checks_weigh_each_quarter_hour(runs, tmp_path, base, capsys):  # noqa: F811
    from lingtan.twin.reports.html import monthly_electric

    hourly, quarter = runs
    months = monthly_electric(quarter)
    assert months["pv_e_kwh"].sum() == pytest.approx(quarter.kpis["pv_e_kwh"], rel=1e-12)
    assert months["load_e_kwh"].sum() == pytest.approx(50e6, rel=1e-12)
    # twin check reads the 15-minute year as the run does: no GHI four times too high.
    base["time_step_min"] = 15
    code = main(["check", str(write(tmp_path, base))])
    err = capsys.readouterr().err
    assert code == 0
    assert f"annual GHI {hourly.kpis['weather']['annual_ghi_kwh_m2']:.0f} kWh/m2" in err


def test_another_step_is_a_field_path_error(base):  # noqa: F811
    base["time_step_min"] = 30
    with pytest.raises(ScenarioError, match="time_step_min") as err:
        scenario_from_dict(base, "s.yaml")
    assert "15" in str(err.value) and "60" in str(err.value)


def test_the_cli_refuses_another_step_in_one_line(tmp_path, base, capsys):  # noqa: F811
    base["time_step_min"] = 5
    code = main(["run", str(write(tmp_path, base)), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "time_step_min" in err[0]


def _load_file(tmp_path, freq: str, periods: int):
    stamps = pd.date_range("2025-01-01", periods=periods, freq=freq)
    frame = pd.DataFrame({"time": stamps.strftime("%Y-%m-%dT%H:%M"), "p_kw": 1000.0})
    frame.to_csv(tmp_path / "load.csv", index=False)


def test_a_quarter_hour_load_file_is_read_as_it_is(tmp_path, base):  # noqa: F811
    _load_file(tmp_path, "15min", 35040)
    base.update(time_step_min=15, loads=[{"name": "meter", "kind": "csv", "path": "load.csv"}])
    sc = scenario_from_dict(base, tmp_path / "s.yaml")
    prof = runmod.build_profiles(sc, tmp_path, any_step=True)
    assert prof.step_h == 0.25 and len(prof.load_kw) == 35040
    assert prof.load_kw.sum() * prof.step_h == pytest.approx(1000.0 * 8760, rel=1e-12)


def test_an_hourly_load_file_in_a_quarter_hour_run_is_refused(tmp_path, base):  # noqa: F811
    _load_file(tmp_path, "h", 8760)
    base.update(time_step_min=15, loads=[{"name": "meter", "kind": "csv", "path": "load.csv"}])
    sc = scenario_from_dict(base, tmp_path / "s.yaml")
    with pytest.raises(InputError, match="15 min apart.*found 60 min apart"):
        runmod.build_profiles(sc, tmp_path, any_step=True)


def test_studies_of_many_runs_refuse_a_quarter_hour_step(base):  # noqa: F811
    # Sweeps, ensembles, sizing, parks and the life series are carried hourly: they build profiles without
    # any_step and say so.
    sc = scenario_from_dict(dict(base, time_step_min=15), DEFAULT)
    with pytest.raises(InputError, match="time_step_min.*60 for studies of many runs"):
        runmod.build_profiles(sc, DEFAULT.parent)


def _quarter_hour_weather_file(tmp_path):
    """A 15-minute weather CSV: the default factory's year interpolated, stamped in local time."""
    sc = load_scenario(DEFAULT).model_copy(update={"time_step_min": 15})
    frame, _ = runmod.load_weather(sc, DEFAULT.parent)
    table = frame[["ghi", "temp_air", "wind_speed"]].copy()
    table.insert(0, "time", frame.index.strftime("%Y-%m-%dT%H:%M"))
    table.to_csv(tmp_path / "weather.csv", index=False)
    return frame


def test_a_quarter_hour_weather_file_is_read_as_it_is(tmp_path, base):  # noqa: F811
    frame = _quarter_hour_weather_file(tmp_path)
    base.update(time_step_min=15, weather={"source": "csv", "path": "weather.csv"})
    got, meta = runmod.load_weather(scenario_from_dict(base, tmp_path / "s.yaml"), tmp_path)
    assert len(got) == 35040 and "resampled" not in meta
    assert (got.index == frame.index).all()
    assert np.abs(got["ghi"].to_numpy() - frame["ghi"].to_numpy()).max() < 1e-9


def test_a_quarter_hour_weather_file_in_an_hourly_run_is_refused(tmp_path, base):  # noqa: F811
    _quarter_hour_weather_file(tmp_path)
    base.update(weather={"source": "csv", "path": "weather.csv"})
    with pytest.raises(InputError, match="time_step_min: expected weather of 60-minute steps.*found weather of 15"):
        runmod.load_weather(scenario_from_dict(base, tmp_path / "s.yaml"), tmp_path)


def test_a_quarter_hour_weather_file_scales_to_the_annual_value(tmp_path, base):  # noqa: F811
    _quarter_hour_weather_file(tmp_path)
    base.update(time_step_min=15, weather={"source": "csv", "path": "weather.csv", "scale": {"ghi_kwh_m2_yr": 1300}})
    got, meta = runmod.load_weather(scenario_from_dict(base, tmp_path / "s.yaml"), tmp_path)
    assert got["ghi"].sum() * 0.25 / 1000.0 == pytest.approx(1300.0, rel=1e-12)
    assert meta["ghi_after_kwh_m2_yr"] == pytest.approx(1300.0, rel=1e-12)
