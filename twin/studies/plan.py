"""Multi-year plans: a base year, then yearly stages, simulated year by year.

A scenario may carry a ``plan:`` section::

    plan:
      base_year: 2025
      intensity: carbon_per_energy
      stages:
        - year: 2026
          add_pv: [{name: carport, capacity_kwp: 4000, tilt_deg: 10}]
          load_growth_fraction: 0.03
        - year: 2027
          green_power: {green_power_contract_e_kwh: 5000000}

The scenario as written is the **base year**. Every later year starts from the year before
and applies its stage, if it has one (a year without a stage carries the previous year's state
forward, so a plan 2025..2028 with stages in 2026 and 2028 simulates four years). The changes are
cumulative: a load growth of 3 % in 2026 and 2 % in 2027 gives 1.03 x 1.02 of the base load in
2027 and after.

What a stage can change (every field optional):

* ``add_pv`` / ``add_wind``: arrays and wind farms added (same schema as ``pv[]`` / ``wind[]``);
  ``pv_capacity_kwp``: new capacity of named arrays (an extension or a repowering; the array keeps
  its age).
* ``battery``: the battery list replaced (``[]`` removes it).
* ``load_growth_fraction``: every electric load grows by this fraction (shift loads:
  ``annual_e_kwh``; CSV loads: ``scale``), on top of the growth of earlier stages. Production
  lines (``processes[]``) and space conditioning are not scaled.
* ``fuel_switch``: boilers by name -> new ``fuel`` and ``efficiency`` (and optionally
  ``electricity`` and ``capacity_q_kw_th``), e.g. a gas boiler replaced by an electric one.
* ``green_power`` / ``offsets``: the scenario's sections replaced (new contracts; a contract that
  is not repeated ends).
* ``declared``: facts merged into ``declared`` (e.g. the year's ``output_value_cny``).

PV ageing: with ``age_pv: true`` (default) every PV array is one year older each year, so its
``degradation_fraction_per_year`` applies once more; arrays added by a stage start at the age
they are given (default 0) in their stage year.

Weather: the ``weather`` section is kept unchanged in every year — same source, same
synthetic seed (or the same file, re-stamped onto the year) — so every year sees the same
typical weather year and the year-on-year changes come from the plan alone, not from weather.
Only the calendar moves (weekdays, tariff calendar). Dates written in the scenario (shift
holidays, maintenance stops) are kept as written: dates of another year simply do not occur.

Trends (:mod:`lingtan.twin.accounting.criteria.trends`): coal change every year (Anhui 2.1, >= 3 %/yr down), the
geometric-mean annual decline of the plan's intensity over the last three year-on-year steps
(Zhejiang 序号5, >= 5 %/yr) and three-year renewable shares (Zhejiang 序号3). The trend KPIs are
merged into the last year's KPIs and the scenario's packs are evaluated again on them, so that
e.g. ``zhejiang_factory_2025.intensity_decline`` reads the simulated decline (``input =
simulated``) instead of the declared ``intensity_decline_avg_fraction``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import (
    BaseModel,
    ValidationError,
)

from lingtan.components.pv import PVArray
from lingtan.components.wind import WindFarm
from lingtan.errors import ScenarioError
from lingtan.twin.core import progress
from lingtan.twin.core.schema.criteria import Declared
from lingtan.twin.core.schema.plan import FuelSwitch, Plan, Stage

if TYPE_CHECKING:
    from lingtan.twin.accounting.criteria import CriteriaSettings
    from lingtan.twin.core.scenario import Scenario
    from lingtan.twin.run import RunResult

# NB: lingtan.twin.core.scenario and lingtan.twin.run are imported inside the functions: lingtan.twin.core.scenario
# will import this
# module for its ``plan`` field, and lingtan.twin.run imports lingtan.twin.core.scenario.

INTENSITY_WINDOW_YEARS = 4
"""Years the intensity decline is taken over: the last three year-on-year steps ("近3年")."""

INTENSITY_KEYS = {
    "carbon_per_energy": "unit_energy_carbon_t_per_tce",
    "carbon_per_output": "carbon_intensity_t_per_10k_cny",
    "energy_per_output": "energy_intensity_tce_per_10k_cny",
}
"""Plan ``intensity`` choice -> per-year KPI key it reads."""


# --------------------------------------------------------------------------- stage application


def _stage_error(i: int, st: Stage, field_: str, expected: str, found: str, file: str | Path) -> ScenarioError:
    return ScenarioError(file, f"plan.stages[{i}].{field_} (year {st.year})", expected, found)


def _add_named(
    state: dict[str, Any],
    key: str,
    items: Sequence[PVArray | WindFarm] | None,
    field: str,
    i: int,
    st: Stage,
    file: str | Path,
) -> None:
    """Append new named assets (PV arrays, wind farms) to ``state[key]``; a repeated name is an error."""
    if not items:
        return
    state.setdefault(key, [])
    names = [a.get("name") for a in state[key]]
    for j, item in enumerate(items):
        if item.name in names:
            raise _stage_error(
                i, st, f"{field}[{j}].name", f"a name not already in {key}[]", f"{item.name!r} (names: {names})", file
            )
        state[key].append(item.model_dump(exclude_unset=True))
        names.append(item.name)


def _apply_stage(state: dict[str, Any], i: int, st: Stage, file: str | Path) -> None:
    """Apply one stage to a scenario dict in place."""
    _add_named(state, "pv", st.add_pv, "add_pv", i, st, file)
    if st.pv_capacity_kwp:
        names = [a.get("name") for a in state.get("pv", [])]
        for name, kwp in st.pv_capacity_kwp.items():
            if name not in names:
                raise _stage_error(
                    i, st, f"pv_capacity_kwp.{name}", f"the name of a PV array ({names})", repr(name), file
                )
            state["pv"][names.index(name)]["capacity_kwp"] = float(kwp)
    _add_named(state, "wind", st.add_wind, "add_wind", i, st, file)
    if st.battery is not None:
        state["battery"] = [b.model_dump(exclude_unset=True) for b in st.battery]
    if st.load_growth_fraction is not None:
        factor = 1.0 + st.load_growth_fraction
        for load in state.get("loads", []):
            if load.get("kind") == "csv":
                load["scale"] = float(load.get("scale", 1.0)) * factor
            elif "annual_e_kwh" in load:
                load["annual_e_kwh"] = float(load["annual_e_kwh"]) * factor
    if st.fuel_switch:
        names = [b.get("name") for b in state.get("boilers", [])]
        for name, sw in st.fuel_switch.items():
            if name not in names:
                raise _stage_error(i, st, f"fuel_switch.{name}", f"the name of a boiler ({names})", repr(name), file)
            state["boilers"][names.index(name)].update(sw.model_dump(exclude_none=True))
    if st.green_power is not None:
        state["green_power"] = st.green_power.model_dump()
    if st.offsets is not None:
        state["offsets"] = st.offsets.model_dump()
    if st.declared is not None:
        state["declared"] = {**(state.get("declared") or {}), **st.declared.model_dump(exclude_unset=True)}


def _age_pv(state: dict[str, Any]) -> None:
    for arr in state.get("pv", []) or []:
        arr["age_years"] = float(arr.get("age_years", 0.0)) + 1.0


def parse_plan(data: Any, file: str | Path = "<scenario>") -> Plan:
    """Validate a ``plan:`` mapping.

    Parameters
    ----------
    data : mapping or Plan
        The ``plan`` section as parsed; a :class:`Plan` is returned as it is.
    file : str or Path
        Named in errors.

    Returns
    -------
    Plan
        The validated plan.

    Raises
    ------
    ScenarioError
        For the first schema error, with a field path starting ``plan`` (``plan.stages[1] (year 2027).add_pv``).
    """
    from lingtan.twin.core.scenario import _describe, _path_text

    if isinstance(data, Plan):
        return data
    if not isinstance(data, dict):
        raise ScenarioError(file, "plan", "a mapping with base_year and stages", type(data).__name__)
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        expected, found = _describe(err)
        path = _path_text(err["loc"], data)
        path = "plan" if path == "(top level)" else f"plan.{path}"
        stages = data.get("stages")
        loc = err["loc"]
        if (
            len(loc) >= 2
            and loc[0] == "stages"
            and isinstance(loc[1], int)
            and isinstance(stages, list)
            and loc[1] < len(stages)
            and isinstance(stages[loc[1]], dict)
            and "year" in stages[loc[1]]
        ):
            head = f"plan.stages[{loc[1]}]"
            path = f"{head} (year {stages[loc[1]]['year']}){path[len(head) :]}"
        raise ScenarioError(file, path, expected, found) from None


def _split(
    scenario_dict: dict[str, Any], plan: Plan | dict[str, Any] | None, file: str | Path
) -> tuple[dict[str, Any], Plan]:
    if not isinstance(scenario_dict, dict):
        raise ScenarioError(file, "(top level)", "a mapping of scenario fields", type(scenario_dict).__name__)
    raw = plan if plan is not None else scenario_dict.get("plan")
    if raw is None:
        raise ScenarioError(file, "plan", "a plan: base_year and stages", "nothing")
    base = {k: v for k, v in scenario_dict.items() if k != "plan"}
    return base, parse_plan(raw, file)


def years(
    scenario_dict: dict[str, Any], plan: Plan | dict[str, Any] | None = None, file: str | Path = "<scenario>"
) -> list[tuple[int, dict[str, Any]]]:
    """The scenario dict of every year of a plan, base year first.

    Parameters
    ----------
    scenario_dict : dict
        A parsed scenario (the base year). Its ``plan`` key, if any, is the plan unless ``plan``
        is given; it is removed from every year's dict.
    plan : Plan or dict, optional
        The plan, when not the scenario's own ``plan``.
    file : str or Path
        Named in error messages.

    Returns
    -------
    list of (year, dict)
        One deep copy per year from ``base_year`` to the last year, with ``year`` set and every
        stage up to that year applied cumulatively. ``weather`` is copied unchanged (same seed,
        same typical year every year).

    Raises
    ------
    ScenarioError
        A stage that names a PV array or boiler that does not exist, or adds a name twice; the
        field path starts with ``plan.stages[i]`` and names the year.
    """
    base, plan = _split(scenario_dict, plan, file)
    by_year = {st.year: (i, st) for i, st in enumerate(plan.stages)}
    state = copy.deepcopy(base)
    state["year"] = plan.base_year
    out = [(plan.base_year, copy.deepcopy(state))]
    for y in range(plan.base_year + 1, plan.last_year + 1):
        if plan.age_pv:
            _age_pv(state)
        if y in by_year:
            _apply_stage(state, *by_year[y], file)
        state["year"] = y
        out.append((y, copy.deepcopy(state)))
    return out


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class PlanResult:
    """Every simulated year of a plan, the per-year KPIs and the trend criteria.

    Attributes
    ----------
    plan : Plan
        The validated plan.
    years : list of RunResult
        One simulated year each, base year first.
    per_year : list of dict
        Flat numeric KPIs of each year (electric KPIs, accounting KPIs, waste-heat recovery rate
        when simulated, intensities, installed sizes) with ``year``.
    trends : dict
        :func:`lingtan.twin.accounting.criteria.trends.trend_kpis` plus ``intensity_key`` / ``intensity_years``.
    trend_verdicts : list of dict
        Anhui coal decline for every year after the first, Zhejiang intensity decline and
        Zhejiang three-year renewable share (verdict dicts, ``input = "simulated"`` when read
        from the plan's years).
    verdicts, packs : list of dict
        The scenario's packs evaluated again on the last year's KPIs with the trends merged in.
    """

    plan: Plan
    years: list[RunResult]
    per_year: list[dict[str, Any]]
    trends: dict[str, Any]
    trend_verdicts: list[dict[str, Any]]
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    packs: list[dict[str, Any]] = field(default_factory=list)


def _flat(run: RunResult) -> dict[str, Any]:
    """The flat KPIs of one run as the criteria read them (numbers, plus the by-type rates)."""
    from lingtan.twin.accounting.account import accounting_kpis

    flat: dict[str, Any] = {
        k: float(v) for k, v in run.kpis.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    flat.update(accounting_kpis(run.accounting))
    heat = run.kpis.get("heat")
    if heat:
        flat["waste_heat_recovery_rate"] = heat["waste_heat_recovery_rate"]
        flat["waste_heat_recovery_rate_by_type"] = dict(heat["waste_heat_recovery_rate_by_type"])
    return flat


def _carbon_t(flat: dict[str, Any], basis: str) -> float:
    """Emissions on the basis of ``accounting.unit_energy_carbon_basis`` [tCO2]."""
    if basis == "market":
        return flat["gross_emissions_market_t"]
    if basis == "after_green_power":
        return flat["gross_emissions_t"] - flat["offset_green_power_t"]
    return flat["gross_emissions_t"]


def year_kpis(run: RunResult) -> dict[str, Any]:
    """Per-year KPI dict of one simulated year.

    Parameters
    ----------
    run : lingtan.twin.run.RunResult
        One simulated year of a plan.

    Returns
    -------
    dict of str to float
        The run's numeric electric and accounting KPIs (units in their names), ``year``, installed
        ``pv_capacity_kwp`` [kWp], ``wind_turbines`` [-] and ``battery_energy_kwh`` [kWh]; with a declared
        ``output_value_cny`` [CNY] also ``energy_intensity_tce_per_10k_cny`` and
        ``carbon_intensity_t_per_10k_cny``.
    """
    sc = run.scenario
    flat = _flat(run)
    row = {k: v for k, v in flat.items() if isinstance(v, (int, float))}
    row["year"] = sc.year
    row["pv_capacity_kwp"] = float(sum(a.capacity_kwp for a in sc.pv))
    row["wind_turbines"] = float(sum(f.count for f in sc.wind))
    row["battery_energy_kwh"] = float(sum(b.energy_kwh for b in sc.battery))
    out = sc.declared.output_value_cny
    if out:
        energy = row[f"energy_{sc.accounting.unit_energy_carbon_tce_basis}_tce"]
        row["output_value_cny"] = float(out)
        row["energy_intensity_tce_per_10k_cny"] = energy / (out / 1e4)
        row["carbon_intensity_t_per_10k_cny"] = _carbon_t(row, sc.accounting.unit_energy_carbon_basis) / (out / 1e4)
    return row


def _intensity_key(plan: Plan, scenarios: list[Scenario], file: str | Path) -> str:
    """The per-year KPI key of the plan's intensity (checked before anything is simulated)."""
    choice = plan.intensity
    has_output = [bool(sc.declared.output_value_cny) for sc in scenarios]
    if choice == "auto":
        choice = "carbon_per_output" if all(has_output) else "carbon_per_energy"
    missing = [sc.year for sc, ok in zip(scenarios, has_output, strict=True) if not ok]
    if choice.endswith("_per_output") and missing:
        raise ScenarioError(
            file,
            "plan.intensity",
            "declared.output_value_cny in every year for an intensity per output value",
            f"{choice!r} with no output value in {missing}",
        )
    return INTENSITY_KEYS[choice]


def trend_results(
    per_year: list[dict[str, Any]],
    intensity_key: str,
    declared: Declared | None = None,
    settings: CriteriaSettings | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Trend KPIs and the trend verdicts of a list of per-year KPI dicts (oldest first).

    Parameters
    ----------
    per_year : list of dict
        :func:`year_kpis` of each year, oldest first.
    intensity_key : str
        The per-year key of the plan's intensity (a value of :data:`INTENSITY_KEYS`).
    declared : lingtan.twin.accounting.criteria.core.Declared, optional
        The last year's declared facts; default none declared.
    settings : lingtan.twin.accounting.criteria.CriteriaSettings, optional
        The scenario's criteria settings; default the defaults.

    Returns
    -------
    trends : dict
        :func:`~lingtan.twin.accounting.criteria.trends.trend_kpis` over all years for coal and renewable shares;
        the intensity decline over the last :data:`INTENSITY_WINDOW_YEARS` years; plus
        ``intensity_key``, ``intensity_years`` and ``intensity_changes``.
    verdicts : list of dict
        Anhui ``coal_decline`` per year after the first, Zhejiang ``intensity_decline`` and
        ``renewable_share`` evaluated on the last year's KPIs with the trends merged in.
    """
    from lingtan.twin.accounting.criteria import Context, CriteriaSettings, pack_criteria
    from lingtan.twin.accounting.criteria.trends import coal_decline_verdicts, trend_kpis, yearly_changes

    settings = settings or CriteriaSettings()
    declared = declared or Declared()
    trends = trend_kpis(per_year)
    window = per_year[-INTENSITY_WINDOW_YEARS:]
    trends.pop("intensity_decline_avg_fraction", None)
    if len(window) >= 2 and all(y.get(intensity_key) is not None for y in window) and window[0][intensity_key] > 0:
        trends.update(
            {
                k: v
                for k, v in trend_kpis(window, intensity_key=intensity_key).items()
                if k == "intensity_decline_avg_fraction"
            }
        )
        trends["intensity_changes"] = yearly_changes(window, intensity_key)
    trends["intensity_key"] = intensity_key
    trends["intensity_years"] = [y["year"] for y in window]

    verdicts = (
        [v.to_dict() for v in coal_decline_verdicts(per_year, settings=settings)]
        if "coal_change_fractions" in trends
        else []
    )
    ctx = Context(kpis={**per_year[-1], **trends}, declared=declared, settings=settings)
    for c in pack_criteria("zhejiang_factory_2025"):
        if c.id.endswith((".intensity_decline", ".renewable_share")):
            v = c.evaluate(ctx).case(0).to_dict()
            if c.id.endswith(".intensity_decline") and v["input"] == "simulated":
                span = f"{trends['intensity_years'][0]}-{trends['intensity_years'][-1]}"
                extra = f"simulated: {intensity_key}, years {span}"
                v["note"] = f"{v['note']}; {extra}" if v["note"] else extra
            verdicts.append(v)
    return trends, verdicts


def _load(
    source: str | Path | dict[str, Any] | BaseModel, file: str | Path
) -> tuple[dict[str, Any], Path | None, str | Path]:
    """A scenario dict from a path, a dict or a Scenario."""
    if isinstance(source, (str, Path)):
        from lingtan.loader import read_yaml

        path = Path(source)
        return read_yaml(path), path.parent, str(path)
    if isinstance(source, dict):
        return source, None, file
    if isinstance(source, BaseModel):  # a validated Scenario (with ``plan`` once the model has it)
        return source.model_dump(exclude_unset=True), None, file
    raise ScenarioError(file, "(top level)", "a scenario path, mapping or Scenario", type(source).__name__)


def _validated(
    data: dict[str, Any], plan: Plan | dict[str, Any] | None, file: str | Path
) -> tuple[Plan, list[Scenario]]:
    from lingtan.twin.core.scenario import scenario_from_dict

    _, plan_ = _split(data, plan, file)
    stage_of = {st.year: i for i, st in enumerate(plan_.stages)}
    last = None
    scenarios: list[Scenario] = []
    for y, d in years(data, plan_, file):
        last = stage_of.get(y, last)
        try:
            # A plan's years are factories: a park file with a plan is refused by its schema (Park has no plan).
            scenarios.append(cast("Scenario", scenario_from_dict(d, file)))
        except ScenarioError as err:
            if y == plan_.base_year:
                raise
            where = f"plan.stages[{last}] (year {plan_.stages[last].year})" if last is not None else "plan"
            raise ScenarioError(file, f"{where}, simulated year {y}: {err.field}", err.expected, err.found) from None
    return plan_, scenarios


def check_plan(
    scenario: str | Path | dict[str, Any] | BaseModel,
    plan: Plan | dict[str, Any] | None = None,
    file: str | Path = "<scenario>",
) -> list[Scenario]:
    """Validate every year of a plan without simulating (for ``twin check``).

    Parameters
    ----------
    scenario : path, dict or Scenario
        The base-year scenario with a ``plan`` section (or give ``plan``).
    plan : Plan or dict, optional
        Overrides the scenario's ``plan``.
    file : str or Path
        Named in error messages when ``scenario`` is not a path.

    Returns
    -------
    list of Scenario
        The validated scenario of every year, base year first.

    Raises
    ------
    ScenarioError
        As :func:`run_plan` does, and for an intensity per output without ``declared.output_value_cny`` in
        every year.
    """
    data, _, file = _load(scenario, file)
    plan_, scenarios = _validated(data, plan, file)
    _intensity_key(plan_, scenarios, file)
    return scenarios


def run_plan(
    scenario: str | Path | dict[str, Any] | BaseModel,
    base_dir: str | Path | None = None,
    plan: Plan | dict[str, Any] | None = None,
    file: str | Path = "<scenario>",
) -> PlanResult:
    """Simulate every year of a plan and evaluate the trend criteria.

    Parameters
    ----------
    scenario : path, dict or Scenario
        The base-year scenario with a ``plan`` section (or give ``plan``).
    base_dir : path, optional
        Folder that relative paths start from; default the scenario file's folder, else ".".
    plan : Plan or dict, optional
        Overrides the scenario's ``plan``.
    file : str or Path
        Named in error messages when ``scenario`` is not a path.

    Returns
    -------
    PlanResult
        Every simulated year, the per-year KPIs, the trends and trend verdicts, and the scenario's packs
        evaluated on the last year.

    Raises
    ------
    ScenarioError
        Bad plan (path ``plan...``), a stage that breaks the scenario (path
        ``plan.stages[i] (year Y): <field>``), or a bad base scenario (path as usual).
    """
    from lingtan.twin.accounting.criteria import evaluate, score
    from lingtan.twin.run import simulate

    data, folder, file = _load(scenario, file)
    base_dir = Path(base_dir) if base_dir is not None else (folder or Path("."))
    plan_, scenarios = _validated(data, plan, file)
    key = _intensity_key(plan_, scenarios, file)
    progress.stage("progress_plan_years", len(scenarios))
    runs = []
    for sc in scenarios:
        runs.append(simulate(sc, base_dir))
        progress.advance()
    per_year = [year_kpis(run) for run in runs]
    final = runs[-1].scenario
    trends, trend_verdicts = trend_results(per_year, key, final.declared, final.criteria_settings)
    verdicts, packs = [], []
    if final.criteria:
        flat = {
            **_flat(runs[-1]),
            **per_year[-1],
            **{k: v for k, v in trends.items() if not isinstance(v, (str, list))},
        }
        vs = evaluate(final.criteria, flat, final.declared, final.criteria_settings)
        verdicts = [v.to_dict() for v in vs]
        packs = [score(vs, p) for p in final.criteria]
    return PlanResult(
        plan=plan_,
        years=runs,
        per_year=per_year,
        trends=trends,
        trend_verdicts=trend_verdicts,
        verdicts=verdicts,
        packs=packs,
    )


def has_plan(data: Any) -> bool:
    """Whether a parsed scenario mapping carries a plan.

    Parameters
    ----------
    data : Any
        A parsed scenario file.

    Returns
    -------
    bool
        True for a mapping whose ``plan`` is present and not null.
    """
    return isinstance(data, dict) and data.get("plan") is not None


__all__ = [
    "INTENSITY_KEYS",
    "FuelSwitch",
    "Plan",
    "PlanResult",
    "Stage",
    "check_plan",
    "has_plan",
    "parse_plan",
    "run_plan",
    "trend_results",
    "year_kpis",
    "years",
]
