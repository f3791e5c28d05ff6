"""Write the validation report: ``report.md`` and a self-contained ``report.html``.

Plots are small hand-written SVG files (no plotting library, no network): the
Markdown links them from ``plots/``, the HTML inlines them. Every file is
written to a temporary name in the same folder and then renamed, so a reader
never sees half a report.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def svg_grouped_bars(
    path: Path,
    title: str,
    labels: list[str],
    series: dict[str, list[float]],
    reference_line: float | None = None,
    width: int = 820,
    height: int = 320,
) -> Path:
    """A grouped bar chart as a standalone SVG file (written atomically)."""
    left, right, top, bottom = 60, 10, 30, 70
    pw, ph = width - left - right, height - top - bottom
    vals = [v for s in series.values() for v in s if v == v] + ([reference_line] if reference_line else []) + [0.0]
    lo, hi = min(vals), max(vals)
    if hi == lo:
        hi = lo + 1.0
    pad = 0.08 * (hi - lo)
    lo, hi = (lo - pad if lo < 0 else lo), hi + pad

    def y(v):
        return top + ph * (hi - v) / (hi - lo)

    n_g, n_s = max(len(labels), 1), max(len(series), 1)
    gw = pw / n_g
    bw = 0.8 * gw / n_s
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="13">{html.escape(title)}</text>',
    ]
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.3g}</text>')
    parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#333"/>')
    if reference_line is not None:
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(reference_line):.1f}" '
            f'y2="{y(reference_line):.1f}" stroke="#d62728" stroke-dasharray="5,3"/>'
        )
    for si, (name, vals_s) in enumerate(series.items()):
        color = PALETTE[si % len(PALETTE)]
        for gi, v in enumerate(vals_s):
            if v != v:
                continue
            x = left + gi * gw + 0.1 * gw + si * bw
            y0, y1 = sorted((y(0), y(v)))
            parts.append(
                f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bw:.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                f'fill="{color}"><title>{html.escape(name)} {html.escape(labels[gi])}: {v:.4g}</title></rect>'
            )
        lx = left + 10 + (si % 6) * 125
        ly = height - 14 - 14 * (si // 6)
        parts.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 14}" y="{ly}">{html.escape(name)}</text>'
        )
    for gi, lab in enumerate(labels):
        x = left + gi * gw + gw / 2
        parts.append(f'<text x="{x:.1f}" y="{top + ph + 14}" text-anchor="middle">{html.escape(lab)}</text>')
    parts.append("</svg>")
    path = Path(path)
    atomic_write_text(path, "\n".join(parts))
    return path


def _summary(rows) -> dict:
    n_pass = sum(r.passed is True for r in rows)
    n_fail = sum(r.passed is False for r in rows)
    n_expl = sum(r.passed is None and r.explained for r in rows)
    n_na = sum(r.passed is None and not r.explained for r in rows)
    return dict(total=len(rows), passed=n_pass, failed=n_fail, explained=n_expl, not_available=n_na)


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


INTRO = """\
Each row compares one quantity of the twin with an outside reference. The tolerance and the
reason for it stand beside every result. A failing case is fixed in the model, never by
widening its tolerance without a reason written beside it. "compared, explained" rows compare
two models whose rules differ by design; the difference is reported, not judged.
"""

NOTES = """\
## Notes on the comparisons

**PV (1).** SAM PVWatts v8 (PySAM) and the twin's PVWatts-v8 chain read the same weather frame.
SAM gets `minute = 30` so both place the sun at mid-hour; fixed arrays get SAM's minimum GCR so
that SAM's row self-shading is negligible, as the twin models fixed arrays without row shading.
The tolerance is on the annual energy; monthly error and hourly NRMSE are reported beside it.

