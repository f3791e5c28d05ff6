"""Hydrogen: electrolysers, compressed-gas stores, fuel cells, and the origin of the hydrogen made.

Every energy of hydrogen is on its net calorific value (lower heating value, LHV), 119.96 MJ/kg = 33.32 kWh/kg
(:data:`H2_LHV_KWH_PER_KG`, [1]_), as the boilers' and the CHP units' fuels are. Hydrogen [kW LHV] over one hour
of the kernel's step is kWh LHV; divided by the LHV it is kg.

Electrolyser
------------
While it runs, between ``min_load_fraction`` and 1 of its electric rating, the hydrogen it makes is a straight line
in its electric input, drawn through the data sheet's two points, the efficiencies at rated and at minimum load,
as :mod:`lingtan.components.chp` draws a gas engine's fuel. With ``x = p_kw / capacity_p_kw`` and ``m`` the
minimum load::

    h2_kw_lhv = capacity_p_kw * (slope * x + intercept) * (1 - degradation_pct_per_kh / 100 * operating_h / 1000)

    slope     = (eta(1) - m * eta(m)) / (1 - m)          intercept = eta(1) - slope

Below the minimum load it is off. The efficiency along the line is ``slope + intercept / x``: it rises as the load
falls when the intercept is positive (``eta(m) > eta(1)``) and falls when it is negative.

A real electrolyser does both. Its stack's efficiency rises at part load: at a lower current density the cell
voltage falls along the polarisation curve (smaller activation and ohmic overpotentials), so each kWh makes more
hydrogen [3]_. Its balance of plant (rectifier, transformer, pumps, gas drying) draws a share of power that grows as
the load falls, until near minimum load it outweighs the stack's gain: in Wang, Star and Ahluwalia's PEM system
model [4]_ the balance of plant takes 2.6 kWh/kg at 40 % of rated power, 3.4 kWh/kg at 21 % and 10 kWh/kg at 6 %.
The two points say which effect the data sheet saw: ``eta(m) > eta(1)`` captures the stack (polarisation), ``eta(m)
< eta(1)`` the balance of plant. Between them the real curve of hydrogen against power is concave in a
stack-dominated machine, so the line (a chord) lies below it: against two published five-point curves the line
makes 7-11 % less hydrogen between the points than the curve (``tests/components/test_hydrogen.py``), a
constant rated efficiency 8-18 % less.

Ageing is a loss of efficiency in proportion to operating hours (:func:`degradation_factor`), the catalogue's
``% / 1000 h`` [2]_, until the stack is replaced after ``stack_life_h`` (the caller resets ``operating_h``).

Store
-----
A compressed-gas store holds between ``min_fraction`` (cushion gas) and all of ``capacity_kg``; filling it costs
``compression_kwh_per_kg`` of electricity per kilogram, emptying it nothing (gas flows out through a valve, [2]_),
and it loses ``standing_loss_fraction_per_h`` of its content an hour.

Fuel cell
---------
Hydrogen in and recoverable heat out are lines in the electric output through the efficiencies at rated and at
minimum load, exactly :func:`lingtan.components.chp.chp_coefficients` with the minimum load in place of half load::

    h2_kw_lhv  = capacity_p_kw * (h2_slope * x + h2_intercept)
    heat_kw_th = capacity_p_kw * (heat_slope * x + heat_intercept)

    h2_slope   = (1 / eta_e(1) - m / eta_e(m)) / (1 - m)
    h2_intercept   = 1 / eta_e(1) - h2_slope
    heat_slope = (eta_h(1) / eta_e(1) - m * eta_h(m) / eta_e(m)) / (1 - m)
    heat_intercept = eta_h(1) / eta_e(1) - heat_slope

Origin
------
:func:`green_share` is the renewable share of the hydrogen made; :func:`hydrogen_grade` grades a carbon intensity
against the China Hydrogen Alliance's standard T/CAB 0078-2020 [5]_: 低碳氢 (low-carbon) at most 14.51 kgCO2e/kgH2,
清洁氢 (clean) at most 4.9, 可再生氢 (renewable) at most 4.9 and made from renewable energy. The standard counts the
life cycle of the hydrogen; :func:`electricity_kgco2e_per_kg_h2` counts only the grid electricity, a lower bound.

Sources and their quotes: ``components/data/hydrogen_sources.md``.

References
----------
.. [1] US DOE Hydrogen Analysis Resource Center, *Lower and Higher Heating Values of Hydrogen and Fuels*: hydrogen
   LHV 119.96 MJ/kg, HHV 141.88 MJ/kg.
.. [2] Danish Energy Agency and Energinet, *Technology Data for Renewable Fuels* (sheets 86 AEC 10 MW, 86 PEMEC
   10 MW) and *Technology Data for Energy Storage* (sheet 151a Hydrogen Storage - Tanks), as shipped in
   PyPSA/technology-data ``inputs/``.
.. [3] IRENA, *Green Hydrogen Cost Reduction: Scaling up Electrolysers to Meet the 1.5 C Climate Goal*, 2020.
.. [4] Wang, X., Star, A. G., Ahluwalia, R. K., "Performance of Polymer Electrolyte Membrane Water Electrolysis
   Systems: Configuration, Stack Materials, Turndown and Efficiency", *Energies* 16(13) (2023) 4964,
   doi:10.3390/en16134964 (balance-of-plant curve as tabulated in NREL HOPP/GreenHEART, ``PEM_BOP``).
.. [5] China Hydrogen Alliance, T/CAB 0078-2020《低碳氢、清洁氢与可再生能源氢的标准与评价》, 2020-12-29.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.chp import check_two_points, on_lines, part_load_lines
from lingtan.limits import (
    MAX_DEGRADATION_PCT_PER_KH,
    MAX_H2_COMPRESSION_KWH_PER_KG,
    MAX_HYDROGEN_KG,
    MAX_POWER_KW,
    MAX_STACK_LIFE_H,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
)

H2_LHV_KWH_PER_KG = 119.96 / 3.6
"""Net calorific value (LHV) of hydrogen [kWh/kg]: 119.96 MJ/kg, US DOE Hydrogen Analysis Resource Center [1]_
(33.32 kWh/kg; the 33.33 of 120 MJ/kg is 0.03 % more)."""

LOW_CARBON_H2_MAX_KGCO2E_PER_KG = 14.51
"""Threshold of 低碳氢 (low-carbon hydrogen) [kgCO2e/kgH2], T/CAB 0078-2020 [5]_ (secondary: a news summary of the
standard; the standard's text was not retrieved)."""
CLEAN_H2_MAX_KGCO2E_PER_KG = 4.9
"""Threshold of 清洁氢 (clean) and 可再生氢 (renewable hydrogen) [kgCO2e/kgH2], T/CAB 0078-2020 [5]_ (secondary)."""

ELECTROLYSER_DEFAULTS: dict[str, dict[str, float]] = {
    # min_load_fraction: IRENA 2020 [3] state of the art, load range alkaline 15-100 %, PEM 5-130 %.
    # degradation_pct_per_kh, stack_life_h: Danish Energy Agency [2], 10 MW plant, 2025 column
    # ("Degradation rate [% / 1000 h]", "Frequency of stack replacement [h]").
    "alkaline": {"min_load_fraction": 0.15, "degradation_pct_per_kh": 0.13, "stack_life_h": 80_000.0},
    "pem": {"min_load_fraction": 0.05, "degradation_pct_per_kh": 0.1725, "stack_life_h": 65_500.0},
}
"""Defaults of an electrolyser by technology, each from the source named in its comment."""


class Electrolyser(BaseModel):
    """Water electrolysis making hydrogen from electricity.

    Attributes are the YAML keys of ``electrolysers[i]``. The two efficiencies are the data sheet's, whole system
    (stack and balance of plant) on the hydrogen LHV: ``efficiency = 33.32 / (kWh per kg)``. The Danish Energy
    Agency's catalogue [2]_ gives at rated load, 10 MW, 2025: alkaline 56.69 kWh/kg (0.587), PEM 60.54 kWh/kg
    (0.550); no source found gives a system's efficiency at minimum load, so neither has a default. Minimum load,
    degradation and stack life default by technology (:data:`ELECTROLYSER_DEFAULTS`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    technology: Literal["alkaline", "pem"] = Field(
        description="alkaline (AEC) or proton exchange membrane (PEM); sets the defaults of min_load_fraction, "
        "degradation_pct_per_kh and stack_life_h"
    )
    capacity_p_kw: float = Field(
        ge=0,
        le=MAX_POWER_KW,
        description="electric rating, AC input at rated load [kW]; upper bound lingtan.limits.MAX_POWER_KW",
    )
    efficiency: float = Field(
        gt=0,
        lt=1,
        description="hydrogen out [kW LHV] / electricity in [kW] at rated load [-]; DEA 2025, 10 MW: "
        "alkaline 0.587, PEM 0.550",
    )
    efficiency_min_load: float = Field(
        gt=0,
        lt=1,
        description="hydrogen out [kW LHV] / electricity in [kW] at min_load_fraction [-]; above "
        "efficiency where the stack's polarisation dominates, below it where the balance of plant does",
    )
    min_load_fraction: float = Field(
        gt=0,
        lt=1,
        description="lowest electric input / rating while running [-]; default by technology: alkaline "
        "0.15, PEM 0.05 (IRENA 2020 load ranges 15-100 % and 5-130 %)",
    )
    degradation_pct_per_kh: float = Field(
        ge=0,
        le=MAX_DEGRADATION_PCT_PER_KH,
        description="loss of efficiency per 1,000 operating hours [%/kh]; "
        "default by technology: alkaline 0.13, PEM 0.1725 (Danish Energy Agency, 10 MW, 2025); upper bound "
        "lingtan.limits.MAX_DEGRADATION_PCT_PER_KH",
    )
    operating_h: float = Field(
        default=0.0,
        ge=0,
        le=MAX_STACK_LIFE_H,
        description="hours the stack has run at the start of the simulated year [h] (0: new); the kernel ages it "
        "hour by hour from there",
    )
    electricity: Literal["renewable_surplus", "valley_grid"] = Field(
        default="renewable_surplus",
        description="renewable_surplus: on on-site surplus only (green by construction); valley_grid: also on grid "
        "power in valley hours, filling the store to its cushion plus the uses' next day (the store tracks the "
        "hydrogen's origin: the renewable share of what its uses get)",
    )
    stack_life_h: float = Field(
        gt=0,
        le=MAX_STACK_LIFE_H,
        description="operating hours between stack replacements [h]; default by "
        "technology: alkaline 80,000, PEM 65,500 (Danish Energy Agency, 10 MW, 2025); upper bound "
        "lingtan.limits.MAX_STACK_LIFE_H",
    )

    @model_validator(mode="before")
    @classmethod
    def _technology_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("technology") in ELECTROLYSER_DEFAULTS:
            return {**ELECTROLYSER_DEFAULTS[data["technology"]], **data}
        return data

    @model_validator(mode="after")
    def _line_rises(self) -> Electrolyser:
        slope, _ = electrolyser_coefficients(self)
        if slope <= 0:
            raise ValueError(
                f"hydrogen must rise with power between minimum and rated load: rated efficiency {self.efficiency:g} "
                f"<= min_load_fraction {self.min_load_fraction:g} x efficiency_min_load {self.efficiency_min_load:g}"
            )
        if self.operating_h > self.stack_life_h:
            raise ValueError(f"operating_h {self.operating_h:g} h is past the stack life {self.stack_life_h:g} h")
        if self.degradation_pct_per_kh / 100 * self.stack_life_h / 1000 >= 1:
            raise ValueError(
                f"degradation {self.degradation_pct_per_kh:g} %/kh over a stack life of {self.stack_life_h:g} h "
                "leaves no efficiency"
            )
        return self


def electrolyser_coefficients(e: Electrolyser) -> tuple[float, float]:
    """The hydrogen line per kW of rating, new stack (module docstring).

    Parameters
    ----------
    e : Electrolyser

    Returns
    -------
    slope, intercept : float
        ``h2_kw_lhv / capacity_p_kw = slope * x + intercept`` for ``x`` in ``[min_load_fraction, 1]`` [-].
    """
    m = e.min_load_fraction
    slope = (e.efficiency - m * e.efficiency_min_load) / (1.0 - m)
    return slope, e.efficiency - slope


def degradation_factor(e: Electrolyser, operating_h: ArrayLike = 0.0) -> Any:
    """Hydrogen per kWh of an aged stack over a new one [-]: ``1 - degradation_pct_per_kh / 100 * operating_h / 1e3``.

    Parameters
    ----------
    e : Electrolyser
    operating_h : float or array
        Hours the stack has run since it was new [h], 0 .. ``stack_life_h``.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        ``operating_h`` outside ``0 .. stack_life_h`` (the stack is replaced at its end of life).
    """
    h = np.asarray(operating_h, dtype=float)
    if not np.all((h >= 0.0) & (h <= e.stack_life_h)):
        raise ValueError(f"operating_h must be within 0 .. stack_life_h {e.stack_life_h:g} h, got {h.max():g}")
    f = 1.0 - e.degradation_pct_per_kh / 100.0 * h / 1000.0
    return float(f) if f.ndim == 0 else f


def electrolyser_h2(p_kw: ArrayLike, e: Electrolyser, operating_h: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Hydrogen made at an electric input (zero input: off).

    Parameters
    ----------
    p_kw : float or array
        Electric input [kW]: 0, or between ``min_load_fraction * capacity_p_kw`` and ``capacity_p_kw``.
    e : Electrolyser
    operating_h : float
        Hours the stack has run since it was new [h] (:func:`degradation_factor`).

    Returns
    -------
    h2_kw_lhv : ndarray
        Hydrogen made, at its LHV [kW].
    h2_kg : ndarray
        Hydrogen made in one hour at that input [kg], ``h2_kw_lhv * 1 h / H2_LHV_KWH_PER_KG``.

    Raises
    ------
    ValueError
        An input outside that range, or ``operating_h`` outside ``0 .. stack_life_h``.
    """
    f = degradation_factor(e, operating_h)
    (new,) = on_lines(p_kw, e.capacity_p_kw, e.min_load_fraction, electrolyser_coefficients(e))
    h2_kw = new * f
    return h2_kw, h2_kw / H2_LHV_KWH_PER_KG


def electrolyser_p_for_h2(h2_kw_lhv: ArrayLike, e: Electrolyser, operating_h: float = 0.0) -> np.ndarray:
    """The electric input that makes a hydrogen output: the inverse of :func:`electrolyser_h2`.

    At most the rating (an output above what the rating makes is capped); off (0) where the output is below what
    the minimum load makes.

    Parameters
    ----------
    h2_kw_lhv : float or array
        Hydrogen wanted, at its LHV [kW].
    e : Electrolyser
    operating_h : float
        Hours the stack has run since it was new [h] (:func:`degradation_factor`).

    Returns
    -------
    ndarray
        Electric input [kW].
    """
    h = np.asarray(h2_kw_lhv, dtype=float)
    cap = e.capacity_p_kw
    if cap <= 0:
        return np.zeros_like(h)
    a, b = electrolyser_coefficients(e)
    x = np.minimum((h / (cap * degradation_factor(e, operating_h)) - b) / a, 1.0)
    return np.where(x >= e.min_load_fraction * (1 - 1e-12), np.maximum(x, e.min_load_fraction) * cap, 0.0)


class HydrogenStore(BaseModel):
    """A store of compressed hydrogen gas (tanks, cylinder bundles, a cavern).

    Attributes are the YAML keys of ``hydrogen_stores[i]``. Its compressor's electricity has no default: it depends
    on the pressures in and out, from 1.7 kWh/kg (30 -> 250 bar, Stöckl et al. 2021 in PyPSA/technology-data) to
    4.4 kWh/kg (the Danish Energy Agency's 200 bar tank system, charge efficiency 0.883).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    capacity_kg: float = Field(
        ge=0, le=MAX_HYDROGEN_KG, description="hydrogen held when full [kg]; upper bound lingtan.limits.MAX_HYDROGEN_KG"
    )
    min_fraction: float = Field(
        default=0.06,
        ge=0,
        lt=1,
        description="cushion gas left in the store, share of capacity_kg [-]; default 0.06: "
        "minimum fill level of a type I steel tank (15-250 bar), Stöckl et al. 2021, table SI.9, in "
        "PyPSA/technology-data",
    )
    initial_fraction: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="content at the first hour, share of capacity_kg [-]; default min_fraction",
    )
    compression_kwh_per_kg: float = Field(
        ge=0,
        le=MAX_H2_COMPRESSION_KWH_PER_KG,
        description="electricity to compress one kg into the store "
        "[kWh/kg]; 1.7 (30 -> 250 bar) to 4.4 (to 200 bar); upper bound lingtan.limits.MAX_H2_COMPRESSION_KWH_PER_KG",
    )
    standing_loss_fraction_per_h: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="share of the content lost each hour (leaks, boil-off of a liquid "
        "store) [1/h]; default 0: permeation through type I tanks is negligible (Danish Energy Agency, energy "
        "storage catalogue, sheet 151a, note F)",
    )

    @model_validator(mode="after")
    def _initial_in_range(self) -> HydrogenStore:
        if self.initial_fraction is not None and self.initial_fraction < self.min_fraction:
            raise ValueError(f"initial_fraction {self.initial_fraction:g} < min_fraction {self.min_fraction:g}")
        return self


def store_limits_kg(s: HydrogenStore) -> tuple[float, float, float]:
    """The lowest, highest and first-hour content of a store.

    Parameters
    ----------
    s : HydrogenStore

    Returns
    -------
    min_kg, max_kg, initial_kg : float
        Content [kg].
    """
    initial = s.min_fraction if s.initial_fraction is None else s.initial_fraction
    return s.min_fraction * s.capacity_kg, s.capacity_kg, initial * s.capacity_kg


def compression_e_kwh(h2_in_kg: ArrayLike, s: HydrogenStore) -> np.ndarray:
    """Electricity the compressor takes to put hydrogen into a store.

    Parameters
    ----------
    h2_in_kg : float or array
        Hydrogen put in [kg], >= 0.
    s : HydrogenStore

    Returns
    -------
    ndarray
        Electricity [kWh].
    """
    return np.asarray(h2_in_kg, dtype=float) * s.compression_kwh_per_kg


def store_standing_loss_kg(content_kg: ArrayLike, s: HydrogenStore, dt_h: float = 1.0) -> np.ndarray:
    """Hydrogen a store loses over a step, compounded hourly: ``content * (1 - (1 - loss) ** dt_h)``.

    Parameters
    ----------
    content_kg : float or array
        Content at the start of the step [kg].
    s : HydrogenStore
    dt_h : float
        Length of the step [h].

    Returns
    -------
    ndarray
        Hydrogen lost [kg].
    """
    return np.asarray(content_kg, dtype=float) * (1.0 - (1.0 - s.standing_loss_fraction_per_h) ** dt_h)


class FuelCell(BaseModel):
    """A fuel cell making electricity and heat from hydrogen.

    Attributes are the YAML keys of ``fuel_cells[i]``. Defaults are the Danish Energy Agency's low-temperature PEM
    fuel cell CHP (sheet 12 LT-PEMFC CHP, 2020 column, technology_data_for_el_and_dh.xlsx): nameplate electric
    efficiency 50 %, minimum load 10 %, minimum load efficiency 35 %, Cb 1.25 (electricity / heat) so heat 0.40 at
    rated load. The heat at minimum load and the heat's temperature have no source and no default.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    technology: Literal["pem"] = Field(default="pem", description="low-temperature proton exchange membrane")
    capacity_p_kw: float = Field(
        ge=0, le=MAX_POWER_KW, description="electric rating [kW]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    electric_efficiency: float = Field(
        default=0.50,
        gt=0,
        lt=1,
        description="electricity out / hydrogen in [kW LHV] at rated load [-]; default "
        "0.50 (DEA 12 LT-PEMFC CHP, nameplate, 2020)",
    )
    electric_efficiency_min_load: float = Field(
        default=0.35,
        gt=0,
        lt=1,
        description="electricity / hydrogen [kW LHV] at min_load_fraction [-]; default "
        "0.35 (DEA 12 LT-PEMFC CHP, minimum load efficiency, 2020)",
    )
    heat_efficiency: float = Field(
        default=0.40,
        ge=0,
        lt=1,
        description="recoverable heat / hydrogen [kW LHV] at rated load [-]; default 0.40 = "
        "0.50 / Cb 1.25 (DEA 12 LT-PEMFC CHP); depends on the cooling circuit's return temperature (DEA note D)",
    )
    heat_efficiency_min_load: float = Field(
        ge=0,
        lt=1,
        description="recoverable heat / hydrogen [kW LHV] at min_load_fraction [-]; no source found, no default",
    )
    min_load_fraction: float = Field(
        default=0.10,
        gt=0,
        lt=1,
        description="lowest electric output / rating while running [-]; default 0.10 "
        "(DEA 12 LT-PEMFC CHP, minimum load)",
    )
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="temperature of the recovered heat [C]: serves "
        "demands at or below it; a PEM stack runs below about 80 C; bounds lingtan.limits.MIN_TEMPERATURE_C .. "
        "MAX_TEMPERATURE_C",
    )

    @model_validator(mode="after")
    def _first_law(self) -> FuelCell:
        check_two_points(
            self.min_load_fraction,
            self.electric_efficiency,
            self.electric_efficiency_min_load,
            self.heat_efficiency,
            self.heat_efficiency_min_load,
            "hydrogen's LHV",
        )
        return self


