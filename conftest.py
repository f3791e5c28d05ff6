"""Fixtures shared by the test folders (here at the root: a conftest in tests/ would put tests/ on sys.path,
where tests/weather would shadow the weather package)."""
import shutil
import subprocess

import pytest


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium; installed with apt-get when missing (CI runs on a fresh machine)."""
    exe = shutil.which("chromium")
    if exe is None and shutil.which("apt-get"):
        for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                break
        exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("chromium is not installed and `apt-get install -y chromium` failed "
                    "(needs root and the Debian archive)")
    return exe
