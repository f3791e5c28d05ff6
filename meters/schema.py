"""The meter map: which meter measures which flow of the scenario, in which unit, under which parent.

A map is a YAML file read with :func:`lingtan.loader.read_yaml`::

    timezone: Asia/Shanghai          # for timestamps without an offset; the scenario's site zone if left out
    interval_label: end              # a reading's timestamp marks the end (or start) of its interval
    meters:
      - {id: M-GRID, flow: grid_import, quantity: energy, unit: kWh}
      - {id: M-NEV-PV, flow: pv, tenant: nev_parts, asset: roof, quantity: power, unit: kW, parent: M-NEV}
      - {id: M-NEV, flow: tenant_supply, tenant: nev_parts, quantity: counter, unit: kWh, counter_max: 1e8}
      - {id: H-FLUE, flow: waste_heat_available, tenant: castings, asset: furnace_flue, quantity: energy, unit: GJ}
      - {id: H-FLUE-REC, flow: waste_heat_recovered, tenant: castings, asset: furnace_flue, quantity: power,
         unit: kW_th}

Heat meters of waste heat name the resource in ``asset``: a production line's waste-heat stream, a load that
rejects heat, or a space's chiller condenser (``<space>.condenser``), as :func:`waste_heat_resources` lists
them. ``waste_heat_available`` measures the resource (GB/T 1028-2018's 余热资源: all the heat the stream
carries down to its return temperature), ``waste_heat_recovered`` the heat of it delivered to a useful demand
(on the delivery side: heat charged into a store is metered where the store delivers it, so that heat lost in
stores and networks is not counted as recovered).

Every field is checked by pydantic; :func:`check_against` then checks the map against the scenario
(tenants and assets exist, parents are meters of the map).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lingtan.components.loads import CONDENSER_T_C
from lingtan.errors import InputError
from lingtan.limits import MAX_ITEMS, MAX_NAME_CHARS
from lingtan.loader import check_numbers, read_yaml
from lingtan.twin.core.fieldpath import format_path

# The flows a meter can measure, and the carrier each one carries.
FLOW_CARRIER = {
    "grid_import": "electric",
    "grid_export": "electric",
    "pv": "electric",
    "wind": "electric",
    "battery_charge": "electric",
    "battery_discharge": "electric",
    "tenant_supply": "electric",
    "heat": "heat",
    "steam": "heat",
    "waste_heat_available": "heat",
    "waste_heat_recovered": "heat",
    "gas": "gas",
}
# Flows whose ``asset`` names a waste-heat resource (:func:`waste_heat_resources`).
WASTE_HEAT = ("waste_heat_available", "waste_heat_recovered")
# Flows whose ``asset`` names an item of a scenario list (``pv``, ``wind``, ``battery``).
ASSET_LIST = {"pv": "pv", "wind": "wind", "battery_charge": "battery", "battery_discharge": "battery"}

# Factor from each unit to the carrier's canonical rate (kW, kW_th, m3/h) for power, or its canonical
# energy (kWh, kWh_th, m3) for energy and counters. 1 GJ = 1e9 J / 3.6e6 J/kWh = 277.78 kWh.
POWER_UNITS = {
    "electric": {"W": 1e-3, "kW": 1.0, "MW": 1e3},
    "heat": {"kW_th": 1.0, "MW_th": 1e3},
    "gas": {"m3/h": 1.0},
}
ENERGY_UNITS = {
    "electric": {"Wh": 1e-3, "kWh": 1.0, "MWh": 1e3},
    "heat": {"kWh_th": 1.0, "MWh_th": 1e3, "GJ": 1e9 / 3.6e6},
    "gas": {"m3": 1.0},
}
CANONICAL_RATE = {"electric": "kW", "heat": "kW_th", "gas": "m3/h"}


def unit_factor(carrier: str, quantity: str, unit: str) -> float:
    """Factor from ``unit`` to the carrier's canonical unit.

    Parameters
    ----------
    carrier : str
        ``electric``, ``heat`` or ``gas``.
    quantity : str
        ``power``, ``energy`` or ``counter``.
    unit : str
        The declared unit.

    Returns
    -------
    float
        Multiply a reading by it to get kW / kW_th / m3/h (power) or kWh / kWh_th / m3 (energy, counter).
    """
    table = POWER_UNITS if quantity == "power" else ENERGY_UNITS
    return table[carrier][unit]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meter(_Strict):
    """One meter and the flow it measures."""

    id: str = Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=r"^[A-Za-z0-9_.:\-]+$")
    flow: Literal[
        "grid_import",
        "grid_export",
        "pv",
        "wind",
        "battery_charge",
        "battery_discharge",
        "tenant_supply",
        "heat",
        "steam",
        "waste_heat_available",
        "waste_heat_recovered",
        "gas",
    ]
    tenant: str | None = Field(default=None, description="the tenant it belongs to; none for the park or factory")
    asset: str | None = Field(
        default=None, description="PV array, wind farm or battery name; waste-heat resource; a heat or gas point"
    )
    quantity: Literal["energy", "counter", "power"] = Field(
        description="energy per interval, a cumulative counter, or mean power over the interval"
    )
    unit: str = Field(description="W/kW/MW, Wh/kWh/MWh; kW_th/MW_th, kWh_th/MWh_th/GJ; m3/h, m3")
    parent: str | None = Field(default=None, description="id of the meter upstream whose reading includes this one")
    counter_max: float | None = Field(default=None, gt=0, description="value at which a counter rolls over [unit]")

    @property
    def carrier(self) -> str:
        """``electric``, ``heat`` or ``gas``."""
        return FLOW_CARRIER[self.flow]


class MeterMap(_Strict):
    """Every meter of a plant or park."""

    timezone: str | None = Field(default=None, description="zone of timestamps without an offset")
    interval_label: Literal["start", "end"] = "end"
    meters: list[Meter] = Field(min_length=1, max_length=MAX_ITEMS * 10)

    def by_id(self) -> dict[str, Meter]:
        """The meters by id.

        Returns
        -------
        dict of str to Meter
            Keyed by ``id``.
        """
        return {m.id: m for m in self.meters}


def _describe(err: dict) -> tuple[str, str]:
    """(expected, found) of one pydantic error."""
    if err["type"] == "missing":
        return "the field to be given", "nothing"
    if err["type"] == "extra_forbidden":
        return "no such field", f"{err['input']!r}"
    return err["msg"].removeprefix("Value error, ").lower(), repr(err["input"])


def meter_map_from_dict(data: object, file: str | Path = "<meter map>") -> MeterMap:
    """Validate a parsed meter map (units, ids, duplicates, parents, time zone).

    Parameters
    ----------
    data : object
        The parsed YAML.
    file : str or Path
        Named in errors.

    Returns
    -------
    MeterMap
        The validated map.

    Raises
    ------
    InputError
        For the first problem found, with its field path.
    """
    if not isinstance(data, dict):
        raise InputError(file, "(top level)", "a mapping with a meters list", type(data).__name__)
    try:
        mmap = MeterMap.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        expected, found = _describe(err)
        raise InputError(file, format_path(err["loc"]) or "(top level)", expected, found) from None
    check_numbers(data, mmap, file)
    if mmap.timezone is not None:
        try:
            ZoneInfo(mmap.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(file, "timezone", "an IANA time zone (Asia/Shanghai)", repr(mmap.timezone)) from None
    seen: set[str] = set()
    for i, m in enumerate(mmap.meters):
        if m.id in seen:
            raise InputError(file, f"meters[{i}].id", "a meter id used once", f"{m.id!r} again")
        seen.add(m.id)
        units = (POWER_UNITS if m.quantity == "power" else ENERGY_UNITS)[m.carrier]
        if m.unit not in units:
            expected = f"a unit of {m.quantity} of {m.carrier} flows ({', '.join(units)})"
            raise InputError(file, f"meters[{i}].unit", expected, repr(m.unit))
        if m.counter_max is not None and m.quantity != "counter":
            raise InputError(file, f"meters[{i}].counter_max", "only on a counter meter", f"quantity {m.quantity}")
    for i, m in enumerate(mmap.meters):
        if m.parent is not None and (m.parent not in seen or m.parent == m.id):
            raise InputError(file, f"meters[{i}].parent", "the id of another meter of the map", repr(m.parent))
    _check_no_cycle(mmap, file)
    return mmap


def _check_no_cycle(mmap: MeterMap, file: str | Path) -> None:
    """Refuse a meter that is its own ancestor."""
    parent = {m.id: m.parent for m in mmap.meters}
    for i, m in enumerate(mmap.meters):
        seen, node = {m.id}, m.parent
        while node is not None:
            if node in seen:
                raise InputError(file, f"meters[{i}].parent", "a tree of meters", f"a cycle through {node!r}")
            seen.add(node)
            node = parent[node]


def check_against(mmap: MeterMap, scenario: object, file: str | Path = "<meter map>") -> None:
    """Check that every meter's tenant and asset exist in the scenario.

    Parameters
    ----------
    mmap : MeterMap
        The validated map.
    scenario : Scenario or Park
        The scenario the meters belong to (:func:`lingtan.twin.core.scenario.load_scenario`).
    file : str or Path
        The map file, named in errors.

    Raises
    ------
    InputError
        For a tenant the scenario lacks, a tenant on a factory, a tenant flow without a tenant, or an asset
        that is not an item of the tenant's (or the park's shared, or the factory's) list.
    """
    tenants = {t.name: t for t in getattr(scenario, "tenants", [])}
    for i, m in enumerate(mmap.meters):
        where = scenario
        if m.tenant is not None:
            if m.tenant not in tenants:
                expected = f"a tenant of the scenario ({', '.join(tenants) or 'a factory has none'})"
                raise InputError(file, f"meters[{i}].tenant", expected, repr(m.tenant))
            where = tenants[m.tenant]
        elif tenants:
            if m.flow == "tenant_supply":
                raise InputError(file, f"meters[{i}].tenant", "the tenant this supply meter feeds", "none")
            where = scenario.shared  # type: ignore[attr-defined]
        if m.flow in ASSET_LIST:
            names = [a.name for a in getattr(where, ASSET_LIST[m.flow])]
            if m.asset not in names:
                expected = f"a {ASSET_LIST[m.flow]} item here ({', '.join(names) or 'none in the scenario'})"
                raise InputError(file, f"meters[{i}].asset", expected, repr(m.asset))
        if m.flow in WASTE_HEAT:
            names = [r.name for r in waste_heat_resources(where)]
            if m.asset not in names:
                expected = f"a waste-heat resource here ({', '.join(names) or 'none in the scenario'})"
                raise InputError(file, f"meters[{i}].asset", expected, repr(m.asset))


@dataclass(frozen=True)
class WasteHeatResource:
    """A waste-heat resource of a site, as the twin's heat side counts it (:func:`waste_heat_resources`).

    Parameters
    ----------
    name : str
        The stream's, load's or ``<space>.condenser`` name.
    kind : str
        The stream's kind, or the load's end use (``cooling`` for a condenser).
    t_c : float
        Its temperature [C].
    declared : bool
        True for a production line's declared stream, False for heat rejected by a load or a chiller.
    """

    name: str
    kind: str
    t_c: float
    declared: bool


def waste_heat_resources(site: object) -> list[WasteHeatResource]:
    """The waste-heat resources of one site, in the order of the twin's heat side
    (:mod:`lingtan.twin.core.heat_profiles`): production lines' streams, loads that reject heat, chillers' condensers.

    Parameters
    ----------
    site : Scenario or SiteAssets
        A factory, a park's tenant or a park's shared assets.

    Returns
    -------
    list of WasteHeatResource
        One per resource (a load rejecting no heat is none).
    """
    out = [
        WasteHeatResource(ws.name, ws.kind, ws.t_c, True)
        for line in getattr(site, "processes", [])
        for ws in line.waste_heat
    ]
    for load in getattr(site, "loads", []):
        fraction, t_c, _ = load.heat_rejection()
        if fraction > 0:
            out.append(WasteHeatResource(load.name, load.end_use, t_c, False))
    out += [
        WasteHeatResource(f"{sp.name}.condenser", "cooling", CONDENSER_T_C, False)
        for sp in getattr(site, "space", [])
        if sp.cooling and sp.cooling_cop is not None
    ]
    return out


def load_meter_map(path: str | Path, scenario: object | None = None) -> MeterMap:
    """Read, validate and (with ``scenario``) check a meter map file.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    scenario : Scenario or Park, optional
        When given, the map is checked against it (:func:`check_against`).

    Returns
    -------
    MeterMap
        The validated map.

    Raises
    ------
    InputError
        For an unreadable file or any invalid field, with its field path.
    """
    mmap = meter_map_from_dict(read_yaml(path), path)
    if scenario is not None:
        check_against(mmap, scenario, path)
    return mmap
