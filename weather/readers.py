"""Readers for hourly weather files: EPW, TMY3, TMY2 and plain CSV.

Every reader returns ``(weather, meta)`` where ``weather`` has exactly the columns
:data:`CANONICAL_COLUMNS` (pvlib names, float64, units W/m2, C, m/s, Pa, %) and 8760 rows on a
tz-aware hourly index **labelled at the interval start** (the value for 10:00-11:00 is
labelled 10:00), re-stamped onto the calendar ``year`` chosen by the caller.

Calendar rules
--------------
Typical-year files mix source years; only (month, day, hour) of each row is kept and
the row is re-stamped onto ``year``. The result always has 8760 rows:

* if the file has 8784 rows (a leap source year), its Feb 29 rows are dropped;
* if ``year`` is a leap year, Feb 29 of the target calendar is skipped, so the index jumps
  from Feb 28 23:00 to Mar 1 00:00 (24 hours missing). Callers that need a gap-free leap
  year must handle Feb 29 themselves.

Time zone rules
---------------
Typical-year files are in local *standard* time with a fixed UTC offset. Without ``tz`` the
index uses that fixed offset (``Etc/GMT-8`` for UTC+8). With ``tz`` (e.g.
``"Asia/Shanghai"``) the standard UTC offset of ``tz`` in ``year`` must equal the file's
offset, otherwise :class:`lingtan.errors.InputError` is raised; the index is then converted to
``tz``.

Missing values
--------------
``fill="error"`` (default) raises on any missing value in a required column.
``fill="interpolate"`` fills gaps linearly in time when no gap is longer than ``max_gap_h``
hours; a longer gap is still an error.

References
----------
.. [1] Crawley, D. B. et al. EnergyPlus Auxiliary Programs, Weather Converter: EPW format.
.. [2] Wilcox, S. and Marion, W. (2008). Users Manual for TMY3 Data Sets.
   NREL/TP-581-43156 (TMY3 values are for the 60 minutes *ending* at the timestamp).
.. [3] Marion, W. and Urban, K. (1995). User's Manual for TMY2s. NREL.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from lingtan.errors import InputError, require_file
from lingtan.limits import MAX_DATA_FILE_BYTES

__all__ = ["CANONICAL_COLUMNS", "read_epw", "read_tmy3", "read_tmy2", "read_csv"]

#: Column set and order of every reader's output.
CANONICAL_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed", "pressure", "relative_humidity")
_REQUIRED_FILLED = CANONICAL_COLUMNS

# EPW "missing" sentinels (EnergyPlus Auxiliary Programs, EPW data dictionary)
_EPW_MISSING = {
    "ghi": 9999,
    "dni": 9999,
    "dhi": 9999,
    "temp_air": 99.9,
    "relative_humidity": 999,
    "pressure": 999999,
    "wind_speed": 999,
}


# --------------------------------------------------------------------------- helpers
def _fixed_tz(offset_h: float):
    """A tz for a fixed UTC offset [h]: ``Etc/GMT-8`` style when whole hours."""
    if float(offset_h).is_integer():
        o = int(offset_h)
        return "UTC" if o == 0 else f"Etc/GMT{-o:+d}"
    return _dt.timezone(_dt.timedelta(hours=float(offset_h)))


def _standard_offset_h(tz, year: int) -> float:
    """Standard (non-DST) UTC offset of ``tz`` in ``year`` [h]."""
    offs = set()
    for month in (1, 7):
        ts = pd.Timestamp(year=year, month=month, day=15, hour=12).tz_localize(tz)
        # A fixed zone (UTC, Etc/GMT-8) has no DST rule: dst() is None there, not zero.
        offs.add((ts.utcoffset() - (ts.dst() or _dt.timedelta(0))).total_seconds() / 3600.0)
    return min(offs)


def _check_tz(path, tz, file_offset_h: float, year: int):
    """Return the output tz, checking ``tz`` against the file's UTC offset."""
    if tz is None:
        return _fixed_tz(file_offset_h)
    try:
        off = _standard_offset_h(tz, year)
    except Exception as exc:  # unknown tz name
        raise InputError(path, "timezone", "a valid IANA time zone such as Asia/Shanghai", f"{tz!r} ({exc})") from None
    if abs(off - file_offset_h) > 1e-9:
        raise InputError(
            path,
            "timezone",
            f"site time zone {tz} (UTC{off:+g}) to match the file's UTC offset",
            f"file states UTC{file_offset_h:+g}",
        )
    return tz


