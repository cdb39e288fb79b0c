"""The contract the schema promises: deep JSON is a 400 (never a 500), the root lists the collections, a 201 says
where the new resource is, and a value outside its declared pattern is a 400 naming the field."""

from __future__ import annotations

import pytest

from cstportal.api.parsers import MAX_DEPTH, json_depth_exceeds
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

DEEP = 10_000


def _deep(kind: str) -> str:
    if kind == "arrays":
        return "[" * DEEP + "]" * DEEP
    return '{"a":' * DEEP + "1" + "}" * DEEP


def test_depth_is_counted_outside_strings():
    assert not json_depth_exceeds('{"note": "' + "[" * 100 + '"}')
    assert not json_depth_exceeds("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert json_depth_exceeds("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not json_depth_exceeds(r'["\"[[[[", ' * 10 + "1" + "]" * 10)


@pytest.mark.parametrize("kind", ["arrays", "objects"])
@pytest.mark.parametrize("path", ["/api/v1/adoptions/", "/api/v1/adoptions/{id}/transition/",
                                  "/api/v1/notifications/read-all/", "/api/v1/notifications/{nid}/read/"])
def test_deeply_nested_json_is_a_400_not_a_500(catalogue, referent_fano, path, kind):
    client = client_for(referent_fano)
    client.raise_request_exception = False
    url = path.format(id=catalogue["requested"].pk, nid=1)
    response = client.post(url, _deep(kind), content_type="application/json")
    assert response.status_code < 500, response.content
    if "adoptions" in path:  # the endpoints that read a JSON body
        assert response.status_code == 400
        body = response.json()
        assert body["type"] == "client_error"
        assert body["errors"][0]["code"] == "parse_error" and body["errors"][0]["attr"] is None


def test_nesting_within_the_limit_is_read_as_usual(catalogue, referent_fano):
    body = '{"solution": "catasto", "municipality": "041013", "note": "ok", "x": ' + "[" * 20 + "]" * 20 + "}"
    response = client_for(referent_fano).post("/api/v1/adoptions/", body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_root_links_every_collection(api, db):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    links = response.json()
    assert links["solutions"] == "http://testserver/api/v1/solutions/"
    assert links["adoptions"] == "http://testserver/api/v1/adoptions/"
    assert set(links) == {"solutions", "municipalities", "adoptions", "stats_province", "notifications",
                          "publiccode_import", "releases", "webhooks", "schema", "docs"}
    for url in links.values():
        assert api.get(url.removeprefix("http://testserver")).status_code in {200, 401}


def test_created_adoption_says_where_it_is(catalogue, referent_fano):
    response = client_for(referent_fano).post("/api/v1/adoptions/", {"solution": "catasto", "municipality": "041013"},
                                              format="json")
    assert response.status_code == 201
    assert response["Location"] == f"http://testserver/api/v1/adoptions/{response.json()['id']}/"


@pytest.mark.parametrize(("body", "attr"), [
    ({"solution": "cat asto", "municipality": "041013"}, "solution"),
    ({"solution": "catasto", "municipality": "0410 1a"}, "municipality"),
    ({"solution": "catasto", "municipality": "041013\n"}, "municipality"),
    ({"solution": "catasto", "municipality": "041013", "note": "a\x00b"}, "note"),
])
def test_body_value_outside_its_pattern_is_a_400_on_the_field(catalogue, referent_fano, body, attr):
    response = client_for(referent_fano).post("/api/v1/adoptions/", body, format="json")
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {attr}


@pytest.mark.parametrize("query", ["municipality=41%2013", "municipality=", "solution=a%20b", "solution=x" * 1])
def test_query_value_outside_its_pattern_is_a_400_on_the_parameter(catalogue, referent_fano, query):
    response = client_for(referent_fano).get(f"/api/v1/adoptions/?{query}")
    name = query.split("=")[0]
    if query == "solution=x":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {name}


@pytest.mark.parametrize("query", ["owner=c%20g479", "tag=a%20b", "category=" + "a" * 61, "q=" + "a" * 201])
def test_solution_filters_enforce_what_the_schema_declares(api, db, query):
    response = api.get(f"/api/v1/solutions/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == query.split("=")[0]


@pytest.mark.parametrize("figures", [{"estimated_cost": "1e3"}, {"estimated_cost": " 10"}, {"effort_days": "1.25"},
                                     {"go_live_date": "20260101"}])
def test_go_live_figures_are_checked_as_the_schema_declares(catalogue, referent_fano, pesaro, fano, figures):
    from tests.factories import AdoptionFactory, SolutionFactory

    adoption = AdoptionFactory(solution=SolutionFactory(owner=pesaro), body=fano, status="in_progress")
    body = {"action": "go_live", "adopted_version": "1.0", "go_live_date": "2026-01-01", **figures}
    response = client_for(referent_fano).post(f"/api/v1/adoptions/{adoption.pk}/transition/", body, format="json")
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == list(figures)


def test_schema_declares_the_constraints(api, db):
    openapi = api.get("/api/v1/schema/", {"format": "json"}).json()
    components = openapi["components"]["schemas"]
    create = components["AdoptionCreateRequest"]["properties"]
    assert create["municipality"]["pattern"] == "^[-A-Za-z0-9_]{1,160}$"
    assert create["solution"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    transition = openapi["paths"]["/api/v1/adoptions/{id}/transition/"]["post"]
    assert set(transition["requestBody"]["content"]["application/json"]["schema"]) == {"$ref"}
    shapes = components["AdoptionTransitionRequest"]
    assert set(shapes["discriminator"]["mapping"]) == {"approve", "reject", "ask_info", "answer", "start", "go_live",
                                                       "retire", "withdraw"}
    assert components["TransitionWithNoteRequest"]["required"] == ["action", "note"]
    go_live = components["GoLiveRequest"]
    assert set(go_live["required"]) == {"action", "adopted_version", "go_live_date"}
    assert go_live["properties"]["estimated_cost"]["pattern"] == r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
    assert go_live["properties"]["go_live_date"]["format"] == "date"
    assert "409" in transition["responses"]
    assert "Location" in openapi["paths"]["/api/v1/adoptions/"]["post"]["responses"]["201"]["headers"]
    assert "Location" in openapi["paths"]["/api/v1/publiccode/import/"]["post"]["responses"]["201"]["headers"]
    parameters = {p["name"]: p["schema"] for p in openapi["paths"]["/api/v1/adoptions/"]["get"]["parameters"]}
    assert parameters["municipality"]["pattern"] == "^[-A-Za-z0-9_]{1,160}$"
    download = openapi["paths"]["/api/v1/solutions/{slug}/publiccode.yml"]["get"]["responses"]["200"]
    assert download["content"] == {"text/yaml": {"schema": {"type": "string"}}}
    assert "Content-Disposition" in download["headers"]
    upload = openapi["paths"]["/api/v1/publiccode/import/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    root = openapi["paths"]["/api/v1/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert root == {"$ref": "#/components/schemas/ApiRoot"}
