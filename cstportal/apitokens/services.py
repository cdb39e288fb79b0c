"""Issuing, checking and revoking personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import ApiToken

KEY_PREFIX = "cstpu_"
# "cstpu_" + 8 hex characters: stored in clear, unique, used to find the row before comparing digests.
PREFIX_LENGTH = len(KEY_PREFIX) + 8
# Recording every use would turn every API read into a write: once a minute is enough to tell a token is in use.
TOUCH_INTERVAL = dt.timedelta(minutes=1)
MAX_DAYS = 3650


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the only moment the key exists outside the client: shown once, never stored


def digest_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = f"{KEY_PREFIX}{secrets.token_hex(4)}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_api_token(*, user: Any, name: str, days: int | None = None) -> IssuedToken:
    """Issue a token for `user`, valid for `days` days (None: until revoked). Returns the key, which is not stored."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    prefix, key = _new_key()
    while ApiToken.objects.filter(prefix=prefix).exists():  # 32 random bits: a clash is rare, never fatal
        prefix, key = _new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=prefix,
        key_digest=digest_key(key),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def revoke_api_token(token: ApiToken) -> ApiToken:
    """Revoke the token for good (idempotent: a revoked token keeps its first revocation time)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def find_usable_token(key: str) -> ApiToken | None:
    """The usable token whose key is `key` (with its user), or None. One query."""
    if not key.startswith(KEY_PREFIX) or len(key) <= PREFIX_LENGTH or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH]).first()
    if token is None or not hmac.compare_digest(token.key_digest, digest_key(key)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    return token


def record_token_use(token: ApiToken) -> None:
    """Note that the token was used, at most once per TOUCH_INTERVAL."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
