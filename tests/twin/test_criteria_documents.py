"""Verdicts that read the documents right (issue 13, "Criteria"): each test quotes the clause it checks.

Texts: ``shared/seeds/004_89e9fb91376c76b9.txt`` (Anhui 皖发改产业〔2024〕254号, Annexes 1 and 2),
``000_cc8aa859e4cb0659.txt`` (Hunan 湘工信节能〔2025〕458号), and for the national park notice
(发改环资〔2025〕910号, not in the seeds) ``shared/facts/standards.md``.
"""

import json
from pathlib import Path

import pytest

from lingtan.errors import InputError
from lingtan.twin.accounting.account import account, accounting_kpis
from lingtan.twin.accounting.criteria import evaluate, group_status, pack_criteria, score
from lingtan.twin.accounting.criteria.core import UNSERVED_LIMIT_FRACTION
from lingtan.twin.cli import main
from lingtan.twin.core.schema.accounting import AnnualEnergy, GreenPower, Offsets
from lingtan.twin.reports.summary import verdict_lines

ROOT = Path(__file__).resolve().parents[2]
SEED_ANHUI = Path("/work/shared/seeds/004_89e9fb91376c76b9.txt")


def by_id(verdicts, suffix):
    return next(v for v in verdicts if v.criterion_id.endswith("." + suffix))


def kpis(grid_in=10_000_000.0, re_gen=0.0, export=0.0, green=0.0, certs_mwh=0.0, sold_mwh=0.0, **offsets):
    """Accounting KPIs of a site (Anhui 2022 grid factor 0.6782 t/MWh)."""
    e = AnnualEnergy(grid_import_e_kwh=grid_in, re_generation_e_kwh=re_gen, grid_export_e_kwh=export)
    gp = GreenPower(
        green_power_contract_e_kwh=green, green_certificates_mwh=certs_mwh, onsite_certificates_sold_mwh=sold_mwh
    )
    return accounting_kpis(account(e, green_power=gp, offsets=Offsets(**offsets), grid_emission_factor="anhui_2022"))


# ---- 1. Anhui carbon credits, Annex 2, 4.5.2 ------------------------------------------------


def test_anhui_no_credits_and_most_emissions_left_fails_the_5_percent():
    """Annex 2, 4.5.2: "为实现零碳目标,园区应通过购买并注销与其剩余碳排放量相等的碳信用产品的方式来进行碳减排,
    但碳信用产品中和碳排放量的比例不应超过5%". With 0 credits and 77 % of the emissions left after green
    power, the residual the credits would have to neutralise is 77 % of gross: the cap fails, and so
    does the claim (credits must equal the residual). Both numbers are reported."""
    k = kpis(grid_in=10_000_000.0, green=2_300_000.0)  # 23 % of the imported electricity is green power
    vs = evaluate("anhui_park_2024", k)
    cap, cover = by_id(vs, "carbon_credit_cap"), by_id(vs, "carbon_credit_cover")
    assert cap.value == pytest.approx(0.77, rel=1e-12)
    assert cap.status == "fail" and cap.role == "acceptance"
    gross = k["gross_emissions_t"]
    assert cover.value == 0.0 and cover.threshold == pytest.approx(0.77 * gross, rel=1e-12)
    assert cover.status == "fail"
    assert "residual before credits" in cap.note and "credits + allowances 0.0 t" in cap.note


def test_anhui_credits_equal_residual_within_5_percent_pass_allowances_count_alike():
    """Annex 2, 4.5.2: "购买并注销与其剩余碳排放量相等的碳信用产品…但碳信用产品中和碳排放量的比例不应超过5%":
    a residual of exactly 5 % of gross covered by CCER and allowances together passes both; one tonne
    of allowances less leaves the claim short; 5.1 % left fails the cap whatever the credits."""
    base = kpis(grid_in=10_000_000.0, green=9_500_000.0)
    gross = base["gross_emissions_t"]
    residual = gross - base["offset_green_power_t"]
    assert residual / gross == pytest.approx(0.05, rel=1e-12)
    vs = evaluate(
        "anhui_park_2024", kpis(grid_in=10_000_000.0, green=9_500_000.0, ccer_t=residual / 2, allowances_t=residual / 2)
    )
    assert by_id(vs, "carbon_credit_cap").passed and by_id(vs, "carbon_credit_cover").passed
    vs = evaluate(
        "anhui_park_2024",
        kpis(grid_in=10_000_000.0, green=9_500_000.0, ccer_t=residual / 2, allowances_t=residual / 2 - 1.0),
    )
    assert by_id(vs, "carbon_credit_cap").passed and not by_id(vs, "carbon_credit_cover").passed
    vs = evaluate("anhui_park_2024", kpis(grid_in=10_000_000.0, green=9_490_000.0, ccer_t=gross))
    assert not by_id(vs, "carbon_credit_cap").passed and by_id(vs, "carbon_credit_cover").passed


