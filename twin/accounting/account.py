"""Annual energy and carbon accounting: GB/T 2589-2020 energy, GB/T 32150-2015 emissions, offsets.

Pure functions on an :class:`AnnualEnergy` (the year's totals, from the twin's KPIs or typed
in by hand) and the scenario-side settings :class:`Accounting`, :class:`GreenPower` and
:class:`Offsets`. :func:`account` returns an :class:`AccountingResult`, a tree of frozen records (factors,
energy, emissions by scope, offsets, unit-energy carbon) built one block at a time, each number once, with the
factor and the source used; its flat ``kpis`` are what the criteria packs read
(:mod:`lingtan.twin.accounting.criteria`), and its
``to_dict()`` is ``accounting.json``.

Energy, GB/T 2589-2020 (综合能耗计算通则)
----------------------------------------
* Comprehensive energy consumption [tce] = sum over energy carriers of the quantity consumed
  inside the boundary x its standard-coal coefficient.
* Consumed = purchased + self-produced - exported out of the boundary (energy that leaves the
  boundary is deducted; energy recovered and reused inside the boundary is not counted a
  second time). Electricity consumed is therefore
  ``grid import + on-site renewable generation - export - curtailment``, the same total as
  ``total_consumption_e_kwh`` in :mod:`lingtan.twin.core.kpis`; exported heat is deducted at the heat
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
  (``components/data/emission_factors.csv`` via :mod:`lingtan.components.grid`).
  Market-based: (grid import - contracted green power - direct-line green power) x the residual
  factor (national excluding market-traded non-fossil power); green power at zero.
  The battery does not enter: the grid import is the grid import, whatever the battery did
  with it, so energy charged from the grid never becomes renewable here.
* Purchased heat x each source's own factor (``purchased_heat[i].ef_t_per_gj``, the supplier's),
  else :attr:`Accounting.heat_ef_t_per_gj` (default 0.11 tCO2/GJ, GB/T 32150, **secondary**); the
  factor used for each source, and where it came from, is in ``factors.purchased_heat``.
* Fuel used outside the boilers (``fuel_uses``: vehicles, forklifts, gensets, kilns) counts in tce
  and scope 1 like boiler fuel; steam bought by mass counts as purchased heat, converted to GJ by
  IAPWS-IF97 (:mod:`lingtan.components.fuel_use`).
* CH4 and N2O of every combustion (boilers: stationary; fuel uses: stationary, road or off-road):
  ``fuel x NCV [TJ] x factor [kg/TJ]`` (``components/data/combustion_non_co2.csv``, 2006 IPCC
  Tier 1 defaults), weighted by the GWP-100 set :attr:`Accounting.gwp` (AR5 by default, AR6 as a
  variant). CO2 totals keep their keys (``gross_emissions_t`` ... are tCO2); the CO2e totals are
  the ``..._t_co2e`` keys. Grid and heat factors are CO2 factors: scope 2 is the same in both.
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
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel

from lingtan.components.fuel_use import STEAM, FuelUse, fuel_use_totals, load_non_co2_factors, read_profile
from lingtan.components.grid import EMISSION_FACTORS_CSV, emission_factor_t_per_mwh, load_emission_factors
from lingtan.components.heat import FUELS_CSV, load_fuels
from lingtan.errors import BalanceError, InputError
from lingtan.twin.accounting.arrays import div, is_array, maximum, minimum, num
from lingtan.twin.core.schema.accounting import (
    _FUEL_COLUMNS,
    ELECTRICITY_CALORIFIC_KGCE_PER_KWH,
    ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH,
    ELECTRICITY_EQUIVALENT_DEFAULT_SOURCE,
    EXPORTED_ENERGY_RULE,
    GWP,
    HEAT_EF_T_PER_GJ,
    HEAT_KGCE_PER_GJ,
    KGCE_NCV_TOLERANCE,
    KJ_PER_KGCE,
    SHARE_ROUNDING,
    Accounting,
    AnnualEnergy,
    DirectFuel,
    EmissionFactorChoice,
    FuelFactor,
    GreenPower,
    HeatPurchase,
    Offsets,
)

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
        for i, (raw, v) in enumerate(zip(df[col], values, strict=True)):
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
    are left out. Raises :class:`~lingtan.errors.InputError` for a malformed table.

    Parameters
    ----------
    path : path, optional
        A fuel table of the same columns (default: the shipped one).

    Returns
    -------
    dict of str to FuelFactor
        Coefficients by fuel name.
    """
    return dict(_fuel_factors(str(path or FUELS_CSV)))  # a copy: the cached table stays as read


@lru_cache(maxsize=4)
def _fuel_factors(path: str) -> dict[str, FuelFactor]:
    df = _fuel_table(path)
    out = {}
    for row in df.itertuples(index=False):
        if not math.isfinite(row.kgco2_per_unit) or not math.isfinite(row.kgce_per_unit):
            continue
        out[row.fuel] = FuelFactor(
            unit=row.unit,
            kgce_per_unit=float(row.kgce_per_unit),
            kgco2_per_unit=float(row.kgco2_per_unit),
            biomass=bool(row.biomass),
            source=f"{row.source} [{row.confidence}]",
        )
    return out


@lru_cache(maxsize=64)
def _resolved_ef(spec: EmissionFactorChoice, field: str) -> GridFactor:
    """One annual grid factor with its source (cached: sweeps account thousands of cases with one factor; the
    record is frozen, so every case may share it)."""
    if isinstance(spec, str) and not spec.lower().endswith(".csv"):
        table = load_emission_factors()
        row = table.loc[table["name"] == spec]
        if row.empty:
            raise InputError(EMISSION_FACTORS_CSV, field, f"one of: {', '.join(table['name'])}", repr(spec))
        r = row.iloc[0]
        return GridFactor(
            name=spec,
            ef_t_per_mwh=float(r["ef_t_per_mwh"]),
            kind=r["kind"],
            source=f"{r['source']} [{r['confidence']}]",
        )
    if isinstance(spec, str):
        raise InputError(None, field, "a shipped factor name or a number [tCO2/MWh] (annual accounting)", repr(spec))
    value = float(emission_factor_t_per_mwh(float(spec), pd.DatetimeIndex([pd.Timestamp("2000-01-01")]))[0])
    return GridFactor(name="user value", ef_t_per_mwh=value, kind="user", source="user value")


# --------------------------------------------------------------------------- results


def _plain(value: Any) -> Any:
    """``value`` in JSON's types: records through their ``to_dict``, models through ``model_dump``."""
    if isinstance(value, (float, str, int)) or value is None:  # most values: first, as sweeps write many rows
        return value
    if isinstance(value, _Record):
        return value.to_dict()
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class _Record:
    """A frozen record of the accounting that writes itself as its block of ``accounting.json``.

    ``JSON`` lists the block's keys in the file's order, each an attribute (field, property or class constant)
    or ``(key, attribute)`` where the names differ; empty means the fields in order. Keys in ``OMIT_NONE`` are
    left out when their value is None. Totals that others read many times are cached properties (the records are
    frozen, so a total never goes stale).
    """

    JSON: ClassVar[tuple[str | tuple[str, str], ...]] = ()
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        """The block as ``accounting.json`` holds it (plain dicts, lists, numbers and strings)."""
        out = {}
        for item in self.JSON or tuple(f.name for f in fields(self)):
            key, attr = item if isinstance(item, tuple) else (item, item)
            value = getattr(self, attr)
            if value is None and key in self.OMIT_NONE:
                continue
            out[key] = _plain(value)
        return out


@dataclass(frozen=True, kw_only=True)
class SourcedFactor(_Record):
    """One coefficient with where it comes from.

    Attributes
    ----------
    value : float
        The coefficient [the unit its key names: kgce/kWh, kgce/GJ or tCO2/GJ].
    source : str
        Standard, document or "user value".
    applies_to : str or None
        What it is applied to, where the key does not say.
    """

    value: float
    source: str
    applies_to: str | None = None
    OMIT_NONE = frozenset({"applies_to"})


@dataclass(frozen=True, kw_only=True)
class GridFactor(_Record):
    """An annual grid emission factor.

    Attributes
    ----------
    name : str
        Its name in ``emission_factors.csv``, or "user value".
    ef_t_per_mwh : float
        [tCO2/MWh].
    kind : str
        The table's kind (average, residual...) or "user".
    source : str
        Document and confidence.
    """

    name: str
    ef_t_per_mwh: float
    kind: str
    source: str


@dataclass(frozen=True, kw_only=True)
class GwpSet(_Record):
    """The GWP-100 set CH4 and N2O are weighted with (:data:`GWP`).

    Attributes
    ----------
    name : {"ar5", "ar6"}
    ch4, n2o : float
        [tCO2e per t of gas].
    source : str
    """

    name: str
    ch4: float
    n2o: float
    source: str
    JSON = (("set", "name"), "ch4", "n2o", "source")


