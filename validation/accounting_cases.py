"""Hand-worked accounting cases for the inputs of issues 13 and 19: direct fuel uses, steam by mass, biomass, CH4
and N2O.

Each number on the right was worked by hand from the coefficients named beside it; the twin's number comes
from the same public path a scenario takes (:func:`lingtan.twin.accounting.account.fuel_uses_year`,
:func:`lingtan.twin.accounting.account.fuel_use_energy`, :func:`lingtan.twin.accounting.account.account`). Tolerance
1e-6 relative:
arithmetic on published coefficients, where only float rounding (and, for steam, the IAPWS verification
value's 9 significant digits) may differ.

Direct fuel (GB/T 2589 tce, GB/T 32150 CO2; ``components/data/fuels.csv``)
    gensets: 5 000 L diesel x 0.8275 kg/L (GB 19147 midpoint)      = 4 137.5 kg
             tce 4 137.5 x 1.4571 / 1000                             = 6.02875125 tce
             CO2 4 137.5 x 3.0959 / 1000                             = 12.80928625 t
    cars:    2 t gasoline = 2 000 kg; tce 2 000 x 1.4714 / 1000      = 2.9428 tce
             CO2 2 000 x 2.9251 / 1000                               = 5.8502 t
    total                                                           = 8.97155125 tce; 18.65948625 tCO2

Steam by mass (IAPWS-IF97; reference 83.74 kJ/kg, water at 20 C, NDRC sector guidelines)
    100 t at 30 MPa, 700 K (426.85 C): h = 2 631.49474 kJ/kg, IAPWS R7-97(2012) Table 15 verification value
    GJ = 100 000 kg x (2 631.49474 - 83.74) / 1e6                   = 254.775474 GJ
    tce 254.775474 x 34.12 / 1000 (GB/T 2589 heat)                  = 8.69293917288 tce
    CO2 at the supplier's 0.11 t/GJ                                 = 28.02530214 t

Biomass (GB/T 32150: its CO2 reported apart, its CH4 and N2O in scope 1; 2006 IPCC defaults for wood)
    1 000 t wood x 15.6 TJ/Gg (Vol. 2 Table 1.2)                     = 15.6 TJ
    tce 15.6e9 kJ / 29 307 kJ/kgce (GB/T 2589)                      = 532.296 tce
    CO2 15.6 TJ x 112 000 kg/TJ (Table 2.2), apart from the totals  = 1 747.2 t
    CH4 15.6 x 30 = 468 kg, N2O 15.6 x 4 = 62.4 kg (Table 2.3); AR5: 13 104 + 16 536 kg = 29.64 tCO2e, the gross

CH4 and N2O (2006 IPCC Tier 1; NCV of GB/T 32150)
    boiler:  1 000 000 m3 natural gas x 38 931 kJ/m3 = 38.931 TJ; stationary CH4 1, N2O 0.1 kg/TJ (Table 2.3)
             -> CH4 38.931 kg, N2O 3.8931 kg
    trucks:  10 t diesel = 10 000 kg x 42 652 kJ/kg = 0.42652 TJ; road CH4 3.9, N2O 3.9 kg/TJ (Table 3.2.2)
             -> CH4 1.663428 kg, N2O 1.663428 kg
    CH4 40.594428 kg; N2O 5.556528 kg
    AR5 (CH4 28, N2O 265): 1 136.643984 + 1 472.47992 kg            = 2.609123904 tCO2e
    AR6 (CH4 fossil 29.8, N2O 273): 1 209.7139544 + 1 516.932144 kg = 2.7266460984 tCO2e
"""

from __future__ import annotations

from pathlib import Path


