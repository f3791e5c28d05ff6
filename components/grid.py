"""Grid connection: time-of-use tariffs, the electricity bill and grid emission factors.

Conventions
-----------
* Series are mean powers in [kW] over one time step of ``step_h`` hours (1 for hourly
  data, 0.25 for 15-minute data), so a value times ``step_h`` is the energy in [kWh] of
  that step. Values are labelled at the interval start: the hour 08:00-09:00 is the row
  labelled 08:00, and it takes the period of hour 8 of the period table (so does the
  step 08:45-09:00).
* The maximum demand (最大需量) of a month is the largest step mean of the import: the
  tariff meters the largest 15-minute mean, which hourly data cannot see (an hourly mean
  is at most the largest of its four quarter-hours), so an hourly run under-states it.
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
.. [4] NDRC General Office, 发改办价格〔2016〕1583号, 关于完善两部制电价用户基本电价执行方式的通知
       (contracted maximum demand and its 105 % overrun rule, see :func:`basic_charge_parts_cny`).
.. [5] NDRC & NEA, 发改价格〔2025〕136号, 关于深化新能源上网电价市场化改革 促进新能源高质量发展的通知,
       https://www.ndrc.gov.cn/xxgk/zcfb/tz/202502/t20250209_1396066.html (title and address as cited in
       public code; the notice's text was not retrieved: what :data:`FEED_IN_SETTLEMENTS` says of it is
       the project's summary, secondary).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
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

CONTRACT_OVERRUN_THRESHOLD_PCT = 105
"""A month's maximum demand above this percentage of the contracted demand overruns the contract
(发改办价格〔2016〕1583号, quoted in :func:`basic_charge_parts_cny`). An integer, so that the threshold
of a whole-kW contract is exact and a demand of exactly 105 % is not an overrun."""

CONTRACT_OVERRUN_PRICE_FACTOR = 2.0
"""The overrun is billed at this multiple of the demand price (加一倍收取, same clause)."""

FEED_IN_SETTLEMENTS = {
    "fixed": "the tariff's feed_in_price_cny_per_kwh, as given (its source in the tariff's source text)",
    "coal_benchmark": "the province's coal-fired benchmark price (燃煤发电基准价), coal_benchmark_cny_per_kwh: "
    "the price of surplus PV of projects commissioned before 2025-06-01 (发改价格〔2025〕136号: existing "
    "projects' mechanism price not above the local coal benchmark)",
    "market": "the user's expected market price of exported energy, market_feed_in_cny_per_kwh: projects commissioned "
    "from 2025-06-01 settle their on-grid energy at market prices (发改价格〔2025〕136号)",
}
"""How exported energy is paid (``Tariff.feed_in_settlement``), with the source of each price.

