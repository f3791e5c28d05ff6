"""The results page does not mislead: the cards show the figure each criterion uses, named with its variant; a
pack's summary never reads PASS beside a failed item of the same group; partial points are not failures; the cost
comes from the workbook's own economics; no ``nan``, ``None`` or ``undefined`` reaches a page.

The callback functions run on threads here (``processes=False``); the browser half drives a served dashboard in
Debian's Chromium at 1280 and 1920 px."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from dash import no_update
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

from lingtan.dashboard import pages_results, pages_scenario
from lingtan.dashboard.safety import safe_yaml
from lingtan.twin.accounting.criteria import GROUPS
from lingtan.twin.reports import excel as xl
from lingtan.twin.reports import html as rh
from lingtan.twin.reports.summary import economics_rows, verdict_lines
from lingtan.twin.studies.economics import GRID_ONLY, compare, grid_only_base, project_economics
from lingtan.twin.studies.park import simulate_site

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DEFAULT = (SCENARIOS / "hefei_auto_parts.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def factory(c):
    return app_run(c, "hefei_auto_parts.yaml")


@pytest.fixture(scope="module")
def plan(c):
    return app_run(c, "hefei_auto_parts_plan.yaml")


def text_of(node) -> str:
    """Every string a Dash component tree shows (children and cell values), joined by " | "."""
    if node is None or isinstance(node, dict):
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return " | ".join(t for t in (text_of(x) for x in node) if t)
    return text_of(getattr(node, "children", None))


def _by_id(node, found=None) -> dict:
    """Component id -> component, over a Dash tree."""
    found = {} if found is None else found
    if isinstance(node, (list, tuple)):
        for x in node:
            _by_id(x, found)
    elif hasattr(node, "children"):
        if getattr(node, "id", None):
            found[node.id] = node
        _by_id(node.children, found)
    return found


def _verdict(result, cid: str) -> dict:
    return next(v for v in result.verdicts if v["criterion_id"] == cid)


# --------------------------------------------------------------------------- the default factory's run


def test_runs_do_not_share_folders(c, factory):
    other = c.manager.submit(
        safe_yaml(DEFAULT.replace("capacity_kwp: 12000", "capacity_kwp: oops")), "bad.yaml", SCENARIOS
    )
    st = c.manager.wait(other)
    assert st["status"] == "error" and "pv[0].capacity_kwp" in st["message"]
    assert c.manager.folder(factory["run_id"]) != c.manager.folder(other)
    assert c.manager.result(factory["run_id"]) is not None  # the failed run broke nothing


def test_results_show_cards_verdicts_figures_and_downloads(c, factory):
    o = pages_results.render(c, factory)
    assert "Hefei" in o["title"] and o["body_style"] == {}
    ids = [d.id for d in o["cards"]]
    assert "kpi-re_electricity_share_onsite" in ids
    # The default plant's 20.8 % on-site share: Zhejiang's scored share (>= 15 %) passes, Hunan's re_ratio target
    # (>= 35 %) fails, so the card shows one of each and is marked failing.
    [card] = [d for d in o["cards"] if d.id == "kpi-re_electricity_share_onsite"]
    rows = [r for r in card.children if getattr(r, "className", None) == "vd"]
    assert [r.title.split(":")[0] for r in rows] == [
        "zhejiang_factory_2025.renewable_share",
        "hunan_factory_2025.re_ratio",
    ]
    assert [r.children[-1].children for r in rows] == ["FULL 8/8", "FAIL"] and card.className == "kpi fail"
    assert [r.children[1].children[:7] for r in rows] == ["margin ", "margin "]
    rows = pages_results.criteria_rows("run", c.manager.result(factory["run_id"])[1])
    assert rows and all(r["source"] for r in rows) and o["criteria"].children.id == "criteria-table"
    for key in ("dispatch", "monthly", "sankey", "waterfall"):
        assert o[key].data, key
    assert o["downloads"] == [False, False, False, False]
    for which, suffix in (("csv", ".csv"), ("parquet", ".parquet"), ("xlsx", ".xlsx"), ("html", ".html")):
        path, why = pages_results.download_path(c, factory, which)
        assert path is not None and path.suffix == suffix and path.stat().st_size > 1000, why
        assert path.resolve().is_relative_to(c.results_dir)
    assert 'id="section_economics"' in pages_results.download_path(c, factory, "html")[0].read_text()
    assert (c.manager.folder(factory["run_id"]) / "economics.json").is_file()
    assert pages_results.download_path(c, {"run_id": "../../x", "kind": "run"}, "csv")[0] is None


# --------------------------------------------------------------------------- one share per verdict


def test_plan_cards_show_each_criterion_its_own_figure_and_variant(c, plan):
    """The plan's final year: Hunan's re_ratio counts green power (36.6 %), Zhejiang's share is energy-based;
    the card showed the on-site electricity share (26.9 %) beside both thresholds."""
    kind, result = c.manager.result(plan["run_id"])
    [card] = [d for d in pages_results.kpi_card_divs(kind, result) if d.id == "kpi-re_electricity_share_onsite"]
    head, hunan = (
        _verdict(result, f"{p}") for p in ("zhejiang_factory_2025.renewable_share", "hunan_factory_2025.re_ratio")
    )
    shown = text_of(card)
    assert text_of(card.children[1]) == f"{100 * head['value']:.1f} %"  # the big number is the criterion's figure
    assert pages_results.variant_name(head) in text_of(card.children[2])  # named with its variant
    assert f"{100 * hunan['value']:.1f} % · Hunan ≥ 35.0 %" in shown  # the other criterion's own figure
    onsite = result.years[-1].kpis["re_electricity_share_onsite"]
    assert f"{100 * onsite:.1f} %" in shown and abs(onsite - head["value"]) > 5e-4  # the on-site share below


# --------------------------------------------------------------------------- pack summaries


def test_pack_summary_never_passes_a_group_beside_its_failed_item(c, factory):
    """national_factory_guidance read "admission PASS, targets PASS — failed: general_equipment_grade1,
    disclosure": the two are guiding items; the summary now names the guiding group FAIL, as the terminal does."""
    kind, result = c.manager.result(factory["run_id"])
    divs = pages_results.pack_divs(result)
    ids = _by_id(divs)
    for p in result.packs:
        for v in result.verdicts:
            if v["pack"] != p["pack"] or v["role"] == "score" or v["status"] != "fail":
                continue
            [group] = [g for g, roles in GROUPS.items() if v["role"] in roles]
            assert ids[f"pack-{p['pack']}-{group}"].children == "FAIL", (v["criterion_id"], group)
    assert ids["pack-national_factory_guidance-guiding"].children == "FAIL"
    [guidance] = [d for d in divs if "national_factory_guidance" in text_of(d)]
    assert "guiding | FAIL | (declared FAIL)" in re.sub(r"\s*\|\s*", " | ", text_of(guidance))
    # The terminal says the same of the group.
    [line] = [x for x in verdict_lines(result) if x.startswith("== national_factory_guidance")]
    assert "guiding FAIL (declared FAIL)" in line


