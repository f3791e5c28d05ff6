"""A tenant's gas engine (combined heat and power) on the park bus: its export serves the other tenant first, is not
renewable, and its gas is counted once.

Tenant a: a 600 kW_th bath all year (70 C), a 500 kW heat-led gas engine (40 % / 45 % electric / heat efficiency at
full load: 562.5 kW_th, so it runs at full load every hour) and a gas boiler for the rest; 3 GWh/yr of shift load,
so the engine exports in the hours a's load is under 500 kW. Tenant b: 5 GWh/yr of shift load, nothing else.
Shared: 2 MWp of carport PV, no battery; the park's export limit (5 MW) is never reached. A feeder of two
sections: a at the first, b and the carport at the second.
"""

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from support.park_cases import ALL_YEAR, hefei_park

from lingtan.components.heat import fuel_burnt
from lingtan.twin.cli import main
from lingtan.twin.core.dispatch import FLOWS, STATES, TOTALS, DispatchResult
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.core.tables import check_electric_balance
from lingtan.twin.studies.economics import energies
from lingtan.twin.studies.park import _tenants_chp_on_bus, simulate_park

from .test_run_chp import ENGINE as FACTORY_ENGINE

ENGINE = dict(FACTORY_ENGINE, capacity_p_kw=500.0)  # the factory test's engine, rated 500 kW
TRANSFORMER = {"name": "T1", "sn_mva": 40, "vk_percent": 10.5, "vkr_percent": 0.44, "pfe_kw": 30, "i0_percent": 0.3}
GREEN_E_KWH = 5e6  # more than either tenant's grid-origin energy: each tenant's share is capped at it


