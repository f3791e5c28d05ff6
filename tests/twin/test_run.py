"""A whole run: scenario -> weather -> profiles -> kernel -> table, KPIs and files."""

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingtan.components.grid import grid_bill, load_tariff
from lingtan.twin.cli import main
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
from lingtan.twin.core.tables import check_electric_balance
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"


@pytest.fixture(scope="module")
def base_dict():
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def default_run():
    return simulate(load_scenario(DEFAULT), DEFAULT.parent)


def test_every_shipped_scenario_checks():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert main(["check", str(path)]) == 0, path


def test_run_writes_table_and_kpis(tmp_path, default_run):
    out = tmp_path / "out"
    assert main(["run", str(DEFAULT), "--out", str(out), "--quiet"]) == 0
    hourly = pd.read_parquet(out / "hourly.parquet")
    csv = pd.read_csv(out / "hourly.csv")
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert len(hourly) == len(csv) == 8760
    assert str(hourly.index.tz) == "Asia/Shanghai"
    assert hourly.index[0] == pd.Timestamp("2025-01-01 00:00", tz="Asia/Shanghai")
    # The written table closes on its own, to the design's 1e-6 kWh, and no flow is negative.
    assert check_electric_balance(hourly) <= 1e-6
    np.testing.assert_allclose(csv["pv_to_load_kw"].to_numpy(), hourly["pv_to_load_kw"].to_numpy(), rtol=1e-12)
    # Annual KPIs are the sums of the hourly table (kWh per hourly step).
    for key, col in [("load_e_kwh", "load_kw"), ("pv_e_kwh", "pv_kw"), ("grid_export_e_kwh", "pv_to_grid_kw")]:
        assert kpis[key] == pytest.approx(hourly[col].sum(), rel=1e-9)
    imp = hourly.grid_to_load_kw + hourly.grid_to_battery_kw
    assert kpis["grid_import_e_kwh"] == pytest.approx(imp.sum(), rel=1e-9)
    assert kpis["peak_import_kw"] == pytest.approx(imp.max(), rel=1e-12)
    # The CLI's run and an in-process run of the same scenario and seed give the same year.
    assert kpis["re_electricity_share_onsite"] == default_run.kpis["re_electricity_share_onsite"]


def test_balance_check_refuses_a_broken_table(default_run):
    from lingtan.errors import BalanceError

    h = default_run.hourly.copy()
    # 1 kWh moved from PV-to-load to nowhere in one hour: PV's own balance is off by exactly 1 kWh.
    h.loc[h.index[4000], "pv_to_load_kw"] += 1.0
    with pytest.raises(BalanceError, match="largest residual 1 kWh"):
        check_electric_balance(h)
    # A NaN flow would pass a maximum that skips it: it is refused on its own.
    h = default_run.hourly.copy()
    h.loc[h.index[10], "grid_to_load_kw"] = np.nan
    with pytest.raises(BalanceError, match="not a finite number"):
        check_electric_balance(h)


def test_kernel_bill_equals_hourly_bill(default_run):
    # Two independent computations of the grid bill: the kernel's running sums (used by sweeps)
    # and the grid module's bill on the hourly import and export series.
    h = default_run.hourly
    tariff = load_tariff(default_run.scenario.grid.tariff)
    bill = grid_bill(
        (h.grid_to_load_kw + h.grid_to_battery_kw).to_numpy(),
        (h.pv_to_grid_kw + h.wind_to_grid_kw).to_numpy(),
        h.index,
        tariff,
    )
    assert default_run.kpis["grid_cost_cny"] == pytest.approx(bill["total_cny"], rel=1e-9)
    assert default_run.kpis["grid_bill_cny"]["basic_charge_cny"] == pytest.approx(bill["basic_charge_cny"], rel=1e-9)


def test_renewable_share_definition(default_run):
    k = default_run.kpis
    consumption = k["grid_import_e_kwh"] + k["re_generation_e_kwh"] - k["grid_export_e_kwh"] - k["curtailed_e_kwh"]
    assert k["total_consumption_e_kwh"] == pytest.approx(consumption, rel=1e-12)
    # Consumption = load + battery losses + change of stored energy: the bus and store balances combined.
    assert consumption == pytest.approx(
        k["load_e_kwh"] + k["battery_losses_e_kwh"] + k["battery_stored_change_e_kwh"], rel=1e-9
    )
    re = k["re_generation_e_kwh"] - k["grid_export_e_kwh"] - k["curtailed_e_kwh"]
    assert k["re_electricity_share_onsite"] == pytest.approx(re / consumption, rel=1e-12)


