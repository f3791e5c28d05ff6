"""Peak shaving: the battery keeps each month's grid import at or below a target.

Hand cases are worked on paper with the conventions in ``lingtan.twin.core.dispatch``: stored energy grows by
``p_in * eta_c`` and falls by ``p_out / eta_d``; grid import is grid-to-load plus grid-to-battery. Tolerances
of 1e-9 kW are float round-off on numbers of order 100.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lingtan.errors import InputError, ScenarioError
from lingtan.limits import PEAK_TARGET_TOL_KW
from lingtan.twin.cli import main
from lingtan.twin.core.dispatch import (
    FLOWS,
    PARAMS,
    PEAK_LIMITS,
    STATES,
    dispatch,
    lowest_peak_targets,
    params_matrix,
    peak_shortfall_kw,
)
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import kernel_params

VALLEY, FLAT, PEAK = 0, 1, 2
_F = {name: i for i, name in enumerate(FLOWS + STATES)}
_LIM = [PARAMS.index(c) for c in PEAK_LIMITS]


def params(n=1, *, energy=100.0, p=50.0, eta_c=0.9, eta_d=0.8, soc0=0.0, strategy="peak_shaving", limit=np.inf):
    return params_matrix(
        n,
        energy_kwh=energy,
        charge_kw=p,
        discharge_kw=p,
        charge_efficiency=eta_c,
        discharge_efficiency=eta_d,
        soc_min=0.0,
        soc_max=1.0,
        self_discharge_fraction_per_hour=0.0,
        soc_initial=soc0,
        import_limit_kw=1e9,
        export_limit_kw=0.0,
        strategy=strategy,
        load_scale=1.0,
        peak_limit_kw=limit,
    )


def site(load, month=None, period=None, re=None):
    t = len(load)
    return dict(
        unit_kw=np.zeros((1, t)) if re is None else np.asarray(re, float)[None, :],
        load_kw=np.asarray(load, float),
        period=np.full(t, FLAT) if period is None else np.asarray(period),
        month=np.zeros(t, int) if month is None else np.asarray(month),
        price_cny_per_kwh=np.ones(t),
    )


def run(load, p, *, month=None, period=None, re=None, record=True):
    s = site(load, month, period, re)
    n = p.shape[0]
    res = dispatch(s.pop("unit_kw"), np.ones((n, 1)), s.pop("load_kw"), p, record_hourly=record, **s)
    return res, {name: res.hourly[:, i] for name, i in _F.items()} if record else None


def grid_import(h):
    return h["grid_to_load"] + h["grid_to_battery"]


def test_peak_shaving_hand_case():
    # Target 60 kW, empty 100 kWh battery, 50 kW, eta_c 0.9, eta_d 0.8, no renewables.
    # h0 load 40: grid-charge min(50, 60 - 40) = 20 -> stored 18; import 60.
    # h1 load 40: the same -> e = 36; import 60.
    # h2 load 80: discharge the excess 20, drawn 20 / 0.8 = 25 -> e = 11; import 60.
    # h3 load 65: excess 5, drawn 6.25 -> e = 4.75; import 60.
    # h4 load 30: grid-charge min(50, 30) = 30 -> stored 27, e = 31.75; import 60.
    # h5 load 70: excess 10, drawn 12.5 -> e = 19.25; import 60.
    load = [40, 40, 80, 65, 30, 70]
    res, h = run(load, params(limit=60.0))
    np.testing.assert_allclose(h["grid_to_battery"], [20, 20, 0, 0, 30, 0], atol=1e-9)
    np.testing.assert_allclose(h["battery_grid_to_load"], [0, 0, 20, 5, 0, 10], atol=1e-9)
    np.testing.assert_allclose(h["battery_e"], [18, 36, 11, 4.75, 31.75, 19.25], atol=1e-9)
    np.testing.assert_allclose(grid_import(h), [60] * 6, atol=1e-9)
    np.testing.assert_allclose(res.monthly_peak_kw[0, 0], 60, atol=1e-9)
    np.testing.assert_array_equal(peak_shortfall_kw(res, params(limit=60.0))[0], 0.0)
    # load_following never grid-charges: the empty battery does nothing and the peak is the load's, 80 kW.
    res_lf, _ = run(load, params(strategy="load_following"))
    np.testing.assert_allclose(res_lf.monthly_peak_kw[0, 0], 80, atol=1e-9)


def test_shortfall_is_reported_not_hidden():
    # The same hours with target 50: h0, h1 charge min(50, 10) = 10 -> stored 9 each, e = 18.
    # h2 load 80: excess 30, but the store gives 18 * 0.8 = 14.4 -> import 65.6, the battery empty.
    # h3 load 65: empty -> import 65. h4 load 30: charge 20 -> e = 18. h5 load 70: excess 20, 14.4 -> import 55.6.
    # The month's peak is 65.6: 15.6 kW above the target, reported as the shortfall.
    p = params(limit=50.0)
    res, h = run([40, 40, 80, 65, 30, 70], p)
    np.testing.assert_allclose(grid_import(h), [50, 50, 65.6, 65, 50, 55.6], atol=1e-9)
    np.testing.assert_allclose(peak_shortfall_kw(res, p)[0], [15.6] + [0.0] * 11, atol=1e-9)


def test_tou_arbitrage_respects_the_limit():
    # Valley hours grid-charge, capped by the limit 60: min(50 kW, 60 - 40) = 20 -> stored 18 each, e = 36.
    # Peak hour: discharge min(80, 50, 36 * 0.8 = 28.8) = 28.8 -> import 51.2.
    # Without the limit the valley charge is 50 + 40 = 90 kW of import: the arbitrage would set the peak.
    period = [VALLEY, VALLEY, PEAK]
    res, h = run([40, 40, 80], params(strategy="tou_arbitrage", limit=60.0), period=period)
    np.testing.assert_allclose(grid_import(h), [60, 60, 51.2], atol=1e-9)
    res_free, h_free = run([40, 40, 80], params(strategy="tou_arbitrage"), period=period)
    np.testing.assert_allclose(grid_import(h_free)[:2], [90, 90], atol=1e-9)
    # In a flat hour tou_arbitrage does not discharge, but above the limit it discharges the excess: 70 - 60 = 10.
    res, h = run([40, 70], params(strategy="tou_arbitrage", limit=60.0), period=[VALLEY, FLAT])
    np.testing.assert_allclose(grid_import(h), [60, 60], atol=1e-9)


@st.composite
def cases(draw):
    t = draw(st.integers(24, 24 * 10))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    load = rng.uniform(0, 1000, t) * (1 + np.sin(np.arange(t) * 2 * np.pi / 24))
    re = rng.uniform(0, 600, t) * (rng.uniform(size=t) > 0.5)
    month = np.minimum(np.arange(t) // 80, 11)  # a "month" of 80 hours, so months and their boundaries occur
    energy = rng.uniform(0, 3000)
    p = params(
        energy=energy,
        p=rng.uniform(0, 1500),
        eta_c=rng.uniform(0.7, 1.0),
        eta_d=rng.uniform(0.7, 1.0),
        soc0=rng.uniform(0, 1),
        limit=rng.uniform(0, 2000, 12),
    )
    return load, re, month, p


@settings(max_examples=40, deadline=None)
@given(cases())
def test_limit_holds_unless_the_battery_is_spent(case):
    load, re, month, p = case
    res, h = run(load, p, month=month, re=re)
    limit = p[0, _LIM][month]
    over = grid_import(h) > limit + 1e-9
    # Where import exceeds the limit, the battery gave what it could: its full discharge power, or it is empty.
    given_kw = h["battery_grid_to_load"] + h["battery_re_to_load"]
    at_power = given_kw >= p[0, 2] - 1e-9
    empty = h["battery_e"] <= 1e-9
    assert np.all(at_power[over] | empty[over])
    # Grid charging never sets a peak: in an hour the battery takes grid energy, import stays within the limit.
    charging = h["grid_to_battery"] > 0
    assert np.all(grid_import(h)[charging] <= limit[charging] + 1e-9)
    # So the month's peak is never above what the load alone draws from the grid, or the limit if higher.
    no_battery = np.maximum(0.0, load - re)
    for m in np.unique(month):
        assert res.monthly_peak_kw[0, m] <= max(no_battery[month == m].max(), p[0, _LIM[m]]) + 1e-9
    # The shortfall is the peak above the limit, month by month, and zero where it held.
    short = peak_shortfall_kw(res, p)[0]
    for m in np.unique(month):
        np.testing.assert_allclose(short[m], max(0.0, grid_import(h)[month == m].max() - p[0, _LIM[m]]), atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 1.0))
def test_limit_holds_in_every_hour_when_the_battery_can(seed, margin):
    # A battery that starts full and could cover every hour's excess without recharging can hold the target:
    # its power is at least the largest excess and its usable energy at least the sum of excess / eta_d.
    rng = np.random.default_rng(seed)
    t = 24 * 7
    load = rng.uniform(100, 1000, t)
    target = rng.uniform(300, 1000)
    excess = np.maximum(0.0, load - target)
    eta_d = rng.uniform(0.8, 1.0)
    p = params(
        energy=excess.sum() / eta_d * (1 + margin) + 1.0,
        p=excess.max() * (1 + margin) + 1.0,
        eta_d=eta_d,
        soc0=1.0,
        limit=target,
    )
    res, h = run(load, p)
    assert np.all(grid_import(h) <= target + 1e-9)
    assert peak_shortfall_kw(res, p)[0, 0] == 0.0


def test_found_target_is_the_lowest_within_tolerance():
    # Three "months" of 10 days of a two-shift load: the battery (800 kWh, 300 kW) shaves each month's peak as
    # far as it can. Each found target holds; the target minus the tolerance does not.
    rng = np.random.default_rng(7)
    t = 24 * 30
    hour = np.arange(t) % 24
    load = 400 + 600 * ((hour >= 8) & (hour < 24)) + rng.uniform(0, 200, t)
    month = np.arange(t) // 240
    p = params(energy=800.0, p=300.0, eta_c=0.95, eta_d=0.95, soc0=0.5)
    s = site(load, month)
    unit, load_kw = s.pop("unit_kw"), s.pop("load_kw")
    target = lowest_peak_targets(unit, np.ones((1, 1)), load_kw, p, tol_kw=PEAK_TARGET_TOL_KW, **s)
    assert np.all(np.isinf(target[3:]))  # months without hours keep no limit
    held = params(energy=800.0, p=300.0, eta_c=0.95, eta_d=0.95, soc0=0.5, limit=target)
    res, _ = run(load, held, month=month, record=False)
    np.testing.assert_allclose(peak_shortfall_kw(res, held)[0, :3], 0.0, atol=1e-9)
    # The battery did shave: 800 kWh over 16 hours of shift is about 50 kW on average, more on the noise's tips.
    assert all(target[m] < load[month == m].max() - 50 for m in range(3))
    for m in range(3):
        lower = target.copy()
        lower[m] -= PEAK_TARGET_TOL_KW
        low = params(energy=800.0, p=300.0, eta_c=0.95, eta_d=0.95, soc0=0.5, limit=lower)
        res, _ = run(load, low, month=month, record=False)
        assert peak_shortfall_kw(res, low)[0, m] > 1e-9, f"month {m}: target - tol still held"


ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"


def twin_run(tmp_path, name, **battery):
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["battery"][0].update(battery)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / name), "--reports", "none"]) == 0
    return json.loads((tmp_path / name / "kpis.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hefei(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hefei")
    return twin_run(tmp, "lf"), twin_run(tmp, "ps", dispatch="peak_shaving")


def test_peak_shaving_lowers_the_default_factory_bill(hefei):
    # load_following: 33.29 M CNY a year, of it 4.855 M demand charge (8,429 kW every month x 48 CNY/kW-month x 12).
    # peak_shaving holds each month at the lowest target the 4 MW / 8 MWh battery can (7,601 to 7,848 kW, a mean
    # of 7,703 kW): demand charge 4.437 M, 0.418 M less. It imports 0.46 GWh more (round-trip losses, and PV
    # surplus exported while the battery is kept full: feed-in 0.224 -> 0.353 M), yet its energy charge is 0.317 M
    # lower, as the battery discharges in the shift's peak-price hours and recharges after it in the valley.
    # Saving: 0.418 + 0.317 + 0.129 = 0.864 M CNY a year.
    lf, ps = (kpis["grid_bill"]["totals"] for kpis in hefei)
    assert lf["total_cny"] == pytest.approx(33_291_518.766, rel=1e-9)
    assert ps["total_cny"] == pytest.approx(32_427_439.840, rel=1e-9)
    assert lf["demand_charge_cny"] == pytest.approx(4_855_023.601, rel=1e-9)
    assert ps["demand_charge_cny"] == pytest.approx(4_436_874.671, rel=1e-9)
    assert ps["total_cny"] < lf["total_cny"]
    lf, ps = hefei
    # The found targets are stated, and the battery held them every month.
    target = ps["peak_target"]
    assert target["found"] and target["tolerance_kw"] == PEAK_TARGET_TOL_KW
    assert target["shortfall_kw"] == [0.0] * 12
    assert max(target["target_kw"]) == pytest.approx(ps["peak_import_kw"], abs=1e-6)


def test_a_target_too_low_is_reported(tmp_path):
    kpis = twin_run(tmp_path, "low", dispatch="peak_shaving", peak_target_kw=1000.0)
    short = kpis["peak_target"]["shortfall_kw"]
    assert not kpis["peak_target"]["found"] and kpis["peak_target"]["target_kw"] == [1000.0] * 12
    assert min(short) > 0  # a 4 MW / 8 MWh battery cannot hold a 1 MW import against a multi-MW load
    assert any("could not hold battery[0].peak_target_kw" in w for w in kpis["warnings"])


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"dispatch": "peak_shaving", "peak_target_kw": -1.0}, "greater than or equal to 0"),
        ({"dispatch": "peak_shaving", "peak_target_kw": [5000.0] * 11}, "12 monthly ones, found 11"),
        ({"peak_target_kw": 5000.0}, "not load_following"),
    ],
)
def test_target_schema(update, message):
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["battery"][0].update(update)
    with pytest.raises(ScenarioError, match=message) as err:
        scenario_from_dict(d)
    assert "battery[0]" in str(err.value)


def test_a_study_of_many_runs_needs_a_given_target():
    d = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    d["battery"][0]["dispatch"] = "peak_shaving"
    sc = scenario_from_dict(d)
    with pytest.raises(InputError, match=r"battery\[0\].peak_target_kw"):
        kernel_params(sc.grid, sc.battery, 4)
    d["battery"][0]["peak_target_kw"] = list(range(5000, 5012))
    sc = scenario_from_dict(d)
    np.testing.assert_array_equal(kernel_params(sc.grid, sc.battery, 2)[:, _LIM], [list(range(5000, 5012))] * 2)
