"""Multi-year criteria: functions of a list of per-year KPI dicts, oldest year first.

* Coal down >= 3 % every year (Anhui Annex 1, 2.1): :func:`coal_decline_verdicts`.
* Energy or carbon intensity down >= 5 %/yr on average over 3 years (Zhejiang Annex 1, 序号5):
  :func:`average_annual_decline` — the geometric mean, ``1 - (I_last / I_first) ** (1 / n)`` over
  the ``n`` intervals of the list.
* Three-year renewable shares (Zhejiang: "近3年能源消费中...来自厂界内可再生能源"):
  :func:`three_year_share` = sum of the numerator over the last three years / sum of the
  denominator (a ratio of sums, so a big year weighs more than a small one).

:func:`trend_kpis` turns the list into KPI keys the packs read (``coal_change_fraction``,
``intensity_decline_avg_fraction``, ``re_energy_share_onsite_3yr_<basis>``); merge them into the
last year's KPIs before :func:`lingtan.twin.accounting.criteria.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lingtan.errors import InputError
from lingtan.twin.accounting.criteria.core import Context, Verdict
from lingtan.twin.accounting.criteria.packs import anhui_park_2024
from lingtan.twin.core.schema.criteria import CriteriaSettings, Declared


def _values(years: Sequence[Mapping[str, Any]], key: str) -> list[float]:
    out = []
    for i, y in enumerate(years):
        if key not in y or y[key] is None:
            raise InputError(None, f"years[{i}].{key}", "a number", "nothing")
        out.append(float(y[key]))
    return out


def yearly_changes(years: Sequence[Mapping[str, Any]], key: str) -> list[float]:
    """Year-on-year relative changes of ``key`` (negative = decline); len(years) - 1 values.

    A year after a zero year gives -1.0 if it is zero too (nothing left to cut), +inf otherwise.

    Parameters
    ----------
    years : sequence of mapping
        Per-year KPIs, oldest first.
    key : str
        The KPI.

    Returns
    -------
    list of float
        Changes [fraction], one per year after the first.
    """
    v = _values(years, key)
    out = []
    for prev, cur in zip(v, v[1:], strict=False):
        if prev <= 0:
            out.append(-1.0 if cur <= 0 else float("inf"))
        else:
            out.append((cur - prev) / prev)
    return out


def average_annual_decline(years: Sequence[Mapping[str, Any]], key: str) -> float:
    """Geometric mean annual decline of ``key`` over the list (0.05 = 5 %/yr down).

    Parameters
    ----------
    years : sequence of mapping
        Per-year KPIs, oldest first.
    key : str
        The KPI.

    Returns
    -------
    float
        Mean decline [fraction per year]: ``1 - (last / first) ** (1 / (n - 1))``.
    """
    v = _values(years, key)
    if len(v) < 2:
        raise InputError(None, "years", "at least two years", f"{len(v)} year(s)")
    if v[0] <= 0:
        raise InputError(None, f"years[0].{key}", "a positive intensity", repr(v[0]))
    n = len(v) - 1
    return 1.0 - (max(v[-1], 0.0) / v[0]) ** (1.0 / n)


def three_year_share(years: Sequence[Mapping[str, Any]], num_key: str, den_key: str) -> float:
    """Sum of ``num_key`` over the last three years / sum of ``den_key`` (0 if the denominator is 0).

    Parameters
    ----------
    years : sequence of mapping
        Per-year KPIs, oldest first.
    num_key, den_key : str
        KPIs of the numerator and the denominator.

    Returns
    -------
    float
        The share [fraction].
    """
    last = list(years)[-3:]
    num = sum(_values(last, num_key))
    den = sum(_values(last, den_key))
    return num / den if den > 0 else 0.0


def coal_decline_verdicts(
    years: Sequence[Mapping[str, Any]], key: str = "coal_tce", settings: CriteriaSettings | None = None
) -> list[Verdict]:
    """Anhui 2.1 coal criterion for every year after the first (one verdict per year).

    Parameters
    ----------
    years : sequence of mapping
        Per-year KPIs, oldest first.
    key : str
        The coal KPI [tce].
    settings : CriteriaSettings, optional
        Definition variants.

    Returns
    -------
    list of Verdict
        One verdict per year after the first.
    """
    crit = next(c for c in anhui_park_2024.criteria() if c.id.endswith("coal_decline"))
    out = []
    for i, change in enumerate(yearly_changes(years, key), start=1):
        ctx = Context(
            kpis={"coal_change_fraction": change}, declared=Declared(), settings=settings or CriteriaSettings()
        )
        v = crit.evaluate(ctx).case(0)
        label = years[i].get("year", i)
        out.append(Verdict(**{**v.to_dict(), "note": f"year {label}: {v.note}".rstrip(": ")}))
    return out


def trend_kpis(
    years: Sequence[Mapping[str, Any]], intensity_key: str | None = None, coal_key: str = "coal_tce"
) -> dict[str, Any]:
    """KPI keys of the multi-year criteria, from per-year KPI dicts (oldest first).

    Keys present only when their inputs are: ``coal_change_fraction`` (last year over the one
    before), ``coal_change_fractions`` (all), ``intensity_decline_avg_fraction`` (needs
    ``intensity_key``), ``re_energy_share_onsite_3yr_<basis>`` (needs ``renewable_<basis>_tce``
    and ``energy_<basis>_tce`` in every year).

    Parameters
    ----------
    years : sequence of mapping
        Per-year KPIs, oldest first.
    intensity_key : str, optional
        KPI of the energy intensity whose average decline is reported.
    coal_key : str
        The coal KPI [tce].

    Returns
    -------
    dict
        The keys above that could be computed.
    """
    out: dict[str, Any] = {}
    if len(years) >= 2 and all(coal_key in y for y in years):
        ch = yearly_changes(years, coal_key)
        out["coal_change_fractions"] = ch
        out["coal_change_fraction"] = ch[-1]
    if intensity_key and len(years) >= 2 and all(intensity_key in y for y in years):
        out["intensity_decline_avg_fraction"] = average_annual_decline(years, intensity_key)
    for basis in ("equivalent", "calorific"):
        num, den = f"renewable_{basis}_tce", f"energy_{basis}_tce"
        if years and all(num in y and den in y for y in years):
            out[f"re_energy_share_onsite_3yr_{basis}"] = three_year_share(years, num, den)
    if years and all("re_consumed_e_kwh" in y and "electricity_consumed_e_kwh" in y for y in years):
        out["re_electricity_share_onsite_3yr"] = three_year_share(
            years, "re_consumed_e_kwh", "electricity_consumed_e_kwh"
        )
    return out


__all__ = ["yearly_changes", "average_annual_decline", "three_year_share", "coal_decline_verdicts", "trend_kpis"]
