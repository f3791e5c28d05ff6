"""Ground loops: a field of vertical boreholes that a ground-source heat pump draws heat from.

The ground is a linear, time-invariant conductor: the borehole wall's mean temperature
answers a step of heat extraction with the field's g-function, and any extraction
history by superposition of its steps. The fluid in the loop is colder than the wall
by the borehole thermal resistance times the extraction per metre. Heat pumps on the
loop see that fluid temperature as their source, so a field too short for its load
cools over the year and its heat pumps' COP falls with it (to zero below the fluid's
lowest allowed temperature, where boilers make up the heat).

The g-function is the finite line source (FLS) of Claesson and Javed [1]_ with the
image source of the ground surface, summed over every pair of boreholes of the field
with a uniform heat extraction rate per metre (the mean wall temperature of the
field). pygfunction [2]_ computes the same quantity (boundary condition "UHTR"); ``twin
validate`` compares the two.

For the hour loop the step response is written as a sum of first-order modes,
``g(t) ~ sum_m a_m (1 - exp(-t / tau_m))`` with ``a_m >= 0`` fitted to the FLS
(:func:`ground_modes`). A sum of modes is a state-space model: each mode keeps one
temperature, decays by ``exp(-dt / tau_m)`` per step and rises by ``a_m (1 -
exp(-dt / tau_m))`` per unit of the step's extraction (exact for an extraction held
over the step). :func:`loop_fluid_t_c` is the reference recursion the dispatch kernel
must match; :func:`fluid_t_c_by_convolution` convolves the FLS itself, the physics the
modes approximate.

Conventions
-----------
* ``q_kw_th`` is the heat the loop takes from the ground (extraction > 0), mean over
  the step [kW_th]; a heat pump's extraction is its heat output less its electricity.
* The fluid temperature of a step is the one the extraction of the steps before it
  left (an explicit, one-step lag): the heat pump's COP of a step depends on its own
  output only through the next step.
* The FLS is accurate from a few hours on (``t > 5 r_b^2 / alpha``, Eskilson [3]_);
  within the first hours the borehole's own heat capacity, which it leaves out,
  would soften the response.

References
----------
.. [1] Claesson, J., Javed, S., "An analytical method to calculate borehole fluid
   temperatures for time-scales from minutes to decades", *ASHRAE Transactions* 117(2)
   (2011) 279-288.
.. [2] Cimmino, M., "pygfunction: an open-source toolbox for the evaluation of thermal
   response factors for geothermal borehole fields", *Proc. eSim 2018*, 492-501; the
   FLS of equal boreholes as in Cimmino, M., Bernier, M., "A semi-analytical method to
   generate g-functions for geothermal bore fields", *Int. J. Heat Mass Transfer* 70
   (2014) 641-650, doi:10.1016/j.ijheatmasstransfer.2013.11.037.
.. [3] Eskilson, P., *Thermal analysis of heat extraction boreholes*, PhD thesis, Lund
   University, 1987.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.optimize import nnls
from scipy.special import erf

from lingtan.limits import MAX_TEMPERATURE_C, MIN_TEMPERATURE_C

SECONDS_PER_HOUR = 3600.0
HOURS_PER_YEAR = 8760.0
#: Gauss-Legendre nodes per panel of the FLS integral, and the largest ratio of a panel's ends in s.
_GL_NODES = 16
_PANEL_RATIO = 1.5
#: How far past ``1 / d`` the FLS integrand is followed: exp(-(8)^2) = 1.6e-28 of its value.
_TAIL = 8.0


class GroundLoop(BaseModel):
    """A rectangular field of equal vertical boreholes, in series with nothing else.

    Attributes are the YAML keys of ``ground_loops[i]``. The ground's properties are the site's, from a thermal
    response test (TRT) or a survey: there is no default for them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    boreholes_x: int = Field(ge=1, le=100, description="boreholes along one side of the rectangle [-]")
    boreholes_y: int = Field(default=1, ge=1, le=100, description="boreholes along the other side [-]")
    spacing_m: float = Field(default=6.0, gt=0, le=100, description="distance between neighbouring boreholes [m]")
    length_m: float = Field(gt=0, le=1000, description="active length of each borehole [m]")
    buried_depth_m: float = Field(default=2.0, ge=0, le=100, description="depth of each borehole's top [m]")
    radius_m: float = Field(default=0.075, gt=0, le=1, description="borehole radius [m]")
    conductivity_w_per_m_k: float = Field(gt=0, le=10, description="ground thermal conductivity [W/(m K)]")
    heat_capacity_mj_per_m3_k: float = Field(gt=0, le=10, description="ground volumetric heat capacity [MJ/(m3 K)]")
    t_ground_c: float = Field(
        ge=MIN_TEMPERATURE_C, le=MAX_TEMPERATURE_C, description="undisturbed ground temperature [C]"
    )
    borehole_resistance_m_k_per_w: float = Field(
        gt=0, le=1, description="effective borehole thermal resistance, fluid to wall [m K/W]"
    )
    min_fluid_t_c: float = Field(
        default=-3.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="lowest fluid temperature the heat pumps may run at [C]: below it they stop (-3 C: an "
        "antifreeze mixture's usual design limit, assumed; 2 C for plain water)",
    )

    max_fluid_t_c: float = Field(
        default=35.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="highest fluid temperature a heat pump cooling into the loop may run at [C]: above it it "
        "stops and the chillers cool (35 C: the usual upper design limit of the entering water, assumed)",
    )

    @model_validator(mode="after")
    def _fluid_window(self) -> GroundLoop:
        if self.max_fluid_t_c <= self.min_fluid_t_c:
            raise ValueError(f"max_fluid_t_c ({self.max_fluid_t_c} C) must be above min_fluid_t_c")
        return self

    @property
    def count(self) -> int:
        """Number of boreholes [-]."""
        return self.boreholes_x * self.boreholes_y

    @property
    def total_length_m(self) -> float:
        """Active length of the whole field [m]."""
        return self.count * self.length_m

    @property
    def diffusivity_m2_per_s(self) -> float:
        """Ground thermal diffusivity, conductivity / volumetric heat capacity [m2/s]."""
        return self.conductivity_w_per_m_k / (self.heat_capacity_mj_per_m3_k * 1e6)


