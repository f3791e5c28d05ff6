"""Multi-year plans: stages applied year by year, per-year runs, trend criteria."""

import copy
import math
from pathlib import Path

import pytest
import yaml

from lingtan.errors import ScenarioError
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.schema.plan import Plan
from lingtan.twin.studies.plan import PlanResult, parse_plan, run_plan, trend_results, years

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
PLAN_FILE = SCENARIOS / "hefei_auto_parts_plan.yaml"


def _load(name):
    return yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hefei():
    d = _load("hefei_auto_parts.yaml")
    d.pop("plan", None)
    return d


@pytest.fixture(scope="module")
def heat():
    return _load("hefei_auto_parts_heat.yaml")


# --------------------------------------------------------------------------- stages


def test_stages_apply_cumulatively_and_years_without_stage_carry_forward(hefei):
    plan = {
        "base_year": 2025,
        "stages": [
            {
                "year": 2026,
                "load_growth_fraction": 0.03,
                "add_pv": [{"name": "carport", "capacity_kwp": 4000, "tilt_deg": 10, "age_years": 2}],
            },
            {
                "year": 2028,
                "load_growth_fraction": 0.02,
                "pv_capacity_kwp": {"roof": 13000},
                "battery": [],
                "declared": {"output_value_cny": 9e8},
            },
        ],
    }
    out = years({**hefei, "plan": plan})
    assert [y for y, _ in out] == [2025, 2026, 2027, 2028]  # 2027 has no stage but is simulated
    for y, d in out:
        assert d["year"] == y and "plan" not in d
        assert d["weather"] == hefei["weather"]  # same typical year (same seed) every year
        scenario_from_dict(d)  # every year is a valid scenario

    base = hefei["loads"][0]["annual_e_kwh"]
    loads = [d["loads"][0]["annual_e_kwh"] for _, d in out]
    assert loads == pytest.approx([base, base * 1.03, base * 1.03, base * 1.03 * 1.02], rel=1e-12)

    pv = [{a["name"]: a for a in d["pv"]} for _, d in out]
    assert [len(p) for p in pv] == [1, 2, 2, 2]
    assert [p["roof"].get("age_years", 0.0) for p in pv] == [0.0, 1.0, 2.0, 3.0]
    assert [p["carport"]["age_years"] for p in pv[1:]] == [2.0, 3.0, 4.0]  # added at its given age
    assert [p["roof"]["capacity_kwp"] for p in pv] == [12000, 12000, 12000, 13000.0]
    assert [len(d["battery"]) for _, d in out] == [1, 1, 1, 0]
    assert out[3][1]["declared"]["output_value_cny"] == 9e8
    assert out[3][1]["declared"]["green_factory_level"] == "provincial"  # merged, not replaced

    # 2027 is 2026 carried forward: only the year and the PV ages move
    d26, d27 = copy.deepcopy(out[1][1]), copy.deepcopy(out[2][1])
    for d in (d26, d27):
        d.pop("year")
        for a in d["pv"]:
            a.pop("age_years", None)
    assert d26 == d27
    assert hefei["loads"][0]["annual_e_kwh"] == base  # the input is not touched


def test_csv_loads_scale_and_ageing_can_be_switched_off(hefei):
    d = copy.deepcopy(hefei)
    d["loads"] = [{"name": "metered", "kind": "csv", "path": "x.csv", "scale": 2.0}]
    out = years(
        d,
        {
            "base_year": 2025,
            "age_pv": False,
            "stages": [{"year": 2026, "load_growth_fraction": 0.1}, {"year": 2027, "load_growth_fraction": 0.1}],
        },
    )
    assert [x["loads"][0]["scale"] for _, x in out] == pytest.approx([2.0, 2.2, 2.42])
    assert all("age_years" not in x["pv"][0] for _, x in out)


