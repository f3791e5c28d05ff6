"""Helpers of the weather tests: where the pvlib and CSWD files are (imported by the tests
and by ``conftest.py``; a distinct module name so it cannot clash with other conftests)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_WEATHER = REPO_ROOT.parent / "shared" / "weather"


def pvlib_data(name: str) -> Path:
    import pvlib

    return Path(os.path.dirname(pvlib.__file__)) / "data" / name


@pytest.fixture(scope="session")
def shared_weather() -> Path:
    if not SHARED_WEATHER.is_dir() or not list(SHARED_WEATHER.glob("*.epw")):
        pytest.skip(f"CSWD station files not found at {SHARED_WEATHER}")
    return SHARED_WEATHER


def station_file(folder: Path, city: str) -> Path:
    hits = sorted(folder.glob(f"*.{city}.*.epw"))
    if not hits:
        pytest.skip(f"no EPW for {city} in {folder}")
    return hits[0]
