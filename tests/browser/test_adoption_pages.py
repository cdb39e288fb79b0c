"""The adoption page in each status, the inbox, the lists and the "Usata da" panel have no axe
violations, stay on 127.0.0.1 and break no CSP rule; the actions' confirmation and accordion work in a browser."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalog.adoptions import services
from catalog.models import Adoption
from catalog.workflow import AdoptionStatus
from tests.factories import ReleaseFactory, SolutionFactory

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def go_live() -> dict[str, object]:
    """The go-live figures, dated today when called: the adoptions are requested today, and go_live refuses a date
    before the request (a date taken when the module is imported is yesterday's for a run that crosses midnight)."""
    return {"adopted_version": "2.1.0", "go_live_date": timezone.localdate(), "estimated_cost": "40000",
            "actual_cost": "5500", "effort_days": "12.5", "agreement_reference": "Accordo 4/2026"}


@pytest.fixture
def adoption_in_each_status(pesaro, fano, referent_fano, publisher_pesaro) -> dict[str, Adoption]:
    """One adoption by Fano per status, each of its own Pesaro solution, moved there through the services."""
    steps = {
        "requested": [],
        "info_needed": [("ask_info", publisher_pesaro, {"note": "Che database usate?"})],
        "approved": [("approve", publisher_pesaro, {})],
        "rejected": [("reject", publisher_pesaro, {"note": "Contratto in corso fino al 2027."})],
        "in_progress": [("approve", publisher_pesaro, {}), ("start", referent_fano, {})],
        "in_production": [("approve", publisher_pesaro, {}), ("start", referent_fano, {}),
                          ("go_live", referent_fano, go_live())],
        "retired": [("approve", publisher_pesaro, {}), ("start", referent_fano, {}),
                    ("go_live", referent_fano, go_live()), ("retire", referent_fano, {"note": "Sostituita."})],
        "withdrawn": [("withdraw", referent_fano, {"note": "Rinviamo all'anno prossimo."})],
    }
    made = {}
    for status, path in steps.items():
        solution = SolutionFactory(owner=pesaro, name=f"Modulo {AdoptionStatus(status).label}")
        ReleaseFactory(solution=solution, version="2.1.0")
        adoption = services.request_adoption(solution=solution, body=fano, by=referent_fano, note="Ci serve.")
        for action, person, kwargs in path:
            services.transition_adoption(adoption, action=action, by=person, **kwargs)
        services.comment_on_adoption(adoption, by=publisher_pesaro, note="Siamo a disposizione.")
        if status == "in_production":
            services.save_reuse_story(adoption, by=referent_fano, outcome="In produzione in un mese.",
                                      lessons="Preparare i dati.", savings_note="Circa 35.000 euro.")
        made[status] = adoption
    return made


def test_adoption_page_in_each_status_for_the_adopter(page, adoption_in_each_status, referent_fano):
    login(page, referent_fano.email)
    for status, adoption in adoption_in_each_status.items():
        visit(page, adoption.get_absolute_url())
        assert page.locator("h1").inner_text().startswith("Adozione di")
        check_axe(page, context=f"adoption page, {status}")
    page.guard.assert_clean()


def test_adoption_page_for_the_owner_publisher_and_cst(page, adoption_in_each_status, publisher_pesaro, cst_admin):
    login(page, publisher_pesaro.email)
    visit(page, adoption_in_each_status["requested"].get_absolute_url())
    check_axe(page, context="requested, owner publisher")
    page.context.clear_cookies()
    login(page, cst_admin.email)
    visit(page, adoption_in_each_status["in_progress"].get_absolute_url())
    check_axe(page, context="in progress, CST")
    page.guard.assert_clean()


def test_reject_asks_for_confirmation_and_nothing_happens_if_declined(page, adoption_in_each_status,
                                                                      publisher_pesaro):
    adoption = adoption_in_each_status["requested"]
    login(page, publisher_pesaro.email)
    visit(page, adoption.get_absolute_url())
    page.click("button.accordion-button:has-text('Respingi')")
    page.fill("#id_reject-note", "Non possiamo seguirvi quest'anno.")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.click("#azione-reject button[type=submit]")
    assert asked and "respingere" in asked[0]
    adoption.refresh_from_db()
    assert adoption.status == "requested"

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#azione-reject button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Richiesta respinta." in page.locator(".alert-success").inner_text()
    adoption.refresh_from_db()
    assert adoption.status == "rejected"
    check_axe(page, context="after rejecting")
    page.guard.assert_clean()


def test_inbox_and_lists_are_accessible(page, adoption_in_each_status, cst_admin, publisher_pesaro):
    login(page, cst_admin.email)
    visit(page, "/catalogo/da-fare/")
    assert page.locator("h2#review .badge").inner_text() == "1"
    check_axe(page, context="inbox, CST")
    visit(page, "/catalogo/adozioni/")
    check_axe(page, context="adoption list")
    visit(page, "/catalogo/adozioni/?status=in_production")
    assert page.locator("table tbody tr").count() == 1
    check_axe(page, context="adoption list, filtered")
    visit(page, "/catalogo/adozioni/?status=retired&body=999999")
    check_axe(page, context="adoption list, empty")
    page.context.clear_cookies()
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/da-fare/")
    check_axe(page, context="inbox, owner publisher")
    page.guard.assert_clean()


def test_solution_page_with_used_by_and_the_request_form(page, adoption_in_each_status, referent_urbino):
    solution = adoption_in_each_status["in_production"].solution
    visit(page, solution.get_absolute_url())
    assert page.locator("table.used-by tbody tr").count() == 1
    check_axe(page, context="solution page, anonymous")
    login(page, referent_urbino.email)
    visit(page, solution.get_absolute_url())
    page.fill("#id_adoption-note", "Anche Urbino vorrebbe usarlo.")
    page.click("#richiedi-adozione button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/catalogo/adozioni/" in page.url
    assert Adoption.objects.filter(solution=solution, body__name="Urbino", status="requested").count() == 1
    check_axe(page, context="new request")
    page.guard.assert_clean()
