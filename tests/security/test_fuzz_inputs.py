"""Search and filter inputs of every list, HTML and API, never cause a server error.

Explicit cases (SQL and tsquery operators, NUL bytes, 10 kB strings, huge and negative page numbers, unknown
orderings, broken cursors) are sent to every parameter of every list; hypothesis then combines random values. On
PostgreSQL (DATABASE_URL) the search goes through websearch_to_tsquery, which is what the operators target.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

NASTY = [
    "", "'", '"', "\\", "%_*", "'&|!():*<->", "a:* & !b <-> (c | d)", "<2>", "!!(((", "' OR 1=1 --",
    "1; DROP TABLE catalog_solution; --", "\x00", "a\x00b", "x" * 10_000, "tributi " * 1500, "-1",
    "99999999999999999999999999", "NaN", "{}", "../../etc/passwd", "<script>alert(1)</script>", "\u202e𝔘𝔫𝔦\t\r\n",
]
PAGES = ["-5", "0", "abc", "1.5", "last", "99999999999999999999999999", "1e9", "\x00", "x" * 10_000]
ORDERINGS = ["password", "-owner__memberships__user__password", "?", "id; DROP TABLE x", "__class__", "relevance"]

# path, persona, parameters (the page-like and ordering-like parameters get their own values as well).
LISTS = [
    ("/catalogo/", None, ["q", "kind", "category", "owner", "development_status", "origin", "supports", "sort", "page"]),
    ("/enti/", None, ["q", "kind", "size_class", "sort", "page"]),
    ("/catalogo/adozioni/", "referent_fano", ["status", "body", "solution", "page"]),
    ("/catalogo/adozioni/", "cst_admin", ["status", "body", "solution", "page"]),
    ("/catalogo/da-fare/", "publisher_pesaro", ["page"]),
    ("/catalogo/cruscotto/provincia/", "analyst", ["date_from", "date_to", "kind", "format", "table"]),
    ("/catalogo/mie-soluzioni/", "publisher_pesaro", ["page"]),
    ("/catalogo/revisione/", "cst_admin", ["page"]),
    ("/catalogo/rapporti/", "cst_admin", ["page"]),
    ("/notifiche/", "referent_fano", ["page"]),
    ("/api/v1/solutions/", None, ["q", "kind", "category", "owner", "status", "development_status", "origin", "tag",
                                  "supports", "ordering", "cursor", "page_size"]),
    ("/api/v1/solutions/", "publisher_pesaro", ["q", "status", "ordering", "cursor", "page_size"]),
    ("/api/v1/municipalities/", None, ["q", "kind", "size_class", "ordering", "cursor", "page_size"]),
    ("/api/v1/adoptions/", "referent_fano", ["status", "solution", "municipality", "cursor", "page_size"]),
    ("/api/v1/notifications/", "referent_fano", ["cursor", "page_size"]),
]
IDS = [f"{path}[{persona or 'anonymous'}]" for path, persona, _ in LISTS]


@pytest.fixture(autouse=True)
def no_throttling(settings):
    """The fuzzing sends thousands of requests: the API's rate limits must not answer 429 in place of the view."""
    from django.core.cache import cache

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute", "user": "1000000/minute"},
    }
    cache.clear()


@pytest.fixture
def catalogue(pesaro, fano, urbino, referent_fano, publisher_pesaro):
    from tests.factories import AdoptionFactory, SolutionFactory

    solutions = [SolutionFactory(owner=pesaro, name=f"Gestione tributi {n}") for n in range(3)]
    SolutionFactory(owner=urbino, status="draft")
    for solution in solutions[:2]:
        AdoptionFactory(solution=solution, body=fano)
    return solutions


def _client_for(client, request, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    client.raise_request_exception = True  # a server error fails the test with its traceback
    return client


def _values_for(param: str) -> list[str]:
    if param in ("page", "page_size", "cursor"):
        return PAGES + ["'&|!():*<->", "a\x00b"]
    if param in ("sort", "ordering"):
        return ORDERINGS + NASTY
    return NASTY


def _assert_handled(response, path: str) -> None:
    assert response.status_code < 500, (path, response.status_code)
    if path.startswith("/api/") and response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.slow
@pytest.mark.parametrize(("path", "persona", "params"), LISTS, ids=IDS)
def test_explicit_nasty_values_never_cause_a_server_error(client, request, catalogue, path, persona, params):
    client = _client_for(client, request, persona)
    for param in params:
        for value in _values_for(param):
            _assert_handled(client.get(path, {param: value}), f"{path}?{param}={value[:40]!r}")
    # Everything at once, and the same parameter repeated.
    _assert_handled(client.get(path, {param: "'&|!():*<->\x00" for param in params}), path)
    _assert_handled(client.get(path, {param: ["1", "-1", "x" * 500] for param in params}), path)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
value = st.one_of(text, st.sampled_from(NASTY + PAGES + ORDERINGS), st.integers().map(str))


@pytest.mark.slow
@pytest.mark.parametrize(("path", "persona", "params"), LISTS, ids=IDS)
def test_random_combinations_never_cause_a_server_error(client, request, catalogue, path, persona, params):
    client = _client_for(client, request, persona)

    @settings(max_examples=15, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(params), value, max_size=len(params)))
    def check(query: dict[str, str]) -> None:
        _assert_handled(client.get(path, query), f"{path}?{query!r}")

    check()


def test_a_huge_page_number_shows_the_last_page(client, catalogue):
    response = client.get("/catalogo/", {"page": "99999999999999999999999999"})
    assert response.status_code == 200


def test_the_api_refuses_an_unknown_ordering_by_name(client, catalogue):
    response = client.get("/api/v1/solutions/", {"ordering": "owner__memberships__user__password"})
    assert response.status_code == 400
    assert "ordering" in response.content.decode()
