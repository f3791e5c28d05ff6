"""A park scenario: tenants behind their own meters, shared assets, heat network, allocation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lingtan.components.battery import Battery
from lingtan.components.grid import GridConnection
from lingtan.components.pv import PVArray
from lingtan.components.wind import WindFarm
from lingtan.limits import MAX_EMISSIONS_T, MAX_ITEMS, MAX_POWER_KW
from lingtan.paths import SafeName
from lingtan.twin.core.schema.accounting import Accounting, GreenPower, Offsets
from lingtan.twin.core.schema.criteria import PACK_NAMES, CriteriaSettings, Declared
from lingtan.twin.core.schema.economics import Economics
from lingtan.twin.core.schema.network import Network
from lingtan.twin.core.schema.site import Site, SiteAssets, Weather, _Strict
from lingtan.twin.core.schema.uncertainty import Uncertainty


class TenantConnection(_Strict):
    """A tenant's connection to the park bus."""

    import_limit_kw: float = Field(
        default=MAX_POWER_KW,
        gt=0,
        le=MAX_POWER_KW,
        description="largest draw from the park bus [kW]; the default and upper bound "
        "lingtan.limits.MAX_POWER_KW means no limit",
    )
    export_allowed: bool = Field(default=True, description="whether its surplus may feed the park bus")
    export_limit_kw: float = Field(
        default=MAX_POWER_KW,
        ge=0,
        le=MAX_POWER_KW,
        description="largest feed into the park bus [kW]; upper bound lingtan.limits.MAX_POWER_KW",
    )


class Tenant(SiteAssets):
    """A firm in the park, written as a factory is, behind its own meter. Its combined heat and power units serve
    its own load first; their export goes onto the park bus as electricity made from fuel, not renewable
    (:mod:`lingtan.twin.studies.park`)."""

    name: SafeName = Field(
        description="the tenant's results go to tenants/<name>/: a safe folder name (lingtan.paths.safe_name)"
    )
    description: str = ""
    connection: TenantConnection = TenantConnection()
    contract_share: float | None = Field(
        default=None, ge=0, le=1, description="share of shared renewables under the contract_share rule [-]"
    )


class SharedAssets(_Strict):
    """Assets on the park bus, behind the park's meter."""

    pv: list[PVArray] = Field(default=[], max_length=MAX_ITEMS)
    wind: list[WindFarm] = Field(default=[], max_length=MAX_ITEMS)
    battery: list[Battery] = Field(default=[], max_length=1)


class HeatLink(_Strict):
    """A heat-network connection from one tenant's waste-heat stream to another tenant's heat demand."""

    name: str
    source: str = Field(description="'tenant.stream'")
    sink: str = Field(description="'tenant.demand'")
    effectiveness: float = Field(default=0.8, gt=0, le=1, description="exchanger effectiveness at each end [-]")
    min_approach_k: float = Field(default=10.0, ge=0, description="minimum approach temperature [K]")
    loss_fraction: float = Field(default=0.05, ge=0, lt=1, description="pipe heat loss, share of heat carried [-]")
    capacity_q_kw_th: float | None = Field(
        default=None, ge=0, le=MAX_POWER_KW, description="pipe limit [kW_th]; upper bound lingtan.limits.MAX_POWER_KW"
    )


class Allocation(_Strict):
    """How renewable energy on the park bus is shared among tenants."""

    rule: Literal["pro_rata", "contract_share", "priority"] = "pro_rata"
    priority: list[str] = Field(default=[], description="tenant names, first served first (rule priority)")


class Park(_Strict):
    """An industrial park: tenants, shared assets, heat network, grid connection, criteria."""

    name: str
    description: str = ""
    site: Site
    year: int = Field(ge=1990, le=2100)
    weather: Weather
    grid: GridConnection
    tenants: list[Tenant] = Field(min_length=1, max_length=MAX_ITEMS, description="at most lingtan.limits.MAX_ITEMS")
    shared: SharedAssets = SharedAssets()
    heat_network: list[HeatLink] = Field(default=[], max_length=MAX_ITEMS)
    allocation: Allocation = Allocation()
    process_emissions_t: float = Field(
        default=0.0,
        ge=0,
        le=MAX_EMISSIONS_T,
        description="declared process CO2 emissions [t/yr]; upper bound lingtan.limits.MAX_EMISSIONS_T",
    )
    accounting: Accounting = Accounting()
    green_power: GreenPower = GreenPower()
    offsets: Offsets = Offsets()
    economics: Economics = Economics()
    declared: Declared = Declared()
    criteria_settings: CriteriaSettings = CriteriaSettings()
    criteria: list[str] = []
    network: Network | None = Field(default=None, description="the park's medium-voltage network, checked every hour")
    uncertainty: Uncertainty | None = Field(
        default=None, description="load, PV age and tariff level an ensemble varies (twin.core.schema.uncertainty)"
    )
    lang: Literal["zh", "en"] = "en"
    study: Literal["grid_connected", "off_grid", "islanding"] = Field(
        default="grid_connected",
        description="what the year studies: with 'off_grid' or 'islanding' unserved load "
        "is an expected result, so twin run does not exit with code 4 for it (the warning is still printed)",
    )

    @model_validator(mode="after")
    def _connected(self) -> Park:
        if self.network is None or self.network.pandapower_json is not None and not self.network.connections:
            return self
        need = [t.name for t in self.tenants] + [
            a.name for group in (self.shared.pv, self.shared.wind, self.shared.battery) for a in group
        ]
        missing = [n for n in need if n not in self.network.connections]
        if missing:
            raise ValueError(
                f"network.connections must place every tenant and shared asset on a bus; missing: {missing}"
            )
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Park:
        names = [t.name for t in self.tenants]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"tenant names must be unique; repeated: {dup}")
        unknown = [c for c in self.criteria if c not in list(PACK_NAMES)]
        if unknown:
            raise ValueError(f"known criteria packs are {list(PACK_NAMES)}; unknown: {unknown}")
        by_name = {t.name: t for t in self.tenants}
        for link in self.heat_network:
            for end, kind in ((link.source, "waste_heat"), (link.sink, "heat_demands")):
                tenant, _, item = end.partition(".")
                if tenant not in by_name:
                    raise ValueError(f"heat_network {link.name!r}: {end!r} names no tenant (tenants: {names})")
                items = [x.name for line in by_name[tenant].processes for x in getattr(line, kind)]
                if kind == "heat_demands":
                    items += [s.name for s in by_name[tenant].space if s.heating]
                if item not in items:
                    raise ValueError(
                        f"heat_network {link.name!r}: {end!r}: tenant {tenant!r} has no "
                        f"{'waste-heat stream' if kind == 'waste_heat' else 'heat demand'} "
                        f"{item!r} (it has: {items})"
                    )
            src_tenant, _, stream = link.source.partition(".")
            if any(hp.source == stream for hp in by_name[src_tenant].heat_pumps):
                raise ValueError(
                    f"heat_network {link.name!r}: stream {link.source!r} also feeds a heat pump; "
                    f"give it to one or the other"
                )
        if self.allocation.rule == "contract_share":
            shares = [t.contract_share for t in self.tenants]
            given = [s for s in shares if s is not None]
            if len(given) < len(shares) or abs(sum(given) - 1.0) > 1e-9:
                raise ValueError(
                    "allocation rule contract_share needs every tenant's contract_share, summing to 1; "
                    f"found {dict(zip(names, shares, strict=True))}"
                )
        if self.allocation.rule == "priority" and sorted(self.allocation.priority) != sorted(names):
            raise ValueError(f"allocation.priority must list every tenant once: {names}")
        return self