def test_fuel_switch_gas_to_electric(heat):
    plan = {
        "base_year": 2025,
        "stages": [
            {
                "year": 2026,
                "fuel_switch": {"gas_boiler": {"fuel": "electric", "efficiency": 0.99, "electricity": "any"}},
            }
        ],
    }
    out = years(heat, plan)
    b0 = {b["name"]: b for b in out[0][1]["boilers"]}
    b1 = {b["name"]: b for b in out[1][1]["boilers"]}
    assert b0["gas_boiler"]["fuel"] == "natural_gas"
    assert b1["gas_boiler"] == {**b0["gas_boiler"], "fuel": "electric", "efficiency": 0.99, "electricity": "any"}
    assert b1["electric_boiler"] == b0["electric_boiler"]
    sc = scenario_from_dict(out[1][1])
    assert {b.name: b.fuel for b in sc.boilers}["gas_boiler"] == "electric"


def test_coal_boiler_switched_to_gas_gives_coal_verdicts_per_year(heat):
    # Base year burns coal; 2026 changes nothing on the heat side (coal about flat: fails 3 %);
    # 2027 switches the boiler to gas (coal -100 %: passes).
    d = copy.deepcopy(heat)
    for b in d["boilers"]:
        if b["name"] == "gas_boiler":
            b.update(fuel="coal", efficiency=0.80)
    d["plan"] = {
        "base_year": 2025,
        "stages": [
            {"year": 2026, "load_growth_fraction": 0.02},
            {"year": 2027, "fuel_switch": {"gas_boiler": {"fuel": "natural_gas", "efficiency": 0.92}}},
        ],
    }
    res = run_plan(d, SCENARIOS)
    coal = [y["coal_tce"] for y in res.per_year]
    assert coal[0] > 100 and coal[2] == 0.0
    assert res.trends["coal_change_fractions"][1] == -1.0
    assert res.trends["coal_change_fractions"][0] == pytest.approx((coal[1] - coal[0]) / coal[0])
    cv = [v for v in res.trend_verdicts if v["criterion_id"] == "anhui_park_2024.coal_decline"]
    assert [v["passed"] for v in cv] == [False, True]
    assert "2026" in cv[0]["note"] and "2027" in cv[1]["note"]
    assert res.per_year[2]["fuels_tce"] > 0  # gas now


# --------------------------------------------------------------------------- errors


def test_stage_years_must_increase(hefei):
    with pytest.raises(ScenarioError) as e:
        years(hefei, {"base_year": 2025, "stages": [{"year": 2027}, {"year": 2026}]})
    assert e.value.field == "plan" and "stages[1].year = 2026" in e.value.expected
    with pytest.raises(ScenarioError) as e:
        years(hefei, {"base_year": 2025, "stages": [{"year": 2025}]})
    assert "stages[0].year = 2025" in e.value.expected


def test_bad_stage_field_names_stage_and_year(hefei):
    plan = {
        "base_year": 2025,
        "stages": [{"year": 2026}, {"year": 2027, "add_pv": [{"name": "x", "capacity_kwp": -5}]}],
    }
    with pytest.raises(ScenarioError) as e:
        years(hefei, plan)
    assert e.value.field == "plan.stages[1] (year 2027).add_pv[0].capacity_kwp"
    with pytest.raises(ScenarioError) as e:
        years(hefei, {"base_year": 2025, "stages": [{"year": 2026, "load_growht_fraction": 0.1}]})
    assert e.value.field.startswith("plan.stages[0] (year 2026)") and "load_growht_fraction" in str(e.value)


@pytest.mark.parametrize(
    "stage, field",
    [
        ({"pv_capacity_kwp": {"nope": 100}}, "plan.stages[0].pv_capacity_kwp.nope (year 2026)"),
        ({"add_pv": [{"name": "roof", "capacity_kwp": 100}]}, "plan.stages[0].add_pv[0].name (year 2026)"),
        (
            {"fuel_switch": {"gas_boiler": {"fuel": "electric", "efficiency": 0.99}}},
            "plan.stages[0].fuel_switch.gas_boiler (year 2026)",
        ),
    ],
)
def test_stage_naming_unknown_or_repeated_assets(hefei, stage, field):
    with pytest.raises(ScenarioError) as e:
        years(hefei, {"base_year": 2025, "stages": [{"year": 2026, **stage}]})
    assert e.value.field == field


