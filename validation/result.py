"""One row of the validation report (its own module: every case module makes rows)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseResult:
    """One row of the validation report.

    ``passed`` is True / False, or None when the comparison is not available
    (missing reference) or is reported without a pass/fail verdict
    (``explained=True``: compared, and the difference is explained in ``note``).
    """

    id: str
    group: str
    compared: str
    reference: str
    metric: str
    tolerance: str
    tolerance_reason: str
    value: str
    passed: bool | None
    note: str = ""
    plot: str | None = None
    explained: bool = False

    @property
    def verdict(self) -> str:
        if self.passed is True:
            return "pass"
        if self.passed is False:
            return "FAIL"
        return "compared, explained" if self.explained else "not available"


def not_available(id_: str, group: str, compared: str, reference: str, why: str) -> CaseResult:
    """A row whose reference is missing: no metric, no verdict, the reason in the note.

    Parameters
    ----------
    id_, group, compared, reference : str
        The row's id, group, what is compared and against what.
    why : str
        Why the reference is not there, and how to get it.

    Returns
    -------
    CaseResult
    """
    return CaseResult(
        id=id_,
        group=group,
        compared=compared,
        reference=reference,
        metric="-",
        tolerance="-",
        tolerance_reason="-",
        value="not available",
        passed=None,
        note=f"not available: {why}",
    )
