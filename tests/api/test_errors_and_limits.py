"""Errors are JSON in one shape (never an HTML page), in Italian; session clients need CSRF; throttling holds
against forged client addresses."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["errors"][0]["code"] == code
    return body


@pytest.mark.parametrize("path", ["/api/v1/nulla/", "/api/v1/solutions/a/b/c/", "/api/", "/api/v2/solutions/",
                                  "/api/v1/adoptions"])
def test_unknown_urls_under_api_are_json_404(api, path):
    assert_json_error(api.get(path), 404, "not_found")
    assert_json_error(api.post(path, {}, format="json"), 404, "not_found")


def test_pages_outside_the_api_keep_their_html_404(client, db):
    response = client.get("/pagina-inesistente/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_wrong_method_is_json_405_with_allow(api, db):
    body = assert_json_error(api.delete("/api/v1/solutions/"), 405, "method_not_allowed")
    assert body["type"] == "client_error"
    assert "GET" in api.put("/api/v1/solutions/")["Allow"]


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_error_is_json_500(api, db, settings, monkeypatch, debug):
    from municipalities import api as views

    def broken(*args, **kwargs):
        raise RuntimeError("guasto")

    settings.DEBUG = debug
    monkeypatch.setattr(views.MunicipalityViewSet, "get_queryset", broken)
    api.raise_request_exception = False
    body = assert_json_error(api.get("/api/v1/municipalities/"), 500, "error")
    assert body["type"] == "server_error"
    assert "guasto" not in str(body)


def test_validation_messages_are_italian_and_per_field(catalogue, referent_fano):
    response = client_for(referent_fano).post("/api/v1/adoptions/", {"municipality": "041013"}, format="json")
    body = assert_json_error(response, 400, "required")
    assert body["type"] == "validation_error"
    assert body["errors"] == [{"code": "required", "detail": "Campo obbligatorio.", "attr": "solution"}]


def test_malformed_json_is_a_400(catalogue, referent_fano):
    response = client_for(referent_fano).post("/api/v1/adoptions/", "{non json", content_type="application/json")
    assert_json_error(response, 400, "parse_error")


def test_session_client_needs_csrf_for_writes(catalogue, referent_fano):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(referent_fano)
    assert client.get("/api/v1/adoptions/").status_code == 200
    refused = client.post("/api/v1/adoptions/", {"solution": "catasto", "municipality": "041013"}, format="json")
    assert_json_error(refused, 403, "permission_denied")
    token = client.get("/account/token-api/").cookies["csrftoken"].value
    accepted = client.post("/api/v1/adoptions/", {"solution": "catasto", "municipality": "041013"}, format="json",
                           HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


# --- throttling -----------------------------------------------------------------------------------------------


@pytest.fixture
def tight_rates(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute",
                                                                                       "user": "4/minute"}}
    return settings


def test_anonymous_throttle_gives_json_429(api, tight_rates):
    for _ in range(3):
        assert api.get("/api/v1/municipalities/").status_code == 200
    response = api.get("/api/v1/municipalities/")
    assert_json_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_forged_x_forwarded_for_does_not_reset_the_anonymous_throttle(api, tight_rates):
    for n in range(3):
        assert api.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 200
    forged = api.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert forged.status_code == 429


def test_with_a_trusted_proxy_the_forwarded_address_counts(api, tight_rates):
    tight_rates.REST_FRAMEWORK = {**tight_rates.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(3):
        assert api.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert api.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert api.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_proxy_count_defaults_to_remote_addr_only():
    from django.conf import settings

    assert settings.PROXY_COUNT == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_user_throttle_counts_per_person(catalogue, referent_fano, referent_urbino, tight_rates):
    fano, urbino = client_for(referent_fano), client_for(referent_urbino)
    for _ in range(4):
        assert fano.get("/api/v1/adoptions/").status_code == 200
    assert_json_error(fano.get("/api/v1/adoptions/"), 429, "throttled")
    assert urbino.get("/api/v1/adoptions/").status_code == 200  # same address, another person


def test_options_is_not_an_undocumented_description(api, db):
    response = api.options("/api/v1/solutions/")
    assert_json_error(response, 405, "method_not_allowed")
    assert "OPTIONS" not in response["Allow"]
    assert api.get("/api/v1/solutions/")["Allow"] == "GET, HEAD"


def test_head_answers_like_get_without_body(api, db):
    response = api.head("/api/v1/municipalities/")
    assert response.status_code == 200 and response.content == b""
