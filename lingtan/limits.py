"""Every limit that keeps one scenario's cost bounded, in one place with its reason.

The YAML loader (:mod:`lingtan.loader`) reads the file limits, the scenario schema (``lingtan.twin.core.scenario``,
``components/*``) the value bounds, each field's description naming the one it uses. To allow larger
inputs, change the number here; nothing else holds a copy.

This module imports nothing of the project: ``components/`` (a leaf) reads it too.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- the YAML file

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest scenario or tariff YAML file [bytes]: the shipped scenarios are under 20 kB; hourly data
belongs in CSV files, which the scenario names."""
MAX_ALIASES = 200
"""Largest number of YAML aliases (``*name``): enough for any hand-written scenario, too few for an
alias bomb (nine nested lists of nine aliases expand to 9**9 values)."""
MAX_NODES = 200_000
"""Largest number of values in a parsed file, aliases expanded: a park of 50 tenants with 12 x 24 tariff
tables is under 50,000."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists: a scenario is at most about 8 levels deep (park, tenant,
process, waste-heat stream); Python's recursion would give out near 1,000."""

MAX_DATA_FILE_BYTES = 256 * 1024 * 1024
"""Largest data file a scenario names (weather, load, emission-factor, fuel-use CSV) [bytes]: a year of
15-minute readings in 20 columns is under 10 MB; a bound keeps a wrong path (a disk image, /dev/zero) from
filling memory."""

# --------------------------------------------------------------------------- sizes, powers, energies

MAX_POWER_KW = 1e9
"""Largest power, installed capacity or connection of one site [kW] (1 TW). ``grid.import_limit_kw``'s
"no limit" default is this value. Beyond it float64 cannot keep the kernel's hourly balance tolerance
(1e-6 kWh, lingtan.twin.core.tables.BALANCE_TOL_KWH): its resolution at 4e9 kWh is 2.2e-16 x 4e9 = 1e-6 kWh."""
MAX_ENERGY_KWH = 1e12
"""Largest stored or annual energy [kWh]: MAX_POWER_KW over the 8,784 hours of a leap year is 8.8e12,
but no store or yearly demand comes near 1 PWh."""
MAX_ENERGY_MWH = MAX_ENERGY_KWH / 1000
"""MAX_ENERGY_KWH in [MWh]: green certificates (one per MWh)."""
PEAK_TARGET_TOL_KW = 1.0
"""Width the bisection for the lowest monthly peak target a battery can hold narrows to [kW]
(lingtan.twin.core.dispatch.lowest_peak_targets): 1 kW of demand costs under 100 CNY a month at any
shipped price (Anhui's 48 CNY/kW-month, doubled for a contracted-demand overrun), and each round of 63
candidates narrows the bracket about 64 times, so an 8 MW month settles in three runs of the year."""
MAX_COUNT = 100_000
"""Largest count of identical units (wind turbines of one farm) [-]."""
MAX_EMISSIONS_T = 1e9
"""Largest declared emissions, credits or allowances of one site in a year [tCO2]: MAX_POWER_KW of coal
power for a year emits under 1e10 t; a real site is many orders smaller."""
MAX_PRICE_CNY = 1e6
"""Largest unit price [CNY per kWh, GJ, tCO2, MWh certificate, kW-month or kVA-month]: a thousand times any
real tariff, credit or heat price."""
MAX_EF_T_PER_MWH = 2.0
"""Largest grid emission factor [tCO2/MWh]: more than twice the highest shipped factor (national_2021_fossil,
0.8426 tCO2/MWh, components/data/emission_factors.csv); no grid emits more per MWh than its fossil plants.
It refuses factors given in kg/MWh or g/kWh by mistake (100 t/MWh)."""
MAX_FUEL_FACTOR_PER_UNIT = 1e4
"""Largest coefficient of a fuel per physical unit [kgce/unit, kgCO2/unit]: a tonne of raw coal is 714 kgce and
1,900 kgCO2 (components/data/fuels.csv gives 0.7143 and 1.9003 per kg)."""
MAX_HEAT_KGCE_PER_GJ = 100.0
"""Largest standard coal per GJ of heat [kgce/GJ]: GB/T 2589 gives 34.12
(lingtan.twin.accounting.account.HEAT_KGCE_PER_GJ)."""
MAX_EF_T_PER_GJ = 0.5
"""Largest heat emission factor [tCO2/GJ]: over four times the GB/T 32150 default of purchased heat
(0.11 tCO2/GJ, lingtan.twin.accounting.account.HEAT_EF_T_PER_GJ)."""
MAX_HYDROGEN_KG = 3e10
"""Largest hydrogen store [kg]: MAX_ENERGY_KWH at hydrogen's net calorific value (33.32 kWh/kg,
lingtan.components.hydrogen.H2_LHV_KWH_PER_KG) is 3.0e10 kg; the largest salt caverns hold a few thousand tonnes."""
MAX_H2_COMPRESSION_KWH_PER_KG = 15.0
"""Largest electricity to compress a kilogram of hydrogen into a store [kWh/kg]: above liquefaction (8.3-12 kWh/kg,
Renewable Hydrogen Alliance, renewableh2.org), which no compressed-gas store needs; compression to 700 bar takes
1.5-6 kWh/kg (same page). It refuses a figure given per tonne or in MJ/kg times 3.6 by mistake."""
MAX_DEGRADATION_PCT_PER_KH = 5.0
"""Largest loss of an electrolyser's efficiency per 1,000 operating hours [%/kh]: twenty times the highest value of
the Danish Energy Agency's catalogue (0.25 %/kh, PEM 2020 upper, data_sheets_for_renewable_fuels.xlsx, sheet
86 PEMEC 10 MW); a figure per hour (x 1,000) or as a fraction (/ 100) by mistake falls outside or far from it."""
MAX_STACK_LIFE_H = 200_000.0
"""Longest stack life of an electrolyser [h] (23 years of continuous running): above the catalogue's longest
(123,500 h, PEM 2050 upper, same sheet)."""
MAX_AREA_M2 = 1e8
"""Largest floor area [m2] (100 km2): larger than any industrial park's buildings."""
MAX_UA_KW_PER_K = 1e6
"""Largest building heat-loss coefficient [kW/K]: 1e8 m2 at 10 W/(m2 K)."""
MAX_HOURS = 8784.0
"""Longest duration that fits in one simulated year [h] (a leap year)."""
MAX_TEMPERATURE_C = 2000.0
"""Hottest process temperature [C]: above steel-making (about 1,600 C)."""
MIN_TEMPERATURE_C = -273.15
"""Absolute zero [C]."""
MAX_COP = 50.0
"""Largest coefficient of performance [-]: the Carnot COP of a 6 K lift to 20 C (293 K / 6 K = 49); real heat
pumps and chillers stay below 10."""
MAX_SPECIFIC_HEAT_LOSS_W_PER_M2_K = 100.0
"""Largest heat-loss coefficient per floor area [W/(m2 K)]: an unheated shed with open doors is about 10."""
MAX_SCALE = 1e6
"""Largest multiplier of a profile (a load CSV's ``scale``) [-]: turns a 1 kW profile into MAX_POWER_KW."""
MAX_DC_AC_RATIO = 10.0
"""Largest DC/AC ratio of a PV array [-]: plants are built at 1.1-1.5; ten times clipping is no plant."""
MAX_AGE_YEARS = 100.0
"""Oldest PV array [yr]: four times a module's rated life."""
MAX_MTBF_H = 1e7
"""Longest mean time between failures [h] (about 1,100 years): longer is "no breakdowns" (leave it out)."""
MIN_WEIBULL_SHAPE = 0.2
"""Smallest Weibull shape of failure and repair times [-]. Reliability data give about 0.5 (early failures)
to 5 (wear-out); below 0.2 the mean's gamma function (Gamma(1 + 1/shape)) passes 1e7 and nearly all draws
are zero, so a line would break down thousands of times an hour."""
MAX_WEIBULL_SHAPE = 20.0
"""Largest Weibull shape [-]: at 20 the times are already within a few percent of their mean."""

