"""The solutions endpoints: list with filters, search and ordering, detail, releases, publiccode.yml, ETag."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from catalog.models import Category, Tag
from tests.api.conftest import client_for
from tests.factories import ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/solutions/"


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_anonymous_list_shows_published_solutions_only(api, catalogue):
    assert slugs(api.get(LIST)) == ["catasto", "protocollo", "tributi"]


def test_item_carries_owner_kind_categories_release_and_used_by_count(api, catalogue):
    catalogue["tributi"].categories.add(Category.objects.get_or_create(code="taxes-management")[0])
    catalogue["tributi"].tags.add(Tag.objects.create(name="IMU", slug="imu"))
    item = next(i for i in api.get(LIST).json()["results"] if i["slug"] == "tributi")
    assert item["owner"] == {"key": "041044", "istat_code": "041044", "ipa_code": "c_g479", "name": "Pesaro"}
    assert item["kind"] == "software"
    assert item["categories"] == ["taxes-management"]
    assert item["tags"] == ["imu"]
    assert item["current_release"] == {"version": "2.0.0", "date": "2026-01-15"}
    assert item["used_by_count"] == 1
    assert item["status"] == "published"
    without_release = next(i for i in api.get(LIST).json()["results"] if i["slug"] == "catasto")
    assert without_release["current_release"] is None and without_release["used_by_count"] == 0


def test_current_release_is_the_newest(api, catalogue):
    ReleaseFactory(solution=catalogue["tributi"], version="2.1.0", date=dt.date(2026, 3, 1))
    ReleaseFactory(solution=catalogue["tributi"], version="1.9.0", date=dt.date(2025, 3, 1))
    detail = api.get(f"{LIST}tributi/").json()
    assert detail["current_release"] == {"version": "2.1.0", "date": "2026-03-01"}


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "service"}, ["protocollo"]),
    ({"owner": "041067"}, ["protocollo"]),
    ({"owner": "c_g479"}, ["catasto", "tributi"]),
    ({"owner": "C_G479"}, ["catasto", "tributi"]),
    ({"origin": "elicat"}, ["catasto"]),
    ({"development_status": "beta"}, []),
    ({"category": "taxes-management"}, ["tributi"]),
    ({"tag": "imu"}, ["tributi"]),
    ({"supports": "pagopa"}, ["tributi"]),
    ({"status": "published", "kind": "software"}, ["catasto", "tributi"]),
])
def test_filters(api, catalogue, params, expected):
    tributi = catalogue["tributi"]
    tributi.categories.add(Category.objects.get_or_create(code="taxes-management")[0])
    tributi.tags.add(Tag.objects.create(name="IMU", slug="imu"))
    tributi.supports_pagopa = True
    tributi.save()
    assert slugs(api.get(LIST, params)) == expected


def test_status_filter_gives_drafts_only_to_those_who_may_see_them(api, catalogue, publisher_pesaro, referent_fano):
    assert slugs(api.get(LIST, {"status": "draft"})) == []
    assert slugs(client_for(referent_fano).get(LIST, {"status": "draft"})) == []
    assert slugs(client_for(publisher_pesaro).get(LIST, {"status": "draft"})) == ["bozza-pesaro"]


def test_unknown_choice_is_a_400_naming_the_parameter(api, catalogue):
    response = api.get(LIST, {"kind": "astronave", "ordering": "colore"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {e["attr"] for e in body["errors"]} == {"kind", "ordering"}
    assert all(e["detail"] for e in body["errors"])


def _index_for_search() -> None:
    from catalog.solutions.search import refresh_search_vector

    refresh_search_vector(None)  # the services do it; factories bypass them (no-op on SQLite)


def test_full_text_search_orders_by_relevance(api, catalogue):
    SolutionFactory(slug="altro", name="Gestione rifiuti", long_description_it="Calcola anche i tributi sui rifiuti.")
    _index_for_search()
    assert slugs(api.get(LIST, {"q": "tributi"})) == ["tributi", "altro"]
    assert slugs(api.get(LIST, {"q": "tributi", "ordering": "name"})) == ["altro", "tributi"]


def test_relevance_without_q_falls_back_to_name(api, catalogue):
    assert slugs(api.get(LIST, {"ordering": "relevance"})) == ["catasto", "protocollo", "tributi"]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("name", ["catasto", "protocollo", "tributi"]),
    ("-name", ["tributi", "protocollo", "catasto"]),
    ("-used_by_count", ["tributi", "protocollo", "catasto"]),  # ties: the newest first
    ("used_by_count", ["catasto", "protocollo", "tributi"]),
    ("-latest_release_date", ["protocollo", "catasto", "tributi"]),
    ("latest_release_date", ["tributi", "catasto", "protocollo"]),
    ("-vitality", ["catasto", "protocollo", "tributi"]),  # never harvested: last
    ("vitality", ["tributi", "protocollo", "catasto"]),
])
def test_ordering(api, catalogue, ordering, expected):
    catalogue["catasto"].latest_release_date = dt.date(2025, 1, 1)
    catalogue["catasto"].vitality = 80
    catalogue["catasto"].save()
    catalogue["protocollo"].latest_release_date = dt.date(2026, 1, 1)
    catalogue["protocollo"].vitality = 55
    catalogue["protocollo"].save()
    assert slugs(api.get(LIST, {"ordering": ordering})) == expected


@pytest.mark.parametrize("ordering", ["name", "-name", "used_by_count", "-latest_release_date", "relevance",
                                      "-vitality", "vitality"])
def test_cursor_pagination_walks_every_item_once(api, db, ordering):
    # Many equal keys (four names, three dates, no adoptions, three vitality figures and none): the cursor's offsets
    # must still cover every item.
    for n in range(25):
        SolutionFactory(name=f"Soluzione condivisa {n % 4}",
                        latest_release_date=dt.date(2026, 1, 1 + n % 3) if n % 2 else None,
                        vitality=(40, 60, 80, None)[n % 4])
    seen: list[str] = []
    params = {"ordering": ordering, "page_size": 7}
    if ordering == "relevance":
        params["q"] = "soluzione"
        _index_for_search()
    url, pages = LIST, 0
    while url:
        response = api.get(url, params if url == LIST else None)
        seen += slugs(response)
        url = response.json()["next"]
        pages += 1
    assert len(seen) == len(set(seen)) == 25
    assert pages == 4


def test_page_size_is_capped_at_100(api, db):
    SolutionFactory.create_batch(105)
    assert len(slugs(api.get(LIST, {"page_size": 500}))) == 100
    assert len(slugs(api.get(LIST))) == 20


@pytest.mark.parametrize("value", ["0", "-3", "dieci"])
def test_invalid_page_size_is_a_400(api, db, value):
    response = api.get(LIST, {"page_size": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "page_size"


@pytest.mark.parametrize("cursor", ["non-un-cursore", "cD1wcm92YQ==", "cD0yMDI2LTk5LTk5"])
def test_forged_cursor_is_a_json_404(api, catalogue, cursor):
    response = api.get(LIST, {"cursor": cursor, "ordering": "-latest_release_date"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "Cursore non valido."


def test_detail_by_slug(api, catalogue):
    response = api.get(f"{LIST}tributi/")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "tributi" and body["long_description_it"]
    assert body["contacts"] is None  # anonymous: no contacts


def test_detail_shows_contacts_to_people_of_member_bodies(catalogue, member_fano):
    catalogue["tributi"].contacts = [{"name": "Ufficio tributi", "email": "tributi@comune.pesaro.pu.it"}]
    catalogue["tributi"].save()
    assert client_for(member_fano).get(f"{LIST}tributi/").json()["contacts"][0]["name"] == "Ufficio tributi"


def test_draft_detail_is_404_for_others_and_200_for_its_publisher(api, catalogue, publisher_pesaro, referent_fano):
    assert api.get(f"{LIST}bozza-pesaro/").status_code == 404
    assert client_for(referent_fano).get(f"{LIST}bozza-pesaro/").status_code == 404
    assert client_for(publisher_pesaro).get(f"{LIST}bozza-pesaro/").status_code == 200


def test_releases_newest_first(api, catalogue):
    ReleaseFactory(solution=catalogue["tributi"], version="2.1.0", date=dt.date(2026, 3, 1))
    response = api.get(f"{LIST}tributi/releases/")
    assert [r["version"] for r in response.json()["results"]] == ["2.1.0", "2.0.0"]
    assert api.get(f"{LIST}bozza-pesaro/releases/").status_code == 404


def test_publiccode_yml_is_yaml_text(api, catalogue):
    response = api.get(f"{LIST}tributi/publiccode.yml", HTTP_ACCEPT="text/yaml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/yaml")
    document = yaml.safe_load(response.content)
    assert document["name"] == "Tributi locali"
    missing = api.get(f"{LIST}bozza-pesaro/publiccode.yml", HTTP_ACCEPT="text/yaml")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"


# --- ETag -----------------------------------------------------------------------------------------------------


def test_list_etag_round_trip_gives_304_with_empty_body(api, catalogue):
    first = api.get(LIST)
    tag = first["ETag"]
    assert tag.startswith('W/"')
    again = api.get(LIST, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == tag


def test_detail_etag_round_trip_gives_304_with_empty_body(api, catalogue):
    tag = api.get(f"{LIST}tributi/")["ETag"]
    again = api.get(f"{LIST}tributi/", HTTP_IF_NONE_MATCH=f'"other", {tag}')
    assert again.status_code == 304 and again.content == b""


def test_304_costs_fewer_queries_than_200(api, catalogue, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as full:
        tag = api.get(LIST)["ETag"]
    with CaptureQueriesContext(connection) as cached:
        assert api.get(LIST, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert len(cached) < len(full)
    assert len(cached) == 1  # the fingerprint


def test_item_carries_the_vitality_of_its_repository_or_null(api, catalogue):
    catalogue["catasto"].vitality = 72
    catalogue["catasto"].save()
    items = {item["slug"]: item for item in api.get(LIST).json()["results"]}
    assert items["catasto"]["vitality"] == 72 and items["tributi"]["vitality"] is None
    assert api.get(f"{LIST}catasto/").json()["vitality"] == 72


@pytest.mark.parametrize("change", ["edit", "release", "adoption", "new", "vitality"])
def test_etag_changes_when_what_the_list_shows_changes(api, catalogue, publisher_pesaro, fano, change):
    from catalog.adoptions import services as adoptions
    from catalog.solutions import services as solutions

    tag = api.get(LIST)["ETag"]
    if change == "edit":
        solutions.update_solution(catalogue["catasto"], by=publisher_pesaro, name="Catasto condiviso")
    elif change == "release":
        solutions.add_release(catalogue["catasto"], by=publisher_pesaro, version="3.0", date=dt.date(2026, 2, 1))
    elif change == "adoption":
        adoptions.transition_adoption(catalogue["in_production"], action="retire", by=_cst())
    elif change == "vitality":  # a harvest computes a new figure without touching updated_at
        from catalog.harvest.services import _record_vitality
        from catalog.harvest.vitality import Vitality

        figure = Vitality(value=70, scores=(70,) * 60, user_community=12, code_activity=8, release_history=20,
                          longevity=30, authors=5, commits=9, merges=1, releases=0, age_days=400)
        _record_vitality(catalogue["catasto"], figure, now=timezone.now())
    else:
        SolutionFactory(slug="nuova")
    assert api.get(LIST, HTTP_IF_NONE_MATCH=tag).status_code == 200


def _cst():
    from tests.conftest import _person

    return _person("cst.etag@cstpu.test", global_role="cst_admin")


def test_etag_differs_between_people(api, catalogue, publisher_pesaro):
    anonymous_tag = api.get(LIST)["ETag"]
    publisher = client_for(publisher_pesaro)
    assert publisher.get(LIST, HTTP_IF_NONE_MATCH=anonymous_tag).status_code == 200


def test_etag_differs_between_filters(api, catalogue):
    tag = api.get(LIST)["ETag"]
    assert api.get(LIST, {"kind": "service"}, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_etag_answers_vary_by_person_and_are_revalidated(api, catalogue, referent_fano):
    anonymous = api.get(LIST)
    assert anonymous["Cache-Control"] == "no-cache"
    assert {"Authorization", "Cookie", "Accept-Language"} <= {v.strip() for v in anonymous["Vary"].split(",")}
    personal = client_for(referent_fano).get(f"{LIST}tributi/")
    assert personal["Cache-Control"] == "private, no-cache"


def test_an_invalid_page_size_is_a_400_even_with_a_matching_etag(api, db):
    response = api.get("/api/v1/solutions/", {"page_size": "-2"}, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 400


def test_codes_and_users_read_flat_are_what_the_prefetched_models_give(catalogue, referent_urbino, urbino):
    """catalog.api.views.attach_codes / attach_used_by read plain values for speed: the same representation, in the
    same order, as the related models prefetched (which other callers of the serializers still use)."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from catalog.api import serializers, views
    from catalog.models import Category, Solution, Tag
    from tests.factories import AdoptionFactory

    tributi = catalogue["tributi"]
    tributi.categories.set([Category.objects.order_by("-code").first(), Category.objects.order_by("code").first()])
    tributi.tags.set([Tag.objects.create(name="zeta", slug="a-zeta"), Tag.objects.create(name="alfa", slug="z-alfa")])
    AdoptionFactory(solution=tributi, body=urbino, status="in_production")
    request = Request(APIRequestFactory().get("/api/v1/solutions/"))
    queryset = views.solutions_for_api(Solution.objects.published()).order_by("pk")
    prefetched = list(queryset.prefetch_related("categories", "tags", views.used_by_prefetch()))
    flat = list(queryset)
    views.attach_codes(flat)
    for solution in flat:
        views.attach_used_by(solution)
    old = serializers.SolutionDetailSerializer(prefetched, many=True, context={"request": request}).data
    new = serializers.SolutionDetailSerializer(flat, many=True, context={"request": request}).data
    assert new == old
    item = next(entry for entry in new if entry["slug"] == "tributi")
    assert item["tags"] == ["z-alfa", "a-zeta"] and len(item["categories"]) == 2 and len(item["used_by"]) == 2


