"""Grid connection: time-of-use tariffs, the electricity bill and grid emission factors.

Conventions
-----------
* Hourly series are powers in [kW] held for one hour, so a value is also the energy in
  [kWh] of that hour. Values are labelled at the interval start: the hour 08:00-09:00 is
  the row labelled 08:00, and it takes the period of hour 8 of the period table.
* The hour and the month are read in the index's own time zone (the site's local time,
  default ``Asia/Shanghai``); a tz-naive index is taken as local time.
* Time-of-use periods have fixed integer codes, used by the dispatch kernel:
  ``0 valley, 1 flat, 2 peak, 3 critical`` (:data:`PERIODS`).
* Import and export are separate non-negative flows; nothing here nets them.

Data
----
Shipped tariffs live in ``components/data/tariffs/<name>.yaml`` and shipped grid emission
factors in ``components/data/emission_factors.csv``; ``components/data/README.md`` lists
their sources and the confidence of every number (confirmed / secondary / assumed).

References
----------
.. [1] NDRC, 发改价格〔2021〕1093号, on improving time-of-use electricity pricing.
.. [2] Anhui DRC, 皖发改价格〔2025〕302号; Zhejiang DRC, 浙发改价格〔2024〕21号;
       Hunan DRC, 湘发改价调〔2025〕385号 (period definitions).
.. [3] MEE & NBS, announcements of the 2021, 2022 and 2023 electricity CO2 emission factors.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from lingtan.errors import InputError, require_file
from lingtan.limits import MAX_DATA_FILE_BYTES, MAX_EF_T_PER_MWH, MAX_POWER_KW, MAX_PRICE_CNY
from lingtan.loader import check_numbers, read_yaml
from lingtan.paths import looks_like_path, resolve_input

DATA_DIR = Path(__file__).resolve().parent / "data"
TARIFF_DIR = DATA_DIR / "tariffs"
EMISSION_FACTORS_CSV = DATA_DIR / "emission_factors.csv"

PERIODS = ("valley", "flat", "peak", "critical")
"""Time-of-use period names in the order of their integer codes (0..3)."""

Period = Literal["valley", "flat", "peak", "critical"]

_PERIOD_CODE = {name: code for code, name in enumerate(PERIODS)}
_LETTER = {"v": "valley", "f": "flat", "p": "peak", "c": "critical"}
_MONTH_DAY_FORMAT = "MM-DD, e.g. 07-15"


# --------------------------------------------------------------------------- models


class PeriodOverride(BaseModel):
    """A period that replaces the monthly table on some days of the year and some hours.

    Used for rules that do not follow whole months, e.g. Anhui's critical period from
    15 July to 31 August, 20:00-22:00. The date window is inclusive and may wrap the year
    end (``start_month_day: "12-15"``, ``end_month_day: "01-31"``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_month_day: str = Field(description="first day of the window, MM-DD, inclusive")
    end_month_day: str = Field(description="last day of the window, MM-DD, inclusive")
    hours: tuple[int, ...] = Field(min_length=1, description="interval-start hours 0..23 [h]")
    period: Period = Field(description="period applied in these hours of these days")

    @field_validator("start_month_day", "end_month_day")
    @classmethod
    def _month_day(cls, v: str) -> str:
        try:
            pd.Timestamp(f"2024-{v}")  # leap year: 02-29 is valid
        except Exception as exc:  # noqa: BLE001
            raise ValueError(f"expected {_MONTH_DAY_FORMAT}, found {v!r}") from exc
        if len(v) != 5 or v[2] != "-":
            raise ValueError(f"expected {_MONTH_DAY_FORMAT}, found {v!r}")
        return v

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        bad = [h for h in v if not 0 <= h <= 23]
        if bad:
            raise ValueError(f"hours must lie in 0..23, found {bad}")
        return v


class Tariff(BaseModel):
    """A time-of-use tariff for one customer class and voltage level.

    Attributes are the YAML keys of a tariff file (or of an inline ``grid.tariff``).

    ``periods`` is a 12 x 24 table, one row per month (January first), one entry per
    interval-start hour. Each row is either a list of 24 period names or a 24-character
    string of the letters ``v f p c`` (valley, flat, peak, critical); both are stored as
    names. ``price_cny_per_kwh`` maps each period used to a price, either one number or a
    list of 12 monthly prices (January first) where the price differs by month.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="tariff name; a shipped tariff's file stem")
    source: str = Field(min_length=1, description="documents the numbers come from, with their confidence")
    currency: Literal["CNY"] = "CNY"
    periods: tuple[tuple[Period, ...], ...] = Field(
        description="12 x 24 period names by month (rows) and interval-start hour (columns)"
    )
    overrides: tuple[PeriodOverride, ...] = Field(
        default=(), description="date windows that replace the table's period in some hours"
    )
    price_cny_per_kwh: dict[Period, float | tuple[float, ...]] = Field(
        description="energy price per period [CNY/kWh]: one value, or 12 monthly values"
    )
    basic_charge_basis: Literal["demand", "capacity", "none"] = Field(
        default="demand",
        description="basic charge (基本电费) on the month's maximum import (demand) or on the contracted capacity",
    )
    demand_charge_cny_per_kw_month: float = Field(
        default=0.0,
        ge=0,
        le=MAX_PRICE_CNY,
        description="on the month's maximum 1-hour import [CNY/(kW*month)]; upper bound lingtan.limits.MAX_PRICE_CNY",
    )
    capacity_charge_cny_per_kva_month: float = Field(
        default=0.0,
        ge=0,
        le=MAX_PRICE_CNY,
        description="on the contracted transformer capacity [CNY/(kVA*month)]; upper bound "
        "lingtan.limits.MAX_PRICE_CNY",
    )
    contracted_capacity_kva: float | None = Field(
        default=None,
        gt=0,
        le=MAX_POWER_KW,
        validate_default=True,
        description="contracted transformer capacity [kVA]; needed for the capacity basis; "
        "upper bound lingtan.limits.MAX_POWER_KW",
    )
    feed_in_price_cny_per_kwh: float = Field(
        default=0.0,
        ge=0,
        le=MAX_PRICE_CNY,
        description="paid for exported energy [CNY/kWh]; upper bound lingtan.limits.MAX_PRICE_CNY",
    )

    @field_validator("periods", mode="before")
    @classmethod
    def _expand_letters(cls, v: Any) -> Any:
        if not isinstance(v, (list, tuple)):
            return v
        rows = []
        for i, row in enumerate(v):
            if isinstance(row, str):
                unknown = sorted({ch for ch in row if ch not in _LETTER})
                if unknown:
                    raise ValueError(f"row {i}: letters must be among v f p c, found {unknown}")
                row = [_LETTER[ch] for ch in row]
            rows.append(row)
        return rows

    @field_validator("periods")
    @classmethod
    def _shape(cls, v: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        if len(v) != 12:
            raise ValueError(f"expected 12 rows (one per month), found {len(v)} rows")
        for i, row in enumerate(v):
            if len(row) != 24:
                raise ValueError(f"row {i} (month {i + 1}): expected 24 hours, found {len(row)}")
        return v

    @field_validator("price_cny_per_kwh")
    @classmethod
    def _prices(cls, v: dict, info: ValidationInfo) -> dict:
        periods = info.data.get("periods") or ()
        overrides = info.data.get("overrides") or ()
        used = {p for row in periods for p in row} | {o.period for o in overrides}
        missing = [p for p in PERIODS if p in used and p not in v]
        if missing:
            raise ValueError(f"period(s) {missing} are used in periods/overrides but have no price")
        for period, price in v.items():
            values = price if isinstance(price, tuple) else (price,)
            if isinstance(price, tuple) and len(price) != 12:
                raise ValueError(f"{period}: expected one price or 12 monthly prices, found {len(price)} values")
            if any(not np.isfinite(p) or p < 0 or p > MAX_PRICE_CNY for p in values):
                raise ValueError(
                    f"{period}: prices must be finite, >= 0 and <= {MAX_PRICE_CNY:g} "
                    f"(lingtan.limits.MAX_PRICE_CNY), found {price}"
                )
        return v

    @field_validator("contracted_capacity_kva")
    @classmethod
    def _capacity_basis(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is None and info.data.get("basic_charge_basis") == "capacity":
            raise ValueError("basic_charge_basis 'capacity' needs contracted_capacity_kva")
        return v

    # -- derived arrays (cheap; recomputed on demand because the model is frozen) --

    def code_table(self) -> np.ndarray:
        """Period codes by month and hour.

        Returns
        -------
        ndarray of int8, shape (12, 24)
            Codes of :data:`PERIODS` (0 valley .. 3 critical), months January first, interval-start hours.
        """
        return np.array([[_PERIOD_CODE[p] for p in row] for row in self.periods], dtype=np.int8)

    def price_table_cny_per_kwh(self) -> np.ndarray:
        """Prices by month and period code.

        Returns
        -------
        ndarray, shape (12, 4)
            Energy price [CNY/kWh] by month (January first) and period code; NaN for unpriced periods.
        """
        table = np.full((12, len(PERIODS)), np.nan)
        for period, price in self.price_cny_per_kwh.items():
            table[:, _PERIOD_CODE[period]] = np.asarray(price, dtype=float)
        return table


class HourlyEmissionFactorProfile(BaseModel):
    """An hourly grid emission factor read from a CSV file (one row per hour of the run)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="CSV file, relative to the scenario file (lingtan.paths.resolve_input)")
    column: str = Field(default="ef_t_per_mwh", description="column holding the factor [tCO2/MWh]")


