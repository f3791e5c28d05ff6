"""The dashboard app in-process, shared by the callback-level tests of a module.

``processes=False``: runs go to worker threads, so a test reads the run manager directly. A module that needs
another app (one worker, say) defines its own ``app``; ``c`` then follows it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lingtan.dashboard.app import create_app

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app over the shipped scenarios, with its own empty results folder; its runs stopped at the end."""
    a = create_app(SCENARIOS, tmp_path_factory.mktemp("results"), processes=False)
    yield a
    a._twin_context.manager.shutdown()


@pytest.fixture(scope="module")
def c(app):
    """The app's context (run manager, scenarios folder, results folder)."""
    return app._twin_context
