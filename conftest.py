"""Fixtures shared by the test folders (here at the root: a conftest in tests/ would put tests/ on sys.path,
where tests/weather would shadow the weather package).

Tests that need something from outside the repository (a reference file, PySAM, the browser) ask for it
through :func:`references`: missing, it is a visible skip, or a failure when ``LINGTAN_REQUIRE_REFERENCES=1``
(set by ``.ci/run``, where every reference must be there). Installing system packages is the Makefile's
``test`` target's business, never a test's.
"""

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
def quick_validation(tmp_path_factory):
    """``twin validate --quick`` run once per test process: its exit code and its report folder.

    Its tests share it through ``@pytest.mark.xdist_group("quick_validation")`` (``make test`` runs
    ``--dist loadgroup``), so the minute it takes is spent once, not once per test that reads it.
    """
    from lingtan.validation.cli import main

    out = tmp_path_factory.mktemp("validation")
    return main(["--quick", "--out", str(out)]), out


def pytest_collection_modifyitems(config, items):
    """Tests of one module that share a module-scoped fixture (a dashboard server, a park run, a sizing) go to one
    xdist worker, so the fixture is built once and not once per worker that draws one of its tests (``make test``
    runs ``--dist loadgroup``; a test's own ``xdist_group`` mark wins)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        defs = getattr(item, "_fixtureinfo", None)
        scopes = {d.scope for fd in (defs.name2fixturedefs.values() if defs else ()) for d in fd}
        if "module" in scopes:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
