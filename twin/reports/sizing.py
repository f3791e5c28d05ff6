"""The files of ``twin size --out``: every design assessed, the Pareto plots and the summary."""

from __future__ import annotations

from pathlib import Path

from lingtan.twin.reports.output import write_atomically
from lingtan.twin.studies.sizing import Design, SizingResult, summary


def write_outputs(res: SizingResult, out: str | Path) -> Path:
    """``designs.csv`` (every design assessed), ``pareto.html`` and ``pareto_emissions.html`` (self-contained
    plotly: annualised cost against renewable share, and against residual emissions) and ``sizing.txt``; the
    folder is written under a temporary name and renamed when complete.

    Parameters
    ----------
    res : SizingResult
        What :func:`lingtan.twin.studies.sizing.size` found.
    out : path
        The results folder (new, empty or the twin's own).

    Returns
    -------
    Path
        ``out``, absolute.
    """
    import pandas as pd

    def write(folder: Path) -> None:
        pd.DataFrame([d.row() for d in res.designs]).to_csv(folder / "designs.csv", index=False)
        for name, key, front, x_title, title in (
            (
                "pareto.html",
                "re_share",
                res.pareto_re_share,
                "renewable electricity share with green power [-]",
                "Annualised cost against renewable electricity share",
            ),
            (
                "pareto_emissions.html",
                "residual_emissions_t",
                res.pareto_emissions,
                "residual emissions [tCO2/yr]",
                "Annualised cost against residual emissions",
            ),
        ):
            _pareto_figure(res, key, front, x_title, title).write_html(
                folder / name, include_plotlyjs=True, full_html=True
            )
        (folder / "sizing.txt").write_text(summary(res) + "\n", encoding="utf-8")

    return write_atomically(out, write, kind="size")


def _pareto_figure(res: SizingResult, key: str, front: list[Design], x_title: str, title: str):
    """Every design assessed (passing or not), the Pareto front and the chosen design: cost against ``key``."""
    import plotly.graph_objects as go

    def xy(designs):
        return [getattr(d, key) for d in designs], [d.cost_cny_per_year / 1e6 for d in designs]

    fig = go.Figure()
    for ok, name, color in ((True, "passes", "#2a9d8f"), (False, "fails", "#bbbbbb")):
        sub = [d for d in res.designs if d.passed == ok]
        x, y = xy(sub)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="markers",
                name=name,
                marker=dict(color=color, size=7),
                text=[", ".join(f"{k}={v:.3g}x" for k, v in d.factors.items()) for d in sub],
            )
        )
    x, y = xy(front)
    fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name="Pareto front", line=dict(color="#264653")))
    if res.chosen is not None:
        x, y = xy([res.chosen])
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="markers",
                name="least-cost passing",
                marker=dict(symbol="star", size=16, color="#e76f51"),
            )
        )
    fig.update_layout(
        title=title, xaxis_title=x_title, yaxis_title="annualised cost [million CNY/yr]", template="plotly_white"
    )
    return fig