# --------------------------------------------------------------------------- work per run

MIN_BATCH_DURATION_H = 1 / 60
"""Shortest batch of a production line [h] (one minute): the simpy process model handles one event per
batch, and a line runs hourly time steps; shorter batches add work, not information."""
MAX_EVENTS_PER_YEAR = 1_000_000
"""Most batches, changeovers, breakdowns and maintenance windows one production line may schedule in a
year [-]. A million events simulate in about ten seconds; a line with 1-minute batches around the clock
needs 525,600 (8,760 h x 60)."""
MAX_ITEMS = 1_000
"""Longest list of named assets of one kind, tenants, holidays, maintenance windows or plan stages [-]."""
MAX_NAME_CHARS = 64
"""Longest name of a tenant, asset or run that becomes a file or folder name [characters]."""
MAX_ENSEMBLE_YEARS = 1_000
"""Most weather years of one ensemble [-]. A member costs about 0.15 s of CPU for the default factory and 0.6 s
for the reference park (its weather, PV profile and a whole run); a thousand years resolve the P1, more add
time, not odds."""

# --------------------------------------------------------------------------- weather corrections

MAX_TIME_SHIFT_H = 12
"""Largest whole-hour correction of a weather file's clock, each way (``weather.time_shift_h``) [h]: a file
stamped in the wrong zone is off by the gap between two zones, and no site is more than half a day from
the zone of its sun; a shift beyond that moves the data to another day, not another clock."""
MAX_GHI_KWH_M2_YR = 2800.0
"""Largest annual global horizontal irradiation a weather year may be scaled to (``weather.scale``)
[kWh/m2]: just above the highest measured on Earth, about 2,700 kWh/m2 on the Atacama plateau
(Rondanelli, Molina and Falvey 2015, Bull. Amer. Meteor. Soc. 96(3), 405-418)."""
MAX_WIND_MEAN_M_S = 25.0
"""Largest annual mean wind speed a weather year may be scaled to (``weather.scale``) [m/s]: above the
windiest measured place at sea level, Cape Denison, Antarctica (an annual mean of about 80 km/h, 22 m/s,
in Mawson's 1912-13 record), and the cut-out speed of most turbines."""


# --------------------------------------------------------------------------- uncertainty ensembles

MAX_LOAD_SCALE = 10.0
"""Largest production-volume multiplier of an uncertainty ensemble's ``load_scale`` [-]: ten times today's
output is a new plant, not an uncertainty of this one."""
MAX_TARIFF_SCALE = 10.0
"""Largest multiplier of the import prices and demand charges (``uncertainty.tariff_scale``) [-]: China's
industrial tariffs moved by well under a factor of two in the last twenty years."""
MAX_UNCERTAINTY_MEMBERS = 10_000
"""Most members of an uncertainty ensemble [-]: the kernel runs 10,000 configurations of a year in about a
second, but each member's accounting and verdicts take about a millisecond, and each distinct PV age a PV
model run (about 0.1 s)."""
DEFAULT_UNCERTAINTY_MEMBERS = 200
"""Members of an uncertainty ensemble without a weather ensemble and without ``members`` [-]: the sampling
error of a pass probability near 0.5 is then sqrt(0.25 / 200) = 3.5 percentage points."""
