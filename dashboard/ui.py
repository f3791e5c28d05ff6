"""Small building blocks shared by the pages, and the page style (inlined: no CDN, no asset files)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from dash import dcc, html

from lingtan.twin.reports.html import PLOT_CONFIG

log = logging.getLogger("dashboard")


@dataclass
class Context:
    """What the callbacks of every page share."""

    scenarios_dir: Path
    results_dir: Path
    manager: object  # lingtan.dashboard.worker.RunManager


def card(*children, title: str | None = None, cls: str = "", **kw) -> html.Div:
    head = [html.H3(title, className="card-head")] if title else []
    return html.Div(head + list(children), className=f"panel {cls}".strip(), **kw)


def headline_cell(value: str, text: str, cid: str | None = None) -> html.Div:
    """One number of a headline row: the value in bold (``cid`` its id, for the tests) above what it is."""
    return html.Div([html.B(value, **({"id": cid} if cid else {})), html.Span(text)], className="hl")


def message(text: str, kind: str = "info", **kw) -> html.Div:
    """A one-line message box: info, ok, warn or error (errors are role=alert)."""
    role = {"role": "alert"} if kind == "error" else {}
    return html.Div(text, className=f"msg msg-{kind}", **role, **kw)


def unexpected(err: BaseException, what: str, **kw) -> html.Div:
    """An exception that no check foresaw (a bug, or input no check knows yet): the traceback goes to
    the server log, one line to the page, instead of an HTTP 500 that leaves the page silent."""
    log.error("%s: unexpected error", what, exc_info=err)
    return message(
        f"{what}: unexpected {type(err).__name__} on the server (details in its log; please report it)", "error", **kw
    )


def graph(fig, gid: str | dict, height: int | None = None) -> dcc.Graph:
    style = {"height": f"{height}px"} if height else {}
    return dcc.Graph(id=gid, figure=fig, config=PLOT_CONFIG, style=style)


def empty(text: str) -> html.Div:
    return html.Div(text, className="empty")


def table(tid: str, rows: list[dict], columns: list[tuple[str, str]]) -> html.Div:
    """A plain HTML table (dash_table.DataTable is deprecated and warns on every page): ``columns`` are
    (key, heading) pairs; a row may carry ``_class`` and ``_title``, dicts of column key -> cell class and
    cell tooltip, and ``_row_class`` for the whole row."""
    head = html.Thead(html.Tr([html.Th(h) for _, h in columns]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        r.get(k, ""),
                        className=r.get("_class", {}).get(k),
                        title=r.get("_title", {}).get(k),
                    )
                    for k, _ in columns
                ],
                className=r.get("_row_class"),
            )
            for r in rows
        ]
    )
    return html.Div(html.Table([head, body], id=tid, className="tbl"), className="tbl-wrap")


FONT = '"Noto Sans CJK SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei","Segoe UI",Helvetica,Arial,sans-serif'

CSS = """
:root { --ink:#1d2733; --muted:#5f6b7a; --line:#e3e7ee; --bg:#f4f6f9; --accent:#0f7b6c; --bad:#c0392b;
        --ok:#1e8449; --warn:#b9770e; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei","Segoe UI",Helvetica,
       Arial,sans-serif;
       font-size:14px; }
a { color:var(--accent); }
.topbar { display:flex; align-items:center; gap:28px; background:#12343b; color:#fff; padding:0 28px; height:56px;
          position:sticky; top:0; z-index:10; box-shadow:0 1px 4px rgba(0,0,0,.2); }
