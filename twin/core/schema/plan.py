"""Scenario section ``plan:``: a base year and yearly stages."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from lingtan.components.battery import Battery
from lingtan.components.heat import Fuel
from lingtan.components.pv import PVArray
from lingtan.components.wind import WindFarm
from lingtan.twin.core.schema.accounting import GreenPower, Offsets
from lingtan.twin.core.schema.criteria import Declared


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FuelSwitch(_Strict):
    """A boiler's new fuel in a stage (the boiler keeps its name, temperature and, unless given, capacity)."""

    fuel: Fuel
    efficiency: float = Field(gt=0, le=1, description="heat out / fuel energy in at NCV [-]")
    electricity: Literal["any", "renewable_surplus"] | None = Field(
        default=None, description="electric boilers: run on any electricity or on renewable surplus only"
    )
    capacity_q_kw_th: float | None = Field(default=None, ge=0, description="new heat output limit [kW_th]")


class Stage(_Strict):
    """What changes in one year of a plan; every change is optional and cumulative."""

    year: int = Field(ge=1990, le=2100, description="calendar year the changes take effect")
    note: str = Field(default="", description="what the stage is, for reports")
    add_pv: list[PVArray] | None = Field(default=None, description="PV arrays added (pv[] schema)")
    pv_capacity_kwp: dict[str, float] | None = Field(
        default=None, description="named PV arrays resized: name -> new DC capacity [kWp]"
    )
    add_wind: list[WindFarm] | None = Field(default=None, description="wind farms added (wind[] schema)")
    battery: list[Battery] | None = Field(
        default=None, max_length=1, description="battery list replaced ([] removes it)"
    )
    load_growth_fraction: float | None = Field(
        default=None, gt=-1, description="growth of every electric load this year, on top of earlier stages [-]"
    )
    fuel_switch: dict[str, FuelSwitch] | None = Field(
        default=None, description="boiler name -> new fuel and efficiency"
    )
    green_power: GreenPower | None = Field(default=None, description="green_power section replaced")
    offsets: Offsets | None = Field(default=None, description="offsets section replaced")
    declared: Declared | None = Field(default=None, description="facts merged into declared")

    @field_validator("pv_capacity_kwp")
    @classmethod
    def _positive(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value:
            bad = {k: v for k, v in value.items() if not (isinstance(v, (int, float)) and v > 0)}
            if bad:
                raise ValueError(f"capacities greater than 0 kWp, got {bad}")
        return value


class Plan(_Strict):
    """A base year and yearly stages (strictly increasing years after the base year)."""

    base_year: int = Field(ge=1990, le=2100, description="first simulated year: the scenario as written")
    end_year: int | None = Field(
        default=None, le=2100, description="last simulated year; default the last stage's year"
    )
    stages: list[Stage] = Field(default=[], description="yearly changes, years strictly increasing")
    age_pv: bool = Field(default=True, description="PV arrays age one year per simulated year")
    intensity: Literal["auto", "carbon_per_energy", "carbon_per_output", "energy_per_output"] = Field(
        default="auto",
        description="intensity of the decline criterion: carbon per tce (unit_energy_carbon_t_per_tce), "
        "carbon or energy per 10 000 CNY of declared output_value_cny; auto = carbon per output "
        "when every year declares output_value_cny, else carbon per energy",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Plan:
        prev = self.base_year
        for i, st in enumerate(self.stages):
            if st.year <= prev:
                what = "the base year" if i == 0 else f"stages[{i - 1}].year"
                raise ValueError(
                    f"stages[{i}].year = {st.year} must come after {what} ({prev}): "
                    "stage years strictly increase after base_year"
                )
            prev = st.year
        if self.end_year is not None and self.end_year < prev:
            raise ValueError(f"end_year = {self.end_year} is before the last stage or base year ({prev})")
        return self

    @property
    def last_year(self) -> int:
        """The last simulated year.

        Returns
        -------
        int
            ``end_year``, else the last stage's year, else the base year.
        """
        if self.end_year is not None:
            return self.end_year
        return self.stages[-1].year if self.stages else self.base_year
