"""The key sizes of a scenario that the scenario page edits, named by their field path.

Paths are written as in error messages and sweeps: ``pv[0].capacity_kwp``,
``shared.battery[0].energy_kwh``, ``tenants[2].pv[0].capacity_kwp``, ``grid.import_limit_kw``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from lingtan.errors import ScenarioError
from lingtan.twin.core import fieldpath

# group -> (field, label, unit, integer?)
GROUPS = {
    "pv": [("capacity_kwp", "PV", "kWp", False)],
    "wind": [("count", "Wind turbines", "units", True)],
    "battery": [("energy_kwh", "Battery energy", "kWh", False), ("power_kw", "Battery power", "kW", False)],
    "heat_pumps": [("capacity_q_kw_th", "Heat pump", "kW_th", False)],
    "thermal_storage": [("capacity_kwh_th", "Thermal storage", "kWh_th", False)],
}
GRID = [("import_limit_kw", "Grid import limit", "kW"), ("export_limit_kw", "Grid export limit", "kW")]
MAX_FIELDS = 40
INTEGER_FIELDS = {"count"}


@dataclass(frozen=True)
class SizeField:
    path: str
    label: str
    unit: str
    value: float
    integer: bool
    slider_max: float

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _slider_max(v: float, integer: bool) -> float:
    """A round upper end for the slider: about three times the value (at least 10 units)."""
    top = max(3 * float(v or 0), 10.0)
    mag = 10 ** math.floor(math.log10(top))
    top = math.ceil(top / mag) * mag
    return float(int(top)) if integer else top


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _site_fields(node: dict, prefix: tuple, who: str) -> list[SizeField]:
    out = []
    for group, fields in GROUPS.items():
        items = node.get(group) or []
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            for key, text, unit, integer in fields:
                v = item.get(key)
                if key == "power_kw" and v is None:
                    continue
                if not _num(v):
                    continue
                name = item.get("name", f"{group}[{i}]")
                out.append(
                    SizeField(
                        fieldpath.format_path((*prefix, group, i, key)),
                        f"{text} · {who}{name}",
                        unit,
                        float(v),
                        integer,
                        _slider_max(v, integer),
                    )
                )
    return out


def size_fields(data: Any) -> list[SizeField]:
    """The editable sizes of a parsed scenario (factory or park), at most :data:`MAX_FIELDS`."""
    if not isinstance(data, dict):
        return []
    out = _site_fields(data, (), "")
    shared = data.get("shared")
    if isinstance(shared, dict):
        out += _site_fields(shared, ("shared",), "shared ")
    for j, tenant in enumerate(data.get("tenants") or []):
        if isinstance(tenant, dict):
            out += _site_fields(tenant, ("tenants", j), f"{tenant.get('name', j)} / ")
    grid = data.get("grid")
    if isinstance(grid, dict):
        for key, text, unit in GRID:
            v = grid.get(key)
            if key == "export_limit_kw" and grid.get("export_allowed") is False:
                continue
            if _num(v):
                out.append(
                    SizeField(fieldpath.format_path(("grid", key)), text, unit, float(v), False, _slider_max(v, False))
                )
    return out[:MAX_FIELDS]


def apply_sizes(data: dict, values: dict[str, Any], file: str = "<scenario>") -> dict:
    """A deep copy of ``data`` with each ``path -> value`` set; the path must exist already.

    Raises
    ------
    ScenarioError
        A value that is not a number, or a path the scenario does not have
        (:func:`lingtan.twin.core.fieldpath.set_value`).
    """
    out = copy.deepcopy(data)
    for path, value in values.items():
        if value is None or value == "":
            raise ScenarioError(file, path, "a number", "nothing")
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ScenarioError(file, path, "a number", repr(value)) from None
        if not math.isfinite(v):
            raise ScenarioError(file, path, "a finite number", repr(value))
        segments = fieldpath.parse(path, file=file, error=ScenarioError)
        value = int(round(v)) if segments[-1] in INTEGER_FIELDS else v
        fieldpath.set_value(out, segments, value, file=file, field=path, error=ScenarioError)
    return out