def test_partial_points_are_coloured_apart_from_failures(c, factory):
    kind, result = c.manager.result(factory["run_id"])
    rows = {r["criterion"]: r for r in pages_results.criteria_rows(kind, result)}
    special = _verdict(result, "zhejiang_factory_2025.special_equipment")
    assert 0 < special["points"] < special["max_points"]
    assert rows["special_equipment"]["_class"]["verdict"] == "part"
    assert rows["special_equipment"]["verdict"] == f"PART {special['points']:g}/{special['max_points']:g}"
    assert rows["carbon_information_system"]["_class"]["verdict"] == "fail"  # no points at all
    [zj] = [d for d in pages_results.pack_divs(result) if "zhejiang" in text_of(d)]
    assert _by_id(zj)["pack-points-zhejiang_factory_2025"].className == "badge part"


def test_scored_points_read_to_one_decimal_everywhere(c):
    """A pro-rata item printed "PART 5.84683/8": no pack's rules state a rounding, so points read to one decimal
    on the page (badge and pack total), in the terminal, the HTML report and the workbook."""
    kind, result = c.manager.result(app_run(c, "hefei_auto_parts.yaml", {"pv[0].capacity_kwp": 5000})["run_id"])
    v = _verdict(result, "zhejiang_factory_2025.renewable_share")
    [zj] = [p for p in result.packs if p["pack"] == "zhejiang_factory_2025"]
    assert 0 < v["points"] < 8 and abs(v["points"] - round(v["points"], 1)) > 1e-3  # 8 x share / 15 %
    want = f"{round(v['points'], 1):g}/8"
    assert pages_results.verdict_word(v) == f"PART {want}"
    [box] = [d for d in pages_results.pack_divs(result) if "zhejiang" in text_of(d)]
    assert _by_id(box)["pack-points-zhejiang_factory_2025"].children == f"{round(zj['points'], 1):g} / 100"
    lines = verdict_lines(result)
    assert any(f" {want} pt" in x for x in lines)
    assert f"; {round(zj['points'], 1):g} / 100 points" in next(x for x in lines if x.startswith("== zhejiang"))
    assert f"part {want}</span>" in rh._verdict_badge(v, "en")
    assert xl._verdict_text(v, "en") == f"part {want}"
    long_decimals = re.compile(r"\d\.\d{2,}/\d|\d\.\d{2,} / 100")
    assert not long_decimals.findall("\n".join(lines) + text_of(pages_results.pack_divs(result)))


