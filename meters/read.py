"""Reading meter files: long (``meter_id, timestamp, value``) or wide (``timestamp`` and one column per
meter), CSV or Parquet, one file or a folder of them, any step from 1 to 60 minutes.

Readings come out long, in the meter's declared unit, stamped with the UTC start of their interval;
units are converted and counters differenced later (:mod:`lingtan.meters.quality`), so the store keeps
what the meter said.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from lingtan.errors import InputError, require_file
from lingtan.limits import MAX_DATA_FILE_BYTES
from lingtan.meters.schema import MeterMap

# A meter's step must lie in this range [min]: the 1 to 60 minutes.
MIN_STEP_MIN, MAX_STEP_MIN = 1, 60
SUFFIXES = (".csv", ".parquet")
LONG_COLUMNS = ("meter_id", "timestamp", "value")


def source_files(source: str | Path) -> list[Path]:
    """The files of a source: the file itself, or every CSV and Parquet file of a folder, sorted.

    Parameters
    ----------
    source : str or Path
        A file or a folder.

    Returns
    -------
    list of Path
        At least one file.

    Raises
    ------
    InputError
        For a missing source, a file of another kind, or a folder without meter files.
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
        if not files:
            raise InputError(path, "(folder)", "CSV or Parquet meter files", "none")
        return files
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(path, "(file)", "a .csv or .parquet file, or a folder of them", repr(path.suffix))
    return [require_file(path, "(file)", "a meter file", max_bytes=MAX_DATA_FILE_BYTES)]


def _frame(path: Path) -> pd.DataFrame:
    """The file's table, as read."""
    require_file(path, "(file)", "a meter file", max_bytes=MAX_DATA_FILE_BYTES)
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype={"meter_id": str})
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(path, "(file)", f"a readable {path.suffix} table", type(exc).__name__) from None


