"""The second reference scenario (issue 19, item 6), run whole: every piece of the plant it ships is exercised,
every balance closes, and the Anhui fleet verdicts read the fleet as simulated.

Integration (plumbing): the physics of each piece is tested on its own (test_dispatch_chp, test_hydrogen_run,
test_demand_response, tests/components/test_flexible, test_run_ground); here the numbers worked by hand are the
scenario header's fleet counts.
"""

import numpy as np
import pytest
from support.scenario_files import DEFAULT
from support.sweeps import assert_same_columns, both_paths

from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.core.tables import check_electric_balance, check_heat_balance
from lingtan.twin.run import build_profiles, simulate

PARK = DEFAULT.parent / "hefei_cold_chain_park.yaml"


@pytest.fixture(scope="module")
def park():
    sc = load_scenario(PARK)
    return sc, simulate(sc, PARK.parent)


def _verdict(r, suffix):
    return next(v for v in r.verdicts if v["criterion_id"].endswith(suffix))


def test_the_fleet_verdicts_are_simulated(park):
    # NEV share (40 electric trucks + 30 forklifts + 2 fuel-cell trucks) / 112 vehicles; charge points 35 / 150
    # spaces (the stricter of that and 35 / 112 vehicles). Every trip is made (the electrolyser tops the tanks up
    # from valley grid power when PV surplus falls short), so both are verdicts.
    _, r = park
    nev, cov = _verdict(r, "nev_share"), _verdict(r, "charging_coverage")
    assert (nev["input"], nev["status"]) == ("simulated", "pass") and nev["value"] == pytest.approx(72 / 112)
    assert "70 electric and 2 fuel-cell of 112" in nev["note"]
    assert (cov["input"], cov["status"]) == ("simulated", "pass") and cov["value"] == pytest.approx(35 / 150)


def test_every_piece_runs_and_every_balance_closes(park):
    sc, r = park
    k = r.kpis
    assert k["unserved_load_e_kwh"] == 0.0 and k["vehicles"]["unmet_e_kwh"] == 0.0
    # The fuel-cell trucks take 30.6 kg a day, 2 x 365 days, all of it there: some made of valley grid power.
    h2 = k["vehicles"]["hydrogen"]
    assert h2["need_kg"] == pytest.approx(2 * 170 * 9.0 / 100 * 365) and h2["unmet_kg"] == pytest.approx(0, abs=1e-9)
    assert k["vehicles"]["unmet_trips"] == h2["unmet_trips"] == 0
    assert k["hydrogen"]["grid_e_kwh"] > 0 and 0.5 < k["hydrogen"]["used_renewable_share"] < 1.0
    assert k["heat"]["chp"]["gas_engine"]["full_load_h"] > 1000
    assert k["heat"]["absorption_chillers"]["hall_absorber"]["cooling_e_kwh_th"] > 0
    assert k["heat"]["ground_loops"]["office_boreholes"]["extracted_e_kwh_th"] > 0
    assert k["heat"]["waste_heat_recovered_e_kwh_th"] > 0
    assert k["hydrogen"]["made_kg"] > 0
    # the cold rooms' goods run below setpoint on surplus and valley power and spare the plant in dear hours
    goods = k["load_stores"]["frozen_goods"]
    assert goods["relief_e_kwh_peak"] + goods["relief_e_kwh_critical"] > 0.5 * goods["relief_e_kwh"] > 0
    assert k["flexible_loads"]["cold_store_pull_down"]["e_kwh"] == pytest.approx(500 * 4 * 365)
    assert k["demand_response"]["events"][0]["met"]
    for v in ("re_electricity_share", "waste_heat_recovery"):
        assert _verdict(r, v)["input"] == "simulated"
    prof = build_profiles(sc, PARK.parent)
    assert check_electric_balance(r.hourly) <= 1e-6
    assert check_heat_balance(r.hourly_heat, prof.heat, np.zeros(0)) <= 1e-6


def test_a_sweep_of_the_park_takes_the_fast_path_and_gives_the_whole_scenario_rows(tmp_path):
    # Plumbing: the park schedules its smart charging and its cold-room pull-down on its PV before dispatch, and
    # holds a demand-response event, so a PV x battery sweep builds the profiles once per PV size (profile groups)
    # and runs each size's battery cases through the kernel together, twice for the event (baseline, then capped).
    # Every KPI column equals the whole-scenario path's (profiles built with the base PV gave other schedules).
    params = ["pv[0].capacity_kwp=3000:9000:2", "battery[0].energy_kwh=0:8000:2"]
    a, b = both_paths(PARK, params, tmp_path, jobs=2, verdicts=False)
    numbers = [c for c in a.columns if c in b.columns and a[c].dtype.kind == "f" and c != "verdicts_computed"]
    assert {"grid_import_e_kwh", "demand_response.delivered_e_kwh", "flexible_loads.cold_store_pull_down.e_kwh"} <= set(
        numbers
    )
    assert_same_columns(a, b, numbers)
    assert a["grid_import_e_kwh"].nunique() == 4
