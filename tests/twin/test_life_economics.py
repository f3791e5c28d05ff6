"""Economics over the life, year by year (``economics.life: series``): NPV and IRR by hand, the annuity as the
special case of a plant that does not change, a battery replaced in the year its SoH reaches the floor, PV
energy falling with its degradation."""

from pathlib import Path

import pytest

from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
from lingtan.twin.core.schema.economics import Economics
from lingtan.twin.run import simulate
from lingtan.twin.studies.economics import grid_only_base, irr, npv, project_economics
from lingtan.twin.studies.life import life_economics

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"


def _factory(pv_degradation: float, ageing: dict | None = None, **economics):
    """The default factory with the PV degradation, battery ageing and economics given."""
    d = load_scenario(FACTORY).model_dump(mode="json", exclude_unset=True)
    d["pv"][0]["degradation_fraction_per_year"] = pv_degradation
    if ageing is not None:
        d["battery"][0]["ageing"] = ageing
    d["economics"] = dict(economics, life="series")
    return scenario_from_dict(d)


def test_npv_and_irr_by_hand():
    # -100 now, +110 in a year: NPV at 10 % = -100 + 110 / 1.1 = 0, so the IRR is 10 %.
    assert npv(0.10, [-100.0, 110.0]) == pytest.approx(0.0, abs=1e-12)
    assert irr([-100.0, 110.0]) == pytest.approx(0.10, abs=1e-10)
    # -100, +60, +60: with u = 1/(1+r), 60u^2 + 60u - 100 = 0 gives u = (-60 + sqrt(60^2 + 4*60*100)) / 120
    # = (-60 + sqrt(27 600)) / 120 = 0.884437..., r = 1/u - 1 = 0.130662... (13.07 %).
    u = (-60 + 27_600**0.5) / 120
    assert irr([-100.0, 60.0, 60.0]) == pytest.approx(1 / u - 1, abs=1e-10)
    # NPV at 8 %: -100 + 60/1.08 + 60/1.08^2 = -100 + 55.5556 + 51.4403 = 6.9959.
    assert npv(0.08, [-100.0, 60.0, 60.0]) == pytest.approx(-100 + 60 / 1.08 + 60 / 1.08**2, rel=1e-12)
    # -100, +10, +10 loses money: 10u^2 + 10u - 100 = 0, u = (-10 + sqrt(4 100)) / 20 = 2.70156, r = -62.98 %.
    u = (-10 + 4_100**0.5) / 20
    assert irr([-100.0, 10.0, 10.0]) == pytest.approx(1 / u - 1, abs=1e-10)
    # Flows of one sign have no IRR.
    assert irr([-100.0, -10.0]) is None and irr([100.0, 10.0]) is None


def test_constant_plant_series_equals_the_annuity():
    """No degradation, no ageing, no growth, no escalation: every year is year 1, so the series gives the
    annuity's NPC, annualised cost, LCOEs and, against the grid-only base, the same paybacks; the battery's
    fixed 15-year life still replaces it in year 15. Only years 1 and N are simulated (nothing moved)."""
    sc = _factory(0.0)
    base_sc = grid_only_base(sc)
    res, base = simulate(sc, FACTORY.parent), simulate(base_sc, FACTORY.parent)
    annuity = project_economics(res, sc, sc.economics, base=base)
    series = life_economics(res, FACTORY.parent, sc.economics, base=base)
    assert series["method"] == "series" and annuity["method"] == "annuity"
    assert series["life"]["simulated_years"] == [1, 25]
    for key in ("npc_cny", "annualised_cost_cny", "lcoe_onsite_cny_per_kwh", "lcoe_onsite_with_storage_cny_per_kwh"):
        assert series[key] == pytest.approx(annuity[key], rel=1e-12), key
    for a, s in zip(annuity["assets"], series["assets"], strict=True):
        assert (
            s["npc_cny"] == pytest.approx(a["npc_cny"], rel=1e-12) and s["replacement_years"] == a["replacement_years"]
        )
    va, vs = annuity["versus_base"], series["versus_base"]
    for key in ("simple_payback_years", "discounted_payback_years", "npv_cny", "irr", "npc_savings_cny"):
        assert vs[key] == pytest.approx(va[key], rel=1e-9), key
    assert va["npv_cny"] == pytest.approx(va["npc_savings_cny"], rel=1e-9)  # NPV of base - project costs
    years = series["life"]["years"]
    battery_capex = next(a["capex_cny"] for a in series["assets"] if a["kind"] == "battery")
    assert years[14]["replacement_cny"] == pytest.approx(0.6 * battery_capex)  # end of year 15
    assert [y["year"] for y in years if y["replacement_cny"] > 0] == [15]


def test_battery_replaced_in_the_year_its_soh_crosses_the_floor():
    """An ageing battery with a high floor (0.93) is replaced at the end of each year whose end-of-year SoH is at
    or below it, its replacement cost (60 % of capital) booked in exactly those years, and the next year starts
    new; none at year N, where the remaining capacity above the floor is salvaged."""
    floor = 0.93
    sc = _factory(0.0, {"soh_floor": floor}, analysis_period_years=8)
    res = simulate(sc, FACTORY.parent)
    e = life_economics(res, FACTORY.parent)
    years = e["life"]["years"]
    capex = next(a["capex_cny"] for a in e["assets"] if a["kind"] == "battery")
    crossed = [y["year"] for y in years if y["battery_soh_end"] <= floor]
    assert crossed and crossed[0] > 1  # the floor is reached after some years, not at once
    replaced = [t for t in crossed if t < 8]
    assert e["life"]["battery_replacement_years"] == replaced
    for y in years:
        assert y["replacement_cny"] == pytest.approx(0.6 * capex if y["year"] in replaced else 0.0)
        if y["year"] - 1 in replaced:
            assert y["battery_capacity_fraction"] == 1.0 and y["simulated"]
        elif y["year"] > 1:
            assert y["battery_capacity_fraction"] < years[y["year"] - 2]["battery_capacity_fraction"]
    salvage = 0.6 * capex * max(0.0, years[-1]["battery_soh_end"] - floor) / (1 - floor)
    battery = next(a for a in e["assets"] if a["kind"] == "battery")
    assert battery["salvage_pv_cny"] == pytest.approx(salvage * 1.08**-8, rel=1e-12)


