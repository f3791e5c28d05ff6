"""Anhui zero-carbon industrial park, admission standard (皖发改产业〔2024〕254号, Annex 1) and the
carbon-credit rule of the construction guide (Annex 2, 4.5.2).

Texts are quoted from ``shared/seeds/004_89e9fb91376c76b9.txt``. Annex 3 (scores and grades) was
not found; only the admission items (1.1-1.5, 2.1-2.8) and 4.5.2 are implemented.

Readings where the text is ambiguous (each printed with its verdict):

* 40 % renewable electricity (Annex 1, 2.1): the notice does not say whether green-power trading
  or certificates count; Annex 2, 3.1.2 names both (绿色电力和绿证交易). Setting
  ``anhui_re_share_variant``: ``onsite``, ``onsite_plus_green_power`` (default:
  ``shared/facts/standards.md``; green power carries its certificates) or
  ``onsite_plus_green_power_and_certificates`` (unbundled certificates too, the laxer reading).
  In every variant on-site electricity whose certificates were sold
  (``green_power.onsite_certificates_sold_mwh``) leaves the share: its renewable attribute
  belongs to the buyer. When the run has the delivered-energy share
  (``re_electricity_share_onsite_delivered``, storage losses left out) the stricter of the two
  bases is used and named.
* Carbon credits (Annex 2, 4.5.2, role acceptance: "为实现零碳目标", the end state a pilot shows at 验收): the
residual emissions before
  credits must be at most 5 % of the gross emissions, and credits (CCER, other credits and
  allowances alike) must equal that residual. The residual is what is left of the gross
  location-based emissions after the electricity instruments the renewable-share variant counts.
* 2.8: parks with new-energy-vehicle, lithium-battery or solar-cell firms "可适当放宽…准入门槛":
  declared as ``anhui_key_industries``; the verdict notes the relaxation beside a failing 2.1-2.7
  threshold and stays a fail (the province decides on a relaxation, not the twin).
"""

from __future__ import annotations

import numpy as np

from lingtan.errors import InputError
from lingtan.twin.accounting.criteria.core import (
    Context,
    Criterion,
    Measurement,
    declared_true,
    number,
    per_case,
    pick,
    ratio_or_zero,
)

PACK_ID = "anhui_park_2024"
TITLE = "Anhui zero-carbon industrial park admission standard (2024)"
DOC = "安徽省零碳产业园区建设方案(试行) 皖发改产业〔2024〕254号, 附件1 安徽省零碳产业园区创建准入标准"
DOC2 = "安徽省零碳产业园区建设方案(试行) 皖发改产业〔2024〕254号, 附件2 安徽省零碳产业园区建设指南"

CREDIT_CAP_FRACTION = 0.05  # Annex 2, 4.5.2: "碳信用产品中和碳排放量的比例不应超过5%"

_RE_KEYS = {
    "onsite": "re_electricity_share_onsite",
    "onsite_plus_green_power": "re_electricity_share_with_green_power",
    "onsite_plus_green_power_and_certificates": "re_electricity_share_with_certificates",
}
_COUNTS = {
    "onsite": (False, False),
    "onsite_plus_green_power": (True, False),
    "onsite_plus_green_power_and_certificates": (True, True),
}
"""variant -> (green power counted, unbundled certificates counted)"""

_RE_REASON = (
    "Annex 1, 2.1 says 可再生能源电量比例 without what counts; Annex 2, 3.1.2 names 绿色电力和绿证交易: "
    "default counts green power (it carries its certificates), unbundled certificates only in the named "
    "variant (the laxer reading); sold on-site certificates never count twice"
)


def _num(ctx: Context, key: str):
    v = ctx.kpi(key)
    return None if v.missing else number(v.value)


def _counted(ctx: Context) -> str:
    gp, cert = _COUNTS[ctx.settings.anhui_re_share_variant]
    return "on-site" + (" + green power" if gp else "") + (" + green certificates" if cert else "")


