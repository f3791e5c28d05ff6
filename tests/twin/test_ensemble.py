"""Weather-year ensembles: exceedance and odds by hand, members equal to single runs of their weather, a file
ensemble in the right order.

Exceedance convention (lingtan.twin.core.odds): PXX is the value exceeded in XX % of the years, the
(100 - XX)th percentile with linear interpolation: for n sorted values x[0..n-1] the q-th percentile sits at
rank r = q / 100 * (n - 1), between x[floor(r)] and x[floor(r) + 1].
"""

import pandas as pd
import pytest
from support.scenario_files import DEFAULT, ROOT, base, write  # noqa: F401 (base is a fixture)

from lingtan.twin.core.odds import exceedance, margins, odds, stats
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.core.schema.site import Ensemble
from lingtan.twin.run import build_profiles, simulate_profiles, synthetic_climate
from lingtan.twin.studies.ensemble import PARALLEL_MIN_MEMBERS, simulate_ensemble
from lingtan.twin.studies.park import simulate_park
from lingtan.weather.ensemble import synthetic_members

PARK = ROOT / "scenarios" / "anhui-park.yaml"
ANHUI_RE = "anhui_park_2024.re_electricity_share"

# --------------------------------------------------------------------------- arithmetic by hand


def test_exceedance_by_hand():
    x = [30.0, 10.0, 40.0, 20.0, 50.0]  # sorted 10 20 30 40 50, n = 5
    # P50: 50th percentile, rank 0.5 * 4 = 2 -> 30
    assert exceedance(x, 50) == 30.0
    # P90: 10th percentile, rank 0.1 * 4 = 0.4 -> 10 + 0.4 * (20 - 10) = 14
    assert exceedance(x, 90) == pytest.approx(14.0, abs=1e-12)
    # P10: 90th percentile, rank 0.9 * 4 = 3.6 -> 40 + 0.6 * (50 - 40) = 46
    assert exceedance(x, 10) == pytest.approx(46.0, abs=1e-12)
    s = stats(x)
    # mean (10 + 20 + 30 + 40 + 50) / 5 = 30, min 10, max 50; P90 below P50 below P10
    assert (s["p90"], s["p50"], s["p10"], s["mean"], s["min"], s["max"]) == pytest.approx((14, 30, 46, 30, 10, 50))


def test_odds_by_hand():
    shares = [0.36, 0.42, 0.38, 0.45]  # a '>=' criterion at 0.40
    o = odds(shares, 0.40, ">=")
    # margins -0.04, 0.02, -0.02, 0.05: two of four pass -> 0.5
    assert o["members"] == 4 and o["p_pass"] == 0.5
    # sorted values 0.36 0.38 0.42 0.45; P50 rank 1.5 -> (0.38 + 0.42) / 2 = 0.40
    assert o["value_p50"] == pytest.approx(0.40, abs=1e-12)
    # P90 = 10th percentile, rank 0.3 -> 0.36 + 0.3 * 0.02 = 0.366; margin P90 = 0.366 - 0.40 = -0.034
    assert o["value_p90"] == pytest.approx(0.366, abs=1e-12)
    assert o["margin_p90"] == pytest.approx(-0.034, abs=1e-12)
    assert o["margin_p50"] == pytest.approx(0.0, abs=1e-12)
    # A '<=' criterion at 1.25: margin = 1.25 - value; 1.2 and 1.25 pass, 1.3 fails -> 2 / 3
    assert margins([1.2, 1.25, 1.3], 1.25, "<=") == pytest.approx([0.05, 0.0, -0.05], abs=1e-12)
    assert odds([1.2, 1.25, 1.3], 1.25, "<=")["p_pass"] == pytest.approx(2 / 3)
    # The members' own verdicts decide when given (a member with unserved load: not assessable, not passing)
    assert odds(shares, 0.40, ">=", passed=[False, False, False, True])["p_pass"] == 0.25


# --------------------------------------------------------------------------- members are single runs


