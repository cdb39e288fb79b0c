"""Every list of the API answers with a fixed number of queries, whatever the page size (at most 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.models import AdoptionEvent, Category, Solution, Tag, VitalityDay
from catalog.solutions.search import refresh_search_vector
from cstportal.notifications.models import Notification
from municipalities.models import Body
from tests.api.conftest import client_for
from tests.factories import AdoptionFactory, BodyFactory, ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db

ROWS = 110  # more than the largest page


@pytest.fixture
def crowded(pesaro, fano, referent_fano):
    categories = [Category.objects.get_or_create(code=c)[0] for c in ("accounting", "hr", "taxes-management")]
    tags = [Tag.objects.create(name=f"Etichetta {n}", slug=f"etichetta-{n}") for n in range(3)]
    BodyFactory.create_batch(ROWS - Body.objects.count() + 1)
    solutions = SolutionFactory.create_batch(ROWS, owner=pesaro)
    for n, solution in enumerate(solutions):
        solution.categories.set(categories[: 1 + n % 3])
        solution.tags.set(tags[: n % 3])
        ReleaseFactory(solution=solution, version="1.0", date=dt.date(2026, 1, 1 + n % 28))
        AdoptionFactory(solution=solution, body=fano, status="in_production" if n % 2 else "requested")
    refresh_search_vector(None)  # PostgreSQL full text (factories bypass the services that keep it)
    # Each solution harvested on two days: the lists show the latest figure (solution) and scores (software).
    VitalityDay.objects.bulk_create(
        VitalityDay(solution=solution, day=dt.date(2026, 1, day), value=40 + n % 50, user_community=4,
                    code_activity=2, release_history=20, longevity=35, authors=1, commits=0, merges=0, releases=0,
                    age_days=900, scores=",".join([str(40 + n % 50)] * 60),
                    computed_at=dt.datetime(2026, 1, day, tzinfo=dt.UTC))
        for n, solution in enumerate(solutions) for day in (1, 2)
    )
    Solution.objects.filter(pk__in=[solution.pk for solution in solutions]).update(vitality=60)
    first = solutions[0]
    ReleaseFactory.create_batch(ROWS, solution=first)
    adoption = first.adoptions.get()
    for n in range(ROWS):
        AdoptionEvent.objects.create(adoption=adoption, sequence=n + 2, action="comment", note=f"Nota {n}",
                                     actor=referent_fano)
    Notification.objects.bulk_create(
        Notification(recipient=referent_fano, kind="adoption", event_key=f"prova:{n}", message="Notifica %(n)s",
                     params={"n": n}, actor=referent_fano)
        for n in range(ROWS)
    )
    return {"slug": first.slug, "adoption": adoption.pk}


# Every authenticated request starts with 1: the token and its person (one join); then, when visibility depends on
# the person's bodies, 2: the person's roles (read once per request).
LISTS = [
    # 3 ETag fingerprint (count, last change), 4 the page (owner joined; used_by_count and current release as
    # subqueries), 5 categories and tags of the page (one query: catalog.api.views.attach_codes).
    ("/api/v1/solutions/", {}, 5),
    ("/api/v1/solutions/", {"q": "soluzione", "ordering": "-used_by_count"}, 5),
    ("/api/v1/solutions/", {"ordering": "-vitality"}, 5),
    # 2 the solution (published: visible to all, no roles needed), 3 the page of releases.
    ("/api/v1/solutions/{slug}/releases/", {}, 3),
    # 2 the page of bodies (the registry is public), 3 the member comuni of the page's unions.
    ("/api/v1/municipalities/", {}, 3),
    # 3 the page, solution and both bodies joined; allowed actions come from the roles read in 2.
    ("/api/v1/adoptions/", {}, 3),
    # 3 the adoption with its parties (visibility), 4 the page of events with their authors.
    ("/api/v1/adoptions/{adoption}/events/", {}, 4),
    # 2 the page of the person's own notifications with their authors.
    ("/api/v1/notifications/", {}, 2),
]


@pytest.mark.parametrize(("template", "params", "expected"), LISTS)
def test_list_query_count_is_pinned_and_independent_of_page_size(
    crowded, referent_fano, publisher_pesaro, django_assert_num_queries, template, params, expected
):
    assert expected <= 8
    user = publisher_pesaro if "solutions" in template else referent_fano
    client = client_for(user)
    path = template.format(**crowded)
    client.get(path)  # the token's first use is recorded once; it is not part of every request
    for page_size in (10, 100):
        with django_assert_num_queries(expected):
            response = client.get(path, {**params, "page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size


# The national-catalogue list (catalog/api/software.py) embeds each solution's publiccode.yml, written by
# catalog.publiccode.export one solution at a time: it reads the solution's current release and the bodies using it
# itself (2 queries), so this list alone grows with the page, by exactly 2 per item. 1 the page (owner joined,
# updatedAt's adoption part as a subquery), 2 categories of the page, 3 former addresses (aliases) of the page, then
# 2 per solution.
SOFTWARE_PER_ITEM = 2


@pytest.mark.parametrize("page_size", [1, 10, 100])
def test_software_list_query_count_is_pinned(crowded, api, django_assert_num_queries, page_size):
    with django_assert_num_queries(3 + SOFTWARE_PER_ITEM * page_size):
        response = api.get("/api/v1/software/", {"page[size]": page_size})
    assert response.status_code == 200
    assert len(response.json()["data"]) == page_size


def test_one_software_query_count_is_pinned(crowded, api, django_assert_num_queries):
    # 1 the solution, 2 its categories, 3 its former addresses (aliases), 4-5 its export (current release, bodies
    # using it).
    with django_assert_num_queries(5):
        response = api.get(f"/api/v1/software/{crowded['slug']}/")
    assert response.status_code == 200
