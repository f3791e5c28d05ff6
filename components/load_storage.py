"""Stores that let an electric load work ahead: cold stores and compressed-air receivers.

A chiller or a compressor makes something the site uses later: cooling, compressed air. A store of that product
lets the machine run in the hours electricity is free (renewable surplus) or cheap (the valley), and rest in the
dear hours while the store serves its load. Both are the same store in the kernel, held in units of the product:

* **Cold stores** (``cold_stores[]``) hold cooling [kWh_th]: a chilled-water or ice tank beside a space's electric
  chillers or a refrigerated production line, or the goods of a cold room held a few kelvin below their setpoint
  (``medium: setpoint_band``; 冷链库温度带). Making a kWh_th costs ``1 / charge_cop`` kWh of electricity; serving
  one saves the load ``1 / serve_cop``.
* **Air receivers** (``air_receivers[]``) hold free air [m3] between the receiver's highest and lowest pressure;
  the compressors make a m3 for ``specific_power_kwh_per_m3`` when they charge the receiver and when they serve
  the load, unless a higher charging pressure costs more (``charge_specific_power_kwh_per_m3``).

Cooling and air are products the loads' electricity already stands for: a store moves that electricity in time,
the product's balance (made = used + stored + lost) closes in the heat record, and no new demand is invented.

References
----------
.. [1] US DOE / ORNL, MEASUR Tools Suite v1.0.11, *receiver tank usable capacity*:
   ``V_usable = V_tank * (P_in - P_out) / P_atm`` (free air between the charging and the cut-out pressure).
.. [2] K. Homan, C. Sohn, S. Soo, "Thermal performance of stratified chilled water storage tanks", HVAC&R Research
   2 (1996): heat through the walls of an insulated tank is "less than a couple percent of the tank capacity";
   mixing at the thermocline loses more, so the tank's loss is the data sheet's or the measured one.
.. [3] ASHRAE Handbook, HVAC Applications, ch. 51 *Thermal storage*: ice-making chillers run at lower evaporating
   temperatures and so at a lower COP than chilled-water ones (a charging COP of its own).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lingtan.errors import FieldPathError
from lingtan.limits import MAX_POWER_KW

P_ATM_BAR = 1.01325  # standard atmosphere [bar], the reference of free air (ISO 1217)
_MAX_KWH = 1e9  # a store of a TWh is a typo


class ColdStore(BaseModel):
    """A store of cooling beside the chillers of a space or a refrigerated production line.

    Attributes are the YAML keys of ``cold_stores[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    serves: str = Field(
        description="the space (whose electric chillers it relieves) or the production line (a cold room whose "
        "electricity is its refrigeration) it cools"
    )
    medium: Literal["chilled_water", "ice", "setpoint_band"] = Field(
        description="chilled_water or ice: a tank of capacity_kwh_th; setpoint_band: the goods of a cold room held "
        "below their setpoint by up to band_k"
    )
    capacity_kwh_th: float | None = Field(
        default=None, ge=0, le=_MAX_KWH, description="cooling the tank holds [kWh_th] (chilled_water, ice)"
    )
    loss_fraction_per_hour: float | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="share of the stored cooling a tank loses an hour [-] (its data sheet; walls alone lose less "
        "than a couple percent of capacity, Homan et al. 1996); a setpoint band's follows from ua_kw_per_k",
    )
    mass_kg: float | None = Field(default=None, gt=0, description="goods in the room [kg] (setpoint_band)")
    specific_heat_kj_per_kg_k: float | None = Field(
        default=None,
        gt=0,
        le=5,
        description="the goods' specific heat [kJ/(kg K)] (setpoint_band; frozen foods about 1.6-2.1 below "
        "freezing, ASHRAE Refrigeration Handbook ch. 19: the product's own value)",
    )
    band_k: float | None = Field(
        default=None, gt=0, le=10, description="how far below its setpoint the room may go [K] (setpoint_band)"
    )
    ua_kw_per_k: float | None = Field(
        default=None,
        ge=0,
        description="the room's heat gain per kelvin below setpoint [kW/K] (setpoint_band): the extra gain of a "
        "colder room is its standing loss",
    )
    charge_q_kw_th: float = Field(
        gt=0, le=MAX_POWER_KW, description="cooling the chillers can put into the store [kW_th]"
    )
    discharge_q_kw_th: float = Field(gt=0, le=MAX_POWER_KW, description="cooling the store can give [kW_th]")
    serve_cop: float | None = Field(
        default=None,
        gt=0,
        le=20,
        description="COP of the refrigeration the store relieves [-]: required for a production line; a space's is "
        "its cooling_cop (not given here)",
    )
    charge_cop: float | None = Field(
        default=None,
        gt=0,
        le=20,
        description="COP of the chillers while they charge [-]; serve_cop by default, required for ice (lower "
        "evaporating temperature, ASHRAE Handbook HVAC Applications ch. 51)",
    )
    grid_charge: bool = Field(
        default=False, description="also charge from the grid in valley hours (ice storage on the valley tariff)"
    )
    soc_initial: float = Field(default=0.0, ge=0, le=1, description="share of the capacity stored at the start [-]")

    @model_validator(mode="after")
    def _medium_fields(self) -> ColdStore:
        tank = ("capacity_kwh_th", "loss_fraction_per_hour")
        band = ("mass_kg", "specific_heat_kj_per_kg_k", "band_k", "ua_kw_per_k")
        need, forbid = (band, tank) if self.medium == "setpoint_band" else (tank, band)
        if self.medium == "ice" and self.charge_cop is None:
            need = (*need, "charge_cop")
        for key in need:
            if getattr(self, key) is None:
                raise FieldPathError(key, f"a value for medium {self.medium}", "none")
        for key in forbid:
            if getattr(self, key) is not None:
                raise FieldPathError(key, f"none for medium {self.medium}", repr(getattr(self, key)))
        return self

    def capacity(self) -> float:
        """Cooling the store holds.

        Returns
        -------
        float
            [kWh_th]: the tank's, or ``m c_p band / 3600`` for a setpoint band (:func:`setpoint_band_kwh_th`).
        """
        if self.medium == "setpoint_band":
            return setpoint_band_kwh_th(self.mass_kg or 0.0, self.specific_heat_kj_per_kg_k or 0.0, self.band_k or 0.0)
        return self.capacity_kwh_th or 0.0

    def kernel_sizes(self) -> tuple[float, float, float, float]:
        """The store as the kernel sizes it.

        Returns
        -------
        tuple of float
            Capacity, largest charge and discharge an hour, first content [kWh_th].
        """
        cap = self.capacity()
        return cap, self.charge_q_kw_th, self.discharge_q_kw_th, self.soc_initial * cap

    def keep_per_hour(self) -> float:
        """Share of the stored cooling kept over an hour.

        Returns
        -------
        float
            [-]: 1 - the tank's loss, or the band's :func:`band_keep_per_hour`.
        """
        if self.medium == "setpoint_band":
            return band_keep_per_hour(self.ua_kw_per_k or 0.0, self.capacity() / (self.band_k or 1.0))
        return 1.0 - (self.loss_fraction_per_hour or 0.0)