@dataclass(frozen=True, kw_only=True)
class FuelCoefficients(_Record):
    """The coefficients used for one fuel, with its NCV beside its kgce coefficient (GB/T 2589: 29 307 kJ/kgce).

    Attributes
    ----------
    unit : str
        Physical unit of the quantity (m3, kg).
    kgco2_per_unit : float
        [kgCO2/unit].
    kgce_per_unit : float
        [kgce/unit].
    ncv_kj_per_unit : float or None
        Net calorific value [kJ/unit], None where neither the user nor ``fuels.csv`` gives one.
    source : str
    """

    unit: str
    kgco2_per_unit: float
    kgce_per_unit: float
    ncv_kj_per_unit: float | None
    source: str
    JSON = (
        "unit",
        "kgco2_per_unit",
        "ncv_kj_per_unit",
        "kgce_per_unit",
        "implied_kj_per_kgce",
        "tce_gap_to_ncv",
        "consistent",
        "source",
    )
    OMIT_NONE = frozenset({"tce_gap_to_ncv", "consistent"})

    @property
    def _comparable(self) -> bool:
        return self.ncv_kj_per_unit is not None and self.kgce_per_unit > 0

    @property
    def implied_kj_per_kgce(self) -> float | None:
        """NCV / kgce coefficient [kJ/kgce]; None without an NCV or a coefficient."""
        return self.ncv_kj_per_unit / self.kgce_per_unit if self._comparable else None

    @property
    def tce_gap_to_ncv(self) -> float | None:
        """How much more (+) or less (-) energy the kgce coefficient counts than the NCV [fraction]."""
        return self.kgce_per_unit * KJ_PER_KGCE / self.ncv_kj_per_unit - 1.0 if self._comparable else None

    @property
    def consistent(self) -> bool | None:
        """Whether the gap is within :data:`KGCE_NCV_TOLERANCE`; None when it cannot be compared."""
        gap = self.tce_gap_to_ncv
        return None if gap is None else abs(gap) <= KGCE_NCV_TOLERANCE

    def warning(self, fuel: str) -> str:
        """The warning of an inconsistent pair, naming ``fuel``.

        Parameters
        ----------
        fuel : str
            The fuel's name.

        Returns
        -------
        str
            One line: both coefficients and the gap [%].
        """
        return (
            f"{fuel}: kgce coefficient {self.kgce_per_unit} with NCV {self.ncv_kj_per_unit:g} kJ/unit counts its "
            f"energy {100 * self.tce_gap_to_ncv:+.1f} % in tce against the NCV (GB/T 2589: 29 307 kJ per kgce, "
            f"{self.implied_kj_per_kgce:,.0f} here)"
        )


@dataclass(frozen=True, kw_only=True)
class HeatSource(_Record):
    """One source of purchased heat over the year, with the factor applied to it.

    Attributes
    ----------
    gj : float
        Heat bought [GJ].
    ef_t_per_gj : float
        Factor applied [tCO2/GJ].
    factor_from : str
        The source's own factor, or ``accounting.heat_ef_t_per_gj``.
    steam : dict or None
        Steam bought by mass: its conversion to GJ (:mod:`lingtan.components.fuel_use`).
    """

    gj: float
    ef_t_per_gj: float
    factor_from: str
    steam: dict[str, Any] | None = None
    JSON = ("gj", "ef_t_per_gj", "factor_from", "steam", "co2_t")
    OMIT_NONE = frozenset({"steam"})

    @property
    def co2_t(self) -> float:
        """Scope 2 emissions of the source [tCO2]."""
        return self.gj * self.ef_t_per_gj


@dataclass(frozen=True, kw_only=True)
class Factors(_Record):
    """Every coefficient the accounting used, with its source.

    Attributes
    ----------
    electricity_calorific_kgce_per_kwh, electricity_equivalent_kgce_per_kwh : SourcedFactor
        Electricity at calorific (当量值) and equivalent (等价值) value [kgce/kWh].
    heat_kgce_per_gj : SourcedFactor
        [kgce/GJ].
    heat_ef_t_per_gj : SourcedFactor
        Purchased heat of no factor of its own, and exported heat [tCO2/GJ].
    purchased_heat : dict of str to HeatSource
        The factor used for each named source.
    gwp : GwpSet
    grid_location, grid_market_residual : GridFactor
        Location-based average and market-based residual factors.
    fuels : dict of str to FuelCoefficients
        Each fuel burnt (boilers, fuel uses, biomass).
    """

    electricity_calorific_kgce_per_kwh: SourcedFactor
    electricity_equivalent_kgce_per_kwh: SourcedFactor
    heat_kgce_per_gj: SourcedFactor
    heat_ef_t_per_gj: SourcedFactor
    purchased_heat: dict[str, HeatSource]
    gwp: GwpSet
    grid_location: GridFactor
    grid_market_residual: GridFactor
    fuels: dict[str, FuelCoefficients]


@dataclass(frozen=True, kw_only=True)
class FuelLine(_Record):
    """A fuel burnt in the boilers over the year.

    Attributes
    ----------
    quantity : float
        [the fuel's unit].
    unit : str
    kgce_per_unit : float
        [kgce/unit].
    kgco2_per_unit : float
        [kgCO2/unit].
    source : str
        Where the coefficients come from.
    """

    quantity: float
    unit: str
    kgce_per_unit: float
    kgco2_per_unit: float
    source: str
    JSON = ("quantity", "unit", "kgce_per_unit", "tce", "kgco2_per_unit", "co2_t", "source")

    @property
    def tce(self) -> float:
        """Energy [tce]."""
        return self.quantity * self.kgce_per_unit / 1000.0

    @property
    def co2_t(self) -> float:
        """CO2 of its combustion [tCO2] (biogenic for a biomass fuel)."""
        return self.quantity * self.kgco2_per_unit / 1000.0


@dataclass(frozen=True, kw_only=True)
class DirectFuelLine(FuelLine):
    """A fuel burnt outside the boilers (``fuel_uses``): vehicles, forklifts, gensets, kilns.

    Attributes
    ----------
    fuel : str
    use : {"stationary", "road", "off_road"}
    biomass : bool
        Biogenic CO2: reported apart, never in a total.
    """

    fuel: str
    use: str
    biomass: bool
    JSON = ("fuel", "use", "quantity", "unit", "biomass", "kgce_per_unit", "tce", "kgco2_per_unit", "co2_t", "source")


@dataclass(frozen=True, kw_only=True)
class ElectricityEnergy(_Record):
    """Electricity across the boundary and consumed inside it (GB/T 2589).

    Attributes
    ----------
    grid_import_e_kwh, grid_export_e_kwh, re_generation_e_kwh, curtailed_e_kwh : float
        [kWh].
    re_consumed_e_kwh : float
        On-site renewable electricity consumed [kWh].
    chp_consumed_e_kwh : float
        On-site combined heat and power electricity consumed [kWh] (its fuel counts, not it).
    consumed_e_kwh : float
        Grid import + renewable consumed + CHP consumed [kWh].
    calorific_kgce_per_kwh, equivalent_kgce_per_kwh : float
        The two coefficients [kgce/kWh].
    """

    grid_import_e_kwh: float
    grid_export_e_kwh: float
    re_generation_e_kwh: float
    curtailed_e_kwh: float
    re_consumed_e_kwh: float
    chp_consumed_e_kwh: float
    consumed_e_kwh: float
    calorific_kgce_per_kwh: float
    equivalent_kgce_per_kwh: float
    JSON = (
        "grid_import_e_kwh",
        "grid_export_e_kwh",
        "re_generation_e_kwh",
        "curtailed_e_kwh",
        "re_consumed_e_kwh",
        "chp_consumed_e_kwh",
        "consumed_e_kwh",
        "calorific_tce",
        "equivalent_tce",
        "re_consumed_calorific_tce",
        "re_consumed_equivalent_tce",
    )

    def kgce_per_kwh(self, basis: str) -> float:
        """The coefficient of ``basis`` ("calorific" or "equivalent") [kgce/kWh].

        Parameters
        ----------
        basis : {"calorific", "equivalent"}
            The conversion basis of electricity (GB/T 2589).

        Returns
        -------
        float
            The coefficient [kgce/kWh].
        """
        return self.calorific_kgce_per_kwh if basis == "calorific" else self.equivalent_kgce_per_kwh

    @property
    def counted_e_kwh(self) -> float:
        """Electricity that counts as energy consumed [kWh]: all consumed but what on-site CHP made from fuel,
        whose fuel counts instead (GB/T 2589: energy converted inside the boundary is not counted twice)."""
        return self.consumed_e_kwh - self.chp_consumed_e_kwh

    @property
    def calorific_tce(self) -> float:
        """Electricity consumed at calorific value, CHP's own left out [tce]."""
        return self.counted_e_kwh * self.calorific_kgce_per_kwh / 1000.0

    @property
    def equivalent_tce(self) -> float:
        """Electricity consumed at equivalent value, CHP's own left out [tce]."""
        return self.counted_e_kwh * self.equivalent_kgce_per_kwh / 1000.0

    @property
    def re_consumed_calorific_tce(self) -> float:
        """Renewable electricity consumed at calorific value [tce]."""
        return self.re_consumed_e_kwh * self.calorific_kgce_per_kwh / 1000.0

    @property
    def re_consumed_equivalent_tce(self) -> float:
        """Renewable electricity consumed at equivalent value [tce]."""
        return self.re_consumed_e_kwh * self.equivalent_kgce_per_kwh / 1000.0


@dataclass(frozen=True, kw_only=True)
class HeatEnergy(_Record):
    """Heat across the boundary (GB/T 2589).

    Attributes
    ----------
    purchased_gj : float
        Every purchased heat, named sources and not [GJ].
    purchased_by_source_gj : dict of str to float
        The named sources [GJ].
    exported_gj : float
        [GJ], deducted.
    onsite_re_heat_gj : float
        On-site renewable heat used (solar thermal...) [GJ].
    kgce_per_gj : float
        [kgce/GJ].
    """

    purchased_gj: float
    purchased_by_source_gj: dict[str, float]
    exported_gj: float
    onsite_re_heat_gj: float
    kgce_per_gj: float
    JSON = (
        "purchased_gj",
        "purchased_by_source_gj",
        "exported_gj",
        "onsite_re_heat_gj",
        "purchased_tce",
        "exported_tce_deducted",
        "onsite_re_tce",
    )

    @property
    def purchased_tce(self) -> float:
        """[tce]."""
        return self.purchased_gj * self.kgce_per_gj / 1000.0

    @property
    def exported_tce_deducted(self) -> float:
        """[tce]."""
        return self.exported_gj * self.kgce_per_gj / 1000.0

    @property
    def onsite_re_tce(self) -> float:
        """[tce]."""
        return self.onsite_re_heat_gj * self.kgce_per_gj / 1000.0


