"""Park page: the tenant table with verdicts, the network diagram, the worst hours."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from lingtan.dashboard.lang import current_lang
from lingtan.dashboard.pages_results import verdict_state
from lingtan.dashboard.ui import Context, card, empty, table
from lingtan.twin.reports.html import PLOT_CONFIG, _layout, _num
from lingtan.twin.reports.i18n import label, pack_label
from lingtan.twin.reports.summary import criterion_name


def layout(c: Context) -> html.Div:
    lang = current_lang()
    return html.Div(
        id="page-park",
        className="page",
        children=[
            html.H2(label("nav_page-park", lang), id="park-title"),
            html.Div(id="park-empty"),
            html.Div(
                id="park-body",
                style={"display": "none"},
                children=[
                    card(html.Div(id="park-tenants"), title=label("park_tenants_card", lang)),
                    card(
                        dcc.Loading(dcc.Graph(id="fig-network", config=PLOT_CONFIG, responsive=True), type="dot"),
                        html.Div(id="network-note", className="meta"),
                        title=label("park_network_card", lang),
                    ),
                    card(html.Div(id="park-worst"), title=label("park_worst_card", lang)),
                ],
            ),
        ],
    )


# --------------------------------------------------------------------------- tenants


def _mwh(row, key: str) -> str:
    v = row.get(key)
    return f"{float(v) / 1000:,.1f}" if _num(v) else "–"


def _share(row, key: str) -> str:
    v = row.get(key)
    return f"{100 * float(v):.1f} %" if _num(v) else "–"


def _pack_word(pack: str, lang: str) -> str:
    """A pack in a narrow cell: the first word of its id in English ("anhui"), its province in Chinese ("安徽")."""
    return pack.split("_")[0] if lang == "en" else pack_label(pack, lang, short=True)


def tenant_rows(result, lang: str = "en") -> list[dict]:
    """One row per tenant, then the park and its common part: energy [MWh], shares [%] and verdicts. The
    common part (shared assets, the central battery, losses) is a bookkeeping row: it has no share of its own,
    as in ``twin run``'s tenant table."""
    rows = []
    for name, r in result.tenant_table.iterrows():
        vds = result.tenant_verdicts.get(name, [])
        states = [verdict_state(v) for v in vds]
        short = [f"{criterion_name(v, lang)} ({_pack_word(v['pack'], lang)}" for v in vds]
        failed = [
            f"{n})" if st == "fail" else f"{n}, {label('verdict_' + v['status'], lang)})"
            for n, st, v in zip(short, states, vds, strict=True)
            if st != "pass"
        ]
        passed = states.count("pass")
        state = "" if not vds else ("fail" if "fail" in states else ("pass" if passed == len(vds) else "info"))
        common = name == "park_common"
        rows.append(
            {
                "tenant": label(f"park_row_{name}", lang) if name in ("park", "park_common") else name,
                "consumption_mwh": _mwh(r, "consumption_e_kwh"),
                "own_re_mwh": _mwh(r, "own_re_consumed_e_kwh"),
                "park_re_mwh": _mwh(r, "park_re_allocated_e_kwh"),
                "re_share": "–" if common else _share(r, "re_share"),
                "re_share_gp": "–" if common else _share(r, "re_share_with_green_power"),
                "verdicts": "–" if not vds else f"{passed} / {len(vds)} {label('pass', lang)}",
                "failed": ", ".join(failed),
                "_class": {"verdicts": state},
                "_title": {"re_share": label("park_common_share", lang)} if common else {},
                "_row_class": "sum" if name in ("park", "park_common") else None,
            }
        )
    return rows


TENANT_COLUMNS = [
    "tenant",
    "consumption_mwh",
    "own_re_mwh",
    "park_re_mwh",
    "re_share",
    "re_share_gp",
    "verdicts",
    "failed",
]
"""The tenant table's columns; their headings are the labels ``park_col_<column>``."""


def tenant_table(rows, lang: str = "en") -> html.Div:
    return table("tenant-table", rows, [(k, label(f"park_col_{k}", lang)) for k in TENANT_COLUMNS])


# --------------------------------------------------------------------------- network diagram


