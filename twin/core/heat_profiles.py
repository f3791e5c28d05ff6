"""The heat side of a scenario before the kernel: demands, waste heat, exchange, heat-pump limits.

Everything here is independent of storage state, so it is computed once per
scenario, vectorised over the year, and handed to the kernel as a
:class:`lingtan.twin.core.dispatch.HeatSystem`.

Rules
-----
* A heat demand is one temperature level: a production line's heat demand, or a
  building's space heating. A supply at temperature ``T`` serves any demand with
  ``t_c <= T``; so does a thermal store. Units serve demands in scenario order.
* Direct exchangers run first, in scenario order. Each takes heat from its
  waste-heat stream (what earlier exchangers left) into its sink, a demand or a
  thermal store, by :func:`lingtan.components.heat.direct_exchange_q_kw_th`, which is zero
  unless the stream is hotter than the sink by the minimum approach.
* Absorption chillers run next, each on what the exchangers left of its stream,
  cooling its space before the space's electric chillers (whose electricity and
  condenser heat fall by as much); the drive heat is waste heat recovered. Their
  capacity and COP follow the hour's cooling water (a wet cooling tower on the
  weather: :func:`lingtan.components.absorption.cooling_water_t_c`) where their model
  is the characteristic equation.
* A heat pump draws on what the exchangers and absorption chillers left of its source stream, on
  ambient air, or on a ground loop (whose fluid temperature the kernel moves hour
  by hour, :mod:`lingtan.components.ground`); two heat pumps may not share one
  stream or one ground loop.
* Electric boilers are power-to-heat units with a COP equal to their efficiency.
* Combined heat and power units serve after the heat pumps, once the bus is settled
  (their electricity displaces import; :mod:`lingtan.components.chp`).
  Fuel boilers and purchased heat serve last, in scenario order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from lingtan.components.absorption import cooling_water_t_c
from lingtan.components.chp import CombinedHeatPower, chp_coefficients
from lingtan.components.ground import GroundLoop, ground_modes, resistance_k_per_kw
from lingtan.components.heat import (
    AMBIENT_AIR,
    AbsorptionChiller,
    Boiler,
    HeatExchanger,
    HeatPump,
    PurchasedHeat,
    ThermalStorage,
    absorption_chiller_full_load,
    absorption_chiller_q_kw_th,
    direct_exchange_q_kw_th,
    heat_pump_max_q_kw_th,
    heat_pump_params_cop,
)
from lingtan.components.hydrogen import (
    Electrolyser,
    FuelCell,
    HydrogenBoiler,
    HydrogenStore,
    HydrogenUse,
    electrolyser_coefficients,
    fuel_cell_coefficients,
    hydrogen_boiler_kg,
    hydrogen_use_kg,
    store_limits_kg,
)
from lingtan.components.load_storage import AirReceiver, ColdStore
from lingtan.components.loads import CONDENSER_T_C, Load
from lingtan.components.process import DeclaredWasteEnergy, ProductionLine, simulate_line
from lingtan.components.space import (
    SpaceConditioning,
    space_cooling_p_kw,
    space_cooling_q_kw_th,
    space_heat_q_kw_th,
)
from lingtan.components.vehicles import fleet_hydrogen_uses
from lingtan.twin.core.dispatch import HeatSizes, HeatSystem
from lingtan.twin.core.schema.site import SiteAssets


@dataclass(frozen=True)
class Stream:
    """A waste-heat stream: its line, kind, temperature and hourly availability [kW_th]."""

    name: str
    line: str
    kind: str
    t_c: float
    t_return_c: float | None
    available_kw_th: np.ndarray


@dataclass(frozen=True)
class RejectedHeat:
    """Heat an electric load or electric space cooling rejects: a waste-heat resource of the boundary that no
    exchanger takes (GB/T 1028 counts it in the resource; the twin estimates it from the simulated electricity).

    ``declared`` is False when the rate comes from the end use's default (``lingtan.components.loads``)."""

    name: str
    end_use: str
    t_c: float
    available_kw_th: np.ndarray
    electricity_e_kwh: float
    declared: bool


