"""The dashboard served in a subprocess and Debian's Chromium driven by Playwright, as pytest fixtures for the
browser tests (:mod:`support.dashboard` serves and launches; these fixtures scope them to a module).

The app runs on 127.0.0.1 with a free port and its own results folder, and is stopped at the end. Screenshots go
to :data:`ARTIFACTS`.
"""

from __future__ import annotations

import pytest

from support.dashboard import ARTIFACTS, chromium_browser, served, shot  # noqa: F401 - re-exported for the tests


@pytest.fixture(scope="module")
def dash_results(tmp_path_factory):
    """The served dashboard's results folder (a test may put a sweep there before opening the Sweep page)."""
    return tmp_path_factory.mktemp("dash-results")


@pytest.fixture(scope="module")
def server(dash_results):
    """The dashboard's URL, served by ``python -m lingtan.dashboard.app`` with one worker."""
    with served(dash_results) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser(chromium, references):
    """A headless Chromium (Debian's) under Playwright."""
    with chromium_browser(chromium, references) as b:
        yield b


@pytest.fixture
def page(browser, server):
    """A page at 1440 x 900 on the Scenario page, downloads accepted; the test fails on any page error."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server + "/scenario")
    pg.wait_for_selector("input[id*='pv[0].capacity_kwp']")
    yield pg
    ctx.close()
    assert not errors, errors
