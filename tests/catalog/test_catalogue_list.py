"""The public catalogue: search, facets, filters, sorting, pagination and its pinned query count."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from catalog.demo import solutions as demo
from catalog.models import Category, Solution
from catalog.solutions.search import refresh_search_vector
from municipalities.models import Body
from tests.factories import AdoptionFactory, SolutionFactory

pytestmark = pytest.mark.django_db

URL = reverse("catalog:solution-list")


@pytest.fixture
def demo_catalogue(db):
    from municipalities.demo import seed as seed_people

    seed_people(password="x")
    demo.seed(password="x")


def _slugs(response) -> list[str]:
    return [s.slug for s in response.context["page_obj"].object_list]


def _facet(response, name: str) -> dict[str, int]:
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {v.value: v.count for v in facet.values}


PUBLISHED_SPECS = [s for s in demo.SOLUTIONS if s["state"] == "published"]


# --- ranking and facets -----------------------------------------------------------------------------------------


def test_anonymous_search_for_catasto_lists_elicat_first(client, demo_catalogue):
    response = client.get(URL, {"q": "catasto"})
    slugs = _slugs(response)
    elicat = {"elicat-anagrafe-soggetti-oggetti", "elicat-portale-contribuente"}
    assert set(slugs[:2]) == elicat
    assert len(slugs) > 2  # others mention the cadastre too, further down
    assert response.context["values"]["ordering"] == "relevance"


def test_facet_counts_match_the_published_demo_data(client, demo_catalogue):
    response = client.get(URL)
    assert response.context["total"] == len(PUBLISHED_SPECS) == 10
    assert _facet(response, "kind") == dict(Counter(s["kind"] for s in PUBLISHED_SPECS))
    assert _facet(response, "kind") == {"software": 7, "service": 3}
    assert _facet(response, "origin") == dict(Counter(s.get("origin", "other") for s in PUBLISHED_SPECS))
    assert _facet(response, "development_status") == dict(Counter(s["development_status"] for s in PUBLISHED_SPECS))
    expected_categories = Counter(c for s in PUBLISHED_SPECS for c in s["categories"])
    assert _facet(response, "category") == dict(expected_categories)
    owners = Counter(s["owner"] for s in PUBLISHED_SPECS)
    assert _facet(response, "owner") == {  # ISTAT codes; the Province, without one, by its IPA code
        "041044": owners[demo.PESARO], "p_pu": owners[demo.PROVINCE],
        "041013": owners[demo.FANO], "041067": owners[demo.URBINO],
    }
    supports = {code: sum(1 for s in PUBLISHED_SPECS if s.get(f"supports_{code}")) for code in
                ("spid", "cie", "pagopa", "anpr", "io")}
    assert _facet(response, "supports") == {k: v for k, v in supports.items() if v}


def test_facet_counts_follow_the_active_filters(client, demo_catalogue):
    response = client.get(URL, {"q": "catasto", "kind": "software"})
    assert _facet(response, "origin") == {"elicat": 2, "fiscat": 1}
    assert response.context["total"] == 3


def test_filters_combine_and_show_as_removable_chips(client, demo_catalogue):
    response = client.get(URL, {"kind": "software", "supports": ["spid", "pagopa"], "owner": "041044"})
    assert _slugs(response) == ["elicat-portale-contribuente"]
    chips = {c["label"]: c["url"] for c in response.context["chips"]}
    assert set(chips) == {"Tipo: Software a riuso", "Integrazioni con le piattaforme nazionali: SPID",
                          "Integrazioni con le piattaforme nazionali: pagoPA", "Ente titolare: Pesaro"}
    without_spid = chips["Integrazioni con le piattaforme nazionali: SPID"]
    assert "supports=pagopa" in without_spid and "supports=spid" not in without_spid
    assert "kind=software" in without_spid
    html = response.content.decode()
    assert "Rimuovi il filtro Tipo: Software a riuso" in html


def test_category_filter(client, demo_catalogue):
    response = client.get(URL, {"category": "taxes-management"})
    assert set(_slugs(response)) == {s["slug"] for s in PUBLISHED_SPECS if "taxes-management" in s["categories"]}


def test_empty_result_helps_to_widen_the_search(client, demo_catalogue):
    response = client.get(URL, {"q": "astronave", "kind": "service"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["total"] == 0
    assert "Nessuna soluzione trovata" in html
    assert "togliere uno dei filtri" in html
    assert f'href="{URL}"' in html


def test_sort_by_name_latest_release_and_most_adopted(client, demo_catalogue, fano, urbino):
    names = _slugs(client.get(URL, {"ordering": "name"}))
    assert names[0] == "albo-pretorio-online"
    latest = _slugs(client.get(URL, {"ordering": "-latest_release_date"}))
    assert latest[0] == "fiscat-imu"  # released January 2026, the newest
    albo = Solution.objects.get(slug="albo-pretorio-online")
    suap = Solution.objects.get(slug="suap-front-office")
    pesaro = Body.objects.get(istat_code="041044")
    AdoptionFactory(solution=suap, body=fano, status="in_production")
    AdoptionFactory(solution=suap, body=pesaro, status="in_production")
    AdoptionFactory(solution=albo, body=urbino, status="in_production")
    AdoptionFactory(solution=albo, body=pesaro, status="requested")  # not in production: does not count
    adopted = client.get(URL, {"ordering": "-used_by_count"})
    assert _slugs(adopted)[:2] == ["suap-front-office", "albo-pretorio-online"]
    counts = {s.slug: s.adoption_count for s in adopted.context["page_obj"]}
    assert counts["suap-front-office"] == 2 and counts["albo-pretorio-online"] == 1


def test_anonymous_sees_only_published(client, demo_catalogue):
    statuses = set(Solution.objects.filter(slug__in=_slugs(client.get(URL))).values_list("status", flat=True))
    assert statuses == {"published"}


def test_publisher_also_sees_its_bodys_unpublished_solutions(client, demo_catalogue, publisher_pesaro):
    client.force_login(publisher_pesaro)
    slugs = set(_slugs(client.get(URL, {"owner": "041044"})))
    assert "sportello-anagrafe-online" in slugs  # Pesaro's draft
    assert "prenotazione-sale" not in set(_slugs(client.get(URL, {"q": "sale"})))  # Urbino's draft


def test_pagination_keeps_the_filters(client, pesaro):
    for i in range(30):
        SolutionFactory(name=f"Servizio {i:02d}", kind="service")
    response = client.get(URL, {"kind": "service", "page": 2})
    page = response.context["page_obj"]
    assert page.number == 2 and len(page.object_list) == 12
    html = response.content.decode()
    assert "?kind=service&amp;page=3" in html


# --- no 500 with any input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "catasto & | ! ( ) :* <->"},
        {"q": "' OR 1=1; DROP TABLE catalog_solution; --"},
        {"q": "tributi\x00"},
        {"q": "x" * 10_000},
        {"page": "99999999999999999999999"},
        {"page": "-1"},
        {"page": "abc"},
        {"ordering": "unknown"},
        {"ordering": "relevance"},
        {"sort": "unknown"},
        {"kind": "astronave"},
        {"category": "../../etc/passwd"},
        {"owner": "<script>"},
        {"supports": ["spid", "telepatia"]},
        {"development_status": "\x00"},
    ],
)
def test_any_query_string_is_a_200(client, demo_catalogue, params):
    response = client.get(URL, params, follow=True)  # a former parameter is redirected first
    assert response.status_code == 200


def test_unknown_values_are_ignored(client, demo_catalogue):
    response = client.get(URL, {"kind": "astronave", "ordering": "zzz"})
    assert response.context["total"] == 10
    assert response.context["values"]["ordering"] == "name"
    assert response.context["chips"] == []


# --- the query count is pinned ----------------------------------------------------------------------------------

# Anonymous: (1) facets' aggregate with the total, (2) owners GROUP BY, (3) categories GROUP BY, (4) the page with
# owner joined and the adoption count as a subquery, (5) the page's categories (prefetch).
ANONYMOUS_QUERIES = 5


def _catalogue(solutions: int, owners: int, categories: int) -> None:
    bodies = list(Body.objects.order_by("pk")[:owners])
    codes = list(Category.objects.order_by("code")[:categories])
    for i in range(solutions):
        solution = SolutionFactory(owner=bodies[i % len(bodies)], kind=("software", "service")[i % 2],
                                   supports_spid=i % 3 == 0, development_status=("beta", "stable")[i % 2])
        solution.categories.set(codes[i % len(codes): i % len(codes) + 3])
    refresh_search_vector(None)


@pytest.mark.parametrize("solutions,owners,categories", [(2, 1, 1), (12, 4, 6), (40, 30, 60)])
def test_query_count_does_not_grow_with_page_size_or_facet_values(
    client, django_assert_num_queries, solutions, owners, categories
):
    _catalogue(solutions, owners, categories)
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(URL)
    assert len(response.context["page_obj"].object_list) == min(solutions, 12)


def test_query_count_is_the_same_with_search_and_filters(client, django_assert_num_queries):
    _catalogue(20, 5, 10)
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(URL, {"q": "soluzione", "kind": "software", "supports": "spid",
                                     "ordering": "-used_by_count"})
    assert response.context["page_obj"].object_list


# Logged in: session, user, the person's roles (read once per request), the bell's unread count, then the same five.
PUBLISHER_QUERIES = 4 + ANONYMOUS_QUERIES


@pytest.mark.parametrize("solutions,owners,categories", [(2, 1, 1), (30, 20, 40)])
def test_publisher_query_count_is_pinned_too(client, publisher_pesaro, django_assert_num_queries, solutions, owners,
                                             categories):
    _catalogue(solutions, owners, categories)
    client.force_login(publisher_pesaro)
    client.get(URL)
    with django_assert_num_queries(PUBLISHER_QUERIES):
        client.get(URL, {"kind": "service"})


@pytest.mark.django_db
def test_a_search_that_finds_nothing_shows_no_empty_filters_heading(client):
    page = client.get("/catalogo/", {"q": "zzzqqqxxx"}).content.decode()
    assert 'id="filters-title"' not in page and 'id="catalogue-filters"' not in page
