"""Scenario section ``economics:``: asset costs and prices, each default with its source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssetCost(_Model):
    """Cost of one asset kind. Capital adds up the size terms that apply to the kind:

    ``capex = capex_cny_per_kw x P + capex_cny_per_kwh x E + capex_cny_per_kwp x P_dc + capex_cny_per_unit x n
    + capex_cny_per_m x L + capex_cny_per_kg x M + capex_cny_per_m3 x V``

    where P is the power [kW, kW_th for heat assets], E the energy [kWh, kWh_th], P_dc the PV DC
    nameplate [kWp], n the number of units (wind turbines, heat pumps, boreholes...) and L a length [m] (a
    ground loop's boreholes), M a mass [kg] (a hydrogen store's capacity) and V a vessel's volume [m3] (an air
    receiver's). The fixed O&M adds
    ``fixed_om_cny_per_year`` (per asset of the kind) and ``fixed_om_fraction_of_capex`` x capex.
    """

    capex_cny_per_kw: float = Field(default=0.0, ge=0, description="[CNY/kW] (kW_th for heat assets)")
    capex_cny_per_kwh: float = Field(default=0.0, ge=0, description="[CNY/kWh] (kWh_th for thermal storage)")
    capex_cny_per_kwp: float = Field(default=0.0, ge=0, description="[CNY/kWp] PV DC nameplate")
    capex_cny_per_unit: float = Field(default=0.0, ge=0, description="[CNY per unit]")
    capex_cny_per_m: float = Field(default=0.0, ge=0, description="[CNY/m] of borehole (ground loops)")
    capex_cny_per_kg: float = Field(default=0.0, ge=0, description="[CNY/kg] of hydrogen store capacity")
    capex_cny_per_m3: float = Field(default=0.0, ge=0, description="[CNY/m3] of pressure vessel (air receivers)")
    fixed_om_cny_per_year: float = Field(default=0.0, ge=0, description="[CNY/yr] per asset")
    fixed_om_fraction_of_capex: float = Field(default=0.0, ge=0, le=1, description="[1/yr] share of capex per year")
    variable_om_cny_per_kwh: float = Field(
        default=0.0, ge=0, description="[CNY/kWh] of generation (PV, wind) or of discharge (battery)"
    )
    lifetime_years: float = Field(default=25.0, gt=0, description="[yr]")
    replacement_cost_fraction: float = Field(default=1.0, ge=0, description="replacement cost / capital cost [-]")
    source: str = Field(default="user value", description="where the numbers come from")


#: Defaults for China 2024-2025, each with its source or 'assumed' and why.
DEFAULT_COSTS: dict[str, AssetCost] = {
    "pv": AssetCost(
        capex_cny_per_kwp=3000.0,
        fixed_om_fraction_of_capex=0.015,
        lifetime_years=25.0,
        replacement_cost_fraction=1.0,
        source="assumed: 3.0 CNY/Wp for commercial & industrial rooftop PV (modules, inverters, BOS, "
        "installation) in 2024-25 — the CPIA roadmap (中国光伏产业发展路线图) figures could not be "
        "retrieved here; a 2017 C&I rooftop quote was 5.8 CNY/W (Digitimes, 2017-08-25) and module "
        "prices have fallen more than half since. O&M 1.5 %/yr of capex and 25-yr life are assumed "
        "(typical module warranty).",
    ),
    "wind": AssetCost(
        capex_cny_per_kw=5800.0,
        fixed_om_fraction_of_capex=0.025,
        lifetime_years=20.0,
        replacement_cost_fraction=1.0,
        source="capex: China Renewable Energy Engineering Institute, China Renewable Energy Development "
        "Report 2021 — onshore wind in open plains about 5 800 CNY/kW (reported by Azure "
        "International, 2022) [secondary; data year 2021, likely high for 2024-25]; life: 20-yr "
        "design life of IEC 61400-1; O&M 2.5 %/yr of capex assumed.",
    ),
    "battery": AssetCost(
        capex_cny_per_kwh=622.0,
        capex_cny_per_kw=186.0,
        fixed_om_fraction_of_capex=0.015,
        lifetime_years=15.0,
        replacement_cost_fraction=0.6,
        source="capex: 465 CNY/kWh = the average bid for 2-hour LFP systems in China Energy Engineering's "
        "25 GWh tender, 0.4646 CNY/Wh (ESS News, 2025-06-26) [secondary], plus 250 CNY/kWh assumed "
        "for installation, grid connection and fire protection behind the meter: 715 CNY/kWh for a 2-hour system, "
        "split into power and energy so that the power-to-energy ratio is not free: the power conversion system "
        "(PCS, 储能变流器) is about 20 % of an electrochemical storage system's cost (CNESA data as reported by "
        "wanwend.com, 2023-08 [secondary]), so 0.20 x 465 CNY/kWh x 2 h = 186 CNY/kW of PCS and "
        "715 - 186 / 2 = 622 CNY/kWh of energy: a 2-hour battery costs what it did. For comparison REopt.jl's US "
        "behind-the-meter defaults (ElectricStorage: 968 USD/kW of power components, 253 USD/kWh of energy "
        "components; github.com/NREL/REopt.jl, src/core/energy_storage/electric_storage.jl, commit 029db01) put a "
        "larger share on power. 15-yr life assumed (about 6 000 cycles at one a day); replacement at 60 % of capex "
        "assumed (falling cell prices); O&M 1.5 %/yr assumed.",
    ),
    "heat_pump": AssetCost(
        capex_cny_per_kw=2000.0,
        fixed_om_fraction_of_capex=0.02,
        lifetime_years=20.0,
        replacement_cost_fraction=1.0,
        source="assumed: 2 000 CNY/kW_th installed for an industrial (waste-heat or air-source) heat pump; "
        "no public Chinese cost series was found here; 20-yr life and 2 %/yr O&M assumed.",
    ),
    "thermal_storage": AssetCost(
        capex_cny_per_kwh=150.0,
        fixed_om_fraction_of_capex=0.01,
        lifetime_years=30.0,
        replacement_cost_fraction=1.0,
        source="assumed: 150 CNY/kWh_th for an insulated hot-water tank; 30-yr life and 1 %/yr O&M assumed.",
    ),
    "electric_boiler": AssetCost(
        capex_cny_per_kw=300.0,
        fixed_om_fraction_of_capex=0.02,
        lifetime_years=20.0,
        replacement_cost_fraction=1.0,
        source="assumed: 300 CNY/kW_th for an electrode / resistance boiler; 20-yr life and 2 %/yr O&M assumed.",
    ),
    "ground_loop": AssetCost(
        capex_cny_per_m=150.0,
        fixed_om_fraction_of_capex=0.005,
        lifetime_years=50.0,
        replacement_cost_fraction=1.0,
        source="assumed: 150 CNY per metre of vertical borehole drilled, with its double-U pipe, grout and header "
        "share; no published Chinese series was found here: replace it with a drilling quote; 50-yr life (a "
        "polyethylene loop in grout outlasts the heat pump) and 0.5 %/yr O&M assumed.",
    ),
    "chp": AssetCost(
        capex_cny_per_kw=6000.0,
        variable_om_cny_per_kwh=0.12,
        lifetime_years=20.0,
        replacement_cost_fraction=1.0,
        source="assumed: 6 000 CNY per kW electric installed for a gas-engine CHP with its heat recovery and "
        "0.12 CNY/kWh O&M; no public Chinese series was found here (NREL REopt's US defaults for a 1-2 MW "
        "reciprocating engine are 2 800-2 550 USD/kW and 0.016 USD/kWh: replace it with a quote); 20-yr life "
        "assumed.",
    ),
    "absorption_chiller": AssetCost(
        capex_cny_per_kw=2000.0,
        fixed_om_fraction_of_capex=0.02,
        lifetime_years=20.0,
        replacement_cost_fraction=1.0,
        source="assumed: 2 000 CNY per kW of cooling for a hot-water single-effect LiBr chiller with its cooling "
        "tower share; no public Chinese series was found here (NREL REopt's US defaults for a hot-water absorption "
        "chiller are 2 027 to 1 248 USD per ton, 576 to 355 USD/kW_th, from 200 to 1 000 tons, "
        "github.com/NREL/REopt.jl data/absorption_chiller/absorption_chiller_defaults.json, commit 029db01: "
        "replace it with a quote); O&M 2 %/yr of capex from the same REopt table (32 USD per ton-year on "
        "1 587 USD per ton at 300 tons); 20-yr life assumed.",
    ),
    "electrolyser": AssetCost(
        capex_cny_per_kw=3000.0,
        fixed_om_fraction_of_capex=0.02,
        lifetime_years=20.0,
        replacement_cost_fraction=1.0,
        source="assumed: 3 000 CNY per kW electric for an alkaline electrolyser system; no public Chinese series "
        "was found here (the Danish Energy Agency's 2020 catalogue gives 1 400 EUR/kW for a European alkaline "
        "plant, components/data/hydrogen_sources.md: replace it with a quote); 2 %/yr O&M and 20-yr life "
        "assumed, stack replacements not priced apart.",
    ),
    "fuel_cell": AssetCost(
        capex_cny_per_kw=8000.0,
        fixed_om_fraction_of_capex=0.03,
        lifetime_years=10.0,
        replacement_cost_fraction=1.0,
        source="assumed: 8 000 CNY per kW electric for a PEM fuel-cell CHP module; no public Chinese series was found "
        "here (the Danish Energy Agency's 2020 sheet gives 1.3 M EUR/MW: components/data/hydrogen_sources.md; "
        "replace it with a quote); 3 %/yr O&M and a 10-yr stack life assumed.",
    ),
    "charger": AssetCost(
        capex_cny_per_kw=800.0,
        fixed_om_fraction_of_capex=0.02,
        lifetime_years=10.0,
        replacement_cost_fraction=1.0,
        source="assumed: 800 CNY per kW of charge points installed (power_kw x count). The pile alone: a 120 kW DC "
        "pile costs 30 000-50 000 CNY in China (250-420 CNY/kW; an Industrial Securities report as quoted on a "
        "secondary page, wungiel.pl, 2024-09-30) and a 30 kW charger about 23 400 CNY (780 CNY/kW; the same page, "
        "quoting a study of Wuhan's charging prices); cabling, civil works and the transformer's share, about as "
        "much again, are assumed, as are the 10-yr life and 2 %/yr O&M: replace them with a quote.",
    ),
    "bidirectional_charger": AssetCost(
        capex_cny_per_kw=800.0,
        fixed_om_fraction_of_capex=0.02,
        lifetime_years=10.0,
        replacement_cost_fraction=1.0,
        source="assumed: the one-way charger's 800 CNY/kW (max of power_kw and discharge_power_kw, x count): no price "
        "of a bidirectional (V2G) charger in China was found here, and one with its grid-forming inverter likely "
        "costs more: replace it with a quote; 10-yr life and 2 %/yr O&M assumed.",
    ),
    "hydrogen_store": AssetCost(
        capex_cny_per_kg=4000.0,
        fixed_om_fraction_of_capex=0.01,
        lifetime_years=25.0,
        replacement_cost_fraction=1.0,
        source="assumed: 4 000 CNY per kg of compressed-hydrogen tank capacity with its compressor; no public "
        "Chinese series was found here: replace it with a quote; 1 %/yr O&M and 25-yr life assumed.",
    ),
    "hydrogen_boiler": AssetCost(
        capex_cny_per_kw=400.0,
        fixed_om_fraction_of_capex=0.02,
        lifetime_years=20.0,
        replacement_cost_fraction=1.0,
        source="assumed: 400 CNY per kW_th for a boiler with a hydrogen burner and its gas train; no public Chinese "
        "series was found here: replace it with a quote; 2 %/yr O&M and 20-yr life assumed.",
    ),
    "cold_store": AssetCost(
        capex_cny_per_kwh=150.0,
        fixed_om_fraction_of_capex=0.01,
        lifetime_years=25.0,
        replacement_cost_fraction=1.0,
        source="assumed: 150 CNY per kWh_th of chilled-water or ice tank with its exchangers and controls, as the "
        "hot-water tank; no public Chinese series was found here: replace it with a quote (a cold room's setpoint "
        "band is not priced: its goods hold the cooling, only controls are added); 1 %/yr O&M and 25-yr life "
        "assumed.",
    ),
    "air_receiver": AssetCost(
        capex_cny_per_m3=3000.0,
        fixed_om_fraction_of_capex=0.01,
        lifetime_years=25.0,
        replacement_cost_fraction=1.0,
        source="assumed: 3 000 CNY per m3 of a 10-16 bar compressed-air receiver installed; no public Chinese "
        "series was found here: replace it with a quote; 1 %/yr O&M and 25-yr life assumed.",
    ),
}

#: Fuel prices [CNY per physical unit of components/data/fuels.csv], all assumed (no public series found here).
DEFAULT_FUEL_PRICES: dict[str, float] = {"natural_gas": 3.8, "coal": 1.0, "diesel": 8.0, "lpg": 6.0, "biomass": 0.8}
DEFAULT_FUEL_PRICES_SOURCE = (
    "assumed: industrial natural gas 3.8 CNY/m3 (Anhui non-residential pipeline gas is "
    "of that order), thermal coal 1 000 CNY/t, diesel 8 CNY/kg, LPG 6 CNY/kg, biomass "
    "pellets 0.8 CNY/kg; electricity used by electric boilers is in the grid bill"
)


class Economics(_Model):
    """Scenario section ``economics:`` — project-level economic settings and asset costs."""

    discount_rate: float = Field(
        default=0.08,
        ge=0,
        lt=1,
        description="real discount rate [-]; default 8 %, the social discount rate of NDRC/MOHURD "
        "建设项目经济评价方法与参数 (第三版, 2006)",
    )
    analysis_period_years: int = Field(
        default=25,
        ge=1,
        le=100,
        description="[yr]; default 25, HOMER's default project lifetime (HOMER Knowledge Base, 'Capacity "
        "shortage penalty': 'I recommend leaving it at its default value of 25 years')",
    )
    carbon_price_cny_per_t: float = Field(
        default=100.0,
        ge=0,
        description="[CNY/tCO2]; assumed: national ETS allowances (CEA) traded around 90-105 CNY/t in 2024",
    )
    ets_covered: bool | None = Field(
        default=None, description="pay the carbon price; None = the scenario's declared.in_national_ets"
    )
    carbon_basis: Literal["scope1", "gross", "residual"] = Field(
        default="scope1",
        description="emissions that pay the carbon price: scope1 (the national ETS covers direct emissions), "
        "gross (location-based scope 1 + 2) or residual (after offsets)",
    )
    costs: dict[str, AssetCost] = Field(
        default_factory=lambda: dict(DEFAULT_COSTS),
        description="asset kind (pv, wind, battery, heat_pump, thermal_storage, electric_boiler, ground_loop, chp, "
        "absorption_chiller, electrolyser, hydrogen_store, fuel_cell, hydrogen_boiler, cold_store, air_receiver, "
        "charger, bidirectional_charger) "
        "-> costs; kinds not given keep their defaults",
    )
    fuel_prices_cny_per_unit: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_FUEL_PRICES),
        description="fuel -> price [CNY per unit of fuels.csv]; fuels not given keep their defaults",
    )
    green_power_contract_premium_cny_per_kwh: float = Field(
        default=0.03,
        ge=0,
        description="green premium of contracted green power when the scenario's green_power section does not "
        "set one [CNY/kWh]; assumed: Chinese green-power trades of 2024 carried premiums of a few fen",
    )
    green_certificate_price_cny_per_mwh: float = Field(
        default=5.0,
        ge=0,
        description="certificate price when the scenario does not set one [CNY/MWh]; assumed: GEC traded at a "
        "few CNY per certificate in 2024",
    )

    life: Literal["annuity", "series"] = Field(
        default="annuity",
        description="annuity: the simulated year's costs repeated every year (HOMER's convention); series: every "
        "year of the analysis period from the plant of that year (PV degradation, battery fade and replacement, "
        "load growth, tariff escalation; lingtan.twin.studies.life)",
    )
    load_growth_per_year: float = Field(
        default=0.0,
        ge=-0.5,
        le=0.5,
        description="series: growth of every electric load [1/yr], year y at (1 + g)^(y - 1); default 0, assumed: "
        "no public forecast for one factory exists, the user states the plant's own",
    )
    tariff_escalation_per_year: float = Field(
        default=0.0,
        ge=-0.5,
        le=0.5,
        description="series: real escalation of import energy prices and basic charges (feed-in price held) "
        "[1/yr], year y at (1 + e)^(y - 1); default 0, assumed: money is in real CNY of the base year, so a "
        "tariff that follows inflation is flat (HOMER's real-discount-rate convention)",
    )
    life_simulate_every_years: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="series: simulate year 1, every k-th year after it and the last year, interpolate linearly "
        "between; None: simulate the years whose plant moved by more than life_change_threshold",
    )
    life_change_threshold: float = Field(
        default=0.01,
        gt=0,
        le=1,
        description="series: a year is simulated when the PV DC factor, the load scale, the battery capacity or "
        "its round-trip efficiency differs by more than this fraction from the last simulated year [-]; default "
        "1 %, assumed: yearly flows are smooth in these states, so linear interpolation across a 1 % step errs "
        "far less than the cost data",
    )
    battery_cell_t_c: float = Field(
        default=25.0,
        ge=-40,
        le=80,
        description="series: cell temperature of battery ageing [degC]; default 25, assumed: the container's "
        "air conditioning holds the cells at the reference temperature of the Naumann fit",
    )

    def cost(self, kind: str) -> AssetCost:
        """The costs of an asset kind: the user's, else the default.

        Parameters
        ----------
        kind : str
            An asset kind of :data:`DEFAULT_COSTS` (``pv``, ``wind``, ``battery`` ...) or one the user costed.

        Returns
        -------
        AssetCost
            From ``costs`` when given there, else from :data:`DEFAULT_COSTS`.

        Raises
        ------
        KeyError
            For a kind neither the user nor the defaults cost.
        """
        if kind in self.costs:
            return self.costs[kind]
        return DEFAULT_COSTS[kind]

    def fuel_price(self, fuel: str) -> float:
        """The price of a fuel: the user's, else the default, else 0.

        Parameters
        ----------
        fuel : str
            A fuel of ``components/data/fuels.csv`` (``natural_gas``, ``coal`` ...).

        Returns
        -------
        float
            Price [CNY per physical unit of fuels.csv]; 0 for a fuel priced nowhere.
        """
        return self.fuel_prices_cny_per_unit.get(fuel, DEFAULT_FUEL_PRICES.get(fuel, 0.0))