def _erfint(x: np.ndarray) -> np.ndarray:
    """Integral of erf from 0 to ``x``: ``x erf(x) - (1 - exp(-x^2)) / sqrt(pi)``."""
    return x * erf(x) - (1.0 - np.exp(-(x**2))) / np.sqrt(np.pi)


def _pair_distances(loop: GroundLoop) -> tuple[np.ndarray, np.ndarray]:
    """Distinct distances between borehole pairs of the field [m] (the borehole radius for a borehole and
    itself) and how many ordered pairs have each."""
    counts: dict[float, int] = {}
    nx, ny, b = loop.boreholes_x, loop.boreholes_y, loop.spacing_m
    for i in range(nx):
        for j in range(ny):
            # Ordered pairs offset by (i, j) in absolute value: (nx - i)(ny - j) of each sign combination.
            signs = (1 if i == 0 else 2) * (1 if j == 0 else 2)
            d = loop.radius_m if i == j == 0 else b * float(np.hypot(i, j))
            counts[d] = counts.get(d, 0) + signs * (nx - i) * (ny - j)
    d = np.array(sorted(counts))
    return d, np.array([counts[x] for x in d], dtype=float)


def g_function(loop: GroundLoop, t_h: ArrayLike) -> np.ndarray:
    """The field's g-function: its mean borehole-wall temperature drop per unit extraction per metre [-].

    ``T_wall(t) = T_ground - q' / (2 pi k) g(t)`` after a step of ``q'`` [W/m] at time 0, with the finite line
    source between each pair of boreholes (distance ``d``, length ``H``, buried depth ``D``)::

        h(d, t) = 1 / (2 H) int_{1/sqrt(4 alpha t)}^inf exp(-d^2 s^2) / s^2
                  [2 ierf(H s) + 2 ierf((2 D + H) s) - ierf(2 D s) - ierf((2 D + 2 H) s)] ds

    (the ground surface held at the undisturbed temperature by an image source), averaged over the field:
    ``g = (1 / N) sum_i sum_j h(d_ij, t)``. The integral is taken by Gauss-Legendre panels in ``ln s`` whose
    ends include every lower limit, so one pass gives every time.

    Parameters
    ----------
    loop : GroundLoop
        The field: count, spacing, length, buried depth and radius [m], diffusivity [m2/s].
    t_h : float or array
        Times since the step [h], > 0.

    Returns
    -------
    ndarray
        g [-], the shape of ``t_h``.

    References
    ----------
    .. [1] Claesson and Javed (2011); Cimmino and Bernier (2014).

    Examples
    --------
    For one borehole much longer than the heat has spread the FLS tends to the infinite line source,
    ``g = E1(r_b^2 / (4 alpha t)) / 2``.
    """
    t = np.atleast_1d(np.asarray(t_h, dtype=float))
    if not (t > 0).all():
        raise ValueError("t_h must be > 0")
    h, dd = loop.length_m, 2.0 * loop.buried_depth_m
    d, n_pairs = _pair_distances(loop)
    s_low = 1.0 / np.sqrt(4.0 * loop.diffusivity_m2_per_s * t * SECONDS_PER_HOUR)
    s_top = max(float(s_low.max()), _TAIL / float(d.min()))
    ends = np.unique(np.concatenate([s_low, [s_top]]))
    # Split every interval so that no panel spans a ratio above _PANEL_RATIO in s.
    fill = [
        np.geomspace(a, b, int(np.ceil(np.log(b / a) / np.log(_PANEL_RATIO))) + 1)
        for a, b in zip(ends[:-1], ends[1:], strict=True)
    ]
    edges = np.unique(np.concatenate(fill)) if fill else ends
    x, wq = np.polynomial.legendre.leggauss(_GL_NODES)
    lo, hi = np.log(edges[:-1]), np.log(edges[1:])
    u = (lo[:, None] + hi[:, None]) / 2 + (hi - lo)[:, None] / 2 * x[None, :]  # (P, G) nodes in ln s
    s = np.exp(u)
    y = 2 * _erfint(h * s) + 2 * _erfint((dd + h) * s) - _erfint(dd * s) - _erfint((dd + 2 * h) * s)
    # ds = s du; integrand exp(-d^2 s^2) / s^2 * Y, summed over pairs with their counts.
    pair = (np.exp(-(d[:, None, None] ** 2) * s[None] ** 2) * n_pairs[:, None, None]).sum(axis=0)
    panel = (pair * y / s * wq[None, :]).sum(axis=1) * (hi - lo) / 2  # (P,)
    from_top = np.concatenate([np.cumsum(panel[::-1])[::-1], [0.0]])  # integral from each edge to s_top
    at = np.searchsorted(edges, s_low)
    g = from_top[at] / (2.0 * h) / loop.count
    return g.reshape(np.shape(t_h)) if np.ndim(t_h) else g


