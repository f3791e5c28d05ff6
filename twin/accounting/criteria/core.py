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

Statuses
--------
Every verdict carries one ``status`` (``passed`` is True only for "pass"):

* ``"pass"`` / ``"fail"``;
* ``"not applicable"``: the criterion applies only where its object exists (a 适用时 item, an
  indicator whose 客观条件不具备) and the boundary has none: a KPI of the run that is present but
  ``None`` for a criterion with ``not_applicable``, or a measure that says so. Never a pass, never
  a fail; scored items leave the total's maximum;
* ``"not assessable"``: the run served less than its load (unserved electricity above
  :data:`UNSERVED_LIMIT_FRACTION` of the load). An infeasible plant has no simulated verdict;
  declared verdicts still stand;
* ``"undetermined"``: the input is there but no text gives the threshold (a band the document
  does not cover and no setting supplies).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Literal, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

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


class Declared(BaseModel):
    """Scenario section ``declared:`` — facts the twin cannot simulate, stated by the user.

    Every field is optional; a criterion that needs a missing fact fails with "not declared".
    Fractions are 0..1 (``_share`` / ``_fraction``); money in CNY; energy in tce.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # status and compliance
    green_factory_level: Optional[Literal["none", "municipal", "provincial", "national"]] = Field(
        default=None, description="green (low-carbon) factory title held: none / municipal / provincial / national")
    registered_legal_entity_in_province: Optional[bool] = Field(
        default=None, description="manufacturing firm with independent legal personality registered in the province")
    sound_operation_3yr: Optional[bool] = Field(
        default=None, description="sound operation over the last 3 years, main revenue growing steadily")
    in_national_ets: Optional[bool] = Field(default=None, description="covered by the national carbon market")
    ets_allowances_surrendered: Optional[bool] = Field(
        default=None, description="ETS allowances surrendered as required in the last 3 years")
    no_major_accidents: Optional[bool] = Field(
        default=None, description="no major (较大及以上) safety, environmental or quality accident")
    ghg_accounted_per_gbt32150: Optional[bool] = Field(
        default=None, description="GHG accounted and reported per GB/T 32150 / 32151 (or ETS sector rules)")
    ghg_boundary_direct_and_indirect: Optional[bool] = Field(
        default=None, description="inventory covers direct (fuel, process) and indirect (electricity, heat) CO2")
    offsets_after_own_reductions: Optional[bool] = Field(
        default=None, description="offsets used only after own reductions are exhausted (降无可降)")
    disclosure_published: Optional[bool] = Field(
        default=None, description="sustainability / ESG / zero-carbon report published")
    # equipment and products
    product_energy_limit_grade: Optional[int] = Field(
        default=None, ge=1, le=5, description="grade of unit product energy in the national limit standard (1 best)")
    general_equipment_grade: Optional[int] = Field(
        default=None, ge=1, le=5,
        description="worst efficiency grade among transformers, compressors, fans, motors, pumps (1 best)")
    special_equipment_advanced_share: Optional[float] = Field(
        default=None, ge=0, le=1, description="share of special equipment at the industry-advanced level")
    key_firms_equipment_grade1: Optional[bool] = Field(
        default=None, description="energy-using equipment of the park's key (energy-intensive) firms all at grade 1")
    energy_information_system: Optional[bool] = Field(default=None, description="energy information system in place")
    carbon_information_system: Optional[bool] = Field(default=None, description="GHG management platform in place")
    waste_energy_types_over_60pct: Optional[int] = Field(
        default=None, ge=0, description="number of waste-energy types (heat, pressure, cold...) used at >= 60 %")
    eco_design_highlights: Optional[int] = Field(default=None, ge=0, description="eco-design highlights")
    carbon_management_cases: Optional[int] = Field(
        default=None, ge=0, description="carbon-footprint / label / green supply chain / capture cases")
    product_unit_consumption_vs_benchmark_fraction: Optional[float] = Field(
        default=None, description="(unit consumption - benchmark) / benchmark; -0.2 = 20 % better than benchmark")
    product_carbon_footprint_change_fraction: Optional[float] = Field(
        default=None, description="key product carbon footprint vs base year; -0.06 = 6 % lower")
    # money, size, history
    retrofit_investment_3yr_cny: Optional[float] = Field(
        default=None, ge=0, description="energy-saving retrofit investment over the last 3 years [CNY]")
    intensity_decline_avg_fraction: Optional[float] = Field(
        default=None, description="average annual decline of energy or carbon intensity over 3 years (0.05 = 5 %/yr)")
    last_year_energy_tce: Optional[float] = Field(
        default=None, ge=0, description="last year's comprehensive energy consumption [tce] (Zhejiang: equivalent value)")
    output_value_cny: Optional[float] = Field(default=None, ge=0, description="last year's output value [CNY]")
    last_year_coal_tce: Optional[float] = Field(default=None, ge=0, description="last year's coal consumption [tce]")
    # park facts (Anhui, national park)
    nev_share: Optional[float] = Field(
        default=None, ge=0, le=1, description="new-energy share of transport and logistics vehicles")
    charging_coverage_share: Optional[float] = Field(
        default=None, ge=0, le=1, description="new-energy transport infrastructure (charging) coverage")
    green_lighting_share: Optional[float] = Field(
        default=None, ge=0, le=1, description="green lighting share of public facilities and roads")
    greening_share: Optional[float] = Field(default=None, ge=0, le=1, description="greening coverage")
    ghg_inventory_firms_share: Optional[float] = Field(
        default=None, ge=0, le=1, description="share of firms completing a GHG inventory each year")
    pollution_sources_compliance_share: Optional[float] = Field(
        default=None, ge=0, le=1, description="key pollution sources steadily meeting discharge standards")
    management_iso_certified: Optional[bool] = Field(
        default=None, description="park management body certified ISO 14000 or ISO 9001")
    disclosure_and_cleaner_production_share: Optional[float] = Field(
        default=None, ge=0, le=1,
        description="lowest of: environmental disclosure rate and cleaner-production audit rate of 双高 firms")
    ghg_scope_whole_park: Optional[bool] = Field(
        default=None, description="GHG accounting and reporting cover the whole park's operations")
    complies_with_national_policy_and_law: Optional[bool] = Field(
        default=None, description="Anhui 1.1: park built and managed per national policy and national / Anhui law")
    zero_carbon_strategy_whole_park: Optional[bool] = Field(
        default=None, description="Anhui 1.2: zero-carbon strategy and plan covering the whole park "
                                  "(infrastructure, production and living systems)")
    zero_carbon_organisation_and_statistics: Optional[bool] = Field(
        default=None, description="Anhui 1.3: zero-carbon organisation, carbon-reduction system, carbon management "
                                  "and statistics rules, a named person in charge")
    environmental_quality_meets_zone_standards: Optional[bool] = Field(
        default=None, description="Anhui 1.4 (second half): environmental quality meets the national and Anhui "
                                  "functional-zone standards")
    building_carbon_per_gb55015: Optional[bool] = Field(
        default=None, description="Anhui 2.3: civil buildings' carbon emissions calculated per GB 55015, with "
                                  "measures lowering the carbon intensity per floor area")
    public_bicycles_and_chargers: Optional[bool] = Field(
        default=None, description="Anhui 2.6: public bicycle service system and charging piles in place")
    green_information_platform: Optional[bool] = Field(
        default=None, description="Anhui 2.7: green low-carbon / energy-saving information platform publishing "
                                  "project, pollutant, solid-waste, energy and water information regularly")
    anhui_key_industries: Optional[list[Literal["new_energy_vehicles", "lithium_batteries", "solar_cells"]]] = Field(
        default=None, description="Anhui 2.8: the park's firms in new-energy vehicles, lithium batteries or solar "
                                  "cells (the relaxation is noted beside failing thresholds, never applied)")
    not_applicable: Optional[dict[str, str]] = Field(
        default=None, description="criteria that do not apply, by criterion id (without the pack) -> the reason; "
                                  "only criteria whose text allows it (适用时, 客观条件不具备) accept it")
    waste_heat_recovery_rate: Optional[float] = Field(
        default=None, ge=0, le=1, description="fallback when the run does not simulate waste heat")
    clean_energy_share: Optional[float] = Field(default=None, ge=0, le=1, description="clean energy share of energy")
    solid_waste_utilisation_share: Optional[float] = Field(default=None, ge=0, le=1)
    waste_heat_cold_pressure_utilisation_share: Optional[float] = Field(default=None, ge=0, le=1)
    industrial_water_reuse_share: Optional[float] = Field(default=None, ge=0, le=1)


class CriteriaSettings(BaseModel):
    """Scenario section ``criteria_settings:`` — the definition variants, printed with each verdict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    anhui_re_share_variant: Literal["onsite", "onsite_plus_green_power", "onsite_plus_green_power_and_certificates"] = Field(
        default="onsite_plus_green_power",
        description="what counts toward Anhui's 40 %: not stated by the notice; default on-site + contracted green power")
    zhejiang_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent", description="tce of the Zhejiang bands and renewable share (the table says 等价值)")
    zhejiang_offset_pro_rata: Literal["proportional", "linear_from_30"] = Field(
        default="proportional",
        description="'其余按抵消比例折算得分': 15 x share / full share (default) or linear from 0 at 30 % to 15 at full")
    anhui_waste_heat_variant: Literal["whole_boundary", "declared_streams"] = Field(
        default="whole_boundary",
        description="denominator of Anhui's 余热余能回收率: all waste heat and energy resources of the boundary "
                    "(GB/T 1028-2018, default, stricter) or only the declared streams")
    zhejiang_not_applicable_total: Literal["out_of_100", "out_of_96"] = Field(
        default="out_of_100",
        description="序号3 余能使用 is marked 适用时 and the plan gives no rule for the total when it does not apply: "
                    "keep its 4 points in the maximum (default, stricter) or leave them out (score out of 96)")
    hunan_target_year: Literal[2027, 2030, 2035] = Field(default=2027, description="Annex 1 target year")
    hunan_re_ratio_variant: Literal["electricity_onsite", "electricity_with_green_power",
                                    "electricity_with_certificates", "energy_equivalent", "energy_calorific"] = Field(
        default="electricity_with_green_power", description="definition of Hunan's renewable-energy use ratio")
    hunan_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent", description="tce of Hunan's unit-energy carbon emissions (Annex 1 not in the seed; "
                                          "see the pack)")
    national_park_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent", description="tce basis of the national park's energy band and of its core ratio (one "
                                          "basis for both)")
    national_park_threshold_below_200k_t_per_tce: Optional[float] = Field(
        default=None, gt=0, description="core indicator limit for parks below 200 000 tce/yr [tCO2/tce]: no text "
                                        "gives one; None = threshold undetermined (a user or provincial value)")
    national_park_clean_counts_natural_gas: bool = Field(
        default=False, description="count natural gas as clean energy in the clean-energy share (default no: stricter)")
    national_park_clean_counts_green_power: bool = Field(
        default=False, description="count contracted / direct green power as clean energy (default no: stricter)")


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Measurement:
    """A value read for a criterion and where it came from."""

    value: Any
    input: Literal["simulated", "declared", "missing", "not applicable"]
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.input == "missing" or self.value is None


