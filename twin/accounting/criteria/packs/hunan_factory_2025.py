"""Hunan zero-carbon factory, 湘工信节能〔2025〕458号: construction conditions and Annex 1 targets.

Admission texts are quoted from ``shared/seeds/000_cc8aa859e4cb0659.txt`` (a traditional-character
copy of the notice; the ruby pinyin glosses of that copy, e.g. "節(jié)", are removed). Annex 1
(acceptance conditions) is not in the seed: its targets come from a confirmed partial copy
summarised in ``shared/facts/standards.md`` — unit-energy carbon emissions <= 1.25 / 0.87 /
0.37 tCO2e/tce and renewable-energy use ratio >= 35 / 55 / 80 % in 2027 / 2030 / 2035, key product
carbon footprint >= 6 % below the base year (2027). Their ``text_zh`` is therefore a
reconstruction, marked as such, and every verdict of theirs says its threshold is
reconstructed. The target year is the setting ``hunan_target_year``.

* Renewable-energy use ratio: setting ``hunan_re_ratio_variant`` (default renewable electricity
  share including contracted green power); the verdict shows the energy basis (electricity and
  heat in tce, on-site renewables) next to the electricity-only basis, whichever is chosen.
* Unit-energy carbon emissions [tCO2e/tce]: the tce basis is the setting ``hunan_tce_basis``.
  The partial copy does not name it; the default is equivalent value (等价值) because only on
  that basis are the 2027/2030/2035 limits consistent with the renewable ratios of the same
  table: a factory on Hunan grid power (0.49 tCO2/MWh, 2022) at 35 % renewables emits 1.04
  tCO2/tce on the equivalent basis (<= 1.25) but 2.59 on the calorific basis.
"""

from __future__ import annotations

from lingtan.twin.accounting.criteria.core import (
    Context,
    Criterion,
    Measurement,
    declared_true,
    per_case,
    unit_energy_carbon,
)

PACK_ID = "hunan_factory_2025"
TITLE = "Hunan zero-carbon factory (湘工信节能〔2025〕458号)"
DOC = "湖南省零碳工厂建设方案(暂行) 湘工信节能〔2025〕458号"
DOC_ANNEX = DOC + ", 附件1 验收条件 (partial copy; text not in the seed)"

UNIT_ENERGY_CARBON_T_PER_TCE = {2027: 1.25, 2030: 0.87, 2035: 0.37}
RE_RATIO = {2027: 0.35, 2030: 0.55, 2035: 0.80}
FOOTPRINT_CHANGE_2027 = -0.06

RE_RATIO_KEYS = {  # setting hunan_re_ratio_variant -> the KPI the ratio reads
    "electricity_onsite": "re_electricity_share_onsite",
    "electricity_with_green_power": "re_electricity_share_with_green_power",
    "electricity_with_certificates": "re_electricity_share_with_certificates",
    "energy_equivalent": "re_energy_share_onsite_equivalent",
    "energy_calorific": "re_energy_share_onsite_calorific",
}


def _ets(ctx: Context) -> Measurement:
    inside = ctx.decl("in_national_ets")
    if inside.missing:
        return inside
    if inside.value is False:
        return Measurement(True, "declared", "not covered by the national ETS: condition not applicable")
    return ctx.decl("ets_allowances_surrendered")


def _grade(key: str, best: int) -> callable:
    def measure(ctx: Context) -> Measurement:
        m = ctx.decl(key)
        return m if m.missing else Measurement(int(m.value) <= best, "declared", f"{key} = {m.value}")

    return measure


RECONSTRUCTED = (
    "threshold reconstructed: Annex 1 (验收条件) is not in the seed; value from a confirmed partial "
    "copy (shared/facts/standards.md)"
)


