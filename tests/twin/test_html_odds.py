"""The odds section of the HTML report: each headline KPI's distribution over the weather years with the
criteria's thresholds drawn at their values, P50/P90 as the ensemble computed them, and no odds in a single-year
report. Figures are read from the page's own plotly JSON, not from words."""

import base64
import html
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.reports.html import build_html, fmt_value
from lingtan.twin.studies.ensemble import simulate_ensemble

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"
YEARS = 4


@pytest.fixture(scope="module")
def ensemble():
    return simulate_ensemble(load_scenario(FACTORY), FACTORY.parent, years=YEARS, jobs=1, file=FACTORY)


@pytest.fixture(scope="module")
def page(ensemble):
    return build_html(ensemble.typical, "en", ensemble=ensemble)


def figures(text: str) -> dict[str, dict]:
    """Every ``Plotly.newPlot`` of a page: div id -> {"data": [...], "layout": {...}}."""
    out = {}
    dec = json.JSONDecoder()
    for m in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', text):
        data, end = dec.raw_decode(text, m.end())
        layout, _ = dec.raw_decode(text, re.compile(r",\s*").match(text, end).end())
        out[m.group(1)] = {"data": data, "layout": layout}
    return out


def values(x) -> list:
    """A figure array as numbers: plotly writes numpy arrays as typed arrays (``{"dtype", "bdata"}``)."""
    if isinstance(x, dict) and "bdata" in x:
        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]).tolist()
    return list(x)


def blocks(text: str) -> list[tuple[str, str, str]]:
    """Each headline of the odds section: (KPI, figure id, its side panel's HTML)."""
    pat = (
        r'<div class="odds" data-kpi="([^"]+)"><div class="odds-fig">.*?id="(fig-odds-\d+)".*?'
        r'<div class="odds-side">(.*?)</div></div>'
    )
    return re.findall(pat, text, flags=re.S)


def cell(side: str, cls: str) -> tuple[str, str]:
    """(column, shown text) of the ``typical``, ``p50`` or ``p90`` cell of a side panel."""
    col, shown = re.search(rf'class="num {cls}" data-column="([^"]+)">([^<]*)<', side).groups()
    return col, html.unescape(shown)


def test_each_simulated_threshold_is_drawn_at_its_value(ensemble, page):
    figs = figures(page)
    verdicts = {v["criterion_id"]: v for v in ensemble.typical.verdicts}
    drawn = {}
    for _, fid, _ in blocks(page):
        for trace in figs[fid]["data"]:
            meta = trace.get("meta") or {}
            if meta.get("mark") == "threshold":
                drawn[meta["criterion_id"]] = trace["x"]
        bars = [t for t in figs[fid]["data"] if t["type"] == "bar"]
        assert len(bars) == 1 and sum(values(bars[0]["y"])) == YEARS  # every weather year counted once
    numeric = {cid for cid, o in ensemble.criterion_odds.items() if "value_p50" in o}
    assert set(drawn) == numeric == {"hunan_factory_2025.unit_energy_carbon", "hunan_factory_2025.re_ratio"}
    for cid, x in drawn.items():
        v = verdicts[cid]
        scale = 100.0 if v["unit"].startswith("fraction") else 1.0  # fractions are drawn in %
        assert x == pytest.approx([v["threshold"] * scale] * 2, rel=1e-12)


def test_p50_p90_in_the_text_equal_the_ensemble_statistics(ensemble, page):
    shown = {}
    for kpi, _, side in blocks(page):
        shown[kpi] = {cls: cell(side, cls) for cls in ("p50", "p90")}
    # the share no criterion reads is the members' KPI column, whose statistics are kpi_stats
    s = ensemble.kpi_stats["re_electricity_share_onsite"]
    assert shown["re_electricity_share_onsite"] == {
        p: ("re_electricity_share_onsite", fmt_value(s[p], "fraction")) for p in ("p50", "p90")
    }
    # a criterion's KPI: its value in each year is the KPI it reads, so kpi_stats and the criterion's odds agree
    s = ensemble.kpi_stats["accounting.re_electricity_share_with_green_power"]
    o = ensemble.criterion_odds["hunan_factory_2025.re_ratio"]
    assert (s["p50"], s["p90"]) == pytest.approx((o["value_p50"], o["value_p90"]), rel=1e-12)
    col = "hunan_factory_2025.re_ratio.value"
    assert shown["re_electricity_share_with_green_power"] == {
        p: (col, fmt_value(s[p], "fraction")) for p in ("p50", "p90")
    }
    # the lines on the figure sit at the same P50 and P90 [%]
    figs = figures(page)
    fid = next(f for k, f, _ in blocks(page) if k == "re_electricity_share_onsite")
    marks = {t["meta"]["mark"]: t["x"][0] for t in figs[fid]["data"] if t.get("meta")}
    s = ensemble.kpi_stats["re_electricity_share_onsite"]
    assert (marks["p50"], marks["p90"]) == pytest.approx((100 * s["p50"], 100 * s["p90"]), rel=1e-12)
    assert marks["typical"] == pytest.approx(100 * ensemble.typical.kpis["re_electricity_share_onsite"], rel=1e-12)


