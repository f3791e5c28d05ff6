"""Field paths (``pv[0].capacity_kwp``): parse, format, get, set, copy with values, and the errors.

Every expected value is written out by hand from the path's text; the mapping is a small scenario-like
dict, so each case can be checked by eye.
"""

import copy

import pytest

from lingtan.errors import InputError, ScenarioError
from lingtan.twin.core import fieldpath


@pytest.fixture()
def data():
    return {
        "name": "plant",
        "grid": {"import_limit_kw": 12000.0, "export_limit_kw": None},
        "pv": [{"name": "roof", "capacity_kwp": 6000.0}, {"name": "carport", "capacity_kwp": 800.0}],
        "tenants": [
            {"name": "a", "battery": [{"energy_kwh": 100.0}]},
            {"name": "b", "battery": [{"energy_kwh": 200.0}, {"energy_kwh": 300.0}]},
        ],
        "matrix": [[1, 2], [3, 4]],
    }


@pytest.mark.parametrize(
    "text, segments",
    [
        ("name", ["name"]),
        ("grid.import_limit_kw", ["grid", "import_limit_kw"]),
        ("pv[1].capacity_kwp", ["pv", 1, "capacity_kwp"]),
        ("tenants[1].battery[0].energy_kwh", ["tenants", 1, "battery", 0, "energy_kwh"]),
        ("matrix[1][0]", ["matrix", 1, 0]),
        ("_x9", ["_x9"]),
    ],
)
def test_parse_and_format_are_inverse(text, segments):
    assert fieldpath.parse(text) == segments
    assert fieldpath.format_path(segments) == text


def test_format_of_no_segments_is_the_top_level():
    assert fieldpath.format_path([]) == ""


@pytest.mark.parametrize(
    "text, bad_part",
    [
        ("pv.0", "0"),
        ("pv[0]..x", ""),
        ("", ""),
        ("pv[-1].x", "pv[-1]"),
        ("pv[a]", "pv[a]"),
        ("9pv", "9pv"),
        ("pv [0]", "pv [0]"),
        ("pv[0", "pv[0"),
        ("[0].x", "[0]"),
    ],
)
def test_parse_refuses_a_bad_part_and_names_it(text, bad_part):
    with pytest.raises(InputError) as ei:
        fieldpath.parse(text, file="s.yaml")
    assert str(ei.value) == (
        f"s.yaml: {text}: expected a field path such as pv[0].capacity_kwp, found {bad_part!r} in {text!r}"
    )


def test_parse_error_names_where_the_path_was_written_and_its_class():
    with pytest.raises(ScenarioError) as ei:
        fieldpath.parse("pv.x.0", file="s.yaml", field="--param pv.x.0", error=ScenarioError)
    assert ei.value.field == "--param pv.x.0" and ei.value.found == "'0' in 'pv.x.0'"


def test_get_value_by_text_and_by_segments(data):
    assert fieldpath.get_value(data, "pv[1].capacity_kwp") == 800.0
    assert fieldpath.get_value(data, ["tenants", 1, "battery", 1, "energy_kwh"]) == 300.0
    assert fieldpath.get_value(data, "grid.export_limit_kw") is None  # present and null
    assert fieldpath.get_value(data, "matrix[1][0]") == 3
    assert fieldpath.get_value(data, "tenants[0]") is data["tenants"][0]
    assert fieldpath.get_value(data, []) is data


@pytest.mark.parametrize(
    "path, where, holds",
    [
        ("pv[2].capacity_kwp", "pv", "2 entries"),
        ("pv[0].tilt_deg", "pv[0]", "fields capacity_kwp, name"),
        ("grid.import_limit_kw.x", "grid.import_limit_kw", "no sub-fields"),
        ("weather.seed", "top level", "fields grid, matrix, name, pv, tenants"),
        ("grid[0]", "grid", "fields export_limit_kw, import_limit_kw"),  # an index into a mapping
        ("pv.name", "pv", "2 entries"),  # a key into a list
    ],
)
def test_get_value_of_a_missing_field_says_what_is_there(data, path, where, holds):
    with pytest.raises(InputError) as ei:
        fieldpath.get_value(data, path, file="s.yaml")
    assert str(ei.value) == (
        f"s.yaml: {path}: expected a field of the scenario ({where} has {holds}), found no such field"
    )


def test_set_value_replaces_in_place(data):
    fieldpath.set_value(data, "tenants[1].battery[0].energy_kwh", 250.0)
    fieldpath.set_value(data, ["matrix", 0, 1], 7)
    fieldpath.set_value(data, "grid.export_limit_kw", 0.0)  # a null field exists
    assert data["tenants"][1]["battery"][0]["energy_kwh"] == 250.0
    assert data["matrix"] == [[1, 7], [3, 4]]
    assert data["grid"]["export_limit_kw"] == 0.0


@pytest.mark.parametrize(
    "path, where, holds",
    [
        ("pv[0].tilt_deg", "pv[0]", "fields capacity_kwp, name"),  # the last key is not created
        ("pv[2]", "pv", "2 entries"),  # nor is a list entry appended
        ("wind[0].count", "top level", "fields grid, matrix, name, pv, tenants"),
    ],
)
def test_set_value_never_creates_a_field(data, path, where, holds):
    before = copy.deepcopy(data)
    with pytest.raises(ScenarioError) as ei:
        fieldpath.set_value(data, path, 1.0, file="s.yaml", error=ScenarioError)
    assert str(ei.value) == (
        f"s.yaml: {path}: expected a field of the scenario ({where} has {holds}), found no such field"
    )
    assert data == before


def test_set_value_refuses_the_top_level(data):
    with pytest.raises(InputError, match="no such field"):
        fieldpath.set_value(data, [], {})


def test_with_values_copies_only_the_containers_along_the_paths(data):
    before = copy.deepcopy(data)
    out = fieldpath.with_values(data, {"tenants[1].battery[1].energy_kwh": 1.0, "pv[0].capacity_kwp": 2.0})
    assert data == before  # the input is unchanged
    assert out["tenants"][1]["battery"][1]["energy_kwh"] == 1.0 and out["pv"][0]["capacity_kwp"] == 2.0
    assert out["tenants"][1]["battery"][0]["energy_kwh"] == 200.0
    # copied along the paths, shared elsewhere
    assert out["tenants"] is not data["tenants"] and out["tenants"][1]["battery"] is not data["tenants"][1]["battery"]
    assert out["tenants"][0] is data["tenants"][0] and out["pv"][1] is data["pv"][1] and out["grid"] is data["grid"]


def test_with_values_takes_pairs_and_refuses_a_missing_field_before_copying(data):
    out = fieldpath.with_values(data, [("matrix[0][0]", 5), ("matrix[0][1]", 6)])
    assert out["matrix"] == [[5, 6], [3, 4]] and data["matrix"] == [[1, 2], [3, 4]]
    with pytest.raises(InputError) as ei:
        fieldpath.with_values(data, [("pv[0].capacity_kwp", 1.0), ("pv[0].tilt_deg", 2.0)], file="s.yaml")
    assert ei.value.field == "pv[0].tilt_deg" and ei.value.found == "no such field"
    assert data["pv"][0] == {"name": "roof", "capacity_kwp": 6000.0}
