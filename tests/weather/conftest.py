"""Fixtures of the weather tests."""

from support.weather_testdata import shared_weather  # noqa: F401  (fixture)
