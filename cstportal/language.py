"""The language switch: a plain link that stores the visitor's choice in the language cookie and goes back.

Why not Django's `set_language`: it takes a POST, so every page would carry a CSRF token for the switch in its
header, and a page cached for every anonymous visitor must carry no per-visitor secret. The language is a display
preference, not state that CSRF protects: the worst a forged link can do is show a page in the other language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _local_path(target: str) -> str:
    """`target` if it is a path of this site (no scheme, no host), otherwise the home page."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=set()):
        return target
    return "/"


@require_safe
@never_cache
def switch_language(request: HttpRequest, language: str) -> HttpResponseRedirect:
    if language not in dict(settings.LANGUAGES):
        raise Http404
    response = HttpResponseRedirect(_local_path(request.GET.get("next", "")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
