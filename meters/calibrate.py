"""Calibrating a factory's twin to its meters (issue 18, point 4).

The simulated year is compared with the measured one meter by meter, hourly and monthly, with ASHRAE
Guideline 14's NMBE and CV(RMSE) (:mod:`lingtan.meters.g14`). The parameters a user cannot know well are
then fitted by bounded least squares (``scipy.optimize.least_squares``, trust-region reflective):

* ``soiling[<array>]``: the share of each PV array's AC output lost beyond the scenario's
  ``losses_fraction`` (soiling, shading, outages) [-]; the calibrated scenario writes it into
  ``losses_fraction`` as ``1 - (1 - losses) (1 - soiling)``;
* ``load_month[1..12]`` and ``load_hours[0-6, 6-12, 12-18]``: the electric loads scaled by a factor of
  the month times a factor of the local hour block (the 18-24 block is the reference, 1), a product of
  12 + 3 numbers instead of 12 x 24 free ones: a month's production volume and a shift pattern's
  weight each move one number; the calibrated scenario writes each load as an hourly CSV beside it;
* ``round_trip_efficiency``: the battery's, split between charge and discharge in the scenario's ratio,
  fitted only where a battery meter measures it.

The fit compares only readings the quality check marked ``measured`` (interpolated hours, gaps, stuck
values and spikes are left out; a unit mistake it found is already scaled back; a PV meter it found
shifted in time is moved back by the whole hours that best match the simulation). Each meter's residuals
are divided by its mean measured rate, so that every meter weighs alike, as in CV(RMSE).

Inside the fit the year's profiles are built once (:func:`lingtan.twin.run.build_profiles`): PV output is
linear in the soiling factor (a scaled capacity), the loads are a multiplier, and only the dispatch kernel
runs again; the weather is never re-read. The statistics "after" come from a full simulation of the
written calibrated scenario, not from the fit's own model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from lingtan.errors import InputError
from lingtan.meters.g14 import g14
from lingtan.meters.generate import true_flows
from lingtan.meters.quality import QualityResult
from lingtan.meters.schema import FLOW_CARRIER, MeterMap
from lingtan.paths import resolve_input, scenario_paths
from lingtan.twin.core.dispatch import dispatch
from lingtan.twin.core.fieldpath import with_values
from lingtan.twin.core.heat_profiles import heat_sizes
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.core.tables import electric_table
from lingtan.twin.run import (
    build_profiles,
    generation_by_kind,
    hour_profiles,
    kernel_params,
    kernel_site,
    load_weather,
    simulate,
    sizes,
)

HOUR_BLOCKS = 4  # local hour blocks of the load shape factor: 0-6, 6-12, 12-18, 18-24 (the reference)
SOILING_BOUNDS = (0.0, 0.5)  # [-]: beyond half the output lost the array is broken, not soiled
LOAD_FACTOR_BOUNDS = (0.5, 2.0)  # [-]: a load off by more than a factor of two is the wrong load, not a scale
ROUND_TRIP_BOUNDS = (0.5, 1.0)  # [-]: lithium-ion systems 0.8-0.95; 0.5 still admits an aged lead-acid bank
MAX_SHIFT_H = 3  # largest clock shift of a PV meter moved back [h] (time zone or daylight saving)
BATTERY_FLOWS = ("battery_charge", "battery_discharge")


@dataclass(frozen=True)
class Parameter:
    """One fitted parameter.

    Parameters
    ----------
    name : str
        ``soiling[roof]``, ``load_month[3]``, ``load_hours[6-12]`` or ``round_trip_efficiency``.
    before : float
        Value in the scenario [-].
    after : float
        Fitted value [-].
    bounds : tuple of float
        Lower and upper bound of the fit [-].
    """

    name: str
    before: float
    after: float
    bounds: tuple[float, float]


@dataclass(frozen=True)
class Calibration:
    """Outcome of :func:`calibrate`.

    Parameters
    ----------
    parameters : list of Parameter
        What moved, by how much.
    load_scale : float
        Calibrated over scenario electric load energy in the year [-] (the factors weighted by the load).
    before, after : dict
        Guideline 14 statistics by meter, then ``hourly`` and ``monthly`` (:class:`~lingtan.meters.g14.Fit`):
        the scenario's simulation and the calibrated scenario's against the measured readings; ``after`` is
        empty until the written scenario is simulated (:func:`check_calibrated`).
    scenario : dict
        The calibrated scenario (parsed YAML), its files named relative to the folder it is written to.
    loads : pandas.DataFrame
        Hourly calibrated loads [kW], one column per load, for the file ``scenario`` names.
    measured : pandas.DataFrame
        The readings compared (:func:`measured_table`, time-shifted meters moved back) [kW].
    shifts_h : dict
        Whole hours each time-shifted meter was moved back by [h].
    fit : dict
        ``cost``, ``nfev``, ``status`` and ``message`` of the least-squares solver.
    unmeasured_months : tuple of int
        Months (1-12) without a measured hour: their load factor is the fitted months' mean, weighted by
        the load, so that the calibrated twin carries the measured months' level into the rest of the year.
    """

    parameters: list[Parameter]
    load_scale: float
    before: dict
    after: dict
    scenario: dict
    loads: pd.DataFrame
    measured: pd.DataFrame
    shifts_h: dict
    fit: dict
    unmeasured_months: tuple = ()

    @property
    def passes(self) -> bool:
        """Whether every meter passes Guideline 14 hourly and monthly after calibration."""
        return all(f.passes for by_res in self.after.values() for f in by_res.values())


LOADS_FILE = "loads.calibrated.csv"
"""The calibrated loads' CSV, beside the calibrated scenario."""


