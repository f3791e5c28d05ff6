"""Results page: KPI cards against the criteria, the criteria table, the report's figures, downloads; for a run
with a weather ensemble, each simulated criterion's P50, P90 and probability of passing and the distribution of the
headline KPI.

The figures are the HTML report's own (:mod:`lingtan.twin.reports.html`, :mod:`lingtan.twin.reports.odds_plots`);
this page only lays them out.
"""

from __future__ import annotations

import re
import threading
import types
from pathlib import Path

import pandas as pd
from dash import Input, Output, Patch, State, dash_table, dcc, html, no_update
from dash import ctx as dash_ctx

from lingtan.dashboard.ui import FONT, Context, card, empty, message
from lingtan.twin.reports import html as rh
from lingtan.twin.reports.i18n import label
from lingtan.twin.reports.odds_plots import axis_title, distribution_figure, headlines

MONTH_WEEKS = {
    1: "Jan",
    5: "Feb",
    9: "Mar",
    14: "Apr",
    18: "May",
    22: "Jun",
    27: "Jul",
    31: "Aug",
    36: "Sep",
    40: "Oct",
    44: "Nov",
    49: "Dec",
}
DEFAULT_WEEK = 29  # mid-July, as the report's summer week
_report_lock = threading.Lock()


def layout(c: Context) -> html.Div:
    def fig_card(title, gid, height, extra=None):
        # The report's figures have fixed heights; the graph's box must match them.
        return card(
            *([extra] if extra is not None else []),
            dcc.Loading(dcc.Graph(id=gid, config=rh.PLOT_CONFIG, style={"height": f"{height}px"}), type="dot"),
            title=title,
            id=f"{gid}-card",
        )

    week = html.Div(
        className="week",
        children=[
            html.Div("Week of the year", className="label"),
            dcc.Slider(
                id="week",
                min=1,
                max=52,
                step=1,
                value=DEFAULT_WEEK,
                marks=MONTH_WEEKS,
                tooltip={"placement": "bottom", "always_visible": False},
                updatemode="mouseup",
            ),
        ],
    )
    return html.Div(
        id="page-results",
        className="page",
        children=[
            html.Div(
                className="row-between",
                children=[
                    html.H2("Results", id="results-title"),
                    html.Div(
                        className="downloads",
                        children=[
                            html.Span("Download:", className="label", style={"margin": "0 6px 0 0"}),
                            html.Button("CSV", id="dl-csv", className="btn-light", disabled=True),
                            html.Button("Parquet", id="dl-parquet", className="btn-light", disabled=True),
                            html.Button("Excel", id="dl-xlsx", className="btn-light", disabled=True),
                            html.Button("HTML report", id="dl-html", className="btn-light", disabled=True),
                            dcc.Download(id="download"),
                            html.Div(id="download-message"),
                        ],
                    ),
                ],
            ),
            html.Div(id="results-body-empty"),
            html.Div(
                id="results-body",
                style={"display": "none"},
                children=[
                    html.Div(id="results-cards", className="cards"),
                    card(html.Div(id="results-packs", className="packs"), title="Criteria packs"),
                    card(
                        html.Div(id="results-odds"),
                        dcc.Dropdown(id="odds-kpi", clearable=False, searchable=False, style={"maxWidth": "520px"}),
                        dcc.Loading(
                            dcc.Graph(id="fig-odds", config=rh.PLOT_CONFIG, style={"height": "380px"}), type="dot"
                        ),
                        title="Odds over the weather years",
                        id="odds-card",
                        style={"display": "none"},
                    ),
                    fig_card("Dispatch", "fig-dispatch", 520, week),
                    fig_card("Monthly electricity balance", "fig-monthly", 460),
                    fig_card("Monthly heat", "fig-heat", 420),
                    html.Div(
                        className="grid-half",
                        children=[
                            fig_card("Annual energy flows", "fig-sankey", 560),
                            fig_card("Emissions", "fig-waterfall", 560),
                        ],
                    ),
                    fig_card("Per-year trends", "fig-trends", 400),
                    card(html.Div(id="results-criteria"), title="Criteria, with sources"),
                ],
            ),
        ],
    )


# --------------------------------------------------------------------------- what a result shows


def figure_source(kind: str, result):
    """The object the report's figure functions read: a run, a plan's last year, or the park bus."""
    if kind == "plan":
        return result.years[-1]
    if kind == "park":
        return types.SimpleNamespace(
            hourly=result.bus,
            hourly_heat=None,
            kpis=result.kpis,
            accounting=result.accounting,
            verdicts=result.verdicts,
            packs=result.packs,
            scenario=result.park,
        )
    return result


