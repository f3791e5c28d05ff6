"""Size page: the least-cost design that passes a criteria pack, searched in the background, loaded, run, reported.

From the scenario loaded on the Scenario page: pick a pack and the levers (sizes, the green-power volume, the
battery's dispatch), start the search (:func:`lingtan.twin.studies.sizing.size`, what ``twin size`` runs, as a
background job of :class:`lingtan.dashboard.worker.RunManager`) with its progress and a cancel button, read the
least-cost passing design with its margins and cost, load it into the scenario with one click, run it and download
its report.
"""

from __future__ import annotations

import copy
import math

from dash import ALL, Input, Output, State, dcc, html, no_update

from lingtan.dashboard.lang import current_lang
from lingtan.dashboard.pages_results import download_path
from lingtan.dashboard.pages_scenario import _jsonable, _progress, _validate, start_run
from lingtan.dashboard.ui import Context, card, empty, headline_cell, message, unexpected
from lingtan.errors import InputError
from lingtan.twin.core.schema.criteria import PACK_NAMES
from lingtan.twin.reports.html import fmt_value
from lingtan.twin.reports.i18n import label, pack_label
from lingtan.twin.studies.sizing import (
    ACCOUNTING_LEVERS,
    DEFAULT_LEVELS,
    LEVER_UNITS,
    LEVERS,
    SIZING_ROLES,
    apply_lever,
    default_levers,
    lever_sizes,
)

DISPATCH_MODES = ("load_following", "tou_arbitrage", "peak_shaving")
"""Battery dispatch strategies (:class:`lingtan.components.battery.Battery`): the dispatch lever sets every
battery of the scenario to one of them before the search (empty: as the scenario writes it)."""
ROW_STYLE = {"display": "flex", "gap": "12px", "alignItems": "center", "padding": "3px 0", "fontSize": "13px"}
"""A verdict's line: badge, criterion, value and margin side by side."""


def layout(c: Context) -> html.Div:
    lang = current_lang()
    return html.Div(
        id="page-size",
        className="page",
        children=[
            html.H2(label("size_page", lang), id="size-title"),
            card(
                html.Div(id="size-scenario", className="meta"),
                html.Div(
                    className="grid-half",
                    children=[
                        html.Div(
                            [
                                html.Div(label("size_pack", lang), className="label"),
                                dcc.Dropdown(id="size-pack", clearable=False),
                                html.Div(label("size_dispatch", lang), className="label"),
                                dcc.Dropdown(
                                    id="size-dispatch",
                                    options=[{"label": label(m, lang), "value": m} for m in DISPATCH_MODES],
                                    placeholder=label("size_dispatch_as_written", lang),
                                ),
                            ]
                        ),
                        html.Div([html.Div(label("size_levers", lang), className="label"), html.Div(id="size-levers")]),
                    ],
                ),
                html.Div(
                    className="runbar",
                    style={"marginTop": "14px"},
                    children=[
                        html.Button(label("size_start", lang), id="size-start", className="btn", n_clicks=0),
                        html.Button(label("size_cancel", lang), id="size-cancel", className="btn-light", disabled=True),
                        html.Div(id="size-progress", className="progress"),
                    ],
                ),
                html.Div(id="size-message"),
                title=label("size_question", lang),
            ),
            card(html.Div(id="size-result"), title=label("size_result", lang)),
            card(
                html.Div(
                    className="runbar",
                    children=[
                        html.Button(label("size_load", lang), id="size-load", className="btn-light", disabled=True),
                        html.Button(label("size_run", lang), id="size-run", className="btn-light", disabled=True),
                        html.Button(
                            label("size_report", lang), id="size-dl-report", className="btn-light", disabled=True
                        ),
                        dcc.Download(id="size-download"),
                    ],
                ),
                html.Div(id="size-load-message"),
                html.Div(id="size-run-state"),
                html.Div(id="size-verdict"),
                title=label("size_design_run", lang),
            ),
            dcc.Store(id="size-job", storage_type="memory"),
            dcc.Interval(id="size-poll", interval=500, disabled=True),
        ],
    )


# --------------------------------------------------------------------------- the question


