"""Human-readable summaries of a run."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from lingtan.twin.network import NetworkResult, SubstationLimitResult
    from lingtan.twin.run import RunResult
    from lingtan.twin.studies.ensemble import EnsembleResult
    from lingtan.twin.studies.park import ParkResult
    from lingtan.twin.studies.plan import PlanResult

_ROWS = (
    # (label, kpi key, scale, unit)
    ("Electric load", "load_e_kwh", 1e-3, "MWh"),
    ("PV generation", "pv_e_kwh", 1e-3, "MWh"),
    ("Wind generation", "wind_e_kwh", 1e-3, "MWh"),
    ("Grid import", "grid_import_e_kwh", 1e-3, "MWh"),
    ("Grid export", "grid_export_e_kwh", 1e-3, "MWh"),
    ("Curtailed", "curtailed_e_kwh", 1e-3, "MWh"),
    ("Battery discharge", "battery_discharge_e_kwh", 1e-3, "MWh"),
    ("Power-to-heat electricity", "power_to_heat_e_kwh", 1e-3, "MWh"),
    ("Battery cycles", "battery_equivalent_full_cycles", 1.0, "EFC"),
    ("Unserved load", "unserved_load_e_kwh", 1e-3, "MWh"),
    ("Renewable share (on-site)", "re_electricity_share_onsite", 100.0, "%"),
    ("Self-consumption", "self_consumption_share", 100.0, "%"),
    ("Self-sufficiency", "self_sufficiency_share", 100.0, "%"),
    ("Peak grid import", "peak_import_kw", 1e-3, "MW"),
    ("Grid cost (net of feed-in)", "grid_cost_cny", 1e-4, "万 CNY"),
)


def _pct(v: float | None) -> float | None:
    """A fraction in %, or None for "not applicable" (nothing to recover)."""
    return None if v is None else v * 100


def _pct_text(v: float | None) -> str:
    return "not applicable" if v is None else f"{v * 100:.1f} %"


def summary_table(result: RunResult | SimpleNamespace, lang: str = "en", ensemble: EnsembleResult | None = None) -> str:
    """The KPI table printed by ``twin run``.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        A factory's run (or a namespace with its ``scenario``, ``kpis``, ``verdicts`` and ``packs``).
    lang : "en" or "zh"
        Labels in English (as in this module) or in Chinese (:mod:`lingtan.twin.reports.i18n`).
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``: the verdicts show their odds.

    Returns
    -------
    str
        Lines: scenario and weather, the KPI table (energies in [MWh], shares in [%], peak in [MW], cost in
        [万 CNY]; heat in [MWh_th] when simulated), the balance residual [kWh], the verdicts, the warnings.
    """
    from lingtan.twin.reports.i18n import label

    def name(text: str, key: str) -> str:
        return text if lang == "en" else label(key, lang)

    k = result.kpis
    lines = [
        f"{result.scenario.name} - {result.scenario.year}",
        f"weather: {k['weather'].get('source')} "
        f"({k['weather'].get('city') or k['weather'].get('path', '')}), "
        f"GHI {k['weather']['annual_ghi_kwh_m2']:.0f} kWh/m2",
        "",
    ]
    rows: list[tuple[str, Any, str] | None] = [
        (name(text, key), k[key] * scale, unit) for text, key, scale, unit in _ROWS
    ]
    heat = k.get("heat")
    if heat:
        rows.append(None)
        rows += [
            (name("Heat demand", "heat_demand_e_kwh_th"), heat["heat_demand_e_kwh_th"] * 1e-3, "MWh_th"),
            (
                name("Waste heat available", "waste_heat_available_e_kwh_th"),
                heat["waste_heat_available_e_kwh_th"] * 1e-3,
                "MWh_th",
            ),
            (name("Waste heat recovery rate", "waste_heat_recovery_rate"), _pct(heat["waste_heat_recovery_rate"]), "%"),
        ]
        rows += [
            (label("summary_recovery_of", lang) + kind, _pct(v), "%")
            for kind, v in heat["waste_heat_recovery_rate_by_kind"].items()
        ]
        rows += [
            (label("summary_heat_from", lang) + src, v * 1e-3, "MWh_th")
            for src, v in heat["heat_served_e_kwh_th"].items()
        ]
        rows += [
            (label("summary_fuel", lang) + fuel, f["quantity"] * 1e-3, f"k{f['unit']}")
            for fuel, f in heat["fuel_use"].items()
        ]
        rows.append(
            (
                name("Heat from recovered or renewable", "heat_share_recovered_or_renewable"),
                _pct(heat["heat_share_recovered_or_renewable"]),
                "%",
            )
        )
        rows += [
            (label("summary_availability", lang) + line, v * 100, "%")
            for line, v in heat["production_availability"].items()
        ]
    # East Asian characters take two columns on a terminal.
    width = max(_cols(r[0]) for r in rows if r)
    rule = "-" * (width + 24)
    head = label("summary_kpi", lang)
    lines.append(
        f"{head}{' ' * (width - _cols(head))}  {label('summary_value', lang):>12}  {label('summary_unit', lang)}"
    )
    lines.append(rule)
    for row in rows:
        value = "n/a" if row is None or row[1] is None else format(row[1], ",.1f")
        lines.append(rule if row is None else f"{row[0]}{' ' * (width - _cols(row[0]))}  {value:>12}  {row[2]}")
    lines.append(rule)
    lines.append(f"{label('summary_balance', lang)} {k['max_hourly_balance_residual_kwh']:.1e} kWh")
    lines += verdict_lines(result, lang, ensemble)
    for w in k.get("warnings", []):
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def economics_rows(econ: dict[str, Any], lang: str = "en", base_name: str = "") -> list[tuple[str, object, str]]:
    """(label, value, unit) rows of :func:`lingtan.twin.studies.economics.project_economics`, for the terminal and
    the report.

    Parameters
    ----------
    econ : dict
        The output of :func:`lingtan.twin.studies.economics.project_economics`.
    lang : {"en", "zh"}
        Language of the labels.
    base_name : str
        Name of the base case, in the comparison's heading.

    Returns
    -------
    list of (str, object, str)
        Label, value and unit: capital and net present cost [万 CNY], annualised and operating cost
        [万 CNY/yr], on-site LCOE [CNY/kWh]; with a base case, a heading row (value None) and the comparison
        (payback [yr], a text when it never comes; the internal rate of return [%] when computed; emissions avoided
        [tCO2/yr]; cost per tonne [CNY/tCO2]).
    """
    from lingtan.twin.reports.i18n import label

    rows: list[tuple[str, object, str]] = [
        (label("econ_capex", lang), econ["capex_cny"] * 1e-4, "万 CNY"),
        (label("econ_npc", lang), econ["npc_cny"] * 1e-4, "万 CNY"),
        (label("econ_annualised", lang), econ["annualised_cost_cny"] * 1e-4, "万 CNY/yr"),
        (label("econ_operating", lang), econ["annual"]["total_cny"] * 1e-4, "万 CNY/yr"),
        (label("econ_lcoe", lang), econ["lcoe_onsite_cny_per_kwh"], "CNY/kWh"),
    ]
    vs = econ.get("versus_base")
    if vs:
        never = label("econ_never", lang)
        rows += [
            (label("econ_versus", lang).format(base=base_name), None, ""),
            (label("econ_extra_capex", lang), vs["extra_capex_cny"] * 1e-4, "万 CNY"),
            (label("econ_savings", lang), vs["annual_operating_savings_cny"] * 1e-4, "万 CNY/yr"),
            (
                label("econ_payback", lang),
                vs["simple_payback_years"] if vs["simple_payback_years"] is not None else never,
                "yr",
            ),
            (
                label("econ_dpayback", lang),
                vs["discounted_payback_years"] if vs["discounted_payback_years"] is not None else never,
                "yr",
            ),
            *(
                [
                    (
                        label("econ_irr", lang),
                        vs["irr"] * 100 if vs["irr"] is not None else label("econ_irr_none", lang),
                        "%",
                    )
                ]
                if "irr" in vs
                else []
            ),
            (label("econ_avoided", lang), vs["emissions_avoided_t"], "tCO2/yr"),
            (label("econ_cost_per_t", lang), vs["cost_per_t_co2_avoided_cny"], "CNY/tCO2"),
        ]
    return rows


def economics_title(econ: dict[str, Any], lang: str = "en") -> str:
    """The heading of the economics block, naming the discount rate and the analysis period.

    Parameters
    ----------
    econ : dict
        The output of :func:`lingtan.twin.studies.economics.project_economics`.
    lang : {"en", "zh"}
        Language of the heading.

    Returns
    -------
    str
        The heading.
    """
    from lingtan.twin.reports.i18n import label

    st = econ["settings"]
    return label("econ_title", lang).format(rate=st["discount_rate"], years=st["analysis_period_years"])


def economics_lines(econ: dict[str, Any], lang: str = "en", base_name: str = "") -> list[str]:
    """The economics block printed by ``twin run``.

    Parameters
    ----------
    econ : dict
        The output of :func:`lingtan.twin.studies.economics.project_economics`.
    lang : {"en", "zh"}
        Language of the labels.
    base_name : str
        Name of the base case.

    Returns
    -------
    list of str
        A blank line, the heading, the method (annuity, or the year-by-year series and how many of its years
        were simulated), then one aligned line per row of :func:`economics_rows`.
    """
    from lingtan.twin.reports.i18n import label

    rows = economics_rows(econ, lang, base_name)
    width = max(_cols(r[0]) for r in rows if r[1] is not None)
    life = econ.get("life")
    method = (
        label("econ_method_series", lang).format(n=len(life["simulated_years"]), years=len(life["years"]))
        if life
        else label("econ_method_annuity", lang)
    )
    lines = ["", economics_title(econ, lang), f"  {method}"]
    for text, value, unit in rows:
        if value is None:
            lines.append(text)
        elif isinstance(value, str):
            lines.append(f"  {text}{' ' * (width - _cols(text))}  {value:>12}")
        else:
            lines.append(f"  {text}{' ' * (width - _cols(text))}  {value:>12,.2f}  {unit}")
    return lines


def _cols(text: str) -> int:
    """Terminal width of ``text``: wide (CJK) characters count twice."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fmt(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return f"{v:.4g}"
    return str(v)


