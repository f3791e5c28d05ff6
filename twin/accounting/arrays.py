"""Numbers or arrays: the annual formulas take one year (numbers) or the years of N cases (arrays of shape (N,)).

A sweep's cases and an ensemble's members go through the accounting and the economics as arrays; a single run
goes through the same formulas with numbers. The few operations whose Python form does not take arrays (a
comparison in a condition, ``min``, ``max``, ``float``) go through these helpers, which keep numbers as Python
floats so that a single run's results are what they were.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def is_array(*values: Any) -> bool:
    """Whether any of the values is an array (the year of several cases).

    Parameters
    ----------
    *values : float or ndarray
        Quantities.

    Returns
    -------
    bool
        True when one of them is an ndarray.
    """
    return any(isinstance(v, np.ndarray) for v in values)


def num(x: Any) -> Any:
    """A quantity as a float, or as a float array when it is one.

    Parameters
    ----------
    x : number or ndarray
        A quantity.

    Returns
    -------
    float or ndarray
        ``float(x)``, or ``x`` as a float array.
    """
    return np.asarray(x, dtype=float) if is_array(x) else float(x)


def div(a: Any, b: Any, fill: float = 0.0) -> Any:
    """``a / b`` where ``b > 0``, ``fill`` elsewhere.

    Parameters
    ----------
    a, b : float or ndarray
        Numerator and denominator.
    fill : float
        The result where ``b <= 0``.

    Returns
    -------
    float or ndarray
        The quotient.
    """
    if is_array(a, b):
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        return np.divide(a, b, out=np.full(a.shape, fill), where=b > 0)
    return a / b if b > 0 else fill


def minimum(a: Any, b: Any) -> Any:
    """``min(a, b)``, element by element for arrays.

    Parameters
    ----------
    a, b : float or ndarray
        Quantities.

    Returns
    -------
    float or ndarray
        The smaller.
    """
    return np.minimum(a, b) if is_array(a, b) else min(a, b)


def maximum(a: Any, b: Any) -> Any:
    """``max(a, b)``, element by element for arrays.

    Parameters
    ----------
    a, b : float or ndarray
        Quantities.

    Returns
    -------
    float or ndarray
        The larger.
    """
    return np.maximum(a, b) if is_array(a, b) else max(a, b)
