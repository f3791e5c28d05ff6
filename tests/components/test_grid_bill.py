"""Tests of the bill a utility would send: lingtan.components.grid.monthly_bill and the basic-charge rules.

Contracted demand (合同最大需量) with its 105 % overrun, worked by hand month by month; the 105 % edge;
the capacity basis; 15-minute against hourly maximum demand; the breakdown against the totals; the
feed-in settlement; bad tariff fields.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lingtan.components import grid as g
from lingtan.errors import InputError

TZ = "Asia/Shanghai"

# The same day in every month: 00-08 valley, 08-12 peak, 12-18 flat, 18-21 critical, 21-24 valley.
DAY = "vvvvvvvv" + "pppp" + "ffffff" + "ccc" + "vvv"
CONTRACTED = dict(
    name="contracted",
    source="test fixture (assumed)",
    periods=[DAY] * 12,
    price_cny_per_kwh={"valley": 0.3, "flat": 0.6, "peak": 1.0, "critical": 1.2},
    basic_charge_basis="contracted_demand",
    demand_charge_cny_per_kw_month=40.0,
    contracted_demand_kw=1000.0,
    feed_in_price_cny_per_kwh=0.4,
)


def _hours(start: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="h", tz=TZ)


def _write(tmp_path: Path, data: dict, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _assert_by_month(table: dict[str, dict[str, float]], expected: dict[str, dict[str, float]]) -> None:
    assert table.keys() == expected.keys()
    for month, by_period in expected.items():
        assert table[month] == pytest.approx(by_period, abs=1e-9), month


def _three_months() -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """2025-01-31 .. 2025-03-01 (1 + 28 + 1 days), 100 kW flat with one spike a month, a little export in February."""
    index = _hours("2025-01-31 00:00", 30 * 24)
    imp = pd.Series(100.0, index=index)
    imp[pd.Timestamp("2025-01-31 09:00", tz=TZ)] = 1000.0  # peak hour, at the contract
    imp[pd.Timestamp("2025-02-10 19:00", tz=TZ)] = 1050.0  # critical hour, exactly 105 % of the contract
    imp[pd.Timestamp("2025-03-01 13:00", tz=TZ)] = 1300.0  # flat hour, 250 kW above 105 %
    exp = pd.Series(0.0, index=index)
    exp[pd.Timestamp("2025-02-15 12:00", tz=TZ)] = exp[pd.Timestamp("2025-02-15 13:00", tz=TZ)] = 50.0
    return index, imp.to_numpy(), exp.to_numpy()


# ----------------------------------------------------------------------------- contracted demand, by hand


def test_contracted_demand_bill_worked_by_hand_month_by_month():
    index, imp, exp = _three_months()
    bill = g.monthly_bill(imp, exp, index, g.Tariff(**CONTRACTED))

    # A day at 100 kW: valley 11 h = 1100 kWh x 0.3 = 330; peak 4 h = 400 kWh x 1.0 = 400;
    # flat 6 h = 600 kWh x 0.6 = 360; critical 3 h = 300 kWh x 1.2 = 360 CNY.
    # 2025-01 (1 day): the 09:00 spike adds 900 kWh of peak -> peak 1300 kWh, 1300 CNY.
    # 2025-02 (28 days): valley 30800 kWh / 9240; peak 11200 / 11200; flat 16800 / 10080;
    #   critical 8400 + 950 (the 19:00 spike) = 9350 kWh x 1.2 = 11220 CNY.
    # 2025-03 (1 day): the 13:00 spike adds 1200 kWh of flat -> flat 1800 kWh, 1080 CNY.
    _assert_by_month(
        bill.energy_kwh_by_month,
        {
            "2025-01": {"valley": 1100.0, "peak": 1300.0, "flat": 600.0, "critical": 300.0},
            "2025-02": {"valley": 30800.0, "peak": 11200.0, "flat": 16800.0, "critical": 9350.0},
            "2025-03": {"valley": 1100.0, "peak": 400.0, "flat": 1800.0, "critical": 300.0},
        },
    )
    _assert_by_month(
        bill.energy_cny_by_month,
        {
            "2025-01": {"valley": 330.0, "peak": 1300.0, "flat": 360.0, "critical": 360.0},
            "2025-02": {"valley": 9240.0, "peak": 11200.0, "flat": 10080.0, "critical": 11220.0},
            "2025-03": {"valley": 330.0, "peak": 400.0, "flat": 1080.0, "critical": 360.0},
        },
    )
    assert bill.max_demand_kw_by_month == {"2025-01": 1000.0, "2025-02": 1050.0, "2025-03": 1300.0}
    # Contract C = 1000 kW, price p = 40 CNY/(kW month), 105 % band = 1050 kW.
    # 2025-01: D = 1000 <= 1050 -> C p = 40000, no overrun.
    # 2025-02: D = 1050 = 105 % exactly -> not above: C p = 40000, no overrun.
    # 2025-03: D = 1300 -> excess 250 kW x 2 x 40 = 20000; the band variant bills 1050 x 40 = 42000 besides.
    assert bill.overrun_kw_by_month == {"2025-01": 0.0, "2025-02": 0.0, "2025-03": 250.0}
    assert bill.overrun_charge_cny_by_month == {"2025-01": 0.0, "2025-02": 0.0, "2025-03": 20000.0}
    assert bill.demand_charge_cny_by_month == {"2025-01": 40000.0, "2025-02": 40000.0, "2025-03": 42000.0}
    assert bill.capacity_charge_cny_by_month == {"2025-01": 0.0, "2025-02": 0.0, "2025-03": 0.0}
    # Export 2 h x 50 kW = 100 kWh in February, x 0.4 = 40 CNY.
    assert bill.export_kwh_by_month == {"2025-01": 0.0, "2025-02": 100.0, "2025-03": 0.0}
    assert bill.feed_in_revenue_cny_by_month == pytest.approx({"2025-01": 0.0, "2025-02": 40.0, "2025-03": 0.0})
    # 2025-01: 2350 + 40000 = 42350; 2025-02: 41740 + 40000 - 40 = 81700; 2025-03: 2170 + 42000 + 20000 = 64170.
    assert bill.total_cny_by_month() == pytest.approx({"2025-01": 42350.0, "2025-02": 81700.0, "2025-03": 64170.0})
    assert bill.totals()["total_cny"] == pytest.approx(42350.0 + 81700.0 + 64170.0, abs=1e-9)
    assert bill.contracted_demand_kw == 1000.0 and bill.basic_charge_basis == "contracted_demand"

    # Issue 16's reading bills the contract, not the band, beside the overrun: 2025-03 pays 40000 + 20000.
    lenient = g.monthly_bill(imp, exp, index, g.Tariff(**CONTRACTED, contracted_demand_overrun="contract"))
    assert lenient.demand_charge_cny_by_month == {"2025-01": 40000.0, "2025-02": 40000.0, "2025-03": 40000.0}
    assert lenient.overrun_charge_cny_by_month == bill.overrun_charge_cny_by_month


@pytest.mark.parametrize("overrun", ["band", "contract"])
def test_exactly_105_percent_is_no_overrun_and_just_above_is(overrun):
    # A contract that is not a whole hundred: 1234 kW x 105 / 100 = 1295.7 kW.
    tariff = g.Tariff(**{**CONTRACTED, "contracted_demand_kw": 1234.0, "contracted_demand_overrun": overrun})
    parts = g.basic_charge_parts_cny([1234.0, 1295.7, 1296.7], tariff)
    assert parts["overrun_kw"].tolist() == pytest.approx([0.0, 0.0, 1.0], abs=1e-9)
    assert parts["overrun_cny"].tolist() == pytest.approx([0.0, 0.0, 80.0], abs=1e-9)  # 1 kW x 2 x 40
    # At or below 105 % the month pays the contract, 1234 x 40 = 49360; above, the band (1295.7 x 40 = 51828)
    # or the contract, by variant.
    above = 51828.0 if overrun == "band" else 49360.0
    assert parts["demand_cny"].tolist() == pytest.approx([49360.0, 49360.0, above], abs=1e-9)


def test_connection_contract_overrides_the_tariff_and_is_required():
    tariff = g.Tariff(**{**CONTRACTED, "contracted_demand_kw": None})
    with pytest.raises(ValueError, match="contracted_demand_kw"):
        g.basic_charge_cny([500.0], tariff)
    with pytest.raises(InputError) as err:
        g.GridConnection(tariff=tariff).resolved_tariff()
    assert err.value.field == "grid.contracted_demand_kw"
    conn = g.GridConnection(tariff=g.Tariff(**CONTRACTED), contracted_demand_kw=800.0)
    assert conn.resolved_tariff().contracted_demand_kw == 800.0
    # The shipped example leaves the contract to the connection.
    with pytest.raises(InputError, match="grid.contracted_demand_kw"):
        g.GridConnection(tariff="anhui_large_industry_2025_contracted_demand").resolved_tariff()
    shipped = g.GridConnection(tariff="anhui_large_industry_2025_contracted_demand", contracted_demand_kw=9000.0)
    # 9000 x 48 = 432000 CNY at or below 9450 kW; 10000 kW: 9450 x 48 + 550 x 96 = 453600 + 52800.
    assert g.basic_charge_cny([9000.0, 9450.0, 10000.0], shipped.resolved_tariff()).tolist() == pytest.approx(
        [432000.0, 432000.0, 506400.0], abs=1e-9
    )


# ----------------------------------------------------------------------------- capacity and demand bases


def test_capacity_basis_bills_the_capacity_whatever_the_demand():
    index, imp, exp = _three_months()
    tariff = g.Tariff(
        **{
            **CONTRACTED,
            "basic_charge_basis": "capacity",
            "capacity_charge_cny_per_kva_month": 30.0,
            "contracted_capacity_kva": 2000.0,
        }
    )
    bill = g.monthly_bill(imp, exp, index, tariff)
    # 2000 kVA x 30 = 60000 CNY every month, the 1300 kW month too; no demand or overrun charge.
    assert bill.capacity_charge_cny_by_month == {"2025-01": 60000.0, "2025-02": 60000.0, "2025-03": 60000.0}
    assert bill.demand_charge_cny_by_month == {"2025-01": 0.0, "2025-02": 0.0, "2025-03": 0.0}
    assert bill.overrun_charge_cny_by_month == {"2025-01": 0.0, "2025-02": 0.0, "2025-03": 0.0}
    assert bill.max_demand_kw_by_month["2025-03"] == 1300.0
    assert bill.totals()["basic_charge_cny"] == 180000.0


def test_fifteen_minute_series_bills_its_fifteen_minute_maximum():
    # One day of 15-minute steps at 100 kW; in 09:00-10:00 the quarters are 100, 100, 100, 500 kW.
    quarter = pd.date_range("2025-03-03 00:00", periods=96, freq="15min", tz=TZ)
    imp_q = np.full(96, 100.0)
    imp_q[9 * 4 + 3] = 500.0
    hourly = pd.Series(imp_q, index=quarter).resample("h").mean()  # 09:00 mean: (3 x 100 + 500) / 4 = 200 kW
    tariff = g.Tariff(**{**CONTRACTED, "basic_charge_basis": "demand"})

    bill_q = g.monthly_bill(imp_q, None, quarter, tariff, step_h=0.25)
    bill_h = g.monthly_bill(hourly.to_numpy(), None, hourly.index, tariff, step_h=1.0)

    assert bill_q.max_demand_kw_by_month == {"2025-03": 500.0}  # the meter's 需量
    assert bill_h.max_demand_kw_by_month == {"2025-03": 200.0}
    assert bill_q.demand_charge_cny_by_month == {"2025-03": 20000.0}  # 500 x 40
    assert bill_h.demand_charge_cny_by_month == {"2025-03": 8000.0}  # 200 x 40
    # Energy does not depend on the step: 23 h x 100 + (3 x 100 + 500) x 0.25 = 2500 kWh, 400 of it in peak.
    _assert_by_month(bill_q.energy_kwh_by_month, bill_h.energy_kwh_by_month)
    assert bill_q.totals()["energy_kwh"] == pytest.approx(2500.0, abs=1e-9)
    assert bill_q.energy_kwh_by_month["2025-03"]["peak"] == pytest.approx(500.0, abs=1e-9)
    assert "15-minute mean import, as the utility meters it" in bill_q.demand_basis_note
    assert "60-minute" in bill_h.demand_basis_note and "understates" in bill_h.demand_basis_note
    with pytest.raises(ValueError, match="step_h"):
        g.monthly_bill(imp_q, None, quarter, tariff)  # a 15-minute index billed as hourly
    with pytest.raises(ValueError, match="step_h"):
        g.monthly_bill(hourly.to_numpy(), None, hourly.index, tariff, step_h=0.25)  # and the converse
    # A missing day (a run's year leaves out 29 February) is no step of another length.
    gap = quarter.delete(range(10, 20))
    assert g.monthly_bill(np.delete(imp_q, range(10, 20)), None, gap, tariff, step_h=0.25).max_demand_kw_by_month == {
        "2025-03": 500.0
    }


# ----------------------------------------------------------------------------- breakdown


def test_breakdown_sums_to_the_total_and_to_the_kernel_totals():
    index = _hours("2025-01-01 00:00", 8760)
    rng = np.random.default_rng(16)
    imp = rng.uniform(0.0, 12000.0, 8760)
    exp = np.where(imp < 1000.0, rng.uniform(0.0, 500.0, 8760), 0.0)
    tariff = g.GridConnection(
        tariff="anhui_large_industry_2025_contracted_demand", contracted_demand_kw=11000.0
    ).resolved_tariff()
    bill = g.monthly_bill(imp, exp, index, tariff)
    totals = bill.totals()

    assert len(bill.max_demand_kw_by_month) == 12
    assert sum(bill.total_cny_by_month().values()) == pytest.approx(totals["total_cny"], rel=1e-12)
    assert totals["basic_charge_cny"] == pytest.approx(
        totals["demand_charge_cny"] + totals["capacity_charge_cny"] + totals["overrun_charge_cny"], rel=1e-12
    )
    assert totals["overrun_charge_cny"] > 0  # the random peaks pass 11550 kW in some months
    assert totals["energy_kwh"] == pytest.approx(imp.sum(), rel=1e-12)
    # The dispatch kernel's path: energy at the hourly price, the 12 monthly maxima, export at the feed-in price.
    kernel = g.bill_from_totals(
        (imp * g.hourly_price_cny_per_kwh(index, tariff)).sum(),
        pd.Series(imp).groupby(index.month).max().to_numpy()[None, :],
        exp.sum() * tariff.feed_in_price_cny_per_kwh,
        tariff,
    )
    for key in ("energy_charge_cny", "basic_charge_cny", "feed_in_revenue_cny", "total_cny"):
        assert totals[key] == pytest.approx(float(np.ravel(kernel[key])[0]), rel=1e-12), key
    # The old per-period view is a view of the same bill.
    view = g.grid_bill(imp, exp, index, tariff)
    assert view["total_cny"] == totals["total_cny"]
    assert sum(view["energy_cny_by_period"].values()) == pytest.approx(totals["energy_charge_cny"], rel=1e-12)


def test_to_dict_is_plain_json():
    index, imp, exp = _three_months()
    out = g.monthly_bill(imp, exp, index, g.Tariff(**CONTRACTED)).to_dict()
    assert out["totals"]["total_cny"] == pytest.approx(42350.0 + 81700.0 + 64170.0)
    assert out["total_cny_by_month"]["2025-03"] == pytest.approx(64170.0)
    assert json.loads(json.dumps(out, allow_nan=False)) == out  # nested dicts of str, float and None only


# ----------------------------------------------------------------------------- feed-in settlement


def test_feed_in_settlement_takes_its_sourced_price():
    unpriced = {k: v for k, v in CONTRACTED.items() if k != "feed_in_price_cny_per_kwh"}
    coal = g.Tariff(**unpriced, feed_in_settlement="coal_benchmark", coal_benchmark_cny_per_kwh=0.3844)
    assert coal.feed_in_price_cny_per_kwh == 0.3844
    market = g.Tariff(**unpriced, feed_in_settlement="market", market_feed_in_cny_per_kwh=0.30)
    assert market.feed_in_price_cny_per_kwh == 0.30
    same = g.Tariff(
        **unpriced, feed_in_settlement="market", market_feed_in_cny_per_kwh=0.30, feed_in_price_cny_per_kwh=0.30
    )
    assert same.feed_in_price_cny_per_kwh == 0.30
    index, imp, exp = _three_months()
    assert g.monthly_bill(imp, exp, index, market).feed_in_revenue_cny_by_month["2025-02"] == pytest.approx(30.0)
    assert g.Tariff(**unpriced).feed_in_price_cny_per_kwh == 0.0  # fixed, none given: nothing paid, as before
    # The shipped default keeps its number and its settlement.
    anhui = g.load_tariff("anhui_large_industry_2025")
    assert (anhui.feed_in_settlement, anhui.feed_in_price_cny_per_kwh) == ("fixed", 0.3844)
    assert set(g.FEED_IN_SETTLEMENTS) == {"fixed", "coal_benchmark", "market"}


# ----------------------------------------------------------------------------- bad tariff fields


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"basic_charge_basis": "contract"}, "basic_charge_basis", "contracted_demand"),
        ({"contracted_demand_overrun": "half"}, "contracted_demand_overrun", "band"),
        ({"contracted_demand_kw": -5.0}, "contracted_demand_kw", "greater than 0"),
        ({"feed_in_settlement": "coal_benchmark"}, "coal_benchmark_cny_per_kwh", "needs coal_benchmark_cny_per_kwh"),
        ({"feed_in_settlement": "market"}, "market_feed_in_cny_per_kwh", "needs market_feed_in_cny_per_kwh"),
        (
            {"feed_in_settlement": "coal_benchmark", "coal_benchmark_cny_per_kwh": 0.3844},
            "feed_in_price_cny_per_kwh",
            "coal_benchmark_cny_per_kwh (0.3844)",
        ),
        ({"feed_in_settlement": "spot"}, "feed_in_settlement", "fixed"),
    ],
)
def test_bad_tariff_field_names_its_path(tmp_path, change, field, words):
    # CONTRACTED gives feed_in_price_cny_per_kwh 0.4: with a settlement that sets the price, it conflicts.
    path = _write(tmp_path, {**CONTRACTED, **change})
    with pytest.raises(InputError) as err:
        g.load_tariff(path)
    assert err.value.field == field
    assert str(path) in str(err.value) and words in str(err.value)


def test_bad_connection_contract_names_its_path():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        g.GridConnection(contracted_demand_kw=0.0)
    assert err.value.errors()[0]["loc"] == ("contracted_demand_kw",)
