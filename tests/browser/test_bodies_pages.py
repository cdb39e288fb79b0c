"""Bodies, profile, login, lockout and password pages in a real browser: zero axe violations, nothing leaves 127.0.0.1."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path",
    [
        "/enti/",
        "/enti/?q=san&kind=comune&size_class=s&sort=-population",
        "/enti/?sort=-population&page=2",
        "/enti/?q=Atlantide",
        "/enti/pesaro/",
        "/enti/p_pu/",
        "/account/password/reimposta/",
        "/account/password/reimposta/inviata/",
        "/account/password/reimposta/completata/",
        "/account/password/reimposta/MQ/token-scaduto/",
    ],
)
def test_public_page_is_accessible(page, path):
    visit(page, path)
    check_axe(page)
    page.guard.assert_clean()


def test_filtering_the_list_with_the_form(page):
    visit(page, "/enti/")
    page.fill("#id_q", "monte")
    page.select_option("#id_size_class", "xs")
    page.select_option("#id_sort", "-population")
    page.click("form.body-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "q=monte" in page.url and "size_class=xs" in page.url
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    populations = [int(t.replace(".", "")) for t in page.locator("table tbody td.text-end").all_inner_texts()]
    assert populations == sorted(populations, reverse=True) and all(p < 1000 for p in populations)
    assert page.locator("th[aria-sort=descending]").count() == 1
    check_axe(page, context="filtered list")
    page.guard.assert_clean()


def test_sorting_by_clicking_the_column_header(page):
    visit(page, "/enti/")
    page.click("th >> a:has-text('Popolazione')")
    page.wait_for_load_state("networkidle")
    first = page.locator("table tbody th a").first.inner_text()
    assert first == "Frontino"
    page.click("th >> a:has-text('Popolazione')")
    page.wait_for_load_state("networkidle")
    assert page.locator("table tbody th a").first.inner_text() == "Pesaro"
    page.guard.assert_clean()


def test_body_page_with_private_section_for_its_referent(page, referent_fano, member_fano):
    login(page, referent_fano.email)
    visit(page, "/enti/041013/")
    assert page.locator("#body-private").count() == 1
    assert member_fano.email in page.content()
    check_axe(page, context="body page, private section")
    page.guard.assert_clean()


def test_profile_page(page, referent_fano):
    login(page, referent_fano.email)
    visit(page, "/account/profilo/")
    assert "Referente ICT" in page.content()
    check_axe(page)
    page.guard.assert_clean()


def test_login_page_with_an_error(page, referent_fano):
    visit(page, "/account/accedi/")
    page.fill("input[name=username]", referent_fano.email)
    page.fill("input[name=password]", "sbagliata")
    page.click("form button[type=submit]:has-text('Accedi')")
    page.wait_for_load_state("networkidle")
    assert "Indirizzo e-mail o password non corretti" in page.content()
    check_axe(page, context="login with error")
    page.guard.assert_clean()


def test_lockout_page_after_five_wrong_passwords(page, referent_fano):
    visit(page, "/account/accedi/")
    for _ in range(5):
        page.fill("input[name=username]", referent_fano.email)
        page.fill("input[name=password]", "sbagliata")
        page.click("form button[type=submit]:has-text('Accedi')")
        page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Accesso temporaneamente bloccato"
    assert "bloccato per 15 minuti" in page.content()
    check_axe(page, context="lockout")
    page.guard.assert_clean()


def test_password_change_pages(page, referent_fano):
    login(page, referent_fano.email)
    visit(page, "/account/password/")
    check_axe(page, context="password change")
    page.fill("#id_old_password", "sbagliata")
    page.fill("#id_new_password1", "123")
    page.fill("#id_new_password2", "456")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".invalid-feedback").count() >= 1
    check_axe(page, context="password change with errors")
    visit(page, "/account/password/fatto/")
    check_axe(page, context="password changed")
    page.guard.assert_clean()


def test_password_reset_confirm_with_a_valid_link(page, referent_fano):
    uid = urlsafe_base64_encode(force_bytes(referent_fano.pk))
    token = default_token_generator.make_token(referent_fano)
    visit(page, f"/account/password/reimposta/{uid}/{token}/")
    assert page.locator("h1").inner_text() == "Scegli una nuova password"
    check_axe(page, context="password reset confirm")
    page.fill("#id_new_password1", "Nuova-Chiave-Sicura-2026")
    page.fill("#id_new_password2", "Nuova-Chiave-Sicura-2026")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Password reimpostata"
    check_axe(page, context="password reset complete")
    page.guard.assert_clean()
