"""``twin sweep --weather-years N``: each case's P50/P90 of the sweep's KPI and its verdicts' pass probabilities
over the members, against :func:`lingtan.twin.studies.ensemble.simulate_ensemble` of the same cases."""

from pathlib import Path

import pytest

from lingtan.errors import InputError
from lingtan.twin.cli.sweep import main
from lingtan.twin.core.odds import exceedance
from lingtan.twin.core.scenario import read_yaml, scenario_from_dict
from lingtan.twin.studies.ensemble import simulate_ensemble
from lingtan.twin.studies.sweep import DEFAULT_KPI, read_results

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "scenarios" / "hefei_auto_parts.yaml"
YEARS = 6
PV_KWP = (12_000.0, 24_000.0)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "out"
    assert main([*_argv(out), "--weather-years", str(YEARS), "--no-plots", "--quiet"]) == 0
    return out


def _argv(out) -> list[str]:
    return [str(FILE), "--param", f"pv[0].capacity_kwp={PV_KWP[0]:g}:{PV_KWP[1]:g}:2", "--out", str(out)]


@pytest.fixture(scope="module")
def rows(out):
    return read_results(out).sort_values("pv[0].capacity_kwp").reset_index(drop=True)


@pytest.mark.parametrize("case", [0, 1])
def test_case_odds_equal_the_ensemble_of_that_case(rows, case):
    row = rows.iloc[case]
    data = read_yaml(FILE)
    data["pv"][0]["capacity_kwp"] = PV_KWP[case]
    ens = simulate_ensemble(scenario_from_dict(data, FILE), FILE.parent, years=YEARS, jobs=1, file=FILE)
    m = ens.members
    assert row["ensemble.members"] == YEARS
    # The same years through the same kernel: the same numbers.
    for p in (50, 90):
        assert row[f"ensemble.{DEFAULT_KPI}.p{p}"] == exceedance(m[DEFAULT_KPI], p)
    verdicts = [c for c in rows.columns if c.startswith("ensemble.verdict.")]
    assert [c.removeprefix("ensemble.verdict.").removesuffix(".p_pass") for c in verdicts] == [
        v["criterion_id"] for v in ens.typical.verdicts
    ]
    for v in ens.typical.verdicts:
        cid = v["criterion_id"]
        want = m[f"{cid}.pass"].mean() if v["input"] == "simulated" else float(v["status"] == "pass")
        assert row[f"ensemble.verdict.{cid}.p_pass"] == want, cid
    # The typical-year columns stay those of a sweep without members.
    assert row[DEFAULT_KPI] == pytest.approx(ens.typical.kpis[DEFAULT_KPI], rel=1e-12, abs=0)


def test_the_two_cases_differ(rows):
    # PV doubled: the odds must move, or the comparison above could pass on a constant.
    assert rows[f"ensemble.{DEFAULT_KPI}.p50"].iloc[1] > rows[f"ensemble.{DEFAULT_KPI}.p50"].iloc[0]
    assert rows[f"ensemble.{DEFAULT_KPI}.p90"].iloc[0] < rows[f"ensemble.{DEFAULT_KPI}.p50"].iloc[0]


def test_rows_of_other_members_never_mix(out, rows):
    # The members enter the sweep's inputs: resuming the folder with other years, or none, is refused.
    for extra in ([], ["--weather-years", str(YEARS + 1)]):
        with pytest.raises(InputError, match="ensemble"):
            main([*_argv(out), *extra, "--no-plots", "--quiet"])
    assert len(read_results(out)) == len(rows)


def test_weather_years_refused_outside_the_fast_path(tmp_path, capsys):
    argv = [str(FILE), "--param", "loads[0].annual_e_kwh=4e7:5e7:2", "--out", str(tmp_path / "o"), "--quiet"]
    with pytest.raises(InputError, match="--weather-years"):
        main([*argv, "--weather-years", "4", "--no-plots"])
    with pytest.raises(InputError, match="--weather-years"):
        main([*argv, "--weather-years", "1", "--no-plots"])
