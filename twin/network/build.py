"""Building a park's pandapower network from the scenario's ``network:`` section.

A park scenario describes its 10 kV network the way the single-line diagram reads: the grid
connection and the substation transformers, the feeders as chains of cable sections, and the
connection point of every tenant and shared asset (with its own 10/0.4 kV transformer when it
has one). A user may instead give a pandapower JSON network and name the buses where tenants
and assets connect.

Either way the result is a ``pandapowerNet`` with one ``load`` element per connection point
(``type`` = :data:`~lingtan.twin.network.model.CONNECTION_TYPE`), which the annual power flow fills
hour by hour.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lingtan.errors import InputError
from lingtan.twin.core.schema.network import Network, TenantTransformer
from lingtan.twin.network.model import CONNECTION_TYPE

_JSON_NUMBERS = {
    # table -> column -> what the power flow needs of it ("finite", ">= 0" or "> 0": a rating it divides by,
    # or an impedance that must not be zero)
    "bus": {"vn_kv": "> 0"},
    "line": {
        "length_km": "> 0",
        "r_ohm_per_km": ">= 0",
        "x_ohm_per_km": ">= 0",
        "c_nf_per_km": ">= 0",
        "g_us_per_km": ">= 0",
        "max_i_ka": "> 0",
        "df": "> 0",
        "parallel": "> 0",
    },
    "trafo": {
        "sn_mva": "> 0",
        "vn_hv_kv": "> 0",
        "vn_lv_kv": "> 0",
        "vk_percent": "> 0",
        "vkr_percent": ">= 0",
        "pfe_kw": ">= 0",
        "i0_percent": ">= 0",
        "shift_degree": "finite",
        "parallel": "> 0",
        "df": "> 0",
    },
    "ext_grid": {"vm_pu": "> 0", "va_degree": "finite"},
    "load": {"p_mw": "finite", "q_mvar": "finite", "scaling": ">= 0"},
    "sgen": {"p_mw": "finite", "q_mvar": "finite", "scaling": ">= 0"},
    "gen": {"p_mw": "finite", "vm_pu": "> 0", "scaling": ">= 0"},
    # elements in the admittance matrix must be passive (absorb active power), so that the network's losses
    # are >= 0 in every hour and a negative sum is a bug the solver reports (lingtan.twin.network.solve._check_losses)
    "shunt": {"p_mw": ">= 0", "q_mvar": "finite"},
    "ward": {"pz_mw": ">= 0", "qz_mvar": "finite"},
    "xward": {"pz_mw": ">= 0", "qz_mvar": "finite", "r_ohm": ">= 0"},
    "impedance": {"rft_pu": ">= 0", "rtf_pu": ">= 0", "gf_pu": ">= 0", "gt_pu": ">= 0"},
}


def network_error(source, field_path: str, expected: str, found) -> InputError:
    """The :class:`InputError` of a network problem: file, field path, what was expected and what was found.

    Parameters
    ----------
    source : path or None
        The file that holds the network.
    field_path : str
        Field path of the problem, e.g. ``network.lines[2].to_bus``.
    expected : str
        What was expected.
    found : object
        What was found (shown as text).

    Returns
    -------
    InputError
        The error, for the caller to raise.
    """
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
        net, bus_of = _load_json(network.pandapower_json, base_dir, source, pp)
        mv_kv = None
    else:
        net, bus_of = _build_parts(network, source, pp)
        mv_kv = network.substation.mv_kv
    for name, conn in network.connections.items():
        bus = _connection_bus(net, bus_of, name, conn.bus, source)
        if conn.transformer is not None:
            bus = _add_tenant_transformer(
                net, pp, name, bus, conn.transformer, mv_kv or float(net.bus.vn_kv.at[bus]), source
            )
        pp.create_load(net, bus, p_mw=0.0, q_mvar=0.0, name=name, type=CONNECTION_TYPE)
    return net


def connection_points(net) -> dict[str, int]:
    """Tenant or asset name -> pandapower bus index where its net demand goes.

    Parameters
    ----------
    net : pandapowerNet
        A net from :func:`build_net`.

    Returns
    -------
    dict of str to int
        Bus index by connection name.
    """
    loads = net.load[net.load["type"] == CONNECTION_TYPE]
    return {str(n): int(b) for n, b in zip(loads.name, loads.bus, strict=True)}


def connection_loads(net) -> pd.Series:
    """``net.load`` index of each connection load, indexed by its tenant or asset name.

    Parameters
    ----------
    net : pandapowerNet
        A net from :func:`build_net`.

    Returns
    -------
    Series
        Load index by connection name.

    Raises
    ------
    InputError
        Two connection loads with one name (a net not made by :func:`build_net`).
    """
    loads = net.load[net.load["type"] == CONNECTION_TYPE]
    if loads.name.duplicated().any():
        raise network_error(
            None, "net.load.name", "one load per connection name", list(loads.name[loads.name.duplicated()])
        )
    return pd.Series(loads.index.to_numpy(), index=loads.name.astype(str).to_numpy())


# --------------------------------------------------------------------------- a user's pandapower JSON


def _load_json(relative: str, base_dir, source, pp) -> tuple[object, dict[str, list[int]]]:
    """Read a user's pandapower JSON network; return it and its bus indices by bus name."""
    from lingtan.paths import resolve_input

    path = resolve_input(base_dir, relative, file=source, field="network.pandapower_json")
    if not path.is_file():
        raise network_error(source, "network.pandapower_json", "an existing pandapower JSON file", path)
    try:
        net = pp.from_json(str(path))
    except Exception as exc:  # noqa: BLE001 - any parse problem is the user's file
        raise network_error(
            path, "<file>", "a pandapower network saved with pandapower.to_json", f"{type(exc).__name__}: {exc}"
        ) from None
    if len(net.ext_grid) == 0 or not net.ext_grid.in_service.any():
        raise network_error(path, "ext_grid", "at least one in-service ext_grid (the grid connection)", "none")
    _check_json_numbers(net, path)
    bus_of: dict[str, list[int]] = {}
    for i, name in zip(net.bus.index, net.bus.name.astype(str), strict=True):
        bus_of.setdefault(name, []).append(int(i))
    return net, bus_of


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
                raise network_error(path, f"{table}[{df.index[k]}].{col}", expected, repr(df[col].iat[k]))