def re_share_parts(ctx: Context) -> Measurement:
    """The renewable electricity share of the chosen variant, the stricter of the consumption-based
    and the delivered-energy bases, with what was counted in the note.

    Consumption basis: (on-site renewable consumed - on-site certificates sold [+ green power]
    [+ certificates]) / electricity consumed, capped at 1. Delivered basis: the same with the
    on-site renewable and the consumption both less the storage losses
    (``re_electricity_share_onsite_delivered`` x (consumption - ``battery_losses_e_kwh``)).

    Parameters
    ----------
    ctx : Context
        The run's KPIs and the settings (``anhui_re_share_variant``).

    Returns
    -------
    Measurement
        The share [fraction 0..1], or missing when a KPI is absent.
    """
    variant = ctx.settings.anhui_re_share_variant
    gp_on, cert_on = _COUNTS[variant]
    re_c = _num(ctx, "re_consumed_e_kwh")
    elec = _num(ctx, "electricity_consumed_e_kwh")
    if elec is None:
        elec = _num(ctx, "total_consumption_e_kwh")
    if re_c is None or elec is None:
        # A bare share (a trend year, a hand-made KPI set): read as given; nothing to recombine.
        m = ctx.kpi(_RE_KEYS[variant])
        return (
            m
            if m.missing
            else Measurement(
                m.value,
                "simulated",
                f"{_RE_KEYS[variant]} read as given (no energy components to apply the sold-certificate guard to)",
            )
        )
    sold = _num(ctx, "onsite_certificates_sold_e_kwh")
    sold = 0.0 if sold is None else sold
    over = np.asarray(sold > re_c * (1 + 1e-9) + 1e-6)
    if over.any():
        i = int(np.argmax(over))  # the first case that sells more than it consumed
        raise InputError(
            None,
            "green_power.onsite_certificates_sold_mwh",
            f"at most the on-site renewable electricity consumed "
            f"({np.broadcast_to(re_c, over.shape).flat[i] / 1e3:,.3f} MWh)",
            f"{np.broadcast_to(sold, over.shape).flat[i] / 1e3:,.3f} MWh",
        )
    extra, counted = 0.0, []
    for on, key, label in (
        (gp_on, "green_power_covered_e_kwh", "green power"),
        (cert_on, "green_certificates_e_kwh", "green certificates"),
    ):
        q = _num(ctx, key) if on else None
        if on and q is None:
            return Measurement(None, "missing", f"{key}: not accounted (variant {variant})")
        if on:
            extra += q
        counted.append((label, q))
    with np.errstate(divide="ignore", invalid="ignore"):
        consumption = np.minimum(1.0, (np.maximum(0.0, re_c - sold) + extra) / elec)
        sd = _num(ctx, "re_electricity_share_onsite_delivered")
        delivered = None
        if sd is not None:
            losses = _num(ctx, "battery_losses_e_kwh")
            den = elec - (0.0 if losses is None else losses)
            delivered = pick(
                den > 0, np.minimum(1.0, (np.maximum(0.0, sd * den - sold) + extra) / np.where(den > 0, den, 1.0)), 0.0
            )
    value = consumption if delivered is None else np.where(delivered < consumption, delivered, consumption)

    def note(re_c, sold, elec, consumption, delivered, *qs):
        if elec <= 0:
            return "no electricity consumed"
        parts = [f"on-site renewable {re_c / 1e3:,.0f} MWh less {sold / 1e3:,.0f} MWh whose certificates were sold"]
        for (label, _), q in zip(counted, qs, strict=True):
            parts.append(f"{label} not counted" if q is None else f"{label} {q / 1e3:,.0f} MWh")
        basis = "consumption-based"
        if delivered is not None:
            parts.append(f"consumption-based {consumption * 100:.2f} %, delivered-energy {delivered * 100:.2f} %")
            if delivered < consumption:
                basis = "delivered-energy (storage losses left out; stricter)"
            else:
                basis = "consumption-based (not above the delivered-energy share)"
        parts.append(f"of {elec / 1e3:,.0f} MWh consumed; basis {basis}")
        return "; ".join(parts)

    return Measurement(
        pick(np.asarray(elec) <= 0, 0.0, value),
        "simulated",
        per_case(note, re_c, sold, elec, consumption, delivered, *(q for _, q in counted)),
    )


