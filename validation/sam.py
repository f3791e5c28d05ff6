"""Run NREL SAM (PySAM) on the twin's own weather, for like-for-like checks.

PySAM is a development extra (``pip install -e '.[dev]'``): it is imported
inside the functions, so importing this module never needs it.

Timestamps
----------
SAM's weather reader decides how to place the sun from the data
(``cmod_pvwattsv8.cpp``, ``weatherdata`` in ``lib_weatherfile``):

* hourly data WITHOUT a ``minute`` column are taken as hour averages, and the
  sun is put at mid-hour (with a sunrise/sunset hour placed at the middle of
  its sunlit part, and the output ``ts_shift_hours = 0.5``);
* data WITH a ``minute`` column are "instantaneous": the sun is computed at
  exactly ``hour:minute`` with no sunrise/sunset adjustment.

The twin labels hourly means at the interval start and computes the sun at
``index + 30 min``. We therefore pass ``hour`` = the start hour and
``minute = 30`` (the mid-interval), so that SAM and the twin compute the sun
at the same instant in every hour, sunrise and sunset hours included.

Irradiance components
---------------------
We pass ``dn`` (DNI), ``df`` (DHI) and ``gh`` (GHI) from the DataFrame.
PVWatts v8 uses DNI and DHI (irradiance mode "beam + diffuse") and rebuilds
GHI for the ground-reflected term as ``dn cos z + df``, so the file's GHI is
not used and the CSWD closure issue affects both models identically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lingtan.components.pv import PVArray
from lingtan.components.wind import WindFarm

_ARRAY_TYPE = {"fixed": 0, "single_axis_backtrack": 3, "single_axis": 2}
_MODULE_TYPE = {"standard": 0, "premium": 1, "thin_film": 2}

INSTALL_HINT = "install the validation extra (pip install -e '.[dev]')"
"""What a user without PySAM is told: it comes with the development extras (pyproject.toml)."""


def pysam_missing() -> str | None:
    """Why the SAM models the validation runs cannot be imported, or None when they can.

    ``make demo`` installs the twin without the development extras, so PySAM may be absent.
    """
    try:
        import PySAM.Battery  # noqa: F401 - the three SAM models lingtan.validation.cases runs
        import PySAM.Pvwattsv8  # noqa: F401
        import PySAM.Windpower  # noqa: F401
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


FIXED_GCR_NO_ROW_SHADING = 0.01
"""GCR passed to SAM for fixed arrays: its minimum, which makes PVWatts v8's
fixed-rack self-shading negligible. The twin models fixed arrays without
row-to-row shading (roofs, generous spacing), so this keeps the comparison
like for like; SAM's 'fixed roof' type would instead change INOCT to 49 C."""


def solar_resource_data(
    weather: pd.DataFrame, latitude: float, longitude: float, altitude_m: float, tz_offset_h: float
) -> dict:
    """SAM ``solar_resource_data`` table built from a twin weather DataFrame.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly, tz-aware, labelled at interval start; pvlib column names.
    latitude, longitude : float
        [deg]
    altitude_m : float
        [m]
    tz_offset_h : float
        Standard-time offset of the index from UTC [h] (8 for China).

    Returns
    -------
    dict
        Keys ``lat, lon, tz, elev, year, month, day, hour, minute, dn, df, gh,
        tdry, wspd`` and, when available, ``pres`` [mbar] and ``rhum`` [%].
    """
    idx = weather.index.tz_convert(_fixed_tz(tz_offset_h))
    n = len(idx)
    data = {
        "lat": float(latitude),
        "lon": float(longitude),
        "tz": float(tz_offset_h),
        "elev": float(altitude_m),
        "year": [float(v) for v in idx.year],
        "month": [float(v) for v in idx.month],
        "day": [float(v) for v in idx.day],
        "hour": [float(v) for v in idx.hour],
        # minute = 30: SAM then places the sun at hh:30, the interval middle.
        "minute": [30.0] * n,
        "dn": weather["dni"].clip(lower=0).astype(float).tolist(),
        "df": weather["dhi"].clip(lower=0).astype(float).tolist(),
        "gh": weather["ghi"].clip(lower=0).astype(float).tolist()
        if "ghi" in weather
        else (weather["dhi"] * 0).astype(float).tolist(),
        "tdry": weather["temp_air"].astype(float).tolist(),
        "wspd": weather["wind_speed"].clip(lower=0).astype(float).tolist(),
    }
    if "pressure" in weather:
        data["pres"] = (weather["pressure"] / 100.0).astype(float).tolist()  # Pa -> mbar
    if "relative_humidity" in weather:
        data["rhum"] = weather["relative_humidity"].astype(float).tolist()
    return data


