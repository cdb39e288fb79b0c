"""The API token pages in a real browser: accessible, no external request, the confirmation before revoking."""

from __future__ import annotations

import pytest

from tests.browser.conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_show_once_and_revoke_a_token(page, referent_fano, tmp_path):
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
    page.screenshot(path=str(tmp_path / "token-created.png"), full_page=True)
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
