"""Space heating and cooling of factory halls and offices from the outdoor temperature.

Method: the variable-base degree-hour method (ASHRAE Handbook - Fundamentals, ch.
"Energy Estimating and Modeling Methods", degree-day methods). The building is one
overall heat-loss coefficient ``UA`` [kW/K] (transmission + ventilation); internal gains
``q_gain`` (machines, people, lighting) carry it down to the balance point

    ``t_balance = t_setpoint - q_gain / UA``

below which it needs heat and above which (for cooling, with the cooling setpoint) it
needs cooling. Hour by hour:

    ``q_heat = UA * max(t_balance_heating - temp_air, 0)``
    ``q_cool = UA * max(temp_air - t_balance_cooling, 0)``

so the year's heat is ``UA`` times the degree-hours below the balance point. Solar gains,
thermal mass and humidity (latent cooling) are not modelled; use a metered or a simulated
profile (ISO 52016-1 hourly method, EnergyPlus) where they matter.

Defaults: setpoints 18 C heating and 26 C cooling, the bases of the heating and cooling
degree days HDD18 / CDD26 that Chinese building thermal zoning uses (GB 50176-2016, and the
indoor design temperatures 18 C winter / 26 C summer of the residential energy-efficiency
design standards) — secondary; set your own for a production hall.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.limits import (
    MAX_AREA_M2,
    MAX_COP,
    MAX_POWER_KW,
    MAX_SPECIFIC_HEAT_LOSS_W_PER_M2_K,
    MAX_TEMPERATURE_C,
    MAX_UA_KW_PER_K,
    MIN_TEMPERATURE_C,
)


class SpaceConditioning(BaseModel):
    """Space heating and cooling of one building or hall.

    Give the heat-loss coefficient either as ``ua_kw_per_k`` or as ``heated_area_m2``
    times ``specific_heat_loss_w_per_m2_k``. Attributes are the YAML keys of ``space[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    ua_kw_per_k: float | None = Field(
        default=None,
        gt=0,
        le=MAX_UA_KW_PER_K,
        description="overall heat-loss coefficient [kW/K]; upper bound lingtan.limits.MAX_UA_KW_PER_K",
    )
    heated_area_m2: float | None = Field(
        default=None,
        gt=0,
        le=MAX_AREA_M2,
        description="conditioned floor area [m2]; upper bound lingtan.limits.MAX_AREA_M2",
    )
    specific_heat_loss_w_per_m2_k: float | None = Field(
        default=None,
        gt=0,
        le=MAX_SPECIFIC_HEAT_LOSS_W_PER_M2_K,
        description="heat-loss coefficient per floor area, transmission + ventilation [W/(m2 K)]; "
        "upper bound lingtan.limits.MAX_SPECIFIC_HEAT_LOSS_W_PER_M2_K",
    )
    setpoint_heating_c: float = Field(
        default=18.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="indoor temperature kept in winter [C]; bounds lingtan.limits.MIN_TEMPERATURE_C .. "
        "MAX_TEMPERATURE_C",
    )
    setpoint_cooling_c: float = Field(
        default=26.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="indoor temperature kept in summer [C]; bounds lingtan.limits.MIN_TEMPERATURE_C .. "
        "MAX_TEMPERATURE_C",
    )
    internal_gains_kw: float = Field(
        default=0.0,
        ge=0,
        le=MAX_POWER_KW,
        description="mean internal heat gains [kW]; upper bound lingtan.limits.MAX_POWER_KW",
    )
    balance_point_heating_c: float | None = Field(
        default=None,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="outdoor temperature below which heat is needed [C]; "
        "default setpoint_heating_c - internal_gains_kw / UA; bounds lingtan.limits.MIN_TEMPERATURE_C .. "
        "MAX_TEMPERATURE_C",
    )
    balance_point_cooling_c: float | None = Field(
        default=None,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="outdoor temperature above which cooling is needed [C]; "
        "default setpoint_cooling_c - internal_gains_kw / UA; bounds lingtan.limits.MIN_TEMPERATURE_C .. "
        "MAX_TEMPERATURE_C",
    )
    heating: bool = Field(default=True, description="the building is heated")
    cooling: bool = Field(default=True, description="the building is cooled")
    t_c: float = Field(
        default=60.0,
        ge=MIN_TEMPERATURE_C,
        le=MAX_TEMPERATURE_C,
        description="supply temperature of the heating water [C] (assumed: air handlers and fan "
        "coils, 60/45 C); bounds lingtan.limits.MIN_TEMPERATURE_C .. MAX_TEMPERATURE_C",
    )
    cooling_cop: float | None = Field(
        default=None,
        gt=0,
        le=MAX_COP,
        description="electric chiller COP, cooling out / electricity in [-]; none: cooling "
        "is reported as heat only; upper bound lingtan.limits.MAX_COP",
    )

    @model_validator(mode="after")
    def _consistent(self) -> SpaceConditioning:
        by_area = self.heated_area_m2 is not None or self.specific_heat_loss_w_per_m2_k is not None
        if self.ua_kw_per_k is not None and by_area:
            raise ValueError("give ua_kw_per_k, or heated_area_m2 with specific_heat_loss_w_per_m2_k, not both")
        if self.ua_kw_per_k is None and (self.heated_area_m2 is None or self.specific_heat_loss_w_per_m2_k is None):
            raise ValueError("give ua_kw_per_k, or both heated_area_m2 and specific_heat_loss_w_per_m2_k")
        if self.heating and self.cooling and self.balance_heating_c > self.balance_cooling_c:
            raise ValueError(
                f"heating balance point ({self.balance_heating_c} C) above the cooling balance point "
                f"({self.balance_cooling_c} C)"
            )
        return self

    @property
    def ua(self) -> float:
        """Overall heat-loss coefficient.

        Returns
        -------
        float
            ``ua_kw_per_k``, else ``heated_area_m2 * specific_heat_loss_w_per_m2_k / 1000`` [kW/K].
        """
        if self.ua_kw_per_k is not None:
            return self.ua_kw_per_k
        # _consistent: without ua_kw_per_k, both the area and the specific loss are given
        assert self.heated_area_m2 is not None and self.specific_heat_loss_w_per_m2_k is not None
        return self.heated_area_m2 * self.specific_heat_loss_w_per_m2_k / 1000.0

    @property
    def balance_heating_c(self) -> float:
        """Heating balance point.

        Returns
        -------
        float
            ``balance_point_heating_c``, else ``setpoint_heating_c - internal_gains_kw / ua`` [C].
        """
        if self.balance_point_heating_c is not None:
            return self.balance_point_heating_c
        return self.setpoint_heating_c - self.internal_gains_kw / self.ua

    @property
    def balance_cooling_c(self) -> float:
        """Cooling balance point.

        Returns
        -------
        float
            ``balance_point_cooling_c``, else ``setpoint_cooling_c - internal_gains_kw / ua`` [C].
        """
        if self.balance_point_cooling_c is not None:
            return self.balance_point_cooling_c
        return self.setpoint_cooling_c - self.internal_gains_kw / self.ua


def _mask(values: np.ndarray, occupied: ArrayLike | None) -> np.ndarray:
    if occupied is None:
        return values
    return np.where(np.asarray(occupied, dtype=bool), values, 0.0)


def space_heat_q_kw_th(temp_air: ArrayLike, params: SpaceConditioning, occupied: ArrayLike | None = None) -> np.ndarray:
    """Space heating demand from the outdoor temperature [kW_th].

    ``q = UA * max(t_balance_heating - temp_air, 0)``: zero at and above the balance
    point, linear in the degree-hours below it.

    Parameters
    ----------
    temp_air : float or array
        Outdoor air temperature, hourly mean [C].
    params : SpaceConditioning
        The building: ``ua`` [kW/K], the heating balance point [C], whether it is heated.
    occupied : array of bool, optional
        Hours the building is conditioned; zero demand elsewhere (no setback recovery).

    Returns
    -------
    ndarray
        Heat to deliver at ``params.t_c`` [kW_th]; zeros when the building is not heated.
    """
    t = np.asarray(temp_air, dtype=float)
    if not params.heating:
        return np.zeros(t.shape)
    return _mask(params.ua * np.maximum(params.balance_heating_c - t, 0.0), occupied)


def space_cooling_q_kw_th(
    temp_air: ArrayLike, params: SpaceConditioning, occupied: ArrayLike | None = None
) -> np.ndarray:
    """Space cooling demand (sensible heat to remove) from the outdoor temperature.

    ``q = UA * max(temp_air - t_balance_cooling, 0)``.

    Parameters
    ----------
    temp_air : float or array
        Outdoor air temperature, hourly mean [C].
    params : SpaceConditioning
        The building: ``ua`` [kW/K], the cooling balance point [C], whether it is cooled.
    occupied : array of bool, optional
        Hours the building is conditioned; zero demand elsewhere.

    Returns
    -------
    ndarray
        Heat to remove [kW_th]; zeros when the building is not cooled.
    """
    t = np.asarray(temp_air, dtype=float)
    if not params.cooling:
        return np.zeros(t.shape)
    return _mask(params.ua * np.maximum(t - params.balance_cooling_c, 0.0), occupied)


def space_cooling_p_kw(q_cool_kw_th: ArrayLike, params: SpaceConditioning) -> np.ndarray:
    """Electricity of electric chillers for a cooling demand, ``q / cooling_cop``.

    Parameters
    ----------
    q_cool_kw_th : float or array
        Cooling delivered [kW_th].
    params : SpaceConditioning
        The building; its ``cooling_cop`` [-].

    Returns
    -------
    ndarray
        Chiller electricity [kW].

    Raises
    ------
    ValueError
        When ``cooling_cop`` is not set.
    """
    if params.cooling_cop is None:
        raise ValueError(f"space {params.name}: cooling_cop is not set")
    return np.asarray(q_cool_kw_th, dtype=float) / params.cooling_cop


def degree_hours(temp_air: ArrayLike, base_c: float, kind: str = "heating") -> float:
    """Degree-hours of a temperature series against a base.

    ``heating``: sum of ``max(base - T, 0)``; ``cooling``: sum of ``max(T - base, 0)``,
    over hourly means. Divide by 24 for degree days.

    Parameters
    ----------
    temp_air : array
        Hourly mean air temperature [C].
    base_c : float
        Base temperature [C].
    kind : {"heating", "cooling"}
        Which side of the base counts.

    Returns
    -------
    float
        Degree-hours [K h].

    Raises
    ------
    ValueError
        For another ``kind``.
    """
    t = np.asarray(temp_air, dtype=float)
    if kind == "heating":
        return float(np.sum(np.maximum(base_c - t, 0.0)))
    if kind == "cooling":
        return float(np.sum(np.maximum(t - base_c, 0.0)))
    raise ValueError("kind must be 'heating' or 'cooling'")
