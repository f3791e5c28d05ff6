"""Meters page: a plant's measured year (``twin assess --project``): the year to date against its criterion and
where the year ends, measured against simulated energy by month, the data-quality findings and the measured
verdicts with their completeness. It reads the ``*.assess.json`` files under the results folder."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from lingtan.dashboard.ui import Context, card, empty, table
from lingtan.twin.reports.html import PLOT_CONFIG, _layout

JSON_GLOB = "*.assess.json"


def layout(c: Context) -> html.Div:
    return html.Div(
        id="page-meters",
        className="page",
        children=[
            html.H2("Meters"),
            dcc.Dropdown(id="meters-file", placeholder="an assessment (twin assess ... --project --json FILE)"),
            html.Div(id="meters-empty"),
            html.Div(
                id="meters-body",
                style={"display": "none"},
                children=[
                    card(
                        html.Div(id="ytd-text", className="meta"),
                        dcc.Graph(id="fig-ytd", config=PLOT_CONFIG, style={"height": "400px"}),
                        title="Year to date and year end",
                    ),
                    card(
                        dcc.Graph(id="fig-compare", config=PLOT_CONFIG, style={"height": "400px"}),
                        title="Measured against simulated",
                    ),
                    card(html.Div(id="meters-quality"), title="Data quality"),
                    card(html.Div(id="meters-verdicts"), title="Verdicts from meters"),
                ],
            ),
        ],
    )


def assessments(results_dir: Path) -> list[Path]:
    """The assessments ``twin assess`` wrote under the results folder, newest first."""
    return sorted(results_dir.rglob(JSON_GLOB), key=lambda p: p.stat().st_mtime, reverse=True)


def pct(v) -> str:
    return "–" if v is None or v != v else f"{100 * v:.1f} %"


def fmt(v, unit: str) -> str:
    """A share in per cent, anything else in its unit."""
    return pct(v) if unit in ("", "-", "fraction") else f"{v:.4g} {unit}"


def headline(cid: str, c: dict) -> str:
    """``37.9 % so far; year-end P50 39.2 %, 31 % chance of reaching 40 %`` for one criterion."""
    if "value_p50" not in c and c["so_far_status"] == "not assessable":
        return f"{cid}: not assessable from meters (needs {' and '.join(c['needs'])} meters)"
    if "value_p50" not in c:
        return f"{cid}: {c['so_far_status']} so far; the year end passes in {100 * c['p_pass']:.0f} % of weather years"
    u = c["unit"]
    return (
        f"{cid}: {fmt(c['so_far'], u)} so far; year-end P50 {fmt(c['value_p50'], u)}, "
        f"{100 * c['p_pass']:.0f} % chance of reaching {fmt(c['threshold'], u)}"
    )


def ytd_figure(data: dict) -> tuple[go.Figure, str]:
    """The year to date of the renewable-electricity criterion (else the first with a year end), its threshold
    and the year end."""
    proj = data["projection"]
    ranked = sorted(
        ((k, v) for k, v in proj["criteria"].items() if "value_p50" in v), key=lambda kv: kv[1]["needs"] != ["electric"]
    )
    cid, c = ranked[0] if ranked else (None, None)
    fig = go.Figure()
    if cid is None:
        return _layout(fig, 360), "no criterion read from meters has a year-end value"
    track = [row for row in proj["track"] if row.get(cid) is not None]
    x = [row["end_utc"][:10] for row in track]
    fig.add_scatter(x=x, y=[100 * row[cid] for row in track], mode="lines+markers", name="measured, year to date")
    year_end = f"{x[-1][:4]}-12-31" if x else None
    fig.add_scatter(
        x=[year_end],
        y=[100 * c["value_p50"]],
        error_y=dict(
            type="data",
            symmetric=False,
            array=[0.0],
            arrayminus=[100 * (c["value_p50"] - c["value_p90"])],
        ),
        mode="markers",
        marker=dict(size=12, symbol="diamond"),
        name=f"year end P50, bar down to P90 ({c['members']} weather years)",
    )
    fig.add_hline(y=100 * c["threshold"], line_dash="dash", annotation_text=f"threshold {pct(c['threshold'])}")
    _layout(fig, 380, yaxis_title=f"{cid.split('.', 1)[-1]} [%]")
    return fig, headline(cid, c)


def compare_figure(data: dict) -> go.Figure:
    """Measured and simulated energy of each meter over the measured months."""
    rows = data["projection"]["compare"]
    meters = sorted({r["meter_id"] for r in rows})
    fig = go.Figure()
    for kind, name in (("measured_e_kwh", "measured"), ("simulated_e_kwh", "simulated (typical year)")):
        fig.add_bar(
            x=[f"{r['meter_id']} {r['month']}" for r in rows],
            y=[r[kind] / 1e3 for r in rows],
            name=name,
        )
    _layout(fig, 380, barmode="group", yaxis_title="energy [MWh]", xaxis_title=f"{len(meters)} meters by month")
    return fig


def quality_block(data: dict) -> list:
    q = data["quality"]
    findings = [
        {k: (f"{v:.2f}" if k == "hours" else v) for k, v in f.items() if k != "detail"} | {"detail": f["detail"]}
        for f in q["findings"]
    ]
    cols = ["meter_id", "kind", "start_ts", "end_ts", "hours", "detail"]
    done = data["measured"]["completeness"]
    return [
        html.Div(
            "completeness of the meter groups (real readings in every hour): "
            + ", ".join(f"{g} {pct(v)}" for g, v in done.items())
            + f"; a measured verdict needs {pct(data['measured']['completeness_limit'])}",
            id="meters-completeness",
            className="meta",
        ),
        html.Div(f"{len(findings)} findings (times in UTC)", className="meta"),
        table("findings-table", findings, [(n, n) for n in cols]),  # scrolls inside its box (.tbl-wrap)
    ]


def verdict_table(data: dict) -> html.Div:
    rows = [
        {
            "criterion": v["criterion_id"],
            "status": v["status"],
            "value": fmt(v["value"], v["unit"]) if isinstance(v["value"], float) else str(v["value"]),
            "threshold": fmt(v["threshold"], v["unit"]) if isinstance(v["threshold"], float) else str(v["threshold"]),
            "completeness": pct(v["completeness"]),
        }
        for v in data["measured"]["verdicts"]
        if v["input"] == "measured"
    ]
    cols = ("criterion", "status", "value", "threshold", "completeness")
    return table("meters-verdict-table", rows, [(n, n) for n in cols])


def register(app, c: Context) -> None:
    @app.callback(Output("meters-file", "options"), Output("meters-file", "value"), Input("url", "pathname"))
    def _files(path):
        found = [str(p.relative_to(c.results_dir)) for p in assessments(c.results_dir)]
        return found, (found[0] if found else None)

    @app.callback(
        Output("meters-empty", "children"),
        Output("meters-body", "style"),
        Output("ytd-text", "children"),
        Output("fig-ytd", "figure"),
        Output("fig-compare", "figure"),
        Output("meters-quality", "children"),
        Output("meters-verdicts", "children"),
        Input("meters-file", "value"),
    )
    def _render(name):
        hidden = {"display": "none"}
        allowed = {str(p.relative_to(c.results_dir)): p for p in assessments(c.results_dir)}
        if name not in allowed:  # only files found under the results folder are read
            note = empty(f"no assessment under {c.results_dir.name}/: run twin assess ... --project --json FILE")
            return note, hidden, "", go.Figure(), go.Figure(), [], []
        data = json.loads(allowed[name].read_text())
        if "projection" not in data:
            note = empty(f"{name} has no projection: run twin assess with --project")
            return note, hidden, "", go.Figure(), go.Figure(), [], []
        fig, text = ytd_figure(data)
        lines = [html.Div(text, id="ytd-headline")] + [
            html.Div(headline(k, v)) for k, v in data["projection"]["criteria"].items() if not text.startswith(k)
        ]
        return "", {}, lines, fig, compare_figure(data), quality_block(data), verdict_table(data)
