"""The publiccode.yml upload page, empty and showing every error of a bad file: zero axe violations."""

from __future__ import annotations

import pytest

from tests.catalog.publiccode_helpers import FILES

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_upload_form_is_accessible(page, publisher_pesaro):
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/importa-publiccode/")
    assert page.locator("h1").inner_text() == "Importa da publiccode.yml"
    check_axe(page, context="upload form")
    page.guard.assert_clean()


def test_the_upload_form_showing_errors_is_accessible(page, publisher_pesaro):
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/importa-publiccode/")
    page.set_input_files("input[name=file]", str(FILES / "invalid_many_errors.yml"))
    page.click("form button[type=submit]:has-text('Importa')")
    page.wait_for_load_state("networkidle")

    errors = page.locator("#import-errors li")
    assert errors.count() >= 15
    assert "legal.license" in page.locator("#import-errors").inner_text()
    page.screenshot(path="/tmp/publiccode-import-errors.png", full_page=True)
    check_axe(page, context="upload form with errors")
    page.guard.assert_clean()


def test_a_valid_file_leads_to_the_new_draft(page, publisher_pesaro):
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/importa-publiccode/")
    page.set_input_files("input[name=file]", str(FILES / "v0_7_organisation_uri.yml"))
    page.click("form button[type=submit]:has-text('Importa')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/catalogo/soluzioni/fascicolo-catastale-del-contribuente/")
    assert "inviata in revisione" in page.content()
