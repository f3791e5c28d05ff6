"""Combined heat and power: gas engines and turbines at part load.

A unit burns fuel at a rate that is a straight line in its electric output while it runs, drawn through its
efficiencies at full and at half load (the data sheet's two points), and recovers heat on a second straight line
through its heat efficiencies at the same two loads. This is the fuel-burn model of REopt [1]_, which takes those
four efficiencies from the US EPA's CHP technology catalogue [2]_. Below its minimum load the unit is off.

With ``x = p_kw / capacity_p_kw`` the part load [-], between ``min_load_fraction`` and 1::

    fuel_kw    = capacity_p_kw * (fuel_slope * x + fuel_intercept)
    heat_kw_th = capacity_p_kw * (heat_slope * x + heat_intercept)

    fuel_slope     = 2 / eta_e(1) - 1 / eta_e(1/2)        fuel_intercept = 1 / eta_e(1/2) - 1 / eta_e(1)
    heat_slope     = 2 * eta_h(1) / eta_e(1) - eta_h(1/2) / eta_e(1/2)
    heat_intercept = eta_h(1) / eta_e(1) - heat_slope

so the electric efficiency ``x / (fuel_slope * x + fuel_intercept)`` falls as the load falls when the half-load
efficiency is the lower one. :func:`chp_coefficients` gives the four coefficients, :func:`chp_flows` the flows of
an output, :func:`chp_p_for_heat` the output a heat demand calls for (heat-led operation).

Efficiencies are on the fuel's net calorific value (LHV), as the boilers' are.

References
----------
.. [1] NREL, REopt.jl, ``src/core/chp.jl``: fuel burn and thermal production as lines in electric output through the
   full- and half-load efficiencies (``electric_efficiency_half_load``, ``thermal_efficiency_half_load``).
.. [2] US EPA Combined Heat and Power Partnership, *Catalog of CHP Technologies*, 2017, sections 2 (reciprocating
   engines) and 3 (combustion turbines).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.heat import Fuel
from lingtan.limits import MAX_POWER_KW, MAX_TEMPERATURE_C, MIN_TEMPERATURE_C

MODES = ("heat_led", "electricity_led")


class CombinedHeatPower(BaseModel):
    """A gas engine or turbine making electricity and heat.

    Attributes are the YAML keys of ``chp[i]``. The four efficiencies are the data sheet's, at net calorific value.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    prime_mover: Literal["gas_engine", "gas_turbine", "microturbine"] = Field(
        description="the kind of machine (reported; its numbers are the efficiencies below)"
    )
    fuel: Fuel = Field(default="natural_gas", description="fuel burnt (a row of components/data/fuels.csv)")
    capacity_p_kw: float = Field(
        ge=0, le=MAX_POWER_KW, description="electric rating [kW]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    electric_efficiency: float = Field(gt=0, lt=1, description="electricity out / fuel in at full load [-]")
    electric_efficiency_half_load: float = Field(gt=0, lt=1, description="electricity / fuel at half load [-]")
    heat_efficiency: float = Field(gt=0, lt=1, description="useful heat out / fuel in at full load [-]")
    heat_efficiency_half_load: float = Field(gt=0, lt=1, description="useful heat / fuel at half load [-]")
    min_load_fraction: float = Field(
        default=0.5,
        ge=0.5,
        le=1,
        description="lowest electric output / rating while running [-]; the two-point "
        "line is not extrapolated below half load",
    )
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="temperature of the recovered heat [C]: serves demands at or below it; "
        "bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    mode: Literal["heat_led", "electricity_led"] = Field(
        description="heat_led: follows the heat demands it serves (within what the bus can take); "
        "electricity_led: follows the electric demand the grid would otherwise serve, its heat to the demands it "
        "serves and the rest dumped"
    )

    @model_validator(mode="after")
    def _first_law(self) -> CombinedHeatPower:
        check_two_points(
            0.5,
            self.electric_efficiency,
            self.electric_efficiency_half_load,
            self.heat_efficiency,
            self.heat_efficiency_half_load,
            "fuel's net calorific value (NCV)",
        )
        if chp_coefficients(self)[2] <= 0:  # a heat-led unit finds its output from the heat it must make
            raise ValueError("the heat must rise with the electric output between half and full load")
        return self


def check_two_points(m: float, e1: float, em: float, h1: float, hm: float, basis: str) -> None:
    """Refuse a data sheet's two points whose lines (:func:`part_load_lines`) break the first law or fall.

    Parameters
    ----------
    m : float
        The second point's part load [-].
    e1, em, h1, hm : float
        Electric and heat efficiencies at full load and at ``m`` [-].
    basis : str
        What the efficiencies are on, for the message.

    Raises
    ------
    ValueError
        Electricity plus heat of 1 or more of the input at either point, input falling or heat falling as the
        output rises.
    """
    for load, e, h in (("full", e1, h1), (f"{m:g}", em, hm)):
        if e + h >= 1.0:
            raise ValueError(
                f"at {load} load electric {e:g} + heat {h:g} efficiency >= 1: more energy out than the {basis}; "
                "give both on that basis"
            )
    in_slope, _, heat_slope, _ = part_load_lines(m, e1, em, h1, hm)
    if in_slope <= 0 or heat_slope < 0:
        raise ValueError(
            f"the input must rise, and the heat not fall, with the electric output between {m:g} and full load: "
            f"with these efficiencies (1/eta_e(1) - m/eta_e(m)) or (eta_h(1)/eta_e(1) - m eta_h(m)/eta_e(m)) is wrong"
        )


