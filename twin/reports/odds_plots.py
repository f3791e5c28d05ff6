"""Pictures of a weather-year ensemble: the distribution of each headline KPI over the members, with the
criteria's thresholds drawn on it.

A headline is a KPI a simulated criterion reads (one picture per KPI and unit, holding every criterion that
reads it), or a renewable share no criterion reads. The same figure function serves the HTML report and the
dashboard. P50 and P90 follow :data:`lingtan.twin.core.odds.CONVENTION` (:func:`lingtan.twin.core.odds.stats`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from lingtan.twin.core.odds import stats
from lingtan.twin.reports.i18n import label, unit_of

if TYPE_CHECKING:
    from lingtan.twin.studies.ensemble import EnsembleResult

SHARE_KPIS = ("re_electricity_share_onsite", "accounting.re_electricity_share_with_green_power")
"""Renewable shares shown even when no criterion of the scenario reads them (members-table columns)."""
COLOURS = {"bars": "#9fb3c8", "threshold": "#c0392b", "typical": "#1d2733", "p50": "#1f618d", "p90": "#d68910"}


@dataclass(frozen=True)
class Headline:
    """One headline KPI of an ensemble and the criteria that read it.

    Attributes
    ----------
    kpi : str
        The KPI's name (what the criteria read, or a members-table column for a share).
    column : str
        The members-table column plotted: the KPI, the first criterion's ``.value``, or its ``.margin`` when the
        threshold differs between members (then the threshold drawn is 0).
    unit : str
        Unit of the column; one starting with ``fraction`` is shown in [%].
    values : numpy.ndarray
        The column, one value per member.
    typical : float or None
        The typical year's value of the column.
    stats : dict
        :func:`lingtan.twin.core.odds.stats` of ``values``.
    criteria : list of dict
        Per criterion reading the KPI: ``criterion_id``, ``pack``, ``comparator``, ``threshold`` (on the column's
        scale) and ``odds`` (:attr:`EnsembleResult.criterion_odds`).
    """

    kpi: str
    column: str
    unit: str
    values: np.ndarray
    typical: float | None
    stats: dict
    criteria: list

    @property
    def on_margin(self) -> bool:
        """True when the margin is plotted (the threshold differs between members)."""
        return self.column.endswith(".margin")

    def scale(self) -> float:
        """Factor from the column's unit to the one shown: 100 for fractions (shown in %), else 1.

        Returns
        -------
        float
            100 or 1 [-].
        """
        return 100.0 if self.unit.startswith("fraction") else 1.0


def headlines(ensemble: EnsembleResult) -> list[Headline]:
    """The headline KPIs of an ensemble, in the order of the typical year's verdicts, then the shares.

    Parameters
    ----------
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult
        The ensemble: its ``members`` table, ``criterion_odds`` and the typical year's verdicts.

    Returns
    -------
    list of Headline
        One per (KPI read, unit) of the simulated criteria with a numeric value and threshold in every member,
        then each of :data:`SHARE_KPIS` no criterion reads.
    """
    from lingtan.twin.accounting.criteria import pack_criteria

    m = ensemble.members
    groups: dict[tuple[str, str], Headline] = {}
    for v in ensemble.typical.verdicts:
        cid = v["criterion_id"]
        odds = ensemble.criterion_odds.get(cid, {})
        if "value_p50" not in odds:  # no numeric value or threshold in some member: odds as P(pass) only
            continue
        crit = next(c for c in pack_criteria(v["pack"]) if c.id == cid)
        unit = v.get("unit") or ""
        thresholds = m[f"{cid}.threshold"].to_numpy(float)
        varies = bool(np.ptp(thresholds) > 0)
        entry = dict(
            criterion_id=cid,
            pack=v["pack"],
            comparator=crit.comparator,
            threshold=0.0 if varies else float(thresholds[0]),
            odds=odds,
        )
        key = (crit.reads, unit)
        if key in groups and not varies and not groups[key].on_margin:
            groups[key].criteria.append(entry)
            continue
        column = f"{cid}.margin" if varies else f"{cid}.value"
        values = m[column].to_numpy(float)
        typical = v["margin"] if varies else v["value"]
        groups[key if key not in groups else (cid, unit)] = Headline(
            kpi=crit.reads,
            column=column,
            unit=unit,
            values=values,
            typical=float(typical) if typical is not None else None,
            stats=stats(values),
            criteria=[entry],
        )
    out = list(groups.values())
    read = {h.kpi for h in out}
    for col in SHARE_KPIS:
        if col in m and col.removeprefix("accounting.") not in read:
            values = m[col].to_numpy(float)
            out.append(Headline(col, col, "fraction", values, _typical_kpi(ensemble.typical, col), stats(values), []))
    return out


def _typical_kpi(typical: Any, column: str) -> float | None:
    """A members-table column's value in the typical year (flat KPI or ``accounting.`` KPI)."""
    if column.startswith("accounting."):
        from lingtan.twin.accounting.account import accounting_kpis

        if typical.accounting is None:
            return None
        return float(accounting_kpis(typical.accounting)[column.removeprefix("accounting.")])
    x = typical.kpis.get(column)
    return float(x) if isinstance(x, (int, float)) else None


