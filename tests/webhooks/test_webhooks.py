"""Webhooks: each event written with the change that caused it, signed over the raw body, sent once, retried with
growing gaps, disabled after failures in a row and enabled again by its owner, never to an address the portal
does not call, and never to someone who can no longer see what it is about. A real receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from catalog.adoptions import services as workflow
from catalog.models import Webhook, WebhookDelivery
from catalog.solutions import services as solutions
from catalog.webhooks import delivery as sending
from catalog.webhooks import services
from cstportal.errors import Invalid, NotAllowed
from cstportal.notifications.delivery import backoff_seconds
from cstportal.notifications.relay import outboxes
from municipalities.models import User
from tests.factories import ReleaseFactory, SolutionFactory

from .receiver import Receiver, signature_is_valid

pytestmark = pytest.mark.django_db

SECRET = "un-segreto-lungo-abbastanza"
ADOPTIONS = ["adoption.status_changed"]
SOLUTIONS = ["solution.published", "solution.updated", "solution.retired", "release.added"]


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def receiver():
    with Receiver(SECRET) as server:
        yield server


def hook(owner, url: str, events=ADOPTIONS) -> Webhook:
    return services.register_webhook(owner=owner, url=url, secret=SECRET, events=events)


def later(seconds: float):
    return time_machine.travel(timezone.now() + dt.timedelta(seconds=seconds), tick=True)


# --- signing and sending ----------------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_the_raw_body_in_hex():
    # RFC 4231-style known answer: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
    assert sending.sign("key", b"The quick brown fox jumps over the lazy dog") == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_the_webhook_outbox_is_relayed_like_the_emails():
    assert (WebhookDelivery, "catalog.send_webhook_delivery") in outboxes()


def test_an_adoption_request_reaches_the_webhook_signed_once_with_its_id(
    receiver, pesaro, fano, referent_fano, publisher_pesaro
):
    webhook = hook(publisher_pesaro, receiver.url)
    solution = SolutionFactory(owner=pesaro, slug="tributi")
    adoption = workflow.request_adoption(solution=solution, body=fano, by=referent_fano)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.status, delivery.due_at is not None) == (webhook, "pending", True)

    assert sending.send_webhook_delivery(delivery.pk) == sending.SENT
    assert sending.send_webhook_delivery(delivery.pk) == sending.SKIPPED  # a second message from the broker

    assert receiver.accepted == {str(delivery.delivery_id): 1}
    assert receiver.bad_signatures == 0
    document = receiver.documents[str(delivery.delivery_id)]
    assert document["event"] == "adoption.status_changed"
    assert document["data"]["adoption"] == {
        "id": adoption.pk,
        "status": "requested",
        "from_status": None,
        "action": "request",
        "solution": "tributi",
        "municipality": fano.key,
        "url": document["data"]["adoption"]["url"],
    }
    assert document["data"]["adoption"]["url"].endswith(f"/api/v1/adoptions/{adoption.pk}/")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.due_at) == ("sent", 1, 200, None)
    assert delivery.last_response == "ok"


def test_the_signature_covers_the_exact_bytes_sent(receiver, pesaro, publisher_pesaro, cst_admin):
    hook(publisher_pesaro, receiver.url, events=SOLUTIONS)
    solution = SolutionFactory(owner=pesaro, status="in_review", published_at=None)
    solutions.publish_solution(solution, by=cst_admin)
    delivery = WebhookDelivery.objects.get()
    body = delivery.body.encode()
    assert signature_is_valid(SECRET, body, sending.sign(SECRET, body))
    assert not signature_is_valid(SECRET, body + b" ", sending.sign(SECRET, body))
    assert not signature_is_valid("un-altro-segreto-lungo", body, sending.sign(SECRET, body))
    assert json.loads(body)["event"] == "solution.published"


def test_every_event_kind_is_recorded_for_a_subscriber_who_sees_it(
    pesaro, fano, publisher_pesaro, referent_fano, cst_admin
):
    hook(publisher_pesaro, "http://127.0.0.1:9/hook", events=[*SOLUTIONS, *ADOPTIONS])
    solution = SolutionFactory(owner=pesaro, status="in_review", published_at=None)
    solutions.publish_solution(solution, by=cst_admin)
    solutions.update_solution(solution, by=publisher_pesaro, name="Tributi locali")
    solutions.add_release(solution, by=publisher_pesaro, version="2.0", date=dt.date(2026, 1, 1))
    adoption = workflow.request_adoption(solution=solution, body=fano, by=referent_fano)
    workflow.transition_adoption(adoption, action="approve", by=publisher_pesaro)
    solutions.retire_solution(solution, by=cst_admin, reason="Sostituita")
    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == [
        "solution.published",
        "solution.updated",
        "release.added",
        "adoption.status_changed",
        "adoption.status_changed",
        "solution.retired",
    ]
    assert WebhookDelivery.objects.values("delivery_id").distinct().count() == len(events)


def test_nothing_is_recorded_for_what_the_owner_cannot_see(pesaro, fano, urbino, referent_fano, referent_urbino):
    hook(referent_urbino, "http://127.0.0.1:9/hook", events=[*SOLUTIONS, *ADOPTIONS])
    draft = SolutionFactory(owner=pesaro, status="draft", published_at=None)
    ReleaseFactory(solution=draft)
    solutions.update_solution(draft, by=None, name="Bozza")  # a draft's edits are nobody else's business
    solutions.add_release(draft, by=None, version="0.1", date=dt.date(2026, 1, 1))  # not visible to Urbino
    workflow.request_adoption(solution=SolutionFactory(owner=pesaro), body=fano, by=referent_fano)  # Fano's
    assert not WebhookDelivery.objects.exists()


# --- retries, failure, disabling ---------------------------------------------------------------------------------


@pytest.fixture
def requested(pesaro, fano, referent_fano):
    def request():
        return workflow.request_adoption(solution=SolutionFactory(owner=pesaro), body=fano, by=referent_fano)

    return request


def test_a_failed_attempt_is_retried_after_its_back_off_and_the_receiver_gets_it_once(publisher_pesaro, requested):
    with Receiver(SECRET, answers=[503]) as receiver:
        webhook = hook(publisher_pesaro, receiver.url)
        requested()
        delivery = WebhookDelivery.objects.get()
        assert sending.send_webhook_delivery(delivery.pk) == sending.RETRY
        delivery.refresh_from_db()
        assert (delivery.status, delivery.last_status_code, delivery.last_error) == ("pending", 503, "HTTP 503")
        assert delivery.last_response == "not now"
        gap = (delivery.available_at - delivery.claimed_at).total_seconds()
        assert gap == pytest.approx(backoff_seconds(1), abs=1)
        assert delivery.due_at == delivery.available_at
        webhook.refresh_from_db()
        assert webhook.consecutive_failures == 1

        assert sending.send_webhook_delivery(delivery.pk) == sending.SKIPPED  # too early: the back-off holds
        with later(gap + 1):
            assert sending.send_webhook_delivery(delivery.pk) == sending.SENT
    assert receiver.requests == 2
    assert receiver.accepted == {str(delivery.delivery_id): 1}
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0


def test_the_gaps_double_at_each_attempt_and_the_last_retry_fails(settings, publisher_pesaro, requested):
    settings.NOTIFICATION_MAX_RETRIES = 2
    with Receiver(SECRET, answers=[500, 500, 500]) as receiver:
        hook(publisher_pesaro, receiver.url)
        requested()
        delivery = WebhookDelivery.objects.get()
        outcomes, gaps = [], []
        moment = timezone.now()
        for _attempt in range(3):
            with time_machine.travel(moment, tick=True):
                outcomes.append(sending.send_webhook_delivery(delivery.pk))
            delivery.refresh_from_db()
            if delivery.status == "pending":
                gaps.append(round((delivery.available_at - delivery.claimed_at).total_seconds()))
                moment = delivery.available_at + dt.timedelta(seconds=1)
    assert outcomes == [sending.RETRY, sending.RETRY, sending.FAILED]
    assert gaps == [backoff_seconds(1), backoff_seconds(2)] and gaps[1] == 2 * gaps[0]
    assert (delivery.status, delivery.attempts, delivery.due_at) == ("failed", 3, None)
    assert receiver.accepted == {}


def test_a_webhook_failing_again_and_again_is_disabled_and_its_owner_enables_it(settings, publisher_pesaro, requested):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    with Receiver(SECRET, answers=[500, 500]) as receiver:
        webhook = hook(publisher_pesaro, receiver.url)
        requested()
        first = WebhookDelivery.objects.get()
        assert sending.send_webhook_delivery(first.pk) == sending.RETRY
        first.refresh_from_db()
        with time_machine.travel(first.available_at + dt.timedelta(seconds=1), tick=True):
            assert sending.send_webhook_delivery(first.pk) == sending.HELD
        webhook.refresh_from_db()
        assert (webhook.is_active, webhook.consecutive_failures) == (False, 2)
        assert webhook.disabled_at is not None
        first.refresh_from_db()
        assert (first.status, first.due_at) == ("held", None)

        requested()  # an event while it is disabled is kept, held
        second = WebhookDelivery.objects.exclude(pk=first.pk).get()
        assert (second.status, second.due_at) == ("held", None)

        with pytest.raises(NotAllowed):
            services.enable_webhook(webhook, by=someone_else())
        webhook = services.enable_webhook(webhook, by=publisher_pesaro)
        assert (webhook.is_active, webhook.consecutive_failures, webhook.disabled_at) == (True, 0, None)
        assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("pending", 0)}
        for delivery in WebhookDelivery.objects.all():
            assert sending.send_webhook_delivery(delivery.pk) == sending.SENT
    assert set(receiver.accepted.values()) == {1} and len(receiver.accepted) == 2


def someone_else():
    """Somebody who is not the webhook's owner."""
    return User.objects.create(email="altra-persona@example.org")


