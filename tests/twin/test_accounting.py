"""Accounting against a year worked out by hand with the standards' factors."""

import json
import math

import pytest

from lingtan.errors import InputError
from lingtan.twin.accounting.account import account, load_fuel_factors
from lingtan.twin.core.schema.accounting import Accounting, AnnualEnergy, GreenPower, Offsets

# ---- the hand-worked year --------------------------------------------------------------
# grid import 2 000 000 kWh; PV 600 000 kWh of which 100 000 kWh exported (500 000 consumed);
# natural gas 100 000 m3; diesel 20 000 kg; purchased steam 5 000 GJ.
# Factors: GB/T 2589 electricity 0.1229 kgce/kWh (calorific), 0.3055 (equivalent, setting default);
# natural gas 1.3284 kgce/m3 (38 931 kJ/m3 / 29 307.6, the NCV's own), 2.1622 kgCO2/m3; diesel 1.4571 kgce/kg, 3.0959
# kgCO2/kg;
# heat 34.12 kgce/GJ, 0.11 tCO2/GJ; grid national_2022 0.5366 t/MWh, residual 0.5856 t/MWh.
#
# Energy, calorific:  electricity 2 500 000 x 0.1229 / 1000 = 307.25 tce
#                     gas 100 000 x 1.3284 / 1000 = 132.84 ; diesel 20 000 x 1.4571 / 1000 = 29.142
#                     steam 5 000 x 34.12 / 1000 = 170.6           total = 639.832 tce
# Energy, equivalent: electricity 2 500 000 x 0.3055 / 1000 = 763.75 -> total = 1 096.332 tce
# Emissions:          gas 216.22 t + diesel 61.918 t = scope 1 278.138 t
#                     grid 2 000 MWh x 0.5366 = 1 073.2 t ; steam 5 000 x 0.11 = 550 t
#                     exported PV 100 MWh x 0.5366 = 53.66 t deducted (GB/T 32150)
#                     gross = 278.138 + 1 073.2 + 550 - 53.66 = 1 847.678 tCO2
#                     market: 2 000 x 0.5856 = 1 171.2; export 58.56 -> 1 940.778 tCO2
HAND = dict(
    grid_import_e_kwh=2_000_000,
    grid_export_e_kwh=100_000,
    re_generation_e_kwh=600_000,
    fuels={"natural_gas": 100_000, "diesel": 20_000},
    purchased_heat_gj=5_000,
)
SETTINGS = Accounting(location_emission_factor="national_2022", market_emission_factor="national_2022_residual")


def close(a, b, rel=1e-9):
    # exact hand arithmetic: 1e-9 leaves float rounding only (it was 1e-3, which hid an error of 0.1 %)
    return math.isclose(a, b, rel_tol=rel)


def test_hand_worked_year_energy_and_emissions():
    r = account(AnnualEnergy(**HAND), SETTINGS)
    k = r.kpis
    assert close(k.energy_calorific_tce, 639.832)
    assert close(k.energy_equivalent_tce, 1096.332)
    assert close(r.energy.fuels["natural_gas"].tce, 132.84)
    assert close(r.energy.fuels["diesel"].tce, 29.142)
    assert close(r.energy.heat.purchased_tce, 170.6)
    assert close(k.scope1_t, 278.138)
    assert close(r.emissions.scope2_location.electricity_t, 1073.2)
    assert close(r.emissions.exported_deducted.electricity_location_t, 53.66)
    assert close(k.gross_emissions_t, 1847.678)
    assert close(k.gross_emissions_market_t, 1940.778)
    assert close(k.re_electricity_share_onsite, 500_000 / 2_500_000)
    # unit-energy carbon (default: after green power = gross here, equivalent tce)
    assert close(k.unit_energy_carbon_t_per_tce, 1847.678 / 1096.332)
    json.dumps(r.to_dict())  # serialisable
    assert r.factors.grid_location.ef_t_per_mwh == 0.5366
    assert "GB/T 32150" in r.factors.fuels["natural_gas"].source