Whichever is chosen, ``Tariff.feed_in_price_cny_per_kwh`` holds the price [CNY/kWh] that the bill and the
dispatch kernel use for the whole year."""

DEMAND_NOTE_HOURLY = (
    "maximum demand = the month's largest {minutes:g}-minute mean import; the utility meters the largest "
    "15-minute mean (需量), which is at least as high, so this understates the demand charge"
)
DEMAND_NOTE_QUARTER = "maximum demand = the month's largest 15-minute mean import, as the utility meters it (需量)"

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
    basic_charge_basis: Literal["demand", "contracted_demand", "capacity", "none"] = Field(
        default="demand",
        description="basic charge (基本电费) on the month's maximum demand (demand, 实际最大需量), on the contracted "
        "maximum demand with its overrun (contracted_demand, 合同最大需量) or on the contracted transformer "
        "capacity (capacity, 变压器容量)",
    )
    demand_charge_cny_per_kw_month: float = Field(
        default=0.0,
        ge=0,
        le=MAX_PRICE_CNY,
        description="on the month's maximum demand or on the contracted demand [CNY/(kW*month)]; upper bound "
        "lingtan.limits.MAX_PRICE_CNY",
    )
    contracted_demand_kw: float | None = Field(
        default=None,
        gt=0,
        le=MAX_POWER_KW,
        description="contracted maximum demand (合同最大需量) [kW] for the contracted_demand basis; a connection's "
        "grid.contracted_demand_kw takes precedence; upper bound lingtan.limits.MAX_POWER_KW",
    )
    contracted_demand_overrun: Literal["band", "contract"] = Field(
        default="band",
        description="what a month over 105 % of the contract pays at the single price besides the doubled overrun: "
        "the 105 % band (band, the stricter reading, default) or the contract (contract); see "
        "basic_charge_parts_cny",
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
    feed_in_settlement: Literal["fixed", "coal_benchmark", "market"] = Field(
        default="fixed", description="how exported energy is paid; the choices and their sources: FEED_IN_SETTLEMENTS"
    )
    coal_benchmark_cny_per_kwh: float | None = Field(
        default=None,
        ge=0,
        le=MAX_PRICE_CNY,
        validate_default=True,
        description="the province's coal-fired benchmark price (燃煤发电基准价) [CNY/kWh]; needed for "
        "feed_in_settlement coal_benchmark; upper bound lingtan.limits.MAX_PRICE_CNY",
    )
    market_feed_in_cny_per_kwh: float | None = Field(
        default=None,
        ge=0,
        le=MAX_PRICE_CNY,
        validate_default=True,
        description="expected mean market price of exported energy [CNY/kWh]; needed for feed_in_settlement market; "
        "upper bound lingtan.limits.MAX_PRICE_CNY",
    )
    feed_in_price_cny_per_kwh: float = Field(
        default=None,
        ge=0,
        le=MAX_PRICE_CNY,
        validate_default=True,
        description="paid for exported energy [CNY/kWh]: given for the fixed settlement (default 0), else taken from "
        "the settlement's price; upper bound lingtan.limits.MAX_PRICE_CNY",
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

    @field_validator("coal_benchmark_cny_per_kwh", "market_feed_in_cny_per_kwh")
    @classmethod
    def _settlement_price(cls, v: float | None, info: ValidationInfo) -> float | None:
        needed_by = {"coal_benchmark_cny_per_kwh": "coal_benchmark", "market_feed_in_cny_per_kwh": "market"}
        settlement = needed_by[info.field_name]
        if v is None and info.data.get("feed_in_settlement") == settlement:
            raise ValueError(f"feed_in_settlement {settlement!r} needs {info.field_name}")
        return v

    @field_validator("feed_in_price_cny_per_kwh", mode="before")
    @classmethod
    def _feed_in_price(cls, v: Any, info: ValidationInfo) -> Any:
        # One price for the year, whatever the settlement: the kernel and every bill read this field.
        field = {"coal_benchmark": "coal_benchmark_cny_per_kwh", "market": "market_feed_in_cny_per_kwh"}.get(
            info.data.get("feed_in_settlement", "fixed")
        )
        if field is None:
            return 0.0 if v is None else v
        price = info.data.get(field)
        if price is None:  # already refused on its own field
            return v
        if v is not None and v != price:
            raise ValueError(
                f"with feed_in_settlement {info.data['feed_in_settlement']!r} the feed-in price is {field} "
                f"({price}); leave feed_in_price_cny_per_kwh out or equal to it"
            )
        return price

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
    contracted_demand_kw: float | None = Field(
        default=None,
        gt=0,
        le=MAX_POWER_KW,
        description="this connection's contracted maximum demand (合同最大需量) [kW], billed when the tariff's "
        "basic_charge_basis is contracted_demand; overrides the tariff's contracted_demand_kw; upper bound "
        "lingtan.limits.MAX_POWER_KW",
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
            The inline tariff, or the one :func:`load_tariff` reads, carrying this connection's
            ``contracted_demand_kw`` when it gives one.

        Raises
        ------
        InputError
            When the tariff file is missing or invalid, or the tariff bills a contracted demand that
            neither it nor this connection gives.
        """
        tariff = self.tariff if isinstance(self.tariff, Tariff) else load_tariff(self.tariff, base_dir)
        if self.contracted_demand_kw is not None:
            tariff = tariff.model_copy(update={"contracted_demand_kw": self.contracted_demand_kw})
        if tariff.basic_charge_basis == "contracted_demand" and tariff.contracted_demand_kw is None:
            raise InputError(
                None,
                "grid.contracted_demand_kw",
                f"a contracted demand [kW]: tariff {tariff.name!r} bills the basic charge on it",
                "none given (neither grid.contracted_demand_kw nor the tariff's contracted_demand_kw)",
            )
        return tariff


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


