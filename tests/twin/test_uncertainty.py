"""Uncertainty ensembles: the draws, members equal to single runs, the tariff level and the tornado."""

import copy
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lingtan.errors import ScenarioError
from lingtan.twin.accounting.account import accounting_kpis
from lingtan.twin.cli import main
from lingtan.twin.core.dispatch import FLOWS, dispatch
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.schema.uncertainty import Uncertainty
from lingtan.twin.run import build_profiles, kernel_params, period_masks, simulate_profiles, sizes
from lingtan.twin.studies.uncertainty import _flat, draw, evaluate, exceedance, member_count, tornado

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"


@pytest.fixture(scope="module")
def base_dict():
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def base(base_dict):
    sc = scenario_from_dict(base_dict, DEFAULT)
    return sc, build_profiles(sc, DEFAULT.parent)


def spec(**quantities) -> Uncertainty:
    return Uncertainty.model_validate(quantities)


# --------------------------------------------------------------------------- draws


def test_normal_draws_have_the_stated_mean_and_sd_within_sampling_error():
    n, mean, sd = 4000, 1.0, 0.05
    x = draw(spec(load_scale={"normal": {"mean": mean, "sd": sd}}), n, seed=3)["load_scale"].to_numpy()
    # Bounds [0, 10] are 20 sd away: the truncation removes nothing measurable. Standard error of the mean
    # sd / sqrt(n) = 7.9e-4, of the sd about sd / sqrt(2 (n - 1)) = 5.6e-4; four of each is a 1-in-15,000 miss.
    assert abs(x.mean() - mean) < 4 * sd / np.sqrt(n)
    assert abs(x.std(ddof=1) - sd) < 4 * sd / np.sqrt(2 * (n - 1))
    # Reproducible, and another seed gives other members.
    again = draw(spec(load_scale={"normal": {"mean": mean, "sd": sd}}), n, seed=3)["load_scale"].to_numpy()
    assert np.array_equal(x, again)
    assert not np.array_equal(x, draw(spec(load_scale={"normal": {"mean": mean, "sd": sd}}), n, seed=4)["load_scale"])


def test_normal_is_truncated_at_the_physical_bound():
    # A PV age of mean 0.5 yr and sd 1 yr: 31 % of an untruncated normal would be negative.
    x = draw(spec(pv_age_years={"normal": {"mean": 0.5, "sd": 1.0}}), 2000, seed=0)["pv_age_years"]
    assert x.min() >= 0.0
    assert x.max() > 2.0


def test_a_normal_with_no_mass_inside_the_bounds_is_refused():
    # Mean 0 and sd 1e6 put 10 / 1e6 / sqrt(2 pi) = 4e-6 of the draws inside [0, 10]: the draw gives up.
    with pytest.raises(ScenarioError) as err:
        draw(spec(load_scale={"normal": {"mean": 0.0, "sd": 1e6}}), 10)
    assert err.value.field == "uncertainty.load_scale.normal"


def test_list_values_are_used_equally_and_random_pick_stays_in_the_list():
    d = draw(spec(pv_age_years=[0, 5, 10], load_scale=[0.9, 1.0, 1.1], tariff_scale=[0.9, 1.1]), 300, seed=1)
    assert d["pv_age_years"].value_counts().to_dict() == {0.0: 100, 5.0: 100, 10.0: 100}
    assert d["tariff_scale"].value_counts().to_dict() == {0.9: 150, 1.1: 150}
    # Shuffled independently: every pair of two lists of three occurs (dealt in order, they would pair up).
    assert len(d.groupby(["pv_age_years", "load_scale"])) == 9
    counts = draw(spec(pv_age_years=[0, 5, 10]), 301, seed=1)["pv_age_years"].value_counts()
    assert counts.max() - counts.min() == 1
    r = draw(spec(pv_age_years={"values": [0, 5, 10], "pick": "random"}), 300, seed=1)["pv_age_years"]
    assert set(r) <= {0.0, 5.0, 10.0}
    assert r.value_counts().max() - r.value_counts().min() > 1  # drawn, not dealt


