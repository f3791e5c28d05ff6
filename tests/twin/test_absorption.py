"""An absorption chiller on waste heat through the whole run: hand-worked hours and the recovery it adds."""

import copy

import numpy as np
import pytest
import yaml
from support.park_cases import ALL_YEAR
from support.scenario_files import DEFAULT, base, write  # noqa: F401 (base is a fixture)
from support.sweeps import assert_same_columns, both_paths

from lingtan.components.absorption import cooling_water_t_c
from lingtan.components.heat import AbsorptionChiller, absorption_chiller_full_load
from lingtan.components.space import SpaceConditioning, space_cooling_q_kw_th
from lingtan.twin.cli import main
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import check_heat_balance
from lingtan.twin.run import build_profiles, simulate

OFFICES = {"name": "offices", "ua_kw_per_k": 40, "setpoint_heating_c": 18, "t_c": 45, "cooling_cop": 4.0}


def with_absorption(data: dict, capacity_kw_th: float = 100.0) -> dict:
    """The default factory with a line rejecting 300 kW_th at 95 C around the clock, cooled offices (electric
    chillers of COP 4) and a single-effect absorption chiller (COP 0.7) on that stream cooling them."""
    d = copy.deepcopy(data)
    d["processes"] = [
        {
            "name": "oven",
            "calendar": ALL_YEAR,
            "batch_duration_h": 8,
            "p_kw": 400,  # an electric oven of 400 kW rejecting 300 kW_th (the first law holds)
            "waste_heat": [{"name": "exhaust", "kind": "exhaust_air", "t_c": 95, "q_kw_th": 300}],
        }
    ]
    d["space"] = [dict(OFFICES)]
    d["absorption_chillers"] = [
        {"name": "absorber", "source": "exhaust", "cooling": "offices", "capacity_q_kw_th": capacity_kw_th}
    ]
    d["boilers"] = [{"name": "gas", "fuel": "natural_gas", "efficiency": 0.92, "capacity_q_kw_th": 2000, "t_c": 90}]
    return d


@pytest.fixture(scope="module")
def runs():
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    with_it = scenario_from_dict(with_absorption(data))
    without = scenario_from_dict(with_absorption(data, capacity_kw_th=0.0))
    return with_it, simulate(with_it, DEFAULT.parent), simulate(without, DEFAULT.parent)


def test_hours_by_hand(runs):
    # Every hour the chiller cools min(demand, 100 kW_th, 0.7 x 300) = min(demand, 100) and takes cooling / 0.7 of
    # the exhaust; the electric chillers' electricity falls by cooling / 4 (checked on the site's electric load).
    sc, r, r0 = runs
    h = r.hourly_heat
    temp_air = build_profiles(sc, DEFAULT.parent).weather["temp_air"].to_numpy()
    demand = np.asarray(space_cooling_q_kw_th(temp_air, SpaceConditioning(**OFFICES)), dtype=float)
    cool = h["absorber.cooling_kw_th"].to_numpy()
    np.testing.assert_allclose(cool, np.minimum(demand, 100.0), rtol=1e-12, atol=1e-12)
    assert cool.max() == pytest.approx(100.0, abs=1e-9)  # the capacity binds on hot hours
    np.testing.assert_allclose(h["absorber.drive_heat_kw_th"].to_numpy(), cool / 0.7, rtol=1e-12)
    load_drop = (r0.hourly["load_kw"] - r.hourly["load_kw"]).to_numpy()
    np.testing.assert_allclose(load_drop, cool / 4.0, rtol=1e-9, atol=1e-9)


def test_the_drive_heat_is_recovered_and_the_condenser_heat_a_resource(runs):
    # Recovered: the drive heat (its cooling is a useful demand), on top of the run without the chiller (which
    # recovers nothing: no exchanger, no heat pump). Resource: the exhaust, plus the offices' condenser heat,
    # which the absorption changes from (q + q / 4) to (q - c) + (q - c) / 4 + c + c / 0.7 for cooling c.
    sc, r, r0 = runs
    k, k0 = r.kpis["heat"], r0.kpis["heat"]
    drive = float(r.hourly_heat["absorber.drive_heat_kw_th"].sum())
    cool = float(r.hourly_heat["absorber.cooling_kw_th"].sum())
    assert k["waste_heat_recovered_e_kwh_th_by_stream"]["exhaust"] == pytest.approx(drive, rel=1e-12)
    assert k0["waste_heat_recovered_e_kwh_th_by_stream"]["exhaust"] == 0.0
    cond, cond0 = (x["waste_heat_available_e_kwh_th_by_stream"]["offices.condenser"] for x in (k, k0))
    assert cond - cond0 == pytest.approx(-cool / 4.0 + drive, rel=1e-9)
    assert k["absorption_chillers"]["absorber"] == {
        "cooling_e_kwh_th": pytest.approx(cool, rel=1e-12),
        "drive_heat_e_kwh_th": pytest.approx(drive, rel=1e-12),
    }
    assert check_heat_balance(r.hourly_heat, build_profiles(sc, DEFAULT.parent).heat, np.zeros(0)) <= 1e-6


