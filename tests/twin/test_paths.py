"""The one path policy: every file a scenario names resolves against the scenario file's folder, and the
dashboard confines all of them to its scenario library without telling what exists outside."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from lingtan.dashboard import pages_scenario
from lingtan.dashboard.safety import check_scenario_paths
from lingtan.dashboard.ui import Context
from lingtan.errors import InputError, ScenarioError
from lingtan.paths import scenario_paths
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import build_profiles, simulate

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"
TARIFF = ROOT / "components" / "data" / "tariffs" / "anhui_large_industry_2025.yaml"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A scenario in ``tmp/project/`` naming ``tariff.yaml`` and ``ef.csv`` beside it; the working directory is
    elsewhere, with decoys of the same names that must not be read."""
    folder = tmp_path / "project"
    folder.mkdir()
    tariff = yaml.safe_load(TARIFF.read_text(encoding="utf-8"))
    tariff.update(name="beside_the_scenario", feed_in_price_cny_per_kwh=0.123)
    (folder / "tariff.yaml").write_text(yaml.safe_dump(tariff, allow_unicode=True), encoding="utf-8")
    (folder / "ef.csv").write_text("ef_t_per_mwh\n" + "0.3\n" * 8760, encoding="utf-8")
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    data["grid"].update(tariff="tariff.yaml", emission_factor="ef.csv")
    (folder / "plant.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(folder / "tariff.yaml", elsewhere / "tariff.yaml")
    (elsewhere / "tariff.yaml").write_text((folder / "tariff.yaml").read_text().replace("0.123", "0.999"))
    (elsewhere / "ef.csv").write_text("ef_t_per_mwh\n" + "0.9\n" * 8760, encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    return folder


def test_tariff_and_emission_factor_resolve_against_the_scenario_folder(project):
    path = project / "plant.yaml"
    sc = load_scenario(path)
    prof = build_profiles(sc, path.parent)
    assert prof.tariff.name == "beside_the_scenario"
    assert prof.tariff.feed_in_price_cny_per_kwh == 0.123
    run = simulate(sc, path.parent)
    assert run.accounting.factors.grid_location.ef_t_per_mwh == pytest.approx(0.3)


def test_missing_files_beside_the_scenario_are_input_errors(project):
    (project / "ef.csv").unlink()
    with pytest.raises(InputError, match="no such file") as info:
        simulate(load_scenario(project / "plant.yaml"), project)
    assert Path(info.value.file) == project / "ef.csv"


@pytest.mark.parametrize("content", [b"\x00\x01\xff\xfebinary", b"name: x\nperiods: [a, b]\n  bad: 1\n", b""])
def test_an_emission_factor_file_that_is_not_csv_is_one_line(project, content):
    (project / "ef.csv").write_bytes(content)
    with pytest.raises(InputError) as info:
        simulate(load_scenario(project / "plant.yaml"), project)
    assert "\n" not in str(info.value) and Path(info.value.file) == project / "ef.csv"


def test_scenario_paths_lists_every_named_file_in_tenants_too():
    data = {
        "weather": {"source": "epw", "path": "w.epw"},
        "grid": {"tariff": "/etc/passwd", "emission_factor": {"path": "../ef.csv"}},
        "tenants": [{"loads": [{"kind": "csv", "path": "t/l.csv"}]}],
        "pv": [{"name": "roof.csv"}],
        "grid_note": {"tariff": "anhui_large_industry_2025"},
        "network": {"pandapower_json": "net.json"},
    }
    fields = dict(scenario_paths(data))
    assert fields == {
        "weather.path": "w.epw",
        "grid.tariff": "/etc/passwd",
        "grid.emission_factor.path": "../ef.csv",
        "tenants[0].loads[0].path": "t/l.csv",
        "network.pandapower_json": "net.json",
    }


# --------------------------------------------------------------------------- dashboard


@pytest.mark.parametrize(
    "grid",
    [
        {"tariff": "/etc/passwd"},
        {"tariff": "../../../../etc/hostname"},
        {"emission_factor": {"path": "/etc/passwd"}},
        {"emission_factor": "../../secret.csv"},
        {"tariff": "C:\\Windows\\win.ini"},
    ],
)
def test_dashboard_confines_tariff_and_emission_factor(grid):
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    data["grid"].update(grid)
    with pytest.raises(ScenarioError) as info:
        check_scenario_paths(data, ROOT / "scenarios", "up.yaml")
    assert info.value.field.startswith("grid.")


def test_dashboard_messages_do_not_tell_whether_an_outside_file_exists(tmp_path):
    """The same message for an outside path that exists and one that does not: no oracle."""
    c = Context(ROOT / "scenarios", tmp_path, manager=None)
    messages = []
    for target in ("/etc/passwd", "/etc/no-such-file-here"):
        data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
        data["grid"]["tariff"] = target
        text = yaml.safe_dump(data, allow_unicode=True)
        upload = "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()
        _, msg = pages_scenario.load_choice(c, "scenario-upload", None, upload, "up.yaml")
        messages.append(str(msg).replace(target, "<path>"))
    assert messages[0] == messages[1]
    assert "no such file" not in messages[0] and "inside it" in messages[0]


def test_a_symlink_out_of_the_library_is_refused(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    (library / "tariff.yaml").symlink_to("/etc/passwd")
    with pytest.raises(ScenarioError, match="grid.tariff"):
        check_scenario_paths({"grid": {"tariff": "tariff.yaml"}}, library)
    check_scenario_paths({"grid": {"tariff": "anhui_large_industry_2025"}}, library)  # a shipped name: no file


def test_hourly_factor_bound_applies_to_file_values(project):
    values = np.full(8760, 0.3)
    values[100] = 100.0  # t/MWh: a factor in kg/MWh by mistake
    (project / "ef.csv").write_text("ef_t_per_mwh\n" + "\n".join(map(str, values)) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 102"):
        simulate(load_scenario(project / "plant.yaml"), project)
