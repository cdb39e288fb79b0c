"""Throttling of the API: anonymous clients by IP address, authenticated ones by user.

The client address is REMOTE_ADDR unless settings.PROXY_COUNT says how many trusted proxies stand in front (then
DRF's NUM_PROXIES picks the right X-Forwarded-For entry): a forged X-Forwarded-For cannot buy a fresh quota.
Rates are read at request time so that settings overrides (tests, deployments) take effect without a restart.

A rate "N/period" is counted in fixed windows: a client's first request opens a window of one period, and the
window admits N requests; the next request after it opens a new one. So at most N requests are answered in any
window, and at most 2N in any span of one period (the end of a window and the start of the next). The counter is
one Redis key per client, created with its expiry and incremented in the same round trip (`count_hit`): a request
costs one round trip to Redis, where DRF's sliding window costs a read and a write of the whole list of the
client's recent requests. Each throttle minds only its own clients: the user throttle never touches the cache for
an anonymous request, the anonymous one never for a person.

Like every use of the cache, throttling fails open: with Redis unreachable (cstportal/cache.py) every request is
let through.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.cache import cache
from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


def count_hit(key: str, period: int) -> tuple[int, float | None] | None:
    """Count one request in the window of `key` (opened for `period` seconds by its first request): the number of
    requests in the window so far and the seconds left in it (None when the cache cannot tell), or None when the
    cache cannot count."""
    counter = getattr(cache, "count_hit", None)
    if counter is not None:  # Redis (cstportal.cache.ResilientRedisCache): one round trip
        return counter(key, period)
    try:  # any other Django cache: two calls, no way to read the time left
        cache.add(key, 0, period)
        return cache.incr(key), None
    except ValueError:  # expired (or never kept) between the two calls: a fresh window
        return None
    except Exception:
        logger.warning("cache unavailable: request not counted for throttling", exc_info=True)
        return None


def parse_rate(rate: str) -> tuple[int, int]:
    """Requests and period in seconds of a rate in DRF's notation: "60/minute" is (60, 60)."""
    num, period = rate.split("/")
    return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


class FixedWindowThrottle(throttling.BaseThrottle):
    """N requests per window of one period, per client (`ident`); see the module docstring."""

    scope = ""

    def __init__(self) -> None:
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = parse_rate(self.rate) if self.rate else (0, 0)
        self.seconds_left: float | None = None

    def client(self, request: Any) -> str | None:
        """Who is counted, or None when this throttle does not apply to the request."""
        raise NotImplementedError

    def get_ident(self, request: Any) -> str:
        """DRF's client address (`BaseThrottle.get_ident`), read from META: `request.headers` would build the
        whole header map for one header."""
        xff = request.META.get("HTTP_X_FORWARDED_FOR")
        remote_addr = request.META.get("REMOTE_ADDR")
        num_proxies = api_settings.NUM_PROXIES
        if num_proxies is not None:
            if num_proxies == 0 or xff is None:
                return remote_addr
            addrs = xff.split(",")
            return addrs[-min(num_proxies, len(addrs))].strip()
        return "".join(xff.split()) if xff else remote_addr

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        ident = self.client(request)
        if ident is None:
            return True
        counted = count_hit(f"throttle:{self.scope}:{ident}", self.duration)
        if counted is None:
            return True
        hits, self.seconds_left = counted
        return hits <= self.num_requests

    def wait(self) -> float:
        if self.seconds_left is None or self.seconds_left <= 0:
            return float(self.duration)
        return float(math.ceil(self.seconds_left))


def _is_authenticated(request: Any) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class AnonymousThrottle(FixedWindowThrottle):
    """Anonymous clients, by address. Also called before DRF's dispatch on a plain Django request (the kept answers
    of catalog/api/views.py), hence no use of the view."""

    scope = "anon"

    def client(self, request: Any) -> str | None:
        return None if _is_authenticated(request) else self.get_ident(request)


class UserThrottle(FixedWindowThrottle):
    """People, by user; an anonymous request is not counted here (the anonymous throttle counts it)."""

    scope = "user"

    def client(self, request: Any) -> str | None:
        return str(request.user.pk) if _is_authenticated(request) else None
