"""Vehicles and chargers: a fleet by type, its daily charging, and the shares the Anhui park criteria read.

Anhui zero-carbon park admission standard (皖发改产业〔2024〕254号, Annex 1, 2.2 交通物流系统):
"园区内新能源交通物流运输工具比例须达到30%及以上" and "园区应建设充足的新能源车辆停车位与充电桩,
新能源交通基础设施覆盖率须达到 10%及以上". This module turns a declared fleet into those two shares and into
the charging load the electric balance carries.

Model
-----
* A vehicle group is ``count`` identical vehicles of one type (logistics truck, forklift, bus, car) and one
  fuel (electric, hydrogen, diesel, petrol). Each drives ``distance_km_per_day`` (or ``trips_per_day x km_per_trip``)
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
* Vehicle-to-building (:func:`smart_sessions`, second pass), where a group declares ``v2b`` and its chargers a
  ``discharge_power_kw``: after every session's own energy is placed, a parked vehicle that got its day's energy
  (that day and the day before) gives the site energy in the steps of its stay where the site still imports at a
  peak or critical price, or above its demand target, dearest first. Each kWh given is recharged before departure,
  later in the stay, from what the first pass left: renewable surplus, then cheaper tariff periods, within the
  charger, the pool and the demand target, and (for a price-led step) only where the recharge's price over the
  round-trip efficiency plus the ageing cost is below the step's price. A kWh is given only once its recharge is
  booked, so no trip is left short. The battery is counted in energy at the charger's meter (as the consumption):
  the vehicle leaves with ``battery_kwh``, comes back with ``battery_kwh - need`` and never goes below the next
  trip's ``need`` plus ``reserve_fraction x battery_kwh`` while giving; taking ``x`` from it gives the site
  ``round_trip_efficiency x x`` (the charger's and the battery's losses both ways).
* A ``hydrogen`` group (fuel-cell vehicles) refuels from the site's hydrogen store: each group is a hydrogen use
  (:func:`fleet_hydrogen_uses`) that the dispatch draws from the store; a vehicle-day whose hydrogen the store
  could not give is an unmet trip (:func:`hydrogen_trips`).

Shares
------
* New-energy vehicle share = (electric + fuel-cell vehicles) / all vehicles of the fleet, by count. China's
  new-energy vehicles are "插电式混合动力（含增程式）汽车、纯电动汽车和燃料电池汽车等" (MIIT order No. 39 [3]_), so
  a fuel-cell (hydrogen) vehicle counts as one.
* Charging coverage, two readings of "新能源交通基础设施覆盖率": charge points / parking spaces
  (``per_parking_space``) and charge points / vehicles (``per_vehicle``), each capped at 1.

References
----------
.. [1] Anhui DRC, 安徽省零碳产业园区建设方案(试行), 皖发改产业〔2024〕254号, Annex 1, 2.2 (shared/seeds, 004).
.. [2] GB/T 32150-2015 default CO2 factors and GB 19147 / GB 17930 densities of diesel and petrol, as shipped
   in ``components/data/fuels.csv`` with their sources.
.. [3] MIIT, 新能源汽车生产企业及产品准入管理规定 (工业和信息化部令第39号, 2017), art. 3: "新能源汽车，是指采用新型动力
   系统，完全或者主要依靠新型能源驱动的汽车，包括插电式混合动力（含增程式）汽车、纯电动汽车和燃料电池汽车等" (the
   order's own page was not retrieved here; the same definition is quoted word for word in Shenzhen DRC's notice on
   parking fees of new-energy vehicles, 关于新能源汽车停车收费减免优惠有关事项的通知(征求意见稿)).
.. [4] W. Schram, N. Brinkel, G. Smink, T. van Wijk, W. van Sark, "Empirical evaluation of V2G round-trip
   efficiency", 2020 International Conference on Smart Energy Systems and Technologies (SEST), IEEE, 2020:
   87.0 % on average for an 11 kW (3 x 16 A) V2G car and charger between 25 % and 75 % state of charge, 79.1 % to
   87.8 % over the conditions measured (colder days and lower currents lower).
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
from lingtan.components.grid import PERIODS
from lingtan.components.hydrogen import HydrogenUse
from lingtan.errors import FieldPathError
from lingtan.limits import MAX_COUNT, MAX_POWER_KW, MAX_PRICE_CNY

VEHICLE_TYPES = ("logistics_truck", "forklift", "bus", "car")
FUEL_NAMES = {"diesel": "diesel", "petrol": "gasoline"}
"""A vehicle's liquid fuel -> its row in ``components/data/fuels.csv``."""
NEW_ENERGY_FUELS = ("electric", "hydrogen")
"""Fuels of new-energy vehicles (battery electric and fuel cell: MIIT order No. 39 [3]_)."""
CONSUMPTION = {
    "electric": ("consumption_kwh_per_km", "[kWh/km]"),
    "hydrogen": ("consumption_kg_per_100km", "[kg/100 km]"),
    "diesel": ("consumption_l_per_100km", "[L/100 km]"),
    "petrol": ("consumption_l_per_100km", "[L/100 km]"),
}
"""Each fuel's consumption field and its unit."""
V2G_ROUND_TRIP_EFFICIENCY = 0.87
"""Round trip from the charger's meter into a car's battery and back [fraction]: Schram et al. 2020 [4]_, the mean
measured between 25 % and 75 % state of charge at 11 kW."""
H_PER_DAY = 24.0
FULL_TOL_H = 1e-9
"""A session that ends this close after its departure [h] (float noise of summed times) counts as full."""
FULL_TOL_KWH = 1e-9
"""A smart session this close to its need [kWh] (float noise of summed placements) counts as full."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VehicleToBuilding(_Strict):
    """What a group's parked vehicles may give the site: ``vehicles[i].v2b`` (scheduled by :func:`smart_sessions`)."""

    reserve_fraction: float = Field(
        ge=0,
        lt=1,
        description="share of battery_kwh kept on top of the next trip's energy while giving [fraction 0..1]; no "
        "default: the fleet's own rule",
    )
    round_trip_efficiency: float = Field(
        default=V2G_ROUND_TRIP_EFFICIENCY,
        gt=0,
        le=1,
        description="energy given at the charger's meter per kWh recharged there [fraction]; default 0.87, measured "
        "on an 11 kW V2G car and charger (Schram et al. 2020)",
    )
    ageing_cny_per_kwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_PRICE_CNY,
        description="cycle-ageing cost of the battery per kWh given [CNY/kWh]; default 0: not priced (no published "
        "figure for China was found: give the battery maker's or the lessor's)",
    )