def all_verdicts(kind: str, result) -> list[dict]:
    return list(result.verdicts) + (list(result.trend_verdicts) if kind == "plan" else [])


def _lang(src) -> str:
    return getattr(getattr(src, "scenario", None), "lang", "en") or "en"


def _ok(vd: dict) -> bool | None:
    if vd.get("role") == "score":
        return vd.get("points", 0) >= vd.get("max_points", 0)
    p = vd.get("passed")
    return None if p is None else bool(p)


def _badge(ok: bool | None, text: str | None = None) -> html.Span:
    cls = "info" if ok is None else ("pass" if ok else "fail")
    return html.Span(text or {"pass": "PASS", "fail": "FAIL", "info": "n/a"}[cls], className=f"badge {cls}")


def _margin_text(vd: dict) -> str:
    m = vd.get("margin")
    if not rh._num(m):
        return ""
    txt = rh.fmt_value(abs(m), vd.get("unit", ""))
    return f"margin {'+' if m >= 0 else '−'}{txt}"


def odds_text(odds: dict | None, unit: str) -> str:
    """A criterion's odds over an ensemble's weather years, as the page shows them ("" without)."""
    if not odds:
        return ""
    spread = (
        f"P50 {rh.fmt_value(odds['value_p50'], unit)} · P90 {rh.fmt_value(odds['value_p90'], unit)} · "
        if "value_p50" in odds
        else ""
    )
    return f"{spread}P(pass) {100 * odds['p_pass']:.0f} %"


def kpi_card_divs(kind: str, result, ensemble=None) -> list:
    """The report's KPI cards, each with the verdicts that read it: threshold, PASS/FAIL and margin; with an
    ensemble, the criterion's P50, P90 and probability of passing under it."""
    odds = ensemble.criterion_odds if ensemble is not None else {}
    src = figure_source(kind, result)
    lang = _lang(src)
    out = []
    for cd in rh.kpi_cards(src, lang):
        oks = [_ok(vd) for vd in cd["verdicts"]]
        state = "" if not oks else (" pass" if all(o for o in oks) else " fail")
        rows = []
        for vd, ok in zip(cd["verdicts"], oks, strict=True):
            unit = vd.get("unit", "")
            cmp = "≥" if cd["good_high"] else "≤"
            rows.append(
                html.Div(
                    className="vd",
                    title=f"{vd['criterion_id']}: {vd.get('clause', '')}",
                    children=[
                        html.Span(f"{rh._pack_short(vd['pack'])} {cmp} {rh.fmt_value(vd['threshold'], unit, lang)}"),
                        html.Span(_margin_text(vd), className="m"),
                        _badge(ok),
                    ],
                )
            )
            if vd["criterion_id"] in odds:
                rows.append(
                    html.Div(
                        odds_text(odds[vd["criterion_id"]], unit),
                        className="vd-odds meta",
                        id=f"odds-{vd['criterion_id']}",
                    )
                )
        details = [
            html.Div([html.Span(label(k, lang)), html.Span(rh._card_number(x, cd["unit"]))], className="det")
            for k, x in cd.get("details", [])
            if rh._num(x)
        ]
        out.append(
            html.Div(
                className=f"kpi{state}",
                id=f"kpi-{cd['kpi']}",
                children=[
                    html.Div(label(cd["key"], lang), className="t"),
                    html.Div(rh._card_number(cd["value"], cd["unit"]), className="v"),
                    html.Div(label(cd["kpi"], lang), className="s"),
                    *rows,
                    *details,
                ],
            )
        )
    return out


def pack_divs(result) -> list:
    if not result.packs:
        return [html.Div("This scenario names no criteria packs.", className="meta")]
    out = []
    for p in result.packs:
        pts = f"{p['points']:g} / {p['max_points']:g} points" if p.get("max_points") else ""
        failed = ", ".join(f.split(".", 1)[-1] for f in p.get("failed", []))
        out.append(
            html.Div(
                className="pack",
                children=[
                    html.B(p["pack"]),
                    html.Span(pts + (" · " if pts else "")),
                    html.Span("admission "),
                    _badge(bool(p.get("admission_passed"))),
                    html.Span(" targets "),
                    _badge(bool(p.get("targets_passed"))),
                    html.Div(f"failed: {failed}", className="meta") if failed else None,
                ],
            )
        )
    return out


