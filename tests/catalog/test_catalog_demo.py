"""The catalogue's demo data: the CST's story, every publication status, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import PublicationEvent, Release, Solution

pytestmark = pytest.mark.django_db

CORE_SLUGS = {
    "elicat-anagrafe-soggetti-oggetti": ("041044", "software"),
    "elicat-portale-contribuente": ("041044", "software"),
    "fiscat-imu": ("041044", "software"),
    "fiscat-tari": ("041044", "software"),
    "protocollo-informatico": (None, None),
    "albo-pretorio-online": (None, None),
    "suap-front-office": (None, None),
    "virtualizzazione-server": ("province", "service"),
    "hosting-siti-istituzionali": ("province", "service"),
}


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_the_core_of_the_story_is_there(seeded):
    solutions = {s.slug: s for s in Solution.objects.select_related("owner")}
    assert len(solutions) >= 12
    for slug, (owner, kind) in CORE_SLUGS.items():
        solution = solutions[slug]
        if owner == "province":
            assert solution.owner.kind == "provincia"
        elif owner:
            assert solution.owner.istat_code == owner
        if kind:
            assert solution.kind == kind
    for slug in ("elicat-anagrafe-soggetti-oggetti", "elicat-portale-contribuente"):
        text = f"{solutions[slug].name} {solutions[slug].short_description_it}".lower()
        assert "catasto" in text
        assert solutions[slug].origin == "elicat"
    assert any("tributi" in s.long_description_it for s in solutions.values())
    owners = {s.owner.name for s in solutions.values()}
    assert {"Pesaro", "Fano", "Urbino", "Provincia di Pesaro e Urbino"} <= owners


def test_every_publication_status_and_its_history(seeded):
    assert set(Solution.objects.values_list("status", flat=True)) == {"draft", "in_review", "published", "retired"}
    for solution in Solution.objects.all():
        last = PublicationEvent.objects.filter(solution=solution).order_by("-created_at", "-pk").first()
        assert last.to_status == solution.status
    changes = Solution.objects.get(slug="prenotazione-sale")
    assert changes.status == "draft" and changes.status_reason


def test_releases_set_the_latest_release_date(seeded):
    assert Release.objects.count() >= 12
    for solution in Solution.objects.exclude(releases=None):
        assert solution.latest_release_date == solution.releases.first().date


def test_seeding_twice_changes_nothing(seeded):
    before = (Solution.objects.count(), Release.objects.count(), PublicationEvent.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Solution.objects.count(), Release.objects.count(), PublicationEvent.objects.count()) == before


@pytest.mark.postgres
def test_demo_vectors_are_filled(seeded):
    assert not Solution.objects.filter(search_vector__isnull=True).exists()
