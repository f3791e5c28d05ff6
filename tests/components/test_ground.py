"""Ground loops: the FLS g-function, its modes, and the fluid temperature they give."""

import numpy as np
import pytest
from scipy.special import exp1

from lingtan.components.ground import (
    GroundLoop,
    fls_valid_from_h,
    fluid_t_c_by_convolution,
    g_function,
    ground_k_per_kw,
    ground_modes,
    loop_fluid_t_c,
    resistance_k_per_kw,
)
from lingtan.validation.plant_cases import FIELD


def _loop(**kw) -> GroundLoop:
    """The reference field (5 x 4 boreholes of 120 m, 6 m apart), with ``kw`` changed and validated again."""
    return GroundLoop(**{**FIELD.model_dump(), **kw})


def test_long_single_borehole_tends_to_the_infinite_line_source():
    # Physics: a 1 000 m borehole whose top is at the surface, within a month: the heat has spread
    # sqrt(4 alpha t) = sqrt(4 x 0.909e-6 x 2.59e6) = 3.1 m, against 1 000 m of length, so the ends (and the
    # surface's image) change g by that order, 3e-3; the ILS is E1(r^2 / (4 alpha t)) / 2 (Carslaw and Jaeger).
    one = _loop(boreholes_x=1, boreholes_y=1, length_m=1000.0, buried_depth_m=0.0)
    t_h = np.array([10.0, 100.0, 720.0])
    a = one.diffusivity_m2_per_s
    ils = 0.5 * exp1(one.radius_m**2 / (4 * a * t_h * 3600.0))
    assert g_function(one, t_h) == pytest.approx(ils, rel=3e-3)
    # the FLS lies below the ILS (heat also leaves through the ends and the surface)
    assert (g_function(one, t_h) < ils).all()


def test_neighbours_add_to_the_drop_and_spacing_takes_it_away():
    # Physics: within a year, boreholes 6 m apart feel each other (sqrt(4 alpha t) = 11 m); 100 m apart they do not.
    t = np.array([8760.0])
    close = g_function(_loop(), t)[0]
    apart = g_function(_loop(spacing_m=100.0), t)[0]
    alone = g_function(_loop(boreholes_x=1, boreholes_y=1), t)[0]
    assert close > apart
    assert apart == pytest.approx(alone, rel=2e-3)


def test_modes_match_the_g_function_where_the_fls_holds():
    # The fit's own claim: from 5 r_b^2 / alpha (7.8 h here) to two years the modes follow the FLS.
    loop = _loop()
    modes = ground_modes(loop, 1.0)
    t = np.geomspace(fls_valid_from_h(loop), 2 * 8760.0, 300)
    fitted = (modes[:, 0][None, :] * (1.0 - modes[:, 1][None, :] ** t[:, None])).sum(axis=1)
    assert fitted == pytest.approx(ground_k_per_kw(loop) * g_function(loop, t), rel=1e-3)


def test_step_of_extraction_by_hand():
    # A step of 100 kW held from hour 0. Hour 0 sees the undisturbed ground: 18 C. Hour 1 sees the wall after one
    # hour of 100 kW plus the borehole resistance: K = 1000 / (2 pi 2.0 x 2400) = 0.033157 K/kW per unit g,
    # R = 1000 x 0.1 / 2400 = 0.041667 K/kW, so T = 18 - 100 (K g_modes(1 h) + R). At 1 000 h the wall term is
    # the FLS's (the modes hold there): 18 - 100 (K g(1000 h) + R).
    loop = _loop()
    q = np.full(1001, 100.0)
    t_f = loop_fluid_t_c(loop, q)
    assert t_f[0] == 18.0
    k, r = ground_k_per_kw(loop), resistance_k_per_kw(loop)
    assert k == pytest.approx(1000 / (2 * np.pi * 2.0 * 2400), rel=1e-12)
    assert r == pytest.approx(1000 * 0.1 / 2400, rel=1e-12)
    assert t_f[1000] == pytest.approx(18.0 - 100 * (k * g_function(loop, 1000.0) + r), abs=1e-3)


def test_modes_against_the_convolution_of_the_fls():
    # Physics against its approximation: a year of hourly extraction (a seasonal swing, noise, hours off), the
    # modes' recursion against the FLS superposed step by step. Before 5 r_b^2 / alpha the modes, concave, rise
    # faster than the S-shaped FLS (which is not the physics there either): every hour's change carries that
    # error for a few hours, so the two agree to 1 % of the drop, not to round-off.
    loop = _loop()
    rng = np.random.default_rng(3)
    hours = np.arange(8760)
    q = np.clip(150 * np.cos(2 * np.pi * hours / 8760) + 60 * rng.standard_normal(8760), 0, None)
    by_modes = loop_fluid_t_c(loop, q)
    exact = fluid_t_c_by_convolution(loop, q)
    drop = loop.t_ground_c - exact.min()
    assert drop > 5.0
    assert np.abs(by_modes - exact).max() < 0.01 * drop


def test_modes_for_a_quarter_hour_step_are_the_hourly_response():
    # The same ground on 15-minute steps: a step of 100 kW seen after 1 000 h (4 000 steps) is the hourly one.
    loop = _loop()
    hourly = loop_fluid_t_c(loop, np.full(1001, 100.0), 1.0)[1000]
    quarter = loop_fluid_t_c(loop, np.full(4001, 100.0), 0.25)[4000]
    assert quarter == pytest.approx(hourly, abs=1e-3)


def test_ground_properties_have_no_default():
    with pytest.raises(ValueError, match="conductivity_w_per_m_k"):
        GroundLoop(name="x", boreholes_x=1, length_m=100, heat_capacity_mj_per_m3_k=2, t_ground_c=17,
                   borehole_resistance_m_k_per_w=0.1)  # fmt: skip
