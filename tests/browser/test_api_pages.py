"""The API's pages in a real browser: the Swagger UI served offline, and the API token pages."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_load_without_leaving_the_machine(page):
    visit(page, "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .information-container .title", timeout=15000)
    assert "CST Portal API" in page.inner_text(".swagger-ui .information-container .title")
    assert page.locator(".opblock").count() >= 16  # every operation, rendered from the live schema
    page.guard.assert_clean()


def test_create_show_once_and_revoke_a_token(page, referent_fano):
    login(page, referent_fano.email)
    visit(page, "/account/token-api/")
    check_axe(page, context="token list, empty")
    page.fill("input[name=name]", "Gestionale del protocollo")
    page.select_option("select[name=days]", "30")
    page.click("form button[type=submit]:has-text('Crea il token')")
    page.wait_for_load_state("networkidle")
    key = page.input_value("#new-token-key")
    assert key.startswith("cstpu_")
    check_axe(page, context="token just created")
    visit(page, "/account/token-api/")
    assert key not in page.content()
    page.click("a:has-text('Revoca')")
    page.wait_for_load_state("networkidle")
    check_axe(page, context="revocation confirmation")
    page.click("button:has-text('Sì, revoca il token')")
    page.wait_for_load_state("networkidle")
    assert "è stato revocato" in page.content()
    assert "Revocato" in page.inner_text("table")
    page.guard.assert_clean()


def test_register_look_at_and_remove_a_webhook(page, referent_fano, settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    login(page, referent_fano.email)
    visit(page, "/catalogo/webhook/")
    check_axe(page, context="webhook list, empty")
    page.click("form button[type=submit]:has-text('Registra il webhook')")  # nothing filled in
    page.wait_for_load_state("networkidle")
    assert page.locator(".invalid-feedback").count() >= 3
    check_axe(page, context="webhook form with errors")
    page.fill("input[name=url]", "http://127.0.0.1:9/eventi")
    page.fill("input[name=secret]", "un-segreto-lungo-abbastanza")
    page.click("label:has-text(\"Cambio di stato di un'adozione\")")
    page.click("form button[type=submit]:has-text('Registra il webhook')")
    page.wait_for_load_state("networkidle")
    assert "Webhook registrato" in page.content()
    check_axe(page, context="webhook page, no deliveries")
    page.click("a:has-text('Rimuovi il webhook')")
    page.wait_for_load_state("networkidle")
    check_axe(page, context="webhook removal confirmation")
    page.click("button:has-text('Sì, rimuovi il webhook')")
    page.wait_for_load_state("networkidle")
    assert "Non hai ancora registrato nessun webhook." in page.content()
    page.guard.assert_clean()
