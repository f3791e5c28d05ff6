"""The validation cases: what is compared, against which reference, with which tolerance.

Each case is a function ``case(quick: bool, plot_dir: Path | None) -> list[CaseResult]``.
``quick`` selects a small subset that runs inside ``make test``; the full set is
``twin validate`` / ``make validate``. Every case is deterministic (fixed seeds).

Groups (the numbering of the validation issue):

1. ``pv``          PV against NREL SAM PVWatts v8 (PySAM)
2. ``wind``        wind shear against NREL SAM Windpower (PySAM), the chain against windpowerlib, density
                   against the hypsometric equation
3. ``battery``     battery against NREL SAM's battery model and its self-consumption dispatch (PySAM)
4. ``lp``          dispatch against the perfect-foresight LP optimum (HiGHS)
5. ``conservation`` hourly energy balances on the scenario library and random scenarios
6. ``weather``     synthetic weather against real typical years
7. ``accounting``  accounting and criteria against hand-worked cases
8. ``network``     park network against pandapower (not yet available)
9. ``peer``        optimal design against PyPSA, optimal dispatch bill against the rules (``peer_cases``)
10. ``plant``      ground loop g-function against pygfunction, fleet charging against a hand count (``plant_cases``)
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lingtan.validation.accounting_cases import case_accounting_inputs
from lingtan.validation.ensemble_cases import case_ensemble
from lingtan.validation.peer_cases import case_peer
from lingtan.validation.plant_cases import case_plant
from lingtan.validation.result import CaseResult

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def _pct(x: float, digits: int = 2) -> str:
    return f"{100.0 * x:+.{digits}f} %"


def _pv_arrays(quick: bool):
    from lingtan.components.pv import PVArray

    configs = [("fixed_t20_s", dict(tilt_deg=20, azimuth_deg=180))]
    if not quick:
        configs += [
            ("fixed_t0", dict(tilt_deg=0, azimuth_deg=180)),
            ("fixed_t35_s", dict(tilt_deg=35, azimuth_deg=180)),
            ("fixed_t30_e", dict(tilt_deg=30, azimuth_deg=90)),
            ("fixed_t30_w", dict(tilt_deg=30, azimuth_deg=270)),
            ("fixed_t60_s", dict(tilt_deg=60, azimuth_deg=180)),
            ("tracker_1ax_bt", dict(tracking="single_axis", tilt_deg=0, azimuth_deg=180, backtrack=True)),
        ]
    return [(name, PVArray(name=name, capacity_kwp=1000.0, **kw)) for name, kw in configs]


def _weather_files(quick: bool) -> list[str]:
    from lingtan.validation.reference_weather import PVLIB_FILES, cswd_files

    if quick:
        return [PVLIB_FILES[0]]
    return list(PVLIB_FILES) + [p.name for p in cswd_files()]


def _short(name: str) -> str:
    return {"723170TYA.CSV": "greensboro", "703165TY.csv": "sand_point", "12839.tm2": "miami"}.get(
        name, name.split(".")[1].lower() if name.count(".") >= 2 else name
    )


# ---------------------------------------------------------------------------------------------
# 1. PV against SAM PVWatts v8
# ---------------------------------------------------------------------------------------------
PV_ANNUAL_TOL = 0.02


def case_pv(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    from lingtan.components.pv import pv_ac_kw_per_kwp
    from lingtan.validation.reference_weather import load_reference
    from lingtan.validation.sam import pvwatts_v8_ac_kw

    out = []
    monthly_bars = {}
    for fname in _weather_files(quick):
        frame, meta = load_reference(fname)
        lat, lon, alt, tz = meta["latitude"], meta["longitude"], meta["altitude_m"], meta["tz_offset_h"]
        month = frame.index.month.to_numpy()
        for cname, arr in _pv_arrays(quick):
            twin = np.asarray(pv_ac_kw_per_kwp(frame, lat, lon, alt, arr), dtype=float) * arr.capacity_kwp
            sam = pvwatts_v8_ac_kw(frame, lat, lon, alt, tz, arr)
            annual = twin.sum() / sam.sum() - 1.0
            m_t = np.bincount(month, weights=twin, minlength=13)[1:]
            m_s = np.bincount(month, weights=sam, minlength=13)[1:]
            m_err = np.divide(m_t - m_s, m_s, out=np.zeros(12), where=m_s > 0)
            worst_m = int(np.argmax(np.abs(m_err)))
            nrmse = float(np.sqrt(np.mean((twin - sam) ** 2)) / np.mean(sam[sam > 0]))
            cid = f"pv.{_short(fname)}.{cname}"
            if cname == "fixed_t20_s":
                monthly_bars[_short(fname)] = m_err
            out.append(
                CaseResult(
                    id=cid,
                    group="1 PV vs SAM",
                    compared=f"annual AC energy, {cname}, {fname}",
                    reference="PySAM Pvwattsv8 7.1 on the same weather file, same array settings",
                    metric="annual error (twin / SAM - 1)",
                    tolerance="±2 %",
                    tolerance_reason="the issue's tolerance; both implement PVWatts v8, so residual differences "
                    "come from transposition/IAM/temperature details only",
                    value=_pct(annual),
                    passed=bool(abs(annual) <= PV_ANNUAL_TOL),
                    note=(
                        f"SAM {sam.sum() / arr.capacity_kwp:.0f} kWh/kWp; monthly error max {_pct(m_err[worst_m])} "
                        f"(month {worst_m + 1}); hourly NRMSE {100 * nrmse:.1f} % of mean daytime SAM output"
                    ),
                )
            )
    if plot_dir is not None and monthly_bars:
        from lingtan.validation.report import svg_grouped_bars

        path = plot_dir / "pv_monthly_error.svg"
        svg_grouped_bars(
            path,
            "PV monthly error vs SAM PVWatts v8 (fixed, tilt 20°, south) [%]",
            [str(m) for m in range(1, 13)],
            {k: list(100 * v) for k, v in monthly_bars.items()},
        )
        out = [
            CaseResult(**{**r.__dict__, "plot": "plots/pv_monthly_error.svg"}) if r.id.endswith("fixed_t20_s") else r
            for r in out
        ]
    return out


# ---------------------------------------------------------------------------------------------
# 2. Wind against SAM Windpower (shear) and windpowerlib's ModelChain and the hypsometric equation (density)
# ---------------------------------------------------------------------------------------------
WIND_EXACT_TOL = 1e-6
"""Relative tolerance where twin and reference apply the same law to the same inputs: round-off only."""
WIND_DENSITY_UNEXPLAINED_TOL = 1e-4
"""Hub air density against the hypsometric equation, once windpowerlib's pressure gradient is accounted for."""
WINDPOWERLIB_PRESSURE_GRADIENT_PA_M = 12.5
"""The fixed pressure fall with height of ``windpowerlib.density.barometric`` (1/8 hPa per m) [Pa/m]."""
STANDARD_GRAVITY_M_S2 = 9.80665
"""Standard acceleration of gravity [m/s2] (ISO 2533:1975, ICAO Doc 7488)."""
DRY_AIR_GAS_CONSTANT_J_KG_K = 287.05287
"""Specific gas constant of dry air [J/(kg K)] (ISO 2533:1975, ICAO Doc 7488)."""
ISA_LAPSE_RATE_K_M = 0.0065
"""Temperature lapse rate of the ISA troposphere [K/m] (ISO 2533:1975)."""


def _wind_farms(quick: bool):
    from lingtan.components.wind import WindFarm

    farms = [WindFarm(name="e82", turbine_type="E-82/2350", count=1, hub_height_m=100.0)]
    if not quick:
        farms += [
            WindFarm(name="v90", turbine_type="V90/2000", count=5, hub_height_m=80.0, loss_fraction=0.05),
            WindFarm(
                name="e126_log",
                turbine_type="E-126/4200",
                count=2,
                hub_height_m=135.0,
                shear="log",
                roughness_length_m=0.1,
            ),
        ]
    return farms


def hub_density_hypsometric(weather, altitude_m: float, hub_height_m: float, temperature_height_m: float = 2.0):
    """Air density at hub height from the ground pressure, by the hypsometric equation [kg/m3].

    Dry air in hydrostatic balance with the ISA lapse rate: ``T(z) = T_2m - lapse (z - 2)``,
    ``p(H) = p_0 (T(H) / T(0)) ** (g / (R lapse))`` (exact for a linear temperature profile),
    ``rho = p(H) / (R T(H))``. Without a ``pressure`` column the ground pressure is the ISA
    pressure at ``altitude_m``. An independent reference for the twin's
    ``lingtan.components.wind.hub_air_density`` (windpowerlib's linear -1/8 hPa per m and ideal gas).
    """
    exponent = STANDARD_GRAVITY_M_S2 / (DRY_AIR_GAS_CONSTANT_J_KG_K * ISA_LAPSE_RATE_K_M)
    t_air_k = weather["temp_air"].astype(float).to_numpy() + 273.15
    t_ground_k = t_air_k + ISA_LAPSE_RATE_K_M * temperature_height_m
    t_hub_k = t_air_k - ISA_LAPSE_RATE_K_M * (hub_height_m - temperature_height_m)
    if "pressure" in weather:
        p0_pa = weather["pressure"].astype(float).to_numpy()
    else:
        p0_pa = np.full(len(weather), 101325.0 * (1.0 - ISA_LAPSE_RATE_K_M * altitude_m / 288.15) ** exponent)
    p_hub_pa = p0_pa * (t_hub_k / t_ground_k) ** exponent
    return p_hub_pa / (DRY_AIR_GAS_CONSTANT_J_KG_K * t_hub_k)


