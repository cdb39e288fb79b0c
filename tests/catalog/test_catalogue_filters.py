"""One set of catalogue filters: the HTML catalogue and the API's list of solutions read the same query string."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.demo import solutions as demo
from catalog.models import Solution

pytestmark = pytest.mark.django_db

PAGE = reverse("catalog:solution-list")
API = "/api/v1/solutions/"


@pytest.fixture
def demo_catalogue(db):
    from municipalities.demo import seed as seed_people

    seed_people(password="x")
    demo.seed(password="x")


def _page_slugs(response) -> list[str]:
    assert response.status_code == 200
    return [s.slug for s in response.context["page_obj"].object_list]


def _api_slugs(client, params) -> list[str]:
    response = client.get(API, {**params, "page_size": 100})
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def _tag_of(slug: str) -> str:
    return Solution.objects.get(slug=slug).tags.order_by("slug").first().slug


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "service"},
        {"category": "taxes-management"},
        {"owner": "041044"},  # a comune: its ISTAT code
        {"owner": "p_pu"},  # the Province has no ISTAT code: its key is its IPA code in lower case
        {"owner": "c_g479"},  # a comune's IPA code is accepted too
        {"development_status": "stable"},
        {"origin": "elicat"},
        {"supports": ["spid", "pagopa"]},  # repeatable: every platform chosen
        {"q": "catasto"},
        {"q": "catasto", "ordering": "name"},
        {"ordering": "-name"},
        {"ordering": "-latest_release_date"},
        {"ordering": "latest_release_date"},
        {"ordering": "-used_by_count"},
        {"status": "published", "kind": "software"},
    ],
)
def test_page_and_api_give_the_same_list_for_the_same_query(client, demo_catalogue, params):
    page = _page_slugs(client.get(PAGE, params))
    api = _api_slugs(client, params)
    assert page == api[: len(page)]
    assert page  # every query here selects something


def test_tag_filters_page_and_api_alike(client, demo_catalogue):
    tag = _tag_of("elicat-portale-contribuente")
    page = _page_slugs(client.get(PAGE, {"tag": tag}))
    assert "elicat-portale-contribuente" in page
    assert page == _api_slugs(client, {"tag": tag})


def test_unknown_choice_is_a_400_naming_it_in_the_api_and_a_message_on_the_page(client, demo_catalogue):
    response = client.get(API, {"kind": "astronave", "origin": "elicat"})
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"kind"}

    response = client.get(PAGE, {"kind": "astronave", "origin": "elicat"})
    assert response.status_code == 200
    assert response.context["ignored"] == ["kind"]
    assert "Il filtro «kind» dell'indirizzo ha un valore non valido" in response.content.decode()
    # the valid filter still applies, and no link carries the refused one on
    assert set(_page_slugs(response)) == {s["slug"] for s in demo.SOLUTIONS
                                          if s["state"] == "published" and s.get("origin") == "elicat"}
    assert all("kind=astronave" not in chip["url"] for chip in response.context["chips"])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("sort=latest_release", "ordering=-latest_release_date"),
        ("sort=most_adopted&kind=software", "kind=software&ordering=-used_by_count"),
        ("sort=name", "ordering=name"),
        ("owner=pesaro", "owner=041044"),
        ("owner=provincia-di-pesaro-e-urbino&sort=relevance&q=protocollo", "owner=p_pu&q=protocollo&ordering=relevance"),
    ],
)
def test_bookmarked_addresses_with_former_parameters_are_redirected(client, demo_catalogue, old, new):
    response = client.get(f"{PAGE}?{old}")
    assert response.status_code == 301
    assert sorted(response["Location"].split("?")[1].split("&")) == sorted(new.split("&"))
    assert response["Location"].startswith(PAGE)
    assert client.get(response["Location"]).status_code == 200


def test_current_addresses_are_not_redirected(client, demo_catalogue):
    for query in ("owner=041044", "owner=c_g479", "owner=P_PU", "ordering=-name", "owner=nessuno"):
        assert client.get(f"{PAGE}?{query}").status_code == 200


def test_facet_link_then_chip_removal_give_the_expected_lists(client, demo_catalogue):
    published = [s for s in demo.SOLUTIONS if s["state"] == "published"]
    response = client.get(PAGE, {"kind": "software"})
    owner_facet = next(f for f in response.context["facets"] if f.name == "owner")
    pesaro = next(v for v in owner_facet.values if v.label == "Pesaro")
    assert pesaro.value == "041044"

    narrowed = client.get(PAGE + pesaro.url)
    expected = {s["slug"] for s in published if s["owner"] == demo.PESARO and s["kind"] == "software"}
    assert set(_page_slugs(narrowed)) == expected
    assert set(_api_slugs(client, {"kind": "software", "owner": "041044"})) == expected

    chips = {c["label"]: c["url"] for c in narrowed.context["chips"]}
    assert set(chips) == {"Tipo: Software a riuso", "Ente titolare: Pesaro"}
    widened = client.get(PAGE + chips["Tipo: Software a riuso"])
    assert set(_page_slugs(widened)) == {s["slug"] for s in published if s["owner"] == demo.PESARO}


def test_sort_menu_offers_the_shared_ordering_values(client, demo_catalogue):
    response = client.get(PAGE, {"ordering": "-used_by_count"})
    html = response.content.decode()
    assert 'name="ordering"' in html
    assert '<option value="-used_by_count" selected>' in html
    assert [key for key, _label in response.context["sorts"]] == [
        "name", "-latest_release_date", "-used_by_count", "-vitality",
    ]
    response = client.get(PAGE, {"ordering": "-name", "q": "catasto"})
    assert [key for key, _label in response.context["sorts"]] == [
        "relevance", "name", "-latest_release_date", "-used_by_count", "-vitality", "-name",
    ]


def test_the_owner_facet_lists_the_largest_owners_and_points_to_the_others(client, db, django_assert_max_num_queries):
    """With more owners than OWNER_FACET_LIMIT the facet lists the bodies with most solutions (and the selected
    one) and says how many it leaves out, with a link to the list of bodies: the page does not grow with the number
    of owners."""
    from catalog.solutions.search import OWNER_FACET_LIMIT
    from tests.factories import BodyFactory, SolutionFactory

    bodies = [BodyFactory(name=f"Comune numero {n:02d}") for n in range(OWNER_FACET_LIMIT + 3)]
    for n, body in enumerate(bodies):
        for i in range(1 + (n < OWNER_FACET_LIMIT)):  # the first ones own two solutions, the last three one
            SolutionFactory(owner=body, name=f"Soluzione {n}-{i}", slug=f"soluzione-{n}-{i}")
    page = client.get(reverse("catalog:solution-list"))
    owners = next(f for f in page.context["facets"] if f.name == "owner")
    assert [v.label for v in owners.values] == [b.name for b in bodies[:OWNER_FACET_LIMIT]]
    assert owners.more == 3
    assert "Altri 3 enti: vedi l'elenco degli enti" in page.content.decode()
    assert reverse("municipalities:body-list") in page.content.decode()
    last = bodies[-1]
    chosen = client.get(reverse("catalog:solution-list"), {"owner": last.key})
    owners = next(f for f in chosen.context["facets"] if f.name == "owner")
    assert [(v.label, v.selected) for v in owners.values] == [(last.name, True)] and owners.more == 0


def test_facets_count_each_solution_once_under_a_category_filter(client, db):
    from catalog.models import Category
    from tests.factories import SolutionFactory

    one, two = Category.objects.order_by("code")[:2]
    solution = SolutionFactory(name="In due categorie", slug="in-due")
    solution.categories.set([one, two])
    page = client.get(reverse("catalog:solution-list"), {"category": one.code})
    assert page.context["total"] == 1
    kinds = next(f for f in page.context["facets"] if f.name == "kind")
    assert sum(v.count for v in kinds.values) == 1


def test_anonymous_facets_are_kept_per_filter_combination_until_the_catalogue_changes(
    client, db, settings, django_assert_num_queries
):
    """Every page, ordering and language of the same filters reuses the facets' counts; a change makes them stale
    at once; logged-in people always get them counted."""
    from django.core.cache import cache

    from tests.factories import SolutionFactory

    settings.ANON_CACHE_SECONDS = 60
    settings.ANON_CACHE_BYPASS_HEADER = "X-Test-Cache"  # step the page cache aside: only the facets are kept
    cache.clear()
    for n in range(3):
        SolutionFactory(name=f"Soluzione {n}", slug=f"soluzione-{n}", kind="software")
    url = reverse("catalog:solution-list")
    bypass = {"HTTP_X_TEST_CACHE": "bypass"}
    first = client.get(url, {"kind": "software"}, **bypass)
    assert first.context["total"] == 3
    with django_assert_num_queries(2):  # the page and its categories: the three facet queries are kept
        again = client.get(url, {"kind": "software", "ordering": "-name"}, HTTP_ACCEPT_LANGUAGE="en", **bypass)
    assert again.context["total"] == 3
    SolutionFactory(name="Soluzione nuova", slug="soluzione-nuova", kind="software")
    assert client.get(url, {"kind": "software"}, **bypass).context["total"] == 4
    cache.clear()


@pytest.mark.parametrize("ordering", ["-vitality", "vitality"])
def test_the_vitality_sort_is_the_same_on_the_page_and_in_the_api(client, demo_catalogue, ordering):
    published = list(Solution.objects.filter(status="published").order_by("pk"))
    for n, solution in enumerate(published[:5]):  # the others were never harvested
        Solution.objects.filter(pk=solution.pk).update(vitality=(70, 46, 88, 61, 70)[n])
    page = _page_slugs(client.get(PAGE, {"ordering": ordering}))
    assert page == _api_slugs(client, {"ordering": ordering})[: len(page)]
    first = Solution.objects.get(slug=page[0])
    assert first.vitality == (88 if ordering == "-vitality" else None)
    harvested = [slug for slug in _api_slugs(client, {"ordering": ordering})
                 if Solution.objects.get(slug=slug).vitality is not None]
    values = [Solution.objects.get(slug=slug).vitality for slug in harvested]
    assert values == sorted(values, reverse=ordering == "-vitality")


@pytest.mark.parametrize(
    "choice",
    [
        {},
        {"kind": "software"},
        {"kind": "service", "origin": "other"},
        {"supports": ["spid"]},
        {"development_status": "beta", "supports": ["spid", "pagopa"]},
        {"category": 0},
        {"category": 1, "kind": "software"},
        {"category": 2, "supports": ["pagopa"]},
        {"tag": "t-1"},
        {"tag": "t-0", "origin": "other"},
        {"tag": "t-1", "category": 0},
        {"category": "not-a-category"},
        {"tag": "no-such-tag", "kind": "software"},
    ],
)
def test_the_facet_table_counts_what_the_database_counts(db, choice):
    """The anonymous catalogue's facets for a choice among the fixed vocabularies, with one category or one tag, come
    from the facet table: the same rows as the database's three aggregates, owners and categories in the same
    order."""
    from catalog.models import Category, Tag
    from catalog.solutions.search import _facet_rows, read_facet_table
    from tests.factories import BodyFactory, SolutionFactory

    bodies = [BodyFactory(name=f"Ente {n}") for n in range(3)]
    codes = list(Category.objects.order_by("code")[:3])
    tags = [Tag.objects.create(name=f"t {n}", slug=f"t-{n}") for n in range(2)]
    kinds, statuses, origins = ("software", "service"), ("beta", "stable"), ("elicat", "other")
    for n in range(14):
        solution = SolutionFactory(
            owner=bodies[n % 3],
            slug=f"s-{n}",
            kind=kinds[n % 2],
            development_status=statuses[n % 3 % 2],
            origin=origins[n % 5 % 2],
            supports_spid=n % 2 == 0,
            supports_pagopa=n % 3 == 0,
            status="draft" if n == 13 else "published",
        )
        solution.categories.set(codes[: n % 4])
        solution.tags.set(tags[n % 3 : n % 3 + 2] if n % 3 < 2 else [])
    if isinstance(choice.get("category"), int):
        choice = {**choice, "category": codes[choice["category"]].code}
    plain = {k: v for k, v in choice.items() if k not in ("supports", "category", "tag")}
    filtered = Solution.objects.filter(status="published", **plain)
    for code in choice.get("supports", []):
        filtered = filtered.filter(**{f"supports_{code}": True})
    if "category" in choice:
        filtered = filtered.filter(categories__code=choice["category"])
    if "tag" in choice:
        filtered = filtered.filter(tags__slug=choice["tag"])
    expected = _facet_rows(filtered)
    if "no-" not in str(choice.get("tag")) and "not-" not in str(choice.get("category")):
        assert expected["counts"]["total"] > 0
    assert read_facet_table().rows(choice) == expected


def test_anonymous_facets_of_the_fixed_vocabularies_cost_no_query_and_follow_changes(
    client, db, settings, django_assert_num_queries
):
    """Any choice of kind, development status, origin and platforms is counted from the facet table, read once per
    change of the catalogue; a search or another filter is still counted by the database."""
    from django.core.cache import cache

    from tests.factories import SolutionFactory

    settings.ANON_CACHE_SECONDS = 60
    settings.ANON_CACHE_BYPASS_HEADER = "X-Test-Cache"
    cache.clear()
    for n in range(3):
        SolutionFactory(name=f"Soluzione {n}", slug=f"soluzione-{n}", kind="software", supports_spid=n == 0)
    url = reverse("catalog:solution-list")
    bypass = {"HTTP_X_TEST_CACHE": "bypass"}
    assert client.get(url, **bypass).context["total"] == 3  # reads the table
    with django_assert_num_queries(2):  # the page and its categories
        page = client.get(url, {"kind": "software", "supports": "spid"}, **bypass)
    assert page.context["total"] == 1
    owner = Solution.objects.get(slug="soluzione-0").owner
    with django_assert_num_queries(5):  # another filter: three aggregates, the page, its categories
        assert client.get(url, {"owner": owner.key}, **bypass).context["total"] >= 1
    from catalog.models import Category, Tag

    code = Category.objects.order_by("code").first().code
    Solution.objects.get(slug="soluzione-1").categories.add(Category.objects.get(code=code))
    Solution.objects.get(slug="soluzione-2").tags.add(Tag.objects.create(name="rete", slug="rete"))
    client.get(url, **bypass)  # the links changed: the table is read again
    with django_assert_num_queries(2):  # a category or a tag: from the table too
        assert client.get(url, {"category": code, "kind": "software"}, **bypass).context["total"] == 1
    with django_assert_num_queries(2):
        assert client.get(url, {"tag": "rete"}, **bypass).context["total"] == 1
    SolutionFactory(name="Soluzione nuova", slug="soluzione-nuova", kind="software", supports_spid=True)
    assert client.get(url, {"kind": "software", "supports": "spid"}, **bypass).context["total"] == 2
    cache.clear()


def test_with_the_cache_down_the_facets_are_counted_by_the_database(client, db, settings, django_assert_num_queries):
    """No version to trust, no facet table: the three aggregates run, and the counts are right."""
    from tests.factories import SolutionFactory

    settings.ANON_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    SolutionFactory(name="Soluzione", slug="soluzione", kind="software")
    settings.ANON_CACHE_VERSION_CHECK_SECONDS = 0  # not the version this process just wrote: ask the cache
    with django_assert_num_queries(5):
        page = client.get(reverse("catalog:solution-list"), {"kind": "software"})
    assert page.context["total"] == 1
