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
