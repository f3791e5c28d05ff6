"""The accounting's records: ``accounting.json`` as it was before them, frozen records, checked clamps."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from lingtan.errors import BalanceError
from lingtan.twin.accounting.account import _capped_share, account, accounting_kpis
from lingtan.twin.core.schema.accounting import Accounting, AnnualEnergy, DirectFuel, GreenPower, HeatPurchase, Offsets

RICH_YEAR_JSON = Path(__file__).with_name("data") / "accounting_rich_year.json"
"""``accounting.json`` of :func:`rich_year`, written by the accounting of commit 9541ed4 (a nested dict literal),
before the records replaced it."""


def rich_year():
    """A year that fills every block: boiler fuels (one with the user's coefficients, its kgce far from its NCV),
    biomass, fuel uses (one biomass, one named like a boiler fuel), purchased heat with and without a factor and by
    mass, exported heat and electricity, green power beyond the import's reach, certificates, credits."""
    energy = AnnualEnergy(
        grid_import_e_kwh=3_000_000,
        grid_export_e_kwh=150_000,
        re_generation_e_kwh=900_000,
        curtailed_e_kwh=20_000,
        fuels={"natural_gas": 120_000, "coal": 50_000},
        biomass_fuels={"biomass": 8_000},
        purchased_heat_gj=2_000,
        heat_purchases={
            "plant_a": HeatPurchase(gj=1_500, ef_t_per_gj=0.2),
            "plant_b": HeatPurchase(gj=700, steam={"quantity": 250.0, "unit": "t"}),
        },
        direct_fuels={
            "forklifts": DirectFuel(fuel="diesel", quantity=12_000, use="off_road"),
            "trucks": DirectFuel(fuel="gasoline", quantity=4_000, use="road"),
            "coal": DirectFuel(fuel="coal", quantity=1_000),
            "stove": DirectFuel(fuel="biomass", quantity=500),
        },
        exported_heat_gj=300,
        onsite_re_heat_gj=150,
        process_emissions_t=40,
    )
    settings = Accounting(
        gwp="ar6",
        unit_energy_carbon_basis="market",
        unit_energy_carbon_tce_basis="calorific",
        electricity_equivalent_kgce_per_kwh=0.3,
        fuel_factors={
            "natural_gas": {"unit": "m3", "kgce_per_unit": 1.2, "kgco2_per_unit": 2.0, "ncv_kj_per_unit": 30_000.0}
        },
    )
    green = GreenPower(
        green_power_contract_e_kwh=2_000_000,
        green_power_contract_premium_cny_per_kwh=0.03,
        green_power_direct_e_kwh=1_500_000,
        green_power_direct_premium_cny_per_kwh=0.02,
        green_certificates_mwh=400,
        green_certificate_price_cny_per_mwh=5,
        onsite_certificates_sold_mwh=50,
    )
    offsets = Offsets(
        ccer_t=60, ccer_price_cny_per_t=80, other_credits_t=10, allowances_t=5, allowances_price_cny_per_t=90
    )
    return account(energy, settings, green, offsets, grid_emission_factor="anhui_2022")


def as_file(d) -> str:
    """As :func:`lingtan.twin.reports.output._write_json` writes it."""
    return json.dumps(d, indent=2, ensure_ascii=False, default=float)


def test_to_dict_is_accounting_json_as_before():
    r = rich_year()
    assert as_file(r.to_dict()) == RICH_YEAR_JSON.read_text(encoding="utf-8")
    assert r.to_dict()["kpis"] == accounting_kpis(r)


def test_records_are_frozen_and_read_by_name():
    r = rich_year()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.residual_emissions_t = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.emissions.scope1.process_t = 0.0
    # the gross is the scopes less the exported energy, whichever way it is read
    em = r.emissions
    assert (
        r.kpis.gross_emissions_t
        == em.gross_location_t
        == pytest.approx(
            em.scope1.total_t
            + em.scope2_location.total_t
            - em.exported_deducted.electricity_location_t
            - em.exported_deducted.heat_t,
            rel=1e-12,
        )
    )
    # green power beyond the import is reported unused, and the certificates then have nothing left to cover
    assert r.offsets.green_power.covered_e_kwh == 3_000_000
    assert r.offsets.green_power.unused_e_kwh == 500_000
    assert r.offsets.green_certificates.usable_mwh == 0.0
    assert r.energy.shares.with_certificates == r.energy.shares.with_green_power == 1.0


def test_renewable_consumed_clamp_takes_off_rounding_only():
    """The clamp at 0 of generation - export - curtailment hides float rounding of the year's sums, never more."""

    def consumed(export_e_kwh):  # model_construct skips the validator, as a caller that bypasses it would
        return AnnualEnergy.model_construct(
            grid_import_e_kwh=0.0, re_generation_e_kwh=1_000_000.0, grid_export_e_kwh=export_e_kwh
        ).re_consumed

    assert consumed(1_000_000.0 + 1e-4) == 0.0  # rounding: 1e-9 relative + 1e-6 kWh allowed, as the validator
    with pytest.raises(BalanceError, match="export and curtailment exceed"):
        consumed(1_000_010.0)


def test_share_cap_takes_off_rounding_only():
    """Green power and certificates cover at most the grid import, so a share cap that cuts more hides a bug."""
    assert _capped_share(1.0 + 1e-12, 1.0, "with green power") == 1.0
    assert _capped_share(0.25, 1.0, "with green power") == 0.25
    with pytest.raises(BalanceError, match="with certificates is 1.01"):
        _capped_share(1.01, 1.0, "with certificates")