def test_rows_are_represented_as_drf_represents_them(catalogue, referent_urbino, urbino):
    """catalog.api.serializers.RowRepresentation writes each item from a plan instead of DRF's per-field machinery:
    over many solutions of every shape (choices, blank and null values, English texts, releases or none, vitality or
    none, owners with and without codes, bodies in production) the output is DRF's, key for key and in order, for
    the list and the detail; an instance read without the view's annotations goes through DRF as before."""
    import json
    import random

    from rest_framework import serializers as drf
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from rest_framework.utils.encoders import JSONEncoder

    from catalog.api import serializers, views
    from catalog.models import Solution
    from tests.factories import AdoptionFactory, BodyFactory

    rng = random.Random(5)
    union = BodyFactory()
    categories = list(Category.objects.all()[:4])
    tags = [Tag.objects.create(name=f"etichetta {n}", slug=f"etichetta-{n}") for n in range(3)]
    for n in range(40):
        solution = SolutionFactory(
            owner=rng.choice([union, urbino, catalogue["tributi"].owner]),
            kind=rng.choice(Solution.Kind.values), development_status=rng.choice(Solution.DevelopmentStatus.values),
            origin=rng.choice(Solution.Origin.values), short_description_en=rng.choice(["", "An English text."]),
            repository_url=rng.choice(["", f"https://example.org/r/{n}"]), landing_url="",
            documentation_url=rng.choice(["", "https://example.org/docs"]), vitality=rng.choice([None, 0, 57, 100]),
            supports_spid=rng.random() < 0.5, supports_pagopa=rng.random() < 0.5, localisation_ready=n % 2 == 0,
            features_it=["Una", "Due"] if n % 3 else [], maintenance_until=rng.choice([None, dt.date(2030, 1, 1)]),
            published_at=rng.choice([None, timezone.now()]),
        )
        solution.categories.set(rng.sample(categories, rng.randint(0, len(categories))))
        solution.tags.set(rng.sample(tags, rng.randint(0, len(tags))))
        for _ in range(rng.randint(0, 2)):
            ReleaseFactory(solution=solution)
        if n % 4 == 0 and solution.owner != urbino:
            AdoptionFactory(solution=solution, body=urbino, status="in_production")
    request = Request(APIRequestFactory().get(LIST))
    rows = list(views.solutions_for_api(Solution.objects.all()).order_by("pk"))
    views.attach_codes(rows)
    for solution in rows:
        views.attach_used_by(solution)
    assert len(rows) > 40
    for cls in (serializers.SolutionSerializer, serializers.SolutionDetailSerializer):
        assert cls.representation_plan() is not None
        new = cls(rows, many=True, context={"request": request}).data
        child = cls(context={"request": request})
        old = [drf.Serializer.to_representation(child, solution) for solution in rows]
        assert [dict(item) for item in new] == old
        assert json.dumps(new, cls=JSONEncoder) == json.dumps(old, cls=JSONEncoder)
    plain = Solution.objects.get(slug="tributi")  # no adoption count, no codes attached: DRF's own way
    child = serializers.SolutionSerializer(context={"request": request})
    assert child.to_representation(plain) == drf.Serializer.to_representation(child, plain)
    assert "used_by_count" not in child.to_representation(plain)
