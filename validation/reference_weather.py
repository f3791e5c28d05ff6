"""Where the outside reference weather files are, and how to read them.

Two sets of real typical-year files serve as references:

* the three files pvlib ships in its package data (TMY3 Greensboro and Sand
  Point, TMY2 Miami), always present;
* the ten China Standard Weather Data (CSWD) station files, kept outside the
  project because their redistribution terms are unknown. They are looked for in
  ``$LINGTAN_REFERENCE_WEATHER`` or in ``../shared/weather`` beside the checkout;
  checks that need them are skipped when they are absent.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

PVLIB_FILES = ("723170TYA.CSV", "703165TY.csv", "12839.tm2")
"""pvlib's bundled typical years: Greensboro NC (TMY3), Sand Point AK (TMY3), Miami FL (TMY2)."""


def pvlib_file(name: str) -> Path:
    """Path of one of pvlib's bundled weather files."""
    import pvlib

    return Path(pvlib.__file__).parent / "data" / name


def cswd_dir() -> Path | None:
    """Folder of the CSWD station EPW files, or None when it is not available."""
    env = os.environ.get("LINGTAN_REFERENCE_WEATHER")
    folder = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "weather"
    return folder if folder.is_dir() and any(folder.glob("*.epw")) else None


def cswd_files() -> list[Path]:
    """Every CSWD station file available, sorted by name (empty when none)."""
    folder = cswd_dir()
    return sorted(folder.glob("*.epw")) if folder else []


def read_reference(path: str | Path, year: int = 2019) -> tuple[pd.DataFrame, dict]:
    """Read a reference file with the project's own readers, by its suffix.

    Returns the canonical weather frame and the reader's meta dict, to which
    ``tz_offset_h`` (standard UTC offset [h]) is added for tools such as SAM.
    """
    import warnings

    import lingtan.weather as wx

    path = Path(path)
    reader = {".epw": wx.read_epw, ".tm2": wx.read_tmy2}.get(path.suffix.lower(), wx.read_tmy3)
    with warnings.catch_warnings():
        # Poor component closure is a property of the reference data, reported elsewhere.
        warnings.simplefilter("ignore", wx.WeatherQualityWarning)
        frame, meta = reader(path, year=year)
    meta = dict(meta, tz_offset_h=frame.index[0].utcoffset().total_seconds() / 3600.0)
    return frame, meta


@lru_cache(maxsize=32)
def load_reference(name: str) -> tuple[pd.DataFrame, dict]:
    """A reference file by name (one of :data:`PVLIB_FILES` or a CSWD file name), read once and cached.

    Raises
    ------
    FileNotFoundError
        When a CSWD file is asked for and the station files are not available.
    """
    path = pvlib_file(name) if name in PVLIB_FILES else next((p for p in cswd_files() if p.name == name), None)
    if path is None:
        raise FileNotFoundError(f"reference weather {name} not found (CSWD folder: {cswd_dir()})")
    return read_reference(path)
