"""The run report as one self-contained HTML file (plotly.js inlined once, no network needed).

``write_html(result, path, lang="en")`` writes, for one :class:`lingtan.twin.run.RunResult`:

* the scenario summary;
* KPI cards, each against the thresholds of the verdicts that read it (renewable share,
  waste-heat recovery, unit-energy carbon), plus residual emissions, grid cost, self-sufficiency;
* the criteria packs and every criterion with its source (document, clause, original Chinese
  text beside the English translation), value, threshold, margin, verdict or points, and whether
  its input was simulated or declared;
* a dispatch week as stacked areas (a summer week by default; range slider and season buttons);
* monthly energy balance bars (electricity; heat by source when there is a heat side);
* an annual Sankey of the energy flows (electricity; heat sources to heat demand when present);
* an emissions waterfall from scope 1 and 2 to gross, then each reduction, to residual;
* per-year trends when the result carries ``years`` (a list of per-year KPI dicts).
"""

from __future__ import annotations

import html
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from lingtan.twin.reports.bill import bill_block
from lingtan.twin.reports.i18n import label, pack_label, points_text, unit_text
from lingtan.twin.reports.odds_plots import distribution_figure, headlines

if TYPE_CHECKING:
    from lingtan.twin.accounting.account import AccountingResult
    from lingtan.twin.core.schema.uncertainty import Varied
    from lingtan.twin.reports.tornado import UncertaintyResult
    from lingtan.twin.run import RunResult
    from lingtan.twin.studies.ensemble import EnsembleResult
    from lingtan.twin.studies.park import ParkResult

PALETTE = {
    "pv": "#f2b705",
    "wind": "#3aa6dd",
    "battery": "#8e5bd6",
    "grid": "#7f8c8d",
    "unserved": "#e74c3c",
    "load": "#1d2733",
    "heat": "#e67e22",
    "export": "#27ae60",
    "curtailment": "#c0392b",
    "losses": "#bdc3c7",
    "recovery": "#d35400",
    "storage": "#16a085",
    "p2h": "#e84393",
    "boilers": "#95a5a6",
}
FRACTION_UNITS = ("fraction",)  # "fraction", "fraction (change)", "fraction per year" ...
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}


# --------------------------------------------------------------------------- small helpers


def _esc(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _num(x: object) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and math.isfinite(x)


def fmt_value(v: Any, unit: str = "", lang: str = "en") -> str:
    """A verdict's value, threshold or margin as shown: fractions in %, booleans as yes/no.

    Parameters
    ----------
    v : float, bool, str or None
        The value.
    unit : str
        The verdict's unit; one starting with ``fraction`` is shown in [%].
    lang : {"en", "zh"}
        Language of yes/no.

    Returns
    -------
    str
        ``–`` for None; a fraction as ``12.3 %``; 100 000 and above with thousands separators, other
        numbers to 4 significant digits; anything else as ``str``.
    """
    if v is None:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return label("yes" if v else "no", lang)
    if _num(v):
        if unit.startswith(FRACTION_UNITS):
            return f"{100 * v:.1f} %"
        if abs(v) >= 1e5:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    return str(v)


def _mwh(series_kw: pd.Series | np.ndarray) -> float:
    return float(np.sum(series_kw)) / 1000.0


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(0.0, index=frame.index)


def _local_index(frame: pd.DataFrame) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(frame.index)
    return idx.tz_localize(None) if idx.tz is not None else idx


def _criteria_reads() -> dict[str, str]:
    """criterion id -> the KPI or declared fact it reads (empty if the packs cannot be loaded)."""
    try:
        from lingtan.twin.accounting.criteria import pack_criteria, pack_names

        return {c.id: c.reads for p in pack_names() for c in pack_criteria(p)}
    except Exception:  # the report must never fail on the packs
        return {}


def _fig_html(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG)


def _layout(fig: go.Figure, height: float, **kw: Any) -> go.Figure:
    fig.update_layout(
        height=height,
        template="plotly_white",
        margin=dict(l=60, r=20, t=40, b=40),
        font=dict(
            family="Noto Sans CJK SC, WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, "
            "Segoe UI, Helvetica, Arial, sans-serif",
            size=13,
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        **kw,
    )
    return fig


# --------------------------------------------------------------------------- figures


def _week_start(index: pd.DatetimeIndex, month: int, day: int) -> pd.Timestamp:
    """The Monday on or after ``month``/``day`` of the result's year, at midnight."""
    year = index[0].year
    t = pd.Timestamp(year=year, month=month, day=day)
    t = t + pd.Timedelta(days=(7 - t.weekday()) % 7)
    last = index[-1] - pd.Timedelta(days=7)
    return min(max(t, index[0]), last)


def dispatch_figure(result: RunResult | SimpleNamespace, lang: str = "en") -> go.Figure:
    """The whole year of dispatch as stacked areas, zoomed on a summer week (range slider, season buttons).

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run; its ``hourly`` table (flows in [kW]).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    plotly.graph_objects.Figure
        Supply to the load stacked (PV, wind, battery, grid, unserved) and the load as a line [kW].
    """
    h = result.hourly
    x = _local_index(h)
    stack = [
        ("pv_to_load", _col(h, "pv_to_load_kw"), PALETTE["pv"]),
        ("wind_to_load", _col(h, "wind_to_load_kw"), PALETTE["wind"]),
        ("battery_to_load", _col(h, "battery_re_to_load_kw") + _col(h, "battery_grid_to_load_kw"), PALETTE["battery"]),
        ("grid_to_load", _col(h, "grid_to_load_kw"), PALETTE["grid"]),
        ("v2b_to_load", _col(h, "v2b_to_load_kw"), PALETTE["storage"]),
        ("unserved", _col(h, "unserved_load_kw"), PALETTE["unserved"]),
    ]
    fig = go.Figure()
    for key, y, color in stack:
        if key in ("wind_to_load", "v2b_to_load", "unserved") and float(y.max()) <= 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.round(y.to_numpy(), 1),
                name=label(key, lang),
                stackgroup="supply",
                mode="lines",
                line=dict(width=0.5, color=color),
                fillcolor=color,
                hovertemplate="%{y:,.0f} kW",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=np.round(_col(h, "load_kw").to_numpy(), 1),
            name=label("load", lang),
            mode="lines",
            line=dict(color=PALETTE["load"], width=1.6),
            hovertemplate="%{y:,.0f} kW",
        )
    )
    weeks = [("winter_week", 1, 13), ("spring_week", 4, 14), ("summer_week", 7, 14), ("autumn_week", 10, 13)]
    ranges = {}
    for key, m, d in weeks:
        s = _week_start(x, m, d)
        ranges[key] = [s.isoformat(), (s + pd.Timedelta(days=7)).isoformat()]
    buttons = [dict(label=label(k, lang), method="relayout", args=[{"xaxis.range": r}]) for k, r in ranges.items()]
    buttons.append(
        dict(
            label=label("whole_year", lang),
            method="relayout",
            args=[{"xaxis.range": [x[0].isoformat(), x[-1].isoformat()]}],
        )
    )
    _layout(
        fig,
        520,
        hovermode="x unified",
        yaxis=dict(title=label("power_kw", lang), rangemode="tozero"),
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                buttons=buttons,
                active=2,
                x=0.0,
                xanchor="left",
                y=1.03,
                yanchor="bottom",
                pad=dict(r=4, t=0),
                showactive=True,
            )
        ],
    )
    fig.update_layout(margin=dict(t=90), legend=dict(x=1.0, xanchor="right", y=1.03, yanchor="bottom"))
    fig.update_xaxes(range=ranges["summer_week"], rangeslider=dict(visible=True, thickness=0.08), type="date")
    return fig


_SOURCES_E = ("pv", "wind")


