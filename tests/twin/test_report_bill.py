"""The bill by month in the HTML report and the workbook: the table is ``kpis["grid_bill"]`` month by month, its year
row is ``grid_bill_cny``'s total, the LP optimum's bill and the difference appear only when the KPIs carry it, the
overrun columns only on the contracted-demand basis, and the Chinese table speaks Chinese."""

from __future__ import annotations

import copy
import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lingtan.components import grid as g
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.reports.bill import YEAR_ROW, bill_block, bill_frame
from lingtan.twin.reports.excel import write_excel
from lingtan.twin.reports.html import write_html
from lingtan.twin.reports.i18n import label
from lingtan.twin.run import simulate
from lingtan.twin.studies.lp.solve import add_optimum_bill

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def run():
    return simulate(load_scenario(FACTORY), FACTORY.parent)


@pytest.fixture(scope="module")
def lp_kpis(run):
    """The run's KPIs with the LP optimum's bill, as ``twin run`` writes them (the run's own KPIs untouched)."""
    kpis = copy.deepcopy(run.kpis)
    add_optimum_bill(SimpleNamespace(scenario=run.scenario, kpis=kpis), FACTORY.parent)
    return kpis


class _Table(HTMLParser):
    """The rows of the table ``id="bill-table"``: each a list of cell texts, the heading row first."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = self.cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.inside = dict(attrs).get("id") == "bill-table"
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th"):
            self.cell = False

    def handle_data(self, data):
        if self.inside and self.cell:
            self.rows[-1][-1] += data


def _table(text: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Headings and {month cell: {heading: cell}} of the bill table in a page."""
    p = _Table()
    p.feed(text)
    head, *body = p.rows
    return head, {r[0]: dict(zip(head[1:], r[1:], strict=True)) for r in body}


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def _heading(column: str, lang: str = "en") -> str:
    return label(f"bill_{column}", lang)


def test_report_table_is_the_kpis_bill_month_by_month(run, tmp_path):
    path = write_html(run, tmp_path / "report.html")
    head, rows = _table(path.read_text(encoding="utf-8"))
    b = run.kpis["grid_bill"]
    assert list(rows) == [pd.Timestamp(f"{m}-01").strftime("%b %Y") for m in MONTHS] + ["Year"]
    by_heading = {h.split(" [")[0]: h for h in head}
    for m in MONTHS:
        row = rows[pd.Timestamp(f"{m}-01").strftime("%b %Y")]
        expected = {
            "energy_kwh": sum(b["energy_kwh_by_month"][m].values()),
            "energy_charge_cny": sum(b["energy_cny_by_month"][m].values()),
            "demand_charge_cny": b["demand_charge_cny_by_month"][m],
            "export_kwh": b["export_kwh_by_month"][m],
            "feed_in_revenue_cny": b["feed_in_revenue_cny_by_month"][m],
            "total_cny": b["total_cny_by_month"][m],
        }
        for column, value in expected.items():
            # shown to the kWh and the yuan
            assert _number(row[by_heading[_heading(column)]]) == pytest.approx(value, abs=0.5), (m, column)
        demand = row[by_heading["Maximum demand (60-min mean)"]]
        assert _number(demand) == pytest.approx(b["max_demand_kw_by_month"][m], abs=0.5)
    year = rows["Year"]
    totals = run.kpis["grid_bill_cny"]
    assert _number(year[by_heading[_heading("total_cny")]]) == pytest.approx(totals["total_cny"], abs=0.5)
    assert _number(year[by_heading[_heading("energy_charge_cny")]]) == pytest.approx(
        totals["energy_charge_cny"], abs=0.5
    )
    assert _number(year[by_heading[_heading("feed_in_revenue_cny")]]) == pytest.approx(
        totals["feed_in_revenue_cny"], abs=0.5
    )
    # an hourly run says its demand is the hourly mean, which understates the utility's 15-minute 需量
    assert "largest 60-minute mean import" in path.read_text(encoding="utf-8")


def test_year_row_holds_the_year(run):
    frame = bill_frame(run.kpis)
    year = frame.loc[YEAR_ROW]
    assert year["total_cny"] == pytest.approx(run.kpis["grid_bill_cny"]["total_cny"], rel=1e-12)
    assert year["energy_kwh"] == pytest.approx(run.kpis["grid_bill"]["totals"]["energy_kwh"], rel=1e-12)
    assert year["max_demand_kw"] == max(run.kpis["grid_bill"]["max_demand_kw_by_month"].values())
    # the demand basis has neither overrun nor capacity columns, nor the LP's without the LP
    assert list(frame.columns) == [
        "energy_kwh",
        "energy_charge_cny",
        "max_demand_kw",
        "demand_charge_cny",
        "export_kwh",
        "feed_in_revenue_cny",
        "total_cny",
    ]


def test_lp_optimum_appears_only_when_present(run, lp_kpis):
    assert "lp_optimum" not in run.kpis["grid_bill"]
    plain = bill_block(run.kpis)
    assert _heading("lp_total_cny") not in plain and _heading("left_on_table_cny") not in plain
    assert label("bill_lp_note") not in plain

    lp = lp_kpis["grid_bill"]["lp_optimum"]
    frame = bill_frame(lp_kpis)
    assert frame.loc[MONTHS, "lp_total_cny"].tolist() == [lp["total_cny_by_month"][m] for m in MONTHS]
    assert frame.loc[YEAR_ROW, "lp_total_cny"] == lp["total_cny"]
    assert sum(lp["total_cny_by_month"].values()) == pytest.approx(lp["total_cny"], rel=1e-12)
    left = frame["total_cny"] - frame["lp_total_cny"]
    assert frame["left_on_table_cny"].tolist() == left.tolist()
    # The LP chooses the dispatch with the bill as objective: the rule cannot bill less over the year.
    assert frame.loc[YEAR_ROW, "left_on_table_cny"] > 0
    _, rows = _table(bill_block(lp_kpis))
    year = rows["Year"]
    shown = {h.split(" [")[0]: v for h, v in year.items()}
    assert _number(shown[_heading("lp_total_cny")]) == pytest.approx(lp["total_cny"], abs=0.5)
    assert _number(shown[_heading("left_on_table_cny")]) == pytest.approx(
        run.kpis["grid_bill_cny"]["total_cny"] - lp["total_cny"], abs=1.0
    )


