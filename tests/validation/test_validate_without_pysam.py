"""`twin validate` without the validation extra (as after `make demo`): the SAM rows are "not available", not
crashes."""

import re
import sys

import pytest

from lingtan.validation.cli import main

HINT = "not available: install the validation extra (pip install -e '.[dev]')"
ARGS = ["--quick", "--only", "pv", "--only", "wind", "--only", "battery", "--only", "accounting"]


@pytest.fixture
def no_pysam(monkeypatch):
    monkeypatch.setitem(sys.modules, "PySAM", None)  # `import PySAM...` now raises ImportError, as when absent
    monkeypatch.delenv("LINGTAN_REQUIRE_REFERENCES", raising=False)


def test_without_pysam_the_sam_rows_are_not_available_and_the_run_passes(no_pysam, tmp_path, capsys):
    rc = main(ARGS + ["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"pv, wind, battery: {HINT}" in out
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    for group in ("pv", "wind", "battery"):
        assert re.search(rf"\| `{group}\.sam` \|[^\n]*\| \*\*not available\*\* \| {re.escape(HINT)}", md), group
    assert "crashed" not in md and "FAIL" not in md
    # the cases that need no PySAM still ran and passed
    assert re.search(r"\| `accounting\.energy_calorific` \|[^\n]*\*\*pass\*\*", md)


def test_required_references_make_a_missing_pysam_a_failure(no_pysam, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LINGTAN_REQUIRE_REFERENCES", "1")
    rc = main(["--quick", "--only", "pv", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 1
    assert "LINGTAN_REQUIRE_REFERENCES is set and 1 reference(s) are not available: pv.sam" in err and HINT in err
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert re.search(rf"\| `pv\.sam` \|[^\n]*\| \*\*FAIL\*\* \| {re.escape(HINT)}", md)
