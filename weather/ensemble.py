"""Synthetic weather ensembles: many years with the site's year-to-year spread.

A typical year (:func:`lingtan.weather.synthetic.synthetic_year`) reproduces the climatology's
monthly means exactly; a real site does not see its mean every year. :func:`synthetic_members`
draws, for each member year, monthly anomalies of GHI, air temperature and wind speed from a
multivariate normal with the site's interannual spread (:class:`InterannualSpread`, per city
from ``weather/data/interannual.csv`` with its published source, see ``weather/data/README.md``),
perturbs the :class:`~lingtan.weather.climatology.MonthlyClimate` by them and generates the year
with :func:`~lingtan.weather.synthetic.synthetic_year` under a new seed (a new day-to-day sequence).

Model of one member ``j`` and month ``m``::

    (g, t, w) ~ N(0, C_m),  C_m = [[sg^2,        r sg st, 0    ],
                                   [r sg st,     st^2,    0    ],
                                   [0,           0,       sw^2 ]]
    ghi_factor       = clip(1 + g, GHI_FACTOR_FLOOR, kt cap)
    temp_air_delta_c = t
    wind_factor      = max(1 + w, WIND_FACTOR_FLOOR)

with ``sg`` the relative standard deviation of the month's GHI, ``st`` that of its mean air
temperature [K], ``sw`` the relative standard deviation of its mean wind speed and ``r`` the
GHI-temperature correlation of the month. Months are drawn independently (no lag correlation:
the sources give none) and wind is uncorrelated with GHI and temperature (no source gives the
correlation). The ``kt cap`` keeps the member's monthly clearness index at most 0.85, the bound
:class:`~lingtan.weather.climatology.MonthlyClimate` enforces.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lingtan.errors import InputError

from .climatology import _MAX_MONTHLY_KT, MonthlyClimate, cities, city_climate, monthly_extraterrestrial_kwh_m2_day

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "InterannualSpread",
    "interannual_spread",
    "default_spread",
    "synthetic_members",
    "synthetic_member",
    "member_anomalies",
    "monthly_ghi_rel_sd",
    "INTERANNUAL_CSV",
    "DEFAULT_ANNUAL_GHI_REL_SD",
    "DEFAULT_SOURCE",
    "GHI_FACTOR_FLOOR",
    "WIND_FACTOR_FLOOR",
]

INTERANNUAL_CSV = Path(__file__).parent / "data" / "interannual.csv"

#: Lowest monthly GHI factor [-]: a month keeps at least a quarter of its mean irradiation.
#: With monthly standard deviations of at most 0.25 this is 3 standard deviations below the mean
#: (clips fewer than 0.14 % of draws); it only keeps the monthly GHI and clearness positive.
GHI_FACTOR_FLOOR = 0.25
#: Lowest monthly wind factor [-]: a month keeps at least a tenth of its mean wind speed (only keeps
#: the Weibull scale positive; at the shipped spreads the floor is more than 6 standard deviations away).
WIND_FACTOR_FLOOR = 0.1
#: Default relative standard deviation of annual GHI [-]. Clean Power Research, "Improved model of solar
#: resource variability based on regional aggregation and climate zones" (cleanpower.com/resource/
#: improved-solar-resource-variability-model): "the P99 annual insolation values were found to range from -4
#: to -8% of the P50 value across the continental United States". The upper end, as PVsyst does for its
#: default ("we have established an upper estimate which is used as default value", PVsyst help, Weather
#: Data Note 4), with P99 = P50 - 2.3263 sigma for a normal distribution: sigma = 0.08 / 2.3263.
DEFAULT_ANNUAL_GHI_REL_SD = 0.08 / 2.3263
DEFAULT_SOURCE = (
    "default: annual GHI SD 8 % / 2.3263 of the mean (Clean Power Research; P99 = -8 % of P50) spread equally "
    "over independent months; temperature and wind not varied (no published figure found)"
)
#: Margin under the 0.85 monthly clearness cap of MonthlyClimate, so a capped month still validates.
_KT_CAP_MARGIN = 0.999
#: Salt mixed into the ensemble's seed so its random streams differ from the typical year's.
_ENSEMBLE_SALT = 0x15E45


@dataclass(frozen=True)
class InterannualSpread:
    """Year-to-year spread of a site's monthly climate.

    Attributes
    ----------
    name : str
        City or site name.
    ghi_rel_sd : tuple of 12 float
        Standard deviation of each month's GHI relative to its mean [-], 0..0.5.
    temp_air_sd_k : tuple of 12 float
        Standard deviation of each month's mean air temperature [K], 0..10.
    wind_rel_sd : tuple of 12 float
        Standard deviation of each month's mean wind speed relative to its mean [-], 0..0.5.
    corr_ghi_temp : tuple of 12 float
        Correlation of each month's GHI and mean temperature anomalies [-], -1..1.
    source : str
        Where the numbers come from.
    is_default : bool
        True when no figure for the site was found and the documented default is used.
    """

    name: str
    ghi_rel_sd: tuple[float, ...]
    temp_air_sd_k: tuple[float, ...]
    wind_rel_sd: tuple[float, ...]
    corr_ghi_temp: tuple[float, ...]
    source: str
    is_default: bool = False

    def __post_init__(self) -> None:
        for attr, lo, hi in (
            ("ghi_rel_sd", 0.0, 0.5),
            ("temp_air_sd_k", 0.0, 10.0),
            ("wind_rel_sd", 0.0, 0.5),
            ("corr_ghi_temp", -1.0, 1.0),
        ):
            try:
                vals = tuple(float(v) for v in getattr(self, attr))
            except (TypeError, ValueError):
                raise InputError(None, attr, "12 monthly numbers", repr(getattr(self, attr))) from None
            if len(vals) != 12:
                raise InputError(None, attr, "12 monthly values (Jan..Dec)", f"{len(vals)} values")
            for i, v in enumerate(vals):
                if not (math.isfinite(v) and lo <= v <= hi):
                    raise InputError(None, f"{attr}[{i}]", f"a value in [{lo:g}, {hi:g}]", repr(v))
            object.__setattr__(self, attr, vals)

    def annual_ghi_rel_sd(self, climate: MonthlyClimate) -> float:
        """Relative standard deviation of annual GHI that these monthly spreads give a climate.

        Months are independent, so ``var(H_year) = sum_m (w_m sg_m)^2 H_year^2`` with ``w_m`` the month's
        share of the annual GHI.

        Parameters
        ----------
        climate : MonthlyClimate
            The site's monthly GHI (for the monthly weights).

        Returns
        -------
        float
            [-], relative to the annual GHI.
        """
        w = _monthly_ghi_shares(climate)
        return float(np.sqrt(np.sum((w * np.asarray(self.ghi_rel_sd)) ** 2)))

    def covariance(self) -> np.ndarray:
        """Covariance of the monthly anomalies (relative GHI, temperature [K], relative wind).

        Returns
        -------
        numpy.ndarray
            (12, 3, 3) covariance matrices, one per month.
        """
        sg, st, sw = (np.asarray(v) for v in (self.ghi_rel_sd, self.temp_air_sd_k, self.wind_rel_sd))
        r = np.asarray(self.corr_ghi_temp)
        cov = np.zeros((12, 3, 3))
        cov[:, 0, 0] = sg * sg
        cov[:, 1, 1] = st * st
        cov[:, 2, 2] = sw * sw
        cov[:, 0, 1] = cov[:, 1, 0] = r * sg * st
        return cov


_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _monthly_ghi_shares(climate: MonthlyClimate) -> np.ndarray:
    """Each month's share of the climate's annual GHI (365-day year) [-]."""
    monthly = np.asarray(climate.ghi_kwh_m2_day) * _DAYS_IN_MONTH
    return monthly / monthly.sum()


def monthly_ghi_rel_sd(climate: MonthlyClimate, annual_rel_sd: float) -> np.ndarray:
    """The equal monthly relative SD of GHI that gives a stated annual relative SD, months independent.

    ``annual_rel_sd = sg sqrt(sum_m w_m^2)``, ``w_m`` the month's share of the annual GHI; the inverse of
    :meth:`InterannualSpread.annual_ghi_rel_sd` for 12 equal values. Used to spread a published annual
    figure over the months (``weather/data/README.md``).

    Parameters
    ----------
    climate : MonthlyClimate
        The site's monthly GHI.
    annual_rel_sd : float
        Relative standard deviation of annual GHI [-].

    Returns
    -------
    numpy.ndarray
        12 equal monthly relative standard deviations [-].
    """
    w = _monthly_ghi_shares(climate)
    return np.full(12, float(annual_rel_sd) / float(np.sqrt(np.sum(w * w))))


@lru_cache(maxsize=1)
def _table() -> dict[str, InterannualSpread]:
    import pandas as pd

    df = pd.read_csv(INTERANNUAL_CSV, comment="#")
    out = {}
    for city, g in df.groupby("city", sort=True):
        g = g.sort_values("month")
        if list(g["month"]) != list(range(1, 13)):
            raise InputError(INTERANNUAL_CSV, f"city {city}", "months 1..12", str(list(g["month"])))
        sources = g["source"].unique()
        if len(sources) != 1:
            raise InputError(INTERANNUAL_CSV, f"city {city}.source", "one source per city", f"{len(sources)}")
        out[str(city)] = InterannualSpread(
            name=str(city),
            ghi_rel_sd=tuple(g["ghi_rel_sd"]),
            temp_air_sd_k=tuple(g["temp_air_sd_k"]),
            wind_rel_sd=tuple(g["wind_rel_sd"]),
            corr_ghi_temp=tuple(g["corr_ghi_temp"]),
            source=str(sources[0]),
            is_default=str(sources[0]).startswith("default"),
        )
    return out


def default_spread(climate: MonthlyClimate) -> InterannualSpread:
    """The documented default spread of a climate, for a site without a published figure.

    Annual GHI varies by :data:`DEFAULT_ANNUAL_GHI_REL_SD`, spread equally over independent months
    (:func:`monthly_ghi_rel_sd`); temperature and wind are not varied (no published figure was found).

    Parameters
    ----------
    climate : MonthlyClimate
        The site's monthly GHI (for the monthly weights).

    Returns
    -------
    InterannualSpread
        With ``is_default`` True.
    """
    return InterannualSpread(
        name=climate.name,
        ghi_rel_sd=tuple(monthly_ghi_rel_sd(climate, DEFAULT_ANNUAL_GHI_REL_SD)),
        temp_air_sd_k=(0.0,) * 12,
        wind_rel_sd=(0.0,) * 12,
        corr_ghi_temp=(0.0,) * 12,
        source=DEFAULT_SOURCE,
        is_default=True,
    )


def interannual_spread(city: str) -> InterannualSpread:
    """Shipped interannual spread of a city of the climatology (case-insensitive).

    Parameters
    ----------
    city : str
        A city of :func:`lingtan.weather.climatology.cities`.

    Returns
    -------
    InterannualSpread
        The city's spread; its ``is_default`` says whether it is the documented default.

    Raises
    ------
    lingtan.errors.InputError
        Unknown city (field ``weather.city``); the message lists the known ones.
    """
    climate = city_climate(city)  # an unknown city raises InputError on field weather.city
    return _table().get(climate.name) or default_spread(climate)


def _spread_of(climate: MonthlyClimate) -> InterannualSpread:
    """The shipped spread of the climate's city, or the default for a user climate."""
    key = climate.name.strip().lower()
    return interannual_spread(key) if key in cities() else default_spread(climate)


