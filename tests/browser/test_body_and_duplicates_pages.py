"""A body's page with what it publishes, uses and adopts, and who to contact; the «Esiste già?» step of the
solution form and of the publiccode.yml import. Axe-clean in Italian and English, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from catalog.models import ReuseStory
from municipalities.models import Membership, Role
from tests.catalog.publiccode_helpers import dump, valid_doc
from tests.factories import AdoptionFactory, SolutionFactory

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def translations():
    call_command("compile_translations", verbosity=0)


@pytest.fixture
def fano_catalogue(pesaro, fano, urbino, referent_fano):
    SolutionFactory(name="Sportello unico edilizia", owner=fano, slug="sue-fano")
    tari = SolutionFactory(
        name="Gestione della TARI",
        owner=pesaro,
        slug="gestione-tari",
        short_description_it="Tassa sui rifiuti: banche dati, avvisi di pagamento e riscossione.",
    )
    live = AdoptionFactory(solution=tari, body=fano, status="in_production", adopted_version="2.1")
    ReuseStory.objects.create(adoption=live, outcome="Avvisi TARI in tre settimane.", lessons="Partire dai dati.")
    AdoptionFactory(
        solution=SolutionFactory(
            name="Protocollo informatico comunale",
            owner=urbino,
            slug="protocollo-comunale",
            short_description_it="Registro di protocollo e fascicoli.",
        ),
        body=fano,
        status="in_progress",
    )
    return tari


def _switch_to_english(page, path: str) -> None:
    visit(page, f"/lingua/en/?next={path}")
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["it", "en"])
def test_body_page_for_a_visitor_and_for_a_person_of_another_body(
    page, translations, fano_catalogue, referent_urbino, viewport, language
):
    page.set_viewport_size(viewport)
    visit(page, "/enti/041013/")
    if language == "en":
        _switch_to_english(page, "/enti/041013/")
    for section in ("#body-publishes", "#body-uses", "#body-adopting", "#body-stories", "#body-contacts"):
        assert page.locator(section).count() == 1, section
    assert "referente.fano@cstpu.test" not in page.content()
    check_axe(page, context=f"body page, visitor, {language}")
    if language == "en":
        visit(page, "/lingua/it/?next=/")  # the login helper reads the Italian button
    login(page, referent_urbino.email)
    visit(page, "/enti/041013/")
    if language == "en":
        _switch_to_english(page, "/enti/041013/")
    assert page.locator("#body-contacts a[href='mailto:referente.fano@cstpu.test']").count() == 1
    check_axe(page, context=f"body page, person of another body, {language}")
    page.guard.assert_clean()


def test_an_empty_body_page_is_accessible(page, frontino):
    visit(page, "/enti/041017/")
    assert "Nessuna adozione in corso." in page.content()
    check_axe(page, context="body page without solutions")
    page.guard.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_form_shows_close_matches_and_creates_on_confirmation(
    page, translations, fano_catalogue, publisher_pesaro, viewport, language
):
    page.set_viewport_size(viewport)
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/nuova-soluzione/")
    if language == "en":
        _switch_to_english(page, "/catalogo/nuova-soluzione/")
    page.fill("#id_name", "Gestione TARI")
    page.fill("#id_short_description_it", "Avvisi e riscossione della tassa sui rifiuti.")
    page.fill("#id_long_description_it", "Banche dati, avvisi e solleciti della TARI.")
    page.fill("#id_licence", "EUPL-1.2")
    page.locator("form[novalidate] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    alert = page.locator("#near-duplicates")
    assert alert.count() == 1
    assert alert.locator("a[href='/catalogo/soluzioni/gestione-tari/']").count() == 1
    assert page.input_value("#id_name") == "Gestione TARI"  # nothing typed is lost
    check_axe(page, context=f"solution form with close matches, {language}")
    page.locator("button[name=confirm_new]").click()
    page.wait_for_load_state("networkidle")
    assert "/catalogo/soluzioni/" in page.url
    page.guard.assert_clean()


def test_the_import_shows_close_matches_and_imports_on_confirmation(page, fano_catalogue, publisher_pesaro, tmp_path):
    file = tmp_path / "publiccode.yml"
    file.write_bytes(dump(valid_doc(name="Protocollo informatico")))
    login(page, publisher_pesaro.email)
    visit(page, "/catalogo/importa-publiccode/")
    page.set_input_files("#id_file", str(file))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#near-duplicates a[href='/catalogo/soluzioni/protocollo-comunale/']").count() == 1
    check_axe(page, context="publiccode import with close matches")
    page.locator("button[name=confirm_new]").click()
    page.wait_for_load_state("networkidle")
    assert "/catalogo/soluzioni/protocollo-informatico" in page.url
    page.guard.assert_clean()


def test_a_publisher_of_the_body_sees_the_people_section_not_the_contacts(page, fano_catalogue, fano):
    from tests.factories import UserFactory

    person = UserFactory(email="redazione.fano@cstpu.test")
    person.set_password("x-Password-123!")
    person.save()
    Membership.objects.create(user=person, body=fano, role=Role.PUBLISHER)
    login(page, person.email, "x-Password-123!")
    visit(page, "/enti/041013/")
    assert page.locator("#body-private").count() == 1 and page.locator("#body-contacts").count() == 0
    check_axe(page, context="body page, its own publisher")
    page.guard.assert_clean()
