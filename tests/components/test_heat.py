"""Tests of lingtan.components.heat: direct exchange, heat pumps, boilers and fuels, purchased heat,
thermal storage, absorption chillers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lingtan.components import heat as h
from lingtan.errors import InputError


# ---------------------------------------------------------------------------------------
# Direct exchange: no heat from cold to hot
# ---------------------------------------------------------------------------------------
def test_direct_exchange_hand_cases():
    # isothermal source (no return temperature): eps * q when hot enough
    assert h.direct_exchange_q_kw_th(100.0, 120.0, 80.0, 0.8, 10.0) == pytest.approx(80.0)
    assert h.direct_exchange_q_kw_th(100.0, 90.0, 80.0, 0.8, 10.0) == 0.0  # exactly the approach: nothing
    assert h.direct_exchange_q_kw_th(100.0, 70.0, 80.0, 1.0, 0.0) == 0.0  # colder than the sink
    # flue gas 200 -> 100 C releases 100 kW (CP = 1 kW/K); sink at 150 C, approach 10 K:
    # the gas may only be cooled to 160 C, so 40 kW are recoverable, 0.9 x 40 = 36 kW moved.
    assert h.direct_exchange_q_kw_th(100.0, 200.0, 150.0, 0.9, 10.0, t_source_return_c=100.0) == pytest.approx(36.0)
    # sink cold enough that the return limit binds: sink 60 C -> floor max(100, 70) = 100 -> all 100 kW
    assert h.direct_exchange_q_kw_th(100.0, 200.0, 60.0, 1.0, 10.0, t_source_return_c=100.0) == pytest.approx(100.0)
    # capped by the sink demand
    assert h.direct_exchange_q_kw_th(100.0, 200.0, 60.0, 1.0, 10.0, q_sink_kw_th=25.0) == pytest.approx(25.0)


def test_direct_exchange_vectorised_and_input_checks():
    q = h.direct_exchange_q_kw_th(np.array([10.0, 10.0, 10.0]), np.array([50.0, 95.0, 200.0]), 80.0, 0.5)
    assert np.allclose(q, [0.0, 5.0, 5.0])
    with pytest.raises(ValueError):
        h.direct_exchange_q_kw_th(-1.0, 100.0, 50.0, 0.5)
    with pytest.raises(ValueError):
        h.direct_exchange_q_kw_th(1.0, 100.0, 50.0, 1.5)
    with pytest.raises(ValueError):
        h.direct_exchange_q_kw_th(1.0, 100.0, 50.0, 0.5, t_source_return_c=120.0)


temps = st.floats(-30, 400, allow_nan=False)
flows = st.floats(0, 1e5, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    q=flows,
    t_src=temps,
    t_snk=temps,
    eps=st.floats(0, 1),
    dt_min=st.floats(0, 40),
    drop=st.one_of(st.none(), st.floats(0.1, 300)),
)
def test_no_heat_from_cold_to_hot_property(q, t_src, t_snk, eps, dt_min, drop):
    t_ret = None if drop is None else t_src - drop
    out = float(h.direct_exchange_q_kw_th(q, t_src, t_snk, eps, dt_min, t_source_return_c=t_ret))
    assert 0.0 <= out <= q * (1 + 1e-12)
    assert out <= eps * q * (1 + 1e-12) + 1e-9
    if t_src <= t_snk + dt_min:
        assert out == 0.0
    # monotone: a hotter sink never receives more
    hotter = float(h.direct_exchange_q_kw_th(q, t_src, t_snk + 5.0, eps, dt_min, t_source_return_c=t_ret))
    assert hotter <= out + 1e-9


# ---------------------------------------------------------------------------------------
# Heat pump
# ---------------------------------------------------------------------------------------
def test_heat_pump_cop_hand_calculation():
    # Carnot fraction 0.5, 40 C source, 80 C sink:
    # T_sink = 353.15 K, lift 40 K, Carnot COP = 353.15 / 40 = 8.82875, COP = 0.5 x 8.82875 = 4.414375
    assert h.heat_pump_cop(40.0, 80.0, carnot_fraction=0.5, cop_max=10.0) == pytest.approx(4.414375, rel=1e-12)
    # capped
    assert h.heat_pump_cop(40.0, 80.0, carnot_fraction=0.5, cop_max=4.0) == 4.0
    # min lift: 78 -> 80 C computed with a 10 K lift: 0.5 x 353.15 / 10 = 17.6575, capped at 6
    assert h.heat_pump_cop(78.0, 80.0, 0.5, 6.0, min_lift_k=10.0) == 6.0
    assert h.heat_pump_cop(75.0, 80.0, 0.2, 20.0, min_lift_k=10.0) == pytest.approx(0.2 * 353.15 / 10)
    # unavailable: sink above the limit, lift above the limit, COP <= 1 (0.45 x 423.15 / 200 = 0.95)
    assert h.heat_pump_cop(40.0, 170.0, max_sink_t_c=160.0) == 0.0
    assert h.heat_pump_cop(0.0, 100.0, max_lift_k=80.0) == 0.0
    assert h.heat_pump_cop(-50.0, 150.0, carnot_fraction=0.45) == 0.0
    cops = h.heat_pump_cop(np.array([-10.0, 10.0, 30.0]), 60.0)
    assert np.all(np.diff(cops) > 0)  # warmer source, better COP


def test_heat_pump_default_carnot_fraction_reproduces_arpagaus_band():
    # Arpagaus et al. (2018): COP 5.7-6.5 at 30 K lift and 2.2-2.8 at 70 K lift, sink 120 C. The default
    # 0.45 x Carnot gives 0.45 x 393.15 / 30 = 5.897 and 0.45 x 393.15 / 70 = 2.527, inside both bands.
    assert h.heat_pump_cop(90.0, 120.0, cop_max=10.0) == pytest.approx(0.45 * 393.15 / 30, rel=1e-12)
    assert h.heat_pump_cop(50.0, 120.0, cop_max=10.0) == pytest.approx(0.45 * 393.15 / 70, rel=1e-12)
    assert 5.7 <= 0.45 * 393.15 / 30 <= 6.5 and 2.2 <= 0.45 * 393.15 / 70 <= 2.8


def test_heat_pump_energy_balance_and_limits():
    cop = h.heat_pump_cop(np.array([40.0, 40.0, -60.0]), 80.0, 0.5, 10.0)
    q_out = np.array([441.4375, 0.0, 0.0])
    p, q_src = h.heat_pump_flows(q_out, cop)
    assert p[0] == pytest.approx(100.0)
    assert np.allclose(q_src + p, q_out)  # heat out = source heat + electricity
    assert np.all(q_src >= 0) and np.all(p >= 0)
    with pytest.raises(ValueError):
        h.heat_pump_flows(np.array([1.0]), np.array([0.0]))
    # source-limited: 300 kW of source heat at COP 4 supports 400 kW output
    assert h.heat_pump_max_q_kw_th(300.0, 4.0, 1000.0) == pytest.approx(400.0)
    assert h.heat_pump_max_q_kw_th(np.inf, 4.0, 1000.0) == 1000.0
    assert h.heat_pump_max_q_kw_th(300.0, 0.0, 1000.0) == 0.0


def test_heat_pump_params():
    hp = h.HeatPump(name="hp", source="compressor_cooling", t_c=80.0, capacity_q_kw_th=500.0)
    assert hp.carnot_fraction == 0.45 and hp.cop_max == 6.0
    assert h.heat_pump_params_cop(hp, 40.0) == pytest.approx(0.45 * 353.15 / 40)
    with pytest.raises(ValidationError):
        h.HeatPump(name="hp", source="ambient_air", t_c=170.0, capacity_q_kw_th=1.0)
    with pytest.raises(ValidationError):
        h.HeatPump(name="hp", source="ambient_air", t_c=70.0, capacity_q_kw_th=1.0, carnot_fraction=1.2)


# ---------------------------------------------------------------------------------------
# Boilers and fuels
# ---------------------------------------------------------------------------------------
def test_gas_boiler_hand_calculation():
    # 1000 kWh of heat at 0.9 efficiency = 1111.1 kWh of gas at NCV = 4 000 000 kJ;
    # NCV 38 931 kJ/m3 (GB/T 32150 default 389.31 GJ per 10^4 Nm3) -> 102.746 m3;
    # CO2 2.1622 kg/m3 -> 222.16 kg; standard coal 1.3284 kgce/m3 (38 931 / 29 307.6, the NCV's own) -> 136.49 kgce.
    b = h.Boiler(name="gas", fuel="natural_gas", efficiency=0.9, capacity_q_kw_th=2000.0, t_c=180.0)
    out = h.boiler_fuel(np.array([1000.0, 0.0]), b)
    m3 = 4_000_000 / 38_931
    assert out["unit"] == "m3"
    assert out["fuel_e_kwh"][0] == pytest.approx(1000 / 0.9)
    assert out["fuel_units"][0] == pytest.approx(m3, rel=1e-12)
    assert out["fuel_units"][0] == pytest.approx(102.746, abs=1e-3)
    assert out["kgco2_scope1"][0] == pytest.approx(m3 * 2.1622)
    assert out["kgce"][0] == pytest.approx(m3 * 1.3284)
    assert out["kgco2_biogenic"][0] == 0.0 and not out["biomass"]
    assert out["fuel_units"][1] == 0.0


def test_other_fuels():
    coal = h.boiler_fuel(836.32, h.Boiler(name="c", fuel="coal", efficiency=0.8, capacity_q_kw_th=1e4, t_c=200))
    # 836.32 / 0.8 = 1045.4 kWh = 3 763 440 kJ / 20 908 kJ/kg = 180.0 kg
    assert coal["unit"] == "kg" and coal["fuel_units"] == pytest.approx(180.0, rel=1e-9)
    bio = h.boiler_fuel(1000.0, h.Boiler(name="b", fuel="biomass", efficiency=0.8, capacity_q_kw_th=1e4, t_c=150))
    assert bio["biomass"] and bio["kgco2_scope1"] == 0.0 and bio["kgco2_biogenic"] > 0.0
    assert bio["fuel_units"] == pytest.approx(1250 * 3600 / 15600)
    el = h.boiler_fuel(990.0, h.Boiler(name="e", fuel="electric", efficiency=0.99, capacity_q_kw_th=1e3, t_c=90))
    assert el["unit"] == "kWh" and el["fuel_units"] == pytest.approx(1000.0)
    assert el["kgco2_scope1"] == 0.0 and el["kgce"] == pytest.approx(122.9)
    for fuel in ("diesel", "lpg"):
        out = h.boiler_fuel(1.0, h.Boiler(name=fuel, fuel=fuel, efficiency=1.0, capacity_q_kw_th=1, t_c=100))
        assert out["unit"] == "kg"
    with pytest.raises(ValueError):
        h.boiler_fuel(-1.0, h.Boiler(name="c", fuel="coal", efficiency=0.8, capacity_q_kw_th=1, t_c=100))
    with pytest.raises(ValidationError):
        h.Boiler(name="c", fuel="peat", efficiency=0.8, capacity_q_kw_th=1, t_c=100)
    with pytest.raises(ValidationError):
        h.Boiler(name="c", fuel="coal", efficiency=1.1, capacity_q_kw_th=1, t_c=100)


def test_fuels_table_matches_standards():
    f = h.load_fuels()
    assert set(f.index) == {"natural_gas", "coal", "biomass", "electric", "diesel", "lpg", "gasoline", "fuel_oil"}
    assert f["source"].str.len().min() > 20 and f["confidence"].isin(["confirmed", "secondary", "assumed"]).all()
    # GB/T 32150 defaults (standards.md): EF = NCV x carbon content x oxidation x 44/12
    for fuel, cc_t_per_tj, ox in (
        ("natural_gas", 15.3, 0.99),
        ("coal", 26.37, 0.94),
        ("diesel", 20.2, 0.98),
        ("lpg", 17.2, 0.98),
    ):
        ncv_tj = f.loc[fuel, "ncv_kj_per_unit"] * 1e-9
        assert ncv_tj * cc_t_per_tj * ox * 44 / 12 * 1000 == pytest.approx(f.loc[fuel, "kgco2_per_unit"], rel=2e-4)
    assert f.loc["natural_gas", "ncv_kj_per_unit"] == 389.31e6 / 1e4
    assert f.loc["electric", "kgce_per_unit"] == 0.1229
    assert bool(f.loc["biomass", "biomass"]) and not f.loc[["coal", "natural_gas"], "biomass"].any()


def test_fuels_table_errors(tmp_path):
    p = tmp_path / "fuels.csv"
    p.write_text("fuel,unit,ncv_kj_per_unit\ncoal,kg,20908\n")
    with pytest.raises(InputError, match="missing"):
        h.load_fuels(p)
    p2 = tmp_path / "fuels2.csv"
    p2.write_text(
        "fuel,unit,ncv_kj_per_unit,kgce_per_unit,kgco2_per_unit,biomass,source,confidence\n"
        "coal,kg,zero,0.7,1.9,false,x,assumed\n"
    )
    with pytest.raises(InputError, match="ncv_kj_per_unit"):
        h.load_fuels(p2)
    with pytest.raises(InputError):
        h.load_fuels(tmp_path / "absent.csv")


# ---------------------------------------------------------------------------------------
# Purchased heat, storage, absorption chiller
# ---------------------------------------------------------------------------------------
def test_purchased_heat():
    ph = h.PurchasedHeat(name="steam", t_c=180.0, capacity_q_kw_th=5000.0, price_cny_per_gj=60.0)
    out = h.purchased_heat_totals(np.array([1000.0, 0.0]), ph)
    # 1000 kWh = 3.6 GJ; 0.11 tCO2/GJ (GB/T 32150 default) -> 0.396 t; 60 CNY/GJ -> 216 CNY;
    # 0.03412 kgce/MJ (GB/T 2589) -> 122.832 kgce
    assert out["gj"][0] == pytest.approx(3.6)
    assert out["tco2"][0] == pytest.approx(0.396)
    assert out["cost_cny"][0] == pytest.approx(216.0)
    assert out["kgce"][0] == pytest.approx(122.832)
    assert ph.ef_t_per_gj is None  # no factor of its own: the accounting's default applies


def test_thermal_storage_recursion():
    st_ = h.ThermalStorage(
        name="tank",
        capacity_kwh_th=100.0,
        charge_kw_th=50.0,
        discharge_kw_th=50.0,
        standing_loss_fraction_per_hour=0.1,
        t_c=90.0,
        soc_initial=0.5,
    )
    e = h.thermal_storage_soc_kwh_th([50.0, 0.0, 0.0], [0.0, 0.0, 40.0], st_)
    # Each hour the store keeps 1 - 0.1 of what it held, then takes the charge and gives the discharge; it starts
    # at soc_initial * capacity = 50: 50*0.9 + 50 = 95; 95*0.9 = 85.5; 85.5*0.9 - 40 = 36.95.
    keep, e0 = 1 - 0.1, 0.5 * 100.0
    np.testing.assert_allclose(
        e, [e0 * keep + 50, (e0 * keep + 50) * keep, (e0 * keep + 50) * keep**2 - 40], rtol=1e-12
    )
    with pytest.raises(ValueError):
        h.thermal_storage_soc_kwh_th([50.0, 50.0], [0.0, 0.0], st_)  # overfills
    with pytest.raises(ValueError):
        h.thermal_storage_soc_kwh_th([60.0], [0.0], st_)  # above the charge limit
    with pytest.raises(ValidationError):
        h.ThermalStorage(
            name="t", capacity_kwh_th=1, charge_kw_th=1, discharge_kw_th=1, t_c=90, standing_loss_fraction_per_hour=1.0
        )


def test_absorption_chiller():
    ch = h.AbsorptionChiller(name="abs", source="fg", cooling="offices", capacity_q_kw_th=100.0)
    q_cool, q_drive = h.absorption_chiller_q_kw_th(np.array([100.0, 1000.0, 100.0]), np.array([95.0, 95.0, 60.0]), ch)
    assert np.allclose(q_cool, [70.0, 100.0, 0.0])
    assert np.allclose(q_drive, [100.0, 100.0 / 0.7, 0.0])
    # a cooling demand of 50 kW_th takes 50 / 0.7 of the drive heat
    q_cool, q_drive = h.absorption_chiller_q_kw_th(1000.0, 95.0, ch, q_cool_demand_kw_th=50.0)
    assert q_cool == 50.0 and q_drive == 50.0 / 0.7


def test_heat_exchanger_params():
    hx = h.HeatExchanger(name="hx", source="fg", sink="wash")
    assert hx.min_approach_k == 10.0
    with pytest.raises(ValidationError):
        h.HeatExchanger(name="hx", source="fg", sink="wash", effectiveness=1.2)


def test_frames_in_frames_out():
    idx = pd.date_range("2025-01-01", periods=3, freq="h", tz="Asia/Shanghai")
    q = pd.Series([10.0, 20.0, 30.0], index=idx)
    out = h.direct_exchange_q_kw_th(q, 150.0, 60.0, 1.0)
    assert np.allclose(out, q.to_numpy())