def monthly_electric(result: RunResult | SimpleNamespace) -> pd.DataFrame:
    """Monthly electricity balance: sources (generation, grid import, battery discharge, unserved) and
    uses (load, power-to-heat, battery charge, export, curtailment); sources equal uses every month.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run; its ``hourly`` table (flows in [kW] held for one hour).

    Returns
    -------
    DataFrame
        One row per month (index ``month`` 1..12), columns ``pv_e_kwh``, ``wind_e_kwh``,
        ``grid_import_e_kwh`` ... ``curtailed_e_kwh`` [kWh].
    """
    h = result.hourly
    flows = h[[c for c in h.columns if c.endswith("_kw")]]
    heat_cols = [c for c in h.columns if c.endswith("_to_heat_kw")]
    out = pd.DataFrame(
        {
            "pv_e_kwh": _col(h, "pv_kw"),
            "wind_e_kwh": _col(h, "wind_kw"),
            "grid_import_e_kwh": _col(h, "grid_to_load_kw")
            + _col(h, "grid_to_heat_kw")
            + _col(h, "grid_to_battery_kw"),
            "battery_discharge_e_kwh": sum(
                (_col(h, f"battery_{p}_to_{s}_kw") for p in ("re", "grid") for s in ("load", "heat")), 0.0
            ),
            "v2b_e_kwh": _col(h, "v2b_to_load_kw"),
            "unserved_load_e_kwh": _col(h, "unserved_load_kw"),
            "load_e_kwh": _col(h, "load_kw"),
            "power_to_heat_e_kwh": flows[heat_cols].sum(axis=1) if heat_cols else 0.0,
            "battery_charge_e_kwh": sum((_col(h, f"{s}_to_battery_kw") for s in ("pv", "wind", "grid")), 0.0),
            "grid_export_e_kwh": sum((_col(h, f"{s}_to_grid_kw") for s in _SOURCES_E), 0.0),
            "curtailed_e_kwh": sum((_col(h, f"{s}_to_curtailment_kw") for s in _SOURCES_E), 0.0),
        },
        index=h.index,
    )
    # A step's mean power [kW] times its length [h] (1, or 0.25 for 15-minute tables) is its energy [kWh].
    m = out.groupby(out.index.month).sum() * (h.attrs.get("step_min", 60) / 60)
    m.index.name = "month"
    return m


_HEAT_PARTS = ("from_recovery", "from_storage", "from_p2h", "from_boilers", "unserved")


def monthly_heat(result: RunResult | SimpleNamespace) -> pd.DataFrame:
    """Monthly heat served by source and heat demand.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run; its ``hourly_heat`` table (flows in [kW_th]).

    Returns
    -------
    DataFrame
        One row per month (index ``month``), columns ``heat_from_recovery_e_kwh_th`` ...
        ``heat_unserved_e_kwh_th`` and ``heat_demand_e_kwh_th`` [kWh_th]; empty when there is no heat side.
    """
    hh = result.hourly_heat
    if hh is None or hh.empty or not len(hh.columns):
        return pd.DataFrame()
    demands = [c[: -len(".demand_kw_th")] for c in hh.columns if c.endswith(".demand_kw_th")]
    data = {f"heat_{p}_e_kwh_th": sum((_col(hh, f"{d}.{p}_kw_th") for d in demands), 0.0) for p in _HEAT_PARTS}
    data["heat_demand_e_kwh_th"] = sum((_col(hh, f"{d}.demand_kw_th") for d in demands), 0.0)
    frame = pd.DataFrame(data, index=hh.index)
    m = frame.groupby(frame.index.month).sum()
    m.index.name = "month"
    return m


def _month_names(lang: str) -> list[str]:
    if lang == "zh":
        return [f"{i}月" for i in range(1, 13)]
    return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def monthly_figure(result: RunResult | SimpleNamespace, lang: str = "en") -> go.Figure:
    """Monthly electricity balance: sources above zero, uses below.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run.
    lang : {"en", "zh"}
        Language of the labels and month names.

    Returns
    -------
    plotly.graph_objects.Figure
        Relative bars of :func:`monthly_electric` [MWh].
    """
    m = monthly_electric(result) / 1000.0
    names = _month_names(lang)
    x = [names[i - 1] for i in m.index]
    fig = go.Figure()
    up = [
        ("pv_e_kwh", PALETTE["pv"]),
        ("wind_e_kwh", PALETTE["wind"]),
        ("grid_import_e_kwh", PALETTE["grid"]),
        ("battery_discharge_e_kwh", PALETTE["battery"]),
        ("v2b_e_kwh", PALETTE["storage"]),
        ("unserved_load_e_kwh", PALETTE["unserved"]),
    ]
    down = [
        ("load_e_kwh", PALETTE["load"]),
        ("power_to_heat_e_kwh", PALETTE["heat"]),
        ("battery_charge_e_kwh", "#c39bd3"),
        ("grid_export_e_kwh", PALETTE["export"]),
        ("curtailed_e_kwh", PALETTE["curtailment"]),
    ]
    for sign, group, legend in ((1, up, "sources"), (-1, down, "uses")):
        for key, color in group:
            y = m[key]
            if float(y.abs().sum()) <= 0:
                continue
            fig.add_trace(
                go.Bar(
                    x=x,
                    y=sign * y.round(1),
                    name=label(key, lang),
                    marker_color=color,
                    legendgroup=legend,
                    legendgrouptitle_text=label(legend, lang),
                    customdata=y.round(1),
                    hovertemplate="%{customdata:,.1f} MWh",
                )
            )
    _layout(
        fig,
        460,
        barmode="relative",
        hovermode="x unified",
        yaxis=dict(
            title=f"{label('energy_mwh', lang)}  ↑ {label('sources', lang)} / ↓ {label('uses', lang)}",
            zeroline=True,
            zerolinewidth=2,
            zerolinecolor="#555",
        ),
    )
    fig.update_layout(legend=dict(orientation="v", y=1, yanchor="top", x=1.01, xanchor="left"), margin=dict(r=220))
    return fig


def heat_monthly_figure(result: RunResult | SimpleNamespace, lang: str = "en") -> go.Figure | None:
    """Monthly heat served by source, stacked, with the demand as markers.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run.
    lang : {"en", "zh"}
        Language of the labels and month names.

    Returns
    -------
    plotly.graph_objects.Figure or None
        Stacked bars of :func:`monthly_heat` [MWh_th]; None when the run has no heat side.
    """
    m = monthly_heat(result)
    if m.empty:
        return None
    m = m / 1000.0
    names = _month_names(lang)
    x = [names[i - 1] for i in m.index]
    colors = {
        "from_recovery": PALETTE["recovery"],
        "from_storage": PALETTE["storage"],
        "from_p2h": PALETTE["p2h"],
        "from_boilers": PALETTE["boilers"],
        "unserved": PALETTE["unserved"],
    }
    fig = go.Figure()
    for p in _HEAT_PARTS:
        y = m[f"heat_{p}_e_kwh_th"]
        if p == "unserved" and float(y.sum()) <= 0:
            continue
        fig.add_trace(
            go.Bar(
                x=x,
                y=y.round(1),
                name=label(f"heat_{p}", lang),
                marker_color=colors[p],
                hovertemplate="%{y:,.1f} MWh_th",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=m["heat_demand_e_kwh_th"].round(1),
            name=label("heat_demand", lang),
            mode="markers+lines",
            line=dict(color=PALETTE["load"], dash="dot"),
            marker=dict(symbol="line-ew-open", size=24, line=dict(width=3)),
            hovertemplate="%{y:,.1f} MWh_th",
        )
    )
    _layout(fig, 420, barmode="stack", hovermode="x unified", yaxis=dict(title=label("heat_mwh_th", lang)))
    return fig