EmissionFactorSpec = float | str | HourlyEmissionFactorProfile
"""How a scenario names its grid emission factor (``grid.emission_factor``):

* a number: a constant factor ``ef_t_per_mwh`` [tCO2/MWh], at most :data:`lingtan.limits.MAX_EF_T_PER_MWH`;
* a string naming a shipped factor (``national_2022``, ``anhui_2022`` ...; see
  :func:`emission_factor_names`);
* a string ending in ``.csv``: shorthand for ``{path: <that file>}``;
* ``{path: ..., column: ef_t_per_mwh}``: an hourly profile, one row per hour of the run.
"""


class GridConnection(BaseModel):
    """The site's connection to the public grid (the ``grid`` block of a scenario)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    import_limit_kw: float = Field(
        default=MAX_POWER_KW,
        gt=0,
        le=MAX_POWER_KW,
        description="largest import [kW]; the default and upper bound lingtan.limits.MAX_POWER_KW means no limit",
    )
    export_allowed: bool = Field(default=False, description="whether surplus may be fed into the grid")
    export_limit_kw: float = Field(
        default=0.0,
        ge=0,
        le=MAX_POWER_KW,
        description="largest export when allowed [kW]; upper bound lingtan.limits.MAX_POWER_KW",
    )
    tariff: str | Tariff = Field(
        default="anhui_large_industry_2025",
        description="a shipped tariff name, a path to a tariff YAML (relative to the scenario file), "
        "or an inline tariff",
    )
    emission_factor: EmissionFactorSpec = Field(
        default="national_2022",
        description="shipped factor name, constant ef_t_per_mwh [tCO2/MWh], or hourly CSV profile",
    )

    @field_validator("tariff")
    @classmethod
    def _known_tariff(cls, v: str | Tariff) -> str | Tariff:
        if isinstance(v, str) and not looks_like_path(v) and v not in tariff_names():
            raise ValueError(f"unknown tariff {v!r}; shipped tariffs: {', '.join(tariff_names())}")
        return v

    @field_validator("emission_factor", mode="before")
    @classmethod
    def _ef_spec(cls, v: Any) -> Any:
        if isinstance(v, str) and v.lower().endswith(".csv"):
            return {"path": v}
        return v

    @field_validator("emission_factor")
    @classmethod
    def _known_factor(cls, v: EmissionFactorSpec) -> EmissionFactorSpec:
        if isinstance(v, str) and v not in emission_factor_names():
            raise ValueError(f"unknown emission factor {v!r}; shipped factors: {', '.join(emission_factor_names())}")
        if isinstance(v, float) and not (np.isfinite(v) and 0 <= v <= MAX_EF_T_PER_MWH):
            raise ValueError(
                f"an emission factor from 0 to {MAX_EF_T_PER_MWH} tCO2/MWh (lingtan.limits.MAX_EF_T_PER_MWH)"
            )  # the found value is added by the error's text
        return v

    @property
    def effective_export_limit_kw(self) -> float:
        """Export limit in force.

        Returns
        -------
        float
            ``export_limit_kw`` [kW]; 0 when export is not allowed.
        """
        return self.export_limit_kw if self.export_allowed else 0.0

    def resolved_tariff(self, base_dir: str | Path = ".") -> Tariff:
        """The :class:`Tariff` object, loading a shipped tariff by name or a file tariff relative to
        ``base_dir`` (the scenario file's folder).

        Parameters
        ----------
        base_dir : str or Path
            The scenario file's folder.

        Returns
        -------
        Tariff
            The inline tariff, or the one :func:`load_tariff` reads.

        Raises
        ------
        InputError
            When the tariff file is missing or invalid.
        """
        return self.tariff if isinstance(self.tariff, Tariff) else load_tariff(self.tariff, base_dir)


# --------------------------------------------------------------------------- tariffs


def tariff_names() -> list[str]:
    """Names of the shipped tariffs.

    Returns
    -------
    list of str
        File stems in ``components/data/tariffs``, sorted.
    """
    return list(_shipped_tariff_names())


@lru_cache(maxsize=1)
def _shipped_tariff_names() -> tuple[str, ...]:
    # Listed once per process: every scenario validation checks a tariff name (sweeps validate thousands).
    return tuple(sorted(p.stem for p in TARIFF_DIR.glob("*.yaml")))


def load_tariff(name_or_path: str | Path, base_dir: str | Path = ".") -> Tariff:
    """Load a shipped tariff by name, or a tariff YAML file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A shipped name (see :func:`tariff_names`) or a path to a YAML file.
    base_dir : str or Path
        Folder a relative path starts from: the scenario file's folder (:func:`lingtan.paths.resolve_input`).

    Returns
    -------
    Tariff
        The validated tariff.

    Raises
    ------
    lingtan.errors.InputError
        Unknown name (the message lists the shipped ones), unreadable file, or a value
        that fails validation (the message names the file and the field).
    """
    s = str(name_or_path)
    if isinstance(name_or_path, Path) or looks_like_path(s):
        path = resolve_input(base_dir, s, field="grid.tariff")
        require_file(path, "tariff", "an existing tariff YAML file")
    else:
        path = TARIFF_DIR / f"{s}.yaml"
        if not path.is_file():
            raise InputError(TARIFF_DIR, "tariff", f"one of the shipped tariffs: {', '.join(tariff_names())}", repr(s))
    path = path.resolve()
    stat = path.stat()
    return _load_tariff_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load_tariff_file(path: Path, mtime_ns: int, size: int) -> Tariff:
    # Keyed by modification time and size too: a long-running dashboard sees an edited tariff file.
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(path, "(file)", "a mapping of tariff fields", type(data).__name__)
    try:
        tariff = Tariff.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or "(tariff)"
        found = repr(err.get("input"))
        if len(found) > 120:
            found = found[:117] + "..."
        raise InputError(path, field, err["msg"], found) from None
    check_numbers(data, tariff, path)
    return tariff


def _month_hour(index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"expected a pandas DatetimeIndex, found {type(index).__name__}")
    return np.asarray(index.month, dtype=np.int64) - 1, np.asarray(index.hour, dtype=np.int64)


def _md_ordinal(md: str) -> int:
    return int(md[:2]) * 100 + int(md[3:])


def period_codes(index: pd.DatetimeIndex, tariff: Tariff) -> np.ndarray:
    """Time-of-use period code of every hour.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Interval-start labels, local time (tz-aware or naive).
    tariff : Tariff
        The time-of-use tariff.

    Returns
    -------
    numpy.ndarray of int8, shape (len(index),)
        0 valley, 1 flat, 2 peak, 3 critical (:data:`PERIODS`).
    """
    month0, hour = _month_hour(index)
    codes = tariff.code_table()[month0, hour]
    if tariff.overrides:
        md = (month0 + 1) * 100 + np.asarray(index.day, dtype=np.int64)
        for o in tariff.overrides:
            start, end = _md_ordinal(o.start_month_day), _md_ordinal(o.end_month_day)
            in_days = (md >= start) & (md <= end) if start <= end else (md >= start) | (md <= end)
            mask = in_days & np.isin(hour, o.hours)
            codes[mask] = _PERIOD_CODE[o.period]
    return codes.astype(np.int8, copy=False)


def hourly_price_cny_per_kwh(index: pd.DatetimeIndex, tariff: Tariff) -> np.ndarray:
    """Energy price of every hour [CNY/kWh].

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Interval-start labels, local time.
    tariff : Tariff
        The time-of-use tariff.

    Returns
    -------
    numpy.ndarray of float, shape (len(index),)
        Price of the hour's month and period [CNY/kWh].
    """
    month0, _ = _month_hour(index)
    return tariff.price_table_cny_per_kwh()[month0, period_codes(index, tariff)]


def basic_charge_cny(
    max_import_kw_by_month: ArrayLike, tariff: Tariff, contracted_capacity_kva: float | None = None
) -> np.ndarray:
    """Basic charge (基本电费) of each billed month [CNY], vectorised.

    Parameters
    ----------
    max_import_kw_by_month : array_like, shape (..., M)
        Largest hourly import of each billed month [kW].
    tariff : Tariff
        The time-of-use tariff.
    contracted_capacity_kva : float, optional
        Overrides ``tariff.contracted_capacity_kva`` for the capacity basis [kVA].

    Returns
    -------
    ndarray, shape (..., M)
        Basic charge of each month [CNY]. Demand basis: monthly maximum times the demand price.
        Capacity basis: the contracted capacity times the capacity price, every month. None: zeros.

    Raises
    ------
    ValueError
        For the capacity basis without a contracted capacity.
    """
    peak = np.asarray(max_import_kw_by_month, dtype=float)
    if tariff.basic_charge_basis == "demand":
        return peak * tariff.demand_charge_cny_per_kw_month
    if tariff.basic_charge_basis == "capacity":
        kva = contracted_capacity_kva if contracted_capacity_kva is not None else tariff.contracted_capacity_kva
        if kva is None:
            raise ValueError("the capacity basis needs contracted_capacity_kva")
        return np.full_like(peak, kva * tariff.capacity_charge_cny_per_kva_month)
    return np.zeros_like(peak)


def bill_from_totals(
    energy_charge_cny: ArrayLike, max_import_kw_by_month: ArrayLike, feed_in_revenue_cny: ArrayLike, tariff: Tariff
) -> dict[str, np.ndarray]:
    """The annual bill of many configurations from the dispatch kernel's totals [CNY].

    The kernel sums import times the hourly price (:func:`hourly_price_cny_per_kwh`)
    and export times the feed-in price, and keeps each month's largest import;
    this adds the basic charge with :func:`basic_charge_cny`, the same rule
    :func:`grid_bill` applies to an hourly series.

    Parameters
    ----------
    energy_charge_cny : array_like, shape (N,)
        Import times the hourly price, summed over the year [CNY].
    max_import_kw_by_month : array_like, shape (N, 12)
        Largest hourly import of each month [kW].
    feed_in_revenue_cny : array_like, shape (N,)
        Export times the feed-in price, summed over the year [CNY].
    tariff : Tariff
        The time-of-use tariff.
        The time-of-use tariff.

    Returns
    -------
    dict of ndarray, shape (N,)
        ``energy_charge_cny``, ``basic_charge_cny``, ``feed_in_revenue_cny`` and
        ``total_cny`` = energy + basic - feed-in [CNY].
    """
    energy = np.asarray(energy_charge_cny, dtype=float)
    basic = basic_charge_cny(max_import_kw_by_month, tariff).sum(axis=-1)
    revenue = np.asarray(feed_in_revenue_cny, dtype=float)
    return {
        "energy_charge_cny": energy,
        "basic_charge_cny": basic,
        "feed_in_revenue_cny": revenue,
        "total_cny": energy + basic - revenue,
    }


def grid_bill(
    import_kw: np.ndarray,
    export_kw: np.ndarray | None,
    index: pd.DatetimeIndex,
    tariff: Tariff,
    contracted_capacity_kva: float | None = None,
) -> dict[str, Any]:
    """Electricity bill of a run.

    Parameters
    ----------
    import_kw : array_like, shape (T,)
        Grid import of every hour [kW] (= [kWh] over the hour), >= 0.
    export_kw : array_like, shape (T,), or None
        Grid export of every hour [kW], >= 0; None for no export.
    index : pandas.DatetimeIndex, length T
        Interval-start labels, local time.
    tariff : Tariff
        The time-of-use tariff.
    contracted_capacity_kva : float, optional
        Overrides ``tariff.contracted_capacity_kva`` for the capacity basis [kVA].

    Returns
    -------
    dict
        ``energy_kwh_by_period`` {period: [kWh]}, ``energy_cny_by_period`` {period: [CNY]},
        ``energy_charge_cny`` [CNY], ``max_import_kw_by_month`` {"YYYY-MM": [kW]},
        ``demand_charge_cny_by_month`` and ``capacity_charge_cny_by_month`` {"YYYY-MM": [CNY]},
        ``basic_charge_cny`` [CNY], ``export_kwh`` [kWh], ``feed_in_revenue_cny`` [CNY],
        ``total_cny`` = energy charge + basic charge - feed-in revenue [CNY].

    Raises
    ------
    ValueError
        For flows of another length than ``index`` or negative flows, or the capacity basis without a
        contracted capacity.

    Notes
    -----
    The basic charge is billed for every calendar month that appears in ``index``, in full,
    even if only part of the month is simulated. The demand basis uses the month's largest
    hourly import (China meters the 15-minute maximum demand; hourly data cannot see it).
    """
    imp = np.asarray(import_kw, dtype=float)
    exp = np.zeros_like(imp) if export_kw is None else np.asarray(export_kw, dtype=float)
    if imp.shape != (len(index),) or exp.shape != (len(index),):
        raise ValueError(f"import_kw and export_kw must have shape ({len(index)},), found {imp.shape} and {exp.shape}")
    if (imp < 0).any() or (exp < 0).any():
        raise ValueError("import_kw and export_kw must be >= 0 (flows are non-negative)")

    codes = period_codes(index, tariff)
    price = tariff.price_table_cny_per_kwh()[np.asarray(index.month) - 1, codes]
    energy_kwh = np.bincount(codes, weights=imp, minlength=len(PERIODS))
    energy_cny = np.bincount(codes, weights=imp * np.nan_to_num(price), minlength=len(PERIODS))
    used = [c for c in range(len(PERIODS)) if (codes == c).any()]
    energy_kwh_by_period = {PERIODS[c]: float(energy_kwh[c]) for c in used}
    energy_cny_by_period = {PERIODS[c]: float(energy_cny[c]) for c in used}
    energy_charge = float(energy_cny.sum())

    month_key = pd.Index(index.strftime("%Y-%m"))
    max_by_month = pd.Series(imp).groupby(month_key.values, sort=True).max()
    months = list(max_by_month.index)
    charge = basic_charge_cny(max_by_month.to_numpy(), tariff, contracted_capacity_kva)
    zero = {m: 0.0 for m in months}
    by_month = {m: float(v) for m, v in zip(months, charge, strict=True)}
    demand_by_month = by_month if tariff.basic_charge_basis == "demand" else zero
    capacity_by_month = by_month if tariff.basic_charge_basis == "capacity" else zero
    basic = float(charge.sum())

    export_kwh = float(exp.sum())
    feed_in = export_kwh * tariff.feed_in_price_cny_per_kwh
    return {
        "energy_kwh_by_period": energy_kwh_by_period,
        "energy_cny_by_period": energy_cny_by_period,
        "energy_charge_cny": energy_charge,
        "max_import_kw_by_month": {m: float(v) for m, v in max_by_month.items()},
        "demand_charge_cny_by_month": demand_by_month,
        "capacity_charge_cny_by_month": capacity_by_month,
        "basic_charge_cny": basic,
        "export_kwh": export_kwh,
        "feed_in_revenue_cny": feed_in,
        "total_cny": energy_charge + basic - feed_in,
    }


# --------------------------------------------------------------------------- emission factors


@lru_cache(maxsize=1)
def _emission_factor_table() -> pd.DataFrame:
    df = pd.read_csv(EMISSION_FACTORS_CSV, dtype={"name": str, "region": str, "kind": str})
    df["data_year"] = df["data_year"].astype("Int64")
    return df


def load_emission_factors() -> pd.DataFrame:
    """The shipped grid emission factors.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, region, data_year, kind, ef_t_per_mwh, source, confidence``;
        ``kind`` is ``average`` (location-based), ``residual`` (national excluding
        market-traded non-fossil power, for the market-based method) or ``fossil``;
        ``ef_t_per_mwh`` in [tCO2/MWh] (= [kgCO2/kWh]).
    """
    return _emission_factor_table().copy()


def emission_factor_names() -> list[str]:
    """Names of the shipped grid emission factors.

    Returns
    -------
    list of str
        The ``name`` column of ``components/data/emission_factors.csv``, in file order.
    """
    return list(_emission_factor_name_tuple())


@lru_cache(maxsize=1)
def _emission_factor_name_tuple() -> tuple[str, ...]:
    return tuple(_emission_factor_table()["name"])


def emission_factor_t_per_mwh(
    spec: EmissionFactorSpec | dict, index: pd.DatetimeIndex, base_dir: str | Path = "."
) -> np.ndarray:
    """Grid emission factor of every hour [tCO2/MWh].

    Parameters
    ----------
    spec : float, str, HourlyEmissionFactorProfile or dict
        See :data:`EmissionFactorSpec`: a constant [tCO2/MWh], a shipped name, a ``.csv``
        path, or ``{path, column}``.
    index : pandas.DatetimeIndex
        Hours of the run; the result has one value per label.
    base_dir : str or Path
        Folder a relative CSV path starts from: the scenario file's folder
        (:func:`lingtan.paths.resolve_input`).

    Returns
    -------
    numpy.ndarray of float, shape (len(index),)
        Factor of every hour [tCO2/MWh].

    Raises
    ------
    lingtan.errors.InputError
        Unknown name (the message lists the shipped ones), missing file or column, wrong
        row count, a file that is not a CSV table, or values that are negative, non-numeric or
        above :data:`lingtan.limits.MAX_EF_T_PER_MWH`.
    """
    n = len(index)
    if isinstance(spec, bool):
        raise InputError(None, "grid.emission_factor", "a number, a shipped name or a CSV path", repr(spec))
    if isinstance(spec, (int, float, np.floating, np.integer)):
        value = float(spec)
        if not (np.isfinite(value) and 0 <= value <= MAX_EF_T_PER_MWH):
            raise InputError(None, "grid.emission_factor", f"0 <= ef_t_per_mwh <= {MAX_EF_T_PER_MWH}", repr(spec))
        return np.full(n, value)
    if isinstance(spec, str) and spec.lower().endswith(".csv"):
        spec = HourlyEmissionFactorProfile(path=spec)
    elif isinstance(spec, dict):
        spec = HourlyEmissionFactorProfile(**spec)
    if isinstance(spec, str):
        table = _emission_factor_table()
        row = table.loc[table["name"] == spec, "ef_t_per_mwh"]
        if row.empty:
            raise InputError(EMISSION_FACTORS_CSV, "name", f"one of: {', '.join(emission_factor_names())}", repr(spec))
        return np.full(n, float(row.iloc[0]))
    if isinstance(spec, HourlyEmissionFactorProfile):
        return _profile(spec, n, base_dir)
    raise InputError(None, "grid.emission_factor", "a number, a shipped name or a CSV path", repr(spec))


def _profile(spec: HourlyEmissionFactorProfile, n: int, base_dir: str | Path) -> np.ndarray:
    path = resolve_input(base_dir, spec.path, field="grid.emission_factor.path")
    require_file(path, "(file)", "an existing CSV file", max_bytes=MAX_DATA_FILE_BYTES)
    try:
        df = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, OSError) as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise InputError(path, "(file)", "a CSV table with a header row", _first_line(exc)) from None
    if spec.column not in df.columns:
        raise InputError(
            path, f"column {spec.column}", "a column of emission factors [tCO2/MWh]", f"columns {list(df.columns)}"
        )
    if len(df) != n:
        raise InputError(path, f"column {spec.column}", f"{n} rows (one per hour of the run)", f"{len(df)} rows")
    values = pd.to_numeric(df[spec.column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0) | (values > MAX_EF_T_PER_MWH))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            path,
            f"column {spec.column}, row {i + 2}",
            f"a number from 0 to {MAX_EF_T_PER_MWH} [tCO2/MWh] (lingtan.limits.MAX_EF_T_PER_MWH)",
            repr(df[spec.column].iloc[i]),
        )
    return values


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160] if text else ''}"
