"""The annual power flow: every hour of the year solved in batch on pandapower's admittance matrix.

pandapower stays the network model: the admittance matrices, bus ordering and ratings used here
are pandapower's own (``net._ppc["internal"]`` after one ``pandapower.runpp`` of the base case,
every connection at 0 MW). Only the solving of the 8760 hours is done here, in batch:

1. an implicit Z-bus (fixed-point) iteration on the current injections, all hours at once:
   the admittance matrix between non-slack buses is inverted once (or factorised, for large
   networks) and applied to one right-hand side per hour;
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

Several grid connections
------------------------
A pandapower network may hold several ext_grids (two substations feeding one meshed MV
network, as pandapower's ``mv_oberrhein``). Each distinct slack bus is one grid connection
(ext_grids at one bus are one node and are reported together); :mod:`lingtan.twin.network.findings`
reports each one's exchange and the park's, their sum.

Out-of-service elements
-----------------------
As in pandapower's ``res_line`` and ``res_trafo``, whose values for them do not change from
hour to hour: an out-of-service line or transformer has loading 0 (NaN when one of its ends
is de-energised, e.g. behind an open switch), one in service in a de-energised part of the
network has NaN.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from lingtan.errors import BalanceError
from lingtan.twin.core.schema.network import NetworkLimits
from lingtan.twin.network.build import connection_loads, network_error
from lingtan.twin.network.findings import summarise
from lingtan.twin.network.model import HourlyState, NetworkResult

LOSSES_ROUNDING = 1e-12
"""Negative network losses accepted as rounding, relative to the hour's gross injections [-].

