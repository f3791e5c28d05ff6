"""Production processes as a discrete-event simulation (simpy), integrated exactly onto
the hourly grid.

A :class:`ProductionLine` runs batches during the shifts of its :class:`ShiftCalendar`,
stops for planned maintenance and for random breakdowns, and while it runs it draws
electricity, needs process heat (:class:`HeatDemand`) and rejects waste heat
(:class:`WasteHeatStream`). :func:`simulate_line` plays the year on simpy and returns a
:class:`LineResult` with hourly arrays. Base loads (lighting, offices) are not modelled
here: use :class:`lingtan.components.loads.ShiftLoad`.

Model
-----
* **Production windows** = shift time on working days (a shift that starts on a working
  day belongs to it, even if it runs past midnight) minus planned maintenance (explicit
  windows and weekly recurring ones). Adjacent windows merge, so 3 x 8 h on 7 days is one
  window for the whole year. *Scheduled hours* are the hours of these windows.
* **Batches** of ``batch_duration_h`` run back to back inside the windows, each followed by
  a changeover of ``changeover_h`` (line idle in shift). A batch cut by the end of a window
  is suspended and resumes at the start of the next window (a changeover likewise); a batch
  cut by a breakdown resumes after the repair. Changeovers count as scheduled time, so
  setup losses lower the availability.
* **Breakdowns** (a renewal process, as good as new after repair): the time to failure is
  counted in *running* hours, drawn from a distribution with mean ``mtbf_h``; the repair
  takes a draw with mean ``mttr_h`` in *clock* hours (repairs go on outside shifts).
  With 24/7 operation and no changeovers the long-run availability is therefore
  ``MTBF / (MTBF + MTTR)`` (renewal-reward theorem, e.g. Ross, *Introduction to
  Probability Models*, 11th ed., sec. 7.4).
* **Power and heat**: while running, ``p_kw`` and every heat demand; inside a production
  window but not running (changeover, breakdown), ``p_idle_kw``; outside windows and during
  maintenance 0. Waste heat is available only while running.
* **Availability** = running hours / scheduled hours.
* Random numbers come from one ``numpy.random.Generator`` seeded with ``seed``; draws are
  made in a fixed order, so a seed repeats exactly.

The simulation clock is in hours since ``index[0]``; events are turned into timestamps and
integrated onto the hourly grid by :func:`running_fraction_per_hour`, exactly (integer
nanoseconds): a breakdown at 10:40 counts 40 minutes of running in hour 10.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Literal

import numpy as np
import pandas as pd
import simpy
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.heat import GJ_PER_KWH
from lingtan.errors import InputError
from lingtan.limits import (
    MAX_EVENTS_PER_YEAR,
    MAX_HOURS,
    MAX_ITEMS,
    MAX_MTBF_H,
    MAX_POWER_KW,
    MAX_TEMPERATURE_C,
    MAX_WEIBULL_SHAPE,
    MIN_BATCH_DURATION_H,
    MIN_TEMPERATURE_C,
    MIN_WEIBULL_SHAPE,
)

NS_PER_HOUR = 3_600_000_000_000
_EPS_H = 1e-9  # hours; float noise of the simulation clock (3.6 microseconds)

WasteHeatKind = Literal["flue_gas", "cooling_water", "compressed_air_cooling", "exhaust_air", "product_cooling"]


# --------------------------------------------------------------------------------------
# Parameter classes
# --------------------------------------------------------------------------------------
class ShiftCalendar(BaseModel):
    """When a line is meant to produce: consecutive shifts on working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shifts_per_day: int = Field(default=2, ge=1, le=3)
    shift_hours: float = Field(default=8.0, gt=0, le=24, description="length of one shift [h]")
    first_shift_start_h: float = Field(default=8.0, ge=0, lt=24, description="local clock hour the first shift starts")
    working_days_per_week: int = Field(default=5, ge=1, le=7, description="Monday first")
    holidays: tuple[dt.date, ...] = Field(
        default=(), max_length=MAX_ITEMS, description="dates without production; at most lingtan.limits.MAX_ITEMS"
    )

    @model_validator(mode="after")
    def _fits_in_a_day(self) -> ShiftCalendar:
        if self.shifts_per_day * self.shift_hours > 24:
            raise ValueError(f"shifts_per_day * shift_hours = {self.shifts_per_day * self.shift_hours} h exceeds 24 h")
        return self


class WeeklyWindow(BaseModel):
    """A maintenance window recurring every week (local time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start_h: float = Field(ge=0, lt=24, description="local clock hour it starts")
    duration_h: float = Field(gt=0, le=168, description="[h]")


class HeatDemand(BaseModel):
    """Process heat a line needs while it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="supply temperature needed [C]; bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    q_kw_th: float = Field(
        ge=0, le=MAX_POWER_KW, description="heat demand while running [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )


