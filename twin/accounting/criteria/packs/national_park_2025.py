"""National zero-carbon park, 发改环资〔2025〕910号 ("1+5"): one core indicator and five guiding ones.

The notice is not among the seed documents; the list of indicators is confirmed and the
thresholds are secondary (``shared/facts/standards.md``). ``text_zh`` is therefore a
reconstruction of the indicator, marked "[据二手资料重述]", and each verdict says so.

Core (role ``acceptance``: the indicator is checked when the park applies for 验收, not when it
applies to build): unit-energy carbon emissions <= 0.20 tCO2/tce for parks using 200 000 -
1 000 000 tce/yr, <= 0.30 for >= 1 000 000 tce/yr (CO2 of energy activities + industrial
processes + net imported electricity and heat). Below 200 000 tce no text gives a limit (Hunan's
provincial table has its own band): the setting ``national_park_threshold_below_200k_t_per_tce``
supplies one, otherwise the verdict is "threshold undetermined". One tce basis
(``national_park_tce_basis``) places the park in its band and divides its emissions.

Guiding: clean-energy share >= 90 % (computed: renewables on site, with natural gas and green
power counted or not as settings, by default not: the stricter reading), solid-waste
utilisation >= 80 %, waste heat / cold / pressure utilisation >= 50 %, industrial water reuse
>= 80 %, product energy at or better than limit grade 2 for every firm (the worst grade across
the park's tenants). A guiding indicator whose 客观条件不具备 (objective conditions absent) is
declared in ``declared.not_applicable`` with the reason and reads "not applicable".
"""

from __future__ import annotations

import numpy as np

from lingtan.twin.accounting.criteria.core import (
    Context,
    Criterion,
    Measurement,
    meets,
    number,
    per_case,
    pick,
    ratio_or_zero,
    unit_energy_carbon,
)

PACK_ID = "national_park_2025"
TITLE = "National zero-carbon park (发改环资〔2025〕910号)"
DOC = "国家发展改革委等 关于开展零碳园区建设的通知 发改环资〔2025〕910号 (not in seeds; secondary)"

BAND_LOW_TCE = 200_000.0
BAND_HIGH_TCE = 1_000_000.0
SECONDARY = "threshold from secondary sources (the notice is not in the seeds)"
NOT_APPLICABLE = "guiding indicators may be left out where '客观条件不具备' (objective conditions absent): declared"


def core_threshold(energy_tce, below_200k: float | None = None):
    """Unit-energy carbon limit [tCO2/tce] for a park's annual energy [tce], with the band label;
    below 200 000 tce the limit is ``below_200k`` (a user or provincial value) or None.

    Parameters
    ----------
    energy_tce : float or array
        The park's annual comprehensive energy consumption [tce], per case.
    below_200k : float, optional
        Limit below 200 000 tce [tCO2/tce].

    Returns
    -------
    tuple
        The limit [tCO2/tce] (None where no text gives one: NaN in an array of cases) and the band label (a
        function of the case index for an array of cases).
    """
    band = pick(meets(energy_tce, BAND_HIGH_TCE, ">="), 2, pick(meets(energy_tce, BAND_LOW_TCE, ">="), 1, 0))
    labels = (
        "below 200 000 tce/yr: no limit in the notice; set "
        "criteria_settings.national_park_threshold_below_200k_t_per_tce"
        if below_200k is None
        else "below 200 000 tce/yr: limit from criteria_settings (user or provincial value)",
        "200 000 - 1 000 000 tce/yr",
        ">= 1 000 000 tce/yr",
    )
    limits = (np.nan if below_200k is None else below_200k, 0.20, 0.30)
    if isinstance(band, int):
        return (None if band == 0 and below_200k is None else limits[band]), labels[band]
    if below_200k is None and not band.any():
        return None, labels[0]  # no case has a limit: undetermined in every case
    return np.take(limits, band), per_case(lambda b: labels[b], band)


def _band(ctx: Context):
    key = f"energy_{ctx.settings.national_park_tce_basis}_tce"
    m = ctx.kpi(key)
    if m.missing:
        return (None, f"{key}: not simulated")
    energy = number(m.value)
    t, label = core_threshold(energy, ctx.settings.national_park_threshold_below_200k_t_per_tce)
    if callable(label):  # the band differs between cases
        return (t, lambda i: f"band {label(i)} ({key} = {energy[i]:,.0f})")
    return (t, per_case(lambda e: f"band {label} ({key} = {e:,.0f})", energy))


