"""The dashboard's worker processes: a run past the time limit is stopped and its worker replaced, a
worker that dies fails its own run only, and shutting down leaves no worker behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from lingtan.dashboard import pages_scenario
from lingtan.dashboard.safety import safe_yaml
from lingtan.dashboard.ui import Context
from lingtan.dashboard.worker import RunManager
from lingtan.twin.core.scenario import load_scenario
from lingtan.twin.run import simulate

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DEFAULT = safe_yaml((SCENARIOS / "hefei_auto_parts.yaml").read_text(encoding="utf-8"))
PARK = safe_yaml((SCENARIOS / "anhui-park.yaml").read_text(encoding="utf-8"))
WAIT_S = 300.0
"""Longest wait for a run here [s]: a fresh worker imports the model first, on a possibly busy machine."""


def _gone(pid: int, within_s: float = 5.0) -> bool:
    """True once process ``pid`` has ended (a zombie has ended too)."""
    deadline = time.time() + within_s
    while time.time() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def _wait_running(manager: RunManager, run_id: str) -> None:
    deadline = time.time() + WAIT_S
    # one reading per turn: read twice, a run that starts between the readings failed the check
    while (status := manager.status(run_id))["status"] != "running":
        assert time.time() < deadline and status["status"] == "queued", status
        time.sleep(0.05)


@pytest.fixture(scope="module")
def manager(tmp_path_factory):
    m = RunManager(tmp_path_factory.mktemp("results"), workers=1)
    yield m
    m.shutdown()


def test_a_run_past_the_limit_is_stopped_its_worker_replaced_and_the_next_run_done(manager):
    first = manager.pids()
    # A warm worker simulates the default year in about 0.02 s (0.2 s with numba's cache to load): 1 ms is
    # too little for any year, so the limit stops it whatever the machine.
    manager.run_timeout_s = 0.001
    stopped = manager.submit(DEFAULT, "hefei_auto_parts.yaml", SCENARIOS)
    st = manager.wait(stopped, WAIT_S)
    assert st["status"] == "stopped"
    assert st["message"].startswith("stopped: exceeded the 0.001 s limit"), st["message"]
    assert first and _gone(first[0]), "the worker past the limit still runs"
    assert manager.pids() and manager.pids() != first  # replaced: the pool keeps its size
    assert manager.result(stopped) is None and manager.folder(stopped) is None

    c = Context(SCENARIOS, manager.results_dir, manager)
    progress, run_store, poll_off, button_off, msg, top = pages_scenario.poll(c, {"run_id": stopped})
    assert msg.id == "run-error" and msg.children == st["message"]
    assert progress.children[1].children == "stopped" and poll_off and not button_off

    manager.run_timeout_s = 300.0
    done = manager.submit(DEFAULT, "hefei_auto_parts.yaml", SCENARIOS)
    assert manager.wait(done, WAIT_S)["status"] == "done"
    kind, result = manager.result(done)
    # the worker's year is the year of a run in this process, to the last bit
    here = simulate(load_scenario(SCENARIOS / "hefei_auto_parts.yaml"), SCENARIOS)
    assert kind == "run" and result.kpis["re_electricity_share_onsite"] == here.kpis["re_electricity_share_onsite"]


def test_a_worker_that_dies_fails_its_own_run_only(manager):
    manager.run_timeout_s = 300.0
    run_id = manager.submit(PARK, "anhui-park.yaml", SCENARIOS)
    _wait_running(manager, run_id)
    (pid,) = manager.pids()
    os.kill(pid, signal.SIGKILL)
    st = manager.wait(run_id, WAIT_S)
    assert st["status"] == "error" and "worker running this scenario stopped" in st["message"]
    assert manager.pids() and manager.pids() != [pid]
    again = manager.submit(DEFAULT, "hefei_auto_parts.yaml", SCENARIOS)
    assert manager.wait(again, WAIT_S)["status"] == "done"


def test_shutdown_stops_running_and_queued_runs_and_ends_every_worker(tmp_path):
    m = RunManager(tmp_path, workers=2)
    running = [m.submit(PARK, "anhui-park.yaml", SCENARIOS) for _ in range(2)]
    queued = m.submit(DEFAULT, "hefei_auto_parts.yaml", SCENARIOS)
    for run_id in running:
        _wait_running(m, run_id)
    pids = m.pids()
    assert len(pids) == 2
    m.shutdown()
    assert all(_gone(p, 0.5) for p in pids), "shutdown returned with a worker still running"
    for run_id in running + [queued]:
        st = m.wait(run_id, 10)
        assert st["status"] == "stopped" and st["message"] == "stopped: the server is shutting down", st
    with pytest.raises(RuntimeError, match="shutting down"):
        m.submit(DEFAULT, "hefei_auto_parts.yaml", SCENARIOS)
    assert m.pids() == []


def test_the_limit_is_set_on_the_command_line_or_in_create_app(tmp_path):
    from lingtan.dashboard.app import build_parser, create_app, main

    assert build_parser().parse_args([]).run_timeout_s == 300.0
    assert build_parser().parse_args(["--run-timeout-s", "30"]).run_timeout_s == 30.0
    for bad in ("-1", "inf", "nan"):
        with pytest.raises(SystemExit) as exit_:
            main(["--run-timeout-s", bad])
        assert exit_.value.code == 2
    app = create_app(SCENARIOS, tmp_path, processes=False, run_timeout_s=7.0)
    assert app._twin_context.manager.run_timeout_s == 7.0
    app._twin_context.manager.shutdown()


def test_a_battery_with_optimal_dispatch_runs_as_twin_run_runs_it(tmp_path):
    # dispatch: optimal needs the LP strategy that twin run passes; the worker passed none and every such run
    # came back as "battery[0].dispatch ... no optimal strategy given".
    import yaml

    from lingtan.dashboard.worker import execute

    root = Path(__file__).resolve().parents[2]
    data = yaml.safe_load((root / "scenarios" / "hefei_auto_parts.yaml").read_text(encoding="utf-8"))
    _, rule, _ = execute(data, "hefei_auto_parts.yaml", str(root / "scenarios"), str(tmp_path / "rule"))
    data["battery"][0]["dispatch"] = "optimal"
    kind, result, _ = execute(data, "hefei_auto_parts.yaml", str(root / "scenarios"), str(tmp_path / "out"))
    assert kind == "run", result
    # The LP minimises the bill over the same plant: never above the load-following rule's (a relaxation of it).
    assert result.kpis["grid_cost_cny"] < rule.kpis["grid_cost_cny"]
