"""The Excel report: the sheets are there, open with openpyxl, and hold the run's numbers."""

from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.reports.excel import VERDICT_FIELDS, flatten, write_excel
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
HEAT = ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"
PLAIN = ROOT / "scenarios" / "hefei_auto_parts.yaml"


@pytest.fixture(scope="module")
def heat_run():
    return simulate(load_scenario(HEAT), HEAT.parent)


@pytest.fixture(scope="module")
def book(heat_run, tmp_path_factory):
    path = write_excel(heat_run, tmp_path_factory.mktemp("xlsx") / "report.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    yield path, wb
    wb.close()


def _rows(ws):
    return list(ws.iter_rows(values_only=True))


def _table(ws) -> dict:
    """A key / label / value / unit sheet as {key: (label, value, unit)}."""
    rows = _rows(ws)
    assert rows[0][0] == "key"
    return {r[0]: r[1:] for r in rows[1:]}


def test_sheets_and_atomic_write(book):
    path, wb = book
    assert wb.sheetnames == ["KPIs", "Criteria", "Accounting", "Monthly", "Bill", "Hourly", "Hourly heat"]
    assert [p.name for p in path.parent.iterdir()] == ["report.xlsx"]  # no temporary left behind


def test_kpis_sheet_is_flattened_with_units(heat_run, book):
    kpis = _table(book[1]["KPIs"])
    assert kpis["pv_e_kwh"][1] == pytest.approx(heat_run.kpis["pv_e_kwh"], rel=1e-12)
    assert kpis["pv_e_kwh"][0] == "PV generation" and kpis["pv_e_kwh"][2] == "kWh"
    assert kpis["re_electricity_share_onsite"][2] == "fraction"
    assert kpis["heat.waste_heat_recovery_rate"][1] == pytest.approx(heat_run.kpis["heat"]["waste_heat_recovery_rate"])
    assert kpis["heat.fuel_use.natural_gas.quantity"][1] > 0
    assert kpis["grid_bill_cny.total_cny"][2] == "CNY"
    assert set(kpis) == {k for k, _ in flatten(heat_run.kpis)}


def test_hourly_and_monthly_sums_equal_the_annual_kpis(heat_run, book):
    wb = book[1]
    hourly = _rows(wb["Hourly"])
    head = hourly[0]
    assert head[0] == "time (Asia/Shanghai)" and len(hourly) == 1 + 8760
    assert list(head[1:]) == list(heat_run.hourly.columns)
    pv = head.index("pv_kw")
    assert sum(r[pv] for r in hourly[1:]) == pytest.approx(heat_run.kpis["pv_e_kwh"], rel=1e-9)
    assert hourly[1][0].year == heat_run.scenario.year and hourly[1][0].hour == 0
    monthly = _rows(wb["Monthly"])
    mh = monthly[0]
    assert [r[0] for r in monthly[1:]] == list(range(1, 13))
    for col, kpi in (
        ("pv_e_kwh", "pv_e_kwh"),
        ("grid_import_e_kwh", "grid_import_e_kwh"),
        ("grid_export_e_kwh", "grid_export_e_kwh"),
        ("load_e_kwh", None),
    ):
        total = sum(r[mh.index(col)] for r in monthly[1:])
        expected = heat_run.kpis[kpi] if kpi else float(heat_run.hourly.load_kw.sum())
        assert total == pytest.approx(expected, rel=1e-9), col
    demand = sum(r[mh.index("heat_demand_e_kwh_th")] for r in monthly[1:])
    assert demand == pytest.approx(heat_run.kpis["heat"]["heat_demand_e_kwh_th"], rel=1e-9)
    heat = wb["Hourly heat"]
    head = next(heat.iter_rows(max_row=1, values_only=True))
    assert list(head[1:]) == list(heat_run.hourly_heat.columns)
    assert sum(1 for _ in heat.iter_rows(max_col=1, values_only=True)) == 1 + 8760


def test_criteria_sheet_holds_every_verdict_field(heat_run, book):
    rows = _rows(book[1]["Criteria"])
    assert list(rows[0]) == list(VERDICT_FIELDS) + ["verdict"]
    assert len(rows) == 1 + len(heat_run.verdicts)
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    for v in heat_run.verdicts:
        row = by_id[v["criterion_id"]]
        for f in VERDICT_FIELDS:
            want = v[f]
            if isinstance(want, float):
                assert row[f] == pytest.approx(want), (v["criterion_id"], f)
            elif want in (None, ""):
                assert row[f] in (None, ""), (v["criterion_id"], f)
            else:
                assert row[f] == want, (v["criterion_id"], f)


def test_accounting_sheet(heat_run, book):
    acc = _table(book[1]["Accounting"])
    assert acc["residual_emissions_t"][1] == pytest.approx(heat_run.accounting.residual_emissions_t)
    assert acc["emissions.scope1.total_t"][2] == "tCO2"
    assert acc["factors.grid_location.name"][1] == "national_2022"


def test_chinese_labels_and_no_heat_sheet_without_heat(tmp_path):
    full = simulate(load_scenario(PLAIN), PLAIN.parent)
    # Two days are enough for the labels, and keep the test fast.
    run = SimpleNamespace(**{f.name: getattr(full, f.name) for f in fields(full)})
    run.hourly = full.hourly.iloc[:48]
    path = write_excel(run, tmp_path / "plain.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert "Hourly heat" not in wb.sheetnames and "Hourly" in wb.sheetnames
        kpis = _table(wb["KPIs"])
        assert kpis["pv_e_kwh"][0] == "光伏发电量"
        assert not any(k.startswith("heat.") for k in kpis)
        rows = _rows(wb["Criteria"])
        assert rows[0][0] == "criterion_id" and rows[0][-1] == "verdict"
        shown = {r[0]: r[-1] for r in rows[1:]}
        # Zhejiang's green-factory admission passes on the declared provincial level; Hunan's re_ratio target fails
        # at 20.8 % < 35 %
        assert shown["zhejiang_factory_2025.green_factory"] == "通过"
        assert shown["hunan_factory_2025.re_ratio"] == "未通过"
        assert len(_rows(wb["Hourly"])) == 1 + 48
    finally:
        wb.close()


def test_economics_sheets(heat_run, tmp_path):
    """With economics, the workbook holds them flattened (as economics.json) and one row per asset."""
    from lingtan.twin.studies.economics import project_economics

    econ = project_economics(heat_run)
    path = write_excel(heat_run, tmp_path / "eco.xlsx", economics=econ)
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert wb.sheetnames[-2:] == ["Economics", "Economic assets"]
        eco = _table(wb["Economics"])
        assert eco["npc_cny"][1] == pytest.approx(econ["npc_cny"]) and eco["npc_cny"][2] == "CNY"
        assert eco["annual.grid_bill_cny"][1] == pytest.approx(econ["annual"]["grid_bill_cny"])
        rows = _rows(wb["Economic assets"])
        assert [r[0] for r in rows[1:]] == [a["name"] for a in econ["assets"]]
        col = rows[0].index("npc_cny")
        assert [r[col] for r in rows[1:]] == pytest.approx([a["npc_cny"] for a in econ["assets"]])
    finally:
        wb.close()