def fuel_cell_coefficients(fc: FuelCell) -> tuple[float, float, float, float]:
    """The hydrogen and heat lines per kW of rating (module docstring).

    Parameters
    ----------
    fc : FuelCell

    Returns
    -------
    h2_slope, h2_intercept, heat_slope, heat_intercept : float
        ``h2_kw_lhv / capacity_p_kw = h2_slope * x + h2_intercept`` and the same for heat [-].
    """
    return part_load_lines(
        fc.min_load_fraction,
        fc.electric_efficiency,
        fc.electric_efficiency_min_load,
        fc.heat_efficiency,
        fc.heat_efficiency_min_load,
    )


def fuel_cell_flows(p_kw: ArrayLike, fc: FuelCell) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hydrogen used and heat recovered at an electric output (zero output: off).

    Parameters
    ----------
    p_kw : float or array
        Electric output [kW]: 0, or between ``min_load_fraction * capacity_p_kw`` and ``capacity_p_kw``.
    fc : FuelCell

    Returns
    -------
    h2_kw_lhv : ndarray
        Hydrogen used, at its LHV [kW].
    h2_kg : ndarray
        Hydrogen used in one hour at that output [kg].
    heat_kw_th : ndarray
        Heat recovered [kW_th].

    Raises
    ------
    ValueError
        An output outside that range.
    """
    a, b, c, d = fuel_cell_coefficients(fc)
    h2_kw, heat = on_lines(p_kw, fc.capacity_p_kw, fc.min_load_fraction, (a, b), (c, d))
    return h2_kw, h2_kw / H2_LHV_KWH_PER_KG, heat


def green_share(
    h2_from_surplus_kg: ArrayLike, h2_from_grid_kg: ArrayLike, grid_re_share: ArrayLike = 0.0
) -> np.ndarray:
    """Renewable share of the hydrogen made: ``(surplus + grid * grid_re_share) / (surplus + grid)``.

    Hydrogen from on-site renewable surplus counts whole, from grid electricity in the grid's renewable share (0
    unless green certificates or a green-power contract cover it). Where nothing was made the share is 0.

    Parameters
    ----------
    h2_from_surplus_kg : float or array
        Hydrogen made from on-site renewable electricity [kg], >= 0.
    h2_from_grid_kg : float or array
        Hydrogen made from grid electricity [kg], >= 0.
    grid_re_share : float or array
        Renewable share of that grid electricity [-], 0 .. 1.

    Returns
    -------
    ndarray
        Renewable share of the hydrogen [-], 0 .. 1.

    Raises
    ------
    ValueError
        A negative quantity or a share outside 0 .. 1.
    """
    s = np.asarray(h2_from_surplus_kg, dtype=float)
    g = np.asarray(h2_from_grid_kg, dtype=float)
    r = np.asarray(grid_re_share, dtype=float)
    if np.any(s < 0) or np.any(g < 0) or np.any(r < 0) or np.any(r > 1):
        raise ValueError("hydrogen quantities must be >= 0 and grid_re_share within 0 .. 1")
    total = s + g
    return np.where(total > 0, (s + g * r) / np.where(total > 0, total, 1.0), 0.0)


def electricity_kgco2e_per_kg_h2(grid_e_kwh: float, h2_kg: float, ef_t_per_mwh: float) -> float:
    """Carbon intensity of hydrogen from its grid electricity alone [kgCO2e/kgH2], a lower bound of the life cycle.

    ``grid_e_kwh * ef_t_per_mwh / h2_kg`` (1 tCO2/MWh = 1 kgCO2/kWh). At the 2023-2025 reporting factor 0.5703
    tCO2/MWh and 56.7 kWh/kg (DEA alkaline, 2025) grid hydrogen carries 32 kgCO2e/kg, over twice the 低碳氢 threshold.

    Parameters
    ----------
    grid_e_kwh : float
        Grid electricity of the electrolyser and compressor [kWh].
    h2_kg : float
        Hydrogen made [kg], > 0.
    ef_t_per_mwh : float
        Grid emission factor [tCO2/MWh].

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``h2_kg`` not positive.
    """
    if h2_kg <= 0:
        raise ValueError(f"h2_kg must be > 0, got {h2_kg:g}")
    return grid_e_kwh * ef_t_per_mwh / h2_kg


def hydrogen_grade(kgco2e_per_kg: float, renewable: bool) -> Literal["renewable", "clean", "low_carbon", "none"]:
    """Grade of hydrogen under T/CAB 0078-2020 [5]_ from its carbon intensity.

    可再生氢 ``renewable``: at most 4.9 kgCO2e/kg and made from renewable energy; 清洁氢 ``clean``: at most 4.9;
    低碳氢 ``low_carbon``: at most 14.51; otherwise ``none``. Whether a value equal to a threshold passes is not
    known from the summary found (here it does).

    Parameters
    ----------
    kgco2e_per_kg : float
        Carbon intensity of the hydrogen [kgCO2e/kgH2].
    renewable : bool
        Made from renewable energy.

    Returns
    -------
    str
    """
    if kgco2e_per_kg <= CLEAN_H2_MAX_KGCO2E_PER_KG:
        return "renewable" if renewable else "clean"
    if kgco2e_per_kg <= LOW_CARBON_H2_MAX_KGCO2E_PER_KG:
        return "low_carbon"
    return "none"


class HydrogenUse(BaseModel):
    """Hydrogen taken from the store every day: ``hydrogen_uses[i]``.

    Fuel-cell trucks refuelled at the site's dispenser, a hydrogen burner, a process: ``kg_per_day`` spread evenly
    over ``hours`` hours from ``start_h`` each day. What the store cannot give is reported as unmet (bought in, or a
    trip not made); it is never dropped.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["vehicles", "boiler", "process"] = Field(description="what the hydrogen is for (reported)")
    kg_per_day: float = Field(ge=0, le=MAX_HYDROGEN_KG, description="hydrogen taken each day [kg]")
    start_h: int = Field(default=0, ge=0, le=23, description="local hour the daily offtake starts [h]")
    hours: int = Field(default=24, ge=1, le=24, description="hours the daily offtake is spread over [h]")