# --------------------------------------------------------------------------- a network from its parts


def _build_parts(network: Network, source, pp) -> tuple[object, dict[str, list[int]]]:
    """The substation and the feeders as pandapower elements; return the net and its bus indices by name."""
    net = pp.create_empty_network(name=network.substation.name, sn_mva=1.0)
    for tname, lt in network.line_types.items():
        pp.create_std_type(net, dict(lt.model_dump()), name=tname, element="line")
    bus_of: dict[str, list[int]] = {}

    def new_bus(name, vn_kv, where):
        if name in bus_of:
            raise network_error(source, where, "a bus name not used before", repr(name))
        b = int(pp.create_bus(net, vn_kv=vn_kv, name=name))
        bus_of[name] = [b]
        return b

    _add_substation(net, network, new_bus, source, pp)
    _add_feeders(net, network, new_bus, bus_of, source, pp)
    return net, bus_of


def _add_substation(net, network: Network, new_bus, source, pp) -> None:
    """The grid connection (slack at the HV bus), the MV busbar and the substation transformers between them."""
    sub = network.substation
    hv = new_bus(f"{sub.name} {sub.hv_kv:g}kV", sub.hv_kv, "network.substation.name")
    mv = new_bus(sub.mv_bus, sub.mv_kv, "network.substation.mv_bus")
    pp.create_ext_grid(net, hv, vm_pu=sub.grid_vm_pu, va_degree=0.0, name="grid")
    known_trafos = pp.available_std_types(net, "trafo").index
    for k, t in enumerate(sub.transformers):
        where = f"network.substation.transformers[{k}]"
        if t.std_type is not None:
            if t.std_type not in known_trafos:
                raise network_error(source, where + ".std_type", "a pandapower transformer std type", repr(t.std_type))
            pp.create_transformer(net, hv, mv, std_type=t.std_type, name=t.name)
        else:
            pp.create_transformer_from_parameters(
                net,
                hv,
                mv,
                sn_mva=t.sn_mva,
                vn_hv_kv=t.vn_hv_kv or sub.hv_kv,
                vn_lv_kv=t.vn_lv_kv or 1.05 * sub.mv_kv,
                vk_percent=t.vk_percent,
                vkr_percent=t.vkr_percent,
                pfe_kw=t.pfe_kw,
                i0_percent=t.i0_percent,
                name=t.name,
            )


