"""Criteria as data plus a small function, and their verdicts.

A :class:`Criterion` names its source (document, clause, the original Chinese text and an
English translation), what it reads (a KPI key of the run or a declared fact), how it compares
(``>=``, ``<=``, ``is_true`` or a points rule) against a threshold that may depend on a band,
and how many points it is worth. :meth:`Criterion.evaluate` turns a :class:`Context` (the run's
KPIs, the user's :class:`Declared` facts and the :class:`CriteriaSettings`) into a
:class:`Verdict`.

Rules every criterion follows
-----------------------------
* A KPI of the run is read first (``input = "simulated"``); a declared fact of the same name is
  the fallback (``input = "declared"``). If neither is there the verdict fails with the note
  "not declared" — nothing passes silently.
* Thresholds compare with a relative tolerance of 1e-9 (:func:`meets`), so a share computed as
  0.39999999999999997 meets ">= 0.40" while 0.3999 does not.

Many cases at once
------------------
A KPI may be one number (a single run, or a quantity every case of a sweep shares) or an array of shape (N,)
(a quantity that differs between the N cases). Measures, bands and points rules use numpy operations that take
either, so :meth:`Criterion.evaluate` gives :class:`Verdicts` whose per-case fields (value, threshold, margin,
passed, points, status) are arrays where the inputs vary; a single run is N = 1 of the same code and its
:class:`Verdict` is ``Verdicts.case(0)``. Notes that quote a case's numbers are functions of the case index
(:data:`Note`), formatted only when a case's record is built.

Statuses
--------
Every verdict carries one ``status`` (``passed`` is True only for "pass"):

* ``"pass"`` / ``"fail"``;
* ``"not applicable"``: the criterion applies only where its object exists (a 适用时 item, an
  indicator whose 客观条件不具备) and the boundary has none: a KPI of the run that is present but
  ``None`` for a criterion with ``not_applicable``, or a measure that says so. Never a pass, never
  a fail; scored items leave the total's maximum;
* ``"not assessable"``: the run served less than its load (unserved electricity above
  :data:`UNSERVED_LIMIT_FRACTION` of the load), or, for a criterion that reads the fleet
  (``reads_fleet``), the fleet left trips unmet (``fleet_unmet_trips`` above 0: its chargers could not
  give every vehicle its day's energy). An infeasible plant has no simulated verdict; declared
  verdicts still stand;
* ``"undetermined"``: the input is there but no text gives the threshold (a band the document
  does not cover and no setting supplies).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np

from lingtan.twin.core.schema.criteria import CriteriaSettings, Declared

REL_TOL = 1e-9
ABS_TOL = 1e-12

UNSERVED_LIMIT_FRACTION = 0.001
"""Unserved electricity above this fraction of the load makes every simulated verdict "not
assessable" (project rule, issue 13: an infeasible plant has no verdict; 0.1 % leaves room for
rounding in the dispatch only)."""

Comparator = Literal[">=", "<=", "is_true", "points"]
Role = Literal["admission", "score", "target", "acceptance", "guiding", "boundary"]
"""admission (准入, 一票否决), score (points), target (a dated goal), acceptance (验收: checked when the
site applies for acceptance, not when it applies to join), guiding (引导性), boundary (accounting scope)."""
Status = Literal["pass", "fail", "not applicable", "not assessable", "undetermined"]


# --------------------------------------------------------------------------- inputs


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Measurement:
    """A value read for a criterion and where it came from."""

    value: Any
    input: Literal["simulated", "declared", "missing", "not applicable"]
    note: str = ""

    @property
    def missing(self) -> bool:
        """Whether no value was found (input ``missing``, or a value of None)."""
        return self.input == "missing" or self.value is None


@dataclass(frozen=True)
class Context:
    """What criteria read: the run's KPIs, the declared facts, the settings."""

    kpis: Mapping[str, Any]
    declared: Declared
    settings: CriteriaSettings
    firms: Mapping[str, Declared] = field(default_factory=dict)
    """The declared facts of each firm inside a park boundary (tenants), for criteria about every firm."""
    n: int = 1
    """Number of cases; a KPI that varies between them is an array of shape (n,)."""

    def unserved_fraction(self) -> Any:
        """Unserved electricity / electric load of the run, None when the run's KPIs do not say.

        The load is ``load_e_kwh`` (a factory, :mod:`lingtan.twin.core.kpis`); a park reports only the served
        consumption, so there it is ``total_consumption_e_kwh + unserved_load_e_kwh``.

        Returns
        -------
        float, array of shape (n,) or None
            Unserved fraction of the load [0..1]; NaN for a case whose load is not positive.
        """
        unserved = _scalar(self.kpis.get("unserved_load_e_kwh"))
        if unserved is None:
            return None
        load = _scalar(self.kpis.get("load_e_kwh"))
        if load is None:
            served = _scalar(self.kpis.get("total_consumption_e_kwh"))
            if served is None:
                return None
            load = np.asarray(served, dtype=float) + np.asarray(unserved, dtype=float)
        load = np.asarray(load, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(load > 0, np.asarray(unserved, dtype=float) / np.where(load > 0, load, 1.0), np.nan)

    def unmet_trips(self) -> Any:
        """Vehicle-days the fleet left short of charge or hydrogen (``fleet_unmet_trips``), None without a simulated
        fleet.

        Returns
        -------
        int, array of shape (n,) or None
            Unmet trips [vehicle-days].
        """
        return _scalar(self.kpis.get("fleet_unmet_trips"))

    def kpi(self, key: str) -> Measurement:
        """A KPI of the run, ``missing`` when the run did not compute it.

        Parameters
        ----------
        key : str
            KPI name (units in the name).

        Returns
        -------
        Measurement
            The value (a scalar) with input ``simulated``, or ``missing`` with a note.
        """
        v = self.kpis.get(key)
        if v is None:
            return Measurement(None, "missing", f"{key}: not simulated")
        return Measurement(_scalar(v), "simulated")

    def decl(self, key: str) -> Measurement:
        """A declared fact, ``missing`` when it is not declared.

        Parameters
        ----------
        key : str
            Field of :class:`Declared`.

        Returns
        -------
        Measurement
            The value with input ``declared``, or ``missing`` with a note.
        """
        v = getattr(self.declared, key, None)
        if v is None:
            return Measurement(None, "missing", f"{key}: not declared")
        return Measurement(v, "declared")

    def get(self, key: str) -> Measurement:
        """A KPI of the run if present, else a declared fact of the same name.

        Parameters
        ----------
        key : str
            KPI name or :class:`Declared` field.

        Returns
        -------
        Measurement
            Simulated, else declared, else missing with a note saying which was looked for.
        """
        m = self.kpi(key)
        if not m.missing:
            return m
        if key in Declared.model_fields:
            d = self.decl(key)
            if not d.missing:
                return d
            return Measurement(None, "missing", f"{key}: not simulated and not declared")
        return m


def _scalar(v: Any) -> Any:
    if isinstance(v, (bool, int, float, str, dict, list, tuple)):
        return v
    item = getattr(v, "item", None)
    if callable(item):
        try:
            return item()
        except (ValueError, TypeError):
            pass
    return v


def meets(value: Any, threshold: Any, comparator: str) -> Any:
    """``value >= threshold`` or ``value <= threshold`` with a relative tolerance of 1e-9 (``math.isclose``'s
    symmetric test), case by case for arrays.

    Parameters
    ----------
    value : float or array
        The measured value(s).
    threshold : float or array
        The criterion's threshold(s), in the unit of ``value``.
    comparator : {">=", "<="}
        Direction of the comparison.

    Returns
    -------
    bool or array of bool
        Whether ``value`` meets the threshold (a bool for scalars).
    """
    if comparator not in (">=", "<="):
        raise ValueError(f"comparator must be '>=' or '<=', found {comparator!r}")
    v = np.asarray(value, dtype=float)
    t = np.asarray(threshold, dtype=float)
    with np.errstate(invalid="ignore"):
        close = (v == t) | (np.abs(v - t) <= np.maximum(REL_TOL * np.maximum(np.abs(v), np.abs(t)), ABS_TOL))
        out = close | ((v > t) if comparator == ">=" else (v < t))
    return bool(out) if out.ndim == 0 else out


_PLAIN = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True)
class Verdict:
    """The outcome of one criterion."""

    criterion_id: str
    pack: str
    role: str
    value: Any
    threshold: Any
    margin: float | None
    passed: bool
    points: float
    max_points: float
    source: str
    source_doc: str
    clause: str
    input: str  # simulated | declared | missing
    variant: str
    note: str
    text_en: str
    text_zh: str
    unit: str = ""
    status: str = ""  # see the module docstring; passed is status == "pass"
    variant_reason: str = ""  # one line: why this definition variant

    @property
    def simulated(self) -> bool:
        """Whether the value was simulated by the twin (not declared, not missing)."""
        return self.input == "simulated"

    def to_dict(self) -> dict[str, Any]:
        """The verdict as a flat mapping (the rows of ``criteria.json``).

        Returns
        -------
        dict
            Field name to value.
        """
        fields = self.__dict__  # a dataclass's fields in their order
        # asdict copies every value deeply; a verdict's are nearly always plain scalars, which need no copy (the
        # deep copy was a tenth of the verdicts' time in an ensemble).
        if all(type(v) in _PLAIN for v in fields.values()):
            return dict(fields)
        return asdict(self)


