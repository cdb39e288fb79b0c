"""Weak ETags for the solution list and detail, and the anonymous answers kept under them.

What the ETag stands for is the catalogue's state as far as the answer can show it, decided before any query of the
answer itself:
- with a cache shared by every process (`settings.API_ETAG_FROM_VERSION`), the version of the catalogue's pages
  (catalog/caching.py: every change a solution, its releases, adoptions or owner can show bumps it, at once and
  again after the commit), so a 304 reads no table at all;
- otherwise, or while the cache cannot tell its version, a fingerprint of the data: one aggregate over the filtered
  list, or the row itself for the detail.

Anonymous answers (the same for every visitor of the same address and language) are kept in the cache under their
ETag for `settings.API_CACHE_SECONDS`: a new version makes a new ETag, so a kept answer is never served after a
change. Only version-based ETags keep answers: a fingerprint is not known before the query it would save.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from catalog.caching import PAGES
from catalog.models import Adoption, VitalityDay
from cstportal import anon_cache, versioned_cache
from cstportal.api.views import with_etag
from municipalities import permissions as people

logger = logging.getLogger(__name__)

# Bump when the shape of the solution JSON changes: old ETags must stop matching.
SHAPE_VERSION = "1"


ANONYMOUS = "anonymous"


def user_scope(user: Any) -> str:
    """Who is asking, as far as the response can differ: visibility and contacts depend on the person."""
    if not people.is_authenticated(user):
        return ANONYMOUS
    roles = sorted((body, sorted(held)) for body, held in people.roles_by_body(user).items())
    return f"user:{user.pk}:{user.global_role}:{int(user.is_superuser)}:{roles}"


def make_etag(*parts: Any) -> str:
    raw = "|".join(str(p) for p in (SHAPE_VERSION, get_language(), *parts))
    return f'W/"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"'


# The version-based tags this process made last: the same few addresses are asked again and again.
_recent_tags: dict[tuple[str, ...], str] = {}
_RECENT_TAGS = 4096


def _version_etag(*parts: str) -> str:
    key = (get_language() or "", *parts)
    tag = _recent_tags.get(key)
    if tag is None:
        if len(_recent_tags) >= _RECENT_TAGS:
            _recent_tags.clear()
        tag = _recent_tags[key] = make_etag(*parts)
    return tag


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def matches(request: Any, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in header.split(","))


def _latest(queryset: QuerySet, field: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


def solution_list_fingerprint(queryset: QuerySet) -> tuple:
    """Count and last change of the solutions in the (filtered) list, plus the last change of any adoption (each
    item carries used_by_count) and the last vitality computed (each item carries its vitality, which a harvest
    updates without touching `updated_at`). One query.

    The catalogue services stamp `updated_at` on every change a list item shows: fields, categories and tags,
    publication status and new releases (current release). Renaming an owner body is not covered: it is rare,
    and clients get the new name with the next change of the solution.
    """
    stamp = queryset.order_by().aggregate(
        n=Count("pk", distinct=True),
        changed=Max("updated_at"),
        adoptions_changed=Max(_latest(Adoption.objects.all(), "status_changed_at")),
        vitality_changed=Max(_latest(VitalityDay.objects.all(), "computed_at")),
    )
    return tuple(sorted(stamp.items()))


_kept = anon_cache.local_copies()

# The headers of a kept answer besides those every answer with an ETag carries (cstportal.api.views.conditional).
_KEPT_HEADERS = ("Content-Type", "Allow")
# The Accept headers DRF answers with JSON as `application/json` (the one renderer of the API; no Accept is */*):
# the requests the kept answers may be served to before DRF's dispatch.
_PLAIN_ACCEPT = frozenset({"", "*/*", "application/json"})
JSON = "application/json"


def catalogue_version(request: Any) -> str | None:
    """The catalogue's change version when ETags may rest on it, else None (the caller fingerprints the data).

    For anonymous visitors the version this process read less than `ANON_CACHE_VERSION_CHECK_SECONDS` ago will do,
    as for the pages: a change reaches them within that second. People who are logged in get it read now, so that
    the person who made a change sees it at once whichever process answers."""
    if not settings.API_ETAG_FROM_VERSION:
        return None
    if not people.is_authenticated(request.user):
        return _anonymous_version()
    return versioned_cache.current_version(PAGES)


def _anonymous_version() -> str | None:
    recent = versioned_cache.recent_version(PAGES, max_age=settings.ANON_CACHE_VERSION_CHECK_SECONDS)
    return recent if recent is not None else versioned_cache.current_version(PAGES)


def list_etag(scope: str, query: str, state: tuple) -> str:
    """The list's ETag: `state` is ("version", the catalogue's version) or the data's fingerprint."""
    if len(state) == 2 and state[0] == "version":
        return _version_etag("solutions", scope, query, str(state))
    return make_etag("solutions", scope, query, state)


def detail_etag(scope: str, slug: str, version: str) -> str:
    return _version_etag("solution", scope, slug, "version", version)


