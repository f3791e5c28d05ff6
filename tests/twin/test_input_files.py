"""A path that names no regular file is refused before anything reads it (issue 12: `weather: {path:
/dev/zero}` made `twin check` hang and `twin run` grow by 100 MB/s; a FIFO hung both)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lingtan.errors import InputError, require_file

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "hefei_auto_parts.yaml"


def test_require_file_says_what_is_there(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    assert require_file(tmp_path / "a.csv", "f", "a CSV") == tmp_path / "a.csv"
    for path, found in (
        (tmp_path / "none.csv", "no such file"),
        (tmp_path, "a folder"),
        (Path("/dev/zero"), "not a regular file"),
    ):
        with pytest.raises(InputError, match=found):
            require_file(path, "f", "a CSV")
    with pytest.raises(InputError, match="more than the 0 MiB limit"):
        require_file(tmp_path / "a.csv", "f", "a CSV", max_bytes=1)


@pytest.mark.parametrize("field", ["weather", "load"])
@pytest.mark.parametrize("kind", ["device", "fifo"])
@pytest.mark.parametrize("command", ["check", "run"])
def test_device_or_pipe_as_a_data_file_is_refused_at_once(tmp_path, field, kind, command):
    if kind == "fifo":
        target = tmp_path / "data.csv"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    if field == "weather":
        data["weather"] = {"source": "csv", "path": str(target)}
    else:
        data["loads"] = [{"name": "metered", "kind": "csv", "path": str(target), "column": "p_kw"}]
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = [sys.executable, "-m", "lingtan.twin.cli", command, str(scenario)]
    if command == "run":
        args += ["--out", str(tmp_path / "out"), "--reports", "none"]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)  # a read would never end
    finally:
        if kind == "fifo":
            target.unlink()  # other tests look into the session's temporary folders
    assert done.returncode == 2, done.stderr
    assert "not a regular file (a device, pipe or socket)" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
