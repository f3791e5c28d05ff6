"""Zhejiang zero-carbon (near-zero-carbon) factory, 2025-2027 plan, Annex 1 evaluation requirements.

Texts are quoted from ``shared/seeds/001_c68294b44eb4d5c1.txt`` (浙江省零碳（近零碳）工厂培育建设
方案（2025—2027年）, 附件1 浙江省零碳（近零碳）工厂培育建设评价要求). Admission (一票否决) and the
full 100-point score: infrastructure 20, energy use 12 (renewables 8, waste energy 4), products 23,
own reductions 30, offsets 15.

Energy-size bands (上年度综合能耗, 等价值): < 10 000 tce, 10 000 - < 20 000 tce, >= 20 000 tce.
Whether the table's tce is calorific or equivalent value is stated as 等价值 but the project keeps
it a setting (``zhejiang_tce_basis``, default equivalent). "其余按比例得分" (renewables) is
``8 x share / full share``; the offset rule "30%以下得0分；其余按抵消比例折算得分" is
``15 x share / full share`` between 30 % and full (setting ``zhejiang_offset_pro_rata``;
alternative: linear from 0 at 30 %). Green certificates and green power count for at most 50 % of
the residual emissions.
"""

from __future__ import annotations

import numpy as np

from lingtan.components.process import WASTE_ENERGY_TYPE_ZH
from lingtan.twin.accounting.criteria.core import Context, Criterion, Measurement, meets, number, per_case, pick

PACK_ID = "zhejiang_factory_2025"
TITLE = "Zhejiang zero-carbon (near-zero-carbon) factory evaluation (2025-2027)"
DOC = "浙江省零碳（近零碳）工厂培育建设方案（2025—2027年）, 附件1 浙江省零碳（近零碳）工厂培育建设评价要求"

BAND_EDGES_TCE = (10_000.0, 20_000.0)
RE_FULL_SHARE = (0.20, 0.15, 0.10)
OFFSET_FULL_SHARE = (0.80, 0.70, 0.60)
OFFSET_MIN_SHARE = 0.30
GREEN_CAP_OF_RESIDUAL = 0.50
INVESTMENT_FULL_CNY = 30_000_000.0
INTENSITY_FULL_DECLINE = 0.05
BAND_LABELS = ("< 10 000 tce", "10 000 - < 20 000 tce", ">= 20 000 tce")


def energy_band(energy_tce):
    """Band index 0, 1, 2 of last year's energy [tce]: < 10 000, [10 000, 20 000), >= 20 000.

    Parameters
    ----------
    energy_tce : float or array
        Last year's comprehensive energy consumption [tce], per case.

    Returns
    -------
    int or array of int
        The band.
    """
    return pick(meets(energy_tce, BAND_EDGES_TCE[1], ">="), 2, pick(meets(energy_tce, BAND_EDGES_TCE[0], ">="), 1, 0))


def renewable_points(share, energy_tce):
    """Points (0..8) for the renewable share of energy: full at 20/15/10 % by band, pro rata below.

    Parameters
    ----------
    share : float or array
        Renewable share of energy [fraction], per case.
    energy_tce : float or array
        Last year's comprehensive energy consumption [tce], for the band.

    Returns
    -------
    float or array
        Points [0..8].
    """
    full = np.take(RE_FULL_SHARE, energy_band(energy_tce))
    return pick(meets(share, full, ">="), 8.0, 8.0 * np.maximum(0.0, share) / full)


