"""Heat supply components: direct heat exchange, heat pumps, boilers, purchased heat,
thermal storage and absorption chillers.

Each component is a frozen parameter class (its fields are the YAML keys of the
scenario) plus pure vectorised functions. Nothing here keeps state between calls:
the state of charge of a thermal store moves only inside the dispatch kernel;
:func:`thermal_storage_soc_kwh_th` is the reference recursion the kernel must match.

Conventions
-----------
* Heat flows ``q_kw_th`` are mean thermal power over the hour [kW_th] (= kWh_th per
  hour), non-negative, from a named source to a named sink.
* Temperatures ``t_c`` are in degrees Celsius; absolute temperatures in kelvin are
  ``t_c + 273.15``.
* No heat moves from cold to hot without a heat pump: :func:`direct_exchange_q_kw_th`
  is zero unless the source is hotter than the sink by at least the minimum approach.

References
----------
.. [1] Kemp, I. C., *Pinch Analysis and Process Integration*, 2nd ed., Butterworth-
   Heinemann, 2007, ch. 2 (minimum approach temperature dT_min, stream heat capacity
   flow rate CP = Q / (T_supply - T_target)).
.. [2] Incropera, F. P. et al., *Fundamentals of Heat and Mass Transfer*, 6th ed., 2007,
   sec. 11.4 (effectiveness: actual over thermodynamically possible heat transfer).
.. [3] Arpagaus, C., Bless, F., Uhlmann, M., Schiffmann, J., Bertsch, S. S., "High
   temperature heat pumps: market overview, state of the art, research status,
   refrigerants, and application potentials", *Energy* 152 (2018) 985-1010,
   doi:10.1016/j.energy.2018.03.166.
.. [4] GB/T 32150-2015 (GHG accounting for industrial enterprises) and GB/T 2589-2020
   (comprehensive energy consumption), coefficients via ``shared/facts/standards.md``;
   see ``components/data/fuels.csv``.
.. [5] Tawalbeh, M. et al., "Parametric study of a single effect lithium bromide-water
   absorption chiller powered by a renewable heat source", *J. Sustain. Dev. Energy
   Water Environ. Syst.* 8(3) (2020) 464-475, doi:10.13044/j.sdewes.d7.0290.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.absorption import CHARACTERISTIC_PARAMETERS, characteristic_q_kw
from lingtan.errors import InputError
from lingtan.limits import (
    MAX_COP,
    MAX_EF_T_PER_GJ,
    MAX_ENERGY_KWH,
    MAX_POWER_KW,
    MAX_PRICE_CNY,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FUELS_CSV = DATA_DIR / "fuels.csv"

KELVIN = 273.15
KJ_PER_KWH = 3600.0
GJ_PER_KWH = 0.0036
#: GB/T 2589: heat 0.03412 kgce per MJ (via shared/facts/standards.md)
KGCE_PER_MJ_HEAT = 0.03412

Fuel = Literal["natural_gas", "coal", "biomass", "electric", "diesel", "lpg"]
AMBIENT_AIR = "ambient_air"


# --------------------------------------------------------------------------------------
# Direct heat exchange
# --------------------------------------------------------------------------------------
class HeatExchanger(BaseModel):
    """A heat exchanger moving waste heat from a stream directly into a heat demand.

    Attributes are the YAML keys of ``heat_exchangers[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: str = Field(description="name of the waste-heat stream (hot side)")
    sink: str = Field(description="name of the heat demand (cold side)")
    effectiveness: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="share of the thermodynamically recoverable heat actually moved [-]",
    )
    min_approach_k: float = Field(
        default=10.0,
        ge=0,
        le=MAX_TEMPERATURE_C,
        description="minimum temperature difference between the hot and the cold side [K]; "
        "upper bound lingtan.limits.MAX_TEMPERATURE_C",
    )
    capacity_q_kw_th: float | None = Field(
        default=None,
        ge=0,
        le=MAX_POWER_KW,
        description="heat transfer limit [kW_th]; none if absent; upper bound lingtan.limits.MAX_POWER_KW",
    )


