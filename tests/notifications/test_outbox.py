"""The transactional outbox: rows are written with the change they report, or not at all, and the web request never
talks to the broker."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from catalog import notices
from catalog.adoptions import services as workflow
from catalog.models import Adoption
from cstportal.notifications import tasks
from cstportal.notifications.models import Delivery, Notification
from cstportal.notifications.services import delivery_key, record_notifications
from tests.factories import SolutionFactory

from .helpers import run_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def solution(pesaro):
    return SolutionFactory(owner=pesaro, name="Tributi")


@pytest.fixture
def requested(solution, fano, referent_fano, publisher_pesaro):
    return workflow.request_adoption(solution=solution, body=fano, by=referent_fano)


@pytest.fixture
def broker_forbidden(monkeypatch):
    """Any attempt to publish a task fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the request path talked to the broker")

    monkeypatch.setattr(tasks.send_delivery, "apply_async", refuse)
    monkeypatch.setattr(tasks.send_delivery, "delay", refuse)


def test_each_recipient_gets_a_notification_and_an_email_row_with_a_unique_key(requested, publisher_pesaro):
    notification = Notification.objects.get(recipient=publisher_pesaro)
    delivery = notification.deliveries.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.due_at is not None
    assert delivery.key == delivery_key(notification.event_key, publisher_pesaro.pk, "email")
    assert notification.url  # a link to the page concerned


def test_a_workflow_action_neither_publishes_nor_schedules_anything_on_commit(
    solution, fano, referent_fano, publisher_pesaro, broker_forbidden, django_capture_on_commit_callbacks
):
    # Other features may invalidate caches on commit; running those callbacks must not publish either.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        adoption = workflow.request_adoption(solution=solution, body=fano, by=referent_fano)
        workflow.transition_adoption(adoption, action="approve", by=publisher_pesaro)
    assert not [c for c in callbacks if getattr(c, "__module__", "").startswith(("cstportal.notifications", "celery"))]
    assert Delivery.objects.count() == 2


def test_a_transaction_that_fails_after_the_state_change_leaves_no_outbox_row_and_sends_nothing(
    requested, publisher_pesaro, monkeypatch
):
    Notification.objects.all().delete()
    real_hook = notices.adoption_transitioned

    def hook_then_crash(adoption, event):
        real_hook(adoption, event)
        assert Delivery.objects.count() == 1  # written inside the transaction...
        raise IntegrityError("something later in the same transaction failed")

    monkeypatch.setattr(notices, "adoption_transitioned", hook_then_crash)
    with pytest.raises(IntegrityError):
        workflow.transition_adoption(requested, action="approve", by=publisher_pesaro)

    assert Adoption.objects.get(pk=requested.pk).status == "requested"
    assert Notification.objects.count() == 0  # ...and gone with it
    assert Delivery.objects.count() == 0
    assert run_outbox().count == 0
    assert mail.outbox == []


def test_an_outer_transaction_rolled_back_takes_the_rows_with_it(requested, publisher_pesaro):
    Notification.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.transition_adoption(requested, action="approve", by=publisher_pesaro)
        raise RuntimeError("rolled back")
    assert Delivery.objects.count() == 0
    assert run_outbox().count == 0
    assert mail.outbox == []


def test_recording_the_same_event_twice_writes_nothing_new(referent_fano, publisher_pesaro):
    kwargs = dict(recipients=[referent_fano, publisher_pesaro], kind="x", event_key="test:1", message="Ciao")
    assert len(record_notifications(**kwargs)) == 2
    assert record_notifications(**kwargs) == []
    assert Notification.objects.count() == 2
    assert Delivery.objects.count() == 2


def test_the_actor_is_never_told(referent_fano, publisher_pesaro):
    written = record_notifications(
        recipients=[referent_fano, publisher_pesaro],
        kind="x",
        event_key="test:2",
        message="Ciao",
        actor=publisher_pesaro,
    )
    assert [n.recipient_id for n in written] == [referent_fano.pk]


def test_recording_costs_a_fixed_number_of_queries(
    django_assert_num_queries, referent_fano, publisher_pesaro, cst_admin
):
    # existing recipients of the event, insert notifications, insert deliveries
    with django_assert_num_queries(3):
        record_notifications(
            recipients=[referent_fano, publisher_pesaro, cst_admin], kind="x", event_key="test:3", message="Ciao"
        )


def test_notices_follow_the_readers_language(requested, publisher_pesaro):
    from django.utils import translation

    notification = Notification.objects.get(recipient=publisher_pesaro)
    with translation.override("it"):
        assert notification.text.startswith("Fano chiede di adottare")