def test_scenario_error_of_a_year_names_the_stage(hefei, monkeypatch):
    import lingtan.twin.core.scenario as scen

    real = scen.scenario_from_dict

    def picky(data, file="<scenario>"):
        if data["year"] == 2027:
            raise ScenarioError(file, "pv[1].tilt_deg", "a tilt", "nonsense")
        return real(data, file)

    monkeypatch.setattr(scen, "scenario_from_dict", picky)
    monkeypatch.setattr("lingtan.twin.run.simulate", lambda *a: pytest.fail("every year is validated before any run"))
    plan = {"base_year": 2025, "stages": [{"year": 2026, "load_growth_fraction": 0.01}], "end_year": 2027}
    with pytest.raises(ScenarioError) as e:
        run_plan({**hefei, "plan": plan}, SCENARIOS, file="f.yaml")
    assert e.value.field == "plan.stages[0] (year 2026), simulated year 2027: pv[1].tilt_deg"
    assert "f.yaml" in str(e.value)


def test_missing_plan_is_an_error(hefei):
    with pytest.raises(ScenarioError) as e:
        run_plan(dict(hefei), SCENARIOS)
    assert e.value.field == "plan"


def test_intensity_per_output_needs_output_every_year(hefei, monkeypatch):
    monkeypatch.setattr("lingtan.twin.run.simulate", lambda *a: pytest.fail("checked before any run"))
    d = {k: v for k, v in hefei.items() if k != "declared"}
    plan = {
        "base_year": 2025,
        "intensity": "carbon_per_output",
        "stages": [{"year": 2026, "declared": {"output_value_cny": 1e9}}],
    }
    with pytest.raises(ScenarioError) as e:
        run_plan({**d, "plan": plan}, SCENARIOS)
    assert e.value.field == "plan.intensity" and "[2025]" in e.value.found


def test_parse_plan_last_year():
    assert parse_plan({"base_year": 2025, "stages": [{"year": 2026}, {"year": 2028}]}).last_year == 2028
    assert parse_plan({"base_year": 2025, "end_year": 2030}).last_year == 2030
    with pytest.raises(ScenarioError):
        parse_plan({"base_year": 2025, "end_year": 2024})


# --------------------------------------------------------------------------- trends by hand


