"""Annual electricity KPIs from the kernel's totals, vectorised over configurations.

Single runs and sweeps call the same function on the same totals, so a sweep's
row and a single run's ``kpis.json`` agree by construction.

Definitions (DESIGN.md, "KPI definitions")
------------------------------------------
``total consumption``
    grid import + on-site renewable generation - export - curtailment.
    Battery losses therefore count as consumption, as does any change of the
    battery's stored energy over the year (reported as
    ``battery_stored_change_e_kwh``; the battery starts at ``soc_initial``).
``re_electricity_share_onsite``
    renewable electricity consumed on site / total consumption, where
    renewable consumed = renewable generation - renewable export - curtailment.
    Battery losses on renewable energy count as renewable consumed. A battery
    charged from the grid passes grid energy through, never renewable energy,
    because the kernel tracks the two pools apart.
``self_consumption_share``
    share of renewable generation used on site (not exported, not curtailed).
``self_sufficiency_share``
    share of the load served by renewables, directly or through the battery.
"""
from __future__ import annotations

import numpy as np

from components.battery import equivalent_full_cycles
from twin.dispatch import DispatchResult


def _ratio(num, den):
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def electric_kpis(res: DispatchResult, *, pv_e_kwh, wind_e_kwh, energy_kwh, soc_min, soc_max,
                  grid_cost_cny) -> dict[str, np.ndarray]:
    """Annual electricity KPIs for every configuration of a dispatch.

    Parameters
    ----------
    res : DispatchResult
        The kernel's output.
    pv_e_kwh, wind_e_kwh : array, shape (N,)
        Annual generation of PV and of wind before any curtailment [kWh].
    energy_kwh, soc_min, soc_max : array or float
        Battery nameplate energy [kWh] and SoC window [-], for cycle counting.
    grid_cost_cny : array, shape (N,)
        Annual grid bill net of feed-in revenue [CNY].

    Returns
    -------
    dict of str to ndarray, shape (N,)
    """
    t = res.total
    re_gen = t("re_generation")
    export = t("re_to_grid")
    curtailed = t("re_curtailed")
    grid_import = t("grid_to_load") + t("grid_to_battery")
    discharge = t("battery_re_to_load") + t("battery_grid_to_load")
    charge = t("re_to_battery") + t("grid_to_battery")
    consumption = grid_import + re_gen - export - curtailed
    re_consumed = re_gen - export - curtailed
    served = t("load") - t("unserved")
    return {
        "load_e_kwh": t("load"),
        "unserved_load_e_kwh": t("unserved"),
        "pv_e_kwh": np.asarray(pv_e_kwh, dtype=float),
        "wind_e_kwh": np.asarray(wind_e_kwh, dtype=float),
        "re_generation_e_kwh": re_gen,
        "grid_import_e_kwh": grid_import,
        "grid_import_valley_e_kwh": t("import_valley"),
        "grid_import_flat_e_kwh": t("import_flat"),
        "grid_import_peak_e_kwh": t("import_peak"),
        "grid_import_critical_e_kwh": t("import_critical"),
        "grid_export_e_kwh": export,
        "curtailed_e_kwh": curtailed,
        "battery_charge_e_kwh": charge,
        "battery_discharge_e_kwh": discharge,
        "battery_losses_e_kwh": t("battery_loss_re") + t("battery_loss_grid"),
        "battery_stored_change_e_kwh": t("battery_e_end") - t("battery_e_start"),
        "battery_equivalent_full_cycles": equivalent_full_cycles(discharge, energy_kwh, soc_min, soc_max),
        "total_consumption_e_kwh": consumption,
        "re_consumed_e_kwh": re_consumed,
        "re_electricity_share_onsite": _ratio(re_consumed, consumption),
        "self_consumption_share": _ratio(re_consumed, re_gen),
        "self_sufficiency_share": _ratio(t("re_to_load") + t("battery_re_to_load"), served),
        "peak_import_kw": t("peak_import_kw"),
        "grid_cost_cny": np.asarray(grid_cost_cny, dtype=float),
    }
