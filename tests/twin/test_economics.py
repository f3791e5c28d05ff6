"""Hand-checked economics formulas (HOMER NPC / CRF / salvage, NREL simple LCOE, payback, cost per t avoided)."""

import math
import re
from pathlib import Path

import pytest

from lingtan.twin.core.schema.economics import AssetCost, Economics
from lingtan.twin.studies.economics import (
    annualised_cost,
    asset_npc,
    cost_per_t_co2_avoided,
    crf,
    discounted_payback,
    lcoe_onsite,
    npc,
    project_economics,
    replacement_schedule,
    simple_payback,
)

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"


def test_crf_8pct_20yr_written_out():
    # 1.08^20 = 4.660957...; CRF = 0.08 * 4.660957 / (4.660957 - 1) = 0.372877 / 3.660957 = 0.101852
    g = 1.08**20
    assert g == pytest.approx(4.6609571, rel=1e-7)
    assert crf(0.08, 20) == pytest.approx(0.08 * 4.6609571 / 3.6609571, rel=1e-7)
    assert crf(0.08, 20) == pytest.approx(0.1018522, rel=1e-6)
    assert crf(0.0, 20) == pytest.approx(1 / 20)


def test_replacement_schedule_and_salvage_homer_example():
    # HOMER KB: replacement cost 10 000, life 25 yr, project 20 yr -> salvage 5/25 * 10 000 = 2 000
    years, remaining = replacement_schedule(25, 20)
    assert years == [] and remaining == 5
    r = asset_npc(10_000, 0.0, 25, 0.0, 20)
    assert r["salvage_nominal"] == pytest.approx(2_000)
    # a life dividing the period: replacements before N only, no salvage
    assert replacement_schedule(10, 20) == ([10], 0.0)


def test_npc_two_assets_one_replacement_and_salvage_by_hand():
    i, n = 0.08, 20
    # Asset A: PV, capex 1 000 000, O&M 15 000/yr, life 25 -> no replacement, salvage 5/25 of 1 000 000 at year 20.
    # Asset B: battery, capex 400 000, O&M 6 000/yr, life 12, replacement 60 % -> replaced at year 12 for
    #          240 000; remaining life at 20 = 12 - 8 = 4 -> salvage 240 000 * 4/12 = 80 000 at year 20.
    pwa = (1.08**20 - 1) / (0.08 * 1.08**20)  # 9.818147
    assert pwa == pytest.approx(9.818147, rel=1e-6)
    d12, d20 = 1.08**-12, 1.08**-20  # 0.397114, 0.214548
    a_hand = 1_000_000 + 15_000 * pwa - 200_000 * d20
    b_hand = 400_000 + 240_000 * d12 + 6_000 * pwa - 80_000 * d20
    assert a_hand == pytest.approx(1_000_000 + 147_272.2 - 42_909.6, abs=1.0)
    assert b_hand == pytest.approx(400_000 + 95_307.3 + 58_908.9 - 17_163.8, abs=1.0)
    a = asset_npc(1_000_000, 15_000, 25, i, n)
    b = asset_npc(400_000, 6_000, 12, i, n, replacement_cost_fraction=0.6)
    assert b["replacement_years"] == [12]
    assert b["salvage_nominal"] == pytest.approx(80_000)
    assert a["npc"] == pytest.approx(a_hand, rel=1e-9)
    assert b["npc"] == pytest.approx(b_hand, rel=1e-9)
    # the generic cash-flow NPC gives the same total
    total = npc(1_400_000, 21_000, i, n, replacements=[(12, 240_000)], salvage=280_000)
    assert total == pytest.approx(a_hand + b_hand, rel=1e-9)
    # annualised = NPC x CRF
    assert annualised_cost(total, i, n) == pytest.approx(total * 0.1018522, rel=1e-6)


def test_lcoe_nrel_simple():
    # (FCR*TCC + FOC)/AEP + VOC: 1 MWp at 3 000 CNY/kWp, FOC 45 000, AEP 1.1 GWh, VOC 0.01, FCR = CRF(8%,25)
    f = (0.08 * 1.08**25) / (1.08**25 - 1)  # 0.0936788
    assert f == pytest.approx(0.0936788, rel=1e-6)
    hand = (f * 3_000_000 + 45_000) / 1_100_000 + 0.01  # = 0.305, to 3 digits
    assert lcoe_onsite(3_000_000, 45_000, 1_100_000, 0.08, 25, 0.01) == pytest.approx(hand, rel=1e-12)
    assert hand == pytest.approx(0.3064, abs=1e-4)
    assert math.isnan(lcoe_onsite(1.0, 0.0, 0.0, 0.08, 25))


