"""The anonymous page cache: served only to anonymous visitors, holds no per-visitor secret, invalidated on change."""

from __future__ import annotations

import contextlib
import re

import pytest
from django.core.cache import cache
from django.test import Client

from catalog.caching import PAGES
from cstportal import anon_cache, versioned_cache
from tests.security import urls as test_urls

pytestmark = pytest.mark.django_db

PAGE = "/_test/cached/"
MASKED_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")  # what a CSRF token looks like


@pytest.fixture(autouse=True)
def cached_urls(settings):
    settings.ROOT_URLCONF = "tests.security.urls"
    settings.ANON_CACHE_SECONDS = 300
    cache.clear()
    anon_cache.clear_local()
    test_urls.RENDERS.clear()
    yield
    anon_cache.clear_local()
    with contextlib.suppress(Exception):  # one test points the cache at a server that is down
        cache.clear()


def _visitor() -> Client:
    return Client(enforce_csrf_checks=True)


def test_the_second_anonymous_visit_is_served_from_the_cache():
    first, second = _visitor().get(PAGE), _visitor().get(PAGE)
    assert (first["X-Anon-Cache"], second["X-Anon-Cache"]) == ("miss", "hit")
    assert test_urls.RENDERS == [PAGE]
    assert second.status_code == 200
    assert second["Content-Type"] == first["Content-Type"]


def test_a_cached_page_carries_no_csrf_token_and_is_the_same_for_every_visitor():
    alice, bob = _visitor(), _visitor()
    bob.get("/account/accedi/")  # Bob already has a CSRF cookie (the login form gave him one)
    bob_secret = bob.cookies["csrftoken"].value
    alice_response, bob_response = alice.get(PAGE), bob.get(PAGE)
    assert (alice_response["X-Anon-Cache"], bob_response["X-Anon-Cache"]) == ("miss", "hit")
    assert alice_response.content == bob_response.content
    page = bob_response.content.decode()
    assert "csrfmiddlewaretoken" not in page and "X-CSRFToken" not in page
    assert bob_secret not in page
    assert not MASKED_TOKEN.search(page)
    assert "csrftoken" not in alice.cookies  # rendering the page never asked for a token
    # The page still offers the language switch, as links that need no token.
    assert f'href="/lingua/en/?next={PAGE}"' in page


def test_a_page_that_asks_for_a_csrf_token_is_served_but_never_stored():
    first, second = _visitor().get("/_test/cached-form/"), _visitor().get("/_test/cached-form/")
    assert "X-Anon-Cache" not in first and "X-Anon-Cache" not in second
    assert first.content != second.content  # each visitor got a token of their own
    assert test_urls.RENDERS == ["/_test/cached-form/"] * 2


def test_logged_in_people_always_get_a_fresh_page(client, referent_fano):
    _visitor().get(PAGE)
    client.force_login(referent_fano)
    response = client.get(PAGE)
    assert "X-Anon-Cache" not in response
    assert test_urls.RENDERS == [PAGE, PAGE]


def test_a_logged_in_persons_page_is_never_stored(client, referent_fano):
    client.force_login(referent_fano)
    client.get(PAGE)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "miss"


def test_saving_a_solution_invalidates_the_pages(pesaro):
    from tests.factories import SolutionFactory

    _visitor().get(PAGE)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "hit"
    SolutionFactory(owner=pesaro)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "miss"


def test_each_language_and_query_string_has_its_own_entry():
    _visitor().get(PAGE)
    english = _visitor()
    english.cookies["django_language"] = "en"
    assert english.get(PAGE)["X-Anon-Cache"] == "miss"
    assert english.get(PAGE)["X-Anon-Cache"] == "hit"
    assert _visitor().get(PAGE + "?page=2")["X-Anon-Cache"] == "miss"


def test_htmx_fragments_and_full_pages_are_kept_apart():
    _visitor().get(PAGE)
    assert _visitor().get(PAGE, HTTP_HX_REQUEST="true")["X-Anon-Cache"] == "miss"


def test_a_visitor_with_a_pending_message_gets_a_fresh_page():
    _visitor().get(PAGE)
    visitor = _visitor()
    visitor.cookies["messages"] = "x"
    assert "X-Anon-Cache" not in visitor.get(PAGE)


def test_very_long_query_strings_are_not_cached():
    assert "X-Anon-Cache" not in _visitor().get(PAGE + "?q=" + "a" * 2000)


def test_the_bypass_header_works_only_where_settings_name_one(settings):
    _visitor().get(PAGE)
    assert settings.ANON_CACHE_BYPASS_HEADER == ""  # the portal's own settings: no header steps the cache aside
    assert _visitor().get(PAGE, HTTP_X_BENCH_CACHE="bypass")["X-Anon-Cache"] == "hit"
    settings.ANON_CACHE_BYPASS_HEADER = "X-Bench-Cache"  # as bench/settings.py does
    assert "X-Anon-Cache" not in _visitor().get(PAGE, HTTP_X_BENCH_CACHE="bypass")


