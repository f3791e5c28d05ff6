"""The uncertainty section of the HTML report: the tornado drawn from the ``Tornado`` record, bar for bar and
widest on top, the members' distributions against the thresholds, and nothing of it in a run without
``uncertainty:``. Figures are read from the page's own plotly JSON, not from words."""

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.reports.html import build_html
from lingtan.twin.reports.tornado import run_uncertainty
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"
MEMBERS = 8
UNCERTAINTY = {
    "load_scale": [0.9, 1.1],
    "pv_age_years": [0, 10],
    "tariff_scale": [0.9, 1.1],  # moves the bill, not the share: the narrowest bar, of zero swing
    "members": MEMBERS,
    "seed": 3,
}


@pytest.fixture(scope="module")
def uncertain():
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    sc = scenario_from_dict({**d, "uncertainty": UNCERTAINTY}, DEFAULT)
    run = simulate(sc, DEFAULT.parent)
    return run, run_uncertainty(sc, DEFAULT, run)


@pytest.fixture(scope="module")
def page(uncertain):
    run, u = uncertain
    return build_html(run, "en", uncertainty=u)


def figure(text: str, div_id: str) -> list[dict]:
    """The traces of the ``Plotly.newPlot`` call on ``div_id``."""
    m = re.search(rf'Plotly\.newPlot\(\s*"{re.escape(div_id)}",\s*', text)
    assert m is not None, div_id
    data, _ = json.JSONDecoder().raw_decode(text, m.end())
    return data


def numbers(x) -> list[float]:
    """A figure array as numbers: plotly writes numpy arrays as typed arrays (``{"dtype", "bdata"}``)."""
    if isinstance(x, dict) and "bdata" in x:
        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]).tolist()
    return [float(v) for v in x]


def drawn_bars(text: str) -> tuple[list[str], list[float], list[float], float]:
    """The tornado of a page, widest first: quantities, KPI at P10, KPI at P90, the all-median base."""
    low, high = figure(text, "fig-tornado")
    assert low["y"] == high["y"] and low["base"] == high["base"]
    base = float(low["base"])
    # plotly lists the bottom bar first: reverse to read from the top.
    at_p10 = [base + x for x in numbers(low["x"])][::-1]
    at_p90 = [base + x for x in numbers(high["x"])][::-1]
    return low["y"][::-1], at_p10, at_p90, base


def test_tornado_bars_are_the_records_bars_widest_on_top(uncertain, page):
    t = uncertain[1].tornado
    quantities, at_p10, at_p90, base = drawn_bars(page)
    assert base == t.base_kpi
    assert quantities == [b.quantity for b in t.bars] and set(quantities) == set(UNCERTAINTY) - {"members", "seed"}
    # x is KPI - base in the JSON; adding base back is exact to one rounding of the KPI.
    np.testing.assert_allclose(at_p10, [b.kpi_at_p10 for b in t.bars], rtol=0, atol=1e-15)
    np.testing.assert_allclose(at_p90, [b.kpi_at_p90 for b in t.bars], rtol=0, atol=1e-15)
    swings = [abs(a - b) for a, b in zip(at_p10, at_p90, strict=True)]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0.0
    assert quantities[-1] == "tariff_scale" and swings[-1] == 0.0  # the tariff moves no flow


def test_members_distributions_count_every_member_and_draw_the_thresholds(uncertain, page):
    run, u = uncertain
    verdicts = {v["criterion_id"]: v for v in run.verdicts}
    ids = re.findall(r'id="(fig-unc-\d+)"', page)
    assert ids
    drawn = {}
    for fid in ids:
        traces = figure(page, fid)
        bars = [t for t in traces if t["type"] == "bar"]
        assert len(bars) == 1 and sum(numbers(bars[0]["y"])) == MEMBERS
        for t in traces:
            meta = t.get("meta") or {}
            if meta.get("mark") == "threshold":
                drawn[meta["criterion_id"]] = t["x"][0]
    numeric = {cid for cid, o in u.criterion_odds.items() if "value_p50" in o}
    assert numeric and set(drawn) == numeric
    for cid, x in drawn.items():
        scale = 100.0 if verdicts[cid]["unit"].startswith("fraction") else 1.0
        assert x == pytest.approx(verdicts[cid]["threshold"] * scale, rel=1e-12)
    for q in ("load_scale", "pv_age_years", "tariff_scale"):
        assert f'<tr data-quantity="{q}">' in page


def test_a_run_without_uncertainty_has_no_tornado(uncertain):
    run, _ = uncertain
    text = build_html(run, "en")
    assert "fig-tornado" not in text and "section_uncertainty" not in text and "fig-unc-" not in text


def test_twin_run_writes_the_tornado_into_the_report_once(tmp_path):
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**d, "uncertainty": UNCERTAINTY}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--reports", "html", "--quiet"]) == 0
    t = json.loads((out / "tornado.json").read_text(encoding="utf-8"))
    quantities, at_p10, at_p90, base = drawn_bars((out / "report.html").read_text(encoding="utf-8"))
    assert base == t["base_kpi"] and quantities == [b["quantity"] for b in t["bars"]]
    np.testing.assert_allclose(at_p10, [b["kpi_at_p10"] for b in t["bars"]], rtol=0, atol=1e-15)
    assert (out / "ensemble.parquet").is_file()
