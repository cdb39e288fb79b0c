"""The portal on a phone (390 × 844): no page scrolls sideways, logout is within reach on every page (in the menu,
which holds the person's own links on small screens), and axe finds nothing at that width either."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Adoption, AdoptionEvent
from cstportal.notifications.models import Notification
from tests.factories import ReleaseFactory, SolutionFactory

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PUBLIC_PAGES = ["/", "/catalogo/", "/catalogo/soluzioni/tributi-locali/", "/enti/", "/enti/041013/",
                "/accessibilita/", "/privacy/", "/note-legali/", "/segnalazioni/"]
PERSONAL_PAGES = ["/catalogo/adozioni/", "/catalogo/da-fare/", "/catalogo/cruscotto/enti/041013/", "/notifiche/",
                  "/account/profilo/"]
PAGES_OF = {
    "referent_fano": PUBLIC_PAGES + PERSONAL_PAGES,
    "cst_admin": PUBLIC_PAGES + PERSONAL_PAGES + ["/catalogo/cruscotto/provincia/"],
}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="it-IT", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    yield context.new_page()
    context.close()


@pytest.fixture
def content(pesaro, fano, referent_fano, cst_admin):
    """A solution of Pesaro that Fano is adopting, and a notification for each person."""
    solution = SolutionFactory(owner=pesaro, name="Tributi locali", slug="tributi-locali")
    ReleaseFactory(solution=solution, version="2.1.0")
    start = timezone.now() - dt.timedelta(days=20)
    adoption = Adoption.objects.create(solution=solution, body=fano, owner_body=pesaro, status="in_progress",
                                       requested_by=referent_fano, requested_at=start, status_changed_at=start,
                                       started_at=start)
    AdoptionEvent.objects.create(adoption=adoption, sequence=1, action="request", to_status="requested",
                                 actor=referent_fano)
    for person in (referent_fano, cst_admin):
        Notification.objects.create(recipient=person, kind="adoption", event_key=f"e:{person.pk}",
                                    message="Adozione avviata", url=adoption.get_absolute_url())
    return solution


def overflow(page) -> str:
    """'' when nothing is wider than the window; otherwise the widths and the widest elements, to say what."""
    # The layout viewport's width: on a phone the visual one (innerWidth) zooms out to fit what overflows.
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if widths[0] <= widths[1]:
        return ""
    culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))""")
    return f"scrollWidth {widths[0]} > {widths[1]}: {culprits}"


def open_logout(page):
    """The logout button: in the header if it is shown there, otherwise in the menu, opened with the burger."""
    in_header = page.locator("header form[action='/account/esci/'] button:visible")
    if in_header.count():
        return in_header.first
    page.locator("button.custom-navbar-toggler").click()
    button = page.locator("#main-nav .nav-logout")
    button.wait_for(state="visible")
    page.wait_for_function(  # the menu slides in: wait until it has stopped inside the window
        "(el) => { const r = el.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; }",
        arg=button.element_handle(),
    )
    return button


@pytest.mark.parametrize("persona", ["referent_fano", "cst_admin"])
def test_logged_in_on_a_phone_no_page_scrolls_sideways_and_logout_is_in_reach(request, phone, content, persona):
    person = request.getfixturevalue(persona)
    problems = []
    for path in PAGES_OF[persona]:
        login(phone, person.email)
        visit(phone, path)
        if why := overflow(phone):
            problems.append(f"{path}: {why}")
        check_axe(phone, context=f"{path} at 390px, {persona}")
        logout = open_logout(phone)
        if path == "/":
            check_axe(phone, context=f"{path} at 390px with the menu open, {persona}")
        logout.click()
        phone.wait_for_load_state("networkidle")
        assert phone.url.endswith("/"), (path, phone.url)
        # Logged out: the header offers to log in again, and a personal page asks for it.
        assert phone.locator("header a[href^='/account/accedi/']").count() > 0, path
    assert problems == []
    response = visit(phone, "/account/profilo/", expect_status=None)
    assert "/account/accedi/" in response.url


def test_logged_out_on_a_phone_no_page_scrolls_sideways(phone, content):
    problems = []
    for path in [*PUBLIC_PAGES, "/account/accedi/"]:
        visit(phone, path)
        if why := overflow(phone):
            problems.append(f"{path}: {why}")
        check_axe(phone, context=f"{path} at 390px, logged out")
    assert problems == []


def test_the_phone_menu_holds_the_persons_links(phone, content, referent_fano):
    login(phone, referent_fano.email)
    visit(phone, "/catalogo/")
    open_logout(phone)
    menu = phone.locator("#main-nav")
    assert menu.get_by_role("link", name="Il mio profilo").is_visible()
    assert menu.get_by_role("link", name="Notifiche").is_visible()
    assert menu.get_by_role("button", name="Esci").is_visible()
    # The slim header keeps only icons: the profile link is named for screen readers.
    assert phone.locator(".it-header-slim-wrapper").get_by_role("link", name="Il mio profilo").is_visible()


def test_logged_out_phone_menu_offers_to_log_in(phone, content):
    visit(phone, "/catalogo/")
    phone.locator("button.custom-navbar-toggler").click()
    link = phone.locator("#main-nav").get_by_role("link", name="Accedi all'area riservata")
    link.wait_for(state="visible")
    link.click()
    phone.wait_for_load_state("networkidle")
    assert "/account/accedi/?next=/catalogo/" in phone.url


def test_on_a_desktop_logout_stays_in_the_header(page, content, cst_admin):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, cst_admin.email)
    visit(page, "/catalogo/")
    assert page.locator("header .it-header-slim-wrapper form[action='/account/esci/'] button").is_visible()
    assert not page.locator("#main-nav .nav-user").is_visible()
    assert overflow(page) == ""


def test_the_adoption_page_fits_a_phone(phone, content, referent_fano):
    login(phone, referent_fano.email)
    visit(phone, Adoption.objects.get().get_absolute_url())
    assert overflow(phone) == ""


def test_on_a_phone_the_results_come_first_and_the_filters_fold_behind_one_button(phone, content, pesaro):
    visit(phone, f"/catalogo/?owner={pesaro.key}&kind=software")
    first_result = phone.locator("article.solution-card").first
    filters = phone.locator("#catalogue-filters")
    toggle = phone.locator("button.catalogue-filters-toggle")
    assert not filters.is_visible()
    assert "2" in toggle.inner_text()  # two active filters
    phone.screenshot(path="/tmp/catalogue-phone.png")
    # Right after the search box, the sort menu and the active filters' chips: not below some thirty facet links.
    assert first_result.bounding_box()["y"] < 1.5 * 844
    toggle.click()
    filters.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    check_axe(phone, context="catalogue at 390px with the filters open")


def test_on_a_desktop_the_filters_are_always_open(page, content):
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "/catalogo/")
    assert page.locator("#catalogue-filters").is_visible()
    assert not page.locator("button.catalogue-filters-toggle").is_visible()