def test_headline_counts_simulated_and_declared_criteria_apart(c, factory):
    kind, result = c.manager.result(factory["run_id"])
    items = {i: t for i, t, _ in pages_results.headline_items(kind, result)}
    for inp in ("simulated", "declared"):
        vs = [v for v in result.verdicts if v["role"] != "score" and v["input"] == inp]
        assert items[f"headline-verdicts-{inp}"] == f"{sum(v['status'] == 'pass' for v in vs)} / {len(vs)}"
    assert "headline-verdicts" not in items


def test_negative_size_leaves_no_headline_beside_the_error(app, c):
    store, _ = pages_scenario.load_choice(c, None, "hefei_auto_parts.yaml", None, None)
    [key] = [k for k in app.callback_map if "job-store.data" in k and "run-message.children" in k]
    run = app.callback_map[key]["callback"].__wrapped__
    job, msg, disabled, headline = run(1, store, [-100], [{"path": "pv[0].capacity_kwp"}], None)
    assert job is no_update and "pv[0].capacity_kwp" in msg.children and headline is None


# --------------------------------------------------------------------------- cost


def test_cost_is_the_workbooks_economics_against_grid_only_and_another_run(c, factory):
    kind, result = c.manager.result(factory["run_id"])
    base = simulate_site(grid_only_base(result.scenario), SCENARIOS)
    econ = project_economics(result, base=base)
    ids = _by_id(pages_results.economics_panel(c, factory, GRID_ONLY))
    assert ids["econ-capital-cost"].children == f"{econ['capex_cny'] * 1e-4:,.2f} 万 CNY"
    assert ids["econ-net-present-cost"].children == f"{econ['npc_cny'] * 1e-4:,.2f} 万 CNY"
    assert ids["econ-annualised-cost"].children == f"{econ['annualised_cost_cny'] * 1e-4:,.2f} 万 CNY/yr"
    assert ids["econ-lcoe-of-on-site-pv-and-wind"].children == f"{econ['lcoe_onsite_cny_per_kwh']:,.2f} CNY/kWh"
    payback = econ["versus_base"]["simple_payback_years"]
    assert 0 < payback < 25 and ids["econ-simple-payback"].children == f"{payback:,.2f} yr"
    assert [r[0] for r in economics_rows(econ)][0] == "Capital cost"
    # Another run as the base: the same comparison the workbook's economics make.
    other = app_run(c, "hefei_auto_parts.yaml", {"pv[0].capacity_kwp": 6000})
    opts = pages_results.base_options(c, factory)
    assert other["run_id"] in [o["value"] for o in opts]
    ids = _by_id(pages_results.economics_panel(c, factory, other["run_id"]))
    vs = compare(project_economics(result), project_economics(c.manager.result(other["run_id"])[1]))
    assert ids["econ-extra-capital-cost"].children == f"{vs['extra_capex_cny'] * 1e-4:,.2f} 万 CNY"
    assert (
        ids["econ-annual-operating-savings"].children == f"{vs['annual_operating_savings_cny'] * 1e-4:,.2f} 万 CNY/yr"
    )


