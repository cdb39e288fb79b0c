"""Weak ETags for the solution list and detail, computed from a cheap fingerprint of what the response shows.

The fingerprint is read with one aggregate query (list) or comes with the row itself (detail), before any
serialisation, so answering 304 costs less than building the page.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Count, Max, QuerySet, Subquery
from django.utils.translation import get_language

from catalog.models import Adoption, VitalityDay
from municipalities import permissions as people

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
