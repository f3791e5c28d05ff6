"""Annual energy and carbon accounting: GB/T 2589-2020 energy, GB/T 32150-2015 emissions, offsets.

Pure functions on an :class:`AnnualEnergy` (the year's totals, from the twin's KPIs or typed
in by hand) and the scenario-side settings :class:`Accounting`, :class:`GreenPower` and
:class:`Offsets`. :func:`account` returns one nested, JSON-serialisable dict that carries every
intermediate number together with the factor and the source used, and a flat ``kpis`` block
that the criteria packs read (:mod:`twin.criteria`).

Energy, GB/T 2589-2020 (综合能耗计算通则)
----------------------------------------
* Comprehensive energy consumption [tce] = sum over energy carriers of the quantity consumed
  inside the boundary x its standard-coal coefficient.
* Consumed = purchased + self-produced - exported out of the boundary (energy that leaves the
  boundary is deducted; energy recovered and reused inside the boundary is not counted a
  second time). Electricity consumed is therefore
  ``grid import + on-site renewable generation - export - curtailment``, the same total as
  ``total_consumption_e_kwh`` in :mod:`twin.kpis`; exported heat is deducted at the heat
  coefficient. (Rule as summarised in the secondary sources on GB/T 2589; the standard's full
  text was not available to the project: confidence **secondary**.)
* Electricity at calorific value (当量值) 0.1229 kgce/kWh (GB/T 2589, Annex A; **confirmed**)
  and at equivalent value (等价值) = the coal rate of power supply of a chosen year, the setting
  :attr:`Accounting.electricity_equivalent_kgce_per_kwh`. Default 0.3055 kgce/kWh: the national
  average coal consumption rate of power supply of coal-fired units in **2020**, 305.5 gce/kWh,
  stated by NDRC/NEA in the 全国煤电机组改造升级实施方案 (发改运行〔2021〕1519号, Nov 2021),
  as reported by Reuters / tothetick.com (2021-11) — confidence **secondary**. Replace it with
  the year's figure of the China Electricity Council (全国6000千瓦及以上火电厂供电标准煤耗)
  for the data year you account.
* On-site renewable electricity consumed counts with the same coefficient as grid electricity
  (it is energy consumed inside the boundary); it is also reported apart, with the renewable
  share of energy (``re_energy_share_onsite_<basis>``) and the non-renewable total.

Emissions, GB/T 32150-2015 (工业企业温室气体排放核算和报告通则)
-----------------------------------------------------------------
``E = E_combustion + E_process + E_purchased_electricity + E_purchased_heat
- E_exported_electricity - E_exported_heat`` (CO2; the standard's formula, **secondary**).

* Combustion = fuel quantity x default factor (``components/data/fuels.csv``, GB/T 32150
  defaults) or a user override (:attr:`Accounting.fuel_factors`). Biomass CO2 is reported
  apart (``biomass_co2_t``), never in the totals.
* Process emissions are declared by the user [tCO2].
* Purchased electricity, location-based: grid import x grid average factor
  (``components/data/emission_factors.csv`` via :mod:`components.grid`).
  Market-based: (grid import - contracted green power - direct-line green power) x the residual
  factor (national excluding market-traded non-fossil power); green power at zero.
  The battery does not enter: the grid import is the grid import, whatever the battery did
  with it, so energy charged from the grid never becomes renewable here.
* Purchased heat x 0.11 tCO2/GJ (GB/T 32150 default, **secondary**).
* Exported electricity and heat are deducted at the factor of the method
  (:attr:`Accounting.deduct_exported_energy`, default True as the standard's formula says).

Offsets
-------
Green power (绿电交易 contract, 绿电直连 direct line) [kWh], green certificates (绿证, 1 MWh
each) [MWh], CCER and other credits [tCO2e], each with its cost. Green power and certificates
are valued at the location-based grid factor and cannot cover more than the grid import
(the excess is reported as unused). Results: gross emissions (location-based), each reduction,
residual emissions, and ``unit_energy_carbon_t_per_tce``.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from components.grid import EMISSION_FACTORS_CSV, emission_factor_t_per_mwh, load_emission_factors
from twin.errors import InputError

FUELS_CSV = Path(__file__).resolve().parents[1] / "components" / "data" / "fuels.csv"
"""Fuel coefficients shipped with ``components/`` (NCV, kgce, kgCO2 per physical unit)."""

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

EXPORTED_ENERGY_RULE = (
    "GB/T 2589-2020: energy consumed = purchased + self-produced - exported out of the boundary; "
    "exported electricity is outside total_consumption (grid import + RE generation - export - "
    "curtailment) and exported heat is subtracted at the heat coefficient. GB/T 32150-2015: "
    "E = E_combustion + E_process + E_purchased_elec + E_purchased_heat - E_exported_elec - "
    "E_exported_heat."
)

_FUEL_COLUMNS = ("fuel", "unit", "kgce_per_unit", "kgco2_per_unit", "biomass", "source", "confidence")


# --------------------------------------------------------------------------- inputs


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnnualEnergy(_Model):
    """The year's energy flows across the boundary (all quantities >= 0).

    Electricity in [kWh], heat in [GJ], fuels in their physical unit (``fuels.csv``'s
    ``unit``: m3 for natural gas, kg for coal, diesel, LPG, biomass), emissions in [tCO2].
    """

    grid_import_e_kwh: float = Field(ge=0, description="electricity imported from the grid [kWh]")
    grid_export_e_kwh: float = Field(default=0.0, ge=0, description="electricity exported to the grid [kWh]")
    re_generation_e_kwh: float = Field(default=0.0, ge=0, description="on-site renewable generation [kWh]")
    re_consumed_e_kwh: float | None = Field(
        default=None, ge=0,
        description="on-site renewable electricity consumed on site [kWh]; default generation - export - curtailment",
    )
    curtailed_e_kwh: float = Field(default=0.0, ge=0, description="renewable generation curtailed [kWh]")
    fuels: dict[str, float] = Field(default_factory=dict, description="fossil fuels burnt {fuel: quantity [unit]}")
    biomass_fuels: dict[str, float] = Field(default_factory=dict, description="biomass burnt {fuel: quantity [unit]}")
    purchased_heat_gj: float = Field(default=0.0, ge=0, description="purchased heat / steam [GJ]")
    exported_heat_gj: float = Field(default=0.0, ge=0, description="heat / steam exported [GJ]")
    onsite_re_heat_gj: float = Field(default=0.0, ge=0, description="on-site renewable heat used (solar thermal...) [GJ]")
    process_emissions_t: float = Field(default=0.0, ge=0, description="declared process emissions [tCO2]")

    @field_validator("fuels", "biomass_fuels")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: q for k, q in v.items() if not (math.isfinite(q) and q >= 0)}
        if bad:
            raise ValueError(f"fuel quantities must be finite and >= 0, found {bad}")
        return v

    @model_validator(mode="after")
    def _renewable_balance(self) -> "AnnualEnergy":
        if self.re_consumed_e_kwh is None and self.grid_export_e_kwh + self.curtailed_e_kwh > self.re_generation_e_kwh * (1 + 1e-9) + 1e-6:
            raise ValueError("grid_export_e_kwh + curtailed_e_kwh exceed re_generation_e_kwh; give re_consumed_e_kwh")
        return self

    @property
    def re_consumed(self) -> float:
        """On-site renewable electricity consumed [kWh]."""
        if self.re_consumed_e_kwh is not None:
            return float(self.re_consumed_e_kwh)
        return max(0.0, self.re_generation_e_kwh - self.grid_export_e_kwh - self.curtailed_e_kwh)

    @property
    def electricity_consumed_e_kwh(self) -> float:
        """Electricity consumed inside the boundary = grid import + renewable consumed [kWh]."""
        return float(self.grid_import_e_kwh) + self.re_consumed

    @classmethod
    def from_kpis(cls, kpis: dict[str, Any], **extra: Any) -> "AnnualEnergy":
        """Build from a single run's KPI dict (:func:`twin.kpis.electric_kpis`, N = 1).

        Reads ``grid_import_e_kwh``, ``grid_export_e_kwh``, ``re_generation_e_kwh``,
        ``re_consumed_e_kwh``, ``curtailed_e_kwh``; battery flows are ignored on purpose (grid
        energy passing through the battery stays grid energy). ``extra`` adds fuels, heat and
        process emissions.
        """
        def scalar(key: str) -> float:
            v = kpis.get(key, 0.0)
            try:
                return float(getattr(v, "item", lambda: v)()) if not isinstance(v, (int, float)) else float(v)
            except (TypeError, ValueError):
                raise InputError(None, f"kpis.{key}", "one number (a single configuration)", repr(v)) from None
        fields = {k: scalar(k) for k in ("grid_import_e_kwh", "grid_export_e_kwh", "re_generation_e_kwh",
                                          "curtailed_e_kwh")}
        if "re_consumed_e_kwh" in kpis:
            fields["re_consumed_e_kwh"] = scalar("re_consumed_e_kwh")
        fields.update(extra)
        return cls(**fields)


# --------------------------------------------------------------------------- settings


class FuelFactor(_Model):
    """A user's own coefficients for one fuel (overrides or adds to ``fuels.csv``)."""

    unit: str = Field(min_length=1, description="physical unit of the quantity, e.g. m3, kg")
    kgce_per_unit: float = Field(ge=0, description="standard coal per unit [kgce/unit]")
    kgco2_per_unit: float = Field(ge=0, description="CO2 per unit burnt [kgCO2/unit]")
    biomass: bool = Field(default=False, description="biogenic CO2: reported apart, not in the total")
    source: str = Field(default="user value", description="where the numbers come from")


