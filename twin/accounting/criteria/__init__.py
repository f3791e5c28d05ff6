"""Criteria packs: zero-carbon admission, scoring and target checks as data plus small functions.

Public API
----------
``evaluate(pack_ids, kpis, declared, settings) -> list[Verdict]``
``evaluate_cases(pack_ids, columns, declared, settings) -> list[Verdicts]`` — N cases at once (arrays), the same code.
``pack_names() -> list[str]``
``pack_criteria(pack_id) -> list[Criterion]``
``score(verdicts, pack_id) -> dict`` — points and admission summary of one pack.
``score_cases(verdicts, pack_id) -> dict of arrays`` — a sweep row's pack columns for N cases.
``Declared`` (scenario ``declared:``) and ``CriteriaSettings`` (scenario ``criteria_settings:``).
Multi-year criteria: :mod:`lingtan.twin.accounting.criteria.trends`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any

import numpy as np

from lingtan.errors import InputError
from lingtan.twin.accounting.criteria.core import Context, Criterion, Measurement, Verdict, Verdicts, meets
from lingtan.twin.accounting.criteria.packs import PACKS
from lingtan.twin.core.schema.criteria import CriteriaSettings, Declared


def pack_names() -> list[str]:
    """Ids of the known criteria packs.

    Returns
    -------
    list of str
        Pack ids, in registry order.
    """
    return list(PACKS)


def pack_criteria(pack_id: str) -> list[Criterion]:
    """The criteria of one pack; unknown id -> InputError listing the known ones.

    Parameters
    ----------
    pack_id : str
        A pack id (:func:`pack_names`).

    Returns
    -------
    list of Criterion
        The pack's criteria, each with the clause it applies.
    """
    if pack_id not in PACKS:
        raise InputError(None, "criteria", f"one of: {', '.join(pack_names())}", repr(pack_id))
    return list(_criteria(pack_id))


@cache
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


def _prepare(pack_ids, kpis, declared, settings, firms) -> tuple[list[list[Criterion]], Context]:
    """The packs' criteria and the context of ``kpis``, every input checked (see :func:`evaluate`)."""
    ids = [pack_ids] if isinstance(pack_ids, str) else list(pack_ids)
    packs = [pack_criteria(p) for p in ids]  # validates every id before evaluating anything
    ctx = Context(
        kpis=kpis,
        declared=_coerce(Declared, declared, "declared"),
        settings=_coerce(CriteriaSettings, settings, "criteria_settings"),
        firms={n: _coerce(Declared, d, f"tenants.{n}.declared") for n, d in (firms or {}).items()},
    )
    allowed = {c.short_id for crits in packs for c in crits if c.declare_not_applicable}
    for key in ctx.declared.not_applicable or {}:
        if key not in allowed:
            raise InputError(
                None,
                f"declared.not_applicable.{key}",
                f"a criterion whose text lets the user declare it not applicable: "
                f"{', '.join(sorted(allowed)) or 'none'}",
                repr(key),
            )
    return packs, ctx


def _shared_or_cases(col: Any) -> Any:
    """A column of N cases as a criterion reads it: one number when every case holds the same, else the array
    (a NaN, or anything not a number, counts as varying)."""
    a = np.asarray(col)
    if a.ndim == 0:
        return a.item()
    if a.dtype.kind in "biuf" and np.all(a == a[:1]):
        return a[0].item()
    return a