class WasteHeatStream(BaseModel):
    """Waste heat a line rejects while it runs.

    The amount is given in exactly one of three ways:

    * ``q_kw_th``: a fixed heat flow while running [kW_th];
    * ``fraction_of_electric_input``: a share of the line's running electric power
      (compressor cooling, motor and drive losses) [-];
    * ``fraction_of_heat_input``: a share of the line's process heat input while running
      (flue gas, exhaust air); of the heat demand named ``heat_demand``, or of the sum of
      all the line's heat demands when ``heat_demand`` is not given [-].

    The amount is what the stream releases when cooled from ``t_c`` to ``t_return_c``
    (the stack limit, or the temperature it is returned at). Without ``t_return_c`` the
    heat is treated as available at ``t_c`` (see ``lingtan.components.heat.direct_exchange_q_kw_th``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: WasteHeatKind
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="supply temperature of the stream [C]; bounds lingtan.limits.MIN_TEMPERATURE_C .. "
        "MAX_TEMPERATURE_C",
    )
    t_return_c: float | None = Field(
        default=None,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="temperature the stream may be cooled to [C]; "
        "bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    q_kw_th: float | None = Field(
        default=None,
        ge=0,
        le=MAX_POWER_KW,
        description="waste heat while running [kW_th]; upper bound lingtan.limits.MAX_POWER_KW",
    )
    fraction_of_electric_input: float | None = Field(default=None, ge=0, le=1, description="[-]")
    fraction_of_heat_input: float | None = Field(default=None, ge=0, le=1, description="[-]")
    heat_demand: str | None = Field(default=None, description="heat demand fraction_of_heat_input refers to")

    @model_validator(mode="after")
    def _one_amount(self) -> WasteHeatStream:
        given = [
            k
            for k in ("q_kw_th", "fraction_of_electric_input", "fraction_of_heat_input")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of q_kw_th, fraction_of_electric_input, fraction_of_heat_input; "
                f"found {given or 'none'}"
            )
        if self.heat_demand is not None and self.fraction_of_heat_input is None:
            raise ValueError("heat_demand only goes with fraction_of_heat_input")
        if self.t_return_c is not None and self.t_return_c >= self.t_c:
            raise ValueError(f"t_return_c ({self.t_return_c} C) must be below t_c ({self.t_c} C)")
        return self


WasteEnergyType = Literal["heat", "pressure", "cold", "gas"]
"""GB/T 1028 / Zhejiang 序号3 types of waste energy: 余热, 余压, 余冷, 余气."""
WASTE_ENERGY_TYPE_ZH = {"heat": "余热", "pressure": "余压", "cold": "余冷", "gas": "余气"}
_WASTE_ENERGY_UNITS = {
    "pressure": ("kWh", "GJ"),
    "gas": ("m3", "GJ"),
    "cold": ("kWh_th", "GJ"),
    "heat": ("kWh_th", "GJ"),
}


class DeclaredWasteEnergy(BaseModel):
    """A waste-energy resource the twin does not simulate, declared per year in its own unit.

    ``pressure`` (余压): the work recoverable by expanding the stream to the back pressure (e.g. a TRT
    top-gas turbine or a steam expander), in kWh or GJ. ``gas`` (余气): combustible by-product gas, in m3 with
    its net calorific value, or GJ. ``cold`` (余冷): cold released (LNG regasification, cryogenic vents), in
    kWh_th or GJ. ``heat`` (余热) that is not a simulated stream, in kWh_th or GJ. ``recovered_per_year``
    counts only what is delivered to a useful demand. Energies are compared in kWh (1 GJ = 277.78 kWh;
    m3 x NCV).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: WasteEnergyType
    unit: Literal["kWh", "kWh_th", "m3", "GJ"]
    resource_per_year: float = Field(ge=0, description="resource available at the source per year [unit]")
    recovered_per_year: float = Field(ge=0, description="recovered and delivered to a useful demand per year [unit]")
    ncv_kj_per_m3: float | None = Field(default=None, gt=0, description="net calorific value of a gas [kJ/m3]")

    @model_validator(mode="after")
    def _units(self) -> DeclaredWasteEnergy:
        if self.unit not in _WASTE_ENERGY_UNITS[self.type]:
            raise ValueError(
                f"a {self.type} ({WASTE_ENERGY_TYPE_ZH[self.type]}) resource is declared in "
                f"{' or '.join(_WASTE_ENERGY_UNITS[self.type])}, not {self.unit}"
            )
        if (self.unit == "m3") != (self.ncv_kj_per_m3 is not None):
            raise ValueError("ncv_kj_per_m3 goes with unit m3, and only with it")
        if self.recovered_per_year > self.resource_per_year:
            raise ValueError(
                f"recovered_per_year ({self.recovered_per_year:g}) exceeds resource_per_year "
                f"({self.resource_per_year:g})"
            )
        return self

    def e_kwh(self, amount: float) -> float:
        """An amount in this item's unit as energy [kWh].

        Parameters
        ----------
        amount : float
            Quantity in :attr:`unit` (kWh, kWh_th, m3 or GJ).

        Returns
        -------
        float
            Energy [kWh] (a volume at its net calorific value).
        """
        if self.unit == "GJ":
            return amount / GJ_PER_KWH
        if self.unit == "m3":
            return amount * self.ncv_kj_per_m3 / 3600.0
        return amount


