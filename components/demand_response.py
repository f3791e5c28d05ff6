"""Demand response: events in which the site holds its grid import a stated amount below its baseline.

An event is a window (local start, whole hours) and a reduction [kW]. The site's baseline is its own import in
those hours without the event: the twin runs the year twice, once without and once with the event (a
counterfactual baseline; a programme computes its own from the days before the event, which the twin cannot
know). In the ``prepare_h`` hours before an event the battery charges from the grid (within the import limit)
and holds its charge, never lifting the import above the baseline's peak of the month (the demand charge stays
the baseline's); in the event hours the import is capped at ``baseline - reduction``: the battery discharges
above the cap and never grid-charges above it, as it does for a peak limit. Flexible batches scheduled before
dispatch see an event hour's import priced higher by the compensation they would forgo. What the assets cannot
deliver is a shortfall, reported hour by hour.

The response earns ``price_cny_per_kwh`` per kWh delivered, up to the reduction each hour; its cost is the change
of the grid bill against the baseline year (energy moved, a battery's losses), both in ``kpis.json``
``demand_response``.

Source: the Anhui plan asks parks to take part in electricity trading as a virtual power plant, "将能源资产以
虚拟电厂形式参与电力交易" (皖发改产业〔2024〕254号, 三(四)); the price and the events are the programme's, so
they have no default.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from lingtan.errors import FieldPathError
from lingtan.limits import MAX_ITEMS, MAX_POWER_KW, MAX_PRICE_CNY

#: Reductions within this of the target count as delivered [kW] (float round-off of the battery's discharge).
DELIVERED_TOL_KW = 1e-6


class DemandResponseEvent(BaseModel):
    """One event: ``demand_response.events[i]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: datetime = Field(description="local start, on the hour, e.g. 2025-07-15 14:00")
    duration_h: int = Field(ge=1, le=24, description="hours the event lasts [h]")
    reduction_kw: float = Field(gt=0, le=MAX_POWER_KW, description="import reduction asked against the baseline [kW]")


