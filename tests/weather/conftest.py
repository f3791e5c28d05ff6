"""Fixtures of the weather tests."""
from weather_testdata import shared_weather  # noqa: F401  (fixture)
