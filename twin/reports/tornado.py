"""An uncertainty ensemble's results: the members table, ``tornado.json``, the terminal lines and the tornado plot.

``twin run`` on a scenario with ``uncertainty:`` (:mod:`lingtan.twin.studies.uncertainty`) calls
:func:`run_uncertainty` (with a weather ensemble, :func:`run_joint`) before anything is written, then hands its
:class:`UncertaintyResult` to :func:`lingtan.twin.reports.output.write_run`, which writes ``ensemble.parquet``
(one row per member, the drawn values beside the KPIs and verdicts) and ``tornado.json``
(:func:`write_uncertainty`) and the report's uncertainty section (:func:`tornado_figure`) into the folder it puts
in place at once. This module imports no other report module, so the HTML report can import it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lingtan.twin.studies.uncertainty import CONVENTION, HEADLINE_KPI, WEATHER_BAR, Tornado, exceedance

UNITS = {"load_scale": "", "pv_age_years": " yr", "tariff_scale": "", WEATHER_BAR: " kWh/m2 GHI"}
"""How each quantity's values are printed after the number."""


def tornado_lines(t: Tornado, top: int = 5) -> list[str]:
    """The tornado's largest bars as terminal lines.

    Parameters
    ----------
    t : Tornado
        The tornado (:func:`lingtan.twin.studies.uncertainty.tornado`).
    top : int
        Bars to print, largest swing first.

    Returns
    -------
    list of str
        A heading, the base case, one line per bar (the quantity's P10 and P90 and the KPI at each; for the
        weather bar the annual GHI of the P10 and P90 weather years), and under each bar the margins of the
        criteria it moves.
    """
    lines = [
        f"Tornado of {t.kpi} (others at their median; {CONVENTION}):",
        f"  all at median: {t.kpi} = {t.base_kpi:.4g}",
    ]
    for b in t.bars[:top]:
        u = UNITS.get(b.quantity, "")
        lines.append(
            f"  {b.quantity:<14} P10 {b.input_p10:.4g}{u} -> {b.kpi_at_p10:.4g}   "
            f"P90 {b.input_p90:.4g}{u} -> {b.kpi_at_p90:.4g}   swing {b.swing:.3g}"
        )
        moved = sorted(b.margins.items(), key=lambda kv: -abs(kv[1][0] - kv[1][1]))
        lines += [f"      {cid}: margin {lo:+.4g} / {hi:+.4g}" for cid, (lo, hi) in moved[:3] if lo != hi]
    return lines


def members_lines(table: pd.DataFrame, kpi: str = HEADLINE_KPI) -> list[str]:
    """The members' spread: the headline KPI's P50 and P90, and each simulated criterion's pass probability and
    P90 margin over the members.

    Parameters
    ----------
    table : pandas.DataFrame
        The members table (:func:`lingtan.twin.studies.uncertainty.evaluate`).
    kpi : str
        The headline KPI.

    Returns
    -------
    list of str
        One line for the KPI, one per criterion with a numeric margin in every member.
    """
    lines = [f"  {kpi}: P50 {exceedance(table[kpi], 50):.4g}, P90 {exceedance(table[kpi], 90):.4g}"]
    for col in table.columns:
        cid = col.removesuffix(".margin")
        if col.endswith(".margin") and np.isfinite(table[col]).all():
            lines.append(
                f"  {cid}: p_pass {table[f'{cid}.pass'].mean():.2f}, P90 margin {exceedance(table[col], 90):+.4g}"
            )
    return lines


def tornado_figure(t: Tornado) -> go.Figure:
    """The tornado as a plotly figure: the headline KPI from its all-median value to its value at each
    quantity's P10 and P90, widest bar on top.

    Parameters
    ----------
    t : Tornado
        The tornado.

    Returns
    -------
    plotly.graph_objects.Figure
        Two overlaid horizontal bar traces (quantity at P10, at P90) based at the all-median KPI.
    """
    bars = list(reversed(t.bars))  # plotly draws the first category at the bottom
    fig = go.Figure()
    for name, kpi_of, input_of, colour in (
        ("quantity at P10", lambda b: b.kpi_at_p10, lambda b: b.input_p10, "#4C78A8"),
        ("quantity at P90", lambda b: b.kpi_at_p90, lambda b: b.input_p90, "#F58518"),
    ):
        fig.add_trace(
            go.Bar(
                y=[b.quantity for b in bars],
                x=[kpi_of(b) - t.base_kpi for b in bars],
                base=t.base_kpi,
                orientation="h",
                name=name,
                text=[f"{input_of(b):.4g}" for b in bars],
                marker_color=colour,
            )
        )
    fig.add_vline(x=t.base_kpi, line_dash="dash", annotation_text=f"all at median {t.base_kpi:.4g}")
    fig.update_layout(barmode="overlay", title=f"Tornado: {t.kpi} ({CONVENTION})", xaxis_title=t.kpi)
    return fig