def case_accounting_inputs(quick: bool, plot_dir: Path | None = None) -> list:
    """The four hand-worked cases above, one row per number."""
    from lingtan.components.fuel_use import FuelUse
    from lingtan.twin.accounting.account import account, fuel_use_energy, fuel_uses_year
    from lingtan.twin.core.schema.accounting import Accounting, AnnualEnergy
    from lingtan.validation.result import CaseResult

    def year(uses, settings=None, **energy):
        recs = fuel_uses_year(uses, ".", 8760)
        return account(AnnualEnergy(grid_import_e_kwh=0, **energy, **fuel_use_energy(recs)), settings)

    fuel = year(
        [
            FuelUse(name="gensets", fuel="diesel", unit="L", quantity_per_year=5_000),
            FuelUse(name="cars", fuel="gasoline", use="road", unit="t", quantity_per_year=2),
        ]
    )
    steam = year(
        [
            FuelUse(
                name="process_steam",
                fuel="steam",
                unit="t",
                quantity_per_year=100,
                ef_t_per_gj=0.11,
                steam={"pressure_mpa": 30.0, "t_c": 700.0 - 273.15},
            )
        ]
    )
    wood = year([], biomass_fuels={"biomass": 1_000_000})  # a biomass boiler burning 1 000 t of wood a year
    gases = [FuelUse(name="trucks", fuel="diesel", use="road", unit="t", quantity_per_year=10)]
    ar5 = year(gases, fuels={"natural_gas": 1_000_000})
    ar6 = year(gases, Accounting(gwp="ar6"), fuels={"natural_gas": 1_000_000})

    checks = [
        (
            "direct_fuel.diesel_kg",
            "diesel gensets, 5 000 L weighed",
            fuel.energy.direct_fuels["gensets"].quantity,
            4137.5,
            "kg",
            "5 000 L x 0.8275 kg/L",
        ),
        (
            "direct_fuel.tce",
            "direct fuel uses, energy",
            fuel.kpis.fuels_tce,
            8.97155125,
            "tce",
            "4 137.5 kg x 1.4571 + 2 000 kg x 1.4714 kgce/kg (GB/T 2589)",
        ),
        (
            "direct_fuel.co2",
            "direct fuel uses, scope 1 CO2",
            fuel.kpis.scope1_t,
            18.65948625,
            "tCO2",
            "4 137.5 kg x 3.0959 + 2 000 kg x 2.9251 kgCO2/kg (GB/T 32150)",
        ),
        (
            "steam.gj",
            "steam by mass, heat",
            steam.energy.heat.purchased_gj,
            254.775474,
            "GJ",
            "100 t x (2 631.49474 - 83.74) kJ/kg (IAPWS-IF97 verification value at 30 MPa, 700 K)",
        ),
        (
            "steam.tce",
            "steam by mass, energy",
            steam.kpis.energy_calorific_tce,
            8.69293917288,
            "tce",
            "254.775474 GJ x 34.12 kgce/GJ (GB/T 2589)",
        ),
        (
            "steam.co2",
            "steam by mass, scope 2",
            steam.kpis.scope2_location_t,
            28.02530214,
            "tCO2",
            "254.775474 GJ x 0.11 tCO2/GJ",
        ),
        (
            "biomass.tce",
            "biomass boiler, 1 000 t of wood a year: energy",
            wood.energy.biomass_tce,
            15.6e9 / 29_307 / 1000,
            "tce",
            "1 000 t x 15.6 TJ/Gg (IPCC 2006 Vol. 2 Table 1.2, wood) / 29 307 kJ/kgce (GB/T 2589)",
        ),
        (
            "biomass.co2_apart",
            "biomass boiler: its CO2, reported apart (GB/T 32150)",
            wood.kpis.biomass_co2_t,
            1747.2,
            "tCO2",
            "15.6 TJ x 112 000 kg/TJ (IPCC 2006 Vol. 2 Table 2.2, wood)",
        ),
        (
            "biomass.gross_co2e",
            "biomass boiler: gross emissions, its CH4 and N2O only (AR5)",
            wood.kpis.gross_emissions_t_co2e,
            (15.6 * 30 * 28 + 15.6 * 4 * 265) / 1000,
            "tCO2e",
            "15.6 TJ x (30 kg CH4 x 28 + 4 kg N2O x 265) (IPCC 2006 Vol. 2 Table 2.3, wood; IPCC AR5 GWP-100)",
        ),
        (
            "non_co2.ch4",
            "CH4, gas boiler + road diesel",
            ar5.kpis.ch4_t,
            0.040594428,
            "t",
            "38.931 TJ x 1 + 0.42652 TJ x 3.9 kg/TJ (IPCC 2006 Tables 2.3, 3.2.2)",
        ),
        (
            "non_co2.n2o",
            "N2O, gas boiler + road diesel",
            ar5.kpis.n2o_t,
            0.005556528,
            "t",
            "38.931 TJ x 0.1 + 0.42652 TJ x 3.9 kg/TJ",
        ),
        (
            "non_co2.co2e_ar5",
            "CH4 + N2O in CO2e, AR5",
            ar5.kpis.non_co2_t_co2e,
            2.609123904,
            "tCO2e",
            "40.594428 kg x 28 + 5.556528 kg x 265",
        ),
        (
            "non_co2.co2e_ar6",
            "CH4 + N2O in CO2e, AR6",
            ar6.kpis.non_co2_t_co2e,
            2.7266460984,
            "tCO2e",
            "40.594428 kg x 29.8 + 5.556528 kg x 273",
        ),
        (
            "non_co2.gross_co2e",
            "gross emissions CO2e = CO2 + the other gases (AR5)",
            ar5.kpis.gross_emissions_t_co2e,
            2162.2 + 30.959 + 2.609123904,
            "tCO2e",
            "1 000 000 m3 x 2.1622 + 10 000 kg x 3.0959 kgCO2 + 2.609123904",
        ),
    ]
    return [
        CaseResult(
            id=f"accounting_inputs.{cid}",
            group="7 Accounting and criteria",
            compared=what,
            reference=f"hand-worked: {how} = {want:.12g} {unit}",
            metric="relative difference",
            tolerance="1e-6",
            tolerance_reason="arithmetic on published coefficients: only float rounding (and the 9 digits of the IAPWS "
            "verification value) may differ",
            value=f"{got:.12g} {unit} ({abs(got - want) / abs(want):.1e})",
            passed=bool(abs(got - want) <= 1e-6 * abs(want)),
        )
        for cid, what, got, want, unit, how in checks
    ]


__all__ = ["case_accounting_inputs"]