def chp_park() -> dict:
    return {
        **hefei_park("chp park"),
        "tenants": [
            {
                "name": "a",
                "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 3e6}],
                "boilers": [
                    {"name": "gas", "fuel": "natural_gas", "efficiency": 0.9, "capacity_q_kw_th": 1000, "t_c": 200}
                ],
                "chp": [dict(ENGINE)],
                "processes": [
                    {
                        "name": "baths",
                        "calendar": ALL_YEAR,
                        "batch_duration_h": 8,
                        "p_kw": 0,
                        "heat_demands": [{"name": "bath", "t_c": 70, "q_kw_th": 600}],
                    }
                ],
            },
            {"name": "b", "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 5e6}]},
        ],
        "shared": {"pv": [{"name": "carport", "capacity_kwp": 2000}]},
        "green_power": {"green_power_contract_e_kwh": GREEN_E_KWH},
        "network": {
            "substation": {"name": "S", "transformers": [TRANSFORMER]},
            "feeders": [
                {
                    "name": "F1",
                    "line_std_type": "NA2XS2Y 1x240 RM/25 12/20 kV",
                    "sections": [{"to": "F1-1", "length_km": 1.0}, {"to": "F1-2", "length_km": 1.0}],
                }
            ],
            "connections": {"a": {"bus": "F1-1"}, "b": {"bus": "F1-2"}, "carport": {"bus": "F1-2"}},
        },
    }


@pytest.fixture(scope="module")
def park():
    return simulate_park(scenario_from_dict(chp_park()))


def hand_bus(r):
    """The bus by hand, "CHP first": the engine's export C serves the tenants' bus demand D before the PV; the PV
    serves what is left; the grid the rest; what of C the demand leaves is exported [kW] per hour."""
    a, b = r.tenants["a"].hourly, r.tenants["b"].hourly
    cols = ["grid_to_load_kw", "grid_to_heat_kw", "grid_to_battery_kw"]
    demand = np.array([a[cols].sum(axis=1), b[cols].sum(axis=1)])
    c = a.chp_to_grid_kw.to_numpy()
    chp_load = np.minimum(c, demand.sum(axis=0))
    rest = demand.sum(axis=0) - chp_load
    pv_load = np.minimum(r.bus.pv_kw.to_numpy(), rest)
    return demand, c, chp_load, pv_load, rest - pv_load


def test_the_bus_balances_with_the_engine_first(park):
    r = park
    demand, c, chp_load, pv_load, grid = hand_bus(r)
    bus = r.bus
    assert check_electric_balance(bus) <= 1e-6
    np.testing.assert_allclose(bus.tenants_chp_kw, c, atol=1e-9)
    np.testing.assert_allclose(bus.tenants_chp_to_load_kw, chp_load, atol=1e-9)
    np.testing.assert_allclose(bus.tenants_chp_to_grid_kw, c - chp_load, atol=1e-9)
    assert (bus.tenants_chp_spilled_kw == 0).all()  # 5 MW of export room for a 500 kW engine
    np.testing.assert_allclose(bus.pv_to_load_kw, pv_load, atol=1e-9)
    np.testing.assert_allclose(bus.grid_to_load_kw, grid, atol=1e-9)
    # The case exercises all of it: hours where the engine exports, where b takes part of it, where the bus
    # cannot use all of it and exports the rest.
    assert 0.3 < (c > 0).mean() < 0.9
    assert ((c > 0) & (demand[1] > 0)).sum() > 1000 and (c > chp_load).sum() > 100


def test_consumption_share_and_import_by_hand(park):
    # Everything served, no battery, no power-to-heat: the park consumes its tenants' loads (8 GWh). Renewable:
    # the PV the bus used; import: what the grid served; the engine's electricity (500 kW x 8760 h = 4.38 GWh)
    # counts in the consumption, not in the renewables, and what of it the park exported is the park's CHP export.
    r, k = park, park.kpis
    _, c, chp_load, pv_load, grid = hand_bus(r)
    load = r.tenants["a"].hourly.load_kw.sum() + r.tenants["b"].hourly.load_kw.sum()
    assert load == pytest.approx(8e6, rel=1e-9)
    assert k["total_consumption_e_kwh"] == pytest.approx(load, rel=1e-9)
    assert k["grid_import_e_kwh"] == pytest.approx(grid.sum(), rel=1e-9)
    assert k["peak_import_kw"] == pytest.approx(grid.max(), rel=1e-9)
    assert k["re_consumed_e_kwh"] == pytest.approx(pv_load.sum(), rel=1e-9)
    assert k["re_electricity_share_onsite"] == pytest.approx(pv_load.sum() / load, rel=1e-9)
    assert k["chp_e_kwh"] == pytest.approx(500 * 8760, rel=1e-9)
    assert k["chp_export_e_kwh"] == pytest.approx((c - chp_load).sum(), rel=1e-9)
    assert k["grid_export_e_kwh"] == pytest.approx(r.bus.pv_to_grid_kw.sum(), rel=1e-9)  # renewables only
    assert k["reconciliation_residual_e_kwh"] < 1e-6
    el = r.accounting.energy.electricity
    assert el.chp_consumed_e_kwh == pytest.approx(500 * 8760 - (c - chp_load).sum(), rel=1e-9)
    assert el.consumed_e_kwh == pytest.approx(load, rel=1e-9)
    # The bus carries the engine's export, it makes none: the economics count the engine's 4.38 GWh once.
    assert energies(r)["chp_e_kwh"] == pytest.approx(500 * 8760, rel=1e-9)


def test_the_engines_gas_is_in_scope_1_once(park):
    # a's gas: the engine's fuel line plus the boiler's heat / 0.9, in m3 at the fuel table's NCV, times
    # 2.1622 kgCO2/m3 (fuels.csv). The park's scope 1 burns nothing else.
    r = park
    h = r.tenants["a"].hourly_heat
    fuel_kwh = float(h["engine.fuel_kw"].sum()) + float(h["gas.heat_kw_th"].sum()) / 0.9
    m3 = float(fuel_burnt(fuel_kwh, "natural_gas")["fuel_units"])
    s1 = r.accounting.emissions.scope1
    assert list(s1.fuels) == ["natural_gas"] and not s1.direct_fuels
    assert s1.fuels["natural_gas"].quantity == pytest.approx(m3, rel=1e-12)
    assert s1.combustion_t == pytest.approx(m3 * 2.1622 / 1000, rel=1e-12)


def test_the_engine_serves_b_and_green_power_replaces_grid_energy_only(park):
    # The bus's CHP to load goes to each tenant pro rata to what its demand wants after its renewables. What is
    # left of b's bus demand is grid-origin, and the green-power contract (more than b's) is capped at that: the
    # tenants' grid-origin energy adds up to what the grid served them.
    r = park
    demand, _, chp_load, _, grid = hand_bus(r)
    renewable = r.allocation_kw[["a_kw", "b_kw"]].to_numpy().T
    want = demand - renewable
    chp_b = chp_load * np.divide(want[1], want.sum(axis=0), out=np.zeros_like(grid), where=want.sum(axis=0) > 0)
    t = r.tenant_table
    assert t.loc["b", "park_chp_allocated_e_kwh"] == pytest.approx(chp_b.sum(), rel=1e-9)
    assert chp_b.sum() > 0.1 * t.loc["b", "bus_demand_e_kwh"]
    origin_b = want[1].sum() - chp_b.sum()
    assert t.loc["b", "green_power_allocated_e_kwh"] == pytest.approx(origin_b, rel=1e-9)
    origin = t.bus_demand_e_kwh - t.park_re_allocated_e_kwh - t.park_chp_allocated_e_kwh
    assert origin[["a", "b"]].sum() == pytest.approx(grid.sum(), rel=1e-9)


def test_the_network_sees_the_engine_inject(park):
    # Net demand of each connection [MW], feed-in negative: a draws its bus demand less its engine's export; the
    # connections add up to what the substation exchanges: import less the PV's and the engine's export.
    r = park
    demand, c, _, _, _ = hand_bus(r)
    p = r.network_p_mw
    np.testing.assert_allclose(p["a"], (demand[0] - c) / 1e3, atol=1e-12)
    assert (p["a"] < 0).sum() > 1000
    bus = r.bus
    exchange = bus.grid_to_load_kw - bus.pv_to_grid_kw - bus.tenants_chp_to_grid_kw
    np.testing.assert_allclose(p["a"] + p["b"] + p["carport"], exchange / 1e3, atol=1e-9)


def test_spilled_chp_by_hand():
    # Two hours, export limit 100 kW. Hour 0: the engines export 300 kW, the bus took 120 kW before the kernel
    # ran, the PV exported 30 kW: 70 kW of room, 110 kW spilled. Hour 1: 50 kW, 50 to the load, nothing left.
    h = np.zeros((2, len(FLOWS) + len(STATES)))
    h[:, FLOWS.index("re_to_grid")] = [30.0, 0.0]
    h[:, FLOWS.index("load")] = [10.0, 0.0]
    res = DispatchResult(
        totals=np.zeros((1, len(TOTALS))),
        monthly_peak_kw=np.zeros((1, 12)),
        hourly=h,
        heat_totals=np.zeros((1, 0)),
        heat_hourly=np.zeros((2, 0)),
        event_import_kw=np.zeros((1, 0)),
    )
    p0 = SimpleNamespace(tariff=SimpleNamespace(feed_in_price_cny_per_kwh=0.4))
    out, spilled = _tenants_chp_on_bus(res, np.array([300.0, 50.0]), np.array([120.0, 50.0]), 100.0, p0)
    np.testing.assert_allclose(spilled, [110.0, 0.0])
    np.testing.assert_allclose(out.hourly[:, FLOWS.index("chp_to_grid")], [70.0, 0.0])
    np.testing.assert_allclose(out.hourly[:, FLOWS.index("load")], [130.0, 50.0])
    assert out.total("chp_to_load")[0] == 170.0 and out.total("load")[0] == 180.0
    assert out.total("export_revenue_cny")[0] == pytest.approx(70 * 0.4)  # the kernel's own (PV) revenue was 0 here


def test_bad_chp_fields_name_the_tenant(tmp_path, capsys):
    import yaml

    bad = copy.deepcopy(chp_park())
    bad["tenants"][0]["chp"][0]["electric_efficiency"] = 1.5
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    assert "tenants[0].chp[0].electric_efficiency" in capsys.readouterr().err
