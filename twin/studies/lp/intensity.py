"""The unit-energy carbon row of a design: emissions / comprehensive energy <= y, linear in the LP's flows.

Hunan's target (湖南省零碳工厂 Annex 1, reconstructed from a partial copy): "单位能耗碳排放:2027年≤1.25 tCO2e/tce,
2030年≤0.87,2035年≤0.37", read as the accounting's numerator (``accounting.unit_energy_carbon_basis``) over the
comprehensive energy on ``criteria_settings.hunan_tce_basis`` (:func:`lingtan.twin.accounting.criteria.core.
unit_energy_carbon`).

Both are affine in what a design moves: the year's grid import I, export X, renewable electricity consumed on site
RE = G - X - K, contracted green power GP (covering at most the import) and each boiler's (or heat contract's) heat
H_b: N = n0 + c_n . (v - v0), D = d0 + c_d . (v - v0). The coefficients are the accounting's own
(:func:`lingtan.twin.accounting.account.account`): its response to a step in each quantity around a simulated
reference year, exact for an affine function up to round-off; n0 and d0 hold what the LP does not move (process
emissions, fuel outside the boilers). The row is N - y D <= 0. A market-based numerator (its residual mix and
certificates) and an hourly grid factor (the green-power reduction at the import-weighted factor) are not affine in
these quantities: such a criterion is judged on the simulated design only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lingtan.components.heat import boiler_fuel
from lingtan.twin.accounting.account import account, load_fuel_factors
from lingtan.twin.accounting.assess import annual_energy
from lingtan.twin.core.schema.accounting import HeatPurchase

STEP_KWH = 1e4
"""Step of each quantity [kWh, kWh_th]: the emissions move by some tonnes, far above round-off."""

GJ_PER_KWH = 0.0036
"""[GJ/kWh]."""

AFFINE_BASES = ("location", "after_green_power")
"""Numerators that are affine in the design's flows."""


@dataclass(frozen=True)
class IntensityModel:
    """Emissions and comprehensive energy of a site's year as affine functions of its flows.

    Attributes
    ----------
    names : tuple of str
        ``import``, ``export``, ``re_consumed``, ``green_power`` [kWh], then ``heat:<boiler>`` [kWh_th] per boiler
        or heat contract, in :attr:`lingtan.twin.studies.lp.heat_dispatch.HeatLP.boiler_names` order.
    v0 : ndarray
        The quantities of the reference year.
    n0, d0 : float
        Its emissions (the accounting's numerator) [tCO2] and comprehensive energy [tce].
    c_n, c_d : ndarray
        Emissions [tCO2] and energy [tce] per unit of each quantity.
    basis, tce_basis : str
        The numerator and the energy basis.
    """

    names: tuple
    v0: np.ndarray
    n0: float
    d0: float
    c_n: np.ndarray
    c_d: np.ndarray
    basis: str
    tce_basis: str

    def at(self, v: np.ndarray) -> tuple[float, float]:
        """Emissions and energy at other quantities.

        Parameters
        ----------
        v : ndarray
            The quantities of :attr:`names` [kWh, kWh_th].

        Returns
        -------
        emissions_t : float
            The accounting's numerator [tCO2].
        energy_tce : float
            Comprehensive energy [tce].
        """
        dv = np.asarray(v, dtype=float) - self.v0
        return self.n0 + float(self.c_n @ dv), self.d0 + float(self.c_d @ dv)


def affine(scenario) -> bool:
    """Whether the site's unit-energy carbon is affine in its flows (module docstring).

    Parameters
    ----------
    scenario : Scenario
        A factory.

    Returns
    -------
    bool
    """
    spec = scenario.grid.emission_factor
    return scenario.accounting.unit_energy_carbon_basis in AFFINE_BASES and isinstance(spec, (str, int, float))