def direct_exchange_q_kw_th(
    q_source_kw_th: ArrayLike,
    t_source_c: ArrayLike,
    t_sink_c: ArrayLike,
    effectiveness: ArrayLike,
    min_approach_k: ArrayLike = 10.0,
    t_source_return_c: ArrayLike | None = None,
    q_sink_kw_th: ArrayLike | None = None,
) -> np.ndarray:
    """Heat recoverable from a waste-heat stream into a sink by direct exchange [kW_th].

    Model (pinch analysis with a minimum approach temperature [1]_, scaled by an
    effectiveness [2]_). The stream releases ``q_source_kw_th`` when cooled from
    ``t_source_c`` down to ``t_source_return_c``; its heat capacity flow rate is
    ``CP = q_source / (t_source - t_source_return)`` [kW/K]. Delivering heat to a sink at
    ``t_sink_c`` (the sink's supply temperature, taken conservatively as the temperature
    at which all of its heat is needed), the stream can be cooled no lower than
    ``t_sink + min_approach``, so

    ``q = effectiveness * CP * (t_source - max(t_source_return, t_sink + min_approach))``

    clipped to ``[0, q_source]``. With ``t_source_return_c=None`` the stream is treated
    as isothermal (condensing steam, or ``q_source`` already counts only heat above the
    sink): ``q = effectiveness * q_source`` when ``t_source > t_sink + min_approach``.
    Either way the result is **zero** when ``t_source <= t_sink + min_approach``: heat
    never moves from cold to hot without a heat pump.

    Parameters
    ----------
    q_source_kw_th : float or array
        Waste heat available from the stream [kW_th], >= 0.
    t_source_c : float or array
        Supply (hot-end) temperature of the stream [C].
    t_sink_c : float or array
        Supply temperature the sink needs [C].
    effectiveness : float or array
        Share of the recoverable heat actually moved, 0..1 [-].
    min_approach_k : float or array, default 10
        Minimum temperature difference between the two sides [K], >= 0.
    t_source_return_c : float or array, optional
        Temperature the stream may be cooled to (its return / stack limit) [C];
        must be below ``t_source_c`` where ``q_source_kw_th > 0``.
    q_sink_kw_th : float or array, optional
        Sink demand [kW_th]; the result never exceeds it.

    Returns
    -------
    ndarray
        Heat moved from the stream to the sink [kW_th], ``0 <= q <= q_source_kw_th``.

    Raises
    ------
    ValueError
        A negative source heat or approach, an effectiveness outside [0, 1], or a return temperature not below
        the supply where the stream carries heat.

    References
    ----------
    .. [1] Kemp (2007), ch. 2.
    .. [2] Incropera et al. (2007), sec. 11.4.
    """
    q_src = np.asarray(q_source_kw_th, dtype=float)
    t_src = np.asarray(t_source_c, dtype=float)
    t_snk = np.asarray(t_sink_c, dtype=float)
    eps = np.asarray(effectiveness, dtype=float)
    dt_min = np.asarray(min_approach_k, dtype=float)
    if np.any(q_src < 0):
        raise ValueError("q_source_kw_th must be non-negative")
    if np.any((eps < 0) | (eps > 1)):
        raise ValueError("effectiveness must lie in [0, 1]")
    if np.any(dt_min < 0):
        raise ValueError("min_approach_k must be non-negative")
    t_floor = t_snk + dt_min  # lowest temperature the stream may reach when feeding this sink
    feasible = t_src > t_floor
    if t_source_return_c is None:
        share = np.where(feasible, 1.0, 0.0)
    else:
        t_ret = np.asarray(t_source_return_c, dtype=float)
        span = t_src - t_ret
        if np.any((span <= 0) & (q_src > 0)):
            raise ValueError("t_source_return_c must be below t_source_c where the stream carries heat")
        usable = t_src - np.maximum(t_ret, t_floor)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(feasible & (span > 0), usable / np.where(span > 0, span, 1.0), 0.0)
    share = np.clip(share, 0.0, 1.0)
    q = eps * q_src * share
    if q_sink_kw_th is not None:
        q = np.minimum(q, np.maximum(np.asarray(q_sink_kw_th, dtype=float), 0.0))
    return np.clip(q, 0.0, q_src) * np.ones(np.broadcast(q_src, t_src, t_snk, eps, dt_min).shape)


# --------------------------------------------------------------------------------------
# Heat pump
# --------------------------------------------------------------------------------------
#: Default Carnot fraction (second-law efficiency) of industrial heat pumps, derived from
#: Arpagaus et al. (2018) [3], abstract: research prototypes reach COP 5.7-6.5 at 30 K lift
#: and 2.2-2.8 at 70 K lift with a 120 C sink. Carnot COP = 393.15/30 = 13.1 and
#: 393.15/70 = 5.62, so the ratio COP/COP_Carnot is 0.43-0.50 and 0.39-0.50; 0.45 is
#: the middle of that band (applied to the fluid temperatures, see heat_pump_cop).
CARNOT_FRACTION_DEFAULT = 0.45
#: Default COP cap: the market heat pumps in Arpagaus et al. (2018) [3] reach COP 2.4-5.8
#: (lift 95-40 K); a cap of 6 keeps the Carnot formula from promising more at small lifts.
#: A user setting (assumed).
COP_MAX_DEFAULT = 6.0


