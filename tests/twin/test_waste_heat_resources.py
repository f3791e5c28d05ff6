"""Waste heat and energy over the whole boundary (GB/T 1028-2018), by type, and "not applicable" (issue 13)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lingtan.components.process import DeclaredWasteEnergy
from lingtan.twin.accounting.criteria import evaluate, score
from lingtan.twin.core.scenario import scenario_from_dict
from lingtan.twin.run import simulate
from lingtan.twin.studies.park import simulate_park

ALL_YEAR = {"shifts_per_day": 3, "shift_hours": 8, "first_shift_start_h": 0, "working_days_per_week": 7}
HOURS = 8760  # 2025


def _flat_load(name, kw, **kw_extra):
    return dict(
        {
            "name": name,
            "kind": "shifts",
            "annual_e_kwh": kw * HOURS,
            "shifts_per_day": 3,
            "first_shift_start_h": 0,
            "working_days_per_week": 7,
            "base_load_fraction": 1.0,
        },
        **kw_extra,
    )


def _factory(loads, streams=(), energy=(), extra=None):
    """A bath of 1000 kW_th at 70 C all year, a gas boiler, and waste-heat streams at 150 C exchanged into the
    bath (effectiveness 0.8)."""
    data = {
        "name": "f",
        "site": {"latitude": 31.87, "longitude": 117.23},
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei", "seed": 1},
        "grid": {"import_limit_kw": 1e5, "tariff": "anhui_large_industry_2025", "emission_factor": "national_2022"},
        "loads": loads,
        "processes": [
            {
                "name": "line",
                "calendar": ALL_YEAR,
                "batch_duration_h": 8,
                "p_kw": 500,
                "heat_demands": [{"name": "bath", "t_c": 70, "q_kw_th": 1000}],
                "waste_heat": [{"name": n, "kind": k, "t_c": 150, "q_kw_th": q} for n, k, q in streams],
                "waste_energy": list(energy),
            }
        ],
        "heat_exchangers": [
            {"name": f"x_{n}", "source": n, "sink": "bath", "effectiveness": 0.8} for n, _, _ in streams
        ],
        "boilers": [{"name": "gas", "fuel": "natural_gas", "efficiency": 0.9, "capacity_q_kw_th": 3000, "t_c": 200}],
        "criteria": ["anhui_park_2024", "zhejiang_factory_2025"],
    }
    data.update(extra or {})
    return scenario_from_dict(data)


@pytest.fixture(scope="module")
def data_centre_plant():
    """150 kW_th of exhaust air and 150 kW_th of cooling water (isothermal, 150 C), each 80 % exchanged: 240 kW_th
    delivered of 300; and a 3000 kW data-centre load that rejects all of its electricity as heat."""
    return simulate(
        _factory(
            [_flat_load("it", 3000, end_use="data_centre")],
            streams=[("hood", "exhaust_air", 150.0), ("oil", "cooling_water", 150.0)],
        )
    )


def test_the_denominator_is_every_waste_heat_resource_of_the_boundary(data_centre_plant):
    """Anhui 附件1 2.1: "园区应要求企业对生产过程中产生的余热、余能采取回收和再利用措施,园区内余热余能回收率须达到10%
    及以上。" 附件2 3.4.4: "企业应按照GB/T39091、GB/T1028-2018等标准的要求,对生产过程中产生的余能余热等采取回收和再利用
    措施". GB/T 1028's resource is every waste heat and energy of the boundary, not the streams a user declared.

    Hand: delivered 240 kW_th all year; declared streams 300 kW_th; the data centre rejects 3000 kW_th
    (HEAT_REJECTED_DEFAULTS: 1.0 kWh_th per kWh). Whole boundary 240 / 3300 = 7.27 % (FAIL at 10 %);
    declared streams 240 / 300 = 80 %."""
    h = data_centre_plant.kpis["heat"]
    assert h["waste_heat_recovered_e_kwh_th"] == pytest.approx(240 * HOURS, rel=1e-9)
    assert h["waste_heat_rejected_by_loads_e_kwh_th"] == pytest.approx(3000 * HOURS, rel=1e-9)
    assert h["waste_heat_recovery_rate"] == pytest.approx(240 / 3300, rel=1e-9)
    assert h["waste_heat_recovery_rate_declared_streams"] == pytest.approx(0.8, rel=1e-9)
    by_id = {v["criterion_id"]: v for v in data_centre_plant.verdicts}
    v = by_id["anhui_park_2024.waste_heat_recovery"]
    assert v["value"] == pytest.approx(240 / 3300, rel=1e-9) and not v["passed"]
    # the default (stricter) reading: the whole boundary's resources in the denominator
    assert v["variant"].startswith(
        "waste heat and energy delivered to a useful demand / all waste heat and energy "
        "resources of the boundary (GB/T 1028-2018"
    )
    # The named, less strict variant reads the declared streams only.
    flat = {
        "waste_heat_recovery_rate": h["waste_heat_recovery_rate"],
        "waste_heat_recovery_rate_declared_streams": h["waste_heat_recovery_rate_declared_streams"],
    }
    lenient = [
        x
        for x in evaluate("anhui_park_2024", flat, settings={"anhui_waste_heat_variant": "declared_streams"})
        if x.criterion_id.endswith("waste_heat_recovery")
    ][0]
    assert lenient.value == pytest.approx(0.8) and lenient.passed and "declared streams" in lenient.variant


def test_a_large_load_whose_heat_is_not_declared_is_warned_about():
    """Issue 13: "warn when a large load rejects heat that is not declared"."""
    r = simulate(_factory([_flat_load("plant", 1000)], streams=[("hood", "exhaust_air", 100.0)]))
    assert any("'plant'" in w and "counted as 0" in w for w in r.kpis["warnings"])
    declared = simulate(
        _factory(
            [_flat_load("plant", 1000, end_use="compressor", heat_rejected_fraction=0.85)],
            streams=[("hood", "exhaust_air", 100.0)],
        )
    )
    assert not declared.kpis.get("warnings")
    assert declared.kpis["heat"]["waste_heat_rejected_by_loads_e_kwh_th"] == pytest.approx(850 * HOURS, rel=1e-9)


def test_heat_charged_into_a_store_and_lost_is_not_recovered():
    """Issue 13: "count as recovered only heat delivered to a useful demand (not heat charged into a store and
    later lost, not network losses)". A store losing 50 % an hour, charged only from the stream, delivers what it
    discharges; the rest of what the stream put in is lost."""

    def run(loss):
        store = {
            "thermal_storage": [
                {
                    "name": "tank",
                    "capacity_kwh_th": 2000,
                    "charge_kw_th": 500,
                    "discharge_kw_th": 500,
                    "t_c": 90,
                    "standing_loss_fraction_per_hour": loss,
                }
            ]
        }
        s = _factory(
            [_flat_load("plant", 100, heat_rejected_fraction=0.0)],
            streams=[("hood", "exhaust_air", 300.0)],
            extra=store,
        )
        return simulate(
            s.model_copy(update={"heat_exchangers": [s.heat_exchangers[0].model_copy(update={"sink": "tank"})]})
        )

    r = run(0.5)
    h, t = r.kpis["heat"], r.hourly_heat
    charged, delivered = t["tank.charge_recovered_kw_th"].sum(), t["tank.discharge_kw_th"].sum()
    assert t["tank.loss_kw_th"].sum() > 0.3 * charged  # the store really loses much of what it takes
    assert h["waste_heat_recovered_e_kwh_th"] == pytest.approx(delivered, rel=1e-9)
    assert h["waste_heat_charged_not_delivered_e_kwh_th"] == pytest.approx(charged - delivered, rel=1e-9)
    assert not r.kpis.get("warnings")
    # A store that loses more than it delivers is warned about (issue 13: "warn when a store's losses exceed its
    # useful discharge").
    assert any("thermal store 'tank' loses more heat" in w for w in run(0.8).kpis["warnings"])


def test_pressure_and_gas_are_declared_in_their_own_units_and_are_types_of_their_own():
    """Zhejiang 序号3 余能使用（适用时）: "合理利用工厂设施条件，充分利用余热余压余冷等余能 ...
    每使用一种余能且利用率达到60%以上得2分，最高得4分". Types are 余热, 余压, 余冷, 余气, not stream kinds: two
    exhaust streams are one type.

    Hand: heat 240 / 300 = 80 % (one type, two streams); 余压 700 of 1000 MWh = 70 %; 余气 0 of 10^6 m3 x
    16 000 kJ/m3 = 4444 MWh. Two types at >= 60 %: 4 points. Whole-boundary 余热 with no load heat: 80 %."""
    energy = [
        {"name": "trt", "type": "pressure", "unit": "kWh", "resource_per_year": 1.0e6, "recovered_per_year": 7.0e5},
        {
            "name": "tail_gas",
            "type": "gas",
            "unit": "m3",
            "ncv_kj_per_m3": 16000,
            "resource_per_year": 1.0e6,
            "recovered_per_year": 0.0,
        },
    ]
    r = simulate(
        _factory(
            [_flat_load("plant", 100, heat_rejected_fraction=0.0)],
            streams=[("hood", "exhaust_air", 150.0), ("oil", "cooling_water", 150.0)],
            energy=energy,
        )
    )
    h = r.kpis["heat"]
    assert h["waste_heat_recovery_rate_by_type"] == pytest.approx({"heat": 0.8, "pressure": 0.7, "gas": 0.0})
    assert h["waste_heat_available_e_kwh_th_by_type"]["gas"] == pytest.approx(1e6 * 16000 / 3600, rel=1e-12)
    assert h["waste_heat_recovery_rate"] == pytest.approx(
        (240 * HOURS + 7e5) / (300 * HOURS + 1e6 + 1e6 * 16000 / 3600), rel=1e-9
    )
    v = {x["criterion_id"]: x for x in r.verdicts}["zhejiang_factory_2025.waste_energy"]
    assert (v["value"], v["points"], v["max_points"]) == (2, 4.0, 4.0)
    # Two heat streams of different kinds are still one type: without the pressure item, 2 points, not 4.
    only_heat = simulate(
        _factory(
            [_flat_load("plant", 100, heat_rejected_fraction=0.0)],
            streams=[("hood", "exhaust_air", 150.0), ("oil", "cooling_water", 150.0)],
        )
    )
    v = {x["criterion_id"]: x for x in only_heat.verdicts}["zhejiang_factory_2025.waste_energy"]
    assert (v["value"], v["points"]) == (1, 2.0)
    with pytest.raises(ValidationError, match="declared in kWh or GJ"):
        DeclaredWasteEnergy(
            name="p", type="pressure", unit="m3", ncv_kj_per_m3=1.0, resource_per_year=1, recovered_per_year=0
        )


def test_a_plant_without_waste_energy_is_not_applicable():
    """Zhejiang 序号3 is marked "（适用时）"; issue 13: "a plant without waste energy is 'not applicable', not
    'missing 0/4'" and "a tenant with no waste-heat source gets 'not applicable', not a simulated 0.0 FAIL (today
    kpis.py and park.py return 0.0 when nothing is available)". The plan gives no rule for the total of an item
    that does not apply: the item keeps its 4 points in the maximum (out of 100, the stricter reading)."""
    r = simulate(_factory([_flat_load("plant", 100, heat_rejected_fraction=0.0)]))
    h = r.kpis["heat"]
    assert h["waste_heat_available_e_kwh_th"] == 0.0
    assert h["waste_heat_recovery_rate"] is None and h["waste_heat_recovery_rate_declared_streams"] is None
    v = {x["criterion_id"]: x for x in r.verdicts}["zhejiang_factory_2025.waste_energy"]
    assert v["status"] == "not applicable" and not v["passed"] and "not applicable" in v["note"]
    assert (v["points"], v["max_points"]) == (0.0, 4.0)
    assert "out of 100" in v["note"]
    # The named alternative: the item leaves the maximum, the Zhejiang score is out of 96.
    flat = {"waste_heat_recovery_rate_by_type": h["waste_heat_recovery_rate_by_type"]}
    vs = evaluate("zhejiang_factory_2025", flat, settings={"zhejiang_not_applicable_total": "out_of_96"})
    assert score(vs, "zhejiang_factory_2025")["max_points"] == 96.0
    assert score(evaluate("zhejiang_factory_2025", flat), "zhejiang_factory_2025")["max_points"] == 100.0


def test_a_park_tenant_without_waste_heat_has_no_rate_and_the_park_sums_resources():
    """Issue 13, "Summaries and 'not applicable'": the tenant without a waste-heat source has no rate (None), and
    the park's rate is recovered over all its tenants' resources (whole boundary)."""
    site = {
        "site": {"latitude": 31.87, "longitude": 117.23},
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei", "seed": 1},
        "grid": {"import_limit_kw": 1e5, "tariff": "anhui_large_industry_2025", "emission_factor": "national_2022"},
    }
    park = scenario_from_dict(
        dict(
            site,
            name="p",
            criteria=["anhui_park_2024"],
            tenants=[
                {"name": "dc", "loads": [_flat_load("it", 1000, end_use="data_centre")]},
                {
                    "name": "bath",
                    "loads": [_flat_load("plant", 100, heat_rejected_fraction=0.0)],
                    "processes": [
                        {
                            "name": "line",
                            "calendar": ALL_YEAR,
                            "batch_duration_h": 8,
                            "p_kw": 50,
                            "heat_demands": [{"name": "bath", "t_c": 70, "q_kw_th": 1000}],
                        }
                    ],
                    "boilers": [
                        {"name": "gas", "fuel": "natural_gas", "efficiency": 0.9, "capacity_q_kw_th": 3000, "t_c": 200}
                    ],
                },
            ],
        )
    )
    res = simulate_park(park)
    assert res.tenants["bath"].kpis["heat"]["waste_heat_recovery_rate"] is None
    assert res.tenants["dc"].kpis["heat"]["waste_heat_recovery_rate"] == 0.0
    assert res.kpis["heat"]["waste_heat_available_e_kwh_th"] == pytest.approx(1000 * HOURS, rel=1e-9)
    assert res.kpis["heat"]["waste_heat_recovery_rate"] == 0.0
    # The tenant that has nothing to recover reads "not applicable", never a simulated 0.0 FAIL.
    (v,) = [v for v in res.tenant_verdicts["bath"] if v["criterion_id"].endswith("waste_heat_recovery")]
    assert v["status"] == "not applicable" and v["value"] is None and not v["passed"]
    # The park's delivered-energy share reconciles with its tenants (issue 13, "Storage losses").
    t = res.tenant_table
    assert t.loc["park", "delivered_e_kwh"] == pytest.approx(t.drop(index="park")["delivered_e_kwh"].sum(), rel=1e-12)
    assert res.kpis["re_electricity_share_onsite_delivered"] <= res.kpis["re_electricity_share_onsite"] + 1e-12