def _long(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The table in long form, whichever form it came in."""
    if "timestamp" not in frame.columns:
        raise InputError(path, "(columns)", "a timestamp column", ", ".join(map(str, frame.columns[:8])))
    if set(LONG_COLUMNS) <= set(frame.columns):
        return frame[list(LONG_COLUMNS)]
    if "meter_id" in frame.columns or len(frame.columns) < 2:
        raise InputError(
            path,
            "(columns)",
            "meter_id, timestamp, value (long) or timestamp and meter ids (wide)",
            ", ".join(map(str, frame.columns[:8])),
        )
    out = frame.melt(id_vars="timestamp", var_name="meter_id", value_name="value")
    return out[list(LONG_COLUMNS)]


def _timestamps(raw: pd.Series, tz: str, path: Path) -> pd.Series:
    """UTC timestamps (naive) from the file's, read in ``tz`` when they carry no offset.

    Each distinct text is parsed once: a wide file melted to long repeats every timestamp once per meter.
    """
    codes, uniques = pd.factorize(raw)
    return pd.Series(_parse_times(pd.Series(uniques), raw, codes, tz, path).to_numpy()[codes], index=raw.index)


def _parse_times(raw: pd.Series, full: pd.Series, codes: np.ndarray, tz: str, path: Path) -> pd.Series:
    """The distinct timestamps ``raw`` parsed; errors name the first row of ``full`` holding the bad one."""
    try:
        ts = pd.to_datetime(raw, utc=False, format="ISO8601") if raw.dtype == object else pd.to_datetime(raw)
    except (ValueError, TypeError):
        u = next(i for i, v in enumerate(raw) if pd.isna(pd.to_datetime(v, errors="coerce")))
        bad = int(np.flatnonzero(codes == u)[0])
        raise InputError(
            path, f"column timestamp, row {bad + 1}", "an ISO 8601 date and time", repr(full.iloc[bad])
        ) from None
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        if ts.isna().any():
            bad = int(np.flatnonzero(codes == int(np.flatnonzero(ts.isna().to_numpy())[0]))[0])
            raise InputError(
                path,
                f"column timestamp, row {bad + 1}",
                f"a time that exists once in {tz}",
                f"{full.iloc[bad]!r} (daylight-saving change: give the UTC offset)",
            )
    return ts.dt.tz_convert("UTC").dt.tz_localize(None)


def read_readings(source: str | Path, mmap: MeterMap, tz: str) -> pd.DataFrame:
    """Every reading of a source, long, with its interval's UTC start (all files at once).

    Parameters
    ----------
    source : str or Path
        A meter file or a folder of them (:func:`source_files`).
    mmap : MeterMap
        The meter map.
    tz : str
        Time zone of timestamps without an offset.

    Returns
    -------
    pandas.DataFrame
        As :func:`iter_readings` yields, for all files together.

    Raises
    ------
    InputError
        As :func:`iter_readings`, and for a meter whose step differs between files.
    """
    parts = list(iter_readings(source, mmap, tz))
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out["meter_id"] = out["meter_id"].astype(str)
    return out.sort_values(["meter_id", "ts"], kind="stable").reset_index(drop=True)


def iter_readings(source: str | Path, mmap: MeterMap, tz: str) -> Iterator[pd.DataFrame]:
    """The readings of each file of a source in turn, long, with their interval's UTC start.

    One file at a time keeps a year of 500 meters at 15 minutes, given as monthly files, within memory.

    Parameters
    ----------
    source : str or Path
        A meter file or a folder of them (:func:`source_files`).
    mmap : MeterMap
        The meter map: ids must be its meters; its ``interval_label`` places each reading.
    tz : str
        Time zone of timestamps without an offset (the map's, else the scenario site's).

    Yields
    ------
    pandas.DataFrame
        One file's readings: columns ``meter_id`` (categorical), ``ts`` (UTC start of the interval,
        naive), ``value`` (float, the meter's declared unit; NaN where the file left it empty), sorted by
        meter and time.

    Raises
    ------
    InputError
        Naming the file and the column and row for: an unreadable file, missing columns, a timestamp that
        is not a time, a value that is not a number, a meter not in the map, duplicate timestamps of one
        meter, or a step outside 1-60 minutes.
    """
    known = mmap.by_id()
    known_step: dict[str, float] = {}
    for path in source_files(source):
        frame = _long(_frame(path), path)
        ids = frame["meter_id"].astype("category")
        unknown = sorted(set(map(str, ids.cat.categories)) - set(known))
        if unknown:
            row = int(np.flatnonzero((ids == unknown[0]).to_numpy())[0])
            raise InputError(path, f"meter_id, row {row + 1}", "a meter of the meter map", repr(unknown[0]))
        values = pd.to_numeric(frame["value"], errors="coerce")
        bad = values.isna() & frame["value"].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, f"column value, row {row + 1}", "a number", repr(frame["value"].iloc[row]))
        if np.isinf(values.to_numpy()).any():
            row = int(np.flatnonzero(np.isinf(values.to_numpy()))[0])
            raise InputError(path, f"column value, row {row + 1}", "a finite number", repr(values.iloc[row]))
        out = pd.DataFrame({"meter_id": ids, "ts": _timestamps(frame["timestamp"], tz, path), "value": values})
        out = out.sort_values(["meter_id", "ts"], kind="stable").reset_index(drop=True)
        dup = out.duplicated(["meter_id", "ts"])
        if dup.any():
            first = out[dup].iloc[0]
            raise InputError(path, f"meter {first.meter_id}", "one reading per timestamp", f"two at {first.ts} UTC")
        steps = out.groupby("meter_id", sort=False, observed=True)["ts"].diff().dt.total_seconds() / 60
        step_min = steps.groupby(out["meter_id"], sort=False, observed=True).median()
        # a meter with one reading in this file (the midnight reading that closes last month) keeps its step
        # from an earlier file
        step_min = step_min.fillna(pd.Series(known_step, dtype=float)).reindex(step_min.index)
        for meter_id, step in step_min.items():
            if not MIN_STEP_MIN <= step <= MAX_STEP_MIN:
                raise InputError(
                    path,
                    f"meter {meter_id}",
                    f"a step of {MIN_STEP_MIN}-{MAX_STEP_MIN} min",
                    f"{step:g} min" if step == step else "a single reading",
                )
        known_step.update(step_min.to_dict())
        if mmap.interval_label == "end":
            step_ns = (out["meter_id"].map(step_min).to_numpy(dtype=float) * 60e9).astype("timedelta64[ns]")
            out["ts"] = out["ts"] - step_ns
        yield out
