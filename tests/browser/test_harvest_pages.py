"""The pages of the harvest in a real browser: the list of sources, a source with its harvest log (changes and
errors at their field paths), and the form that registers one, in Italian and in English, at desktop and phone
width; the navigation leads there for the people who can register sources."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalog.models import HarvestRun, Source
from tests.browser.conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sources(pesaro, cst_admin):
    """A repository of Pesaro's whose last harvest found a broken file, and a catalogue that brought in a solution."""
    repository = Source.objects.create(
        url="https://code.cstpu.example/pesaro/protocollo.git", body=pesaro, registered_by=cst_admin
    )
    catalogue = Source.objects.create(
        url="https://catalogo.example/api/v1/software/", kind="catalog", registered_by=cst_admin
    )
    now = timezone.now()
    broken = HarvestRun.objects.create(
        source=repository,
        status="done",
        outcome="invalid",
        progress=100,
        started_at=now,
        finished_at=now,
        due_at=None,
        errors=[
            {
                "path": "description.it.shortDescription",
                "code": "publiccode_invalid",
                "messages": {"it": "campo obbligatorio", "en": "required field"},
            }
        ],
    )
    imported = HarvestRun.objects.create(
        source=catalogue,
        status="done",
        outcome="created",
        progress=100,
        started_at=now,
        finished_at=now,
        due_at=None,
        changes=[{"kind": "created", "params": {"solution": "App di Bari"}}],
        errors=[
            {
                "path": "id-3: organisation.uri",
                "code": "member_body",
                "messages": {"it": "ente del CST", "en": "body of the CST"},
            }
        ],
    )
    Source.objects.filter(pk=repository.pk).update(last_run=broken)
    Source.objects.filter(pk=catalogue.pk).update(last_run=imported)
    return repository, catalogue


def _pages(page, sources, *, width: str, language: str) -> None:
    repository, catalogue = sources
    where = f"{language}, {width}"
    visit(page, f"/lingua/{language}/?next=/")
    visit(page, "/catalogo/sorgenti/")
    assert page.locator("html").get_attribute("lang") == language
    check_axe(page, context=f"source list, {where}")
    visit(page, f"/catalogo/sorgenti/{repository.pk}/")
    assert "description.it.shortDescription" in page.content()
    assert ("required field" if language == "en" else "campo obbligatorio") in page.content()
    check_axe(page, context=f"source with errors, {where}")
    visit(page, f"/catalogo/sorgenti/{catalogue.pk}/")
    assert "id-3: organisation.uri" in page.content()
    check_axe(page, context=f"catalogue source, {where}")
    visit(page, "/catalogo/sorgenti/nuova/")
    check_axe(page, context=f"register form, {where}")
    page.fill("input[name=url]", "ftp://non-valido")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".is-invalid, .invalid-feedback, [aria-invalid=true]").count() > 0
    check_axe(page, context=f"register form with errors, {where}")


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_source_pages_pass_axe_on_a_desktop(page, sources, cst_admin, language):
    login(page, cst_admin.email)
    nav = page.locator("#main-nav a[href='/catalogo/sorgenti/']")
    assert nav.count() == 1
    _pages(page, sources, width="desktop", language=language)
    page.guard.assert_clean()


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_source_pages_pass_axe_on_a_phone(browser, live_server, sources, cst_admin, language):
    context = browser.new_context(
        base_url=live_server.url, locale="it-IT", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    try:
        login(page, cst_admin.email)
        _pages(page, sources, width="phone", language=language)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        context.close()


def test_a_publisher_finds_the_sources_in_the_navigation(page, publisher_pesaro):
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/")
    page.locator("#main-nav a[href='/catalogo/sorgenti/']").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#main-nav a[href='/catalogo/sorgenti/'][aria-current=page]").count() == 1
    check_axe(page, context="source list, publisher")
