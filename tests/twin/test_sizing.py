"""Least-cost sizing: the search equals an independent exhaustive evaluation on a small case; the reference park
passes."""

from pathlib import Path

import pytest

from lingtan.loader import read_yaml
from lingtan.twin.cli.size import main
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
from lingtan.twin.reports.sizing import write_outputs
from lingtan.twin.run import simulate
from lingtan.twin.studies.economics import project_economics
from lingtan.twin.studies.park import simulate_park
from lingtan.twin.studies.sizing import apply_lever, default_levers, pareto, size, summary

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"
PARK = ROOT / "scenarios" / "anhui-park.yaml"
# 4 x 4 levels, so that the coarse grid (first, middle, last level) differs from the full lattice; battery levels
# up to 1x, where the cheapest design of the lattice fails the criteria (the criteria decide the answer).
LEVELS = {"pv": [1.0, 2.0, 3.0, 4.0], "battery": [0.0, 0.25, 0.5, 1.0]}
HUNAN_SIMULATED = {"hunan_factory_2025.unit_energy_carbon", "hunan_factory_2025.re_ratio"}


def _independent_design(pv: float, battery: float, green_power_e_kwh: float = 0.0) -> tuple[float, bool]:
    """Annualised cost [CNY/yr] and verdict of one factory design under the Hunan pack, without
    lingtan.twin.studies.sizing: the
    scenario file's sizes scaled here (not by apply_lever), simulated from scratch by the ordinary run path
    (lingtan.twin.run.simulate: its own profiles and assessment), costed by lingtan.twin.studies.economics, and
    judged by the sizing rule
    written out: every criterion of the pack in the role admission or target that reads a simulated value passes
    (declared facts cannot be sized for)."""
    data = read_yaml(FACTORY)
    data["criteria"] = ["hunan_factory_2025"]
    data["pv"] = [{**a, "capacity_kwp": a["capacity_kwp"] * pv} for a in data["pv"]]
    data["battery"] = (
        [{**b, "energy_kwh": b["energy_kwh"] * battery, "power_kw": b["power_kw"] * battery} for b in data["battery"]]
        if battery > 0
        else []
    )
    if green_power_e_kwh:
        data["green_power"] = {"green_power_contract_e_kwh": green_power_e_kwh}
    res = simulate(scenario_from_dict(data, FACTORY), FACTORY.parent)
    judged = [v for v in res.verdicts if v["role"] in ("admission", "target") and v["input"] == "simulated"]
    assert {v["criterion_id"] for v in judged} == HUNAN_SIMULATED
    return project_economics(res)["annualised_cost_cny"], all(v["passed"] for v in judged)


# The park lattice: the shared PV at half and full size, the central battery at one and two times; the shared wind
# farm removed (level 0), so that the PV's reverse flow into feeder F3 matters.
PARK_LEVELS = {"pv": [0.5, 1.0], "battery": [1.0, 2.0]}
PARK_GREEN_POWER_FACTOR = 2.0
ANHUI_SIMULATED = {"anhui_park_2024.re_electricity_share", "anhui_park_2024.waste_heat_recovery"}


def _park_mapping_declared_streams() -> dict:
    """The reference park file's mapping with the setting of _park_declared_streams."""
    data = read_yaml(PARK)
    data["criteria_settings"] = {"anhui_waste_heat_variant": "declared_streams"}
    return data


