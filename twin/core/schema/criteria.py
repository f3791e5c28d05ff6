"""Scenario sections ``declared:`` and ``criteria_settings:``, and the names of the criteria packs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Declared(BaseModel):
    """Scenario section ``declared:`` — facts the twin cannot simulate, stated by the user.

    Every field is optional; a criterion that needs a missing fact fails with "not declared".
    Fractions are 0..1 (``_share`` / ``_fraction``); money in CNY; energy in tce.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # status and compliance
    green_factory_level: Literal["none", "municipal", "provincial", "national"] | None = Field(
        default=None, description="green (low-carbon) factory title held: none / municipal / provincial / national"
    )
    registered_legal_entity_in_province: bool | None = Field(
        default=None, description="manufacturing firm with independent legal personality registered in the province"
    )
    sound_operation_3yr: bool | None = Field(
        default=None, description="sound operation over the last 3 years, main revenue growing steadily"
    )
    in_national_ets: bool | None = Field(default=None, description="covered by the national carbon market")
    ets_allowances_surrendered: bool | None = Field(
        default=None, description="ETS allowances surrendered as required in the last 3 years"
    )
    no_major_accidents: bool | None = Field(
        default=None, description="no major (较大及以上) safety, environmental or quality accident"
    )
    ghg_accounted_per_gbt32150: bool | None = Field(
        default=None, description="GHG accounted and reported per GB/T 32150 / 32151 (or ETS sector rules)"
    )
    ghg_boundary_direct_and_indirect: bool | None = Field(
        default=None, description="inventory covers direct (fuel, process) and indirect (electricity, heat) CO2"
    )
    offsets_after_own_reductions: bool | None = Field(
        default=None, description="offsets used only after own reductions are exhausted (降无可降)"
    )
    disclosure_published: bool | None = Field(
        default=None, description="sustainability / ESG / zero-carbon report published"
    )
    # equipment and products
    product_energy_limit_grade: int | None = Field(
        default=None, ge=1, le=5, description="grade of unit product energy in the national limit standard (1 best)"
    )
    general_equipment_grade: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="worst efficiency grade among transformers, compressors, fans, motors, pumps (1 best)",
    )
    special_equipment_advanced_share: float | None = Field(
        default=None, ge=0, le=1, description="share of special equipment at the industry-advanced level"
    )
    key_firms_equipment_grade1: bool | None = Field(
        default=None, description="energy-using equipment of the park's key (energy-intensive) firms all at grade 1"
    )
    energy_information_system: bool | None = Field(default=None, description="energy information system in place")
    carbon_information_system: bool | None = Field(default=None, description="GHG management platform in place")
    waste_energy_types_over_60pct: int | None = Field(
        default=None, ge=0, description="number of waste-energy types (heat, pressure, cold...) used at >= 60 %"
    )
    eco_design_highlights: int | None = Field(default=None, ge=0, description="eco-design highlights")
    carbon_management_cases: int | None = Field(
        default=None, ge=0, description="carbon-footprint / label / green supply chain / capture cases"
    )
    product_unit_consumption_vs_benchmark_fraction: float | None = Field(
        default=None, description="(unit consumption - benchmark) / benchmark; -0.2 = 20 % better than benchmark"
    )
    product_carbon_footprint_change_fraction: float | None = Field(
        default=None, description="key product carbon footprint vs base year; -0.06 = 6 % lower"
    )
    # money, size, history
    retrofit_investment_3yr_cny: float | None = Field(
        default=None, ge=0, description="energy-saving retrofit investment over the last 3 years [CNY]"
    )
    intensity_decline_avg_fraction: float | None = Field(
        default=None, description="average annual decline of energy or carbon intensity over 3 years (0.05 = 5 %/yr)"
    )
    last_year_energy_tce: float | None = Field(
        default=None,
        ge=0,
        description="last year's comprehensive energy consumption [tce] (Zhejiang: equivalent value)",
    )
    output_value_cny: float | None = Field(default=None, ge=0, description="last year's output value [CNY]")
    last_year_coal_tce: float | None = Field(default=None, ge=0, description="last year's coal consumption [tce]")
    # park facts (Anhui, national park)
    nev_share: float | None = Field(
        default=None, ge=0, le=1, description="new-energy share of transport and logistics vehicles"
    )
    charging_coverage_share: float | None = Field(
        default=None, ge=0, le=1, description="new-energy transport infrastructure (charging) coverage"
    )
    green_lighting_share: float | None = Field(
        default=None, ge=0, le=1, description="green lighting share of public facilities and roads"
    )
    greening_share: float | None = Field(default=None, ge=0, le=1, description="greening coverage")
    ghg_inventory_firms_share: float | None = Field(
        default=None, ge=0, le=1, description="share of firms completing a GHG inventory each year"
    )
    pollution_sources_compliance_share: float | None = Field(
        default=None, ge=0, le=1, description="key pollution sources steadily meeting discharge standards"
    )
    management_iso_certified: bool | None = Field(
        default=None, description="park management body certified ISO 14000 or ISO 9001"
    )
    disclosure_and_cleaner_production_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="lowest of: environmental disclosure rate and cleaner-production audit rate of 双高 firms",
    )
    ghg_scope_whole_park: bool | None = Field(
        default=None, description="GHG accounting and reporting cover the whole park's operations"
    )
    complies_with_national_policy_and_law: bool | None = Field(
        default=None, description="Anhui 1.1: park built and managed per national policy and national / Anhui law"
    )
    zero_carbon_strategy_whole_park: bool | None = Field(
        default=None,
        description="Anhui 1.2: zero-carbon strategy and plan covering the whole park "
        "(infrastructure, production and living systems)",
    )
    zero_carbon_organisation_and_statistics: bool | None = Field(
        default=None,
        description="Anhui 1.3: zero-carbon organisation, carbon-reduction system, carbon management "
        "and statistics rules, a named person in charge",
    )
    environmental_quality_meets_zone_standards: bool | None = Field(
        default=None,
        description="Anhui 1.4 (second half): environmental quality meets the national and Anhui "
        "functional-zone standards",
    )
    building_carbon_per_gb55015: bool | None = Field(
        default=None,
        description="Anhui 2.3: civil buildings' carbon emissions calculated per GB 55015, with "
        "measures lowering the carbon intensity per floor area",
    )
    public_bicycles_and_chargers: bool | None = Field(
        default=None, description="Anhui 2.6: public bicycle service system and charging piles in place"
    )
    green_information_platform: bool | None = Field(
        default=None,
        description="Anhui 2.7: green low-carbon / energy-saving information platform publishing "
        "project, pollutant, solid-waste, energy and water information regularly",
    )
    anhui_key_industries: list[Literal["new_energy_vehicles", "lithium_batteries", "solar_cells"]] | None = Field(
        default=None,
        description="Anhui 2.8: the park's firms in new-energy vehicles, lithium batteries or solar "
        "cells (the relaxation is noted beside failing thresholds, never applied)",
    )
    not_applicable: dict[str, str] | None = Field(
        default=None,
        description="criteria that do not apply, by criterion id (without the pack) -> the reason; "
        "only criteria whose text allows it (适用时, 客观条件不具备) accept it",
    )
    waste_heat_recovery_rate: float | None = Field(
        default=None, ge=0, le=1, description="fallback when the run does not simulate waste heat"
    )
    clean_energy_share: float | None = Field(default=None, ge=0, le=1, description="clean energy share of energy")
    solid_waste_utilisation_share: float | None = Field(default=None, ge=0, le=1)
    waste_heat_cold_pressure_utilisation_share: float | None = Field(default=None, ge=0, le=1)
    industrial_water_reuse_share: float | None = Field(default=None, ge=0, le=1)