def criteria_rows(kind: str, result, ensemble=None) -> list[dict]:
    odds = ensemble.criterion_odds if ensemble is not None else {}
    rows = []
    for vd in all_verdicts(kind, result):
        unit = vd.get("unit", "")
        ok = _ok(vd)
        if vd.get("role") == "score":
            verdict = f"{vd.get('points', 0):g}/{vd.get('max_points', 0):g} pts"
        else:
            verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        rows.append(
            {
                "pack": vd.get("pack", ""),
                "criterion": vd["criterion_id"].split(".", 1)[-1],
                "role": vd.get("role", ""),
                "value": rh.fmt_value(vd.get("value"), unit),
                "threshold": rh.fmt_value(vd.get("threshold"), unit),
                "margin": rh.fmt_value(vd.get("margin"), unit),
                "verdict": verdict,
                "ok": "" if ok is None else ("yes" if ok else "no"),
                "input": vd.get("input", ""),
                "source": " · ".join(x for x in (vd.get("source_doc", ""), vd.get("clause", "")) if x),
                "text": vd.get("text_en") or vd.get("text_zh") or vd.get("note", ""),
                "odds": odds_text(odds.get(vd["criterion_id"]), unit),
            }
        )
    return rows


CRITERIA_COLUMNS = [
    ("pack", "Pack"),
    ("criterion", "Criterion"),
    ("role", "Role"),
    ("value", "Value"),
    ("threshold", "Threshold"),
    ("margin", "Margin"),
    ("verdict", "Verdict"),
    ("input", "Input"),
    ("source", "Source"),
]


def criteria_table(rows: list[dict]) -> dash_table.DataTable:
    columns = list(CRITERIA_COLUMNS)
    if any(r.get("odds") for r in rows):  # an ensemble run: the odds beside the verdict
        columns.insert(columns.index(("verdict", "Verdict")) + 1, ("odds", "Odds over the weather years"))
    return dash_table.DataTable(
        id="criteria-table",
        data=rows,
        columns=[{"name": n, "id": i} for i, n in columns],
        sort_action="native",
        filter_action="native",
        page_size=12,
        tooltip_data=[
            {"criterion": {"value": r["text"], "type": "text"}, "source": {"value": r["source"], "type": "text"}}
            for r in rows
        ],
        tooltip_duration=None,
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "padding": "6px 8px",
            "whiteSpace": "normal",
            "height": "auto",
            "fontFamily": FONT,
            "maxWidth": "420px",
            "fontSize": "12.5px",
        },
        style_header={"fontWeight": "700", "background": "#f4f6f9"},
        style_data_conditional=[
            {"if": {"filter_query": '{ok} = "yes"', "column_id": "verdict"}, "color": "#1e8449", "fontWeight": "700"},
            {"if": {"filter_query": '{ok} = "no"', "column_id": "verdict"}, "color": "#c0392b", "fontWeight": "700"},
            {"if": {"column_id": "source"}, "fontSize": "11.5px", "color": "#5f6b7a", "minWidth": "260px"},
        ],
    )


def _safe_fig(fn, *a):
    try:
        return fn(*a)
    except Exception:  # noqa: BLE001 - one figure that cannot be drawn must not blank the page
        return None


def week_range(index, week: int) -> list[str]:
    start = pd.Timestamp(year=pd.DatetimeIndex(index)[0].year, month=1, day=1) + pd.Timedelta(days=7 * (int(week) - 1))
    return [start.isoformat(), (start + pd.Timedelta(days=7)).isoformat()]


def headline_kpi(heads: list):
    """The KPI the odds card draws: the first renewable share a criterion reads, else the first headline."""
    return next((h for h in heads if h.criteria and h.kpi.startswith("re_")), heads[0])


def odds_figure(ensemble, column: str | None = None):
    """The distribution of one headline KPI, by its members-table column (default :func:`headline_kpi`); None
    when the ensemble has no such headline."""
    heads = headlines(ensemble)
    h = headline_kpi(heads) if heads and column is None else next((h for h in heads if h.column == column), None)
    return None if h is None else rh._layout(distribution_figure(h), 380)


def odds_choices(ensemble) -> tuple[list[dict], str | None]:
    """The options of the odds card's KPI picker (one per headline) and the one shown first."""
    heads = headlines(ensemble)
    options = [{"label": axis_title(h), "value": h.column} for h in heads]
    return options, headline_kpi(heads).column if heads else None