def radial_layout(n_bus: list[int], edges: list[tuple[int, int]], root: int) -> dict[int, tuple[float, float]]:
    """Positions of a radial network: depth from the slack to the right, feeders stacked downwards."""
    adj = defaultdict(list)
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    children, depth, seen = defaultdict(list), {root: 0}, {root}
    order = [root]
    for u in order:
        for v in sorted(adj[u]):
            if v not in seen:
                seen.add(v)
                depth[v] = depth[u] + 1
                children[u].append(v)
                order.append(v)
    pos: dict[int, tuple[float, float]] = {}
    row = [0.0]

    def place(u):
        if not children[u]:
            pos[u] = (depth[u], -row[0])
            row[0] += 1
            return
        for v in children[u]:
            place(v)
        ys = [pos[v][1] for v in children[u]]
        pos[u] = (depth[u], (max(ys) + min(ys)) / 2)

    place(root)
    for b in n_bus:  # islanded buses, if any: below the rest
        if b not in pos:
            pos[b] = (0, -row[0])
            row[0] += 1
    return pos


def _geo(net) -> dict[int, tuple[float, float]] | None:
    import json

    if "geo" in net.bus.columns and net.bus["geo"].notna().all():
        try:
            return {i: tuple(json.loads(g)["coordinates"][:2]) for i, g in net.bus["geo"].items()}
        except Exception:  # noqa: BLE001 - fall back to the drawn layout
            return None
    gd = getattr(net, "bus_geodata", None)
    if gd is not None and len(gd) == len(net.bus):
        return {i: (float(r["x"]), float(r["y"])) for i, r in gd.iterrows()}
    return None


def _loading_color(pct: float) -> str:
    if not np.isfinite(pct):
        return "#9aa5b1"
    if pct >= 100:
        return "#c0392b"
    if pct >= 80:
        return "#e67e22"
    if pct >= 50:
        return "#f1c40f"
    return "#27ae60"


def network_figure(park, nres, base_dir) -> go.Figure:
    """The park network: branches coloured by their worst loading, buses by their worst voltage deviation."""
    from lingtan.twin.network import build_net

    net = build_net(park.network, base_dir)
    edges = [(int(r.from_bus), int(r.to_bus), "line", i) for i, r in net.line.iterrows()] + [
        (int(r.hv_bus), int(r.lv_bus), "trafo", i) for i, r in net.trafo.iterrows()
    ]
    root = int(net.ext_grid.bus.iloc[0])
    pos = _geo(net) or radial_layout(list(net.bus.index), [(a, b) for a, b, _, _ in edges], root)
    fig = go.Figure()
    for a, b, kind, i in edges:
        table = nres.res_line if kind == "line" else nres.res_trafo
        pct = float(table.loc[i, "loading_max_percent"]) if i in table.index else math.nan
        name = str(table.loc[i, "name"]) if i in table.index else f"{kind} {i}"
        (x0, y0), (x1, y1) = pos[a], pos[b]
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                showlegend=False,
                line=dict(
                    color=_loading_color(pct),
                    width=6 if kind == "line" else 3,
                    dash="solid" if kind == "line" else "dot",
                ),
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[(x0 + x1) / 2],
                y=[(y0 + y1) / 2],
                mode="markers",
                showlegend=False,
                marker=dict(
                    size=10, color=_loading_color(pct), symbol="diamond" if kind == "trafo" else "circle", opacity=0.9
                ),
                hovertemplate=f"{kind} <b>{name}</b><br>max loading {pct:.1f} %<extra></extra>",
            )
        )
    rb = nres.res_bus
    at_bus = defaultdict(list)
    for who, conn in park.network.connections.items():
        at_bus[str(conn.bus)].append(who)
    xs, ys, dev, text, hover = [], [], [], [], []
    for i, r in net.bus.iterrows():
        x, y = pos[i]
        vmin = float(rb.loc[i, "vm_min_pu"]) if i in rb.index else math.nan
        vmax = float(rb.loc[i, "vm_max_pu"]) if i in rb.index else math.nan
        d = max(abs(vmax - 1), abs(1 - vmin)) if np.isfinite(vmin) else math.nan
        xs.append(x), ys.append(y), dev.append(100 * d)
        who = at_bus.get(str(r["name"]), [])
        text.append(f"{r['name']}" + (f" · <i>{', '.join(who)}</i>" if who else ""))
        hover.append(
            f"<b>{r['name']}</b> ({r['vn_kv']:g} kV)<br>v min {vmin:.4f} pu, v max {vmax:.4f} pu"
            + (f"<br>{', '.join(who)}" if who else "")
        )
    lim = park.network.limits
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
            marker=dict(
                size=16,
                color=dev,
                cmin=0,
                cmax=max(10.0, max([d for d in dev if np.isfinite(d)] or [0])),
                colorscale=[[0, "#2e86c1"], [0.5, "#f4d03f"], [1, "#c0392b"]],
                line=dict(width=1, color="#333"),
                colorbar=dict(title="worst |ΔV| [%]", thickness=12, len=0.6),
            ),
        )
    )
    # One-line labels on a white ground, above the buses of every other column and below those between, so that
    # neighbours in a row never share a side and no branch or marker runs through a label.
    columns = sorted({round(x, 6) for x in xs})
    for x, y, t in zip(xs, ys, text, strict=True):
        above = columns.index(round(x, 6)) % 2 == 0
        fig.add_annotation(
            x=x,
            y=y,
            text=t,
            showarrow=False,
            yanchor="bottom" if above else "top",
            yshift=10 if above else -10,
            font=dict(size=10.5),
            bgcolor="rgba(255,255,255,0.9)",
            borderpad=1,
        )
    for txt, color in (("< 50 %", "#27ae60"), ("50–80 %", "#f1c40f"), ("80–100 %", "#e67e22"), ("≥ 100 %", "#c0392b")):
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=color, width=6), name=f"loading {txt}")
        )
    n_rows = max(1, len({round(y, 3) for y in ys}))
    # Room for the labels: half a column beyond the outer buses, a row above and below.
    dx = (max(xs) - min(xs)) / max(1, len(columns) - 1) / 2 or 0.5
    dy = (max(ys) - min(ys)) / max(1, n_rows - 1) or 0.5
    _layout(
        fig,
        max(420, 56 * n_rows),
        hovermode="closest",
        xaxis=dict(visible=False, range=[min(xs) - dx, max(xs) + dx]),
        yaxis=dict(visible=False, range=[min(ys) - dy, max(ys) + dy]),
    )
    fig.update_layout(
        margin=dict(l=20, r=20, t=50, b=20),
        meta={
            "limits": f"{getattr(lim, 'v_min_pu', '')}–{getattr(lim, 'v_max_pu', '')} pu, "
            f"loading {getattr(lim, 'loading_max_percent', 100)} %"
        },
    )
    return fig


