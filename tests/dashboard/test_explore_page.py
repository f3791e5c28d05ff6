"""The explorer: the views' numbers worked by hand on small tables; the page's figures and its comparison of two runs
checked against the runs' own KPIs, the scenario file and the cost defaults; the results page names the sizes that
produced a run; and in Debian's Chromium: run the default factory twice, open the explorer, pick a column, switch to
the heat map and the duration curve, compare the two runs, with no console error and no ``nan`` on the page."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from dash.development.base_component import Component
from support.dashboard import (
    BAD_WORDS,
    WIDTHS,
    app_run,
    bad_words,
    chromium_browser,
    run_scenario,
    served,
    shot,
    too_wide,
)

from lingtan.dashboard import pages_explore as px
from lingtan.dashboard import pages_results
from lingtan.dashboard.app import create_app
from lingtan.dashboard.series import day_hour_matrix, duration_curve, monthly_energy
from lingtan.twin.core.schema.economics import DEFAULT_COSTS

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
FACTORY = SCENARIOS / "hefei_auto_parts.yaml"
TZ = "Asia/Shanghai"


# --------------------------------------------------------------------------- the views' numbers, by hand


def test_day_hour_matrix_puts_each_hour_in_its_local_day_and_hour():
    # 48 hours from 2025-01-01 00:00 in Shanghai (2024-12-31 16:00 UTC): value k at hour k.
    idx = pd.date_range("2025-01-01", periods=48, freq="h", tz=TZ)
    s = pd.Series(np.arange(48.0), index=idx).drop(idx[30])  # one hour missing: day 2, 06:00
    days, m = day_hour_matrix(s)
    assert list(days) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-02")]  # local days, not UTC days
    assert m.shape == (2, 24)
    assert m[0, 0] == 0 and m[0, 23] == 23  # day 1: hours 0..23 hold 0..23
    assert m[1, 5] == 29  # day 2, 05:00 = hour 24 + 5
    assert np.isnan(m[1, 6])  # the missing hour stays empty, not 0
    assert m[1, 23] == 47


def test_day_hour_matrix_averages_a_sub_hourly_series_over_the_hour():
    # 15-minute steps 00:00, 00:15, 00:30, 00:45 = 2, 4, 6, 8 kW -> hour 0 holds (2 + 4 + 6 + 8) / 4 = 5 kW
    idx = pd.date_range("2025-03-01", periods=8, freq="15min", tz=TZ)
    days, m = day_hour_matrix(pd.Series([2.0, 4, 6, 8, 1, 1, 1, 3], index=idx))
    assert len(days) == 1 and m[0, 0] == 5 and m[0, 1] == 1.5  # (1 + 1 + 1 + 3) / 4 = 1.5
    assert np.isnan(m[0, 2:]).all()


def test_duration_curve_sorts_down_and_counts_hours_by_the_step():
    idx = pd.date_range("2025-01-01", periods=6, freq="30min", tz=TZ)
    s = pd.Series([3.0, 1, 4, np.nan, 1, 5], index=idx)
    hours, values = duration_curve(s, 0.5)
    # NaN left out; 5 values, each held for half an hour: 5 is reached for 0.5 h, 4 for 1.0 h, ..., 1 for 2.5 h
    assert values.tolist() == [5, 4, 3, 1, 1]
    assert hours.tolist() == [0.5, 1.0, 1.5, 2.0, 2.5]


def test_monthly_energy_sums_power_times_step_in_local_months():
    # Shanghai 2025-01-31 22:00 .. 2025-02-01 01:00, 10/20/30/40 kW for an hour each:
    # January 10 + 20 = 30 kWh, February 30 + 40 = 70 kWh (UTC would put all four hours in January).
    idx = pd.date_range("2025-01-31 22:00", periods=4, freq="h", tz=TZ)
    months, e, unit = monthly_energy(pd.Series([10.0, 20, 30, 40], index=idx), "kW", 1.0)
    assert (months, e.tolist(), unit) == ([1, 2], [30.0, 70.0], "kWh")
    # The same powers held for 15 minutes each: a quarter of the energy, 7.5 and 17.5 kWh_th.
    months, e, unit = monthly_energy(pd.Series([10.0, 20, 30, 40], index=idx), "kW_th", 0.25)
    assert (e.tolist(), unit) == ([7.5, 17.5], "kWh_th")


def test_monthly_energy_in_mwh_from_ten_thousand_kwh_and_only_for_power():
    # January, 744 h at 20 kW = 14 880 kWh >= 10 000 -> 14.88 MWh
    idx = pd.date_range("2025-01-01", periods=744, freq="h", tz=TZ)
    _, e, unit = monthly_energy(pd.Series(20.0, index=idx), "kW", 1.0)
    assert unit == "MWh" and e.tolist() == pytest.approx([14.88], rel=1e-12)
    with pytest.raises(ValueError, match="power column"):
        monthly_energy(pd.Series(20.0, index=idx), "kWh", 1.0)  # a state of charge has no monthly sum


def test_column_options_group_by_table_and_unit_from_the_name():
    idx = pd.date_range("2025-01-01", periods=2, freq="h", tz=TZ)
    src = SimpleNamespace(
        hourly=pd.DataFrame({"pv_kw": [1.0, 2], "tou_period": pd.Categorical(["flat", "peak"])}, index=idx),
        hourly_heat=pd.DataFrame({"ovens.demand_kw_th": [3.0, 4]}, index=idx),
    )
    opts = px.column_options(src, "en")
    assert opts == [  # the category column is left out: no number to draw
        {"label": "Electricity · pv_kw [kW]", "value": "e|pv_kw"},
        {"label": "Heat · ovens · demand_kw_th [kW_th]", "value": "h|ovens.demand_kw_th"},
    ]
    assert px.column_options(src, "zh")[1]["label"] == "热力 · ovens · demand_kw_th [kW_th]"
    s, unit, step = px.series_of(src, "h|ovens.demand_kw_th")
    assert s.tolist() == [3.0, 4.0] and unit == "kW_th" and step == 1.0
    assert px.series_of(src, "e|nothing") is None


# --------------------------------------------------------------------------- the page on two runs


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    a = create_app(SCENARIOS, tmp_path_factory.mktemp("results"), processes=False, workers=1)
    yield a
    a._twin_context.manager.shutdown()


@pytest.fixture(scope="module")
def runs(c):
    return app_run(c, FACTORY.name), app_run(c, FACTORY.name, {"pv[0].capacity_kwp": 6000})


def test_the_pickers_offer_every_run_and_start_from_the_current_one(c, runs):
    a, b = runs
    opts, first, other = px.pick_runs(c, a)
    assert {o["value"] for o in opts} == {a["run_id"], b["run_id"]}
    assert (first, other) == (a["run_id"], b["run_id"])
    assert all(o["label"].startswith("Hefei auto-parts plant · factory · ") for o in opts)


def test_heat_map_is_the_year_day_by_hour_with_date_hour_and_unit_on_hover(c, runs):
    kind, res = c.manager.result(runs[0]["run_id"])
    fig, msg = px.explore(c, runs[0]["run_id"], "e|pv_kw", "heatmap", 29)
    [hm] = fig.data
    z = np.asarray(hm.z, dtype=float)
    assert msg is None and z.shape == (24, 365)
    # 2025-07-20 12:00 Shanghai is day 200 (0-based), row 12.
    assert hm.x[200] == "2025-07-20"
    assert z[12, 200] == res.hourly.loc[pd.Timestamp("2025-07-20 12:00", tz=TZ), "pv_kw"]
    assert np.nanmax(z[0:4]) == 0  # no sun between midnight and 04:00
    assert "%{x}" in hm.hovertemplate and "%{y}:00" in hm.hovertemplate and "kW" in hm.hovertemplate


def test_duration_curve_and_monthly_energy_agree_with_the_runs_kpis(c, runs):
    kind, res = c.manager.result(runs[0]["run_id"])
    [dc] = px.explore(c, runs[0]["run_id"], "e|load_kw", "duration", 29)[0].data
    assert dc.x[-1] == 8760 and dc.y[0] == res.hourly["load_kw"].max()
    assert all(np.diff(dc.y) <= 0)
    [bars] = px.explore(c, runs[0]["run_id"], "e|pv_kw", "monthly", 29)[0].data
    assert len(bars.x) == 12
    # The year's PV energy from the kernel's KPIs [kWh] is the twelve bars [MWh] together.
    assert sum(bars.y) * 1e3 == pytest.approx(res.kpis["pv_e_kwh"], rel=1e-9)
    fig, note = px.explore(c, runs[0]["run_id"], "e|battery_e_kwh", "monthly", 29)
    assert fig == {} and note.id == "xp-monthly-note"
    [week] = px.explore(c, runs[0]["run_id"], "e|load_kw", "week", 29)[0].data
    assert len(week.x) == 168  # a week of hours


def test_two_runs_side_by_side(c, runs):
    a, b = (c.manager.result(r["run_id"]) for r in runs)
    rows = {r["item"]: r for r in px.compare_rows(a, b)}
    # Half the PV: the on-site share falls by the difference of the two runs' KPIs.
    sa, sb = (r[1].kpis["re_electricity_share_onsite"] for r in (a, b))
    assert sb < sa
    assert rows["Renewable share"]["diff"] == f"−{100 * (sa - sb):.1f} %"
    # 6 000 kWp less PV at the default PV cost per kWp, in 万 CNY.
    capex = 6000 * DEFAULT_COSTS["pv"].capex_cny_per_kwp * 1e-4
    assert rows["Capital cost"]["diff"] == f"−{capex:,.2f} 万 CNY"
    # A verdict: PASS/FAIL (or points) with its margin for each run, and the change of margin.
    va, vb = (next(v for v in r[1].verdicts if v["criterion_id"] == "hunan_factory_2025.re_ratio") for r in (a, b))
    row = rows["Hunan · re_ratio"]
    assert row["a"].startswith("FAIL margin −") and row["_class"]["a"] == "fail"
    assert row["diff"] == f"−{100 * (va['margin'] - vb['margin']):.1f} %"
    table, fig = px.compare(c, runs[0]["run_id"], runs[1]["run_id"], "e|pv_kw", "duration", 29)
    # PV scales with its kWp (DESIGN.md): half the kWp, half the peak of the duration curve.
    assert len(fig.data) == 2 and fig.data[1].y[0] == pytest.approx(fig.data[0].y[0] / 2, rel=1e-9)
    shown = " ".join(str(r.get(k, "")) for r in rows.values() for k in ("item", "a", "b", "diff"))
    assert not BAD_WORDS.findall(shown), BAD_WORDS.findall(shown)


def test_results_page_names_the_sizes_that_produced_the_run(c, runs):
    data = yaml.safe_load(FACTORY.read_text())
    pv, bat = data["pv"][0], data["battery"][0]
    rows = pages_results.size_rows(c.manager.result(runs[0]["run_id"])[1].scenario)
    assert rows == [
        {"asset": f"pv.{pv['name']}", "kind": "PV", "size": f"{pv['capacity_kwp']:,.0f} kWp"},
        {
            "asset": f"battery.{bat['name']}",
            "kind": "Battery",
            "size": f"{bat['energy_kwh']:,} kWh · {bat['power_kw']:,} kW",
        },
    ]
    rows = pages_results.size_rows(c.manager.result(runs[1]["run_id"])[1].scenario, "zh")
    assert rows[0]["size"] == "6,000 kWp" and rows[0]["kind"] == "光伏"
    out = pages_results.render(c, runs[1])
    assert "6,000 kWp" in str(out["sizes"])


def _strings(node) -> list[str]:
    """Every string a Dash layout shows: children, the labels of a picker's options, a slider's marks."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, (list, tuple)):
        return [t for x in node for t in _strings(x)]
    if not isinstance(node, Component):
        return []
    opts = [o["label"] for o in getattr(node, "options", None) or [] if isinstance(o, dict)]
    marks = [m for m in (getattr(node, "marks", None) or {}).values() if isinstance(m, str)]
    return opts + marks + _strings(getattr(node, "children", None))


