"""«Esiste già?»: the form and the publiccode.yml import show the close matches first, and create only when the
publisher confirms; what they typed (or uploaded) is kept. The same on PostgreSQL (pg_trgm in the query) and SQLite
(the same measure in Python)."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from catalog.models import Solution
from catalog.solutions import terms
from catalog.solutions.forms import CONFIRM_NEW
from catalog.solutions.suggestions import near_duplicates
from tests.factories import SolutionFactory

from .publiccode_helpers import dump, valid_doc
from .test_publisher_pages import valid_data

pytestmark = pytest.mark.django_db

CREATE = reverse("catalog:solution-create")
IMPORT = reverse("catalog:publiccode-import")


@pytest.fixture
def tari(fano):
    return SolutionFactory(
        name="Gestione della TARI",
        owner=fano,
        slug="gestione-tari",
        short_description_it="Tassa sui rifiuti: banche dati, avvisi di pagamento e riscossione.",
    )


@pytest.fixture
def protocollo(fano):
    return SolutionFactory(
        name="Protocollo informatico comunale",
        owner=fano,
        slug="protocollo-comunale",
        short_description_it="Registro di protocollo e fascicoli degli uffici comunali.",
    )


def _names(solutions) -> list[str]:
    return [s.name for s in solutions]


# --- the measure ----------------------------------------------------------------------------------------------


def test_close_names_and_descriptions_match_and_others_do_not(tari, protocollo):
    SolutionFactory(name="Mensa scolastica", short_description_it="Iscrizioni e pagamenti della refezione.")
    visible = Solution.objects.all()
    assert _names(near_duplicates(visible, name="Gestione TARI")) == ["Gestione della TARI"]
    assert _names(near_duplicates(visible, name="Protocollo informatico")) == ["Protocollo informatico comunale"]
    # Another name, the same thing said in nearly the same words.
    assert _names(
        near_duplicates(
            visible, name="Rifiuti urbani", description="Tassa sui rifiuti: banche dati, avvisi e riscossione."
        )
    ) == ["Gestione della TARI"]
    assert near_duplicates(visible, name="Gestione mensa", description="Prenotazione dei pasti.") == []
    assert near_duplicates(visible, name="", description="") == []


def test_the_closest_comes_first_and_the_list_is_capped(pesaro):
    for n in range(8):
        SolutionFactory(name=f"Albo pretorio online {n}", short_description_it=f"Pubblicazioni numero {n}.")
    SolutionFactory(name="Albo pretorio online", short_description_it="Pubblicazioni legali.")
    found = near_duplicates(Solution.objects.all(), name="Albo pretorio online")
    assert len(found) == 5
    assert found[0].name == "Albo pretorio online" and found[0].near_similarity == pytest.approx(1.0)


def test_one_query_whatever_the_catalogue(tari, protocollo, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = near_duplicates(Solution.objects.all(), name="Gestione TARI", description="Riscossione")
    assert found[0].owner.name == "Fano"  # the owner joined: the page names it without another query


@pytest.mark.postgres
def test_python_measure_is_pg_trgm_similarity(db):
    pairs = [
        ("Gestione TARI", "Gestione della TARI"),
        ("Protocollo informatico", "Protocollo informatico comunale"),
        ("Gestione mensa", "Gestione TARI"),
        ("Albo pretorio online", "Albo pretorio on-line"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert terms.text_similarity(a, b) == pytest.approx(cursor.fetchone()[0], abs=1e-6), (a, b)


# --- the form -------------------------------------------------------------------------------------------------


def test_the_form_shows_close_matches_first_and_keeps_what_was_typed(client, publisher_pesaro, pesaro, tari):
    client.force_login(publisher_pesaro)
    data = valid_data(name="Gestione TARI", owner=pesaro.pk, repository_url="https://git.example/tari")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert Solution.objects.count() == 1  # nothing created
    html = response.content.decode()
    assert "Esiste già?" in html
    assert html.index('id="near-duplicates"') < html.index('<form method="post" novalidate')
    assert f'href="{tari.get_absolute_url()}"' in html and "Fano" in html
    assert 'value="Gestione TARI"' in html and "calcolo del canone" in html  # the form keeps what was typed
    assert f'name="{CONFIRM_NEW}"' in html and "Crea comunque la bozza" in html
    response = client.post(CREATE, {**data, CONFIRM_NEW: "1"})
    assert response.status_code == 302
    assert Solution.objects.filter(name="Gestione TARI", owner=pesaro).exists()


def test_without_close_matches_the_form_creates_at_once(client, publisher_pesaro, pesaro, tari):
    client.force_login(publisher_pesaro)
    response = client.post(CREATE, valid_data(owner=pesaro.pk))
    assert response.status_code == 302
    assert Solution.objects.filter(name="Gestione del canone unico").exists()


def test_a_draft_the_publisher_may_not_see_is_never_shown(client, publisher_pesaro, pesaro, fano):
    SolutionFactory(
        name="Gestione della TARI",
        owner=fano,
        status="draft",
        short_description_it="Una bozza di Fano, riservata alla sua redazione.",
    )
    client.force_login(publisher_pesaro)
    response = client.post(CREATE, valid_data(name="Gestione TARI", owner=pesaro.pk))
    assert response.status_code == 302


# --- the publiccode.yml import --------------------------------------------------------------------------------


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("publiccode.yml", content, content_type="application/x-yaml")


def test_the_import_shows_close_matches_keeps_the_file_and_imports_on_confirmation(
    client, publisher_pesaro, pesaro, protocollo
):
    client.force_login(publisher_pesaro)
    raw = dump(valid_doc())  # "Protocollo Informatico"
    response = client.post(IMPORT, {"file": _upload(raw), "owner": pesaro.pk})
    assert response.status_code == 200
    assert Solution.objects.count() == 1
    html = response.content.decode()
    assert "Esiste già?" in html and f'href="{protocollo.get_absolute_url()}"' in html
    kept = response.context["kept"]
    assert base64.b64decode(kept) == raw and f'value="{kept}"' in html
    response = client.post(IMPORT, {"kept": kept, "owner": pesaro.pk, CONFIRM_NEW: "1"})
    assert response.status_code == 302
    assert Solution.objects.filter(name="Protocollo Informatico", owner=pesaro).exists()


def test_a_dry_run_shows_the_close_matches_too_and_saves_nothing(client, publisher_pesaro, pesaro, protocollo):
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT, {"file": _upload(dump(valid_doc())), "owner": pesaro.pk, "dry_run": "on"})
    assert "Esiste già?" in response.content.decode()
    assert Solution.objects.count() == 1


def test_an_import_that_updates_its_own_solution_asks_nothing(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    raw = dump(valid_doc())
    assert client.post(IMPORT, {"file": _upload(raw), "owner": pesaro.pk}).status_code == 302
    # The same repository again: an update of that solution, which is not a duplicate of itself.
    assert client.post(IMPORT, {"file": _upload(raw), "owner": pesaro.pk}).status_code == 302
    assert Solution.objects.count() == 1


def test_a_kept_file_that_is_not_base64_is_a_field_error(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT, {"kept": "%%% non base64 %%%", "owner": pesaro.pk})
    assert response.status_code == 200
    assert "non è più leggibile" in response.content.decode()
    assert Solution.objects.count() == 0
