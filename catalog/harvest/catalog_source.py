"""Reading another catalogue as a source: an endpoint shaped like the national Software Catalog API's `software`
list (another CST's portal at /api/v1/software/, or an export of the national catalogue).

`read_catalog(endpoint, since=...)` walks the list page by page and yields one `CatalogEntry` per software: its id,
repository URL, publiccode.yml text and `updatedAt`. The walk follows `links.next` as the national API writes it
(`?page[after]=<cursor>`, a query string relative to the endpoint) and keeps the page size and the filter of the
first request on every page, because the national API's links carry the cursor alone.

`since` is sent as `from`. On a CST portal that is "changed since" (catalog/api/software.py), and its pages come in
order of `updatedAt`, so the largest `updatedAt` read is a safe `since` for the next walk. The national API's `from`
bounds the creation time instead: there `since` finds the software created since, and changes need a full walk.
Whatever the server does with `from`, entries older than `since` are not yielded, so that a server that ignores it
(a static export) gives the same answer. Software marked `"active": false` (the national API's `all=true`) is
skipped: a catalogue that withdrew it does not offer it for reuse.

What the source sends is untrusted: each page is bounded in time and size, the walk in pages, and an entry that
is not what the schema promises stops the walk with an error rather than being guessed at. Errors are
`CatalogSourceError`s with a message for the person in Italian and a `transient` flag (a server that did not
answer may answer later; a malformed page will not mend itself).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cstportal.errors import Invalid
from cstportal.fetch import BadStatus, FetchError, FetchTimeout, TooLarge, fetch, web_address

PAGE_TIMEOUT_SECONDS = 60.0  # a whole page, however slowly the server sends it
CONNECT_TIMEOUT_SECONDS = 10.0  # each wait on the network
# A page of 100 entries whose publiccode.yml are at the national API's limit (99,999 characters each), as JSON.
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_PAGES = 10_000
PAGE_SIZE = 100  # the most both APIs give


class CatalogEntry(NamedTuple):
    id: str
    url: str
    publiccode_yml: str
    updated_at: dt.datetime
    aliases: tuple[str, ...] = ()
    active: bool = True


class CatalogSourceError(Invalid):
    """The catalogue could not be read. `transient`: trying again later may succeed."""

    default_message = _("Lettura del catalogo non riuscita.")
    code = "catalog_source_failed"

    def __init__(self, message: object = None, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


# --- the one function that reaches the network ----------------------------------------------------------------


def fetch_page(url: str, *, timeout: float = PAGE_TIMEOUT_SECONDS, max_bytes: int = MAX_PAGE_BYTES) -> bytes:
    """GET `url` and return its body: at most `max_bytes`, within `timeout` seconds in all, under the portal's
    outbound rules (cstportal.fetch: http(s) only, no credentials, public addresses or FETCH_ALLOWED_HOSTS, each
    redirect checked as the first, address pinned after the check). Raises CatalogSourceError, with `transient`
    as the outbound module says."""
    try:
        return fetch(
            url,
            max_bytes=max_bytes,
            timeout=timeout,
            connect_timeout=min(timeout, CONNECT_TIMEOUT_SECONDS),
            accept="application/json",
        ).content
    except BadStatus as error:
        raise CatalogSourceError(
            _("Il catalogo ha risposto con lo stato HTTP %(status)s.") % {"status": error.status},
            transient=error.transient,
        ) from error
    except TooLarge as error:
        raise _too_large(max_bytes) from error
    except FetchTimeout as error:
        raise CatalogSourceError(
            _("Il catalogo non ha inviato la pagina entro %(seconds)s secondi.") % {"seconds": int(timeout)},
            transient=True,
        ) from error
    except FetchError as error:
        raise CatalogSourceError(error.message, transient=error.transient) from error


def _too_large(limit: int) -> CatalogSourceError:
    return CatalogSourceError(
        _("Una pagina del catalogo supera la dimensione massima di %(limit)s.") % {"limit": filesizeformat(limit)}
    )


class CatalogAddressRefused(Invalid):
    code = "catalog_address_refused"
    default_message = _(
        "Indica l'indirizzo https:// completo dell'elenco software di un catalogo, senza nome utente né password."
    )


def parse_catalog_address(address: str) -> str:
    """Check the shape of a catalogue's address without touching the network (http only for a host listed in
    FETCH_ALLOWED_HOSTS); returns it normalised. Raises CatalogAddressRefused."""
    normalised = web_address(address)
    if normalised is None:
        raise CatalogAddressRefused()
    return normalised


# --- the walk -------------------------------------------------------------------------------------------------


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode(params, safe="[]"), fragment=""))


def _next_url(endpoint: str, base: dict[str, str], link: str) -> str:
    """The page `link` names, read against the endpoint: a query string as the national API writes it, a path or a
    whole address on the same server. The page size and the filter of the first request stay unless the link
    sets them."""
    target = urlsplit(urljoin(endpoint, link))
    if (target.scheme, target.netloc) != urlsplit(endpoint)[:2]:
        raise CatalogSourceError(_("Il catalogo rimanda a un altro server."))
    return _with_query(urlunsplit(target), {**base, **dict(parse_qsl(target.query, keep_blank_values=True))})


def _malformed(detail: str) -> CatalogSourceError:
    return CatalogSourceError(_("La risposta del catalogo non ha la forma attesa (%(detail)s).") % {"detail": detail})


def _entry(item: Any, *, include_inactive: bool = False) -> CatalogEntry | None:
    """One item of `data` as an entry; None when it is inactive (unless `include_inactive`). Raises
    CatalogSourceError on a malformed item."""
    if not isinstance(item, dict):
        raise _malformed("data")
    for name in ("id", "url", "publiccodeYml", "updatedAt"):
        if not isinstance(item.get(name), str) or not item[name]:
            raise _malformed(name)
    active = item.get("active", True)
    if not isinstance(active, bool):
        raise _malformed("active")
    if not active and not include_inactive:
        return None
    aliases = [] if item.get("aliases") is None else item["aliases"]
    if not isinstance(aliases, list) or not all(isinstance(alias, str) and alias for alias in aliases):
        raise _malformed("aliases")
    try:
        updated_at = dt.datetime.fromisoformat(item["updatedAt"])
    except ValueError:
        raise _malformed("updatedAt")
    if updated_at.tzinfo is None:
        raise _malformed("updatedAt")
    return CatalogEntry(
        id=item["id"],
        url=item["url"],
        publiccode_yml=item["publiccodeYml"],
        updated_at=updated_at,
        aliases=tuple(aliases),
        active=active,
    )


def read_catalog(
    endpoint: str,
    *,
    since: dt.datetime | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
    include_inactive: bool = False,
) -> Iterator[CatalogEntry]:
    """Yield every active software of the `software` list at `endpoint` (e.g. https://portale.example/api/v1/software/),
    changed at or after `since` when given (an aware datetime); with `include_inactive`, the software marked
    inactive too (`active` False), so that the harvest can withdraw what it imported. Pages are read as they are consumed. Raises
    CatalogSourceError: an unreachable or refused address, a page that is not the list's JSON, a walk longer than
    `max_pages` or one that comes back to a page it read."""
    base = {**dict(parse_qsl(urlsplit(endpoint).query)), "page[size]": str(page_size)}
    if since is not None:
        base["from"] = _rfc3339(since)
    url = _with_query(endpoint, base)
    seen: set[str] = set()
    for _page in range(max_pages):
        if url in seen:
            raise CatalogSourceError(_("Il catalogo ripropone una pagina già letta."))
        seen.add(url)
        try:
            page = json.loads(fetch_page(url))
        except (ValueError, RecursionError):
            raise _malformed("JSON")
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise _malformed("data")
        links = {} if page.get("links") is None else page["links"]
        if not isinstance(links, dict):
            raise _malformed("links")
        for item in page["data"]:
            entry = _entry(item, include_inactive=include_inactive)
            if entry is not None and (since is None or entry.updated_at >= since):
                yield entry
        link = links.get("next")
        if link is None or not page["data"]:
            return
        if not isinstance(link, str):
            raise _malformed("links.next")
        url = _next_url(endpoint, base, link)
    raise CatalogSourceError(
        _("Il catalogo ha più di %(pages)s pagine: la lettura si ferma qui.") % {"pages": max_pages}
    )
