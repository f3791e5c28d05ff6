"""The park network check: pandapower model, batch annual power flow, findings."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd
import pytest

from lingtan.errors import BalanceError, InputError
from lingtan.twin.core.schema.network import Network, NetworkLimits
from lingtan.twin.network import (
    CONNECTION_TYPE,
    annual_power_flow,
    apply_substation_limits,
    build_net,
    connection_points,
    example_park_network,
    example_profiles,
    runpp_hour,
)
from lingtan.twin.network.example import EXAMPLE_FILE

ROOT = Path(__file__).resolve().parents[2]


def _compare_with_runpp(net, p, q, result, hours, vm_tol=1e-6, loading_tol=1e-4):
    for h in hours:
        ref = runpp_hour(net, p, q, int(h))
        np.testing.assert_allclose(
            result.hourly_vm_pu.iloc[h].to_numpy(), ref.res_bus.vm_pu.to_numpy(), atol=vm_tol, rtol=0
        )
        if len(net.line):
            np.testing.assert_allclose(
                result.hourly_line_loading_percent.iloc[h].to_numpy(),
                ref.res_line.loading_percent.to_numpy(),
                atol=loading_tol,
                rtol=0,
            )
        if len(net.trafo):
            np.testing.assert_allclose(
                result.hourly_trafo_loading_percent.iloc[h].to_numpy(),
                ref.res_trafo.loading_percent.to_numpy(),
                atol=loading_tol,
                rtol=0,
            )
        p_grid = ref.res_ext_grid.p_mw.sum()
        assert result.import_mw.iloc[h] - result.export_mw.iloc[h] == pytest.approx(p_grid, abs=1e-6)
        # losses: what pandapower's branches and shunts absorb
        losses = ref.res_line.pl_mw.sum() + ref.res_trafo.pl_mw.sum() + ref.res_shunt.p_mw.sum()
        assert result.substation.losses_mw.iloc[h] == pytest.approx(losses, abs=1e-6)


def _one_feeder(line_std_type="NA2XS2Y 1x240 RM/25 12/20 kV", lengths=(1.0, 1.0), limits=None, **conn):
    data = {
        "substation": {"transformers": [{"name": "T1", "sn_mva": 40, "vk_percent": 10.5, "vkr_percent": 0.44}]},
        "feeders": [
            {
                "name": "F1",
                "line_std_type": line_std_type,
                "sections": [{"to": f"B{k}", "length_km": L} for k, L in enumerate(lengths, 1)],
            }
        ],
        "connections": conn or {"tenant": {"bus": f"B{len(lengths)}"}},
    }
    if limits:
        data["limits"] = limits
    return Network.model_validate(data)


def test_example_park_data_ships_as_package_data_of_the_scenario_library():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["*"]
    library = ROOT / "scenarios"
    assert EXAMPLE_FILE.parent.parent == library
    assert any(EXAMPLE_FILE in set(library.glob(p)) for p in patterns)  # setuptools globs package-data
    assert EXAMPLE_FILE.suffix not in (".yaml", ".yml")  # the library's YAML files are all runnable scenarios


# --------------------------------------------------------------------------- agreement


def test_example_network_builds_with_every_connection():
    model = example_park_network()
    net = build_net(model)
    points = connection_points(net)
    assert set(points) == set(model.connections)
    # 110 kV grid bus, 10 kV busbar, 15 feeder buses (one per section), 9 tenant 0.38 kV buses
    assert len(net.bus) == 26 and len(net.line) == 15 and len(net.trafo) == 2 + 9 and len(net.ext_grid) == 1
    assert (net.load.type == CONNECTION_TYPE).sum() == 11 == len(net.load)
    # a tenant with a transformer is connected at its LV bus, PV at the 10 kV bus
    assert net.bus.vn_kv.at[points["electronics"]] == pytest.approx(0.38)
    assert net.bus.name.at[points["public_pv_south"]] == "F3-5"


def test_batch_power_flow_equals_runpp_on_24_sampled_hours():
    net = build_net(example_park_network())
    p, index = example_profiles(8760)
    result = annual_power_flow(net, p, index=index)
    assert result.converged.all()
    hours = np.random.default_rng(7).choice(8760, 24, replace=False)
    _compare_with_runpp(net, p, None, result, hours)
    # non-negative named flows, never both at once
    assert (result.import_mw >= 0).all() and (result.export_mw >= 0).all()
    assert not ((result.import_mw > 0) & (result.export_mw > 0)).any()


def test_newton_path_with_a_pv_bus_equals_runpp(tmp_path):
    net = pp.create_empty_network()
    b0 = pp.create_bus(net, 110, name="grid")
    b1 = pp.create_bus(net, 10, name="mv")
    b2 = pp.create_bus(net, 10, name="far")
    pp.create_ext_grid(net, b0, vm_pu=1.01)
    pp.create_transformer(net, b0, b1, std_type="40 MVA 110/10 kV")
    pp.create_line(net, b1, b2, 3.0, "NA2XS2Y 1x240 RM/25 12/20 kV")
    pp.create_gen(net, b2, p_mw=1.0, vm_pu=1.0, name="chp")  # a PV bus: Newton finishes every hour
    pp.to_json(net, str(tmp_path / "grid.json"))
    model = Network.model_validate({"pandapower_json": "grid.json", "connections": {"plant": {"bus": "far"}}})
    net = build_net(model, tmp_path)
    p = {"plant": np.linspace(0.5, 6.0, 12)}
    result = annual_power_flow(net, p)
    assert result.solver["newton_hours"] == 12 and result.converged.all()
    _compare_with_runpp(net, p, None, result, range(12))


# --------------------------------------------------------------------------- findings


def test_overloaded_feeder_is_reported_with_the_right_hours():
    # a thin 70 mm2 cable (max 0.22 kA, about 3.8 MVA at 10 kV) feeding 5 MW in known hours
    model = _one_feeder("NA2XS2Y 1x70 RM/25 12/20 kV", lengths=(0.3, 0.2))
    net = build_net(model)
    T = 48
    heavy = [9, 10, 11, 30, 31]
    p = np.full(T, 1.0)
    p[heavy] = 5.0
    result = annual_power_flow(net, {"tenant": p}, power_factor=1.0)
    over = result.hourly_line_loading_percent.gt(100.0)
    for line in net.line.index:
        assert list(np.flatnonzero(over[line].to_numpy())) == heavy
    assert list(result.res_line.hours_overloaded) == [len(heavy)] * len(net.line)
    assert (result.res_line.loading_max_percent > 100).all()
    assert any("F1 10kV busbar-B1" in v and f"in {len(heavy)} h" in v for v in result.violations)
    worst = result.worst_hours.set_index("quantity").loc["highest line loading [%]"]
    assert worst.hour in heavy


def test_reverse_flow_hours_with_big_midday_pv():
    model = _one_feeder(tenant={"bus": "B1", "transformer": {"sn_mva": 2.5}}, pv={"bus": "B2"})
    net = build_net(model)
    T = 72
    hour = np.arange(T) % 24
    pv = np.where((hour >= 10) & (hour <= 14), -6.0, 0.0)  # 6 MW fed in at midday
    load = np.full(T, 1.5)
    result = annual_power_flow(
        net, {"tenant": load, "pv": pv}, index=pd.date_range("2025-06-01", periods=T, freq="h", tz="Asia/Shanghai")
    )
    assert result.reverse_flow_hours == 15
    exporting = result.export_mw.to_numpy() > 0
    assert list(np.flatnonzero(exporting)) == list(np.flatnonzero(pv < 0))
    assert result.export_mw[exporting].between(4.0, 4.5).all()  # 6 - 1.5 MW less losses
    assert (result.import_mw[~exporting] > 1.5).all()
    assert any(v.startswith("Reverse flow at the substation in 15 h") for v in result.violations)
    # the scenario's export limit clips what the network reports, and says so
    clipped = apply_substation_limits(result, import_limit_mw=None, export_limit_mw=2.0)
    assert clipped.export_clipped_hours == 15
    assert clipped.export_clipped_mwh == pytest.approx((result.export_mw - 2.0).clip(lower=0).sum())
    assert clipped.export_mw.max() == pytest.approx(2.0) and clipped.import_clipped_mwh == 0
    assert clipped.findings and "curtailed" in clipped.findings[0]


def test_limits_come_from_settings():
    assert NetworkLimits() == NetworkLimits(v_min_pu=0.93, v_max_pu=1.07, loading_max_percent=100)
    p = {"tenant": np.array([0.0, 0.0, 4.0, 4.0])}
    default = annual_power_flow(build_net(_one_feeder(lengths=(3.0, 3.0))), p, power_factor=1.0)
    model = _one_feeder(lengths=(3.0, 3.0), limits={"v_max_pu": 1.04, "loading_max_percent": 50})
    strict = annual_power_flow(build_net(model), p, power_factor=1.0, limits=model.limits)
    assert strict.limits == NetworkLimits(v_min_pu=0.93, v_max_pu=1.04, loading_max_percent=50)
    assert default.res_bus.hours_above.sum() == 0 and default.res_line.hours_overloaded.sum() == 0
    # 10.5 kV secondary: about 1.05 pu at no load; with 4 MW the feeder buses drop below 1.04 pu
    by_name = strict.res_bus.set_index("name")
    assert by_name.hours_above["10kV busbar"] == 4
    assert by_name.hours_above["B1"] == 2 and by_name.hours_above["B2"] == 2
    assert any("'B2' (10 kV) is above 1.04 pu in 2 h" in v for v in strict.violations)
    # 4 MW on a 0.421 kA cable is about 55 %: over the 50 % setting in hours 2 and 3
    assert (strict.res_line.hours_overloaded == 2).all()
    assert (strict.res_line.loading_max_percent.between(50, 60)).all()
    with pytest.raises(ValueError):
        NetworkLimits(v_min_pu=1.1, v_max_pu=1.05)


# --------------------------------------------------------------------------- input


def test_unknown_bus_raises_input_error():
    model = _one_feeder(tenant={"bus": "B9"})
    with pytest.raises(InputError) as err:
        build_net(model, source="park.yaml")
    assert err.value.field == "network.connections.tenant.bus"
    assert "'B9'" in err.value.found and err.value.file == "park.yaml"


def test_unknown_line_type_and_bad_hourly_input_raise_input_error():
    with pytest.raises(InputError, match="line_std_type"):
        build_net(_one_feeder("no such cable"))
    net = build_net(_one_feeder())
    with pytest.raises(InputError, match="stranger"):
        annual_power_flow(net, {"tenant": np.ones(3), "stranger": np.ones(3)})
    with pytest.raises(InputError, match="every connection"):
        annual_power_flow(net, {})


def test_pandapower_json_network_is_loaded_through_the_model(tmp_path):
    net = pp.create_empty_network()
    hv = pp.create_bus(net, 110, name="HV")
    mv = pp.create_bus(net, 10, name="MV")
    a = pp.create_bus(net, 10, name="A")
    b = pp.create_bus(net, 10, name="B")
    pp.create_ext_grid(net, hv)
    pp.create_transformer(net, hv, mv, std_type="25 MVA 110/10 kV")
    pp.create_line(net, mv, a, 1.5, "NA2XS2Y 1x185 RM/25 12/20 kV")
    pp.create_line(net, a, b, 0.8, "NA2XS2Y 1x185 RM/25 12/20 kV")
    pp.create_load(net, a, p_mw=0.7, q_mvar=0.1, name="street lights")  # the user's own fixed load stays
    pp.to_json(net, str(tmp_path / "park_grid.json"))

    model = Network.model_validate(
        {
            "pandapower_json": "park_grid.json",
            "connections": {"mill": {"bus": "B", "transformer": {"sn_mva": 2.0}}, "pv": {"bus": int(a)}},
        }
    )
    loaded = build_net(model, tmp_path)
    points = connection_points(loaded)
    assert loaded.bus.name.at[points["mill"]] == "mill 380V" and points["pv"] == a
    T = 24
    p = {"mill": np.linspace(0.2, 1.8, T), "pv": -np.linspace(0.0, 3.0, T)}
    result = annual_power_flow(loaded, p)
    _compare_with_runpp(loaded, p, None, result, [0, 7, 15, 23])
    with pytest.raises(InputError, match="pandapower_json"):
        build_net(
            Network.model_validate({"pandapower_json": "missing.json", "connections": {"x": {"bus": 0}}}), tmp_path
        )
    with pytest.raises(ValueError):
        Network.model_validate(
            {
                "pandapower_json": "park_grid.json",
                "feeders": [],
                "connections": {"x": {"bus": 0}},
                "substation": {"transformers": [{"name": "T", "std_type": "25 MVA 110/10 kV"}]},
            }
        )


def test_negative_losses_are_a_balance_error_not_clipped_away():
    # a shunt that generates 0.5 MW (pandapower's load convention, p_mw < 0): the network makes energy, which
    # no passive network can; the clip of rounding below 0 must not hide it
    net = build_net(_one_feeder())
    pp.create_shunt(net, net.load.bus.iat[0], q_mvar=0.0, p_mw=-0.5)
    with pytest.raises(BalanceError, match="the network made energy"):
        annual_power_flow(net, {"tenant": np.array([0.0, 0.1])})
    # the same shunt absorbing 0.5 MW: losses are line and transformer losses plus the shunt's 0.5 MW
    net.shunt.p_mw = 0.5
    result = annual_power_flow(net, {"tenant": np.array([0.0, 0.1])})
    _compare_with_runpp(net, {"tenant": np.array([0.0, 0.1])}, None, result, [0, 1])
    assert (result.substation.losses_mw > 0.5).all()


def test_hours_the_network_cannot_carry_are_reported_not_hidden():
    net = build_net(_one_feeder("NA2XS2Y 1x70 RM/25 12/20 kV", lengths=(5.0, 5.0)))
    p = np.array([1.0, 1.0, 200.0, 1.0])  # 200 MW at the end of 10 km of 70 mm2 cable: collapse
    result = annual_power_flow(net, {"tenant": p})
    assert list(result.converged) == [True, True, False, True]
    assert result.hourly_vm_pu.iloc[2].isna().all() and result.hourly_vm_pu.iloc[[0, 1, 3]].notna().all().all()
    assert result.violations[0].startswith("The power flow did not converge in 1 h")


# --------------------------------------------------------------------------- several grid connections, out of service


def _hour_by_pandapower(net, p_mw, h, power_factor=0.95):
    """The reference: the user's network with each connection's demand of hour h as a plain pandapower load,
    solved by pandapower.runpp (the twin's input convention: lagging at power_factor when drawing, unity when
    feeding in)."""
    ref = net
    tan_phi = np.tan(np.arccos(power_factor))
    for name, (bus, series) in p_mw.items():
        p = float(series[h])
        pp.create_load(ref, bus, p_mw=p, q_mvar=p * tan_phi if p > 0 else 0.0, name=name)
    pp.runpp(ref, algorithm="nr", calculate_voltage_angles=True, trafo_loading="current", tolerance_mva=1e-9)
    return ref


def test_two_substations_mv_oberrhein_through_a_park_scenario_equal_pandapower(tmp_path):
    """pandapower's mv_oberrhein: two 110/20 kV substations (two ext_grids), 179 buses; one tie line taken out of
    service. A 40 MWp PV farm on the second substation's busbar makes that substation feed back at noon while the
    first one still imports."""
    import pandapower.networks as pn
    import yaml

    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.studies.park import simulate_park

    def out_of_service(net):
        """Two tie lines out of service (isolating nothing): 8 with its switch closed, so that both of its ends
        are live (pandapower: loading 0), 23 behind its open switch (pandapower: NaN)."""
        net.switch.loc[(net.switch.et == "l") & (net.switch.element == 8), "closed"] = True
        net.line.loc[[8, 23], "in_service"] = False
        return net

    net = out_of_service(pn.mv_oberrhein())
    assert len(net.ext_grid) == 2
    pp.to_json(net, str(tmp_path / "oberrhein.json"))
    farm_bus = int(net.trafo.lv_bus.at[142])  # the 20 kV busbar of "HV/MV Transformer 1"
    park = {
        "name": "two substations",
        "site": {"latitude": 31.87, "longitude": 117.23, "altitude_m": 27},
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei", "seed": 1},
        "grid": {
            "import_limit_kw": 100000,
            "export_allowed": True,
            "export_limit_kw": 50000,
            "tariff": "anhui_large_industry_2025",
            "emission_factor": "national_2022",
        },
        "tenants": [
            {"name": "a", "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 8e6}]},
            {"name": "b", "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 12e6}]},
        ],
        "shared": {"pv": [{"name": "solar_farm", "capacity_kwp": 40000}]},
        "network": {
            "pandapower_json": "oberrhein.json",
            "connections": {"a": {"bus": "Bus 93"}, "b": {"bus": "Bus 43"}, "solar_farm": {"bus": farm_bus}},
        },
    }
    (tmp_path / "park.yaml").write_text(yaml.safe_dump(park), encoding="utf-8")
    result = simulate_park(load_scenario(tmp_path / "park.yaml"), tmp_path)
    n, p = result.network, result.network_p_mw
    assert n.converged.all()
    bus_of = {
        "a": int(net.bus.index[net.bus.name == "Bus 93"][0]),
        "b": int(net.bus.index[net.bus.name == "Bus 43"][0]),
        "solar_farm": farm_bus,
    }
    noon = int(np.argmin(p["solar_farm"]))
    for h in (noon, 3):
        # a copy of the network as loaded (pandapower's mv_oberrhein() reads and solves it: slow to repeat)
        ref = _hour_by_pandapower(copy_net(net), {k: (bus_of[k], v) for k, v in p.items()}, h)
        np.testing.assert_allclose(n.hourly_vm_pu.iloc[h].to_numpy(), ref.res_bus.vm_pu.to_numpy(), atol=1e-6, rtol=0)
        np.testing.assert_allclose(
            n.hourly_line_loading_percent.iloc[h].to_numpy(), ref.res_line.loading_percent.to_numpy(), atol=1e-4, rtol=0
        )
        np.testing.assert_allclose(
            n.hourly_trafo_loading_percent.iloc[h].to_numpy(),
            ref.res_trafo.loading_percent.to_numpy(),
            atol=1e-4,
            rtol=0,
        )
        # each grid connection as pandapower's res_ext_grid, and the park's exchange their sum
        p_each = n.hourly_grid_import_mw.iloc[h] - n.hourly_grid_export_mw.iloc[h]
        np.testing.assert_allclose(p_each.to_numpy(), ref.res_ext_grid.p_mw.loc[p_each.index], atol=1e-6, rtol=0)
        np.testing.assert_allclose(n.hourly_grid_q_mvar.iloc[h].to_numpy(), ref.res_ext_grid.q_mvar, atol=1e-6, rtol=0)
        assert n.import_mw.iloc[h] - n.export_mw.iloc[h] == pytest.approx(ref.res_ext_grid.p_mw.sum(), abs=1e-6)
    assert ref.res_line.loading_percent.at[8] == 0 and n.hourly_line_loading_percent[8].eq(0).all()
    assert np.isnan(ref.res_line.loading_percent.at[23]) and n.hourly_line_loading_percent[23].isna().all()
    assert n.res_line.loc[[8, 23], "hours_overloaded"].eq(0).all() and n.res_line.hour_of_max[[8, 23]].isna().all()
    # at noon substation 1 feeds back while substation 0 imports: a finding names it, the park total does not
    assert list(n.res_ext_grid.name) == ["External Grid 0", "External Grid 1"]
    assert n.hourly_grid_export_mw[1].iat[noon] > 1 and n.hourly_grid_import_mw[0].iat[noon] > 1
    assert n.res_ext_grid.reverse_flow_hours[0] == 0 and n.res_ext_grid.reverse_flow_hours[1] > 0
    assert n.res_ext_grid.reverse_flow_hours[1] == int((n.hourly_grid_export_mw[1] > 1e-6).sum())
    assert any(
        v.startswith(
            f"Reverse flow at grid connection 'External Grid 1' (bus 318) in {n.res_ext_grid.reverse_flow_hours[1]} h"
        )
        for v in n.violations
    )
    worst = n.worst_hours.set_index("quantity")
    assert worst.at["highest export at one grid connection [MW]", "element_name"] == "External Grid 1"
    assert worst.at["highest import [MW]", "element_name"] == "all 2 grid connections"


def test_out_of_service_branches_read_zero_like_pandapower_and_are_never_the_worst():
    net = build_net(_one_feeder(lengths=(1.0, 1.0)))
    mv, b2 = net.line.from_bus.iat[0], net.line.to_bus.iat[1]
    spare = pp.create_line(net, mv, b2, 2.0, "NA2XS2Y 1x240 RM/25 12/20 kV", name="spare", in_service=False)
    t2 = pp.create_transformer(
        net, net.trafo.hv_bus.iat[0], mv, std_type="40 MVA 110/10 kV", name="T2", in_service=False
    )
    p = {"tenant": np.array([1.0, 6.0, 3.0])}
    result = annual_power_flow(net, p)
    for h in range(3):
        ref = _hour_by_pandapower(copy_net(net), {"tenant": (int(net.load.bus.iat[0]), p["tenant"])}, h)
        ref.load.loc[net.load.index[0], "p_mw"] = 0.0  # the connection load itself is replaced by the reference's
        pp.runpp(ref, algorithm="nr", calculate_voltage_angles=True, trafo_loading="current", tolerance_mva=1e-9)
        assert ref.res_line.loading_percent.at[spare] == 0 and ref.res_trafo.loading_percent.at[t2] == 0
        np.testing.assert_allclose(
            result.hourly_line_loading_percent.iloc[h].to_numpy(),
            ref.res_line.loading_percent.to_numpy(),
            atol=1e-4,
            rtol=0,
        )
        np.testing.assert_allclose(
            result.hourly_trafo_loading_percent.iloc[h].to_numpy(),
            ref.res_trafo.loading_percent.to_numpy(),
            atol=1e-4,
            rtol=0,
        )
    row = result.res_line.loc[spare]
    assert (row.loading_max_percent, row.i_max_ka, row.hours_overloaded) == (0.0, 0.0, 0)
    assert row.hour_of_max is None or pd.isna(row.hour_of_max)
    assert result.res_trafo.loading_max_percent.at[t2] == 0.0
    # the only line out of service, both of its ends live (pandapower: 0 %): no line is "the most loaded"
    net = pp.create_empty_network()
    hv, mv, mv2 = (pp.create_bus(net, kv, name=n) for kv, n in ((110, "HV"), (10, "MV"), (10, "MV2")))
    pp.create_ext_grid(net, hv)
    for lv, name in ((mv, "T1"), (mv2, "T2")):
        pp.create_transformer(net, hv, lv, std_type="40 MVA 110/10 kV", name=name)
    pp.create_line(net, mv, mv2, 1.0, "NA2XS2Y 1x240 RM/25 12/20 kV", name="tie", in_service=False)
    pp.create_load(net, mv, p_mw=0.0, name="tenant", type="twin_connection")
    alone = annual_power_flow(net, p)
    assert alone.hourly_line_loading_percent.eq(0).all().all() and alone.res_line.loading_max_percent.eq(0).all()
    assert "highest line loading [%]" not in set(alone.worst_hours.quantity)
    assert alone.worst_hours.set_index("quantity").at["highest transformer loading [%]", "element_name"] == "T1"
    assert not any("tie" in v for v in alone.violations)


def copy_net(net):
    import copy

    return copy.deepcopy(net)


@pytest.mark.parametrize(
    "table, column, value, expected",
    [
        ("line", "r_ohm_per_km", np.nan, "a finite number >= 0"),
        ("line", "max_i_ka", 0.0, "a finite number > 0"),
        ("trafo", "vk_percent", np.nan, "a finite number > 0"),
        ("load", "p_mw", np.nan, "a finite number"),
        ("shunt", "p_mw", -0.2, "a finite number >= 0"),  # a generating shunt: the network would make energy
        ("impedance", "rft_pu", -0.01, "a finite number >= 0"),
    ],
)
def test_a_bad_number_in_a_pandapower_json_names_the_file_and_the_row(tmp_path, table, column, value, expected):
    net = pp.create_empty_network()
    hv, mv, a = (pp.create_bus(net, kv, name=n) for kv, n in ((110, "HV"), (10, "MV"), (10, "A")))
    pp.create_ext_grid(net, hv)
    pp.create_transformer(net, hv, mv, std_type="25 MVA 110/10 kV")
    pp.create_line(net, mv, a, 1.5, "NA2XS2Y 1x185 RM/25 12/20 kV")
    pp.create_line(net, mv, a, 1.5, "NA2XS2Y 1x185 RM/25 12/20 kV")
    pp.create_load(net, a, p_mw=0.5, name="lights")
    pp.create_shunt(net, a, q_mvar=-0.3, p_mw=0.0, name="capacitor bank")
    pp.create_impedance(net, mv, a, rft_pu=0.01, xft_pu=0.05, sn_mva=10.0, name="tie")
    row = net[table].index[-1]
    net[table].loc[row, column] = value
    pp.to_json(net, str(tmp_path / "grid.json"))
    model = Network.model_validate({"pandapower_json": "grid.json", "connections": {"mill": {"bus": "A"}}})
    with pytest.raises(InputError) as err:
        build_net(model, tmp_path)
    assert err.value.file == str(tmp_path / "grid.json")
    assert err.value.field == f"{table}[{row}].{column}" and err.value.expected == expected


def test_a_network_pandapower_cannot_solve_at_zero_demand_is_an_input_error(tmp_path):
    net = pp.create_empty_network()
    hv, mv = pp.create_bus(net, 110, name="HV"), pp.create_bus(net, 10, name="MV")
    pp.create_ext_grid(net, hv)
    pp.create_transformer(net, hv, mv, std_type="25 MVA 110/10 kV")
    pp.create_load(net, mv, p_mw=500.0, name="far too much for 25 MVA")
    pp.to_json(net, str(tmp_path / "grid.json"))
    model = Network.model_validate({"pandapower_json": "grid.json", "connections": {"mill": {"bus": "MV"}}})
    with pytest.raises(InputError, match="pandapower solves with every connection at 0 MW"):
        annual_power_flow(build_net(model, tmp_path), {"mill": np.ones(2)})