def test_three_year_trends_by_hand():
    # Three years of KPIs written out by hand.
    per_year = [
        {
            "year": 2025,
            "coal_tce": 1000.0,
            "unit_energy_carbon_t_per_tce": 2.00,
            "renewable_equivalent_tce": 100.0,
            "energy_equivalent_tce": 1000.0,
            "renewable_calorific_tce": 40.0,
            "energy_calorific_tce": 400.0,
            "re_consumed_e_kwh": 1.0e6,
            "electricity_consumed_e_kwh": 1.0e7,
        },
        {
            "year": 2026,
            "coal_tce": 960.0,
            "unit_energy_carbon_t_per_tce": 1.92,
            "renewable_equivalent_tce": 150.0,
            "energy_equivalent_tce": 1100.0,
            "renewable_calorific_tce": 60.0,
            "energy_calorific_tce": 440.0,
            "re_consumed_e_kwh": 1.5e6,
            "electricity_consumed_e_kwh": 1.1e7,
        },
        {
            "year": 2027,
            "coal_tce": 940.0,
            "unit_energy_carbon_t_per_tce": 1.8432,
            "renewable_equivalent_tce": 250.0,
            "energy_equivalent_tce": 1200.0,
            "renewable_calorific_tce": 100.0,
            "energy_calorific_tce": 480.0,
            "re_consumed_e_kwh": 2.5e6,
            "electricity_consumed_e_kwh": 1.2e7,
        },
    ]
    trends, verdicts = trend_results(per_year, "unit_energy_carbon_t_per_tce")

    # coal: 1000 -> 960 is -4 % (passes -3 %), 960 -> 940 is -20/960 = -2.083 % (fails)
    assert trends["coal_change_fractions"] == pytest.approx([-0.04, -20.0 / 960.0])
    assert trends["coal_change_fraction"] == pytest.approx(-0.0208333333333)
    coal = [v for v in verdicts if v["criterion_id"] == "anhui_park_2024.coal_decline"]
    assert [v["passed"] for v in coal] == [True, False]
    assert [v["input"] for v in coal] == ["simulated", "simulated"]

    # intensity: 2.00 -> 1.92 -> 1.8432, i.e. -4 % twice: geometric mean
    # 1 - (1.8432 / 2.00) ** (1/2) = 1 - sqrt(0.9216) = 1 - 0.96 = 0.04 per year
    assert trends["intensity_decline_avg_fraction"] == pytest.approx(0.04, abs=1e-12)
    assert trends["intensity_changes"] == pytest.approx([-0.04, -0.04])
    assert trends["intensity_years"] == [2025, 2026, 2027]
    inten = next(v for v in verdicts if v["criterion_id"] == "zhejiang_factory_2025.intensity_decline")
    assert inten["input"] == "simulated" and inten["passed"] is False
    assert inten["points"] == pytest.approx(15.0 * 0.04 / 0.05)  # 12 points of 15, pro rata below 5 %/yr

    # three-year renewable shares: ratio of sums
    # equivalent (100 + 150 + 250) / (1000 + 1100 + 1200) = 500 / 3300 = 0.151515...
    assert trends["re_energy_share_onsite_3yr_equivalent"] == pytest.approx(500.0 / 3300.0)
    assert trends["re_energy_share_onsite_3yr_calorific"] == pytest.approx(200.0 / 1320.0)
    assert trends["re_electricity_share_onsite_3yr"] == pytest.approx(5.0e6 / 3.3e7)
    share = next(v for v in verdicts if v["criterion_id"] == "zhejiang_factory_2025.renewable_share")
    # last year's energy 1200 tce < 10 000 tce: full marks at 20 %; 8 x 0.151515 / 0.20 = 6.0606 points
    assert share["value"] == pytest.approx(500.0 / 3300.0) and share["input"] == "simulated"
    assert share["points"] == pytest.approx(8.0 * (500.0 / 3300.0) / 0.20)


def test_intensity_decline_uses_the_last_three_steps():
    # Five years; the decline is read over the last four (three year-on-year steps, "近3年").
    vals = [5.0, 2.0, 1.8, 1.62, 1.458]  # the first step (-60 %) is outside the window
    per_year = [{"year": 2023 + i, "unit_energy_carbon_t_per_tce": v} for i, v in enumerate(vals)]
    trends, _ = trend_results(per_year, "unit_energy_carbon_t_per_tce")
    assert trends["intensity_years"] == [2024, 2025, 2026, 2027]
    assert trends["intensity_decline_avg_fraction"] == pytest.approx(0.10)  # 1 - (1.458 / 2) ** (1/3)
    assert math.isclose(1 - (1.458 / 2.0) ** (1 / 3), 0.10)


# --------------------------------------------------------------------------- the shipped plan


@pytest.fixture(scope="module")
def hefei_plan():
    return run_plan(PLAN_FILE)


def test_hefei_plan_runs_three_years(hefei_plan):
    res = hefei_plan
    assert isinstance(res, PlanResult) and isinstance(res.plan, Plan)
    assert [y["year"] for y in res.per_year] == [2025, 2026, 2027]
    assert [r.scenario.year for r in res.years] == [2025, 2026, 2027]
    y25, y26, y27 = res.per_year
    assert [y["pv_capacity_kwp"] for y in res.per_year] == [12000.0, 16000.0, 16000.0]
    assert y26["pv_e_kwh"] > 1.25 * y25["pv_e_kwh"]  # +4 MWp on 12 MWp
    assert y27["pv_e_kwh"] < y26["pv_e_kwh"]  # one more year of degradation, same weather
    assert y26["load_e_kwh"] == pytest.approx(1.03 * y25["load_e_kwh"], rel=1e-9)
    assert y27["load_e_kwh"] == pytest.approx(y26["load_e_kwh"], rel=1e-9)
    assert y26["re_electricity_share_onsite"] > y25["re_electricity_share_onsite"]
    shares = [y["re_electricity_share_with_green_power"] for y in res.per_year]
    assert shares[0] < shares[1] < shares[2]
    assert y27["offset_green_power_t"] > 0 and y26["offset_green_power_t"] == 0
    assert all(y["coal_tce"] == 0 for y in res.per_year)  # electric only: no coal ever


