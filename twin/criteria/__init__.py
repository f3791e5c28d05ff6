"""Criteria packs: zero-carbon admission, scoring and target checks as data plus small functions.

Public API
----------
``evaluate(pack_ids, kpis, declared, settings) -> list[Verdict]``
``pack_names() -> list[str]``
``pack_criteria(pack_id) -> list[Criterion]``
``score(verdicts, pack_id) -> dict`` — points and admission summary of one pack.
``Declared`` (scenario ``declared:``) and ``CriteriaSettings`` (scenario ``criteria_settings:``).
Multi-year criteria: :mod:`twin.criteria.trends`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Mapping

from twin.criteria.core import Context, CriteriaSettings, Criterion, Declared, Measurement, Verdict, meets
from twin.criteria.packs import PACKS
from twin.errors import InputError


def pack_names() -> list[str]:
    """Ids of the known criteria packs."""
    return list(PACKS)


def pack_criteria(pack_id: str) -> list[Criterion]:
    """The criteria of one pack; unknown id -> InputError listing the known ones."""
    if pack_id not in PACKS:
        raise InputError(None, "criteria", f"one of: {', '.join(pack_names())}", repr(pack_id))
    return list(_criteria(pack_id))


@lru_cache(maxsize=None)
def _criteria(pack_id: str) -> tuple[Criterion, ...]:
    # Criteria are frozen data; a sweep evaluates the same packs for every case.
    return tuple(PACKS[pack_id].criteria())


def _coerce(model, value, field):
    if value is None:
        return model()
    if isinstance(value, model):
        return value
    if isinstance(value, Mapping):
        try:
            return model(**value)
        except Exception as exc:  # pydantic ValidationError
            raise InputError(None, field, f"valid {model.__name__} fields", str(exc).splitlines()[0]) from None
    raise InputError(None, field, f"a {model.__name__} or a mapping", type(value).__name__)


def evaluate(pack_ids: Iterable[str] | str, kpis: Mapping[str, Any], declared: Declared | Mapping | None = None,
             settings: CriteriaSettings | Mapping | None = None) -> list[Verdict]:
    """Verdicts of every criterion of the named packs, in pack order.

    Parameters
    ----------
    pack_ids : str or iterable of str
        Pack ids (:func:`pack_names`).
    kpis : mapping
        The run's KPIs (electric KPIs of :mod:`twin.kpis`, the ``kpis`` block of
        :func:`twin.accounting.account`, and optionally :func:`twin.criteria.trends.trend_kpis`).
    declared : Declared or mapping, optional
        Facts the twin cannot simulate.
    settings : CriteriaSettings or mapping, optional
        Definition variants.

    Raises
    ------
    twin.errors.InputError
        Unknown pack id (the message lists the known ones) or invalid declared / settings.
    """
    ids = [pack_ids] if isinstance(pack_ids, str) else list(pack_ids)
    packs = [pack_criteria(p) for p in ids]  # validates every id before evaluating anything
    ctx = Context(kpis=dict(kpis), declared=_coerce(Declared, declared, "declared"),
                  settings=_coerce(CriteriaSettings, settings, "criteria_settings"))
    return [c.evaluate(ctx) for crits in packs for c in crits]


def score(verdicts: Iterable[Verdict], pack_id: str) -> dict[str, Any]:
    """Summary of one pack: points / max points, admission passed, failed criteria."""
    vs = [v for v in verdicts if v.pack == pack_id]
    return {
        "pack": pack_id,
        "points": sum(v.points for v in vs if v.role == "score"),
        "max_points": sum(v.max_points for v in vs if v.role == "score"),
        "admission_passed": all(v.passed for v in vs if v.role in ("admission", "boundary")),
        "targets_passed": all(v.passed for v in vs if v.role == "target"),
        "failed": [v.criterion_id for v in vs if not v.passed and v.role != "score"],
    }


__all__ = ["evaluate", "pack_names", "pack_criteria", "score", "Criterion", "Verdict", "Declared",
           "CriteriaSettings", "Context", "Measurement", "meets"]
