from __future__ import annotations

import pytest

from .conftest import check_axe, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path,status",
    [
        ("/", 200),
        ("/account/accedi/", 200),
        ("/accessibilita/", 200),
        ("/privacy/", 200),
        ("/note-legali/", 200),
        ("/segnalazioni/", 200),
        ("/pagina-che-non-esiste/", 404),
    ],
)
def test_page_is_accessible_and_stays_local(page, path, status):
    visit(page, path, expect_status=status)
    check_axe(page)
    page.guard.assert_clean()


def test_bootstrap_italia_fonts_load_from_our_static_path(page):
    font_responses = []
    page.on("response", lambda r: font_responses.append((r.url, r.status)) if ".woff2" in r.url else None)
    visit(page, "/")
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("document.fonts.check('600 16px \"Titillium Web\"')")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Titillium Web" in family
    assert loaded is True
    assert font_responses and all(status == 200 for _, status in font_responses)
    assert all("/static/" in url for url, _ in font_responses)
    page.guard.assert_clean()


def test_the_language_switch_works_with_the_keyboard_and_back(page):
    visit(page, "/privacy/")
    switch = page.locator("header .lang-switch .dropdown-toggle")
    assert switch.inner_text().strip().endswith("IT")
    switch.focus()
    page.keyboard.press("Enter")
    english = page.get_by_role("link", name="English")
    assert english.is_visible()
    assert switch.get_attribute("aria-expanded") == "true"
    check_axe(page, context="language menu open")
    english.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/privacy/")
    assert page.locator("html").get_attribute("lang") == "en"

    page.locator("header .lang-switch .dropdown-toggle").click()
    page.get_by_role("link", name="Italiano").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "it"
    page.guard.assert_clean()
