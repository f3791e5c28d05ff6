"""Sweep page: open a sweep's Parquet dataset under the results folder; heatmap with the threshold
contour, the Pareto fronts of cost against the renewable share and against residual emissions, and the tornado chart
of a one-at-a-time sweep (from :mod:`lingtan.twin.reports.sweep_plots`); KPIs by their names and units, in groups; a
click on a case loads that design into the scenario page, without reloading the page."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from dash import Input, Output, State, dash_table, dcc, html, no_update
from dash import ctx as dash_ctx
from dash.dash_table.Format import Format, Group, Scheme

from lingtan.dashboard.lang import current_lang
from lingtan.dashboard.safety import OutsideError, confine, safe_yaml
from lingtan.dashboard.sizes import apply_sizes
from lingtan.dashboard.ui import FONT, Context, card, empty, message, unexpected
from lingtan.errors import InputError
from lingtan.twin.reports.html import PLOT_CONFIG
from lingtan.twin.reports.i18n import label, unit_of
from lingtan.twin.reports.sweep_plots import column_title

DEFAULT_KPI = "re_electricity_share_onsite"
MAX_ROWS = 200_000
PLOTS = ("heatmap", "pareto_re", "pareto_emissions", "tornado")
CLICKABLE = ("heatmap", "pareto_re", "pareto_emissions")
"""Figures whose points are cases (a tornado's bars are ranges, not designs)."""
RE_SHARES = ("accounting.re_electricity_share_with_green_power", "re_electricity_share_onsite")
"""The Pareto front's renewable share: with green power when the dataset has it (what Anhui's criterion reads)."""
EMISSIONS = "accounting.residual_emissions_t"
GROUPS = (
    ("", "sweep_group_kpis"),
    ("accounting.", "sweep_group_accounting"),
    ("economics.", "sweep_group_economics"),
    ("pack.", "sweep_group_packs"),
    ("ensemble.", "sweep_group_ensemble"),
)
"""KPI groups of the dropdown by column prefix; a column takes the longest prefix it has."""


def layout(c: Context) -> html.Div:
    lang = current_lang()
    return html.Div(
        id="page-sweep",
        className="page",
        children=[
            html.H2(label("nav_page-sweep", lang)),
            card(
                html.Div(
                    className="grid-half",
                    children=[
                        html.Div(
                            [
                                html.Div(label("sweep_dataset", lang), className="label"),
                                dcc.Dropdown(id="sweep-pick", placeholder=label("sweep_choose", lang)),
                            ]
                        ),
                        html.Div(
                            [
                                html.Div(label("sweep_kpi_threshold", lang), className="label"),
                                html.Div(
                                    style={"display": "flex", "gap": "8px"},
                                    children=[
                                        html.Div(dcc.Dropdown(id="sweep-kpi", clearable=False), style={"flex": 1}),
                                        dcc.Input(
                                            id="sweep-threshold",
                                            type="number",
                                            placeholder=label("sweep_threshold", lang),
                                            step="any",
                                            debounce=True,
                                            style={"width": "110px"},
                                        ),
                                    ],
                                ),
                            ]
                        ),
                    ],
                ),
                html.Div(id="sweep-message"),
                title=label("sweep_open", lang),
            ),
            html.Div(id="sweep-plots"),
            card(
                html.Div(label("sweep_click_hint", lang), className="meta"),
                html.Div(id="sweep-table"),
                title=label("sweep_cases", lang),
            ),
            dcc.Store(id="sweep-meta"),
            # Navigates in the page (no reload): a reload would load the library's scenario over the clicked design.
            dcc.Location(id="sweep-nav", refresh="callback-nav"),
        ],
    )


# --------------------------------------------------------------------------- datasets


def list_sweeps(results_dir: Path, depth: int = 3) -> list[str]:
    """Folders under the results folder holding a sweep dataset (``cases/part-*.parquet``)."""
    base = Path(results_dir).resolve()
    out = []
    if not base.is_dir():
        return out
    for d in range(0, depth):
        for cases in base.glob("/".join(["*"] * d + ["cases"])):
            folder = cases.parent
            if cases.is_dir() and any(cases.glob("part-*.parquet")) and folder.resolve().is_relative_to(base):
                rel = folder.relative_to(base).as_posix()
                out.append(rel if rel != "." else ".")
    return sorted(set(out))


def read_sweep(results_dir: Path, rel: str) -> tuple[pd.DataFrame, dict]:
    folder = confine(results_dir, rel) if rel != "." else Path(results_dir).resolve()
    files = sorted((folder / "cases").glob("part-*.parquet"))
    if not files:
        raise FileNotFoundError(f"{rel}: no cases/part-*.parquet")
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    if len(df) > MAX_ROWS:
        df = df.iloc[:MAX_ROWS]
    meta = {}
    mf = folder / "sweep.json"
    if mf.is_file():
        try:
            meta = json.loads(mf.read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
    return df, meta


def param_names(df: pd.DataFrame, meta: dict) -> list[str]:
    names = [p.get("name") for p in meta.get("params", []) if isinstance(p, dict)]
    names = [n for n in names if n in df.columns]
    if names:
        return names
    return [c for c in df.columns if "[" in c or c.startswith("grid.")]


def kpi_options(df: pd.DataFrame, params: list[str]) -> list[str]:
    return [
        c
        for c in df.columns
        if c not in params
        and c != "case_hash"
        and pd.api.types.is_numeric_dtype(df[c])
        and not pd.api.types.is_bool_dtype(df[c])
    ]


def group_of(col: str) -> str:
    """The label key of a KPI column's group (:data:`GROUPS`)."""
    return max((g for g in GROUPS if col.startswith(g[0])), key=lambda g: len(g[0]))[1]


def kpi_title(col: str, lang: str = "en") -> str:
    """A KPI column by its name and unit (:func:`lingtan.twin.reports.sweep_plots.column_title`); a pack's column
    keeps the pack's id."""
    if col.startswith("pack."):
        _, pack, what = col.split(".", 2)
        return f"{pack} · {label(what, lang)}"
    return column_title(col, lang)


def kpi_dropdown(kpis: list[str], lang: str = "en") -> list[dict]:
    """The KPI dropdown's options: each group's heading (not selectable), then its KPIs by name and unit."""
    out = []
    for _, key in GROUPS:
        members = sorted((k for k in kpis if group_of(k) == key), key=lambda k: kpi_title(k, lang).lower())
        if members:
            out.append({"label": f"— {label(key, lang)} —", "value": f"group:{key}", "disabled": True})
            out += [{"label": kpi_title(k, lang), "value": k} for k in members]
    return out


# --------------------------------------------------------------------------- plots


def sweep_figures(df, params, kpi, threshold, meta, lang: str = "en") -> tuple[dict, list[str]]:
    """The figures of :mod:`lingtan.twin.reports.sweep_plots` that this sweep's data can give, by name, and a note per
    figure it cannot (the column or the design it lacks).

    The heatmap needs two parameters of a grid or Latin-hypercube design; the Pareto fronts the cost
    (:func:`lingtan.twin.reports.sweep_plots.cost_column`) and the renewable share or the residual emissions; the
    tornado a one-at-a-time design and its base values (``sweep.json``)."""
    try:
        import lingtan.twin.reports.sweep_plots as sp
    except ImportError:
        return {}, [
            "The sweep plots (lingtan.twin.reports.sweep_plots) are not installed in this version yet: the heatmap, "
            "Pareto front and tornado chart will appear here once they land. The cases are listed below."
        ]
    figs, notes = {}, []
    design = meta.get("design", "grid")
    if design == "oat":
        base = {p: float(v) for p, v in (meta.get("base") or {}).items() if p in params}
        if base:
            figs["tornado"] = sp.tornado(df, kpi, base)
        else:
            notes.append("tornado: sweep.json gives no base values of the parameters")
    elif len(params) >= 2:
        figs["heatmap"] = sp.heatmap(df, params[0], params[1], kpi, threshold, params=params, lang=lang)
    else:
        notes.append("heatmap: a heatmap needs two swept parameters")
    cost = sp.cost_column(df)
    share = next((c for c in RE_SHARES if c in df), None)
    for name, benefit, higher in (("pareto_re", share, True), ("pareto_emissions", EMISSIONS, False)):
        missing = [c for c in (cost, benefit) if c is None or c not in df]
        if missing:
            notes.append(f"{name}: the dataset has no {missing[0] or 'renewable share'} column (a sweep --no-verdicts)")
            continue
        figs[name] = sp.pareto(df, cost, benefit, params=params, higher_is_better=higher, lang=lang)
    return figs, notes


def row_for_click(df: pd.DataFrame, point: dict, xcol: str | None, ycol: str | None) -> int | None:
    """The case a clicked point stands for: by its case hash when the point carries it, else nearest in x, y."""
    if not point:
        return None
    cd = point.get("customdata")
    for v in cd if isinstance(cd, list) else [cd]:
        if isinstance(v, str) and "case_hash" in df.columns and (df["case_hash"] == v).any():
            return int(np.flatnonzero(df["case_hash"].to_numpy() == v)[0])
    cols = [(xcol, point.get("x")), (ycol, point.get("y"))]
    cols = [(c, v) for c, v in cols if c in df.columns and isinstance(v, (int, float))]
    if not cols:
        return None
    dist = np.zeros(len(df))
    for c, v in cols:
        col = pd.to_numeric(df[c], errors="coerce").to_numpy(float)
        span = np.nanmax(col) - np.nanmin(col) or 1.0
        dist += ((col - v) / span) ** 2
    dist = np.where(np.isfinite(dist), dist, np.inf)
    return int(np.argmin(dist)) if np.isfinite(dist).any() else None


def _axis_col(fig: dict, axis: str, df: pd.DataFrame) -> str | None:
    try:
        title = fig["layout"][axis]["title"]
        text = title.get("text", "") if isinstance(title, dict) else str(title)
    except (KeyError, TypeError):
        return None
    hits = [c for c in df.columns if c and c in (text or "")]
    return max(hits, key=len) if hits else None


def base_scenario(c: Context, meta: dict, store) -> tuple[dict | None, str]:
    """The scenario a sweep varied: its file when it lies in the library, else the one loaded now."""
    name = meta.get("scenario")
    if isinstance(name, str) and name:
        p = Path(name)
        for rel in (
            [p.relative_to(c.scenarios_dir.resolve()).as_posix()]
            if p.is_absolute() and p.resolve().is_relative_to(c.scenarios_dir.resolve())
            else []
        ) + [p.name]:
            try:
                path = confine(c.scenarios_dir, rel)
            except OutsideError:
                continue
            if path.is_file() and path.suffix in (".yaml", ".yml"):
                return safe_yaml(path.read_text(encoding="utf-8"), rel), rel
    if store and isinstance(store.get("data"), dict):
        return store["data"], store.get("label", "<scenario>")
    return None, ""


def load_design(c: Context, rel: str, row: int, store) -> tuple[object, object, object]:
    """(scenario store, url path, message) for the case in ``row`` of sweep ``rel``."""
    from lingtan.dashboard.pages_scenario import _jsonable, _validate

    try:
        df, meta = read_sweep(c.results_dir, rel)
    except (OutsideError, FileNotFoundError, OSError) as err:
        return no_update, no_update, message(str(err), "error")
    except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
        return no_update, no_update, unexpected(err, f"sweep {rel}")
    if row is None or not 0 <= row < len(df):
        return no_update, no_update, no_update
    params = param_names(df, meta)
    try:
        data, name = base_scenario(c, meta, store)
        if data is None:
            return no_update, no_update, message("Load the sweep's scenario on the Scenario page first.", "warn")
        design = {p: float(df.iloc[row][p]) for p in params if pd.notna(df.iloc[row][p])}
        new = apply_sizes(data, design, name)
        _validate(new, name, c)
    except InputError as err:
        return no_update, no_update, message(str(err), "error")
    except Exception as err:  # noqa: BLE001
        return no_update, no_update, unexpected(err, f"sweep {rel}, case {row}")
    return (
        {"label": name, "source": "sweep", "data": _jsonable(new), "design": design},
        "/scenario",
        message(f"Loaded case {row} into the scenario page.", "ok"),
    )


def column_format(df: pd.DataFrame, col: str) -> Format:
    """How the table shows a numeric column: fractions in % to 0.1, large numbers with thousands separators and no
    decimals, the rest to four significant digits."""
    if unit_of(col) == "fraction":
        return Format(precision=1, scheme=Scheme.percentage)
    big = pd.to_numeric(df[col], errors="coerce").abs().median() >= 100
    if big:
        return Format(precision=0, scheme=Scheme.fixed, group=Group.yes)
    return Format(precision=4, scheme=Scheme.decimal, group=Group.yes)


def table(df: pd.DataFrame, params: list[str], kpi: str | None, lang: str = "en") -> dash_table.DataTable:
    extra = [RE_SHARES[0], RE_SHARES[1], EMISSIONS, "economics.capex_cny", "economics.annualised_cost_cny"]
    cols = list(
        dict.fromkeys(params + ([kpi] if kpi and kpi in df.columns else []) + [c for c in extra if c in df.columns])
    )
    view = df[cols].copy()
    view.insert(0, "case", range(len(df)))
    columns = [{"name": label("sweep_case", lang), "id": "case", "type": "numeric"}] + [
        {"name": kpi_title(col, lang), "id": col, "type": "numeric", "format": column_format(df, col)} for col in cols
    ]
    return dash_table.DataTable(
        id="sweep-cases",
        data=view.head(5000).to_dict("records"),
        columns=columns,
        sort_action="native",
        page_size=12,
        style_cell={"textAlign": "right", "padding": "5px 8px", "fontSize": "12.5px", "fontFamily": FONT},
        style_header={"fontWeight": "700", "background": "#f4f6f9", "whiteSpace": "normal", "height": "auto"},
        style_table={"overflowX": "auto"},
    )


def _height(fig) -> int:
    try:
        h = fig.layout.height if hasattr(fig, "layout") else fig["layout"].get("height")
    except (KeyError, TypeError, AttributeError):
        h = None
    return int(h) if isinstance(h, (int, float)) and h > 0 else 450


def render(c: Context, rel: str | None, kpi: str | None, threshold, trigger: str | None = None):
    """(plots, table, kpi options, kpi value, threshold, message) for the chosen sweep.

    The threshold box takes the sweep's own threshold (``sweep.json``) for the sweep's own KPI when a sweep or a KPI
    is chosen, and is emptied for another KPI (a share's threshold means nothing on a cost); what the user types
    is kept."""
    if not rel:
        return None, empty("Choose a sweep dataset."), [], None, None, None
    try:
        df, meta = read_sweep(c.results_dir, rel)
    except (OutsideError, FileNotFoundError, OSError, ValueError) as err:
        return None, None, [], None, no_update, message(f"Cannot open {rel}: {err}", "error")
    except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
        return None, None, [], None, no_update, unexpected(err, f"sweep {rel}")
    params = param_names(df, meta)
    kpis = kpi_options(df, params)
    if kpi not in kpis:
        kpi = (
            meta.get("kpi")
            if meta.get("kpi") in kpis
            else (DEFAULT_KPI if DEFAULT_KPI in kpis else (kpis[0] if kpis else None))
        )
    if trigger == "sweep-threshold":
        th = threshold if isinstance(threshold, (int, float)) else None
    else:
        th = meta.get("threshold") if kpi == meta.get("kpi") else None
    lang = current_lang()
    figs, notes = sweep_figures(df, params, kpi, th, meta, lang)
    plots = [
        card(
            dcc.Graph(id=f"sweep-{n}", figure=f, config=PLOT_CONFIG, style={"height": f"{_height(f)}px"}),
            title=label(f"sweep_{n}", lang),
        )
        for n, f in figs.items()
    ]
    msgs = [message(n, "warn" if figs else "info", id="sweep-plots-note") for n in notes]
    info = message(f"{len(df):,} cases · parameters: {', '.join(params) or 'none found'}", "info")
    return [*msgs, *plots], table(df, params, kpi, lang), kpi_dropdown(kpis, lang), kpi, th, info


def register(app, c: Context) -> None:
    @app.callback(Output("sweep-pick", "options"), Input("url", "pathname"))
    def _list(path):
        if path != "/sweep":
            return no_update
        return [{"label": s, "value": s} for s in list_sweeps(c.results_dir)]

    @app.callback(
        Output("sweep-plots", "children"),
        Output("sweep-table", "children"),
        Output("sweep-kpi", "options"),
        Output("sweep-kpi", "value"),
        Output("sweep-threshold", "value"),
        Output("sweep-message", "children"),
        Input("sweep-pick", "value"),
        Input("sweep-kpi", "value"),
        Input("sweep-threshold", "value"),
    )
    def _render(rel, kpi, threshold):
        return render(c, rel, kpi, threshold, dash_ctx.triggered_id)

    # Graphs are created by _render, so their clicks are gathered through the table and the plots' container.
    @app.callback(
        Output("scenario-store", "data", allow_duplicate=True),
        Output("sweep-nav", "pathname"),
        Output("sweep-message", "children", allow_duplicate=True),
        Input("sweep-cases", "active_cell"),
        State("sweep-cases", "derived_viewport_data"),
        State("sweep-pick", "value"),
        State("scenario-store", "data"),
        prevent_initial_call=True,
    )
    def _from_table(cell, rows, rel, store):
        if not cell or not rows or not rel:
            return no_update, no_update, no_update
        r = rows[cell["row"]] if cell["row"] < len(rows) else None
        return load_design(c, rel, r["case"] if r else None, store)

    for name in CLICKABLE:

        @app.callback(
            Output("scenario-store", "data", allow_duplicate=True),
            Output("sweep-nav", "pathname", allow_duplicate=True),
            Output("sweep-message", "children", allow_duplicate=True),
            Input(f"sweep-{name}", "clickData"),
            State(f"sweep-{name}", "figure"),
            State("sweep-pick", "value"),
            State("scenario-store", "data"),
            prevent_initial_call=True,
        )
        def _from_plot(click, fig, rel, store):
            if not click or not rel:
                return no_update, no_update, no_update
            try:
                df, meta = read_sweep(c.results_dir, rel)
                params = param_names(df, meta)
                xcol = _axis_col(fig, "xaxis", df) or (params[0] if params else None)
                ycol = _axis_col(fig, "yaxis", df) or (params[1] if len(params) > 1 else None)
                row = row_for_click(df, click["points"][0], xcol, ycol)
            except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
                return no_update, no_update, unexpected(err, f"sweep {rel}")
            return load_design(c, rel, row, store)