class ProductionLine(BaseModel):
    """A production line: schedule, power, heat, waste heat and reliability.

    Attributes are the YAML keys of ``processes[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    calendar: ShiftCalendar = Field(default_factory=ShiftCalendar)
    batch_duration_h: float = Field(
        ge=MIN_BATCH_DURATION_H,
        le=MAX_HOURS,
        description="running time of one batch [h]; at least lingtan.limits.MIN_BATCH_DURATION_H (one minute), "
        "at most lingtan.limits.MAX_HOURS",
    )
    changeover_h: float = Field(
        default=0.0,
        ge=0,
        le=MAX_HOURS,
        description="idle time after each batch [h]; upper bound lingtan.limits.MAX_HOURS",
    )
    p_kw: float = Field(
        ge=0, le=MAX_POWER_KW, description="electric power while running [kW]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    p_idle_kw: float = Field(
        default=0.0,
        ge=0,
        le=MAX_POWER_KW,
        description="electric power in shift while not running [kW]; upper bound lingtan.limits.MAX_POWER_KW",
    )
    heat_demands: tuple[HeatDemand, ...] = Field(default=(), max_length=MAX_ITEMS)
    waste_heat: tuple[WasteHeatStream, ...] = Field(default=(), max_length=MAX_ITEMS)
    waste_energy: tuple[DeclaredWasteEnergy, ...] = Field(
        default=(),
        max_length=MAX_ITEMS,
        description="waste energy the twin does not simulate (余压, 余气, 余冷...), declared per year",
    )
    maintenance: tuple[tuple[dt.datetime, float], ...] = Field(
        default=(),
        max_length=MAX_ITEMS,
        description="planned stops: (start, duration_h); naive starts are local time; at most lingtan.limits.MAX_ITEMS",
    )
    weekly_maintenance: tuple[WeeklyWindow, ...] = Field(default=(), max_length=MAX_ITEMS)
    mtbf_h: float | None = Field(
        default=None,
        gt=0,
        le=MAX_MTBF_H,
        description="mean running hours between failures [h]; none: no breakdowns; "
        "upper bound lingtan.limits.MAX_MTBF_H",
    )
    mttr_h: float | None = Field(
        default=None,
        gt=0,
        le=MAX_HOURS,
        description="mean time to repair, clock hours [h]; upper bound lingtan.limits.MAX_HOURS",
    )
    failure_distribution: Literal["exponential", "weibull"] = "exponential"
    failure_shape: float = Field(
        default=1.0,
        ge=MIN_WEIBULL_SHAPE,
        le=MAX_WEIBULL_SHAPE,
        description="Weibull shape of the time to failure [-]; bounds "
        "lingtan.limits.MIN_WEIBULL_SHAPE .. MAX_WEIBULL_SHAPE",
    )
    repair_distribution: Literal["exponential", "weibull"] = "exponential"
    repair_shape: float = Field(
        default=1.0,
        ge=MIN_WEIBULL_SHAPE,
        le=MAX_WEIBULL_SHAPE,
        description="Weibull shape of the repair time [-]; bounds "
        "lingtan.limits.MIN_WEIBULL_SHAPE .. MAX_WEIBULL_SHAPE",
    )
    seed: int = Field(default=0, ge=0, description="random seed of breakdowns and repairs")

    @model_validator(mode="after")
    def _consistent(self) -> ProductionLine:
        if (self.mtbf_h is None) != (self.mttr_h is None):
            raise ValueError("give both mtbf_h and mttr_h, or neither")
        for kind, items in (
            ("heat_demands", self.heat_demands),
            ("waste_heat", self.waste_heat),
            ("waste_energy", self.waste_energy),
        ):
            names = [x.name for x in items]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"{kind}: duplicate names {dup}")
        demands = {h.name for h in self.heat_demands}
        for w in self.waste_heat:
            if w.fraction_of_heat_input is not None:
                if not self.heat_demands:
                    raise ValueError(f"waste_heat {w.name}: fraction_of_heat_input needs heat_demands")
                if w.heat_demand is not None and w.heat_demand not in demands:
                    raise ValueError(f"waste_heat {w.name}: heat_demand {w.heat_demand!r} not in {sorted(demands)}")
        for i, (_, dur) in enumerate(self.maintenance):
            if not 0 < dur <= MAX_HOURS:
                raise ValueError(
                    f"maintenance[{i}]: duration_h must be positive and at most {MAX_HOURS:g} h, found {dur}"
                )
        events = self.events_per_year()
        if events > MAX_EVENTS_PER_YEAR:
            raise ValueError(
                f"about {events:,.0f} events a year (batches, changeovers, breakdowns and repairs) "
                f"for the production model; at most {MAX_EVENTS_PER_YEAR:,} "
                f"(lingtan.limits.MAX_EVENTS_PER_YEAR): lengthen batch_duration_h or mtbf_h"
            )
        return self

    def events_per_year(self) -> float:
        """Events the production model schedules in a year, at most [-]: a batch, a changeover, a breakdown
        and its repair each take one, over every shift hour of a leap year (holidays and maintenance
        left in). Used to bound the work of one run (:data:`lingtan.limits.MAX_EVENTS_PER_YEAR`).

        Returns
        -------
        float
            Upper bound of the events [-].
        """
        c = self.calendar
        shift_h = min(24.0, c.shifts_per_day * c.shift_hours) * c.working_days_per_week / 7 * MAX_HOURS / 24
        cycle_h = self.batch_duration_h + self.changeover_h
        per_cycle = 2 if self.changeover_h > 0 else 1
        breakdowns = 2 * shift_h / self.mtbf_h if self.mtbf_h is not None else 0.0
        return shift_h / cycle_h * per_cycle + breakdowns

    @model_validator(mode="after")
    def _first_law(self) -> ProductionLine:
        # Heat the line itself rejects (everything but flue gas, which is the fired unit's loss, checked by
        # check_fired_losses) cannot exceed the energy it takes in while running: electricity plus process heat.
        rejected = {w.name: stream_running_q_kw_th(self, w) for w in self.waste_heat if w.kind != "flue_gas"}
        q_in = self.p_kw + sum(h.q_kw_th for h in self.heat_demands)
        if sum(rejected.values()) > q_in * (1.0 + FIRST_LAW_REL_TOL):
            parts = ", ".join(f"{k} {v:g}" for k, v in rejected.items())
            raise ValueError(
                f"first law: the line rejects {sum(rejected.values()):g} kW_th of waste heat while "
                f"running ({parts}) but takes in only {q_in:g} kW (p_kw {self.p_kw:g} + heat demands "
                f"{q_in - self.p_kw:g} kW_th)"
            )
        return self


FIRST_LAW_REL_TOL = 1e-9
"""Relative slack of the first-law checks: float noise only."""


class FirstLawError(ValueError):
    """A declared waste heat the plant's energy input cannot supply; ``field_path`` names the YAML field.

    Parameters
    ----------
    field_path : str
        The YAML field of the declared waste heat, e.g. ``processes[0].waste_heat[1]``.
    message : str
        What the energy input can supply and what was declared.
    """

    def __init__(self, field_path: str, message: str):
        self.field_path = field_path
        super().__init__(message)


def stream_running_q_kw_th(line: ProductionLine, stream: WasteHeatStream) -> float:
    """Heat a waste-heat stream carries while its line runs [kW_th] (how :func:`simulate_line` sets it).

    Parameters
    ----------
    line : ProductionLine
        The line.
    stream : WasteHeatStream
        One of its waste-heat streams.

    Returns
    -------
    float
        Heat of the stream at full running [kW_th].
    """
    if stream.q_kw_th is not None:
        return stream.q_kw_th
    if stream.fraction_of_electric_input is not None:
        return stream.fraction_of_electric_input * line.p_kw
    demands = [h for h in line.heat_demands if stream.heat_demand in (None, h.name)]
    return stream.fraction_of_heat_input * sum(h.q_kw_th for h in demands)


def check_fired_losses(lines, boilers, prefix: str = "") -> None:
    """Refuse flue gas that the fuel-fired units serving a line cannot have lost (first law).

    A line's process heat comes from the fuel boilers and furnaces able to reach each heat demand's
    temperature (``boiler.t_c >= demand.t_c``, as in :mod:`lingtan.twin.core.heat_profiles`). A unit of efficiency
    ``eta`` (heat out / fuel in at NCV) loses ``q * (1 / eta - 1)`` when it delivers ``q``; flue gas is part
    of that loss, so the line's flue-gas streams together carry at most
    ``sum_d q_d * (1 / eta_d - 1)``, with ``eta_d`` the lowest efficiency among the fuel-fired units that
    can serve demand ``d`` (the loosest bound: the check refuses only what no dispatch could make
    possible). A flue-gas stream on a line with heat demands that no fuel-fired unit can serve is refused
    too: no fuel burns for it. A line without heat demands burns fuel the twin does not model, so its flue
    gas cannot be checked here.

    Parameters
    ----------
    lines : sequence of ProductionLine
    boilers : sequence of lingtan.components.heat.Boiler
    prefix : str
        Path of the assets in the file (``tenants[2].``) for the error's field path.

    Raises
    ------
    FirstLawError
        With the line's field path and the numbers.
    """
    fired = [b for b in boilers if b.fuel != "electric"]
    for i, line in enumerate(lines):
        flue = {k: w for k, w in enumerate(line.waste_heat) if w.kind == "flue_gas"}
        if not flue or not line.heat_demands:
            continue
        q_flue = sum(stream_running_q_kw_th(line, w) for w in flue.values())
        fuel_kw = useful_kw = 0.0
        units = set()
        for h in line.heat_demands:
            able = [b for b in fired if b.t_c >= h.t_c]
            if able:
                worst = min(able, key=lambda b: b.efficiency)
                units.add(f"{worst.name} (efficiency {worst.efficiency:g})")
                fuel_kw += h.q_kw_th / worst.efficiency
                useful_kw += h.q_kw_th
        k = next(iter(flue))
        path = f"{prefix}processes[{i}].waste_heat[{k}]"
        if not units:
            raise FirstLawError(
                path,
                f"first law: line {line.name!r} declares flue gas ({q_flue:g} kW_th) but no "
                f"fuel-fired boiler or furnace can serve its heat demands "
                f"({', '.join(f'{h.name} at {h.t_c:g} C' for h in line.heat_demands)})",
            )
        if q_flue > (fuel_kw - useful_kw) * (1.0 + FIRST_LAW_REL_TOL):
            raise FirstLawError(
                path,
                f"first law: line {line.name!r} declares {q_flue:g} kW_th of flue gas while "
                f"running, but its fuel-fired units ({', '.join(sorted(units))}) burn "
                f"{fuel_kw:g} kW of fuel for {useful_kw:g} kW_th of useful heat and so lose "
                f"at most {fuel_kw - useful_kw:g} kW_th",
            )


# --------------------------------------------------------------------------------------
# Exact integration of intervals onto the hourly grid
# --------------------------------------------------------------------------------------
def _check_hourly(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    if not isinstance(index, pd.DatetimeIndex) or len(index) == 0:
        raise InputError(None, "index", "a non-empty hourly DatetimeIndex", type(index).__name__)
    # Increasing whole hours; a leap year's 29 February may be missing (the weather year keeps 8760 hours).
    steps = np.diff(index.asi8)
    bad = (steps <= 0) | (steps % NS_PER_HOUR != 0)
    if steps.size and np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            None,
            "index",
            "increasing hourly labels (whole hours apart, interval start)",
            f"a step of {steps[k] / NS_PER_HOUR} h after {index[k]}",
        )
    return index


def _to_ns(values, tz) -> np.ndarray:
    """Timestamps to integer UTC nanoseconds; naive ones are read as local time in ``tz``."""
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        stamps = pd.DatetimeIndex(values)
    else:  # element by element, so that a list may mix time zones and naive local times
        out = []
        for v in values:
            ts = pd.Timestamp(v)
            if ts.tz is None:
                ts = ts.tz_localize(tz) if tz is not None else ts
            elif tz is None:
                raise ValueError("tz-aware intervals need a tz-aware index")
            out.append(ts.as_unit("ns").value)
        return np.array(out, dtype=np.int64)
    if stamps.tz is None and tz is not None:
        stamps = stamps.tz_localize(tz)
    elif stamps.tz is not None and tz is None:
        raise ValueError("tz-aware intervals need a tz-aware index")
    return stamps.as_unit("ns").asi8.astype(np.int64)


def _merge_ns(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals [s, e) as sorted disjoint intervals (integer arithmetic)."""
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if starts.size == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    run_end = np.maximum.accumulate(ends)
    new = np.empty(starts.size, dtype=bool)
    new[0] = True
    new[1:] = starts[1:] > run_end[:-1]
    group = np.cumsum(new) - 1
    m_starts = starts[new]
    m_ends = np.zeros(m_starts.size, dtype=np.int64)
    np.maximum.at(m_ends, group, ends)
    return m_starts, m_ends