def measured_table(quality: QualityResult, mmap: MeterMap) -> pd.DataFrame:
    """Hourly measured rates of every electric meter, real readings only [kW].

    Parameters
    ----------
    quality : QualityResult
        The quality check of the stored readings (:func:`lingtan.meters.quality.check_store`).
    mmap : MeterMap
        The meter map.

    Returns
    -------
    pandas.DataFrame
        Index UTC hour start (naive), one column per electric meter; NaN where the hour was interpolated,
        a gap, or found invalid.
    """
    h = quality.hourly
    real = h[h.flag == "measured"]
    wide = real.pivot(index="hour", columns="meter_id", values="value")
    hours = pd.DatetimeIndex(sorted(h.hour.unique()))
    electric = [m.id for m in mmap.meters if FLOW_CARRIER[m.flow] == "electric"]
    out = wide.reindex(index=hours, columns=electric)
    if out.index.tz is not None:
        out.index = out.index.tz_convert("UTC").tz_localize(None)
    return out


def _shifted(measured: pd.DataFrame, simulated: pd.DataFrame, quality: QualityResult) -> tuple[pd.DataFrame, dict]:
    """Move back each meter the quality check found shifted in time, by the lag that best fits the simulation."""
    f = quality.findings
    shifted = sorted(set(f.meter_id[f.kind == "time_shift"]))
    out, lags = measured.copy(), {}
    for mid in shifted:
        if mid not in out:
            continue
        m, s = out[mid], simulated[mid].reindex(out.index)

        def misfit(lag: int, m=m, s=s) -> float:
            a, b = m.shift(-lag).to_numpy(), s.to_numpy()
            ok = np.isfinite(a) & np.isfinite(b)
            # correlation, not the squared error: the soiling still to be fitted scales the level
            return -float(np.corrcoef(a[ok], b[ok])[0, 1]) if ok.sum() > 2 else np.inf

        lag = min(range(-MAX_SHIFT_H, MAX_SHIFT_H + 1), key=misfit)
        out[mid] = m.shift(-lag)
        lags[mid] = lag
    return out, lags


def statistics(measured: pd.DataFrame, simulated: pd.DataFrame, tz: str) -> dict:
    """Guideline 14 NMBE and CV(RMSE) of every meter, hourly and monthly.

    A month compares the sums of the hours measured in it, measured and simulated alike.

    Parameters
    ----------
    measured : pandas.DataFrame
        Hourly measured rates [kW] (:func:`measured_table`), NaN where not measured.
    simulated : pandas.DataFrame
        Hourly simulated rates of the same meters [kW], UTC hour starts (naive).
    tz : str
        The site's time zone: months are local months.

    Returns
    -------
    dict
        By meter: ``{"hourly": Fit, "monthly": Fit}``.
    """
    out = {}
    sim = simulated.reindex(measured.index)
    months = measured.index.tz_localize("UTC").tz_convert(tz).tz_localize(None).to_period("M")
    for mid in measured.columns:
        m, s = measured[mid], sim[mid]
        ok = m.notna() & s.notna()
        monthly = pd.DataFrame({"m": m[ok], "s": s[ok]}).groupby(months[ok.to_numpy()]).sum()
        out[mid] = {
            "hourly": g14(m[ok].to_numpy(), s[ok].to_numpy(), "hourly"),
            "monthly": g14(monthly.m.to_numpy(), monthly.s.to_numpy(), "monthly"),
        }
    return out


