"""The site's linear programme (lingtan.twin.studies.lp): a hand-worked case, and the LP as a bound on every rule
and on every design a grid of rule-based runs can find.

Hand case worked on paper: stored energy grows by ``p_in * eta_c`` and falls by ``p_out / eta_d``, the month's
maximum demand is billed at the demand price. Tolerances of 1e-6 are the solver's feasibility tolerance on numbers
of order 100 to 1e7.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from support.lp_cases import battery_case

from lingtan.components import grid as gridmod
from lingtan.errors import InputError
from lingtan.twin.core.dispatch import FLOWS, HeatSizes, HeatSystem, dispatch
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import build_profiles, kernel_params, kernel_site
from lingtan.twin.studies.lp.problem import CriterionRow, DesignProblem, design_problem, window
from lingtan.twin.studies.lp.solve import solve

ROOT = Path(__file__).resolve().parents[2]


def three_hours(**over) -> DesignProblem:
    """No renewables; a 100 kWh / 100 kW lossless battery, empty at the start; a cheap first hour."""
    return battery_case(
        "three hours",
        3,
        **{
            "period": np.array([0, 2, 2]),
            "load_kw": np.array([0.0, 100.0, 100.0]),
            "import_price_cny_per_kwh": np.array([0.3, 1.0, 1.0]),
            "basic_charge_basis": "demand",
            "demand_price_cny_per_kw_month": 10.0,
            **over,
        },
    )


def test_three_hours_by_hand():
    # Charge c in hour 0 at 0.3 CNY/kWh, import (200 - c) / 2 in each of hours 1 and 2 at 1.0, peak max(c, (200-c)/2):
    # cost 200 - 0.7 c + 10 max(c, (200 - c) / 2) falls until c = (200 - c) / 2, c = 200/3, where it is
    # 200 - 0.7 x 200/3 + 10 x 200/3 = 820 CNY. Without the demand charge c = 100 (the battery's size): 130 CNY.
    s = solve(three_hours(), "dispatch")
    f = s.flows
    assert s.objective_cny == pytest.approx(820.0, rel=1e-9)
    assert f["cg"][0] == pytest.approx(200 / 3, abs=1e-6)
    assert f["g"][1:] == pytest.approx([200 / 3, 200 / 3], abs=1e-6)
    assert (f["dr"] + f["dg"]).sum() == pytest.approx(200 / 3, abs=1e-6)
    assert s.peak_kw[0] == pytest.approx(200 / 3, abs=1e-6)
    flat = solve(three_hours(basic_charge_basis="none"), "dispatch")
    assert flat.objective_cny == pytest.approx(0.3 * 100 + 100 * 1.0, rel=1e-9)


def test_three_hours_contracted_demand_overrun():
    # Contract 50 kW, band 1.05 x 50 = 52.5 kW. The peak is at least max(c, (200 - c) / 2) >= 200/3 > 52.5: every
    # plan overruns, and the band basis bills 52.5 x 10 at the single price (the contract's 500 plus 25) and the
    # overrun at twice the price: 200 - 0.7 c + 525 + 20 (max(c, (200 - c)/2) - 52.5), least at c = 200/3.
    s = solve(three_hours(basic_charge_basis="contracted_demand", contracted_demand_kw=50.0), "dispatch", exact=True)
    c = 200 / 3
    assert s.objective_cny == pytest.approx(200 - 0.7 * c + 500 + 20 * (c - 52.5) + 25, rel=1e-9)


def _slice(prof, n: int):
    """The first ``n`` hours of a factory's profiles, without a heat side."""
    return replace(
        prof,
        index=prof.index[:n],
        weather=prof.weather.iloc[:n],
        unit_kw=prof.unit_kw[:, :n],
        load_kw=prof.load_kw[:n],
        period=prof.period[:n],
        month=prof.month[:n],
        price_cny_per_kwh=prof.price_cny_per_kwh[:n],
    )


@pytest.fixture(scope="module")
def fortnight():
    sc = load_scenario(ROOT / "scenarios" / "hefei_auto_parts.yaml")
    return sc, _slice(build_profiles(sc, ROOT / "scenarios"), 24 * 14)


