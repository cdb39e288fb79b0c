"""The OpenAPI 3 schema describes every operation with its parameters, bodies and error answers; the Swagger UI
is served from our own static files, with no inline script and no request leaving the machine."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ERRORS_EVERYWHERE = {"401", "403", "404", "405", "429", "500"}


@pytest.fixture
def openapi(api) -> dict:
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_schema_is_valid_openapi_3(openapi):
    assert openapi["openapi"].startswith("3.")
    validate_schema(openapi)


def test_schema_lists_every_endpoint_of_the_issue(openapi):
    found = {(method.upper(), path) for path, method, _op in operations(openapi)}
    assert found == {
        ("GET", "/api/v1/"),
        ("GET", "/api/v1/solutions/"), ("GET", "/api/v1/solutions/{slug}/"), ("PATCH", "/api/v1/solutions/{slug}/"),
        ("GET", "/api/v1/solutions/{slug}/releases/"), ("GET", "/api/v1/solutions/{slug}/publiccode.yml"),
        ("GET", "/api/v1/releases/"),
        ("POST", "/api/v1/publiccode/import/"),
        ("GET", "/api/v1/municipalities/"), ("GET", "/api/v1/municipalities/{key}/"),
        ("GET", "/api/v1/adoptions/"), ("POST", "/api/v1/adoptions/"), ("GET", "/api/v1/adoptions/{id}/"),
        ("POST", "/api/v1/adoptions/{id}/transition/"), ("GET", "/api/v1/adoptions/{id}/events/"),
        ("GET", "/api/v1/stats/province/"),
        ("GET", "/api/v1/software/"), ("GET", "/api/v1/software/{id}/"),
        ("GET", "/api/v1/notifications/"), ("POST", "/api/v1/notifications/{id}/read/"),
        ("POST", "/api/v1/notifications/read-all/"),
        ("GET", "/api/v1/webhooks/"), ("POST", "/api/v1/webhooks/"), ("GET", "/api/v1/webhooks/{id}/"),
        ("DELETE", "/api/v1/webhooks/{id}/"), ("POST", "/api/v1/webhooks/{id}/enable/"),
        ("GET", "/api/v1/webhooks/{id}/deliveries/"),
    }


def test_every_operation_is_described_with_its_errors(openapi):
    for path, method, operation in operations(openapi):
        assert operation.get("summary") and operation.get("description"), (method, path)
        codes = set(operation["responses"])
        assert any(code.startswith("2") for code in codes), (method, path)
        assert codes >= ERRORS_EVERYWHERE, (method, path, ERRORS_EVERYWHERE - codes)
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                assert "application/json" in response["content"], (method, path, code)
        for parameter in operation.get("parameters", []):
            assert parameter.get("schema"), (method, path, parameter["name"])
            assert parameter.get("description"), (method, path, parameter["name"])
        if method == "post" and not path.endswith(("/read/", "/read-all/", "/enable/")):
            assert operation["requestBody"]["content"], (method, path)
            assert "400" in codes, (method, path)


def test_filters_and_pagination_are_documented(openapi):
    parameters = {p["name"]: p for p in openapi["paths"]["/api/v1/solutions/"]["get"]["parameters"]}
    assert {"kind", "category", "owner", "used_by", "status", "development_status", "origin", "tag", "supports", "q",
            "ordering", "cursor", "page_size", "If-None-Match"} <= set(parameters)
    assert parameters["owner"]["description"]
    assert set(parameters["ordering"]["schema"]["enum"]) == {
        "name", "-name", "latest_release_date", "-latest_release_date", "used_by_count", "-used_by_count",
        "vitality", "-vitality", "relevance",
    }
    solutions = openapi["paths"]["/api/v1/solutions/"]["get"]["responses"]
    assert "304" in solutions and "ETag" in solutions["200"]["headers"]


def test_bodies_and_solutions_document_their_links_and_users(openapi):
    schemas = openapi["components"]["schemas"]
    municipality = schemas["Municipality"]["properties"]
    assert {"solutions", "uses"} <= set(municipality)
    assert municipality["solutions"]["format"] == "uri" and municipality["uses"]["readOnly"]
    used_by = schemas["SolutionDetail"]["properties"]["used_by"]
    assert used_by["type"] == "array"
    item = used_by["items"]
    item = schemas[item["$ref"].rsplit("/", 1)[-1]] if "$ref" in item else item
    assert set(item["properties"]) == {"key", "name", "url"}
    parameters = {p["name"] for p in openapi["paths"]["/api/v1/solutions/"]["get"]["parameters"]}
    assert "used_by" in parameters


def test_special_answers_are_documented(openapi):
    paths = openapi["paths"]
    assert "409" in paths["/api/v1/adoptions/{id}/transition/"]["post"]["responses"]
    assert "409" in paths["/api/v1/adoptions/"]["post"]["responses"]
    assert "422" in paths["/api/v1/publiccode/import/"]["post"]["responses"]
    assert "multipart/form-data" in paths["/api/v1/publiccode/import/"]["post"]["requestBody"]["content"]
    assert "text/yaml" in paths["/api/v1/solutions/{slug}/publiccode.yml"]["get"]["responses"]["200"]["content"]


def test_the_software_list_is_documented_as_the_national_catalogue_has_it(openapi):
    operation = openapi["paths"]["/api/v1/software/"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["page[size]"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}
    assert parameters["from"] == {"type": "string", "format": "date-time"}
    assert {"page[after]", "page[before]"} <= set(parameters)
    assert {"400", "404"} <= set(operation["responses"])
    schemas = openapi["components"]["schemas"]
    assert set(schemas["SoftwareList"]["properties"]) == {"data", "links"}
    assert set(schemas["SoftwareLinks"]["required"]) == {"prev", "next"}
    assert set(schemas["Software"]["required"]) == {
        "id", "url", "aliases", "publiccodeYml", "active", "vitality", "createdAt", "updatedAt",
    }


def test_both_authentications_are_declared(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {**schemes["tokenAuth"], "type": "apiKey", "in": "header", "name": "Authorization"}
    assert "cookieAuth" in schemes
    public = openapi["paths"]["/api/v1/solutions/"]["get"]["security"]
    assert {} in public  # anonymous reading of public data
    private = openapi["paths"]["/api/v1/adoptions/"]["get"]["security"]
    assert {} not in private


def test_read_only_fields_are_marked_read_only(openapi):
    adoption = openapi["components"]["schemas"]["Adoption"]["properties"]
    for name in ("id", "status", "owner", "requested_at", "created_at", "updated_at"):
        assert adoption[name].get("readOnly") or "allOf" in adoption[name], name
    request_fields = set(openapi["components"]["schemas"]["AdoptionCreateRequest"]["properties"])
    assert request_fields == {"solution", "municipality", "note"}


def test_docs_page_uses_our_static_files_and_no_inline_script(api):
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert re.search(r'<script src="[^"]*\?[^"]*script', html)
    assert not re.search(r"<script>(?!\s*</script>)", html)  # no inline script body
    assert not re.search(r'(src|href)="https?://', html)
    script = api.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "http://" not in script.content.decode() and "https://" not in script.content.decode()
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
