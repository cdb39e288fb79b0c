"""The portal in English: the language switch turns every page's interface into English, and the English catalogue
of translations is complete (no empty or fuzzy entry, placeholders kept)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import translation

from catalog.models import Category, Solution
from catalog.vocabulary import CATEGORIES, CATEGORY_LABELS_IT, SCOPE_LABELS_IT, SCOPES, category_label, scope_label
from catalog.workflow import AdoptionStatus
from tests.factories import ReleaseFactory, SolutionFactory

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po",
    ROOT / "cstportal" / "notifications" / "locale" / "en" / "LC_MESSAGES" / "django.po",
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|%[sd]|\{\w*\}")


def _forget_loaded_translations(settings) -> None:
    # Django keeps the catalogues it has read for the life of the process; a change of LOCALE_PATHS (even to the
    # same value) makes it read them again, and restoring the setting after the test does so once more.
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


@pytest.fixture
def english(client, settings):
    call_command("compile_translations", verbosity=0)
    _forget_loaded_translations(settings)
    response = client.get("/lingua/en/", {"next": "/"})
    assert response.status_code == 302
    return client


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Language"] == "en"
    return response.content.decode()


def _assert_english(html: str, *, present: list[str], absent: list[str]) -> None:
    assert '<html lang="en">' in html
    for text in present:
        assert text in html, f"missing English text: {text!r}"
    for text in absent:
        assert text not in html, f"Italian text still shown: {text!r}"


# Header, navigation and footer: on every page.
LAYOUT_EN = ["Skip to main content", "Reuse catalogue", "Search the catalogue", "Accessibility statement",
             "Privacy notice", "Legal notes", "Feedback and suggestions", "Province of Pesaro and Urbino"]
LAYOUT_IT = ["Vai al contenuto principale", "Catalogo del riuso", "Cerca nel catalogo", "Dichiarazione di accessibilità",
             "Informativa sulla privacy", "Note legali", "Segnalazioni e suggerimenti", "Accedi all'area riservata"]


@pytest.mark.django_db
def test_home_page_in_english(english):
    SolutionFactory(name="Tributi online")
    html = _page(english, "/")
    _assert_english(
        html,
        present=LAYOUT_EN + ["Reuse instead of rebuilding", "Explore the catalogue", "Recently published",
                             "Sign in to the reserved area"],
        absent=LAYOUT_IT + ["Riusare invece di ricostruire", "Esplora il catalogo", "Pubblicate di recente",
                            "Ente titolare"],
    )


@pytest.mark.django_db
def test_catalogue_list_in_english_with_english_category_labels(english):
    solution = SolutionFactory(name="Tributi online", short_description_en="Local taxes online.")
    solution.categories.add(Category.objects.get_or_create(code="taxes-management")[0])
    html = _page(english, "/catalogo/")
    _assert_english(
        html,
        present=LAYOUT_EN + ["Catalogue of solutions", "1 solution found", "Owning body:", "Tax management",
                             "Local taxes online."],
        absent=LAYOUT_IT + ["Catalogo delle soluzioni", "soluzione trovata", "Ente titolare", "Gestione dei tributi",
                            "Una soluzione di prova per gli enti."],
    )


@pytest.mark.django_db
def test_solution_page_in_english(english):
    solution = SolutionFactory(
        name="Tributi online",
        short_description_en="Local taxes online, for citizens and offices.",
        long_description_it="Il portale dei tributi locali.",
        features_it=["Pagamento con pagoPA"],
    )
    solution.categories.add(Category.objects.get_or_create(code="document-management")[0])
    ReleaseFactory(solution=solution, version="2.1.0")
    html = _page(english, solution.get_absolute_url())
    _assert_english(
        html,
        present=LAYOUT_EN + [
            "Description", "Features", "Used by", "No body uses it in production yet.", "Releases", "At a glance",
            "Current version", "Licence", "Document management", "15 January 2026", "Reusable software",
            "Sign in to request it",
            # The English summary is shown; the long description and the features exist only in Italian and say so.
            '<p class="lead" lang="en">Local taxes online, for citizens and offices.</p>',
            '<div class="markdown-body" lang="it"><p>Il portale dei tributi locali.</p>', '<ul lang="it"><li>Pagamento con pagoPA</li></ul>',
        ],
        absent=LAYOUT_IT + ["Descrizione", "Funzionalità", "Usata da", "Rilasci", "In sintesi", "Versione attuale",
                            "Gestione documentale", "gennaio", "january", "Software a riuso",
                            "Accedi per richiederla", "Una soluzione di prova per gli enti."],
    )


@pytest.mark.django_db
def test_bodies_list_in_english(english):
    html = _page(english, "/enti/")
    _assert_english(
        html,
        present=LAYOUT_EN + ["CST public bodies", "Search by name or code", "Type of body", "Population class",
                             "Municipality", "Province", "bodies found"],
        absent=LAYOUT_IT + ["Enti del CST", "Cerca per nome o codice", "Tipo di ente", "Classe demografica",
                            "enti trovati", "abitanti"],
    )


@pytest.mark.django_db
def test_login_page_in_english(english):
    html = _page(english, "/account/accedi/")
    _assert_english(
        html,
        present=LAYOUT_EN + ["Sign in", "E-mail address", "Password", "Forgotten your password?",
                             "For the people of the CST bodies"],
        absent=LAYOUT_IT + ["Password dimenticata?", "Indirizzo e-mail", "Per le persone degli enti del CST"],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "english_text", "italian_text"),
    [
        ("/accessibilita/", "Compliance status", "Stato di conformità"),
        ("/privacy/", "Data controller", "Titolare del trattamento"),
        ("/note-legali/", "Creative Commons Attribution 4.0", "Creative Commons Attribuzione 4.0"),
        ("/segnalazioni/", "Send the feedback", "Invia la segnalazione"),
    ],
)
def test_footer_pages_in_english(english, path, english_text, italian_text):
    html = _page(english, path)
    _assert_english(html, present=LAYOUT_EN + [english_text], absent=LAYOUT_IT + [italian_text])


@pytest.mark.django_db
def test_italian_stays_the_default_language(client, settings):
    call_command("compile_translations", verbosity=0)
    _forget_loaded_translations(settings)
    html = client.get("/").content.decode()
    assert '<html lang="it">' in html
    assert "Riusare invece di ricostruire" in html
    assert "Reuse instead of rebuilding" not in html


def test_every_category_and_scope_has_a_label_in_both_languages(settings):
    assert set(CATEGORIES) <= set(CATEGORY_LABELS_IT)
    assert set(SCOPES) == set(SCOPE_LABELS_IT)
    call_command("compile_translations", verbosity=0)
    _forget_loaded_translations(settings)
    for codes, label in ((CATEGORIES, category_label), (SCOPES, scope_label)):
        with translation.override("it"):
            italian = {code: label(code) for code in codes}
        with translation.override("en"):
            english = {code: label(code) for code in codes}
        # Every label is translated; "Backup", "Blog", "Design", "Sport" and a few more are the same in both.
        same = {code for code in codes if italian[code] == english[code]}
        assert same <= {"backup", "blog", "business-intelligence", "design", "design-system", "gamification",
                        "marketing", "service-desk", "sport", "welfare"}, same
    with translation.override("en"):
        assert category_label("taxes-management") == "Tax management"
        assert scope_label("local-authorities") == "Local authorities"
        assert category_label("not-a-code") == "Not a code"


def test_withdrawn_request_and_retired_solution_read_differently_in_english(settings):
    call_command("compile_translations", verbosity=0)
    _forget_loaded_translations(settings)
    with translation.override("it"):
        assert str(AdoptionStatus.WITHDRAWN.label) == str(Solution.Status.RETIRED.label) == "Ritirata"
    with translation.override("en"):
        assert str(AdoptionStatus.WITHDRAWN.label) == "Withdrawn"
        assert str(Solution.Status.RETIRED.label) == "Retired"
        assert str(AdoptionStatus.RETIRED.label) == "Decommissioned"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_english_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > 0
    untranslated = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []
    keys = [(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete]
    assert sorted({key for key in keys if keys.count(key) > 1}, key=str) == []  # gettext refuses duplicates
    for entry in catalogue:
        if not ({"python-format", "python-brace-format"} & set(entry.flags)):
            continue
        if entry.msgid_plural:
            # The singular may spell out "one" instead of the number; the plural keeps every placeholder.
            assert set(PLACEHOLDER.findall(entry.msgstr_plural[0])) <= set(PLACEHOLDER.findall(entry.msgid_plural))
            assert sorted(PLACEHOLDER.findall(entry.msgstr_plural[1])) == sorted(
                PLACEHOLDER.findall(entry.msgid_plural)
            ), entry.msgid
        else:
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid
