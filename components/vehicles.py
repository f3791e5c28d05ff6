"""Vehicles and chargers: a fleet by type, its daily charging, and the shares the Anhui park criteria read.

Anhui zero-carbon park admission standard (皖发改产业〔2024〕254号, Annex 1, 2.2 交通物流系统):
"园区内新能源交通物流运输工具比例须达到30%及以上" and "园区应建设充足的新能源车辆停车位与充电桩,
新能源交通基础设施覆盖率须达到 10%及以上". This module turns a declared fleet into those two shares and into
the charging load the electric balance carries.

Model
-----
* A vehicle group is ``count`` identical vehicles of one type (logistics truck, forklift, bus, car) and one
  fuel (electric, diesel, petrol). Each drives ``distance_km_per_day`` (or ``trips_per_day x km_per_trip``)
  on every day of the year and comes back to the site at ``arrival_h`` and leaves at ``departure_h``, each
  drawn per vehicle and day from a normal distribution (mean, spread = standard deviation [h]) with a seeded
  generator, clipped to the day. A departure at or before the arrival's mean hour is on the next morning.
* An electric vehicle needs ``distance x consumption_kwh_per_km`` on its return. The consumption is taken at
  the charger's meter (wall to wheel), so the charger's losses are inside it and the charging load is the
  energy drawn from the site's bus.
* ``unmanaged`` charging: a vehicle plugs into a free charger of its group at arrival (first come, first
  served; a depot moves a full vehicle off its charger for the next) and charges at the charger's full power
  until full or until it departs. What it did not get is unmet energy and its next day is an unmet trip:
  reported, never dropped.
* ``smart`` charging (:func:`smart_sessions`): each session's energy is placed in the steps of its stay, cheapest
  first: the site's renewable surplus, then valley, flat, peak and critical hours of the tariff; never above the
  charger's power nor the pool's, never lifting the site's import above its demand target. What that cannot place
  before departure is charged as unmanaged would; what is still short is unmet.
* The year is a typical year: charging that runs past the last step wraps to the first (the night of
  31 December is the night before 1 January), so the year's load holds every session's energy.

Shares
------
* New-energy vehicle share = electric vehicles / all vehicles of the fleet, by count.
* Charging coverage, two readings of "新能源交通基础设施覆盖率": charge points / parking spaces
  (``per_parking_space``) and charge points / vehicles (``per_vehicle``), each capped at 1.

References
----------
.. [1] Anhui DRC, 安徽省零碳产业园区建设方案(试行), 皖发改产业〔2024〕254号, Annex 1, 2.2 (shared/seeds, 004).
.. [2] GB/T 32150-2015 default CO2 factors and GB 19147 / GB 17930 densities of diesel and petrol, as shipped
   in ``components/data/fuels.csv`` with their sources.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.fuel_use import FuelUse
from lingtan.errors import FieldPathError
from lingtan.limits import MAX_COUNT, MAX_POWER_KW

VEHICLE_TYPES = ("logistics_truck", "forklift", "bus", "car")
FUEL_NAMES = {"diesel": "diesel", "petrol": "gasoline"}
"""A vehicle's liquid fuel -> its row in ``components/data/fuels.csv``."""
H_PER_DAY = 24.0
FULL_TOL_H = 1e-9
"""A session that ends this close after its departure [h] (float noise of summed times) counts as full."""
FULL_TOL_KWH = 1e-9
"""A smart session this close to its need [kWh] (float noise of summed placements) counts as full."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VehicleGroup(_Strict):
    """``count`` identical vehicles: their type, fuel, daily driving and when they are on site.

    Attributes are the YAML keys of ``vehicles[i]``.
    """

    name: str
    type: Literal["logistics_truck", "forklift", "bus", "car"]
    count: int = Field(ge=1, le=MAX_COUNT, description="vehicles in the group")
    fuel: Literal["electric", "diesel", "petrol"]
    distance_km_per_day: float | None = Field(default=None, ge=0, le=5000, description="per vehicle [km/day]")
    trips_per_day: float | None = Field(default=None, ge=0, le=1000, description="per vehicle [1/day]")
    km_per_trip: float | None = Field(default=None, ge=0, le=5000, description="[km]")
    consumption_kwh_per_km: float | None = Field(
        default=None, gt=0, le=10, description="electric: energy at the charger's meter per km [kWh/km]"
    )
    consumption_l_per_100km: float | None = Field(
        default=None, gt=0, le=200, description="diesel or petrol: fuel per 100 km [L/100 km]"
    )
    arrival_h: float = Field(ge=0, lt=24, description="mean hour of return to the site [h]")
    arrival_spread_h: float = Field(default=0.0, ge=0, le=12, description="standard deviation of the arrival [h]")
    departure_h: float = Field(
        ge=0, lt=24, description="mean hour of departure [h]; at or before arrival_h: the next morning"
    )
    departure_spread_h: float = Field(default=0.0, ge=0, le=12, description="standard deviation of the departure [h]")
    charger: str | None = Field(default=None, description="electric: the name of its charger group (chargers[])")
    replaces_fuel: Literal["diesel", "petrol"] | None = Field(
        default=None, description="electric: the fuel the vehicle it replaced burnt (for the fuel avoided)"
    )
    replaced_l_per_100km: float | None = Field(
        default=None, gt=0, le=200, description="electric: that vehicle's consumption [L/100 km]"
    )

    @model_validator(mode="after")
    def _consistent(self) -> VehicleGroup:
        per_trip = self.trips_per_day is not None or self.km_per_trip is not None
        if (self.distance_km_per_day is None) == (not per_trip):
            raise FieldPathError(
                "distance_km_per_day",
                "either distance_km_per_day or trips_per_day with km_per_trip",
                "both" if per_trip else "neither",
            )
        if per_trip and (self.trips_per_day is None or self.km_per_trip is None):
            missing = "km_per_trip" if self.km_per_trip is None else "trips_per_day"
            raise FieldPathError(missing, "trips_per_day and km_per_trip together")
        electric = self.fuel == "electric"
        need, refuse = (
            ("consumption_kwh_per_km", "consumption_l_per_100km")
            if electric
            else ("consumption_l_per_100km", "consumption_kwh_per_km")
        )
        if getattr(self, need) is None:
            unit = "[kWh/km]" if electric else "[L/100 km]"
            raise FieldPathError(need, f"the consumption {unit} of {'an' if electric else 'a'} {self.fuel} vehicle")
        if getattr(self, refuse) is not None:
            raise FieldPathError(
                refuse,
                f"no {refuse} for {'an' if electric else 'a'} {self.fuel} vehicle (give {need})",
                repr(getattr(self, refuse)),
            )
        if electric and self.charger is None:
            raise FieldPathError("charger", "the name of the charger group an electric vehicle charges at")
        for field in ("charger", "replaces_fuel", "replaced_l_per_100km"):
            if not electric and getattr(self, field) is not None:
                raise FieldPathError(
                    field, f"nothing: {field} is for an electric vehicle only", repr(getattr(self, field))
                )
        if (self.replaces_fuel is None) != (self.replaced_l_per_100km is None):
            raise FieldPathError(
                "replaced_l_per_100km",
                "replaces_fuel and replaced_l_per_100km together",
                repr(self.replaced_l_per_100km) if self.replaces_fuel is None else "nothing",
            )
        return self


class ChargerGroup(_Strict):
    """``count`` charge points of one power. Attributes are the YAML keys of ``chargers[i]``."""

    name: str
    power_kw: float = Field(gt=0, le=MAX_POWER_KW, description="power of one charge point [kW]")
    count: int = Field(ge=1, le=MAX_COUNT, description="charge points (each serves one vehicle at a time)")


class Charging(_Strict):
    """How the fleet charges, and the site's parking spaces. The YAML section ``charging:``; a bare strategy
    (``charging: smart``) stands for ``{strategy: smart}``."""

    strategy: Literal["unmanaged", "smart"] = Field(
        default="unmanaged",
        description="unmanaged: full power from arrival until full; smart: renewable surplus, then valley, flat, "
        "peak hours, within the charger, the departure and the site's demand target (smart_sessions)",
    )
    seed: int = Field(default=1, ge=0, description="seed of the arrival and departure draws")
    parking_spaces: int | None = Field(
        default=None, ge=1, le=MAX_COUNT, description="parking spaces of the site, for the coverage per space"
    )

    @model_validator(mode="before")
    @classmethod
    def _bare_strategy(cls, data):
        return {"strategy": data} if isinstance(data, str) else data


def distance_km_per_day(group: VehicleGroup) -> float:
    """Distance one vehicle of a group drives a day [km/day].

    Parameters
    ----------
    group : VehicleGroup
        The group.

    Returns
    -------
    float
        ``distance_km_per_day``, else ``trips_per_day x km_per_trip`` [km/day].
    """
    if group.distance_km_per_day is not None:
        return group.distance_km_per_day
    return float(group.trips_per_day) * float(group.km_per_trip)


def plug_windows(group: VehicleGroup, n_days: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Arrival and departure of every vehicle of a group on every day [h from the first day's midnight].

    Arrival on day d: ``24 d + clip(arrival_h + arrival_spread_h z, 0, 24)``; departure likewise from
    ``departure_h``, a day later when ``departure_h <= arrival_h`` (overnight), and never more than 24 h after
    the arrival nor before it (a draw that crosses gives an empty window).

    Parameters
    ----------
    group : VehicleGroup
        Its times and spreads [h].
    n_days : int
        Days of the year.
    rng : numpy.random.Generator
        Draws ``2 x count x n_days`` standard normals (arrivals, then departures).

    Returns
    -------
    arrive_h, depart_h : ndarray, shape (count, n_days)
        Plug-in and plug-out times [h].
    """
    day = np.arange(n_days, dtype=float)[None, :] * H_PER_DAY
    z_arr = rng.standard_normal((group.count, n_days))
    z_dep = rng.standard_normal((group.count, n_days))
    top = np.nextafter(H_PER_DAY, 0.0)
    arrive = day + np.clip(group.arrival_h + group.arrival_spread_h * z_arr, 0.0, top)
    overnight = H_PER_DAY if group.departure_h <= group.arrival_h else 0.0
    depart = day + overnight + np.clip(group.departure_h + group.departure_spread_h * z_dep, 0.0, top)
    return arrive, np.clip(depart, arrive, arrive + H_PER_DAY)