EmissionFactorChoice = Union[float, str]


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
        default=ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH, gt=0, le=1.0,
        description="equivalent value (等价值) of electricity = coal rate of power supply [kgce/kWh]; "
                    "default 0.3055 (national 2020, 305.5 gce/kWh, NDRC 发改运行〔2021〕1519号, secondary)",
    )
    electricity_calorific_kgce_per_kwh: float = Field(
        default=ELECTRICITY_CALORIFIC_KGCE_PER_KWH, gt=0, le=1.0,
        description="calorific value (当量值) of electricity [kgce/kWh], GB/T 2589",
    )
    heat_kgce_per_gj: float = Field(default=HEAT_KGCE_PER_GJ, gt=0, description="heat [kgce/GJ], GB/T 2589")
    heat_ef_t_per_gj: float = Field(default=HEAT_EF_T_PER_GJ, ge=0, description="purchased heat [tCO2/GJ], GB/T 32150")
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

    green_power_contract_e_kwh: float = Field(default=0.0, ge=0, description="绿电交易 contracted green power [kWh]")
    green_power_contract_premium_cny_per_kwh: float = Field(
        default=0.0, ge=0, description="green premium over the grid price [CNY/kWh]")
    green_power_direct_e_kwh: float = Field(
        default=0.0, ge=0, description="绿电直连 direct-line green power, part of the site's import [kWh]")
    green_power_direct_premium_cny_per_kwh: float = Field(default=0.0, ge=0, description="[CNY/kWh]")
    green_certificates_mwh: float = Field(default=0.0, ge=0, description="绿证 surrendered, 1 certificate = 1 MWh")
    onsite_certificates_sold_mwh: float = Field(
        default=0.0, ge=0, description="绿证 of on-site renewable electricity consumed inside the boundary that were "
                                       "sold, not kept: that electricity leaves the renewable shares the criteria read")
    green_certificate_price_cny_per_mwh: float = Field(default=0.0, ge=0, description="[CNY per certificate]")


