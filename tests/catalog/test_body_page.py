"""The catalogue's part of a body's page: what it publishes, uses and is adopting, its reuse stories; capped with
links to the catalogue filtered by the body; empty states; a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import ReuseStory
from catalog.templatetags import body_tags
from tests.factories import AdoptionFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def _section(html: str, dom_id: str) -> str:
    start = html.index(f'id="{dom_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def fano_story(pesaro, fano, urbino):
    """Fano publishes one solution and keeps a draft; it runs Pesaro's TARI in production (with a story) and is
    adopting Urbino's protocol; a request of its own still waits."""
    SolutionFactory(name="Sportello unico edilizia", owner=fano, slug="sue-fano")
    SolutionFactory(name="Bozza riservata", owner=fano, slug="bozza-fano", status="draft")
    tari = SolutionFactory(name="Gestione TARI", owner=pesaro, slug="tari")
    protocollo = SolutionFactory(name="Protocollo", owner=urbino, slug="protocollo")
    waiting = SolutionFactory(name="Albo pretorio", owner=urbino, slug="albo")
    live = AdoptionFactory(solution=tari, body=fano, status="in_production", adopted_version="2.1")
    ReuseStory.objects.create(
        adoption=live,
        outcome="Avvisi TARI in tre settimane.",
        lessons="Partire dai dati.",
        savings_note="Circa 40.000 euro.",
    )
    AdoptionFactory(solution=protocollo, body=fano, status="in_progress")
    AdoptionFactory(solution=waiting, body=fano, status="requested")
    return fano


def test_the_page_shows_what_the_body_publishes_uses_adopts_and_tells(client, fano_story):
    html = client.get(fano_story.get_absolute_url()).content.decode()
    publishes = _section(html, "body-publishes")
    assert "Sportello unico edilizia" in publishes and "Bozza riservata" not in publishes
    assert f"{reverse('catalog:solution-list')}?owner=041013" in publishes
    uses = _section(html, "body-uses")
    assert "Gestione TARI" in uses and "di Pesaro" in uses
    assert f"{reverse('catalog:solution-list')}?used_by=041013" in uses
    adopting = _section(html, "body-adopting")
    assert "Protocollo" in adopting and "Albo pretorio" not in adopting  # a waiting request is not shown
    stories = _section(html, "body-stories")
    assert "Avvisi TARI in tre settimane." in stories and "Circa 40.000 euro." in stories


def test_the_body_s_publisher_sees_its_drafts_too(client, fano_story):
    from municipalities.models import Membership, Role
    from tests.factories import UserFactory

    publisher = UserFactory()
    Membership.objects.create(user=publisher, body=fano_story, role=Role.PUBLISHER)
    client.force_login(publisher)
    html = client.get(fano_story.get_absolute_url()).content.decode()
    assert "Bozza riservata" in _section(html, "body-publishes")


def test_a_body_with_nothing_has_italian_empty_states(client, frontino):
    html = client.get(frontino.get_absolute_url()).content.decode()
    assert "L'ente non ha ancora pubblicato soluzioni nel catalogo." in html
    assert "L'ente non usa ancora in produzione soluzioni del catalogo." in html
    assert "Nessuna adozione in corso." in html
    assert "L'ente non ha ancora raccontato un riuso." in html


def test_long_lists_are_capped_with_a_link_to_the_whole_list(client, pesaro, fano):
    for n in range(body_tags.SHOWN + 3):
        AdoptionFactory(
            solution=SolutionFactory(owner=pesaro, name=f"Soluzione usata {n:02}"), body=fano, status="in_production"
        )
    uses = _section(client.get(fano.get_absolute_url()).content.decode(), "body-uses")
    assert uses.count("<li>") == body_tags.SHOWN
    assert f"Vedi tutte le {body_tags.SHOWN + 3} soluzioni che usa nel catalogo" in uses
    catalogue = client.get(reverse("catalog:solution-list"), {"used_by": "041013"})
    assert catalogue.context["total"] == body_tags.SHOWN + 3
    assert "Usata da: Fano" in catalogue.content.decode()


@pytest.mark.parametrize("rows", [1, 10])
def test_the_catalogue_part_costs_a_fixed_number_of_queries(
    client, pesaro, fano, urbino, django_assert_num_queries, rows
):
    for n in range(rows):
        SolutionFactory(owner=fano, name=f"Di Fano {n}")
        live = AdoptionFactory(solution=SolutionFactory(owner=pesaro), body=fano, status="in_production")
        ReuseStory.objects.create(adoption=live, outcome=f"Storia {n}")
        AdoptionFactory(solution=SolutionFactory(owner=urbino), body=fano, status="in_progress")
    # Registry: 1) the body, 2) its unions. Catalogue: 3) published, 4) used, 5) adopting, 6) stories, each reading
    # one row more than it shows; a list with more than it shows counts them (7-10): never one query per row.
    expected = 10 if rows > body_tags.SHOWN else 6
    with django_assert_num_queries(expected):
        response = client.get(fano.get_absolute_url())
    assert response.status_code == 200