def lever_rows(c: Context, store) -> list:
    """A checkbox and a levels box per lever; the scenario's default levers checked, those it has nothing to scale
    for disabled."""
    if not store or not isinstance(store.get("data"), dict):
        return [html.Div(label("size_no_scenario", current_lang()), className="meta")]
    lang = current_lang()
    try:
        sc = _validate(store["data"], store["label"], c)
    except InputError as err:
        return [message(str(err), "error")]
    checked = default_levers(sc)
    rows = []
    for lv in LEVERS:
        has = lv in ACCOUNTING_LEVERS or lever_sizes(sc, lv) > 0
        rows.append(
            html.Div(
                className="size-row",
                style={"gridTemplateColumns": "220px 1fr"},
                children=[
                    dcc.Checklist(
                        id={"type": "size-lever", "lever": lv},
                        options=[
                            {
                                "label": f" {label('lever_' + lv, lang)} [{LEVER_UNITS[lv]}]",
                                "value": lv,
                                "disabled": not has,
                            }
                        ],
                        value=[lv] if lv in checked else [],
                    ),
                    dcc.Input(
                        id={"type": "size-levels", "lever": lv},
                        type="text",
                        value=", ".join(f"{f:g}" for f in DEFAULT_LEVELS[lv]),
                        disabled=not has,
                        debounce=True,
                        placeholder=label("size_levels_help", lang),
                    ),
                ],
            )
        )
    return rows


