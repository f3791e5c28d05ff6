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
* A heat pump draws on what the exchangers left of its source stream (or on
  ambient air); two heat pumps may not share one stream.
* Electric boilers are power-to-heat units with a COP equal to their efficiency.
  Fuel boilers and purchased heat serve last, in scenario order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lingtan.components.heat import AMBIENT_AIR, direct_exchange_q_kw_th, heat_pump_max_q_kw_th, heat_pump_params_cop
from lingtan.components.loads import CONDENSER_T_C
from lingtan.components.process import simulate_line
from lingtan.components.space import space_cooling_p_kw, space_cooling_q_kw_th, space_heat_q_kw_th
from lingtan.twin.core.dispatch import HeatSizes, HeatSystem


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
    demand_names : list of str; demand_t_c : ndarray (D,)
    demand_kw_th : ndarray (D, T)
        Gross heat demand [kW_th].
    recovered_kw_th : ndarray (D, T)
        Heat delivered by direct exchange [kW_th].
    streams : list of Stream
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
    electric_load_kw : ndarray (T,)
        Electricity drawn by production lines and by electric space cooling [kW].
    line_availability : dict of str to float
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
    line_availability: dict
    cooling_kw_th: np.ndarray
    network_in_kw_th: np.ndarray
    network_out_kw_th: np.ndarray
    network_loss_kw_th: np.ndarray
    rejected: list = ()
    declared_energy: list = ()

    @property
    def empty(self) -> bool:
        return (len(self.demand_names) == 0 and len(self.streams) == 0 and not self.declared_energy
                and not any(r.available_kw_th.any() for r in self.rejected))


