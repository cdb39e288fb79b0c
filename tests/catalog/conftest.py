"""Fixtures shared by the catalogue's tests."""

from __future__ import annotations

import pytest

# The page cache stepped aside (the view itself answers) while the shared cache keeps the tables and facets.
BYPASS = {"HTTP_X_TEST_CACHE": "bypass"}


@pytest.fixture
def shared_cache(settings):
    """The shared cache on, as in production, with `BYPASS` stepping the page cache aside; every kept table and
    version forgotten before and after."""
    from django.core.cache import cache

    from catalog.solutions import matches
    from cstportal import versioned_cache

    settings.ANON_CACHE_SECONDS = 60
    settings.ANON_CACHE_BYPASS_HEADER = "X-Test-Cache"
    cache.clear()
    matches.forget_tables()
    versioned_cache.forget_local_versions()
    yield BYPASS
    cache.clear()
    matches.forget_tables()
