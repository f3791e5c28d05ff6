"""Wind turbines: parameters and the hourly output per turbine.

The chain uses windpowerlib's published functions rather than rewriting them:
hub-height wind by the power law (``wind_speed.hellman``) or the logarithmic
profile (``wind_speed.logarithmic_profile``), temperature at hub height by
the linear gradient (``temperature.linear_gradient``), air density at hub
height by the barometric height formula with the ideal gas law
(``density.barometric``), and the turbine's power curve with optional
density correction (``power_output.power_curve``). The turbine library
(power curves of about 70 turbine types) ships with windpowerlib and is read
from its packaged CSV files: no network.

References
----------
.. [1] Haas, S., Krien, U., Schachler, B., et al. (2021). windpowerlib - a
       Python library to model wind power plants. JOSS 6(58), 3070.
.. [2] GB/T 18710-2002, Methodology of wind energy resource assessment for
       wind farms (power-law shear, reference exponent 1/7 = 0.143).
.. [3] Svenningsen, L. (2010). Power curve air density correction and other
       power curve options in WindPRO. EMD International.
.. [4] IEC 61400-12-1:2017, Power performance measurements of electricity
       producing wind turbines (density normalisation of power curves).
.. [5] Hau, E. (2008). Windkraftanlagen, 4th ed., Springer (barometric
       formula, -1/8 hPa/m).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
import windpowerlib
from pydantic import BaseModel, ConfigDict, Field, field_validator
from windpowerlib import density as wpl_density
from windpowerlib import power_output as wpl_power
from windpowerlib import temperature as wpl_temperature
from windpowerlib import wind_speed as wpl_wind_speed

from lingtan.limits import MAX_COUNT

STANDARD_AIR_DENSITY_KG_M3 = 1.225
"""ISA sea-level air density, the reference of published power curves [kg/m3]."""
_TEMPERATURE_HEIGHT_M = 2.0
"""Height of the weather's ``temp_air`` (screen height) [m]."""
_OEDB_DIR = os.path.join(os.path.dirname(windpowerlib.__file__), "oedb")


@lru_cache(maxsize=1)
def _turbine_table() -> pd.DataFrame:
    # windpowerlib's packaged copy of the OEDB turbine library (read offline).
    return pd.read_csv(os.path.join(_OEDB_DIR, "turbine_data.csv"))


@lru_cache(maxsize=1)
def _power_curves() -> pd.DataFrame:
    return pd.read_csv(os.path.join(_OEDB_DIR, "power_curves.csv"), index_col=0)


def turbine_types() -> list[str]:
    """Turbine types with a power curve in windpowerlib's bundled library (offline).

    Returns
    -------
    list of str
        Sorted names such as ``'E-126/4200'``, usable as ``WindFarm.turbine_type``.
    """
    tab = _turbine_table()
    if "has_power_curve" in tab.columns:
        tab = tab[tab["has_power_curve"].astype(bool)]
    names = set(tab["turbine_type"].astype(str)) & set(_power_curves().index.astype(str))
    return sorted(names)


def power_curve(turbine_type: str) -> pd.DataFrame:
    """Power curve of a bundled turbine type.

    Parameters
    ----------
    turbine_type : str
        A name of :func:`turbine_types`.

    Returns
    -------
    pandas.DataFrame
        Columns ``wind_speed`` [m/s] and ``value`` [W], windpowerlib's
        format, at standard air density (1.225 kg/m3).

    Raises
    ------
    KeyError
        For a type without a bundled power curve.
    """
    row = _power_curves().loc[turbine_type]
    if isinstance(row, pd.DataFrame):  # defensive: duplicated names
        row = row.iloc[0]
    row = row.dropna()
    df = pd.DataFrame({"wind_speed": row.index.astype(float), "value": row.to_numpy(dtype=float)})
    return df.sort_values("wind_speed", ignore_index=True)


def nominal_power_kw(turbine_type: str) -> float:
    """Rated power of a bundled turbine type.

    Parameters
    ----------
    turbine_type : str
        A name of :func:`turbine_types`.

    Returns
    -------
    float
        The library's ``nominal_power`` [kW], else the power curve's maximum [kW].
    """
    tab = _turbine_table()
    row = tab[tab["turbine_type"] == turbine_type]
    if len(row) and "nominal_power" in row and np.isfinite(row["nominal_power"].iloc[0]):
        return float(row["nominal_power"].iloc[0]) / 1000.0
    return float(power_curve(turbine_type)["value"].max()) / 1000.0


