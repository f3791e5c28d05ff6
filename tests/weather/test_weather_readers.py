"""Readers: canonical columns, interval-start labelling, tz, and bad-input errors."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pandas as pd
import pytest
from support.weather_testdata import station_file

from lingtan.errors import InputError
from lingtan.validation.reference_weather import pvlib_file as pvlib_data
from lingtan.weather import read_csv, read_epw, read_tmy3
from lingtan.weather.readers import CANONICAL_COLUMNS, read_tmy2


def _check_canonical(w: pd.DataFrame, year: int):
    assert list(w.columns) == list(CANONICAL_COLUMNS)
    assert len(w) == 8760
    assert w.index.tz is not None
    assert (w.dtypes == "float64").all()
    assert w.index[0] == pd.Timestamp(f"{year}-01-01 00:00", tz=w.index.tz)
    assert w.index[-1] == pd.Timestamp(f"{year}-12-31 23:00", tz=w.index.tz)
    assert w[list(CANONICAL_COLUMNS[:6])].notna().all().all()


def _check_labelling(w: pd.DataFrame, longitude: float, utc_offset_h: float):
    """GHI is zero at 00:00 local and the daily maximum sits in the hour holding solar noon."""
    local = w.index.tz_localize(None)
    assert (w["ghi"][local.hour == 0] == 0).all()
    # solar noon in local standard time ~ 12 - (lon - 15*offset)/15 h; the interval-start
    # label of the hour that contains it is floor(noon); allow +-1 h for the equation of
    # time and for clouds, and require the typical (median) peak to match.
    noon = 12.0 - (longitude - 15.0 * utc_offset_h) / 15.0
    g = pd.Series(w["ghi"].to_numpy(), index=local)
    peak_hours = np.array([s.index[int(np.argmax(s.to_numpy()))].hour for _, s in g.groupby(local.normalize())])
    assert abs(np.median(peak_hours) + 0.5 - noon) <= 1.0


def _header_fields(meta: dict) -> dict:
    """The fields a reader takes from the file header (or, for CSV, from its arguments); the rest is computed."""
    return {
        k: meta[k]
        for k in ("latitude", "longitude", "altitude_m", "tz", "utc_offset_h", "city", "station_id", "source")
        if k in meta
    }


def test_tmy3_greensboro_reads_canonical():
    path = pvlib_data("723170TYA.CSV")
    w, meta = read_tmy3(path, year=2025)
    _check_canonical(w, 2025)
    _check_labelling(w, meta["longitude"], -5)
    # header line: 723170,"GREENSBORO PIEDMONT TRIAD INT",NC,-5.0,36.100,-79.950,273
    assert _header_fields(meta) == {
        "latitude": 36.1,
        "longitude": -79.95,
        "altitude_m": 273.0,
        "tz": "Etc/GMT+5",
        "utc_offset_h": -5.0,
        "city": "GREENSBORO PIEDMONT TRIAD INT",
        "station_id": "723170",
        "source": "TMY3 723170TYA.CSV",
    }
    assert w["pressure"].between(9e4, 1.1e5).all()  # mbar converted to Pa
    # interval start: pvlib's first stamp (01:00, the hour ending 01:00) becomes 00:00
    import pvlib

    raw, _ = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    assert w["ghi"].iloc[12] == raw["ghi"].iloc[12]  # same row order, shifted label
    assert raw.index[12].hour == 13 and w.index[12].hour == 12


def test_tmy3_sand_point_header():
    _, meta = read_tmy3(pvlib_data("703165TY.csv"), year=2025)
    # header line: 703165,"SAND POINT",AK,-9.0,55.317,-160.517,7
    assert _header_fields(meta) == {
        "latitude": 55.317,
        "longitude": -160.517,
        "altitude_m": 7.0,
        "tz": "Etc/GMT+9",
        "utc_offset_h": -9.0,
        "city": "SAND POINT",
        "station_id": "703165",
        "source": "TMY3 703165TY.csv",
    }


def test_tmy2_miami_leap_target_year():
    w, meta = read_tmy2(pvlib_data("12839.tm2"), year=2024)
    # header line: " 12839 MIAMI  FL  -5 N 25 48 W  80 16     2": 25 deg 48 min N, 80 deg 16 min W, 2 m
    assert _header_fields(meta) == {
        "latitude": 25 + 48 / 60,
        "longitude": -(80 + 16 / 60),
        "altitude_m": 2.0,
        "tz": "Etc/GMT+5",
        "utc_offset_h": -5.0,
        "city": "MIAMI",
        "station_id": "12839",
        "source": "TMY2 12839.tm2",
    }
    assert len(w) == 8760
    assert not ((w.index.month == 2) & (w.index.day == 29)).any()
    assert w.index[-1] == pd.Timestamp("2024-12-31 23:00", tz=w.index.tz)
    _check_labelling(w, meta["longitude"], -5)


def test_epw_shared_reads_canonical(shared_weather, references):
    path = station_file(shared_weather, "Hefei", references)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w, meta = read_epw(path, year=2025, tz="Asia/Shanghai")
    _check_canonical(w, 2025)
    _check_labelling(w, meta["longitude"], 8)
    assert str(w.index.tz) == "Asia/Shanghai"
    # header line: LOCATION,Hefei,Anhui,CHN,CSWD,583210,31.87,117.23,8.0,26.8
    assert _header_fields(meta) == {
        "latitude": 31.87,
        "longitude": 117.23,
        "altitude_m": 26.8,
        "tz": "Asia/Shanghai",
        "utc_offset_h": 8.0,
        "city": "Hefei",
        "station_id": "583210",
        "source": f"EPW {path.name} (CSWD)",
    }
    assert "component_closure" in meta
    # the same year summed straight from the file (column 14, global horizontal [Wh/m2], after 8 header lines):
    # relabelling moves hours, never energy
    rows = list(csv.reader(path.read_text(encoding="latin-1").splitlines()))[8:]
    assert w["ghi"].sum() == pytest.approx(sum(float(r[13]) for r in rows), rel=1e-12)


# ------------------------------------------------------------------ broken files
@pytest.fixture()
def tmy3_text():
    return pvlib_data("723170TYA.CSV").read_text().splitlines(keepends=True)


def _write(tmp_path, name, lines):
    p = tmp_path / name
    p.write_text("".join(lines))
    return p


def _set_field(line: str, col: int, value: str) -> str:
    parts = line.rstrip("\n").split(",")
    parts[col] = value
    return ",".join(parts) + "\n"


def _col(lines, name):
    return lines[1].rstrip("\n").split(",").index(name)


def test_missing_column(tmp_path, tmy3_text):
    c = _col(tmy3_text, "Dry-bulb (C)")
    lines = [tmy3_text[0]] + [
        _set_field(ln, c, "Dry-bulb-renamed") if i == 0 else ln for i, ln in enumerate(tmy3_text[1:])
    ]
    p = _write(tmp_path, "nocol.csv", lines)
    with pytest.raises(InputError) as ei:
        read_tmy3(p, year=2025)
    assert str(p) in str(ei.value) and "column temp_air" in str(ei.value)


def _with_nan(tmy3_text, rows):
    c = _col(tmy3_text, "GHI (W/m^2)")
    out = list(tmy3_text)
    for r in rows:
        out[2 + r] = _set_field(out[2 + r], c, "")
    return out


def test_nan_without_fill_is_error(tmp_path, tmy3_text):
    p = _write(tmp_path, "nan.csv", _with_nan(tmy3_text, [1500, 1501, 1502]))
    with pytest.raises(InputError) as ei:
        read_tmy3(p, year=2025)
    msg = str(ei.value)
    assert str(p) in msg and "column ghi" in msg and "3 NaN values" in msg
    assert "fill='interpolate'" in msg


def test_nan_gap_interpolated(tmp_path, tmy3_text):
    rows = [1500, 1501, 1502]  # Mar 3, 12:00-14:00 local
    p = _write(tmp_path, "nan.csv", _with_nan(tmy3_text, rows))
    w, _ = read_tmy3(p, year=2025, fill="interpolate", max_gap_h=6)
    ref, _ = read_tmy3(pvlib_data("723170TYA.CSV"), year=2025)
    assert w["ghi"].notna().all()
    a, b = ref["ghi"].iloc[1499], ref["ghi"].iloc[1503]
    np.testing.assert_allclose(w["ghi"].iloc[rows], a + (b - a) * np.array([1, 2, 3]) / 4)
    pd.testing.assert_frame_equal(w.drop(w.index[rows]), ref.drop(ref.index[rows]))


def test_too_long_gap_still_error(tmp_path, tmy3_text):
    p = _write(tmp_path, "gap.csv", _with_nan(tmy3_text, list(range(1500, 1510))))
    with pytest.raises(InputError) as ei:
        read_tmy3(p, year=2025, fill="interpolate", max_gap_h=6)
    msg = str(ei.value)
    assert str(p) in msg and "column ghi" in msg and "longest gap 10 h" in msg


def test_wrong_row_count(tmp_path, tmy3_text):
    p = _write(tmp_path, "short.csv", tmy3_text[:-24])
    with pytest.raises(InputError) as ei:
        read_tmy3(p, year=2025)
    assert str(p) in str(ei.value) and "rows" in str(ei.value) and "8736" in str(ei.value)


def test_tz_mismatch(shared_weather, references):
    path = station_file(shared_weather, "Hefei", references)
    with pytest.raises(InputError) as ei:
        read_epw(path, year=2025, tz="Europe/Berlin")
    msg = str(ei.value)
    assert str(path) in msg and "timezone" in msg and "UTC+8" in msg


def test_tz_mismatch_tmy3():
    p = pvlib_data("723170TYA.CSV")
    with pytest.raises(InputError) as ei:
        read_tmy3(p, year=2025, tz="Asia/Shanghai")
    assert str(p) in str(ei.value) and "timezone" in str(ei.value)
    # a DST zone with the right standard offset is accepted and converted to
    w, _ = read_tmy3(p, year=2025, tz="America/New_York")
    assert str(w.index.tz) == "America/New_York" and len(w) == 8760


# ------------------------------------------------------------------ csv
@pytest.fixture(scope="module")
def greensboro():
    return read_tmy3(pvlib_data("723170TYA.CSV"), year=2025)


def _csv_from(w: pd.DataFrame, path, columns, naive=True):
    df = w[columns].copy()
    idx = df.index.tz_localize(None) if naive else df.index
    df.insert(0, "time", [t.isoformat() for t in idx])
    df.to_csv(path, index=False)
    return path


def test_csv_roundtrip_and_erbs_components(tmp_path, greensboro):
    w, m = greensboro
    p = _csv_from(w, tmp_path / "full.csv", list(CANONICAL_COLUMNS))
    kw = dict(year=2025, tz="Etc/GMT+5", latitude=m["latitude"], longitude=m["longitude"], altitude_m=m["altitude_m"])
    w2, _ = read_csv(p, **kw)
    pd.testing.assert_frame_equal(w2, w, check_names=False)
    p = _csv_from(w, tmp_path / "ghi_only.csv", ["ghi", "temp_air", "wind_speed"])
    w3, m3 = read_csv(p, **kw)
    assert list(w3.columns) == list(CANONICAL_COLUMNS)
    assert "erbs" in m3["components_from"]
    assert m3["component_closure"] == pytest.approx(1.0, abs=1e-6)
    assert w3["relative_humidity"].isna().all()
    # pvlib.atmosphere.alt2pres of the site's 273 m: 100 * ((44331.514 - h) / 11880.516) ** (1 / 0.1902632) [Pa]
    assert (w3["pressure"] == 100 * ((44331.514 - 273) / 11880.516) ** (1 / 0.1902632)).all()
    assert _header_fields(m3) == {
        "latitude": 36.1,
        "longitude": -79.95,
        "altitude_m": 273.0,
        "tz": "Etc/GMT+5",
        "city": "",
        "station_id": "",
        "source": "CSV ghi_only.csv",
    }


def test_csv_errors(tmp_path, greensboro):
    w, m = greensboro
    kw = dict(year=2025, tz="Etc/GMT+5", latitude=m["latitude"], longitude=m["longitude"])
    p = _csv_from(w, tmp_path / "no_wind.csv", ["ghi", "temp_air"])
    with pytest.raises(InputError, match="column wind_speed"):
        read_csv(p, **kw)
    # aware timestamps in another offset than the site's
    p = _csv_from(w.tz_convert("Asia/Shanghai"), tmp_path / "aware.csv", ["ghi", "temp_air", "wind_speed"], naive=False)
    with pytest.raises(InputError) as ei:
        read_csv(p, **kw)
    assert str(p) in str(ei.value) and "column time" in str(ei.value)
    # half-hourly timestamps
    df = pd.read_csv(_csv_from(w, tmp_path / "x.csv", ["ghi", "temp_air", "wind_speed"]))
    df.loc[10, "time"] = "2025-01-01T09:30:00"
    df.to_csv(tmp_path / "halfhour.csv", index=False)
    with pytest.raises(InputError) as ei:
        read_csv(tmp_path / "halfhour.csv", **kw)
    assert "halfhour.csv" in str(ei.value) and "hourly" in str(ei.value)


def test_csv_without_location(tmp_path, greensboro):
    w, _ = greensboro
    p = _csv_from(w, tmp_path / "full.csv", list(CANONICAL_COLUMNS))
    w2, m2 = read_csv(p, year=2025, tz="Etc/GMT+5")
    pd.testing.assert_frame_equal(w2, w, check_names=False)
    assert np.isnan(m2["component_closure"])
    p = _csv_from(w, tmp_path / "ghi_only.csv", ["ghi", "temp_air", "wind_speed"])
    with pytest.raises(InputError) as ei:
        read_csv(p, year=2025, tz="Etc/GMT+5")
    assert "ghi_only.csv" in str(ei.value) and "dni, dhi" in str(ei.value)
