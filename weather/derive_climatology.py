"""Derive the shipped monthly climatology (``weather/data/climatology.csv``) from EPW files.

A tool, not needed at runtime. It reads every ``*.epw`` in a folder with
:func:`lingtan.weather.readers.read_epw` and writes one row per station and month::

    python -m lingtan.weather.derive_climatology /path/to/folder/of/epw [-o weather/data/climatology.csv]

Statistics per month (all hours of the typical year):

* ``ghi_kwh_m2_day``  mean daily global horizontal irradiation [kWh/m2/day]
  = monthly sum of hourly GHI [Wh/m2] / 1000 / days in month;
* ``temp_air_c``      mean of hourly dry-bulb temperature [C];
* ``temp_range_c``    mean over the days of (daily max - daily min) of hourly temperature [C];
* ``wind_speed_m_s``  mean of hourly wind speed [m/s];
* ``weibull_k``       Weibull shape of the month's hourly speeds by the method of moments
  (Justus et al. 1978): the ``k`` whose coefficient of variation
  ``sqrt(Gamma(1 + 2/k) / Gamma(1 + 1/k)**2 - 1)`` equals the sample ``std / mean`` of all
  hours of the month, calm hours (0 m/s) included. Solved exactly (Brent's method on
  ``K_BOUNDS``), not with Justus' power-law approximation ``k = (std/mean)**-1.086``, which
  holds only for 1 <= k <= 10 and overstates ``k`` at the calm CSWD stations where
  ``std/mean`` exceeds 1 (Lanzhou: more than half the hours calm, k about 0.5). The Weibull
  with this ``k`` and the month's mean has the month's mean and standard deviation, which
  is what the synthetic generator reproduces. Only a month with zero mean or zero spread
  gets the default 2.0 (Rayleigh, HOMER's default). CSWD wind is often held constant over
  6-hour observation blocks: this changes the autocorrelation, not the marginal
  distribution, so the moment estimate stays sound.

References
----------
Justus, C. G., Hargraves, W. R., Mikhail, A. and Graber, D. (1978). Methods for estimating
wind speed frequency distributions. J. Appl. Meteor. 17, 350-353 (method of moments:
``sigma / mean = [Gamma(1 + 2/k) / Gamma(1 + 1/k)^2 - 1]^(1/2)``; see also Seguro, J. V. and
Lambert, T. W. (2000), Modern estimation of the parameters of the Weibull wind speed
distribution for wind energy analysis, J. Wind Eng. Ind. Aerodyn. 85, 75-84).
"""

from __future__ import annotations

import argparse
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

SOURCE = (
    "China Standard Weather Data (CSWD), China Meteorological Bureau Climate "
    "Information Center and Tsinghua University, 2010; monthly statistics derived by "
    "the lingtan project"
)
K_DEFAULT = 2.0
K_BOUNDS = (0.2, 20.0)
"""Search interval of the moment solver [-]: coefficients of variation 15.8 .. 0.06,
wider than any hourly wind record; a sample outside it gets the nearer bound."""

COLUMNS = [
    "city",
    "station_id",
    "latitude",
    "longitude",
    "altitude_m",
    "month",
    "ghi_kwh_m2_day",
    "temp_air_c",
    "temp_range_c",
    "wind_speed_m_s",
    "weibull_k",
]


def weibull_cv(k):
    """Coefficient of variation ``std / mean`` of a Weibull distribution of shape ``k`` [-].

    Parameters
    ----------
    k : float or array_like
        Weibull shape [-].

    Returns
    -------
    float or ndarray
        ``sqrt(Gamma(1 + 2/k) / Gamma(1 + 1/k)**2 - 1)`` [-] (Justus 1978).
    """
    from scipy.special import gammaln

    k = np.asarray(k, dtype=float)
    return np.sqrt(np.expm1(gammaln(1 + 2 / k) - 2 * gammaln(1 + 1 / k)))


def weibull_k_moments(v: np.ndarray) -> float:
    """Weibull shape [-] with the sample's ``std / mean`` (method of moments, Justus 1978).

    ``v`` are hourly speeds [m/s], calms included. Returns 2.0 for an empty sample or one
    with zero mean or zero spread.

    Parameters
    ----------
    v : ndarray
        Hourly wind speeds [m/s].

    Returns
    -------
    float
        The shape ``k`` [-].
    """
    from scipy.optimize import brentq

    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return K_DEFAULT
    mean, std = float(np.mean(v)), float(np.std(v))
    if mean <= 0 or std <= 0:
        return K_DEFAULT
    cv = std / mean
    lo, hi = K_BOUNDS
    f = lambda k: float(weibull_cv(k)) - cv  # noqa: E731  (decreasing in k)
    if f(lo) <= 0:
        return lo
    if f(hi) >= 0:
        return hi
    return float(brentq(f, lo, hi, xtol=1e-6))


def monthly_statistics(weather: pd.DataFrame) -> pd.DataFrame:
    """Monthly statistics (see module doc) of one canonical hourly weather year.

    Parameters
    ----------
    weather : DataFrame
        Canonical hourly weather (:mod:`lingtan.weather.readers`).

    Returns
    -------
    DataFrame
        One row per month: the columns of :data:`COLUMNS` after the station's.
    """
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
        rows.append(
            {
                "month": m,
                "ghi_kwh_m2_day": wm["ghi"].sum() / 1000.0 / ndays,
                "temp_air_c": t.mean(),
                "temp_range_c": (daily.max() - daily.min()).mean(),
                "wind_speed_m_s": wm["wind_speed"].mean(),
                "weibull_k": weibull_k_moments(wm["wind_speed"].to_numpy()),
            }
        )
    return pd.DataFrame(rows)


def derive(folder: str | Path) -> pd.DataFrame:
    """Climatology table for every EPW file in ``folder`` (sorted by city).

    Parameters
    ----------
    folder : path
        Folder of CSWD ``*.epw`` files.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, twelve rows per station.
    """
    from lingtan.weather.readers import read_epw

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
    return out.round({"ghi_kwh_m2_day": 4, "temp_air_c": 3, "temp_range_c": 3, "wind_speed_m_s": 4, "weibull_k": 3})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: derive the CSV from a folder of EPW files.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``): the folder and ``-o OUTPUT``.

    Returns
    -------
    int
        Exit code 0.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="folder with CSWD *.epw files")
    ap.add_argument("-o", "--output", default=str(Path(__file__).parent / "data" / "climatology.csv"))
    args = ap.parse_args(argv)
    table = derive(args.folder)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"# source: {SOURCE}\n")
        fh.write("# regenerate: python -m lingtan.weather.derive_climatology <folder of EPW>\n")
        table.to_csv(fh, index=False)
    print(f"wrote {len(table)} rows for {table['city'].nunique()} stations to {args.output}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
