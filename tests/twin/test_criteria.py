"""Criteria packs: thresholds at their boundaries, scoring rules, sources, trends."""

import math
import re
from pathlib import Path

import pytest

from lingtan.errors import InputError
from lingtan.twin.accounting.account import account, accounting_kpis
from lingtan.twin.accounting.criteria import Declared, evaluate, pack_criteria, pack_names, score
from lingtan.twin.accounting.criteria.core import meets
from lingtan.twin.accounting.criteria.packs import zhejiang_factory_2025 as zj
from lingtan.twin.accounting.criteria.trends import (
    average_annual_decline,
    coal_decline_verdicts,
    three_year_share,
    trend_kpis,
    yearly_changes,
)
from lingtan.twin.core.schema.accounting import AnnualEnergy, GreenPower

SEEDS = Path("/work/shared/seeds")


def by_id(verdicts, suffix):
    return next(v for v in verdicts if v.criterion_id.endswith(suffix))


# ---- Anhui 40 % -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "share, passed",
    [
        (0.3999, False),
        (0.39999, False),
        (0.40, True),
        (0.4000001, True),
        (0.1 + 0.2 + 0.1, True),
        (1.2 / 3, True),
        (0.4 - 1e-12, True),
    ],
)
def test_anhui_re_share_boundary(share, passed):
    v = by_id(evaluate("anhui_park_2024", {"re_electricity_share_with_green_power": share}), "re_electricity_share")
    assert v.passed is passed
    assert v.threshold == 0.40
    assert "onsite_plus_green_power" in v.variant


def test_anhui_re_share_exact_40_from_accounting():
    # 4 000 000 kWh renewable of 10 000 000 kWh consumed -> exactly 40 % on-site
    e = AnnualEnergy(grid_import_e_kwh=6_000_000, re_generation_e_kwh=4_000_000)
    k = accounting_kpis(account(e))
    vs = evaluate("anhui_park_2024", k, settings={"anhui_re_share_variant": "onsite"})
    assert by_id(vs, "re_electricity_share").passed
    e2 = AnnualEnergy(grid_import_e_kwh=6_001_000, re_generation_e_kwh=3_999_000)  # 39.99 %
    vs2 = evaluate("anhui_park_2024", accounting_kpis(account(e2)), settings={"anhui_re_share_variant": "onsite"})
    assert not by_id(vs2, "re_electricity_share").passed


def test_anhui_variant_changes_what_counts():
    k = accounting_kpis(
        account(
            AnnualEnergy(grid_import_e_kwh=7_000_000, re_generation_e_kwh=3_000_000),
            green_power=GreenPower(green_power_contract_e_kwh=1_000_000),
        )
    )
    on = by_id(evaluate("anhui_park_2024", k, settings={"anhui_re_share_variant": "onsite"}), "re_electricity_share")
    gp = by_id(evaluate("anhui_park_2024", k), "re_electricity_share")
    assert not on.passed and gp.passed


def test_anhui_carbon_credit_cap_and_coal():
    """4.5.2 at its boundary: 50 t left of 1000 t after green power is 5 % exactly, and 50 t of credits cover it."""
    k = {"gross_emissions_t": 1000.0, "offset_green_power_t": 950.0, "carbon_credits_t": 50.0, "coal_tce": 97.0}
    vs = evaluate("anhui_park_2024", k, {"last_year_coal_tce": 100.0})
    assert by_id(vs, "carbon_credit_cap").passed
    assert by_id(vs, "carbon_credit_cover").passed
    assert by_id(vs, "coal_decline").passed  # -3 % exactly
    vs = evaluate(
        "anhui_park_2024",
        {**k, "offset_green_power_t": 949.9, "carbon_credits_t": 49.9, "coal_tce": 97.1},
        {"last_year_coal_tce": 100.0},
    )
    assert not by_id(vs, "carbon_credit_cap").passed
    assert not by_id(vs, "carbon_credit_cover").passed
    assert not by_id(vs, "coal_decline").passed