def basic_charge_parts_cny(
    max_demand_kw_by_month: ArrayLike,
    tariff: Tariff,
    contracted_capacity_kva: float | None = None,
    contracted_demand_kw: float | None = None,
) -> dict[str, np.ndarray]:
    """The basic charge (基本电费) of each billed month, in its parts [CNY], vectorised.

    Parameters
    ----------
    max_demand_kw_by_month : array_like, shape (..., M)
        Maximum demand of each billed month: its largest step-mean import [kW].
    tariff : Tariff
        The time-of-use tariff; ``basic_charge_basis`` chooses the rule.
    contracted_capacity_kva : float, optional
        Overrides ``tariff.contracted_capacity_kva`` for the capacity basis [kVA].
    contracted_demand_kw : float, optional
        Overrides ``tariff.contracted_demand_kw`` for the contracted-demand basis [kW].

    Returns
    -------
    dict of ndarray, shape (..., M)
        ``demand_cny``: the demand (``demand``) or contracted demand (``contracted_demand``) billed at
        the demand price; ``capacity_cny``: the contracted capacity times the capacity price, every
        month; ``overrun_kw``: maximum demand above 105 % of the contract [kW]; ``overrun_cny``: that
        overrun billed at twice the demand price. Parts of other bases are zeros.

    Raises
    ------
    ValueError
        For the capacity basis without a contracted capacity, or the contracted-demand basis without
        a contracted demand.

    Notes
    -----
    Contracted demand, 发改办价格〔2016〕1583号, as quoted in public code (secondary; the notice's own
    text was not retrieved, nor that of its 2023 successor on the third regulatory period's
    transmission and distribution prices, 发改价格〔2023〕526号): "选按最大需量的须与电网企业签合同、
    按合同最大需量计收；实际最大需量超过合同确定值 105% 时，超过部分加一倍收取，未超过 105% 时按合同
    确定值收取" (a user billed on maximum demand signs a contract with the grid company and is billed
    on the contracted maximum demand; when the actual maximum demand exceeds 105 % of the contract the
    part above is charged double; up to 105 % the contract is charged).

    The clause does not say what the month pays for the demand up to 105 % when it overruns; with
    contract C, maximum demand D, demand price p and excess E = max(D - 1.05 C, 0):

    * ``band`` (default, the stricter): D <= 1.05 C pays C p; above, 1.05 C p + 2 p E. The rule a
      utility billing system in public code applies ("(最大md - 申报md*1.05) * 基本电价 * 2 +
      申报md*1.05 * 基本电价").
    * ``contract``: C p + 2 p E, the rule issue 16 states (continuous at 105 %).

    At exactly 105 % (D = 1.05 C) neither bills an overrun.
    """
    peak = np.asarray(max_demand_kw_by_month, dtype=float)
    zero = np.zeros_like(peak)
    parts = {"demand_cny": zero, "capacity_cny": zero, "overrun_kw": zero, "overrun_cny": zero}
    price = tariff.demand_charge_cny_per_kw_month
    if tariff.basic_charge_basis == "demand":
        parts["demand_cny"] = peak * price
    elif tariff.basic_charge_basis == "capacity":
        kva = contracted_capacity_kva if contracted_capacity_kva is not None else tariff.contracted_capacity_kva
        if kva is None:
            raise ValueError("the capacity basis needs contracted_capacity_kva")
        parts["capacity_cny"] = np.full_like(peak, kva * tariff.capacity_charge_cny_per_kva_month)
    elif tariff.basic_charge_basis == "contracted_demand":
        kw = contracted_demand_kw if contracted_demand_kw is not None else tariff.contracted_demand_kw
        if kw is None:
            raise ValueError("the contracted_demand basis needs contracted_demand_kw")
        band_kw = kw * CONTRACT_OVERRUN_THRESHOLD_PCT / 100
        excess = np.maximum(peak - band_kw, 0.0)
        single_kw = np.where(excess > 0, band_kw, kw) if tariff.contracted_demand_overrun == "band" else kw
        parts["demand_cny"] = np.broadcast_to(single_kw * price, peak.shape).astype(float)
        parts["overrun_kw"] = excess
        parts["overrun_cny"] = excess * (CONTRACT_OVERRUN_PRICE_FACTOR * price)
    return parts