def test_hefei_plan_trend_verdicts_are_simulated(hefei_plan):
    res = hefei_plan
    ints = [y["unit_energy_carbon_t_per_tce"] for y in res.per_year]
    assert ints[0] > ints[1] > ints[2]
    assert res.trends["intensity_key"] == "unit_energy_carbon_t_per_tce"
    assert res.trends["intensity_decline_avg_fraction"] == pytest.approx(1 - (ints[2] / ints[0]) ** 0.5)
    ren = sum(y["renewable_equivalent_tce"] for y in res.per_year)
    en = sum(y["energy_equivalent_tce"] for y in res.per_year)
    assert res.trends["re_energy_share_onsite_3yr_equivalent"] == pytest.approx(ren / en)
    ids = [v["criterion_id"] for v in res.trend_verdicts]
    assert ids.count("anhui_park_2024.coal_decline") == 2
    for v in res.trend_verdicts:
        assert v["input"] == "simulated", v
    # the pack, evaluated again on the last year, reads the simulated decline, not a declared one
    v = next(v for v in res.verdicts if v["criterion_id"] == "zhejiang_factory_2025.intensity_decline")
    assert v["input"] == "simulated"
    assert v["value"] == pytest.approx(res.trends["intensity_decline_avg_fraction"])
    assert {p["pack"] for p in res.packs} == {
        "zhejiang_factory_2025",
        "hunan_factory_2025",
        "national_factory_guidance",
    }


def test_auto_intensity_per_output_value_when_declared(hefei):
    d = copy.deepcopy(hefei)
    d["declared"] = {**d["declared"], "output_value_cny": 1.0e9}
    d["plan"] = {
        "base_year": 2025,
        "stages": [
            {
                "year": 2026,
                "load_growth_fraction": 0.05,
                "declared": {"output_value_cny": 1.2e9},
                "green_power": {"green_power_contract_e_kwh": 2.0e6},
            }
        ],
    }
    res = run_plan(d, SCENARIOS)
    assert res.trends["intensity_key"] == "carbon_intensity_t_per_10k_cny"
    y0, y1 = res.per_year
    # carbon on the accounting's default basis (after green power) per 10 000 CNY of output
    assert y0["carbon_intensity_t_per_10k_cny"] == pytest.approx(y0["gross_emissions_t"] / 1.0e5)
    assert y1["carbon_intensity_t_per_10k_cny"] == pytest.approx(
        (y1["gross_emissions_t"] - y1["offset_green_power_t"]) / 1.2e5
    )
    assert y1["energy_intensity_tce_per_10k_cny"] == pytest.approx(y1["energy_equivalent_tce"] / 1.2e5)
    assert res.trends["intensity_decline_avg_fraction"] == pytest.approx(
        1 - y1["carbon_intensity_t_per_10k_cny"] / y0["carbon_intensity_t_per_10k_cny"]
    )


def test_check_plan_validates_every_year_without_running(monkeypatch):
    from lingtan.twin.studies.plan import check_plan

    monkeypatch.setattr("lingtan.twin.run.simulate", lambda *a: pytest.fail("check does not simulate"))
    scs = check_plan(PLAN_FILE)
    assert [s.year for s in scs] == [2025, 2026, 2027]
    assert [len(s.pv) for s in scs] == [1, 2, 2]
    assert scs[2].green_power.green_power_contract_e_kwh == 5.0e6