@dataclass(frozen=True)
class UncertaintyResult:
    """A scenario's uncertainty ensemble, on its weather year or drawn jointly with a weather ensemble, ready to
    be written with the run.

    Attributes
    ----------
    typical : lingtan.twin.run.RunResult
        The scenario as written (every quantity at its stated value): the report's run.
    draws : pandas.DataFrame
        The drawn quantities, one row per member (:func:`lingtan.twin.studies.uncertainty.draw`).
    members : pandas.DataFrame
        The members table (:func:`lingtan.twin.studies.uncertainty.evaluate`), ``member`` as a column; drawn
        jointly, each member's weather columns first (:func:`lingtan.twin.studies.joint.simulate_joint`).
    criterion_odds : dict
        Criterion id to its odds over the members, as a weather ensemble gives them
        (:attr:`lingtan.twin.studies.ensemble.EnsembleResult.criterion_odds`).
    tornado : Tornado
        Which quantity moves the headline KPI most.
    """

    typical: Any
    draws: pd.DataFrame
    members: pd.DataFrame
    criterion_odds: dict
    tornado: Tornado


def run_uncertainty(scenario, file: str | Path, typical) -> UncertaintyResult:
    """Run a scenario's uncertainty ensemble on its weather year and its tornado; nothing is written.

    Parameters
    ----------
    scenario : Scenario or Park
        A factory or a park with ``uncertainty:``.
    file : path
        The scenario file (its folder holds the files it names; named in errors).
    typical : lingtan.twin.run.RunResult or lingtan.twin.studies.park.ParkResult
        The scenario's own single run (the report's run), whose verdicts say which criteria are simulated.

    Returns
    -------
    UncertaintyResult
        Draws, members, their odds and the tornado.

    Raises
    ------
    ScenarioError
        When the draws are impossible (a normal distribution with no mass inside its bounds).
    """
    from lingtan.errors import ScenarioError
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.run import build_profiles
    from lingtan.twin.studies.ensemble import _comparators, _criterion_odds
    from lingtan.twin.studies.park_uncertainty import park_year
    from lingtan.twin.studies.uncertainty import draw, evaluate, member_count, tornado

    spec = scenario.uncertainty
    base_dir = Path(file).parent
    prof = park_year(scenario, base_dir) if isinstance(scenario, Park) else build_profiles(scenario, base_dir)
    try:
        draws = draw(spec, member_count(spec))
    except ScenarioError as e:  # the draws do not know the file
        raise ScenarioError(file, e.field, e.expected, e.found) from None
    members = evaluate(scenario, prof, draws).reset_index()
    odds = {cid: _criterion_odds(members, cid, comp) for cid, comp in _comparators(typical.verdicts).items()}
    return UncertaintyResult(typical, draws, members, odds, tornado(scenario, prof, draws))


def run_joint(scenario, file: str | Path, years: int | None = None):
    """Run a factory's weather ensemble and its other uncertainties drawn jointly; nothing is written.

    Parameters
    ----------
    scenario : Scenario or Park
        A factory or a park with ``uncertainty:`` and ``weather.ensemble`` (or ``years``).
    file : path
        The scenario file (its folder holds the files it names; named in errors).
    years : int, optional
        Synthetic weather years instead of ``weather.ensemble`` (``twin run --weather-years``).

    Returns
    -------
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult
        The typical year and the joint members' odds (what ``kpis.json`` and ``criteria.json`` carry).
    uncertainty : UncertaintyResult
        The same members with their draws and the tornado, its weather bar included.

    Raises
    ------
    ScenarioError
        When the draws are impossible (a normal distribution with no mass inside its bounds).
    """
    from lingtan.twin.studies.joint import simulate_joint

    ens, draws, t = simulate_joint(scenario, Path(file).parent, years=years, file=file)
    return ens, UncertaintyResult(ens.typical, draws, ens.members, ens.criterion_odds, t)


def write_uncertainty(u: UncertaintyResult, folder: Path) -> None:
    """Write the members table (``ensemble.parquet``) and ``tornado.json`` into a results folder being written.

    Parameters
    ----------
    u : UncertaintyResult
        The ensemble (:func:`run_uncertainty`).
    folder : Path
        The temporary folder :func:`lingtan.twin.reports.output.write_run` fills before putting it in place.
    """
    u.members.to_parquet(folder / "ensemble.parquet", index=False)
    text = json.dumps(u.tornado.to_dict(), indent=2, ensure_ascii=False)
    (folder / "tornado.json").write_text(text, encoding="utf-8")


def uncertainty_lines(u: UncertaintyResult, top: int = 5) -> list[str]:
    """The terminal lines of an uncertainty ensemble: members and the tornado's top bars.

    Parameters
    ----------
    u : UncertaintyResult
        The ensemble (:func:`run_uncertainty`).
    top : int
        Tornado bars printed.

    Returns
    -------
    list of str
        A heading, :func:`members_lines` and :func:`tornado_lines`.
    """
    n = u.tornado.weather_years
    years = "one weather year" if n == 1 else f"{n} weather years (one draw per year)"
    return [
        f"\nUncertainty ensemble: {len(u.members)} members of {', '.join(u.draws.columns)} on {years} "
        f"(ensemble.parquet, tornado.json; {CONVENTION}):",
        *members_lines(u.members),
        *tornado_lines(u.tornado, top),
    ]
