"""Electric loads: metered 8760-hour profiles and a shift-based weekly template.

Two kinds, chosen by ``kind`` in the scenario:

* ``csv``: a metered profile, one row per time step of the year (hourly, or 15-minute for
  a run with ``time_step_min: 15``), in kW (mean power over the step). Length, units and,
  when the file has a ``time`` column, the step of its timestamps are checked.
* ``shifts``: for sites without meter data, a weekly template built from the
  shift pattern: production load during shifts on working days, a base load
  otherwise (lighting, offices, standby, compressors on idle), scaled so that
  the year's energy is ``annual_e_kwh``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.components.heat import heat_pump_cop
from lingtan.errors import InputError, require_file
from lingtan.limits import MAX_DATA_FILE_BYTES, MAX_ENERGY_KWH, MAX_SCALE

_UNIT_TO_KW = {"kW": 1.0, "MW": 1000.0}

EndUse = Literal["general", "data_centre", "cooling", "refrigeration", "compressor"]

#: Where cooling machines reject their heat: an air- or water-cooled condenser at about 40 C (assumed).
CONDENSER_T_C = 40.0
#: Evaporating temperatures: 5 C for chillers (7/12 C chilled water, GB 19577 rating conditions) and -25 C for
#: cold stores kept at -18 C (assumed 7 K approach).
CHILLER_EVAPORATOR_T_C = 5.0
COLD_STORE_EVAPORATOR_T_C = -25.0

#: Heat a load rejects per kWh of electricity [kWh_th/kWh] and the temperature it is rejected at [C], by end use:
#:
#: * ``general``: 0, nothing counted (lighting, offices, mixed plant: heat ends up as space heat, not as a
#:   recoverable stream). A large general load is warned about (``lingtan.twin.core.kpis``): declare its end use.
#: * ``data_centre``: 1.0 at 35 C: all the electricity of IT, power distribution and cooling ends as heat that the
#:   cooling plant rejects (first law: nothing leaves a data centre as work or product); 35 C is warm chilled- or
#:   condenser-water return (assumed).
#: * ``cooling`` / ``refrigeration``: the condenser rejects the heat removed plus the compressor work, i.e. the
#:   machine's heating COP per kWh of electricity, taken from :func:`lingtan.components.heat.heat_pump_cop` (Carnot
#:   fraction 0.45, Arpagaus et al. 2018) between the evaporator (5 C chillers, -25 C cold stores) and the
#:   condenser (40 C): 4.03 and 2.17.
#: * ``compressor``: 0.90 at 80 C: "as much as 80 to 93 percent of the electrical energy used by an industrial air
#:   compressor is converted into heat" (US DOE, *Improving Compressed Air System Performance: A Sourcebook for
#:   Industry*, 2003, "Heat Recovery and Compressed Air Systems"); 80 C is the hot-water outlet of oil-cooled screw
#:   compressors' heat-recovery units (the same sourcebook: water heated to 50-90 C; assumed mid-upper value).
HEAT_REJECTED_DEFAULTS: dict[str, tuple[float, float]] = {
    "general": (0.0, 30.0),
    "data_centre": (1.0, 35.0),
    "cooling": (float(heat_pump_cop(CHILLER_EVAPORATOR_T_C, CONDENSER_T_C)), CONDENSER_T_C),
    "refrigeration": (float(heat_pump_cop(COLD_STORE_EVAPORATOR_T_C, CONDENSER_T_C)), CONDENSER_T_C),
    "compressor": (0.90, 80.0),
}


class _HeatRejection(BaseModel):
    """What an electric load rejects as heat: a waste-heat resource of the boundary (GB/T 1028 terms).

    The fields are YAML keys of every load, whatever its ``kind``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    end_use: EndUse = Field(
        default="general",
        description="what the electricity does; sets the defaults of "
        "heat_rejected_fraction and heat_rejected_t_c (HEAT_REJECTED_DEFAULTS)",
    )
    heat_rejected_fraction: float | None = Field(
        default=None,
        ge=0,
        le=10,
        description="heat rejected per kWh of electricity [kWh_th/kWh]; may exceed 1 "
        "for cooling (condenser heat = heat removed + work); default by end_use",
    )
    heat_rejected_t_c: float | None = Field(
        default=None, description="temperature of the rejected heat [C]; default by end_use"
    )

    def heat_rejection(self) -> tuple[float, float, bool]:
        """The heat this load rejects: declared values, else the end use's defaults.

        Returns
        -------
        fraction : float
            Heat rejected per kWh of electricity [kWh_th/kWh].
        t_c : float
            Temperature of the rejected heat [C].
        declared : bool
            Whether ``heat_rejected_fraction`` was declared.
        """
        f, t = HEAT_REJECTED_DEFAULTS[self.end_use]
        declared = self.heat_rejected_fraction is not None
        return (
            self.heat_rejected_fraction if self.heat_rejected_fraction is not None else f,
            self.heat_rejected_t_c if self.heat_rejected_t_c is not None else t,
            declared,
        )


class CsvLoad(_HeatRejection):
    """A metered load profile from a CSV file, one row per time step (hourly or 15-minute)."""

    name: str
    kind: Literal["csv"]
    path: str = Field(description="CSV file, relative to the scenario file")
    column: str = Field(default="p_kw", description="column holding the power")
    unit: Literal["kW", "MW"] = Field(default="kW", description="unit of the column (mean power over a step)")
    scale: float = Field(
        default=1.0,
        ge=0,
        le=MAX_SCALE,
        description="multiplier applied to the profile [-]; upper bound lingtan.limits.MAX_SCALE",
    )


