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

from .climatology import _MAX_MONTHLY_KT, MonthlyClimate, cities, monthly_extraterrestrial_kwh_m2_day

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "InterannualSpread",
    "interannual_spread",
    "default_spread",
    "synthetic_members",
    "INTERANNUAL_CSV",
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
        City or ``"default"``.
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
    if "default" not in out:
        raise InputError(INTERANNUAL_CSV, "city default", "a row set for the documented default", "none")
    return out


def default_spread() -> InterannualSpread:
    """The documented default spread, for a site without a published figure.

    Returns
    -------
    InterannualSpread
        The ``default`` rows of ``weather/data/interannual.csv``.
    """
    return _table()["default"]


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
    key = str(city).strip().lower()
    known = cities()
    if key not in known:
        raise InputError(None, "weather.city", f"one of {', '.join(known)}", repr(city))
    table = _table()
    if key not in table:
        return dataclasses.replace(table["default"], name=key)
    return table[key]


def _spread_of(climate: MonthlyClimate) -> InterannualSpread:
    """The shipped spread of the climate's city, or the default for a user climate."""
    key = climate.name.strip().lower()
    return interannual_spread(key) if key in cities() else default_spread()


def _draw_anomalies(
    rng: np.random.Generator, n: int, spread: InterannualSpread, climate: MonthlyClimate
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly factors of ``n`` members, drawn member by member (member j's draws do not depend on n).

    Returns
    -------
    ghi_factor, temp_air_delta_c, wind_factor : numpy.ndarray
        (n, 12) each: GHI factor [-], temperature shift [K], wind factor [-].
    """
    z = rng.standard_normal((n, 12, 3))
    # Cholesky of a covariance whose variances may be zero: factor the correlation, scale by the SDs.
    sd = np.sqrt(np.diagonal(spread.covariance(), axis1=1, axis2=2))  # (12, 3)
    r = np.asarray(spread.corr_ghi_temp)
    chol = np.zeros((12, 3, 3))
    chol[:, 0, 0] = 1.0
    chol[:, 1, 0] = r
    chol[:, 1, 1] = np.sqrt(1.0 - r * r)
    chol[:, 2, 2] = 1.0
    x = np.einsum("mij,nmj->nmi", chol, z) * sd  # (n, 12, 3)
    h0 = monthly_extraterrestrial_kwh_m2_day(climate.latitude)
    ghi = np.asarray(climate.ghi_kwh_m2_day)
    cap = np.divide(_MAX_MONTHLY_KT * _KT_CAP_MARGIN * h0, ghi, out=np.full(12, np.inf), where=ghi > 0)
    ghi_factor = np.clip(1.0 + x[:, :, 0], GHI_FACTOR_FLOOR, np.maximum(cap, GHI_FACTOR_FLOOR))
    wind_factor = np.maximum(1.0 + x[:, :, 2], WIND_FACTOR_FLOOR)
    return ghi_factor, x[:, :, 1], wind_factor


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
    The anomalies of all members are drawn in one vectorised step; each member then costs one
    ``synthetic_year`` call. The seeds come from ``numpy.random.SeedSequence([seed, salt])``: one
    child stream draws the anomalies, the other gives each member's 32-bit seed.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(None, "weather.ensemble.years", "a positive integer", repr(n))
    from .synthetic import synthetic_year

    spread = _spread_of(climate) if spread is None else spread
    anomaly_ss, seed_ss = np.random.SeedSequence([int(seed), _ENSEMBLE_SALT]).spawn(2)
    ghi_f, temp_d, wind_f = _draw_anomalies(np.random.default_rng(anomaly_ss), int(n), spread, climate)
    member_seeds = seed_ss.generate_state(int(n), dtype=np.uint32)
    ghi0 = np.asarray(climate.ghi_kwh_m2_day)
    t0 = np.asarray(climate.temp_air_c)
    v0 = np.asarray(climate.wind_speed_m_s)
    out = []
    for j in range(int(n)):
        member_climate = dataclasses.replace(
            climate,
            ghi_kwh_m2_day=tuple(ghi0 * ghi_f[j]),
            temp_air_c=tuple(t0 + temp_d[j]),
            wind_speed_m_s=tuple(v0 * wind_f[j]),
            source=f"{climate.source}; interannual member {j} ({spread.source})",
        )
        frame = synthetic_year(
            member_climate,
            year=year,
            tz=tz,
            seed=int(member_seeds[j]),
            latitude=latitude,
            longitude=longitude,
            altitude_m=altitude_m,
        )
        info = {
            "member": j,
            "seed": int(member_seeds[j]),
            "ghi_factor": tuple(float(v) for v in ghi_f[j]),
            "temp_air_delta_c": tuple(float(v) for v in temp_d[j]),
            "wind_factor": tuple(float(v) for v in wind_f[j]),
        }
        out.append((frame, info))
    return out
