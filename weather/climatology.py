"""Monthly climatology: the shipped CSWD stations and user-given monthly values.

The shipped table ``weather/data/climatology.csv`` holds monthly statistics derived from the
China Standard Weather Data (CSWD) typical-year files by ``weather/derive_climatology.py``
(source and method in ``weather/data/README.md``). CSWD is the station-based reference;
satellite/reanalysis products (MERRA-2) give 13-46 % more GHI for these cells, so the
station values are the default.

References
----------
.. [1] China Meteorological Bureau Climate Information Center and Tsinghua University
   (2010). China Standard Weather Data for Analyzing Building Thermal Conditions.
.. [2] Duffie, J. A. and Beckman, W. A. (2013). Solar Engineering of Thermal Processes,
   4th ed., Wiley: Eq. 1.10.3 (daily extraterrestrial irradiation on a horizontal plane).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from lingtan.errors import InputError

__all__ = [
    "MonthlyClimate",
    "city_climate",
    "cities",
    "CLIMATOLOGY_CSV",
    "CSWD_SOURCE",
    "DEFAULT_TEMP_RANGE_C",
    "DEFAULT_WIND_SPEED_M_S",
    "DEFAULT_WEIBULL_K",
    "monthly_extraterrestrial_kwh_m2_day",
]

CLIMATOLOGY_CSV = Path(__file__).parent / "data" / "climatology.csv"
CSWD_SOURCE = (
    "China Standard Weather Data (CSWD), China Meteorological Bureau Climate "
    "Information Center and Tsinghua University, 2010; monthly statistics derived "
    "by the lingtan project"
)

#: Defaults of :meth:`MonthlyClimate.from_monthly` when the user gives no value.
DEFAULT_TEMP_RANGE_C = 8.0  # typical daily range of humid-subtropical China (CSWD 5-9 C)
DEFAULT_WIND_SPEED_M_S = 2.5  # order of the CSWD station means (0.8-3.3 m/s)
DEFAULT_WEIBULL_K = 2.0  # Rayleigh; HOMER's default shape

_MID_MONTH_DOY = (17, 47, 75, 105, 135, 162, 198, 228, 258, 288, 318, 344)  # Klein (1977)
_MAX_MONTHLY_KT = 0.85


def monthly_extraterrestrial_kwh_m2_day(latitude: float) -> np.ndarray:
    """Daily extraterrestrial irradiation on a horizontal plane on each month's mean day.

    Duffie & Beckman (2013) Eq. 1.10.3 with Cooper's declination, evaluated on Klein's
    (1977) recommended average day of each month.

    Parameters
    ----------
    latitude : float
        [deg]

    Returns
    -------
    numpy.ndarray
        12 values [kWh/m2/day].
    """
    n = np.asarray(_MID_MONTH_DOY, dtype=float)
    phi = math.radians(latitude)
    delta = np.radians(23.45 * np.sin(np.radians(360.0 * (284.0 + n) / 365.0)))
    x = np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0)
    ws = np.arccos(x)
    gon = 1367.0 * (1.0 + 0.033 * np.cos(np.radians(360.0 * n / 365.0)))
    h0 = 24.0 / math.pi * gon * (math.cos(phi) * np.cos(delta) * np.sin(ws) + ws * math.sin(phi) * np.sin(delta))
    return np.clip(h0, 0.0, None) / 1000.0


def _tuple12(name: str, values: Iterable[Any], lo: float, hi: float, where: str | None) -> tuple[float, ...]:
    try:
        vals = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise InputError(where, name, "12 monthly numbers", repr(values)) from None
    if len(vals) != 12:
        raise InputError(where, name, "12 monthly values (Jan..Dec)", f"{len(vals)} values")
    for i, v in enumerate(vals):
        if not (math.isfinite(v) and lo <= v <= hi):
            raise InputError(where, f"{name}[{i}]", f"a value in [{lo:g}, {hi:g}]", f"{v!r}")
    return vals


@dataclass(frozen=True)
class MonthlyClimate:
    """Monthly climate of a site: the input of :func:`lingtan.weather.synthetic.synthetic_year`.

    Attributes
    ----------
    name : str
        Site or station name.
    latitude, longitude : float
        [deg], north and east positive.
    altitude_m : float
        [m]
    ghi_kwh_m2_day : tuple of 12 float
        Mean daily global horizontal irradiation per month [kWh/m2/day], 0..12, with a
        monthly clearness index (GHI / extraterrestrial) of at most 0.85.
    temp_air_c : tuple of 12 float
        Mean air temperature per month [C], -60..50.
    temp_range_c : tuple of 12 float
        Mean daily temperature range (max - min) per month [C], 0..40.
    wind_speed_m_s : tuple of 12 float
        Mean wind speed per month [m/s], 0..40.
    weibull_k : tuple of 12 float
        Weibull shape of hourly wind per month [-], 0.2..20 (the search interval of the
        moment estimator in :mod:`lingtan.weather.derive_climatology`; calm sites have k < 1).
    source : str
        Where the numbers come from.
    station_id : str
        Station id, if any.
    """

    name: str
    latitude: float
    longitude: float
    altitude_m: float
    ghi_kwh_m2_day: tuple[float, ...]
    temp_air_c: tuple[float, ...]
    temp_range_c: tuple[float, ...]
    wind_speed_m_s: tuple[float, ...]
    weibull_k: tuple[float, ...]
    source: str = "user input"
    station_id: str = ""
    _where: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        w = self._where
        lo: float
        hi: float
        for attr, lo, hi in (("latitude", -90, 90), ("longitude", -180, 180), ("altitude_m", -500, 9000)):
            v = getattr(self, attr)
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise InputError(w, attr, "a number", repr(v)) from None
            if not (math.isfinite(v) and lo <= v <= hi):
                raise InputError(w, attr, f"a value in [{lo}, {hi}]", repr(v))
            object.__setattr__(self, attr, v)
        for attr, lo, hi in (
            ("ghi_kwh_m2_day", 0.0, 12.0),
            ("temp_air_c", -60.0, 50.0),
            ("temp_range_c", 0.0, 40.0),
            ("wind_speed_m_s", 0.0, 40.0),
            ("weibull_k", 0.2, 20.0),
        ):
            object.__setattr__(self, attr, _tuple12(attr, getattr(self, attr), lo, hi, w))
        h0 = monthly_extraterrestrial_kwh_m2_day(self.latitude)
        for i, (g, e) in enumerate(zip(self.ghi_kwh_m2_day, h0, strict=True)):
            if e < 0.2:
                continue  # polar night: nothing to check
            if g / e > _MAX_MONTHLY_KT:
                raise InputError(
                    w,
                    f"ghi_kwh_m2_day[{i}]",
                    f"at most {_MAX_MONTHLY_KT} x the extraterrestrial "
                    f"{e:.2f} kWh/m2/day at latitude {self.latitude:g}",
                    f"{g:g} (clearness {g / e:.2f})",
                )

    @property
    def annual_ghi_kwh_m2(self) -> float:
        """Annual GHI of a 365-day year.

        Returns
        -------
        float
            Sum over the months of the mean daily GHI times the days [kWh/m2].
        """
        days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
        return float(sum(g * d for g, d in zip(self.ghi_kwh_m2_day, days, strict=True)))

    @classmethod
    def from_monthly(
        cls,
        ghi_kwh_m2_day: Sequence[float],
        temp_air_c: Sequence[float],
        *,
        latitude: float,
        longitude: float,
        altitude_m: float = 0.0,
        temp_range_c: float | Sequence[float] | None = None,
        wind_speed_m_s: float | Sequence[float] | None = None,
        weibull_k: float | Sequence[float] | None = None,
        name: str = "site",
        source: str = "user input",
    ) -> MonthlyClimate:
        """Climate of any site from 12 monthly values given by the user.

        Parameters
        ----------
        ghi_kwh_m2_day : sequence of 12 float
            Mean daily GHI per month [kWh/m2/day].
        temp_air_c : sequence of 12 float
            Mean air temperature per month [C].
        latitude, longitude : float
            [deg]
        altitude_m : float
            [m], default 0.
        temp_range_c : float or sequence of 12 float, optional
            Mean daily temperature range [C]; default :data:`DEFAULT_TEMP_RANGE_C` (8 C).
        wind_speed_m_s : float or sequence of 12 float, optional
            Mean wind speed [m/s]; default :data:`DEFAULT_WIND_SPEED_M_S` (2.5 m/s).
        weibull_k : float or sequence of 12 float, optional
            Weibull shape [-]; default :data:`DEFAULT_WEIBULL_K` (2.0, Rayleigh).
        name, source : str
            Labels.

        Returns
        -------
        MonthlyClimate
            The validated climate.

        Raises
        ------
        lingtan.errors.InputError
            Wrong count or out-of-range values (field names the offending month).
        """

        def twelve(v: Any, default: float) -> tuple[float, ...]:
            if v is None:
                v = default
            scalar = np.isscalar(v)  # not in the if: numpy's TypeGuard would narrow v to types float() refuses
            if scalar:
                return (float(v),) * 12
            return tuple(v)

        def as_given(v: Any) -> Any:  # a scalar goes through for __post_init__ to refuse by name
            return tuple(v) if not np.isscalar(v) else v

        return cls(
            name=name,
            latitude=latitude,
            longitude=longitude,
            altitude_m=altitude_m,
            ghi_kwh_m2_day=as_given(ghi_kwh_m2_day),
            temp_air_c=as_given(temp_air_c),
            temp_range_c=twelve(temp_range_c, DEFAULT_TEMP_RANGE_C),
            wind_speed_m_s=twelve(wind_speed_m_s, DEFAULT_WIND_SPEED_M_S),
            weibull_k=twelve(weibull_k, DEFAULT_WEIBULL_K),
            source=source,
        )


@lru_cache(maxsize=1)
def _table() -> dict[str, MonthlyClimate]:
    import pandas as pd

    df = pd.read_csv(CLIMATOLOGY_CSV, comment="#", dtype={"station_id": str})
    out = {}
    for city, g in df.groupby("city", sort=True):
        g = g.sort_values("month")
        if list(g["month"]) != list(range(1, 13)):
            raise InputError(CLIMATOLOGY_CSV, f"city {city}", "months 1..12", str(list(g["month"])))
        first = g.iloc[0]
        out[str(city)] = MonthlyClimate(
            name=str(city),
            latitude=float(first["latitude"]),
            longitude=float(first["longitude"]),
            altitude_m=float(first["altitude_m"]),
            ghi_kwh_m2_day=tuple(g["ghi_kwh_m2_day"]),
            temp_air_c=tuple(g["temp_air_c"]),
            temp_range_c=tuple(g["temp_range_c"]),
            wind_speed_m_s=tuple(g["wind_speed_m_s"]),
            weibull_k=tuple(g["weibull_k"]),
            source=CSWD_SOURCE,
            station_id=str(first["station_id"]),
            _where=str(CLIMATOLOGY_CSV),
        )
    return out


def cities() -> list[str]:
    """Names of the stations in the shipped climatology.

    Returns
    -------
    list of str
        Lower-case city names, sorted.
    """
    return sorted(_table())


def city_climate(name: str) -> MonthlyClimate:
    """Shipped monthly climate of a CSWD station, by name (case-insensitive).

    Parameters
    ----------
    name : str
        A city of :func:`cities`, any case, surrounding spaces ignored.

    Returns
    -------
    MonthlyClimate
        The station's monthly climate.

    Raises
    ------
    lingtan.errors.InputError
        Unknown city; the message lists the known ones.
    """
    key = str(name).strip().lower()
    table = _table()
    if key not in table:
        raise InputError(None, "weather.city", f"one of {', '.join(sorted(table))}", repr(name))
    return table[key]