def build_heat(scenario, index: pd.DatetimeIndex, temp_air: np.ndarray,
               load_kw: dict[str, np.ndarray] | None = None) -> HeatSetup:
    """Compute the heat side of ``scenario`` on ``index`` (hourly, interval start).

    Parameters
    ----------
    scenario : lingtan.twin.core.scenario.Scenario
    index : DatetimeIndex
    temp_air : ndarray (T,)
        Outdoor air temperature [C], for space conditioning and air-source heat pumps.
    load_kw : dict of str to ndarray (T,), optional
        Each electric load's hourly power [kW] by name, for the heat it rejects
        (:meth:`lingtan.components.loads.ShiftLoad.heat_rejection`); without it no load's heat is counted.
    """
    t = len(index)
    names, temps, rows = [], [], []
    streams: list[Stream] = []
    electric = np.zeros(t)
    availability = {}
    declared_energy = []
    for line in scenario.processes:
        r = simulate_line(line, index)
        electric += r.p_kw
        availability[line.name] = float(r.availability)
        for dem in line.heat_demands:
            names.append(dem.name)
            temps.append(dem.t_c)
            rows.append(np.asarray(r.heat_demand_q_kw_th[dem.name], dtype=float))
        for ws in line.waste_heat:
            streams.append(Stream(ws.name, line.name, ws.kind, ws.t_c, ws.t_return_c,
                                  np.asarray(r.waste_heat_q_kw_th[ws.name], dtype=float)))
        declared_energy += [(line.name, item) for item in line.waste_energy]
    rejected = []
    for item in scenario.loads:
        if load_kw is None:
            break
        fraction, t_c, declared = item.heat_rejection()
        p = np.asarray(load_kw[item.name], dtype=float)
        rejected.append(RejectedHeat(item.name, item.end_use, t_c, fraction * p, float(p.sum()), declared))
    cooling = np.zeros(t)
    for sp in scenario.space:
        q = space_heat_q_kw_th(temp_air, sp)
        if sp.heating:
            names.append(sp.name)
            temps.append(sp.t_c)
            rows.append(np.asarray(q, dtype=float))
        if sp.cooling and sp.cooling_cop is not None:
            qc = np.asarray(space_cooling_q_kw_th(temp_air, sp), dtype=float)
            pc = np.asarray(space_cooling_p_kw(qc, sp), dtype=float)
            cooling += qc
            electric += pc
            # The chiller's condenser rejects the heat removed plus its own work (first law).
            rejected.append(RejectedHeat(f"{sp.name}.condenser", "cooling", CONDENSER_T_C, qc + pc,
                                         float(pc.sum()), True))

    d_t = np.array(temps, dtype=float)
    demand = np.vstack(rows) if rows else np.zeros((0, t))
    remaining = demand.copy()
    recovered = np.zeros_like(demand)
    stream_index = {s.name: i for i, s in enumerate(streams)}
    left = np.vstack([s.available_kw_th for s in streams]) if streams else np.zeros((0, t))
    stores = list(scenario.thermal_storage)
    store_index = {s.name: i for i, s in enumerate(stores)}
    direct = np.zeros_like(left)
    offer = np.zeros((len(streams), len(stores), t))
    demand_index = {n: i for i, n in enumerate(names)}
    for ex in scenario.heat_exchangers:
        w = stream_index[ex.source]
        s = streams[w]
        if ex.sink in demand_index:
            d = demand_index[ex.sink]
            q = direct_exchange_q_kw_th(left[w], s.t_c, d_t[d], ex.effectiveness, ex.min_approach_k,
                                        s.t_return_c, q_sink_kw_th=remaining[d])
            q = np.minimum(q, remaining[d])
            if ex.capacity_q_kw_th is not None:
                q = np.minimum(q, ex.capacity_q_kw_th)
            remaining[d] -= q
            recovered[d] += q
            direct[w] += q
        else:
            j = store_index[ex.sink]
            q = direct_exchange_q_kw_th(left[w], s.t_c, stores[j].t_c, ex.effectiveness, ex.min_approach_k,
                                        s.t_return_c)
            if ex.capacity_q_kw_th is not None:
                q = np.minimum(q, ex.capacity_q_kw_th)
            offer[w, j] += q
        left[w] -= q

    def serves(t_supply: float) -> np.ndarray:
        return d_t <= t_supply

    def charges(t_supply: float) -> np.ndarray:
        return np.array([st.t_c <= t_supply for st in stores], dtype=bool)

    u_names, u_kinds, u_src, cops, qmax, u_serve, u_charge, u_grid = [], [], [], [], [], [], [], []
    for hp in scenario.heat_pumps:
        if hp.source == AMBIENT_AIR:
            t_src, q_src, w = temp_air, np.full(t, np.inf), -1
        else:
            w = stream_index[hp.source]
            t_src, q_src = np.full(t, streams[w].t_c), left[w]
        cop = np.asarray(heat_pump_params_cop(hp, t_src), dtype=float)
        u_names.append(hp.name)
        u_kinds.append("heat_pump")
        u_src.append(w)
        cops.append(cop)
        qmax.append(np.asarray(heat_pump_max_q_kw_th(q_src, cop, np.inf), dtype=float))
        u_serve.append(np.array([n == hp.sink for n in names]) if hp.sink else serves(hp.t_c))
        u_charge.append(charges(hp.t_c))
        u_grid.append(hp.electricity == "any")
    fuel_boilers = []
    for b in scenario.boilers:
        if b.fuel != "electric":
            fuel_boilers.append(b)
            continue
        u_names.append(b.name)
        u_kinds.append("electric_boiler")
        u_src.append(-1)
        cops.append(np.full(t, b.efficiency))
        qmax.append(np.full(t, np.inf))
        u_serve.append(serves(b.t_c))
        u_charge.append(charges(b.t_c))
        u_grid.append(b.electricity == "any")
    heat_sources = fuel_boilers + list(scenario.purchased_heat)

    n_d, n_s, n_u = len(names), len(stores), len(u_names)
    system = HeatSystem(
        residual_kw_th=remaining,
        store_recoverable_kw_th=offer.sum(axis=0) if streams else np.zeros((n_s, t)),
        store_serves=np.array([serves(st.t_c) for st in stores], dtype=bool).reshape(n_s, n_d),
        store_keep=np.array([1.0 - st.standing_loss_fraction_per_hour for st in stores]),
        unit_cop=np.vstack(cops) if cops else np.zeros((0, t)),
        unit_max_kw_th=np.vstack(qmax) if qmax else np.zeros((0, t)),
        unit_serves=np.array(u_serve, dtype=bool).reshape(n_u, n_d),
        unit_charges=np.array(u_charge, dtype=bool).reshape(n_u, n_s),
        unit_grid_allowed=np.array(u_grid, dtype=bool),
        boiler_capacity_kw_th=np.array([h.capacity_q_kw_th for h in heat_sources], dtype=float),
        boiler_serves=np.array([serves(h.t_c) for h in heat_sources], dtype=bool).reshape(len(heat_sources), n_d),
    )
    return HeatSetup(
        system=system, demand_names=names, demand_t_c=d_t, demand_kw_th=demand, recovered_kw_th=recovered,
        streams=streams, stream_direct_kw_th=direct, stream_store_offer_kw_th=offer, unit_names=u_names,
        unit_kinds=u_kinds, unit_source=u_src, boiler_names=[h.name for h in heat_sources],
        boiler_fuel=[getattr(h, "fuel", "purchased_heat") for h in heat_sources],
        store_names=[s.name for s in stores], electric_load_kw=electric, line_availability=availability,
        cooling_kw_th=cooling, network_in_kw_th=np.zeros_like(demand), network_out_kw_th=np.zeros_like(left),
        network_loss_kw_th=np.zeros_like(left), rejected=rejected, declared_energy=declared_energy)


