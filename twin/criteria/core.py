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
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Literal, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

REL_TOL = 1e-9
ABS_TOL = 1e-12

Comparator = Literal[">=", "<=", "is_true", "points"]
Role = Literal["admission", "score", "target", "guiding", "boundary"]


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
    national_park_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent", description="tce basis of the national park energy bands")


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Measurement:
    """A value read for a criterion and where it came from."""

    value: Any
    input: Literal["simulated", "declared", "missing"]
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
    role : "admission" (一票否决), "score", "target", "guiding" or "boundary".
    variant : str or callable
        Definition variant printed with the verdict.
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
    max_points_if_not_applicable: Optional[Callable[[Context], float]] = field(default=None, compare=False)
    """Points an item that does not apply keeps in the pack's maximum (default: all of ``max_points``)."""

    @property
    def source(self) -> str:
        return f"{self.source_doc}, {self.clause}"

    def evaluate(self, ctx: Context) -> Verdict:
        m = self.measure(ctx) if self.measure else ctx.get(self.reads)
        variant = self.variant(ctx) if callable(self.variant) else self.variant
        threshold, band_note = (self.band(ctx) if self.band else (self.threshold, ""))
        notes = [n for n in (self.note, band_note, m.note) if n]
        base = dict(criterion_id=self.id, pack=self.pack, role=self.role, source=self.source,
                    source_doc=self.source_doc, clause=self.clause, variant=variant,
                    text_en=self.text_en, text_zh=self.text_zh, unit=self.unit, max_points=self.max_points)
        if m.missing:
            if not m.note:
                notes.insert(0, f"{self.reads}: not declared")
            na = m.input == "not_applicable"
            if na and self.max_points_if_not_applicable is not None:
                base["max_points"] = float(self.max_points_if_not_applicable(ctx))
            return Verdict(value=None, threshold=threshold, margin=None, passed=False, points=0.0,
                           input="not_applicable" if na else "missing", note="; ".join(notes), **base)
        value = m.value
        margin = None
        if self.comparator == "is_true":
            passed = bool(value) is True
        elif self.comparator == "points" and threshold is None:
            passed = False  # set from the points below
        elif threshold is None:
            passed = False
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
        return Verdict(value=value, threshold=threshold, margin=margin, passed=passed, points=pts,
                       input=m.input, note="; ".join(notes), **base)


def declared_true(id: str, pack: str, reads: str, text_zh: str, text_en: str, source_doc: str, clause: str,
                  role: Role = "admission", max_points: float = 0.0, note: str = "") -> Criterion:
    """A criterion that passes when a declared boolean fact is true."""
    return Criterion(id=id, pack=pack, text_zh=text_zh, text_en=text_en, source_doc=source_doc, clause=clause,
                     reads=reads, comparator="is_true", role=role, max_points=max_points, unit="bool", note=note)


__all__ = ["Criterion", "Verdict", "Declared", "CriteriaSettings", "Context", "Measurement", "meets",
           "declared_true", "REL_TOL"]
