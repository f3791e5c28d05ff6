"""Energy used outside the heat dispatch: fuel burnt directly and steam bought by mass.

Diesel forklifts, petrol cars, LPG kilns, coal stoves and gensets burn fuel that serves no heat
demand of the twin; a factory that buys steam for a process the twin does not model pays for it by
the tonne. Each is a ``fuel_uses[i]`` entry: a quantity per year or an hourly profile, in t, kg, m3
or L. They count in energy (tce, GB/T 2589) and in emissions (scope 1 combustion for fuels,
scope 2 purchased heat for steam) and add no heat or electric demand.

Conversions
-----------
* Volume to mass for liquid fuels: ``kg = L x density_kg_per_l`` (``m3`` = 1000 L), the use's own
  density or the shipped default of ``fuels.csv`` (``density_kg_per_l``, with its source).
  Natural gas is counted in m3 (standard cubic metres, as its NCV).
* Steam by mass to heat, IAPWS-IF97 through the ``iapws`` library:
  ``GJ = mass_kg x (h_steam(p, t) - h_reference) / 1e6`` [kJ/kg]. The reference is the feed
  (return) water. Default 83.74 kJ/kg, the enthalpy of water at 20 C that the NDRC enterprise GHG
  accounting guidelines use in ``AD_steam = Ma x (En - 83.74) x 1e-3`` GJ (e.g. the chemical and
  iron-and-steel sector guidelines, 2013; recalled by the project, not in ``shared/facts``:
  **assumed**); give ``return_t_c`` to use the IF97 enthalpy of the actual return water instead.

References
----------
.. [1] IAPWS R7-97(2012), Revised Release on the IAPWS Industrial Formulation 1997 for the
   Thermodynamic Properties of Water and Steam; implemented by ``iapws`` (J. J. Gómez Romera).
.. [2] GB/T 2589-2020 (comprehensive energy consumption) and GB/T 32150-2015 (GHG accounting
   for industrial enterprises): coefficients in ``components/data/fuels.csv``.
.. [3] 2006 IPCC Guidelines, Vol. 2, Ch. 2 (stationary) and Ch. 3 (mobile combustion): CH4 and
   N2O defaults in ``components/data/combustion_non_co2.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.errors import InputError, require_file
from lingtan.limits import MAX_DATA_FILE_BYTES

DATA_DIR = Path(__file__).resolve().parent / "data"
NON_CO2_CSV = DATA_DIR / "combustion_non_co2.csv"

STEAM = "steam"
"""The ``fuel`` of a steam purchase."""
STEAM_REFERENCE_KJ_PER_KG = 83.74
"""Feed-water enthalpy of the NDRC sector guidelines' steam formula: water at 20 C [kJ/kg] (assumed)."""
STEAM_REFERENCE_SOURCE = (
    "83.74 kJ/kg, water at 20 C, as in AD_steam = Ma x (En - 83.74) x 1e-3 GJ of the NDRC "
    "enterprise GHG accounting guidelines (recalled, not in shared/facts) [assumed]"
)
ATMOSPHERIC_MPA = 0.101325
L_PER_M3 = 1000.0
KG_PER_T = 1000.0

Use = Literal["stationary", "road", "off_road"]
"""Which combustion the CH4 and N2O defaults are for: boilers, kilns, gensets; road vehicles; forklifts and
other off-road machinery (IPCC 2006 Vol. 2 Tables 2.3, 3.2.2, 3.3.1)."""


