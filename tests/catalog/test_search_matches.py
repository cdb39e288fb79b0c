"""The match table (catalog.solutions.matches): a search's facets, filters, order and page as the database gives
them, read once per query and catalogue version, for anonymous visitors only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog.models import Category, Solution, Tag
from catalog.solutions import matches
from catalog.solutions.filters import SOLUTION_ORDERINGS, SolutionFilter
from catalog.solutions.search import _facet_rows, order_catalogue, refresh_search_vector
from cstportal import versioned_cache
from tests.catalog.conftest import BYPASS

pytestmark = pytest.mark.django_db

URL = reverse("catalog:solution-list")
WORD = "tributi"


@pytest.fixture
def catalogue(db):
    """Forty solutions, thirty of them finding WORD with different weights (name, description, tag), over three
    owners, three categories, two tags, both kinds, several statuses, origins, platforms, releases, vitality and
    adoptions in production; two matching drafts that nobody anonymous sees."""
    from tests.factories import AdoptionFactory, BodyFactory, SolutionFactory

    bodies = [BodyFactory(name=f"Ente {n}", istat_code=f"99000{n}") for n in range(3)]
    adopters = [BodyFactory(name=f"Comune {n}") for n in range(3)]
    codes = list(Category.objects.order_by("code")[:3])
    tags = [Tag.objects.create(name=f"Etichetta {n}", slug=f"etichetta-{n}") for n in range(2)]
    statuses = ("concept", "beta", "stable")
    origins = ("elicat", "fiscat", "other")
    for n in range(40):
        matching = n % 4 != 3
        solution = SolutionFactory(
            owner=bodies[n % 3],
            slug=f"s-{n}",
            name=f"{'Tributi ' if n % 5 == 0 else ''}Soluzione {n % 7}",  # equal names: ties broken by id
            short_description_it=(f"Gestione dei {WORD} locali." if matching and n % 2 else "Una soluzione."),
            long_description_it=f"Descrizione {'dei ' + WORD if matching and n % 3 == 0 else 'estesa'}.",
            kind=("software", "service")[n % 2],
            development_status=statuses[n % 3],
            origin=origins[n % 5 % 3],
            supports_spid=n % 2 == 0,
            supports_pagopa=n % 3 == 0,
            latest_release_date=dt.date(2026, 1 + n % 6, 1) if n % 4 else None,
            vitality=(n * 7) % 50 if n % 3 else None,
            status="draft" if n in (6, 21) else "published",
        )
        solution.categories.set(codes[: n % 4])
        if matching and not (n % 2 or n % 3 == 0 or n % 5 == 0):
            solution.tags.add(Tag.objects.create(name=f"{WORD} {n}", slug=f"tributi-{n}"))
        solution.tags.add(*tags[: n % 3])
        for adopter in adopters[: n % 4]:
            AdoptionFactory(solution=solution, body=adopter, status="in_production")
    refresh_search_vector(None)
    return bodies


CHOICES = [
    {},
    {"kind": "software"},
    {"kind": "service", "origin": "other"},
    {"supports": ["spid"]},
    {"development_status": "beta", "supports": ["spid", "pagopa"]},
    {"category": "__first__"},
    {"category": "__first__", "kind": "service"},
    {"tag": "etichetta-1"},
    {"tag": "etichetta-1", "category": "__first__", "supports": ["spid"]},
    {"owner": "990001"},
    {"owner": "990002", "development_status": "stable"},
    {"category": "nessuna-categoria"},
]


def _published_matches() -> int:
    from catalog.solutions.search import search_solutions

    return search_solutions(Solution.objects.filter(status="published"), WORD).count()


def _sql(params: dict) -> tuple[dict, SolutionFilter]:
    filterset = SolutionFilter(params, queryset=Solution.objects.filter(status="published"))
    assert filterset.is_valid(), filterset.errors
    return filterset.form.cleaned_data, filterset


@pytest.mark.parametrize("choice", CHOICES)
def test_the_table_counts_and_orders_what_the_database_does(catalogue, choice):
    """Facets, and the matches in every ordering of the catalogue: the same as the SQL path, exactly."""
    first = Category.objects.order_by("code").first().code
    params = {name: (first if value == "__first__" else value) for name, value in choice.items()}
    params["q"] = WORD
    table = matches.read_match_table(WORD)
    assert isinstance(table, matches.MatchTable)
    values, filterset = _sql(params)
    values = {**values, "supports": values.get("supports") or []}
    answer = matches.Answer(table, [])
    if params.get("owner"):
        from municipalities.models import Body

        answer = matches.Answer(table, list(Body.objects.by_code(params["owner"]).values_list("pk", flat=True)))
    expected = _facet_rows(filterset.qs)
    assert answer.facet_rows(values) == expected
    assert answer.facet_rows(values) == expected  # summed once, then kept: the same
    for ordering, _label in SOLUTION_ORDERINGS:
        wanted = order_catalogue(filterset.qs.with_adoption_count(), ordering).values_list("pk", flat=True)
        assert table.matching_ids(values, answer.owner_ids, ordering) == list(wanted), ordering
    if not choice:
        assert expected["counts"]["total"] == _published_matches() > 20
        assert not set(table.ids) & set(Solution.objects.filter(status="draft").values_list("pk", flat=True))


def test_the_anonymous_page_is_the_sql_page_in_two_queries(client, catalogue, shared_cache, django_assert_num_queries):
    """After the table is read, a search's page costs its rows and their categories: the facets, the total and the
    page's ids come from the table. What it shows is what the database shows a logged-in visitor who sees only the
    published solutions."""
    first = Category.objects.order_by("code").first().code
    client.get(URL, {"q": WORD}, **BYPASS)  # reads the table
    addresses = [
        {"q": WORD},
        {"q": WORD, "page": "2"},
        {"q": WORD, "kind": "service", "ordering": "name"},
        {"q": WORD, "category": first, "ordering": "-used_by_count"},
        {"q": WORD, "tag": "etichetta-1", "ordering": "-latest_release_date"},
        {"q": WORD, "supports": ["spid", "pagopa"], "ordering": "-vitality"},
    ]
    answered = []
    for params in addresses:
        with django_assert_num_queries(2):
            page = client.get(URL, params, **BYPASS)
        answered.append(page)
    matches_answer = matches.answer
    try:
        matches.answer = lambda values: None  # the SQL path, for the same anonymous visitor
        for params, page in zip(addresses, answered, strict=True):
            cache.clear()
            sql = client.get(URL, params, **BYPASS)
            assert [s.pk for s in page.context["page_obj"]] == [s.pk for s in sql.context["page_obj"]], params
            assert page.context["total"] == sql.context["total"]
            assert [
                (f.name, [(v.value, v.count, v.url) for v in f.values], f.more) for f in page.context["facets"]
            ] == [(f.name, [(v.value, v.count, v.url) for v in f.values], f.more) for f in sql.context["facets"]]
            assert page.content == sql.content
    finally:
        matches.answer = matches_answer


def test_a_change_of_the_catalogue_is_seen_at_once(client, catalogue, shared_cache):
    """The table is kept under the catalogue's version: a new match, or a solution withdrawn, shows on the next
    page."""
    from tests.factories import SolutionFactory

    total = client.get(URL, {"q": WORD}, **BYPASS).context["total"]
    new = SolutionFactory(name="Tributi nuovi", slug="tributi-nuovi")
    refresh_search_vector([new.pk])
    page = client.get(URL, {"q": WORD}, **BYPASS)
    assert page.context["total"] == total + 1
    assert new.pk in matches.match_table(WORD).ids
    Solution.objects.get(pk=new.pk).delete()
    assert client.get(URL, {"q": WORD}, **BYPASS).context["total"] == total


@pytest.mark.parametrize("small", [True, False], ids=["counts by id", "the whole index"])
def test_an_adoption_keeps_the_table_and_reorders_by_adoptions_at_once(
    client, catalogue, shared_cache, monkeypatch, django_assert_num_queries, small
):
    """Adoptions do not make the table stale (they change none of its facets): only the counts of bodies using each
    match are read again, in one query besides the page's two, and «Più adottate» shows the change on the next page,
    in the database's order both ways."""
    from tests.factories import AdoptionFactory, BodyFactory

    monkeypatch.setattr(matches, "SMALL_TABLE", 10**6 if small else 0)
    params = {"q": WORD, "ordering": "-used_by_count"}
    adopters = [BodyFactory(name=f"Nuovo adottante {n}") for n in range(5)]  # a new body is a change of the table
    client.get(URL, params, **BYPASS)  # the table read, the order by adoptions made
    reads = []
    monkeypatch.setattr(matches, "read_match_table", lambda q: reads.append(q))
    least = min(
        Solution.objects.filter(pk__in=matches.match_table(WORD).ids), key=lambda s: (s.in_production_count, s.pk)
    )
    for adopter in adopters:
        AdoptionFactory(solution=least, body=adopter, status="in_production")
    with django_assert_num_queries(3):
        page = client.get(URL, params, **BYPASS)
    assert [s.pk for s in page.context["page_obj"].object_list][0] == least.pk
    assert reads == []  # the table itself was not read again
    with django_assert_num_queries(2):  # read once per change
        client.get(URL, {**params, "page": "2"}, **BYPASS)
    values, filterset = _sql({"q": WORD})
    values = {**values, "supports": []}
    for ordering in ("used_by_count", "-used_by_count"):
        wanted = order_catalogue(filterset.qs.with_adoption_count(), ordering).values_list("pk", flat=True)
        assert matches.match_table(WORD).matching_ids(values, [], ordering) == list(wanted), ordering