def sankey_figure(result: RunResult | SimpleNamespace, lang: str = "en") -> go.Figure:
    """Annual energy flows: electricity sources to uses; heat sources to heat demand when present.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run; its ``hourly`` and ``hourly_heat`` tables.
    lang : {"en", "zh"}
        Language of the node names.

    Returns
    -------
    plotly.graph_objects.Figure
        A Sankey diagram, links in [MWh] (heat links in [MWh_th]); flows under 1e-6 MWh are left out.
    """
    h = result.hourly
    nodes: list[str] = []
    colors: list[str] = []
    links: dict[tuple[int, int], float] = {}

    def node(key: str, color: str, text: str | None = None) -> int:
        name = text if text is not None else label(key, lang)
        if name not in nodes:
            nodes.append(name)
            colors.append(color)
        return nodes.index(name)

    def link(a: int, b: int, mwh: float) -> None:
        if mwh > 1e-6:
            links[(a, b)] = links.get((a, b), 0.0) + mwh

    sinks = {
        "load": ("node_load", PALETTE["load"]),
        "heat": ("node_heat", PALETTE["heat"]),
        "battery": ("node_battery", PALETTE["battery"]),
        "grid": ("node_export", PALETTE["export"]),
        "curtailment": ("node_curtailment", PALETTE["curtailment"]),
        "h2": ("node_h2", PALETTE["heat"]),
    }
    for src in ("pv", "wind"):
        s_key, s_col = f"node_{src}", PALETTE[src]
        for sink, (k, c) in sinks.items():
            v = _mwh(_col(h, f"{src}_to_{sink}_kw"))
            if v > 1e-6:
                link(node(s_key, s_col), node(k, c), v)
    for sink in ("load", "heat", "battery"):
        v = _mwh(_col(h, f"grid_to_{sink}_kw"))
        if v > 1e-6:
            link(node("node_grid", PALETTE["grid"]), node(*sinks[sink]), v)
    for sink in ("load", "heat", "grid"):
        v = _mwh(_col(h, f"chp_to_{sink}_kw"))
        if v > 1e-6:
            link(node("node_chp", PALETTE["boilers"]), node(*sinks[sink]), v)
    for sink in ("load", "heat"):
        v = _mwh(_col(h, f"fc_to_{sink}_kw"))
        if v > 1e-6:
            link(node("node_fc", PALETTE["battery"]), node(*sinks[sink]), v)
    v = _mwh(_col(h, "v2b_to_load_kw"))
    if v > 1e-6:
        link(node("node_v2b", PALETTE["storage"]), node(*sinks["load"]), v)
    for sink in ("load", "heat"):
        v = _mwh(_col(h, f"battery_re_to_{sink}_kw") + _col(h, f"battery_grid_to_{sink}_kw"))
        if v > 1e-6:
            link(node("node_battery", PALETTE["battery"]), node(*sinks[sink]), v)
    v = _mwh(_col(h, "battery_loss_re_kw") + _col(h, "battery_loss_grid_kw"))
    if v > 1e-6:
        link(node("node_battery", PALETTE["battery"]), node("node_losses", PALETTE["losses"]), v)
    v = _mwh(_col(h, "unserved_load_kw"))
    if v > 1e-6:
        link(node("node_unserved", PALETTE["unserved"]), node("node_load", PALETTE["load"]), v)

    hh = result.hourly_heat
    if hh is not None and not hh.empty and len(hh.columns):
        _heat_links(hh, node, link, lang)

    heads, tails, val = zip(*[(a, b, v) for (a, b), v in links.items()], strict=True) if links else ((), (), ())
    link_colors = [_rgba(colors[a], 0.35) for a in heads]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            valuesuffix=" MWh",
            node=dict(label=nodes, color=colors, pad=18, thickness=16, line=dict(width=0.5, color="#444")),
            link=dict(source=list(heads), target=list(tails), value=[round(v, 1) for v in val], color=link_colors),
        )
    )
    _layout(fig, 560)
    return fig


def _heat_links(hh: pd.DataFrame, node: Callable[..., int], link: Callable[[int, int, float], None], lang: str) -> None:
    """Heat part of the Sankey: recovered heat, stores, power-to-heat units, boilers -> heat demand."""
    demand = node("node_heat_demand", PALETTE["heat"])
    cols = hh.columns
    suffix = lambda s: [c for c in cols if c.endswith(s)]  # noqa: E731
    rec = node("node_recovered_direct", PALETTE["recovery"])
    link(rec, demand, _mwh(hh[suffix(".from_recovery_kw_th")].sum(axis=1)))
    stores = [c[: -len(".discharge_kw_th")] for c in suffix(".discharge_kw_th")]
    store_nodes: dict[str, int] = {}
    for s in stores:
        sn = node("", PALETTE["storage"], f"{label('node_thermal_storage', lang)}: {s}")
        store_nodes[s] = sn
        link(rec, sn, _mwh(hh[f"{s}.charge_recovered_kw_th"]))
        link(sn, demand, _mwh(hh[f"{s}.discharge_kw_th"]))
        link(sn, node("node_losses", PALETTE["losses"]), _mwh(hh[f"{s}.loss_kw_th"]))
    units = [c[: -len(".p_base_kw")] for c in suffix(".p_base_kw")]
    for c in [c[: -len(".fuel_kw")] for c in suffix(".fuel_kw")]:  # combined heat and power
        link(node("", PALETTE["boilers"], c), demand, _mwh(hh[f"{c}.heat_to_demand_kw_th"]))
    p2h = node("node_heat", PALETTE["heat"])
    for u in units:
        un = node("", PALETTE["p2h"], u)
        link(p2h, un, _mwh(hh[f"{u}.p_base_kw"] + hh[f"{u}.p_surplus_kw"]))
        link(rec, un, _mwh(_col(hh, f"{u}.source_heat_kw_th")))
        link(un, demand, _mwh(hh[f"{u}.heat_to_demand_kw_th"]))
        if stores:
            link(un, store_nodes[stores[0]], _mwh(hh[f"{u}.heat_to_storage_kw_th"]))
    boilers = [
        c[: -len(".heat_kw_th")]
        for c in suffix(".heat_kw_th")
        if not c.endswith(("_to_demand_kw_th", "_to_storage_kw_th", ".source_heat_kw_th"))
    ]
    boiler_heat = 0.0
    for b in boilers:
        v = _mwh(hh[f"{b}.heat_kw_th"])
        boiler_heat += v
        link(node("", PALETTE["boilers"], b), demand, v)
    rest = _mwh(hh[suffix(".from_boilers_kw_th")].sum(axis=1)) - boiler_heat  # purchased heat
    if rest > 1e-3:
        link(node("purchased_heat", PALETTE["boilers"]), demand, rest)
    link(node("heat_unserved", PALETTE["unserved"]), demand, _mwh(hh[suffix(".unserved_kw_th")].sum(axis=1)))


def _rgba(hex_color: str, alpha: float) -> str:
    hex_color = hex_color.lstrip("#")
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def emission_steps(accounting: AccountingResult) -> list[tuple[str, str, float]]:
    """The waterfall's steps: scope 1, scope 2 (location-based), exported energy deducted, gross; each
    reduction; residual.

    Parameters
    ----------
    accounting : lingtan.twin.accounting.account.AccountingResult
        The run's accounting (:func:`lingtan.twin.accounting.account.account`).

    Returns
    -------
    list of (str, str, float)
        Label key, plotly waterfall measure (``relative`` or ``total``) and emissions [tCO2]; reductions
        negative.
    """
    em, off = accounting.emissions, accounting.offsets
    exp = em.exported_deducted
    steps = [("wf_scope1", "relative", em.scope1.total_t), ("wf_scope2", "relative", em.scope2_location.total_t)]
    exported = exp.electricity_location_t + exp.heat_t
    if exp.enabled and exported > 0:
        steps.append(("wf_exported", "relative", -exported))
    steps.append(("wf_gross", "total", accounting.gross_emissions_t))
    for part, wf in (
        (off.green_power, "wf_green_power"),
        (off.green_certificates, "wf_certificates"),
        (off.ccer, "wf_ccer"),
        (off.other_credits, "wf_other_credits"),
        (off.allowances, "wf_allowances"),
    ):
        steps.append((wf, "relative", -part.reduction_t))
    steps.append(("wf_residual", "total", accounting.residual_emissions_t))
    return steps


def waterfall_figure(result: RunResult | SimpleNamespace, lang: str = "en") -> go.Figure:
    """Emissions from scope 1 and 2 to gross, each reduction a step, to residual.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run; its ``accounting`` (None for a run left unassessed: an empty figure).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    plotly.graph_objects.Figure
        A waterfall of :func:`emission_steps` [tCO2].
    """
    steps = emission_steps(result.accounting) if result.accounting is not None else []
    fig = go.Figure(
        go.Waterfall(
            x=[label(k, lang) for k, _, _ in steps],
            measure=[m for _, m, _ in steps],
            y=[round(v, 1) for _, _, v in steps],
            textposition="outside",
            text=[
                ("0" if abs(v) < 0.5 else f"{v:+,.0f}" if m == "relative" else f"{v:,.0f}").replace("-", "−")
                for _, m, v in steps
            ],
            connector=dict(line=dict(color="#999", dash="dot")),
            increasing=dict(marker=dict(color="#c0392b")),
            decreasing=dict(marker=dict(color="#27ae60")),
            totals=dict(marker=dict(color="#34495e")),
            hovertemplate="%{y:,.1f} tCO2<extra></extra>",
        )
    )
    top = max((v for _, _, v in steps), default=0.0)
    _layout(fig, 440, showlegend=False, yaxis=dict(title=label("emissions_tco2", lang), range=[0, top * 1.15 or 1]))
    return fig


TREND_KEYS = ("re_electricity_share_onsite", "unit_energy_carbon_t_per_tce")


def _year_value(d: dict[str, Any], key: str) -> float | None:
    for where in (
        d,
        d.get("kpis", {}),
        d.get("accounting", {}).get("kpis", {}) if isinstance(d.get("accounting"), dict) else {},
    ):
        if isinstance(where, dict) and _num(where.get(key)):
            return float(where[key])
    return None


