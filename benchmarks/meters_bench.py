"""Importing a park's year of meter data: 500 meters at 15 minutes (17.5 million readings) into DuckDB.

The data are generated here, not committed: twelve monthly wide Parquet files (a timestamp column and
one column per meter) of grid, PV and tenant supply meters made from two day shapes with 1 % noise, in
a temporary folder. The import runs in a child process so that its peak memory (resident set, as the
operating system counts it) is the import's alone. Time and memory are printed, never asserted; the
issue's goal (issue 18: at most 60 s and 2 GB on two cores) is printed beside them.

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

GOAL_S, GOAL_MB = 60.0, 2048.0


def meter_map(n_meters: int) -> dict:
    """A map of ``n_meters`` meters: one PV array per ten, the rest tenant supply (energy, kWh)."""
    meters = [{"id": "PARK-IMPORT", "flow": "grid_import", "quantity": "energy", "unit": "kWh"}]
    for i in range(1, n_meters):
        if i % 10 == 0:
            meters.append({"id": f"PV{i:03d}", "flow": "pv", "asset": "roof", "quantity": "power", "unit": "kW"})
        else:
            meters.append(
                {"id": f"S{i:03d}", "flow": "tenant_supply", "tenant": "t", "quantity": "energy", "unit": "kWh"}
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
    """The import alone, as ``twin meters import`` does it: file by file into a fresh DuckDB file."""
    from lingtan.meters.read import iter_readings
    from lingtan.meters.schema import meter_map_from_dict
    from lingtan.meters.store import Store, default_url

    t0 = time.perf_counter()
    mmap = meter_map_from_dict(meter_map(n_meters))
    store = Store(default_url(Path(folder) / "meters.duckdb"))
    store.put_meters(mmap)
    rows = sum(store.put_readings(part) for part in iter_readings(Path(folder) / "src", mmap, "Asia/Shanghai"))
    store.close()
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    queue.put((rows, seconds, peak_mb))


def main(n_meters: int = 500, days: int = 365) -> dict:
    """Generate the data, import it in a child process, print and return the numbers.

    Parameters
    ----------
    n_meters : int
        Meters.
    days : int
        Days of 15-minute readings.

    Returns
    -------
    dict
        ``readings``, ``import_s``, ``peak_mb``.
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
        rows, seconds, peak_mb = queue.get(timeout=10)
        db_mb = (Path(tmp) / "meters.duckdb").stat().st_size / 2**20
    print(
        f"import into DuckDB: {rows:,} readings in {seconds:.1f} s (goal {GOAL_S:.0f} s), "
        f"peak memory {peak_mb:.0f} MB (goal {GOAL_MB:.0f} MB), database {db_mb:.0f} MB"
    )
    return {"readings": rows, "import_s": seconds, "peak_mb": peak_mb}


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