def test_tou_arbitrage_charges_from_grid_only_in_valley(base_dict):
    d = copy.deepcopy(base_dict)
    d["battery"][0]["dispatch"] = "tou_arbitrage"
    res = simulate(scenario_from_dict(d), DEFAULT.parent)
    h = res.hourly
    assert h.grid_to_battery_kw.sum() > 0
    assert (h.grid_to_battery_kw[h.tou_period != "valley"] == 0).all()
    assert (h.battery_grid_to_load_kw + h.battery_re_to_load_kw)[h.tou_period.isin(["valley", "flat"])].sum() == 0
    # Arbitrage buys at valley and sells back at peak: it must lower the energy charge against no battery.
    d0 = copy.deepcopy(base_dict)
    d0["battery"] = []
    base = simulate(scenario_from_dict(d0), DEFAULT.parent)
    assert res.kpis["grid_bill_cny"]["energy_charge_cny"] < base.kpis["grid_bill_cny"]["energy_charge_cny"]


def test_csv_load_in_megawatts(tmp_path, base_dict):
    shift = simulate(scenario_from_dict(base_dict), DEFAULT.parent).hourly.load_kw
    pd.DataFrame({"p_mw": shift.to_numpy() / 1000}).to_csv(tmp_path / "meter.csv", index=False)
    d = copy.deepcopy(base_dict)
    d["loads"] = [{"name": "meter", "kind": "csv", "path": "meter.csv", "column": "p_mw", "unit": "MW"}]
    res = simulate(scenario_from_dict(d), tmp_path)
    np.testing.assert_allclose(res.hourly.load_kw.to_numpy(), shift.to_numpy(), rtol=1e-12)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pv=st.floats(0, 40000),
    bat=st.floats(0, 60000),
    c_rate=st.floats(0.1, 2),
    wind=st.integers(0, 4),
    strategy=st.sampled_from(["load_following", "tou_arbitrage"]),
    export=st.booleans(),
    import_limit=st.floats(3000, 20000),
    sd=st.floats(0, 0.01),
)
def test_random_scenarios_balance(base_dict, pv, bat, c_rate, wind, strategy, export, import_limit, sd):
    d = copy.deepcopy(base_dict)
    d["pv"][0]["capacity_kwp"] = max(pv, 1.0)
    d["battery"][0].update(
        energy_kwh=bat, power_kw=bat * c_rate, dispatch=strategy, self_discharge_fraction_per_hour=sd
    )
    d["grid"].update(export_allowed=export, import_limit_kw=import_limit)
    d["wind"] = [{"name": "wt", "turbine_type": "E-82/2300", "count": wind, "hub_height_m": 100}] if wind else []
    res = simulate(scenario_from_dict(d), DEFAULT.parent)  # raises BalanceError if any hour fails to close
    h = res.hourly
    flows = h[[c for c in h.columns if c.endswith("_kw")]]
    assert (flows.to_numpy() >= 0).all()
    assert check_electric_balance(h) <= 1e-6
    if not export:
        assert (h.pv_to_grid_kw + h.wind_to_grid_kw).sum() == 0
    assert (h.grid_to_load_kw + h.grid_to_battery_kw).max() <= import_limit + 1e-9
    # the share counted from the hourly table: renewable energy used on site (to load, heat and battery) over that
    # plus grid import
    kinds = [c[: -len("_to_curtailment_kw")] for c in h.columns if c.endswith("_to_curtailment_kw")]
    re_used = sum(h[f"{k}_to_{s}_kw"].sum() for k in kinds for s in ("load", "heat", "battery"))
    grid_in = (h.grid_to_load_kw + h.grid_to_battery_kw).sum()
    assert res.kpis["re_electricity_share_onsite"] == pytest.approx(re_used / (grid_in + re_used), rel=1e-9)


