"""Scenario sections ``accounting:``, ``green_power:`` and ``offsets:``, with the standards' default coefficients."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lingtan.errors import BalanceError, InputError
from lingtan.limits import (
    MAX_EF_T_PER_GJ,
    MAX_EF_T_PER_MWH,
    MAX_EMISSIONS_T,
    MAX_ENERGY_KWH,
    MAX_ENERGY_MWH,
    MAX_FUEL_FACTOR_PER_UNIT,
    MAX_HEAT_KGCE_PER_GJ,
    MAX_PRICE_CNY,
)

ELECTRICITY_CALORIFIC_KGCE_PER_KWH = 0.1229
"""GB/T 2589-2020: electricity at calorific value (当量值) [kgce/kWh] — confirmed."""

ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH = 0.3055
ELECTRICITY_EQUIVALENT_DEFAULT_SOURCE = (
    "national average coal consumption rate of power supply of coal-fired units, 2020: "
    "305.5 gce/kWh (NDRC/NEA 全国煤电机组改造升级实施方案, 发改运行〔2021〕1519号; reported by "
    "Reuters / tothetick.com, Nov 2021) — secondary; data year 2020"
)
HEAT_KGCE_PER_GJ = 34.12
"""GB/T 2589: heat 0.03412 kgce/MJ = 34.12 kgce/GJ (secondary)."""
HEAT_EF_T_PER_GJ = 0.11
"""GB/T 32150 default emission factor of purchased heat [tCO2/GJ] (secondary)."""
KJ_PER_KGCE = 29307.0
"""GB/T 2589: 1 kgce = 29 307 kJ."""
KGCE_NCV_TOLERANCE = 0.01
"""Largest relative gap between a fuel's kgce coefficient and its NCV / 29 307 kJ before a warning. GB/T 2589's
table converts kcal at 4.1816 kJ (its NCVs) and the kgce at 4.1868 (29 307 kJ): its own pairs differ by 0.12 %."""

GWP = {
    "ar5": {
        "ch4": 28.0,
        "n2o": 265.0,
        "source": "IPCC AR5 WG1 (2013) Ch. 8 Table 8.7, GWP-100 without climate-carbon feedbacks: CH4 28, "
        "N2O 265 [secondary]",
    },
    "ar6": {
        "ch4": 29.8,
        "n2o": 273.0,
        "source": "IPCC AR6 WG1 (2021) Ch. 7 Table 7.15, GWP-100: CH4 of fossil origin 29.8, N2O 273 [secondary]",
    },
}
"""GWP-100 sets [tCO2e per t of gas]; :attr:`Accounting.gwp` chooses one."""

EXPORTED_ENERGY_RULE = (
    "GB/T 2589-2020: energy consumed = purchased + self-produced - exported out of the boundary; "
    "exported electricity is outside total_consumption (grid import + RE generation - export - "
    "curtailment) and exported heat is subtracted at the heat coefficient. GB/T 32150-2015: "
    "E = E_combustion + E_process + E_purchased_elec + E_purchased_heat - E_exported_elec - "
    "E_exported_heat."
)

SHARE_ROUNDING = 1e-9
"""How far a renewable share may exceed 1 by float rounding before its cap at 1 is a bug, not rounding."""

RE_BALANCE_RELATIVE, RE_BALANCE_KWH = 1e-9, 1e-6
"""How far export + curtailment may exceed renewable generation (relative, plus [kWh]): float rounding of the
year's sums, as :class:`AnnualEnergy` checks it."""

_FUEL_COLUMNS = ("fuel", "unit", "kgce_per_unit", "kgco2_per_unit", "biomass", "source", "confidence")


# --------------------------------------------------------------------------- inputs


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DirectFuel(_Model):
    """One fuel use outside the boilers over the year (``fuel_uses[i]``, in the unit of its coefficients)."""

    fuel: str = Field(min_length=1, description="a fuel of fuels.csv or accounting.fuel_factors")
    quantity: float = Field(ge=0, allow_inf_nan=False, description="burnt over the year [the fuel's unit: kg or m3]")
    use: Literal["stationary", "road", "off_road"] = Field(default="stationary", description="for CH4 and N2O")
    ch4_kg_per_tj: float | None = Field(default=None, ge=0, description="own CH4 factor [kg/TJ]")
    n2o_kg_per_tj: float | None = Field(default=None, ge=0, description="own N2O factor [kg/TJ]")


class HeatPurchase(_Model):
    """One source of purchased heat over the year, with its own emission factor if it has one."""

    gj: float = Field(ge=0, allow_inf_nan=False, description="heat bought [GJ]")
    ef_t_per_gj: float | None = Field(
        default=None, ge=0, description="the source's factor [tCO2/GJ]; None = accounting.heat_ef_t_per_gj"
    )
    steam: dict[str, Any] | None = Field(default=None, description="steam bought by mass: its conversion to GJ")