@dataclass(frozen=True, kw_only=True)
class ElectricityShares(_Record):
    """Renewable shares of the electricity consumed [fraction], each capped at 1.

    Attributes
    ----------
    onsite : float
        On-site renewable consumed / consumed.
    with_green_power : float
        Adding contracted and direct-line green power.
    with_certificates : float
        Adding green certificates surrendered too.
    """

    onsite: float
    with_green_power: float
    with_certificates: float


@dataclass(frozen=True, kw_only=True)
class RenewableEnergy(_Record):
    """The renewable part of the energy consumed (a view of :class:`EnergyAccount`).

    Attributes
    ----------
    re_consumed_e_kwh : float
        [kWh].
    renewable_calorific_tce, renewable_equivalent_tce : float
        Renewable electricity, biomass and on-site renewable heat [tce].
    non_renewable_calorific_tce, non_renewable_equivalent_tce : float
        [tce].
    re_energy_share_onsite_calorific, re_energy_share_onsite_equivalent : float
        Renewable / total energy [fraction].
    re_electricity_share_onsite, re_electricity_share_with_green_power, re_electricity_share_with_certificates : float
        :class:`ElectricityShares` [fraction].
    """

    re_consumed_e_kwh: float
    renewable_calorific_tce: float
    renewable_equivalent_tce: float
    non_renewable_calorific_tce: float
    non_renewable_equivalent_tce: float
    re_energy_share_onsite_calorific: float
    re_energy_share_onsite_equivalent: float
    re_electricity_share_onsite: float
    re_electricity_share_with_green_power: float
    re_electricity_share_with_certificates: float


@dataclass(frozen=True, kw_only=True)
class EnergyAccount(_Record):
    """Comprehensive energy consumption, GB/T 2589-2020.

    Attributes
    ----------
    electricity : ElectricityEnergy
    fuels : dict of str to FuelLine
        Fossil fuels burnt in the boilers.
    biomass : dict of str to FuelLine
        Biomass burnt in the boilers.
    direct_fuels : dict of str to DirectFuelLine
        Fuel burnt outside the boilers, by use.
    heat : HeatEnergy
    shares : ElectricityShares
    """

    electricity: ElectricityEnergy
    fuels: dict[str, FuelLine]
    biomass: dict[str, FuelLine]
    direct_fuels: dict[str, DirectFuelLine]
    heat: HeatEnergy
    shares: ElectricityShares
    standard: ClassVar[str] = "GB/T 2589-2020"
    exported_energy_rule: ClassVar[str] = EXPORTED_ENERGY_RULE
    JSON = (
        "standard",
        "exported_energy_rule",
        "electricity",
        "fuels",
        "fuels_tce",
        "coal_tce",
        "biomass",
        "biomass_tce",
        "direct_fuels",
        "heat",
        "total_calorific_tce",
        "total_equivalent_tce",
        "renewable",
    )

    @property
    def fossil_direct_fuels(self) -> dict[str, DirectFuelLine]:
        """The fuel uses that burn fossil fuel."""
        return {k: v for k, v in self.direct_fuels.items() if not v.biomass}

    @cached_property
    def fuels_tce(self) -> float:
        """Fossil fuels, boilers and other uses [tce]."""
        return float(sum(v.tce for v in self.fuels.values()) + sum(v.tce for v in self.fossil_direct_fuels.values()))

    @cached_property
    def coal_tce(self) -> float:
        """The fossil fuels whose name says coal [tce]."""
        return float(
            sum(v.tce for k, v in self.fuels.items() if "coal" in k.lower())
            + sum(v.tce for v in self.fossil_direct_fuels.values() if "coal" in v.fuel.lower())
        )

    @property
    def natural_gas_tce(self) -> float:
        """Natural gas burnt in the boilers [tce]."""
        return float(sum(v.tce for k, v in self.fuels.items() if k == "natural_gas"))

    @cached_property
    def biomass_tce(self) -> float:
        """Biomass, boilers and other uses [tce]."""
        return float(
            sum(v.tce for v in self.biomass.values()) + sum(v.tce for v in self.direct_fuels.values() if v.biomass)
        )

    def total_tce(self, basis: str) -> float:
        """Comprehensive energy consumption with electricity on ``basis`` ("calorific", "equivalent") [tce]:
        electricity (but on-site CHP's, whose fuel counts) + fuels + biomass + purchased heat - exported heat +
        on-site renewable heat.

        Parameters
        ----------
        basis : {"calorific", "equivalent"}
            The conversion basis of electricity (GB/T 2589).

        Returns
        -------
        float
            The comprehensive energy consumption [tce].
        """
        h = self.heat
        non_electric = self.fuels_tce + self.biomass_tce + h.purchased_tce - h.exported_tce_deducted + h.onsite_re_tce
        return self.electricity.counted_e_kwh * self.electricity.kgce_per_kwh(basis) / 1000.0 + non_electric

    def renewable_tce(self, basis: str) -> float:
        """Renewable electricity consumed, biomass and on-site renewable heat [tce].

        Parameters
        ----------
        basis : {"calorific", "equivalent"}
            The conversion basis of renewable electricity (GB/T 2589).

        Returns
        -------
        float
            Renewable energy [tce].
        """
        return (
            self.electricity.re_consumed_e_kwh * self.electricity.kgce_per_kwh(basis) / 1000.0
            + self.biomass_tce
            + self.heat.onsite_re_tce
        )

    @cached_property
    def total_calorific_tce(self) -> float:
        """[tce]."""
        return self.total_tce("calorific")

    @cached_property
    def total_equivalent_tce(self) -> float:
        """[tce]."""
        return self.total_tce("equivalent")

    @cached_property
    def renewable(self) -> RenewableEnergy:
        """The renewable part of the energy consumed."""
        total = {b: self.total_tce(b) for b in ("calorific", "equivalent")}
        re = {b: self.renewable_tce(b) for b in ("calorific", "equivalent")}
        return RenewableEnergy(
            re_consumed_e_kwh=self.electricity.re_consumed_e_kwh,
            renewable_calorific_tce=re["calorific"],
            renewable_equivalent_tce=re["equivalent"],
            non_renewable_calorific_tce=total["calorific"] - re["calorific"],
            non_renewable_equivalent_tce=total["equivalent"] - re["equivalent"],
            re_energy_share_onsite_calorific=div(re["calorific"], total["calorific"]),
            re_energy_share_onsite_equivalent=div(re["equivalent"], total["equivalent"]),
            re_electricity_share_onsite=self.shares.onsite,
            re_electricity_share_with_green_power=self.shares.with_green_power,
            re_electricity_share_with_certificates=self.shares.with_certificates,
        )


@dataclass(frozen=True, kw_only=True)
class NonCo2Line(_Record):
    """CH4 and N2O of one combustion: ``quantity x NCV [TJ] x factor [kg/TJ]``.

    Attributes
    ----------
    fuel, use : str
    energy_tj : float
        [TJ].
    ncv_kj_per_unit : float
        [kJ/unit].
    ch4_kg_per_tj, n2o_kg_per_tj : float
        Factors applied [kg/TJ].
    ch4_source, n2o_source : str
    ch4_t, n2o_t : float
        [t of gas].
    t_co2e : float
        Both at the GWP set [tCO2e].
    """

    fuel: str
    use: str
    energy_tj: float
    ncv_kj_per_unit: float
    ch4_kg_per_tj: float
    n2o_kg_per_tj: float
    ch4_source: str
    n2o_source: str
    ch4_t: float
    n2o_t: float
    t_co2e: float


@dataclass(frozen=True, kw_only=True)
class NonCo2(_Record):
    """CH4 and N2O of every combustion (boilers and fuel uses, biomass included), 2006 IPCC Tier 1.

    Attributes
    ----------
    lines : dict of str to NonCo2Line
        By boiler fuel or fuel use (a use named like a boiler fuel shows once here, counts in both totals).
    ch4_t, n2o_t : float
        Every combustion [t of gas].
    gwp : GwpSet
    """

    lines: dict[str, NonCo2Line]
    ch4_t: float
    n2o_t: float
    gwp: GwpSet
    method: ClassVar[str] = (
        "fuel x NCV [TJ] x CH4 / N2O factor [kg/TJ] (2006 IPCC Tier 1), x GWP-100; "
        "biomass CH4 and N2O count (only biomass CO2 is kept apart)"
    )
    JSON = ("lines", "ch4_t", "n2o_t", "ch4_t_co2e", "n2o_t_co2e", "t_co2e", "gwp", "method")

    @property
    def ch4_t_co2e(self) -> float:
        """[tCO2e]."""
        return self.ch4_t * self.gwp.ch4

    @property
    def n2o_t_co2e(self) -> float:
        """[tCO2e]."""
        return self.n2o_t * self.gwp.n2o

    @property
    def t_co2e(self) -> float:
        """CH4 and N2O [tCO2e]."""
        return self.ch4_t * self.gwp.ch4 + self.n2o_t * self.gwp.n2o


@dataclass(frozen=True, kw_only=True)
class Scope1(_Record):
    """Direct emissions: fossil fuel combustion and declared process emissions.

    Attributes
    ----------
    fuels : dict of str to FuelLine
        Fossil fuels burnt in the boilers.
    direct_fuels : dict of str to DirectFuelLine
        Fossil fuel uses outside the boilers.
    process_t : float
        Declared process emissions [tCO2].
    non_co2 : NonCo2
        CH4 and N2O of every combustion.
    """

    fuels: dict[str, FuelLine]
    direct_fuels: dict[str, DirectFuelLine]
    process_t: float
    non_co2: NonCo2
    JSON = (
        ("combustion", "combustion_lines"),
        "combustion_t",
        "process_t",
        "total_t",
        "non_co2_t_co2e",
        "total_t_co2e",
    )

    @property
    def combustion_lines(self) -> dict[str, dict[str, Any]]:
        """CO2 of each combustion with its factor, as ``accounting.json`` lists it."""
        return {
            k: {"co2_t": v.co2_t, "kgco2_per_unit": v.kgco2_per_unit, "source": v.source}
            for k, v in {**self.fuels, **self.direct_fuels}.items()
        }

    @cached_property
    def combustion_t(self) -> float:
        """[tCO2]."""
        return float(sum(v.co2_t for v in self.fuels.values()) + sum(v.co2_t for v in self.direct_fuels.values()))

    @cached_property
    def total_t(self) -> float:
        """Combustion and process [tCO2]."""
        return self.combustion_t + self.process_t

    @property
    def non_co2_t_co2e(self) -> float:
        """[tCO2e]."""
        return self.non_co2.t_co2e

    @property
    def total_t_co2e(self) -> float:
        """CO2, CH4 and N2O [tCO2e]."""
        return self.total_t + self.non_co2.t_co2e