def test_member_count_defaults_and_follows_a_weather_ensemble():
    s = spec(load_scale=[1.0])
    assert member_count(s) == 200
    assert member_count(spec(load_scale=[1.0], members=20)) == 20
    assert member_count(s, weather_members=50) == 50


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"load_scale": {"normal": {"mean": -0.1, "sd": 0.1}}}, "uncertainty.load_scale.normal.mean"),
        ({"load_scale": {"normal": {"mean": 1.0, "sd": 0}}}, "uncertainty.load_scale.normal.sd"),
        ({"pv_age_years": [0, 200]}, "uncertainty.pv_age_years.values[1]"),
        ({"tariff_scale": {"uniform": {"low": 1.2, "high": 1.1}}}, "uncertainty.tariff_scale.uniform"),
        (
            {"tariff_scale": {"triangular": {"low": 0.9, "mode": 1.0, "high": 11}}},
            "uncertainty.tariff_scale.triangular.high",
        ),
        ({"load_scale": {"values": [1.0], "normal": {"mean": 1, "sd": 0.1}}}, "uncertainty.load_scale"),
        ({"seed": 1}, "uncertainty"),
        ({"load_scale": [1.0], "members": 1}, "uncertainty.members"),
        ({"load_scale": [1.0], "spread": 1}, "uncertainty.spread"),
    ],
)
def test_bad_uncertainty_names_its_field(base_dict, section, path):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict({**base_dict, "uncertainty": section}, "s.yaml")
    assert err.value.field == path


# --------------------------------------------------------------------------- members against single runs


def test_members_equal_single_runs_exactly(base):
    sc, prof = base
    draws = pd.DataFrame(
        {"load_scale": [0.9, 1.1, 1.1, 0.95], "pv_age_years": [0.0, 7.5, 0.0, 20.0]},
        index=pd.RangeIndex(4, name="member"),
    )
    table = evaluate(sc, prof, draws)
    for m, values in draws.iterrows():
        # The single run: the scenario with every array at this age (its own PV model run), and its profiles'
        # load multiplied by the member's scale.
        pv = [a.model_copy(update={"age_years": values["pv_age_years"]}) for a in sc.pv]
        aged = sc.model_copy(update={"pv": pv})
        p = build_profiles(aged, DEFAULT.parent)
        run = simulate_profiles(aged, replace(p, load_kw=p.load_kw * values["load_scale"]))
        single = {**_flat(run.kpis), **{f"accounting.{k}": v for k, v in accounting_kpis(run.accounting).items()}}
        for v in run.verdicts:
            if v["input"] == "simulated" and isinstance(v["value"], float):
                cid = v["criterion_id"]
                single.update({f"{cid}.value": v["value"], f"{cid}.margin": v["margin"]})
                single.update({f"{cid}.threshold": v["threshold"], f"{cid}.pass": v["status"] == "pass"})
        assert "zhejiang_factory_2025.renewable_share.margin" in single
        single = {k: s for k, s in single.items() if isinstance(s, (bool, int, float))}
        row = table.loc[m]
        diff = {k: (row[k], s) for k, s in single.items() if row[k] != s}
        assert not diff
    # The members differ from each other: the scale and the age reached the kernel.
    assert table["load_e_kwh"].nunique() == 3
    assert table.loc[1, "pv_e_kwh"] < table.loc[2, "pv_e_kwh"]


