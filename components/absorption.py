"""Single-effect LiBr-water absorption chillers: the characteristic equation and the cooling water a tower gives.

The characteristic equation method (Hellmann, Schweigler and Ziegler [1]_, in the adapted form of Kühn and
Ziegler [2]_) reduces a chiller to one temperature difference of its three external circuits,

``ddt = t_G - a * t_AC + e * t_E``

(arithmetic mean temperatures of the hot water in the generator, of the cooling water through absorber and
condenser, of the chilled water in the evaporator [C]), on which its cooling and its driving heat are straight
lines, ``Q_E = s_E * ddt + r_E`` and ``Q_G = s_G * ddt + r_G`` [kW]. Puig-Arnavat et al. [3]_ fitted the four
parameters of single- and double-effect machines by multivariable regression.

The cooling water comes from a wet cooling tower: the wet-bulb temperature of the outdoor air (Stull [4]_) plus
the tower's approach.

References
----------
.. [1] Hellmann, H.-M., Schweigler, C., Ziegler, F., "The characteristic equations of absorption chillers",
   Proc. Int. Sorption Heat Pump Conf., Munich, 1999.
.. [2] Kühn, A., Ziegler, F., "Operational results of a 10 kW absorption chiller and adaptation of the
   characteristic equation", Proc. 1st Int. Conf. Solar Air Conditioning, Bad Staffelstein, 2005.
.. [3] Puig-Arnavat, M., López-Villada, J., Bruno, J. C., Coronas, A., "Analysis and parameter identification for
   characteristic equations of single- and double-effect absorption chillers by means of multivariable
   regression", *Int. J. Refrig.* 33 (2010) 70-78, doi:10.1016/j.ijrefrig.2009.08.013.
.. [4] Stull, R., "Wet-bulb temperature from relative humidity and air temperature", *J. Appl. Meteor.
   Climatol.* 50 (2011) 2267-2269, doi:10.1175/JAMC-D-11-0143.1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Characteristic parameters of published single-effect machines: ``(a, e, s_E [kW/K], r_E [kW], s_G [kW/K],
#: r_G [kW])`` for mean temperatures in C. Secondary: as tabulated by oemof-thermal
#: (examples/absorption_heatpump_and_chiller/data/characteristic_parameters.csv, commit e4cc426), which gives
#: Kühn and Ziegler [2]_ for the 10 kW TU Berlin machine and Puig-Arnavat et al. [3]_ for the others. Left out:
#: that table's "Broad_01" (its driving-heat line equals its cooling line, a COP of exactly 1 at every
#: temperature, not a single-effect machine's: a transcription slip) and "Broad_02" (double effect).
CHARACTERISTIC_PARAMETERS: dict[str, tuple[float, float, float, float, float, float]] = {
    "kuehn_ziegler_10kw": (2.5, 1.8, 0.42, 0.9, 0.51, 2.0),
    "puig_arnavat_safarik_15kw": (2.138, 2.252, 0.452, -8.037, 0.489, -4.913),
    "puig_arnavat_rotartica_4_5kw": (2.704, 1.883, 0.196, 2.476, 0.232, 4.271),
}


def characteristic_dt_k(
    t_generator_c: ArrayLike, t_absorber_condenser_c: ArrayLike, t_evaporator_c: ArrayLike, a: float, e: float
) -> np.ndarray:
    """Characteristic temperature difference ``ddt = t_G - a t_AC + e t_E`` [K] of Kühn and Ziegler [2]_.

    Parameters
    ----------
    t_generator_c, t_absorber_condenser_c, t_evaporator_c : float or array
        Arithmetic mean temperatures of the hot, cooling and chilled water [C].
    a, e : float
        The machine's characteristic parameters [-].

    Returns
    -------
    ndarray
        ``ddt`` [K].
    """
    return (
        np.asarray(t_generator_c, dtype=float)
        - a * np.asarray(t_absorber_condenser_c, dtype=float)
        + e * np.asarray(t_evaporator_c, dtype=float)
    )


def characteristic_q_kw(
    machine: str, t_generator_c: ArrayLike, t_absorber_condenser_c: ArrayLike, t_evaporator_c: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling and driving heat at full load of a published machine at its external mean temperatures.

    Parameters
    ----------
    machine : str
        A key of :data:`CHARACTERISTIC_PARAMETERS`.
    t_generator_c, t_absorber_condenser_c, t_evaporator_c : float or array
        Arithmetic mean temperatures of the hot, cooling and chilled water [C].

    Returns
    -------
    q_cool_kw_th : ndarray
        ``Q_E = s_E ddt + r_E`` [kW_th] of the published machine's own size (negative: the machine cannot run).
    q_drive_kw_th : ndarray
        ``Q_G = s_G ddt + r_G`` [kW_th].

    References
    ----------
    .. [2] Kühn and Ziegler (2005); .. [3] Puig-Arnavat et al. (2010).
    """
    a, e, s_e, r_e, s_g, r_g = CHARACTERISTIC_PARAMETERS[machine]
    ddt = characteristic_dt_k(t_generator_c, t_absorber_condenser_c, t_evaporator_c, a, e)
    return s_e * ddt + r_e, s_g * ddt + r_g


def wet_bulb_t_c(temp_air: ArrayLike, relative_humidity: ArrayLike) -> np.ndarray:
    """Wet-bulb temperature at standard sea-level pressure from air temperature and relative humidity [C].

    ``T_w = T atan(0.151977 (RH + 8.313659)^0.5) + atan(T + RH) - atan(RH - 1.676331)
    + 0.00391838 RH^1.5 atan(0.023101 RH) - 4.686035`` (Stull [4]_; angles in radians), valid for RH 5-99 % and
    -20 to 50 C (mean absolute error below 0.3 K). RH is clipped to 5-99 % (outside, the fit is not defined).

    Parameters
    ----------
    temp_air : float or array
        Dry-bulb air temperature [C].
    relative_humidity : float or array
        Relative humidity [%].

    Returns
    -------
    ndarray
        Wet-bulb temperature [C].

    References
    ----------
    .. [4] Stull (2011), eq. (1).
    """
    t = np.asarray(temp_air, dtype=float)
    rh = np.clip(np.asarray(relative_humidity, dtype=float), 5.0, 99.0)
    return (
        t * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
        + np.arctan(t + rh)
        - np.arctan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh)
        - 4.686035
    )


def cooling_water_t_c(temp_air: ArrayLike, relative_humidity: ArrayLike | None, approach_k: float) -> np.ndarray:
    """Cooling water a wet cooling tower returns to the chiller [C]: the wet bulb plus the tower's approach.

    Where the humidity is missing (None, or NaN in an hour) the dry bulb stands in for the wet bulb, which it
    never undercuts: the cooling water is then warmer than a tower would give (the chiller's capacity and COP
    are under-stated, not over-stated).

    Parameters
    ----------
    temp_air : float or array
        Dry-bulb air temperature [C].
    relative_humidity : float, array or None
        Relative humidity [%].
    approach_k : float
        Cooling water above the air's wet bulb [K].

    Returns
    -------
    ndarray
        Cooling water inlet temperature [C].
    """
    t = np.asarray(temp_air, dtype=float)
    if relative_humidity is None:
        return t + approach_k
    rh = np.broadcast_to(np.asarray(relative_humidity, dtype=float), t.shape)
    return np.where(np.isfinite(rh), wet_bulb_t_c(t, np.nan_to_num(rh, nan=50.0)), t) + approach_k