def plan_summary(result: PlanResult, lang: str = "en") -> str:
    """A plan's summary: the last year's table, the per-year trend of the key KPIs, the verdicts with trends.

    Parameters
    ----------
    result : lingtan.twin.studies.plan.PlanResult
        The simulated plan.
    lang : {"en", "zh"}
        Language of the last year's table and the verdicts.

    Returns
    -------
    str
        Lines: :func:`summary_table` of the last year, a year-by-year table (renewable share [%], tCO2 per
        tce, grid import [MWh], PV [MWp]), the verdicts with trends.
    """
    keys = (
        ("re_electricity_share_onsite", "RE share on-site", 100, "%"),
        ("unit_energy_carbon_t_per_tce", "tCO2 per tce", 1, ""),
        ("grid_import_e_kwh", "grid import", 1e-3, "MWh"),
        ("pv_capacity_kwp", "PV", 1e-3, "MWp"),
    )
    lines = [
        summary_table(SimpleNamespace(**{**result.years[-1].__dict__, "verdicts": [], "packs": []}), lang),
        "",
        "Plan, year by year",
    ]
    lines.append(f"{'year':<6}" + "".join(f"{label:>20}" for _, label, _, _ in keys))
    for row in result.per_year:
        lines.append(
            f"{int(row['year']):<6}"
            + "".join(f"{row[k] * scale:>17,.3g} {unit:<2}" if k in row else f"{'-':>20}" for k, _, scale, unit in keys)
        )
    lines += verdict_lines(result, lang)
    return "\n".join(lines)


