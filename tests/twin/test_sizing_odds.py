"""``twin size --confidence``: the search's choice against an exhaustive evaluation of the ensemble.

Each lattice point is built by editing the scenario mapping directly and run through
:func:`lingtan.twin.studies.ensemble.simulate_ensemble` (every member a whole single run); the joint pass of each
member is counted by hand from the members table. The search (profiles once per member, designs side by side
through the kernel, verdicts from the annual KPIs) must choose the least-cost design whose pass fraction is at
least p, with that fraction as its probability.
"""

import copy
from pathlib import Path

import pytest

from lingtan.errors import InputError
from lingtan.twin.cli.size import main
from lingtan.twin.core.scenario import read_yaml, scenario_from_dict
from lingtan.twin.studies.economics import project_economics
from lingtan.twin.studies.ensemble import simulate_ensemble
from lingtan.twin.studies.sizing import SIZING_ROLES, size

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "scenarios" / "hefei_auto_parts.yaml"
PACK = "hunan_factory_2025"
YEARS = 12
# The levels straddle Hunan's renewable-ratio threshold: with 1.5 GWh of green power, PV at 2x passes in the
# typical year without a battery, but only in 8 of the 12 years; a quarter battery lifts that to 10 of 12.
PV, BATTERY = [1.8, 1.9, 2.0], [0.0, 0.25]
CONFIDENCE = 0.75


def _data() -> dict:
    data = read_yaml(FILE)
    data["criteria"] = [PACK]
    data["green_power"] = {"green_power_contract_e_kwh": 1_500_000.0}
    return data


def _point(pv: float, battery: float) -> dict:
    """The scenario mapping of one lattice point, edited by hand (not through apply_lever)."""
    d = copy.deepcopy(_data())
    d["pv"][0]["capacity_kwp"] = 12_000 * pv
    if battery == 0:
        d["battery"] = []
    else:
        d["battery"][0].update(energy_kwh=8_000 * battery, power_kw=4_000 * battery)
    return d


@pytest.fixture(scope="module")
def exhaustive() -> dict:
    """Per lattice point: annualised cost, typical-year pass and joint pass fraction over the members."""
    out = {}
    for pv in PV:
        for bat in BATTERY:
            sc = scenario_from_dict(_point(pv, bat), FILE)
            ens = simulate_ensemble(sc, FILE.parent, years=YEARS, jobs=1, file=FILE)
            fixable = [
                v
                for v in ens.typical.verdicts
                if v["pack"] == PACK
                and v["role"] in SIZING_ROLES
                and v["input"] == "simulated"
                and v["status"] not in ("undetermined", "not applicable")
            ]
            assert fixable, "the pack has simulated criteria to size for"
            joint = ens.members[[f"{v['criterion_id']}.pass" for v in fixable]].all(axis=1)
            out[(pv, bat)] = {
                "cost": project_economics(ens.typical)["annualised_cost_cny"],
                "typical": all(v["status"] == "pass" for v in fixable),
                "p": int(joint.sum()) / YEARS,
            }
    return out


@pytest.fixture(scope="module")
def searched():
    return size(
        _data(),
        [PACK],
        ["pv", "battery"],
        base_dir=FILE.parent,
        grid_points={"pv": PV, "battery": BATTERY},
        confidence=CONFIDENCE,
        weather_years=YEARS,
    )


def _least_cost(points: dict, ok) -> tuple:
    return min((k for k, e in points.items() if ok(e)), key=lambda k: points[k]["cost"])


def test_search_chooses_the_least_cost_design_passing_at_the_odds(exhaustive, searched):
    want = _least_cost(exhaustive, lambda e: e["p"] >= CONFIDENCE)
    c = searched.chosen
    assert (c.factors["pv"], c.factors["battery"]) == want
    assert c.p_pass == exhaustive[want]["p"]
    assert c.cost_cny_per_year == pytest.approx(exhaustive[want]["cost"], rel=1e-9)
    # Every lattice point's probability, not only the chosen one's.
    for d in searched.designs:
        assert d.p_pass == exhaustive[(d.factors["pv"], d.factors["battery"])]["p"], d.factors
        assert d.typical_passed == exhaustive[(d.factors["pv"], d.factors["battery"])]["typical"], d.factors


def test_the_odds_change_the_answer_of_the_typical_year(exhaustive, searched):
    typical = _least_cost(exhaustive, lambda e: e["typical"])
    odds = _least_cost(exhaustive, lambda e: e["p"] >= CONFIDENCE)
    assert typical != odds
    assert exhaustive[typical]["p"] < CONFIDENCE < exhaustive[odds]["p"] < 1
    t = searched.typical_choice
    assert (t.factors["pv"], t.factors["battery"]) == typical


def test_summary_prints_the_probability_and_the_typical_year_beside(searched):
    from lingtan.twin.studies.sizing import summary

    text = summary(searched)
    c = searched.chosen
    assert f"pass probability {c.p_pass:.1%} ({round(c.p_pass * YEARS)} of {YEARS} years); typical year: PASS" in text
    assert "P50 margin" in text and "P90 margin" in text
    assert f"{YEARS} synthetic weather years" in text and "joint" in text


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--confidence", "1.5"], "--confidence"),
        (["--confidence", "0"], "--confidence"),
        (["--confidence", "high"], "--confidence"),
        (["--confidence", "0.9", "--weather-years", "1"], "--weather-years"),
        (["--confidence", "0.9", "--weather-years", "ten"], "--weather-years"),
        (["--each-criterion"], "--each-criterion"),
    ],
)
def test_bad_odds_options_exit_2_with_one_line(capsys, extra, field):
    assert main([str(FILE), "--criteria", PACK, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and field in err[0]


@pytest.mark.parametrize(
    ("scenario", "pack", "found"),
    [
        ("anhui-park.yaml", "anhui_park_2024", "a park"),
        ("hefei_auto_parts_heat.yaml", PACK, "a heat side"),
        ("hefei_cold_chain_park.yaml", "anhui_park_2024", "smart charging"),  # its profiles depend on its design
    ],
)
def test_odds_refused_where_the_annual_kpis_do_not_decide(capsys, scenario, pack, found):
    argv = [str(ROOT / "scenarios" / scenario), "--criteria", pack, "--confidence", "0.9", "--weather-years", "2"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--confidence" in err[0] and found in err[0]


def test_odds_refused_beside_an_uncertainty_section(capsys):
    # Sizing's odds draw weather years only; a design sized on them would silently leave the load spread out.
    argv = [str(ROOT / "scenarios" / "hefei_auto_parts_uncertain.yaml"), "--criteria", PACK, "--confidence", "0.9"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "uncertainty" in err[0] and "load_scale" in err[0]


def test_each_criterion_reads_the_smallest_probability_of_one_criterion():
    # Each criterion on its own: the probability is the smallest criterion's, never below the joint one.
    kw = dict(base_dir=FILE.parent, grid_points={"pv": [2.0], "battery": [0.0]}, weather_years=YEARS)
    joint = size(_data(), [PACK], ["pv", "battery"], confidence=CONFIDENCE, **kw).designs[0]
    each = size(_data(), [PACK], ["pv", "battery"], confidence=CONFIDENCE, odds_mode="each", **kw).designs[0]
    assert each.p_pass == min(o["p_pass"] for o in each.odds.values())
    assert each.p_pass >= joint.p_pass
    with pytest.raises(InputError, match="odds_mode"):
        size(_data(), [PACK], ["pv"], confidence=CONFIDENCE, odds_mode="separate", **kw)
