"""Callback unit tests: the functions behind the dashboard's callbacks, without a browser.

Runs go to threads here (``processes=False``); the browser tests use the process pool.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd
import pytest
from dash import no_update

from lingtan.dashboard import pages_park, pages_results, pages_scenario, pages_sweep
from lingtan.dashboard.app import _is_loopback, build_parser
from lingtan.dashboard.safety import (
    MAX_UPLOAD_BYTES,
    OutsideError,
    check_scenario_paths,
    confine,
    list_scenarios,
    parse_upload,
    safe_yaml,
    valid_run_id,
)
from lingtan.dashboard.sizes import apply_sizes, size_fields
from lingtan.errors import ScenarioError

pytestmark = pytest.mark.filterwarnings("ignore:.*dash_table.DataTable:DeprecationWarning")
ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DEFAULT = (SCENARIOS / "hefei_auto_parts.yaml").read_text(encoding="utf-8")


def _upload(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return "data:application/x-yaml;base64," + base64.b64encode(raw).decode()


# --------------------------------------------------------------------------- safety


def test_app_binds_to_loopback_by_default():
    assert build_parser().parse_args([]).host == "127.0.0.1"
    assert _is_loopback("127.0.0.1") and _is_loopback("localhost") and not _is_loopback("0.0.0.0")


def test_upload_limits_and_safe_yaml():
    assert parse_upload(_upload("a: 1"), "x.yaml") == {"a": 1}
    with pytest.raises(ScenarioError, match="at most 512 KB"):
        parse_upload(_upload(b"a: 1\n" + b"#" * (MAX_UPLOAD_BYTES + 10)), "big.yaml")
    with pytest.raises(ScenarioError, match="valid YAML"):
        parse_upload(_upload("a: [1, 2"), "bad.yaml")
    with pytest.raises(ScenarioError):  # python objects are not constructed
        parse_upload(_upload("!!python/object/apply:os.system ['echo hi']"), "evil.yaml")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    with pytest.raises(ScenarioError, match="aliases|values"):
        safe_yaml(bomb)
    with pytest.raises(ScenarioError, match="UTF-8"):
        parse_upload(_upload(b"\xff\xfe\x00bad"), "bin.yaml")


def test_paths_stay_inside_their_folders(tmp_path):
    assert confine(tmp_path, "a", "b.yaml") == (tmp_path / "a" / "b.yaml").resolve()
    for bad in ("../x.yaml", "/etc/passwd", "a/../../x", "C:\\x"):
        with pytest.raises(OutsideError):
            confine(tmp_path, bad)
    assert "hefei_auto_parts.yaml" in list_scenarios(SCENARIOS)
    assert not valid_run_id("../../etc") and valid_run_id("0" * 32)
    data = {"weather": {"source": "file", "path": "../../etc/passwd"}}
    with pytest.raises(ScenarioError, match=r"weather\.path"):
        check_scenario_paths(data, SCENARIOS, "up.yaml")
    with pytest.raises(ScenarioError, match=r"loads\[0\]\.path"):
        check_scenario_paths({"loads": [{"path": "/tmp/x.csv"}]}, SCENARIOS, "up.yaml")
    check_scenario_paths({"weather": {"path": "weather/hefei.csv"}}, SCENARIOS)


def test_library_pick_outside_the_library_is_refused(c):
    store, msg = pages_scenario.load_choice(c, "scenario-pick", "../pyproject.toml", None, None)
    assert store is no_update and "not a scenario of the library" in msg.children


# --------------------------------------------------------------------------- scenario page


def test_sizes_found_and_applied():
    data = safe_yaml(DEFAULT)
    paths = [f.path for f in size_fields(data)]
    assert paths == [
        "pv[0].capacity_kwp",
        "battery[0].energy_kwh",
        "battery[0].power_kw",
        "grid.import_limit_kw",
        "grid.export_limit_kw",
    ]
    new = apply_sizes(data, {"pv[0].capacity_kwp": 20000, "grid.import_limit_kw": "15000"})
    assert new["pv"][0]["capacity_kwp"] == 20000 and new["grid"]["import_limit_kw"] == 15000
    assert data["pv"][0]["capacity_kwp"] == 12000  # a copy
    with pytest.raises(ScenarioError, match=r"pv\[3\]\.capacity_kwp"):
        apply_sizes(data, {"pv[3].capacity_kwp": 1})
    with pytest.raises(ScenarioError, match="a number"):
        apply_sizes(data, {"pv[0].capacity_kwp": None})
    park = safe_yaml((SCENARIOS / "anhui-park.yaml").read_text(encoding="utf-8"))
    assert any(f.path.startswith("shared.") for f in size_fields(park))


def test_broken_upload_shows_the_field_path(c):
    store, msg = pages_scenario.load_choice(
        c,
        "scenario-upload",
        None,
        _upload(DEFAULT.replace("capacity_kwp: 12000", "capacity_kwp: -5")),
        "../../plant.yaml",
    )
    assert store is no_update
    assert msg.id == "scenario-error"
    assert msg.children.startswith("plant.yaml: pv[0].capacity_kwp:"), msg.children


def test_good_upload_is_stored(c):
    store, msg = pages_scenario.load_choice(c, "scenario-upload", None, _upload(DEFAULT), "mine.yaml")
    assert store["label"] == "mine.yaml" and store["source"] == "upload"
    json.dumps(store)  # the browser store holds JSON
    assert pages_scenario.size_rows(store)


def test_slider_and_box_stay_together():
    assert pages_scenario.sync_size("size-slider", 5, 7000.0, 40000) == (7000, no_update)
    assert pages_scenario.sync_size("size-num", 50000, 1, 40000) == (no_update, 40000)
    assert pages_scenario.sync_size("size-num", None, 1, 40000) == (no_update, no_update)


def test_run_error_is_shown_and_nothing_is_queued(c):
    store, _ = pages_scenario.load_choice(c, None, "hefei_auto_parts.yaml", None, None)
    job, msg, disabled = pages_scenario.start_run(c, store, [-100], [{"path": "pv[0].capacity_kwp"}])
    assert job is no_update and disabled is True and "pv[0].capacity_kwp" in msg.children


def test_pv_size_moves_the_renewable_share(c):
    store, _ = pages_scenario.load_choice(c, None, "hefei_auto_parts.yaml", None, None)
    shares = []
    for kwp in (6000, 24000):
        job, _, _ = pages_scenario.start_run(c, store, [kwp], [{"path": "pv[0].capacity_kwp"}])
        c.manager.wait(job["run_id"])
        _, run_store, *_ = pages_scenario.poll(c, job)
        kind, result = c.manager.result(run_store["run_id"])
        shares.append(result.kpis["re_electricity_share_onsite"])
        items = {
            b.id: b.children
            for hl in pages_scenario.headline(kind, result).children
            for b in hl.children
            if getattr(b, "id", None)
        }
        assert items["headline-annualised"].endswith("万 CNY/yr")
    assert shares[1] > shares[0] + 0.05


# --------------------------------------------------------------------------- results page without a run


def test_results_without_a_run_say_so(c):
    o = pages_results.render(c, None)
    assert o["body_style"] == {"display": "none"} and o["empty"] is not None


def test_week_range():
    idx = pd.date_range("2025-01-01", periods=8760, freq="h")
    assert pages_results.week_range(idx, 1) == ["2025-01-01T00:00:00", "2025-01-08T00:00:00"]


# --------------------------------------------------------------------------- park page


def test_radial_layout_puts_children_right_of_parents():
    pos = pages_park.radial_layout([0, 1, 2, 3], [(0, 1), (1, 2), (1, 3)], 0)
    assert pos[0][0] == 0 and pos[1][0] == 1 and pos[2][0] == pos[3][0] == 2 and pos[2][1] != pos[3][1]


# --------------------------------------------------------------------------- sweep page


@pytest.fixture
def sweep(c):
    folder = c.results_dir / "sweeps" / "pv_battery"
    (folder / "cases").mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "case_hash": f"h{i}{j}",
            "pv[0].capacity_kwp": pv,
            "battery[0].energy_kwh": bat,
            "re_electricity_share_onsite": 0.1 + pv / 1e5 + bat / 1e6,
            "grid_cost_cny": 3e7 - pv * 100,
        }
        for i, pv in enumerate((6000, 12000, 18000))
        for j, bat in enumerate((0, 8000))
    ]
    pd.DataFrame(rows).to_parquet(folder / "cases" / "part-00000.parquet")
    (folder / "sweep.json").write_text(
        json.dumps(
            {
                "scenario": "scenarios/hefei_auto_parts.yaml",
                "kpi": "re_electricity_share_onsite",
                "threshold": 0.3,
                "params": [{"name": "pv[0].capacity_kwp"}, {"name": "battery[0].energy_kwh"}],
            }
        )
    )
    return "sweeps/pv_battery"


def test_sweep_listed_opened_and_a_row_loads_its_design(c, sweep):
    assert sweep in pages_sweep.list_sweeps(c.results_dir)
    plots, table, options, kpi, threshold, info = pages_sweep.render(c, sweep, None, None)
    assert kpi == "re_electricity_share_onsite" and len(table.data) == 6 and threshold == 0.3
    # the grid's heatmap and the Pareto front of cost against the share are drawn; the dataset has no residual
    # emissions (a sweep without verdicts): one note, before the figures
    notes = [p.children for p in plots if getattr(p, "id", None) == "sweep-plots-note"]
    graphs = [ch for card in plots[len(notes) :] for ch in card.children if getattr(ch, "id", "").startswith("sweep-")]
    assert [n.split(":")[0] for n in notes] == ["pareto_emissions"]
    assert [g.id for g in graphs] == ["sweep-heatmap", "sweep-pareto_re"]
    store, path, msg = pages_sweep.load_design(c, sweep, 4, None)
    assert path == "/scenario" and store["data"]["pv"][0]["capacity_kwp"] == 18000
    assert store["design"] == {"pv[0].capacity_kwp": 18000.0, "battery[0].energy_kwh": 0.0}
    with pytest.raises(OutsideError):
        pages_sweep.read_sweep(c.results_dir, "../../")


def test_sweep_click_finds_the_nearest_case(sweep, c):
    df, meta = pages_sweep.read_sweep(c.results_dir, sweep)
    row = pages_sweep.row_for_click(df, {"x": 12100, "y": 7900}, "pv[0].capacity_kwp", "battery[0].energy_kwh")
    assert df.iloc[row]["pv[0].capacity_kwp"] == 12000 and df.iloc[row]["battery[0].energy_kwh"] == 8000
    assert pages_sweep.row_for_click(df, {"customdata": ["h20"]}, None, None) == 4


def test_sweep_page_without_sweep_plots_says_so(monkeypatch, c, sweep):
    import builtins

    real = builtins.__import__

    def no_plots(name, *a, **k):
        if name == "lingtan.twin.reports.sweep_plots":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_plots)
    plots, *_ = pages_sweep.render(c, sweep, None, None)
    assert "not installed" in plots[0].children
