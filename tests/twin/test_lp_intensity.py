"""The unit-energy carbon row of a design (lingtan.twin.studies.lp.intensity): the affine model against the
accounting at another design, and a hand-worked design the row moves."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from support.lp_cases import battery_case

from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import build_profiles, simulate_profiles
from lingtan.twin.studies.lp.intensity import IntensityModel, intensity_model
from lingtan.twin.studies.lp.problem import CriterionRow, SizeCost
from lingtan.twin.studies.lp.solve import solve

ROOT = Path(__file__).resolve().parents[2]


def test_the_affine_model_gives_the_accounting_of_another_design():
    # The model is fitted around the heat-side factory as written (national 2022 grid factor, emissions after green
    # power, energy on the equivalent basis). At another design (PV doubled, no battery, 3 GWh more green power,
    # the heat pump halved: the gas boiler's heat moves) the accounting's emissions and energy are the model's at that
    # design's import, export, renewable electricity consumed (generation - export - curtailment), green power and
    # boiler heat: the accounting is affine in them. Tolerance: round-off of sums of order 1e4 t over steps of 1e4 kWh.
    sc = load_scenario(ROOT / "scenarios" / "hefei_auto_parts_heat.yaml")
    base = ROOT / "scenarios"
    model = intensity_model(sc, build_profiles(sc, base), "equivalent")
    other = sc.model_copy(
        update={
            "pv": [a.model_copy(update={"capacity_kwp": 2 * a.capacity_kwp}) for a in sc.pv],
            "battery": [],
            "green_power": sc.green_power.model_copy(
                update={"green_power_contract_e_kwh": sc.green_power.green_power_contract_e_kwh + 3e6}
            ),
            "heat_pumps": [h.model_copy(update={"capacity_q_kw_th": h.capacity_q_kw_th / 2}) for h in sc.heat_pumps],
        }
    )
    res = simulate_profiles(other, build_profiles(other, base))
    k = res.kpis
    served = k["heat"]["heat_served_e_kwh_th"]
    v = [
        k["grid_import_e_kwh"],
        k["grid_export_e_kwh"],
        k["re_generation_e_kwh"] - k["grid_export_e_kwh"] - k["curtailed_e_kwh"],
        other.green_power.green_power_contract_e_kwh,
        *(served[name.split(":", 1)[1]] for name in model.names[4:]),
    ]
    assert model.names[4:] == ("heat:gas_boiler",)
    assert abs(served["gas_boiler"] - model.v0[4]) > 0.01 * model.v0[4]  # the boiler's heat moved
    n, d = model.at(np.array(v, dtype=float))
    acc = res.accounting
    assert n == pytest.approx(acc.unit_energy_carbon.numerator_t, rel=1e-9)
    assert d == pytest.approx(acc.energy.total_tce("equivalent"), rel=1e-9)


def test_the_row_buys_renewables_by_hand():
    # 100 kW of load for three hours at 1 CNY/kWh, no battery; PV of a flat 1 kW per kWp at 5 CNY per kWp and year:
    # 3 kWh a year for 5 CNY does not pay, and without the row the LP buys none (300 CNY). A model with 1 kg CO2
    # per kWh imported and 0.1 kgce per kWh consumed (import + renewables), y = 5 t/tce:
    # 1e-3 I - 5 x 1e-4 (I + RE) <= 0, so I <= RE; with I + RE = 300, RE >= 150: 50 kWp, 250 + 150 = 400 CNY.
    model = IntensityModel(
        names=("import", "export", "re_consumed", "green_power"),
        v0=np.zeros(4),
        n0=0.0,
        d0=0.0,
        c_n=np.array([1e-3, 0.0, 0.0, 0.0]),
        c_d=np.array([1e-4, 0.0, 1e-4, 0.0]),
        basis="location",
        tce_basis="equivalent",
    )
    p = battery_case(
        "intensity",
        3,
        load_kw=np.full(3, 100.0),
        battery=None,
        sources=(("pv", "roof"),),
        unit_kw=np.ones((1, 3)),
        existing_size=np.zeros(1),
        max_size=np.full(1, np.inf),
        size_cost=(SizeCost("kWp", 5.0, 5.0, "test"),),
        variable_om_cny_per_kwh=np.zeros(1),
    )
    assert solve(p, "design").objective_cny == pytest.approx(300.0, rel=1e-9)
    held = replace(p, intensity=model, criteria=(CriterionRow("c", "intensity_max", 5.0),))
    s = solve(held, "design")
    assert s.sizes == pytest.approx([50.0], rel=1e-9)
    assert s.objective_cny == pytest.approx(400.0, rel=1e-9)