class AnnualEnergy(_Model):
    """The year's energy flows across the boundary (all quantities >= 0).

    Electricity in [kWh], heat in [GJ], fuels in their physical unit (``fuels.csv``'s
    ``unit``: m3 for natural gas, kg for coal, diesel, LPG, biomass), emissions in [tCO2].
    """

    grid_import_e_kwh: float = Field(ge=0, description="electricity imported from the grid [kWh]")
    grid_export_e_kwh: float = Field(default=0.0, ge=0, description="electricity exported to the grid [kWh]")
    re_generation_e_kwh: float = Field(default=0.0, ge=0, description="on-site renewable generation [kWh]")
    re_consumed_e_kwh: float | None = Field(
        default=None,
        ge=0,
        description="on-site renewable electricity consumed on site [kWh]; default generation - export - curtailment",
    )
    curtailed_e_kwh: float = Field(default=0.0, ge=0, description="renewable generation curtailed [kWh]")
    chp_consumed_e_kwh: float = Field(
        default=0.0,
        ge=0,
        description="electricity of on-site combined heat and power consumed on site [kWh]: consumption, not "
        "renewable; its fuel is counted in fuels",
    )
    fuels: dict[str, float] = Field(default_factory=dict, description="fossil fuels burnt {fuel: quantity [unit]}")
    biomass_fuels: dict[str, float] = Field(default_factory=dict, description="biomass burnt {fuel: quantity [unit]}")
    purchased_heat_gj: float = Field(
        default=0.0, ge=0, description="purchased heat / steam of no named source [GJ], at accounting.heat_ef_t_per_gj"
    )
    heat_purchases: dict[str, HeatPurchase] = Field(
        default_factory=dict, description="purchased heat by source {name: gj and its own factor}"
    )
    direct_fuels: dict[str, DirectFuel] = Field(
        default_factory=dict, description="fuel burnt outside the boilers {use name: fuel, quantity, use}"
    )
    exported_heat_gj: float = Field(default=0.0, ge=0, description="heat / steam exported [GJ]")
    onsite_re_heat_gj: float = Field(
        default=0.0, ge=0, description="on-site renewable heat used (solar thermal...) [GJ]"
    )
    process_emissions_t: float = Field(default=0.0, ge=0, description="declared process emissions [tCO2]")

    @field_validator("fuels", "biomass_fuels")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: q for k, q in v.items() if not (math.isfinite(q) and q >= 0)}
        if bad:
            raise ValueError(f"fuel quantities must be finite and >= 0, found {bad}")
        return v

    @model_validator(mode="after")
    def _renewable_balance(self) -> AnnualEnergy:
        if (
            self.re_consumed_e_kwh is None
            and self.grid_export_e_kwh + self.curtailed_e_kwh
            > self.re_generation_e_kwh * (1 + RE_BALANCE_RELATIVE) + RE_BALANCE_KWH
        ):
            raise ValueError("grid_export_e_kwh + curtailed_e_kwh exceed re_generation_e_kwh; give re_consumed_e_kwh")
        return self

    @property
    def re_consumed(self) -> float:
        """On-site renewable electricity consumed [kWh].

        ``re_consumed_e_kwh`` when given, else generation - export - curtailment, clamped at 0.

        Raises
        ------
        BalanceError
            Export and curtailment exceed the generation by more than float rounding (possible only
            when the validator was bypassed, e.g. through ``model_construct``).
        """
        if self.re_consumed_e_kwh is not None:
            return float(self.re_consumed_e_kwh)
        consumed = self.re_generation_e_kwh - self.grid_export_e_kwh - self.curtailed_e_kwh
        # The clamp takes off float rounding only: the validator refuses more, unless it was bypassed.
        if consumed < -(self.re_generation_e_kwh * RE_BALANCE_RELATIVE + RE_BALANCE_KWH):
            raise BalanceError(
                f"renewable electricity consumed is {consumed:.6g} kWh: export and curtailment exceed "
                "the renewable generation"
            )
        return max(0.0, consumed)

    @property
    def electricity_consumed_e_kwh(self) -> float:
        """Electricity consumed inside the boundary = grid import + renewable consumed + CHP consumed [kWh]."""
        return float(self.grid_import_e_kwh) + self.re_consumed + float(self.chp_consumed_e_kwh)

    @classmethod
    def from_kpis(cls, kpis: dict[str, Any], **extra: Any) -> AnnualEnergy:
        """Build from a single run's KPI dict (:func:`lingtan.twin.core.kpis.electric_kpis`, N = 1).

        Reads ``grid_import_e_kwh``, ``grid_export_e_kwh``, ``re_generation_e_kwh``,
        ``re_consumed_e_kwh``, ``curtailed_e_kwh`` and the CHP electricity not exported (``chp_e_kwh -
        chp_export_e_kwh``); battery flows are ignored on purpose (grid energy passing through the battery stays
        grid energy).

        Parameters
        ----------
        kpis : dict
            KPIs of one configuration: each value a number or a one-element array.
        **extra
            Further fields of the record (fuels, heat, process emissions), passed as they are.

        Returns
        -------
        AnnualEnergy
            The validated record.

        Raises
        ------
        InputError
            A KPI that is not one number (the KPIs of several configurations).
        pydantic.ValidationError
            A field out of its range, or an unknown field in ``extra``.
        """

        def scalar(key: str) -> float:
            v = kpis.get(key, 0.0)
            try:
                return float(getattr(v, "item", lambda: v)()) if not isinstance(v, (int, float)) else float(v)
            except (TypeError, ValueError):
                raise InputError(None, f"kpis.{key}", "one number (a single configuration)", repr(v)) from None

        fields: dict[str, Any] = {
            k: scalar(k) for k in ("grid_import_e_kwh", "grid_export_e_kwh", "re_generation_e_kwh", "curtailed_e_kwh")
        }
        if "re_consumed_e_kwh" in kpis:
            fields["re_consumed_e_kwh"] = scalar("re_consumed_e_kwh")
        fields["chp_consumed_e_kwh"] = max(0.0, scalar("chp_e_kwh") - scalar("chp_export_e_kwh"))
        fields.update(extra)
        return cls(**fields)