@dataclass(frozen=True, kw_only=True)
class Scope2Location(_Record):
    """Purchased electricity at the grid average factor, and purchased heat.

    Attributes
    ----------
    electricity_t, heat_t : float
        [tCO2].
    factor : GridFactor
    """

    electricity_t: float
    heat_t: float
    factor: GridFactor
    JSON = ("electricity_t", "heat_t", "total_t", "ef_t_per_mwh", ("factor", "factor_name"))

    @property
    def total_t(self) -> float:
        """[tCO2]."""
        return self.electricity_t + self.heat_t

    @property
    def ef_t_per_mwh(self) -> float:
        """[tCO2/MWh]."""
        return self.factor.ef_t_per_mwh

    @property
    def factor_name(self) -> str:
        """The factor's name (``emission_factors.csv``) or "user value"."""
        return self.factor.name


@dataclass(frozen=True, kw_only=True)
class Scope2Market(Scope2Location):
    """Purchased electricity not covered by green power at the residual factor, and purchased heat.

    Attributes
    ----------
    grid_import_e_kwh, green_power_covered_e_kwh : float
        [kWh].
    """

    grid_import_e_kwh: float
    green_power_covered_e_kwh: float
    note: ClassVar[str] = "green power (contract + direct line) at zero; battery flows do not enter"
    JSON = (
        "grid_import_e_kwh",
        "green_power_covered_e_kwh",
        "uncovered_e_kwh",
        "electricity_t",
        "heat_t",
        "total_t",
        "ef_t_per_mwh",
        ("factor", "factor_name"),
        "note",
    )

    @property
    def uncovered_e_kwh(self) -> float:
        """Grid import not covered by green power [kWh]."""
        return self.grid_import_e_kwh - self.green_power_covered_e_kwh


@dataclass(frozen=True, kw_only=True)
class ExportedDeducted(_Record):
    """Exported energy deducted from the emissions (zero when ``accounting.deduct_exported_energy`` is off).

    Attributes
    ----------
    enabled : bool
    electricity_location_t, electricity_market_t, heat_t : float
        [tCO2].
    """

    enabled: bool
    electricity_location_t: float
    electricity_market_t: float
    heat_t: float


@dataclass(frozen=True, kw_only=True)
class Emissions(_Record):
    """Emissions, GB/T 32150-2015; ``..._t`` are tCO2, ``..._t_co2e`` add CH4 and N2O.

    Attributes
    ----------
    scope1 : Scope1
    scope2_location : Scope2Location
    scope2_market : Scope2Market
    exported_deducted : ExportedDeducted
    biomass_co2_t : float
        Biogenic CO2, in no total [tCO2].
    """

    scope1: Scope1
    scope2_location: Scope2Location
    scope2_market: Scope2Market
    exported_deducted: ExportedDeducted
    biomass_co2_t: float
    standard: ClassVar[str] = "GB/T 32150-2015"
    formula: ClassVar[str] = (
        "E = E_combustion + E_process + E_purchased_elec + E_purchased_heat - E_exported_elec - E_exported_heat"
    )
    biomass_note: ClassVar[str] = "biogenic CO2, reported apart and not in any total (GB/T 32150)"
    co2e_note: ClassVar[str] = (
        "CO2e = CO2 + CH4 and N2O of combustion at the GWP set named; the grid and heat factors "
        "are CO2 factors, so scope 2 is the same in CO2 and CO2e"
    )
    JSON = (
        "standard",
        "formula",
        "scope1",
        "non_co2",
        "scope2_location",
        "scope2_market",
        "exported_deducted",
        "biomass_co2_t",
        "biomass_note",
        "gross_location_t",
        "gross_market_t",
        "gross_location_t_co2e",
        "gross_market_t_co2e",
        "co2e_note",
    )

    @property
    def non_co2(self) -> NonCo2:
        """CH4 and N2O of combustion (scope 1's)."""
        return self.scope1.non_co2

    @cached_property
    def gross_location_t(self) -> float:
        """Scope 1 + scope 2 location-based - exported energy [tCO2]."""
        exp = self.exported_deducted
        return self.scope1.total_t + self.scope2_location.total_t - exp.electricity_location_t - exp.heat_t

    @cached_property
    def gross_market_t(self) -> float:
        """Scope 1 + scope 2 market-based - exported energy [tCO2]."""
        exp = self.exported_deducted
        return self.scope1.total_t + self.scope2_market.total_t - exp.electricity_market_t - exp.heat_t

    @property
    def gross_location_t_co2e(self) -> float:
        """[tCO2e]."""
        return self.gross_location_t + self.non_co2.t_co2e

    @property
    def gross_market_t_co2e(self) -> float:
        """[tCO2e]."""
        return self.gross_market_t + self.non_co2.t_co2e


@dataclass(frozen=True, kw_only=True)
class GreenPowerOffset(_Record):
    """Contracted (绿电交易) and direct-line (绿电直连) green power, covering at most the grid import.

    Attributes
    ----------
    contract_e_kwh, direct_e_kwh : float
        Bought [kWh].
    contract_covered_e_kwh, covered_e_kwh : float
        Covering grid import, the contract first [kWh].
    reduction_t : float
        At the location-based factor [tCO2].
    cost_cny : float
        Premiums [CNY].
    """

    contract_e_kwh: float
    direct_e_kwh: float
    contract_covered_e_kwh: float
    covered_e_kwh: float
    reduction_t: float
    cost_cny: float
    JSON = (
        "contract_e_kwh",
        "direct_e_kwh",
        "contract_covered_e_kwh",
        "direct_covered_e_kwh",
        "covered_e_kwh",
        "unused_e_kwh",
        "reduction_t",
        "cost_cny",
    )

    @property
    def direct_covered_e_kwh(self) -> float:
        """[kWh]."""
        return self.covered_e_kwh - self.contract_covered_e_kwh

    @property
    def unused_e_kwh(self) -> float:
        """Bought beyond the grid import [kWh]."""
        return self.contract_e_kwh + self.direct_e_kwh - self.covered_e_kwh


@dataclass(frozen=True, kw_only=True)
class CertificateOffset(_Record):
    """Green certificates (绿证, 1 MWh each), usable up to the import green power leaves uncovered.

    Attributes
    ----------
    certificates_mwh, usable_mwh : float
        [MWh].
    reduction_t : float
        [tCO2].
    cost_cny : float
        [CNY].
    """

    certificates_mwh: float
    usable_mwh: float
    reduction_t: float
    cost_cny: float
    JSON = ("certificates_mwh", "usable_mwh", "unused_mwh", "reduction_t", "cost_cny")

    @property
    def unused_mwh(self) -> float:
        """[MWh]."""
        return self.certificates_mwh - self.usable_mwh


@dataclass(frozen=True, kw_only=True)
class CreditOffset(_Record):
    """Carbon credits or allowances surrendered.

    Attributes
    ----------
    t : float
        [tCO2e], the reduction.
    cost_cny : float
        [CNY].
    """

    t: float
    cost_cny: float
    JSON = ("t", "reduction_t", "cost_cny")

    @property
    def reduction_t(self) -> float:
        """[tCO2e]."""
        return self.t


@dataclass(frozen=True, kw_only=True)
class OffsetCosts(_Record):
    """Costs of the offsets [CNY].

    Attributes
    ----------
    green_power_contract_cny, green_power_direct_cny, green_certificates_cny : float
    ccer_cny, other_credits_cny, allowances_cny : float
    """

    green_power_contract_cny: float
    green_power_direct_cny: float
    green_certificates_cny: float
    ccer_cny: float
    other_credits_cny: float
    allowances_cny: float

    @property
    def total_cny(self) -> float:
        """[CNY]."""
        return (
            self.green_power_contract_cny
            + self.green_power_direct_cny
            + self.green_certificates_cny
            + self.ccer_cny
            + self.other_credits_cny
            + self.allowances_cny
        )


@dataclass(frozen=True, kw_only=True)
class OffsetsAccount(_Record):
    """Green power, certificates and credits, valued at the location-based factor.

    Attributes
    ----------
    valued_at : GridFactor
    green_power : GreenPowerOffset
    green_certificates : CertificateOffset
    ccer, other_credits, allowances : CreditOffset
    costs : OffsetCosts
    gross_t : float
        The emissions the reductions are set against: location-based gross [tCO2].
    """

    valued_at: GridFactor
    green_power: GreenPowerOffset
    green_certificates: CertificateOffset
    ccer: CreditOffset
    other_credits: CreditOffset
    allowances: CreditOffset
    costs: OffsetCosts
    gross_t: float
    JSON = (
        ("valued_at_ef_t_per_mwh", "valued_at_ef_t_per_mwh"),
        "green_power",
        "green_certificates",
        "ccer",
        "other_credits",
        "allowances",
        "total_reduction_t",
        "over_offset_t",
        ("costs_cny", "costs"),
        ("total_cost_cny", "total_cost_cny"),
    )

    @property
    def valued_at_ef_t_per_mwh(self) -> float:
        """[tCO2/MWh]."""
        return self.valued_at.ef_t_per_mwh

    @property
    def carbon_credits_t(self) -> float:
        """CCER and other credits [tCO2e]."""
        return self.ccer.t + self.other_credits.t

    @cached_property
    def total_reduction_t(self) -> float:
        """[tCO2]."""
        return (
            self.green_power.reduction_t
            + self.green_certificates.reduction_t
            + self.carbon_credits_t
            + self.allowances.t
        )

    @property
    def over_offset_t(self) -> float:
        """Reductions beyond the gross emissions [tCO2]: what the residual's clamp at 0 takes off."""
        return maximum(0.0, self.total_reduction_t - self.gross_t)

    @property
    def total_cost_cny(self) -> float:
        """[CNY]."""
        return self.costs.total_cny