def _relaxation(ctx: Context) -> str:
    ind = ctx.declared.anhui_key_industries
    if not ind:
        return ""
    return (
        f"2.8 relaxation may apply: the park declares firms in {', '.join(ind)} "
        "('可适当放宽其他标准要求的准入门槛'); the province decides, the verdict stands"
    )


_WASTE_HEAT_KEYS = {
    "whole_boundary": "waste_heat_recovery_rate",
    "declared_streams": "waste_heat_recovery_rate_declared_streams",
}


def _waste_heat(ctx: Context) -> Measurement:
    """余热余能回收率 on the chosen denominator (lingtan.twin.core.kpis.heat_kpis); the declared fact when not
    simulated."""
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
        none = np.asarray(this.value) <= 0
        return Measurement(
            pick(none, -1.0, float("inf")),
            "declared",
            per_case(
                lambda n: (
                    "no coal used in either year: counted as a full decline"
                    if n
                    else "coal used this year but none last year"
                ),
                none,
            ),
        )
    return Measurement(
        (this.value - last.value) / last.value, "declared", "this year's coal simulated, last year's declared"
    )


def _credit_parts(ctx: Context):
    """(gross, residual before credits, credits) [tCO2]; None when emissions are not accounted."""
    gross = _num(ctx, "gross_emissions_t")
    if gross is None:
        return None
    gp_on, cert_on = _COUNTS[ctx.settings.anhui_re_share_variant]
    green = _num0(ctx, "offset_green_power_t") * gp_on + _num0(ctx, "offset_certificates_t") * cert_on
    ccer, other = _num(ctx, "offset_ccer_t"), _num(ctx, "offset_other_credits_t")
    credits = (ccer + other) if ccer is not None and other is not None else _num0(ctx, "carbon_credits_t")
    credits += _num0(ctx, "offset_allowances_t")
    return gross, number(np.maximum(0.0, gross - green)), credits


def _num0(ctx: Context, key: str):
    v = _num(ctx, key)
    return 0.0 if v is None else v


def _credit_note(gross, residual, credits, ctx: Context):
    counted = _counted(ctx)

    def note(gross, residual, credits):
        share = lambda t: f"{t / gross * 100:.2f} % of gross" if gross > 0 else "gross <= 0"  # noqa: E731
        return (
            f"gross {gross:,.1f} t; residual before credits {residual:,.1f} t ({share(residual)}) after "
            f"{counted}; credits + allowances {credits:,.1f} t ({share(credits)})"
        )

    return per_case(note, gross, residual, credits)


def _residual_share(ctx: Context) -> Measurement:
    p = _credit_parts(ctx)
    if p is None:
        return Measurement(None, "missing", "gross_emissions_t: not accounted")
    gross, residual, credits = p
    return Measurement(ratio_or_zero(residual, gross), "simulated", _credit_note(gross, residual, credits, ctx))


def _credits(ctx: Context) -> Measurement:
    p = _credit_parts(ctx)
    if p is None:
        return Measurement(None, "missing", "gross_emissions_t: not accounted")
    return Measurement(p[2], "simulated", _credit_note(*p, ctx))


def _residual_band(ctx: Context):
    p = _credit_parts(ctx)
    return (None, "") if p is None else (p[1], "credits must equal the residual before credits")


_COVERAGE_REASON = (
    "2.2 pairs 新能源车辆停车位与充电桩 with 覆盖率 without its denominator: charge points per parking space or per "
    "vehicle; the default takes the lower of those the fleet gives (stricter)"
)


def _fleet(ctx: Context) -> bool:
    """Whether the run computed a fleet (``fleet_*`` KPIs, :func:`lingtan.components.vehicles.fleet_flat_kpis`)."""
    return "fleet_vehicles" in ctx.kpis