class SteamState(BaseModel):
    """The state of steam bought by mass, and of the water it is counted above."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pressure_mpa: float = Field(gt=0, le=100, description="absolute pressure at the meter [MPa]")
    t_c: float | None = Field(
        default=None,
        ge=0,
        le=2000,
        description="temperature at the meter [C]; None = dry saturated steam at the pressure",
    )
    return_t_c: float | None = Field(
        default=None,
        ge=0,
        le=370,
        description="feed / return water temperature [C]; None = the guidelines' 83.74 kJ/kg (water at 20 C)",
    )
    return_pressure_mpa: float = Field(
        default=ATMOSPHERIC_MPA, gt=0, le=100, description="pressure of the return water [MPa], for return_t_c"
    )


class FuelUse(BaseModel):
    """Fuel burnt outside the boilers, or steam bought by mass (``fuel: steam``).

    Attributes are the YAML keys of ``fuel_uses[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    fuel: str = Field(
        min_length=1,
        description="a fuel of components/data/fuels.csv (natural_gas, coal, diesel, "
        "gasoline, lpg, fuel_oil, biomass), one of accounting.fuel_factors, "
        "or 'steam'",
    )
    use: Use = Field(default="stationary", description="stationary, road or off_road (CH4 and N2O factors)")
    unit: Literal["t", "kg", "m3", "L"] = Field(description="unit of the quantity or of the profile's column")
    quantity_per_year: float | None = Field(default=None, ge=0, allow_inf_nan=False, description="[unit/yr]")
    path: str | None = Field(
        default=None, description="hourly profile (CSV, one row per hour), relative to the scenario file"
    )
    column: str = Field(default="quantity", description="column of the profile holding the quantity per hour")
    density_kg_per_l: float | None = Field(
        default=None,
        gt=0,
        le=2,
        description="liquid fuels given in L or m3: density [kg/L]; default the fuel's in fuels.csv",
    )
    ch4_kg_per_tj: float | None = Field(default=None, ge=0, description="own CH4 factor [kg/TJ at NCV]")
    n2o_kg_per_tj: float | None = Field(default=None, ge=0, description="own N2O factor [kg/TJ at NCV]")
    steam: SteamState | None = Field(default=None, description="fuel 'steam' only: its pressure and temperature")
    ef_t_per_gj: float | None = Field(
        default=None,
        ge=0,
        description="fuel 'steam' only: the supplier's factor [tCO2/GJ]; default accounting.heat_ef_t_per_gj",
    )

    @model_validator(mode="after")
    def _consistent(self) -> FuelUse:
        if (self.quantity_per_year is None) == (self.path is None):
            raise ValueError("give exactly one of 'quantity_per_year' or 'path' (an hourly profile)")
        if self.fuel == "electric":
            raise ValueError("electricity is a load (loads[]), not a fuel use")
        if self.fuel == STEAM:
            if self.steam is None:
                raise ValueError("fuel 'steam' needs 'steam: {pressure_mpa, t_c}' to be converted to GJ")
            if self.unit not in ("t", "kg"):
                raise ValueError(f"steam is bought by mass: unit 't' or 'kg', not {self.unit!r}")
            if self.ch4_kg_per_tj is not None or self.n2o_kg_per_tj is not None:
                raise ValueError("bought steam burns nothing on site: no CH4 or N2O factors")
        else:
            if self.steam is not None:
                raise ValueError("'steam' is for fuel 'steam' only")
            if self.ef_t_per_gj is not None:
                raise ValueError(
                    "'ef_t_per_gj' is for fuel 'steam' only (a fuel's CO2 factor is in "
                    "fuels.csv or accounting.fuel_factors)"
                )
        return self


# --------------------------------------------------------------------------- steam


def _if97(**state: float) -> Any:
    from iapws import IAPWS97

    try:
        s = IAPWS97(**state)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise ValueError(f"outside IAPWS-IF97 ({exc})") from None
    if not s.status or not math.isfinite(s.h):
        raise ValueError("outside IAPWS-IF97's range of validity")
    return s


def steam_enthalpy_kj_per_kg(pressure_mpa: float, t_c: float | None = None) -> float:
    """Specific enthalpy of steam, IAPWS-IF97 [kJ/kg].

    Parameters
    ----------
    pressure_mpa : float
        Absolute pressure [MPa].
    t_c : float, optional
        Temperature [C]; None for dry saturated steam. Below the saturation temperature the water
        is liquid, which is not steam: an error.

    Returns
    -------
    float
        Specific enthalpy [kJ/kg].

    Raises
    ------
    ValueError
        A liquid state, or a state outside IAPWS-IF97.
    """
    from iapws.iapws97 import Pc, _TSat_P

    if t_c is None:
        if pressure_mpa >= Pc:
            raise ValueError(f"no saturated steam at or above the critical pressure {Pc} MPa: give t_c")
        return float(_if97(P=pressure_mpa, x=1.0).h)
    if pressure_mpa < Pc and t_c + 273.15 < _TSat_P(pressure_mpa) - 1e-9:
        raise ValueError(
            f"water at {pressure_mpa} MPa and {t_c} C is liquid (saturation "
            f"{_TSat_P(pressure_mpa) - 273.15:.2f} C): not steam"
        )
    return float(_if97(P=pressure_mpa, T=t_c + 273.15).h)


def water_enthalpy_kj_per_kg(t_c: float, pressure_mpa: float = ATMOSPHERIC_MPA) -> float:
    """Specific enthalpy of liquid water, IAPWS-IF97.

    Parameters
    ----------
    t_c : float
        Temperature [C].
    pressure_mpa : float
        Absolute pressure [MPa]; default atmospheric.

    Returns
    -------
    float
        Specific enthalpy [kJ/kg].

    Raises
    ------
    ValueError
        A vapour state, or a state outside IAPWS-IF97.
    """
    from iapws.iapws97 import Pc, _TSat_P

    if pressure_mpa < Pc and t_c + 273.15 > _TSat_P(pressure_mpa) + 1e-9:
        raise ValueError(
            f"water at {pressure_mpa} MPa and {t_c} C is vapour (saturation "
            f"{_TSat_P(pressure_mpa) - 273.15:.2f} C): not return water"
        )
    return float(_if97(P=pressure_mpa, T=t_c + 273.15).h)


def steam_heat(mass_kg: float, state: SteamState) -> dict[str, Any]:
    """Heat of steam bought by mass, above its feed water [GJ].

    ``GJ = mass_kg x (h_steam - h_reference) / 1e6``.

    Parameters
    ----------
    mass_kg : float
        Steam bought [kg].
    state : SteamState
        Its pressure [MPa] and temperature [C], and the return water's, if declared.

    Returns
    -------
    dict
        ``gj``, ``h_steam_kj_per_kg``, ``h_reference_kj_per_kg``, ``reference`` (what the reference is)
        and ``method``.

    Raises
    ------
    ValueError
        A state outside IAPWS-IF97, liquid steam or vapour return water, or steam not above its reference.
    """
    h = steam_enthalpy_kj_per_kg(state.pressure_mpa, state.t_c)
    if state.return_t_c is None:
        h0, ref = STEAM_REFERENCE_KJ_PER_KG, STEAM_REFERENCE_SOURCE
    else:
        h0 = water_enthalpy_kj_per_kg(state.return_t_c, state.return_pressure_mpa)
        ref = f"return water at {state.return_t_c:g} C and {state.return_pressure_mpa:g} MPa, IAPWS-IF97"
    if h <= h0:
        raise ValueError(f"steam enthalpy {h:.2f} kJ/kg is not above its reference {h0:.2f} kJ/kg")
    return {
        "gj": mass_kg * (h - h0) / 1e6,
        "h_steam_kj_per_kg": h,
        "h_reference_kj_per_kg": h0,
        "reference": ref,
        "method": "IAPWS-IF97 (iapws library)",
    }


# --------------------------------------------------------------------------- quantities


def read_profile(path: Path, use: FuelUse, n_hours: int, field: str) -> np.ndarray:
    """An hourly quantity profile of one fuel use.

    Parameters
    ----------
    path : Path
        The resolved CSV file.
    use : FuelUse
        The use; its ``column`` and ``unit``.
    n_hours : int
        Rows expected (the weather year's length).
    field : str
        Field path of the file, named in errors (``fuel_uses[0].path``).

    Returns
    -------
    ndarray
        Quantity of each hour [use.unit per hour], ``n_hours`` values.

    Raises
    ------
    InputError
        Missing file or column, wrong row count, non-numeric, missing or negative values.
    """
    require_file(path, field, "an existing CSV file", max_bytes=MAX_DATA_FILE_BYTES)
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise InputError(path, "file", "a readable CSV table", f"unparseable content ({err})") from None
    if use.column not in frame.columns:
        raise InputError(
            path,
            f"column {use.column}",
            f"a column with the quantity per hour [{use.unit}]",
            f"columns {list(frame.columns)}",
        )
    if len(frame) != n_hours:
        raise InputError(
            path, f"column {use.column}", f"{n_hours} hourly rows (one per hour of the year)", f"{len(frame)} rows"
        )
    values = pd.to_numeric(frame[use.column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~(np.isfinite(values) & (values >= 0)))
    if bad.size:
        raise InputError(
            path,
            f"column {use.column}, row {bad[0] + 2}",
            f"a quantity >= 0 [{use.unit}]",
            f"{frame[use.column].iloc[bad[0]]!r} ({bad.size} such rows)",
        )
    return values


def to_fuel_unit(
    quantity: float, use: FuelUse, fuel_unit: str, default_density: float | None, density_source: str, field: str
) -> dict[str, Any]:
    """A quantity in the use's unit converted to the unit of the fuel's coefficients.

    ``fuel_unit`` is ``m3`` (natural gas, standard cubic metres) or ``kg``. Liquids given in L or m3
    are weighed with the use's density, else the fuel's shipped density.

    Parameters
    ----------
    quantity : float
        The quantity [use.unit].
    use : FuelUse
        The use: its unit and own density.
    fuel_unit : {"m3", "kg"}
        Unit of the fuel's coefficients.
    default_density : float or None
        The fuel's shipped density [kg/L].
    density_source : str
        Where the shipped density comes from.
    field : str
        Field path of the use, named in errors.

    Returns
    -------
    dict
        ``quantity`` [fuel_unit], ``unit`` and, for a volume of liquid, ``density_kg_per_l`` and
        ``density_source``.

    Raises
    ------
    InputError
        A unit that does not convert (coal in L, natural gas in kg), or a volume with no density.
    """
    if fuel_unit == use.unit:
        return {"quantity": quantity, "unit": fuel_unit}
    if fuel_unit == "kg" and use.unit == "t":
        return {"quantity": quantity * KG_PER_T, "unit": fuel_unit}
    if fuel_unit == "kg" and use.unit in ("L", "m3"):
        density, source = (
            (use.density_kg_per_l, "the use's own value")
            if use.density_kg_per_l is not None
            else (default_density, density_source)
        )
        if density is None:
            raise InputError(
                None,
                f"{field}.density_kg_per_l",
                f"the density of {use.fuel} [kg/L] to weigh a volume (none is shipped for it)",
                "nothing",
            )
        litres = quantity * (L_PER_M3 if use.unit == "m3" else 1.0)
        return {"quantity": litres * density, "unit": fuel_unit, "density_kg_per_l": density, "density_source": source}
    raise InputError(
        None,
        f"{field}.unit",
        f"a unit that converts to {fuel_unit} for {use.fuel} "
        f"({'m3' if fuel_unit == 'm3' else 't, kg, or L / m3 of a liquid'})",
        repr(use.unit),
    )


def fuel_use_totals(
    uses: Sequence[FuelUse],
    quantities: dict[str, float],
    fuel_units: dict[str, tuple[str, float | None, str]],
    field: str = "fuel_uses",
) -> dict[str, dict[str, Any]]:
    """The year of every fuel use, in the units of its coefficients.

    Parameters
    ----------
    uses : sequence of FuelUse
        The scenario's ``fuel_uses``.
    quantities : dict
        ``{name: quantity over the year [use.unit]}`` (the profile's sum, or ``quantity_per_year``).
    fuel_units : dict
        ``{fuel: (unit of its coefficients, default density [kg/L] or None, density source)}``.
    field : str
        Field path prefix for errors.

    Returns
    -------
    dict
        ``{name: record}``: ``fuel``, ``use``, ``quantity`` and ``unit`` (the coefficients' unit: kg or m3),
        ``quantity_as_given`` and ``unit_as_given``, the density used; for steam also ``gj`` and the
        IAPWS-IF97 enthalpies, and ``ef_t_per_gj`` (None = the accounting's default).

    Raises
    ------
    InputError
        Steam outside IAPWS-IF97 or not above its reference, an unknown fuel, or a unit that does not convert.
    """
    out = {}
    for i, use in enumerate(uses):
        where = f"{field}[{i}]"
        q = float(quantities[use.name])
        if use.fuel == STEAM:
            rec: dict[str, Any] = {"quantity": q * (KG_PER_T if use.unit == "t" else 1.0), "unit": "kg"}
            assert use.steam is not None  # FuelUse._consistent: fuel 'steam' carries its state
            try:
                rec.update(steam_heat(rec["quantity"], use.steam))
            except ValueError as exc:
                raise InputError(
                    None, f"{where}.steam", "steam inside IAPWS-IF97, above its reference water", str(exc)
                ) from None
            rec.update(ef_t_per_gj=use.ef_t_per_gj, pressure_mpa=use.steam.pressure_mpa, t_c=use.steam.t_c)
        else:
            if use.fuel not in fuel_units:
                raise InputError(
                    None,
                    f"{where}.fuel",
                    f"a fuel of fuels.csv or accounting.fuel_factors: {', '.join(sorted(fuel_units))}, or 'steam'",
                    repr(use.fuel),
                )
            unit, density, source = fuel_units[use.fuel]
            rec = to_fuel_unit(q, use, unit, density, source, where)
            rec.update(ch4_kg_per_tj=use.ch4_kg_per_tj, n2o_kg_per_tj=use.n2o_kg_per_tj)
        out[use.name] = dict(
            rec,
            fuel=use.fuel,
            use=use.use,
            quantity_as_given=q,
            unit_as_given=use.unit,
            from_profile=use.path is not None,
        )
    return out


# --------------------------------------------------------------------------- CH4 and N2O


@lru_cache(maxsize=4)
def _non_co2_table(path: str) -> dict[tuple[str, str], dict[str, Any]]:
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "file", "the CH4 / N2O factor table", "no such file")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    need = ["fuel", "use", "ch4_kg_per_tj", "n2o_kg_per_tj", "source", "confidence"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(p, "header", f"columns {need}", f"missing {missing}")
    out = {}
    for i, row in enumerate(df.itertuples(index=False)):
        values = {}
        for col in ("ch4_kg_per_tj", "n2o_kg_per_tj"):
            v = pd.to_numeric(getattr(row, col), errors="coerce")
            if not (math.isfinite(v) and v >= 0):
                raise InputError(p, f"column {col}, row {i + 2}", "a number >= 0", repr(getattr(row, col)))
            values[col] = float(v)
        if (row.fuel, row.use) in out:
            raise InputError(p, f"row {i + 2}", "one row per fuel and use", f"{row.fuel}/{row.use} again")
        out[(row.fuel, row.use)] = dict(values, source=f"{row.source} [{row.confidence}]")
    return out


def load_non_co2_factors(path: str | Path = NON_CO2_CSV) -> dict[tuple[str, str], dict[str, Any]]:
    """CH4 and N2O default emission factors by fuel and use.

    Parameters
    ----------
    path : str or Path
        The factor table (default the shipped ``components/data/combustion_non_co2.csv``).

    Returns
    -------
    dict
        ``{(fuel, use): {ch4_kg_per_tj, n2o_kg_per_tj, source}}``, factors [kg/TJ at NCV]; a copy, safe to
        change.

    Raises
    ------
    InputError
        A missing file, a missing column, a factor that is not a number >= 0, or a fuel and use repeated.
    """
    return {k: dict(v) for k, v in _non_co2_table(str(Path(path).resolve())).items()}


__all__ = [
    "FuelUse",
    "SteamState",
    "STEAM",
    "STEAM_REFERENCE_KJ_PER_KG",
    "steam_enthalpy_kj_per_kg",
    "water_enthalpy_kj_per_kg",
    "steam_heat",
    "read_profile",
    "to_fuel_unit",
    "fuel_use_totals",
    "load_non_co2_factors",
]
