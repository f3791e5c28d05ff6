"""The park's medium-voltage network: built in pandapower, checked for every hour of the year.

A park scenario describes its 10 kV network the way the single-line diagram reads: the grid
connection and the substation transformers, the feeders as chains of cable sections, and the
connection point of every tenant and shared asset (with its own 10/0.4 kV transformer when it
has one). A user may instead give a pandapower JSON network and name the buses where tenants
and assets connect.

pandapower stays the network model: :func:`build_net` returns a ``pandapowerNet``, and the
admittance matrices, bus ordering and ratings used by the annual power flow are pandapower's
own (``net._ppc["internal"]`` after one ``pandapower.runpp``). Only the solving of the
8760 hours is done here, in batch:

1. an implicit Z-bus (fixed-point) iteration on the current injections, all hours at once:
   one sparse LU factorisation of the admittance matrix between non-slack buses, solved
   with one right-hand side per hour;
2. hours that have not met the tolerance after a few dozen iterations (very heavy loading,
   or PV buses from a user's network) finish with Newton-Raphson, vectorised over hours
   (a stack of dense Jacobians solved together).

Both stop on the same criterion as pandapower's Newton-Raphson (largest active/reactive
power mismatch below ``tolerance_mva``); the results equal ``pandapower.runpp`` to about
1e-9 pu (tested to 1e-6 pu on sampled hours).

Sign convention
---------------
* Inputs: ``p_mw[name]`` is the **net demand** of a connection point in each hour [MW], in
  pandapower's load convention: positive = the tenant or asset draws power from the network,
  negative = it feeds power in (a PV plant is negative at noon). Each connection point is one
  pandapower ``load`` element named after the tenant or asset (``type="twin_connection"``).
  Reactive power follows ``q_mvar`` when given, else the power factor setting applies to
  positive demand (lagging) and feed-in is at unity power factor.
* Results are non-negative named flows: ``import_mw`` (grid to park through the substation)
  and ``export_mw`` (park to grid, reverse flow) are two columns, never one signed column.
  ``reverse_flow_hours`` counts the hours with ``export_mw > 1e-6``.

Several grid connections
------------------------
A pandapower network may hold several ext_grids (two substations feeding one meshed MV
network, as pandapower's ``mv_oberrhein``). Each distinct slack bus is one grid connection
(ext_grids at one bus are one node and are reported together). ``import_mw`` and
``export_mw`` are then the park's net exchange with the grid, the sum over its connections,
and ``reverse_flow_hours`` counts the hours the park as a whole exports; ``res_ext_grid``
and the ``hourly_grid_*`` tables give each connection's own import, export and reactive
power, and a finding names every connection with reverse flow of its own (power can flow in
at one substation and out at the other while the park imports).

Out-of-service elements
-----------------------
As in pandapower's ``res_line`` and ``res_trafo``, whose values for them do not change from
hour to hour: an out-of-service line or transformer has loading 0 (NaN when one of its ends
is de-energised, e.g. behind an open switch), one in service in a de-energised part of the
network has NaN. Out-of-service elements are never the worst element or a finding.

Limits
------
Voltage limits default to +/-7 % of the nominal voltage: GB/T 12325-2008 *Power quality -
Deviation of supply voltage*, clause 4.2 ("20 kV 及以下三相供电电压偏差为标称电压的 ±7 %"),
which covers the 10 kV and the 380 V three-phase buses of a park. Loading limit 100 %
of pandapower's rating (``max_i_ka * df * parallel`` for lines, ``sn_mva`` for transformers,
loading computed from currents as ``pandapower`` does with ``trafo_loading="current"``).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.errors import InputError

CONNECTION_TYPE = "twin_connection"
"""``net.load.type`` of the load elements that carry the tenants' and assets' net demand."""

REVERSE_FLOW_THRESHOLD_MW = 1e-6
"""Export above this counts as an hour of reverse flow at the substation [MW]."""


# --------------------------------------------------------------------------- models


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NetworkLimits(_Strict):
    """Operating limits checked every hour.

    Defaults: GB/T 12325-2008 clause 4.2, three-phase supply of 20 kV and below: voltage
    deviation within +/-7 % of the nominal voltage; lines and transformers at most 100 %
    of their rating.
    """

    v_min_pu: float = Field(default=0.93, gt=0, lt=1.5, description="lowest allowed bus voltage [pu of nominal]")
    v_max_pu: float = Field(default=1.07, gt=0, lt=1.5, description="highest allowed bus voltage [pu of nominal]")
    loading_max_percent: float = Field(default=100.0, gt=0, description="highest allowed line/transformer loading [%]")

    @model_validator(mode="after")
    def _ordered(self) -> "NetworkLimits":
        if self.v_min_pu >= self.v_max_pu:
            raise ValueError(f"v_min_pu < v_max_pu, got {self.v_min_pu} and {self.v_max_pu}")
        return self


class SubstationTransformer(_Strict):
    """A 110/10 kV substation transformer: a pandapower std type or its nameplate."""

    name: str
    std_type: str | None = Field(default=None, description="pandapower std type, e.g. '40 MVA 110/10 kV'")
    sn_mva: float | None = Field(default=None, gt=0, description="rated power [MVA]")
    vn_hv_kv: float | None = Field(default=None, gt=0, description="rated HV voltage [kV]; default: substation hv_kv")
    vn_lv_kv: float | None = Field(default=None, gt=0,
                                   description="rated LV voltage [kV]; default 1.05 x mv_kv (10.5 kV for 10 kV)")
    vk_percent: float | None = Field(default=None, gt=0, description="short-circuit voltage [%]")
    vkr_percent: float | None = Field(default=None, ge=0, description="real part of vk, = load losses / sn [%]")
    pfe_kw: float = Field(default=0.0, ge=0, description="no-load losses [kW]")
    i0_percent: float = Field(default=0.0, ge=0, description="no-load current [%]")

    @model_validator(mode="after")
    def _type_or_nameplate(self) -> "SubstationTransformer":
        _check_type_or_nameplate(self)
        return self


class TenantTransformer(_Strict):
    """A tenant's (or asset's) own transformer, 10/0.4 kV by default.

    Defaults are typical of a GB/T 10228 SCB-type dry transformer of 1-2.5 MVA (vk 6 %,
    load losses about 0.8 % of rating). ``vn_hv_kv`` defaults to 10.5 kV, i.e. the +5 % tap
    of a 10 +/-2 x 2.5 % / 0.4 kV unit, the usual setting behind a 10.5 kV substation
    secondary; set it to 10 for the neutral tap.
    """

    std_type: str | None = Field(default=None, description="pandapower std type, e.g. '0.63 MVA 10/0.4 kV'")
    sn_mva: float | None = Field(default=None, gt=0, description="rated power [MVA]")
    vn_hv_kv: float | None = Field(default=None, gt=0, description="rated HV voltage (tap) [kV]; default 1.05 x mv_kv")
    vn_lv_kv: float = Field(default=0.4, gt=0, description="rated LV voltage [kV]")
    lv_nominal_kv: float = Field(default=0.38, gt=0, description="nominal voltage of the LV bus [kV]")
    vk_percent: float = Field(default=6.0, gt=0, description="short-circuit voltage [%]")
    vkr_percent: float = Field(default=0.8, ge=0, description="real part of vk [%]")
    pfe_kw: float = Field(default=0.0, ge=0, description="no-load losses [kW]")
    i0_percent: float = Field(default=0.0, ge=0, description="no-load current [%]")
    count: int = Field(default=1, ge=1, description="identical units in parallel")

    @model_validator(mode="after")
    def _type_or_rating(self) -> "TenantTransformer":
        if (self.std_type is None) == (self.sn_mva is None):
            raise ValueError("give exactly one of 'std_type' or 'sn_mva'")
        return self


def _check_type_or_nameplate(t) -> None:
    nameplate = {"sn_mva": t.sn_mva, "vk_percent": t.vk_percent, "vkr_percent": t.vkr_percent}
    if t.std_type is not None:
        given = [k for k, v in nameplate.items() if v is not None]
        if given:
            raise ValueError(f"'std_type' or a nameplate ({', '.join(nameplate)}), not both; got {given}")
    else:
        missing = [k for k, v in nameplate.items() if v is None]
        if missing:
            raise ValueError(f"'std_type' or all of {', '.join(nameplate)}; missing {missing}")


class Substation(_Strict):
    """The grid connection (110 kV, the slack) and the 110/10 kV substation."""

    name: str = "substation"
    hv_kv: float = Field(default=110.0, gt=0, description="nominal voltage of the grid connection [kV]")
    mv_kv: float = Field(default=10.0, gt=0, description="nominal voltage of the MV busbar and feeders [kV]")
    grid_vm_pu: float = Field(default=1.0, gt=0.5, lt=1.5, description="grid voltage at the connection [pu]")
    mv_bus: str = Field(default="10kV busbar", description="name of the MV busbar, where feeders start")
    transformers: list[SubstationTransformer] = Field(min_length=1)


class LineType(_Strict):
    """A cable or overhead-line type not among pandapower's std types (per conductor system)."""

    r_ohm_per_km: float = Field(gt=0)
    x_ohm_per_km: float = Field(ge=0)
    c_nf_per_km: float = Field(default=0.0, ge=0)
    max_i_ka: float = Field(gt=0, description="rated (ampacity) current [kA]")


