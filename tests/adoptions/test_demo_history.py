"""The demo's past events carry their own dates and send nothing: seeding writes the in-app notices of its stories,
dated as the stories say, and queues no e-mail."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from catalog.models import AdoptionEvent
from cstportal.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def test_seeding_the_demo_dates_its_notices_and_sends_nothing(settings):
    call_command("seed_demo", "--force", verbosity=0)

    assert Notification.objects.filter(event_key__startswith="adoption-event:").count() > 20
    assert Delivery.objects.count() == 0
    events = dict(AdoptionEvent.objects.values_list("pk", "created_at"))
    for key, created_at in Notification.objects.filter(event_key__startswith="adoption-event:").values_list(
            "event_key", "created_at"):
        assert created_at == events[int(key.split(":")[1])]
    dates = {n.created_at.date() for n in Notification.objects.filter(event_key__startswith="adoption-event:")}
    assert len(dates) > 10  # spread over the story's months, not all today


def test_seeding_twice_changes_nothing(settings):
    call_command("seed_demo", "--force", verbosity=0)
    before = list(Notification.objects.order_by("pk").values_list("pk", "created_at"))

    call_command("seed_demo", "--force", verbosity=0)

    assert list(Notification.objects.order_by("pk").values_list("pk", "created_at")) == before
    assert Delivery.objects.count() == 0


def test_outside_the_demo_notices_are_sent(referent_fano, fano, pesaro, publisher_pesaro):
    from catalog.adoptions import services
    from catalog.models import Solution
    from tests.factories import SolutionFactory

    solution = SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED)
    services.request_adoption(solution=solution, body=fano, by=referent_fano)

    assert Delivery.objects.exists()
