"""``twin check``: everything a run reads, opened and validated, without the simulation.

A scenario is read and validated as ``twin run`` reads it, and every problem is reported, not only
the first: each schema error with its field path, then every file, city and pack the scenario names,
opened by the reader a run uses (the weather year with the run's options, load CSVs, the tariff, an
hourly emission factor, a park's pandapower network, each tenant's loads), then each year of a plan.
When the schema refuses some fields, the files named by the fields that did validate are still read.
When everything reads, the run's own profile builder is run on it (PV, wind, heat, tariff calendar),
so that a scenario ``twin check`` passes is one that ``twin run`` does not refuse for its input.

Plausibility warnings (:mod:`lingtan.twin.plausibility`) are computed for a scenario whose schema validated,
from the lingtan.weather and load profiles read here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from lingtan.components.grid import GridConnection, HourlyEmissionFactorProfile, emission_factor_t_per_mwh, load_tariff
from lingtan.components.loads import CsvLoad, Load, csv_load_kw, shift_load_kw
from lingtan.errors import InputError, ScenarioError
from lingtan.paths import looks_like_path, resolve_input
from lingtan.twin.core.scenario import Scenario, error_parts, load_scenario, read_yaml, typos_named
from lingtan.twin.core.schema.site import Site, Weather
from lingtan.twin.plausibility import Finding, findings

if TYPE_CHECKING:
    from lingtan.twin.core.schema.park import Park

_T = TypeVar("_T")


@dataclass
class Inputs:
    """What a run reads besides the scenario, as the run reads it.

    Attributes
    ----------
    weather : (DataFrame, dict) or None
        The weather year and its metadata (:func:`lingtan.twin.run.load_weather`).
    load_kw : dict of str to ndarray
        Each declared load's hourly profile [kW] by field path (``loads[0]``, ``tenants[1].loads[0]``).
    ef_t_per_mwh : ndarray or None
        The hourly grid emission factor [tCO2/MWh] when ``grid.emission_factor`` names a CSV.
    """

    weather: tuple[pd.DataFrame, dict] | None = None
    load_kw: dict[str, np.ndarray] = field(default_factory=dict)
    ef_t_per_mwh: np.ndarray | None = None


@dataclass
class CheckResult:
    """The outcome of ``twin check FILE``.

    Attributes
    ----------
    scenario : Scenario, Park or None
        The validated scenario; None when the schema refused it.
    problems : list of InputError
        Every problem found, each naming its file and field path; empty when the scenario is fit to run.
    warnings : list of Finding
        Plausibility findings (:mod:`lingtan.twin.plausibility`).
    plan_years : int or None
        Years of the plan, when the scenario has one and it validated.
    """

    scenario: Any
    problems: list[InputError]
    warnings: list[Finding]
    plan_years: int | None = None


@dataclass
class _Parts:
    """The fields readers need, each present only when it validated (field path, value)."""

    name: str = "site"
    site: Site | None = None
    year: int | None = None
    weather: Any = None
    time_step_min: int = 60
    loads: list[tuple[str, Any]] = field(default_factory=list)
    tariff: Any = None
    emission_factor: Any = None
    criteria: list[tuple[str, str]] = field(default_factory=list)
    network: Any = None
    forecast: tuple[str, Any, bool] | None = None  # (field path, battery's OptimalDispatch with a file, wind farms)


def _parts_of(sc: Scenario | Park) -> _Parts:
    """The parts of a validated factory or park."""
    tenants = getattr(sc, "tenants", None)
    owners: list[tuple[str, Any]] = (
        [("", sc)] if tenants is None else [(f"tenants[{i}].", t) for i, t in enumerate(tenants)]
    )
    return _Parts(
        name=sc.name,
        site=sc.site,
        year=sc.year,
        weather=sc.weather,
        time_step_min=getattr(sc, "time_step_min", 60),
        loads=[(f"{p}loads[{j}]", load) for p, o in owners for j, load in enumerate(o.loads)],
        tariff=sc.grid.tariff,
        emission_factor=sc.grid.emission_factor,
        criteria=[(f"criteria[{i}]", c) for i, c in enumerate(sc.criteria)],
        network=getattr(sc, "network", None),
        forecast=_forecast(getattr(sc, "battery", None), bool(getattr(sc, "wind", None))),
    )


def _forecast(batteries, wind: bool) -> tuple[str, Any, bool] | None:
    """A factory battery's forecast file to read, if its rolling-horizon ``optimal`` names one."""
    o = batteries[0].optimal if batteries else None
    return ("battery[0].optimal", o, wind) if o is not None and o.forecast_file is not None else None