def unmanaged_sessions(
    arrive_h: np.ndarray, depart_h: np.ndarray, need_kwh: np.ndarray, power_kw: float, n_chargers: int
) -> tuple[np.ndarray, np.ndarray]:
    """Charge at full power from plug-in until full or departure, first come first served on a pool of chargers.

    A vehicle takes the charger that frees first; it plugs in at ``max(arrival, free)`` and holds the charger
    until it is full or leaves, whichever is first. A vehicle whose departure comes before any charger frees
    gets nothing.

    Parameters
    ----------
    arrive_h, depart_h : ndarray, shape (S,)
        Plug-in window of each session [h].
    need_kwh : ndarray, shape (S,)
        Energy each session needs [kWh], >= 0.
    power_kw : float
        Power of one charge point [kW].
    n_chargers : int
        Charge points of the pool.

    Returns
    -------
    start_h, end_h : ndarray, shape (S,)
        When each session charged [h]; ``end_h - start_h`` hours at ``power_kw`` is the energy it got
        (``start_h == end_h`` for none).
    full : ndarray of bool, shape (S,)
        Whether the session got all it needed (not cut by its departure).
    """
    order = np.lexsort((depart_h, arrive_h))  # by arrival, then departure
    # The queue is sequential: a loop over Python floats (numpy scalars would cost five times as much).
    arrive, depart, need = (np.asarray(a, dtype=float)[order].tolist() for a in (arrive_h, depart_h, need_kwh))
    start, end, full = list(arrive), list(arrive), [q <= 0 for q in need]
    free = [-np.inf] * n_chargers  # a heap of the times each charger frees
    for i, (a, d, q) in enumerate(zip(arrive, depart, need, strict=True)):
        if q <= 0:
            continue
        t_free = heapq.heappop(free)
        t0 = max(a, t_free)
        if t0 >= d:  # nothing free before it leaves: the charger stays as it was
            heapq.heappush(free, t_free)
            start[i] = end[i] = d
            continue
        t1 = t0 + q / power_kw
        full[i] = t1 <= d + FULL_TOL_H
        t1 = min(t1, d)
        heapq.heappush(free, t1)
        start[i], end[i] = t0, t1
    back = np.empty_like(order)
    back[order] = np.arange(len(order))  # sessions in the caller's order
    start, end, full = np.array(start)[back], np.array(end)[back], np.array(full, dtype=bool)[back]
    return start, end, full


