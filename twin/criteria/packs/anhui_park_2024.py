"""Anhui zero-carbon industrial park, admission standard (皖发改产业〔2024〕254号, Annex 1) and the
carbon-credit cap of the construction guide (Annex 2, 4.5.2).

Texts are quoted from ``shared/seeds/004_89e9fb91376c76b9.txt``. Annex 3 (scores and grades) was
not found; only the admission items are implemented. Whether green-power trading or certificates
count toward the 40 % renewable-electricity share is not stated: the variant is the setting
``anhui_re_share_variant`` (default on-site + contracted green power) and is printed with the
verdict.
"""
from __future__ import annotations

from twin.criteria.core import Context, Criterion, Measurement, declared_true

PACK_ID = "anhui_park_2024"
TITLE = "Anhui zero-carbon industrial park admission standard (2024)"
DOC = "安徽省零碳产业园区建设方案(试行) 皖发改产业〔2024〕254号, 附件1 安徽省零碳产业园区创建准入标准"
DOC2 = "安徽省零碳产业园区建设方案(试行) 皖发改产业〔2024〕254号, 附件2 安徽省零碳产业园区建设指南"

_RE_KEYS = {
    "onsite": "re_electricity_share_onsite",
    "onsite_plus_green_power": "re_electricity_share_with_green_power",
    "onsite_plus_green_power_and_certificates": "re_electricity_share_with_certificates",
}


def _re_share(ctx: Context) -> Measurement:
    return ctx.kpi(_RE_KEYS[ctx.settings.anhui_re_share_variant])


_WASTE_HEAT_KEYS = {
    "whole_boundary": "waste_heat_recovery_rate",
    "declared_streams": "waste_heat_recovery_rate_declared_streams",
}


def _waste_heat(ctx: Context) -> Measurement:
    """余热余能回收率 on the chosen denominator (twin.kpis.heat_kpis); the declared fact when not simulated."""
    m = ctx.kpi(_WASTE_HEAT_KEYS[ctx.settings.anhui_waste_heat_variant])
    return m if not m.missing else ctx.get("waste_heat_recovery_rate")


def _coal_change(ctx: Context) -> Measurement:
    """Coal consumption change over the same period last year (negative = decline)."""
    m = ctx.kpi("coal_change_fraction")
    if not m.missing:
        return m
    this = ctx.kpi("coal_tce")
    last = ctx.decl("last_year_coal_tce")
    if this.missing:
        return Measurement(None, "missing", "coal_tce: not simulated")
    if last.missing:
        return Measurement(None, "missing", "last_year_coal_tce: not declared")
    if last.value <= 0:
        if this.value <= 0:
            return Measurement(-1.0, "declared", "no coal used in either year: counted as a full decline")
        return Measurement(float("inf"), "declared", "coal used this year but none last year")
    return Measurement((this.value - last.value) / last.value, "declared",
                       "this year's coal simulated, last year's declared")


def _credit_share(ctx: Context) -> Measurement:
    gross = ctx.kpi("gross_emissions_t")
    credits = ctx.kpi("carbon_credits_t")
    if gross.missing or credits.missing:
        return Measurement(None, "missing", "gross_emissions_t / carbon_credits_t: not simulated")
    if gross.value <= 0:
        return Measurement(0.0 if credits.value <= 0 else float("inf"), "simulated", "gross emissions <= 0")
    return Measurement(credits.value / gross.value, "simulated",
                       "carbon credits (CCER + other credits) / gross emissions; green power and certificates are not credits")


def _c(id, text_zh, text_en, clause, reads, comparator, threshold=None, doc=DOC, **kw) -> Criterion:
    return Criterion(id=f"{PACK_ID}.{id}", pack=PACK_ID, text_zh=text_zh, text_en=text_en, source_doc=doc,
                     clause=clause, reads=reads, comparator=comparator, threshold=threshold, **kw)