@dataclass(frozen=True, kw_only=True)
class UnitEnergyCarbon(_Record):
    """Emissions per energy consumed, every variant [tCO2/tce] (tCO2e/tce for ``by_variant_t_co2e``).

    Attributes
    ----------
    basis : {"location", "after_green_power", "market"}
        Numerator chosen (``accounting.unit_energy_carbon_basis``).
    tce_basis : {"equivalent", "calorific"}
        Denominator chosen.
    numerator_t : float
        The chosen numerator [tCO2].
    by_variant, by_variant_t_co2e : dict of str to float
        ``{f"{numerator}_{tce basis}": value}``.
    """

    basis: str
    tce_basis: str
    numerator_t: float
    by_variant: dict[str, float]
    by_variant_t_co2e: dict[str, float]
    JSON = ("basis", "tce_basis", ("all", "by_variant"), ("all_t_co2e_per_tce", "by_variant_t_co2e"))

    @property
    def t_per_tce(self) -> float:
        """The chosen variant [tCO2/tce]."""
        return self.by_variant[f"{self.basis}_{self.tce_basis}"]

    @property
    def t_co2e_per_tce(self) -> float:
        """The chosen variant [tCO2e/tce]."""
        return self.by_variant_t_co2e[f"{self.basis}_{self.tce_basis}"]


@dataclass(frozen=True, kw_only=True)
class AccountingInputs(_Record):
    """What the accounting was given.

    Attributes
    ----------
    energy : AnnualEnergy
    green_power : GreenPower
    offsets : Offsets
    """

    energy: AnnualEnergy
    green_power: GreenPower
    offsets: Offsets

    def to_dict(self) -> dict[str, Any]:
        """The annual energy's fields with the green power and offsets beside them.

        Returns
        -------
        dict
            Field name to value.
        """
        return {
            **self.energy.model_dump(),
            "green_power": self.green_power.model_dump(),
            "offsets": self.offsets.model_dump(),
        }


@dataclass(frozen=True, kw_only=True)
class AccountingKpis(_Record):
    """The flat numbers the criteria packs read (:mod:`lingtan.twin.accounting.criteria`), one per name.

    Attributes
    ----------
    energy_calorific_tce, energy_equivalent_tce : float
        Comprehensive energy consumption, electricity at calorific / equivalent value [tce].
    electricity_consumed_e_kwh : float
        [kWh].
    coal_tce, fuels_tce : float
        Coal; all fossil fuels [tce].
    renewable_calorific_tce, renewable_equivalent_tce : float
        [tce].
    re_consumed_e_kwh : float
        On-site renewable electricity consumed [kWh].
    re_energy_share_onsite_calorific, re_energy_share_onsite_equivalent : float
        Renewable share of energy [fraction].
    re_electricity_share_onsite, re_electricity_share_with_green_power, re_electricity_share_with_certificates : float
        Renewable share of electricity [fraction].
    scope1_t, scope2_location_t, scope2_market_t, biomass_co2_t : float
        [tCO2].
    gross_emissions_t, gross_emissions_market_t : float
        Location- and market-based [tCO2].
    offset_green_power_t, offset_certificates_t, offset_ccer_t, offset_other_credits_t, offset_allowances_t : float
        Each reduction [tCO2].
    carbon_credits_t : float
        CCER and other credits [tCO2e].
    total_reductions_t, residual_emissions_t : float
        [tCO2].
    unit_energy_carbon_t_per_tce : float
        The chosen variant [tCO2/tce].
    offsets_cost_cny : float
        [CNY].
    ch4_t, n2o_t : float
        [t of gas].
    non_co2_t_co2e, scope1_t_co2e, gross_emissions_t_co2e : float
        [tCO2e].
    gross_emissions_market_t_co2e, residual_emissions_t_co2e : float
        [tCO2e].
    unit_energy_carbon_t_co2e_per_tce : float
        [tCO2e/tce].
    green_power_covered_e_kwh, green_certificates_e_kwh, onsite_certificates_sold_e_kwh : float
        Inputs the criteria recombine into their own variants [kWh].
    natural_gas_tce : float
        Natural gas in the boilers [tce].
    electricity_calorific_kgce_per_kwh, electricity_equivalent_kgce_per_kwh : float
        [kgce/kWh].
    unit_energy_carbon_numerator_t : float
        The emissions of ``unit_energy_carbon_t_per_tce`` [tCO2].
    """

    energy_calorific_tce: float
    energy_equivalent_tce: float
    electricity_consumed_e_kwh: float
    coal_tce: float
    fuels_tce: float
    renewable_calorific_tce: float
    renewable_equivalent_tce: float
    re_consumed_e_kwh: float
    re_energy_share_onsite_calorific: float
    re_energy_share_onsite_equivalent: float
    re_electricity_share_onsite: float
    re_electricity_share_with_green_power: float
    re_electricity_share_with_certificates: float
    scope1_t: float
    scope2_location_t: float
    scope2_market_t: float
    biomass_co2_t: float
    gross_emissions_t: float
    gross_emissions_market_t: float
    offset_green_power_t: float
    offset_certificates_t: float
    offset_ccer_t: float
    offset_other_credits_t: float
    offset_allowances_t: float
    carbon_credits_t: float
    total_reductions_t: float
    residual_emissions_t: float
    unit_energy_carbon_t_per_tce: float
    offsets_cost_cny: float
    ch4_t: float
    n2o_t: float
    non_co2_t_co2e: float
    scope1_t_co2e: float
    gross_emissions_t_co2e: float
    gross_emissions_market_t_co2e: float
    residual_emissions_t_co2e: float
    unit_energy_carbon_t_co2e_per_tce: float
    green_power_covered_e_kwh: float
    green_certificates_e_kwh: float
    onsite_certificates_sold_e_kwh: float
    natural_gas_tce: float
    electricity_calorific_kgce_per_kwh: float
    electricity_equivalent_kgce_per_kwh: float
    unit_energy_carbon_numerator_t: float

    def to_dict(self) -> dict[str, float]:
        """``{name: value}`` in field order (every field is a number: no conversion needed).

        Returns
        -------
        dict of str to float
            Field name to value.
        """
        return dict(vars(self))


@dataclass(frozen=True, kw_only=True)
class AccountingResult(_Record):
    """Annual energy, emissions and offsets of one site (:func:`account`).

    Attributes
    ----------
    inputs : AccountingInputs
    factors : Factors
        Every coefficient with its source.
    energy : EnergyAccount
        GB/T 2589 [tce].
    emissions : Emissions
        GB/T 32150 [tCO2, tCO2e].
    offsets : OffsetsAccount
    unit_energy_carbon : UnitEnergyCarbon
    warnings : tuple of str
        Fuels whose kgce coefficient and NCV disagree by more than :data:`KGCE_NCV_TOLERANCE`.
    """

    inputs: AccountingInputs
    factors: Factors
    energy: EnergyAccount
    emissions: Emissions
    offsets: OffsetsAccount
    unit_energy_carbon: UnitEnergyCarbon
    warnings: tuple[str, ...]
    JSON = (
        "inputs",
        "factors",
        "energy",
        "emissions",
        "offsets",
        "gross_emissions_t",
        "residual_emissions_t",
        "gross_emissions_t_co2e",
        "residual_emissions_t_co2e",
        "unit_energy_carbon_t_per_tce",
        ("unit_energy_carbon_variant", "unit_energy_carbon"),
        "warnings",
        "kpis",
    )

    @property
    def gross_emissions_t(self) -> float:
        """Location-based gross emissions [tCO2]."""
        return self.emissions.gross_location_t

    @property
    def gross_emissions_t_co2e(self) -> float:
        """[tCO2e]."""
        return self.emissions.gross_location_t_co2e

    @property
    def residual_emissions_t(self) -> float:
        """Gross (location-based) less every reduction, at least 0 (the rest is ``offsets.over_offset_t``) [tCO2]."""
        return maximum(0.0, self.emissions.gross_location_t - self.offsets.total_reduction_t)

    @property
    def residual_emissions_t_co2e(self) -> float:
        """[tCO2e]."""
        return maximum(0.0, self.emissions.gross_location_t_co2e - self.offsets.total_reduction_t)

    @property
    def unit_energy_carbon_t_per_tce(self) -> float:
        """The chosen variant [tCO2/tce]."""
        return self.unit_energy_carbon.t_per_tce

    @cached_property
    def kpis(self) -> AccountingKpis:
        """The flat numbers the criteria read."""
        e, em, off, gp = self.energy, self.emissions, self.offsets, self.inputs.green_power
        renewable = e.renewable
        return AccountingKpis(
            energy_calorific_tce=e.total_calorific_tce,
            energy_equivalent_tce=e.total_equivalent_tce,
            electricity_consumed_e_kwh=e.electricity.consumed_e_kwh,
            coal_tce=e.coal_tce,
            fuels_tce=e.fuels_tce,
            renewable_calorific_tce=renewable.renewable_calorific_tce,
            renewable_equivalent_tce=renewable.renewable_equivalent_tce,
            re_consumed_e_kwh=e.electricity.re_consumed_e_kwh,
            re_energy_share_onsite_calorific=renewable.re_energy_share_onsite_calorific,
            re_energy_share_onsite_equivalent=renewable.re_energy_share_onsite_equivalent,
            re_electricity_share_onsite=e.shares.onsite,
            re_electricity_share_with_green_power=e.shares.with_green_power,
            re_electricity_share_with_certificates=e.shares.with_certificates,
            scope1_t=em.scope1.total_t,
            scope2_location_t=em.scope2_location.total_t,
            scope2_market_t=em.scope2_market.total_t,
            biomass_co2_t=em.biomass_co2_t,
            gross_emissions_t=em.gross_location_t,
            gross_emissions_market_t=em.gross_market_t,
            offset_green_power_t=off.green_power.reduction_t,
            offset_certificates_t=off.green_certificates.reduction_t,
            offset_ccer_t=off.ccer.t,
            offset_other_credits_t=off.other_credits.t,
            offset_allowances_t=off.allowances.t,
            carbon_credits_t=off.carbon_credits_t,
            total_reductions_t=off.total_reduction_t,
            residual_emissions_t=self.residual_emissions_t,
            unit_energy_carbon_t_per_tce=self.unit_energy_carbon.t_per_tce,
            offsets_cost_cny=off.total_cost_cny,
            ch4_t=em.non_co2.ch4_t,
            n2o_t=em.non_co2.n2o_t,
            non_co2_t_co2e=em.non_co2.t_co2e,
            scope1_t_co2e=em.scope1.total_t_co2e,
            gross_emissions_t_co2e=em.gross_location_t_co2e,
            gross_emissions_market_t_co2e=em.gross_market_t_co2e,
            residual_emissions_t_co2e=self.residual_emissions_t_co2e,
            unit_energy_carbon_t_co2e_per_tce=self.unit_energy_carbon.t_co2e_per_tce,
            green_power_covered_e_kwh=off.green_power.covered_e_kwh,
            green_certificates_e_kwh=gp.green_certificates_mwh * 1000.0,
            onsite_certificates_sold_e_kwh=gp.onsite_certificates_sold_mwh * 1000.0,
            natural_gas_tce=e.natural_gas_tce,
            electricity_calorific_kgce_per_kwh=e.electricity.calorific_kgce_per_kwh,
            electricity_equivalent_kgce_per_kwh=e.electricity.equivalent_kgce_per_kwh,
            unit_energy_carbon_numerator_t=self.unit_energy_carbon.numerator_t,
        )