def intensity_model(scenario, prof, tce_basis: str) -> IntensityModel:
    """The site's emissions and energy around its simulated year (module docstring).

    Parameters
    ----------
    scenario : Scenario
        A factory whose intensity is :func:`affine`.
    prof : Profiles
        Its profiles.
    tce_basis : {"equivalent", "calorific"}
        Basis of the energy.

    Returns
    -------
    IntensityModel
    """
    from lingtan.twin.run import simulate_profiles

    k = simulate_profiles(scenario, prof, assessed=False).kpis
    energy, gp = annual_energy(scenario, k), scenario.green_power

    def nd(e, g) -> tuple[float, float]:
        acc = account(e, scenario.accounting, g, scenario.offsets, grid_emission_factor=scenario.grid.emission_factor)
        return float(acc.unit_energy_carbon.numerator_t), float(acc.energy.total_tce(tce_basis))

    h = STEP_KWH

    def bumped(**add: float):
        return energy.model_copy(update={name: getattr(energy, name) + v for name, v in add.items()})

    steps = {
        "import": (bumped(grid_import_e_kwh=h), gp),
        "export": (bumped(grid_export_e_kwh=h, re_generation_e_kwh=h), gp),  # consumed on site unchanged
        "re_consumed": (
            bumped(re_generation_e_kwh=h).model_copy(update={"re_consumed_e_kwh": energy.re_consumed + h}),
            gp,
        ),
    }
    # green power covers at most the import: a step up where it stays below, else down (the reference may cover all)
    up = gp.green_power_contract_e_kwh + gp.green_power_direct_e_kwh + h <= energy.grid_import_e_kwh
    gp_step = h if up or gp.green_power_contract_e_kwh < h else -h
    steps["green_power"] = (
        energy,
        gp.model_copy(update={"green_power_contract_e_kwh": gp.green_power_contract_e_kwh + gp_step}),
    )
    biomass = {name for name, f in load_fuel_factors().items() if f.biomass}
    one = np.array([1.0])
    for b in (b for b in scenario.boilers if b.fuel != "electric"):
        units = float(boiler_fuel(one, b)["fuel_units"][0]) * h
        group = "biomass_fuels" if b.fuel in biomass else "fuels"
        fuels = dict(getattr(energy, group))
        fuels[b.fuel] = fuels.get(b.fuel, 0.0) + units
        steps[f"heat:{b.name}"] = (energy.model_copy(update={group: fuels}), gp)
    for c in scenario.purchased_heat:
        bought = dict(energy.heat_purchases)
        was = bought.get(c.name, HeatPurchase(gj=0.0, ef_t_per_gj=c.ef_t_per_gj))
        bought[c.name] = was.model_copy(update={"gj": was.gj + h * GJ_PER_KWH})
        steps[f"heat:{c.name}"] = (energy.model_copy(update={"heat_purchases": bought}), gp)
    n0, d0 = nd(energy, gp)
    step = {name: gp_step if name == "green_power" else h for name in steps}
    c = np.array([[(v - w) / step[name] for v, w in zip(nd(*e), (n0, d0), strict=True)] for name, e in steps.items()])
    heat = k.get("heat", {})
    v0 = [
        float(k["grid_import_e_kwh"]),
        float(k["grid_export_e_kwh"]),
        float(energy.re_consumed),
        float(gp.green_power_contract_e_kwh),
    ]
    served = heat.get("heat_served_e_kwh_th", {})
    v0 += [float(served.get(name.split(":", 1)[1], 0.0)) for name in list(steps)[4:]]
    return IntensityModel(
        names=tuple(steps),
        v0=np.array(v0),
        n0=n0,
        d0=d0,
        c_n=c[:, 0],
        c_d=c[:, 1],
        basis=scenario.accounting.unit_energy_carbon_basis,
        tce_basis=tce_basis,
    )


__all__ = ["IntensityModel", "intensity_model", "affine", "AFFINE_BASES", "STEP_KWH"]
