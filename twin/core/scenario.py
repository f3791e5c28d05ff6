"""Scenario files: YAML loaded into typed, validated models.

A scenario reads like the plant it describes; every quantity carries its unit in
its name. Unknown fields are errors. Any problem is raised as a
:class:`~lingtan.errors.ScenarioError` naming the file, the field path
(``pv[0].tilt_deg``), what was expected and what was found.

The component parameter classes (``PVArray``, ``WindFarm``, ``Battery``,
``GridConnection``, loads) live beside their models in ``components/`` and are
composed here unchanged, so their field names are the YAML keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from lingtan.components.demand_response import DemandResponse
from lingtan.components.grid import GridConnection
from lingtan.errors import FieldPathError, ScenarioError
from lingtan.loader import check_numbers, read_yaml
from lingtan.twin.core.schema.accounting import Accounting, GreenPower, Offsets
from lingtan.twin.core.schema.criteria import PACK_NAMES, CriteriaSettings
from lingtan.twin.core.schema.economics import Economics
from lingtan.twin.core.schema.park import Park
from lingtan.twin.core.schema.plan import Plan
from lingtan.twin.core.schema.site import FileWeather, MonthlyValues, Site, SiteAssets, SyntheticWeather, Weather
from lingtan.twin.core.schema.uncertainty import Uncertainty


class Scenario(SiteAssets):
    """A factory: site assets, plus site, weather, grid connection, accounting, criteria and an optional plan."""

    name: str
    description: str = ""
    site: Site
    year: int = Field(ge=1990, le=2100, description="calendar year of the simulation (tariff calendar, weekdays)")
    time_step_min: Literal[15, 60] = Field(
        default=60,
        description="time step of the simulation [min]: 60 (hourly) or 15 (quarter-hours, the utility's demand "
        "metering interval); hourly weather is interpolated to it (lingtan.weather.resample)",
    )
    weather: Weather
    grid: GridConnection
    accounting: Accounting = Accounting()
    green_power: GreenPower = GreenPower()
    offsets: Offsets = Offsets()
    economics: Economics = Economics()
    criteria_settings: CriteriaSettings = CriteriaSettings()
    criteria: list[str] = Field(default=[], description="criteria packs to check, e.g. zhejiang_factory_2025")
    plan: Plan | None = Field(default=None, description="multi-year plan: base year and yearly stages")
    uncertainty: Uncertainty | None = Field(
        default=None, description="load, PV age and tariff level an ensemble varies (twin.core.schema.uncertainty)"
    )
    demand_response: DemandResponse | None = Field(
        default=None, description="demand-response events and their price (lingtan.components.demand_response)"
    )
    lang: Literal["zh", "en"] = "en"
    study: Literal["grid_connected", "off_grid", "islanding"] = Field(
        default="grid_connected",
        description="what the year studies: with 'off_grid' or 'islanding' unserved load "
        "is an expected result, so twin run does not exit with code 4 for it (the warning is still printed)",
    )

    @field_validator("criteria")
    @classmethod
    def _known_packs(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in list(PACK_NAMES)]
        if unknown:
            raise ValueError(f"known criteria packs are {list(PACK_NAMES)}; unknown: {unknown}")
        return value

    @model_validator(mode="after")
    def _events_in_year(self) -> Scenario:
        if self.demand_response is not None:
            try:
                self.demand_response.check_year(self.year)
            except FieldPathError as e:
                raise FieldPathError(f"demand_response.{e.field_path}", str(e), e.found) from None
        return self

    @model_validator(mode="after")
    def _plan_starts_this_year(self) -> Scenario:
        if self.plan is not None and self.plan.base_year != self.year:
            raise ValueError(f"plan.base_year ({self.plan.base_year}) must equal year ({self.year})")
        return self


def _path_text(loc: tuple[int | str, ...], data: Any) -> str:
    """Turn a pydantic error location into ``pv[0].tilt_deg``.

    Discriminated unions insert the tag value into the location; those segments
    are not keys of the input and are dropped by walking the input alongside.
    """
    out = ""
    node = data
    for seg in loc:
        if isinstance(seg, int):
            out += f"[{seg}]"
            node = node[seg] if isinstance(node, list) and seg < len(node) else None
        elif isinstance(node, dict) and seg in node:
            out += f".{seg}" if out else str(seg)
            node = node[seg]
        elif isinstance(node, dict) or node is None:
            # A key the input does not have: a missing field, an unknown field, or a union tag.
            if seg in _UNION_TAGS:
                continue
            out += f".{seg}" if out else str(seg)
            node = None
        else:
            out += f".{seg}" if out else str(seg)
            node = None
    return out or "(top level)"


# Union tags that pydantic puts into error locations (weather sources, load kinds, functions).
_UNION_TAGS = {
    "synthetic",
    "epw",
    "tmy3",
    "csv",
    "shifts",
    "function-after",
    "function-before",
    "function-plain",
    "function-wrap",
    "str",
    "float",
    "int",
    "list[float]",
    "tagged-union",
}


def _short(text: str, limit: int = 120) -> str:
    """A found value as the message shows it: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(err: ErrorDetails) -> tuple[str, str]:
    """Expected and found texts for one pydantic error."""
    expected, found = _describe_full(err)
    return _short(expected, 400), _short(found)