def windpowerlib_modelchain_kw(weather, farm) -> np.ndarray:
    """Hourly farm output [kW] from windpowerlib's ``ModelChain``, given the station data as measured.

    The weather goes in at the heights where it was measured: wind speed at
    ``farm.measurement_height_m``, air temperature [K] at 2 m, pressure [Pa] and roughness length
    at the ground; hellman (exponent ``farm.shear_exponent``) or logarithmic wind profile,
    linear-gradient temperature, barometric density, power curve with ``farm.density_correction``.
    """
    import pandas as pd
    from windpowerlib import ModelChain, WindTurbine

    from lingtan.components.wind import power_curve

    columns = {
        ("wind_speed", farm.measurement_height_m): weather["wind_speed"].clip(lower=0.0),
        ("temperature", 2.0): weather["temp_air"] + 273.15,
        ("pressure", 0.0): weather["pressure"],
        ("roughness_length", 0.0): pd.Series(farm.roughness_length_m, index=weather.index),
    }
    frame = pd.DataFrame(columns)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    turbine = WindTurbine(
        hub_height=farm.hub_height_m,
        power_curve=power_curve(farm.turbine_type),
        nominal_power=farm.nominal_power_kw * 1000.0,
    )
    chain = ModelChain(
        turbine,
        wind_speed_model="hellman" if farm.shear == "power_law" else "logarithmic",
        hellman_exp=farm.shear_exponent,
        density_correction=farm.density_correction,
    )
    p_w = chain.run_model(frame).power_output.fillna(0.0).to_numpy(dtype=float)
    return p_w / 1000.0 * farm.count * (1.0 - farm.loss_fraction)


