"""Parks: reconciliation, the heat network by hand, the allocation rules by hand, and the CLI."""

import copy
import re
from pathlib import Path

import numpy as np
import pytest
from support.park_cases import ALL_YEAR, hefei_park

from lingtan.twin.cli import main
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
from lingtan.twin.studies.park import allocate, simulate_park

ROOT = Path(__file__).resolve().parents[2]
ANHUI = ROOT / "scenarios" / "anhui-park.yaml"


def two_tenants(link=True, rule="pro_rata"):
    """Tenant a: 300 kW_th of flue gas at 150 C (isothermal), all year. Tenant b: a 70 C bath of 1000 kW_th, all
    year, and a gas boiler. Link a -> b: effectiveness 0.8, pipe loss 10 %."""
    data = {
        **hefei_park("two tenants"),
        "tenants": [
            {
                "name": "a",
                "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 8e6}],
                "pv": [{"name": "roof", "capacity_kwp": 6000}],
                "processes": [
                    {
                        "name": "oven",
                        "calendar": ALL_YEAR,
                        "batch_duration_h": 8,
                        "p_kw": 100,
                        "waste_heat": [{"name": "flue", "kind": "flue_gas", "t_c": 150, "q_kw_th": 300}],
                    }
                ],
            },
            {
                "name": "b",
                "loads": [
                    {
                        "name": "l",
                        "kind": "shifts",
                        "annual_e_kwh": 12e6,
                        "shifts_per_day": 3,
                        "working_days_per_week": 7,
                    }
                ],
                "boilers": [
                    {"name": "gas", "fuel": "natural_gas", "efficiency": 0.9, "capacity_q_kw_th": 3000, "t_c": 200}
                ],
                "processes": [
                    {
                        "name": "baths",
                        "calendar": ALL_YEAR,
                        "batch_duration_h": 8,
                        "p_kw": 50,
                        "heat_demands": [{"name": "bath", "t_c": 70, "q_kw_th": 1000}],
                    }
                ],
                "contract_share": 0.3,
            },
        ],
        "shared": {
            "pv": [{"name": "carport", "capacity_kwp": 3000}],
            "battery": [{"name": "central", "energy_kwh": 4000, "power_kw": 2000}],
        },
        "heat_network": [
            {"name": "flue_to_bath", "source": "a.flue", "sink": "b.bath", "effectiveness": 0.8, "loss_fraction": 0.1}
        ]
        if link
        else [],
        "allocation": {"rule": rule, "priority": ["b", "a"]},
    }
    data["tenants"][0]["contract_share"] = 0.7
    return scenario_from_dict(data)


@pytest.fixture(scope="module")
def anhui():
    return simulate_park(load_scenario(ANHUI), ANHUI.parent)


def test_tenants_and_park_reconcile(anhui):
    t = anhui.tenant_table
    k = anhui.kpis
    tenants = [n for n in t.index if n not in ("park_common", "park")]
    assert len(tenants) >= 8
    # The park row is the sum of the tenants and the common row, and equals the park computed from its boundary.
    for col in ("consumption_e_kwh", "re_consumed_e_kwh"):
        assert t.loc["park", col] == pytest.approx(t.loc[tenants + ["park_common"], col].sum(), rel=1e-12)
    assert k["total_consumption_e_kwh"] == pytest.approx(t.loc["park", "consumption_e_kwh"], rel=1e-12)
    assert k["re_consumed_e_kwh"] == pytest.approx(t.loc["park", "re_consumed_e_kwh"], rel=1e-12)
    # Allocation: each hour, tenants get exactly the renewable energy the bus delivered, none above its demand.
    b = anhui.bus
    delivered = b.pv_to_load_kw + b.wind_to_load_kw + b.tenants_to_load_kw + b.battery_re_to_load_kw
    np.testing.assert_allclose(anhui.allocation_kw.sum(axis=1), delivered, rtol=1e-9, atol=1e-6)


def test_heat_network_by_hand():
    with_link = simulate_park(two_tenants(link=True), ROOT)
    without = simulate_park(two_tenants(link=False), ROOT)
    # Hand: 300 kW_th * 0.8 effectiveness = 240 kW_th taken from a's flue every hour; 10 % lost in the pipe;
    # 216 kW_th arrive at b's bath (which needs 1000, so all of it is used).
    hours = 8760
    heat_a = with_link.tenants["a"].kpis["heat"]
    heat_b = with_link.tenants["b"].kpis["heat"]
    assert heat_a["waste_heat_recovery_rate"] == pytest.approx(216 / 300, rel=1e-12)
    assert heat_b["heat_served_e_kwh_th"]["heat_network"] == pytest.approx(216 * hours, rel=1e-12)
    gas_with = heat_b["heat_served_e_kwh_th"]["gas"]
    gas_without = without.tenants["b"].kpis["heat"]["heat_served_e_kwh_th"]["gas"]
    assert gas_without - gas_with == pytest.approx(216 * hours, rel=1e-12)
    assert with_link.kpis["heat"]["waste_heat_recovery_rate"] == pytest.approx(216 / 300, rel=1e-12)
    assert with_link.kpis["heat"]["heat_network_pipe_loss_e_kwh_th"] == pytest.approx(24 * hours, rel=1e-12)
    assert without.kpis["heat"]["waste_heat_recovery_rate"] == 0.0


