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

SLOW_FILES = {
    "tests/twin/test_lp_design.py": 60,
    "tests/dashboard/test_anhui_question.py": 50,
    "tests/dashboard/test_park_page.py": 45,
    "tests/dashboard/test_browser.py": 40,
    "tests/test_golden.py": 35,
    "tests/twin/test_lp_heat.py": 30,
    "tests/dashboard/test_signals.py": 30,
    "tests/dashboard/test_results_page.py": 28,
    "tests/twin/test_report_excel.py": 27,
    "tests/twin/test_sizing.py": 25,
    "tests/meters/test_calibrate.py": 24,
    "tests/dashboard/test_explore_page.py": 22,
    "tests/dashboard/test_worker_limits.py": 20,
    "tests/twin/test_network.py": 20,
    "tests/twin/test_sweep.py": 18,
    "tests/twin/test_run.py": 16,
    "tests/twin/test_report_html.py": 15,
    "tests/twin/test_run_criteria.py": 14,
    "tests/dashboard/test_sweep_page.py": 14,
    "tests/twin/test_input_files.py": 13,
    "tests/twin/test_sweep_safety.py": 12,
    "tests/dashboard/test_meters_page.py": 12,
    "tests/twin/test_fuzz_scenarios.py": 12,
    "tests/dashboard/test_language.py": 10,
    "tests/validation/test_pypsa_design.py": 10,
}
"""The test files that take longest under ``make test`` [s, about: one worker's share of 2 cores, numba's cache
warm], which :func:`pytest_collection_modifyitems` hands out first. Only the order matters: a file missing here
(a new one) runs after them in collection order; the list is refreshed from ``--durations`` or a JUnit report
when a file's time changes much. ``tests/validation/test_validate_quick.py`` is left out on purpose: it reads the
quick validation that ``tests/test_golden.py`` runs early (:func:`quick_validation`), instead of waiting for it
on the other worker."""


def pytest_configure(config):
    # xdist's --dist loadfile hands out files with the most tests first (its --loadscope-reorder, on by default),
    # which left the slow end-to-end files, with few tests each, to the end: the last of them (the LP design,
    # a minute) ran on one worker while the other had nothing left. The suite orders its files itself.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    """The files of :data:`SLOW_FILES` first, slowest first, then the others in collection order (the tests of a
    file stay together and in their order). Under ``--dist loadfile`` each worker takes the next file when it is
    nearly done with its own: longest first, the two workers finish within a short file of each other."""
    rank = {path: i for i, path in enumerate(sorted(SLOW_FILES, key=SLOW_FILES.get, reverse=True))}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


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


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels(tmp_path_factory, worker_id):
    """Under xdist, the dispatch kernel's variants compiled before the first test, each worker compiling its share
    and loading the other's from numba's cache (:mod:`support.kernels`): on a fresh clone the minute of compiling
    is spent once, split over the workers, and no test or subprocess compiles a variant again. Alone (no xdist),
    a variant compiles when a test first needs it, as before."""
    if worker_id == "master":
        return
    from support.kernels import compile_kernels

    compile_kernels(int(worker_id.removeprefix("gw")), tmp_path_factory.getbasetemp().parent)