@dataclass(frozen=True)
class HeatSetup:
    """Size-independent heat profiles of a scenario, and what the kernel needs.

    Attributes
    ----------
    system : HeatSystem
        What the kernel reads: residual demands, store offers, units and boilers.
    demand_names : list of str; demand_t_c : ndarray (D,)
        Heat demands, production lines' first then space heating, and their supply temperatures [C].
    demand_kw_th : ndarray (D, T)
        Gross heat demand [kW_th].
    recovered_kw_th : ndarray (D, T)
        Heat delivered by direct exchange [kW_th].
    streams : list of Stream
        Waste-heat streams of the production lines, in scenario order (W).
    stream_direct_kw_th : ndarray (W, T)
        Heat each stream gave to demands by direct exchange [kW_th].
    stream_store_offer_kw_th : ndarray (W, S, T)
        Heat each stream offered to each store [kW_th]; the kernel decides how much is taken.
    unit_names, unit_kinds, unit_source : lists (U,)
        Power-to-heat units, ``heat_pump`` or ``electric_boiler``, and their source stream index
        (-1 for ambient air or electricity only).
    boiler_names, boiler_fuel : lists (B,)
        Fuel boilers then purchased-heat contracts (fuel ``purchased_heat``).
    store_names : list of str
        Thermal stores, in scenario order (S).
    electric_load_kw : ndarray (T,)
        Electricity drawn by production lines and by electric space cooling [kW].
    line_availability : dict of str to float
        Each production line's running hours / scheduled hours over the year [-] (NaN with none scheduled).
    cooling_kw_th : ndarray (T,)
        Space cooling delivered by electric chillers [kW_th].
    network_in_kw_th : ndarray (D, T)
        Heat each demand received from a park heat network [kW_th] (zero for a factory).
    network_out_kw_th : ndarray (W, T)
        Heat each stream delivered through a park heat network to another site's demand [kW_th].
    network_loss_kw_th : ndarray (W, T)
        Heat each stream lost in the heat network's pipes [kW_th]: taken from it, used by nobody.
    rejected : list of RejectedHeat
        Heat rejected by electric loads (by end use) and electric space cooling (condenser heat).
    declared_energy : list of (line name, lingtan.components.process.DeclaredWasteEnergy)
        Waste energy declared per year (余压, 余气, 余冷...).
    ground_loops : list of lingtan.components.ground.GroundLoop
        Borehole fields, in scenario order (G); ``system.unit_ground`` says which unit draws on which.
    ground_cooled : dict of str to str
        The space each ground loop's heat pump cools, by loop name (its cooling demand is
        ``system.ground_cooling_kw_th``; the space's chillers take the rest, in the kernel).
    absorption_names : list of str; absorption_source : list of int
        Absorption chillers on waste-heat streams (A), and the index of the stream driving each.
    absorption_cooling_kw_th, absorption_drive_kw_th : ndarray (A, T)
        The cooling each gave its space and the waste heat it took [kW_th].
    chp : list of lingtan.components.chp.CombinedHeatPower
        Combined heat and power units, in scenario order (C); their ratings are sizes.
    chp_absorbers : list of lingtan.components.heat.AbsorptionChiller
        Absorption chillers driven by a CHP unit's heat (the kernel runs them: ``system.cabs_*``).
    electrolysers, h2_stores, h2_uses, fuel_cells, h2_boilers : lists
        Electrolysers (Z), the hydrogen store (at most one), the uses it serves, the fuel cells (F) and the hydrogen
        boilers (H) it feeds (:mod:`lingtan.components.hydrogen`); the ratings and the store's capacity are sizes.
    space_cooling_kw_th : dict of str to ndarray (T,)
        Each space its electric chillers cool (not a ground loop's): its whole cooling demand [kW_th], which the
        absorption chillers, the cold stores and the chillers share (the heat table's ``<space>.cooling_*``).
    absorption_cooled : list of str
        The space each absorption chiller on a waste-heat stream cools (A).
    load_stores : list of ColdStore or AirReceiver
        Cold stores then air receivers (L, :mod:`lingtan.components.load_storage`), run by the kernel
        (``system.ls_*``); their capacities are sizes.
    """

    system: HeatSystem
    demand_names: list[str]
    demand_t_c: np.ndarray
    demand_kw_th: np.ndarray
    recovered_kw_th: np.ndarray
    streams: list[Stream]
    stream_direct_kw_th: np.ndarray
    stream_store_offer_kw_th: np.ndarray
    unit_names: list[str]
    unit_kinds: list[str]
    unit_source: list[int]
    boiler_names: list[str]
    boiler_fuel: list[str]
    store_names: list[str]
    electric_load_kw: np.ndarray
    line_availability: dict[str, float]
    cooling_kw_th: np.ndarray
    network_in_kw_th: np.ndarray
    network_out_kw_th: np.ndarray
    network_loss_kw_th: np.ndarray
    rejected: Sequence[RejectedHeat] = ()
    declared_energy: Sequence[tuple[str, DeclaredWasteEnergy]] = ()
    ground_loops: Sequence[GroundLoop] = ()
    ground_cooled: dict[str, str] = field(default_factory=dict)
    absorption_names: Sequence[str] = ()
    absorption_source: Sequence[int] = ()
    absorption_cooling_kw_th: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    absorption_drive_kw_th: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    chp: Sequence[CombinedHeatPower] = ()
    chp_absorbers: Sequence[AbsorptionChiller] = ()
    electrolysers: Sequence[Electrolyser] = ()
    h2_stores: Sequence[HydrogenStore] = ()
    h2_uses: Sequence[HydrogenUse] = ()
    fuel_cells: Sequence[FuelCell] = ()
    h2_boilers: Sequence[HydrogenBoiler] = ()
    space_cooling_kw_th: dict[str, np.ndarray] = field(default_factory=dict)
    absorption_cooled: Sequence[str] = ()
    load_stores: Sequence[ColdStore | AirReceiver] = ()

    def loop_units(self, g: int) -> list[str]:
        """The power-to-heat units that draw on ground loop ``g``.

        Parameters
        ----------
        g : int
            Index of the loop in ``ground_loops``.

        Returns
        -------
        list of str
            Unit names (one heat pump: the schema allows no more).
        """
        return [self.unit_names[u] for u in np.flatnonzero(np.asarray(self.system.unit_ground) == g)]

    def absorbed_by_stream_kw_th(self, w: int) -> np.ndarray:
        """Drive heat the absorption chillers took from a stream.

        Parameters
        ----------
        w : int
            Index of the stream in ``streams``.

        Returns
        -------
        ndarray, shape (T,)
            [kW_th], zero where no chiller draws on it.
        """
        rows = [self.absorption_drive_kw_th[a] for a, src in enumerate(self.absorption_source) if src == w]
        return np.sum(rows, axis=0) if rows else np.zeros_like(self.stream_direct_kw_th[w])

    @property
    def empty(self) -> bool:
        """True when the site has no heat side at all: no demand, no stream, no declared waste energy and no
        rejected heat."""
        return (
            len(self.demand_names) == 0
            and len(self.streams) == 0
            and not self.declared_energy
            and not any(r.available_kw_th.any() for r in self.rejected)
            and not self.load_stores
        )


