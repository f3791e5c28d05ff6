"""Tests of lingtan.components.grid: tariffs, period lookup, the bill, emission factors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from lingtan.components import grid as g
from lingtan.errors import InputError

TZ = "Asia/Shanghai"

# A constructed tariff: the same day in every month.
#   00-08 valley, 08-12 peak, 12-18 flat, 18-21 critical, 21-24 valley
DAY = "vvvvvvvv" + "pppp" + "ffffff" + "ccc" + "vvv"
SIMPLE = dict(
    name="simple",
    source="test fixture (assumed)",
    periods=[DAY] * 12,
    price_cny_per_kwh={"valley": 0.3, "flat": 0.6, "peak": 1.0, "critical": 1.2},
    demand_charge_cny_per_kw_month=40.0,
    feed_in_price_cny_per_kwh=0.4,
)


def _ts(s: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(s, tz=TZ)])


def _write(tmp_path: Path, data: dict, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the bill


def test_hand_worked_bill_two_days_across_a_month_end():
    tariff = g.Tariff(**SIMPLE)
    index = pd.date_range("2025-01-31 00:00", periods=48, freq="h", tz=TZ)
    imp = np.full(48, 100.0)
    imp[19] = 500.0  # 2025-01-31 19:00, critical
    imp[24 + 9] = 300.0  # 2025-02-01 09:00, peak
    exp = np.zeros(48)
    exp[24 + 12] = exp[24 + 13] = 50.0  # 2025-02-01 12:00-14:00

    bill = g.grid_bill(imp, exp, index, tariff)

    # per day at 100 kW: valley 11 h, peak 4 h, flat 6 h, critical 3 h
    assert bill["energy_kwh_by_period"] == pytest.approx(
        {"valley": 2200.0, "peak": 1000.0, "flat": 1200.0, "critical": 1000.0}, abs=1e-9
    )
    assert bill["energy_cny_by_period"] == pytest.approx(
        {"valley": 660.0, "peak": 1000.0, "flat": 720.0, "critical": 1200.0}, abs=1e-9
    )
    assert bill["energy_charge_cny"] == pytest.approx(3580.0, abs=1e-9)
    assert bill["max_import_kw_by_month"] == {"2025-01": 500.0, "2025-02": 300.0}
    assert bill["demand_charge_cny_by_month"] == pytest.approx({"2025-01": 20000.0, "2025-02": 12000.0})
    assert bill["basic_charge_cny"] == pytest.approx(32000.0, abs=1e-9)
    assert bill["export_kwh"] == pytest.approx(100.0, abs=1e-12)
    assert bill["feed_in_revenue_cny"] == pytest.approx(40.0, abs=1e-12)
    assert bill["total_cny"] == pytest.approx(3580.0 + 32000.0 - 40.0, abs=1e-9)


def test_capacity_basis_bills_every_month_in_full():
    tariff = g.Tariff(
        **{
            **SIMPLE,
            "basic_charge_basis": "capacity",
            "capacity_charge_cny_per_kva_month": 30.0,
            "contracted_capacity_kva": 1000.0,
        }
    )
    index = pd.date_range("2025-01-31 00:00", periods=48, freq="h", tz=TZ)
    bill = g.grid_bill(np.full(48, 10.0), None, index, tariff)
    assert bill["capacity_charge_cny_by_month"] == {"2025-01": 30000.0, "2025-02": 30000.0}
    assert bill["demand_charge_cny_by_month"] == {"2025-01": 0.0, "2025-02": 0.0}
    assert bill["basic_charge_cny"] == 60000.0
    assert (
        g.grid_bill(np.full(48, 10.0), None, index, tariff, contracted_capacity_kva=500.0)["basic_charge_cny"]
        == 30000.0
    )


def test_bill_rejects_negative_flows_and_wrong_length():
    tariff = g.Tariff(**SIMPLE)
    index = pd.date_range("2025-01-01", periods=4, freq="h", tz=TZ)
    with pytest.raises(ValueError, match=">= 0"):
        g.grid_bill(np.array([1.0, -1.0, 0.0, 0.0]), None, index, tariff)
    with pytest.raises(ValueError, match="shape"):
        g.grid_bill(np.ones(3), None, index, tariff)


def test_monthly_prices():
    tariff = g.Tariff(**{**SIMPLE, "price_cny_per_kwh": {**SIMPLE["price_cny_per_kwh"], "peak": [1.0] * 6 + [2.0] * 6}})
    idx = pd.DatetimeIndex([pd.Timestamp("2025-06-30 09:00", tz=TZ), pd.Timestamp("2025-07-01 09:00", tz=TZ)])
    assert g.hourly_price_cny_per_kwh(idx, tariff).tolist() == [1.0, 2.0]


# ----------------------------------------------------------------------------- periods


def test_period_codes_fixed_order():
    assert g.PERIODS == ("valley", "flat", "peak", "critical")
    tariff = g.Tariff(**SIMPLE)
    index = pd.date_range("2025-03-01", periods=24, freq="h", tz=TZ)
    codes = g.period_codes(index, tariff)
    assert codes.dtype == np.int8
    assert codes.tolist() == [0] * 8 + [2] * 4 + [1] * 6 + [3] * 3 + [0] * 3


@pytest.mark.parametrize(
    "stamp, period",
    [
        # interval-start labelling: the hour 08:00-09:00 is labelled 08:00 -> table hour 8
        ("2025-07-01 08:00", "valley"),  # Jul: valley 02-09
        ("2025-07-01 09:00", "flat"),  # Jul: flat 09-11
        ("2025-07-01 15:00", "flat"),  # Jul: flat 13-16
        ("2025-07-01 16:00", "peak"),  # Jul: peak 16-24
        ("2025-07-01 23:00", "peak"),
        ("2025-07-01 00:00", "flat"),  # month boundary: Jul 00-02 flat ...
        ("2025-06-30 23:00", "valley"),  # ... but Jun 23:00 valley
        ("2025-06-30 06:00", "peak"),  # Jun: peak 06-08
        ("2025-06-30 08:00", "flat"),
        ("2025-01-10 05:00", "valley"),  # Jan: valley 23-06
        ("2025-01-10 06:00", "flat"),
        ("2025-01-10 15:00", "peak"),  # Jan: peak 15-23
        ("2025-01-10 23:00", "valley"),
        # critical windows by date (Anhui): 07-15..08-31 20-22, 12-15..01-31 19-21
        ("2025-07-14 20:00", "peak"),
        ("2025-07-15 19:00", "peak"),
        ("2025-07-15 20:00", "critical"),
        ("2025-07-15 21:00", "critical"),
        ("2025-07-15 22:00", "peak"),
        ("2025-08-31 21:00", "critical"),
        ("2025-09-01 21:00", "peak"),
        ("2025-12-14 19:00", "peak"),
        ("2025-12-15 19:00", "critical"),
        ("2025-01-31 20:00", "critical"),  # window wraps the year end
        ("2025-02-01 20:00", "peak"),
    ],
)
def test_anhui_period_lookup_at_boundaries(stamp, period):
    tariff = g.load_tariff("anhui_large_industry_2025")
    code = g.period_codes(_ts(stamp), tariff)[0]
    assert g.PERIODS[code] == period


def test_hour_is_read_in_the_index_time_zone():
    tariff = g.Tariff(**SIMPLE)
    utc = pd.DatetimeIndex([pd.Timestamp("2025-03-01 00:00", tz="UTC")])  # 08:00 in Shanghai
    assert g.period_codes(utc, tariff)[0] == 0  # 00:00 UTC-labelled -> valley
    assert g.period_codes(utc.tz_convert(TZ), tariff)[0] == 2  # 08:00 local -> peak


def test_anhui_prices_by_month():
    tariff = g.load_tariff("anhui_large_industry_2025")
    idx = pd.DatetimeIndex(
        [
            pd.Timestamp(s, tz=TZ)
            for s in ["2025-02-03 17:00", "2025-07-03 17:00", "2025-07-20 20:00", "2025-07-03 03:00"]
        ]
    )
    assert g.hourly_price_cny_per_kwh(idx, tariff).tolist() == [0.9651, 1.011, 1.1754, 0.3596]


# ----------------------------------------------------------------------------- shipped data


@pytest.mark.parametrize("name", g.tariff_names())
def test_every_shipped_tariff_loads(name):
    tariff = g.load_tariff(name)
    assert tariff.name == name
    assert tariff.source.strip()
    index = pd.date_range("2025-01-01", periods=8760, freq="h", tz=TZ)
    price = g.hourly_price_cny_per_kwh(index, tariff)
    assert price.shape == (8760,) and np.isfinite(price).all() and (price > 0).all()


def test_shipped_tariffs_include_the_scenario_default():
    assert {"anhui_large_industry_2025", "zhejiang_large_industry_2025", "hunan_large_industry_2025"} <= set(
        g.tariff_names()
    )
    assert g.GridConnection().tariff == "anhui_large_industry_2025"


CONFIDENCE = re.compile(r"\b(confirmed|secondary|assumed)\b")


def _confidence_comment(lines: list[str], key: str, indent: str) -> str:
    """The comment that gives ``key``'s confidence (components/data/README.md: "comments next to each number"):
    the comment on the key's own line, else the nearest block of whole-line comments above it (a block
    covers the keys below it up to the next comment). The file header, above the first key, never counts:
    it lists all three marks."""
    [row] = [i for i, line in enumerate(lines) if re.match(rf"{indent}{key}:", line)]
    _, _, own = lines[row].partition("#")
    if own:
        return own
    first_key = next(i for i, line in enumerate(lines) if re.match(r"\w", line))
    above = [i for i in range(first_key, row) if lines[i].lstrip().startswith("#")]
    block = []
    for i in reversed(above):
        if block and i != block[-1] - 1:
            break
        block.append(i)
    return " ".join(lines[i] for i in block)


@pytest.mark.parametrize("path", sorted(g.TARIFF_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_tariff_number_carries_a_confidence_mark(path):
    # Every key the bill reads a number from (each period price, the basic charges, the feed-in price, the
    # period table and its overrides) has its own mark; a file with one mark somewhere does not pass.
    lines = path.read_text(encoding="utf-8").splitlines()
    data = yaml.safe_load("\n".join(lines))
    keys = [("", k) for k, v in data.items() if k in ("periods", "overrides") or "_cny_" in k and v is not None]
    keys = [k for k in keys if k[1] != "price_cny_per_kwh"] + [("  ", period) for period in data["price_cny_per_kwh"]]
    # periods, demand, capacity and feed-in charges, each period's price, and the overrides where there are any
    assert len(keys) == 4 + len(data["price_cny_per_kwh"]) + ("overrides" in data)
    unmarked = [key for indent, key in keys if not CONFIDENCE.search(_confidence_comment(lines, key, indent))]
    assert unmarked == [], f"{path.name}: no confirmed/secondary/assumed mark for {unmarked}"


def test_load_tariff_from_path(tmp_path):
    path = _write(tmp_path, SIMPLE)
    assert g.load_tariff(path).name == "simple"
    assert g.load_tariff(str(path)).name == "simple"


# ----------------------------------------------------------------------------- errors


def test_missing_price_for_a_used_period(tmp_path):
    data = {**SIMPLE, "price_cny_per_kwh": {"valley": 0.3, "flat": 0.6, "peak": 1.0}}
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as err:
        g.load_tariff(path)
    msg = str(err.value)
    assert str(path) in msg and "price_cny_per_kwh" in msg and "critical" in msg


def test_eleven_rows(tmp_path):
    path = _write(tmp_path, {**SIMPLE, "periods": [DAY] * 11})
    with pytest.raises(InputError) as err:
        g.load_tariff(path)
    msg = str(err.value)
    assert str(path) in msg and "periods" in msg and "12 rows" in msg and "11" in msg


def test_row_of_23_hours_and_bad_letter(tmp_path):
    path = _write(tmp_path, {**SIMPLE, "periods": [DAY] * 11 + [DAY[:23]]})
    with pytest.raises(InputError, match="periods.*24 hours"):
        g.load_tariff(path)
    path = _write(tmp_path, {**SIMPLE, "periods": [DAY] * 11 + ["x" * 24]}, "u.yaml")
    with pytest.raises(InputError, match="periods"):
        g.load_tariff(path)


def test_unknown_field_and_monthly_price_length(tmp_path):
    path = _write(tmp_path, {**SIMPLE, "price_per_kwh": 1.0})
    with pytest.raises(InputError, match="price_per_kwh"):
        g.load_tariff(path)
    bad = {**SIMPLE, "price_cny_per_kwh": {**SIMPLE["price_cny_per_kwh"], "peak": [1.0] * 11}}
    with pytest.raises(InputError, match="price_cny_per_kwh.*12 monthly"):
        g.load_tariff(_write(tmp_path, bad, "v.yaml"))


def test_capacity_basis_needs_contracted_capacity():
    with pytest.raises(ValidationError, match="contracted_capacity_kva"):
        g.Tariff(**{**SIMPLE, "basic_charge_basis": "capacity"})


def test_unknown_tariff_name_lists_the_known_ones():
    with pytest.raises(InputError) as err:
        g.load_tariff("atlantis_2025")
    msg = str(err.value)
    assert "tariff" in msg and "atlantis_2025" in msg and str(g.TARIFF_DIR) in msg
    for name in g.tariff_names():
        assert name in msg
    with pytest.raises(ValidationError, match="anhui_large_industry_2025"):
        g.GridConnection(tariff="atlantis_2025")


def test_missing_tariff_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        g.load_tariff(tmp_path / "none.yaml")


def test_unknown_emission_factor_name():
    index = pd.date_range("2025-01-01", periods=3, freq="h", tz=TZ)
    with pytest.raises(InputError) as err:
        g.emission_factor_t_per_mwh("national_2099", index)
    msg = str(err.value)
    assert "emission_factors.csv" in msg and "name" in msg and "national_2099" in msg and "national_2022" in msg
    with pytest.raises(ValidationError, match="national_2099"):
        g.GridConnection(emission_factor="national_2099")


# ----------------------------------------------------------------------------- emission factors

# Values as written in shared/facts/standards.md (tCO2/MWh).
STANDARDS = {
    "national_2021": 0.5568,
    "national_2021_residual": 0.5942,
    "national_2021_fossil": 0.8426,
    "national_2022": 0.5366,
    "national_2022_residual": 0.5856,
    "national_2022_fossil": 0.8325,
    "national_2023": 0.5306,
    "national_2023_residual": 0.6096,
    "national_2023_fossil": 0.8273,
    "national_reporting_2023_2025": 0.5703,
    "east_china_2022": 0.5617,
    "east_china_2023": 0.5500,
    "central_china_2022": 0.5395,
    "central_china_2023": 0.5271,
    "northwest_2022": 0.5857,
    "northwest_2023": 0.5543,
    "north_china_2022": 0.6776,
    "north_china_2023": 0.6361,
    "anhui_2021": 0.7075,
    "anhui_2022": 0.6782,
    "hunan_2021": 0.5138,
    "hunan_2022": 0.4900,
    "zhejiang_2021": 0.5422,
    "zhejiang_2022": 0.5153,
    "gansu_2021": 0.4955,
    "gansu_2022": 0.4772,
    "jiangsu_2021": 0.6451,
    "jiangsu_2022": 0.5978,
    "shanghai_2021": 0.5834,
    "shanghai_2022": 0.5849,
}


@pytest.mark.parametrize("name, value", sorted(STANDARDS.items()))
def test_emission_factor_lookup_matches_standards(name, value):
    index = pd.date_range("2025-01-01", periods=8760, freq="h", tz=TZ)
    ef = g.emission_factor_t_per_mwh(name, index)
    assert ef.shape == (8760,)
    assert (ef == value).all()


def test_emission_factor_table():
    df = g.load_emission_factors()
    assert list(df.columns) == ["name", "region", "data_year", "kind", "ef_t_per_mwh", "source", "confidence"]
    assert set(df["kind"]) == {"average", "residual", "fossil"}
    assert set(df["confidence"]) <= {"confirmed", "secondary", "assumed"}
    assert df["name"].is_unique
    assert df["source"].str.len().min() > 10
    assert set(df["name"]) == set(STANDARDS)


def test_emission_factor_constant_and_profile(tmp_path):
    index = pd.date_range("2025-01-01", periods=8760, freq="h", tz=TZ)
    assert (g.emission_factor_t_per_mwh(0.5, index) == 0.5).all()
    values = np.linspace(0.3, 0.7, 8760)
    path = tmp_path / "ef.csv"
    pd.DataFrame({"ef_t_per_mwh": values}).to_csv(path, index=False)
    np.testing.assert_allclose(g.emission_factor_t_per_mwh(str(path), index), values)
    np.testing.assert_allclose(g.emission_factor_t_per_mwh({"path": str(path)}, index), values)
    conn = g.GridConnection(emission_factor=str(path))
    assert isinstance(conn.emission_factor, g.HourlyEmissionFactorProfile)
    np.testing.assert_allclose(g.emission_factor_t_per_mwh(conn.emission_factor, index), values)
    with pytest.raises(InputError, match="8760 rows"):
        g.emission_factor_t_per_mwh(str(path), index[:100])
    pd.DataFrame({"ef_t_per_mwh": np.r_[values[:-1], -1.0]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="row 8761"):
        g.emission_factor_t_per_mwh(str(path), index)


def test_grid_connection_model():
    conn = g.GridConnection(import_limit_kw=12000, export_limit_kw=500, emission_factor="national_2022")
    assert conn.effective_export_limit_kw == 0.0
    assert g.GridConnection(export_allowed=True, export_limit_kw=500).effective_export_limit_kw == 500.0
    assert conn.resolved_tariff().name == "anhui_large_industry_2025"
    inline = g.GridConnection(tariff=SIMPLE)
    assert inline.resolved_tariff().name == "simple"
    with pytest.raises(ValidationError):
        g.GridConnection(import_limit_kw=0)
    with pytest.raises(ValidationError):
        g.GridConnection(imports_kw=5)
    with pytest.raises(ValidationError):
        g.GridConnection(emission_factor=-0.1)
