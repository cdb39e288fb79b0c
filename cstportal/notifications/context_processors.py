"""The unread count for the bell in the header: one COUNT query, only on pages that show the bell."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Notification


def _unread_count(request: HttpRequest) -> int:
    cached = getattr(request, "_notifications_unread", None)
    if cached is None:
        cached = Notification.objects.for_user(request.user).unread().count()
        request._notifications_unread = cached
    return cached


def bell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A callable: the template engine calls it only where the count is shown, so pages rendered without the
    # header never run the query; the result is kept on the request for the rest of the page.
    return {"notifications_unread": lambda: _unread_count(request)}