def part_load_lines(m: float, e1: float, em: float, h1: float, hm: float) -> tuple[float, float, float, float]:
    """Input and heat per kW of rating as lines in the part load ``x``, through full load and ``x = m``.

    The input (fuel, hydrogen) is ``x / eta_e`` at each point, the heat ``x eta_h / eta_e``; with half load
    (``m = 0.5``) these are the formulas of the module docstring.

    Parameters
    ----------
    m : float
        The second point's part load [-], below 1.
    e1, em, h1, hm : float
        Electric and heat efficiencies at full load and at ``m`` [-].

    Returns
    -------
    in_slope, in_intercept, heat_slope, heat_intercept : float
        ``input / rating = in_slope * x + in_intercept``, and the same for heat [-].
    """
    in_slope = (1.0 / e1 - m / em) / (1.0 - m)
    heat_slope = (h1 / e1 - m * hm / em) / (1.0 - m)
    return in_slope, 1.0 / e1 - in_slope, heat_slope, h1 / e1 - heat_slope


def chp_coefficients(chp: CombinedHeatPower) -> tuple[float, float, float, float]:
    """The fuel and heat lines per kW of rating (module docstring).

    Parameters
    ----------
    chp : CombinedHeatPower

    Returns
    -------
    fuel_slope, fuel_intercept, heat_slope, heat_intercept : float
        ``fuel_kw / capacity_p_kw = fuel_slope * x + fuel_intercept`` and the same for heat [-].
    """
    return part_load_lines(
        0.5,
        chp.electric_efficiency,
        chp.electric_efficiency_half_load,
        chp.heat_efficiency,
        chp.heat_efficiency_half_load,
    )


def chp_flows(p_kw: ArrayLike, chp: CombinedHeatPower) -> tuple[np.ndarray, np.ndarray]:
    """Fuel burnt and heat recovered at an electric output (zero output: off).

    Parameters
    ----------
    p_kw : float or array
        Electric output [kW]: 0, or between ``min_load_fraction * capacity_p_kw`` and ``capacity_p_kw``.
    chp : CombinedHeatPower

    Returns
    -------
    fuel_kw : ndarray
        Fuel energy burnt at NCV [kW].
    heat_kw_th : ndarray
        Heat recovered [kW_th].

    Raises
    ------
    ValueError
        An output outside that range.
    """
    a, b, c, d = chp_coefficients(chp)
    fuel, heat = on_lines(p_kw, chp.capacity_p_kw, chp.min_load_fraction, (a, b), (c, d))
    return fuel, heat


def on_lines(
    p_kw: ArrayLike, capacity_p_kw: float, min_load_fraction: float, *lines: tuple[float, float]
) -> tuple[np.ndarray, ...]:
    """Lines per kW of rating in the part load, at an output: ``capacity * (slope * x + intercept)`` while
    running, 0 where the output is 0 (off).

    Parameters
    ----------
    p_kw : float or array
        Output [kW]: 0, or between ``min_load_fraction * capacity_p_kw`` and ``capacity_p_kw``.
    capacity_p_kw : float
        Rating [kW].
    min_load_fraction : float
        Lowest part load while running [-].
    *lines : (slope, intercept)
        Each line per kW of rating [-].

    Returns
    -------
    tuple of ndarray
        One per line [kW].

    Raises
    ------
    ValueError
        An output outside that range.
    """
    p = np.asarray(p_kw, dtype=float)
    cap = capacity_p_kw
    on = p > 0
    if np.any(on) and (cap <= 0 or np.any(p[on] < min_load_fraction * cap * (1 - 1e-12)) or np.any(p > cap)):
        raise ValueError(f"p_kw must be 0 or within {min_load_fraction:g} .. 1 of {cap:g} kW")
    x = p / cap if cap > 0 else np.zeros_like(p)
    return tuple(np.where(on, cap * (a * x + b), 0.0) for a, b in lines)


def chp_p_for_heat(q_kw_th: ArrayLike, chp: CombinedHeatPower) -> np.ndarray:
    """The electric output a heat demand calls for in heat-led operation, before any limit of the bus.

    The output whose heat meets the demand, at most the rating; off (0) where that is below the minimum load
    (boilers make the heat then).

    Parameters
    ----------
    q_kw_th : float or array
        Heat demand the unit may serve [kW_th].
    chp : CombinedHeatPower

    Returns
    -------
    ndarray
        Electric output [kW].
    """
    cap = chp.capacity_p_kw
    if cap <= 0:
        return np.zeros_like(np.asarray(q_kw_th, dtype=float))
    _, _, c, d = chp_coefficients(chp)
    x = np.minimum((np.asarray(q_kw_th, dtype=float) / cap - d) / c, 1.0)
    return np.where(x >= chp.min_load_fraction, x * cap, 0.0)
