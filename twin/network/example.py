"""The example park network and its seeded hourly profiles, for tests and benchmarks.

The park's data (network and profile sizes, with their source) live in
``scenarios/data/example_park_network.json``; this module reads them and makes the hourly
net demand, a year of synthetic shift work and clear-sky PV.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from lingtan.twin.core.schema.network import Network

EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "data" / "example_park_network.json"
"""The example park's data file (shipped with the scenario library)."""


@lru_cache(maxsize=1)
def _example_data() -> dict:
    return json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))


def example_park_network() -> Network:
    """A 10 kV park: 2 x 40 MVA 110/10.5 kV, three cable feeders, 9 tenants, 2 public PV plants.

    26 buses: 110 kV grid, 10 kV busbar, 15 feeder buses and 9 tenant 0.38 kV buses; the
    two PV plants connect at feeder buses (10 kV). The data and their source are in :data:`EXAMPLE_FILE`.

    Returns
    -------
    Network
    """
    return Network.model_validate(_example_data()["network"])


def example_profiles(
    n_hours: int = 8760, seed: int = 1, year: int = 2025
) -> tuple[dict[str, np.ndarray], pd.DatetimeIndex]:
    """Seeded hourly net demand [MW] for :func:`example_park_network` (load convention).

    Tenants follow a shift pattern (day shifts 08:00-20:00 on weekdays, 55 % at night and
    70 % at weekends) with seasonal cooling (+/-15 %, peak in mid-July) and 5 % noise; round-
    the-clock tenants run at 85 % of peak. The public PV plants follow a clear-sky bell
    (sine of the solar altitude to the power 1.2, 85 % performance) with a random daily
    cloudiness of 25-100 %, fed in as negative demand. Sizes come from :data:`EXAMPLE_FILE`.

    Parameters
    ----------
    n_hours : int
        Length of the series [h], from 1 January of ``year`` 00:00.
    seed : int
        Seed of the random generator (noise and cloudiness).
    year : int
        Calendar year of the index (Asia/Shanghai).

    Returns
    -------
    p_mw : dict name -> ndarray (n_hours,)
        Net demand of each connection [MW].
    index : pandas DatetimeIndex
        The hours.
    """
    spec = _example_data()["profiles"]
    rng = np.random.default_rng(seed)
    index = pd.date_range(f"{year}-01-01", periods=n_hours, freq="h", tz="Asia/Shanghai")
    h = index.hour.to_numpy()
    doy = index.dayofyear.to_numpy()
    weekday = index.dayofweek.to_numpy() < 5
    shift = np.where((h >= 8) & (h < 20), 1.0, 0.55) * np.where(weekday, 1.0, 0.7)
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (doy - 200) / 365)
    p = {}
    for name, peak in spec["tenant_peak_mw"].items():
        prof = np.full(n_hours, 0.85) if name in spec["round_the_clock"] else shift
        p[name] = peak * np.clip(prof * season / 1.15 * (1 + 0.05 * rng.standard_normal(n_hours)), 0.05, 1.0)
    decl = 23.45 * np.sin(np.deg2rad(360 * (284 + doy) / 365))
    ha = (h + 0.5 - 12) * 15.0
    lat = np.deg2rad(spec["latitude_deg"])
    sin_alt = np.sin(lat) * np.sin(np.deg2rad(decl)) + np.cos(lat) * np.cos(np.deg2rad(decl)) * np.cos(np.deg2rad(ha))
    daily_cloud = np.repeat(rng.uniform(0.25, 1.0, n_hours // 24 + 1), 24)[:n_hours]
    pv_pu = np.clip(sin_alt, 0, None) ** 1.2 * daily_cloud * 0.85
    for name, peak in spec["pv_peak_mw"].items():
        p[name] = -peak * pv_pu
    return p, index