Band = Callable[[Context], tuple[float | None, str]]
"""``ctx -> (threshold, band label)``; threshold None when the band cannot be determined."""
PointsRule = Callable[[Any, float | None, Context], float]
"""``(value, threshold, ctx) -> points``."""
Measure = Callable[[Context], Measurement]


@dataclass(frozen=True)
class Criterion:
    """One criterion: data plus a small function.

    Attributes
    ----------
    id, pack : str
    text_zh, text_en : str
        The clause as written in the source (Chinese) and its English translation.
    source_doc, clause : str
        Document (with its number) and clause.
    reads : str
        KPI key or declared fact (:class:`Declared` field) it reads; ``measure`` overrides.
    comparator : ">=", "<=", "is_true", "points"
    threshold : float, optional
        Fixed threshold; ``band`` gives one that depends on the context (energy-size bands,
        target years).
    points : callable, optional
        ``(value, threshold, ctx) -> points`` for scored criteria; otherwise a pass earns
        ``max_points``.
    role : "admission" (一票否决), "score", "target", "acceptance", "guiding" or "boundary".
    variant : str or callable
        Definition variant printed with the verdict.
    variant_reason : str or callable
        One line: why that variant (the clause it reads, or the stricter of two readings).
    not_applicable : str
        Non-empty when the text lets the criterion not apply (适用时, 客观条件不具备): says when. Then a
        run KPI present but ``None`` (nothing to measure in the boundary) or a declared
        ``not_applicable`` entry (only with ``declare_not_applicable``) gives the status "not applicable".
    declare_not_applicable : bool
        The user may declare that the criterion does not apply (客观条件不具备 is a judgement the twin
        cannot simulate); otherwise only a run KPI of ``None`` makes it not apply.
    fail_note : callable, optional
        ``ctx -> str`` added to the note of a failing verdict (e.g. a relaxation the text allows).
    """

    id: str
    pack: str
    text_zh: str
    text_en: str
    source_doc: str
    clause: str
    reads: str
    comparator: Comparator
    threshold: float | None = None
    band: Band | None = None
    points: PointsRule | None = None
    max_points: float = 0.0
    role: Role = "admission"
    variant: str | Callable[[Context], str] = ""
    unit: str = ""
    measure: Measure | None = None
    note: str = ""
    passes: Callable[[Any, float | None, Context], bool] | None = field(default=None, compare=False)
    variant_reason: str | Callable[[Context], str] = ""
    not_applicable: str = ""
    declare_not_applicable: bool = False
    fail_note: Callable[[Context], str] | None = field(default=None, compare=False)
    max_points_if_not_applicable: Callable[[Context], float] | None = field(default=None, compare=False)
    """Points an item that does not apply keeps in the pack's maximum (default: none, it leaves the maximum)."""
    reads_fleet: bool = False
    """Whether a simulated verdict reads the fleet (``vehicles``): a fleet that leaves trips unmet gives none."""

    @property
    def source(self) -> str:
        """The quoted document and its clause, as one citation."""
        return f"{self.source_doc}, {self.clause}"

    @property
    def short_id(self) -> str:
        """The id without its pack (the key of ``declared.not_applicable``)."""
        return self.id.split(".", 1)[-1]

    def evaluate(self, ctx: Context) -> Verdicts:
        """The criterion's verdicts on the context's cases (N = ``ctx.n``; a single run is N = 1).

        Parameters
        ----------
        ctx : Context
            The KPIs (numbers, or arrays of shape (N,) where the cases differ), the declared facts and the settings.

        Returns
        -------
        Verdicts
            Status (pass, fail, not assessable, undetermined, not applicable), the value read, its threshold and
            the clause applied, per case; ``.case(i)`` is case i's :class:`Verdict`.
        """
        m = self.measure(ctx) if self.measure else ctx.get(self.reads)
        variant = self.variant(ctx) if callable(self.variant) else self.variant
        reason = self.variant_reason(ctx) if callable(self.variant_reason) else self.variant_reason
        threshold, band_note = self.band(ctx) if self.band else (self.threshold, "")
        notes = [self.note, band_note, m.note]
        base = dict(
            criterion_id=self.id,
            pack=self.pack,
            role=self.role,
            source=self.source,
            source_doc=self.source_doc,
            clause=self.clause,
            variant=variant,
            variant_reason=reason,
            text_en=self.text_en,
            text_zh=self.text_zh,
            unit=self.unit,
            max_points=self.max_points,
        )
        # An item that does not apply keeps in the pack's maximum only what its criterion says (score()).
        na_base = dict(
            base, max_points=float(self.max_points_if_not_applicable(ctx)) if self.max_points_if_not_applicable else 0.0
        )
        # Which branch a verdict takes depends on what is there (declared facts, settings, which KPIs exist),
        # never on a value that varies between cases: only the comparison below is per case.
        declared_na = (ctx.declared.not_applicable or {}).get(self.short_id)
        if self.declare_not_applicable and declared_na is not None:
            return Verdicts(
                ctx.n,
                dict(na_base, input="declared"),
                value=None,
                threshold=threshold,
                margin=None,
                passed=False,
                points=0.0,
                status="not applicable",
                notes=(f"not applicable (declared): {declared_na}", self.not_applicable, *notes),
            )
        none_kpi = bool(self.not_applicable) and self.reads in ctx.kpis and ctx.kpis[self.reads] is None
        if m.input == "not applicable" or none_kpi:
            why = m.note if m.input == "not applicable" else f"{self.reads}: none in this boundary"
            return self._infeasible(
                ctx,
                Verdicts(
                    ctx.n,
                    dict(na_base, input="simulated"),
                    value=None,
                    threshold=threshold,
                    margin=None,
                    passed=False,
                    points=0.0,
                    status="not applicable",
                    notes=(f"not applicable: {why}", self.not_applicable, self.note, band_note),
                ),
            )
        if m.missing:
            return Verdicts(
                ctx.n,
                dict(base, input="missing"),
                value=None,
                threshold=threshold,
                margin=None,
                passed=False,
                points=0.0,
                status="fail",
                notes=(
                    *([] if m.note else [f"{self.reads}: not declared"]),
                    *notes,
                    *self._fail_notes(ctx),
                ),
            )
        value = m.value
        margin = None
        undetermined = False
        if self.comparator == "is_true":
            passed = np.asarray(value).astype(bool) if isinstance(value, np.ndarray) else bool(value) is True
        elif self.comparator == "points" and threshold is None:
            passed = False  # set from the points below
        elif threshold is None:
            passed = False
            undetermined = True
            notes.append("threshold undetermined")
        elif self.passes is not None:
            passed = self.passes(value, threshold, ctx)
        elif self.comparator in (">=", "<="):
            v = np.asarray(value, dtype=float)
            passed = meets(v, threshold, self.comparator)
            margin = v - threshold if self.comparator == ">=" else threshold - v
            if isinstance(threshold, np.ndarray) and np.isnan(threshold).any():  # a band without a limit
                undetermined = np.isnan(threshold)
                notes.append(per_case(lambda u: "threshold undetermined" if u else "", undetermined))
        else:  # points with threshold: passed = full marks reached
            v = np.asarray(value, dtype=float)
            passed = meets(v, threshold, ">=")
            margin = v - threshold
        if self.points is not None:
            pts = np.asarray(self.points(value, threshold, ctx), dtype=float)
            if self.comparator == "points" and threshold is None:
                passed = pts >= self.max_points - 1e-9
        else:
            pts = np.where(passed, self.max_points, 0.0)
        status = np.where(passed, "pass", np.where(undetermined, "undetermined", "fail"))
        fail = self._fail_notes(ctx)
        return self._infeasible(
            ctx,
            Verdicts(
                ctx.n,
                dict(base, input=m.input),
                value=value,
                threshold=threshold,
                margin=margin,
                passed=passed,
                points=pts,
                status=status,
                notes=tuple(notes),
                fail_notes=tuple(fail),
            ),
        )

    def _fail_notes(self, ctx: Context) -> list[str]:
        extra = self.fail_note(ctx) if self.fail_note else ""
        return [extra] if extra else []

    def _infeasible(self, ctx: Context, v: Verdicts) -> Verdicts:
        """A simulated verdict of a case that did not serve its load, or that reads a fleet which left trips
        unmet, is "not assessable"."""
        if v.fields["input"] != "simulated":
            return v
        frac = ctx.unserved_fraction()
        short = ctx.unmet_trips() if self.reads_fleet else None
        unserved = np.asarray(False)
        if frac is not None:
            unserved = np.isfinite(frac) & ~np.asarray(meets(frac, UNSERVED_LIMIT_FRACTION, "<="))
        unmet = np.asarray(False) if short is None else np.asarray(short) > 0
        bad = unserved | unmet
        if not bad.any():
            return v
        return replace(
            v,
            passed=np.where(bad, False, v.passed),
            points=np.where(bad, 0.0, v.points),
            status=np.where(bad, "not assessable", v.status),
            unserved_fraction=np.where(unserved, frac, np.nan) if frac is not None else None,
            unmet_trips=np.where(unmet, short, np.nan) if short is not None else None,
            status_before=v.status,
        )


