"""twin sweep: designs, resume after a real kill, Dask equals local, fast path equals whole scenarios."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from support.scenario_files import write
from support.sweeps import assert_same_columns

from lingtan.errors import InputError
from lingtan.twin.cli.sweep import main
from lingtan.twin.studies.sweep import Param, case_hashes, lhs_design, oat_design, plan, read_results, run_sweep

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
PV = "pv[0].capacity_kwp"
BAT = "battery[0].energy_kwh"


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("case_hash").reset_index(drop=True)


# --------------------------------------------------------------------------- designs


def test_grid_design_count_and_values():
    p = plan(SCENARIO, [f"{PV}=1000:20000:5", f"{BAT}=0:40000:3"])
    assert p.design == "grid" and len(p.values) == 15 and len(set(p.hashes)) == 15
    assert sorted(set(p.values[:, 0])) == list(np.linspace(1000, 20000, 5))
    assert sorted(set(p.values[:, 1])) == [0.0, 20000.0, 40000.0]
    # every combination exactly once
    assert len({tuple(r) for r in p.values}) == 15


def test_lhs_seeded_and_stratified():
    params = [Param(PV, 1000, 21000), Param(BAT, 0, 40000)]
    a, b = lhs_design(params, 50, seed=3), lhs_design(params, 50, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, lhs_design(params, 50, seed=4))
    for j, p in enumerate(params):
        strata = np.floor((a[:, j] - p.lo) / (p.hi - p.lo) * 50).astype(int)
        assert sorted(strata) == list(range(50))  # one value per stratum
    pl = plan(SCENARIO, [f"{PV}=1000:21000", f"{BAT}=0:40000"], lhs=50, seed=3)
    np.testing.assert_array_equal(pl.values, a)


def test_oat_varies_one_at_a_time():
    base = [12000.0, 8000.0]
    params = [Param(PV, 1000, 21000, 3), Param(BAT, 0, 40000, 5)]
    d = oat_design(params, base)
    assert list(d[0]) == base
    assert np.all((d != np.array(base)).sum(axis=1) <= 1)
    p = plan(SCENARIO, [f"{PV}=1000:21000", f"{BAT}=0:40000:5"], oat=True)
    assert p.base_values == base
    changed = (p.values != np.array(base)).sum(axis=1)
    assert np.all(changed <= 1) and (changed == 0).sum() == 1  # the base case once (deduplicated)
    assert len(p.values) == 1 + 3 + 5  # base, then 3 PV values and 5 battery values (none equals base)
    assert sorted(p.values[changed[:] == 1][:, 0][p.values[changed == 1][:, 0] != 12000]) == [1000, 11000, 21000]


def test_case_hash_stable_and_order_free():
    h, h2 = case_hashes("abc", [PV, BAT], [[1.0, 2.0], [1.0, 2.5]])
    assert [h] == case_hashes("abc", [BAT, PV], [[2.0, 1.0]])
    assert h != case_hashes("abd", [PV, BAT], [[1.0, 2.0]])[0] and h != h2
    # The text hashed is fixed: results written by an earlier version resume (same hash for the same case).
    assert h == hashlib.sha256(f"abc\n{BAT}=2.0\n{PV}=1.0".encode()).hexdigest()


@pytest.mark.parametrize(
    "param, field",
    [
        ("pv[3].capacity_kwp=1:2:2", "pv[3].capacity_kwp"),
        ("battery[0].energy=1:2:2", "battery[0].energy"),
        (f"{PV}=5:1:2", PV),
        (f"{PV}=a:b:2", PV),
        (f"{PV}=1:2", PV),
        ("name=1:2:2", "name"),
    ],
)
def test_bad_parameters_name_the_field(param, field, tmp_path):
    with pytest.raises(InputError) as err:
        main([str(SCENARIO), "--param", param, "--out", str(tmp_path), "--quiet", "--no-plots"])
    assert field in str(err.value)


def test_bad_value_is_caught_by_the_models(tmp_path):
    with pytest.raises(InputError) as err:
        run_sweep(SCENARIO, [f"{PV}=-10:10:2"], out=tmp_path, progress=False)
    assert PV in str(err.value)


# --------------------------------------------------------------------------- fast path = whole scenarios


def test_fast_path_agrees_with_whole_scenarios(tmp_path):
    params = [f"{PV}=2000:30000:2", f"{BAT}=0:30000:2"]
    s_fast = run_sweep(SCENARIO, params, out=tmp_path / "fast", progress=False)
    s_whole = run_sweep(SCENARIO, params, out=tmp_path / "whole", path="whole", jobs=2, progress=False)
    assert (s_fast["path"], s_whole["path"]) == ("fast", "whole")
    a, b = _sorted(read_results(tmp_path / "fast")), _sorted(read_results(tmp_path / "whole"))
    assert len(a) == len(b) == 4 and list(a.case_hash) == list(b.case_hash)
    assert a.verdicts_computed.all()
    shared = [c for c in a.columns if c in b.columns and c != "case_hash"]
    assert {
        "re_electricity_share_onsite",
        "grid_cost_cny",
        "accounting.gross_emissions_t",
        "pack.zhejiang_factory_2025.points",
        "economics.annualised_cost_cny",
        "economics.capex_cny",
    } <= set(shared)
    # each case is priced at its own sizes: PV and battery capital differ between the four cases
    assert a["economics.capex_cny"].nunique() == 4
    assert any(c.startswith("verdict.") for c in shared)
    assert_same_columns(a, b, shared)
    # what the fast path cannot compute is absent, not guessed (the monthly bill needs each month's energy by
    # period, which the kernel's annual totals do not keep)
    assert set(b.columns) - set(a.columns) <= _only_whole(b)


def _only_whole(b: pd.DataFrame) -> set[str]:
    """Columns of whole-scenario rows that a fast-path row of a site without a heat side leaves out."""
    return {"max_hourly_balance_residual_kwh"} | {
        c for c in b.columns if c.startswith(("by_source_e_kwh.", "grid_bill."))
    }


def test_demand_response_sweep_fast_path_gives_the_whole_scenario_rows(tmp_path):
    """An event on the fast path: a baseline kernel call over the cases (their imports in the event hours kept),
    each case's caps from its own baseline, the event call; the rows equal each case's two single runs, delivery,
    revenue and the bill's change included."""
    d = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    # 1 MW less for two hours of a July evening, when the PV gives little: without a battery nothing is delivered.
    d["demand_response"] = {
        "events": [{"start": "2025-07-15 19:00", "duration_h": 2, "reduction_kw": 1000}],
        "price_cny_per_kwh": 3.0,
    }
    path = write(tmp_path, d)
    params = [f"{PV}=2000:30000:2", f"{BAT}=0:30000:2"]
    s_fast = run_sweep(path, params, out=tmp_path / "fast", progress=False)
    s_whole = run_sweep(path, params, out=tmp_path / "whole", path="whole", jobs=2, progress=False)
    assert (s_fast["path"], s_whole["path"]) == ("fast", "whole")
    a, b = _sorted(read_results(tmp_path / "fast")), _sorted(read_results(tmp_path / "whole"))
    assert len(a) == 4 and list(a.case_hash) == list(b.case_hash) and a.verdicts_computed.all()
    response = {c for c in b.columns if c.startswith("demand_response.")}
    assert response == {
        f"demand_response.{k}"
        for k in (
            "price_cny_per_kwh",
            "delivered_e_kwh",
            "shortfall_e_kwh",
            "revenue_cny",
            "bill_change_cny",
            "net_cny",
        )
    }
    assert set(b.columns) - set(a.columns) <= _only_whole(b)
    assert_same_columns(a, b, [c for c in a.columns if c in b.columns and c != "case_hash"])
    # Not a vacuous comparison: the battery delivers the 2 x 1000 kWh, no battery none of it.
    battery = a[BAT].to_numpy() > 0
    np.testing.assert_allclose(a["demand_response.delivered_e_kwh"], np.where(battery, 2000.0, 0.0), atol=1e-6)
    assert (a["demand_response.bill_change_cny"][battery] != 0).all()