def member_anomalies(
    climate: MonthlyClimate, n: int, *, seed: int = 0, spread: InterannualSpread | None = None
) -> dict[str, np.ndarray]:
    """The monthly anomalies and day-to-day seeds of ``n`` ensemble members, in one vectorised draw.

    Parameters
    ----------
    climate : MonthlyClimate
        The site's monthly climatology (for the clearness cap and the default spread).
    n : int
        Number of members, >= 1.
    seed : int
        Seed of the ensemble. Member ``j``'s values do not depend on ``n``.
    spread : InterannualSpread, optional
        Default: the shipped spread of the climate's city, or :func:`default_spread`.

    Returns
    -------
    dict of numpy.ndarray
        ``seed`` (n,) uint32 seeds of the members' day-to-day sequences; ``ghi_factor`` [-],
        ``temp_air_delta_c`` [K] and ``wind_factor`` [-], each (n, 12).

    Raises
    ------
    lingtan.errors.InputError
        ``n`` not a positive integer.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(None, "weather.ensemble.years", "a positive integer", repr(n))
    spread = _spread_of(climate) if spread is None else spread
    anomaly_ss, seed_ss = np.random.SeedSequence([int(seed), _ENSEMBLE_SALT]).spawn(2)
    # drawn member-major, so member j's normals are the same whatever n is
    z = np.random.default_rng(anomaly_ss).standard_normal((int(n), 12, 3))
    r = np.asarray(spread.corr_ghi_temp)
    chol = np.zeros((12, 3, 3))  # Cholesky factor of the correlation matrix; scaled by the SDs below
    chol[:, 0, 0] = 1.0
    chol[:, 1, 0] = r
    chol[:, 1, 1] = np.sqrt(1.0 - r * r)
    chol[:, 2, 2] = 1.0
    sd = np.stack([spread.ghi_rel_sd, spread.temp_air_sd_k, spread.wind_rel_sd], axis=-1)  # (12, 3)
    x = np.einsum("mij,nmj->nmi", chol, z) * sd
    h0 = monthly_extraterrestrial_kwh_m2_day(climate.latitude)
    ghi = np.asarray(climate.ghi_kwh_m2_day)
    cap = np.divide(_MAX_MONTHLY_KT * _KT_CAP_MARGIN * h0, ghi, out=np.full(12, np.inf), where=ghi > 0)
    return {
        "seed": seed_ss.generate_state(int(n), dtype=np.uint32),
        "ghi_factor": np.clip(1.0 + x[:, :, 0], GHI_FACTOR_FLOOR, np.maximum(cap, GHI_FACTOR_FLOOR)),
        "temp_air_delta_c": x[:, :, 1],
        "wind_factor": np.maximum(1.0 + x[:, :, 2], WIND_FACTOR_FLOOR),
    }


def synthetic_members(
    climate: MonthlyClimate,
    n: int,
    *,
    year: int,
    tz: str = "Asia/Shanghai",
    seed: int = 0,
    latitude: float | None = None,
    longitude: float | None = None,
    altitude_m: float | None = None,
    spread: InterannualSpread | None = None,
) -> list[tuple[pd.DataFrame, dict]]:
    """``n`` synthetic weather years with the site's interannual spread.

    Parameters
    ----------
    climate : MonthlyClimate
        The site's monthly climatology (the mean of the members).
    n : int
        Number of member years, >= 1.
    year : int
        Calendar year of every member's index (as :func:`~lingtan.weather.synthetic.synthetic_year`).
    tz : str
        Time zone of the index (IANA).
    seed : int
        Seed of the ensemble; the same seed gives the same members, and member ``j`` does not depend
        on ``n``. Member 0 is not the typical year ``synthetic_year(climate, seed=seed, ...)``.
    latitude, longitude, altitude_m : float, optional
        Site [deg, deg, m]; default: the climate's station.
    spread : InterannualSpread, optional
        Default: the shipped spread of the climate's city, or :func:`default_spread` for a climate
        that is not a shipped city.

    Returns
    -------
    list of (pandas.DataFrame, dict)
        Per member: the hourly frame (exactly as ``synthetic_year`` returns it) and a dict with
        ``member`` (index), ``seed`` (of its day-to-day sequence), and the 12 monthly
        ``ghi_factor`` [-], ``temp_air_delta_c`` [K] and ``wind_factor`` [-] applied to the climate.

    Raises
    ------
    lingtan.errors.InputError
        ``n`` not a positive integer.

    Notes
    -----
    The anomalies of all members are drawn in one vectorised step (:func:`member_anomalies`); each
    member then costs one ``synthetic_year`` call. The seeds come from
    ``numpy.random.SeedSequence([seed, salt])``: one child stream draws the anomalies, the other gives
    each member's 32-bit seed.
    """
    an = member_anomalies(climate, n, seed=seed, spread=spread)
    spread = _spread_of(climate) if spread is None else spread
    site = dict(year=year, tz=tz, latitude=latitude, longitude=longitude, altitude_m=altitude_m)
    return [_member_year(climate, spread, an, j, **site) for j in range(int(n))]


def synthetic_member(
    climate: MonthlyClimate,
    j: int,
    *,
    year: int,
    tz: str = "Asia/Shanghai",
    seed: int = 0,
    latitude: float | None = None,
    longitude: float | None = None,
    altitude_m: float | None = None,
    spread: InterannualSpread | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Member ``j`` of :func:`synthetic_members` alone, equal to its ``j``-th entry whatever ``n``.

    For workers that each make some members of an ensemble: the anomalies of members ``0..j`` are drawn
    (microseconds) and only member ``j``'s year is generated.

    Parameters
    ----------
    climate : MonthlyClimate
        The site's monthly climatology.
    j : int
        Index of the member, >= 0.
    year, tz, seed, latitude, longitude, altitude_m, spread
        As :func:`synthetic_members`.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The member's hourly frame and its metadata, as in :func:`synthetic_members`.

    Raises
    ------
    lingtan.errors.InputError
        ``j`` not a non-negative integer.
    """
    if isinstance(j, bool) or not isinstance(j, int | np.integer) or j < 0:
        raise InputError(None, "member", "a non-negative integer", repr(j))
    an = member_anomalies(climate, int(j) + 1, seed=seed, spread=spread)
    spread = _spread_of(climate) if spread is None else spread
    site = dict(year=year, tz=tz, latitude=latitude, longitude=longitude, altitude_m=altitude_m)
    return _member_year(climate, spread, an, int(j), **site)