def canonical_query(query: Any) -> str:
    """The query string as a key: every parameter, sorted (a QueryDict: `request.GET` or DRF's `query_params`)."""
    return urlencode(sorted((k, v) for k, values in query.lists() for v in values))


def _answer_key(request: Any, tag: str, media_type: str) -> str:
    # The address as the client wrote it (its absolute URLs in the answer come from it); a spelling of the host
    # that reads the same to Django is only another key. An answer is kept after DRF answered 200 for the very
    # same, so a host Django refuses never has one.
    meta = request.META
    address = "|".join((
        media_type, request.scheme, meta.get("HTTP_X_FORWARDED_HOST", ""), meta.get("HTTP_HOST", ""),
        meta.get("SERVER_NAME", ""), str(meta.get("SERVER_PORT", "")), request.path, meta.get("QUERY_STRING", ""),
    ))
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"api:kept:{_opaque(tag)}:{digest}"


# The key of the kept answer answer_before_dispatch found missing for this request (read again by kept_answer).
_MISSED = "_api_kept_missed"


def _keeps(request: Any) -> bool:
    return bool(settings.API_CACHE_SECONDS) and not people.is_authenticated(request.user)


def _kept_entry(request: Any, key: str) -> dict[str, Any] | None:
    if anon_cache.bypassed(request):
        return None
    local = _kept.get(key)
    if local is not None and local["expires"] > time.time():
        return local
    try:
        entry = cache.get(key)
    except Exception:
        logger.warning("cache unavailable: answering %s from the database", request.path, exc_info=True)
        return None
    if entry is not None:
        _kept.put(key, {**entry, "expires": time.time() + settings.API_CACHE_SECONDS})
    return entry


def _response_from(entry: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    return response


def kept_answer(request: Any, tag: str) -> HttpResponse | None:
    """The anonymous answer kept under `tag` for this address and media type (a DRF request), or None."""
    if not _keeps(request):
        return None
    key = _answer_key(request, tag, request.accepted_media_type)
    if getattr(request, _MISSED, None) == key:
        return None  # answer_before_dispatch looked for this very key a moment ago: no second round trip
    entry = _kept_entry(request, key)
    return None if entry is None else _response_from(entry)


def keep_answer(request: Any, tag: str, response: Any, *, from_version: bool) -> None:
    """Keep an anonymous answer (a DRF Response, once rendered) under its version-based ETag: its bytes and
    headers, so that serving it again renders nothing (never raises)."""
    if not from_version or not _keeps(request):
        return
    key = _answer_key(request, tag, request.accepted_media_type)

    def keep(rendered: HttpResponse) -> None:
        if rendered.status_code != 200:
            return
        headers = [(name, rendered[name]) for name in _KEPT_HEADERS if rendered.has_header(name)]
        entry = {"content": rendered.content, "headers": headers}
        _kept.put(key, {**entry, "expires": time.time() + settings.API_CACHE_SECONDS})
        try:
            cache.set(key, entry, settings.API_CACHE_SECONDS)
        except Exception:
            logger.warning("cache unavailable: answer to %s not kept", request.path, exc_info=True)

    response.add_post_render_callback(keep)


def _plain_anonymous_get(request: HttpRequest) -> bool:
    """A GET that DRF would answer as anonymous, in JSON as `application/json`: no credentials of any kind."""
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if request.META.get("HTTP_ACCEPT", "") not in _PLAIN_ACCEPT:
        return False
    # Without a session cookie nobody is logged in: no need to read the session to know it.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.user.is_authenticated


def answer_before_dispatch(
    request: HttpRequest, kwargs: dict[str, Any], etag_for: Callable[[HttpRequest, dict[str, Any], str], str],
    throttles: Iterable[type],
) -> HttpResponse | None:
    """The kept answer to an anonymous GET, or its 304, without DRF's dispatch; None to let DRF answer.

    Only an answer kept for this very address, language and version is served (a 304 included): that answer was
    DRF's own, so the parameters were checked then. The request is counted by the throttles as DRF would count it;
    one that refuses it hands the request to DRF, which answers the 429 (counting it again: past the limit, which
    changes nothing). `etag_for(request, kwargs, version)` is the anonymous ETag of the address (the URL's
    `kwargs`) at a catalogue version."""
    if not (settings.API_ETAG_FROM_VERSION and settings.API_CACHE_SECONDS) or not _plain_anonymous_get(request):
        return None
    try:
        version = _anonymous_version()
    except Exception:
        return None
    if not version:
        return None
    tag = etag_for(request, kwargs, version)
    key = _answer_key(request, tag, JSON)
    entry = _kept_entry(request, key)
    if entry is None:
        setattr(request, _MISSED, key)
        return None
    for throttle in throttles:
        if not throttle().allow_request(request, None):
            return None
    if matches(request, tag):
        response = HttpResponse(status=304)
        del response["Content-Type"]
        for name, value in entry["headers"]:
            if name != "Content-Type":
                response[name] = value
    else:
        response = _response_from(entry)
    return with_etag(response, tag, anonymous=True)
