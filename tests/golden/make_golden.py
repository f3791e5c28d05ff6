"""Store the numbers of the shipped scenarios and of the validation cases, to compare after a refactor.

Run once before a change that must not move a result (``python tests/golden/make_golden.py``); the
test ``tests/test_golden.py`` compares a fresh run with the stored copy. The copy is made by the
code before the change, so the comparison proves that the change kept the numbers (plumbing), not
that the numbers are right (that is the validation report's job).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TABLES = ("kpis.json", "criteria.json")


def scenario_numbers(path: Path, twin: str) -> dict:
    """``kpis.json`` and ``criteria.json`` of one ``twin run`` of ``path`` (exit 0 or 4 accepted)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        done = subprocess.run(
            [twin, "run", str(path), "--out", str(out), "--reports", "none", "--quiet"], capture_output=True, text=True
        )
        if done.returncode not in (0, 1, 4):
            raise SystemExit(f"{path.name}: exit {done.returncode}: {done.stderr}")
        return {name: json.loads((out / name).read_text()) for name in TABLES if (out / name).exists()}


def validation_numbers(quick: bool) -> dict:
    """Each validation row's value and verdict, by id."""
    from validation.cases import run_cases  # noqa: PLC0415  (the script also runs after the namespace move)

    rows = run_cases(quick)
    return {r.id: {"value": r.value, "passed": r.passed} for r in rows}


def main() -> None:
    twin = str(Path(sys.executable).parent / "twin")
    golden = {p.name: scenario_numbers(p, twin) for p in SCENARIOS}
    (HERE / "scenarios.json").write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    for quick, name in ((True, "validation_quick.json"), (False, "validation_full.json")):
        if name == "validation_full.json" and "--quick-only" in sys.argv:
            continue
        (HERE / name).write_text(json.dumps(validation_numbers(quick), indent=1, sort_keys=True, default=str) + "\n")


if __name__ == "__main__":
    main()