def axis_title(h: Headline, lang: str = "en") -> str:
    """What the x axis of :func:`distribution_figure` shows: the KPI, or the criteria when their value is not the
    KPI itself (a credit cap reads gross emissions but compares a fraction of them), or their margin.

    Parameters
    ----------
    h : Headline
        The KPI (:func:`headlines`).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    str
        The title, without its unit.
    """
    kpi = h.kpi.removeprefix("accounting.")
    names = ", ".join(c["criterion_id"][len(c["pack"]) + 1 :] for c in h.criteria)
    if h.on_margin:
        return f"{label('verdict_margin', lang)} {names}"
    return label(kpi, lang) if not h.criteria or unit_of(kpi) == h.unit else names


def distribution_figure(h: Headline, lang: str = "en") -> go.Figure:
    """The distribution of one headline KPI over the members: a histogram of the years, the criteria's thresholds,
    the typical year, P50 and P90 as vertical lines.

    Parameters
    ----------
    h : Headline
        The KPI (:func:`headlines`).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    plotly.graph_objects.Figure
        x: the KPI in its unit ([%] for fractions); y: number of weather years [-]. Each line is a trace whose
        ``meta`` says what it marks: ``{"mark": "threshold", "criterion_id": ...}``, ``{"mark": "typical"}``,
        ``{"mark": "p50"}``, ``{"mark": "p90"}``; its x is the marked value on the figure's scale.
    """
    k = h.scale()
    x = h.values * k
    counts, edges = np.histogram(x, bins="auto")
    top = float(counts.max()) * 1.15
    unit = "%" if k == 100.0 else h.unit
    fig = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            width=np.diff(edges),
            marker=dict(color=COLOURS["bars"], line=dict(color="#ffffff", width=1)),
            name=label("odds_years", lang),
            hovertemplate="%{x:.4g} " + unit + ": %{y} " + label("odds_years", lang) + "<extra></extra>",
        )
    )

    def line(at: float, name: str, colour: str, dash: str, meta: dict) -> None:
        fig.add_trace(
            go.Scatter(
                x=[at, at],
                y=[0, top],
                mode="lines",
                line=dict(color=colour, width=2.5 if meta["mark"] == "threshold" else 2, dash=dash),
                name=name,
                meta=meta,
                hovertemplate=f"{name}: %{{x:.4g}} {unit}<extra></extra>",
            )
        )

    for c in h.criteria:
        cmp = "≥" if c["comparator"] == ">=" else "≤"
        line(
            c["threshold"] * k,
            f"{c['pack'].split('_')[0].capitalize()} {cmp} {c['threshold'] * k:.4g} {unit}",
            COLOURS["threshold"],
            "solid",
            {"mark": "threshold", "criterion_id": c["criterion_id"]},
        )
    if h.typical is not None:
        line(h.typical * k, label("ensemble_typical", lang), COLOURS["typical"], "dash", {"mark": "typical"})
    line(h.stats["p50"] * k, "P50", COLOURS["p50"], "dot", {"mark": "p50"})
    line(h.stats["p90"] * k, "P90", COLOURS["p90"], "dot", {"mark": "p90"})
    fig.update_layout(
        bargap=0,
        xaxis=dict(title=f"{axis_title(h, lang)} [{unit}]"),
        yaxis=dict(title=label("odds_years", lang), range=[0, top]),
    )
    return fig


__all__ = ["Headline", "headlines", "distribution_figure", "axis_title", "SHARE_KPIS"]
