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
from lingtan.twin.accounting.criteria import pack_names
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