def fls_valid_from_h(loop: GroundLoop) -> float:
    """Time from which the FLS describes the field, ``5 r_b^2 / alpha`` (Eskilson [3]_) [h]: before it the
    borehole's own heat capacity, which the line source leaves out, governs.

    Parameters
    ----------
    loop : GroundLoop
        The field: borehole radius [m], diffusivity [m2/s].

    Returns
    -------
    float
        [h].
    """
    return 5.0 * loop.radius_m**2 / loop.diffusivity_m2_per_s / SECONDS_PER_HOUR


def ground_k_per_kw(loop: GroundLoop) -> float:
    """Wall temperature drop per kW of the field's extraction per unit of g [K/kW]: ``1000 / (2 pi k L)``
    with ``L`` the field's total length [m].

    Parameters
    ----------
    loop : GroundLoop
        The field: conductivity [W/(m K)], count and length [m].

    Returns
    -------
    float
        [K/kW].
    """
    return 1000.0 / (2.0 * np.pi * loop.conductivity_w_per_m_k * loop.total_length_m)


def resistance_k_per_kw(loop: GroundLoop) -> float:
    """Fluid-to-wall temperature difference per kW of the field's extraction [K/kW]: ``1000 R_b / L``.

    Parameters
    ----------
    loop : GroundLoop
        The field: borehole resistance [m K/W], count and length [m].

    Returns
    -------
    float
        [K/kW].
    """
    return 1000.0 * loop.borehole_resistance_m_k_per_w / loop.total_length_m