def trends_figure(years: object, lang: str = "en") -> go.Figure | None:
    """Per-year renewable share and unit-energy carbon of a plan.

    Parameters
    ----------
    years : list of dict or None
        Per-year KPI dicts, each with ``year`` (:func:`lingtan.twin.studies.plan.year_kpis`); anything else gives None.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    plotly.graph_objects.Figure or None
        Renewable share [%] on the left axis and unit-energy carbon [tCO2/tce] on the right; None if there
        is nothing to plot.
    """
    if not isinstance(years, (list, tuple)) or not years:
        return None
    rows = sorted((d for d in years if isinstance(d, dict) and "year" in d), key=lambda d: d["year"])
    if not rows:
        return None
    x = [d["year"] for d in rows]
    fig = go.Figure()
    share = [_year_value(d, TREND_KEYS[0]) for d in rows]
    carbon = [_year_value(d, TREND_KEYS[1]) for d in rows]
    if any(v is not None for v in share):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[None if v is None else 100 * v for v in share],
                mode="lines+markers",
                name=f"{label(TREND_KEYS[0], lang)} [%]",
                line=dict(color=PALETTE["export"]),
                hovertemplate="%{y:.1f} %",
            )
        )
    if any(v is not None for v in carbon):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=carbon,
                mode="lines+markers",
                yaxis="y2",
                name=f"{label(TREND_KEYS[1], lang)} [tCO2/tce]",
                line=dict(color="#34495e"),
                hovertemplate="%{y:.3f} tCO2/tce",
            )
        )
    if not fig.data:
        return None
    _layout(
        fig,
        400,
        hovermode="x unified",
        xaxis=dict(title=label("trend_year", lang), tickmode="array", tickvals=x, tickformat="d"),
        yaxis=dict(title="%", rangemode="tozero"),
        yaxis2=dict(
            title="tCO2/tce", overlaying="y", side="right", rangemode="tozero", showgrid=False, tickformat=".2f"
        ),
    )
    return fig


# --------------------------------------------------------------------------- HTML blocks


def _summary_block(result: RunResult | SimpleNamespace, lang: str) -> str:
    s = result.scenario
    k = result.kpis
    w = k.get("weather", {})
    site = getattr(s, "site", None)
    rows = [
        ("scenario_name", getattr(s, "name", "")),
        ("description", getattr(s, "description", "") or ""),
        ("year", getattr(s, "year", "")),
    ]
    if site is not None:
        rows.append(
            ("site", f"{site.latitude:.2f}° N, {site.longitude:.2f}° E, {site.altitude_m:g} m, {site.timezone}")
        )
    wtxt = f"{w.get('source', '')} ({w.get('city') or w.get('path', '')})"
    if _num(w.get("annual_ghi_kwh_m2")):
        wtxt += f", {label('annual_ghi', lang)} {w['annual_ghi_kwh_m2']:,.0f} kWh/m²"
    rows.append(("weather", wtxt))
    pv = getattr(s, "pv", []) or []
    rows.append(("pv_capacity", ", ".join(f"{a.name}: {a.capacity_kwp:,.0f} kWp" for a in pv) or label("none", lang)))
    wind = getattr(s, "wind", []) or []
    rows.append(
        ("wind_capacity", ", ".join(f"{f.name}: {f.count} × {f.turbine_type}" for f in wind) or label("none", lang))
    )
    bats = getattr(s, "battery", []) or []
    rows.append(
        (
            "battery_capacity",
            ", ".join(
                f"{b.name}: {b.energy_kwh:,.0f} kWh / {getattr(b, 'discharge_kw', None) or b.power_kw or 0:,.0f} kW, "
                f"{b.dispatch}"
                for b in bats
            )
            or label("none", lang),
        )
    )
    g = getattr(s, "grid", None)
    if g is not None:
        exp = (
            f"{label('export_limit', lang)} {g.export_limit_kw:,.0f} kW"
            if g.export_allowed
            else label("no_export", lang)
        )
        rows.append(("grid_connection", f"{label('import_limit', lang)} {g.import_limit_kw:,.0f} kW, {exp}"))
        rows.append(("tariff", g.tariff if isinstance(g.tariff, str) else type(g.tariff).__name__))
        ef = result.accounting.factors.grid_location if result.accounting is not None else None
        rows.append(
            ("emission_factor", f"{ef.name} {ef.ef_t_per_mwh} tCO2/MWh" if ef is not None else str(g.emission_factor))
        )
    rows.append(("criteria_packs", ", ".join(getattr(s, "criteria", []) or []) or label("none", lang)))
    if _num(k.get("max_hourly_balance_residual_kwh")):
        rows.append(("balance_residual", f"{k['max_hourly_balance_residual_kwh']:.1e} kWh"))
    body = "".join(f"<tr><th>{_esc(label(key, lang))}</th><td>{_esc(v)}</td></tr>" for key, v in rows)
    warn = "".join(f'<p class="warn">⚠ {_esc(x)}</p>' for x in k.get("warnings", []))
    return f'<table class="summary">{body}</table>{warn}'


def _bar(value: float, scale: float, marks: list[tuple[float, str, bool]], good_high: bool) -> str:
    """A horizontal gauge: the value as a filled bar, each threshold as a labelled tick."""
    scale = scale if scale > 0 else 1.0
    pct = lambda v: max(0.0, min(100.0, 100.0 * v / scale))  # noqa: E731
    ok = all(p for _, _, p in marks) if marks else None
    cls = "" if ok is None else (" ok" if ok else " bad")
    ticks = "".join(
        f'<div class="tick{" pass" if p else " fail"}" style="left:{pct(t):.2f}%" title="{_esc(txt)}">'
        f'<span style="{"right:0" if pct(t) > 70 else "left:0"}">{_esc(txt)}</span></div>'
        for t, txt, p in marks
    )
    return f'<div class="gauge"><div class="fill{cls}" style="width:{pct(value):.2f}%"></div>{ticks}</div>'


def _pack_short(pack: str, lang: str = "en") -> str:
    return pack_label(pack, lang, short=True)


def kpi_cards(result: RunResult | SimpleNamespace, lang: str = "en") -> list[dict[str, Any]]:
    """The KPI cards: key, title, value, and the verdicts that read the KPI. Exposed for tests.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run; its ``kpis``, ``accounting`` and ``verdicts``.
    lang : {"en", "zh"}
        The report's language (kept for the caller's symmetry; the cards hold label keys).

    Returns
    -------
    list of dict
        Per card: ``key`` (label key), ``kpi``, ``value`` (as computed: fraction [-], [tCO2/tce], [tCO2] or
        [CNY]), ``unit``, ``good_high``, ``verdicts`` (verdict dicts with a numeric value and threshold that
        read the KPI); optionally ``details`` ((key, value) pairs) and ``by_kind`` (recovery rate by kind).
    """
    k = result.kpis
    acc = result.accounting
    reads = _criteria_reads()
    heat = k.get("heat") or {}

    def verdicts_reading(pred: Callable[[str, str], bool]) -> list[dict[str, Any]]:
        out = []
        for v in result.verdicts:
            r = reads.get(v["criterion_id"], "")
            if pred(r, v["criterion_id"]) and _num(v.get("value")) and _num(v.get("threshold")):
                out.append(v)
        return out

    cards = [
        dict(
            key="card_re_share",
            kpi="re_electricity_share_onsite",
            value=k.get("re_electricity_share_onsite"),
            unit="fraction",
            good_high=True,
            verdicts=verdicts_reading(lambda r, i: r.startswith(("re_electricity_share", "re_energy_share"))),
        ),
    ]
    if heat:
        cards.append(
            dict(
                key="card_waste_heat",
                kpi="waste_heat_recovery_rate",
                value=heat.get("waste_heat_recovery_rate"),
                unit="fraction",
                good_high=True,
                verdicts=verdicts_reading(lambda r, i: r.startswith("waste_heat")),
                by_kind=heat.get("waste_heat_recovery_rate_by_kind", {}),
            )
        )
    cards.append(
        dict(
            key="card_unit_carbon",
            kpi="unit_energy_carbon_t_per_tce",
            value=acc.unit_energy_carbon_t_per_tce if acc is not None else None,
            unit="tCO2/tce",
            good_high=False,
            verdicts=verdicts_reading(lambda r, i: r.startswith("unit_energy_carbon")),
        )
    )
    ak = acc.kpis if acc is not None else None
    cards.append(
        dict(
            key="card_emissions",
            kpi="residual_emissions_t",
            value=acc.residual_emissions_t if acc is not None else None,
            unit="tCO2",
            good_high=False,
            verdicts=[],
            details=[
                (x, getattr(ak, x) if ak is not None else None)
                for x in ("scope1_t", "scope2_location_t", "scope2_market_t", "gross_emissions_t", "total_reductions_t")
            ],
        )
    )
    cards.append(
        dict(
            key="card_self_sufficiency",
            kpi="self_sufficiency_share",
            value=k.get("self_sufficiency_share"),
            unit="fraction",
            good_high=True,
            verdicts=[],
            details=[(x, k.get(x)) for x in ("self_consumption_share", "re_electricity_share_onsite")],
        )
    )
    bill = k.get("grid_bill_cny", {}) if isinstance(k.get("grid_bill_cny"), dict) else {}
    cards.append(
        dict(
            key="card_grid_cost",
            kpi="grid_cost_cny",
            value=k.get("grid_cost_cny"),
            unit="CNY",
            good_high=False,
            verdicts=[],
            details=[(x, bill.get(x)) for x in ("energy_charge_cny", "basic_charge_cny", "feed_in_revenue_cny")],
        )
    )
    return cards


