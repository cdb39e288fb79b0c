"""A source that is the address of a publiccode.yml itself, not of a repository (a file published on a web site).

The address is untrusted: it is fetched through cstportal.fetch (public addresses only unless the host is listed in
FETCH_ALLOWED_HOSTS, the checked address pinned, redirects checked again, time and size bounded), capped at the
size of a publiccode.yml.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cstportal.errors import Invalid
from cstportal.fetch import fetch, web_address

PUBLICCODE_NAMES = ("publiccode.yml", "publiccode.yaml")


class FileSourceRefused(Invalid):
    code = "file_source_refused"
    default_message = _("Indica l'indirizzo https:// completo di un file publiccode.yml, senza nome utente né password.")


def is_publiccode_address(address: str) -> bool:
    """An address whose last segment is a publiccode.yml: a file to fetch, not a repository to clone."""
    path = urlsplit(address.strip()).path
    return path.rsplit("/", 1)[-1].lower() in PUBLICCODE_NAMES


def parse_file_address(address: str) -> str:
    """Check the shape of a publiccode.yml address without touching the network; returns it normalised."""
    normalised = web_address(address)
    if normalised is None:
        raise FileSourceRefused()
    return normalised


def fetch_publiccode(url: str, *, timeout: float) -> bytes:
    """The file at `url`, at most PUBLICCODE_MAX_BYTES. Raises cstportal.fetch.FetchError (an Invalid)."""
    return fetch(url, max_bytes=settings.PUBLICCODE_MAX_BYTES, timeout=timeout).content
