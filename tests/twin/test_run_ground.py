"""A ground-source heat pump through the whole run: its table, KPIs, accounting, checks and refusals."""

import copy

import numpy as np
import pytest
from support.scenario_files import DEFAULT, base, write  # noqa: F401 (base is a fixture)

from lingtan.components.ground import GroundLoop, loop_fluid_t_c
from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import check_heat_balance
from lingtan.twin.run import build_profiles, simulate
from lingtan.validation.plant_cases import FIELD

LOOP = FIELD.model_dump() | {"name": "borefield"}  # the reference field, 5 x 4 boreholes of 120 m


def with_gshp(data: dict, hp_kw_th: float = 400.0, cooling: bool = False) -> dict:
    """The default factory with offices heated at 45 C by a ground-source heat pump, gas behind it (and cooled by
    it, chillers of COP 4 behind it, with ``cooling``)."""
    d = copy.deepcopy(data)
    office = {"name": "offices", "ua_kw_per_k": 30, "setpoint_heating_c": 18, "t_c": 45, "cooling": cooling}
    d["space"] = [dict(office, cooling_cop=4.0) if cooling else office]
    d["ground_loops"] = [dict(LOOP)]
    d["heat_pumps"] = [
        {"name": "gshp", "source": "borefield", "sink": "offices", "t_c": 45, "capacity_q_kw_th": hp_kw_th}
    ]
    if cooling:
        d["heat_pumps"][0]["cooling"] = "offices"
    d["boilers"] = [{"name": "gas", "fuel": "natural_gas", "efficiency": 0.92, "capacity_q_kw_th": 2000, "t_c": 90}]
    return d


