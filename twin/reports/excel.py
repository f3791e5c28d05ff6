"""The run report as one Excel workbook (openpyxl), written atomically.

``write_excel(result, path, lang="en")`` writes these sheets (names stable whatever the
language, so that scripts can read them; the ``label`` columns are in ``lang``):

* ``KPIs`` — every KPI of the run, nested dicts flattened to dotted keys
  (``heat.waste_heat_recovery_rate``): key, label, value, unit;
* ``Criteria`` — every field of every verdict, plus the verdict as shown in the report;
* ``Accounting`` — the GB/T 2589 / GB/T 32150 accounting flattened: key, label, value, unit;
* ``Monthly`` — monthly electricity balance [kWh] and, with a heat side, heat served by
  source [kWh_th]; the column sums are the annual totals;
* ``Bill`` — the electricity bill by month beside the LP optimum's, the report's table
  (:func:`lingtan.twin.reports.bill.bill_frame`: energy, demand, overrun, feed-in, total [kWh, kW, CNY]) and
  its notes, when the run has a monthly bill;
* ``Hourly`` — the electric table [kW, kWh] with local time (Excel has no time zones: the
  zone is stated in the header);
* ``Hourly heat`` — the heat table, when the scenario has a heat side;
* ``Years`` — per-year KPIs of a plan, when the result carries ``years``;
* ``Economics`` and ``Economic assets`` — :func:`lingtan.twin.studies.economics.project_economics` flattened, and one
  row per asset, when ``economics`` is given.

Units are in the keys (``_kw``, ``_e_kwh``, ``_kw_th``, ``_t``, ``_share`` ...).
"""

from __future__ import annotations

import datetime
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from lingtan.twin.reports.bill import bill_frame, bill_notes
from lingtan.twin.reports.html import monthly_electric, monthly_heat
from lingtan.twin.reports.i18n import label, points_text, unit_of, unit_text

if TYPE_CHECKING:
    from lingtan.twin.run import RunResult

SHEETS = (
    "KPIs",
    "Criteria",
    "Accounting",
    "Monthly",
    "Bill",
    "Hourly",
    "Hourly heat",
    "Years",
    "Economics",
    "Economic assets",
)
"""Sheet names (``Bill`` only with a monthly bill; ``Hourly heat``, ``Years`` and the economics sheets only when
there is something to put in them)."""

VERDICT_FIELDS = (
    "criterion_id",
    "pack",
    "role",
    "value",
    "threshold",
    "margin",
    "passed",
    "points",
    "max_points",
    "unit",
    "input",
    "variant",
    "note",
    "source",
    "source_doc",
    "clause",
    "text_zh",
    "text_en",
    "status",
    "variant_reason",
)

_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1B6B5A")


def flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, object]]:
    """Nested dicts to ``(dotted key, value)`` rows; lists become one text cell.

    Parameters
    ----------
    d : mapping
        Nested dicts (KPIs, accounting, economics).
    prefix : str
        Put before every key (the parent's dotted key and a dot).

    Returns
    -------
    list of (str, object)
        Dotted key and value, in the mapping's order; a list or tuple joined with ``"; "``.
    """
    rows: list[tuple[str, object]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            rows += flatten(v, key + ".")
        elif isinstance(v, (list, tuple)):
            rows.append((key, "; ".join(str(x) for x in v)))
        else:
            rows.append((key, v))
    return rows


def _cell_value(v: object) -> object:
    """A value Excel can hold: numbers, text, booleans; None stays empty; non-finite numbers as text."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else str(v)
    if isinstance(v, (str, int, float, datetime.datetime, datetime.date)):
        return v
    return str(v)


def _label_of(key: str, lang: str) -> str:
    """Label of a dotted key: its last part, with the parent's name for context."""
    parts = key.split(".")
    last = label(parts[-1], lang)
    if len(parts) > 1 and parts[-2] not in ("kpis",):
        return f"{label(parts[-2], lang)}: {last}"
    return last


def _verdict_text(v: dict[str, Any], lang: str) -> str:
    if v.get("role") == "score":
        key = "full" if v["points"] >= v["max_points"] else ("part" if v["points"] > 0 else "nil")
        return f"{label(key, lang)} {points_text(v['points'])}/{points_text(v['max_points'])}"
    return label("pass" if v.get("passed") else "fail", lang)


class _Sheet:
    """A write-only sheet with a styled header, frozen first row and set column widths."""

    def __init__(
        self, wb: Workbook, title: str, header: list[str], widths: Sequence[float] | None = None, freeze: str = "A2"
    ) -> None:
        self.ws = wb.create_sheet(title)
        for i, w in enumerate(widths or []):
            self.ws.column_dimensions[_col_letter(i)].width = w
        self.ws.freeze_panes = freeze
        cells = []
        for h in header:
            c = WriteOnlyCell(self.ws, value=h)
            c.font, c.fill = _HEAD_FONT, _HEAD_FILL
            c.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(c)
        self.ws.append(cells)

    def row(self, values: Iterable[object]) -> None:
        self.ws.append([_cell_value(v) for v in values])


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _frame_sheet(wb: Workbook, title: str, frame: pd.DataFrame, index_name: str) -> None:
    frame = frame.copy()
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = frame[c].astype(str)
        elif isinstance(frame[c].dtype, pd.DatetimeTZDtype):  # Excel has no time zones: local time, as the index
            frame[c] = frame[c].dt.tz_localize(None)
    header = [index_name] + [str(c) for c in frame.columns]
    sheet = _Sheet(wb, title, header, widths=[20] + [14] * len(frame.columns), freeze="B2")
    idx: Iterable[Any] = frame.index
    if isinstance(idx, pd.DatetimeIndex):
        idx = idx.tz_localize(None) if idx.tz is not None else idx
        idx = [t.to_pydatetime() for t in idx]
    columns = [frame[c].to_numpy().tolist() for c in frame.columns]  # native Python numbers and text
    append = sheet.ws.append
    for i, key in enumerate(idx):
        append([key, *(col[i] for col in columns)])


def _bill_sheet(wb: Workbook, kpis: dict[str, Any], lang: str) -> None:
    """The report's bill table (:func:`lingtan.twin.reports.bill.bill_frame`) and, below it, its notes."""
    frame = bill_frame(kpis)
    if frame is None:
        return
    sheet = _Sheet(wb, "Bill", ["month", *frame.columns], widths=[12] + [18] * len(frame.columns), freeze="B2")
    for month, row in frame.iterrows():
        sheet.row([month, *(v if math.isfinite(v) else None for v in row)])
    sheet.row([])
    for note in bill_notes(kpis, lang):
        sheet.row([note])


def build_workbook(
    result: RunResult | SimpleNamespace, lang: str = "en", economics: dict[str, Any] | None = None
) -> Workbook:
    """The workbook of one run (see the module docstring for its sheets).

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run; optionally with ``years`` (per-year KPI dicts of a plan) and ``extra_tables``
        (``{title: (DataFrame, index name)}``, e.g. a park's tenant table).
    lang : {"en", "zh"}
        Language of the label columns and verdict texts.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the run: adds the economics sheets.

    Returns
    -------
    openpyxl.Workbook
        A write-only workbook, not yet saved.

    Raises
    ------
    ValueError
        For a language not in :data:`lingtan.twin.reports.i18n.LANGS`.
    """
    label("key", lang)  # validates lang
    wb = Workbook(write_only=True)
    # KPIs
    kpis = _Sheet(
        wb, "KPIs", ["key", label("label", lang), label("value", lang), label("unit", lang)], widths=[52, 48, 20, 12]
    )
    for key, v in flatten(result.kpis):
        kpis.row([key, _label_of(key, lang), v, unit_text(unit_of(key), lang) if not isinstance(v, str) else ""])
    # Criteria
    crit = _Sheet(
        wb,
        "Criteria",
        list(VERDICT_FIELDS) + ["verdict"],
        widths=[44, 24, 11, 12, 12, 12, 8, 8, 10, 16, 11, 24, 40, 50, 50, 34, 70, 70, 14],
    )
    for v in result.verdicts:
        crit.row([v.get(f) for f in VERDICT_FIELDS] + [_verdict_text(v, lang)])
    # Accounting
    acc = _Sheet(
        wb,
        "Accounting",
        ["key", label("label", lang), label("value", lang), label("unit", lang)],
        widths=[60, 48, 20, 12],
    )
    for key, v in flatten(result.accounting.to_dict() if result.accounting is not None else {}):
        acc.row([key, _label_of(key, lang), v, unit_text(unit_of(key), lang) if not isinstance(v, str) else ""])
    # Monthly
    monthly = monthly_electric(result)
    heat = monthly_heat(result)
    if not heat.empty:
        monthly = monthly.join(heat)
    _frame_sheet(wb, "Monthly", monthly, "month")
    _bill_sheet(wb, result.kpis, lang)
    # Hourly
    tz = str(getattr(result.hourly.index, "tz", "") or "")
    _frame_sheet(wb, "Hourly", result.hourly, f"time ({tz})" if tz else "time")
    hh = result.hourly_heat
    if hh is not None and not hh.empty and len(hh.columns):
        _frame_sheet(wb, "Hourly heat", hh, f"time ({tz})" if tz else "time")
    years = getattr(result, "years", None)
    if isinstance(years, (list, tuple)) and years:
        rows = [dict(flatten(d)) for d in years if isinstance(d, dict)]
        if rows:
            frame = pd.DataFrame(rows)
            cols = ["year"] + [c for c in frame.columns if c != "year"] if "year" in frame else list(frame.columns)
            frame = frame[cols]
            sheet = _Sheet(wb, "Years", cols, widths=[10] + [18] * (len(cols) - 1), freeze="B2")
            for row in frame.itertuples(index=False):
                sheet.row([None if (isinstance(x, float) and math.isnan(x)) else x for x in row])
    if economics is not None:
        eco = _Sheet(
            wb,
            "Economics",
            ["key", label("label", lang), label("value", lang), label("unit", lang)],
            widths=[60, 48, 20, 12],
        )
        for key, v in flatten({k: v for k, v in economics.items() if k != "assets"}):
            eco.row([key, _label_of(key, lang), v, unit_text(unit_of(key), lang) if not isinstance(v, str) else ""])
        assets = pd.DataFrame(economics["assets"]).set_index("name")
        assets["replacement_years"] = assets["replacement_years"].map(lambda y: "; ".join(f"{t:g}" for t in y))
        _frame_sheet(wb, "Economic assets", assets, "asset")
    # Further tables a caller attaches, e.g. a park's tenant table and network results: {title: (frame, index)}.
    for title, (frame, index_name) in (getattr(result, "extra_tables", None) or {}).items():
        _frame_sheet(wb, title, frame, index_name)
    return wb


def write_excel(
    result: RunResult | SimpleNamespace, path: str | Path, lang: str = "en", economics: dict[str, Any] | None = None
) -> Path:
    """Write the workbook of a run to ``path`` (``.xlsx``), atomically.

    Parameters
    ----------
    result : lingtan.twin.run.RunResult
        The run (see :func:`build_workbook`).
    path : str or Path
        The file to write (its folder must exist).
    lang : "en" or "zh"
        Language of the label columns and verdict texts.
    economics : dict, optional
        :func:`lingtan.twin.studies.economics.project_economics` of the run: adds the economics sheets.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    wb = build_workbook(result, lang, economics)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx.tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


__all__ = ["write_excel", "build_workbook", "flatten", "SHEETS", "VERDICT_FIELDS"]
