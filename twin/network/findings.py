"""What a year of hourly power flows shows: pandapower-style summary tables, the worst hours, and findings.

The solver (:mod:`lingtan.twin.network.solve`) hands over an :class:`~lingtan.twin.network.model.HourlyState`;
this module turns it into a :class:`~lingtan.twin.network.model.NetworkResult`: per-element tables
(extremes and hours beyond the limits), each grid connection's exchange, the hour and element
of each quantity's worst value, and plain-language findings, one per element and kind.

Out-of-service elements carry nothing: they are never the worst element or a finding.
``reverse_flow_hours`` counts the hours with ``export_mw`` above
:data:`~lingtan.twin.network.model.REVERSE_FLOW_THRESHOLD_MW`; with several grid connections it counts
the hours the park as a whole exports, and a finding names every connection with reverse flow
of its own (power can flow in at one substation and out at the other while the park imports).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lingtan.twin.core.schema.network import NetworkLimits
from lingtan.twin.network.build import network_error
from lingtan.twin.network.model import REVERSE_FLOW_THRESHOLD_MW, HourlyState, NetworkResult, SubstationLimitResult


def summarise(net, state: HourlyState, index: pd.Index, limits: NetworkLimits, solver: dict) -> NetworkResult:
    """The year's tables, worst hours and findings of the solved hourly state.

    Parameters
    ----------
    net : pandapowerNet
        The network that was solved (its element tables name the rows).
    state : HourlyState
        The solved hours.
    index : pandas Index of length T
        Names of the hours (timestamps or hour numbers).
    limits : NetworkLimits
        Voltage [pu] and loading [%] limits the hours are checked against.
    solver : dict
        The solver's counts, kept in ``NetworkResult.solver``.

    Returns
    -------
    NetworkResult
    """
    vm, conv = state.vm_pu, state.converged
    line_off = ~net.line.in_service.to_numpy(bool)
    trafo_off = ~net.trafo.in_service.to_numpy(bool)
    res_bus = _bus_table(net, state, limits)
    res_line = _branch_table(net.line, state.line_loading_percent, limits, index, line_off)
    res_line.insert(3, "i_max_ka", _nanmax(state.line_i_ka))
    res_line.insert(1, "from_bus", net.line.from_bus.to_numpy())
    res_line.insert(2, "to_bus", net.line.to_bus.to_numpy())
    res_trafo = _branch_table(net.trafo, state.trafo_loading_percent, limits, index, trafo_off)
    res_trafo.insert(1, "hv_bus", net.trafo.hv_bus.to_numpy())
    res_trafo.insert(2, "lv_bus", net.trafo.lv_bus.to_numpy())
    p_grid = state.grid_s_mva.real.sum(axis=0)
    substation = pd.DataFrame(
        {"import_mw": np.clip(p_grid, 0, None), "export_mw": np.clip(-p_grid, 0, None), "losses_mw": state.losses_mw},
        index=index,
    )
    reverse = int((substation.export_mw > REVERSE_FLOW_THRESHOLD_MW).sum())
    res_ext_grid, hourly_grid = _grid_connections(net, state, index)
    # out-of-service branches carry nothing: never the worst element, never a finding
    worst = _worst_hours(
        net,
        index,
        vm,
        np.where(line_off[:, None], np.nan, state.line_loading_percent),
        np.where(trafo_off[:, None], np.nan, state.trafo_loading_percent),
        substation,
        res_ext_grid,
        hourly_grid,
    )
    violations = (
        _convergence_findings(index, conv)
        + _bus_findings(net, index, limits, vm, res_bus)
        + _branch_findings(index, limits, res_line, state.line_loading_percent, res_trafo, state.trafo_loading_percent)
        + _reverse_flow_findings(index, reverse, substation, res_ext_grid, hourly_grid)
    )
    return NetworkResult(
        res_bus=res_bus,
        res_line=res_line,
        res_trafo=res_trafo,
        substation=substation,
        reverse_flow_hours=reverse,
        worst_hours=worst,
        violations=violations,
        hourly_vm_pu=pd.DataFrame(vm.T, index=index, columns=net.bus.index),
        hourly_line_loading_percent=pd.DataFrame(state.line_loading_percent.T, index=index, columns=net.line.index),
        hourly_trafo_loading_percent=pd.DataFrame(state.trafo_loading_percent.T, index=index, columns=net.trafo.index),
        limits=limits,
        converged=conv,
        solver=solver,
        res_ext_grid=res_ext_grid,
        hourly_grid_import_mw=hourly_grid["import_mw"],
        hourly_grid_export_mw=hourly_grid["export_mw"],
        hourly_grid_q_mvar=hourly_grid["q_mvar"],
    )


def apply_substation_limits(
    result: NetworkResult, import_limit_mw: float | None = None, export_limit_mw: float | None = None
) -> SubstationLimitResult:
    """Clip hourly import and export at the substation to the limits; report what was clipped.

    Parameters
    ----------
    result : NetworkResult
        The year's power flow; its hourly ``import_mw`` and ``export_mw`` are clipped.
    import_limit_mw, export_limit_mw : float or None
        Limits at the grid connection [MW]. ``None`` means no limit; ``export_limit_mw=0``
        forbids any reverse flow.

    Returns
    -------
    SubstationLimitResult
        Each hour's energy is its power held for one hour [MWh].

    Raises
    ------
    InputError
        A negative limit.
    """
    findings = []
    values = {}
    for label, series, limit in (
        ("import", result.import_mw.copy(), import_limit_mw),
        ("export", result.export_mw.copy(), export_limit_mw),
    ):
        if limit is not None and limit < 0:
            raise network_error(None, f"{label}_limit_mw", "a non-negative limit [MW] or none", limit)
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
            findings.append(
                f"The substation {label} limit of {limit:g} MW is exceeded in {hours} h: {mwh:.1f} MWh of "
                f"{what} (largest excess {excess.iat[t]:.2f} MW at {_fmt_t(series.index, t)})."
            )
    return SubstationLimitResult(
        import_mw=values["import"][0],
        export_mw=values["export"][0],
        import_clipped_mwh=values["import"][1],
        export_clipped_mwh=values["export"][1],
        import_clipped_hours=values["import"][2],
        export_clipped_hours=values["export"][2],
        findings=findings,
    )


# --------------------------------------------------------------------------- tables


def _bus_table(net, state: HourlyState, limits: NetworkLimits) -> pd.DataFrame:
    """``res_bus``: lowest and highest voltage [pu] and hours below/above the limits, per bus."""
    vm = state.vm_pu
    with np.errstate(invalid="ignore"):
        res_bus = pd.DataFrame(
            {
                "name": net.bus.name.to_numpy(),
                "vn_kv": net.bus.vn_kv.to_numpy(),
                "vm_min_pu": np.nanmin(vm, axis=1, initial=np.inf),
                "vm_max_pu": np.nanmax(vm, axis=1, initial=-np.inf),
                "hours_below": (vm < limits.v_min_pu).sum(axis=1),
                "hours_above": (vm > limits.v_max_pu).sum(axis=1),
            },
            index=net.bus.index,
        )
    res_bus.loc[~state.bus_solved, ["vm_min_pu", "vm_max_pu"]] = np.nan
    return res_bus


def _branch_table(table, loading, limits: NetworkLimits, index, off) -> pd.DataFrame:
    """Highest loading [%], hours above the limit and the hour of the highest, per line or transformer."""
    mx = _nanmax(loading)
    with np.errstate(invalid="ignore"):
        over = (loading > limits.loading_max_percent).sum(axis=1)
    at = [
        index[int(np.nanargmax(row))] if np.isfinite(row).any() and not o else None
        for row, o in zip(loading, off, strict=True)
    ]
    return pd.DataFrame(
        {"name": table.name.to_numpy(), "loading_max_percent": mx, "hours_overloaded": over, "hour_of_max": at},
        index=table.index,
    )


def _grid_connections(net, state: HourlyState, index) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Per grid connection (slack bus): the summary table and hourly import, export [MW] and Q [Mvar].

    Indexed by the first ``net.ext_grid`` index at each slack bus; ``ext_grids`` lists them all.
    """
    ext = net.ext_grid

    def label(i):
        name = ext.name.get(i)
        return str(name) if isinstance(name, str) and name else f"ext_grid {i}"

    first = pd.Index([idx[0] for idx in state.grid_ext], name="ext_grid")
    p, q = state.grid_s_mva.real, state.grid_s_mva.imag
    imp, exp = np.clip(p, 0, None), np.clip(-p, 0, None)
    with np.errstate(invalid="ignore"):
        reverse = (exp > REVERSE_FLOW_THRESHOLD_MW).sum(axis=1)
    res = pd.DataFrame(
        {
            "name": [" + ".join(label(i) for i in idx) for idx in state.grid_ext],
            "bus": [int(ext.bus.at[idx[0]]) for idx in state.grid_ext],
            "ext_grids": [", ".join(str(i) for i in idx) for idx in state.grid_ext],
            "import_max_mw": _nanmax(imp),
            "export_max_mw": _nanmax(exp),
            "import_e_mwh": np.nansum(imp, axis=1),
            "export_e_mwh": np.nansum(exp, axis=1),
            "reverse_flow_hours": reverse.astype(int),
            "q_min_mvar": -_nanmax(-q),
            "q_max_mvar": _nanmax(q),
        },
        index=first,
    )
    hourly = {
        k: pd.DataFrame(v.T, index=index, columns=first)
        for k, v in (("import_mw", imp), ("export_mw", exp), ("q_mvar", q))
    }
    return res, hourly