# ---- 2. Anhui 40 %: green power, certificates, the double-counting guard ----------------------


def test_anhui_certificates_count_only_in_their_variant_and_sold_ones_never():
    """Annex 1, 2.1: "园区可再生能源电量比例须达到40%及以上"; Annex 2, 3.1.2: "园区应优先通过国家各级电力交易市场
    进行绿色电力和绿证交易". 3 GWh on site of 10 GWh, 0.5 GWh green power, 1 GWh certificates, and the
    certificates of 0.4 GWh of the on-site electricity sold: default (green power, no certificates)
    (3.0 - 0.4 + 0.5) / 10 = 31 %; with certificates 41 %; on-site only 26 %."""
    k = kpis(grid_in=7_000_000.0, re_gen=3_000_000.0, green=500_000.0, certs_mwh=1_000.0, sold_mwh=400.0)
    default = by_id(evaluate("anhui_park_2024", k), "re_electricity_share")
    assert default.value == pytest.approx(0.31, rel=1e-12) and not default.passed
    assert "on-site + green power" in default.variant and "green certificates not counted" in default.note
    cert = by_id(
        evaluate("anhui_park_2024", k, settings={"anhui_re_share_variant": "onsite_plus_green_power_and_certificates"}),
        "re_electricity_share",
    )
    assert cert.value == pytest.approx(0.41, rel=1e-12) and cert.passed
    assert "green certificates" in cert.variant and "less 400 MWh whose certificates were sold" in cert.note
    onsite = by_id(
        evaluate("anhui_park_2024", k, settings={"anhui_re_share_variant": "onsite"}), "re_electricity_share"
    )
    assert onsite.value == pytest.approx(0.26, rel=1e-12)


def test_anhui_more_sold_certificates_than_onsite_consumption_is_an_input_error():
    """Annex 1, 2.1 "园区可再生能源电量比例": certificates sold for on-site electricity consumed on site cannot
    exceed that electricity; the error names the field."""
    k = kpis(grid_in=7_000_000.0, re_gen=3_000_000.0, sold_mwh=3_001.0)
    with pytest.raises(InputError, match="onsite_certificates_sold_mwh"):
        evaluate("anhui_park_2024", k)


def test_anhui_share_uses_the_stricter_of_consumption_and_delivered():
    """Annex 1, 2.1 "园区可再生能源电量比例须达到40%及以上": when the run has the delivered-energy share
    (storage losses out of both sides), the stricter of the two is the verdict's and is named. 4 GWh
    renewable of 10 GWh with 0.5 GWh of battery losses; delivered share 0.38 -> 0.38 x 9.5 GWh + 0
    green power = 37.9... % < 40 %."""
    k = {
        **kpis(grid_in=6_000_000.0, re_gen=4_000_000.0),
        "battery_losses_e_kwh": 500_000.0,
        "re_electricity_share_onsite_delivered": 0.38,
    }
    v = by_id(evaluate("anhui_park_2024", k, settings={"anhui_re_share_variant": "onsite"}), "re_electricity_share")
    assert v.value == pytest.approx(0.38, rel=1e-12) and not v.passed
    assert "delivered-energy" in v.note and "stricter" in v.note
    k["re_electricity_share_onsite_delivered"] = 0.42
    v = by_id(evaluate("anhui_park_2024", k, settings={"anhui_re_share_variant": "onsite"}), "re_electricity_share")
    assert v.value == pytest.approx(0.40, rel=1e-12) and "consumption-based" in v.note


# ---- 3. Anhui 2.8 relaxation ------------------------------------------------------------------


def test_anhui_relaxation_is_noted_beside_a_failing_threshold_and_changes_nothing():
    """Annex 1, 2.8: "对于新能源汽车、锂电池、太阳能电池等安徽省优势行业企业所在园区,在申请创建零碳产业园区时,
    在满足本文件“基本要求”的基础上,可适当放宽其他标准要求的准入门槛": the note appears beside the failing
    2.x threshold, the verdict stays a fail, and the 基本要求 (1.x) carry no such note."""
    d = {
        "nev_share": 0.25,
        "anhui_key_industries": ["new_energy_vehicles", "lithium_batteries"],
        "no_major_accidents": False,
    }
    vs = evaluate("anhui_park_2024", {}, d)
    nev = by_id(vs, "nev_share")
    assert not nev.passed and nev.status == "fail" and "2.8 relaxation" in nev.note
    assert "new_energy_vehicles" in nev.note
    assert "2.8 relaxation" not in by_id(vs, "no_major_accidents").note
    plain = by_id(evaluate("anhui_park_2024", {}, {"nev_share": 0.25}), "nev_share")
    assert not plain.passed and "2.8" not in plain.note


