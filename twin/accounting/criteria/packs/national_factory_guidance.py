"""National guidance on zero-carbon factories (MIIT et al.; seed 002): accounting-boundary checks.

Texts are quoted from ``shared/seeds/002_710cc7ba398a24e8.txt`` (关于开展零碳工厂建设工作的指导意见).
The guidance sets no numeric thresholds; the checks are mostly declared facts. The boundary check
also reads the twin's own accounting: it passes as simulated when the accounting carries both
direct (scope 1) and indirect (scope 2) emissions.
"""

from __future__ import annotations

from lingtan.twin.accounting.criteria.core import Context, Criterion, Measurement, declared_true

PACK_ID = "national_factory_guidance"
TITLE = "National zero-carbon factory guidance (boundary, accounting, offsets)"
DOC = "工业和信息化部等 关于开展零碳工厂建设工作的指导意见 (工信部联节〔2026〕13号)"


def _boundary(ctx: Context) -> Measurement:
    if ctx.kpis.get("scope1_t") is not None and ctx.kpis.get("scope2_location_t") is not None:
        return Measurement(
            True,
            "simulated",
            "the twin's accounting includes fuel combustion, process, purchased "
            "electricity and heat (GB/T 32150 formula)",
        )
    return ctx.decl("ghg_boundary_direct_and_indirect")


def _grade1(key: str):
    def measure(ctx: Context) -> Measurement:
        m = ctx.decl(key)
        return m if m.missing else Measurement(int(m.value) <= 1, "declared", f"{key} = {m.value}")

    return measure


def criteria() -> list[Criterion]:
    """The pack's criteria.

    Returns
    -------
    list of Criterion
        Each with the clause it applies.
    """

    def c(id, text_zh, text_en, clause, reads, comparator, **kw):
        return Criterion(
            id=f"{PACK_ID}.{id}",
            pack=PACK_ID,
            text_zh=text_zh,
            text_en=text_en,
            source_doc=DOC,
            clause=clause,
            reads=reads,
            comparator=comparator,
            **kw,
        )

    return [
        c(
            "boundary",
            "核算边界包括工厂生产经营活动产生的二氧化碳直接排放(包括燃料燃烧、过程排放等)和间接排放(包括外购电力、热力等)，鼓励开展重点工业产品二氧化碳排放核算。",
            "The accounting boundary covers direct CO2 (fuel combustion, process) and indirect CO2 (purchased "
            "electricity, heat) of the factory's operations.",
            "三、建设路径 (一)",
            "ghg_boundary_direct_and_indirect",
            "is_true",
            role="boundary",
            unit="bool",
            measure=_boundary,
            variant="simulated when the twin's accounting carries scope 1 and scope 2, declared otherwise",
            variant_reason="the twin's GB/T 32150 formula covers fuel combustion, process, purchased electricity and "
            "heat",
        ),
        declared_true(
            f"{PACK_ID}.accounting_method",
            PACK_ID,
            "ghg_accounted_per_gbt32150",
            "已纳入全国碳排放权交易市场的企业核算方法采用全国碳排放权交易市场相关行业技术规范，"
            "其他企业核算方法采用《工业企业温室气体排放核算和报告通则》(GB/T 32150)"
            "及细分行业相关国家标准(GB/T 32151)，或国际通用的相关温室气体核算标准。",
            "Firms in the national ETS account by its sector rules; others by GB/T 32150 and the GB/T 32151 "
            "sector standards, or an international GHG standard.",
            DOC,
            "三、建设路径 (一)",
            role="boundary",
        ),
        declared_true(
            f"{PACK_ID}.offsets_last",
            PACK_ID,
            "offsets_after_own_reductions",
            "工厂在完成充分自主减排、“降无可降”的基础上，待减的二氧化碳排放可以通过跨境碳交易等方式进行抵销，实现并保持工厂二氧化碳的趋零排放。",
            "Only after full own reductions ('nothing left to reduce') may the remaining CO2 be offset.",
            DOC,
            "三、建设路径 (六)",
            role="boundary",
        ),
        c(
            "product_energy_grade1",
            "工厂单位产品、工序能耗应达到相关行业强制性能耗限额国家标准的 1 级或先进值，"
            "以及《工业重点领域能效标杆水平和基准水平》的能效标杆水平。",
            "Unit product and process energy at grade 1 (advanced value) of the mandatory limit standards and at "
            "the benchmark level.",
            "三、建设路径 (三)",
            "product_energy_limit_grade",
            "is_true",
            role="guiding",
            unit="grade",
            measure=_grade1("product_energy_limit_grade"),
        ),
        c(
            "general_equipment_grade1",
            "提高通用设备能效水平，电机、变压器、空压机、风机、泵等达到相关设备产品强制性能效国家标准的 1 级及以上水平"
            "，以及《重点用能产品设备能效先进水平、节能水平和准入水平》的先进水平，"
            "并通过管理优化实现设备高效运行。",
            "Motors, transformers, air compressors, fans and pumps at grade 1 of the mandatory efficiency standards.",
            "三、建设路径 (三)",
            "general_equipment_grade",
            "is_true",
            role="guiding",
            unit="grade",
            measure=_grade1("general_equipment_grade"),
        ),
        declared_true(
            f"{PACK_ID}.disclosure",
            PACK_ID,
            "disclosure_published",
            "鼓励工厂定期发布可持续发展报告，环境、社会和公司治理(ESG)报告，零碳工厂建设报告等，公开披露碳排放、产品碳足迹信息和零碳工厂建设情况，证实零碳工厂预期效果和绩效并持续改进。",
            "Factories are encouraged to publish sustainability / ESG / zero-carbon reports disclosing "
            "emissions and product footprints.",
            DOC,
            "三、建设路径 (六)",
            role="guiding",
        ),
    ]