@dataclass(frozen=True)
class Context:
    """What criteria read: the run's KPIs, the declared facts, the settings."""

    kpis: Mapping[str, Any]
    declared: Declared
    settings: CriteriaSettings
    firms: Mapping[str, Declared] = field(default_factory=dict)
    """The declared facts of each firm inside a park boundary (tenants), for criteria about every firm."""

    def unserved_fraction(self) -> Optional[float]:
        """Unserved electricity / electric load of the run, None when the run's KPIs do not say.

        The load is ``load_e_kwh`` (a factory, :mod:`lingtan.twin.core.kpis`); a park reports only the served
        consumption, so there it is ``total_consumption_e_kwh + unserved_load_e_kwh``.
        """
        unserved = _scalar(self.kpis.get("unserved_load_e_kwh"))
        if unserved is None:
            return None
        load = _scalar(self.kpis.get("load_e_kwh"))
        if load is None:
            served = _scalar(self.kpis.get("total_consumption_e_kwh"))
            load = None if served is None else float(served) + float(unserved)
        if not load or load <= 0:
            return None
        return float(unserved) / float(load)

    def kpi(self, key: str) -> Measurement:
        v = self.kpis.get(key)
        if v is None:
            return Measurement(None, "missing", f"{key}: not simulated")
        return Measurement(_scalar(v), "simulated")

    def decl(self, key: str) -> Measurement:
        v = getattr(self.declared, key, None)
        if v is None:
            return Measurement(None, "missing", f"{key}: not declared")
        return Measurement(v, "declared")

    def get(self, key: str) -> Measurement:
        """A KPI of the run if present, else a declared fact of the same name."""
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


