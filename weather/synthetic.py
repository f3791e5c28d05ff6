"""Synthetic typical weather year from a monthly climatology.

:func:`synthetic_year` turns a :class:`lingtan.weather.climatology.MonthlyClimate` (12 monthly values
of GHI, temperature, daily temperature range, wind speed and Weibull shape) into an hourly
8760-row year with pvlib column names. Every random number comes from one seeded
``numpy.random.Generator`` drawn in a fixed order, so a (climate, year, seed) triple always
gives the same frame.

Model chain (each step documented in :func:`synthetic_year`):

1. daily clearness index ``Kt``: a Graham, Hollands & Unny (1988)-type first-order
   autoregressive Gaussian process mapped through the Bendt, Collares-Pereira & Rabl (1981)
   distribution of daily ``Kt`` for the month's mean clearness; each month is then rescaled
   so that its GHI total equals the climatology exactly;
2. hourly clearness within the day: Collares-Pereira & Rabl (1979) mean daily shape plus a
   Gaussian AR(1) deviation with lag-1 correlation 0.54 (Graham & Hollands 1990), noise
   amplitude of the form of the TAG model (Aguiar & Collares-Pereira 1992), clipped to
   physical bounds and renormalised to the day's total;
3. beam/diffuse split with :func:`pvlib.irradiance.erbs` (solar position at mid-interval);
4. temperature: daily mean (monthly means interpolated between mid-months + AR(1) anomaly)
   plus a cosine diurnal cycle of the daily range (maximum at 15:00);
5. wind: HOMER's method (Gaussian AR(1), diurnal sinusoid, normal CDF -> Weibull);
6. pressure from altitude (:func:`pvlib.atmosphere.alt2pres`), constant relative humidity.

References
----------
.. [1] Aguiar, R. and Collares-Pereira, M. (1992). TAG: a time-dependent, autoregressive,
   Gaussian model for generating synthetic hourly radiation. Solar Energy 49(3), 167-174.
.. [2] Graham, V. A. and Hollands, K. G. T. (1990). A method to generate synthetic hourly
   solar radiation globally. Solar Energy 44(6), 333-341.
.. [3] Graham, V. A., Hollands, K. G. T. and Unny, T. E. (1988). A time series model for
   Kt with application to global synthetic weather generation. Solar Energy 40(2), 83-92.
.. [4] Bendt, P., Collares-Pereira, M. and Rabl, A. (1981). The frequency distribution of
   daily insolation values. Solar Energy 27(1), 1-5 (also Duffie & Beckman 2013, Sec. 2.10).
.. [5] Collares-Pereira, M. and Rabl, A. (1979). The average distribution of solar
   radiation - correlations between diffuse and hemispherical and between daily and hourly
   insolation values. Solar Energy 22, 155-164 (Duffie & Beckman 2013, Eq. 2.13.2).
.. [6] Erbs, D. G., Klein, S. A. and Duffie, J. A. (1982). Solar Energy 28(4), 293-302.
.. [7] HOMER Pro user manual, "Synthetic wind speed data" (Lambert, T., Gilman, P. and
   Lilienthal, P., HOMER Energy). Wind parameters: 1-hour autocorrelation 0.85, diurnal
   pattern strength 0.25, hour of peak wind speed 15.
.. [8] Stevens, M. J. M. and Smulders, P. T. (1979). The estimation of the parameters of
   the Weibull wind speed distribution for wind energy utilization purposes. Wind
   Engineering 3(2), 132-145. Brett, A. C. and Tuller, S. E. (1991). J. Appl. Meteor.
   30, 823-833.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from numba import njit

from .climatology import MonthlyClimate

__all__ = [
    "synthetic_year",
    "year_geometry",
    "bendt_kt_inverse_cdf",
    "SOLAR_DEFAULTS",
    "TEMP_DEFAULTS",
    "WIND_DEFAULTS",
]

#: Solar model defaults (see :func:`synthetic_year`).
SOLAR_DEFAULTS = {
    "daily_kt_lag1": 0.3,  # lag-1 autocorrelation of the Gaussian daily process [-]
    "hourly_kt_lag1": 0.54,  # Graham & Hollands (1990) hourly lag-1 correlation [-]
    "hourly_kt_sigma_max": 0.14,  # TAG-form amplitude A(Kt)=0.14*exp(-20*(Kt-0.35)**2) [-]
    "hourly_kt_max": 0.85,  # upper bound of hourly clearness index [-]
    "daily_kt_min": 0.03,  # bounds of daily clearness index [-]
}
#: Temperature model defaults.
TEMP_DEFAULTS = {
    "daily_mean_lag1": 0.7,  # day-to-day AR(1) coefficient of the daily-mean anomaly [-]
    "daily_mean_sigma_c": 2.0,  # stationary std of the daily-mean anomaly [C]
    "peak_hour": 15.0,  # hour of the daily maximum, local standard time [h]
}
#: Wind model defaults (HOMER).
WIND_DEFAULTS = {
    "autocorrelation": 0.85,  # 1-hour autocorrelation of the Gaussian process [-]
    "diurnal_strength": 0.25,  # relative amplitude of the daily cycle [-]
    "peak_hour": 15.0,  # hour of peak wind speed, local standard time [h]
}
DEFAULT_RELATIVE_HUMIDITY = 70.0  # [%], constant: no humidity model


# ----------------------------------------------------------------------- daily Kt
def _bendt_kmax(kt_mean: float) -> float:
    """Bendt et al. (1981) maximum daily clearness for a monthly mean ``kt_mean``."""
    return 0.6313 + 0.267 * kt_mean - 11.9 * (kt_mean - 0.75) ** 8


def _bendt_mean(gamma: float, kmin: float, kmax: float) -> float:
    if abs(gamma) < 1e-6:
        return 0.5 * (kmin + kmax)
    a, b = math.exp(gamma * kmin), math.exp(gamma * kmax)
    return ((kmin - 1 / gamma) * a - (kmax - 1 / gamma) * b) / (a - b)


def bendt_kt_inverse_cdf(u: np.ndarray, kt_mean: float, kmin: float = 0.05) -> np.ndarray:
    """Daily clearness index with cumulative probability ``u`` (Bendt et al. 1981).

    The distribution is :math:`F(K) = (e^{\\gamma K_{min}} - e^{\\gamma K}) /
    (e^{\\gamma K_{min}} - e^{\\gamma K_{max}})` on ``[K_min, K_max]`` with
    ``K_min = 0.05``, ``K_max = 0.6313 + 0.267 Kbar - 11.9 (Kbar - 0.75)^8`` and ``gamma``
    solved so that the mean equals ``Kbar`` (Duffie & Beckman 2013, Sec. 2.10).

    Parameters
    ----------
    u : numpy.ndarray
        Probabilities in (0, 1).
    kt_mean : float
        Monthly mean clearness index [-].
    kmin : float
        Lower bound [-].

    Returns
    -------
    numpy.ndarray
        Daily clearness indices [-].
    """
    from scipy.optimize import brentq

    kmax = _bendt_kmax(kt_mean)
    kbar = float(np.clip(kt_mean, kmin + 0.005, kmax - 0.005))
    f = lambda g: _bendt_mean(g, kmin, kmax) - kbar  # noqa: E731
    lo, hi = -200.0, 200.0
    gamma = brentq(f, lo, hi) if f(lo) * f(hi) < 0 else (hi if f(hi) < 0 else lo)
    u = np.clip(np.asarray(u, dtype=float), 1e-9, 1 - 1e-9)
    if abs(gamma) < 1e-6:
        return kmin + u * (kmax - kmin)
    # k = ln(e^{g kmin} - u (e^{g kmin} - e^{g kmax})) / g, in a numerically stable form
    a = gamma * kmin
    b = gamma * kmax
    m = max(a, b)
    val = np.exp(a - m) - u * (np.exp(a - m) - np.exp(b - m))
    return (np.log(val) + m) / gamma


def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary unit-variance Gaussian AR(1) series of length ``n``."""
    eps = rng.standard_normal(n)
    eps[1:] *= math.sqrt(1.0 - phi * phi)
    return _ar1_recursion(eps, float(phi))


