"""Open redirects and forged Host headers are refused."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

EVIL_TARGETS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "\\\\evil.example",
    "http://testserver@evil.example/",
    " https://evil.example",
    "javascript:alert(1)",
]


def _location(response) -> str:
    return response.get("Location", "")


def _is_local(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\")) and "evil.example" not in location


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_never_redirects_off_site(client, referent_fano, target):
    response = client.post(
        f"/account/accedi/?next={target}", {"username": referent_fano.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert _is_local(_location(response)), _location(response)


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lingua/en/", {"next": target}, HTTP_REFERER=target)
    assert response.status_code == 302
    assert _is_local(_location(response)), _location(response)


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_logout_never_redirects_off_site(client, referent_fano, target):
    client.force_login(referent_fano)
    response = client.post(f"/account/esci/?next={target}", {"next": target})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert _is_local(_location(response)), _location(response)


def test_a_local_next_is_honoured_after_login(client, referent_fano):
    response = client.post(
        "/account/accedi/", {"username": referent_fano.email, "password": PASSWORD, "next": "/enti/"}
    )
    assert _location(response) == "/enti/"


@pytest.mark.parametrize("host", ["evil.example", "testserver.evil.example", "127.0.0.1:8000@evil.example", ""])
def test_a_host_header_outside_allowed_hosts_gets_400(client, settings, host):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["riuso.cstpu.example"]
    response = client.get("/", HTTP_HOST=host or "")
    assert response.status_code == 400
    assert b"evil.example" not in response.content


def test_the_allowed_host_is_served(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["riuso.cstpu.example"]
    assert client.get("/", HTTP_HOST="riuso.cstpu.example").status_code == 200


def test_x_forwarded_host_does_not_poison_password_reset_links(client, settings, referent_fano, mailoutbox):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["riuso.cstpu.example"]
    response = client.post(
        "/account/password/reimposta/",
        {"email": referent_fano.email},
        HTTP_HOST="riuso.cstpu.example",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "evil.example" not in mailoutbox[0].body
    assert "riuso.cstpu.example" in mailoutbox[0].body
