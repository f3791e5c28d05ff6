"""The meter store: one schema, in an embedded DuckDB file or an operator's PostgreSQL.

Both go through SQLAlchemy (``duckdb:///file.duckdb`` through duckdb-engine, ``postgresql+psycopg://...``)
with the same tables and the same SQL text; only the bulk load differs by dialect (DuckDB reads a
registered DataFrame, PostgreSQL takes ``COPY``), because row-by-row inserts of 17.5 million readings
would take hours.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from lingtan.errors import InputError
from lingtan.meters.schema import MeterMap

SCHEMA_VERSION = "1"
# One schema for both databases: types and syntax of their common subset.
TABLES = {
    "lingtan_store": "key VARCHAR(32) PRIMARY KEY, value VARCHAR(256) NOT NULL",
    "meters": (
        "meter_id VARCHAR(64) PRIMARY KEY, flow VARCHAR(32) NOT NULL, tenant VARCHAR(64), asset VARCHAR(64), "
        "quantity VARCHAR(16) NOT NULL, unit VARCHAR(16) NOT NULL, parent VARCHAR(64), counter_max DOUBLE PRECISION"
    ),
    # value in the meter's declared unit; ts is the UTC start of the reading's interval
    "readings": "meter_id VARCHAR(64) NOT NULL, ts TIMESTAMP NOT NULL, value DOUBLE PRECISION",
    # hourly mean rate in the carrier's canonical unit (kW, kW_th, m3/h) after the quality check;
    # flag: measured, interpolated (a short gap) or gap (left for the calibrated twin)
    "hourly": (
        "meter_id VARCHAR(64) NOT NULL, hour TIMESTAMP NOT NULL, value DOUBLE PRECISION, flag VARCHAR(16) NOT NULL"
    ),
    "findings": (
        "meter_id VARCHAR(64) NOT NULL, kind VARCHAR(32) NOT NULL, start_ts TIMESTAMP, end_ts TIMESTAMP, "
        "hours DOUBLE PRECISION NOT NULL, detail VARCHAR(512) NOT NULL"
    ),
}
READING_COLUMNS = ("meter_id", "ts", "value")


def default_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a DuckDB file.

    Parameters
    ----------
    path : str or Path
        The database file.

    Returns
    -------
    str
        ``duckdb:///<absolute path>``.
    """
    return f"duckdb:///{Path(path).resolve()}"


