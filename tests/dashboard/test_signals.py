"""Kill tests: the dashboard in a real process, with runs going in its workers, stopped by signals.

SIGTERM (a service manager, ``kill``) and SIGINT (Ctrl+C: the terminal signals the whole process
group) must end the server within seconds and leave no process of it behind; SIGKILL gives the
server no chance, and its workers must then end by themselves.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lingtan.dashboard.safety import safe_yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
STOP_S = 10.0
"""Time the server gets to exit after the signal [s] (it needs about 1 s; the rest is a loaded machine)."""

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


def _stat(pid: int) -> tuple[str, int, str] | None:
    """(state, parent pid, start time) of a process from /proc, None if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), fields[19]


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its start time (so that a reused pid is not mistaken for it)."""
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and (st := _stat(int(d.name))):
            parents[int(d.name)] = st
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        for child, (_, ppid, start) in parents.items():
            if ppid == p and child not in found:
                found[child] = start
                todo.append(child)
    return found


def _alive(pid: int, start: str) -> bool:
    st = _stat(pid)
    return st is not None and st[2] == start and st[0] != "Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _callback(url: str, output: str, inputs: list[dict], state: list) -> dict:
    """Call the Dash callback whose outputs include ``output`` over HTTP, as the browser does; returns the
    response's values by component id."""
    with urllib.request.urlopen(url + "/_dash-dependencies", timeout=60) as r:
        spec = next(d["output"] for d in json.loads(r.read()) if output in d["output"])
    outputs = [dict(zip(("id", "property"), o.split(".", 1), strict=True)) for o in spec.strip(".").split("...")]
    body = {
        "output": spec,
        "outputs": outputs,
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }
    req = urllib.request.Request(
        url + "/_dash-update-component", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["response"]


def _start_run(url: str, scenario: str) -> dict:
    store = {
        "label": scenario,
        "source": "library",
        "data": safe_yaml((SCENARIOS / scenario).read_text(encoding="utf-8"), scenario),
    }
    out = _callback(
        url,
        "job-store.data",
        [{"id": "run-btn", "property": "n_clicks", "value": 1}],
        [
            {"id": "scenario-store", "property": "data", "value": store},
            [],
            [],
            {"id": "weather-years", "property": "value", "value": None},  # the typical year only
        ],
    )
    job = out["job-store"]["data"]
    assert job and job.get("run_id"), out
    return job


def _run_state(url: str, job: dict) -> str:
    out = _callback(
        url,
        "run-progress.children",
        [{"id": "run-poll", "property": "n_intervals", "value": 1}],
        [{"id": "job-store", "property": "data", "value": job}],
    )
    return json.dumps(out["run-progress"]["children"])


@pytest.fixture
def busy_server(tmp_path):
    """A dashboard with two workers, each in the middle of a park run; yields (process, its descendants)."""
    port = _free_port()
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lingtan.dashboard.app",
            "--port",
            str(port),
            "--results",
            str(tmp_path / "results"),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    pytest.fail(f"the dashboard did not start:\n{log.read()[-3000:]}")
                time.sleep(0.2)
        jobs = [_start_run(url, "anhui-park.yaml") for _ in range(2)]
        deadline = time.time() + 120
        while not all('"data-status": "running"' in _run_state(url, j) for j in jobs):
            assert time.time() < deadline, "the runs did not start"
            time.sleep(0.5)
        time.sleep(1.0)  # into the model, past the hand-over
        procs = _descendants(proc.pid)
        assert len(procs) >= 2, procs  # the two workers at least
        yield proc, procs
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        for pid in _descendants(proc.pid):  # never leave anything running, even when the test fails
            os.kill(pid, signal.SIGKILL)
        log.seek(0)
        print(log.read()[-3000:])
        log.close()


def _assert_all_gone(procs: dict[int, str], within_s: float) -> None:
    deadline = time.time() + within_s
    while (left := [p for p, start in procs.items() if _alive(p, start)]) and time.time() < deadline:
        time.sleep(0.1)
    assert not left, f"still running after {within_s} s: {left}"


def test_sigterm_stops_the_server_and_every_worker(busy_server):
    proc, procs = busy_server
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(STOP_S) == 0
    _assert_all_gone(procs, 1.0)


def test_ctrl_c_stops_the_server_and_every_worker(busy_server):
    proc, procs = busy_server
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl+C
    assert proc.wait(STOP_S) == 0
    _assert_all_gone(procs, 1.0)


def test_workers_of_a_killed_server_end_by_themselves(busy_server):
    proc, procs = busy_server
    proc.kill()
    proc.wait(STOP_S)
    _assert_all_gone(procs, 5.0)
