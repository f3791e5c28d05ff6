"""The one YAML loader and the schema's limits: what a hostile or careless file gets back."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from lingtan import limits
from lingtan.components.process import ProductionLine, simulate_line
from lingtan.errors import InputError, ScenarioError
from lingtan.loader import parse_yaml, read_yaml
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"
PARK = ROOT / "scenarios" / "anhui-park.yaml"


def _text() -> str:
    return DEFAULT.read_text(encoding="utf-8")


def _data() -> dict:
    return yaml.safe_load(_text())


def _bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['  a0: &a0 ["lol"]'] + [
        f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)
    ]
    return "description:\n" + "\n".join(lines) + "\n"


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(parse_yaml(text, "s.yaml"), "s.yaml")
    return info.value


# --------------------------------------------------------------------------- YAML


def test_duplicate_key_is_refused_with_both_lines():
    text = _text().replace("year: 2025\n", "year: 2025\nyear: 2030\n")
    line = text.splitlines().index("year: 2030") + 1
    err = _error(text)
    assert err.field == f"line {line}"
    assert f"'year' again (first on line {line - 1})" in str(err)


def test_duplicate_key_in_a_flow_mapping_and_merge_keys():
    with pytest.raises(ScenarioError, match="'a' again"):
        parse_yaml("x: {a: 1, a: 2}")
    # An explicit key over a merged one is what merge keys are for: not a duplicate.
    assert parse_yaml("base: &b {a: 1, c: 3}\nx:\n  <<: *b\n  a: 2\n")["x"] == {"a": 2, "c": 3}


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "1.0e+999"])
def test_nonfinite_yaml_numbers_are_refused_with_their_line(value):
    text = _text().replace("capacity_kwp: 12000", f"capacity_kwp: {value}")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if f"capacity_kwp: {value}" in s)
    err = _error(text)
    assert (err.field, err.expected, err.found) == (f"line {line}", "a finite number", repr(value))


@pytest.mark.parametrize("value", ['"inf"', '"nan"', '"-Infinity"'])
def test_nonfinite_numbers_given_as_text_are_refused_after_validation(value):
    err = _error(_text().replace("capacity_kwp: 12000", f"capacity_kwp: {value}"))
    assert err.field == "pv[0].capacity_kwp"


@pytest.mark.parametrize(
    "field,old,new",
    [
        ("pv[0].capacity_kwp", "capacity_kwp: 12000", "capacity_kwp: true"),
        ("battery[0].energy_kwh", "energy_kwh: 8000", "energy_kwh: false"),
        ("loads[0].shifts_per_day", "shifts_per_day: 2", "shifts_per_day: true"),
        ("grid.import_limit_kw", "import_limit_kw: 12000", "import_limit_kw: true"),
    ],
)
def test_booleans_are_not_numbers(field, old, new):
    err = _error(_text().replace(old, new))
    assert err.field == field
    assert err.expected == "a number (true and false are not numbers)"


def test_integers_are_still_numbers_and_booleans_still_booleans():
    sc = scenario_from_dict(parse_yaml(_text()))
    assert sc.pv[0].capacity_kwp == 12000.0 and isinstance(sc.pv[0].capacity_kwp, float)
    assert sc.grid.export_allowed is True


def test_alias_bomb_in_description_is_refused_fast_through_the_cli(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(
        _text()
        .replace("description: Two-shift", "summary: Two-shift", 1)
        .replace("summary: Two-shift auto-parts plant with rooftop PV and a load-following battery.\n", "")
        + _bomb(),
        encoding="utf-8",
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "lingtan.twin.cli", "check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    assert "alias bomb" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(ScenarioError, match="alias bomb"):
        t0 = time.perf_counter()
        load_scenario(path)
    assert time.perf_counter() - t0 < 1.0
    assert time.perf_counter() - start < 60


def test_many_aliases_are_refused_even_when_small():
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (limits.MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(ScenarioError, match=f"at most {limits.MAX_ALIASES} YAML aliases"):
        parse_yaml(text)


@pytest.mark.parametrize("n", [100, 500, 3000, 50_000])
def test_deep_nesting_is_a_scenario_error_not_a_recursion_error(n):
    with pytest.raises(ScenarioError) as info:
        parse_yaml("x: " + "[" * n + "]" * n)
    assert "nesting" in str(info.value)


def test_nesting_through_aliases_is_bounded_too():
    lines = ["a0: &a0 [[[[[[[[[[1]]]]]]]]]]"] + [f"a{i}: &a{i} [[[[[[[[[[*a{i - 1}]]]]]]]]]]" for i in range(1, 9)]
    with pytest.raises(ScenarioError, match="aliases expanded"):
        parse_yaml("\n".join(lines))


def test_file_size_is_bounded(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"name: x\n" + b"# padding\n" * (limits.MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(ScenarioError, match="KB of YAML"):
        read_yaml(path)


def test_python_tags_and_bad_dates_are_refused():
    with pytest.raises(ScenarioError, match="valid YAML"):
        parse_yaml("x: !!python/object/apply:os.system ['true']")
    with pytest.raises(ScenarioError, match="line 1: expected a valid date"):
        parse_yaml("x: 2025-13-45")


def test_dashboard_parses_with_the_same_loader():
    from lingtan.dashboard.safety import safe_yaml

    with pytest.raises(ScenarioError, match="'year' again"):
        safe_yaml(_text().replace("year: 2025\n", "year: 2025\nyear: 2030\n"))
    with pytest.raises(ScenarioError, match="a finite number"):
        safe_yaml("x: .inf")


# --------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("capacity_kwp: 12000", "capacity_kwp: 1.0e+300", "pv[0].capacity_kwp"),
        ("energy_kwh: 8000", "energy_kwh: 1.0e+13", "battery[0].energy_kwh"),
        ("import_limit_kw: 12000", "import_limit_kw: 1.0e+10", "grid.import_limit_kw"),
        ("emission_factor: national_2022", "emission_factor: 100", "grid.emission_factor"),
        ("annual_e_kwh: 50000000", "annual_e_kwh: 1.0e+300", "loads[0].annual_e_kwh"),
    ],
)
def test_sizes_energies_and_factors_have_finite_upper_bounds(old, new, field):
    text = _text()
    assert old in text
    err = _error(text.replace(old, new))
    assert err.field == field


def test_every_size_power_and_energy_field_states_its_bound():
    from lingtan.components.battery import Battery
    from lingtan.components.heat import HeatPump, ThermalStorage
    from lingtan.components.pv import PVArray

    for model, name in (
        (PVArray, "capacity_kwp"),
        (Battery, "energy_kwh"),
        (Battery, "power_kw"),
        (HeatPump, "capacity_q_kw_th"),
        (ThermalStorage, "capacity_kwh_th"),
    ):
        info = model.model_fields[name]
        bound = next(m.le for m in info.metadata if hasattr(m, "le") and m.le is not None)
        assert bound in (limits.MAX_POWER_KW, limits.MAX_ENERGY_KWH)
        assert "upper bound lingtan.limits.MAX_" in info.description


def test_a_site_of_1e300_everything_is_refused():
    data = _data()
    data["pv"][0]["capacity_kwp"] = 1e300
    data["battery"][0].update(energy_kwh=1e300, power_kw=1e300)
    data["grid"]["import_limit_kw"] = 1e300
    with pytest.raises(ScenarioError, match="less than or equal to"):
        scenario_from_dict(data)


# --------------------------------------------------------------------------- bounded work


def test_batch_duration_below_one_minute_is_refused():
    err = _error(
        _text().replace("pv:\n", "processes:\n  - {name: press, batch_duration_h: 1.0e-6, p_kw: 100}\npv:\n", 1)
    )
    assert err.field == "processes[0].batch_duration_h"
    assert ProductionLine(name="x", batch_duration_h=1 / 60, p_kw=1).batch_duration_h == pytest.approx(1 / 60)


def test_events_per_year_are_bounded_in_the_schema():
    with pytest.raises(ValueError, match="events a year"):
        ProductionLine(name="x", batch_duration_h=0.02, changeover_h=0.001, mtbf_h=0.01, mttr_h=0.01, p_kw=1)


def test_events_per_year_are_bounded_while_simulating(monkeypatch):
    # The schema's estimate is a mean; random draws may schedule more. The run stops at the limit, with a message.
    line = ProductionLine(
        name="x",
        batch_duration_h=1,
        mtbf_h=2,
        mttr_h=0.01,
        p_kw=1,
        calendar={"shifts_per_day": 3, "shift_hours": 8, "working_days_per_week": 7},
    )
    index = pd.date_range("2025-01-01", periods=8760, freq="h", tz="Asia/Shanghai")
    assert simulate_line(line, index).breakdowns > 3000
    monkeypatch.setattr("lingtan.components.process.MAX_EVENTS_PER_YEAR", 2_000)
    with pytest.raises(InputError, match="production events a year"):
        simulate_line(line, index)


def test_list_lengths_are_bounded():
    data = _data()
    data["pv"] = [dict(data["pv"][0], name=f"a{i}") for i in range(limits.MAX_ITEMS + 1)]
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert info.value.field == "pv"


def test_a_valid_fixed_zone_such_as_utc_runs():
    from lingtan.twin.run import load_weather

    data = _data()
    data["site"]["timezone"] = "UTC"
    frame, _ = load_weather(scenario_from_dict(data), ROOT)
    assert str(frame.index.tz) == "UTC" and len(frame) == 8760


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["../../x", "/abs/path", "..", ".", ".hidden", "a\\b", "a\x00b", "x" * 65, "a\n"])
def test_hostile_tenant_names_are_refused_with_their_field(name):
    data = yaml.safe_load(PARK.read_text(encoding="utf-8"))
    data["tenants"][3]["name"] = name
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, "park.yaml")
    assert info.value.field == "tenants[3].name"


def test_chinese_tenant_names_are_fine():
    data = yaml.safe_load(PARK.read_text(encoding="utf-8"))
    old = data["tenants"][0]["name"]
    data["tenants"][0]["name"] = "新能源汽车零部件 A-1"
    for link in data["heat_network"]:
        link["source"] = link["source"].replace(f"{old}.", "新能源汽车零部件 A-1.")
    data["network"]["connections"]["新能源汽车零部件 A-1"] = data["network"]["connections"].pop(old)
    assert scenario_from_dict(data).tenants[0].name == "新能源汽车零部件 A-1"
