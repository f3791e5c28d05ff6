"""Battery ageing: rainflow counting, the Naumann LFP model, years and replacement.

Expected values are worked by hand from the standard's example and from the published laws with
their published parameters written out here, not taken from the code under test.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lingtan.components.battery import Battery
from lingtan.components.battery_ageing import (
    DEFAULT_SOH_FLOOR,
    AgeingState,
    BatteryAgeing,
    NaumannLfpParameters,
    age_year,
    rainflow_cycles,
    round_trip_efficiency,
    soh_by_year,
)
from lingtan.errors import InputError, ScenarioError
from lingtan.twin.core.scenario import scenario_from_dict

YEAR_S = 8760 * 3600.0
HOURS = 8760
ROOT = Path(__file__).resolve().parents[2]


def _by_range(cycles) -> dict[float, float]:
    out: dict[float, float] = defaultdict(float)
    for depth, count in zip(cycles.depth, cycles.count, strict=True):
        out[float(depth)] += float(count)
    return dict(out)


def _daily(low: float, high: float, days: int, ramp_h: int) -> np.ndarray:
    """Charge from ``low`` to ``high`` in ``ramp_h`` hours, discharge back in ``ramp_h``, rest at ``low``."""
    up = np.linspace(low, high, ramp_h + 1)
    day = np.r_[up, up[-2::-1], np.full(24 - 2 * ramp_h - 1, low)]
    assert day.size == 24
    return np.tile(day, days)


# ---------------------------------------------------------------------------------------------- rainflow


def test_rainflow_astm_e1049_worked_example():
    """ASTM E1049-85 (reapproved 2017), 5.4.4, the example of Fig. 6: the series -2, 1, -3, 5, -1, 3, -4, 4, -2
    counts range 3: 0.5 cycle, 4: 1.5, 6: 0.5, 8: 1.0, 9: 0.5 (the standard's cycle table)."""
    cycles = rainflow_cycles([-2, 1, -3, 5, -1, 3, -4, 4, -2])
    assert _by_range(cycles) == {3.0: 0.5, 4.0: 1.5, 6.0: 0.5, 8.0: 1.0, 9.0: 0.5}
    # Means by hand from the counting order: A-B, B-C half; E-F full; C-D half; residue D-G, G-H, H-I.
    got = sorted(zip(cycles.depth.tolist(), cycles.count.tolist(), cycles.mean.tolist(), strict=True))
    assert got == [
        (3, 0.5, -0.5),
        (4, 0.5, -1.0),
        (4, 1.0, 1.0),
        (6, 0.5, 1.0),
        (8, 0.5, 0.0),
        (8, 0.5, 1.0),
        (9, 0.5, 0.5),
    ]


def test_rainflow_hand_series():
    # Two daily swings 0.1 -> 0.9 -> 0.1 -> 0.9 -> 0.1: every range touches the start or is residue,
    # so four half cycles of depth 0.8, i.e. two cycles and 1.6 full equivalent cycles.
    c = rainflow_cycles([0.1, 0.9, 0.1, 0.9, 0.1])
    assert c.count.tolist() == [0.5, 0.5, 0.5, 0.5]
    assert c.depth == pytest.approx([0.8] * 4, abs=1e-15)
    # A small inner swing inside a large one is one full cycle; plateaus and points between
    # a rise and a further rise are not reversals.
    c = rainflow_cycles([0.2, 0.2, 0.5, 0.7, 0.6, 0.8, 0.8, 0.9, 0.2])
    # Reversals 0.2, 0.7, 0.6, 0.9, 0.2: the 0.7-0.6 swing closes as a full cycle when 0.9 arrives,
    # 0.2-0.9 holds the start (a half cycle), 0.9-0.2 is the residue (a half cycle).
    got = sorted(zip(np.round(c.depth, 12).tolist(), c.count.tolist(), strict=True))
    assert got == [(0.1, 1.0), (0.7, 0.5), (0.7, 0.5)]
    inner = c.count == 1.0
    assert c.depth[inner] == pytest.approx([0.1]) and c.mean[inner] == pytest.approx([0.65])
    assert c.duration_steps[inner].tolist() == [1]  # 0.7 at step 3 to 0.6 at step 4
    # A constant series has no cycle.
    assert rainflow_cycles(np.full(10, 0.5)).count.size == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=200))
def test_rainflow_conserves_the_travel(series):
    """Every rise and fall of the series belongs to exactly one counted half excursion:
    ``2 * sum(count * depth)`` is the total variation."""
    c = rainflow_cycles(series)
    assert 2 * np.sum(c.count * c.depth) == pytest.approx(np.abs(np.diff(series)).sum(), abs=1e-9)
    assert set(c.count.tolist()) <= {0.5, 1.0}


# ---------------------------------------------------------------------------------------------- the model