def test_probability_of_passing_and_p90_margin_beside_each_criterion(ensemble, page):
    found = re.findall(
        r'class="odds-crit" data-criterion="([^"]+)">.*?class="p-pass">([^<]*)</b>.*?class="margin-p90">([^<]*)</b>',
        page,
        re.S,
    )
    beside = {cid: (p, html.unescape(m)) for cid, p, m in found}
    verdicts = {v["criterion_id"]: v for v in ensemble.typical.verdicts}
    for cid in ("hunan_factory_2025.unit_energy_carbon", "hunan_factory_2025.re_ratio"):
        o = ensemble.criterion_odds[cid]
        assert beside[cid] == (f"{100 * o['p_pass']:.0f} %", fmt_value(o["margin_p90"], verdicts[cid]["unit"]))
    # the table holds every simulated criterion once, numeric or not
    rows = re.findall(r'<tr data-criterion="([^"]+)">', page)
    assert sorted(rows) == sorted(ensemble.criterion_odds)


def test_a_threshold_that_differs_between_years_is_shown_as_the_margin_at_zero(ensemble):
    cid = "hunan_factory_2025.unit_energy_carbon"
    members = ensemble.members.copy()
    members[f"{cid}.threshold"] = np.linspace(1.2, 1.3, len(members))
    members[f"{cid}.margin"] = members[f"{cid}.threshold"] - members[f"{cid}.value"]
    text = build_html(ensemble.typical, "en", ensemble=replace(ensemble, members=members))
    figs = figures(text)
    fid = next(f for k, f, _ in blocks(text) if k == "unit_energy_carbon_t_per_tce")
    line = next(t for t in figs[fid]["data"] if (t.get("meta") or {}).get("mark") == "threshold")
    assert line["x"] == [0.0, 0.0]
    assert figs[fid]["layout"]["xaxis"]["title"]["text"] == "margin unit_energy_carbon [tCO2e/tce]"
    side = next(s for k, _, s in blocks(text) if k == "unit_energy_carbon_t_per_tce")
    assert cell(side, "p50") == (f"{cid}.margin", fmt_value(float(np.percentile(members[f"{cid}.margin"], 50)), ""))


def test_zh_heading_and_single_year_report_has_no_odds(ensemble):
    zh = build_html(ensemble.typical, "zh", ensemble=ensemble)
    assert f"<h2>{YEARS} 个气象年下的概率</h2>" in zh
    single = build_html(ensemble.typical, "en")
    assert "section_odds" not in single and "fig-odds" not in single and not blocks(single)


def test_the_results_folder_of_an_ensemble_run_holds_the_odds_in_its_report(ensemble, tmp_path):
    from lingtan.twin.reports.output import write_run

    out = write_run(ensemble.typical, tmp_path / "run", reports="html", ensemble=ensemble)
    text = (out / "report.html").read_text(encoding="utf-8")
    assert [k for k, _, _ in blocks(text)] == [k for k, _, _ in blocks(build_html(ensemble.typical, ensemble=ensemble))]
    assert blocks(text)


def test_the_park_report_draws_the_anhui_40_percent_threshold():
    from lingtan.twin.reports.park import build_park_html

    park = ROOT / "scenarios" / "anhui-park.yaml"
    ens = simulate_ensemble(load_scenario(park), park.parent, years=2, jobs=1, file=park)
    text = build_park_html(ens.typical, ensemble=ens)
    fid = next(f for k, f, _ in blocks(text) if k == "re_electricity_share_onsite")
    line = next(t for t in figures(text)[fid]["data"] if (t.get("meta") or {}).get("mark") == "threshold")
    assert line["meta"]["criterion_id"] == "anhui_park_2024.re_electricity_share"
    assert line["x"] == pytest.approx([40.0, 40.0], rel=1e-12)  # 园区可再生能源电量占比 ≥ 40 %, drawn in %
    assert "<h2>Odds over 2 weather years</h2>" in text