def test_heat_sweep_fast_path_gives_the_whole_scenario_rows(tmp_path):
    """A thermal-store sweep of a plant with a heat side: the fast path computes the profiles once and runs each
    case through simulate_profiles (heat KPIs need hourly tables), so its rows equal the whole-scenario path's,
    heat KPIs, verdicts and economics included (tolerance: float round-off of the same arithmetic)."""
    heat = SCENARIO.parent / "hefei_auto_parts_heat.yaml"
    params = ["thermal_storage[0].capacity_kwh_th=0:20000:2"]
    s_fast = run_sweep(heat, params, out=tmp_path / "fast", progress=False)
    s_whole = run_sweep(heat, params, out=tmp_path / "whole", path="whole", jobs=1, progress=False)
    assert (s_fast["path"], s_whole["path"]) == ("fast", "whole")
    a, b = _sorted(read_results(tmp_path / "fast")), _sorted(read_results(tmp_path / "whole"))
    assert list(a.columns) == list(b.columns) and a.verdicts_computed.all()
    assert a["heat.waste_heat_recovery_rate"].nunique() == 2  # the store size matters
    for c in a.columns:
        if a[c].dtype == object or a[c].dtype == bool:
            assert list(a[c]) == list(b[c]), c
        else:
            np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-9, atol=1e-6, err_msg=c)