class Offsets(_Model):
    """Scenario section ``offsets:`` — carbon credits surrendered."""

    ccer_t: float = Field(default=0.0, ge=0, description="CCER surrendered [tCO2e]")
    ccer_price_cny_per_t: float = Field(default=0.0, ge=0, description="[CNY/tCO2e]")
    other_credits_t: float = Field(default=0.0, ge=0, description="other carbon credits (碳普惠, VCS...) [tCO2e]")
    other_credits_price_cny_per_t: float = Field(default=0.0, ge=0, description="[CNY/tCO2e]")
    allowances_t: float = Field(default=0.0, ge=0, description="carbon allowances (碳配额) bought and cancelled [tCO2e]")
    allowances_price_cny_per_t: float = Field(default=0.0, ge=0, description="[CNY/tCO2e]")


# --------------------------------------------------------------------------- data


@lru_cache(maxsize=4)
def _fuel_table(path: str) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "(file)", "the fuel coefficient table", "no such file")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in _FUEL_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(p, "header", f"columns {', '.join(_FUEL_COLUMNS)}", f"missing {missing}")
    for col in ("kgce_per_unit", "kgco2_per_unit"):
        values = pd.to_numeric(df[col].replace("", "nan"), errors="coerce")
        for i, (raw, v) in enumerate(zip(df[col], values)):
            if raw != "" and not (math.isfinite(v) and v >= 0):
                raise InputError(p, f"column {col}, row {i + 2}", "a number >= 0", repr(raw))
        df[col] = values
    df["biomass"] = df["biomass"].str.strip().str.lower().map({"true": True, "false": False, "": False})
    if df["biomass"].isna().any():
        i = int(df["biomass"].isna().to_numpy().nonzero()[0][0])
        raise InputError(p, f"column biomass, row {i + 2}", "true or false", "something else")
    return df