def _independent_park_design(pv: float, battery: float) -> tuple[float, bool, int]:
    """Annualised cost [CNY/yr], verdict under the Anhui park pack and number of network limit violations of one
    park design, without lingtan.twin.studies.sizing: the park file's shared PV and battery scaled here, its
    green-power contract multiplied by PARK_GREEN_POWER_FACTOR and its wind farm removed (with its network
    connection), simulated from scratch with the hourly power flow
    (lingtan.twin.studies.park.simulate_park), and judged by the sizing rule written out: every criterion of the
    pack in the role admission or target that reads a simulated value passes.

    The cost is sizing's documented cost (twin/studies/sizing.py, "Method" 4: the annualised cost of
    project_economics, with the scenario's own economics), so it is the same definition; it is not the same code
    path: no apply_lever, no evaluator cache, no power flow left out, and the green-power contract is written into
    the scenario and assessed by the park run itself rather than re-assessed per accounting level."""
    data = _park_mapping_declared_streams()
    data["criteria"] = ["anhui_park_2024"]
    shared = data["shared"]
    shared["pv"] = [{**a, "capacity_kwp": a["capacity_kwp"] * pv} for a in shared["pv"]]
    shared["battery"] = [
        {**b, "energy_kwh": b["energy_kwh"] * battery, "power_kw": b["power_kw"] * battery} for b in shared["battery"]
    ]
    data["green_power"]["green_power_contract_e_kwh"] *= PARK_GREEN_POWER_FACTOR
    for farm in shared.pop("wind"):
        del data["network"]["connections"][farm["name"]]
    res = simulate_park(scenario_from_dict(data, PARK), PARK.parent)
    judged = [v for v in res.verdicts if v["role"] in ("admission", "target") and v["input"] == "simulated"]
    assert {v["criterion_id"] for v in judged} == ANHUI_SIMULATED
    return (
        project_economics(res)["annualised_cost_cny"],
        all(v["passed"] for v in judged),
        len(res.kpis["network"]["violations"]),
    )


@pytest.fixture(scope="module")
def factory_lattice() -> dict[tuple[float, float], tuple[float, bool]]:
    """(pv, battery) factors -> (annualised cost, passes) for every design of LEVELS, evaluated independently."""
    return {(pv, b): _independent_design(pv, b) for pv in LEVELS["pv"] for b in LEVELS["battery"]}


def _park_declared_streams():
    """The reference park with Anhui's 10 % waste-heat criterion read on its declared streams: on the whole
    boundary (the default, GB/T 1028) its data centre's and cold chain's unrecovered heat fail it, which no
    electric lever can fix; these tests are about the electric levers."""
    park = load_scenario(PARK)
    return park.model_copy(
        update={
            "criteria_settings": park.criteria_settings.model_copy(
                update={"anhui_waste_heat_variant": "declared_streams"}
            )
        }
    )


def test_apply_lever_scales_and_removes():
    d = {"pv": [{"name": "a", "capacity_kwp": 100.0}], "battery": [{"name": "b", "energy_kwh": 10.0, "power_kw": 5.0}]}
    assert apply_lever(d, "pv", 2.0, False, {})["pv"][0]["capacity_kwp"] == 200.0
    b = apply_lever(d, "battery", 0.5, False, {})["battery"][0]
    assert (b["energy_kwh"], b["power_kw"]) == (5.0, 2.5)
    assert apply_lever(d, "battery", 0.0, False, {})["battery"] == []
    assert d["pv"][0]["capacity_kwp"] == 100.0  # the input is not modified
    g = apply_lever(d, "green_power", 1.5, False, {"green_power": 1000.0})
    assert g["green_power"]["green_power_contract_e_kwh"] == 1500.0


