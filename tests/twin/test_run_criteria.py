"""Criteria in a run: criteria.json, the terminal verdicts, and errors naming the pack."""

import json
from pathlib import Path

import pytest
import yaml

from lingtan.twin.cli import main

ROOT = Path(__file__).resolve().parents[2]
FACTORIES = [ROOT / "scenarios" / "hefei_auto_parts.yaml", ROOT / "scenarios" / "hefei_auto_parts_heat.yaml"]


@pytest.mark.parametrize("path", FACTORIES, ids=lambda p: p.stem)
def test_factory_run_prints_and_writes_verdicts(path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-lp-optimum"]) == 0
    printed = capsys.readouterr().out
    for pack in ("zhejiang_factory_2025", "hunan_factory_2025", "national_factory_guidance"):
        assert f"== {pack}:" in printed
    data = json.loads((out / "criteria.json").read_text(encoding="utf-8"))
    assert [p["pack"] for p in data["packs"]] == [
        "zhejiang_factory_2025",
        "hunan_factory_2025",
        "national_factory_guidance",
    ]
    for v in data["verdicts"]:
        assert v["clause"] and v["source_doc"] and v["text_zh"], v["criterion_id"]
        assert v["input"] in ("simulated", "declared", "missing")
        # A numeric margin has the sign of the verdict for admission and target criteria.
        if v["role"] in ("admission", "target") and isinstance(v["margin"], (int, float)):
            assert (v["margin"] >= -1e-9) == v["passed"], v["criterion_id"]
    acc = json.loads((out / "accounting.json").read_text(encoding="utf-8"))
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    # GB/T 2589 calorific value of electricity 0.1229 kgce/kWh on the consumption the KPIs state; GB/T 32150 scope 2
    # (location) = grid import x the national 2022 average factor 0.5366 tCO2/MWh (components/data/emission_factors.csv)
    elec = acc["energy"]["electricity"]
    assert elec["consumed_e_kwh"] == pytest.approx(kpis["total_consumption_e_kwh"], rel=1e-12)
    assert elec["calorific_tce"] == pytest.approx(kpis["total_consumption_e_kwh"] * 0.1229 / 1000, rel=1e-12)
    scope2 = acc["emissions"]["scope2_location"]
    assert scope2["ef_t_per_mwh"] == 0.5366
    assert scope2["electricity_t"] == pytest.approx(kpis["grid_import_e_kwh"] / 1000 * 0.5366, rel=1e-12)


def test_unknown_pack_is_a_field_error(tmp_path, capsys):
    data = yaml.safe_load(FACTORIES[0].read_text(encoding="utf-8"))
    data["criteria"] = ["anhui_park_2024", "zhejiang_factory_2026"]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "criteria" in err and "zhejiang_factory_2026" in err and "zhejiang_factory_2025" in err


def test_undeclared_fact_fails_never_passes(tmp_path):
    data = yaml.safe_load(FACTORIES[0].read_text(encoding="utf-8"))
    del data["declared"]["green_factory_level"]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-lp-optimum"]) == 0
    verdicts = {v["criterion_id"]: v for v in json.loads((out / "criteria.json").read_text())["verdicts"]}
    v = verdicts["zhejiang_factory_2025.green_factory"]
    assert v["passed"] is False and v["input"] == "missing" and "not declared" in v["note"]