def parse_levels(text, lever: str, file: str) -> list[float]:
    """The factors a levels box holds, e.g. ``"0.5, 1, 2"``.

    Parameters
    ----------
    text : str
        The box's text.
    lever : str
        The lever, for the error.
    file : str
        The scenario's name, for the error.

    Returns
    -------
    list of float
        Distinct factors >= 0, ascending.

    Raises
    ------
    InputError
        For text that is not a list of finite numbers >= 0.
    """
    where = f"levels of {lever}"
    expected = "factors of the scenario's size, finite numbers >= 0 separated by commas (e.g. 0.5, 1, 2)"
    parts = [p.strip() for p in str(text or "").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(file, where, expected, repr(text)) from None
    if not values or not all(math.isfinite(v) and v >= 0 for v in values):
        raise InputError(file, where, expected, repr(text))
    return sorted(set(values))


def with_dispatch(data: dict, mode: str | None) -> dict:
    """The scenario mapping with every battery (a factory's, a park's shared one, each tenant's) dispatched by
    ``mode``; ``data`` itself when ``mode`` is empty.

    Parameters
    ----------
    data : dict
        The scenario mapping (not changed).
    mode : str or None
        One of :data:`DISPATCH_MODES`.

    Returns
    -------
    dict
        A copy with the batteries' ``dispatch`` set.
    """
    if not mode:
        return data
    out = copy.deepcopy(data)
    sites = [out, out.get("shared") or {}, *(out.get("tenants") or [])]
    for site in sites:
        for bat in site.get("battery") or [] if isinstance(site, dict) else []:
            if isinstance(bat, dict):
                bat["dispatch"] = mode
                bat.pop("optimal", None)  # a rolling horizon belongs to dispatch optimal only (schema)
    return out


def start_sizing(c: Context, store, pack, checked: list, texts: list, ids: list[dict], dispatch):
    """Queue the sizing search. Returns (size-job store, message, poll disabled)."""
    if not store or not isinstance(store.get("data"), dict):
        return no_update, message(label("size_no_scenario", current_lang()), "warn"), True
    name = store["label"]
    vary = [lv for group in checked for lv in (group or [])]
    try:
        if pack not in PACK_NAMES:
            raise InputError(name, "criteria pack", f"one of {', '.join(PACK_NAMES)}", repr(pack))
        if not vary:
            raise InputError(name, "levers", f"at least one of {', '.join(LEVERS)}", "none")
        levels = {i["lever"]: parse_levels(t, i["lever"], name) for i, t in zip(ids, texts, strict=True)}
        data = with_dispatch(store["data"], dispatch)
        _validate(data, name, c)
        sizing = {"criteria": [pack], "vary": vary, "levels": {lv: levels[lv] for lv in vary}}
        job_id = c.manager.submit(data, name, c.scenarios_dir, sizing=sizing)
    except InputError as err:
        return no_update, message(str(err), "error", id="size-error"), True
    except RuntimeError as err:  # busy, or shutting down: submit's own messages
        return no_update, message(str(err), "warn"), True
    except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
        return no_update, unexpected(err, name, id="size-error"), True
    return {"job_id": job_id, "label": name, "pack": pack, "data": data}, None, False


# --------------------------------------------------------------------------- the answer


def result_view(res, lang: str = "en") -> html.Div:
    """The least-cost passing design: its levers, its cost and its margin on each criterion of the pack; or the
    closest design when none passes."""
    head = html.Div(
        f"{label('size_search', lang)}: {res.method}; {res.simulations} {label('size_simulations', lang)}, "
        f"{len(res.designs)} {label('size_designs', lang)}",
        className="meta",
    )
    unfixable = [
        html.Div(
            f"{u['criterion_id']}: {fmt_value(u['value'])} / {fmt_value(u['threshold'])} "
            f"({label('size_unfixable', lang)})",
            className="meta",
        )
        for u in res.unfixable
    ]
    d = res.chosen
    if d is None:
        best = max(res.designs, key=lambda x: x.min_margin)
        return html.Div(
            [
                head,
                message(
                    f"{label('size_none_passes', lang)}: "
                    + ", ".join(f"{label('lever_' + k, lang)} × {v:g}" for k, v in best.factors.items())
                    + f" ({label('size_failing', lang)}: {', '.join(best.failed)})",
                    "warn",
                    id="size-none",
                ),
                *unfixable,
            ]
        )
    levers = html.Table(
        className="size-table",
        children=[
            html.Tr(
                [
                    html.Th(label("size_lever", lang)),
                    html.Th(label("size_factor", lang)),
                    html.Th(label("size_size", lang)),
                ]
            )
        ]
        + [
            html.Tr(
                [
                    html.Td(label("lever_" + lv, lang)),
                    html.Td(f"× {d.factors[lv]:.4g}", id=f"size-factor-{lv}"),
                    html.Td(f"{d.sizes[lv]:,.0f} {LEVER_UNITS[lv]}"),
                ]
            )
            for lv in res.vary
        ],
    )
    money = html.Div(
        className="headline",
        children=[
            headline_cell(f"{d.capex_cny / 1e4:,.0f} 万 CNY", label("size_capex", lang), "size-capex"),
            headline_cell(
                f"{d.cost_cny_per_year / 1e4:,.0f} 万 CNY/yr", label("size_annualised", lang), "size-annualised"
            ),
            headline_cell(f"{d.npc_cny / 1e4:,.0f} 万 CNY", label("size_npc", lang), "size-npc"),
            headline_cell(
                f"{100 * d.re_share:.1f} %", label("re_electricity_share_with_green_power", lang), "size-re-share"
            ),
            headline_cell(f"{d.residual_emissions_t:,.0f} tCO2", label("residual_emissions_t", lang)),
        ],
    )
    rows = {
        cid: html.Div(
            style=ROW_STYLE,
            id=f"size-margin-{cid}",
            **{"data-margin": repr(m["margin"])},
            children=[
                html.Span("PASS" if m["passed"] else "FAIL", className=f"badge {'pass' if m['passed'] else 'fail'}"),
                html.Span(cid),
                html.Span(f"{label('verdict_margin', lang)} {margin_text(m['margin'], m.get('unit', ''))}"),
            ],
        )
        for cid, m in d.margins.items()
    }
    # What the search moved first; the declared items, which no size changes, folded below.
    margins = [rows[cid] for cid, m in d.margins.items() if m["fixable"]]
    fixed = [rows[cid] for cid, m in d.margins.items() if not m["fixable"]]
    if fixed:
        margins.append(html.Details([html.Summary(f"{len(fixed)} × {label('size_unfixable', lang)}"), *fixed]))
    return html.Div(
        [head, levers, money, html.Div(label("size_margins", lang), className="label"), *margins, *unfixable]
    )


def poll_sizing(c: Context, job):
    """(progress, poll disabled, start disabled, cancel disabled, message, result, load disabled)."""
    if not job or not job.get("job_id"):
        return html.Div(), True, False, True, no_update, no_update, True
    st = c.manager.status(job["job_id"])
    if st is None:
        return (
            html.Div(),
            True,
            False,
            True,
            message(label("size_unknown_job", current_lang()), "warn"),
            no_update,
            True,
        )
    progress = _progress(st, state_id="size-state")
    if st["status"] in ("queued", "running"):
        return progress, False, True, False, no_update, no_update, True
    if st["status"] in ("error", "stopped"):
        return progress, True, False, True, message(st["message"], "error", id="size-error"), None, True
    got = c.manager.result(job["job_id"])
    if got is None:
        return progress, True, False, True, message(label("size_gone", current_lang()), "warn"), None, True
    res = got[1]
    lang = current_lang()
    try:
        view = result_view(res, lang)
    except Exception as err:  # noqa: BLE001 - the search is done; its page must still say something
        return progress, True, False, True, unexpected(err, f"{job.get('label')}: sizing"), None, True
    notes = [message(n, "warn") for n in st.get("notes", [])]
    return progress, True, False, True, notes or None, view, res.chosen is None


def design_data(data: dict, res) -> dict:
    """The scenario mapping of the chosen design: each lever of the search applied to ``data`` at its factor, as
    the search applied it (:func:`lingtan.twin.studies.sizing.apply_lever`), the pack among the criteria.

    Parameters
    ----------
    data : dict
        The scenario mapping the search started from.
    res : SizingResult
        What the search found; its chosen design is applied.

    Returns
    -------
    dict
        A new mapping.
    """
    d = data
    for lever, factor in res.chosen.factors.items():
        d = apply_lever(d, lever, factor, "tenants" in data, res.reference)
    criteria = list(d.get("criteria") or [])
    return {**d, "criteria": criteria + [p for p in res.criteria if p not in criteria]}


def load_chosen(c: Context, job):
    """(scenario store, message, run disabled): the chosen design loaded into the Scenario page's store."""
    got = c.manager.result(job["job_id"]) if job and job.get("job_id") else None
    if got is None or got[1].chosen is None:
        return no_update, message(label("size_gone", current_lang()), "warn"), True
    res, name = got[1], job["label"]
    try:
        new = design_data(job["data"], res)
        _validate(new, name, c)
    except InputError as err:
        return no_update, message(str(err), "error"), True
    design = {label("lever_" + lv, current_lang()): res.chosen.sizes[lv] for lv in res.vary}
    return (
        {"label": name, "source": "sizing", "data": _jsonable(new), "design": design},
        message(label("size_loaded", current_lang()), "ok", id="size-loaded"),
        False,
    )


def margin_text(margin, unit: str = "") -> str:
    """A margin as the Size page shows it: a fraction's in percentage points to three significant digits (a search
    stops just past the threshold, where one decimal of a percent reads 0.0), anything else to four.

    Parameters
    ----------
    margin : float or None
        The margin (value minus threshold, or threshold minus value, in the criterion's unit).
    unit : str
        The criterion's unit.

    Returns
    -------
    str
        Signed text, ``–`` without a margin.
    """
    if margin is None or not math.isfinite(margin):
        return "–"
    return f"{100 * margin:+.3g} %" if unit.startswith("fraction") else f"{margin:+.4g}"


def _verdict_row(v: dict, lang: str) -> html.Div:
    unit = v.get("unit", "")
    return html.Div(
        style=ROW_STYLE,
        id=f"run-verdict-{v['criterion_id']}",
        children=[
            html.Span("PASS" if v["passed"] else "FAIL", className=f"badge {'pass' if v['passed'] else 'fail'}"),
            html.Span(
                f" {v['criterion_id']}: {fmt_value(v.get('value'), unit)} / {fmt_value(v.get('threshold'), unit)}"
            ),
            html.Span(
                f"{label('verdict_margin', lang)} {margin_text(v.get('margin'), unit)}",
                className="m",
                **{"data-margin": repr(v.get("margin"))},
            ),
        ],
    )


def verdict_view(c: Context, run_store, pack: str | None) -> html.Div | None:
    """The latest run's verdict on the sized pack: every admission and target criterion that reads a simulated value,
    with PASS/FAIL and its margin, and the run's capital cost
    (:func:`lingtan.twin.studies.economics.project_economics`)."""
    from lingtan.twin.studies.economics import project_economics

    got = c.manager.result(run_store.get("run_id")) if run_store else None
    if got is None or got[0] not in ("run", "park"):
        return None
    result = got[1]
    lang = current_lang()  # the reader's choice, not the scenario's lang
    rows = [
        _verdict_row(v, lang)
        for v in result.verdicts
        if v["pack"] == pack and v["role"] in SIZING_ROLES and v["input"] == "simulated"
    ]
    capex = project_economics(result)["capex_cny"]
    return html.Div(
        [
            html.Div(
                f"{label('size_latest_run', lang)}: {run_store.get('label', '')}",
                className="meta",
            ),
            html.Div(
                headline_cell(f"{capex / 1e4:,.0f} 万 CNY", label("size_capex", lang), "run-capex"),
                className="headline",
            ),
            *rows,
        ]
    )


def report_file(c: Context, run_store):
    """(path, reason) of the latest run's HTML report: the one ``twin run`` writes in a park's folder, else the
    results page's (written on demand)."""
    folder = c.manager.folder(run_store.get("run_id")) if run_store else None
    if folder is not None and (folder / "report.html").is_file():
        return folder / "report.html", ""
    return download_path(c, run_store, "html")


# --------------------------------------------------------------------------- wiring


def register(app, c: Context) -> None:
    @app.callback(
        Output("size-scenario", "children"),
        Output("size-pack", "options"),
        Output("size-pack", "value"),
        Output("size-levers", "children"),
        Input("scenario-store", "data"),
    )
    def _scenario(store):
        lang = current_lang()
        if not store or not isinstance(store.get("data"), dict):
            return label("size_no_scenario", lang), [], None, empty(label("size_no_scenario", lang))
        crit = [p for p in store["data"].get("criteria") or [] if p in PACK_NAMES]
        return (
            f"{store['data'].get('name', store['label'])} · {store['label']}",
            [{"label": p if lang == "en" else pack_label(p, lang), "value": p} for p in PACK_NAMES],
            crit[0] if crit else PACK_NAMES[0],
            lever_rows(c, store),
        )

    @app.callback(
        Output("size-job", "data"),
        Output("size-message", "children"),
        Output("size-poll", "disabled"),
        Input("size-start", "n_clicks"),
        State("scenario-store", "data"),
        State("size-pack", "value"),
        State({"type": "size-lever", "lever": ALL}, "value"),
        State({"type": "size-levels", "lever": ALL}, "value"),
        State({"type": "size-levels", "lever": ALL}, "id"),
        State("size-dispatch", "value"),
        prevent_initial_call=True,
    )
    def _start(n, store, pack, checked, texts, ids, dispatch):
        if not n:
            return no_update, no_update, no_update
        return start_sizing(c, store, pack, checked, texts, ids, dispatch)

    @app.callback(
        Output("size-message", "children", allow_duplicate=True),
        Input("size-cancel", "n_clicks"),
        State("size-job", "data"),
        prevent_initial_call=True,
    )
    def _cancel(n, job):
        if not n or not job:
            return no_update
        ok = c.manager.cancel(job["job_id"])
        return message(label("size_cancelled" if ok else "size_not_cancelled", current_lang()), "warn")

    @app.callback(
        Output("size-progress", "children"),
        Output("size-poll", "disabled", allow_duplicate=True),
        Output("size-start", "disabled"),
        Output("size-cancel", "disabled"),
        Output("size-message", "children", allow_duplicate=True),
        Output("size-result", "children"),
        Output("size-load", "disabled"),
        Input("size-poll", "n_intervals"),
        State("size-job", "data"),
        prevent_initial_call=True,
    )
    def _poll(_, job):
        return poll_sizing(c, job)

    @app.callback(
        Output("scenario-store", "data", allow_duplicate=True),
        Output("size-load-message", "children"),
        Output("size-run", "disabled"),
        Input("size-load", "n_clicks"),
        State("size-job", "data"),
        prevent_initial_call=True,
    )
    def _load(n, job):
        if not n:
            return no_update, no_update, no_update
        return load_chosen(c, job)

    # The run is the Scenario page's: the same job store and poll, so the Results page shows it as any run.
    @app.callback(
        Output("job-store", "data", allow_duplicate=True),
        Output("size-load-message", "children", allow_duplicate=True),
        Output("run-poll", "disabled", allow_duplicate=True),
        Input("size-run", "n_clicks"),
        State("scenario-store", "data"),
        prevent_initial_call=True,
    )
    def _run(n, store):
        if not n:
            return no_update, no_update, no_update
        return start_run(c, store, [], [])

    @app.callback(
        Output("size-run-state", "children"),
        Input("run-poll", "n_intervals"),
        State("job-store", "data"),
        prevent_initial_call=True,
    )
    def _run_state(_, job):
        st = c.manager.status(job["run_id"]) if job and job.get("run_id") else None
        return _progress(st, state_id="size-run-progress") if st else no_update

    @app.callback(
        Output("size-verdict", "children"),
        Output("size-dl-report", "disabled"),
        Input("run-store", "data"),
        State("size-pack", "value"),
    )
    def _verdict(run_store, pack):
        try:
            view = verdict_view(c, run_store, pack)
        except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
            return unexpected(err, "the run's verdict"), True
        return view, view is None

    @app.callback(
        Output("size-download", "data"),
        Output("size-load-message", "children", allow_duplicate=True),
        Input("size-dl-report", "n_clicks"),
        State("run-store", "data"),
        prevent_initial_call=True,
    )
    def _download(n, run_store):
        if not n:
            return no_update, no_update
        path, why = report_file(c, run_store)
        if path is None:
            return no_update, message(why, "warn")
        return dcc.send_file(str(path)), None