def check_factory(scenario: object, file: str | Path | None = None) -> None:
    """Refuse a park: its tenants' meters would need the park's allocation inside the fit (not done yet).

    Parameters
    ----------
    scenario : Scenario or Park
        The loaded scenario.
    file : str or Path, optional
        Its file, named in the error.

    Raises
    ------
    InputError
        For a park.
    """
    if getattr(scenario, "tenants", None):
        raise InputError(file, "tenants", "a factory scenario (calibrating a park is not supported yet)", "a park")


class _Model:
    """The factory's year with the fitted parameters applied: profiles built once, the kernel re-run."""

    def __init__(self, scenario, base_dir: Path, mmap: MeterMap) -> None:
        check_factory(scenario)
        weather = load_weather(scenario, base_dir)
        self.hours = hour_profiles(scenario, base_dir, weather[0].index)
        self.prof = build_profiles(scenario, base_dir, weather, self.hours)
        self.scenario, self.mmap = scenario, mmap
        self.caps = sizes(scenario)
        self.n_pv = len(scenario.pv)
        self.loads_kw = sum(self.hours.load_by_name_kw.values(), np.zeros(len(self.prof.index)))
        self.other_kw = self.prof.load_kw - self.loads_kw  # heat pumps, electric boilers: not scaled
        local = self.prof.index
        self.month = self.prof.month
        self.block = (local.hour.to_numpy() * HOUR_BLOCKS) // 24
        self.site = kernel_site(scenario.battery, self.prof, heat_sizes(scenario))
        b = scenario.battery[0] if scenario.battery else None
        metered = {m.flow for m in mmap.meters}
        self.battery = b if b is not None and metered & set(BATTERY_FLOWS) else None
        if b is not None and b.dispatch == "peak_shaving" and b.peak_target_kw is None:
            # the run's own lowest monthly targets, found once and held while the fit moves
            self.peak = {"peak_limit_kw": simulate(scenario, base_dir).kpis["peak_target"]["target_kw"]}
            self.peak["peak_limit_kw"] = np.array([np.inf if v is None else v for v in self.peak["peak_limit_kw"]])
        else:
            self.peak = {}

    def names(self) -> list[str]:
        """Names of the vector's entries."""
        blocks = [f"load_hours[{24 * k // HOUR_BLOCKS}-{24 * (k + 1) // HOUR_BLOCKS}]" for k in range(HOUR_BLOCKS - 1)]
        return (
            [f"soiling[{a.name}]" for a in self.scenario.pv]
            + [f"load_month[{m + 1}]" for m in range(12)]
            + blocks
            + (["round_trip_efficiency"] if self.battery is not None else [])
        )

    def start(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The scenario's values and the bounds: (x0, lower, upper)."""
        n_load = 12 + HOUR_BLOCKS - 1
        x0 = [0.0] * self.n_pv + [1.0] * n_load
        lo = [SOILING_BOUNDS[0]] * self.n_pv + [LOAD_FACTOR_BOUNDS[0]] * n_load
        hi = [SOILING_BOUNDS[1]] * self.n_pv + [LOAD_FACTOR_BOUNDS[1]] * n_load
        if self.battery is not None:
            b = self.battery
            x0.append(b.charge_efficiency * b.discharge_efficiency)
            lo.append(ROUND_TRIP_BOUNDS[0])
            # neither efficiency may pass 1 when the scenario's ratio of the two is kept
            ratio = b.charge_efficiency / b.discharge_efficiency
            hi.append(min(ROUND_TRIP_BOUNDS[1], ratio, 1 / ratio))
        return np.array(x0), np.array(lo), np.array(hi)

    def load_factor(self, x: np.ndarray) -> np.ndarray:
        """The hourly load factor of a parameter vector [-]."""
        month = x[self.n_pv : self.n_pv + 12]
        blocks = np.append(x[self.n_pv + 12 : self.n_pv + 12 + HOUR_BLOCKS - 1], 1.0)
        return month[self.month] * blocks[self.block]

    def fill_months(self, x: np.ndarray, measured_hours: np.ndarray) -> tuple[np.ndarray, tuple]:
        """Give months without a measured hour the load-weighted mean factor of the others.

        Parameters
        ----------
        x : ndarray
            A fitted vector.
        measured_hours : ndarray of bool, shape (T,)
            Hours of the year with a measured reading of any meter.

        Returns
        -------
        tuple of (ndarray, tuple of int)
            The vector and the months (1-12) filled.
        """
        seen = np.zeros(12, dtype=bool)
        seen[np.unique(self.month[measured_hours])] = True
        if seen.all() or not seen.any():
            return x, ()
        month = x[self.n_pv : self.n_pv + 12]
        weight = np.bincount(self.month, weights=self.loads_kw, minlength=12)
        x = x.copy()
        x[self.n_pv : self.n_pv + 12][~seen] = (month * weight)[seen].sum() / max(weight[seen].sum(), 1e-12)
        return x, tuple(int(m) + 1 for m in np.flatnonzero(~seen))

    def efficiencies(self, round_trip: float) -> tuple[float, float]:
        """Charge and discharge efficiency of a round trip, in the scenario's ratio [-]."""
        ratio = self.battery.charge_efficiency / self.battery.discharge_efficiency
        return float(np.sqrt(round_trip * ratio)), float(np.sqrt(round_trip / ratio))

    def meters(self, x: np.ndarray) -> pd.DataFrame:
        """Hourly simulated rate of every electric meter [kW] for a parameter vector."""
        caps = self.caps.copy()
        caps[: self.n_pv] *= 1 - x[: self.n_pv]
        load = self.other_kw + self.loads_kw * self.load_factor(x)
        over = dict(self.peak)
        if self.battery is not None:
            over["charge_efficiency"], over["discharge_efficiency"] = self.efficiencies(x[-1])
        params = kernel_params(self.scenario.grid, self.scenario.battery, **over)
        res = dispatch(self.prof.unit_kw, caps[None, :], load, params, record_hourly=True, **self.site)
        gen = generation_by_kind(self.prof.sources, caps, self.prof.unit_kw, ("pv", "wind"), len(self.prof.index))
        table = electric_table(self.prof.index, self.prof.period, self.prof.price_cny_per_kwh, gen, res.hourly)
        return true_flows({None: table}, self.mmap, self.scenario, soiling=0.0, load_scale=1.0)


def _residuals(model: _Model, measured: pd.DataFrame):
    """The residual function of the fit: simulated minus measured over each meter's mean, measured hours only."""
    values = measured.to_numpy()
    scale = np.nanmean(np.abs(values), axis=0)
    use = np.isfinite(scale) & (scale > 0)
    ok = np.isfinite(values) & use[None, :]

    def f(x: np.ndarray) -> np.ndarray:
        sim = model.meters(x).reindex(measured.index)[measured.columns].to_numpy()
        return ((sim - values) / np.where(use, scale, 1.0))[ok & np.isfinite(sim)]

    return f


def calibrate(scenario, base_dir: str | Path, raw: dict, mmap: MeterMap, quality: QualityResult) -> Calibration:
    """Fit the uncertain parameters of a factory to its meters and build the calibrated scenario.

    Parameters
    ----------
    scenario : Scenario
        The factory (:func:`lingtan.twin.core.scenario.load_scenario`).
    base_dir : str or Path
        Folder of the scenario file.
    raw : dict
        The scenario file as parsed (:func:`lingtan.loader.read_yaml`), copied into the calibrated one.
    mmap : MeterMap
        The meter map.
    quality : QualityResult
        The quality check of the stored readings.

    Returns
    -------
    Calibration
        The fitted parameters, Guideline 14 statistics before and after, the calibrated scenario.

    Raises
    ------
    InputError
        For a park, or meters with no measured hour in the scenario's year.
    """
    base_dir = Path(base_dir)
    model = _Model(scenario, base_dir, mmap)
    x0, lo, hi = model.start()
    simulated0 = model.meters(x0)
    measured = measured_table(quality, mmap)
    measured = measured[measured.index.isin(simulated0.index)]
    if not measured.notna().any().any():
        year = scenario.year  # type: ignore[attr-defined]
        raise InputError(None, "--meters", f"readings measured in the scenario's year {year}", "none in it")
    measured, lags = _shifted(measured, simulated0, quality)
    tz = scenario.site.timezone
    before = statistics(measured, simulated0, tz)
    fit = least_squares(_residuals(model, measured), x0, bounds=(lo, hi), method="trf", x_scale=1.0, diff_step=1e-3)
    x, unmeasured = model.fill_months(
        fit.x, measured.notna().any(axis=1).reindex(simulated0.index, fill_value=False).to_numpy()
    )
    names = model.names()
    parameters = [
        Parameter(n, float(a), float(b), (float(low), float(high)))
        for n, a, b, low, high in zip(names, x0, x, lo, hi, strict=True)
    ]
    factor = model.load_factor(x)
    loads = pd.DataFrame({name: kw * factor for name, kw in model.hours.load_by_name_kw.items()})
    data = calibrated_scenario(raw, base_dir, model, x)
    load_scale = float((model.loads_kw * factor).sum() / model.loads_kw.sum()) if model.loads_kw.sum() > 0 else 1.0
    return Calibration(
        parameters=parameters,
        load_scale=load_scale,
        before=before,
        after={},
        scenario=data,
        loads=loads,
        measured=measured,
        shifts_h=lags,
        fit={"cost": float(fit.cost), "nfev": int(fit.nfev), "status": int(fit.status), "message": fit.message},
        unmeasured_months=unmeasured,
    )


def check_calibrated(calibration: Calibration, scenario_file: str | Path, mmap: MeterMap) -> Calibration:
    """Simulate the written calibrated scenario and compare it with the meters (the statistics "after").

    Parameters
    ----------
    calibration : Calibration
        The fit (:func:`calibrate`), ``after`` still empty.
    scenario_file : str or Path
        The calibrated scenario as written, with :data:`LOADS_FILE` beside it.
    mmap : MeterMap
        The meter map.

    Returns
    -------
    Calibration
        The same with ``after`` filled.
    """
    path = Path(scenario_file)
    scenario = load_scenario(path)
    run = simulate(scenario, path.parent)
    simulated = true_flows({None: run.hourly}, mmap, scenario, soiling=0.0, load_scale=1.0)
    return replace(calibration, after=statistics(calibration.measured, simulated, scenario.site.timezone))


def calibrated_scenario(raw: dict, base_dir: Path, model: _Model, x: np.ndarray) -> dict:
    """The scenario file with the fitted values, to be written into another folder.

    Parameters
    ----------
    raw : dict
        The scenario file as parsed.
    base_dir : Path
        Its folder: every relative file it names becomes absolute, since the copy lives elsewhere.
    model : _Model
        The fit's model (array and load names, battery).
    x : ndarray
        The fitted vector.

    Returns
    -------
    dict
        The calibrated scenario; its loads read :data:`LOADS_FILE` beside it.
    """
    values: dict = {
        field: str(resolve_input(base_dir, text, field=field))
        for field, text in scenario_paths(raw)
        if not Path(text).is_absolute()
    }
    for i, a in enumerate(model.scenario.pv):
        values[f"pv[{i}].losses_fraction"] = float(1 - (1 - a.losses_fraction) * (1 - x[i]))
    if model.battery is not None:
        ce, de = model.efficiencies(float(x[-1]))
        values["battery[0].charge_efficiency"] = round(ce, 6)
        values["battery[0].discharge_efficiency"] = round(de, 6)
    data = with_values(raw, values)
    keep = ("name", "end_use", "heat_rejected_fraction", "heat_rejected_t_c")
    data["loads"] = [
        {
            **{k: v for k, v in item.items() if k in keep},
            "kind": "csv",
            "path": LOADS_FILE,
            "column": load.name,
            "unit": "kW",
        }
        for item, load in zip(raw["loads"], model.scenario.loads, strict=True)
    ]
    data["name"] = f"{raw['name']} (calibrated)"
    return data