# --------------------------------------------------------------------------- settings


class FuelFactor(_Model):
    """A user's own coefficients for one fuel (overrides or adds to ``fuels.csv``)."""

    unit: str = Field(min_length=1, description="physical unit of the quantity, e.g. m3, kg")
    kgce_per_unit: float = Field(
        ge=0,
        le=MAX_FUEL_FACTOR_PER_UNIT,
        description="standard coal per unit [kgce/unit]; upper bound lingtan.limits.MAX_FUEL_FACTOR_PER_UNIT",
    )
    kgco2_per_unit: float = Field(
        ge=0,
        le=MAX_FUEL_FACTOR_PER_UNIT,
        description="CO2 per unit burnt [kgCO2/unit]; upper bound lingtan.limits.MAX_FUEL_FACTOR_PER_UNIT",
    )
    biomass: bool = Field(default=False, description="biogenic CO2: reported apart, not in the total")
    source: str = Field(default="user value", description="where the numbers come from")
    ncv_kj_per_unit: float | None = Field(
        default=None, gt=0, description="net calorific value [kJ/unit] for CH4 and N2O; default the fuel's in fuels.csv"
    )
    ch4_kg_per_tj: float | None = Field(
        default=None, ge=0, description="CH4 factor [kg/TJ] for every use of the fuel; default combustion_non_co2.csv"
    )
    n2o_kg_per_tj: float | None = Field(default=None, ge=0, description="N2O factor [kg/TJ], as ch4_kg_per_tj")


EmissionFactorChoice = Annotated[float, Field(ge=0, le=MAX_EF_T_PER_MWH)] | str
"""A shipped factor name, or a factor [tCO2/MWh] from 0 to lingtan.limits.MAX_EF_T_PER_MWH."""


