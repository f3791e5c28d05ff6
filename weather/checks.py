"""Timing checks of an hourly weather year: light with the sun down, and a clock off by whole hours.

A weather file whose clock is wrong (local time taken for standard time, interval end for interval
start, a data logger in another zone) puts the morning's irradiance before sunrise or the evening's
after sunset, and every PV hour of the year lands at the wrong tariff and load hour. Two checks find it:

* **Light with the sun down**: hours whose global horizontal irradiance exceeds
  :data:`SUN_DOWN_GHI_W_M2` while the sun's centre is below the geometric horizon for the whole
  interval. Over one hour the sun's elevation rises or falls monotonically except around its upper
  and lower transit, so its largest value over the interval is at the interval's start or end, or,
  when the interval holds the transit, within a fraction of a degree of its value at the middle; the
  elevation at the start, middle and end therefore bounds it. Geometric (not refracted) elevation is
  used: refraction lifts the disc by about 0.57 deg at the horizon, and the irradiance that lift lets
  through is inside the threshold (below).
* **Whole-hour shift**: the year's mean irradiance by hour of day against the mean clear-sky curve of the
  same hours (pvlib's Ineichen-Perez model with pvlib's shipped Linke turbidity climatology), compared
  at shifts of -:data:`MAX_SHIFT_H`..+:data:`MAX_SHIFT_H` h. Clouds scale the measured curve down but
  do not move it in time, so the shape is compared after the best scale factor: the misfit of a shift
  is the share of the measured curve's energy (sum of squares) a scaled clear-sky curve leaves
  unexplained. The shift whose misfit is least is reported with how many times smaller it is than the
  misfit of no shift.

References
----------
.. [1] Ineichen, P. and Perez, R. (2002). A new airmass independent formulation for the Linke
   turbidity coefficient. Solar Energy 73(3), 151-157.
.. [2] Remund, J. et al. (2003). Worldwide Linke turbidity information. ISES Solar World Congress
   (the climatology pvlib ships as ``LinkeTurbidities.h5``).
.. [3] WMO (2018). Guide to Instruments and Methods of Observation (WMO-No. 8), Vol. I, ch. 7,
   table 7.5: zero offset of a "good quality" pyranometer (ISO 9060:1990 first class) in response to
   200 W/m2 of net thermal radiation: 15 W/m2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "TimingFinding",
    "timing_check",
    "shift_hours",
    "sun_down_hours",
    "hour_shift",
    "SUN_DOWN_GHI_W_M2",
    "FLAG_MIN_HOURS",
    "MAX_SHIFT_H",
    "SHIFT_MIN_IMPROVEMENT",
]

SUN_DOWN_GHI_W_M2 = 20.0
"""Largest hourly mean GHI a sensor may read with the sun below the horizon all hour [W/m2]. Two parts
bound it: the thermal zero offset of a good pyranometer, up to 15 W/m2 [3]_ (it reads a few W/m2 at
night, of either sign), and the light of an hour wholly after sunset, which is less than the
irradiance with the sun at the horizon: clear-sky models give under 1 W/m2 there (Ineichen at the
refracted horizon, 0.57 deg apparent elevation: 0.03 W/m2), and twilight sky light falls tenfold for
every few degrees of depression. 15 W/m2 of offset plus a few W/m2 of twilight is 20 W/m2."""

FLAG_MIN_HOURS = 10
"""Fewest hours of light with the sun down that make a file suspect [h]. A clock off by whole hours moves
the first or last light of the day on every clear morning or evening of a season or more (tens to
hundreds of hours), while a single spike or a gap filled with a daytime value is one isolated hour."""

MAX_SHIFT_H = 3
"""Largest whole-hour shift the comparison with the clear-sky curve tries, each way [h]: the errors met in
practice are one hour (interval start or end, summer time) and the gap between two neighbouring zones."""

SHIFT_MIN_IMPROVEMENT = 2.0
"""Factor by which a shift must reduce the clear-sky misfit of no shift to be suspected [-]. A file stamped
half an hour off (interval middle or end read as start) fits no shift and the neighbouring one about
equally well (ratio near 1), while a clock one hour off fits the right shift many times better than no
shift. A factor of 2 lies between. Measured: a synthetic year moved by one hour, 60-70 times; the CSWD files
of Nanjing and Hangzhou, 27 and 34 times; the other eight CSWD files, at most 1.4."""

_SHOWN_HOURS = 5
"""How many of the first offending hours a finding lists."""


@dataclass(frozen=True)
class TimingFinding:
    """The timing checks of one weather year.

    Attributes
    ----------
    sun_down_hours : int
        Hours with GHI above :data:`SUN_DOWN_GHI_W_M2` while the sun is below the horizon all hour [h].
    first_sun_down : tuple of pandas.Timestamp
        The first few of those hours (interval start).
    shift_h : int
        The whole-hour correction suspected: hours to add to the time stamps (``weather.time_shift_h``);
        0 when no shift fits clearly better than none [h].
    best_shift_h : int
        The shift whose clear-sky misfit is least, suspected or not [h].
    fit_improvement : float
        Misfit of no shift over the misfit of ``best_shift_h`` [-]; 1 when no shift fits best.
    """

    sun_down_hours: int
    first_sun_down: tuple[pd.Timestamp, ...]
    shift_h: int
    best_shift_h: int
    fit_improvement: float

    @property
    def flagged(self) -> bool:
        """True when the clock looks wrong: a suspected shift, or FLAG_MIN_HOURS or more hours of light, sun down."""
        return self.shift_h != 0 or self.sun_down_hours >= FLAG_MIN_HOURS

    def describe(self, applied_h: int = 0) -> str:
        """One sentence for a warning: the hours, the first of them and the suspected shift.

        Parameters
        ----------
        applied_h : int
            The shift already applied to the checked year (``weather.time_shift_h``) [h]; the correction
            suggested is this plus :attr:`shift_h`.

        Returns
        -------
        str
            What was found and, with a suspected shift, the ``weather.time_shift_h`` that corrects it.
        """
        parts = []
        if self.sun_down_hours:
            first = ", ".join(f"{t:%m-%d %H:%M}" for t in self.first_sun_down)
            parts.append(
                f"{self.sun_down_hours} hours with GHI > {SUN_DOWN_GHI_W_M2:g} W/m2 while the sun is below the "
                f"horizon all hour (first: {first})"
            )
        if self.best_shift_h != 0:
            parts.append(
                f"its mean daily irradiance curve fits the clear-sky curve {self.fit_improvement:.1f} times "
                f"better moved by {self.best_shift_h:+d} h"
            )
        text = "; ".join(parts) + ": is its clock off?"
        if self.shift_h != 0:
            text += f" Set weather.time_shift_h: {applied_h + self.shift_h} to correct it"
        return text


def _elevation_deg(index: pd.DatetimeIndex, latitude: float, longitude: float, altitude_m: float) -> np.ndarray:
    from .pvlib_lazy import lazy_pvlib

    sp = lazy_pvlib().solarposition.get_solarposition(index, latitude, longitude, altitude=altitude_m)
    return sp["elevation"].to_numpy()


def sun_down_hours(weather: pd.DataFrame, latitude: float, longitude: float, altitude_m: float = 0.0) -> np.ndarray:
    """Which hours carry light while the sun is below the horizon for the whole interval.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather with column ``ghi`` [W/m2] on a tz-aware index labelled at the interval start.
    latitude, longitude : float
        Site coordinates [deg], north and east positive.
    altitude_m : float
        Site altitude [m].

    Returns
    -------
    numpy.ndarray of bool
        True where GHI > :data:`SUN_DOWN_GHI_W_M2` and the sun's geometric elevation is below 0 deg at the
        interval's start, middle and end (see the module notes for why these three bound the hour).
    """
    index = weather.index
    if index.tz is None:
        raise ValueError("weather index must be tz-aware")
    highest = np.max(
        [_elevation_deg(index + pd.Timedelta(minutes=m), latitude, longitude, altitude_m) for m in (0, 30, 60)],
        axis=0,
    )
    return (weather["ghi"].to_numpy(dtype=float) > SUN_DOWN_GHI_W_M2) & (highest < 0.0)


def hour_shift(
    weather: pd.DataFrame, latitude: float, longitude: float, altitude_m: float = 0.0
) -> tuple[int, dict[int, float]]:
    """The whole-hour shift that best lines the year's mean daily GHI curve up with the clear-sky curve.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather with column ``ghi`` [W/m2] on a tz-aware index labelled at the interval start.
    latitude, longitude : float
        Site coordinates [deg], north and east positive.
    altitude_m : float
        Site altitude [m].

    Returns
    -------
    best_shift_h : int
        The shift with the least misfit [h]: the hours to add to the time stamps.
    misfit : dict of int to float
        For each shift -:data:`MAX_SHIFT_H`..+:data:`MAX_SHIFT_H` [h], the share of the measured mean
        curve's sum of squares left unexplained by the best-scaled clear-sky curve [-].
    """
    from .closure import mid_interval_solar_position
    from .pvlib_lazy import lazy_pvlib

    pvlib = lazy_pvlib()
    index = weather.index
    sp = mid_interval_solar_position(index, latitude, longitude, altitude_m)
    mid = index + pd.Timedelta(minutes=30)
    zenith = sp["apparent_zenith"].to_numpy()
    linke = pvlib.clearsky.lookup_linke_turbidity(mid, latitude, longitude).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):  # night hours: no air mass, zero clear-sky GHI
        airmass = pvlib.atmosphere.get_relative_airmass(zenith)
        am_abs = pvlib.atmosphere.get_absolute_airmass(airmass, pvlib.atmosphere.alt2pres(altitude_m))
        dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(mid))
        clear = np.asarray(pvlib.clearsky.ineichen(zenith, am_abs, linke, altitude_m, dni_extra)["ghi"], dtype=float)
    hour = index.hour.to_numpy()
    measured = np.bincount(hour, weights=weather["ghi"].to_numpy(dtype=float), minlength=24)
    model = np.bincount(hour, weights=np.nan_to_num(clear), minlength=24)
    norm_m, norm_c = float(measured @ measured), float(model @ model)
    misfit = {}
    for s in range(-MAX_SHIFT_H, MAX_SHIFT_H + 1):
        # np.roll(x, s)[k] = x[k - s]: the value stamped k - s moves to k, i.e. s hours are added.
        moved = np.roll(measured, s)
        misfit[s] = 1.0 - float(moved @ model) ** 2 / (norm_m * norm_c) if norm_m > 0 else 0.0
    best = min(misfit, key=lambda s: (misfit[s], abs(s)))
    return best, misfit


def timing_check(weather: pd.DataFrame, latitude: float, longitude: float, altitude_m: float = 0.0) -> TimingFinding:
    """Both timing checks of a weather year.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather with column ``ghi`` [W/m2] on a tz-aware index labelled at the interval start
        (what the readers of :mod:`lingtan.weather.readers` return).
    latitude, longitude : float
        Site coordinates [deg], north and east positive.
    altitude_m : float
        Site altitude [m].

    Returns
    -------
    TimingFinding
        The hours of light with the sun down, the suspected shift (0 unless the best shift reduces the
        misfit of none by :data:`SHIFT_MIN_IMPROVEMENT` or more) and the fit improvement.
    """
    down = sun_down_hours(weather, latitude, longitude, altitude_m)
    best, misfit = hour_shift(weather, latitude, longitude, altitude_m)
    improvement = misfit[0] / misfit[best] if misfit[best] > 0 else float("inf") if misfit[0] > 0 else 1.0
    return TimingFinding(
        sun_down_hours=int(down.sum()),
        first_sun_down=tuple(weather.index[down][:_SHOWN_HOURS]),
        shift_h=best if improvement >= SHIFT_MIN_IMPROVEMENT else 0,
        best_shift_h=best,
        fit_improvement=float(improvement),
    )


def shift_hours(weather: pd.DataFrame, hours: int) -> pd.DataFrame:
    """A weather year's values moved by whole hours on the same calendar: the correction of a shifted clock.

    Parameters
    ----------
    weather : pandas.DataFrame
        Hourly weather year, one row per hour in time order (a reader's 8760 rows).
    hours : int
        Hours added to every value's time stamp [h]: the value stamped 10:00 moves to ``10:00 + hours``.

    Returns
    -------
    pandas.DataFrame
        The same index and columns, each column's values rolled by ``hours`` rows. The ``hours`` values
        pushed past one end of the year come back at the other (Dec 31 evening becomes Jan 1 morning for a
        positive shift): a typical year is spliced from months of different years, so its two ends are no
        more continuous than its months, and a wrapped night or winter morning keeps the year's 8760 hours
        and its annual sums exactly.
    """
    out = weather.copy()
    out.iloc[:, :] = np.roll(weather.to_numpy(), int(hours), axis=0)
    return out
