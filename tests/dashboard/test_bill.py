"""The results page's bill card (``lingtan.dashboard.bill``), without a browser: the table holds the twelve months and
the year of the run's own bill, the LP optimum's bill of the same plant solved once per run beside it, and a park's
bus, billed in year totals only, says so."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from dash.development.base_component import Component

from lingtan.dashboard import bill as bv
from lingtan.dashboard import pages_results
from lingtan.dashboard.app import create_app
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.reports.i18n import label
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
FACTORY = SCENARIOS / "hefei_auto_parts.yaml"


@pytest.fixture(scope="module")
def run():
    return simulate(load_scenario(FACTORY), FACTORY.parent)


def _find(node, tid: str):
    """The component of id ``tid`` in a layout."""
    if isinstance(node, (list, tuple)):
        return next((f for x in node if (f := _find(x, tid)) is not None), None)
    if not isinstance(node, Component):
        return None
    if getattr(node, "id", None) == tid:
        return node
    return _find(getattr(node, "children", None), tid)


def _rows(div) -> dict[str, list[str]]:
    """{first cell: cells} of the bill table's body, and its heading row under ``"head"``."""
    tbl = _find(div, "results-bill-table")
    head, body = tbl.children
    rows = {"head": [th.children for th in head.children.children]}
    rows.update(
        {tr.children[0].children.replace("\u00a0", " "): [td.children for td in tr.children] for tr in body.children}
    )
    return rows


def _manager(run):
    results = {"run-1": ("run", run)}
    return SimpleNamespace(result=results.get)


def test_table_holds_twelve_months_and_the_year(run):
    rows = _rows(bv.bill_table(run.kpis))
    months = [m for m in rows if m not in ("head", "Year")]
    assert months == [f"{m} 2025" for m in "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()]
    head = rows["head"]
    total = head.index(f"{label('bill_total_cny')} [CNY]")
    assert rows["Year"][total] == f"{run.kpis['grid_bill_cny']['total_cny']:,.0f}"
    by_month = run.kpis["grid_bill"]["total_cny_by_month"]
    assert [rows[m][total] for m in months] == [f"{v:,.0f}" for v in by_month.values()]
    assert not any("LP" in h for h in head)  # the run's KPIs carry no LP optimum


def test_panel_solves_the_lp_optimum_once_and_leaves_the_run_alone(run, monkeypatch):
    c = SimpleNamespace(manager=_manager(run), scenarios_dir=FACTORY.parent)
    div = bv.bill_panel(c, {"run_id": "run-1"})
    rows = _rows(div)
    lp = bv._lp_cache["run-1"]["grid_bill"]["lp_optimum"]
    col = rows["head"].index(f"{label('bill_lp_total_cny')} [CNY]")
    left = rows["head"].index(f"{label('bill_left_on_table_cny')} [CNY]")
    assert rows["Year"][col] == f"{lp['total_cny']:,.0f}"
    assert rows["Year"][left] == f"{run.kpis['grid_bill_cny']['total_cny'] - lp['total_cny']:,.0f}"
    assert rows["Jul 2025"][col] == f"{lp['total_cny_by_month']['2025-07']:,.0f}"
    assert "lp_optimum" not in run.kpis["grid_bill"]  # the run in memory is the run simulated
    # a second render reads the kept optimum
    monkeypatch.setattr("lingtan.twin.studies.lp.solve.optimum_bill", lambda *a: pytest.fail("solved twice"))
    assert _rows(bv.bill_panel(c, {"run_id": "run-1"}))["Year"] == rows["Year"]


def test_chinese_and_a_park_without_a_monthly_bill(run):
    rows = _rows(bv.bill_table(run.kpis, "zh"))
    assert rows["head"][0] == "月份" and "全年" in rows and "2025年12月" in rows
    park = {"grid_bill_cny": run.kpis["grid_bill_cny"]}
    assert _find(bv.bill_table(park, "zh"), "results-bill-none").children == label("bill_none", "zh")


def test_results_page_has_the_card_and_its_callback(tmp_path):
    app = create_app(SCENARIOS, tmp_path, processes=False)
    try:
        assert _find(pages_results.layout(app._twin_context), "results-bill") is not None
        assert "results-bill.children" in app.callback_map
    finally:
        app._twin_context.manager.shutdown()