def test_allocation_rules_by_hand():
    renewable = np.array([100.0, 0.0, 500.0])
    demand = np.array([[30.0, 10.0, 100.0], [120.0, 20.0, 200.0]])
    # pro rata: 100 * 30/150 = 20 and 80; hour 3: supply 500 > demand 300 cannot happen on the bus, so cap case
    # is exercised only in the other rules.
    np.testing.assert_allclose(allocate("pro_rata", renewable[:2], demand[:, :2]), [[20, 0], [80, 0]])
    # priority b then a: b takes min(120, 100) = 100, a gets nothing.
    np.testing.assert_allclose(allocate("priority", renewable[:1], demand[:, :1], order=[1, 0]), [[0], [100]])
    # contract 50/50: a min(30, 50) = 30, b min(120, 50) = 50; 20 left go to b, the only one still short.
    np.testing.assert_allclose(
        allocate("contract_share", renewable[:1], demand[:, :1], shares=[0.5, 0.5]), [[30], [70]]
    )


@pytest.mark.parametrize("rule", ["pro_rata", "contract_share", "priority"])
def test_each_rule_in_a_run_keeps_the_park_total(rule):
    base = simulate_park(two_tenants(rule="pro_rata"), ROOT)
    run = simulate_park(two_tenants(rule=rule), ROOT)
    # The rule moves renewable energy between tenants, never in or out of the park.
    assert run.kpis["re_electricity_share_onsite"] == pytest.approx(base.kpis["re_electricity_share_onsite"], rel=1e-12)
    got = run.tenant_table.park_re_allocated_e_kwh
    assert got["a"] + got["b"] == pytest.approx(base.tenant_table.park_re_allocated_e_kwh[["a", "b"]].sum(), rel=1e-12)
    if rule == "priority":  # b first: b's share of the park's renewables is at least its pro-rata share
        assert got["b"] >= base.tenant_table.park_re_allocated_e_kwh["b"]


def test_cli_prints_park_and_tenants(tmp_path, capsys):
    assert main(["run", str(ANHUI), "--out", str(tmp_path / "out")]) == 0
    text = capsys.readouterr().out
    assert "Park renewable electricity share" in text and "== anhui_park_2024" in text
    for tenant in ("nev_parts", "battery_cells", "data_centre", "food_plant"):
        assert tenant in text
    assert (tmp_path / "out" / "tenants.csv").exists()
    assert (tmp_path / "out" / "tenants" / "food_plant" / "hourly_heat.parquet").exists()
    import openpyxl

    sheets = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx", read_only=True).sheetnames
    assert {"KPIs", "Criteria", "Tenants", "Allocation", "Network lines"} <= set(sheets)
    assert "fig-network" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_park_errors_name_the_field(tmp_path, capsys):
    import yaml

    data = yaml.safe_load(ANHUI.read_text(encoding="utf-8"))
    bad = copy.deepcopy(data)
    bad["heat_network"][0]["source"] = "nev_parts.no_such_stream"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "no_such_stream" in capsys.readouterr().err
    bad = copy.deepcopy(data)
    bad["tenants"][0]["pv"][0]["capacity_kwp"] = -1
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "tenants[0].pv[0].capacity_kwp" in capsys.readouterr().err


def test_park_network_is_checked_every_hour(anhui):
    n = anhui.network
    assert n is not None and len(n.hourly_vm_pu) == 8760
    # The reference park's far feeder carries public PV and the turbines on one cable: the report must say so.
    assert any("F3-5" in v and "above 1.07 pu" in v for v in n.violations)
    assert anhui.kpis["network"]["reverse_flow_hours"] == n.reverse_flow_hours
    # Reverse-flow hours are the hours the park bus exports (the substation sees the same export).
    assert n.reverse_flow_hours == int((anhui.network.substation["export_mw"] > 1e-6).sum())


def test_park_report_has_the_network_diagram(anhui, tmp_path):
    from lingtan.twin.reports.park import build_park_html, network_figure

    fig = network_figure(anhui.network)
    # One trace per line and per transformer, and one for the buses.
    assert len(fig.data) == len(anhui.network.res_line) + len(anhui.network.res_trafo) + 1
    text = build_park_html(anhui, "zh")
    assert "fig-network" in text and "F3-5" in text and "battery_cells" in text
    assert "http://" not in text.split("<script")[0] and 'src="http' not in text


