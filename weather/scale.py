"""The resource level of a weather year: scaling it to a site assessment, and long-term references.

A site's own long-term assessment (a bankable yield study, a nearby station's record) often knows the
annual irradiation or mean wind speed better than any typical-year file or climatology. As HOMER's
"scaled annual average" and PVsyst's monthly meteo correction do, one factor per resource brings the
year to the stated annual value and keeps its hour-to-hour shape:

* **Irradiance**: GHI, DNI and DHI are multiplied by one factor ``k = target / annual GHI``. The
  components satisfy ``GHI = DNI cos(zenith) + DHI`` hour by hour (as far as the source's closure goes);
  multiplying all three by the same ``k`` keeps that identity, and the year's component closure, exactly,
  so transposition to a tilted plane sees the same beam and diffuse shares. Scaling GHI alone would break
  it, and PV from DNI/DHI would not follow the stated GHI.
* **Wind**: the speed is multiplied by ``k = target / annual mean``, which keeps the shape of its
  distribution (the Weibull shape parameter) and its diurnal pattern.

The long-term reference of each shipped city (:func:`longterm_ghi`) is a second published source, not the
CSWD files the climatology comes from (``weather/data/longterm_ghi.csv``, sources in
``weather/data/README.md``), to compare a chosen weather year with.

References
----------
.. [1] HOMER Energy. HOMER Pro user manual: "Scaled annual average" of the solar and wind resources.
.. [2] PVsyst SA. PVsyst help: "Meteo data: monthly correction" (scaling of the hourly irradiance to
   monthly values of another source).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["scale_resource", "scale_by", "LongTermGhi", "longterm_ghi", "LONGTERM_GHI_CSV"]

LONGTERM_GHI_CSV = Path(__file__).with_name("data") / "longterm_ghi.csv"
"""Long-term annual GHI of the shipped cities from a second source, one row per city."""

_IRRADIANCE = ("ghi", "dni", "dhi")


def scale_resource(
    weather: pd.DataFrame, *, ghi_kwh_m2_yr: float | None = None, wind_mean_m_s: float | None = None
) -> tuple[pd.DataFrame, dict]:
    """A weather year with its annual GHI and mean wind speed brought to stated values.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather year with pvlib columns ``ghi``, ``dni``, ``dhi`` [W/m2] and ``wind_speed`` [m/s].
    ghi_kwh_m2_yr : float, optional
        Annual global horizontal irradiation wanted [kWh/m2]; None leaves the irradiance alone.
    wind_mean_m_s : float, optional
        Annual mean wind speed wanted [m/s]; None leaves the wind alone.

    Returns
    -------
    weather : pandas.DataFrame
        A scaled copy.
    record : dict
        For each resource scaled, the factor and the values before and after: ``ghi_scale_factor``,
        ``ghi_before_kwh_m2_yr``, ``ghi_after_kwh_m2_yr``, ``wind_scale_factor``, ``wind_mean_before_m_s``,
        ``wind_mean_after_m_s``.

    Raises
    ------
    ValueError
        When a resource to scale is zero all year (no factor can bring it to a positive value).
    """
    ghi_before = wind_before = None
    if ghi_kwh_m2_yr is not None:
        # A step's mean [W/m2] times its length [h]: hourly, or a 15-minute file read as it is.
        step_h = (weather.index[1] - weather.index[0]).total_seconds() / 3600.0 if len(weather) > 1 else 1.0
        ghi_before = float(weather["ghi"].sum()) * step_h / 1000.0
        if not ghi_before > 0:
            raise ValueError(f"annual GHI of the weather year is {ghi_before:g} kWh/m2: nothing to scale")
    if wind_mean_m_s is not None:
        wind_before = float(np.mean(weather["wind_speed"].to_numpy(dtype=float)))
        if not wind_before > 0:
            raise ValueError(f"annual mean wind speed of the weather year is {wind_before:g} m/s: nothing to scale")
    ghi_k = None if ghi_before is None else ghi_kwh_m2_yr / ghi_before
    wind_k = None if wind_before is None else wind_mean_m_s / wind_before
    out = scale_by(weather, ghi_k, wind_k)
    record: dict = {}
    if ghi_k is not None:
        record.update(
            ghi_scale_factor=ghi_k,
            ghi_before_kwh_m2_yr=ghi_before,
            ghi_after_kwh_m2_yr=float(out["ghi"].sum()) * step_h / 1000.0,
        )
    if wind_k is not None:
        record.update(
            wind_scale_factor=wind_k,
            wind_mean_before_m_s=wind_before,
            wind_mean_after_m_s=float(out["wind_speed"].mean()),
        )
    return out, record


def scale_by(weather: pd.DataFrame, ghi_factor: float | None = None, wind_factor: float | None = None) -> pd.DataFrame:
    """A weather year with GHI, DNI and DHI multiplied by one factor and the wind speed by another.

    :func:`scale_resource` finds the factors that bring a year to stated annual values; a weather-year ensemble
    applies the factors of its typical year to every member, so the members keep their spread around the
    scaled typical year (scaling each member to the stated values would erase it).

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather year with pvlib columns ``ghi``, ``dni``, ``dhi`` [W/m2] and ``wind_speed`` [m/s].
    ghi_factor : float, optional
        Factor on the three irradiance components [-]; None leaves them alone.
    wind_factor : float, optional
        Factor on the wind speed [-]; None leaves it alone.

    Returns
    -------
    pandas.DataFrame
        A scaled copy.
    """
    out = weather.copy()
    if ghi_factor is not None:
        for col in _IRRADIANCE:
            out[col] = weather[col].to_numpy(dtype=float) * ghi_factor
    if wind_factor is not None:
        out["wind_speed"] = weather["wind_speed"].to_numpy(dtype=float) * wind_factor
    return out


@dataclass(frozen=True)
class LongTermGhi:
    """A city's long-term annual global horizontal irradiation from a published source.

    Attributes
    ----------
    city : str
        Lower-case shipped city name.
    latitude, longitude : float
        The point the source was read at [deg].
    ghi_kwh_m2_yr : float or None
        Long-term annual GHI [kWh/m2]; None when no source was found (``note`` says so).
    source : str
        Short name of the source and its period.
    note : str
        Why a value is missing, or an empty string.
    """

    city: str
    latitude: float
    longitude: float
    ghi_kwh_m2_yr: float | None
    source: str
    note: str = ""


@cache
def longterm_ghi() -> dict[str, LongTermGhi]:
    """The shipped long-term annual GHI of each city, from ``weather/data/longterm_ghi.csv``.

    Returns
    -------
    dict of str to LongTermGhi
        By lower-case city name (the names of :func:`lingtan.weather.cities`).
    """
    with LONGTERM_GHI_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return {
        r["city"]: LongTermGhi(
            city=r["city"],
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            ghi_kwh_m2_yr=float(r["ghi_kwh_m2_yr"]) if r["ghi_kwh_m2_yr"] else None,
            source=r["source"],
            note=r.get("note") or "",
        )
        for r in rows
    }