def offset_share(gross_t, green_power_t, certificates_t, other_t):
    """Offset share of the residual emissions and whether the 50 % green cap binds.

    Green power and certificates count for at most 50 % of the residual emissions
    (``gross_t``, after own reductions); CCER, other credits and allowances count in full.

    Parameters
    ----------
    gross_t : float or array
        Residual emissions after own reductions [tCO2], per case.
    green_power_t : float or array
        Emissions offset by green power [tCO2].
    certificates_t : float or array
        Emissions offset by green certificates [tCO2].
    other_t : float or array
        Emissions offset by CCER, other credits and allowances [tCO2].

    Returns
    -------
    tuple of (float, bool) or of arrays
        Offset share [fraction 0..1] and whether the green cap binds.
    """
    none = np.asarray(gross_t) <= 0
    green = green_power_t + certificates_t
    cap = GREEN_CAP_OF_RESIDUAL * gross_t
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.minimum(1.0, (np.minimum(green, cap) + other_t) / np.where(none, 1.0, gross_t))
    return (pick(none, 1.0, share), pick(none, False, green > cap))


def offset_points(share, energy_tce, variant: str = "proportional"):
    """Points (0..15): 0 below 30 %, full at 80/70/60 % by band, pro rata between.

    Parameters
    ----------
    share : float or array
        Offset share [fraction] (:func:`offset_share`), per case.
    energy_tce : float or array
        Last year's comprehensive energy consumption [tce], for the band.
    variant : {"proportional", "linear_from_30"}
        Below full marks: points in proportion to the share, or linear from 30 % to the full share.

    Returns
    -------
    float or array
        Points [0..15].
    """
    full = np.take(OFFSET_FULL_SHARE, energy_band(energy_tce))
    if variant == "linear_from_30":
        pro_rata = 15.0 * (share - OFFSET_MIN_SHARE) / (full - OFFSET_MIN_SHARE)
    else:
        pro_rata = 15.0 * share / full
    return pick(~np.asarray(meets(share, OFFSET_MIN_SHARE, ">=")), 0.0, pick(meets(share, full, ">="), 15.0, pro_rata))


def unit_consumption_points(vs_benchmark_fraction: float) -> float:
    """10 if >= 20 % better than the benchmark, 6 at the benchmark, 3 within 10 % worse, else 0.

    Parameters
    ----------
    vs_benchmark_fraction : float
        Unit consumption relative to the benchmark, minus 1 [fraction]; negative is better.

    Returns
    -------
    float
        Points (10, 6, 3 or 0).
    """
    d = vs_benchmark_fraction
    if meets(d, -0.20, "<="):
        return 10.0
    if meets(d, 0.0, "<="):
        return 6.0
    if meets(d, 0.10, "<="):
        return 3.0
    return 0.0


def _energy(ctx: Context) -> Measurement:
    """Last year's energy [tce]: declared, else the simulated year on the chosen basis."""
    d = ctx.decl("last_year_energy_tce")
    if not d.missing:
        return d
    key = f"energy_{ctx.settings.zhejiang_tce_basis}_tce"
    m = ctx.kpi(key)
    if m.missing:
        return Measurement(None, "missing", "last_year_energy_tce: not declared and energy not simulated")
    return Measurement(m.value, "simulated", f"last year's energy taken as the simulated year's {key}")


def _band_of(ctx: Context, table: tuple[float, ...]) -> tuple[float | None, str]:
    e = _energy(ctx)
    if e.missing:
        return (None, "energy band unknown")
    b = energy_band(number(e.value))
    return (
        number(np.take(table, b)),
        per_case(lambda b, v: f"band {BAND_LABELS[b]} (energy {float(v):.1f} tce, {e.input})", b, e.value),
    )


def _re_share(ctx: Context) -> Measurement:
    basis = ctx.settings.zhejiang_tce_basis
    m = ctx.kpi(f"re_energy_share_onsite_3yr_{basis}")
    if not m.missing:
        return Measurement(m.value, "simulated", "3-year share (sum over 3 years)")
    m = ctx.kpi(f"re_energy_share_onsite_{basis}")
    if m.missing:
        return m
    return Measurement(m.value, "simulated", "single simulated year stands for the 3-year share")


