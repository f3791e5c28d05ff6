"""What ``pip install .`` puts into site-packages: the lingtan namespace only (issue 14)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_only_lingtan(tmp_path):
    # A wheel is what pip installs; its top-level names are what lands in site-packages. PyPI has unrelated
    # packages named validation, dashboard, components and scenarios: none of ours may sit beside them.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("lingtan-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"lingtan", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    # Every package of the namespace and its shipped data are inside.
    for expected in (
        "lingtan/errors.py",
        "lingtan/twin/run.py",
        "lingtan/twin/core/dispatch.py",
        "lingtan/twin/core/schema/site.py",
        "lingtan/components/data/fuels.csv",
        "lingtan/scenarios/hefei_auto_parts.yaml",
        "lingtan/scenarios/data/example_park_network.json",
        "lingtan/validation/cli.py",
        "lingtan/dashboard/app.py",
    ):
        assert expected in names, expected
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "twin = lingtan.twin.cli:main" in entry