def _re_ratio(ctx: Context) -> Measurement:
    """The chosen definition, with the electricity-only and the energy bases side by side in the note."""
    m = ctx.kpi(RE_RATIO_KEYS[ctx.settings.hunan_re_ratio_variant])
    shown = [
        (label, ctx.kpis[k])
        for label, k in (
            ("electricity, on-site", "re_electricity_share_onsite"),
            ("electricity with green power", "re_electricity_share_with_green_power"),
            ("energy (electricity + heat, equivalent tce)", "re_energy_share_onsite_equivalent"),
            ("energy (electricity + heat, calorific tce)", "re_energy_share_onsite_calorific"),
        )
        if ctx.kpis.get(k) is not None
    ]
    note = per_case(
        lambda *xs: (
            "bases: " + "; ".join(f"{label} {float(x) * 100:.2f} %" for (label, _), x in zip(shown, xs, strict=True))
            if shown
            else ""
        ),
        *(x for _, x in shown),
    )
    return m if m.missing else Measurement(m.value, m.input, note)


def _footprint(ctx: Context) -> Measurement:
    return ctx.get("product_carbon_footprint_change_fraction")


def criteria() -> list[Criterion]:
    """The pack's criteria: the construction conditions and the Annex 1 targets.

    Returns
    -------
    list of Criterion
        Each with the clause it applies.
    """

    def c(id, text_zh, text_en, clause, reads, comparator, doc=DOC, **kw):
        return Criterion(
            id=f"{PACK_ID}.{id}",
            pack=PACK_ID,
            text_zh=text_zh,
            text_en=text_en,
            source_doc=doc,
            clause=clause,
            reads=reads,
            comparator=comparator,
            **kw,
        )

    return [
        declared_true(
            f"{PACK_ID}.legal_entity",
            PACK_ID,
            "registered_legal_entity_in_province",
            "(一)在湖南省依法登記注冊,具有獨立法人資格的生產制造型企業。",
            "A manufacturing firm registered in Hunan with independent legal personality.",
            DOC,
            "五、建设条件 (一)",
        ),
        c(
            "green_factory",
            "(二)企業已獲評省級及以上綠色工廠。",
            "The firm holds a provincial or national green factory title.",
            "五、建设条件 (二)",
            "green_factory_level",
            "is_true",
            unit="level",
            measure=lambda ctx: (
                lambda m: (
                    m
                    if m.missing
                    else Measurement(
                        m.value in ("provincial", "national"), "declared", f"green factory level: {m.value}"
                    )
                )
            )(ctx.decl("green_factory_level")),
        ),
        declared_true(
            f"{PACK_ID}.sound_operation",
            PACK_ID,
            "sound_operation_3yr",
            "(三)企業近三年(含新建企業)生產經營狀況良好,年主營業務收入穩步增長。",
            "Sound operation over the last 3 years, main business revenue growing steadily.",
            DOC,
            "五、建设条件 (三)",
        ),
        c(
            "ets_surrendered",
            "(四)企業如已納入全國碳排放權交易市場,近三年(含新建企業)按規定清繳碳排放配額。",
            "Firms in the national carbon market surrendered their allowances as required in the last 3 years.",
            "五、建设条件 (四)",
            "ets_allowances_surrendered",
            "is_true",
            unit="bool",
            measure=_ets,
        ),
        declared_true(
            f"{PACK_ID}.no_major_accidents",
            PACK_ID,
            "no_major_accidents",
            "(五)企業近三年(含新建企業)未發生較大及以上安全、環境、質量等事故,或其他社會不良影響事件。",
            "No major safety, environmental or quality accident or other adverse event in the last 3 years.",
            DOC,
            "五、建设条件 (五)",
        ),
        declared_true(
            f"{PACK_ID}.ghg_accounting",
            PACK_ID,
            "ghg_accounted_per_gbt32150",
            "(六)企業應自行或委托第三方機構采用《工業企業溫室氣體排放核算和報告通則》(GB/T 32150)"
            "及《溫室氣體排放核算與報告要求》(GB/T 32151)系列國家標準對其廠界范圍內的溫室氣體排放進行核算和報告。",
            "GHG emissions inside the factory boundary accounted and reported per GB/T 32150 and the "
            "GB/T 32151 series, by the firm or a third party.",
            DOC,
            "五、建设条件 (六)",
        ),
        c(
            "product_energy_grade1",
            "企業單位產品的能耗指標達到相應能耗限額強制性國家標準中的1級(先進值)或國家最新發布的工業重點領域能效標桿水平,沒有國家標準的達到地方或行業先進水平。",
            "Unit product energy at grade 1 (advanced value) of the mandatory national limit standard or at the "
            "national benchmark level.",
            "四、建设路径 (三)",
            "product_energy_limit_grade",
            "is_true",
            unit="grade",
            measure=_grade("product_energy_limit_grade", 1),
        ),
        c(
            "general_equipment_grade2",
            "提高通用設備能效水平,變壓器、空壓機、風機、電機等能效等級達到相應強制性能效國家標準的2級及以上水平或國家最新發布的重點用能產品設備能效節能水平。",
            "Transformers, air compressors, fans, motors at grade 2 or better of the mandatory efficiency standards.",
            "四、建设路径 (三)",
            "general_equipment_grade",
            "is_true",
            unit="grade",
            measure=_grade("general_equipment_grade", 2),
        ),
        c(
            "unit_energy_carbon",
            "[据附件1部分副本重述] 单位能耗碳排放:2027年≤1.25 tCO2e/tce,2030年≤0.87,2035年≤0.37。",
            "Unit-energy carbon emissions <= 1.25 (2027), 0.87 (2030), 0.37 (2035) tCO2e/tce.",
            "附件1 验收条件: 单位能耗碳排放",
            "unit_energy_carbon_t_per_tce",
            "<=",
            doc=DOC_ANNEX,
            role="target",
            unit="tCO2e/tce",
            band=lambda ctx: (
                UNIT_ENERGY_CARBON_T_PER_TCE[ctx.settings.hunan_target_year],
                f"target year {ctx.settings.hunan_target_year}",
            ),
            measure=lambda ctx: unit_energy_carbon(ctx, ctx.settings.hunan_tce_basis),
            note=RECONSTRUCTED,
            variant=lambda ctx: (
                f"emissions (accounting.unit_energy_carbon_basis) / comprehensive energy on the "
                f"{ctx.settings.hunan_tce_basis} basis (setting hunan_tce_basis)"
            ),
            variant_reason="the copy names no tce basis; equivalent (default) is the one on which the limits agree "
            "with the table's renewable ratios",
        ),
        c(
            "re_ratio",
            "[据附件1部分副本重述] 可再生能源利用比例:2027年≥35%,2030年≥55%,2035年≥80%。",
            "Renewable-energy use ratio >= 35 % (2027), 55 % (2030), 80 % (2035).",
            "附件1 验收条件: 可再生能源利用比例",
            "re_electricity_share_with_green_power",
            ">=",
            doc=DOC_ANNEX,
            role="target",
            unit="fraction",
            measure=_re_ratio,
            note=RECONSTRUCTED,
            band=lambda ctx: (
                RE_RATIO[ctx.settings.hunan_target_year],
                f"target year {ctx.settings.hunan_target_year}",
            ),
            variant=lambda ctx: (
                f"ratio = {RE_RATIO_KEYS[ctx.settings.hunan_re_ratio_variant]} "
                f"(setting hunan_re_ratio_variant={ctx.settings.hunan_re_ratio_variant})"
            ),
            variant_reason="可再生能源利用比例 is not defined in the partial copy: electricity with green power by "
            "default, the energy basis (electricity and heat, tce) shown beside it and selectable",
        ),
        c(
            "product_footprint",
            "[据附件1部分副本重述] 重点产品碳足迹较基准年下降6%及以上(2027年)。",
            "Key product carbon footprint at least 6 % below the base year (2027).",
            "附件1 验收条件: 产品碳足迹",
            "product_carbon_footprint_change_fraction",
            "<=",
            doc=DOC_ANNEX,
            role="target",
            unit="fraction (change)",
            measure=_footprint,
            band=lambda ctx: (FOOTPRINT_CHANGE_2027, "2027 target (later years not found; 2027 value applied)"),
            note=RECONSTRUCTED,
            variant="change of the key product's carbon footprint against the base year",
            variant_reason="'较基准年下降6%' read as the relative change of the footprint",
        ),
    ]
