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
from lingtan.components.wind import WindFarm, hub_wind_speed

_ARRAY_TYPE = {"fixed": 0, "single_axis_backtrack": 3, "single_axis": 2}
_MODULE_TYPE = {"standard": 0, "premium": 1, "thin_film": 2}

INSTALL_HINT = "install the validation extra (pip install -e '.[dev]')"
"""What a user without PySAM is told: it comes with the development extras (pyproject.toml)."""


def pysam_missing() -> str | None:
    """Why the SAM models the validation runs cannot be imported, or None when they can.

    ``make demo`` installs the twin without the development extras, so PySAM may be absent.
    """
    try:
        import PySAM.Battwatts  # noqa: F401 - the three SAM models lingtan.validation.cases runs
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
        "gh": weather["ghi"].clip(lower=0).astype(float).tolist() if "ghi" in weather
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
    m.SolarResource.solar_resource_data = solar_resource_data(
        weather, latitude, longitude, altitude_m, tz_offset_h
    )
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


def windpower_kw(
    weather: pd.DataFrame,
    farm: WindFarm,
    power_curve: pd.DataFrame,
    standard_density: bool = True,
    return_model: bool = False,
):
    """Hourly output of ``farm.count`` turbines from PySAM Windpower [kW].

    Parameters
    ----------
    weather : pandas.DataFrame
        ``wind_speed`` [m/s] at ``farm.measurement_height_m``; ``temp_air``
        [C] and ``pressure`` [Pa] when ``standard_density`` is False.
    farm : WindFarm
    power_curve : pandas.DataFrame
        Columns ``wind_speed`` [m/s] and ``value`` [W] (windpowerlib's
        format), the same curve the twin uses.
    standard_density : bool
        True (default): feed SAM 15 C and 1 atm, i.e. 1.225 kg/m3, so its
        density correction is a no-op (compare with the twin's
        ``density_correction=False``). SAM's correction scales the curve's
        wind speeds by ``(1.225 / rho) ** (1/3)`` at all speeds, whereas
        windpowerlib's (Svenningsen 2010) uses an exponent growing from 1/3
        to 2/3 between 7.5 and 12.5 m/s, so the two differ by design.

    Notes
    -----
    Like for like: SAM gets the twin's hub-height wind speed (it will not
    extrapolate more than 35 m itself), so both apply the power curve to the
    same series. One turbine is simulated
    (no wakes), all SAM losses are zero, and the result is multiplied by
    ``farm.count`` and ``(1 - farm.loss_fraction)``.
    """
    import PySAM.Windpower as windpower

    ws = power_curve["wind_speed"].astype(float).to_numpy()
    p_kw = power_curve["value"].astype(float).to_numpy() / 1000.0
    # SAM refuses to extrapolate wind more than 35 m vertically ("closest
    # wind speed measurement height ... is more than 35 m from the hub
    # height"), so it is given the hub-height speed that the twin computes
    # (windpowerlib power law or log law), at hub height, with zero shear.
    speed = np.asarray(hub_wind_speed(weather, farm), dtype=float)
    height = float(farm.hub_height_m)
    shear = 0.0
    n = len(speed)
    if standard_density:
        t_c = np.full(n, 15.0)
        p_atm = np.full(n, 1.0)
    else:
        t_c = weather["temp_air"].astype(float).to_numpy()
        p_atm = weather["pressure"].astype(float).to_numpy() / 101325.0
    direction = np.full(n, 180.0)
    m = windpower.new()
    m.Resource.wind_resource_model_choice = 0
    m.Resource.wind_resource_data = {
        "heights": [height, height, height, height],
        "fields": [1, 2, 3, 4],  # temperature [C], pressure [atm], speed [m/s], direction [deg]
        "data": np.column_stack([t_c, p_atm, speed, direction]).tolist(),
    }
    t = m.Turbine
    t.wind_turbine_powercurve_windspeeds = ws.tolist()
    t.wind_turbine_powercurve_powerout = p_kw.tolist()
    t.wind_turbine_hub_ht = float(farm.hub_height_m)
    t.wind_turbine_rotor_diameter = 100.0  # only used by wake models and Cp output
    t.wind_resource_shear = shear
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