def test_calendar_fade_reproduces_the_published_law():
    """Naumann et al. 2018 (J. Energy Storage 17:153): q_cal = k_ref * exp(-Ea/R (1/T - 1/Tref)) *
    (c (SoC - 0.5)^3 + d) * sqrt(t) with k_ref = 1.2571e-5 s^-0.5, Ea = 17126 J/mol, c = 2.8575, d = 0.60225,
    T_ref = 298.15 K; R = 8.3144598 J/(mol K). One year of storage (8760 h):
    25 C, SoC 0.5: 1.2571e-5 * 0.60225 * sqrt(31 536 000) = 0.0425158;
    40 C, SoC 1.0: Arrhenius factor exp(-17126/8.3144598 (1/313.15 - 1/298.15)) = 1.392252,
    SoC factor 2.8575/8 + 0.60225 = 0.959438, q = 0.0942991."""
    q25 = age_year(AgeingState(), np.full(HOURS, 0.5), 25.0).q_cal
    assert q25 == pytest.approx(0.0425158, rel=2e-6)
    q40 = age_year(AgeingState(), np.full(HOURS, 1.0), 40.0).q_cal
    assert q40 == pytest.approx(0.0942991, rel=2e-6)
    # Four years at constant stress: sqrt(4) = 2 times one year (the sqrt(t) law continued by virtual time).
    s = AgeingState()
    for _ in range(4):
        s = age_year(s, np.full(HOURS, 0.5), 25.0)
    assert s.q_cal == pytest.approx(2 * q25, rel=1e-12)
    assert s.q_cyc == 0.0


def test_cycle_fade_reproduces_the_published_law():
    """Naumann et al. 2020 (J. Power Sources 451:227666): q_cyc [%] = (a C + b)(c (DOD - 0.6)^3 + d) sqrt(FEC)
    with a = 0.0630, b = 0.0971, c = 4.0253, d = 1.0923. A daily 0.1 -> 0.9 -> 0.1 swing in 2 h each way:
    DOD 0.8, C = 0.8/2 h = 0.4 /h, k = (0.0630*0.4 + 0.0971)(4.0253*0.2^3 + 1.0923) = 0.137527 %;
    365 days counted as 730 half cycles of 0.8: FEC = 292, q = 0.137527 % * sqrt(292) = 0.0235006."""
    soc = _daily(0.1, 0.9, 365, 2)
    end = age_year(AgeingState(), soc, 25.0)
    assert end.q_cyc == pytest.approx(0.0235006, rel=2e-6)


def test_fade_is_monotone_in_temperature_depth_and_time():
    soc = _daily(0.3, 0.7, 365, 2)
    q_t = [age_year(AgeingState(), soc, t).q_cal for t in (0.0, 15.0, 25.0, 35.0, 45.0)]
    assert np.all(np.diff(q_t) > 0)
    # Deeper cycles at the same C-rate (ramp length scaled with depth) fade more per cycle and per year.
    q_d = [age_year(AgeingState(), _daily(0.5 - d / 2, 0.5 + d / 2, 365, 4), 25.0).q_cyc for d in (0.2, 0.4, 0.6, 0.8)]
    assert np.all(np.diff(q_d) > 0)
    res = soh_by_year(soc, 25.0, 1000.0, 12, floor=0.5)
    assert not res.replaced.any()
    assert np.all(np.diff(res.soh_end) < 0) and np.all(np.diff(res.resistance_ratio) > 0)
    assert np.all(np.diff(res.round_trip_efficiency) < 0)


def test_replacement_resets_and_repeats():
    soc = _daily(0.05, 0.95, 365, 3)
    res = soh_by_year(soc, 30.0, 2000.0, 25, floor=0.85)
    years = res.replacement_years
    assert len(years) >= 2
    first = years[0]
    assert res.soh_end[first - 1] <= 0.85 < res.soh_end[first - 2]
    assert res.soh_start[first] == 1.0 and res.resistance_ratio[first] == pytest.approx(res.resistance_ratio[0])
    # The same profile ages the new battery the same way: replacements are evenly spaced.
    assert np.diff(years).tolist() == [first] * (len(years) - 1)
    assert res.capacity_start_kwh[first] == 2000.0


def test_round_trip_efficiency_proxy():
    """Each one-way loss grows with the resistance ratio: 0.95 each way at R/R0 = 1.5 gives
    (1 - 0.05*1.5)^2 = 0.855625."""
    assert round_trip_efficiency(1.0, 0.95, 0.95) == pytest.approx(0.9025)
    assert round_trip_efficiency(1.5, 0.95, 0.95) == pytest.approx(0.855625)


def test_default_floor_and_year_rows():
    assert BatteryAgeing().soh_floor == DEFAULT_SOH_FLOOR == 0.7
    soc = _daily(0.1, 0.9, 365, 2)
    # One row per year gives the same as a repeated year; a hotter second row ages faster.
    same = soh_by_year(np.vstack([soc, soc]), 25.0, 1.0, 2)
    assert same.soh_end == pytest.approx(soh_by_year(soc, 25.0, 1.0, 2).soh_end, rel=1e-12)
    hot = soh_by_year(np.vstack([soc, soc]), np.vstack([np.full(soc.size, 25.0), np.full(soc.size, 40.0)]), 1.0, 2)
    assert hot.soh_end[1] < same.soh_end[1] and hot.soh_end[0] == same.soh_end[0]


