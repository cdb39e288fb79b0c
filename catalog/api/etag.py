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
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, Subquery
from django.utils.translation import get_language

from catalog.caching import PAGES
from catalog.models import Adoption, VitalityDay
from cstportal import anon_cache, versioned_cache
from municipalities import permissions as people

logger = logging.getLogger(__name__)

# Bump when the shape of the solution JSON changes: old ETags must stop matching.
SHAPE_VERSION = "1"


def user_scope(user: Any) -> str:
    """Who is asking, as far as the response can differ: visibility and contacts depend on the person."""
    if not people.is_authenticated(user):
        return "anonymous"
    roles = sorted((body, sorted(held)) for body, held in people.roles_by_body(user).items())
    return f"user:{user.pk}:{user.global_role}:{int(user.is_superuser)}:{roles}"


def make_etag(*parts: Any) -> str:
    raw = "|".join(str(p) for p in (SHAPE_VERSION, get_language(), *parts))
    return f'W/"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"'


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


def catalogue_version(request: Any) -> str | None:
    """The catalogue's change version when ETags may rest on it, else None (the caller fingerprints the data).

    For anonymous visitors the version this process read less than `ANON_CACHE_VERSION_CHECK_SECONDS` ago will do,
    as for the pages: a change reaches them within that second. People who are logged in get it read now, so that
    the person who made a change sees it at once whichever process answers."""
    if not settings.API_ETAG_FROM_VERSION:
        return None
    if not people.is_authenticated(request.user):
        recent = versioned_cache.recent_version(PAGES, max_age=settings.ANON_CACHE_VERSION_CHECK_SECONDS)
        if recent is not None:
            return recent
    return versioned_cache.current_version(PAGES)


def _answer_key(request: Any, tag: str) -> str | None:
    if not settings.API_CACHE_SECONDS or people.is_authenticated(request.user):
        return None
    address = hashlib.sha256(request.build_absolute_uri().encode("utf-8", "surrogateescape")).hexdigest()
    renderer = getattr(getattr(request, "accepted_renderer", None), "format", "")
    return f"api:answer:{_opaque(tag)}:{renderer}:{address}"


def kept_answer(request: Any, tag: str) -> Any:
    """The data of the anonymous answer kept under `tag` for this address, or None."""
    key = _answer_key(request, tag)
    if key is None:
        return None
    local = _kept.get(key)
    if local is not None and local["expires"] > time.time():
        return local["data"]
    try:
        data = cache.get(key)
    except Exception:
        logger.warning("cache unavailable: answering %s from the database", request.path, exc_info=True)
        return None
    if data is not None:
        _kept.put(key, {"data": data, "expires": time.time() + settings.API_CACHE_SECONDS})
    return data


def keep_answer(request: Any, tag: str, data: Any, *, from_version: bool) -> None:
    """Keep the data of an anonymous answer under its version-based ETag (never raises)."""
    key = _answer_key(request, tag) if from_version else None
    if key is None:
        return
    _kept.put(key, {"data": data, "expires": time.time() + settings.API_CACHE_SECONDS})
    try:
        cache.set(key, data, settings.API_CACHE_SECONDS)
    except Exception:
        logger.warning("cache unavailable: answer to %s not kept", request.path, exc_info=True)