def _fixed_tz(tz_offset_h: float):
    import datetime as _dt

    return _dt.timezone(_dt.timedelta(hours=tz_offset_h))


def pvwatts_v8_ac_kw(
    weather: pd.DataFrame,
    latitude: float,
    longitude: float,
    altitude_m: float,
    tz_offset_h: float,
    array: PVArray,
    return_model: bool = False,
):
    """Hourly AC output of ``array`` from PySAM PVWatts v8 [kW].

    The array settings map one to one: ``system_capacity = capacity_kwp``,
    ``dc_ac_ratio``, ``inv_eff = 100 inverter_efficiency``,
    ``losses = 100 losses_fraction``, ``module_type``, ``tilt``, ``azimuth``,
    ``albedo``, ``gcr`` and ``rotlim = max_angle_deg`` for trackers (array
    type 3 with backtracking, 2 without), array type 0 (open rack, INOCT
    45 C) for fixed arrays with ``gcr = 0.01`` (see
    ``FIXED_GCR_NO_ROW_SHADING``). Snow model, soiling, shading, transformer
    losses and bifaciality are off (their defaults). Degradation is applied
    as the factor ``(1 - d) ** age`` on DC power, which is what SAM's
    ``losses`` input does, so it is folded into ``losses``.

    Returns
    -------
    numpy.ndarray
        AC power [kW], one value per row of ``weather``. With
        ``return_model=True``, ``(ac_kw, model)`` for inspection of SAM's
        hourly intermediates (poa, tpoa, tcell, dc, aoi).
    """
    import PySAM.Pvwattsv8 as pvwatts

    m = pvwatts.new()
    m.SolarResource.solar_resource_data = solar_resource_data(weather, latitude, longitude, altitude_m, tz_offset_h)
    m.SolarResource.albedo = [float(array.albedo)]
    m.SolarResource.use_wf_albedo = 0
    sd = m.SystemDesign
    sd.system_capacity = float(array.capacity_kwp)
    sd.dc_ac_ratio = float(array.dc_ac_ratio)
    sd.inv_eff = 100.0 * float(array.inverter_efficiency)
    # Degradation acts on DC power like the other DC losses; fold it in.
    dc_factor = (1.0 - array.losses_fraction) * array.degradation_factor
    sd.losses = 100.0 * (1.0 - dc_factor)
    sd.module_type = _MODULE_TYPE[array.module_type]
    sd.tilt = float(array.tilt_deg)
    sd.azimuth = float(array.azimuth_deg) % 360.0
    sd.bifaciality = 0.0
    sd.en_snowloss = 0
    if array.tracking == "fixed":
        sd.array_type = 0
        sd.gcr = FIXED_GCR_NO_ROW_SHADING
    else:
        sd.array_type = 3 if array.backtrack else 2
        sd.gcr = float(array.gcr)
        sd.rotlim = float(array.max_angle_deg)
    m.AdjustmentFactors.adjust_constant = 0.0
    m.execute(0)
    ac_kw = np.asarray(m.Outputs.ac, dtype=float) / 1000.0
    if return_model:
        return ac_kw, m
    return ac_kw


SAM_MAX_EXTRAPOLATION_M = 35.0
"""SAM Windpower refuses to carry a wind speed more than 35 m up or down ("the closest wind speed
measurement height ... is more than 35 m from the hub height", ``cmod_windpower.cpp``)."""


def sam_shear_heights(measurement_height_m: float, hub_height_m: float) -> tuple[float, float]:
    """Heights [m] at which SAM is given the station wind and the hub, keeping their ratio.

    The power law ``v (H / h) ** alpha`` depends on the heights only through ``H / h``. Where
    the hub is more than :data:`SAM_MAX_EXTRAPOLATION_M` above the measurement, both heights
    are scaled by one factor so that SAM accepts them and applies its own law to the same
    ratio; otherwise they are passed as they are.

    Returns
    -------
    tuple of float
        (measurement height, hub height) for SAM [m].
    """
    gap = abs(hub_height_m - measurement_height_m)
    limit = SAM_MAX_EXTRAPOLATION_M - 0.1  # a hair inside SAM's limit, which it tests with '>'
    k = 1.0 if gap <= limit else limit / gap
    return measurement_height_m * k, hub_height_m * k


