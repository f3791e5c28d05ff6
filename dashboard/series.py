"""The numbers behind the explorer's views of one hourly column: the day-by-hour matrix, the duration curve and
the monthly energy. Pure functions of a :class:`pandas.Series` with a time index; the figures are drawn in
:mod:`lingtan.dashboard.pages_explore`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lingtan.twin.reports.html import _local_index

POWER_UNITS = {"kW": "kWh", "kW_th": "kWh_th"}
"""Units of a power column and of its energy [kW -> kWh, kW_th -> kWh_th]."""


def day_hour_matrix(series: pd.Series) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The series as one row per day and one column per hour of the day, for the year's heat map.

    Parameters
    ----------
    series : Series
        Values with a (tz-aware or naive) time index, in the column's unit.

    Returns
    -------
    days : DatetimeIndex
        Midnight of each day from the first to the last of the index, in the site's time.
    matrix : ndarray
        ``(len(days), 24)``: the mean of the values in each day's hour [column unit]; NaN where the series has
        none (a sub-hourly series is averaged over the hour).
    """
    idx = _local_index(series)
    days = pd.date_range(idx[0].normalize(), idx[-1].normalize(), freq="D")
    row = (idx.normalize() - days[0]).days.to_numpy()
    col = idx.hour.to_numpy()
    total = np.zeros((len(days), 24))
    count = np.zeros((len(days), 24))
    values = series.to_numpy(dtype=float)
    ok = np.isfinite(values)
    np.add.at(total, (row[ok], col[ok]), values[ok])
    np.add.at(count, (row[ok], col[ok]), 1)
    matrix = np.divide(total, count, out=np.full_like(total, np.nan), where=count > 0)
    return days, matrix


def duration_curve(series: pd.Series, step_h: float) -> tuple[np.ndarray, np.ndarray]:
    """The load-duration curve: values sorted from the largest down, against the hours each is reached.

    Parameters
    ----------
    series : Series
        Values [column unit]; NaN are left out.
    step_h : float
        Length of one time step [h].

    Returns
    -------
    hours : ndarray
        ``(k + 1) * step_h`` for the k-th largest value: the time [h] for which the series is at or above it.
    values : ndarray
        The values in descending order [column unit].
    """
    v = series.to_numpy(dtype=float)
    v = np.sort(v[np.isfinite(v)])[::-1]
    return np.arange(1, len(v) + 1) * float(step_h), v


def monthly_energy(series: pd.Series, unit: str, step_h: float) -> tuple[list[int], np.ndarray, str]:
    """Energy of a power column per calendar month: the sum of power times the step length.

    Parameters
    ----------
    series : Series
        Power [kW or kW_th] with a time index; months are the site's calendar months.
    unit : str
        The column's unit, a key of :data:`POWER_UNITS`.
    step_h : float
        Length of one time step [h].

    Returns
    -------
    months : list of int
        The months present, 1..12.
    energy : ndarray
        Energy of each month [kWh, kWh_th, or MWh, MWh_th when the largest month reaches 10 000 kWh].
    energy_unit : str
        The unit of ``energy``.

    Raises
    ------
    ValueError
        For a column that is not a power (a state of charge in kWh, a price): its sum is no energy.
    """
    if unit not in POWER_UNITS:
        raise ValueError(f"monthly energy needs a power column (kW or kW_th), not one in {unit or 'no unit'}")
    by_month = series.groupby(_local_index(series).month).sum(min_count=1) * float(step_h)
    energy, out = by_month.to_numpy(dtype=float), POWER_UNITS[unit]
    if np.nanmax(np.abs(energy), initial=0.0) >= 1e4:
        energy, out = energy / 1e3, out.replace("kWh", "MWh")
    return [int(m) for m in by_month.index], energy, out


__all__ = ["POWER_UNITS", "day_hour_matrix", "duration_curve", "monthly_energy"]