def test_pv_degradation_lowers_pv_energy_year_by_year():
    """PV at 1 %/yr: a simulated year y is the plant with the array y - 1 years older (the same energy as a
    run of that plant), the energy falls by the factor 0.99 a year up to the PVWatts inverter curve, and the
    years in between lie on the straight line between their simulated neighbours."""
    d = 0.01
    sc = _factory(d, analysis_period_years=10)
    res = simulate(sc, FACTORY.parent)
    years = life_economics(res, FACTORY.parent)["life"]["years"]
    simulated = [y for y in years if y["simulated"]]
    assert len(simulated) >= 4  # a 1 % step each year: about every other year is simulated
    for y in simulated[1:]:
        aged = sc.model_copy(update={"pv": [sc.pv[0].model_copy(update={"age_years": y["year"] - 1})]})
        assert y["pv_e_kwh"] == pytest.approx(simulate(aged, FACTORY.parent).kpis["pv_e_kwh"], rel=1e-12)
        # DC falls by (1 - d)^(y-1); AC follows it up to the PVWatts inverter curve, whose efficiency falls at
        # part load (and an aged array clips less): measured 0.12 % below the DC factor after 7 years at 1 %/yr,
        # so 0.2 % holds for the 9 years here and fails for a wrong age (one year off is 1 %).
        assert y["pv_e_kwh"] / years[0]["pv_e_kwh"] == pytest.approx((1 - d) ** (y["year"] - 1), rel=2e-3)
        assert y["pv_factor"] == pytest.approx((1 - d) ** (y["year"] - 1), rel=1e-12)
    for a, b in zip(simulated, simulated[1:], strict=False):
        for y in years[a["year"] : b["year"] - 1]:
            w = (y["year"] - a["year"]) / (b["year"] - a["year"])
            assert y["pv_e_kwh"] == pytest.approx(a["pv_e_kwh"] + w * (b["pv_e_kwh"] - a["pv_e_kwh"]), rel=1e-12)


def test_load_growth_and_tariff_escalation_enter_every_year():
    """Load growth 2 %/yr scales the simulated load; tariff escalation 3 %/yr scales the import charges of the
    bill by 1.03^(y-1) and leaves the feed-in revenue alone."""
    sc = _factory(0.0, analysis_period_years=3, load_growth_per_year=0.02, tariff_escalation_per_year=0.03)
    res = simulate(sc, FACTORY.parent)
    years = life_economics(res, FACTORY.parent)["life"]["years"]
    assert [y["simulated"] for y in years] == [True, True, True]  # 2 % > the 1 % threshold every year
    for y in years:
        assert y["load_e_kwh"] == pytest.approx(years[0]["load_e_kwh"] * 1.02 ** (y["year"] - 1), rel=1e-9)
        s = 1.03 ** (y["year"] - 1)
        assert y["grid_bill_cny"] == pytest.approx(
            s * (y["energy_charge_cny"] + y["basic_charge_cny"]) - y["feed_in_revenue_cny"], rel=1e-12
        )


def test_series_of_a_park_is_refused():
    from lingtan.errors import InputError

    class _Park:
        tenants: dict = {}

    with pytest.raises(InputError, match="economics.life"):
        life_economics(_Park(), ".", Economics(life="series"))


def test_twin_run_writes_the_series_and_names_the_method(tmp_path, capsys):
    """``twin run`` of a scenario with ``economics.life: series``: economics.json carries the years (energy, bill,
    O&M, replacement, cash flow) and the terminal says the method; the default scenario says annuity."""
    import json

    import yaml

    from lingtan.twin.cli import main

    d = yaml.safe_load(FACTORY.read_text())
    d["economics"] = {"life": "series", "analysis_period_years": 3, "load_growth_per_year": 0.02}
    path = tmp_path / "series.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True))
    assert main(["run", str(path), "--out", str(tmp_path / "r"), "--reports", "none"]) == 0
    assert "method: year by year, 3 of 3 years simulated" in capsys.readouterr().out
    e = json.loads((tmp_path / "r" / "economics.json").read_text())
    assert e["method"] == "series" and len(e["life"]["years"]) == 3
    for key in ("pv_e_kwh", "load_e_kwh", "grid_bill_cny", "om_cny", "replacement_cny", "cost_cny"):
        assert all(key in y for y in e["life"]["years"]), key
    flows = e["life"]["cost_flows_cny"]
    assert flows[0] == pytest.approx(e["capex_cny"])
    assert flows[1:] == pytest.approx([y["cost_cny"] for y in e["life"]["years"]], rel=1e-12)
    assert main(["run", str(FACTORY), "--out", str(tmp_path / "a"), "--reports", "none"]) == 0
    assert "method: the simulated year repeated every year (annuity)" in capsys.readouterr().out