def _rule_bill(sc, prof, strategy: str, caps=None, **over) -> float:
    b = sc.battery[0].model_copy(update={"dispatch": strategy})
    site = kernel_site([b], prof, HeatSizes.none(1))
    site.update(heat=HeatSystem.none(len(prof.load_kw)), heat_sizes=HeatSizes.none(1))
    params = kernel_params(sc.grid, [b], **over)
    caps = np.array([a.capacity_kwp for a in sc.pv]) if caps is None else caps
    res = dispatch(prof.unit_kw, caps[None, :], prof.load_kw, params, record_hourly=True, **site)
    h = {name: res.hourly[:, i] for i, name in enumerate(FLOWS)}
    assert h["unserved"].sum() == 0
    bill = gridmod.monthly_bill(h["grid_to_load"] + h["grid_to_battery"], h["re_to_grid"], prof.index, prof.tariff)
    return bill.totals()["total_cny"]


def test_lp_bill_is_never_above_a_rule(fortnight):
    # The LP contains every rule's schedule (renewables first, battery from either source, no export from it), so
    # its bill bounds theirs; its own bill is billed by the same monthly_bill.
    sc, prof = fortnight
    s = solve(design_problem(sc, prof), "dispatch", exact=True)
    f = s.flows
    lp = gridmod.monthly_bill(f["g"] + f["cg"], f["x"], prof.index, prof.tariff).totals()["total_cny"]
    assert lp == pytest.approx(s.objective_cny, rel=1e-7)
    rules = {
        "load_following": _rule_bill(sc, prof, "load_following"),
        "tou_arbitrage": _rule_bill(sc, prof, "tou_arbitrage"),
        "peak_shaving": _rule_bill(sc, prof, "peak_shaving", peak_limit_kw=6500.0),
    }
    for name, bill in rules.items():
        assert lp <= bill * (1 + 1e-9), name
    assert lp < min(rules.values()) * 0.999  # and perfect foresight does better than the best rule here


def test_grid_of_rule_based_designs_never_beats_the_design_lp(fortnight):
    # A small design problem (two weeks): the LP chooses PV, battery energy and power with the dispatch under a
    # renewable-share row; every design of a grid of rule-based (load_following) runs that meets the same share
    # costs at least the LP's optimum, costed the same way (annualised unit costs x sizes + bill).
    sc, prof = fortnight
    p = design_problem(sc, prof)
    row = CriterionRow("test.re_share", "re_share_min", 0.15, variant="re_electricity_share_onsite")
    p = replace(p, criteria=(row,), max_size=np.array([20000.0]))
    s = solve(p, "design")
    pv_c = p.size_cost[0].annualised_cny_per_yr
    e_c, w_c = p.battery_energy_cost.annualised_cny_per_yr, p.battery_power_cost.annualised_cny_per_yr
    found = []
    for kwp in (6000.0, 12000.0, 16000.0, 20000.0):
        for kwh in (0.0, 4000.0, 8000.0, 16000.0):
            kw = kwh / 2
            b = sc.battery[0].model_copy(update={"energy_kwh": kwh, "power_kw": kw})
            site = kernel_site([b], prof, HeatSizes.none(1))
            site.update(heat=HeatSystem.none(len(prof.load_kw)), heat_sizes=HeatSizes.none(1))
            res = dispatch(
                prof.unit_kw, np.array([[kwp]]), prof.load_kw, kernel_params(sc.grid, [b]), record_hourly=True, **site
            )
            h = {name: res.hourly[:, i] for i, name in enumerate(FLOWS)}
            imp = h["grid_to_load"] + h["grid_to_battery"]
            gen = prof.unit_kw[0] * kwp
            re_c = gen.sum() - h["re_to_grid"].sum() - h["re_curtailed"].sum()
            share = re_c / (imp.sum() + re_c)
            if share < 0.15:
                continue
            bill = gridmod.monthly_bill(imp, h["re_to_grid"], prof.index, prof.tariff).totals()["total_cny"]
            found.append(bill + pv_c * kwp + e_c * kwh + w_c * kw)
    assert found  # the grid has passing designs
    assert min(found) >= s.objective_cny * (1 - 1e-9)


def test_design_keeps_the_battery_to_the_hours_its_rule_allows(fortnight):
    # The design is simulated with the battery's rule, so the design LP grid-charges and discharges only when the
    # rule may (rule_envelope): load_following never grid-charges; tou_arbitrage grid-charges in the valley and
    # discharges in peak and critical hours (its defaults). Freed of the rule, the same LP grid-charges in other
    # hours (the bound binds) and costs no more (a restriction never lowers a minimum). Capital costs are the
    # fortnight's share of a year's, as the bill is a fortnight's: with a year's, no battery pays and nothing binds
    # (seen: a battery of 24 MWh load-following, 59 MWh TOU, 42 MWh free; 1.754, 1.642, 1.615 M CNY).
    sc, prof = fortnight
    row = CriterionRow("test.re_share", "re_share_min", 0.15, variant="re_electricity_share_onsite")
    designs = {}
    for rule in ("load_following", "tou_arbitrage", "optimal"):
        b = sc.battery[0].model_copy(update={"dispatch": rule})
        p = replace(design_problem(sc, prof, batteries=[b]), criteria=(row,), max_size=np.array([20000.0]))
        p = window(p, 0, 14)  # the whole fortnight, capital costs scaled to it
        designs[rule] = (p, solve(p, "design"))
        assert designs[rule][1].e_kwh > 1000.0, rule  # a battery pays: the envelope has something to hold
    p, lf = designs["load_following"]
    assert lf.flows["cg"].max() == 0.0
    p, tou = designs["tou_arbitrage"]
    valley, on_peak = p.period == 0, np.isin(p.period, (2, 3))
    assert tou.flows["cg"][~valley].max() == 0.0
    assert (tou.flows["dr"] + tou.flows["dg"])[~on_peak].max() == 0.0
    p, free = designs["optimal"]
    assert free.flows["cg"].max() > 1.0 and free.flows["cg"][~valley].max() > 1.0
    for rule in ("load_following", "tou_arbitrage"):
        assert free.objective_cny <= designs[rule][1].objective_cny * (1 + 1e-9), rule


def test_optimal_dispatch_goes_through_the_run():
    # dispatch: optimal through simulate_profiles over the default factory's year: the same tables, balance checks,
    # KPIs and bill as a rule, and a bill no higher than load_following's on the same plant.
    from lingtan.twin.run import simulate_profiles
    from lingtan.twin.studies.lp.solve import optimal_dispatch

    sc = load_scenario(ROOT / "scenarios" / "hefei_auto_parts.yaml")
    prof = build_profiles(sc, ROOT / "scenarios")
    rule = simulate_profiles(sc, prof)
    b = sc.battery[0].model_copy(update={"dispatch": "optimal"})
    opt = simulate_profiles(sc.model_copy(update={"battery": [b]}), prof, optimal=optimal_dispatch)
    assert opt.kpis["max_hourly_balance_residual_kwh"] <= 1e-6
    assert opt.kpis["grid_bill_cny"]["total_cny"] <= rule.kpis["grid_bill_cny"]["total_cny"]
    assert opt.kpis["re_generation_e_kwh"] == pytest.approx(rule.kpis["re_generation_e_kwh"], rel=1e-12)
    with pytest.raises(InputError, match="optimal"):
        simulate_profiles(sc.model_copy(update={"battery": [b]}), prof)


def test_the_optimum_is_remembered_by_its_problem_not_by_its_scenario(fortnight):
    # Plumbing, not physics: twin run asks optimum_bill for the LP of its plant, and a process that runs the same
    # plant again gets the same optimum without a second solve; another plant (a larger battery) gets its own.
    from lingtan.twin.studies.lp import solve as sv

    sc, prof = fortnight
    sv._DISPATCH_OPTIMA.clear()
    first = sv.optimum_bill(sc, prof)
    assert len(sv._DISPATCH_OPTIMA) == 1
    again = sv.optimum_bill(sc.model_copy(), prof)
    assert again == first and len(sv._DISPATCH_OPTIMA) == 1
    bigger = sc.model_copy(update={"battery": [sc.battery[0].model_copy(update={"energy_kwh": 16000.0})]})
    other = sv.optimum_bill(bigger, prof)
    assert len(sv._DISPATCH_OPTIMA) == 2 and other["total_cny"] < first["total_cny"]


def test_hunan_targets_are_rows_of_their_target_year_and_variant():
    # Hunan's re_ratio has no fixed threshold: its band reads hunan_target_year (35 % in 2027, 55 % in 2030, from the
    # pack's reconstructed Annex 1) and its KPI reads hunan_re_ratio_variant. Electricity with green power (default)
    # is a row of the LP; an energy basis (electricity and heat in tce) is not, and stays simulated. The
    # unit-energy carbon target is an intensity row on the hunan_tce_basis energy (1.25 t/tce in 2027).
    from lingtan.twin.core.schema.criteria import CriteriaSettings
    from lingtan.twin.studies.lp.problem import criteria_rows

    def rows(**settings) -> dict:
        return {r.id: r for r in criteria_rows(["hunan_factory_2025"], CriteriaSettings(**settings))}

    r = rows()["hunan_factory_2025.re_ratio"]
    assert (r.kind, r.threshold, r.green_power_counts, r.certificates_count) == ("re_share_min", 0.35, True, False)
    assert rows(hunan_target_year=2030)["hunan_factory_2025.re_ratio"].threshold == 0.55
    assert rows(hunan_re_ratio_variant="electricity_onsite")["hunan_factory_2025.re_ratio"].green_power_counts is False
    assert rows(hunan_re_ratio_variant="energy_equivalent")["hunan_factory_2025.re_ratio"].kind == "simulated"
    r = rows()["hunan_factory_2025.unit_energy_carbon"]
    assert (r.kind, r.threshold, r.variant) == ("intensity_max", 1.25, "equivalent")
    assert rows(hunan_tce_basis="calorific")["hunan_factory_2025.unit_energy_carbon"].variant == "calorific"


