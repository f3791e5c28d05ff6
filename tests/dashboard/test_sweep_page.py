"""The Sweep page on a real sweep of the library's factory (PV at three sizes, the battery at two): Pareto fronts and
tornado from the stored data, KPIs by name and unit in groups, a table with units and formatted numbers, the threshold
outlined only around the cases that reach it, one tick per level on a two-level axis, and a click on a case that
loads that case's design into the Scenario page without reloading the page (in Chromium)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.browser import ARTIFACTS, browser, dash_results, page, server  # noqa: F401 - fixtures

from lingtan.dashboard import pages_sweep
from lingtan.dashboard.ui import Context
from lingtan.twin.cli.sweep import main as sweep_main
from lingtan.twin.reports.i18n import LABELS

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
PV, BAT = "pv[0].capacity_kwp", "battery[0].energy_kwh"
KPI, THRESHOLD = "re_electricity_share_onsite", 0.3
COST, SHARE, EMISSIONS = (
    "economics.annualised_cost_cny",
    "accounting.re_electricity_share_with_green_power",
    "accounting.residual_emissions_t",
)


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """A results folder holding ``grid``: a real ``twin sweep`` of the factory, 3 PV sizes x 2 battery sizes."""
    results = tmp_path_factory.mktemp("sweeps")
    args = [str(SCENARIO), "--param", f"{PV}=6000:18000:3", "--param", f"{BAT}=0:40000:2"]
    args += ["--kpi", KPI, "--threshold", str(THRESHOLD), "--out", str(results / "grid"), "--quiet", "--no-plots"]
    assert sweep_main(args + ["--jobs", "1"]) == 0
    return results


@pytest.fixture(scope="module")
def c(grid):
    return Context(ROOT / "scenarios", grid, manager=None)


def _figures(plots) -> dict:
    return {
        ch.id: ch.figure for card in plots if hasattr(card, "children") for ch in card.children if hasattr(ch, "figure")
    }


def _notes(plots) -> list[str]:
    return [p.children for p in plots if getattr(p, "id", None) == "sweep-plots-note"]


def test_pareto_fronts_of_cost_against_share_and_emissions_are_drawn(c):
    df, _ = pages_sweep.read_sweep(c.results_dir, "grid")
    plots, *_ = pages_sweep.render(c, "grid", None, None)
    figs = _figures(plots)
    assert _notes(plots) == [] and {"sweep-pareto_re", "sweep-pareto_emissions"} <= set(figs)
    cost = df[COST].to_numpy()
    for gid, col, better in (("sweep-pareto_re", SHARE, 1), ("sweep-pareto_emissions", EMISSIONS, -1)):
        front = figs[gid].data[1]
        # every case on the front is dominated by no other case (lower cost and a better benefit), brute force
        v = better * df[col].to_numpy()
        free = [i for i in range(len(df)) if not any(cost[j] <= cost[i] and v[j] > v[i] for j in range(len(df)))]
        assert sorted(front.customdata) == sorted(df["case_hash"].iloc[free])
        assert list(front.x) == sorted(front.x) and figs[gid].layout.xaxis.title.text == "Annualised cost [CNY]"


def test_tornado_of_a_one_at_a_time_sweep_from_its_stored_base(c, grid):
    folder = grid / "oat"
    (folder / "cases").mkdir(parents=True, exist_ok=True)
    base = {PV: 12000.0, BAT: 20000.0}
    rows = [(12000, 20000, 0.30), (6000, 20000, 0.20), (18000, 20000, 0.37), (12000, 0, 0.29), (12000, 40000, 0.31)]
    df = pd.DataFrame(rows, columns=[PV, BAT, KPI])
    df.insert(0, "case_hash", [f"o{i}" for i in range(len(df))])
    df.to_parquet(folder / "cases" / "part-00000.parquet")
    meta = {"scenario": str(SCENARIO), "design": "oat", "base": base, "kpi": KPI, "threshold": THRESHOLD}
    meta["params"] = [{"name": PV}, {"name": BAT}]
    (folder / "sweep.json").write_text(json.dumps(meta))
    plots, *_ = pages_sweep.render(c, "oat", None, None)
    tornado = _figures(plots)["sweep-tornado"]
    low, high = tornado.data
    # widest swing on top (plotly draws the last bar on top): the PV bar, from 0.20 to 0.37 around the base 0.30
    assert list(low.y) == [BAT, PV] and low.base == high.base == 0.30
    assert np.allclose(low.x, [0.29 - 0.30, 0.20 - 0.30]) and np.allclose(high.x, [0.31 - 0.30, 0.37 - 0.30])
    shutil.rmtree(folder)


def test_kpis_are_named_with_units_and_grouped_in_both_languages(c):
    df, meta = pages_sweep.read_sweep(c.results_dir, "grid")
    kpis = pages_sweep.kpi_options(df, pages_sweep.param_names(df, meta))
    assert len(kpis) > 80  # the whole of a real sweep's numeric columns
    for lang in ("en", "zh"):
        options = pages_sweep.kpi_dropdown(kpis, lang)
        heads = [o for o in options if o.get("disabled")]
        assert [o["label"].strip("— ") for o in heads] == [
            LABELS[k][lang == "zh"]
            for k in (
                "sweep_group_kpis",
                "sweep_group_accounting",
                "sweep_group_economics",
                "sweep_group_packs",
            )
        ]
        named = [o for o in options if not o.get("disabled")]
        assert sorted(o["value"] for o in named) == sorted(kpis)
        # no raw column name: a pack keeps its id, every other KPI is named (no underscores, no dotted prefix)
        raw = [o for o in named if not o["value"].startswith("pack.") and ("_" in o["label"] or "." in o["label"])]
        assert raw == [], raw
    titles = {o["value"]: o["label"] for o in pages_sweep.kpi_dropdown(kpis)}
    assert titles[KPI] == "Renewable electricity share (on-site) [%]"
    assert titles["economics.capex_cny"] == "Capital cost [CNY]"


def test_table_columns_carry_units_and_formats(c):
    df, meta = pages_sweep.read_sweep(c.results_dir, "grid")
    _, table, *_ = pages_sweep.render(c, "grid", None, None)
    cols = {col["id"]: col for col in table.columns}
    assert cols[PV]["name"] == f"{PV} [kWp]" and cols["economics.capex_cny"]["name"] == "Capital cost [CNY]"
    spec = {k: v["format"].to_plotly_json()["specifier"] for k, v in cols.items() if "format" in v}
    assert spec[KPI] == ".1%" and spec["economics.capex_cny"] == ",.0f" and spec[BAT] == ",.0f"
    assert all(col.get("type") == "numeric" for col in table.columns)


def test_threshold_outlines_only_the_cells_that_reach_it(c):
    df, _ = pages_sweep.read_sweep(c.results_dir, "grid")
    plots, _, _, kpi, th, _ = pages_sweep.render(c, "grid", None, None)
    assert (kpi, th) == (KPI, THRESHOLD)  # the sweep's own threshold for its own KPI
    fig = _figures(plots)["sweep-heatmap"]
    assert [t.type for t in fig.data] == ["heatmap", "scatter"]
    z = np.array(fig.data[0].z)
    reached = z >= THRESHOLD
    assert reached.any() and not reached.all()
    xs, ys = fig.data[1].x, fig.data[1].y
    for k in range(0, len(xs), 3):  # each segment: two points, then None
        (x0, x1), (y0, y1) = xs[k : k + 2], ys[k : k + 2]
        # the cells on either side of the edge: exactly one reaches the threshold (outside the grid reaches nothing)
        if x0 == x1:
            sides = [(round((y0 + y1) / 2), round(x0 - 0.5)), (round((y0 + y1) / 2), round(x0 + 0.5))]
        else:
            sides = [(round(y0 - 0.5), round((x0 + x1) / 2)), (round(y0 + 0.5), round((x0 + x1) / 2))]
        inside = [bool(reached[j, i]) if 0 <= j < z.shape[0] and 0 <= i < z.shape[1] else False for j, i in sides]
        assert sorted(inside) == [False, True], (x0, x1, y0, y1)
    # another KPI: a share's threshold means nothing on a cost, so none is drawn
    plots, _, _, _, th, _ = pages_sweep.render(c, "grid", "economics.capex_cny", THRESHOLD, "sweep-kpi")
    assert th is None and [t.type for t in _figures(plots)["sweep-heatmap"].data] == ["heatmap"]


def test_a_two_level_axis_has_one_tick_per_level(c):
    plots, *_ = pages_sweep.render(c, "grid", None, None)
    fig = _figures(plots)["sweep-heatmap"]
    assert list(fig.data[0].y) == [0, 1] and list(fig.layout.yaxis.ticktext) == ["0", "40,000"]
    assert list(fig.layout.xaxis.ticktext) == ["6,000", "12,000", "18,000"]
    assert fig.layout.yaxis.title.text == f"{BAT} [kWh]"


def test_a_click_loads_the_clicked_design_without_reloading(page, server, dash_results, grid):  # noqa: F811
    shutil.copytree(grid / "grid", dash_results / "grid")
    df, _ = pages_sweep.read_sweep(dash_results, "grid")
    page.evaluate("window.__same_page = true")
    page.click("#nav-page-sweep")
    page.click("#sweep-pick")
    page.get_by_role("option", name="grid").click()
    page.wait_for_selector("#sweep-heatmap .main-svg")
    # the two-level axis spans its two cells, not half a step of kWh beyond each
    yrange = page.evaluate("() => document.querySelector('#sweep-heatmap .js-plotly-plot')._fullLayout.yaxis.range")
    assert yrange == pytest.approx([-0.5, 1.5])
    cell = page.locator("#sweep-cases td[data-dash-column='economics.capex_cny']").first.text_content()
    assert cell == f"{df['economics.capex_cny'].iloc[0]:,.0f}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard_sweep.png"), full_page=True)

    # a table row: the case in that row
    row = 4
    page.locator(f"#sweep-cases td[data-dash-column='case'] >> text='{row}'").first.click()
    _expect_design(page, df.iloc[row])
    assert page.evaluate("window.__same_page") is True

    # a heatmap cell: the case of that cell (the second PV level with the battery)
    page.click("#nav-page-sweep")
    page.wait_for_selector("#sweep-heatmap .main-svg")
    x, y = page.evaluate(
        """() => { const gd = document.querySelector('#sweep-heatmap .js-plotly-plot');
                   const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
                   const box = gd.getBoundingClientRect();
                   return [box.left + xa._offset + xa.l2p(1), box.top + ya._offset + ya.l2p(1)]; }"""
    )
    page.mouse.click(x, y)
    want = df[(df[PV] == 12000) & (df[BAT] == 40000)].iloc[0]
    _expect_design(page, want)
    assert page.evaluate("window.__same_page") is True


def _expect_design(page, case: pd.Series) -> None:
    """The Scenario page shows the case's PV and battery sizes."""
    deadline = time.time() + 30
    page.wait_for_url("**/scenario")
    want = [float(case[PV]), float(case[BAT])]
    while time.time() < deadline:
        got = [float(page.locator(f"input[id*='{p}']").input_value() or "nan") for p in (PV, BAT)]
        if got == want:
            return
        time.sleep(0.2)
    pytest.fail(f"the Scenario page shows {got}, the clicked case is {want}")
