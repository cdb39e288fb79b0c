"""Sending: once per delivery whatever the broker repeats, retries with growing gaps on SMTP errors, then a visible
failed state; e-mails in the recipient's language with a link to the page."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from catalog.adoptions import services as workflow
from cstportal.notifications import delivery as sending
from cstportal.notifications import relay, tasks
from cstportal.notifications.models import Delivery
from tests.factories import SolutionFactory

from .helpers import RefusingSMTPBackend, refusing_backend_path, run_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def start():
    """A moment just after the rows of the test were written."""
    return timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1)


@pytest.fixture
def solution(pesaro):
    return SolutionFactory(owner=pesaro, name="Tributi")


@pytest.fixture
def one_delivery(solution, fano, referent_fano, publisher_pesaro):
    """A request that tells exactly one person (the publisher of Pesaro)."""
    workflow.request_adoption(solution=solution, body=fano, by=referent_fano, note="Ci serve entro marzo")
    return Delivery.objects.get()


@pytest.fixture
def refusing_smtp(settings):
    settings.EMAIL_BACKEND = refusing_backend_path()
    RefusingSMTPBackend.refusals = 0
    RefusingSMTPBackend.calls = 0
    yield RefusingSMTPBackend
    RefusingSMTPBackend.refusals = 0


# --- exactly once ---------------------------------------------------------------------------------------------


def test_the_same_task_delivered_twice_sends_one_email(one_delivery):
    first = tasks.send_delivery.apply(args=[one_delivery.pk]).get()
    second = tasks.send_delivery.apply(args=[one_delivery.pk]).get()
    assert (first, second) == ("sent", "skipped")
    assert len(mail.outbox) == 1
    one_delivery.refresh_from_db()
    assert one_delivery.status == Delivery.Status.SENT
    assert one_delivery.due_at is None
    assert one_delivery.attempts == 1


def test_a_task_for_a_row_another_worker_is_sending_does_nothing(one_delivery):
    assert sending.claim_delivery(one_delivery.pk) is not None  # another worker holds it
    assert tasks.send_delivery.apply(args=[one_delivery.pk]).get() == "skipped"
    assert mail.outbox == []


def test_a_row_left_sending_by_a_killed_worker_is_sent_once_after_the_timeout(one_delivery, settings, start):
    settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS = 180
    with time_machine.travel(start, tick=False):
        sending.claim_delivery(one_delivery.pk)  # ...and the worker dies here
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        assert run_outbox().count == 0  # not due yet: the dead worker might still be alive
        assert tasks.send_delivery.apply(args=[one_delivery.pk]).get() == "skipped"
    with time_machine.travel(start + dt.timedelta(seconds=181), tick=False):
        assert run_outbox().count == 1
        assert run_outbox().count == 0
    assert len(mail.outbox) == 1
    one_delivery.refresh_from_db()
    assert (one_delivery.status, one_delivery.attempts) == ("sent", 2)


def test_a_task_for_a_vanished_row_does_nothing():
    assert tasks.send_delivery.apply(args=[987654]).get() == "skipped"


# --- retries and failure --------------------------------------------------------------------------------------


def test_the_backoff_doubles_and_is_capped(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 600
    settings.NOTIFICATION_MAX_RETRIES = 6
    assert sending.retry_schedule() == [60, 120, 240, 480, 600, 600]


def test_smtp_refusing_for_a_while_retries_with_growing_gaps_then_sends(one_delivery, refusing_smtp, settings, start):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_MAX_RETRIES = 5
    refusing_smtp.refusals = 3
    attempt_times = []
    now = start
    with time_machine.travel(now, tick=False) as clock:
        for _ in range(40):  # a relay tick every 5 seconds for a long while
            if run_outbox().count:
                attempt_times.append(timezone.now())
            one_delivery.refresh_from_db()
            if one_delivery.status == Delivery.Status.SENT:
                break
            now += dt.timedelta(seconds=5)
            clock.move_to(now)
        else:
            # Long gaps: jump ahead to each due time instead of ticking.
            while one_delivery.status != Delivery.Status.SENT:
                clock.move_to(one_delivery.due_at)
                if run_outbox().count:
                    attempt_times.append(timezone.now())
                one_delivery.refresh_from_db()
    gaps = [(b - a).total_seconds() for a, b in zip(attempt_times, attempt_times[1:], strict=False)]
    assert len(attempt_times) == 4
    assert gaps == [60, 120, 240]
    assert refusing_smtp.calls == 4  # no tight loop: one SMTP attempt per scheduled try
    assert len(mail.outbox) == 1
    assert one_delivery.attempts == 4


def test_smtp_refusing_for_ever_ends_in_a_failed_state_shown_to_cst(
    one_delivery, refusing_smtp, settings, client, cst_admin, start
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_MAX_RETRIES = 3
    refusing_smtp.refusals = 1000
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(10):
            run_outbox()
            one_delivery.refresh_from_db()
            if one_delivery.due_at is None:
                break
            # Just before the retry is due, nothing happens: no tight loop.
            clock.move_to(one_delivery.due_at - dt.timedelta(seconds=1))
            assert run_outbox().count == 0
            clock.move_to(one_delivery.due_at)
    assert one_delivery.status == Delivery.Status.FAILED
    assert one_delivery.attempts == 4  # the first try and 3 retries
    assert refusing_smtp.calls == 4
    assert "SMTPServerDisconnected" in one_delivery.last_error
    assert run_outbox().count == 0  # failed rows are never published again by themselves

    client.force_login(cst_admin)
    page = client.get("/notifiche/invii/")
    assert page.status_code == 200
    assert "redazione.pesaro@cstpu.test" in page.content.decode()
    assert "Non riuscita" in page.content.decode()


def test_a_failed_delivery_retried_by_cst_is_sent(one_delivery, refusing_smtp, settings, client, cst_admin):
    settings.NOTIFICATION_MAX_RETRIES = 0
    refusing_smtp.refusals = 1
    run_outbox()
    one_delivery.refresh_from_db()
    assert one_delivery.status == Delivery.Status.FAILED
    client.force_login(cst_admin)
    response = client.post(f"/notifiche/invii/{one_delivery.pk}/riprova/")
    assert response.status_code == 302
    assert run_outbox().count == 1
    one_delivery.refresh_from_db()
    assert one_delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1


def test_an_unexpected_error_fails_at_once_with_the_reason(one_delivery, monkeypatch):
    def broken(delivery):
        raise ValueError("template broken")

    monkeypatch.setattr(sending, "build_email", broken)
    run_outbox()
    one_delivery.refresh_from_db()
    assert one_delivery.status == Delivery.Status.FAILED
    assert one_delivery.attempts == 1
    assert "template broken" in one_delivery.last_error


def test_socket_errors_are_retried_like_smtp_errors(one_delivery, monkeypatch):
    def unreachable(delivery):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(sending, "build_email", unreachable)
    assert tasks.send_delivery.apply(args=[one_delivery.pk]).get() == "retry"
    one_delivery.refresh_from_db()
    assert one_delivery.status == Delivery.Status.PENDING
    assert one_delivery.available_at > timezone.now()


def test_a_stray_early_message_does_not_cut_the_backoff_short(one_delivery, refusing_smtp):
    refusing_smtp.refusals = 1
    assert tasks.send_delivery.apply(args=[one_delivery.pk]).get() == "retry"
    assert tasks.send_delivery.apply(args=[one_delivery.pk]).get() == "skipped"
    assert refusing_smtp.calls == 1


# --- the relay --------------------------------------------------------------------------------------------------


def test_relay_publishes_due_rows_once_and_marks_them(one_delivery):
    published = []
    first = relay.relay_outbox(publish=lambda task, pk: published.append((task, pk)))
    second = relay.relay_outbox(publish=lambda task, pk: published.append((task, pk)))
    assert first.published == published == [("notifications.send_delivery", one_delivery.pk)]
    assert second.published == []
    one_delivery.refresh_from_db()
    assert one_delivery.published_at is not None
    assert one_delivery.status == Delivery.Status.PENDING  # the task has not run yet


def test_rows_whose_publish_fails_stay_due(one_delivery, solution, urbino, referent_urbino):
    workflow.request_adoption(solution=solution, body=urbino, by=referent_urbino)
    calls = []

    def broker_down(task, pk):
        calls.append(pk)
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    result = relay.relay_outbox(publish=broker_down)
    assert result.published == []
    assert len(result.unpublished) == 2
    assert len(calls) == 1  # the first failure stops the batch: no waiting on every row
    assert Delivery.objects.due(timezone.now()).count() == 2
    assert run_outbox().count == 2
    assert len(mail.outbox) == 2


def test_a_published_message_that_got_lost_is_published_again_after_the_lease(one_delivery, settings, start):
    settings.NOTIFICATION_REPUBLISH_AFTER_SECONDS = 600
    with time_machine.travel(start, tick=False) as clock:
        assert relay.relay_outbox(publish=lambda task, pk: None).count == 1  # the broker loses it
        clock.move_to(start + dt.timedelta(seconds=599))
        assert run_outbox().count == 0
        clock.move_to(start + dt.timedelta(seconds=600))
        assert run_outbox().count == 1
    assert len(mail.outbox) == 1


def test_relay_command_makes_one_pass(one_delivery, monkeypatch):
    from django.core.management import call_command

    published = []
    monkeypatch.setattr(relay, "publish_task", lambda task, pk: published.append((task, pk)))
    call_command("relay_outbox")
    assert published == [("notifications.send_delivery", one_delivery.pk)]


# --- the e-mail itself ----------------------------------------------------------------------------------------


def test_email_has_prefix_text_html_and_a_link_to_the_page(one_delivery, settings):
    settings.SITE_URL = "https://riuso.cstpu.example"
    run_outbox()
    (message,) = mail.outbox
    assert message.subject == "[Catalogo del riuso] Fano chiede di adottare la soluzione «Tributi»"
    assert message.to == ["redazione.pesaro@cstpu.test"]
    assert "Ci serve entro marzo" in message.body
    url = "https://riuso.cstpu.example" + one_delivery.notification.url
    assert url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{url}"' in html
    assert "Gentile" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_email_of_an_english_speaking_recipient_is_in_english(one_delivery, settings):
    from django.core.management import call_command

    call_command("compile_translations")
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # a changed setting makes Django read the catalogues again
    recipient = one_delivery.notification.recipient
    recipient.language = "en"
    recipient.save()
    run_outbox()
    (message,) = mail.outbox
    assert message.subject == "[Catalogo del riuso] Fano asks to adopt the solution “Tributi”"
    assert "Dear" in message.body
    assert "Open the page:" in message.body
    assert 'lang="en"' in message.alternatives[0][0]


def test_inactive_recipient_is_not_mailed(one_delivery):
    recipient = one_delivery.notification.recipient
    recipient.is_active = False
    recipient.save()
    run_outbox()
    one_delivery.refresh_from_db()
    assert one_delivery.status == Delivery.Status.FAILED
    assert mail.outbox == []


def test_transient_errors_cover_smtp_and_sockets():
    assert issubclass(smtplib.SMTPRecipientsRefused, sending.TRANSIENT_ERRORS)
    assert issubclass(TimeoutError, sending.TRANSIENT_ERRORS)
