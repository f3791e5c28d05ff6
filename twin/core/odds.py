"""Statistics of a quantity over the years of an ensemble: exceedance values and the odds of a criterion.

Convention (used by every output, as in PV energy-yield reports): "PXX is the value exceeded in XX % of the
years": P90 is the 10th percentile, P50 the median, P10 the 90th percentile (linear interpolation between
members). For a criterion the margin is (value - threshold) for a ``>=`` criterion and (threshold - value) for
a ``<=`` one, positive when passing; the "P90 margin" is the margin exceeded in 90 % of the years.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

CONVENTION = (
    "PXX is the value exceeded in XX % of the years: P90 = 10th percentile, P50 = median, P10 = 90th percentile "
    "(linear interpolation between members); a criterion's margin is value - threshold for '>=' and "
    "threshold - value for '<=', positive = passing"
)
"""The exceedance convention, as written into ``kpis.json`` and printed."""

LEVELS = (10, 50, 90)
"""Exceedance levels reported for every KPI [%]."""


def exceedance(values: ArrayLike, p: float) -> float:
    """The value exceeded in ``p`` % of the members (``PXX``): the ``100 - p`` percentile.

    Parameters
    ----------
    values : array_like
        One value per member, in any unit; NaN members are an error of the caller.
    p : float
        Exceedance level [%], 0..100.

    Returns
    -------
    float
        ``numpy.percentile(values, 100 - p)`` with linear interpolation, in the unit of ``values``.
    """
    return float(np.percentile(np.asarray(values, dtype=float), 100.0 - p))


def stats(values: ArrayLike) -> dict[str, float]:
    """P10, P50, P90, mean, min and max of one quantity over the members.

    Parameters
    ----------
    values : array_like
        One value per member, in any unit.

    Returns
    -------
    dict
        ``p10``, ``p50``, ``p90`` (:func:`exceedance`), ``mean``, ``min``, ``max``, in the unit of ``values``.
    """
    x = np.asarray(values, dtype=float)
    out = {f"p{p}": exceedance(x, p) for p in LEVELS}
    out.update(mean=float(x.mean()), min=float(x.min()), max=float(x.max()))
    return out


def margins(values: ArrayLike, threshold: ArrayLike, comparator: str) -> np.ndarray:
    """Margin of each member to a threshold, positive when passing.

    Parameters
    ----------
    values : array_like
        One value per member.
    threshold : float or array_like
        The threshold, one for all members or one each, in the unit of ``values``.
    comparator : {">=", "<="}
        Direction of the criterion.

    Returns
    -------
    ndarray
        ``values - threshold`` for ``>=``, ``threshold - values`` for ``<=``.
    """
    v = np.asarray(values, dtype=float)
    t = np.asarray(threshold, dtype=float)
    if comparator == ">=":
        return v - t
    if comparator == "<=":
        return t - v
    raise ValueError(f"comparator must be '>=' or '<=', found {comparator!r}")


def odds(
    values: ArrayLike, threshold: ArrayLike, comparator: str, passed: ArrayLike | None = None
) -> dict[str, float | int]:
    """The odds of a criterion over the members of an ensemble.

    Parameters
    ----------
    values : array_like
        The criterion's value in each member.
    threshold : float or array_like
        Its threshold, one for all members or one each, in the unit of ``values``.
    comparator : {">=", "<="}
        Direction of the criterion.
    passed : array_like of bool, optional
        Each member's own verdict, when the caller has it: the criterion's tolerance, and a member whose load
        was not served counts as not passing (its verdict is "not assessable"). Default: margin >= 0.

    Returns
    -------
    dict
        ``members``, ``p_pass`` (fraction of members passing, 0..1), ``value_p50``, ``value_p90`` and
        ``margin_p50``, ``margin_p90`` (:func:`exceedance`), in the unit of ``values``.
    """
    v = np.asarray(values, dtype=float)
    m = margins(v, threshold, comparator)
    ok = m >= 0 if passed is None else np.asarray(passed, dtype=bool)
    return {
        "members": int(v.size),
        "p_pass": float(ok.mean()),
        "value_p50": exceedance(v, 50),
        "value_p90": exceedance(v, 90),
        "margin_p50": exceedance(m, 50),
        "margin_p90": exceedance(m, 90),
    }
