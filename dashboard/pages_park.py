"""Park page: the tenant table with verdicts, the network diagram, the worst hours."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
from dash import Input, Output, dash_table, dcc, html

from lingtan.dashboard.ui import FONT, Context, card, empty
from lingtan.twin.reports.html import PLOT_CONFIG, _layout


def layout(c: Context) -> html.Div:
    return html.Div(
        id="page-park",
        className="page",
        children=[
            html.H2("Park", id="park-title"),
            html.Div(id="park-empty"),
            html.Div(
                id="park-body",
                style={"display": "none"},
                children=[
                    card(html.Div(id="park-tenants"), title="Tenants and their verdicts"),
                    card(
                        dcc.Loading(dcc.Graph(id="fig-network", config=PLOT_CONFIG), type="dot"),
                        html.Div(id="network-note", className="meta"),
                        title="Park network: worst loading and voltage",
                    ),
                    card(html.Div(id="park-worst"), title="Worst hours"),
                ],
            ),
        ],
    )


# --------------------------------------------------------------------------- tenants


def tenant_rows(result) -> list[dict]:
    t = result.tenant_table
    rows = []
    for name, r in t.iterrows():
        vds = result.tenant_verdicts.get(name, [])
        passed = [v for v in vds if v.get("passed")]
        failed = [
            v["criterion_id"].split(".", 1)[-1] + f" ({v['pack'].split('_')[0]})"
            for v in vds
            if v.get("passed") is False
        ]
        rows.append(
            {
                "tenant": name,
                "consumption_mwh": round(float(r.get("consumption_e_kwh", float("nan"))) / 1000, 1),
                "re_share": f"{100 * float(r.get('re_share', float('nan'))):.1f} %",
                "re_share_gp": (
                    f"{100 * float(r['re_share_with_green_power']):.1f} %" if "re_share_with_green_power" in r else ""
                ),
                "own_re_mwh": round(float(r.get("own_re_consumed_e_kwh", 0)) / 1000, 1),
                "park_re_mwh": round(float(r.get("park_re_allocated_e_kwh", 0)) / 1000, 1),
                "verdicts": "–" if not vds else f"{len(passed)} of {len(vds)} pass",
                "failed": ", ".join(failed),
                "state": "" if not vds else ("fail" if failed else "pass"),
            }
        )
    return rows


TENANT_COLUMNS = [
    ("tenant", "Tenant"),
    ("consumption_mwh", "Consumption [MWh]"),
    ("own_re_mwh", "Own RE [MWh]"),
    ("park_re_mwh", "Park RE allocated [MWh]"),
    ("re_share", "RE share"),
    ("re_share_gp", "RE share incl. green power"),
    ("verdicts", "Verdicts"),
    ("failed", "Failed"),
]


def tenant_table(rows) -> dash_table.DataTable:
    return dash_table.DataTable(
        id="tenant-table",
        data=rows,
        columns=[{"name": n, "id": i} for i, n in TENANT_COLUMNS],
        sort_action="native",
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "padding": "6px 8px",
            "fontSize": "12.5px",
            "fontFamily": FONT,
            "whiteSpace": "normal",
            "height": "auto",
        },
        style_header={"fontWeight": "700", "background": "#f4f6f9"},
        style_data_conditional=[
            {
                "if": {"filter_query": '{state} = "pass"', "column_id": "verdicts"},
                "color": "#1e8449",
                "fontWeight": "700",
            },
            {
                "if": {"filter_query": '{state} = "fail"', "column_id": "verdicts"},
                "color": "#c0392b",
                "fontWeight": "700",
            },
            {
                "if": {"filter_query": '{tenant} = "park" || {tenant} = "park_common"'},
                "background": "#f6f8fb",
                "fontStyle": "italic",
            },
        ],
    )


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
        text.append(f"{r['name']}" + (f"<br><i>{', '.join(who)}</i>" if who else ""))
        hover.append(
            f"<b>{r['name']}</b> ({r['vn_kv']:g} kV)<br>v min {vmin:.4f} pu, v max {vmax:.4f} pu"
            + (f"<br>{', '.join(who)}" if who else "")
        )
    lim = park.network.limits
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=text,
            textposition="middle right",
            textfont=dict(size=11),
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
    for txt, color in (("< 50 %", "#27ae60"), ("50–80 %", "#f1c40f"), ("80–100 %", "#e67e22"), ("≥ 100 %", "#c0392b")):
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=color, width=6), name=f"loading {txt}")
        )
    n_rows = max(1, len({round(y, 3) for y in ys}))
    _layout(fig, max(420, 46 * n_rows), hovermode="closest", xaxis=dict(visible=False), yaxis=dict(visible=False))
    fig.update_layout(
        margin=dict(l=20, r=20, t=50, b=20),
        meta={
            "limits": f"{getattr(lim, 'v_min_pu', '')}–{getattr(lim, 'v_max_pu', '')} pu, "
            f"loading {getattr(lim, 'loading_max_percent', 100)} %"
        },
    )
    return fig


def worst_block(nres) -> list:
    wh = nres.worst_hours.copy()
    for col in wh.columns:
        if str(wh[col].dtype).startswith("datetime"):
            wh[col] = wh[col].dt.strftime("%Y-%m-%d %H:%M")
    wh = wh.astype(object).where(wh.notna(), "")
    for col in wh.columns:
        wh[col] = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in wh[col]]
    table = dash_table.DataTable(
        id="worst-table",
        data=wh.to_dict("records"),
        columns=[{"name": c, "id": c} for c in wh.columns],
        style_cell={"textAlign": "left", "padding": "6px 8px", "fontSize": "12.5px", "fontFamily": FONT},
        style_header={"fontWeight": "700", "background": "#f4f6f9"},
        style_table={"overflowX": "auto"},
    )
    findings = nres.violations or ["No limit is exceeded in any hour."]
    return [
        table,
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
    res = c.manager.result(run_store.get("run_id")) if run_store else None
    if res is None or res[0] != "park":
        out["empty"] = card(
            empty(
                "Run a park scenario (a file with tenants, e.g. anhui-park.yaml) to see its tenants and network here."
            )
        )
        return out
    result = res[1]
    out.update(title=f"Park · {result.park.name}", style={})
    out["tenants"] = tenant_table(tenant_rows(result))
    if result.network is None:
        out["note"] = "This park has no network section."
        out["worst"] = empty("No network: no power flow.")
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
