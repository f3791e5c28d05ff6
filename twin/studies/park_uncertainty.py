"""A park's uncertainty ensemble: park-wide load scale, PV age and tariff level, on its weather year or drawn
jointly with a weather ensemble (:mod:`lingtan.twin.studies.joint`, one park year per member and year).

The quantities mean what they mean for a factory (:mod:`lingtan.twin.studies.uncertainty`), applied to the whole
park at once:

* ``load_scale`` multiplies every tenant's total electric load (:func:`lingtan.twin.studies.park.simulate_park`,
  ``load_scale``): the park's production volume, one multiplier for all tenants. Process heat and the heat
  network's exchanges stay as the process models simulate them.
* ``pv_age_years`` replaces the ``age_years`` of every PV array, the tenants' roofs and the shared arrays.
* ``tariff_scale`` multiplies the park connection's import energy charge and basic charge
  (:func:`lingtan.twin.studies.tariff_level.scale_tariff`); tenants' own bills in ``tenant_table`` are not
  rescaled. No criterion reads the bill, so no verdict moves with it.

Each member is a park year (:func:`lingtan.twin.studies.park.simulate_park`) on the shared weather, without the
network's hourly power flow, as a weather ensemble's park members are: the park's own sequence of tenant runs,
bus dispatch and reconciliation is not vectorised over configurations, so members run one after another (about
a second each for the reference park once its profiles are warm).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ParkYear:
    """The weather year a park's members share (what :class:`lingtan.twin.run.Profiles` is to a factory).

    Attributes
    ----------
    base_dir : Path
        Folder of the scenario file.
    weather : tuple of (DataFrame, dict)
        Hourly weather (pvlib names) and its metadata.
    """

    base_dir: Path
    weather: tuple


def park_year(park, base_dir: str | Path) -> ParkYear:
    """The park's own weather year, read once for all members.

    Parameters
    ----------
    park : Park
        The park.
    base_dir : str or Path
        Folder of the scenario file.

    Returns
    -------
    ParkYear
        Its folder and weather.
    """
    from lingtan.twin.run import load_weather

    return ParkYear(Path(base_dir), load_weather(park, Path(base_dir)))


def aged(park, age_years: float):
    """The park with every PV array, tenants' and shared, at one age.

    Parameters
    ----------
    park : Park
        The park.
    age_years : float
        Age of every array in the simulated year [yr].

    Returns
    -------
    Park
        A copy; wind, batteries and everything else as they were.
    """

    def pv(arrays):
        return [a.model_copy(update={"age_years": float(age_years)}) for a in arrays]

    tenants = [t.model_copy(update={"pv": pv(t.pv)}) for t in park.tenants]
    shared = park.shared.model_copy(update={"pv": pv(park.shared.pv)})
    return park.model_copy(update={"tenants": tenants, "shared": shared})


def evaluate_park(
    park, years: ParkYear | list[ParkYear], draws: pd.DataFrame, year_of: np.ndarray | None = None
) -> pd.DataFrame:
    """Every member of a park's uncertainty ensemble: the park's KPIs, accounting and verdicts.

    Parameters
    ----------
    park : Park
        The park.
    years : ParkYear or list of ParkYear
        The shared weather year (:func:`park_year`), or the years of a weather ensemble.
    draws : pandas.DataFrame
        The members (:func:`lingtan.twin.studies.uncertainty.draw`).
    year_of : ndarray of int, shape (N,), optional
        Each member's position in ``years``; default: all on the first.

    Returns
    -------
    pandas.DataFrame
        The drawn values, the park's flat KPIs (its bill as ``grid_bill_cny.<part>`` at the member's tariff
        level [CNY]), ``accounting.<name>`` and each simulated criterion's columns, indexed like ``draws``.
    """
    from lingtan.twin.core import progress
    from lingtan.twin.studies.ensemble import result_columns
    from lingtan.twin.studies.park import simulate_park
    from lingtan.twin.studies.tariff_level import scale_tariff

    years = years if isinstance(years, list) else [years]
    year_of = np.zeros(len(draws), int) if year_of is None else np.asarray(year_of, int)
    rows = []
    with progress.muted():  # a park names its own stages; a member's would hide the ensemble's
        for y, values in zip(year_of, draws.to_dict("records"), strict=True):
            p = aged(park, values["pv_age_years"]) if "pv_age_years" in values else park
            scale = float(values.get("load_scale", 1.0))
            w = years[y]
            run = simulate_park(p, w.base_dir, power_flow=False, weather=w.weather, load_scale=scale)
            rows.append(result_columns(run))
    table = pd.concat([draws, pd.DataFrame(rows, index=draws.index)], axis=1)
    if "tariff_scale" in draws:
        table = scale_tariff(table, draws["tariff_scale"].to_numpy())
    return table


__all__ = ["ParkYear", "aged", "evaluate_park", "park_year"]
