"""Hourly weather interpolated to sub-hourly steps (15 minutes), irradiance consistent with the sun.

Interpolating GHI itself would smear sunrise and sunset: a quarter-hour before sunrise would get
light from the hour after it. The clearness index (GHI over the extraterrestrial irradiance on a
horizontal plane) varies slowly through the day, so it is what is interpolated:

1. the solar position is computed at the middle of every sub-hourly step
   (:func:`lingtan.weather.closure.mid_interval_solar_position`);
2. each hour's clearness index is its GHI over the mean of its steps' extraterrestrial horizontal
   irradiance ``E0 max(cos z, 0)`` (``E0`` from :func:`pvlib.irradiance.get_extra_radiation`);
   hours with the sun down all hour have none;
3. the index is interpolated linearly in time between the hours' middles (held constant beyond
   the first and last sunlit hour, and across the night) to every step's middle, and times the
   step's extraterrestrial irradiance gives its GHI;
4. each hour's steps are scaled so that **their mean equals the hour's GHI: every hour keeps its
   energy** (an hour with GHI but no step of sun above the horizon spreads it evenly);
5. DNI and DHI are rebuilt from the steps' GHI with the decomposition the project uses
   (:func:`lingtan.weather.closure.decompose`, Erbs by default), so ``DNI cos z + DHI = GHI`` in
   every step;
6. temperature, wind speed, pressure and humidity are interpolated linearly between the hours'
   middles.

Values stay means over their interval labelled at its start (the module notes of
:mod:`lingtan.weather.readers`), so an hour's four quarter-hours are labelled :00, :15, :30, :45.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .closure import DECOMPOSITION_MODELS, decompose, mid_interval_solar_position

__all__ = ["to_steps", "LINEAR_COLUMNS"]

#: Columns interpolated linearly in time between the hours' middles (all but irradiance).
LINEAR_COLUMNS = ("temp_air", "wind_speed", "pressure", "relative_humidity")


def _hours_to_steps(index: pd.DatetimeIndex, per_hour: int, step_min: int) -> pd.DatetimeIndex:
    """Every hour's steps, labelled at their start; an hour missing from ``index`` (29 February) stays missing."""
    offsets = np.tile(np.arange(per_hour, dtype=np.int64) * step_min * 60_000_000_000, len(index))
    utc = np.repeat(index.asi8, per_hour) + offsets
    return pd.DatetimeIndex(pd.to_datetime(utc, utc=True)).tz_convert(index.tz).rename(index.name)


def to_steps(
    weather: pd.DataFrame,
    latitude: float,
    longitude: float,
    altitude_m: float,
    step_min: int = 15,
    model: str = "erbs",
) -> pd.DataFrame:
    """Interpolate an hourly weather year to steps of ``step_min`` minutes (module notes).

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather, pvlib column names (``ghi`` [W/m2] required; ``dni``, ``dhi`` rebuilt; the
        :data:`LINEAR_COLUMNS` present are interpolated), on a tz-aware index labelled at the interval start.
    latitude, longitude : float
        Site coordinates [deg], north and east positive.
    altitude_m : float
        Site altitude [m].
    step_min : int
        Step length [min]: a divisor of 60 (15 for the utility's demand interval); 60 returns a copy.
    model : {"erbs", "boland", "dirint"}
        Decomposition model that rebuilds DNI and DHI (:data:`lingtan.weather.closure.DECOMPOSITION_MODELS`).

    Returns
    -------
    pandas.DataFrame
        The same columns on ``60 / step_min`` steps per hour [W/m2, C, m/s, Pa, %]; the mean of each hour's
        steps' ``ghi`` equals the hour's ``ghi`` (same energy [Wh/m2]).

    Raises
    ------
    ValueError
        A step that does not divide the hour, an index that is not tz-aware and hourly, or an unknown model.
    """
    if not (isinstance(step_min, (int, np.integer)) and 0 < step_min <= 60 and 60 % step_min == 0):
        raise ValueError(f"step_min must divide 60 minutes, found {step_min!r}")
    if model not in DECOMPOSITION_MODELS:
        raise ValueError(f"model must be one of {DECOMPOSITION_MODELS}, got {model!r}")
    index = weather.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ValueError("weather must have a tz-aware DatetimeIndex labelled at the interval start")
    gaps = np.diff(index.asi8)
    if len(index) > 1 and gaps.min() != 3_600_000_000_000:
        raise ValueError("weather must be hourly (steps of 60 min; whole days may be missing)")
    if step_min == 60:
        return weather.copy()
    per_hour = 60 // int(step_min)
    steps = _hours_to_steps(index, per_hour, int(step_min))
    sp = mid_interval_solar_position(steps, latitude, longitude, altitude_m, step_min=step_min)
    zenith = sp["zenith"].to_numpy()
    from .pvlib_lazy import lazy_pvlib

    e0 = np.asarray(lazy_pvlib().irradiance.get_extra_radiation(steps.dayofyear), dtype=float)
    e_h = (e0 * np.clip(np.cos(np.radians(zenith)), 0.0, None)).reshape(-1, per_hour)  # (hours, steps) [W/m2]
    ghi_h = weather["ghi"].to_numpy(dtype=float)
    e_mean = e_h.mean(axis=1)
    lit = e_mean > 0.0
    # The hours' middles and the steps' middles on one time axis [ns]; both tz-independent (UTC).
    t_hour = index.asi8 + 1_800_000_000_000
    t_step = steps.asi8 + int(step_min) * 30_000_000_000
    kt = np.interp(t_step, t_hour[lit], ghi_h[lit] / e_mean[lit]) if lit.any() else np.zeros(len(steps))
    ghi = (kt * e_h.ravel()).reshape(-1, per_hour)
    mean = ghi.mean(axis=1)
    scale = np.divide(ghi_h, mean, out=np.zeros_like(mean), where=mean > 0.0)
    # Energy kept hour by hour; an hour whose steps' shape is zero (GHI before the computed sunrise) spreads evenly.
    ghi = np.where((mean > 0.0)[:, None], ghi * scale[:, None], ghi_h[:, None])
    ghi = ghi.ravel()
    out = pd.DataFrame(index=steps, columns=weather.columns, dtype=float)
    out["ghi"] = ghi
    pressure = 101325.0
    for col in LINEAR_COLUMNS:
        if col in weather:
            out[col] = np.interp(t_step, t_hour, weather[col].to_numpy(dtype=float))
    if "pressure" in out:
        pressure = out["pressure"].to_numpy()
    dni, dhi = decompose(ghi, zenith, steps, model=model, pressure=pressure)
    if "dni" in out:
        out["dni"] = dni
    if "dhi" in out:
        out["dhi"] = dhi
    return out
