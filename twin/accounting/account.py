"""Annual energy and carbon accounting: GB/T 2589-2020 energy, GB/T 32150-2015 emissions, offsets.

Pure functions on an :class:`AnnualEnergy` (the year's totals, from the twin's KPIs or typed
in by hand) and the scenario-side settings :class:`Accounting`, :class:`GreenPower` and
:class:`Offsets`. :func:`account` returns one nested, JSON-serialisable dict that carries every
intermediate number together with the factor and the source used, and a flat ``kpis`` block
that the criteria packs read (:mod:`lingtan.twin.accounting.criteria`).

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
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from lingtan.components.fuel_use import STEAM, FuelUse, fuel_use_totals, load_non_co2_factors, read_profile
from lingtan.components.grid import EMISSION_FACTORS_CSV, emission_factor_t_per_mwh, load_emission_factors
from lingtan.components.heat import FUELS_CSV, load_fuels
from lingtan.errors import InputError
from lingtan.twin.core.schema.accounting import Accounting, AnnualEnergy, DirectFuel, ELECTRICITY_CALORIFIC_KGCE_PER_KWH, ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH, ELECTRICITY_EQUIVALENT_DEFAULT_SOURCE, EXPORTED_ENERGY_RULE, EmissionFactorChoice, FuelFactor, GWP, GreenPower, HEAT_EF_T_PER_GJ, HEAT_KGCE_PER_GJ, HeatPurchase, KGCE_NCV_TOLERANCE, KJ_PER_KGCE, Offsets, _FUEL_COLUMNS

"""Fuel coefficients shipped with ``components/`` (NCV, kgce, kgCO2 per physical unit)."""

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
    are left out. Raises :class:`~lingtan.errors.InputError` for a malformed table.
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


def _direct_lines(direct: dict[str, DirectFuel], factors: dict[str, FuelFactor]) -> dict[str, dict[str, Any]]:
    """Fuel uses outside the boilers, one line each (tce and CO2 as boiler fuel; biomass CO2 kept apart)."""
    lines = {}
    for name, d in direct.items():
        f = factors.get(d.fuel)
        if f is None:
            raise InputError(None, f"fuel_uses.{name}.fuel", f"a fuel of fuels.csv or accounting.fuel_factors: "
                             f"{', '.join(sorted(factors))}", repr(d.fuel))
        lines[name] = {
            "fuel": d.fuel, "use": d.use, "quantity": float(d.quantity), "unit": f.unit, "biomass": f.biomass,
            "kgce_per_unit": f.kgce_per_unit, "tce": float(d.quantity) * f.kgce_per_unit / 1000.0,
            "kgco2_per_unit": f.kgco2_per_unit, "co2_t": float(d.quantity) * f.kgco2_per_unit / 1000.0,
            "source": f.source,
        }
    return lines


@lru_cache(maxsize=1)
def _shipped_ncv() -> dict[str, float]:
    return {fuel: float(v) for fuel, v in load_fuels()["ncv_kj_per_unit"].items()}


def _non_co2(combustions: list[tuple[str, str, float, str, DirectFuel | None]], factors: dict[str, FuelFactor],
             gwp: dict[str, Any]) -> dict[str, Any]:
    """CH4 and N2O of every combustion: ``quantity x NCV [TJ] x factor [kg/TJ]``, and their CO2e.

    ``combustions`` are ``(line, fuel, quantity, use, direct fuel or None)``. The factor is the use's own, else
    the fuel's in ``accounting.fuel_factors``, else the default of ``combustion_non_co2.csv`` for the fuel and
    use; a combustion with no factor or no NCV is an error (never a silent zero).
    """
    table = load_non_co2_factors()
    ncvs = _shipped_ncv()
    lines, ch4_t, n2o_t = {}, 0.0, 0.0
    for line, fuel, qty, use, own in combustions:
        f = factors[fuel]
        ncv = f.ncv_kj_per_unit if f.ncv_kj_per_unit is not None else ncvs.get(fuel)
        field = f"fuel_uses.{line}" if own is not None else f"accounting.fuel_factors.{fuel}"
        if ncv is None:
            raise InputError(None, f"accounting.fuel_factors.{fuel}.ncv_kj_per_unit",
                             "the fuel's net calorific value [kJ/unit], for its CH4 and N2O", "nothing")
        default = table.get((fuel, use))
        picked = {}
        for gas in ("ch4", "n2o"):
            key = f"{gas}_kg_per_tj"
            for value, source in ((getattr(own, key, None), "the use's own value"),
                                  (getattr(f, key), f"accounting.fuel_factors.{fuel}"),
                                  (default[key] if default else None, default["source"] if default else "")):
                if value is not None:
                    picked[gas] = (float(value), source)
                    break
            else:
                raise InputError(None, f"{field}.{key}", f"a {gas.upper()} factor [kg/TJ] (no default for {fuel} in "
                                 f"{use} use in combustion_non_co2.csv)", "nothing")
        tj = float(qty) * ncv * 1e-9
        c, n = tj * picked["ch4"][0] / 1000.0, tj * picked["n2o"][0] / 1000.0
        ch4_t += c
        n2o_t += n
        lines[line] = {"fuel": fuel, "use": use, "energy_tj": tj, "ncv_kj_per_unit": ncv,
                       "ch4_kg_per_tj": picked["ch4"][0], "n2o_kg_per_tj": picked["n2o"][0],
                       "ch4_source": picked["ch4"][1], "n2o_source": picked["n2o"][1], "ch4_t": c, "n2o_t": n,
                       "t_co2e": c * gwp["ch4"] + n * gwp["n2o"]}
    return {"lines": lines, "ch4_t": ch4_t, "n2o_t": n2o_t,
            "ch4_t_co2e": ch4_t * gwp["ch4"], "n2o_t_co2e": n2o_t * gwp["n2o"],
            "t_co2e": ch4_t * gwp["ch4"] + n2o_t * gwp["n2o"]}


def _kgce_ncv_pair(fuel: str, f: FuelFactor) -> dict[str, Any]:
    """A fuel's NCV and kgce coefficient side by side, with the kJ per kgce they imply (GB/T 2589: 29 307)."""
    ncv = f.ncv_kj_per_unit if f.ncv_kj_per_unit is not None else _shipped_ncv().get(fuel)
    if ncv is None or f.kgce_per_unit <= 0:
        return {"ncv_kj_per_unit": ncv, "kgce_per_unit": f.kgce_per_unit, "implied_kj_per_kgce": None}
    gap = f.kgce_per_unit * KJ_PER_KGCE / ncv - 1.0
    return {"ncv_kj_per_unit": ncv, "kgce_per_unit": f.kgce_per_unit, "implied_kj_per_kgce": ncv / f.kgce_per_unit,
            "tce_gap_to_ncv": gap, "consistent": abs(gap) <= KGCE_NCV_TOLERANCE}


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
        JSON-serialisable: ``inputs``, ``factors`` (every coefficient with its source: the factor used
        for each purchased-heat source, each fuel's NCV / kgce pair, the GWP set), ``energy``,
        ``emissions`` (with ``non_co2``: CH4 and N2O by combustion line), ``offsets``,
        ``residual_emissions_t`` (tCO2) and ``residual_emissions_t_co2e``,
        ``unit_energy_carbon_t_per_tce``, ``warnings`` (fuels whose kgce and NCV disagree by more
        than :data:`KGCE_NCV_TOLERANCE`) and a flat ``kpis`` dict (see :func:`accounting_kpis`).
        The ``..._t`` emission keys are tCO2; the ``..._t_co2e`` keys add CH4 and N2O.

    Raises
    ------
    InputError
        An unknown fuel, a grid factor not shipped, or a combustion with no NCV or no CH4 / N2O factor.
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
    direct = _direct_lines(energy.direct_fuels, fuel_factors)
    fossil_direct = {k: v for k, v in direct.items() if not v["biomass"]}
    fuels_tce = float(sum(v["tce"] for v in fuels.values()) + sum(v["tce"] for v in fossil_direct.values()))
    bio_tce = float(sum(v["tce"] for v in bio.values()) +
                    sum(v["tce"] for v in direct.values() if v["biomass"]))
    coal_tce = float(sum(v["tce"] for k, v in fuels.items() if "coal" in k.lower()) +
                     sum(v["tce"] for v in fossil_direct.values() if "coal" in v["fuel"].lower()))
    heat_in_gj = float(energy.purchased_heat_gj) + sum(h.gj for h in energy.heat_purchases.values())
    heat_in_tce = heat_in_gj * s.heat_kgce_per_gj / 1000.0
    heat_out_tce = energy.exported_heat_gj * s.heat_kgce_per_gj / 1000.0
    re_heat_tce = energy.onsite_re_heat_gj * s.heat_kgce_per_gj / 1000.0
    non_elec_tce = fuels_tce + bio_tce + heat_in_tce - heat_out_tce + re_heat_tce
    total = {b: elec * k / 1000.0 + non_elec_tce for b, k in (("calorific", k_cal), ("equivalent", k_eq))}
    re_tce = {b: re_cons * k / 1000.0 + bio_tce + re_heat_tce for b, k in (("calorific", k_cal), ("equivalent", k_eq))}
    re_elec_tce = {b: re_cons * k / 1000.0 for b, k in (("calorific", k_cal), ("equivalent", k_eq))}

    # ---- emissions (GB/T 32150)
    combustion_t = float(sum(v["co2_t"] for v in fuels.values()) + sum(v["co2_t"] for v in fossil_direct.values()))
    biomass_co2_t = float(sum(v["co2_t"] for v in bio.values()) +
                          sum(v["co2_t"] for v in direct.values() if v["biomass"]))
    process_t = float(energy.process_emissions_t)
    scope1_t = combustion_t + process_t
    heat_sources = {name: {"gj": float(h.gj), "ef_t_per_gj": h.ef_t_per_gj if h.ef_t_per_gj is not None
                           else s.heat_ef_t_per_gj,
                           "factor_from": "the source's own (ef_t_per_gj)" if h.ef_t_per_gj is not None
                           else "accounting.heat_ef_t_per_gj (the source gives none)",
                           **({"steam": h.steam} if h.steam else {})}
                    for name, h in energy.heat_purchases.items()}
    for h in heat_sources.values():
        h["co2_t"] = h["gj"] * h["ef_t_per_gj"]
    heat_in_t = float(energy.purchased_heat_gj) * s.heat_ef_t_per_gj + sum(h["co2_t"] for h in heat_sources.values())
    gwp = GWP[s.gwp]
    non_co2 = _non_co2([(k, k, v["quantity"], "stationary", None) for k, v in {**fuels, **bio}.items()] +
                       [(k, v["fuel"], v["quantity"], v["use"], energy.direct_fuels[k]) for k, v in direct.items()],
                       fuel_factors, gwp)
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
    scope1_co2e = scope1_t + non_co2["t_co2e"]
    gross_loc_co2e = gross_loc + non_co2["t_co2e"]
    gross_mkt_co2e = gross_mkt + non_co2["t_co2e"]

    # ---- offsets (valued at the location-based factor)
    green_t = green_covered / 1000.0 * ef_loc["ef_t_per_mwh"]
    cert_t = cert_usable_mwh * ef_loc["ef_t_per_mwh"]
    credits_t = off.ccer_t + off.other_credits_t
    reductions = green_t + cert_t + credits_t + off.allowances_t
    residual = max(0.0, gross_loc - reductions)
    residual_co2e = max(0.0, gross_loc_co2e - reductions)
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
    numerator_co2e = {"location": gross_loc_co2e, "after_green_power": gross_loc_co2e - green_t,
                      "market": gross_mkt_co2e}
    uec_co2e = {f"{n}_{b}": _div(v, total[b]) for n, v in numerator_co2e.items() for b in total}
    uec_co2e_value = uec_co2e[f"{s.unit_energy_carbon_basis}_{s.unit_energy_carbon_tce_basis}"]
    pairs = {k: _kgce_ncv_pair(k, fuel_factors[k]) for k in {**fuels, **bio}} | \
        {v["fuel"]: _kgce_ncv_pair(v["fuel"], fuel_factors[v["fuel"]]) for v in direct.values()}
    warnings = [f"{k}: kgce coefficient {p['kgce_per_unit']} with NCV {p['ncv_kj_per_unit']:g} kJ/unit counts its "
                f"energy {100 * p['tce_gap_to_ncv']:+.1f} % in tce against the NCV (GB/T 2589: 29 307 kJ per kgce, "
                f"{p['implied_kj_per_kgce']:,.0f} here)" for k, p in pairs.items() if p.get("consistent") is False]

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
        "ch4_t": non_co2["ch4_t"],
        "n2o_t": non_co2["n2o_t"],
        "non_co2_t_co2e": non_co2["t_co2e"],
        "scope1_t_co2e": scope1_co2e,
        "gross_emissions_t_co2e": gross_loc_co2e,
        "gross_emissions_market_t_co2e": gross_mkt_co2e,
        "residual_emissions_t_co2e": residual_co2e,
        "unit_energy_carbon_t_co2e_per_tce": uec_co2e_value,
        # inputs the criteria recombine into their own variants (lingtan.twin.accounting.criteria.packs)
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
            "heat_ef_t_per_gj": {"value": s.heat_ef_t_per_gj,
                                 "source": "GB/T 32150-2015 default [secondary]" if s.heat_ef_t_per_gj == HEAT_EF_T_PER_GJ
                                 else "user value (accounting.heat_ef_t_per_gj)",
                                 "applies_to": "purchased heat of no named source, sources that give no factor, "
                                               "and exported heat"},
            "purchased_heat": heat_sources,
            "gwp": {"set": s.gwp, **gwp},
            "grid_location": ef_loc,
            "grid_market_residual": ef_mkt,
            "fuels": {k: {"unit": fuel_factors[k].unit, "kgco2_per_unit": fuel_factors[k].kgco2_per_unit,
                          **pairs[k], "source": fuel_factors[k].source} for k in pairs},
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
            "direct_fuels": direct,
            "heat": {"purchased_gj": heat_in_gj, "purchased_by_source_gj": {k: h["gj"] for k, h in heat_sources.items()},
                     "exported_gj": float(energy.exported_heat_gj),
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
                                      for k, v in {**fuels, **fossil_direct}.items()},
                       "combustion_t": combustion_t, "process_t": process_t, "total_t": scope1_t,
                       "non_co2_t_co2e": non_co2["t_co2e"], "total_t_co2e": scope1_co2e},
            "non_co2": {**non_co2, "gwp": {"set": s.gwp, **gwp},
                        "method": "fuel x NCV [TJ] x CH4 / N2O factor [kg/TJ] (2006 IPCC Tier 1), x GWP-100; "
                                  "biomass CH4 and N2O count (only biomass CO2 is kept apart)"},
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
            "gross_location_t_co2e": gross_loc_co2e,
            "gross_market_t_co2e": gross_mkt_co2e,
            "co2e_note": "CO2e = CO2 + CH4 and N2O of combustion at the GWP set named; the grid and heat factors are "
                         "CO2 factors, so scope 2 is the same in CO2 and CO2e",
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
        "gross_emissions_t_co2e": gross_loc_co2e,
        "residual_emissions_t_co2e": residual_co2e,
        "unit_energy_carbon_t_per_tce": uec_value,
        "unit_energy_carbon_variant": {"basis": s.unit_energy_carbon_basis, "tce_basis": s.unit_energy_carbon_tce_basis,
                                       "all": uec, "all_t_co2e_per_tce": uec_co2e},
        "warnings": warnings,
        "kpis": kpis,
    }