@njit(cache=True, error_model="numpy")
def _ar1_recursion(eps: np.ndarray, phi: float) -> np.ndarray:
    """``x[t] = phi * x[t-1] + eps[t]`` from ``x[0] = eps[0]``, compiled (a Python loop over a year's hours
    cost a tenth of a synthetic year; importing scipy.signal for it, 0.5 s). Numba keeps IEEE order without
    fused multiply-add, so the series is bit-identical to the Python loop it replaced."""
    out = eps.copy()
    for t in range(1, out.shape[0]):
        out[t] += phi * out[t - 1]
    return out


@njit(cache=True, error_model="numpy")
def numpy_sum(a: np.ndarray) -> float:
    """``a.sum()`` of a contiguous float64 vector to the bit, compiled: numpy's pairwise summation (blocks of at
    most 128 added in eight interleaved partial sums, halves split at multiples of eight, shorter than eight in
    order). ``tests/weather/test_weather_synthetic.py`` holds it equal to ``numpy.sum`` for every length up to 2000.

    Parameters
    ----------
    a : numpy.ndarray
        Contiguous float64 vector [any unit].

    Returns
    -------
    float
        Its sum, in numpy's order [the unit of ``a``].
    """
    n = a.shape[0]
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    if n <= 128:
        r = a[:8].copy()
        i = 8
        while i < n - (n % 8):
            for j in range(8):
                r[j] += a[i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            res += a[i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return numpy_sum(a[:n2]) + numpy_sum(a[n2:])


@njit(cache=True, error_model="numpy")
def _bounded_rescale(values: np.ndarray, caps: np.ndarray, target: float, n_iter: int = 20) -> np.ndarray:
    """Scale non-negative ``values`` to sum to ``target`` without exceeding ``caps``.

    Repeated proportional scaling of the unclipped entries; exact unless the caps
    cannot hold the target (then every entry ends at its cap). Compiled (called once per day and month, its numpy
    form spent a fifth of a synthetic year in call overhead), with numpy's sums and numpy's
    ``maximum``/``minimum`` (NaN kept), so the numbers are those of the numpy form to the bit.
    """
    v = np.empty(values.shape[0])
    for i in range(v.shape[0]):
        x = values[i] if (values[i] >= 0.0 or values[i] != values[i]) else 0.0
        v[i] = x if (x <= caps[i] or x != x) else caps[i]
    for _ in range(n_iter):
        s = numpy_sum(v)
        if s <= 0 or abs(s - target) <= 1e-9 * max(target, 1.0):
            break
        if target < s:
            v = v * (target / s)  # scaling down never breaks a cap
            break
        free = v < caps * (1 - 1e-12)
        free_sum = numpy_sum(v[free])
        if free_sum <= 0:
            break
        k = (target - (s - free_sum)) / free_sum
        for i in range(v.shape[0]):
            if free[i]:
                x = v[i] * k
                v[i] = x if (x <= caps[i] or x != x) else caps[i]
    return v


# ----------------------------------------------------------------------- main
def synthetic_year(
    climate: MonthlyClimate,
    *,
    year: int,
    tz: str = "Asia/Shanghai",
    seed: int = 0,
    latitude: float | None = None,
    longitude: float | None = None,
    altitude_m: float | None = None,
    solar: dict | None = None,
    temperature: dict | None = None,
    wind: dict | None = None,
    relative_humidity: float = DEFAULT_RELATIVE_HUMIDITY,
) -> pd.DataFrame:
    """Generate an hourly weather year from a monthly climatology.

    Parameters
    ----------
    climate : MonthlyClimate
        Monthly values: GHI [kWh/m2/day], temperature [C], daily range [C], wind [m/s],
        Weibull shape [-].
    year : int
        Calendar year of the index. In a leap year Feb 29 is skipped (8760 rows, the index
        jumps from Feb 28 23:00 to Mar 1 00:00), as in :mod:`lingtan.weather.readers`.
    tz : str
        Time zone of the index (IANA). The hours are laid out in the zone's local
        *standard* time and converted to ``tz``.
    seed : int
        Seed of the ``numpy.random.Generator``; same inputs and seed give identical frames.
    latitude, longitude, altitude_m : float, optional
        Site [deg, deg, m]; default: the climate's station.
    solar, temperature, wind : dict, optional
        Overrides of :data:`SOLAR_DEFAULTS`, :data:`TEMP_DEFAULTS`, :data:`WIND_DEFAULTS`.
    relative_humidity : float
        Constant relative humidity [%] (no humidity model; default 70 %).

    Returns
    -------
    pandas.DataFrame
        Columns ``ghi, dni, dhi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s],
        ``pressure`` [Pa], ``relative_humidity`` [%], float64, 8760 rows, tz-aware
        index labelled at the interval start.

    Notes
    -----
    **Solar geometry.** Solar position and extraterrestrial irradiance
    (:func:`pvlib.irradiance.get_extra_radiation`) are taken at mid-interval; the hourly
    extraterrestrial horizontal irradiance is ``E0 = I0 * max(cos(zenith), 0)`` and its
    daily sum is ``H0``.

    **Daily clearness** [3]_ [4]_. A stationary Gaussian AR(1) series ``z_d`` (lag-1
    ``daily_kt_lag1`` = 0.3, a value of the order reported for daily Kt persistence, which
    the Markov matrices of Aguiar et al. 1988 also reproduce) is mapped through the standard
    normal CDF to ``u_d`` and through the inverse of the Bendt et al. (1981) distribution for
    the month's mean clearness ``Kbar_m = H_m / sum(H0)``. The published Aguiar et al.
    (1988) Markov matrices were not used because no copy could be verified. Each month's
    daily values are then scaled so that ``sum(Kt_d * H0_d)`` equals the climatology's
    monthly GHI, subject to ``daily_kt_min <= Kt_d <= hourly_kt_max``.

    **Hourly clearness** [2]_ [5]_. Mean shape: ``kt_h = Kt_d (a + b cos w)`` with the
    Collares-Pereira & Rabl coefficients ``a = 0.409 + 0.5016 sin(ws - 60 deg)``,
    ``b = 0.6609 - 0.4767 sin(ws - 60 deg)`` (``w`` hour angle at mid-interval, ``ws``
    sunset hour angle). Deviation: ``sigma(Kt_d) * y_h`` with ``y`` a unit Gaussian AR(1)
    of lag-1 0.54 (Graham & Hollands 1990) and ``sigma(Kt) = 0.14 exp(-20 (Kt - 0.35)^2)``,
    the amplitude form of the TAG model [1]_ without its solar-altitude factor (taken from
    secondary sources, not checked against the original paper). Hourly values are clipped
    to ``0 <= kt <= hourly_kt_max`` (0.85), hence ``ghi <= E0``, and each day is
    renormalised (bounded proportional scaling) to ``Kt_d * H0_d``.

    **Monthly totals.** Finally each month's hourly GHI is scaled, again bounded by
    ``hourly_kt_max * E0``, so that the month's total equals the climatology exactly; the
    annual GHI target is therefore met by construction up to the small effect of the clip
    (zero for all shipped stations).

    **Components.** ``dni, dhi`` from :func:`pvlib.irradiance.erbs` [6]_, with
    ``dni cos(zenith) + dhi == ghi`` in every hour.

    **Temperature.** Daily mean = monthly means linearly interpolated between mid-months
    (periodic) + an AR(1) anomaly (lag-1 0.7, std 2.0 C), then shifted month by month so
    each month's mean equals the climatology exactly. Daily range = monthly range times
    ``Kt_d / Kbar_m`` (clear days have larger ranges) clipped to [0.5, 1.5] and rescaled to
    the monthly mean range. Hourly: ``T = T_d + DR_d/2 cos(2 pi (h + 0.5 - 15)/24)``
    (maximum at 15:00, minimum at 03:00, mean exactly ``T_d``).

    **Wind** (HOMER [7]_ [8]_). ``x`` = Gaussian AR(1) with lag-1 ``autocorrelation``
    (0.85). The diurnal cycle is added in Gaussian space,
    ``z = (x + s cos(2 pi (h + 0.5 - peak)/24)) / sqrt(1 + s^2/2)`` with
    ``s = diurnal_strength / cv(k)`` (``cv`` the Weibull coefficient of variation), so the
    speed varies by about ``diurnal_strength`` of its mean over the day and ``z`` keeps
    unit variance. ``v = c (-ln(1 - Phi(z)))^(1/k)`` with ``c = v_mean / Gamma(1 + 1/k)``;
    each month is finally scaled to its mean speed exactly. ``z`` has unit variance and,
    averaged over the day, is close enough to normal that ``v`` keeps the Weibull marginal
    (coefficient of variation within 0.3 % of the Weibull value for k = 0.5..3 with the
    diurnal term). The exact monthly-mean scaling lowers the spread within a month
    slightly (about 1 % for k >= 1.2, 5 % for k = 0.5). The shipped ``weibull_k`` is the
    moment estimate of each month (:mod:`lingtan.weather.derive_climatology`), so the synthetic
    hourly wind has the station's monthly mean and standard deviation; calm sites have
    k < 1.
    """
    sp_par = {**SOLAR_DEFAULTS, **(solar or {})}
    t_par = {**TEMP_DEFAULTS, **(temperature or {})}
    w_par = {**WIND_DEFAULTS, **(wind or {})}
    lat = climate.latitude if latitude is None else float(latitude)
    lon = climate.longitude if longitude is None else float(longitude)
    alt = climate.altitude_m if altitude_m is None else float(altitude_m)
    rng = np.random.default_rng(seed)  # drawn in this order: daily Kt, hourly kt, temperature, wind

    cal, sun = year_geometry(year, tz, lat, lon, alt)
    target_month, kbar = _monthly_ghi_targets(climate, cal, sun)
    kt_day = _daily_clearness(rng, cal, sun, target_month, kbar, sp_par)
    ghi = _hourly_ghi(rng, cal, sun, kt_day, target_month, sp_par)
    from .closure import decompose

    dni, dhi = decompose(ghi, sun.zenith_deg, cal.index, model="erbs")
    temp = _air_temperature(rng, climate, cal, kt_day, kbar, t_par)
    v = _wind_speed(rng, climate, cal, w_par)
    return _weather_frame(cal, tz, alt, relative_humidity, ghi=ghi, dni=dni, dhi=dhi, temp_air=temp, wind_speed=v)


# ----------------------------------------------------------------------- steps of synthetic_year
@dataclass(frozen=True)
class _Calendar:
    """The 8760 hours of a year in local standard time, with the day and month of each."""

    index: pd.DatetimeIndex  # interval starts, fixed-offset standard time
    std_tz: object  # the fixed-offset zone of ``index``
    month: np.ndarray  # (8760,) month of each hour, 0..11
    day_of: np.ndarray  # (8760,) day of each hour, 0..364 (Feb 29 skipped)
    hour: np.ndarray  # (8760,) hour of the day [h], float
    day_month: np.ndarray  # (365,) month of each day, 0..11

    n_days = 365


@dataclass(frozen=True)
class _SolarGeometry:
    """The sun's position and extraterrestrial irradiance per hour and day, and the Collares-Pereira & Rabl
    daily-shape terms."""

    zenith_deg: np.ndarray  # (8760,) at mid-interval [deg]
    e0_w_m2: np.ndarray  # (8760,) extraterrestrial horizontal irradiance [W/m2] = [Wh/m2] in the hour
    h0_day_wh_m2: np.ndarray  # (365,) its daily sum [Wh/m2]
    cos_w: np.ndarray  # (8760,) cosine of the hour angle at mid-interval [-]
    a_cpr: np.ndarray  # (8760,) Collares-Pereira & Rabl coefficient a [-]
    b_cpr: np.ndarray  # (8760,) Collares-Pereira & Rabl coefficient b [-]


@lru_cache(maxsize=4)
def year_geometry(year: int, tz: str, latitude: float, longitude: float, altitude_m: float) -> tuple:
    """The calendar and sun of a site's year: the part of :func:`synthetic_year` every seed and climate shares.

    Kept for the process (a few recent sites): the members of a weather ensemble, a third of whose
    generation this is, compute it once. Its arrays are read-only.

    Parameters
    ----------
    year : int
        Calendar year.
    tz : str
        Time zone (IANA).
    latitude, longitude, altitude_m : float
        Site [deg, deg, m].

    Returns
    -------
    tuple of (_Calendar, _SolarGeometry)
        The hours in local standard time with their day and month, and the sun's position and
        extraterrestrial irradiance at mid-interval.
    """
    cal = _standard_time_calendar(int(year), str(tz))
    sun = _solar_geometry(cal, float(latitude), float(longitude), float(altitude_m))
    for part in (cal, sun):
        for value in vars(part).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    return cal, sun


def _standard_time_calendar(year: int, tz: str) -> _Calendar:
    """The hours of ``year`` laid out in the local standard time of ``tz``, Feb 29 skipped.

    Parameters
    ----------
    year : int
        Calendar year.
    tz : str
        Time zone (IANA) whose standard UTC offset [h] is used.

    Returns
    -------
    _Calendar
    """
    from .readers import _fixed_tz, _standard_offset_h, _target_index

    std_tz = _fixed_tz(_standard_offset_h(tz, year))
    index = _target_index(year, std_tz)
    month = np.asarray(index.month) - 1
    day_of = np.asarray(index.dayofyear) - 1
    if pd.Timestamp(year=year, month=12, day=31).is_leap_year:
        day_of = np.where(np.asarray(index.month) > 2, day_of - 1, day_of)  # 0..364
    day_month = np.array([month[day_of == d][0] for d in range(_Calendar.n_days)])
    return _Calendar(
        index=index,
        std_tz=std_tz,
        month=month,
        day_of=day_of,
        hour=np.asarray(index.hour, dtype=float),
        day_month=day_month,
    )


def _solar_geometry(cal: _Calendar, lat: float, lon: float, alt: float) -> _SolarGeometry:
    """Solar position and extraterrestrial irradiance at mid-interval, and the daily-shape terms.

    Parameters
    ----------
    cal : _Calendar
    lat, lon, alt : float
        Site latitude [deg], longitude [deg], altitude [m].

    Returns
    -------
    _SolarGeometry
    """
    from .closure import mid_interval_solar_position
    from .pvlib_lazy import lazy_pvlib

    pvlib = lazy_pvlib()  # only the sub-modules used: pvlib's __init__ imports all of them (import time)

    sol = mid_interval_solar_position(cal.index, lat, lon, alt)
    zen = sol["zenith"].to_numpy()
    cosz = np.cos(np.radians(zen))
    mid = cal.index + pd.Timedelta(minutes=30)
    i0 = np.asarray(pvlib.irradiance.get_extra_radiation(mid), dtype=float)
    e0 = i0 * np.clip(cosz, 0.0, None)  # [W/m2] = [Wh/m2] per hour
    h0_day = np.bincount(cal.day_of, weights=e0, minlength=cal.n_days)
    doy = np.asarray(mid.dayofyear, dtype=float)
    decl = np.asarray(pvlib.solarposition.declination_spencer71(doy))
    phi = math.radians(lat)
    cos_w = (cosz - math.sin(phi) * np.sin(decl)) / (math.cos(phi) * np.cos(decl))
    ws = np.arccos(np.clip(-math.tan(phi) * np.tan(decl), -1.0, 1.0))
    return _SolarGeometry(
        zenith_deg=zen,
        e0_w_m2=e0,
        h0_day_wh_m2=h0_day,
        cos_w=cos_w,
        a_cpr=0.409 + 0.5016 * np.sin(ws - math.radians(60.0)),
        b_cpr=0.6609 - 0.4767 * np.sin(ws - math.radians(60.0)),
    )


def _monthly_ghi_targets(climate: MonthlyClimate, cal: _Calendar, sun: _SolarGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Each month's GHI total from the climatology and its mean clearness index.

    Returns
    -------
    target_month : numpy.ndarray
        (12,) monthly GHI [Wh/m2].
    kbar : numpy.ndarray
        (12,) monthly mean clearness index ``H_m / sum(H0)`` [-] (0 for a month without sun).
    """
    days_in_month = np.bincount(cal.day_month, minlength=12)
    target_month = np.array(climate.ghi_kwh_m2_day) * 1000.0 * days_in_month  # [Wh/m2]
    h0_month = np.bincount(cal.day_month, weights=sun.h0_day_wh_m2, minlength=12)
    kbar = np.divide(target_month, h0_month, out=np.zeros(12), where=h0_month > 0)
    return target_month, kbar


def _daily_clearness(
    rng: np.random.Generator,
    cal: _Calendar,
    sun: _SolarGeometry,
    target_month: np.ndarray,
    kbar: np.ndarray,
    sp_par: dict,
) -> np.ndarray:
    """Daily clearness index, each month scaled to its GHI total (random draw 1: 365 normals).

    Returns
    -------
    numpy.ndarray
        (365,) daily clearness index ``Kt_d`` [-].
    """
    from scipy.special import ndtr  # the standard normal CDF without scipy.stats' 0.4 s import

    ktmax = float(sp_par["hourly_kt_max"])
    h0_day = sun.h0_day_wh_m2
    zd = _ar1(rng, cal.n_days, float(sp_par["daily_kt_lag1"]))
    ud = ndtr(zd)
    kt_day = np.zeros(cal.n_days)
    for m in range(12):
        sel = cal.day_month == m
        if kbar[m] <= 0:
            continue
        kt_day[sel] = bendt_kt_inverse_cdf(ud[sel], min(kbar[m], 0.8))
        hd = kt_day[sel] * h0_day[sel]
        caps = ktmax * h0_day[sel]
        floor = float(sp_par["daily_kt_min"]) * h0_day[sel]
        hd = _bounded_rescale(np.maximum(hd, floor), caps, target_month[m])
        kt_day[sel] = np.divide(hd, h0_day[sel], out=np.zeros(sel.sum()), where=h0_day[sel] > 0)
    return kt_day


def _hourly_ghi(
    rng: np.random.Generator,
    cal: _Calendar,
    sun: _SolarGeometry,
    kt_day: np.ndarray,
    target_month: np.ndarray,
    sp_par: dict,
) -> np.ndarray:
    """Hourly GHI from the daily clearness, mean daily shape plus AR(1) deviation (random draw 2: 8760
    normals), each day renormalised to ``Kt_d * H0_d``, then each month to the climatology.

    Returns
    -------
    numpy.ndarray
        (8760,) GHI [W/m2].
    """
    ktmax = float(sp_par["hourly_kt_max"])
    e0 = sun.e0_w_m2
    y = _ar1(rng, len(cal.index), float(sp_par["hourly_kt_lag1"]))
    ktd_h = kt_day[cal.day_of]
    sigma = float(sp_par["hourly_kt_sigma_max"]) * np.exp(-20.0 * (ktd_h - 0.35) ** 2)
    kt_mean = ktd_h * (sun.a_cpr + sun.b_cpr * np.clip(sun.cos_w, -1.0, 1.0))
    kt_h = np.clip(kt_mean + sigma * y, 0.01, ktmax)
    ghi = np.where(e0 > 0, kt_h * e0, 0.0)
    caps_h = ktmax * e0
    order = np.argsort(cal.day_of, kind="stable")
    bounds = np.searchsorted(cal.day_of[order], np.arange(cal.n_days + 1))
    for d in range(cal.n_days):
        idx = order[bounds[d] : bounds[d + 1]]
        ghi[idx] = _bounded_rescale(ghi[idx], caps_h[idx], kt_day[d] * sun.h0_day_wh_m2[d])
    for m in range(12):
        sel = cal.month == m
        ghi[sel] = _bounded_rescale(ghi[sel], caps_h[sel], target_month[m])
    return ghi


def _air_temperature(
    rng: np.random.Generator, climate: MonthlyClimate, cal: _Calendar, kt_day: np.ndarray, kbar: np.ndarray, t_par: dict
) -> np.ndarray:
    """Hourly air temperature: daily mean with an AR(1) anomaly (random draw 3: 365 normals) plus a cosine
    diurnal cycle of a daily range that grows with the day's clearness.

    Returns
    -------
    numpy.ndarray
        (8760,) air temperature [C].
    """
    nday = cal.n_days
    tm = np.array(climate.temp_air_c)
    mid_doy = np.array([15.5, 45, 74.5, 105, 135.5, 166, 196.5, 227.5, 258, 288.5, 319, 349.5])
    dd = np.arange(nday) + 0.5
    t_day = np.interp(
        dd, np.concatenate([[mid_doy[-1] - 365], mid_doy, [mid_doy[0] + 365]]), np.concatenate([[tm[-1]], tm, [tm[0]]])
    )
    t_day = t_day + float(t_par["daily_mean_sigma_c"]) * _ar1(rng, nday, float(t_par["daily_mean_lag1"]))
    for m in range(12):
        sel = cal.day_month == m
        t_day[sel] += tm[m] - t_day[sel].mean()
    rel = np.divide(kt_day, kbar[cal.day_month], out=np.ones(nday), where=kbar[cal.day_month] > 0)
    dr_day = np.array(climate.temp_range_c)[cal.day_month] * np.clip(rel, 0.5, 1.5)
    for m in range(12):
        sel = cal.day_month == m
        s = dr_day[sel].mean()
        if s > 0:
            dr_day[sel] *= climate.temp_range_c[m] / s
    return t_day[cal.day_of] + 0.5 * dr_day[cal.day_of] * np.cos(
        2 * math.pi * (cal.hour + 0.5 - float(t_par["peak_hour"])) / 24.0
    )


def _wind_speed(rng: np.random.Generator, climate: MonthlyClimate, cal: _Calendar, w_par: dict) -> np.ndarray:
    """Hourly wind speed by HOMER's method (random draw 4: 8760 normals), each month scaled to its mean.

    Returns
    -------
    numpy.ndarray
        (8760,) wind speed [m/s].
    """
    from scipy.special import gamma as gamma_fn
    from scipy.special import ndtr

    k = np.array(climate.weibull_k)[cal.month]
    vmean = np.array(climate.wind_speed_m_s)[cal.month]
    g1 = gamma_fn(1 + 1 / k)
    cv = np.sqrt(gamma_fn(1 + 2 / k) / g1**2 - 1.0)
    x = _ar1(rng, len(cal.index), float(w_par["autocorrelation"]))
    s = float(w_par["diurnal_strength"]) / cv
    z = (x + s * np.cos(2 * math.pi * (cal.hour + 0.5 - float(w_par["peak_hour"])) / 24.0)) / np.sqrt(1.0 + s * s / 2.0)
    c = vmean / g1
    v = c * (-np.log(ndtr(-z))) ** (1.0 / k)
    for m in range(12):
        sel = cal.month == m
        mv = v[sel].mean()
        if mv > 0:
            v[sel] *= climate.wind_speed_m_s[m] / mv
    return v


def _weather_frame(
    cal: _Calendar, tz: str, alt: float, relative_humidity: float, **columns: np.ndarray
) -> pd.DataFrame:
    """The year's frame: the hourly columns, pressure from altitude, constant humidity, index in ``tz``.

    Parameters
    ----------
    cal : _Calendar
    tz : str
        Time zone (IANA) of the returned index.
    alt : float
        Site altitude [m], for :func:`pvlib.atmosphere.alt2pres`.
    relative_humidity : float
        Constant relative humidity [%].
    **columns : numpy.ndarray
        ``ghi, dni, dhi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s].
    """
    import pvlib

    out = pd.DataFrame(
        {
            **columns,
            "pressure": float(pvlib.atmosphere.alt2pres(alt)),
            "relative_humidity": float(relative_humidity),
        },
        index=cal.index,
    ).astype("float64")
    if str(cal.std_tz) != str(tz):
        out.index = out.index.tz_convert(tz)
    out.index.name = "time"
    return out