class Section(_Strict):
    """One cable section of a feeder, from a bus (default: the previous section's end) to a new bus."""

    to: str = Field(description="name of the bus at the end of this section (created)")
    length_km: float = Field(gt=0)
    from_bus: str | None = Field(default=None, alias="from",
                                 description="start bus; default the previous section's 'to' (or the MV busbar)")
    line_std_type: str | None = Field(default=None, description="overrides the feeder's line type")
    parallel: int = Field(default=1, ge=1, description="cables in parallel")


class Feeder(_Strict):
    """A 10 kV feeder: a radial chain of sections from the MV busbar (branches via 'from')."""

    name: str
    line_std_type: str = Field(description="pandapower std type or a key of 'line_types', "
                                           "e.g. 'NA2XS2Y 1x240 RM/25 12/20 kV'")
    sections: list[Section] = Field(min_length=1)


class Connection(_Strict):
    """Where a tenant's or asset's net demand enters the network."""

    bus: str | int = Field(description="bus name (or index, for a pandapower JSON network)")
    transformer: TenantTransformer | None = Field(default=None,
                                                  description="own transformer; none = connected at the bus")


class Network(_Strict):
    """A park's medium-voltage network: built from its parts, or loaded from pandapower JSON."""

    substation: Substation | None = None
    line_types: dict[str, LineType] = Field(default={}, description="cable types by name, beside pandapower's")
    feeders: list[Feeder] = []
    pandapower_json: str | None = Field(default=None, description="a pandapower network file, relative to the scenario")
    connections: dict[str, Connection] = Field(min_length=1, description="tenant or asset name -> connection point")
    limits: NetworkLimits = NetworkLimits()

    @model_validator(mode="after")
    def _one_source(self) -> "Network":
        if self.pandapower_json is None:
            if self.substation is None or not self.feeders:
                raise ValueError("either 'pandapower_json' or a 'substation' and 'feeders'")
        elif self.substation is not None or self.feeders or self.line_types:
            raise ValueError("'pandapower_json' replaces 'substation', 'feeders' and 'line_types'; give one or the other")
        return self


# --------------------------------------------------------------------------- building


def _err(source, field_path: str, expected: str, found) -> InputError:
    return InputError(source, field_path, expected, str(found))


def build_net(network: Network, base_dir: str | Path = ".", *, source: str | Path | None = None):
    """Build the pandapower network of a park.

    Parameters
    ----------
    network : Network
        The validated model (``network:`` section of a park scenario).
    base_dir : str or Path
        Folder that ``pandapower_json`` is relative to (the scenario's folder).
    source : str or Path, optional
        The scenario file, named in errors.

    Returns
    -------
    pandapowerNet
        With one ``load`` element per connection (``name`` = tenant or asset name,
        ``type`` = :data:`CONNECTION_TYPE`, ``p_mw = q_mvar = 0``), at the MV bus or at the
        LV bus behind the connection's own transformer. :func:`connection_points` gives
        the bus of each.

    Raises
    ------
    InputError
        A connection or section naming an unknown bus, an unknown std type, a duplicate
        bus name, an unreadable JSON file.
    """
    import pandapower as pp

    if network.pandapower_json is not None:
        from lingtan.paths import resolve_input

        path = resolve_input(base_dir, network.pandapower_json, file=source, field="network.pandapower_json")
        if not path.is_file():
            raise _err(source, "network.pandapower_json", "an existing pandapower JSON file", path)
        try:
            net = pp.from_json(str(path))
        except Exception as exc:  # noqa: BLE001 - any parse problem is the user's file
            raise _err(path, "<file>", "a pandapower network saved with pandapower.to_json",
                       f"{type(exc).__name__}: {exc}") from None
        if len(net.ext_grid) == 0 or not net.ext_grid.in_service.any():
            raise _err(path, "ext_grid", "at least one in-service ext_grid (the grid connection)", "none")
        _check_json_numbers(net, path)
        bus_of = {}
        names = net.bus.name.astype(str)
        for i, name in zip(net.bus.index, names):
            bus_of.setdefault(name, []).append(int(i))
        mv_kv = None
    else:
        net, bus_of = _build_parts(network, source, pp)
        mv_kv = network.substation.mv_kv

    for name, conn in network.connections.items():
        where = f"network.connections.{name}.bus"
        if isinstance(conn.bus, int) and not isinstance(conn.bus, bool):
            if conn.bus not in net.bus.index:
                raise _err(source, where, f"a bus index among {list(net.bus.index)[:20]}", conn.bus)
            bus = int(conn.bus)
        else:
            found = bus_of.get(str(conn.bus))
            if not found:
                raise _err(source, where, f"a bus name among {sorted(bus_of)[:30]}", repr(conn.bus))
            if len(found) > 1:
                raise _err(source, where, "a bus name that is unique in the network", f"{conn.bus!r} names {found}")
            bus = found[0]
        if conn.transformer is not None:
            bus = _add_tenant_transformer(net, pp, name, bus, conn.transformer,
                                          mv_kv or float(net.bus.vn_kv.at[bus]), source)
        pp.create_load(net, bus, p_mw=0.0, q_mvar=0.0, name=name, type=CONNECTION_TYPE)
    return net


_JSON_NUMBERS = {
    # table -> column -> what the power flow needs of it ("finite", ">= 0" or "> 0": a rating it divides by,
    # or an impedance that must not be zero)
    "bus": {"vn_kv": "> 0"},
    "line": {"length_km": "> 0", "r_ohm_per_km": ">= 0", "x_ohm_per_km": ">= 0", "c_nf_per_km": ">= 0",
             "g_us_per_km": ">= 0", "max_i_ka": "> 0", "df": "> 0", "parallel": "> 0"},
    "trafo": {"sn_mva": "> 0", "vn_hv_kv": "> 0", "vn_lv_kv": "> 0", "vk_percent": "> 0", "vkr_percent": ">= 0",
              "pfe_kw": ">= 0", "i0_percent": ">= 0", "shift_degree": "finite", "parallel": "> 0", "df": "> 0"},
    "ext_grid": {"vm_pu": "> 0", "va_degree": "finite"},
    "load": {"p_mw": "finite", "q_mvar": "finite", "scaling": ">= 0"},
    "sgen": {"p_mw": "finite", "q_mvar": "finite", "scaling": ">= 0"},
    "gen": {"p_mw": "finite", "vm_pu": "> 0", "scaling": ">= 0"},
}