Note = str | Callable[[int], str]
"""A note, or a function of the case index that writes case i's note (a note quoting a case's numbers)."""


def per_case(fmt: Callable[..., str], *values: Any) -> Note:
    """A note quoting per-case numbers: ``fmt(*values at case i)``, written only when case i's record is built.

    Parameters
    ----------
    fmt : callable
        ``(*numbers) -> str``.
    *values : float or array
        Numbers, or arrays of shape (N,).

    Returns
    -------
    str or callable
        The note itself when every value is a number, else a function of the case index.
    """
    if not any(isinstance(x, np.ndarray) and x.ndim for x in values):
        return fmt(*(_item(x) for x in values))
    return lambda i: fmt(*(_at(x, i) for x in values))


def _item(x: Any) -> Any:
    return x.item() if isinstance(x, (np.ndarray, np.generic)) and np.ndim(x) == 0 else x


def _at(x: Any, i: int) -> Any:
    """Case i of a per-case field: an array's element as a Python number, anything else as it is."""
    if isinstance(x, np.ndarray):
        return x[i].item() if x.ndim else x.item()
    return x.item() if isinstance(x, np.generic) else x


def _note(parts: tuple, i: int) -> list[str]:
    out = [p(i) if callable(p) else p for p in parts]
    return [p for p in out if p]


