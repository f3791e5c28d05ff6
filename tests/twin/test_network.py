"""The park network check: pandapower model, batch annual power flow, findings."""
from __future__ import annotations

import numpy as np
import pandapower as pp
import pandas as pd
import pytest

from twin.errors import InputError
from twin.network import (
    Network, NetworkLimits, annual_power_flow, apply_substation_limits, build_net, connection_points,
    example_park_network, example_profiles, runpp_hour,
)


def _compare_with_runpp(net, p, q, result, hours, vm_tol=1e-6, loading_tol=1e-4):
    for h in hours:
        ref = runpp_hour(net, p, q, int(h))
        np.testing.assert_allclose(result.hourly_vm_pu.iloc[h].to_numpy(), ref.res_bus.vm_pu.to_numpy(),
                                   atol=vm_tol, rtol=0)
        if len(net.line):
            np.testing.assert_allclose(result.hourly_line_loading_percent.iloc[h].to_numpy(),
                                       ref.res_line.loading_percent.to_numpy(), atol=loading_tol, rtol=0)
        if len(net.trafo):
            np.testing.assert_allclose(result.hourly_trafo_loading_percent.iloc[h].to_numpy(),
                                       ref.res_trafo.loading_percent.to_numpy(), atol=loading_tol, rtol=0)
        p_grid = ref.res_ext_grid.p_mw.sum()
        assert result.import_mw.iloc[h] - result.export_mw.iloc[h] == pytest.approx(p_grid, abs=1e-6)


def _one_feeder(line_std_type="NA2XS2Y 1x240 RM/25 12/20 kV", lengths=(1.0, 1.0), limits=None, **conn):
    data = {
        "substation": {"transformers": [{"name": "T1", "sn_mva": 40, "vk_percent": 10.5, "vkr_percent": 0.44}]},
        "feeders": [{"name": "F1", "line_std_type": line_std_type,
                     "sections": [{"to": f"B{k}", "length_km": L} for k, L in enumerate(lengths, 1)]}],
        "connections": conn or {"tenant": {"bus": f"B{len(lengths)}"}},
    }
    if limits:
        data["limits"] = limits
    return Network.model_validate(data)


# --------------------------------------------------------------------------- agreement


def test_example_network_builds_with_every_connection():
    model = example_park_network()
    net = build_net(model)
    points = connection_points(net)
    assert set(points) == set(model.connections)
    assert 25 <= len(net.bus) <= 32 and len(net.trafo) == 2 + 9
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
    pp.create_gen(net, b2, p_mw=1.0, vm_pu=1.0, name="chp")     # a PV bus: Newton finishes every hour
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
    model = _one_feeder(tenant={"bus": "B1", "transformer": {"sn_mva": 2.5}},
                        pv={"bus": "B2"})
    net = build_net(model)
    T = 72
    hour = np.arange(T) % 24
    pv = np.where((hour >= 10) & (hour <= 14), -6.0, 0.0)       # 6 MW fed in at midday
    load = np.full(T, 1.5)
    result = annual_power_flow(net, {"tenant": load, "pv": pv}, index=pd.date_range(
        "2025-06-01", periods=T, freq="h", tz="Asia/Shanghai"))
    assert result.reverse_flow_hours == 15
    exporting = result.export_mw.to_numpy() > 0
    assert list(np.flatnonzero(exporting)) == list(np.flatnonzero(pv < 0))
    assert result.export_mw[exporting].between(4.0, 4.5).all()       # 6 - 1.5 MW less losses
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
    pp.create_load(net, a, p_mw=0.7, q_mvar=0.1, name="street lights")     # the user's own fixed load stays
    pp.to_json(net, str(tmp_path / "park_grid.json"))

    model = Network.model_validate({
        "pandapower_json": "park_grid.json",
        "connections": {"mill": {"bus": "B", "transformer": {"sn_mva": 2.0}}, "pv": {"bus": int(a)}},
    })
    loaded = build_net(model, tmp_path)
    points = connection_points(loaded)
    assert loaded.bus.name.at[points["mill"]] == "mill 380V" and points["pv"] == a
    T = 24
    p = {"mill": np.linspace(0.2, 1.8, T), "pv": -np.linspace(0.0, 3.0, T)}
    result = annual_power_flow(loaded, p)
    _compare_with_runpp(loaded, p, None, result, [0, 7, 15, 23])
    with pytest.raises(InputError, match="pandapower_json"):
        build_net(Network.model_validate({"pandapower_json": "missing.json", "connections": {"x": {"bus": 0}}}),
                  tmp_path)
    with pytest.raises(ValueError):
        Network.model_validate({"pandapower_json": "park_grid.json", "feeders": [], "connections": {"x": {"bus": 0}},
                                "substation": {"transformers": [{"name": "T", "std_type": "25 MVA 110/10 kV"}]}})


def test_hours_the_network_cannot_carry_are_reported_not_hidden():
    net = build_net(_one_feeder("NA2XS2Y 1x70 RM/25 12/20 kV", lengths=(5.0, 5.0)))
    p = np.array([1.0, 1.0, 200.0, 1.0])          # 200 MW at the end of 10 km of 70 mm2 cable: collapse
    result = annual_power_flow(net, {"tenant": p})
    assert list(result.converged) == [True, True, False, True]
    assert result.hourly_vm_pu.iloc[2].isna().all() and result.hourly_vm_pu.iloc[[0, 1, 3]].notna().all().all()
    assert result.violations[0].startswith("The power flow did not converge in 1 h")
