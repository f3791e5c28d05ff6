"""Measured verdicts (issue 18, point 3): meters through the simulation's own KPIs, accounting and criteria."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from support.meter_db import postgres_url  # noqa: F401 (a fixture)

from lingtan.meters.assess import COMPLETENESS_LIMIT, MeterHours, assess_meters, kernel_flows, meter_hours
from lingtan.meters.generate import true_flows
from lingtan.meters.schema import load_meter_map
from lingtan.twin.cli import main
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
MAP = Path(__file__).parent / "hefei_map.yaml"
PARK = ROOT / "scenarios" / "anhui-park.yaml"
EXAMPLE = ROOT / "scenarios" / "data" / "meters" / "anhui-park-2025-01.csv"
RE_SHARE = "hunan_factory_2025.re_ratio"


def meter_table(mmap) -> pd.DataFrame:
    """The store's meter table of a map."""
    return pd.DataFrame([m.model_dump() for m in mmap.meters]).rename(columns={"id": "meter_id"})


@pytest.fixture(scope="module")
def year():
    """The hefei plant's simulated year and what its own meters would read in it (export unlimited: a PV meter
    reads what the inverter delivered, and the generated truth reads curtailed power as generated)."""
    scenario = load_scenario(SCENARIO)
    scenario = scenario.model_copy(update={"grid": scenario.grid.model_copy(update={"export_limit_kw": 1e9})})
    run = simulate(scenario, SCENARIO.parent)
    mmap = load_meter_map(MAP, scenario)
    truth = true_flows({None: run.hourly}, mmap, scenario, soiling=0.0, load_scale=1.0)
    hours = MeterHours(
        p=truth, real=pd.DataFrame(True, index=truth.index, columns=truth.columns), meters=meter_table(mmap)
    )
    return scenario, run, hours


def test_a_simulated_years_own_meters_give_its_kpis_and_verdicts(year):
    scenario, run, hours = year
    assert run.kpis["curtailed_e_kwh"] == 0  # nothing curtailed: the PV meter reads all the generation used
    got = assess_meters(hours, scenario, SCENARIO.parent)
    for key in ("grid_import_e_kwh", "grid_export_e_kwh", "re_generation_e_kwh", "total_consumption_e_kwh"):
        assert got.kpis[key] == pytest.approx(run.kpis[key], rel=1e-9), key
    assert got.kpis["re_electricity_share_onsite"] == pytest.approx(run.kpis["re_electricity_share_onsite"], rel=1e-9)
    assert got.kpis["battery_losses_e_kwh"] == pytest.approx(
        run.kpis["battery_losses_e_kwh"] + run.kpis["battery_stored_change_e_kwh"], rel=1e-9
    )
    simulated = {v["criterion_id"]: v for v in run.verdicts}
    measured = {v["criterion_id"]: v for v in got.verdicts}
    v = measured[RE_SHARE]
    assert v["input"] == "measured" and v["completeness"] == 1.0 and v["needs"] == ["electric"]
    assert v["value"] == pytest.approx(simulated[RE_SHARE]["value"], rel=1e-9)
    assert v["status"] == simulated[RE_SHARE]["status"]
    # the emissions need the fuel meters only where fuel burns, the recovery rate heat meters only where there is
    # waste heat: this plant has neither, so only the electric group is needed
    assert got.completeness == {"electric": 1.0}
    assert got.unmetered == [] and got.unmetered_heat == []
    assert got.kpis["heat"]["waste_heat_recovery_rate"] is None  # nothing to recover


def test_too_few_real_hours_never_pass(year):
    scenario, _, hours = year
    # green power for all the grid energy: the share passes on complete data
    gp = scenario.green_power.model_copy(update={"green_power_contract_e_kwh": 1e9})
    scenario = scenario.model_copy(update={"green_power": gp})
    for lost, status in ((0.05, "pass"), (0.15, "not assessable")):
        real = hours.real.copy()
        real.iloc[: int(lost * len(real)), real.columns.get_loc("M-PV")] = False
        got = assess_meters(MeterHours(hours.p, real, hours.meters), scenario, SCENARIO.parent)
        v = {v["criterion_id"]: v for v in got.verdicts}[RE_SHARE]
        assert v["completeness"] == pytest.approx(1 - int(lost * len(real)) / len(real))
        assert v["status"] == status
        assert v["passed"] is (status == "pass")
        if status != "pass":
            assert v["completeness"] < COMPLETENESS_LIMIT and "electric meters, below 90%" in v["note"]