class CriteriaSettings(BaseModel):
    """Scenario section ``criteria_settings:`` — the definition variants, printed with each verdict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    anhui_re_share_variant: Literal["onsite", "onsite_plus_green_power", "onsite_plus_green_power_and_certificates"] = (
        Field(
            default="onsite_plus_green_power",
            description=(
                "what counts toward Anhui's 40 %: not stated by the notice; default on-site + contracted green power"
            ),
        )
    )
    anhui_charging_coverage_variant: Literal["stricter", "per_parking_space", "per_vehicle"] = Field(
        default="stricter",
        description="reading of Anhui's 新能源交通基础设施覆盖率 for a simulated fleet: charge points / parking "
        "spaces, charge points / vehicles, or the lower of those the fleet gives (default, stricter)",
    )
    zhejiang_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent", description="tce of the Zhejiang bands and renewable share (the table says 等价值)"
    )
    zhejiang_offset_pro_rata: Literal["proportional", "linear_from_30"] = Field(
        default="proportional",
        description=(
            "'其余按抵消比例折算得分': 15 x share / full share (default) or linear from 0 at 30 % to 15 at full"
        ),
    )
    anhui_waste_heat_variant: Literal["whole_boundary", "declared_streams"] = Field(
        default="whole_boundary",
        description="denominator of Anhui's 余热余能回收率: all waste heat and energy resources of the boundary "
        "(GB/T 1028-2018, default, stricter) or only the declared streams",
    )
    zhejiang_not_applicable_total: Literal["out_of_100", "out_of_96"] = Field(
        default="out_of_100",
        description="序号3 余能使用 is marked 适用时 and the plan gives no rule for the total when it does not apply: "
        "keep its 4 points in the maximum (default, stricter) or leave them out (score out of 96)",
    )
    hunan_target_year: Literal[2027, 2030, 2035] = Field(default=2027, description="Annex 1 target year")
    hunan_re_ratio_variant: Literal[
        "electricity_onsite",
        "electricity_with_green_power",
        "electricity_with_certificates",
        "energy_equivalent",
        "energy_calorific",
    ] = Field(default="electricity_with_green_power", description="definition of Hunan's renewable-energy use ratio")
    hunan_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent",
        description="tce of Hunan's unit-energy carbon emissions (Annex 1 not in the seed; see the pack)",
    )
    national_park_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent",
        description="tce basis of the national park's energy band and of its core ratio (one basis for both)",
    )
    national_park_threshold_below_200k_t_per_tce: float | None = Field(
        default=None,
        gt=0,
        description="core indicator limit for parks below 200 000 tce/yr [tCO2/tce]: no text "
        "gives one; None = threshold undetermined (a user or provincial value)",
    )
    national_park_clean_counts_natural_gas: bool = Field(
        default=False, description="count natural gas as clean energy in the clean-energy share (default no: stricter)"
    )
    national_park_clean_counts_green_power: bool = Field(
        default=False, description="count contracted / direct green power as clean energy (default no: stricter)"
    )


PACK_NAMES = (
    "anhui_park_2024",
    "zhejiang_factory_2025",
    "hunan_factory_2025",
    "national_park_2025",
    "national_factory_guidance",
)
"""Ids of the criteria packs a scenario may name, in the registry's order. The schema checks names
without importing the packs' behaviour; tests/twin/test_criteria.py checks this list against the
registry (:func:`lingtan.twin.accounting.criteria.pack_names`)."""