def test_simple_and_discounted_payback():
    flows = [-1000] + [300] * 10
    assert simple_payback(flows) == pytest.approx(1000 / 300)  # 3.333 yr
    # discounted at 8 %: 277.78 + 257.20 + 238.15 + 220.51 = 993.64 after 4 years; year 5 adds 204.17
    pv4 = sum(300 / 1.08**t for t in range(1, 5))
    assert pv4 == pytest.approx(993.64, abs=0.01)
    assert discounted_payback(flows, 0.08) == pytest.approx(4 + (1000 - pv4) / (300 / 1.08**5), rel=1e-12)
    assert discounted_payback(flows, 0.08) == pytest.approx(4.0312, abs=1e-4)
    assert simple_payback([-1000] + [10] * 5) is None


def test_cost_per_t_avoided():
    # project costs 1.2 M/yr more and avoids 3 000 t/yr -> 400 CNY/t
    assert cost_per_t_co2_avoided(11.2e6, 10e6, 7_000, 10_000) == pytest.approx(400.0)
    assert math.isnan(cost_per_t_co2_avoided(1, 0, 10, 10))


def test_project_economics_factory_against_base():
    from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
    from lingtan.twin.run import simulate

    path = ROOT / "scenarios" / "hefei_auto_parts.yaml"
    sc = load_scenario(path)
    d = sc.model_dump(mode="json")
    d.update(pv=[], battery=[])
    base_sc = scenario_from_dict(d)
    res, base = simulate(sc, path.parent), simulate(base_sc, path.parent)
    eco = Economics()
    e = project_economics(res, sc, eco, base=base)
    # capex by hand: 12 000 kWp x 3 000 + 8 000 kWh x 715
    assert e["capex_cny"] == pytest.approx(12_000 * 3_000 + 8_000 * 715)
    # total NPC = assets + operating annuity; annualised = NPC x CRF
    assert e["npc_cny"] == pytest.approx(e["asset_npc_cny"] + e["annual"]["total_cny"] * (1 / crf(0.08, 25)))
    assert e["annualised_cost_cny"] == pytest.approx(e["npc_cny"] * crf(0.08, 25))
    assert e["annual"]["grid_bill_cny"] == pytest.approx(res.kpis["grid_bill_cny"]["total_cny"])
    vb = e["versus_base"]
    assert vb["extra_capex_cny"] == pytest.approx(e["capex_cny"])
    assert vb["annual_operating_savings_cny"] > 0
    assert vb["simple_payback_years"] is not None and vb["simple_payback_years"] > 0
    assert vb["discounted_payback_years"] >= vb["simple_payback_years"]
    assert vb["emissions_avoided_t"] > 0
    # the LCOE of on-site supply: PV annualised cost / PV generation
    pv = [a for a in e["assets"] if a["kind"] == "pv"][0]
    assert e["lcoe_onsite_cny_per_kwh"] == pytest.approx(pv["annualised_cost_cny"] / res.kpis["pv_e_kwh"])


def test_carbon_price_for_ets_firms():
    from types import SimpleNamespace

    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.studies.economics import annual_operating_costs

    sc = load_scenario(ROOT / "scenarios" / "hefei_auto_parts.yaml")
    fake = SimpleNamespace(
        kpis={"grid_bill_cny": {"total_cny": 0.0}},
        accounting=SimpleNamespace(
            kpis=SimpleNamespace(scope1_t=1000.0, gross_emissions_t=5000.0, residual_emissions_t=4000.0)
        ),
    )
    a = annual_operating_costs(fake, sc, Economics(ets_covered=True, carbon_price_cny_per_t=100))
    assert a["carbon_cost_cny"] == pytest.approx(100_000)
    a = annual_operating_costs(fake, sc, Economics(ets_covered=True, carbon_basis="gross"))
    assert a["carbon_cost_cny"] == pytest.approx(500_000)
    assert annual_operating_costs(fake, sc, Economics())["carbon_cost_cny"] == 0.0  # declared in_national_ets: false


def test_every_default_has_a_source():
    for kind, c in Economics().costs.items():
        assert isinstance(c, AssetCost) and len(c.source) > 20, kind
        # a confidence mark (components/data/README.md): wholly assumed, or a cited figure tagged [secondary]
        # or [confirmed]
        assert re.match(r"assumed: ", c.source) or re.search(r"\[(secondary|confirmed)\b", c.source), kind