def build_heat(
    scenario: SiteAssets,
    index: pd.DatetimeIndex,
    temp_air: np.ndarray,
    load_kw: dict[str, np.ndarray] | None = None,
    relative_humidity: np.ndarray | None = None,
) -> HeatSetup:
    """Compute the heat side of ``scenario`` on ``index`` (hourly, interval start).

    Parameters
    ----------
    scenario : lingtan.twin.core.schema.site.SiteAssets
        A factory's or a tenant's assets: production lines, loads, spaces, exchangers, heat pumps, boilers,
        purchased heat and thermal stores.
    index : DatetimeIndex
        The hours of the run, T entries.
    temp_air : ndarray (T,)
        Outdoor air temperature [C], for space conditioning and air-source heat pumps.
    load_kw : dict of str to ndarray (T,), optional
        Each electric load's hourly power [kW] by name, for the heat it rejects
        (:meth:`lingtan.components.loads.ShiftLoad.heat_rejection`); without it no load's heat is counted.
    relative_humidity : ndarray (T,), optional
        Outdoor relative humidity [%], for the cooling water of absorption chillers on the characteristic equation
        (their cooling tower's wet bulb); without it (or NaN in an hour) the dry bulb stands in.

    Returns
    -------
    HeatSetup
        The size-independent heat profiles and the kernel's :class:`~lingtan.twin.core.dispatch.HeatSystem`.
    """
    side = _HeatSide(len(index))
    _add_production_lines(side, scenario.processes, index)
    step_h = (index[1] - index[0]).total_seconds() / 3600.0 if len(index) > 1 else 1.0
    _add_load_rejection(side, scenario.loads, load_kw, step_h)
    cooled = {hp.cooling: hp for hp in scenario.heat_pumps if hp.cooling is not None}
    _add_space_conditioning(side, scenario.space, temp_air, set(cooled))
    stores = list(scenario.thermal_storage)
    ex = _direct_exchange(side, scenario.heat_exchangers, stores)
    on_chp = chp_absorbers(scenario)
    on_streams = [c for c in scenario.absorption_chillers if c not in on_chp]
    absorbed = _absorption_cooling(side, on_streams, scenario.space, ex.left_kw_th, temp_air, relative_humidity)
    loops = list(scenario.ground_loops)
    units = _power_to_heat_units(
        side, scenario.heat_pumps, scenario.boilers, ex.left_kw_th, stores, temp_air, [g.name for g in loops]
    )
    heat_sources = [b for b in scenario.boilers if b.fuel != "electric"] + list(scenario.purchased_heat)
    system = _heat_system(side, ex, units, stores, heat_sources)
    system = _with_ground_cooling(system, side, scenario, loops)
    system = _with_chp(system, side, scenario.chp, on_chp, scenario.space, temp_air, relative_humidity)
    system = _with_hydrogen(system, side, scenario, index)
    system = _with_load_stores(system, side, scenario, load_kw or {})
    return HeatSetup(
        system=system,
        demand_names=side.demand_names,
        demand_t_c=side.demand_t_c,
        demand_kw_th=ex.demand_kw_th,
        recovered_kw_th=ex.recovered_kw_th,
        streams=side.streams,
        stream_direct_kw_th=ex.direct_kw_th,
        stream_store_offer_kw_th=ex.offer_kw_th,
        unit_names=[u.name for u in units],
        unit_kinds=[u.kind for u in units],
        unit_source=[u.source for u in units],
        boiler_names=[h.name for h in heat_sources],
        boiler_fuel=[getattr(h, "fuel", "purchased_heat") for h in heat_sources],
        store_names=[s.name for s in stores],
        electric_load_kw=side.electric_kw,
        line_availability=side.availability,
        cooling_kw_th=side.cooling_kw_th,
        network_in_kw_th=np.zeros_like(ex.demand_kw_th),
        network_out_kw_th=np.zeros_like(ex.left_kw_th),
        network_loss_kw_th=np.zeros_like(ex.left_kw_th),
        rejected=side.rejected,
        declared_energy=side.declared_energy,
        ground_loops=loops,
        ground_cooled={hp.source: space for space, hp in cooled.items()},
        absorption_names=[c.name for c in on_streams],
        absorption_source=[[st.name for st in side.streams].index(c.source) for c in on_streams],
        absorption_cooling_kw_th=absorbed[0],
        absorption_drive_kw_th=absorbed[1],
        chp=list(scenario.chp),
        chp_absorbers=on_chp,
        electrolysers=list(scenario.electrolysers),
        h2_stores=list(scenario.hydrogen_stores),
        h2_uses=hydrogen_uses(scenario),
        fuel_cells=list(scenario.fuel_cells),
        h2_boilers=list(scenario.hydrogen_boilers),
        space_cooling_kw_th=side.space_cooling_kw_th,
        absorption_cooled=[c.cooling for c in on_streams],
        load_stores=[*scenario.cold_stores, *scenario.air_receivers],
    )


# --------------------------------------------------------------------------- steps of build_heat


@dataclass
class _HeatSide:
    """What the heat side's sources and demands add up to, filled step by step in scenario order.

    Demands come in this order: production lines' heat demands, then space heating; rejected heat:
    electric loads, then chillers' condensers.
    """

    hours: int
    demand_names: list[str] = field(default_factory=list)
    demand_temps_c: list[float] = field(default_factory=list)
    demand_rows_kw_th: list[np.ndarray] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)
    availability: dict[str, float] = field(default_factory=dict)
    declared_energy: list[tuple[str, DeclaredWasteEnergy]] = field(default_factory=list)
    rejected: list[RejectedHeat] = field(default_factory=list)
    ground_cooling_kw_th: dict[str, np.ndarray] = field(default_factory=dict)  # spaces a ground loop cools
    chiller_cooling_kw_th: dict[str, np.ndarray] = field(default_factory=dict)  # by space: its electric chillers
    space_cooling_kw_th: dict[str, np.ndarray] = field(default_factory=dict)  # by space: its chillers' whole demand
    line_p_kw: dict[str, np.ndarray] = field(default_factory=dict)  # by production line: its electricity
    electric_kw: np.ndarray = field(init=False)  # (T,) lines and electric cooling [kW]
    cooling_kw_th: np.ndarray = field(init=False)  # (T,) space cooling by electric chillers [kW_th]

    def __post_init__(self) -> None:
        self.electric_kw = np.zeros(self.hours)
        self.cooling_kw_th = np.zeros(self.hours)

    def add_demand(self, name: str, t_c: float, q_kw_th: ArrayLike) -> None:
        """A heat demand at ``t_c`` [C] of ``q_kw_th`` [kW_th] per hour."""
        self.demand_names.append(name)
        self.demand_temps_c.append(t_c)
        self.demand_rows_kw_th.append(np.asarray(q_kw_th, dtype=float))

    @property
    def demand_t_c(self) -> np.ndarray:
        """(D,) demand temperatures [C]."""
        return np.array(self.demand_temps_c, dtype=float)

    @property
    def demand_kw_th(self) -> np.ndarray:
        """(D, T) gross heat demand [kW_th]."""
        return np.vstack(self.demand_rows_kw_th) if self.demand_rows_kw_th else np.zeros((0, self.hours))


def _add_production_lines(side: _HeatSide, processes: Sequence[ProductionLine], index: pd.DatetimeIndex) -> None:
    """Simulate each production line and add its electricity, heat demands, waste-heat streams, availability and
    declared waste energy to ``side``."""
    for line in processes:
        r = simulate_line(line, index)
        side.electric_kw += r.p_kw
        side.line_p_kw[line.name] = np.asarray(r.p_kw, dtype=float)
        side.availability[line.name] = float(r.availability)
        for dem in line.heat_demands:
            side.add_demand(dem.name, dem.t_c, r.heat_demand_q_kw_th[dem.name])
        for ws in line.waste_heat:
            side.streams.append(
                Stream(
                    ws.name,
                    line.name,
                    ws.kind,
                    ws.t_c,
                    ws.t_return_c,
                    np.asarray(r.waste_heat_q_kw_th[ws.name], dtype=float),
                )
            )
        side.declared_energy += [(line.name, item) for item in line.waste_energy]