def _nanmax(a: np.ndarray) -> np.ndarray:
    """Row-wise maximum ignoring NaN; NaN for a row that is all NaN (without numpy's warning)."""
    with np.errstate(invalid="ignore"):
        return (
            np.where(np.isnan(a).all(axis=1), np.nan, np.nanmax(np.where(np.isnan(a), -np.inf, a), axis=1))
            if a.size
            else np.zeros(len(a))
        )


# --------------------------------------------------------------------------- worst hours


def _worst_hours(net, index, vm, line_loading, trafo_loading, substation, res_ext_grid, hourly_grid) -> pd.DataFrame:
    """For each quantity, its extreme value over the year, the hour and the element (one row each)."""
    rows = []

    def add(quantity, table, arr, pick, label):
        if arr.size == 0 or not np.isfinite(arr).any():
            return
        a = np.where(np.isfinite(arr), arr, np.inf if pick == "min" else -np.inf)
        k, t = np.unravel_index(np.argmin(a) if pick == "min" else np.argmax(a), a.shape)
        el = table.index[k]
        rows.append(
            {
                "quantity": quantity,
                "timestamp": index[t],
                "hour": int(t),
                "element": label,
                "element_index": el,
                "element_name": str(table.name.iat[k]),
                "value": float(arr[k, t]),
            }
        )

    add("lowest voltage [pu]", net.bus, vm, "min", "bus")
    add("highest voltage [pu]", net.bus, vm, "max", "bus")
    add("highest line loading [%]", net.line, line_loading, "max", "line")
    add("highest transformer loading [%]", net.trafo, trafo_loading, "max", "trafo")
    several = len(res_ext_grid) > 1
    ext = pd.DataFrame(
        {"name": [f"all {len(res_ext_grid)} grid connections" if several else "grid connection"]}, index=[0]
    )
    add("highest import [MW]", ext, substation.import_mw.to_numpy()[None], "max", "ext_grid")
    if (substation.export_mw > REVERSE_FLOW_THRESHOLD_MW).any():
        add("highest export (reverse flow) [MW]", ext, substation.export_mw.to_numpy()[None], "max", "ext_grid")
    if several:
        add(
            "highest import at one grid connection [MW]",
            res_ext_grid,
            hourly_grid["import_mw"].to_numpy().T,
            "max",
            "ext_grid",
        )
        if (res_ext_grid.reverse_flow_hours > 0).any():
            add(
                "highest export at one grid connection [MW]",
                res_ext_grid,
                hourly_grid["export_mw"].to_numpy().T,
                "max",
                "ext_grid",
            )
    return pd.DataFrame(
        rows, columns=["quantity", "timestamp", "hour", "element", "element_index", "element_name", "value"]
    )