def test_another_process_reads_the_table_from_the_shared_cache(catalogue, shared_cache, django_assert_num_queries):
    """Read once per version: a process that does not keep it yet takes it from the shared cache, without a
    query."""
    assert matches.match_table(WORD) is not None
    matches.forget_tables()
    with django_assert_num_queries(0):
        table = matches.match_table(WORD)
    assert table is not None and len(table.ids) == _published_matches()


def test_logged_in_people_and_other_filters_are_counted_by_the_database(
    client, catalogue, shared_cache, django_assert_num_queries
):
    from tests.factories import UserFactory

    client.get(URL, {"q": WORD}, **BYPASS)
    with django_assert_num_queries(5):  # three aggregates, the page, its categories
        client.get(URL, {"q": WORD, "status": "published"}, **BYPASS)
    client.force_login(UserFactory())
    with django_assert_num_queries(5 + 4):  # the same; the session, the user, their bodies, their notifications
        client.get(URL, {"q": WORD}, **BYPASS)


def test_too_many_matches_are_left_to_the_database(client, catalogue, shared_cache, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(matches, "MAX_MATCHES", 10)
    assert matches.match_table(WORD) is None
    assert matches.match_table(WORD) is None  # remembered: not read again
    expected = _published_matches()
    with django_assert_num_queries(5):
        assert client.get(URL, {"q": WORD}, **BYPASS).context["total"] == expected


def test_without_the_shared_cache_the_database_counts(client, catalogue, settings, django_assert_num_queries):
    """No version to trust (Redis unreachable): no table, the SQL path, the right counts."""
    settings.ANON_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    settings.ANON_CACHE_VERSION_CHECK_SECONDS = 0
    matches.forget_tables()
    versioned_cache.forget_local_versions()
    assert matches.match_table(WORD) is None
    expected = _published_matches()
    with django_assert_num_queries(5):
        assert client.get(URL, {"q": WORD}).context["total"] == expected


def test_a_match_gone_from_the_database_keeps_its_place_in_the_orders_by_adoptions(catalogue, monkeypatch):
    """Read from the whole index, a match deleted since the table was read is counted 0, in its place by id: every
    row stays in both orders."""
    monkeypatch.setattr(matches, "SMALL_TABLE", 0)
    table = matches.read_match_table(WORD)
    gone = max(Solution.objects.values_list("pk", flat=True)) + 1  # an id the database no longer has
    table.ids.append(gone)
    table._adoptions_version = "before"
    table.fresh_adoptions()
    ascending = list(table.order("used_by_count"))
    assert sorted(ascending) == list(range(len(table.ids)))
    expected = sorted(range(len(table.ids)), key=lambda r: (table.adoptions[r], table.ids[r]))
    assert ascending == expected
    assert list(table.order("-used_by_count")) == expected[::-1]
    assert table.adoptions[table.ids.index(gone)] == 0