def _check_json_numbers(net, path) -> None:
    """Refuse NaN, inf, and zero or negative ratings in a user's network before pandapower divides by them."""
    for table, columns in _JSON_NUMBERS.items():
        df = net[table]
        for col, need in columns.items():
            if col not in df.columns or not len(df):
                continue
            v = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
            ok = np.isfinite(v)
            if need != "finite":
                with np.errstate(invalid="ignore"):
                    ok &= v > 0 if need == "> 0" else v >= 0
            if not ok.all():
                k = int(np.flatnonzero(~ok)[0])
                expected = "a finite number" if need == "finite" else f"a finite number {need}"
                raise _err(path, f"{table}[{df.index[k]}].{col}", expected, repr(df[col].iat[k]))


def _build_parts(network: Network, source, pp):
    sub = network.substation
    net = pp.create_empty_network(name=sub.name, sn_mva=1.0)
    for tname, lt in network.line_types.items():
        pp.create_std_type(net, dict(lt.model_dump()), name=tname, element="line")
    bus_of: dict[str, list[int]] = {}

    def new_bus(name, vn_kv, where):
        if name in bus_of:
            raise _err(source, where, "a bus name not used before", repr(name))
        b = int(pp.create_bus(net, vn_kv=vn_kv, name=name))
        bus_of[name] = [b]
        return b

    hv = new_bus(f"{sub.name} {sub.hv_kv:g}kV", sub.hv_kv, "network.substation.name")
    mv = new_bus(sub.mv_bus, sub.mv_kv, "network.substation.mv_bus")
    pp.create_ext_grid(net, hv, vm_pu=sub.grid_vm_pu, va_degree=0.0, name="grid")
    known_trafos = pp.available_std_types(net, "trafo").index
    for k, t in enumerate(sub.transformers):
        where = f"network.substation.transformers[{k}]"
        if t.std_type is not None:
            if t.std_type not in known_trafos:
                raise _err(source, where + ".std_type", "a pandapower transformer std type", repr(t.std_type))
            pp.create_transformer(net, hv, mv, std_type=t.std_type, name=t.name)
        else:
            pp.create_transformer_from_parameters(
                net, hv, mv, sn_mva=t.sn_mva, vn_hv_kv=t.vn_hv_kv or sub.hv_kv,
                vn_lv_kv=t.vn_lv_kv or 1.05 * sub.mv_kv, vk_percent=t.vk_percent, vkr_percent=t.vkr_percent,
                pfe_kw=t.pfe_kw, i0_percent=t.i0_percent, name=t.name)
    known_lines = set(pp.available_std_types(net, "line").index)
    for f, feeder in enumerate(network.feeders):
        prev = sub.mv_bus
        for s, sec in enumerate(feeder.sections):
            where = f"network.feeders[{f}].sections[{s}]"
            start = sec.from_bus if sec.from_bus is not None else prev
            if start not in bus_of:
                raise _err(source, where + ".from", f"a bus defined earlier, among {sorted(bus_of)}", repr(start))
            std = sec.line_std_type or feeder.line_std_type
            if std not in known_lines:
                key = where + ".line_std_type" if sec.line_std_type else f"network.feeders[{f}].line_std_type"
                raise _err(source, key, "a pandapower line std type or a key of network.line_types", repr(std))
            end = new_bus(sec.to, sub.mv_kv, where + ".to")
            pp.create_line(net, bus_of[start][0], end, length_km=sec.length_km, std_type=std,
                           name=f"{feeder.name} {start}-{sec.to}", parallel=sec.parallel)
            prev = sec.to
    return net, bus_of


def _add_tenant_transformer(net, pp, name, mv_bus, t: TenantTransformer, mv_kv, source) -> int:
    lv = int(pp.create_bus(net, vn_kv=t.lv_nominal_kv, name=f"{name} {t.lv_nominal_kv * 1000:g}V"))
    if t.std_type is not None:
        if t.std_type not in pp.available_std_types(net, "trafo").index:
            raise _err(source, f"network.connections.{name}.transformer.std_type",
                       "a pandapower transformer std type", repr(t.std_type))
        pp.create_transformer(net, mv_bus, lv, std_type=t.std_type, name=f"{name} transformer", parallel=t.count)
    else:
        pp.create_transformer_from_parameters(
            net, mv_bus, lv, sn_mva=t.sn_mva, vn_hv_kv=t.vn_hv_kv or 1.05 * mv_kv, vn_lv_kv=t.vn_lv_kv,
            vk_percent=t.vk_percent, vkr_percent=t.vkr_percent, pfe_kw=t.pfe_kw, i0_percent=t.i0_percent,
            name=f"{name} transformer", parallel=t.count)
    return lv


def connection_points(net) -> dict[str, int]:
    """Tenant or asset name -> pandapower bus index where its net demand goes."""
    loads = net.load[net.load["type"] == CONNECTION_TYPE]
    return {str(n): int(b) for n, b in zip(loads.name, loads.bus)}


def _connection_loads(net) -> pd.Series:
    loads = net.load[net.load["type"] == CONNECTION_TYPE]
    if loads.name.duplicated().any():
        raise _err(None, "net.load.name", "one load per connection name", list(loads.name[loads.name.duplicated()]))
    return pd.Series(loads.index.to_numpy(), index=loads.name.astype(str).to_numpy())


# --------------------------------------------------------------------------- hourly input


def _hourly_pq(net, p_mw: Mapping[str, Sequence[float]], q_mvar: Mapping[str, Sequence[float]] | None,
               power_factor: float) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Check the hourly inputs; return (load index per name, P (k, T), Q (k, T)) in MW / Mvar."""
    loads = _connection_loads(net)
    unknown = sorted(set(p_mw) - set(loads.index))
    if unknown:
        raise _err(None, f"p_mw[{unknown[0]!r}]", f"a connection name among {sorted(loads.index)}", repr(unknown[0]))
    missing = sorted(set(loads.index) - set(p_mw))
    if missing:
        raise _err(None, "p_mw", "an hourly series for every connection", f"none for {missing}")
    if not 0 < power_factor <= 1:
        raise _err(None, "power_factor", "a power factor in (0, 1]", power_factor)
    names = list(loads.index)
    P = np.vstack([np.asarray(p_mw[n], dtype=float).ravel() for n in names]) if names else np.zeros((0, 0))
    T = P.shape[1]
    for n, row in zip(names, P):
        if row.shape[0] != T:
            raise _err(None, f"p_mw[{n!r}]", f"{T} hourly values like the other connections", len(row))
    bad = ~np.isfinite(P)
    if bad.any():
        k, t = np.argwhere(bad)[0]
        raise _err(None, f"p_mw[{names[k]!r}], hour {t}", "a finite number", P[k, t])
    tan_phi = math.tan(math.acos(power_factor))
    Q = np.where(P > 0, P * tan_phi, 0.0)
    for n, values in (q_mvar or {}).items():
        if n not in loads.index:
            raise _err(None, f"q_mvar[{n!r}]", f"a connection name among {names}", repr(n))
        row = np.asarray(values, dtype=float).ravel()
        if row.shape[0] != T or not np.isfinite(row).all():
            raise _err(None, f"q_mvar[{n!r}]", f"{T} finite hourly values", f"{row.shape[0]} values")
        Q[names.index(n)] = row
    return loads, P, Q


# --------------------------------------------------------------------------- the batch solver


@dataclass
class _Model:
    """pandapower's internal network data, frozen for the batch solve."""

    base_mva: float
    Ybus: sp.csr_matrix
    Yf: sp.csr_matrix
    Yt: sp.csr_matrix
    ref: np.ndarray
    pv: np.ndarray
    pq: np.ndarray
    V0: np.ndarray            # (n,) solved base case (ref and PV magnitudes are the set-points)
    Sbus0: np.ndarray         # (n,) injections of everything except the connections [pu]
    base_kv: np.ndarray       # (n,) ppci base voltage [kV]
    f_bus: np.ndarray         # (nbr,) ppci
    t_bus: np.ndarray
    bus_lookup: np.ndarray    # pd bus index -> ppci bus (-1 if not solved), by position in net.bus
    conn_bus: np.ndarray      # (k,) ppci bus of each connection load
    line_row: np.ndarray      # (n_line,) ppci branch row, -1 when out of service
    trafo_row: np.ndarray
    line_idle: np.ndarray     # (n_line, 2) pandapower's loading [%] and i [kA] of the lines not solved (row -1)
    trafo_idle: np.ndarray    # (n_trafo,) pandapower's loading [%] of the transformers not solved
    grid_bus: np.ndarray      # (g,) ppci bus of each grid connection: the distinct buses of the in-service ext_grids
    grid_ext: list            # (g,) the net.ext_grid indices at each of those buses
    ref_other: np.ndarray     # (g,) injections at those buses other than the ext_grids [pu]