def fuel_uses_year(uses: list[FuelUse], base_dir: str | Path, n_hours: int,
                   fuel_factors: dict[str, FuelFactor] | None = None, field: str = "fuel_uses") -> dict[str, dict]:
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
    units = {fuel: (str(row["unit"]), float(row["density_kg_per_l"]) if "density_kg_per_l" in row
                    and pd.notna(row["density_kg_per_l"]) else None,
                    str(row.get("density_source", "")) if pd.notna(row.get("density_source", None)) else "")
             for fuel, row in table.iterrows() if fuel != "electric"}
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
    boilers as ``direct_fuels``, steam bought by mass as ``heat_purchases``."""
    direct = {name: DirectFuel(fuel=r["fuel"], quantity=r["quantity"], use=r["use"], ch4_kg_per_tj=r["ch4_kg_per_tj"],
                               n2o_kg_per_tj=r["n2o_kg_per_tj"])
              for name, r in records.items() if r["fuel"] != STEAM}
    steam = {name: HeatPurchase(gj=r["gj"], ef_t_per_gj=r["ef_t_per_gj"],
                                steam={k: r[k] for k in ("quantity", "unit", "pressure_mpa", "t_c", "h_steam_kj_per_kg",
                                                         "h_reference_kj_per_kg", "reference", "method")})
             for name, r in records.items() if r["fuel"] == STEAM}
    return {"direct_fuels": direct, "heat_purchases": steam}


def accounting_kpis(result: dict[str, Any]) -> dict[str, float]:
    """The flat KPI block of an :func:`account` result (keys the criteria read)."""
    return dict(result["kpis"])


__all__ = ["AnnualEnergy", "Accounting", "GreenPower", "Offsets", "FuelFactor", "DirectFuel", "HeatPurchase",
           "account", "accounting_kpis", "fuel_uses_year", "fuel_use_energy", "GWP",
           "load_fuel_factors", "ELECTRICITY_CALORIFIC_KGCE_PER_KWH", "ELECTRICITY_EQUIVALENT_DEFAULT_KGCE_PER_KWH",
           "HEAT_EF_T_PER_GJ", "HEAT_KGCE_PER_GJ", "EXPORTED_ENERGY_RULE"]
