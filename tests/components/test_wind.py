"""Tests of lingtan.components.wind: power-curve fidelity, scaling, density, SAM agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from lingtan.components.wind import WindFarm, power_curve, turbine_types, wind_kw_per_turbine
from lingtan.validation.reference_weather import load_reference


def _weather(v, t_c=15.0, p_pa=101325.0):
    idx = pd.date_range("2025-01-01", periods=len(v), freq="h", tz="Asia/Shanghai")
    return pd.DataFrame({"wind_speed": np.asarray(v, float), "temp_air": t_c, "pressure": p_pa}, index=idx)


def test_turbine_library_offline():
    types = turbine_types()
    assert "E-126/4200" in types and len(types) > 50


def test_output_equals_curve_at_curve_points():
    # Hub-height wind = the curve's own speeds, standard density, no losses:
    # output equals the curve values exactly (kW).
    pc = power_curve("E-126/4200")
    farm = WindFarm(
        name="w",
        turbine_type="E-126/4200",
        hub_height_m=100,
        measurement_height_m=100,
        loss_fraction=0.0,
        density_correction=False,
    )
    p = wind_kw_per_turbine(_weather(pc["wind_speed"]), 0.0, farm)
    np.testing.assert_allclose(p.to_numpy(), pc["value"].to_numpy() / 1000.0, rtol=0, atol=1e-9)


def test_losses_and_count_scale_linearly():
    v = np.linspace(0, 26, 200)
    base = WindFarm(name="w", turbine_type="V90/2000", hub_height_m=80, loss_fraction=0.0)
    lossy = base.model_copy(update={"loss_fraction": 0.15})
    p0 = wind_kw_per_turbine(_weather(v), 50.0, base)
    p1 = wind_kw_per_turbine(_weather(v), 50.0, lossy)
    np.testing.assert_allclose(p1, 0.85 * p0, rtol=1e-12)
    five = WindFarm(name="w", turbine_type="V90/2000", hub_height_m=80, loss_fraction=0.0, count=5)
    np.testing.assert_allclose(wind_kw_per_turbine(_weather(v), 50.0, five) * five.count, 5 * p0, rtol=1e-12)


def test_density_correction_direction():
    # Same hub speed below rated: thinner air (high, warm site) gives less power.
    v = np.array([5.0, 7.0, 9.0])
    farm = WindFarm(name="w", turbine_type="E-82/2300", hub_height_m=80, measurement_height_m=80, loss_fraction=0.0)
    std = wind_kw_per_turbine(_weather(v, 15.0, 101325.0), 0.0, farm)
    thin = wind_kw_per_turbine(_weather(v, 25.0, 80000.0), 2000.0, farm)
    assert (thin < std).all()
    off = farm.model_copy(update={"density_correction": False})
    np.testing.assert_allclose(
        wind_kw_per_turbine(_weather(v, 25.0, 80000.0), 2000.0, off), wind_kw_per_turbine(_weather(v), 0.0, off)
    )


def test_shear_power_law_raises_speed():
    v = np.full(3, 5.0)
    farm = WindFarm(name="w", turbine_type="E-82/2300", hub_height_m=100, density_correction=False, loss_fraction=0)
    flat = farm.model_copy(update={"shear_exponent": 0.0})
    assert (wind_kw_per_turbine(_weather(v), 0, farm) > wind_kw_per_turbine(_weather(v), 0, flat)).all()


def _load(name, references):
    try:
        w, meta = load_reference(name)
    except FileNotFoundError as err:
        references.missing(str(err))
    return w, meta["altitude_m"]


@pytest.mark.parametrize("turbine", ["E-126/4200", "V90/2000"])
@pytest.mark.parametrize(
    "name", ["723170TYA.CSV", "CHN_Gansu.Jiuquan.525330_CSWD.epw", "CHN_Shanghai.Shanghai.583620_CSWD.epw"]
)
def test_annual_energy_matches_sam_windpower(name, turbine, references):
    # Like for like: same curve, same hub-height speed, standard density on
    # both sides (SAM's density correction differs from windpowerlib's by
    # design, see lingtan.validation.sam.windpower_kw), no wakes, SAM losses zero.
    references.module("PySAM.Windpower")
    from lingtan.validation.sam import windpower_kw

    w, alt = _load(name, references)
    farm = WindFarm(name="w", turbine_type=turbine, hub_height_m=100, count=4, density_correction=False)
    ours = wind_kw_per_turbine(w, alt, farm).sum() * farm.count
    sam = windpower_kw(w, farm, power_curve(turbine)).sum()
    assert abs(ours / sam - 1) < 0.02, (ours, sam)


@pytest.mark.parametrize(
    "bad",
    [
        {"turbine_type": "NoSuch/1000"},
        {"count": 0},
        {"hub_height_m": -10},
        {"loss_fraction": 1.0},
        {"shear": "cubic"},
        {"extra": 1},
    ],
)
def test_invalid_parameters_raise(bad):
    kw = {"name": "w", "turbine_type": "E-126/4200", "hub_height_m": 100, **bad}
    with pytest.raises(ValidationError):
        WindFarm(**kw)
