"""The bodies of the CST: public list with filters, detail by ISTAT code."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LIST = "/api/v1/municipalities/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_anonymous_list_is_paginated_by_name(api):
    first = api.get(LIST, {"page_size": 10}).json()
    assert len(first["results"]) == 10
    assert [b["name"] for b in first["results"]] == sorted(b["name"] for b in first["results"])
    assert first["next"]


def test_filters_kind_size_class_and_q(api):
    assert names(api.get(LIST, {"kind": "provincia"})) == ["Provincia di Pesaro e Urbino"]
    assert "Fano" in names(api.get(LIST, {"size_class": "l"}))
    assert "Fano" not in names(api.get(LIST, {"size_class": "xs"}))
    assert names(api.get(LIST, {"q": "041013"})) == ["Fano"]
    assert names(api.get(LIST, {"q": "c_d488"})) == ["Fano"]
    assert names(api.get(LIST, {"q": "urbin"})) == ["Provincia di Pesaro e Urbino", "Urbino"]


def test_unknown_size_class_is_a_400(api):
    response = api.get(LIST, {"size_class": "enorme"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "size_class"


def test_detail_by_istat_code(api):
    body = api.get(f"{LIST}041013/").json()
    assert body["name"] == "Fano" and body["ipa_code"] == "c_d488" and body["size_class"] == "l"


@pytest.mark.parametrize("code", ["999999", "atlantide", "41013"])
def test_unknown_code_is_a_json_404(api, code):
    response = api.get(f"{LIST}{code}/")
    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


@pytest.mark.parametrize("value", ["null", "1", "yes", ""])
def test_is_member_takes_true_or_false_only(api, db, value):
    response = api.get("/api/v1/municipalities/", {"is_member": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "is_member"


def test_is_member_filters(api, db):
    from municipalities.models import Body

    Body.objects.create(name="Gemeente Amsterdam", slug="gemeente-amsterdam", kind="estero", is_member=False,
                        uri="https://www.amsterdam.nl")
    external = api.get("/api/v1/municipalities/", {"is_member": "false"}).json()["results"]
    assert [b["key"] for b in external] == ["gemeente-amsterdam"]
    members = api.get("/api/v1/municipalities/", {"is_member": "true", "page_size": 100}).json()["results"]
    assert "gemeente-amsterdam" not in [b["key"] for b in members] and len(members) == 51