# --------------------------------------------------------------------------- findings in words


def _fmt_t(index, t) -> str:
    """Hour ``t`` of ``index`` as 'YYYY-MM-DD HH:MM', or 'hour t' for an index of hour numbers."""
    v = index[t]
    return v.strftime("%Y-%m-%d %H:%M") if hasattr(v, "strftime") else f"hour {v}"


def _convergence_findings(index, conv) -> list[str]:
    """The hours whose power flow did not converge (the network cannot carry the dispatch there)."""
    bad = int((~conv).sum())
    if not bad:
        return []
    first = np.flatnonzero(~conv)[:5]
    return [
        f"The power flow did not converge in {bad} h (first: {', '.join(_fmt_t(index, t) for t in first)}): "
        "the network cannot carry the dispatch in those hours (voltage collapse); results are NaN there."
    ]


def _bus_findings(net, index, limits: NetworkLimits, vm, res_bus) -> list[str]:
    """One finding per bus and direction with hours outside the voltage limits."""
    out = []
    for b, row in res_bus[(res_bus.hours_below > 0) | (res_bus.hours_above > 0)].iterrows():
        k = net.bus.index.get_loc(b)
        if row.hours_below:
            t = int(np.nanargmin(vm[k]))
            out.append(
                f"Bus {row['name']!r} ({row.vn_kv:g} kV) is below {limits.v_min_pu:g} pu in {row.hours_below} h "
                f"(lowest {row.vm_min_pu:.4f} pu at {_fmt_t(index, t)})."
            )
        if row.hours_above:
            t = int(np.nanargmax(vm[k]))
            out.append(
                f"Bus {row['name']!r} ({row.vn_kv:g} kV) is above {limits.v_max_pu:g} pu in {row.hours_above} h "
                f"(highest {row.vm_max_pu:.4f} pu at {_fmt_t(index, t)})."
            )
    return out