def _size(ctx: Context) -> Measurement:
    e = _energy(ctx)
    out = ctx.decl("output_value_cny")
    if e.missing and out.missing:
        return Measurement(None, "missing", "last_year_energy_tce and output_value_cny: not declared")
    ok_e = (not e.missing) and meets(number(e.value), 3000.0, ">=")
    ok_o = (not out.missing) and meets(float(out.value), 5e8, ">=")
    kind = "declared" if (e.input == "declared" or not out.missing) else e.input
    return Measurement(
        pick(ok_e, True, ok_o),
        kind,
        per_case(lambda ev, oe: f"energy {ev} tce >= 3000: {oe}; output {out.value} CNY >= 5e8: {ok_o}", e.value, ok_e),
    )


WASTE_ENERGY_RATE = 0.60


def _waste_types(ctx: Context) -> Measurement:
    """Waste-energy types (余热, 余压, 余冷, 余气: not stream kinds, so two exhaust streams are one type) used at a
    rate of 60 % or more. Simulated heat (every heat stream and the heat rejected by electric loads, whole
    boundary) and the declared 余压/余气/余冷 items come in one table (``waste_heat_recovery_rate_by_type``). A
    plant with no waste energy at all: 序号3 is marked 适用时, so the item is "not applicable". The plan gives no
    rule for the total of an item that does not apply: by default its 4 points stay in the maximum (out of 100,
    the stricter reading); setting ``zhejiang_not_applicable_total: out_of_96`` leaves them out."""
    by_type = ctx.kpis.get("waste_heat_recovery_rate_by_type")
    if isinstance(by_type, dict):
        rated = {k: float(v) for k, v in by_type.items() if v is not None}
        if not rated:
            total = "stays out of 100" if ctx.settings.zhejiang_not_applicable_total == "out_of_100" else "is out of 96"
            return Measurement(
                None,
                "not applicable",
                f"not applicable (适用时): no waste heat or other waste energy in the boundary; the score {total}",
            )
        used = [k for k, v in rated.items() if meets(v, WASTE_ENERGY_RATE, ">=")]
        text = ", ".join(f"{WASTE_ENERGY_TYPE_ZH.get(k, k)} {100 * v:.1f} %" for k, v in rated.items())
        return Measurement(len(used), "simulated", f"types at >= 60 %: {len(used)} of {len(rated)} ({text})")
    return ctx.get("waste_energy_types_over_60pct")


def _offset(ctx: Context) -> Measurement:
    keys = ("gross_emissions_t", "offset_green_power_t", "offset_certificates_t")
    ms = [ctx.kpi(k) for k in keys]
    if any(m.missing for m in ms):
        return Measurement(None, "missing", "emissions and offsets: not accounted")
    other = sum(
        0.0 if ctx.kpis.get(k) is None else number(ctx.kpis[k])
        for k in ("offset_ccer_t", "offset_other_credits_t", "offset_allowances_t")
    )
    share, binding = offset_share(*(number(m.value) for m in ms), other)
    note = per_case(
        lambda b: "50 % cap on green certificates + green power binds" if b else "50 % green cap not binding", binding
    )
    return Measurement(share, "simulated", note)


def _intensity(ctx: Context) -> Measurement:
    return ctx.get("intensity_decline_avg_fraction")


def _offset_pts(v, t, ctx: Context) -> float:
    e = _energy(ctx)
    return offset_points(number(v), number(e.value), ctx.settings.zhejiang_offset_pro_rata) if not e.missing else 0.0


def _re_pts(v, t, ctx: Context) -> float:
    e = _energy(ctx)
    return renewable_points(number(v), number(e.value)) if not e.missing else 0.0


def _c(id, text_zh, text_en, clause, reads, comparator, **kw) -> Criterion:
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


