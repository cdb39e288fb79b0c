"""Changes since: `updated_since` on the lists of solutions, releases, adoptions and bodies. A strict RFC 3339
date-time (anything else is a 400 naming the parameter), the oldest change first, paged by cursor, what the caller
may see, and retired solutions reported as such so that a client syncing learns to drop them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.adoptions import services as workflow
from catalog.models import Adoption, Release, Solution
from catalog.solutions import services as solutions
from municipalities.models import Body
from tests.api.conftest import client_for
from tests.factories import AdoptionFactory, BodyFactory, ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/solutions/", "/api/v1/releases/", "/api/v1/adoptions/", "/api/v1/municipalities/"]
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def stamp(model, pk: int, moment: dt.datetime, field: str = "updated_at") -> None:
    """Set the time of the last change (auto_now would write the present)."""
    model.objects.filter(pk=pk).update(**{field: moment})


def walk(client, path: str, params: dict) -> list[dict]:
    """Every item of a list, page after page through the `next` cursor."""
    items: list[dict] = []
    response = client.get(path, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["results"]
        if not body["next"]:
            return items
        response = client.get(body["next"])


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "value",
    [
        "",
        "ieri",
        "2026-03-01",
        "2026-03-01T08:00:00",
        "2026-03-01 08:00:00Z",
        "2026-13-01T08:00:00Z",
        "2026-03-01T08:00:00Z\n",
    ],
)
def test_a_malformed_updated_since_is_a_400_naming_it(cst_admin, path, value):
    response = client_for(cst_admin).get(path, {"updated_since": value})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["attr"] for error in errors] == ["updated_since"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "value",
    [
        "2026-03-01T08:00:00Z",
        "2026-03-01T09:00:00.5+01:00",
        "2016-12-31T23:59:60Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_every_rfc3339_date_time_is_accepted(cst_admin, path, value):
    assert client_for(cst_admin).get(path, {"updated_since": value}).status_code == 200


def test_solutions_changed_since_come_oldest_first_over_every_page(api, pesaro):
    made = SolutionFactory.create_batch(7, owner=pesaro)
    for n, solution in enumerate(reversed(made)):
        stamp(Solution, solution.pk, T0 + dt.timedelta(minutes=n))
    stamp(Solution, made[0].pk, T0 - dt.timedelta(days=1))  # before: not listed
    items = walk(api, "/api/v1/solutions/", {"updated_since": iso(T0), "page_size": 2})
    assert [item["slug"] for item in items] == [s.slug for s in reversed(made[1:])]
    times = [item["updated_at"] for item in items]
    assert times == sorted(times)


def test_the_largest_updated_at_read_is_a_safe_start_for_the_next_sync(api, pesaro, publisher_pesaro):
    solution = SolutionFactory(owner=pesaro)
    first = walk(api, "/api/v1/solutions/", {"updated_since": iso(T0)})
    since = max(item["updated_at"] for item in first)
    solutions.update_solution(solution, by=publisher_pesaro, name="Nome nuovo")
    again = walk(api, "/api/v1/solutions/", {"updated_since": since})
    assert [(item["slug"], item["name"]) for item in again] == [(solution.slug, "Nome nuovo")]


def test_a_retired_solution_is_reported_to_everyone_as_retired_in_the_changes_only(api, pesaro, cst_admin):
    kept = SolutionFactory(owner=pesaro)
    gone = SolutionFactory(owner=pesaro)
    solutions.retire_solution(gone, by=cst_admin, reason="Sostituita da un'altra")
    SolutionFactory(owner=pesaro, status="draft", published_at=None)  # never public: never reported
    changes = walk(api, "/api/v1/solutions/", {"updated_since": iso(T0)})
    assert {(item["slug"], item["status"]) for item in changes} == {(kept.slug, "published"), (gone.slug, "retired")}
    # Without updated_since the catalogue is what it was: published solutions only.
    assert [item["slug"] for item in walk(api, "/api/v1/solutions/", {})] == [kept.slug]
    assert api.get(f"/api/v1/solutions/{gone.slug}/").status_code == 404


def test_a_publisher_syncs_its_drafts_and_others_do_not_see_them(pesaro, publisher_pesaro, referent_fano):
    draft = SolutionFactory(owner=pesaro, status="draft", published_at=None)
    mine = walk(client_for(publisher_pesaro), "/api/v1/solutions/", {"updated_since": iso(T0)})
    theirs = walk(client_for(referent_fano), "/api/v1/solutions/", {"updated_since": iso(T0)})
    assert draft.slug in {item["slug"] for item in mine}
    assert draft.slug not in {item["slug"] for item in theirs}


def test_releases_are_listed_for_visible_solutions_and_since_when_they_were_recorded(api, pesaro, publisher_pesaro):
    public = SolutionFactory(owner=pesaro, slug="tributi")
    draft = SolutionFactory(owner=pesaro, slug="bozza", status="draft", published_at=None)
    old = ReleaseFactory(solution=public, version="1.0")
    new = ReleaseFactory(solution=public, version="2.0")
    hidden = ReleaseFactory(solution=draft, version="0.1")
    stamp(Release, old.pk, T0 - dt.timedelta(days=1), "created_at")
    stamp(Release, new.pk, T0 + dt.timedelta(hours=1), "created_at")
    stamp(Release, hidden.pk, T0 + dt.timedelta(hours=2), "created_at")

    assert [(r["solution"]["slug"], r["version"]) for r in walk(api, "/api/v1/releases/", {})] == [
        ("tributi", "2.0"),
        ("tributi", "1.0"),
    ]
    assert [r["version"] for r in walk(api, "/api/v1/releases/", {"updated_since": iso(T0)})] == ["2.0"]
    assert [
        r["version"] for r in walk(client_for(publisher_pesaro), "/api/v1/releases/", {"updated_since": iso(T0)})
    ] == ["2.0", "0.1"]
    assert [r["version"] for r in walk(api, "/api/v1/releases/", {"solution": "tributi"})] == ["2.0", "1.0"]


def test_adoptions_changed_since_in_order_of_change_with_their_status(
    pesaro, fano, urbino, referent_fano, publisher_pesaro, referent_urbino
):
    first = workflow.request_adoption(solution=SolutionFactory(owner=pesaro), body=fano, by=referent_fano)
    second = workflow.request_adoption(solution=SolutionFactory(owner=pesaro), body=fano, by=referent_fano)
    other = AdoptionFactory(solution=SolutionFactory(owner=urbino), body=pesaro)  # not Fano's business
    stamp(Adoption, first.pk, T0 + dt.timedelta(hours=1))
    stamp(Adoption, second.pk, T0 - dt.timedelta(hours=1))
    stamp(Adoption, other.pk, T0 + dt.timedelta(hours=2))
    workflow.transition_adoption(second, action="withdraw", by=referent_fano)  # now the latest change

    items = walk(client_for(referent_fano), "/api/v1/adoptions/", {"updated_since": iso(T0)})
    assert [(item["id"], item["status"]) for item in items] == [(first.pk, "requested"), (second.pk, "withdrawn")]


def test_bodies_keep_their_updated_at_on_every_change_and_are_listed_since(api, db):
    body = BodyFactory(name="Comune di Prova")
    stamp(Body, body.pk, T0 - dt.timedelta(days=1))
    Body.objects.filter(updated_at__gte=T0).update(updated_at=T0 - dt.timedelta(days=2))
    assert walk(api, "/api/v1/municipalities/", {"updated_since": iso(T0)}) == []

    body.refresh_from_db()
    body.population = 1234
    body.save(update_fields=["population", "updated_at"])
    assert body.updated_at > timezone.now() - dt.timedelta(minutes=1)
    items = walk(api, "/api/v1/municipalities/", {"updated_since": iso(T0)})
    assert [(item["key"], item["population"]) for item in items] == [(body.key, 1234)]
    assert items[0]["updated_at"]


def test_the_registry_import_stamps_the_bodies_it_changes(db):
    from municipalities.registry import upsert_bodies

    body = Body.objects.filter(istat_code__isnull=False).first()
    stamp(Body, body.pk, T0)
    row = {"istat_code": body.istat_code, "name": body.name, "population": (body.population or 0) + 1}
    assert upsert_bodies([row], body_model=Body) == (0, 1, 0)
    body.refresh_from_db()
    assert body.updated_at > T0


# Queries of a changes list (token and roles as every authenticated list, then the page and its relations): the
# same as the list without updated_since, and not growing with the page size.
CHANGES = [
    # 3 ETag fingerprint, 4 the page (owner joined, subqueries), 5 categories and tags (one query).
    ("/api/v1/solutions/", 5),
    # 3 the page of releases, solution joined (the visible solutions as a subquery).
    ("/api/v1/releases/", 3),
    # 3 the page, solution and both bodies joined.
    ("/api/v1/adoptions/", 3),
    # 2 the page of bodies, 3 the member comuni of the page's unions.
    ("/api/v1/municipalities/", 3),
]


@pytest.mark.parametrize(("path", "expected"), CHANGES)
def test_changes_lists_pin_their_queries(pesaro, fano, publisher_pesaro, django_assert_num_queries, path, expected):
    BodyFactory.create_batch(12)
    for solution in SolutionFactory.create_batch(12, owner=pesaro):
        ReleaseFactory(solution=solution)
        AdoptionFactory(solution=solution, body=fano)
    client = client_for(publisher_pesaro)
    client.get(path)
    for page_size in (3, 10):
        with django_assert_num_queries(expected):
            response = client.get(path, {"updated_since": iso(T0), "page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size
