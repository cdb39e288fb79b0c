"""A worker that sends e-mail slowly, so that a test can kill it while it sends (DJANGO_SETTINGS_MODULE of that
worker: this module). E-mail still lands in files, as with the portal's default settings."""

from __future__ import annotations

import os
import time

from django.core.mail.backends.filebased import EmailBackend

from cstportal.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.reliability.slow_mail.SlowFileBackend"


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "60")))
        return super().send_messages(email_messages)