def _target_index(year: int, tz, step_min: int = 60) -> pd.DatetimeIndex:
    """8760 interval-start hours of ``year`` (Feb 29 dropped in leap years), or its steps of ``step_min``, local tz."""
    idx = pd.date_range(f"{year}-01-01 00:00", f"{year}-12-31 23:59", freq=f"{step_min}min")
    idx = idx[~((idx.month == 2) & (idx.day == 29))]
    return idx.tz_localize(tz)


def _restamp(path, df: pd.DataFrame, year: int, tz, file_offset_h: float, step_min: int = 60) -> pd.DataFrame:
    """Re-stamp rows (already interval-start, local standard time, ``step_min`` apart) onto ``year``.

    ``df.index`` must be a naive or fixed-offset local-standard-time index whose
    month/day/hour/minute give the calendar position of each row.
    """
    idx = df.index
    per_hour = 60 // step_min
    if len(df) == 8784 * per_hour:
        keep = ~((idx.month == 2) & (idx.day == 29))
        df = df[keep]
        idx = df.index
    if len(df) != 8760 * per_hour:
        what = "hourly rows" if step_min == 60 else f"{step_min}-minute rows"
        raise InputError(
            path, "rows", f"{8760 * per_hour} {what} (or {8784 * per_hour} with Feb 29)", f"{len(df)} rows"
        )
    ref = pd.date_range("2001-01-01 00:00", periods=8760 * per_hour, freq=f"{step_min}min")  # non-leap calendar
    same = (idx.month == ref.month) & (idx.day == ref.day) & (idx.hour == ref.hour) & (idx.minute == ref.minute)
    if not same.all():
        i = int(np.argmin(same))
        raise InputError(
            path,
            f"timestamps, row {i}",
            "consecutive hourly timestamps Jan 1 00:00 .. Dec 31 23:00 (interval start)",
            f"{idx[i]} where {ref[i].strftime('%m-%d %H:%M')} was due",
        )
    out_tz = _check_tz(path, tz, file_offset_h, year)
    fixed = _fixed_tz(file_offset_h)
    new_idx = _target_index(year, fixed, step_min)
    if not isinstance(out_tz, _dt.timezone) and out_tz != fixed:
        new_idx = new_idx.tz_convert(out_tz)
    df = df.copy()
    df.index = new_idx
    df.index.name = "time"
    return df


