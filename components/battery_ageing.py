"""Battery ageing: rainflow cycle counting and an LFP/graphite capacity-fade model.

The dispatch kernel gives the state of charge hour by hour; this module turns it into state
of health (remaining capacity) and internal-resistance growth, year by year, and says when the
battery reaches its replacement floor.

Model
-----
Naumann et al. measured Sony/Murata US26650FTC1 LFP/graphite cells (3 Ah) at TUM and fitted
semi-empirical laws to calendar ageing [2]_ and cycle ageing [3]_. Capacity loss is a
fraction of the initial capacity [-]:

* calendar: ``q_cal = k_T(T) * k_SoC(SoC) * sqrt(t)`` with ``t`` in seconds,
  ``k_T = k_ref * exp(-Ea / R * (1/T - 1/T_ref))`` and ``k_SoC = c * (SoC - 0.5)**3 + d``;
* cycle: ``q_cyc = k_C(C) * k_DOD(DOD) * sqrt(FEC) / 100`` (the fit is in per cent) with
  ``k_C = a * C + b`` and ``k_DOD = c * (DOD - 0.6)**3 + d``;
* the two add: ``SoH = 1 - q_cal - q_cyc`` (superposition, as in [3]_ and SimSES [4]_).

Under changing stress both laws are continued by "virtual time" (virtual FEC): the loss
reached so far is converted into the time (FEC) that the present stress would have needed to
reach it, and the law goes on from there [4]_. For ``q = k * sqrt(x)`` this is exactly
``q_new**2 = q_old**2 + k**2 * dx``, so a year of hours or of cycles is one vectorised sum.

Internal resistance grows linearly in time and in FEC, with the same stress-factor forms
(calendar SoC factor quadratic around 0.5, cycle factors ``A * C + B`` and
``C * (DOD - 0.5)**3 + D``, the cycle law in per cent), as in [2]_, [3]_ and [4]_.

Conventions
-----------
* ``soc`` is the stored energy over the nameplate energy [-] (``battery_e_kwh / energy_kwh``
  of the hourly table), one value per time step, labelled at the interval start.
* Cycles come from rainflow counting of ``soc`` [1]_: the depth of a cycle is its SoC range,
  its full equivalent cycles are ``count * depth`` (a half cycle counts 0.5), its C-rate is
  the depth over the time the SoC moves during the counted excursion [1/h].
* Round-trip efficiency by year (a stated proxy, not in the source): each one-way loss
  ``1 - efficiency`` grows in proportion to the resistance ratio ``R / R0``. This treats every
  loss as ohmic, so it is an upper bound on the efficiency loss: converter and auxiliary
  losses do not grow with the cells' resistance.
* Replacement: at the end of the first year whose end-of-year SoH is at or below the floor;
  the next year starts with a new battery (SoH 1, resistance ratio 1).

References
----------
.. [1] ASTM E1049-85 (reapproved 2017), Standard Practices for Cycle Counting in Fatigue
       Analysis, section 5.4.4 (rainflow counting).
.. [2] M. Naumann, M. Schimpe, P. Keil, H. C. Hesse, A. Jossen, "Analysis and modeling of
       calendar aging of a commercial LiFePO4/graphite cell", J. Energy Storage 17 (2018)
       153-169, doi:10.1016/j.est.2018.01.019.
.. [3] M. Naumann, F. B. Spingler, A. Jossen, "Analysis and modeling of cycle aging of a
       commercial LiFePO4/graphite cell", J. Power Sources 451 (2020) 227666,
       doi:10.1016/j.jpowsour.2019.227666.
.. [4] SimSES (TUM, the authors' institute), ``SonyLFPCalendarDegradation`` and
       ``SonyLFPCyclicDegradation``: the parameter values below are those of [2]_ and [3]_ as
       transcribed there; NREL BLAST-Lite ``Lfp_Gr_SonyMurata3Ah_Battery`` carries the same
       resistance parameters (it writes the calendar resistance SoC factor as a cube; SimSES,
       followed here, as a square).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.errors import InputError

GAS_CONSTANT_J_PER_MOL_K = 8.3144598
"""Molar gas constant [J/(mol K)], the value used in [4]_."""

DEFAULT_SOH_FLOOR = 0.7
"""Replacement floor [-]: SAM's battery replacement capacity default, ``batt_replacement_capacity`` = 70 %
(PySAM 7.1.1, ``Battery.default("StandaloneBatterySingleOwner")``)."""

_SECONDS_PER_HOUR = 3600.0
_ZERO_C_IN_K = 273.15


class NaumannLfpParameters(BaseModel):
    """Parameters of the Naumann LFP/graphite ageing model; defaults are the published fit.

    Attributes are the YAML keys of ``battery[i].ageing.parameters``; any subset may be given.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Calendar capacity loss [2]_ (Table of the sqrt(t) fit).
    k_ref_cal_per_sqrt_s: float = Field(
        default=1.2571e-5, gt=0, description="calendar fade rate at T_ref, SoC 0.5 [1/s^0.5]"
    )
    ea_cal_j_per_mol: float = Field(default=17126.0, ge=0, description="calendar fade activation energy [J/mol]")
    c_cal_soc: float = Field(default=2.8575, description="calendar fade SoC factor, cubic coefficient [-]")
    d_cal_soc: float = Field(default=0.60225, gt=0, description="calendar fade SoC factor at SoC 0.5 [-]")
    t_ref_c: float = Field(default=25.0, ge=-40, le=80, description="reference temperature [degC]")
    # Cycle capacity loss [3]_ (per cent per sqrt(FEC)).
    a_cyc_c_rate: float = Field(default=0.0630, ge=0, description="cycle fade C-rate factor, slope [h]")
    b_cyc_c_rate: float = Field(default=0.0971, gt=0, description="cycle fade C-rate factor, intercept [-]")
    c_cyc_dod: float = Field(default=4.0253, description="cycle fade DOD factor, cubic coefficient [-]")
    d_cyc_dod: float = Field(default=1.0923, gt=0, description="cycle fade DOD factor at DOD 0.6 [-]")
    # Resistance growth, calendar [2]_ (fraction per second) and cycle [3]_ (per cent per FEC).
    k_ref_r_cal_per_s: float = Field(default=3.4194e-10, ge=0, description="calendar resistance growth [1/s]")
    ea_r_cal_j_per_mol: float = Field(default=71827.0, ge=0, description="its activation energy [J/mol]")
    c_r_cal_soc: float = Field(default=-3.3903, description="its SoC factor, quadratic coefficient [-]")
    d_r_cal_soc: float = Field(default=1.5604, ge=0, description="its SoC factor at SoC 0.5 [-]")
    a_r_cyc_c_rate: float = Field(default=-0.0020, description="cycle resistance C-rate factor, slope [h]")
    b_r_cyc_c_rate: float = Field(default=0.0021, ge=0, description="cycle resistance C-rate factor, intercept [-]")
    c_r_cyc_dod: float = Field(default=6.8477, description="cycle resistance DOD factor, cubic coefficient [-]")
    d_r_cyc_dod: float = Field(default=0.91882, ge=0, description="cycle resistance DOD factor at DOD 0.5 [-]")

    @model_validator(mode="after")
    def _positive_factors(self) -> NaumannLfpParameters:
        # A stress factor that turns negative inside [0, 1] would make capacity grow back.
        if self.d_cal_soc - abs(self.c_cal_soc) * 0.125 <= 0:
            raise ValueError(
                f"the calendar SoC factor c_cal_soc*(SoC-0.5)^3 + d_cal_soc must stay above 0 on [0, 1]: "
                f"needs d_cal_soc > |c_cal_soc|/8, found c_cal_soc={self.c_cal_soc}, d_cal_soc={self.d_cal_soc}"
            )
        if self.d_cyc_dod + min(-0.216 * self.c_cyc_dod, 0.064 * self.c_cyc_dod) <= 0:
            raise ValueError(
                f"the cycle DOD factor c_cyc_dod*(DOD-0.6)^3 + d_cyc_dod must stay above 0 on [0, 1]: "
                f"found c_cyc_dod={self.c_cyc_dod}, d_cyc_dod={self.d_cyc_dod}"
            )
        return self


