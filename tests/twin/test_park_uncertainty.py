"""A park's uncertainty ensemble (twin/studies/park_uncertainty.py): park-wide load scale, PV age, tariff level."""

import copy
import json

import pandas as pd
import pytest
import yaml
from support.park_cases import hefei_park

from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.studies.park import simulate_park
from lingtan.twin.studies.park_uncertainty import aged, evaluate_park, park_year

SHARE = "re_electricity_share_onsite"
PARK = {
    **hefei_park("two tenants"),
    "tenants": [
        {
            "name": "a",
            "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 8e6}],
            "pv": [{"name": "roof", "capacity_kwp": 3000}],
        },
        {
            "name": "b",
            "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 12e6, "shifts_per_day": 3}],
        },
    ],
    "shared": {"pv": [{"name": "carport", "capacity_kwp": 2000}]},
    "criteria": ["anhui_park_2024"],
}


def members(draws: dict):
    park = scenario_from_dict(PARK)
    d = pd.DataFrame(draws, index=pd.RangeIndex(len(next(iter(draws.values()))), name="member"))
    return park, evaluate_park(park, park_year(park, "."), d)


def test_a_member_is_the_park_with_every_tenant_load_scaled():
    # Independent path: the same park with each tenant's annual energy written 1.1 times larger. A shift load is
    # its shape times annual_e_kwh, so the two agree to round-off (not bit for bit: the shape is normalised).
    park, table = members({"load_scale": [1.1], "tariff_scale": [1.0]})
    d = copy.deepcopy(PARK)
    for t in d["tenants"]:
        t["loads"][0]["annual_e_kwh"] *= 1.1
    ref = simulate_park(scenario_from_dict(d), ".", power_flow=False).kpis
    row = table.iloc[0]
    for k in (SHARE, "total_consumption_e_kwh", "re_consumed_e_kwh", "grid_import_e_kwh", "re_generation_e_kwh"):
        assert row[k] == pytest.approx(ref[k], rel=1e-9), k
    assert row["grid_bill_cny.total_cny"] == pytest.approx(ref["grid_bill_cny"]["total_cny"], rel=1e-9)


def test_tariff_scale_moves_the_park_bill_not_the_flows():
    _, table = members({"load_scale": [1.0, 1.0], "tariff_scale": [1.0, 1.2]})
    one, high = table.iloc[0], table.iloc[1]
    assert high[SHARE] == one[SHARE] and high["grid_import_e_kwh"] == one["grid_import_e_kwh"]
    # energy and basic charges x 1.2, feed-in revenue unchanged; total = energy + basic - feed-in.
    for part in ("energy_charge_cny", "basic_charge_cny"):
        assert high[f"grid_bill_cny.{part}"] == pytest.approx(1.2 * one[f"grid_bill_cny.{part}"], rel=1e-12)
    assert high["grid_bill_cny.feed_in_revenue_cny"] == one["grid_bill_cny.feed_in_revenue_cny"]
    e, b, f = (high[f"grid_bill_cny.{p}"] for p in ("energy_charge_cny", "basic_charge_cny", "feed_in_revenue_cny"))
    assert high["grid_bill_cny.total_cny"] == pytest.approx(e + b - f, rel=1e-12)


def test_pv_age_reaches_every_array_tenants_and_shared():
    park = aged(scenario_from_dict(PARK), 10.0)
    assert [a.age_years for t in park.tenants for a in t.pv] + [a.age_years for a in park.shared.pv] == [10.0, 10.0]
    _, table = members({"pv_age_years": [0.0, 10.0]})
    # 0.5 %/yr on DC power: ten years take 1 - 0.995**10 = 4.9 % of DC; the inverter's curve moves the AC loss
    # by a small part of itself.
    loss = 1 - table["re_generation_e_kwh"].iloc[1] / table["re_generation_e_kwh"].iloc[0]
    assert loss == pytest.approx(1 - 0.995**10, rel=0.05)


def test_twin_run_writes_a_parks_members_and_tornado(tmp_path, capsys):
    d = {**PARK, "uncertainty": {"load_scale": [0.9, 1.1], "members": 4, "seed": 1}}
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--reports", "html"]) == 0
    printed = capsys.readouterr().out
    assert "Tornado of re_electricity_share_onsite" in printed
    m = pd.read_parquet(out / "ensemble.parquet")
    assert sorted(m["load_scale"]) == [0.9, 0.9, 1.1, 1.1]
    # Less load, the same PV: the share can only rise.
    assert m.loc[m["load_scale"] == 0.9, SHARE].min() > m.loc[m["load_scale"] == 1.1, SHARE].max()
    t = json.loads((out / "tornado.json").read_text(encoding="utf-8"))
    assert [b["quantity"] for b in t["bars"]] == ["load_scale"]
    assert 'data-quantity="load_scale"' in (out / "report.html").read_text(encoding="utf-8")


def test_a_park_draws_its_load_jointly_with_weather_years(tmp_path, capsys):
    # Two weather years x load scale 0.9 / 1.1: member i is the park on year i at its own scale. Each is checked
    # against the park simulated on that year's weather with the scale as a parameter (plumbing), and the
    # weather-only ensemble's years are the members' years.
    from lingtan.twin.studies.ensemble import simulate_ensemble

    d = {**PARK, "weather": {**PARK["weather"], "ensemble": {"years": 2}}}
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump({**d, "uncertainty": {"load_scale": [0.9, 1.1], "seed": 1}}), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--reports", "none"]) == 0
    assert "on 2 weather years (one draw per year)" in capsys.readouterr().out
    m = pd.read_parquet(out / "ensemble.parquet")
    assert sorted(m["load_scale"]) == [0.9, 1.1]
    w = simulate_ensemble(scenario_from_dict(d), tmp_path, jobs=1).members
    assert list(m["weather.seed"]) == list(w["weather.seed"])
    assert list(m["re_generation_e_kwh"]) == list(w["re_generation_e_kwh"])  # the load does not move generation
    # Member 0 against the park on weather year 0 at its scale, the member's load scaled by simulate_park.
    from lingtan.twin.studies.ensemble import _member_source

    park = scenario_from_dict(d)
    year0 = next(iter(_member_source(park, tmp_path, None, None)[0]))
    one = simulate_park(park, tmp_path, power_flow=False, weather=year0, load_scale=m["load_scale"][0]).kpis
    assert m[SHARE][0] == one[SHARE]
    t = json.loads((out / "tornado.json").read_text(encoding="utf-8"))
    assert {b["quantity"] for b in t["bars"]} == {"weather_year", "load_scale"}
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert [r["load_scale"] for r in kpis["ensemble"]["drawn"]] == list(m["load_scale"])
