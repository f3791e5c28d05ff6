"""Flexible loads: batches whose daily start may move within a window.

A batch runs once a day (on its working days) at ``p_kw`` for ``duration_h`` hours, starting at an hour between
``earliest_start_h`` and ``latest_start_h``: a washing, drying or curing batch, a compressed-air or ice store
filled once a day, a cold store pulled down before the evening peak. Its energy is fixed; its start is the
flexibility.

``shift: none`` starts it at ``earliest_start_h`` every day (the schedule without flexibility). ``shift: cheapest``
picks each day's start before dispatch, as a site's energy manager would with a day-ahead forecast (perfect
knowledge here): the start whose hours need the least imported energy times its price, where the site's
renewable surplus (generation above its other load) is free; a start that would lift the site's import above its
demand target (the connection's limit, the battery's monthly peak target) is taken only when every start would;
on a tie, the earliest. Batches are placed in scenario order, each against the site's net load with the earlier
batches in it. Like smart charging (:mod:`lingtan.components.vehicles`), the schedule is load the kernel reads: the
kernel stays one kernel, and a battery may later store the surplus a batch was placed in.

Limits: hourly steps; a window and its batch fit in one day (``latest_start_h + duration_h <=
earliest_start_h + 24``), so one day's batch never overlaps the next day's; the heat a batch rejects is not
counted as a waste-heat resource.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.errors import FieldPathError
from lingtan.limits import MAX_POWER_KW

H_PER_DAY = 24


class ShiftableBatch(BaseModel):
    """A daily batch load with a start window. Attributes are the YAML keys of ``flexible_loads[i]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    p_kw: float = Field(gt=0, le=MAX_POWER_KW, description="power while running [kW]")
    duration_h: int = Field(ge=1, le=H_PER_DAY, description="hours the batch runs each day [h]")
    earliest_start_h: int = Field(ge=0, le=H_PER_DAY - 1, description="earliest local start hour [h]")
    latest_start_h: int = Field(
        ge=0, le=2 * H_PER_DAY - 2, description="latest local start hour [h]; above 23 is the next morning"
    )
    days_per_week: int = Field(default=7, ge=1, le=7, description="runs Monday .. the n-th day of the week [-]")
    shift: Literal["none", "cheapest"] = Field(
        default="cheapest", description="none: start at earliest_start_h; cheapest: the day's cheapest start"
    )

    @model_validator(mode="after")
    def _window(self) -> ShiftableBatch:
        if self.latest_start_h < self.earliest_start_h:
            raise FieldPathError(
                "latest_start_h",
                f"an hour at or after earliest_start_h ({self.earliest_start_h})",
                str(self.latest_start_h),
            )
        if self.latest_start_h + self.duration_h > self.earliest_start_h + H_PER_DAY:
            raise FieldPathError(
                "latest_start_h",
                f"a window whose latest batch ends within a day of earliest_start_h: at most "
                f"{self.earliest_start_h + H_PER_DAY - self.duration_h}",
                str(self.latest_start_h),
            )
        return self


def _window_sums(c: np.ndarray, duration: int) -> np.ndarray:
    """(T,) sum of ``c`` over the ``duration`` steps from each step, wrapping past the last (a typical year)."""
    wrapped = np.concatenate([c, c[: duration - 1]])
    cum = np.concatenate([[0.0], np.cumsum(wrapped)])
    return cum[duration : duration + c.size] - cum[: c.size]


def batch_starts(
    batch: ShiftableBatch,
    index: pd.DatetimeIndex,
    net_kw: np.ndarray,
    price_cny_per_kwh: np.ndarray,
    target_kw: np.ndarray,
) -> np.ndarray:
    """Each working day's start step of a batch (module docstring).

    Parameters
    ----------
    batch : ShiftableBatch
    index : DatetimeIndex
        Hourly steps of the year (local time), T of them; a day starts at its midnight step.
    net_kw : ndarray, shape (T,)
        The site's load without this batch minus its renewable generation [kW]; negative is a surplus.
    price_cny_per_kwh : ndarray, shape (T,)
        Import price [CNY/kWh].
    target_kw : ndarray, shape (T,)
        The import the site keeps at or below [kW]; inf for none.

    Returns
    -------
    ndarray of int
        The start step of the batch on each working day, in order.
    """
    n = len(index)
    midnight = np.flatnonzero(index.hour == 0)
    first = midnight[index[midnight].dayofweek < batch.days_per_week]
    offsets = np.arange(batch.earliest_start_h, batch.latest_start_h + 1)
    if batch.shift == "none":
        return first + batch.earliest_start_h
    # The import the batch's energy adds in each step, priced; surplus is free.
    bought = np.maximum(batch.p_kw - np.maximum(-net_kw, 0.0), 0.0)
    cost = _window_sums(bought * price_cny_per_kwh, batch.duration_h)
    over = _window_sums((np.maximum(net_kw, 0.0) + bought > target_kw).astype(float), batch.duration_h) > 0
    cand = (first[:, None] + offsets[None, :]) % n  # (days, starts)
    key = np.where(over[cand], np.inf, cost[cand])
    # All starts over the target: the cheapest of them (argmin of inf picks the first, the earliest, otherwise).
    key = np.where(np.isinf(key).all(axis=1, keepdims=True), cost[cand], key)
    return first + offsets[np.argmin(key, axis=1)]


def batch_load_kw(batch: ShiftableBatch, starts: np.ndarray, n_steps: int) -> np.ndarray:
    """The batch's load [kW] on each hourly step, from its starts (wrapping past the last step).

    Parameters
    ----------
    batch : ShiftableBatch
    starts : ndarray of int
        Start step of each run (:func:`batch_starts`).
    n_steps : int
        Steps of the year T.

    Returns
    -------
    ndarray, shape (T,)
    """
    steps = (np.asarray(starts, dtype=np.int64)[:, None] + np.arange(batch.duration_h)[None, :]) % n_steps
    return np.bincount(steps.ravel(), minlength=n_steps).astype(float) * batch.p_kw


PERIOD_NAMES = ("valley", "flat", "peak", "critical")


def flexible_kpis(flexible_kw: dict[str, np.ndarray], period: np.ndarray) -> dict[str, dict[str, float]]:
    """Per flexible load: its year's energy [kWh] and the part of it in each tariff period [kWh] (hourly steps).

    Parameters
    ----------
    flexible_kw : dict of str to ndarray, shape (T,)
        Each load's scheduled year [kW] (:func:`batch_load_kw`).
    period : ndarray of int, shape (T,)
        Tariff period code of each step (0 valley, 1 flat, 2 peak, 3 critical).

    Returns
    -------
    dict of str to dict
        ``e_kwh`` and ``e_kwh_<period>`` per load.
    """
    out = {}
    for name, p in flexible_kw.items():
        by = np.bincount(np.asarray(period, dtype=np.int64), weights=p, minlength=len(PERIOD_NAMES))
        out[name] = {"e_kwh": float(p.sum()), **{f"e_kwh_{n}": float(v) for n, v in zip(PERIOD_NAMES, by, strict=True)}}
    return out
