"""Scenario page: pick or upload a scenario, edit its key sizes, run it in the background."""

from __future__ import annotations

import json
import math

from dash import ALL, MATCH, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx

from lingtan.dashboard.lang import current_lang
from lingtan.dashboard.pages_results import headline_items
from lingtan.dashboard.safety import (
    MAX_UPLOAD_BYTES,
    OutsideError,
    check_scenario_paths,
    confine,
    display_name,
    list_scenarios,
    parse_upload,
    safe_yaml,
)
from lingtan.dashboard.sizes import apply_sizes, size_fields
from lingtan.dashboard.ui import Context, card, headline_cell, message, unexpected
from lingtan.dashboard.worker import MAX_WEATHER_YEARS
from lingtan.errors import InputError
from lingtan.twin.reports.i18n import label as _label
from lingtan.twin.reports.i18n import pack_label

DEFAULT_SCENARIO = "hefei_auto_parts.yaml"


def _t(key: str) -> str:
    """A label of the page in the reader's language (:func:`lingtan.dashboard.lang.current_lang`)."""
    return _label(key, current_lang())


def layout(c: Context) -> html.Div:
    names = list_scenarios(c.scenarios_dir)
    default = DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else (names[0] if names else None)
    return html.Div(
        id="page-scenario",
        className="page",
        children=[
            html.H2(_t("scn_title")),
            html.Div(
                className="grid2",
                children=[
                    html.Div(
                        [
                            card(
                                html.Div(_t("scn_library"), className="label"),
                                dcc.Dropdown(
                                    id="scenario-pick",
                                    options=[{"label": n, "value": n} for n in names],
                                    value=default,
                                    clearable=False,
                                    searchable=True,
                                ),
                                html.Div(_t("scn_or_upload"), className="label", style={"marginTop": "16px"}),
                                dcc.Upload(
                                    id="scenario-upload",
                                    className="upload",
                                    accept=".yaml,.yml",
                                    multiple=False,
                                    max_size=4 * MAX_UPLOAD_BYTES,
                                    children=html.Div(
                                        [
                                            _t("scn_drop"),
                                            html.A(_t("scn_choose_file")),
                                            html.Div(
                                                _t("scn_upload_limit").format(kb=MAX_UPLOAD_BYTES // 1024),
                                                className="meta",
                                            ),
                                        ]
                                    ),
                                ),
                                html.Div(id="scenario-message"),
                                title=_t("scn_choose"),
                            ),
                            card(html.Div(id="scenario-summary", className="meta"), title=_t("scn_loaded")),
                        ]
                    ),
                    html.Div(
                        [
                            card(
                                html.Div(
                                    className="runbar",
                                    children=[
                                        html.Button(_t("scn_run_button"), id="run-btn", className="btn", n_clicks=0),
                                        html.Div(id="run-progress", className="progress"),
                                    ],
                                ),
                                html.Div(
                                    className="runbar",
                                    title=_t("scn_weather_years_hint"),
                                    children=[
                                        html.Label(_t("scn_weather_years"), htmlFor="weather-years", className="label"),
                                        dcc.Input(
                                            id="weather-years",
                                            type="number",
                                            min=0,
                                            max=MAX_WEATHER_YEARS,
                                            step=1,
                                            placeholder=_t("scn_typical_only"),
                                            debounce=True,
                                        ),
                                        html.Span(
                                            _t("scn_weather_years_range").format(n=MAX_WEATHER_YEARS), className="meta"
                                        ),
                                    ],
                                ),
                                html.Div(id="run-message"),
                                html.Div(id="run-headline"),
                                title=_t("scn_run"),
                            ),
                            card(html.Div(id="sizes"), title=_t("scn_sizes")),
                        ]
                    ),
                ],
            ),
            dcc.Interval(id="run-poll", interval=400, disabled=True),
        ],
    )


# --------------------------------------------------------------------------- loading


def _jsonable(data):
    """YAML gives dates and the like; the browser store holds JSON."""
    return json.loads(json.dumps(data, default=str))


def _validate(data, label: str, c: Context):
    """Check a parsed scenario as the run will: file paths confined, then the models. Returns the model."""
    from lingtan.twin.core.scenario import scenario_from_dict

    check_scenario_paths(data, c.scenarios_dir, label)
    sc = scenario_from_dict(data, label)
    if getattr(sc, "plan", None) is not None:
        from lingtan.twin.studies.plan import check_plan

        check_plan(data, file=label)
    return sc


def load_choice(
    c: Context, trigger: str | None, pick: str | None, contents: str | None, filename: str | None
) -> tuple[object, object]:
    """The scenario store and the message, after a library pick or an upload."""
    if trigger == "scenario-upload":
        if not contents:
            return no_update, no_update
        label = display_name(filename)
        try:
            data = parse_upload(contents, filename)
            _validate(data, label, c)
        except InputError as err:
            return no_update, message(str(err), "error", id="scenario-error")
        except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
            return no_update, unexpected(err, label, id="scenario-error")
        return (
            {"label": label, "source": "upload", "data": _jsonable(data)},
            message(_t("scn_uploaded").format(name=label), "ok"),
        )
    if not pick:
        return no_update, message(_t("scn_library_empty"), "warn")
    try:
        path = confine(c.scenarios_dir, pick)
        if not path.is_file() or path.suffix not in (".yaml", ".yml"):
            raise OutsideError(pick)
        data = safe_yaml(path.read_text(encoding="utf-8"), pick)
        _validate(data, pick, c)
    except OutsideError:
        return no_update, message(_t("scn_not_in_library").format(name=pick), "error", id="scenario-error")
    except InputError as err:
        return no_update, message(str(err), "error", id="scenario-error")
    except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
        return no_update, unexpected(err, pick, id="scenario-error")
    return {"label": pick, "source": "library", "data": _jsonable(data)}, None


def _count(data: dict, key: str) -> int:
    v = data.get(key)
    return len(v) if isinstance(v, list) else 0


def summary(store) -> list:
    if not store or not isinstance(store.get("data"), dict):
        return [html.Div(_t("scn_none_loaded"))]
    d = store["data"]
    kind = "park" if "tenants" in d else ("plan" if d.get("plan") else "factory")
    site = d.get("site") or {}
    source = _t("scn_source_" + store.get("source")) if store.get("source") in ("library", "upload") else ""
    parts = [
        html.Div(html.B(d.get("name", store["label"])), style={"fontSize": "16px", "color": "#1d2733"}),
        html.Div(d.get("description", "")),
        html.Div(
            _t("scn_kind_line").format(kind=_t("scn_kind_" + kind), name=store["label"], source=source)
            + f" · {_t('year').lower()} {d.get('year', '–')}"
        ),
    ]
    if site:
        parts.append(html.Div(f"{_t('site')} {site.get('latitude', '?')}° N, {site.get('longitude', '?')}° E"))
    if kind == "park":
        parts.append(
            html.Div(
                _t("scn_park_counts").format(
                    tenants=_count(d, "tenants"),
                    pv=_count(d.get("shared") or {}, "pv"),
                    network=_t("yes" if d.get("network") else "no"),
                )
            )
        )
    else:
        parts.append(
            html.Div(
                _t("scn_factory_counts").format(
                    loads=_count(d, "loads"),
                    lines=_count(d, "processes"),
                    pv=_count(d, "pv"),
                    wind=_count(d, "wind"),
                    battery=_count(d, "battery"),
                )
            )
        )
    crit = d.get("criteria") or []
    if crit:
        lang = current_lang()
        parts.append(html.Div(f"{_t('criteria_packs')}: " + ", ".join(pack_label(str(p), lang) for p in crit)))
    if store.get("design"):
        parts.append(
            message(
                _t("scn_design_from_sweep") + ", ".join(f"{k} = {v:,.6g}" for k, v in store["design"].items()),
                "info",
            )
        )
    return parts


# --------------------------------------------------------------------------- sizes


def _step(top: float, integer: bool) -> float:
    return 1 if integer else max(top / 200.0, 1e-6)


def size_rows(store) -> list:
    if not store or not isinstance(store.get("data"), dict):
        return [html.Div(_t("scn_load_to_edit"), className="meta")]
    fields = size_fields(store["data"])
    if not fields:
        return [html.Div(_t("scn_no_sizes"), className="meta")]
    rows = []
    for f in fields:
        step = _step(f.slider_max, f.integer)
        rows.append(
            html.Div(
                className="size-row",
                children=[
                    html.Div([f"{f.label} [{f.unit}]", html.Small(f.path)], className="name"),
                    dcc.Input(
                        id={"type": "size-num", "path": f.path},
                        type="number",
                        value=_clean(f.value),
                        min=0,
                        step=1 if f.integer else "any",
                        debounce=True,
                        required=True,
                    ),
                    dcc.Slider(
                        id={"type": "size-slider", "path": f.path},
                        min=0,
                        max=f.slider_max,
                        step=step,
                        value=min(f.value, f.slider_max),
                        marks=None,
                        updatemode="mouseup",
                        allow_direct_input=False,
                        tooltip={"placement": "bottom", "always_visible": False},
                    ),
                ],
            )
        )
    return rows


def _clean(v: float):
    return int(v) if float(v).is_integer() else round(v, 6)


def sync_size(trigger_type: str | None, num, slider, slider_max: float | None):
    """Keep a number box and its slider together; the box may go beyond the slider's range."""
    if trigger_type == "size-slider":
        return (_clean(slider) if slider is not None else no_update), no_update
    if num is None or not isinstance(num, (int, float)) or not math.isfinite(num):
        return no_update, no_update
    top = slider_max if slider_max is not None else num
    return no_update, min(max(num, 0), top)


# --------------------------------------------------------------------------- running


def with_weather_years(data: dict, years, label: str) -> dict:
    """The scenario mapping with ``weather.ensemble.years`` set from the page's "weather years" box.

    Parameters
    ----------
    data : dict
        The scenario mapping (not changed).
    years : int, float or None
        The box's value; None or 0 leaves the scenario as it is (its own ``weather.ensemble``, if any).
    label : str
        The scenario's name, for errors.

    Returns
    -------
    dict
        ``data``, or a copy whose weather asks for ``years`` synthetic members.

    Raises
    ------
    InputError
        For a count outside 2..:data:`MAX_WEATHER_YEARS`, or a scenario whose weather is not synthetic.
    """
    if years is None or years == 0:
        return data
    if not isinstance(years, (int, float)) or not float(years).is_integer() or not 2 <= years <= MAX_WEATHER_YEARS:
        raise InputError(label, "weather years", f"an integer from 2 to {MAX_WEATHER_YEARS}", str(years))
    weather = data.get("weather")
    if not isinstance(weather, dict) or weather.get("source") != "synthetic":
        found = weather.get("source") if isinstance(weather, dict) else weather
        raise InputError(
            label,
            "weather years",
            "synthetic weather (weather.source: synthetic); for file weather give weather.ensemble.paths",
            f"weather.source: {found}",
        )
    return {**data, "weather": {**weather, "ensemble": {"years": int(years)}}}


def start_run(c: Context, store, values: list, ids: list[dict], years=None):
    """Apply the edited sizes and the weather years, validate, queue the run. Returns (job store, message, poll
    disabled)."""
    if not store or not isinstance(store.get("data"), dict):
        return no_update, message(_t("scn_load_first"), "warn"), True
    label = store["label"]
    try:
        data = apply_sizes(store["data"], {i["path"]: v for i, v in zip(ids, values, strict=True)}, label)
        data = with_weather_years(data, years, label)
        _validate(data, label, c)
        run_id = c.manager.submit(data, label, c.scenarios_dir)
    except InputError as err:
        return no_update, message(str(err), "error", id="run-error"), True
    except RuntimeError as err:  # busy, or shutting down: submit's own messages
        return no_update, message(str(err), "warn"), True
    except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
        return no_update, unexpected(err, label, id="run-error"), True
    return {"run_id": run_id, "label": label}, None, False


def _progress(st: dict | None, state_id: str = "run-state") -> html.Div:
    if not st:
        return html.Div()
    failed = st["status"] in ("error", "stopped")
    if st["status"] == "done":
        frac, txt = 1.0, _t("scn_done_in").format(s=st["elapsed"])
    elif failed:
        frac, txt = 1.0, _t("scn_failed" if st["status"] == "error" else "scn_stopped")
    elif st["status"] == "queued":
        frac, txt = 0.0, _t("scn_queued").format(s=st["elapsed"])
    else:
        frac = min(0.95, 1 - math.exp(-st["elapsed"] / max(st["expected"], 0.5)))
        txt = _t("scn_running").format(kind=st["kind"], s=st["elapsed"], about=st["expected"])
    return html.Div(
        [
            html.Div(
                html.Div(
                    className="fill",
                    style={"width": f"{100 * frac:.0f}%", **({"background": "#c0392b"} if failed else {})},
                ),
                className="track",
            ),
            html.Div(txt, className="txt", id=state_id, **{"data-status": st["status"], "data-run": st["id"]}),
        ]
    )


def headline(kind: str, result) -> html.Div:
    """The few numbers shown on the scenario page after a run (the results page has the rest)."""
    items = headline_items(kind, result)
    return html.Div(
        [headline_cell(v, t, i) for i, v, t in items]
        + [
            html.Div(
                dcc.Link("Open the results →", href="/results", id="open-results"),
                className="hl",
                style={"alignSelf": "center"},
            )
        ]
        + (
            [html.Div(dcc.Link("Park page →", href="/park"), className="hl", style={"alignSelf": "center"})]
            if kind == "park"
            else []
        ),
        className="headline",
    )


def poll(c: Context, job):
    """Progress, then (when done) the run store and the headline. Returns
    (progress, run store, poll disabled, run button disabled, message, headline)."""
    if not job or not job.get("run_id"):
        return html.Div(), no_update, True, False, no_update, no_update
    st = c.manager.status(job["run_id"])
    if st is None:
        return (
            html.Div(),
            no_update,
            True,
            False,
            message(_t("scn_run_unknown"), "warn"),
            no_update,
        )
    if st["status"] in ("queued", "running"):
        return _progress(st), no_update, False, True, no_update, no_update
    if st["status"] in ("error", "stopped"):
        return _progress(st), no_update, True, False, message(st["message"], "error", id="run-error"), None
    res = c.manager.result(job["run_id"])
    notes = [message(n, "warn") for n in st.get("notes", [])]
    if res is None:
        return _progress(st), no_update, True, False, message(_t("scn_result_gone"), "warn"), None
    kind, result = res
    store = {"run_id": job["run_id"], "kind": kind, "label": job.get("label")}
    try:
        top = headline(kind, result)
    except Exception as err:  # noqa: BLE001 - the run is done; its page must still say something
        return (
            _progress(st),
            store,
            True,
            False,
            unexpected(err, f"{job.get('label')}: the headline", id="run-error"),
            None,
        )
    return _progress(st), store, True, False, notes or None, top


# --------------------------------------------------------------------------- wiring


def register(app, c: Context) -> None:
    @app.callback(
        Output("scenario-store", "data"),
        Output("scenario-message", "children"),
        Output("scenario-upload", "contents"),
        Input("scenario-pick", "value"),
        Input("scenario-upload", "contents"),
        State("scenario-upload", "filename"),
        prevent_initial_call=False,
    )
    def _load(pick, contents, filename):
        store, msg = load_choice(c, dash_ctx.triggered_id, pick, contents, filename)
        return store, msg, None

    @app.callback(Output("scenario-summary", "children"), Output("sizes", "children"), Input("scenario-store", "data"))
    def _render(store):
        return summary(store), size_rows(store)

    @app.callback(
        Output({"type": "size-num", "path": MATCH}, "value"),
        Output({"type": "size-slider", "path": MATCH}, "value"),
        Input({"type": "size-num", "path": MATCH}, "value"),
        Input({"type": "size-slider", "path": MATCH}, "value"),
        State({"type": "size-slider", "path": MATCH}, "max"),
        prevent_initial_call=True,
    )
    def _sync(num, slider, top):
        t = dash_ctx.triggered_id
        return sync_size(t.get("type") if isinstance(t, dict) else None, num, slider, top)

    @app.callback(
        Output("job-store", "data"),
        Output("run-message", "children"),
        Output("run-poll", "disabled"),
        Output("run-headline", "children", allow_duplicate=True),
        Input("run-btn", "n_clicks"),
        State("scenario-store", "data"),
        State({"type": "size-num", "path": ALL}, "value"),
        State({"type": "size-num", "path": ALL}, "id"),
        State("weather-years", "value"),
        prevent_initial_call=True,
    )
    def _run(n, store, values, ids, years):
        if not n:
            return no_update, no_update, no_update, no_update
        job, msg, disabled = start_run(c, store, values, ids, years)
        return job, msg, disabled, None if job is no_update else no_update  # no old headline beside an error

    @app.callback(
        Output("run-progress", "children"),
        Output("run-store", "data"),
        Output("run-poll", "disabled", allow_duplicate=True),
        Output("run-btn", "disabled"),
        Output("run-message", "children", allow_duplicate=True),
        Output("run-headline", "children"),
        Input("run-poll", "n_intervals"),
        State("job-store", "data"),
        prevent_initial_call=True,
    )
    def _poll(_, job):
        return poll(c, job)