class BatteryAgeing(BaseModel):
    """The ``ageing:`` record of a battery: which model, its parameters and the replacement floor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: Literal["naumann_lfp"] = Field(
        default="naumann_lfp", description="LFP/graphite model of Naumann et al. 2018 (calendar) and 2020 (cycle)"
    )
    soh_floor: float = Field(
        default=DEFAULT_SOH_FLOOR,
        gt=0,
        lt=1,
        description="state of health at which the battery is replaced [-]; default SAM's 70 %",
    )
    parameters: NaumannLfpParameters = Field(default_factory=NaumannLfpParameters)


@dataclass(frozen=True)
class RainflowCycles:
    """Cycles counted by rainflow; one entry per counted cycle or half cycle.

    Attributes
    ----------
    depth : ndarray
        Range of the cycle [same unit as the series; SoC fraction for a battery].
    mean : ndarray
        Mean of the cycle's two extremes [same unit].
    count : ndarray
        1.0 for a full cycle, 0.5 for a half cycle [-].
    duration_steps : ndarray
        Steps in which the series changes between the two extremes of the counted excursion
        (a rest at a plateau does not count) [steps].
    """

    depth: np.ndarray
    mean: np.ndarray
    count: np.ndarray
    duration_steps: np.ndarray


@dataclass(frozen=True)
class AgeingState:
    """Accumulated ageing of one battery.

    Attributes
    ----------
    q_cal : float
        Calendar capacity loss [fraction of initial capacity].
    q_cyc : float
        Cycle capacity loss [fraction of initial capacity].
    r_growth : float
        Resistance growth, calendar plus cycle [fraction of initial resistance].
    """

    q_cal: float = 0.0
    q_cyc: float = 0.0
    r_growth: float = 0.0

    @property
    def soh(self) -> float:
        """State of health.

        Returns
        -------
        float
            Remaining capacity over initial capacity, ``1 - q_cal - q_cyc`` [-].
        """
        return 1.0 - self.q_cal - self.q_cyc


@dataclass(frozen=True)
class AgeingByYear:
    """Ageing of a battery year by year; arrays have one entry per year.

    Attributes
    ----------
    year : ndarray of int
        Year of operation, 1-based [-].
    soh_start, soh_end : ndarray
        State of health at the start and at the end of the year, before any replacement [-].
    capacity_start_kwh : ndarray
        Capacity at the start of the year, ``soh_start * energy_kwh`` [kWh].
    resistance_ratio : ndarray
        Mean internal resistance over initial resistance during the year [-].
    round_trip_efficiency : ndarray
        Round-trip efficiency during the year by the resistance proxy of the module [-].
    replaced : ndarray of bool
        True for a year at whose end the battery is replaced.
    """

    year: np.ndarray
    soh_start: np.ndarray
    soh_end: np.ndarray
    capacity_start_kwh: np.ndarray
    resistance_ratio: np.ndarray
    round_trip_efficiency: np.ndarray
    replaced: np.ndarray

    @property
    def replacement_years(self) -> list[int]:
        """Years at whose end the battery is replaced.

        Returns
        -------
        list of int
            1-based years [-].
        """
        return [int(y) for y in self.year[self.replaced]]


# --------------------------------------------------------------------------- rainflow


def _reversals(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Peaks and valleys of ``x`` with their indices; the first and last points are kept."""
    idx = np.flatnonzero(np.r_[True, np.diff(x) != 0])  # drop repeats (a plateau is one point)
    if idx.size < 3:
        return x[idx], idx
    d = np.diff(x[idx])
    turn = np.flatnonzero(np.sign(d[1:]) != np.sign(d[:-1])) + 1
    keep = np.r_[0, turn, idx.size - 1]
    return x[idx[keep]], idx[keep]