class ShiftLoad(_HeatRejection):
    """A load built from a weekly shift pattern."""

    name: str
    kind: Literal["shifts"]
    annual_e_kwh: float = Field(
        gt=0, le=MAX_ENERGY_KWH, description="energy over the year [kWh]; upper bound lingtan.limits.MAX_ENERGY_KWH"
    )
    shifts_per_day: int = Field(default=2, ge=1, le=3)
    shift_hours: int = Field(default=8, ge=1, le=24, description="length of one shift [h]")
    first_shift_start_h: int = Field(default=8, ge=0, le=23, description="local hour the first shift starts")
    working_days_per_week: int = Field(default=5, ge=1, le=7, description="Monday first")
    base_load_fraction: float = Field(
        default=0.25, ge=0, le=1, description="load outside shifts as a fraction of the load during shifts [-]"
    )
    holidays: tuple[dt.date, ...] = Field(default=(), description="dates with base load only")

    @model_validator(mode="after")
    def _fits_in_a_day(self) -> ShiftLoad:
        if self.shifts_per_day * self.shift_hours > 24:
            raise ValueError(f"shifts_per_day * shift_hours = {self.shifts_per_day * self.shift_hours} h exceeds 24 h")
        return self


Load = Annotated[CsvLoad | ShiftLoad, Field(discriminator="kind")]


def shift_load_kw(index: pd.DatetimeIndex, load: ShiftLoad, step_h: float = 1.0) -> np.ndarray:
    """Load from a shift template [kW], one value per time step.

    Parameters
    ----------
    index : DatetimeIndex
        Steps of ``step_h``, tz-aware, labelled at the interval start (local time); a step takes its hour's
        place in the template.
    load : ShiftLoad
        The shift template and the annual energy [kWh].
    step_h : float
        Length of a step [h].

    Returns
    -------
    ndarray
        Mean power of each step [kW]; times ``step_h`` it sums to ``load.annual_e_kwh`` over ``index``.

    Raises
    ------
    InputError
        For a template with zero load in every hour of ``index``.
    """
    hours_on = load.shifts_per_day * load.shift_hours
    hour_from_start = (index.hour - load.first_shift_start_h) % 24
    in_shift = hour_from_start < hours_on
    working = index.dayofweek < load.working_days_per_week
    if load.holidays:
        # Local calendar days as integers: comparing date objects costs a second in a 15-minute year.
        local = index.tz_localize(None) if index.tz is not None else index
        days = local.asi8 // 86_400_000_000_000
        working &= ~np.isin(days, np.array(load.holidays, dtype="datetime64[D]").astype(np.int64))
    shape = np.where(in_shift & working, 1.0, load.base_load_fraction)
    total = shape.sum()
    if total == 0:
        raise InputError(None, f"loads[{load.name}]", "some hours with load", "a template with zero load all year")
    return shape * (load.annual_e_kwh / (total * step_h))


def csv_load_kw(path: Path, load: CsvLoad, n_hours: int, step_min: int = 60, what: str = "load") -> np.ndarray:
    """Read a metered load profile [kW], one row per time step.

    Parameters
    ----------
    path : Path
        Resolved path of ``load.path``.
    load : CsvLoad
        The column, its unit and the scale.
    n_hours : int
        Rows expected (the weather year's steps).
    step_min : int
        The run's time step [min]; a ``time`` column in the file must step by it.
    what : str
        What the column holds, as the errors name it (``load``; a forecast file reads ``forecast PV`` too).

    Returns
    -------
    ndarray
        Mean power of each step [kW], length ``n_hours``.

    Raises
    ------
    InputError
        Missing file or column, timestamps of another step than the run's, wrong row count, non-numeric,
        missing or negative values.
    """
    require_file(path, "file", "an existing CSV file", max_bytes=MAX_DATA_FILE_BYTES)
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise InputError(path, "file", "a readable CSV table", f"unparseable content ({err})") from None
    if load.column not in frame.columns:
        raise InputError(
            path, f"column {load.column}", f"a column with the {what} power", f"columns {list(frame.columns)}"
        )
    if "time" in frame.columns:
        _check_step(path, frame["time"], step_min)
    if len(frame) != n_hours:
        what = "hourly rows (one per hour" if step_min == 60 else f"{step_min}-minute rows (one per step"
        raise InputError(path, f"column {load.column}", f"{n_hours} {what} of the year)", f"{len(frame)} rows")
    values = pd.to_numeric(frame[load.column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise InputError(
            path,
            f"column {load.column}, row {bad[0] + 2}",
            "a number",
            f"{frame[load.column].iloc[bad[0]]!r} ({bad.size} such rows)",
        )
    neg = np.flatnonzero(values < 0)
    if neg.size:
        raise InputError(
            path,
            f"column {load.column}, row {neg[0] + 2}",
            "a non-negative power" + (" (generation belongs in pv/wind, not in loads)" if what == "load" else ""),
            f"{values[neg[0]]} ({neg.size} such rows)",
        )
    return values * _UNIT_TO_KW[load.unit] * load.scale


def _check_step(path: Path, time: pd.Series, step_min: int) -> None:
    """A load file's ``time`` column steps by the run's ``time_step_min`` (its most common spacing; a missing
    29 February aside).

    Raises
    ------
    InputError
        Timestamps that do not parse, or that step by another length than ``step_min``.
    """
    try:
        stamps = pd.to_datetime(time, format="ISO8601")
    except (ValueError, TypeError) as err:
        raise InputError(path, "column time", "ISO 8601 timestamps", f"{type(err).__name__}: {err}") from None
    if len(stamps) < 2:
        return
    found = (stamps.diff().dropna().dt.total_seconds() / 60.0).mode().iloc[0]
    if found != step_min:
        raise InputError(
            path,
            "column time",
            f"timestamps {step_min} min apart (the scenario's time_step_min)",
            f"{found:g} min apart",
        )
