"""Photovoltaic arrays: parameters and the hourly AC output per kWp.

Two models share one irradiance front end:

``model="pvwatts"`` (default)
    Reproduces NREL PVWatts version 8 (SAM's ``pvwattsv8`` compute module)
    with pvlib's published implementations of each PVWatts sub-model, so that
    the result can be checked against PySAM (``lingtan.validation.sam``). Every step
    names the PVWatts choice it follows and the pvlib function used.
``model="physical"``
    A CEC single-diode module and a CEC (Sandia-form) inverter from the SAM
    databases bundled with pvlib (``pvlib.pvsystem.retrieve_sam``, no network),
    strings sized from ``capacity_kwp`` and ``dc_ac_ratio``.

Conventions (see DESIGN.md)
---------------------------
* ``weather`` holds hourly means labelled at the interval START, tz-aware
  index, pvlib column names. The sun is placed at mid-interval
  (``index + 30 min``) for every angle in the chain.
* The output is AC power per kWp of DC nameplate [kW/kWp], i.e. the hourly
  energy per kWp [kWh/kWp], non-negative, already multiplied by the
  degradation factor ``(1 - degradation_fraction_per_year) ** age_years``.
  Degradation is applied to DC power before the inverter, as PVWatts v8 does
  (so an aged array clips less).

References
----------
.. [1] Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
.. [2] NREL (2022). PVWatts Version 8 changes, SAM help "PVWatts v8" and
       SSC source ``cmod_pvwattsv8.cpp`` (module types, De Soto cover model,
       self-shading, bifacial). https://github.com/NREL/ssc
.. [3] Perez, R., Ineichen, P., Seals, R., Michalsky, J., Stewart, R. (1990).
       Modeling daylight availability and irradiance components from direct
       and global irradiance. Solar Energy 44(5), 271-289.
.. [4] De Soto, W., Klein, S. A., Beckman, W. A. (2006). Improvement and
       validation of a model for photovoltaic array performance. Solar Energy
       80(1), 78-88.
.. [5] Fuentes, M. K. (1987). A simplified thermal model for flat-plate
       photovoltaic arrays. SAND85-0330, Sandia National Laboratories.
.. [6] King, D. L., Boyson, W. E., Kratochvil, J. A. (2004). Photovoltaic
       array performance model. SAND2004-3535 (air-mass modifier, elevation
       correction of air mass).
.. [7] Brandemuehl, M. J., Beckman, W. A. (1980). Transmission of diffuse
       radiation through CPC and flat plate collector glazings. Solar Energy
       24(5), 511-513 (effective incidence angles, Duffie & Beckman eqs.
       5.4.1 and 5.4.2).
.. [8] Marion, W. F., Dobos, A. P. (2013). Rotation angle for the optimum
       tracking of one-axis trackers. NREL/TP-6A20-58891; Anderson, K.,
       Mikofski, M. (2020). Slope-aware backtracking for single-axis trackers.
       NREL/TP-5K00-76626.
.. [9] Passias, D., Kallback, B. (1984). Shading effects in rows of solar cell
       panels. Solar Cells 11, 281-291 (row-to-row sky-diffuse masking; no
       longer used by the PVWatts path, see [10]_).
.. [10] Deline, C., Dobos, A., Janzou, S., Meydbray, J., Donovan, M. (2013).
       A simplified model of uniform shading in large photovoltaic arrays.
       Solar Energy 96, 274-282 (PVWatts/SAM self-shading: sky-diffuse and
       ground-reflected derates of regular rows).
.. [11] Marion, B., MacAlpine, S., Deline, C., Asgharzadeh, A., Toor, F.,
       Riley, D., Stein, J., Hansen, C. (2017). A practical irradiance model
       for bifacial PV modules. 44th IEEE PVSC, 1537-1542 (2D view factors of
       infinitely long rows).
.. [12] Mikofski, M., Darawali, R., Hamer, M., Neubert, A., Newmiller, J.
       (2019). Bifacial performance modeling in large arrays. 46th IEEE PVSC,
       1282-1287 (infinite sheds: row-to-sky and row-to-ground view factors,
       shaded ground fraction); implemented in ``pvlib.bifacial.utils`` and
       ``pvlib.bifacial.infinite_sheds`` (Anderson, Jensen, Hansen, IEEE JPV
       2026).
.. [13] Reda, I., Andreas, A. (2004). Solar position algorithm for solar
       radiation applications. Solar Energy 76(5), 577-589 (SPA; refraction
       correction, eq. 42); implemented in ``pvlib.spa``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.cell_temperature import fuentes
from lingtan.limits import MAX_AGE_YEARS, MAX_DC_AC_RATIO, MAX_POWER_KW
from lingtan.weather.pvlib_lazy import lazy_pvlib

# pvlib's sub-modules load when first used (import time: its __init__ loads all of them).
pvlib = lazy_pvlib()

# ---------------------------------------------------------------------------
# PVWatts v8 constants (SAM help "PVWatts v8 - Module type"; ssc
# cmod_pvwattsv8.cpp). All three v8 module types have an anti-reflective (AR)
# coated glass cover; they differ in temperature coefficient of power.
# ---------------------------------------------------------------------------
PVWATTS_MODULE_TYPES: dict[str, dict[str, float | bool]] = {
    "standard": {"gamma_pdc_per_c": -0.0037, "ar_glass": True},
    "premium": {"gamma_pdc_per_c": -0.0035, "ar_glass": True},
    "thin_film": {"gamma_pdc_per_c": -0.0032, "ar_glass": True},
}
"""PVWatts v8 module types: temperature coefficient [1/C] and cover."""

PVWATTS_INOCT_OPEN_RACK_C = 45.0
"""Installed NOCT of the Fuentes model for open-rack arrays in PVWatts [C] [1]_."""
PVWATTS_MODULE_HEIGHT_M = 5.0
"""Module height above ground assumed by PVWatts' Fuentes model [m] [1]_."""
PVWATTS_WIND_HEIGHT_M = 9.144
"""Height at which PVWatts assumes the weather file's wind is measured [m] [1]_."""
PVWATTS_ETA_INV_REF = 0.9637
"""Reference inverter efficiency of the PVWatts inverter curve [-] [1]_."""