def windpower_kw(weather: pd.DataFrame, farm: WindFarm, power_curve: pd.DataFrame, return_model: bool = False):
    """Hourly output of ``farm.count`` turbines from PySAM Windpower, from the station wind [kW].

    SAM is given the weather's ``wind_speed`` at the measurement height and the farm's
    power-law exponent (``wind_resource_shear``), and carries the speed to the hub itself
    (``cmod_windpower.cpp``: ``wind * pow(hubHeight / measurementHeight, shearExponent)``),
    at the heights of :func:`sam_shear_heights`.

    Parameters
    ----------
    weather : pandas.DataFrame
        ``wind_speed`` [m/s] at ``farm.measurement_height_m``.
    farm : WindFarm
        A power-law farm (SAM has no logarithmic profile).
    power_curve : pandas.DataFrame
        Columns ``wind_speed`` [m/s] and ``value`` [W] (windpowerlib's format).

    Returns
    -------
    numpy.ndarray
        Farm output [kW], one value per row of ``weather``; with ``return_model=True``,
        ``(gen_kw, model)``.

    Notes
    -----
    SAM gets 15 C and 1 atm, i.e. 1.225 kg/m3, so its density correction (curve speeds scaled by
    ``(1.225 / rho) ** (1/3)``) is a no-op: compare with the twin's ``density_correction=False``.
    One turbine is simulated (no wakes), all SAM losses are zero, and the result is multiplied
    by ``farm.count`` and ``(1 - farm.loss_fraction)``.
    """
    import PySAM.Windpower as windpower

    if farm.shear != "power_law":
        raise ValueError(f"SAM Windpower has a power-law shear only; farm {farm.name!r} uses {farm.shear!r}")
    ws = power_curve["wind_speed"].astype(float).to_numpy()
    p_kw = power_curve["value"].astype(float).to_numpy() / 1000.0
    speed = weather["wind_speed"].clip(lower=0).astype(float).to_numpy()
    h_meas, h_hub = sam_shear_heights(farm.measurement_height_m, farm.hub_height_m)
    n = len(speed)
    m = windpower.new()
    m.Resource.wind_resource_model_choice = 0
    m.Resource.wind_resource_data = {
        "heights": [h_meas] * 4,
        "fields": [1, 2, 3, 4],  # temperature [C], pressure [atm], speed [m/s], direction [deg]
        "data": np.column_stack([np.full(n, 15.0), np.full(n, 1.0), speed, np.full(n, 180.0)]).tolist(),
    }
    t = m.Turbine
    t.wind_turbine_powercurve_windspeeds = ws.tolist()
    t.wind_turbine_powercurve_powerout = p_kw.tolist()
    t.wind_turbine_hub_ht = h_hub
    t.wind_turbine_rotor_diameter = 100.0  # only used by wake models and Cp output
    t.wind_resource_shear = float(farm.shear_exponent)
    f = m.Farm
    f.system_capacity = float(p_kw.max())
    f.wind_farm_xCoordinates = [0.0]
    f.wind_farm_yCoordinates = [0.0]
    f.wind_farm_wake_model = 0
    f.wind_resource_turbulence_coeff = 10.0
    m.AdjustmentFactors.adjust_constant = 0.0
    m.execute(0)
    gen = np.asarray(m.Outputs.gen, dtype=float) * farm.count * (1.0 - farm.loss_fraction)
    if return_model:
        return gen, m
    return gen


IDEAL_CELL_V = (3.6005, 3.5995)
"""Cell voltage at 0 and 100 % depth of discharge [V] for the SAM battery of
:func:`battery_self_consumption`. SAM stores charge [Ah], the twin energy [kWh]; a flat voltage
makes the two the same state. SAM refuses two identical voltages in its table, so the curve
falls by 1 mV (0.03 %) over the whole range."""
_SERIES_CELLS = 139
"""Cells in series, ~500 V at 3.6 V: only the pack voltage, which no result depends on."""


