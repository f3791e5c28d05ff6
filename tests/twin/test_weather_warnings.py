"""The weather warnings of twin check and twin run: a file whose clock is off names the file, the hours and the
correction, and is silent once corrected; a year far from its city's long-term GHI is named, and silent once
scaled to it."""

from __future__ import annotations

import pytest
from support.scenario_files import DEFAULT, base, write  # noqa: F401 (base is a fixture)

from lingtan.twin.cli import main
from lingtan.twin.plausibility import REFERENCE_MAX_DEVIATION
from lingtan.weather import cities, city_climate, longterm_ghi, shift_hours, synthetic_year

HEFEI = dict(latitude=31.87, longitude=117.23, altitude_m=27.0)


def warnings_of(capsys, args):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 0, err
    return [line for line in err.splitlines() if line.startswith("warning: ")]


@pytest.fixture(scope="module")
def late_csv(tmp_path_factory):
    """A Hefei year whose values were stamped one hour late, as a plain CSV."""
    year = synthetic_year(city_climate("hefei"), year=2025, seed=1, **HEFEI)
    path = tmp_path_factory.mktemp("weather") / "late.csv"
    late = shift_hours(year, 1).drop(columns=["relative_humidity"])
    late.tz_localize(None).rename_axis("time").to_csv(path)
    return path


def test_shifted_file_warned_with_its_correction(tmp_path, capsys, base, late_csv):
    base["weather"] = {"source": "csv", "path": str(late_csv)}
    path = write(tmp_path, base)
    (line,) = [w for w in warnings_of(capsys, ["check", str(path)]) if "weather.path" in w]
    assert f"weather.path: {late_csv}: " in line
    assert "hours with GHI > 20 W/m2 while the sun is below the horizon" in line
    assert "Set weather.time_shift_h: -1 to correct it" in line
    # twin run prints the same warning after its results
    lines = warnings_of(
        capsys, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--reports", "none", "--no-lp-optimum"]
    )
    assert line in lines
    # a shift the wrong way: the suggestion is the total that corrects the file
    base["weather"]["time_shift_h"] = 1
    (line,) = [w for w in warnings_of(capsys, ["check", str(write(tmp_path, base))]) if "weather.path" in w]
    assert "(after weather.time_shift_h: 1)" in line and "Set weather.time_shift_h: -1 to correct it" in line
    base["weather"]["time_shift_h"] = -1
    assert not [w for w in warnings_of(capsys, ["check", str(write(tmp_path, base))]) if "weather.path" in w]


def test_year_far_from_the_long_term_warned(tmp_path, capsys, base):
    ref = longterm_ghi()["hefei"].ghi_kwh_m2_yr
    (line,) = warnings_of(capsys, ["check", str(DEFAULT)])
    # the CSWD Hefei year (1155 kWh/m2) against NASA SSE's 1350 kWh/m2
    assert f": weather: annual GHI 1155 kWh/m2 is -14.5% from the long-term {ref:.0f} kWh/m2 of hefei" in line
    assert "weather.scale.ghi_kwh_m2_yr" in line
    for ghi, warned in ((ref * (1 + REFERENCE_MAX_DEVIATION) * 0.999, False), (ref * 1.06, True)):
        base["weather"]["scale"] = {"ghi_kwh_m2_yr": ghi}
        lines = warnings_of(capsys, ["check", str(write(tmp_path, base))])
        assert bool(lines) == warned, lines


def test_file_compared_with_the_nearest_city_within_50_km(tmp_path, capsys, base, late_csv):
    base["weather"] = {"source": "csv", "path": str(late_csv), "time_shift_h": -1}
    lines = warnings_of(capsys, ["check", str(write(tmp_path, base))])
    assert len(lines) == 1 and "of hefei" in lines[0]  # the site is Hefei's
    base["site"] = dict(base["site"], latitude=31.87 + 0.6)  # 67 km north: no city within 50 km
    assert warnings_of(capsys, ["check", str(write(tmp_path, base))]) == []


def test_every_city_has_a_cited_reference():
    refs = longterm_ghi()
    assert sorted(refs) == cities()
    for city, ref in refs.items():
        assert ref.ghi_kwh_m2_yr is not None and ref.source, city
        # the reference was read at the city the station serves: within one cell of the 1 x 1 deg grid. (Nanjing's
        # CSWD file states 32.83 N; the city centre, where NASA SSE was read, is at 32.07 N.)
        climate = city_climate(city)
        assert abs(ref.latitude - climate.latitude) < 1 and abs(ref.longitude - climate.longitude) < 1, city