def rainflow_cycles(soc: ArrayLike) -> RainflowCycles:
    """Rainflow cycle counting of a series (ASTM E1049-85, 5.4.4).

    Parameters
    ----------
    soc : array-like
        Series to count, e.g. the state of charge [-]; 1-D, finite.

    Returns
    -------
    RainflowCycles
        Depth (range), mean and count (1 or 0.5) of every cycle, and the moving steps between
        its extremes. A range that contains the starting point counts as a half cycle and the
        starting point is discarded; what is left at the end (the residue) counts as half
        cycles, one per range, as the standard prescribes.

    Raises
    ------
    InputError
        For a series that is not 1-D or holds a value that is not finite.
    """
    x = np.asarray(soc, dtype=float)
    if x.ndim != 1 or not np.isfinite(x).all():
        raise InputError(
            None, "soc", "a 1-D series of finite numbers", f"shape {x.shape}, finite={np.isfinite(x).all()}"
        )
    peaks, at = _reversals(x)
    # Time is counted in steps that move, so that a rest before a charge does not dilute its C-rate.
    moving = np.r_[0, np.cumsum(np.diff(x) != 0)]
    at = moving[at]
    depth: list[float] = []
    mean: list[float] = []
    count: list[float] = []
    duration: list[int] = []

    def _record(i: int, j: int, n: float) -> None:
        depth.append(abs(stack[j] - stack[i]))
        mean.append(0.5 * (stack[j] + stack[i]))
        count.append(n)
        duration.append(abs(int(stack_at[j] - stack_at[i])))

    stack: list[float] = []
    stack_at: list[int] = []
    for value, index in zip(peaks.tolist(), at.tolist(), strict=True):
        stack.append(value)
        stack_at.append(index)
        while len(stack) >= 3:
            range_x = abs(stack[-1] - stack[-2])
            range_y = abs(stack[-2] - stack[-3])
            if range_x < range_y:
                break
            if len(stack) == 3:  # Y contains the starting point: a half cycle, drop the start
                _record(0, 1, 0.5)
                del stack[0], stack_at[0]
            else:  # a full cycle: drop Y's two points, keep the last
                _record(-3, -2, 1.0)
                del stack[-3:-1], stack_at[-3:-1]
    for i in range(len(stack) - 1):
        _record(i, i + 1, 0.5)
    return RainflowCycles(
        depth=np.asarray(depth, dtype=float),
        mean=np.asarray(mean, dtype=float),
        count=np.asarray(count, dtype=float),
        duration_steps=np.asarray(duration, dtype=np.int64),
    )