def case_wind(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    import windpowerlib

    from lingtan.components.wind import hub_air_density, power_curve, wind_kw_per_turbine
    from lingtan.validation.reference_weather import load_reference
    from lingtan.validation.sam import SAM_MAX_EXTRAPOLATION_M, sam_shear_heights, windpower_kw

    farms = _wind_farms(quick)
    out = []
    for fname in _weather_files(quick):
        frame, meta = load_reference(fname)
        site = _short(fname)
        group = "2 Wind vs SAM"
        for farm in farms:
            label = f"{farm.count} x {farm.turbine_type} at {farm.hub_height_m:.0f} m"
            # (a) Shear: SAM carries the station's 10 m wind to the hub with its own power law.
            if farm.shear == "power_law":
                still = farm.model_copy(update={"density_correction": False})
                twin = np.asarray(wind_kw_per_turbine(frame, meta["altitude_m"], still), dtype=float) * farm.count
                sam = windpower_kw(frame, still, power_curve(farm.turbine_type))
                rel = twin.sum() / sam.sum() - 1.0
                h_meas, h_hub = sam_shear_heights(farm.measurement_height_m, farm.hub_height_m)
                out.append(
                    CaseResult(
                        id=f"wind.{site}.{farm.name}.sam_shear",
                        group=group,
                        compared=f"annual energy, {label}, power law alpha = {farm.shear_exponent} from the "
                        f"{farm.measurement_height_m:.0f} m station wind of {fname}; density correction off",
                        reference="PySAM Windpower 7.1 given the station wind at its measurement height and "
                        "wind_resource_shear = alpha: SAM extrapolates to the hub itself "
                        f"(at {h_meas:.2f} m -> {h_hub:.2f} m, the same height ratio, as SAM refuses more "
                        f"than {SAM_MAX_EXTRAPOLATION_M:.0f} m); same power curve, no wakes, 1.225 kg/m3",
                        metric="annual error (twin / SAM - 1)",
                        tolerance="±1e-6",
                        tolerance_reason="both evaluate v (H/h)^alpha and interpolate the same curve linearly in "
                        "double precision, so only round-off may differ; an error of 0.001 in alpha moves the energy "
                        "by ~0.6 %",
                        value=f"{rel:+.1e}",
                        passed=bool(abs(rel) <= WIND_EXACT_TOL),
                        note=f"SAM {sam.sum() / 1e3:.0f} MWh; largest hourly difference "
                        f"{np.abs(twin - sam).max():.1e} kW",
                    )
                )
            # (b) The whole chain with density: windpowerlib's ModelChain from the data as measured.
            twin = np.asarray(wind_kw_per_turbine(frame, meta["altitude_m"], farm), dtype=float) * farm.count
            ref = windpowerlib_modelchain_kw(frame, farm)
            rel = twin.sum() / ref.sum() - 1.0
            shear = (
                f"power law alpha = {farm.shear_exponent}"
                if farm.shear == "power_law"
                else f"log law z0 = {farm.roughness_length_m} m"
            )
            out.append(
                CaseResult(
                    id=f"wind.{site}.{farm.name}.windpowerlib",
                    group=group,
                    compared=f"annual energy, {label}, {shear}, density-corrected power curve, {fname}",
                    reference=f"windpowerlib {windpowerlib.__version__} ModelChain given the station data at the "
                    "heights measured (wind 10 m, temperature 2 m, pressure at the ground): hellman / "
                    "logarithmic, linear_gradient, barometric, power_curve with density_correction",
                    metric="annual error (twin / ModelChain - 1)",
                    tolerance="±1e-6",
                    tolerance_reason="the same library functions on the same data: only round-off may differ. This "
                    "checks the twin's assembly (heights, units, exponent, roughness, the density "
                    "reaching the curve), not windpowerlib's physics, which rows (a) and (c) check",
                    value=f"{rel:+.1e}",
                    passed=bool(abs(rel) <= WIND_EXACT_TOL),
                    note=f"ModelChain {ref.sum() / 1e3:.0f} MWh (after {100 * farm.loss_fraction:.0f} % losses)",
                )
            )
        # (c) Density at the tallest hub: the twin's hub air density against the hypsometric equation.
        tall = max(farms, key=lambda f: f.hub_height_m)
        rho_twin = hub_air_density(frame, meta["altitude_m"], tall).to_numpy(dtype=float)
        rho_ref = hub_density_hypsometric(frame, meta["altitude_m"], tall.hub_height_m)
        rel_h = rho_twin / rho_ref - 1.0
        # windpowerlib's one approximation: pressure falls by a fixed 1/8 hPa per m instead of rho g. Its effect,
        # hour by hour, is its hub pressure over the hydrostatic one (same hub temperature on both sides).
        p0_pa = frame["pressure"].astype(float).to_numpy()
        t_hub_k = frame["temp_air"].astype(float).to_numpy() + 273.15 - ISA_LAPSE_RATE_K_M * (tall.hub_height_m - 2.0)
        gradient_effect = (p0_pa - WINDPOWERLIB_PRESSURE_GRADIENT_PA_M * tall.hub_height_m) / (
            rho_ref * DRY_AIR_GAS_CONSTANT_J_KG_K * t_hub_k
        ) - 1.0
        unexplained = float(np.abs(rel_h - gradient_effect).max())
        worst = float(rel_h[np.argmax(np.abs(rel_h))])
        out.append(
            CaseResult(
                id=f"wind.{site}.density",
                group=group,
                compared=f"hourly air density at {tall.hub_height_m:.0f} m from the 2 m temperature and ground "
                f"pressure of {fname}",
                reference="hypsometric equation for dry air with the ISA lapse rate 6.5 K/km, g = 9.80665 m/s2, "
                "R = 287.053 J/(kg K) (ISO 2533)",
                metric="largest hourly difference (twin / reference - 1); and the largest part of it not explained by "
                "windpowerlib's fixed pressure gradient",
                tolerance="unexplained <= 0.01 %",
                tolerance_reason="windpowerlib lets pressure fall by a fixed 1/8 hPa per m, the rho g of sea-level "
                "air, where the hydrostatic fall is rho g (~0.1 hPa/m at 1 500 m): that puts the twin up to ~0.5 % "
                "low at high stations, and its effect is computed hour by hour. What remains is windpowerlib's gas "
                "constant 101330 / (1.225 x 288.15) = 287.065 against 287.053 (0.004 %); a wrong height, unit or "
                "lapse rate is > 0.1 % (no temperature lapse: 0.3 %)",
                value=f"{_pct(worst, 3)}; unexplained {100 * unexplained:.4f} %",
                passed=bool(unexplained <= WIND_DENSITY_UNEXPLAINED_TOL),
                note=f"mean density twin {rho_twin.mean():.4f}, reference {rho_ref.mean():.4f} kg/m3; windpowerlib's "
                f"gradient alone: {_pct(float(gradient_effect[np.argmax(np.abs(gradient_effect))]), 3)} at worst",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# shared set-up for the battery and LP cases: the Hefei plant's profiles
# ---------------------------------------------------------------------------------------------
_PROFILE_CACHE: dict = {}


def hefei_profiles():
    """Scenario and size-independent profiles of ``scenarios/hefei_auto_parts.yaml`` (cached)."""
    if "hefei" not in _PROFILE_CACHE:
        from lingtan.twin.core.scenario import load_scenario
        from lingtan.twin.run import build_profiles

        sc = load_scenario(SCENARIOS / "hefei_auto_parts.yaml")
        _PROFILE_CACHE["hefei"] = (sc, build_profiles(sc, SCENARIOS))
    return _PROFILE_CACHE["hefei"]


def _run_kernel(unit, caps, load, params, prof, *, feed_in=0.0, grid_charge=None, discharge_ok=None, record=False):
    from lingtan.twin.core.dispatch import dispatch

    return dispatch(
        np.atleast_2d(unit),
        np.atleast_2d(caps),
        load,
        params,
        period=prof.period,
        month=prof.month,
        price_cny_per_kwh=prof.price_cny_per_kwh,
        feed_in_cny_per_kwh=feed_in,
        grid_charge_periods=grid_charge,
        discharge_periods=discharge_ok,
        record_hourly=record,
    )


# ---------------------------------------------------------------------------------------------
# 3. Battery against SAM's battery model under its own self-consumption dispatch
# ---------------------------------------------------------------------------------------------
BATT_ENERGY_TOL = 0.001
"""Annual charge and discharge energy, twin / SAM - 1 (reasons in ``case_battery``)."""
BATT_LOSS_TOL = 0.005
"""Annual conversion losses, twin / SAM - 1."""
BATT_SOC_TOL = 0.003
"""Largest hourly state-of-charge difference [-]."""


def _battery_configs(quick: bool):
    """(name, declared battery) pairs: the same numbers go to the twin and to SAM."""
    cfgs = [
        (
            "sym96",
            dict(
                energy_kwh=1000.0,
                power_kw=250.0,
                charge_efficiency=0.96,
                discharge_efficiency=0.96,
                soc_min=0.10,
                soc_max=0.95,
                soc_initial=0.10,
            ),
        )
    ]
    if not quick:
        cfgs += [
            (
                "asym98_92",
                dict(
                    energy_kwh=2000.0,
                    power_kw=500.0,
                    charge_efficiency=0.98,
                    discharge_efficiency=0.92,
                    soc_min=0.20,
                    soc_max=0.90,
                    soc_initial=0.50,
                ),
            )
        ]
    return cfgs


def case_battery(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    from lingtan.components.pv import PVArray
    from lingtan.twin.core.dispatch import FLOWS
    from lingtan.twin.run import kernel_params
    from lingtan.validation.reference_weather import load_reference
    from lingtan.validation.sam import battery_self_consumption, pvwatts_v8_ac_kw

    sc, prof = hefei_profiles()
    frame, meta = load_reference("723170TYA.CSV")
    arr = PVArray(name="roof", capacity_kwp=1000.0, tilt_deg=20, azimuth_deg=180)
    pv_kw = pvwatts_v8_ac_kw(frame, meta["latitude"], meta["longitude"], meta["altitude_m"], meta["tz_offset_h"], arr)
    # The plant's load shape, scaled so that the PV covers about half of it over the year.
    load = prof.load_kw / prof.load_kw.sum() * 2.0 * pv_kw.sum()
    out = []
    for name, b in _battery_configs(quick):
        params = kernel_params(
            sc.grid,
            sc.battery,
            energy_kwh=b["energy_kwh"],
            charge_kw=b["power_kw"],
            discharge_kw=b["power_kw"],
            charge_efficiency=b["charge_efficiency"],
            discharge_efficiency=b["discharge_efficiency"],
            soc_min=b["soc_min"],
            soc_max=b["soc_max"],
            self_discharge_fraction_per_hour=0.0,
            soc_initial=b["soc_initial"],
            strategy=0,
            import_limit_kw=1e9,
            export_limit_kw=1e9,
        )
        res = _run_kernel(pv_kw, [1.0], load, params, prof, record=True)
        h = {n: res.hourly[:, i] for i, n in enumerate(FLOWS)}
        twin = dict(
            charge_kw=h["re_to_battery"] + h["grid_to_battery"],
            discharge_kw=h["battery_re_to_load"] + h["battery_grid_to_load"],
            soc=res.hourly[:, len(FLOWS)] / b["energy_kwh"],
            grid_import_kw=h["grid_to_load"] + h["grid_to_battery"],
            grid_export_kw=h["re_to_grid"],
        )
        sam = battery_self_consumption(pv_kw, load, **b)
        e0 = b["soc_initial"] * b["energy_kwh"]

        def losses(r, b=b, e0=e0):  # bound now: called in this iteration only
            # AC energy in, minus AC energy out, minus what the store gained over the year.
            return r["charge_kw"].sum() - r["discharge_kw"].sum() - (r["soc"][-1] * b["energy_kwh"] - e0)

        declared = (
            f"{b['energy_kwh'] / 1e3:g} MWh / {b['power_kw']:g} kW, eta charge {b['charge_efficiency']}, "
            f"discharge {b['discharge_efficiency']}, SoC {100 * b['soc_min']:g}-{100 * b['soc_max']:g} %, "
            f"start {100 * b['soc_initial']:g} %"
        )
        common = dict(
            group="3 Battery vs SAM",
            reference="PySAM Battery 7.1, behind the meter, AC-connected, its own SelfConsumption dispatch "
            "(batt_dispatch_choice 5: charge from PV above the load, discharge to the load above the PV, "
            "no grid charging), set from the same declared battery; resistance, voltage curve, fade, "
            "temperature and idle losses off (validation/sam.py)",
        )
        where = f"twin load_following, {declared}; 1 MWp PV (Greensboro), plant load x2 PV"
        n_eq = {
            k: r["discharge_kw"].sum() / (b["energy_kwh"] * (b["soc_max"] - b["soc_min"]))
            for k, r in (("twin", twin), ("sam", sam))
        }
        for what, key, tol, why in (
            (
                "discharge",
                "discharge_kw",
                BATT_ENERGY_TOL,
                "the two stores hold the same energy to 0.03 % (SAM's voltage table needs two voltages) and SAM's "
                "iterative power limit lets the hour in which the store fills overshoot by ~1 % (a few hours a "
                "year): < 0.05 % together. An error of 0.005 in the discharge efficiency moves the discharge "
                "by ~0.5 %",
            ),
            ("charge", "charge_kw", BATT_ENERGY_TOL, "as for the discharge"),
        ):
            tv, sv = float(twin[key].sum()), float(sam[key].sum())
            rel = tv / sv - 1.0
            grid = {k: _pct(twin[k].sum() / sam[k].sum() - 1.0, 3) for k in ("grid_import_kw", "grid_export_kw")}
            out.append(
                CaseResult(
                    id=f"battery.{name}.{what}",
                    compared=f"annual battery {what} energy (AC side): {where}",
                    metric="twin / SAM - 1",
                    tolerance=f"±{100 * tol:g} %",
                    tolerance_reason=why,
                    value=_pct(rel, 3),
                    passed=bool(abs(rel) <= tol),
                    note=(
                        f"twin {tv / 1e3:.2f} MWh, SAM {sv / 1e3:.2f} MWh; equivalent full cycles twin "
                        f"{n_eq['twin']:.1f}, SAM {n_eq['sam']:.1f}"
                        + (
                            f"; grid import twin / SAM - 1 {grid['grid_import_kw']}, export {grid['grid_export_kw']}"
                            if what == "discharge"
                            else ""
                        )
                    ),
                    **common,
                )
            )
        lt, ls = losses(twin), losses(sam)
        rel = lt / ls - 1.0
        out.append(
            CaseResult(
                id=f"battery.{name}.losses",
                compared=f"annual conversion losses (charge - discharge - stored gain): {where}",
                metric="twin / SAM - 1",
                tolerance=f"±{100 * BATT_LOSS_TOL:g} %",
                tolerance_reason="losses are (1 - eta) of the throughput, so the 0.05 % of throughput the energy rows "
                "allow becomes ~0.5 % of the losses; an error of 0.005 in an efficiency moves them "
                "by ~5 %",
                value=_pct(rel, 3),
                passed=bool(abs(rel) <= BATT_LOSS_TOL),
                note=f"twin {lt / 1e3:.3f} MWh, SAM {ls / 1e3:.3f} MWh",
                **common,
            )
        )
        d_soc = np.abs(twin["soc"] - sam["soc"])
        worst = int(np.argmax(d_soc))
        out.append(
            CaseResult(
                id=f"battery.{name}.soc",
                compared=f"hourly state of charge (end of hour), 8760 h: {where}",
                metric="largest hourly |SoC twin - SoC SAM| [percentage points]",
                tolerance=f"{100 * BATT_SOC_TOL:g} pp",
                tolerance_reason="the stores diverge only where SAM's iterative power limit lets the hour in which "
                "the store fills overshoot by ~1 % (2 kW of 250 kW: 0.2 pp of a 4-hour store), and "
                "meet again when it is full; 0.005 too little in the discharge efficiency opens "
                "0.35 to 0.4 pp over one discharge, a swapped pair of efficiencies 4 pp",
                value=f"{100 * d_soc[worst]:.3f} pp",
                passed=bool(d_soc[worst] <= BATT_SOC_TOL),
                note=f"mean |difference| {100 * d_soc.mean():.4f} pp; largest at hour {worst}",
                **common,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# 4. Against the LP optimum
# ---------------------------------------------------------------------------------------------
LP_SHARE_TOL_PP = 0.5
BOUND_SLACK_REL = 1e-6


def _lp_configs(quick: bool):
    """(name, pv_kwp, battery overrides, export_limit_kw)."""
    base = dict(energy_kwh=8000.0, charge_kw=4000.0, discharge_kw=4000.0)
    cfgs = [
        ("hefei_as_is", 12000.0, base, 6000.0),
        ("pv30MW_no_export", 30000.0, dict(energy_kwh=20000.0, charge_kw=5000.0, discharge_kw=5000.0), 0.0),
    ]
    if not quick:
        cfgs += [
            ("pv20MW_2h", 20000.0, dict(energy_kwh=16000.0, charge_kw=8000.0, discharge_kw=8000.0), 2000.0),
            (
                "pv40MW_4h_selfdis",
                40000.0,
                dict(
                    energy_kwh=40000.0, charge_kw=10000.0, discharge_kw=10000.0, self_discharge_fraction_per_hour=0.0002
                ),
                0.0,
            ),
            (
                "pv25MW_asym_eta",
                25000.0,
                dict(
                    energy_kwh=12000.0,
                    charge_kw=3000.0,
                    discharge_kw=6000.0,
                    charge_efficiency=0.98,
                    discharge_efficiency=0.90,
                ),
                5000.0,
            ),
            (
                "pv15MW_wide_soc",
                15000.0,
                dict(
                    energy_kwh=10000.0, charge_kw=5000.0, discharge_kw=5000.0, soc_min=0.0, soc_max=1.0, soc_initial=0.5
                ),
                1000.0,
            ),
        ]
    return cfgs


def case_lp(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    from lingtan.twin.run import kernel_params
    from lingtan.validation.lp import Battery, solve, twin_re_share_of_load

    sc, prof = hefei_profiles()
    unit = prof.unit_kw[0]
    out = []
    bars = {"twin": [], "LP bound": []}
    labels = []
    for name, kwp, bat, exp_lim in _lp_configs(quick):
        params = kernel_params(sc.grid, sc.battery, strategy=0, export_limit_kw=exp_lim, **bat)
        res = _run_kernel(unit, [kwp], prof.load_kw, params, prof)
        b = Battery.from_params_row(params[0])
        e_end = float(res.total("battery_e_end")[0])
        lp = solve(
            kwp * unit,
            prof.load_kw,
            b,
            import_limit_kw=sc.grid.import_limit_kw,
            export_limit_kw=exp_lim,
            objective="min_import",
            e_end_min_kwh=min(b.e_initial_kwh, e_end),
        )
        s_twin = twin_re_share_of_load(res)
        s_lp = lp.re_share_of_load
        gap_pp = 100.0 * (s_lp - s_twin)
        t_imp = float(res.total("grid_to_load")[0])
        bound_ok = t_imp >= lp.grid_import_e_kwh * (1 - BOUND_SLACK_REL) - 1e-6
        labels.append(name)
        bars["twin"].append(100 * s_twin)
        bars["LP bound"].append(100 * s_lp)
        kpi_share = float(
            (res.total("re_generation")[0] - res.total("re_to_grid")[0] - res.total("re_curtailed")[0])
            / (t_imp + res.total("re_generation")[0] - res.total("re_to_grid")[0] - res.total("re_curtailed")[0])
        )
        out.append(
            CaseResult(
                id=f"lp.load_following.{name}",
                group="4 Dispatch vs LP optimum",
                compared=f"renewable share of the load, load_following, Hefei plant, PV {kwp / 1e3:.0f} MWp, "
                f"battery {b.energy_kwh / 1e3:.0f} MWh / {b.charge_kw / 1e3:.0f}-{b.discharge_kw / 1e3:.0f} MW, "
                f"export limit {exp_lim / 1e3:.0f} MW",
                reference="LP (HiGHS), perfect foresight, same battery limits, efficiencies, self-discharge, SoC "
                "window, initial energy; min grid import; end energy >= min(initial, twin's end)",
                metric="LP share - twin share [percentage points]; twin import >= LP import",
                tolerance="0 <= gap <= 0.5 pp",
                tolerance_reason="the issue's tolerance; a negative gap would be a kernel bug (the kernel's "
                "trajectory is a feasible point of the LP)",
                value=f"{0.0 if abs(gap_pp) < 5e-5 else gap_pp:+.4f} pp",
                passed=bool(bound_ok and -1e-6 <= gap_pp <= LP_SHARE_TOL_PP),
                note=(
                    f"twin {100 * s_twin:.3f} %, LP {100 * s_lp:.3f} %; import twin {t_imp / 1e3:.1f} MWh, LP "
                    f"{lp.grid_import_e_kwh / 1e3:.1f} MWh; twin KPI re_electricity_share_onsite "
                    f"{100 * kpi_share:.2f} %"
                ),
            )
        )
    # 4b: tou_arbitrage against the LP cost optimum.
    tou_cfgs = [("hefei_tou", 12000.0, dict(energy_kwh=8000.0, charge_kw=4000.0, discharge_kw=4000.0), 6000.0)]
    if not quick:
        tou_cfgs += [
            ("pv5MW_big_battery", 5000.0, dict(energy_kwh=20000.0, charge_kw=5000.0, discharge_kw=5000.0), 0.0)
        ]
    feed_in = prof.tariff.feed_in_price_cny_per_kwh
    for name, kwp, bat, exp_lim in tou_cfgs:
        params = kernel_params(sc.grid, sc.battery, strategy=1, export_limit_kw=exp_lim, **bat)
        res = _run_kernel(
            unit,
            [kwp],
            prof.load_kw,
            params,
            prof,
            feed_in=feed_in,
            grid_charge=np.array([True, False, False, False]),
            discharge_ok=np.array([False, False, True, True]),
        )
        b = Battery.from_params_row(params[0])
        lp = solve(
            kwp * unit,
            prof.load_kw,
            b,
            import_limit_kw=sc.grid.import_limit_kw,
            export_limit_kw=exp_lim,
            objective="min_cost",
            grid_charging=True,
            price_cny_per_kwh=prof.price_cny_per_kwh,
            feed_in_cny_per_kwh=feed_in,
            e_end_min_kwh=min(b.e_initial_kwh, float(res.total("battery_e_end")[0])),
        )
        t_cost = float(res.total("import_cost_cny")[0] - res.total("export_revenue_cny")[0])
        gap = t_cost / lp.energy_cost_cny - 1.0
        # Reference point: the same year with no battery at all.
        p0 = kernel_params(
            sc.grid, sc.battery, strategy=0, export_limit_kw=exp_lim, energy_kwh=0.0, charge_kw=0.0, discharge_kw=0.0
        )
        r0 = _run_kernel(unit, [kwp], prof.load_kw, p0, prof, feed_in=feed_in)
        c0 = float(r0.total("import_cost_cny")[0] - r0.total("export_revenue_cny")[0])
        captured = (c0 - t_cost) / (c0 - lp.energy_cost_cny) if c0 > lp.energy_cost_cny else float("nan")
        out.append(
            CaseResult(
                id=f"lp.tou_arbitrage.{name}",
                group="4 Dispatch vs LP optimum",
                compared=f"annual energy cost (import - feed-in revenue), tou_arbitrage, PV {kwp / 1e3:.0f} MWp, "
                f"battery {b.energy_kwh / 1e3:.0f} MWh / {b.charge_kw / 1e3:.0f} MW, Anhui TOU tariff",
                reference="LP (HiGHS) cost optimum, grid charging allowed in any hour, perfect foresight, same battery "
                "limits; demand charges excluded on both sides",
                metric="twin cost / LP cost - 1",
                tolerance="gap >= 0 (bound); gap reported",
                tolerance_reason="a rule-based TOU schedule is not expected to reach the perfect-foresight optimum; "
                "the issue asks for the gap to be reported. Below the bound would be a kernel bug",
                value=_pct(gap),
                passed=bool(gap >= -BOUND_SLACK_REL),
                note=(
                    f"twin {t_cost / 1e6:.3f} M CNY, LP {lp.energy_cost_cny / 1e6:.3f} M CNY, no battery "
                    f"{c0 / 1e6:.3f} M CNY: the rule captures {100 * captured:.0f} % of the LP's saving"
                ),
            )
        )
    if plot_dir is not None and labels:
        from lingtan.validation.report import svg_grouped_bars

        svg_grouped_bars(plot_dir / "lp_share.svg", "Renewable share of the load: twin vs LP bound [%]", labels, bars)
        out = [
            CaseResult(**{**r.__dict__, "plot": "plots/lp_share.svg"}) if r.id.startswith("lp.load_following") else r
            for r in out
        ]
    return out


# ---------------------------------------------------------------------------------------------
# 5. Conservation
# ---------------------------------------------------------------------------------------------
CONSERVATION_TOL_KWH = 1e-6


def _random_heat_side(rng: np.random.Generator, peak_kw: float) -> dict:
    """A random heat side: a line with a hot and a warm demand, two waste streams, exchangers into a demand
    and a store, a heat pump, an electric boiler on any power or surplus, and a fuel boiler that may be short."""
    q = float(rng.uniform(0.2, 1.0)) * peak_kw
    t_hot, t_warm = float(rng.uniform(120, 220)), float(rng.uniform(40, 90))
    cal = {
        "shifts_per_day": int(rng.integers(1, 4)),
        "shift_hours": 8,
        "first_shift_start_h": int(rng.integers(0, 9)),
        "working_days_per_week": int(rng.integers(5, 8)),
    }
    line = {
        "name": "line",
        "calendar": cal,
        "batch_duration_h": float(rng.uniform(2, 8)),
        "p_kw": float(0.2 * q),
        "mtbf_h": float(rng.uniform(100, 1000)),
        "mttr_h": float(rng.uniform(1, 10)),
        "seed": int(rng.integers(0, 1000)),
        "heat_demands": [
            {"name": "hot", "t_c": t_hot, "q_kw_th": q},
            {"name": "warm", "t_c": t_warm, "q_kw_th": float(rng.uniform(0.1, 0.6)) * q},
        ],
        "waste_heat": [
            {
                "name": "flue",
                "kind": "flue_gas",
                "t_c": float(rng.uniform(150, 400)),
                "t_return_c": 100.0,
                "fraction_of_heat_input": float(rng.uniform(0.1, 0.4)),
                "heat_demand": "hot",
            },
            {
                "name": "cooling",
                "kind": "cooling_water",
                "t_c": float(rng.uniform(25, 45)),
                "q_kw_th": float(rng.uniform(0.05, 0.3)) * q,
            },
        ],
    }
    store_t = t_warm + float(rng.uniform(0, 20))
    return {
        "processes": [line],
        "heat_exchangers": [
            {
                "name": "x1",
                "source": "flue",
                "sink": str(rng.choice(["warm", "store"])),
                "effectiveness": float(rng.uniform(0.5, 0.9)),
            }
        ],
        "heat_pumps": [
            {
                "name": "hp",
                "source": "cooling",
                "sink": "warm",
                "t_c": t_warm + 5,
                "capacity_q_kw_th": float(rng.uniform(0, 0.5)) * q,
                "electricity": str(rng.choice(["any", "renewable_surplus"])),
            }
        ],
        "boilers": [
            {
                "name": "eb",
                "fuel": "electric",
                "efficiency": 0.99,
                "capacity_q_kw_th": float(rng.uniform(0, 1)) * q,
                "t_c": store_t + 5,
                "electricity": str(rng.choice(["any", "renewable_surplus"])),
            },
            # a furnace-like fired unit: at 0.7 it loses 0.43 of its useful heat, more than the line's
            # flue gas (<= 0.4 of it), as the first-law check requires
            {
                "name": "gas",
                "fuel": "natural_gas",
                "efficiency": 0.7,
                "capacity_q_kw_th": float(rng.uniform(0.5, 2.0)) * q,
                "t_c": 250.0,
            },
        ],
        "thermal_storage": [
            {
                "name": "store",
                "capacity_kwh_th": float(rng.uniform(0, 8)) * q,
                "charge_kw_th": q,
                "discharge_kw_th": q,
                "t_c": store_t,
                "standing_loss_fraction_per_hour": float(rng.uniform(0, 0.01)),
            }
        ],
    }


def _random_more_plant(rng: np.random.Generator, peak_kw: float, heat: dict) -> dict:
    """Random CHP (with a heat side), an electrolyser with its store and uses, a flexible batch and a
    demand-response event, each present by chance."""
    out: dict = {}
    if heat and rng.random() < 0.5:
        p = float(rng.uniform(0.05, 0.3)) * peak_kw
        out["chp"] = [
            {
                "name": "engine",
                "prime_mover": "gas_engine",
                "capacity_p_kw": p,
                # ranges whose lines rise (2 h1/e1 >= 1.95 > h05/e05 <= 1.53) and keep e + h below 1
                "electric_efficiency": float(rng.uniform(0.36, 0.43)),
                "electric_efficiency_half_load": float(rng.uniform(0.30, 0.35)),
                "heat_efficiency": float(rng.uniform(0.42, 0.48)),
                "heat_efficiency_half_load": float(rng.uniform(0.40, 0.46)),
                "min_load_fraction": float(rng.uniform(0.5, 0.8)),
                "t_c": 95.0,
                "mode": str(rng.choice(["heat_led", "electricity_led"])),
            }
        ]
    if rng.random() < 0.3:
        kg = float(rng.uniform(50, 2000))
        out["electrolysers"] = [
            {
                "name": "ely",
                "technology": str(rng.choice(["alkaline", "pem"])),
                "capacity_p_kw": float(rng.uniform(0.02, 0.3)) * peak_kw,
                "efficiency": float(rng.uniform(0.55, 0.65)),
                "efficiency_min_load": float(rng.uniform(0.55, 0.7)),
            }
        ]
        out["hydrogen_stores"] = [
            {"name": "tank", "capacity_kg": kg, "compression_kwh_per_kg": float(rng.uniform(1.0, 4.0))}
        ]
        out["hydrogen_uses"] = [{"name": "use", "kind": "process", "kg_per_day": float(rng.uniform(0, 0.2)) * kg}]
    if rng.random() < 0.3:
        out["flexible_loads"] = [
            {
                "name": "batch",
                "p_kw": float(rng.uniform(0.02, 0.2)) * peak_kw,
                "duration_h": int(rng.integers(1, 6)),
                "earliest_start_h": 6,
                "latest_start_h": int(rng.integers(6, 15)),
            }
        ]
    if rng.random() < 0.2:
        out["demand_response"] = {
            # the year's own 16 July, set by the caller
            "events": [{"start": None, "duration_h": 2, "reduction_kw": float(rng.uniform(0.05, 0.3)) * peak_kw}],
            "price_cny_per_kwh": 3.0,
        }
    return out


def _random_load_stores(rng: np.random.Generator, peak_kw: float) -> dict:
    """A random cooled hall with a chilled-water or ice store, and an air receiver on the production load, each
    present by chance."""
    out: dict = {}
    if rng.random() < 0.3:
        cop = float(rng.uniform(3.0, 5.0))
        ua = float(rng.uniform(0.005, 0.03)) * peak_kw
        q = ua * 10.0  # the hall's cooling 10 K above its balance point [kW_th]
        ice = bool(rng.random() < 0.5)
        out["space"] = [
            {
                "name": "hall",
                "ua_kw_per_k": ua,
                "setpoint_cooling_c": 24,
                "t_c": 45,
                "heating": False,
                "cooling_cop": cop,
            }
        ]
        out["cold_stores"] = [
            {
                "name": "cold_tank",
                "serves": "hall",
                "medium": "ice" if ice else "chilled_water",
                "capacity_kwh_th": float(rng.uniform(0, 8)) * q,
                "loss_fraction_per_hour": float(rng.uniform(0, 0.01)),
                "charge_q_kw_th": float(rng.uniform(0.2, 1.0)) * q,
                "discharge_q_kw_th": float(rng.uniform(0.2, 1.0)) * q,
                "charge_cop": cop * float(rng.uniform(0.6, 1.0)),
                "grid_charge": bool(rng.random() < 0.5),
                "soc_initial": float(rng.uniform(0, 1)),
            }
        ]
    if rng.random() < 0.3:
        p_max = float(rng.uniform(8, 12))
        out["air_receivers"] = [
            {
                "name": "receiver",
                "serves": "prod",
                "volume_m3": float(rng.uniform(5, 200)),
                "p_max_bar": p_max,
                "p_min_bar": p_max - float(rng.uniform(1, 4)),
                "specific_power_kwh_per_m3": float(rng.uniform(0.09, 0.13)),
                "charge_specific_power_kwh_per_m3": float(rng.uniform(0.10, 0.15)),
                "charge_m3_per_h": float(rng.uniform(0.01, 0.1)) * peak_kw / 0.11,
                "grid_charge": bool(rng.random() < 0.5),
            }
        ]
    return out


def random_scenario_dict(rng: np.random.Generator, i: int) -> dict:
    """A random but valid scenario mapping (seeded)."""
    from lingtan.components.wind import turbine_types

    cities = [
        "anqing",
        "beijing",
        "changsha",
        "hangzhou",
        "hefei",
        "jiuquan",
        "lanzhou",
        "nanjing",
        "shanghai",
        "wuhan",
    ]
    tariffs = ["anhui_large_industry_2025", "hunan_large_industry_2025", "zhejiang_large_industry_2025"]
    annual = float(rng.uniform(1e6, 8e7))
    peak_guess = annual / 8760 * 3
    pv = []
    for k in range(int(rng.integers(0, 3))):
        trk = rng.random() < 0.25
        pv.append(
            {
                "name": f"pv{k}",
                "capacity_kwp": float(rng.uniform(100, 3 * peak_guess)),
                "tilt_deg": 0.0 if trk else float(rng.uniform(0, 45)),
                "azimuth_deg": 180.0 if trk else float(rng.uniform(90, 270)),
                "tracking": "single_axis" if trk else "fixed",
                "dc_ac_ratio": float(rng.uniform(1.0, 1.4)),
            }
        )
    wind = []
    if rng.random() < 0.4:
        types = [t for t in ("E-82/2350", "V90/2000", "E-126/4200") if t in turbine_types()]
        wind.append(
            {
                "name": "wf",
                "turbine_type": str(rng.choice(types)),
                "count": int(rng.integers(1, 6)),
                "hub_height_m": float(rng.uniform(80, 140)),
            }
        )
    battery = []
    if rng.random() < 0.7:
        e = float(rng.uniform(100, 4 * peak_guess))
        smin = float(rng.uniform(0, 0.2))
        smax = float(rng.uniform(0.8, 1.0))
        battery.append(
            {
                "name": "b",
                "energy_kwh": e,
                "power_kw": float(e * rng.uniform(0.2, 1.0)),
                "charge_efficiency": float(rng.uniform(0.85, 1.0)),
                "discharge_efficiency": float(rng.uniform(0.85, 1.0)),
                "soc_min": smin,
                "soc_max": smax,
                "soc_initial": float(rng.uniform(smin, smax)),
                "self_discharge_fraction_per_hour": float(rng.choice([0.0, rng.uniform(0, 0.001)])),
                "dispatch": str(rng.choice(["load_following", "tou_arbitrage"])),
            }
        )
    export_allowed = bool(rng.random() < 0.5)
    grid = {
        "import_limit_kw": float(peak_guess * rng.uniform(0.5, 3.0)),
        "export_allowed": export_allowed,
        "tariff": str(rng.choice(tariffs)),
        "emission_factor": "national_2022",
    }
    if export_allowed:
        grid["export_limit_kw"] = float(rng.uniform(0, 2 * peak_guess))
    heat = _random_heat_side(rng, peak_guess) if rng.random() < 0.4 else {}
    # More of the plant (issue 19), drawn from a generator of its own so the scenarios above stay as they were.
    more = _random_more_plant(np.random.default_rng([20250601, i]), peak_guess, heat)
    more |= _random_load_stores(np.random.default_rng([20261204, i]), peak_guess)
    extra = np.random.default_rng([20261205, i])
    if "chp" in more and "space" in more and extra.random() < 0.7:  # trigeneration: the engine's heat cools the hall
        q = more["space"][0]["ua_kw_per_k"] * 10.0
        more["absorption_chillers"] = [
            {
                "name": "hall_absorber",
                "source": "engine",
                "cooling": "hall",
                "capacity_q_kw_th": extra.uniform(0.2, 1) * q,
            }
        ]
    data = {
        **heat,
        **more,
        "name": f"random {i}",
        "site": {
            "latitude": float(rng.uniform(20, 45)),
            "longitude": float(rng.uniform(100, 125)),
            "altitude_m": float(rng.uniform(0, 1500)),
        },
        "year": int(rng.choice([2024, 2025])),
        "weather": {"source": "synthetic", "city": str(rng.choice(cities)), "seed": int(rng.integers(0, 1000))},
        "loads": [
            {
                "name": "prod",
                "kind": "shifts",
                "annual_e_kwh": annual,
                "shifts_per_day": int(rng.integers(1, 4)),
                "shift_hours": 8,
                "first_shift_start_h": int(rng.integers(0, 9)),
                "working_days_per_week": int(rng.integers(5, 8)),
                "base_load_fraction": float(rng.uniform(0.1, 0.8)),
            }
        ],
        "pv": pv,
        "wind": wind,
        "battery": battery,
        "grid": grid,
    }
    for ev in data.get("demand_response", {}).get("events", []):
        ev["start"] = f"{data['year']}-07-16 15:00"
    return data


def independent_balance_check(hourly, scenario) -> dict:
    """Balances recomputed from the hourly table alone, independent of the kernel and of
    ``lingtan.twin.core.tables.check_electric_balance``.

    Returns the largest residuals [kWh]: electric bus, battery store (state continuity), negative flow.
    """
    h = hourly
    cols = set(h.columns)

    def col(name):
        return h[name].to_numpy(float) if name in cols else np.zeros(len(h))

    to_heat = [c for c in cols if c.endswith("_to_heat_kw")]
    # Sources: renewables, a CHP unit's electricity, grid import, battery discharge, unserved load.
    src = (
        col("pv_kw")
        + col("wind_kw")
        + col("chp_kw")
        + col("fc_kw")
        + col("grid_to_battery_kw")
        + col("unserved_load_kw")
    )
    for s in ("grid", "battery_re", "battery_grid"):
        src = src + col(f"{s}_to_load_kw") + col(f"{s}_to_heat_kw")
    # Sinks: the site's load, every electricity-to-heat flow, battery charge, export (renewable and CHP),
    # electrolysers, curtailment.
    sinks = (
        col("load_kw")
        + col("grid_to_battery_kw")
        + col("chp_to_grid_kw")
        + sum((col(c) for c in to_heat), np.zeros(len(h)))
    )
    split = 0.0
    if "chp_kw" in cols:  # a CHP unit's electricity goes to the load, power-to-heat or export
        parts = col("chp_to_load_kw") + col("chp_to_heat_kw") + col("chp_to_grid_kw")
        split = max(split, float(np.abs(col("chp_kw") - parts).max()) if len(h) else 0.0)
    for kind in ("pv", "wind"):
        sinks = sinks + sum(col(f"{kind}_to_{s}_kw") for s in ("battery", "grid", "h2", "curtailment"))
        parts = sum(col(f"{kind}_to_{s}_kw") for s in ("load", "heat", "battery", "grid", "h2", "curtailment"))
        split = max(split, float(np.abs(col(f"{kind}_kw") - parts).max()) if len(h) else 0.0)
    if not to_heat:
        # Load side: the load is served by renewables, battery, grid and unserved.
        served = (
            col("pv_to_load_kw")
            + col("wind_to_load_kw")
            + col("chp_to_load_kw")
            + col("fc_to_load_kw")
            + col("battery_re_to_load_kw")
            + col("battery_grid_to_load_kw")
            + col("grid_to_load_kw")
            + col("unserved_load_kw")
        )
        split = max(split, float(np.abs(col("load_kw") - served).max()) if len(h) else 0.0)
    extra_sinks = to_heat
    bus = max(float(np.abs(src - sinks).max()) if len(h) else 0.0, split)
    store = 0.0
    if scenario.battery:
        b = scenario.battery[0]
        e = col("battery_e_kwh")
        e_prev = np.concatenate([[b.soc_initial_value * b.energy_kwh], e[:-1]])
        ch = col("pv_to_battery_kw") + col("wind_to_battery_kw") + col("grid_to_battery_kw")
        dis = (
            col("battery_re_to_load_kw")
            + col("battery_grid_to_load_kw")
            + col("battery_re_to_heat_kw")
            + col("battery_grid_to_heat_kw")
        )
        loss = col("battery_loss_re_kw") + col("battery_loss_grid_kw")
        store = float(np.abs(e - (e_prev + ch - dis - loss)).max())
    flows = [c for c in cols if c.endswith("_kw") or c.endswith("_kw_th")]
    neg = float(max(0.0, -h[flows].to_numpy(float).min())) if flows else 0.0
    return {"bus": float(bus), "store": store, "negative": neg, "extra_sinks": extra_sinks}


def _heat_columns(hourly) -> list[str]:
    return [c for c in hourly.columns if c.endswith("_kw_th")]


def _twin_electric_check(hourly) -> float:
    from lingtan.twin.core.tables import check_electric_balance

    return float(check_electric_balance(hourly))


def independent_heat_check(heat) -> dict:
    """Heat balances recomputed from the heat table alone: each demand closes, stores are continuous, no negatives.

    Store continuity is checked from the second hour on (the initial energy is not in the table).
    """
    if heat is None or len(heat.columns) == 0:
        return {"demand": 0.0, "store": 0.0, "negative": 0.0, "n_demands": 0, "n_stores": 0}
    cols = list(heat.columns)
    demand, store = 0.0, 0.0
    demands = [c[: -len(".demand_kw_th")] for c in cols if c.endswith(".demand_kw_th")]
    for d in demands:
        parts = [
            c
            for c in cols
            if c.startswith(d + ".")
            and c.endswith("_kw_th")
            and (c[len(d) + 1 :].startswith("from_") or c[len(d) + 1 :].startswith("unserved"))
        ]
        res = heat[d + ".demand_kw_th"].to_numpy(float) - heat[parts].sum(axis=1).to_numpy(float)
        demand = max(demand, float(np.abs(res).max()))
    stores = [c[: -len(".e_kwh_th")] for c in cols if c.endswith(".e_kwh_th")]
    for st in stores:
        e = heat[st + ".e_kwh_th"].to_numpy(float)
        charge = sum(heat[c].to_numpy(float) for c in cols if c.startswith(st + ".charge_") and c.endswith("_kw_th"))
        flow = charge - heat[st + ".discharge_kw_th"].to_numpy(float) - heat[st + ".loss_kw_th"].to_numpy(float)
        store = max(store, float(np.abs(e[1:] - e[:-1] - flow[1:]).max()) if len(e) > 1 else 0.0)
    flows = [c for c in cols if c.endswith("_kw_th")]
    neg = float(max(0.0, -heat[flows].to_numpy(float).min())) if flows else 0.0
    return {"demand": demand, "store": store, "negative": neg, "n_demands": len(demands), "n_stores": len(stores)}


def _park_conservation(path: Path, park) -> CaseResult:
    """A park: the park bus, every tenant's electric and heat tables, and tenants + common = park."""
    from lingtan.twin.studies.park import simulate_park, tenant_scenario

    r = simulate_park(park, base_dir=path.parent)
    worst = _twin_electric_check(r.bus)
    for t in park.tenants:
        run = r.tenants[t.name]
        ind = independent_balance_check(run.hourly, tenant_scenario(park, t))
        hc = independent_heat_check(run.hourly_heat)
        worst = max(
            worst,
            _twin_electric_check(run.hourly),
            ind["bus"],
            ind["store"],
            ind["negative"],
            hc["demand"],
            hc["store"],
            hc["negative"],
        )
    recon = float(r.kpis["reconciliation_residual_e_kwh"])
    scale = float(r.kpis["total_consumption_e_kwh"])
    return CaseResult(
        id=f"conservation.library.{path.stem}",
        group="5 Conservation",
        compared=f"every hour of {path.name}: park bus, and each of {len(park.tenants)} tenants' electric and heat "
        "tables; and the tenant table (tenants + park_common) against the park's own boundary totals",
        reference="sources = sinks each hour (DESIGN.md); park totals by the design's KPI definitions",
        metric="largest hourly residual [kWh]; reconciliation residual relative to park consumption",
        tolerance="1e-6 kWh; 1e-12 relative",
        tolerance_reason="DESIGN.md's balance tolerance; the reconciliation sums ~1e8 kWh, so float rounding of "
        "the annual sums is ~1e-8 kWh per 1e8, far below 1e-12 relative",
        value=f"{worst:.2e}; {recon / scale:.1e}",
        passed=bool(worst <= CONSERVATION_TOL_KWH and recon <= 1e-12 * scale),
        note=f"reconciliation residual {recon:.1e} kWh of {scale:.3e} kWh",
    )


def case_conservation(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.run import simulate

    out = []
    library = sorted(SCENARIOS.glob("*.yaml"))
    for path in library:
        sc = load_scenario(path)
        if isinstance(sc, Park):
            out.append(_park_conservation(path, sc))
            continue
        r = simulate(sc, base_dir=path.parent)
        tw = _twin_electric_check(r.hourly)
        ind = independent_balance_check(r.hourly, sc)
        hh = getattr(r, "hourly_heat", None)
        hc = independent_heat_check(hh)
        heat = hc["n_demands"] + hc["n_stores"] > 0
        worst = max(tw, ind["bus"], ind["store"], ind["negative"], hc["demand"], hc["store"], hc["negative"])
        out.append(
            CaseResult(
                id=f"conservation.library.{path.stem}",
                group="5 Conservation",
                compared=f"every hour of {path.name}: electric bus, battery store" + (", heat" if heat else ""),
                reference="sources = sinks each hour (DESIGN.md, energy balances); recomputed from the hourly table",
                metric="largest hourly residual [kWh]",
                tolerance="1e-6 kWh",
                tolerance_reason="DESIGN.md's balance tolerance (float rounding of sums of ~1e4 kW)",
                value=f"{worst:.2e}",
                passed=bool(worst <= CONSERVATION_TOL_KWH),
                note=f"twin's electric check {tw:.1e}; independent bus {ind['bus']:.1e}, store {ind['store']:.1e}"
                + (
                    f"; heat: {hc['n_demands']} demands (residual {hc['demand']:.1e}), {hc['n_stores']} stores "
                    f"(residual {hc['store']:.1e})"
                    if heat
                    else "; no heat carrier in this scenario (heat balance has nothing to close)"
                ),
            )
        )
    n = 20 if quick else 200
    rng = np.random.default_rng(20250601)
    worst_all, worst_id, failures, unserved_n, heat_n, trigen_n = 0.0, "", [], 0, 0, 0
    t0 = time.perf_counter()
    for i in range(n):
        data = random_scenario_dict(rng, i)
        trigen_n += "absorption_chillers" in data and "cold_stores" in data
        try:
            sc = scenario_from_dict(data, f"<random {i}>")
            r = simulate(sc, base_dir=ROOT)
            tw = _twin_electric_check(r.hourly)
            ind = independent_balance_check(r.hourly, sc)
            hc = independent_heat_check(getattr(r, "hourly_heat", None))
            heat_n += hc["n_demands"] + hc["n_stores"] > 0
            w = max(tw, ind["bus"], ind["store"], ind["negative"], hc["demand"], hc["store"], hc["negative"])
            unserved_n += r.kpis.get("unserved_load_e_kwh", 0.0) > 0
        except Exception as exc:  # a balance error or a crash on a valid scenario is a failure
            failures.append(f"random {i}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        if w > worst_all:
            worst_all, worst_id = w, f"random {i}"
    out.append(
        CaseResult(
            id="conservation.random",
            group="5 Conservation",
            compared=f"every hour of {n} random valid scenarios (seed 20250601): PV 0-2 arrays incl. trackers, wind "
            "0-1 farm, battery 0-1 (both strategies, random SoC window, efficiencies, self-discharge), "
            "random import/export limits and tariffs; about 40 % with a heat side (a production line with a hot and a "
            "warm demand, two waste streams, exchangers into a demand or a store, a heat pump, an electric "
            "boiler on any power or on surplus, a fuel boiler that may fall short, a thermal store); each by "
            "chance, from a generator of its own: a gas engine heat- or electricity-led (half of the heat sides), an "
            "electrolyser with its store and uses, a flexible batch, a demand-response event; and from a third, a "
            "cooled hall with a chilled-water or ice store, an air receiver on the production load; and from a "
            "fourth, the gas engine's absorption chiller on that hall beside the store (trigeneration)",
            reference="sources = sinks each hour (CHP and electrolysers included); battery e(t) = e(t-1) + charge - "
            "discharge - losses; heat, hydrogen, cold stores and air receivers by the twin's own table checks, run "
            "for each",
            metric="largest hourly residual over all runs [kWh]",
            tolerance="1e-6 kWh",
            tolerance_reason="DESIGN.md's balance tolerance",
            value=f"{worst_all:.2e}",
            passed=bool(not failures and worst_all <= CONSERVATION_TOL_KWH),
            note=(
                f"{n - len(failures)}/{n} ran; worst {worst_id or '-'}; {unserved_n} runs with unserved load (import "
                f"limit binding); {heat_n} with heat columns; {trigen_n} with a store beside an absorption chiller; "
                f"{time.perf_counter() - t0:.0f} s" + (f"; FAILURES: {'; '.join(failures[:5])}" if failures else "")
            ),
        )
    )
    return out


# ---------------------------------------------------------------------------------------------
# 6. Synthetic weather against real years
# ---------------------------------------------------------------------------------------------
def case_weather(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    from lingtan.validation.reference_weather import cswd_files, load_reference
    from lingtan.validation.weather_generator import compare_synthetic_to_real

    out = []
    files = _weather_files(quick)
    ks_bars = {}
    for fname in files:
        real, m = load_reference(fname)
        r = compare_synthetic_to_real(real, m["latitude"], m["longitude"], m["altitude_m"], seed=0, year=2025)
        s = _short(fname)
        ws = r["wind_std_synthetic_m_s"] / r["wind_std_real_m_s"] - 1.0
        wm = r["wind_mean_synthetic_m_s"] / r["wind_mean_real_m_s"] - 1.0
        ks_bars[s] = r["kt_ks_distance"]
        common = dict(
            group="6 Synthetic vs real weather",
            reference=f"the real typical year {fname}; the synthetic year (seed 0) is generated from its "
            "monthly statistics",
        )
        out += [
            CaseResult(
                id=f"weather.{s}.ghi",
                compared="annual GHI",
                metric="synthetic / real - 1",
                tolerance="±2 %",
                tolerance_reason="the generator rescales each month to the given mean "
                "daily GHI, so annual GHI must match to rounding; 2 % as the PV annual tolerance",
                value=_pct(r["ghi_rel_error"], 3),
                passed=bool(abs(r["ghi_rel_error"]) < 0.02),
                note=f"real {r['ghi_real_kwh_m2']:.0f} kWh/m2",
                **common,
            ),
            CaseResult(
                id=f"weather.{s}.pv_yield",
                compared="annual PV yield from GHI (Erbs + Hay-Davies, latitude tilt)",
                metric="synthetic / real - 1",
                tolerance="±3 %",
                tolerance_reason="same GHI by construction; the yield then differs only through the hourly "
                "distribution of clearness (beam/diffuse split, temperature), for which the project's "
                "weather tests allow 3 %",
                value=_pct(r["pv_rel_error"]),
                passed=bool(abs(r["pv_rel_error"]) < 0.03),
                note=f"real {r['pv_real_kwh_kwp']:.0f} kWh/kWp",
                **common,
            ),
            CaseResult(
                id=f"weather.{s}.kt_ks",
                compared="distribution of hourly clearness index (zenith < 85°)",
                metric="two-sample Kolmogorov-Smirnov distance",
                tolerance="< 0.25",
                tolerance_reason="the weather tests' bound: a daily-Markov generator reproduces the shape "
                "but not the hour-to-hour detail; KS 0.25 still keeps PV yields within 3 %",
                value=f"{r['kt_ks_distance']:.3f}",
                passed=bool(r["kt_ks_distance"] < 0.25),
                **common,
            ),
            CaseResult(
                id=f"weather.{s}.wind_mean",
                compared="mean hourly wind speed",
                metric="synthetic / real - 1",
                tolerance="±1 %",
                tolerance_reason="the generator matches the monthly mean by construction",
                value=_pct(wm, 3),
                passed=bool(abs(wm) < 0.01),
                note=f"real {r['wind_mean_real_m_s']:.2f} m/s",
                **common,
            ),
            CaseResult(
                id=f"weather.{s}.wind_std",
                compared="standard deviation of hourly wind speed",
                metric="synthetic / real - 1",
                tolerance="±20 %",
                tolerance_reason="wind energy scales with the upper tail of the speed distribution; a 20 % "
                "error in spread moves a turbine's yield by roughly 10 % at these low mean speeds, the "
                "largest error a wind sizing study can tolerate",
                value=_pct(ws, 1),
                passed=bool(abs(ws) <= 0.20),
                note=f"real {r['wind_std_real_m_s']:.2f} m/s, synthetic {r['wind_std_synthetic_m_s']:.2f} m/s",
                **common,
            ),
        ]
    if not quick and not cswd_files():
        out.append(
            CaseResult(
                id="weather.cswd",
                group="6 Synthetic vs real weather",
                compared="Chinese station files (CSWD)",
                reference="CSWD EPW files",
                metric="-",
                tolerance="-",
                tolerance_reason="-",
                value="-",
                passed=None,
                note="CSWD files not found ($LINGTAN_REFERENCE_WEATHER or ../shared/weather)",
            )
        )
    if plot_dir is not None and ks_bars:
        from lingtan.validation.report import svg_grouped_bars

        svg_grouped_bars(
            plot_dir / "weather_kt_ks.svg",
            "Clearness-index KS distance, synthetic vs real",
            list(ks_bars),
            {"KS distance": list(ks_bars.values())},
            reference_line=0.25,
        )
        out = [
            CaseResult(**{**r.__dict__, "plot": "plots/weather_kt_ks.svg"}) if r.id.endswith(".kt_ks") else r
            for r in out
        ]
    return out


# ---------------------------------------------------------------------------------------------
# 7. Accounting and criteria against hand-worked cases
# ---------------------------------------------------------------------------------------------
def case_accounting(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    from lingtan.twin.accounting.account import account, accounting_kpis
    from lingtan.twin.accounting.criteria import evaluate
    from lingtan.twin.core.schema.accounting import Accounting, AnnualEnergy, GreenPower, Offsets

    # The hand-worked year of tests/twin/test_accounting.py (factors of GB/T 2589 and GB/T 32150).
    hand = dict(
        grid_import_e_kwh=2_000_000,
        grid_export_e_kwh=100_000,
        re_generation_e_kwh=600_000,
        fuels={"natural_gas": 100_000, "diesel": 20_000},
        purchased_heat_gj=5_000,
    )
    settings = Accounting(location_emission_factor="national_2022", market_emission_factor="national_2022_residual")
    r = account(AnnualEnergy(**hand), settings)
    k = accounting_kpis(r)
    gp = account(
        AnnualEnergy(**hand),
        settings,
        GreenPower(green_power_contract_e_kwh=500_000, green_certificates_mwh=200),
        Offsets(ccer_t=50),
    )
    checks = [
        (
            "energy_calorific",
            "energy, calorific value (当量值)",
            k["energy_calorific_tce"],
            639.832,
            "tce",
            "2 500 000 kWh x 0.1229 + 100 000 m3 gas x 1.3284 + 20 000 kg diesel x 1.4571 + 5 000 GJ x 34.12 "
            "kgce (GB/T 2589; gas at its NCV 38 931 kJ / 29 307.6)",
        ),
        (
            "energy_equivalent",
            "energy, equivalent value (等价值)",
            k["energy_equivalent_tce"],
            1096.332,
            "tce",
            "electricity at 0.3055 kgce/kWh (coal rate of power supply) instead of 0.1229",
        ),
        (
            "scope1",
            "scope 1 fuel combustion",
            k["scope1_t"],
            278.138,
            "tCO2",
            "100 000 x 2.1622 + 20 000 x 3.0959 kgCO2 (GB/T 32150)",
        ),
        (
            "gross_location",
            "gross emissions, location-based",
            k["gross_emissions_t"],
            1847.678,
            "tCO2",
            "278.138 + 2 000 MWh x 0.5366 + 5 000 GJ x 0.11 - exported 100 MWh x 0.5366",
        ),
        (
            "gross_market",
            "gross emissions, market-based",
            k["gross_emissions_market_t"],
            1940.778,
            "tCO2",
            "grid at the residual mix 0.5856 t/MWh, export deducted at the same factor",
        ),
        (
            "re_share",
            "on-site renewable share",
            k["re_electricity_share_onsite"],
            0.2,
            "-",
            "500 000 kWh consumed of 2 500 000 kWh",
        ),
        (
            "residual_with_offsets",
            "residual after green power, certificates, CCER",
            gp.kpis.residual_emissions_t,
            1847.678 - 268.3 - 107.32 - 50,
            "tCO2",
            "500 MWh x 0.5366 + 200 MWh x 0.5366 + 50 t CCER deducted",
        ),
    ]
    out = []
    for cid, what, got, want, unit, how in checks:
        rel = abs(got - want) / abs(want)
        out.append(
            CaseResult(
                id=f"accounting.{cid}",
                group="7 Accounting and criteria",
                compared=what,
                reference=f"hand-worked: {how} = {want:g} {unit}",
                metric="relative difference",
                tolerance="1e-6",
                tolerance_reason="arithmetic on published factors: only float rounding may differ",
                value=f"{got:.6g} {unit} ({rel:.1e})",
                passed=bool(rel <= 1e-6),
            )
        )

    # Criteria at their boundaries (the comparators at the threshold, from the packs' own data).
    def verdict(pack, kpis, suffix, declared=None, settings=None):
        vs = evaluate(pack, kpis, declared, settings)
        return next(v for v in vs if v.criterion_id.endswith(suffix))

    bounds = [
        (
            "anhui_re_40_at",
            "Anhui park: renewable share exactly 40 %",
            lambda: (
                verdict(
                    "anhui_park_2024", {"re_electricity_share_with_green_power": 0.40}, "re_electricity_share"
                ).passed
            ),
            True,
        ),
        (
            "anhui_re_40_below",
            "Anhui park: renewable share 39.99 %",
            lambda: (
                verdict(
                    "anhui_park_2024", {"re_electricity_share_with_green_power": 0.3999}, "re_electricity_share"
                ).passed
            ),
            False,
        ),
        (
            "anhui_re_40_float",
            "Anhui park: 0.1 + 0.2 + 0.1 (float 0.4000000000000001) and 1.2 / 3",
            lambda: (
                verdict(
                    "anhui_park_2024",
                    {"re_electricity_share_with_green_power": 0.1 + 0.2 + 0.1},
                    "re_electricity_share",
                ).passed
                and verdict(
                    "anhui_park_2024", {"re_electricity_share_with_green_power": 1.2 / 3}, "re_electricity_share"
                ).passed
            ),
            True,
        ),
        (
            "anhui_re_40_from_accounting",
            "Anhui park: 4 GWh renewable of 10 GWh through account()",
            lambda: (
                verdict(
                    "anhui_park_2024",
                    accounting_kpis(account(AnnualEnergy(grid_import_e_kwh=6_000_000, re_generation_e_kwh=4_000_000))),
                    "re_electricity_share",
                    settings={"anhui_re_share_variant": "onsite"},
                ).passed
            ),
            True,
        ),
        (
            "anhui_credit_cap",
            "Anhui park: residual before credits 5.0 % of gross (cap 5 %)",
            lambda: (
                verdict(
                    "anhui_park_2024",
                    {"gross_emissions_t": 1000.0, "offset_green_power_t": 950.0, "carbon_credits_t": 50.0},
                    "carbon_credit_cap",
                ).passed
            ),
            True,
        ),
        (
            "anhui_credit_cap_over",
            "Anhui park: residual before credits 5.01 % of gross",
            lambda: (
                verdict(
                    "anhui_park_2024",
                    {"gross_emissions_t": 1000.0, "offset_green_power_t": 949.9, "carbon_credits_t": 50.1},
                    "carbon_credit_cap",
                ).passed
            ),
            False,
        ),
        (
            "anhui_coal_decline",
            "Anhui park: coal down exactly 3 %",
            lambda: (
                verdict(
                    "anhui_park_2024",
                    {"gross_emissions_t": 1000.0, "carbon_credits_t": 0.0, "coal_tce": 97.0},
                    "coal_decline",
                    {"last_year_coal_tce": 100.0},
                ).passed
            ),
            True,
        ),
    ]
    for cid, what, fn, want in bounds:
        try:
            got = fn()
            err = ""
        except Exception as exc:  # a criterion id renamed or an API change: report, do not crash the run
            got, err = None, f"{type(exc).__name__}: {exc}"
        out.append(
            CaseResult(
                id=f"criteria.{cid}",
                group="7 Accounting and criteria",
                compared=what,
                reference="the criterion text: threshold inclusive (>= 40 %, <= 5 %, >= 3 % decline)",
                metric="verdict",
                tolerance="exact",
                tolerance_reason="a boundary is either met or not",
                value=str(got),
                passed=bool(got is want),
                note=err,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# 8. Network against pandapower
# ---------------------------------------------------------------------------------------------
def case_network(quick: bool, plot_dir: Path | None = None) -> list[CaseResult]:
    """The reference park's annual power flow against ``pandapower.runpp`` on sampled hours."""
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.network import build_net, runpp_hour
    from lingtan.twin.studies.park import simulate_park

    path = SCENARIOS / "anhui-park.yaml"
    park = load_scenario(path)
    r = simulate_park(park, path.parent)
    n = r.network
    # 24 hours spread over the year, plus the worst hours the annual run named.
    hours = sorted(
        set(np.linspace(0, len(n.hourly_vm_pu) - 1, 8 if quick else 24).astype(int))
        | set(int(h) for h in n.worst_hours["hour"])
    )
    net = build_net(park.network, path.parent)
    dv = dl = 0.0
    for h in hours:
        ref = runpp_hour(net, r.network_p_mw, hour=h)
        dv = max(dv, float(np.abs(ref.res_bus.vm_pu.to_numpy() - n.hourly_vm_pu.iloc[h].to_numpy()).max()))
        dl = max(
            dl,
            float(
                np.abs(ref.res_line.loading_percent.to_numpy() - n.hourly_line_loading_percent.iloc[h].to_numpy()).max()
            ),
        )
    return [
        CaseResult(
            id="network.park_runpp",
            group="8 Network vs pandapower",
            compared=f"scenarios/anhui-park.yaml: {len(net.bus)} buses, {len(net.line)} lines, {len(net.trafo)} "
            f"transformers; {len(hours)} hours (spread over the year, and the worst hours of the annual run)",
            reference="pandapower.runpp (Newton-Raphson, tolerance 1e-9 MVA) on the same network and injections",
            metric="largest |vm_pu difference|; largest line-loading difference [%]",
            tolerance="1e-6 pu; 1e-4 %",
            tolerance_reason="the issue's 1e-6 pu; both solvers stop at a 1e-9 MVA mismatch, so differences are "
            "solver round-off far below either bound",
            value=f"{dv:.1e} pu; {dl:.1e} %",
            passed=bool(dv <= 1e-6 and dl <= 1e-4),
            note=f"annual run: {n.reverse_flow_hours} h of reverse flow; {len(n.violations)} findings "
            f"(e.g. {n.violations[0] if n.violations else 'none'})",
        )
    ]


CASES: dict[str, Callable[[bool, Path | None], list[CaseResult]]] = {
    "pv": case_pv,
    "wind": case_wind,
    "battery": case_battery,
    "lp": case_lp,
    "conservation": case_conservation,
    "weather": case_weather,
    "ensemble": case_ensemble,
    "accounting": case_accounting,
    "accounting_inputs": case_accounting_inputs,
    "network": case_network,
    "peer": case_peer,
    "plant": case_plant,
}


def run_cases(
    quick: bool, plot_dir: Path | None = None, only: list[str] | None = None, log: Callable[[str], None] | None = None
) -> list[CaseResult]:
    """Run every case (or those named in ``only``); a case that crashes becomes one failing row."""
    rows: list[CaseResult] = []
    for name, fn in CASES.items():
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = fn(quick, plot_dir)
        except Exception as exc:
            import traceback

            tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
            got = [
                CaseResult(
                    id=f"{name}.error",
                    group=name,
                    compared=f"case '{name}'",
                    reference="-",
                    metric="-",
                    tolerance="-",
                    tolerance_reason="-",
                    value="crashed",
                    passed=False,
                    note=f"{type(exc).__name__}: {str(exc)[:300]} ({tb[:200]})",
                )
            ]
        rows += got
        if log:
            log(f"  {name:<13} {len(got):3d} rows  {time.perf_counter() - t0:6.1f} s")
    return rows


__all__ = ["CaseResult", "CASES", "run_cases", "random_scenario_dict", "independent_balance_check", "hefei_profiles"]