def load_fuel_factors(path: str | Path | None = None) -> dict[str, FuelFactor]:
    """The shipped fuel coefficients, ``{fuel: FuelFactor}`` (combustion fuels only).

    Reads ``components/data/fuels.csv`` (or ``path``); rows without a CO2 factor (electricity)
    are left out. Raises :class:`~twin.errors.InputError` for a malformed table.
    """
    return dict(_fuel_factors(str(path or FUELS_CSV)))  # a copy: the cached table stays as read


@lru_cache(maxsize=4)
def _fuel_factors(path: str) -> dict[str, FuelFactor]:
    df = _fuel_table(path)
    out = {}
    for row in df.itertuples(index=False):
        if not math.isfinite(row.kgco2_per_unit) or not math.isfinite(row.kgce_per_unit):
            continue
        out[row.fuel] = FuelFactor(unit=row.unit, kgce_per_unit=float(row.kgce_per_unit),
                                   kgco2_per_unit=float(row.kgco2_per_unit), biomass=bool(row.biomass),
                                   source=f"{row.source} [{row.confidence}]")
    return out


def _resolve_ef(spec: EmissionFactorChoice, field: str) -> dict[str, Any]:
    """One annual grid factor with its source (a copy: sweeps account thousands of cases with one factor)."""
    return dict(_resolved_ef(spec, field))


@lru_cache(maxsize=64)
def _resolved_ef(spec: EmissionFactorChoice, field: str) -> dict[str, Any]:
    if isinstance(spec, str) and not spec.lower().endswith(".csv"):
        table = load_emission_factors()
        row = table.loc[table["name"] == spec]
        if row.empty:
            raise InputError(EMISSION_FACTORS_CSV, field, f"one of: {', '.join(table['name'])}", repr(spec))
        r = row.iloc[0]
        return {"name": spec, "ef_t_per_mwh": float(r["ef_t_per_mwh"]), "kind": r["kind"],
                "source": f"{r['source']} [{r['confidence']}]"}
    if isinstance(spec, str):
        raise InputError(None, field, "a shipped factor name or a number [tCO2/MWh] (annual accounting)", repr(spec))
    value = float(emission_factor_t_per_mwh(float(spec), pd.DatetimeIndex([pd.Timestamp("2000-01-01")]))[0])
    return {"name": "user value", "ef_t_per_mwh": value, "kind": "user", "source": "user value"}


# --------------------------------------------------------------------------- accounting


def _fuel_lines(quantities: dict[str, float], factors: dict[str, FuelFactor], biomass: bool,
                field: str) -> dict[str, dict[str, Any]]:
    lines = {}
    for fuel, qty in quantities.items():
        f = factors.get(fuel)
        if f is None:
            raise InputError(None, f"{field}.{fuel}", f"a fuel of fuels.csv or accounting.fuel_factors: "
                             f"{', '.join(sorted(factors))}", repr(fuel))
        if f.biomass != biomass:
            kind = "biomass_fuels" if f.biomass else "fuels"
            raise InputError(None, f"{field}.{fuel}", f"this fuel under '{kind}'", f"it under '{field}'")
        lines[fuel] = {
            "quantity": float(qty), "unit": f.unit,
            "kgce_per_unit": f.kgce_per_unit, "tce": float(qty) * f.kgce_per_unit / 1000.0,
            "kgco2_per_unit": f.kgco2_per_unit, "co2_t": float(qty) * f.kgco2_per_unit / 1000.0,
            "source": f.source,
        }
    return lines


