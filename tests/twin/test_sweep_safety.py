"""twin sweep, safely: bounded designs, a resume key of every input and the model, one sweep per folder at a
time, and no worker left behind by SIGTERM or SIGINT (real processes and signals)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from support.scenario_files import snapshot

from lingtan.errors import InputError
from lingtan.twin.cli.sweep import main
from lingtan.twin.core.results_dir import MARKER, reserve, write_results
from lingtan.twin.studies.sweep import MAX_CASES, read_results, run_sweep

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
PV = "pv[0].capacity_kwp"
BAT = "battery[0].energy_kwh"
TWIN = Path(sys.executable).with_name("twin")


def small(out, *extra, params=(f"{PV}=1000:20000:2", f"{BAT}=0:8000:2")) -> int:
    argv = [str(SCENARIO), "--out", str(out), "--no-verdicts", "--no-plots", *extra]
    for p in params:
        argv += ["--param", p]
    return main(argv)


# --------------------------------------------------------------------------- bounded designs


@pytest.mark.parametrize(
    "extra, found",
    [
        ((f"--param={PV}=0:1000:100000000",), "100,000,000 cases"),
        ((f"--param={PV}=0:1000:100000", f"--param={BAT}=0:1000:100000"), "10,000,000,000 cases"),
        ((f"--param={PV}=0:1000", "--lhs", "1000000000"), "1,000,000,000 cases"),
    ],
)
def test_huge_design_refused_before_it_is_built(tmp_path, extra, found):
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=f"at most {MAX_CASES:,} cases .*--max-cases.*found {found}"):
        main([str(SCENARIO), "--out", str(tmp_path / "out"), *extra])
    assert time.perf_counter() - t0 < 30  # refused from the count, no design built (which took > 6 GB)
    assert not (tmp_path / "out").exists()


def test_console_reports_a_huge_design_in_one_line(tmp_path):
    proc = subprocess.run(
        [str(TWIN), "sweep", str(SCENARIO), "--param", f"{PV}=0:1000:100000000", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "100,000,000 cases" in proc.stderr


def test_max_cases_flag_and_the_estimate_printed_first(tmp_path, capsys):
    with pytest.raises(InputError, match="at most 3 cases .* found 4 cases"):
        small(tmp_path / "a", "--max-cases", "3")
    assert not (tmp_path / "a").exists()
    assert small(tmp_path / "a", "--max-cases", "4") == 0
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert re.fullmatch(
        r"sweep: 4 cases \(grid, fast path\), 4 to run; estimate .+ and [\d,]+ MB "
        r"\(limit 4 cases: --max-cases\)",
        first,
    ), first
    assert "4/4 cases" in err.split(first, 1)[1]  # the progress after the estimate
    assert len(read_results(tmp_path / "a")) == 4


# --------------------------------------------------------------------------- the resume key


def _csv_scenario(folder: Path) -> Path:
    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    pd.DataFrame({"p_kw": np.full(8760, 5000.0)}).to_csv(folder / "load.csv", index=False)
    data["loads"] = [{"name": "meter", "kind": "csv", "path": "load.csv", "column": "p_kw"}]
    path = folder / "plant.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_resume_refused_when_a_named_file_or_the_model_changed(tmp_path, monkeypatch):
    scenario = _csv_scenario(tmp_path)
    out = tmp_path / "out"
    params = [f"{PV}=1000:20000:2"]
    run_sweep(scenario, params, out=out, verdicts=False, progress=False)
    assert run_sweep(scenario, params, out=out, verdicts=False, progress=False)["skipped"] == 2  # unchanged: resumes
    before = snapshot(out)
    pd.DataFrame({"p_kw": np.full(8760, 6000.0)}).to_csv(tmp_path / "load.csv", index=False)
    with pytest.raises(InputError, match=r"found loads\[0\]\.path changed since this sweep was started"):
        run_sweep(scenario, params, out=out, verdicts=False, progress=False)
    pd.DataFrame({"p_kw": np.full(8760, 5000.0)}).to_csv(tmp_path / "load.csv", index=False)
    import lingtan.twin.core.provenance

    monkeypatch.setattr(lingtan.twin.core.provenance, "model_version", lambda: "0.1.0+edited")
    with pytest.raises(InputError, match=r"the model changed \(0\.1\.0\+\w+ -> 0\.1\.0\+edited\)"):
        run_sweep(scenario, params, out=out, verdicts=False, progress=False)
    monkeypatch.undo()
    with pytest.raises(InputError, match="results of another sweep"):
        run_sweep(scenario, [f"{BAT}=0:1:2"], out=out, verdicts=False, progress=False)
    assert snapshot(out) == before  # refusals touch nothing
    (tmp_path / "load.csv").unlink()
    with pytest.raises(InputError, match=r"loads\[0\]\.path: expected a readable file"):
        run_sweep(scenario, params, out=tmp_path / "new", verdicts=False, progress=False)


def test_sweep_refuses_foreign_folders_and_other_results(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("mine")
    run = tmp_path / "run"
    write_results(run, lambda f: (f / "kpis.json").write_text("{}"))
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match=r"a folder holding other files \(notes.txt\)"):
        small(work)
    with pytest.raises(InputError, match="the results of a run, where this writes a sweep's"):
        small(run)
    assert snapshot(tmp_path) == before
    assert small(tmp_path / "sw") == 0 and (tmp_path / "sw" / MARKER).is_file()


# --------------------------------------------------------------------------- signals and a concurrent sweep

_HOLD = """
import sys, time
from lingtan.twin.core.results_dir import reserve
with reserve(sys.argv[1], "sweep"):
    print("held", flush=True)
    time.sleep(120)
