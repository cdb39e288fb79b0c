"""The portal's own few state changes that belong to no domain app.

`submit_feedback`: a visitor's message to CST staff. It is not sent during the request: it is written to the
notifications outbox in the request's transaction, like every other e-mail, so a mail server that is down or
refusing delays it (the workers retry it) but never loses it, and a message that cannot be delivered at all shows
up on the deliveries page for CST staff instead of vanishing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from cstportal.notifications.models import Notification
from cstportal.notifications.services import record_notification_to_address

FEEDBACK_KIND = "feedback"
FEEDBACK_MESSAGE = gettext_noop("Segnalazione da %(name)s")


@transaction.atomic
def submit_feedback(*, name: str, email: str, message: str, page: str = "") -> Notification:
    """Queue a visitor's message for the feedback mailbox (settings.FEEDBACK_EMAIL), replies going to `email`.

    Preconditions (FeedbackForm checks them): `name`, `email` and `page` are single lines without control
    characters, `email` is a valid address or empty. Each call is a new message, with its own delivery.
    """
    return record_notification_to_address(
        address=settings.FEEDBACK_EMAIL,
        kind=FEEDBACK_KIND,
        event_key=f"feedback:{uuid.uuid4().hex}",
        message=FEEDBACK_MESSAGE,
        params={"name": name, "email": email, "page": page, "message": message},
        reply_to=email,
    )
