"""National zero-carbon park, 发改环资〔2025〕910号: core indicator and guiding indicators.

The notice is not among the seed documents; the list of indicators is confirmed and the
thresholds are secondary (``shared/facts/standards.md``). ``text_zh`` is therefore a
reconstruction of the indicator, marked "[据二手资料重述]".

Core: unit-energy carbon emissions <= 0.20 tCO2/tce for parks using 200 000 - 1 000 000 tce/yr,
<= 0.30 for >= 1 000 000 tce/yr (CO2 of energy activities + industrial processes + net imported
electricity and heat). Below 200 000 tce no band is known: 0.20 is applied and the verdict says so.
Guiding: clean-energy share >= 90 %, solid-waste utilisation >= 80 %, waste heat / cold / pressure
utilisation >= 50 %, industrial water reuse >= 80 %, product energy at or better than limit grade 2.
"""
from __future__ import annotations

from twin.criteria.core import Context, Criterion, Measurement, meets

PACK_ID = "national_park_2025"
TITLE = "National zero-carbon park (发改环资〔2025〕910号)"
DOC = "国家发展改革委等 关于开展零碳园区建设的通知 发改环资〔2025〕910号 (not in seeds; secondary)"

BAND_LOW_TCE = 200_000.0
BAND_HIGH_TCE = 1_000_000.0


def core_threshold(energy_tce: float) -> tuple[float, str]:
    """Unit-energy carbon limit [tCO2/tce] for a park's annual energy [tce], with the band label."""
    if meets(energy_tce, BAND_HIGH_TCE, ">="):
        return 0.30, ">= 1 000 000 tce/yr"
    if meets(energy_tce, BAND_LOW_TCE, ">="):
        return 0.20, "200 000 - 1 000 000 tce/yr"
    return 0.20, "below 200 000 tce/yr: no band in the notice, 0.20 applied (assumption)"


def _band(ctx: Context):
    key = f"energy_{ctx.settings.national_park_tce_basis}_tce"
    m = ctx.kpi(key)
    if m.missing:
        return (None, f"{key}: not simulated")
    t, label = core_threshold(float(m.value))
    return (t, f"band {label} ({key} = {float(m.value):.0f})")


def _waste_heat(ctx: Context) -> Measurement:
    m = ctx.kpi("waste_heat_recovery_rate")
    if not m.missing:
        return Measurement(m.value, "simulated", "waste heat recovery rate stands for waste heat/cold/pressure utilisation")
    return ctx.decl("waste_heat_cold_pressure_utilisation_share")


def criteria() -> list[Criterion]:
    def c(id, text_zh, text_en, clause, reads, comparator, threshold=None, role="guiding", **kw):
        return Criterion(id=f"{PACK_ID}.{id}", pack=PACK_ID, text_zh=text_zh, text_en=text_en, source_doc=DOC,
                         clause=clause, reads=reads, comparator=comparator, threshold=threshold, role=role, **kw)

    return [
        c("unit_energy_carbon",
          "[据二手资料重述] 单位能耗碳排放:园区年综合能源消费量20万—100万吨标准煤的,不高于0.2吨二氧化碳/吨标准煤;100万吨标准煤以上的,不高于0.3吨二氧化碳/吨标准煤。",
          "Core indicator, unit-energy carbon emissions: <= 0.20 tCO2/tce for parks using 200 000 - 1 000 000 "
          "tce/yr; <= 0.30 for >= 1 000 000 tce/yr.", "核心指标 单位能耗碳排放", "unit_energy_carbon_t_per_tce",
          "<=", role="admission", band=_band, unit="tCO2/tce",
          variant=lambda ctx: f"CO2 only; energy on {ctx.settings.national_park_tce_basis} basis; numerator as set in "
                              "accounting.unit_energy_carbon_basis"),
        c("clean_energy_share", "[据二手资料重述] 清洁能源消费占比≥90%。", "Clean-energy share of energy >= 90 %.",
          "引导性指标 清洁能源消费占比", "clean_energy_share", ">=", 0.90, unit="fraction"),
        c("solid_waste", "[据二手资料重述] 工业固体废弃物综合利用率≥80%。", "Industrial solid-waste utilisation >= 80 %.",
          "引导性指标 固废综合利用率", "solid_waste_utilisation_share", ">=", 0.80, unit="fraction"),
        c("waste_heat", "[据二手资料重述] 余热/余冷/余压综合利用率≥50%。",
          "Waste heat / cold / pressure utilisation >= 50 %.", "引导性指标 余热余冷余压利用率",
          "waste_heat_cold_pressure_utilisation_share", ">=", 0.50, unit="fraction", measure=_waste_heat),
        c("water_reuse", "[据二手资料重述] 工业用水重复利用率≥80%。", "Industrial water reuse >= 80 %.",
          "引导性指标 工业用水重复利用率", "industrial_water_reuse_share", ">=", 0.80, unit="fraction"),
        c("product_energy_grade2", "[据二手资料重述] 主要产品单位能耗达到能耗限额标准2级及以上。",
          "Unit product energy at or better than grade 2 of the limit standards.", "引导性指标 产品能效",
          "product_energy_limit_grade", "is_true", unit="grade",
          measure=lambda ctx: (lambda m: m if m.missing else Measurement(
              int(m.value) <= 2, "declared", f"product_energy_limit_grade = {m.value}"))(
              ctx.decl("product_energy_limit_grade"))),
    ]
