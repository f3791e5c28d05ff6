"""``twin run --weather-years``: bad counts exit 2 in one line; an ensemble writes its odds, a single year does not."""

import json

import pandas as pd
import pytest
from support.scenario_files import DEFAULT, base, write  # noqa: F401 (base is a fixture)

from lingtan.limits import MAX_ENSEMBLE_YEARS
from lingtan.twin.cli import main


def one_line_error(capsys, *argv) -> str:
    code = main(list(argv))
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("years", ["1", "0", str(MAX_ENSEMBLE_YEARS + 1)])
def test_bad_weather_years_exit_2(tmp_path, capsys, years):
    out = tmp_path / "out"
    err = one_line_error(capsys, "run", str(DEFAULT), "--out", str(out), "--weather-years", years)
    assert "--weather-years" in err and f"from 2 to {MAX_ENSEMBLE_YEARS}" in err and f"found {years}" in err
    assert not out.exists()


def test_weather_years_of_file_weather_say_what_to_give(tmp_path, capsys, base):
    base["weather"] = {"source": "csv", "path": "w.csv"}
    path = write(tmp_path, base)
    err = one_line_error(capsys, "run", str(path), "--out", str(tmp_path / "out"), "--weather-years", "3")
    assert "weather.ensemble.paths" in err and "weather.source: csv" in err


def test_ensemble_run_writes_odds_and_a_single_year_does_not(tmp_path, capsys):
    single, ens = tmp_path / "single", tmp_path / "ens"
    assert main(["run", str(DEFAULT), "--out", str(single), "--reports", "none", "--quiet"]) == 0
    kpis = json.loads((single / "kpis.json").read_text(encoding="utf-8"))
    criteria = json.loads((single / "criteria.json").read_text(encoding="utf-8"))
    assert "ensemble" not in kpis and not any("odds" in v for v in criteria["verdicts"])
    assert not (single / "ensemble.parquet").exists()

    capsys.readouterr()
    assert main(["run", str(DEFAULT), "--out", str(ens), "--reports", "none", "--weather-years", "2"]) == 0
    text = capsys.readouterr().out
    e = json.loads((ens / "kpis.json").read_text(encoding="utf-8"))
    # The typical year is the single run, untouched
    assert {k: v for k, v in e.items() if k != "ensemble"} == kpis
    assert e["ensemble"]["members"] == 2 and e["ensemble"]["source"] == "synthetic"
    assert "exceeded in XX % of the years" in e["ensemble"]["convention"]
    share = e["ensemble"]["kpis"]["re_electricity_share_onsite"]
    assert share["min"] <= share["p90"] <= share["p50"] <= share["p10"] <= share["max"]
    members = pd.read_parquet(ens / e["ensemble"]["members_table"])
    assert len(members) == 2 and share["mean"] == pytest.approx(members["re_electricity_share_onsite"].mean())
    verdicts = json.loads((ens / "criteria.json").read_text(encoding="utf-8"))["verdicts"]
    with_odds = [v for v in verdicts if "odds" in v]
    assert with_odds and all(v["input"] == "simulated" for v in with_odds)
    re_ratio = next(v for v in with_odds if v["criterion_id"] == "hunan_factory_2025.re_ratio")
    assert set(re_ratio["odds"]) == {"members", "p_pass", "value_p50", "value_p90", "margin_p50", "margin_p90"}
    # Printed once: the convention; per simulated criterion: typical value, P50, P90, probability of passing
    assert text.count("PXX is the value exceeded in XX % of the years") == 1
    assert text.count("odds: typical year") == len(with_odds)
    o = re_ratio["odds"]
    assert f"typical year {re_ratio['value']:.4g}, P50 {o['value_p50']:.4g}, P90 {o['value_p90']:.4g}" in text
    assert f"P(pass) {o['p_pass'] * 100:.0f} %" in text
