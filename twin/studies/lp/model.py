"""The linear programme of a site's year: variables, constraints and objective.

One model serves both questions (the formulation follows REopt's and PyPSA's: sizes as continuous variables
priced by their annualised cost, hourly flows, storage state by step, demand charges as monthly peak variables):

* ``mode="dispatch"``: sizes fixed at the scenario's; minimise the bill (energy + basic charge - feed-in),
  with perfect foresight over the year (``dispatch: optimal``, and the LP optimum reported beside every run).
* ``mode="design"``: sizes free within the site's limits; minimise annualised asset cost + bill + green-power
  premium subject to the criteria rows that are linear in flows (:class:`~.problem.CriterionRow`).

Flows go from a named source to a named sink, as in the dispatch kernel, and are all >= 0 [kW, step means]:

=========  =====================================  =========  =====================================
``a``      renewables to load                     ``g``      grid to load
``cr``     renewables to battery                  ``cg``     grid to battery
``x``      renewables to grid (export)            ``dr``     battery's renewable pool to load
``k``      renewables curtailed                   ``dg``     battery's grid pool to load
``u``      unserved load (penalised)              ``er, eg`` pool energies at the step's end [kWh]
=========  =====================================  =========  =====================================

The battery is two pools, renewable-charged and grid-charged; the LP may discharge either, which contains the
kernel's well-mixed store (it discharges both pro rata) as one of its choices: the LP is a relaxation of every rule,
so its optimum bounds theirs. A design keeps the battery within the hours its rule may grid-charge and discharge
(:func:`~.problem.rule_envelope`): the design is simulated with that rule, and stays a relaxation of it. The
energy at the first step is in the grid pool (the kernel's conservative choice).
The battery exports nothing (the kernel's does not either): export is renewable surplus only.

A problem with :attr:`~.problem.DesignProblem.heat` also co-schedules the heat side
(:mod:`~lingtan.twin.studies.lp.heat_dispatch`): power-to-heat electricity ``pb`` joins the load row and ``pr`` the
renewable bus, boiler fuel joins the objective; a design also sizes its heat pumps and thermal stores and holds its
waste-heat recovery rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lingtan.twin.studies.lp.heat_dispatch import add_heat, recovered_terms
from lingtan.twin.studies.lp.problem import DesignProblem

UNSERVED_PENALTY_CNY_PER_KWH = 100.0
"""Cost of a kWh of unserved load [CNY/kWh]; assumed: far above any tariff (Anhui's critical-peak price is
about 1.1 CNY/kWh), so that the LP serves every kWh the connection and storage allow."""

STEP_BLOCKS = ("a", "cr", "x", "k", "g", "cg", "dr", "dg", "u", "er", "eg")
"""Per-step variables, in column order (module docstring)."""

MODES = ("dispatch", "design")


@dataclass(frozen=True)
class Model:
    """The assembled programme, ready for HiGHS.

    Attributes
    ----------
    cost, lower, upper : ndarray, shape (n,)
        Objective coefficients [CNY per unit of the variable] and bounds.
    a : scipy.sparse.csr_matrix, shape (m, n)
        Constraint matrix.
    row_lower, row_upper : ndarray, shape (m,)
        Row bounds.
    integer : ndarray of int
        Columns that are binary (0/1).
    offset : dict of str to int
        First column of each block of :data:`STEP_BLOCKS` and of the scalar variables (``size`` K columns,
        ``e_kwh``, ``p_kw``, ``green_kwh``, ``peak`` 12, ``over`` 12, ``band`` 12 and ``z`` one per flagged step).
    z_steps : ndarray of int
        The steps with a binary that forbids import and export together.
    constant_cny : float
        Part of the objective that no variable moves (a capacity charge) [CNY].
    n_steps : int
    """

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    a: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    integer: np.ndarray
    offset: dict
    z_steps: np.ndarray
    constant_cny: float
    n_steps: int


class _Rows:
    """Collects constraint rows as (row, column, value) triplets."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.m = 0

    def add(self, terms: list[tuple[np.ndarray, np.ndarray, np.ndarray]], lo, hi) -> None:
        """Rows ``lo <= sum of terms <= hi``; each term is (row index within these rows, column, coefficient)."""
        lo, hi = np.atleast_1d(np.asarray(lo, float)), np.atleast_1d(np.asarray(hi, float))
        for rows, cols, vals in terms:
            rows = np.asarray(rows)
            self.r.append(self.m + rows)
            self.c.append(np.broadcast_to(np.asarray(cols), rows.shape))
            self.v.append(np.broadcast_to(np.asarray(vals, float), rows.shape))
        self.lo.append(lo)
        self.hi.append(hi)
        self.m += len(lo)

    def matrix(self, n: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        a = sp.csr_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))), shape=(self.m, n))
        a.sum_duplicates()
        return a, np.concatenate(self.lo), np.concatenate(self.hi)