def test_green_power_certificates_and_credits_by_hand():
    gp = GreenPower(
        green_power_contract_e_kwh=500_000,
        green_power_contract_premium_cny_per_kwh=0.03,
        green_certificates_mwh=200,
        green_certificate_price_cny_per_mwh=5,
    )
    off = Offsets(ccer_t=50, ccer_price_cny_per_t=80)
    r = account(AnnualEnergy(**HAND), SETTINGS, gp, off)
    k = r.kpis
    # market: (2 000 - 500) MWh x 0.5856 = 878.4 t
    assert close(r.emissions.scope2_market.electricity_t, 878.4)
    assert close(k.offset_green_power_t, 500 * 0.5366)  # 268.3
    assert close(k.offset_certificates_t, 200 * 0.5366)  # 107.32
    assert close(k.residual_emissions_t, 1847.678 - 268.3 - 107.32 - 50)
    assert close(r.offsets.total_cost_cny, 500_000 * 0.03 + 200 * 5 + 50 * 80)
    assert close(k.unit_energy_carbon_t_per_tce, (1847.678 - 268.3) / 1096.332)
    assert close(k.re_electricity_share_with_green_power, 1_000_000 / 2_500_000)
    assert close(k.re_electricity_share_with_certificates, 1_200_000 / 2_500_000)


def test_green_power_cannot_exceed_grid_import():
    gp = GreenPower(green_power_contract_e_kwh=3_000_000, green_certificates_mwh=10)
    r = account(AnnualEnergy(**HAND), SETTINGS, gp)
    assert r.offsets.green_power.covered_e_kwh == 2_000_000
    assert r.offsets.green_power.unused_e_kwh == 1_000_000
    assert r.offsets.green_certificates.usable_mwh == 0
    assert r.emissions.scope2_market.electricity_t == 0
    assert r.kpis.re_electricity_share_with_green_power == 1.0


def test_grid_charged_battery_never_renewable():
    """Market-based scope 2 uses the grid import whatever the battery does with it."""
    base = {
        "grid_import_e_kwh": 1_000_000.0,
        "grid_export_e_kwh": 0.0,
        "re_generation_e_kwh": 200_000.0,
        "re_consumed_e_kwh": 200_000.0,
        "curtailed_e_kwh": 0.0,
    }
    with_battery = {
        **base,
        "battery_charge_e_kwh": 400_000.0,
        "battery_discharge_e_kwh": 360_000.0,
        "battery_losses_e_kwh": 40_000.0,
    }
    r0 = account(AnnualEnergy.from_kpis(base), SETTINGS)
    r1 = account(AnnualEnergy.from_kpis(with_battery), SETTINGS)
    assert r1.kpis.scope2_market_t == r0.kpis.scope2_market_t == pytest.approx(1000 * 0.5856)
    assert r1.kpis.re_electricity_share_onsite == r0.kpis.re_electricity_share_onsite
    assert r1.energy.electricity.re_consumed_e_kwh == 200_000.0


def test_biomass_reported_apart_and_exported_heat_deducted():
    e = AnnualEnergy(
        grid_import_e_kwh=0, biomass_fuels={"biomass": 10_000}, exported_heat_gj=100, purchased_heat_gj=300
    )
    r = account(e, SETTINGS)
    f = load_fuel_factors()["biomass"]
    assert close(r.kpis.biomass_co2_t, 10_000 * f.kgco2_per_unit / 1000)
    assert close(r.kpis.gross_emissions_t, (300 - 100) * 0.11)  # biomass not in the total
    assert close(r.kpis.energy_calorific_tce, 10_000 * f.kgce_per_unit / 1000 + (300 - 100) * 34.12 / 1000)
    no_deduct = account(e, Accounting(deduct_exported_energy=False))
    assert close(no_deduct.kpis.gross_emissions_t, 300 * 0.11)


def test_user_overrides_and_errors():
    s = Accounting(
        location_emission_factor=0.5,
        fuel_factors={"natural_gas": {"unit": "m3", "kgce_per_unit": 1.2, "kgco2_per_unit": 2.0}},
    )
    r = account(AnnualEnergy(grid_import_e_kwh=1000, fuels={"natural_gas": 1000}), s)
    assert close(r.kpis.gross_emissions_t, 0.5 + 2.0)
    with pytest.raises(InputError, match="natural_gas"):
        account(AnnualEnergy(grid_import_e_kwh=0, fuels={"unobtainium": 1}))
    with pytest.raises(InputError, match="national_2022"):
        account(AnnualEnergy(grid_import_e_kwh=0), Accounting(location_emission_factor="nowhere_2099"))
    with pytest.raises(InputError, match="biomass_fuels"):
        account(AnnualEnergy(grid_import_e_kwh=0, fuels={"biomass": 1}))


def test_grid_factor_falls_back_to_scenario_grid():
    r = account(AnnualEnergy(grid_import_e_kwh=1_000_000), grid_emission_factor="anhui_2022")
    assert close(r.kpis.scope2_location_t, 678.2)
