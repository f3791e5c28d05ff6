"""Tests of lingtan.components.space: degree-hour space heating and cooling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lingtan.components.space import (
    SpaceConditioning,
    degree_hours,
    space_cooling_p_kw,
    space_cooling_q_kw_th,
    space_heat_q_kw_th,
)


def test_heating_zero_above_balance_and_linear_below():
    sp = SpaceConditioning(name="hall", ua_kw_per_k=20.0, balance_point_heating_c=15.0)
    t = np.array([30.0, 15.0, 14.0, 5.0, -5.0])
    q = space_heat_q_kw_th(t, sp)
    assert np.array_equal(q, [0.0, 0.0, 20.0, 200.0, 400.0])  # 20 kW/K x (15 - T)
    # the year's heat is UA x degree-hours below the balance point
    temps = np.linspace(-10, 35, 8760)
    assert space_heat_q_kw_th(temps, sp).sum() == pytest.approx(20.0 * degree_hours(temps, 15.0, "heating"))


@settings(max_examples=200, deadline=None)
@given(t=st.floats(-40, 45), dt=st.floats(0, 20), ua=st.floats(0.01, 500), tb=st.floats(5, 22))
def test_heating_linearity_property(t, dt, ua, tb):
    sp = SpaceConditioning(name="h", ua_kw_per_k=ua, balance_point_heating_c=tb, cooling=False)
    q1, q2 = float(space_heat_q_kw_th(t, sp)), float(space_heat_q_kw_th(t - dt, sp))
    if t >= tb:
        assert q1 == 0.0
    else:
        assert q1 == pytest.approx(ua * (tb - t))
    # colder never needs less heat; below the balance point, q grows by UA per kelvin
    assert q2 >= q1
    if t < tb:
        assert q2 - q1 == pytest.approx(ua * dt, rel=1e-9, abs=1e-9)


def test_cooling_and_chiller_power():
    sp = SpaceConditioning(name="hall", ua_kw_per_k=10.0, balance_point_cooling_c=24.0, cooling_cop=5.0)
    q = space_cooling_q_kw_th(np.array([20.0, 24.0, 30.0]), sp)
    assert np.array_equal(q, [0.0, 0.0, 60.0])
    assert np.allclose(space_cooling_p_kw(q, sp), [0.0, 0.0, 12.0])
    with pytest.raises(ValueError):
        space_cooling_p_kw(q, SpaceConditioning(name="x", ua_kw_per_k=1.0))


def test_defaults_area_gains_occupancy():
    # 10 000 m2 at 1.5 W/(m2 K) -> UA 15 kW/K; 60 kW of gains lower both balance points by 4 K
    sp = SpaceConditioning(
        name="hall", heated_area_m2=10_000, specific_heat_loss_w_per_m2_k=1.5, internal_gains_kw=60.0
    )
    assert sp.ua == pytest.approx(15.0)
    assert sp.balance_heating_c == pytest.approx(14.0) and sp.balance_cooling_c == pytest.approx(22.0)
    plain = SpaceConditioning(name="office", ua_kw_per_k=1.0)
    assert plain.balance_heating_c == 18.0 and plain.balance_cooling_c == 26.0  # HDD18 / CDD26 bases
    q = space_heat_q_kw_th(np.array([0.0, 0.0]), sp, occupied=np.array([True, False]))
    assert np.allclose(q, [15.0 * 14.0, 0.0])
    off = SpaceConditioning(name="store", ua_kw_per_k=1.0, heating=False)
    assert space_heat_q_kw_th(np.array([-10.0]), off)[0] == 0.0


def test_validation():
    with pytest.raises(ValidationError):
        SpaceConditioning(name="x")
    with pytest.raises(ValidationError):
        SpaceConditioning(name="x", ua_kw_per_k=1.0, heated_area_m2=100.0, specific_heat_loss_w_per_m2_k=1.0)
    with pytest.raises(ValidationError):
        SpaceConditioning(name="x", heated_area_m2=100.0)
    with pytest.raises(ValidationError):
        SpaceConditioning(name="x", ua_kw_per_k=1.0, balance_point_heating_c=25.0, balance_point_cooling_c=20.0)
    with pytest.raises(ValueError):
        degree_hours([1.0], 18.0, "both")
