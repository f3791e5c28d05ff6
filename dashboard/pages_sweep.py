"""Sweep page: open a sweep's Parquet dataset under the results folder; heatmap with the threshold
contour, Pareto front and tornado chart (from :mod:`lingtan.twin.reports.sweep_plots`); a click loads that design
into the scenario page."""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from dash import Input, Output, State, dash_table, dcc, html, no_update

from lingtan.dashboard.safety import OutsideError, confine, safe_yaml
from lingtan.dashboard.sizes import apply_sizes
from lingtan.dashboard.ui import FONT, Context, card, empty, message, unexpected
from lingtan.errors import InputError
from lingtan.twin.reports.html import PLOT_CONFIG

DEFAULT_KPI = "re_electricity_share_onsite"
DEFAULT_THRESHOLD = 0.40
MAX_ROWS = 200_000
PLOTS = ("heatmap", "pareto", "tornado")


def layout(c: Context) -> html.Div:
    return html.Div(
        id="page-sweep",
        className="page",
        children=[
            html.H2("Sweep"),
            card(
                html.Div(
                    className="grid-half",
                    children=[
                        html.Div(
                            [
                                html.Div("Sweep dataset (under the results folder)", className="label"),
                                dcc.Dropdown(id="sweep-pick", placeholder="choose a sweep folder…"),
                            ]
                        ),
                        html.Div(
                            [
                                html.Div("KPI and threshold", className="label"),
                                html.Div(
                                    style={"display": "flex", "gap": "8px"},
                                    children=[
                                        html.Div(dcc.Dropdown(id="sweep-kpi", clearable=False), style={"flex": 1}),
                                        dcc.Input(
                                            id="sweep-threshold",
                                            type="number",
                                            value=DEFAULT_THRESHOLD,
                                            step="any",
                                            style={"width": "110px"},
                                        ),
                                    ],
                                ),
                            ]
                        ),
                    ],
                ),
                html.Div(id="sweep-message"),
                title="Open",
            ),
            html.Div(id="sweep-plots"),
            card(
                html.Div(
                    "Click a row (or a point above) to load that design into the scenario page.", className="meta"
                ),
                html.Div(id="sweep-table"),
                title="Cases",
            ),
            dcc.Store(id="sweep-meta"),
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


# --------------------------------------------------------------------------- plots


def _call(fn, df, params, kpi, threshold, base, design):
    avail = {
        "df": df,
        "frame": df,
        "data": df,
        "results": df,
        "rows": df,
        "table": df,
        "dataset": df,
        "params": params,
        "names": params,
        "param_names": params,
        "parameters": params,
        "x": params[0] if params else None,
        "y": params[1] if len(params) > 1 else None,
        "kpi": kpi,
        "metric": kpi,
        "threshold": threshold,
        "base": base,
        "design": design,
    }
    kwargs = {}
    for name, p in inspect.signature(fn).parameters.items():
        if name in avail and avail[name] is not None:
            kwargs[name] = avail[name]
        elif p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(
                f"lingtan.twin.reports.sweep_plots.{fn.__name__} needs {name!r}, which the dashboard cannot give"
            )
    return fn(**kwargs)


def sweep_figures(df, params, kpi, threshold, meta) -> tuple[dict, list[str]]:
    """The figures of :mod:`lingtan.twin.reports.sweep_plots` that can be drawn, and a note per figure that cannot."""
    try:
        import lingtan.twin.reports.sweep_plots as sp
    except ImportError:
        return {}, [
            "The sweep plots (lingtan.twin.reports.sweep_plots) are not installed in this version yet: the heatmap, "
            "Pareto front and tornado chart will appear here once they land. The cases are listed below."
        ]
    figs, notes = {}, []
    base = meta.get("base") or {}
    design = meta.get("design")
    for name in PLOTS:
        fn = getattr(sp, name, None)
        if fn is None:
            notes.append(f"lingtan.twin.reports.sweep_plots has no {name}()")
            continue
        try:
            fig = _call(fn, df, params, kpi, threshold, base, design)
        except Exception as err:  # noqa: BLE001 - one plot that does not fit this sweep is a note
            notes.append(f"{name}: {err}")
            continue
        if fig is not None:
            figs[name] = fig
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
        data, label = base_scenario(c, meta, store)
        if data is None:
            return no_update, no_update, message("Load the sweep's scenario on the Scenario page first.", "warn")
        design = {p: float(df.iloc[row][p]) for p in params if pd.notna(df.iloc[row][p])}
        new = apply_sizes(data, design, label)
        _validate(new, label, c)
    except InputError as err:
        return no_update, no_update, message(str(err), "error")
    except Exception as err:  # noqa: BLE001
        return no_update, no_update, unexpected(err, f"sweep {rel}, case {row}")
    return (
        {"label": label, "source": "sweep", "data": _jsonable(new), "design": design},
        "/scenario",
        message(f"Loaded case {row} into the scenario page.", "ok"),
    )


def table(df: pd.DataFrame, params: list[str], kpi: str | None) -> dash_table.DataTable:
    cols = (
        params
        + ([kpi] if kpi and kpi in df.columns else [])
        + [
            c
            for c in ("re_electricity_share_onsite", "economics.annualised_cost_cny", "grid_cost_cny")
            if c in df.columns and c != kpi
        ]
    )
    view = df[cols].copy()
    view.insert(0, "case", range(len(df)))
    for col in cols:
        view[col] = [
            round(float(v), 4) if isinstance(v, (int, float, np.number)) and math.isfinite(v) else v for v in view[col]
        ]
    return dash_table.DataTable(
        id="sweep-cases",
        data=view.head(5000).to_dict("records"),
        columns=[{"name": c, "id": c} for c in view.columns],
        sort_action="native",
        page_size=12,
        style_cell={"textAlign": "right", "padding": "5px 8px", "fontSize": "12.5px", "fontFamily": FONT},
        style_header={"fontWeight": "700", "background": "#f4f6f9"},
        style_table={"overflowX": "auto"},
    )


def _height(fig) -> int:
    try:
        h = fig.layout.height if hasattr(fig, "layout") else fig["layout"].get("height")
    except (KeyError, TypeError, AttributeError):
        h = None
    return int(h) if isinstance(h, (int, float)) and h > 0 else 450


def render(c: Context, rel: str | None, kpi: str | None, threshold):
    """(plots, table, kpi options, kpi value, message) for the chosen sweep."""
    if not rel:
        return None, empty("Choose a sweep dataset."), [], None, None
    try:
        df, meta = read_sweep(c.results_dir, rel)
    except (OutsideError, FileNotFoundError, OSError, ValueError) as err:
        return None, None, [], None, message(f"Cannot open {rel}: {err}", "error")
    except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
        return None, None, [], None, unexpected(err, f"sweep {rel}")
    params = param_names(df, meta)
    kpis = kpi_options(df, params)
    if kpi not in kpis:
        kpi = (
            meta.get("kpi")
            if meta.get("kpi") in kpis
            else (DEFAULT_KPI if DEFAULT_KPI in kpis else (kpis[0] if kpis else None))
        )
    th = threshold if isinstance(threshold, (int, float)) else meta.get("threshold", DEFAULT_THRESHOLD)
    figs, notes = sweep_figures(df, params, kpi, th, meta)
    plots = [
        card(
            dcc.Graph(id=f"sweep-{n}", figure=f, config=PLOT_CONFIG, style={"height": f"{_height(f)}px"}),
            title=n.capitalize(),
        )
        for n, f in figs.items()
    ]
    msgs = [message(n, "warn" if figs else "info", id="sweep-plots-note") for n in notes]
    info = message(f"{len(df):,} cases · parameters: {', '.join(params) or 'none found'}", "info")
    return [*msgs, *plots], table(df, params, kpi), [{"label": k, "value": k} for k in kpis], kpi, info


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
        Output("sweep-message", "children"),
        Input("sweep-pick", "value"),
        Input("sweep-kpi", "value"),
        Input("sweep-threshold", "value"),
    )
    def _render(rel, kpi, threshold):
        return render(c, rel, kpi, threshold)

    # Graphs are created by _render, so their clicks are gathered through the table and the plots' container.
    @app.callback(
        Output("scenario-store", "data", allow_duplicate=True),
        Output("url", "pathname"),
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

    for name in PLOTS:

        @app.callback(
            Output("scenario-store", "data", allow_duplicate=True),
            Output("url", "pathname", allow_duplicate=True),
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
