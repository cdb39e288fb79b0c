"""The catalogue's pages in a real browser: no WCAG 2.1 AA violation, nothing loaded from outside."""

from __future__ import annotations

import pytest

from catalog.solutions.search import refresh_search_vector
from tests.factories import ReleaseFactory, SolutionFactory

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(pesaro, fano):
    from catalog.models import Category

    taxes = Category.objects.get(code="taxes-management")
    made = []
    for i in range(14):
        solution = SolutionFactory(
            owner=(pesaro, fano)[i % 2],
            name=f"Gestione dei tributi {i:02d}" if i % 3 else f"Anagrafe del catasto {i:02d}",
            kind=("software", "service")[i % 2],
            supports_spid=i % 2 == 0,
            supports_pagopa=i % 3 == 0,
            long_description_it="## Che cosa fa\nGestisce i **tributi** locali.\n\n- uno\n- due",
            features_it=["Calcolo", "Avvisi"],
            contacts=[{"name": "Mario Rossi", "email": "mario@comune.example"}],
            dependencies=[{"name": "PostgreSQL", "kind": "open"}],
        )
        solution.categories.add(taxes)
        ReleaseFactory(solution=solution)
        made.append(solution)
    SolutionFactory(owner=pesaro, status="in_review", name="In attesa di revisione")
    refresh_search_vector(None)
    return made


def test_catalogue_with_filters_is_accessible(page, catalogue):
    visit(page, "/catalogo/?kind=software&supports=spid&category=taxes-management")
    assert page.locator(".chip").count() == 3
    check_axe(page, context="catalogue with filters")
    visit(page, "/catalogo/?q=catasto")
    check_axe(page, context="catalogue search")
    visit(page, "/catalogo/?q=nessunrisultato&kind=service")
    assert page.get_by_text("Nessuna soluzione trovata").is_visible()
    check_axe(page, context="empty catalogue")
    visit(page, "/catalogo/?page=2")
    check_axe(page, context="second page")
    page.guard.assert_clean()


def test_chip_removes_its_filter(page, catalogue):
    visit(page, "/catalogo/?kind=software&supports=spid")
    page.get_by_role("link", name="Rimuovi il filtro Tipo: Software a riuso").click()
    page.wait_for_load_state("networkidle")
    assert "kind=" not in page.url and "supports=spid" in page.url


def test_sort_select_submits_without_a_click(page, catalogue):
    visit(page, "/catalogo/")
    page.select_option("#catalogue-sort", "-latest_release_date")
    page.wait_for_url("**ordering=-latest_release_date**")
    page.guard.assert_clean()


def test_solution_page_is_accessible(page, catalogue, publisher_pesaro):
    solution = catalogue[0]
    visit(page, solution.get_absolute_url())
    check_axe(page, context="solution page, anonymous")
    login(page, publisher_pesaro.email)
    visit(page, solution.get_absolute_url())
    assert page.get_by_role("link", name="Modifica la scheda").is_visible()
    check_axe(page, context="solution page, publisher")
    page.guard.assert_clean()


def test_publisher_form_with_errors_is_accessible(page, catalogue, publisher_pesaro):
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/nuova-soluzione/")
    check_axe(page, context="empty solution form")
    page.fill("#id_name", "Prova")
    page.fill("#id_licence", "Licenza-Inventata")
    page.fill("#id_repository_url", "non un indirizzo")
    page.click("button:has-text('Crea la bozza')")
    page.wait_for_load_state("networkidle")
    assert page.locator("#form-errors").is_visible()
    assert page.get_by_text("non è un identificativo di licenza SPDX valido").first.is_visible()
    check_axe(page, context="solution form with errors")
    visit(page, f"/catalogo/soluzioni/{catalogue[0].slug}/rilasci/nuovo/")
    page.fill("#id_version", "1 2")
    page.click("button:has-text('Registra il rilascio')")
    page.wait_for_load_state("networkidle")
    check_axe(page, context="release form with errors")
    page.guard.assert_clean()


def test_review_queue_is_accessible(page, catalogue, cst_admin):
    login(page, cst_admin.email)
    visit(page, "/catalogo/revisione/")
    assert page.get_by_role("link", name="In attesa di revisione", exact=True).is_visible()
    check_axe(page, context="review queue")
    page.get_by_role("link", name="Richiedi modifiche — In attesa di revisione").click()
    page.wait_for_load_state("networkidle")
    page.click("button:has-text('Invia la richiesta di modifiche')")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Campo obbligatorio.").first.is_visible()
    check_axe(page, context="request changes with errors")
    page.guard.assert_clean()