class VehicleGroup(_Strict):
    """``count`` identical vehicles: their type, fuel, daily driving and when they are on site.

    Attributes are the YAML keys of ``vehicles[i]``.
    """

    name: str
    type: Literal["logistics_truck", "forklift", "bus", "car"]
    count: int = Field(ge=1, le=MAX_COUNT, description="vehicles in the group")
    fuel: Literal["electric", "hydrogen", "diesel", "petrol"]
    distance_km_per_day: float | None = Field(default=None, ge=0, le=5000, description="per vehicle [km/day]")
    trips_per_day: float | None = Field(default=None, ge=0, le=1000, description="per vehicle [1/day]")
    km_per_trip: float | None = Field(default=None, ge=0, le=5000, description="[km]")
    consumption_kwh_per_km: float | None = Field(
        default=None, gt=0, le=10, description="electric: energy at the charger's meter per km [kWh/km]"
    )
    consumption_l_per_100km: float | None = Field(
        default=None, gt=0, le=200, description="diesel or petrol: fuel per 100 km [L/100 km]"
    )
    consumption_kg_per_100km: float | None = Field(
        default=None, gt=0, le=100, description="hydrogen: hydrogen per 100 km, from the site's store [kg/100 km]"
    )
    arrival_h: float = Field(ge=0, lt=24, description="mean hour of return to the site [h]")
    arrival_spread_h: float = Field(default=0.0, ge=0, le=12, description="standard deviation of the arrival [h]")
    departure_h: float = Field(
        ge=0, lt=24, description="mean hour of departure [h]; at or before arrival_h: the next morning"
    )
    departure_spread_h: float = Field(default=0.0, ge=0, le=12, description="standard deviation of the departure [h]")
    charger: str | None = Field(default=None, description="electric: the name of its charger group (chargers[])")
    replaces_fuel: Literal["diesel", "petrol"] | None = Field(
        default=None,
        description="electric or hydrogen: the fuel the vehicle it replaced burnt (for the fuel avoided)",
    )
    replaced_l_per_100km: float | None = Field(
        default=None, gt=0, le=200, description="electric or hydrogen: that vehicle's consumption [L/100 km]"
    )
    battery_kwh: float | None = Field(
        default=None,
        gt=0,
        le=MAX_POWER_KW,
        description="electric: usable battery of one vehicle, as the charger's meter counts it [kWh]; needed for v2b",
    )
    v2b: VehicleToBuilding | None = Field(
        default=None, description="electric: vehicle-to-building on a bidirectional charger (None: charging only)"
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
        a = "an" if electric else "a"
        need, unit = CONSUMPTION[self.fuel]
        if getattr(self, need) is None:
            raise FieldPathError(need, f"the consumption {unit} of {a} {self.fuel} vehicle")
        for refuse in sorted({f for f, _ in CONSUMPTION.values()} - {need}):
            if getattr(self, refuse) is not None:
                raise FieldPathError(
                    refuse, f"no {refuse} for {a} {self.fuel} vehicle (give {need})", repr(getattr(self, refuse))
                )
        if electric and self.charger is None:
            raise FieldPathError("charger", "the name of the charger group an electric vehicle charges at")
        for field in ("charger", "battery_kwh", "v2b"):
            if not electric and getattr(self, field) is not None:
                raise FieldPathError(
                    field, f"nothing: {field} is for an electric vehicle only", repr(getattr(self, field))
                )
        for field in ("replaces_fuel", "replaced_l_per_100km"):
            if self.fuel not in NEW_ENERGY_FUELS and getattr(self, field) is not None:
                raise FieldPathError(
                    field,
                    f"nothing: {field} is for an electric or hydrogen vehicle only",
                    repr(getattr(self, field)),
                )
        if (self.replaces_fuel is None) != (self.replaced_l_per_100km is None):
            raise FieldPathError(
                "replaced_l_per_100km",
                "replaces_fuel and replaced_l_per_100km together",
                repr(self.replaced_l_per_100km) if self.replaces_fuel is None else "nothing",
            )
        if self.v2b is not None and self.battery_kwh is None:
            raise FieldPathError(
                "battery_kwh", "the usable battery [kWh] of a vehicle that gives the site energy (v2b)"
            )
        return self


class ChargerGroup(_Strict):
    """``count`` charge points of one power. Attributes are the YAML keys of ``chargers[i]``."""

    name: str
    power_kw: float = Field(gt=0, le=MAX_POWER_KW, description="power of one charge point [kW]")
    count: int = Field(ge=1, le=MAX_COUNT, description="charge points (each serves one vehicle at a time)")
    discharge_power_kw: float | None = Field(
        default=None,
        gt=0,
        le=MAX_POWER_KW,
        description="bidirectional: power one point gives the site from a vehicle [kW at its meter]; None: one-way",
    )


class Charging(_Strict):
    """How the fleet charges, and the site's parking spaces. The YAML section ``charging:``; a bare strategy
    (``charging: smart``) stands for ``{strategy: smart}``."""

    strategy: Literal["unmanaged", "smart"] = Field(
        default="unmanaged",
        description="unmanaged: full power from arrival until full; smart: renewable surplus, then valley, flat, "
        "peak hours, within the charger, the departure and the site's demand target, then vehicle-to-building where "
        "a group gives (smart_sessions)",
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
    price_cny_per_kwh : ndarray, shape (T,), optional
        Import price of each step [CNY/kWh]; vehicle-to-building needs it.
    surplus_cny_per_kwh : float
        What a kWh of renewable surplus earns if no vehicle takes it [CNY/kWh]: the feed-in price where the site
        exports, else 0.
    """

    net_kw: np.ndarray
    target_kw: np.ndarray
    period: np.ndarray
    price_cny_per_kwh: np.ndarray | None = None
    surplus_cny_per_kwh: float = 0.0


@dataclass(frozen=True)
class GiveBack:
    """What each charging session's vehicle may give the site (vehicle-to-building), for :func:`smart_sessions`.

    Attributes
    ----------
    room_kwh : ndarray, shape (S,)
        Battery energy above the floor at arrival, which the vehicle may give from [kWh at the charger's meter,
        before the round trip's losses]: ``battery_kwh (1 - reserve_fraction) - 2 need``, at least 0; 0 for a vehicle
        that gives nothing.
    previous : ndarray of int, shape (S,)
        The same vehicle's session the day before: it gives only if that one got its energy (it left full).
    round_trip_efficiency : ndarray, shape (S,)
        Energy given per kWh recharged [fraction].
    ageing_cny_per_kwh : ndarray, shape (S,)
        Cycle-ageing cost per kWh given [CNY/kWh].
    """

    room_kwh: np.ndarray
    previous: np.ndarray
    round_trip_efficiency: np.ndarray
    ageing_cny_per_kwh: np.ndarray


@dataclass(frozen=True)
class SmartSchedule:
    """A smart schedule of charging sessions (:func:`smart_sessions`).

    Attributes
    ----------
    e_kwh : ndarray, shape (P, T)
        Energy charged by each charger group in each step for the sessions' own needs [kWh].
    got_kwh : ndarray, shape (S,)
        Energy each session got for its need [kWh].
    past_target_kwh : ndarray, shape (S,)
        Of it, what was charged as unmanaged because the target left no room in the cheaper steps [kWh].
    recharge_kwh : ndarray, shape (P, T)
        Energy charged back for what the vehicles gave the site [kWh].
    given_kwh : ndarray, shape (P, T)
        Energy the vehicles gave the site, at the chargers' meters [kWh].
    session_given_kwh, session_recharge_kwh : ndarray, shape (S,)
        The same by session [kWh].
    """

    e_kwh: np.ndarray
    got_kwh: np.ndarray
    past_target_kwh: np.ndarray
    recharge_kwh: np.ndarray
    given_kwh: np.ndarray
    session_given_kwh: np.ndarray
    session_recharge_kwh: np.ndarray


_PEAK = PERIODS.index("peak")


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
def _stay(arrive_h, depart_h, power_kw, m, n_steps, step_h):
    """The ``m`` steps of a stay (wrapped to the year) and the charger's power times the time plugged in, in each
    [kWh]."""
    k_first = int(np.floor(arrive_h / step_h))
    steps = np.empty(m, np.int64)
    cap = np.empty(m)
    for j in range(m):
        k = k_first + j
        cap[j] = power_kw * max(min(depart_h, (k + 1) * step_h) - max(arrive_h, k * step_h), 0.0)
        steps[j] = k % n_steps
    return steps, cap


@njit(cache=True)
def _cheap_first(steps, net, period):
    """Two slots a step, cheapest first: its renewable surplus (slot ``j``, rank 0), then its import (slot ``m + j``,
    rank 1 + period code); within a rank the step of lowest site load first, which spreads the fleet instead of
    stacking it into a new peak (ties in the stay's order)."""
    m = steps.size
    rank = np.empty(2 * m, np.int64)
    key = np.empty(2 * m)
    for j in range(m):
        rank[j] = 0
        rank[m + j] = 1 + period[steps[j]]
        key[j] = key[m + j] = net[steps[j]]
    by_key = np.argsort(key, kind="mergesort")
    return by_key[np.argsort(rank[by_key], kind="mergesort")]


@njit(cache=True)
def _place_smart(
    arrive_h,
    depart_h,
    need_kwh,
    power_kw,
    pool,
    offset,
    placed_all,
    net,
    surplus,
    room,
    pool_left,
    e_out,
    period,
    step_h,
):
    """The first pass of :func:`smart_sessions`, sessions in the order given, on the state arrays (changed in place);
    returns each session's energy got and charged past the target [kWh]."""
    n_steps = net.size
    got = np.zeros(need_kwh.size)
    past = np.zeros(need_kwh.size)
    for s in range(need_kwh.size):
        left = need_kwh[s]
        m = offset[s + 1] - offset[s]
        if left <= 0.0 or m <= 0:
            continue
        c = pool[s]
        steps, cap = _stay(arrive_h[s], depart_h[s], power_kw[s], m, n_steps, step_h)
        placed = placed_all[offset[s] : offset[s + 1]]
        for i in _cheap_first(steps, net, period):
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
    return got, past


@njit(cache=True)
def _recharge(
    x_want,
    j,
    k,
    led_by_price,
    steps,
    cap,
    placed,
    gave,
    c,
    eta,
    ageing,
    net,
    surplus,
    room,
    pool_left,
    e_rec,
    period,
    price,
    surplus_cost,
    step_h,
):
    """Book up to ``x_want`` [kWh] of recharge for a discharge in the stay's step ``j`` (site step ``k``): later in the
    stay, cheapest first (:func:`_cheap_first`), in a step the vehicle gives nothing in, from surplus or import room
    in a cheaper period (a price-led discharge) or one no dearer (a target-led one), and for a price-led discharge
    only where ``cost / eta + ageing`` stays below the discharge step's price. Returns the energy booked [kWh]."""
    m = steps.size
    x = 0.0
    for i in _cheap_first(steps, net, period):
        if x >= x_want:
            break
        j2 = i % m
        if j2 <= j or gave[j2] > 0.0:
            continue
        k2 = steps[j2]
        from_surplus = i < m
        if from_surplus:
            cost = surplus_cost
        elif period[k2] > period[k] or (led_by_price and period[k2] == period[k]):
            continue
        else:
            cost = price[k2]
        if led_by_price and cost / eta + ageing >= price[k]:
            continue
        store = surplus if from_surplus else room
        e = min(x_want - x, cap[j2] - placed[j2], pool_left[c, k2], store[k2])
        if e <= 0.0:
            continue
        _book(e, c, j2, k2, store, placed, pool_left, e_rec, net, step_h)
        x += e
    return x


@njit(cache=True)
def _give_back(
    arrive_h,
    depart_h,
    power_kw,
    give_kw,
    pool,
    room_kwh,
    eta,
    ageing,
    offset,
    placed_all,
    net,
    surplus,
    room,
    pool_left,
    e_rec,
    given_out,
    target_kw,
    period,
    price,
    surplus_cost,
    step_h,
):
    """The second pass of :func:`smart_sessions` (vehicle-to-building), sessions in the order given, on the state the
    first pass left; returns each session's energy given and recharged [kWh]."""
    n_steps = net.size
    given = np.zeros(room_kwh.size)
    taken = np.zeros(room_kwh.size)
    for s in range(room_kwh.size):
        left = room_kwh[s]
        m = offset[s + 1] - offset[s]
        if left <= 0.0 or m <= 0:
            continue
        c = pool[s]
        point_per_kwh = power_kw[s] / give_kw[s]  # a kWh given holds the point as long as this much charging would
        steps, cap = _stay(arrive_h[s], depart_h[s], power_kw[s], m, n_steps, step_h)
        placed = placed_all[offset[s] : offset[s + 1]]
        gave = np.zeros(m)
        # Dearest steps first: critical, then peak, then the others; within a period the largest import first.
        dear = np.empty(m, np.int64)
        key = np.empty(m)
        for j in range(m):
            dear[j] = -period[steps[j]]
            key[j] = -net[steps[j]]
        by_key = np.argsort(key, kind="mergesort")
        for j in by_key[np.argsort(dear[by_key], kind="mergesort")]:
            if left <= 0.0:
                break
            k = steps[j]
            if placed[j] > 0.0 or surplus[k] > 0.0 or net[k] <= 0.0:
                continue  # the vehicle charges in this step, or the site does not import
            led_by_price = period[k] >= _PEAK
            if not led_by_price and net[k] <= target_kw[k]:
                continue
            want = net[k] if led_by_price else net[k] - target_kw[k]
            d = min(want * step_h, cap[j] / point_per_kwh, pool_left[c, k] / point_per_kwh, eta[s] * left)
            if d <= 0.0:
                continue
            x = _recharge(
                d / eta[s],
                j,
                k,
                led_by_price,
                steps,
                cap,
                placed,
                gave,
                c,
                eta[s],
                ageing[s],
                net,
                surplus,
                room,
                pool_left,
                e_rec,
                period,
                price,
                surplus_cost,
                step_h,
            )
            if x <= 0.0:
                continue
            d = eta[s] * x  # given only what is recharged before departure
            gave[j] = d
            given_out[c, k] += d
            pool_left[c, k] -= d * point_per_kwh
            net[k] -= d / step_h
            room[k] = max(target_kw[k] - max(net[k], 0.0), 0.0) * step_h
            left -= x
            given[s] += d
            taken[s] += x
    return given, taken


def smart_sessions(
    arrive_h: np.ndarray,
    depart_h: np.ndarray,
    need_kwh: np.ndarray,
    pool: np.ndarray,
    chargers: Sequence[ChargerGroup],
    site: ChargingSite,
    step_h: float,
    give: GiveBack | None = None,
) -> SmartSchedule:
    """Smart charging: each session's energy in the cheapest steps of its stay, a schedule made before dispatch;
    then, where vehicles give, vehicle-to-building in the dearest steps, recharged before departure.

    First pass: sessions are taken by departure (earliest first, then arrival), each greedily against what the
    earlier ones left: first the steps' renewable surplus (generation above the site's other load), then the steps'
    import by tariff period, valley, flat, peak, critical; within each, the step of lowest site load first. A session
    never charges above its charger's power in the part of a step it is plugged in, the sessions of a pool never
    above its charge points' power together, and import placed never lifts the site above ``site.target_kw``.
    What cannot be placed so before departure is charged as unmanaged would (earliest first at the charger's
    power, the target ignored); what is still short is unmet.

    Second pass (``give``), in the same order, on what the first left, so that giving never takes a step another
    session's own energy needed: a session whose vehicle got its energy that day and the day before gives the site
    energy in the steps of its stay where it does not charge and the site still imports, at a peak or critical price
    (up to the whole import) or above its target (the part above it), dearest first, largest import first; each
    kWh given takes ``1 / eta`` of recharge booked first (later in the stay, cheapest first, within the charger,
    the pool and the target: :func:`_recharge`), so a kWh is given only when its recharge is in place and no trip is
    left short. Giving holds the point for ``d / discharge_power_kw`` of the step. The vehicle never gives more than
    ``give.room_kwh`` (before losses): the floor of the next trip and the reserve holds whatever the order of its
    charging (it gives only from what it came back with, and recharges only after giving).

    Limits: the schedule knows every arrival and departure of the day and the site's load and generation
    (perfect knowledge); the surplus is the profiles' before dispatch, so a battery may later store the same
    energy (the kernel decides, charging is then load on the bus) or cover the same peak; the greedy is not an
    optimum (an earlier session may take a step a later one needed); within a step, a pool's vehicles may share
    charge points (a depot moves vehicles between them); a target-led discharge is not weighed against its ageing
    cost (the demand charge it saves is not known before dispatch). The kernel stays one kernel: this schedule is
    load it reads. It is sequential over sessions (they share the pools, the surplus and the target), compiled with
    numba.

    Parameters
    ----------
    arrive_h, depart_h : ndarray, shape (S,)
        Plug-in window of each session [h from the first step's start].
    need_kwh : ndarray, shape (S,)
        Energy each session needs [kWh], >= 0.
    pool : ndarray of int, shape (S,)
        Index into ``chargers`` of each session's charger group.
    chargers : sequence of ChargerGroup
        The charger groups (power [kW], count, and discharge power [kW] of the bidirectional ones).
    site : ChargingSite
        The site's net load, demand target and tariff periods by step (and prices, with ``give``).
    step_h : float
        Length of a step [h].
    give : GiveBack, optional
        What each session's vehicle may give; None: charging only.

    Returns
    -------
    SmartSchedule
        Energy charged and given by pool and step, and by session [kWh].

    Raises
    ------
    ValueError
        ``give`` without the site's prices, or a session that gives on a charger group without a discharge power.
    """
    pool = np.asarray(pool, dtype=np.int64)
    power = np.array([c.power_kw for c in chargers], dtype=float)
    order = np.lexsort((arrive_h, depart_h))  # by departure, then arrival
    arrive = np.asarray(arrive_h, dtype=float)[order]
    depart = np.asarray(depart_h, dtype=float)[order]
    n_steps = len(site.net_kw)
    m = np.maximum(np.ceil(depart / step_h).astype(np.int64) - np.floor(arrive / step_h).astype(np.int64), 0)
    offset = np.concatenate([[0], np.cumsum(m)])
    placed = np.zeros(offset[-1])  # each session's energy in each step of its stay [kWh]
    net = np.array(site.net_kw, dtype=float)
    period = np.asarray(site.period, dtype=np.int64)
    target = np.asarray(site.target_kw, dtype=float)
    surplus = np.maximum(-net, 0.0) * step_h  # renewable energy left in each step [kWh]
    room = np.maximum(target - np.maximum(net, 0.0), 0.0) * step_h  # import left under the target [kWh]
    pool_left = np.repeat((power * np.array([c.count for c in chargers], dtype=float))[:, None] * step_h, n_steps, 1)
    e_kwh = np.zeros((len(chargers), n_steps))
    got, past = _place_smart(
        arrive,
        depart,
        np.asarray(need_kwh, dtype=float)[order],
        power[pool][order],
        pool[order],
        offset,
        placed,
        net,
        surplus,
        room,
        pool_left,
        e_kwh,
        period,
        float(step_h),
    )
    back = np.empty_like(order)
    back[order] = np.arange(len(order))  # sessions in the caller's order
    got, past = got[back], past[back]
    recharge, given_kwh = np.zeros_like(e_kwh), np.zeros_like(e_kwh)
    given, taken = np.zeros(len(order)), np.zeros(len(order))
    if give is not None and np.any(give.room_kwh > 0):
        if site.price_cny_per_kwh is None:
            raise ValueError("vehicle-to-building needs the site's import prices (site.price_cny_per_kwh)")
        give_kw = np.array([c.discharge_power_kw or 0.0 for c in chargers], dtype=float)
        if np.any((give.room_kwh > 0) & (give_kw[pool] <= 0)):
            raise ValueError("a vehicle gives (v2b) on a charger group without discharge_power_kw")
        full = got >= np.asarray(need_kwh, dtype=float) - FULL_TOL_KWH
        room_kwh = np.where(full & full[give.previous], give.room_kwh, 0.0)
        given, taken = _give_back(
            arrive,
            depart,
            power[pool][order],
            give_kw[pool][order],
            pool[order],
            room_kwh[order],
            np.asarray(give.round_trip_efficiency, dtype=float)[order],
            np.asarray(give.ageing_cny_per_kwh, dtype=float)[order],
            offset,
            placed,
            net,
            surplus,
            room,
            pool_left,
            recharge,
            given_kwh,
            target,
            period,
            np.asarray(site.price_cny_per_kwh, dtype=float),
            float(site.surplus_cny_per_kwh),
            float(step_h),
        )
        given, taken = given[back], taken[back]
    return SmartSchedule(e_kwh, got, past, recharge, given_kwh, given, taken)


@dataclass(frozen=True)
class FleetCharging:
    """A year of a fleet's charging.

    Attributes
    ----------
    p_kw : ndarray, shape (T,)
        Charging load on the site's bus, mean power of each step [kW] (with the recharge of what vehicles gave).
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
    v2b_kw : ndarray, shape (T,), or None
        Vehicle-to-building: power the vehicles gave the site's load, mean of each step [kW]; None when no group
        gives.
    v2b_recharge_kw : ndarray, shape (T,), or None
        The charging that put it back (inside ``p_kw``) [kW].
    v2b_by_group : dict of str to dict
        Per group that gives: ``given_e_kwh``, ``recharge_e_kwh`` [kWh/yr], ``vehicle_days`` (sessions that gave)
        and ``ageing_cny`` (given x its ageing cost [CNY/yr]).
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
    v2b_kw: np.ndarray | None = None
    v2b_recharge_kw: np.ndarray | None = None
    v2b_by_group: dict | None = None


def _give_back_of(vehicles, blocks, n_days: int, need: np.ndarray) -> GiveBack | None:
    """What each session's vehicle may give (:class:`GiveBack`), sessions in the order of ``blocks`` (charger group,
    vehicle group), each block's sessions vehicle by vehicle, day by day; None when no group gives."""
    if not any(vehicles[gi].v2b is not None for _, gi in blocks):
        return None
    parts: dict[str, list[np.ndarray]] = {"room": [], "previous": [], "eta": [], "ageing": []}
    start = 0
    for _, gi in blocks:
        g = vehicles[gi]
        n = g.count * n_days
        mine = need[start : start + n]
        day = np.arange(n_days)
        parts["previous"].append(start + (np.arange(g.count)[:, None] * n_days + (day - 1) % n_days).ravel())
        if g.v2b is None:
            parts["room"].append(np.zeros(n))
            parts["eta"].append(np.ones(n))
            parts["ageing"].append(np.zeros(n))
        else:
            parts["room"].append(np.maximum(g.battery_kwh * (1.0 - g.v2b.reserve_fraction) - 2.0 * mine, 0.0))
            parts["eta"].append(np.full(n, g.v2b.round_trip_efficiency))
            parts["ageing"].append(np.full(n, g.v2b.ageing_cny_per_kwh))
        start += n
    room, previous, eta, ageing = (np.concatenate(parts[k]) for k in ("room", "previous", "eta", "ageing"))
    return GiveBack(room, previous, eta, ageing)


def fleet_charging(
    vehicles: Sequence[VehicleGroup],
    chargers: Sequence[ChargerGroup],
    charging: Charging,
    n_steps: int,
    step_h: float,
    site: ChargingSite | None = None,
) -> FleetCharging:
    """The year of charging of a fleet: every electric vehicle's sessions on its charger group's pool, and what the
    vehicles of groups with ``v2b`` give the site (smart charging only).

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
        vehicle type; what the vehicles gave the site and its recharge [kW].

    Raises
    ------
    ValueError
        ``smart`` charging without ``site``; a group with ``v2b`` under unmanaged charging.
    """
    if charging.strategy == "smart" and site is None:
        raise ValueError("smart charging needs the site's net load, target and periods (site)")
    if charging.strategy != "smart" and any(g.v2b is not None for g in vehicles):
        raise ValueError("vehicle-to-building (v2b) is scheduled with smart charging only")
    n_days = round(n_steps * step_h / H_PER_DAY)
    rng = np.random.default_rng(charging.seed)
    windows = [plug_windows(g, n_days, rng) for g in vehicles]
    # Sessions by charger group, then by vehicle group; within a group vehicle by vehicle, day by day.
    blocks = [
        (ci, gi)
        for ci, c in enumerate(chargers)
        for gi, g in enumerate(vehicles)
        if g.fuel == "electric" and g.charger == c.name
    ]
    by_charger = {c.name: np.zeros(n_steps) for c in chargers}
    if not blocks:
        return FleetCharging(np.zeros(n_steps), by_charger, 0.0, 0.0, 0.0, 0, 0, {}, None)
    sizes = [vehicles[gi].count * n_days for _, gi in blocks]
    pool = np.concatenate([np.full(n, ci) for (ci, _), n in zip(blocks, sizes, strict=True)])
    arrive = np.concatenate([windows[gi][0].ravel() for _, gi in blocks])
    depart = np.concatenate([windows[gi][1].ravel() for _, gi in blocks])
    need = np.concatenate(
        [
            np.full(n, distance_km_per_day(vehicles[gi]) * vehicles[gi].consumption_kwh_per_km)
            for (_, gi), n in zip(blocks, sizes, strict=True)
        ]
    )
    group = np.concatenate([np.full(n, gi) for (_, gi), n in zip(blocks, sizes, strict=True)])
    past, v2b, given_kw, recharge_kw = None, {}, None, None
    if charging.strategy == "smart":
        plan = smart_sessions(
            arrive, depart, need, pool, chargers, site, step_h, _give_back_of(vehicles, blocks, n_days, need)
        )
        got = plan.got_kwh
        full = got >= need - FULL_TOL_KWH
        past = float(plan.past_target_kwh.sum())
        for ci, c in enumerate(chargers):
            by_charger[c.name] = (plan.e_kwh[ci] + plan.recharge_kwh[ci]) / step_h
        v2b = {
            vehicles[gi].name: {
                "given_e_kwh": float(plan.session_given_kwh[group == gi].sum()),
                "recharge_e_kwh": float(plan.session_recharge_kwh[group == gi].sum()),
                "vehicle_days": int((plan.session_given_kwh[group == gi] > 0).sum()),
                "ageing_cny": float(plan.session_given_kwh[group == gi].sum()) * vehicles[gi].v2b.ageing_cny_per_kwh,
            }
            for gi in sorted(set(group.tolist()))
            if vehicles[gi].v2b is not None
        }
        if v2b:
            given_kw, recharge_kw = plan.given_kwh.sum(axis=0) / step_h, plan.recharge_kwh.sum(axis=0) / step_h
    else:
        got, full = np.empty_like(need), np.empty(len(need), dtype=bool)
        for ci in sorted(set(pool.tolist())):
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
        v2b_kw=given_kw,
        v2b_recharge_kw=recharge_kw,
        v2b_by_group=v2b or None,
    )


def nev_share(vehicles: Sequence[VehicleGroup]) -> float | None:
    """New-energy (electric and fuel-cell) vehicles / all vehicles, by count (Annex 1, 2.2:
    "新能源交通物流运输工具比例"; fuel-cell vehicles are new-energy vehicles by MIIT order No. 39 [3]_).

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
    return sum(g.count for g in vehicles if g.fuel in NEW_ENERGY_FUELS) / total if total else None


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
    """Liquid fuel of a group over the year [L]: burnt (a diesel or petrol group) or avoided (an electric or
    hydrogen group's replaced vehicles, ``replaced=True``).

    ``L = count x km/day x n_days x L/100 km / 100``.

    Parameters
    ----------
    group : VehicleGroup
        The group.
    n_days : int
        Days of the year.
    replaced : bool
        Use ``replaced_l_per_100km`` (electric and hydrogen groups) instead of ``consumption_l_per_100km``.

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
    """Diesel and petrol the fleet burns and the fuel its electric and hydrogen vehicles avoid, in litres and tCO2.

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
    hydrogen: dict | None = None,
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
    hydrogen : dict, optional
        The hydrogen vehicles' year (:func:`hydrogen_trips`), with hydrogen groups.

    Returns
    -------
    dict
        ``charging_e_kwh`` (from the profile), ``need_e_kwh``, ``charged_e_kwh``, ``unmet_e_kwh`` [kWh/yr],
        ``charging_peak_kw`` [kW], ``trips``, ``unmet_trips`` (electric and hydrogen vehicle-days), ``unmet_by_type``
        (per vehicle type: trips, unmet trips, energy needed and unmet [kWh/yr]), ``past_target_e_kwh`` (smart:
        charged above the demand target [kWh/yr]; None for unmanaged), ``vehicles``, ``electric_vehicles``,
        ``charge_points``, ``parking_spaces``, ``nev_share`` and ``charging_coverage`` (both readings)
        [fraction], ``fuel`` (:func:`fleet_fuel`: burnt and avoided [L/yr, tCO2/yr]), ``strategy``; with hydrogen
        groups ``hydrogen_vehicles`` and ``hydrogen`` (:func:`hydrogen_trips`); with groups that give, ``v2b``:
        ``given_e_kwh`` (to the site's load), ``recharge_e_kwh`` (inside the charging), ``loss_e_kwh`` [kWh/yr],
        ``peak_kw`` [kW], ``vehicle_days``, ``ageing_cny`` [CNY/yr] and ``by_group``.
    """
    n_days = round(len(year.p_kw) * step_h / H_PER_DAY)
    out = {
        "strategy": charging.strategy,
        "charging_e_kwh": float(year.p_kw.sum() * step_h),
        "charging_peak_kw": float(year.p_kw.max(initial=0.0)),
        "need_e_kwh": year.need_e_kwh,
        "charged_e_kwh": year.charged_e_kwh,
        "unmet_e_kwh": year.unmet_e_kwh,
        "trips": year.trips,
        "unmet_trips": year.unmet_trips,
        "unmet_by_type": {t: dict(rec) for t, rec in year.by_type.items()},
        "past_target_e_kwh": year.past_target_e_kwh,
        "vehicles": sum(g.count for g in vehicles),
        "electric_vehicles": sum(g.count for g in vehicles if g.fuel == "electric"),
        "charge_points": sum(c.count for c in chargers),
        "parking_spaces": charging.parking_spaces,
        "nev_share": nev_share(vehicles),
        "charging_coverage": charging_coverage(vehicles, chargers, charging.parking_spaces),
        "fuel": fleet_fuel(vehicles, n_days, fuels),
    }
    if any(g.fuel == "hydrogen" for g in vehicles):
        out["hydrogen_vehicles"] = sum(g.count for g in vehicles if g.fuel == "hydrogen")
    if hydrogen is not None:
        out["hydrogen"] = hydrogen
        out["trips"] += hydrogen["trips"]
        out["unmet_trips"] += hydrogen["unmet_trips"]
        merged = {}
        for t in VEHICLE_TYPES:  # a type's hydrogen trips join its charging trips (no energy of its own there)
            rec = out["unmet_by_type"].get(t) or (
                dict(trips=0, unmet_trips=0, need_e_kwh=0.0, unmet_e_kwh=0.0) if t in hydrogen["by_type"] else None
            )
            if rec is not None:
                for k in ("trips", "unmet_trips"):
                    rec[k] += hydrogen["by_type"].get(t, {}).get(k, 0)
                merged[t] = rec
        out["unmet_by_type"] = merged
    if year.v2b_by_group:
        given = float(year.v2b_kw.sum() * step_h)
        recharge = float(year.v2b_recharge_kw.sum() * step_h)
        out["v2b"] = {
            "given_e_kwh": given,
            "recharge_e_kwh": recharge,
            "loss_e_kwh": recharge - given,
            "peak_kw": float(year.v2b_kw.max(initial=0.0)),
            "vehicle_days": sum(r["vehicle_days"] for r in year.v2b_by_group.values()),
            "ageing_cny": sum(r["ageing_cny"] for r in year.v2b_by_group.values()),
            "by_group": year.v2b_by_group,
        }
    return out


_SUMMED_V2B = ("given_e_kwh", "recharge_e_kwh", "loss_e_kwh", "vehicle_days", "ageing_cny", "bill_change_cny")


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
        coverage per parking space); ``strategy`` the sites' strategies joined; ``hydrogen_vehicles``,
        ``hydrogen`` and ``v2b`` (their totals, not by group) where a site has them.
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
    new_energy = out["electric_vehicles"]
    if any("hydrogen_vehicles" in r for r in records):
        out["hydrogen_vehicles"] = sum(r.get("hydrogen_vehicles", 0) for r in records)
        new_energy += out["hydrogen_vehicles"]
    h2 = [r["hydrogen"] for r in records if "hydrogen" in r]
    if h2:
        out["hydrogen"] = {k: sum(x[k] for x in h2) for k in ("need_kg", "unmet_kg", "trips", "unmet_trips")}
    v2b = [r["v2b"] for r in records if "v2b" in r]
    if v2b:
        out["v2b"] = {k: sum(x[k] for x in v2b) for k in _SUMMED_V2B if all(k in x for x in v2b)}
    spaces = [r["parking_spaces"] for r in records]
    out["parking_spaces"] = None if None in spaces else sum(spaces)
    n, points = out["vehicles"], out["charge_points"]
    out["nev_share"] = new_energy / n if n else None
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
        ``fleet_vehicles``, ``fleet_electric_vehicles``, ``fleet_hydrogen_vehicles`` (a fleet with fuel-cell
        vehicles), ``fleet_charge_points`` [count], ``fleet_nev_share``,
        ``fleet_charging_coverage_per_parking_space_share``, ``fleet_charging_coverage_per_vehicle_share``
        [fraction 0..1], ``fleet_unmet_e_kwh`` [kWh/yr], ``fleet_unmet_trips`` [vehicle-days].
    """
    out = {
        "fleet_vehicles": record["vehicles"],
        "fleet_electric_vehicles": record["electric_vehicles"],
        "fleet_hydrogen_vehicles": record.get("hydrogen_vehicles"),
        "fleet_charge_points": record["charge_points"],
        "fleet_nev_share": record["nev_share"],
        "fleet_unmet_e_kwh": record["unmet_e_kwh"],
        "fleet_unmet_trips": record["unmet_trips"],
    }
    for reading, value in record["charging_coverage"].items():
        out[f"fleet_charging_coverage_{reading}_share"] = value
    return {k: v for k, v in out.items() if v is not None}


def refuel_hours(group: VehicleGroup) -> tuple[int, int]:
    """The hours a hydrogen group refuels in: every hour its mean stay on site touches, from the arrival's.

    The site's dispenser fills the group's vehicles one after another while they are parked, so its day's hydrogen
    is spread evenly over those hours (assumed; the spreads of the arrival and departure are not drawn here).

    Parameters
    ----------
    group : VehicleGroup
        Its ``arrival_h`` and ``departure_h`` (at or before the arrival: the next morning) [h].

    Returns
    -------
    start_h, hours : int
        First local hour [h] and number of hours (1..24).
    """
    stay = group.departure_h - group.arrival_h
    stay += H_PER_DAY if stay <= 0 else 0.0
    start = int(np.floor(group.arrival_h))
    return start, int(min(max(np.ceil(group.arrival_h + stay) - start, 1), H_PER_DAY))


def hydrogen_kg_per_day(group: VehicleGroup) -> float:
    """Hydrogen a hydrogen group takes a day: ``count x km/day x kg/100 km / 100`` [kg/day].

    Parameters
    ----------
    group : VehicleGroup
        A group with ``fuel: hydrogen``.

    Returns
    -------
    float
        [kg/day]
    """
    return group.count * distance_km_per_day(group) * group.consumption_kg_per_100km / 100.0


def fleet_hydrogen_uses(vehicles: Sequence[VehicleGroup]) -> list[HydrogenUse]:
    """The hydrogen groups as hydrogen uses, which the dispatch draws from the site's store as it draws
    ``hydrogen_uses`` (what the store cannot give is unmet: :func:`hydrogen_trips`).

    Parameters
    ----------
    vehicles : sequence of VehicleGroup
        The fleet.

    Returns
    -------
    list of HydrogenUse
        One per hydrogen group, named ``vehicles.<name>``, kind ``vehicles``: :func:`hydrogen_kg_per_day` over
        :func:`refuel_hours`.
    """
    out = []
    for g in vehicles:
        if g.fuel == "hydrogen":
            start, hours = refuel_hours(g)
            out.append(
                HydrogenUse(
                    name=f"vehicles.{g.name}",
                    kind="vehicles",
                    kg_per_day=hydrogen_kg_per_day(g),
                    start_h=start,
                    hours=hours,
                )
            )
    return out


FULL_TOL_KG = 1e-9
"""Hydrogen a refuelling day may miss [kg] (float noise of the store's sums) and still count as full."""


def hydrogen_trips(
    vehicles: Sequence[VehicleGroup], want_kg: np.ndarray, total_kg: np.ndarray, unmet_kg: np.ndarray, hour: np.ndarray
) -> dict:
    """The hydrogen vehicles' year: hydrogen needed and not in store, and the trips it leaves unmet.

    The store's hydrogen not given in a step is shared among the uses that wanted it then, pro rata; a group's
    refuelling day (from its first refuelling hour, :func:`refuel_hours`) short of ``u`` kg leaves
    ``ceil(u / kg per vehicle-day)`` vehicle-days unmet (the dispenser fills whole tanks one after another, so the
    shortfall falls on as few vehicles as it can; a group's share is never more than it wanted, so never more than its
    count). Refuelling hours before the year's first start belong to its last day (the year wraps).

    Parameters
    ----------
    vehicles : sequence of VehicleGroup
        The fleet; its hydrogen groups in order are the rows of ``want_kg``.
    want_kg : ndarray, shape (G, T)
        Each hydrogen group's hydrogen per step [kg] (:func:`lingtan.components.hydrogen.hydrogen_use_kg` of
        :func:`fleet_hydrogen_uses`).
    total_kg : ndarray, shape (T,)
        Every use's hydrogen per step, what the store was asked for [kg].
    unmet_kg : ndarray, shape (T,)
        What the store could not give [kg].
    hour : ndarray of int, shape (T,)
        Local hour of each (hourly) step.

    Returns
    -------
    dict
        ``need_kg``, ``unmet_kg`` [kg/yr], ``trips``, ``unmet_trips`` [vehicle-days], ``by_group`` (the same per
        group) and ``by_type`` (``trips``, ``unmet_trips`` per vehicle type).
    """
    groups = [g for g in vehicles if g.fuel == "hydrogen"]
    share = np.divide(want_kg, total_kg, out=np.zeros_like(want_kg, dtype=float), where=total_kg > 0)
    by_group, by_type = {}, {}
    for g, want, part in zip(groups, want_kg, share, strict=True):
        window = np.cumsum(hour == refuel_hours(g)[0]) - 1
        n_days = int(window.max()) + 1
        short = np.bincount(window % n_days, weights=unmet_kg * part, minlength=n_days)
        per_vehicle = hydrogen_kg_per_day(g) / g.count
        trips = g.count * n_days if per_vehicle > 0 else 0
        unmet = np.maximum(np.ceil((short - FULL_TOL_KG) / per_vehicle), 0.0) if per_vehicle > 0 else short * 0.0
        rec = {
            "trips": trips,
            "unmet_trips": int(unmet.sum()),
            "need_kg": float(want.sum()),
            "unmet_kg": float(short.sum()),
        }
        by_group[g.name] = rec
        t = by_type.setdefault(g.type, {"trips": 0, "unmet_trips": 0})
        t["trips"] += rec["trips"]
        t["unmet_trips"] += rec["unmet_trips"]
    return {
        **{k: sum(r[k] for r in by_group.values()) for k in ("need_kg", "unmet_kg", "trips", "unmet_trips")},
        "by_group": by_group,
        "by_type": by_type,
    }


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
    "NEW_ENERGY_FUELS",
    "VehicleToBuilding",
    "GiveBack",
    "SmartSchedule",
    "refuel_hours",
    "hydrogen_kg_per_day",
    "fleet_hydrogen_uses",
    "hydrogen_trips",
]
