"""The versioned cache shared by the page cache and the figures: one bump makes a whole namespace stale."""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import cache

from catalog.caching import FIGURES, PAGES
from cstportal import versioned_cache


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    versioned_cache.forget_local_versions()
    yield
    versioned_cache.forget_local_versions()
    with contextlib.suppress(Exception):  # one test points the cache at a server that is down
        cache.clear()


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_computed_once_until_its_namespace_is_bumped():
    compute, calls = _counting(42)
    assert versioned_cache.get_or_compute("figures", "total", compute, 60) == 42
    assert versioned_cache.get_or_compute("figures", "total", compute, 60) == 42
    assert len(calls) == 1
    versioned_cache.bump("other")
    versioned_cache.get_or_compute("figures", "total", compute, 60)
    assert len(calls) == 1  # another namespace's bump changes nothing here
    versioned_cache.bump("figures")
    versioned_cache.get_or_compute("figures", "total", compute, 60)
    assert len(calls) == 2


def test_a_bump_by_another_process_is_seen_once_the_local_copy_is_older_than_max_age():
    mine = versioned_cache.version("pages", max_age=60)
    cache.set(versioned_cache.version_key("pages"), "bumped-elsewhere", None)
    assert versioned_cache.version("pages", max_age=60) == mine  # read less than a minute ago
    assert versioned_cache.version("pages") == "bumped-elsewhere"  # max_age 0: always the shared one


def test_a_bump_in_this_process_is_seen_at_once_whatever_the_max_age():
    before = versioned_cache.version("pages", max_age=60)
    versioned_cache.bump("pages")
    assert versioned_cache.version("pages", max_age=60) != before


@pytest.mark.django_db
def test_a_change_of_a_body_bumps_the_catalogue_pages_and_figures(pesaro):
    before = {namespace: versioned_cache.version(namespace) for namespace in (PAGES, FIGURES)}
    pesaro.save()
    assert all(versioned_cache.version(namespace) != before[namespace] for namespace in (PAGES, FIGURES))


def test_with_the_cache_down_values_are_computed_and_bumps_do_not_fail(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    compute, calls = _counting("fresh")
    assert versioned_cache.get_or_compute("figures", "total", compute, 60) == "fresh"
    versioned_cache.bump("figures")
    assert len(calls) == 1
