"""The records of the park network: the scenario's ``network:`` section and the year's results.

Inputs are pydantic models, strict and frozen, as the rest of the scenario: a user's typo is a
``ScenarioError`` naming the field. Results are dataclasses of pandas tables that mirror
pandapower's ``res_*`` tables, plus the hourly arrays the solver hands to the findings.

Limits
------
Voltage limits default to +/-7 % of the nominal voltage: GB/T 12325-2008 *Power quality -
Deviation of supply voltage*, clause 4.2 ("20 kV 及以下三相供电电压偏差为标称电压的 ±7 %"),
which covers the 10 kV and the 380 V three-phase buses of a park. Loading limit 100 %
of pandapower's rating (``max_i_ka * df * parallel`` for lines, ``sn_mva`` for transformers,
loading computed from currents as ``pandapower`` does with ``trafo_loading="current"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lingtan.twin.core.schema.network import NetworkLimits

CONNECTION_TYPE = "twin_connection"
"""``net.load.type`` of the load elements that carry the tenants' and assets' net demand."""

REVERSE_FLOW_THRESHOLD_MW = 1e-6
"""Export above this counts as an hour of reverse flow at the substation [MW]."""


# --------------------------------------------------------------------------- inputs


# --------------------------------------------------------------------------- results


@dataclass
class HourlyState:
    """The solved network in every hour: rows are pandapower elements (in table order), columns hours.

    Hours that did not converge are NaN in every array but ``converged``.
    """

    vm_pu: np.ndarray
    """(bus, T) voltage magnitude [pu]; NaN at buses outside the solved network."""
    bus_solved: np.ndarray
    """(bus,) bool: the bus is part of the solved network (in service and energised)."""
    line_loading_percent: np.ndarray
    """(line, T) loading [%] of ``max_i_ka * df * parallel``, from the larger end current."""
    line_i_ka: np.ndarray
    """(line, T) the larger of the two end currents [kA]."""
    trafo_loading_percent: np.ndarray
    """(trafo, T) loading [%] of ``sn_mva * parallel * df``, pandapower's ``trafo_loading="current"``."""
    grid_s_mva: np.ndarray
    """(g, T) complex power supplied by each grid connection (slack bus) [MVA]: P + jQ, positive = import."""
    grid_ext: list[list[int]]
    """(g,) the ``net.ext_grid`` indices at each grid connection."""
    losses_mw: np.ndarray
    """(T,) active power absorbed by the network's branches and shunts [MW], >= 0."""
    converged: np.ndarray
    """(T,) bool: the hour met the power-mismatch tolerance."""


@dataclass
class NetworkResult:
    """One year of hourly power flows on a park network, summarised the pandapower way.

    Tables mirror pandapower's (index = the element index of ``net.bus``/``net.line``/
    ``net.trafo``, with its ``name``):

    * ``res_bus``: ``vm_min_pu``, ``vm_max_pu``, ``hours_below`` (< ``v_min_pu``),
      ``hours_above`` (> ``v_max_pu``).
    * ``res_line``: ``loading_max_percent``, ``hours_overloaded`` (> ``loading_max_percent``
      of the limits), ``i_max_ka``.
    * ``res_trafo``: ``loading_max_percent``, ``hours_overloaded``.
    * ``substation``: hourly ``import_mw`` and ``export_mw`` (non-negative, at the grid
      connection, i.e. through the ext_grid; with several, their sum) and ``losses_mw`` of
      the network.
    * ``res_ext_grid``: one row per grid connection (slack bus), indexed by its first
      ext_grid: ``name``, ``bus``, ``ext_grids`` (all at that bus), ``import_max_mw``,
      ``export_max_mw``, ``import_e_mwh``, ``export_e_mwh``, ``reverse_flow_hours`` and the
      range of reactive power ``q_min_mvar``..``q_max_mvar`` (pandapower's ``res_ext_grid``
      sign: positive = supplied by the grid).

    ``hourly_vm_pu`` (T x buses), ``hourly_line_loading_percent`` and
    ``hourly_trafo_loading_percent`` are there for plots, and ``hourly_grid_import_mw``,
    ``hourly_grid_export_mw``, ``hourly_grid_q_mvar`` (T x grid connections, columns as
    ``res_ext_grid.index``) for each connection. ``worst_hours`` names, for each
    quantity, the hour (timestamp) and the element; ``violations`` are plain-language
    findings, one per element and kind. Hours that did not converge are NaN and listed
    in ``violations``.
    """

    res_bus: pd.DataFrame
    res_line: pd.DataFrame
    res_trafo: pd.DataFrame
    substation: pd.DataFrame
    reverse_flow_hours: int
    worst_hours: pd.DataFrame
    violations: list[str]
    hourly_vm_pu: pd.DataFrame
    hourly_line_loading_percent: pd.DataFrame
    hourly_trafo_loading_percent: pd.DataFrame
    limits: NetworkLimits
    converged: np.ndarray
    solver: dict = field(default_factory=dict)
    res_ext_grid: pd.DataFrame | None = None
    hourly_grid_import_mw: pd.DataFrame | None = None
    hourly_grid_export_mw: pd.DataFrame | None = None
    hourly_grid_q_mvar: pd.DataFrame | None = None

    @property
    def import_mw(self) -> pd.Series:
        """Hourly import from the grid through the substation(s) [MW], >= 0."""
        return self.substation["import_mw"]

    @property
    def export_mw(self) -> pd.Series:
        """Hourly export to the grid (reverse flow) through the substation(s) [MW], >= 0."""
        return self.substation["export_mw"]


@dataclass
class SubstationLimitResult:
    """Import and export at the substation after applying the scenario's limits.

    This is an accounting step at the grid connection, not a new power flow: the network
    results stay those of the unclipped dispatch, so every violation remains reported.
    ``import_clipped_mwh`` is demand the grid connection cannot supply (it must be shed or
    met on site); ``export_clipped_mwh`` is generation that must be curtailed.
    """

    import_mw: pd.Series
    export_mw: pd.Series
    import_clipped_mwh: float
    export_clipped_mwh: float
    import_clipped_hours: int
    export_clipped_hours: int
    findings: list[str]
