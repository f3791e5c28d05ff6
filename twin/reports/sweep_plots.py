"""Pictures of a sweep: heatmaps with the cases reaching a threshold outlined, tornado charts and Pareto fronts.

Plotly figures, saved as self-contained HTML (plotly.js embedded) next to the results;
also as PNG when ``kaleido`` is importable (never required).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lingtan.twin.reports.i18n import LABELS, label, unit_of

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


MAX_CATEGORIES = 12
"""Axes with at most this many distinct values show one evenly spaced tick per value (a value's cell is as wide
as any other's, and a two-level axis spans its two values, not half a step beyond each)."""


def column_title(col: str, lang: str = "en") -> str:
    """A sweep column as a person reads it: its label and its unit, e.g. ``Grid cost (net of feed-in) [CNY]``;
    a parameter (a field path such as ``pv[0].capacity_kwp``) keeps its path, with its unit.

    Parameters
    ----------
    col : str
        A column of the sweep's dataset.
    lang : {"en", "zh"}
        Language of the label.

    Returns
    -------
    str
        The title; fractions in [%].
    """
    parts = col.split(".")
    if col in LABELS:
        text = label(col, lang)
    elif "[" in col:  # a parameter: its field path
        text = col
    elif parts[0] == "ensemble" and parts[-1] == "p_pass":  # ensemble.verdict.<criterion id>.p_pass
        return f"{'.'.join(parts[2:-1])}: {label('sweep_p_pass', lang)} [%]"
    elif parts[0] == "ensemble" and len(parts) > 2:  # ensemble.<kpi>.p90 (the value exceeded in 90 % of the years)
        kpi = ".".join(parts[1:-1])
        unit = unit_of(kpi)
        unit = "%" if unit == "fraction" else unit
        text = f"{column_title(kpi, lang).split(' [')[0]} {parts[-1].upper()}"
        return f"{text} [{unit}]" if unit else text
    elif parts[-1] in LABELS:
        parent = parts[-2] if len(parts) > 1 else ""
        text = label(parts[-1], lang)
        if parent in LABELS:  # grid_bill_cny.total_cny: "Grid bill: Total"
            text = f"{label(parent, lang)}: {text}"
    else:
        text = col
    unit = unit_of(col)
    unit = "%" if unit == "fraction" else unit
    return f"{text} [{unit}]" if unit else text


def _axis(fig: go.Figure, axis: str, col: str, values: np.ndarray, lang: str) -> np.ndarray:
    """Lay out one axis of a heatmap: one tick per level for few levels (the positions returned), else the values
    with thousands separators."""
    fraction = unit_of(col) == "fraction"
    if len(values) <= MAX_CATEGORIES:
        text = [f"{100 * v:.4g} %" if fraction else f"{v:,.6g}" for v in values]
        fig.update_layout({axis: dict(tickmode="array", tickvals=list(range(len(values))), ticktext=text)})
        pos = np.arange(len(values), dtype=float)
    else:
        fig.update_layout({axis: dict(tickformat=".0%" if fraction else ",")})
        pos = values.astype(float)
    edges = _edges(pos)
    # the cells and nothing beyond: the outline of the threshold on the border must not pad the axis
    fig.update_layout({axis: dict(title=column_title(col, lang), range=[edges[0], edges[-1]])})
    return pos


def _edges(centres: np.ndarray) -> np.ndarray:
    """The cell edges of a heatmap axis as plotly draws them: midway between neighbours, half a step beyond the
    ends."""
    c = np.asarray(centres, float)
    if len(c) == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def threshold_edges(reached: np.ndarray, x_edges: np.ndarray, y_edges: np.ndarray) -> tuple[list, list]:
    """The outline of the cells that reach a threshold: the cell edges between a cell that reaches it and one that
    does not (or the grid's border), as line segments separated by None.

    Parameters
    ----------
    reached : ndarray of bool, shape (ny, nx)
        Whether each cell's case reaches the threshold (rows along y).
    x_edges, y_edges : ndarray, shapes (nx + 1,) and (ny + 1,)
        The cells' edges on each axis.

    Returns
    -------
    tuple of list
        The segments' x and y coordinates, each segment two points and a None.
    """
    ny, nx = reached.shape
    xs: list = []
    ys: list = []
    for j in range(ny):
        for i in range(nx):
            if not reached[j, i]:
                continue
            x0, x1, y0, y1 = x_edges[i], x_edges[i + 1], y_edges[j], y_edges[j + 1]
            if i == 0 or not reached[j, i - 1]:
                xs += [x0, x0, None]
                ys += [y0, y1, None]
            if i == nx - 1 or not reached[j, i + 1]:
                xs += [x1, x1, None]
                ys += [y0, y1, None]
            if j == 0 or not reached[j - 1, i]:
                xs += [x0, x1, None]
                ys += [y0, y0, None]
            if j == ny - 1 or not reached[j + 1, i]:
                xs += [x0, x1, None]
                ys += [y1, y1, None]
    return xs, ys


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
    df: pd.DataFrame,
    x: str,
    y: str,
    kpi: str,
    threshold: float | None = None,
    *,
    params: list[str] | None = None,
    lang: str = "en",
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
        A value of the KPI (in its unit): the cells of the cases at or above it are outlined (a contour
        interpolated between cases would pass through cells whose case does not reach it), or the scattered cases at
        or above it ringed.
    params : list of str, optional
        Every parameter of the sweep; those other than ``x`` and ``y`` are held near their median.
    lang : {"en", "zh"}
        Language of the titles.

    Returns
    -------
    plotly.graph_objects.Figure
        A heatmap when the cases fill more than 90 % of the grid, else coloured points; axes of at most
        :data:`MAX_CATEGORIES` levels show one tick per level. The threshold's outline (or rings) is drawn only
        when some case reaches it and some does not; the title says when none or every case reaches it. Each cell
        or point carries its case's ``case_hash`` (``customdata``) when the dataset has one.
    """
    import plotly.graph_objects as go

    df, note = _slice_others(df, [x, y], params or [])
    piv = df.pivot_table(index=y, columns=x, values=kpi, aggfunc="mean")
    gridded = piv.notna().to_numpy().mean() > 0.9 and piv.shape[0] > 1 and piv.shape[1] > 1
    values = df[kpi].to_numpy(float)
    # A threshold line means something only between cases below it and cases at or above it.
    reached = threshold is not None and bool(np.nanmax(values, initial=-np.inf) >= threshold)
    drawn = reached and bool(np.nanmin(values, initial=np.inf) < threshold)
    colorbar = dict(title=column_title(kpi, lang), tickformat=".0%" if unit_of(kpi) == "fraction" else ",.4~g")
    fig = go.Figure()
    if gridded:
        xs = _axis(fig, "xaxis", x, piv.columns.to_numpy(), lang)
        ys = _axis(fig, "yaxis", y, piv.index.to_numpy(), lang)
        hashes = (
            df.pivot_table(index=y, columns=x, values="case_hash", aggfunc="first").reindex_like(piv).to_numpy()
            if "case_hash" in df
            else None
        )
        z = piv.to_numpy()
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, customdata=hashes, colorscale="Viridis", colorbar=colorbar))
        if drawn:
            ex, ey = threshold_edges(z >= threshold, _edges(xs), _edges(ys))
            fig.add_trace(
                go.Scatter(
                    x=ex,
                    y=ey,
                    mode="lines",
                    line=dict(color="white", width=3),
                    name=f"{column_title(kpi, lang)} >= {threshold:g}",
                    hoverinfo="skip",
                )
            )
    else:
        fig.add_trace(
            go.Scatter(
                x=df[x],
                y=df[y],
                mode="markers",
                customdata=df["case_hash"] if "case_hash" in df else None,
                marker=dict(color=df[kpi], colorscale="Viridis", showscale=True, colorbar=colorbar, size=7),
                name="cases",
            )
        )
        fig.update_layout(
            xaxis=dict(title=column_title(x, lang), tickformat=","),
            yaxis=dict(title=column_title(y, lang), tickformat=","),
        )
        if drawn:
            above = df[df[kpi] >= threshold]
            fig.add_trace(
                go.Scatter(
                    x=above[x],
                    y=above[y],
                    mode="markers",
                    customdata=above["case_hash"] if "case_hash" in above else None,
                    name=f"{kpi} >= {threshold:g}",
                    marker=dict(symbol="circle-open", color="red", size=11),
                )
            )
    title = column_title(kpi, lang)
    if threshold is not None:
        key = "sweep_outlined" if drawn else ("sweep_every_case_reaches" if reached else "sweep_no_case_reaches")
        title += f" ({label(key, lang).format(threshold=f'{threshold:g}')})"
    fig.update_layout(title=title + (f"<br><sup>{note}</sup>" if note else ""))
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
    fig.add_vline(x=ref, line_dash="dash", annotation_text=f"base {ref:,.4g}")
    fig.update_layout(
        barmode="overlay",
        title=f"Tornado: {column_title(kpi)} (one parameter at a time)",
        xaxis=dict(title=column_title(kpi), tickformat=".1%" if unit_of(kpi) == "fraction" else ","),
    )
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


def pareto(
    df: pd.DataFrame,
    cost: str,
    benefit: str,
    *,
    params: list[str] | None = None,
    higher_is_better: bool = True,
    lang: str = "en",
) -> go.Figure:
    """Every case as a point of (cost, benefit), with the Pareto front (min cost, best benefit) drawn.

    Parameters
    ----------
    df : DataFrame
        The sweep's rows.
    cost, benefit : str
        The columns on the x axis (lower is better) and the y axis.
    params : list of str, optional
        Parameters shown when hovering over a case.
    higher_is_better : bool
        Whether a higher ``benefit`` is better (a renewable share) or a lower one (residual emissions).
    lang : {"en", "zh"}
        Language of the titles.

    Returns
    -------
    plotly.graph_objects.Figure
        The cases as points and the front as a line; each point carries its case's ``case_hash``
        (``customdata``) when the dataset has one.
    """
    import plotly.graph_objects as go

    c, b = df[cost].to_numpy(float), df[benefit].to_numpy(float)
    front = pareto_front(c, b if higher_is_better else -b)
    hover = None
    if params:
        hover = ["<br>".join(f"{p} = {df[p].iloc[i]:,.6g}" for p in params) for i in range(len(df))]
    hashes = df["case_hash"].to_numpy() if "case_hash" in df else None
    fig = go.Figure()
    fig.add_trace(
        go.Scattergl(
            x=c, y=b, mode="markers", name="cases", text=hover, customdata=hashes, marker=dict(size=6, color="#9ecae1")
        )
    )
    fig.add_trace(
        go.Scatter(
            x=c[front],
            y=b[front],
            mode="lines+markers",
            name="Pareto front",
            text=[hover[i] for i in front] if hover else None,
            customdata=hashes[front] if hashes is not None else None,
            line=dict(color="#d62728"),
        )
    )
    fraction = unit_of(benefit) == "fraction"
    fig.update_layout(
        title=f"Pareto front: {column_title(benefit, lang)} against {column_title(cost, lang)}",
        xaxis=dict(title=column_title(cost, lang), tickformat=","),
        yaxis=dict(title=column_title(benefit, lang), tickformat=".0%" if fraction else ","),
    )
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
        fig = pareto(df, cost, kpi, params=params, higher_is_better=kpi not in COST_KPIS)
        files += _save(fig, out / f"pareto_{_safe(cost)}__{_safe(kpi)}.html")
    return files


__all__ = ["heatmap", "tornado", "pareto", "pareto_front", "write_plots", "cost_column", "column_title"]
