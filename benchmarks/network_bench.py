"""Annual park power flow: the twin's batch solver against pandapower's ``run_timeseries``.

Both run in this process, on the same network (:func:`lingtan.twin.network.example_park_network`,
26 buses) and the same seeded hourly profiles (:func:`lingtan.twin.network.example_profiles`):

(a) pandapower's own time-series loop: ``ConstControl`` on ``load.p_mw`` and ``load.q_mvar``
    fed by ``DFData``, ``OutputWriter`` logging ``res_bus.vm_pu``, ``run_timeseries``.
    Its cost is linear in hours; when a probe says the full year would take longer than
    ``max_reference_s`` (default 180 s), it runs on a contiguous block of hours and is
    extrapolated linearly to ``n_hours`` -- the output says so.
(b) :func:`lingtan.twin.network.annual_power_flow` on all ``n_hours`` (model preparation,
    i.e. one ``runpp`` for pandapower's admittance matrix, included).

It also compares the bus voltages of both on every hour pandapower solved.

Run alone: ``python benchmarks/network_bench.py [n_hours]``.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd

GOAL_RATIO = 20.0


def _reference(net, P: np.ndarray, Q: np.ndarray, load_idx: np.ndarray, hours: range):
    """pandapower run_timeseries over ``hours``; returns (seconds, vm_pu DataFrame hours x buses)."""
    import copy

    from pandapower.control import ConstControl
    from pandapower.timeseries import DFData, OutputWriter, run_timeseries

    net = copy.deepcopy(net)
    cols = [str(i) for i in load_idx]
    df_p = pd.DataFrame(P.T, columns=[f"p_{c}" for c in cols])
    df_q = pd.DataFrame(Q.T, columns=[f"q_{c}" for c in cols])
    ConstControl(
        net,
        element="load",
        variable="p_mw",
        element_index=list(load_idx),
        profile_name=list(df_p.columns),
        data_source=DFData(df_p),
    )
    ConstControl(
        net,
        element="load",
        variable="q_mvar",
        element_index=list(load_idx),
        profile_name=list(df_q.columns),
        data_source=DFData(df_q),
    )
    ow = OutputWriter(net, time_steps=hours, output_path=None, log_variables=[("res_bus", "vm_pu")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        run_timeseries(net, time_steps=hours, verbose=False, calculate_voltage_angles=True)
        seconds = time.perf_counter() - t0
    return seconds, ow.output["res_bus.vm_pu"]


def measure(n_hours: int = 8760, max_reference_s: float = 180.0, probe_hours: int = 48, seed: int = 1) -> dict:
    """Time pandapower's run_timeseries and the twin's annual power flow in this run.

    Returns
    -------
    dict
        ``reference_s`` (pandapower for ``n_hours``, measured or extrapolated),
        ``reference_hours_run``, ``reference_extrapolated``, ``twin_s``, ``ratio``
        (reference / twin), ``goal_ratio``, ``passed``, ``max_abs_vm_diff_pu`` over all
        hours both solved, ``n_buses``, ``n_hours``.
    """
    from lingtan.twin.network import annual_power_flow, build_net, example_park_network, example_profiles
    from lingtan.twin.network.solve import hourly_pq

    net = build_net(example_park_network())
    p_mw, index = example_profiles(n_hours, seed=seed)
    loads, P, Q = hourly_pq(net, p_mw, None, 0.95)
    q_mvar = {name: Q[k] for k, name in enumerate(loads.index)}

    # the twin: warm the imports once on a day, then time the full year
    annual_power_flow(net, {k: v[:24] for k, v in p_mw.items()}, {k: v[:24] for k, v in q_mvar.items()})
    t0 = time.perf_counter()
    result = annual_power_flow(net, p_mw, q_mvar, index=index)
    twin_s = time.perf_counter() - t0

    # pandapower: a short probe, then the full year or a contiguous block
    _reference(net, P, Q, loads.to_numpy(), range(0, min(4, n_hours)))  # warm-up (numba, caches)
    probe = min(probe_hours, n_hours)
    probe_s, _ = _reference(net, P, Q, loads.to_numpy(), range(0, probe))
    per_hour = probe_s / probe
    if per_hour * n_hours <= max_reference_s:
        hours = range(0, n_hours)
    else:
        block = max(probe, int(max_reference_s / per_hour / 2))
        block = min(block, n_hours)
        start = (n_hours - block) // 2  # a mid-year block: summer peak and PV
        hours = range(start, start + block)
    ref_run_s, vm_ref = _reference(net, P, Q, loads.to_numpy(), hours)
    reference_s = ref_run_s * n_hours / len(hours)

    vm_twin = result.hourly_vm_pu.iloc[list(hours)].to_numpy()
    diff = float(np.nanmax(np.abs(vm_twin - vm_ref.to_numpy()[:, : vm_twin.shape[1]])))
    ratio = reference_s / twin_s
    return {
        "n_hours": n_hours,
        "n_buses": int(len(net.bus)),
        "reference": "pandapower.timeseries.run_timeseries (ConstControl + DFData + OutputWriter)",
        "reference_s": reference_s,
        "reference_hours_run": len(hours),
        "reference_extrapolated": len(hours) < n_hours,
        "reference_s_per_hour": ref_run_s / len(hours),
        "twin_s": twin_s,
        "twin_solver": result.solver,
        "ratio": ratio,
        "goal_ratio": GOAL_RATIO,
        "passed": ratio >= GOAL_RATIO,
        "max_abs_vm_diff_pu": diff,
    }


def report(res: dict) -> str:
    extra = (
        f" (measured on {res['reference_hours_run']} contiguous hours, extrapolated linearly)"
        if res["reference_extrapolated"]
        else ""
    )
    return "\n".join(
        [
            f"Annual park power flow, {res['n_buses']} buses x {res['n_hours']} h:",
            f"  pandapower run_timeseries : {res['reference_s']:8.1f} s{extra}",
            f"  twin annual_power_flow    : {res['twin_s']:8.2f} s",
            f"  speed ratio               : {res['ratio']:8.0f}x  (goal >= {res['goal_ratio']:.0f}x) "
            f"{'PASS' if res['passed'] else 'MISS'}",
            f"  max |vm_pu difference|    : {res['max_abs_vm_diff_pu']:.1e} pu on {res['reference_hours_run']} h "
            f"{'PASS' if res['max_abs_vm_diff_pu'] <= 1e-6 else 'MISS'} (goal <= 1e-6)",
        ]
    )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8760
    out = measure(n)
    print(report(out))
    print(json.dumps({k: v for k, v in out.items() if k != "twin_solver"}, default=str))