# ---- 4. Anhui items the pack lacked ---------------------------------------------------------


@pytest.mark.parametrize(
    "cid, field, clause",
    [
        ("policy_and_law", "complies_with_national_policy_and_law", "1.1园区须符合国家相关发展政策"),
        ("zero_carbon_strategy", "zero_carbon_strategy_whole_park", "1.2园区须制定科学合理的零碳发展策略和实施方案"),
        ("zero_carbon_organisation", "zero_carbon_organisation_and_statistics", "1.3园区须建立零碳产业园区组织机构"),
        (
            "environmental_quality",
            "environmental_quality_meets_zone_standards",
            "园区环境质量须达到国家和安徽省规定的环境功能区环境质量标准",
        ),
        ("building_carbon", "building_carbon_per_gb55015", "园区民用建筑应按照GB55015实施建筑碳排放计算"),
        (
            "public_bicycles_and_chargers",
            "public_bicycles_and_chargers",
            "园区内须设置公共自行车服务系统及充电桩等基础设施",
        ),
        ("information_platform", "green_information_platform", "园区须建立绿色低碳、节能环保信息平台"),
    ],
)
def test_anhui_declared_items_with_their_clauses(cid, field, clause):
    """Annex 1, 1.1-1.3, 1.4 (环境质量), 2.3, 2.6 and 2.7, each quoted from the seed: a declared fact that
    passes when true, fails when false or not declared."""
    c = next(c for c in pack_criteria("anhui_park_2024") if c.short_id == cid)
    assert clause in c.text_zh and clause in SEED_ANHUI.read_text(encoding="utf-8")
    assert by_id(evaluate("anhui_park_2024", {}, {field: True}), cid).passed
    assert not by_id(evaluate("anhui_park_2024", {}, {field: False}), cid).passed
    assert by_id(evaluate("anhui_park_2024", {}, {}), cid).input == "missing"


# ---- 5. Hunan -------------------------------------------------------------------------------


def test_hunan_reconstructed_thresholds_say_so_and_show_both_bases():
    """Hunan: "企業單位能耗碳排放和產品碳足跡持續下降" (三、主要目標); Annex 1 (验收条件) is not in the seed,
    so every Annex 1 verdict says its threshold is reconstructed, and the renewable-energy ratio shows
    the energy basis (electricity and heat, tce) beside the electricity basis."""
    k = kpis(grid_in=7_000_000.0, re_gen=3_000_000.0)
    vs = evaluate("hunan_factory_2025", k)
    for cid in ("unit_energy_carbon", "re_ratio", "product_footprint"):
        assert "threshold reconstructed" in by_id(vs, cid).note, cid
    re = by_id(vs, "re_ratio")
    assert "electricity, on-site 30.00 %" in re.note
    assert (
        f"energy (electricity + heat, equivalent tce) {k['re_energy_share_onsite_equivalent'] * 100:.2f} %" in re.note
    )


def test_hunan_unit_energy_carbon_names_its_tce_basis():
    """Hunan Annex 1 (partial copy): "单位能耗碳排放:2027年≤1.25 tCO2e/tce": equivalent value by default,
    calorific as a setting, each ratio = the accounting's emissions / energy on that basis. Half of
    10 GWh from the grid at 0.6782 t/MWh: 3391 t / 3055 tce (equivalent) = 1.11 passes, / 1229 tce
    (calorific) = 2.76 fails."""
    k = kpis(grid_in=5_000_000.0, re_gen=5_000_000.0)
    eq = by_id(evaluate("hunan_factory_2025", k), "unit_energy_carbon")
    assert eq.value == pytest.approx(3391.0 / 3055.0, rel=1e-12)
    assert eq.value == pytest.approx(k["unit_energy_carbon_numerator_t"] / k["energy_equivalent_tce"], rel=1e-12)
    assert "equivalent basis" in eq.variant and eq.passed
    cal = by_id(evaluate("hunan_factory_2025", k, settings={"hunan_tce_basis": "calorific"}), "unit_energy_carbon")
    assert cal.value == pytest.approx(3391.0 / 1229.0, rel=1e-12)
    assert "calorific basis" in cal.variant and not cal.passed