# ---- Zhejiang -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tce, band, full", [(9_999, 0, 0.20), (10_000, 1, 0.15), (19_999.9, 1, 0.15), (20_000, 2, 0.10)]
)
def test_zhejiang_bands(tce, band, full):
    assert zj.energy_band(tce) == band
    v = by_id(
        evaluate("zhejiang_factory_2025", {"re_energy_share_onsite_equivalent": 0.15}, {"last_year_energy_tce": tce}),
        "renewable_share",
    )
    assert v.threshold == full
    assert v.points == pytest.approx(8.0 * min(1.0, 0.15 / full))


def test_zhejiang_renewable_pro_rata_between_anchors():
    assert zj.renewable_points(0.05, 5_000) == pytest.approx(2.0)  # 8 x 0.05 / 0.20
    assert zj.renewable_points(0.10, 15_000) == pytest.approx(8 * 0.10 / 0.15)
    assert zj.renewable_points(0.25, 5_000) == 8.0


def test_zhejiang_offsets_below_30_percent_score_zero_and_pro_rata():
    assert zj.offset_points(0.2999, 5_000) == 0.0
    assert zj.offset_points(0.30, 5_000) == pytest.approx(15 * 0.30 / 0.80)
    assert zj.offset_points(0.55, 15_000) == pytest.approx(15 * 0.55 / 0.70)
    assert zj.offset_points(0.60, 25_000) == 15.0
    assert zj.offset_points(0.55, 5_000, "linear_from_30") == pytest.approx(15 * 0.25 / 0.50)


def test_zhejiang_green_cap_binds():
    share, binding = zj.offset_share(gross_t=1000, green_power_t=400, certificates_t=300, other_t=100)
    assert binding and share == pytest.approx((500 + 100) / 1000)
    share, binding = zj.offset_share(gross_t=1000, green_power_t=200, certificates_t=100, other_t=100)
    assert not binding and share == pytest.approx(0.4)
    k = {
        "gross_emissions_t": 1000.0,
        "offset_green_power_t": 400.0,
        "offset_certificates_t": 300.0,
        "offset_ccer_t": 100.0,
    }
    v = by_id(evaluate("zhejiang_factory_2025", k, {"last_year_energy_tce": 5_000}), "offsets")
    assert v.value == pytest.approx(0.6) and "binds" in v.note
    assert v.points == pytest.approx(15 * 0.6 / 0.8)


def test_zhejiang_full_score_and_admission():
    declared = Declared(
        green_factory_level="provincial",
        last_year_energy_tce=12_000,
        energy_information_system=True,
        carbon_information_system=True,
        special_equipment_advanced_share=1.0,
        general_equipment_grade=1,
        waste_energy_types_over_60pct=2,
        eco_design_highlights=7,
        carbon_management_cases=4,
        product_unit_consumption_vs_benchmark_fraction=-0.25,
        retrofit_investment_3yr_cny=3.5e7,
        intensity_decline_avg_fraction=0.06,
    )
    k = {
        "re_energy_share_onsite_equivalent": 0.16,
        "gross_emissions_t": 1000.0,
        "offset_green_power_t": 300.0,
        "offset_certificates_t": 0.0,
        "offset_ccer_t": 400.0,
    }
    vs = evaluate(["zhejiang_factory_2025"], k, declared)
    s = score(vs, "zhejiang_factory_2025")
    assert s["max_points"] == 100 and s["points"] == pytest.approx(100)
    assert s["admission_passed"]
    partial = evaluate(
        "zhejiang_factory_2025",
        k,
        declared.model_copy(
            update={"general_equipment_grade": 2, "product_unit_consumption_vs_benchmark_fraction": 0.05}
        ),
    )
    assert score(partial, "zhejiang_factory_2025")["points"] == pytest.approx(100 - 2 - 7)


def test_zhejiang_size_admission_or_rule():
    ok = by_id(evaluate("zhejiang_factory_2025", {}, {"last_year_energy_tce": 2999, "output_value_cny": 5e8}), "size")
    assert ok.passed and ok.input == "declared"
    no = by_id(evaluate("zhejiang_factory_2025", {}, {"last_year_energy_tce": 2999, "output_value_cny": 4.9e8}), "size")
    assert not no.passed


