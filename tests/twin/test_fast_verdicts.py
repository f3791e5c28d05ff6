"""Verdicts over arrays: a fast-path sweep's accounting, verdicts, pack scores and economics equal the per-case
path's (each case simulated on its own through simulate_profiles, as a single run), verdict by verdict."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from lingtan.errors import InputError
from lingtan.twin.accounting.account import annual_energy_arrays
from lingtan.twin.accounting.assess import assess_cases
from lingtan.twin.accounting.criteria import evaluate, evaluate_cases, pack_names, score, score_cases
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import build_profiles, simulate_profiles
from lingtan.twin.studies.sweep import _result_row, fast_inputs, fast_rows, plan

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
# 7 x 6 x 5 = 210 cases; PV and battery from zero, so renewable shares and points cross their thresholds.
PARAMS = ["pv[0].capacity_kwp=0:24000:7", "battery[0].energy_kwh=0:40000:6", "battery[0].power_kw=1000:9000:5"]
REL = 1e-12


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=REL)
    return a == b


@pytest.fixture(scope="module")
def both_paths():
    """The sweep through the array path and through the per-case path, with every shipped pack."""
    p = plan(SCENARIO, PARAMS)
    data = dict(p.data, criteria=pack_names())  # a factory takes every shipped pack
    sc = scenario_from_dict(data, SCENARIO)
    p = dataclasses.replace(p, data=data, scenario=sc)
    prof = build_profiles(sc, SCENARIO.parent)
    cases = [p.case_data(i) for i in range(len(p.values))]
    rows = fast_rows(sc, prof, fast_inputs(p), verdicts=True, file=SCENARIO)  # as the sweep runs a chunk
    runs = [simulate_profiles(scenario_from_dict(d, SCENARIO), prof) for d in cases]
    return sc, rows, runs


def test_sweep_rows_equal_the_per_case_rows(both_paths):
    _, rows, runs = both_paths
    assert len(rows) == len(runs) == 210 and rows.verdicts_computed.all()
    checked = [c for c in rows.columns if c.split(".")[0] in ("accounting", "economics", "verdict", "pack")]
    assert sum(c.startswith("verdict.") for c in checked) > 40
    for i, r in enumerate(runs):
        ref = _result_row(r)
        assert set(checked) <= set(ref), i
        for c in checked:
            assert _close(rows[c].iloc[i].item(), ref[c]), (i, c, rows[c].iloc[i], ref[c])


def test_every_verdict_and_pack_score_equals_the_single_run(both_paths):
    sc, rows, runs = both_paths
    kpis = rows[[c for c in rows.columns if c.split(".")[0] not in ("accounting", "economics", "verdict", "pack")]]
    a = assess_cases(sc, kpis)
    statuses = set()
    for i, r in enumerate(runs):
        assert len(a.verdicts[i]) == len(r.verdicts)
        for v, ref in zip(a.verdicts[i], r.verdicts, strict=True):
            got = v.to_dict()
            for key in ("criterion_id", "status", "passed", "input", "note", "variant", "threshold"):
                assert got[key] == ref[key], (i, v.criterion_id, key, got[key], ref[key])
            for key in ("value", "margin", "points", "max_points"):
                assert _close(got[key], ref[key]), (i, v.criterion_id, key, got[key], ref[key])
            statuses.add((v.criterion_id, v.status))
        for pk, ref in zip(a.packs[i], r.packs, strict=True):
            assert pk == ref, (i, pk["pack"])
    # not a vacuous comparison: simulated criteria both pass and fail across the sweep
    flipped = {cid for cid, st in statuses if st == "pass"} & {cid for cid, st in statuses if st == "fail"}
    assert "zhejiang_factory_2025.renewable_share" in flipped
    # the ensemble's columns: value, passed and status of every verdict
    cols = a.columns()
    v0 = a.verdicts[0][0].criterion_id
    assert {f"verdict.{v0}.value", f"verdict.{v0}.passed", f"verdict.{v0}.status"} <= set(cols.columns)
    assert list(cols[f"verdict.{v0}.status"]) == [case[0]["status"] for case in (r.verdicts for r in runs)]


def test_annual_energy_arrays_refuse_bad_kpis():
    good = {k: np.ones(3) for k in ("grid_import_e_kwh", "grid_export_e_kwh", "re_generation_e_kwh")}
    good.update(curtailed_e_kwh=np.zeros(3), re_consumed_e_kwh=np.ones(3))
    assert annual_energy_arrays(good).grid_import_e_kwh.shape == (3,)
    with pytest.raises(InputError, match=r"kpis\.grid_export_e_kwh"):
        annual_energy_arrays(dict(good, grid_export_e_kwh=np.array([1.0, -1.0, 1.0])))
    with pytest.raises(InputError, match=r"kpis\.curtailed_e_kwh"):
        annual_energy_arrays(dict(good, curtailed_e_kwh=np.zeros(2)))
    with pytest.raises(InputError, match=r"kpis\.re_consumed_e_kwh"):
        annual_energy_arrays({k: v for k, v in good.items() if k != "re_consumed_e_kwh"})


def test_statuses_change_inside_the_grid_at_band_edges(both_paths):
    """Eight cases whose energy straddles the Zhejiang bands (10 000 and 20 000 tce, within and outside the 1e-9
    tolerance) and the national park bands (200 000 and 1 000 000 tce), with shares on and just off their
    thresholds and one case that does not serve its load: the verdicts over arrays equal each case evaluated
    alone, record by record, and take the statuses the clauses give."""
    sc, rows, _ = both_paths
    rows = rows.iloc[:8]
    cols = {c: rows[c].to_numpy() for c in rows.columns if c.split(".")[0] not in ("economics", "verdict", "pack")}
    cols = {c.removeprefix("accounting."): v for c, v in cols.items()}
    energy = np.array([9_000.0, 10_000 * (1 - 1e-10), 10_000.0, 15_000.0, 20_000 * (1 - 1e-8), 20_000.0, 3e5, 1.2e6])
    cols["energy_equivalent_tce"] = energy
    cols["re_energy_share_onsite_equivalent"] = np.array(
        [0.20, 0.15 * (1 - 1e-10), 0.1499, 0.15, 0.16, 0.10, 0.05, 0.12]
    )
    cols["unit_energy_carbon_numerator_t"] = energy * np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.19, 0.31])
    cols["unserved_load_e_kwh"] = np.where(np.arange(8) == 3, 0.002 * cols["load_e_kwh"], 0.0)
    packs = pack_names()
    declared = sc.declared.model_copy(update={"last_year_energy_tce": None})  # the bands from the simulated energy
    arrays = evaluate_cases(packs, cols, declared, sc.criteria_settings)
    for i in range(8):
        ref = evaluate(packs, {k: v[i].item() for k, v in cols.items()}, declared, sc.criteria_settings)
        assert [v.case(i).to_dict() for v in arrays] == [r.to_dict() for r in ref], i
        for p in packs:
            per_case = score([v.case(i) for v in arrays], p)
            assert {k: a[i] for k, a in score_cases(arrays, p).items()} == {
                k: per_case[k] for k in ("points", "admission_passed", "targets_passed")
            }
    by_id = {v.criterion_id: [v.case(i) for i in range(8)] for v in arrays}
    re = by_id["zhejiang_factory_2025.renewable_share"]
    assert [v.threshold for v in re] == [0.20, 0.15, 0.15, 0.15, 0.15, 0.10, 0.10, 0.10]
    assert [v.status for v in re] == ["pass", "pass", "fail", "not assessable", "pass", "pass", "fail", "pass"]
    assert [v.points for v in re][:3] == [8.0, 8.0, pytest.approx(8.0 * 0.1499 / 0.15, rel=1e-12)]
    park = by_id["national_park_2025.unit_energy_carbon"]
    assert [v.threshold for v in park] == [None] * 6 + [0.20, 0.30]
    assert [v.status for v in park] == ["undetermined"] * 3 + ["not assessable"] + ["undetermined"] * 2 + [
        "pass",
        "fail",
    ]