def meets(value: float, threshold: float, comparator: str) -> bool:
    """``value >= threshold`` or ``value <= threshold`` with a relative tolerance of 1e-9."""
    if math.isclose(value, threshold, rel_tol=REL_TOL, abs_tol=ABS_TOL):
        return True
    if comparator == ">=":
        return value > threshold
    if comparator == "<=":
        return value < threshold
    raise ValueError(f"comparator must be '>=' or '<=', found {comparator!r}")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one criterion."""

    criterion_id: str
    pack: str
    role: str
    value: Any
    threshold: Any
    margin: Optional[float]
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
        return self.input == "simulated"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Band = Callable[[Context], tuple[Optional[float], str]]
"""``ctx -> (threshold, band label)``; threshold None when the band cannot be determined."""
PointsRule = Callable[[Any, Optional[float], Context], float]
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
    threshold: Optional[float] = None
    band: Optional[Band] = None
    points: Optional[PointsRule] = None
    max_points: float = 0.0
    role: Role = "admission"
    variant: Union[str, Callable[[Context], str]] = ""
    unit: str = ""
    measure: Optional[Measure] = None
    note: str = ""
    passes: Optional[Callable[[Any, Optional[float], Context], bool]] = field(default=None, compare=False)
    variant_reason: Union[str, Callable[[Context], str]] = ""
    not_applicable: str = ""
    declare_not_applicable: bool = False
    fail_note: Optional[Callable[[Context], str]] = field(default=None, compare=False)
    max_points_if_not_applicable: Optional[Callable[[Context], float]] = field(default=None, compare=False)
    """Points an item that does not apply keeps in the pack's maximum (default: none, it leaves the maximum)."""

    @property
    def source(self) -> str:
        return f"{self.source_doc}, {self.clause}"

    @property
    def short_id(self) -> str:
        """The id without its pack (the key of ``declared.not_applicable``)."""
        return self.id.split(".", 1)[-1]

    def evaluate(self, ctx: Context) -> Verdict:
        m = self.measure(ctx) if self.measure else ctx.get(self.reads)
        variant = self.variant(ctx) if callable(self.variant) else self.variant
        reason = self.variant_reason(ctx) if callable(self.variant_reason) else self.variant_reason
        threshold, band_note = (self.band(ctx) if self.band else (self.threshold, ""))
        notes = [n for n in (self.note, band_note, m.note) if n]
        base = dict(criterion_id=self.id, pack=self.pack, role=self.role, source=self.source,
                    source_doc=self.source_doc, clause=self.clause, variant=variant, variant_reason=reason,
                    text_en=self.text_en, text_zh=self.text_zh, unit=self.unit, max_points=self.max_points)
        # An item that does not apply keeps in the pack's maximum only what its criterion says (score()).
        na_base = dict(base, max_points=float(self.max_points_if_not_applicable(ctx))
                       if self.max_points_if_not_applicable else 0.0)
        declared_na = (ctx.declared.not_applicable or {}).get(self.short_id)
        if self.declare_not_applicable and declared_na is not None:
            return Verdict(value=None, threshold=threshold, margin=None, passed=False, points=0.0, input="declared",
                           status="not applicable", note="; ".join([f"not applicable (declared): {declared_na}",
                                                                    self.not_applicable, *notes]), **na_base)
        none_kpi = bool(self.not_applicable) and self.reads in ctx.kpis and ctx.kpis[self.reads] is None
        if m.input == "not applicable" or none_kpi:
            why = m.note if m.input == "not applicable" else f"{self.reads}: none in this boundary"
            return self._infeasible(ctx, Verdict(
                value=None, threshold=threshold, margin=None, passed=False, points=0.0, input="simulated",
                status="not applicable", note="; ".join(n for n in (f"not applicable: {why}", self.not_applicable,
                                                                    self.note, band_note) if n), **na_base))
        if m.missing:
            if not m.note:
                notes.insert(0, f"{self.reads}: not declared")
            return Verdict(value=None, threshold=threshold, margin=None, passed=False, points=0.0,
                           input="missing", status="fail", note="; ".join(notes + self._fail_notes(ctx)), **base)
        value = m.value
        margin = None
        undetermined = False
        if self.comparator == "is_true":
            passed = bool(value) is True
        elif self.comparator == "points" and threshold is None:
            passed = False  # set from the points below
        elif threshold is None:
            passed = False
            undetermined = True
            notes.append("threshold undetermined")
        elif self.passes is not None:
            passed = bool(self.passes(value, threshold, ctx))
        elif self.comparator in (">=", "<="):
            v = float(value)
            passed = meets(v, threshold, self.comparator)
            margin = v - threshold if self.comparator == ">=" else threshold - v
        else:  # points with threshold: passed = full marks reached
            v = float(value)
            passed = meets(v, threshold, ">=")
            margin = v - threshold
        if self.points is not None:
            pts = float(self.points(value, threshold, ctx))
            if self.comparator == "points" and threshold is None:
                passed = pts >= self.max_points - 1e-9
        else:
            pts = self.max_points if passed else 0.0
        status = "pass" if passed else ("undetermined" if undetermined else "fail")
        if status == "fail":
            notes += self._fail_notes(ctx)
        return self._infeasible(ctx, Verdict(value=value, threshold=threshold, margin=margin, passed=passed,
                                             points=pts, input=m.input, status=status, note="; ".join(notes), **base))

    def _fail_notes(self, ctx: Context) -> list[str]:
        extra = self.fail_note(ctx) if self.fail_note else ""
        return [extra] if extra else []

    @staticmethod
    def _infeasible(ctx: Context, v: Verdict) -> Verdict:
        """A simulated verdict of a run that did not serve its load is "not assessable"."""
        frac = ctx.unserved_fraction()
        if v.input != "simulated" or frac is None or meets(frac, UNSERVED_LIMIT_FRACTION, "<="):
            return v
        note = (f"not assessable: unserved load {frac * 100:.3g} % of the load (> {UNSERVED_LIMIT_FRACTION * 100:g} %); "
                f"an infeasible plant has no verdict (would have been: {v.status})")
        return replace(v, passed=False, points=0.0, status="not assessable", note="; ".join(n for n in (note, v.note) if n))