def _add_load_rejection(
    side: _HeatSide, loads: Sequence[Load], load_kw: dict[str, np.ndarray] | None, step_h: float = 1.0
) -> None:
    """Add the heat each electric load rejects [kW_th] (none without ``load_kw``, each load's power [kW] per step
    of ``step_h`` hours)."""
    if load_kw is None:
        return
    for item in loads:
        fraction, t_c, declared = item.heat_rejection()
        p = np.asarray(load_kw[item.name], dtype=float)
        side.rejected.append(
            RejectedHeat(item.name, item.end_use, t_c, fraction * p, float(p.sum()) * step_h, declared)
        )


def _add_space_conditioning(
    side: _HeatSide,
    spaces: Sequence[SpaceConditioning],
    temp_air: np.ndarray,
    ground_cooled: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Add each space's heating demand, and its electric cooling: cooling delivered [kW_th], the chiller's
    electricity [kW] and its condenser's rejected heat [kW_th]. A space a ground-source heat pump cools keeps
    only its cooling demand here: the kernel splits it between the heat pump and the chillers."""
    for sp in spaces:
        q = space_heat_q_kw_th(temp_air, sp)
        if sp.heating:
            side.add_demand(sp.name, sp.t_c, q)
        if sp.name in ground_cooled:
            side.ground_cooling_kw_th[sp.name] = np.asarray(space_cooling_q_kw_th(temp_air, sp), dtype=float)
        elif sp.cooling and sp.cooling_cop is not None:
            qc = np.asarray(space_cooling_q_kw_th(temp_air, sp), dtype=float)
            pc = np.asarray(space_cooling_p_kw(qc, sp), dtype=float)
            side.chiller_cooling_kw_th[sp.name] = qc.copy()
            side.space_cooling_kw_th[sp.name] = qc
            side.cooling_kw_th += qc
            side.electric_kw += pc
            # The chiller's condenser rejects the heat removed plus its own work (first law).
            side.rejected.append(
                RejectedHeat(f"{sp.name}.condenser", "cooling", CONDENSER_T_C, qc + pc, float(pc.sum()), True)
            )


def _absorption_cooling(
    side: _HeatSide,
    chillers: Sequence[AbsorptionChiller],
    spaces: Sequence[SpaceConditioning],
    left_kw_th: np.ndarray,
    temp_air: np.ndarray,
    relative_humidity: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run each absorption chiller on what is left of its stream (``left_kw_th``, reduced in place), for the
    cooling its space's electric chillers would otherwise give: their cooling, electricity and condenser heat fall
    by the absorption's cooling (and its electricity share); the absorption rejects its cooling plus its drive
    heat at its own condenser, which joins the space's rejected heat. Its cooling water is its tower's on the
    hour's weather. Returns (A, T) cooling and drive heat [kW_th]."""
    t = side.hours
    by_name = {sp.name: sp for sp in spaces}
    stream_index = {st.name: i for i, st in enumerate(side.streams)}
    cool, drive = np.zeros((len(chillers), t)), np.zeros((len(chillers), t))
    for a, ch in enumerate(chillers):
        sp, w = by_name[ch.cooling], stream_index[ch.source]
        r = next(i for i, x in enumerate(side.rejected) if x.name == f"{sp.name}.condenser")
        assert sp.cooling_cop is not None  # the schema allows only a space with electric chillers
        cop_e = sp.cooling_cop
        still = side.chiller_cooling_kw_th[sp.name]  # what its electric chillers still cool
        t_cw = cooling_water_t_c(temp_air, relative_humidity, ch.cooling_tower_approach_k)
        cool[a], drive[a] = absorption_chiller_q_kw_th(left_kw_th[w], side.streams[w].t_c, ch, still, t_cw)
        left_kw_th[w] -= drive[a]
        side.chiller_cooling_kw_th[sp.name] = still - cool[a]
        side.cooling_kw_th -= cool[a]
        side.electric_kw -= cool[a] / cop_e
        old = side.rejected[r]
        side.rejected[r] = RejectedHeat(
            old.name,
            old.end_use,
            old.t_c,
            old.available_kw_th - cool[a] / cop_e + drive[a],
            old.electricity_e_kwh - float(cool[a].sum()) / cop_e,
            old.declared,
        )
    return cool, drive


@dataclass(frozen=True)
class _Exchange:
    """Demands and streams after the direct exchangers."""

    demand_kw_th: np.ndarray  # (D, T) gross demand
    residual_kw_th: np.ndarray  # (D, T) demand the exchangers left
    recovered_kw_th: np.ndarray  # (D, T) heat delivered by direct exchange
    left_kw_th: np.ndarray  # (W, T) heat each stream has left
    direct_kw_th: np.ndarray  # (W, T) heat each stream gave to demands
    offer_kw_th: np.ndarray  # (W, S, T) heat each stream offered to each store


def _direct_exchange(
    side: _HeatSide, exchangers: Sequence[HeatExchanger], stores: Sequence[ThermalStorage]
) -> _Exchange:
    """Run the direct exchangers in scenario order, each on what earlier ones left of its stream.

    An exchanger into a demand delivers at most what the demand still needs; one into a thermal store
    offers heat that the kernel takes or not.
    """
    t = side.hours
    d_t = side.demand_t_c
    demand = side.demand_kw_th
    remaining = demand.copy()
    recovered = np.zeros_like(demand)
    streams = side.streams
    stream_index = {s.name: i for i, s in enumerate(streams)}
    left = np.vstack([s.available_kw_th for s in streams]) if streams else np.zeros((0, t))
    store_index = {s.name: i for i, s in enumerate(stores)}
    direct = np.zeros_like(left)
    offer = np.zeros((len(streams), len(stores), t))
    demand_index = {n: i for i, n in enumerate(side.demand_names)}
    for ex in exchangers:
        w = stream_index[ex.source]
        s = streams[w]
        if ex.sink in demand_index:
            d = demand_index[ex.sink]
            q = direct_exchange_q_kw_th(
                left[w], s.t_c, d_t[d], ex.effectiveness, ex.min_approach_k, s.t_return_c, q_sink_kw_th=remaining[d]
            )
            q = np.minimum(q, remaining[d])
            if ex.capacity_q_kw_th is not None:
                q = np.minimum(q, ex.capacity_q_kw_th)
            remaining[d] -= q
            recovered[d] += q
            direct[w] += q
        else:
            j = store_index[ex.sink]
            q = direct_exchange_q_kw_th(
                left[w], s.t_c, stores[j].t_c, ex.effectiveness, ex.min_approach_k, s.t_return_c
            )
            if ex.capacity_q_kw_th is not None:
                q = np.minimum(q, ex.capacity_q_kw_th)
            offer[w, j] += q
        left[w] -= q
    return _Exchange(
        demand_kw_th=demand,
        residual_kw_th=remaining,
        recovered_kw_th=recovered,
        left_kw_th=left,
        direct_kw_th=direct,
        offer_kw_th=offer,
    )


def _serves(demand_t_c: np.ndarray, t_supply_c: float) -> np.ndarray:
    """(D,) which demands a supply at ``t_supply_c`` [C] serves."""
    return demand_t_c <= t_supply_c


def _charges(stores: Sequence[ThermalStorage], t_supply_c: float) -> np.ndarray:
    """(S,) which thermal stores a supply at ``t_supply_c`` [C] charges."""
    return np.array([st.t_c <= t_supply_c for st in stores], dtype=bool)


@dataclass(frozen=True)
class _Unit:
    """A power-to-heat unit: a heat pump or an electric boiler."""

    name: str
    kind: str  # "heat_pump" or "electric_boiler"
    source: int  # its waste-heat stream's index, -1 for ambient air or electricity only
    cop: np.ndarray  # (T,) [-]
    max_kw_th: np.ndarray  # (T,) most heat its source allows [kW_th]
    serves: np.ndarray  # (D,) bool
    charges: np.ndarray  # (S,) bool
    grid_allowed: bool
    ground: int = -1  # its ground loop's index, -1 for none
    cop_params: tuple[float, ...] = (0.0,) * 6  # a ground unit's components.heat.cop_of arguments after the source


def _power_to_heat_units(
    side: _HeatSide,
    heat_pumps: Sequence[HeatPump],
    boilers: Sequence[Boiler],
    left_kw_th: np.ndarray,
    stores: Sequence[ThermalStorage],
    temp_air: np.ndarray,
    loops: Sequence[str] = (),
) -> list[_Unit]:
    """Heat pumps (COP from their source's temperature, limited by what the exchangers left of their source
    stream), then electric boilers (COP = efficiency), in scenario order. A heat pump on a ground loop has no
    COP profile: the kernel works it out from the loop's fluid temperature each hour and never reads the row
    (filled as if the source were the air)."""
    t = side.hours
    d_t = side.demand_t_c
    stream_index = {s.name: i for i, s in enumerate(side.streams)}
    units = []
    for hp in heat_pumps:
        ground = list(loops).index(hp.source) if hp.source in loops else -1
        if hp.source == AMBIENT_AIR or ground >= 0:
            t_src, q_src, w = temp_air, np.full(t, np.inf), -1
        else:
            w = stream_index[hp.source]
            t_src, q_src = np.full(t, side.streams[w].t_c), left_kw_th[w]
        cop = np.asarray(heat_pump_params_cop(hp, t_src), dtype=float)
        units.append(
            _Unit(
                hp.name,
                "heat_pump",
                w,
                cop,
                np.asarray(heat_pump_max_q_kw_th(q_src, cop, np.inf), dtype=float),
                np.array([n == hp.sink for n in side.demand_names]) if hp.sink else _serves(d_t, hp.t_c),
                _charges(stores, hp.t_c),
                hp.electricity == "any",
                ground,
                (
                    hp.t_c,
                    hp.carnot_fraction,
                    hp.cop_max,
                    hp.min_lift_k,
                    np.inf if hp.max_lift_k is None else hp.max_lift_k,
                    hp.max_sink_t_c,
                ),
            )
        )
    for b in boilers:
        if b.fuel == "electric":
            units.append(
                _Unit(
                    b.name,
                    "electric_boiler",
                    -1,
                    np.full(t, b.efficiency),
                    np.full(t, np.inf),
                    _serves(d_t, b.t_c),
                    _charges(stores, b.t_c),
                    b.electricity == "any",
                )
            )
    return units


def _heat_system(
    side: _HeatSide,
    ex: _Exchange,
    units: list[_Unit],
    stores: Sequence[ThermalStorage],
    heat_sources: Sequence[Boiler | PurchasedHeat],
) -> HeatSystem:
    """The kernel's :class:`~lingtan.twin.core.dispatch.HeatSystem`: residual demands, store offers, units and
    boilers (the ground loops' fields are sizes: :func:`heat_sizes`)."""
    t = side.hours
    d_t = side.demand_t_c
    n_d, n_s, n_u = len(side.demand_names), len(stores), len(units)
    return HeatSystem(
        residual_kw_th=ex.residual_kw_th,
        store_recoverable_kw_th=ex.offer_kw_th.sum(axis=0) if side.streams else np.zeros((n_s, t)),
        store_serves=np.array([_serves(d_t, st.t_c) for st in stores], dtype=bool).reshape(n_s, n_d),
        store_keep=np.array([1.0 - st.standing_loss_fraction_per_hour for st in stores]),
        unit_cop=np.vstack([u.cop for u in units]) if units else np.zeros((0, t)),
        unit_max_kw_th=np.vstack([u.max_kw_th for u in units]) if units else np.zeros((0, t)),
        unit_serves=np.array([u.serves for u in units], dtype=bool).reshape(n_u, n_d),
        unit_charges=np.array([u.charges for u in units], dtype=bool).reshape(n_u, n_s),
        unit_grid_allowed=np.array([u.grid_allowed for u in units], dtype=bool),
        boiler_capacity_kw_th=np.array([h.capacity_q_kw_th for h in heat_sources], dtype=float),
        boiler_serves=np.array([_serves(d_t, h.t_c) for h in heat_sources], dtype=bool).reshape(len(heat_sources), n_d),
        unit_ground=np.array([u.ground for u in units], dtype=np.int64),
        unit_cop_params=np.array([u.cop_params for u in units], dtype=float).reshape(n_u, 6),
    )


def chp_absorbers(scenario: SiteAssets) -> list[AbsorptionChiller]:
    """The absorption chillers a CHP unit's heat drives (the kernel runs them; the others run on waste-heat streams
    before it), in scenario order.

    Parameters
    ----------
    scenario : lingtan.twin.core.schema.site.SiteAssets
        A factory's or a tenant's assets.

    Returns
    -------
    list of AbsorptionChiller
    """
    engines = {c.name for c in scenario.chp}
    return [a for a in scenario.absorption_chillers if a.source in engines]


def hydrogen_uses(scenario: SiteAssets) -> list[HydrogenUse]:
    """What a site takes from its hydrogen store each day: its ``hydrogen_uses`` and its hydrogen vehicles
    (:func:`lingtan.components.vehicles.fleet_hydrogen_uses`), in that order.

    Parameters
    ----------
    scenario : SiteAssets
        The site.

    Returns
    -------
    list of HydrogenUse
    """
    return [*scenario.hydrogen_uses, *fleet_hydrogen_uses(scenario.vehicles)]


def _with_hydrogen(system: HeatSystem, side: _HeatSide, scenario: SiteAssets, index: pd.DatetimeIndex) -> HeatSystem:
    """``system`` with the electrolysers' hydrogen lines, minimum loads, ageing and operating hours, the hydrogen
    store's compression and standing loss, its uses' hydrogen each step, and the fuel cells' hydrogen and heat lines,
    minimum loads and the demands their heat serves, and the hydrogen boilers' hydrogen per kWh_th, the demands they
    serve and the uses' hydrogen each leaves in the store (ratings and capacity are sizes: :func:`heat_sizes`); the
    uses are the scenario's and the hydrogen fleet's (:func:`hydrogen_uses`)."""
    els, stores, boilers = scenario.electrolysers, scenario.hydrogen_stores, scenario.hydrogen_boilers
    uses = [hydrogen_use_kg(index, u) for u in hydrogen_uses(scenario)]
    use_kg = np.tile(np.sum(uses, axis=0) if uses else np.zeros(len(index)), (len(stores), 1))
    return replace(
        system,
        h2_params=np.array(
            [
                (
                    *electrolyser_coefficients(e),
                    e.min_load_fraction,
                    e.degradation_pct_per_kh / 1e5,
                    float(e.electricity == "valley_grid"),
                )
                for e in els
            ],
            dtype=float,
        ).reshape(len(els), 5),
        h2_op0=np.array([e.operating_h for e in els], dtype=float),
        h2_store_params=np.array(
            [(s.compression_kwh_per_kg, 1.0 - s.standing_loss_fraction_per_h) for s in stores], dtype=float
        ).reshape(len(stores), 2),
        h2_use_kg=use_kg,
        h2_fill_kg=next_day_sum(use_kg),
        h2_reserve_kg=np.array(
            [next_day_sum(use_kg.sum(axis=0, keepdims=True), b.reserve_h)[0] for b in boilers]
        ).reshape(len(boilers), len(index)),
        hb_params=np.array(
            [(float(hydrogen_boiler_kg(1.0, b)), b.above_fraction) for b in boilers], dtype=float
        ).reshape(len(boilers), 2),
        hb_serves=np.array([_serves(side.demand_t_c, b.t_c) for b in boilers], dtype=bool).reshape(
            len(boilers), len(side.demand_names)
        ),
        fc_params=np.array(
            [(*fuel_cell_coefficients(f), f.min_load_fraction) for f in scenario.fuel_cells], dtype=float
        ).reshape(len(scenario.fuel_cells), 5),
        fc_serves=np.array([_serves(side.demand_t_c, f.t_c) for f in scenario.fuel_cells], dtype=bool).reshape(
            len(scenario.fuel_cells), len(side.demand_names)
        ),
    )


def load_store_params(scenario: SiteAssets) -> np.ndarray:
    """(L, 4) each cold store's then air receiver's kernel parameters (``HeatSystem.ls_params``): the share of its
    content kept an hour [-], 1 where it charges from the grid in valley hours, the product a kWh of charging makes
    and the product a kWh of its load stands for [kWh_th or m3 per kWh] (a cold store beside a space serves at the
    space's cooling_cop unless it states its own).

    Parameters
    ----------
    scenario : lingtan.twin.core.schema.site.SiteAssets
        A factory's or a tenant's assets.

    Returns
    -------
    ndarray, shape (L, 4)
    """
    cops = {sp.name: sp.cooling_cop for sp in scenario.space}
    rows = []
    for c in scenario.cold_stores:
        k_sv = c.serve_cop or cops.get(c.serves) or 1.0  # the schema asks for one of the two
        rows.append((c.keep_per_hour(), float(c.grid_charge), c.charge_cop or k_sv, k_sv))
    for r in scenario.air_receivers:
        charge = r.charge_specific_power_kwh_per_m3 or r.specific_power_kwh_per_m3
        rows.append(
            (1.0 - r.loss_fraction_per_hour, float(r.grid_charge), 1.0 / charge, 1.0 / r.specific_power_kwh_per_m3)
        )
    return np.array(rows, dtype=float).reshape(len(rows), 4)


def _with_load_stores(
    system: HeatSystem, side: _HeatSide, scenario: SiteAssets, load_kw: dict[str, np.ndarray]
) -> HeatSystem:
    """``system`` with the cold stores then the air receivers: their parameters (:func:`load_store_params`), their
    load's electricity each hour (a space's chillers after the absorption chillers on waste heat, a production
    line's, an electric load's) and the product that load takes in the next day, and the CHP-driven absorption
    chiller or ground loop on a cold store's space (the kernel settles their shares); their capacities are sizes
    (:func:`heat_sizes`)."""
    spaces = {sp.name: sp for sp in scenario.space}
    # A space a ground loop's heat pump cools: its whole cooling at its chillers' COP (the kernel takes the pump's).
    cooling = {**side.chiller_cooling_kw_th, **side.ground_cooling_kw_th}
    served = [
        cooling[c.serves] / (spaces[c.serves].cooling_cop or 1.0) if c.serves in spaces else side.line_p_kw[c.serves]
        for c in scenario.cold_stores
    ]
    # an air receiver's compressors: a production line's or an electric load's (the schema names one of them)
    served += [
        side.line_p_kw[r.serves] if r.serves in side.line_p_kw else load_kw[r.serves] for r in scenario.air_receivers
    ]
    p = load_store_params(scenario)
    n = len(p)
    rows = np.array(served, dtype=float).reshape(n, side.hours)
    on_chp = [a.cooling for a in chp_absorbers(scenario)]  # one per space at most
    loops = [g.name for g in scenario.ground_loops]
    by_space = {hp.cooling: hp.source for hp in scenario.heat_pumps if hp.cooling is not None}  # loop by space
    return replace(
        system,
        ls_params=p,
        ls_p_served_kw=rows,
        ls_want=next_day_sum(rows * p[:, 3:4]),
        ls_absorber=np.array(
            [on_chp.index(c.serves) if c.serves in on_chp else -1 for c in scenario.cold_stores]
            + [-1] * len(scenario.air_receivers),
            dtype=np.int64,
        ),
        ls_loop=np.array(
            [loops.index(by_space[c.serves]) if c.serves in by_space else -1 for c in scenario.cold_stores]
            + [-1] * len(scenario.air_receivers),
            dtype=np.int64,
        ),
    )


def next_day_sum(rows: np.ndarray, steps: int = 24) -> np.ndarray:
    """Each row's sum over the ``steps`` steps after each step (fewer at the year's end).

    Parameters
    ----------
    rows : ndarray, shape (L, T)
        Hourly quantities.
    steps : int
        The window [steps].

    Returns
    -------
    ndarray, shape (L, T)
        ``out[:, t] = rows[:, t + 1 : t + 1 + steps].sum(axis=1)``.
    """
    c = np.concatenate([np.zeros((rows.shape[0], 1)), np.cumsum(rows, axis=1)], axis=1)
    t = np.arange(rows.shape[1])
    return c[:, np.minimum(t + 1 + steps, rows.shape[1])] - c[:, t + 1]


def _with_chp(
    system: HeatSystem,
    side: _HeatSide,
    units: Sequence[CombinedHeatPower],
    absorbers: Sequence[AbsorptionChiller],
    spaces: Sequence[SpaceConditioning],
    temp_air: np.ndarray,
    relative_humidity: np.ndarray | None,
) -> HeatSystem:
    """``system`` with the combined heat and power units: their fuel and heat lines and minimum load, their mode
    and the demands their heat serves (their ratings are sizes: :func:`heat_sizes`); and the absorption chillers
    their heat drives: each one's unit and the electricity a kW of its space's chiller cooling takes, its COP each
    hour, and the cooling it may give each hour (its capacity on the hour's cooling water, at the unit's heat
    temperature, at most what the space's electric chillers still cool after the chillers on waste heat)."""
    by_space = {sp.name: sp for sp in spaces}
    names = [c.name for c in units]
    full = [
        absorption_chiller_full_load(
            a.model_copy(update={"capacity_q_kw_th": 1.0}),  # per kW_th of rating: the rating is a size
            np.full(side.hours, units[names.index(a.source)].t_c),
            cooling_water_t_c(temp_air, relative_humidity, a.cooling_tower_approach_k),
        )
        for a in absorbers
    ]
    want = np.array([side.chiller_cooling_kw_th[a.cooling] for a in absorbers], dtype=float).reshape(
        len(absorbers), side.hours
    )
    cop_e = [by_space[a.cooling].cooling_cop or 1.0 for a in absorbers]  # the schema asks for a cooling_cop
    return replace(
        system,
        cabs_params=np.array([(names.index(a.source), 1.0 / c) for a, c in zip(absorbers, cop_e, strict=True)]).reshape(
            len(absorbers), 2
        ),
        cabs_cop=np.array([cop for _, cop in full], dtype=float).reshape(len(absorbers), side.hours),
        cabs_per_kw=np.array([cap for cap, _ in full], dtype=float).reshape(len(absorbers), side.hours),
        cabs_want_kw_th=want,
        chp_params=np.array([(*chp_coefficients(c), c.min_load_fraction) for c in units], dtype=float).reshape(
            len(units), 5
        ),
        chp_heat_led=np.array([c.mode == "heat_led" for c in units], dtype=bool),
        chp_serves=np.array([_serves(side.demand_t_c, c.t_c) for c in units], dtype=bool).reshape(
            len(units), len(side.demand_names)
        ),
    )


def _with_ground_cooling(
    system: HeatSystem, side: _HeatSide, scenario: SiteAssets, loops: Sequence[GroundLoop]
) -> HeatSystem:
    """``system`` with each ground loop's cooling demand (its heat pump's space, zero for none) and, per loop,
    the chilled-water temperature [C] and the COP of the space's chillers that take the rest."""
    t = side.hours
    demand, params = np.zeros((len(loops), t)), np.ones((len(loops), 2))
    names = [g.name for g in loops]
    spaces = {sp.name: sp for sp in scenario.space}
    for hp in scenario.heat_pumps:
        if hp.cooling is not None:
            g = names.index(hp.source)
            demand[g] = side.ground_cooling_kw_th[hp.cooling]
            params[g] = (hp.cooling_t_c, spaces[hp.cooling].cooling_cop)
    return replace(system, ground_cooling_kw_th=demand, ground_cooling_params=params)


def stream_left_kw_th(setup: HeatSetup, w: int) -> np.ndarray:
    """Heat of stream ``w`` not taken by its own site's exchangers, absorption chillers, stores or the heat network
    [kW_th].

    Parameters
    ----------
    setup : HeatSetup
        The site's heat side.
    w : int
        Index of the stream in ``setup.streams``.

    Returns
    -------
    ndarray, shape (T,)
        Heat the stream has left each hour [kW_th].
    """
    return (
        setup.streams[w].available_kw_th
        - setup.stream_direct_kw_th[w]
        - setup.absorbed_by_stream_kw_th(w)
        - setup.stream_store_offer_kw_th[w].sum(axis=0)
        - setup.network_out_kw_th[w]
        - setup.network_loss_kw_th[w]
    )


def exchange_between(
    src: HeatSetup,
    stream: str,
    dst: HeatSetup,
    demand: str,
    effectiveness: float,
    min_approach_k: float,
    loss_fraction: float,
    capacity_q_kw_th: float | None,
) -> tuple[HeatSetup, HeatSetup, np.ndarray, np.ndarray]:
    """Move waste heat from a stream of one site to a heat demand of another through a heat network.

    The exchange follows :func:`lingtan.components.heat.direct_exchange_q_kw_th` between the
    stream and the demand's temperature; the pipe loses ``loss_fraction`` of what it
    carries. The demand receives what arrives, never more than it still needs; the
    stream gives what arrives plus the pipe loss.

    Parameters
    ----------
    src : HeatSetup
        The heat side of the site whose stream gives the heat.
    stream : str
        Name of the waste-heat stream in ``src``.
    dst : HeatSetup
        The heat side of the site whose demand takes it (may be ``src`` itself).
    demand : str
        Name of the heat demand in ``dst``.
    effectiveness : float
        Heat exchanger effectiveness [-], 0..1.
    min_approach_k : float
        Smallest temperature difference across the exchanger [K].
    loss_fraction : float
        Part of the heat carried that the pipes lose [-], 0..1.
    capacity_q_kw_th : float or None
        Largest heat the link carries [kW_th]; no bound when None.

    Returns
    -------
    (HeatSetup, HeatSetup, ndarray, ndarray)
        Updated source and sink set-ups (the same object twice when both are one site),
        heat delivered [kW_th] and pipe loss [kW_th] per hour.
    """
    w = [s.name for s in src.streams].index(stream)
    d = dst.demand_names.index(demand)
    s = src.streams[w]
    left = stream_left_kw_th(src, w)
    q = direct_exchange_q_kw_th(left, s.t_c, dst.demand_t_c[d], effectiveness, min_approach_k, s.t_return_c)
    if capacity_q_kw_th is not None:
        q = np.minimum(q, capacity_q_kw_th)
    delivered = np.minimum(q * (1.0 - loss_fraction), dst.system.residual_kw_th[d])
    taken = np.divide(delivered, 1.0 - loss_fraction) if loss_fraction < 1 else np.zeros_like(delivered)
    same = src is dst
    out = src.network_out_kw_th.copy()
    out[w] += delivered
    lost = src.network_loss_kw_th.copy()
    lost[w] += taken - delivered
    src = replace(src, network_out_kw_th=out, network_loss_kw_th=lost)
    base = src if same else dst
    residual = base.system.residual_kw_th.copy()
    residual[d] -= delivered
    net_in = base.network_in_kw_th.copy()
    net_in[d] += delivered
    dst = replace(base, system=replace(base.system, residual_kw_th=residual), network_in_kw_th=net_in)
    return (dst if same else src), dst, delivered, taken - delivered


def heat_sizes(scenario: SiteAssets, n: int = 1) -> HeatSizes:
    """The scenario's heat asset sizes, repeated for ``n`` configurations.

    Parameters
    ----------
    scenario : lingtan.twin.core.schema.site.SiteAssets
        A factory's or a tenant's assets.
    n : int
        Number of configurations N.

    Returns
    -------
    HeatSizes
        Thermal stores' capacity [kWh_th], charge and discharge limits [kW_th] and first energy [kWh_th], and the
        heat output of each heat pump then each electric boiler [kW_th], the ground loops and the combined heat and
        power units' electric ratings [kW], one identical row per configuration.
    """
    stores = scenario.thermal_storage
    units = [hp.capacity_q_kw_th for hp in scenario.heat_pumps] + [
        b.capacity_q_kw_th for b in scenario.boilers if b.fuel == "electric"
    ]
    rep = lambda v: np.tile(np.asarray(v, dtype=float), (n, 1)).reshape(n, len(v))  # noqa: E731
    loops = scenario.ground_loops
    return HeatSizes(
        store_kwh_th=rep([s.capacity_kwh_th for s in stores]),
        store_charge_kw_th=rep([s.charge_kw_th for s in stores]),
        store_discharge_kw_th=rep([s.discharge_kw_th for s in stores]),
        store_e0_kwh_th=rep([s.soc_initial * s.capacity_kwh_th for s in stores]),
        unit_kw_th=rep(units),
        ground_loop=np.tile(loop_parameters(loops), (n, 1, 1)),
        ground_modes=np.tile(loop_modes(loops), (n, 1, 1, 1)),
        chp_kw=rep([c.capacity_p_kw for c in scenario.chp]),
        h2_kw=rep([e.capacity_p_kw for e in scenario.electrolysers]),
        fc_kw=rep([f.capacity_p_kw for f in scenario.fuel_cells]),
        cabs_kw=rep([a.capacity_q_kw_th for a in chp_absorbers(scenario)]),
        hb_kw=rep([b.capacity_q_kw_th for b in scenario.hydrogen_boilers]),
        h2_store_kg=np.tile(
            np.array([_store_kg(s) for s in scenario.hydrogen_stores], dtype=float).reshape(
                len(scenario.hydrogen_stores), 3
            ),
            (n, 1, 1),
        ),
        ls_size=np.tile(
            np.array(
                [s.kernel_sizes() for s in scenario.cold_stores] + [s.kernel_sizes() for s in scenario.air_receivers],
                dtype=float,
            ).reshape(-1, 4),
            (n, 1, 1),
        ),
    )


def _store_kg(store: HydrogenStore) -> tuple[float, float, float]:
    """A hydrogen store as the kernel reads it: capacity, lowest and first content [kg]."""
    lowest, capacity, first = store_limits_kg(store)
    return capacity, lowest, first


def loop_parameters(loops: Sequence[GroundLoop]) -> np.ndarray:
    """(G, 4) each ground loop's undisturbed ground temperature [C], fluid-to-wall resistance [K/kW], lowest and
    highest fluid temperature [C], as the kernel reads them (:class:`~lingtan.twin.core.dispatch.HeatSizes`).

    Parameters
    ----------
    loops : sequence of lingtan.components.ground.GroundLoop
        The fields.

    Returns
    -------
    ndarray, shape (G, 4)
    """
    rows = [(g.t_ground_c, resistance_k_per_kw(g), g.min_fluid_t_c, g.max_fluid_t_c) for g in loops]
    return np.array(rows, dtype=float).reshape(len(loops), 4)


def loop_modes(loops: Sequence[GroundLoop], step_h: float = 1.0) -> np.ndarray:
    """(G, M, 2) each ground loop's modes for a step of ``step_h`` hours
    (:func:`lingtan.components.ground.ground_modes`: M is the same for every field).

    Parameters
    ----------
    loops : sequence of lingtan.components.ground.GroundLoop
        The fields.
    step_h : float
        Length of a step [h] (the heat side runs hourly).

    Returns
    -------
    ndarray, shape (G, M, 2)
    """
    return np.array([ground_modes(g, step_h) for g in loops]) if loops else np.zeros((0, 0, 2))