def clean_energy_share(ctx: Context) -> Measurement:
    """Clean energy / comprehensive energy on the park's tce basis.

    Clean = on-site renewables (electricity consumed, biomass, renewable heat:
    ``renewable_<basis>_tce``) less on-site electricity whose certificates were sold, plus natural
    gas and contracted / direct green power when the settings count them. Grid electricity that
    is not green power is not clean energy here (its mix is not the park's choice).

    Parameters
    ----------
    ctx : Context
        The run's KPIs and the settings (``national_park_tce_basis``).

    Returns
    -------
    Measurement
        The share [fraction 0..1], or missing when a KPI is absent.
    """
    s = ctx.settings
    b = s.national_park_tce_basis
    keys = [f"renewable_{b}_tce", f"energy_{b}_tce", f"electricity_{b}_kgce_per_kwh"]
    ms = [ctx.kpi(k) for k in keys]
    if any(m.missing for m in ms):
        return Measurement(None, "missing", f"{', '.join(keys)}: not accounted")
    ren, total, k = (number(m.value) for m in ms)

    def kpi0(key):
        v = ctx.kpis.get(key)
        return 0.0 if v is None else number(v)

    sold = kpi0("onsite_certificates_sold_e_kwh") * k / 1000.0
    gas = kpi0("natural_gas_tce")
    green = kpi0("green_power_covered_e_kwh") * k / 1000.0
    clean = (
        np.maximum(0.0, ren - sold)
        + gas * s.national_park_clean_counts_natural_gas
        + green * s.national_park_clean_counts_green_power
    )
    note = per_case(
        lambda ren, sold, gas, green, total: (
            f"renewables {ren:,.1f} tce (less {sold:,.1f} sold), natural gas {gas:,.1f} tce "
            f"{'counted' if s.national_park_clean_counts_natural_gas else 'not counted'}, green power {green:,.1f} tce "
            f"{'counted' if s.national_park_clean_counts_green_power else 'not counted'}, of {total:,.1f} tce ({b})"
        ),
        ren,
        sold,
        gas,
        green,
        total,
    )
    return Measurement(number(np.minimum(1.0, ratio_or_zero(clean, total))), "simulated", note)


def _waste_heat(ctx: Context) -> Measurement:
    if "waste_heat_recovery_rate" in ctx.kpis and ctx.kpis["waste_heat_recovery_rate"] is None:
        return Measurement(None, "not applicable", "no waste heat, cold or pressure resource in the boundary")
    m = ctx.kpi("waste_heat_recovery_rate")
    if not m.missing:
        return Measurement(
            m.value, "simulated", "waste heat recovery rate stands for waste heat/cold/pressure utilisation"
        )
    return ctx.decl("waste_heat_cold_pressure_utilisation_share")


def _worst_grade(ctx: Context) -> Measurement:
    """The worst (highest) product energy grade across the park's firms; the park's own declared grade
    stands in only when the park has no firms with declared facts."""
    if not ctx.firms:
        m = ctx.decl("product_energy_limit_grade")
        return m if m.missing else Measurement(int(m.value), "declared", "one grade declared for the whole park")
    grades = {n: d.product_energy_limit_grade for n, d in ctx.firms.items()}
    missing = sorted(n for n, g in grades.items() if g is None)
    if missing:
        return Measurement(None, "missing", f"product_energy_limit_grade not declared by: {', '.join(missing)}")
    worst = max(grades.values())
    return Measurement(worst, "declared", "worst across firms: " + ", ".join(f"{n} {g}" for n, g in grades.items()))