def basic_charge_cny(
    max_import_kw_by_month: ArrayLike,
    tariff: Tariff,
    contracted_capacity_kva: float | None = None,
    contracted_demand_kw: float | None = None,
) -> np.ndarray:
    """Basic charge (基本电费) of each billed month [CNY], vectorised: the sum of :func:`basic_charge_parts_cny`.

    Parameters
    ----------
    max_import_kw_by_month : array_like, shape (..., M)
        Maximum demand of each billed month: its largest step-mean import [kW].
    tariff : Tariff
        The time-of-use tariff.
    contracted_capacity_kva : float, optional
        Overrides ``tariff.contracted_capacity_kva`` for the capacity basis [kVA].
    contracted_demand_kw : float, optional
        Overrides ``tariff.contracted_demand_kw`` for the contracted-demand basis [kW].

    Returns
    -------
    ndarray, shape (..., M)
        Basic charge of each month [CNY]. Demand basis: monthly maximum times the demand price.
        Contracted demand: the contract and its overrun (:func:`basic_charge_parts_cny`).
        Capacity basis: the contracted capacity times the capacity price, every month. None: zeros.

    Raises
    ------
    ValueError
        For the capacity basis without a contracted capacity, or the contracted-demand basis without
        a contracted demand.
    """
    parts = basic_charge_parts_cny(max_import_kw_by_month, tariff, contracted_capacity_kva, contracted_demand_kw)
    return parts["demand_cny"] + parts["capacity_cny"] + parts["overrun_cny"]


