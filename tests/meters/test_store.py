"""One schema, two databases: DuckDB and a real PostgreSQL give the same tables (never a mock)."""

import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from support.meter_db import postgres_url  # noqa: F401 (a fixture)

from lingtan.errors import InputError
from lingtan.meters.generate import Defects, measured_year
from lingtan.meters.quality import check_store
from lingtan.meters.read import read_readings
from lingtan.meters.schema import meter_map_from_dict
from lingtan.meters.store import Store, default_url, read_frame
from lingtan.twin.core.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
MAP = meter_map_from_dict(
    {
        "meters": [
            {"id": "G", "flow": "grid_import", "quantity": "energy", "unit": "kWh"},
            {"id": "P", "flow": "pv", "asset": "roof", "quantity": "power", "unit": "kW", "parent": None},
            {
                "id": "C",
                "flow": "battery_discharge",
                "asset": "bess",
                "quantity": "counter",
                "unit": "MWh",
                "counter_max": 1.0e6,
            },
        ]
    }
)


@pytest.fixture(scope="module")
def readings():
    """Ten days of three meters with a gap, a stuck run and a counter restart."""
    hours = pd.date_range("2025-04-30 16:00", periods=240, freq="1h")  # UTC: local midnight in Hefei
    local_h = (hours + pd.Timedelta(hours=8)).hour.to_numpy()
    day = np.clip(np.sin((local_h - 6) / 12 * np.pi), 0, None)
    truth = pd.DataFrame({"G": 5000 - 3000 * day, "P": 9000 * day, "C": 1500.0 * (local_h > 17)}, index=hours)
    raw, _ = measured_year(truth, MAP, Defects(gap_meter="P", stuck_meter="G", reset_meter="C"), seed=1)
    return read_readings_frame(raw)


def read_readings_frame(raw: pd.DataFrame) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "r.csv"
        raw.to_csv(path, index=False)
        return read_readings(path, MAP, "Asia/Shanghai")


def _round_trip(url: str, readings: pd.DataFrame):
    scenario = load_scenario(SCENARIOS / "hefei_auto_parts.yaml")
    store = Store(url)
    try:
        store.put_meters(MAP)
        store.put_readings(readings)
        store.put_readings(readings)  # a second import of the same span replaces, never doubles
        result = check_store(store, scenario)
        return store.table("hourly"), store.table("findings"), result, store.readings("G")
    finally:
        store.close()


def test_duckdb_keeps_the_readings_and_the_check_exactly(tmp_path, readings):
    hourly, findings, result, g = _round_trip(default_url(tmp_path / "m.duckdb"), readings)
    assert len(g) == (readings.meter_id == "G").sum()
    np.testing.assert_array_equal(g.value.to_numpy(), readings[readings.meter_id == "G"].value.to_numpy())
    assert set(findings.kind) == {"stuck", "counter_reset", "long_gap", "short_gap"}
    pd.testing.assert_frame_equal(
        hourly.reset_index(drop=True),
        result.hourly.sort_values(["meter_id", "hour"]).reset_index(drop=True),
        check_dtype=False,
    )


def test_duckdbs_columnar_fetch_gives_what_pandas_reads_through_sqlalchemy(tmp_path, readings):
    """The fast path of :func:`read_frame` (DuckDB's ``.df()``) against the row-by-row one it replaced."""
    import sqlalchemy as sa

    _round_trip(default_url(tmp_path / "m.duckdb"), readings)
    store = Store(default_url(tmp_path / "m.duckdb"))
    try:
        with store.connect() as conn:
            for sql, params, dates in (
                ("SELECT * FROM hourly ORDER BY meter_id, hour", None, None),
                ("SELECT * FROM findings ORDER BY meter_id, kind, start_ts", None, None),
                ("SELECT * FROM meters ORDER BY meter_id", None, None),
                ("SELECT ts, value FROM readings WHERE meter_id = :m ORDER BY ts", {"m": "C"}, ["ts"]),
            ):
                fast = read_frame(conn, sql, params, dates)
                assert len(fast) > 0, sql
                slow = pd.read_sql(sa.text(sql), conn, params=params, parse_dates=dates)
                pd.testing.assert_frame_equal(fast, slow)  # dtypes included
        # the check's spans without reading the readings: what each meter's readings say
        spans = store.spans()
        for m in ("G", "P", "C"):
            r = store.readings(m)
            assert (spans.first_ts[m], spans.last_ts[m], spans.n[m]) == (r.ts.iloc[0], r.ts.iloc[-1], len(r))
    finally:
        store.close()


def test_postgresql_gives_the_same_tables_as_duckdb(tmp_path, readings, postgres_url):
    url = postgres_url
    duck = _round_trip(default_url(tmp_path / "m.duckdb"), readings)
    pg = _round_trip(url, readings)
    for a, b in zip(duck[:2], pg[:2], strict=True):
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    pd.testing.assert_frame_equal(duck[3], pg[3], check_dtype=False)


def test_a_database_of_something_else_is_refused_untouched(tmp_path):
    path = tmp_path / "theirs.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE accounts (id INTEGER)")
    with pytest.raises(InputError, match="--db: expected an empty database or a lingtan meter store"):
        Store(default_url(path))
    with duckdb.connect(str(path)) as con:
        assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["accounts"]


def test_a_file_that_is_no_database_is_an_input_error(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("my notes")
    with pytest.raises(InputError, match="--db"):
        Store(default_url(path))
    assert path.read_text() == "my notes"