def worst_block(nres) -> list:
    """The worst hours of the year (one row per quantity) and the findings."""
    wh = nres.worst_hours
    rows = [
        {
            c: (
                r[c].strftime("%Y-%m-%d %H:%M")
                if isinstance(r[c], pd.Timestamp)
                else (f"{r[c]:.4g}" if _num(r[c]) else ("–" if r[c] is None or r[c] != r[c] else str(r[c])))
            )
            for c in wh.columns
        }
        for _, r in wh.iterrows()
    ]
    findings = nres.violations or ["No limit is exceeded in any hour."]
    return [
        table("worst-table", rows, [(c, c) for c in wh.columns]),
        html.H4("Findings", style={"margin": "16px 0 6px"}),
        html.Ul([html.Li(v) for v in findings], className="findings"),
    ]


def render(c: Context, run_store) -> dict:
    out = {
        "title": "Park",
        "empty": None,
        "style": {"display": "none"},
        "tenants": None,
        "network": {},
        "network_style": {"height": "420px"},
        "note": None,
        "worst": None,
    }
    lang = current_lang()  # the reader's choice, not the scenario's lang
    res = c.manager.result(run_store.get("run_id")) if run_store else None
    if res is None or res[0] != "park":
        out["empty"] = card(empty(label("park_empty", lang)))
        return out
    result = res[1]
    out.update(title=f"{label('nav_page-park', lang)} · {result.park.name}", style={})
    out["tenants"] = tenant_table(tenant_rows(result, lang), lang)
    if result.network is None:
        out["note"] = label("park_no_network", lang)
        out["worst"] = empty(label("park_no_flow", lang))
        return out
    try:
        fig = network_figure(result.park, result.network, c.scenarios_dir)
        out["network"], out["network_style"] = fig, {"height": f"{fig.layout.height}px"}
        out["note"] = (
            "Branches: worst hourly loading of the year (lines solid, transformers dotted); "
            "buses: worst voltage deviation from 1 pu. Hover for values. Limits: "
            f"{fig.layout.meta['limits']}."
        )
    except Exception as err:  # noqa: BLE001
        out["note"] = f"The network diagram could not be drawn: {err}"
    out["worst"] = worst_block(result.network)
    return out


def register(app, c: Context) -> None:
    @app.callback(
        Output("park-title", "children"),
        Output("park-empty", "children"),
        Output("park-body", "style"),
        Output("park-tenants", "children"),
        Output("fig-network", "figure"),
        Output("fig-network", "style"),
        Output("network-note", "children"),
        Output("park-worst", "children"),
        Input("run-store", "data"),
    )
    def _render(run_store):
        o = render(c, run_store)
        return o["title"], o["empty"], o["style"], o["tenants"], o["network"], o["network_style"], o["note"], o["worst"]