class HeatPump(BaseModel):
    """An electric compression heat pump lifting waste heat or ambient heat to a sink.

    Attributes are the YAML keys of ``heat_pumps[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: str = Field(description=f"waste-heat stream name, or {AMBIENT_AIR!r} (weather temp_air)")
    sink: str | None = Field(default=None, description="name of the heat demand it serves")
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="sink supply temperature delivered [C]; bounds lingtan.limits.MIN_TEMPERATURE_C .. "
        "MAX_TEMPERATURE_C",
    )
    capacity_q_kw_th: float = Field(
        ge=0, le=MAX_POWER_KW, description="heat output limit [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    electricity: Literal["any", "renewable_surplus"] = Field(
        default="any", description="run on any electricity, or only on on-site renewable surplus"
    )
    carnot_fraction: float = Field(
        default=CARNOT_FRACTION_DEFAULT,
        gt=0,
        le=1,
        description="COP / Carnot COP on fluid temperatures [-] (Arpagaus et al. 2018)",
    )
    cop_max: float = Field(
        default=COP_MAX_DEFAULT,
        gt=1,
        le=MAX_COP,
        description="upper limit of the COP [-]; upper bound lingtan.limits.MAX_COP",
    )
    min_lift_k: float = Field(
        default=10.0,
        ge=0,
        le=MAX_TEMPERATURE_C,
        description="smallest lift used in the Carnot formula [K] (compressor minimum pressure ratio; assumed); "
        "upper bound lingtan.limits.MAX_TEMPERATURE_C",
    )
    max_lift_k: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TEMPERATURE_C,
        description="largest feasible lift [K]; none if absent; upper bound lingtan.limits.MAX_TEMPERATURE_C",
    )
    max_sink_t_c: float = Field(
        default=160.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="highest sink temperature the machine can deliver [C] "
        "(160 C: the upper end of the HTHPs reviewed by Arpagaus et al. 2018); "
        "bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )

    cooling: str | None = Field(
        default=None,
        description="a ground-source heat pump only: the space whose cooling it serves in summer (reversed, "
        "its heat rejected into the ground loop); the space's chillers (cooling_cop) take what it cannot",
    )
    cooling_t_c: float = Field(
        default=7.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="chilled-water supply temperature in cooling [C] (7 C: the usual fan-coil design, assumed)",
    )

    @model_validator(mode="after")
    def _sink_reachable(self) -> HeatPump:
        if self.t_c > self.max_sink_t_c:
            raise ValueError(f"t_c ({self.t_c} C) exceeds max_sink_t_c ({self.max_sink_t_c} C)")
        return self


def heat_pump_cop(
    t_source_c: ArrayLike,
    t_sink_c: ArrayLike,
    carnot_fraction: float = CARNOT_FRACTION_DEFAULT,
    cop_max: float = COP_MAX_DEFAULT,
    min_lift_k: float = 0.0,
    max_lift_k: float | None = None,
    max_sink_t_c: float | None = None,
) -> np.ndarray:
    """Heating COP of an electric heat pump from the source and sink temperatures [-].

    ``COP = carnot_fraction * T_sink / (T_sink - T_source)`` with ``T`` in kelvin, on the
    *fluid* temperatures (source stream supply, sink supply). No separate evaporator and
    condenser approach temperatures are added: the Carnot fraction of [3]_ was derived
    from COPs reported against fluid temperatures, so it already contains them. The lift
    used in the formula is at least ``min_lift_k`` (a real compressor needs a minimum
    pressure ratio; this also keeps the COP finite when the source is as warm as the sink),
    and the result is capped at ``cop_max``.

    The COP is **0** (the machine is unavailable) where the sink is above
    ``max_sink_t_c``, where the lift exceeds ``max_lift_k``, or where the formula gives
    a COP <= 1 (no better than resistance heating).

    Parameters
    ----------
    t_source_c, t_sink_c : float or array
        Source and sink temperatures [C].
    carnot_fraction : float, default 0.45
        Ratio of the real to the Carnot COP [-].
    cop_max : float, default 6
        Cap of the COP [-].
    min_lift_k : float, default 0
        Smallest lift used in the formula [K].
    max_lift_k, max_sink_t_c : float, optional
        Feasibility limits [K], [C].

    Returns
    -------
    ndarray
        Heating COP [-]; 0 where unavailable.

    Raises
    ------
    ValueError
        For a Carnot fraction outside (0, 1].

    References
    ----------
    .. [3] Arpagaus et al. (2018).

    Examples
    --------
    Carnot fraction 0.5, 40 C source, 80 C sink: 0.5 * 353.15 / 40 = 4.414.
    """
    if not 0 < carnot_fraction <= 1:
        raise ValueError("carnot_fraction must lie in (0, 1]")
    cop = _cop_array(
        np.asarray(t_source_c, dtype=float),
        np.asarray(t_sink_c, dtype=float),
        carnot_fraction,
        cop_max,
        min_lift_k,
        np.inf if max_lift_k is None else max_lift_k,
        np.inf if max_sink_t_c is None else max_sink_t_c,
    )
    return np.asarray(cop, dtype=float)


def cop_of(
    t_source_c: float,
    t_sink_c: float,
    carnot_fraction: float,
    cop_max: float,
    min_lift_k: float,
    max_lift_k: float,
    max_sink_t_c: float,
) -> float:
    """:func:`heat_pump_cop` of one source and sink, in plain arithmetic: :func:`heat_pump_cop` maps it over
    arrays, and the dispatch kernel compiles it (``numba.njit``) for a ground-source heat pump, whose source
    temperature it moves hour by hour. This module does not import numba: a process that never dispatches (``twin
    check``) does not pay for it.

    Parameters
    ----------
    t_source_c, t_sink_c : float
        Source and sink temperatures [C].
    carnot_fraction, cop_max : float
        Ratio of the real to the Carnot COP, and the COP's cap [-] (not checked here).
    min_lift_k, max_lift_k : float
        Smallest lift used in the formula and largest feasible lift [K] (inf for none).
    max_sink_t_c : float
        Highest sink temperature [C] (inf for none).

    Returns
    -------
    float
        Heating COP [-]; 0 where unavailable.
    """
    lift = t_sink_c - t_source_c
    cop = min(carnot_fraction * (t_sink_c + KELVIN) / max(lift, max(min_lift_k, 1e-9)), cop_max)
    if cop > 1.0 and lift <= max_lift_k and t_sink_c <= max_sink_t_c:
        return cop
    return 0.0


_cop_array = np.vectorize(cop_of, otypes=[float])


def heat_pump_params_cop(hp: HeatPump, t_source_c: ArrayLike) -> np.ndarray:
    """:func:`heat_pump_cop` with the limits of a :class:`HeatPump`.

    Parameters
    ----------
    hp : HeatPump
        Sink temperature [C], Carnot fraction [-], COP cap [-], lift limits [K], highest sink [C].
    t_source_c : float or array
        Source temperature [C].

    Returns
    -------
    ndarray
        Heating COP [-]; 0 where unavailable.
    """
    return heat_pump_cop(
        t_source_c, hp.t_c, hp.carnot_fraction, hp.cop_max, hp.min_lift_k, hp.max_lift_k, hp.max_sink_t_c
    )


def heat_pump_flows(q_out_kw_th: ArrayLike, cop: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Electricity in and source heat drawn for a heat output.

    Parameters
    ----------
    q_out_kw_th : float or array
        Heat delivered to the sink [kW_th], >= 0.
    cop : float or array
        Heating COP [-]; where 0 the output must be 0.

    Returns
    -------
    p_kw : ndarray
        Electricity in, ``q_out / COP`` [kW].
    q_source_kw_th : ndarray
        Heat drawn from the source, ``q_out - p`` [kW_th] (energy balance:
        ``q_out = q_source + p``).

    Raises
    ------
    ValueError
        A negative output, or output asked where the COP is 0.
    """
    q = np.asarray(q_out_kw_th, dtype=float)
    c = np.asarray(cop, dtype=float)
    if np.any(q < 0):
        raise ValueError("q_out_kw_th must be non-negative")
    if np.any((c <= 0) & (q > 0)):
        raise ValueError("heat output asked where the heat pump is unavailable (COP 0)")
    p = np.divide(q, c, out=np.zeros(np.broadcast(q, c).shape), where=c > 0)
    return p, q - p