def evaluate_cases(
    pack_ids: Iterable[str] | str,
    columns: Mapping[str, Any],
    declared: Declared | Mapping | None = None,
    settings: CriteriaSettings | Mapping | None = None,
) -> list[Verdicts]:
    """Verdicts of many cases of one site (a sweep's cases, an ensemble's members), each criterion evaluated once
    over arrays of cases: per case what :func:`evaluate` gives (``[v.case(i) for v in result]``).

    A KPI that holds the same value in every case is passed as that number, so a criterion that reads only such
    KPIs computes its verdict once; the others compute theirs over the arrays.

    Parameters
    ----------
    pack_ids : str or iterable of str
        Pack ids (:func:`pack_names`).
    columns : mapping of str -> array of shape (N,)
        Each KPI's value in every case (as :func:`evaluate` reads them).
    declared : Declared or mapping, optional
        Facts the twin cannot simulate, shared by the cases.
    settings : CriteriaSettings or mapping, optional
        Definition variants, shared by the cases.

    Returns
    -------
    list of Verdicts
        One per criterion in pack order, each over the N cases.

    Raises
    ------
    lingtan.errors.InputError
        As :func:`evaluate`.
    """
    n = len(next(iter(columns.values()))) if columns else 0
    if n == 0:
        return []
    kpis = {k: _shared_or_cases(v) for k, v in columns.items()}
    packs, ctx = _prepare(pack_ids, kpis, declared, settings, None)
    ctx = replace(ctx, n=n)
    return [c.evaluate(ctx) for crits in packs for c in crits]


def evaluate(
    pack_ids: Iterable[str] | str,
    kpis: Mapping[str, Any],
    declared: Declared | Mapping | None = None,
    settings: CriteriaSettings | Mapping | None = None,
    firms: Mapping[str, Declared | Mapping] | None = None,
) -> list[Verdict]:
    """Verdicts of every criterion of the named packs, in pack order.

    Parameters
    ----------
    pack_ids : str or iterable of str
        Pack ids (:func:`pack_names`).
    kpis : mapping
        The run's KPIs by name (electric KPIs of :mod:`lingtan.twin.core.kpis`, the accounting's flat KPIs
        :func:`lingtan.twin.accounting.account.accounting_kpis`, and optionally
        :func:`lingtan.twin.accounting.criteria.trends.trend_kpis`).
    declared : Declared or mapping, optional
        Facts the twin cannot simulate.
    settings : CriteriaSettings or mapping, optional
        Definition variants.
    firms : mapping of name -> Declared or mapping, optional
        Each firm's declared facts inside a park (its tenants), for criteria about every firm.

    Returns
    -------
    list of Verdict
        One verdict per criterion.

    Raises
    ------
    lingtan.errors.InputError
        Unknown pack id (the message lists the known ones), invalid declared / settings, or a
        ``declared.not_applicable`` entry naming a criterion whose text does not let it not apply.
    """
    packs, ctx = _prepare(pack_ids, dict(kpis), declared, settings, firms)
    return [c.evaluate(ctx).case(0) for crits in packs for c in crits]


GROUPS = {
    "admission": ("admission", "boundary"),
    "acceptance": ("acceptance",),
    "targets": ("target",),
    "guiding": ("guiding",),
}
"""Summary groups of a pack and the roles in each; scored items are summed as points instead."""


def group_status(verdicts: Iterable[Verdict]) -> str:
    """One status for a group of verdicts: "fail" if any fails, else "not assessable" or "undetermined"
    if any is, else "pass" (items that do not apply are skipped); "not applicable" when every item is,
    "none" when the group is empty. A group never reads "pass" beside a failed item.

    Parameters
    ----------
    verdicts : iterable of Verdict
        The group's verdicts.

    Returns
    -------
    str
        The group's status.
    """
    return str(_group_status_cases([np.array([v.status]) for v in verdicts], 1)[0])  # one case of the N-case rule