def _card_number(v: Any, unit: str, lang: str = "en") -> str:
    if not _num(v):
        return "–"
    if unit == "fraction":
        return f"{100 * v:.1f} %"
    if unit == "CNY":
        return f"{v / 1e4:,.0f} {unit_text('万 CNY', lang)}"
    if unit == "tCO2":
        return f"{v:,.0f} tCO2"
    return f"{v:.3f} {unit}"


def _card_html(card: dict[str, Any], result: RunResult | SimpleNamespace, lang: str) -> str:
    v = card["value"]
    unit = card["unit"]
    shown = _card_number(v, unit, lang)
    parts = [
        f'<div class="card"><div class="card-title">{_esc(label(card["key"], lang))}</div>',
        f'<div class="card-value">{_esc(shown)}</div>',
        f'<div class="card-sub">{_esc(label(card["kpi"], lang))}</div>',
    ]
    marks = []
    rows = []
    for vd in card["verdicts"]:
        unit_v = vd.get("unit", "")
        th = vd["threshold"]
        mine = vd["value"]
        ok = bool(vd["passed"]) if vd["role"] != "score" else vd["points"] >= vd["max_points"]
        txt = f"{_pack_short(vd['pack'], lang)} {'≥' if card['good_high'] else '≤'} {fmt_value(th, unit_v, lang)}"
        marks.append((th, txt, ok))
        badge = _verdict_badge(vd, lang)
        rows.append(
            f'<tr><td title="{_esc(vd["criterion_id"])}">{_esc(_pack_short(vd["pack"], lang))}'
            f'<div class="small">{_esc(vd["clause"])}</div></td>'
            f'<td class="num">{_esc(fmt_value(mine, unit_v, lang))}</td>'
            f'<td class="num">{_esc(fmt_value(th, unit_v, lang))}</td><td>{badge}</td></tr>'
        )
    if _num(v) and unit in ("fraction", "tCO2/tce"):
        top = max([m[0] for m in marks] + [v] + [vd["value"] for vd in card["verdicts"]]) * 1.2
        if unit == "fraction":
            scale = min(1.0, max(0.5, math.ceil(top * 10) / 10))
        else:
            scale = max(0.5, math.ceil(top * 2) / 2)
        parts.append(_bar(v, scale, marks, card["good_high"]))
        parts.append(f'<div class="scale"><span>0</span><span>{_esc(fmt_value(scale, unit, lang))}</span></div>')
    if rows:
        parts.append(
            f'<table class="mini"><tr><th>{_esc(label("pack", lang))}</th>'
            f"<th>{_esc(label('value', lang))}</th><th>{_esc(label('threshold', lang))}</th>"
            f"<th>{_esc(label('verdict', lang))}</th></tr>{''.join(rows)}</table>"
        )
    elif card["kpi"] in ("re_electricity_share_onsite", "waste_heat_recovery_rate", "unit_energy_carbon_t_per_tce"):
        parts.append(f'<div class="small muted">{_esc(label("no_threshold", lang))}</div>')
    for key, x in card.get("details", []):
        if _num(x):
            parts.append(
                f'<div class="detail"><span>{_esc(label(key, lang))}</span>'
                f'<span class="num">{_esc(_card_number(x, card["unit"], lang))}</span></div>'
            )
    by_kind = card.get("by_kind") or {}
    if by_kind:
        zj = any(vd["criterion_id"].endswith("waste_energy") for vd in result.verdicts)
        sub = []
        for kind, rate in by_kind.items():
            if rate is None:
                continue
            marks_k = [(0.6, "60 %", rate >= 0.6)] if zj else []
            sub.append(
                f'<div class="kind"><span>{_esc(kind.replace("_", " "))}</span>'
                f'<span class="num">{100 * rate:.0f} %</span>{_bar(rate, 1.0, marks_k, True)}</div>'
            )
        title = label("per_kind_60", lang) if zj else label("waste_heat_recovery_rate_by_kind", lang)
        parts.append(f'<div class="small">{_esc(title)}</div>{"".join(sub)}')
    parts.append("</div>")
    return "".join(parts)


def _verdict_badge(v: dict[str, Any], lang: str) -> str:
    if v["role"] == "score":
        key = "full" if v["points"] >= v["max_points"] else ("part" if v["points"] > 0 else "nil")
        cls = {"full": "pass", "part": "part", "nil": "fail"}[key]
        pts = f"{points_text(v['points'])}/{points_text(v['max_points'])}"
        return f'<span class="badge {cls}">{_esc(label(key, lang))} {pts}</span>'
    if v.get("status") in ("not applicable", "not assessable", "undetermined"):  # neither pass nor fail
        return f'<span class="badge part">{_esc(label("verdict_" + v["status"], lang))}</span>'
    key = "pass" if v["passed"] else "fail"
    return f'<span class="badge {key}">{_esc(label(key, lang))}</span>'


