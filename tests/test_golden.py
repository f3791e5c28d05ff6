"""The shipped scenarios and the quick validation rows give the numbers stored before the issue-14 redesign.

Plumbing, not physics: ``tests/golden/`` was written by the code before the redesign
(``tests/golden/make_golden.py``); this proves a refactor moved no number. Whether the numbers are
right is the validation report's and the model tests' job. Floats agree to 1e-12 relative (1e-12 absolute
near zero), everything else exactly: numpy picks its summation kernels by CPU (AVX-512 or AVX2), so the
last bit or two of a year's sum differs between machines (seen: 582996.7138968919 -> ...918). 1e-12 is
about a thousand times that round-off and far below any figure a report prints; a changed model, an
hour shifted or a term dropped moves numbers by far more. The LP optimum (``lp_optimum``) is HiGHS's, exact
only to the solver's tolerances (1e-7 primal and dual feasibility, its defaults): a degenerate month lands
on another optimal vertex on another CPU (seen: 31,111,949.78 -> 31,111,946.50 CNY, 1e-7), so its total and
gap agree to 1e-6 relative and absolute, and its split over months, not unique at a degenerate optimum (that
3.28 CNY all fell in June), is not compared.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = GOLDEN.parents[1]
SCENARIOS = json.loads((GOLDEN / "scenarios.json").read_text())


def differences(old, new, path: str = "") -> list[str]:
    """Every leaf where ``new`` differs from ``old`` (NaN equals NaN), as ``path: old -> new``."""
    if path.endswith(".lp_optimum.total_cny_by_month"):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = [f"{path}.{k}: only in the stored copy" for k in old.keys() - new.keys()]
        out += [f"{path}.{k}: only in the new run" for k in new.keys() - old.keys()]
        for k in old.keys() & new.keys():
            out += differences(old[k], new[k], f"{path}.{k}")
        return out
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path}: {len(old)} items -> {len(new)}"]
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new):
        return []
    if isinstance(old, float) and isinstance(new, float):
        tol = 1e-6 if ".lp_optimum." in path else 1e-12
        if math.isclose(old, new, rel_tol=tol, abs_tol=tol):
            return []
    return [] if old == new and type(old) is type(new) else [f"{path}: {old!r} -> {new!r}"]


def test_differences_sees_a_changed_leaf():
    # The comparer itself: one changed float deep in a list, one missing key.
    assert differences({"a": [1.0, {"b": 2.0}], "c": 1}, {"a": [1.0, {"b": 2.0000000001}]}) == [
        ".c: only in the stored copy",
        ".a[1].b: 2.0 -> 2.0000000001",
    ]
    # Round-off between CPUs (one ulp here) is no difference; an int never differs by any amount.
    assert differences({"e": 582996.7138968919, "n": 3}, {"e": 582996.7138968918, "n": 3}) == []
    assert differences({"n": 3}, {"n": 4}) == [".n: 3 -> 4"]
    # An LP optimum within the solver's tolerance is the same optimum; one 1e-5 off is not.
    assert differences({"lp_optimum": {"c": 31111949.78}}, {"lp_optimum": {"c": 31111946.50}}) == []
    assert differences({"lp_optimum": {"c": 31111949.78}}, {"lp_optimum": {"c": 31111640.0}}) != []


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_shipped_scenario_numbers_are_unchanged(name, tmp_path, capsys):
    # In the test process, as the command line runs it: a plant's LP optimum solved by another test of this
    # process is not solved again (lingtan.twin.studies.lp.solve._DISPATCH_OPTIMA), nor the imports redone.
    from lingtan.twin.cli import main

    out = tmp_path / "out"
    code = main(["run", str(ROOT / "scenarios" / name), "--out", str(out), "--reports", "none", "--quiet"])
    assert code in (0, 1, 4), capsys.readouterr().err
    for table, stored in SCENARIOS[name].items():
        new = json.loads((out / table).read_text())
        assert differences(stored, new) == [], f"{name} {table}"


# Rows whose comparison issue 14 changed on purpose: wind and battery are now compared with references
# set independently of the twin (the stored rows compared the twin with itself through SAM). Issue 16 added the
# peer rows (validation/peer_cases.py): a new comparison, not a changed number.
CHANGED_BY_DESIGN = ("wind.", "battery.", "peer.")


@pytest.mark.parametrize(
    "quick",
    [
        True,
        pytest.param(
            False,
            marks=pytest.mark.skipif(
                os.environ.get("LINGTAN_FULL_VALIDATION") != "1",
                reason="the full validation takes minutes: LINGTAN_FULL_VALIDATION=1 runs it",
            ),
        ),
    ],
    ids=["quick", "full"],
)
def test_validation_rows_are_unchanged(quick, request):
    from lingtan.validation.cases import run_cases

    stored = json.loads((GOLDEN / ("validation_quick.json" if quick else "validation_full.json")).read_text())
    if quick:  # the rows of the quick run the report test reads (conftest.quick_validation): run once
        records = json.loads((request.getfixturevalue("quick_validation")[1] / "report.json").read_text())
        rows = {r["id"]: {"value": r["value"], "passed": r["passed"]} for r in records}
    else:
        rows = {r.id: {"value": r.value, "passed": r.passed} for r in run_cases(quick)}
    keep = lambda d: {k: v for k, v in d.items() if not k.startswith(CHANGED_BY_DESIGN)}  # noqa: E731
    new = json.loads(json.dumps(keep(rows), default=str))  # the stored copy went through JSON too
    assert differences(keep(stored), new) == []
