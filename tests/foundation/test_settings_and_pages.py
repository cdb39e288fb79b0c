from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.notifications.helpers import run_outbox

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_home_is_served_in_italian(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "it"
    body = response.content.decode()
    assert '<html lang="it">' in body
    assert "Provincia di Pesaro e Urbino" in body
    assert "Catalogo del riuso — CST Pesaro e Urbino" in body


def test_english_is_available(client):
    response = client.get("/lingua/en/", {"next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/accessibilita/", "/privacy/", "/note-legali/", "/segnalazioni/"])
def test_footer_pages_are_real_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


def test_feedback_sends_an_email_to_cst(client, mailoutbox, settings):
    response = client.post(
        "/segnalazioni/", {"name": "Maria Rossi", "email": "maria@example.org", "message": "Manca un filtro."}
    )
    assert response.status_code == 200
    assert mailoutbox == []  # stored in the outbox; the workers send it
    run_outbox()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [settings.FEEDBACK_EMAIL]
    assert "Manca un filtro." in mailoutbox[0].body


def test_feedback_with_bad_email_says_what_is_wrong(client, mailoutbox):
    response = client.post("/segnalazioni/", {"name": "Maria", "email": "non-una-mail", "message": "x"})
    assert response.status_code == 400
    assert "indirizzo email valido" in response.content.decode().lower() or "e-mail" in response.content.decode()
    assert mailoutbox == []


def test_404_is_rendered_in_the_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/non-esiste/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Pagina non trovata" in body
    assert "it-header-wrapper" in body


def test_security_headers_and_csp_on_html(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'self'" in script_src
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_login_page_asks_for_email(client):
    response = client.get("/account/accedi/")
    assert response.status_code == 200
    assert 'type="email"' in response.content.decode()


def test_secret_key_is_required_without_debug():
    result = _manage("check", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_prints_no_warning():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "a-very-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghij",
            "ALLOWED_HOSTS": "riuso.cstpu.example",
            "HTTPS": "1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["database"]["ok"] is True
    assert "broker" in data


def test_healthz_answers_quickly_with_the_broker_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["broker"]["ok"] is False
    assert response.json()["status"] == "degraded"
    assert elapsed < 3


@pytest.mark.redis
def test_healthz_answers_quickly_with_redis_frozen(client, settings, redis_server):
    settings.CELERY_BROKER_URL = redis_server.url
    assert client.get("/healthz").json()["broker"]["ok"] is True
    redis_server.freeze()
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    redis_server.thaw()
    assert response.status_code == 200
    assert response.json()["broker"]["ok"] is False
    assert elapsed < 3


def test_pages_render_with_the_broker_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert client.get("/").status_code == 200
    assert client.get("/catalogo/").status_code == 200

pytestmark = pytest.mark.django_db


def test_italian_dates_write_the_month_in_lower_case():
    import datetime as dt

    from django.utils import dateformat, translation

    with translation.override("it"):
        assert dateformat.format(dt.date(2026, 11, 26), "j F Y") == "26 novembre 2026"
    with translation.override("en"):
        assert dateformat.format(dt.date(2026, 11, 26), "j F Y") == "26 November 2026"
