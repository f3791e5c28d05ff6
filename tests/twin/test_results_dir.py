"""Results folders: --out writes only into a new, empty or own folder, replaces without a window, cleans after
killed runs, is locked against a concurrent run, and never writes outside itself."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from support.scenario_files import snapshot

from lingtan.errors import InputError
from lingtan.twin.cli import main
from lingtan.twin.core import results_dir
from lingtan.twin.core.results_dir import MARKER, check_out, exchange, inside, reserve, write_results

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "hefei_auto_parts.yaml"
TWIN = Path(sys.executable).with_name("twin")


def run_cli(capsys, out, *extra, scenario=SCENARIO) -> tuple[int, str]:
    code = main(["run", str(scenario), "--out", str(out), "--quiet", "--reports", "none", "--no-lp-optimum", *extra])
    return code, capsys.readouterr().err.strip()


def refused(capsys, out, *fragments) -> str:
    code, err = run_cli(capsys, out)
    assert code == 2, err
    assert err.count("\n") == 0 and "Traceback" not in err, err
    for frag in (
        "--out",
        "expected a new folder, an empty one, or one that holds only results the twin wrote",
        *fragments,
    ):
        assert frag in err, f"{frag!r} not in {err!r}"
    return err


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def write_files(names):
    def write(folder: Path) -> None:
        for name in names:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(name)

    return write


# --------------------------------------------------------------------------- what --out refuses, touching nothing


def test_folder_with_unrelated_files_is_refused_and_untouched(tmp_path, capsys):
    out = tmp_path / "work"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.docx").write_bytes(b"years of work")
    (out / "sub" / "data.csv").write_text("a,b\n1,2\n")
    before = snapshot(tmp_path)
    refused(capsys, out, "a folder holding other files (sub, thesis.docx)")
    assert snapshot(tmp_path) == before  # no lock file, no temporary folder, nothing replaced


def test_out_dot_in_the_scenario_folder_is_refused(tmp_path, capsys, monkeypatch):
    scenario = tmp_path / "plant.yaml"
    scenario.write_bytes(SCENARIO.read_bytes())
    before = snapshot(tmp_path.parent)
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(capsys, ".", scenario=Path("plant.yaml"))
    assert code == 2 and "plant.yaml" in err and err.count("\n") == 0, err
    assert snapshot(tmp_path.parent) == before


def test_plain_file_and_path_under_a_plain_file_are_refused(tmp_path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    before = snapshot(tmp_path)
    refused(capsys, f, "a file, not a folder")
    refused(capsys, f / "out", f"a path under the plain file {f}")
    refused(capsys, f / "a" / "b", f"a path under the plain file {f}")
    assert snapshot(tmp_path) == before


def test_size_refuses_before_searching(tmp_path, capsys):
    from lingtan.twin.cli.size import main as size

    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    t0 = time.perf_counter()
    assert size([str(SCENARIO), "--criteria", "zhejiang_factory_2025", "--out", str(work)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--out" in err and "a folder holding other files (notes.txt)" in err, err
    assert time.perf_counter() - t0 < 10  # refused before the first of its simulations
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent_is_refused(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        refused(capsys, ro / "out", "read-only")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


def test_results_of_another_kind_or_with_foreign_files_are_refused(tmp_path):
    out = tmp_path / "out"
    write_results(out, write_files(["designs.csv"]), kind="size")
    with pytest.raises(InputError, match="the results of a size, where this writes a run's"):
        check_out(out, "run")
    (out / "my_notes.txt").write_text("added by the user")
    (out / "extra").mkdir()
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match=r"files the twin did not write \(extra/, my_notes.txt\)"):
        write_results(out, write_files(["designs.csv"]), kind="size")
    assert snapshot(tmp_path) == before


def test_symbolic_link_in_results_is_foreign(tmp_path):
    out = tmp_path / "out"
    write_results(out, write_files(["a.csv"]))
    (out / "b.csv").symlink_to(tmp_path)
    with pytest.raises(InputError, match=r"did not write \(b.csv\)"):
        check_out(out, "run")


# --------------------------------------------------------------------------- what --out writes


def test_marker_names_the_run(tmp_path, capsys):
    out = tmp_path / "out"
    code, err = run_cli(capsys, out)
    assert code == 0, err
    marker = json.loads((out / MARKER).read_text())
    assert marker["tool"] == "lingtan" and marker["kind"] == "run" and marker["pid"] == os.getpid()
    assert (
        marker["scenario"] == str(SCENARIO)
        and marker["scenario_sha256"] == hashlib.sha256(SCENARIO.read_bytes()).hexdigest()
    )
    assert marker["model"].startswith(marker["version"] + "+")
    assert marker["files"] == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MARKER
    )
    assert {"kpis.json", "hourly.parquet", "hourly.csv"} <= set(marker["files"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # lock released and removed, no leftovers


def test_rerun_replaces_its_own_results(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(capsys, out, "--reports", "html")[0] == 0
    (out / "hourly.csv").write_text("stale")
    assert (out / "report.html").is_file()
    assert run_cli(capsys, out)[0] == 0
    assert not (out / "report.html").exists()  # exactly the new run's files
    assert (out / "hourly.csv").stat().st_size > 100_000
    assert set(json.loads((out / MARKER).read_text())["files"]) == {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MARKER
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_empty_folder_is_used_and_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    inode = out.stat().st_ino
    write_results(out, write_files(["a.csv", "sub/b.csv"]))
    assert (out / "a.csv").read_text() == "a.csv" and (out / "sub" / "b.csv").is_file() and (out / MARKER).is_file()
    assert out.stat().st_ino == inode  # the same folder, filled
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_inside_refuses_names_that_leave_the_folder(tmp_path):
    assert inside(tmp_path, "tenants", "plant_a", field="tenants[0].name") == tmp_path / "tenants" / "plant_a"
    for name in ("../../x", "/abs/path", "..", ".", "", "a/b", "a\\b", "x\x00"):
        with pytest.raises(InputError, match=r"tenants\[2\]\.name"):
            inside(tmp_path, "tenants", name, field="tenants[2].name")


def test_park_tenant_names_cannot_escape(tmp_path):
    import yaml

    from lingtan.twin.core.scenario import scenario_from_dict
    from lingtan.twin.reports.output import write_park
    from lingtan.twin.studies.park import simulate_park

    # Two tenants of the reference park without its network: a park result in two seconds.
    data = yaml.safe_load((ROOT / "scenarios" / "anhui-park.yaml").read_text(encoding="utf-8"))
    data.update(tenants=data["tenants"][2:4], shared={"pv": data["shared"]["pv"]})
    for key in ("network", "heat_network"):
        data.pop(key)
    result = simulate_park(scenario_from_dict(data, "park.yaml"), ROOT / "scenarios")
    first, *rest = result.tenants.items()
    for hostile in ("../../x", str(tmp_path / "abs")):
        bad = dataclasses.replace(result, tenants={first[0]: first[1], hostile: rest[0][1]})
        before = snapshot(tmp_path)
        with pytest.raises(InputError, match=r"tenants\[1\]\.name"):
            write_park(bad, tmp_path / "a" / "out", reports="none")
        assert snapshot(tmp_path) == before | {"a": None}  # only the parent of --out was made


# --------------------------------------------------------------------------- replacing without a window


def test_exchange_swaps_two_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("A")
    (b / "x").write_text("B")
    if not exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here")
    assert (a / "x").read_text() == "B" and (b / "x").read_text() == "A"


@pytest.mark.parametrize("atomic", [True, False])
def test_replacement_never_leaves_no_result(tmp_path, monkeypatch, atomic):
    # After every step the earlier or the new result is at `out`, or the earlier one is in `.out.old-*` where
    # the next start puts it back: there is no moment at which a kill loses both.
    out = tmp_path / "out"
    write_results(out, write_files(["v1.csv"]))
    steps = []

    def check(step):
        olds = [p for p in tmp_path.glob(".out.old-*") if (p / MARKER).is_file()]
        steps.append((step, (out / MARKER).is_file() or len(olds) == 1))

    real_rename, real_exchange = os.rename, results_dir.exchange

    def rename(src, dst):
        real_rename(src, dst)
        check("rename")

    def swap(a, b):
        done = atomic and real_exchange(a, b)
        check("exchange")
        return done

    monkeypatch.setattr(results_dir.os, "rename", rename)
    monkeypatch.setattr(results_dir, "exchange", swap)
    write_results(out, write_files(["v2.csv"]))
    if atomic and [s for s, _ in steps] != ["exchange"]:
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here")
    assert [s for s, _ in steps] == (["exchange"] if atomic else ["exchange", "rename", "rename"])
    assert all(ok for _, ok in steps)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "v2.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


_KILLED_BETWEEN_RENAMES = """
import os, sys
from lingtan.twin.core import results_dir
results_dir.exchange = lambda a, b: False  # the two-step replacement
real, calls = os.rename, []
def rename(src, dst):
    real(src, dst)
    calls.append(dst)
    if len(calls) == 1:
        os._exit(9)  # killed between the two renames: the earlier result is in .out.old-*, the new one in .out.tmp-*
