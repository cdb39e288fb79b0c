"""Throttling of the API: anonymous clients by IP address, authenticated ones by user.

The client address is REMOTE_ADDR unless settings.PROXY_COUNT says how many trusted proxies stand in front (then
DRF's NUM_PROXIES picks the right X-Forwarded-For entry): a forged X-Forwarded-For cannot buy a fresh quota.
Rates are read at request time so that settings overrides (tests, deployments) take effect without a restart.

A rate "N/period" is counted in fixed windows: a client's first request opens a window of one period, and the
window admits N requests; the next request after it opens a new one. So at most N requests are answered in any
window, and at most 2N in any span of one period (the end of a window and the start of the next). The counter is
one Redis key per client, created with its expiry and incremented in the same round trip (`count_hit`), where DRF's
sliding window costs a read and a write of the whole list of the client's recent requests. Each throttle minds only
its own clients: the user throttle never touches the cache for an anonymous request, the anonymous one never for a
person.

A process takes a client's requests from the window's quota in **leases** (`lease_size`: a tenth of N, at most
MAX_LEASE): one round trip adds the whole lease to the counter, and the process answers the lease's next requests
of that client in that window without asking Redis again. A client whose requests all reach one process gets
exactly N, as with a round trip each; one whose requests spread over P processes may be refused up to
(P − 1) × (lease − 1) requests early (the leases other processes took and did not use), never answered more than
N. A kept answer or a 304 (catalog/api/etag.py) then costs no round trip at all for most requests of a busy
client. With a cache other than Redis (the demo's, the tests' local memory) every request is counted on its own.

Like every use of the cache, throttling fails open: with Redis unreachable (cstportal/cache.py) every request is
let through.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from typing import Any

from django.core.cache import cache
from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

MAX_LEASE = 10  # requests of one client a process answers before counting again, at most
MAX_KEPT_LEASES = 10_000  # clients with a lease kept in a process, at most (the oldest out first)
_leases: OrderedDict[tuple[str, str], list[float]] = OrderedDict()  # (key, rate) -> [window's end, requests left]
_leases_lock = threading.Lock()


def lease_size(num_requests: int) -> int:
    """The requests of one client a process takes from a window's quota of `num_requests` in one round trip."""
    return max(1, min(MAX_LEASE, num_requests // 10))


def forget_leases() -> None:
    """Forget the leases this process holds, as a fresh process would (tests that empty the cache)."""
    with _leases_lock:
        _leases.clear()


def _take_leased(key: tuple[str, str]) -> bool:
    """One request answered from a lease this process holds for `key`, if one is left in a window not over."""
    with _leases_lock:
        lease = _leases.get(key)
        if lease is None:
            return False
        if lease[0] <= time.monotonic() or lease[1] <= 0:
            del _leases[key]
            return False
        lease[1] -= 1
        return True


def _keep_lease(key: tuple[str, str], ends: float, left: int) -> None:
    """Keep `left` requests of a lease until `ends` (monotonic). Two threads of a process that each took a lease of
    the same window add them up: both were counted in Redis, neither is lost."""
    with _leases_lock:
        lease = _leases.get(key)
        if lease is not None and lease[0] > time.monotonic():
            lease[0], lease[1] = min(lease[0], ends), lease[1] + left
        else:
            _leases[key] = [ends, left]
        _leases.move_to_end(key)
        while len(_leases) > MAX_KEPT_LEASES:
            _leases.popitem(last=False)


def count_hit(key: str, period: int, amount: int = 1) -> tuple[int, float | None] | None:
    """Count `amount` requests in the window of `key` (opened for `period` seconds by its first request): the number
    of requests in the window so far and the seconds left in it (None when the cache cannot tell), or None when the
    cache cannot count."""
    counter = getattr(cache, "count_hit", None)
    if counter is not None:  # Redis (cstportal.cache.ResilientRedisCache): one round trip
        return counter(key, period, amount=amount)
    try:  # any other Django cache: two calls, no way to read the time left
        cache.add(key, 0, period)
        return cache.incr(key, amount), None
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
        key = f"throttle:{self.scope}:{ident}"
        if _take_leased((key, self.rate)):
            return True
        # A lease only where the window's end is known (Redis): elsewhere every request is counted on its own.
        lease = lease_size(self.num_requests) if hasattr(cache, "count_hit") else 1
        asked = time.monotonic()  # the lease ends no later than the window Redis measured from here
        counted = count_hit(key, self.duration, lease)
        if counted is None:
            return True
        hits, self.seconds_left = counted
        granted = min(lease, self.num_requests - (hits - lease))  # what was left of the quota, up to the lease
        if granted <= 0:
            return False
        if granted > 1 and self.seconds_left:
            _keep_lease((key, self.rate), asked + self.seconds_left, granted - 1)
        return True

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