def test_plan_has_a_cost_and_no_nan(c, plan):
    kind, result = c.manager.result(plan["run_id"])
    items = {i: t for i, t, _ in pages_results.headline_items(kind, result)}
    econ = project_economics(result.years[-1])
    assert items["headline-annualised"] == f"{econ['annualised_cost_cny'] / 1e4:,.0f} 万 CNY/yr"
    ids = _by_id(pages_results.economics_panel(c, plan, ""))
    assert ids["econ-capital-cost"].children == f"{econ['capex_cny'] * 1e-4:,.2f} 万 CNY"


# --------------------------------------------------------------------------- nothing that is not a number


@pytest.mark.parametrize("which", ["factory", "plan"])
def test_rendered_pages_hold_no_nan_none_or_undefined(c, which, request):
    run_store = request.getfixturevalue(which)
    kind, result = c.manager.result(run_store["run_id"])
    o = pages_results.render(c, run_store)
    shown = (
        " | ".join(text_of(o[k]) for k in ("title", "cards", "packs") if o[k] is not no_update)
        + text_of(o["criteria"])
        + text_of(pages_results.economics_panel(c, run_store, ""))
    )
    shown += " | ".join(t for _, t, _ in pages_results.headline_items(kind, result))
    assert not BAD_WORDS.findall(shown), BAD_WORDS.findall(shown)


def test_pages_build_no_deprecated_dash_table(c, factory):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pages_results.render(c, factory)
    assert not [w for w in caught if "dash_table" in str(w.message)]


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    with served(tmp_path_factory.mktemp("dash-results")) as s:
        yield s


def test_browser_results_fit_their_columns_and_hold_no_nan(chromium, references, served_app):
    # One run, every page at each width: the widths share the run (a second run would check the engine again,
    # not the layout).
    url, log = served_app
    with chromium_browser(chromium, references) as browser:
        ctx = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        pg = ctx.new_page()
        pg.set_default_timeout(120_000)
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        run_scenario(pg, url, "hefei_auto_parts.yaml")
        for width in WIDTHS:
            pg.set_viewport_size({"width": width, "height": 900})
            for page in ("results", "park", "sweep", "scenario"):
                pg.click(f"#nav-page-{page}")
                if page == "results":
                    pg.wait_for_selector("#fig-waterfall .main-svg")
                    pg.wait_for_selector("#econ-capital-cost")
                    assert too_wide(pg, "#page-results") == [], width
                    assert re.fullmatch(r"[\d,.]+ 万 CNY", pg.locator("#econ-capital-cost").inner_text())
                    shot(pg, f"results_{width}")
                else:
                    pg.wait_for_timeout(300)
                assert bad_words(pg) == [], (page, width)
        # A negative size: the error, and no old headline beside it.
        pg.click("#nav-page-scenario")
        box = pg.locator("input[id*='pv[0].capacity_kwp']")
        box.fill("-100")
        box.press("Enter")
        pg.click("#run-btn")
        pg.wait_for_selector("#run-error")
        assert pg.locator("#headline-re").count() == 0
        ctx.close()
        assert not errors, errors
    assert "DataTable" not in Path(log).read_text()  # no deprecation warning of dash_table in the server log
