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


def _pct_text(v: float | None, lang: str = "en") -> str:
    from lingtan.twin.reports.i18n import label

    return label("not_applicable", lang) if v is None else f"{v * 100:.1f} %"


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
    from lingtan.twin.reports.i18n import label, unit_text

    def name(text: str, key: str) -> str:
        return text if lang == "en" else label(key, lang)

    k = result.kpis
    lines = [
        f"{result.scenario.name} - {result.scenario.year}",
        f"{label('term_weather', lang)}: {k['weather'].get('source')} "
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
        rows += [
            (label("summary_absorption", lang) + name, a["cooling_e_kwh_th"] * 1e-3, "MWh_th")
            for name, a in heat.get("absorption_chillers", {}).items()
        ]
        rows += ground_loop_rows(heat, lang)
    rows += plant_rows(k, lang)
    if k.get("vehicles"):
        rows.append(None)
        rows += fleet_rows(k["vehicles"], lang)
    # East Asian characters take two columns on a terminal.
    width = max(_cols(r[0]) for r in rows if r)
    rule = "-" * (width + 24)
    head = label("summary_kpi", lang)
    lines.append(
        f"{_pad(head, width)}  {_pad(label('summary_value', lang), 12, right=True)}  {label('summary_unit', lang)}"
    )
    lines.append(rule)
    for row in rows:
        value = label("verdict_not applicable", lang) if row is None or row[1] is None else format(row[1], ",.1f")
        lines.append(
            rule if row is None else f"{_pad(row[0], width)}  {_pad(value, 12, right=True)}  {unit_text(row[2], lang)}"
        )
    lines.append(rule)
    lines.append(f"{label('summary_balance', lang)} {k['max_hourly_balance_residual_kwh']:.1e} kWh")
    flex = k.get("flexibility")
    if flex is None and hasattr(result, "hourly"):
        from lingtan.twin.studies.flexibility import flexibility_report

        flex = flexibility_report(
            result.scenario, result.hourly, result.hourly_heat, flexible_kw=getattr(result, "flexible_kw", {})
        ).summary
    if flex is not None:
        lines += flexibility_lines(flex, lang)
    lines += verdict_lines(result, lang, ensemble)
    for w in k.get("warnings", []):
        lines.append(f"{label('term_warning', lang)}: {w}")
    return "\n".join(lines)


def plant_rows(k: dict[str, Any], lang: str = "en") -> list[tuple[str, float | None, str]]:
    """Rows of the plant beyond sources and storage: CHP units, the space cooling by source, hydrogen, demand
    response, cold stores and air receivers, flexible batches; for the terminal, the HTML report and the dashboard.

    Parameters
    ----------
    k : dict
        A run's ``kpis.json``.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    list of (str, float or None, str)
        Label, value and unit per row; empty for a site without any of them.
    """
    from lingtan.twin.reports.i18n import label

    rows: list[tuple[str, float | None, str]] = []
    heat = k.get("heat") or {}
    for unit, c in heat.get("chp", {}).items():
        rows += [
            (label("summary_chp_p", lang) + unit, c["p_e_kwh"] * 1e-3, "MWh"),
            (label("summary_chp_hours", lang) + unit, c["full_load_h"], "h"),
            (label("summary_chp_eta_e", lang) + unit, _pct(c["electric_efficiency"]), "%"),
            (label("summary_chp_eta_total", lang) + unit, _pct(c["total_efficiency"]), "%"),
            (label("summary_chp_dumped", lang) + unit, c["heat_dumped_e_kwh_th"] * 1e-3, "MWh_th"),
        ]
    for space, c in heat.get("cooling", {}).items():
        rows += [
            (label(f"summary_cooling_{q}", lang) + space, c[f"{q}_e_kwh_th"] * 1e-3, "MWh_th")
            for q in ("demand", "from_absorption", "from_store", "from_chillers")
        ]
    h2 = k.get("hydrogen")
    if h2:
        rows += [
            (label("summary_h2_made", lang), h2["made_kg"] * 1e-3, "t"),
            (label("summary_h2_kwh_per_kg", lang), h2["e_kwh_per_kg"], "kWh/kg"),
            (label("summary_h2_green_used", lang), _pct(h2.get("used_renewable_share")), "%"),
            (label("summary_h2_unmet", lang), h2["unmet_kg"] * 1e-3, "t"),
        ]
        rows += [
            (label("summary_fc_p", lang) + name, c["p_e_kwh"] * 1e-3, "MWh") for name, c in h2["fuel_cells"].items()
        ]
        rows += [
            (label("summary_h2_boiler", lang) + name, b["heat_to_demand_e_kwh_th"] * 1e-3, "MWh_th")
            for name, b in h2.get("boilers", {}).items()
        ]
    dr = k.get("demand_response")
    if dr:
        rows += [
            (label("summary_dr_delivered", lang), dr["delivered_e_kwh"] * 1e-3, "MWh"),
            (label("summary_dr_short", lang), dr["shortfall_e_kwh"] * 1e-3, "MWh"),
            (label("summary_dr_net", lang), dr["net_cny"], "CNY"),
        ]
    for name, st in k.get("load_stores", {}).items():
        rows += [
            (label("summary_store_relief", lang) + name, st["relief_e_kwh"] * 1e-3, "MWh"),
            (
                label("summary_store_relief_dear", lang) + name,
                (st["relief_e_kwh_peak"] + st["relief_e_kwh_critical"]) * 1e-3,
                "MWh",
            ),
            (label("summary_store_net", lang) + name, st["net_e_kwh"] * 1e-3, "MWh"),
        ]
    for name, f in k.get("flexible_loads", {}).items():
        dear = f["e_kwh_peak"] + f["e_kwh_critical"]
        rows.append((label("summary_flex_dear", lang) + name, _pct(dear / f["e_kwh"] if f["e_kwh"] else None), "%"))
    return rows


def flexibility_lines(flex: dict[str, Any], lang: str = "en") -> list[str]:
    """A run's flexibility for a virtual power plant in a few lines: what was counted, and per direction and
    duration the year's P10 and the best hour of day.

    Parameters
    ----------
    flex : dict
        ``kpis["flexibility"]`` (:func:`lingtan.twin.studies.flexibility.summarise`).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    list of str
        A header naming the assets counted (flexible loads are not in the model), then, when any is counted, one
        line per direction and duration: P10 over the year and the best hour's mean [kW].
    """
    from lingtan.twin.reports.i18n import label
    from lingtan.twin.studies.flexibility import BATCH_PREFIX, P2H_PREFIX, STORE_PREFIX

    def asset(name: str) -> str:
        # A park's assets carry their owner: shared:battery, <tenant>:battery, <tenant>:power_to_heat:<unit>,
        # <tenant>:load_store:<store>.
        for prefix, key in (
            (P2H_PREFIX, "flex_power_to_heat"),
            (STORE_PREFIX, "flex_load_store"),
            (BATCH_PREFIX, "flex_batch"),
        ):
            owner, found, unit = name.partition(prefix)
            if found:
                what = label(key, lang) + unit
                break
        else:
            owner, _, kind = name.rpartition(":")
            what = label(f"flex_{kind}", lang)
        owner = owner.removesuffix(":")
        who = (label("flex_shared", lang) if owner == "shared" else owner) + " " if owner else ""
        return who + what

    counted = list(dict.fromkeys(a for direction in ("up", "down") for a in flex["assets"].get(direction, [])))
    names = label("flex_list_sep", lang).join(asset(a) for a in counted) or label("flex_nothing", lang)
    lines = [label("term_flex_header", lang).format(assets=names)]
    for direction in ("up", "down") if counted else ():  # nothing counted: the header says so, no rows of zeros
        for d, row in flex.get(direction, {}).items():
            hour = "-" if row["best_hour"] is None else f"{row['best_hour']:02d}:00"
            lines.append(
                label("term_flex_row", lang).format(
                    direction=label(f"flex_{direction}", lang),
                    d=d.removesuffix("h"),
                    p10=row["p10_kw"],
                    hour=hour,
                    mean=row["best_hour_mean_kw"],
                )
            )
    return lines


def ground_loop_rows(heat: dict[str, Any], lang: str = "en") -> list[tuple[str, float | None, str]]:
    """Each ground loop's year as (label, value, unit) rows, for the terminal, the report and the dashboard: heat
    drawn, seasonal COP, lowest fluid, hours at the cut-out, and with cooling the cooling, the heat put back, the
    seasonal cooling COP and the highest fluid.

    Parameters
    ----------
    heat : dict
        ``kpis["heat"]`` of a run (:func:`lingtan.twin.core.kpis.ground_loop_kpis` under ``ground_loops``).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    list of (str, float or None, str)
        Empty without ground loops.
    """
    from lingtan.twin.reports.i18n import label

    rows: list[tuple[str, float | None, str]] = []
    for loop, g in heat.get("ground_loops", {}).items():
        rows += [
            (label("summary_ground_drawn", lang) + loop, g["extracted_e_kwh_th"] * 1e-3, "MWh_th"),
            (label("summary_ground_cop", lang) + loop, g["seasonal_cop"], "-"),
            (label("summary_ground_t_min", lang) + loop, g["t_fluid_min_c"], "C"),
            (label("summary_ground_cut_out", lang) + loop, g["at_cut_out_h"], "h"),
        ]
        if g["cooling_e_kwh_th"] > 0:
            rows += [
                (label("summary_ground_cooling", lang) + loop, g["cooling_e_kwh_th"] * 1e-3, "MWh_th"),
                (label("summary_ground_injected", lang) + loop, g["injected_e_kwh_th"] * 1e-3, "MWh_th"),
                (label("summary_ground_cooling_cop", lang) + loop, g["seasonal_cooling_cop"], "-"),
                (label("summary_ground_t_max", lang) + loop, g["t_fluid_max_c"], "C"),
            ]
    return rows


def fleet_rows(fleet: dict[str, Any], lang: str = "en") -> list[tuple[str, float | None, str]]:
    """The fleet's year as (label, value, unit) rows, for the terminal, the report and the dashboard.

    Parameters
    ----------
    fleet : dict
        ``kpis["vehicles"]`` of a run (:func:`lingtan.components.vehicles.fleet_kpis`).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    list of tuple
        Charging [MWh], its peak [kW], unmet charging [MWh], vehicle-days short of charge or hydrogen [count], the
        NEV share, the charge points per parking space and per vehicle [%] (None without spaces or vehicles), fuel
        avoided [kL] and its CO2 [tCO2]; with fuel-cell vehicles their hydrogen and what was not in store [t]; with
        vehicle-to-building the energy given and its losses [MWh], the grid bill's change and the ageing cost [CNY].
    """
    from lingtan.twin.reports.i18n import label

    avoided = fleet["fuel"]["avoided"]
    h2, v2b = fleet.get("hydrogen"), fleet.get("v2b")
    extra = []
    if h2 is not None:
        extra += [
            (label("fleet_h2_kg", lang), h2["need_kg"] * 1e-3, "t"),
            (label("fleet_h2_unmet_kg", lang), h2["unmet_kg"] * 1e-3, "t"),
        ]
    if v2b is not None:
        extra += [
            (label("fleet_v2b_e_kwh", lang), v2b["given_e_kwh"] * 1e-3, "MWh"),
            (label("fleet_v2b_loss_e_kwh", lang), v2b["loss_e_kwh"] * 1e-3, "MWh"),
            (label("fleet_v2b_bill_change_cny", lang), v2b.get("bill_change_cny"), "CNY"),
            (label("fleet_v2b_ageing_cny", lang), v2b["ageing_cny"], "CNY"),
        ]
    return [
        (label("fleet_charging_e_kwh", lang), fleet["charging_e_kwh"] * 1e-3, "MWh"),
        (label("fleet_charging_peak_kw", lang), fleet["charging_peak_kw"], "kW"),
        (label("fleet_unmet_e_kwh", lang), fleet["unmet_e_kwh"] * 1e-3, "MWh"),
        (label("fleet_unmet_trips", lang), fleet["unmet_trips"], "count"),
        (label("fleet_nev_share", lang), _pct(fleet["nev_share"]), "%"),
        (label("fleet_charging_coverage", lang), _pct(fleet["charging_coverage"]["per_parking_space"]), "%"),
        (label("fleet_chargers_per_vehicle", lang), _pct(fleet["charging_coverage"]["per_vehicle"]), "%"),
        (label("fleet_fuel_avoided_l", lang), (avoided["diesel_l"] + avoided["petrol_l"]) * 1e-3, "kL"),
        (label("fleet_co2_avoided_t", lang), avoided["t_co2"], "tCO2"),
        *extra,
    ]


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
    from lingtan.twin.reports.i18n import label, unit_text

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
            lines.append(f"  {_pad(text, width)}  {_pad(value, 12, right=True)}")
        else:
            lines.append(f"  {_pad(text, width)}  {value:>12,.2f}  {unit_text(unit, lang)}")
    return lines


def _cols(text: str) -> int:
    """Terminal width of ``text``: wide (CJK) characters count twice."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``width`` terminal columns (:func:`_cols`), on the left when ``right``:
    ``f"{text:<10}"`` counts characters, and a Chinese character takes two columns."""
    fill = " " * max(0, width - _cols(text))
    return fill + text if right else text + fill


def _fmt(v: object, lang: str = "en") -> str:
    from lingtan.twin.reports.i18n import label

    if v is None:
        return "-"
    if isinstance(v, bool):
        return label("yes" if v else "no", lang)
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
    from lingtan.twin.reports.i18n import label

    keys = (
        ("re_electricity_share_onsite", "term_re_share_short", 100, "%"),
        ("unit_energy_carbon_t_per_tce", "term_carbon_short", 1, ""),
        ("grid_import_e_kwh", "term_import_short", 1e-3, "MWh"),
        ("pv_capacity_kwp", "term_pv_short", 1e-3, "MWp"),
    )
    lines = [
        summary_table(SimpleNamespace(**{**result.years[-1].__dict__, "verdicts": [], "packs": []}), lang),
        "",
        label("term_plan_years", lang),
    ]
    lines.append(
        _pad(label("term_plan_year", lang), 6) + "".join(_pad(label(t, lang), 20, right=True) for _, t, _, _ in keys)
    )
    for row in result.per_year:
        lines.append(
            f"{int(row['year']):<6}"
            + "".join(f"{row[k] * scale:>17,.3g} {unit:<2}" if k in row else f"{'-':>20}" for k, _, scale, unit in keys)
        )
    lines += verdict_lines(result, lang)
    return "\n".join(lines)


def park_summary(result: ParkResult, lang: str = "en", ensemble: EnsembleResult | None = None) -> str:
    """The park's summary: park KPIs, the tenant table (who carries the park, who holds it back), verdicts.

    Parameters
    ----------
    result : lingtan.twin.studies.park.ParkResult
        The simulated park.
    lang : {"en", "zh"}
        Language of the words (tenant names and network findings are shown as written).
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``: the verdicts show their odds.

    Returns
    -------
    str
        Lines: park shares [%], waste-heat rate, grid import and export [MWh], peak [MW], reconciliation
        residual [kWh], the tenants' ground loops; the tenant table [MWh]; the network's findings; the verdicts.
    """
    from lingtan.twin.reports.i18n import label, unit_text

    k = result.kpis
    h = k["heat"]
    green = (
        label("term_park_re_green", lang).format(
            share=result.accounting.kpis.re_electricity_share_with_green_power * 100
        )
        if result.accounting is not None
        else ""
    )
    lines = [
        f"{result.park.name} - {result.park.year} - {label('term_tenants', lang).format(n=len(result.tenants))}",
        "",
        label("term_park_re", lang).format(share=k["re_electricity_share_onsite"] * 100) + green,
        label("term_park_heat", lang).format(
            rate=_pct_text(h["waste_heat_recovery_rate"], lang),
            delivered=h["heat_network_delivered_e_kwh_th"] / 1e3,
            loss=h["heat_network_pipe_loss_e_kwh_th"] / 1e3,
        ),
        label("term_park_grid", lang).format(
            imp=k["grid_import_e_kwh"] / 1e3,
            exp=k["grid_export_e_kwh"] / 1e3,
            peak=k["peak_import_kw"] / 1e3,
            rule=result.park.allocation.rule,
        ),
        label("term_park_reconcile", lang).format(residual=k["reconciliation_residual_e_kwh"]),
    ]
    lines += [
        f"{text}: {label('verdict_not applicable', lang) if v is None else format(v, ',.1f')} {unit_text(unit, lang)}"
        for text, v, unit in ground_loop_rows(h, lang)
    ]
    lines.append("")
    t = result.tenant_table
    heads = [label(x, lang) for x in ("tenant", "term_use_mwh", "term_own_re", "term_park_re_col", "term_re_share_col")]
    width = max([_cols(str(i)) for i in t.index] + [_cols(heads[0])])
    cols = [max(w, _cols(x)) for w, x in zip((10, 9, 9, 8), heads[1:], strict=True)]
    lines.append(
        "  ".join([_pad(heads[0], width)] + [_pad(x, w, right=True) for x, w in zip(heads[1:], cols, strict=True)])
    )
    for name, row in t.iterrows():
        share = "-" if name == "park_common" else f"{row.re_share * 100:.1f}%"  # bookkeeping row: no share
        cells = [
            f"{row.consumption_e_kwh / 1e3:,.0f}",
            f"{row.own_re_consumed_e_kwh / 1e3:,.0f}",
            f"{row.park_re_allocated_e_kwh / 1e3:,.0f}",
            share,
        ]
        lines.append(
            "  ".join([_pad(str(name), width)] + [_pad(x, w, right=True) for x, w in zip(cells, cols, strict=True)])
        )
    if result.network is not None:
        n = cast("NetworkResult", result.network)
        lines += [
            "",
            label("term_network", lang).format(
                buses=len(n.res_bus), lines=len(n.res_line), trafos=len(n.res_trafo), hours=n.reverse_flow_hours
            ),
        ]
        lines += [f"  {v}" for v in n.violations] or [f"  {label('no_violations', lang)}"]
        lines += [
            f"  {label('term_substation_limits', lang)}: {f}"
            for f in cast("SubstationLimitResult", result.substation_limits).findings
        ]
    flex = k.get("flexibility")
    if flex is None:
        from lingtan.twin.studies.flexibility import park_flexibility_report

        flex = park_flexibility_report(result).summary
    lines += ["", *flexibility_lines(flex, lang)]
    lines += verdict_lines(result, lang, ensemble=ensemble)
    return "\n".join(lines)


def pack_groups(pack: dict[str, Any], verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A pack's summary by group, as the terminal and the dashboard both show it: each group that has items
    (admission, acceptance, targets, guiding) with one status over all of them, one each over its simulated,
    declared and missing items, and the items that keep it from passing. A group's status is the accounting's
    (:func:`lingtan.twin.accounting.criteria.group_status`), so it never reads "pass" beside a failed item of
    the same group; scored items are points, not a group.

    Parameters
    ----------
    pack : dict
        One pack's summary (:func:`lingtan.twin.accounting.criteria.score`).
    verdicts : list of dict
        The verdicts (those of other packs are ignored).

    Returns
    -------
    list of dict
        Per group with items: ``group``, ``status``, ``by_input`` (input -> status, for the inputs the group
        has, in the order simulated, declared, missing) and ``open`` (list of (criterion id, status, input) of
        the items that fail, are not assessable or are undetermined).
    """
    from lingtan.twin.accounting.criteria import GROUPS

    out = []
    for g, st in pack["groups"].items():
        if st["status"] == "none":
            continue
        out.append(
            {
                "group": g,
                "status": st["status"],
                "by_input": {i: st[i] for i in ("simulated", "declared", "missing") if st[i] != "none"},
                "open": [
                    (v["criterion_id"], v.get("status"), v.get("input", ""))
                    for v in verdicts
                    if v.get("pack") == pack["pack"]
                    and v.get("role") in GROUPS[g]
                    and v.get("status") in ("fail", "not assessable", "undetermined")
                ],
            }
        )
    return out


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
    from lingtan.twin.reports.i18n import label, pack_label, points_text

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

    # Columns wide enough for every word a row may show, counted in terminal columns.
    verdict_width = max(
        _cols(x)
        for x in [status(w) for w in ("pass", "fail", "not applicable", "not assessable", "undetermined")]
        + [word[w] for w in ("full", "part", "none")]
        if _cols(x) <= 8  # longer words ("not assessable") overflow rather than widen every row
    )
    input_width = max(_cols(word[i]) for i in ("simulated", "declared", "missing"))

    lines = ["", word["criteria"]]
    if ensemble is not None:
        lines.append(label("ensemble_header", lang).format(n=len(ensemble.members), source=ensemble.source))
    for pack in result.packs:
        pts = (
            f"; {points_text(pack['points'])} / {points_text(pack['max_points'])} {word['points']}"
            if pack["max_points"]
            else ""
        )
        if pack.get("not_applicable_points"):
            pts += f" ({points_text(pack['not_applicable_points'])} {word['na_points']})"
        parts = [
            f"{word[g['group']]} {status(g['status'])} ("
            + ", ".join(f"{word[i]} {status(s)}" for i, s in g["by_input"].items())
            + ")"
            for g in pack_groups(pack, result.verdicts)
        ]
        if pack["groups"]["targets"]["status"] == "none" and pack["groups"]["acceptance"]["status"] == "none":
            parts.append(word["no_targets"])
        title = pack["pack"] if lang == "en" else pack_label(pack["pack"], lang)
        lines.append(f"== {title}: {'; '.join(parts)}{pts}")
        width = max(_cols(criterion_name(v, lang)) for v in result.verdicts if v["pack"] == pack["pack"])
        for v in result.verdicts:
            if v["pack"] != pack["pack"]:
                continue
            st = v.get("status") or ("pass" if v["passed"] else "fail")
            if v["role"] == "score" and st in ("pass", "fail"):  # scored items earn points
                verdict = (
                    word["full"]
                    if v["points"] >= v["max_points"]
                    else (word["part"] if v["points"] > 0 else word["none"])
                )
            else:
                verdict = status(st)
            pts = (
                f" {points_text(v['points'])}/{points_text(v['max_points'])} {label('term_points_unit', lang)}"
                if v["max_points"]
                else ""
            )
            cells = [_pad(_fmt(v[x], lang), 8, right=True) for x in ("value", "threshold", "margin")]
            name = _pad(criterion_name(v, lang), width)
            lines.append(
                f"  {_pad(verdict, verdict_width)} {name}  {word['value']} {cells[0]}  "
                f"{word['threshold']} {cells[1]}  {word['margin']} {cells[2]}  {_pad(word[v['input']], input_width)}"
                f"{pts}" + (f"  [{v['clause']}]" if lang == "en" else "")
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


def criterion_name(v: dict[str, Any], lang: str = "en") -> str:
    """A criterion as a reader names it: its id without the pack in English; in Chinese its clause, the name the
    source document gives it (the id is the English key of the settings).

    Parameters
    ----------
    v : dict
        A verdict (``criterion_id``, ``clause``).
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    str
        The name; a verdict without a clause keeps its id in either language.
    """
    return (v.get("clause") if lang == "zh" else None) or v["criterion_id"].split(".", 1)[-1]


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
