"""A member's grid bill at its tariff level: the step an uncertainty ensemble's ``tariff_scale`` takes.

Factories (:mod:`lingtan.twin.studies.uncertainty`) and parks (:mod:`lingtan.twin.studies.park_uncertainty`) both
rescale their members' bills here, after the flows: the rule-based dispatch reads time-of-use periods, never a
price, so a tariff level moves the bill and nothing else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def scale_tariff(rows: pd.DataFrame, tariff_scale) -> pd.DataFrame:
    """The members' bills at their tariff level: energy and basic charges multiplied, feed-in revenue not.

    Parameters
    ----------
    rows : pandas.DataFrame
        Members with ``grid_bill_cny.<part>`` (and a factory's ``grid_cost_cny``) columns at the scenario's
        tariff [CNY].
    tariff_scale : float or array_like, shape (N,)
        Each member's multiplier of import prices and basic charges [-].

    Returns
    -------
    pandas.DataFrame
        A copy with the bill parts, the total and ``grid_cost_cny`` at the members' tariff levels [CNY].
    """
    out = rows.copy()
    s = np.asarray(tariff_scale, dtype=float)
    for part in ("energy_charge_cny", "basic_charge_cny"):
        out[f"grid_bill_cny.{part}"] = rows[f"grid_bill_cny.{part}"] * s
    # total = energy + basic - feed-in, as lingtan.components.grid.bill_from_totals adds them.
    total = (
        out["grid_bill_cny.energy_charge_cny"]
        + out["grid_bill_cny.basic_charge_cny"]
        - out["grid_bill_cny.feed_in_revenue_cny"]
    )
    out["grid_bill_cny.total_cny"] = total
    if "grid_cost_cny" in out:  # a factory's flat KPIs carry the total again; a park's do not
        out["grid_cost_cny"] = total
    return out


__all__ = ["scale_tariff"]