@dataclass(frozen=True)
class Verdicts:
    """One criterion's verdicts on N cases: shared fields once, per-case fields as numbers (the same in every
    case) or arrays of shape (N,).

    Attributes
    ----------
    n : int
        Number of cases.
    fields : dict
        The fields every case shares (criterion id, pack, role, source, variant, texts, unit, max points, input).
    value, threshold, margin : number, array or None
        The value read, its threshold and the margin to it (positive = passes by that much).
    passed : bool or array of bool
    points : float or array
    status : str or array of str
    notes, fail_notes : tuple of :data:`Note`
        Parts of the note; ``fail_notes`` only where the status is "fail".
    unserved_fraction : array, optional
        Where a case is "not assessable" for its load: its unserved fraction of the load (NaN elsewhere).
    unmet_trips : array, optional
        Where a case is "not assessable" for its fleet: its unmet trips [vehicle-days] (NaN elsewhere).
    status_before : str or array of str, optional
        The status the case would have had if it had served its load.
    """

    n: int
    fields: dict
    value: Any
    threshold: Any
    margin: Any
    passed: Any
    points: Any
    status: Any
    notes: tuple = ()
    fail_notes: tuple = ()
    unserved_fraction: Any = None
    unmet_trips: Any = None
    status_before: Any = None

    @property
    def criterion_id(self) -> str:
        """The criterion's id."""
        return self.fields["criterion_id"]

    def array(self, name: str) -> np.ndarray:
        """A per-case field as an array of shape (N,).

        Parameters
        ----------
        name : {"value", "threshold", "margin", "passed", "points", "status"}
            The field.

        Returns
        -------
        ndarray
            N values (object dtype where the field is None or not a number).
        """
        x = getattr(self, name)
        if isinstance(x, np.ndarray) and x.ndim:
            return x
        x = _item(x)
        if name == "passed":
            return np.full(self.n, x, dtype=bool)
        if isinstance(x, str):  # a status: fixed-width text compares fast
            return np.full(self.n, x)
        number = isinstance(x, (int, float)) and not isinstance(x, bool)
        return np.full(self.n, x, dtype=float if number else object)

    def case(self, i: int) -> Verdict:
        """Case i's verdict, every field a Python value.

        Parameters
        ----------
        i : int
            Case index, 0 <= i < N.

        Returns
        -------
        Verdict
            The record of ``criteria.json``.
        """
        status = str(_at(self.status, i))
        frac = None if self.unserved_fraction is None else _at(self.unserved_fraction, i)
        short = None if self.unmet_trips is None else _at(self.unmet_trips, i)
        unserved = frac is not None and not math.isnan(frac)
        unmet = short is not None and not math.isnan(short)
        before = str(_at(self.status_before, i)) if unserved or unmet else status
        note = "; ".join(_note(self.notes, i) + (_note(self.fail_notes, i) if before == "fail" else []))
        heads = []
        if unserved:
            heads.append(
                f"not assessable: unserved load {frac * 100:.3g} % of the load "
                f"(> {UNSERVED_LIMIT_FRACTION * 100:g} %); an infeasible plant has no verdict "
                f"(would have been: {before})"
            )
        if unmet:
            heads.append(
                f"not assessable: the fleet left {short:.0f} trips (vehicle-days) short of charge or hydrogen; a fleet "
                f"that cannot make its trips has no verdict (would have been: {before})"
            )
        if heads:
            note = "; ".join(n for n in (*heads, note) if n)
        margin, threshold = _at(self.margin, i), _at(self.threshold, i)
        if isinstance(threshold, float) and math.isnan(threshold):  # no limit for this case's band
            margin, threshold = None, None
        return Verdict(
            value=_at(self.value, i),
            threshold=threshold,
            margin=None if margin is None else float(margin),
            passed=bool(_at(self.passed, i)),
            points=float(_at(self.points, i)),
            status=status,
            note=note,
            **self.fields,
        )


