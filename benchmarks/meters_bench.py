"""A park's year of meter data: 500 meters at 15 minutes (17.5 million readings) imported into DuckDB, checked
and assessed.

The data are generated here, not committed: twelve monthly wide Parquet files (a timestamp column and
one column per meter) of grid, PV and tenant supply meters of the reference park (scenarios/anhui-park.yaml)
made from two day shapes with 1 % noise, in a temporary folder. The import, the quality check
(:func:`lingtan.meters.quality.check_store`) and the assessment of the checked store (what ``twin assess`` does
without ``--meters``: the hourly table read back, :func:`lingtan.meters.assess.meter_hours` and
:func:`lingtan.meters.assess.assess_meters`) run in one child process, so that its peak memory (resident set, as
the operating system counts it) is theirs alone. Times and memory are printed, never asserted; the issue's goals
(issue 18: import at most 60 s, assess at most 15 s, 2 GB, on two cores) are printed beside them.

Run alone: ``python benchmarks/meters_bench.py [n_meters] [days]``.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GOAL_S, GOAL_ASSESS_S, GOAL_MB = 60.0, 15.0, 2048.0
ROOT = Path(__file__).resolve().parents[1]
PARK = ROOT / "scenarios" / "anhui-park.yaml"
TENANTS = (
    "nev_parts",
    "battery_cells",
    "pv_modules",
    "data_centre",
    "cold_chain",
    "machining",
    "food_plant",
    "offices",
)


def meter_map(n_meters: int) -> dict:
    """A map of ``n_meters`` meters of the reference park: one PV meter of its shared array per ten, the rest
    supply meters of its tenants in turn (energy, kWh)."""
    meters = [{"id": "PARK-IMPORT", "flow": "grid_import", "quantity": "energy", "unit": "kWh"}]
    for i in range(1, n_meters):
        if i % 10 == 0:
            pv = {"id": f"PV{i:03d}", "flow": "pv", "asset": "carports_and_ground", "quantity": "power", "unit": "kW"}
            meters.append(pv)
        else:
            tenant = TENANTS[i % len(TENANTS)]
            meters.append(
                {"id": f"S{i:03d}", "flow": "tenant_supply", "tenant": tenant, "quantity": "energy", "unit": "kWh"}
            )
    return {"timezone": "Asia/Shanghai", "interval_label": "end", "meters": meters}


def write_files(folder: Path, n_meters: int, days: int, seed: int = 0) -> int:
    """Monthly wide Parquet files of ``n_meters`` meters over ``days`` days; returns the readings written."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2025-01-01 00:15", periods=days * 96, freq="15min")
    hour = (stamps.hour + stamps.minute / 60).to_numpy()
    sun = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    shift = ((hour >= 8) & (hour < 20)).astype(float)
    ids = [m["id"] for m in meter_map(n_meters)["meters"]]
    size = rng.uniform(100, 2000, n_meters)
    n = 0
    for month in np.unique(stamps.month):
        rows = stamps.month == month
        shape = np.where(np.array([i.startswith("PV") for i in ids]), 1.0, 0.0)
        base = np.outer(sun[rows], shape) + np.outer(0.4 + 0.6 * shift[rows], 1 - shape)
        values = base * size * (1 + 0.01 * rng.standard_normal((rows.sum(), n_meters)))
        frame = pd.DataFrame(values.astype(np.float64), columns=ids)
        frame.insert(0, "timestamp", stamps[rows].strftime("%Y-%m-%dT%H:%M:%S+08:00"))
        frame.to_parquet(folder / f"2025-{month:02d}.parquet", index=False)
        n += values.size
    return n


def _import(folder: str, n_meters: int, queue) -> None:
    """The import as ``twin meters import`` does it (file by file into a fresh DuckDB file), then the check and
    the assessment as ``twin assess`` does them."""
    from lingtan.meters.assess import assess_meters, meter_hours
    from lingtan.meters.quality import check_store
    from lingtan.meters.read import iter_readings
    from lingtan.meters.schema import check_against, meter_map_from_dict
    from lingtan.meters.store import Store, default_url
    from lingtan.twin.core.scenario import load_scenario

    scenario = load_scenario(PARK)
    t0 = time.perf_counter()
    mmap = meter_map_from_dict(meter_map(n_meters))
    check_against(mmap, scenario)
    store = Store(default_url(Path(folder) / "meters.duckdb"))
    store.put_meters(mmap)
    rows = sum(store.put_readings(part) for part in iter_readings(Path(folder) / "src", mmap, "Asia/Shanghai"))
    t1, peak = time.perf_counter(), [_peak_mb()]
    check_store(store, scenario)
    t2 = time.perf_counter()
    peak.append(_peak_mb())
    hours = meter_hours(store.table("hourly"), store.meters())
    result = assess_meters(hours, scenario, PARK.parent)
    t3 = time.perf_counter()
    store.close()
    queue.put((rows, t1 - t0, t2 - t1, t3 - t2, len(result.verdicts), [*peak, _peak_mb()]))


def _peak_mb() -> float:
    """The process's peak resident set so far [MB] (Linux reports KiB); it never falls, so each stage's reading
    is the peak up to its end."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n_meters: int = 500, days: int = 365) -> dict:
    """Generate the data, import, check and assess it in a child process, print and return the numbers.

    Parameters
    ----------
    n_meters : int
        Meters.
    days : int
        Days of 15-minute readings.

    Returns
    -------
    dict
        ``readings``, ``import_s``, ``check_s``, ``assess_s`` [s], ``peak_mb`` [MB].
    """
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "src").mkdir()
        t0 = time.perf_counter()
        written = write_files(Path(tmp) / "src", n_meters, days)
        print(
            f"generated {written:,} readings of {n_meters} meters ({days} days at 15 min) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(target=_import, args=(tmp, n_meters, queue))
        child.start()
        child.join(timeout=900)
        if child.exitcode != 0:
            raise SystemExit(f"the import failed (exit code {child.exitcode})")
        rows, seconds, check_s, assess_s, verdicts, peaks = queue.get(timeout=10)
        db_mb = (Path(tmp) / "meters.duckdb").stat().st_size / 2**20
    print(
        f"import into DuckDB: {rows:,} readings in {seconds:.1f} s (goal {GOAL_S:.0f} s), database {db_mb:.0f} MB\n"
        f"quality check: {check_s:.1f} s (twin assess --meters runs it after the import)\n"
        f"assess the checked store: {assess_s:.1f} s (goal {GOAL_ASSESS_S:.0f} s), {verdicts} verdicts\n"
        f"peak memory {peaks[-1]:.0f} MB (goal {GOAL_MB:.0f} MB); by the end of the import {peaks[0]:.0f} MB, "
        f"of the check {peaks[1]:.0f} MB"
    )
    return {"readings": rows, "import_s": seconds, "check_s": check_s, "assess_s": assess_s, "peak_mb": peaks[-1]}


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