"""


def test_second_sweep_into_a_folder_in_use_is_refused(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(InputError, match=f"in use by PID {holder.pid}"):
            small(out)
    finally:
        holder.kill()
        holder.wait()
    assert not out.exists()
    assert small(out) == 0  # the lock of a killed holder is free


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_workers_and_keeps_the_finished_cases(tmp_path, sig):
    out, n = tmp_path / "out", 24
    # weather.seed is no kernel size: whole scenarios in a pool of two worker processes
    param = f"weather.seed=1:{n}:{n}"
    cmd = [str(TWIN), "sweep", str(SCENARIO), "--param", param, "--jobs", "2", "--out", str(out), "--no-plots"]
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    try:
        t0, workers = time.time(), []
        while time.time() - t0 < 240 and proc.poll() is None:
            workers = [c for c in _children(proc.pid) if _running(c)]
            done = re.findall(rf"\] (\d+)/{n} cases", log.read_text())
            if len(workers) >= 2 and done and int(done[-1]) >= 1:
                break
            time.sleep(0.05)
        assert proc.poll() is None and len(workers) >= 2, log.read_text()
        with pytest.raises(InputError, match=f"in use by PID {proc.pid}"):  # the running sweep holds its folder
            reserve(out, "sweep").__enter__()
        workers = [c for c in _children(proc.pid) if _running(c)]
        proc.send_signal(sig)
        # the workers are stopped at once, not after the cases queued for them (about 10 s of work are left)
        deadline = time.time() + 3
        while time.time() < deadline and any(_running(w) for w in workers):
            time.sleep(0.05)
        assert not [w for w in workers if _running(w)], "worker processes survived the signal"
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert code == 128 + sig, text
    m = re.search(rf"stopped by {sig.name}; (\d+) of {n} cases are in {re.escape(str(out))}, rerun", text)
    assert m and "Traceback" not in text, text
    kept = read_results(out)
    assert 1 <= len(kept) == int(m.group(1)) < n and not kept.case_hash.duplicated().any()
    if sig == signal.SIGTERM:  # the rerun runs the rest only
        s = run_sweep(SCENARIO, [param], out=out, jobs=2, progress=False)
        assert s["skipped"] == len(kept) and s["ran"] == n - len(kept)
        rows = read_results(out)
        assert len(rows) == n and not rows.case_hash.duplicated().any()
        assert sorted(rows["weather.seed"]) == list(range(1, n + 1))


def test_a_range_the_schema_refuses_is_found_before_the_folder_is_made(tmp_path, capsys):
    """Issue 12 review: `--param pv[0].capacity_kwp=0:1e300:3` printed the estimate, failed at its first case
    and left the sweep folder behind; the range is checked against the schema before anything is written."""
    from lingtan.twin.cli import main

    code = main(["sweep", str(SCENARIO), "--param", "pv[0].capacity_kwp=0:1e300:3", "--out", str(tmp_path / "sw")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "pv[0].capacity_kwp" in err and "Traceback" not in err, err
    assert not (tmp_path / "sw").exists()
