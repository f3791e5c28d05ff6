"""Synthetic weather-year ensembles (PROVISIONAL: the ensemble engine's stand-in).

PROVISIONAL: this file only holds the contract's signature so that the ensemble engine
(:mod:`lingtan.twin.studies.ensemble`) can run before branch ``ens-weather`` lands. Its members are
plain synthetic years with new seeds and zero monthly anomalies, so their spread is only the
day-to-day one. At merge the lead takes ens-weather's module, which draws the interannual
anomalies of the site, in place of this one.
"""

from __future__ import annotations

import pandas as pd

from .climatology import MonthlyClimate
from .synthetic import synthetic_year


def synthetic_members(
    climate: MonthlyClimate,
    n: int,
    *,
    year: int,
    tz: str,
    seed: int,
    latitude: float,
    longitude: float,
    altitude_m: float,
    spread=None,
) -> list[tuple[pd.DataFrame, dict]]:
    """``n`` synthetic weather years of a climate (provisional: no interannual anomalies).

    Parameters
    ----------
    climate : MonthlyClimate
        The climatology.
    n : int
        Number of members.
    year : int
        Calendar year of every member's index.
    tz : str
        Time zone (IANA).
    seed : int
        Seed of the typical year; member ``i`` uses ``seed + 1 + i``.
    latitude, longitude, altitude_m : float
        Site [deg, deg, m].
    spread : None
        Ignored by this stand-in.

    Returns
    -------
    list of (DataFrame, dict)
        Each member's weather frame (as :func:`lingtan.weather.synthetic_year`) and its index, seed and
        anomalies (all neutral here).
    """
    out = []
    for i in range(n):
        s = seed + 1 + i
        frame = synthetic_year(
            climate, year=year, tz=tz, seed=s, latitude=latitude, longitude=longitude, altitude_m=altitude_m
        )
        anomalies = {"ghi_factor": [1.0] * 12, "temp_air_delta_c": [0.0] * 12, "wind_factor": [1.0] * 12}
        out.append((frame, {"member": i, "seed": s, **anomalies}))
    return out