def odds_panel(ensemble) -> tuple[list, dict]:
    """The odds card of an ensemble run: what the odds mean, each simulated criterion's odds, and the
    distribution of the headline KPI (:func:`headline_kpi` of :func:`lingtan.twin.reports.odds_plots.headlines`)."""
    n = len(ensemble.members)
    verdicts = {v["criterion_id"]: v for v in ensemble.typical.verdicts}
    lines = [
        html.Div(
            [
                html.B(f"{rh._pack_short(verdicts[cid]['pack'])} {cid.split('.', 1)[-1]}: "),
                html.Span(odds_text(o, verdicts[cid].get("unit", "")), id=f"odds-line-{cid}"),
            ],
            className="odds-line",
        )
        for cid, o in ensemble.criterion_odds.items()
    ]
    fig = odds_figure(ensemble) or {}
    intro = html.Div(
        f"{n} weather years ({ensemble.source}); the verdicts above are the typical year's. {label('odds_convention')}",
        className="meta",
        id="odds-intro",
    )
    return [intro, *lines], fig


def render(c: Context, run_store, week: int = DEFAULT_WEEK) -> dict:
    """Everything the results page shows for a run, by component id."""
    hidden, shown = {"display": "none"}, {}
    res = c.manager.result(run_store.get("run_id")) if run_store else None
    out = {
        k: no_update
        for k in ("cards", "packs", "criteria", "dispatch", "monthly", "heat", "sankey", "waterfall", "trends")
    }
    out.update(title="Results", body_style=hidden, heat_style=hidden, trends_style=hidden, downloads=[True] * 4)
    out.update(odds=None, odds_fig={}, odds_style=hidden, odds_options=[], odds_value=None)
    if res is None:
        out["empty"] = card(
            empty(
                "No results yet: run a scenario on the Scenario page."
                if not run_store
                else "This run is no longer in memory on the server: run it again."
            )
        )
        return out
    kind, result = res
    ensemble = c.manager.ensemble(run_store["run_id"])
    src = figure_source(kind, result)
    lang = _lang(src)
    name = getattr(getattr(src, "scenario", None), "name", run_store.get("label", ""))
    out["title"] = (
        f"Results · {name}"
        + (" (park bus)" if kind == "park" else "")
        + (f" · plan, final year {result.years[-1].scenario.year}" if kind == "plan" else "")
    )
    out["empty"] = None
    out["body_style"] = shown
    out["cards"] = kpi_card_divs(kind, result, ensemble)
    out["packs"] = pack_divs(result)
    out["criteria"] = criteria_table(criteria_rows(kind, result, ensemble))
    if ensemble is not None:
        out["odds"], out["odds_fig"] = odds_panel(ensemble)
        out["odds_options"], out["odds_value"] = odds_choices(ensemble)
        out["odds_style"] = shown
        out["title"] += f" · {len(ensemble.members)} weather years"
    disp = _safe_fig(rh.dispatch_figure, src, lang)
    if disp is not None:
        disp.update_xaxes(range=week_range(src.hourly.index, week))
    out["dispatch"] = disp or {}
    out["monthly"] = _safe_fig(rh.monthly_figure, src, lang) or {}
    heat = _safe_fig(rh.heat_monthly_figure, src, lang) if getattr(src, "hourly_heat", None) is not None else None
    out["heat"], out["heat_style"] = (heat, shown) if heat is not None else ({}, hidden)
    out["sankey"] = _safe_fig(rh.sankey_figure, src, lang) or {}
    out["waterfall"] = _safe_fig(rh.waterfall_figure, src, lang) or {}
    trends = _safe_fig(rh.trends_figure, result.per_year, lang) if kind == "plan" else None
    out["trends"], out["trends_style"] = (trends, shown) if trends is not None else ({}, hidden)
    out["downloads"] = [False, False, kind == "park", kind == "park"]
    return out


# --------------------------------------------------------------------------- downloads


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text or "run").strip("_")[:40] or "run"