def test_an_unmetered_battery_is_named(year):
    scenario, _, hours = year
    keep = [m for m in hours.p.columns if not m.startswith("M-BESS")]
    meters = hours.meters[hours.meters.meter_id.isin(keep)]
    got = assess_meters(MeterHours(hours.p[keep], hours.real[keep], meters), scenario, SCENARIO.parent)
    assert got.unmetered == ["site.battery.bess"]


def test_kernel_flows_close_every_balance():
    rng = np.random.default_rng(3)
    n = 500
    g, load = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    store = rng.uniform(-30, 30, n)
    c, d = np.clip(store, 0, None), np.clip(-store, 0, None)
    net = load + c - g - d
    i, x = np.clip(net, 0, None), np.clip(-net, 0, None)
    f = kernel_flows(g, i, x, c, d)
    from_battery = np.clip(x - g, 0, None)  # the battery exports: counted as export of renewable energy
    assert from_battery.max() > 0
    np.testing.assert_allclose(f.re_to_load + f.re_to_battery + f.re_to_grid, g + from_battery, atol=1e-9)
    np.testing.assert_allclose(f.grid_to_load + f.grid_to_battery, i, atol=1e-9)
    np.testing.assert_allclose(f.re_to_battery + f.grid_to_battery, c, atol=1e-9)
    np.testing.assert_allclose(
        f.battery_re_to_load + f.battery_grid_to_load, d - np.minimum(d, np.clip(x - g, 0, None))
    )
    np.testing.assert_allclose(f.load, load, atol=1e-9)
    np.testing.assert_allclose(
        f.re_to_load + f.grid_to_load + f.battery_re_to_load + f.battery_grid_to_load, load, atol=1e-9
    )
    assert (f[["re_to_load", "re_to_battery", "grid_to_load", "grid_to_battery"]] >= 0).all().all()


def test_meter_hours_fill_from_real_readings_only():
    hours = pd.date_range("2025-01-01", periods=5, freq="1h")
    hourly = pd.DataFrame(
        {
            "meter_id": "A",
            "hour": hours,
            "value": [10.0, 99.0, np.nan, 40.0, 50.0],
            "flag": ["measured", "interpolated", "gap", "measured", "measured"],
        }
    )
    meters = pd.DataFrame({"meter_id": ["A"], "flow": ["grid_import"], "tenant": [None]})
    got = meter_hours(hourly, meters)
    np.testing.assert_allclose(got.p.A, [10, 20, 30, 40, 50])  # the interpolated 99 is no anchor
    assert got.real.A.tolist() == [True, False, False, True, True]
    assert meter_hours(hourly, meters, start=hours[3]).p.A.tolist() == [40.0, 50.0]


