"""The PyPSA model of the factory-year design: worked by hand on a tiny year, against the project's dispatch LP
at fixed sizes, the monthly demand charge, the renewable-share constraint and the scenarios it refuses."""

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from lingtan.errors import InputError
from lingtan.twin.studies.economics import crf
from lingtan.validation.pypsa_design import (
    DesignInputs,
    annualised_unit_cost,
    build_network,
    design_inputs,
    solve_network,
)

pytest.importorskip("pypsa", reason="PyPSA is a development extra")

HEFEI = Path(__file__).resolve().parents[2] / "scenarios" / "hefei_auto_parts.yaml"


def _tiny(**over) -> DesignInputs:
    """Two months of 3 steps each, no sun: the bill is the load's energy plus each month's peak."""
    base = dict(
        load_kw=np.array([100.0, 300.0, 200.0, 50.0, 80.0, 60.0]),
        pv_kw_per_kwp=np.zeros(6),
        price_cny_per_kwh=np.array([0.4, 1.0, 0.6, 0.4, 1.0, 0.6]),
        month=np.array([0, 0, 0, 1, 1, 1]),
        feed_in_cny_per_kwh=0.3,
        import_limit_kw=1000.0,
        export_limit_kw=0.0,
        demand_charge_cny_per_kw_month=48.0,
        pv_cny_per_kwp_year=300.0,
        battery_energy_cny_per_kwh_year=1e6,
        battery_power_cny_per_kw_year=0.0,
        charge_efficiency=0.95,
        discharge_efficiency=0.95,
        soc_min=0.1,
        soc_max=0.95,
    )
    return DesignInputs(**{**base, **over})


def test_tiny_year_without_sun_or_storage_pays_energy_and_each_months_peak():
    got = solve_network(build_network(_tiny()), _tiny())
    energy = 100 * 0.4 + 300 * 1.0 + 200 * 0.6 + 50 * 0.4 + 80 * 1.0 + 60 * 0.6  # 596 CNY
    demand = 48.0 * (300.0 + 80.0)  # the peak of each month, billed once
    assert got.pv_kwp == pytest.approx(0.0, abs=1e-6)
    assert got.battery_kwh == pytest.approx(0.0, abs=1e-6)
    assert got.energy_cost_cny == pytest.approx(energy, rel=1e-9)
    assert got.demand_charge_cny == pytest.approx(demand, rel=1e-9)
    assert got.annualised_cost_cny == pytest.approx(energy + demand, rel=1e-9)


def test_a_free_battery_shaves_the_peaks_by_hand():
    # Free lossless storage, SoC window 0..1, cyclic over the year: the import can be flat over all six steps.
    # 790 kWh in 6 steps: the two monthly peaks add up to at least 790 / 3 kW, reached when every step
    # imports its month's peak; the energy is then 2 CNY/kWh-of-peak in each month's three prices (0.4 + 1 + 0.6).
    d = _tiny(
        battery_energy_cny_per_kwh_year=0.0,
        charge_efficiency=1.0,
        discharge_efficiency=1.0,
        soc_min=0.0,
        soc_max=1.0,
        demand_charge_cny_per_kw_month=1000.0,
    )
    got = solve_network(build_network(d), d)
    assert got.demand_charge_cny == pytest.approx(1000.0 * 790.0 / 3.0, rel=1e-7)
    assert got.annualised_cost_cny == pytest.approx((1000.0 + 2.0) * 790.0 / 3.0, rel=1e-7)


def test_annualised_unit_cost_of_pv_by_hand():
    # The default PV: 3 000 CNY/kWp, life 25 yr = the period, so no replacement and no salvage: CRF x capex + O&M.
    from lingtan.twin.core.schema.economics import DEFAULT_COSTS

    pv = DEFAULT_COSTS["pv"]
    got = annualised_unit_cost(3000.0, pv, 0.08, 25)
    assert got == pytest.approx(3000.0 * (crf(0.08, 25) + 0.015), rel=1e-12)


