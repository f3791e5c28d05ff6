"""Uncertainty ensembles: production volume, PV degradation year and tariff level.

A scenario's ``uncertainty:`` section (:mod:`lingtan.twin.core.schema.uncertainty`) names the quantities to
vary. :func:`draw` samples them, one row per member; :func:`apply` puts them into the kernel inputs of one
weather year; :func:`evaluate` runs every member through the dispatch kernel in one call (members of several
weather years too, each on its own year: :mod:`lingtan.twin.studies.joint`) and judges each; :func:`tornado`
shows which quantity moves the headline KPI and the criteria most. A park's members are park years
(:mod:`lingtan.twin.studies.park_uncertainty`).

How each quantity reaches the kernel
------------------------------------
* ``load_scale`` is the kernel's parameter column of the same name: it multiplies the hour's total
  electric load, which holds the declared loads, the production lines' electricity, electric space
  cooling and what is scheduled before dispatch (flexible batches, fleet charging)
  (:attr:`lingtan.twin.run.Profiles.load_kw`). Those schedules stay the ones made on the unscaled load and
  the scenario's PV age (the profiles are built once): a member of a site that schedules differs from a run
  of its scaled or aged scenario by that schedule (about 1e-4 of the bill in an audit, 2026-12-05).
  The process heat demands and the waste heat the lines
  reject are left as the process model simulates them: their schedules come from the lines' batches,
  whose volume the process model, not a multiplier, decides; a heat side scaled by a number would no
  longer be the simulated plant. A member equals a single run whose ``load_kw`` is multiplied by the
  same number, bit for bit.
* ``pv_age_years`` replaces every PV array's ``age_years``. Degradation acts on DC power before the
  inverter's efficiency curve and clipping (:func:`lingtan.components.pv.pv_ac_kw_per_kwp`), so scaling
  the AC output by ``(1 - d) ** age`` would be wrong near clipping: each distinct age gets its own unit
  profile (the PV model runs once per distinct age and array), and a member's array capacity is put on the
  row of its age, zero on the others.
* ``tariff_scale`` multiplies the import energy prices and the basic (demand or capacity) charges, not
  the feed-in price (a separate, regulated benchmark price). It moves the bill, not the flows: the rule-based
  dispatch decides on time-of-use period codes and never reads a price (the kernel multiplies import by
  the price only to sum the energy charge; ``tests/twin/test_uncertainty.py`` checks the flows do not
  move). So the bill of a member is its bill at the scenario's tariff with those two parts multiplied.

Members table
-------------
One row per member: ``member``, the drawn values, the flat electric KPIs and bill (the names of
``kpis.json``, the bill as ``grid_bill_cny.<part>``, heat KPIs as ``heat.<name>``), the accounting KPIs as
``accounting.<name>``, and for each simulated criterion ``<id>.value``, ``<id>.margin`` (positive =
passing), ``<id>.threshold``, ``<id>.pass`` and ``<id>.status``: the columns of a weather ensemble's
members (:mod:`lingtan.twin.studies.ensemble`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from lingtan.errors import ScenarioError
from lingtan.twin.core.schema.uncertainty import QUANTITY_BOUNDS, Uncertainty, Varied
from lingtan.twin.run import Profiles
from lingtan.twin.studies.tariff_level import scale_tariff

CONVENTION = "PXX is the value exceeded in XX % of the years"
"""The exceedance convention of every P-value (issue 15's contract): P90 = 10th percentile, P10 = 90th."""

HEADLINE_KPI = "re_electricity_share_onsite"
"""The KPI a tornado sorts its bars by unless told otherwise [-]."""

BILL_PARTS = ("energy_charge_cny", "basic_charge_cny", "feed_in_revenue_cny", "total_cny")
"""Parts of the grid bill (:func:`lingtan.components.grid.bill_from_totals`) in the members table [CNY]."""


def exceedance(values, p: float) -> float:
    """The value exceeded in ``p`` % of the members: ``np.percentile(values, 100 - p)``, linear interpolation.

    Parameters
    ----------
    values : array_like
        The members' values.
    p : float
        Exceedance [%], e.g. 90 for P90.

    Returns
    -------
    float
        The PXX value.
    """
    return float(np.percentile(np.asarray(values, dtype=float), 100.0 - p))


def member_count(spec: Uncertainty, weather_members: int | None = None) -> int:
    """How many members an uncertainty ensemble has.

    Parameters
    ----------
    spec : Uncertainty
        The scenario's ``uncertainty:`` section.
    weather_members : int, optional
        Years of a weather ensemble run with it: each weather year draws one sample.

    Returns
    -------
    int
        ``weather_members`` when given, else ``spec.members``, else
        :data:`lingtan.limits.DEFAULT_UNCERTAINTY_MEMBERS`.
    """
    from lingtan.limits import DEFAULT_UNCERTAINTY_MEMBERS

    if weather_members is not None:
        return int(weather_members)
    return spec.members if spec.members is not None else DEFAULT_UNCERTAINTY_MEMBERS


def _draw_one(name: str, v: Varied, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of the quantity ``name``."""
    if v.values is not None:
        vals = np.asarray(v.values, dtype=float)
        if v.pick == "random":
            return rng.choice(vals, size=n)
        # Each value equally often (counts differ by at most one when n is not a multiple), in random order so
        # that two listed quantities do not move together.
        return rng.permutation(np.resize(vals, n))
    if v.uniform is not None:
        return rng.uniform(v.uniform.low, v.uniform.high, size=n)
    if v.triangular is not None:
        t = v.triangular
        return rng.triangular(t.low, t.mode, t.high, size=n)
    # Normal truncated at the physical bounds: draws outside are drawn again (rejection keeps the shape inside).
    lo, hi = QUANTITY_BOUNDS[name]
    out = np.empty(0)
    for _ in range(1000):
        x = rng.normal(v.normal.mean, v.normal.sd, size=n)
        out = np.concatenate([out, x[(x >= lo) & (x <= hi)]])
        if len(out) >= n:
            return out[:n]
    raise ScenarioError(
        "<scenario>",
        f"uncertainty.{name}.normal",
        f"a normal distribution with mass inside [{lo}, {hi}]",
        f"mean {v.normal.mean}, sd {v.normal.sd}: under 0.1 % of draws fall inside",
    )


def draw(spec: Uncertainty, n: int, seed: int | None = None) -> pd.DataFrame:
    """Sample the varied quantities: one row per member, one column per quantity, reproducible.

    Parameters
    ----------
    spec : Uncertainty
        The scenario's ``uncertainty:`` section.
    n : int
        Members (:func:`member_count`).
    seed : int, optional
        Seed of the draws; default ``spec.seed``. Each quantity draws from its own stream
        (``numpy.random.SeedSequence(seed).spawn``), so adding a quantity leaves the others' draws as they were.

    Returns
    -------
    pandas.DataFrame
        Index ``member`` (0 .. n-1); columns ``load_scale`` [-], ``pv_age_years`` [yr], ``tariff_scale`` [-]
        for those varied.
    """
    from lingtan.twin.core.schema.uncertainty import QUANTITIES

    streams = np.random.SeedSequence(spec.seed if seed is None else seed).spawn(len(QUANTITIES))
    cols = {
        q: _draw_one(q, v, n, np.random.default_rng(streams[QUANTITIES.index(q)])) for q, v in spec.varied().items()
    }
    return pd.DataFrame(cols, index=pd.RangeIndex(n, name="member"))


@dataclass(frozen=True)
class MemberInputs:
    """The kernel inputs of an ensemble's members on one weather year (:func:`apply`).

    Attributes
    ----------
    unit_kw : ndarray, shape (K, T)
        Unit profiles [kW per kWp, per turbine]: one block of PV rows per distinct PV age, then the wind rows.
    caps : ndarray, shape (N, K)
        Each member's sizes on those rows [kWp, turbines]: its arrays on its age's block, zero elsewhere.
    params : ndarray, shape (N, len(PARAMS))
        The kernel's parameter matrix, ``load_scale`` set per member.
    pv_e_kwh, wind_e_kwh : ndarray, shape (N,)
        Each member's annual PV and wind generation [kWh], summed as a single run sums its hourly table.
    tariff_scale : ndarray, shape (N,)
        Each member's multiplier of import prices and basic charges [-] (:func:`scale_tariff`).
    """

    unit_kw: np.ndarray
    caps: np.ndarray
    params: np.ndarray
    pv_e_kwh: np.ndarray
    wind_e_kwh: np.ndarray
    tariff_scale: np.ndarray


def apply(scenario, prof: Profiles, draws: pd.DataFrame) -> MemberInputs:
    """Put the members' drawn values into the kernel inputs of one weather year.

    Parameters
    ----------
    scenario : Scenario
        The factory.
    prof : Profiles
        Its profiles for the weather year (:func:`lingtan.twin.run.build_profiles`).
    draws : pandas.DataFrame
        The members (:func:`draw`); a quantity not among its columns stays as the scenario has it.

    Returns
    -------
    MemberInputs
        Unit profiles, sizes and parameters for one kernel call over the members (module docstring).
    """
    from lingtan.twin.run import generation_by_kind, kernel_params, renewable_units, sizes

    n, n_pv, n_t = len(draws), len(scenario.pv), len(prof.index)
    caps = sizes(scenario)
    if "pv_age_years" in draws:
        ages, which = np.unique(draws["pv_age_years"].to_numpy(dtype=float), return_inverse=True)
        which = np.ravel(which)
    else:
        ages, which = np.array([np.nan]), np.zeros(n, int)  # the scenario's own ages
    blocks, pv_e, wind_e = [], np.empty(len(ages)), np.empty(len(ages))
    for j, age in enumerate(ages):
        rows = list(prof.unit_kw)
        if not np.isnan(age):
            pv = [a.model_copy(update={"age_years": float(age)}) for a in scenario.pv]
            rows = renewable_units(pv, scenario.wind, prof.weather, scenario.site)[0]
        blocks.append(np.vstack(rows[:n_pv]) if n_pv else np.zeros((0, n_t)))
        # As a single run sums its hourly table: generation by kind, then over the hours.
        gen = generation_by_kind(prof.sources, caps, rows, ("pv", "wind"), n_t)
        pv_e[j], wind_e[j] = gen["pv"].sum(), gen["wind"].sum()
    unit = np.vstack([*blocks, prof.unit_kw[n_pv:]])
    member_caps = np.zeros((n, unit.shape[0]))
    for j in range(len(ages)):
        member_caps[which == j, j * n_pv : (j + 1) * n_pv] = caps[:n_pv]
    member_caps[:, len(ages) * n_pv :] = caps[n_pv:]
    scale = draws["load_scale"].to_numpy(dtype=float) if "load_scale" in draws else 1.0
    return MemberInputs(
        unit_kw=unit,
        caps=member_caps,
        params=kernel_params(scenario.grid, scenario.battery, n, load_scale=scale),
        pv_e_kwh=pv_e[which],
        wind_e_kwh=wind_e[which],
        tariff_scale=draws["tariff_scale"].to_numpy(dtype=float) if "tariff_scale" in draws else np.ones(n),
    )


def _kernel_rows(scenario, profiles: list[Profiles], draws: pd.DataFrame, year_of: np.ndarray) -> pd.DataFrame:
    """Flat electric KPIs and bill of every member (tariff at scale 1), from one kernel call per calendar: each
    member's rows are its weather year's unit profiles (:func:`apply` on that year), its load that year's."""
    from lingtan.components.grid import bill_from_totals
    from lingtan.twin.core.dispatch import dispatch
    from lingtan.twin.core.heat_profiles import heat_sizes
    from lingtan.twin.core.kpis import electric_kpis
    from lingtan.twin.run import kernel_site, v2b_e_kwh

    parts = []
    for cal in _calendars(profiles, year_of):
        years = np.unique(year_of[cal])
        ins = [apply(scenario, profiles[y], draws.iloc[cal[year_of[cal] == y]]) for y in years]
        # Block-diagonal sizes: a member's sizes sit on its own year's rows of the stacked unit profiles.
        unit = np.vstack([m.unit_kw for m in ins])
        caps, params = np.zeros((len(cal), unit.shape[0])), np.empty((len(cal), ins[0].params.shape[1]))
        pv_e, wind_e, off = np.empty(len(cal)), np.empty(len(cal)), 0
        for y, m in zip(years, ins, strict=True):
            rows = np.flatnonzero(year_of[cal] == y)
            caps[rows, off : off + m.unit_kw.shape[0]] = m.caps
            params[rows], pv_e[rows], wind_e[rows] = m.params, m.pv_e_kwh, m.wind_e_kwh
            off += m.unit_kw.shape[0]
        first = profiles[year_of[cal[0]]]
        load = first.load_kw if len(years) == 1 else np.vstack([profiles[y].load_kw for y in year_of[cal]])
        res = dispatch(unit, caps, load, params, **kernel_site(scenario.battery, first, heat_sizes(scenario, len(cal))))
        bill = bill_from_totals(
            res.total("import_cost_cny"), res.monthly_peak_kw, res.total("export_revenue_cny"), first.tariff
        )
        b = scenario.battery[0] if scenario.battery else None
        k = electric_kpis(
            res,
            pv_e_kwh=pv_e,
            wind_e_kwh=wind_e,
            energy_kwh=b.energy_kwh if b else 0.0,
            soc_min=b.soc_min if b else 0.0,
            soc_max=b.soc_max if b else 1.0,
            grid_cost_cny=bill["total_cny"],
            v2b_e_kwh=np.array([v2b_e_kwh(profiles[y]) for y in year_of[cal]]),
        )
        cols = {name: np.broadcast_to(np.asarray(v, dtype=float), (len(cal),)) for name, v in k.items()}
        cols.update({f"grid_bill_cny.{part}": np.asarray(bill[part], dtype=float) for part in BILL_PARTS})
        parts.append(pd.DataFrame(cols, index=draws.index[cal]))
    return pd.concat(parts).loc[draws.index]


def _calendars(profiles: list[Profiles], year_of: np.ndarray) -> list[np.ndarray]:
    """Positions of the members grouped by their year's time steps: one kernel call shares the codes, prices and
    months of its hours, which weather files of other calendar years do not."""
    groups: dict[int, list[int]] = {}  # a calendar's first year -> its members' positions, in order
    for pos, y in enumerate(year_of):
        idx = profiles[y].index
        key = next((k for k in groups if profiles[k].index.dtype == idx.dtype and profiles[k].index.equals(idx)), y)
        groups.setdefault(int(key), []).append(pos)
    return [np.asarray(g) for g in groups.values()]


def _flat(kpis: dict) -> dict:
    """The numeric top-level KPIs of a run, its bill parts as ``grid_bill_cny.<part>`` and its numeric heat KPIs
    as ``heat.<name>``."""
    row = {k: float(v) for k, v in kpis.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    row.pop("max_hourly_balance_residual_kwh", None)  # a check of one run's tables, not a result of the member
    row.update({f"grid_bill_cny.{part}": float(kpis["grid_bill_cny"][part]) for part in BILL_PARTS})
    heat = kpis.get("heat", {})
    row.update(
        {f"heat.{k}": float(v) for k, v in heat.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    )
    return row


def member_run(scenario, prof: Profiles, values: dict[str, float]):
    """A single run with a member's load scale and PV age set (what one member of :func:`evaluate` equals).

    Parameters
    ----------
    scenario : Scenario
        The factory.
    prof : Profiles
        Its profiles (:func:`lingtan.twin.run.build_profiles`).
    values : dict of str to float
        ``load_scale`` [-] and ``pv_age_years`` [yr], either may be absent; ``tariff_scale`` is not applied
        here (:func:`scale_tariff` applies it to the bill).

    Returns
    -------
    lingtan.twin.run.RunResult
        The year with every electric load multiplied by ``load_scale`` and every PV array at ``pv_age_years``.
    """
    from lingtan.twin.run import renewable_units, simulate_profiles

    sc, pr = scenario, prof
    if "pv_age_years" in values:
        pv = [a.model_copy(update={"age_years": float(values["pv_age_years"])}) for a in scenario.pv]
        sc = scenario.model_copy(update={"pv": pv})
        rows, _, _ = renewable_units(pv, scenario.wind, prof.weather, scenario.site)
        pr = replace(pr, unit_kw=np.vstack(rows) if rows else prof.unit_kw)
    if "load_scale" in values:
        pr = replace(pr, load_kw=prof.load_kw * float(values["load_scale"]))
    return simulate_profiles(sc, pr)


def _assessment_columns(accounting, verdicts: list[dict]) -> dict:
    """Accounting KPIs as ``accounting.<name>`` and, for every simulated criterion, ``<id>.value``,
    ``.margin``, ``.threshold``, ``.pass`` and ``.status``: the columns a weather ensemble's members table
    has (:mod:`lingtan.twin.studies.ensemble`), so that the two tables are one."""
    from lingtan.twin.accounting.account import accounting_kpis

    out: dict = {f"accounting.{k}": float(v) for k, v in accounting_kpis(accounting).items() if _number(v)}
    for v in verdicts:
        if v["input"] != "simulated":
            continue
        cid = v["criterion_id"]
        out[f"{cid}.value"] = float(v["value"]) if _number(v["value"]) else np.nan
        out[f"{cid}.margin"] = float(v["margin"]) if v["margin"] is not None else np.nan
        out[f"{cid}.threshold"] = float(v["threshold"]) if _number(v["threshold"]) else np.nan
        out[f"{cid}.pass"] = v["status"] == "pass"
        out[f"{cid}.status"] = v["status"]
    return out


def _number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def evaluate(
    scenario, profiles: Profiles | list[Profiles], draws: pd.DataFrame, year_of: np.ndarray | None = None
) -> pd.DataFrame:
    """Every member on its weather year: KPIs, bill, accounting and verdicts.

    When the year's annual KPIs suffice for the accounting (no heat side, no fuel uses, a constant grid
    emission factor: :func:`lingtan.twin.studies.sweep.fast_verdicts_possible`), all members go through the
    kernel side by side, those of several weather years in one call (each on its year's unit profiles and
    load), and are assessed from their annual KPIs; otherwise each member is a single run on its year's
    profiles (:func:`member_run`), which its heat KPIs and hourly emission factor need.

    Parameters
    ----------
    scenario : Scenario or Park
        The factory, or a park (each member a park year:
        :func:`lingtan.twin.studies.park_uncertainty.evaluate_park`).
    profiles : Profiles or list of Profiles or ParkYear or list of ParkYear
        Its profiles for one weather year, or for each year of a weather ensemble
        (:func:`lingtan.twin.run.build_profiles`); a park's weather years
        (:class:`lingtan.twin.studies.park_uncertainty.ParkYear`).
    draws : pandas.DataFrame
        The members (:func:`draw`).
    year_of : ndarray of int, shape (N,), optional
        Each member's position in ``profiles``; default: all on the first.

    Returns
    -------
    pandas.DataFrame
        The members table (module docstring), one row per member, indexed like ``draws``.
    """
    from lingtan.twin.accounting.assess import assess
    from lingtan.twin.core.schema.park import Park
    from lingtan.twin.studies.sweep import fast_verdicts_possible

    if isinstance(scenario, Park):
        from lingtan.twin.studies.park_uncertainty import evaluate_park

        return evaluate_park(scenario, profiles, draws, year_of)
    profiles = profiles if isinstance(profiles, list) else [profiles]
    year_of = np.zeros(len(draws), int) if year_of is None else np.asarray(year_of, int)
    if all(fast_verdicts_possible(scenario, p) for p in profiles):
        kernel = _kernel_rows(scenario, profiles, draws, year_of)
        # A constant grid factor: assess reads no hourly table, so an empty one with the import columns serves.
        empty = pd.DataFrame({c: np.empty(0) for c in ("grid_to_load_kw", "grid_to_heat_kw", "grid_to_battery_kw")})
        rows = []
        for row in kernel.to_dict("records"):
            a = assess(scenario, dict(row), empty, base_dir=profiles[0].base_dir)
            rows.append(_assessment_columns(a.accounting, a.verdicts))
        extra = pd.DataFrame(rows, index=draws.index)
    else:
        values = draws.to_dict("records")
        runs = [member_run(scenario, profiles[y], v) for y, v in zip(year_of, values, strict=True)]
        kernel = pd.DataFrame([_flat(r.kpis) for r in runs], index=draws.index)
        extra = pd.DataFrame([_assessment_columns(r.accounting, r.verdicts) for r in runs], index=draws.index)
    table = pd.concat([draws, kernel, extra], axis=1)
    if "tariff_scale" in draws:
        table = scale_tariff(table, draws["tariff_scale"].to_numpy())
    return table


WEATHER_BAR = "weather_year"
"""The tornado bar of a weather ensemble: its input is the year's annual GHI [kWh/m2]."""


@dataclass(frozen=True)
class TornadoBar:
    """One uncertain quantity's effect with the others at their median.

    Attributes
    ----------
    quantity : str
        ``load_scale``, ``pv_age_years``, ``tariff_scale`` or :data:`WEATHER_BAR`.
    input_p10, input_p90 : float
        The quantity's P10 and P90 over the members [its unit] (P10 exceeded by 10 % of them); for the weather
        bar, the annual GHI of the P10 and P90 weather years [kWh/m2].
    kpi_at_p10, kpi_at_p90 : float
        The headline KPI with the quantity at its P10 and at its P90.
    swing : float
        ``|kpi_at_p10 - kpi_at_p90|``, the bar's length.
    margins : dict of str to tuple of float
        Each simulated criterion's margin (positive = passing) at the quantity's P10 and P90.
    """

    quantity: str
    input_p10: float
    input_p90: float
    kpi_at_p10: float
    kpi_at_p90: float
    swing: float
    margins: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Tornado:
    """Which uncertainty moves the verdict most: bars sorted by the headline KPI's swing, largest first.

    Attributes
    ----------
    kpi : str
        The headline KPI.
    base_kpi : float
        Its value with every quantity at its median on the scenario's own weather year.
    base_margins : dict of str to float
        Each simulated criterion's margin with every quantity at its median.
    medians : dict of str to float
        The median of each quantity over the members [its unit].
    bars : list of TornadoBar
        One per varied quantity, and one for the weather years of a weather ensemble.
    weather_years : int
        Weather years behind the weather bar (1 without a weather ensemble: no weather bar).
    convention : str
        The exceedance convention.
    """

    kpi: str
    base_kpi: float
    base_margins: dict[str, float]
    medians: dict[str, float]
    bars: list[TornadoBar]
    weather_years: int = 1
    convention: str = CONVENTION

    def to_dict(self) -> dict:
        """The tornado as plain JSON-ready data (``tornado.json``).

        Returns
        -------
        dict
            Field name to value; bars as a list of mappings.
        """
        return asdict(self)


def tornado(
    scenario, prof: Profiles, draws: pd.DataFrame, *, kpi: str = HEADLINE_KPI, weather: pd.DataFrame | None = None
) -> Tornado:
    """For each varied quantity, the headline KPI and every simulated criterion's margin at the quantity's P10
    and P90 with the other quantities at their median, sorted by the KPI's swing.

    Parameters
    ----------
    scenario : Scenario or Park
        The factory or park.
    prof : Profiles or ParkYear
        Its own weather year (the scenario's ``weather``), on which every quantity's bar is computed.
    draws : pandas.DataFrame
        The members (:func:`draw`); their percentiles place the bars.
    kpi : str
        The KPI bars are sorted by.
    weather : pandas.DataFrame, optional
        With a weather ensemble: the members table of every quantity at its median on each weather year
        (:func:`evaluate`), with ``weather.annual_ghi_kwh_m2``. It adds the bar :data:`WEATHER_BAR`, from the
        P10 to the P90 weather year ranked by ``kpi`` (the years whose KPI is nearest the 90th and the 10th
        percentile: real years, whose margins are those of a year).

    Returns
    -------
    Tornado
        The bars, largest swing first.
    """
    quantities = list(draws.columns)
    medians = {q: float(np.median(draws[q])) for q in quantities}
    p10 = {q: exceedance(draws[q], 10) for q in quantities}
    p90 = {q: exceedance(draws[q], 90) for q in quantities}
    # Configuration 0: all at their median; then each quantity at its P10 and at its P90.
    configs = [dict(medians)]
    for q in quantities:
        configs += [{**medians, q: p10[q]}, {**medians, q: p90[q]}]
    table = evaluate(scenario, prof, pd.DataFrame(configs, index=pd.RangeIndex(len(configs), name="member")))
    if kpi not in table:
        raise ValueError(f"kpi must be a numeric KPI of the members table, e.g. {HEADLINE_KPI}; got {kpi!r}")
    # Criteria with a numeric margin in every configuration (a declared or yes/no criterion has none).
    criteria = [c.removesuffix(".margin") for c in table if c.endswith(".margin") and np.isfinite(table[c]).all()]

    def bar(name: str, lo: pd.Series, hi: pd.Series, inputs: tuple[float, float]) -> TornadoBar:
        margins = {c: (float(lo[f"{c}.margin"]), float(hi[f"{c}.margin"])) for c in criteria}
        return TornadoBar(name, *inputs, float(lo[kpi]), float(hi[kpi]), abs(float(lo[kpi] - hi[kpi])), margins)

    bars = [bar(q, table.iloc[1 + 2 * j], table.iloc[2 + 2 * j], (p10[q], p90[q])) for j, q in enumerate(quantities)]
    if weather is not None:
        # Ascending by the KPI: the P10 year (exceeded by 10 %) sits at the 90th percentile's rank.
        ranked = weather.sort_values(kpi, kind="stable")
        lo, hi = (ranked.iloc[int(round(f * (len(ranked) - 1)))] for f in (0.9, 0.1))
        ghi = "weather.annual_ghi_kwh_m2"
        bars.append(bar(WEATHER_BAR, lo, hi, (float(lo[ghi]), float(hi[ghi]))))
    bars.sort(key=lambda b: b.swing, reverse=True)
    return Tornado(
        kpi=kpi,
        base_kpi=float(table[kpi].iloc[0]),
        base_margins={c: float(table[f"{c}.margin"].iloc[0]) for c in criteria},
        medians=medians,
        bars=bars,
        weather_years=1 if weather is None else len(weather),
    )


__all__ = [
    "CONVENTION",
    "WEATHER_BAR",
    "MemberInputs",
    "apply",
    "Tornado",
    "TornadoBar",
    "draw",
    "evaluate",
    "exceedance",
    "member_count",
    "member_run",
    "scale_tariff",
    "tornado",
]