def park_summary(result: ParkResult, ensemble: EnsembleResult | None = None) -> str:
    """The park's summary: park KPIs, the tenant table (who carries the park, who holds it back), verdicts.

    Parameters
    ----------
    result : lingtan.twin.studies.park.ParkResult
        The simulated park.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``: the verdicts show their odds.

    Returns
    -------
    str
        Lines: park shares [%], waste-heat rate, grid import and export [MWh], peak [MW], reconciliation
        residual [kWh]; the tenant table [MWh]; the network's findings; the verdicts.
    """
    k = result.kpis
    h = k["heat"]
    lines = [
        f"{result.park.name} - {result.park.year} - {len(result.tenants)} tenants",
        "",
        f"Park renewable electricity share (on-site): {k['re_electricity_share_onsite'] * 100:.1f} %"
        + (
            f"; with contracted green power: {result.accounting.kpis.re_electricity_share_with_green_power * 100:.1f} %"
            if result.accounting is not None
            else ""
        ),
        f"Park waste-heat recovery rate: {_pct_text(h['waste_heat_recovery_rate'])}  "
        f"(heat network delivered {h['heat_network_delivered_e_kwh_th'] / 1e3:,.0f} MWh_th, pipe loss "
        f"{h['heat_network_pipe_loss_e_kwh_th'] / 1e3:,.0f} MWh_th)",
        f"Grid import {k['grid_import_e_kwh'] / 1e3:,.0f} MWh, export {k['grid_export_e_kwh'] / 1e3:,.0f} MWh, "
        f"peak {k['peak_import_kw'] / 1e3:,.1f} MW; allocation rule: {result.park.allocation.rule}",
        f"Tenants + common reconcile with the park to {k['reconciliation_residual_e_kwh']:.1e} kWh",
        "",
    ]
    t = result.tenant_table
    width = max(len(str(i)) for i in t.index)
    lines.append(f"{'tenant':<{width}}  {'use MWh':>10}  {'own RE':>9}  {'park RE':>9}  {'RE share':>8}")
    for name, row in t.iterrows():
        share = "-" if name == "park_common" else f"{row.re_share * 100:.1f}%"  # bookkeeping row: no share
        lines.append(
            f"{name:<{width}}  {row.consumption_e_kwh / 1e3:>10,.0f}  {row.own_re_consumed_e_kwh / 1e3:>9,.0f}"
            f"  {row.park_re_allocated_e_kwh / 1e3:>9,.0f}  {share:>8}"
        )
    if result.network is not None:
        n = cast("NetworkResult", result.network)
        lines += [
            "",
            f"Network ({len(n.res_bus)} buses, {len(n.res_line)} lines, {len(n.res_trafo)} transformers, "
            f"every hour): reverse flow at the substation in {n.reverse_flow_hours} h",
        ]
        lines += [f"  {v}" for v in n.violations] or ["  no violations of the voltage and loading limits"]
        lines += [f"  substation limits: {f}" for f in cast("SubstationLimitResult", result.substation_limits).findings]
    lines += verdict_lines(result, ensemble=ensemble)
    return "\n".join(lines)


