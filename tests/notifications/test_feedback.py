"""The feedback page: a visitor's message to CST goes through the outbox like every other e-mail. Nothing is sent
during the request; the workers deliver it once, retry it when the mail server refuses, and a message that cannot
be delivered is shown to CST staff. Input that cannot go into a header is refused, field by field."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cstportal.notifications import tasks
from cstportal.notifications.models import Delivery, Notification
from cstportal.notifications.services import record_notification_to_address
from cstportal.services import submit_feedback

from .helpers import RefusingSMTPBackend, refusing_backend_path, run_outbox

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/segnalazioni/"
MAILBOX = "segnalazioni@cstpu.example"  # nobody of the portal has it
MESSAGE = {
    "name": "Maria Rossi",
    "email": "maria@example.org",
    "page": "/catalogo/tributi/",
    "message": "Manca il filtro per categoria.\nGrazie!",
}


@pytest.fixture(autouse=True)
def feedback_mailbox(settings):
    settings.FEEDBACK_EMAIL = MAILBOX


@pytest.fixture
def smtp(settings):
    """The mail server; `refusals` makes it refuse the next messages, `calls` counts every attempt."""
    settings.EMAIL_BACKEND = refusing_backend_path()
    RefusingSMTPBackend.refusals = 0
    RefusingSMTPBackend.calls = 0
    yield RefusingSMTPBackend
    RefusingSMTPBackend.refusals = 0


def _nothing_stored() -> bool:
    return not Notification.objects.exists() and not Delivery.objects.exists()


# --- what cannot go into a header is a form error ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Maria\nRossi",
        "Maria\rRossi",
        "Maria\r\nBcc: x@example.org",
        "Maria\tRossi",
        "Maria\x0bRossi",
        "Maria\u2028Rossi",
        "Maria\x85Rossi",
    ],
)
def test_a_line_break_or_control_character_in_the_name_is_a_form_error(client, smtp, name):
    response = client.post(PAGE, {**MESSAGE, "name": name})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_name_error"' in body
    assert "senza a capo né caratteri di controllo" in body
    assert 'id="id_email_error"' not in body
    assert _nothing_stored()
    assert smtp.calls == 0


@pytest.mark.parametrize("email", ["non-una-mail", "maria@example.org\nBcc: x@example.org", '"ma\x01ria"@example.org'])
def test_an_address_that_cannot_go_into_a_header_is_a_form_error(client, smtp, email):
    response = client.post(PAGE, {**MESSAGE, "email": email})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_email_error"' in body
    assert 'id="id_name_error"' not in body
    assert _nothing_stored()


def test_each_field_gets_its_own_error(client, smtp):
    response = client.post(PAGE, {**MESSAGE, "name": "Maria\nRossi", "email": "non-una-mail"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in body
    assert 'id="id_email_error"' in body
    assert 'id="id_message_error"' not in body
    assert "Maria" in body  # what the visitor wrote is kept in the form
    assert _nothing_stored()


# --- stored in the request, sent by the workers ---------------------------------------------------------------


def test_a_valid_message_is_stored_as_one_delivery_and_not_sent_during_the_request(client, smtp):
    response = client.post(PAGE, MESSAGE)
    assert response.status_code == 200
    assert "la segnalazione è stata inviata al CST" in response.content.decode()
    assert smtp.calls == 0
    assert mail.outbox == []
    delivery = Delivery.objects.select_related("notification").get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.due_at is not None
    notification = delivery.notification
    assert (notification.recipient, notification.address, notification.reply_to) == (None, MAILBOX, MESSAGE["email"])
    assert notification.text == "Segnalazione da Maria Rossi"


def test_the_relay_and_the_send_task_deliver_it_once(client, smtp):
    client.post(PAGE, {**MESSAGE, "message": "Il grafico <script>alert(1)</script> non si vede."})
    assert run_outbox().count == 1
    assert run_outbox().count == 0
    delivery = Delivery.objects.get()
    assert tasks.send_delivery.apply(args=[delivery.pk]).get() == "skipped"  # the broker repeating itself
    assert smtp.calls == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [MAILBOX]
    assert email.reply_to == [MESSAGE["email"]]
    assert email.subject == "[Catalogo del riuso] Segnalazione da Maria Rossi"
    assert "Il grafico <script>alert(1)</script> non si vede." in email.body
    assert "maria@example.org" in email.body and "/catalogo/tributi/" in email.body
    html = email.alternatives[0][0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


def test_without_a_reply_address_the_email_has_no_reply_to(smtp):
    submit_feedback(name="Maria Rossi", email="", message="Manca un filtro.")
    run_outbox()
    assert mail.outbox[0].reply_to == []


def test_nobody_sees_the_message_under_the_bell(client, smtp, cst_admin):
    client.post(PAGE, MESSAGE)
    assert not Notification.objects.for_user(cst_admin).exists()


def test_a_refusing_mail_server_means_retries_then_a_failure_shown_to_cst(client, smtp, settings, cst_admin):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_MAX_RETRIES = 2
    smtp.refusals = 1000
    client.post(PAGE, MESSAGE)
    delivery = Delivery.objects.get()
    start = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(10):
            run_outbox()
            delivery.refresh_from_db()
            if delivery.due_at is None:
                break
            assert delivery.status == Delivery.Status.PENDING  # waiting for its retry
            clock.move_to(delivery.due_at)
    assert delivery.status == Delivery.Status.FAILED
    assert (delivery.attempts, smtp.calls) == (3, 3)  # the first try and 2 retries
    assert "SMTPServerDisconnected" in delivery.last_error
    assert mail.outbox == []

    client.force_login(cst_admin)
    page = client.get("/notifiche/invii/").content.decode()
    assert MAILBOX in page
    assert "Segnalazione da Maria Rossi" in page
    assert "Non riuscita" in page

    smtp.refusals = 0
    assert client.post(f"/notifiche/invii/{delivery.pk}/riprova/").status_code == 302
    assert run_outbox().count == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [MAILBOX]


# --- the outbox's rows for a bare address -----------------------------------------------------------------------


def test_recording_the_same_event_for_an_address_twice_writes_it_once():
    kwargs = {"address": MAILBOX, "kind": "feedback", "event_key": "feedback:one", "message": "Segnalazione"}
    first = record_notification_to_address(**kwargs)
    second = record_notification_to_address(**kwargs)
    assert first.pk == second.pk
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize("who", ["nobody", "both"])
def test_a_notice_is_for_a_person_or_an_address_never_neither_nor_both(cst_admin, who):
    address = MAILBOX if who == "both" else ""
    recipient = cst_admin if who == "both" else None
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=recipient, address=address, kind="x", event_key="x", message="x")


def test_the_notifications_app_never_imports_catalog():
    for path in (ROOT / "cstportal" / "notifications").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not [name for name in names if name.split(".")[0] == "catalog"], path
