"""Small hand-worked design problems for the tests of the LP (lingtan.twin.studies.lp): a site with no
renewables and one free, lossless battery, each test file choosing its hours, load, prices and charges."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lingtan.twin.studies.lp.problem import DesignProblem, SizeCost, StorageParams

FREE = SizeCost("-", 0.0, 0.0, "test")
"""A size that costs nothing [CNY]."""


def battery_case(name: str, t: int, **over) -> DesignProblem:
    """``t`` hours in one month, no renewables, a 100 kWh / 100 kW lossless battery empty at the start, no load,
    import at 1 CNY/kWh in period 1, no export and no basic charge; ``over`` replaces any field."""
    p = DesignProblem(
        name=name,
        step_h=1.0,
        month=np.zeros(t, np.int64),
        period=np.ones(t, np.int64),
        load_kw=np.zeros(t),
        sources=(),
        unit_kw=np.zeros((0, t)),
        existing_size=np.zeros(0),
        max_size=np.zeros(0),
        size_cost=(),
        import_price_cny_per_kwh=np.ones(t),
        export_price_cny_per_kwh=np.zeros(t),
        import_limit_kw=1000.0,
        export_limit_kw=0.0,
        basic_charge_basis="none",
        demand_price_cny_per_kw_month=0.0,
        contracted_demand_kw=None,
        overrun_threshold_fraction=1.05,
        overrun_price_factor=2.0,
        contracted_demand_overrun="band",
        fixed_basic_charge_cny_per_month=0.0,
        battery=StorageParams(1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 100.0, 100.0, 100.0),
        battery_energy_cost=FREE,
        battery_power_cost=FREE,
        battery_variable_om_cny_per_kwh=0.0,
        variable_om_cny_per_kwh=np.zeros(0),
        green_power_e_kwh=0.0,
        green_power_cost=FREE,
    )
    return replace(p, **over)