def hydrogen_use_kg(index: pd.DatetimeIndex, use: HydrogenUse) -> np.ndarray:
    """A use's hydrogen on each hourly step [kg]: ``kg_per_day / hours`` in its hours of every day.

    Parameters
    ----------
    index : DatetimeIndex
        Hourly steps, local time.
    use : HydrogenUse

    Returns
    -------
    ndarray, shape (T,)
    """
    on = (np.asarray(index.hour) - use.start_h) % 24 < use.hours
    return np.where(on, use.kg_per_day / use.hours, 0.0)


class HydrogenBoiler(BaseModel):
    """A boiler burning the store's hydrogen for heat: ``hydrogen_boilers[i]``.

    A use of what would be curtailed: it burns only the hydrogen above ``above_fraction`` of the store's capacity
    (where the electrolysers start to run out of room), and never what the store's uses take in the next
    ``reserve_h`` hours; before the CHP units and the fuel boilers, at a constant efficiency on the hydrogen's LHV
    (a hydrogen boiler is a gas boiler with a hydrogen burner: its data sheet's efficiency, no default).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    capacity_q_kw_th: float = Field(
        ge=0, le=MAX_POWER_KW, description="heat output limit [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    efficiency: float = Field(gt=0, le=1, description="heat out / hydrogen in [kW LHV] [-] (the data sheet's)")
    above_fraction: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="share of the store's capacity it leaves in the store [-]; default 0.8 (assumed: the "
        "operator's rule, the higher the more hydrogen kept for the uses)",
    )
    reserve_h: int = Field(
        default=168,
        ge=0,
        le=8760,
        description="hours of the store's uses it leaves in the store [h]; default a week (assumed: the operator's "
        "rule, the longer the safer for the uses)",
    )
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="supply temperature [C]: serves demands at or below it; bounds lingtan.limits.MIN_TEMPERATURE_C "
        ".. MAX_TEMPERATURE_C",
    )


def hydrogen_boiler_kg(q_kw_th: ArrayLike, boiler: HydrogenBoiler, dt_h: float = 1.0) -> np.ndarray:
    """Hydrogen a boiler burns for its heat [kg per step]: ``q dt / (efficiency LHV)``.

    Parameters
    ----------
    q_kw_th : float or array
        Heat it gives [kW_th].
    boiler : HydrogenBoiler
    dt_h : float
        Length of a step [h].

    Returns
    -------
    ndarray
        [kg]; 100 kW_th for an hour at 90 % burn 100 / (0.9 x 33.32) = 3.33 kg.
    """
    return np.asarray(q_kw_th, dtype=float) * dt_h / (boiler.efficiency * H2_LHV_KWH_PER_KG)