def power_profile(start_h: np.ndarray, end_h: np.ndarray, power_kw: float, n_steps: int, step_h: float) -> np.ndarray:
    """Mean power of boxes ``[start_h, end_h)`` at ``power_kw`` in each step; what passes the last step wraps.

    Parameters
    ----------
    start_h, end_h : ndarray, shape (S,)
        Charging intervals [h from the first step's start]; each shorter than the year.
    power_kw : float
        Power while charging [kW].
    n_steps : int
        Steps of the year.
    step_h : float
        Length of a step [h].

    Returns
    -------
    ndarray, shape (n_steps,)
        Mean power of each step [kW]; its sum times ``step_h`` is ``power_kw x sum(end_h - start_h)`` [kWh].
    """
    e_kwh = np.zeros(n_steps)
    k0 = np.floor(start_h / step_h).astype(np.int64)
    span = int(np.ceil(np.max(end_h - start_h, initial=0.0) / step_h)) + 1
    for j in range(span + 1):
        k = k0 + j
        overlap = np.minimum(end_h, (k + 1) * step_h) - np.maximum(start_h, k * step_h)
        e_kwh += np.bincount(k % n_steps, power_kw * np.maximum(overlap, 0.0), minlength=n_steps)
    return e_kwh / step_h


@dataclass(frozen=True)
class ChargingSite:
    """What a smart schedule knows of the site before dispatch, one value per step.

    Attributes
    ----------
    net_kw : ndarray, shape (T,)
        The site's load without the fleet minus its PV and wind generation [kW]; negative is a renewable surplus.
    target_kw : ndarray, shape (T,)
        The grid import the site keeps at or below [kW] (the battery's ``peak_target_kw`` of the month, the
        connection's ``import_limit_kw``, the lower of the two); inf for none.
    period : ndarray of int, shape (T,)
        Time-of-use code of each step (0 valley, 1 flat, 2 peak, 3 critical: :data:`lingtan.components.grid.PERIODS`).
    """

    net_kw: np.ndarray
    target_kw: np.ndarray
    period: np.ndarray


