"""Weather sources: EPW / TMY3 / CSV readers and the synthetic typical year.

Imports are lazy (PEP 562) so that ``import weather`` stays cheap for the CLI; pvlib,
scipy and pandas load on first use of a function.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "read_epw": "readers",
    "read_tmy3": "readers",
    "read_tmy2": "readers",
    "read_csv": "readers",
    "CANONICAL_COLUMNS": "readers",
    "component_closure": "closure",
    "rebuild_components": "closure",
    "WeatherQualityWarning": "closure",
    "MonthlyClimate": "climatology",
    "city_climate": "climatology",
    "cities": "climatology",
    "synthetic_year": "synthetic",
    "synthetic_members": "ensemble",
    "InterannualSpread": "ensemble",
    "interannual_spread": "ensemble",
    "TimingFinding": "checks",
    "timing_check": "checks",
    "shift_hours": "checks",
    "scale_resource": "scale",
    "scale_by": "scale",
    "longterm_ghi": "scale",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'weather' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
