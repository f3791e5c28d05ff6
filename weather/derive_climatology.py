"""Derive the shipped monthly climatology (``weather/data/climatology.csv``) from EPW files.

A tool, not needed at runtime. It reads every ``*.epw`` in a folder with
:func:`weather.readers.read_epw` and writes one row per station and month::

    python -m weather.derive_climatology /path/to/folder/of/epw [-o weather/data/climatology.csv]

Statistics per month (all hours of the typical year):

* ``ghi_kwh_m2_day``  mean daily global horizontal irradiation [kWh/m2/day]
  = monthly sum of hourly GHI [Wh/m2] / 1000 / days in month;
* ``temp_air_c``      mean of hourly dry-bulb temperature [C];
* ``temp_range_c``    mean over the days of (daily max - daily min) of hourly temperature [C];
* ``wind_speed_m_s``  mean of hourly wind speed [m/s];
* ``weibull_k``       Weibull shape from the empirical moment formula of Justus et al. (1978),
  ``k = (sigma/mean)**-1.086``, computed only when the month has at most
  ``MAX_CALM_FRACTION`` calm hours (speed < 0.5 m/s) and at least ``MIN_DISTINCT`` distinct
  speed values; otherwise the default 2.0 (Rayleigh, HOMER's default). CSWD wind is often
  held constant over 6-hour observation blocks and reported in coarse steps, and some
  stations are dominated by calms (Lanzhou), so many months fall back to 2.0. The shape is
  clipped to [1.2, 3.5].

References
----------
Justus, C. G., Hargraves, W. R., Mikhail, A. and Graber, D. (1978). Methods for estimating
wind speed frequency distributions. J. Appl. Meteor. 17, 350-353.
"""
from __future__ import annotations

import argparse
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

SOURCE = ("China Standard Weather Data (CSWD), China Meteorological Bureau Climate "
          "Information Center and Tsinghua University, 2010; monthly statistics derived by "
          "the lingtan project")
MAX_CALM_FRACTION = 0.10
MIN_DISTINCT = 8
K_DEFAULT = 2.0
K_CLIP = (1.2, 3.5)

COLUMNS = ["city", "station_id", "latitude", "longitude", "altitude_m", "month",
           "ghi_kwh_m2_day", "temp_air_c", "temp_range_c", "wind_speed_m_s", "weibull_k"]


def weibull_k_moments(v: np.ndarray) -> float:
    """Weibull shape [-] from hourly speeds [m/s] (Justus 1978), or 2.0 if unsupported."""
    v = np.asarray(v, dtype=float)
    if v.size == 0 or np.mean(v < 0.5) > MAX_CALM_FRACTION or np.unique(v).size < MIN_DISTINCT:
        return K_DEFAULT
    cv = np.std(v) / np.mean(v)
    if not np.isfinite(cv) or cv <= 0:
        return K_DEFAULT
    return float(np.clip(cv ** -1.086, *K_CLIP))


def monthly_statistics(weather: pd.DataFrame) -> pd.DataFrame:
    """Monthly statistics (see module doc) of one canonical hourly weather year."""
    w = weather
    local_day = w.index.tz_localize(None).normalize()
    month = w.index.month
    rows = []
    for m in range(1, 13):
        sel = month == m
        wm = w[sel]
        ndays = len(np.unique(local_day[sel]))
        t = wm["temp_air"]
        daily = t.groupby(local_day[sel])
        rows.append({
            "month": m,
            "ghi_kwh_m2_day": wm["ghi"].sum() / 1000.0 / ndays,
            "temp_air_c": t.mean(),
            "temp_range_c": (daily.max() - daily.min()).mean(),
            "wind_speed_m_s": wm["wind_speed"].mean(),
            "weibull_k": weibull_k_moments(wm["wind_speed"].to_numpy()),
        })
    return pd.DataFrame(rows)


def derive(folder: str | Path) -> pd.DataFrame:
    """Climatology table for every EPW file in ``folder`` (sorted by city)."""
    from weather.readers import read_epw

    frames = []
    for path in sorted(Path(folder).glob("*.epw")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w, meta = read_epw(path, year=2025)
        city = meta["city"] or re.sub(r"\W.*", "", path.stem)
        st = monthly_statistics(w)
        st.insert(0, "altitude_m", meta["altitude_m"])
        st.insert(0, "longitude", meta["longitude"])
        st.insert(0, "latitude", meta["latitude"])
        st.insert(0, "station_id", meta["station_id"])
        st.insert(0, "city", city.lower())
        frames.append(st)
    if not frames:
        raise SystemExit(f"no *.epw files in {folder}")
    out = pd.concat(frames, ignore_index=True)[COLUMNS].sort_values(["city", "month"])
    return out.round({"ghi_kwh_m2_day": 4, "temp_air_c": 3, "temp_range_c": 3,
                      "wind_speed_m_s": 4, "weibull_k": 3})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: derive the CSV from a folder of EPW files."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="folder with CSWD *.epw files")
    ap.add_argument("-o", "--output", default=str(Path(__file__).parent / "data" /
                                                  "climatology.csv"))
    args = ap.parse_args(argv)
    table = derive(args.folder)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"# source: {SOURCE}\n")
        fh.write("# regenerate: python -m weather.derive_climatology <folder of EPW>\n")
        table.to_csv(fh, index=False)
    print(f"wrote {len(table)} rows for {table['city'].nunique()} stations to {args.output}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
