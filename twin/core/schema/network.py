"""Scenario section ``network:`` of a park: substation, feeders, connections and limits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NetworkLimits(_Strict):
    """Operating limits checked every hour.

    Defaults: GB/T 12325-2008 clause 4.2, three-phase supply of 20 kV and below: voltage
    deviation within +/-7 % of the nominal voltage; lines and transformers at most 100 %
    of their rating.
    """

    v_min_pu: float = Field(default=0.93, gt=0, lt=1.5, description="lowest allowed bus voltage [pu of nominal]")
    v_max_pu: float = Field(default=1.07, gt=0, lt=1.5, description="highest allowed bus voltage [pu of nominal]")
    loading_max_percent: float = Field(default=100.0, gt=0, description="highest allowed line/transformer loading [%]")

    @model_validator(mode="after")
    def _ordered(self) -> NetworkLimits:
        if self.v_min_pu >= self.v_max_pu:
            raise ValueError(f"v_min_pu < v_max_pu, got {self.v_min_pu} and {self.v_max_pu}")
        return self


class SubstationTransformer(_Strict):
    """A 110/10 kV substation transformer: a pandapower std type or its nameplate."""

    name: str
    std_type: str | None = Field(default=None, description="pandapower std type, e.g. '40 MVA 110/10 kV'")
    sn_mva: float | None = Field(default=None, gt=0, description="rated power [MVA]")
    vn_hv_kv: float | None = Field(default=None, gt=0, description="rated HV voltage [kV]; default: substation hv_kv")
    vn_lv_kv: float | None = Field(
        default=None, gt=0, description="rated LV voltage [kV]; default 1.05 x mv_kv (10.5 kV for 10 kV)"
    )
    vk_percent: float | None = Field(default=None, gt=0, description="short-circuit voltage [%]")
    vkr_percent: float | None = Field(default=None, ge=0, description="real part of vk, = load losses / sn [%]")
    pfe_kw: float = Field(default=0.0, ge=0, description="no-load losses [kW]")
    i0_percent: float = Field(default=0.0, ge=0, description="no-load current [%]")

    @model_validator(mode="after")
    def _type_or_nameplate(self) -> SubstationTransformer:
        nameplate = {"sn_mva": self.sn_mva, "vk_percent": self.vk_percent, "vkr_percent": self.vkr_percent}
        if self.std_type is not None:
            given = [k for k, v in nameplate.items() if v is not None]
            if given:
                raise ValueError(f"'std_type' or a nameplate ({', '.join(nameplate)}), not both; got {given}")
        else:
            missing = [k for k, v in nameplate.items() if v is None]
            if missing:
                raise ValueError(f"'std_type' or all of {', '.join(nameplate)}; missing {missing}")
        return self


class TenantTransformer(_Strict):
    """A tenant's (or asset's) own transformer, 10/0.4 kV by default.

    Defaults are typical of a GB/T 10228 SCB-type dry transformer of 1-2.5 MVA (vk 6 %,
    load losses about 0.8 % of rating). ``vn_hv_kv`` defaults to 10.5 kV, i.e. the +5 % tap
    of a 10 +/-2 x 2.5 % / 0.4 kV unit, the usual setting behind a 10.5 kV substation
    secondary; set it to 10 for the neutral tap.
    """

    std_type: str | None = Field(default=None, description="pandapower std type, e.g. '0.63 MVA 10/0.4 kV'")
    sn_mva: float | None = Field(default=None, gt=0, description="rated power [MVA]")
    vn_hv_kv: float | None = Field(default=None, gt=0, description="rated HV voltage (tap) [kV]; default 1.05 x mv_kv")
    vn_lv_kv: float = Field(default=0.4, gt=0, description="rated LV voltage [kV]")
    lv_nominal_kv: float = Field(default=0.38, gt=0, description="nominal voltage of the LV bus [kV]")
    vk_percent: float = Field(default=6.0, gt=0, description="short-circuit voltage [%]")
    vkr_percent: float = Field(default=0.8, ge=0, description="real part of vk [%]")
    pfe_kw: float = Field(default=0.0, ge=0, description="no-load losses [kW]")
    i0_percent: float = Field(default=0.0, ge=0, description="no-load current [%]")
    count: int = Field(default=1, ge=1, description="identical units in parallel")

    @model_validator(mode="after")
    def _type_or_rating(self) -> TenantTransformer:
        if (self.std_type is None) == (self.sn_mva is None):
            raise ValueError("give exactly one of 'std_type' or 'sn_mva'")
        return self


class Substation(_Strict):
    """The grid connection (110 kV, the slack) and the 110/10 kV substation."""

    name: str = "substation"
    hv_kv: float = Field(default=110.0, gt=0, description="nominal voltage of the grid connection [kV]")
    mv_kv: float = Field(default=10.0, gt=0, description="nominal voltage of the MV busbar and feeders [kV]")
    grid_vm_pu: float = Field(default=1.0, gt=0.5, lt=1.5, description="grid voltage at the connection [pu]")
    mv_bus: str = Field(default="10kV busbar", description="name of the MV busbar, where feeders start")
    transformers: list[SubstationTransformer] = Field(min_length=1)


class LineType(_Strict):
    """A cable or overhead-line type not among pandapower's std types (per conductor system)."""

    r_ohm_per_km: float = Field(gt=0)
    x_ohm_per_km: float = Field(ge=0)
    c_nf_per_km: float = Field(default=0.0, ge=0)
    max_i_ka: float = Field(gt=0, description="rated (ampacity) current [kA]")


class Section(_Strict):
    """One cable section of a feeder, from a bus (default: the previous section's end) to a new bus."""

    to: str = Field(description="name of the bus at the end of this section (created)")
    length_km: float = Field(gt=0)
    from_bus: str | None = Field(
        default=None, alias="from", description="start bus; default the previous section's 'to' (or the MV busbar)"
    )
    line_std_type: str | None = Field(default=None, description="overrides the feeder's line type")
    parallel: int = Field(default=1, ge=1, description="cables in parallel")


class Feeder(_Strict):
    """A 10 kV feeder: a radial chain of sections from the MV busbar (branches via 'from')."""

    name: str
    line_std_type: str = Field(
        description="pandapower std type or a key of 'line_types', e.g. 'NA2XS2Y 1x240 RM/25 12/20 kV'"
    )
    sections: list[Section] = Field(min_length=1)


class Connection(_Strict):
    """Where a tenant's or asset's net demand enters the network."""

    bus: str | int = Field(description="bus name (or index, for a pandapower JSON network)")
    transformer: TenantTransformer | None = Field(
        default=None, description="own transformer; none = connected at the bus"
    )


class Network(_Strict):
    """A park's medium-voltage network: built from its parts, or loaded from pandapower JSON."""

    substation: Substation | None = None
    line_types: dict[str, LineType] = Field(default={}, description="cable types by name, beside pandapower's")
    feeders: list[Feeder] = []
    pandapower_json: str | None = Field(default=None, description="a pandapower network file, relative to the scenario")
    connections: dict[str, Connection] = Field(min_length=1, description="tenant or asset name -> connection point")
    limits: NetworkLimits = NetworkLimits()

    @model_validator(mode="after")
    def _one_source(self) -> Network:
        if self.pandapower_json is None:
            if self.substation is None or not self.feeders:
                raise ValueError("either 'pandapower_json' or a 'substation' and 'feeders'")
        elif self.substation is not None or self.feeders or self.line_types:
            raise ValueError(
                "'pandapower_json' replaces 'substation', 'feeders' and 'line_types'; give one or the other"
            )
        return self