**Wind (2).** Three kinds of row, each checking one part of the chain from the station's
10 m wind to turbine output:
(a) *sam_shear*: SAM Windpower is given the station wind at its measurement height and the farm's
power-law exponent, and carries the speed to the hub with its own law `v (H/h)^alpha`. SAM refuses to
extrapolate more than 35 m, and the law depends on the heights only through `H/h`, so where the hub is
higher SAM gets both heights scaled by one factor (e.g. 3.9 m and 38.8 m for 10 m and 100 m). Density is
standard on both sides. This checks the twin's shear (exponent, heights, the law) and its power-curve
interpolation against SAM's code. SAM has no logarithmic profile, so the log-law farm has no such row.
(b) *windpowerlib*: windpowerlib's `ModelChain`, given the station data at the heights where they were
measured (wind 10 m, temperature 2 m, pressure at the ground), with the twin's default density-corrected
power curve. Both run the same library functions, so this row checks the twin's assembly of them (which
heights, units, exponent, roughness length, that the density reaches the curve, losses and count), not
windpowerlib's physics.
(c) *density*: the twin's hourly air density at the tallest hub against the hypsometric equation for dry air
(ISA lapse rate, ISO 2533 constants), independent of windpowerlib. The twin (through windpowerlib) lets
pressure fall by a fixed 1/8 hPa per m, which is the hydrostatic `rho g` of sea-level air only: the twin's
hub density is 0.1 to 0.25 % low at low stations and up to 0.54 % low at the 1 500 m stations (Jiuquan,
Lanzhou). That approximation is reported in the result column and its effect is computed hour by hour; the
row passes when nothing else is left (the gas constants differ by 0.004 %). The density *correction* of the
power curve is not compared with SAM: SAM scales the curve's wind speeds by `(1.225/rho)^(1/3)` at all
speeds, windpowerlib (Svenningsen) by an exponent growing from 1/3 to 2/3 between 7.5 and 12.5 m/s, a
documented difference of method.

