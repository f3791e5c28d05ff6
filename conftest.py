"""Fixtures shared by the test folders (here at the root: a conftest in tests/ would put tests/ on sys.path,
where tests/weather would shadow the weather package).

Tests that need something from outside the repository (a reference file, PySAM, the browser) ask for it
through :func:`references`: missing, it is a visible skip, or a failure when ``LINGTAN_REQUIRE_REFERENCES=1``
(set by ``.ci/run``, where every reference must be there). Installing system packages is the Makefile's
``test`` target's business, never a test's.
"""

import fcntl
import importlib
import os
import shutil

import pytest

from lingtan.validation.cli import REQUIRE_ENV


class References:
    """The one place that decides what a missing reference does to a test: skip, or fail under
    ``LINGTAN_REQUIRE_REFERENCES=1`` (the same reading of the variable as ``twin validate``)."""

    required = os.environ.get(REQUIRE_ENV, "") not in ("", "0")

    def missing(self, why: str):
        """Skip the test, or fail it when references are required; never returns."""
        if self.required:
            pytest.fail(f"{REQUIRE_ENV} is set and a reference is missing: {why}", pytrace=False)
        pytest.skip(why)

    def module(self, name: str):
        """The imported module ``name`` (e.g. ``"PySAM.Windpower"``), or :meth:`missing` when it does not import."""
        try:
            return importlib.import_module(name)
        except ImportError as err:
            self.missing(f"{name} is not installed ({err}); it comes with the dev extra: pip install -e '.[dev]'")


@pytest.fixture(scope="session")
def references() -> References:
    return References()


@pytest.fixture(scope="session")
def chromium(references):
    """The path of Debian's Chromium (``make test`` installs it with apt-get when missing)."""
    exe = shutil.which("chromium")
    if exe is None:
        references.missing("chromium is not on PATH (`make test` installs it with apt-get where it can)")
    return exe


@pytest.fixture(scope="session")
def quick_validation(tmp_path_factory, worker_id):
    """``twin validate --quick`` run once per test session: its exit code and its report folder.

    Under xdist the first worker to ask runs it in the session's shared temporary folder while holding a lock,
    and the others wait and read its report (the pattern of pytest-xdist's docs, "Making session-scoped fixtures
    execute only once"), so the quarter-minute it takes is spent once, not once per worker.
    """
    from lingtan.validation.cli import main

    if worker_id == "master":  # no xdist: this process is the session
        out = tmp_path_factory.mktemp("validation")
        return main(["--quick", "--out", str(out)]), out
    shared = tmp_path_factory.getbasetemp().parent  # one per session, common to its workers
    out, code = shared / "quick_validation", shared / "quick_validation.exit_code"
    with open(shared / "quick_validation.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not code.exists():
            out.mkdir()
            code.write_text(str(main(["--quick", "--out", str(out)])))
    return int(code.read_text()), out
