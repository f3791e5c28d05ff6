"""The park's HTML report: park KPIs, the tenant table, the network's one-line diagram, worst hours, verdicts.

The one-line diagram is laid out from the network's own topology (the result
tables' lines and transformers), so it serves a network written in the scenario
and a pandapower JSON network alike: the grid connection on the left, each
feeder a branch of a tidy tree to the right. Lines are coloured by their worst
loading of the year, buses by their worst voltage deviation against the limits.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lingtan.twin.reports.bill import bill_block
from lingtan.twin.reports.html import (
    _criteria_block,
    _esc,
    _fig_html,
    _layout,
    _packs_block,
    economics_block,
    odds_section,
    page,
    uncertainty_block,
    write_page,
)
from lingtan.twin.reports.i18n import label
from lingtan.twin.reports.summary import _pct_text

if TYPE_CHECKING:
    from lingtan.twin.network import NetworkResult, SubstationLimitResult
    from lingtan.twin.reports.tornado import UncertaintyResult
    from lingtan.twin.studies.ensemble import EnsembleResult
    from lingtan.twin.studies.park import ParkResult


def _tree_layout(res_bus: pd.DataFrame, edges: list[tuple[int, int]]) -> dict[int, tuple[float, float]]:
    """Positions of buses: depth from the highest-voltage bus on x, leaves spread on y (a tidy tree)."""
    adj: defaultdict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    root = int(res_bus["vn_kv"].astype(float).idxmax())
    pos: dict[int, tuple[float, float]] = {}
    next_y = [0.0]

    def place(node: int, parent: int | None, depth: int) -> float:
        children = [c for c in adj[node] if c != parent and c not in pos]
        pos[node] = (depth, 0.0)
        if not children:
            y = next_y[0]
            next_y[0] += 1.0
        else:
            y = float(np.mean([place(c, node, depth + 1) for c in children]))
        pos[node] = (depth, -y)
        return y

    place(root, None, 0)
    for bus in res_bus.index:  # anything not connected to the root (should not happen) goes below
        if bus not in pos:
            pos[int(bus)] = (0, -next_y[0])
            next_y[0] += 1.0
    return pos


def _colour(value: float, lo: float, hi: float) -> str:
    """Green at ``lo`` through amber to red at ``hi`` and above."""
    x = 0.0 if not np.isfinite(value) else min(max((value - lo) / (hi - lo), 0.0), 1.0)
    r, g = (int(255 * min(1, 2 * x)), int(200 * min(1, 2 * (1 - x))))
    return f"rgb({r},{g},60)"


def network_figure(network: NetworkResult, lang: str = "en") -> go.Figure:
    """One-line diagram of the park network coloured by worst loading (branches) and voltage (buses).

    Parameters
    ----------
    network : lingtan.twin.network.NetworkResult
        The year's power-flow results: ``res_bus`` (worst voltages [pu], hours outside the limits),
        ``res_line`` and ``res_trafo`` (worst loading [%], hours overloaded) and the ``limits``.
    lang : {"en", "zh"}
        Language of the title.

    Returns
    -------
    plotly.graph_objects.Figure
        Branches coloured green to red from 50 % to the loading limit [%], buses by their worst voltage
        deviation from half the allowed band to all of it [pu].
    """
    bus, line, trafo = network.res_bus, network.res_line, network.res_trafo
    edges = [(int(r.from_bus), int(r.to_bus)) for r in line.itertuples()] + [
        (int(r.hv_bus), int(r.lv_bus)) for r in trafo.itertuples()
    ]
    pos = _tree_layout(bus, edges)
    lim = network.limits
    fig = go.Figure()
    for table, a, b, kind in ((line, "from_bus", "to_bus", "line"), (trafo, "hv_bus", "lv_bus", "transformer")):
        for r in table.itertuples():
            (x0, y0), (x1, y1) = pos[int(getattr(r, a))], pos[int(getattr(r, b))]
            load = float(r.loading_max_percent)
            fig.add_trace(
                go.Scatter(
                    x=[x0, (x0 + x1) / 2, x1],
                    y=[y0, (y0 + y1) / 2, y1],
                    mode="lines",
                    line=dict(
                        color=_colour(load, 50, lim.loading_max_percent),
                        width=6 if kind == "line" else 3,
                        dash="solid" if kind == "line" else "dot",
                    ),
                    hoverinfo="text",
                    showlegend=False,
                    text=f"{_esc(r.name)} ({kind}): worst loading {load:.1f} %, {int(r.hours_overloaded)} h above "
                    f"{lim.loading_max_percent:g} %",
                )
            )
    dev = np.maximum(bus["vm_max_pu"] - 1.0, 1.0 - bus["vm_min_pu"]).astype(float)
    span = max(lim.v_max_pu - 1.0, 1.0 - lim.v_min_pu)
    fig.add_trace(
        go.Scatter(
            x=[pos[int(i)][0] for i in bus.index],
            y=[pos[int(i)][1] for i in bus.index],
            mode="markers+text",
            marker=dict(size=14, color=[_colour(d, span / 2, span) for d in dev], line=dict(color="#333", width=1)),
            text=[str(n) for n in bus["name"]],
            textposition="top center",
            textfont=dict(size=10),
            showlegend=False,
            hovertext=[
                f"{n}: {lo:.4f}-{hi:.4f} pu, {int(b_)} h below / {int(a_)} h above the limits"
                for n, lo, hi, b_, a_ in zip(
                    bus["name"], bus["vm_min_pu"], bus["vm_max_pu"], bus["hours_below"], bus["hours_above"], strict=True
                )
            ],
            hoverinfo="text",
        )
    )
    _layout(
        fig,
        120 + 42 * (1 + max(-y for _, y in pos.values())),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        title=label("network_diagram_title", lang),
    )
    return fig


def _table(frame: pd.DataFrame, formats: dict[Any, str]) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in [frame.index.name or ""] + list(frame.columns))
    rows = []
    for idx, r in frame.iterrows():
        cells = "".join(
            (f"<td>{format(r[c], formats.get(c, ''))}</td>" if np.isfinite(r[c]) else "<td>–</td>")  # no "nan"
            if isinstance(r[c], (int, float, np.number))
            else f"<td>{_esc(r[c])}</td>"
            for c in frame.columns
        )
        rows.append(f"<tr><td>{_esc(idx)}</td>{cells}</tr>")
    return f"<table class='crit'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def build_park_html(
    result: ParkResult,
    lang: str = "en",
    economics: dict[str, Any] | None = None,
    ensemble: EnsembleResult | None = None,
    uncertainty: UncertaintyResult | None = None,
) -> str:
    """The park report as one HTML string.

    Parameters
    ----------
    result : lingtan.twin.studies.park.ParkResult
        The simulated park.
    lang : {"en", "zh"}
        Language of the labels.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the park: adds the economics section.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``: adds the odds section.
    uncertainty : lingtan.twin.reports.tornado.UncertaintyResult, optional
        The park's uncertainty ensemble around ``result``: adds its section and tornado.

    Returns
    -------
    str
        The page: park shares [%], the tenant table [MWh, %], the network diagram and worst hours, the packs
        and criteria, the economics.
    """
    k = result.kpis
    t = result.tenant_table.copy()
    t.index.name = label("tenant", lang)
    shown = t[["consumption_e_kwh", "own_re_consumed_e_kwh", "park_re_allocated_e_kwh", "re_share"]].assign(
        consumption_e_kwh=lambda d: d.consumption_e_kwh / 1e3,
        own_re_consumed_e_kwh=lambda d: d.own_re_consumed_e_kwh / 1e3,
        park_re_allocated_e_kwh=lambda d: d.park_re_allocated_e_kwh / 1e3,
        re_share=lambda d: (d.re_share * 100).where(d.index != "park_common"),
    )
    shown.columns = [
        "consumption [MWh]",
        "own renewables [MWh]",
        "park renewables allocated [MWh]",
        "renewable share [%]",
    ]
    green = result.accounting.kpis.re_electricity_share_with_green_power if result.accounting is not None else None
    summary = (
        f"<p>{_esc(label('park_re_share', lang))}: <b>{k['re_electricity_share_onsite'] * 100:.1f} %</b>"
        + (f" ({_esc(label('with_green_power', lang))}: <b>{green * 100:.1f} %</b>)" if green is not None else "")
        + "; "
        f"{_esc(label('waste_heat_recovery_rate', lang))}: "
        f"<b>{_pct_text(k['heat']['waste_heat_recovery_rate'])}</b>; "
        f"{_esc(label('allocation_rule', lang))}: {_esc(result.park.allocation.rule)}; "
        f"{_esc(label('reconciliation', lang))}: {k['reconciliation_residual_e_kwh']:.1e} kWh</p>"
    )
    sections = [("section_summary", summary), ("section_tenants", _table(shown, {c: ",.1f" for c in shown.columns}))]
    if result.network is not None:
        n = cast("NetworkResult", result.network)
        limits = cast("SubstationLimitResult", result.substation_limits)
        findings = (
            "".join(f"<li>{_esc(v)}</li>" for v in n.violations + limits.findings)
            or f"<li>{_esc(label('no_violations', lang))}</li>"
        )
        worst = n.worst_hours[["quantity", "timestamp", "element_name", "value"]].set_index("quantity")
        sections.append(
            (
                "section_network",
                _fig_html(network_figure(n, lang), "fig-network")
                + f"<ul>{findings}</ul>"
                + _table(worst.astype({"timestamp": str}), {"value": ".4g"}),
            )
        )
    bill = bill_block(k, lang)
    if bill is not None:
        sections.append(("section_bill", bill))
    if result.verdicts:
        sections.append(("section_packs", _packs_block(result, lang)))
        sections.append(("section_criteria", _criteria_block(result, lang)))
    if ensemble is not None:
        sections.append(odds_section(ensemble, lang))
    if uncertainty is not None:
        heading = label("section_uncertainty", lang).format(n=len(uncertainty.members))
        sections.append(("section_uncertainty", uncertainty_block(uncertainty, lang), heading))
    if economics is not None:
        sections.append(("section_economics", economics_block(economics, lang)))
    return page(f"{result.park.name} – {result.park.year}", sections, lang)


def write_park_html(
    result: ParkResult,
    path: str | Path,
    lang: str = "en",
    economics: dict[str, Any] | None = None,
    ensemble: EnsembleResult | None = None,
    uncertainty: UncertaintyResult | None = None,
) -> Path:
    """Write the park report to one self-contained HTML file, atomically.

    Parameters
    ----------
    result : lingtan.twin.studies.park.ParkResult
        The simulated park.
    path : str or Path
        The file to write; its folder must exist.
    lang : {"en", "zh"}
        Language of the labels.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the park.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``: adds the odds section.
    uncertainty : lingtan.twin.reports.tornado.UncertaintyResult, optional
        The park's uncertainty ensemble around ``result``: adds its section and tornado.

    Returns
    -------
    Path
        ``path``.
    """
    return write_page(build_park_html(result, lang, economics, ensemble, uncertainty), path)