.brand { font-size:18px; font-weight:700; letter-spacing:.3px; white-space:nowrap; }
.brand small { font-weight:400; opacity:.75; margin-left:8px; font-size:13px; }
.nav { display:flex; gap:4px; }
.nav a { color:#d7ebe8; text-decoration:none; padding:8px 14px; border-radius:6px; font-weight:600; }
.nav a.active, .nav a:hover { background:rgba(255,255,255,.14); color:#fff; }
.topbar .status { margin-left:auto; font-size:12px; opacity:.8; }
.page { max-width:1380px; margin:0 auto; padding:22px 28px 60px; }
.page h2 { margin:4px 0 16px; font-size:22px; }
.panel { background:#fff; border:1px solid var(--line); border-radius:10px; padding:16px 18px; margin-bottom:18px;
         box-shadow:0 1px 2px rgba(16,24,40,.04); }
.card-head { margin:0 0 12px; font-size:15px; color:var(--muted); text-transform:uppercase; letter-spacing:.6px; }
.grid2 { display:grid; grid-template-columns: 380px 1fr; gap:18px; align-items:start; }
.grid-half { display:grid; grid-template-columns: 1fr 1fr; gap:18px; }
@media (max-width: 1100px) { .grid2, .grid-half { grid-template-columns: 1fr; } }
.msg { padding:10px 12px; border-radius:8px; margin:10px 0; line-height:1.45; word-break:break-word; }
.msg-info { background:#eef5fb; color:#1f4e79; }
.msg-ok { background:#eaf7ef; color:#1e6b3a; }
.msg-warn { background:#fff6e5; color:#7a5200; }
.msg-error { background:#fdecea; color:#8e1f14; border-left:4px solid var(--bad); font-family:ui-monospace,Menlo,
  Consolas,monospace; font-size:13px; }
.empty { color:var(--muted); padding:30px; text-align:center; }
.upload { border:2px dashed #b8c4d2; border-radius:8px; padding:16px; text-align:center; color:var(--muted);
  cursor:pointer; margin-top:8px; }
.upload:hover { border-color:var(--accent); color:var(--accent); }
.label { font-weight:600; font-size:13px; margin:8px 0 6px; color:var(--muted); }
.meta { color:var(--muted); font-size:13px; line-height:1.5; }
.size-row { display:grid; grid-template-columns: 250px 140px 1fr; gap:14px; align-items:center; padding:8px 0;
            border-bottom:1px solid #f0f2f5; }
.size-row .name { font-weight:600; font-size:13px; min-width:0; overflow-wrap:anywhere; }
.size-row .name small { display:block; color:var(--muted); font-weight:400; font-family:ui-monospace,Menlo,monospace;
  font-size:11px; }
.size-row input[type=number] { width:100%; padding:6px 8px; border:1px solid #c9d1dc; border-radius:6px;
  font-size:14px; text-align:right; }
.btn { background:var(--accent); color:#fff; border:0; border-radius:8px; padding:10px 22px; font-size:15px;
  font-weight:700; cursor:pointer; }
.btn:disabled { background:#9fb8b4; cursor:wait; }
.btn-light { background:#fff; color:var(--accent); border:1px solid var(--accent); padding:7px 14px; font-size:13px;
  font-weight:600; border-radius:7px; cursor:pointer; margin-right:8px; }
.btn-light:disabled { color:#aab; border-color:#ccd; cursor:not-allowed; }
.runbar { display:flex; align-items:center; gap:16px; flex-wrap:wrap; }
.progress { flex:1; min-width:200px; }
.progress .track { height:10px; background:#e6ebf0; border-radius:5px; overflow:hidden; }
.progress .fill { height:100%; background:linear-gradient(90deg,#0f7b6c,#2fb39d); transition:width .4s; }
.progress .txt { font-size:12px; color:var(--muted); margin-top:4px; }
.headline { display:flex; gap:14px; flex-wrap:wrap; margin-top:12px; }
.headline .hl { background:#f6f8fb; border-radius:8px; padding:8px 14px; }
.headline .hl b { font-size:20px; display:block; }
.headline .hl span { font-size:12px; color:var(--muted); }
.cards { display:grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap:14px; margin-bottom:18px; }
.kpi { background:#fff; border:1px solid var(--line); border-top:4px solid #9aa5b1; border-radius:10px;
  padding:14px 16px; }
.kpi.pass { border-top-color:var(--ok); } .kpi.fail { border-top-color:var(--bad); }
.kpi .t { font-size:12px; text-transform:uppercase; letter-spacing:.5px; color:var(--muted); font-weight:600; }
.kpi .v { font-size:28px; font-weight:700; margin:4px 0 2px; }
.kpi .s { font-size:12px; color:var(--muted); margin-bottom:8px; }
.kpi .vd { display:flex; justify-content:space-between; align-items:center; font-size:12.5px; padding:4px 0;
  border-top:1px dashed #edf0f4; gap:8px; }
.kpi .vd .m { color:var(--muted); white-space:nowrap; }
.kpi .det { font-size:12px; color:var(--muted); display:flex; justify-content:space-between; padding:2px 0; }
.badge { display:inline-block; padding:2px 8px; border-radius:10px; font-size:11px; font-weight:700;
  letter-spacing:.4px; }
.badge.pass { background:#e3f4e9; color:var(--ok); } .badge.fail { background:#fbe3e0; color:var(--bad); }
.badge.info { background:#eef1f5; color:var(--muted); }
.badge.part { background:#fdf2dc; color:var(--warn); }
.badge { white-space:nowrap; flex-shrink:0; }
.kpi.part { border-top-color:var(--warn); }
.kpi { min-width:0; overflow-wrap:anywhere; }
.kpi .det span:last-child { white-space:nowrap; padding-left:8px; }
.kpi .variant b { font-weight:600; color:var(--ink); }
.grid-half > * { min-width:0; }
.packs { display:flex; gap:12px; flex-wrap:wrap; }
.pack { border:1px solid var(--line); border-radius:8px; padding:8px 12px; font-size:13px; }
.pack b { display:block; }
.pack .grp { margin:4px 0 0; }
.pack .open { margin-left:10px; }
.econ td.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
.econ td.head { font-weight:700; padding-top:10px; }
.tbl-wrap { overflow-x:auto; max-height:560px; overflow-y:auto; }
.tbl { border-collapse:collapse; width:100%; font-size:12.5px; }
.tbl th { position:sticky; top:0; background:#f4f6f9; text-align:left; padding:6px 8px; font-weight:700; }
.tbl td { padding:6px 8px; border-top:1px solid #edf0f4; vertical-align:top; }
.tbl td.pass { color:var(--ok); font-weight:700; } .tbl td.fail { color:var(--bad); font-weight:700; }
.tbl td.part { color:var(--warn); font-weight:700; }
.tbl td.src { font-size:11.5px; color:var(--muted); min-width:260px; }
.tbl tr.sum td { background:#f6f8fb; font-style:italic; }
.row-between { display:flex; justify-content:space-between; align-items:center; gap:12px; flex-wrap:wrap; }
.week { padding:4px 10px 10px; }
.downloads { display:flex; flex-wrap:wrap; gap:6px; align-items:center; }
ul.findings { margin:0; padding-left:18px; line-height:1.6; }
.dash-table-container .dash-spreadsheet-container .dash-spreadsheet-inner td,
.dash-table-container .dash-spreadsheet-container .dash-spreadsheet-inner th { font-family:inherit; font-size:12.5px; }
"""

INDEX = (
    """<!DOCTYPE html>
<html lang="en">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}<style>"""
    + CSS
    + """</style></head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""
)
