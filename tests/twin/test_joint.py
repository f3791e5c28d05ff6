"""Weather years and the other uncertainties drawn jointly (twin/studies/joint.py, issue 15 point 5)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.studies.ensemble import simulate_ensemble
from lingtan.twin.studies.joint import simulate_joint
from lingtan.twin.studies.uncertainty import WEATHER_BAR

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"
YEARS = 4
SHARE = "re_electricity_share_onsite"
ZJ = "zhejiang_factory_2025.renewable_share"  # re_electricity_share_onsite >= 0.15


@pytest.fixture(scope="module")
def base_dict():
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["weather"] = {**d["weather"], "ensemble": {"years": YEARS}}
    return d


@pytest.fixture(scope="module")
def weather_only(base_dict):
    return simulate_ensemble(scenario_from_dict(base_dict, DEFAULT), DEFAULT.parent, jobs=1)


def joint(base_dict, uncertainty):
    return simulate_joint(scenario_from_dict({**base_dict, "uncertainty": uncertainty}, DEFAULT), DEFAULT.parent)


def test_with_no_other_spread_the_joint_odds_are_the_weather_ensembles(base_dict, weather_only):
    """Plumbing: the joint engine (members of all years in one kernel call, assessed from annual KPIs) against
    the weather ensemble (each year a single run with its hourly table), with the load fixed at scale 1."""
    ens, draws, t = joint(base_dict, {"load_scale": [1.0], "seed": 3})
    assert list(draws["load_scale"]) == [1.0] * YEARS
    common = set(ens.kpi_stats) & set(weather_only.kpi_stats)
    assert {SHARE, "pv_e_kwh", "grid_import_e_kwh", "accounting.scope2_location_t"} <= common
    assert {k: ens.kpi_stats[k] for k in common} == {k: weather_only.kpi_stats[k] for k in common}
    assert ens.kpi_stats[SHARE]["p50"] == weather_only.kpi_stats[SHARE]["p50"]
    assert set(ens.criterion_odds) == set(weather_only.criterion_odds)
    for cid, o in ens.criterion_odds.items():
        assert o["drawn"] == [WEATHER_BAR, "load_scale"]
        assert {k: v for k, v in o.items() if k != "drawn"} == weather_only.criterion_odds[cid]
    # Member i ran on weather year i: the same seeds and annual GHI, in order.
    cols = ["member", "weather.seed", "weather.annual_ghi_kwh_m2"]
    pd.testing.assert_frame_equal(ens.members[cols], weather_only.members[cols])
    # The weather bar runs from the P10 year (rank round(0.9 x 3) = 3 of 4, ascending) to the P90 year (rank 0):
    # with one load value, the largest and the smallest share of the weather-only years.
    bar = next(b for b in t.bars if b.quantity == WEATHER_BAR)
    shares = weather_only.members[SHARE]
    assert (bar.kpi_at_p10, bar.kpi_at_p90) == (shares.max(), shares.min())
    assert bar.input_p10 == weather_only.members["weather.annual_ghi_kwh_m2"][shares.idxmax()]
    assert t.weather_years == YEARS
    # Every bar starts from the typical year with all quantities at their median (scale 1: the scenario itself).
    assert t.base_kpi == pytest.approx(ens.typical.kpis[SHARE], rel=1e-12)


def test_load_spread_and_weather_years_pass_probability_counted_by_hand(base_dict, weather_only):
    # Four weather years, load scale 0.8 or 2.0, each used by two members (shuffled over the years).
    # Scale 2.0 fails Zhejiang's 15 %: renewable consumed <= PV generated and consumption >= load, so
    #   share <= pv_e / load_e, about 11 GWh / (2 x 50 GWh) = 0.11 (bound checked per member below).
    # Scale 0.8 passes: the plant reads about 0.21 at scale 1 (typical year), and less load only raises the
    #   share of the same PV (checked: every such member's share is above 0.15).
    # So the members drawing 0.8 pass and those drawing 2.0 fail: p_pass = 2 / 4 = 0.5.
    # The grid connection is raised from 12 to 40 MW so that twice the load is served (an unserved hour would
    # make the verdict "not assessable" and the bound above would not hold).
    d = {**base_dict, "grid": {**base_dict["grid"], "import_limit_kw": 40000}}
    ens, draws, _ = joint(d, {"load_scale": [0.8, 2.0], "seed": 11})
    m = ens.members
    assert sorted(m["load_scale"]) == [0.8, 0.8, 2.0, 2.0]
    assert (m["unserved_load_e_kwh"] == 0).all()
    high = m["load_scale"] == 2.0
    assert (m.loc[high, SHARE] <= m.loc[high, "pv_e_kwh"] / m.loc[high, "load_e_kwh"]).all()
    assert (m.loc[high, "pv_e_kwh"] / m.loc[high, "load_e_kwh"] < 0.15).all()
    assert (m.loc[~high, SHARE] > 0.15).all()
    assert list(m[f"{ZJ}.pass"]) == list(~high)
    assert ens.criterion_odds[ZJ]["p_pass"] == 0.5
    # Each member paired its own weather year with its own draw: its PV energy is that year's (the load does
    # not move PV) and its load that of the typical year times its scale.
    assert list(m["pv_e_kwh"]) == list(weather_only.members["pv_e_kwh"])
    np.testing.assert_allclose(m["load_e_kwh"], ens.typical.kpis["load_e_kwh"] * m["load_scale"], rtol=1e-12)
    assert list(draws["load_scale"]) == list(m["load_scale"])


def test_a_heat_side_runs_each_member_as_a_single_run_on_its_year():
    """Plumbing: with a heat side the members are single runs on their years' profiles; with the load at scale 1
    they are the weather ensemble's years, KPI for KPI (heat KPIs included)."""
    path = ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    d["weather"] = {**d["weather"], "ensemble": {"years": 2}}
    w = simulate_ensemble(scenario_from_dict(d, path), path.parent, jobs=1)
    ens, _, t = simulate_joint(scenario_from_dict({**d, "uncertainty": {"load_scale": [1.0]}}, path), path.parent)
    common = set(ens.kpi_stats) & set(w.kpi_stats)
    assert "heat.waste_heat_recovery_rate" in common
    assert {k: ens.kpi_stats[k] for k in common} == {k: w.kpi_stats[k] for k in common}
    assert {b.quantity for b in t.bars} == {WEATHER_BAR, "load_scale"}