@pytest.fixture(scope="module")
def hefei_week():
    d = design_inputs(HEFEI)
    week = slice(24 * 180, 24 * 187)  # a summer week, one month (July)
    return dataclasses.replace(
        d,
        load_kw=d.load_kw[week],
        pv_kw_per_kwp=d.pv_kw_per_kwp[week],
        price_cny_per_kwh=d.price_cny_per_kwh[week],
        month=d.month[week],
    )


def test_fixed_plant_dispatch_cost_equals_the_dispatch_lp(hefei_week):
    """At fixed sizes and without demand charges PyPSA's dispatch is the project's dispatch LP's cost optimum
    (``lingtan.validation.lp``, written directly against HiGHS): two independent formulations, one optimum."""
    from lingtan.validation.lp import Battery, solve

    kwp, kwh, kw = 12000.0, 8000.0, 4000.0
    d = dataclasses.replace(
        hefei_week,
        demand_charge_cny_per_kw_month=0.0,
        charge_efficiency=0.98,
        discharge_efficiency=0.90,
        soc_min=0.1,
        soc_max=0.95,
    )
    net = build_network(d)
    net.generators.loc["pv", ["p_nom_min", "p_nom_max"]] = kwp
    net.stores.loc["battery", ["e_nom_min", "e_nom_max"]] = kwh
    net.links.loc["battery charge", ["p_nom_min", "p_nom_max"]] = kw
    # The dispatch LP starts at the SoC floor and ends at or above it: the same, instead of a cyclic year.
    net.stores.loc["battery", "e_cyclic"] = False
    net.stores.loc["battery", "e_initial"] = d.soc_min * kwh
    got = solve_network(net, d)
    b = Battery(
        energy_kwh=kwh,
        charge_kw=kw,
        discharge_kw=kw,
        charge_efficiency=d.charge_efficiency,
        discharge_efficiency=d.discharge_efficiency,
        soc_min=d.soc_min,
        soc_max=d.soc_max,
    )
    ref = solve(
        kwp * d.pv_kw_per_kwp,
        d.load_kw,
        b,
        import_limit_kw=d.import_limit_kw,
        export_limit_kw=d.export_limit_kw,
        objective="min_cost",
        grid_charging=True,
        price_cny_per_kwh=d.price_cny_per_kwh,
        feed_in_cny_per_kwh=d.feed_in_cny_per_kwh,
    )
    assert ref.unserved_e_kwh == pytest.approx(0.0, abs=1e-6)
    assert got.energy_cost_cny - got.feed_in_revenue_cny == pytest.approx(ref.energy_cost_cny, rel=1e-7)


def test_renewable_share_constraint_binds_at_its_bound(hefei_week):
    free = solve_network(build_network(hefei_week), hefei_week)
    target = min(0.95, free.re_share + 0.10)
    d = dataclasses.replace(hefei_week, re_share_min=target)
    got = solve_network(build_network(d), d)
    assert got.re_share == pytest.approx(target, abs=1e-6)
    assert got.annualised_cost_cny > free.annualised_cost_cny
    assert got.pv_kwp > free.pv_kwp


def test_design_inputs_of_the_default_factory():
    d = design_inputs(HEFEI)
    assert len(d.load_kw) == 8760 and d.step_h == 1.0
    assert d.demand_charge_cny_per_kw_month == 48.0
    assert d.export_limit_kw == 6000.0 and d.import_limit_kw == 12000.0
    assert math.isinf(d.pv_max_kwp) and d.re_share_min is None


def test_design_inputs_refuses_a_plant_it_cannot_model(tmp_path):
    text = HEFEI.read_text(encoding="utf-8").replace(
        "  - {name: roof, capacity_kwp: 12000,",
        "  - {name: roof2, capacity_kwp: 1000, tilt_deg: 10, azimuth_deg: 90}\n  - {name: roof, capacity_kwp: 12000,",
    )
    path = tmp_path / "two_roofs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="one PV array"):
        design_inputs(path)