def numerator_basis(kpis: Mapping[str, Any]) -> str:
    """Which emissions :func:`lingtan.twin.accounting.account.account` put in ``unit_energy_carbon_numerator_t``
    (``accounting.unit_energy_carbon_basis``), named from the KPIs: ``location`` (gross), ``after_green_power``
    (gross less green power) or ``market``; several names joined by " = " when they are equal.

    Parameters
    ----------
    kpis : mapping
        The run's KPIs (numbers).

    Returns
    -------
    str
        The basis name(s).
    """
    return _basis(
        *(
            _scalar(kpis.get(k))
            for k in (
                "unit_energy_carbon_numerator_t",
                "gross_emissions_t",
                "offset_green_power_t",
                "gross_emissions_market_t",
            )
        )
    )


def _basis(n, gross, green, market) -> str:
    cands = {
        "location": gross,
        "after_green_power": None if gross is None or green is None else gross - green,
        "market": market,
    }
    names = [
        k
        for k, v in cands.items()
        if n is not None and v is not None and math.isclose(v, n, rel_tol=1e-12, abs_tol=1e-9)
    ]
    return " = ".join(names) or "as set in accounting.unit_energy_carbon_basis"


def ratio_or_zero(num: Any, den: Any) -> Any:
    """``num / den`` where ``den > 0``, else 0, case by case.

    Parameters
    ----------
    num, den : float or array
        Numerator and denominator.

    Returns
    -------
    float or array
        The ratio (a number for numbers).
    """
    den = np.asarray(den, dtype=float)
    ok = den > 0
    out = np.where(ok, np.asarray(num, dtype=float) / np.where(ok, den, 1.0), 0.0)
    return out.item() if out.ndim == 0 else out


