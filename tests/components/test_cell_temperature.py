"""The compiled Fuentes model equals pvlib's reference implementation."""

import numpy as np
import pandas as pd
import pvlib
import pytest

from lingtan.components.cell_temperature import fuentes
from lingtan.weather import city_climate, synthetic_year


@pytest.fixture(scope="module")
def weather():
    return synthetic_year(city_climate("jiuquan"), year=2024, seed=3)  # a leap year: the index skips Feb 29


@pytest.mark.parametrize(
    "kw",
    [
        dict(noct_installed=45.0, module_height=5.0, wind_height=9.144),  # PVWatts open rack
        dict(noct_installed=49.0, surface_tilt=10.0),  # roof-mounted: INOCT above 48 C raises the thermal mass
    ],
)
def test_equals_pvlib(weather, kw):
    poa = pd.Series(np.clip(weather["ghi"].to_numpy() * 1.1, 0, None), index=weather.index)
    ref = pvlib.temperature.fuentes(poa, weather["temp_air"], weather["wind_speed"], **kw)
    ours = fuentes(poa, weather["temp_air"], weather["wind_speed"], **kw)
    # Same equations, same order of operations: only floating-point rounding may differ.
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-9)
    assert (ours.index == ref.index).all()
