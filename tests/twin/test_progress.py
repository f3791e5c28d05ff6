"""Progress of long work: the stages a park run, a plan, a sizing search and the validation name, and the bars the
command line draws from them (only on a terminal, never with --quiet)."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lingtan.twin.cli import main
from lingtan.twin.cli.progress import progress_bars
from lingtan.twin.core import progress
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.reports.i18n import LABELS
from lingtan.twin.studies.park import simulate_park
from lingtan.twin.studies.plan import run_plan
from lingtan.twin.studies.sizing import size

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"
PLAN = ROOT / "scenarios" / "hefei_auto_parts_plan.yaml"
ANHUI = ROOT / "scenarios" / "anhui-park.yaml"


class Recorder:
    """A listener that keeps every stage with its announced total and the steps counted in it."""

    def __init__(self):
        self.stages: list[list] = []

    def stage(self, name, total):
        self.stages.append([name, total, 0])

    def advance(self, n):
        self.stages[-1][2] += n

    def names(self):
        return [s[0] for s in self.stages]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_park_names_its_stages_and_counts_every_tenant():
    park = load_scenario(ANHUI)
    rec = Recorder()
    with progress.listening(rec):
        simulate_park(park, ANHUI.parent, power_flow=False)
    assert rec.names() == ["progress_profiles", "progress_tenants", "progress_park_bus", "progress_accounting"]
    profiles, tenants = rec.stages[0], rec.stages[1]
    assert profiles[1] == profiles[2] == len(park.tenants) + 1  # the weather, then each tenant's profiles
    assert tenants[1] == tenants[2] == len(park.tenants)


def test_plan_counts_its_years():
    rec = Recorder()
    with progress.listening(rec):
        res = run_plan(PLAN, file=PLAN)
    assert rec.stages == [["progress_plan_years", len(res.years), len(res.years)]]


def test_sizing_counts_every_simulated_design_and_mutes_nothing_it_does_not_own():
    rec = Recorder()
    with progress.listening(rec):
        res = size(FACTORY, ["hunan_factory_2025"], ["pv"], grid_points={"pv": [1.0, 2.0]}, exhaustive_limit=16)
    assert rec.names() == ["progress_sizing_base", "progress_sizing_search"]
    search = rec.stages[1]
    assert search[1] == 2  # an exhaustive grid of two levels: its total is known ahead
    assert rec.stages[0][2] + search[2] == res.simulations


def test_every_stage_name_has_both_languages():
    names = {"progress_profiles", "progress_tenants", "progress_park_bus", "progress_power_flow"}
    names |= {"progress_accounting", "progress_plan_years", "progress_sizing_base", "progress_sizing_search"}
    names |= {"progress_year", "progress_base", "progress_economics", "progress_reports", "progress_validation"}
    names |= {"progress_weather_years", "progress_uncertainty"}
    for n in names:
        en, zh = LABELS[n]
        assert en and zh and en != zh, n


def _draw(stream, quiet=False, lang="en"):
    with progress_bars(quiet, lang, stream=stream) as done:
        progress.stage("progress_tenants", 3)
        for _ in range(3):
            progress.advance()
        progress.stage("progress_sizing_search", None)
        progress.advance(5)
        done()
    return stream.getvalue()


def test_bars_are_drawn_on_a_terminal_with_their_stage_names():
    text = _draw(Terminal())
    assert "[1] tenants, hour by hour" in text and "3/3" in text
    assert "[2] designs simulated: 5" in text  # no total: a count, no percentage


def test_bars_speak_chinese():
    assert "[1] 企业逐时模拟" in _draw(Terminal(), lang="zh")


@pytest.mark.parametrize("stream, quiet", [(io.StringIO(), False), (Terminal(), True)])
def test_no_bar_off_a_terminal_or_with_quiet(stream, quiet):
    assert _draw(stream, quiet) == ""


@pytest.mark.parametrize("quiet", [False, True])
def test_twin_run_draws_its_stages_on_a_terminal_unless_quiet(tmp_path, monkeypatch, capsys, quiet):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    argv = ["run", str(FACTORY), "--out", str(tmp_path / "r"), "--reports", "none", "--no-lp-optimum"] + (
        ["--quiet"] if quiet else []
    )
    assert main(argv) == 0
    bars = [line for line in terminal.getvalue().replace("\r", "\n").splitlines() if line.startswith("[")]
    if quiet:
        assert bars == []
    else:
        stages = {re.match(r"\[\d\] [^:\[]+", line).group(0).strip() for line in bars}
        assert stages == {"[1] the year, hour by hour", "[2] economics", "[3] writing the results"}


def test_run_on_a_pipe_draws_no_bar(tmp_path):
    """``twin run`` on a pipe writes no bar: stderr holds only what it held before (the plausibility warnings)."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "lingtan.twin.cli",
            "run",
            str(FACTORY),
            "--out",
            str(tmp_path / "r"),
            "--reports",
            "none",
            "--no-lp-optimum",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert all(line.startswith("warning: ") for line in out.stderr.splitlines()), out.stderr


def test_validation_counts_its_case_groups_on_a_terminal(tmp_path, monkeypatch):
    from lingtan.validation.cli import main as validate

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    validate(["--quick", "--only", "accounting", "--out", str(tmp_path)])
    bars = [line for line in terminal.getvalue().replace("\r", "\n").splitlines() if line.startswith("[1]")]
    assert bars and bars[-1].startswith("[1] validation groups:") and "1/1" in bars[-1]


def test_a_stage_done_in_one_block_shows_its_name_and_time_only():
    stream = Terminal()
    with progress_bars(stream=stream):
        progress.stage("progress_park_bus")
    lines = [x for x in stream.getvalue().replace("\r", "\n").splitlines() if x]
    assert lines and re.fullmatch(r"\[1\] park bus \[00:0\d\]", lines[-1]), lines