# ---- 6. National park ------------------------------------------------------------------------


def test_national_core_below_200k_is_undetermined_unless_a_value_is_supplied():
    """发改环资〔2025〕910号 core indicator (secondary): "园区年综合能源消费量20万—100万吨标准煤的,不高于0.2吨
    二氧化碳/吨标准煤" gives no limit below 200 000 tce: the verdict is "threshold undetermined" until a
    user or provincial value is set, and its role says it gates acceptance (验收)."""
    k = kpis(grid_in=50_000_000.0)  # ~15 000 tce
    v = by_id(evaluate("national_park_2025", k), "unit_energy_carbon")
    assert v.threshold is None and v.status == "undetermined" and "threshold undetermined" in v.note
    assert v.role == "acceptance" and "验收" in v.text_en
    v = by_id(
        evaluate("national_park_2025", k, settings={"national_park_threshold_below_200k_t_per_tce": 3.0}),
        "unit_energy_carbon",
    )
    assert v.threshold == 3.0 and v.passed


def test_national_core_one_basis_for_band_and_ratio_named_correctly():
    """910号 core indicator "单位能耗碳排放" (tCO2/tce): with the calorific basis chosen, both the band and the
    ratio use calorific tce and the verdict says calorific (never a calorific ratio labelled equivalent)."""
    k = kpis(grid_in=2_000_000_000.0)  # 245 800 tce calorific, 611 000 equivalent: band 200k-1M either way
    v = by_id(
        evaluate("national_park_2025", k, settings={"national_park_tce_basis": "calorific"}), "unit_energy_carbon"
    )
    assert v.value == pytest.approx(k["unit_energy_carbon_numerator_t"] / k["energy_calorific_tce"], rel=1e-12)
    assert "calorific" in v.variant and "equivalent" not in v.variant
    assert "energy_calorific_tce" in v.note and v.threshold == 0.20


def test_national_clean_energy_share_is_computed_with_its_variants():
    """910号 guiding indicator (secondary): "清洁能源消费占比≥90%", computed from the accounting: on-site
    renewables only by default; natural gas and green power each a variant. 1 GWh PV of 10 GWh,
    1 GWh green power, 100 000 m3 of gas."""
    e = AnnualEnergy(grid_import_e_kwh=9_000_000.0, re_generation_e_kwh=1_000_000.0, fuels={"natural_gas": 100_000.0})
    k = accounting_kpis(account(e, green_power=GreenPower(green_power_contract_e_kwh=1_000_000.0)))
    kcal = k["electricity_equivalent_kgce_per_kwh"]
    total, gas = k["energy_equivalent_tce"], k["natural_gas_tce"]
    assert gas == pytest.approx(100_000.0 * 1.3284 / 1000.0, rel=1e-12)  # 38 931 kJ/m3 / 29 307.6 kJ/kgce
    v = by_id(evaluate("national_park_2025", k), "clean_energy_share")
    assert v.value == pytest.approx(1_000_000.0 * kcal / 1000.0 / total, rel=1e-12) and v.input == "simulated"
    both = by_id(
        evaluate(
            "national_park_2025",
            k,
            settings={"national_park_clean_counts_natural_gas": True, "national_park_clean_counts_green_power": True},
        ),
        "clean_energy_share",
    )
    assert both.value == pytest.approx((2_000_000.0 * kcal / 1000.0 + gas) / total, rel=1e-12)
    assert "natural gas" in both.variant and "green power" in both.variant


def test_national_guiding_not_applicable_is_declared_and_only_where_allowed():
    """910号 guiding indicators may be left out where "客观条件不具备": declared with the reason, the status
    is "not applicable" (not a fail, not a pass); the core indicator cannot be declared away."""
    vs = evaluate("national_park_2025", {}, {"not_applicable": {"water_reuse": "no industrial water use"}})
    v = by_id(vs, "water_reuse")
    assert v.status == "not applicable" and not v.passed and "no industrial water use" in v.note
    assert score(vs, "national_park_2025")["not_applicable"] == ["national_park_2025.water_reuse"]
    with pytest.raises(InputError, match="not_applicable.unit_energy_carbon"):
        evaluate("national_park_2025", {}, {"not_applicable": {"unit_energy_carbon": "small park"}})