@lru_cache(maxsize=64)
def ground_modes(loop: GroundLoop, step_h: float = 1.0, horizon_h: float = 2 * HOURS_PER_YEAR) -> np.ndarray:
    """The g-function as first-order modes for a step of ``step_h`` hours: gain and decay per step.

    ``g(t) ~ sum_m a_m (1 - exp(-t / tau_m))``: time constants six per decade from a third of a step to ten
    times ``horizon_h``, amplitudes ``a_m >= 0`` by non-negative least squares on the relative error at times
    spread evenly in ``ln t`` from :func:`fls_valid_from_h` (or one step, the later) to ``horizon_h``. A sum of
    positive modes rises and is concave, as the g-function is from there on (before it the FLS, S-shaped in t,
    is not the physics either); amplitudes of either sign would fit the first hours too, but as large terms of
    opposite sign (1e5 for a field of six) that the hour loop would cancel in round-off.

    Parameters
    ----------
    loop : GroundLoop
        The field.
    step_h : float
        Length of a time step [h].
    horizon_h : float
        Longest time the fit must hold [h]: two years by default (a run is one year).

    Returns
    -------
    ndarray, shape (M, 2)
        Per mode: the wall temperature drop its state reaches per kW of extraction held [K/kW] (``a_m`` times
        :func:`ground_k_per_kw`, 0 for most), and the fraction of its state kept over one step,
        ``exp(-step_h / tau_m)``; M depends on ``step_h`` and ``horizon_h`` only.
    """
    tau = np.geomspace(step_h / 3.0, 10.0 * horizon_h, int(6 * np.log10(30.0 * horizon_h / step_h)) + 1)
    t = np.geomspace(max(step_h, fls_valid_from_h(loop)), horizon_h, 400)
    g = g_function(loop, t)
    basis = 1.0 - np.exp(-t[:, None] / tau[None, :])
    a, _ = nnls(basis / g[:, None], np.ones_like(t))
    # Every time constant is kept, most with gain 0: one number of modes per step length, whatever the field,
    # so the fields of a sweep stack into one array.
    return np.column_stack([a * ground_k_per_kw(loop), np.exp(-step_h / tau)])


def loop_fluid_t_c(loop: GroundLoop, q_kw_th: ArrayLike, step_h: float = 1.0) -> np.ndarray:
    """Fluid temperature of each step from the extraction of the steps before it (the modes) [C].

    ``T_f[t] = T_ground - sum_m x_m[t] - R q[t-1]``, ``x_m[t+1] = x_m[t] c_m + a_m (1 - c_m) q[t]``, with ``a_m``
    and ``c_m`` from :func:`ground_modes` and ``R`` from :func:`resistance_k_per_kw`; ``q[-1] = 0`` and the
    ground undisturbed at the start. The dispatch kernel runs this recursion inside its hour loop.

    Parameters
    ----------
    loop : GroundLoop
        The field.
    q_kw_th : array, shape (T,)
        Heat taken from the ground each step [kW_th] (negative: heat put in).
    step_h : float
        Length of a step [h].

    Returns
    -------
    ndarray, shape (T,)
        Mean fluid temperature of each step [C].
    """
    q = np.asarray(q_kw_th, dtype=float)
    modes = ground_modes(loop, step_h)
    gain, keep = modes[:, 0], modes[:, 1]
    r = resistance_k_per_kw(loop)
    x = np.zeros(len(gain))
    out = np.empty_like(q)
    q_prev = 0.0
    for i, q_i in enumerate(q):
        out[i] = loop.t_ground_c - x.sum() - r * q_prev
        x = x * keep + gain * (1.0 - keep) * q_i
        q_prev = q_i
    return out


def fluid_t_c_by_convolution(loop: GroundLoop, q_kw_th: ArrayLike, step_h: float = 1.0) -> np.ndarray:
    """:func:`loop_fluid_t_c` with the FLS g-function itself instead of its modes: the superposition of the
    extraction's steps, ``T_wall[t] = T_ground - K sum_{i < t} (q[i] - q[i-1]) g((t - i) step_h)`` [C].

    The reference the modes are tested against (quadratic in T: for tests and validation).

    Parameters
    ----------
    loop : GroundLoop
        The field.
    q_kw_th : array, shape (T,)
        Heat taken from the ground each step [kW_th].
    step_h : float
        Length of a step [h].

    Returns
    -------
    ndarray, shape (T,)
        Mean fluid temperature of each step [C].
    """
    q = np.asarray(q_kw_th, dtype=float)
    n = len(q)
    g = np.concatenate([[0.0], g_function(loop, step_h * np.arange(1, n + 1))])
    dq = np.diff(np.concatenate([[0.0], q]))
    wall = np.array([dq[:i] @ g[i:0:-1] for i in range(n)])
    q_prev = np.concatenate([[0.0], q[:-1]])
    return loop.t_ground_c - ground_k_per_kw(loop) * wall - resistance_k_per_kw(loop) * q_prev
