"""Speed and memory of the twin, as ratios against NREL SAM (PySAM) measured in the same run.

Run with ``make bench``. Nothing here is a test: it prints measurements and the
ratios the project's issues set as goals, with PASS/MISS beside each goal.

Measured, on the default scenario's weather and load:

1. PySAM PVWatts v8 + Battwatts for one factory-year (the peer), median of repeats.
2. ``twin run`` of the default scenario as a fresh process, imports included (wall time), and the
   same run with pvlib imported whole first, as it was before pvlib loaded lazily.
3. A 10 000-configuration size sweep (PV kWp x battery kWh) through the same
   dispatch kernel as single runs: configurations per second, cost per
   factory-year against the peer, and peak memory of the sweep process.
4. A 100-year weather ensemble of the default scenario beside one year (issue 15), and the same years with
   the load and tariff level drawn jointly beside the weather-only ensemble on one worker (issue 15 point 5).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
HEAT_SCENARIO = ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"
ENSEMBLE_YEARS = 100
JOINT_UNCERTAINTY = {"load_scale": {"normal": {"mean": 1.0, "sd": 0.05}}, "tariff_scale": [0.9, 1.1]}
"""The joint ensemble's drawn quantities: those whose members share one PV profile per year (a drawn PV age
adds a PV model run per member)."""


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ensemble_times(fn) -> tuple[float, float]:
    """Wall seconds of ``fn()`` and its CPU seconds, this process's and its finished workers' together.

    On a machine shared with other work the wall time says little; the CPU time over the cores gives the
    wall time on an idle machine (the ensemble's workers run its members side by side).
    """
    import os

    before, t0, c0 = os.times(), time.perf_counter(), time.process_time()
    fn()
    wall, cpu, after = time.perf_counter() - t0, time.process_time() - c0, os.times()
    return wall, cpu + (after.children_user - before.children_user) + (after.children_system - before.children_system)


def joint_row(scenario) -> tuple[str, str, str]:
    """The weather ensemble with :data:`JOINT_UNCERTAINTY` drawn jointly against the weather-only ensemble, both
    in this process on one worker: CPU seconds, their ratio."""
    from lingtan.twin.core.schema.uncertainty import Uncertainty
    from lingtan.twin.studies.ensemble import simulate_ensemble
    from lingtan.twin.studies.joint import simulate_joint

    unc = scenario.model_copy(update={"uncertainty": Uncertainty.model_validate(JOINT_UNCERTAINTY)})
    simulate_joint(unc, SCENARIO.parent, years=2)  # compile the kernel for several configurations first
    _, alone = ensemble_times(lambda: simulate_ensemble(scenario, SCENARIO.parent, years=ENSEMBLE_YEARS, jobs=1))
    wall, cpu = ensemble_times(lambda: simulate_joint(unc, SCENARIO.parent, years=ENSEMBLE_YEARS))
    return (
        f"twin weather ensemble with load and tariff level drawn jointly, {ENSEMBLE_YEARS} years, one worker",
        f"{wall:.2f} s wall, {cpu:.2f} s CPU",
        f"{cpu / alone:.2f}x the CPU of the weather-only ensemble on one worker ({alone:.2f} s), which runs "
        "each year as a single run; the joint one dispatches 50 years' members and the same years at the median "
        "(the tornado's weather bar) in one kernel call",
    )


def pysam_pv_battery_year(prof, scenario) -> float:
    """Seconds for one PySAM PVWatts v8 + Battwatts year on the same weather and load."""
    import PySAM.Battwatts as battwatts
    import PySAM.Pvwattsv8 as pvwatts

    w = prof.weather
    site = scenario.site
    arr = scenario.pv[0]
    bat = scenario.battery[0]
    resource_data = dict(
        lat=site.latitude,
        lon=site.longitude,
        tz=8,
        elev=site.altitude_m,
        year=w.index.year.tolist(),
        month=w.index.month.tolist(),
        day=w.index.day.tolist(),
        hour=w.index.hour.tolist(),
        minute=[30] * len(w),
        dn=w.dni.tolist(),
        df=w.dhi.tolist(),
        gh=w.ghi.tolist(),
        tdry=w.temp_air.tolist(),
        wspd=w.wind_speed.tolist(),
    )
    load = prof.load_kw.tolist()

    def one_year():
        pv = pvwatts.default("PVWattsBatteryCommercial")
        pv.SolarResource.solar_resource_data = resource_data
        pv.SystemDesign.system_capacity = arr.capacity_kwp
        pv.SystemDesign.tilt = arr.tilt_deg
        pv.SystemDesign.azimuth = arr.azimuth_deg
        pv.SystemDesign.dc_ac_ratio = arr.dc_ac_ratio
        pv.SystemDesign.losses = arr.losses_fraction * 100
        pv.execute()
        b = battwatts.from_existing(pv, "PVWattsBatteryCommercial")
        b.Battery.batt_simple_enable = 1
        b.Battery.batt_simple_kwh = bat.energy_kwh
        b.Battery.batt_simple_kw = bat.charge_kw
        b.Battery.load = load
        b.Battery.ac = pv.Outputs.ac
        b.Battery.dc = pv.Outputs.dc
        b.execute()

    one_year()
    return _median_time(one_year, 5)


def twin_run_wall(reports: str = "none", first: str = "") -> float:
    """Wall seconds of ``twin run --reports REPORTS`` on the default scenario as a fresh process (median of 3).

    ``first`` is Python run in that process before the command (``import pvlib``: the run as it was before
    pvlib loaded lazily, for a before/after ratio in one session).
    """
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["run", str(SCENARIO), "--out", str(Path(tmp) / "out"), "--quiet", "--reports", reports]
        code = f"{first}\nimport sys\nfrom lingtan.twin.cli import main\nsys.exit(main({argv!r}))"
        cmd = [sys.executable, "-c", code]
        subprocess.run(cmd, check=True)  # warm the numba cache and the OS file cache
        return _median_time(lambda: subprocess.run(cmd, check=True), 3)


_SWEEP_CHILD = """
import json, resource, sys, time
import numpy as np
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import build_profiles, kernel_params, period_masks
from lingtan.twin.core.heat_profiles import heat_sizes
from lingtan.twin.core.dispatch import dispatch
sc = load_scenario(sys.argv[1]); prof = build_profiles(sc, __import__('pathlib').Path(sys.argv[1]).parent)
n_pv, n_bat = int(sys.argv[2]), int(sys.argv[3])
pv, bat = np.meshgrid(np.linspace(0, 20000, n_pv), np.linspace(0, 40000, n_bat), indexing='ij')
pv, bat = pv.ravel(), bat.ravel()
caps = pv[:, None]
params = kernel_params(sc.grid, sc.battery, len(pv), energy_kwh=bat, charge_kw=bat / 2, discharge_kw=bat / 2)
gc, dc = period_masks(sc.battery)
kw = dict(period=prof.period, month=prof.month, price_cny_per_kwh=prof.price_cny_per_kwh,
          feed_in_cny_per_kwh=prof.tariff.feed_in_price_cny_per_kwh, grid_charge_periods=gc, discharge_periods=dc,
          heat=prof.heat.system)
dispatch(prof.unit_kw, caps[:2], prof.load_kw, params[:2], heat_sizes=heat_sizes(sc, 2), **kw)  # compile/load cache
t0 = time.perf_counter()
res = dispatch(prof.unit_kw, caps, prof.load_kw, params, heat_sizes=heat_sizes(sc, len(pv)), **kw)
dt = time.perf_counter() - t0
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n": len(pv), "seconds": dt, "peak_rss_mb": rss_mb}))
"""


def twin_sweep(scenario: Path = SCENARIO, n_pv: int = 100, n_bat: int = 100) -> dict:
    """Run a size sweep in a fresh process; return its count, kernel seconds and peak memory."""
    out = subprocess.run(
        [sys.executable, "-c", _SWEEP_CHILD, str(scenario), str(n_pv), str(n_bat)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.run import build_profiles, simulate
    from lingtan.twin.studies.ensemble import simulate_ensemble

    scenario = load_scenario(SCENARIO)
    prof = build_profiles(scenario, SCENARIO.parent)
    rows = []

    peer = pysam_pv_battery_year(prof, scenario)
    rows.append(("PySAM PVWatts v8 + Battwatts, one factory-year", f"{peer * 1e3:.1f} ms", "peer"))

    single = _median_time(lambda: simulate(scenario, SCENARIO.parent), 3)
    rows.append(
        (
            "twin simulate(), one factory-year, in process",
            f"{single * 1e3:.1f} ms",
            f"{peer / single:.2f}x the peer's speed",
        )
    )

    quarter = _median_time(lambda: simulate(scenario.model_copy(update={"time_step_min": 15}), SCENARIO.parent), 3)
    rows.append(
        (
            "twin simulate(), the same year on 15-minute steps",
            f"{quarter * 1e3:.1f} ms",
            f"{quarter / single:.2f}x the hourly year; goal <= 3 s (issue 16): {'PASS' if quarter <= 3.0 else 'MISS'}",
        )
    )

    ens, ens_cpu = ensemble_times(lambda: simulate_ensemble(scenario, SCENARIO.parent, years=ENSEMBLE_YEARS))
    rows.append(
        (
            f"twin weather ensemble, {ENSEMBLE_YEARS} years + the typical year of the default scenario, in process",
            f"{ens:.2f} s wall, {ens_cpu:.2f} s CPU",
            f"{ens / single:.0f}x one year's wall ({ens_cpu / single / (ENSEMBLE_YEARS + 1):.2f} year's CPU per "
            f"member); on 2 idle cores about {ens_cpu / 2:.1f} s (CPU / 2); goal <= 10 s on 2 cores (issue 15): "
            f"{'PASS' if ens <= 10.0 else 'MISS'} wall, {'PASS' if ens_cpu / 2 <= 10.0 else 'MISS'} CPU / 2",
        )
    )

    rows.append(joint_row(scenario))

    wall = twin_run_wall("none")
    rows.append(
        (
            "twin run default scenario (tables, KPIs, criteria), fresh process, imports included",
            f"{wall:.2f} s",
            f"{wall / peer:,.0f}x the peer's time; goal <= 2.0 s (issue 14): {'PASS' if wall <= 2.0 else 'MISS'}",
        )
    )
    eager = twin_run_wall("none", first="import pvlib")
    rows.append(
        (
            "the same with pvlib imported whole first (before issue 14: its __init__ loads 25 modules)",
            f"{eager:.2f} s",
            f"lazy pvlib takes {wall / eager:.2f} of it",
        )
    )
    wall_all = twin_run_wall("all")
    rows.append(
        (
            "twin run default scenario with report.html and report.xlsx",
            f"{wall_all:.2f} s",
            "the Excel workbook's 8760-row sheets cost about 2.5 s (openpyxl)",
        )
    )

    sweep = twin_sweep()
    per_cfg = sweep["seconds"] / sweep["n"]
    rate = sweep["n"] / sweep["seconds"]
    rows.append(
        (
            f"twin size sweep, {sweep['n']} configurations (kernel)",
            f"{rate:,.0f} configs/s",
            f"goal >= 10 000/s: {'PASS' if rate >= 10_000 else 'MISS'}",
        )
    )
    rows.append(
        (
            "sweep cost per factory-year / PySAM PV+battery year",
            f"1/{peer / per_cfg:,.0f}",
            f"goal <= 1/100: {'PASS' if peer / per_cfg >= 100 else 'MISS'}",
        )
    )
    rows.append(("peak memory of the sweep process", f"{sweep['peak_rss_mb']:.0f} MB", ""))

    coupled = twin_sweep(HEAT_SCENARIO, 50, 40)
    per_year = coupled["seconds"] / coupled["n"]
    rows.append(
        (
            f"coupled electric-heat kernel, paint-shop plant, {coupled['n']} configurations",
            f"{per_year * 1e6:,.0f} us/year",
            f"1/{peer / per_year:,.0f} of the peer's PV+battery year",
        )
    )

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from network_bench import measure as network_measure
    from park import measure as park_measure
    from park import rows as park_rows
    from sweep_bench import measure as sweep_measure
    from sweep_bench import rows as sweep_rows

    rows += sweep_rows(sweep_measure())
    rows += park_rows(park_measure())

    net = network_measure()
    rows.append(
        (
            f"park annual power flow, {net['n_hours']} h: pandapower run_timeseries / twin",
            f"{net['ratio']:,.0f}x",
            f"goal >= 20x: {'PASS' if net['ratio'] >= 20 else 'MISS'}; "
            f"max |dV| {net['max_abs_vm_diff_pu']:.1e} pu"
            + ("; reference extrapolated" if net.get("reference_extrapolated") else ""),
        )
    )

    print_table(rows)
    print(
        f"\nmachine: {__import__('os').cpu_count()} cores, 1-min load average {__import__('os').getloadavg()[0]:.2f} "
        f"at the end; numpy {np.__version__}"
    )
    return 0


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """Print (measurement, value, comparison) rows as an aligned table."""
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':>18}  comparison")
    print("-" * (width + 42))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")


if __name__ == "__main__":
    sys.exit(main())