def number(x: Any) -> Any:
    """A number, or an array of N numbers, as float (a Python float for a number).

    Parameters
    ----------
    x : number or array
        A KPI value.

    Returns
    -------
    float or array of float
        The value(s).
    """
    a = np.asarray(x, dtype=float)
    return a.item() if a.ndim == 0 else a


def pick(cond: Any, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` else ``b``, case by case (a Python number when all three are numbers).

    Parameters
    ----------
    cond : bool or array of bool
    a, b : number or array

    Returns
    -------
    number or array
        The chosen values.
    """
    out = np.where(cond, a, b)
    return out.item() if out.ndim == 0 else out


def unit_energy_carbon(ctx: Context, tce_basis: str) -> Measurement:
    """Emissions / comprehensive energy [tCO2/tce] with the energy on ``tce_basis`` (equivalent or
    calorific), whatever basis the accounting's own ``unit_energy_carbon_t_per_tce`` uses.

    Parameters
    ----------
    ctx : Context
        The run's KPIs (numbers or arrays of cases).
    tce_basis : {"equivalent", "calorific"}
        Conversion basis of electricity in the denominator (GB/T 2589).

    Returns
    -------
    Measurement
        The intensity [tCO2/tce] (0 where the energy is zero), ``missing`` when a KPI is absent.
    """
    num = ctx.kpi("unit_energy_carbon_numerator_t")
    energy = ctx.kpi(f"energy_{tce_basis}_tce")
    if num.missing or energy.missing:
        given = ctx.kpi("unit_energy_carbon_t_per_tce")
        if given.missing:
            return Measurement(
                None, "missing", f"unit_energy_carbon_numerator_t / energy_{tce_basis}_tce: not accounted"
            )
        return Measurement(
            given.value,
            given.input,
            "unit_energy_carbon_t_per_tce read as given: its tce basis is "
            f"the accounting's, not necessarily {tce_basis}",
        )
    parts = [
        _scalar(ctx.kpis.get(k)) for k in ("gross_emissions_t", "offset_green_power_t", "gross_emissions_market_t")
    ]
    return Measurement(
        ratio_or_zero(num.value, energy.value),
        "simulated",
        per_case(
            lambda n, e, *p: f"{float(n):,.1f} t ({_basis(n, *p)}) / {float(e):,.1f} tce ({tce_basis} value)",
            num.value,
            energy.value,
            *parts,
        ),
    )


def declared_true(
    id: str,
    pack: str,
    reads: str,
    text_zh: str,
    text_en: str,
    source_doc: str,
    clause: str,
    role: Role = "admission",
    max_points: float = 0.0,
    note: str = "",
    **kw: Any,
) -> Criterion:
    """A criterion that passes when a declared boolean fact is true (``kw``: more :class:`Criterion` fields).

    Parameters
    ----------
    id : str
        Criterion id, ``<pack>.<item>``.
    pack : str
        Pack id.
    reads : str
        The :class:`Declared` field read.
    text_zh, text_en : str
        The requirement in Chinese and in English.
    source_doc : str
        The quoted document.
    clause : str
        Its clause.
    role : str
        One of :data:`Role`.
    max_points : float
        Points of a scored item.
    note : str
        A note shown with the verdict.
    **kw
        More :class:`Criterion` fields.

    Returns
    -------
    Criterion
        The criterion, comparator ``is_true``.
    """
    return Criterion(
        id=id,
        pack=pack,
        text_zh=text_zh,
        text_en=text_en,
        source_doc=source_doc,
        clause=clause,
        reads=reads,
        comparator="is_true",
        role=role,
        max_points=max_points,
        unit="bool",
        note=note,
        **kw,
    )


__all__ = [
    "Criterion",
    "Verdict",
    "Verdicts",
    "per_case",
    "Declared",
    "CriteriaSettings",
    "Context",
    "Measurement",
    "meets",
    "declared_true",
    "unit_energy_carbon",
    "numerator_basis",
    "ratio_or_zero",
    "number",
    "pick",
    "REL_TOL",
    "UNSERVED_LIMIT_FRACTION",
]