# --------------------------------------------------------------------------- stress factors


def calendar_fade_rate(t_c: ArrayLike, soc: ArrayLike, params: NaumannLfpParameters) -> np.ndarray:
    """Calendar capacity-fade rate of the Naumann model.

    Parameters
    ----------
    t_c : float or array
        Cell temperature [degC].
    soc : float or array
        State of charge [-].
    params : NaumannLfpParameters
        Model parameters.

    Returns
    -------
    ndarray
        ``k`` in ``q_cal = k * sqrt(t)`` [1/s^0.5], see [2]_.
    """
    t_k = np.asarray(t_c, dtype=float) + _ZERO_C_IN_K
    t_ref_k = params.t_ref_c + _ZERO_C_IN_K
    k_t = params.k_ref_cal_per_sqrt_s * np.exp(
        -params.ea_cal_j_per_mol / GAS_CONSTANT_J_PER_MOL_K * (1.0 / t_k - 1.0 / t_ref_k)
    )
    return k_t * (params.c_cal_soc * (np.asarray(soc, dtype=float) - 0.5) ** 3 + params.d_cal_soc)


def cycle_fade_rate(c_rate_per_h: ArrayLike, dod: ArrayLike, params: NaumannLfpParameters) -> np.ndarray:
    """Cycle capacity-fade rate of the Naumann model.

    Parameters
    ----------
    c_rate_per_h : float or array
        Mean C-rate of the cycle [1/h].
    dod : float or array
        Depth of the cycle [-].
    params : NaumannLfpParameters
        Model parameters.

    Returns
    -------
    ndarray
        ``k`` in ``q_cyc = k * sqrt(FEC)`` [fraction, per sqrt of a full equivalent cycle], see [3]_
        (the published fit is in per cent; this is divided by 100).
    """
    k_c = params.a_cyc_c_rate * np.asarray(c_rate_per_h, dtype=float) + params.b_cyc_c_rate
    k_dod = params.c_cyc_dod * (np.asarray(dod, dtype=float) - 0.6) ** 3 + params.d_cyc_dod
    return k_c * k_dod / 100.0


def _resistance_growth(
    t_c: np.ndarray,
    soc: np.ndarray,
    step_s: float,
    cycles: RainflowCycles,
    c_rate: np.ndarray,
    fec: np.ndarray,
    p: NaumannLfpParameters,
) -> float:
    """Resistance growth of one year, calendar plus cycle [fraction of initial resistance]."""
    t_k = t_c + _ZERO_C_IN_K
    k_t = p.k_ref_r_cal_per_s * np.exp(
        -p.ea_r_cal_j_per_mol / GAS_CONSTANT_J_PER_MOL_K * (1.0 / t_k - 1.0 / (p.t_ref_c + _ZERO_C_IN_K))
    )
    calendar = float(np.sum(k_t * (p.c_r_cal_soc * (soc - 0.5) ** 2 + p.d_r_cal_soc)) * step_s)
    # The linear C-rate fit of [3] crosses zero at C = b/|a| (1.05 for the published values):
    # beyond the tested range a negative growth would be unphysical, so it is held at zero.
    k_c = np.maximum(p.a_r_cyc_c_rate * c_rate + p.b_r_cyc_c_rate, 0.0)
    k_dod = np.maximum(p.c_r_cyc_dod * (cycles.depth - 0.5) ** 3 + p.d_r_cyc_dod, 0.0)
    return calendar + float(np.sum(k_c * k_dod * fec)) / 100.0