def _packs_block(result: RunResult | ParkResult | SimpleNamespace, lang: str) -> str:
    """One card per pack: its points, then each group with one status over all its items, one each over its
    simulated, declared and missing items, and the items that keep it from passing
    (:func:`lingtan.twin.reports.summary.pack_groups`: the terminal's and the dashboard's own summary, so a
    group never reads PASS beside one of its failed items)."""
    from lingtan.twin.reports.summary import criterion_name, pack_groups

    if not result.packs:
        return f"<p>{_esc(label('no_criteria', lang))}</p>"

    def word(status: str) -> str:
        return label(status, lang).upper() if status in ("pass", "fail") else label(f"verdict_{status}", lang)

    names = {v["criterion_id"]: criterion_name(v, lang) for v in result.verdicts}
    cards = []
    for p in result.packs:
        pts = (
            f'<div class="card-value">{points_text(p["points"])} <small>/ {points_text(p["max_points"])}</small></div>'
            if p.get("max_points")
            else ""
        )
        lines = []
        for g in pack_groups(p, result.verdicts):
            cls = g["status"] if g["status"] in ("pass", "fail") else "part"
            by_input = " · ".join(f"{label('verdict_' + i, lang)} {word(st)}" for i, st in g["by_input"].items())
            lines.append(
                f"<div>{_esc(label('verdict_' + g['group'], lang))}: "
                f'<span class="badge {cls}">{_esc(word(g["status"]))}</span> '
                f'<span class="small">({_esc(by_input)})</span></div>'
            )
            if g["open"]:
                items = ", ".join(f"{names[cid]} ({label('verdict_' + inp, lang)})" for cid, _, inp in g["open"])
                lines.append(f'<div class="small">{_esc(items)}</div>')
        cards.append(
            f'<div class="card pack"><div class="card-title">{_esc(pack_label(p["pack"], lang))}</div>{pts}'
            + "".join(lines)
            + "</div>"
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def _criteria_block(result: RunResult | ParkResult | SimpleNamespace, lang: str) -> str:
    if not result.verdicts:
        return ""
    heads = ["verdict", "clause", "text", "value", "threshold", "margin", "input"]
    out = []
    for p in result.packs or [{"pack": v["pack"]} for v in result.verdicts[:1]]:
        rows = []
        for v in result.verdicts:
            if v["pack"] != p["pack"]:
                continue
            unit = v.get("unit", "")
            name = v["criterion_id"][len(v["pack"]) + 1 :]
            extra = " · ".join(x for x in (v.get("variant"), v.get("variant_reason"), v.get("note")) if x)
            texts = (
                f'<div class="zh" lang="zh-CN">{_esc(v["text_zh"])}</div>'
                f'<div class="en" lang="en">{_esc(v["text_en"])}</div>'
            )
            rows.append(
                f'<tr class="{"ok" if v["passed"] else "nok"}"><td>{_verdict_badge(v, lang)}'
                f'<div class="small">{_esc(label(v["role"], lang))}</div></td>'
                f'<td><b>{_esc(name)}</b><div class="clause">{_esc(v["clause"])}</div>'
                f'<div class="small muted">{_esc(v["source_doc"])}</div></td>'
                f"<td>{texts}" + (f'<div class="small muted">{_esc(extra)}</div>' if extra else "") + "</td>"
                f'<td class="num">{_esc(fmt_value(v["value"], unit, lang))}</td>'
                f'<td class="num">{_esc(fmt_value(v["threshold"], unit, lang))}</td>'
                f'<td class="num">{_esc(fmt_value(v["margin"], unit, lang))}</td>'
                f'<td><span class="tag {v["input"]}">{_esc(label(v["input"], lang))}</span>'
                f'<div class="small muted unit">{_esc(unit_text(unit, lang))}</div></td></tr>'
            )
        head = "".join(f"<th>{_esc(label(h, lang))}</th>" for h in heads)
        out.append(
            f"<h3>{_esc(p['pack'] if lang == 'en' else pack_label(p['pack'], lang))}</h3>"
            f'<div class="scroll"><table class="criteria">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
    return "".join(out)


CSS = """
:root { --ink:#1d2733; --muted:#6b7785; --line:#e3e7ec; --ok:#1e8449; --bad:#c0392b; --part:#d68910; --bg:#f5f7fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font-family: "Noto Sans CJK SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei","Segoe UI",Helvetica,Arial,
    sans-serif;
  font-size:14px; line-height:1.45; }
header { background:linear-gradient(90deg,#0f3d3e,#1b6b5a); color:#fff; padding:22px 36px; }
header h1 { margin:0 0 4px; font-size:24px; font-weight:600; }
header .sub { opacity:.85; }
main { max-width:1320px; margin:0 auto; padding:12px 28px 40px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:16px 22px; margin:18px 0; }
h2 { font-size:18px; margin:0 0 12px; border-left:4px solid #1b6b5a; padding-left:10px; }
h3 { font-size:15px; margin:18px 0 8px; color:#0f3d3e; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; vertical-align:top; padding:6px 8px; border-bottom:1px solid var(--line); }
th { font-weight:600; color:#34495e; background:#fafbfc; }
table.summary th { width:260px; }
.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(290px,1fr)); gap:14px; }
.card { border:1px solid var(--line); border-radius:10px; padding:12px 14px; background:#fcfdfe; }
.card-title { font-weight:600; color:#34495e; }
.card-value { font-size:26px; font-weight:600; margin:4px 0 0; }
.card-value small { font-size:15px; color:var(--muted); }
.card-sub, .small { font-size:12px; color:var(--muted); }
.muted { color:var(--muted); }
.gauge { position:relative; height:14px; background:#edf0f3; border-radius:7px; margin:30px 0 2px; }
.kind .gauge { margin:22px 0 6px; height:9px; }
.gauge .fill { position:absolute; left:0; top:0; bottom:0; background:#5d6d7e; border-radius:7px; }
.gauge .fill.ok { background:var(--ok); } .gauge .fill.bad { background:var(--bad); }
.gauge .tick { position:absolute; top:-6px; bottom:-6px; width:2px; background:var(--ink); }
.gauge .tick span { position:absolute; bottom:100%; font-size:11px; white-space:nowrap; color:var(--ink);
  padding:0 3px; }
.gauge .tick.fail span { color:var(--bad); } .gauge .tick.pass span { color:var(--ok); }
.scale { display:flex; justify-content:space-between; font-size:11px; color:var(--muted); }
.kind { font-size:12px; display:block; margin-top:4px; }
.detail { display:flex; justify-content:space-between; font-size:12.5px; border-bottom:1px dotted var(--line);
  padding:3px 0; }
.detail:first-of-type { margin-top:10px; }
.kind span.num { float:right; }
table.mini { margin-top:8px; font-size:12px; } table.mini td, table.mini th { padding:3px 5px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff;
  white-space:nowrap; }
.badge.pass { background:var(--ok); } .badge.fail { background:var(--bad); } .badge.part { background:var(--part); }
.tag { display:inline-block; padding:0 6px; border-radius:4px; font-size:12px; border:1px solid; }
.tag.simulated { color:#1f618d; border-color:#1f618d; background:#eaf2f8; }
.tag.declared { color:#7d6608; border-color:#b7950b; background:#fef9e7; }
.tag.missing { color:var(--bad); border-color:var(--bad); }
table.criteria td:nth-child(3) { min-width:380px; }
.zh { font-size:13.5px; } .en { color:#455a64; font-size:12.5px; margin-top:3px; }
.clause { font-size:12px; color:#0f3d3e; }
tr.nok td:first-child { border-left:3px solid var(--bad); } tr.ok td:first-child { border-left:3px solid var(--ok); }
.scroll { overflow-x:auto; }
.hint { font-size:12px; color:var(--muted); margin:0 0 4px; }
.warn { color:var(--bad); font-weight:600; }
.odds { display:grid; grid-template-columns:minmax(0,2fr) minmax(240px,1fr); gap:16px; align-items:center;
  border-bottom:1px solid var(--line); padding:8px 0; }
.odds-crit { font-size:12.5px; margin-top:6px; }
footer { text-align:center; color:var(--muted); font-size:12px; padding:10px; }
"""


def economics_block(econ: dict[str, Any], lang: str = "en") -> str:
    """The economics section from :func:`lingtan.twin.studies.economics.project_economics`: the totals printed by
    ``twin run``,
    one row per asset, and with a base case the cumulative saving year by year (payback where it crosses 0).

    Parameters
    ----------
    econ : dict
        The output of :func:`lingtan.twin.studies.economics.project_economics`.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    str
        An HTML fragment: the totals, the asset table [CNY, CNY/yr], and with a base case a chart of the
        cumulative nominal and discounted saving [万 CNY] by year [yr].
    """
    from lingtan.twin.reports.summary import economics_rows, economics_title
    from lingtan.twin.studies.economics import discount_factor

    totals = "".join(
        f'<tr><th colspan="2">{_esc(text)}</th></tr>'
        if value is None
        else f"<tr><th>{_esc(text)}</th><td>{_esc(value)}</td></tr>"
        if isinstance(value, str)
        else f'<tr><th>{_esc(text)}</th><td class="unit">{_esc(f"{value:,.2f} {unit_text(unit, lang)}")}</td></tr>'
        for text, value, unit in economics_rows(econ, lang)
    )
    cols = (
        "econ_capex_cny",
        "econ_fixed_om",
        "econ_variable_om",
        "econ_replacement_pv",
        "econ_salvage_pv",
        "econ_asset_npc",
    )
    keys = (
        "capex_cny",
        "fixed_om_cny_per_year",
        "variable_om_cny_per_year",
        "replacement_pv_cny",
        "salvage_pv_cny",
        "npc_cny",
    )
    head = "".join(f"<th>{_esc(label(c, lang))}</th>" for c in ("econ_asset", *cols, "econ_cost_source"))
    body = "".join(
        "<tr><td>"
        + _esc(a["name"])
        + "</td>"
        + "".join(f"<td>{a[k]:,.0f}</td>" for k in keys)
        + f"<td>{_esc(a.get('cost_source', ''))}</td></tr>"
        for a in econ["assets"]
    )
    html = (
        f'<p class="hint">{_esc(economics_title(econ, lang))}. {_esc(label("econ_hint", lang))}</p>'
        f'<table class="summary">{totals}</table>'
        f'<table class="criteria"><tr>{head}</tr>{body}</table>'
    )
    vs = econ.get("versus_base")
    if vs:
        diff = vs["difference_cash_flows_cny"]
        rate = econ["settings"]["discount_rate"]
        years = list(range(len(diff)))
        nominal = np.cumsum(diff)
        discounted = np.cumsum([d * discount_factor(rate, t) for t, d in zip(years, diff, strict=True)])
        fig = go.Figure(
            [
                go.Scatter(x=years, y=nominal / 1e4, name=label("econ_cash_nominal", lang)),
                go.Scatter(x=years, y=discounted / 1e4, name=label("econ_cash_discounted", lang)),
            ]
        )
        fig.add_hline(y=0, line_color="#888")
        _layout(
            fig,
            360,
            title=label("econ_cash_title", lang),
            xaxis_title=unit_text("yr", lang),
            yaxis_title=unit_text("万 CNY", lang),
        )
        html += _fig_html(fig, "fig-payback")
    return html


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %"


def _odds_criterion_line(c: dict[str, Any], unit: str, lang: str) -> str:
    """One criterion beside its distribution: the threshold, the probability of passing and the P90 margin."""
    o = c["odds"]
    cmp = "≥" if c["comparator"] == ">=" else "≤"
    return (
        f'<div class="odds-crit" data-criterion="{_esc(c["criterion_id"])}">'
        f"<b>{_esc(_pack_short(c['pack'], lang))}</b> {_esc(c['criterion_id'][len(c['pack']) + 1 :])} {cmp} "
        f"{_esc(fmt_value(c['threshold'], unit, lang))}: {_esc(label('ensemble_p_pass', lang))} "
        f'<b class="p-pass">{_pct(o["p_pass"])}</b>, {_esc(label("odds_margin_p90", lang))} '
        f'<b class="margin-p90">{_esc(fmt_value(o["margin_p90"], unit, lang))}</b></div>'
    )


def _headline_blocks(
    ens: Any, lang: str, typical_label: str, fig_prefix: str, *, notes: bool, members: bool = False
) -> list[str]:
    """One block per headline KPI of an ensemble (weather years or other uncertainties): its distribution
    figure and, beside it, the typical (or nominal) value, P50, P90 and each criterion's odds; with ``notes``
    the hints for a KPI plotted on its margin or read by no criterion; with ``members`` the figure speaks of
    members rather than years."""
    blocks = []
    for i, h in enumerate(headlines(ens)):
        unit = "fraction" if h.on_margin and h.unit.startswith("fraction") else h.unit
        stats_rows = "".join(
            f'<tr><th>{_esc(name)}</th><td class="num {cls}" data-column="{_esc(h.column)}">'
            f"{_esc(fmt_value(x, unit, lang))}</td></tr>"
            for name, cls, x in (
                (label(typical_label, lang), "typical", h.typical),
                ("P50", "p50", h.stats["p50"]),
                ("P90", "p90", h.stats["p90"]),
            )
        )
        hints = []
        if notes:
            hints = [label("odds_on_margin", lang)] if h.on_margin else []
            if not h.criteria:
                hints.append(label("odds_no_criterion", lang))
        side = (
            f'<table class="mini">{stats_rows}</table>'
            + "".join(_odds_criterion_line(c, unit, lang) for c in h.criteria)
            + "".join(f'<div class="small muted">{_esc(x)}</div>' for x in hints)
        )
        fig = distribution_figure(h, lang)
        fig = _layout(_as_members(fig, lang) if members else fig, 320)
        blocks.append(
            f'<div class="odds" data-kpi="{_esc(h.kpi)}"><div class="odds-fig">{_fig_html(fig, f"{fig_prefix}-{i}")}'
            f'</div><div class="odds-side">{side}</div></div>'
        )
    return blocks


def odds_block(ensemble: EnsembleResult, lang: str = "en") -> str:
    """The odds section of an ensemble run: the convention, one distribution per headline KPI with its thresholds,
    P50, P90, the probability of passing and the P90 margin beside it, and the table of every criterion's odds.

    Parameters
    ----------
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult
        The weather-year ensemble (its typical year is the report's run).
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    str
        An HTML fragment; values in the criteria's units (fractions in [%]), probabilities in [%].
    """
    n = len(ensemble.members)
    parts = [
        f'<p class="hint">{_esc(label("odds_members", lang).format(n=n, source=ensemble.source))}</p>'
        f'<p class="hint convention">{_esc(label("odds_convention", lang))}</p>'
    ]
    parts += _headline_blocks(ensemble, lang, "ensemble_typical", "fig-odds", notes=True)
    verdicts = {v["criterion_id"]: v for v in ensemble.typical.verdicts}
    heads = (
        "pack",
        "odds_criterion",
        "ensemble_typical",
        "threshold",
        "P50",
        "P90",
        "ensemble_p_pass",
        "odds_margin_p90",
    )
    rows = []
    for cid, o in ensemble.criterion_odds.items():
        v = verdicts[cid]
        unit = v.get("unit", "")
        cells = [_pack_short(v["pack"], lang), cid[len(v["pack"]) + 1 :], fmt_value(v["value"], unit, lang)]
        cells.append(fmt_value(v["threshold"], unit, lang))
        numeric = "value_p50" in o
        cells += (
            [fmt_value(o["value_p50"], unit, lang), fmt_value(o["value_p90"], unit, lang)] if numeric else ["–"] * 2
        )
        cells += [_pct(o["p_pass"]), fmt_value(o["margin_p90"], unit, lang) if numeric else "–"]
        rows.append(f'<tr data-criterion="{_esc(cid)}">' + "".join(f"<td>{_esc(x)}</td>" for x in cells) + "</tr>")
    head = "".join(f"<th>{_esc(label(h, lang))}</th>" for h in heads)
    parts.append(
        f"<h3>{_esc(label('odds_table', lang))}</h3>"
        f'<table class="criteria odds-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f'<p class="small muted">{_esc(label("odds_value_only", lang))}</p>'
    )
    return "".join(parts)


def _varied_text(v: Varied) -> str:
    """How the scenario says a quantity is drawn: its list of values or its distribution."""
    if v.values is not None:
        how = "each equally often" if v.pick == "equal" else "one drawn at random per member"
        return f"values {', '.join(f'{x:g}' for x in v.values)} ({how})"
    if v.normal is not None:
        return f"normal, mean {v.normal.mean:g}, sd {v.normal.sd:g}, truncated to [{v.LOW:g}, {v.HIGH:g}]"
    if v.uniform is not None:
        return f"uniform on [{v.uniform.low:g}, {v.uniform.high:g})"
    t = v.triangular
    return f"triangular, low {t.low:g}, mode {t.mode:g}, high {t.high:g}"


def _as_members(fig: go.Figure, lang: str) -> go.Figure:
    """:func:`distribution_figure` counts weather years and marks the typical year; over an uncertainty
    ensemble its bars count members and the dashed line is the scenario as written."""
    years, members = label("odds_years", lang), label("unc_members_axis", lang)
    typical, nominal = label("ensemble_typical", lang), label("unc_nominal", lang)
    for trace in fig.data:
        if trace.type == "bar":
            trace.update(name=members, hovertemplate=trace.hovertemplate.replace(years, members))
        elif (trace.meta or {}).get("mark") == "typical":
            trace.update(name=nominal, hovertemplate=trace.hovertemplate.replace(typical, nominal))
    return fig.update_layout(yaxis_title=members)


def uncertainty_block(u: UncertaintyResult, lang: str = "en") -> str:
    """The uncertainty section of a run: the drawn quantities and their distributions, the members' distribution
    of each headline KPI with its thresholds (:func:`lingtan.twin.reports.odds_plots.distribution_figure`), and
    the tornado (:func:`lingtan.twin.reports.tornado.tornado_figure`).

    Parameters
    ----------
    u : lingtan.twin.reports.tornado.UncertaintyResult
        The uncertainty ensemble around the report's run.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    str
        An HTML fragment; values in the criteria's units (fractions in [%]), probabilities in [%].
    """
    from lingtan.twin.core.odds import stats
    from lingtan.twin.core.schema.uncertainty import Uncertainty
    from lingtan.twin.reports.tornado import UNITS, tornado_figure

    spec = (u.typical.park if hasattr(u.typical, "park") else u.typical.scenario).uncertainty  # park or factory
    rows = []
    for q, v in spec.varied().items():
        st, unit = stats(u.draws[q]), UNITS.get(q, "")
        drawn = " / ".join(f"{st[p]:.4g}{unit}" for p in ("p90", "p50", "p10"))
        cells = [q, Uncertainty.model_fields[q].description, _varied_text(v), drawn]
        rows.append(f'<tr data-quantity="{_esc(q)}">' + "".join(f"<td>{_esc(x)}</td>" for x in cells) + "</tr>")
    head = "".join(f"<th>{_esc(label(k, lang))}</th>" for k in ("unc_quantity", "unc_scales", "unc_distribution"))
    members_key = "unc_members" if u.tornado.weather_years == 1 else "unc_members_joint"  # drawn with weather
    parts = [
        f'<p class="hint">{_esc(label(members_key, lang).format(n=len(u.members)))}</p>'
        f'<p class="hint convention">{_esc(label("odds_convention", lang))}</p>'
        f'<table class="criteria unc-quantities"><thead><tr>{head}<th>{_esc(label("unc_drawn", lang))}</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    ]
    ens = SimpleNamespace(members=u.members, criterion_odds=u.criterion_odds, typical=u.typical)
    parts += _headline_blocks(ens, lang, "unc_nominal", "fig-unc", notes=False, members=True)
    t = u.tornado
    kpi = label(t.kpi, lang)
    parts.append(
        f"<h3>{_esc(label('unc_tornado', lang).format(kpi=kpi))}</h3>"
        f'<p class="hint">{_esc(label("unc_tornado_hint", lang).format(kpi=kpi))}</p>'
        + _fig_html(_layout(tornado_figure(t), 120 + 60 * len(t.bars)), "fig-tornado")
    )
    return "".join(parts)


def rows_block(rows: list[tuple[str, float | None, str]], table_id: str, lang: str = "en") -> str:
    """(label, value, unit) rows as a table: the fleet's (:func:`lingtan.twin.reports.summary.fleet_rows`), the
    ground loops' (:func:`lingtan.twin.reports.summary.ground_loop_rows`).

    Parameters
    ----------
    rows : list of (str, float or None, str)
        The rows.
    table_id : str
        The table's HTML id.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    str
        An HTML table, "not applicable" where a figure is not defined.
    """
    body = "".join(
        f'<tr><th>{_esc(text)}</th><td class="num">'
        + (_esc(label("not_applicable", lang)) if v is None else f"{v:,.1f} {_esc(unit_text(unit, lang))}")
        + "</td></tr>"
        for text, v, unit in rows
    )
    return f'<table class="summary" id="{table_id}">{body}</table>'


def build_html(
    result: RunResult | SimpleNamespace,
    lang: str = "en",
    economics: dict[str, Any] | None = None,
    ensemble: EnsembleResult | None = None,
    uncertainty: UncertaintyResult | None = None,
) -> str:
    """The report as one HTML string (plotly.js inlined once); with ``economics`` an economics section, with
    ``ensemble`` the odds over its weather years (:func:`odds_block`), with ``uncertainty`` the members'
    distributions and the tornado (:func:`uncertainty_block`).

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run, optionally with ``years`` (per-year KPI dicts of a plan) for the trends section.
    lang : {"en", "zh"}
        Language of the labels.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the run.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``.
    uncertainty : lingtan.twin.reports.tornado.UncertaintyResult, optional
        The uncertainty ensemble around ``result``.

    Returns
    -------
    str
        The whole page (:func:`page`).

    Raises
    ------
    ValueError
        For a language not in :data:`lingtan.twin.reports.i18n.LANGS`.
    """
    label("report_title", lang)  # validates lang
    s = result.scenario
    sections = [
        ("section_summary", _summary_block(result, lang)),
        (
            "section_kpis",
            f'<div class="cards">{"".join(_card_html(c, result, lang) for c in kpi_cards(result, lang))}</div>',
        ),
    ]
    if result.verdicts:
        sections.append(("section_packs", _packs_block(result, lang)))
        sections.append(("section_criteria", _criteria_block(result, lang)))
    if ensemble is not None:
        sections.append(odds_section(ensemble, lang))
    if uncertainty is not None:
        heading = label("section_uncertainty", lang).format(n=len(uncertainty.members))
        sections.append(("section_uncertainty", uncertainty_block(uncertainty, lang), heading))
    sections.append(
        (
            "section_dispatch",
            f'<p class="hint">{_esc(label("week_hint", lang))}</p>'
            + _fig_html(dispatch_figure(result, lang), "fig-dispatch"),
        )
    )
    monthly = _fig_html(monthly_figure(result, lang), "fig-monthly")
    hf = heat_monthly_figure(result, lang)
    if hf is not None:
        monthly += f"<h3>{_esc(label('section_monthly_heat', lang))}</h3>" + _fig_html(hf, "fig-monthly-heat")
    sections.append(("section_monthly", monthly))
    sections.append(("section_sankey", _fig_html(sankey_figure(result, lang), "fig-sankey")))
    sections.append(
        (
            "section_emissions",
            f'<p class="hint">{_esc(label("wf_onsite_re_note", lang))}</p>'
            + _fig_html(waterfall_figure(result, lang), "fig-waterfall"),
        )
    )
    bill = bill_block(result.kpis, lang)
    if bill is not None:
        sections.append(("section_bill", bill))
    from lingtan.twin.reports.summary import fleet_rows, ground_loop_rows, plant_rows

    if result.kpis.get("vehicles"):
        sections.append(
            ("section_vehicles", rows_block(fleet_rows(result.kpis["vehicles"], lang), "fleet-table", lang))
        )
    ground = ground_loop_rows(result.kpis.get("heat", {}), lang)
    if ground:
        sections.append(("section_ground_loops", rows_block(ground, "ground-loop-table", lang)))
    plant = plant_rows(result.kpis, lang)
    if plant:
        sections.append(("section_plant", rows_block(plant, "plant-table", lang)))
    if economics is not None:
        sections.append(("section_economics", economics_block(economics, lang)))
    tf = trends_figure(getattr(result, "years", None), lang)
    if tf is not None:
        sections.append(("section_trends", _fig_html(tf, "fig-trends")))
    title = f"{getattr(s, 'name', '')} – {getattr(s, 'year', '')}"
    return page(title, sections, lang)


def odds_section(ensemble: EnsembleResult, lang: str = "en") -> tuple[str, str, str]:
    """The odds section of a report page: (key, HTML, heading "Odds over N weather years").

    Parameters
    ----------
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult
        The weather-year ensemble.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    tuple of str
        An entry of :func:`page`'s ``sections``.
    """
    heading = label("section_odds", lang).format(n=len(ensemble.members))
    return "section_odds", odds_block(ensemble, lang), heading


def page(title: str, sections: list[tuple[str, ...]], lang: str) -> str:
    """A self-contained report page: plotly.js inlined once, one ``<section>`` per (label key, HTML) or
    (key, HTML, heading) when the heading is not the key's label.

    Parameters
    ----------
    title : str
        The page's title and heading.
    sections : list of (str, str) or (str, str, str)
        Label key of each section (its id, and its heading unless a third item gives it) and its HTML content.
    lang : {"en", "zh"}
        Language of the headings; sets the page's ``lang`` attribute.

    Returns
    -------
    str
        The HTML document.
    """
    body = "".join(
        f'<section id="{key}"><h2>{_esc(head[0] if head else label(key, lang))}</h2>{content}</section>'
        for key, content, *head in sections
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)} · {_esc(label('report_title', lang))}</title>"
        f"<style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f'<header><h1>{_esc(title)}</h1><div class="sub">{_esc(label("report_title", lang))}</div></header>'
        f"<main>{body}</main><footer>{_esc(label('generated_by', lang))}</footer></body></html>\n"
    )


def write_page(text: str, path: str | Path) -> Path:
    """Write a page atomically (temporary name in the same folder, then rename).

    Parameters
    ----------
    text : str
        The page, written as UTF-8.
    path : str or Path
        The file to write; its folder must exist.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        When the folder cannot be written; the temporary file is removed.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_html(
    result: RunResult | SimpleNamespace,
    path: str | Path,
    lang: str = "en",
    economics: dict[str, Any] | None = None,
    ensemble: EnsembleResult | None = None,
    uncertainty: UncertaintyResult | None = None,
) -> Path:
    """Write the report of a run to one self-contained HTML file, atomically.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        Optionally with ``years``: a list of per-year KPI dicts (each with ``year``) of a plan.
    path : str or Path
        The file to write (its folder must exist).
    lang : "en" or "zh"
        Language of labels; criteria always show their original Chinese text beside the English.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the run: adds the economics section.
    ensemble : lingtan.twin.studies.ensemble.EnsembleResult, optional
        The weather-year ensemble whose typical year is ``result``: adds the odds section.
    uncertainty : lingtan.twin.reports.tornado.UncertaintyResult, optional
        The uncertainty ensemble around ``result``: adds its section (:func:`uncertainty_block`).

    Returns
    -------
    Path
        ``path``.
    """
    return write_page(build_html(result, lang, economics, ensemble, uncertainty), path)


__all__ = [
    "write_html",
    "build_html",
    "economics_block",
    "odds_block",
    "odds_section",
    "uncertainty_block",
    "page",
    "write_page",
    "kpi_cards",
    "dispatch_figure",
    "monthly_figure",
    "heat_monthly_figure",
    "sankey_figure",
    "waterfall_figure",
    "trends_figure",
    "monthly_electric",
    "monthly_heat",
    "emission_steps",
    "fmt_value",
]
