"""``twin size --method lp`` on a small park under Anhui's pack: the heat pump sized in the LP with the rest to meet
the recovery row, the LP's design passing when simulated with the rule, and an exhaustive rule-based grid never
cheaper than the LP's bound."""

import copy
import re
from pathlib import Path

import pytest
from support.park_cases import ALL_YEAR, hefei_park

from lingtan.twin.studies.lp.design import lp_size
from lingtan.twin.studies.sizing import size

ROOT = Path(__file__).resolve().parents[2]
PACK = "anhui_park_2024"
HEAT_PUMP_KW_TH = 100.0


def small_park() -> dict:
    """Two tenants on one bus. Tenant a: 8 GWh of load, a 2 MWp roof (3 MWp at most), 800 kW_th of 40 C
    condenser water all year, an oven of 1500 kW_th at 120 C served by a 100 kW_th heat pump from that water and
    a gas boiler. Tenant b: 12 GWh around the clock, a 1 MWp roof (1.5 MWp at most). A 2 MWh / 1 MW shared battery
    and a 4 GWh green-power contract. The heat pump (COP about 2) lifts about half its output from the condenser
    water, some 50 of 800 kW_th: under Anhui's 10 %, so the heat side must grow."""
    return {
        **hefei_park("small park", "anhui_2022"),
        "tenants": [
            {
                "name": "a",
                "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 8e6}],
                "pv": [{"name": "roof", "capacity_kwp": 2000, "max_capacity_kwp": 3000}],
                "processes": [
                    {
                        "name": "drying",
                        "calendar": ALL_YEAR,
                        "batch_duration_h": 8,
                        "p_kw": 100,
                        "heat_demands": [{"name": "oven", "t_c": 120, "q_kw_th": 1500}],
                        "waste_heat": [{"name": "condenser", "kind": "cooling_water", "t_c": 40, "q_kw_th": 800}],
                    }
                ],
                "heat_pumps": [
                    {
                        "name": "hp",
                        "source": "condenser",
                        "sink": "oven",
                        "t_c": 125,
                        "capacity_q_kw_th": HEAT_PUMP_KW_TH,
                    }
                ],
                "boilers": [
                    {"name": "gas", "fuel": "natural_gas", "efficiency": 0.92, "capacity_q_kw_th": 3000, "t_c": 180}
                ],
            },
            {
                "name": "b",
                "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 12e6, **ALL_YEAR}],
                "pv": [{"name": "roof", "capacity_kwp": 1000, "max_capacity_kwp": 1500}],
            },
        ],
        "shared": {"battery": [{"name": "central", "energy_kwh": 2000, "power_kw": 1000}]},
        "green_power": {"green_power_contract_e_kwh": 4e6},
        "criteria": [PACK],
    }


@pytest.fixture(scope="module")
def lp():
    return lp_size(copy.deepcopy(small_park()), [PACK], base_dir=ROOT)


def test_lp_design_passes_every_simulated_criterion(lp):
    # The scenario as written fails the recovery rate (its 100 kW_th heat pump recovers too little); the LP sizes
    # the heat pump with the rest under the recovery row, and the design simulated with the rule passes every
    # criterion the pack simulates, the recovery rate included.
    m = lp.design.margins
    simulated = [k for k, v in m.items() if v["fixable"]]
    assert f"{PACK}.waste_heat_recovery" in simulated and f"{PACK}.re_electricity_share" in simulated
    assert lp_size_heat_only(1.0) < 0.10
    assert lp.design.passed, lp.design.failed
    assert lp.sizes["heat_pumps.a.hp"] > HEAT_PUMP_KW_TH
    assert m[f"{PACK}.waste_heat_recovery"]["value"] >= 0.10
    # the roofs' limits hold
    for name, kwp in lp.sizes.items():
        if name.startswith("pv."):
            assert kwp <= {"pv.a.roof": 3000.0, "pv.b.roof": 1500.0}[name] * (1 + 1e-9)


def test_lp_recovery_row_holds_in_its_own_flows(lp):
    # Plumbing: the LP's heat pump output x its source share, plus what is recovered whatever, reaches 10 % of the
    # resources (the row of model._criteria_rows, read back from the solution's flows).
    h, f = lp.problem.heat, lp.solution.heat
    pairs = h.pairs()
    pumped = sum(
        float((h.unit_recovered_share[u] * f[nm][i]).sum())
        for nm in ("hu", "huc")
        for i, (u, _) in enumerate(pairs[nm])
    )
    recovered = h.recovery_fixed_e_kwh_th + pumped * lp.problem.step_h + float(f["hr"].sum()) * lp.problem.step_h
    assert recovered >= 0.10 * h.recovery_available_e_kwh_th * (1 - 1e-7)


def lp_size_heat_only(factor: float) -> float:
    """The recovery rate of the small park simulated with its heat pump scaled by ``factor`` [-]."""
    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.studies.park import simulate_park

    d = small_park()
    d["tenants"][0]["heat_pumps"][0]["capacity_q_kw_th"] = HEAT_PUMP_KW_TH * factor
    res = simulate_park(scenario_from_dict(d), ROOT, power_flow=False)
    return next(v["value"] for v in res.verdicts if v["criterion_id"] == f"{PACK}.waste_heat_recovery")


def test_exhaustive_rule_based_grid_never_beats_the_lp_bound(lp):
    # Every lattice point of the search is simulated with the rule (exhaustive, no pattern search): PV, battery,
    # heat pump and green power. The LP's bound (it chooses the dispatch too) is at most every passing design's
    # cost, and the grid has passing designs.
    res = size(
        copy.deepcopy(small_park()),
        [PACK],
        ["pv", "battery", "heat_pump", "green_power"],
        base_dir=ROOT,
        grid_points={"pv": [1.0, 1.5], "battery": [0.0, 1.0], "heat_pump": [2.0, 3.0, 4.0]},
        exhaustive_limit=100,
    )
    assert res.method.startswith("exhaustive")
    passing = [d.cost_cny_per_year for d in res.designs if d.passed]
    assert passing
    assert min(passing) >= lp.bound_cny * (1 - 1e-9)


def test_side_by_side_shows_the_search_closest_design_when_none_passes():
    # Plumbing: the printed table, with stand-in records (no simulation).
    from types import SimpleNamespace as NS

    from lingtan.twin.cli.size import side_by_side

    lp = NS(design=NS(cost_cny_per_year=2.1e8, passed=True), bound_cny=1.8e8, sizes={"heat_pumps.a.hp": 166.9})
    near = NS(cost_cny_per_year=2.0e8, passed=False, min_margin=-0.01)
    far = NS(cost_cny_per_year=1.9e8, passed=False, min_margin=-0.05)
    res = NS(chosen=None, designs=[far, near], vary=["pv", "battery"])
    text = "\n".join(side_by_side(lp, res))
    assert re.search(r"search's closest design \(none passes\) +20,000.00 万 CNY/yr  FAIL", text)
    assert re.search(r"LP design, simulated with the rule +21,000.00 万 CNY/yr  PASS", text)
    assert "to the bound: 3,000.00 万 CNY/yr" in text
    assert "--vary ...,heat_pump" in text
