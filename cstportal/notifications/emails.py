"""The e-mail of a notification, in the recipient's language, as plain text with an HTML alternative.

A kind of notice may have e-mail templates of its own (`notifications/email/<kind>.txt` and `.html`, e.g. the
feedback a visitor sends to CST); every other kind uses the common `notification` pair.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import select_template
from django.utils import translation

from .models import Delivery

SUBJECT_PREFIX = "[Catalogo del riuso]"


def absolute_url(path: str) -> str:
    if not path:
        return settings.SITE_URL + "/"
    if urlsplit(path).scheme:
        return path
    return settings.SITE_URL + (path if path.startswith("/") else "/" + path)


def _message_id(delivery: Delivery) -> str:
    # A stable Message-ID per delivery: should a resend ever happen, mail clients fold it into one message.
    domain = urlsplit(settings.SITE_URL).hostname or "cstpu.localhost"
    return f"<notification.{delivery.pk}.{re.sub(r'[^A-Za-z0-9.-]', '-', delivery.key)}@{domain}>"


def _templates(kind: str, extension: str) -> list[str]:
    return [f"notifications/email/{kind}.{extension}", f"notifications/email/notification.{extension}"]


def build_email(delivery: Delivery) -> EmailMultiAlternatives:
    """Render the delivery's notification for its recipient, in their language (Italian by default, and always for a
    bare address). Replies go to the notification's `reply_to` when it has one."""
    notification = delivery.notification
    recipient = notification.recipient
    language = getattr(recipient, "language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        text = notification.text
        context = {
            "notification": notification,
            "recipient": recipient,
            "text": text,
            "note": notification.note,
            "params": notification.params,
            "url": absolute_url(notification.url),
            "home_url": settings.SITE_URL + "/",
            "language": language,
        }
        subject = f"{SUBJECT_PREFIX} {text}"
        body = select_template(_templates(notification.kind, "txt")).render(context)
        html = select_template(_templates(notification.kind, "html")).render(context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:250],
        body=body,
        to=[notification.recipient_email],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers={
            "Message-ID": _message_id(delivery),
            "Auto-Submitted": "auto-generated",
            "X-Portal-Delivery": delivery.key,
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message