**Battery (3).** The twin's `load_following` and SAM's battery model (PySAM `Battery`, behind the meter,
AC-connected) each decide and run the battery on their own: SAM with its SelfConsumption dispatch (charge
from PV above the load, discharge to the load above the PV, no grid charging), which is the same rule.
Both get the same declared battery, each number to its own input (energy, AC power limit, charge and
discharge efficiency, SoC window, initial SoC); nothing of one is fitted to the other's output. What the
twin does not model is switched off in SAM: cell resistance and the voltage curve (SAM's voltage table is
flat to 1 mV, so its charge state is the twin's energy state), capacity fade, temperature and idle losses.
The rows compare what the battery alone decides: annual charge and discharge energy, the conversion losses,
and the state of charge hour by hour; grid import and export, which the battery changes by a few % only,
are in the notes. Two batteries: 1 MWh / 250 kW at 96 % each way, and 2 MWh / 500 kW at 98 % charge and
92 % discharge with a narrower SoC window (which would show the two efficiencies swapped).

**LP optimum (4).** `validation/lp.py` solves the same year as one linear programme (HiGHS) with
perfect foresight, mirroring the kernel: renewable and load balances, store dynamics with
self-discharge at the hour start then `+ eta_c charge - discharge / eta_d`, the SoC window, power,
import and export limits, the same initial energy. Energy below `soc_min E` cannot be discharged;
because the kernel's self-discharge may take the store below that floor, the LP carries the
floor band as a separate non-dischargeable store, which keeps every kernel trajectory feasible
for the LP (so the LP optimum is a true bound).

*End of year.* The kernel counts any change of stored energy over the year as consumption. The
LP is given `e(end) >= min(e(start), e_twin(end))`: it may not borrow the energy it started with,
and the twin's own end state is always allowed, so the bound holds for the twin's run exactly.

*What "renewable share" is compared.* With no grid charging, the LP minimises grid import, i.e.
maximises the renewable energy that reaches the load. Both sides are compared on
`1 - grid_to_load / served load`. The KPI `re_electricity_share_onsite` counts battery losses as
renewable consumption (DESIGN.md), so an LP that maximised that KPI literally would cycle the
battery on purpose in surplus hours (charging and discharging at once to burn energy that would
otherwise be curtailed or exported), a degenerate optimum no operator would choose; the twin's
KPI value is reported in the note for each configuration instead.

*TOU arbitrage.* The LP minimises the annual energy cost (import at the hourly tariff price minus
feed-in revenue), with grid charging allowed in every hour; demand (capacity) charges are left
out on both sides. The rule-based `tou_arbitrage` (charge in valley, discharge in peak/critical)
is not expected to reach the optimum: the gap is reported, and a cost below the LP would be a bug.

**Conservation (5).** Each hourly table is checked twice: by the twin's own
`lingtan.twin.core.tables.check_electric_balance` and by an independent recomputation here (electric bus, battery state
continuity `e(t) = e(t-1) + charge - discharge - losses` from the initial SoC, no negative flow).

**Weather (6).** For every real typical year available, a synthetic year is generated from that
year's own monthly statistics (seed 0) and compared like with like (`validation/weather_generator.py`).

**Network (8).** The reference park (`scenarios/anhui-park.yaml`) is simulated with its 10 kV network; the twin's
batch power flow for the whole year is compared with `pandapower.runpp` on the same network and injections, on hours
spread over the year and on the worst hours the annual run named.
"""


def write_report(
    rows, out_dir: Path, *, quick: bool, elapsed_s: float | None = None, plot_dir_name: str = "plots"
) -> tuple[Path, Path]:
    """Write ``report.md``, ``report.html`` and ``report.json`` (the rows as records, for scripts and CI) into
    ``out_dir``; return the paths of the first two."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    s = _summary(rows)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = _versions()
    failed = [r for r in rows if r.passed is False]
    head = (
        f"# Validation report{' (quick subset)' if quick else ''}\n\n"
        f"Generated {stamp} by `twin validate{' --quick' if quick else ''}`"
        + (f" in {elapsed_s:.0f} s" if elapsed_s else "")
        + f"; {versions}.\n\n"
    )
    verdict = (
        f"**{s['passed']} passed, {s['failed']} failed, {s['explained']} compared and explained, "
        f"{s['not_available']} not available** (of {s['total']} rows).\n\n"
    )
    if failed:
        verdict += (
            "### What failed, and why\n\n"
            + "".join(f"- `{r.id}`: {r.compared}: {r.value} against {r.tolerance}. {r.note}\n" for r in failed)
            + "\n"
        )
    else:
        verdict += "Nothing failed.\n\n"
    na = [r for r in rows if r.passed is None and not r.explained]
    if na:
        verdict += "Not available: " + "; ".join(f"`{r.id}` ({r.note})" for r in na) + ".\n\n"

    md = [head, INTRO, "\n", verdict]
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r.group, []).append(r)
    for g, rs in groups.items():
        md.append(f"## {g}\n\n")
        md.append("| id | compared | reference | metric | tolerance | why this tolerance | result | verdict | note |\n")
        md.append("|---|---|---|---|---|---|---|---|---|\n")
        for r in rs:
            md.append(
                "| "
                + " | ".join(
                    _md_cell(c)
                    for c in (
                        f"`{r.id}`",
                        r.compared,
                        r.reference,
                        r.metric,
                        r.tolerance,
                        r.tolerance_reason,
                        r.value,
                        f"**{r.verdict}**",
                        r.note,
                    )
                )
                + " |\n"
            )
        plots = sorted({r.plot for r in rs if r.plot})
        for p in plots:
            md.append(f"\n![{g}]({p})\n")
        md.append("\n")
    md.append(NOTES)
    md_path = out_dir / "report.md"
    atomic_write_text(md_path, "".join(md))
    records = [{**dataclasses.asdict(r), "verdict": r.verdict} for r in rows]
    atomic_write_text(out_dir / "report.json", json.dumps(records, indent=1, ensure_ascii=False, default=str))

    # HTML: the same content, plots inlined, no external resources.
    h = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>lingtan validation report{' (quick)' if quick else ''}</title><style>",
        "body{font-family:sans-serif;margin:2em;max-width:1400px} table{border-collapse:collapse;font-size:12px}",
        "td,th{border:1px solid #ccc;padding:3px 5px;vertical-align:top} th{background:#f3f3f3}",
        ".pass{color:#1a7f37;font-weight:bold} .fail{color:#c62828;font-weight:bold}",
        ".na{color:#777} .expl{color:#8a6d00;font-weight:bold} code{font-size:11px}</style></head><body>",
        f"<h1>Validation report{' (quick subset)' if quick else ''}</h1>",
        f"<p>Generated {html.escape(stamp)}"
        + (f" in {elapsed_s:.0f} s" if elapsed_s else "")
        + f"; {html.escape(versions)}.</p>",
        f"<p>{html.escape(INTRO)}</p>",
        f"<p><b>{s['passed']} passed, {s['failed']} failed, {s['explained']} compared and explained, "
        f"{s['not_available']} not available</b> (of {s['total']} rows).</p>",
    ]
    if failed:
        h.append(
            "<h3>What failed, and why</h3><ul>"
            + "".join(
                f"<li><code>{html.escape(r.id)}</code>: {html.escape(r.compared)}: {html.escape(r.value)} against "
                f"{html.escape(r.tolerance)}. {html.escape(r.note)}</li>"
                for r in failed
            )
            + "</ul>"
        )
    else:
        h.append("<p>Nothing failed.</p>")
    cls = {"pass": "pass", "FAIL": "fail", "not available": "na", "compared, explained": "expl"}
    for g, rs in groups.items():
        h.append(
            f"<h2>{html.escape(g)}</h2><table><tr>"
            + "".join(
                f"<th>{c}</th>"
                for c in (
                    "id",
                    "compared",
                    "reference",
                    "metric",
                    "tolerance",
                    "why this tolerance",
                    "result",
                    "verdict",
                    "note",
                )
            )
            + "</tr>"
        )
        for r in rs:
            cells = [f"<code>{html.escape(r.id)}</code>"] + [
                html.escape(str(c))
                for c in (r.compared, r.reference, r.metric, r.tolerance, r.tolerance_reason, r.value)
            ]
            cells.append(f"<span class='{cls[r.verdict]}'>{html.escape(r.verdict)}</span>")
            cells.append(html.escape(r.note))
            h.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        h.append("</table>")
        for p in sorted({r.plot for r in rs if r.plot}):
            f = out_dir / p
            if f.is_file():
                h.append(f"<div>{f.read_text(encoding='utf-8')}</div>")
    h.append(_md_notes_to_html(NOTES))
    h.append("</body></html>")
    html_path = out_dir / "report.html"
    atomic_write_text(html_path, "\n".join(h))
    return md_path, html_path


def _md_notes_to_html(text: str) -> str:
    """The notes section (headings, paragraphs, **bold**, *italic*, `code`) as HTML."""
    import re

    out = []
    for para in text.strip().split("\n\n"):
        p = html.escape(para.strip())
        p = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", p)
        p = re.sub(r"\*(.+?)\*", r"<i>\1</i>", p)
        p = re.sub(r"`(.+?)`", r"<code>\1</code>", p)
        if p.startswith("## "):
            out.append(f"<h2>{p[3:]}</h2>")
        else:
            out.append(f"<p>{p}</p>")
    return "\n".join(out)


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"Python {platform.python_version()}"]
    for dist in ("lingtan", "NREL-PySAM", "highspy", "pvlib", "windpowerlib"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            pass
    return ", ".join(parts)


__all__ = ["write_report", "svg_grouped_bars", "atomic_write_text"]