def _div(a: float, b: float) -> float:
    return a / b if b > 0 else 0.0


def account(energy: AnnualEnergy, settings: Accounting | None = None, green_power: GreenPower | None = None,
            offsets: Offsets | None = None, grid_emission_factor: EmissionFactorChoice | None = None) -> dict[str, Any]:
    """Annual energy (tce), emissions (tCO2) and offsets of one site.

    Parameters
    ----------
    energy : AnnualEnergy
        The year's flows across the boundary.
    settings : Accounting, optional
        Factors and variants; defaults as documented on :class:`Accounting`.
    green_power : GreenPower, optional
    offsets : Offsets, optional
    grid_emission_factor : str or float, optional
        The scenario's ``grid.emission_factor``, used for the location-based method when
        ``settings.location_emission_factor`` is None (then ``national_2022``).

    Returns
    -------
    dict
        JSON-serialisable: ``inputs``, ``factors``, ``energy``, ``emissions``, ``offsets``,
        ``residual_emissions_t``, ``unit_energy_carbon_t_per_tce`` and a flat ``kpis`` dict
        (see :func:`accounting_kpis`).
    """
    s = settings or Accounting()
    gp = green_power or GreenPower()
    off = offsets or Offsets()

    # ---- factors
    loc_spec = s.location_emission_factor if s.location_emission_factor is not None else (
        grid_emission_factor if grid_emission_factor is not None else "national_2022")
    ef_loc = _resolve_ef(loc_spec, "accounting.location_emission_factor")
    ef_mkt = _resolve_ef(s.market_emission_factor, "accounting.market_emission_factor")
    fuel_factors = {**load_fuel_factors(), **s.fuel_factors}

    # ---- energy (GB/T 2589)
    grid_in = float(energy.grid_import_e_kwh)
    grid_out = float(energy.grid_export_e_kwh)
    re_cons = energy.re_consumed
    elec = energy.electricity_consumed_e_kwh
    k_cal = s.electricity_calorific_kgce_per_kwh
    k_eq = s.electricity_equivalent_kgce_per_kwh
    fuels = _fuel_lines(energy.fuels, fuel_factors, False, "fuels")
    bio = _fuel_lines(energy.biomass_fuels, fuel_factors, True, "biomass_fuels")
    fuels_tce = float(sum(v["tce"] for v in fuels.values()))
    bio_tce = float(sum(v["tce"] for v in bio.values()))
    coal_tce = float(sum(v["tce"] for k, v in fuels.items() if "coal" in k.lower()))
    heat_in_tce = energy.purchased_heat_gj * s.heat_kgce_per_gj / 1000.0
    heat_out_tce = energy.exported_heat_gj * s.heat_kgce_per_gj / 1000.0
    re_heat_tce = energy.onsite_re_heat_gj * s.heat_kgce_per_gj / 1000.0
    non_elec_tce = fuels_tce + bio_tce + heat_in_tce - heat_out_tce + re_heat_tce
    total = {b: elec * k / 1000.0 + non_elec_tce for b, k in (("calorific", k_cal), ("equivalent", k_eq))}
    re_tce = {b: re_cons * k / 1000.0 + bio_tce + re_heat_tce for b, k in (("calorific", k_cal), ("equivalent", k_eq))}
    re_elec_tce = {b: re_cons * k / 1000.0 for b, k in (("calorific", k_cal), ("equivalent", k_eq))}

    # ---- emissions (GB/T 32150)
    combustion_t = float(sum(v["co2_t"] for v in fuels.values()))
    biomass_co2_t = float(sum(v["co2_t"] for v in bio.values()))
    process_t = float(energy.process_emissions_t)
    scope1_t = combustion_t + process_t
    heat_in_t = energy.purchased_heat_gj * s.heat_ef_t_per_gj
    heat_out_t = energy.exported_heat_gj * s.heat_ef_t_per_gj if s.deduct_exported_energy else 0.0

    green_requested = gp.green_power_contract_e_kwh + gp.green_power_direct_e_kwh
    green_covered = min(green_requested, grid_in)
    # contract first, then direct line, for reporting the split
    contract_cov = min(gp.green_power_contract_e_kwh, grid_in)
    direct_cov = green_covered - contract_cov
    uncovered = grid_in - green_covered
    cert_usable_mwh = min(gp.green_certificates_mwh, uncovered / 1000.0)

    loc_elec_t = grid_in / 1000.0 * ef_loc["ef_t_per_mwh"]
    loc_exp_t = grid_out / 1000.0 * ef_loc["ef_t_per_mwh"] if s.deduct_exported_energy else 0.0
    mkt_elec_t = uncovered / 1000.0 * ef_mkt["ef_t_per_mwh"]
    mkt_exp_t = grid_out / 1000.0 * ef_mkt["ef_t_per_mwh"] if s.deduct_exported_energy else 0.0
    scope2_loc = loc_elec_t + heat_in_t
    scope2_mkt = mkt_elec_t + heat_in_t
    gross_loc = scope1_t + scope2_loc - loc_exp_t - heat_out_t
    gross_mkt = scope1_t + scope2_mkt - mkt_exp_t - heat_out_t

    # ---- offsets (valued at the location-based factor)
    green_t = green_covered / 1000.0 * ef_loc["ef_t_per_mwh"]
    cert_t = cert_usable_mwh * ef_loc["ef_t_per_mwh"]
    credits_t = off.ccer_t + off.other_credits_t
    reductions = green_t + cert_t + credits_t + off.allowances_t
    residual = max(0.0, gross_loc - reductions)
    over = max(0.0, reductions - gross_loc)
    costs = {
        "green_power_contract_cny": gp.green_power_contract_e_kwh * gp.green_power_contract_premium_cny_per_kwh,
        "green_power_direct_cny": gp.green_power_direct_e_kwh * gp.green_power_direct_premium_cny_per_kwh,
        "green_certificates_cny": gp.green_certificates_mwh * gp.green_certificate_price_cny_per_mwh,
        "ccer_cny": off.ccer_t * off.ccer_price_cny_per_t,
        "other_credits_cny": off.other_credits_t * off.other_credits_price_cny_per_t,
        "allowances_cny": off.allowances_t * off.allowances_price_cny_per_t,
    }

    numerator = {"location": gross_loc, "after_green_power": gross_loc - green_t, "market": gross_mkt}
    uec = {f"{n}_{b}": _div(v, total[b]) for n, v in numerator.items() for b in total}
    uec_value = uec[f"{s.unit_energy_carbon_basis}_{s.unit_energy_carbon_tce_basis}"]

    share_onsite = _div(re_cons, elec)
    share_green = min(1.0, _div(re_cons + green_covered, elec))
    share_cert = min(1.0, _div(re_cons + green_covered + cert_usable_mwh * 1000.0, elec))

    kpis = {
        "energy_calorific_tce": total["calorific"],
        "energy_equivalent_tce": total["equivalent"],
        "electricity_consumed_e_kwh": elec,
        "coal_tce": coal_tce,
        "fuels_tce": fuels_tce,
        "renewable_calorific_tce": re_tce["calorific"],
        "renewable_equivalent_tce": re_tce["equivalent"],
        "re_consumed_e_kwh": re_cons,
        "re_energy_share_onsite_calorific": _div(re_tce["calorific"], total["calorific"]),
        "re_energy_share_onsite_equivalent": _div(re_tce["equivalent"], total["equivalent"]),
        "re_electricity_share_onsite": share_onsite,
        "re_electricity_share_with_green_power": share_green,
        "re_electricity_share_with_certificates": share_cert,
        "scope1_t": scope1_t,
        "scope2_location_t": scope2_loc,
        "scope2_market_t": scope2_mkt,
        "biomass_co2_t": biomass_co2_t,
        "gross_emissions_t": gross_loc,
        "gross_emissions_market_t": gross_mkt,
        "offset_green_power_t": green_t,
        "offset_certificates_t": cert_t,
        "offset_ccer_t": off.ccer_t,
        "offset_other_credits_t": off.other_credits_t,
        "offset_allowances_t": off.allowances_t,
        "carbon_credits_t": credits_t,
        "total_reductions_t": reductions,
        "residual_emissions_t": residual,
        "unit_energy_carbon_t_per_tce": uec_value,
        "offsets_cost_cny": sum(costs.values()),
        # inputs the criteria recombine into their own variants (twin.criteria.packs)
        "green_power_covered_e_kwh": green_covered,
        "green_certificates_e_kwh": gp.green_certificates_mwh * 1000.0,
        "onsite_certificates_sold_e_kwh": gp.onsite_certificates_sold_mwh * 1000.0,
        "natural_gas_tce": float(sum(v["tce"] for k, v in fuels.items() if k == "natural_gas")),
        "electricity_calorific_kgce_per_kwh": k_cal,
        "electricity_equivalent_kgce_per_kwh": k_eq,
        "unit_energy_carbon_numerator_t": numerator[s.unit_energy_carbon_basis],
    }

    return {
        "inputs": {**energy.model_dump(), "green_power": gp.model_dump(), "offsets": off.model_dump()},
        "factors": {
            "electricity_calorific_kgce_per_kwh": {"value": k_cal, "source": "GB/T 2589-2020 (当量值) [confirmed]"},
            "electricity_equivalent_kgce_per_kwh": {
                "value": k_eq,
                "source": ELECTRICITY_EQUIVALENT_DEFAULT_SOURCE if k_eq == ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH
                else "user value (accounting.electricity_equivalent_kgce_per_kwh)"},
            "heat_kgce_per_gj": {"value": s.heat_kgce_per_gj, "source": "GB/T 2589 heat 0.03412 kgce/MJ [secondary]"},
            "heat_ef_t_per_gj": {"value": s.heat_ef_t_per_gj, "source": "GB/T 32150-2015 default [secondary]"},
            "grid_location": ef_loc,
            "grid_market_residual": ef_mkt,
            "fuels": {k: {"unit": v["unit"], "kgce_per_unit": v["kgce_per_unit"], "kgco2_per_unit": v["kgco2_per_unit"],
                          "source": v["source"]} for k, v in {**fuels, **bio}.items()},
        },
        "energy": {
            "standard": "GB/T 2589-2020",
            "exported_energy_rule": EXPORTED_ENERGY_RULE,
            "electricity": {
                "grid_import_e_kwh": grid_in, "grid_export_e_kwh": grid_out,
                "re_generation_e_kwh": float(energy.re_generation_e_kwh), "curtailed_e_kwh": float(energy.curtailed_e_kwh),
                "re_consumed_e_kwh": re_cons, "consumed_e_kwh": elec,
                "calorific_tce": elec * k_cal / 1000.0, "equivalent_tce": elec * k_eq / 1000.0,
                "re_consumed_calorific_tce": re_elec_tce["calorific"],
                "re_consumed_equivalent_tce": re_elec_tce["equivalent"],
            },
            "fuels": fuels,
            "fuels_tce": fuels_tce,
            "coal_tce": coal_tce,
            "biomass": bio,
            "biomass_tce": bio_tce,
            "heat": {"purchased_gj": float(energy.purchased_heat_gj), "exported_gj": float(energy.exported_heat_gj),
                     "onsite_re_heat_gj": float(energy.onsite_re_heat_gj),
                     "purchased_tce": heat_in_tce, "exported_tce_deducted": heat_out_tce, "onsite_re_tce": re_heat_tce},
            "total_calorific_tce": total["calorific"],
            "total_equivalent_tce": total["equivalent"],
            "renewable": {
                "re_consumed_e_kwh": re_cons,
                "renewable_calorific_tce": re_tce["calorific"], "renewable_equivalent_tce": re_tce["equivalent"],
                "non_renewable_calorific_tce": total["calorific"] - re_tce["calorific"],
                "non_renewable_equivalent_tce": total["equivalent"] - re_tce["equivalent"],
                "re_energy_share_onsite_calorific": kpis["re_energy_share_onsite_calorific"],
                "re_energy_share_onsite_equivalent": kpis["re_energy_share_onsite_equivalent"],
                "re_electricity_share_onsite": share_onsite,
                "re_electricity_share_with_green_power": share_green,
                "re_electricity_share_with_certificates": share_cert,
            },
        },
        "emissions": {
            "standard": "GB/T 32150-2015",
            "formula": "E = E_combustion + E_process + E_purchased_elec + E_purchased_heat - E_exported_elec - E_exported_heat",
            "scope1": {"combustion": {k: {"co2_t": v["co2_t"], "kgco2_per_unit": v["kgco2_per_unit"], "source": v["source"]}
                                      for k, v in fuels.items()},
                       "combustion_t": combustion_t, "process_t": process_t, "total_t": scope1_t},
            "scope2_location": {"electricity_t": loc_elec_t, "heat_t": heat_in_t, "total_t": scope2_loc,
                                "ef_t_per_mwh": ef_loc["ef_t_per_mwh"], "factor": ef_loc["name"]},
            "scope2_market": {"grid_import_e_kwh": grid_in, "green_power_covered_e_kwh": green_covered,
                              "uncovered_e_kwh": uncovered, "electricity_t": mkt_elec_t, "heat_t": heat_in_t,
                              "total_t": scope2_mkt, "ef_t_per_mwh": ef_mkt["ef_t_per_mwh"], "factor": ef_mkt["name"],
                              "note": "green power (contract + direct line) at zero; battery flows do not enter"},
            "exported_deducted": {"enabled": s.deduct_exported_energy,
                                  "electricity_location_t": loc_exp_t, "electricity_market_t": mkt_exp_t,
                                  "heat_t": heat_out_t},
            "biomass_co2_t": biomass_co2_t,
            "biomass_note": "biogenic CO2, reported apart and not in any total (GB/T 32150)",
            "gross_location_t": gross_loc,
            "gross_market_t": gross_mkt,
        },
        "offsets": {
            "valued_at_ef_t_per_mwh": ef_loc["ef_t_per_mwh"],
            "green_power": {"contract_e_kwh": gp.green_power_contract_e_kwh, "direct_e_kwh": gp.green_power_direct_e_kwh,
                            "contract_covered_e_kwh": contract_cov, "direct_covered_e_kwh": direct_cov,
                            "covered_e_kwh": green_covered, "unused_e_kwh": green_requested - green_covered,
                            "reduction_t": green_t,
                            "cost_cny": costs["green_power_contract_cny"] + costs["green_power_direct_cny"]},
            "green_certificates": {"certificates_mwh": gp.green_certificates_mwh, "usable_mwh": cert_usable_mwh,
                                   "unused_mwh": gp.green_certificates_mwh - cert_usable_mwh,
                                   "reduction_t": cert_t, "cost_cny": costs["green_certificates_cny"]},
            "ccer": {"t": off.ccer_t, "reduction_t": off.ccer_t, "cost_cny": costs["ccer_cny"]},
            "other_credits": {"t": off.other_credits_t, "reduction_t": off.other_credits_t,
                              "cost_cny": costs["other_credits_cny"]},
            "allowances": {"t": off.allowances_t, "reduction_t": off.allowances_t, "cost_cny": costs["allowances_cny"]},
            "total_reduction_t": reductions,
            "over_offset_t": over,
            "costs_cny": costs,
            "total_cost_cny": sum(costs.values()),
        },
        "gross_emissions_t": gross_loc,
        "residual_emissions_t": residual,
        "unit_energy_carbon_t_per_tce": uec_value,
        "unit_energy_carbon_variant": {"basis": s.unit_energy_carbon_basis, "tce_basis": s.unit_energy_carbon_tce_basis,
                                       "all": uec},
        "kpis": kpis,
    }


def accounting_kpis(result: dict[str, Any]) -> dict[str, float]:
    """The flat KPI block of an :func:`account` result (keys the criteria read)."""
    return dict(result["kpis"])


__all__ = ["AnnualEnergy", "Accounting", "GreenPower", "Offsets", "FuelFactor", "account", "accounting_kpis",
           "load_fuel_factors", "ELECTRICITY_CALORIFIC_KGCE_PER_KWH", "ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH",
           "HEAT_EF_T_PER_GJ", "HEAT_KGCE_PER_GJ", "EXPORTED_ENERGY_RULE"]
