"""Validation of the synthetic weather generator against a real typical year.

:func:`compare_synthetic_to_real` builds a :class:`lingtan.weather.climatology.MonthlyClimate` from
the monthly means of a real year, generates a synthetic year from it and compares the two
like with like: both PV yields are computed from GHI only, with the same decomposition
(Erbs) and the same simple PV model (:func:`pv_yield_from_ghi`), so the files' own DNI/DHI
(whose closure may be poor, see :mod:`lingtan.weather.closure`) play no part.

References
----------
.. [1] Erbs, D. G., Klein, S. A. and Duffie, J. A. (1982). Solar Energy 28(4), 293-302.
.. [2] Hay, J. E. and Davies, J. A. (1980). Calculation of the solar radiation incident on
   an inclined surface. Proc. First Canadian Solar Radiation Data Workshop, 59-72.
.. [3] Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
.. [4] Faiman, D. (2008). Assessing the outdoor operating temperature of photovoltaic
   modules. Progress in Photovoltaics 16(4), 307-315.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["compare_synthetic_to_real", "pv_yield_from_ghi", "climate_from_weather", "hourly_clearness_index"]

GAMMA_PDC = -0.0037  # [1/C]
LOSSES_FRACTION = 0.14  # [-]
INVERTER_EFFICIENCY = 0.96  # [-]


def pv_yield_from_ghi(weather: pd.DataFrame, latitude: float, longitude: float, altitude_m: float) -> float:
    """Annual AC yield of 1 kWp computed from GHI only [kWh/kWp].

    Chain: solar position at mid-interval -> :func:`pvlib.irradiance.erbs` -> Hay-Davies
    transposition onto a plane tilted at ``|latitude|`` facing the equator (albedo 0.25) ->
    Faiman cell temperature (u0 = 25, u1 = 6.84) -> :func:`pvlib.pvsystem.pvwatts_dc`
    (gamma_pdc = -0.0037 /C) -> 14 % losses -> 96 % inverter efficiency.

    Parameters
    ----------
    weather : pandas.DataFrame
        ``ghi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s]; interval-start tz-aware index.
    latitude, longitude : float
        [deg]
    altitude_m : float
        [m]

    Returns
    -------
    float
        [kWh/kWp]
    """
    import pvlib

    from lingtan.weather.closure import decompose, mid_interval_solar_position

    sp = mid_interval_solar_position(weather.index, latitude, longitude, altitude_m)
    zen = sp["zenith"].to_numpy()
    ghi = weather["ghi"].to_numpy(dtype=float)
    dni, dhi = decompose(ghi, zen, weather.index, model="erbs")
    mid = weather.index + pd.Timedelta(minutes=30)
    dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(mid), dtype=float)
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt=abs(latitude),
        surface_azimuth=180.0 if latitude >= 0 else 0.0,
        solar_zenith=zen,
        solar_azimuth=sp["azimuth"].to_numpy(),
        dni=dni,
        ghi=ghi,
        dhi=dhi,
        dni_extra=dni_extra,
        model="haydavies",
    )
    poa_global = np.nan_to_num(np.asarray(poa["poa_global"], dtype=float), nan=0.0)
    poa_global = np.clip(poa_global, 0.0, None)
    t_cell = pvlib.temperature.faiman(
        poa_global, weather["temp_air"].to_numpy(dtype=float), weather["wind_speed"].to_numpy(dtype=float)
    )
    pdc = pvlib.pvsystem.pvwatts_dc(poa_global, t_cell, pdc0=1.0, gamma_pdc=GAMMA_PDC)
    pac = np.clip(np.asarray(pdc, dtype=float), 0.0, None) * (1 - LOSSES_FRACTION) * INVERTER_EFFICIENCY
    return float(pac.sum())


def hourly_clearness_index(
    weather: pd.DataFrame, latitude: float, longitude: float, altitude_m: float, max_zenith: float = 85.0
) -> np.ndarray:
    """Hourly clearness index ``ghi / (I0 cos zenith)`` for zenith < ``max_zenith`` [-]."""
    import pvlib

    from lingtan.weather.closure import mid_interval_solar_position

    sp = mid_interval_solar_position(weather.index, latitude, longitude, altitude_m)
    zen = sp["zenith"].to_numpy()
    mid = weather.index + pd.Timedelta(minutes=30)
    e0 = np.asarray(pvlib.irradiance.get_extra_radiation(mid), dtype=float) * np.cos(np.radians(zen))
    day = zen < max_zenith
    return weather["ghi"].to_numpy(dtype=float)[day] / e0[day]


def climate_from_weather(real: pd.DataFrame, latitude: float, longitude: float, altitude_m: float, name: str = "real"):
    """:class:`lingtan.weather.climatology.MonthlyClimate` from a real year's monthly statistics."""
    from lingtan.weather.climatology import MonthlyClimate
    from lingtan.weather.derive_climatology import monthly_statistics

    st = monthly_statistics(real)
    return MonthlyClimate.from_monthly(
        tuple(st["ghi_kwh_m2_day"]),
        tuple(st["temp_air_c"]),
        latitude=latitude,
        longitude=longitude,
        altitude_m=altitude_m,
        temp_range_c=tuple(st["temp_range_c"]),
        wind_speed_m_s=tuple(st["wind_speed_m_s"]),
        weibull_k=tuple(st["weibull_k"]),
        name=name,
        source="monthly statistics of the compared real year",
    )