def criteria() -> list[Criterion]:
    return [
        _c("re_electricity_share",
           "园区每年的煤炭消费总量须同期下降3%及以上,园区可再生能源电量比例须达到40%及以上。",
           "The park's renewable electricity share must reach 40 % or more.",
           "2.1 能源系统", "re_electricity_share_onsite", ">=", 0.40, unit="fraction",
           measure=_re_share, variant=lambda ctx: f"renewable share = {ctx.settings.anhui_re_share_variant} "
                                                  f"({_RE_KEYS[ctx.settings.anhui_re_share_variant]}); "
                                                  "the notice does not say whether green power or certificates count"),
        _c("coal_decline",
           "园区每年的煤炭消费总量须同期下降3%及以上,园区可再生能源电量比例须达到40%及以上。",
           "The park's total coal consumption must fall by 3 % or more each year over the same period.",
           "2.1 能源系统", "coal_change_fraction", "<=", -0.03, unit="fraction (change)", measure=_coal_change,
           variant="year-on-year change of coal_tce; multi-year plans: twin.criteria.trends.coal_decline_verdicts"),
        _c("waste_heat_recovery",
           "园区应要求企业对生产过程中产生的余热、余能采取回收和再利用措施,园区内余热余能回收率须达到10%及以上。",
           "Firms must recover and reuse waste heat and waste energy; the park's waste heat/energy recovery rate "
           "must reach 10 % or more.",
           "2.1 能源系统", "waste_heat_recovery_rate", ">=", 0.10, unit="fraction", measure=_waste_heat,
           variant=lambda ctx: (
               "waste heat and energy delivered to a useful demand / all waste heat and energy resources of the "
               "boundary (GB/T 1028-2018, cited by 附件2 3.4.4): declared streams + heat rejected by electric loads "
               "and cooling + declared 余压/余气/余冷" if ctx.settings.anhui_waste_heat_variant == "whole_boundary"
               else "waste heat delivered to a useful demand / declared streams and declared waste energy only "
                    "(less strict than GB/T 1028's whole boundary)")),
        _c("nev_share", "园区内新能源交通物流运输工具比例须达到30%及以上。",
           "New-energy vehicles must make up 30 % or more of the park's transport and logistics vehicles.",
           "2.2 交通物流系统", "nev_share", ">=", 0.30, unit="fraction"),
        _c("charging_coverage", "新能源交通基础设施覆盖率须达到 10%及以上。",
           "New-energy transport infrastructure (charging) coverage must reach 10 % or more.",
           "2.2 交通物流系统", "charging_coverage_share", ">=", 0.10, unit="fraction"),
        declared_true(f"{PACK_ID}.key_equipment_grade1", PACK_ID, "key_firms_equipment_grade1",
                      "园区内高耗能等重点企业的用能设备能效等级须达到能效国家标准1级。",
                      "Energy-using equipment of energy-intensive and other key firms must reach grade 1 of the "
                      "national efficiency standards.", DOC, "2.4 生产系统"),
        _c("pollution_compliance", "园区重点污染源稳定达标排放率须达到100%。",
           "Key pollution sources must meet discharge standards steadily: 100 %.",
           "2.5 环保系统", "pollution_sources_compliance_share", ">=", 1.0, unit="fraction"),
        _c("green_lighting", "园区内公共设施、道路采用绿色照明的比例须达到90%及以上。",
           "Green lighting must reach 90 % or more of public facilities and roads.",
           "2.6 基础设施系统", "green_lighting_share", ">=", 0.90, unit="fraction"),
        _c("greening", "园区绿化覆盖率须达到15%及以上。", "Greening coverage must reach 15 % or more.",
           "2.6 基础设施系统", "greening_share", ">=", 0.15, unit="fraction"),
        declared_true(f"{PACK_ID}.management_iso", PACK_ID, "management_iso_certified",
                      "园区管理机构(园区管委会或园区开发主体)须通过ISO14000环境管理体系认证或ISO9001质量管理体系认证。",
                      "The park management body must hold ISO 14000 or ISO 9001 certification.", DOC, "2.7 运营管理系统"),
        _c("ghg_inventory", "园区内每年完成温室气体盘查的企业比例须达到100%。",
           "100 % of the park's firms must complete a GHG inventory every year.",
           "2.7 运营管理系统", "ghg_inventory_firms_share", ">=", 1.0, unit="fraction"),
        declared_true(f"{PACK_ID}.ets_surrendered", PACK_ID, "ets_allowances_surrendered",
                      "控排企业应严格履行国家、省市的碳配额清缴规定,否则其所在园区不得参与创建零碳产业园区。",
                      "Firms under emission control must surrender allowances as required, otherwise their park may "
                      "not apply.", DOC, "2.8 重点行业企业"),
        _c("disclosure_cleaner_production", "“双高”行业等重点企业环境信息依法披露率、清洁生产审核实施率均须达到100%。",
           "Key firms of 'double-high' sectors: environmental disclosure rate and cleaner-production audit rate "
           "both 100 %.", "2.8 重点行业企业", "disclosure_and_cleaner_production_share", ">=", 1.0, unit="fraction"),
        declared_true(f"{PACK_ID}.no_major_accidents", PACK_ID, "no_major_accidents",
                      "1.4园区从建设规划以来未发生特别重大或重大生产安全和质量事故和突发环境事件,且园区环境质量须达到国家和安徽省规定的环境功能区环境质量标准。",
                      "No very serious or serious safety, quality or environmental incident since planning, and "
                      "environmental quality meets the functional-zone standards.", DOC, "1.4 基本要求"),
        declared_true(f"{PACK_ID}.ghg_scope_whole_park", PACK_ID, "ghg_scope_whole_park",
                      "1.5园区碳排放的核算与报告范围须包含整个园区运营层面的碳排放。",
                      "Carbon accounting and reporting must cover the emissions of the whole park's operations.",
                      DOC, "1.5 基本要求"),
        _c("carbon_credit_cap",
           "4.5.2为实现零碳目标,园区应通过购买并注销与其剩余碳排放量相等的碳信用产品的方式来进行碳减排,但碳信用产品中和碳排放量的比例不应超过5%。",
           "To reach zero carbon the park buys and cancels carbon credits equal to its residual emissions, but "
           "credits may neutralise no more than 5 % of emissions.",
           "4.5.2 碳信用减排", "carbon_credits_t", "<=", 0.05, doc=DOC2, unit="fraction", measure=_credit_share,
           variant="credits / gross location-based emissions"),
    ]