def price_steps(p: DesignProblem) -> np.ndarray:
    """Steps where importing and exporting together would pay: the export price exceeds the import price.

    Parameters
    ----------
    p : DesignProblem

    Returns
    -------
    ndarray of bool, shape (T,)
    """
    return p.export_price_cny_per_kwh > p.import_price_cny_per_kwh


def simultaneous_steps(p: DesignProblem) -> np.ndarray:
    """Steps of a dispatch that get a binary: export pays more than import and the plant's renewables exceed the load.

    In the other steps where export pays more, the dispatch LP lets renewables serve the load first (as every rule
    does, the battery exporting nothing): the load takes min(renewables, load), nothing is left to export where
    renewables fall short, and import and export can meet only in a step with surplus.

    Parameters
    ----------
    p : DesignProblem

    Returns
    -------
    ndarray of int
        Step indices.
    """
    return np.flatnonzero(price_steps(p) & (_re_kw(p, p.existing_size) > p.load_kw))


def _re_kw(p: DesignProblem, sizes: np.ndarray) -> np.ndarray:
    """Renewable output of the plant at ``sizes`` [kW] by step."""
    return (p.unit_kw * sizes[:, None]).sum(axis=0) if len(p.sources) else np.zeros(p.n_steps)


def build(p: DesignProblem, mode: str = "dispatch", binaries: bool = True) -> Model:
    """The programme of ``p`` (module docstring for the two modes).

    Parameters
    ----------
    p : DesignProblem
        The site's year.
    mode : str
        ``dispatch`` (sizes fixed) or ``design`` (sizes chosen).
    binaries : bool
        Dispatch: forbid simultaneous import and export with a binary in each step of :func:`simultaneous_steps`,
        and bill an overrunning contracted-demand month at the 105 % band with a binary per month (``band``).
        False, and every design, solve the relaxation: a lower bound, whose design
        :mod:`lingtan.twin.studies.lp.solve` then dispatches exactly.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        For an unknown mode.
    """
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {MODES}, found {mode!r}")
    design = mode == "design"
    t_n, k_n, dt = p.n_steps, len(p.sources), p.step_h
    t = np.arange(t_n)
    inf = np.inf
    b = p.battery

    # ---- columns
    off: dict[str, int] = {}
    n = 0
    for name in STEP_BLOCKS:
        off[name] = n
        n += t_n
    for name, width in (("size", k_n), ("e_kwh", 1), ("p_kw", 1), ("green_kwh", 1), ("peak", 12), ("over", 12)):
        off[name] = n
        n += width
    binaries = binaries and not design
    band = p.basic_charge_basis == "contracted_demand" and p.contracted_demand_overrun == "band" and binaries
    off["band"] = n
    n += 12 if band else 0
    z_steps = simultaneous_steps(p) if binaries else np.zeros(0, np.int64)
    off["z"] = n
    n += len(z_steps)
    rows = _Rows()
    heat = p.heat is not None
    if heat:
        n_el = n
        heat_off, n, h_cost, h_lower, h_upper = add_heat(
            p.heat, rows, n, t_n, dt, UNSERVED_PENALTY_CNY_PER_KWH, design=design
        )
        off.update(heat_off)

    col = lambda name, i=t: off[name] + i  # noqa: E731
    cost = np.zeros(n)
    lower = np.zeros(n)
    upper = np.full(n, inf)
    if heat:
        cost[n_el:], lower[n_el:], upper[n_el:] = h_cost, h_lower, h_upper

    # ---- bounds
    upper[col("x")] = p.export_limit_kw
    upper[col("g")] = p.import_limit_kw
    upper[col("cg")] = p.import_limit_kw
    sizes = col("size", np.arange(k_n))
    if design:
        upper[sizes] = p.max_size
    else:
        lower[sizes] = upper[sizes] = p.existing_size
    e_kwh, p_kw, green = off["e_kwh"], off["p_kw"], off["green_kwh"]
    if b is None:
        upper[[e_kwh, p_kw]] = 0.0
        upper[col("cr")] = upper[col("cg")] = upper[col("dr")] = upper[col("dg")] = 0.0
    elif not design:
        lower[e_kwh] = upper[e_kwh] = b.energy_kwh
        lower[p_kw] = upper[p_kw] = 0.0  # unused: the existing battery's own charge and discharge limits hold
    else:  # a design is simulated with the battery's rule: it charges and discharges only when the rule may
        upper[col("cg")[~np.asarray(b.grid_charge_ok)[p.period]]] = 0.0
        no_discharge = ~np.asarray(b.discharge_ok)[p.period]
        upper[col("dr")[no_discharge]] = upper[col("dg")[no_discharge]] = 0.0
    if design:
        lower[green] = 0.0
    else:
        lower[green] = upper[green] = p.green_power_e_kwh
    if binaries:
        # renewables serve the load first where export pays more: a = min(renewables, load)
        pay = price_steps(p)
        lower[col("a", t[pay])] = np.minimum(_re_kw(p, p.existing_size), p.load_kw)[pay]
    if p.peak_floor_kw is not None:
        lower[col("peak", np.arange(12))] = p.peak_floor_kw  # the month's peak so far: billed whatever follows
    upper[off["band"] : off["band"] + (12 if band else 0)] = 1.0
    upper[off["z"] : off["z"] + len(z_steps)] = 1.0

    # ---- objective [CNY]
    cost[col("g")] = cost[col("cg")] = p.import_price_cny_per_kwh * dt  # energy charge of each imported kWh
    cost[col("x")] = -p.export_price_cny_per_kwh * dt  # feed-in revenue
    cost[col("u")] = UNSERVED_PENALTY_CNY_PER_KWH * dt
    cost[col("dr")] = cost[col("dg")] = p.battery_variable_om_cny_per_kwh * dt
    gen_kwh = p.unit_kw.sum(axis=1) * dt  # generation of one unit of each source over the year [kWh]
    cost[sizes] = p.variable_om_cny_per_kwh * gen_kwh
    if design:
        cost[sizes] += [c.annualised_cny_per_yr for c in p.size_cost]
        cost[e_kwh] = p.battery_energy_cost.annualised_cny_per_yr
        cost[p_kw] = p.battery_power_cost.annualised_cny_per_yr
        cost[green] = p.green_power_cost.annualised_cny_per_yr
    constant = 0.0
    price = p.demand_price_cny_per_kw_month
    months = np.unique(p.month)
    if p.basic_charge_basis == "demand":
        cost[col("peak", months)] = price  # maximum demand of each month x demand price
    elif p.basic_charge_basis == "contracted_demand":
        c_kw = p.contracted_demand_kw
        constant += len(months) * c_kw * price  # the contract, billed every month
        cost[col("over", months)] = p.overrun_price_factor * price  # overrun above 105 % at twice the price
        if band:
            # band: an overrunning month pays the single price on 105 % of the contract, not on the contract
            cost[col("band", months)] = (p.overrun_threshold_fraction - 1.0) * c_kw * price
    elif p.basic_charge_basis == "capacity":
        constant += len(months) * p.fixed_basic_charge_cny_per_month

    ones = np.ones(t_n)
    # renewable bus: a + cr + x + k (+ pr) = sum_k size_k unit_k(t)     (every kW of renewable output goes somewhere)
    terms = [(t, col(nm), 1.0) for nm in ("a", "cr", "x", "k") + (("pr",) if heat else ())]
    for j in range(k_n):
        terms.append((t, off["size"] + j, -p.unit_kw[j]))
    rows.add(terms, np.zeros(t_n), np.zeros(t_n))
    # load: a + g + dr + dg + u (- pb) = load(t)     (pb: power-to-heat electricity taken from the bus)
    terms = [(t, col(nm), 1.0) for nm in ("a", "g", "dr", "dg", "u")]
    rows.add(terms + ([(t, col("pb"), -1.0)] if heat else []), p.load_kw, p.load_kw)
    # import limit: g + cg <= import limit
    rows.add([(t, col("g"), 1.0), (t, col("cg"), 1.0)], -inf * ones, p.import_limit_kw * ones)

    if b is not None:
        keep, eta_c, eta_d = b.keep_per_step, b.charge_efficiency, b.discharge_efficiency
        # charge power: cr + cg <= P (design) or <= the battery's charge limit (dispatch)
        cap_c, cap_d = (0.0, 0.0) if design else (b.charge_kw, b.discharge_kw)
        coef_p = -1.0 if design else 0.0
        rows.add([(t, col("cr"), 1.0), (t, col("cg"), 1.0), (t, p_kw, coef_p)], -inf * ones, cap_c * ones)
        # discharge power: dr + dg <= P or the discharge limit (AC out)
        rows.add([(t, col("dr"), 1.0), (t, col("dg"), 1.0), (t, p_kw, coef_p)], -inf * ones, cap_d * ones)
        # renewable pool: er(t) = keep er(t-1) + eta_c cr(t) dt - dr(t) dt / eta_d     (er(-1) = 0)
        later = t[1:]
        rows.add(
            [
                (t, col("er"), 1.0),
                (later, col("er", later - 1), -keep),
                (t, col("cr"), -eta_c * dt),
                (t, col("dr"), dt / eta_d),
            ],
            np.zeros(t_n),
            np.zeros(t_n),
        )
        # grid pool: eg(t) = keep eg(t-1) + eta_c cg(t) dt - dg(t) dt / eta_d     (eg(-1) = soc_initial E)
        rows.add(
            [
                (t, col("eg"), 1.0),
                (later, col("eg", later - 1), -keep),
                (t, col("cg"), -eta_c * dt),
                (t, col("dg"), dt / eta_d),
                (np.array([0]), e_kwh, -keep * b.soc_initial),
            ],
            np.zeros(t_n),
            np.zeros(t_n),
        )
        # state-of-charge window: soc_min E <= er + eg <= soc_max E
        rows.add([(t, col("er"), 1.0), (t, col("eg"), 1.0), (t, e_kwh, -b.soc_min)], np.zeros(t_n), inf * ones)
        rows.add([(t, col("er"), 1.0), (t, col("eg"), 1.0), (t, e_kwh, -b.soc_max)], -inf * ones, np.zeros(t_n))
        # end of year at least as full as the start: er(T) + eg(T) >= soc_initial E   (no free energy)
        last = np.array([0])
        soc_end = b.soc_initial if b.soc_end_min is None else b.soc_end_min
        rows.add(
            [(last, col("er", t_n - 1), 1.0), (last, col("eg", t_n - 1), 1.0), (last, e_kwh, -soc_end)],
            [0.0],
            [inf],
        )

    # monthly maximum demand: peak(m) >= g(t) + cg(t) for every step t of month m
    if p.basic_charge_basis in ("demand", "contracted_demand"):
        rows.add([(t, col("g"), 1.0), (t, col("cg"), 1.0), (t, col("peak", p.month), -1.0)], -inf * ones, np.zeros(t_n))
    if p.basic_charge_basis == "contracted_demand":
        # overrun(m) >= peak(m) - 1.05 C
        m12 = np.arange(12)
        band_kw = p.overrun_threshold_fraction * p.contracted_demand_kw
        rows.add(
            [(m12, col("over", m12), 1.0), (m12, col("peak", m12), -1.0)], np.full(12, -band_kw), inf * np.ones(12)
        )
        if band:
            # overrun(m) <= M band(m): a month with an overrun pays the band (M: the import limit above 1.05 C)
            big = max(p.import_limit_kw - band_kw, 0.0)
            rows.add([(m12, col("over", m12), 1.0), (m12, col("band", m12), -big)], -inf * np.ones(12), np.zeros(12))

    # no import and export in one surplus step where prices invite it (the load takes renewables, so the only
    # import left is grid charging): x <= X z and cg <= C (1 - z), C the battery's charge limit
    if len(z_steps):
        j = np.arange(len(z_steps))
        zc = off["z"] + j
        c_kw = min(b.charge_kw, p.import_limit_kw) if b is not None else 0.0
        rows.add([(j, col("x", z_steps), 1.0), (j, zc, -p.export_limit_kw)], -inf * np.ones(len(j)), np.zeros(len(j)))
        rows.add([(j, col("cg", z_steps), 1.0), (j, zc, c_kw)], -inf * np.ones(len(j)), np.full(len(j), c_kw))

    if design:
        _criteria_rows(p, rows, col, off, gen_kwh, dt)

    a, lo, hi = rows.matrix(n)
    integer = np.concatenate(
        [np.arange(off["band"], off["band"] + (12 if band else 0)), np.arange(off["z"], off["z"] + len(z_steps))]
    ).astype(np.int64)
    return Model(cost, lower, upper, a, lo, hi, integer, off, z_steps, constant, t_n)