def battery_self_consumption(
    pv_ac_kw,
    load_kw,
    *,
    energy_kwh: float,
    power_kw: float,
    charge_efficiency: float,
    discharge_efficiency: float,
    soc_min: float,
    soc_max: float,
    soc_initial: float,
) -> dict:
    """Hourly operation of a behind-the-meter battery by PySAM Battery's self-consumption dispatch.

    SAM's ``batt_dispatch_choice = 5`` (SelfConsumption) charges from PV output above the load
    and discharges to the load above the PV, never from the grid: the rule of the twin's
    ``load_following``. The battery is set from the same declared parameters as the twin's,
    each to its SAM input: AC-connected, ``batt_ac_dc_efficiency = 100 charge_efficiency``,
    ``batt_dc_ac_efficiency = 100 discharge_efficiency``, power limits on the AC side
    (``batt_power_*_max_kwac = power_kw``, DC limits that follow from them), the SoC window and
    the initial SoC. What the twin does not model is switched off in SAM: cell resistance,
    the voltage curve (:data:`IDEAL_CELL_V`), capacity fade (flat cycle-life matrix, no
    calendar fade), temperature (flat capacity-vs-temperature table), self-discharge losses,
    replacements and the minimum time in a mode.

    Parameters
    ----------
    pv_ac_kw, load_kw : array_like
        Hourly PV AC output and load [kW], 8760 values.
    energy_kwh : float
        Nominal energy [kWh].
    power_kw : float
        Charge and discharge limit on the AC side [kW].
    charge_efficiency, discharge_efficiency : float
        AC to stored energy and stored energy to AC [-].
    soc_min, soc_max, soc_initial : float
        State-of-charge window and start [-].

    Returns
    -------
    dict
        Hourly arrays: ``charge_kw`` and ``discharge_kw`` (AC side) [kW], ``soc`` (end of hour)
        [-], ``grid_import_kw``, ``grid_export_kw`` [kW].
    """
    import PySAM.Battery as battery

    m = battery.default("CustomGenerationBatteryCommercial")
    m.Lifetime.system_use_lifetime_output = 0
    m.Lifetime.analysis_period = 1
    c = m.BatteryCell
    c.batt_chem = 1  # Li-ion
    c.batt_voltage_choice = 1  # voltage table
    c.batt_voltage_matrix = ((0.0, IDEAL_CELL_V[0]), (100.0, IDEAL_CELL_V[1]))
    c.batt_Vnom_default = sum(IDEAL_CELL_V) / 2.0
    c.batt_resistance = 0.0
    c.batt_initial_SOC = 100.0 * soc_initial
    c.batt_minimum_SOC = 100.0 * soc_min
    c.batt_maximum_SOC = 100.0 * soc_max
    c.batt_minimum_modetime = 0.0
    c.batt_calendar_choice = 0
    c.batt_lifetime_matrix = ((50.0, 0.0, 100.0), (50.0, 1e5, 100.0), (100.0, 0.0, 100.0), (100.0, 1e5, 100.0))
    c.cap_vs_temp = ((-40.0, 100.0), (60.0, 100.0))
    c.batt_room_temperature_celsius = (25.0,)
    s = m.BatterySystem
    s.batt_ac_or_dc = 1  # AC-connected
    s.batt_ac_dc_efficiency = 100.0 * charge_efficiency
    s.batt_dc_ac_efficiency = 100.0 * discharge_efficiency
    s.batt_computed_series = _SERIES_CELLS
    s.batt_computed_strings = energy_kwh * 1000.0 / (c.batt_Qfull * _SERIES_CELLS * c.batt_Vnom_default)
    s.batt_computed_bank_capacity = energy_kwh
    s.batt_current_choice = 0  # restrict power, not current
    s.batt_current_charge_max = s.batt_current_discharge_max = 1e9
    s.batt_power_charge_max_kwac = s.batt_power_discharge_max_kwac = power_kw
    s.batt_power_charge_max_kwdc = power_kw * charge_efficiency
    s.batt_power_discharge_max_kwdc = power_kw / discharge_efficiency
    s.batt_loss_choice = 0
    s.batt_losses_charging = s.batt_losses_discharging = s.batt_losses_idle = (0.0,) * 12
    s.batt_replacement_option = 0
    d = m.BatteryDispatch
    d.batt_dispatch_choice = 5  # behind the meter: SelfConsumption
    d.batt_dispatch_auto_can_charge = 1
    d.batt_dispatch_auto_can_gridcharge = 0
    m.SystemOutput.gen = [float(v) for v in pv_ac_kw]
    m.Load.load = [float(v) for v in load_kw]
    m.execute(0)
    o = m.Outputs
    p_kw = np.asarray(o.batt_power, dtype=float)  # AC, discharge positive
    return dict(
        charge_kw=np.clip(-p_kw, 0.0, None),
        discharge_kw=np.clip(p_kw, 0.0, None),
        soc=np.asarray(o.batt_SOC, dtype=float) / 100.0,
        grid_import_kw=np.asarray(o.grid_to_load, dtype=float) + np.asarray(o.grid_to_batt, dtype=float),
        grid_export_kw=np.asarray(o.system_to_grid, dtype=float) + np.asarray(o.batt_to_grid, dtype=float),
    )