def bill_from_totals(
    energy_charge_cny: ArrayLike, max_import_kw_by_month: ArrayLike, feed_in_revenue_cny: ArrayLike, tariff: Tariff
) -> dict[str, np.ndarray]:
    """The annual bill of many configurations from the dispatch kernel's totals [CNY].

    The kernel sums import times the hourly price (:func:`hourly_price_cny_per_kwh`)
    and export times the feed-in price, and keeps each month's largest import;
    this adds the basic charge with :func:`basic_charge_cny`, the same rule
    :func:`monthly_bill` applies to a series.

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


@dataclass(frozen=True)
class GridBill:
    """The electricity bill of a run, month by month, as the utility would send it.

    Every ``..._by_month`` mapping is keyed by the billed month ``"YYYY-MM"`` in calendar order;
    a month is billed in full even when only part of it is simulated.

    Attributes
    ----------
    step_h : float
        Time step of the series billed [h].
    basic_charge_basis : str
        ``demand``, ``contracted_demand``, ``capacity`` or ``none`` (:class:`Tariff`).
    demand_basis_note : str
        How the maximum demand was measured, against the utility's 15-minute 需量.
    feed_in_settlement : str
        How export is paid (:data:`FEED_IN_SETTLEMENTS`).
    feed_in_price_cny_per_kwh : float
        The feed-in price applied [CNY/kWh].
    contracted_demand_kw : float or None
        Contracted maximum demand of the contracted-demand basis [kW].
    energy_kwh_by_month : dict of dict
        Imported energy by month and time-of-use period, ``{month: {period: [kWh]}}``.
    energy_cny_by_month : dict of dict
        Energy charge by month and period, ``{month: {period: [CNY]}}``.
    max_demand_kw_by_month : dict
        Maximum demand: the month's largest step-mean import [kW].
    demand_charge_cny_by_month : dict
        Demand (or contracted demand) billed at the demand price [CNY].
    capacity_charge_cny_by_month : dict
        Contracted transformer capacity billed at the capacity price [CNY].
    overrun_kw_by_month : dict
        Maximum demand above 105 % of the contracted demand [kW].
    overrun_charge_cny_by_month : dict
        The overrun billed at twice the demand price [CNY].
    export_kwh_by_month : dict
        Exported energy [kWh].
    feed_in_revenue_cny_by_month : dict
        Paid for the export [CNY].
    """

    step_h: float
    basic_charge_basis: str
    demand_basis_note: str
    feed_in_settlement: str
    feed_in_price_cny_per_kwh: float
    contracted_demand_kw: float | None
    energy_kwh_by_month: dict[str, dict[str, float]]
    energy_cny_by_month: dict[str, dict[str, float]]
    max_demand_kw_by_month: dict[str, float]
    demand_charge_cny_by_month: dict[str, float]
    capacity_charge_cny_by_month: dict[str, float]
    overrun_kw_by_month: dict[str, float]
    overrun_charge_cny_by_month: dict[str, float]
    export_kwh_by_month: dict[str, float]
    feed_in_revenue_cny_by_month: dict[str, float]

    def total_cny_by_month(self) -> dict[str, float]:
        """Each month's bill.

        Returns
        -------
        dict
            Energy charge + demand charge + capacity charge + overrun charge - feed-in revenue [CNY], by month.
        """
        return {
            m: sum(self.energy_cny_by_month[m].values())
            + self.demand_charge_cny_by_month[m]
            + self.capacity_charge_cny_by_month[m]
            + self.overrun_charge_cny_by_month[m]
            - self.feed_in_revenue_cny_by_month[m]
            for m in self.max_demand_kw_by_month
        }

    def totals(self) -> dict[str, float]:
        """The year's bill in its parts.

        Returns
        -------
        dict
            ``energy_charge_cny``, ``demand_charge_cny``, ``capacity_charge_cny``, ``overrun_charge_cny``,
            ``basic_charge_cny`` (demand + capacity + overrun), ``feed_in_revenue_cny`` and ``total_cny``
            [CNY]; ``energy_kwh`` and ``export_kwh`` [kWh].
        """
        energy = sum(sum(by_period.values()) for by_period in self.energy_cny_by_month.values())
        demand = sum(self.demand_charge_cny_by_month.values())
        capacity = sum(self.capacity_charge_cny_by_month.values())
        overrun = sum(self.overrun_charge_cny_by_month.values())
        feed_in = sum(self.feed_in_revenue_cny_by_month.values())
        return {
            "energy_kwh": sum(sum(by_period.values()) for by_period in self.energy_kwh_by_month.values()),
            "energy_charge_cny": energy,
            "demand_charge_cny": demand,
            "capacity_charge_cny": capacity,
            "overrun_charge_cny": overrun,
            "basic_charge_cny": demand + capacity + overrun,
            "export_kwh": sum(self.export_kwh_by_month.values()),
            "feed_in_revenue_cny": feed_in,
            "total_cny": energy + demand + capacity + overrun - feed_in,
        }

    def to_dict(self) -> dict[str, Any]:
        """The bill for ``kpis.json``.

        Returns
        -------
        dict
            Every attribute, ``total_cny_by_month`` and, under ``totals``, :meth:`totals`.
        """
        return {**asdict(self), "total_cny_by_month": self.total_cny_by_month(), "totals": self.totals()}


def _demand_basis_note(step_h: float) -> str:
    minutes = step_h * 60
    if minutes == 15:
        return DEMAND_NOTE_QUARTER
    if minutes > 15:
        return DEMAND_NOTE_HOURLY.format(minutes=minutes)
    return (
        f"maximum demand = the month's largest {minutes:g}-minute mean import; the utility meters the largest "
        "15-minute mean (需量), which is at most as high, so this overstates the demand charge"
    )


def _check_series(import_kw: ArrayLike, export_kw: ArrayLike | None, index: pd.DatetimeIndex, step_h: float):
    imp = np.asarray(import_kw, dtype=float)
    exp = np.zeros_like(imp) if export_kw is None else np.asarray(export_kw, dtype=float)
    if imp.shape != (len(index),) or exp.shape != (len(index),):
        raise ValueError(f"import_kw and export_kw must have shape ({len(index)},), found {imp.shape} and {exp.shape}")
    if (imp < 0).any() or (exp < 0).any():
        raise ValueError("import_kw and export_kw must be >= 0 (flows are non-negative)")
    if not (np.isfinite(step_h) and step_h > 0):
        raise ValueError(f"step_h must be a positive number of hours, found {step_h!r}")
    if len(index) > 1:
        # Steps of step_h, with whole steps missing allowed (a run's year leaves out 29 February).
        steps = np.asarray((index[1:] - index[:-1]).total_seconds()) / 3600.0 / step_h
        if not (np.isclose(steps.min(), 1.0, rtol=0.0, atol=1e-9) and np.allclose(steps, np.round(steps), atol=1e-9)):
            raise ValueError(
                f"the index steps by {sorted(set((steps * step_h).tolist()))[:3]} h, not by step_h = {step_h} h"
            )
    return imp, exp


def monthly_bill(
    import_kw: ArrayLike,
    export_kw: ArrayLike | None,
    index: pd.DatetimeIndex,
    tariff: Tariff,
    step_h: float = 1.0,
    contracted_capacity_kva: float | None = None,
) -> GridBill:
    """The bill of a run, month by month and part by part: the one function that bills a series.

    Parameters
    ----------
    import_kw : array_like, shape (T,)
        Grid import, the mean power of every step [kW], >= 0.
    export_kw : array_like, shape (T,), or None
        Grid export of every step [kW], >= 0; None for no export.
    index : pandas.DatetimeIndex, length T
        Interval-start labels, local time, spaced by ``step_h`` (whole steps may be missing).
    tariff : Tariff
        The time-of-use tariff (a connection's :meth:`GridConnection.resolved_tariff` carries its
        contracted demand).
    step_h : float
        Time step [h]: 1 for hourly series, 0.25 for 15-minute series. The maximum demand is the
        largest step mean, so a 15-minute series bills its 15-minute maximum, as the utility does.
    contracted_capacity_kva : float, optional
        Overrides ``tariff.contracted_capacity_kva`` for the capacity basis [kVA].

    Returns
    -------
    GridBill
        Energy by month and period, maximum demand, demand, capacity and overrun charges, export and
        feed-in revenue, by month [kWh, kW, CNY].

    Raises
    ------
    ValueError
        For flows of another length than ``index``, negative flows, an index not spaced by ``step_h``,
        or a basis without its contracted capacity or demand.
    """
    imp, exp = _check_series(import_kw, export_kw, index, step_h)
    n_p = len(PERIODS)
    codes = period_codes(index, tariff).astype(np.int64)
    price = np.nan_to_num(tariff.price_table_cny_per_kwh()[np.asarray(index.month) - 1, codes])
    # "YYYY-MM" labels from integers: strftime on a year of steps costs a tenth of a run
    year_month, month_i = np.unique(np.asarray(index.year * 100 + index.month), return_inverse=True)
    months = np.array([f"{ym // 100:04d}-{ym % 100:02d}" for ym in year_month.tolist()])
    cell = month_i * n_p + codes
    size = len(months) * n_p
    steps = np.bincount(cell, minlength=size).reshape(-1, n_p)
    e_kwh = np.bincount(cell, weights=imp * step_h, minlength=size).reshape(-1, n_p)
    e_cny = np.bincount(cell, weights=imp * step_h * price, minlength=size).reshape(-1, n_p)
    max_kw = np.zeros(len(months))
    np.maximum.at(max_kw, month_i, imp)
    parts = basic_charge_parts_cny(max_kw, tariff, contracted_capacity_kva)
    export_kwh = np.bincount(month_i, weights=exp * step_h, minlength=len(months))

    def by_month(values: np.ndarray) -> dict[str, float]:
        return {m: float(v) for m, v in zip(months.tolist(), values, strict=True)}

    def by_period(table: np.ndarray) -> dict[str, dict[str, float]]:
        return {
            m: {PERIODS[c]: float(table[i, c]) for c in range(n_p) if steps[i, c]}
            for i, m in enumerate(months.tolist())
        }

    return GridBill(
        step_h=float(step_h),
        basic_charge_basis=tariff.basic_charge_basis,
        demand_basis_note=_demand_basis_note(step_h),
        feed_in_settlement=tariff.feed_in_settlement,
        feed_in_price_cny_per_kwh=tariff.feed_in_price_cny_per_kwh,
        contracted_demand_kw=tariff.contracted_demand_kw if tariff.basic_charge_basis == "contracted_demand" else None,
        energy_kwh_by_month=by_period(e_kwh),
        energy_cny_by_month=by_period(e_cny),
        max_demand_kw_by_month=by_month(max_kw),
        demand_charge_cny_by_month=by_month(parts["demand_cny"]),
        capacity_charge_cny_by_month=by_month(parts["capacity_cny"]),
        overrun_kw_by_month=by_month(parts["overrun_kw"]),
        overrun_charge_cny_by_month=by_month(parts["overrun_cny"]),
        export_kwh_by_month=by_month(export_kwh),
        feed_in_revenue_cny_by_month=by_month(export_kwh * tariff.feed_in_price_cny_per_kwh),
    )


def grid_bill(
    import_kw: np.ndarray,
    export_kw: np.ndarray | None,
    index: pd.DatetimeIndex,
    tariff: Tariff,
    contracted_capacity_kva: float | None = None,
    step_h: float = 1.0,
) -> dict[str, Any]:
    """Electricity bill of a run, summed over the year by period: a view of :func:`monthly_bill`.

    Parameters
    ----------
    import_kw : array_like, shape (T,)
        Grid import of every step [kW], >= 0.
    export_kw : array_like, shape (T,), or None
        Grid export of every step [kW], >= 0; None for no export.
    index : pandas.DatetimeIndex, length T
        Interval-start labels, local time.
    tariff : Tariff
        The time-of-use tariff.
    contracted_capacity_kva : float, optional
        Overrides ``tariff.contracted_capacity_kva`` for the capacity basis [kVA].
    step_h : float
        Time step [h] (:func:`monthly_bill`).

    Returns
    -------
    dict
        ``energy_kwh_by_period`` {period: [kWh]}, ``energy_cny_by_period`` {period: [CNY]},
        ``energy_charge_cny`` [CNY], ``max_import_kw_by_month`` {"YYYY-MM": [kW]},
        ``demand_charge_cny_by_month`` and ``capacity_charge_cny_by_month`` {"YYYY-MM": [CNY]}
        (the demand charge includes a contracted demand's overrun), ``basic_charge_cny`` [CNY],
        ``export_kwh`` [kWh], ``feed_in_revenue_cny`` [CNY], ``demand_basis_note``,
        ``total_cny`` = energy charge + basic charge - feed-in revenue [CNY].

    Raises
    ------
    ValueError
        As :func:`monthly_bill`.
    """
    bill = monthly_bill(import_kw, export_kw, index, tariff, step_h, contracted_capacity_kva)
    totals = bill.totals()

    def over_months(table: dict[str, dict[str, float]]) -> dict[str, float]:
        out: dict[str, float] = {}
        for by_period in table.values():
            for period, value in by_period.items():
                out[period] = out.get(period, 0.0) + value
        return {p: out[p] for p in PERIODS if p in out}

    return {
        "energy_kwh_by_period": over_months(bill.energy_kwh_by_month),
        "energy_cny_by_period": over_months(bill.energy_cny_by_month),
        "energy_charge_cny": totals["energy_charge_cny"],
        "max_import_kw_by_month": bill.max_demand_kw_by_month,
        "demand_charge_cny_by_month": {
            m: v + bill.overrun_charge_cny_by_month[m] for m, v in bill.demand_charge_cny_by_month.items()
        },
        "capacity_charge_cny_by_month": bill.capacity_charge_cny_by_month,
        "basic_charge_cny": totals["basic_charge_cny"],
        "export_kwh": totals["export_kwh"],
        "feed_in_revenue_cny": totals["feed_in_revenue_cny"],
        "demand_basis_note": bill.demand_basis_note,
        "total_cny": totals["total_cny"],
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
