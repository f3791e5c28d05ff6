"""Physics checks that refuse impossible plants (issue 13): the first law of every process and fired unit, and
efficiencies above 1 only where they are physical."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from lingtan.components.heat import Boiler
from lingtan.components.process import HeatDemand, ProductionLine, WasteHeatStream
from lingtan.errors import ScenarioError
from lingtan.twin.core.scenario import load_scenario, scenario_from_dict

ANHUI = Path(__file__).resolve().parents[2] / "scenarios" / "anhui-park.yaml"


def _anhui(furnace_efficiency: float) -> dict:
    data = yaml.safe_load(ANHUI.read_text(encoding="utf-8"))
    data["tenants"][0]["boilers"][0]["efficiency"] = furnace_efficiency
    return data


def test_flue_gas_beyond_the_furnace_losses_is_refused_with_the_numbers():
    """Issue 13: "A process's flue gas, jacket and other declared waste heat cannot exceed its fuel input minus
    useful heat (the reference park's die-casting furnace declares 700 kW of flue gas from 353 kW of losses) ...
    refuse the scenario with the numbers."

    Hand: melting 2000 kW_th at efficiency 0.85 burns 2000 / 0.85 = 2352.94 kW and loses 352.94 kW_th; the flue
    stream is 0.35 x 2000 = 700 kW_th."""
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(_anhui(0.85), ANHUI)
    e = err.value
    assert e.field == "tenants[0].processes[0].waste_heat[0]"
    assert "700 kW_th of flue gas" in e.expected
    assert "2352.94 kW of fuel for 2000 kW_th" in e.expected
    assert "at most 352.941 kW_th" in e.expected
    # At 0.40 (the shipped furnace, fuel-fired melting furnaces run at 30-50 %) it loses 3000 kW_th >= 700.
    park = load_scenario(ANHUI)
    assert park.tenants[0].boilers[0].efficiency == 0.40
    # The bound itself: 700 kW_th of flue gas is possible down to 2000 / 2700 = 0.7407 and not above.
    scenario_from_dict(_anhui(2000 / 2700), ANHUI)
    with pytest.raises(ScenarioError):
        scenario_from_dict(_anhui(2000 / 2700 * 1.0001), ANHUI)


def test_flue_gas_with_no_fuel_fired_unit_is_refused():
    """Issue 13: "check the first law for every fuel-fired and electric process": flue gas from a heat demand that
    only an electric boiler can serve has no fuel behind it."""
    data = _anhui(0.40)
    data["tenants"][0]["boilers"][0]["fuel"] = "electric"
    data["tenants"][0]["boilers"][0]["efficiency"] = 0.99
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, ANHUI)
    assert err.value.field == "tenants[0].processes[0].waste_heat[0]"
    assert "no fuel-fired boiler or furnace can serve" in err.value.expected


def _line(**kw) -> ProductionLine:
    base = dict(
        name="press", batch_duration_h=8, p_kw=100.0, heat_demands=(HeatDemand(name="bath", t_c=60, q_kw_th=50.0),)
    )
    base.update(kw)
    return ProductionLine(**base)


def test_a_line_cannot_reject_more_heat_than_it_takes_in():
    """Issue 13: "check the first law for every fuel-fired and electric process and refuse the scenario with the
    numbers": jacket, cooling and exhaust heat of a line come from its electricity and process heat (100 kW +
    50 kW_th = 150 kW in)."""
    ok = (
        WasteHeatStream(name="oil", kind="cooling_water", t_c=60, fraction_of_electric_input=1.0),
        WasteHeatStream(name="hood", kind="exhaust_air", t_c=50, fraction_of_heat_input=1.0),
    )
    assert len(_line(waste_heat=ok).waste_heat) == 2  # exactly 150 kW_th out of 150 kW in
    too_much = ok + (WasteHeatStream(name="jacket", kind="product_cooling", t_c=40, q_kw_th=1.0),)
    with pytest.raises(ValidationError, match=r"rejects 151 kW_th .* takes in only 150 kW"):
        _line(waste_heat=too_much)


def test_efficiency_above_one_only_for_condensing_boilers():
    """Issue 13: "Efficiencies above 1 on an NCV basis are allowed only for condensing boilers and heat pumps,
    stated as such." Natural gas's gross-to-net ratio (about 1.11) bounds even a condensing boiler."""
    spec = dict(name="b", fuel="natural_gas", capacity_q_kw_th=1000, t_c=70)
    with pytest.raises(ValidationError, match="only for a condensing boiler"):
        Boiler(**spec, efficiency=1.05)
    assert Boiler(**spec, efficiency=1.05, condensing=True).efficiency == 1.05
    with pytest.raises(ValidationError):
        Boiler(**spec, efficiency=1.2, condensing=True)
    with pytest.raises(ValidationError, match="water vapour"):
        Boiler(name="e", fuel="electric", capacity_q_kw_th=1000, t_c=70, efficiency=1.05, condensing=True)