def criteria() -> list[Criterion]:
    """The pack's criteria: the admission conditions and the scored items.

    Returns
    -------
    list of Criterion
        Each with the clause it applies.
    """
    basis = lambda ctx: f"tce basis: {ctx.settings.zhejiang_tce_basis}"  # noqa: E731
    return [
        Criterion(
            id=f"{PACK_ID}.green_factory",
            pack=PACK_ID,
            text_zh="满足《浙江省绿色（低碳）工厂梯度培育管理实施细则》中明确的有关绿色（低碳）工厂入选及动态管理需符合的基本要求。",
            text_en="Meets the basic requirements for selection and dynamic management of green (low-carbon) "
            "factories in the Zhejiang tiered-cultivation rules (provincial or national green factory).",
            source_doc=DOC,
            clause="序号1 准入条件 / 工厂要求 (一票否决)",
            reads="green_factory_level",
            comparator="is_true",
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
        _c(
            "size",
            "工厂已获得省级及以上绿色（低碳）工厂，且上年度综合能耗应大于等于3000吨标煤（等价值）或产值应大于等于5亿元。",
            "Provincial or higher green (low-carbon) factory, and last year's comprehensive energy consumption "
            ">= 3000 tce (equivalent value) or output value >= 500 million CNY.",
            "序号1 准入条件 / 规模体量",
            "last_year_energy_tce",
            "is_true",
            unit="bool",
            measure=_size,
            variant=basis,
            variant_reason="the table says 等价值 (equivalent value); the simulated year stands in when last year's "
            "energy is not declared",
        ),
        _c(
            "energy_information_system",
            "工厂建立能源信息化管理系统，实时采集重点用能单位、主要次级用能单位、主要用能设备的能源数据，并自动进行统计分析、能效分析、用能预警。",
            "An energy information system collecting real-time data of key energy-using units and equipment, with "
            "automatic statistics, efficiency analysis and alerts.",
            "序号2 基础设施 / 能源信息化管理系统",
            "energy_information_system",
            "is_true",
            role="score",
            max_points=5.0,
            unit="bool",
        ),
        _c(
            "carbon_information_system",
            "工厂建立温室气体排放管理平台，对生产全流程进行碳计算、监测、仿真、可视化等管理，对原始数据存档。",
            "A GHG management platform: carbon calculation, monitoring, simulation and visualisation of the whole "
            "production, with raw data archived.",
            "序号2 基础设施 / 碳排放信息化系统",
            "carbon_information_system",
            "is_true",
            role="score",
            max_points=5.0,
            unit="bool",
        ),
        _c(
            "special_equipment",
            "工厂使用的专用设备全部满足行业先进水平得满分，其他情况如存在落后设备的，按比例酌情扣分。",
            "Full marks when all special equipment is at the industry-advanced level; otherwise deducted pro rata.",
            "序号2 基础设施 / 专用设备能效",
            "special_equipment_advanced_share",
            "points",
            threshold=1.0,
            role="score",
            max_points=5.0,
            unit="fraction",
            points=lambda v, t, ctx: 5.0 * min(1.0, float(v)),
            variant="points = 5 x share of special equipment at the industry-advanced level",
        ),
        _c(
            "general_equipment",
            "变压器、压缩机、风机等通用设备满足二级以上能效标准得3分，满足一级能效标准的得5分。存在三级及以下能效设备的按比例酌情扣分。",
            "General equipment (transformers, compressors, fans...) at grade 2 or better: 3 points; at grade 1: 5 "
            "points; grade 3 or worse: deducted pro rata.",
            "序号2 基础设施 / 通用设备能效",
            "general_equipment_grade",
            "points",
            role="score",
            max_points=5.0,
            unit="grade",
            points=lambda v, t, ctx: 5.0 if int(v) <= 1 else (3.0 if int(v) == 2 else 0.0),
            variant="worst grade among general equipment; grade 3 or worse scores 0 (expert deduction not modelled)",
        ),
        _c(
            "renewable_share",
            "优化用能结构，在保证安全、质量的前提下减少不可再生能源使用比例。上年度综合能耗小于10000吨标煤（等价值）的企业，近3年能源消费中20%来自厂界内可再生能源（包括太阳能、风能、生物质能、水能、地热能、海洋能等）得满分；大于等于10000吨标煤（等价值）小于20000吨标煤（等价值）的企业，15%来自可再生能源得满分；大于等于20000吨标煤（等价值）以上的企业，10%来自可再生能源得满分；其余按比例得分。",
            "Share of the last 3 years' energy from renewables inside the factory boundary: full marks at 20 % "
            "(< 10 000 tce), 15 % (10 000 - < 20 000 tce), 10 % (>= 20 000 tce); pro rata otherwise.",
            "序号3 能源使用 / 可再生能源使用",
            "re_energy_share_onsite_equivalent",
            "points",
            role="score",
            max_points=8.0,
            unit="fraction",
            measure=_re_share,
            band=lambda ctx: _band_of(ctx, RE_FULL_SHARE),
            points=_re_pts,
            variant=lambda ctx: (
                f"on-site renewable energy / comprehensive energy, "
                f"{ctx.settings.zhejiang_tce_basis} value; points = 8 x share / full"
            ),
            variant_reason="'来自厂界内可再生能源' counts on-site renewables only; tce as the table's 等价值 by "
            "default",
        ),
        _c(
            "waste_energy",
            "合理利用工厂设施条件，充分利用余热余压余冷等余能，因地制宜利用可再生能源。每使用一种余能且利用率达到60%以上得2分，最高得4分。",
            "2 points per waste-energy type (heat, pressure, cold...) used at a utilisation rate of 60 % or more, "
            "at most 4.",
            "序号3 能源使用 / 余能使用（适用时）",
            "waste_energy_types_over_60pct",
            "points",
            role="score",
            max_points=4.0,
            unit="count",
            measure=_waste_types,
            points=lambda v, t, ctx: min(4.0, 2.0 * int(v)),
            max_points_if_not_applicable=lambda ctx: (
                4.0 if ctx.settings.zhejiang_not_applicable_total == "out_of_100" else 0.0
            ),
            variant=lambda ctx: (
                "2 points per waste-energy type (余热/余压/余冷/余气) whose recovered-and-delivered share "
                "of its whole-boundary resource is >= 60 %; without waste energy not applicable, total "
                + ctx.settings.zhejiang_not_applicable_total.replace("_", " ")
            ),
            variant_reason="'每使用一种余能' counts types of waste energy, not streams; 适用时 gives no rule for the "
            "total, so by default the 4 points stay in the maximum (the stricter reading)",
        ),
        _c(
            "eco_design",
            "开展生态设计，优化产品设计和生产工艺，在轻量化、低碳化、数字化、人工智能+、模块化、集成化、有毒有害物质减量化、资源循环利用等方面存在特色亮点。每提供一种亮点做法得1分，最高得5分。",
            "Eco-design: 1 point per highlight (light-weighting, low-carbon, digital, AI+, modular, integrated, "
            "hazardous-substance reduction, recycling...), at most 5.",
            "序号4 产品管理 / 生态设计",
            "eco_design_highlights",
            "points",
            role="score",
            max_points=5.0,
            unit="count",
            points=lambda v, t, ctx: min(5.0, float(int(v))),
        ),
        _c(
            "carbon_management",
            "开展碳排放监测统计核算，提供在产品碳足迹认证、碳标识认证、绿色供应链认证、碳捕集应用等方面案例。每提供一项案例得2分，最高得8分。",
            "Carbon management: 2 points per case (product carbon footprint, carbon label, green supply chain, "
            "carbon capture...), at most 8.",
            "序号4 产品管理 / 碳管理",
            "carbon_management_cases",
            "points",
            role="score",
            max_points=8.0,
            unit="count",
            points=lambda v, t, ctx: min(8.0, 2.0 * int(v)),
        ),
        _c(
            "unit_consumption",
            "通过设备更新与工艺优化等手段，降低工厂单位增加值或单位产品能源消耗强度。主要产品单耗优于国家、行业和地方标准标杆要求或行业先进值20%的，得10分；达到标杆要求的，得6分；劣于标杆要求或行业先进值10%以内的得3分，其余不得分。",
            "Main product unit consumption 20 % better than the benchmark: 10; at the benchmark: 6; up to 10 % worse: "
            "3; otherwise 0.",
            "序号4 产品管理 / 单耗水平",
            "product_unit_consumption_vs_benchmark_fraction",
            "points",
            role="score",
            max_points=10.0,
            unit="fraction vs benchmark",
            points=lambda v, t, ctx: unit_consumption_points(float(v)),
        ),
        _c(
            "retrofit_investment",
            "工厂采取生产工艺优化和改进、节能技术与措施应用等减碳策略，开展节能减碳项目技改。近3年节能技改项目投资额达到3000万元以上得满分，其余按比例得分。",
            "Energy-saving retrofit investment over the last 3 years: full marks at 30 million CNY, pro rata below.",
            "序号5 自主减碳 / 技改项目",
            "retrofit_investment_3yr_cny",
            "points",
            threshold=INVESTMENT_FULL_CNY,
            role="score",
            max_points=15.0,
            unit="CNY",
            points=lambda v, t, ctx: 15.0 * min(1.0, float(v) / INVESTMENT_FULL_CNY),
        ),
        _c(
            "intensity_decline",
            "工厂采用管理、技术和设备升级等措施有效提升能源利用效率。近3年工厂能耗或碳排放强度年均下降≥5%得15分，0—5%之间按比例得分。",
            "Energy or carbon intensity falling by >= 5 %/yr on average over the last 3 years: 15 points; pro rata "
            "between 0 and 5 %.",
            "序号5 自主减碳 / 技改成效",
            "intensity_decline_avg_fraction",
            "points",
            threshold=INTENSITY_FULL_DECLINE,
            role="score",
            max_points=15.0,
            unit="fraction per year",
            measure=_intensity,
            points=lambda v, t, ctx: 15.0 * min(1.0, max(0.0, float(v)) / INTENSITY_FULL_DECLINE),
            variant="geometric mean annual decline (lingtan.twin.accounting.criteria.trends.average_annual_decline)",
            variant_reason="'近3年…年均下降' is an average annual rate: the geometric mean compounds as the years do",
        ),
        _c(
            "offsets",
            "通过碳捕集、碳封存、建设厂界外新能源项目，购买绿证、绿电、碳配额、CCER减排量、碳普惠减排量等，对自主减碳后剩余排放量进行抵消，其中绿证、绿电抵扣上限不得超过剩余排放量的50%。上年度综合能耗小于10000吨标煤（等价值）抵消比例80%得满分；大于等于10000吨标煤（等价值）小于20000吨标煤（等价值）抵消70%得满分；大于等于20000吨标煤（等价值）以上60%得满分；30%以下得0分；其余按抵消比例折算得分。",
            "Offsets of the residual emissions after own reductions (capture, storage, off-site renewables, green "
            "certificates, green power, allowances, CCER, 碳普惠), green certificates + green power capped at 50 % "
            "of the residual; full marks at 80 % (< 10 000 tce), 70 % (10 000 - < 20 000), 60 % (>= 20 000); 0 below "
            "30 %; otherwise pro rata.",
            "序号6 碳抵消 / 碳抵消比例",
            "gross_emissions_t",
            "points",
            role="score",
            max_points=15.0,
            unit="fraction of residual",
            measure=_offset,
            band=lambda ctx: _band_of(ctx, OFFSET_FULL_SHARE),
            points=_offset_pts,
            variant=lambda ctx: (
                f"residual = gross location-based emissions after own reductions; pro rata "
                f"{ctx.settings.zhejiang_offset_pro_rata}"
            ),
            variant_reason="'对自主减碳后剩余排放量进行抵消' with green power and certificates capped at 50 % of that "
            "residual; '按抵消比例折算' read as share / full share by default",
        ),
    ]