def test_same_seed_same_members_and_another_seed_other_draws(base_dict):
    spec = {"load_scale": {"uniform": {"low": 0.9, "high": 1.1}}, "pv_age_years": [0, 10], "seed": 4}
    a, da, _ = joint(base_dict, spec)
    b, db, _ = joint(base_dict, spec)
    pd.testing.assert_frame_equal(a.members, b.members)
    _, dc, _ = joint(base_dict, {**spec, "seed": 5})
    assert not np.array_equal(da["load_scale"], dc["load_scale"])
    assert sorted(da["pv_age_years"]) == [0, 0, 10, 10]


def test_blocks_of_years_give_the_members_of_one_call(base_dict, monkeypatch):
    """Plumbing: four years in blocks of three and one (two kernel calls) against one block of four."""
    import lingtan.twin.studies.joint as joint_module

    spec = {"load_scale": [0.9, 1.1], "seed": 1}
    one = joint(base_dict, spec)
    monkeypatch.setattr(joint_module, "YEARS_PER_CALL", 3)
    two = joint(base_dict, spec)
    pd.testing.assert_frame_equal(one[0].members, two[0].members)
    assert one[2] == two[2]


def test_twin_run_draws_weather_and_load_jointly(tmp_path, base_dict, capsys):
    d = {**base_dict, "uncertainty": {"load_scale": [0.9, 1.1], "seed": 2}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-lp-optimum", "--reports", "html"]) == 0
    printed = capsys.readouterr().out
    assert f"on {YEARS} weather years (one draw per year)" in printed
    assert f"{WEATHER_BAR}   P10" in printed
    members = pd.read_parquet(out / "ensemble.parquet")
    assert {"weather.seed", "weather.annual_ghi_kwh_m2", "load_scale", SHARE} <= set(members.columns)
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    drawn = kpis["ensemble"]["drawn"]
    assert [r["load_scale"] for r in drawn] == list(members["load_scale"])
    assert [r["weather.seed"] for r in drawn] == list(members["weather.seed"])
    assert kpis["ensemble"]["kpis"][SHARE]["p50"] == pytest.approx(np.percentile(members[SHARE], 50), rel=1e-12)
    verdicts = json.loads((out / "criteria.json").read_text(encoding="utf-8"))["verdicts"]
    zj = next(v for v in verdicts if v["criterion_id"] == ZJ)
    assert zj["odds"]["p_pass"] == members[f"{ZJ}.pass"].mean()
    assert zj["odds"]["drawn"] == [WEATHER_BAR, "load_scale"]
    t = json.loads((out / "tornado.json").read_text(encoding="utf-8"))
    assert {b["quantity"] for b in t["bars"]} == {WEATHER_BAR, "load_scale"} and t["weather_years"] == YEARS
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"{YEARS} members, member i on weather year i" in html and "fig-tornado" in html and "fig-odds" in html