def download_path(c: Context, run_store, which: str) -> tuple[Path | None, str]:
    """The file to send for ``which`` in csv/parquet/xlsx/html, written on demand; (None, reason) if none."""
    if not run_store or which not in ("csv", "parquet", "xlsx", "html"):
        return None, "no run"
    folder = c.manager.folder(run_store.get("run_id"))
    if folder is None:
        return None, "the run's folder is gone"
    kind = run_store.get("kind")
    res = c.manager.result(run_store["run_id"])
    sub = folder
    if kind == "plan":
        years = sorted(p for p in folder.glob("year_*") if p.is_dir())
        sub = years[-1] if years else folder
    if which in ("csv", "parquet"):
        stem = "per_year" if kind == "plan" else "hourly"
        path = folder / f"{stem}.{which}"
        return (path, "") if path.is_file() else (None, f"{path.name} was not written")
    if kind == "park":
        return None, "the Excel and HTML reports are written for factories and plans"
    path = sub / ("report.xlsx" if which == "xlsx" else "report.html")
    if path.is_file():
        return path, ""
    if res is None:
        return None, "the run is no longer in memory: run it again"
    run = res[1].years[-1] if kind == "plan" else res[1]
    from lingtan.twin.studies.economics import project_economics

    econ = None if kind == "plan" else project_economics(run)
    with _report_lock:
        if not path.is_file():
            if which == "xlsx":
                from lingtan.twin.reports.excel import write_excel

                write_excel(run, path, lang=run.scenario.lang, economics=econ)
            else:
                ensemble = c.manager.ensemble(run_store["run_id"]) if kind == "run" else None
                rh.write_html(run, path, lang=run.scenario.lang, economics=econ, ensemble=ensemble)
    return path, ""


def register(app, c: Context) -> None:
    @app.callback(
        Output("results-title", "children"),
        Output("results-body-empty", "children"),
        Output("results-body", "style"),
        Output("results-cards", "children"),
        Output("results-packs", "children"),
        Output("results-criteria", "children"),
        Output("fig-dispatch", "figure"),
        Output("fig-monthly", "figure"),
        Output("fig-heat", "figure"),
        Output("fig-heat-card", "style"),
        Output("fig-sankey", "figure"),
        Output("fig-waterfall", "figure"),
        Output("fig-trends", "figure"),
        Output("fig-trends-card", "style"),
        Output("results-odds", "children"),
        Output("fig-odds", "figure"),
        Output("odds-card", "style"),
        Output("odds-kpi", "options"),
        Output("odds-kpi", "value"),
        Output("dl-csv", "disabled"),
        Output("dl-parquet", "disabled"),
        Output("dl-xlsx", "disabled"),
        Output("dl-html", "disabled"),
        Input("run-store", "data"),
        State("week", "value"),
    )
    def _render(run_store, week):
        o = render(c, run_store, week or DEFAULT_WEEK)
        return (
            o["title"],
            o["empty"],
            o["body_style"],
            o["cards"],
            o["packs"],
            o["criteria"],
            o["dispatch"],
            o["monthly"],
            o["heat"],
            o["heat_style"],
            o["sankey"],
            o["waterfall"],
            o["trends"],
            o["trends_style"],
            o["odds"],
            o["odds_fig"],
            o["odds_style"],
            o["odds_options"],
            o["odds_value"],
            *o["downloads"],
        )

    @app.callback(
        Output("fig-dispatch", "figure", allow_duplicate=True),
        Input("week", "value"),
        State("run-store", "data"),
        prevent_initial_call=True,
    )
    def _week(week, run_store):
        res = c.manager.result(run_store.get("run_id")) if run_store else None
        if res is None or not week:
            return no_update
        src = figure_source(*res)
        p = Patch()
        p["layout"]["xaxis"]["range"] = week_range(src.hourly.index, week)
        return p

    @app.callback(
        Output("fig-odds", "figure", allow_duplicate=True),
        Input("odds-kpi", "value"),
        State("run-store", "data"),
        prevent_initial_call=True,
    )
    def _odds_kpi(column, run_store):
        ens = c.manager.ensemble(run_store.get("run_id")) if run_store and column else None
        fig = odds_figure(ens, column) if ens is not None else None
        return no_update if fig is None else fig

    @app.callback(
        Output("download", "data"),
        Output("download-message", "children"),
        Input("dl-csv", "n_clicks"),
        Input("dl-parquet", "n_clicks"),
        Input("dl-xlsx", "n_clicks"),
        Input("dl-html", "n_clicks"),
        State("run-store", "data"),
        prevent_initial_call=True,
    )
    def _download(a, b, cc, d, run_store):
        which = (dash_ctx.triggered_id or "").removeprefix("dl-")
        path, why = download_path(c, run_store, which)
        if path is None:
            return no_update, message(why, "warn")
        res = c.manager.result(run_store["run_id"])
        name = getattr(getattr(figure_source(*res), "scenario", None), "name", "") if res else ""
        return dcc.send_file(str(path), filename=f"{_slug(name)}_{run_store['run_id'][:8]}{path.suffix}"), None