def _criteria_rows(p: DesignProblem, rows: _Rows, col, off: dict, gen_kwh: np.ndarray, dt: float) -> None:
    """The waste-heat recovery rows of a design with its heat side
    (:func:`~lingtan.twin.studies.lp.heat_dispatch.recovered_terms`), and its renewable-share rows, both bases (the
    criterion takes the stricter), in energy [kWh]:

    * consumption basis: RE - sold + GP >= x (I + G - X - K), with RE = G - X - K the renewable consumed;
    * delivered basis: RE - L_re - sold + GP >= x (I + G - X - K - L),

    where G = sum_k size_k gen_k, X export, K curtailment, I import, L battery losses (charged - discharged - the
    year's change of stored energy) and L_re those of the renewable pool; GP (contracted + direct green power, and
    certificates where counted) may count only up to the import (the accounting's ``green_power_covered_e_kwh``).
    """
    sizes = off["size"] + np.arange(len(p.sources))
    one = np.array([0])
    b = p.battery
    for row in p.criteria:
        terms = recovered_terms(p.heat, off, p.n_steps, dt) if row.kind == "recovery_min" and p.heat else []
        if terms:
            # recovered by the dispatch (a bound: heat.recovered_terms) + recovered whatever >= z x resources; a
            # site with nothing to move it (no store, no heat pump on a stream) is judged on its simulation
            h = p.heat
            need = row.threshold * h.recovery_available_e_kwh_th - h.recovery_fixed_e_kwh_th
            rows.add(terms, [need], [np.inf])
        if row.kind == "intensity_max" and p.intensity is not None:
            _intensity_row(p, row.threshold, rows, col, off, gen_kwh, dt)
        if row.kind != "re_share_min":
            continue
        x = row.threshold
        extra_fixed = (p.green_power_direct_e_kwh if row.green_power_counts else 0.0) + (
            p.green_certificates_e_kwh if row.certificates_count else 0.0
        )
        rhs = p.onsite_certificates_sold_e_kwh - extra_fixed
        # (1 - x) (G - X - K) - x I + GP, common to both bases
        base = [
            (np.zeros(len(sizes), int), sizes, (1 - x) * gen_kwh),
            (np.zeros(p.n_steps, int), col("x"), -(1 - x) * dt),
            (np.zeros(p.n_steps, int), col("k"), -(1 - x) * dt),
            (np.zeros(p.n_steps, int), col("g"), -x * dt),
            (np.zeros(p.n_steps, int), col("cg"), -x * dt),
        ]
        if row.green_power_counts:
            base.append((one, off["green_kwh"], 1.0))
        rows.add(base, [rhs], [np.inf])
        if b is not None:
            # delivered: subtract L_re, add x L. L = (cr + cg) dt - (dr + dg) dt - (er(T) + eg(T) - soc_initial E);
            # L_re = cr dt - dr dt - er(T) (the renewable pool starts empty).
            z = lambda name: (np.zeros(p.n_steps, int), col(name), 1.0)  # noqa: E731
            last = lambda name: (one, off[name] + p.n_steps - 1, 1.0)  # noqa: E731
            terms = list(base)
            for name, c_re, c_all in (("cr", -dt, dt), ("cg", 0.0, dt), ("dr", dt, -dt), ("dg", 0.0, -dt)):
                r0, cc, _ = z(name)
                terms.append((r0, cc, c_re + x * c_all))
            r0, cc, _ = last("er")
            terms.append((r0, cc, 1.0 - x))  # + er(T) from -L_re, - x er(T) from x L
            r0, cc, _ = last("eg")
            terms.append((r0, cc, -x))
            terms.append((one, off["e_kwh"], x * b.soc_initial))
            rows.add(terms, [rhs], [np.inf])
        if row.green_power_counts:
            _green_power_within_import(p, rows, col, off, dt)