def _add_feeders(net, network: Network, new_bus, bus_of: dict[str, list[int]], source, pp) -> None:
    """Each feeder's sections as lines from the MV busbar (or a named earlier bus) to a new bus each."""
    sub = network.substation
    known_lines = set(pp.available_std_types(net, "line").index)
    for f, feeder in enumerate(network.feeders):
        prev = sub.mv_bus
        for s, sec in enumerate(feeder.sections):
            where = f"network.feeders[{f}].sections[{s}]"
            start = sec.from_bus if sec.from_bus is not None else prev
            if start not in bus_of:
                raise network_error(
                    source, where + ".from", f"a bus defined earlier, among {sorted(bus_of)}", repr(start)
                )
            std = sec.line_std_type or feeder.line_std_type
            if std not in known_lines:
                key = where + ".line_std_type" if sec.line_std_type else f"network.feeders[{f}].line_std_type"
                raise network_error(source, key, "a pandapower line std type or a key of network.line_types", repr(std))
            end = new_bus(sec.to, sub.mv_kv, where + ".to")
            pp.create_line(
                net,
                bus_of[start][0],
                end,
                length_km=sec.length_km,
                std_type=std,
                name=f"{feeder.name} {start}-{sec.to}",
                parallel=sec.parallel,
            )
            prev = sec.to


# --------------------------------------------------------------------------- connection points


def _connection_bus(net, bus_of: dict[str, list[int]], name: str, bus: str | int, source) -> int:
    """The bus index a connection names: an index of ``net.bus``, or a bus name that is unique."""
    where = f"network.connections.{name}.bus"
    if isinstance(bus, int) and not isinstance(bus, bool):
        if bus not in net.bus.index:
            raise network_error(source, where, f"a bus index among {list(net.bus.index)[:20]}", bus)
        return int(bus)
    found = bus_of.get(str(bus))
    if not found:
        raise network_error(source, where, f"a bus name among {sorted(bus_of)[:30]}", repr(bus))
    if len(found) > 1:
        raise network_error(source, where, "a bus name that is unique in the network", f"{bus!r} names {found}")
    return found[0]


def _add_tenant_transformer(net, pp, name, mv_bus, t: TenantTransformer, mv_kv, source) -> int:
    """A connection's own transformer from ``mv_bus`` [kV ``mv_kv``] to a new LV bus; return the LV bus."""
    lv = int(pp.create_bus(net, vn_kv=t.lv_nominal_kv, name=f"{name} {t.lv_nominal_kv * 1000:g}V"))
    if t.std_type is not None:
        if t.std_type not in pp.available_std_types(net, "trafo").index:
            raise network_error(
                source,
                f"network.connections.{name}.transformer.std_type",
                "a pandapower transformer std type",
                repr(t.std_type),
            )
        pp.create_transformer(net, mv_bus, lv, std_type=t.std_type, name=f"{name} transformer", parallel=t.count)
    else:
        pp.create_transformer_from_parameters(
            net,
            mv_bus,
            lv,
            sn_mva=t.sn_mva,
            vn_hv_kv=t.vn_hv_kv or 1.05 * mv_kv,
            vn_lv_kv=t.vn_lv_kv,
            vk_percent=t.vk_percent,
            vkr_percent=t.vkr_percent,
            pfe_kw=t.pfe_kw,
            i0_percent=t.i0_percent,
            name=f"{name} transformer",
            parallel=t.count,
        )
    return lv