# ---- Hunan, national ------------------------------------------------------------------------


@pytest.mark.parametrize("year, limit, re", [(2027, 1.25, 0.35), (2030, 0.87, 0.55), (2035, 0.37, 0.80)])
def test_hunan_targets_by_year(year, limit, re):
    k = {"unit_energy_carbon_t_per_tce": limit, "re_electricity_share_with_green_power": re - 0.001}
    vs = evaluate("hunan_factory_2025", k, settings={"hunan_target_year": year})
    assert by_id(vs, "unit_energy_carbon").passed and by_id(vs, "unit_energy_carbon").threshold == limit
    assert not by_id(vs, "re_ratio").passed and by_id(vs, "re_ratio").threshold == re


def test_hunan_ets_not_applicable_passes_declared():
    v = by_id(evaluate("hunan_factory_2025", {}, {"in_national_ets": False}), "ets_surrendered")
    assert v.passed and v.input == "declared" and "not applicable" in v.note


@pytest.mark.parametrize(
    "tce, limit", [(150_000, None), (199_999, None), (200_000, 0.20), (999_999, 0.20), (1_000_000, 0.30)]
)
def test_national_park_core_bands(tce, limit):
    v = by_id(
        evaluate("national_park_2025", {"energy_equivalent_tce": tce, "unit_energy_carbon_t_per_tce": 0.25}),
        "unit_energy_carbon",
    )
    assert v.threshold == limit
    assert v.passed is (limit == 0.30)
    assert v.status == ("undetermined" if limit is None else "pass" if limit == 0.30 else "fail")


def test_national_factory_boundary_simulated():
    v = by_id(evaluate("national_factory_guidance", {"scope1_t": 1.0, "scope2_location_t": 2.0}), "boundary")
    assert v.passed and v.input == "simulated"


# ---- general rules --------------------------------------------------------------------------


# What is missing, by the kind of input a criterion reads (twin/accounting/criteria/core.py): a KPI of the run
# (Context.kpi) is "not simulated"; a declared fact (Context.decl) is "not declared"; a KPI with a declared fallback
# of the same name (Context.get) is "not simulated and not declared"; the accounting's emissions and energy are
# "not accounted".
MISSING_NOTE = {
    "simulated": "not simulated",
    "declared": "not declared",
    "simulated or declared": "not simulated and not declared",
    "accounted": "not accounted",
}
# Criteria with a measure of their own: the key(s) the note names and the kind of input they read (a criterion
# without one reads ``reads`` through Context.get).
MEASURED_INPUT = {
    "anhui_park_2024.re_electricity_share": ("re_electricity_share_with_green_power", "simulated"),
    "anhui_park_2024.coal_decline": ("coal_tce", "simulated"),
    "anhui_park_2024.waste_heat_recovery": ("waste_heat_recovery_rate", "simulated or declared"),
    "anhui_park_2024.carbon_credit_cap": ("gross_emissions_t", "accounted"),
    "anhui_park_2024.carbon_credit_cover": ("gross_emissions_t", "accounted"),
    "anhui_park_2024.nev_share": ("nev_share", "simulated or declared"),
    "anhui_park_2024.charging_coverage": ("charging_coverage_share", "simulated or declared"),
    "zhejiang_factory_2025.green_factory": ("green_factory_level", "declared"),
    "zhejiang_factory_2025.size": ("last_year_energy_tce and output_value_cny", "declared"),
    "zhejiang_factory_2025.renewable_share": ("re_energy_share_onsite_equivalent", "simulated"),
    "zhejiang_factory_2025.waste_energy": ("waste_energy_types_over_60pct", "simulated or declared"),
    "zhejiang_factory_2025.intensity_decline": ("intensity_decline_avg_fraction", "simulated or declared"),
    "zhejiang_factory_2025.offsets": ("emissions and offsets", "accounted"),
    "hunan_factory_2025.green_factory": ("green_factory_level", "declared"),
    "hunan_factory_2025.ets_surrendered": ("in_national_ets", "declared"),
    "hunan_factory_2025.product_energy_grade1": ("product_energy_limit_grade", "declared"),
    "hunan_factory_2025.general_equipment_grade2": ("general_equipment_grade", "declared"),
    "hunan_factory_2025.unit_energy_carbon": ("unit_energy_carbon_numerator_t / energy_equivalent_tce", "accounted"),
    "hunan_factory_2025.re_ratio": ("re_electricity_share_with_green_power", "simulated"),
    "hunan_factory_2025.product_footprint": ("product_carbon_footprint_change_fraction", "simulated or declared"),
    "national_park_2025.unit_energy_carbon": ("unit_energy_carbon_numerator_t / energy_equivalent_tce", "accounted"),
    "national_park_2025.clean_energy_share": (
        "renewable_equivalent_tce, energy_equivalent_tce, electricity_equivalent_kgce_per_kwh",
        "accounted",
    ),
    "national_park_2025.waste_heat": ("waste_heat_cold_pressure_utilisation_share", "declared"),
    "national_park_2025.product_energy_grade2": ("product_energy_limit_grade", "declared"),
    "national_factory_guidance.boundary": ("ghg_boundary_direct_and_indirect", "declared"),
    "national_factory_guidance.product_energy_grade1": ("product_energy_limit_grade", "declared"),
    "national_factory_guidance.general_equipment_grade1": ("general_equipment_grade", "declared"),
}


