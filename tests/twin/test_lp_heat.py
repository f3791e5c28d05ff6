"""The heat side co-scheduled in the dispatch LP (lingtan.twin.studies.lp.heat_dispatch): a hand-worked three-hour
case (hourly, and at half-hour steps), its heat record in the kernel's columns, the LP as a bound on the rule-based
dispatch of the shipped heat-side factory, its balances per step, and ``dispatch: optimal`` on that factory going
through the run's tables, balance checks and KPIs.

Hand case worked on paper: a store keeps ``keep`` of its energy from one hour to the next, a heat pump makes
``COP`` kWh_th of each kWh, a gas boiler's kWh_th costs its fuel. Tolerances of 1e-6 are the solver's feasibility
tolerance on numbers of order 100 to 1e7.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from support.lp_cases import FREE

from lingtan.components import grid as gridmod
from lingtan.components.battery import OptimalDispatch
from lingtan.twin.core.dispatch import HeatSystem
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.reports.bill import bill_notes
from lingtan.twin.run import build_profiles, simulate_profiles
from lingtan.twin.studies.economics import annual_operating_costs
from lingtan.twin.studies.lp.design import bus_demand_kw
from lingtan.twin.studies.lp.heat_dispatch import HeatLP, fuel_cny, heat_record
from lingtan.twin.studies.lp.problem import CriterionRow, DesignProblem, design_problem
from lingtan.twin.studies.lp.rolling import Forecast, optimal_strategy, rolling_solve
from lingtan.twin.studies.lp.solve import _dispatch_optimum, add_optimum_bill, solve
from tests.twin.test_lp import three_hours
from tests.twin.test_lp_rolling import three_days

ROOT = Path(__file__).resolve().parents[2]
HEAT = "hefei_auto_parts_heat.yaml"


def three_hours_heat() -> HeatLP:
    """One demand of 0, 300, 300 kW_th; a 300 kWh_th store keeping 0.9 per hour, empty at the start; a heat pump of
    200 kW_th at COP 3 that serves the demand and charges the store; a gas boiler at 0.4 CNY/kWh_th."""
    system = HeatSystem(
        residual_kw_th=np.array([[0.0, 300.0, 300.0]]),
        store_recoverable_kw_th=np.zeros((1, 3)),
        store_serves=np.array([[True]]),
        store_keep=np.array([0.9]),
        unit_cop=np.full((1, 3), 3.0),
        unit_max_kw_th=np.full((1, 3), np.inf),
        unit_serves=np.array([[True]]),
        unit_charges=np.array([[True]]),
        unit_grid_allowed=np.array([True]),
        boiler_capacity_kw_th=np.array([1000.0]),
        boiler_serves=np.array([[True]]),
    )
    return HeatLP(
        system=system,
        store_kwh_th=np.array([300.0]),
        store_charge_kw_th=np.array([300.0]),
        store_discharge_kw_th=np.array([300.0]),
        store_e0_kwh_th=np.array([0.0]),
        unit_kw_th=np.array([200.0]),
        boiler_cost_cny_per_kwh_th=np.array([0.4]),
        boiler_names=["gas"],
    )


def test_three_hours_heat_by_hand():
    # No battery, no electric load, no demand charge; electricity 0.3 CNY/kWh in hour 0, 1.0 in hours 1 and 2.
    # Heat costs 0.3/3 = 0.1 from the heat pump in hour 0, 1/3 in hours 1-2, 0.4 from gas: the heat pump runs
    # at its 200 kW_th in every hour, and in hour 0 all of it goes into the store (200 kWh_th; 180 left in hour 1).
    # Hour 1 needs 300 - 200 = 100 from the store; what the store keeps (80 -> 72 in hour 2) displaces gas in hour 2
    # at 0.4 > 1/3 (a kWh_th taken from the store in hour 1 instead of the heat pump saves 1/3 there and costs 0.9 x
    # 0.4 = 0.36 of gas in hour 2), so the store gives exactly 100 in hour 1 and 72 in hour 2; gas 300 - 200 - 72
    # = 28 kWh_th. Electricity 200/3 kWh in each hour: 20 + 200/3 + 200/3 = 153.333 CNY; gas 28 x 0.4 = 11.2 CNY.
    p = three_hours(load_kw=np.zeros(3), battery=None, basic_charge_basis="none", heat=three_hours_heat())
    s = solve(p, "dispatch")
    h = s.heat
    assert s.objective_cny == pytest.approx(20 + 400 / 3 + 11.2, rel=1e-9)
    assert s.flows["g"] == pytest.approx([200 / 3] * 3, abs=1e-6)
    assert h["hs"][0] == pytest.approx([0.0, 100.0, 72.0], abs=1e-6)
    assert h["huc"][0] == pytest.approx([200.0, 0.0, 0.0], abs=1e-6)
    assert h["es"][0] == pytest.approx([200.0, 80.0, 0.0], abs=1e-6)
    assert h["hb"][0] == pytest.approx([0.0, 0.0, 28.0], abs=1e-6)
    assert fuel_cny(p.heat, h, p.step_h) == pytest.approx(11.2, rel=1e-9)
    # without the store the heat pump serves 200 per hour and gas the other 100: 400/3 + 2 x 100 x 0.4 = 213.333
    bare = replace(p.heat, store_kwh_th=np.zeros(1), store_charge_kw_th=np.zeros(1))
    assert solve(replace(p, heat=bare), "dispatch").objective_cny == pytest.approx(400 / 3 + 80, rel=1e-9)


def test_half_hour_steps_keep_per_step():
    # The same case at 0.5 h steps with a store that keeps 0.81 per hour, 0.81 ** 0.5 = 0.9 per step: every price is
    # per kWh, so the costs of all choices scale by 0.5 alike and the optimum has the hourly case's flows [kW]; the
    # store's energies halve: 200 kW x 0.5 h = 100 kWh_th, 0.9 x 100 - 100 x 0.5 = 40, 0.9 x 40 - 72 x 0.5 = 0.
    # (The hourly keep taken per step, 0.81, would leave 81 - 50 = 31 and then serve 0.81 x 31 / 0.5 = 50.2 kW.)
    heat = three_hours_heat()
    heat = replace(heat, system=replace(heat.system, store_keep=np.array([0.81])))
    p = three_hours(load_kw=np.zeros(3), battery=None, basic_charge_basis="none", heat=heat, step_h=0.5)
    h = solve(p, "dispatch").heat
    assert h["hs"][0] == pytest.approx([0.0, 100.0, 72.0], abs=1e-6)
    assert h["es"][0] == pytest.approx([100.0, 40.0, 0.0], abs=1e-6)


def test_heat_record_by_hand():
    # The three-hour optimum in the kernel's heat record (HeatSystem.columns()): demand from_storage 0, 100, 72,
    # from_p2h 0, 200, 200, from_boilers 0, 0, 28; the store charges 200 from the heat pump in hour 0, loses what it
    # does not keep of its energy before each hour (0.1 x 0 = 0, 0.1 x 200 = 20, 0.1 x 80 = 8) and holds 200, 80, 0;
    # the heat pump's 200/3 kWh each hour all from the bus (no renewables). The year's store column is its last
    # energy (0), the others sum: 172, 400, 28; store loss 28 = 200 in - 172 out.
    p = three_hours(load_kw=np.zeros(3), battery=None, basic_charge_basis="none", heat=three_hours_heat())
    hourly, totals, residual = heat_record(p.heat, solve(p, "dispatch").heat, p.step_h)
    col = {key: k for k, key in enumerate(p.heat.system.columns())}
    expect = {
        ("demand", 0, "from_storage"): [0, 100, 72],
        ("demand", 0, "from_p2h"): [0, 200, 200],
        ("demand", 0, "from_chp"): [0, 0, 0],  # no CHP in a linear programme
        ("demand", 0, "from_boilers"): [0, 0, 28],
        ("demand", 0, "unserved"): [0, 0, 0],
        ("store", 0, "charge_recovered"): [0, 0, 0],
        ("store", 0, "charge_p2h"): [200, 0, 0],
        ("store", 0, "discharge"): [0, 100, 72],
        ("store", 0, "loss"): [0, 20, 8],
        ("store", 0, "e_kwh_th"): [200, 80, 0],
        ("unit", 0, "heat_to_demand"): [0, 200, 200],
        ("unit", 0, "heat_to_storage"): [200, 0, 0],
        ("unit", 0, "p_base_kw"): [200 / 3] * 3,
        ("unit", 0, "p_surplus_kw"): [0, 0, 0],
        ("boiler", 0, "heat"): [0, 0, 28],
    }
    assert set(expect) == set(col)
    for key, v in expect.items():
        assert hourly[:, col[key]] == pytest.approx(v, abs=1e-6), key
    assert totals[col[("store", 0, "e_kwh_th")]] == pytest.approx(0.0, abs=1e-6)
    assert totals[col[("store", 0, "loss")]] == pytest.approx(28.0, abs=1e-6)
    assert totals[col[("demand", 0, "from_storage")]] == pytest.approx(172.0, abs=1e-6)
    assert residual < 1e-6


def design_case(hp_cny_per_kw_th_yr: float, criteria=()) -> DesignProblem:
    """The three hours as a design: a lossless store and the heat pump both sized, the heat pump at
    ``hp_cny_per_kw_th_yr`` per kW_th and year, the store at 0.05 per kWh_th; 2/3 of the heat pump's output (COP 3)
    is waste heat; 400 kWh_th of resources, nothing recovered without the heat pump."""
    h = three_hours_heat()
    h = replace(
        h,
        system=replace(h.system, store_keep=np.array([1.0])),
        unit_sized=np.array([True]),
        unit_cost_cny_per_kw_th_yr=np.array([hp_cny_per_kw_th_yr]),
        store_cost_cny_per_kwh_th_yr=np.array([0.05]),
        unit_recovered_share=np.full((1, 3), 2 / 3),
        recovery_available_e_kwh_th=400.0,
    )
    return three_hours(load_kw=np.zeros(3), battery=None, basic_charge_basis="none", heat=h, criteria=criteria)


def test_design_sizes_heat_pump_and_store_by_hand():
    # Heat costs 0.1/kWh_th from the heat pump in hour 0 (into the store: no demand then), 1/3 in hours 1-2, 0.4 from
    # gas. A kW_th of heat pump (0.2/yr) with a kWh_th of store (0.05) saves 0.4 - 0.1 = 0.3 through the store and
    # 2 x (0.4 - 1/3) = 0.133 serving hours 1 and 2 directly: 0.433 > 0.25, so both grow until the 600 kWh_th of
    # demand is heat pump's: Q direct in hours 1 and 2 plus Q through the store, 3 Q = 600, Q = E = 200. More of
    # them would only move heat-pump heat from hours 1-2 to hour 0, saving 1/3 - 0.1 = 0.233 < 0.25.
    # Cost: 200/3 x 0.3 + 2 x 200/3 x 1.0 + 0.2 x 200 + 0.05 x 200 = 20 + 133.333 + 40 + 10 = 203.333.
    s = solve(design_case(0.2), "design")
    assert s.unit_kw_th == pytest.approx([200.0], abs=1e-6)
    assert s.store_kwh_th == pytest.approx([200.0], abs=1e-6)
    assert s.objective_cny == pytest.approx(20 + 400 / 3 + 50, rel=1e-9)


def test_design_recovery_row_by_hand():
    # At 0.5 per kW_th and year a heat pump does not pay (0.433 < 0.55): alone, gas serves all, 600 x 0.4 = 240.
    # A recovery row of 50 % of the 400 kWh_th resources asks 200 kWh_th of waste heat, 2/3 of heat-pump output:
    # 300 kWh_th of it. The least heat pump making 300 is Q = 100, run in all three hours (hour 0 into a 100 kWh_th
    # store): 100/3 x 0.3 + 2 x 100/3 x 1.0 + gas 300 x 0.4 + 0.5 x 100 + 0.05 x 100 = 10 + 66.667 + 120 + 55.
    assert solve(design_case(0.5), "design").objective_cny == pytest.approx(240.0, rel=1e-9)
    s = solve(design_case(0.5, (CriterionRow("recovery", "recovery_min", 0.5),)), "design")
    assert s.unit_kw_th == pytest.approx([100.0], abs=1e-6)
    assert s.store_kwh_th == pytest.approx([100.0], abs=1e-6)
    assert s.objective_cny == pytest.approx(10 + 200 / 3 + 120 + 55, rel=1e-9)


@pytest.fixture(scope="module")
def heat_factory():
    sc = load_scenario(ROOT / "scenarios" / HEAT)
    prof = build_profiles(sc, ROOT / "scenarios")
    return sc, prof


@pytest.fixture(scope="module")
def rule_run(heat_factory):
    """The heat factory's rule-based year with the LP optimum's bill beside it (read only by the tests)."""
    sc, prof = heat_factory
    result = simulate_profiles(sc, prof)
    add_optimum_bill(result, ROOT / "scenarios")
    return result


def test_lp_total_never_above_the_rule(heat_factory, rule_run):
    # The LP contains every hour the rule can choose (a relaxation): its bill + fuel is at most the rule's, and the
    # rule's fuel here is priced as the economics prices it.
    sc, _ = heat_factory
    result = rule_run
    opt = result.kpis["grid_bill"]["lp_optimum"]
    rule_bill = result.kpis["grid_bill_cny"]["total_cny"]
    assert opt["rule_fuel_cny"] == pytest.approx(annual_operating_costs(result, sc, sc.economics)["fuel_cny"], 1e-9)
    assert opt["total_cny"] + opt["fuel_cny"] <= rule_bill + opt["rule_fuel_cny"]
    assert opt["unserved_heat_e_kwh_th"] == 0.0 and opt["unserved_e_kwh"] == 0.0
    # the report says what the comparison includes: bill + fuel of both
    lp_total = f"{opt['total_cny'] + opt['fuel_cny']:,.0f}"
    assert any(lp_total in n and f"{rule_bill + opt['rule_fuel_cny']:,.0f}" in n for n in bill_notes(result.kpis))


def test_balances_close_per_step(heat_factory):
    sc, prof = heat_factory
    p = design_problem(sc, prof, step_h=prof.step_h, co_heat=True)
    s = _dispatch_optimum(p)  # solve(p, "dispatch"), remembered: the other tests of this file solve the same year
    f, h, hs = s.flows, s.heat, p.heat.system
    pairs = p.heat.pairs()
    tol = 1e-6 * max(1.0, hs.residual_kw_th.max())
    # every heat demand: stores + units + boilers + unserved = residual
    for d in range(hs.shape[0]):
        served = sum(h[nm][i] for nm in ("hs", "hu", "hb") for i, (_, dd) in enumerate(pairs[nm]) if dd == d)
        np.testing.assert_allclose(served + h["hx"][d], hs.residual_kw_th[d], atol=tol)
    # every store: energy now = keep x energy before + charges - discharges, and within its capacity
    for j in range(hs.shape[1]):
        before = np.concatenate([[p.heat.store_e0_kwh_th[j]], h["es"][j][:-1]])
        into = h["hr"][j] + sum(h["huc"][i] for i, (_, jj) in enumerate(pairs["huc"]) if jj == j)
        out = sum(h["hs"][i] for i, (jj, _) in enumerate(pairs["hs"]) if jj == j)
        np.testing.assert_allclose(h["es"][j], hs.store_keep[j] * before + into - out, atol=tol)
        assert h["es"][j].max() <= p.heat.store_kwh_th[j] + tol
    # power-to-heat electricity = heat / COP, drawn from the bus and renewables
    el = sum(h[nm][i] / hs.unit_cop[u] for nm in ("hu", "huc") for i, (u, _) in enumerate(pairs[nm]) if h[nm][i].any())
    np.testing.assert_allclose(h["pb"][0] + h["pr"][0], el, atol=tol)
    # the electric bus: renewables + import + discharge + unserved = load + power-to-heat from the bus
    np.testing.assert_allclose(f["a"] + f["g"] + f["dr"] + f["dg"] + f["u"], p.load_kw + h["pb"][0], atol=tol)
    gen = p.unit_kw.T @ p.existing_size
    np.testing.assert_allclose(f["a"] + f["cr"] + f["x"] + f["k"] + h["pr"][0], gen, atol=tol)
    # the objective is the bill of these flows + the fuel + variable O&M of the sources and the battery
    bill = gridmod.monthly_bill(f["g"] + f["cg"], f["x"], prof.index, prof.tariff, p.step_h).totals()["total_cny"]
    vom = p.variable_om_cny_per_kwh @ (p.unit_kw.sum(axis=1) * p.existing_size) * p.step_h
    vom += p.battery_variable_om_cny_per_kwh * (f["dr"] + f["dg"]).sum() * p.step_h
    assert bill + fuel_cny(p.heat, h, p.step_h) + vom == pytest.approx(s.objective_cny, rel=1e-6)


def test_optimal_run_schedules_the_heat_side(heat_factory, rule_run):
    # dispatch: optimal on the factory with a thermal store, a heat pump and an electric boiler: the LP's heat side
    # goes through the run's heat table, its balance check (tables.check_heat_balance, not the LP's own residual)
    # and the heat KPIs. Its bill is the LP optimum's the rule's run reports (plumbing: the same programme), its
    # bill + fuel is at most the rule's (physics: the LP contains the rule's choices), and the electricity of the
    # power-to-heat units appears in the electric table as the kernel records it.
    sc, prof = heat_factory
    rule = rule_run
    lp = rule.kpis["grid_bill"]["lp_optimum"]
    opt_sc = sc.model_copy(update={"battery": [sc.battery[0].model_copy(update={"dispatch": "optimal"})]})
    opt = simulate_profiles(opt_sc, prof, optimal=optimal_strategy)
    k = opt.kpis
    assert k["grid_bill_cny"]["total_cny"] == pytest.approx(lp["total_cny"], rel=1e-9)
    fuel = annual_operating_costs(opt, opt_sc, sc.economics)["fuel_cny"]
    assert fuel == pytest.approx(lp["fuel_cny"], rel=1e-6)
    assert k["grid_bill_cny"]["total_cny"] + fuel <= rule.kpis["grid_bill_cny"]["total_cny"] + lp["rule_fuel_cny"]
    assert k["max_hourly_balance_residual_kwh"] < 1e-3
    served = k["heat"]["heat_served_e_kwh_th"]
    assert served["unserved"] == pytest.approx(0.0, abs=1e-3)
    demand = float(prof.heat.system.residual_kw_th.sum()) * prof.step_h
    assert sum(v for n, v in served.items() if n not in ("recovered_direct", "heat_network", "unserved")) == (
        pytest.approx(demand, rel=1e-6)
    )
    to_heat = opt.hourly.filter(like="_to_heat_kw").sum(axis=1).sum() * prof.step_h
    assert to_heat == pytest.approx(lp["power_to_heat_e_kwh"], rel=1e-6)


def three_days_heat() -> HeatLP:
    """72 hours: 300 kW_th of demand at hour 60 only; a lossless 300 kWh_th store, empty; a 300 kW_th heat pump at
    COP 3 that serves the demand and charges the store; a gas boiler at 0.4 CNY/kWh_th."""
    h = three_hours_heat()
    demand = np.zeros((1, 72))
    demand[0, 60] = 300.0
    system = replace(
        h.system,
        residual_kw_th=demand,
        store_recoverable_kw_th=np.zeros((1, 72)),
        store_keep=np.array([1.0]),
        unit_cop=np.full((1, 72), 3.0),
        unit_max_kw_th=np.full((1, 72), np.inf),
    )
    return replace(h, system=system, unit_kw_th=np.array([300.0]))


def test_rolling_horizon_carries_the_store_by_hand():
    # Electricity 0.5 CNY/kWh at hours 0 and 24, 1.0 otherwise; no electric load, no battery. The heat pump's kWh_th
    # costs 0.5/3 at the cheap hours, 1/3 otherwise, gas 0.4: the year LP fills the store at a cheap hour
    # (100 kWh, 50 CNY) and serves hour 60 from it. 48 h: the window of day 1 (hours 24-71) sees hour 60, fills the
    # store at hour 24 and carries it into day 2: 50 CNY. 24 h: no window before day 2 sees the demand, and day 2
    # has no cheap hour: the heat pump serves hour 60 directly, 100 kWh at 1.0 = 100 CNY.
    price = np.ones(72)
    price[[0, 24]] = 0.5
    p = three_days(import_price_cny_per_kwh=price, battery=None, heat=three_days_heat())
    cost = lambda f: float((f["g"] * price).sum())  # noqa: E731
    assert cost(solve(p, "dispatch").flows) == pytest.approx(50.0, rel=1e-9)
    two = rolling_solve(p, 48, Forecast("perfect")).solution
    assert cost(two.flows) == pytest.approx(50.0, rel=1e-9)
    assert two.heat["huc"][0][24] == pytest.approx(300.0, rel=1e-9)
    assert two.heat["es"][0][24:60] == pytest.approx(np.full(36, 300.0), rel=1e-9)
    assert two.heat["hs"][0][60] == pytest.approx(300.0, rel=1e-9)
    assert two.heat["pb"][0].sum() == pytest.approx(100.0, rel=1e-9)  # drawn from the bus: 300 kWh_th / 3
    assert cost(rolling_solve(p, 24, Forecast("perfect")).solution.flows) == pytest.approx(100.0, rel=1e-9)


def test_rolling_horizon_on_the_heat_factory(heat_factory, rule_run):
    # 48 h windows with a perfect forecast on the heat-side factory: the year goes through the run's heat table and
    # its balance checks; its bill + fuel is at least the year programme's (the realised year is one of that
    # programme's choices: windows chained, stores ending at least as full as they started) and below the rule's.
    sc, prof = heat_factory
    rule = rule_run
    lp = rule.kpis["grid_bill"]["lp_optimum"]
    b = sc.battery[0].model_copy(update={"dispatch": "optimal", "optimal": OptimalDispatch()})
    opt_sc = sc.model_copy(update={"battery": [b]})
    roll = simulate_profiles(opt_sc, prof, optimal=optimal_strategy)
    total = roll.kpis["grid_bill_cny"]["total_cny"] + annual_operating_costs(roll, opt_sc, sc.economics)["fuel_cny"]
    assert roll.kpis["max_hourly_balance_residual_kwh"] < 1e-3
    assert roll.kpis["heat"]["heat_served_e_kwh_th"]["unserved"] == pytest.approx(0.0, abs=1e-3)
    assert lp["total_cny"] + lp["fuel_cny"] <= total * (1 + 1e-7)
    assert total < rule.kpis["grid_bill_cny"]["total_cny"] + lp["rule_fuel_cny"]


def test_a_forecast_error_on_a_surplus_only_heat_pump_by_hand():
    # As above, but the heat pump runs on renewable surplus only and electricity costs 1.0 everywhere. The forecast
    # puts 300 kW of PV at hour 36 (day 1); 50 kW come. Day 1 plans 100 kW of that surplus into the heat pump, 300
    # kWh_th into the store, free; the realised surplus is 50 kW (curtailed otherwise: no export), so the heat pump
    # makes 150 and the store carries 150 into day 2. Day 2 (no PV forecast) serves hour 60 with the 150 and 150
    # of gas: 60 CNY, against 0 planned. Nothing is imported, curtailed or left unserved.
    pv = np.zeros(72)
    pv[36] = 50.0
    told = np.zeros(72)
    told[36] = 300.0
    heat = three_days_heat()
    heat = replace(heat, system=replace(heat.system, unit_grid_allowed=np.array([False])))
    p = three_days(
        battery=None,
        heat=heat,
        sources=(("pv", "roof"),),
        unit_kw=pv[None, :],
        existing_size=np.ones(1),
        max_size=np.ones(1),
        size_cost=(FREE,),
        variable_om_cny_per_kwh=np.zeros(1),
    )
    r = rolling_solve(p, 48, Forecast("file", np.zeros(72), told)).solution
    h, f = r.heat, r.flows
    assert h["huc"][0][36] == pytest.approx(150.0, rel=1e-9)
    assert h["pr"][0][36] == pytest.approx(50.0, rel=1e-9) and h["pb"][0].sum() == 0.0
    assert h["es"][0][36:60] == pytest.approx(np.full(24, 150.0), rel=1e-9)
    assert h["hs"][0][60] == pytest.approx(150.0, rel=1e-9)
    assert h["hb"][0][60] == pytest.approx(150.0, rel=1e-9)
    assert fuel_cny(p.heat, h, p.step_h) == pytest.approx(60.0, rel=1e-9)
    assert (f["g"].sum(), f["k"].sum(), h["hx"].sum()) == (0.0, 0.0, 0.0)


def test_design_bus_demand_holds_the_heat_side_electricity(heat_factory):
    # A design's electric side is chosen again with the heat side run by its rule (design module docstring, step 2):
    # the demand at the meter is the loads plus the power-to-heat electricity of the rule's run, 0.8 % of this
    # factory's consumption. Plumbing: the hourly table's columns against the kernel's totals, two paths of the
    # same run.
    sc, prof = heat_factory
    k = simulate_profiles(sc, prof, assessed=False).kpis
    demand = bus_demand_kw(sc, prof)
    assert k["power_to_heat_e_kwh"] > 0.005 * k["load_e_kwh"]
    assert demand.sum() * prof.step_h == pytest.approx(k["load_e_kwh"] + k["power_to_heat_e_kwh"], rel=1e-12)


def test_a_recovery_row_nothing_can_move_is_left_to_the_simulation():
    # No store and a heat pump on ambient air (no waste-heat share): no flow of the LP recovers heat, so a recovery
    # row asking 200 kWh_th cannot be met by any design; the LP leaves it to the simulated verdict (as it is judged
    # there) and solves for cost: gas serves all, 600 x 0.4 = 240.
    p = design_case(0.5, (CriterionRow("recovery", "recovery_min", 0.5),))
    h = p.heat
    none = replace(
        h.system,
        store_recoverable_kw_th=np.zeros((0, 3)),
        store_serves=np.zeros((0, 1), bool),
        store_keep=np.zeros(0),
        unit_charges=np.zeros((1, 0), bool),
    )
    empty = np.zeros(0)
    h = replace(
        h,
        system=none,
        store_kwh_th=empty,
        store_charge_kw_th=empty,
        store_discharge_kw_th=empty,
        store_e0_kwh_th=empty,
        store_cost_cny_per_kwh_th_yr=empty,
        unit_recovered_share=np.zeros((1, 3)),
    )
    assert solve(replace(p, heat=h), "design").objective_cny == pytest.approx(240.0, rel=1e-9)
