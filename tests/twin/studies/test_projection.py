"""Year to date and year end (issue 18, point 5): measured months joined to the twin for the rest of the year."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lingtan.errors import InputError
from lingtan.meters.assess import MeterHours, assess_meters
from lingtan.meters.schema import load_meter_map
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import load_weather, simulate
from lingtan.twin.studies.projection import joined, project, simulated_meters

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
MAP = ROOT / "tests" / "meters" / "hefei_map.yaml"
RE_SHARE = "hunan_factory_2025.re_ratio"


@pytest.fixture(scope="module")
def plant():
    """The plant (export unlimited, see tests/meters/test_assess.py), its map and its simulated meters."""
    scenario = load_scenario(SCENARIO)
    scenario = scenario.model_copy(update={"grid": scenario.grid.model_copy(update={"export_limit_kw": 1e9})})
    mmap = load_meter_map(MAP, scenario)
    sim = simulated_meters(scenario, SCENARIO.parent, mmap, load_weather(scenario, SCENARIO.parent))
    meters = pd.DataFrame([m.model_dump() for m in mmap.meters]).rename(columns={"id": "meter_id"})
    return scenario, mmap, sim, meters


def _measured(sim: pd.DataFrame, meters: pd.DataFrame, days: int, pv_scale: float = 1.0) -> MeterHours:
    p = sim.iloc[: days * 24].copy()
    p["M-PV"] *= pv_scale
    return MeterHours(p=p, real=pd.DataFrame(True, index=p.index, columns=p.columns), meters=meters)


def test_meters_that_read_the_twin_project_the_twins_own_year(plant):
    scenario, mmap, sim, meters = plant
    proj = project(scenario, _measured(sim, meters, 90), mmap, base_dir=SCENARIO.parent)
    whole = project(scenario, _measured(sim, meters, 365), mmap, base_dir=SCENARIO.parent)
    c, year = proj.criteria[RE_SHARE], whole.so_far
    assert proj.cutoff == sim.index[90 * 24]
    assert c["members"] == 1 and c["so_far_status"] in ("pass", "fail")
    # the joined year is the simulated year: its value is the measured whole year's
    full = {v["criterion_id"]: v for v in year.verdicts}[RE_SHARE]
    assert c["value_p50"] == pytest.approx(full["value"], rel=1e-12)
    assert c["p_pass"] == float(full["status"] == "pass")
    # the year to date at each month's end, the last one the period so far
    assert len(proj.track) == 3 and proj.track[RE_SHARE].iloc[-1] == pytest.approx(c["so_far"], rel=1e-12)
    cmp = proj.compare[proj.compare.meter_id == "M-PV"]
    np.testing.assert_allclose(cmp.measured_e_kwh, cmp.simulated_e_kwh, rtol=1e-12)


def test_a_weak_first_quarter_lowers_the_year_end(plant):
    scenario, mmap, sim, meters = plant
    base = project(scenario, _measured(sim, meters, 90), mmap, base_dir=SCENARIO.parent)
    weak = project(scenario, _measured(sim, meters, 90, pv_scale=0.5), mmap, base_dir=SCENARIO.parent)
    b, w = base.criteria[RE_SHARE], weak.criteria[RE_SHARE]
    assert w["so_far"] < b["so_far"]
    # the rest of the year is the twin's in both: the year end moves by less than the quarter did
    assert w["so_far"] < w["value_p50"] < b["value_p50"]
    pv = weak.compare[weak.compare.meter_id == "M-PV"]
    np.testing.assert_allclose(pv.measured_e_kwh, 0.5 * pv.simulated_e_kwh, rtol=1e-12)


def test_weather_years_give_the_odds_of_their_joined_years(plant):
    scenario, mmap, sim, meters = plant
    proj = project(scenario, _measured(sim, meters, 120), mmap, base_dir=SCENARIO.parent, years=3)
    m = proj.members
    assert list(m.member) == [-1, 0, 1, 2]
    c = proj.criteria[RE_SHARE]
    assert c["members"] == 4
    assert c["p_pass"] == (m[f"{RE_SHARE}.status"] == "pass").mean()
    assert c["value_p50"] == pytest.approx(np.median(m[f"{RE_SHARE}.value"]), rel=1e-12)
    assert m[f"{RE_SHARE}.value"].nunique() == 4  # each weather year ends differently


def test_the_joined_year_takes_measured_hours_before_the_cutoff_only(plant):
    _, _, sim, meters = plant
    measured = _measured(sim, meters, 30, pv_scale=2.0)
    cut = sim.index[10 * 24]
    j = joined(measured, sim, cut)
    assert (j.p.index == sim.index).all()
    np.testing.assert_allclose(j.p["M-PV"].iloc[: 10 * 24], 2 * sim["M-PV"].iloc[: 10 * 24])
    np.testing.assert_allclose(j.p["M-PV"].iloc[10 * 24 :], sim["M-PV"].iloc[10 * 24 :])


def test_readings_outside_the_scenarios_year_are_refused(plant):
    scenario, mmap, sim, meters = plant
    measured = _measured(sim, meters, 30)
    late = MeterHours(measured.p.set_axis(measured.p.index + pd.Timedelta(days=400)), measured.real, measured.meters)
    with pytest.raises(InputError, match="readings inside the scenario's year 2025"):
        project(scenario, late, mmap, base_dir=SCENARIO.parent)


def test_heat_meters_join_the_twins_year():
    """Plumbing (the heat meters of a simulated year read the twin's own yearly sums, :func:`heat_truth`): a
    joined year measures the simulated recovery rate, and the criterion that reads it is projected from heat
    meters instead of staying "not assessable"."""
    path = ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"
    scenario = load_scenario(path)
    mmap = load_meter_map(ROOT / "tests" / "meters" / "hefei_heat_map.yaml", scenario)
    sim = simulated_meters(scenario, path.parent, mmap, load_weather(scenario, path.parent))
    assert {"H-OVEN", "H-OVEN-REC", "H-AIR", "H-AIR-REC"} <= set(sim.columns)
    meters = pd.DataFrame([m.model_dump() for m in mmap.meters]).rename(columns={"id": "meter_id"})
    real = pd.DataFrame(True, index=sim.index, columns=sim.columns)
    year = assess_meters(MeterHours(sim, real, meters), scenario, path.parent)
    rate = simulate(scenario, path.parent).kpis["heat"]["waste_heat_recovery_rate"]
    assert year.kpis["heat"]["waste_heat_recovery_rate"] == pytest.approx(rate, rel=1e-9)
    proj = project(scenario, MeterHours(sim.iloc[: 90 * 24], real.iloc[: 90 * 24], meters), mmap, base_dir=path.parent)
    c = proj.criteria["zhejiang_factory_2025.waste_energy"]
    assert c["needs"] == ["heat"] and c["statuses"].get("not assessable", 0) == 0