def _describe_full(err: ErrorDetails) -> tuple[str, str]:
    kind = err["type"]
    msg = err["msg"]
    found = err.get("input")
    if kind == "extra_forbidden":
        return "only known fields (see the scenario format in README.md)", f"unknown field {err['loc'][-1]!r}"
    if kind == "extra_forbidden_close":  # first_error found the known field it stands for
        return msg, f"unknown field {err['loc'][-1]!r}"
    if kind == "missing":
        return "this field", "nothing"
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
        return msg, repr(found) if not isinstance(found, dict) else "the values above"
    expected = msg.removeprefix("Input should be ").removeprefix("input should be ")
    return expected, repr(found)


def error_parts(err: ErrorDetails, data: Any) -> tuple[str, str, str]:
    """The field path, expected and found texts of one pydantic error on a scenario mapping.

    A check that names its own field (an exception with ``field_path``, and ``found`` when it says what it
    found) refines the path pydantic gives, which stops at the model that ran the check.

    Parameters
    ----------
    err : ErrorDetails
        One of ``ValidationError.errors()``.
    data : Any
        The mapping that was validated, walked to drop union tags from the path.

    Returns
    -------
    tuple of str
        ``(path, expected, found)`` for :class:`~lingtan.errors.ScenarioError`.
    """
    expected, found = _describe(err)
    path = _path_text(err["loc"], data)
    cause = err.get("ctx", {}).get("error")
    inner = getattr(cause, "field_path", None)
    if inner:
        path = inner if path == "(top level)" else f"{path}.{inner}"
        found = _short(getattr(cause, "found", found))
    return path, expected, found


def typos_named(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """The errors with each misspelt field told as one: an unknown field close to the name of a field missing
    from the same mapping (``capacity_kwpp`` beside a missing ``capacity_kwp``) becomes one error that asks
    whether that field was meant, and the missing one is dropped: the typo is the cause.

    Parameters
    ----------
    errors : list of ErrorDetails
        ``ValidationError.errors()``.

    Returns
    -------
    list of ErrorDetails
        In pydantic's order, unknown fields first.
    """
    import difflib

    out: list[ErrorDetails] = []
    meant: set[tuple] = set()
    for e in errors:
        if e["type"] != "extra_forbidden":
            continue
        parent, name = e["loc"][:-1], str(e["loc"][-1])
        missing = [str(m["loc"][-1]) for m in errors if m["type"] == "missing" and m["loc"][:-1] == parent]
        close = difflib.get_close_matches(name, [m for m in missing if (*parent, m) not in meant], n=1)
        if close:
            meant.add((*parent, close[0]))
            told = {**e, "type": "extra_forbidden_close", "msg": f"a known field: did you mean {close[0]!r}?"}
            e = cast("ErrorDetails", told)
        out.append(e)
    return out + [e for e in errors if e["type"] != "extra_forbidden" and tuple(e["loc"]) not in meant]


def scenario_from_dict(data: Any, file: str | Path = "<scenario>") -> Scenario | Park:
    """Validate a parsed scenario mapping: a factory (:class:`Scenario`), or a park
    (:class:`lingtan.twin.core.schema.park.Park`) when it has ``tenants``.

    Parameters
    ----------
    data : Any
        The parsed scenario file (:func:`lingtan.loader.read_yaml`); anything but a mapping is refused.
    file : str or Path
        Named in errors.

    Returns
    -------
    Scenario or lingtan.twin.core.schema.park.Park
        The validated model, its numbers checked by :func:`lingtan.loader.check_numbers`.

    Raises
    ------
    ScenarioError
        For the first problem found, with its field path.
    """
    if not isinstance(data, dict):
        raise ScenarioError(file, "(top level)", "a mapping of scenario fields", type(data).__name__)
    model: type[Scenario] | type[Park]
    if "tenants" in data:
        model = Park
    else:
        model = Scenario
    try:
        scenario = model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(file, *error_parts(typos_named(exc.errors())[0], data)) from None
    check_numbers(data, scenario, file)
    return scenario


def load_scenario(path: str | Path) -> Scenario | Park:
    """Read and validate a scenario YAML file (a factory, or a park when it has ``tenants``).

    Parameters
    ----------
    path : str or Path
        The scenario file; files it names resolve against its folder (:mod:`lingtan.paths`).

    Returns
    -------
    Scenario or lingtan.twin.core.schema.park.Park
        The validated model.

    Raises
    ------
    ScenarioError
        If the file is missing, not YAML within the loader's limits (:mod:`lingtan.loader`), or any field
        is invalid.
    """
    path = Path(path)
    return scenario_from_dict(read_yaml(path), path)


__all__ = [
    "Scenario",
    "Site",
    "SyntheticWeather",
    "FileWeather",
    "MonthlyValues",
    "load_scenario",
    "scenario_from_dict",
    "error_parts",
]
