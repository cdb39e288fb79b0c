"""The shared cache (Redis, `CACHE_URL`) as an accelerator the portal can lose without failing.

Why this exists: everything the portal keeps in the cache can be recomputed (API throttling counters, the anonymous
page cache, the dashboard figures), yet Django's RedisCache raises on every call once Redis stops answering, after
waiting for the socket timeout. The API throttles did not expect that, so a Redis outage answered 500 to every API
request; and a request makes several cache calls (two throttles, the page-cache version, an invalidation for each
saved row and again after the commit), so even the callers that caught the error waited one timeout per call: with
Redis frozen an HTML action took seconds.

`ResilientRedisCache` is Django's RedisCache with every public operation behind a circuit breaker that all threads
of the process share:

- closed (normal): calls reach Redis. A connection error or a timeout opens the circuit;
- open, for `settings.CACHE_RETRY_SECONDS` (30 by default): no call reaches Redis and the cache answers as an empty
  cache that forgets whatever it is given, exactly as Django's DummyCache does: `get` → the default, `get_many` →
  `{}`, `has_key`, `touch` and `delete` → False, `add` → True (the key was absent), `set`, `set_many` and
  `delete_many` do nothing, `incr`/`decr` raise ValueError as for any missing key. So throttling fails open, and
  pages and figures are computed from the database;
- after that, one call tries Redis again: success closes the circuit, an error opens it for as long again.

A request thus waits at most one socket timeout in all, and each process at most one every CACHE_RETRY_SECONDS. The
warning is logged at most once a minute. A command Redis refuses while reachable (out of memory, read-only replica)
fails open for that call only, without opening the circuit; a refused write deletes its key instead.

A frozen Redis keeps its data, so a write lost during the outage (an invalidation of the page cache or of the
figures) would leave an old value in place once Redis answers again. The keys of lost writes are therefore deleted
as soon as the circuit closes; past `MAX_LOST_WRITES` keys the rest simply expire with their lifetime.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")

OPEN_SECONDS = 30.0
WARNING_INTERVAL_SECONDS = 60.0
MAX_LOST_WRITES = 10_000
HEALTH_KEY = "healthz:probe"

# Hits (ARGV[2] of them) of a counter whose first hit opens its window (`ResilientRedisCache.count_hit`): the hits so
# far and the milliseconds left. A key without an expiry (its first hit) gets the window's.
COUNT_HIT_SCRIPT = """
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {hits, left}
"""

# Redis cannot be reached: open the circuit. (redis-py wraps socket errors, OSError is kept for safety.)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CircuitBreaker:
    """Whether calls to one remote service may go out now, shared by every thread of the process.

    `allow()` is asked before a call, `succeeded()` or `failed()` told after it. While open, `allow()` refuses until
    `open_seconds` have passed since the last failure, then lets exactly one caller through to try again.
    """

    def __init__(self, name: str, *, open_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.open_seconds = open_seconds
        self.clock = clock
        self.last_error = ""
        self._lock = threading.Lock()
        self._retry_at: float | None = None  # None: closed
        self._last_warning = -math.inf

    @property
    def is_open(self) -> bool:
        return self._retry_at is not None

    def seconds_to_retry(self) -> float:
        retry_at = self._retry_at
        return 0.0 if retry_at is None else max(0.0, retry_at - self.clock())

    def allow(self) -> bool:
        with self._lock:
            if self._retry_at is None:
                return True
            now = self.clock()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.open_seconds  # this caller tries; the others keep going without
            return True

    def succeeded(self) -> bool:
        """Record a call that worked; True when it closed an open circuit."""
        with self._lock:
            if self._retry_at is None:
                return False
            self._retry_at = None
        logger.info("%s answers again", self.name)
        return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            now = self.clock()
            self._retry_at = now + self.open_seconds
            self.last_error = error.__class__.__name__
            warn = now - self._last_warning >= WARNING_INTERVAL_SECONDS
            if warn:
                self._last_warning = now
        if warn:
            logger.warning(
                "%s unreachable (%s: %s): going on without it, next try in %.0f s",
                self.name, self.last_error, error, self.open_seconds,
            )

    def reset(self) -> None:
        with self._lock:
            self._retry_at = None
            self._last_warning = -math.inf
            self.last_error = ""


class LostWrites:
    """Keys whose write could not reach the cache, to delete once it answers again."""

    def __init__(self, limit: int = MAX_LOST_WRITES) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._keys: set[tuple[Any, Any]] = set()
        self.overflowed = False

    def add(self, keys: Iterable[tuple[Any, Any]]) -> None:
        with self._lock:
            for key in keys:
                if len(self._keys) >= self.limit:
                    self.overflowed = True
                    return
                self._keys.add(key)

    def take(self) -> dict[Any, list[Any]]:
        """The recorded keys grouped by cache version, forgetting them."""
        with self._lock:
            keys, self._keys = self._keys, set()
        by_version: dict[Any, list[Any]] = {}
        for key, version in keys:
            by_version.setdefault(version, []).append(key)
        return by_version


_last_refusal_warning = -math.inf
_registry_lock = threading.Lock()
_breakers: dict[str, CircuitBreaker] = {}
_lost_writes: dict[str, LostWrites] = {}


def circuit_breaker(name: str, *, open_seconds: float = OPEN_SECONDS) -> CircuitBreaker:
    """The process-wide breaker called `name` (created on first use)."""
    with _registry_lock:
        breaker = _breakers.get(name)
        if breaker is None:
            breaker = _breakers[name] = CircuitBreaker(name, open_seconds=open_seconds)
        return breaker


def reset_circuit_breakers() -> None:
    """Close every breaker and forget lost writes (tests, and a process that wants a fresh start)."""
    with _registry_lock:
        for breaker in _breakers.values():
            breaker.reset()
        for lost in _lost_writes.values():
            lost.take()


def _lost_writes_for(name: str) -> LostWrites:
    with _registry_lock:
        return _lost_writes.setdefault(name, LostWrites())


def redacted_url(url: str) -> str:
    """The URL as it may appear in a log line: a password in it must not."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _raise_missing(key: Any) -> Callable[[], Any]:
    def missing() -> Any:
        raise ValueError(f"Key '{key}' not found.")

    return missing


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, reusing one `redis.Redis` per connection pool. Django makes a new one for every
    call, and making one (it copies its table of response callbacks) costs more Python than the round trip it then
    serves. A `redis.Redis` is safe to share between threads: it takes a connection from the pool for each
    command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache behind a circuit breaker: see the module docstring."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        # Django makes one backend object per thread; the breaker is per server, shared by all of them.
        servers = re.split("[;,]", server) if isinstance(server, str) else list(server)
        name = "cache " + ",".join(redacted_url(url) for url in servers)
        self.breaker = circuit_breaker(name, open_seconds=float(getattr(settings, "CACHE_RETRY_SECONDS", OPEN_SECONDS)))
        self.lost_writes = _lost_writes_for(name)
        self._count_script: Any = None

    def _guarded(
        self, operation: Callable[[], T], fallback: Callable[[], T], *, writes: Iterable[tuple[Any, Any]] = ()
    ) -> T:
        if not self.breaker.allow():
            self.lost_writes.add(writes)
            return fallback()
        try:
            if self.breaker.is_open:  # this call tries Redis again: first remove what the outage left stale
                self._delete_lost_writes()
            result = operation()
        except UNREACHABLE as exc:
            self.breaker.failed(exc)
            self.lost_writes.add(writes)
            return fallback()
        except RedisError as exc:  # reachable, but the command was refused (e.g. out of memory)
            self._refused(exc, writes)
            return fallback()
        self.breaker.succeeded()
        return result

    def _refused(self, exc: RedisError, writes: Iterable[tuple[Any, Any]]) -> None:
        """A write Redis refused deletes its key instead (a delete is allowed even out of memory): no old value
        stays behind."""
        global _last_refusal_warning
        now = time.monotonic()
        if now - _last_refusal_warning >= WARNING_INTERVAL_SECONDS:
            _last_refusal_warning = now
            logger.warning("cache command refused (%s): %s", exc.__class__.__name__, exc)
        by_version: dict[Any, list[Any]] = {}
        for key, version in writes:
            by_version.setdefault(version, []).append(key)
        with contextlib.suppress(RedisError, OSError):
            for version, keys in by_version.items():
                RedisCache.delete_many(self, keys, version=version)

    def _delete_lost_writes(self) -> None:
        """Delete the keys whose writes were lost; raises (and keeps them) when Redis does not answer."""
        if self.lost_writes.overflowed:
            self.lost_writes.overflowed = False
            logger.warning("more than %s cache writes were lost: some entries stay stale until they expire",
                           self.lost_writes.limit)
        lost = self.lost_writes.take()
        try:
            for version, keys in lost.items():
                RedisCache.delete_many(self, keys, version=version)
        except RedisError:
            self.lost_writes.add((key, version) for version, keys in lost.items() for key in keys)
            raise

    # --- Django's cache API ------------------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: RedisCache.add(self, key, value, timeout, version), lambda: True,
                             writes=[(key, version)])

    def get(self, key, default=None, version=None):
        return self._guarded(lambda: RedisCache.get(self, key, default, version), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(lambda: RedisCache.set(self, key, value, timeout, version), lambda: None,
                      writes=[(key, version)])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: RedisCache.touch(self, key, timeout, version), lambda: False,
                             writes=[(key, version)])

    def delete(self, key, version=None):
        return self._guarded(lambda: RedisCache.delete(self, key, version), lambda: False, writes=[(key, version)])

    def get_many(self, keys, version=None):
        return self._guarded(lambda: RedisCache.get_many(self, keys, version), dict)

    def has_key(self, key, version=None):
        return self._guarded(lambda: RedisCache.has_key(self, key, version), lambda: False)

    def incr(self, key, delta=1, version=None):
        return self._guarded(lambda: RedisCache.incr(self, key, delta, version), _raise_missing(key),
                             writes=[(key, version)])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: RedisCache.set_many(self, data, timeout, version), list,
                             writes=[(key, version) for key in data])

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._guarded(lambda: RedisCache.delete_many(self, keys, version), lambda: None,
                      writes=[(key, version) for key in keys])

    def clear(self):
        return self._guarded(lambda: RedisCache.clear(self), lambda: False)

    # --- counters ----------------------------------------------------------------------------------------------

    def count_hit(self, key: Any, period: int, version: Any = None, amount: int = 1) -> tuple[int, float] | None:
        """Count `amount` hits under `key`, whose first hit opens a window of `period` seconds: (hits in the window,
        seconds left in it), in one round trip and atomically (a script: INCRBY, and the expiry when the key has
        none). None when Redis cannot count (unreachable or refusing): the caller lets the request through. Nothing
        to undo after an outage: a lost hit is simply not counted."""
        full_key = self.make_and_validate_key(key, version=version)

        def operation() -> tuple[int, float]:
            client = self._cache.get_client(full_key, write=True)
            if self._count_script is None:
                self._count_script = client.register_script(COUNT_HIT_SCRIPT)
            hits, left_ms = self._count_script(keys=[full_key], args=[int(period * 1000), int(amount)], client=client)
            return int(hits), int(left_ms) / 1000

        return self._guarded(operation, lambda: None)

    # --- health ------------------------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Reachability for /healthz, as the requests of this process see it: while the circuit is open its last
        answer (no network call), otherwise one round trip through the breaker."""

        def round_trip() -> bool:
            RedisCache.has_key(self, HEALTH_KEY)
            return True

        started = time.monotonic()
        if self._guarded(round_trip, lambda: False):
            return {"ok": True, "kind": "redis", "ms": round((time.monotonic() - started) * 1000, 1)}
        if not self.breaker.is_open:  # reachable, but it refused the command
            return {"ok": False, "kind": "redis", "error": "refused"}
        return {"ok": False, "kind": "redis", "error": self.breaker.last_error,
                "retry_in": round(self.breaker.seconds_to_retry(), 1)}