class Store:
    """A meter database (DuckDB or PostgreSQL) holding the tables of :data:`TABLES`.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``duckdb:///file.duckdb`` or ``postgresql+psycopg://user@host:port/db``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = sa.create_engine(url)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise InputError(None, "--db", "a duckdb:/// or postgresql+psycopg:// URL", f"{url!r} ({exc})") from None
        try:
            with self.engine.begin() as conn:
                self._claim(conn)
        except sa.exc.DBAPIError as exc:
            self.engine.dispose()
            found = f"{url!r}: {' '.join(str(exc.orig).split())}"  # one line, whatever the driver wrote
            raise InputError(None, "--db", "a database lingtan can open", found) from None
        except InputError:
            self.engine.dispose()
            raise
        self.dialect = self.engine.dialect.name

    def _claim(self, conn: sa.Connection) -> None:
        """Create the tables in an empty database, or accept one this store made; refuse anything else."""
        names = set(sa.inspect(conn).get_table_names())
        if names and "lingtan_store" not in names:
            raise InputError(
                None,
                "--db",
                "an empty database or a lingtan meter store",
                f"{self.url!r} holding other tables ({', '.join(sorted(names)[:3])})",
            )
        for name, columns in TABLES.items():
            conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {name} ({columns})"))
        if not names:
            conn.execute(sa.text("INSERT INTO lingtan_store (key, value) VALUES ('schema', :v)"), {"v": SCHEMA_VERSION})

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A connection inside one transaction, committed on success.

        Yields
        ------
        sqlalchemy.Connection
            The open connection.
        """
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """Release the database (DuckDB holds a lock on its file while open)."""
        self.engine.dispose()

    def put_meters(self, mmap: MeterMap) -> None:
        """Store the meter map, replacing earlier records of the same ids.

        Parameters
        ----------
        mmap : MeterMap
            The validated meter map.
        """
        rows = [
            {
                "meter_id": m.id,
                "flow": m.flow,
                "tenant": m.tenant,
                "asset": m.asset,
                "quantity": m.quantity,
                "unit": m.unit,
                "parent": m.parent,
                "counter_max": m.counter_max,
            }
            for m in mmap.meters
        ]
        with self.connect() as conn:
            conn.execute(
                sa.text("DELETE FROM meters WHERE meter_id = :meter_id"), [{"meter_id": r["meter_id"]} for r in rows]
            )
            conn.execute(
                sa.text(
                    "INSERT INTO meters (meter_id, flow, tenant, asset, quantity, unit, parent, counter_max) "
                    "VALUES (:meter_id, :flow, :tenant, :asset, :quantity, :unit, :parent, :counter_max)"
                ),
                rows,
            )

    def put_readings(self, readings: pd.DataFrame) -> int:
        """Store readings, replacing those already stored for the same meters over the same span.

        Parameters
        ----------
        readings : pandas.DataFrame
            Columns ``meter_id``, ``ts``, ``value`` (:func:`lingtan.meters.read.read_readings`).

        Returns
        -------
        int
            Rows stored.
        """
        spans = readings.groupby("meter_id", observed=True)["ts"].agg(["min", "max"])
        frame = readings[list(READING_COLUMNS)]
        with self.connect() as conn:
            # one scan finds what is stored already; only overlapping meters are deleted, one by one
            stored = pd.read_sql(
                sa.text("SELECT meter_id, min(ts) AS a, max(ts) AS b FROM readings GROUP BY meter_id"), conn
            ).set_index("meter_id")
            both = spans.join(stored, how="inner")
            both = both[(both["min"] <= both.b) & (both["max"] >= both.a)]
            if len(both):
                params = [
                    {"m": m, "a": r["min"].to_pydatetime(), "b": r["max"].to_pydatetime()} for m, r in both.iterrows()
                ]
                conn.execute(sa.text("DELETE FROM readings WHERE meter_id = :m AND ts BETWEEN :a AND :b"), params)
            _bulk(conn, "readings", frame)
        return len(frame)

    def meters(self) -> pd.DataFrame:
        """The stored meter map.

        Returns
        -------
        pandas.DataFrame
            One row per meter, columns of the ``meters`` table, sorted by id.
        """
        with self.connect() as conn:
            return read_frame(conn, "SELECT * FROM meters ORDER BY meter_id")

    def readings(self, meter_id: str) -> pd.DataFrame:
        """One meter's readings in time order.

        Parameters
        ----------
        meter_id : str
            The meter.

        Returns
        -------
        pandas.DataFrame
            Columns ``ts`` and ``value``.
        """
        with self.connect() as conn:
            return read_frame(
                conn, "SELECT ts, value FROM readings WHERE meter_id = :m ORDER BY ts", {"m": meter_id}, dates=["ts"]
            )

    def spans(self) -> pd.DataFrame:
        """Each meter's first and last reading and how many it has, without reading them.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``meter_id``: ``first_ts``, ``last_ts`` (UTC) and ``n``; meters without readings left out.
        """
        with self.connect() as conn:
            sql = (
                "SELECT meter_id, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS n FROM readings "
                "GROUP BY meter_id ORDER BY meter_id"
            )
            return read_frame(conn, sql, dates=["first_ts", "last_ts"]).set_index("meter_id")

    def replace_results(self, hourly: pd.DataFrame, findings: pd.DataFrame) -> None:
        """Replace the quality check's hourly table and findings.

        Parameters
        ----------
        hourly : pandas.DataFrame
            Columns of the ``hourly`` table.
        findings : pandas.DataFrame
            Columns of the ``findings`` table.
        """
        with self.connect() as conn:
            conn.execute(sa.text("DELETE FROM hourly"))
            conn.execute(sa.text("DELETE FROM findings"))
            _bulk(conn, "hourly", hourly)
            _bulk(conn, "findings", findings)

    def table(self, name: str) -> pd.DataFrame:
        """A whole result table, ordered for comparison between databases.

        Parameters
        ----------
        name : str
            ``hourly`` or ``findings``.

        Returns
        -------
        pandas.DataFrame
            Its rows.
        """
        order = {"hourly": "meter_id, hour", "findings": "meter_id, kind, start_ts"}[name]
        with self.connect() as conn:
            return read_frame(conn, f"SELECT * FROM {name} ORDER BY {order}")


def read_frame(conn: sa.Connection, sql: str, params: dict | None = None, dates: list | None = None) -> pd.DataFrame:
    """A query's rows as a frame, the same from either database.

    DuckDB hands its result over column by column (``.df()``), about ten times faster than pandas fetching it row
    by row through SQLAlchemy (8.6 s against 0.8 s for a year of 100 meters' hours, benchmarks/meters_bench.py);
    its timestamps come in microseconds and are made nanoseconds, as pandas gives them from any database.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection.
    sql : str
        The query, with ``:name`` parameters.
    params : dict, optional
        Their values.
    dates : list of str, optional
        Columns to parse as timestamps (for a database that hands them over as text).

    Returns
    -------
    pandas.DataFrame
        The rows, timestamps as ``datetime64[ns]``.
    """
    if conn.dialect.name != "duckdb":
        return pd.read_sql(sa.text(sql), conn, params=params, parse_dates=dates)
    raw = conn.connection.driver_connection
    frame = raw.execute(re.sub(r":(\w+)", r"$\1", sql), params or {}).df()
    for col in frame.columns:
        if pd.api.types.is_datetime64_dtype(frame[col]):
            frame[col] = frame[col].astype("datetime64[ns]")
    return frame


def _bulk(conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
    """Append ``frame`` (columns named as the table's) to ``table`` in one bulk load."""
    if not len(frame):
        return
    cols = ", ".join(frame.columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        raw.register("incoming_rows", frame)
        raw.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming_rows")
        raw.unregister("incoming_rows")
        return
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as cp:
        for start in range(0, len(frame), 1_000_000):
            buf = io.StringIO()
            frame.iloc[start : start + 1_000_000].to_csv(buf, header=False, index=False)
            cp.write(buf.getvalue())