def _covered_ns(starts: np.ndarray, ends: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Time covered by sorted disjoint intervals before each instant ``t`` [ns]."""
    cum = np.concatenate([[0], np.cumsum(ends - starts)])
    j = np.searchsorted(ends, t, side="right")  # intervals entirely before t
    partial = np.zeros(t.shape, dtype=np.int64)
    inside = j < starts.size
    jj = j[inside]
    partial[inside] = np.clip(t[inside] - starts[jj], 0, ends[jj] - starts[jj])
    return cum[j] + partial


def _fraction_from_ns(starts: np.ndarray, ends: np.ndarray, grid_ns: np.ndarray) -> np.ndarray:
    starts, ends = _merge_ns(np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))
    if starts.size == 0:
        return np.zeros(grid_ns.size)
    # Each hour [t, t + 1 h) on its own, so an index with a skipped day (29 February) stays exact.
    return (_covered_ns(starts, ends, grid_ns + NS_PER_HOUR) - _covered_ns(starts, ends, grid_ns)) / NS_PER_HOUR


def running_fraction_per_hour(intervals, index: pd.DatetimeIndex) -> np.ndarray:
    """Share of each hour covered by a set of time intervals, computed exactly [-].

    Parameters
    ----------
    intervals : DataFrame with ``start`` and ``end`` columns, or iterable of (start, end)
        Half-open intervals ``[start, end)`` as timestamps (``pd.Timestamp``, ``datetime``,
        ``numpy.datetime64`` or strings). Naive timestamps are local time in the index's
        time zone. Overlapping intervals count once; parts outside the index are ignored;
        empty or reversed intervals count nothing.
    index : DatetimeIndex
        Hourly labels at the interval start, increasing by whole hours (a skipped day is allowed).

    Returns
    -------
    ndarray
        For hour ``h`` (from ``index[h]`` to ``index[h] + 1 h``), the covered time divided by
        one hour, in ``[0, 1]``. Computed in integer nanoseconds, so the only rounding is
        the final division (running 10:00-10:40 gives exactly ``2400 / 3600``).
    """
    index = _check_hourly(index)
    if isinstance(intervals, pd.DataFrame):
        starts, ends = intervals["start"], intervals["end"]
    else:
        pairs = list(intervals)
        if pairs and any(len(p) != 2 for p in pairs):
            raise ValueError("intervals must be (start, end) pairs")
        starts = [p[0] for p in pairs]
        ends = [p[1] for p in pairs]
    if len(starts) == 0:
        return np.zeros(len(index))
    s = _to_ns(starts, index.tz)
    e = _to_ns(ends, index.tz)
    return _fraction_from_ns(s, e, index.asi8.astype(np.int64))


# --------------------------------------------------------------------------------------
# Calendar -> production windows
# --------------------------------------------------------------------------------------
def _local_ns(days: pd.DatetimeIndex, hours: float, tz) -> np.ndarray:
    """Local wall-clock instants ``day + hours`` as UTC ns (DST gaps shift forward)."""
    naive = days + pd.to_timedelta(hours, unit="h")
    if tz is not None:
        naive = naive.tz_localize(tz, ambiguous=False, nonexistent="shift_forward")
    return naive.as_unit("ns").asi8.astype(np.int64)


def _days_around(index: pd.DatetimeIndex, before: int, after: int) -> pd.DatetimeIndex:
    first = index[0].tz_localize(None).normalize() if index.tz is not None else index[0].normalize()
    last = index[-1].tz_localize(None).normalize() if index.tz is not None else index[-1].normalize()
    return pd.date_range(first - pd.Timedelta(days=before), last + pd.Timedelta(days=after), freq="D")


def shift_windows_ns(calendar: ShiftCalendar, index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Shift time of a calendar over the span of ``index``, merged [UTC ns, half-open].

    Parameters
    ----------
    calendar : ShiftCalendar
        Working days, shifts and holidays.
    index : DatetimeIndex
        Hours of the run (tz-aware).

    Returns
    -------
    tuple of ndarray of int64
        Window starts and ends [UTC ns], sorted and disjoint.
    """
    days = _days_around(index, 1, 0)
    working = days.dayofweek < calendar.working_days_per_week
    if calendar.holidays:
        working &= ~days.normalize().isin(pd.DatetimeIndex(calendar.holidays))
    days = days[working]
    starts = _local_ns(days, calendar.first_shift_start_h, index.tz)
    ends = starts + int(round(calendar.shifts_per_day * calendar.shift_hours * NS_PER_HOUR))
    return _merge_ns(starts, ends)


def maintenance_windows_ns(line: ProductionLine, index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Planned maintenance of a line over the span of ``index``, merged [UTC ns].

    Parameters
    ----------
    line : ProductionLine
        The line (``maintenance`` and ``weekly_maintenance``).
    index : DatetimeIndex
        Hours of the run (tz-aware).

    Returns
    -------
    tuple of ndarray of int64
        Window starts and ends [UTC ns], sorted and disjoint.
    """
    starts, ends = [], []
    if line.maintenance:
        s = _to_ns([m[0] for m in line.maintenance], index.tz)
        starts.append(s)
        ends.append(s + np.array([int(round(m[1] * NS_PER_HOUR)) for m in line.maintenance], dtype=np.int64))
    if line.weekly_maintenance:
        days = _days_around(index, 7, 0)
        for w in line.weekly_maintenance:
            d = days[days.dayofweek == w.weekday]
            s = _local_ns(d, w.start_h, index.tz)
            starts.append(s)
            ends.append(s + int(round(w.duration_h * NS_PER_HOUR)))
    if not starts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return _merge_ns(np.concatenate(starts), np.concatenate(ends))


def _subtract_ns(a_s, a_e, b_s, b_e):
    """Sorted disjoint intervals A minus B (both sorted disjoint)."""
    out_s, out_e = [], []
    j = 0
    for s, e in zip(a_s.tolist(), a_e.tolist(), strict=True):
        cur = s
        while j < len(b_s) and b_e[j] <= cur:
            j += 1
        k = j
        while k < len(b_s) and b_s[k] < e:
            if b_s[k] > cur:
                out_s.append(cur)
                out_e.append(int(b_s[k]))
            cur = max(cur, int(b_e[k]))
            k += 1
        if cur < e:
            out_s.append(cur)
            out_e.append(e)
    return np.array(out_s, dtype=np.int64), np.array(out_e, dtype=np.int64)


def _clip_ns(s, e, lo, hi):
    s2, e2 = np.clip(s, lo, hi), np.clip(e, lo, hi)
    keep = e2 > s2
    return s2[keep], e2[keep]


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class LineResult:
    """Hourly results of one production line.

    Attributes
    ----------
    name : str
    index : DatetimeIndex
    running_fraction : ndarray
        Share of each hour the line runs a batch [-].
    scheduled_fraction : ndarray
        Share of each hour inside a production window [-].
    p_kw : ndarray
        Mean electric power of the hour [kW].
    heat_demand_q_kw_th : dict[str, ndarray]
        Per heat demand, mean heat needed [kW_th].
    heat_demand_t_c : dict[str, float]
        Per heat demand, supply temperature [C].
    waste_heat_q_kw_th : dict[str, ndarray]
        Per waste-heat stream, mean heat available [kW_th].
    waste_heat_t_c : dict[str, float]
        Per waste-heat stream, supply temperature [C].
    availability : float
        Running hours / scheduled hours [-] (NaN with no scheduled hours).
    running_hours, scheduled_hours : float
        [h]
    batches_completed, breakdowns : int
    events : DataFrame
        Columns ``start``, ``end`` (tz-aware timestamps) and ``state`` in {"running",
        "changeover", "down", "maintenance"}, sorted by start. ``down`` (repair) may run
        outside shifts and across maintenance.
    """

    name: str
    index: pd.DatetimeIndex
    running_fraction: np.ndarray
    scheduled_fraction: np.ndarray
    p_kw: np.ndarray
    heat_demand_q_kw_th: dict
    heat_demand_t_c: dict
    waste_heat_q_kw_th: dict
    waste_heat_t_c: dict
    availability: float
    running_hours: float
    scheduled_hours: float
    batches_completed: int
    breakdowns: int
    events: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Hourly table: ``running_fraction``, ``p_kw``, ``heat_<name>_q_kw_th``,
        ``waste_<name>_q_kw_th``.

        Returns
        -------
        DataFrame
            One row per hour of the run.
        """
        cols = {"running_fraction": self.running_fraction, "p_kw": self.p_kw}
        cols.update({f"heat_{k}_q_kw_th": v for k, v in self.heat_demand_q_kw_th.items()})
        cols.update({f"waste_{k}_q_kw_th": v for k, v in self.waste_heat_q_kw_th.items()})
        return pd.DataFrame(cols, index=self.index)


# --------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------
def _sampler(rng: np.random.Generator, distribution: str, mean: float, shape: float):
    if distribution == "exponential":
        return lambda: float(rng.exponential(mean))
    scale = mean / math.gamma(1.0 + 1.0 / shape)  # Weibull scale giving the requested mean
    return lambda: float(scale * rng.weibull(shape))


def simulate_line(line: ProductionLine, index: pd.DatetimeIndex, seed: int | None = None) -> LineResult:
    """Simulate a production line over ``index`` on simpy and integrate it hourly.

    Parameters
    ----------
    line : ProductionLine
    index : DatetimeIndex
        Hourly, consecutive, tz-aware (local time of the site), labelled at the interval
        start. The simulation covers ``[index[0], index[-1] + 1 h)``.
    seed : int, optional
        Overrides ``line.seed``. The same seed gives the same result exactly.

    Returns
    -------
    LineResult
        See the module docstring for the model.
    """
    index = _check_hourly(index)
    t0 = int(index.asi8[0])
    t_end = int(index.asi8[-1]) + NS_PER_HOUR
    pr_s, pr_e, mt_s, mt_e = _production_and_maintenance_ns(line, index, t0, t_end)
    log = _play_line(line, pr_s, pr_e, t0, t_end, line.seed if seed is None else seed)
    sim_s, sim_e, sim_states = log.intervals_ns(t0)
    events = _event_table(sim_s, sim_e, sim_states, mt_s, mt_e, index.tz)

    running = events.loc[events["state"] == "running", ["start", "end"]]
    running_fraction = running_fraction_per_hour(running, index)
    windows_df = pd.DataFrame({"start": _stamps(pr_s, index.tz), "end": _stamps(pr_e, index.tz)})
    scheduled_fraction = running_fraction_per_hour(windows_df, index)
    p_kw, heat, waste = _line_flows(line, running_fraction, scheduled_fraction)

    is_run = sim_states == "running"
    running_hours = float(np.sum(sim_e[is_run] - sim_s[is_run]) / NS_PER_HOUR)
    scheduled_hours = float(np.sum(pr_e - pr_s) / NS_PER_HOUR)
    availability = running_hours / scheduled_hours if scheduled_hours > 0 else float("nan")

    return LineResult(
        name=line.name,
        index=index,
        running_fraction=running_fraction,
        scheduled_fraction=scheduled_fraction,
        p_kw=p_kw,
        heat_demand_q_kw_th=heat,
        heat_demand_t_c={h.name: h.t_c for h in line.heat_demands},
        waste_heat_q_kw_th=waste,
        waste_heat_t_c={w.name: w.t_c for w in line.waste_heat},
        availability=availability,
        running_hours=running_hours,
        scheduled_hours=scheduled_hours,
        batches_completed=log.batches,
        breakdowns=log.breakdowns,
        events=events,
    )


# --------------------------------------------------------------------------------------
# Steps of simulate_line
# --------------------------------------------------------------------------------------
def _production_and_maintenance_ns(
    line: ProductionLine, index: pd.DatetimeIndex, t0: int, t_end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The line's production windows (shift time minus maintenance) and its maintenance, both clipped to
    the simulated span ``[t0, t_end)`` [UTC ns, half-open, sorted and disjoint].

    Returns
    -------
    pr_s, pr_e, mt_s, mt_e : numpy.ndarray
        Starts and ends of the production windows, then of the maintenance windows [ns].
    """
    sh_s, sh_e = shift_windows_ns(line.calendar, index)
    mt_s, mt_e = maintenance_windows_ns(line, index)
    pr_s, pr_e = _subtract_ns(sh_s, sh_e, mt_s, mt_e)
    pr_s, pr_e = _clip_ns(pr_s, pr_e, t0, t_end)
    mt_s, mt_e = _clip_ns(mt_s, mt_e, t0, t_end)
    return pr_s, pr_e, mt_s, mt_e


class _EventLog:
    """What a line did, as intervals in hours since the start, with its batch and breakdown counts.

    Parameters
    ----------
    horizon_h : float
        End of the simulated span [h]; intervals are cut there.
    """

    def __init__(self, horizon_h: float):
        self.horizon_h = horizon_h
        self.intervals: list[tuple[float, float, str]] = []
        self.batches = 0
        self.breakdowns = 0
        self.stopped_at_h: float | None = None

    def record(self, state: str, start: float, end: float) -> None:
        """Add ``[start, end)`` [h] in ``state``, joined to the last interval when it continues it."""
        end = min(end, self.horizon_h)
        if end > start:
            log = self.intervals
            if log and log[-1][2] == state and abs(log[-1][1] - start) < _EPS_H:
                log[-1] = (log[-1][0], end, state)  # a batch resumed right away: one interval
            else:
                log.append((start, end, state))

    def intervals_ns(self, t0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The intervals as UTC nanoseconds (``t0`` the start) and their states.

        Returns
        -------
        starts, ends : numpy.ndarray of int64
            [ns]
        states : numpy.ndarray of object
        """
        sim = pd.DataFrame(self.intervals, columns=["start_h", "end_h", "state"])
        sim_s = t0 + np.round(sim["start_h"].to_numpy(dtype=float) * NS_PER_HOUR).astype(np.int64)
        sim_e = t0 + np.round(sim["end_h"].to_numpy(dtype=float) * NS_PER_HOUR).astype(np.int64)
        return sim_s, sim_e, sim["state"].to_numpy(dtype=object)


def _play_line(
    line: ProductionLine, pr_s: np.ndarray, pr_e: np.ndarray, t0: int, t_end: int, seed: int | None
) -> _EventLog:
    """Run the line through its production windows on simpy.

    Parameters
    ----------
    line : ProductionLine
    pr_s, pr_e : numpy.ndarray
        Production windows [UTC ns].
    t0, t_end : int
        The simulated span [UTC ns].
    seed : int or None
        Seed of the breakdown and repair draws.

    Returns
    -------
    _EventLog

    Raises
    ------
    InputError
        More events than :data:`lingtan.limits.MAX_EVENTS_PER_YEAR` a year.
    """
    horizon_h = (t_end - t0) / NS_PER_HOUR
    windows = [
        ((s - t0) / NS_PER_HOUR, (e - t0) / NS_PER_HOUR) for s, e in zip(pr_s.tolist(), pr_e.tolist(), strict=True)
    ]
    rng = np.random.default_rng(seed)
    breakdowns_on = line.mtbf_h is not None
    draw_ttf = _sampler(rng, line.failure_distribution, line.mtbf_h, line.failure_shape) if breakdowns_on else None
    draw_ttr = _sampler(rng, line.repair_distribution, line.mttr_h, line.repair_shape) if breakdowns_on else None
    # Random draws (a small Weibull shape) can schedule more events than the schema's estimate: stop then.
    # Shift and maintenance windows add a few thousand waits a year.
    max_events = (MAX_EVENTS_PER_YEAR + 2 * len(windows)) * max(1.0, horizon_h / MAX_HOURS)
    log = _EventLog(horizon_h)
    env = simpy.Environment()
    env.process(_line_process(env, line, windows, log, draw_ttf, draw_ttr, max_events))
    env.run(until=horizon_h)
    if log.stopped_at_h is not None:
        raise InputError(
            None,
            f"processes ({line.name})",
            f"at most {MAX_EVENTS_PER_YEAR:,} production events a year (lingtan.limits.MAX_EVENTS_PER_YEAR)",
            f"more than that by hour {log.stopped_at_h:.0f}: lengthen batch_duration_h, mtbf_h or mttr_h",
        )
    return log


def _line_process(
    env: simpy.Environment,
    line: ProductionLine,
    windows: list[tuple[float, float]],
    log: _EventLog,
    draw_ttf,
    draw_ttr,
    max_events: float,
):
    """The simpy process of a line: batches and changeovers inside the windows [h], breakdowns and repairs.

    ``draw_ttf`` and ``draw_ttr`` draw a time to failure (in running hours) and a repair time [h]; None
    without breakdowns. After ``max_events`` steps the process stops and sets ``log.stopped_at_h``
    (raised by :func:`_play_line`: simpy re-creates exceptions from their args).
    """
    breakdowns_on = draw_ttf is not None
    batch_left = 0.0
    changeover_left = 0.0
    ttf_left = draw_ttf() if breakdowns_on else math.inf
    w = steps = 0
    while w < len(windows):
        steps += 1
        if steps > max_events:
            log.stopped_at_h = env.now
            return
        ws, we = windows[w]
        if env.now >= we - _EPS_H:
            w += 1
            continue
        if env.now < ws:
            yield env.timeout(ws - env.now)  # off shift or in maintenance
            continue
        if changeover_left > 0.0:
            step = min(changeover_left, we - env.now)
            log.record("changeover", env.now, env.now + step)
            yield env.timeout(step)
            changeover_left = 0.0 if step == changeover_left else changeover_left - step
            continue
        if batch_left <= 0.0:
            batch_left = line.batch_duration_h
        step = min(batch_left, ttf_left, we - env.now)
        log.record("running", env.now, env.now + step)
        yield env.timeout(step)
        ttf_left = 0.0 if step == ttf_left else ttf_left - step
        batch_left = 0.0 if step == batch_left else batch_left - step
        if batch_left <= _EPS_H:
            batch_left = 0.0
            log.batches += 1
            changeover_left = line.changeover_h
        if breakdowns_on and ttf_left <= _EPS_H:
            log.breakdowns += 1
            repair = draw_ttr()
            log.record("down", env.now, env.now + repair)
            yield env.timeout(repair)
            ttf_left = draw_ttf()


def _stamps(ns: np.ndarray, tz) -> pd.DatetimeIndex:
    """UTC nanoseconds as timestamps in ``tz`` (naive when ``tz`` is None)."""
    out = pd.DatetimeIndex(ns.astype("datetime64[ns]"))
    return out.tz_localize("UTC").tz_convert(tz) if tz is not None else out


def _event_table(
    sim_s: np.ndarray, sim_e: np.ndarray, sim_states: np.ndarray, mt_s: np.ndarray, mt_e: np.ndarray, tz
) -> pd.DataFrame:
    """The simulated intervals and the maintenance windows as one table sorted by start.

    Parameters
    ----------
    sim_s, sim_e, sim_states : numpy.ndarray
        Simulated intervals [UTC ns] and their states.
    mt_s, mt_e : numpy.ndarray
        Maintenance windows [UTC ns].
    tz : tzinfo or None
        Time zone of the stamps.

    Returns
    -------
    DataFrame
        ``start``, ``end`` (timestamps) and ``state`` (see :class:`LineResult`).
    """
    all_s = np.concatenate([sim_s, mt_s])
    all_e = np.concatenate([sim_e, mt_e])
    states = np.concatenate([sim_states, np.full(mt_s.size, "maintenance", dtype=object)])
    order = np.argsort(all_s, kind="stable")
    return pd.DataFrame({"start": _stamps(all_s[order], tz), "end": _stamps(all_e[order], tz), "state": states[order]})


def _line_flows(
    line: ProductionLine, running_fraction: np.ndarray, scheduled_fraction: np.ndarray
) -> tuple[np.ndarray, dict, dict]:
    """Hourly electricity, heat demands and waste heat of a line from its running and scheduled shares.

    Parameters
    ----------
    line : ProductionLine
    running_fraction, scheduled_fraction : numpy.ndarray
        Share of each hour running, and inside a production window [-].

    Returns
    -------
    p_kw : numpy.ndarray
        Mean electric power [kW]: ``p_kw`` running, ``p_idle_kw`` idle in a window.
    heat : dict of str to numpy.ndarray
        Heat demand by name [kW_th].
    waste : dict of str to numpy.ndarray
        Waste heat by stream [kW_th].
    """
    idle_in_shift = np.clip(scheduled_fraction - running_fraction, 0.0, 1.0)
    p_run_kw = line.p_kw * running_fraction
    p_kw = p_run_kw + line.p_idle_kw * idle_in_shift
    heat = {h.name: h.q_kw_th * running_fraction for h in line.heat_demands}
    heat_total = sum(heat.values()) if heat else np.zeros(len(running_fraction))
    waste = {}
    for wstream in line.waste_heat:
        if wstream.q_kw_th is not None:
            waste[wstream.name] = wstream.q_kw_th * running_fraction
        elif wstream.fraction_of_electric_input is not None:
            waste[wstream.name] = wstream.fraction_of_electric_input * p_run_kw
        else:
            base = heat[wstream.heat_demand] if wstream.heat_demand is not None else heat_total
            waste[wstream.name] = wstream.fraction_of_heat_input * base
    return p_kw, heat, waste