def _intensity_row(p: DesignProblem, y: float, rows: _Rows, col, off: dict, gen_kwh: np.ndarray, dt: float) -> None:
    """Emissions - y energy <= 0, both affine in the year's import, export, renewable electricity consumed, green
    power and boiler heat (:class:`~lingtan.twin.studies.lp.intensity.IntensityModel`); a quantity the programme does
    not hold (boiler heat without the heat side) stays at the reference year's. Green power then covers at most the
    import, as the accounting caps it."""
    m = p.intensity
    a = m.c_n - y * m.c_d  # per unit of each quantity [tCO2]
    t0 = np.zeros(p.n_steps, dtype=int)
    one = np.array([0])
    sizes = off["size"] + np.arange(len(p.sources))
    by = dict(zip(m.names, a, strict=True))
    terms = [
        (t0, col("g"), by["import"] * dt),
        (t0, col("cg"), by["import"] * dt),
        (t0, col("x"), (by["export"] - by["re_consumed"]) * dt),
        (t0, col("k"), -by["re_consumed"] * dt),
        (np.zeros(len(sizes), int), sizes, by["re_consumed"] * gen_kwh),
        (one, off["green_kwh"], by["green_power"]),
    ]
    held = 0.0
    boilers = {f"heat:{n}": b for b, n in enumerate(p.heat.boiler_names)} if p.heat is not None else {}
    for j, name in enumerate(m.names[4:], start=4):
        if name in boilers:
            b = boilers[name]
            for i, (bb, _) in enumerate(p.heat.pairs()["hb"]):
                if bb == b:
                    terms.append((t0, off["hb"] + i * p.n_steps + np.arange(p.n_steps), a[j] * dt))
        else:
            held += a[j] * m.v0[j]
    rhs = -(m.n0 - m.c_n @ m.v0) + y * (m.d0 - m.c_d @ m.v0) - held
    rows.add(terms, [-np.inf], [rhs])
    _green_power_within_import(p, rows, col, off, dt)


def _green_power_within_import(p: DesignProblem, rows: _Rows, col, off: dict, dt: float) -> None:
    """GP + direct <= I: contracted and direct green power count only up to the grid import (the accounting's
    ``green_power_covered_e_kwh``)."""
    t0 = np.zeros(p.n_steps, dtype=int)
    rows.add(
        [(np.array([0]), off["green_kwh"], 1.0), (t0, col("g"), -dt), (t0, col("cg"), -dt)],
        [-np.inf],
        [-p.green_power_direct_e_kwh],
    )


__all__ = ["Model", "build", "simultaneous_steps", "price_steps", "STEP_BLOCKS", "UNSERVED_PENALTY_CNY_PER_KWH"]