# --------------------------------------------------------------------------- accounting, step by step


def _fuel_lines(
    quantities: dict[str, float], factors: dict[str, FuelFactor], biomass: bool, field: str
) -> dict[str, FuelLine]:
    """Boiler fuels, one line each; a fuel under the wrong heading (fossil / biomass) is an error."""
    lines = {}
    for fuel, qty in quantities.items():
        f = factors.get(fuel)
        if f is None:
            raise InputError(
                None,
                f"{field}.{fuel}",
                f"a fuel of fuels.csv or accounting.fuel_factors: {', '.join(sorted(factors))}",
                repr(fuel),
            )
        if f.biomass != biomass:
            kind = "biomass_fuels" if f.biomass else "fuels"
            raise InputError(None, f"{field}.{fuel}", f"this fuel under '{kind}'", f"it under '{field}'")
        lines[fuel] = FuelLine(
            quantity=float(qty),
            unit=f.unit,
            kgce_per_unit=f.kgce_per_unit,
            kgco2_per_unit=f.kgco2_per_unit,
            source=f.source,
        )
    return lines


def _direct_lines(direct: dict[str, DirectFuel], factors: dict[str, FuelFactor]) -> dict[str, DirectFuelLine]:
    """Fuel uses outside the boilers, one line each (tce and CO2 as boiler fuel; biomass CO2 kept apart)."""
    lines = {}
    for name, d in direct.items():
        f = factors.get(d.fuel)
        if f is None:
            raise InputError(
                None,
                f"fuel_uses.{name}.fuel",
                f"a fuel of fuels.csv or accounting.fuel_factors: {', '.join(sorted(factors))}",
                repr(d.fuel),
            )
        lines[name] = DirectFuelLine(
            fuel=d.fuel,
            use=d.use,
            quantity=float(d.quantity),
            unit=f.unit,
            biomass=f.biomass,
            kgce_per_unit=f.kgce_per_unit,
            kgco2_per_unit=f.kgco2_per_unit,
            source=f.source,
        )
    return lines


@lru_cache(maxsize=1)
def _shipped_ncv() -> dict[str, float]:
    return {fuel: float(v) for fuel, v in load_fuels()["ncv_kj_per_unit"].items()}


def _ncv(fuel: str, f: FuelFactor) -> float | None:
    """The fuel's NCV [kJ/unit]: the user's, else ``fuels.csv``'s, else None."""
    return f.ncv_kj_per_unit if f.ncv_kj_per_unit is not None else _shipped_ncv().get(fuel)


def _non_co2(
    combustions: list[tuple[str, str, float, str, DirectFuel | None]], factors: dict[str, FuelFactor], gwp: GwpSet
) -> NonCo2:
    """CH4 and N2O of every combustion: ``quantity x NCV [TJ] x factor [kg/TJ]``, and their CO2e.

    ``combustions`` are ``(line, fuel, quantity, use, direct fuel or None)``. The factor is the use's own, else
    the fuel's in ``accounting.fuel_factors``, else the default of ``combustion_non_co2.csv`` for the fuel and
    use; a combustion with no factor or no NCV is an error (never a silent zero).
    """
    table = load_non_co2_factors() if combustions else {}  # a site that burns nothing (most sweeps) reads no file
    lines, ch4_t, n2o_t = {}, 0.0, 0.0
    for line, fuel, qty, use, own in combustions:
        f = factors[fuel]
        ncv = _ncv(fuel, f)
        field = f"fuel_uses.{line}" if own is not None else f"accounting.fuel_factors.{fuel}"
        if ncv is None:
            raise InputError(
                None,
                f"accounting.fuel_factors.{fuel}.ncv_kj_per_unit",
                "the fuel's net calorific value [kJ/unit], for its CH4 and N2O",
                "nothing",
            )
        default = table.get((fuel, use))
        picked = {}
        for gas in ("ch4", "n2o"):
            key = f"{gas}_kg_per_tj"
            for value, source in (
                (getattr(own, key, None), "the use's own value"),
                (getattr(f, key), f"accounting.fuel_factors.{fuel}"),
                (default[key] if default else None, default["source"] if default else ""),
            ):
                if value is not None:
                    picked[gas] = (float(value), source)
                    break
            else:
                raise InputError(
                    None,
                    f"{field}.{key}",
                    f"a {gas.upper()} factor [kg/TJ] (no default for {fuel} in {use} use in combustion_non_co2.csv)",
                    "nothing",
                )
        tj = float(qty) * ncv * 1e-9
        c, n = tj * picked["ch4"][0] / 1000.0, tj * picked["n2o"][0] / 1000.0
        ch4_t += c
        n2o_t += n
        lines[line] = NonCo2Line(
            fuel=fuel,
            use=use,
            energy_tj=tj,
            ncv_kj_per_unit=ncv,
            ch4_kg_per_tj=picked["ch4"][0],
            n2o_kg_per_tj=picked["n2o"][0],
            ch4_source=picked["ch4"][1],
            n2o_source=picked["n2o"][1],
            ch4_t=c,
            n2o_t=n,
            t_co2e=c * gwp.ch4 + n * gwp.n2o,
        )
    return NonCo2(lines=lines, ch4_t=ch4_t, n2o_t=n2o_t, gwp=gwp)


def _electricity(energy: AnnualEnergy, s: Accounting) -> ElectricityEnergy:
    """Electricity across the boundary and consumed inside it."""
    return ElectricityEnergy(
        grid_import_e_kwh=num(energy.grid_import_e_kwh),
        grid_export_e_kwh=num(energy.grid_export_e_kwh),
        re_generation_e_kwh=num(energy.re_generation_e_kwh),
        curtailed_e_kwh=num(energy.curtailed_e_kwh),
        re_consumed_e_kwh=energy.re_consumed_e_kwh if is_array(energy.re_consumed_e_kwh) else energy.re_consumed,
        chp_consumed_e_kwh=num(energy.chp_consumed_e_kwh),
        consumed_e_kwh=num(energy.grid_import_e_kwh) + energy.re_consumed_e_kwh + num(energy.chp_consumed_e_kwh)
        if is_array(energy.re_consumed_e_kwh)
        else energy.electricity_consumed_e_kwh,
        calorific_kgce_per_kwh=s.electricity_calorific_kgce_per_kwh,
        equivalent_kgce_per_kwh=s.electricity_equivalent_kgce_per_kwh,
    )


def _heat_sources(energy: AnnualEnergy, s: Accounting) -> dict[str, HeatSource]:
    """Each named source of purchased heat with the factor applied: its own, else the setting's."""
    return {
        name: HeatSource(
            gj=float(h.gj),
            ef_t_per_gj=h.ef_t_per_gj if h.ef_t_per_gj is not None else s.heat_ef_t_per_gj,
            factor_from="the source's own (ef_t_per_gj)"
            if h.ef_t_per_gj is not None
            else "accounting.heat_ef_t_per_gj (the source gives none)",
            steam=h.steam or None,
        )
        for name, h in energy.heat_purchases.items()
    }


def _heat(energy: AnnualEnergy, s: Accounting, sources: dict[str, HeatSource]) -> HeatEnergy:
    """Heat bought (named sources and not), exported and made on site from renewables."""
    return HeatEnergy(
        purchased_gj=float(energy.purchased_heat_gj) + sum(h.gj for h in energy.heat_purchases.values()),
        purchased_by_source_gj={k: h.gj for k, h in sources.items()},
        exported_gj=float(energy.exported_heat_gj),
        onsite_re_heat_gj=float(energy.onsite_re_heat_gj),
        kgce_per_gj=s.heat_kgce_per_gj,
    )


