"""Running the outbox inside a test: the relay hands ids straight to the tasks, with no broker in between."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from cstportal.celery import app
from cstportal.notifications import relay


def run_task_inline(task: str, row_id: int) -> None:
    app.loader.import_default_modules()  # every app's tasks, as a worker has them at start
    app.tasks[task].apply(args=[row_id])


def run_outbox() -> relay.RelayResult:
    """One relay pass whose "broker" runs each task at once, in this process."""
    return relay.relay_outbox(publish=run_task_inline)


class RefusingSMTPBackend(BaseEmailBackend):
    """An SMTP server that refuses the next `refusals` messages (class-level, set by the test), then accepts them
    into django.core.mail.outbox."""

    refusals = 0
    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).refusals > 0:
            type(self).refusals -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return LocmemBackend().send_messages(email_messages)


def refusing_backend_path() -> str:
    return f"{__name__}.RefusingSMTPBackend"
