"""ETags of the solution list and detail from the catalogue's change version, and the anonymous answers kept under
them (catalog/api/etag.py), as they run with a cache that every process shares (CACHE_URL).

The tests of tests/api/test_solutions.py run without one (ETags from the data); here the same promises hold with the
version: a 304 reads no table, an answer kept for anonymous visitors is never served after a change, and a cache
that cannot tell its version falls back to the data rather than to an old version.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from cstportal import anon_cache
from tests.api.conftest import client_for
from tests.factories import SolutionFactory

LIST = "/api/v1/solutions/"
DETAIL = "/api/v1/solutions/tributi/"


@pytest.fixture(autouse=True)
def _versions(settings):
    settings.API_ETAG_FROM_VERSION = True
    settings.API_CACHE_SECONDS = 60
    cache.clear()
    anon_cache.clear_local()
    yield
    cache.clear()
    anon_cache.clear_local()


def _cst():
    from tests.conftest import _person

    return _person("cst.versions@cstpu.test", global_role="cst_admin")


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_a_304_reads_no_table(api, catalogue, django_assert_num_queries, url):
    tag = api.get(url)["ETag"]
    with django_assert_num_queries(0):
        again = api.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_an_anonymous_answer_is_kept_and_served_without_queries(api, catalogue, django_assert_num_queries, url):
    first = api.get(url)
    with django_assert_num_queries(0):
        again = api.get(url)
    assert again.status_code == 200 and again.json() == first.json() and again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("change", ["edit", "release", "adoption", "new", "retire", "owner renamed"])
@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_any_change_the_answer_shows_makes_a_new_etag_and_a_new_answer(
    api, catalogue, publisher_pesaro, change, url
):
    from catalog.adoptions import services as adoptions
    from catalog.solutions import services as solutions

    first = api.get(url)
    tributi = catalogue["tributi"]
    if change == "edit":
        solutions.update_solution(tributi, by=publisher_pesaro, name="Tributi comunali")
    elif change == "release":
        solutions.add_release(tributi, by=publisher_pesaro, version="3.0", date=dt.date(2026, 2, 1))
    elif change == "adoption":
        adoptions.transition_adoption(catalogue["in_production"], action="retire", by=_cst())
    elif change == "new":
        SolutionFactory(slug="nuova", name="Nuova soluzione")
    elif change == "retire":
        solutions.retire_solution(tributi, by=_cst(), reason="Non più mantenuta")
    else:
        tributi.owner.name = "Comune di Pesaro (rinominato)"
        tributi.owner.save()
    conditional = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert conditional.status_code in (200, 404)
    plain = api.get(url)
    assert plain.status_code == conditional.status_code
    if plain.status_code == 200:
        assert plain["ETag"] != first["ETag"]
        if not (url == DETAIL and change == "new"):  # another solution: the detail's tag moves, its data does not
            assert plain.json() != first.json()


def test_kept_answers_are_per_person_filter_and_language(api, catalogue, publisher_pesaro):
    anonymous = api.get(LIST)
    assert client_for(publisher_pesaro).get(LIST, HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 200
    assert api.get(LIST, {"kind": "service"}, HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 200
    english = api.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert english["ETag"] != anonymous["ETag"]
    drafts = client_for(publisher_pesaro).get(LIST).json()["results"]
    assert "bozza-pesaro" in {item["slug"] for item in drafts}
    assert "bozza-pesaro" not in {item["slug"] for item in api.get(LIST).json()["results"]}


def test_nothing_is_kept_for_people_who_are_logged_in(catalogue, publisher_pesaro, django_assert_max_num_queries):
    client = client_for(publisher_pesaro)
    client.get(DETAIL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as again:
        assert client.get(DETAIL).status_code == 200
    assert any("catalog_solution" in q["sql"] for q in again.captured_queries)


def test_without_a_version_the_etag_comes_from_the_data(api, catalogue, publisher_pesaro, settings):
    """A cache that forgets what it is given (Redis behind an open breaker answers so) has no version to tell: the
    ETag falls back to the data, so a change made meanwhile is never answered with a 304."""
    from catalog.solutions import services as solutions

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    tags = {}
    for url in (LIST, DETAIL):
        tags[url] = api.get(url)["ETag"]
        assert api.get(url, HTTP_IF_NONE_MATCH=tags[url]).status_code == 304
    solutions.update_solution(catalogue["tributi"], by=publisher_pesaro, name="Tributi comunali")
    for url in (LIST, DETAIL):
        assert api.get(url, HTTP_IF_NONE_MATCH=tags[url]).status_code == 200


def test_a_version_guessed_while_the_cache_forgets_is_never_reused(api, catalogue, publisher_pesaro, settings):
    """The page cache's reads during an outage answer "0" for a version: that guess must not become the recent
    version an anonymous ETag rests on."""
    from catalog.caching import PAGES
    from catalog.solutions import services as solutions
    from cstportal import versioned_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    versioned_cache.forget_local_versions()
    assert versioned_cache.version(PAGES, max_age=5) == "0"
    assert versioned_cache.recent_version(PAGES, max_age=5) is None
    tag = api.get(LIST)["ETag"]
    solutions.update_solution(catalogue["tributi"], by=publisher_pesaro, name="Tributi comunali")
    assert api.get(LIST, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_anonymous_visitors_may_get_a_version_a_second_old_people_who_log_in_never(
    api, catalogue, publisher_pesaro, settings
):
    from catalog.caching import PAGES
    from cstportal import versioned_cache

    settings.ANON_CACHE_VERSION_CHECK_SECONDS = 60
    first = api.get(DETAIL)
    # Another process bumps the version: this one learns of it within ANON_CACHE_VERSION_CHECK_SECONDS for
    # anonymous visitors, at once for people who are logged in.
    cache.set(versioned_cache.version_key(PAGES), "from-another-process", None)
    assert api.get(DETAIL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    person = client_for(publisher_pesaro)
    tag = person.get(DETAIL)["ETag"]
    cache.set(versioned_cache.version_key(PAGES), "again-from-another-process", None)
    assert person.get(DETAIL, HTTP_IF_NONE_MATCH=tag).status_code == 200
