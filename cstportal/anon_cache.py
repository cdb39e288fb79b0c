"""A per-URL page cache for anonymous visitors, invalidated when the data it shows changes.

What "cached" means here:
- only GET/HEAD requests from anonymous visitors with no pending flash message, and only 200 responses of a view
  decorated with `@cache_anonymous(...)`, are stored; logged-in people always get a freshly rendered page;
- the key is the namespace's current *version*, the page language, whether it is an htmx request, and the full path
  with its query string (a query string longer than `MAX_QUERY_LENGTH` is never cached);
- the namespace is a version namespace of cstportal.versioned_cache: the app that owns the data declares which
  changes bump it (`bump_on_change`, catalog/caching.py for the catalogue), which makes all its pages stale at once;
  pages also go stale after `settings.ANON_CACHE_SECONDS` (0 turns the cache off), which bounds how old a page can be
  when a change bypasses model signals (a queryset `update()`);
- a stale page is rendered again by ONE request; while it does (at most RENDER_LOCK_SECONDS), the other anonymous
  visitors of that URL get the stale page (`X-Anon-Cache: stale`) rather than all running the same queries at once;
- the middleware stack runs on a hit as on a miss (sessions, CSRF, security headers, CSP): only the view is skipped;
- a stored page holds nothing of its visitor: a page whose rendering asked for a CSRF token (a form that posts, the
  htmx header of logged-in pages) is served but never stored, so cached pages must offer nothing that needs one
  (the language switch is a plain link: cstportal/language.py);
- the cache is an accelerator: when it is unreachable, pages are rendered as if it were empty.

Two levels: the shared Django cache (Redis in production, CACHE_URL) holds the namespace versions and the pages, so
that a page rendered by one process serves every process and machine; each process also keeps the pages it served
last in its own memory (`ANON_CACHE_LOCAL_ENTRIES`) and accepts a namespace's version read up to
`ANON_CACHE_VERSION_CHECK_SECONDS` ago. A hit therefore usually costs no network round trip at all; the price is
that an invalidation made elsewhere reaches a process up to that many seconds later (at once in the process that
made it). With the default local-memory cache and no Redis, each process only sees its own invalidations and the
others follow within ANON_CACHE_SECONDS.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from . import versioned_cache

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 1000
RENDER_LOCK_SECONDS = 30  # the longest a stale page stands in for one being rendered again
MAX_CONTENT_LENGTH = 1024 * 1024
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "Last-Modified", "ETag")


class LocalCopies:
    """This process's own copy of the values it served last (the pages here; the API's kept answers too), at most
    `ANON_CACHE_LOCAL_ENTRIES` of them, the least recently used forgotten first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        limit = int(getattr(settings, "ANON_CACHE_LOCAL_ENTRIES", 128) or 0)
        with self.lock:
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > limit:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


_local = LocalCopies()


_all_local: list[LocalCopies] = []


def local_copies() -> LocalCopies:
    """A store of this process's own copies for another kind of value, forgotten by `clear_local()` too."""
    store = LocalCopies()
    _all_local.append(store)
    return store


def clear_local() -> None:
    """Forget this process's copies (tests; the shared cache is cleared with the cache itself)."""
    _local.clear()
    for store in _all_local:
        store.clear()
    versioned_cache.forget_local_versions()


def _version(namespace: str) -> str:
    interval = float(getattr(settings, "ANON_CACHE_VERSION_CHECK_SECONDS", 1.0))
    return versioned_cache.version(namespace, max_age=interval)


def _timeout() -> int:
    return int(getattr(settings, "ANON_CACHE_SECONDS", 300) or 0)


def bypassed(request: HttpRequest) -> bool:
    """Whether the request asks every kept answer to be passed by (settings.ANON_CACHE_BYPASS_HEADER: the
    benchmark's instrumented requests, so that they measure the view; empty, so never, in production)."""
    bypass = settings.ANON_CACHE_BYPASS_HEADER
    return bool(bypass) and request.headers.get(bypass) == "bypass"


def is_cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or _timeout() <= 0:
        return False
    if bypassed(request):
        return False
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH or "messages" in request.COOKIES:
        return False
    if "HTTP_AUTHORIZATION" in request.META:  # a token client is somebody, whatever its cookies say
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:  # only then can the visitor be logged in
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return False
    return True


def _key(namespace: str, request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    htmx = "h" if request.headers.get("HX-Request") == "true" else "p"
    path = hashlib.sha256(request.get_full_path().encode("utf-8", "surrogateescape")).hexdigest()
    return f"anon:{namespace}:{language}:{htmx}:{path}"


def _lookup(key: str, version: str) -> dict[str, Any] | None:
    """The stored page for `key`, preferring this process's copy when it is of the current version."""
    entry = _local.get(key)
    if entry is None or entry["version"] != version:
        shared = cache.get(key)
        if shared is not None:
            _local.put(key, shared)
            entry = shared
    return entry


def _entry_for(request: HttpRequest, response: HttpResponse, version: str) -> dict[str, Any] | None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return None
    content = response.content
    if len(content) > MAX_CONTENT_LENGTH:
        return None
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        # The page holds this visitor's CSRF token (django.middleware.csrf.get_token marks the request so that
        # the cookie is sent): storing it would hand the token to every other visitor.
        logger.warning("page cache: %s used a CSRF token and is not stored", request.path)
        return None
    headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
    return {"content": content, "headers": headers, "version": version, "expires": time.time() + _timeout()}


def _response_from(entry: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    return response


def cache_anonymous(namespace: str) -> Callable:
    """Decorate a view whose page is the same for every anonymous visitor of the same URL and language.

    `namespace` names the data the page shows: a version namespace of cstportal.versioned_cache, bumped by the
    changes its app declares with `versioned_cache.bump_on_change`. The page must not ask for a CSRF token.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_cacheable_request(request):
                return view(request, *args, **kwargs)
            try:
                version = _version(namespace)
                key = _key(namespace, request)
                entry = _lookup(key, version)
            except Exception:
                logger.warning("page cache unavailable: rendering %s", request.path, exc_info=True)
                return view(request, *args, **kwargs)
            now = time.time()
            if entry is not None and entry["version"] == version and entry["expires"] > now:
                response = _response_from(entry)
                response["X-Anon-Cache"] = "hit"
                return response
            # A change (or age) made the page stale. One request renders it again; while it does, the others get
            # the stale page instead of all querying the database for the same page at once.
            lock = f"{key}:{version}:rendering"
            rendering = False
            try:
                rendering = bool(cache.add(lock, 1, RENDER_LOCK_SECONDS))
            except Exception:
                logger.warning("page cache unavailable: rendering %s", request.path, exc_info=True)
            if entry is not None and not rendering:
                response = _response_from(entry)
                response["X-Anon-Cache"] = "stale"
                return response
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                entry = _entry_for(request, response, version)
                if entry is not None:
                    _local.put(key, entry)
                    try:
                        # Kept twice as long as it is fresh, so that a stale copy can stand in while it is redone.
                        cache.set(key, entry, 2 * _timeout())
                    except Exception:
                        logger.warning("page cache unavailable: %s not stored", request.path, exc_info=True)
                    response["X-Anon-Cache"] = "miss"
                return response
            finally:
                if rendering:
                    with contextlib.suppress(Exception):
                        cache.delete(lock)

        return wrapper

    return decorator