# Cover optics used by PVWatts v8 (De Soto et al. 2006 [4]_ with an AR layer):
# glass n = 1.526, extinction K = 4 /m, thickness L = 2 mm; AR coating n = 1.3.
COVER_N_GLASS = 1.526
COVER_K_GLASS_PER_M = 4.0
COVER_L_GLASS_M = 0.002
COVER_N_AR = 1.3

# De Soto et al. (2006) [4]_ air-mass modifier polynomial coefficients
# (a0..a4), used by PVWatts v8 as its spectral correction; SAPM form [6]_.
DESOTO_AM_COEFFS = (0.918093, 0.086257, -0.024459, 0.002816, -0.000126)

PERF_SOLAR_CONSTANT_PEREZ_W_M2 = 1367.0
"""Extraterrestrial DNI used in PVWatts' Perez sky brightness (no eccentricity) [W/m2]."""

DEFAULT_MODULE_NAME = "Jinko_Solar__Co___Ltd_JKM400M_72L"
"""Default CEC module for ``model='physical'``: a 400 W, 72-cell mono-Si module."""
DEFAULT_INVERTER_NAME = "Canadian_Solar_Inc___CSI_60KTL_CT__480V_"
"""Default CEC inverter for ``model='physical'``: a 60 kW three-phase string inverter."""