def heat_pump_max_q_kw_th(
    q_source_available_kw_th: ArrayLike, cop: ArrayLike, capacity_q_kw_th: ArrayLike
) -> np.ndarray:
    """Largest heat output given the source heat available and the capacity.

    The source supplies ``q_out * (1 - 1/COP)``, so ``q_out <= q_source * COP / (COP - 1)``.
    Pass ``np.inf`` as the source for ambient air.

    Parameters
    ----------
    q_source_available_kw_th : float or array
        Source heat available [kW_th].
    cop : float or array
        Heating COP [-].
    capacity_q_kw_th : float or array
        Heat output limit [kW_th].

    Returns
    -------
    ndarray
        Largest output [kW_th]; 0 where the COP is 0 or the source cannot lift (COP <= 1).
    """
    q_src = np.asarray(q_source_available_kw_th, dtype=float)
    c = np.asarray(cop, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_source = np.where(c > 1, q_src * c / np.where(c > 1, c - 1, 1.0), 0.0)
    return np.where(c > 0, np.minimum(by_source, capacity_q_kw_th), 0.0)


# --------------------------------------------------------------------------------------
# Boilers and fuels
# --------------------------------------------------------------------------------------
_FUEL_COLUMNS = [
    "fuel",
    "unit",
    "ncv_kj_per_unit",
    "kgce_per_unit",
    "kgco2_per_unit",
    "biomass",
    "source",
    "confidence",
]


def load_fuels(path: str | Path = FUELS_CSV) -> pd.DataFrame:
    """Fuel coefficients table, indexed by fuel name.

    Parameters
    ----------
    path : str or Path
        The table (default the shipped ``components/data/fuels.csv``).

    Returns
    -------
    DataFrame
        A copy, indexed by fuel, columns ``unit`` (m3, kg, kWh), ``ncv_kj_per_unit`` (net calorific value
        [kJ/unit]), ``kgce_per_unit`` (GB/T 2589 standard coal [kgce/unit]), ``kgco2_per_unit`` (GB/T 32150
        default [kgCO2/unit]; biogenic CO2 for biomass; empty for electricity, which is scope 2),
        ``biomass`` (bool), ``source``, ``confidence``.

    Raises
    ------
    InputError
        A missing file, missing columns, duplicate fuels, non-positive calorific values.
    """
    return _load_fuels_cached(str(Path(path).resolve())).copy()


@lru_cache(maxsize=4)
def _load_fuels_cached(path: str) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "file", "an existing fuels CSV", "no such file")
    df = pd.read_csv(p)
    missing = [c for c in _FUEL_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(p, "header", f"columns {_FUEL_COLUMNS}", f"missing {missing}")
    if df["fuel"].duplicated().any():
        raise InputError(
            p, "column fuel", "one row per fuel", f"duplicates {list(df['fuel'][df['fuel'].duplicated()])}"
        )
    ncv = pd.to_numeric(df["ncv_kj_per_unit"], errors="coerce")
    bad = np.flatnonzero(~(ncv > 0))
    if bad.size:
        raise InputError(
            p,
            f"column ncv_kj_per_unit, row {bad[0] + 2}",
            "a positive number",
            repr(df["ncv_kj_per_unit"].iloc[bad[0]]),
        )
    df["biomass"] = df["biomass"].astype(str).str.lower().isin(["true", "1", "yes"])
    return df.set_index("fuel")


#: Highest boiler efficiency on an NCV basis: natural gas's gross-to-net calorific value ratio, about 1.11
#: (methane: higher heating value 890.6 kJ/mol, NIST Chemistry WebBook; lower heating value
#: 890.6 - 2 x 44.0 kJ/mol of water vaporised = 802.6 kJ/mol; ratio 1.110); a condensing
#: boiler recovering all the latent heat of its flue gas reaches it, nothing burning fuel exceeds it.
CONDENSING_EFFICIENCY_MAX = 1.11
#: Fuels whose flue gas carries enough water vapour for a condensing boiler (hydrogen-rich fuels).
CONDENSING_FUELS = frozenset({"natural_gas", "lpg", "diesel", "biomass"})


class Boiler(BaseModel):
    """A boiler (or electric heater) making heat from a fuel.

    Attributes are the YAML keys of ``boilers[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    fuel: Fuel
    efficiency: float = Field(
        gt=0,
        le=CONDENSING_EFFICIENCY_MAX,
        description="heat out / fuel energy in at NCV [-]; above 1 only for condensing: true",
    )
    capacity_q_kw_th: float = Field(
        ge=0, le=MAX_POWER_KW, description="heat output limit [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="highest supply temperature [C]; bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    electricity: Literal["any", "renewable_surplus"] = Field(
        default="renewable_surplus",
        description="electric boilers only: run on any electricity, or only on on-site renewable surplus "
        "(default: an electric boiler on grid power emits more than a gas boiler)",
    )
    condensing: bool = Field(
        default=False,
        description="a condensing boiler, which recovers the latent heat of "
        "the flue gas's water vapour and may exceed 1 on an NCV basis",
    )

    @model_validator(mode="after")
    def _efficiency_basis(self) -> Boiler:
        # On a net-calorific-value basis only a condensing boiler can deliver more heat than the fuel's NCV (it
        # recovers latent heat the NCV leaves out); a heat pump's COP above 1 is a different machine (HeatPump).
        if self.efficiency > 1.0 and not self.condensing:
            raise ValueError(
                f"efficiency {self.efficiency:g} > 1 on an NCV basis is possible only for a condensing "
                f"boiler: state condensing: true, or give the efficiency at NCV (<= 1)"
            )
        if self.condensing and self.fuel not in CONDENSING_FUELS:
            raise ValueError(
                f"condensing: true needs a fuel whose flue gas carries water vapour to condense "
                f"({sorted(CONDENSING_FUELS)}); found fuel {self.fuel!r}"
            )
        return self


def boiler_fuel(q_kw_th_out: ArrayLike, boiler: Boiler, fuels: pd.DataFrame | None = None) -> dict[str, Any]:
    """Fuel a boiler burns to deliver a heat output.

    ``fuel_e_kwh = q_out / efficiency`` (energy at net calorific value) and
    ``fuel_units = fuel_e_kwh * 3600 / ncv_kj_per_unit``.

    Parameters
    ----------
    q_kw_th_out : float or array
        Heat delivered [kW_th] per hour (= kWh_th), >= 0.
    boiler : Boiler
        Its fuel and efficiency at NCV [-].
    fuels : DataFrame, optional
        Table from :func:`load_fuels`; the shipped ``components/data/fuels.csv`` by default.

    Returns
    -------
    dict
        ``fuel`` (name), ``unit`` (m3, kg or kWh), ``fuel_units`` (fuel in physical units
        per hour), ``fuel_e_kwh`` (fuel energy at NCV [kWh]), ``kgce`` (GB/T 2589 standard
        coal [kgce]), ``kgco2_scope1`` (fossil combustion CO2, GB/T 32150 default [kg];
        0 for biomass and electricity), ``kgco2_biogenic`` (biomass CO2, reported
        separately [kg]), ``biomass`` (bool), ``source``, ``confidence``.
        For ``electric``, ``fuel_units`` is the electricity in [kWh]; its CO2 is scope 2
        and is counted on the electricity flow, not here.

    Raises
    ------
    InputError
        When the fuel table has no row for the boiler's fuel.
    ValueError
        For a negative heat output.
    """
    q = np.asarray(q_kw_th_out, dtype=float)
    if np.any(q < 0):
        raise ValueError("q_kw_th_out must be non-negative")
    return fuel_burnt(q / boiler.efficiency, boiler.fuel, fuels)


def fuel_burnt(fuel_e_kwh: ArrayLike, fuel: str, fuels: pd.DataFrame | None = None) -> dict[str, Any]:
    """A fuel's energy at NCV [kWh] as physical units, standard coal and CO2 (``fuels.csv``).

    ``fuel_units = fuel_e_kwh * 3600 / ncv_kj_per_unit``; the returned record is the one of :func:`boiler_fuel`.

    Parameters
    ----------
    fuel_e_kwh : float or array
        Fuel energy at net calorific value [kWh], >= 0.
    fuel : str
        A row of the fuel table.
    fuels : DataFrame, optional
        Table from :func:`load_fuels`; the shipped ``components/data/fuels.csv`` by default.

    Returns
    -------
    dict
        As :func:`boiler_fuel`.

    Raises
    ------
    InputError
        When the fuel table has no row for the fuel.
    """
    fuels = load_fuels() if fuels is None else fuels
    if fuel not in fuels.index:
        raise InputError(FUELS_CSV, "column fuel", f"a row for {fuel!r}", f"fuels {list(fuels.index)}")
    row = fuels.loc[fuel]
    fuel_e_kwh = np.asarray(fuel_e_kwh, dtype=float)
    units = fuel_e_kwh * KJ_PER_KWH / float(row["ncv_kj_per_unit"])
    ef = float(row["kgco2_per_unit"]) if pd.notna(row["kgco2_per_unit"]) else 0.0
    biomass = bool(row["biomass"])
    combustion = fuel != "electric"
    kgco2 = units * ef if combustion else np.zeros_like(units)
    return {
        "fuel": fuel,
        "unit": str(row["unit"]),
        "fuel_units": units,
        "fuel_e_kwh": fuel_e_kwh,
        "kgce": units * float(row["kgce_per_unit"]),
        "kgco2_scope1": np.zeros_like(units) if biomass else kgco2,
        "kgco2_biogenic": kgco2 if biomass else np.zeros_like(units),
        "biomass": biomass,
        "source": str(row["source"]),
        "confidence": str(row["confidence"]),
    }


# --------------------------------------------------------------------------------------
# Purchased heat
# --------------------------------------------------------------------------------------
class PurchasedHeat(BaseModel):
    """Heat or steam bought from a district network or a neighbour.

    Attributes are the YAML keys of ``purchased_heat[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="supply temperature [C]; bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    capacity_q_kw_th: float = Field(
        ge=0, le=MAX_POWER_KW, description="contracted heat limit [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    price_cny_per_gj: float = Field(
        ge=0, le=MAX_PRICE_CNY, description="heat price [CNY/GJ]; upper bound lingtan.limits.MAX_PRICE_CNY"
    )
    ef_t_per_gj: float | None = Field(
        default=None,
        ge=0,
        le=MAX_EF_T_PER_GJ,
        description="the supplier's emission factor [tCO2/GJ]; None = accounting.heat_ef_t_per_gj (GB/T 32150 "
        "default 0.11, standards.md). The accounting uses this source's own factor when it is given; "
        "upper bound lingtan.limits.MAX_EF_T_PER_GJ",
    )


def purchased_heat_totals(
    q_kw_th: ArrayLike, heat: PurchasedHeat, default_ef_t_per_gj: float = 0.11
) -> dict[str, np.ndarray]:
    """Energy, cost, standard coal and scope-2 CO2 of purchased heat.

    Parameters
    ----------
    q_kw_th : float or array
        Heat bought per hour [kW_th] (= kWh_th).
    heat : PurchasedHeat
        Its price [CNY/GJ] and own factor [tCO2/GJ], if any.
    default_ef_t_per_gj : float
        Factor of a source that gives none [tCO2/GJ]; GB/T 32150 default 0.11. The site's accounting
        (:func:`lingtan.twin.accounting.account.account`) applies ``accounting.heat_ef_t_per_gj`` instead.

    Returns
    -------
    dict
        ``gj`` (1 kWh = 0.0036 GJ), ``cost_cny``, ``kgce`` (GB/T 2589 0.03412 kgce/MJ),
        ``tco2`` (``gj * ef_t_per_gj``), each an array like ``q_kw_th``.

    Raises
    ------
    ValueError
        For a negative heat flow.
    """
    q = np.asarray(q_kw_th, dtype=float)
    if np.any(q < 0):
        raise ValueError("q_kw_th must be non-negative")
    gj = q * GJ_PER_KWH
    return {
        "gj": gj,
        "cost_cny": gj * heat.price_cny_per_gj,
        "kgce": gj * 1000.0 * KGCE_PER_MJ_HEAT,
        "tco2": gj * (heat.ef_t_per_gj if heat.ef_t_per_gj is not None else default_ef_t_per_gj),
    }


# --------------------------------------------------------------------------------------
# Thermal storage
# --------------------------------------------------------------------------------------
class ThermalStorage(BaseModel):
    """A sensible-heat store (hot-water tank) at one temperature level.

    Conventions as the battery: charge ``q_ch`` adds ``q_ch`` kWh_th per hour, discharge
    removes ``q_dis``; the standing loss removes ``standing_loss_fraction_per_hour`` of the
    stored energy at the start of every hour. Attributes are the YAML keys of
    ``thermal_storage[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    capacity_kwh_th: float = Field(
        ge=0, le=MAX_ENERGY_KWH, description="usable heat capacity [kWh_th]; upper bound lingtan.limits.MAX_ENERGY_KWH"
    )
    charge_kw_th: float = Field(
        ge=0, le=MAX_POWER_KW, description="charge limit [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    discharge_kw_th: float = Field(
        ge=0, le=MAX_POWER_KW, description="discharge limit [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )
    standing_loss_fraction_per_hour: float = Field(default=0.0, ge=0, lt=1, description="[1/h]")
    t_c: float = Field(
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="temperature level of the stored heat [C]; "
        "bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    soc_initial: float = Field(default=0.0, ge=0, le=1, description="state of charge at the first hour [-]")


def thermal_storage_soc_kwh_th(
    q_charge_kw_th: ArrayLike, q_discharge_kw_th: ArrayLike, store: ThermalStorage, tol: float = 1e-9
) -> np.ndarray:
    """Stored heat at the end of every hour for given charge and discharge.

    The reference recursion (the dispatch kernel decides the flows and must match it):
    ``e[t] = e[t-1] * (1 - loss) + q_ch[t] - q_dis[t]``, ``e[-1] = soc_initial * capacity``.

    Parameters
    ----------
    q_charge_kw_th, q_discharge_kw_th : array, shape (T,)
        Charge and discharge of every hour [kW_th] (= kWh_th).
    store : ThermalStorage
        Capacity [kWh_th], power limits [kW_th], standing loss [1/h], initial state of charge [-].
    tol : float
        Tolerance on the limits and the state [kWh_th].

    Returns
    -------
    ndarray, shape (T,)
        Stored heat at the end of every hour [kWh_th].

    Raises
    ------
    ValueError
        Flows above the limits, or a state outside ``[0, capacity]``.
    """
    ch = np.asarray(q_charge_kw_th, dtype=float)
    dis = np.asarray(q_discharge_kw_th, dtype=float)
    if np.any(ch < 0) or np.any(dis < 0):
        raise ValueError("charge and discharge must be non-negative")
    if np.any(ch > store.charge_kw_th + tol) or np.any(dis > store.discharge_kw_th + tol):
        raise ValueError("charge or discharge above the store's power limit")
    keep = 1.0 - store.standing_loss_fraction_per_hour
    e: np.ndarray = np.empty(np.broadcast(ch, dis).shape)
    level = store.soc_initial * store.capacity_kwh_th
    for t in range(e.shape[0]):
        level = level * keep + ch[t] - dis[t]
        if level < -tol or level > store.capacity_kwh_th + tol:
            raise ValueError(f"hour {t}: stored heat {level} outside [0, {store.capacity_kwh_th}]")
        e[t] = level
    return e


# --------------------------------------------------------------------------------------
# Absorption chiller
# --------------------------------------------------------------------------------------
class AbsorptionChiller(BaseModel):
    """A single-effect LiBr-water absorption chiller driven by waste heat or a CHP unit's heat.

    Attributes are the YAML keys of ``absorption_chillers[i]``. ``model: constant`` keeps ``cop`` and
    ``capacity_q_kw_th`` at every hour; ``model: characteristic_equation`` takes them as the rating at
    ``rated_drive_t_c`` and ``rated_cooling_water_t_c`` and moves both with the hour's drive and cooling-water
    temperatures along a published machine's characteristic equation (:func:`absorption_chiller_full_load`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: str = Field(description="waste-heat stream or CHP unit driving the generator")
    cooling: str = Field(description="the space it cools; the space's electric chillers (cooling_cop) cool the rest")
    cop: float = Field(
        default=0.7,
        gt=0,
        le=1.5,
        description="cooling out / driving heat in [-] (characteristic_equation: at the rating temperatures); ~0.7 "
        "single effect (Tawalbeh et al. 2020)",
    )
    capacity_q_kw_th: float = Field(
        ge=0,
        le=MAX_POWER_KW,
        description="cooling output limit [kW_th] (characteristic_equation: at the rating temperatures); upper "
        "bound lingtan.limits.MAX_POWER_KW",
    )
    min_drive_t_c: float = Field(
        default=80.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="lowest driving heat temperature [C] (single-effect chillers are driven at "
        "about 80-120 C; assumed lower bound); bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    model: Literal["constant", "characteristic_equation"] = Field(
        default="constant",
        description="constant: cop and capacity every hour; characteristic_equation: both follow the drive and "
        "cooling-water temperatures (Kühn and Ziegler 2005)",
    )
    machine: Literal[tuple(CHARACTERISTIC_PARAMETERS)] = Field(  # type: ignore[valid-type]
        default="kuehn_ziegler_10kw",
        description="the published machine whose characteristic equation shapes the curve "
        "(lingtan.components.absorption.CHARACTERISTIC_PARAMETERS)",
    )
    rated_drive_t_c: float = Field(
        default=88.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="hot-water inlet of the rating [C]; default 88, Yazaki WFC-SC5's rating (88 -> 83 C) [secondary]",
    )
    rated_cooling_water_t_c: float = Field(
        default=31.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="cooling-water inlet of the rating [C]; default 31, Yazaki WFC-SC5's rating (31 -> 35 C) "
        "[secondary]",
    )
    chilled_water_t_c: float = Field(
        default=7.0,
        ge=-10.0,
        le=30.0,
        description="chilled-water supply [C], returning CHILLED_WATER_RISE_K warmer; default 7, assumed (the "
        "12.5 -> 7 C of single-effect ratings)",
    )
    cooling_tower_approach_k: float = Field(
        default=5.0,
        ge=0.0,
        le=30.0,
        description="cooling water above the air's wet bulb (dry bulb without humidity) [K]; default 5, assumed: no "
        "published design approach was found here",
    )

    @model_validator(mode="after")
    def _runs_at_rating(self) -> AbsorptionChiller:
        if self.model == "characteristic_equation":
            q_e, _ = _characteristic_at(self, self.rated_drive_t_c, self.rated_cooling_water_t_c)
            if not float(q_e) > 0.0:
                raise ValueError(
                    f"rated_drive_t_c {self.rated_drive_t_c:g} C with rated_cooling_water_t_c "
                    f"{self.rated_cooling_water_t_c:g} C: machine {self.machine!r} makes no cooling there; rate it "
                    "at a hotter drive or cooler cooling water"
                )
        return self


#: Temperature changes of the external circuits at the rating [K], for their arithmetic means: the hot water
#: drops 5 K (88 -> 83 C) and the cooling water rises 4 K (31 -> 35 C) in the rating of Yazaki's WFC-SC5 (as
#: quoted beside its performance table in github.com/foundation-zero/power-hub,
#: energy_box_control/appliances/yazaki.py, commit 6e2511b [secondary]); the chilled water rises 5.5 K
#: (17.6 kW on 0.77 l/s there; 12.5 -> 7 C assumed). Held at every load:
#: the flows are fixed and the glides scale with the load, an error of a few tenths of a kelvin in the means.
DRIVE_DROP_K = 5.0
COOLING_WATER_RISE_K = 4.0
CHILLED_WATER_RISE_K = 5.5


def _characteristic_at(
    chiller: AbsorptionChiller, t_drive_c: ArrayLike, t_cooling_water_c: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """The chiller's machine at full load at these inlet temperatures: (cooling, driving heat) [kW_th] of its size."""
    return characteristic_q_kw(
        chiller.machine,
        np.asarray(t_drive_c, dtype=float) - DRIVE_DROP_K / 2,
        np.asarray(t_cooling_water_c, dtype=float) + COOLING_WATER_RISE_K / 2,
        chiller.chilled_water_t_c + CHILLED_WATER_RISE_K / 2,
    )


def absorption_chiller_full_load(
    chiller: AbsorptionChiller, t_drive_c: ArrayLike, t_cooling_water_c: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling capacity and COP of an absorption chiller at full load, each hour.

    ``model: constant``: ``capacity_q_kw_th`` and ``cop``. ``model: characteristic_equation``: the published
    machine's cooling ``Q_E`` and driving heat ``Q_G`` (:func:`lingtan.components.absorption.characteristic_q_kw`)
    at the hour's mean temperatures, relative to the rating:

    ``capacity = capacity_q_kw_th * Q_E / Q_E,rated``, ``COP = cop * (Q_E / Q_G) / (Q_E,rated / Q_G,rated)``,

    zero capacity where ``Q_E <= 0``. The means are the hot-water inlet less half of :data:`DRIVE_DROP_K`, the
    cooling-water inlet plus half of :data:`COOLING_WATER_RISE_K`, the chilled-water supply plus half of
    :data:`CHILLED_WATER_RISE_K`.

    A part load within an hour is taken as the machine running at the hour's full load for part of it, at this
    COP. The characteristic equation's other reading of part load, a lower ``ddt`` (throttled hot water), needs
    ``Q_G = (s_G / s_E) (Q_E - r_E) + r_G``, a line with a positive intercept ``r_G - s_G r_E / s_E`` for every
    shipped machine: more heat than running in bursts at every part load.

    Parameters
    ----------
    chiller : AbsorptionChiller
        Its model, rating and machine.
    t_drive_c : float or array
        Hot-water (driving heat) inlet temperature [C].
    t_cooling_water_c : float, array or None
        Cooling-water inlet temperature [C] (:func:`lingtan.components.absorption.cooling_water_t_c`); needed by
        ``characteristic_equation`` only.

    Returns
    -------
    capacity_kw_th : ndarray
        Cooling it can make [kW_th].
    cop : ndarray
        Cooling out / driving heat in [-] (``cop`` where the capacity is zero).

    References
    ----------
    .. [5] Tawalbeh et al. (2020): single-effect LiBr-water chiller, COP ~0.7;
       :mod:`lingtan.components.absorption` for the characteristic equation.
    """
    t_drive = np.asarray(t_drive_c, dtype=float)
    if chiller.model == "constant":
        return np.full(t_drive.shape, chiller.capacity_q_kw_th), np.full(t_drive.shape, chiller.cop)
    if t_cooling_water_c is None:
        raise ValueError("model characteristic_equation needs the cooling-water temperature")
    q_e0, q_g0 = _characteristic_at(chiller, chiller.rated_drive_t_c, chiller.rated_cooling_water_t_c)
    q_e, q_g = _characteristic_at(chiller, t_drive, t_cooling_water_c)
    runs = q_e > 0.0  # Q_G > 0 there too: each machine's Q_G line crosses zero at a lower ddt than its Q_E line
    capacity = np.where(runs, chiller.capacity_q_kw_th * q_e / q_e0, 0.0)
    cop = np.where(runs, chiller.cop * (q_e / np.where(runs, q_g, 1.0)) / (q_e0 / q_g0), chiller.cop)
    return capacity, cop


def absorption_chiller_q_kw_th(
    q_drive_available_kw_th: ArrayLike,
    t_drive_c: ArrayLike,
    chiller: AbsorptionChiller,
    q_cool_demand_kw_th: ArrayLike = np.inf,
    t_cooling_water_c: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cooling an absorption chiller makes from the driving heat available, for a cooling demand.

    Parameters
    ----------
    q_drive_available_kw_th : float or array
        Waste heat available to drive the generator [kW_th].
    t_drive_c : float or array
        Its temperature [C]; no cooling below ``chiller.min_drive_t_c``.
    chiller : AbsorptionChiller
        Its model, COP [-] and cooling limit [kW_th].
    q_cool_demand_kw_th : float or array, optional
        Cooling wanted [kW_th]; none by default.
    t_cooling_water_c : float, array or None
        Cooling-water inlet temperature [C], for ``model: characteristic_equation``.

    Returns
    -------
    q_cool_kw_th : ndarray
        Cooling delivered [kW_th], ``min(COP * q_drive, capacity, demand)`` with the hour's full-load COP and
        capacity (:func:`absorption_chiller_full_load`).
    q_drive_kw_th : ndarray
        Driving heat used [kW_th], ``q_cool / COP``.

    References
    ----------
    .. [5] Tawalbeh et al. (2020): single-effect LiBr-water chiller, COP ~0.7.
    """
    q = np.asarray(q_drive_available_kw_th, dtype=float)
    capacity, cop = absorption_chiller_full_load(chiller, t_drive_c, t_cooling_water_c)
    hot = np.asarray(t_drive_c, dtype=float) >= chiller.min_drive_t_c
    cap = np.minimum(capacity, np.maximum(np.asarray(q_cool_demand_kw_th, dtype=float), 0.0))
    q_cool = np.where(hot, np.minimum(cop * np.maximum(q, 0.0), cap), 0.0)
    return q_cool, q_cool / cop
