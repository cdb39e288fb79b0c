"""The publisher's forms validate field by field, in Italian."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.solutions.forms import ReleaseForm, SolutionForm
from tests.catalog.test_publisher_pages import valid_data
from tests.factories import ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def errors_of(user, **changes) -> dict[str, list[str]]:
    form = SolutionForm(valid_data(**changes), user=user)
    form.is_valid()
    return form.errors


def test_valid_data_is_valid(publisher_pesaro, pesaro):
    assert errors_of(publisher_pesaro, owner=pesaro.pk) == {}


def test_required_fields_say_so_in_italian(publisher_pesaro):
    form = SolutionForm({}, user=publisher_pesaro)
    assert not form.is_valid()
    for name in ("name", "short_description_it", "long_description_it", "licence"):
        assert form.errors[name] == ["Campo obbligatorio."], name


@pytest.mark.parametrize(
    "value,message",
    [
        ("Licenza-Inventata-9", "«Licenza-Inventata-9» non è un identificativo di licenza SPDX valido"),
        ("MIT AND", "«MIT AND» non è un identificativo di licenza SPDX valido"),
        ("(GPL-3.0", "non è un identificativo di licenza SPDX valido"),
    ],
)
def test_licence_must_be_spdx(publisher_pesaro, pesaro, value, message):
    assert message in errors_of(publisher_pesaro, owner=pesaro.pk, licence=value)["licence"][0]


def test_spdx_expressions_are_accepted_and_normalised(publisher_pesaro, pesaro):
    form = SolutionForm(valid_data(owner=pesaro.pk, licence="mit or apache-2.0"), user=publisher_pesaro)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["licence"] == "MIT OR Apache-2.0"


def test_short_description_is_at_most_150_characters(publisher_pesaro, pesaro):
    errors = errors_of(publisher_pesaro, owner=pesaro.pk, short_description_it="x" * 151)
    assert errors["short_description_it"] == [
        "Assicurati che questo valore non contenga più di 150 caratteri (ne ha 151)."
    ]


@pytest.mark.parametrize("field", ["repository_url", "landing_url", "documentation_url"])
@pytest.mark.parametrize("value", ["non è un indirizzo", "javascript:alert(1)"])
def test_urls_are_checked(publisher_pesaro, pesaro, field, value):
    assert errors_of(publisher_pesaro, owner=pesaro.pk, **{field: value})[field] == ["Inserisci un URL valido"]


def test_repository_used_by_another_solution(publisher_pesaro, pesaro):
    SolutionFactory(repository_url="https://git.example/canone")
    errors = errors_of(publisher_pesaro, owner=pesaro.pk)
    assert errors["repository_url"] == ["Un'altra soluzione del catalogo usa già questo repository."]


def test_contacts_are_checked_line_by_line(publisher_pesaro, pesaro):
    errors = errors_of(publisher_pesaro, owner=pesaro.pk,
                       contacts="Mario Rossi <mario@comune.example>\nsolo un nome\nAnna <non-una-mail>")
    assert errors["contacts"] == [
        "Riga 2: scrivi «Nome Cognome <indirizzo e-mail>», eventualmente seguito dal telefono.",
        "Riga 3: «non-una-mail» non è un indirizzo e-mail valido.",
    ]


def test_contract_maintenance_needs_the_contractor(publisher_pesaro, pesaro):
    errors = errors_of(publisher_pesaro, owner=pesaro.pk, maintenance_contractor="")
    assert errors["maintenance_contractor"] == ["Indica la ditta che cura la manutenzione a contratto."]


def test_no_maintenance_has_no_end_date(publisher_pesaro, pesaro):
    errors = errors_of(publisher_pesaro, owner=pesaro.pk, maintenance_type="none", maintenance_contractor="")
    assert errors["maintenance_until"] == ["Senza manutenzione non c'è una data di fine manutenzione."]


def test_bad_date_language_and_choices(publisher_pesaro, pesaro):
    errors = errors_of(publisher_pesaro, owner=pesaro.pk, maintenance_until="31/31/2027", available_languages="it, 123",
                       categories=["inventata"], kind="astronave")
    assert errors["maintenance_until"] == ["Inserisci una data valida."]
    assert errors["available_languages"][0].startswith("Codici di lingua non validi: 123.")
    assert "inventata" in errors["categories"][0]
    assert "astronave" in errors["kind"][0]


def test_long_lines_and_tags(publisher_pesaro, pesaro):
    errors = errors_of(publisher_pesaro, owner=pesaro.pk, features_it="ok\n" + "x" * 201, tags="a, " + "b" * 61)
    assert errors["features_it"] == ["Riga 2: al massimo 200 caratteri."]
    assert errors["tags"] == ["Ogni etichetta ha al massimo 60 caratteri."]


def test_owner_choices_are_the_bodies_the_person_publishes_for(publisher_pesaro, cst_admin, pesaro):
    assert list(SolutionForm(user=publisher_pesaro).fields["owner"].queryset) == [pesaro]
    assert SolutionForm(user=cst_admin).fields["owner"].queryset.count() > 40


# --- release --------------------------------------------------------------------------------------------------


def test_release_form_errors(pesaro):
    solution = SolutionFactory(owner=pesaro)
    ReleaseFactory(solution=solution, version="1.0.0")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = ReleaseForm({"version": "1.0.0", "date": tomorrow.isoformat()}, solution=solution)
    assert not form.is_valid()
    assert form.errors["version"] == ["La versione 1.0.0 è già registrata."]
    assert form.errors["date"] == ["La data di rilascio non può essere nel futuro."]
    form = ReleaseForm({"version": "2 0", "date": "1970-01-01"}, solution=solution)
    assert not form.is_valid()
    assert form.errors["version"][0].startswith("Usa solo lettere, cifre")
    assert form.errors["date"] == ["Controlla l'anno della data di rilascio."]