def test_default_levers_are_the_scenarios_supply_and_green_power(capsys, factory_lattice):
    # The park has shared PV, wind and a central battery; the factory has PV and a battery and no wind.
    assert default_levers(load_scenario(PARK)) == ["pv", "wind", "battery", "green_power"]
    assert default_levers(load_scenario(FACTORY)) == ["pv", "battery", "green_power"]
    # `twin size FILE --criteria PACK` without --vary sizes those levers (2 x 2 x 2 levels here: quick). The
    # independent evaluation passes pv 2x with the 1x battery and no green power, so a design passes: exit 0.
    assert factory_lattice[2.0, 1.0][1]
    code = main(
        [
            str(FACTORY),
            "--criteria",
            "hunan_factory_2025",
            "--levels",
            "pv=1,2",
            "--levels",
            "battery=0,1",
            "--levels",
            "green_power=0,1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "levers: pv, battery, green_power" in out and "least-cost passing design:" in out
    # The scenario as written (pv 1x, no battery, no green power) fails independently: alone, nothing passes: exit 1.
    assert not factory_lattice[1.0, 0.0][1]
    code = main(
        [
            str(FACTORY),
            "--criteria",
            "hunan_factory_2025",
            "--levels",
            "pv=1",
            "--levels",
            "battery=0",
            "--levels",
            "green_power=0",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1 and "no design in the search passes every simulated criterion" in out


def test_search_equals_exhaustive_grid_on_a_factory(tmp_path, factory_lattice):
    # Hunan factory pack: re_ratio >= 0.35 and unit energy carbon targets are simulated; product footprint
    # is declared and fails -> reported as unfixable. 2 levers x 4 levels.
    full = size(FACTORY, ["hunan_factory_2025"], ["pv", "battery"], grid_points=LEVELS, exhaustive_limit=100)
    fast = size(FACTORY, ["hunan_factory_2025"], ["pv", "battery"], grid_points=LEVELS, exhaustive_limit=0)
    assert full.method.startswith("exhaustive") and fast.method.startswith("coarse")
    assert len({tuple(sorted(d.factors.items())) for d in full.designs}) == 16
    # Both first simulate the scenario as written (for the criteria sizing cannot change). Exhaustive: + 16.
    # Coarse grid pv {1, 3, 4} x battery {0, 0.5, 1}: + 9, best passing (3, 1); its new neighbour (2, 1) is cheaper
    # and passes: + 1; from (2, 1) the one neighbour not yet simulated, (2, 0.5), fails ((1, 1) is on the coarse
    # grid and fails too): + 1, and the search stops.
    assert (full.simulations, fast.simulations) == (1 + 16, 1 + 9 + 1 + 1)
    # Every design the search assessed has the independent evaluation's cost and verdict (the same physics and
    # prices, so equal to round-off).
    for d in full.designs + fast.designs:
        cost, passed = factory_lattice[d.factors["pv"], d.factors["battery"]]
        assert d.passed == passed and d.cost_cny_per_year == pytest.approx(cost, rel=1e-12), d.factors
    # Brute force over the independent lattice: the least-cost passing design; the lattice's cheapest design fails,
    # so the answer is the criteria's, not the cost's alone.
    brute = min((k for k, (c, ok) in factory_lattice.items() if ok), key=lambda k: factory_lattice[k][0])
    assert not factory_lattice[min(factory_lattice, key=lambda k: factory_lattice[k][0])][1]
    for res in (full, fast):
        assert (res.chosen.factors["pv"], res.chosen.factors["battery"]) == brute
        assert res.chosen.cost_cny_per_year == pytest.approx(factory_lattice[brute][0], rel=1e-12)
    # the declared failing criterion is reported, not sized for
    assert [u["criterion_id"] for u in full.unfixable] == ["hunan_factory_2025.product_footprint"]
    assert all(m["passed"] for m in full.chosen.margins.values() if m["fixable"])
    # Pareto front: non-dominated in (cost, renewable share)
    front = full.pareto_re_share
    for f in front:
        assert not any(
            o.cost_cny_per_year < f.cost_cny_per_year - 1e-6 and o.re_share > f.re_share + 1e-12 for o in full.designs
        )
    out = write_outputs(full, tmp_path / "size")
    assert (out / "designs.csv").stat().st_size > 0 and (out / "pareto.html").stat().st_size > 100_000
    assert (out / "pareto_emissions.html").stat().st_size > 100_000 and (out / "sizing.txt").is_file()
    # non-dominated in (cost, residual emissions) too
    for f in full.pareto_emissions:
        assert not any(
            o.cost_cny_per_year < f.cost_cny_per_year - 1e-6 and o.residual_emissions_t < f.residual_emissions_t - 1e-9
            for o in full.designs
        )


def test_pareto_hand_case():
    from types import SimpleNamespace as D

    pts = [D(cost_cny_per_year=c, re_share=s) for c, s in ((1, 0.1), (2, 0.3), (3, 0.2), (4, 0.5), (2, 0.05))]
    assert [(p.cost_cny_per_year, p.re_share) for p in pareto(pts, "re_share", True)] == [(1, 0.1), (2, 0.3), (4, 0.5)]


def test_reference_park_passes_anhui_2024_slow():
    """About 10 s: the search's park years skip the network power flow; the chosen design runs it."""
    res = size(
        _park_declared_streams(),
        ["anhui_park_2024"],
        ["pv", "battery", "green_power"],
        PARK.parent,
        grid_points={"pv": [1.0, 2.0], "battery": [0.5, 1.0]},
    )
    assert res.feasible
    c = res.chosen
    assert c.passed
    share = c.margins["anhui_park_2024.re_electricity_share"]
    assert share["passed"] and share["margin"] >= -1e-9
    # the park's declared facts all pass: nothing is unfixable
    assert res.unfixable == []
    # the least-cost design is no dearer than any passing design assessed
    assert all(c.cost_cny_per_year <= d.cost_cny_per_year + 1e-6 for d in res.designs if d.passed)
    # the search leaves out the network's power flow; the chosen design gets it, and the summary says what it found
    assert res.network is not None and {"violations", "reverse_flow_hours"} <= set(res.network)
    assert "park network at the chosen design" in summary(res)
    # The acceptance items the search does not size for (the park buys no carbon credits: cap and cover fail)
    # are named beside the "passing" design, never left out in silence.
    assert {u["criterion_id"] for u in res.not_sized_for} >= {
        "anhui_park_2024.carbon_credit_cap",
        "anhui_park_2024.carbon_credit_cover",
    }
    assert all(u["role"] == "acceptance" for u in res.not_sized_for if "carbon_credit" in u["criterion_id"])
    text = summary(res)
    assert "not sized for" in text and "acceptance FAIL anhui_park_2024.carbon_credit_cover" in text


@pytest.fixture(scope="module")
def park_lattice() -> dict[tuple[float, float], tuple[float, bool, int]]:
    """(pv, battery) factors -> (annualised cost, passes the criteria, network violations) for every design of
    PARK_LEVELS, evaluated once for both network_limits settings (the power flow runs for every design)."""
    return {(pv, b): _independent_park_design(pv, b) for pv in PARK_LEVELS["pv"] for b in PARK_LEVELS["battery"]}


def test_network_limits_make_violating_designs_fail(park_lattice):
    """With network_limits, a park design whose network leaves its limits in any hour fails. The search's answer
    for each setting equals the least-cost passing design of an independent exhaustive evaluation of the lattice;
    the network limits change that answer (on this lattice a design with a violation is the cheapest passing
    one without them)."""
    # Green power at one level, twice the contract as written (without wind no design of the lattice reaches the
    # renewable share on the contract as written): a lever of the search with nothing to choose, so that the
    # independent evaluation needs no second accounting pass (the search bisects a contract with more levels).
    levels = {**PARK_LEVELS, "wind": [0.0], "green_power": [PARK_GREEN_POWER_FACTOR]}
    # The park as a mapping, as read from its file (a validated model costs its green power at zero:
    # test_sizing_a_park_model_costs_its_green_power).
    park = _park_mapping_declared_streams()
    vary = ["pv", "wind", "battery", "green_power"]
    free = size(park, ["anhui_park_2024"], vary, PARK.parent, grid_points=levels)
    held = size(park, ["anhui_park_2024"], vary, PARK.parent, grid_points=levels, network_limits=True)
    # Brute force over the independent lattice: without the option the criteria alone decide; with it a design
    # must also keep its network within limits every hour.
    optimum = {
        False: min((k for k, (c, ok, n) in park_lattice.items() if ok), key=lambda k: park_lattice[k][0]),
        True: min((k for k, (c, ok, n) in park_lattice.items() if ok and n == 0), key=lambda k: park_lattice[k][0]),
    }
    assert optimum[False] != optimum[True] and park_lattice[optimum[False]][2] > 0  # the limits decide
    for res, limits in ((free, False), (held, True)):
        assert (res.chosen.factors["pv"], res.chosen.factors["battery"]) == optimum[limits]
        assert res.chosen.cost_cny_per_year == pytest.approx(park_lattice[optimum[limits]][0], rel=1e-9)
    assert held.chosen.margins["network"]["value"] == 0 and held.network["violations"] == []
    # every design either search assessed has the independent evaluation's cost, and is judged as it judges it
    for res, limits in ((free, False), (held, True)):
        for d in res.designs:
            cost, ok, n = park_lattice[d.factors["pv"], d.factors["battery"]]
            assert d.cost_cny_per_year == pytest.approx(cost, rel=1e-9), d.factors
            assert d.passed == (ok and (n == 0 or not limits)), d.factors
            assert not limits or d.margins["network"]["value"] == n, d.factors
    assert len(free.network["violations"]) == park_lattice[optimum[False]][2]  # reported, not sized for


def test_sizing_a_park_model_costs_its_green_power(park_lattice):
    """The same park design costs the same whether the park is given to size() as a validated model or as a
    mapping: the independent evaluation's cost (project_economics of the park run from its file's mapping)."""
    levels = {"pv": [1.0], "wind": [0.0], "battery": [1.0], "green_power": [PARK_GREEN_POWER_FACTOR]}
    res = size(
        _park_declared_streams(),
        ["anhui_park_2024"],
        ["pv", "wind", "battery", "green_power"],
        PARK.parent,
        grid_points=levels,
    )
    assert res.chosen.cost_cny_per_year == pytest.approx(park_lattice[1.0, 1.0][0], rel=1e-9)


def test_a_design_that_schedules_on_its_pv_gets_its_own_profiles():
    # Plumbing: smart charging is scheduled before dispatch on the design's PV, so each PV level of the search
    # builds its own profiles: the search's year at 3x PV equals the ordinary run of that design, after the 1x
    # design was simulated first (whose profiles the search once kept for every PV level).
    from lingtan.twin.core.schema.economics import Economics
    from lingtan.twin.studies.sizing import _Evaluator

    file = FACTORY.parent / "hefei_logistics_fleet.yaml"
    data = read_yaml(file)
    data["charging"]["strategy"] = "smart"
    ev = _Evaluator(data, False, file.parent, [], Economics(), {"green_power": 0.0}, file)
    ev.simulate({"pv": 1.0})
    _, searched = ev.simulate({"pv": 3.0})
    alone = simulate(scenario_from_dict(apply_lever(data, "pv", 3.0, False, {}), file), file.parent)
    assert searched.kpis["grid_import_e_kwh"] == pytest.approx(alone.kpis["grid_import_e_kwh"], rel=1e-12)
    assert searched.kpis["vehicles"]["past_target_e_kwh"] == pytest.approx(
        alone.kpis["vehicles"]["past_target_e_kwh"], rel=1e-12
    )


def test_a_design_without_the_battery_schedules_without_its_target():
    # Plumbing: a flexible batch is scheduled under the battery's peak target (charging_site); a design without the
    # battery has no target, so it builds its own profiles even after the design with the battery was simulated.
    from lingtan.twin.core.schema.economics import Economics
    from lingtan.twin.studies.sizing import _Evaluator

    data = read_yaml(FACTORY)
    data["battery"][0].update(dispatch="peak_shaving", peak_target_kw=9000)
    data["flexible_loads"] = [
        {"name": "pull_down", "p_kw": 2000, "duration_h": 4, "earliest_start_h": 8, "latest_start_h": 16}
    ]
    ev = _Evaluator(data, False, FACTORY.parent, [], Economics(), {"green_power": 0.0}, FACTORY)
    ev.simulate({"pv": 1.0, "battery": 1.0})
    _, searched = ev.simulate({"pv": 1.0, "battery": 0.0})
    alone = simulate(scenario_from_dict(apply_lever(data, "battery", 0.0, False, {}), FACTORY), FACTORY.parent)
    assert searched.kpis["grid_import_e_kwh"] == pytest.approx(alone.kpis["grid_import_e_kwh"], rel=1e-12)
    assert searched.kpis["peak_import_kw"] == pytest.approx(alone.kpis["peak_import_kw"], rel=1e-12)