def _offset_costs(gp: GreenPower, off: Offsets) -> OffsetCosts:
    """What the green power premiums, certificates and credits cost [CNY]."""
    return OffsetCosts(
        green_power_contract_cny=gp.green_power_contract_e_kwh * gp.green_power_contract_premium_cny_per_kwh,
        green_power_direct_cny=gp.green_power_direct_e_kwh * gp.green_power_direct_premium_cny_per_kwh,
        green_certificates_cny=gp.green_certificates_mwh * gp.green_certificate_price_cny_per_mwh,
        ccer_cny=off.ccer_t * off.ccer_price_cny_per_t,
        other_credits_cny=off.other_credits_t * off.other_credits_price_cny_per_t,
        allowances_cny=off.allowances_t * off.allowances_price_cny_per_t,
    )


def _green_power(gp: GreenPower, grid_in_e_kwh: float, ef_loc: GridFactor, costs: OffsetCosts) -> GreenPowerOffset:
    """Green power covers at most the grid import (the contract first, then the direct line)."""
    covered = minimum(gp.green_power_contract_e_kwh + gp.green_power_direct_e_kwh, grid_in_e_kwh)
    return GreenPowerOffset(
        contract_e_kwh=gp.green_power_contract_e_kwh,
        direct_e_kwh=gp.green_power_direct_e_kwh,
        contract_covered_e_kwh=minimum(gp.green_power_contract_e_kwh, grid_in_e_kwh),
        covered_e_kwh=covered,
        reduction_t=covered / 1000.0 * ef_loc.ef_t_per_mwh,
        cost_cny=costs.green_power_contract_cny + costs.green_power_direct_cny,
    )


def _emissions(
    energy: AnnualEnergy,
    s: Accounting,
    lines: tuple[dict, dict, dict],
    sources: dict[str, HeatSource],
    non_co2: NonCo2,
    green: GreenPowerOffset,
    ef_loc: GridFactor,
    ef_mkt: GridFactor,
) -> Emissions:
    """Scope 1 (fossil combustion, process), scope 2 (location- and market-based), exported energy deducted."""
    fuels, bio, direct = lines
    grid_in, grid_out = num(energy.grid_import_e_kwh), num(energy.grid_export_e_kwh)
    heat_in_t = float(energy.purchased_heat_gj) * s.heat_ef_t_per_gj + sum(h.co2_t for h in sources.values())
    deduct = s.deduct_exported_energy
    return Emissions(
        scope1=Scope1(
            fuels=fuels,
            direct_fuels={k: v for k, v in direct.items() if not v.biomass},
            process_t=float(energy.process_emissions_t),
            non_co2=non_co2,
        ),
        scope2_location=Scope2Location(
            electricity_t=grid_in / 1000.0 * ef_loc.ef_t_per_mwh, heat_t=heat_in_t, factor=ef_loc
        ),
        scope2_market=Scope2Market(
            grid_import_e_kwh=grid_in,
            green_power_covered_e_kwh=green.covered_e_kwh,
            electricity_t=(grid_in - green.covered_e_kwh) / 1000.0 * ef_mkt.ef_t_per_mwh,
            heat_t=heat_in_t,
            factor=ef_mkt,
        ),
        exported_deducted=ExportedDeducted(
            enabled=deduct,
            electricity_location_t=grid_out / 1000.0 * ef_loc.ef_t_per_mwh if deduct else 0.0,
            electricity_market_t=grid_out / 1000.0 * ef_mkt.ef_t_per_mwh if deduct else 0.0,
            heat_t=energy.exported_heat_gj * s.heat_ef_t_per_gj if deduct else 0.0,
        ),
        biomass_co2_t=float(sum(v.co2_t for v in bio.values()) + sum(v.co2_t for v in direct.values() if v.biomass)),
    )


def _offsets(
    gp: GreenPower, off: Offsets, green: GreenPowerOffset, costs: OffsetCosts, ef_loc: GridFactor, emissions: Emissions
) -> OffsetsAccount:
    """Certificates cover at most the import green power leaves uncovered; credits and allowances count as
    surrendered; reductions beyond the gross emissions are reported as over-offset."""
    usable_mwh = minimum(gp.green_certificates_mwh, emissions.scope2_market.uncovered_e_kwh / 1000.0)
    return OffsetsAccount(
        valued_at=ef_loc,
        green_power=green,
        green_certificates=CertificateOffset(
            certificates_mwh=gp.green_certificates_mwh,
            usable_mwh=usable_mwh,
            reduction_t=usable_mwh * ef_loc.ef_t_per_mwh,
            cost_cny=costs.green_certificates_cny,
        ),
        ccer=CreditOffset(t=off.ccer_t, cost_cny=costs.ccer_cny),
        other_credits=CreditOffset(t=off.other_credits_t, cost_cny=costs.other_credits_cny),
        allowances=CreditOffset(t=off.allowances_t, cost_cny=costs.allowances_cny),
        costs=costs,
        gross_t=emissions.gross_location_t,
    )


def _capped_share(part: float, whole: float, what: str) -> float:
    """``part / whole`` capped at 1 [fraction]. Green power covers at most the grid import and certificates at most
    what it leaves, so the share exceeds 1 by rounding only: more is a bug the cap would hide."""
    share = div(part, whole)
    worst = float(np.max(share, initial=0.0)) if is_array(share) else share
    if worst > 1.0 + SHARE_ROUNDING:
        raise BalanceError(
            f"renewable electricity share {what} is {worst:.9g} before its cap at 1: green power or "
            f"certificates count more than the grid import"
        )
    return minimum(1.0, share)


def _shares(electricity: ElectricityEnergy, offsets: OffsetsAccount) -> ElectricityShares:
    """Renewable shares of electricity: on site, with green power, with certificates too."""
    re_cons, elec = electricity.re_consumed_e_kwh, electricity.consumed_e_kwh
    green = offsets.green_power.covered_e_kwh
    return ElectricityShares(
        onsite=div(re_cons, elec),
        with_green_power=_capped_share(re_cons + green, elec, "with green power"),
        with_certificates=_capped_share(
            re_cons + green + offsets.green_certificates.usable_mwh * 1000.0, elec, "with certificates"
        ),
    )


def _unit_energy_carbon(
    s: Accounting, energy: EnergyAccount, emissions: Emissions, green: GreenPowerOffset
) -> UnitEnergyCarbon:
    """Emissions / energy for every numerator (location, after green power, market) and tce basis."""
    total = {b: energy.total_tce(b) for b in ("calorific", "equivalent")}
    gross, gross_co2e = emissions.gross_location_t, emissions.gross_location_t_co2e
    numerator = {"location": gross, "after_green_power": gross - green.reduction_t, "market": emissions.gross_market_t}
    numerator_co2e = {
        "location": gross_co2e,
        "after_green_power": gross_co2e - green.reduction_t,
        "market": emissions.gross_market_t_co2e,
    }
    return UnitEnergyCarbon(
        basis=s.unit_energy_carbon_basis,
        tce_basis=s.unit_energy_carbon_tce_basis,
        numerator_t=numerator[s.unit_energy_carbon_basis],
        by_variant={f"{n}_{b}": div(v, total[b]) for n, v in numerator.items() for b in total},
        by_variant_t_co2e={f"{n}_{b}": div(v, total[b]) for n, v in numerator_co2e.items() for b in total},
    )


def _factors(
    s: Accounting,
    fuel_factors: dict[str, FuelFactor],
    lines: tuple[dict, dict, dict],
    sources: dict[str, HeatSource],
    gwp: GwpSet,
    ef_loc: GridFactor,
    ef_mkt: GridFactor,
) -> Factors:
    """Every coefficient used, with its source: the fuels in the order they were burnt (boilers, biomass, uses)."""
    fuels, bio, direct = lines
    k_eq = s.electricity_equivalent_kgce_per_kwh
    burnt = dict.fromkeys([*fuels, *bio, *(v.fuel for v in direct.values())])
    return Factors(
        electricity_calorific_kgce_per_kwh=SourcedFactor(
            value=s.electricity_calorific_kgce_per_kwh, source="GB/T 2589-2020 (当量值) [confirmed]"
        ),
        electricity_equivalent_kgce_per_kwh=SourcedFactor(
            value=k_eq,
            source=ELECTRICITY_EQUIVALENT_DEFAULT_SOURCE
            if k_eq == ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH
            else "user value (accounting.electricity_equivalent_kgce_per_kwh)",
        ),
        heat_kgce_per_gj=SourcedFactor(value=s.heat_kgce_per_gj, source="GB/T 2589 heat 0.03412 kgce/MJ [secondary]"),
        heat_ef_t_per_gj=SourcedFactor(
            value=s.heat_ef_t_per_gj,
            source="GB/T 32150-2015 default [secondary]"
            if s.heat_ef_t_per_gj == HEAT_EF_T_PER_GJ
            else "user value (accounting.heat_ef_t_per_gj)",
            applies_to="purchased heat of no named source, sources that give no factor, and exported heat",
        ),
        purchased_heat=sources,
        gwp=gwp,
        grid_location=ef_loc,
        grid_market_residual=ef_mkt,
        fuels={
            k: FuelCoefficients(
                unit=fuel_factors[k].unit,
                kgco2_per_unit=fuel_factors[k].kgco2_per_unit,
                kgce_per_unit=fuel_factors[k].kgce_per_unit,
                ncv_kj_per_unit=_ncv(k, fuel_factors[k]),
                source=fuel_factors[k].source,
            )
            for k in burnt
        },
    )