def test_missing_declared_fact_fails_and_says_so():
    criteria = {c.id: c for p in pack_names() for c in pack_criteria(p)}
    assert {i for i, c in criteria.items() if c.measure} == set(MEASURED_INPUT)
    for v in evaluate(pack_names(), {}):
        assert not v.passed and v.status == "fail"
        assert v.input == "missing"
        c = criteria[v.criterion_id]
        if c.measure:
            key, kind = MEASURED_INPUT[v.criterion_id]
        else:
            key, kind = c.reads, "simulated or declared" if c.reads in Declared.model_fields else "simulated"
        assert f"{key}: {MISSING_NOTE[kind]}" in v.note, v.criterion_id
        # a note of one kind does not also claim another (a KPI is never "declared", a fact never "simulated")
        if kind == "simulated":
            assert "not declared" not in v.note and "not accounted" not in v.note, v.criterion_id
        if kind == "declared":
            assert "not simulated" not in v.note and "not accounted" not in v.note, v.criterion_id


def test_declared_inputs_marked_declared():
    v = by_id(evaluate("anhui_park_2024", {}, {"greening_share": 0.15}), "greening")
    assert v.passed and v.input == "declared" and not v.simulated


def test_every_verdict_names_its_source_clause():
    vs = evaluate(pack_names(), {})
    assert {v.pack for v in vs} == set(pack_names())
    for v in vs:
        assert v.source_doc and v.clause and v.text_zh and v.text_en
        assert v.clause in v.source
        d = v.to_dict()
        assert d["source"] == f"{v.source_doc}, {v.clause}"


def _normalise(text):
    text = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", "", text)  # ruby pinyin of seed 000
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    "pack, seed",
    [
        ("anhui_park_2024", "004_89e9fb91376c76b9.txt"),
        ("zhejiang_factory_2025", "001_c68294b44eb4d5c1.txt"),
        ("hunan_factory_2025", "000_cc8aa859e4cb0659.txt"),
        ("national_factory_guidance", "002_710cc7ba398a24e8.txt"),
    ],
)
def test_quoted_texts_are_in_the_seed(pack, seed, references):
    if not SEEDS.is_dir():
        references.missing(f"seed documents not available in {SEEDS}")
    source = _normalise((SEEDS / seed).read_text(encoding="utf-8"))
    for c in pack_criteria(pack):
        if c.text_zh.startswith("["):  # reconstruction, marked as such
            continue
        assert _normalise(c.text_zh) in source, c.id


def test_unknown_pack_lists_known_ones():
    with pytest.raises(InputError) as err:
        evaluate(["anhui_park_2024", "mars_colony_2099"], {})
    msg = str(err.value)
    assert "mars_colony_2099" in msg
    for name in pack_names():
        assert name in msg


def test_bad_declared_field_is_an_input_error():
    with pytest.raises(InputError, match="declared"):
        evaluate("anhui_park_2024", {}, {"greening_percent": 15})