# --------------------------------------------------------------------------- one year, many years


def age_year(
    state: AgeingState,
    soc: ArrayLike,
    t_c: ArrayLike,
    params: NaumannLfpParameters | None = None,
    step_h: float = 1.0,
) -> AgeingState:
    """Age a battery by one period of operation (usually a year).

    Parameters
    ----------
    state : AgeingState
        Ageing accumulated before the period.
    soc : array-like
        State of charge at every step of the period [-], in [0, 1].
    t_c : float or array-like
        Cell temperature, one value or one per step [degC].
    params : NaumannLfpParameters, optional
        Model parameters; the published fit when None.
    step_h : float
        Length of a step [h].

    Returns
    -------
    AgeingState
        Ageing at the end of the period: calendar and cycle losses continued by virtual time
        (``q**2`` grows by ``k**2 * dt`` and by ``k**2 * dFEC``), resistance growth summed.

    Raises
    ------
    InputError
        For SoC outside [0, 1], a temperature outside [-40, 80] degC or of the wrong length,
        or a step that is not positive.
    """
    p = params if params is not None else NaumannLfpParameters()
    x = np.asarray(soc, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise InputError(None, "soc", "a non-empty 1-D series in [0, 1]", _describe(x))
    temp = np.broadcast_to(np.asarray(t_c, dtype=float), x.shape) if np.ndim(t_c) == 0 else np.asarray(t_c, float)
    if temp.shape != x.shape:
        raise InputError(None, "t_c", f"one value or {x.size} values", f"shape {temp.shape}")
    if not np.isfinite(temp).all() or temp.min() < -40 or temp.max() > 80:
        raise InputError(None, "t_c", "cell temperatures in [-40, 80] degC", _describe(temp))
    if not step_h > 0:
        raise InputError(None, "step_h", "a positive step length [h]", repr(step_h))
    step_s = step_h * _SECONDS_PER_HOUR

    k_cal = calendar_fade_rate(temp, x, p)
    q_cal = float(np.sqrt(state.q_cal**2 + np.sum(k_cal**2) * step_s))

    cycles = rainflow_cycles(x)
    fec = cycles.count * cycles.depth
    c_rate = np.divide(
        cycles.depth, cycles.duration_steps * step_h, out=np.zeros_like(cycles.depth), where=cycles.duration_steps > 0
    )
    k_cyc = cycle_fade_rate(c_rate, cycles.depth, p)
    q_cyc = float(np.sqrt(state.q_cyc**2 + np.sum(k_cyc**2 * fec)))

    r_growth = state.r_growth + _resistance_growth(temp, x, step_s, cycles, c_rate, fec, p)
    return AgeingState(q_cal=q_cal, q_cyc=q_cyc, r_growth=r_growth)


def _describe(a: np.ndarray) -> str:
    if a.size == 0:
        return "an empty series"
    if not np.isfinite(a).all():
        return "a value that is not finite"
    return f"shape {a.shape}, range [{a.min():.6g}, {a.max():.6g}]"


def round_trip_efficiency(
    resistance_ratio: ArrayLike, charge_efficiency: float, discharge_efficiency: float
) -> np.ndarray:
    """Round-trip efficiency of an aged battery (the module's resistance proxy).

    Parameters
    ----------
    resistance_ratio : float or array
        Internal resistance over its initial value [-], at least 1.
    charge_efficiency, discharge_efficiency : float
        One-way efficiencies of the new battery [-].

    Returns
    -------
    ndarray
        ``(1 - (1 - eta_ch) * r) * (1 - (1 - eta_dis) * r)``, held at 0 or above [-]: every
        one-way loss scales with the resistance, an upper bound on the efficiency loss.
    """
    r = np.asarray(resistance_ratio, dtype=float)
    eta_ch = np.maximum(1.0 - (1.0 - charge_efficiency) * r, 0.0)
    eta_dis = np.maximum(1.0 - (1.0 - discharge_efficiency) * r, 0.0)
    return eta_ch * eta_dis


def soh_by_year(
    soc: ArrayLike,
    t_c: ArrayLike,
    energy_kwh: float,
    years: int,
    floor: float = DEFAULT_SOH_FLOOR,
    params: NaumannLfpParameters | None = None,
    *,
    step_h: float = 1.0,
    charge_efficiency: float = 0.95,
    discharge_efficiency: float = 0.95,
) -> AgeingByYear:
    """State of health, efficiency and replacements of a battery over its years.

    Parameters
    ----------
    soc : array-like
        State of charge [-]: one year of steps, repeated every year, or one row per year
        (shape ``(years, n)``) when the years differ.
    t_c : float or array-like
        Cell temperature [degC]: one value, one per step, or shape ``(years, n)``.
    energy_kwh : float
        Nameplate energy of a new battery [kWh].
    years : int
        Number of years of operation [-].
    floor : float
        State of health at which the battery is replaced [-].
    params : NaumannLfpParameters, optional
        Model parameters; the published fit when None.
    step_h : float
        Length of a step [h].
    charge_efficiency, discharge_efficiency : float
        One-way efficiencies of the new battery [-].

    Returns
    -------
    AgeingByYear
        Per year: SoH at start and end, capacity at the start [kWh], mean resistance ratio,
        round-trip efficiency and whether the battery is replaced at the end of the year
        (SoH at or below ``floor``; the next year starts new).

    Raises
    ------
    InputError
        For a floor outside (0, 1), a number of years below 1, a negative energy, inputs of
        the wrong shape, or the errors of :func:`age_year`.
    """
    if not 0 < floor < 1:
        raise InputError(None, "floor", "a state of health in (0, 1)", repr(floor))
    if int(years) != years or years < 1:
        raise InputError(None, "years", "a whole number of years, at least 1", repr(years))
    if not energy_kwh >= 0:
        raise InputError(None, "energy_kwh", "a non-negative energy [kWh]", repr(energy_kwh))
    for name, eta in (("charge_efficiency", charge_efficiency), ("discharge_efficiency", discharge_efficiency)):
        if not 0 < eta <= 1:
            raise InputError(None, name, "an efficiency in (0, 1]", repr(eta))
    n_years = int(years)
    soc_rows = _rows(soc, n_years, "soc")
    t_arr = np.asarray(t_c, dtype=float)
    t_rows = np.broadcast_to(t_arr, soc_rows.shape) if t_arr.ndim == 0 else _rows(t_arr, n_years, "t_c")
    if t_rows.shape != soc_rows.shape:
        raise InputError(None, "t_c", f"one value or the shape of soc {soc_rows.shape}", f"shape {t_arr.shape}")

    out = {k: np.zeros(n_years) for k in ("soh_start", "soh_end", "resistance_ratio", "rte")}
    replaced = np.zeros(n_years, dtype=bool)
    state = AgeingState()
    for y in range(n_years):
        end = age_year(state, soc_rows[y], t_rows[y], params, step_h)
        out["soh_start"][y], out["soh_end"][y] = state.soh, end.soh
        # Resistance grows linearly in time and FEC under a year's stress: the year's mean is the midpoint.
        out["resistance_ratio"][y] = 1.0 + 0.5 * (state.r_growth + end.r_growth)
        replaced[y] = end.soh <= floor
        state = AgeingState() if replaced[y] else end
    return AgeingByYear(
        year=np.arange(1, n_years + 1),
        soh_start=out["soh_start"],
        soh_end=out["soh_end"],
        capacity_start_kwh=out["soh_start"] * energy_kwh,
        resistance_ratio=out["resistance_ratio"],
        round_trip_efficiency=round_trip_efficiency(out["resistance_ratio"], charge_efficiency, discharge_efficiency),
        replaced=replaced,
    )


def _rows(a: ArrayLike, n_years: int, field: str) -> np.ndarray:
    """One row per year: a 1-D series repeated, or a 2-D array with ``n_years`` rows."""
    x = np.asarray(a, dtype=float)
    if x.ndim == 1:
        return np.broadcast_to(x, (n_years, x.size))
    if x.ndim == 2 and x.shape[0] == n_years:
        return x
    raise InputError(None, field, f"a 1-D series or one row per year ({n_years} rows)", f"shape {x.shape}")
