"""A park year and the dispatch kernel, against PySAM PV+Battwatts in the same run.

Run alone with ``python benchmarks/park.py``; :func:`measure` and :func:`rows` are for ``benchmarks/run.py``.

Measured on the reference park (scenarios/anhui-park.yaml, eight tenants, shared PV, wind and battery,
a heat network and a 27-bus network):

* ``twin run`` of the park, fresh process, imports included, ``--reports none`` (median of 3 after a
  warm-up that fills the numba cache); the goal is <= 8 s (issue 14; about 30 s before);
* ``simulate_park`` in process with and without the hourly power flow (median of 3);
* the kernel alone on the default factory: one recorded single run, and a 2 000-configuration sweep;
* the peer: one PySAM PVWatts v8 + Battwatts factory-year on the same weather and load, times the park's
  sites (tenants and the park bus), which is what a park year would cost as that many factory-years.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PARK = ROOT / "scenarios" / "anhui-park.yaml"
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"
GOAL_PARK_S = 8.0


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def park_cli_wall() -> float:
    """Wall seconds of ``twin run anhui-park.yaml --reports none`` as a fresh process (median of 3)."""
    twin = Path(sys.executable).with_name("twin")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(twin), "run", str(PARK), "--out", str(Path(tmp) / "out"), "--quiet", "--reports", "none"]
        subprocess.run(cmd, check=True)  # warm the numba cache and the OS file cache
        return _median_time(lambda: subprocess.run(cmd, check=True), 3)


def kernel_times() -> dict:
    """Seconds of the dispatch kernel on the default factory: one recorded year, and a 2 000-case sweep."""
    from lingtan.twin.core.dispatch import dispatch
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.run import build_profiles, kernel_params, period_masks

    sc = load_scenario(FACTORY)
    prof = build_profiles(sc, FACTORY.parent)
    gc, dc = period_masks(sc.battery)
    kw = dict(
        period=prof.period,
        month=prof.month,
        price_cny_per_kwh=prof.price_cny_per_kwh,
        feed_in_cny_per_kwh=prof.tariff.feed_in_price_cny_per_kwh,
        grid_charge_periods=gc,
        discharge_periods=dc,
    )
    caps = np.array([[a.capacity_kwp for a in sc.pv]])
    one = kernel_params(sc.grid, sc.battery)
    n = 2000
    bat = np.linspace(0, 40000, n)
    many = kernel_params(sc.grid, sc.battery, n, energy_kwh=bat, charge_kw=bat / 2, discharge_kw=bat / 2)
    many_caps = np.repeat(caps, n, axis=0) * np.linspace(0, 2, n)[:, None]
    dispatch(prof.unit_kw, caps, prof.load_kw, one, record_hourly=True, **kw)  # compile or load the cache
    dispatch(prof.unit_kw, many_caps[:2], prof.load_kw, many[:2], **kw)
    return {
        "single_s": _median_time(lambda: dispatch(prof.unit_kw, caps, prof.load_kw, one, record_hourly=True, **kw), 20),
        "sweep_n": n,
        "sweep_s": _median_time(lambda: dispatch(prof.unit_kw, many_caps, prof.load_kw, many, **kw), 3),
    }


def measure() -> dict:
    """Every measurement of this file, and the peer's factory-year [s] (None without PySAM)."""
    from lingtan.twin.core.scenario import load_scenario
    from lingtan.twin.studies.park import simulate_park

    park = load_scenario(PARK)
    simulate_park(park, PARK.parent)
    out = {
        "sites": len(park.tenants) + 1,
        "in_process_s": _median_time(lambda: simulate_park(park, PARK.parent), 3),
        "no_power_flow_s": _median_time(lambda: simulate_park(park, PARK.parent, power_flow=False), 3),
        "cli_s": park_cli_wall(),
        **kernel_times(),
    }
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from run import pysam_pv_battery_year

        from lingtan.twin.run import build_profiles

        factory = load_scenario(FACTORY)
        out["peer_s"] = pysam_pv_battery_year(build_profiles(factory, FACTORY.parent), factory)
    except ImportError:  # PySAM is a dev extra
        out["peer_s"] = None
    return out


def rows(m: dict) -> list[tuple[str, str, str]]:
    """(measurement, value, comparison) rows for ``benchmarks/run.py``'s table."""
    peer = m["peer_s"]
    park_peer = (
        f"{m['cli_s'] / (peer * m['sites']):,.0f}x the peer's {m['sites']} factory-years"
        if peer
        else "peer not installed"
    )
    out = [
        (
            f"twin run reference park ({m['sites'] - 1} tenants + bus, network), fresh process",
            f"{m['cli_s']:.2f} s",
            f"goal <= {GOAL_PARK_S:.0f} s (about 30 s before): {'PASS' if m['cli_s'] <= GOAL_PARK_S else 'MISS'}; "
            + park_peer,
        ),
        (
            "simulate_park in process, with / without the hourly power flow",
            f"{m['in_process_s']:.2f} / {m['no_power_flow_s']:.2f} s",
            "",
        ),
    ]
    single, per_case = m["single_s"], m["sweep_s"] / m["sweep_n"]
    out.append(
        (
            "dispatch kernel, one recorded factory-year (checks included)",
            f"{single * 1e3:.2f} ms",
            f"{peer / single:,.0f}x the peer's speed" if peer else "",
        )
    )
    out.append(
        (
            f"dispatch kernel, {m['sweep_n']} configurations",
            f"{per_case * 1e6:.0f} us/year",
            f"1/{peer / per_case:,.0f} of the peer's year" if peer else "",
        )
    )
    return out


if __name__ == "__main__":
    result = rows(measure())
    width = max(len(r[0]) for r in result)
    for name, value, note in result:
        print(f"{name:<{width}}  {value:>14}  {note}")
