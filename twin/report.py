"""Human-readable summaries of a run."""
from __future__ import annotations

_ROWS = (
    # (label, kpi key, scale, unit)
    ("Electric load", "load_e_kwh", 1e-3, "MWh"),
    ("PV generation", "pv_e_kwh", 1e-3, "MWh"),
    ("Wind generation", "wind_e_kwh", 1e-3, "MWh"),
    ("Grid import", "grid_import_e_kwh", 1e-3, "MWh"),
    ("Grid export", "grid_export_e_kwh", 1e-3, "MWh"),
    ("Curtailed", "curtailed_e_kwh", 1e-3, "MWh"),
    ("Battery discharge", "battery_discharge_e_kwh", 1e-3, "MWh"),
    ("Battery cycles", "battery_equivalent_full_cycles", 1.0, "EFC"),
    ("Unserved load", "unserved_load_e_kwh", 1e-3, "MWh"),
    ("Renewable share (on-site)", "re_electricity_share_onsite", 100.0, "%"),
    ("Self-consumption", "self_consumption_share", 100.0, "%"),
    ("Self-sufficiency", "self_sufficiency_share", 100.0, "%"),
    ("Peak grid import", "peak_import_kw", 1e-3, "MW"),
    ("Grid cost (net of feed-in)", "grid_cost_cny", 1e-4, "万 CNY"),
)


def summary_table(result) -> str:
    """The KPI table printed by ``twin run``.

    Parameters
    ----------
    result : twin.run.RunResult

    Returns
    -------
    str
    """
    k = result.kpis
    lines = [f"{result.scenario.name} - {result.scenario.year}",
             f"weather: {k['weather'].get('source')} "
             f"({k['weather'].get('city') or k['weather'].get('path', '')}), "
             f"GHI {k['weather']['annual_ghi_kwh_m2']:.0f} kWh/m2", ""]
    width = max(len(r[0]) for r in _ROWS)
    lines.append(f"{'KPI':<{width}}  {'value':>12}  unit")
    lines.append("-" * (width + 22))
    for label, key, scale, unit in _ROWS:
        lines.append(f"{label:<{width}}  {k[key] * scale:>12,.1f}  {unit}")
    lines.append("-" * (width + 22))
    lines.append(f"hourly balance closes: largest residual {k['max_hourly_balance_residual_kwh']:.1e} kWh")
    for w in k.get("warnings", []):
        lines.append(f"warning: {w}")
    return "\n".join(lines)
