"""The dispatch kernel's compiled variants, compiled (or loaded from numba's cache) before the first test.

On a fresh clone numba's cache is empty and the six variants of :data:`lingtan.twin.core.dispatch._KERNELS` take
about a minute to compile in one process (5-16 s each, the heat ones the slowest). Left to the tests, each xdist
worker compiled whichever variant its tests met first, at times the same one as the other worker at the same time,
and a ``twin run`` subprocess started before the cache was written compiled again. :func:`compile_kernels` has
each worker compile its own share (:data:`SHARES`) under one lock per variant, then load the other worker's share
from the cache: the minute is spent once, split over the workers.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

import numpy as np

SHARES = (
    ((False, True, False), (True, True, False), (False, False, True)),
    ((False, False, False), (True, False, False), (False, True, True)),
)
"""The ``(parallel, has_heat, record)`` keys of the kernels, in two shares of about 30 s of compiling each (cold,
one core): the heat kernel and its parallel twin share their block, as do the electric ones."""


def compile_kernel(parallel: bool, has_heat: bool, record: bool) -> None:
    """The kernel ``(parallel, has_heat, record)`` of ``_KERNELS`` compiled, or loaded from numba's cache, for the
    arguments :func:`dispatch` gives it, without running it: a parallel kernel that ran would start its OpenMP
    threads in every worker for the rest of the session."""
    from numba import typeof

    from lingtan.twin.core import dispatch as d

    kernel = d._KERNELS[(parallel, has_heat, record)]
    d._KERNELS[(parallel, has_heat, record)] = lambda *args: kernel.compile(tuple(typeof(a) for a in args))
    try:
        run_kernel(parallel, has_heat, record)
    finally:
        d._KERNELS[(parallel, has_heat, record)] = kernel


def bare_system(t, demand_kw_th=None, gas_boiler=False, **fields):
    """A heat side of ``t`` steps with no thermal store and no power-to-heat unit: a demand per row of
    ``demand_kw_th`` (none by default), with ``gas_boiler`` one boiler of no limit serving them all, and ``fields``
    (CHP units, hydrogen, load stores) as given."""
    z = np.zeros
    res = z((0, t)) if demand_kw_th is None else np.asarray(demand_kw_th, float).reshape(-1, t)
    d, b = len(res), int(gas_boiler)
    from lingtan.twin.core.dispatch import HeatSystem

    return HeatSystem(
        residual_kw_th=res,
        store_recoverable_kw_th=z((0, t)),
        store_serves=z((0, d), bool),
        store_keep=z(0),
        unit_cop=z((0, t)),
        unit_max_kw_th=z((0, t)),
        unit_serves=z((0, d), bool),
        unit_charges=z((0, 0), bool),
        unit_grid_allowed=z(0, bool),
        boiler_capacity_kw_th=np.full(b, 1e9),
        boiler_serves=np.ones((b, d), bool),
        **fields,
    )


def run_kernel(parallel: bool, has_heat: bool, record: bool) -> None:
    """One tiny dispatch (two hours) that goes through the kernel ``(parallel, has_heat, record)`` of ``_KERNELS``:
    two configurations run in parallel, one serially; with a heat side (one demand, no store or unit) or not.
    The arrays have the dtypes and layouts every run gives the kernel (``dispatch`` makes them so), so the
    compiled signature is the one the tests use."""
    from lingtan.twin.core.dispatch import HeatSizes, dispatch, params_matrix

    n, t = (2 if parallel else 1), 2
    heat = sizes = None
    if has_heat:
        heat = bare_system(t, np.ones((1, t)), gas_boiler=True)
        sizes = HeatSizes(np.zeros((n, 0)), np.zeros((n, 0)), np.zeros((n, 0)), np.zeros((n, 0)), np.zeros((n, 0)))
    params = params_matrix(
        n,
        energy_kwh=1.0,
        charge_kw=1.0,
        discharge_kw=1.0,
        charge_efficiency=1.0,
        discharge_efficiency=1.0,
        soc_min=0.0,
        soc_max=1.0,
        self_discharge_fraction_per_hour=0.0,
        soc_initial=0.0,
        import_limit_kw=1e9,
        export_limit_kw=0.0,
        strategy=0,
        load_scale=1.0,
    )
    dispatch(
        np.ones((1, t)),
        np.ones((n, 1)),
        np.ones(t),
        params,
        period=np.zeros(t, int),
        month=np.zeros(t, int),
        price_cny_per_kwh=np.ones(t),
        heat=heat,
        heat_sizes=sizes,
        record_hourly=record,
    )


def compile_kernels(worker: int, lock_dir: Path) -> None:
    """Every kernel variant compiled or loaded in this process, this worker's share first.

    Parameters
    ----------
    worker : int
        The xdist worker's number (0 for ``gw0``).
    lock_dir : Path
        A folder common to the session's workers, for the locks: one per variant, held while it compiles, so the
        other worker waits for it and then loads it from the cache instead of compiling it a second time.
    """
    order = SHARES[worker % len(SHARES)] + SHARES[(worker + 1) % len(SHARES)]
    for key in order:
        with open(lock_dir / ("kernel_" + "".join(str(int(k)) for k in key) + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            compile_kernel(*key)