@njit(cache=True)
def _book(e, c, j, k, store, placed, pool_left, e_out, net, step_h):
    """Book energy ``e`` [kWh] charged by pool ``c`` in step ``k`` (the session's ``j``-th): take it from the
    step's ``store`` (surplus or import room) and the pool, add it to the session, the pool's output and the
    net load [kW]."""
    store[k] -= e
    placed[j] += e
    pool_left[c, k] -= e
    e_out[c, k] += e
    net[k] += e / step_h


@njit(cache=True)
def _place_smart(arrive_h, depart_h, need_kwh, power_kw, pool, pool_kw, net_kw, target_kw, period, step_h):
    """The greedy of :func:`smart_sessions`, sessions in the order given; returns the energy by pool and step
    [kWh], and each session's energy got and charged past the target [kWh]."""
    n_steps = net_kw.size
    net = net_kw.copy()
    surplus = np.maximum(-net_kw, 0.0) * step_h  # renewable energy left in each step [kWh]
    room = np.maximum(target_kw - np.maximum(net_kw, 0.0), 0.0) * step_h  # import left under the target [kWh]
    pool_left = np.empty((pool_kw.size, n_steps))
    for c in range(pool_kw.size):
        pool_left[c, :] = pool_kw[c] * step_h
    e_out = np.zeros((pool_kw.size, n_steps))
    got = np.zeros(need_kwh.size)
    past = np.zeros(need_kwh.size)
    for s in range(need_kwh.size):
        left = need_kwh[s]
        k_first = int(np.floor(arrive_h[s] / step_h))
        m = int(np.ceil(depart_h[s] / step_h)) - k_first
        if left <= 0.0 or m <= 0:
            continue
        c = pool[s]
        steps = np.empty(m, np.int64)
        cap = np.empty(m)  # the charger's power times the time plugged in, in each step [kWh]
        for j in range(m):
            k = k_first + j
            cap[j] = power_kw[s] * max(min(depart_h[s], (k + 1) * step_h) - max(arrive_h[s], k * step_h), 0.0)
            steps[j] = k % n_steps
        # Two slots a step: its renewable surplus (rank 0), then its import (rank 1 + period code); within a rank
        # the step of lowest site load first, which spreads the fleet instead of stacking it into a new peak.
        rank = np.empty(2 * m, np.int64)
        key = np.empty(2 * m)
        for j in range(m):
            rank[j] = 0
            rank[m + j] = 1 + period[steps[j]]
            key[j] = key[m + j] = net[steps[j]]
        by_key = np.argsort(key, kind="mergesort")
        order = by_key[np.argsort(rank[by_key], kind="mergesort")]
        placed = np.zeros(m)
        for i in order:
            if left <= 0.0:
                break
            j = i % m
            k = steps[j]
            store = surplus if i < m else room
            e = min(left, cap[j] - placed[j], pool_left[c, k], store[k])
            if e <= 0.0:
                continue
            _book(e, c, j, k, store, placed, pool_left, e_out, net, step_h)
            left -= e
        # What the target left unplaced: charged as unmanaged would, from the earliest step at the charger's power.
        for j in range(m):
            if left <= 0.0:
                break
            k = steps[j]
            e = min(left, cap[j] - placed[j], pool_left[c, k])
            if e <= 0.0:
                continue
            _book(e, c, j, k, room, placed, pool_left, e_out, net, step_h)
            past[s] += e
            left -= e
        got[s] = need_kwh[s] - left
    return e_out, got, past