def stream_left_kw_th(setup: HeatSetup, w: int) -> np.ndarray:
    """Heat of stream ``w`` not taken by its own site's exchangers, stores or the heat network [kW_th]."""
    return (setup.streams[w].available_kw_th - setup.stream_direct_kw_th[w]
            - setup.stream_store_offer_kw_th[w].sum(axis=0) - setup.network_out_kw_th[w] - setup.network_loss_kw_th[w])


def exchange_between(src: HeatSetup, stream: str, dst: HeatSetup, demand: str, effectiveness: float,
                     min_approach_k: float, loss_fraction: float, capacity_q_kw_th: float | None):
    """Move waste heat from a stream of one site to a heat demand of another through a heat network.

    The exchange follows :func:`lingtan.components.heat.direct_exchange_q_kw_th` between the
    stream and the demand's temperature; the pipe loses ``loss_fraction`` of what it
    carries. The demand receives what arrives, never more than it still needs; the
    stream gives what arrives plus the pipe loss.

    Returns
    -------
    (HeatSetup, HeatSetup, ndarray, ndarray)
        Updated source and sink set-ups (the same object twice when both are one site),
        heat delivered [kW_th] and pipe loss [kW_th] per hour.
    """
    from dataclasses import replace

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


def heat_sizes(scenario, n: int = 1) -> HeatSizes:
    """The scenario's heat asset sizes, repeated for ``n`` configurations."""
    stores = scenario.thermal_storage
    units = [hp.capacity_q_kw_th for hp in scenario.heat_pumps] + \
        [b.capacity_q_kw_th for b in scenario.boilers if b.fuel == "electric"]
    rep = lambda v: np.tile(np.asarray(v, dtype=float), (n, 1)).reshape(n, len(v))  # noqa: E731
    return HeatSizes(store_kwh_th=rep([s.capacity_kwh_th for s in stores]),
                     store_charge_kw_th=rep([s.charge_kw_th for s in stores]),
                     store_discharge_kw_th=rep([s.discharge_kw_th for s in stores]),
                     store_e0_kwh_th=rep([s.soc_initial * s.capacity_kwh_th for s in stores]),
                     unit_kw_th=rep(units))
