"""The scenario page's size editor (``lingtan.dashboard.sizes``) on the shared field paths
(``lingtan.twin.core.fieldpath``).

Paths and values are written out by hand from ``anhui-park.yaml`` (its shared battery, its first tenant's
PV) and from a small mapping, so each expected path can be checked against the file by eye.
"""

from pathlib import Path

import pytest

from lingtan.dashboard.sizes import apply_sizes, size_fields
from lingtan.errors import ScenarioError
from lingtan.loader import read_yaml

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def park():
    return read_yaml(SCENARIOS / "anhui-park.yaml")


def test_park_paths_are_formatted_from_their_segments(park):
    paths = {f.path: f.value for f in size_fields(park)}
    assert paths["shared.battery[0].energy_kwh"] == park["shared"]["battery"][0]["energy_kwh"]
    assert paths["tenants[0].pv[0].capacity_kwp"] == park["tenants"][0]["pv"][0]["capacity_kwp"]
    # every path the editor offers reads back the value it shows
    for path, value in paths.items():
        assert apply_sizes(park, {path: value}) == park


def test_applied_sizes_round_integer_fields_and_leave_the_input_alone():
    data = {"wind": [{"name": "farm", "count": 3}], "grid": {"import_limit_kw": 100.0}}
    out = apply_sizes(data, {"wind[0].count": "4.6", "grid.import_limit_kw": 250})
    assert out == {"wind": [{"name": "farm", "count": 5}], "grid": {"import_limit_kw": 250.0}}
    assert data == {"wind": [{"name": "farm", "count": 3}], "grid": {"import_limit_kw": 100.0}}


@pytest.mark.parametrize(
    "path, expected",
    [
        ("tenants[99].pv[0].capacity_kwp", "a field of the scenario (tenants has 8 entries)"),
        ("shared.battery[0].energy_kwhh", "a field of the scenario (shared.battery[0] has fields "),
        ("shared.battery.0", "a field path such as pv[0].capacity_kwp"),
    ],
)
def test_a_path_the_scenario_lacks_is_named_with_what_is_there(park, path, expected):
    with pytest.raises(ScenarioError) as ei:
        apply_sizes(park, {path: 1}, "park.yaml")
    assert ei.value.file == "park.yaml" and ei.value.field == path and ei.value.expected.startswith(expected)


def test_a_path_ending_in_an_index_is_checked_as_an_index():
    # The editor's own check read ``0 in [5.0]`` (a value test) and refused this path.
    assert apply_sizes({"levels": [5.0]}, {"levels[0]": 7}) == {"levels": [7.0]}
    with pytest.raises(ScenarioError, match=r"levels has 1 entries"):
        apply_sizes({"levels": [5.0]}, {"levels[1]": 7})