def _prepare(net, conn_loads: pd.Series) -> _Model:
    import pandapower as pp

    work = copy.deepcopy(net)
    work.load.loc[conn_loads.to_numpy(), ["p_mw", "q_mvar"]] = 0.0
    try:
        pp.runpp(work, algorithm="nr", calculate_voltage_angles=True, trafo_loading="current",
                 voltage_depend_loads=False, tolerance_mva=1e-10)
    except pp.LoadflowNotConverged:
        raise _err(None, "network", "a network that pandapower solves with every connection at 0 MW "
                   "(the base case of the annual power flow)", "no convergence") from None
    ppc = work._ppc
    internal = ppc["internal"]
    n = internal["Ybus"].shape[0]
    lookup_full = np.asarray(work._pd2ppc_lookups["bus"])
    bus_idx = work.bus.index.to_numpy()
    bus_lookup = np.where(bus_idx < len(lookup_full), lookup_full[np.minimum(bus_idx, len(lookup_full) - 1)], -1)
    bus_lookup = np.where((bus_lookup >= 0) & (bus_lookup < n), bus_lookup, -1)
    # branches: rows of ppc -> rows of the internal matrices
    n_br_ppc = ppc["branch"].shape[0]
    n_br_int = internal["Yf"].shape[0]
    if n_br_int == n_br_ppc:
        row_of = np.arange(n_br_ppc)
        row_of[~np.asarray(internal["branch_is"], bool)] = -1
    else:
        is_ = np.asarray(internal["branch_is"], bool)
        row_of = np.where(is_, np.cumsum(is_) - 1, -1)

    def rows(element, count):
        if element not in work._pd2ppc_lookups["branch"] or count == 0:
            return np.full(count, -1, dtype=np.int64)
        f, t = work._pd2ppc_lookups["branch"][element]
        return row_of[f:t].astype(np.int64)

    from pandapower.pypower.idx_brch import F_BUS, T_BUS
    from pandapower.pypower.idx_bus import BASE_KV

    branch = internal["branch"]
    ext = work.ext_grid[work.ext_grid.in_service]
    conn_pd = work.load.loc[conn_loads.to_numpy(), "bus"].to_numpy()
    pos = work.bus.index.get_indexer(conn_pd)
    model = _Model(
        base_mva=float(internal["baseMVA"]),
        Ybus=sp.csr_matrix(internal["Ybus"]), Yf=sp.csr_matrix(internal["Yf"]), Yt=sp.csr_matrix(internal["Yt"]),
        ref=np.asarray(internal["ref"], np.int64), pv=np.asarray(internal["pv"], np.int64),
        pq=np.asarray(internal["pq"], np.int64), V0=np.asarray(internal["V"], complex).copy(),
        Sbus0=np.asarray(internal["Sbus"], complex).copy(),
        base_kv=np.asarray(internal["bus"][:, BASE_KV].real, float),
        f_bus=branch[:, F_BUS].real.astype(np.int64), t_bus=branch[:, T_BUS].real.astype(np.int64),
        bus_lookup=bus_lookup, conn_bus=bus_lookup[pos],
        line_row=rows("line", len(work.line)), trafo_row=rows("trafo", len(work.trafo)),
        # branches out of the solved network carry no current in any hour: what pandapower reports for them
        # (0 when out of service, NaN when an end is de-energised) is that of the base case
        line_idle=work.res_line[["loading_percent", "i_ka"]].to_numpy(float),
        trafo_idle=work.res_trafo.loading_percent.to_numpy(float),
        grid_bus=np.zeros(0, np.int64), grid_ext=[], ref_other=np.zeros(0, complex),
    )
    # One grid connection per distinct slack bus: ext_grids at one bus (or at buses fused by closed bus-bus
    # switches) are one node of ideal sources, whose split pandapower makes by its own rule; they are reported
    # together. What those buses inject besides the ext_grids (the user's own loads or sgens there) is constant.
    ext_ppc = bus_lookup[work.bus.index.get_indexer(ext.bus.to_numpy())]
    model.grid_bus = np.unique(ext_ppc[ext_ppc >= 0])
    model.grid_ext = [list(ext.index[ext_ppc == b]) for b in model.grid_bus]
    s_ext = (work.res_ext_grid.p_mw + 1j * work.res_ext_grid.q_mvar) / model.base_mva
    grid0 = np.array([s_ext.loc[idx].sum() for idx in model.grid_ext], complex)
    inj0 = model.V0 * np.conj(model.Ybus @ model.V0)
    model.ref_other = inj0[model.grid_bus] - grid0
    if (model.conn_bus < 0).any():
        dead = list(conn_loads.index[model.conn_bus < 0])
        raise _err(None, "network.connections", "connections at energised buses", f"isolated: {dead}")
    # self-check against pandapower's own results of this base case
    V = model.V0[:, None]
    vm = np.abs(V[model.bus_lookup[model.bus_lookup >= 0], 0])
    ref_vm = work.res_bus.vm_pu.to_numpy()[model.bus_lookup >= 0]
    if not np.allclose(vm, ref_vm, atol=1e-8, equal_nan=True):
        raise RuntimeError("network: bus mapping disagrees with pandapower (a bug, please report)")
    return model