results_dir.os.rename = rename
results_dir.write_results(sys.argv[1], lambda f: (f / "v2.csv").write_text("new"))
"""


def test_kill_between_the_two_renames_is_completed_at_the_next_start(tmp_path):
    out = tmp_path / "out"
    write_results(out, write_files(["v1.csv"]))
    proc = subprocess.run([sys.executable, "-c", _KILLED_BETWEEN_RENAMES, str(out)], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert not out.exists()
    assert len(list(tmp_path.glob(".out.old-*"))) == 1 and len(list(tmp_path.glob(".out.tmp-*"))) == 1
    with reserve(out, "run"):  # the next start puts the earlier result back and deletes the unfinished one
        assert (out / "v1.csv").read_text() == "v1.csv"
        assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_stale_temporary_folders_are_cleaned_only_when_the_twins_and_dead(tmp_path):
    out = tmp_path / "out"
    pid = dead_pid()
    stale = tmp_path / f".out.tmp-{pid}-abc123"
    stale.mkdir()
    results_dir.write_marker(stale, "run", files=[])
    (stale / "hourly.csv").write_text("half")
    empty = tmp_path / f".out.tmp-{pid}-empty1"
    empty.mkdir()
    foreign = tmp_path / f".out.tmp-{pid}-mine99"  # the user's, by the name of it: no marker, not empty
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    live = tmp_path / f".out.tmp-{os.getppid()}-live00"  # a running process's
    live.mkdir()
    results_dir.write_marker(live, "run", files=[])
    write_results(out, write_files(["a.csv"]))
    assert not stale.exists() and not empty.exists()
    assert (foreign / "keep.txt").read_text() == "mine" and (live / MARKER).is_file()


# --------------------------------------------------------------------------- a concurrent run


def test_concurrent_run_is_refused_with_the_pid(tmp_path, capsys):
    out = tmp_path / "out"
    with reserve(out, "run"):
        proc = subprocess.run(
            [str(TWIN), "run", str(SCENARIO), "--out", str(out), "--quiet", "--no-lp-optimum"],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 2, proc.stderr
        err = proc.stderr.strip()
        assert err.count("\n") == 0 and "Traceback" not in err
        assert f"in use by PID {os.getpid()}" in err and "--out" in err
    assert not out.exists()


def test_two_concurrent_runs_never_traceback(tmp_path):
    out = tmp_path / "out"
    cmd = [str(TWIN), "run", str(SCENARIO), "--out", str(out), "--quiet", "--reports", "none", "--no-lp-optimum"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(120), p.stderr.read()) for p in procs]
    for code, err in results:
        assert "Traceback" not in err and code in (0, 2), err
        assert code == 0 or ("in use by PID" in err and err.count("\n") == 1), err
    assert any(code == 0 for code, _ in results)
    assert (out / MARKER).is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# --------------------------------------------------------------------------- killed mid-write


def test_sigkill_mid_write_keeps_the_earlier_result_and_the_next_run_cleans_up(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(capsys, out)[0] == 0
    first = (out / MARKER).read_bytes()
    proc = subprocess.Popen(
        [str(TWIN), "run", str(SCENARIO), "--out", str(out), "--quiet", "--no-lp-optimum"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    t0 = time.time()
    while time.time() - t0 < 60 and proc.poll() is None and not list(tmp_path.glob(".out.tmp-*/hourly.parquet")):
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stale = list(tmp_path.glob(f".out.tmp-{proc.pid}-*"))
    assert len(stale) == 1, "the run was not killed while writing"
    assert (out / MARKER).read_bytes() == first  # the earlier result, untouched
    assert run_cli(capsys, out)[0] == 0
    assert not stale[0].exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/St_Johns", "UTC"])
def test_csv_time_column_is_strftimes_iso_local_time(zone):
    # Plumbing: the fast formatter gives pandas' own strftime, string for string, through daylight-saving
    # changes (Berlin), half-hour offsets (St John's, -0330 / -0230) and UTC (+0000).
    from lingtan.twin.reports.output import _iso_local

    index = pd.date_range("2025-01-01", periods=8760, freq="h", tz=zone)
    assert list(_iso_local(index)) == list(index.strftime("%Y-%m-%dT%H:%M:%S%z"))