def account(
    energy: AnnualEnergy,
    settings: Accounting | None = None,
    green_power: GreenPower | None = None,
    offsets: Offsets | None = None,
    grid_emission_factor: EmissionFactorChoice | None = None,
) -> AccountingResult:
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
    AccountingResult
        Frozen records: ``factors`` (every coefficient with its source: the factor used for each purchased-heat
        source, each fuel's NCV / kgce pair, the GWP set), ``energy``, ``emissions`` (``non_co2``: CH4 and N2O
        by combustion line), ``offsets``, ``residual_emissions_t`` (tCO2) and ``residual_emissions_t_co2e``,
        ``unit_energy_carbon``, ``warnings`` (fuels whose kgce and NCV disagree by more than
        :data:`KGCE_NCV_TOLERANCE`) and the flat ``kpis`` (see :func:`accounting_kpis`). Its ``to_dict()`` is
        ``accounting.json``. The ``..._t`` emissions are tCO2; the ``..._t_co2e`` add CH4 and N2O.

    Raises
    ------
    InputError
        An unknown fuel, a grid factor not shipped, or a combustion with no NCV or no CH4 / N2O factor.
    BalanceError
        A renewable share above 1 before its cap (green power or certificates counted beyond the grid import).
    """
    s = settings or Accounting()
    gp = green_power or GreenPower()
    off = offsets or Offsets()
    loc_spec = (
        s.location_emission_factor
        if s.location_emission_factor is not None
        else (grid_emission_factor if grid_emission_factor is not None else "national_2022")
    )
    ef_loc = _resolved_ef(loc_spec, "accounting.location_emission_factor")
    ef_mkt = _resolved_ef(s.market_emission_factor, "accounting.market_emission_factor")
    fuel_factors = {**load_fuel_factors(), **s.fuel_factors}
    gwp = GwpSet(name=s.gwp, **GWP[s.gwp])

    lines = (
        _fuel_lines(energy.fuels, fuel_factors, False, "fuels"),
        _fuel_lines(energy.biomass_fuels, fuel_factors, True, "biomass_fuels"),
        _direct_lines(energy.direct_fuels, fuel_factors),
    )
    fuels, bio, direct = lines
    non_co2 = _non_co2(
        [(k, k, v.quantity, "stationary", None) for k, v in {**fuels, **bio}.items()]
        + [(k, v.fuel, v.quantity, v.use, energy.direct_fuels[k]) for k, v in direct.items()],
        fuel_factors,
        gwp,
    )
    sources = _heat_sources(energy, s)
    electricity = _electricity(energy, s)
    costs = _offset_costs(gp, off)
    green = _green_power(gp, electricity.grid_import_e_kwh, ef_loc, costs)
    emissions = _emissions(energy, s, lines, sources, non_co2, green, ef_loc, ef_mkt)
    offset = _offsets(gp, off, green, costs, ef_loc, emissions)
    energy_account = EnergyAccount(
        electricity=electricity,
        fuels=fuels,
        biomass=bio,
        direct_fuels=direct,
        heat=_heat(energy, s, sources),
        shares=_shares(electricity, offset),
    )
    factors = _factors(s, fuel_factors, lines, sources, gwp, ef_loc, ef_mkt)
    return AccountingResult(
        inputs=AccountingInputs(energy=energy, green_power=gp, offsets=off),
        factors=factors,
        energy=energy_account,
        emissions=emissions,
        offsets=offset,
        unit_energy_carbon=_unit_energy_carbon(s, energy_account, emissions, green),
        warnings=tuple(c.warning(k) for k, c in factors.fuels.items() if c.consistent is False),
    )


ANNUAL_ENERGY_KPIS = (
    "grid_import_e_kwh",
    "grid_export_e_kwh",
    "re_generation_e_kwh",
    "curtailed_e_kwh",
    "re_consumed_e_kwh",
)
"""The electric KPIs :func:`annual_energy_arrays` reads (as :meth:`AnnualEnergy.from_kpis` does for one run)."""


def annual_energy_arrays(kpis: Any, **extra: Any) -> AnnualEnergy:
    """The year's energy of N cases at once, for :func:`account` over arrays: each electric quantity an array of
    shape (N,), everything else (``extra``: fuels, heat, process emissions) one value shared by every case.

    Parameters
    ----------
    kpis : mapping or DataFrame
        Flat KPIs of the cases, one array (column) per name of :data:`ANNUAL_ENERGY_KPIS`.
    **extra
        Further fields of :class:`AnnualEnergy`, validated once.

    Returns
    -------
    AnnualEnergy
        The record with its electric fields as arrays (validated here, field by field, since the model checks
        numbers only).

    Raises
    ------
    InputError
        A KPI missing, not one number per case, negative or not finite.
    """
    shared = AnnualEnergy(grid_import_e_kwh=0.0, re_consumed_e_kwh=0.0, **extra)  # every field but the arrays
    cols = {}
    n = None
    for key in ANNUAL_ENERGY_KPIS:
        if key not in kpis:
            raise InputError(None, f"kpis.{key}", "an annual KPI of every case", "missing")
        v = np.asarray(kpis[key], dtype=float)
        if v.ndim != 1 or (n is not None and len(v) != n):
            raise InputError(None, f"kpis.{key}", f"one number per case ({n or 'N'} values)", f"shape {v.shape}")
        if not np.all(np.isfinite(v) & (v >= 0)):
            raise InputError(None, f"kpis.{key}", "finite values >= 0", f"{v[~(np.isfinite(v) & (v >= 0))][0]!r}")
        n = len(v)
        cols[key] = v
    return AnnualEnergy.model_construct(**{**dict(shared), **cols})


def fuel_uses_year(
    uses: list[FuelUse],
    base_dir: str | Path,
    n_hours: int,
    fuel_factors: dict[str, FuelFactor] | None = None,
    field: str = "fuel_uses",
) -> dict[str, dict]:
    """The year of a site's ``fuel_uses``: profiles read and summed, quantities in their coefficients' units.

    Parameters
    ----------
    uses : list of FuelUse
    base_dir : path
        The scenario file's folder; profiles resolve against it (:func:`lingtan.paths.resolve_input`).
    n_hours : int
        Rows a profile must have (the simulated year's hours).
    fuel_factors : dict, optional
        ``accounting.fuel_factors``: fuels of the user's own, with their units.
    field : str
        Field path prefix for errors.

    Returns
    -------
    dict
        ``{name: record}`` of :func:`lingtan.components.fuel_use.fuel_use_totals`.
    """
    from lingtan.paths import resolve_input

    table = load_fuels()
    units = {
        fuel: (
            str(row["unit"]),
            float(row["density_kg_per_l"]) if "density_kg_per_l" in row and pd.notna(row["density_kg_per_l"]) else None,
            str(row.get("density_source", "")) if pd.notna(row.get("density_source", None)) else "",
        )
        for fuel, row in table.iterrows()
        if fuel != "electric"
    }
    units.update({fuel: (f.unit, None, "") for fuel, f in (fuel_factors or {}).items()})
    year = {}
    for i, use in enumerate(uses):
        if use.path is None:
            year[use.name] = float(use.quantity_per_year)
        else:
            path = resolve_input(base_dir, use.path, field=f"{field}[{i}].path")
            year[use.name] = float(read_profile(path, use, n_hours, f"{field}[{i}].path").sum())
    return fuel_use_totals(uses, year, units, field)


def fuel_use_energy(records: dict[str, dict]) -> dict[str, Any]:
    """The :class:`AnnualEnergy` fields of a year of fuel uses (:func:`fuel_uses_year`): fuels burnt outside the
    boilers as ``direct_fuels``, steam bought by mass as ``heat_purchases``.

    Parameters
    ----------
    records : dict of str to dict
        The year's fuel uses by name (:func:`fuel_uses_year`).

    Returns
    -------
    dict
        ``direct_fuels`` and ``heat_purchases``, ready for :class:`AnnualEnergy`.
    """
    direct = {
        name: DirectFuel(
            fuel=r["fuel"],
            quantity=r["quantity"],
            use=r["use"],
            ch4_kg_per_tj=r["ch4_kg_per_tj"],
            n2o_kg_per_tj=r["n2o_kg_per_tj"],
        )
        for name, r in records.items()
        if r["fuel"] != STEAM
    }
    steam = {
        name: HeatPurchase(
            gj=r["gj"],
            ef_t_per_gj=r["ef_t_per_gj"],
            steam={
                k: r[k]
                for k in (
                    "quantity",
                    "unit",
                    "pressure_mpa",
                    "t_c",
                    "h_steam_kj_per_kg",
                    "h_reference_kj_per_kg",
                    "reference",
                    "method",
                )
            },
        )
        for name, r in records.items()
        if r["fuel"] == STEAM
    }
    return {"direct_fuels": direct, "heat_purchases": steam}


def accounting_kpis(result: AccountingResult) -> dict[str, float]:
    """The flat KPIs of an :func:`account` result as the mapping the criteria read (``{name: value}``).

    Parameters
    ----------
    result : AccountingResult
        The output of :func:`account`.

    Returns
    -------
    dict of str to float
        KPI name to value (units in the names).
    """
    return result.kpis.to_dict()


__all__ = [
    "AnnualEnergy",
    "Accounting",
    "GreenPower",
    "Offsets",
    "FuelFactor",
    "DirectFuel",
    "HeatPurchase",
    "account",
    "annual_energy_arrays",
    "ANNUAL_ENERGY_KPIS",
    "accounting_kpis",
    "AccountingResult",
    "AccountingKpis",
    "AccountingInputs",
    "Factors",
    "SourcedFactor",
    "GridFactor",
    "GwpSet",
    "FuelCoefficients",
    "HeatSource",
    "EnergyAccount",
    "ElectricityEnergy",
    "HeatEnergy",
    "FuelLine",
    "DirectFuelLine",
    "ElectricityShares",
    "RenewableEnergy",
    "Emissions",
    "Scope1",
    "NonCo2",
    "NonCo2Line",
    "Scope2Location",
    "Scope2Market",
    "ExportedDeducted",
    "OffsetsAccount",
    "GreenPowerOffset",
    "CertificateOffset",
    "CreditOffset",
    "OffsetCosts",
    "UnitEnergyCarbon",
    "fuel_uses_year",
    "fuel_use_energy",
    "GWP",
    "load_fuel_factors",
    "ELECTRICITY_CALORIFIC_KGCE_PER_KWH",
    "ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH",
    "HEAT_EF_T_PER_GJ",
    "HEAT_KGCE_PER_GJ",
    "EXPORTED_ENERGY_RULE",
]