class WindFarm(BaseModel):
    """A group of identical wind turbines at one site.

    Attributes are the YAML keys of ``wind[i]`` in a scenario.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    turbine_type: str = Field(description="windpowerlib turbine type, e.g. 'E-126/4200' (see turbine_types())")
    count: int = Field(
        default=1, ge=1, le=MAX_COUNT, description="number of turbines [-]; upper bound lingtan.limits.MAX_COUNT"
    )
    hub_height_m: float = Field(gt=0, le=300, description="hub height above ground [m]")
    measurement_height_m: float = Field(
        default=10.0, gt=0, le=300, description="height of the weather's wind_speed above ground [m]"
    )
    shear: Literal["power_law", "log"] = Field(
        default="power_law", description="vertical extrapolation: power law (Hellman) or logarithmic profile"
    )
    shear_exponent: float = Field(
        default=0.143, ge=0, le=1, description="power-law exponent; 0.143 = GB/T 18710-2002 open terrain [-]"
    )
    roughness_length_m: float = Field(default=0.1, gt=0, le=5, description="roughness length for the log law [m]")
    loss_fraction: float = Field(default=0.10, ge=0, lt=1, description="wake, availability and electrical losses [-]")
    density_correction: bool = Field(
        default=True, description="correct the power curve for hub-height air density (Svenningsen)"
    )

    @field_validator("turbine_type")
    @classmethod
    def _known_turbine(cls, v: str) -> str:
        known = turbine_types()
        if v not in known:
            close = [t for t in known if v.split("/")[0].lower() in t.lower()][:5]
            hint = f"; similar: {close}" if close else ""
            raise ValueError(f"unknown turbine_type {v!r} (not in windpowerlib's bundled library{hint})")
        return v

    @property
    def nominal_power_kw(self) -> float:
        """Rated power of one turbine.

        Returns
        -------
        float
            :func:`nominal_power_kw` of ``turbine_type`` [kW].
        """
        return nominal_power_kw(self.turbine_type)


def hub_wind_speed(weather: pd.DataFrame, farm: WindFarm) -> pd.Series:
    """Wind speed at hub height [m/s].

    Power law ``v_hub = v (h_hub / h_meas) ** alpha`` with ``alpha =
    shear_exponent`` (GB/T 18710-2002 [2]_; ``windpowerlib.wind_speed.hellman``)
    or the logarithmic profile with ``roughness_length_m``
    (``windpowerlib.wind_speed.logarithmic_profile``).

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather; ``wind_speed`` [m/s] at ``farm.measurement_height_m`` (negative values read as 0).
    farm : WindFarm
        Heights [m], the shear law and its exponent [-] or roughness length [m].

    Returns
    -------
    pandas.Series
        ``wind_speed_hub`` [m/s] on the weather's index.
    """
    v = weather["wind_speed"].clip(lower=0.0).astype(float)
    if farm.shear == "power_law":
        out = wpl_wind_speed.hellman(
            v, farm.measurement_height_m, farm.hub_height_m, hellman_exponent=farm.shear_exponent
        )
    else:
        out = wpl_wind_speed.logarithmic_profile(
            v, farm.measurement_height_m, farm.hub_height_m, farm.roughness_length_m
        )
    return pd.Series(np.asarray(out, dtype=float), index=weather.index, name="wind_speed_hub")


def hub_air_density(weather: pd.DataFrame, altitude_m: float, farm: WindFarm) -> pd.Series:
    """Air density at hub height [kg/m3].

    Temperature at hub height by windpowerlib's linear gradient (-6.5 K/km)
    from ``temp_air`` at 2 m; density by windpowerlib's barometric formula
    (-1/8 hPa per m, ideal gas [5]_) from ``pressure`` at the ground. Without
    a ``pressure`` column the ISA pressure at ``altitude_m`` is used.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather; ``temp_air`` [C] at 2 m and, if present, ``pressure`` [Pa] at the ground.
    altitude_m : float
        Site elevation [m].
    farm : WindFarm
        Its ``hub_height_m`` [m].

    Returns
    -------
    pandas.Series
        ``density_hub`` [kg/m3] on the weather's index.
    """
    t_air_k = weather["temp_air"].astype(float) + 273.15
    t_hub_k = wpl_temperature.linear_gradient(t_air_k, _TEMPERATURE_HEIGHT_M, farm.hub_height_m)
    if "pressure" in weather:
        p_pa = weather["pressure"].astype(float)
    else:
        p_pa = pd.Series(101325.0 * (1 - 2.25577e-5 * altitude_m) ** 5.25588, index=weather.index)
    rho = wpl_density.barometric(p_pa, 0.0, farm.hub_height_m, t_hub_k)
    return pd.Series(np.asarray(rho, dtype=float), index=weather.index, name="density_hub")


def wind_kw_per_turbine(weather: pd.DataFrame, altitude_m: float, farm: WindFarm) -> pd.Series:
    """Hourly electrical output of one turbine of the farm, after losses.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather, tz-aware index; ``wind_speed`` [m/s] at
        ``farm.measurement_height_m``; ``temp_air`` [C] and ``pressure`` [Pa]
        (used when ``farm.density_correction``).
    altitude_m : float
        Site elevation [m]; used for the ISA pressure when the weather has no
        ``pressure`` column.
    farm : WindFarm
        The turbines: type, heights, shear, losses, density correction.

    Returns
    -------
    pandas.Series
        Power per turbine [kW] (= hourly energy [kWh]), non-negative, equal
        to the power-curve output times ``(1 - loss_fraction)``. Multiply by
        ``farm.count`` for the farm.

    Notes
    -----
    The power curve is interpolated linearly and is zero below its first and
    above its last wind speed (windpowerlib ``power_curve``). With
    ``density_correction`` the curve is corrected to the hub-height density
    by Svenningsen's method [3]_ (windpowerlib
    ``power_curve_density_correction``): the curve's wind speeds are scaled
    by ``(1.225 / rho) ** e`` with ``e`` = 1/3 below 7.5 m/s, 2/3 above 12.5
    m/s and linear in between, so lower density gives less power at the same
    speed below rated, as IEC 61400-12-1 [4]_ normalisation implies.
    """
    v_hub = hub_wind_speed(weather, farm)
    pc = power_curve(farm.turbine_type)
    rho = hub_air_density(weather, altitude_m, farm) if farm.density_correction else None
    p_w = wpl_power.power_curve(
        v_hub, pc["wind_speed"], pc["value"], density=rho, density_correction=farm.density_correction
    )
    p_kw = pd.Series(np.asarray(p_w, dtype=float), index=weather.index).fillna(0.0).clip(lower=0.0)
    p_kw = p_kw / 1000.0 * (1.0 - farm.loss_fraction)
    p_kw.name = "p_kw_per_turbine"
    return p_kw
