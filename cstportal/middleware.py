"""Cross-cutting request middleware.

StaffIdleTimeoutMiddleware: an unattended browser logged in as CST staff can moderate publications, act on any
adoption and manage people, so a staff session ends after `STAFF_SESSION_IDLE_SECONDS` without a request (the
session's absolute age, `SESSION_COOKIE_AGE`, still applies to everybody). Other people keep the normal session.
The idle clock starts at login (`stamp_staff_login`, on the `user_logged_in` signal), not at the first request after
it: a browser left alone right after logging in is logged out on time too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from municipalities import permissions as people

LAST_SEEN_KEY = "_staff_last_seen"


def stamp_staff_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Receiver of `user_logged_in`: logging in is the staff member's first activity of the session."""
    session = getattr(request, "session", None)
    if session is not None and people.is_cst_admin(user):
        session[LAST_SEEN_KEY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    """Log staff out after `STAFF_SESSION_IDLE_SECONDS` of inactivity.

    The time of the last request (or of the login) is kept in the session. It is rewritten at most once per
    `granularity` seconds (a tenth of the limit, at most a minute), so that a busy member of staff does not cause a
    session write on every request; the session can therefore end up to `granularity` seconds before the full idle time.
    Requests to paths listed in `STAFF_IDLE_IGNORED_PATHS` (background polling) do not count as activity.
    Must come after the authentication and message middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.check(request)
        return self.get_response(request)

    def check(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if not people.is_cst_admin(user):
            return
        limit = int(getattr(settings, "STAFF_SESSION_IDLE_SECONDS", 0) or 0)
        if limit <= 0:
            return
        now = time.time()
        last_seen = request.session.get(LAST_SEEN_KEY)
        if isinstance(last_seen, int | float) and now - last_seen > limit:
            logout(request)  # flushes the session and rotates the CSRF token
            messages.info(request, _("La sessione è scaduta per inattività: accedi di nuovo."))
            return
        ignored = tuple(getattr(settings, "STAFF_IDLE_IGNORED_PATHS", ()))
        if ignored and request.path.startswith(ignored):
            return
        granularity = min(60.0, limit / 10)
        if not isinstance(last_seen, int | float) or now - last_seen >= granularity:
            request.session[LAST_SEEN_KEY] = int(now)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than `MAX_REQUEST_BYTES` with 413, before anything reads it.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded files of any size to disk before a
    form can check them; this cap (and the reverse proxy's `client_max_body_size`) stops that early. Every upload
    the product accepts is far smaller (a publiccode.yml is capped at PUBLICCODE_MAX_BYTES).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(getattr(settings, "MAX_REQUEST_BYTES", 0) or 0)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit and declared > limit:
            return self.too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest, limit: int) -> HttpResponse:
        message = _("La richiesta supera la dimensione massima consentita (%(mb)s MB).") % {"mb": limit // 2**20}
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"type": "client_error", "errors": [{"code": "request_too_large", "detail": message, "attr": None}]},
                status=413,
            )
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