# ---------------------------------------------------------------------------------------------- bad input


def test_bad_arguments_name_the_field():
    soc = np.full(24, 0.5)
    for kwargs, field in (
        ({"floor": 1.2}, "floor"),
        ({"years": 0}, "years"),
        ({"energy_kwh": -1.0}, "energy_kwh"),
        ({"soc": np.full(24, 1.3)}, "soc"),
        ({"t_c": np.full(23, 25.0)}, "t_c"),
        ({"t_c": 120.0}, "t_c"),
        ({"step_h": 0.0}, "step_h"),
        ({"charge_efficiency": 0.0}, "charge_efficiency"),
    ):
        args = {"soc": soc, "t_c": 25.0, "energy_kwh": 1.0, "years": 2} | kwargs
        with pytest.raises(InputError, match=rf"<input>: {field}: expected"):
            soh_by_year(**args)
    with pytest.raises(InputError, match="soc: expected a 1-D"):
        rainflow_cycles([0.1, float("nan")])


def _factory_with(ageing: dict | None) -> dict:
    data = yaml.safe_load((ROOT / "scenarios" / "hefei_auto_parts.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    if ageing is not None:
        data["battery"][0]["ageing"] = ageing
    return data


def test_the_battery_schema_carries_the_ageing_record():
    sc = scenario_from_dict(_factory_with({"soh_floor": 0.8, "parameters": {"ea_cal_j_per_mol": 20000}}))
    ageing = sc.battery[0].ageing
    assert ageing is not None and ageing.model == "naumann_lfp" and ageing.soh_floor == 0.8
    assert ageing.parameters.ea_cal_j_per_mol == 20000 and ageing.parameters.k_ref_cal_per_sqrt_s == 1.2571e-5
    # A higher activation energy makes 40 C storage age faster than the published fit does.
    soc = np.full(HOURS, 0.5)
    assert age_year(AgeingState(), soc, 40.0, ageing.parameters).q_cal > age_year(AgeingState(), soc, 40.0).q_cal
    # Without the record nothing ages: the default keeps every current result.
    assert scenario_from_dict(_factory_with(None)).battery[0].ageing is None
    assert Battery(name="b", energy_kwh=1, power_kw=1).ageing is None


@pytest.mark.parametrize(
    ("ageing", "path"),
    [
        ({"soh_floor": 1.5}, r"battery\[0\]\.ageing\.soh_floor"),
        ({"model": "nmc"}, r"battery\[0\]\.ageing\.model"),
        ({"parameters": {"k_ref_cal_per_sqrt_s": -1}}, r"battery\[0\]\.ageing\.parameters\.k_ref_cal_per_sqrt_s"),
        ({"parameters": {"c_cal_soc": 9.0}}, r"battery\[0\]\.ageing\.parameters"),
        ({"parameters": {"q_typo": 1}}, r"battery\[0\]\.ageing\.parameters\.q_typo"),
    ],
)
def test_bad_ageing_parameters_name_the_yaml_path(ageing, path):
    with pytest.raises(ScenarioError, match=path):
        scenario_from_dict(_factory_with(ageing), file="factory.yaml")


def test_published_parameters_are_the_defaults():
    """The defaults are the published fits: Naumann 2018 calendar (k_ref 1.2571e-5 s^-0.5, Ea 17126 J/mol,
    c 2.8575, d 0.60225; resistance 3.4194e-10 /s, 71827 J/mol, -3.3903, 1.5604) and Naumann 2020 cycle
    (0.0630, 0.0971, 4.0253, 1.0923; resistance -0.0020, 0.0021, 6.8477, 0.91882)."""
    p = NaumannLfpParameters()
    got = [
        p.k_ref_cal_per_sqrt_s, p.ea_cal_j_per_mol, p.c_cal_soc, p.d_cal_soc,
        p.k_ref_r_cal_per_s, p.ea_r_cal_j_per_mol, p.c_r_cal_soc, p.d_r_cal_soc,
        p.a_cyc_c_rate, p.b_cyc_c_rate, p.c_cyc_dod, p.d_cyc_dod,
        p.a_r_cyc_c_rate, p.b_r_cyc_c_rate, p.c_r_cyc_dod, p.d_r_cyc_dod,
    ]  # fmt: skip
    assert got == [
        1.2571e-5, 17126.0, 2.8575, 0.60225, 3.4194e-10, 71827.0, -3.3903, 1.5604,
        0.0630, 0.0971, 4.0253, 1.0923, -0.0020, 0.0021, 6.8477, 0.91882,
    ]  # fmt: skip
    assert math.isclose(p.t_ref_c + 273.15, 298.15)
