"""Callback tests of an ensemble run in the dashboard: the weather-years box asks the worker for an ensemble, the
results page shows each simulated criterion's P50, P90 and probability of passing as the ensemble computed them,
and the headline KPI's distribution with its threshold (the HTML report's own figure)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lingtan.dashboard import pages_results, pages_scenario
from lingtan.dashboard.app import create_app
from lingtan.dashboard.worker import MAX_WEATHER_YEARS
from lingtan.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore:.*dash_table.DataTable:DeprecationWarning")
ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
YEARS = 3


@pytest.fixture(scope="module")
def c(tmp_path_factory):
    app = create_app(SCENARIOS, tmp_path_factory.mktemp("results"), processes=False)
    yield app._twin_context
    app._twin_context.manager.shutdown()


def _run(c, years):
    store, _ = pages_scenario.load_choice(c, None, "hefei_auto_parts.yaml", None, None)
    job, msg, disabled = pages_scenario.start_run(c, store, [], [], years)
    assert msg is None and disabled is False
    assert c.manager.wait(job["run_id"], 300)["status"] == "done", c.manager.status(job["run_id"])
    return pages_scenario.poll(c, job)[1]


@pytest.fixture(scope="module")
def ensemble_run(c):
    return _run(c, YEARS)


def _texts(component) -> list[tuple[str, str]]:
    """(id, text) of every component with an id under ``component`` whose children are a string."""
    out = []

    def walk(x):
        if isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
            return
        if getattr(x, "id", None) and isinstance(getattr(x, "children", None), str):
            out.append((x.id, x.children))
        walk(getattr(x, "children", None) or [])

    walk(component)
    return out


def test_the_weather_years_box_sets_the_ensemble_and_refuses_what_cannot_run():
    data = yaml.safe_load((SCENARIOS / "hefei_auto_parts.yaml").read_text(encoding="utf-8"))
    assert pages_scenario.with_weather_years(data, None, "x.yaml") is data
    assert pages_scenario.with_weather_years(data, 0, "x.yaml") is data
    got = pages_scenario.with_weather_years(data, 7.0, "x.yaml")
    assert got["weather"] == {**data["weather"], "ensemble": {"years": 7}} and "ensemble" not in data["weather"]
    for bad in (1, 2.5, MAX_WEATHER_YEARS + 1):
        with pytest.raises(InputError, match="weather years.*integer from 2"):
            pages_scenario.with_weather_years(data, bad, "x.yaml")
    epw = {**data, "weather": {"source": "epw", "path": "w.epw"}}
    with pytest.raises(InputError, match="weather.source: epw"):
        pages_scenario.with_weather_years(epw, 5, "x.yaml")


def test_a_plan_with_weather_years_fails_its_run_with_one_line(c):
    store, _ = pages_scenario.load_choice(c, None, "hefei_auto_parts_plan.yaml", None, None)
    job, msg, _ = pages_scenario.start_run(c, store, [], [], 3)
    st = c.manager.wait(job["run_id"], 120)
    assert st["status"] == "error" and "weather.ensemble" in st["message"] and "plan" in st["message"]


def test_results_show_the_odds_of_each_simulated_criterion(c, ensemble_run):
    ens = c.manager.ensemble(ensemble_run["run_id"])
    assert ens is not None and len(ens.members) == YEARS
    assert c.manager.result(ensemble_run["run_id"]) == ("run", ens.typical)  # the pages read the typical year
    out = pages_results.render(c, ensemble_run)
    assert out["odds_style"] == {} and out["title"].endswith(f"· {YEARS} weather years")
    units = {v["criterion_id"]: v.get("unit", "") for v in ens.typical.verdicts}
    lines = dict(_texts(out["odds"]))
    assert set(lines) == {"odds-intro"} | {f"odds-line-{cid}" for cid in ens.criterion_odds}
    for cid, o in ens.criterion_odds.items():
        text = lines[f"odds-line-{cid}"]
        assert text == pages_results.odds_text(o, units[cid]) and text.endswith(f"P(pass) {100 * o['p_pass']:.0f} %")
        if "value_p50" in o:
            assert text.startswith(f"P50 {pages_results.rh.fmt_value(o['value_p50'], units[cid])} · P90 ")
    # the criteria table carries the same odds beside each verdict
    heads = [th.children for th in out["criteria"].children.children[0].children.children]
    assert "Odds over the weather years" in heads
    rows = pages_results.criteria_rows("run", c.manager.result(ensemble_run["run_id"])[1], ens)
    by_id = {f"{r['pack']}.{r['criterion']}": r["odds"] for r in rows}
    for cid, o in ens.criterion_odds.items():
        assert by_id[cid] == pages_results.odds_text(o, units[cid])
    # the cards hold them under the verdicts that read their KPI
    cards = dict(_texts(out["cards"]))
    cid = "hunan_factory_2025.re_ratio"
    assert cards[f"odds-{cid}"] == pages_results.odds_text(ens.criterion_odds[cid], "fraction")


def test_the_headline_distribution_has_its_threshold_at_the_criterion(c, ensemble_run):
    ens = c.manager.ensemble(ensemble_run["run_id"])
    fig = pages_results.render(c, ensemble_run)["odds_fig"]
    marks = {(t.meta or {}).get("mark"): t for t in fig.data if t.meta}
    threshold = marks["threshold"]
    cid = threshold.meta["criterion_id"]
    assert cid == "hunan_factory_2025.re_ratio"  # the renewable share a criterion reads
    verdict = next(v for v in ens.typical.verdicts if v["criterion_id"] == cid)
    assert list(threshold.x) == pytest.approx([100 * verdict["threshold"]] * 2, rel=1e-12)
    assert marks["p50"].x[0] == pytest.approx(100 * ens.criterion_odds[cid]["value_p50"], rel=1e-12)
    assert sum(fig.data[0].y) == YEARS


def test_single_year_results_show_no_odds_and_the_download_carries_them(c, ensemble_run):
    single = _run(c, None)
    out = pages_results.render(c, single)
    assert c.manager.ensemble(single["run_id"]) is None
    assert out["odds_style"] == {"display": "none"} and out["odds"] is None
    assert all(not r["odds"] for r in pages_results.criteria_rows("run", c.manager.result(single["run_id"])[1]))
    assert "Odds over the weather years" not in [
        th.children for th in out["criteria"].children.children[0].children.children
    ]
    path, why = pages_results.download_path(c, ensemble_run, "html")
    assert path is not None, why
    assert 'id="section_odds"' in path.read_text(encoding="utf-8")
    path, _ = pages_results.download_path(c, single, "html")
    assert 'id="section_odds"' not in path.read_text(encoding="utf-8")


def test_the_kpi_picker_draws_each_headline_with_its_own_threshold(c, ensemble_run):
    ens = c.manager.ensemble(ensemble_run["run_id"])
    out = pages_results.render(c, ensemble_run)
    columns = [o["value"] for o in out["odds_options"]]
    assert out["odds_value"] == "hunan_factory_2025.re_ratio.value"
    assert columns == [
        "hunan_factory_2025.unit_energy_carbon.value",
        "hunan_factory_2025.re_ratio.value",
        "re_electricity_share_onsite",
    ]
    thresholds = {v["criterion_id"]: v["threshold"] for v in ens.typical.verdicts}
    fig = pages_results.odds_figure(ens, columns[0])
    line = next(t for t in fig.data if (t.meta or {}).get("mark") == "threshold")
    assert list(line.x) == pytest.approx([thresholds["hunan_factory_2025.unit_energy_carbon"]] * 2, rel=1e-12)
    share = pages_results.odds_figure(ens, columns[2])
    assert not [t for t in share.data if (t.meta or {}).get("mark") == "threshold"]  # no criterion reads it
    assert pages_results.odds_figure(ens, "no.such.column") is None
