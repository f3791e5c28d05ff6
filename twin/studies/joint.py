"""Weather years and the other uncertainties drawn jointly: one ensemble whose odds cover both.

A factory with ``uncertainty:`` (:mod:`lingtan.twin.studies.uncertainty`) and a weather ensemble
(:mod:`lingtan.twin.studies.ensemble`) has one member per weather year; member ``i`` runs on weather year ``i``
with row ``i`` of the draws (:func:`lingtan.twin.studies.uncertainty.member_count`: each weather year draws one
sample, seeded by ``uncertainty.seed``, so the same file gives the same members). The weather years come from
the ensemble's own source (the same synthetic years or files as a weather-only ensemble), so with every other
quantity fixed at one value the members are the weather-only ensemble's, number for number.

The members of a block of weather years go through the dispatch kernel in one call
(:func:`lingtan.twin.studies.uncertainty.evaluate`: each member on its year's unit profiles and load) beside the
same years with every quantity at its median, which gives the tornado's weather bar. The tornado's other bars
are those of the scenario's own weather year (:func:`lingtan.twin.studies.uncertainty.tornado`), so that every
bar starts from one base: all quantities at their median on the typical year.

A park draws the same way; its members, and its years at the median, are park years simulated one after
another (:mod:`lingtan.twin.studies.park_uncertainty`): the park path is not vectorised over configurations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lingtan.twin.core.odds import stats

YEARS_PER_CALL = 50
"""Weather years made, held and dispatched at once [-]: a year's weather and profiles take about a megabyte, so
a 1,000-year ensemble never holds more than 50 of them; larger blocks would only add memory (the kernel's time
grows with the members, not with the calls)."""


def simulate_joint(scenario, base_dir: str | Path, *, years: int | None = None, file: str | Path | None = None):
    """Simulate a factory or a park on its typical year and on every member of its weather ensemble, each member
    with its own draw of the other uncertain quantities.

    Parameters
    ----------
    scenario : Scenario or Park
        A factory or a park with ``uncertainty:`` and ``weather.ensemble`` (or ``years``); a park's members are
        park years, one after another (:mod:`lingtan.twin.studies.park_uncertainty`).
    base_dir : str or Path
        Folder of the scenario file.
    years : int, optional
        Number of synthetic weather years instead of ``weather.ensemble`` (``twin run --weather-years``).
    file : str or Path, optional
        The scenario file, named in errors.

    Returns
    -------
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult
        The typical year; one row per member (its weather columns, its drawn values, KPIs and verdicts); the
        KPIs' exceedance values and the criteria's odds over the members (each with ``drawn``: ``weather_year``
        and the quantities); ``drawn`` naming the quantities.
    draws : pandas.DataFrame
        The drawn values, one row per member (:func:`lingtan.twin.studies.uncertainty.draw`).
    tornado : lingtan.twin.studies.uncertainty.Tornado
        The quantities' bars and the weather bar (module docstring).

    Raises
    ------
    ScenarioError
        When the draws are impossible (a normal distribution with no mass inside its bounds).
    """
    from lingtan.errors import ScenarioError
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.run import build_profiles
    from lingtan.twin.studies.ensemble import (
        EnsembleResult,
        _comparators,
        _criterion_odds,
        _kpi_columns,
        _member_source,
        _take,
    )
    from lingtan.twin.studies.park import simulate_site
    from lingtan.twin.studies.park_uncertainty import park_year
    from lingtan.twin.studies.uncertainty import WEATHER_BAR, draw, member_count, tornado

    base_dir = Path(base_dir)
    weathers, source = _member_source(scenario, base_dir, years, file)  # synthetic years made block by block
    spec = scenario.uncertainty
    try:
        draws = draw(spec, member_count(spec, len(weathers)))
    except ScenarioError as e:  # the draws do not know the file
        raise ScenarioError(file, e.field, e.expected, e.found) from None
    medians = pd.DataFrame([draws.median().to_dict()] * len(draws), index=draws.index)
    # Blocks of at most YEARS_PER_CALL years, in this process: the kernel runs a block's members in parallel
    # (numba threads), and a process forked once those threads run must not start its own (GNU OpenMP is not
    # fork-safe; lingtan.twin.studies.sweep keeps its vectorised chunks in the parent for the same reason).
    done = [_block(scenario, base_dir, _take(weathers, b), draws.iloc[b], medians.iloc[b]) for b in _split(len(draws))]
    drawn, at_median = [d for d, _ in done], [m for _, m in done]
    members = pd.concat(drawn, ignore_index=True)
    typical = simulate_site(scenario, base_dir)
    quantities = tuple(draws.columns)
    result = EnsembleResult(
        typical=typical,
        members=members,
        kpi_stats={k: stats(members[k]) for k in _kpi_columns(members) if k not in quantities},
        # Each criterion's odds name what they cover: the weather years and every drawn quantity.
        criterion_odds={
            cid: {**_criterion_odds(members, cid, c), "drawn": [WEATHER_BAR, *quantities]}
            for cid, c in _comparators(typical.verdicts).items()
        },
        source=source,
        drawn=quantities,
    )
    own = park_year(scenario, base_dir) if isinstance(scenario, Park) else build_profiles(scenario, base_dir)
    t = tornado(scenario, own, draws, weather=pd.concat(at_median, ignore_index=True))
    return result, draws, t


def _split(n: int) -> list[np.ndarray]:
    """Positions ``0 .. n-1`` in consecutive pieces of at most :data:`YEARS_PER_CALL`."""
    return [np.arange(i, min(i + YEARS_PER_CALL, n)) for i in range(0, n, YEARS_PER_CALL)]


def _block(scenario, base_dir: Path, weathers, draws: pd.DataFrame, medians: pd.DataFrame):
    """Some weather years' members and the same years at the median: a factory's from one kernel call.

    Returns the two members tables, each year's weather columns first.
    """
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.run import build_profiles, hour_profiles
    from lingtan.twin.studies.ensemble import weather_columns
    from lingtan.twin.studies.park_uncertainty import ParkYear
    from lingtan.twin.studies.uncertainty import evaluate

    block, profs, hours = list(weathers), [], None
    for w in block:
        if isinstance(scenario, Park):  # a park year is simulated whole, member by member
            profs.append(ParkYear(base_dir, w))
            continue
        if hours is None or not hours.fits(w[0].index):
            hours = hour_profiles(scenario, base_dir, w[0].index)  # loads and tariff: the years' hours are one
        profs.append(build_profiles(scenario, base_dir, w, hours))
    # The block's members, then the same years with every quantity at its median.
    both = pd.concat([draws, medians], ignore_index=True)
    table = evaluate(scenario, profs, both, np.tile(np.arange(len(block)), 2))
    where = pd.DataFrame([weather_columns(w) for w in block])
    n = len(block)
    return (
        pd.concat([where, table.iloc[:n].reset_index(drop=True)], axis=1),
        pd.concat([where, table.iloc[n:].reset_index(drop=True)], axis=1),
    )


__all__ = ["YEARS_PER_CALL", "simulate_joint"]