class DemandResponse(BaseModel):
    """Section ``demand_response``: the events of the year and the price of a kWh reduced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: list[DemandResponseEvent] = Field(min_length=1, max_length=MAX_ITEMS)
    price_cny_per_kwh: float = Field(
        ge=0, le=MAX_PRICE_CNY, description="compensation per kWh of reduction delivered [CNY/kWh], the programme's"
    )
    prepare_h: int = Field(
        default=24,
        ge=0,
        le=48,
        description="hours before each event in which the battery charges from the grid and holds its charge "
        "(default: a day-ahead programme's notice; 0: none)",
    )

    def check_year(self, year: int) -> None:
        """Refuse an event off the hour, outside ``year`` or overlapping an earlier one.

        Parameters
        ----------
        year : int
            The simulated calendar year.

        Raises
        ------
        lingtan.errors.FieldPathError
            Naming ``events[i].start``.
        """
        taken: set[pd.Timestamp] = set()
        for i, ev in enumerate(self.events):
            hours = set(pd.date_range(ev.start, periods=ev.duration_h, freq="h"))
            if ev.start.minute or ev.start.second or any(h.year != year for h in hours):
                raise FieldPathError(
                    f"events[{i}].start",
                    f"a start on the hour whose {ev.duration_h} h lie within the year {year}",
                    f"{ev.start:%Y-%m-%d %H:%M}",
                )
            if hours & taken:
                raise FieldPathError(f"events[{i}].start", "an event that overlaps no earlier one", f"{ev.start}")
            taken |= hours


def event_steps(index: pd.DatetimeIndex, dr: DemandResponse) -> tuple[np.ndarray, np.ndarray]:
    """The event hour (0 .. E-1, events in order, hours in order) each step is, and the steps that prepare one.

    Parameters
    ----------
    index : DatetimeIndex
        Hourly steps of the year, local time (tz-aware or naive).
    dr : DemandResponse

    Returns
    -------
    event : ndarray of int, shape (T,)
        The event hour, -1 for none.
    prep : ndarray of bool, shape (T,)
        The ``prepare_h`` steps before each event that are no event's hour.

    Raises
    ------
    ValueError
        An event hour that is not a step of ``index`` (:meth:`DemandResponse.check_year` refuses such scenarios).
    """
    local = index.tz_localize(None) if index.tz is not None else index
    event = np.full(len(index), -1, np.int64)
    prep = np.zeros(len(index), bool)
    e = 0
    for ev in dr.events:
        at = local.get_indexer(pd.date_range(ev.start, periods=ev.duration_h, freq="h"))
        if (at < 0).any():
            raise ValueError(f"demand-response event at {ev.start} is not within the steps given")
        event[at] = np.arange(e, e + ev.duration_h)
        e += ev.duration_h
        prep[max(at[0] - dr.prepare_h, 0) : at[0]] = True
    return event, prep & (event < 0)


def event_reduction_kw(dr: DemandResponse) -> np.ndarray:
    """The reduction asked in each event hour, in the order of :func:`event_steps`.

    Parameters
    ----------
    dr : DemandResponse

    Returns
    -------
    ndarray, shape (E,)
        [kW].
    """
    return np.concatenate([np.full(ev.duration_h, ev.reduction_kw) for ev in dr.events])


def event_hours(event: np.ndarray) -> np.ndarray:
    """The steps of the event hours in the order of their numbers (:func:`event_steps`).

    Parameters
    ----------
    event : ndarray of int, shape (T,)
        The event hour of each step, -1 for none (:func:`event_steps`).

    Returns
    -------
    ndarray of int, shape (E,)
        Step indices: a year's hourly import at them is the import in the event hours (:func:`event_caps`).
    """
    at = np.flatnonzero(event >= 0)
    return at[np.argsort(event[at])]


def event_caps(
    baseline_kw: np.ndarray,
    baseline_peak_kw: np.ndarray,
    event: np.ndarray,
    prep: np.ndarray,
    month: np.ndarray,
    dr: DemandResponse,
) -> tuple[np.ndarray, np.ndarray]:
    """The import caps of a year with events, from its baseline year: in an event hour the baseline import less the
    reduction (at least 0); in a preparing hour the baseline's peak import of the month, so that charging for an
    event never raises the month's demand charge.

    Parameters
    ----------
    baseline_kw : ndarray, shape (E,) or (N, E)
        Grid import without the events in the event hours, in their order (:func:`event_hours`) [kW].
    baseline_peak_kw : ndarray, shape (N, 12)
        Its monthly peak import [kW].
    event, prep : ndarray, shape (T,)
        :func:`event_steps`.
    month : ndarray of int, shape (T,)
        0-based month of each step.
    dr : DemandResponse

    Returns
    -------
    step : ndarray of int, shape (T,)
        The cap's column each step reads, -1 for none: event hours first (0 .. E-1), then preparing steps.
    cap_kw : ndarray, shape (N, E + P)
    """
    base = np.atleast_2d(np.asarray(baseline_kw, dtype=float))
    red = event_reduction_kw(dr)
    before = np.flatnonzero(prep)
    step = event.copy()
    step[before] = len(red) + np.arange(len(before))
    cap = np.concatenate(
        [
            np.maximum(base - red[None, :], 0.0),
            np.atleast_2d(np.asarray(baseline_peak_kw, dtype=float))[:, np.asarray(month)[before]],
        ],
        axis=1,
    )
    return step, cap


def response_kpis(
    baseline_kw: np.ndarray,
    import_kw: np.ndarray,
    dr: DemandResponse,
    bill_cny: np.ndarray,
    baseline_bill_cny: np.ndarray,
) -> dict[str, Any]:
    """What each event delivered against its baseline, what it earned and what it cost (hourly steps), for one
    case or many side by side.

    Parameters
    ----------
    baseline_kw, import_kw : ndarray, shape (E,) or (N, E)
        Grid import without and with the events in the event hours, in their order (:func:`event_hours`) [kW].
    dr : DemandResponse
    bill_cny, baseline_bill_cny : ndarray, shape (1,) or (N,)
        The year's grid bill with and without the events [CNY].

    Returns
    -------
    dict
        ``events``: per event its ``start``, ``duration_h``, ``reduction_kw``, mean ``baseline_kw`` and ``import_kw``,
        the smallest hour's ``delivered_min_kw``, ``delivered_e_kwh`` (up to the reduction each hour),
        ``shortfall_e_kwh``, ``met`` (every hour delivered) and ``revenue_cny``; their sums ``delivered_e_kwh``,
        ``shortfall_e_kwh``, ``revenue_cny``, with ``price_cny_per_kwh`` and the baseline's definition; the
        response's cost ``bill_change_cny`` (the bill against the baseline's: energy moved, a battery's losses)
        and ``net_cny`` (revenue less cost). Numbers for one case (1-D imports), arrays of shape (N,) for N.
    """
    base, imp = np.asarray(baseline_kw, dtype=float), np.asarray(import_kw, dtype=float)
    red = event_reduction_kw(dr)
    delivered = np.minimum(base - imp, red)  # [kW] each hour, negative when the import rose
    got = np.maximum(delivered, 0.0)
    short = np.maximum(red - got, 0.0)
    out = (lambda a: np.asarray(a).item()) if base.ndim == 1 else np.asarray  # one case: plain numbers
    events, e0 = [], 0
    for ev in dr.events:
        h = slice(e0, e0 + ev.duration_h)
        got_e = got[..., h].sum(axis=-1)
        events.append(
            {
                "start": f"{ev.start:%Y-%m-%d %H:%M}",
                "duration_h": ev.duration_h,
                "reduction_kw": ev.reduction_kw,
                "baseline_kw": out(base[..., h].mean(axis=-1)),
                "import_kw": out(imp[..., h].mean(axis=-1)),
                "delivered_min_kw": out(delivered[..., h].min(axis=-1)),
                "delivered_e_kwh": out(got_e),
                "shortfall_e_kwh": out(short[..., h].sum(axis=-1)),
                "met": out((short[..., h] <= DELIVERED_TOL_KW).all(axis=-1)),
                "revenue_cny": out(got_e * dr.price_cny_per_kwh),
            }
        )
        e0 += ev.duration_h
    revenue = sum(x["revenue_cny"] for x in events)
    change = out(np.asarray(bill_cny, dtype=float) - np.asarray(baseline_bill_cny, dtype=float))
    return {
        "baseline": "the site's own import without the events (the same year run twice)",
        "price_cny_per_kwh": dr.price_cny_per_kwh,
        "events": events,
        "delivered_e_kwh": sum(x["delivered_e_kwh"] for x in events),
        "shortfall_e_kwh": sum(x["shortfall_e_kwh"] for x in events),
        "revenue_cny": revenue,
        "bill_change_cny": change,
        "net_cny": revenue - change,
    }
