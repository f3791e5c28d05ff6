"""Every input error reaches the user as one line with file, field path, expectation and finding; exit code 2."""

import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from support.scenario_files import DEFAULT, ROOT, base, write  # noqa: F401 (base is a fixture)

from lingtan.twin.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err.strip()


def check_error(capsys, path, *fragments, command="check", extra=()):
    code, err = run_cli(capsys, command, str(path), *extra)
    assert code == 2, err
    assert err.count("\n") == 0, f"expected one line, got:\n{err}"
    assert "Traceback" not in err
    for frag in fragments:
        assert frag in err, f"{frag!r} not in {err!r}"
    return err


def test_negative_capacity(tmp_path, capsys, base):
    base["pv"][0]["capacity_kwp"] = -5
    p = write(tmp_path, base)
    check_error(capsys, p, str(p), "pv[0].capacity_kwp", "greater than or equal to 0", "-5")


def test_unknown_field(tmp_path, capsys, base):
    base["pv"][0]["tilt"] = 20
    p = write(tmp_path, base)
    check_error(capsys, p, str(p), "pv[0].tilt", "unknown field 'tilt'")


def test_a_misspelt_field_is_named_with_the_field_it_stands_for(tmp_path, capsys, base):
    # A typo is also a missing field: the line names the typo (the cause) and the known field it is close to,
    # not "capacity_kwp: expected this field, found nothing".
    base["pv"][0]["capacity_kwpp"] = base["pv"][0].pop("capacity_kwp")
    p = write(tmp_path, base)
    for command, extra in (("check", ()), ("run", ("--out", str(tmp_path / "out")))):
        check_error(
            capsys,
            p,
            "pv[0].capacity_kwpp",
            "did you mean 'capacity_kwp'?",
            "unknown field 'capacity_kwpp'",
            command=command,
            extra=extra,
        )


def test_a_missing_weather_file_is_named_by_the_scenario_field_in_run_as_in_check(tmp_path, capsys, base):
    # The reader knows only its own file; the line starts with the scenario and the field that names the file.
    base["weather"] = {"source": "epw", "path": "nowhere/hefei.epw"}
    p = write(tmp_path, base)
    for command, extra in (("check", ()), ("run", ("--out", str(tmp_path / "out")))):
        check_error(capsys, p, f"{p}: weather.path: ", "hefei.epw", "no such file", command=command, extra=extra)


def test_unknown_top_level_field(tmp_path, capsys, base):
    base["batteries"] = []
    p = write(tmp_path, base)
    check_error(capsys, p, "batteries", "unknown field")


def test_unknown_field_inside_union_member(tmp_path, capsys, base):
    # Union tags ('shifts', 'synthetic') must not leak into the reported path.
    bad_load = copy.deepcopy(base)
    bad_load["loads"][0]["annual_kwh"] = 1
    check_error(capsys, write(tmp_path, bad_load, "a.yaml"), "loads[0].annual_kwh", "unknown field")
    bad_weather = copy.deepcopy(base)
    bad_weather["weather"]["citty"] = "hefei"
    check_error(capsys, write(tmp_path, bad_weather, "b.yaml"), ": weather.citty:", "unknown field")


def test_missing_required_field(tmp_path, capsys, base):
    del base["site"]["latitude"]
    p = write(tmp_path, base)
    check_error(capsys, p, "site.latitude", "expected this field", "found nothing")


def test_battery_window(tmp_path, capsys, base):
    base["battery"][0]["soc_min"] = 0.9
    base["battery"][0]["soc_max"] = 0.5
    p = write(tmp_path, base)
    check_error(capsys, p, "battery[0]", "soc_min (0.9) must be below soc_max (0.5)")


def test_two_batteries_rejected(tmp_path, capsys, base):
    base["battery"].append(dict(base["battery"][0], name="second"))
    p = write(tmp_path, base)
    check_error(capsys, p, "battery", "expected one battery per site")


def test_yaml_syntax(tmp_path, capsys):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\npv: [\n", encoding="utf-8")
    check_error(capsys, p, str(p), "line", "valid YAML")


def test_missing_file(tmp_path, capsys):
    check_error(capsys, tmp_path / "nope.yaml", "nope.yaml", "no such file")


def test_bad_time_zone(tmp_path, capsys, base):
    base["site"]["timezone"] = "Mars/Olympus"
    p = write(tmp_path, base)
    check_error(capsys, p, "site.timezone", "Mars/Olympus")


def _csv_scenario(tmp_path, base, rows):
    data = copy.deepcopy(base)
    pd.DataFrame({"p_kw": np.full(rows, 5000.0)}).to_csv(tmp_path / "load.csv", index=False)
    data["loads"] = [{"name": "meter", "kind": "csv", "path": "load.csv", "column": "p_kw"}]
    return write(tmp_path, data)


def test_load_csv_wrong_length(tmp_path, capsys, base):
    p = _csv_scenario(tmp_path, base, 8000)
    check_error(
        capsys,
        p,
        "load.csv",
        "column p_kw",
        "8760 hourly rows",
        "8000 rows",
        command="run",
        extra=("--out", str(tmp_path / "out")),
    )
    assert not (tmp_path / "out").exists()


def test_missing_weather_column(tmp_path, capsys, base):
    idx = pd.date_range("2025-01-01", periods=8760, freq="h")
    pd.DataFrame({"time": idx.strftime("%Y-%m-%d %H:%M"), "ghi": 0.0, "wind_speed": 2.0}).to_csv(
        tmp_path / "w.csv", index=False
    )
    base["weather"] = {"source": "csv", "path": "w.csv"}
    p = write(tmp_path, base)
    check_error(capsys, p, "w.csv", "temp_air", command="run", extra=("--out", str(tmp_path / "out")))


def test_failed_run_keeps_the_earlier_result(tmp_path, capsys, base):
    good = write(tmp_path, base, "good.yaml")
    out = tmp_path / "out"
    assert main(["run", str(good), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()  # the good run's warnings are not the failed run's one line
    before = (out / "kpis.json").read_bytes()
    bad = _csv_scenario(tmp_path, base, 10)
    check_error(capsys, bad, "load.csv", command="run", extra=("--out", str(out)))
    assert (out / "kpis.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_console_script_exits_2_without_traceback(tmp_path, base):
    # The real entry point, as a user runs it.
    base["pv"][0]["capacity_kwp"] = -1
    p = write(tmp_path, base)
    twin = Path(sys.executable).with_name("twin")
    proc = subprocess.run([str(twin), "check", str(p)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "pv[0].capacity_kwp" in proc.stderr
