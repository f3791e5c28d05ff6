"""Fuentes (1987) cell temperature, compiled.

PVWatts' thermal model is Fuentes' transient heat balance. pvlib implements it
(``pvlib.temperature.fuentes``) as a Python loop over time steps, which costs
about 0.7 s for one year, a quarter of a whole ``twin run``. This module runs
the same published equations compiled with numba; ``pvlib.temperature.fuentes``
remains the reference, and ``tests/components/test_cell_temperature.py`` holds
the two equal to 1e-9 C on real weather.

References
----------
.. [1] Fuentes, M. K., 1987, "A Simplified Thermal Model for Flat-Plate
   Photovoltaic Arrays", SAND85-0330, Sandia National Laboratories,
   equations 3-8, 22-27 and the FORTRAN code of its Appendix A.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numba import njit

_BOLTZ = 5.669e-8  # Stefan-Boltzmann constant as written in [1] [W/(m2 K4)]


@njit(cache=True, error_model="numpy")
def _hconv(tave, windmod, temp_delta, xlen, sin_tilt, check_reynold):
    # Mixed free / laminar / turbulent convection coefficient, [1] eqs. 25-27.
    densair = 0.003484 * 101325.0 / tave
    visair = 0.24237e-6 * tave**0.76 / densair
    condair = 2.1695e-4 * tave**0.84
    reynold = windmod * xlen / visair
    if check_reynold and reynold > 1.2e5:
        hforce = 0.0282 / reynold**0.2 * densair * windmod * 1007 / 0.71**0.4
    else:
        hforce = 0.8600 / reynold**0.5 * densair * windmod * 1007 / 0.71**0.67
    grashof = 9.8 / tave * temp_delta * xlen**3 / visair**2 * sin_tilt
    hfree = 0.21 * (grashof * 0.71) ** 0.32 * condair / xlen
    return (hfree**3 + hforce**3) ** (1.0 / 3.0)


@njit(cache=True, error_model="numpy")
def _fuentes_loop(tamb_k, sun, windmod, tsky, dtime_h, convrat, tgrat, cap, emiss, xlen, sin_tilt):
    out = np.empty(tamb_k.shape[0])
    tmod0 = 293.15
    sun0 = 0.0
    for i in range(tamb_k.shape[0]):
        tamb = tamb_k[i]
        s = sun[i]
        tmod = tmod0
        for _ in range(10):  # fixed iteration count, as in [1] and pvlib
            tave = (tmod + tamb) / 2
            hc = convrat * _hconv(tave, windmod[i], abs(tmod - tamb), xlen, sin_tilt, True)
            hsky = emiss * _BOLTZ * (tmod**2 + tsky[i] ** 2) * (tmod + tsky[i])
            tground = tamb + tgrat * (tmod - tamb)
            hground = emiss * _BOLTZ * (tmod**2 + tground**2) * (tmod + tground)
            eigen = -(hc + hsky + hground) / cap * dtime_h[i] * 3600
            ex = math.exp(eigen) if eigen > -10 else 0.0
            tmod = tmod0 * ex + (
                (1 - ex) * (hc * tamb + hsky * tsky[i] + hground * tground + sun0 + (s - sun0) / eigen) + s - sun0
            ) / (hc + hsky + hground)
        out[i] = tmod
        tmod0 = tmod
        sun0 = s
    return out


def fuentes(
    poa_global: pd.Series,
    temp_air,
    wind_speed,
    noct_installed: float,
    module_height: float = 5.0,
    wind_height: float = 9.144,
    emissivity: float = 0.84,
    absorption: float = 0.83,
    surface_tilt: float = 30.0,
    module_width: float = 0.31579,
    module_length: float = 1.2,
) -> pd.Series:
    """Cell temperature by Fuentes' model [C]; same signature and defaults as ``pvlib.temperature.fuentes``.

    Parameters
    ----------
    poa_global : Series
        Plane-of-array irradiance [W/m2], on a DatetimeIndex (the time steps set the thermal lag).
    temp_air, wind_speed : array_like
        Air temperature [C] and wind speed at ``wind_height`` [m/s].
    noct_installed : float
        Installed nominal operating cell temperature [C].
    module_height, wind_height : float
        Heights of the module and of the wind measurement [m].
    emissivity, absorption : float
        Module surface properties [-].
    surface_tilt : float
        Tilt used in the free-convection term [deg]; [1] hard-wires 30.
    module_width, module_length : float
        Module dimensions for the hydraulic diameter [m].

    Returns
    -------
    Series
        Cell temperature [C].
    """
    xlen = 2 * module_width * module_length / (module_width + module_length)
    sin_tilt = math.sin(math.radians(surface_tilt))
    tinoct = noct_installed + 273.15
    # Ratios fixed by the module at NOCT conditions ([1] eqs. 22-24, Appendix A).
    hconv_noct = _hconv((tinoct + 293.15) / 2, 1.0, tinoct - 293.15, xlen, sin_tilt, False)
    hground = emissivity * _BOLTZ * (tinoct**2 + 293.15**2) * (tinoct + 293.15)
    backrat = (absorption * 800.0 - emissivity * _BOLTZ * (tinoct**4 - 282.21**4) - hconv_noct * (tinoct - 293.15)) / (
        (hground + hconv_noct) * (tinoct - 293.15)
    )
    tground = min(max((tinoct**4 - backrat * (tinoct**4 - 293.15**4)) ** 0.25, 293.15), tinoct)
    tgrat = (tground - 293.15) / (tinoct - 293.15)
    convrat = (absorption * 800 - emissivity * _BOLTZ * (2 * tinoct**4 - 282.21**4 - tground**4)) / (
        hconv_noct * (tinoct - 293.15)
    )
    cap = 11000.0 * (1 + (tinoct - 321.15) / 12 if tinoct > 321.15 else 1.0)

    # The first step's length is taken equal to the second's, as pvlib does.
    dt_h = np.diff(poa_global.index.asi8) / 3.6e12
    dt_h = np.concatenate([dt_h[:1], dt_h])
    tamb = np.asarray(temp_air, dtype=float) + 273.15
    tsky = 0.68 * (0.0552 * tamb**1.5) + 0.32 * tamb
    windmod = np.asarray(wind_speed, dtype=float) * (module_height / wind_height) ** 0.2 + 1e-4
    sun = np.asarray(poa_global, dtype=float) * absorption
    tmod = _fuentes_loop(tamb, sun, windmod, tsky, dt_h, convrat, tgrat, cap, emissivity, xlen, sin_tilt)
    return pd.Series(tmod - 273.15, index=poa_global.index, name="tmod")