def test_the_explorer_speaks_chinese(app, c):
    from lingtan.dashboard.lang import COOKIE

    with app.server.test_request_context("/", headers={"Cookie": f"{COOKIE}=zh"}):
        shown = " ".join(_strings(px.layout(c)))
    english = [w for w in re.findall(r"[A-Za-z]+", shown) if w not in {"A", "B"}]  # the two runs' names
    assert english == [], english
    assert "逐时结果浏览" in shown and "持续曲线" in shown


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    with served(tmp_path_factory.mktemp("dash-explore")) as s:
        yield s


@pytest.fixture(scope="module")
def browser(chromium, references):
    with chromium_browser(chromium, references) as b:
        yield b


def _traces(pg, gid: str) -> list[str]:
    return pg.evaluate(f"() => document.querySelector('#{gid} .js-plotly-plot').data.map(t => t.type || 'scatter')")


def test_browser_explore_and_compare(browser, served_app):
    url, log = served_app
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(120_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    run_scenario(pg, url, FACTORY.name, {"pv[0].capacity_kwp": 6000})
    run_scenario(pg, url, FACTORY.name, {"pv[0].capacity_kwp": 12000})
    pg.click("#nav-page-explore")
    pg.wait_for_selector("#xp-fig .main-svg .scatterlayer .trace")
    # Pick a column: PV generation.
    pg.click("#xp-column")
    pg.click("[role=option]:has(input[value='e|pv_kw'])")
    pg.wait_for_function("() => document.querySelector('#xp-column').innerText.includes('pv_kw [kW]')")
    # The year as a heat map, then the duration curve.
    pg.get_by_text("Year: day × hour", exact=True).click()
    pg.wait_for_selector("#xp-fig .heatmaplayer")
    assert _traces(pg, "xp-fig") == ["heatmap"]
    shot(pg, "explore_heatmap_1440")
    pg.get_by_text("Duration curve", exact=True).click()
    pg.wait_for_function(
        "() => { const g = document.querySelector('#xp-fig .js-plotly-plot');"
        " return g._fullData.length === 1 && g._fullData[0].type === 'scatter' && g._fullData[0]._length === 8760; }"
    )
    # The two runs side by side: the table and both series on one axis.
    pg.wait_for_selector("#xp-compare-table")
    pg.wait_for_function("() => document.querySelector('#xp-compare-fig .js-plotly-plot').data.length === 2")
    head = pg.locator("#xp-compare-table th").all_inner_texts()
    assert len(head) == 4 and head[3] == "B − A"
    assert pg.locator("#xp-compare-table").inner_text().count("万 CNY") >= 3
    pg.wait_for_timeout(500)
    assert bad_words(pg) == []
    shot(pg, "explore_1440")
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": 900})
        assert too_wide(pg, "#page-explore") == [], width
    # The results page says which sizes produced the run.
    pg.click("#nav-page-results")
    pg.wait_for_selector("#results-sizes-table")
    assert "12,000 kWp" in pg.locator("#results-sizes-table").inner_text()
    ctx.close()
    assert not errors, errors