def test_user_monthly_climatology(base_dict, tmp_path, capsys):
    from lingtan.weather import city_climate

    c = city_climate("hefei")
    d = copy.deepcopy(base_dict)
    d["site"].update(latitude=c.latitude, longitude=c.longitude, altitude_m=c.altitude_m)
    d["weather"] = {
        "source": "synthetic",
        "seed": 1,
        "monthly": {
            "ghi_kwh_m2_day": list(c.ghi_kwh_m2_day),
            "temp_air_c": list(c.temp_air_c),
            "temp_range_c": list(c.temp_range_c),
            "wind_speed_m_s": list(c.wind_speed_m_s),
        },
    }
    res = simulate(scenario_from_dict(d), DEFAULT.parent)
    # The generator meets each month's GHI total by construction, so the annual GHI equals the climatology's.
    expected = sum(
        g * n for g, n in zip(c.ghi_kwh_m2_day, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], strict=True)
    )
    assert res.kpis["weather"]["annual_ghi_kwh_m2"] == pytest.approx(expected, rel=1e-6)
    d["weather"]["monthly"]["ghi_kwh_m2_day"] = [3.0] * 11
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "weather.monthly.ghi_kwh_m2_day: expected 12 monthly values, got 11" in capsys.readouterr().err


def test_a_run_imports_only_the_pvlib_it_uses(tmp_path):
    # pvlib's __init__ imports every sub-module (pvlib.spectrum brings scipy.integrate, pvlib.clearsky h5py);
    # a run loads pvlib lazily, and a later `import pvlib` still reaches every sub-module.
    import subprocess
    import sys

    argv = ["run", str(DEFAULT), "--out", str(tmp_path / "out"), "--quiet", "--reports", "none"]
    code = (
        f"import sys; from lingtan.twin.cli import main; main({argv!r}); "
        "print(sorted(m for m in ('pvlib.spectrum', 'pvlib.pvsystem', 'pvlib.clearsky', 'pvlib.iotools', "
        "'pvlib.modelchain', 'scipy.integrate', 'h5py') if m in sys.modules)); "
        "import pvlib; print(pvlib.spectrum.spectral_factor_sapm.__name__, bool(pvlib.__version__))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "spectral_factor_sapm True"]


def test_solar_position_weather_and_profiles_are_made_once(monkeypatch):
    # The synthetic year (on the zone's standard time) and the PV (on Asia/Shanghai) share one solar position;
    # a second run makes neither the weather year nor the PV profile again, and gives the same numbers.
    import pvlib

    import lingtan.twin.run as run
    from lingtan import weather
    from lingtan.weather.closure import clear_solar_position_cache

    calls = {"sun": 0, "year": 0}
    sun, year = pvlib.solarposition.get_solarposition, weather.synthetic_year

    def counted(key, fn):
        def wrapper(*args, **kwargs):
            calls[key] += 1
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(pvlib.solarposition, "get_solarposition", counted("sun", sun))
    monkeypatch.setattr(weather, "synthetic_year", counted("year", year))
    clear_solar_position_cache()
    monkeypatch.setattr(run, "_SYNTHETIC_YEARS", {})
    monkeypatch.setattr(run, "_UNIT_PROFILES", {})
    sc = load_scenario(DEFAULT)
    first = simulate(sc, DEFAULT.parent)
    assert calls == {"sun": 1, "year": 1}
    # The kept weather is handed out as a copy: changing one leaves the next run intact.
    frame, _ = run.load_weather(sc, DEFAULT.parent)
    frame["ghi"] = 0.0
    bigger = sc.model_copy(update={"pv": [sc.pv[0].model_copy(update={"capacity_kwp": 2 * sc.pv[0].capacity_kwp})]})
    second, again = simulate(bigger, DEFAULT.parent), simulate(sc, DEFAULT.parent)
    assert calls == {"sun": 1, "year": 1} and len(run._UNIT_PROFILES) == 1
    assert again.kpis == first.kpis
    assert second.kpis["by_source_e_kwh"]["pv.roof"] == 2 * first.kpis["by_source_e_kwh"]["pv.roof"]
    # Another tilt is another profile.
    tilted = sc.model_copy(update={"pv": [sc.pv[0].model_copy(update={"tilt_deg": 30.0})]})
    assert simulate(tilted, DEFAULT.parent).kpis["pv_e_kwh"] != first.kpis["pv_e_kwh"]
    assert len(run._UNIT_PROFILES) == 2
