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
from collections import OrderedDict
from pathlib import Path

import pandas as pd
from dash import Input, Output, Patch, State, dcc, html, no_update
from dash import ctx as dash_ctx

from lingtan.dashboard import bill as bill_view
from lingtan.dashboard.lang import current_lang
from lingtan.dashboard.ui import Context, card, empty, message, table, unexpected
from lingtan.errors import InputError
from lingtan.twin.reports import html as rh
from lingtan.twin.reports.i18n import LABELS, label, pack_label, points_text, unit_text
from lingtan.twin.reports.odds_plots import axis_title, distribution_figure, headlines
from lingtan.twin.reports.summary import (
    criterion_name,
    economics_rows,
    economics_title,
    fleet_rows,
    ground_loop_rows,
    pack_groups,
    plant_rows,
)
from lingtan.twin.studies.economics import GRID_ONLY, grid_only_base, project_economics, scenario_assets
from lingtan.twin.studies.park import simulate_site

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
    lang = current_lang()

    def fig_card(title, gid, height, extra=None):
        # The report's figures have fixed heights; the graph's box must match them.
        return card(
            *([extra] if extra is not None else []),
            # responsive: the graph follows its column, also when drawn while its page was hidden
            dcc.Loading(
                dcc.Graph(id=gid, config=rh.PLOT_CONFIG, responsive=True, style={"height": f"{height}px"}), type="dot"
            ),
            title=title,
            id=f"{gid}-card",
        )

    week = html.Div(
        className="week",
        children=[
            html.Div(label("res_week", lang), className="label"),
            dcc.Slider(
                id="week",
                min=1,
                max=52,
                step=1,
                value=DEFAULT_WEEK,
                marks=dict(zip(MONTH_WEEKS, rh._month_names(lang), strict=True)),
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
                    html.H2(label("nav_page-results", lang), id="results-title"),
                    html.Div(
                        className="downloads",
                        children=[
                            html.Span(label("res_download", lang), className="label", style={"margin": "0 6px 0 0"}),
                            html.Button("CSV", id="dl-csv", className="btn-light", disabled=True),
                            html.Button("Parquet", id="dl-parquet", className="btn-light", disabled=True),
                            html.Button("Excel", id="dl-xlsx", className="btn-light", disabled=True),
                            html.Button(label("size_report", lang), id="dl-html", className="btn-light", disabled=True),
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
                    card(html.Div(id="results-sizes"), title=label("sizes_card", lang)),
                    card(html.Div(id="results-packs", className="packs"), title=label("section_packs", lang)),
                    card(
                        html.Div(
                            [
                                html.Span(label("econ_base", lang), className="label"),
                                dcc.Dropdown(
                                    id="econ-base", clearable=False, searchable=False, style={"minWidth": "320px"}
                                ),
                            ],
                            className="runbar",
                        ),
                        dcc.Loading(html.Div(id="results-economics"), type="dot"),
                        title=label("econ_card", lang),
                        id="economics-card",
                    ),
                    bill_view.bill_card(current_lang()),
                    card(
                        html.Div(id="results-odds"),
                        dcc.Dropdown(id="odds-kpi", clearable=False, searchable=False, style={"maxWidth": "520px"}),
                        dcc.Loading(
                            dcc.Graph(id="fig-odds", config=rh.PLOT_CONFIG, style={"height": "380px"}), type="dot"
                        ),
                        title=label("odds_column", lang),
                        id="odds-card",
                        style={"display": "none"},
                    ),
                    fig_card(label("res_dispatch", lang), "fig-dispatch", 520, week),
                    fig_card(label("res_monthly", lang), "fig-monthly", 460),
                    fig_card(label("section_monthly_heat", lang), "fig-heat", 420),
                    html.Div(
                        className="grid-half",
                        children=[
                            fig_card(label("section_sankey", lang), "fig-sankey", 560),
                            fig_card(label("res_emissions", lang), "fig-waterfall", 560),
                        ],
                    ),
                    fig_card(label("res_trends", lang), "fig-trends", 400),
                    card(html.Div(id="results-criteria"), title=label("res_criteria", lang)),
                ],
            ),
        ],
    )


# --------------------------------------------------------------------------- what a result shows


def figure_source(kind: str, result):
    """The object the report's figure functions read: a run, a plan's last year, or the park bus."""
    if kind == "plan":  # the final year, judged with the plan's verdicts (its trends too), as the plan's report
        last = result.years[-1]
        return types.SimpleNamespace(
            **{
                **{f: getattr(last, f) for f in last.__dataclass_fields__},
                "verdicts": result.verdicts,
                "packs": result.packs,
            }
        )
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
    return current_lang()  # the reader's choice in the header, not the scenario's lang


def verdict_state(vd: dict) -> str:
    """How a verdict is coloured: "pass", "fail", "part" (a scored item with some of its points) or "info"
    (not applicable, not assessable, undetermined)."""
    if vd.get("role") == "score" and vd.get("status", "pass") in ("pass", "fail"):
        pts, top = vd.get("points", 0), vd.get("max_points", 0)
        return "pass" if pts >= top else ("part" if pts > 0 else "fail")
    st = vd.get("status") or ("pass" if vd.get("passed") else "fail")
    return st if st in ("pass", "fail") else "info"


def _badge(state: str, text: str, **kw) -> html.Span:
    return html.Span(text, className=f"badge {state}", **kw)


def verdict_word(vd: dict, lang: str = "en") -> str:
    """The verdict as its badge reads: PASS or FAIL, a scored item's points ("PART 3/5"), or why there is
    no verdict ("n/a", "no verdict", "undetermined")."""
    state = verdict_state(vd)
    if vd.get("role") == "score" and state != "info":
        key = {"pass": "full", "part": "part", "fail": "nil"}[state]
        return f"{label(key, lang).upper()} {points_text(vd.get('points', 0))}/{points_text(vd.get('max_points', 0))}"
    if state == "info":
        return label(f"verdict_{vd.get('status')}", lang)
    return label(state, lang).upper()


def _margin_text(vd: dict, lang: str = "en") -> str:
    m = vd.get("margin")
    if not rh._num(m):
        return ""
    txt = rh.fmt_value(abs(m), vd.get("unit", ""), lang)
    return f"{label('verdict_margin', lang)} {'+' if m >= 0 else '−'}{txt}"


def variant_name(vd: dict) -> str:
    """The short name of the definition variant a verdict used: its variant text up to the first colon or
    semicolon ("onsite_plus_green_power"), the whole text when short; "" for a declared fact."""
    text = (vd.get("variant") or "").strip()
    short = re.split(r"[:;]", text, maxsplit=1)[0].strip()
    return short if len(short) <= 60 else short[:57] + "…"


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


def grid_cost_cny(kpis: dict) -> float | None:
    """The year's grid cost net of feed-in [CNY]: a factory's ``grid_cost_cny``, a park's bill total."""
    bill = kpis.get("grid_bill_cny")
    value = kpis.get("grid_cost_cny")
    if not rh._num(value) and isinstance(bill, dict):
        value = bill.get("total_cny")
    return float(value) if rh._num(value) else None


def share_variants(src) -> list[tuple[str, float]]:
    """The renewable electricity share in every definition variant the run has [fraction 0..1]: on-site,
    on-site delivered (storage losses left out), with contracted green power, with green certificates."""
    acc = getattr(getattr(src, "accounting", None), "kpis", None)
    out = [
        ("re_electricity_share_onsite", src.kpis.get("re_electricity_share_onsite")),
        ("re_electricity_share_onsite_delivered", src.kpis.get("re_electricity_share_onsite_delivered")),
        ("re_electricity_share_with_green_power", getattr(acc, "re_electricity_share_with_green_power", None)),
        ("re_electricity_share_with_certificates", getattr(acc, "re_electricity_share_with_certificates", None)),
    ]
    return [(k, float(v)) for k, v in out if rh._num(v)]


def kpi_card_divs(kind: str, result, ensemble=None) -> list:
    """The report's KPI cards. A card beside a threshold shows the figure its first criterion reads, named
    with that criterion's definition variant, and under it every verdict that reads the card (its own value
    where it differs, threshold, margin, PASS/FAIL; with an ensemble the criterion's P50, P90 and probability
    of passing) and the other variants of the KPI; a card without a criterion shows the KPI itself."""
    odds = ensemble.criterion_odds if ensemble is not None else {}
    src = figure_source(kind, result)
    lang = _lang(src)
    out = []
    for cd in rh.kpi_cards(src, lang):
        vds = cd["verdicts"]
        states = [verdict_state(vd) for vd in vds]
        state = "" if not vds else (" fail" if "fail" in states else (" part" if "part" in states else " pass"))
        value = grid_cost_cny(src.kpis) if cd["kpi"] == "grid_cost_cny" else cd["value"]
        head = vds[0] if vds else None
        if head is not None:
            value = head["value"]
            name = html.Div(
                [f"{label('verdict_variant', lang)}: ", html.B(variant_name(head) or head.get("input", ""))],
                className="s variant",
                title=head.get("variant", ""),
            )
        else:
            name = html.Div(label(cd["kpi"], lang), className="s")
        rows = []
        for vd, st in zip(vds, states, strict=True):
            unit = vd.get("unit", "")
            cmp = "≥" if cd["good_high"] else "≤"
            own = rh.fmt_value(vd["value"], unit, lang)
            own = "" if vd is head or own == rh.fmt_value(head["value"], head.get("unit", ""), lang) else f"{own} · "
            rows.append(
                html.Div(
                    className="vd",
                    title=f"{vd['criterion_id']}: {vd.get('clause', '')} · {label('variant', lang)} {variant_name(vd)}",
                    children=[
                        html.Span(
                            f"{own}{rh._pack_short(vd['pack'], lang)} {cmp} {rh.fmt_value(vd['threshold'], unit, lang)}"
                        ),
                        html.Span(_margin_text(vd, lang), className="m"),
                        _badge(st, verdict_word(vd, lang)),
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
        others = share_variants(src) if cd["kpi"] == "re_electricity_share_onsite" else []
        details = [
            html.Div(
                [html.Span(label(k, lang)), html.Span(rh._card_number(x, "fraction", lang))],
                className="det variant-other",
            )
            for k, x in others
            if head is None or abs(x - head["value"]) > 5e-4  # the one shown above is not repeated
        ] + [
            html.Div([html.Span(label(k, lang)), html.Span(rh._card_number(x, cd["unit"], lang))], className="det")
            for k, x in cd.get("details", [])
            if rh._num(x)
        ]
        out.append(
            html.Div(
                className=f"kpi{state}",
                id=f"kpi-{cd['kpi']}",
                children=[
                    html.Div(label(cd["key"], lang), className="t"),
                    html.Div(rh._card_number(value, cd["unit"], lang), className="v"),
                    name,
                    *rows,
                    *details,
                ],
            )
        )
    return out


def pack_divs(result, lang: str = "en") -> list:
    """One box per criteria pack: its points, then each group (admission, acceptance, targets, guiding) with one
    status over all its items and one each over the simulated, declared and missing ones, and the items that
    keep it from passing (:func:`lingtan.twin.reports.summary.pack_groups`, the terminal's own summary)."""
    if not result.packs:
        return [html.Div(label("no_criteria", lang), className="meta")]
    # A criterion by its id in English, by its clause in Chinese (the terminal's names: the id is an English key).
    names = {v["criterion_id"]: criterion_name(v, lang) for v in result.verdicts}
    out = []
    for p in result.packs:
        name = p["pack"] if lang == "en" else pack_label(p["pack"], lang)  # the id, as the terminal writes it
        children = [html.B(name, title=pack_label(p["pack"], lang))]
        if p.get("max_points"):
            pts = p["points"]
            st = "pass" if pts >= p["max_points"] else ("part" if pts > 0 else "fail")
            children.append(
                html.Div(
                    [
                        html.Span(f"{label('verdict_points', lang)} "),
                        _badge(
                            st, f"{points_text(pts)} / {points_text(p['max_points'])}", id=f"pack-points-{p['pack']}"
                        ),
                    ],
                    className="grp",
                )
            )
        for g in pack_groups(p, result.verdicts):
            st = g["status"] if g["status"] in ("pass", "fail") else "info"
            word = label(g["status"], lang).upper() if st != "info" else label(f"verdict_{g['status']}", lang)
            by_input = " · ".join(
                f"{label('verdict_' + i, lang)} "
                + (label(s, lang).upper() if s in ("pass", "fail") else label(f"verdict_{s}", lang))
                for i, s in g["by_input"].items()
            )
            children.append(
                html.Div(
                    [
                        html.Span(f"{label('verdict_' + g['group'], lang)} "),
                        _badge(st, word, id=f"pack-{p['pack']}-{g['group']}"),
                        html.Span(f" ({by_input})", className="meta"),
                    ],
                    className="grp",
                )
            )
            if g["open"]:
                children.append(
                    html.Div(
                        ", ".join(f"{names[cid]} ({label('verdict_' + inp, lang)})" for cid, _, inp in g["open"]),
                        className="meta open",
                    )
                )
        out.append(html.Div(className="pack", children=children))
    return out


def criteria_rows(kind: str, result, ensemble=None, lang: str = "en") -> list[dict]:
    """One row per verdict (a plan's trend verdicts too) for the criteria table, its cells as shown."""
    odds = ensemble.criterion_odds if ensemble is not None else {}
    rows = []
    for vd in all_verdicts(kind, result):
        unit = vd.get("unit", "")
        source = " · ".join(x for x in (vd.get("source_doc", ""), vd.get("clause", "")) if x)
        texts = ("text_zh", "text_en") if lang == "zh" else ("text_en", "text_zh")
        text = next((vd[t] for t in texts if vd.get(t)), vd.get("note", ""))
        rows.append(
            {
                "pack": vd.get("pack", "") if lang == "en" else pack_label(vd.get("pack", ""), lang, short=True),
                "criterion": criterion_name(vd, lang),
                "role": label(vd["role"], lang) if vd.get("role") else "",
                "value": rh.fmt_value(vd.get("value"), unit, lang),
                "threshold": rh.fmt_value(vd.get("threshold"), unit, lang),
                "margin": rh.fmt_value(vd.get("margin"), unit, lang),
                "verdict": verdict_word(vd, lang),
                "input": label(f"verdict_{vd['input']}", lang) if vd.get("input") else "",
                "variant": variant_name(vd),
                "source": source,
                "odds": odds_text(odds.get(vd["criterion_id"]), unit),
                "_class": {"verdict": verdict_state(vd), "source": "src"},
                "_title": {"criterion": text, "source": source, "variant": vd.get("variant", "")},
            }
        )
    return rows


CRITERIA_COLUMNS = [
    ("pack", "pack"),
    ("criterion", "criterion_id"),
    ("role", "role"),
    ("value", "value"),
    ("threshold", "threshold"),
    ("margin", "margin"),
    ("verdict", "verdict"),
    ("input", "input"),
    ("variant", "variant"),
    ("source", "source"),
]


def criteria_table(rows: list[dict], lang: str = "en") -> html.Div:
    """The criteria table of :func:`criteria_rows`; with an ensemble, the odds beside the verdict."""
    columns = [(k, label(key, lang)) for k, key in CRITERIA_COLUMNS]
    if any(r.get("odds") for r in rows):  # an ensemble run: the odds beside the verdict
        columns.insert(7, ("odds", label("odds_column", lang)))
    return table("criteria-table", rows, columns)


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


# --------------------------------------------------------------------------- cost


_base_cache: OrderedDict[tuple[str, str], object] = OrderedDict()
_base_lock = threading.Lock()
KEEP_BASES = 8
"""Grid-only base cases kept in memory (each is one simulated year)."""


def econ_run(kind: str, result):
    """The simulated year whose money the page shows: a run, a park, or a plan's final year."""
    return result.years[-1] if kind == "plan" else result


def _scenario(run):
    return getattr(run, "park", None) or run.scenario


def base_options(c: Context, run_store, lang: str = "en") -> list[dict]:
    """The base cases a run's cost can be compared against: none, grid only (the same scenario without PV,
    wind and batteries), and every other run of the same kind still in memory."""
    opts = [
        {"label": label("econ_base_grid_only", lang), "value": GRID_ONLY},
        {"label": label("econ_base_none", lang), "value": ""},
    ]
    res = c.manager.result(run_store.get("run_id")) if run_store else None
    if res is None:
        return opts
    folders = sorted(c.manager.runs_dir.iterdir(), key=lambda f: f.stat().st_mtime)
    for rid in (f.name for f in folders if f.is_dir() and f.name != run_store["run_id"]):
        other = c.manager.result(rid)
        if other is not None and other[0] == res[0]:
            opts.append({"label": f"{_scenario(econ_run(*other)).name} · {rid[:8]}", "value": rid})
    return opts


def base_result(c: Context, run_store, base: str | None):
    """The simulated base case ``base`` names (see :func:`base_options`), or None for none. The grid-only base
    is simulated once per run (:func:`lingtan.twin.studies.economics.grid_only_base`, the same base as
    ``twin run --base grid-only``) and kept."""
    if not base:
        return None
    kind, result = c.manager.result(run_store["run_id"])
    if base != GRID_ONLY:
        other = c.manager.result(base)
        if other is None or other[0] != kind:
            raise InputError(None, "base", f"a {kind} run still in memory", base)
        return econ_run(*other)
    key = (run_store["run_id"], GRID_ONLY)
    with _base_lock:
        if key not in _base_cache:
            sc = grid_only_base(_scenario(econ_run(kind, result)))
            _base_cache[key] = simulate_site(sc, c.scenarios_dir)
            while len(_base_cache) > KEEP_BASES:
                _base_cache.popitem(last=False)
        return _base_cache[key]


def economics_of(c: Context, run_store, base: str | None = GRID_ONLY) -> dict:
    """The run's economics (:func:`lingtan.twin.studies.economics.project_economics`, what the workbook and
    ``twin run`` print), against ``base`` when given."""
    kind, result = c.manager.result(run_store["run_id"])
    return project_economics(econ_run(kind, result), base=base_result(c, run_store, base))


def _econ_value(value, unit: str, lang: str) -> str:
    if isinstance(value, str):
        return value
    if not rh._num(value):  # an LCOE without on-site generation, a cost per tonne without tonnes avoided
        return label("econ_not_defined", lang)
    return f"{value:,.2f} {unit}"


def economics_div(econ: dict, lang: str = "en", base_name: str = "") -> html.Div:
    """The cost table: the rows of :func:`lingtan.twin.reports.summary.economics_rows` (capital, NPC,
    annualised and operating cost, LCOE; with a base the extra capital, savings, payback, IRR, emissions
    avoided and their cost), each row's value cell with an id from its English label (``econ-capital-cost``)."""
    rows = []
    for (text, value, unit), (en, _, _) in zip(
        economics_rows(econ, lang, base_name), economics_rows(econ, "en", base_name), strict=True
    ):
        if value is None:
            rows.append(html.Tr(html.Td(text, colSpan=2, className="head")))
            continue
        rid = "econ-" + re.sub(r"[^a-z0-9]+", "-", en.lower()).strip("-")
        rows.append(html.Tr([html.Td(text), html.Td(_econ_value(value, unit, lang), className="num", id=rid)]))
    return html.Div(
        [html.Div(economics_title(econ, lang), className="meta"), html.Table(html.Tbody(rows), className="tbl econ")]
    )


def economics_panel(c: Context, run_store, base: str | None) -> html.Div | None:
    """The cost card's content for ``base``; a one-line message when the base cannot be simulated."""
    res = c.manager.result(run_store.get("run_id")) if run_store else None
    if res is None:
        return None
    lang = _lang(figure_source(*res))
    try:
        econ = economics_of(c, run_store, base)
    except InputError as err:
        return message(f"{label('econ_base_failed', lang)}: {err}", "warn", id="econ-error")
    except Exception as err:  # noqa: BLE001 - one line on the page, the traceback in the log
        return unexpected(err, label("econ_base_failed", lang), id="econ-error")
    names = {o["value"]: o["label"] for o in base_options(c, run_store, lang)}
    return economics_div(econ, lang, names.get(base or "", "") if base else "")


HEAT_KINDS = ("heat_pump", "thermal_storage", "electric_boiler")


def size_rows(scenario, lang: str = "en") -> list[dict]:
    """The sizes that produced a run, one row per costed asset of its scenario.

    Parameters
    ----------
    scenario : Scenario or Park
        The run's scenario; its assets are read by :func:`lingtan.twin.studies.economics.scenario_assets`, the
        records the economics price.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    list of dict
        ``asset`` (``[tenant.]pv.roof``), ``kind`` (translated) and ``size``: PV [kWp]; energy [kWh or kWh_th]
        and power [kW or kW_th]; several wind turbines as count × rating [kW].
    """
    rows = []
    for a in scenario_assets(scenario):
        th = "_th" if a["kind"] in HEAT_KINDS else ""
        parts = [f"{a['kwp']:,.0f} kWp"] if "kwp" in a else []  # as the report's scenario summary writes sizes
        parts += [f"{a['kwh']:,.0f} kWh{th}"] if "kwh" in a else []
        if "kw" in a:
            n = a.get("units", 1)
            parts.append(f"{n:g} × {a['kw'] / n:,.0f} kW{th}" if n > 1 else f"{a['kw']:,.0f} kW{th}")
        key = f"lever_{a['kind']}" if f"lever_{a['kind']}" in LABELS else f"sizes_{a['kind']}"
        rows.append({"asset": a["name"], "kind": label(key, lang), "size": " · ".join(parts)})
    return rows


def sizes_table(scenario, lang: str = "en") -> html.Div:
    """The table of :func:`size_rows`.

    Parameters
    ----------
    scenario : Scenario or Park
        The run's scenario.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    dash.html.Div
        The table (id ``results-sizes-table``), or a line saying "none" for a grid-only scenario.
    """
    rows = size_rows(scenario, lang)
    if not rows:
        return html.Div(label("none", lang), className="meta")
    cols = [(k, label(f"sizes_{k}", lang)) for k in ("asset", "kind", "size")]
    return table("results-sizes-table", rows, cols)


def rows_table(
    rows: list[tuple[str, float | None, str]], table_id: str, section: str, lang: str = "en"
) -> html.Div | None:
    """(label, value, unit) rows under a heading, as a table with id ``table_id``: the fleet's
    (:func:`lingtan.twin.reports.summary.fleet_rows`), the ground loops'
    (:func:`lingtan.twin.reports.summary.ground_loop_rows`), the rest of the plant's
    (:func:`lingtan.twin.reports.summary.plant_rows`); None without rows.

    Parameters
    ----------
    rows : list of (str, float or None, str)
        The rows.
    table_id : str
        The table's id.
    section : str
        The heading's label key.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    dash.html.Div or None
    """
    if not rows:
        return None
    cells = [
        {
            "kpi": text,
            "value": label("not_applicable", lang) if v is None else f"{v:,.1f} {unit_text(unit, lang)}",
            "_class": {"value": "num"},
        }
        for text, v, unit in rows
    ]
    heading = html.Div(label(section, lang), className="meta")
    return html.Div([heading, table(table_id, cells, [("kpi", ""), ("value", "")])])


def headline_items(kind: str, result) -> list[tuple[str, str, str]]:
    """The few numbers the scenario page shows after a run, as (id, text, caption): the on-site renewable
    share, the grid cost, the annualised cost, residual CO2, and the criteria passed, simulated and declared
    counted apart; "–" where a number is not defined."""
    run = econ_run(kind, result)
    lang = _lang(figure_source(kind, result))
    k, acc = run.kpis, run.accounting
    annualised = project_economics(run)["annualised_cost_cny"]
    residual = acc.residual_emissions_t if acc is not None else None
    items = [
        (
            "headline-re",
            rh._card_number(k.get("re_electricity_share_onsite"), "fraction", lang),
            label("headline_re", lang),
        ),
        ("headline-cost", rh._card_number(grid_cost_cny(k), "CNY", lang), label("headline_grid_cost", lang)),
        ("headline-annualised", rh._card_number(annualised, "CNY", lang) + "/yr", label("headline_annualised", lang)),
        ("headline-co2", f"{residual:,.0f} t" if rh._num(residual) else "–", label("headline_co2", lang)),
    ]
    verdicts = [v for v in result.verdicts if v.get("role") != "score"]
    for inp in ("simulated", "declared", "missing"):
        these = [v for v in verdicts if v.get("input") == inp]
        if these:
            passed = sum(verdict_state(v) == "pass" for v in these)
            items.append(
                (f"headline-verdicts-{inp}", f"{passed} / {len(these)}", label(f"headline_passed_{inp}", lang))
            )
    return items


def render(c: Context, run_store, week: int = DEFAULT_WEEK) -> dict:
    """Everything the results page shows for a run, by component id."""
    hidden, shown = {"display": "none"}, {}
    res = c.manager.result(run_store.get("run_id")) if run_store else None
    out = {
        k: no_update
        for k in ("cards", "sizes", "packs", "criteria", "dispatch", "monthly", "heat", "sankey", "waterfall", "trends")
    }
    lang = current_lang()
    out.update(
        title=label("nav_page-results", lang),
        body_style=hidden,
        heat_style=hidden,
        trends_style=hidden,
        downloads=[True] * 4,
    )
    out.update(odds=None, odds_fig={}, odds_style=hidden, odds_options=[], odds_value=None)
    out.update(econ_options=[], econ_base=no_update)
    if res is None:
        out["empty"] = card(empty(label("res_none_yet" if not run_store else "res_gone", lang)))
        return out
    kind, result = res
    ensemble = c.manager.ensemble(run_store["run_id"])
    src = figure_source(kind, result)
    name = getattr(getattr(src, "scenario", None), "name", run_store.get("label", ""))
    out["title"] = (
        f"{label('nav_page-results', lang)} · {name}"
        + (label("res_park_bus", lang) if kind == "park" else "")
        + (f" · {label('res_plan_final', lang).format(year=result.years[-1].scenario.year)}" if kind == "plan" else "")
    )
    out["empty"] = None
    out["body_style"] = shown
    out["cards"] = kpi_card_divs(kind, result, ensemble)
    fleet = fleet_rows(src.kpis["vehicles"], lang) if src.kpis.get("vehicles") else []
    out["sizes"] = [
        sizes_table(_scenario(econ_run(kind, result)), lang),
        rows_table(fleet, "results-fleet-table", "section_vehicles", lang),
        rows_table(
            ground_loop_rows(src.kpis.get("heat", {}), lang), "results-ground-table", "section_ground_loops", lang
        ),
        rows_table(plant_rows(src.kpis, lang), "results-plant-table", "section_plant", lang),
    ]
    out["packs"] = pack_divs(result, lang)
    out["criteria"] = criteria_table(criteria_rows(kind, result, ensemble, lang), lang)
    out["econ_options"], out["econ_base"] = base_options(c, run_store, lang), GRID_ONLY
    if ensemble is not None:
        out["odds"], out["odds_fig"] = odds_panel(ensemble)
        out["odds_options"], out["odds_value"] = odds_choices(ensemble)
        out["odds_style"] = shown
        out["title"] += f" · {label('res_weather_years', lang).format(n=len(ensemble.members))}"
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
    out["downloads"] = [False, False, False, False]
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
    path = sub / ("report.xlsx" if which == "xlsx" else "report.html")
    if path.is_file():
        return path, ""
    if res is None:
        return None, "the run is no longer in memory: run it again"
    if kind == "park":  # twin run writes a park's reports with its folder: nothing to write on demand
        return None, f"{path.name} was not written"
    run = econ_run(kind, res[1])
    econ = None if kind == "plan" else project_economics(run)
    with _report_lock:
        if not path.is_file():
            if which == "xlsx":
                from lingtan.twin.reports.excel import write_excel

                write_excel(run, path, lang=current_lang(), economics=econ)
            else:
                ensemble = c.manager.ensemble(run_store["run_id"]) if kind == "run" else None
                rh.write_html(run, path, lang=current_lang(), economics=econ, ensemble=ensemble)
    return path, ""


def register(app, c: Context) -> None:
    bill_view.register(app, c)

    @app.callback(
        Output("results-title", "children"),
        Output("results-body-empty", "children"),
        Output("results-body", "style"),
        Output("results-cards", "children"),
        Output("results-sizes", "children"),
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
        Output("econ-base", "options"),
        Output("econ-base", "value"),
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
            o["sizes"],
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
            o["econ_options"],
            o["econ_base"],
        )

    @app.callback(
        Output("results-economics", "children"),
        Input("econ-base", "value"),
        Input("run-store", "data"),
    )
    def _economics(base, run_store):
        return economics_panel(c, run_store, base)

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
