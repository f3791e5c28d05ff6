"""The frame of the small synthetic parks the park tests build by hand: a site near Hefei, synthetic weather,
Anhui's large-industry tariff and a 30 MW / 5 MW grid connection; each test file adds its tenants."""

from __future__ import annotations

ALL_YEAR = {"shifts_per_day": 3, "shift_hours": 8, "first_shift_start_h": 0, "working_days_per_week": 7}
"""A process calendar that runs around the clock every day."""


def hefei_park(name: str, emission_factor: str = "national_2022") -> dict:
    """A park scenario's mapping without tenants: its name, site, year 2025, weather and grid.

    Parameters
    ----------
    name : str
        The park's name.
    emission_factor : str
        The grid's emission factor (a key of the shipped factors).

    Returns
    -------
    dict
        A fresh mapping, to complete with ``tenants`` and edit.
    """
    return {
        "name": name,
        "site": {"latitude": 31.87, "longitude": 117.23, "altitude_m": 27},
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei", "seed": 1},
        "grid": {
            "import_limit_kw": 30000,
            "export_allowed": True,
            "export_limit_kw": 5000,
            "tariff": "anhui_large_industry_2025",
            "emission_factor": emission_factor,
        },
    }