class PVArray(BaseModel):
    """A PV array (one orientation, one tracking mode) and its inverters.

    Attributes are the YAML keys of ``pv[i]`` in a scenario.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    capacity_kwp: float = Field(
        ge=0,
        le=MAX_POWER_KW,
        description="DC nameplate at STC [kWp]; 0 for none (a sweep's baseline); upper bound "
        "lingtan.limits.MAX_POWER_KW",
    )
    max_capacity_kwp: float | None = Field(
        default=None,
        gt=0,
        le=MAX_POWER_KW,
        description="largest DC nameplate the array's roof or land can hold [kWp] (a site limit for optimal "
        "design, twin size --method lp); None: no limit; upper bound lingtan.limits.MAX_POWER_KW",
    )
    block_kwp: float | None = Field(
        default=None,
        gt=0,
        le=MAX_POWER_KW,
        description="the unit the array is built in [kWp] (an inverter block or a string): twin size --method lp "
        "rounds the array up to whole blocks (down where max_capacity_kwp binds) and solves again with it fixed; "
        "None: any size",
    )
    model: Literal["pvwatts", "physical"] = Field(
        default="pvwatts", description="'pvwatts' (PVWatts v8 chain) or 'physical' (CEC module + CEC inverter)"
    )
    tilt_deg: float = Field(
        default=20.0, ge=0, le=90, description="surface tilt, or tracker axis tilt for single_axis [deg]"
    )
    azimuth_deg: float = Field(
        default=180.0,
        ge=0,
        le=360,
        description="surface azimuth, or tracker axis azimuth for single_axis, clockwise from north, 180 = south [deg]",
    )
    tracking: Literal["fixed", "single_axis"] = "fixed"
    gcr: float = Field(
        default=0.4,
        gt=0,
        lt=1,
        description="ground coverage ratio (module width / row pitch) for tracker backtracking and row shading [-]",
    )
    max_angle_deg: float = Field(default=60.0, gt=0, le=90, description="tracker rotation limit [deg]")
    backtrack: bool = Field(default=True, description="trackers backtrack to avoid row-to-row beam shading")
    dc_ac_ratio: float = Field(
        default=1.2,
        gt=0,
        le=MAX_DC_AC_RATIO,
        description="DC nameplate / AC nameplate [-]; upper bound lingtan.limits.MAX_DC_AC_RATIO",
    )
    losses_fraction: float = Field(
        default=0.14,
        ge=0,
        lt=1,
        description="PVWatts total system losses (soiling, wiring, mismatch, availability, ...) [-]",
    )
    inverter_efficiency: float = Field(
        default=0.96, gt=0.5, le=1, description="PVWatts nominal inverter efficiency [-]"
    )
    module_type: Literal["standard", "premium", "thin_film"] = Field(
        default="standard", description="PVWatts v8 module type; sets gamma_pdc_per_c unless given"
    )
    gamma_pdc_per_c: float = Field(
        default=-0.0037,
        ge=-0.02,
        le=0.0,
        description="temperature coefficient of DC power [1/C]; default from module_type",
    )
    albedo: float = Field(default=0.2, ge=0, le=1, description="ground reflectance [-]")
    degradation_fraction_per_year: float = Field(
        default=0.005, ge=0, lt=1, description="DC power degradation per year [1/yr]"
    )
    age_years: float = Field(
        default=0.0,
        ge=0,
        le=MAX_AGE_YEARS,
        description="array age in the simulated year [yr]; upper bound lingtan.limits.MAX_AGE_YEARS",
    )
    module_name: str = Field(
        default=DEFAULT_MODULE_NAME, description="model='physical': module key in pvlib's bundled CEC module database"
    )
    inverter_name: str = Field(
        default=DEFAULT_INVERTER_NAME,
        description="model='physical': inverter key in pvlib's bundled CEC inverter database",
    )

    @model_validator(mode="before")
    @classmethod
    def _gamma_from_module_type(cls, data):
        # PVWatts v8: the module type sets the temperature coefficient. An
        # explicit gamma_pdc_per_c wins over the module type.
        if isinstance(data, dict) and "gamma_pdc_per_c" not in data:
            mt = data.get("module_type", "standard")
            if mt in PVWATTS_MODULE_TYPES:
                data = {**data, "gamma_pdc_per_c": PVWATTS_MODULE_TYPES[mt]["gamma_pdc_per_c"]}
        return data

    @model_validator(mode="after")
    def _within_site(self) -> PVArray:
        if self.max_capacity_kwp is not None and self.capacity_kwp > self.max_capacity_kwp:
            raise ValueError(
                f"capacity_kwp ({self.capacity_kwp:g}) exceeds the site's max_capacity_kwp ({self.max_capacity_kwp:g})"
            )
        return self

    @model_validator(mode="after")
    def _known_equipment(self) -> PVArray:
        if self.model == "physical":
            if self.capacity_kwp == 0:
                raise ValueError(
                    "the physical model lays out modules and inverters from capacity_kwp, so it needs "
                    "capacity_kwp > 0; use model: pvwatts for a zero-size array"
                )
            if self.module_name not in _cec_modules().columns:
                raise ValueError(f"module_name {self.module_name!r} is not in pvlib's CEC module database")
            if self.inverter_name not in _cec_inverters().columns:
                raise ValueError(f"inverter_name {self.inverter_name!r} is not in pvlib's CEC inverter database")
        return self

    @property
    def degradation_factor(self) -> float:
        """DC power factor after ``age_years`` of degradation, ``(1 - d) ** age`` [-]."""
        return (1.0 - self.degradation_fraction_per_year) ** self.age_years

    @property
    def ac_capacity_kw(self) -> float:
        """AC nameplate (inverter output limit) [kW] = capacity_kwp / dc_ac_ratio."""
        return self.capacity_kwp / self.dc_ac_ratio


# ---------------------------------------------------------------------------
# bundled databases (read once; pvlib ships them, no network)
# ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _cec_modules() -> pd.DataFrame:
    return pvlib.pvsystem.retrieve_sam("CECMod")


@lru_cache(maxsize=1)
def _cec_inverters() -> pd.DataFrame:
    return pvlib.pvsystem.retrieve_sam("cecinverter")


def cec_module(name: str) -> pd.Series:
    """CEC module parameters from pvlib's bundled SAM database.

    Parameters
    ----------
    name : str
        Column name in the database (:attr:`PVArray.module_name`).

    Returns
    -------
    Series
        The module's CEC parameters.
    """
    return _cec_modules()[name]


def cec_inverter(name: str) -> pd.Series:
    """CEC inverter (Sandia model form) parameters from pvlib's bundled SAM database.

    Parameters
    ----------
    name : str
        Column name in the database (:attr:`PVArray.inverter_name`).

    Returns
    -------
    Series
        The inverter's parameters (``Paco`` [W], ``Vdco`` [V], ...).
    """
    return _cec_inverters()[name]


def physical_layout(array: PVArray) -> dict[str, float]:
    """String layout of one inverter for ``model='physical'``.

    ``modules_per_string`` puts the string's STC maximum-power voltage at the
    inverter's nominal DC voltage ``Vdco`` (kept below ``Vdcmax`` at the module
    open-circuit voltage); ``strings_per_inverter`` (fractional, since output
    is per kWp) makes the inverter's DC nameplate equal ``dc_ac_ratio`` times
    its AC rating ``Paco``.

    Parameters
    ----------
    array : PVArray
        The array (``module_name``, ``inverter_name``, ``dc_ac_ratio``).

    Returns
    -------
    dict
        ``modules_per_string`` [-], ``strings_per_inverter`` [-],
        ``dc_kwp_per_inverter`` [kWp], ``module_stc_w`` [W].
    """
    mod = cec_module(array.module_name)
    inv = cec_inverter(array.inverter_name)
    vmp, voc = float(mod["V_mp_ref"]), float(mod["V_oc_ref"])
    n_series = max(1, int(round(float(inv["Vdco"]) / vmp)))
    n_series = min(n_series, max(1, int(float(inv["Vdcmax"]) // voc)))
    p_stc_w = float(mod["STC"])
    dc_w = float(inv["Paco"]) * array.dc_ac_ratio
    strings = dc_w / (n_series * p_stc_w)
    return {
        "modules_per_string": float(n_series),
        "strings_per_inverter": strings,
        "dc_kwp_per_inverter": dc_w / 1000.0,
        "module_stc_w": p_stc_w,
    }


# ---------------------------------------------------------------------------
# shared front end: sun, surface, plane-of-array irradiance
# ---------------------------------------------------------------------------
def _check_weather(weather: pd.DataFrame) -> None:
    if not isinstance(weather.index, pd.DatetimeIndex) or weather.index.tz is None:
        raise ValueError("weather must have a tz-aware DatetimeIndex (hourly, labelled at interval start)")
    missing = {"dni", "dhi", "temp_air", "wind_speed"} - set(weather.columns)
    if missing:
        raise ValueError(f"weather lacks columns {sorted(missing)}")


def solar_position_mid_interval(
    weather: pd.DataFrame, latitude: float, longitude: float, altitude_m: float
) -> pd.DataFrame:
    """Solar position at mid-interval (index + 30 min), indexed like ``weather``.

    pvlib's NREL SPA, from :func:`lingtan.weather.closure.mid_interval_solar_position` (computed
    once for the weather year and site), with the atmospheric refraction correction redone
    for the hour's pressure [Pa] and air temperature [C] when the weather provides them, as
    SPA does it (Reda & Andreas 2004 [13]_, eq. 42: ``pvlib.spa.atmospheric_refraction_correction``
    with pvlib's default refraction at sunrise/sunset, 0.5667 deg).

    Parameters
    ----------
    weather : DataFrame
        Canonical hourly weather; ``pressure`` [Pa] and ``temp_air`` [C] are used when present.
    latitude, longitude : float
        Site [deg], north and east positive.
    altitude_m : float
        Site altitude [m].

    Returns
    -------
    DataFrame
        pvlib's ``get_solarposition`` columns (``zenith``, ``apparent_zenith``, ``azimuth`` ... [deg]).
    """
    from lingtan.weather.closure import mid_interval_solar_position

    sp = mid_interval_solar_position(weather.index, latitude, longitude, altitude_m)
    if "pressure" in weather or "temp_air" in weather:
        pressure_pa = (
            weather["pressure"].to_numpy(dtype=float)
            if "pressure" in weather
            else pvlib.atmosphere.alt2pres(altitude_m)
        )
        temp_c = weather["temp_air"].to_numpy(dtype=float) if "temp_air" in weather else 12.0
        e0 = sp["elevation"].to_numpy()
        e = e0 + pvlib.spa.atmospheric_refraction_correction(pressure_pa / 100, temp_c, e0, 0.5667)
        sp["apparent_elevation"] = e
        sp["apparent_zenith"] = 90 - e
    return sp


def surface_orientation(array: PVArray, sp: pd.DataFrame) -> pd.DataFrame:
    """Orientation of the modules and the sun's angle of incidence on them, hour by hour.

    Parameters
    ----------
    array : PVArray
        Array parameters (fixed, or single-axis tracker with its axis, limit and backtracking).
    sp : pandas.DataFrame
        Solar position at mid-interval (:func:`solar_position_mid_interval`), ``apparent_zenith``
        and ``azimuth`` [deg].

    Returns
    -------
    pandas.DataFrame
        ``surface_tilt``, ``surface_azimuth``, ``aoi`` [deg], and for trackers ``tracker_theta``
        [deg] (rotation, 0 when the sun is down), indexed like ``sp``.
    """
    zen, azi = sp["apparent_zenith"], sp["azimuth"]
    if array.tracking == "fixed":
        aoi = pvlib.irradiance.aoi(array.tilt_deg, array.azimuth_deg, zen, azi)
        return pd.DataFrame(
            {"surface_tilt": float(array.tilt_deg), "surface_azimuth": float(array.azimuth_deg), "aoi": aoi},
            index=sp.index,
        )
    # Single-axis tracker: true-tracking rotation (Marion & Dobos 2013) with
    # optional backtracking (Anderson & Mikofski 2020) [8]_, axis along
    # azimuth_deg tilted by tilt_deg, as PVWatts' 1-axis array types.
    tr = pvlib.tracking.singleaxis(
        zen,
        azi,
        axis_tilt=array.tilt_deg,
        axis_azimuth=array.azimuth_deg,
        max_angle=array.max_angle_deg,
        backtrack=array.backtrack,
        gcr=array.gcr,
    )
    out = pd.DataFrame(
        {
            "surface_tilt": tr["surface_tilt"].fillna(array.tilt_deg),
            "surface_azimuth": tr["surface_azimuth"].fillna(array.azimuth_deg),
            "aoi": tr["aoi"].fillna(90.0),
            "tracker_theta": tr["tracker_theta"].fillna(0.0),
        },
        index=sp.index,
    )
    return out


def poa_irradiance(weather: pd.DataFrame, array: PVArray, sp: pd.DataFrame, surf: pd.DataFrame) -> pd.DataFrame:
    """Plane-of-array beam, sky-diffuse and ground-reflected irradiance [W/m2].

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly ``dni``, ``dhi`` [W/m2] (``temp_air``, ``wind_speed`` unused here).
    array : PVArray
        Albedo, and for trackers the GCR and axis of the row view factors.
    sp : pandas.DataFrame
        Solar position at mid-interval (:func:`solar_position_mid_interval`) [deg].
    surf : pandas.DataFrame
        Module orientation (:func:`surface_orientation`) [deg].

    Returns
    -------
    pandas.DataFrame
        ``beam``, ``sky``, ``ground`` [W/m2] on the module plane, zero with the sun down, indexed
        like ``weather``.

    Notes
    -----
    PVWatts v8 transposes the file's DNI and DHI with the Perez (1990) model
    [3]_ using the 'allsitescomposite1990' coefficient set, the Kasten (1966)
    relative air mass and a constant extraterrestrial DNI of 1367 W/m2 in the
    sky-brightness parameter (no Earth-Sun distance correction), and treats
    the ground-reflected part with the global horizontal irradiance rebuilt
    from the lingtan.components, ``DNI cos(z) + DHI`` (not the file's GHI). We do the
    same with ``pvlib.irradiance.perez`` and ``get_ground_diffuse``. This
    matters for the CSWD files, whose components do not close on GHI.
    """
    zen = sp["apparent_zenith"]
    dni = _clip(weather["dni"], 0.0)
    dhi = _clip(weather["dhi"], 0.0)
    cosz = _clip(np.cos(np.radians(zen)), 0.0)
    up = zen < 90.0
    am_rel = pvlib.atmosphere.get_relative_airmass(zen, model="kasten1966")
    sky = pvlib.irradiance.perez(
        surf["surface_tilt"],
        surf["surface_azimuth"],
        dhi,
        dni,
        PERF_SOLAR_CONSTANT_PEREZ_W_M2,
        zen,
        sp["azimuth"],
        am_rel,
        model="allsitescomposite1990",
    )
    sky = _clip(sky.fillna(0.0), 0.0)
    beam = _clip(dni * np.cos(np.radians(surf["aoi"])), 0.0)
    ghi_components = dni * cosz + dhi
    ground = pvlib.irradiance.get_ground_diffuse(surf["surface_tilt"], ghi_components, albedo=array.albedo)
    up_np = up.to_numpy()
    poa = pd.DataFrame(
        {k: _zero_nan(np.where(up_np, v, 0.0)) for k, v in (("beam", beam), ("sky", sky), ("ground", ground))},
        index=weather.index,
    )

    if array.tracking == "single_axis":
        poa = _row_view_factor_derate(poa, weather, array, sp, surf)
    return poa


def _row_view_factor_derate(
    poa: pd.DataFrame, weather: pd.DataFrame, array: PVArray, sp: pd.DataFrame, surf: pd.DataFrame
) -> pd.DataFrame:
    """Row-to-row blocking of sky-diffuse and ground-reflected irradiance on tracker rows.

    PVWatts v8 applies self-shading to 1-axis arrays at the given GCR [2]_:
    it scales the transposed (Perez) sky diffuse by the ratio of the sky view
    factor of a row surface in an array of infinitely long rows, averaged over
    the slant height, to the unobstructed ``(1 + cos beta) / 2``, and derates
    the ground-reflected part for the rows' blocking of the ground view and
    the rows' shadows on the ground (Deline et al. 2013 [10]_). We use the
    same published 2D view-factor geometry as pvlib implements it
    (Marion et al. 2017 [11]_, Mikofski et al. 2019 [12]_,
    ``pvlib.bifacial.utils``):

    * sky: ``F_sky = vf_row_sky_2d_integ(beta, gcr) / ((1 + cos beta) / 2)``
      applied to the Perez sky diffuse (PVWatts' choice: the view-factor
      ratio is isotropic, the transposition is not);
    * ground: ``albedo * (DNI cos z * f_gnd,beam + DHI) *
      vf_row_ground_2d_integ(beta, gcr)``, where ``vf_row_ground_2d_integ`` is
      the slant-height average view factor from the row to the ground between
      the rows (the facing row blocks the rest) and
      ``f_gnd,beam = 1 - min(1, gcr |cos theta + sin theta tan psi|)`` the
      unshaded fraction of the ground between rows (``theta`` tracker
      rotation, ``psi`` the projected solar zenith angle,
      ``pvlib.shading.projected_solar_zenith_angle``) [12]_. The sky
      diffuse reaching the ground is not reduced (as in PVWatts).

    PVWatts v8's ground term multiplies ``albedo sin^2(beta/2)`` by the
    absolute view factor ``F3`` (= ``vf_row_ground_2d_integ``) instead of the
    ratio to ``sin^2(beta/2)``, which removes ~90 % of the ground-reflected
    light of interior rows; we keep the physically consistent ratio, a
    difference of <= 1 % of POA for albedo 0.2 (see tests/components/test_pv.py).
    """
    from pvlib.bifacial.utils import vf_row_ground_2d_integ, vf_row_sky_2d_integ

    gcr = array.gcr
    tilt = surf["surface_tilt"].to_numpy(dtype=float)
    cos_t = np.cos(np.radians(tilt))
    f_sky = np.asarray(vf_row_sky_2d_integ(tilt, gcr, 0.0, 1.0), dtype=float) / ((1.0 + cos_t) / 2.0)
    poa["sky"] = poa["sky"] * np.clip(np.nan_to_num(f_sky, nan=1.0), 0.0, 1.0)

    zen = sp["apparent_zenith"]
    psi = pvlib.shading.projected_solar_zenith_angle(
        zen,
        sp["azimuth"],
        axis_tilt=array.tilt_deg,
        axis_azimuth=array.azimuth_deg,
    )
    theta = np.radians(surf["tracker_theta"].to_numpy(dtype=float))
    psi = np.radians(np.clip(np.asarray(psi, dtype=float), -89.0, 89.0))
    shaded = np.clip(gcr * np.abs(np.cos(theta) + np.sin(theta) * np.tan(psi)), 0.0, 1.0)
    dni = weather["dni"].clip(lower=0.0).to_numpy(dtype=float)
    dhi = weather["dhi"].clip(lower=0.0).to_numpy(dtype=float)
    cosz = np.cos(np.radians(zen.to_numpy(dtype=float))).clip(0.0, None)
    vf_gnd = np.asarray(vf_row_ground_2d_integ(tilt, gcr), dtype=float)
    ground = array.albedo * (dni * cosz * (1.0 - np.nan_to_num(shaded)) + dhi) * np.nan_to_num(vf_gnd)
    up = (zen < 90.0).to_numpy()
    poa["ground"] = np.where(up, ground, 0.0)
    return poa


def _clip(s: pd.Series, lower: float, upper: float | None = None) -> pd.Series:
    """``s.clip(lower, upper)`` on the array: the same numbers (numpy's maximum and minimum keep NaN and -0.0 as
    pandas' clip does) without pandas' alignment machinery, which cost a tenth of a PV year."""
    v = np.maximum(s.to_numpy(dtype=float), lower)
    return pd.Series(v if upper is None else np.minimum(v, upper), index=s.index, name=s.name)


def _zero_nan(v: np.ndarray) -> np.ndarray:
    """NaN to 0, infinities kept (``fillna(0.0)``, unlike ``numpy.nan_to_num``)."""
    return np.where(np.isnan(v), 0.0, v)


def _effective_angles_deg(tilt_deg):
    """Brandemuehl & Beckman (1980) [7]_ effective incidence angles [deg].

    Duffie & Beckman eq. 5.4.2 (sky diffuse) and 5.4.1 (ground reflected).
    """
    t = np.asarray(tilt_deg, dtype=float)
    sky = 59.7 - 0.1388 * t + 0.001497 * t**2
    gnd = 90.0 - 0.5788 * t + 0.002693 * t**2
    return sky, gnd


def _transmitted_poa_pvwatts(poa: pd.DataFrame, surf: pd.DataFrame, ar_glass: bool) -> pd.Series:
    """Irradiance transmitted through the module cover [W/m2].

    PVWatts v8 replaced v5's empirical ASHRAE-like beam IAM with the physical
    (Fresnel + Bouguer absorption) cover model of De Soto et al. (2006) [4]_,
    applied separately to beam (at the angle of incidence), sky diffuse and
    ground-reflected (at the Brandemuehl & Beckman effective angles [7]_),
    with an AR-coated glass cover for the beam. pvlib's ``iam.physical``
    implements that model (with the AR layer via ``n_ar``). Diffuse parts
    use the plain glass cover, as in PVWatts v8.
    """
    n_ar = COVER_N_AR if ar_glass else None
    aoi = _clip(surf["aoi"], 0.0, 89.0)
    k_beam = pvlib.iam.physical(aoi, n=COVER_N_GLASS, K=COVER_K_GLASS_PER_M, L=COVER_L_GLASS_M, n_ar=n_ar)
    th_sky, th_gnd = _effective_angles_deg(surf["surface_tilt"])
    k_sky = pvlib.iam.physical(th_sky, n=COVER_N_GLASS, K=COVER_K_GLASS_PER_M, L=COVER_L_GLASS_M)
    k_gnd = pvlib.iam.physical(th_gnd, n=COVER_N_GLASS, K=COVER_K_GLASS_PER_M, L=COVER_L_GLASS_M)
    k_beam = np.clip(np.nan_to_num(np.asarray(k_beam, dtype=float)), 0.0, 1.0)
    k_sky = np.clip(np.nan_to_num(np.asarray(k_sky, dtype=float)), 0.0, 1.0)
    k_gnd = np.clip(np.nan_to_num(np.asarray(k_gnd, dtype=float)), 0.0, 1.0)
    t = poa["beam"] * k_beam + poa["sky"] * k_sky + poa["ground"] * k_gnd
    return _clip(t, 0.0)


def spectral_factor_pvwatts(sp: pd.DataFrame, altitude_m: float) -> pd.Series:
    """Air-mass (spectral) modifier of PVWatts v8 [-].

    Parameters
    ----------
    sp : pandas.DataFrame
        Solar position at mid-interval, ``apparent_zenith`` [deg].
    altitude_m : float
        Site elevation above sea level [m].

    Returns
    -------
    pandas.Series
        Modifier [-], non-negative, 0 with the sun down, indexed like ``sp``.

    Notes
    -----
    The SAPM/De Soto polynomial in absolute air mass [4]_ [6]_:
    Kasten & Young (1989) relative air mass, scaled to the site by
    ``exp(-0.0001184 h)`` (King et al. 2004 [6]_), i.e. a pressure of
    ``101325 exp(-0.0001184 h)`` Pa. The polynomial is evaluated here as
    ``pvlib.spectrum.spectral_factor_sapm`` does (``numpy.polyval``, NaN to 0,
    negatives to 0; ``tests/components/test_pv.py`` holds the two equal), because
    importing ``pvlib.spectrum`` imports scipy.integrate, which nothing else in a run needs.
    """
    am_rel = pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"], model="kastenyoung1989")
    am_abs = pvlib.atmosphere.get_absolute_airmass(am_rel, pressure=101325.0 * np.exp(-0.0001184 * altitude_m))
    a0, a1, a2, a3, a4 = DESOTO_AM_COEFFS
    f = np.polyval([a4, a3, a2, a1, a0], np.asarray(am_abs, dtype=float))
    f = np.maximum(0, np.where(np.isnan(f), 0, f))
    return pd.Series(f, index=sp.index)


def effective_irradiance_pvwatts(
    poa: pd.DataFrame, surf: pd.DataFrame, sp: pd.DataFrame, altitude_m: float, module_type: str
) -> pd.Series:
    """Irradiance the cells convert, after the cover and the spectrum, as PVWatts v8 [W/m2].

    Parameters
    ----------
    poa : pandas.DataFrame
        ``beam``, ``sky``, ``ground`` on the module plane (:func:`poa_irradiance`) [W/m2].
    surf : pandas.DataFrame
        Module orientation (:func:`surface_orientation`) [deg].
    sp : pandas.DataFrame
        Solar position at mid-interval [deg].
    altitude_m : float
        Site elevation above sea level [m].
    module_type : {"standard", "premium", "thin_film"}
        PVWatts v8 module type (all three have an AR-coated cover).

    Returns
    -------
    pandas.Series
        Cover-transmitted POA times the air-mass modifier [W/m2].
    """
    ar_glass = bool(PVWATTS_MODULE_TYPES[module_type]["ar_glass"])
    return _transmitted_poa_pvwatts(poa, surf, ar_glass) * spectral_factor_pvwatts(sp, altitude_m)


def cell_temperature_pvwatts(poa_global: pd.Series, temp_air, wind_speed) -> pd.Series:
    """Cell temperature of PVWatts: Fuentes (1987) [5]_ for an open rack [C].

    Parameters
    ----------
    poa_global : pandas.Series
        Total (untransmitted) plane-of-array irradiance [W/m2] on an hourly DatetimeIndex.
    temp_air : array_like
        Air temperature [C].
    wind_speed : array_like
        Wind speed at about 10 m [m/s]; negative values count as calm.

    Returns
    -------
    pandas.Series
        Cell temperature [C], indexed like ``poa_global``.

    Notes
    -----
    INOCT 45 C, module at 5 m, wind measured at 9.144 m, as PVWatts [1]_; computed by
    ``lingtan.components.cell_temperature.fuentes``, the compiled equal of ``pvlib.temperature.fuentes``.
    """
    return fuentes(
        poa_global,
        temp_air,
        np.clip(np.asarray(wind_speed, dtype=float), 0.0, None),
        noct_installed=PVWATTS_INOCT_OPEN_RACK_C,
        module_height=PVWATTS_MODULE_HEIGHT_M,
        wind_height=PVWATTS_WIND_HEIGHT_M,
    )


def dc_kw_per_kwp_pvwatts(effective_irradiance: pd.Series, t_cell_c, gamma_pdc_per_c: float) -> pd.Series:
    """DC power of PVWatts per kWp of nameplate, before losses [kW/kWp].

    Parameters
    ----------
    effective_irradiance : pandas.Series
        Irradiance converted by the cells (:func:`effective_irradiance_pvwatts`) [W/m2].
    t_cell_c : array_like
        Cell temperature [C].
    gamma_pdc_per_c : float
        Temperature coefficient of DC power [1/C].

    Returns
    -------
    pandas.Series
        ``G_eff / 1000 (1 + gamma (T_cell - 25))`` [kW/kWp] (Dobos 2014 [1]_, eq. 1).

    Notes
    -----
    The formula of ``pvlib.pvsystem.pvwatts_dc`` (with ``pdc0 = 1``, no low-light correction)
    written in the same operations, so the numbers are the same to the bit
    (``tests/components/test_pv.py``): importing ``pvlib.pvsystem`` imports ``pvlib.spectrum``
    and with it scipy.integrate.
    """
    return effective_irradiance * 0.001 * (1 + gamma_pdc_per_c * (t_cell_c - 25.0))


def ac_kw_per_kwp_pvwatts(p_dc_kw_per_kwp: pd.Series, dc_ac_ratio: float, inverter_efficiency: float) -> pd.Series:
    """AC output of the PVWatts inverter per kWp of DC nameplate [kW/kWp].

    Parameters
    ----------
    p_dc_kw_per_kwp : pandas.Series
        DC input, losses included [kW/kWp].
    dc_ac_ratio : float
        DC nameplate / AC nameplate [-].
    inverter_efficiency : float
        Nominal inverter efficiency [-].

    Returns
    -------
    pandas.Series
        ``pvlib.inverter.pvwatts`` with ``eta_inv_nom = inverter_efficiency``, ``eta_inv_ref = 0.9637`` and
        ``pdc0 = P_ac,nameplate / eta_inv_nom`` (PVWatts' DC input at which the inverter reaches its AC
        nameplate), so the output is clipped at ``1 / dc_ac_ratio`` [kW/kWp] [1]_.
    """
    pac = pvlib.inverter.pvwatts(
        p_dc_kw_per_kwp,
        pdc0=(1.0 / dc_ac_ratio) / inverter_efficiency,
        eta_inv_nom=inverter_efficiency,
        eta_inv_ref=PVWATTS_ETA_INV_REF,
    )
    return pd.Series(np.asarray(pac, dtype=float), index=p_dc_kw_per_kwp.index)


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------
def pv_ac_kw_per_kwp(
    weather: pd.DataFrame,
    latitude: float,
    longitude: float,
    altitude_m: float,
    array: PVArray,
) -> pd.Series:
    """Hourly AC output of a PV array per kWp of DC nameplate.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather, tz-aware index labelled at the interval start, columns
        ``dni``, ``dhi`` [W/m2], ``temp_air`` [C], ``wind_speed`` [m/s] (at
        about 10 m), optionally ``pressure`` [Pa].
    latitude, longitude : float
        Site coordinates [deg], north and east positive.
    altitude_m : float
        Site elevation above sea level [m].
    array : PVArray
        Array parameters.

    Returns
    -------
    pandas.Series
        AC power per kWp [kW/kWp] (= hourly energy per kWp [kWh/kWp]),
        non-negative, degradation included, indexed like ``weather``.

    Notes
    -----
    ``model='pvwatts'`` follows PVWatts v8 [1]_ [2]_ step by step:

    1. sun at mid-interval (SPA, refraction with the hour's pressure and
       temperature); fixed surface or single-axis tracker with backtracking;
    2. Perez 1990 transposition of the file's DNI/DHI, ground-reflected from
       ``DNI cos z + DHI`` and the albedo;
    3. for trackers, row-to-row blocking of sky diffuse and ground-reflected
       irradiance at the GCR (2D view factors of infinite rows, as PVWatts v8);
       fixed arrays are modelled without row-to-row shading (roofs, or
       generous row spacing);
    4. De Soto physical cover (AR glass for beam), De Soto air-mass modifier
       (:func:`effective_irradiance_pvwatts`);
    5. Fuentes (1987) cell temperature from total POA, INOCT 45 C, module at
       5 m, wind at 9.144 m (:func:`cell_temperature_pvwatts`);
    6. PVWatts DC power with ``gamma_pdc_per_c`` (:func:`dc_kw_per_kwp_pvwatts`), times
       ``(1 - losses_fraction)`` and the degradation factor;
    7. the PVWatts inverter (:func:`ac_kw_per_kwp_pvwatts`), which clips AC output at the
       AC nameplate ``capacity_kwp / dc_ac_ratio``.

    Steps 1-3 are :func:`solar_position_mid_interval`, :func:`surface_orientation` and
    :func:`poa_irradiance`, pure functions that pvlib keeps apart in the same way.

    ``model='physical'`` uses the same irradiance (steps 1-3), the physical
    cover model for plain glass, the CEC single-diode model
    (``calcparams_cec`` + ``max_power_point``), SAPM open-rack cell
    temperature, the same ``losses_fraction`` and degradation, and the
    Sandia inverter model with CEC parameters (``pvlib.inverter.sandia``),
    night tare clipped to zero.
    """
    _check_weather(weather)
    sp = solar_position_mid_interval(weather, latitude, longitude, altitude_m)
    surf = surface_orientation(array, sp)
    poa = poa_irradiance(weather, array, sp, surf)
    poa_total = poa["beam"] + poa["sky"] + poa["ground"]
    up = sp["apparent_zenith"] < 90.0
    derate = (1.0 - array.losses_fraction) * array.degradation_factor

    if array.model == "pvwatts":
        g_eff = effective_irradiance_pvwatts(poa, surf, sp, altitude_m, array.module_type)
        t_cell = cell_temperature_pvwatts(poa_total, weather["temp_air"], weather["wind_speed"])
        pdc = dc_kw_per_kwp_pvwatts(g_eff, t_cell, array.gamma_pdc_per_c)
        on = (up & (poa_total > 0)).to_numpy()
        pdc = pd.Series(np.maximum(np.where(on, (pdc * derate).to_numpy(dtype=float), 0.0), 0.0), index=pdc.index)
        pac = ac_kw_per_kwp_pvwatts(pdc, array.dc_ac_ratio, array.inverter_efficiency)
    else:
        pac = _physical_ac_kw_per_kwp(weather, array, sp, surf, poa, derate)

    pac = pd.Series(np.maximum(_zero_nan(pac.to_numpy(dtype=float)), 0.0), index=pac.index, name="p_kw_per_kwp")
    return pac


def _physical_ac_kw_per_kwp(weather, array, sp, surf, poa, derate) -> pd.Series:
    mod = cec_module(array.module_name)
    inv = cec_inverter(array.inverter_name)
    lay = physical_layout(array)
    aoi = surf["aoi"].clip(lower=0.0, upper=89.0)
    # Plain-glass physical cover (De Soto 2006 [4]_), the CEC model's default.
    k_beam = np.nan_to_num(pvlib.iam.physical(aoi))
    th_sky, th_gnd = _effective_angles_deg(surf["surface_tilt"])
    eff = (
        poa["beam"] * k_beam
        + poa["sky"] * np.nan_to_num(pvlib.iam.physical(th_sky))
        + poa["ground"] * np.nan_to_num(pvlib.iam.physical(th_gnd))
    ).clip(lower=0.0)
    poa_total = poa["beam"] + poa["sky"] + poa["ground"]
    # SAPM open-rack glass/polymer cell temperature (King et al. 2004 [6]_).
    tp = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]
    t_cell = pvlib.temperature.sapm_cell(poa_total, weather["temp_air"], weather["wind_speed"], **tp)
    il, i0, rs, rsh, nnsvth = pvlib.pvsystem.calcparams_cec(
        eff,
        t_cell,
        mod["alpha_sc"],
        mod["a_ref"],
        mod["I_L_ref"],
        mod["I_o_ref"],
        mod["R_sh_ref"],
        mod["R_s"],
        mod["Adjust"],
    )
    mpp = pvlib.pvsystem.max_power_point(il, i0, rs, rsh, nnsvth, method="newton")
    ok = eff > 1.0
    v_mp = (mpp["v_mp"] * lay["modules_per_string"]).where(ok, 0.0)
    p_mp = (mpp["p_mp"] * lay["modules_per_string"] * lay["strings_per_inverter"]).where(ok, 0.0)
    p_dc = (p_mp * derate).clip(lower=0.0)
    p_ac_w = pvlib.inverter.sandia(v_dc=v_mp.where(ok, float(inv["Vdco"])), p_dc=p_dc, inverter=inv)
    p_ac_w = pd.Series(np.asarray(p_ac_w, dtype=float), index=weather.index).clip(lower=0.0)
    p_ac_w = p_ac_w.where(ok, 0.0)
    return p_ac_w / 1000.0 / lay["dc_kwp_per_inverter"]