def test_heat_sweep_cases_spread_over_processes_equal_one_process(tmp_path):
    # 12 cases > 4 x 2 jobs: the per-case runs go to a process pool in small chunks (parts); same rows.
    heat = SCENARIO.parent / "hefei_auto_parts_heat.yaml"
    params = ["thermal_storage[0].capacity_kwh_th=0:20000:12"]
    run_sweep(heat, params, out=tmp_path / "pool", jobs=2, progress=False)
    run_sweep(heat, params, out=tmp_path / "one", jobs=1, progress=False)
    a, b = _sorted(read_results(tmp_path / "pool")), _sorted(read_results(tmp_path / "one"))
    assert len(list((tmp_path / "pool" / "cases").glob("part-*.parquet"))) > 1
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------- resume after a kill

_CHILD = """
import sys
from lingtan.twin.studies.sweep import run_sweep
run_sweep(sys.argv[1], [sys.argv[2], sys.argv[3]], out=sys.argv[4], chunk_size=20, progress=False)
"""


def _child(out: Path) -> list[str]:
    return [sys.executable, "-c", _CHILD, str(SCENARIO), f"{PV}=1000:30000:20", f"{BAT}=0:30000:16", str(out)]


def test_resume_after_kill_equals_uninterrupted(tmp_path):
    n = 20 * 16
    killed = tmp_path / "killed"
    proc = subprocess.Popen(_child(killed), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parts = killed / "cases"
    t0 = time.time()
    while time.time() - t0 < 60 and not list(parts.glob("part-*.parquet")) and proc.poll() is None:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = read_results(killed)
    assert 0 < len(partial) < n, "the sweep was not interrupted mid-way"
    # rerun: skips finished cases
    s = run_sweep(SCENARIO, [f"{PV}=1000:30000:20", f"{BAT}=0:30000:16"], out=killed, chunk_size=20, progress=False)
    assert s["skipped"] == len(partial) and s["ran"] == n - len(partial)
    # an uninterrupted run in a fresh process
    subprocess.run(_child(tmp_path / "full"), check=True, capture_output=True)
    a, b = read_results(killed), read_results(tmp_path / "full")
    assert len(a) == len(b) == n
    assert not a.case_hash.duplicated().any()
    a, b = _sorted(a), _sorted(b)
    pd.testing.assert_frame_equal(a[b.columns], b, check_exact=True)
    assert not list(parts.glob(".tmp-*"))


# --------------------------------------------------------------------------- Dask


def test_dask_local_cluster_equals_local_processes(tmp_path):
    distributed = pytest.importorskip("distributed")
    params = [f"{PV}=5000:15000:2", "battery[0].soc_min=0.05:0.2:2"]
    run_sweep(SCENARIO, params, out=tmp_path / "local", path="whole", jobs=2, progress=False)
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        run_sweep(SCENARIO, params, out=tmp_path / "dask", path="whole", cluster=client, progress=False)
        run_sweep(SCENARIO, params, out=tmp_path / "dask_fast", cluster=client, progress=False)
    run_sweep(SCENARIO, params, out=tmp_path / "local_fast", progress=False)
    pd.testing.assert_frame_equal(
        _sorted(read_results(tmp_path / "dask")), _sorted(read_results(tmp_path / "local")), check_exact=True
    )
    pd.testing.assert_frame_equal(
        _sorted(read_results(tmp_path / "dask_fast")), _sorted(read_results(tmp_path / "local_fast")), check_exact=True
    )


# --------------------------------------------------------------------------- command and pictures


def test_main_writes_results_and_plots(tmp_path, capsys):
    assert (
        main(
            [
                str(SCENARIO),
                "--param",
                f"{PV}=1000:40000:4",
                "--param",
                f"{BAT}=0:40000:3",
                "--out",
                str(tmp_path),
                "--no-verdicts",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "12/12 cases" in err and "/s" in err and "ETA" in err
    df = read_results(tmp_path)
    assert len(df) == 12 and not df.verdicts_computed.any()
    names = {f.name for f in (tmp_path / "plots").iterdir()}
    assert any(n.startswith("heatmap_") for n in names) and any(n.startswith("pareto_") for n in names)
    html = next((tmp_path / "plots").glob("heatmap_*.html")).read_text()
    assert "plotly" in html and '<script src="http' not in html  # self-contained
    # rerun: nothing to do, nothing duplicated
    assert (
        main(
            [
                str(SCENARIO),
                "--param",
                f"{PV}=1000:40000:4",
                "--param",
                f"{BAT}=0:40000:3",
                "--out",
                str(tmp_path),
                "--no-verdicts",
                "--quiet",
                "--no-plots",
            ]
        )
        == 0
    )
    assert len(read_results(tmp_path)) == 12
    with pytest.raises(InputError, match="another sweep"):  # one sweep per folder
        main([str(SCENARIO), "--param", f"{BAT}=0:40000:3", "--out", str(tmp_path), "--quiet", "--no-plots"])


def test_tornado_and_heatmap_contour():
    from lingtan.twin.reports.sweep_plots import heatmap, pareto_front, tornado

    x, y = np.meshgrid(np.linspace(0, 1, 5), np.linspace(0, 1, 4))
    df = pd.DataFrame({"a": x.ravel(), "b": y.ravel()})
    df["k"] = 0.5 * df.a + 0.3 * df.b
    fig = heatmap(df, "a", "b", "k", 0.4)
    assert [t.type for t in fig.data] == ["heatmap", "scatter"]  # the cells at or above 0.4, outlined
    assert fig.data[1].name.endswith(">= 0.4")
    oat = pd.DataFrame({"a": [0.5, 0.0, 1.0, 0.5, 0.5], "b": [0.5, 0.5, 0.5, 0.0, 1.0]})
    oat["k"] = 0.5 * oat.a + 0.3 * oat.b
    t = tornado(oat, "k", {"a": 0.5, "b": 0.5})
    assert list(t.data[0].y) == ["b", "a"]  # widest bar last (top)
    assert list(pareto_front(np.array([1.0, 2.0, 3.0, 2.5]), np.array([1.0, 3.0, 2.0, 3.5]))) == [0, 1, 3]


@pytest.mark.parametrize(
    "threshold, lang, says",
    [
        (0.9, "en", "no case reaches the threshold 0.9"),
        (-0.1, "en", "every case reaches the threshold -0.1"),
        (0.9, "zh", "没有算例达到阈值 0.9"),
        (-0.1, "zh", "所有算例均达到阈值 -0.1"),
    ],
)
def test_heatmap_draws_no_threshold_that_no_case_or_every_case_reaches(threshold, lang, says):
    """The sweep page drew its default threshold's contour where no case reaches it: a line between cases below
    it and cases at or above it only, else the title says so, in the reader's language."""
    from lingtan.twin.reports.sweep_plots import heatmap

    x, y = np.meshgrid(np.linspace(0, 1, 3), [0.0, 40000.0])
    df = pd.DataFrame({"a": x.ravel(), "b": y.ravel()})
    df["k"] = 0.5 * df.a + 0.3 * df.b / 40000  # from 0 to 0.8
    fig = heatmap(df, "a", "b", "k", threshold, lang=lang)
    assert [t.type for t in fig.data] == ["heatmap"]
    assert f"({says})" in fig.layout.title.text
    outlined = heatmap(df, "a", "b", "k", 0.4, lang=lang)
    assert [t.type for t in outlined.data] == ["heatmap", "scatter"]
    assert (
        "达到或超过 0.4 的算例已描边" if lang == "zh" else "cases at or above 0.4 outlined"
    ) in outlined.layout.title.text


def test_a_battery_that_searches_its_own_peak_target_takes_the_whole_path(tmp_path):
    # peak_shaving without peak_target_kw: each case first searches the lowest peak its battery holds (a run of its
    # own), which the fast path does not do; it used to stop with an input error instead of taking the whole path.
    from lingtan.twin.studies.sweep import fast_path_ok

    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    data["battery"][0]["dispatch"] = "peak_shaving"
    file = write(tmp_path, data, "peak.yaml")
    p = plan(file, [f"{BAT}=4000:8000:2"])
    assert not fast_path_ok(p.scenario, p.names)
    s = run_sweep(file, [f"{BAT}=4000:8000:2"], out=tmp_path / "out", jobs=1, progress=False, verdicts=False)
    assert s["path"] == "whole" and read_results(tmp_path / "out")["peak_target.found"].all()