def score(verdicts: Iterable[Verdict], pack_id: str) -> dict[str, Any]:
    """Summary of one pack.

    Parameters
    ----------
    verdicts : iterable of Verdict
        Verdicts of :func:`evaluate`; those of other packs are ignored.
    pack_id : str
        The pack.

    Returns
    -------
    dict
        ``points`` / ``max_points`` of the scored items (an item that does not apply keeps in the maximum
        what its criterion's ``max_points_if_not_applicable`` says, by default nothing; ``not_applicable_points``:
        the points that left the maximum), per group (admission,
        acceptance, targets, guiding) its status over all items and separately over the
        simulated, the declared and the missing ones (``groups``), ``admission_passed`` / ``targets_passed``
        (True when nothing in the group fails or is undecided; ``targets`` here spans targets and
        acceptance), and the ids that fail, are not assessable, undetermined or not applicable.
    """
    vs = [v for v in verdicts if v.pack == pack_id]
    scored = [v for v in vs if v.role == "score"]
    full = {c.id: c.max_points for c in pack_criteria(pack_id)}  # a verdict that does not apply carries what it keeps
    groups = {}
    for g, roles in GROUPS.items():
        items = [v for v in vs if v.role in roles]
        groups[g] = {
            "status": group_status(items),
            **{inp: group_status([v for v in items if v.input == inp]) for inp in ("simulated", "declared", "missing")},
        }
    ok = ("pass", "not applicable", "none")
    return {
        "pack": pack_id,
        "points": sum(v.points for v in scored),
        "max_points": sum(v.max_points for v in scored),
        "not_applicable_points": sum(
            full[v.criterion_id] - v.max_points for v in scored if v.status == "not applicable"
        ),
        "admission_passed": groups["admission"]["status"] in ok,
        "targets_passed": group_status([v for v in vs if v.role in ("target", "acceptance")]) in ok,
        "admission_status": groups["admission"]["status"],
        "targets_status": groups["targets"]["status"],
        "groups": groups,
        "failed": [v.criterion_id for v in vs if v.status == "fail" and v.role != "score"],
        "not_assessable": [v.criterion_id for v in vs if v.status == "not assessable"],
        "undetermined": [v.criterion_id for v in vs if v.status == "undetermined"],
        "not_applicable": [v.criterion_id for v in vs if v.status == "not applicable"],
    }


def _group_status_cases(statuses: list[np.ndarray], n: int) -> np.ndarray:
    """:func:`group_status` of N cases at once; ``statuses``: one array of N statuses per item of the group."""
    if not statuses:
        return np.full(n, "none")
    st = np.stack(statuses)
    out = np.where((st == "not applicable").all(axis=0), "not applicable", "pass")
    for s in ("undetermined", "not assessable", "fail"):  # the last written wins: fail first, as group_status
        out = np.where((st == s).any(axis=0), s, out)
    return out


def score_cases(verdicts: list[Verdicts], pack_id: str) -> dict[str, np.ndarray]:
    """The columns of :func:`score` a sweep row keeps, for N cases at once: ``points``, ``admission_passed``,
    ``targets_passed`` (a case's full summary is ``score([v.case(i) for v in verdicts], pack_id)``).

    Parameters
    ----------
    verdicts : list of Verdicts
        :func:`evaluate_cases`; those of other packs are ignored.
    pack_id : str
        The pack.

    Returns
    -------
    dict of str -> array of shape (N,)
        Points [float], admission passed and targets passed [bool].
    """
    vs = [v for v in verdicts if v.fields["pack"] == pack_id]
    n = vs[0].n if vs else 0
    ok = ("pass", "not applicable", "none")

    def status(roles):
        return _group_status_cases([v.array("status") for v in vs if v.fields["role"] in roles], n)

    points = np.zeros(n)
    for v in vs:
        if v.fields["role"] == "score":
            points = points + v.array("points")
    return {
        "points": points,
        "admission_passed": np.isin(status(GROUPS["admission"]), ok),
        "targets_passed": np.isin(status(("target", "acceptance")), ok),
    }


__all__ = [
    "evaluate",
    "evaluate_cases",
    "pack_names",
    "pack_criteria",
    "score",
    "score_cases",
    "group_status",
    "GROUPS",
    "Criterion",
    "Verdict",
    "Verdicts",
    "Declared",
    "CriteriaSettings",
    "Context",
    "Measurement",
    "meets",
]
