"""The demo adoptions: every status, timelines written by the services, dates spread over months, idempotent."""

from __future__ import annotations

import pytest

from catalog.demo import adoptions as demo_adoptions
from catalog.demo import solutions as catalog_demo
from catalog.models import Adoption, AdoptionEvent, ReuseStory
from catalog.workflow import AdoptionStatus
from municipalities import demo as people_demo


@pytest.fixture
def demo_people(db):
    people_demo.seed(password="Prova-Password-2026")


def test_without_the_catalogue_every_story_is_skipped(demo_people):
    summary = demo_adoptions.seed(password="Prova-Password-2026")
    assert summary.endswith(f"{len(demo_adoptions.STORIES)} saltate (soluzione assente)")
    assert not Adoption.objects.exists()


def test_demo_tells_the_story_in_every_status_and_runs_twice_safely(demo_people):
    catalog_demo.seed(password="Prova-Password-2026")
    first = demo_adoptions.seed(password="Prova-Password-2026")
    assert first.startswith(f"adozioni dimostrative: {len(demo_adoptions.STORIES)} create")

    assert set(Adoption.objects.values_list("status", flat=True)) == set(AdoptionStatus.values)
    for adoption in Adoption.objects.all():
        events = list(adoption.events.order_by("sequence"))
        assert events[0].action == "request" and events[-1].to_status in ("", adoption.status)
        assert all(e.actor_id for e in events)
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert adoption.requested_at == events[0].created_at
    running = Adoption.objects.in_production()
    assert running.filter(solution__slug="virtualizzazione-server", body__population__lt=1000).count() >= 2
    assert all(a.adopted_version and a.go_live_date and a.savings is not None for a in running)
    assert ReuseStory.objects.count() == 3
    months = {d.strftime("%Y-%m") for d in Adoption.objects.values_list("requested_at", flat=True)}
    assert len(months) >= 12

    counts = (Adoption.objects.count(), AdoptionEvent.objects.count(), ReuseStory.objects.count())
    second = demo_adoptions.seed(password="Prova-Password-2026")
    assert second == (f"adozioni dimostrative: 0 create, {len(demo_adoptions.STORIES)} già presenti, "
                      "0 saltate (soluzione assente)")
    assert (Adoption.objects.count(), AdoptionEvent.objects.count(), ReuseStory.objects.count()) == counts
