"""Tests of lingtan.components.hydrogen: electrolysers, stores, fuel cells, the origin of hydrogen."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from lingtan.components import hydrogen as h
from lingtan.validation.plant_cases import ELECTROLYSER_CURVES, electrolyser_curve_errors


def electrolyser(**kw: object) -> h.Electrolyser:
    args: dict[str, object] = {
        "name": "el",
        "technology": "alkaline",
        "capacity_p_kw": 1000.0,
        "efficiency": 0.6,
        "efficiency_min_load": 0.7,
        "min_load_fraction": 0.2,
        "degradation_pct_per_kh": 0.1,
        "stack_life_h": 80_000.0,
    }
    args.update(kw)
    return h.Electrolyser(**args)


def fuel_cell(**kw: object) -> h.FuelCell:
    args: dict[str, object] = {"name": "fc", "capacity_p_kw": 100.0, "heat_efficiency_min_load": 0.45, "t_c": 60.0}
    args.update(kw)
    return h.FuelCell(**args)


def store(**kw: object) -> h.HydrogenStore:
    args: dict[str, object] = {"name": "tank", "capacity_kg": 1000.0, "compression_kwh_per_kg": 1.7}
    args.update(kw)
    return h.HydrogenStore(**args)


def test_lhv():
    # 119.96 MJ/kg / 3.6 MJ/kWh = 33.3222 kWh/kg
    assert h.H2_LHV_KWH_PER_KG == pytest.approx(33.3222, abs=1e-4)


# ---------------------------------------------------------------------------------------
# Electrolyser
# ---------------------------------------------------------------------------------------
def test_electrolyser_coefficients_hand_case():
    # slope = (0.6 - 0.2 x 0.7) / (1 - 0.2) = 0.46 / 0.8 = 0.575; intercept = 0.6 - 0.575 = 0.025
    slope, intercept = h.electrolyser_coefficients(electrolyser())
    assert slope == pytest.approx(0.575, abs=1e-15)
    assert intercept == pytest.approx(0.025, abs=1e-15)


@pytest.mark.parametrize(
    ("eta1", "eta_m", "m"), [(0.6, 0.7, 0.2), (0.587, 0.62, 0.15), (0.55, 0.45, 0.05), (0.5, 0.5, 0.3)]
)
def test_electrolyser_line_passes_through_both_points(eta1, eta_m, m):
    e = electrolyser(efficiency=eta1, efficiency_min_load=eta_m, min_load_fraction=m)
    h2_kw, _ = h.electrolyser_h2([m * 1000.0, 1000.0], e)
    assert abs(h2_kw[0] - eta_m * m * 1000.0) < 1e-12 * 1000.0
    assert abs(h2_kw[1] - eta1 * 1000.0) < 1e-12 * 1000.0


def test_electrolyser_h2_hand_case():
    e = electrolyser()
    h2_kw, h2_kg = h.electrolyser_h2([0.0, 200.0, 600.0, 1000.0], e)
    # 200 kW: 1000 (0.575 x 0.2 + 0.025) = 140 = 0.7 x 200; 600 kW: 1000 (0.345 + 0.025) = 370; 1000 kW: 600
    np.testing.assert_allclose(h2_kw, [0.0, 140.0, 370.0, 600.0], rtol=1e-12)
    # 370 kWh / (119.96 / 3.6 kWh/kg) = 1332 / 119.96 = 11.10370 kg in the hour
    assert h2_kg[2] == pytest.approx(1332.0 / 119.96, rel=1e-12)
    # efficiency along the line: 0.7 at 20 %, 370 / 600 = 0.6167 at 60 %, 0.6 at 100 %: it rises as the load falls
    assert h2_kw[2] / 600.0 == pytest.approx(0.616667, abs=1e-6)


def test_electrolyser_degradation():
    e = electrolyser()
    # 10,000 h at 0.1 %/kh: factor 1 - 0.001 x 10 = 0.99; at 600 kW 370 x 0.99 = 366.3 kW
    assert h.degradation_factor(e, 10_000.0) == pytest.approx(0.99, abs=1e-15)
    h2_kw, _ = h.electrolyser_h2(600.0, e, operating_h=10_000.0)
    assert h2_kw == pytest.approx(366.3, rel=1e-12)
    # end of stack life: 80,000 h -> 1 - 0.001 x 80 = 0.92
    assert h.degradation_factor(e, 80_000.0) == pytest.approx(0.92, abs=1e-15)
    with pytest.raises(ValueError, match="operating_h"):
        h.degradation_factor(e, 80_001.0)
    with pytest.raises(ValueError, match="operating_h"):
        h.degradation_factor(e, -1.0)


def test_electrolyser_inverse():
    e = electrolyser()
    # 370 kW of hydrogen -> x = (0.370 - 0.025) / 0.575 = 0.6 -> 600 kW
    assert h.electrolyser_p_for_h2(370.0, e) == pytest.approx(600.0, rel=1e-12)
    assert h.electrolyser_p_for_h2(366.3, e, operating_h=10_000.0) == pytest.approx(600.0, rel=1e-12)
    # below what minimum load makes (140 kW): off; above what the rating makes (600 kW): the rating
    np.testing.assert_allclose(h.electrolyser_p_for_h2([139.0, 140.0, 700.0], e), [0.0, 200.0, 1000.0], rtol=1e-12)
    # round trip over the whole running range
    p = np.linspace(200.0, 1000.0, 17)
    for op in (0.0, 40_000.0):
        h2_kw, _ = h.electrolyser_h2(p, e, operating_h=op)
        np.testing.assert_allclose(h.electrolyser_p_for_h2(h2_kw, e, operating_h=op), p, rtol=1e-12)


def test_electrolyser_off_below_min_load():
    e = electrolyser()
    assert h.electrolyser_h2(0.0, e)[0] == 0.0
    with pytest.raises(ValueError, match="p_kw"):
        h.electrolyser_h2(199.0, e)
    with pytest.raises(ValueError, match="p_kw"):
        h.electrolyser_h2(1000.1, e)


def test_electrolyser_technology_defaults():
    # IRENA 2020 load ranges; DEA 10 MW 2025 degradation and stack replacement
    a = h.Electrolyser(name="a", technology="alkaline", capacity_p_kw=1.0, efficiency=0.587, efficiency_min_load=0.6)
    p = h.Electrolyser(name="p", technology="pem", capacity_p_kw=1.0, efficiency=0.55, efficiency_min_load=0.6)
    assert (a.min_load_fraction, a.degradation_pct_per_kh, a.stack_life_h) == (0.15, 0.13, 80_000.0)
    assert (p.min_load_fraction, p.degradation_pct_per_kh, p.stack_life_h) == (0.05, 0.1725, 65_500.0)
    assert electrolyser(technology="pem").min_load_fraction == 0.2  # given beats default


def test_electrolyser_refusals():
    with pytest.raises(ValidationError, match="efficiency"):
        electrolyser(efficiency=1.05)  # above 1 on the LHV: an HHV figure or kWh/Nm3 mistaken
    with pytest.raises(ValidationError, match="efficiency_min_load"):
        electrolyser(efficiency_min_load=1.0)
    # rated 0.13 <= 0.2 x 0.7 = 0.14: the line would make less hydrogen at rated than at minimum load
    with pytest.raises(ValidationError, match="rise with power"):
        electrolyser(efficiency=0.13)
    # 2 %/kh over 60,000 h = 120 % of the efficiency
    with pytest.raises(ValidationError, match="leaves no efficiency"):
        electrolyser(degradation_pct_per_kh=2.0, stack_life_h=60_000.0)
    with pytest.raises(ValidationError, match="min_load_fraction"):
        electrolyser(min_load_fraction=1.0)
    with pytest.raises(ValidationError, match="extra"):
        electrolyser(efficiency_hhv=0.7)


@pytest.mark.parametrize("curve", sorted(ELECTROLYSER_CURVES))
def test_two_point_line_against_published_curve(curve):
    """The line through the curve's 20 % and 100 % points, at 40, 60 and 80 % (the curves and the comparison are
    ``twin validate``'s row ``plant.electrolyser_part_load``).

    Both curves are stack-dominated (efficiency rises as the load falls, all the way to 20 %): hydrogen against power
    is concave there, so the chord must lie below the curve; and it must be nearer the curve than a constant rated
    efficiency, the model it replaces. No numeric tolerance is fitted. The errors found (line, constant), hydrogen
    relative to the curve: alkaline -10.8 / -18.2 % at 40 %, -11.4 / -14.8 % at 60 %, -7.7 / -9.1 % at 80 %;
    PEM -8.3 / -14.9 %, -8.0 / -11.1 %, -6.6 / -7.8 %.
    """
    line, constant = electrolyser_curve_errors(*ELECTROLYSER_CURVES[curve])
    for a, b in zip(line, constant, strict=True):
        assert a < 0
        assert abs(a) < abs(b)


# ---------------------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------------------
def test_store_limits_and_flows():
    # default cushion 6 % of 1000 kg = 60 kg; initial defaults to the cushion
    assert h.store_limits_kg(store()) == pytest.approx((60.0, 1000.0, 60.0))
    assert h.store_limits_kg(store(initial_fraction=0.5))[2] == pytest.approx(500.0)
    # 10 kg at 1.7 kWh/kg = 17 kWh
    assert h.compression_e_kwh(10.0, store()) == pytest.approx(17.0)
    # 1 %/h over 2 h on 100 kg: 100 (1 - 0.99^2) = 1.99 kg; none by default
    assert h.store_standing_loss_kg(100.0, store(standing_loss_fraction_per_h=0.01), dt_h=2.0) == pytest.approx(1.99)
    assert h.store_standing_loss_kg(100.0, store()) == 0.0


def test_store_refusals():
    with pytest.raises(ValidationError, match="initial_fraction"):
        store(initial_fraction=0.01)
    with pytest.raises(ValidationError, match="compression_kwh_per_kg"):
        store(compression_kwh_per_kg=1700.0)  # per tonne by mistake
    with pytest.raises(ValidationError, match="compression_kwh_per_kg"):
        h.HydrogenStore(name="t", capacity_kg=1.0)  # no default: depends on pressures


# ---------------------------------------------------------------------------------------
# Fuel cell
# ---------------------------------------------------------------------------------------
def test_fuel_cell_coefficients_hand_case():
    # defaults e1 0.5, em 0.35, h1 0.4, m 0.1; hm 0.45 given
    # h2_slope = (2 - 0.1 / 0.35) / 0.9 = (12/7) / 0.9 = 40/21; h2_intercept = 2 - 40/21 = 2/21
    # heat_slope = (0.4/0.5 - 0.1 x 0.45/0.35) / 0.9 = (56/70 - 9/70) / 0.9 = 47/63; intercept = 0.8 - 47/63 = 17/315
    a, b, c, d = h.fuel_cell_coefficients(fuel_cell())
    assert (a, b, c, d) == pytest.approx((40 / 21, 2 / 21, 47 / 63, 17 / 315), abs=1e-14)


def test_fuel_cell_flows_hand_case():
    fc = fuel_cell()
    h2_kw, h2_kg, heat = h.fuel_cell_flows([0.0, 10.0, 55.0, 100.0], fc)
    # 10 kW: 10 / 0.35 = 28.5714 kW hydrogen, x 0.45 = 12.857 kW heat; 100 kW: 200 and 80
    # 55 kW: 100 (40 x 0.55 + 2) / 21 = 2400/21 = 114.286; heat 100 (47 x 0.55 / 63 + 17/315) = 2925/63 = 46.429
    np.testing.assert_allclose(h2_kw, [0.0, 10 / 0.35, 2400 / 21, 200.0], rtol=1e-12)
    np.testing.assert_allclose(heat, [0.0, 10 / 0.35 * 0.45, 2925 / 63, 80.0], rtol=1e-12)
    np.testing.assert_allclose(h2_kg, h2_kw / h.H2_LHV_KWH_PER_KG, rtol=1e-15)
    with pytest.raises(ValueError, match="p_kw"):
        h.fuel_cell_flows(9.0, fc)


def test_fuel_cell_refusals():
    with pytest.raises(ValidationError, match="full load electric 0.5 \\+ heat 0.5"):
        fuel_cell(heat_efficiency=0.5)
    with pytest.raises(ValidationError, match="0.1 load electric 0.35 \\+ heat 0.65"):
        fuel_cell(heat_efficiency_min_load=0.65)
    with pytest.raises(ValidationError, match="heat_efficiency_min_load"):
        h.FuelCell(name="f", capacity_p_kw=1.0, t_c=60.0)  # no source, no default
    # 1/0.3 - 0.5/0.1 < 0: less hydrogen at rated than at minimum load
    with pytest.raises(ValidationError, match="input must rise"):
        fuel_cell(electric_efficiency=0.3, electric_efficiency_min_load=0.1, min_load_fraction=0.5, heat_efficiency=0.3)


# ---------------------------------------------------------------------------------------
# Origin
# ---------------------------------------------------------------------------------------
def test_green_share():
    # (30 + 70 x 0.4) / 100 = 0.58
    assert h.green_share(30.0, 70.0, 0.4) == pytest.approx(0.58)
    np.testing.assert_allclose(h.green_share([10.0, 0.0, 0.0], [0.0, 5.0, 0.0]), [1.0, 0.0, 0.0])
    with pytest.raises(ValueError):
        h.green_share(-1.0, 1.0)
    with pytest.raises(ValueError):
        h.green_share(1.0, 1.0, 1.5)


def test_grades_and_grid_intensity():
    # 56.7 kWh x 0.5703 kgCO2/kWh / 1 kg = 32.336 kgCO2e/kg
    assert h.electricity_kgco2e_per_kg_h2(56.7, 1.0, 0.5703) == pytest.approx(32.33601)
    assert h.hydrogen_grade(32.3, renewable=False) == "none"
    assert h.hydrogen_grade(14.51, renewable=False) == "low_carbon"
    assert h.hydrogen_grade(14.52, renewable=True) == "none"
    assert h.hydrogen_grade(4.9, renewable=False) == "clean"
    assert h.hydrogen_grade(4.9, renewable=True) == "renewable"
    assert h.hydrogen_grade(5.0, renewable=True) == "low_carbon"
    with pytest.raises(ValueError):
        h.electricity_kgco2e_per_kg_h2(1.0, 0.0, 0.5)
