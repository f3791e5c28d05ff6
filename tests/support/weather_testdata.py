"""Helpers of the weather tests (imported by the tests and by ``conftest.py``; a distinct module name so it
cannot clash with other conftests). Where the reference files are is :mod:`lingtan.validation.reference_weather`'s
business; this only adds the pytest side (fixtures; a missing file goes to the root conftest's ``references``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lingtan.validation.reference_weather import cswd_dir, cswd_files  # noqa: F401


def station(city: str) -> Path | None:
    """The CSWD file of ``city`` (e.g. ``"Hefei"``), or None when the station files are not available."""
    hits = [p for p in cswd_files() if f".{city}." in p.name]
    return hits[0] if hits else None


@pytest.fixture(scope="session")
def shared_weather(references) -> Path:
    folder = cswd_dir()
    if folder is None:
        references.missing("CSWD station files not found (../shared/weather or $LINGTAN_REFERENCE_WEATHER)")
    return folder


def station_file(folder: Path, city: str, references) -> Path:
    """The CSWD file of ``city`` in ``folder``; a missing one goes to ``references.missing`` (root conftest)."""
    path = station(city)
    if path is None:
        references.missing(f"no EPW for {city} in {folder}")
    return path