def nev_share_measure(ctx: Context) -> Measurement:
    """Annex 1, 2.2 "园区内新能源交通物流运输工具比例": computed from the fleet when the scenario gives one
    (``vehicles``, input simulated), else the declared ``nev_share``.

    Parameters
    ----------
    ctx : Context
        The run's KPIs (``vehicles``) and the declared facts.

    Returns
    -------
    Measurement
        Electric and fuel-cell vehicles / all vehicles [fraction 0..1], and where it came from.
    """
    if not _fleet(ctx):
        return ctx.get("nev_share")
    k = ctx.kpis
    fuel_cell = f" and {k['fleet_hydrogen_vehicles']:g} fuel-cell" if k.get("fleet_hydrogen_vehicles") else ""
    return Measurement(
        number(k["fleet_nev_share"]),
        "simulated",
        f"computed from the fleet: {k['fleet_electric_vehicles']:g} electric{fuel_cell} of {k['fleet_vehicles']:g} "
        "vehicles",
    )


def _nev_variant(ctx: Context) -> str:
    """The NEV share's reading: by count of the fleet's electric (and fuel-cell, where it has some) vehicles."""
    if not _fleet(ctx):
        return ""
    fuel_cell = " and fuel-cell" if ctx.kpis.get("fleet_hydrogen_vehicles") else ""
    return f"electric{fuel_cell} vehicles / all vehicles of the fleet, by count"


def charging_coverage_measure(ctx: Context) -> Measurement:
    """Annex 1, 2.2 "新能源交通基础设施覆盖率须达到 10%及以上": the reading ``anhui_charging_coverage_variant``
    names, computed from the fleet's charge points when the scenario gives a fleet (input simulated), else the
    declared ``charging_coverage_share``.

    Parameters
    ----------
    ctx : Context
        The run's KPIs (``vehicles``), the declared facts and the settings.

    Returns
    -------
    Measurement
        The coverage [fraction 0..1], which reading, or missing when the reading needs parking spaces the
        scenario does not give.
    """
    if not _fleet(ctx):
        return ctx.get("charging_coverage_share")
    k = ctx.kpis
    readings = {
        r: number(k[f"fleet_charging_coverage_{r}_share"])
        for r in ("per_parking_space", "per_vehicle")
        if f"fleet_charging_coverage_{r}_share" in k
    }
    variant = ctx.settings.anhui_charging_coverage_variant
    if variant == "stricter":
        variant = min(readings, key=readings.get)  # a fleet has vehicles: per_vehicle is always there
    if variant not in readings:
        return Measurement(None, "missing", f"{variant} needs charging.parking_spaces")
    return Measurement(
        readings[variant],
        "simulated",
        f"computed from the fleet: {k['fleet_charge_points']:g} charge points, reading {variant}",
    )


def _c(id, text_zh, text_en, clause, reads, comparator, threshold=None, doc=DOC, **kw) -> Criterion:
    return Criterion(
        id=f"{PACK_ID}.{id}",
        pack=PACK_ID,
        text_zh=text_zh,
        text_en=text_en,
        source_doc=doc,
        clause=clause,
        reads=reads,
        comparator=comparator,
        threshold=threshold,
        **kw,
    )


