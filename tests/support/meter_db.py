"""A clean PostgreSQL database for the meter store's tests: the server of ``LINGTAN_TEST_PG_URL`` (``.ci/postgres``
starts a throwaway one) with the store's tables dropped, or the test reported as a missing reference."""

from __future__ import annotations

import os

import pytest

from lingtan.meters.store import TABLES


@pytest.fixture
def postgres_url(references) -> str:
    """The URL of the test server, its store tables (:data:`lingtan.meters.store.TABLES`) dropped."""
    url = os.environ.get("LINGTAN_TEST_PG_URL")
    if not url:
        references.missing("LINGTAN_TEST_PG_URL is not set (.ci/postgres starts a throwaway server)")
    import sqlalchemy as sa

    with sa.create_engine(url).begin() as conn:  # a clean database: the test's own tables only
        for name in TABLES:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
    return url
