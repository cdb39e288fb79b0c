"""A body in the API links to what it publishes and what it uses; a solution names the bodies that use it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalog.models import Adoption
from tests.factories import AdoptionFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["slug"] for item in response.json()["results"])


def test_a_body_links_to_its_solutions_and_to_those_it_uses(api, catalogue):
    fano = api.get("/api/v1/municipalities/041013/").json()
    pesaro = api.get("/api/v1/municipalities/041044/").json()
    assert fano["uses"] == "http://testserver/api/v1/solutions/?used_by=041013"
    assert pesaro["solutions"] == "http://testserver/api/v1/solutions/?owner=041044"
    assert _slugs(api.get(fano["uses"])) == ["tributi"]  # in production; the open request on Urbino's is not use
    assert _slugs(api.get(pesaro["solutions"])) == ["catasto", "tributi"]  # published only, for a visitor
    assert _slugs(api.get(fano["solutions"])) == []


def test_the_list_of_bodies_carries_the_links_too(api, catalogue):
    first = api.get("/api/v1/municipalities/", {"page_size": 1}).json()["results"][0]
    assert first["solutions"].endswith(f"?owner={first['key']}")
    assert first["uses"].endswith(f"?used_by={first['key']}")


@pytest.mark.parametrize("code", ["c_d488", "C_D488"])
def test_used_by_takes_any_code_of_the_body(api, catalogue, code):
    assert _slugs(api.get("/api/v1/solutions/", {"used_by": code})) == ["tributi"]


@pytest.mark.parametrize("value", ["x" * 200, "a b", "<script>"])
def test_a_malformed_used_by_is_a_400_naming_it(api, catalogue, value):
    response = api.get("/api/v1/solutions/", {"used_by": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "used_by"


def test_the_solution_names_the_bodies_that_use_it(api, catalogue, urbino):
    AdoptionFactory(solution=catalogue["tributi"], body=urbino, status="in_production")
    AdoptionFactory(solution=catalogue["tributi"], body=urbino.unions.first() or urbino, status="retired")
    detail = api.get("/api/v1/solutions/tributi/").json()
    assert detail["used_by_count"] == 2
    assert detail["used_by"] == [
        {"key": "041013", "name": "Fano", "url": "http://testserver/api/v1/municipalities/041013/"},
        {"key": "041067", "name": "Urbino", "url": "http://testserver/api/v1/municipalities/041067/"},
    ]
    assert api.get("/api/v1/solutions/catasto/").json()["used_by"] == []


def test_a_change_of_who_uses_it_changes_the_etag(api, catalogue, urbino):
    first = api.get("/api/v1/solutions/tributi/")
    # Fano retires it and Urbino goes live: the same count, another list.
    Adoption.objects.filter(pk=catalogue["in_production"].pk).update(status="retired", status_changed_at=timezone.now())
    AdoptionFactory(solution=catalogue["tributi"], body=urbino, status="in_production")
    again = api.get("/api/v1/solutions/tributi/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert [b["name"] for b in again.json()["used_by"]] == ["Urbino"]


@pytest.mark.parametrize("users", [1, 12])
def test_the_solution_detail_query_count_does_not_grow_with_its_users(api, pesaro, django_assert_num_queries, users):
    from municipalities.models import Body

    solution = SolutionFactory(slug="molto-usata", owner=pesaro)
    for body in Body.objects.exclude(pk=pesaro.pk).order_by("name")[:users]:
        AdoptionFactory(solution=solution, body=body, status="in_production")
    # 1 the solution (owner joined; adoption count, last adoption change and current release as subqueries),
    # 2 categories and tags (one query), 3 the bodies of the adoptions in production.
    with django_assert_num_queries(3):
        response = api.get("/api/v1/solutions/molto-usata/")
    assert len(response.json()["used_by"]) == users