class Accounting(_Model):
    """Scenario section ``accounting:`` — factors and variants of the annual accounting."""

    location_emission_factor: EmissionFactorChoice | None = Field(
        default=None,
        description="grid average factor: a shipped name (emission_factors.csv) or tCO2/MWh; "
        "None = the scenario's grid.emission_factor, else national_2022",
    )
    market_emission_factor: EmissionFactorChoice = Field(
        default="national_2022_residual",
        description="residual factor for grid power not covered by green power (market-based)",
    )
    electricity_equivalent_kgce_per_kwh: float = Field(
        default=ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH,
        gt=0,
        le=1.0,
        description="equivalent value (等价值) of electricity = coal rate of power supply [kgce/kWh]; "
        "default 0.3055 (national 2020, 305.5 gce/kWh, NDRC 发改运行〔2021〕1519号, secondary)",
    )
    electricity_calorific_kgce_per_kwh: float = Field(
        default=ELECTRICITY_CALORIFIC_KGCE_PER_KWH,
        gt=0,
        le=1.0,
        description="calorific value (当量值) of electricity [kgce/kWh], GB/T 2589",
    )
    heat_kgce_per_gj: float = Field(
        default=HEAT_KGCE_PER_GJ,
        gt=0,
        le=MAX_HEAT_KGCE_PER_GJ,
        description="heat [kgce/GJ], GB/T 2589; upper bound lingtan.limits.MAX_HEAT_KGCE_PER_GJ",
    )
    heat_ef_t_per_gj: float = Field(
        default=HEAT_EF_T_PER_GJ,
        ge=0,
        le=MAX_EF_T_PER_GJ,
        description="purchased heat of a source that gives no factor of its own [tCO2/GJ], GB/T 32150 default "
        "0.11; upper bound lingtan.limits.MAX_EF_T_PER_GJ",
    )
    gwp: Literal["ar5", "ar6"] = Field(
        default="ar5",
        description="GWP-100 set for CH4 and N2O: IPCC AR5 (CH4 28, N2O 265) or AR6 (CH4 fossil 29.8, N2O 273)",
    )
    fuel_factors: dict[str, FuelFactor] = Field(default_factory=dict, description="per-fuel overrides")
    deduct_exported_energy: bool = Field(
        default=True, description="deduct exported electricity and heat from emissions (GB/T 32150 formula)"
    )
    unit_energy_carbon_basis: Literal["location", "after_green_power", "market"] = Field(
        default="after_green_power",
        description="numerator of unit_energy_carbon_t_per_tce: location-based gross, gross minus "
        "contracted/direct green power (default), or market-based gross",
    )
    unit_energy_carbon_tce_basis: Literal["equivalent", "calorific"] = Field(
        default="equivalent", description="denominator of unit_energy_carbon_t_per_tce"
    )


class GreenPower(_Model):
    """Scenario section ``green_power:`` — green electricity bought from outside the boundary."""

    green_power_contract_e_kwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_ENERGY_KWH,
        description="绿电交易 contracted green power [kWh]; upper bound lingtan.limits.MAX_ENERGY_KWH",
    )
    green_power_contract_premium_cny_per_kwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_PRICE_CNY,
        description="green premium over the grid price [CNY/kWh]; upper bound lingtan.limits.MAX_PRICE_CNY",
    )
    green_power_direct_e_kwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_ENERGY_KWH,
        description="绿电直连 direct-line green power, part of the site's import [kWh]; "
        "upper bound lingtan.limits.MAX_ENERGY_KWH",
    )
    green_power_direct_premium_cny_per_kwh: float = Field(
        default=0.0, ge=0, le=MAX_PRICE_CNY, description="[CNY/kWh]; upper bound lingtan.limits.MAX_PRICE_CNY"
    )
    green_certificates_mwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_ENERGY_MWH,
        description="绿证 surrendered, 1 certificate = 1 MWh; upper bound lingtan.limits.MAX_ENERGY_MWH",
    )
    onsite_certificates_sold_mwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_ENERGY_MWH,
        description="绿证 of on-site renewable electricity consumed inside the boundary that were sold, not kept: that "
        "electricity leaves the renewable shares the criteria read; upper bound lingtan.limits.MAX_ENERGY_MWH",
    )
    green_certificate_price_cny_per_mwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_PRICE_CNY,
        description="[CNY per certificate]; upper bound lingtan.limits.MAX_PRICE_CNY",
    )


class Offsets(_Model):
    """Scenario section ``offsets:`` — carbon credits surrendered."""

    ccer_t: float = Field(
        default=0.0,
        ge=0,
        le=MAX_EMISSIONS_T,
        description="CCER surrendered [tCO2e]; upper bound lingtan.limits.MAX_EMISSIONS_T",
    )
    ccer_price_cny_per_t: float = Field(
        default=0.0, ge=0, le=MAX_PRICE_CNY, description="[CNY/tCO2e]; upper bound lingtan.limits.MAX_PRICE_CNY"
    )
    other_credits_t: float = Field(
        default=0.0,
        ge=0,
        le=MAX_EMISSIONS_T,
        description="other carbon credits (碳普惠, VCS...) [tCO2e]; upper bound lingtan.limits.MAX_EMISSIONS_T",
    )
    other_credits_price_cny_per_t: float = Field(
        default=0.0, ge=0, le=MAX_PRICE_CNY, description="[CNY/tCO2e]; upper bound lingtan.limits.MAX_PRICE_CNY"
    )
    allowances_t: float = Field(
        default=0.0,
        ge=0,
        le=MAX_EMISSIONS_T,
        description=(
            "carbon allowances (碳配额) bought and cancelled [tCO2e]; upper bound lingtan.limits.MAX_EMISSIONS_T"
        ),
    )
    allowances_price_cny_per_t: float = Field(
        default=0.0, ge=0, le=MAX_PRICE_CNY, description="[CNY/tCO2e]; upper bound lingtan.limits.MAX_PRICE_CNY"
    )