def verdict_lines(
    result: RunResult | ParkResult | PlanResult | SimpleNamespace,
    lang: str = "en",
    ensemble: EnsembleResult | None = None,
) -> list[str]:
    """Criteria verdicts: per pack its points and, for each group (admission, acceptance, targets,
    guiding) that has items, one status over all of them and one each over the simulated, declared
    and missing ones (a group never reads PASS beside a failed item); then every criterion with its
    status, value, threshold, margin, input and source clause, and for a simulated criterion the
    definition variant used and why, and with an ensemble its odds: the typical year's value, P50, P90 and
    the probability of passing (the convention stated once, under the title).

    Parameters
    ----------
    result : RunResult, ParkResult or PlanResult
        Anything with ``verdicts`` and ``packs`` (:mod:`lingtan.twin.accounting.criteria` dicts).
    lang : {"en", "zh"}
        Language of the words.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``.

    Returns
    -------
    list of str
        The lines, starting with a blank one; empty when there are no verdicts.
    """
    from lingtan.twin.reports.i18n import label

    if not result.verdicts:
        return []
    keys = (
        "criteria",
        "admission",
        "acceptance",
        "targets",
        "guiding",
        "points",
        "value",
        "threshold",
        "margin",
        "pass",
        "fail",
        "full",
        "part",
        "none",
        "not applicable",
        "not assessable",
        "undetermined",
        "simulated",
        "declared",
        "missing",
        "no_targets",
        "variant",
        "why",
        "na_points",
    )
    word = {w: label(f"verdict_{w}", lang) for w in keys}
    odds = ensemble.criterion_odds if ensemble is not None else {}

    def status(s: str) -> str:
        return word["pass"].upper() if s == "pass" else (word["fail"].upper() if s == "fail" else word[s])

    lines = ["", word["criteria"]]
    if ensemble is not None:
        lines.append(label("ensemble_header", lang).format(n=len(ensemble.members), source=ensemble.source))
    for pack in result.packs:
        pts = f"; {pack['points']:g} / {pack['max_points']:g} {word['points']}" if pack["max_points"] else ""
        if pack.get("not_applicable_points"):
            pts += f" ({pack['not_applicable_points']:g} {word['na_points']})"
        parts = []
        for g, st in pack["groups"].items():
            if st["status"] == "none":
                continue
            by_input = ", ".join(
                f"{word[i]} {status(st[i])}" for i in ("simulated", "declared", "missing") if st[i] != "none"
            )
            parts.append(f"{word[g]} {status(st['status'])} ({by_input})")
        if pack["groups"]["targets"]["status"] == "none" and pack["groups"]["acceptance"]["status"] == "none":
            parts.append(word["no_targets"])
        lines.append(f"== {pack['pack']}: {'; '.join(parts)}{pts}")
        width = max(
            len(v["criterion_id"]) - len(pack["pack"]) - 1 for v in result.verdicts if v["pack"] == pack["pack"]
        )
        for v in result.verdicts:
            if v["pack"] != pack["pack"]:
                continue
            name = v["criterion_id"][len(pack["pack"]) + 1 :]
            st = v.get("status") or ("pass" if v["passed"] else "fail")
            if v["role"] == "score" and st in ("pass", "fail"):  # scored items earn points
                verdict = (
                    word["full"]
                    if v["points"] >= v["max_points"]
                    else (word["part"] if v["points"] > 0 else word["none"])
                )
            else:
                verdict = status(st)
            pts = f" {v['points']:g}/{v['max_points']:g} pt" if v["max_points"] else ""
            lines.append(
                f"  {verdict}{' ' * (4 - _cols(verdict))} {name:<{width}}  {word['value']} "
                f"{_fmt(v['value']):>8}  {word['threshold']} {_fmt(v['threshold']):>8}  {word['margin']} "
                f"{_fmt(v['margin']):>8}  {v['input']:<9}{pts}  [{v['clause']}]"
            )
            if st != "pass" and v.get("note"):
                lines.append(f"       {v['note']}")
            if v["input"] == "simulated":
                lines.append(f"       {word['variant']}: {v['variant']}")
                if v.get("variant_reason"):
                    lines.append(f"       {word['why']}: {v['variant_reason']}")
            if v["criterion_id"] in odds:
                lines.append(f"       {_odds_text(v, odds[v['criterion_id']], lang)}")
    return lines


def _odds_text(verdict: dict[str, Any], odds: dict[str, Any], lang: str) -> str:
    """One criterion's odds: typical-year value, P50 and P90 of the value and margin, probability of passing."""
    from lingtan.twin.reports.i18n import label

    text = f"{label('ensemble_odds', lang)}: {label('ensemble_typical', lang)} {_fmt(verdict['value'])}"
    if "value_p50" in odds:
        text += (
            f", P50 {_fmt(odds['value_p50'])}, P90 {_fmt(odds['value_p90'])}"
            f" ({label('verdict_margin', lang)} P90 {_fmt(odds['margin_p90'])})"
        )
    return text + f", {label('ensemble_p_pass', lang)} {odds['p_pass'] * 100:.0f} %"