Losses are the sum of every bus's injection, which for a network of passive branches and
shunts is >= 0 for any voltages (the real part of V^H Y V). Floating-point sums of n terms of
size |S| err by about n * 1e-16 * |S|; anything more negative is a bug, not rounding (a user's
pandapower JSON with a generating shunt or a negative resistance is refused by
:func:`~lingtan.twin.network.build.build_net` before it gets here).
"""


def annual_power_flow(
    net,
    p_mw: Mapping[str, Sequence[float]],
    q_mvar: Mapping[str, Sequence[float]] | None = None,
    *,
    power_factor: float = 0.95,
    limits: NetworkLimits | None = None,
    index: pd.Index | None = None,
    tolerance_mva: float = 1e-9,
) -> NetworkResult:
    """Hourly AC power flow of every hour, solved in batch on pandapower's admittance matrix.

    Parameters
    ----------
    net : pandapowerNet
        From :func:`~lingtan.twin.network.build.build_net` (or any net whose connection loads have
        ``type == "twin_connection"``). Not modified.
    p_mw : mapping name -> array (T,)
        Net demand of each connection [MW], load convention: positive = drawn from the
        network, negative = fed in (generation). Every connection needs one.
    q_mvar : mapping name -> array (T,), optional
        Reactive demand [Mvar], load convention. Connections not given follow ``power_factor``.
    power_factor : float
        cos(phi) of positive demand (lagging) [-]; feed-in is at unity power factor.
    limits : NetworkLimits, optional
        Default: GB/T 12325-2008 +/-7 % and 100 % loading.
    index : pandas Index of length T, optional
        Timestamps naming the hours (default: hour numbers 0..T-1).
    tolerance_mva : float
        Largest power mismatch accepted at any bus [MVA] (pandapower's ``tolerance_mva``).

    Returns
    -------
    NetworkResult

    Raises
    ------
    InputError
        Hourly inputs that do not match the connections, or a network pandapower cannot solve
        with every connection at 0 MW.
    """
    limits = limits or NetworkLimits()
    loads, P, Q = hourly_pq(net, p_mw, q_mvar, power_factor)
    T = P.shape[1]
    if index is None:
        index = pd.RangeIndex(T, name="hour")
    elif len(index) != T:
        raise network_error(None, "index", f"{T} timestamps", len(index))
    m = _prepare(net, loads)
    S = np.repeat(m.Sbus0[:, None], T, axis=1)
    # connection loads: Sbus = generation - demand, in pu of base_mva
    np.add.at(S, m.conn_bus, -(P + 1j * Q) / m.base_mva)
    V, conv, info = _solve(m, S, tolerance_mva / m.base_mva)
    V[:, ~conv] = np.nan
    state = _hourly_state(net, m, V, S, conv)
    return summarise(net, state, index, limits, dict(info, hours=T, not_converged=int((~conv).sum())))


def runpp_hour(
    net,
    p_mw: Mapping[str, Sequence[float]],
    q_mvar: Mapping[str, Sequence[float]] | None = None,
    hour: int = 0,
    *,
    power_factor: float = 0.95,
    tolerance_mva: float = 1e-9,
):
    """Set the connection loads to one hour of the inputs and run ``pandapower.runpp`` on a copy.

    Parameters
    ----------
    net : pandapowerNet
        The network; not modified.
    p_mw : mapping name -> array (T,)
        Net demand of each connection [MW], load convention.
    q_mvar : mapping name -> array (T,), optional
        Reactive demand [Mvar], load convention.
    hour : int
        Column of the inputs [h].
    power_factor : float
        cos(phi) of positive demand where ``q_mvar`` gives none [-].
    tolerance_mva : float
        Largest power mismatch accepted at any bus [MVA].

    Returns
    -------
    pandapowerNet
        The solved copy (``res_bus``, ``res_line``, ``res_trafo``, ``res_ext_grid``), for
        comparison with :func:`annual_power_flow`.
    """
    import pandapower as pp

    loads, P, Q = hourly_pq(net, p_mw, q_mvar, power_factor)
    work = copy.deepcopy(net)
    work.load.loc[loads.to_numpy(), "p_mw"] = P[:, hour]
    work.load.loc[loads.to_numpy(), "q_mvar"] = Q[:, hour]
    pp.runpp(
        work,
        algorithm="nr",
        calculate_voltage_angles=True,
        trafo_loading="current",
        voltage_depend_loads=False,
        tolerance_mva=tolerance_mva,
    )
    return work


# --------------------------------------------------------------------------- hourly input


def hourly_pq(
    net, p_mw: Mapping[str, Sequence[float]], q_mvar: Mapping[str, Sequence[float]] | None, power_factor: float
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Check the hourly inputs and put them in the connections' order.

    Parameters
    ----------
    net : pandapowerNet
        The network.
    p_mw : mapping name -> array (T,)
        Net demand of each connection [MW], load convention.
    q_mvar : mapping name -> array (T,) or None
        Reactive demand [Mvar], load convention.
    power_factor : float
        cos(phi) of positive demand where ``q_mvar`` gives none [-].

    Returns
    -------
    loads : pandas Series
        ``net.load`` index of each connection, indexed by name (:func:`connection_loads`).
    P, Q : ndarray (k, T)
        Net active [MW] and reactive [Mvar] demand of each connection in each hour.

    Raises
    ------
    InputError
        A name that is no connection, a connection without a series, series of unequal
        length, a value that is not finite, a power factor outside (0, 1].
    """
    loads = connection_loads(net)
    unknown = sorted(set(p_mw) - set(loads.index))
    if unknown:
        raise network_error(
            None, f"p_mw[{unknown[0]!r}]", f"a connection name among {sorted(loads.index)}", repr(unknown[0])
        )
    missing = sorted(set(loads.index) - set(p_mw))
    if missing:
        raise network_error(None, "p_mw", "an hourly series for every connection", f"none for {missing}")
    if not 0 < power_factor <= 1:
        raise network_error(None, "power_factor", "a power factor in (0, 1]", power_factor)
    names = list(loads.index)
    P = np.vstack([np.asarray(p_mw[n], dtype=float).ravel() for n in names]) if names else np.zeros((0, 0))
    T = P.shape[1]
    for n, row in zip(names, P, strict=True):
        if row.shape[0] != T:
            raise network_error(None, f"p_mw[{n!r}]", f"{T} hourly values like the other connections", len(row))
    bad = ~np.isfinite(P)
    if bad.any():
        k, t = np.argwhere(bad)[0]
        raise network_error(None, f"p_mw[{names[k]!r}], hour {t}", "a finite number", P[k, t])
    tan_phi = math.tan(math.acos(power_factor))
    Q = np.where(P > 0, P * tan_phi, 0.0)
    for n, values in (q_mvar or {}).items():
        if n not in loads.index:
            raise network_error(None, f"q_mvar[{n!r}]", f"a connection name among {names}", repr(n))
        row = np.asarray(values, dtype=float).ravel()
        if row.shape[0] != T or not np.isfinite(row).all():
            raise network_error(None, f"q_mvar[{n!r}]", f"{T} finite hourly values", f"{row.shape[0]} values")
        Q[names.index(n)] = row
    return loads, P, Q


# --------------------------------------------------------------------------- pandapower's model, frozen


@dataclass
class _Model:
    """pandapower's internal network data, frozen for the batch solve (``ppci`` = pandapower's internal order)."""

    base_mva: float
    Ybus: sp.csr_matrix
    Yf: sp.csr_matrix
    Yt: sp.csr_matrix
    ref: np.ndarray
    pv: np.ndarray
    pq: np.ndarray
    V0: np.ndarray  # (n,) solved base case (ref and PV magnitudes are the set-points)
    Sbus0: np.ndarray  # (n,) injections of everything except the connections [pu]
    base_kv: np.ndarray  # (n,) ppci base voltage [kV]
    f_bus: np.ndarray  # (nbr,) ppci
    t_bus: np.ndarray
    bus_lookup: np.ndarray  # pd bus index -> ppci bus (-1 if not solved), by position in net.bus
    conn_bus: np.ndarray  # (k,) ppci bus of each connection load
    line_row: np.ndarray  # (n_line,) ppci branch row, -1 when out of service
    trafo_row: np.ndarray
    line_idle: np.ndarray  # (n_line, 2) pandapower's loading [%] and i [kA] of the lines not solved (row -1)
    trafo_idle: np.ndarray  # (n_trafo,) pandapower's loading [%] of the transformers not solved
    grid_bus: np.ndarray  # (g,) ppci bus of each grid connection: the distinct buses of the in-service ext_grids
    grid_ext: list  # (g,) the net.ext_grid indices at each of those buses
    ref_other: np.ndarray  # (g,) injections at those buses other than the ext_grids [pu]


def _prepare(net, conn_loads: pd.Series) -> _Model:
    """Solve the base case with pandapower and freeze its admittance matrices, bus order and mappings."""
    from pandapower.pypower.idx_brch import F_BUS, T_BUS
    from pandapower.pypower.idx_bus import BASE_KV

    work = _base_case(net, conn_loads)
    internal = work._ppc["internal"]
    bus_lookup = _bus_lookup(work, internal["Ybus"].shape[0])
    rows = _branch_rows(work)
    branch = internal["branch"]
    pos = work.bus.index.get_indexer(work.load.loc[conn_loads.to_numpy(), "bus"].to_numpy())
    model = _Model(
        base_mva=float(internal["baseMVA"]),
        Ybus=sp.csr_matrix(internal["Ybus"]),
        Yf=sp.csr_matrix(internal["Yf"]),
        Yt=sp.csr_matrix(internal["Yt"]),
        ref=np.asarray(internal["ref"], np.int64),
        pv=np.asarray(internal["pv"], np.int64),
        pq=np.asarray(internal["pq"], np.int64),
        V0=np.asarray(internal["V"], complex).copy(),
        Sbus0=np.asarray(internal["Sbus"], complex).copy(),
        base_kv=np.asarray(internal["bus"][:, BASE_KV].real, float),
        f_bus=branch[:, F_BUS].real.astype(np.int64),
        t_bus=branch[:, T_BUS].real.astype(np.int64),
        bus_lookup=bus_lookup,
        conn_bus=bus_lookup[pos],
        line_row=rows("line", len(work.line)),
        trafo_row=rows("trafo", len(work.trafo)),
        # branches out of the solved network carry no current in any hour: what pandapower reports for them
        # (0 when out of service, NaN when an end is de-energised) is that of the base case
        line_idle=work.res_line[["loading_percent", "i_ka"]].to_numpy(float),
        trafo_idle=work.res_trafo.loading_percent.to_numpy(float),
        grid_bus=np.zeros(0, np.int64),
        grid_ext=[],
        ref_other=np.zeros(0, complex),
    )
    _add_grid_connections(model, work)
    if (model.conn_bus < 0).any():
        dead = list(conn_loads.index[model.conn_bus < 0])
        raise network_error(None, "network.connections", "connections at energised buses", f"isolated: {dead}")
    _check_bus_mapping(model, work)
    return model


def _base_case(net, conn_loads: pd.Series):
    """A copy of ``net`` with every connection at 0 MW, solved by ``pandapower.runpp``."""
    import pandapower as pp

    work = copy.deepcopy(net)
    work.load.loc[conn_loads.to_numpy(), ["p_mw", "q_mvar"]] = 0.0
    try:
        pp.runpp(
            work,
            algorithm="nr",
            calculate_voltage_angles=True,
            trafo_loading="current",
            voltage_depend_loads=False,
            tolerance_mva=1e-10,
            numba=False,  # one small solve: numba's compilation of pandapower's Newton costs seconds, not the solve
        )
    except pp.LoadflowNotConverged:
        raise network_error(
            None,
            "network",
            "a network that pandapower solves with every connection at 0 MW (the base case of the annual power flow)",
            "no convergence",
        ) from None
    return work


def _bus_lookup(work, n: int) -> np.ndarray:
    """For each row of ``work.bus``: its internal bus (0..n-1), or -1 when it is not solved (out of service,
    isolated)."""
    lookup_full = np.asarray(work._pd2ppc_lookups["bus"])
    bus_idx = work.bus.index.to_numpy()
    bus_lookup = np.where(bus_idx < len(lookup_full), lookup_full[np.minimum(bus_idx, len(lookup_full) - 1)], -1)
    return np.where((bus_lookup >= 0) & (bus_lookup < n), bus_lookup, -1)


def _branch_rows(work):
    """A function ``rows(element, count)``: the internal branch row of each line or transformer, -1 when not
    solved."""
    ppc = work._ppc
    internal = ppc["internal"]
    n_br_ppc = ppc["branch"].shape[0]
    n_br_int = internal["Yf"].shape[0]
    is_ = np.asarray(internal["branch_is"], bool)
    if n_br_int == n_br_ppc:
        row_of = np.arange(n_br_ppc)
        row_of[~is_] = -1
    else:
        row_of = np.where(is_, np.cumsum(is_) - 1, -1)

    def rows(element, count):
        if element not in work._pd2ppc_lookups["branch"] or count == 0:
            return np.full(count, -1, dtype=np.int64)
        f, t = work._pd2ppc_lookups["branch"][element]
        return row_of[f:t].astype(np.int64)

    return rows


def _add_grid_connections(model: _Model, work) -> None:
    """One grid connection per distinct slack bus.

    ext_grids at one bus (or at buses fused by closed bus-bus switches) are one node of ideal sources, whose
    split pandapower makes by its own rule; they are reported together. What those buses inject besides the
    ext_grids (the user's own loads or sgens there) is constant, kept in ``ref_other``.
    """
    ext = work.ext_grid[work.ext_grid.in_service]
    ext_ppc = model.bus_lookup[work.bus.index.get_indexer(ext.bus.to_numpy())]
    model.grid_bus = np.unique(ext_ppc[ext_ppc >= 0])
    model.grid_ext = [list(ext.index[ext_ppc == b]) for b in model.grid_bus]
    s_ext = (work.res_ext_grid.p_mw + 1j * work.res_ext_grid.q_mvar) / model.base_mva
    grid0 = np.array([s_ext.loc[idx].sum() for idx in model.grid_ext], complex)
    inj0 = model.V0 * np.conj(model.Ybus @ model.V0)
    model.ref_other = inj0[model.grid_bus] - grid0


def _check_bus_mapping(model: _Model, work) -> None:
    """The frozen base-case voltages, read through the bus mapping, must be pandapower's own ``res_bus``."""
    V = model.V0[:, None]
    vm = np.abs(V[model.bus_lookup[model.bus_lookup >= 0], 0])
    ref_vm = work.res_bus.vm_pu.to_numpy()[model.bus_lookup >= 0]
    if not np.allclose(vm, ref_vm, atol=1e-8, equal_nan=True):
        raise RuntimeError("network: bus mapping disagrees with pandapower (a bug, please report)")


# --------------------------------------------------------------------------- the batch solver


def _solve(m: _Model, S: np.ndarray, tol: float, zbus_iter: int = 40, newton_iter: int = 10):
    """V (n, T) of every hour, whether it converged (T,), and the solver's counts.

    Z-bus for all hours; Newton-Raphson for those it leaves (restarted from the base case where the
    Z-bus iterate left 0.5-1.5 pu or became NaN). ``S`` are the injections [pu], ``tol`` [pu].
    """
    with np.errstate(all="ignore"):
        V, conv, it = _zbus(m, S, tol, zbus_iter)
    n_newton = int((~conv).sum())
    if n_newton:
        idx = np.flatnonzero(~conv)
        start = V[:, idx]
        vm = np.abs(start)
        wild = ~np.all(np.isfinite(start) & (vm > 0.5) & (vm < 1.5), axis=0)  # Z-bus diverged: restart there
        start[:, wild] = m.V0[:, None]
        with np.errstate(all="ignore"):
            Vn, cn = _newton(m, S[:, idx], start, tol, newton_iter)
        V[:, idx] = Vn
        conv[idx] = cn
    return V, conv, {"zbus_iterations": it, "newton_hours": n_newton}


def _mismatch(YN: sp.csr_matrix, V: np.ndarray, VN: np.ndarray, SN: np.ndarray) -> np.ndarray:
    """Largest |P| or |Q| mismatch per hour [pu] at the PQ buses, pandapower's Newton criterion.

    ``YN`` are the admittance matrix's rows of the PQ buses, ``V`` (n, T) all voltages, ``VN`` and
    ``SN`` (npq, T) the PQ buses' voltages and injections [pu].
    """
    mis = VN * np.conj(YN @ V) - SN
    return np.maximum(np.abs(mis.real).max(axis=0), np.abs(mis.imag).max(axis=0))


def _zbus(m: _Model, S: np.ndarray, tol: float, max_iter: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Implicit Z-bus iteration for all hours at once (PQ buses only). Returns V (n, T), converged (T,).

    Each sweep is V_N <- Y_NN^-1 (conj(S_N / V_N) - Y_NS V_S), in place on preallocated (npq, T)
    arrays; the mismatch is checked every second sweep.
    """
    n, T = S.shape
    V = np.repeat(m.V0[:, None], T, axis=1)
    N = m.pq
    if len(m.pv) or len(N) == 0:
        return V, np.zeros(T, bool) if len(N) else np.ones(T, bool), 0
    Y = m.Ybus.tocsc()
    YNN = Y[N][:, N].tocsc()
    YNS = Y[N][:, m.ref]
    if len(N) <= 1500:  # small networks: the dense impedance matrix makes each sweep one matmul
        Z = np.linalg.inv(YNN.toarray())

        def solve(rhs, out):
            np.matmul(Z, rhs, out=out)
    else:
        lu = spla.splu(YNN)

        def solve(rhs, out):
            out[...] = lu.solve(rhs)

    YN = m.Ybus[N]
    rhs0 = -(YNS @ m.V0[m.ref])[:, None]
    SN = S[N]
    VN = V[N]
    rhs = np.empty_like(VN)
    it = 0
    conv = np.zeros(T, bool)
    for it in range(1, max_iter + 1):
        np.divide(SN, VN, out=rhs)
        np.conjugate(rhs, out=rhs)
        rhs += rhs0
        solve(rhs, VN)
        if it % 2 == 0 or it == max_iter:
            V[N] = VN
            conv = _mismatch(YN, V, VN, SN) < tol
            if conv.all():
                break
    V[N] = VN
    return V, conv, it


def _newton(
    m: _Model, S: np.ndarray, V: np.ndarray, tol: float, max_iter: int, chunk_bytes: float = 2e8
) -> tuple[np.ndarray, np.ndarray]:
    """Newton-Raphson (polar), vectorised over hours: a stack of dense Jacobians. V, S: (n, T).

    Hours are solved in chunks of at most ``chunk_bytes`` of Jacobians [bytes]; an hour whose
    mismatch becomes NaN or whose Jacobian is singular stops there and is not converged.
    """
    n, T = S.shape
    pvpq = np.r_[m.pv, m.pq]
    dim = len(pvpq) + len(m.pq)
    Y = m.Ybus.toarray()
    chunk = max(1, int(chunk_bytes // (16 * n * len(pvpq) * 3 + 8 * dim * dim + 1)))
    conv = np.zeros(T, bool)
    V = V.copy()
    for start in range(0, T, chunk):
        sl = slice(start, min(T, start + chunk))
        Vc, conv[sl] = _newton_chunk(m, Y, V[:, sl].T.copy(), S[:, sl].T, tol, max_iter)
        V[:, sl] = Vc.T
    return V, conv


def _newton_chunk(
    m: _Model, Y: np.ndarray, Vc: np.ndarray, Sc: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray]:
    """Newton iterations on one chunk of hours. Vc, Sc: (c, n), hours as rows; returns Vc and converged (c,)."""
    pv, pq = m.pv, m.pq
    pvpq = np.r_[pv, pq]
    npvpq = len(pvpq)
    dim = npvpq + len(pq)
    Yr = Y[pvpq]  # rows of the equations
    active = np.ones(Vc.shape[0], bool)
    failed = np.zeros(Vc.shape[0], bool)
    for _ in range(max_iter + 1):
        Ibus = Vc @ Y.T  # (c, n)
        mis = Vc * np.conj(Ibus) - Sc
        F = np.concatenate([mis[:, pvpq].real, mis[:, pq].imag], axis=1)
        err = np.abs(F).max(axis=1) if dim else np.zeros(len(Vc))
        active = ~(err < tol) & ~failed  # NaN counts as not converged
        failed |= ~np.isfinite(err)
        if not active.any():
            break
        a = np.flatnonzero(active)
        J = _jacobian(Yr, Vc[a], Ibus[a], pvpq, pq, len(pv))
        dx = _newton_steps(J, -F[a], a, failed)
        Vm = np.abs(Vc[a])
        ang = np.angle(Vc[a])
        ang[:, pvpq] += dx[:, :npvpq]
        Vm[:, pq] += dx[:, npvpq:]
        Vc[a] = Vm * np.exp(1j * ang)
    return Vc, ~active & ~failed & (err < tol)


def _jacobian(
    Yr: np.ndarray, V: np.ndarray, Ibus: np.ndarray, pvpq: np.ndarray, pq: np.ndarray, n_pv: int
) -> np.ndarray:
    """The polar power-flow Jacobians of a stack of hours, (c, dim, dim), pandapower's layout.

    Rows: P at PV and PQ buses, then Q at PQ buses; columns: voltage angles at PV and PQ buses,
    then magnitudes at PQ buses. ``Yr`` are the rows ``pvpq`` of the admittance matrix; ``V`` and
    ``Ibus = V @ Y.T`` are (c, n) [pu].
    """
    npvpq = len(pvpq)
    dim = npvpq + len(pq)
    rows_pq = np.arange(n_pv, npvpq)  # rows of the PQ buses among pvpq (they come last)
    Vm = np.abs(V)
    Vn = V / Vm
    # dS/dVm and dS/dVa restricted to rows pvpq, all columns
    Vrow = V[:, pvpq][:, :, None]  # (c, r, 1)
    dVm = Vrow * np.conj(Yr[None] * Vn[:, None, :])  # (c, r, n)
    dVa = -1j * Vrow * np.conj(Yr[None] * V[:, None, :])
    r = np.arange(npvpq)
    dVm[:, r, pvpq] += np.conj(Ibus[:, pvpq]) * Vn[:, pvpq]
    dVa[:, r, pvpq] += 1j * V[:, pvpq] * np.conj(Ibus[:, pvpq])
    J = np.empty((len(V), dim, dim))
    J[:, :npvpq, :npvpq] = dVa[:, :, pvpq].real
    J[:, :npvpq, npvpq:] = dVm[:, :, pq].real
    J[:, npvpq:, :npvpq] = dVa[:, rows_pq][:, :, pvpq].imag
    J[:, npvpq:, npvpq:] = dVm[:, rows_pq][:, :, pq].imag
    return J


def _newton_steps(J: np.ndarray, rhs: np.ndarray, hours: np.ndarray, failed: np.ndarray) -> np.ndarray:
    """Solve J dx = rhs for a stack of hours, (c, dim); a singular Jacobian (voltage collapse) marks its hour
    in ``failed`` (indexed by ``hours``) and gives it a zero step, while the others go on."""
    try:
        return np.linalg.solve(J, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        dx = np.zeros(rhs.shape)
        for k in range(len(J)):
            try:
                dx[k] = np.linalg.solve(J[k], rhs[k])
            except np.linalg.LinAlgError:
                failed[hours[k]] = True
        return dx


# --------------------------------------------------------------------------- from voltages to flows


def _hourly_state(net, m: _Model, V: np.ndarray, S: np.ndarray, conv: np.ndarray) -> HourlyState:
    """Voltages, branch loadings, grid exchange and losses of every hour from the solved V (n, T) [pu]."""
    line_loading, line_i_ka = _line_loading(net, m, V)
    grid_s_mva, losses_mw = _grid_exchange(m, V, S)
    return HourlyState(
        vm_pu=_bus_voltages(net, m, V),
        bus_solved=m.bus_lookup >= 0,
        line_loading_percent=line_loading,
        line_i_ka=line_i_ka,
        trafo_loading_percent=_trafo_loading(net, m, V),
        grid_s_mva=grid_s_mva,
        grid_ext=m.grid_ext,
        losses_mw=losses_mw,
        converged=conv,
    )


def _bus_voltages(net, m: _Model, V: np.ndarray) -> np.ndarray:
    """(bus, T) voltage magnitude [pu] in ``net.bus`` order; NaN for buses outside the solved network."""
    vm = np.full((len(net.bus), V.shape[1]), np.nan)
    live = m.bus_lookup >= 0
    vm[live] = np.abs(V[m.bus_lookup[live]])
    return vm


def _branch_currents(m: _Model, V: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|I| [kA] at the from and to ends of the given internal branch rows (NaN for rows -1); V (n, T).
    Shapes (b, T)."""
    ok = rows >= 0
    r = rows[ok]
    T = V.shape[1]
    out = [np.full((len(rows), T), np.nan) for _ in range(2)]
    if len(r):
        Vf, Vt = V[m.f_bus[r]], V[m.t_bus[r]]
        Sf = np.abs(Vf * np.conj(m.Yf[r] @ V)) * m.base_mva
        St = np.abs(Vt * np.conj(m.Yt[r] @ V)) * m.base_mva
        out[0][ok] = Sf / (np.abs(Vf) * m.base_kv[m.f_bus[r]][:, None]) / math.sqrt(3)
        out[1][ok] = St / (np.abs(Vt) * m.base_kv[m.t_bus[r]][:, None]) / math.sqrt(3)
    return out[0], out[1]


def _line_loading(net, m: _Model, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(line, T) loading [%] and current [kA] as pandapower's ``res_line``; lines out of the solved network read
    as pandapower's base case (0 when out of service, NaN behind an open switch)."""
    i_f, i_t = _branch_currents(m, V, m.line_row)
    line = net.line
    idle = m.line_row < 0
    i_ka = np.fmax(i_f, i_t)
    i_max = (line.max_i_ka * line.df * line.parallel).to_numpy()[:, None]
    loading = i_ka / i_max * 100.0
    loading[idle], i_ka[idle] = m.line_idle[idle, :1], m.line_idle[idle, 1:]
    return loading, i_ka


def _trafo_loading(net, m: _Model, V: np.ndarray) -> np.ndarray:
    """(trafo, T) loading [%] as pandapower's ``res_trafo`` with ``trafo_loading="current"``: the larger of the
    two ends' sqrt(3) V_rated I over the rating."""
    i_hv, i_lv = _branch_currents(m, V, m.trafo_row)
    tr = net.trafo
    ld = np.fmax(i_hv * tr.vn_hv_kv.to_numpy()[:, None], i_lv * tr.vn_lv_kv.to_numpy()[:, None]) * math.sqrt(3)
    loading = ld / tr.sn_mva.to_numpy()[:, None] * 100.0 / (tr.parallel * tr.df).to_numpy()[:, None]
    loading[m.trafo_row < 0] = m.trafo_idle[m.trafo_row < 0, None]
    return loading


def _grid_exchange(m: _Model, V: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Power supplied by each grid connection (g, T) [MVA, complex] and the network's losses (T,) [MW].

    A grid connection supplies the injection at its slack bus minus what the base case injects there besides
    the ext_grids and minus the connections' hourly injections at that bus. Losses are the sum of all
    injections; the rounding below zero is set to 0 after :func:`_check_losses` has shown it is rounding.
    """
    inj = V * np.conj(m.Ybus @ V)
    gb = m.grid_bus
    s_grid = (inj[gb] - m.ref_other[:, None] - (S[gb] - m.Sbus0[gb][:, None])) * m.base_mva
    losses = inj.real.sum(axis=0) * m.base_mva
    _check_losses(losses, np.abs(inj.real).sum(axis=0) * m.base_mva)
    return s_grid, np.clip(losses, 0, None)


def _check_losses(losses_mw: np.ndarray, gross_mw: np.ndarray) -> None:
    """Raise when the network's losses [MW] are below zero by more than rounding of the gross injections [MW].

    Raises
    ------
    BalanceError
        Negative losses: the network made energy (a bug in the model, or an element with negative resistance).
    """
    with np.errstate(invalid="ignore"):
        bad = losses_mw < -LOSSES_ROUNDING * gross_mw
    if bad.any():
        t = int(np.flatnonzero(bad)[0])
        raise BalanceError(
            f"network: losses of {losses_mw[t]:.3g} MW in hour {t} ({int(bad.sum())} h below 0 by "
            f"more than rounding of {gross_mw[t]:.3g} MW of injections): the network made energy"
        )
