"""Meter maps and meter files: every bad input is one InputError naming file, field, expected and found."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lingtan.errors import InputError
from lingtan.meters.read import read_readings
from lingtan.meters.schema import check_against, load_meter_map, meter_map_from_dict
from lingtan.twin.core.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PARK = ROOT / "scenarios" / "anhui-park.yaml"
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"
GOOD = {"id": "M1", "flow": "grid_import", "quantity": "energy", "unit": "kWh"}


def _map(*meters, **top):
    return meter_map_from_dict({"meters": list(meters), **top}, "map.yaml")


@pytest.mark.parametrize(
    ("meters", "field", "found"),
    [
        ([dict(GOOD, unit="kW")], "meters[0].unit", "'kW'"),
        ([dict(GOOD, quantity="power", unit="kWh")], "meters[0].unit", "'kWh'"),
        ([dict(GOOD, flow="gas", unit="kWh")], "meters[0].unit", "'kWh'"),
        ([GOOD, dict(GOOD)], "meters[1].id", "'M1' again"),
        ([dict(GOOD, parent="M9")], "meters[0].parent", "'M9'"),
        ([dict(GOOD, parent="M2"), dict(GOOD, id="M2", parent="M1")], "meters[0].parent", "a cycle through 'M1'"),
        ([dict(GOOD, counter_max=10.0)], "meters[0].counter_max", "quantity energy"),
        ([dict(GOOD, flow="grid")], "meters[0].flow", "'grid'"),
        ([dict(GOOD, phase=3)], "meters[0].phase", "3"),
    ],
)
def test_a_bad_meter_map_names_its_field(meters, field, found):
    with pytest.raises(InputError) as err:
        _map(*meters)
    assert err.value.file == "map.yaml" and err.value.field == field and found in err.value.found


def test_a_bad_time_zone_is_refused():
    with pytest.raises(InputError, match="map.yaml: timezone: expected an IANA time zone"):
        _map(GOOD, timezone="Asia/Hefei")


@pytest.mark.parametrize(
    ("meter", "field", "expected"),
    [
        ({"tenant": "bakery"}, "meters[0].tenant", "a tenant of the scenario"),
        (
            {"flow": "pv", "tenant": "offices", "asset": "carport", "quantity": "power", "unit": "kW"},
            "meters[0].asset",
            "a pv item here (roof)",
        ),
        ({"flow": "tenant_supply"}, "meters[0].tenant", "the tenant this supply meter feeds"),
        (
            {"flow": "battery_charge", "asset": "bess", "quantity": "power", "unit": "kW"},
            "meters[0].asset",
            "a battery item here (central_bess)",
        ),
    ],
)
def test_a_map_that_does_not_fit_the_park_names_its_field(meter, field, expected):
    park = load_scenario(PARK)
    with pytest.raises(InputError) as err:
        check_against(_map(dict(GOOD, **meter)), park, "map.yaml")
    assert err.value.field == field and err.value.expected.startswith(expected)


def test_a_factory_has_no_tenants():
    with pytest.raises(InputError, match=r"meters\[0\].tenant: expected a tenant of the scenario \(a factory"):
        check_against(_map(dict(GOOD, tenant="nev_parts")), load_scenario(FACTORY), "map.yaml")


def test_the_shipped_example_map_fits_the_reference_park():
    mmap = load_meter_map(ROOT / "scenarios" / "data" / "meters" / "anhui-park-map.yaml", load_scenario(PARK))
    assert {m.flow for m in mmap.meters} >= {
        "grid_import",
        "grid_export",
        "pv",
        "wind",
        "battery_charge",
        "battery_discharge",
        "tenant_supply",
    }


def _write(tmp_path, frame: pd.DataFrame, name="r.csv") -> Path:
    path = tmp_path / name
    frame.to_parquet(path) if name.endswith(".parquet") else frame.to_csv(path, index=False)
    return path


MAP2 = {
    "meters": [GOOD, {"id": "M2", "flow": "pv", "quantity": "power", "unit": "W", "asset": "roof"}],
    "interval_label": "end",
}


def test_long_and_wide_csv_and_parquet_read_the_same(tmp_path):
    mmap = meter_map_from_dict(MAP2)
    stamps = pd.date_range("2025-01-01 00:15", periods=8, freq="15min").strftime("%Y-%m-%d %H:%M")
    wide = pd.DataFrame({"timestamp": stamps, "M1": np.arange(8.0), "M2": np.arange(8.0) * 2})
    long = wide.melt(id_vars="timestamp", var_name="meter_id", value_name="value")[["meter_id", "timestamp", "value"]]
    frames = [
        read_readings(_write(tmp_path, f, n), mmap, "Asia/Shanghai")
        for f, n in ((wide, "w.csv"), (long, "l.csv"), (wide, "w.parquet"), (long, "l.parquet"))
    ]
    for f in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], f)
    # the timestamp closes the interval: 00:15 local is the interval 00:00-00:15, 16:00 UTC the day before
    assert frames[0].ts.iloc[0] == pd.Timestamp("2024-12-31 16:00")


def test_a_folder_of_monthly_files_reads_as_one(tmp_path):
    mmap = meter_map_from_dict(MAP2)
    stamps = pd.date_range("2025-01-01 01:00", periods=6, freq="1h")
    (tmp_path / "src").mkdir()
    for i in (0, 1):
        part = pd.DataFrame(
            {"timestamp": stamps[3 * i : 3 * i + 3].strftime("%Y-%m-%dT%H:%M:%S+08:00"), "M1": [1.0, 2, 3]}
        )
        part.to_csv(tmp_path / "src" / f"2025-0{i + 1}.csv", index=False)
    out = read_readings(tmp_path / "src", mmap, "UTC")
    assert len(out) == 6 and out.ts.is_monotonic_increasing and out.ts.iloc[0] == pd.Timestamp("2024-12-31 16:00")


def test_a_month_file_holding_only_the_closing_midnight_reading_keeps_the_meter_step(tmp_path):
    mmap = meter_map_from_dict(MAP2)
    (tmp_path / "src").mkdir()
    pd.DataFrame({"timestamp": ["2025-01-31 23:45", "2025-02-01 00:00"], "M1": [1.0, 2.0]}).to_csv(
        tmp_path / "src" / "2025-01.csv", index=False
    )
    pd.DataFrame({"timestamp": ["2025-02-01 00:15"], "M1": [3.0]}).to_csv(tmp_path / "src" / "2025-02.csv", index=False)
    out = read_readings(tmp_path / "src", mmap, "UTC")
    assert list(out.ts) == list(pd.date_range("2025-01-31 23:30", periods=3, freq="15min"))


@pytest.mark.parametrize(
    ("frame", "field", "found"),
    [
        (
            pd.DataFrame({"timestamp": ["2025-01-01 00:15", "2025-01-01 00:30"], "M7": [1, 2]}),
            "meter_id, row 1",
            "'M7'",
        ),
        (
            pd.DataFrame({"timestamp": ["2025-01-01 00:15", "2025-01-01 00:30"], "M1": [1, "x"]}),
            "column value, row 2",
            "'x'",
        ),
        (
            pd.DataFrame({"timestamp": ["2025-01-01 00:15", "yesterday"], "M1": [1, 2]}),
            "column timestamp, row 2",
            "'yesterday'",
        ),
        (pd.DataFrame({"time": ["2025-01-01 00:15"], "M1": [1]}), "(columns)", "time, M1"),
        (
            pd.DataFrame({"timestamp": ["2025-01-01 00:00", "2025-01-01 02:00", "2025-01-01 04:00"], "M1": [1, 2, 3]}),
            "meter M1",
            "120 min",
        ),
        (pd.DataFrame({"timestamp": ["2025-01-01 00:15", "2025-01-01 00:15"], "M1": [1, 2]}), "meter M1", "two at"),
    ],
)
def test_a_bad_meter_file_names_file_column_and_row(tmp_path, frame, field, found):
    with pytest.raises(InputError) as err:
        read_readings(_write(tmp_path, frame), meter_map_from_dict(MAP2), "Asia/Shanghai")
    assert err.value.field == field and found in err.value.found, str(err.value)


def test_a_local_time_that_daylight_saving_skips_is_refused(tmp_path):
    frame = pd.DataFrame({"timestamp": ["2025-03-30 01:45", "2025-03-30 02:00", "2025-03-30 02:15"], "M1": [1, 2, 3]})
    with pytest.raises(InputError, match="column timestamp, row 2: expected a time that exists once in Europe/Berlin"):
        read_readings(_write(tmp_path, frame), meter_map_from_dict(MAP2), "Europe/Berlin")


def _twin(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "lingtan.twin.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def test_the_cli_prints_one_line_and_exits_2_on_a_bad_map(tmp_path):
    (tmp_path / "map.yaml").write_text("meters:\n  - {id: M1, flow: grid_import, quantity: energy, unit: kW}\n")
    (tmp_path / "r.csv").write_text("timestamp,M1\n2025-01-01 00:15,1\n")
    p = _twin("meters", "import", FACTORY, "--meters", tmp_path / "r.csv", "--map", tmp_path / "map.yaml", cwd=tmp_path)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'map.yaml'}: meters[0].unit: expected a unit of energy of electric flows (Wh, kWh, MWh), "
        "found 'kW'"
    ]
    assert not (tmp_path / "results").exists()


def test_the_cli_imports_and_checks_the_shipped_example(tmp_path):
    data = ROOT / "scenarios" / "data" / "meters"
    p = _twin(
        "meters",
        "check",
        PARK,
        "--meters",
        data / "anhui-park-2025-01.csv",
        "--map",
        data / "anhui-park-map.yaml",
        "--db",
        f"duckdb:///{tmp_path / 'm.duckdb'}",
        cwd=tmp_path,
    )
    assert p.returncode == 0, p.stderr
    assert "readings of" in p.stdout and "completeness" in p.stdout
    assert (tmp_path / "m.duckdb").is_file()


def test_checking_before_any_import_is_one_line_and_creates_nothing(tmp_path):
    p = _twin("meters", "check", FACTORY, cwd=tmp_path)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "--db: expected a meter store (twin meters import first" in p.stderr
    assert list(tmp_path.iterdir()) == []