def test_a_heat_side_runs_each_member_as_a_single_run():
    # Heat KPIs need each member's hourly heat table: the members run one by one on the shared profiles. The
    # declared load scales exactly; the process heat demand is the process model's and does not scale.
    path = ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"
    sc = scenario_from_dict(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    prof = build_profiles(sc, path.parent)
    draws = pd.DataFrame({"load_scale": [0.9, 1.1], "tariff_scale": [1.0, 1.2]}, index=pd.RangeIndex(2, name="member"))
    table = evaluate(sc, prof, draws)
    assert table.loc[1, "load_e_kwh"] == pytest.approx(table.loc[0, "load_e_kwh"] * 1.1 / 0.9, rel=1e-12)
    assert table["heat.heat_demand_e_kwh_th"].nunique() == 1
    assert 0 < table.loc[0, "heat.waste_heat_recovery_rate"] <= 1
    assert "zhejiang_factory_2025.renewable_share.margin" in table
    # Member 1 pays 1.2 times its own bill's energy charge at the scenario's tariff.
    at_one = evaluate(sc, prof, draws[["load_scale"]])
    assert table.loc[1, "grid_bill_cny.energy_charge_cny"] == pytest.approx(
        1.2 * at_one.loc[1, "grid_bill_cny.energy_charge_cny"], rel=1e-12
    )


# --------------------------------------------------------------------------- the tariff level


def test_the_kernel_reads_no_price(base):
    # The rule-based dispatch decides on period codes: a price twice as high moves no flow, and doubles the
    # energy charge (import times price, summed).
    sc, prof = base
    gc, dc = period_masks(sc.battery)

    def totals(price):
        return dispatch(
            prof.unit_kw,
            sizes(sc)[None, :],
            prof.load_kw,
            kernel_params(sc.grid, sc.battery),
            period=prof.period,
            month=prof.month,
            price_cny_per_kwh=price,
            feed_in_cny_per_kwh=prof.tariff.feed_in_price_cny_per_kwh,
            grid_charge_periods=gc,
            discharge_periods=dc,
        )

    a, b = totals(prof.price_cny_per_kwh), totals(2.0 * prof.price_cny_per_kwh)
    for flow in FLOWS:
        assert np.array_equal(a.total(flow), b.total(flow)), flow
    assert np.array_equal(a.monthly_peak_kw, b.monthly_peak_kw)
    assert b.total("import_cost_cny") == pytest.approx(2.0 * a.total("import_cost_cny"), rel=1e-12)


def test_tariff_scale_moves_the_bill_linearly_and_not_the_flows(base):
    sc, prof = base
    s = np.array([1.0, 0.8, 1.25])
    table = evaluate(sc, prof, pd.DataFrame({"tariff_scale": s}, index=pd.RangeIndex(3, name="member")))
    for col in [c for c in table.columns if c.endswith(("_e_kwh", ".margin", ".pass"))]:
        assert table[col].nunique(dropna=False) == 1, col
    one = table.iloc[0]
    for part in ("energy_charge_cny", "basic_charge_cny"):
        np.testing.assert_allclose(table[f"grid_bill_cny.{part}"], s * one[f"grid_bill_cny.{part}"], rtol=1e-12)
    assert table["grid_bill_cny.feed_in_revenue_cny"].nunique() == 1 and one["grid_bill_cny.feed_in_revenue_cny"] > 0
    total = (
        table["grid_bill_cny.energy_charge_cny"]
        + table["grid_bill_cny.basic_charge_cny"]
        - table["grid_bill_cny.feed_in_revenue_cny"]
    )
    np.testing.assert_allclose(table["grid_bill_cny.total_cny"], total, rtol=1e-12)
    np.testing.assert_allclose(table["grid_cost_cny"], total, rtol=1e-12)


# --------------------------------------------------------------------------- the tornado


def test_tornado_puts_a_ten_percent_load_swing_above_one_year_of_pv_age(base_dict):
    # A 1 MWp roof on the 50 GWh plant, no battery: PV never exceeds the load, so every PV kWh is consumed on
    # site (checked below) and the share is PV / (load * scale). Then
    #   load_scale 0.9 .. 1.1 (PV at the median age): share x (1/0.9 - 1/1.1) = 0.202 x share;
    #   pv_age 0 .. 1 yr (load at median 1.0):         share x (1 - 0.995) = 0.005 x share
    #   (0.5 %/yr degradation on DC power; the inverter's curve moves it by a few per cent of itself).
    # So the load bar is about 40 times the PV-age bar, and the tariff bar is zero (no flow moves).
    d = copy.deepcopy(base_dict)
    d["pv"][0]["capacity_kwp"] = 1000
    d["battery"] = []
    sc = scenario_from_dict(d, DEFAULT)
    prof = build_profiles(sc, DEFAULT.parent)
    draws = draw(spec(load_scale=[0.9, 1.0, 1.1], pv_age_years=[0, 1], tariff_scale=[0.9, 1.1]), 300, seed=2)
    t = tornado(sc, prof, draws)
    assert [b.quantity for b in t.bars] == ["load_scale", "pv_age_years", "tariff_scale"]
    load, age, tariff = t.bars
    # The bars sit at the P10 / P90 of the draws (P10 = 90th percentile): 1.1 and 0.9, 1 and 0 years.
    assert (load.input_p10, load.input_p90, age.input_p10, age.input_p90) == (1.1, 0.9, 1.0, 0.0)
    assert t.medians == {"load_scale": 1.0, "pv_age_years": 0.5, "tariff_scale": 1.0}
    table = evaluate(sc, prof, pd.DataFrame([t.medians]))
    assert table["grid_export_e_kwh"].iloc[0] == 0 and table["curtailed_e_kwh"].iloc[0] == 0
    share = t.base_kpi
    assert load.swing == pytest.approx(share * (1 / 0.9 - 1 / 1.1), rel=1e-9)
    assert load.kpi_at_p10 == pytest.approx(share / 1.1, rel=1e-9)
    assert age.swing == pytest.approx(0.005 * share, rel=0.05)
    assert tariff.swing == 0
    # A criterion on the share moves with the same arithmetic.
    cid = "zhejiang_factory_2025.renewable_share"
    lo, hi = load.margins[cid]
    assert hi - lo == pytest.approx(load.swing, rel=1e-9)
    assert t.weather_years == 1 and all(b.quantity != "weather_year" for b in t.bars)


def test_exceedance_convention():
    x = np.arange(101.0)
    assert (exceedance(x, 90), exceedance(x, 50), exceedance(x, 10)) == (10.0, 50.0, 90.0)


# --------------------------------------------------------------------------- twin run


def test_twin_run_writes_members_and_tornado(tmp_path, base_dict, capsys):
    d = {**base_dict, "uncertainty": {"load_scale": [0.9, 1.1], "pv_age_years": [0, 10], "members": 8, "seed": 5}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Tornado of re_electricity_share_onsite" in printed
    assert "load_scale" in printed.split("Tornado of")[1]
    # The members' odds: the share's P50 and each criterion's pass probability over the 8 members.
    members = pd.read_parquet(out / "ensemble.parquet")
    p_pass = members["zhejiang_factory_2025.renewable_share.pass"].mean()
    assert f"zhejiang_factory_2025.renewable_share: p_pass {p_pass:.2f}" in printed
    assert f"P50 {np.percentile(members['re_electricity_share_onsite'], 50):.4g}" in printed
    members = pd.read_parquet(out / "ensemble.parquet")
    assert list(members["member"]) == list(range(8))
    assert {"load_scale", "pv_age_years", "re_electricity_share_onsite"} <= set(members.columns)
    assert sorted(members["load_scale"].value_counts().to_list()) == [4, 4]
    t = json.loads((out / "tornado.json").read_text(encoding="utf-8"))
    assert t["kpi"] == "re_electricity_share_onsite" and len(t["bars"]) == 2
    assert t["convention"].startswith("PXX is the value exceeded")


def test_tornado_figure_draws_each_bar_from_the_all_median_value(base):
    from lingtan.twin.reports.tornado import tornado_figure

    sc, prof = base
    t = tornado(sc, prof, draw(spec(load_scale=[0.9, 1.1], pv_age_years=[0, 10]), 10, seed=0))
    fig = tornado_figure(t)
    low, high = fig.data
    # plotly draws the first category lowest: the widest bar (first in t.bars) is listed last, on top.
    assert list(low.y) == [b.quantity for b in reversed(t.bars)]
    assert low.base == t.base_kpi
    assert list(low.x) == [b.kpi_at_p10 - t.base_kpi for b in reversed(t.bars)]
    assert list(high.x) == [b.kpi_at_p90 - t.base_kpi for b in reversed(t.bars)]