def test_a_delivery_claimed_after_the_webhook_was_disabled_is_held_without_counting(publisher_pesaro, requested):
    webhook = hook(publisher_pesaro, "http://127.0.0.1:9/hook")
    requested()
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, disabled_at=timezone.now())
    delivery = WebhookDelivery.objects.get()
    assert sending.send_webhook_delivery(delivery.pk) == sending.HELD
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("held", 0)


# --- addresses ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",  # loopback
        "http://10.1.2.3/hook",  # private
        "https://169.254.169.254/latest/meta-data/",  # link-local (cloud metadata)
        "http://[::1]/hook",
        "ftp://example.org/hook",
        "https://utente:password@example.org/hook",
    ],
)
def test_an_address_the_portal_does_not_call_is_refused_at_registration(settings, publisher_pesaro, url):
    settings.FETCH_ALLOWED_HOSTS = []
    with pytest.raises(Invalid) as refused:
        hook(publisher_pesaro, url)
    assert set(refused.value.errors) == {"url"}
    assert not Webhook.objects.exists()


def test_an_address_that_turned_private_is_refused_at_delivery_and_never_contacted(
    settings, receiver, publisher_pesaro, requested
):
    hook(publisher_pesaro, receiver.url)  # allowed when registered
    requested()
    settings.FETCH_ALLOWED_HOSTS = []
    delivery = WebhookDelivery.objects.get()
    assert sending.send_webhook_delivery(delivery.pk) == sending.RETRY
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("UrlRefused")
    assert receiver.requests == 0