def _member_year(
    climate: MonthlyClimate, spread: InterannualSpread, an: dict[str, np.ndarray], j: int, **site
) -> tuple[pd.DataFrame, dict]:
    """Member ``j``'s year from the drawn anomalies (:func:`member_anomalies`) and its metadata."""
    from .synthetic import synthetic_year

    ghi_f, temp_d, wind_f, member_seeds = an["ghi_factor"], an["temp_air_delta_c"], an["wind_factor"], an["seed"]
    member_climate = dataclasses.replace(
        climate,
        ghi_kwh_m2_day=tuple(np.asarray(climate.ghi_kwh_m2_day) * ghi_f[j]),
        temp_air_c=tuple(np.asarray(climate.temp_air_c) + temp_d[j]),
        wind_speed_m_s=tuple(np.asarray(climate.wind_speed_m_s) * wind_f[j]),
        source=f"{climate.source}; interannual member {j} ({spread.source})",
    )
    frame = synthetic_year(member_climate, seed=int(member_seeds[j]), **site)
    info = {
        "member": j,
        "seed": int(member_seeds[j]),
        "ghi_factor": tuple(float(v) for v in ghi_f[j]),
        "temp_air_delta_c": tuple(float(v) for v in temp_d[j]),
        "wind_factor": tuple(float(v) for v in wind_f[j]),
    }
    return frame, info