def criteria() -> list[Criterion]:
    """The pack's criteria: the core indicator and the guiding indicators.

    Returns
    -------
    list of Criterion
        Each with the clause it applies.
    """

    def c(id, text_zh, text_en, clause, reads, comparator, threshold=None, role="guiding", **kw):
        if role == "guiding":
            kw = {"not_applicable": NOT_APPLICABLE, "declare_not_applicable": True, **kw}
        return Criterion(
            id=f"{PACK_ID}.{id}",
            pack=PACK_ID,
            text_zh=text_zh,
            text_en=text_en,
            source_doc=DOC,
            clause=clause,
            reads=reads,
            comparator=comparator,
            threshold=threshold,
            role=role,
            note=SECONDARY,
            **kw,
        )

    basis = lambda ctx: ctx.settings.national_park_tce_basis  # noqa: E731
    return [
        c(
            "unit_energy_carbon",
            "[据二手资料重述] 单位能耗碳排放:园区年综合能源消费量20万—100万吨标准煤的,不高于0.2吨二氧化碳/吨标准煤;"
            "100万吨标准煤以上的,不高于0.3吨二氧化碳/吨标准煤。",
            "Core indicator, checked at acceptance (验收), unit-energy carbon emissions: <= 0.20 tCO2/tce for parks "
            "using 200 000 - 1 000 000 tce/yr; <= 0.30 for >= 1 000 000 tce/yr.",
            "核心指标 单位能耗碳排放",
            "unit_energy_carbon_t_per_tce",
            "<=",
            role="acceptance",
            band=_band,
            unit="tCO2/tce",
            measure=lambda ctx: unit_energy_carbon(ctx, basis(ctx)),
            variant=lambda ctx: (
                f"CO2 (accounting.unit_energy_carbon_basis) / comprehensive energy; band and ratio both "
                f"on the {basis(ctx)} basis (setting national_park_tce_basis)"
            ),
            variant_reason="one tce basis places the park in its band and divides its emissions; below 200 000 tce "
            "no text gives a limit",
        ),
        c(
            "clean_energy_share",
            "[据二手资料重述] 清洁能源消费占比≥90%。",
            "Clean-energy share of energy >= 90 %.",
            "引导性指标 清洁能源消费占比",
            "clean_energy_share",
            ">=",
            0.90,
            unit="fraction",
            measure=clean_energy_share,
            variant=lambda ctx: (
                "on-site renewables"
                + (" + natural gas" if ctx.settings.national_park_clean_counts_natural_gas else "")
                + (" + green power" if ctx.settings.national_park_clean_counts_green_power else "")
                + f" / energy ({basis(ctx)} tce)"
            ),
            variant_reason="whether natural gas and purchased green power are 清洁能源 here is not in the text: "
            "settings, neither counted by default (the stricter reading)",
        ),
        c(
            "solid_waste",
            "[据二手资料重述] 工业固体废弃物综合利用率≥80%。",
            "Industrial solid-waste utilisation >= 80 %.",
            "引导性指标 固废综合利用率",
            "solid_waste_utilisation_share",
            ">=",
            0.80,
            unit="fraction",
        ),
        c(
            "waste_heat",
            "[据二手资料重述] 余热/余冷/余压综合利用率≥50%。",
            "Waste heat / cold / pressure utilisation >= 50 %.",
            "引导性指标 余热余冷余压利用率",
            "waste_heat_cold_pressure_utilisation_share",
            ">=",
            0.50,
            unit="fraction",
            measure=_waste_heat,
            variant="simulated waste-heat recovery rate (GB/T 1028 terms) for the heat part; declared otherwise",
            variant_reason="the twin simulates waste heat; cold and pressure only when declared",
        ),
        c(
            "water_reuse",
            "[据二手资料重述] 工业用水重复利用率≥80%。",
            "Industrial water reuse >= 80 %.",
            "引导性指标 工业用水重复利用率",
            "industrial_water_reuse_share",
            ">=",
            0.80,
            unit="fraction",
        ),
        c(
            "product_energy_grade2",
            "[据二手资料重述] 主要产品单位能耗达到能耗限额标准2级及以上。",
            "Unit product energy of every firm at or better than grade 2 of the limit standards.",
            "引导性指标 产品能效",
            "product_energy_limit_grade",
            "<=",
            2.0,
            unit="grade (1 best)",
            measure=_worst_grade,
            variant="worst grade across the park's firms (tenants' declared product_energy_limit_grade)",
            variant_reason="the indicator is about the park's products, so every firm's grade must meet it",
        ),
    ]
