"""The synthetic weather ensemble against its stated interannual spread (issue 15, point 7).

N synthetic years of Hefei (:func:`lingtan.weather.ensemble.synthetic_members`, seed 0) are generated
and their annual GHI and annual PV yield (1 kWp, fixed 20 deg south, :func:`lingtan.components.pv.
pv_ac_kw_per_kwp` on the frame as ``case_pv`` does) are compared with:

- the stated relative standard deviation of annual GHI (``InterannualSpread.annual_ghi_rel_sd``):
  the sample SD of N normal draws lies, with 95 % probability, within
  ``sigma * sqrt(chi2(0.025, N-1) / (N-1)) .. sigma * sqrt(chi2(0.975, N-1) / (N-1))``;
  PV yield follows irradiation to first order, so its relative SD is compared with the same interval;
- the typical year (``synthetic_year(climate, seed=0)``): the ensemble's P50 (median) within 1 %,
  or, when N is small, within the 99 % sampling interval of a median,
  ``2.576 * 1.2533 * sigma / sqrt(N)``, whichever is larger.

N = 200 in the full run; the quick run (inside ``make test``) uses N = 30.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lingtan.twin.core.odds import exceedance
from lingtan.validation.result import CaseResult

__all__ = ["case_ensemble", "ENSEMBLE_MEMBERS", "ENSEMBLE_MEMBERS_QUICK"]

ENSEMBLE_MEMBERS = 200
ENSEMBLE_MEMBERS_QUICK = 30
P50_TOL = 0.01  # [-], the tolerance on the P50 against the typical year
_CITY = "hefei"
_YEAR = 2025
_SEED = 0
_SD_LEVEL = 0.95
_MEDIAN_Z = 2.576  # two-sided 99 % normal quantile
_MEDIAN_SE_FACTOR = 1.2533  # sqrt(pi / 2): standard error of a normal sample's median / that of its mean


def _chi2_sd_interval(n: int, level: float = _SD_LEVEL) -> tuple[float, float]:
    """Bounds of (sample SD / true SD) of ``n`` normal draws at two-sided ``level``."""
    from scipy.stats import chi2

    a = (1.0 - level) / 2.0
    return float(np.sqrt(chi2.ppf(a, n - 1) / (n - 1))), float(np.sqrt(chi2.ppf(1.0 - a, n - 1) / (n - 1)))


def _annual(frame, climate, array) -> tuple[float, float]:
    """Annual GHI [kWh/m2] and annual AC yield of the array [kWh/kWp] of one weather year."""
    from lingtan.components.pv import pv_ac_kw_per_kwp

    pv = pv_ac_kw_per_kwp(frame, climate.latitude, climate.longitude, climate.altitude_m, array)
    return float(frame["ghi"].sum()) / 1000.0, float(np.asarray(pv, dtype=float).sum()) / array.capacity_kwp


def case_ensemble(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    """Spread and median of the synthetic ensemble's annual GHI and PV yield.

    Parameters
    ----------
    quick : bool
        N = 30 members instead of 200.
    plot_dir : Path, optional
        Folder for the distribution plot (annual GHI and PV yield relative to the typical year).

    Returns
    -------
    list of CaseResult
        Four rows: SD of annual GHI and of PV yield, P50 of annual GHI and of PV yield.
    """
    from lingtan.components.pv import PVArray
    from lingtan.weather import city_climate, synthetic_year
    from lingtan.weather.ensemble import interannual_spread, synthetic_members

    n = ENSEMBLE_MEMBERS_QUICK if quick else ENSEMBLE_MEMBERS
    climate = city_climate(_CITY)
    spread = interannual_spread(_CITY)
    array = PVArray(name="fixed_t20_s", capacity_kwp=1.0, tilt_deg=20, azimuth_deg=180)
    stated = spread.annual_ghi_rel_sd(climate)
    ghi, pv = np.array([_annual(f, climate, array) for f, _ in synthetic_members(climate, n, year=_YEAR, seed=_SEED)]).T
    ghi_typ, pv_typ = _annual(synthetic_year(climate, year=_YEAR, seed=_SEED), climate, array)
    lo, hi = _chi2_sd_interval(n)
    p50_tol = max(P50_TOL, _MEDIAN_Z * _MEDIAN_SE_FACTOR * stated / np.sqrt(n))
    common = dict(
        group="6b Weather ensemble vs its stated spread",
        reference=f"{_CITY}: stated interannual SD of annual GHI {100 * stated:.2f} % "
        f"({'documented default' if spread.is_default else 'published figure'}: {spread.source}); "
        f"typical year synthetic_year(seed {_SEED}); N = {n} members, seed {_SEED}",
    )
    sd_reason = (
        f"{100 * _SD_LEVEL:.0f} % chi-square interval of a sample SD of N = {n} normal draws, "
        f"sqrt(chi2_(0.025|0.975)(N-1) / (N-1)), computed with scipy.stats.chi2"
    )
    p50_reason = (
        "the issue's 1 %"
        if p50_tol == P50_TOL
        else f"N = {n} is small: the 99 % sampling interval of a median, 2.576 x 1.2533 x SD / sqrt(N), "
        "is wider than the issue's 1 %"
    )
    rows = []
    for key, what, values, typical, unit in (
        ("ghi", "annual GHI", ghi, ghi_typ, "kWh/m2"),
        ("pv", "annual PV yield (1 kWp, 20 deg south, pv_ac_kw_per_kwp)", pv, pv_typ, "kWh/kWp"),
    ):
        ratio = float(values.std(ddof=1) / values.mean() / stated)
        rows.append(
            CaseResult(
                id=f"ensemble.{_CITY}.{key}_sd",
                compared=f"relative SD of {what} over the members",
                metric="sample relative SD / stated SD",
                tolerance=f"{lo:.3f} .. {hi:.3f}",
                tolerance_reason=sd_reason + ("" if key == "ghi" else "; PV yield follows irradiation to first order"),
                value=f"{ratio:.3f}",
                passed=bool(lo <= ratio <= hi),
                note=f"sample {100 * values.std(ddof=1) / values.mean():.2f} %, mean {values.mean():.1f} {unit}",
                **common,
            )
        )
        p50 = exceedance(values, 50)
        err = p50 / typical - 1.0
        rows.append(
            CaseResult(
                id=f"ensemble.{_CITY}.{key}_p50",
                compared=f"P50 (median) of {what}",
                metric="P50 / typical year - 1",
                tolerance=f"±{100 * p50_tol:.2f} %",
                tolerance_reason=p50_reason,
                value=f"{100 * err:+.2f} %",
                passed=bool(abs(err) <= p50_tol),
                note=f"P50 {p50:.1f}, typical year {typical:.1f} {unit}; P90 {exceedance(values, 90):.1f}",
                **common,
            )
        )
    if plot_dir is not None:
        from lingtan.validation.report import svg_grouped_bars

        edges = np.linspace(-4.0, 4.0, 17)  # bins of half a stated SD
        labels = [f"{(a + b) / 2:+.1f}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
        counts = {
            name: list(np.histogram((v / typ - 1.0) / stated, bins=edges)[0] / n)
            for name, v, typ in (("annual GHI", ghi, ghi_typ), ("PV yield", pv, pv_typ))
        }
        svg_grouped_bars(
            plot_dir / "ensemble_spread.svg",
            f"{_CITY}: members' deviation from the typical year, in stated SDs (share of {n} members)",
            labels,
            counts,
        )
        rows = [CaseResult(**{**r.__dict__, "plot": "plots/ensemble_spread.svg"}) for r in rows]
    return rows