def _mismatch(m: _Model, V: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Largest |P| or |Q| mismatch per hour [pu], pandapower's Newton criterion. V, S: (n, T)."""
    mis = V * np.conj(m.Ybus @ V) - S
    pvpq = np.r_[m.pv, m.pq]
    out = np.abs(mis[pvpq].real).max(axis=0) if len(pvpq) else np.zeros(V.shape[1])
    if len(m.pq):
        out = np.maximum(out, np.abs(mis[m.pq].imag).max(axis=0))
    return out


def _zbus(m: _Model, S: np.ndarray, tol: float, max_iter: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Implicit Z-bus iteration for all hours at once (PQ buses only). Returns V (n, T), converged (T,)."""
    n, T = S.shape
    V = np.repeat(m.V0[:, None], T, axis=1)
    N = m.pq
    if len(m.pv) or len(N) == 0:
        return V, np.zeros(T, bool) if len(N) else np.ones(T, bool), 0
    Y = m.Ybus.tocsc()
    YNN = Y[N][:, N].tocsc()
    YNS = Y[N][:, m.ref]
    if len(N) <= 1500:   # small networks: the dense impedance matrix makes each sweep one matmul
        Z = np.linalg.inv(YNN.toarray())
        solve = Z.__matmul__
    else:
        solve = spla.splu(YNN).solve
    rhs0 = -(YNS @ m.V0[m.ref])[:, None]
    SN = S[N]
    it = 0
    conv = np.zeros(T, bool)
    for it in range(1, max_iter + 1):
        VN = V[N]
        VN_new = solve(np.conj(SN / VN) + rhs0)
        V[N] = VN_new
        if it % 2 == 0 or it == max_iter:
            err = _mismatch(m, V, S)
            conv = err < tol
            if conv.all():
                break
    return V, conv, it


def _newton(m: _Model, S: np.ndarray, V: np.ndarray, tol: float, max_iter: int,
            chunk_bytes: float = 2e8) -> tuple[np.ndarray, np.ndarray]:
    """Newton-Raphson (polar), vectorised over hours: a stack of dense Jacobians. V, S: (n, T)."""
    n, T = S.shape
    pv, pq = m.pv, m.pq
    pvpq = np.r_[pv, pq]
    npvpq, npq = len(pvpq), len(pq)
    Y = m.Ybus.toarray()
    Yr = Y[pvpq]          # rows of the equations
    dim = npvpq + npq
    chunk = max(1, int(chunk_bytes // (16 * n * npvpq * 3 + 8 * dim * dim + 1)))
    conv = np.zeros(T, bool)
    V = V.copy()
    rows_pq = np.arange(len(pv), npvpq)  # rows of the PQ buses among pvpq (they come last)
    for start in range(0, T, chunk):
        sl = slice(start, min(T, start + chunk))
        Vc = V[:, sl].T.copy()            # (c, n)
        Sc = S[:, sl].T
        active = np.ones(Vc.shape[0], bool)
        failed = np.zeros(Vc.shape[0], bool)
        for _ in range(max_iter + 1):
            I = Vc @ Y.T                  # (c, n)
            mis = Vc * np.conj(I) - Sc
            F = np.concatenate([mis[:, pvpq].real, mis[:, pq].imag], axis=1)
            err = np.abs(F).max(axis=1) if dim else np.zeros(len(Vc))
            active = ~(err < tol) & ~failed      # NaN counts as not converged
            failed |= ~np.isfinite(err)
            if not active.any():
                break
            a = np.flatnonzero(active)
            Va_, Ia = Vc[a], I[a]
            Vm = np.abs(Va_)
            Vn = Va_ / Vm
            # dS/dVm and dS/dVa restricted to rows pvpq, all columns
            Vrow = Va_[:, pvpq][:, :, None]                       # (c, r, 1)
            dVm = Vrow * np.conj(Yr[None] * Vn[:, None, :])     # (c, r, n)
            dVa = -1j * Vrow * np.conj(Yr[None] * Va_[:, None, :])
            r = np.arange(npvpq)
            dVm[:, r, pvpq] += np.conj(Ia[:, pvpq]) * Vn[:, pvpq]
            dVa[:, r, pvpq] += 1j * Va_[:, pvpq] * np.conj(Ia[:, pvpq])
            J = np.empty((len(a), dim, dim))
            J[:, :npvpq, :npvpq] = dVa[:, :, pvpq].real
            J[:, :npvpq, npvpq:] = dVm[:, :, pq].real
            J[:, npvpq:, :npvpq] = dVa[:, rows_pq][:, :, pvpq].imag
            J[:, npvpq:, npvpq:] = dVm[:, rows_pq][:, :, pq].imag
            try:
                dx = np.linalg.solve(J, -F[a][:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:      # a singular Jacobian (collapse): those hours fail, others go on
                dx = np.zeros((len(a), dim))
                for k in range(len(a)):
                    try:
                        dx[k] = np.linalg.solve(J[k], -F[a[k]])
                    except np.linalg.LinAlgError:
                        failed[a[k]] = True
            ang = np.angle(Va_)
            ang[:, pvpq] += dx[:, :npvpq]
            Vm[:, pq] += dx[:, npvpq:]
            Vc[a] = Vm * np.exp(1j * ang)
        V[:, sl] = Vc.T
        conv[sl] = ~active & ~failed & (err < tol)
    return V, conv


def _solve(m: _Model, S: np.ndarray, tol: float, zbus_iter: int = 40, newton_iter: int = 10):
    with np.errstate(all="ignore"):
        V, conv, it = _zbus(m, S, tol, zbus_iter)
    n_newton = int((~conv).sum())
    if n_newton:
        idx = np.flatnonzero(~conv)
        start = V[:, idx]
        vm = np.abs(start)
        wild = ~np.all(np.isfinite(start) & (vm > 0.5) & (vm < 1.5), axis=0)   # Z-bus diverged: restart there
        start[:, wild] = m.V0[:, None]
        with np.errstate(all="ignore"):
            Vn, cn = _newton(m, S[:, idx], start, tol, newton_iter)
        V[:, idx] = Vn
        conv[idx] = cn
    return V, conv, {"zbus_iterations": it, "newton_hours": n_newton}


# --------------------------------------------------------------------------- results


@dataclass
class NetworkResult:
    """One year of hourly power flows on a park network, summarised the pandapower way.

    Tables mirror pandapower's (index = the element index of ``net.bus``/``net.line``/
    ``net.trafo``, with its ``name``):

    * ``res_bus``: ``vm_min_pu``, ``vm_max_pu``, ``hours_below`` (< ``v_min_pu``),
      ``hours_above`` (> ``v_max_pu``).
    * ``res_line``: ``loading_max_percent``, ``hours_overloaded`` (> ``loading_max_percent``
      of the limits), ``i_max_ka``.
    * ``res_trafo``: ``loading_max_percent``, ``hours_overloaded``.
    * ``substation``: hourly ``import_mw`` and ``export_mw`` (non-negative, at the grid
      connection, i.e. through the ext_grid; with several, their sum) and ``losses_mw`` of
      the network.
    * ``res_ext_grid``: one row per grid connection (slack bus), indexed by its first
      ext_grid: ``name``, ``bus``, ``ext_grids`` (all at that bus), ``import_max_mw``,
      ``export_max_mw``, ``import_e_mwh``, ``export_e_mwh``, ``reverse_flow_hours`` and the
      range of reactive power ``q_min_mvar``..``q_max_mvar`` (pandapower's ``res_ext_grid``
      sign: positive = supplied by the grid).

    ``hourly_vm_pu`` (T x buses), ``hourly_line_loading_percent`` and
    ``hourly_trafo_loading_percent`` are there for plots, and ``hourly_grid_import_mw``,
    ``hourly_grid_export_mw``, ``hourly_grid_q_mvar`` (T x grid connections, columns as
    ``res_ext_grid.index``) for each connection. ``worst_hours`` names, for each
    quantity, the hour (timestamp) and the element; ``violations`` are plain-language
    findings, one per element and kind. Hours that did not converge are NaN and listed
    in ``violations``.
    """

    res_bus: pd.DataFrame
    res_line: pd.DataFrame
    res_trafo: pd.DataFrame
    substation: pd.DataFrame
    reverse_flow_hours: int
    worst_hours: pd.DataFrame
    violations: list[str]
    hourly_vm_pu: pd.DataFrame
    hourly_line_loading_percent: pd.DataFrame
    hourly_trafo_loading_percent: pd.DataFrame
    limits: NetworkLimits
    converged: np.ndarray
    solver: dict = field(default_factory=dict)
    res_ext_grid: pd.DataFrame | None = None
    hourly_grid_import_mw: pd.DataFrame | None = None
    hourly_grid_export_mw: pd.DataFrame | None = None
    hourly_grid_q_mvar: pd.DataFrame | None = None

    @property
    def import_mw(self) -> pd.Series:
        return self.substation["import_mw"]

    @property
    def export_mw(self) -> pd.Series:
        return self.substation["export_mw"]


def annual_power_flow(net, p_mw: Mapping[str, Sequence[float]], q_mvar: Mapping[str, Sequence[float]] | None = None,
                      *, power_factor: float = 0.95, limits: NetworkLimits | None = None,
                      index: pd.Index | None = None, tolerance_mva: float = 1e-9) -> NetworkResult:
    """Hourly AC power flow of every hour, solved in batch on pandapower's admittance matrix.

    Parameters
    ----------
    net : pandapowerNet
        From :func:`build_net` (or any net whose connection loads have
        ``type == "twin_connection"``). Not modified.
    p_mw : mapping name -> array (T,)
        Net demand of each connection [MW], load convention: positive = drawn from the
        network, negative = fed in (generation). Every connection needs one.
    q_mvar : mapping name -> array (T,), optional
        Reactive demand [Mvar], load convention. Connections not given follow ``power_factor``.
    power_factor : float
        cos(phi) of positive demand (lagging); feed-in is at unity power factor.
    limits : NetworkLimits, optional
        Default: GB/T 12325-2008 +/-7 % and 100 % loading.
    index : pandas Index of length T, optional
        Timestamps naming the hours (default: hour numbers 0..T-1).
    tolerance_mva : float
        Largest power mismatch accepted at any bus [MVA] (pandapower's ``tolerance_mva``).

    Returns
    -------
    NetworkResult
    """
    limits = limits or NetworkLimits()
    loads, P, Q = _hourly_pq(net, p_mw, q_mvar, power_factor)
    T = P.shape[1]
    if index is None:
        index = pd.RangeIndex(T, name="hour")
    elif len(index) != T:
        raise _err(None, "index", f"{T} timestamps", len(index))
    m = _prepare(net, loads)
    S = np.repeat(m.Sbus0[:, None], T, axis=1)
    # connection loads: Sbus = generation - demand, in pu of base_mva
    np.add.at(S, m.conn_bus, -(P + 1j * Q) / m.base_mva)
    V, conv, info = _solve(m, S, tolerance_mva / m.base_mva)
    V[:, ~conv] = np.nan
    return _summarise(net, m, V, S, conv, index, limits, info)


def _branch_currents(m: _Model, V: np.ndarray, rows: np.ndarray):
    """|S| [MVA] and |I| [kA] at both ends of the given internal branch rows; V (n, T). Shapes (b, T)."""
    ok = rows >= 0
    r = rows[ok]
    T = V.shape[1]
    out = [np.full((len(rows), T), np.nan) for _ in range(4)]
    if len(r):
        Vf, Vt = V[m.f_bus[r]], V[m.t_bus[r]]
        Sf = np.abs(Vf * np.conj(m.Yf[r] @ V)) * m.base_mva
        St = np.abs(Vt * np.conj(m.Yt[r] @ V)) * m.base_mva
        i_f = Sf / (np.abs(Vf) * m.base_kv[m.f_bus[r]][:, None]) / math.sqrt(3)
        i_t = St / (np.abs(Vt) * m.base_kv[m.t_bus[r]][:, None]) / math.sqrt(3)
        for o, v in zip(out, (Sf, St, i_f, i_t)):
            o[ok] = v
    return out


def _summarise(net, m: _Model, V, S, conv, index, limits: NetworkLimits, info) -> NetworkResult:
    T = V.shape[1]
    # buses
    vm = np.full((len(net.bus), T), np.nan)
    live = m.bus_lookup >= 0
    vm[live] = np.abs(V[m.bus_lookup[live]])
    hourly_vm = pd.DataFrame(vm.T, index=index, columns=net.bus.index)
    with np.errstate(invalid="ignore"):
        res_bus = pd.DataFrame({
            "name": net.bus.name.to_numpy(), "vn_kv": net.bus.vn_kv.to_numpy(),
            "vm_min_pu": np.nanmin(vm, axis=1, initial=np.inf), "vm_max_pu": np.nanmax(vm, axis=1, initial=-np.inf),
            "hours_below": (vm < limits.v_min_pu).sum(axis=1), "hours_above": (vm > limits.v_max_pu).sum(axis=1),
        }, index=net.bus.index)
    res_bus.loc[~live, ["vm_min_pu", "vm_max_pu"]] = np.nan
    # lines; those out of the solved network read as in pandapower's res_line (0 when out of service)
    _, _, i_f, i_t = _branch_currents(m, V, m.line_row)
    line = net.line
    line_off = ~line.in_service.to_numpy(bool)
    idle = m.line_row < 0
    i_ka = np.fmax(i_f, i_t)
    i_max = (line.max_i_ka * line.df * line.parallel).to_numpy()[:, None]
    line_loading = i_ka / i_max * 100.0
    line_loading[idle], i_ka[idle] = m.line_idle[idle, :1], m.line_idle[idle, 1:]
    hourly_line = pd.DataFrame(line_loading.T, index=index, columns=line.index)
    res_line = _branch_summary(line, line_loading, limits, index, line_off)
    res_line.insert(3, "i_max_ka", _nanmax(i_ka))
    res_line.insert(1, "from_bus", line.from_bus.to_numpy())
    res_line.insert(2, "to_bus", line.to_bus.to_numpy())
    # transformers (pandapower trafo_loading="current")
    Sf, St, i_hv, i_lv = _branch_currents(m, V, m.trafo_row)
    tr = net.trafo
    trafo_off = ~tr.in_service.to_numpy(bool)
    ld = np.fmax(i_hv * tr.vn_hv_kv.to_numpy()[:, None], i_lv * tr.vn_lv_kv.to_numpy()[:, None]) * math.sqrt(3)
    trafo_loading = ld / tr.sn_mva.to_numpy()[:, None] * 100.0 / (tr.parallel * tr.df).to_numpy()[:, None]
    trafo_loading[m.trafo_row < 0] = m.trafo_idle[m.trafo_row < 0, None]
    hourly_trafo = pd.DataFrame(trafo_loading.T, index=index, columns=tr.index)
    res_trafo = _branch_summary(tr, trafo_loading, limits, index, trafo_off)
    res_trafo.insert(1, "hv_bus", tr.hv_bus.to_numpy())
    res_trafo.insert(2, "lv_bus", tr.lv_bus.to_numpy())
    # power supplied by each grid connection = injection at its slack bus minus the base injections there and
    # minus the connections' hourly injections at that bus [MW, Mvar]; the park's exchange is their sum
    inj = V * np.conj(m.Ybus @ V)
    gb = m.grid_bus
    s_grid = (inj[gb] - m.ref_other[:, None] - (S[gb] - m.Sbus0[gb][:, None])) * m.base_mva
    p_grid = s_grid.real.sum(axis=0)
    losses = inj.real.sum(axis=0) * m.base_mva
    substation = pd.DataFrame({"import_mw": np.clip(p_grid, 0, None), "export_mw": np.clip(-p_grid, 0, None),
                               "losses_mw": np.clip(losses, 0, None)}, index=index)
    reverse = int((substation.export_mw > REVERSE_FLOW_THRESHOLD_MW).sum())
    res_ext_grid, hourly_grid = _grid_connections(net, m, s_grid, index)
    # out-of-service branches carry nothing: never the worst element, never a finding
    worst = _worst_hours(net, index, vm, np.where(line_off[:, None], np.nan, line_loading),
                         np.where(trafo_off[:, None], np.nan, trafo_loading), substation, res_ext_grid, hourly_grid)
    violations = _findings(net, index, limits, vm, res_bus, line_loading, res_line, trafo_loading, res_trafo,
                           reverse, substation, conv, res_ext_grid, hourly_grid)
    info = dict(info, hours=T, not_converged=int((~conv).sum()))
    return NetworkResult(res_bus=res_bus, res_line=res_line, res_trafo=res_trafo, substation=substation,
                         reverse_flow_hours=reverse, worst_hours=worst, violations=violations,
                         hourly_vm_pu=hourly_vm, hourly_line_loading_percent=hourly_line,
                         hourly_trafo_loading_percent=hourly_trafo, limits=limits, converged=conv, solver=info,
                         res_ext_grid=res_ext_grid, hourly_grid_import_mw=hourly_grid["import_mw"],
                         hourly_grid_export_mw=hourly_grid["export_mw"], hourly_grid_q_mvar=hourly_grid["q_mvar"])


def _grid_connections(net, m: _Model, s_grid: np.ndarray, index) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Per grid connection (slack bus): the summary table and hourly import, export [MW] and Q [Mvar].

    Indexed by the first ``net.ext_grid`` index at each slack bus; ``ext_grids`` lists them all.
    """
    ext = net.ext_grid

    def label(i):
        name = ext.name.get(i)
        return str(name) if isinstance(name, str) and name else f"ext_grid {i}"

    first = pd.Index([idx[0] for idx in m.grid_ext], name="ext_grid")
    p, q = s_grid.real, s_grid.imag
    imp, exp = np.clip(p, 0, None), np.clip(-p, 0, None)
    with np.errstate(invalid="ignore"):
        reverse = (exp > REVERSE_FLOW_THRESHOLD_MW).sum(axis=1)
    res = pd.DataFrame({
        "name": [" + ".join(label(i) for i in idx) for idx in m.grid_ext],
        "bus": [int(ext.bus.at[idx[0]]) for idx in m.grid_ext],
        "ext_grids": [", ".join(str(i) for i in idx) for idx in m.grid_ext],
        "import_max_mw": _nanmax(imp), "export_max_mw": _nanmax(exp),
        "import_e_mwh": np.nansum(imp, axis=1), "export_e_mwh": np.nansum(exp, axis=1),
        "reverse_flow_hours": reverse.astype(int),
        "q_min_mvar": -_nanmax(-q), "q_max_mvar": _nanmax(q),
    }, index=first)
    hourly = {k: pd.DataFrame(v.T, index=index, columns=first) for k, v in
              (("import_mw", imp), ("export_mw", exp), ("q_mvar", q))}
    return res, hourly


def _nanmax(a: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(a).all(axis=1), np.nan, np.nanmax(np.where(np.isnan(a), -np.inf, a), axis=1)) \
            if a.size else np.zeros(len(a))


def _branch_summary(table, loading, limits, index, off) -> pd.DataFrame:
    mx = _nanmax(loading)
    with np.errstate(invalid="ignore"):
        over = (loading > limits.loading_max_percent).sum(axis=1)
    at = [index[int(np.nanargmax(row))] if np.isfinite(row).any() and not o else None for row, o in zip(loading, off)]
    return pd.DataFrame({"name": table.name.to_numpy(), "loading_max_percent": mx,
                         "hours_overloaded": over, "hour_of_max": at}, index=table.index)


def _worst_hours(net, index, vm, line_loading, trafo_loading, substation, res_ext_grid, hourly_grid) -> pd.DataFrame:
    rows = []

    def add(quantity, table, arr, pick, label):
        if arr.size == 0 or not np.isfinite(arr).any():
            return
        a = np.where(np.isfinite(arr), arr, np.inf if pick == "min" else -np.inf)
        k, t = np.unravel_index(np.argmin(a) if pick == "min" else np.argmax(a), a.shape)
        el = table.index[k]
        rows.append({"quantity": quantity, "timestamp": index[t], "hour": int(t), "element": label,
                     "element_index": el, "element_name": str(table.name.iat[k]), "value": float(arr[k, t])})

    add("lowest voltage [pu]", net.bus, vm, "min", "bus")
    add("highest voltage [pu]", net.bus, vm, "max", "bus")
    add("highest line loading [%]", net.line, line_loading, "max", "line")
    add("highest transformer loading [%]", net.trafo, trafo_loading, "max", "trafo")
    several = len(res_ext_grid) > 1
    ext = pd.DataFrame({"name": [f"all {len(res_ext_grid)} grid connections" if several else "grid connection"]},
                       index=[0])
    add("highest import [MW]", ext, substation.import_mw.to_numpy()[None], "max", "ext_grid")
    if (substation.export_mw > REVERSE_FLOW_THRESHOLD_MW).any():
        add("highest export (reverse flow) [MW]", ext, substation.export_mw.to_numpy()[None], "max", "ext_grid")
    if several:
        add("highest import at one grid connection [MW]", res_ext_grid, hourly_grid["import_mw"].to_numpy().T,
            "max", "ext_grid")
        if (res_ext_grid.reverse_flow_hours > 0).any():
            add("highest export at one grid connection [MW]", res_ext_grid, hourly_grid["export_mw"].to_numpy().T,
                "max", "ext_grid")
    return pd.DataFrame(rows, columns=["quantity", "timestamp", "hour", "element", "element_index",
                                       "element_name", "value"])


def _fmt_t(index, t) -> str:
    v = index[t]
    return v.strftime("%Y-%m-%d %H:%M") if hasattr(v, "strftime") else f"hour {v}"


def _findings(net, index, limits, vm, res_bus, line_loading, res_line, trafo_loading, res_trafo,
              reverse, substation, conv, res_ext_grid, hourly_grid) -> list[str]:
    out = []
    bad = int((~conv).sum())
    if bad:
        first = np.flatnonzero(~conv)[:5]
        out.append(f"The power flow did not converge in {bad} h (first: {', '.join(_fmt_t(index, t) for t in first)}): "
                   "the network cannot carry the dispatch in those hours (voltage collapse); results are NaN there.")
    for b, row in res_bus.iterrows():
        k = net.bus.index.get_loc(b)
        if row.hours_below:
            t = int(np.nanargmin(vm[k]))
            out.append(f"Bus {row['name']!r} ({row.vn_kv:g} kV) is below {limits.v_min_pu:g} pu in {row.hours_below} h "
                       f"(lowest {row.vm_min_pu:.4f} pu at {_fmt_t(index, t)}).")
        if row.hours_above:
            t = int(np.nanargmax(vm[k]))
            out.append(f"Bus {row['name']!r} ({row.vn_kv:g} kV) is above {limits.v_max_pu:g} pu in {row.hours_above} h "
                       f"(highest {row.vm_max_pu:.4f} pu at {_fmt_t(index, t)}).")
    for kind, res, arr in (("Line", res_line, line_loading), ("Transformer", res_trafo, trafo_loading)):
        for k, (_, row) in enumerate(res.iterrows()):
            if row.hours_overloaded:
                t = int(np.nanargmax(arr[k]))
                out.append(f"{kind} {row['name']!r} is loaded above {limits.loading_max_percent:g} % in "
                           f"{row.hours_overloaded} h (highest {row.loading_max_percent:.1f} % at {_fmt_t(index, t)}).")
    several = len(res_ext_grid) > 1
    if reverse:
        t = int(np.nanargmax(substation.export_mw.to_numpy()))
        where = f"the park's {len(res_ext_grid)} grid connections together" if several else "the substation"
        out.append(f"Reverse flow at {where} in {reverse} h, {substation.export_mw.sum():.1f} MWh exported "
                   f"(highest {substation.export_mw.iat[t]:.2f} MW at {_fmt_t(index, t)}).")
    if several:   # reverse flow through one substation matters to its protection, whatever the others carry
        for e, row in res_ext_grid.iterrows():
            if row.reverse_flow_hours:
                t = int(np.nanargmax(hourly_grid["export_mw"][e].to_numpy()))
                out.append(f"Reverse flow at grid connection {row['name']!r} (bus {row.bus}) in "
                           f"{row.reverse_flow_hours} h, {row.export_e_mwh:.1f} MWh exported "
                           f"(highest {row.export_max_mw:.2f} MW at {_fmt_t(index, t)}).")
    return out


# --------------------------------------------------------------------------- substation limits


@dataclass
class SubstationLimitResult:
    """Import and export at the substation after applying the scenario's limits.

    This is an accounting step at the grid connection, not a new power flow: the network
    results stay those of the unclipped dispatch, so every violation remains reported.
    ``import_clipped_mwh`` is demand the grid connection cannot supply (it must be shed or
    met on site); ``export_clipped_mwh`` is generation that must be curtailed.
    """

    import_mw: pd.Series
    export_mw: pd.Series
    import_clipped_mwh: float
    export_clipped_mwh: float
    import_clipped_hours: int
    export_clipped_hours: int
    findings: list[str]


def apply_substation_limits(result: NetworkResult, import_limit_mw: float | None = None,
                            export_limit_mw: float | None = None) -> SubstationLimitResult:
    """Clip hourly import and export at the substation to the limits [MW]; report what was clipped.

    ``None`` means no limit; ``export_limit_mw=0`` forbids any reverse flow. Each hour's
    energy is its power held for one hour [MWh].
    """
    findings = []
    imp, exp = result.import_mw.copy(), result.export_mw.copy()
    values = {}
    for label, series, limit in (("import", imp, import_limit_mw), ("export", exp, export_limit_mw)):
        if limit is not None and limit < 0:
            raise _err(None, f"{label}_limit_mw", "a non-negative limit [MW] or none", limit)
        if limit is None:
            values[label] = (series, 0.0, 0)
            continue
        excess = (series - limit).clip(lower=0)
        hours = int((excess > REVERSE_FLOW_THRESHOLD_MW).sum())
        mwh = float(excess.sum())
        values[label] = (series.clip(upper=limit), mwh, hours)
        if hours:
            t = int(np.argmax(excess.to_numpy()))
            what = "demand not supplied by the grid" if label == "import" else "generation curtailed"
            findings.append(f"The substation {label} limit of {limit:g} MW is exceeded in {hours} h: {mwh:.1f} MWh of "
                            f"{what} (largest excess {excess.iat[t]:.2f} MW at {_fmt_t(series.index, t)}).")
    return SubstationLimitResult(import_mw=values["import"][0], export_mw=values["export"][0],
                                 import_clipped_mwh=values["import"][1], export_clipped_mwh=values["export"][1],
                                 import_clipped_hours=values["import"][2], export_clipped_hours=values["export"][2],
                                 findings=findings)


# --------------------------------------------------------------------------- pandapower reference


def runpp_hour(net, p_mw: Mapping[str, Sequence[float]], q_mvar: Mapping[str, Sequence[float]] | None = None,
               hour: int = 0, *, power_factor: float = 0.95, tolerance_mva: float = 1e-9):
    """Set the connection loads to one hour of the inputs and run ``pandapower.runpp`` on a copy.

    Returns the solved copy (``res_bus``, ``res_line``, ``res_trafo``, ``res_ext_grid``), for
    comparison with :func:`annual_power_flow`.
    """
    import pandapower as pp

    loads, P, Q = _hourly_pq(net, p_mw, q_mvar, power_factor)
    work = copy.deepcopy(net)
    work.load.loc[loads.to_numpy(), "p_mw"] = P[:, hour]
    work.load.loc[loads.to_numpy(), "q_mvar"] = Q[:, hour]
    pp.runpp(work, algorithm="nr", calculate_voltage_angles=True, trafo_loading="current",
             voltage_depend_loads=False, tolerance_mva=tolerance_mva)
    return work


# --------------------------------------------------------------------------- example


def example_park_network() -> Network:
    """A 10 kV park: 2 x 40 MVA 110/10.5 kV, three cable feeders, 9 tenants, 2 public PV plants.

    27 buses: 110 kV grid, 10 kV busbar, 15 feeder buses, 9 tenant 0.38 kV buses and the
    two PV plants connected at 10 kV. Substation transformers carry typical GB/T 6451
    values (vk 10.5 %, load losses 0.44 %); cables are pandapower's NA2XS2Y std types.
    """
    sub_t = dict(sn_mva=40.0, vk_percent=10.5, vkr_percent=0.44, pfe_kw=30.0, i0_percent=0.3)
    data = {
        "substation": {"name": "Park 110kV", "transformers": [dict(name="T1", **sub_t), dict(name="T2", **sub_t)]},
        "feeders": [
            {"name": "F1", "line_std_type": "NA2XS2Y 1x240 RM/25 12/20 kV",
             "sections": [{"to": "F1-1", "length_km": 1.2, "parallel": 2}]
             + [{"to": f"F1-{k}", "length_km": L} for k, L in enumerate([0.8, 0.6, 0.9, 0.7], 2)]},
            {"name": "F2", "line_std_type": "NA2XS2Y 1x240 RM/25 12/20 kV",
             "sections": [{"to": "F2-1", "length_km": 0.9, "parallel": 2}]
             + [{"to": f"F2-{k}", "length_km": L} for k, L in enumerate([1.1, 0.5, 0.8], 2)]
             + [{"from": "F2-2", "to": "F2-2a", "length_km": 0.6, "line_std_type": "NA2XS2Y 1x95 RM/25 12/20 kV"}]},
            {"name": "F3", "line_std_type": "NA2XS2Y 1x240 RM/25 12/20 kV",
             "sections": [{"to": "F3-1", "length_km": 2.0, "parallel": 2}, {"to": "F3-2", "length_km": 1.0, "parallel": 2}]
             + [{"to": f"F3-{k}", "length_km": L} for k, L in enumerate([1.2, 0.8, 1.5], 3)]},
        ],
        "connections": {
            "auto_parts": {"bus": "F1-1", "transformer": {"sn_mva": 4.0, "count": 2}},
            "electronics": {"bus": "F1-3", "transformer": {"sn_mva": 2.5}},
            "plastics": {"bus": "F1-5", "transformer": {"sn_mva": 2.0}},
            "foundry": {"bus": "F2-1", "transformer": {"sn_mva": 4.0, "count": 2}},
            "food": {"bus": "F2-3", "transformer": {"sn_mva": 1.6}},
            "logistics": {"bus": "F2-2a", "transformer": {"sn_mva": 1.25}},
            "textiles": {"bus": "F3-2", "transformer": {"sn_mva": 2.5}},
            "machinery": {"bus": "F3-3", "transformer": {"sn_mva": 3.15}},
            "data_center": {"bus": "F3-4", "transformer": {"sn_mva": 2.5, "count": 2}},
            "public_pv_north": {"bus": "F2-4"},
            "public_pv_south": {"bus": "F3-5"},
        },
    }
    return Network.model_validate(data)


def example_profiles(n_hours: int = 8760, seed: int = 1, year: int = 2025) -> tuple[dict[str, np.ndarray], pd.DatetimeIndex]:
    """Seeded hourly net demand [MW] for :func:`example_park_network` (load convention).

    Tenants follow a shift pattern (day shifts on weekdays, lower at night and weekends)
    with seasonal cooling and noise; the public PV plants (6 MW and 5 MW) follow a clear-sky
    bell with day-to-day cloudiness, fed in as negative demand.
    Sized so that the example network carries it within its limits.
    """
    rng = np.random.default_rng(seed)
    index = pd.date_range(f"{year}-01-01", periods=n_hours, freq="h", tz="Asia/Shanghai")
    h = index.hour.to_numpy()
    doy = index.dayofyear.to_numpy()
    weekday = index.dayofweek.to_numpy() < 5
    shift = np.where((h >= 8) & (h < 20), 1.0, 0.55) * np.where(weekday, 1.0, 0.7)
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (doy - 200) / 365)
    peaks = {"auto_parts": 5.2, "electronics": 1.7, "plastics": 1.3, "foundry": 5.0, "food": 1.0,
             "logistics": 0.8, "textiles": 1.6, "machinery": 2.0, "data_center": 3.0}
    p = {}
    for name, peak in peaks.items():
        prof = np.full(n_hours, 0.85) if name == "data_center" else shift
        p[name] = peak * np.clip(prof * season / 1.15 * (1 + 0.05 * rng.standard_normal(n_hours)), 0.05, 1.0)
    decl = 23.45 * np.sin(np.deg2rad(360 * (284 + doy) / 365))
    ha = (h + 0.5 - 12) * 15.0
    lat = np.deg2rad(31.9)
    sin_alt = np.sin(lat) * np.sin(np.deg2rad(decl)) + np.cos(lat) * np.cos(np.deg2rad(decl)) * np.cos(np.deg2rad(ha))
    daily_cloud = np.repeat(rng.uniform(0.25, 1.0, n_hours // 24 + 1), 24)[:n_hours]
    pv_pu = np.clip(sin_alt, 0, None) ** 1.2 * daily_cloud * 0.85
    p["public_pv_north"] = -6.0 * pv_pu
    p["public_pv_south"] = -5.0 * pv_pu
    return p, index
