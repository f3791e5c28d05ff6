"""The ``peer`` validation rows: lingtan's design LP against PyPSA, the optimal bill against the rules, and how the
rows read when a reference is missing."""

import importlib.util
import re

import pytest

from lingtan.validation import peer_cases, pypsa_design
from lingtan.validation.cli import main


@pytest.fixture
def nothing_to_compare(monkeypatch):
    monkeypatch.setattr(pypsa_design, "pypsa_missing", lambda: "PyPSA is not installed")
    monkeypatch.setattr(peer_cases, "_lp_missing", lambda: peer_cases.LP_MISSING)
    monkeypatch.delenv("LINGTAN_REQUIRE_REFERENCES", raising=False)


def test_without_pypsa_or_the_lp_the_rows_are_not_available_with_the_reason(nothing_to_compare, tmp_path):
    rc = main(["--quick", "--only", "peer", "--out", str(tmp_path)])
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert rc == 0
    assert re.search(
        r"\| `peer\.lp_design\.hefei_two_weeks` \|[^\n]*\*\*not available\*\*[^\n]*PyPSA is not installed: "
        r"pip install -e '\.\[dev\]'",
        md,
    )
    assert "FAIL" not in md and "crashed" not in md
    bill = peer_cases.optimal_bill_row()  # the full list's row
    assert bill.passed is None and "lp branch of issue 16" in bill.note


def test_required_references_make_the_missing_peer_a_failure(nothing_to_compare, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINGTAN_REQUIRE_REFERENCES", "1")
    rc = main(["--quick", "--only", "peer", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 1
    assert "1 reference(s) are not available: peer.lp_design.hefei_two_weeks" in err
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert re.search(r"\| `peer\.lp_design\.hefei_two_weeks` \|[^\n]*\*\*FAIL\*\*", md)


needs_both = pytest.mark.skipif(
    importlib.util.find_spec("pypsa") is None or importlib.util.find_spec("lingtan.twin.studies.lp") is None,
    reason="needs PyPSA (dev extra) and lingtan's LP (lingtan.twin.studies.lp, the lp branch of issue 16)",
)


@needs_both
def test_two_weeks_of_design_agree_with_pypsa():
    row = peer_cases.lp_design_row(quick=True)
    assert row.passed is True, row.note


@needs_both
def test_a_wrong_peer_is_caught(monkeypatch):
    """The row fails when the two programmes differ: PyPSA told the battery loses 1 % more on discharge."""
    real = pypsa_design.inputs_from_problem

    def lossier(problem):
        import dataclasses

        d = real(problem)
        return dataclasses.replace(d, discharge_efficiency=d.discharge_efficiency - 0.01)

    monkeypatch.setattr(pypsa_design, "inputs_from_problem", lossier)
    row = peer_cases.lp_design_row(quick=True)
    assert row.passed is False, row.note