def compare_synthetic_to_real(
    real: pd.DataFrame, latitude: float, longitude: float, altitude_m: float, *, seed: int = 0, year: int = 2025
) -> dict:
    """Compare a synthetic year generated from a real year's monthly means to that year.

    Parameters
    ----------
    real : pandas.DataFrame
        Canonical hourly weather (e.g. from :func:`weather.read_epw`), 8760 rows.
    latitude, longitude : float
        [deg]
    altitude_m : float
        [m]
    seed : int
        Seed of the synthetic year.
    year : int
        Calendar year of the synthetic index.

    Returns
    -------
    dict
        ``ghi_real_kwh_m2``, ``ghi_synthetic_kwh_m2``, ``ghi_rel_error`` [-];
        ``pv_real_kwh_kwp``, ``pv_synthetic_kwh_kwp``, ``pv_rel_error`` [-] (both from GHI via
        :func:`pv_yield_from_ghi`); ``kt_ks_distance`` [-] (two-sample Kolmogorov-Smirnov
        statistic of daytime hourly clearness, zenith < 85 deg); ``wind_mean_real_m_s``,
        ``wind_mean_synthetic_m_s``, ``wind_std_real_m_s``, ``wind_std_synthetic_m_s``;
        ``synthetic`` (the generated frame) and ``climate`` (the MonthlyClimate used).
    """
    from scipy.stats import ks_2samp

    from lingtan.weather.synthetic import synthetic_year

    climate = climate_from_weather(real, latitude, longitude, altitude_m)
    tz = real.index.tz
    syn = synthetic_year(
        climate,
        year=year,
        tz=str(tz) if tz is not None else "Asia/Shanghai",
        seed=seed,
        latitude=latitude,
        longitude=longitude,
        altitude_m=altitude_m,
    )
    g_r = float(real["ghi"].sum()) / 1000.0
    g_s = float(syn["ghi"].sum()) / 1000.0
    pv_r = pv_yield_from_ghi(real, latitude, longitude, altitude_m)
    pv_s = pv_yield_from_ghi(syn, latitude, longitude, altitude_m)
    kt_r = hourly_clearness_index(real, latitude, longitude, altitude_m)
    kt_s = hourly_clearness_index(syn, latitude, longitude, altitude_m)
    return {
        "ghi_real_kwh_m2": g_r,
        "ghi_synthetic_kwh_m2": g_s,
        "ghi_rel_error": g_s / g_r - 1,
        "pv_real_kwh_kwp": pv_r,
        "pv_synthetic_kwh_kwp": pv_s,
        "pv_rel_error": pv_s / pv_r - 1,
        "kt_ks_distance": float(ks_2samp(kt_r, kt_s).statistic),
        "wind_mean_real_m_s": float(real["wind_speed"].mean()),
        "wind_mean_synthetic_m_s": float(syn["wind_speed"].mean()),
        "wind_std_real_m_s": float(real["wind_speed"].std()),
        "wind_std_synthetic_m_s": float(syn["wind_speed"].std()),
        "synthetic": syn,
        "climate": climate,
    }
