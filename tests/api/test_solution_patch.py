"""PATCH of a solution through the API: the form's rules, and the fields a harvested publiccode.yml sets read-only
(422 with the field and a message in the reader's language; the other fields still editable)."""

from __future__ import annotations

import pytest

from catalog.models import Solution, Source
from tests.api.conftest import client_for
from tests.factories import SolutionFactory
from tests.harvest import conftest as harvest_fixtures

pytestmark = pytest.mark.django_db

english_catalogue = harvest_fixtures.english_catalogue


@pytest.fixture
def harvested(pesaro):
    solution = SolutionFactory(
        slug="protocollo-raccolto",
        name="Protocollo",
        owner=pesaro,
        short_description_it="Protocollo informatico per i comuni.",
        repository_url="https://code.cstpu.example/pesaro/protocollo.git",
    )
    Source.objects.create(
        url=solution.repository_url,
        body=pesaro,
        solution=solution,
        harvested_fields=["name", "short_description_it", "licence", "repository_url"],
    )
    return solution


def test_a_publisher_changes_the_fields_that_are_not_harvested(harvested, publisher_pesaro):
    response = client_for(publisher_pesaro).patch(
        "/api/v1/solutions/protocollo-raccolto/",
        {"short_description_en": "Records management for municipalities.", "name": "Protocollo"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["short_description_en"] == "Records management for municipalities."
    harvested.refresh_from_db()
    assert harvested.short_description_en == "Records management for municipalities."


@pytest.mark.parametrize("language,words", [("it", "si modifica nel repository"), ("en", "changed in the repository")])
def test_a_harvested_field_that_would_change_is_refused_at_its_name(
    harvested, publisher_pesaro, language, words, english_catalogue
):
    before = Solution.objects.values().get(pk=harvested.pk)
    response = client_for(publisher_pesaro).patch(
        "/api/v1/solutions/protocollo-raccolto/",
        {"name": "Un altro nome", "short_description_en": "Changed too."},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["attr"] for error in errors] == ["name"]
    assert words in errors[0]["detail"]
    assert Solution.objects.values().get(pk=harvested.pk) == before


def test_unknown_fields_and_what_the_form_refuses_are_400_and_other_bodies_403(harvested, publisher_pesaro, fano):
    client = client_for(publisher_pesaro)
    response = client.patch("/api/v1/solutions/protocollo-raccolto/", {"owner": "fano"}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "owner"
    response = client.patch("/api/v1/solutions/protocollo-raccolto/", {"short_description_en": 12}, format="json")
    assert response.status_code == 400
    response = client.patch(
        "/api/v1/solutions/protocollo-raccolto/", {"landing_url": "non è un indirizzo"}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "landing_url"
    other = SolutionFactory(slug="di-fano", owner=fano)
    assert client.patch(f"/api/v1/solutions/{other.slug}/", {"name": "x"}, format="json").status_code == 403
    assert (
        client_for(publisher_pesaro).patch("/api/v1/solutions/protocollo-raccolto/", {}, format="json").status_code
        == 200
    )
