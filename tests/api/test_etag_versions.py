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
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_the_bypass_header_passes_the_kept_answer_by(api, catalogue, settings, url):
    """The benchmark counts the queries of a miss with its bypass header: the view must run, not the kept answer."""
    settings.ANON_CACHE_BYPASS_HEADER = "X-Bench-Cache"
    first = api.get(url)
    with CaptureQueriesContext(connection) as bypassed:
        again = api.get(url, HTTP_X_BENCH_CACHE="bypass")
    assert again.status_code == 200 and again.json() == first.json() and len(bypassed) > 0
    with CaptureQueriesContext(connection) as kept:
        api.get(url)
    assert len(kept) == 0


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


def _headers(response) -> dict[str, str]:
    return dict(response.headers.items())


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_a_kept_answer_served_before_drf_is_drf_s_answer_headers_and_all(
    api, catalogue, monkeypatch, django_assert_num_queries, url
):
    """Answered by the wrapper of the list and detail views (catalog/api/etag.py: answer_before_dispatch): the same
    bytes and headers as DRF's own answer and 304, without running DRF's view."""
    from rest_framework.views import APIView

    first = api.get(url)
    # An Accept the wrapper leaves to DRF, that DRF answers as it answers none: DRF's own 304.
    conditional = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT="application/*")

    def no_dispatch(*args, **kwargs):
        raise AssertionError("DRF's dispatch ran")

    monkeypatch.setattr(APIView, "dispatch", no_dispatch)
    with django_assert_num_queries(0):
        again = api.get(url)
        again_conditional = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content and _headers(again) == _headers(first)
    assert again_conditional.status_code == 304 and again_conditional.content == b""
    assert _headers(again_conditional) == _headers(conditional)
    assert "Content-Type" not in again_conditional


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_drf_answers_what_the_wrapper_does_not_know(api, catalogue, publisher_pesaro, url):
    """HEAD, another Accept, a session or a token: DRF's dispatch, as before."""
    from django.test import Client

    tag = api.get(url)["ETag"]
    assert api.head(url).status_code == 200
    assert api.get(url, HTTP_ACCEPT="text/html").status_code == 406
    assert api.get(url, HTTP_ACCEPT="application/json; indent=4").content.startswith(b"{\n")
    browser = Client()
    browser.force_login(publisher_pesaro)
    person = browser.get(url, HTTP_IF_NONE_MATCH=tag)
    assert person.status_code == 200 and person["ETag"] != tag and person["Cache-Control"] == "private, no-cache"
    token = client_for(publisher_pesaro).get(url, HTTP_IF_NONE_MATCH=tag)
    assert token.status_code == 200 and token["ETag"] != tag


def test_a_person_s_answer_is_never_served_to_an_anonymous_visitor(api, catalogue, publisher_pesaro):
    person = client_for(publisher_pesaro).get(LIST)
    assert "bozza-pesaro" in {item["slug"] for item in person.json()["results"]}
    anonymous = api.get(LIST)
    assert anonymous["ETag"] != person["ETag"]
    assert "bozza-pesaro" not in {item["slug"] for item in anonymous.json()["results"]}
    assert api.get(LIST, HTTP_IF_NONE_MATCH=person["ETag"]).status_code == 200


def test_an_invalid_query_is_refused_even_with_a_matching_tag(api, catalogue):
    """The wrapper answers only addresses DRF answered: their parameters were checked then."""
    assert api.get(LIST, {"page_size": "0"}, HTTP_IF_NONE_MATCH="*").status_code == 400
    assert api.get(LIST, {"page_size": "0"}, HTTP_IF_NONE_MATCH="*").status_code == 400