def _branch_findings(index, limits: NetworkLimits, res_line, line_loading, res_trafo, trafo_loading) -> list[str]:
    """One finding per line or transformer with hours above the loading limit."""
    out = []
    for kind, res, arr in (("Line", res_line, line_loading), ("Transformer", res_trafo, trafo_loading)):
        for k in np.flatnonzero(res.hours_overloaded.to_numpy() > 0):
            row = res.iloc[k]
            t = int(np.nanargmax(arr[k]))
            out.append(
                f"{kind} {row['name']!r} is loaded above {limits.loading_max_percent:g} % in "
                f"{row.hours_overloaded} h (highest {row.loading_max_percent:.1f} % at {_fmt_t(index, t)})."
            )
    return out


def _reverse_flow_findings(index, reverse: int, substation, res_ext_grid, hourly_grid) -> list[str]:
    """Reverse flow of the park as a whole and, with several grid connections, at each one."""
    out = []
    several = len(res_ext_grid) > 1
    if reverse:
        t = int(np.nanargmax(substation.export_mw.to_numpy()))
        where = f"the park's {len(res_ext_grid)} grid connections together" if several else "the substation"
        out.append(
            f"Reverse flow at {where} in {reverse} h, {substation.export_mw.sum():.1f} MWh exported "
            f"(highest {substation.export_mw.iat[t]:.2f} MW at {_fmt_t(index, t)})."
        )
    if several:  # reverse flow through one substation matters to its protection, whatever the others carry
        for e, row in res_ext_grid.iterrows():
            if row.reverse_flow_hours:
                t = int(np.nanargmax(hourly_grid["export_mw"][e].to_numpy()))
                out.append(
                    f"Reverse flow at grid connection {row['name']!r} (bus {row.bus}) in "
                    f"{row.reverse_flow_hours} h, {row.export_e_mwh:.1f} MWh exported "
                    f"(highest {row.export_max_mw:.2f} MW at {_fmt_t(index, t)})."
                )
    return out
