"""Tests of lingtan.components.pv: PVWatts v8 agreement with PySAM, physics sanity, parameters.

The 2 % agreement band with SAM PVWatts v8 on annual AC energy comes from
the project issue: the twin's PV model must reproduce PVWatts v8 closely on
the same weather and settings, so that users can trust a cross-check with
SAM. Both models see the same DNI/DHI, the same sun (mid-interval; SAM gets
``minute = 30``), the same albedo, losses, DC/AC ratio and inverter
efficiency; remaining differences are the cover (IAM) normalisation and the
Fuentes temperature implementation (see the report in validation/sam.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from lingtan.components.pv import PVArray, pv_ac_kw_per_kwp
from lingtan.validation.reference_weather import cswd_files, load_reference

TOLERANCE = 0.02  # from the issue; never widen


def load(name: str, references):
    """Reference weather by file name; a missing file goes to ``references.missing`` (root conftest)."""
    try:
        w, meta = load_reference(name)
    except FileNotFoundError as err:
        references.missing(str(err))
    return w, meta["latitude"], meta["longitude"], meta["altitude_m"], meta["tz_offset_h"]


def _cswd_files() -> list[str]:
    return [p.name for p in cswd_files()] or ["CSWD-missing.epw"]


def _compare(name: str, references, **kw) -> float:
    references.module("PySAM.Pvwattsv8")
    from lingtan.validation.sam import pvwatts_v8_ac_kw

    w, lat, lon, alt, tz = load(name, references)
    arr = PVArray(name="t", capacity_kwp=1000.0, **kw)
    ours = pv_ac_kw_per_kwp(w, lat, lon, alt, arr).sum() * arr.capacity_kwp
    sam = pvwatts_v8_ac_kw(w, lat, lon, alt, tz, arr).sum()
    return ours / sam - 1.0


# --- agreement with SAM PVWatts v8 --------------------------------------------
ORIENTATIONS = [(0, 180), (20, 180), (35, 180), (20, 135), (20, 270), (35, 135)]


@pytest.mark.parametrize("tilt,azimuth", ORIENTATIONS)
@pytest.mark.parametrize(
    "name", ["723170TYA.CSV", "703165TY.csv", "CHN_Anhui.Hefei.583210_CSWD.epw", "CHN_Gansu.Jiuquan.525330_CSWD.epw"]
)
def test_pvwatts_matches_sam_orientations(name, tilt, azimuth, references):
    rel = _compare(name, references, tilt_deg=tilt, azimuth_deg=azimuth)
    assert abs(rel) < TOLERANCE, f"{name} tilt {tilt} az {azimuth}: {rel:+.2%}"


@pytest.mark.parametrize("name", _cswd_files())
def test_pvwatts_matches_sam_all_cswd_stations(name, references):
    rel = _compare(name, references, tilt_deg=20, azimuth_deg=180)
    assert abs(rel) < TOLERANCE, f"{name}: {rel:+.2%}"


@pytest.mark.parametrize("gcr", [0.4, 0.2])
@pytest.mark.parametrize("name", ["723170TYA.CSV", "703165TY.csv", *_cswd_files()])
def test_pvwatts_tracker_matches_sam(name, gcr, references):
    # Single-axis N-S tracker with backtracking at the default GCR 0.4 and at 0.2.
    # Both models derate sky diffuse and ground-reflected irradiance for row-to-row
    # blocking with 2D view factors of infinite rows (Deline et al. 2013; pvlib's
    # vf_row_sky_2d_integ / vf_row_ground_2d_integ in the twin).
    rel = _compare(name, references, tilt_deg=0, azimuth_deg=180, tracking="single_axis", gcr=gcr, max_angle_deg=45)
    assert abs(rel) < TOLERANCE, f"{name} tracker gcr {gcr}: {rel:+.2%}"


def test_tracker_row_blocking_grows_with_gcr(greensboro):
    # Denser rows see less sky and less ground: output falls monotonically with GCR,
    # and at a very low GCR the derate vanishes (sky view factor ratio -> 1).
    w, lat, lon, alt, _ = greensboro
    tot = [
        pv_ac_kw_per_kwp(
            w,
            lat,
            lon,
            alt,
            PVArray(name="t", capacity_kwp=1, tilt_deg=0, tracking="single_axis", gcr=g, backtrack=False),
        ).sum()
        for g in (0.01, 0.2, 0.4, 0.6)
    ]
    assert tot[0] > tot[1] > tot[2] > tot[3]
    from pvlib.bifacial.utils import vf_row_sky_2d_integ

    assert vf_row_sky_2d_integ(30.0, 0.001) / ((1 + np.cos(np.radians(30.0))) / 2) == pytest.approx(1.0, abs=1e-3)


def test_pvwatts_matches_sam_with_clipping_and_premium_module(references):
    rel = _compare(
        "723170TYA.CSV", references, tilt_deg=25, dc_ac_ratio=1.5, module_type="premium", losses_fraction=0.10
    )
    assert abs(rel) < TOLERANCE


# --- physics -------------------------------------------------------------------
@pytest.fixture(scope="module")
def greensboro(references):
    return load("723170TYA.CSV", references)


def test_output_nonnegative_and_zero_at_night(greensboro):
    w, lat, lon, alt, _ = greensboro
    p = pv_ac_kw_per_kwp(w, lat, lon, alt, PVArray(name="r", capacity_kwp=10))
    assert (p >= 0).all() and p.index.equals(w.index)
    assert (p[w["ghi"] <= 0] == 0).all()
    # The annual energy of this array (the default 20 deg south-facing PVWatts array on this weather) is checked
    # against SAM PVWatts v8 within TOLERANCE by test_pvwatts_matches_sam_orientations[723170TYA.CSV-20-180].


def test_clipping_never_exceeds_ac_nameplate(greensboro):
    # AC per kWp never exceeds the AC nameplate per kWp, 1 / dc_ac_ratio
    # (PVWatts clips at P_ac0 = P_dc0 / dc_ac_ratio), and does clip.
    w, lat, lon, alt, _ = greensboro
    arr = PVArray(name="r", capacity_kwp=100, dc_ac_ratio=1.6, losses_fraction=0.0)
    p = pv_ac_kw_per_kwp(w, lat, lon, alt, arr)
    assert p.max() <= 1 / 1.6 + 1e-12
    assert np.isclose(p.max(), 1 / 1.6)


def test_degradation_factor_exact(greensboro):
    # Degradation scales DC power before the inverter, so an aged array with
    # ratio R equals the new array with ratio R*f, scaled by f:
    # ac_aged(R) == f * ac_new(R * f), f = (1 - d) ** age, exactly.
    w, lat, lon, alt, _ = greensboro
    d, age, ratio = 0.006, 7, 1.3
    f = (1 - d) ** age
    aged = PVArray(name="r", capacity_kwp=1, dc_ac_ratio=ratio, degradation_fraction_per_year=d, age_years=age)
    new = PVArray(name="r", capacity_kwp=1, dc_ac_ratio=ratio * f, degradation_fraction_per_year=d, age_years=0)
    assert aged.degradation_factor == pytest.approx(f, rel=1e-15)
    np.testing.assert_allclose(
        pv_ac_kw_per_kwp(w, lat, lon, alt, aged), f * pv_ac_kw_per_kwp(w, lat, lon, alt, new), rtol=1e-12, atol=1e-14
    )


def test_physical_model_close_to_pvwatts(greensboro):
    # The CEC single-diode module + CEC inverter should land within 10 % of
    # PVWatts: same irradiance, similar cover and temperature physics; the
    # rest is module efficiency at low light and inverter curve differences.
    w, lat, lon, alt, _ = greensboro
    pw = pv_ac_kw_per_kwp(w, lat, lon, alt, PVArray(name="a", capacity_kwp=100)).sum()
    ph = pv_ac_kw_per_kwp(w, lat, lon, alt, PVArray(name="a", capacity_kwp=100, model="physical")).sum()
    assert abs(ph / pw - 1) < 0.10, (ph, pw)


def test_physical_model_respects_inverter_limit(greensboro):
    from lingtan.components.pv import cec_inverter, physical_layout

    w, lat, lon, alt, _ = greensboro
    arr = PVArray(name="a", capacity_kwp=100, model="physical", dc_ac_ratio=1.5, losses_fraction=0.0)
    p = pv_ac_kw_per_kwp(w, lat, lon, alt, arr)
    lay = physical_layout(arr)
    limit = float(cec_inverter(arr.inverter_name)["Paco"]) / 1000 / lay["dc_kwp_per_inverter"]
    assert (p >= 0).all() and p.max() <= limit + 1e-9


# --- parameters ------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad",
    [
        {"capacity_kwp": -5},
        {"capacity_kwp": 0, "model": "physical"},
        {"tilt_deg": 95},
        {"tilt_deg": -1},
        {"azimuth_deg": 400},
        {"losses_fraction": 1.0},
        {"dc_ac_ratio": 0},
        {"tracking": "dual_axis"},
        {"unknown_key": 1},
        {"model": "physical", "module_name": "No_Such_Module"},
    ],
)
def test_invalid_parameters_raise(bad):
    kw = {"name": "x", "capacity_kwp": 10, **bad}
    with pytest.raises(ValidationError):
        PVArray(**kw)


def test_module_type_sets_gamma_and_frozen():
    assert PVArray(name="x", capacity_kwp=1).gamma_pdc_per_c == -0.0037
    assert PVArray(name="x", capacity_kwp=1, module_type="premium").gamma_pdc_per_c == -0.0035
    assert PVArray(name="x", capacity_kwp=1, module_type="thin_film").gamma_pdc_per_c == -0.0032
    assert PVArray(name="x", capacity_kwp=1, module_type="premium", gamma_pdc_per_c=-0.004).gamma_pdc_per_c == -0.004
    with pytest.raises(ValidationError):
        PVArray(name="x", capacity_kwp=1).capacity_kwp = 2


def test_solar_position_refraction_follows_the_hours_pressure_and_temperature():
    """The shared solar position (standard atmosphere) with refraction redone for each hour equals pvlib's
    SPA run with that hour's pressure and temperature. Tolerance 1e-9 deg: the same SPA equations on the
    same inputs, so only floating-point rounding may differ."""
    import pvlib

    from lingtan.components.pv import solar_position_mid_interval

    idx = pd.date_range("2023-01-01", periods=8760, freq="h", tz="Etc/GMT-8")
    rng = np.random.default_rng(3)
    w = pd.DataFrame(
        {"pressure": rng.uniform(90_000, 104_000, len(idx)), "temp_air": rng.uniform(-15, 40, len(idx))}, index=idx
    )
    sp = solar_position_mid_interval(w, 31.87, 117.23, 30.0)
    ref = pvlib.solarposition.get_solarposition(
        idx + pd.Timedelta(minutes=30),
        31.87,
        117.23,
        altitude=30.0,
        pressure=w["pressure"].to_numpy(),
        temperature=w["temp_air"].to_numpy(),
    )
    for col in ("apparent_zenith", "zenith", "apparent_elevation", "azimuth"):
        np.testing.assert_allclose(sp[col].to_numpy(), ref[col].to_numpy(), rtol=0, atol=1e-9, err_msg=col)
    # The kept solar position is handed out as a copy: changing one result leaves the next intact.
    sp["zenith"] = 0.0
    again = solar_position_mid_interval(w, 31.87, 117.23, 30.0)
    np.testing.assert_allclose(again["zenith"].to_numpy(), ref["zenith"].to_numpy(), rtol=0, atol=1e-9)


def test_pvwatts_steps_equal_pvlibs_own_functions(greensboro):
    """The air-mass modifier and the DC step are written out (importing pvlib.spectrum and pvlib.pvsystem costs
    scipy.integrate); on a year of real weather they equal pvlib's functions to the bit."""
    import pvlib

    from lingtan.components.pv import (
        DESOTO_AM_COEFFS,
        dc_kw_per_kwp_pvwatts,
        effective_irradiance_pvwatts,
        poa_irradiance,
        solar_position_mid_interval,
        spectral_factor_pvwatts,
        surface_orientation,
    )

    w, lat, lon, alt, _ = greensboro
    sp = solar_position_mid_interval(w, lat, lon, alt)
    am = pvlib.atmosphere.get_absolute_airmass(
        pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"], model="kastenyoung1989"),
        pressure=101325.0 * np.exp(-0.0001184 * alt),
    )
    ref = pvlib.spectrum.spectral_factor_sapm(
        am, dict(zip(("A0", "A1", "A2", "A3", "A4"), DESOTO_AM_COEFFS, strict=True))
    )
    f = spectral_factor_pvwatts(sp, alt)
    np.testing.assert_array_equal(f.to_numpy(), np.asarray(ref, dtype=float))
    assert (f > 0).any() and (f == 0).any()  # sun up and sun down both present

    arr = PVArray(name="r", capacity_kwp=1, module_type="premium")
    surf = surface_orientation(arr, sp)
    g = effective_irradiance_pvwatts(poa_irradiance(w, arr, sp, surf), surf, sp, alt, arr.module_type)
    t_cell = pd.Series(np.linspace(-10.0, 70.0, len(w)), index=w.index)
    np.testing.assert_array_equal(
        dc_kw_per_kwp_pvwatts(g, t_cell, arr.gamma_pdc_per_c).to_numpy(),
        pvlib.pvsystem.pvwatts_dc(g, t_cell, 1.0, arr.gamma_pdc_per_c).to_numpy(),
    )