def test_the_curve_follows_the_weathers_cooling_water(base):  # noqa: F811
    # The same chiller on the characteristic equation: each hour its capacity and COP are the component's at the
    # stream's 95 C and the tower's water (wet bulb of the hour's air and humidity + 5 K), so it cools
    # min(demand, capacity, COP x 300) on cooling / COP of the exhaust; hot humid hours give less than the rating.
    d = with_absorption(base)
    d["absorption_chillers"][0]["model"] = "characteristic_equation"
    sc = scenario_from_dict(d)
    r = simulate(sc, DEFAULT.parent)
    weather = build_profiles(sc, DEFAULT.parent).weather
    temp_air = weather["temp_air"].to_numpy()
    demand = np.asarray(space_cooling_q_kw_th(temp_air, SpaceConditioning(**OFFICES)), dtype=float)
    ch = AbsorptionChiller(**d["absorption_chillers"][0])
    t_cw = cooling_water_t_c(temp_air, weather["relative_humidity"].to_numpy(), 5.0)
    cap, cop = absorption_chiller_full_load(ch, 95.0, t_cw)
    cool = r.hourly_heat["absorber.cooling_kw_th"].to_numpy()
    np.testing.assert_allclose(cool, np.minimum(np.minimum(demand, cap), cop * 300.0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r.hourly_heat["absorber.drive_heat_kw_th"].to_numpy(), cool / cop, rtol=1e-12)
    assert cap.min() < 100.0 < cap.max()
    assert check_heat_balance(r.hourly_heat, build_profiles(sc, DEFAULT.parent).heat, np.zeros(0)) <= 1e-6


def test_a_curve_field_names_its_path(tmp_path, capsys, base):  # noqa: F811
    d = with_absorption(base)
    d["absorption_chillers"][0]["model"] = "curve"
    assert main(["check", str(write(tmp_path, d))]) == 2
    err = capsys.readouterr().err
    assert "absorption_chillers[0].model" in err and "Traceback" not in err
    d["absorption_chillers"][0].update(model="characteristic_equation", machine="broad_01")
    assert main(["check", str(write(tmp_path, d))]) == 2
    assert "absorption_chillers[0].machine" in capsys.readouterr().err
    d["absorption_chillers"][0].update(machine="kuehn_ziegler_10kw", rated_drive_t_c=70, rated_cooling_water_t_c=35)
    assert main(["check", str(write(tmp_path, d))]) == 2
    err = capsys.readouterr().err
    assert "absorption_chillers[0]" in err and "rated_drive_t_c" in err and "Traceback" not in err
    d["absorption_chillers"][0].update(rated_drive_t_c=88, cooling_tower_approach_k=-1)
    assert main(["check", str(write(tmp_path, d))]) == 2
    assert "absorption_chillers[0].cooling_tower_approach_k" in capsys.readouterr().err


def test_a_chiller_on_no_stream_names_its_field(tmp_path, capsys, base):  # noqa: F811
    d = with_absorption(base)
    d["absorption_chillers"][0]["source"] = "exhuast"
    assert main(["check", str(write(tmp_path, d))]) == 2
    err = capsys.readouterr().err
    assert "absorption_chillers[0].source" in err and "'exhuast'" in err and "Traceback" not in err
    d["absorption_chillers"][0]["source"] = "exhaust"
    d["space"][0]["cooling_cop"] = None
    assert main(["check", str(write(tmp_path, d))]) == 2
    assert "absorption_chillers[0].cooling" in capsys.readouterr().err


@pytest.mark.parametrize("verdicts", [False, True])
def test_a_sweep_of_its_size_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path, verdicts):
    # Plumbing: the chiller on a stream is worked out before dispatch, so the fast path builds the profiles once per
    # capacity (profile_groups) and runs that capacity's PV cases through the kernel side by side (without
    # verdicts) or one by one on the group's profiles (with them: the heat side needs the hourly tables). Either
    # way its rows equal those of the scenarios built and run one by one.
    file = write(tmp_path, with_absorption(yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))), "absorber.yaml")
    params = ["absorption_chillers[0].capacity_q_kw_th=0:200:3", "pv[0].capacity_kwp=2000:8000:2"]
    a, b = both_paths(file, params, tmp_path, verdicts=verdicts)
    assert a.verdicts_computed.all() == verdicts  # the whole path always judges
    shared = [c for c in a.columns if c in b.columns and c not in ("case_hash", "verdicts_computed")]
    assert verdicts == any(c.startswith("verdict.") for c in shared)
    assert_same_columns(a, b, shared)
    # The chiller spares the offices' chillers more as it grows (min(demand, capacity) of cooling, at COP 4).
    load = a.groupby("absorption_chillers[0].capacity_q_kw_th")["total_consumption_e_kwh"].mean().to_numpy()
    assert load[0] > load[1] > load[2]