def test_park_bus_is_billed_month_by_month_as_its_year_totals(anhui):
    # The park's meter is its bus's grid connection. Its monthly bill must add up, part by part, to the year
    # totals reckoned from the kernel's sums (bill_from_totals), and its energy by month is the bus table's
    # import (to the load, to power-to-heat, to the central battery) summed over each month's hours.
    from lingtan.twin.reports.park import build_park_html

    b, year = anhui.kpis["grid_bill"], anhui.kpis["grid_bill_cny"]
    for part in ("energy_charge_cny", "basic_charge_cny", "feed_in_revenue_cny", "total_cny"):
        assert b["totals"][part] == pytest.approx(year[part], rel=1e-9), part
    t = anhui.bus
    imported = t.grid_to_load_kw + t.grid_to_heat_kw + t.grid_to_battery_kw
    by_month = imported.groupby(t.index.month).sum().to_numpy()  # hourly steps: kW x 1 h = kWh
    billed = [sum(periods.values()) for periods in b["energy_kwh_by_month"].values()]  # month -> TOU period -> kWh
    np.testing.assert_allclose(billed, by_month, rtol=1e-12)
    assert "Electricity bill by month" in build_park_html(anhui, "en")


def test_power_flow_can_be_left_out_and_changes_nothing_else(anhui):
    """simulate_park(power_flow=False), as sizing searches run it: no network result, every other KPI equal."""
    quick = simulate_park(anhui.park, ANHUI.parent, power_flow=False)
    assert quick.network is None and "network" not in quick.kpis and anhui.network is not None
    assert {k: v for k, v in anhui.kpis.items() if k != "network"} == quick.kpis
    assert quick.verdicts == anhui.verdicts


@pytest.mark.parametrize("where", ["factory", "tenant"])
def test_a_second_battery_is_refused_with_the_reason(where):
    """One battery per meter (the kernel models one store): a second one is a ScenarioError naming the field and
    saying why, for a factory and for a park's tenant alike (they share the schema of site assets)."""
    import yaml

    from lingtan.errors import ScenarioError

    if where == "factory":
        data = yaml.safe_load((ROOT / "scenarios" / "hefei_auto_parts.yaml").read_text(encoding="utf-8"))
        site, field = data, "battery"
    else:
        data = yaml.safe_load(ANHUI.read_text(encoding="utf-8"))
        site, field = data["tenants"][0], "tenants[0].battery"
    site["battery"] = [
        {"name": "bess_a", "energy_kwh": 1000, "power_kw": 500},
        {"name": "bess_b", "energy_kwh": 2000, "power_kw": 500},
    ]
    message = rf"{re.escape(field)}: .*one battery per site .*found 2: \['bess_a', 'bess_b'\]"
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(data)
    site["battery"] = site["battery"][:1]
    scenario_from_dict(data)  # one is accepted


def test_the_tenants_plant_is_summed_for_the_park():
    # Two tenants with hydrogen: a made 100 kg (all renewable) and used 80; b made 50 kg (60 % renewable) and used
    # 40 (half renewable). The park made 150 kg, (100 + 0.6 x 50) / 150 = 86.7 % renewable, and used 120 kg,
    # (80 + 0.5 x 40) / 120 = 83.3 % renewable. Stores and fuel cells keep their tenant's name; events add up.
    from lingtan.twin.studies.park import park_plant_kpis

    def h2(made, share, offtake, used_share, fc):
        return {
            "made_kg": made,
            "renewable_share": share,
            "offtake_kg": offtake,
            "fuel_cell_kg": 0.0,
            "boiler_kg": 0.0,
            "used_renewable_share": used_share,
            "unmet_kg": 1.0,
            "electricity_e_kwh": 55.0 * made,
            "grid_e_kwh": 0.0,
            "fuel_cells": fc,
        }

    dr = {"delivered_e_kwh": 10.0, "shortfall_e_kwh": 1.0, "net_cny": 5.0}
    out = park_plant_kpis(
        {
            "a": {"hydrogen": h2(100.0, 1.0, 80.0, 1.0, {"fc": {"p_e_kwh": 3.0}}), "demand_response": dr},
            "b": {"hydrogen": h2(50.0, 0.6, 40.0, 0.5, {}), "load_stores": {"ice": {"relief_e_kwh": 7.0}}},
            "c": {},
        }
    )
    h = out["hydrogen"]
    assert h["made_kg"] == 150.0 and h["used_kg"] == 120.0 and h["unmet_kg"] == 2.0
    assert h["renewable_share"] == pytest.approx(130 / 150) and h["used_renewable_share"] == pytest.approx(100 / 120)
    assert h["e_kwh_per_kg"] == pytest.approx(55.0) and list(h["fuel_cells"]) == ["a.fc"]
    assert out["load_stores"] == {"b.ice": {"relief_e_kwh": 7.0}}
    assert out["demand_response"]["delivered_e_kwh"] == 10.0 and list(out["demand_response"]["by_tenant"]) == ["a"]
