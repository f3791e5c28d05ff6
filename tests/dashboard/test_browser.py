"""End-to-end: the dashboard in a real headless Chromium (Debian's, driven by Playwright).

The app runs in a subprocess on 127.0.0.1 with a free port, with its own results folder, and
is stopped at the end. Screenshots go to tests/artifacts/dashboard_*.png.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
import yaml
from support.browser import browser, dash_results, page, server  # noqa: F401 - fixtures
from support.dashboard import shot

from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import simulate

pytestmark = pytest.mark.filterwarnings("ignore:.*dash_table.DataTable:DeprecationWarning")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
RUN_TIMEOUT_MS = 90_000

# The default scenario with one bad field: the message must name it.
BROKEN = (
    (ROOT / "scenarios" / "hefei_auto_parts.yaml")
    .read_text(encoding="utf-8")
    .replace("capacity_kwp: 12000", "capacity_kwp: lots")
    .encode()
)


def _run_and_read_share(pg) -> float:
    old = pg.locator("#run-state").get_attribute("data-run") if pg.locator("#run-state").count() else None
    pg.click("#run-btn")
    pg.wait_for_function(
        "old => { const s = document.getElementById('run-state');"
        " return s && s.dataset.status === 'done' && s.dataset.run !== old"
        " && document.getElementById('headline-re'); }",
        arg=old,
        timeout=RUN_TIMEOUT_MS,
    )
    text = pg.locator("#headline-re").text_content()
    return float(re.sub(r"[^0-9.]", "", text))


def _share_percent(capacity_kwp: float | None = None) -> float:
    """The default scenario's on-site renewable share run in this process [%], as the page rounds it (one decimal)."""
    path = ROOT / "scenarios" / "hefei_auto_parts.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if capacity_kwp is not None:
        data["pv"][0]["capacity_kwp"] = capacity_kwp
    res = simulate(scenario_from_dict(data, path), path.parent)
    return round(100 * res.kpis["re_electricity_share_onsite"], 1)


def test_default_scenario_runs_and_results_show_kpis_and_verdicts(page):
    share = _run_and_read_share(page)
    assert share == _share_percent()
    shot(page, "scenario")
    page.click("#open-results")
    page.wait_for_selector("#results-cards .kpi")
    page.wait_for_selector("#fig-dispatch .main-svg")
    page.wait_for_selector("#fig-sankey .main-svg")
    cards = page.locator("#results-cards .kpi")
    assert cards.count() >= 4
    assert page.locator("#results-cards .badge.pass, #results-cards .badge.fail").count() >= 1
    assert "%" in page.locator("#kpi-re_electricity_share_onsite .v").text_content()
    assert page.locator("#criteria-table").count() == 1
    page.wait_for_timeout(500)  # let plotly finish its transitions before the picture
    shot(page, "results")
    # The top of the page (cards, packs, dispatch, monthly balance): the README's picture is a copy of it.
    page.screenshot(
        path=str(ARTIFACTS / "dashboard_results_top.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1440, "height": 1450},
    )


def test_larger_pv_moves_the_renewable_share(page):
    base = _run_and_read_share(page)
    box = page.locator("input[id*='pv[0].capacity_kwp']")
    box.fill("30000")
    box.press("Enter")
    page.wait_for_timeout(300)
    more = _run_and_read_share(page)
    assert (base, more) == (_share_percent(), _share_percent(30000.0))
    assert more > base + 5


def test_broken_upload_shows_the_field_path_and_the_server_keeps_running(page, server):
    page.locator("#scenario-upload input[type=file]").set_input_files(
        files=[{"name": "broken.yaml", "mimeType": "application/x-yaml", "buffer": BROKEN}]
    )
    err = page.wait_for_selector("#scenario-error")
    text = err.text_content()
    assert "broken.yaml" in text and "pv[0].capacity_kwp" in text, text
    shot(page, "upload_error")
    assert urllib.request.urlopen(server + "/", timeout=5).status == 200


def test_weather_years_give_the_odds_on_the_results_page(page):
    from lingtan.dashboard.pages_results import odds_text
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.studies.ensemble import simulate_ensemble

    path = ROOT / "scenarios" / "hefei_auto_parts.yaml"
    years = page.locator("#weather-years")
    years.fill("3")
    years.press("Enter")
    page.wait_for_timeout(300)
    _run_and_read_share(page)
    page.click("#open-results")
    page.wait_for_selector("#odds-card #fig-odds .main-svg")
    ens = simulate_ensemble(load_scenario(path), path.parent, years=3, jobs=1, file=path)
    cid = "hunan_factory_2025.re_ratio"
    shown = page.locator(f"[id='odds-line-{cid}']").text_content()
    assert shown == odds_text(ens.criterion_odds[cid], "fraction")
    assert page.locator(f"[id='odds-{cid}']").text_content() == shown  # beside the verdict on its KPI card
    assert "3 weather years" in page.locator("#results-title").text_content()
    # the threshold line is drawn: plotly's own figure on the page holds it at the criterion's threshold [%]
    x = page.evaluate(
        "() => document.getElementById('fig-odds').querySelector('.js-plotly-plot')"
        ".data.filter(t => t.meta && t.meta.mark === 'threshold').map(t => t.x[0])"
    )
    threshold = next(v["threshold"] for v in ens.typical.verdicts if v["criterion_id"] == cid)
    assert x == [pytest.approx(100 * threshold, rel=1e-12)]
    shot(page, "odds")