def test_registration_checks_secret_and_events_field_by_field(publisher_pesaro):
    with pytest.raises(Invalid) as refused:
        services.register_webhook(owner=publisher_pesaro, url="ftp://x", secret="corto", events=["solution.eaten"])
    assert set(refused.value.errors) == {"url", "secret", "events"}


def test_an_outsider_may_not_register_a_webhook(outsider):
    with pytest.raises(NotAllowed):
        hook(outsider, "http://127.0.0.1:9/hook")


# --- visibility at delivery --------------------------------------------------------------------------------------


def test_a_solution_retired_before_delivery_is_not_sent_to_who_can_no_longer_see_it(
    receiver, pesaro, referent_fano, publisher_pesaro, cst_admin
):
    hook(referent_fano, receiver.url, events=["solution.updated"])
    solution = SolutionFactory(owner=pesaro)
    solutions.update_solution(solution, by=publisher_pesaro, name="Tributi locali")
    delivery = WebhookDelivery.objects.get()
    solutions.retire_solution(solution, by=cst_admin, reason="Sostituita")  # before the worker gets to it
    assert sending.send_webhook_delivery(delivery.pk) == sending.SKIPPED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.due_at) == ("skipped", None)
    assert receiver.requests == 0


def test_the_retirement_itself_is_sent_to_everyone_who_saw_the_solution(receiver, pesaro, referent_fano, cst_admin):
    hook(referent_fano, receiver.url, events=["solution.retired"])
    solutions.retire_solution(SolutionFactory(owner=pesaro), by=cst_admin, reason="Sostituita")
    delivery = WebhookDelivery.objects.get()
    assert sending.send_webhook_delivery(delivery.pk) == sending.SENT
    assert receiver.documents[str(delivery.delivery_id)]["data"]["solution"]["status"] == "retired"


def test_an_adoption_no_longer_visible_to_the_owner_is_not_sent(
    receiver, pesaro, fano, referent_fano, publisher_pesaro
):
    hook(referent_fano, receiver.url)
    workflow.request_adoption(solution=SolutionFactory(owner=pesaro), body=fano, by=referent_fano)
    referent_fano.memberships.all().delete()  # left the body before the delivery
    from municipalities import permissions as people

    people.forget_roles(referent_fano)
    delivery = WebhookDelivery.objects.get()
    assert sending.send_webhook_delivery(delivery.pk) == sending.SKIPPED
    assert receiver.requests == 0


# --- the back office ---------------------------------------------------------------------------------------------


def test_cst_staff_see_webhooks_and_their_deliveries_in_the_admin_but_never_the_secret(
    client, cst_admin, publisher_pesaro, requested
):
    from django.urls import reverse

    webhook = hook(publisher_pesaro, "http://127.0.0.1:9/hook")
    requested()
    client.force_login(cst_admin)
    assert client.get(reverse("admin:catalog_webhook_changelist")).status_code == 200
    page = client.get(reverse("admin:catalog_webhook_change", args=[webhook.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "adoption.status_changed" in text and SECRET not in text
    assert client.get(reverse("admin:catalog_webhook_add")).status_code == 403