def test_a_fractional_turbine_count_is_rounded_both_ways_by_hand():
    # 75 kW of load for three hours at 1 CNY/kWh, no battery; a turbine gives 50 kW and costs 10 CNY/yr. The LP buys
    # 1.5 turbines (15 CNY, no import). One turbine: 10 + 25 x 3 = 85 CNY; two: 20 CNY (25 kW curtailed): two kept.
    from support.lp_cases import battery_case

    from lingtan.twin.studies.lp.design import _round_sizes
    from lingtan.twin.studies.lp.problem import SizeCost

    p = battery_case(
        "wind",
        3,
        load_kw=np.full(3, 75.0),
        battery=None,
        sources=(("wind", "farm"),),
        unit_kw=np.full((1, 3), 50.0),
        existing_size=np.zeros(1),
        max_size=np.full(1, 10.0),
        size_cost=(SizeCost("turbine", 10.0, 10.0, "test"),),
        variable_om_cny_per_kwh=np.zeros(1),
    )
    relaxed = solve(p, "design")
    assert relaxed.sizes == pytest.approx([1.5], abs=1e-9)
    s, text = _round_sizes(p, relaxed, 60.0)
    assert s.sizes == pytest.approx([2.0], abs=1e-9)
    assert s.objective_cny == pytest.approx(20.0, rel=1e-9)
    assert "farm 1.50 -> 2" in text


def test_pv_is_rounded_up_to_whole_blocks_by_hand():
    # 100 kW of load for three hours at 1 CNY/kWh; PV of a flat 1 kW per kWp at 2 CNY per kWp and year saves 3 for 2:
    # the LP buys 100 kWp (200 CNY, no import, nothing to export). In blocks of 30 kWp: up to 120 kWp, 240 CNY (20 kW
    # curtailed). Within a roof of 110 kWp the last whole block is 90 kWp: 180 + 10 kW x 3 h x 1.0 = 210 CNY.
    from support.lp_cases import battery_case

    from lingtan.twin.studies.lp.design import _round_sizes
    from lingtan.twin.studies.lp.problem import SizeCost

    def case(max_kwp: float):
        return battery_case(
            "blocks",
            3,
            load_kw=np.full(3, 100.0),
            battery=None,
            sources=(("pv", "roof"),),
            unit_kw=np.ones((1, 3)),
            existing_size=np.zeros(1),
            max_size=np.full(1, max_kwp),
            size_cost=(SizeCost("kWp", 2.0, 2.0, "test"),),
            variable_om_cny_per_kwh=np.zeros(1),
            block_size=np.full(1, 30.0),
        )

    for max_kwp, kwp, cost in ((1000.0, 120.0, 240.0), (110.0, 90.0, 210.0)):
        p = case(max_kwp)
        relaxed = solve(p, "design")
        assert relaxed.sizes == pytest.approx([100.0], rel=1e-9)
        s, text = _round_sizes(p, relaxed, 60.0)
        assert s.sizes == pytest.approx([kwp], rel=1e-9)
        assert s.objective_cny == pytest.approx(cost, rel=1e-9)
        assert f"roof 100.0 -> {kwp:,.1f} kWp" in text


@pytest.mark.parametrize("bad", [0, -30, "thirty", [30]])
def test_a_bad_pv_block_is_named_by_its_field_path(bad):
    # pv[].block_kwp (the unit the design LP rounds an array to): any value but a positive number is an input error
    # that names the field path, never a traceback.
    import yaml

    from lingtan.errors import InputError
    from lingtan.loader import parse_yaml
    from lingtan.twin.core.scenario import scenario_from_dict

    data = yaml.safe_load((ROOT / "scenarios" / "hefei_auto_parts.yaml").read_text(encoding="utf-8"))
    data["pv"][0]["block_kwp"] = bad
    with pytest.raises(InputError, match=r"pv\[0\]\.block_kwp"):
        scenario_from_dict(parse_yaml(yaml.safe_dump(data), "bad.yaml"), "bad.yaml")
