"""The issue's truck fleet, shared by the tests of the vehicle model and of a fleet in a run."""

from __future__ import annotations

TRUCKS = dict(
    name="trucks",
    type="logistics_truck",
    count=10,
    fuel="electric",
    distance_km_per_day=120,
    consumption_kwh_per_km=1.2,
    arrival_h=18,
    departure_h=6,
    charger="depot",
)
"""10 trucks x 120 km/day x 1.2 kWh/km = 144 kWh each, 1440 kWh a day, back at 18:00, out at 06:00 the next
morning (a 12 h window), on the ``depot`` chargers; copy it (``dict(TRUCKS, ...)``) to change a field."""