def criteria() -> list[Criterion]:
    """The pack's criteria: the admission items of Annex 1 and the carbon-credit rule of Annex 2, 4.5.2.

    Returns
    -------
    list of Criterion
        Each with the clause it applies.
    """
    relax = dict(fail_note=_relaxation)  # Annex 1, 2.8: only the 准入标准 of section 2, never the 基本要求
    return [
        declared_true(
            f"{PACK_ID}.policy_and_law",
            PACK_ID,
            "complies_with_national_policy_and_law",
            "1.1园区须符合国家相关发展政策,按照国家和安徽省法律法规要求进行建设和管理。",
            "The park conforms to national development policy and is built and managed under national and Anhui law.",
            DOC,
            "1.1 基本要求",
        ),
        declared_true(
            f"{PACK_ID}.zero_carbon_strategy",
            PACK_ID,
            "zero_carbon_strategy_whole_park",
            "1.2园区须制定科学合理的零碳发展策略和实施方案,方案应以园区整体为对象,包含园区中基础设施及生产生活相关系统。",
            "The park has a zero-carbon strategy and implementation plan for the whole park, covering its "
            "infrastructure and production and living systems.",
            DOC,
            "1.2 基本要求",
        ),
        declared_true(
            f"{PACK_ID}.zero_carbon_organisation",
            PACK_ID,
            "zero_carbon_organisation_and_statistics",
            "1.3园区须建立零碳产业园区组织机构、建立碳减排工作体系,制定碳排放管理和统计制度,并由专人负责推进工作。",
            "The park has a zero-carbon organisation, a carbon-reduction work system, carbon management and "
            "statistics rules, and a named person in charge.",
            DOC,
            "1.3 基本要求",
        ),
        declared_true(
            f"{PACK_ID}.no_major_accidents",
            PACK_ID,
            "no_major_accidents",
            "1.4园区从建设规划以来未发生特别重大或重大生产安全和质量事故和突发环境事件,且园区环境质量须达到国家和安徽省规定的环境功能区环境质量标准。",
            "No very serious or serious safety or quality accident and no environmental incident since "
            "planning (first half of 1.4).",
            DOC,
            "1.4 基本要求 (事故)",
        ),
        declared_true(
            f"{PACK_ID}.environmental_quality",
            PACK_ID,
            "environmental_quality_meets_zone_standards",
            "1.4园区从建设规划以来未发生特别重大或重大生产安全和质量事故和突发环境事件,且园区环境质量须达到国家和安徽省规定的环境功能区环境质量标准。",
            "The park's environmental quality meets the national and Anhui functional-zone standards "
            "(second half of 1.4).",
            DOC,
            "1.4 基本要求 (环境质量)",
        ),
        declared_true(
            f"{PACK_ID}.ghg_scope_whole_park",
            PACK_ID,
            "ghg_scope_whole_park",
            "1.5园区碳排放的核算与报告范围须包含整个园区运营层面的碳排放。",
            "Carbon accounting and reporting must cover the emissions of the whole park's operations.",
            DOC,
            "1.5 基本要求",
        ),
        _c(
            "re_electricity_share",
            "园区每年的煤炭消费总量须同期下降3%及以上,园区可再生能源电量比例须达到40%及以上。",
            "The park's renewable electricity share must reach 40 % or more.",
            "2.1 能源系统",
            "re_electricity_share_onsite",
            ">=",
            0.40,
            unit="fraction",
            measure=re_share_parts,
            **relax,
            variant=lambda ctx: (
                f"{ctx.settings.anhui_re_share_variant}: counts {_counted(ctx)}; on-site electricity "
                "whose certificates were sold is left out; stricter of consumption-based and "
                "delivered-energy shares when both are simulated"
            ),
            variant_reason=_RE_REASON,
        ),
        _c(
            "coal_decline",
            "园区每年的煤炭消费总量须同期下降3%及以上,园区可再生能源电量比例须达到40%及以上。",
            "The park's total coal consumption must fall by 3 % or more each year over the same period.",
            "2.1 能源系统",
            "coal_change_fraction",
            "<=",
            -0.03,
            unit="fraction (change)",
            measure=_coal_change,
            **relax,
            variant="year-on-year change of coal_tce; multi-year plans: "
            "lingtan.twin.accounting.criteria.trends.coal_decline_verdicts",
            variant_reason="'每年…同期下降3%': this year's coal against the same period of the year before",
        ),
        _c(
            "waste_heat_recovery",
            "园区应要求企业对生产过程中产生的余热、余能采取回收和再利用措施,园区内余热余能回收率须达到10%及以上。",
            "Firms must recover and reuse waste heat and waste energy; the park's waste heat/energy recovery rate "
            "must reach 10 % or more.",
            "2.1 能源系统",
            "waste_heat_recovery_rate",
            ">=",
            0.10,
            unit="fraction",
            measure=_waste_heat,
            **relax,
            variant=lambda ctx: (
                "waste heat and energy delivered to a useful demand / all waste heat and energy resources of the "
                "boundary (GB/T 1028-2018, cited by 附件2 3.4.4): declared streams + heat rejected by electric loads "
                "and cooling + declared 余压/余气/余冷"
                if ctx.settings.anhui_waste_heat_variant == "whole_boundary"
                else "waste heat delivered to a useful demand / declared streams and declared waste energy only "
                "(less strict than GB/T 1028's whole boundary)"
            ),
            variant_reason="Annex 2, 3.4.4 cites GB/T 1028-2018, whose 余热余能 resource is everything the boundary "
            "rejects, declared or not; the whole boundary is the default (stricter)",
            not_applicable="applies to waste heat and energy '生产过程中产生的': a boundary with no waste heat or "
            "energy resource has nothing to recover",
        ),
        _c(
            "nev_share",
            "园区内新能源交通物流运输工具比例须达到30%及以上。",
            "New-energy vehicles must make up 30 % or more of the park's transport and logistics vehicles.",
            "2.2 交通物流系统",
            "nev_share",
            ">=",
            0.30,
            unit="fraction",
            measure=nev_share_measure,
            reads_fleet=True,
            **relax,
            variant=_nev_variant,
            variant_reason=lambda ctx: "2.2 counts 新能源交通物流运输工具 among all of them" if _fleet(ctx) else "",
        ),
        _c(
            "charging_coverage",
            "新能源交通基础设施覆盖率须达到 10%及以上。",
            "New-energy transport infrastructure (charging) coverage must reach 10 % or more.",
            "2.2 交通物流系统",
            "charging_coverage_share",
            ">=",
            0.10,
            unit="fraction",
            measure=charging_coverage_measure,
            reads_fleet=True,
            **relax,
            variant=lambda ctx: (
                f"{ctx.settings.anhui_charging_coverage_variant}: charge points / parking spaces or / vehicles"
                if _fleet(ctx)
                else ""
            ),
            variant_reason=lambda ctx: _COVERAGE_REASON if _fleet(ctx) else "",
        ),
        declared_true(
            f"{PACK_ID}.building_carbon",
            PACK_ID,
            "building_carbon_per_gb55015",
            "园区民用建筑应按照GB55015实施建筑碳排放计算,采取措施降低单位建筑面积碳排放强度。",
            "The park's civil buildings calculate their carbon emissions per GB 55015 and take measures to "
            "lower the carbon intensity per floor area.",
            DOC,
            "2.3 建筑系统",
            **relax,
        ),
        declared_true(
            f"{PACK_ID}.key_equipment_grade1",
            PACK_ID,
            "key_firms_equipment_grade1",
            "园区内高耗能等重点企业的用能设备能效等级须达到能效国家标准1级。",
            "Energy-using equipment of energy-intensive and other key firms must reach grade 1 of the "
            "national efficiency standards.",
            DOC,
            "2.4 生产系统",
            **relax,
        ),
        _c(
            "pollution_compliance",
            "园区重点污染源稳定达标排放率须达到100%。",
            "Key pollution sources must meet discharge standards steadily: 100 %.",
            "2.5 环保系统",
            "pollution_sources_compliance_share",
            ">=",
            1.0,
            unit="fraction",
            **relax,
        ),
        declared_true(
            f"{PACK_ID}.public_bicycles_and_chargers",
            PACK_ID,
            "public_bicycles_and_chargers",
            "园区内须设置公共自行车服务系统及充电桩等基础设施。",
            "The park must have a public bicycle service system, charging piles and similar infrastructure.",
            DOC,
            "2.6 基础设施系统",
            **relax,
        ),
        _c(
            "green_lighting",
            "园区内公共设施、道路采用绿色照明的比例须达到90%及以上。",
            "Green lighting must reach 90 % or more of public facilities and roads.",
            "2.6 基础设施系统",
            "green_lighting_share",
            ">=",
            0.90,
            unit="fraction",
            **relax,
        ),
        _c(
            "greening",
            "园区绿化覆盖率须达到15%及以上。",
            "Greening coverage must reach 15 % or more.",
            "2.6 基础设施系统",
            "greening_share",
            ">=",
            0.15,
            unit="fraction",
            **relax,
        ),
        declared_true(
            f"{PACK_ID}.management_iso",
            PACK_ID,
            "management_iso_certified",
            "园区管理机构(园区管委会或园区开发主体)须通过ISO14000环境管理体系认证或ISO9001质量管理体系认证。",
            "The park management body must hold ISO 14000 or ISO 9001 certification.",
            DOC,
            "2.7 运营管理系统",
            **relax,
        ),
        declared_true(
            f"{PACK_ID}.information_platform",
            PACK_ID,
            "green_information_platform",
            "园区须建立绿色低碳、节能环保信息平台,定期发布绿色工程推进、污染物排放、固废综合利用、节能、节水等信息。",
            "The park must run a green low-carbon, energy-saving and environmental information platform "
            "publishing green projects, pollutant discharges, solid-waste use, energy and water savings "
            "regularly.",
            DOC,
            "2.7 运营管理系统",
            **relax,
        ),
        _c(
            "ghg_inventory",
            "园区内每年完成温室气体盘查的企业比例须达到100%。",
            "100 % of the park's firms must complete a GHG inventory every year.",
            "2.7 运营管理系统",
            "ghg_inventory_firms_share",
            ">=",
            1.0,
            unit="fraction",
            **relax,
        ),
        declared_true(
            f"{PACK_ID}.ets_surrendered",
            PACK_ID,
            "ets_allowances_surrendered",
            "控排企业应严格履行国家、省市的碳配额清缴规定,否则其所在园区不得参与创建零碳产业园区。",
            "Firms under emission control must surrender allowances as required, otherwise their park may not apply.",
            DOC,
            "2.8 重点行业企业",
        ),
        _c(
            "disclosure_cleaner_production",
            "“双高”行业等重点企业环境信息依法披露率、清洁生产审核实施率均须达到100%。",
            "Key firms of 'double-high' sectors: environmental disclosure rate and cleaner-production audit rate "
            "both 100 %.",
            "2.8 重点行业企业",
            "disclosure_and_cleaner_production_share",
            ">=",
            1.0,
            unit="fraction",
        ),
        _c(
            "carbon_credit_cap",
            "4.5.2为实现零碳目标,园区应通过购买并注销与其剩余碳排放量相等的碳信用产品的方式来进行碳减排,但碳信用产品中和碳排放量的比例不应超过5%。",
            "To reach zero carbon the park neutralises its residual emissions with carbon credits, which may "
            "neutralise no more than 5 % of its emissions: the residual before credits is at most 5 % of gross.",
            "4.5.2 碳信用减排",
            "gross_emissions_t",
            "<=",
            CREDIT_CAP_FRACTION,
            doc=DOC2,
            role="acceptance",
            unit="fraction of gross",
            measure=_residual_share,
            variant=lambda ctx: (
                f"residual before credits / gross location-based emissions; residual after {_counted(ctx)} "
                "(as the renewable-share variant); CCER, other credits and allowances all count "
                "toward the 5 %"
            ),
            variant_reason="credits must equal the residual, so the share credits neutralise is the residual before "
            "credits: a park with 0 credits and a large residual does not meet it",
        ),
        _c(
            "carbon_credit_cover",
            "4.5.2为实现零碳目标,园区应通过购买并注销与其剩余碳排放量相等的碳信用产品的方式来进行碳减排,但碳信用产品中和碳排放量的比例不应超过5%。",
            "Credits bought and cancelled must equal the residual emissions for the zero-carbon claim.",
            "4.5.2 碳信用减排",
            "gross_emissions_t",
            ">=",
            doc=DOC2,
            role="acceptance",
            unit="tCO2",
            measure=_credits,
            band=_residual_band,
            variant=lambda ctx: (
                f"CCER + other credits + allowances [t] >= residual before credits [t] (after {_counted(ctx)})"
            ),
            variant_reason="'购买并注销与其剩余碳排放量相等的碳信用产品': credits at least equal to the residual",
        ),
    ]
