"""The results page's bill card: the electricity bill by month beside the LP optimum's bill of the same plant.

The table is the HTML report's (:mod:`lingtan.twin.reports.bill`). A dashboard run is simulated without the LP
optimum (``twin run`` adds it to ``kpis.json``), so the card solves it once per run, as
:func:`lingtan.twin.studies.lp.solve.add_optimum_bill` does for ``twin run``, and keeps it.
"""

from __future__ import annotations

import threading
import types
from collections import OrderedDict
from typing import Any

from dash import Input, Output, dcc, html

from lingtan.dashboard.lang import current_lang
from lingtan.dashboard.ui import Context, card, table, unexpected
from lingtan.twin.reports.bill import YEAR_ROW, bill_frame, bill_notes, column_text, month_text, number_text
from lingtan.twin.reports.i18n import label

KEEP_LP = 8
"""LP optima kept in memory, one per run (each is a year's dispatch LP: seconds to a minute to solve again)."""
_lp_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_lp_lock = threading.Lock()


def bill_table(kpis: dict[str, Any], lang: str = "en") -> html.Div:
    """The bill by month of a run's KPIs, with its notes: the report's table as Dash components.

    Parameters
    ----------
    kpis : dict
        A run's KPIs; with ``grid_bill.lp_optimum`` the table has the LP optimum's bill and the difference.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    dash.html.Div
        The notes and the table (id ``results-bill-table``, year row of class ``sum``); a line saying there is
        no monthly bill (a run from before the monthly bill) otherwise.
    """
    frame = bill_frame(kpis)
    if frame is None:
        return html.Div(label("bill_none", lang), className="meta", id="results-bill-none")
    cols = [("month", label("month", lang))] + [(c, column_text(c, kpis, lang)) for c in frame.columns]
    num = {c: "num" for c in frame.columns}
    rows = [
        {
            "month": month_text(m, lang).replace(" ", "\u00a0"),  # "Jan 2025" on one line
            **{c: number_text(v) for c, v in row.items()},
            "_class": num,
            "_row_class": "sum" if m == YEAR_ROW else None,  # the page's style of a table's total row
        }
        for m, row in frame.iterrows()
    ]
    notes = [html.Div(n, className="meta") for n in bill_notes(kpis, lang)]
    return html.Div([*notes, table("results-bill-table", rows, cols)], className="econ")  # numbers as the cost card


def with_lp_optimum(run_id: str, run, base_dir) -> dict[str, Any]:
    """The run's KPIs with the LP optimum's bill beside its own, solved once per run and kept.

    Parameters
    ----------
    run_id : str
        The run's id (the cache key).
    run : RunResult
        The simulated factory year (a plan's final year); its own KPIs are left as they are.
    base_dir : path
        The folder its scenario's relative paths are read from.

    Returns
    -------
    dict
        A copy of ``run.kpis`` whose ``grid_bill`` has ``lp_optimum``
        (:func:`lingtan.twin.studies.lp.solve.add_optimum_bill`: its bill, or why it was not computed).
    """
    from lingtan.twin.studies.lp.solve import add_optimum_bill

    with _lp_lock:
        if run_id not in _lp_cache:
            kpis = {**run.kpis, "grid_bill": dict(run.kpis["grid_bill"])}
            add_optimum_bill(types.SimpleNamespace(scenario=run.scenario, kpis=kpis), base_dir)
            _lp_cache[run_id] = kpis
            while len(_lp_cache) > KEEP_LP:
                _lp_cache.popitem(last=False)
        return _lp_cache[run_id]


def bill_panel(c: Context, run_store) -> html.Div | None:
    """The bill card's content for the run in ``run_store``.

    Parameters
    ----------
    c : Context
        The dashboard's context (run manager, scenarios folder).
    run_store : dict or None
        The page's run store.

    Returns
    -------
    dash.html.Div or None
        :func:`bill_table` of the run with the LP optimum (a line why the LP failed, above the table without it);
        None without a run in memory.
    """
    res = c.manager.result(run_store.get("run_id")) if run_store else None
    if res is None:
        return None
    kind, result = res
    run = result.years[-1] if kind == "plan" else result
    lang = current_lang()  # the reader's choice in the header, as the rest of the page
    if kind == "park" or bill_frame(run.kpis) is None:  # the LP optimum is a factory's (twin run adds it there only)
        return bill_table(run.kpis, lang)
    try:
        kpis = with_lp_optimum(run_store["run_id"], run, c.scenarios_dir)
    except Exception as err:  # noqa: BLE001 - the run's own bill still shows; the traceback goes to the log
        return html.Div([unexpected(err, label("bill_lp_failed", lang)), bill_table(run.kpis, lang)])
    return bill_table(kpis, lang)


def bill_card(lang: str) -> html.Div:
    """The results page's bill card, filled by :func:`register`'s callback.

    Parameters
    ----------
    lang : {"en", "zh"}
        Language of its title.

    Returns
    -------
    dash.html.Div
        The card (id ``bill-card``) holding ``results-bill``.
    """
    return card(dcc.Loading(html.Div(id="results-bill"), type="dot"), title=label("section_bill", lang), id="bill-card")


def register(app, c: Context) -> None:
    """Fill the bill card whenever the page's run changes.

    Parameters
    ----------
    app : dash.Dash
        The app.
    c : Context
        The dashboard's context.
    """

    @app.callback(Output("results-bill", "children"), Input("run-store", "data"))
    def _bill(run_store):
        return bill_panel(c, run_store)


__all__ = ["bill_table", "bill_panel", "bill_card", "with_lp_optimum", "register", "KEEP_LP"]