def test_national_product_energy_reads_the_worst_grade_across_firms():
    """910号 guiding indicator (secondary): "主要产品单位能耗达到能耗限额标准2级及以上" is about every firm's
    products: the worst declared grade across the tenants decides; a tenant without a grade is missing."""
    firms = {"a": {"product_energy_limit_grade": 1}, "b": {"product_energy_limit_grade": 3}}
    v = by_id(
        evaluate("national_park_2025", {}, {"product_energy_limit_grade": 1}, firms=firms), "product_energy_grade2"
    )
    assert v.value == 3 and not v.passed and "b 3" in v.note
    v = by_id(
        evaluate("national_park_2025", {}, {}, firms={**firms, "b": {"product_energy_limit_grade": 2}}),
        "product_energy_grade2",
    )
    assert v.value == 2 and v.passed
    v = by_id(evaluate("national_park_2025", {}, {}, firms={**firms, "b": {}}), "product_energy_grade2")
    assert v.input == "missing" and "b" in v.note


# ---- 7. Summaries, not applicable, not assessable ------------------------------------------


def test_waste_heat_none_is_not_applicable_not_a_simulated_zero():
    """Anhui Annex 1, 2.1: "园区应要求企业对生产过程中产生的余热、余能采取回收和再利用措施,园区内余热余能回收率须达到
    10%及以上": a boundary with no waste-heat resource (KPI None) is "not applicable"; a rate of 0.0 fails."""
    v = by_id(evaluate("anhui_park_2024", {"waste_heat_recovery_rate": None}), "waste_heat_recovery")
    assert v.status == "not applicable" and v.input == "simulated" and not v.passed
    v = by_id(evaluate("anhui_park_2024", {"waste_heat_recovery_rate": 0.0}), "waste_heat_recovery")
    assert v.status == "fail"


@pytest.mark.parametrize("unserved, status", [(10.0, "pass"), (10.0001, "not assessable")])
def test_unserved_load_makes_every_simulated_verdict_not_assessable(unserved, status):
    """Anhui Annex 1, 2.1 "园区可再生能源电量比例须达到40%及以上": a plant that does not serve its load (unserved
    > 0.1 % of it) has no simulated verdict; declared verdicts still stand."""
    k = {"re_electricity_share_with_green_power": 0.5, "unserved_load_e_kwh": unserved, "load_e_kwh": 10_000.0}
    assert UNSERVED_LIMIT_FRACTION == 0.001
    vs = evaluate("anhui_park_2024", k, {"nev_share": 0.5})
    v = by_id(vs, "re_electricity_share")
    assert v.status == status and v.passed is (status == "pass")
    assert by_id(vs, "nev_share").status == "pass"


def test_summary_never_says_pass_beside_a_failure_nor_targets_pass_without_targets():
    """Anhui Annex 1, 2.1 ("园区可再生能源电量比例须达到40%及以上") and 2.2 ("新能源交通物流运输工具比例须达到30%
    及以上"): the summary separates admission and targets, simulated and declared; a pack without target
    criteria (the national factory guidance) prints no "targets PASS"."""
    vs = evaluate(
        ["anhui_park_2024", "national_factory_guidance"],
        {"re_electricity_share_with_green_power": 0.45},
        {"nev_share": 0.2},
    )
    packs = [score(vs, p) for p in ("anhui_park_2024", "national_factory_guidance")]
    adm = packs[0]["groups"]["admission"]
    assert adm["simulated"] == "pass" and adm["declared"] == "fail" and adm["status"] == "fail"
    assert group_status([]) == "none" and packs[1]["groups"]["targets"]["status"] == "none"
    result = type("R", (), {"verdicts": [v.to_dict() for v in vs], "packs": packs})()
    text = "\n".join(verdict_lines(result))
    line = next(s for s in text.splitlines() if s.startswith("== national_factory_guidance"))
    assert "targets PASS" not in line and "no target criteria" in line
    line = next(s for s in text.splitlines() if s.startswith("== anhui_park_2024"))
    assert "admission FAIL (simulated PASS, declared FAIL" in line


# ---- 8. criteria.json and the report: variant and reason -----------------------------------


def test_run_shows_variant_and_reason_for_every_simulated_criterion(tmp_path, capsys):
    """Zhejiang 序号3: "近3年能源消费中20%来自厂界内可再生能源…得满分" and the other simulated items: every
    simulated verdict in criteria.json and in the printed report carries its definition variant and a
    one-line reason."""
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "hefei_auto_parts.yaml"), "--out", str(out), "--reports", "none"]) == 0
    printed = capsys.readouterr().out
    verdicts = json.loads((out / "criteria.json").read_text(encoding="utf-8"))["verdicts"]
    sim = [v for v in verdicts if v["input"] == "simulated"]
    assert sim
    for v in sim:
        assert v["variant"] and v["variant_reason"] and "\n" not in v["variant_reason"], v["criterion_id"]
        assert f"why: {v['variant_reason']}" in printed, v["criterion_id"]