@pytest.fixture(scope="module")
def gshp_run():
    import yaml

    data = with_gshp(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")))
    sc = scenario_from_dict(data)
    return sc, simulate(sc, DEFAULT.parent)


def test_table_kpis_and_accounting(gshp_run):
    sc, r = gshp_run
    h = r.hourly_heat
    loop = GroundLoop(**LOOP)
    drawn = (h["gshp.heat_to_demand_kw_th"] - h["gshp.p_base_kw"] - h["gshp.p_surplus_kw"]).to_numpy()
    # Plumbing: the table's extraction is the heat pump's output less its electricity, its fluid temperature the
    # reference recursion of that extraction.
    assert np.abs(h["borefield.extracted_kw_th"].to_numpy() - drawn).max() < 1e-9
    assert np.array_equal(h["borefield.t_fluid_c"].to_numpy(), loop_fluid_t_c(loop, drawn))
    k = r.kpis["heat"]["ground_loops"]["borefield"]
    assert k["extracted_e_kwh_th"] == pytest.approx(drawn.sum(), rel=1e-12)
    assert k["seasonal_cop"] == pytest.approx(k["heat_pump_heat_e_kwh_th"] / k["heat_pump_p_e_kwh"], rel=1e-12)
    assert 2.5 < k["seasonal_cop"] < 6.0 and k["t_fluid_min_c"] >= loop.min_fluid_t_c - 1e-9
    # The ground's heat is on-site renewable heat: 1 kWh_th = 0.0036 GJ (plumbing into the accounting).
    gj = r.accounting.energy.heat.onsite_re_heat_gj
    assert gj == pytest.approx(k["extracted_e_kwh_th"] * 0.0036, rel=1e-12)
    assert check_heat_balance(h, build_profiles(sc, DEFAULT.parent).heat, np.zeros(0)) <= 1e-6


def test_a_bad_source_names_its_field(tmp_path, capsys, base):  # noqa: F811
    d = with_gshp(base)
    d["heat_pumps"][0]["source"] = "borfield"
    code = main(["check", str(write(tmp_path, d))])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "heat_pumps[0].source" in err and "'borfield'" in err and "ground loop ['borefield']" in err


def test_two_heat_pumps_on_one_loop_are_refused(tmp_path, capsys, base):  # noqa: F811
    d = with_gshp(base)
    d["heat_pumps"].append(dict(d["heat_pumps"][0], name="gshp2"))
    assert main(["check", str(write(tmp_path, d))]) == 2
    err = capsys.readouterr().err
    assert "heat_pumps[0].source" in err and "one heat pump per ground loop" in err


def test_ground_properties_are_required_by_field_path(tmp_path, capsys, base):  # noqa: F811
    d = with_gshp(base)
    del d["ground_loops"][0]["conductivity_w_per_m_k"]
    assert main(["check", str(write(tmp_path, d))]) == 2
    assert "ground_loops[0].conductivity_w_per_m_k" in capsys.readouterr().err


def test_optimal_dispatch_refuses_a_ground_loop(tmp_path, capsys, base):  # noqa: F811
    d = with_gshp(base)
    d["battery"][0]["dispatch"] = "optimal"
    code = main(["run", str(write(tmp_path, d)), "--out", str(tmp_path / "out"), "--reports", "none", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "heat_pumps[0].source" in err and "ground loop 'borefield'" in err
    assert not (tmp_path / "out").exists()


def test_the_boreholes_are_costed_by_the_metre(gshp_run):
    # 5 x 4 boreholes of 120 m = 2 400 m at the assumed 150 CNY/m: 360 000 CNY of capital (by hand).
    from lingtan.twin.studies.economics import project_economics

    _, r = gshp_run
    loop = [a for a in project_economics(r)["assets"] if a["kind"] == "ground_loop"]
    assert [(a["name"], a["m"], a["units"]) for a in loop] == [("ground_loops.borefield", 2400.0, 20)]
    assert loop[0]["capex_cny"] == pytest.approx(2400 * 150.0, rel=1e-12)


def test_cooling_puts_heat_back_and_every_balance_closes(base):  # noqa: F811
    sc = scenario_from_dict(with_gshp(base, cooling=True))
    r = simulate(sc, DEFAULT.parent)
    h = r.hourly_heat
    cool = h["borefield.cooling_kw_th"] + h["borefield.chiller_cooling_kw_th"]
    assert np.abs(cool - h["borefield.cooling_demand_kw_th"]).max() < 1e-9
    assert (
        np.abs(h["borefield.injected_kw_th"] - h["borefield.cooling_kw_th"] - h["borefield.p_cooling_kw"]).max() < 1e-9
    )
    net = (h["borefield.extracted_kw_th"] - h["borefield.injected_kw_th"]).to_numpy()
    assert np.array_equal(h["borefield.t_fluid_c"].to_numpy(), loop_fluid_t_c(GroundLoop(**LOOP), net))
    k = r.kpis["heat"]
    g = k["ground_loops"]["borefield"]
    assert g["cooling_e_kwh_th"] > 0 and g["injected_e_kwh_th"] > g["cooling_e_kwh_th"]
    # the heat pump's and the chillers' cooling electricity reach the bus as heat-side load: with the heat pump's
    # heating electricity it is all the electricity the table sends to heat
    to_heat = r.hourly[[c for c in r.hourly.columns if c.endswith("_to_heat_kw")]].sum(axis=1)
    el = h["borefield.p_cooling_kw"] + h["borefield.chiller_p_kw"] + h["gshp.p_base_kw"] + h["gshp.p_surplus_kw"]
    assert np.abs(to_heat - el).max() < 1e-6
    # the space's condenser heat (into the ground or the air) is a waste-heat resource of the boundary
    rejected = (
        h["borefield.injected_kw_th"] + h["borefield.chiller_cooling_kw_th"] + h["borefield.chiller_p_kw"]
    ).sum()
    assert k["waste_heat_available_e_kwh_th_by_stream"]["offices.condenser"] == pytest.approx(rejected, rel=1e-12)
    assert check_heat_balance(h, build_profiles(sc, DEFAULT.parent).heat, np.zeros(0)) <= 1e-6


def test_cooling_from_an_air_source_heat_pump_is_refused(tmp_path, capsys, base):  # noqa: F811
    d = with_gshp(base, cooling=True)
    d["heat_pumps"][0]["source"] = "ambient_air"
    assert main(["check", str(write(tmp_path, d))]) == 2
    assert "heat_pumps[0].cooling" in capsys.readouterr().err


def test_a_biomass_boiler_behind_it_is_biogenic_and_renewable(base):  # noqa: F811
    # The boiler's fuel from the run reaches the accounting as biomass (GB/T 32150): its CO2 reported apart at
    # the table's 1.7472 kgCO2/kg, its energy renewable at 0.532296 kgce/kg (components/data/fuels.csv).
    d = with_gshp(base, hp_kw_th=100.0)
    d["boilers"] = [{"name": "pellets", "fuel": "biomass", "efficiency": 0.85, "capacity_q_kw_th": 2000, "t_c": 90}]
    r = simulate(scenario_from_dict(d), DEFAULT.parent)
    kg = r.kpis["heat"]["fuel_use"]["biomass"]["quantity"]
    assert kg > 0
    assert r.accounting.kpis.biomass_co2_t == pytest.approx(kg * 1.7472 / 1000, rel=1e-9)
    assert r.accounting.energy.biomass_tce == pytest.approx(kg * 0.532296 / 1000, rel=1e-9)
    assert "biomass" not in r.accounting.energy.fuels


def test_a_tenants_ground_heat_is_the_parks_renewable_heat():
    # Plumbing: tenant b of the small two-tenant park heats offices from a ground loop; the park's heat KPIs name
    # the loop by tenant and its accounting carries the heat drawn as on-site renewable heat (kWh_th x 0.0036 GJ).
    from lingtan.components.heat import HeatPump
    from lingtan.components.space import SpaceConditioning
    from lingtan.twin.studies.park import simulate_park

    from .test_park import ROOT, two_tenants

    park = two_tenants(link=False)
    space = SpaceConditioning(name="offices", ua_kw_per_k=30, setpoint_heating_c=18, t_c=45, cooling=False)
    hp = HeatPump(name="gshp", source="borefield", sink="offices", t_c=45, capacity_q_kw_th=400)
    b = park.tenants[1].model_copy(update={"space": [space], "ground_loops": [GroundLoop(**LOOP)], "heat_pumps": [hp]})
    r = simulate_park(park.model_copy(update={"tenants": [park.tenants[0], b]}), ROOT)
    drawn = r.tenants["b"].kpis["heat"]["ground_loops"]["borefield"]["extracted_e_kwh_th"]
    assert drawn > 0
    assert r.kpis["heat"]["ground_loops"]["b.borefield"]["extracted_e_kwh_th"] == drawn
    assert r.accounting.energy.heat.onsite_re_heat_gj == pytest.approx(drawn * 0.0036, rel=1e-12)
    from lingtan.twin.reports.summary import park_summary

    assert f"Ground heat drawn, b.borefield: {drawn * 1e-3:,.1f} MWh_th" in park_summary(r)


def test_a_borehole_sweep_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path):
    # Plumbing: the field is a size (HeatSizes): the fast path's kernel runs every case's own loop (all cases at
    # once without verdicts, case by case on shared profiles with them), and its rows equal those of scenarios
    # built and run one by one. A field of 2 x 5 boreholes reaches the cut-out, one of 8 x 5 does not.
    from lingtan.twin.studies.sweep import read_results, run_sweep

    fleet = DEFAULT.parent / "hefei_logistics_fleet.yaml"
    col = "ground_loops[0].boreholes_x"
    rows = {}
    for verdicts in (True, False):
        for path in ("auto", "whole"):
            out = tmp_path / f"{path}{verdicts}"
            s = run_sweep(fleet, [f"{col}=2:8:2"], out=out, path=path, jobs=1, progress=False, verdicts=verdicts)
            assert s["path"] == ("fast" if path == "auto" else "whole")
            rows[path, verdicts] = read_results(out).sort_values(col).reset_index(drop=True)
        a, b = rows["auto", verdicts], rows["whole", verdicts]
        for c in ("grid_import_e_kwh", "power_to_heat_e_kwh"):
            np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-12, err_msg=c)
    fluid = rows["auto", True]["heat.ground_loops.office_boreholes.t_fluid_min_c"].to_numpy()
    assert fluid[0] == pytest.approx(-3.0, abs=1e-6) and fluid[-1] > -2.9


def test_report_and_dashboard_show_the_ground_loop(gshp_run):
    # Plumbing: the report's and the dashboard's tables carry ground_loop_rows of the run's KPIs.
    from lingtan.dashboard.pages_results import rows_table
    from lingtan.twin.reports.html import build_html
    from lingtan.twin.reports.summary import ground_loop_rows

    _, r = gshp_run
    rows = {text: v for text, v, _ in ground_loop_rows(r.kpis["heat"])}
    g = r.kpis["heat"]["ground_loops"]["borefield"]
    assert rows["Seasonal COP, borefield"] == g["seasonal_cop"]
    page = build_html(r, "en")
    assert 'id="ground-loop-table"' in page and "<th>Lowest loop fluid, borefield</th>" in page
    div = rows_table(ground_loop_rows(r.kpis["heat"], "zh"), "results-ground-table", "section_ground_loops", "zh")
    assert div is not None and "地埋管" in str(div)