def test_twin_run_writes_economics_and_payback_against_grid_only(tmp_path, capsys):
    """``twin run --base grid-only``: the base is the plant without its PV and battery. With constant yearly
    savings and no replacement before the payback year (PV lives 25 years, the battery 15), the simple payback
    is worked by hand as capital / (operating savings - the assets' O&M); equal to float round-off."""
    import json

    from lingtan.twin.cli import main

    assert main(["run", str(FACTORY), "--out", str(tmp_path / "r"), "--reports", "none", "--base", "grid-only"]) == 0
    assert "Simple payback" in capsys.readouterr().out
    e = json.loads((tmp_path / "r" / "economics.json").read_text())
    v = e["versus_base"]
    om = sum(a["fixed_om_cny_per_year"] + a["variable_om_cny_per_year"] for a in e["assets"])
    assert v["extra_capex_cny"] == pytest.approx(e["capex_cny"])  # the base has no costed asset
    assert v["simple_payback_years"] == pytest.approx(
        e["capex_cny"] / (v["annual_operating_savings_cny"] - om), rel=1e-9
    )
    assert v["simple_payback_years"] < min(a["replacement_years"][0] for a in e["assets"] if a["replacement_years"])
    assert v["emissions_avoided_t"] > 0


def test_twin_run_base_of_another_kind_is_refused(tmp_path, capsys):
    from lingtan.twin.cli import main

    park = FACTORY.parent / "anhui-park.yaml"
    assert main(["run", str(FACTORY), "--out", str(tmp_path / "r"), "--reports", "none", "--base", str(park)]) == 2
    err = capsys.readouterr().err
    assert "--base" in err and "single-year factory" in err
    assert not (tmp_path / "r").exists()


def test_a_misspelt_grid_only_base_names_both_readings(tmp_path, capsys):
    from lingtan.twin.cli import main

    argv = ["run", str(FACTORY), "--out", str(tmp_path / "r"), "--reports", "none", "--no-lp-optimum"]
    assert main([*argv, "--base", "grid-onlyy"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: grid-onlyy: --base: expected grid-only or an existing scenario YAML file, found no such file"
    assert not (tmp_path / "r").exists()


def test_grid_only_base_of_a_park_keeps_everything_but_supply():
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.studies.economics import grid_only_base

    park = load_scenario(ROOT / "scenarios" / "anhui-park.yaml")
    base = grid_only_base(park)
    for site in [base.shared, *base.tenants]:
        assert not site.pv and not site.wind and not site.battery
    assert [t.name for t in base.tenants] == [t.name for t in park.tenants]
    assert base.green_power == park.green_power and base.heat_network == park.heat_network
    gone = {a.name for a in (*park.shared.pv, *park.shared.wind, *park.shared.battery)}
    assert gone and not gone & set(base.network.connections)
    assert set(park.network.connections) - gone == set(base.network.connections)


def test_economics_block_says_when_payback_never_comes():
    """A project that never pays back prints the words, in either language, not a number."""
    from lingtan.twin.reports.summary import economics_lines

    econ = {
        "settings": {"discount_rate": 0.08, "analysis_period_years": 25},
        "capex_cny": 1e6,
        "npc_cny": 2e6,
        "annualised_cost_cny": 1.9e5,
        "annual": {"total_cny": 1e5},
        "lcoe_onsite_cny_per_kwh": 0.4,
        "versus_base": {
            "extra_capex_cny": 1e6,
            "annual_operating_savings_cny": -1e4,
            "simple_payback_years": None,
            "discounted_payback_years": None,
            "emissions_avoided_t": 10.0,
            "cost_per_t_co2_avoided_cny": 5000.0,
        },
    }
    en = "\n".join(economics_lines(econ, "en", "base.yaml"))
    assert "discount rate 8%, 25 years" in en and "Against the base case base.yaml" in en
    assert en.count("not within the analysis period") == 2
    zh = "\n".join(economics_lines(econ, "zh", "base.yaml"))
    assert "折现率 8%" in zh and zh.count("分析期内无法回收") == 2


def test_an_absorption_chiller_is_priced_per_kw_of_cooling():
    # The cold-chain plant's 150 kW_th absorption chiller at the default 2 000 CNY/kW: capex 150 x 2 000 = 300 000
    # CNY, fixed O&M 2 % of it, 6 000 CNY a year.
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.studies.economics import asset_capex, scenario_assets

    assets = scenario_assets(load_scenario(ROOT / "scenarios" / "hefei_cold_chain_park.yaml"))
    chiller = next(a for a in assets if a["kind"] == "absorption_chiller")
    assert chiller["name"] == "absorption_chillers.hall_absorber" and chiller["kw"] == 150.0
    cost = Economics().cost("absorption_chiller")
    assert asset_capex(cost, chiller) == 300_000.0
    assert cost.fixed_om_fraction_of_capex * asset_capex(cost, chiller) == pytest.approx(6_000.0, rel=1e-12)
