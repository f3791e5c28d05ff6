"""The electricity bill month by month, as the utility would send it, beside the LP optimum's bill.

One table, read from a run's ``kpis["grid_bill"]`` (:meth:`lingtan.components.grid.GridBill.to_dict`), for the
HTML report, the workbook's ``Bill`` sheet and the dashboard: :func:`bill_frame` holds the numbers under stable
column names with units, :func:`bill_notes` says how they were billed, :func:`bill_block` is the report's section.
With ``kpis["grid_bill"]["lp_optimum"]`` (``twin run`` adds it, :func:`lingtan.twin.studies.lp.solve.add_optimum_bill`)
the table carries the LP optimum's bill of the same plant and the difference: what the dispatch rule leaves on the
table.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from lingtan.twin.reports.i18n import label, unit_of, unit_text

YEAR_ROW = "year"
"""Index label of the year row of :func:`bill_frame`."""


def bill_frame(kpis: dict[str, Any]) -> pd.DataFrame | None:
    """The bill by month and its year row.

    Parameters
    ----------
    kpis : dict
        A run's KPIs (``kpis.json``); the bill is read from ``grid_bill``.

    Returns
    -------
    pandas.DataFrame or None
        One row per billed month (index ``"YYYY-MM"``) and a last row :data:`YEAR_ROW`, columns
        ``energy_kwh`` [kWh], ``energy_charge_cny``, ``max_demand_kw`` [kW] (the year row: the year's maximum),
        ``demand_charge_cny``; ``capacity_charge_cny`` on the capacity basis; ``overrun_kw`` and
        ``overrun_charge_cny`` on the contracted-demand basis; ``export_kwh``, ``feed_in_revenue_cny``,
        ``total_cny``; with the LP optimum's bill ``lp_total_cny`` and ``left_on_table_cny`` (this run's bill
        minus the LP's; NaN in the months when only the LP's year total is known) [CNY]. None without a monthly
        bill (a park's bus, a ``kpis.json`` older than the monthly bill).
    """
    b = kpis.get("grid_bill")
    if not isinstance(b, dict) or not b.get("total_cny_by_month"):
        return None
    months = list(b["total_cny_by_month"])
    cols: dict[str, list[float]] = {
        "energy_kwh": [sum(b["energy_kwh_by_month"][m].values()) for m in months],
        "energy_charge_cny": [sum(b["energy_cny_by_month"][m].values()) for m in months],
        "max_demand_kw": [b["max_demand_kw_by_month"][m] for m in months],
        "demand_charge_cny": [b["demand_charge_cny_by_month"][m] for m in months],
    }
    basis = b["basic_charge_basis"]
    if basis == "capacity":
        cols["capacity_charge_cny"] = [b["capacity_charge_cny_by_month"][m] for m in months]
    if basis == "contracted_demand":
        cols["overrun_kw"] = [b["overrun_kw_by_month"][m] for m in months]
        cols["overrun_charge_cny"] = [b["overrun_charge_cny_by_month"][m] for m in months]
    cols["export_kwh"] = [b["export_kwh_by_month"][m] for m in months]
    cols["feed_in_revenue_cny"] = [b["feed_in_revenue_cny_by_month"][m] for m in months]
    cols["total_cny"] = [b["total_cny_by_month"][m] for m in months]
    frame = pd.DataFrame(cols, index=pd.Index(months, name="month"), dtype=float)
    year = frame.sum()
    # The year's demands are not summed: its row shows the highest month, the kW a connection must carry.
    year["max_demand_kw"] = frame["max_demand_kw"].max()
    if "overrun_kw" in frame:
        year["overrun_kw"] = frame["overrun_kw"].max()
    frame.loc[YEAR_ROW] = year
    lp = _lp_optimum(kpis)
    if lp is not None:
        by_month = lp.get("total_cny_by_month") or {}
        frame["lp_total_cny"] = [float(by_month.get(m, math.nan)) for m in months] + [float(lp["total_cny"])]
        frame["left_on_table_cny"] = frame["total_cny"] - frame["lp_total_cny"]
    return frame


def _lp_optimum(kpis: dict[str, Any]) -> dict[str, Any] | None:
    """The LP optimum's bill when it was computed, else None."""
    lp = kpis.get("grid_bill", {}).get("lp_optimum")
    return lp if isinstance(lp, dict) and lp.get("total_cny") is not None else None


def month_text(month: str, lang: str = "en") -> str:
    """A billed month or the year row as a reader writes it.

    Parameters
    ----------
    month : str
        ``"YYYY-MM"`` or :data:`YEAR_ROW`.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    str
        ``Jan 2025`` / ``2025年1月``; the year row's label.
    """
    if month == YEAR_ROW:
        return label("bill_year", lang)
    stamp = pd.Timestamp(f"{month}-01")
    return f"{stamp.year}年{stamp.month}月" if lang == "zh" else stamp.strftime("%b %Y")


def column_text(column: str, kpis: dict[str, Any], lang: str = "en") -> str:
    """The heading of a column of :func:`bill_frame`, with its unit.

    Parameters
    ----------
    column : str
        A column name of :func:`bill_frame`.
    kpis : dict
        The run's KPIs: the maximum demand's heading says how it was measured (the bill's ``step_h``).
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    str
        ``Energy charge [CNY]``; the maximum demand with the step it is the mean over,
        ``Maximum demand (15-min mean) [kW]`` or ``Maximum demand (60-min mean) [kW]``.
    """
    text = label(f"bill_{column}", lang).format(minutes=kpis["grid_bill"]["step_h"] * 60)
    return f"{text} [{unit_text(unit_of(column), lang)}]"


def bill_notes(kpis: dict[str, Any], lang: str = "en") -> list[str]:
    """How the bill was reckoned, one sentence each: the demand's measurement, the basic charge's basis, the
    feed-in price, and what the LP optimum is (or why it was not computed).

    Parameters
    ----------
    kpis : dict
        A run's KPIs with ``grid_bill``.
    lang : {"en", "zh"}
        The reader's language.

    Returns
    -------
    list of str
        The sentences; none about the LP when ``kpis`` has no LP optimum.
    """
    b = kpis["grid_bill"]
    minutes = b["step_h"] * 60
    demand = "bill_demand_quarter" if math.isclose(minutes, 15.0) else "bill_demand_step"
    notes = [label(demand, lang).format(minutes=minutes)]
    notes.append(label(f"bill_basis_{b['basic_charge_basis']}", lang).format(kw=b.get("contracted_demand_kw") or 0.0))
    notes.append(label("bill_feed_in", lang).format(price=b["feed_in_price_cny_per_kwh"], how=b["feed_in_settlement"]))
    lp = kpis["grid_bill"].get("lp_optimum")
    if isinstance(lp, dict):
        if lp.get("total_cny") is None:
            notes.append(label("bill_lp_not_computed", lang).format(why=lp.get("note", "")))
        elif "bound_cny" not in lp:  # add_optimum_bill's record when the run is itself the LP's dispatch
            notes.append(label("bill_lp_is_run", lang))
        else:
            notes.append(label("bill_lp_note", lang))
            if "fuel_cny" in lp:  # the heat side co-scheduled: compare bill + fuel (add_optimum_bill)
                own = kpis["grid_bill_cny"]["total_cny"] + lp["rule_fuel_cny"]
                notes.append(label("bill_lp_heat", lang).format(lp=lp["total_cny"] + lp["fuel_cny"], own=own))
            if not lp.get("exact", True):
                notes.append(label("bill_lp_gap", lang).format(gap=lp["gap"]))
    return notes


def number_text(value: float) -> str:
    """A cell of :func:`bill_frame` as shown: whole kWh, kW and CNY with thousands separators.

    Parameters
    ----------
    value : float
        The number [kWh, kW or CNY].

    Returns
    -------
    str
        ``1,234,567``; ``–`` for NaN (an LP month not known).
    """
    return "–" if not math.isfinite(value) else f"{value:,.0f}"


def bill_block(kpis: dict[str, Any], lang: str = "en") -> str | None:
    """The report's bill section: the notes and the table of :func:`bill_frame`.

    Parameters
    ----------
    kpis : dict
        A run's KPIs.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    str or None
        An HTML fragment (table ``id="bill-table"``, its year row ``class="year"``), or None without a monthly bill.
    """
    frame = bill_frame(kpis)
    if frame is None:
        return None
    esc = html.escape
    head = f"<th>{esc(label('month', lang))}</th>" + "".join(
        f'<th style="text-align:right">{esc(column_text(c, kpis, lang))}</th>' for c in frame.columns
    )
    year = ' class="year" style="font-weight:600"'
    rows = "".join(
        f'<tr{year if m == YEAR_ROW else ""}><td style="white-space:nowrap">{esc(month_text(m, lang))}</td>'
        + "".join(f'<td class="num">{esc(number_text(v))}</td>' for v in row)
        + "</tr>"
        for m, row in frame.iterrows()
    )
    notes = "".join(f'<p class="hint">{esc(n)}</p>' for n in bill_notes(kpis, lang))
    return (
        f'{notes}<div class="scroll"><table class="bill" id="bill-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


__all__ = [
    "YEAR_ROW",
    "bill_frame",
    "bill_notes",
    "bill_block",
    "column_text",
    "month_text",
    "number_text",
]