def _fill(path, df: pd.DataFrame, columns, fill: str, max_gap_h: int) -> pd.DataFrame:
    """Apply the explicit fill policy to ``columns`` of ``df``."""
    if fill not in ("error", "interpolate"):
        raise ValueError(f"fill must be 'error' or 'interpolate', got {fill!r}")
    df = df.copy()
    for col in columns:
        s = df[col]
        na = s.isna().to_numpy()
        if not na.any():
            continue
        first = df.index[int(np.argmax(na))]
        n_na = int(na.sum())
        # run lengths of NaN gaps
        edges = np.diff(np.concatenate([[0], na.astype(int), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        longest = int((ends - starts).max())
        where = f"{n_na} NaN values, first at {first:%Y-%m-%d %H:%M}"
        if fill == "error":
            raise InputError(path, f"column {col}", "no missing values (or fill='interpolate')", where)
        if longest > max_gap_h or starts[0] == 0 or ends[-1] == len(s):
            raise InputError(
                path,
                f"column {col}",
                f"gaps of at most {max_gap_h} h inside the year to interpolate",
                f"{where}; longest gap {longest} h"
                + ("; gap at the start or end of the year" if starts[0] == 0 or ends[-1] == len(s) else ""),
            )
        df[col] = s.interpolate(method="linear", limit_area="inside")
    return df


def _finish(
    path, df: pd.DataFrame, meta: dict, *, latitude, longitude, altitude_m, rebuild_components, closure_warn_below
) -> tuple[pd.DataFrame, dict]:
    """Physical checks, closure measurement, optional rebuild; canonical column order."""
    from .closure import WeatherQualityWarning, component_closure
    from .closure import rebuild_components as _rebuild

    df = df[list(CANONICAL_COLUMNS)].astype("float64")
    for col in ("ghi", "dni", "dhi"):
        bad = df[col] < 0
        if bad.any():
            raise InputError(
                path,
                f"column {col}",
                "irradiance >= 0 W/m2",
                f"{int(bad.sum())} negative values, first at {df.index[int(np.argmax(bad.to_numpy()))]:%Y-%m-%d %H:%M}",
            )
    closure = component_closure(df, latitude, longitude, altitude_m)
    meta["component_closure"] = closure
    if rebuild_components:
        model = "erbs" if rebuild_components is True else str(rebuild_components)
        df = _rebuild(df, latitude, longitude, altitude_m, model=model)
        meta["components_rebuilt"] = model
        meta["component_closure_rebuilt"] = component_closure(df, latitude, longitude, altitude_m)
    elif np.isfinite(closure) and closure < closure_warn_below:
        warnings.warn(
            f"{path}: component closure sum(DNI*cos(zenith)+DHI)/sum(GHI) = {closure:.3f} "
            f"is below {closure_warn_below:.3f}; PV from this file's DNI/DHI will differ "
            f"from PV from its GHI. Pass rebuild_components=True (or 'erbs', 'boland', "
            f"'dirint') to rebuild DNI/DHI from GHI.",
            WeatherQualityWarning,
            stacklevel=3,
        )
    return df, meta


# --------------------------------------------------------------------------- readers
def _open(path: Path, kind: str, reader, *args, **kwargs):
    """``reader(*args, **kwargs)``, with a missing or unreadable file reported as :class:`InputError`."""
    require_file(path, "file", f"an existing {kind} file", max_bytes=MAX_DATA_FILE_BYTES)
    try:
        return reader(*args, **kwargs)
    except FileNotFoundError:
        raise InputError(path, "file", f"an existing {kind} file", "no such file") from None
    except Exception as exc:
        raise InputError(path, "file", f"a readable {kind} file", f"{type(exc).__name__}: {exc}") from None


def read_epw(
    path,
    *,
    year: int,
    tz=None,
    fill: str = "error",
    max_gap_h: int = 6,
    rebuild_components: bool | str = False,
    closure_warn_below: float = 0.97,
) -> tuple[pd.DataFrame, dict]:
    """Read an EnergyPlus weather (EPW) file to the canonical hourly frame.

    Parameters
    ----------
    path : str or Path
        EPW file.
    year : int
        Calendar year the typical year is re-stamped onto (see module notes on leap years).
    tz : str, optional
        Site time zone (IANA). Must have the same standard UTC offset as the file's
        LOCATION record; default: the file's fixed offset (``Etc/GMT-8`` for UTC+8).
    fill : {"error", "interpolate"}
        Missing-value policy (EPW missing sentinels such as 9999 count as missing).
    max_gap_h : int
        Longest gap [h] that ``fill="interpolate"`` may bridge.
    rebuild_components : bool or str
        False: keep the file's DNI/DHI. True or a model name (``"erbs"``, ``"boland"``,
        ``"dirint"``): rebuild DNI/DHI from GHI (:func:`lingtan.weather.closure.rebuild_components`).
    closure_warn_below : float
        Emit :class:`lingtan.weather.closure.WeatherQualityWarning` when the component closure is
        below this value [-] (and components are not rebuilt).

    Returns
    -------
    weather : pandas.DataFrame
        :data:`CANONICAL_COLUMNS`, 8760 rows, interval-start tz-aware index in ``year``.
        The EPW hour ``h`` (1..24) covers ``h-1 .. h`` and is labelled ``h-1`` (pvlib).
    meta : dict
        ``latitude``, ``longitude`` [deg], ``altitude_m`` [m], ``tz``, ``city``,
        ``station_id``, ``source``, ``component_closure`` (and ``components_rebuilt``,
        ``component_closure_rebuilt`` when rebuilt).

    Raises
    ------
    lingtan.errors.InputError
        Unreadable file, missing column, missing values, wrong row count, non-hourly
        timestamps or time-zone mismatch.
    """
    import pvlib

    path = Path(path)
    data, m = _open(path, "EPW", pvlib.iotools.read_epw, str(path))
    data = data.rename(columns={"atmospheric_pressure": "pressure"})
    for col in CANONICAL_COLUMNS:
        if col not in data:
            raise InputError(path, f"column {col}", "an EPW data column", "absent")
        data[col] = pd.to_numeric(data[col], errors="coerce").astype(float)
        data.loc[data[col] >= _EPW_MISSING[col], col] = np.nan
    offset = float(m["TZ"])
    data = data.tz_localize(None)
    data = _restamp(path, data[list(CANONICAL_COLUMNS)], year, tz, offset)
    data = _fill(path, data, _REQUIRED_FILLED, fill, max_gap_h)
    meta = {
        "latitude": float(m["latitude"]),
        "longitude": float(m["longitude"]),
        "altitude_m": float(m["altitude"]),
        "tz": str(data.index.tz),
        "city": str(m.get("city", "")),
        "station_id": str(m.get("WMO_code", "")),
        "source": f"EPW {path.name} ({m.get('data_type', '')})".replace(" ()", ""),
        "utc_offset_h": offset,
    }
    return _finish(
        path,
        data,
        meta,
        latitude=meta["latitude"],
        longitude=meta["longitude"],
        altitude_m=meta["altitude_m"],
        rebuild_components=rebuild_components,
        closure_warn_below=closure_warn_below,
    )


def read_tmy3(
    path,
    *,
    year: int,
    tz=None,
    fill: str = "error",
    max_gap_h: int = 6,
    rebuild_components: bool | str = False,
    closure_warn_below: float = 0.97,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Read an NREL TMY3 file to the canonical hourly frame.

    TMY3 values are the mean (irradiance: total) over the 60 minutes *ending* at the
    timestamp [2]_, so pvlib's index (interval end, 24:00 -> next day 00:00) is shifted by
    -1 h to the interval start. pvlib's ``map_variables=True`` names are used; pressure is
    converted from mbar to Pa.

    Parameters
    ----------
    path, year, tz, fill, max_gap_h, rebuild_components, closure_warn_below
        As :func:`read_epw`.
    encoding : str, optional
        Passed to :func:`pvlib.iotools.read_tmy3`.

    Returns
    -------
    weather, meta
        As :func:`read_epw` (``station_id`` is the USAF id, ``city`` the station name).
    """
    import pvlib

    path = Path(path)
    data, m = _open(path, "TMY3", pvlib.iotools.read_tmy3, str(path), map_variables=True, encoding=encoding)
    for col in CANONICAL_COLUMNS:
        if col not in data:
            raise InputError(path, f"column {col}", "a TMY3 data column (pvlib name after map_variables)", "absent")
        data[col] = pd.to_numeric(data[col], errors="coerce").astype(float)
    data["pressure"] = data["pressure"] * 100.0  # mbar -> Pa
    offset = float(m["TZ"])
    # Rebuild the interval-start stamps from the file's own date and hour-ending columns
    # (pvlib's index moves 24:00 to the next day and Feb 29 to Mar 1; the date column
    # plus (hour - 1) gives the interval start without any day arithmetic).
    try:
        date = pd.to_datetime(data["Date (MM/DD/YYYY)"], format="%m/%d/%Y")
        hhmm = data["Time (HH:MM)"].astype(str).str.split(":")
        hour_end = hhmm.str[0].astype(int)
        minute = hhmm.str[1].astype(int)
    except Exception as exc:
        raise InputError(
            path,
            "columns Date (MM/DD/YYYY), Time (HH:MM)",
            "TMY3 dates and hour-ending times 01:00..24:00",
            f"{type(exc).__name__}: {exc}",
        ) from None
    if ((hour_end < 1) | (hour_end > 24)).any():
        # SolarAnywhere-style midnight as 00:00 of the next day: use pvlib's index
        data.index = data.index.tz_localize(None) - pd.Timedelta(hours=1)
    else:
        data.index = pd.DatetimeIndex(
            date + pd.to_timedelta(hour_end - 1, unit="h") + pd.to_timedelta(minute, unit="min")
        )
    data = _restamp(path, data[list(CANONICAL_COLUMNS)], year, tz, offset)
    data = _fill(path, data, _REQUIRED_FILLED, fill, max_gap_h)
    meta = {
        "latitude": float(m["latitude"]),
        "longitude": float(m["longitude"]),
        "altitude_m": float(m["altitude"]),
        "tz": str(data.index.tz),
        "city": str(m.get("Name", "")).strip('"'),
        "station_id": str(m.get("USAF", "")),
        "source": f"TMY3 {path.name}",
        "utc_offset_h": offset,
    }
    return _finish(
        path,
        data,
        meta,
        latitude=meta["latitude"],
        longitude=meta["longitude"],
        altitude_m=meta["altitude_m"],
        rebuild_components=rebuild_components,
        closure_warn_below=closure_warn_below,
    )


def read_tmy2(
    path,
    *,
    year: int,
    tz=None,
    fill: str = "error",
    max_gap_h: int = 6,
    rebuild_components: bool | str = False,
    closure_warn_below: float = 0.97,
) -> tuple[pd.DataFrame, dict]:
    """Read an NREL TMY2 file to the canonical hourly frame.

    pvlib labels TMY2 hour ``h`` (the hour ending at ``h``) as ``h-1``, i.e. already the
    interval start. TMY2 units: dry bulb [0.1 C], wind speed [0.1 m/s], pressure [mbar]
    [3]_; converted here to C, m/s and Pa.

    Parameters
    ----------
    path : str or Path
        TMY2 file.
    year : int
        Calendar year the typical year is re-stamped onto.
    tz : str, optional
        Site time zone (IANA), as in :func:`read_epw`.
    fill : {"error", "interpolate"}
        Missing-value policy.
    max_gap_h : int
        Longest gap [h] that ``fill="interpolate"`` may bridge.
    rebuild_components : bool or str
        False: keep the file's DNI/DHI; True or a model name: rebuild them from GHI.
    closure_warn_below : float
        Warn when the component closure is below this value [-].

    Returns
    -------
    tuple of (DataFrame, dict)
        The canonical hourly frame and the file's metadata, as :func:`read_epw`.
    """
    import pvlib

    path = Path(path)
    raw, m = _open(path, "TMY2", pvlib.iotools.read_tmy2, str(path))
    data = pd.DataFrame(
        {
            "ghi": raw["GHI"],
            "dni": raw["DNI"],
            "dhi": raw["DHI"],
            "temp_air": raw["DryBulb"] / 10.0,
            "wind_speed": raw["Wspd"] / 10.0,
            "pressure": raw["Pressure"] * 100.0,
            "relative_humidity": raw["RHum"],
        },
        index=raw.index,
    ).astype(float)
    offset = float(m["TZ"])
    data = data.tz_localize(None)
    data = _restamp(path, data, year, tz, offset)
    data = _fill(path, data, _REQUIRED_FILLED, fill, max_gap_h)
    meta = {
        "latitude": float(m["latitude"]),
        "longitude": float(m["longitude"]),
        "altitude_m": float(m["altitude"]),
        "tz": str(data.index.tz),
        "city": str(m.get("City", "")),
        "station_id": str(m.get("WBAN", "")),
        "source": f"TMY2 {path.name}",
        "utc_offset_h": offset,
    }
    return _finish(
        path,
        data,
        meta,
        latitude=meta["latitude"],
        longitude=meta["longitude"],
        altitude_m=meta["altitude_m"],
        rebuild_components=rebuild_components,
        closure_warn_below=closure_warn_below,
    )


def read_csv(
    path,
    *,
    year: int,
    tz: str,
    latitude: float | None = None,
    longitude: float | None = None,
    altitude_m: float = 0.0,
    fill: str = "error",
    max_gap_h: int = 6,
    rebuild_components: bool | str = False,
    closure_warn_below: float = 0.97,
) -> tuple[pd.DataFrame, dict]:
    """Read a plain hourly (or 15-minute) CSV with pvlib column names.

    A file whose timestamps are 15 min apart is read as it is, 35 040 rows, onto 15-minute steps; a run
    whose ``time_step_min`` differs refuses it (:func:`lingtan.twin.run.load_weather`).

    The file has a ``time`` column (ISO 8601, labelled at the interval start; naive
    timestamps are local time in ``tz``, aware ones must agree with ``tz``) and columns
    ``ghi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s] (required) and optionally
    ``dni``, ``dhi`` [W/m2], ``pressure`` [Pa], ``relative_humidity`` [%].

    Defaults for optional columns (recorded in ``meta["filled_columns"]``):

    * ``dni``/``dhi`` absent: built from ``ghi`` with :func:`pvlib.irradiance.erbs`
      (Erbs et al. 1982), solar position at mid-interval; ``meta["components_from"]`` says so.
    * ``pressure`` absent: :func:`pvlib.atmosphere.alt2pres` of ``altitude_m``.
    * ``relative_humidity`` absent: NaN (no model invents it).

    Parameters
    ----------
    path : str or Path
        CSV file.
    year : int
        Calendar year to re-stamp onto.
    tz : str
        Site time zone (IANA), e.g. ``"Asia/Shanghai"``.
    latitude, longitude : float, optional
        Site coordinates [deg] (a CSV carries no location). Needed to build ``dni``/``dhi``
        when absent and to measure the component closure; without them the closure is
        ``nan`` and a CSV lacking ``dni``/``dhi`` is an error.
    altitude_m : float
        Site altitude [m].
    fill, max_gap_h, rebuild_components, closure_warn_below
        As :func:`read_epw`.

    Returns
    -------
    weather, meta
        As :func:`read_epw`.
    """
    path = Path(path)
    raw = _read_csv_table(path)
    std_off, idx, step_min = _csv_standard_time_index(path, raw, year, tz)
    data = pd.DataFrame(index=idx)
    for col in CANONICAL_COLUMNS:
        data[col] = pd.to_numeric(raw[col], errors="coerce").to_numpy(dtype=float) if col in raw else np.nan
    data = _restamp(path, data, year, tz, std_off, step_min)
    data = _fill(path, data, [c for c in _REQUIRED_FILLED if c in raw], fill, max_gap_h)
    filled = _fill_pressure_and_humidity(data, raw, altitude_m)
    meta = {
        "latitude": latitude,
        "longitude": longitude,
        "altitude_m": float(altitude_m),
        "tz": str(data.index.tz),
        "city": "",
        "station_id": "",
        "source": f"CSV {path.name}",
    }
    if latitude is None or longitude is None:
        return _csv_without_location(path, raw, data, meta, filled)
    meta["latitude"], meta["longitude"] = float(latitude), float(longitude)
    if "dni" not in raw or "dhi" not in raw:
        from .closure import rebuild_components as _rebuild

        data = _rebuild(data.fillna({"dni": 0.0, "dhi": 0.0}), latitude, longitude, altitude_m, model="erbs")
        meta["components_from"] = "ghi via pvlib.irradiance.erbs (dni/dhi absent in file)"
        filled.append("dni, dhi (erbs decomposition of ghi)")
    meta["filled_columns"] = filled
    return _finish(
        path,
        data,
        meta,
        latitude=latitude,
        longitude=longitude,
        altitude_m=altitude_m,
        rebuild_components=rebuild_components,
        closure_warn_below=closure_warn_below,
    )


# --------------------------------------------------------------------------- steps of read_csv
def _read_csv_table(path: Path) -> pd.DataFrame:
    """The CSV's rows with stripped column names, once its required columns are there.

    Raises
    ------
    InputError
        An unreadable file, or ``time``, ``ghi``, ``temp_air`` or ``wind_speed`` absent.
    """
    raw = _open(path, "CSV", pd.read_csv, path)
    raw.columns = [str(c).strip() for c in raw.columns]
    for col in ("time", "ghi", "temp_air", "wind_speed"):
        if col not in raw:
            raise InputError(
                path,
                f"column {col}",
                "a required column (time, ghi, temp_air, wind_speed)",
                f"absent; columns are {list(raw.columns)}",
            )
    return raw


def _csv_site_times(path: Path, raw: pd.DataFrame, t: pd.Series, tz: str) -> pd.Series:
    """The parsed ``time`` column ``t`` in the site's zone ``tz``: naive stamps localised, aware ones checked.

    Raises
    ------
    InputError
        Aware stamps whose UTC offset is not the site's, or naive stamps that do not exist in ``tz``.
    """
    if getattr(t.dt, "tz", None) is None:
        try:
            return t.dt.tz_localize(tz)
        except Exception as exc:
            raise InputError(
                path, "column time", f"valid local times in {tz}", f"{type(exc).__name__}: {exc}"
            ) from None
    offs = t.map(lambda x: x.utcoffset().total_seconds() / 3600.0)
    local = t.dt.tz_convert(tz)
    loffs = local.map(lambda x: x.utcoffset().total_seconds() / 3600.0)
    bad = (offs - loffs).abs() > 1e-9
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise InputError(
            path,
            f"column time, row {i}",
            f"timestamps in the site time zone {tz} (UTC{loffs.iloc[i]:+g})",
            f"{raw['time'].iloc[i]} (UTC{offs.iloc[i]:+g})",
        )
    return local


def _csv_standard_time_index(path: Path, raw: pd.DataFrame, year: int, tz: str) -> tuple[float, pd.DatetimeIndex, int]:
    """The rows' times in local standard time (no DST), which give each row's calendar position.

    Returns
    -------
    std_off : float
        The standard UTC offset of ``tz`` in ``year`` [h].
    index : DatetimeIndex
        Naive local standard times, checked one step apart (a step of a day more over a skipped Feb 29 allowed).
    step_min : int
        The step [min]: 60, or 15 for a 15-minute file (the first spacing).

    Raises
    ------
    InputError
        Stamps that are not ISO 8601, an unknown time zone, stamps not in the site's zone
        (:func:`_csv_site_times`) or not 1 h apart.
    """
    try:
        t = pd.to_datetime(raw["time"], format="ISO8601")
    except Exception as exc:
        raise InputError(path, "column time", "ISO 8601 timestamps", f"{type(exc).__name__}: {exc}") from None
    try:
        std_off = _standard_offset_h(tz, year)
    except Exception as exc:
        raise InputError(path, "timezone", "a valid IANA time zone such as Asia/Shanghai", f"{tz!r} ({exc})") from None
    t = _csv_site_times(path, raw, t, tz)
    idx = pd.DatetimeIndex(t.dt.tz_convert(_fixed_tz(std_off)).dt.tz_localize(None))
    steps = np.diff(idx.asi8) / 6e10  # [min]
    step_min = 15 if len(steps) and steps[0] == 15 else 60
    leap_skip = (idx[:-1].month == 2) & (idx[:-1].day == 28) & (steps == 1440 + step_min)
    ok = (steps == step_min) | leap_skip
    if not ok.all():
        i = int(np.argmin(ok))
        raise InputError(
            path,
            f"column time, row {i + 1}",
            "hourly timestamps, 1 h apart" if step_min == 60 else "15-minute timestamps, 15 min apart",
            f"{raw['time'].iloc[i]} followed by {raw['time'].iloc[i + 1]}",
        )
    return std_off, idx, step_min


def _fill_pressure_and_humidity(data: pd.DataFrame, raw: pd.DataFrame, altitude_m: float) -> list[str]:
    """Pressure from altitude where the file has none (in place); the list of columns filled, for ``meta``.

    Parameters
    ----------
    data : DataFrame
        The weather year, modified.
    raw : DataFrame
        The file's columns.
    altitude_m : float
        Site altitude [m], for :func:`pvlib.atmosphere.alt2pres`.
    """
    filled = []
    if "pressure" not in raw:
        import pvlib

        data["pressure"] = float(pvlib.atmosphere.alt2pres(altitude_m))
        filled.append("pressure (pvlib.atmosphere.alt2pres of altitude_m)")
    if "relative_humidity" not in raw:
        filled.append("relative_humidity (absent: NaN)")
    return filled


def _csv_without_location(
    path: Path, raw: pd.DataFrame, data: pd.DataFrame, meta: dict, filled: list[str]
) -> tuple[pd.DataFrame, dict]:
    """A CSV read without site coordinates: its own DNI and DHI are needed, no closure is measured.

    Raises
    ------
    InputError
        ``dni`` or ``dhi`` absent, or negative irradiance.
    """
    if "dni" not in raw or "dhi" not in raw:
        raise InputError(
            path,
            "columns dni, dhi",
            "present, or the site latitude/longitude passed to read_csv so that they can be built from ghi (erbs)",
            "absent",
        )
    meta["filled_columns"] = filled
    meta["component_closure"] = float("nan")
    meta["latitude"] = meta["longitude"] = float("nan")
    df = data[list(CANONICAL_COLUMNS)].astype("float64")
    if (df[["ghi", "dni", "dhi"]] < 0).any().any():
        raise InputError(path, "columns ghi, dni, dhi", "irradiance >= 0 W/m2", "negative values")
    return df, meta
