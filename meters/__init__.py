"""Meter data of a real plant: reading it, storing it, checking its quality (issue 18).

``schema`` holds the meter map (which meter measures which flow of the scenario), ``read`` the
reading files, ``store`` the database (DuckDB by default, PostgreSQL for an operator's platform),
``quality`` the data-quality check, ``generate`` a "measured" year with planted defects and a
known truth, made from a simulated year, ``g14`` ASHRAE Guideline 14's statistics and ``calibrate``
the fit of a factory's uncertain parameters to its meters.
"""
