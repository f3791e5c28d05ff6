"""twin check opens every file, city and pack a scenario names, as a run does, and reports every problem at once,
each as one line with the scenario file and its field path; exit 2 if any."""

import copy

import numpy as np
import pandas as pd
import yaml
from support.scenario_files import DEFAULT, ROOT, base, write  # noqa: F401 (base is a fixture)

from lingtan.twin.check import check
from lingtan.twin.cli import main

PLAN = ROOT / "scenarios" / "hefei_auto_parts_plan.yaml"


def problems(capsys, path):
    """Exit code 2 and the error lines of ``twin check``, each one line with file and field path."""
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert lines, err
    return lines


def one_problem(capsys, path, *fragments):
    lines = problems(capsys, path)
    assert len(lines) == 1, lines
    for frag in (f"error: {path}: ", *fragments):
        assert frag in lines[0], f"{frag!r} not in {lines[0]!r}"
    return lines[0]


def csv_load(tmp_path, rows=8760, name="load.csv", p_kw=5000.0):
    pd.DataFrame({"p_kw": np.full(rows, p_kw)}).to_csv(tmp_path / name, index=False)
    return {"name": "meter", "kind": "csv", "path": name}


def test_shipped_scenarios_pass(capsys):
    for path in (DEFAULT, PLAN):
        assert main(["check", str(path)]) == 0
        out = capsys.readouterr()
        assert ": ok (" in out.out and all("from the long-term" in line for line in out.err.splitlines())


def test_missing_weather_file(tmp_path, capsys, base):
    base["weather"] = {"source": "epw", "path": "nowhere.epw"}
    one_problem(capsys, write(tmp_path, base), "weather.path: ", "nowhere.epw", "no such file")


def test_weather_file_without_a_column(tmp_path, capsys, base):
    idx = pd.date_range("2025-01-01", periods=8760, freq="h")
    pd.DataFrame({"time": idx.strftime("%Y-%m-%d %H:%M"), "ghi": 0.0, "wind_speed": 2.0}).to_csv(
        tmp_path / "w.csv", index=False
    )
    base["weather"] = {"source": "csv", "path": "w.csv"}
    one_problem(capsys, write(tmp_path, base), "weather.path: ", "w.csv", "temp_air")


def test_unknown_city(tmp_path, capsys, base):
    base["weather"]["city"] = "atlantis"
    one_problem(capsys, write(tmp_path, base), "weather.city: ", "hefei", "'atlantis'")


def test_missing_load_csv(tmp_path, capsys, base):
    base["loads"].append({"name": "meter", "kind": "csv", "path": "meters/missing.csv"})
    one_problem(capsys, write(tmp_path, base), "loads[1].path: ", "missing.csv", "no such file")


def test_load_csv_of_the_wrong_length(tmp_path, capsys, base):
    base["loads"].append(csv_load(tmp_path, rows=8000))
    one_problem(
        capsys, write(tmp_path, base), "loads[1].path: ", "load.csv", "column p_kw", "8760 hourly rows", "8000 rows"
    )


def test_missing_tariff_file(tmp_path, capsys, base):
    base["grid"]["tariff"] = "tariffs/ours.yaml"
    one_problem(capsys, write(tmp_path, base), "grid.tariff: ", "ours.yaml", "no such file")


def test_broken_tariff_file(tmp_path, capsys, base):
    (tmp_path / "ours.yaml").write_text(
        "name: ours\nsource: quote\nperiods: [fff]\nprice_cny_per_kwh: {flat: 0.6}\n", encoding="utf-8"
    )
    base["grid"]["tariff"] = "ours.yaml"
    one_problem(capsys, write(tmp_path, base), "grid.tariff: ", "ours.yaml", "periods", "12 rows")


def test_missing_emission_factor_csv(tmp_path, capsys, base):
    base["grid"]["emission_factor"] = {"path": "ef.csv"}
    one_problem(capsys, write(tmp_path, base), "grid.emission_factor.path: ", "ef.csv", "no such file")


def test_emission_factor_csv_with_a_bad_value(tmp_path, capsys, base):
    ef = np.full(8760, 0.55).astype(object)
    ef[100] = "none"
    pd.DataFrame({"ef_t_per_mwh": ef}).to_csv(tmp_path / "ef.csv", index=False)
    base["grid"]["emission_factor"] = "ef.csv"
    one_problem(capsys, write(tmp_path, base), "grid.emission_factor.path: ", "ef.csv", "row 102", "'none'")


def test_plan_stage_that_breaks_the_scenario(tmp_path, capsys):
    data = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    data["plan"]["stages"][0]["add_pv"] = [{"name": "roof", "capacity_kwp": 1000}]  # the base has a 'roof'
    one_problem(capsys, write(tmp_path, data), "plan.stages[0].add_pv[0].name (year 2026)", "not already in pv[]")


def test_several_problems_reported_together(tmp_path, capsys, base):
    # Every referenced file missing at once: one line each, in the order of the scenario.
    base["weather"] = {"source": "epw", "path": "nowhere.epw"}
    base["loads"].append({"name": "meter", "kind": "csv", "path": "load.csv"})
    base["grid"]["tariff"] = "t.yaml"
    base["grid"]["emission_factor"] = {"path": "ef.csv"}
    lines = problems(capsys, write(tmp_path, base))
    assert [line.split(": ")[2] for line in lines] == [
        "weather.path",
        "loads[1].path",
        "grid.tariff",
        "grid.emission_factor.path",
    ], lines


