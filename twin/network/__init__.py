"""The park's medium-voltage network: built in pandapower, checked for every hour of the year.

* :mod:`lingtan.twin.network.model`: the scenario's ``network:`` section (pydantic) and the result
  records, with the default limits (GB/T 12325-2008 clause 4.2);
* :mod:`lingtan.twin.network.build`: the pandapower network from the section, or from a user's
  pandapower JSON, with one load element per tenant or asset;
* :mod:`lingtan.twin.network.solve`: the annual power flow, all hours in batch on pandapower's
  admittance matrix (Z-bus, then Newton-Raphson), and the voltages, loadings, grid exchange
  and losses of every hour;
* :mod:`lingtan.twin.network.findings`: summary tables, worst hours, findings in words and the
  substation's import and export limits;
* :mod:`lingtan.twin.network.example`: the example park (data in ``scenarios/data/``) for tests and
  benchmarks.
"""

from lingtan.twin.core.schema.network import (
    Connection,
    Feeder,
    LineType,
    Network,
    NetworkLimits,
    Section,
    Substation,
    SubstationTransformer,
    TenantTransformer,
)
from lingtan.twin.network.build import build_net, connection_points
from lingtan.twin.network.example import example_park_network, example_profiles
from lingtan.twin.network.findings import apply_substation_limits
from lingtan.twin.network.model import CONNECTION_TYPE, REVERSE_FLOW_THRESHOLD_MW, NetworkResult, SubstationLimitResult
from lingtan.twin.network.solve import annual_power_flow, runpp_hour

__all__ = [
    "CONNECTION_TYPE",
    "REVERSE_FLOW_THRESHOLD_MW",
    "Connection",
    "Feeder",
    "LineType",
    "Network",
    "NetworkLimits",
    "NetworkResult",
    "Section",
    "Substation",
    "SubstationLimitResult",
    "SubstationTransformer",
    "TenantTransformer",
    "annual_power_flow",
    "apply_substation_limits",
    "build_net",
    "connection_points",
    "example_park_network",
    "example_profiles",
    "runpp_hour",
]
