"""Every kind of response carries the security headers: pages, JSON, static files, redirects and errors."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

HSTS_SECONDS = 31536000

# (kind, path, status): one request of each kind the portal answers.
KINDS = [
    ("html page", "/", 200),
    ("json", "/healthz", 200),
    ("static file", "/static/css/portal.css", 200),
    ("redirect", "/account/profilo/", 302),
    ("not found", "/non-esiste/", 404),
    ("forbidden", "/_test/forbidden/", 403),
    ("server error", "/_test/boom/", 500),
]


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = "tests.security.urls"
    settings.DEBUG = False


def _api_list_path() -> str | None:
    try:
        return reverse("api:solution-list")
    except NoReverseMatch:
        return None


def _get(client, path: str, **extra):
    client.raise_request_exception = False
    return client.get(path, **extra)


def _assert_common_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _assert_csp(response) -> None:
    directives = {
        part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split(";") if part.strip()
    }
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src == ["'self'"], script_src  # no 'unsafe-inline', no 'unsafe-eval', no hosts
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


@pytest.mark.parametrize(("kind", "path", "status"), KINDS, ids=[k[0] for k in KINDS])
def test_every_kind_of_response_carries_the_security_headers(client, error_urls, kind, path, status):
    response = _get(client, path)
    assert response.status_code == status
    _assert_common_headers(response)
    if kind != "static file":  # CSS/JS files are not documents: a policy on them would have no effect
        _assert_csp(response)
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(("kind", "path", "status"), KINDS, ids=[k[0] for k in KINDS])
def test_https_responses_carry_hsts(client, error_urls, settings, kind, path, status):
    settings.HTTPS = True
    settings.SECURE_HSTS_SECONDS = HSTS_SECONDS
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = _get(client, path, secure=True)
    assert response.status_code == status
    assert response["Strict-Transport-Security"] == f"max-age={HSTS_SECONDS}; includeSubDomains; preload"
    _assert_common_headers(response)


def test_plain_http_gets_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/")


def test_the_api_list_carries_the_security_headers(client, db):
    path = _api_list_path()
    if path is None:
        pytest.skip("the REST API is not routed")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    _assert_common_headers(response)
    _assert_csp(response)


def test_csrf_failure_is_a_403_with_headers(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/segnalazioni/", {"name": "x", "email": "x@example.org", "message": "x"})
    assert response.status_code == 403
    _assert_common_headers(response)
    _assert_csp(response)


def test_a_declared_oversized_body_is_refused_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BYTES = 1024
    response = client.generic("POST", "/segnalazioni/", b"x" * 2048, content_type="text/plain")
    assert response.status_code == 413
    _assert_common_headers(response)
    _assert_csp(response)


def test_an_oversized_api_body_gets_a_json_413(client, settings):
    settings.MAX_REQUEST_BYTES = 1024
    response = client.generic("POST", "/api/v1/adoptions/", b"{}" + b" " * 2048, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_session_and_csrf_cookies_are_secure_over_https(client, settings, cst_admin):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    from tests.conftest import PASSWORD

    response = client.post("/account/accedi/", {"username": cst_admin.email, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