def _row_matches_run(row: pd.Series, run) -> None:
    """Every KPI and simulated verdict of a single run equals the ensemble's row, exactly."""
    flat = {k: v for k, v in run.kpis.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    assert "re_electricity_share_onsite" in flat and "grid_import_e_kwh" in flat
    for key, v in flat.items():
        assert row[key] == v, key
    simulated = [v for v in run.verdicts if v["input"] == "simulated"]
    assert simulated
    for v in simulated:
        cid = v["criterion_id"]
        assert row[f"{cid}.status"] == v["status"], cid
        assert bool(row[f"{cid}.pass"]) == (v["status"] == "pass"), cid
        if isinstance(v["value"], float):
            assert row[f"{cid}.value"] == v["value"], cid
        if v["margin"] is not None:
            assert row[f"{cid}.margin"] == v["margin"], cid


def _synthetic_pair(sc):
    """The first two synthetic members of a scenario's ensemble, as the ensemble makes them (unscaled)."""
    site = sc.site
    climate = synthetic_climate(sc)
    return synthetic_members(
        climate,
        2,
        year=sc.year,
        tz=site.timezone,
        seed=sc.weather.seed,
        latitude=site.latitude,
        longitude=site.longitude,
        altitude_m=site.altitude_m,
    )


def test_factory_members_equal_single_runs_of_their_weather(tmp_path, base):
    base["weather"]["ensemble"] = {"years": 2}
    path = write(tmp_path, base)
    sc = load_scenario(path)
    ens = simulate_ensemble(sc, tmp_path, jobs=1)
    weathers = _synthetic_pair(sc)
    assert list(ens.members["member"]) == [0, 1]
    for (frame, meta), (_, row) in zip(weathers, ens.members.iterrows(), strict=True):
        run = simulate_profiles(sc, build_profiles(sc, tmp_path, (frame, meta)))
        _row_matches_run(row, run)
        assert row["weather.seed"] == meta["seed"]
    # The typical year is the single run of the scenario, not a member
    assert ens.typical.weather_meta["seed"] == sc.weather.seed
    assert ens.typical.kpis["pv_e_kwh"] not in set(ens.members["pv_e_kwh"])
    cid = "hunan_factory_2025.re_ratio"
    o = ens.criterion_odds[cid]
    assert o["members"] == 2 and o["value_p50"] == pytest.approx(ens.members[f"{cid}.value"].mean(), rel=1e-12)
    assert ens.kpi_stats["pv_e_kwh"]["min"] == ens.members["pv_e_kwh"].min()


def test_park_members_equal_single_runs_of_their_weather():
    park = load_scenario(PARK)
    # Two members; the network's power flow is no part of a member and only costs time here
    weather = park.weather.model_copy(update={"ensemble": Ensemble(years=2)})
    park = park.model_copy(update={"weather": weather, "network": None})
    ens = simulate_ensemble(park, PARK.parent, jobs=1)
    weathers = _synthetic_pair(park)
    for (frame, meta), (_, row) in zip(weathers, ens.members.iterrows(), strict=True):
        run = simulate_park(park, PARK.parent, power_flow=False, weather=(frame, meta))
        _row_matches_run(row, run)
        # ... and the member's weather, not the typical year's
        assert run.weather_meta["seed"] == meta["seed"] != park.weather.seed
        assert row["re_electricity_share_onsite"] != ens.typical.kpis["re_electricity_share_onsite"]
    assert ens.criterion_odds[ANHUI_RE]["members"] == 2


# --------------------------------------------------------------------------- real files, one per year


def _bright_and_dim(folder) -> None:
    """Two CSV years in ``folder``: the default scenario's weather (bright.csv) and a copy with 70 % of its GHI."""
    from lingtan.twin.run import load_weather

    frame, _ = load_weather(load_scenario(DEFAULT), DEFAULT.parent)
    table = pd.DataFrame(
        {
            "time": frame.index.tz_localize(None).strftime("%Y-%m-%d %H:%M"),
            "ghi": frame["ghi"].to_numpy(),
            "temp_air": frame["temp_air"].to_numpy(),
            "wind_speed": frame["wind_speed"].to_numpy(),
        }
    )
    table.to_csv(folder / "bright.csv", index=False)
    table.assign(ghi=table["ghi"] * 0.7).to_csv(folder / "dim.csv", index=False)


def test_file_ensemble_orders_members_by_their_resource(tmp_path, base):
    """Two copies of one CSV year, the second with 70 % of the irradiance: less PV and a lower share."""
    _bright_and_dim(tmp_path)
    base["weather"] = {"source": "csv", "path": "bright.csv", "ensemble": {"paths": ["bright.csv", "dim.csv"]}}
    ens = simulate_ensemble(load_scenario(write(tmp_path, base)), tmp_path, jobs=1)
    m = ens.members
    assert ens.source == "files" and list(m["member"]) == [0, 1]
    assert m["weather.path"].str.endswith("dim.csv").tolist() == [False, True]
    # Member 0 is the typical year's own file: the same run
    assert m.loc[0, "pv_e_kwh"] == ens.typical.kpis["pv_e_kwh"]
    assert m.loc[0, "weather.annual_ghi_kwh_m2"] == pytest.approx(m.loc[1, "weather.annual_ghi_kwh_m2"] / 0.7, rel=1e-9)
    assert m.loc[1, "pv_e_kwh"] < 0.8 * m.loc[0, "pv_e_kwh"]
    share = m["re_electricity_share_onsite"]
    assert share[1] < share[0]
    # P90 (10th percentile of two) lies at 0.1 of the way from the dim to the bright member
    s = ens.kpi_stats["re_electricity_share_onsite"]
    assert s["p90"] == pytest.approx(share[1] + 0.1 * (share[0] - share[1]), rel=1e-12)


def test_scaled_file_members_keep_their_spread(tmp_path, base):
    """weather.scale brings the typical year to 1300 kWh/m2; the members take its factor, not the value: the
    dim copy (70 % of the bright one) stays at 70 % of 1300 = 910 kWh/m2. Scaling each member to 1300 would have
    left the ensemble no spread (the refusal this replaces)."""
    _bright_and_dim(tmp_path)
    base["weather"] = {
        "source": "csv",
        "path": "bright.csv",
        "scale": {"ghi_kwh_m2_yr": 1300},
        "ensemble": {"paths": ["bright.csv", "dim.csv"]},
    }
    ens = simulate_ensemble(load_scenario(write(tmp_path, base)), tmp_path, jobs=1)
    ghi = ens.members["weather.annual_ghi_kwh_m2"]
    assert ens.typical.kpis["weather"]["annual_ghi_kwh_m2"] == pytest.approx(1300.0, rel=1e-12)
    assert ghi[0] == pytest.approx(1300.0, rel=1e-12)
    # the CSV reader rebuilds DNI/DHI from GHI; the scale factor multiplies GHI as read: 0.7 x 1300 = 910
    assert ghi[1] == pytest.approx(910.0, rel=1e-9)
    assert ens.members.loc[1, "pv_e_kwh"] < 0.8 * ens.members.loc[0, "pv_e_kwh"]


def test_scaled_synthetic_members_take_the_typical_years_factor(tmp_path, base):
    base["weather"] = dict(base["weather"], scale={"ghi_kwh_m2_yr": 1300}, ensemble={"years": 2})
    sc = load_scenario(write(tmp_path, base))
    ens = simulate_ensemble(sc, tmp_path, jobs=1)
    typical = ens.typical.weather_meta
    k = typical["ghi_scale_factor"]
    assert k == pytest.approx(1300.0 / typical["ghi_before_kwh_m2_yr"], rel=1e-15)
    unscaled = _synthetic_pair(sc)
    for (frame, _), ghi in zip(unscaled, ens.members["weather.annual_ghi_kwh_m2"], strict=True):
        assert ghi == pytest.approx(k * frame["ghi"].sum() / 1000.0, rel=1e-12)
        assert ghi != pytest.approx(1300.0, rel=1e-3)  # each keeps its own level
    assert (ens.members["weather.ghi_scale_factor"] == k).all()  # recorded in ensemble.parquet's rows


def test_synthetic_years_of_file_weather_are_refused(tmp_path, base):
    from lingtan.errors import InputError

    base["weather"] = {"source": "csv", "path": "w.csv", "ensemble": {"years": 3}}
    path = write(tmp_path, base)
    with pytest.raises(InputError, match=r"weather\.ensemble\.paths"):
        simulate_ensemble(load_scenario(path), tmp_path, file=path)


def test_ensemble_record_wants_one_kind(tmp_path, base):
    from lingtan.errors import InputError

    for bad, frag in (({"years": 1}, "greater than or equal to 2"), ({"years": 3, "paths": ["a", "b"]}, "exactly one")):
        base["weather"]["ensemble"] = bad
        with pytest.raises(InputError, match=frag):
            load_scenario(write(tmp_path, base))


def test_members_with_unserved_load_count_as_not_passing(tmp_path, base):
    base["grid"]["import_limit_kw"] = 5000  # half the two-shift peak: load is unserved in every year
    base["weather"]["ensemble"] = {"years": 2}
    ens = simulate_ensemble(load_scenario(write(tmp_path, base)), tmp_path, jobs=1)
    cid = "national_factory_guidance.boundary"  # passes in every year whose load is served
    assert (ens.members["unserved_load_e_kwh"] > 0).all()
    assert ens.members[f"{cid}.status"].tolist() == ["not assessable"] * 2
    assert not ens.members[f"{cid}.pass"].any() and ens.criterion_odds[cid]["p_pass"] == 0.0


def test_pool_gives_the_rows_of_one_process(tmp_path, base):
    base["weather"]["ensemble"] = {"years": PARALLEL_MIN_MEMBERS}
    sc = load_scenario(write(tmp_path, base))
    one = simulate_ensemble(sc, tmp_path, jobs=1)
    two = simulate_ensemble(sc, tmp_path, jobs=2)
    pd.testing.assert_frame_equal(one.members, two.members, check_exact=True)
    assert one.criterion_odds == two.criterion_odds