class AirReceiver(BaseModel):
    """A compressed-air receiver beside the compressors of an electric load or production line.

    Attributes are the YAML keys of ``air_receivers[i]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    serves: str = Field(description="the electric load or production line whose electricity is its compressors'")
    volume_m3: float = Field(gt=0, le=1e5, description="the receivers' water volume [m3]")
    p_max_bar: float = Field(gt=0, le=50, description="highest (charging) gauge pressure [bar(g)]")
    p_min_bar: float = Field(
        ge=0, le=50, description="lowest gauge pressure the load works at, where the receiver is empty [bar(g)]"
    )
    specific_power_kwh_per_m3: float = Field(
        gt=0,
        le=1,
        description="the compressors' electricity per m3 of free air at the working pressure [kWh/m3] (data "
        "sheet, ISO 1217; about 0.1 at 7 bar(g))",
    )
    charge_specific_power_kwh_per_m3: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="the same at p_max_bar, while charging [kWh/m3]; specific_power_kwh_per_m3 by default",
    )
    charge_m3_per_h: float = Field(gt=0, description="free air the compressors can spare for the receiver [m3/h]")
    loss_fraction_per_hour: float = Field(
        default=0.0, ge=0, lt=1, description="share of the stored air leaks lose an hour [-]"
    )
    grid_charge: bool = Field(default=False, description="also charge from the grid in valley hours")

    @model_validator(mode="after")
    def _pressures(self) -> AirReceiver:
        if self.p_min_bar >= self.p_max_bar:
            raise FieldPathError(
                "p_min_bar", f"a pressure below p_max_bar ({self.p_max_bar:g} bar)", f"{self.p_min_bar:g}"
            )
        return self

    def capacity(self) -> float:
        """Free air the receivers give between their pressures.

        Returns
        -------
        float
            [m3 of free air] (:func:`receiver_free_air_m3`).
        """
        return receiver_free_air_m3(self.volume_m3, self.p_max_bar, self.p_min_bar)

    def kernel_sizes(self) -> tuple[float, float, float, float]:
        """The receiver as the kernel sizes it; it gives what its load asks (no discharge limit of its own) and
        starts empty.

        Returns
        -------
        tuple of float
            Capacity, largest charge and discharge an hour (inf), first content (0) [m3].
        """
        return self.capacity(), self.charge_m3_per_h, float("inf"), 0.0


def setpoint_band_kwh_th(mass_kg: float, specific_heat_kj_per_kg_k: float, band_k: float) -> float:
    """Cooling stored in goods held ``band_k`` below their setpoint [kWh_th]: ``m c_p dT / 3600``.

    Parameters
    ----------
    mass_kg : float
        Goods in the room [kg].
    specific_heat_kj_per_kg_k : float
        Their specific heat [kJ/(kg K)].
    band_k : float
        How far below the setpoint they may go [K].

    Returns
    -------
    float
        [kWh_th]; 100 t of frozen goods at 1.8 kJ/(kg K) over 3 K hold 150 kWh_th.
    """
    return mass_kg * specific_heat_kj_per_kg_k * band_k / 3600.0


def band_keep_per_hour(ua_kw_per_k: float, heat_capacity_kwh_per_k: float) -> float:
    """Share of the cooling a room stores below its setpoint that is kept over an hour [-].

    A room ``x`` kelvin below its setpoint gains ``ua * x`` more heat than at the setpoint, and its goods hold
    ``C * x`` of cooling: the stored cooling decays as ``exp(-ua / C * t)``.

    Parameters
    ----------
    ua_kw_per_k : float
        The room's heat gain per kelvin [kW/K].
    heat_capacity_kwh_per_k : float
        Its goods' heat capacity [kWh/K].

    Returns
    -------
    float
        ``exp(-ua / C * 1 h)``.
    """
    return float(np.exp(-ua_kw_per_k / heat_capacity_kwh_per_k))


def receiver_free_air_m3(volume_m3: float, p_max_bar: float, p_min_bar: float, p_atm_bar: float = P_ATM_BAR) -> float:
    """Free air a receiver gives as it falls from ``p_max_bar`` to ``p_min_bar`` (isothermal) [m3].

    ``V_free = V * (p_max - p_min) / p_atm`` (MEASUR, [1]_; the gauge pressures' difference is the absolute ones').

    Parameters
    ----------
    volume_m3 : float
        Water volume of the receivers [m3].
    p_max_bar, p_min_bar : float
        Highest and lowest pressure [bar], both gauge or both absolute.
    p_atm_bar : float, optional
        Atmospheric pressure [bar]; the standard atmosphere by default.

    Returns
    -------
    float
        [m3 of free air]; 20 m3 between 9 and 6 bar(g) give 59.2 m3.
    """
    return volume_m3 * (p_max_bar - p_min_bar) / p_atm_bar