def test_lp_not_computed_says_why_and_adds_no_column(run):
    kpis = copy.deepcopy(run.kpis)
    kpis["grid_bill"]["lp_optimum"] = {"total_cny": None, "note": "not computed: a heat side with a store"}
    block = bill_block(kpis)
    assert "not computed: a heat side with a store" in block
    assert "lp_total_cny" not in bill_frame(kpis) and _heading("lp_total_cny") not in block


def test_chinese_table(lp_kpis):
    head, rows = _table(bill_block(lp_kpis, "zh"))
    assert list(rows) == [f"2025年{m}月" for m in range(1, 13)] + ["全年"]
    assert head[0] == "月份" and "电费合计 [元]" in head and "线性规划最优调度电费 [元]" in head
    assert "最大需量（60分钟平均） [kW]" in head
    # units and nothing else in Latin letters
    assert set(re.findall(r"[A-Za-z]+", " ".join(head))) <= {"kWh", "kW"}
    text = bill_block(lp_kpis, "zh")
    assert "电网按15分钟平均功率计量需量" in text and "线性规划最优" in text


def _contracted_kpis() -> dict:
    """Two months at 100 kW with a 1 300 kW hour in February against a 1 000 kW contract (the overrun: 250 kW)."""
    index = pd.date_range("2025-01-01", "2025-02-28 23:00", freq="h", tz="Asia/Shanghai")
    imp = np.full(len(index), 100.0)
    imp[index.get_loc(pd.Timestamp("2025-02-10 13:00", tz="Asia/Shanghai"))] = 1300.0
    tariff = g.Tariff(
        name="contracted",
        source="test fixture (assumed)",
        periods=["v" * 8 + "p" * 4 + "f" * 6 + "c" * 3 + "v" * 3] * 12,
        price_cny_per_kwh={"valley": 0.3, "flat": 0.6, "peak": 1.0, "critical": 1.2},
        basic_charge_basis="contracted_demand",
        demand_charge_cny_per_kw_month=40.0,
        contracted_demand_kw=1000.0,
        feed_in_price_cny_per_kwh=0.4,
    )
    bill = g.monthly_bill(imp, None, index, tariff).to_dict()
    return {"grid_bill": bill, "grid_bill_cny": bill["totals"]}


def test_contracted_demand_shows_its_overrun_where_present():
    kpis = _contracted_kpis()
    frame = bill_frame(kpis)
    assert frame["overrun_kw"].tolist() == [0.0, 250.0, 250.0]  # the year row: the worst month
    assert frame["overrun_charge_cny"].tolist() == [0.0, 20000.0, 20000.0]  # 250 kW x 2 x 40 CNY/kW
    assert frame.loc[YEAR_ROW, "total_cny"] == pytest.approx(kpis["grid_bill_cny"]["total_cny"], rel=1e-12)
    block = bill_block(kpis)
    assert _heading("overrun_kw") in block and "contracted demand of 1,000 kW" in block
    assert "超出合同需量105%部分" in bill_block(kpis, "zh")


def test_workbook_bill_sheet_mirrors_the_table(run, lp_kpis, tmp_path):
    path = write_excel(dataclasses.replace(run, kpis=lp_kpis), tmp_path / "report.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [r for r in wb["Bill"].iter_rows(values_only=True)]
    finally:
        wb.close()
    frame = bill_frame(lp_kpis)
    assert list(rows[0]) == ["month", *frame.columns]
    table = {r[0]: r[1:] for r in rows[1 : len(frame) + 1]}
    assert list(table) == [*MONTHS, YEAR_ROW]
    for month, row in frame.iterrows():
        assert list(table[month]) == pytest.approx(row.tolist(), rel=1e-12), month
    notes = [r[0] for r in rows[len(frame) + 1 :] if r and r[0]]
    assert notes[0].startswith("最大需量")


def test_quarter_hour_bill_says_it_is_the_15_minute_maximum():
    index = pd.date_range("2025-03-01", "2025-03-31 23:45", freq="15min", tz="Asia/Shanghai")
    imp = np.full(len(index), 100.0)
    imp[40] = 900.0  # one quarter hour: the 15-minute maximum, which an hourly mean would dilute to 300 kW
    tariff = g.Tariff(
        name="demand",
        source="test fixture (assumed)",
        periods=["v" * 24] * 12,
        price_cny_per_kwh={"valley": 0.3},
        demand_charge_cny_per_kw_month=40.0,
    )
    bill = g.monthly_bill(imp, None, index, tariff, step_h=0.25).to_dict()
    kpis = {"grid_bill": bill, "grid_bill_cny": bill["totals"]}
    head, rows = _table(bill_block(kpis))
    assert "Maximum demand (15-min mean) [kW]" in head
    shown = rows["Mar 2025"]
    assert _number(shown["Maximum demand (15-min mean) [kW]"]) == 900.0
    assert _number(shown["Demand charge [CNY]"]) == 900.0 * 40.0
    assert "largest 15-minute mean import, as the utility meters it" in bill_block(kpis)
    assert "最大需量（15分钟平均） [kW]" in _table(bill_block(kpis, "zh"))[0]