def _assess(tmp_path, db: str, name: str, capsys) -> tuple[dict, str]:
    out = tmp_path / f"{name}.assess.json"
    code = main(["assess", str(PARK), "--meters", str(EXAMPLE), "--db", db, "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    return json.loads(out.read_text()), text


def test_twin_assess_prints_the_measured_verdicts_of_the_shipped_example(tmp_path, capsys):
    data, text = _assess(tmp_path, f"duckdb:///{tmp_path / 'm.duckdb'}", "duck", capsys)
    assert "measured 2025-01-01 00:00 .. 2025-02-01 00:00 (Asia/Shanghai), 744 h" in text
    # heat 99.9 %: the compressor heat counter gives no rate for its first quarter hour
    assert "electric 99.7%, fuel 0.0% (no meter), heat 99.9%" in text
    assert "unmetered, counted as generating nothing: pv_modules.pv.roof" in text
    v = {v["criterion_id"]: v for v in data["measured"]["verdicts"]}
    share = v["anhui_park_2024.re_electricity_share"]
    assert share["input"] == "measured" and share["status"] == "fail" and 0.2 < share["value"] < 0.4
    assert f"FAIL            anhui_park_2024.re_electricity_share              {share['value']:.1%}" in text
    # the recovery rate from the heat meters: delivered over available, the data centre's and the cold chain's
    # rejected heat unrecovered (no recovered meter)
    heat = data["measured"]["kpis"]["heat"]
    rate = v["anhui_park_2024.waste_heat_recovery"]
    assert rate["input"] == "measured" and rate["completeness"] == pytest.approx(1 - 1 / 744)
    assert rate["value"] == pytest.approx(heat["waste_heat_recovered_e_kwh_th"] / heat["waste_heat_available_e_kwh_th"])
    assert heat["waste_heat_recovered_e_kwh_th_by_stream"]["data_centre.it_and_cooling"] == 0.0
    assert data["measured"]["unmetered_heat"] == [
        "data_centre.waste_heat.it_and_cooling.recovered",
        "cold_chain.waste_heat.refrigeration.recovered",
    ]
    assert f"waste heat recovered {heat['waste_heat_recovered_e_kwh_th'] / 1e3:,.0f} MWh_th" in text


def test_without_heat_meters_the_recovery_rate_is_not_measured(tmp_path, capsys):
    """The shipped example less its heat meters: the criterion cannot pass, never silently."""
    data = ROOT / "scenarios" / "data" / "meters"
    mmap = yaml.safe_load((data / "anhui-park-map.yaml").read_text())
    heat = [m["id"] for m in mmap["meters"] if m["flow"].startswith("waste_heat")]
    assert len(heat) == 8
    mmap["meters"] = [m for m in mmap["meters"] if m["id"] not in heat]
    (tmp_path / "map.yaml").write_text(yaml.safe_dump(mmap))
    pd.read_csv(EXAMPLE, dtype=str).drop(columns=heat).to_csv(tmp_path / "r.csv", index=False)
    out = tmp_path / "a.json"
    argv = [
        "assess",
        str(PARK),
        "--meters",
        str(tmp_path / "r.csv"),
        "--map",
        str(tmp_path / "map.yaml"),
        "--json",
        str(out),
    ]
    code = main([*argv, "--db", f"duckdb:///{tmp_path / 'm.duckdb'}"])
    text = capsys.readouterr().out
    assert code == 0, text
    v = {v["criterion_id"]: v for v in json.loads(out.read_text())["measured"]["verdicts"]}
    assert v["anhui_park_2024.waste_heat_recovery"]["status"] == "not assessable"
    assert v["anhui_park_2024.waste_heat_recovery"]["completeness"] == 0.0


def test_twin_assess_refuses_to_replace_a_file_it_did_not_write(tmp_path, capsys):
    theirs = tmp_path / "notes.json"
    theirs.write_text('{"mine": 1}')
    code = main(
        [
            "assess",
            str(PARK),
            "--meters",
            str(EXAMPLE),
            "--db",
            f"duckdb:///{tmp_path / 'm.duckdb'}",
            "--json",
            str(theirs),
        ]
    )
    assert code == 2
    assert "a new file or one twin assess wrote" in capsys.readouterr().err
    assert theirs.read_text() == '{"mine": 1}'


def test_postgresql_gives_the_same_measured_numbers_as_duckdb(tmp_path, capsys, postgres_url):
    url = postgres_url
    duck, duck_text = _assess(tmp_path, f"duckdb:///{tmp_path / 'm.duckdb'}", "duck", capsys)
    pg, pg_text = _assess(tmp_path, url, "pg", capsys)
    assert pg["measured"] == duck["measured"]
    assert pg_text.splitlines()[1:-1] == duck_text.splitlines()[1:-1]  # all but the store's URL and the JSON path


def test_the_wide_tables_are_what_pandas_pivot_gives():
    """The fast path of :func:`meter_hours` against the two ``pivot`` calls it replaced, on a shuffled table with a
    meter missing some hours and flags of every kind."""
    from lingtan.meters.assess import _wide

    rng = np.random.default_rng(8)
    hours = pd.date_range("2025-06-01", periods=50, freq="1h")
    rows = pd.DataFrame(
        [(m, t) for m in ("B", "A", "C") for t in hours if not (m == "C" and t.hour < 5)], columns=["meter_id", "hour"]
    )
    rows["value"] = rng.normal(size=len(rows))
    rows.loc[rng.random(len(rows)) < 0.1, "value"] = np.nan
    rows["flag"] = rng.choice(["measured", "interpolated", "gap"], len(rows))
    rows = rows.sample(frac=1.0, random_state=3)
    p, real = _wide(rows)
    pd.testing.assert_frame_equal(p, rows.pivot(index="hour", columns="meter_id", values="value"))
    pivot_real = rows.pivot(index="hour", columns="meter_id", values="flag").eq("measured")
    pd.testing.assert_frame_equal(real, pivot_real)
    assert not real.loc[hours[:5], "C"].any()
    with pytest.raises(ValueError, match="twice"):
        _wide(pd.concat([rows, rows.iloc[:1]]))