def _parts_from(data: dict[str, Any], errors: list[ErrorDetails]) -> _Parts:
    """The parts of a scenario mapping the schema refused, from the fields that have no error."""
    locs = [tuple(e["loc"]) for e in errors]

    def clean(*loc: int | str) -> bool:
        return not any(err[: len(loc)] == loc for err in locs)

    def valid(adapter: TypeAdapter[_T], value: Any) -> _T | None:
        try:
            return adapter.validate_python(value)
        except ValidationError:
            return None

    parts = _Parts()
    if clean("name") and isinstance(data.get("name"), str):
        parts.name = data["name"]
    if clean("site") and "site" in data:
        parts.site = valid(TypeAdapter(Site), data["site"])
    if clean("year") and "year" in data:
        parts.year = valid(TypeAdapter(int), data["year"])
    if clean("weather") and "weather" in data:
        parts.weather = valid(TypeAdapter(Weather), data["weather"])
    if clean("time_step_min") and data.get("time_step_min") in (15, 60):
        parts.time_step_min = data["time_step_min"]
    owners: list[tuple[tuple[int | str, ...], str, dict[str, Any]]] = [((), "", data)]
    if "tenants" in data:
        tenants = data["tenants"] if isinstance(data["tenants"], list) else []
        owners = [(("tenants", i), f"tenants[{i}].", t) for i, t in enumerate(tenants) if isinstance(t, dict)]
    adapter = TypeAdapter(Load)
    for loc, prefix, owner in owners:
        loads = owner.get("loads")
        for j, item in enumerate(loads if isinstance(loads, list) else []):
            if clean(*loc, "loads", j) and (load := valid(adapter, item)) is not None:
                parts.loads.append((f"{prefix}loads[{j}]", load))
    grid = data.get("grid")
    for key in ("tariff", "emission_factor"):
        # Each alone, with the connection's defaults for the rest: a bad import limit leaves the tariff checkable.
        if isinstance(grid, dict) and key in grid and clean("grid", key):
            conn = valid(TypeAdapter(GridConnection), {key: grid[key]})
            setattr(parts, key, getattr(conn, key) if conn is not None else None)
    batteries = data.get("battery")
    if "tenants" not in data and isinstance(batteries, list) and batteries and clean("battery", 0, "optimal"):
        from lingtan.components.battery import OptimalDispatch

        item = batteries[0].get("optimal") if isinstance(batteries[0], dict) else None
        o = valid(TypeAdapter(OptimalDispatch), item) if item is not None else None
        parts.forecast = _forecast([SimpleNamespace(optimal=o)], bool(data.get("wind")))
    criteria = data.get("criteria")
    if clean("criteria") and isinstance(criteria, list):
        parts.criteria = [(f"criteria[{i}]", c) for i, c in enumerate(criteria) if isinstance(c, str)]
    if "network" in data and clean("network") and data["network"] is not None:
        from lingtan.twin.core.schema.network import Network

        parts.network = valid(TypeAdapter(Network), data["network"])
    return parts