def numerator_basis(kpis: Mapping[str, Any]) -> str:
    """Which emissions :func:`lingtan.twin.accounting.account.account` put in ``unit_energy_carbon_numerator_t``
    (``accounting.unit_energy_carbon_basis``), named from the KPIs: ``location`` (gross), ``after_green_power``
    (gross less green power) or ``market``; several names joined by " = " when they are equal."""
    n = _scalar(kpis.get("unit_energy_carbon_numerator_t"))
    gross, green, market = (_scalar(kpis.get(k)) for k in ("gross_emissions_t", "offset_green_power_t",
                                                           "gross_emissions_market_t"))
    cands = {"location": gross, "after_green_power": None if gross is None or green is None else gross - green,
             "market": market}
    names = [k for k, v in cands.items() if n is not None and v is not None and math.isclose(v, n, rel_tol=1e-12,
                                                                                              abs_tol=1e-9)]
    return " = ".join(names) or "as set in accounting.unit_energy_carbon_basis"


def unit_energy_carbon(ctx: Context, tce_basis: str) -> Measurement:
    """Emissions / comprehensive energy [tCO2/tce] with the energy on ``tce_basis`` (equivalent or
    calorific), whatever basis the accounting's own ``unit_energy_carbon_t_per_tce`` uses."""
    num = ctx.kpi("unit_energy_carbon_numerator_t")
    energy = ctx.kpi(f"energy_{tce_basis}_tce")
    if num.missing or energy.missing:
        given = ctx.kpi("unit_energy_carbon_t_per_tce")
        if given.missing:
            return Measurement(None, "missing", f"unit_energy_carbon_numerator_t / energy_{tce_basis}_tce: not accounted")
        return Measurement(given.value, given.input, "unit_energy_carbon_t_per_tce read as given: its tce basis is "
                                                     f"the accounting's, not necessarily {tce_basis}")
    e = float(energy.value)
    value = float(num.value) / e if e > 0 else 0.0
    return Measurement(value, "simulated", f"{float(num.value):,.1f} t ({numerator_basis(ctx.kpis)}) / "
                                           f"{e:,.1f} tce ({tce_basis} value)")


def declared_true(id: str, pack: str, reads: str, text_zh: str, text_en: str, source_doc: str, clause: str,
                  role: Role = "admission", max_points: float = 0.0, note: str = "", **kw: Any) -> Criterion:
    """A criterion that passes when a declared boolean fact is true (``kw``: more :class:`Criterion` fields)."""
    return Criterion(id=id, pack=pack, text_zh=text_zh, text_en=text_en, source_doc=source_doc, clause=clause,
                     reads=reads, comparator="is_true", role=role, max_points=max_points, unit="bool", note=note, **kw)


__all__ = ["Criterion", "Verdict", "Declared", "CriteriaSettings", "Context", "Measurement", "meets",
           "declared_true", "unit_energy_carbon", "numerator_basis", "REL_TOL", "UNSERVED_LIMIT_FRACTION"]
