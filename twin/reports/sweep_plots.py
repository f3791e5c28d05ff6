"""Pictures of a sweep: heatmaps with a threshold contour, tornado charts and Pareto fronts.

Plotly figures, saved as self-contained HTML (plotly.js embedded) next to the results;
also as PNG when ``kaleido`` is importable (never required).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

# KPIs where less is better (for the Pareto front's cost axis and the tornado's sort is unaffected).
COST_KPIS = (
    "grid_cost_cny",
    "grid_bill_cny.total_cny",
    "grid_import_e_kwh",
    "accounting.gross_emissions_t",
    "accounting.residual_emissions_t",
    "economics.annualised_cost_cny",
    "economics.npc_cny",
    "economics.capex_cny",
    "economics.operating_cost_cny",
    "economics.lcoe_onsite_cny_per_kwh",
)


def cost_column(df: pd.DataFrame) -> str:
    """The Pareto front's cost: the annualised cost of the whole project (assets, O&M, grid, fuel, carbon) when
    every row has it, else the grid bill alone (sweeps without per-case economics).

    Parameters
    ----------
    df : DataFrame
        The sweep's rows, one per case.

    Returns
    -------
    str
        ``economics.annualised_cost_cny`` [CNY/yr] or ``grid_cost_cny`` [CNY].
    """
    c = "economics.annualised_cost_cny"
    return c if c in df and df[c].notna().all() else "grid_cost_cny"


def _slice_others(df: pd.DataFrame, keep: list[str], params: list[str]) -> tuple[pd.DataFrame, str]:
    """Rows where every parameter not in ``keep`` sits at its value nearest the median (a 2-D slice)."""
    note = []
    for p in params:
        if p in keep or p not in df:
            continue
        vals = np.unique(df[p].to_numpy())
        v = vals[np.argmin(np.abs(vals - np.median(df[p])))]
        df = df[df[p] == v]
        note.append(f"{p} = {v:g}")
    return df, ", ".join(note)


def heatmap(
    df: pd.DataFrame, x: str, y: str, kpi: str, threshold: float | None = None, *, params: list[str] | None = None
) -> go.Figure:
    """A KPI over two parameters of a grid sweep, with the ``threshold`` contour drawn.

    Other parameters (``params``) are held at their value nearest the median. Scattered
    designs (Latin hypercube) are drawn as coloured points.

    Parameters
    ----------
    df : DataFrame
        The sweep's rows: one column per parameter and per KPI (units in the names).
    x, y : str
        The parameters on the axes.
    kpi : str
        The KPI coloured.
    threshold : float, optional
        A value of the KPI (in its unit) drawn as a contour, or as open markers on the cases at or above it.
    params : list of str, optional
        Every parameter of the sweep; those other than ``x`` and ``y`` are held near their median.

    Returns
    -------
    plotly.graph_objects.Figure
        A heatmap when the cases fill more than 90 % of the grid, else coloured points.
    """
    import plotly.graph_objects as go

    df, note = _slice_others(df, [x, y], params or [])
    piv = df.pivot_table(index=y, columns=x, values=kpi, aggfunc="mean")
    gridded = piv.notna().to_numpy().mean() > 0.9 and piv.shape[0] > 1 and piv.shape[1] > 1
    fig = go.Figure()
    if gridded:
        fig.add_trace(
            go.Heatmap(
                x=piv.columns.to_numpy(),
                y=piv.index.to_numpy(),
                z=piv.to_numpy(),
                colorscale="Viridis",
                colorbar=dict(title=kpi),
            )
        )
        if threshold is not None:
            z = piv.to_numpy()
            if np.nanmin(z) <= threshold <= np.nanmax(z):
                fig.add_trace(
                    go.Contour(
                        x=piv.columns.to_numpy(),
                        y=piv.index.to_numpy(),
                        z=z,
                        contours=dict(
                            start=threshold,
                            end=threshold,
                            size=1,
                            coloring="none",
                            showlabels=True,
                            labelfont=dict(color="white"),
                        ),
                        line=dict(color="white", width=3),
                        showscale=False,
                        name=f"{kpi} = {threshold:g}",
                        hoverinfo="skip",
                    )
                )
    else:
        fig.add_trace(
            go.Scatter(
                x=df[x],
                y=df[y],
                mode="markers",
                marker=dict(color=df[kpi], colorscale="Viridis", showscale=True, colorbar=dict(title=kpi), size=7),
                name="cases",
            )
        )
        if threshold is not None:
            above = df[df[kpi] >= threshold]
            fig.add_trace(
                go.Scatter(
                    x=above[x],
                    y=above[y],
                    mode="markers",
                    name=f"{kpi} >= {threshold:g}",
                    marker=dict(symbol="circle-open", color="red", size=11),
                )
            )
    title = f"{kpi} over {x} and {y}" + (f" (threshold {threshold:g} drawn)" if threshold is not None else "")
    fig.update_layout(title=title + (f"<br><sup>{note}</sup>" if note else ""), xaxis_title=x, yaxis_title=y)
    return fig


def tornado(df_oat: pd.DataFrame, kpi: str, base: dict[str, float]) -> go.Figure:
    """Tornado chart of a one-at-a-time sweep: the KPI's range as each parameter spans its range.

    Parameters
    ----------
    df_oat : DataFrame
        The rows of a one-at-a-time sweep.
    kpi : str
        The KPI whose range is drawn.
    base : dict of str to float
        Each parameter's base value (in the parameter's unit); the base case is the row with every parameter
        at base (else the KPI's median is the reference).

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal bars from the reference to the KPI at each parameter's low and high end, widest on top.
    """
    import plotly.graph_objects as go

    params = list(base)
    at_base = np.all([np.isclose(df_oat[p], base[p]) for p in params], axis=0)
    ref = float(df_oat.loc[at_base, kpi].iloc[0]) if at_base.any() else float(df_oat[kpi].median())
    bars = []
    for p in params:
        others = (
            np.all([np.isclose(df_oat[q], base[q]) for q in params if q != p], axis=0)
            if len(params) > 1
            else np.ones(len(df_oat), bool)
        )
        sub = df_oat[others].sort_values(p)
        if sub.empty:
            continue
        lo, hi = float(sub[kpi].iloc[0]), float(sub[kpi].iloc[-1])
        bars.append((p, lo, hi, f"{sub[p].iloc[0]:g}", f"{sub[p].iloc[-1]:g}"))
    bars.sort(key=lambda b: abs(b[2] - b[1]))
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=[b[0] for b in bars],
            x=[b[1] - ref for b in bars],
            base=ref,
            orientation="h",
            name="parameter at low end",
            text=[b[3] for b in bars],
            marker_color="#4C78A8",
        )
    )
    fig.add_trace(
        go.Bar(
            y=[b[0] for b in bars],
            x=[b[2] - ref for b in bars],
            base=ref,
            orientation="h",
            name="parameter at high end",
            text=[b[4] for b in bars],
            marker_color="#F58518",
        )
    )
    fig.add_vline(x=ref, line_dash="dash", annotation_text=f"base {ref:.4g}")
    fig.update_layout(barmode="overlay", title=f"Tornado: {kpi} (one parameter at a time)", xaxis_title=kpi)
    return fig


def pareto_front(cost: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated points (lower cost, higher benefit), by ascending cost.

    Parameters
    ----------
    cost : ndarray, shape (N,)
        Cost of each point, lower is better (any unit).
    benefit : ndarray, shape (N,)
        Benefit of each point, higher is better (any unit).

    Returns
    -------
    ndarray of int
        Indices into the inputs of the front's points, cost ascending.
    """
    order = np.lexsort((-benefit, cost))
    front, best = [], -np.inf
    for i in order:
        if benefit[i] > best:
            front.append(i)
            best = benefit[i]
    return np.array(front, dtype=int)


def pareto(df: pd.DataFrame, cost: str, benefit: str, *, params: list[str] | None = None) -> go.Figure:
    """Every case as a point of (cost, benefit), with the Pareto front (min cost, max benefit) drawn.

    Parameters
    ----------
    df : DataFrame
        The sweep's rows.
    cost, benefit : str
        The columns on the x axis (lower is better) and the y axis (higher is better).
    params : list of str, optional
        Parameters shown when hovering over a case.

    Returns
    -------
    plotly.graph_objects.Figure
        The cases as points and the front as a line.
    """
    import plotly.graph_objects as go

    c, b = df[cost].to_numpy(float), df[benefit].to_numpy(float)
    front = pareto_front(c, b)
    hover = None
    if params:
        hover = ["<br>".join(f"{p} = {df[p].iloc[i]:g}" for p in params) for i in range(len(df))]
    fig = go.Figure()
    fig.add_trace(
        go.Scattergl(x=c, y=b, mode="markers", name="cases", text=hover, marker=dict(size=4, color="#9ecae1"))
    )
    fig.add_trace(
        go.Scatter(
            x=c[front],
            y=b[front],
            mode="lines+markers",
            name="Pareto front",
            text=[hover[i] for i in front] if hover else None,
            line=dict(color="#d62728"),
        )
    )
    fig.update_layout(title=f"Pareto front: {benefit} against {cost}", xaxis_title=cost, yaxis_title=benefit)
    return fig


def _save(fig: go.Figure, path: Path) -> list[Path]:
    from lingtan.twin.reports.html import write_page

    write_page(fig.to_html(include_plotlyjs=True, full_html=True), path)  # temporary name, then renamed
    out = [path]
    try:
        import kaleido  # noqa: F401

        png = path.with_suffix(".png")
        fig.write_image(png)
        out.append(png)
    except Exception:  # noqa: BLE001  (PNG is optional: kaleido absent or without a browser)
        pass
    return out


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


def write_plots(
    out_dir: str | Path,
    df: pd.DataFrame,
    params: list[str],
    kpi: str,
    threshold: float | None = None,
    *,
    design: str = "grid",
    base: dict[str, float] | None = None,
    cost: str | None = None,
) -> list[Path]:
    """Write the pictures of a sweep into ``out_dir/plots``.

    Heatmaps of ``kpi`` over every pair of parameters (grid and Latin-hypercube designs),
    a tornado chart (one-at-a-time design, with ``base``), and a Pareto front of
    ``cost`` (default :func:`cost_column`) against ``kpi``.

    Parameters
    ----------
    out_dir : str or Path
        The sweep's results folder; ``plots`` is created in it.
    df : DataFrame
        The sweep's rows.
    params : list of str
        The swept parameters.
    kpi : str
        The KPI drawn.
    threshold : float, optional
        A value of the KPI drawn on the heatmaps.
    design : {"grid", "lhs", "oat"}
        The sweep's design.
    base : dict of str to float, optional
        Base values of the parameters, for the tornado of a one-at-a-time design.
    cost : str, optional
        The Pareto front's cost column.

    Returns
    -------
    list of Path
        The files written (HTML, and PNG where ``kaleido`` works); empty when ``df`` is empty or lacks the
        KPI.

    Raises
    ------
    OSError
        When the folder or a file cannot be written.
    """
    out = Path(out_dir) / "plots"
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    if df.empty or kpi not in df:
        return files
    if design == "oat" and base:
        files += _save(tornado(df, kpi, base), out / f"tornado_{_safe(kpi)}.html")
    elif len(params) >= 2:
        for i, x in enumerate(params):
            for y in params[i + 1 :]:
                fig = heatmap(df, x, y, kpi, threshold, params=params)
                files += _save(fig, out / f"heatmap_{_safe(kpi)}__{_safe(x)}__{_safe(y)}.html")
    cost = cost or cost_column(df)
    if cost in df and cost != kpi:
        files += _save(pareto(df, cost, kpi, params=params), out / f"pareto_{_safe(cost)}__{_safe(kpi)}.html")
    return files


__all__ = ["heatmap", "tornado", "pareto", "pareto_front", "write_plots", "cost_column"]