def smart_sessions(
    arrive_h: np.ndarray,
    depart_h: np.ndarray,
    need_kwh: np.ndarray,
    pool: np.ndarray,
    chargers: Sequence[ChargerGroup],
    site: ChargingSite,
    step_h: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smart charging: each session's energy in the cheapest steps of its stay, a schedule made before dispatch.

    Sessions are taken by departure (earliest first, then arrival), each greedily against what the earlier ones
    left: first the steps' renewable surplus (generation above the site's other load), then the steps' import
    by tariff period, valley, flat, peak, critical; within each, the step of lowest site load first. A session
    never charges above its charger's power in the part of a step it is plugged in, the sessions of a pool never
    above its charge points' power together, and import placed never lifts the site above ``site.target_kw``.
    What cannot be placed so before departure is charged as unmanaged would (earliest first at the charger's
    power, the target ignored); what is still short is unmet.

    Limits: the schedule knows every arrival and departure of the day and the site's load and generation
    (perfect knowledge); the surplus is the profiles' before dispatch, so a battery may later store the same
    energy (the kernel decides, charging is then load on the bus); the greedy is not an optimum (an earlier
    session may take a step a later one needed); within a step, a pool's vehicles may share charge points (a
    depot moves vehicles between them). The kernel stays one kernel: this schedule is load it reads. It is
    sequential over sessions (they share the pools, the surplus and the target), compiled with numba.

    Parameters
    ----------
    arrive_h, depart_h : ndarray, shape (S,)
        Plug-in window of each session [h from the first step's start].
    need_kwh : ndarray, shape (S,)
        Energy each session needs [kWh], >= 0.
    pool : ndarray of int, shape (S,)
        Index into ``chargers`` of each session's charger group.
    chargers : sequence of ChargerGroup
        The charger groups (power [kW] and count of each).
    site : ChargingSite
        The site's net load, demand target and tariff periods by step.
    step_h : float
        Length of a step [h].

    Returns
    -------
    e_kwh : ndarray, shape (len(chargers), T)
        Energy charged by each charger group in each step [kWh].
    got_kwh : ndarray, shape (S,)
        Energy each session got [kWh].
    past_target_kwh : ndarray, shape (S,)
        Of it, what was charged as unmanaged because the target left no room in the cheaper steps [kWh].
    """
    pool = np.asarray(pool, dtype=np.int64)
    power = np.array([c.power_kw for c in chargers], dtype=float)
    order = np.lexsort((arrive_h, depart_h))  # by departure, then arrival
    e_kwh, got, past = _place_smart(
        np.asarray(arrive_h, dtype=float)[order],
        np.asarray(depart_h, dtype=float)[order],
        np.asarray(need_kwh, dtype=float)[order],
        power[pool][order],
        pool[order],
        power * np.array([c.count for c in chargers], dtype=float),
        np.asarray(site.net_kw, dtype=float),
        np.asarray(site.target_kw, dtype=float),
        np.asarray(site.period, dtype=np.int64),
        float(step_h),
    )
    back = np.empty_like(order)
    back[order] = np.arange(len(order))  # sessions in the caller's order
    return e_kwh, got[back], past[back]


@dataclass(frozen=True)
class FleetCharging:
    """A year of a fleet's charging.

    Attributes
    ----------
    p_kw : ndarray, shape (T,)
        Charging load on the site's bus, mean power of each step [kW].
    by_charger_kw : dict of str to ndarray
        The same, by charger group [kW].
    need_e_kwh, charged_e_kwh, unmet_e_kwh : float
        The year's energy the trips needed, got and did not get [kWh].
    trips, unmet_trips : int
        Vehicle-days of electric vehicles with driving, and those whose energy was not fully charged.
    by_type : dict of str to dict
        Per vehicle type with electric vehicles: ``trips``, ``unmet_trips``, ``need_e_kwh``, ``unmet_e_kwh``.
    past_target_e_kwh : float or None
        Smart charging: energy charged as unmanaged because the demand target left no room [kWh]; None for
        unmanaged charging.
    """

    p_kw: np.ndarray
    by_charger_kw: dict
    need_e_kwh: float
    charged_e_kwh: float
    unmet_e_kwh: float
    trips: int
    unmet_trips: int
    by_type: dict
    past_target_e_kwh: float | None


def fleet_charging(
    vehicles: Sequence[VehicleGroup],
    chargers: Sequence[ChargerGroup],
    charging: Charging,
    n_steps: int,
    step_h: float,
    site: ChargingSite | None = None,
) -> FleetCharging:
    """The year of charging of a fleet: every electric vehicle's sessions on its charger group's pool.

    Parameters
    ----------
    vehicles : sequence of VehicleGroup
        The fleet; fuel vehicles draw their windows too (so a group's draws do not depend on the others' fuel)
        but need no charge.
    chargers : sequence of ChargerGroup
        The charger groups the electric vehicles name.
    charging : Charging
        Strategy and seed.
    n_steps : int
        Steps of the year.
    step_h : float
        Length of a step [h].
    site : ChargingSite, optional
        The site before dispatch, which ``smart`` charging needs (:func:`smart_sessions`).

    Returns
    -------
    FleetCharging
        Load profile [kW], the year's energy needed, charged and unmet [kWh], trips and unmet trips, also by
        vehicle type.

    Raises
    ------
    ValueError
        ``smart`` charging without ``site``.
    """
    if charging.strategy == "smart" and site is None:
        raise ValueError("smart charging needs the site's net load, target and periods (site)")
    n_days = round(n_steps * step_h / H_PER_DAY)
    rng = np.random.default_rng(charging.seed)
    windows = [plug_windows(g, n_days, rng) for g in vehicles]
    sessions = []  # per charger group with vehicles: (index, arrive, depart, need, vehicle group of each session)
    for ci, c in enumerate(chargers):
        mine = [
            (gi, w)
            for gi, (g, w) in enumerate(zip(vehicles, windows, strict=True))
            if g.fuel == "electric" and g.charger == c.name
        ]
        if mine:
            sessions.append(
                (
                    ci,
                    np.concatenate([w[0].ravel() for _, w in mine]),
                    np.concatenate([w[1].ravel() for _, w in mine]),
                    np.concatenate(
                        [
                            np.full(
                                vehicles[gi].count * n_days,
                                distance_km_per_day(vehicles[gi]) * vehicles[gi].consumption_kwh_per_km,
                            )
                            for gi, _ in mine
                        ]
                    ),
                    np.concatenate([np.full(vehicles[gi].count * n_days, gi) for gi, _ in mine]),
                )
            )
    by_charger = {c.name: np.zeros(n_steps) for c in chargers}
    if not sessions:
        return FleetCharging(np.zeros(n_steps), by_charger, 0.0, 0.0, 0.0, 0, 0, {}, None)
    pool, arrive, depart, need, group = (
        np.concatenate([np.full(len(x[1]), x[0]) for x in sessions]),
        *(np.concatenate([x[i] for x in sessions]) for i in (1, 2, 3, 4)),
    )
    past = None
    if charging.strategy == "smart":
        e_kwh, got, past_kwh = smart_sessions(arrive, depart, need, pool, chargers, site, step_h)
        full = got >= need - FULL_TOL_KWH
        past = float(past_kwh.sum())
        for ci, c in enumerate(chargers):
            by_charger[c.name] = e_kwh[ci] / step_h
    else:
        got, full = np.empty_like(need), np.empty(len(need), dtype=bool)
        for ci, *_ in sessions:
            mine = pool == ci
            c = chargers[ci]
            start, end, full[mine] = unmanaged_sessions(arrive[mine], depart[mine], need[mine], c.power_kw, c.count)
            got[mine] = np.where(full[mine], need[mine], c.power_kw * (end - start))  # full: its need, not float noise
            by_charger[c.name] = power_profile(start, end, c.power_kw, n_steps, step_h)
    types = np.array([g.type for g in vehicles])[group]
    unmet = np.where(full, 0.0, need - got)
    by_type = {
        t: {
            "trips": int((need[types == t] > 0).sum()),
            "unmet_trips": int((~full[types == t]).sum()),  # a session cut short leaves its next trip unmet
            "need_e_kwh": float(need[types == t].sum()),
            "unmet_e_kwh": float(unmet[types == t].sum()),
        }
        for t in VEHICLE_TYPES
        if (types == t).any()
    }
    need_total, charged = float(need.sum()), float(np.where(full, need, got).sum())
    return FleetCharging(
        p_kw=sum(by_charger.values(), np.zeros(n_steps)),
        by_charger_kw=by_charger,
        need_e_kwh=need_total,
        charged_e_kwh=charged,
        unmet_e_kwh=max(need_total - charged, 0.0),
        trips=int((need > 0).sum()),
        unmet_trips=int((~full).sum()),
        by_type=by_type,
        past_target_e_kwh=past,
    )


def nev_share(vehicles: Sequence[VehicleGroup]) -> float | None:
    """New-energy (electric) vehicles / all vehicles, by count (Annex 1, 2.2: "新能源交通物流运输工具比例").

    Parameters
    ----------
    vehicles : sequence of VehicleGroup
        The fleet.

    Returns
    -------
    float or None
        The share [fraction 0..1]; None for no vehicles.
    """
    total = sum(g.count for g in vehicles)
    return sum(g.count for g in vehicles if g.fuel == "electric") / total if total else None


def charging_coverage(
    vehicles: Sequence[VehicleGroup], chargers: Sequence[ChargerGroup], parking_spaces: int | None
) -> dict[str, float | None]:
    """The readings of "新能源交通基础设施覆盖率" (Annex 1, 2.2), each capped at 1.

    Parameters
    ----------
    vehicles : sequence of VehicleGroup
        The fleet.
    chargers : sequence of ChargerGroup
        Charge points.
    parking_spaces : int or None
        Parking spaces of the site.

    Returns
    -------
    dict
        ``per_parking_space`` (charge points / parking spaces, None without them) and ``per_vehicle``
        (charge points / vehicles, None without vehicles) [fraction 0..1].
    """
    points = sum(c.count for c in chargers)
    n = sum(g.count for g in vehicles)
    return {
        "per_parking_space": min(points / parking_spaces, 1.0) if parking_spaces else None,
        "per_vehicle": min(points / n, 1.0) if n else None,
    }


def fuel_litres_per_year(group: VehicleGroup, n_days: int, replaced: bool = False) -> float:
    """Liquid fuel of a group over the year [L]: burnt (a diesel or petrol group) or avoided (an electric
    group's replaced vehicles, ``replaced=True``).

    ``L = count x km/day x n_days x L/100 km / 100``.

    Parameters
    ----------
    group : VehicleGroup
        The group.
    n_days : int
        Days of the year.
    replaced : bool
        Use ``replaced_l_per_100km`` (electric groups) instead of ``consumption_l_per_100km``.

    Returns
    -------
    float
        Fuel [L/yr]; 0 for a group without that consumption.
    """
    l_per_100km = group.replaced_l_per_100km if replaced else group.consumption_l_per_100km
    if l_per_100km is None:
        return 0.0
    return group.count * distance_km_per_day(group) * n_days * l_per_100km / 100.0


def fleet_fuel(vehicles: Sequence[VehicleGroup], n_days: int, fuels) -> dict[str, dict[str, float]]:
    """Diesel and petrol the fleet burns and the fuel its electric vehicles avoid, in litres and tCO2.

    ``tCO2 = L x density_kg_per_l x kgco2_per_unit / 1000`` with the fuel's row of ``fuels.csv`` (GB/T 32150
    default CO2 per kg; GB 19147 / GB 17930 density midpoints, each with its source there).

    Parameters
    ----------
    vehicles : sequence of VehicleGroup
        The fleet.
    n_days : int
        Days of the year.
    fuels : DataFrame
        The fuel table (:func:`lingtan.components.heat.load_fuels`): ``density_kg_per_l`` [kg/L] and
        ``kgco2_per_unit`` [kgCO2/kg] of ``diesel`` and ``gasoline``.

    Returns
    -------
    dict
        ``{"burnt": {...}, "avoided": {...}}``, each ``{diesel_l, petrol_l, diesel_t_co2, petrol_t_co2,
        t_co2}`` [L/yr, tCO2/yr].
    """
    out = {}
    for kind, replaced in (("burnt", False), ("avoided", True)):
        rec: dict[str, float] = {}
        for fuel, row in FUEL_NAMES.items():
            litres = sum(
                fuel_litres_per_year(g, n_days, replaced)
                for g in vehicles
                if (g.replaces_fuel if replaced else g.fuel) == fuel
            )
            rec[f"{fuel}_l"] = litres
            rec[f"{fuel}_t_co2"] = (
                litres * float(fuels.loc[row, "density_kg_per_l"]) * float(fuels.loc[row, "kgco2_per_unit"]) / 1000.0
            )
        rec["t_co2"] = rec["diesel_t_co2"] + rec["petrol_t_co2"]
        out[kind] = rec
    return out


def fleet_kpis(
    vehicles: Sequence[VehicleGroup],
    chargers: Sequence[ChargerGroup],
    charging: Charging,
    year: FleetCharging,
    step_h: float,
    fuels,
) -> dict:
    """The year's fleet KPIs, as a run reports them (``kpis["vehicles"]``).

    Parameters
    ----------
    vehicles, chargers, charging :
        The fleet, its charge points and its charging section.
    year : FleetCharging
        Its year of charging (:func:`fleet_charging`).
    step_h : float
        Length of a step [h].
    fuels : DataFrame
        The fuel table (:func:`lingtan.components.heat.load_fuels`).

    Returns
    -------
    dict
        ``charging_e_kwh`` (from the profile), ``need_e_kwh``, ``charged_e_kwh``, ``unmet_e_kwh`` [kWh/yr],
        ``charging_peak_kw`` [kW], ``trips``, ``unmet_trips``, ``unmet_by_type`` (per vehicle type: trips, unmet
        trips, energy needed and unmet [kWh/yr]), ``past_target_e_kwh`` (smart: charged above the demand target
        [kWh/yr]; None for unmanaged), ``vehicles``, ``electric_vehicles``,
        ``charge_points``, ``parking_spaces``, ``nev_share`` and ``charging_coverage`` (both readings)
        [fraction], ``fuel`` (:func:`fleet_fuel`: burnt and avoided [L/yr, tCO2/yr]), ``strategy``.
    """
    n_days = round(len(year.p_kw) * step_h / H_PER_DAY)
    return {
        "strategy": charging.strategy,
        "charging_e_kwh": float(year.p_kw.sum() * step_h),
        "charging_peak_kw": float(year.p_kw.max(initial=0.0)),
        "need_e_kwh": year.need_e_kwh,
        "charged_e_kwh": year.charged_e_kwh,
        "unmet_e_kwh": year.unmet_e_kwh,
        "trips": year.trips,
        "unmet_trips": year.unmet_trips,
        "unmet_by_type": year.by_type,
        "past_target_e_kwh": year.past_target_e_kwh,
        "vehicles": sum(g.count for g in vehicles),
        "electric_vehicles": sum(g.count for g in vehicles if g.fuel == "electric"),
        "charge_points": sum(c.count for c in chargers),
        "parking_spaces": charging.parking_spaces,
        "nev_share": nev_share(vehicles),
        "charging_coverage": charging_coverage(vehicles, chargers, charging.parking_spaces),
        "fuel": fleet_fuel(vehicles, n_days, fuels),
    }


def merge_fleet_kpis(records: Sequence[dict]) -> dict:
    """The fleet KPIs of several sites (a park's tenants) as one fleet: counts and energies summed, shares
    recomputed from the sums (never averaged).

    Parameters
    ----------
    records : sequence of dict
        :func:`fleet_kpis` of each site, at least one.

    Returns
    -------
    dict
        The same keys (``unmet_by_type`` summed type by type, ``past_target_e_kwh`` over the smart sites, None
        for none); ``parking_spaces`` summed when every site gives them, else None (and with it the
        coverage per parking space); ``strategy`` the sites' strategies joined.
    """
    out: dict = {"strategy": "+".join(sorted({r["strategy"] for r in records}))}
    for key in ("charging_e_kwh", "need_e_kwh", "charged_e_kwh", "unmet_e_kwh", "trips", "unmet_trips"):
        out[key] = sum(r[key] for r in records)
    out["charging_peak_kw"] = None  # the sites' peaks fall in different hours: a sum would overstate it
    out["unmet_by_type"] = {}
    for r in records:
        for t, rec in r.get("unmet_by_type", {}).items():
            mine = out["unmet_by_type"].setdefault(t, dict.fromkeys(rec, 0))
            for k, x in rec.items():
                mine[k] += x
    past = [r["past_target_e_kwh"] for r in records if r.get("past_target_e_kwh") is not None]
    out["past_target_e_kwh"] = sum(past) if past else None
    for key in ("vehicles", "electric_vehicles", "charge_points"):
        out[key] = sum(r[key] for r in records)
    spaces = [r["parking_spaces"] for r in records]
    out["parking_spaces"] = None if None in spaces else sum(spaces)
    n, points = out["vehicles"], out["charge_points"]
    out["nev_share"] = out["electric_vehicles"] / n if n else None
    out["charging_coverage"] = {
        "per_parking_space": min(points / out["parking_spaces"], 1.0) if out["parking_spaces"] else None,
        "per_vehicle": min(points / n, 1.0) if n else None,
    }
    out["fuel"] = {
        kind: {k: sum(r["fuel"][kind][k] for r in records) for k in records[0]["fuel"][kind]}
        for kind in ("burnt", "avoided")
    }
    return out


def fleet_flat_kpis(record: dict) -> dict[str, float]:
    """The numbers of a fleet record that criteria read, as flat KPIs (``fleet_...``); a reading the fleet cannot
    give (coverage per parking space without parking spaces) is left out.

    Parameters
    ----------
    record : dict
        :func:`fleet_kpis` or :func:`merge_fleet_kpis`.

    Returns
    -------
    dict
        ``fleet_vehicles``, ``fleet_electric_vehicles``, ``fleet_charge_points`` [count], ``fleet_nev_share``,
        ``fleet_charging_coverage_per_parking_space_share``, ``fleet_charging_coverage_per_vehicle_share``
        [fraction 0..1], ``fleet_unmet_e_kwh`` [kWh/yr], ``fleet_unmet_trips`` [vehicle-days].
    """
    out = {
        "fleet_vehicles": record["vehicles"],
        "fleet_electric_vehicles": record["electric_vehicles"],
        "fleet_charge_points": record["charge_points"],
        "fleet_nev_share": record["nev_share"],
        "fleet_unmet_e_kwh": record["unmet_e_kwh"],
        "fleet_unmet_trips": record["unmet_trips"],
    }
    for reading, value in record["charging_coverage"].items():
        out[f"fleet_charging_coverage_{reading}_share"] = value
    return {k: v for k, v in out.items() if v is not None}


def fleet_fuel_uses(vehicles: Sequence[VehicleGroup], n_days: int) -> list[FuelUse]:
    """The diesel and petrol groups as fuel uses, so that the accounting counts their combustion in scope 1
    (GB/T 32150: fuel burnt by the boundary's own vehicles) as it counts ``fuel_uses``.

    Parameters
    ----------
    vehicles : sequence of VehicleGroup
        The fleet.
    n_days : int
        Days of the year.

    Returns
    -------
    list of FuelUse
        One per diesel or petrol group, named ``vehicles.<name>``, in litres a year
        (:func:`fuel_litres_per_year`), ``use`` road, or off_road for forklifts (CH4 and N2O factors).
    """
    return [
        FuelUse(
            name=f"vehicles.{g.name}",
            fuel=FUEL_NAMES[g.fuel],
            use="off_road" if g.type == "forklift" else "road",
            unit="L",
            quantity_per_year=fuel_litres_per_year(g, n_days),
        )
        for g in vehicles
        if g.fuel in FUEL_NAMES
    ]


__all__ = [
    "VEHICLE_TYPES",
    "FUEL_NAMES",
    "VehicleGroup",
    "ChargerGroup",
    "Charging",
    "FleetCharging",
    "ChargingSite",
    "smart_sessions",
    "distance_km_per_day",
    "plug_windows",
    "unmanaged_sessions",
    "power_profile",
    "fleet_charging",
    "nev_share",
    "charging_coverage",
    "fuel_litres_per_year",
    "fleet_fuel",
    "fleet_kpis",
    "merge_fleet_kpis",
    "fleet_flat_kpis",
    "fleet_fuel_uses",
]