def test_meets_tolerance():
    assert meets(0.39999999999999997, 0.4, ">=")
    assert not meets(0.3999, 0.4, ">=")
    assert meets(-0.03, -0.03, "<=")


# ---- multi-year -----------------------------------------------------------------------------

# Hand case, three years:
#   coal_tce               1000, 960, 940   -> changes -4.0 % (pass), -2.0833 % (fail)
#   energy intensity [tce per 10^4 CNY] 0.50, 0.47, 0.44
#       average decline = 1 - (0.44 / 0.50) ** (1/2) = 1 - sqrt(0.88) = 0.0619168 -> >= 5 %: 15 points
#   renewable_equivalent_tce 100, 150, 200 ; energy_equivalent_tce 1000, 1000, 1500
#       three-year share = 450 / 3500 = 0.128571
YEARS = [
    {
        "year": 2023,
        "coal_tce": 1000.0,
        "intensity": 0.50,
        "renewable_equivalent_tce": 100.0,
        "energy_equivalent_tce": 1000.0,
    },
    {
        "year": 2024,
        "coal_tce": 960.0,
        "intensity": 0.47,
        "renewable_equivalent_tce": 150.0,
        "energy_equivalent_tce": 1000.0,
    },
    {
        "year": 2025,
        "coal_tce": 940.0,
        "intensity": 0.44,
        "renewable_equivalent_tce": 200.0,
        "energy_equivalent_tce": 1500.0,
    },
]


def test_three_year_trend_by_hand():
    ch = yearly_changes(YEARS, "coal_tce")
    assert ch == pytest.approx([-0.04, -20 / 960])
    verdicts = coal_decline_verdicts(YEARS)
    assert [v.passed for v in verdicts] == [True, False]
    assert "2024" in verdicts[0].note and verdicts[0].clause.startswith("2.1")
    assert average_annual_decline(YEARS, "intensity") == pytest.approx(1 - math.sqrt(0.88))
    assert three_year_share(YEARS, "renewable_equivalent_tce", "energy_equivalent_tce") == pytest.approx(450 / 3500)

    k = trend_kpis(YEARS, intensity_key="intensity")
    assert k["coal_change_fraction"] == pytest.approx(-20 / 960)
    assert k["re_energy_share_onsite_3yr_equivalent"] == pytest.approx(450 / 3500)
    vs = evaluate(["zhejiang_factory_2025", "anhui_park_2024"], {**YEARS[-1], **k}, {"last_year_energy_tce": 1500})
    assert by_id(vs, "intensity_decline").points == 15.0
    re_v = by_id(vs, "renewable_share")
    assert re_v.value == pytest.approx(450 / 3500) and "3-year" in re_v.note
    assert re_v.points == pytest.approx(8 * (450 / 3500) / 0.20)
    assert not by_id(vs, "coal_decline").passed


def test_intensity_pro_rata():
    years = [{"i": 1.0}, {"i": 0.97}, {"i": 0.97 * 0.97}]  # 3 %/yr
    k = trend_kpis(years, intensity_key="i")
    v = by_id(evaluate("zhejiang_factory_2025", k), "intensity_decline")
    assert v.points == pytest.approx(15 * 0.03 / 0.05)


def test_trend_kpis_from_accounted_years():
    years = [
        accounting_kpis(account(AnnualEnergy(grid_import_e_kwh=g, re_generation_e_kwh=r, fuels={"coal": c})))
        for g, r, c in ((1e6, 1e5, 1000.0), (1e6, 2e5, 900.0), (1e6, 3e5, 850.0))
    ]
    k = trend_kpis(years)
    assert k["coal_change_fractions"] == pytest.approx([-0.1, -50 / 900])
    num = sum(y["renewable_equivalent_tce"] for y in years)
    den = sum(y["energy_equivalent_tce"] for y in years)
    assert k["re_energy_share_onsite_3yr_equivalent"] == pytest.approx(num / den)
    assert k["re_electricity_share_onsite_3yr"] == pytest.approx(6e5 / (3e6 + 6e5))