def test_every_schema_error_and_the_files_of_valid_fields(tmp_path, capsys, base):
    base["pv"][0]["capacity_kwp"] = -1
    base["battery"][0]["soc_min"] = "x"
    base["weather"]["city"] = "atlantis"  # the weather block validates: its city is still looked up
    base["loads"].append({"name": "meter", "kind": "csv", "path": "load.csv"})
    path = write(tmp_path, base)
    lines = problems(capsys, path)
    fields = [line.split(": ")[2] for line in lines]
    assert fields == ["pv[0].capacity_kwp", "battery[0].soc_min", "weather.city", "loads[1].path"], lines
    assert "found -1" in lines[0] and "'x'" in lines[1] and "'atlantis'" in lines[2]


def test_a_refused_field_is_not_read(tmp_path, capsys, base):
    # A load whose own fields are refused is reported once, by the schema, not again by its reader.
    base["loads"].append({"name": "meter", "kind": "csv", "path": "load.csv", "scale": -1})
    base["site"]["timezone"] = "Mars/Olympus"  # no site: the weather cannot be read either, and is not
    lines = problems(capsys, write(tmp_path, base))
    assert [line.split(": ")[2] for line in lines] == ["loads[1].scale", "site.timezone"], lines


def test_check_and_run_agree(tmp_path, capsys, base):
    # Today's report: check said ok to a load CSV that run refused.
    base["loads"].append(csv_load(tmp_path, rows=10))
    path = write(tmp_path, base)
    check_line = one_problem(capsys, path, "load.csv")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    run_line = capsys.readouterr().err.strip()
    assert run_line.split(": ", 1)[1] in check_line  # the run's message, with the field that names the file


def small_park(tmp_path):
    """Two tenants, one with a metered load: a park that checks in a second."""
    csv_load(tmp_path, p_kw=800.0)
    return {
        "name": "Small park",
        "site": {"latitude": 31.87, "longitude": 117.23, "timezone": "Asia/Shanghai"},
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei", "seed": 1},
        "grid": {"import_limit_kw": 20000, "tariff": "anhui_large_industry_2025", "emission_factor": "anhui_2022"},
        "tenants": [
            {
                "name": "a",
                "loads": [{"name": "plant", "kind": "shifts", "annual_e_kwh": 8e6}],
                "pv": [{"name": "roof", "capacity_kwp": 2000}],
            },
            {"name": "b", "loads": [{"name": "meter", "kind": "csv", "path": "load.csv"}]},
        ],
    }


def test_park_checks_every_tenant(tmp_path, capsys):
    park = small_park(tmp_path)
    assert main(["check", str(write(tmp_path, park))]) == 0
    assert "park of 2 tenants" in capsys.readouterr().out
    park["tenants"][1]["loads"][0]["path"] = "gone.csv"
    park["tenants"][0]["loads"].append({"name": "meter", "kind": "csv", "path": "short.csv"})
    csv_load(tmp_path, rows=24, name="short.csv")
    lines = problems(capsys, write(tmp_path, park))
    assert [line.split(": ")[2] for line in lines] == ["tenants[0].loads[1].path", "tenants[1].loads[0].path"], lines
    assert "24 rows" in lines[0] and "gone.csv" in lines[1]


def test_missing_pandapower_network(tmp_path, capsys):
    park = small_park(tmp_path)
    park["network"] = {"pandapower_json": "grid/net.json", "connections": {"a": {"bus": 1}, "b": {"bus": 2}}}
    one_problem(capsys, write(tmp_path, park), "network.pandapower_json", "net.json")


def test_check_result_holds_the_scenario_and_no_problem():
    result = check(DEFAULT)
    # the one warning: the CSWD Hefei year against Hefei's long-term GHI (tests/twin/test_weather_warnings.py)
    assert result.problems == [] and [w.field for w in result.warnings] == ["weather"]
    assert result.scenario.name == "Hefei auto-parts plant"
    assert check(PLAN).plan_years == 3


def test_unreadable_yaml_is_one_problem(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\npv: [\n", encoding="utf-8")
    one_problem(capsys, bad, "line", "valid YAML")
    base = copy.deepcopy({"name": "x"})
    lines = problems(capsys, write(tmp_path, base, "short.yaml"))
    assert {line.split(": ")[2] for line in lines} >= {"site", "year", "weather", "grid"}, lines


def test_check_and_run_agree_on_a_tariff_file_from_another_folder(tmp_path, capsys, base, monkeypatch):
    # Whatever a run makes of a tariff path written relative to the scenario, check makes the same.
    from lingtan.components.grid import TARIFF_DIR

    (tmp_path / "ours.yaml").write_bytes((TARIFF_DIR / "anhui_large_industry_2025.yaml").read_bytes())
    base["grid"]["tariff"] = "ours.yaml"
    path = write(tmp_path, base)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    checked = main(["check", str(path)])
    ran = main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--reports", "none"])
    err = capsys.readouterr().err
    assert (checked, ran) in ((0, 0), (2, 2)), err