def _attributed(err: InputError, file: Path, field_path: str) -> InputError:
    """A reader's error as a line of ``twin check``: the scenario file and the field that names the input,
    then the reader's own file and field when the problem lies inside another file."""
    if err.file == "<input>":  # the reader saw only the value: it belongs to the scenario
        root = field_path.split(".")[0].split("[")[0]
        where = err.field if err.field.startswith(root) else f"{field_path}.{err.field}"
        return InputError(file, where, err.expected, err.found)
    if Path(err.file) == Path(file):
        return err
    return InputError(file, f"{field_path}: {err.file}: {err.field}", err.expected, err.found)


def _weather_field(spec: Weather) -> str:
    if hasattr(spec, "path"):
        return "weather.path"
    return "weather.city" if spec.city is not None else "weather.monthly"


def _read(parts: _Parts, base_dir: Path, file: Path) -> tuple[list[InputError], Inputs]:
    """Open every input the parts name with the run's readers; collect every problem."""
    from lingtan.twin.accounting.criteria import pack_criteria
    from lingtan.twin.run import load_weather
    from lingtan.weather.readers import _target_index

    problems: list[InputError] = []
    inputs = Inputs()

    def attempt(field_path: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as err:
            problems.append(_attributed(err, file, field_path))
            return None

    index = None
    if parts.site is not None and parts.year is not None and parts.weather is not None:
        # load_weather reads name, site, year and weather only: the parts that validated are enough.
        sc = SimpleNamespace(
            name=parts.name, site=parts.site, year=parts.year, weather=parts.weather, time_step_min=parts.time_step_min
        )
        inputs.weather = attempt(_weather_field(parts.weather), load_weather, sc, base_dir)
        if inputs.weather is not None:
            index = inputs.weather[0].index
    # Without a weather year the run's hours still fix the length of every hourly file.
    n_hours = len(index) if index is not None else len(_target_index(parts.year, "UTC")) if parts.year else None

    for field_path, load in parts.loads:
        if isinstance(load, CsvLoad):
            if n_hours is None:
                continue
            path = attempt(
                f"{field_path}.path", resolve_input, base_dir, load.path, file=file, field=f"{field_path}.path"
            )
            kw = (
                None
                if path is None
                else attempt(f"{field_path}.path", csv_load_kw, path, load, n_hours, parts.time_step_min)
            )
        else:
            kw = None if index is None else attempt(field_path, shift_load_kw, index, load)
        if kw is not None:
            inputs.load_kw[field_path] = kw

    tariff = parts.tariff
    if isinstance(tariff, str):
        named = (
            attempt("grid.tariff", resolve_input, base_dir, tariff, file=file, field="grid.tariff")
            if looks_like_path(tariff)
            else tariff
        )
        if named is not None:
            attempt("grid.tariff", load_tariff, named)

    spec = parts.emission_factor
    if isinstance(spec, HourlyEmissionFactorProfile) and n_hours is not None:
        path = attempt(
            "grid.emission_factor.path",
            resolve_input,
            base_dir,
            spec.path,
            file=file,
            field="grid.emission_factor.path",
        )
        if path is not None:
            hours = index if index is not None else pd.RangeIndex(n_hours)
            inputs.ef_t_per_mwh = attempt(
                "grid.emission_factor.path",
                emission_factor_t_per_mwh,
                spec.model_copy(update={"path": str(path)}),
                hours,
            )

    if parts.forecast is not None and n_hours is not None:
        from lingtan.twin.studies.lp.rolling import read_forecast_file

        where, o, wind = parts.forecast
        where = f"{where}.forecast_file"
        path = attempt(where, resolve_input, base_dir, o.forecast_file, file=file, field=where)
        if path is not None:
            attempt(where, read_forecast_file, path, n_hours, parts.time_step_min, wind)

    for field_path, name in parts.criteria:
        attempt(field_path, pack_criteria, name)
    if parts.network is not None:
        from lingtan.twin.network import build_net

        attempt("network", build_net, parts.network, base_dir, source=file)
    return problems, inputs


def read_inputs(scenario: Scenario | Park, base_dir: str | Path, file: str | Path) -> tuple[list[InputError], Inputs]:
    """Read the hourly inputs of a validated factory or park with the readers a run uses: the weather year,
    every declared load, the tariff and the emission factor (not the packs, nor a park's network).

    Parameters
    ----------
    scenario : Scenario or Park
        The validated factory or park.
    base_dir : path
        The scenario file's folder.
    file : path
        The scenario file, named in the problems.

    Returns
    -------
    problems : list of InputError
        One per input that failed to read, naming the scenario's field path.
    inputs : Inputs
        What did read.
    """
    return _read(replace(_parts_of(scenario), criteria=[], network=None), Path(base_dir), Path(file))


def _schema_errors(data: dict[str, Any]) -> list[ErrorDetails]:
    """Every error pydantic finds in a parsed scenario mapping (a factory, or a park when it has tenants)."""
    from lingtan.twin.core.schema.park import Park

    try:
        (Park if "tenants" in data else Scenario).model_validate(data)
    except ValidationError as exc:
        return typos_named(exc.errors())
    return []


def _schema_problems(
    data: dict[str, Any], errors: list[ErrorDetails], file: Path, first: ScenarioError
) -> list[InputError]:
    """The schema errors as problems, one per field path, in the order pydantic finds them."""
    found: dict[str, InputError] = {}
    for err in errors:
        where, expected, text = error_parts(err, data)
        # A union field gives one error per member; the first says enough.
        found.setdefault(where, ScenarioError(file, where, expected, text))
    problems = list(found.values())
    # The loader may refuse what the model accepts (its own checks): keep its message too.
    return problems if any(str(p) == str(first) for p in problems) else [first, *problems]


def _gate(sc: Scenario | Park, inputs: Inputs, base_dir: Path) -> list[InputError]:
    """The run's own profile builder on the inputs read: what ``twin run`` would refuse before simulating."""
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.run import build_profiles
    from lingtan.twin.studies.park import tenant_scenario

    scenarios = [tenant_scenario(sc, t) for t in sc.tenants] if isinstance(sc, Park) else [sc]
    problems = []
    for each in scenarios:
        try:
            build_profiles(each, base_dir, inputs.weather, any_step=not isinstance(sc, Park))
        except InputError as err:
            problems.append(err)
    return problems


def check(path: str | Path) -> CheckResult:
    """Check a scenario file without simulating it; see the module docstring.

    Parameters
    ----------
    path : str or Path
        A factory or park scenario YAML file.

    Returns
    -------
    CheckResult
        The validated scenario (None when the schema refused it), every problem, the plausibility warnings
        and the plan's number of years. Input problems are returned, not raised.
    """
    path = Path(path)
    base_dir = path.parent
    try:
        sc = load_scenario(path)
    except ScenarioError as first:
        try:
            data = read_yaml(path)
        except InputError as err:  # no file, or no YAML: nothing more to look at
            return CheckResult(None, [err], [])
        if not isinstance(data, dict):
            return CheckResult(None, [first], [])
        errors = _schema_errors(data)
        problems = _schema_problems(data, errors, path, first)
        problems += _read(_parts_from(data, errors), base_dir, path)[0]
        return CheckResult(None, problems, [])

    problems, inputs = _read(_parts_of(sc), base_dir, path)
    plan_years = None
    if getattr(sc, "plan", None) is not None:
        from lingtan.twin.studies.plan import check_plan

        try:
            plan_years = len(check_plan(path, file=path))
        except InputError as err:
            problems.append(err)
    if not problems:
        problems += _gate(sc, inputs, base_dir)
    warnings = findings(sc, inputs.weather[0] if inputs.weather else None, inputs.load_kw, inputs.ef_t_per_mwh)
    return CheckResult(sc, problems, warnings, plan_years)


__all__ = ["check", "read_inputs", "CheckResult", "Inputs"]
