"""With DEBUG off, an unexpected error shows a plain page that leaks nothing about the code or the settings."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LEAKS = ["Traceback", "LeakyError", "SELECT", "municipalities_user", "SECRET_KEY", "key=", "settings", "File \"",
         "/work/", ".py", "DATABASE", "dettagli interni"]


@pytest.fixture
def production(settings):
    settings.ROOT_URLCONF = "tests.security.urls"
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False


def _body(client, path: str) -> tuple[int, str]:
    client.raise_request_exception = False
    response = client.get(path)
    return response.status_code, response.content.decode()


def test_a_server_error_page_leaks_nothing(client, production, settings):
    status, body = _body(client, "/_test/boom/")
    assert status == 500
    assert "Si è verificato un errore" in body
    assert settings.SECRET_KEY not in body
    for leak in LEAKS:
        assert leak not in body, leak


def test_a_server_error_page_for_a_logged_in_person_leaks_nothing(client, production, cst_admin):
    client.force_login(cst_admin)
    status, body = _body(client, "/_test/boom/")
    assert status == 500
    for leak in [*LEAKS, cst_admin.email]:
        assert leak not in body, leak


def test_a_permission_error_does_not_echo_its_reason(client, production):
    status, body = _body(client, "/_test/forbidden/")
    assert status == 403
    assert "dettagli interni" not in body


def test_a_404_does_not_list_the_url_patterns(client, production):
    status, body = _body(client, "/catalogo/non/esiste/affatto/")
    assert status == 404
    for leak in ["URLconf", "urlpatterns", "catalog.urls", "Using the URLconf"]:
        assert leak not in body


def test_the_server_error_is_logged_for_the_operators(client, production, caplog):
    _body(client, "/_test/boom/")
    assert any(record.levelname == "ERROR" and "boom" in record.getMessage() for record in caplog.records)


def test_a_server_error_under_the_api_is_json_that_leaks_nothing(client, production, settings):
    status, body = _body(client, "/api/v1/_test/boom/")
    assert status == 500
    assert body.lstrip().startswith("{")
    assert settings.SECRET_KEY not in body
    for leak in LEAKS:
        assert leak not in body, leak
