"""Explore page: any hourly column of any run still in memory, as a week, the whole year as a day-by-hour heat map,
a duration curve or monthly energy; and two runs side by side (KPIs, verdicts, costs, one series of both).

The numbers come from :mod:`lingtan.dashboard.series`; the tables and words from the results page's own
functions (:mod:`lingtan.dashboard.pages_results`) and the report's (:mod:`lingtan.twin.reports.html`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, dcc, html, no_update

from lingtan.dashboard import pages_results as pr
from lingtan.dashboard.lang import current_lang
from lingtan.dashboard.series import POWER_UNITS, day_hour_matrix, duration_curve, monthly_energy
from lingtan.dashboard.ui import Context, card, empty, message, table
from lingtan.twin.core.tables import step_h
from lingtan.twin.reports import html as rh
from lingtan.twin.reports.i18n import LABELS, label, unit_of, unit_text
from lingtan.twin.reports.summary import economics_rows
from lingtan.twin.studies.economics import project_economics

VIEWS = ("week", "heatmap", "duration", "monthly")
KINDS = ("run", "plan", "park")  # what has hourly tables (a sizing search has none)
DEFAULT_COLUMN = "load_kw"
TABLES = {"e": "hourly", "h": "hourly_heat"}


# --------------------------------------------------------------------------- what can be explored


def run_options(c: Context, lang: str = "en") -> list[dict]:
    """One option per run with hourly tables still in memory, newest first.

    Parameters
    ----------
    c : Context
        The pages' shared state (its run manager).
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    list of dict
        ``{"label": "<scenario> · <kind> · <short id>", "value": <run id>}``.
    """
    return [
        {
            "label": f"{pr._scenario(pr.econ_run(kind, res)).name} · {label('explore_kind_' + kind, lang)} · {rid[:8]}",
            "value": rid,
        }
        for rid, kind, res in reversed(c.manager.results())
        if kind in KINDS
    ]


def column_options(src, lang: str = "en") -> list[dict]:
    """The numeric columns of a run's electric and heat tables as picker options.

    Parameters
    ----------
    src : RunResult or SimpleNamespace
        What :func:`lingtan.dashboard.pages_results.figure_source` gives: ``hourly`` and ``hourly_heat`` tables.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    list of dict
        Value ``"e|<column>"`` or ``"h|<column>"``; label: the table (and a heat column's unit) in front, the
        column's translation where :data:`LABELS` has one, else its name, and its unit from the name's suffix.
    """
    out = []
    for tab, attr in TABLES.items():
        frame = getattr(src, attr, None)
        if frame is None:
            continue
        for col in frame.select_dtypes("number").columns:
            owner, _, name = col.rpartition(".")
            group = label("explore_group_electric" if tab == "e" else "explore_group_heat", lang)
            group += f" · {owner}" if owner else ""
            shown = label(name, lang) if name in LABELS else name
            unit = unit_of(col)
            out.append(
                {
                    "label": f"{group} · {shown}" + (f" [{unit_text(unit, lang)}]" if unit else ""),
                    "value": f"{tab}|{col}",
                }
            )
    return out


def series_of(src, value: str) -> tuple[pd.Series, str, float] | None:
    """The column a picker value names.

    Parameters
    ----------
    src : RunResult or SimpleNamespace
        The run's tables (:func:`column_options`).
    value : str
        A picker value, ``"e|<column>"`` or ``"h|<column>"``.

    Returns
    -------
    tuple or None
        (values [column unit], unit, step [h]); None when the run has no such column.
    """
    tab, _, col = (value or "").partition("|")
    frame = getattr(src, TABLES.get(tab, ""), None)
    if frame is None or col not in frame.columns:
        return None
    return frame[col].astype(float), unit_of(col), step_h(frame)


# --------------------------------------------------------------------------- figures


def _week(s: pd.Series, week: int) -> pd.Series:
    start, end = (pd.Timestamp(t) for t in pr.week_range(s.index, week))
    local = rh._local_index(s)
    return s[(local >= start) & (local < end)]


def week_figure(traces: list[tuple[str, pd.Series]], unit: str, week: int, lang: str = "en") -> go.Figure:
    """The chosen week as lines; a second run's week is drawn at the first's times, step by step.

    Parameters
    ----------
    traces : list of (str, Series)
        Name and values [unit] of each run's column.
    unit : str
        The column's unit.
    week : int
        Week of the year, 1..52 (:func:`lingtan.dashboard.pages_results.week_range`).
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    plotly.graph_objects.Figure
        One line per trace.
    """
    weeks = [(name, _week(s, week)) for name, s in traces]
    n = min(len(w) for _, w in weeks)
    x = rh._local_index(weeks[0][1])[:n]
    fig = go.Figure([go.Scatter(x=x, y=w.to_numpy()[:n], name=name, mode="lines") for name, w in weeks])
    return rh._layout(fig, 420, yaxis_title=unit_text(unit, lang), showlegend=len(traces) > 1)


def heatmap_figure(s: pd.Series, unit: str, lang: str = "en") -> go.Figure:
    """The whole year, one column per day and one row per hour (:func:`day_hour_matrix`).

    Parameters
    ----------
    s : Series
        The column [unit] with its time index.
    unit : str
        The column's unit, on the colour bar and in the hover text.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    plotly.graph_objects.Figure
        A heat map; hovering names the date, the hour and the value with its unit.
    """
    days, matrix = day_hour_matrix(s)
    u = unit_text(unit, lang)
    fig = go.Figure(
        go.Heatmap(
            x=days.strftime("%Y-%m-%d"),
            y=list(range(24)),
            z=matrix.T,
            colorscale="Viridis",
            colorbar={"title": {"text": u}},
            hovertemplate=f"%{{x}} %{{y}}:00<br>%{{z:,.4g}} {u}<extra></extra>",
        )
    )
    return rh._layout(fig, 460, yaxis_title=label("explore_hour", lang), yaxis_dtick=3)


def duration_figure(traces: list[tuple[str, pd.Series, float]], unit: str, lang: str = "en") -> go.Figure:
    """Each series sorted from its largest value down against the hours it is reached (:func:`duration_curve`).

    Parameters
    ----------
    traces : list of (str, Series, float)
        Name, values [unit] and step [h] of each run's column.
    unit : str
        The column's unit.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    plotly.graph_objects.Figure
        One line per trace, x in hours [h].
    """
    fig = go.Figure()
    for name, s, step in traces:
        hours, values = duration_curve(s, step)
        fig.add_trace(go.Scatter(x=hours, y=values, name=name, mode="lines"))
    return rh._layout(
        fig,
        420,
        xaxis_title=label("explore_hours_at_or_above", lang),
        yaxis_title=unit_text(unit, lang),
        showlegend=len(traces) > 1,
    )


def monthly_bar_figure(traces: list[tuple[str, pd.Series, float]], unit: str, lang: str = "en") -> go.Figure:
    """Energy per month of each series, as bars side by side (:func:`monthly_energy`).

    Parameters
    ----------
    traces : list of (str, Series, float)
        Name, power [kW or kW_th] and step [h] of each run's column.
    unit : str
        The column's unit, ``kW`` or ``kW_th``.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    plotly.graph_objects.Figure
        Grouped bars [kWh or MWh, thermal alike].
    """
    months = rh._month_names(lang)
    fig = go.Figure()
    energy_unit = unit
    for name, s, step in traces:
        ms, energy, energy_unit = monthly_energy(s, unit, step)
        fig.add_trace(go.Bar(x=[months[m - 1] for m in ms], y=energy, name=name))
    return rh._layout(fig, 420, yaxis_title=unit_text(energy_unit, lang), showlegend=len(traces) > 1, barmode="group")


def view_figure(traces: list[tuple[str, pd.Series, float]], unit: str, view: str, week: int, lang: str = "en"):
    """The figure of ``view`` for one run's series, or for two runs' (with two, the heat map view draws the week).

    Parameters
    ----------
    traces : list of (str, Series, float)
        Name, values [unit] and step [h] of each run's column.
    unit : str
        The column's unit.
    view : {"week", "heatmap", "duration", "monthly"}
        The view.
    week : int
        Week of the year for the week view, 1..52.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    plotly.graph_objects.Figure
        The view's figure.

    Raises
    ------
    ValueError
        Monthly energy of a column that is not a power (:func:`monthly_energy`).
    """
    if view == "monthly":
        return monthly_bar_figure(traces, unit, lang)
    if view == "duration":
        return duration_figure(traces, unit, lang)
    if view == "heatmap" and len(traces) == 1:
        return heatmap_figure(traces[0][1], unit, lang)
    return week_figure([(n, s) for n, s, _ in traces], unit, week, lang)


# --------------------------------------------------------------------------- two runs side by side


def _signed(d: float, unit: str, lang: str) -> str:
    return ("+" if d >= 0 else "−") + rh._card_number(abs(d), unit, lang)


def _kpi_values(kind: str, result, lang: str) -> dict[str, tuple[str, float | None, str]]:
    """The results page's headline KPIs and renewable-share variants: key -> (label, value, unit)."""
    src = pr.figure_source(kind, result)
    out = {}
    for cd in rh.kpi_cards(src, lang):
        value = pr.grid_cost_cny(src.kpis) if cd["kpi"] == "grid_cost_cny" else cd["value"]
        out[cd["kpi"]] = (label(cd["key"], lang), value, cd["unit"])
    for k, v in pr.share_variants(src):
        out.setdefault(k, (label(k, lang), v, "fraction"))
    return out


def compare_rows(a: tuple[str, object], b: tuple[str, object], lang: str = "en") -> list[dict]:
    """Rows of the comparison of two runs: the results page's headline KPIs, every verdict (PASS/FAIL with its
    margin), then the costs (:func:`lingtan.twin.reports.summary.economics_rows`).

    Parameters
    ----------
    a, b : tuple
        ``(kind, result)`` of each run, as :meth:`lingtan.dashboard.worker.RunManager.result` gives them.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    list of dict
        Cells ``item``, ``a``, ``b`` and ``diff`` as shown (b − a where both are numbers: KPIs in their unit,
        a verdict's change of margin, costs [万 CNY, 万 CNY/yr, CNY/kWh]); section heads carry ``_row_class``, a
        verdict's cells their state in ``_class``.
    """
    rows: list[dict] = [{"item": label("explore_kpis", lang), "_row_class": "sum"}]
    ka, kb = _kpi_values(*a, lang), _kpi_values(*b, lang)
    for key in list(ka) + [k for k in kb if k not in ka]:
        name, va, unit = ka.get(key) or kb[key]
        vb = kb.get(key, (None, None, unit))[1]
        diff = _signed(vb - va, unit, lang) if rh._num(va) and rh._num(vb) else ""
        rows.append(
            {"item": name, "a": rh._card_number(va, unit, lang), "b": rh._card_number(vb, unit, lang), "diff": diff}
        )
    rows.append({"item": label("explore_verdicts", lang), "_row_class": "sum"})
    va_, vb_ = ({v["criterion_id"]: v for v in pr.all_verdicts(*r)} for r in (a, b))
    for cid in list(va_) + [k for k in vb_ if k not in va_]:
        x, y = va_.get(cid), vb_.get(cid)
        ma, mb = (v.get("margin") if v else None for v in (x, y))
        unit = (x or y).get("unit", "")
        row = {"item": f"{rh._pack_short((x or y)['pack'], lang)} · {cid.split('.', 1)[-1]}", "_class": {}}
        for col, v in (("a", x), ("b", y)):
            row[col] = f"{pr.verdict_word(v, lang)} {pr._margin_text(v, lang)}".strip() if v else "–"
            row["_class"][col] = pr.verdict_state(v) if v else None
        if rh._num(ma) and rh._num(mb):
            d = mb - ma
            row["diff"] = ("+" if d >= 0 else "−") + rh.fmt_value(abs(d), unit, lang)
        rows.append(row)
    rows.append({"item": label("explore_costs", lang), "_row_class": "sum"})
    ea, eb = (economics_rows(project_economics(pr.econ_run(*r)), lang) for r in (a, b))
    for (text, xa, unit), (_, xb, _) in zip(ea, eb, strict=True):
        diff = f"{'+' if xb - xa >= 0 else '−'}{abs(xb - xa):,.2f} {unit}" if rh._num(xa) and rh._num(xb) else ""
        rows.append(
            {"item": text, "a": pr._econ_value(xa, unit, lang), "b": pr._econ_value(xb, unit, lang), "diff": diff}
        )
    return rows


def compare_table(rows: list[dict], names: tuple[str, str], lang: str = "en") -> html.Div:
    """The comparison table of :func:`compare_rows`.

    Parameters
    ----------
    rows : list of dict
        :func:`compare_rows`.
    names : tuple of str
        The two runs' names, for the headings.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    dash.html.Div
        The table, id ``xp-compare-table``.
    """
    cols = [
        ("item", ""),
        ("a", f"A · {names[0]}"),
        ("b", f"B · {names[1]}"),
        ("diff", label("explore_difference", lang)),
    ]
    return table("xp-compare-table", rows, cols)


# --------------------------------------------------------------------------- the page


def layout(c: Context) -> html.Div:
    """The page, in the reader's language.

    Parameters
    ----------
    c : Context
        The pages' shared state.

    Returns
    -------
    dash.html.Div
        The page, id ``page-explore``.
    """
    lang = current_lang()
    views = [{"label": label(f"explore_view_{v}", lang), "value": v} for v in VIEWS]
    return html.Div(
        id="page-explore",
        className="page",
        children=[
            html.H2(label("explore_title", lang)),
            card(
                html.Div(
                    className="runbar",
                    children=[
                        html.Span(label("explore_run", lang), className="label"),
                        dcc.Dropdown(id="xp-run", clearable=False, style={"minWidth": "360px"}),
                        html.Span(label("explore_column", lang), className="label"),
                        dcc.Dropdown(id="xp-column", clearable=False, style={"minWidth": "420px"}),
                    ],
                ),
                dcc.RadioItems(id="xp-view", options=views, value="week", inline=True, className="xp-view"),
                html.Div(
                    id="xp-week-box",
                    className="week",
                    children=dcc.Slider(
                        id="xp-week",
                        min=1,
                        max=52,
                        step=1,
                        value=pr.DEFAULT_WEEK,
                        marks=dict(zip(pr.MONTH_WEEKS, rh._month_names(lang), strict=True)),
                        updatemode="mouseup",
                    ),
                ),
                html.Div(id="xp-msg"),
                dcc.Loading(
                    dcc.Graph(id="xp-fig", config=rh.PLOT_CONFIG, responsive=True, style={"height": "460px"}),
                    type="dot",
                ),
                title=label("explore_series", lang),
            ),
            card(
                html.Div(
                    className="runbar",
                    children=[
                        html.Span(label("explore_compare_with", lang), className="label"),
                        dcc.Dropdown(id="xp-run-b", clearable=True, style={"minWidth": "360px"}),
                    ],
                ),
                html.Div(id="xp-compare"),
                dcc.Loading(
                    dcc.Graph(id="xp-compare-fig", config=rh.PLOT_CONFIG, responsive=True, style={"height": "420px"}),
                    type="dot",
                ),
                title=label("explore_compare", lang),
            ),
        ],
    )


def pick_runs(c: Context, run_store, lang: str = "en") -> tuple[list[dict], str | None, str | None]:
    """The run options and the two runs shown first.

    Parameters
    ----------
    c : Context
        The pages' shared state.
    run_store : dict or None
        The session's current run (``run_id``).
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    tuple
        (options, the run shown: the current one, else the newest; the one it is compared with: the newest
        other run, None without one).
    """
    opts = run_options(c, lang)
    ids = [o["value"] for o in opts]
    current = (run_store or {}).get("run_id")
    a = current if current in ids else (ids[0] if ids else None)
    b = next((i for i in ids if i != a), None)
    return opts, a, b


def _src(c: Context, run_id: str | None):
    res = c.manager.result(run_id) if run_id else None
    return None if res is None or res[0] not in KINDS else pr.figure_source(*res)


def explore(c: Context, run_id, column, view, week, lang: str = "en") -> tuple[object, object]:
    """The explorer's figure for one run and column.

    Parameters
    ----------
    c : Context
        The pages' shared state.
    run_id, column, view, week
        The pickers' values (:func:`run_options`, :func:`column_options`, :data:`VIEWS`, week 1..52).
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    tuple
        (figure or ``{}``, a message or None).
    """
    src = _src(c, run_id)
    picked = series_of(src, column) if src is not None else None
    if picked is None:
        return {}, empty(label("explore_no_runs", lang)) if src is None else None
    s, unit, step = picked
    try:
        return view_figure([(column.partition("|")[2], s, step)], unit, view, week, lang), None
    except ValueError:
        return {}, message(label("explore_monthly_needs_power", lang), "info", id="xp-monthly-note")


def compare(c: Context, run_a, run_b, column, view, week, lang: str = "en") -> tuple[object, object]:
    """The comparison table of two runs and their chosen series on the same axes.

    Parameters
    ----------
    c : Context
        The pages' shared state.
    run_a, run_b, column, view, week
        The pickers' values; with two runs the heat map view draws the week, and monthly energy of a column that
        is not a power the week too.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    tuple
        (the table, or a line asking for a second run; the figure or ``{}``).
    """
    ra, rb = (c.manager.result(r) if r else None for r in (run_a, run_b))
    if ra is None or rb is None or ra[0] not in KINDS or rb[0] not in KINDS:
        return empty(label("explore_pick_two", lang)), {}
    names = {o["value"]: o["label"] for o in run_options(c, lang)}
    tbl = compare_table(compare_rows(ra, rb, lang), (names.get(run_a, run_a), names.get(run_b, run_b)), lang)
    picked = [series_of(pr.figure_source(*r), column) for r in (ra, rb)]
    if any(p is None for p in picked):
        return [tbl, message(label("explore_column_missing", lang), "info")], {}
    traces = [(f"{ab} · {r[:8]}", s, step) for ab, r, (s, _, step) in zip("AB", (run_a, run_b), picked, strict=True)]
    unit = picked[0][1]
    if view == "monthly" and unit not in POWER_UNITS:
        view = "week"
    return tbl, view_figure(traces, unit, view, week, lang)


def register(app, c: Context) -> None:
    """Register the page's callbacks (thin: each calls one function above).

    Parameters
    ----------
    app : dash.Dash
        The app.
    c : Context
        The pages' shared state.
    """

    @app.callback(
        Output("xp-run", "options"),
        Output("xp-run", "value"),
        Output("xp-run-b", "options"),
        Output("xp-run-b", "value"),
        Input("url", "pathname"),
        Input("run-store", "data"),
    )
    def _runs(path, run_store):
        if path != "/explore":
            return no_update, no_update, no_update, no_update
        opts, a, b = pick_runs(c, run_store, current_lang())
        return opts, a, opts, b

    @app.callback(
        Output("xp-column", "options"),
        Output("xp-column", "value"),
        Input("xp-run", "value"),
        Input("xp-column", "value"),
    )
    def _columns(run_id, column):
        src = _src(c, run_id)
        opts = column_options(src, current_lang()) if src is not None else []
        values = [o["value"] for o in opts]
        keep = column if column in values else (f"e|{DEFAULT_COLUMN}" if f"e|{DEFAULT_COLUMN}" in values else None)
        return opts, keep or (values[0] if values else None)

    @app.callback(
        Output("xp-fig", "figure"),
        Output("xp-msg", "children"),
        Output("xp-week-box", "style"),
        Input("xp-run", "value"),
        Input("xp-column", "value"),
        Input("xp-view", "value"),
        Input("xp-week", "value"),
    )
    def _explore(run_id, column, view, week):
        fig, msg = explore(c, run_id, column, view, week or pr.DEFAULT_WEEK, current_lang())
        return fig, msg, {} if view == "week" else {"display": "none"}

    @app.callback(
        Output("xp-compare", "children"),
        Output("xp-compare-fig", "figure"),
        Input("xp-run", "value"),
        Input("xp-run-b", "value"),
        Input("xp-column", "value"),
        Input("xp-view", "value"),
        Input("xp-week", "value"),
    )
    def _compare(run_a, run_b, column, view, week):
        return compare(c, run_a, run_b, column, view, week or pr.DEFAULT_WEEK, current_lang())