def test_a_zero_lifetime_turns_the_cache_off(settings):
    settings.ANON_CACHE_SECONDS = 0
    _visitor().get(PAGE)
    assert "X-Anon-Cache" not in _visitor().get(PAGE)


def test_pages_are_served_when_the_cache_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    response = _visitor().get(PAGE)
    assert response.status_code == 200
    assert "X-Anon-Cache" not in response


def test_publishing_a_solution_invalidates_the_pages(pesaro, cst_admin, publisher_pesaro):
    from catalog.solutions.services import publish_solution, submit_solution
    from tests.factories import SolutionFactory

    solution = SolutionFactory(owner=pesaro, status="draft")
    submit_solution(solution, by=publisher_pesaro)
    _visitor().get(PAGE)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "hit"
    publish_solution(solution, by=cst_admin)  # a compare-and-set UPDATE: no save signal on the solution
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "miss"


def test_an_adoption_transition_invalidates_the_pages(pesaro, fano, publisher_pesaro):
    from catalog.adoptions.services import transition_adoption
    from tests.factories import AdoptionEventFactory, AdoptionFactory, SolutionFactory

    adoption = AdoptionFactory(solution=SolutionFactory(owner=pesaro), body=fano)
    AdoptionEventFactory(adoption=adoption, sequence=1)
    _visitor().get(PAGE)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "hit"
    transition_adoption(adoption, action="approve", by=publisher_pesaro)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "miss"


def test_the_catalogue_is_cached_for_anonymous_visitors_only(client, pesaro, publisher_pesaro, settings):
    from tests.factories import SolutionFactory

    settings.ROOT_URLCONF = "cstportal.urls"
    SolutionFactory(owner=pesaro, name="Gestione tributi")
    SolutionFactory(owner=pesaro, name="Bozza riservata", status="draft")
    assert _visitor().get("/catalogo/")["X-Anon-Cache"] == "miss"
    cached = _visitor().get("/catalogo/")
    assert cached["X-Anon-Cache"] == "hit"
    assert "Gestione tributi" in cached.content.decode() and "Bozza riservata" not in cached.content.decode()
    client.force_login(publisher_pesaro)
    own = client.get("/catalogo/")
    assert "X-Anon-Cache" not in own
    assert "Bozza riservata" in own.content.decode()


def test_a_request_with_credentials_is_never_served_from_the_cache():
    _visitor().get(PAGE)
    assert "X-Anon-Cache" not in _visitor().get(PAGE, HTTP_AUTHORIZATION="Token abc")


def test_another_processs_invalidation_is_seen_within_the_version_check_interval(settings):
    settings.ANON_CACHE_VERSION_CHECK_SECONDS = 60
    _visitor().get(PAGE)
    cache.set(versioned_cache.version_key(PAGES), "changed-by-another-process", None)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "hit"  # this process has not looked again yet
    settings.ANON_CACHE_VERSION_CHECK_SECONDS = 0
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "miss"


def test_a_page_rendered_by_another_process_is_served_from_the_shared_cache():
    _visitor().get(PAGE)
    anon_cache.clear_local()  # as if this were another process: only the shared cache has the page
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "hit"
    assert test_urls.RENDERS == [PAGE]


def test_the_local_copies_are_bounded(settings):
    settings.ANON_CACHE_LOCAL_ENTRIES = 2
    for n in range(5):
        _visitor().get(f"{PAGE}?page={n}")
    assert len(anon_cache._local.pages) == 2


def test_while_one_request_renders_a_stale_page_the_others_get_the_old_one(pesaro):
    from tests.factories import SolutionFactory

    _visitor().get(PAGE)
    SolutionFactory(owner=pesaro)  # the page is now stale
    version = anon_cache._version(PAGES)
    lock = f"{anon_cache._key(PAGES, _request_for(PAGE))}:{version}:rendering"
    assert cache.add(lock, 1, 30)  # another request is rendering it
    response = _visitor().get(PAGE)
    assert response["X-Anon-Cache"] == "stale"
    assert test_urls.RENDERS == [PAGE]
    cache.delete(lock)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "miss"
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "hit"


def test_without_a_stale_page_every_request_renders():
    lock = f"{anon_cache._key(PAGES, _request_for(PAGE))}:{anon_cache._version(PAGES)}:rendering"
    cache.add(lock, 1, 30)
    assert _visitor().get(PAGE)["X-Anon-Cache"] == "miss"


def _request_for(path: str):
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.LANGUAGE_CODE = "it"
    return request
