"""``twin sweep``: many variants of one scenario, streamed to a Parquet dataset.

Parameters are named by their field path in the scenario file, e.g.
``pv[0].capacity_kwp`` or ``battery[0].energy_kwh``::

    twin sweep FILE --param pv[0].capacity_kwp=0:20000:21 --param battery[0].energy_kwh=0:40000:11 --out DIR

Designs
-------
* full grid (default): ``NAME=lo:hi:n`` per parameter, every combination;
* Latin hypercube: ``--lhs N [--seed S]`` with ``NAME=lo:hi``; each parameter's
  range is cut into N equal strata and every stratum holds exactly one case;
* one-at-a-time: ``--oat`` with ``NAME=lo:hi[:n]`` (n = 3 by default): the base
  case (the scenario's own values) and, per parameter, n values over its range
  with every other parameter at its base value (tornado charts).

Integer fields (``wind[i].count``) take rounded values. Every case is validated
by the scenario models; a bad path or value is an :class:`~lingtan.errors.InputError`
naming the field path.

Execution
---------
* Fast path: when every parameter is a size the dispatch kernel takes directly
  (:data:`FAST_FIELDS`), the size-independent profiles are computed once and the
  cases go through :func:`lingtan.twin.core.dispatch.dispatch` in chunks (``chunk_size``,
  default 20 000). KPIs come from :func:`lingtan.twin.core.kpis.electric_kpis` and
  :func:`lingtan.components.grid.bill_from_totals`, the functions single runs use. Demand-response events
  (``demand_response``) take two kernel calls over the chunk, as a single run takes two runs: the baseline, whose
  import in the event hours the kernel records for every case, then the year under each case's caps
  (:func:`lingtan.components.demand_response.event_caps`); the ``demand_response.*`` columns come from
  :func:`lingtan.components.demand_response.response_kpis`, as a single run's (the economics do not read them).
  Sizes that shape the profiles before dispatch (:data:`PROFILE_FIELDS`: an absorption
  chiller on a waste-heat stream, the fleet's vehicles and charge points; and PV, wind and the
  import limit of a site that schedules smart charging or flexible batches on them,
  :data:`SCHEDULE_FIELDS`) take the fast path too: the profiles are built once per distinct
  combination of their values (:func:`profile_groups`, the weather read once), and each group's
  cases go through the kernel together; the fleet's numbers (``vehicles.*``) are the group's.
* Whole-scenario path: anything else (weather, processes, loads, parks) runs
  :func:`lingtan.twin.run.simulate` / :func:`lingtan.twin.studies.park.simulate_park` per case in a
  :class:`concurrent.futures.ProcessPoolExecutor` (``jobs``).
* Dask: ``cluster="tcp://HOST:PORT"`` (or a ``distributed.Client``) submits the
  same functions, per case or per chunk, to a Dask cluster; rows are identical.

Criteria on the fast path
-------------------------
The whole-scenario path stores the verdicts of :func:`lingtan.twin.accounting.assess.assess`. On the
fast path, when the scenario has no heat side, no hydrogen store, no fuel uses and a constant grid emission
factor, a chunk's
accounting, criteria and economics are computed from its table of annual KPIs at once
(:func:`annual_columns`): the base scenario is validated once (the cases differ only in the swept
sizes, whose values :func:`fast_inputs` validated), the accounting
(:func:`lingtan.twin.accounting.account.account`) and the economics take the year's quantities and the
sizes as arrays of the chunk's cases, through the formulas a single run uses, and each criterion is
evaluated once for the chunk over arrays of its cases, the code a single run takes with one case
(:func:`lingtan.twin.accounting.assess.assess_cases`). Otherwise (heat KPIs and fuel use
need the hourly heat table; an hourly emission-factor profile needs hourly imports)
each case runs through :func:`lingtan.twin.run.simulate_profiles` on the profiles computed
once for the sweep, as a single run does: the rows equal the whole-scenario path's,
at about 25 ms a case instead of a whole simulation, spread over ``jobs``
processes when there are more than four cases per process. ``verdicts=False`` (``--no-verdicts``)
leaves the accounting, criteria and economics out and keeps the vectorised kernel's electric KPIs only.

Results
-------
``OUT/cases/part-XXXXX.parquet``, one file per chunk (fast path) or per batch
of finished cases (whole-scenario path), each written under a temporary name and
renamed, so a part is either complete or absent. Every row carries
``case_hash`` = sha256 of the sweep's input key and the sorted parameter values;
the input key hashes the content of the scenario file and of every file it names
(weather, loads, tariff, emission factor, network) and the model version
(:func:`lingtan.twin.core.provenance.model_version`). A rerun reads the hashes already present
and runs only the missing cases: an interrupted sweep loses nothing and
duplicates nothing. A rerun whose inputs, model or parameters differ from the
folder's ``sweep.json`` is refused with what changed: rows of different inputs
never mix.

Safety
------
``OUT`` is new, empty or this sweep's own (:mod:`lingtan.twin.core.results_dir`) and is locked
while the sweep runs (a second sweep into it is refused with the first one's
PID). A design of more than :data:`MAX_CASES` cases is refused before it is built
(``max_cases``, ``--max-cases``); the number of cases with an estimate of time
and memory is printed before any case runs. SIGTERM and SIGINT stop the worker
processes and keep the rows written so far.
Columns: ``case_hash``, one column per parameter (its field path), the KPIs
(flat names of ``kpis.json``; nested ones joined with dots, e.g.
``grid_bill_cny.total_cny``), ``accounting.<kpi>``, ``verdict.<criterion_id>``
(passed), ``pack.<pack>.points`` / ``.admission_passed`` / ``.targets_passed``, and
``economics.<name>`` (:data:`ECONOMICS_COLUMNS` and ``operating_cost_cny``; each case priced at
its own sizes).

Weather-year ensembles
----------------------
With ``members`` (``twin sweep ... --weather-years N``: the scenario's synthetic weather drawn for N years,
:func:`lingtan.twin.studies.ensemble.member_weathers`) the row's columns above stay the typical year's, and each
case also gets its odds over the N members, computed by :func:`ensemble_columns` through the same kernel path
(each member's profiles built once for the sweep, one kernel call per member with the chunk's cases side by
side): ``ensemble.members`` (N), ``ensemble.<kpi>.p50`` and ``ensemble.<kpi>.p90`` (the sweep's ``kpi``, P90 =
the value exceeded in 90 % of the years, :data:`lingtan.twin.core.odds.CONVENTION`) and, with verdicts,
``ensemble.verdict.<criterion_id>.p_pass`` (fraction of the members whose verdict is "pass", 0..1). The
members enter the case hashes: a rerun with other members is refused. Fast path in local processes only.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lingtan.errors import InputError
from lingtan.twin.core import fieldpath

DEFAULT_KPI = "re_electricity_share_onsite"
DEFAULT_THRESHOLD = 0.40
CASES_DIR = "cases"

MAX_CASES = 1_000_000
"""Most cases a sweep runs unless told otherwise (``max_cases``, ``--max-cases``): the case hashes alone take about
0.3 kB a case in memory, and a million fast-path cases take about a minute (without verdicts) to ten minutes."""

# Seconds a case, for the estimate printed before a sweep runs. Measured on the 2-core machine of README's speed
# table (make bench, 2026-12-03): the fast path's kernel 25 000 cases/s end to end, accounting, criteria and
# economics over arrays 4-7 us a case after the criteria went over arrays (benchmarks/sweep_bench.py, 2026-12-03,
# verdicts' own cost 0.11-0.22 x the kernel's at load 1.5-1.8), taken as 1/50 000 s), a case run through
# simulate_profiles 25 ms (40 cases/s a process); a whole-scenario
# case of hefei_auto_parts.yaml with a new weather seed 0.13-0.16 s of CPU (measured 2026-12-03), rounded up to
# 0.2 s, and a park case 0.2 s per tenant.
# An ensemble member's weather and profiles: at most the 0.15 s of a whole member (lingtan.limits.MAX_ENSEMBLE_YEARS).
_S_MEMBER = 0.15
_S_FAST, _S_VERDICTS, _S_PROFILES, _S_WHOLE = 1 / 25_000, 1 / 50_000, 0.025, 0.2
# Memory for the estimate: the process with its imports and profiles, each worker process, and per case the design
# row, its hash and its share of the result rows (the 100 000-case sweep of the speed table peaks at 475 MB).
_MB_BASE, _MB_WORKER, _KB_CASE = 350, 300, 1.3

_BAT = (
    "energy_kwh|power_kw|charge_power_kw|discharge_power_kw|soc_min|soc_max|soc_initial|charge_efficiency|"
    "discharge_efficiency|self_discharge_fraction_per_hour"
)
FAST_FIELDS = {
    "pv": re.compile(r"^pv\[(\d+)\]\.capacity_kwp$"),
    "wind": re.compile(r"^wind\[(\d+)\]\.count$"),
    "battery": re.compile(rf"^battery\[0\]\.({_BAT})$"),
    "grid": re.compile(r"^grid\.(import_limit_kw|export_limit_kw)$"),
    "store": re.compile(r"^thermal_storage\[(\d+)\]\.(capacity_kwh_th|charge_kw_th|discharge_kw_th)$"),
    "heat_pump": re.compile(r"^heat_pumps\[(\d+)\]\.capacity_q_kw_th$"),
    "ground_loop": re.compile(
        r"^ground_loops\[(\d+)\]\.(boreholes_x|boreholes_y|spacing_m|length_m|buried_depth_m|radius_m)$"
    ),
    "boiler": re.compile(r"^boilers\[(\d+)\]\.capacity_q_kw_th$"),  # electric boilers only
    "chp": re.compile(r"^chp\[(\d+)\]\.capacity_p_kw$"),
    "electrolyser": re.compile(r"^electrolysers\[(\d+)\]\.capacity_p_kw$"),
    "h2_store": re.compile(r"^hydrogen_stores\[0\]\.capacity_kg$"),
    "fuel_cell": re.compile(r"^fuel_cells\[(\d+)\]\.capacity_p_kw$"),
    "absorber": re.compile(r"^absorption_chillers\[(\d+)\]\.capacity_q_kw_th$"),  # CHP-driven ones
    "h2_boiler": re.compile(r"^hydrogen_boilers\[(\d+)\]\.capacity_q_kw_th$"),
    "cold_store": re.compile(r"^cold_stores\[(\d+)\]\.(capacity_kwh_th|charge_q_kw_th|discharge_q_kw_th)$"),
    "air_receiver": re.compile(r"^air_receivers\[(\d+)\]\.(volume_m3|charge_m3_per_h)$"),
}
"""Field paths the fast path takes: sizes the dispatch kernel reads directly."""

PROFILE_FIELDS = {
    "absorber": FAST_FIELDS["absorber"],  # on a waste-heat stream
    "vehicles": re.compile(r"^vehicles\[(\d+)\]\.(count|battery_kwh)$"),
    "chargers": re.compile(r"^chargers\[(\d+)\]\.(count|power_kw|discharge_power_kw)$"),
    "parking": re.compile(r"^charging\.parking_spaces$"),
}
"""Field paths the fast path takes that shape the profiles before the kernel runs: an absorption chiller on a
waste-heat stream (its cooling and the stream's leftover are worked out before dispatch), the fleet's vehicles and
charge points (charging is scheduled before dispatch). The profiles are built once per distinct combination of
their values (:func:`profile_groups`), on the weather read once, and each group's cases run through the kernel
side by side."""

SCHEDULE_FIELDS = re.compile(r"^(pv\[\d+\]\.capacity_kwp|wind\[\d+\]\.count|grid\.import_limit_kw)$")
"""Kernel sizes that also shape the profiles of a site that schedules loads before dispatch (smart charging,
flexible batches: :func:`lingtan.twin.run.charging_site` reads its generation and import limit): there they are
both kernel inputs and profile groups."""

# --------------------------------------------------------------------------- parameters and designs


@dataclass(frozen=True)
class Param:
    """One swept field: its path, range and (grid / one-at-a-time) number of values."""

    name: str
    lo: float
    hi: float
    n: int | None = None
    integer: bool = False

    def values(self) -> np.ndarray:
        """The parameter's values: ``n`` evenly spaced from ``lo`` to ``hi`` (rounded for an integer field).

        Returns
        -------
        ndarray, shape (n,)
            Values in the field's own unit; ``[lo]`` when ``n`` is unset or 1.
        """
        v = np.linspace(self.lo, self.hi, self.n) if self.n and self.n > 1 else np.array([self.lo])
        return np.round(v) if self.integer else v


def parse_param(text: str, file=None, *, need_n: bool | None = True, base: dict | None = None) -> Param:
    """Parse ``NAME=lo:hi:n`` (``need_n=True``), ``NAME=lo:hi`` (``False``) or either (``None``).

    Parameters
    ----------
    text : str
        The ``--param`` text, e.g. ``battery.energy_kwh=0:4000:5``.
    file : path, optional
        Scenario file, named by the error.
    need_n : bool or None
        Whether the number of values is required (True), forbidden (False) or optional (None).
    base : dict, optional
        The scenario mapping; when given, the field must exist there and be numeric.

    Returns
    -------
    Param
        The parameter (``integer`` when the base field is an integer).

    Raises
    ------
    InputError
        When the text, the range or the field is not valid.
    """
    name, eq, rng = text.partition("=")
    name = name.strip()
    if not eq or not name:
        raise InputError(file, f"--param {text}", "NAME=lo:hi:n (grid) or NAME=lo:hi (--lhs)", repr(text))
    parts = rng.split(":")
    want = {True: "lo:hi:n", False: "lo:hi", None: "lo:hi or lo:hi:n"}[need_n]
    if len(parts) not in ((3,) if need_n else (2,) if need_n is False else (2, 3)):
        raise InputError(file, f"--param {name}", f"a range {want}", repr(rng))
    try:
        lo, hi = float(parts[0]), float(parts[1])
        n = int(parts[2]) if len(parts) == 3 else None
    except ValueError:
        raise InputError(file, f"--param {name}", f"numbers in {want}", repr(rng)) from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi < lo:
        raise InputError(file, f"--param {name}", "finite lo <= hi", repr(rng))
    if n is not None and n < 1:
        raise InputError(file, f"--param {name}", "n >= 1 values", repr(rng))
    integer = False
    if base is not None:
        cur = fieldpath.get_value(
            base, fieldpath.parse(name, file=file, field=f"--param {name}"), file=file, field=name
        )
        if isinstance(cur, bool) or not isinstance(cur, (int, float, type(None))):
            raise InputError(file, name, "a numeric field", f"{type(cur).__name__} {cur!r}")
        integer = isinstance(cur, int)
    return Param(name, lo, hi, n, integer)


def grid_design(params: list[Param]) -> np.ndarray:
    """Every combination of the parameters' values, first parameter slowest: (M, P).

    Parameters
    ----------
    params : list of Param
        Swept fields, each with its ``n`` values.

    Returns
    -------
    ndarray, shape (M, P)
        One case a row, one parameter a column; M is the product of the ``n``.
    """
    axes = [p.values() for p in params]
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(params))


def lhs_design(params: list[Param], n: int, seed: int = 0) -> np.ndarray:
    """Latin hypercube of ``n`` cases, seeded: each parameter's range in n equal strata, one case each.

    Parameters
    ----------
    params : list of Param
        Swept fields; ``lo`` and ``hi`` are used.
    n : int
        Number of cases.
    seed : int
        Seed of the random generator (same seed, same design).

    Returns
    -------
    ndarray, shape (n, P)
        One case a row, one parameter a column.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((n, len(params)))
    for j, p in enumerate(params):
        u = (rng.permutation(n) + rng.random(n)) / n
        v = p.lo + (p.hi - p.lo) * u
        out[:, j] = np.round(v) if p.integer else v
    return out


def oat_design(params: list[Param], base: list[float]) -> np.ndarray:
    """The base case, then per parameter its values with the others at base (one at a time).

    Parameters
    ----------
    params : list of Param
        Swept fields, each with its ``n`` values.
    base : list of float
        The base scenario's value of each field.

    Returns
    -------
    ndarray, shape (1 + sum of n, P)
        The base case first, then each parameter's values in turn.
    """
    rows = [list(base)]
    for j, p in enumerate(params):
        for v in p.values():
            r = list(base)
            r[j] = float(v)
            rows.append(r)
    return np.array(rows, dtype=float)


def case_hashes(scenario_hash: str, names: list[str], values) -> list[str]:
    """One hash per case (row of ``values``): sha256 of the sweep's input key (:func:`input_key`) and the
    (name, value) pairs sorted by name, values as ``repr`` of the float (which round-trips exactly).

    Parameters
    ----------
    scenario_hash : str
        The sweep's input key (:func:`input_key`).
    names : list of str
        Field paths, one per column of ``values``.
    values : array_like, shape (M, P)
        The design.

    Returns
    -------
    list of str
        M hex sha256 digests, in the order of the rows.
    """
    order = sorted(range(len(names)), key=lambda j: names[j])
    keys = [names[j] + "=" for j in order]
    head = scenario_hash + "\n"
    rows = np.asarray(values, dtype=float).reshape(-1, len(names))[:, order].tolist()
    return [
        hashlib.sha256((head + "\n".join(k + repr(v) for k, v in zip(keys, row, strict=True))).encode()).hexdigest()
        for row in rows
    ]


# --------------------------------------------------------------------------- the sweep plan


@dataclass
class Plan:
    """A sweep's cases: the scenario, its parameters, the design matrix and the case hashes."""

    file: Path
    data: dict
    scenario: Any
    params: list[Param]
    design: str
    values: np.ndarray  # (M, P)
    hashes: list[str]
    scenario_hash: str  # the input key: scenario file, every file it names, the model (input_key)
    base_values: list[float] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # sha256 of the scenario file and each file it names
    model: str = ""  # lingtan.twin.core.provenance.model_version()

    @property
    def names(self) -> list[str]:
        """Field paths of the parameters, in the order of the design's columns."""
        return [p.name for p in self.params]

    def case_data(self, i: int) -> dict:
        """The scenario mapping of case ``i``.

        Parameters
        ----------
        i : int
            Row of the design.

        Returns
        -------
        dict
            A copy of the base mapping with the case's values set (:func:`apply_values`).
        """
        return apply_values(self.data, self.names, self.values[i], self.params)


def apply_values(data: dict, names: list[str], values, params: list[Param] | None = None) -> dict:
    """A copy of ``data`` with the fields set (integer fields rounded); only the containers along the paths are
    copied (:func:`lingtan.twin.core.fieldpath.with_values`).

    Parameters
    ----------
    data : dict
        The scenario mapping; not changed.
    names : list of str
        Field paths to set.
    values : array_like
        One value per path.
    params : list of Param, optional
        The parameters of ``names``, to round integer fields.

    Returns
    -------
    dict
        The new mapping.
    """
    return fieldpath.with_values(
        data,
        [
            (name, int(round(v)) if params and params[j].integer else float(v))
            for j, (name, v) in enumerate(zip(names, values, strict=True))
        ],
    )


def check_ranges(p: Plan) -> None:
    """Validate each parameter's lowest and highest value of the design, one at a time on the base scenario.

    Bounds in the schema are per field, so a range that leaves them fails here, before any folder is
    made or case is run, with the field path. (A combination that only fails together, such as a
    battery's power against its energy, is still found at its case.)

    Parameters
    ----------
    p : Plan
        The sweep's plan.

    Raises
    ------
    InputError
        When a parameter's lowest or highest value fails the schema, naming its field path.
    """
    from lingtan.twin.core.scenario import scenario_from_dict

    for j, param in enumerate(p.params):
        for v in (p.values[:, j].min(), p.values[:, j].max()):
            scenario_from_dict(apply_values(p.data, [param.name], [v], [param]), p.file)


def case_count(params: list[Param], design: str, lhs: int | None = None) -> int:
    """Cases of a design before it is built (before deduplication): exact integers, however large.

    Parameters
    ----------
    params : list of Param
        Swept fields.
    design : {"grid", "lhs", "oat"}
        The design.
    lhs : int, optional
        Number of cases of a Latin hypercube.

    Returns
    -------
    int
        Number of cases.
    """
    if design == "lhs":
        return int(lhs)
    if design == "oat":
        return 1 + sum(p.n or 3 for p in params)
    return math.prod(p.n or 1 for p in params)


def input_key(inputs: dict[str, str], model: str) -> str:
    """The hash every case hash starts from: the input files' hashes and the model version.

    Parameters
    ----------
    inputs : dict of str to str
        sha256 of the scenario file and of each file it names, by file.
    model : str
        The model version (:func:`lingtan.twin.core.provenance.model_version`).

    Returns
    -------
    str
        Hex sha256 digest.
    """
    return hashlib.sha256(json.dumps({"inputs": inputs, "model": model}, sort_keys=True).encode()).hexdigest()


def plan(
    file: str | Path,
    param_texts: list[str],
    *,
    lhs: int | None = None,
    oat: bool = False,
    seed: int = 0,
    max_cases: int | None = None,
) -> Plan:
    """Parse the parameters, check the number of cases against ``max_cases`` (default :data:`MAX_CASES`),
    build the design and hash every case.

    Parameters
    ----------
    file : path
        Scenario YAML.
    param_texts : list of str
        The ``--param`` texts (:func:`parse_param`).
    lhs : int, optional
        Latin hypercube of this many cases instead of the full grid.
    oat : bool
        One at a time around the base case instead of the full grid.
    seed : int
        Seed of the Latin hypercube.
    max_cases : int, optional
        Refuse a design of more cases.

    Returns
    -------
    Plan
        The design, its case hashes and the base scenario.

    Raises
    ------
    InputError
        When a parameter is not valid or the design has more than ``max_cases`` cases.
    """
    from lingtan.twin.core.provenance import input_hashes, model_version
    from lingtan.twin.core.scenario import load_scenario

    file = Path(file)
    scenario = load_scenario(file)
    data = scenario.model_dump(mode="json")
    if not param_texts:
        raise InputError(file, "--param", "at least one parameter NAME=lo:hi:n", "none")
    if lhs is not None and oat:
        raise InputError(file, "--lhs/--oat", "one design", "both --lhs and --oat")
    need_n = False if lhs is not None else (None if oat else True)
    params = [parse_param(t, file, need_n=need_n, base=data) for t in param_texts]
    dup = sorted({p.name for p in params if [q.name for q in params].count(p.name) > 1})
    if dup:
        raise InputError(file, f"--param {dup[0]}", "each parameter once", "repeated")
    base = []
    for p in params:
        cur = fieldpath.get_value(data, p.name, file=file)
        base.append(float(cur) if cur is not None else float("nan"))
    if lhs is not None and lhs < 1:
        raise InputError(file, "--lhs", "N >= 1 cases", str(lhs))
    limit = MAX_CASES if max_cases is None else max_cases
    count = case_count(params, "lhs" if lhs is not None else "oat" if oat else "grid", lhs)
    if count > limit:  # before the design is built: a mistyped n must not fill the memory
        raise InputError(
            file, "--param", f"at most {limit:,} cases (raise the limit with --max-cases)", f"{count:,} cases"
        )
    if lhs is not None:
        values, design = lhs_design(params, lhs, seed), "lhs"
    elif oat:
        params = [p if p.n else Param(p.name, p.lo, p.hi, 3, p.integer) for p in params]
        missing = [p.name for p, b in zip(params, base, strict=True) if not np.isfinite(b)]
        if missing:
            raise InputError(file, missing[0], "a base value in the scenario for --oat", "none (null)")
        values, design = oat_design(params, base), "oat"
    else:
        values, design = grid_design(params), "grid"
    inputs, model = input_hashes(file, data), model_version()
    sh = input_key(inputs, model)
    names = [p.name for p in params]
    hashes, keep = [], []
    seen = set()
    for i, h in enumerate(case_hashes(sh, names, values)):
        if h not in seen:  # one-at-a-time repeats the base case; rounding can repeat integer values
            seen.add(h)
            hashes.append(h)
            keep.append(i)
    return Plan(
        file=file,
        data=data,
        scenario=scenario,
        params=params,
        design=design,
        values=values[keep],
        hashes=hashes,
        scenario_hash=sh,
        base_values=base,
        inputs=inputs,
        model=model,
    )


def fast_path_ok(scenario, names: list[str]) -> bool:
    """True when the scenario is a factory and every parameter is a size the kernel takes directly
    (:func:`kernel_size`) or one that shapes its profiles (:func:`shapes_profiles`).

    Parameters
    ----------
    scenario : Scenario or Park
        The base scenario.
    names : list of str
        Field paths of the parameters.

    Returns
    -------
    bool
        Whether the fast path can run the sweep.
    """
    from lingtan.twin.core.scenario import Scenario

    if not isinstance(scenario, Scenario):
        return False
    b = scenario.battery[0] if scenario.battery else None
    if b is not None and b.dispatch == "peak_shaving" and b.peak_target_kw is None:
        return False  # each case searches its own lowest peak targets first (a run of its own)
    return all(kernel_size(scenario, name) or shapes_profiles(scenario, name) for name in names)


def kernel_size(scenario, name: str) -> bool:
    """Whether a parameter is a size the dispatch kernel takes directly (:data:`FAST_FIELDS`).

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    name : str
        Field path of the parameter.

    Returns
    -------
    bool
        True for the kernel's sizes (a boiler only when electric, an absorption chiller only when a CHP unit drives
        it).
    """
    kind = next((k for k, rx in FAST_FIELDS.items() if rx.match(name)), None)
    if kind == "boiler":
        i = int(FAST_FIELDS["boiler"].match(name).group(1))
        return i < len(scenario.boilers) and scenario.boilers[i].fuel == "electric"
    if kind == "absorber":
        return _on_chp(scenario, name)
    return kind is not None


def _on_chp(scenario, name: str) -> bool:
    """Whether field path ``name`` is a size of an absorption chiller a CHP unit drives (a kernel size)."""
    from lingtan.twin.core.heat_profiles import chp_absorbers

    i = int(FAST_FIELDS["absorber"].match(name).group(1))
    chillers = scenario.absorption_chillers
    return i < len(chillers) and chillers[i] in chp_absorbers(scenario)


def shapes_profiles(scenario, name: str) -> bool:
    """Whether a parameter is a size that shapes the profiles before dispatch (:data:`PROFILE_FIELDS`).

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    name : str
        Field path of the parameter.

    Returns
    -------
    bool
        True for an absorption chiller on a waste-heat stream and the fleet's sizes, and, where the site schedules
        loads before dispatch, its PV, wind and import limit (:data:`SCHEDULE_FIELDS`).
    """
    from lingtan.twin.run import schedules_before_dispatch

    if SCHEDULE_FIELDS.match(name) and schedules_before_dispatch(scenario):
        return True
    kind = next((k for k, rx in PROFILE_FIELDS.items() if rx.match(name)), None)
    if kind != "absorber":
        return kind is not None
    i = int(PROFILE_FIELDS["absorber"].match(name).group(1))
    return i < len(scenario.absorption_chillers) and not _on_chp(scenario, name)


# --------------------------------------------------------------------------- fast path


def _component(name: str) -> str:
    return name.rsplit(".", 1)[0]


@dataclass
class FastInputs:
    """Per-case kernel inputs of a fast-path sweep."""

    caps: np.ndarray  # (M, K)
    params: np.ndarray  # (M, len(PARAMS))
    store_kwh_th: np.ndarray
    store_charge_kw_th: np.ndarray
    store_discharge_kw_th: np.ndarray
    store_e0_kwh_th: np.ndarray
    unit_kw_th: np.ndarray
    ground_loop: np.ndarray  # (M, G, 4)
    ground_modes: np.ndarray  # (M, G, modes, 2)
    chp_kw: np.ndarray  # (M, C)
    h2_kw: np.ndarray  # (M, Z)
    h2_store_kg: np.ndarray  # (M, Y, 3)
    fc_kw: np.ndarray  # (M, F)
    cabs_kw: np.ndarray  # (M, A) CHP-driven absorption chillers
    hb_kw: np.ndarray  # (M, H)
    ls_size: np.ndarray  # (M, L, 4)
    bat_energy: np.ndarray
    bat_soc_min: np.ndarray
    bat_soc_max: np.ndarray

    def take(self, idx) -> FastInputs:
        """The inputs of some cases.

        Parameters
        ----------
        idx : int array or slice
            Cases to keep.

        Returns
        -------
        FastInputs
            Every array indexed along its first (case) axis.
        """
        return FastInputs(**{k: v[idx] for k, v in self.__dict__.items()})


def _component_values(sc, comp: str) -> dict[str, Any]:
    """Kernel inputs that one validated component sets, keyed by target (numbers; a ground loop's parameters and
    modes are arrays)."""
    from lingtan.twin.core.dispatch import PARAMS
    from lingtan.twin.core.heat_profiles import chp_absorbers, heat_sizes, loop_modes, loop_parameters
    from lingtan.twin.run import kernel_params

    kind, *index = fieldpath.parse(comp)  # "pv[0]" -> "pv", [0]; "grid" -> "grid", []
    i = index[0] if index else None
    out: dict[str, Any] = {}
    if kind == "pv":
        out[f"caps:{i}"] = sc.pv[i].capacity_kwp
    elif kind == "wind":
        out[f"caps:{len(sc.pv) + i}"] = float(sc.wind[i].count)
    elif kind == "battery":
        row = kernel_params(sc.grid, sc.battery)[0]
        for col in (
            "energy_kwh",
            "charge_kw",
            "discharge_kw",
            "charge_efficiency",
            "discharge_efficiency",
            "soc_min",
            "soc_max",
            "self_discharge_fraction_per_hour",
            "soc_initial",
        ):
            out[f"params:{PARAMS.index(col)}"] = row[PARAMS.index(col)]
        b = sc.battery[0]
        out.update({"bat_energy": b.energy_kwh, "bat_soc_min": b.soc_min, "bat_soc_max": b.soc_max})
    elif kind == "grid":
        row = kernel_params(sc.grid, [])[0]
        for col in ("import_limit_kw", "export_limit_kw"):
            out[f"params:{PARAMS.index(col)}"] = row[PARAMS.index(col)]
    elif kind == "thermal_storage":
        s = sc.thermal_storage[i]
        out.update(
            {
                f"store_kwh_th:{i}": s.capacity_kwh_th,
                f"store_charge_kw_th:{i}": s.charge_kw_th,
                f"store_discharge_kw_th:{i}": s.discharge_kw_th,
                f"store_e0_kwh_th:{i}": s.soc_initial * s.capacity_kwh_th,
            }
        )
    elif kind == "heat_pumps":
        out[f"unit_kw_th:{i}"] = sc.heat_pumps[i].capacity_q_kw_th
    elif kind == "ground_loops":
        out[f"ground_loop:{i}"] = loop_parameters([sc.ground_loops[i]])[0]
        out[f"ground_modes:{i}"] = loop_modes([sc.ground_loops[i]])[0]
    elif kind == "chp":
        out[f"chp_kw:{i}"] = sc.chp[i].capacity_p_kw
    elif kind == "electrolysers":
        out[f"h2_kw:{i}"] = sc.electrolysers[i].capacity_p_kw
    elif kind == "fuel_cells":
        out[f"fc_kw:{i}"] = sc.fuel_cells[i].capacity_p_kw
    elif kind == "absorption_chillers":
        out[f"cabs_kw:{chp_absorbers(sc).index(sc.absorption_chillers[i])}"] = sc.absorption_chillers[
            i
        ].capacity_q_kw_th
    elif kind == "hydrogen_boilers":
        out[f"hb_kw:{i}"] = sc.hydrogen_boilers[i].capacity_q_kw_th
    elif kind in ("cold_stores", "air_receivers"):
        j = i if kind == "cold_stores" else len(sc.cold_stores) + i
        out[f"ls_size:{j}"] = np.array(getattr(sc, kind)[i].kernel_sizes())
    elif kind == "hydrogen_stores":
        out[f"h2_store_kg:{i}"] = heat_sizes(sc).h2_store_kg[0, i]
    elif kind == "boilers":
        electric = [j for j, b in enumerate(sc.boilers) if b.fuel == "electric"]
        out[f"unit_kw_th:{len(sc.heat_pumps) + electric.index(i)}"] = sc.boilers[i].capacity_q_kw_th
    return out


def fast_inputs(p: Plan) -> FastInputs:
    """Kernel inputs of every case. Each component's distinct value combinations are validated by the
    scenario models (which also resolve defaults such as ``power_kw`` -> charge and discharge limits).

    Parameters
    ----------
    p : Plan
        The sweep's plan.

    Returns
    -------
    FastInputs
        Sizes, kernel parameters and capacities of every case, one row each.

    Raises
    ------
    InputError
        When a value combination fails the scenario models.
    """
    from lingtan.twin.core.heat_profiles import heat_sizes
    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.run import kernel_params, sizes

    sc = p.scenario
    m = len(p.values)
    hs = heat_sizes(sc, m)
    b = sc.battery[0] if sc.battery else None
    fi = FastInputs(
        caps=np.tile(sizes(sc), (m, 1)),
        params=kernel_params(sc.grid, sc.battery, m),
        store_kwh_th=hs.store_kwh_th.copy(),
        store_charge_kw_th=hs.store_charge_kw_th.copy(),
        store_discharge_kw_th=hs.store_discharge_kw_th.copy(),
        store_e0_kwh_th=hs.store_e0_kwh_th.copy(),
        unit_kw_th=hs.unit_kw_th.copy(),
        ground_loop=hs.ground_loop.copy(),
        ground_modes=hs.ground_modes.copy(),
        chp_kw=hs.chp_kw.copy(),
        h2_kw=hs.h2_kw.copy(),
        h2_store_kg=hs.h2_store_kg.copy(),
        fc_kw=hs.fc_kw.copy(),
        cabs_kw=hs.cabs_kw.copy(),
        hb_kw=hs.hb_kw.copy(),
        ls_size=hs.ls_size.copy(),
        bat_energy=np.full(m, b.energy_kwh if b else 0.0),
        bat_soc_min=np.full(m, b.soc_min if b else 0.0),
        bat_soc_max=np.full(m, b.soc_max if b else 1.0),
    )
    groups: dict[str, list[int]] = {}
    for j, name in enumerate(p.names):
        if kernel_size(sc, name):  # the others run in groups of their own profiles (profile_groups)
            groups.setdefault(_component(name), []).append(j)
    for comp, cols in groups.items():
        uniq, inverse = np.unique(p.values[:, cols], axis=0, return_inverse=True)
        inverse = np.ravel(inverse)
        table: dict[str, np.ndarray] = {}
        for u, combo in enumerate(uniq):
            d = apply_values(p.data, [p.names[j] for j in cols], combo, [p.params[j] for j in cols])
            vals = _component_values(scenario_from_dict(d, p.file), comp)
            for key, v in vals.items():
                table.setdefault(key, np.empty((len(uniq), *np.shape(v))))[u] = v
        for key, col in table.items():
            target, _, k = key.partition(":")
            arr = getattr(fi, target)
            if k:
                arr[:, int(k)] = col[inverse]
            else:
                arr[:] = col[inverse]
    return fi


def fast_verdicts_possible(scenario, prof) -> bool:
    """Whether accounting and criteria can be computed from annual KPIs alone (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    prof : Profiles
        Its hourly profiles (:func:`lingtan.twin.run.build_profiles`).

    Returns
    -------
    bool
        True when the annual KPIs suffice.
    """
    return (
        prof.heat.empty
        and not prof.heat.h2_stores  # the hydrogen KPIs and the hydrogen vehicles' trips read the store's hours
        and not prof.fuel_uses
        and isinstance(scenario.grid.emission_factor, (str, int, float))
    )


def fast_rows(
    scenario, prof, fi: FastInputs, *, cases: list[dict] | None = None, file=None, verdicts: bool = False
) -> pd.DataFrame:
    """Dispatch a chunk of cases through the kernel; one row of KPIs per case, and with ``verdicts`` or ``cases``
    (each case's scenario mapping) its accounting, verdicts and economics: from the annual KPIs where they suffice
    (:func:`fast_verdicts_possible`), else case by case from ``cases``.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    prof : Profiles
        Its hourly profiles.
    fi : FastInputs
        The chunk's kernel inputs.
    cases : list of dict, optional
        Each case's scenario mapping, for its accounting, verdicts and economics; required for them when the annual
        KPIs do not suffice.
    file : path, optional
        Scenario file, for relative paths and errors.
    verdicts : bool
        Accounting, verdicts and economics from the annual KPIs without ``cases``.

    Returns
    -------
    DataFrame
        One row per case.
    """
    from lingtan.components.flexible import flexible_kpis
    from lingtan.components.grid import bill_from_totals
    from lingtan.components.vehicles import fleet_flat_kpis
    from lingtan.twin.core.dispatch import HeatSizes, dispatch
    from lingtan.twin.core.kpis import electric_kpis
    from lingtan.twin.run import kernel_site, v2b_e_kwh

    verdicts = verdicts or cases is not None
    if verdicts and not fast_verdicts_possible(scenario, prof):
        if cases is None:
            raise ValueError("fast_rows: this scenario's verdicts need each case's mapping (cases)")
        # Heat KPIs and an hourly emission factor need each case's hourly tables: the cases run one by one
        # through simulate_profiles, as single runs do, on the profiles computed once for the sweep.
        from lingtan.twin.core.scenario import scenario_from_dict
        from lingtan.twin.run import simulate_profiles

        return pd.DataFrame([_result_row(simulate_profiles(scenario_from_dict(d, file), prof)) for d in cases])
    hs = HeatSizes(**{f.name: getattr(fi, f.name) for f in dataclass_fields(HeatSizes)})
    site = kernel_site(scenario.battery, prof, hs)
    if scenario.demand_response is None:
        res, base, events = dispatch(prof.unit_kw, fi.caps, prof.load_kw, fi.params, **site), None, {}
    else:
        res, base, events = _event_year(scenario, prof, fi, site)
    src_e = prof.unit_kw.sum(axis=1)  # annual energy per unit of size [kWh per kWp, per turbine]
    gen = {
        kind: sum(
            (fi.caps[:, k] * src_e[k] for k, (kk, _) in enumerate(prof.sources) if kk == kind), np.zeros(len(fi.caps))
        )
        for kind in ("pv", "wind")
    }
    bill = bill_from_totals(
        res.total("import_cost_cny"), res.monthly_peak_kw, res.total("export_revenue_cny"), prof.tariff
    )
    k = electric_kpis(
        res,
        pv_e_kwh=gen["pv"],
        wind_e_kwh=gen["wind"],
        energy_kwh=fi.bat_energy,
        soc_min=fi.bat_soc_min,
        soc_max=fi.bat_soc_max,
        grid_cost_cny=bill["total_cny"],
        v2b_e_kwh=v2b_e_kwh(prof),
    )
    cols = {name: np.asarray(v, dtype=float) for name, v in k.items()}
    cols.update({f"grid_bill_cny.{name}": np.asarray(v, dtype=float) for name, v in bill.items()})
    if base is not None:
        cols.update(_response_columns(scenario.demand_response, prof, res, base, bill["total_cny"]))
    # What the chunk's cases share (profile_groups): the fleet's numbers, the batches' and the fuel uses' year.
    fleet = _fleet_record(scenario, prof)
    if fleet is not None:
        cols.update(_flatten({"vehicles": fleet}))
        if prof.vehicles.v2b_kw is not None:
            cols.update(_v2b_bill_columns(prof, fi, site, events, bill["total_cny"], fleet))
    if prof.flexible_kw:
        cols.update(_flatten({"flexible_loads": flexible_kpis(prof.flexible_kw, prof.period)}))
    if prof.fuel_uses:
        cols.update(_flatten({"fuel_uses": prof.fuel_uses}))
    df = pd.DataFrame(cols, index=range(len(fi.caps)))
    ok = verdicts and fast_verdicts_possible(scenario, prof)
    if ok:
        judged = df if fleet is None else df.assign(**fleet_flat_kpis(fleet))
        df = pd.concat([df, annual_columns(scenario, judged, _sized_scenario(scenario, fi), fleet)], axis=1)
    df["verdicts_computed"] = ok
    return df


def _v2b_bill_columns(prof, fi: FastInputs, site: dict, events: dict, bill_cny, fleet: dict) -> dict:
    """Each case's bill with its vehicles giving less the bill without (``vehicles.v2b.bill_change_cny``, negative: a
    saving) and the saving net of their ageing, as :func:`lingtan.twin.run.simulate_profiles` gives one case: the
    same year without vehicle-to-building (the smart schedule's first pass), dispatched alike."""
    from lingtan.components.grid import bill_from_totals
    from lingtan.twin.core.dispatch import dispatch

    alone_kw = prof.load_kw + prof.vehicles.v2b_kw - prof.vehicles.v2b_recharge_kw
    alone = dispatch(prof.unit_kw, fi.caps, alone_kw, fi.params, **events, **site)
    alone_bill = bill_from_totals(
        alone.total("import_cost_cny"), alone.monthly_peak_kw, alone.total("export_revenue_cny"), prof.tariff
    )
    change = np.asarray(bill_cny, dtype=float) - np.asarray(alone_bill["total_cny"], dtype=float)
    return {
        "vehicles.v2b.bill_change_cny": change,
        "vehicles.v2b.net_saving_cny": -change - fleet["v2b"]["ageing_cny"],
    }


def _fleet_record(scenario, prof) -> dict | None:
    """The fleet's KPIs of a run (:func:`lingtan.components.vehicles.fleet_kpis`) from its profiles: what the fleet
    and its chargers did, which no size the kernel takes changes. None without a fleet, or with hydrogen vehicles:
    their trips need the hydrogen store's hourly table (:func:`fast_verdicts_possible` runs such cases one by one)."""
    from lingtan.components.heat import load_fuels
    from lingtan.components.vehicles import fleet_hydrogen_uses, fleet_kpis

    if prof.vehicles is None or fleet_hydrogen_uses(scenario.vehicles):
        return None
    return fleet_kpis(scenario.vehicles, scenario.chargers, scenario.charging, prof.vehicles, prof.step_h, load_fuels())


def _event_year(scenario, prof, fi: FastInputs, site: dict) -> tuple[Any, Any, dict]:
    """A chunk's year with its demand-response events, as :func:`lingtan.twin.run.simulate_profiles` runs one case:
    the baseline without the events (its import in the event hours recorded by the kernel: caps of +inf there and
    no preparation dispatch as no event), each case's caps from its own baseline, the year again under them.

    Parameters
    ----------
    scenario : Scenario
        The base scenario, with ``demand_response``.
    prof : Profiles
        Its hourly profiles.
    fi : FastInputs
        The chunk's kernel inputs.
    site : dict
        :func:`lingtan.twin.run.kernel_site` of the chunk.

    Returns
    -------
    DispatchResult
        The year with the events, every case.
    DispatchResult
        The baseline year, every case.
    dict
        The events' kernel arguments (``event_step``, ``event_prep``, ``event_import_cap_kw``), for other years of
        the chunk dispatched alike.
    """
    from lingtan.components.demand_response import event_caps, event_steps
    from lingtan.twin.core.dispatch import dispatch

    dr = scenario.demand_response
    event, prep = event_steps(prof.index, dr)
    free = np.full((len(fi.caps), int(event.max()) + 1), np.inf)
    base = dispatch(prof.unit_kw, fi.caps, prof.load_kw, fi.params, event_step=event, event_import_cap_kw=free, **site)
    step, cap = event_caps(base.event_import_kw, base.monthly_peak_kw, event, prep, prof.month, dr)
    events = dict(event_step=step, event_prep=prep, event_import_cap_kw=cap)
    return dispatch(prof.unit_kw, fi.caps, prof.load_kw, fi.params, **events, **site), base, events


def _response_columns(dr, prof, res, base, bill_cny) -> dict[str, np.ndarray]:
    """The ``demand_response.<kpi>`` columns of a chunk (:func:`_event_year`'s two years): the numbers a whole run's
    ``kpis.json`` ``demand_response`` holds (:func:`lingtan.components.demand_response.response_kpis`), one value per
    case."""
    from lingtan.components.demand_response import response_kpis
    from lingtan.components.grid import bill_from_totals

    base_bill = bill_from_totals(
        base.total("import_cost_cny"), base.monthly_peak_kw, base.total("export_revenue_cny"), prof.tariff
    )
    base_kw = base.event_import_kw  # the event hours' columns; the preparing steps' follow in the capped year's
    k = response_kpis(base_kw, res.event_import_kw[:, : base_kw.shape[1]], dr, bill_cny, base_bill["total_cny"])
    n = len(base_kw)
    return {
        f"demand_response.{name}": np.broadcast_to(np.asarray(v, dtype=float), (n,))
        for name, v in k.items()
        if not isinstance(v, (str, list))
    }


def _sized_scenario(scenario, fi: FastInputs):
    """The base scenario with every size the fast path sweeps as an array over the cases (its validated values,
    :func:`fast_inputs`), for the economics of all cases at once. Not validated again: a record to read sizes from.
    """
    from lingtan.twin.core.dispatch import PARAMS

    n_pv = len(scenario.pv)
    electric = [b for b in scenario.boilers if b.fuel == "electric"]
    n_hp = len(scenario.heat_pumps)
    upd = {
        "pv": [a.model_copy(update={"capacity_kwp": fi.caps[:, k]}) for k, a in enumerate(scenario.pv)],
        "wind": [a.model_copy(update={"count": fi.caps[:, n_pv + k]}) for k, a in enumerate(scenario.wind)],
        "battery": [
            # charge_kw/discharge_kw are properties of power_kw or the per-direction fields: set the fields.
            b.model_copy(
                update={
                    "energy_kwh": fi.params[:, PARAMS.index("energy_kwh")],
                    "power_kw": None,
                    "charge_power_kw": fi.params[:, PARAMS.index("charge_kw")],
                    "discharge_power_kw": fi.params[:, PARAMS.index("discharge_kw")],
                }
            )
            for b in scenario.battery
        ],
        "heat_pumps": [
            h.model_copy(update={"capacity_q_kw_th": fi.unit_kw_th[:, k]}) for k, h in enumerate(scenario.heat_pumps)
        ],
        "thermal_storage": [
            t.model_copy(
                update={
                    "capacity_kwh_th": fi.store_kwh_th[:, k],
                    "charge_kw_th": fi.store_charge_kw_th[:, k],
                    "discharge_kw_th": fi.store_discharge_kw_th[:, k],
                }
            )
            for k, t in enumerate(scenario.thermal_storage)
        ],
        "boilers": [
            b.model_copy(update={"capacity_q_kw_th": fi.unit_kw_th[:, n_hp + electric.index(b)]})
            if b.fuel == "electric"
            else b
            for b in scenario.boilers
        ],
    }
    return scenario.model_copy(update=upd)


def annual_columns(scenario, kpis: pd.DataFrame, sized=None, fleet: dict | None = None) -> pd.DataFrame:
    """Accounting, verdicts, pack scores and economics of many cases from their flat annual KPIs: what
    :func:`lingtan.twin.accounting.assess.assess` and :func:`lingtan.twin.studies.economics.project_economics` give
    each case of a site without a heat side and with a constant grid factor, in the columns of a sweep row.

    Parameters
    ----------
    scenario : Scenario
        The base scenario (accounting, criteria, declared facts, green power and offsets of every case).
    kpis : DataFrame
        One row of flat annual KPIs per case.
    sized : Scenario, optional
        The scenario with each case's sizes as arrays (:func:`_sized_scenario`), for the economics of each case at
        its own sizes; default the base scenario's sizes for every case.
    fleet : dict, optional
        The cases' shared fleet KPIs (:func:`_fleet_record`), for the wear of vehicles that give the site energy.

    Returns
    -------
    DataFrame
        ``accounting.<kpi>``, ``economics.<name>``, ``verdict.<criterion_id>`` (passed) and ``pack.<pack>.*``,
        one row per case.
    """
    from types import SimpleNamespace

    from lingtan.twin.accounting.assess import assess_cases
    from lingtan.twin.studies.economics import project_economics

    a = assess_cases(scenario, kpis)
    n = len(kpis)
    # The economics of every case at once: the annual totals as arrays, the accounting's KPIs as arrays.
    econ = project_economics(
        SimpleNamespace(
            kpis={k: kpis[k].to_numpy() for k in kpis.columns} | ({} if fleet is None else {"vehicles": fleet}),
            accounting=a.accounting,
        ),
        sized if sized is not None else scenario,
    )
    cols: dict[str, Any] = {f"accounting.{k}": a.kpis[k].to_numpy() for k in a.kpis.columns}
    cols.update({f"economics.{k}": np.broadcast_to(np.asarray(econ[k], dtype=float), (n,)) for k in ECONOMICS_COLUMNS})
    cols["economics.operating_cost_cny"] = np.broadcast_to(np.asarray(econ["annual"]["total_cny"], dtype=float), (n,))
    for k, col in a.verdict_columns("passed").items():  # a sweep row's verdict.<id> is whether it passed
        cols[k.removesuffix(".passed") if k.startswith("verdict.") else k] = col
    return pd.DataFrame(cols, index=kpis.index)


ECONOMICS_COLUMNS = ("capex_cny", "npc_cny", "annualised_cost_cny", "lcoe_onsite_cny_per_kwh")
"""Results of :func:`lingtan.twin.studies.economics.project_economics` kept in a sweep row (``economics.<name>``),
with the
year's operating cost as ``economics.operating_cost_cny``."""


def _assessment_columns(acc_kpis: dict, verdicts: list[tuple[str, bool]], packs: list[dict], econ: dict) -> dict:
    """Flat row columns; ``verdicts`` as (criterion id, passed) pairs."""
    out = {f"accounting.{k}": float(v) for k, v in acc_kpis.items() if _is_number(v)}
    out.update({f"economics.{k}": float(econ[k]) for k in ECONOMICS_COLUMNS})
    out["economics.operating_cost_cny"] = float(econ["annual"]["total_cny"])
    for cid, passed in verdicts:
        out[f"verdict.{cid}"] = bool(passed)
    for p in packs:
        out[f"pack.{p['pack']}.points"] = float(p["points"])
        out[f"pack.{p['pack']}.admission_passed"] = bool(p["admission_passed"])
        out[f"pack.{p['pack']}.targets_passed"] = bool(p["targets_passed"])
    return out


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


# Per-process cache of profiles for fast-path chunks run elsewhere (Dask workers, worker processes), keyed by profile
# group (ProfileGroup.key); the oldest goes first beyond a few (a year of profiles is tens of MB).
_PROFILE_CACHE: dict[str, Any] = {}
_CACHED_PROFILES = 4


def _fast_chunk_task(file: str, data: dict, key: str, fi: FastInputs, cases: list[dict] | None) -> pd.DataFrame:
    """A fast-path chunk as a self-contained task (Dask workers, worker processes): ``data`` is its profile group's
    mapping and ``key`` the group's (:class:`ProfileGroup`)."""
    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.run import build_profiles

    sc = scenario_from_dict(data, file)
    prof = _PROFILE_CACHE.get(key)
    if prof is None:
        while len(_PROFILE_CACHE) >= _CACHED_PROFILES:
            _PROFILE_CACHE.pop(next(iter(_PROFILE_CACHE)))
        prof = _PROFILE_CACHE[key] = build_profiles(sc, Path(file).parent)
    return fast_rows(sc, prof, fi, cases=cases, file=file)


# --------------------------------------------------------------------------- weather-year ensembles


def ensemble_key(weathers: list) -> str:
    """sha256 of the members' weather metadata (seeds or paths, in order): a sweep's rows on another ensemble
    get other case hashes, and resuming into its folder is refused.

    Parameters
    ----------
    weathers : list of (DataFrame, dict)
        The members (:func:`lingtan.twin.studies.ensemble.member_weathers`).

    Returns
    -------
    str
        Hex digest.
    """
    metas = [
        {k: v for k, v in meta.items() if k in ("member", "seed", "path", "city", "source")} for _, meta in weathers
    ]
    return hashlib.sha256(json.dumps(metas, sort_keys=True, default=str).encode()).hexdigest()


def ensemble_columns(
    scenario,
    profs: list,
    fi: FastInputs,
    kpi: str,
    *,
    cases: list[dict] | None = None,
    file=None,
    verdicts: bool = False,
) -> pd.DataFrame:
    """The odds of each case over the members of a weather-year ensemble: one kernel call per member with the
    cases side by side (:func:`fast_rows` on the member's profiles), then per case the P50 and P90 of ``kpi``
    (:mod:`lingtan.twin.core.odds` convention) and each verdict's pass probability.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    profs : list of Profiles
        Each member's profiles (:func:`lingtan.twin.run.build_profiles` on its weather), computed once.
    fi : FastInputs
        The chunk's kernel inputs.
    kpi : str
        Column of the sweep's KPI (a name of the rows :func:`fast_rows` gives).
    cases : list of dict, optional
        Each case's scenario mapping, where the annual KPIs do not decide the verdicts (:func:`fast_rows`).
    file : path, optional
        Scenario file, for relative paths and errors.
    verdicts : bool
        With the verdicts' pass probabilities.

    Returns
    -------
    DataFrame
        ``ensemble.members``, ``ensemble.<kpi>.p50``, ``ensemble.<kpi>.p90`` and ``ensemble.verdict.<id>.p_pass``,
        one row per case.

    Raises
    ------
    InputError
        When ``kpi`` is not a column of the rows.
    """
    rows = [fast_rows(scenario, prof, fi, cases=cases, file=file, verdicts=verdicts) for prof in profs]
    if kpi not in rows[0].columns:
        raise InputError(file, "--kpi", "a KPI column of the sweep's rows (with --weather-years)", repr(kpi))
    values = np.column_stack([r[kpi].to_numpy(dtype=float) for r in rows])  # (cases, members)
    cols: dict[str, Any] = {"ensemble.members": np.full(len(values), len(profs))}
    for p in (50, 90):
        # PXX is exceeded in XX % of the members: the (100 - XX)th percentile, as lingtan.twin.core.odds.exceedance
        cols[f"ensemble.{kpi}.p{p}"] = np.percentile(values, 100.0 - p, axis=1)
    for name in rows[0].columns:
        if name.startswith("verdict."):
            passed = np.column_stack([r[name].to_numpy(dtype=bool) for r in rows])
            cols[f"ensemble.{name}.p_pass"] = passed.mean(axis=1)
    return pd.DataFrame(cols)


# --------------------------------------------------------------------------- whole-scenario path


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif isinstance(v, (bool, np.bool_)):
            out[key] = bool(v)
        elif _is_number(v):
            out[key] = float(v)
    return out


def run_case(file: str, data: dict) -> dict:
    """Simulate one case (a factory or a park) and return its row (without hash and parameters).

    Parameters
    ----------
    file : str
        Scenario file (relative paths in ``data`` are read from its folder).
    data : dict
        The case's scenario mapping.

    Returns
    -------
    dict
        KPIs, accounting, verdicts and economics of the case.
    """
    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.studies.park import simulate_site

    return _result_row(simulate_site(scenario_from_dict(data, file), Path(file).parent))


def _result_row(r) -> dict:
    """The row of a simulated case (a RunResult or ParkResult): flat KPIs, accounting, verdicts, economics."""
    from lingtan.twin.studies.economics import project_economics

    row = _flatten({k: v for k, v in r.kpis.items() if k not in ("weather",)})
    from lingtan.twin.accounting.account import accounting_kpis

    acc = accounting_kpis(r.accounting) if r.accounting is not None else {}
    row.update(
        _assessment_columns(acc, [(v["criterion_id"], v["passed"]) for v in r.verdicts], r.packs, project_economics(r))
    )
    row["verdicts_computed"] = True
    return row


def _run_case_task(file: str, data: dict, h: str) -> tuple[str, dict]:
    return h, run_case(file, data)


# --------------------------------------------------------------------------- results dataset


def done_hashes(out: str | Path) -> set[str]:
    """Case hashes already in ``OUT/cases``.

    Parameters
    ----------
    out : path
        The sweep's results folder.

    Returns
    -------
    set of str
        Hashes of the cases written so far.
    """
    import pyarrow.parquet as pq

    d = Path(out) / CASES_DIR
    hs: set[str] = set()
    for f in sorted(d.glob("part-*.parquet")):
        hs.update(pq.read_table(f, columns=["case_hash"]).column("case_hash").to_pylist())
    return hs


def read_results(out: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Every row of a sweep's dataset, parts in order.

    Parameters
    ----------
    out : path
        The sweep's results folder.
    columns : list of str, optional
        Columns to read (default all).

    Returns
    -------
    DataFrame
        The rows of every part.
    """
    files = sorted((Path(out) / CASES_DIR).glob("part-*.parquet"))
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)


class PartWriter:
    """Appends parts ``part-XXXXX.parquet`` atomically (temporary name, then rename).

    Parameters
    ----------
    out : path
        The sweep's results folder; parts go to ``out/cases``, whose leftover temporary files are removed.
    """

    def __init__(self, out: str | Path):
        self.dir = Path(out) / CASES_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        for tmp in self.dir.glob(".tmp-*"):  # left by a killed run: never complete
            tmp.unlink(missing_ok=True)
        nums = [int(f.stem.split("-")[1]) for f in self.dir.glob("part-*.parquet")]
        self.next = max(nums, default=-1) + 1
        self.rows = 0

    def write(self, df: pd.DataFrame) -> Path:
        """Write ``df`` as the next part.

        Parameters
        ----------
        df : DataFrame
            Rows of finished cases.

        Returns
        -------
        Path
            The part written.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.dir / f"part-{self.next:05d}.parquet"
        tmp = self.dir / f".tmp-{uuid.uuid4().hex}.parquet"
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp)
        os.replace(tmp, path)
        self.next += 1
        self.rows += len(df)
        return path


class Progress:
    """A plain-text progress bar on stderr: count, rate and ETA, updated in place with ``\\r``.

    Parameters
    ----------
    total : int
        Number of cases to run.
    stream : file-like, optional
        Where the bar goes (default ``sys.stderr``).
    enabled : bool
        Whether anything is written.
    label : str
        What is counted.
    width : int
        Characters of the bar.
    """

    def __init__(self, total: int, *, stream=None, enabled: bool = True, label: str = "cases", width: int = 28):
        self.total, self.done, self.label, self.width = total, 0, label, width
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self._last = self.t0  # first line after 0.2 s: input errors print alone

    def update(self, n: int) -> None:
        """Count ``n`` more finished cases and redraw the bar (at most five times a second).

        Parameters
        ----------
        n : int
            Cases just finished.
        """
        self.done += n
        now = time.perf_counter()
        if self.enabled and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            self._shown = self.done
            self.stream.write("\r" + self.text(now))
            self.stream.flush()

    def text(self, now: float | None = None) -> str:
        """The bar's text: fill, count, percentage, rate [cases/s] and ETA.

        Parameters
        ----------
        now : float, optional
            ``time.perf_counter()`` of the reading [s] (default: now).

        Returns
        -------
        str
            One line, no line end.
        """
        el = (now or time.perf_counter()) - self.t0
        rate = self.done / el if el > 0 else 0.0
        frac = self.done / self.total if self.total else 1.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        fill = int(round(frac * self.width))
        eta_s = time.strftime("%H:%M:%S", time.gmtime(eta)) if np.isfinite(eta) else "--:--:--"
        return (
            f"[{'#' * fill}{'.' * (self.width - fill)}] {self.done}/{self.total} {self.label} "
            f"{100 * frac:5.1f}%  {rate:,.1f}/s  ETA {eta_s}"
        )

    def close(self) -> None:
        """Draw the final count and end the line."""
        if self.enabled:
            self.stream.write(("" if getattr(self, "_shown", -1) == self.done else "\r" + self.text()) + "\n")
            self.stream.flush()


# --------------------------------------------------------------------------- running a sweep


def _client(cluster):
    if cluster is None:
        return None, False
    if isinstance(cluster, str):
        try:
            from distributed import Client
        except ImportError:
            raise InputError(
                None,
                "--cluster",
                "the optional extra 'cluster' installed (pip install 'lingtan[cluster]')",
                "dask.distributed not importable",
            ) from None
        return Client(cluster), True
    return cluster, False  # a distributed.Client given by the caller


def _frame(p: Plan, idx: list[int], rows: pd.DataFrame) -> pd.DataFrame:
    head = pd.DataFrame({"case_hash": [p.hashes[i] for i in idx]})
    for j, name in enumerate(p.names):
        head[name] = p.values[idx, j]
    return pd.concat([head, rows.reset_index(drop=True)], axis=1)


def run_sweep(
    file: str | Path,
    params: list[str],
    *,
    out: str | Path,
    lhs: int | None = None,
    oat: bool = False,
    seed: int = 0,
    jobs: int | None = None,
    cluster=None,
    path: str = "auto",
    chunk_size: int = 20_000,
    part_size: int | None = None,
    verdicts: bool = True,
    progress: bool = True,
    plots: Callable[..., list[Path]] | None = None,
    kpi: str = DEFAULT_KPI,
    threshold: float | None = DEFAULT_THRESHOLD,
    max_cases: int | None = None,
    members: list | None = None,
) -> dict:
    """Run (or resume) a sweep into ``out``; returns a summary dict.

    The folder ``out`` is new, empty or this sweep's own (:mod:`lingtan.twin.core.results_dir`), and is locked while the
    sweep runs. SIGTERM and SIGINT (in the main thread) stop the worker processes and raise
    :class:`SweepStopped`; the rows written so far stay, and a rerun resumes.

    Parameters
    ----------
    file : path
        Scenario YAML.
    params : list of str
        ``NAME=lo:hi:n`` (grid, one-at-a-time) or ``NAME=lo:hi`` (``lhs``, one-at-a-time).
    out : path
        Results folder; rows go to ``out/cases/part-*.parquet``.
    lhs, oat, seed
        Design: Latin hypercube of ``lhs`` cases, or one-at-a-time; default the full grid.
    jobs : int
        Worker processes for cases run one by one: the whole-scenario path, and fast-path cases that need their
        hourly tables (default: CPU count; 1 runs in this process).
    cluster : str or distributed.Client
        Run on a Dask cluster instead of local processes.
    path : {"auto", "fast", "whole"}
        Force the execution path; ``fast`` raises :class:`InputError` when a parameter is not a kernel size.
    chunk_size : int
        Fast path: cases per kernel call and per part.
    part_size : int
        Whole-scenario path: finished cases per part (default ``max(8, 2 * jobs)``).
    verdicts : bool
        Fast path: per-case accounting, criteria and economics (about 0.5 ms a case).
    progress : bool
        Draw a progress bar on stderr (:class:`Progress`).
    plots : callable, optional
        Writer of the pictures, ``plots(out, results, names, kpi, threshold, design=, base=) -> list of paths``
        (the CLI passes :func:`lingtan.twin.reports.sweep_plots.write_plots`; studies do not import reports).
    kpi, threshold
        KPI of the pictures and the contour drawn on them.
    max_cases : int
        Refuse a design of more cases (default :data:`MAX_CASES`).
    members : list of (DataFrame, dict), optional
        The weather years of an ensemble (:func:`lingtan.twin.studies.ensemble.member_weathers`): each case also
        gets the ``ensemble.*`` columns (module docstring) over them. Fast path, local processes only.

    Returns
    -------
    dict
        ``cases``, ``ran``, ``skipped``, ``path``, ``design``, ``parts_written``, ``seconds``, ``out`` and, with
        ``plots``, the pictures written.
    """
    from lingtan.twin.core.results_dir import check_out, results_in_place

    check_out(out, "sweep")  # before the inputs are read and hashed: a refused folder costs nothing
    p = plan(file, params, lhs=lhs, oat=oat, seed=seed, max_cases=max_cases)
    fast = fast_path_ok(p.scenario, p.names)
    if path == "fast" and not fast:
        bad = next(n for n in p.names if not fast_path_ok(p.scenario, [n]))
        raise InputError(
            p.file,
            bad,
            "a size the dispatch kernel takes directly for path='fast' (see lingtan.twin.studies.sweep.FAST_FIELDS)",
            "another field",
        )
    use_fast = fast and path != "whole"
    if members is not None:
        if not use_fast or cluster is not None:
            raise InputError(
                p.file,
                "--weather-years",
                "a sweep on the fast path run here (every parameter a kernel size, no --cluster)",
                "the whole-scenario path" if not use_fast else "a Dask cluster",
            )
        key = ensemble_key(members)
        p = replace(
            p,
            inputs=dict(p.inputs, ensemble=key),
            hashes=case_hashes(f"{p.scenario_hash}\nensemble {key}", p.names, p.values),
        )
    check_ranges(p)  # a value the schema refuses is found before the folder is made, not at its case
    with results_in_place(out, "sweep", source=p.file) as out, _stop_on_signals():
        _check_same_sweep(out, p)
        done = done_hashes(out)
        todo = [i for i, h in enumerate(p.hashes) if h not in done]
        jobs = jobs or os.cpu_count() or 1
        if progress:
            print(estimate_text(p, len(todo), use_fast, verdicts, jobs, max_cases, len(members or [])), file=sys.stderr)
        writer = PartWriter(out)
        _write_meta(out, p, "fast" if use_fast else "whole", kpi, threshold)
        bar = Progress(len(p.hashes), enabled=progress)
        bar.update(len(p.hashes) - len(todo))
        client, own = _client(cluster)
        t0 = time.perf_counter()
        try:
            if use_fast:
                _sweep_fast(p, todo, writer, bar, chunk_size, verdicts, client, jobs, members=members, kpi=kpi)
            else:
                _sweep_whole(p, todo, writer, bar, jobs, part_size, client)
        except SweepStopped as stop:
            stop.out, stop.done, stop.cases = out, len(p.hashes) - len(todo) + writer.rows, len(p.hashes)
            raise
        finally:
            if own:
                client.close()
            bar.close()
        summary = {
            "cases": len(p.hashes),
            "ran": len(todo),
            "skipped": len(p.hashes) - len(todo),
            "path": "fast" if use_fast else "whole",
            "design": p.design,
            "parts_written": writer.next,
            "seconds": time.perf_counter() - t0,
            "out": str(out),
        }
        if plots is not None:
            summary["plots"] = [
                str(f)
                for f in plots(
                    out,
                    read_results(out),
                    p.names,
                    kpi,
                    threshold,
                    design=p.design,
                    base=dict(zip(p.names, p.base_values, strict=True)),
                )
            ]
    return summary


def estimate(p: Plan, todo: int, fast: bool, verdicts: bool, jobs: int, members: int = 0) -> tuple[float, float]:
    """Rough wall-clock time [s] and peak memory [MB] of running ``todo`` cases of ``p`` (constants measured on
    the machine of README's speed table; a park case scales with its tenants).

    Parameters
    ----------
    p : Plan
        The sweep's plan.
    todo : int
        Cases still to run.
    fast : bool
        Whether the fast path runs them.
    verdicts : bool
        Whether accounting and verdicts are computed per case.
    jobs : int
        Worker processes.
    members : int
        Weather years of an ensemble: each case runs once more per member, and each member's profiles are built.

    Returns
    -------
    tuple of float
        Time [s] and memory [MB].
    """
    sc = p.scenario
    # What fast_verdicts_possible tells from the profiles, told from the scenario: a heat side (process heat,
    # waste heat, space heating) or an hourly grid factor makes each case run through simulate_profiles.
    one_by_one = (
        fast
        and verdicts
        and (
            any(line.heat_demands or line.waste_heat for line in sc.processes)
            or any(sp.heating for sp in sc.space)
            or sc.hydrogen_stores
            or not isinstance(sc.grid.emission_factor, (str, int, float))
        )
    )
    if fast and not one_by_one:
        # Demand-response events dispatch each case twice: the baseline, then the year under its caps.
        per_case, workers = _S_FAST * (1 + (sc.demand_response is not None)) + (_S_VERDICTS if verdicts else 0.0), 0
    else:
        per_case = (_S_PROFILES if fast else _S_WHOLE * len(getattr(sc, "tenants", [None]))) / jobs
        workers = jobs if jobs > 1 else 0
    # Each profile group past the first builds its profiles (and its members'), about a member's time.
    cols = [j for j, name in enumerate(p.names) if fast and shapes_profiles(sc, name)]
    groups = len({tuple(row) for row in p.values[:, cols].tolist()}) if cols else 1
    seconds = todo * per_case * (1 + members) + ((groups * (1 + members) - 1) * _S_MEMBER if todo else 0.0)
    return seconds, _MB_BASE + workers * _MB_WORKER + len(p.hashes) * _KB_CASE / 1024


def estimate_text(
    p: Plan, todo: int, fast: bool, verdicts: bool, jobs: int, max_cases: int | None = None, members: int = 0
) -> str:
    """The line printed before a sweep runs: cases, design, path, estimated time and memory, the limit.

    Parameters
    ----------
    p : Plan
        The sweep's plan.
    todo : int
        Cases still to run.
    fast : bool
        Whether the fast path runs them.
    verdicts : bool
        Whether accounting and verdicts are computed per case.
    jobs : int
        Worker processes.
    max_cases : int, optional
        The limit on the number of cases shown.
    members : int
        Weather years of an ensemble (:func:`estimate`).

    Returns
    -------
    str
        One line.
    """
    seconds, mb = estimate(p, todo, fast, verdicts, jobs, members)
    limit = MAX_CASES if max_cases is None else max_cases
    took = (
        "under a second"
        if seconds < 1
        else time.strftime("%H:%M:%S", time.gmtime(seconds))
        if seconds < 86_400
        else f"{seconds / 86_400:,.1f} days"
    )
    return (
        f"sweep: {len(p.hashes):,} cases ({p.design}, {'fast' if fast else 'whole-scenario'} path"
        f"{f', each on {members} weather years' if members else ''}), "
        f"{todo:,} to run; estimate {took} and {mb:,.0f} MB (limit {limit:,} cases: --max-cases)"
    )


_SAME_SWEEP = (
    "a new folder, or the folder of the same sweep to resume it (same scenario file, same files it "
    "names, same model, same parameters)"
)


def _check_same_sweep(out: Path, p: Plan) -> None:
    """A results folder holds one sweep: resuming needs the same inputs (the scenario file and every file it names,
    by content), the same model and the same parameters; the refusal says what changed."""
    meta = out / "sweep.json"
    if not meta.is_file():
        return
    try:
        old = json.loads(meta.read_text())
    except ValueError:
        raise InputError(out, "--out", _SAME_SWEEP, "an unreadable sweep.json") from None
    old_names = [q.get("name") for q in old.get("params", [])]
    if old_names != p.names:
        raise InputError(
            out,
            "--out",
            _SAME_SWEEP,
            f"results of another sweep ({old.get('scenario')}, parameters {', '.join(map(str, old_names))})",
        )
    inputs = old.get("inputs") or {}
    changed = [
        f"{k} {'added' if k not in inputs else 'removed' if k not in p.inputs else 'changed'}"
        for k in sorted(set(inputs) | set(p.inputs))
        if inputs.get(k) != p.inputs.get(k)
    ]
    if old.get("model") != p.model:
        changed.append(f"the model changed ({old.get('model')} -> {p.model})")
    if changed:
        raise InputError(
            out, "--out", _SAME_SWEEP, "; ".join(changed) + " since this sweep was started (choose a new folder)"
        )


def _write_meta(out: Path, p: Plan, path: str, kpi: str, threshold) -> None:
    meta = {
        "scenario": str(p.file),
        "scenario_hash": p.scenario_hash,
        "inputs": p.inputs,
        "model": p.model,
        "design": p.design,
        "path": path,
        "params": [p_.__dict__ for p_ in p.params],
        "base": dict(zip(p.names, p.base_values, strict=True)),
        "cases": len(p.hashes),
        "kpi": kpi,
        "threshold": threshold,
    }
    tmp = out / f".sweep-{uuid.uuid4().hex}.json"
    tmp.write_text(json.dumps(meta, indent=1))
    os.replace(tmp, out / "sweep.json")


def _sweep_fast(
    p: Plan,
    todo: list[int],
    writer: PartWriter,
    bar: Progress,
    chunk_size: int,
    verdicts: bool,
    client,
    jobs: int | None = None,
    *,
    members: list | None = None,
    kpi: str = DEFAULT_KPI,
) -> None:
    if not todo:
        return
    fi_all = fast_inputs(p)
    groups = profile_groups(p, todo)

    def submit(submit_task, g: ProfileGroup, c: list[int], **kw):
        cases = [p.case_data(i) for i in c] if verdicts else None
        return submit_task(_fast_chunk_task, str(p.file), g.data, g.key, fi_all.take(c), cases, **kw)

    def collect(futs: dict, as_completed) -> None:
        for fut in as_completed(futs):
            writer.write(_frame(p, futs[fut], fut.result()))
            bar.update(len(futs[fut]))

    if client is not None:
        from distributed import as_completed

        collect(
            {submit(client.submit, g, c, pure=False): c for g in groups for c in _chunks(g.cases, chunk_size)},
            as_completed,
        )
        return
    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.run import build_profiles, load_weather

    # Groups of their own profiles read the weather once; their scenarios were validated by check_ranges' cases.
    weather = load_weather(p.scenario, p.file.parent) if len(groups) > 1 else None
    jobs = jobs or os.cpu_count() or 1
    for g in groups:
        sc = p.scenario if g.data is p.data else scenario_from_dict(g.data, p.file)
        prof = build_profiles(sc, p.file.parent, weather)
        # An ensemble's members: profiles once per member, and chunks of as many case-years.
        profs = [build_profiles(sc, p.file.parent, w) for w in members or []]
        size = max(1, chunk_size // max(1, len(profs)))
        one_by_one = verdicts and not fast_verdicts_possible(sc, prof)
        if one_by_one and jobs > 1 and len(g.cases) > 4 * jobs and not profs:
            # Each case runs simulate_profiles (~25 ms, Python): spread the cases over processes; each builds the
            # profiles once (_fast_chunk_task). Small chunks keep the workers busy and the parts coming. The workers
            # run single-case (serial) kernels only: a forked child must not start numba's OpenMP threads once the
            # parent has (GNU OpenMP is not fork-safe), which is also why the vectorised chunks stay in this process.
            from concurrent.futures import as_completed as done_first

            small = max(8, min(size, -(-len(g.cases) // (4 * jobs))))
            with _pool(jobs) as ex:
                collect({submit(ex.submit, g, c): c for c in _chunks(g.cases, small)}, done_first)
            continue
        # Where the annual KPIs suffice, the verdicts need the chunk's kernel inputs only, not each case's mapping.
        for c in _chunks(g.cases, size):
            cases = [p.case_data(i) for i in c] if one_by_one else None
            rows = fast_rows(sc, prof, fi_all.take(c), cases=cases, file=p.file, verdicts=verdicts)
            if profs:
                spread = ensemble_columns(sc, profs, fi_all.take(c), kpi, cases=cases, file=p.file, verdicts=verdicts)
                rows = pd.concat([rows, spread], axis=1)
            writer.write(_frame(p, c, rows))
            bar.update(len(c))


@dataclass(frozen=True)
class ProfileGroup:
    """Cases of a fast-path sweep that share their profiles (:func:`profile_groups`)."""

    data: dict  # the base mapping with the group's values of the parameters that shape the profiles
    key: str  # the sweep's input key and those values: the profiles' cache key on a Dask worker
    cases: list[int]  # rows of the design


def profile_groups(p: Plan, todo: list[int]) -> list[ProfileGroup]:
    """The cases to run, grouped by their values of the parameters that shape the profiles (:data:`PROFILE_FIELDS`):
    each group's profiles are built once and its cases run through the kernel side by side.

    Parameters
    ----------
    p : Plan
        The sweep's plan.
    todo : list of int
        Rows of the design still to run.

    Returns
    -------
    list of ProfileGroup
        In the order of their first case in ``todo``; one group of the base mapping itself (``data is p.data``)
        when no parameter shapes the profiles.
    """
    cols = [j for j, name in enumerate(p.names) if shapes_profiles(p.scenario, name)]
    if not cols:
        return [ProfileGroup(p.data, p.scenario_hash, list(todo))]
    by_values: dict[tuple, list[int]] = {}
    for i in todo:
        by_values.setdefault(tuple(p.values[i, cols].tolist()), []).append(i)
    names, params = [p.names[j] for j in cols], [p.params[j] for j in cols]
    return [
        ProfileGroup(
            apply_values(p.data, names, values, params),
            p.scenario_hash + "".join(f"\n{n}={v!r}" for n, v in zip(names, values, strict=True)),
            cases,
        )
        for values, cases in by_values.items()
    ]


def _chunks(todo: list[int], size: int) -> list[list[int]]:
    return [todo[i : i + size] for i in range(0, len(todo), size)]


def _sweep_whole(
    p: Plan, todo: list[int], writer: PartWriter, bar: Progress, jobs: int | None, part_size: int | None, client
) -> None:
    from lingtan.twin.core.scenario import scenario_from_dict

    if not todo:
        return
    jobs = jobs or os.cpu_count() or 1
    part_size = part_size or max(8, 2 * jobs)
    cases = {}
    for i in todo:  # validate every case before running any: bad values fail early, with the field path
        d = p.case_data(i)
        scenario_from_dict(d, p.file)
        cases[p.hashes[i]] = (i, d)
    pos = {h: i for h, (i, _) in cases.items()}
    buf: list[tuple[int, dict]] = []

    def take(h: str, row: dict, force: bool = False):
        buf.append((pos[h], row))
        bar.update(1)
        flush(force)

    def flush(force: bool = False):
        if buf and (len(buf) >= part_size or force):
            buf.sort(key=lambda t: t[0])
            idx = [i for i, _ in buf]
            writer.write(_frame(p, idx, pd.DataFrame([r for _, r in buf])))
            buf.clear()

    file = str(p.file)
    try:
        if client is not None:
            from distributed import as_completed

            futs = [client.submit(_run_case_task, file, d, h, pure=False) for h, (_, d) in cases.items()]
            for fut in as_completed(futs):
                take(*fut.result())
        elif jobs == 1:
            for h, (_, d) in cases.items():
                take(h, run_case(file, d))
        else:
            with _pool(jobs) as ex:
                pending = {ex.submit(_run_case_task, file, d, h) for h, (_, d) in cases.items()}
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        take(*fut.result())
    except SweepStopped:
        flush(force=True)  # the finished cases stay (the workers are already stopped)
        raise
    flush(force=True)


# --------------------------------------------------------------------------- stopping cleanly


class SweepStopped(BaseException):
    """SIGTERM or SIGINT reached a sweep; its workers are stopped and the rows written so far kept.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way swallows it.

    Parameters
    ----------
    signum : int
        The signal received; its name is the exception's message.
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.out, self.done, self.cases = None, 0, 0


@contextlib.contextmanager
def _stop_on_signals():
    """SIGTERM and SIGINT raise :class:`SweepStopped` in the main thread (elsewhere signals stay as they are)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SweepStopped(signum)

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _worker_init(parent: int) -> None:
    """In each worker: SIGTERM ends it (the parent's handler is not inherited), SIGINT is left to the parent (a
    Ctrl-C in the terminal reaches the whole process group), and on Linux the worker dies with its parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(AttributeError, OSError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _stop_workers(ex: ProcessPoolExecutor) -> None:
    """Terminate the pool's worker processes (then kill any still alive after 3 s) and drop queued cases."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    ex.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + 3.0
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


@contextlib.contextmanager
def _pool(jobs: int):
    """A process pool whose workers do not outlive an interruption of the sweep."""
    ex = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(os.getpid(),))
    try:
        yield ex
    except BaseException:
        _stop_workers(ex)
        raise
    ex.shutdown(wait=True)
