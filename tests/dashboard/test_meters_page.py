"""The Meters page in a real headless Chromium: the year to date and its projection, measured against simulated,
the data-quality findings and the measured verdicts of a ``twin assess --project`` (issue 18, point 5)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from support.dashboard import served

from lingtan.dashboard import pages_meters
from lingtan.twin.cli import main

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
MAP = ROOT / "tests" / "meters" / "hefei_map.yaml"
RE_SHARE = "hunan_factory_2025.re_ratio"


@pytest.fixture(scope="module")
def assessment(tmp_path_factory) -> Path:
    """Sixty days of generated meters of the hefei plant, a gap planted, assessed and projected over 2 years."""
    tmp = tmp_path_factory.mktemp("meters")
    readings, out = tmp / "m.csv", tmp / "results" / "hefei.assess.json"
    gen = ["meters", "generate", str(SCENARIO), "--map", str(MAP), "--out", str(readings), "--days", "60"]
    assert main([*gen, "--plant", "gap=M-PV"]) == 0
    args = ["assess", str(SCENARIO), "--meters", str(readings), "--map", str(MAP), "--db", f"duckdb:///{tmp}/m.db"]
    assert main([*args, "--project", "--weather-years", "2", "--json", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def server(assessment):
    with served(assessment.parent, log_dir=assessment.parent.parent) as (url, _):
        yield url


def test_the_meters_tables_are_plain_tables_without_a_deprecation_warning(assessment):
    """dash_table.DataTable wrote a deprecation warning to the server log for each table it built."""
    data = json.loads(assessment.read_text())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quality, verdicts = pages_meters.quality_block(data), pages_meters.verdict_table(data)
    assert [str(w.message) for w in caught if "dash_table" in str(w.message)] == []
    [findings] = [b for b in quality if getattr(b, "className", "") == "tbl-wrap"]
    assert len(findings.children.children[1].children) == len(data["quality"]["findings"]) > 0  # one row each
    rows = verdicts.children.children[1].children
    assert RE_SHARE in [r.children[0].children for r in rows]


@pytest.fixture(scope="module")
def browser(chromium, references):
    sync_api = references.module("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def test_the_meters_page_tracks_the_year_and_its_projection(browser, server, assessment):
    data = json.loads(assessment.read_text())
    c = data["projection"]["criteria"][RE_SHARE]
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server + "/meters")
    pg.wait_for_selector("#ytd-headline")
    # the headline the CLI's numbers give: so far, year-end P50 and the chance of reaching the threshold
    headline = pg.locator("#ytd-headline").text_content()
    expected = (
        f"{100 * c['so_far']:.1f} % so far; year-end P50 {100 * c['value_p50']:.1f} %, "
        f"{100 * c['p_pass']:.0f} % chance of reaching {100 * c['threshold']:.1f} %"
    )
    assert expected in headline, headline
    pg.wait_for_selector("#fig-ytd .main-svg")
    pg.wait_for_selector("#fig-compare .main-svg")
    # the year to date has one point per month end, the year end one more
    assert pg.locator("#fig-ytd .scatterlayer .point").count() == len(data["projection"]["track"]) + 1
    # the planted two-day gap on the PV meter is listed, and the completeness is the CLI's
    findings = pg.locator("#findings-table").text_content()
    assert "M-PV" in findings and "long_gap" in findings
    done = data["measured"]["completeness"]["electric"]
    assert f"electric {100 * done:.1f} %" in pg.locator("#meters-completeness").text_content()
    assert RE_SHARE in pg.locator("#meters-verdict-table").text_content()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.wait_for_timeout(500)
    pg.screenshot(path=str(ARTIFACTS / "dashboard_meters.png"), full_page=True)
    ctx.close()
    assert not errors, errors
