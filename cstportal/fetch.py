"""The one way the portal reaches a URL that someone else gave it: import by URL, harvesting, webhooks.

A URL typed by a publisher, found in a third party's publiccode.yml or registered for a webhook is untrusted: fetched
naively it lets anyone make the portal's servers call what only they can reach (the CST's private network, the cloud
metadata address, Redis on localhost) and read the answer back — server-side request forgery. Every outbound request
therefore goes through `fetch` (GET, redirects followed) or `send` (POST, no redirects), which:

- accept only http and https, and no user name or password in the URL;
- resolve the host once and refuse it when any of its addresses is private, loopback, link-local, multicast,
  reserved or otherwise not public — unless the host is listed in the `FETCH_ALLOWED_HOSTS` setting (a git server of
  the CST's own network, the test servers);
- connect to the address that was checked, never resolving the name again: a DNS answer that changes between the
  check and the connection (DNS rebinding) cannot move the request elsewhere. HTTPS still verifies the certificate
  against the host name, which is also sent as SNI and in the Host header;
- follow redirects by hand, at most a few, each one a new URL checked from the start;
- bound the time (connecting, and the whole exchange including every redirect, however slowly the server drips) and
  the size (the declared length, and the bytes actually read, counted while streaming). The name lookup itself is
  the system resolver's and waits as long as its own settings allow (resolv.conf: a few seconds).

A refusal or a failure raises a `FetchError`, an `Invalid` of the services' hierarchy (400 in the API, a message on
the page), with a message for the person in Italian; its `transient` says whether trying again later may succeed
(what webhook retries and harvesting schedules need).

urllib3 does the HTTP: it is already pinned, it is what `requests` is built on, and its connection pools take the
address to connect to apart from the name to verify the certificate against (`server_hostname`), which pinning needs.
It reads no proxy from the environment, so no variable can send these requests around the checks.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import Url, parse_url

from .errors import Invalid

DEFAULT_CONNECT_TIMEOUT = 5.0  # seconds to open the connection to one address
DEFAULT_TIMEOUT = 20.0  # seconds for the whole exchange, redirects included
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_SEND_TIMEOUT = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024  # what `send` keeps of an answer: enough to show a receiver's error

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


# --- errors ---------------------------------------------------------------------------------------------------


class FetchError(Invalid):
    """A URL that could not be fetched or sent to. `url` is the address at fault (a redirect's target, when one
    was); `transient` tells whether the same request may succeed later."""

    default_message = _("Non è stato possibile scaricare l'indirizzo indicato.")
    code = "fetch_failed"
    transient = False

    def __init__(self, message: object = None, *, url: str = "", errors: Mapping[str, object] | None = None) -> None:
        super().__init__(message, errors=errors)
        self.url = url


class UrlRefused(FetchError):
    """The URL is not acceptable: another scheme, credentials in it, a host that is not public and not allowed."""

    default_message = _("Questo indirizzo non è ammesso.")
    code = "url_refused"


class FetchTimeout(FetchError):
    default_message = _("Il server non ha risposto in tempo.")
    code = "fetch_timeout"
    transient = True


class Unreachable(FetchError):
    """The name does not resolve, the connection is refused or reset, the answer is not HTTP."""

    default_message = _("Il server non è raggiungibile.")
    code = "fetch_unreachable"
    transient = True


class CertificateRefused(FetchError):
    """The HTTPS certificate is not valid for the host (expired, self-signed, for another name)."""

    default_message = _("Il certificato HTTPS del server non è valido per questo indirizzo.")
    code = "fetch_certificate"


class TooLarge(FetchError):
    default_message = _("Il file è troppo grande.")
    code = "fetch_too_large"


class TooManyRedirects(FetchError):
    default_message = _("L'indirizzo rimanda ad altri indirizzi troppe volte.")
    code = "fetch_redirects"


class BadStatus(FetchError):
    """The server answered with an error status. Server errors and 429 are worth retrying; the rest are not."""

    default_message = _("Il server ha risposto con un errore.")
    code = "fetch_status"

    def __init__(self, message: object = None, *, url: str = "", status: int = 0) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.transient = status >= 500 or status == 429


# --- results --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """What `fetch` read: `url` is the final address (after redirects), `content` the whole body."""

    url: str
    status: int
    content_type: str  # the media type only, lower case, without parameters ("" when not given)
    headers: Mapping[str, str]
    content: bytes


@dataclass(frozen=True)
class Sent:
    """What `send` got back. `body` is at most `max_response_bytes` of the answer; `truncated` says it was cut."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


# --- addresses ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A checked URL: the host name, the addresses it resolved to (once) and what goes in the request line."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name, or the IP address without brackets
    port: int
    request_uri: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def is_public_address(address: str) -> bool:
    """True for an address anyone on the internet can reach: not private, loopback, link-local, multicast, reserved,
    unspecified, shared (carrier-grade NAT), documentation, benchmarking or site-local; an IPv6 address that embeds
    an IPv4 one (mapped, 6to4, Teredo, NAT64) is judged by the IPv4 address inside as well."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast:
        return False
    if ip.is_reserved or ip.is_unspecified:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return True


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def allowed_hosts() -> frozenset[str]:
    """The hosts whose addresses are not checked (`FETCH_ALLOWED_HOSTS`), in lower case, brackets removed."""
    return frozenset(host.strip().strip("[]").lower().rstrip(".") for host in settings.FETCH_ALLOWED_HOSTS if host)


def web_address(address: str) -> str | None:
    """`address` normalised (scheme and host in lower case, no fragment) if its shape is one the portal may fetch
    from — https, or http for a host of `FETCH_ALLOWED_HOSTS`; a host; no user name, password, fragment, space or
    control character — else None. Touches no network: `check_url` resolves and checks the addresses at fetch time."""
    address = address.strip()
    parts = urlsplit(address)
    scheme = parts.scheme.lower()
    try:
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return None
    if (scheme not in ("https", "http") or not host or parts.username is not None or parts.password is not None
            or parts.fragment or any(ord(char) < 33 for char in address)):
        return None
    if scheme == "http" and host not in allowed_hosts():
        return None
    return parts._replace(scheme=scheme, netloc=parts.netloc.lower(), fragment="").geturl()


def check_url(url: str) -> Target:
    """Parse `url`, refuse what is not http(s) or carries credentials, resolve its host once and check every address.
    Returns the target to connect to; raises `UrlRefused` or `Unreachable` (the name does not resolve)."""
    text = url.strip()
    # Control characters could split the request line; a space in the path is percent-encoded by parse_url.
    if not text or any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        raise UrlRefused(_("L'indirizzo non è valido."), url=url)
    try:
        parsed: Url = parse_url(text)
    except (LocationParseError, ValueError):
        raise UrlRefused(_("L'indirizzo non è valido."), url=url)
    scheme = (parsed.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise UrlRefused(_("Sono ammessi solo indirizzi http:// e https://."), url=url)
    if parsed.auth:
        raise UrlRefused(_("L'indirizzo non può contenere nome utente e password."), url=url)
    host = (parsed.host or "").strip("[]").lower().rstrip(".")
    if not host:
        raise UrlRefused(_("L'indirizzo non indica un server."), url=url)
    port = parsed.port or (443 if scheme == "https" else 80)
    addresses = resolve(host, port, url=url)
    return Target(
        url=parsed.url, scheme=scheme, host=host, port=port, request_uri=parsed.request_uri, addresses=addresses
    )


def resolve(host: str, port: int, *, url: str = "") -> tuple[str, ...]:
    """The addresses of `host`, looked up once. Unless the host is allowed, every address must be public: a name
    with one private address among public ones is refused, whichever the connection would have used."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Unreachable(_("Il nome del server non esiste o non si riesce a risolverlo."), url=url)
    addresses = tuple(dict.fromkeys(str(answer[4][0]) for answer in answers if answer[0] in _FAMILIES))
    if not addresses:
        raise Unreachable(_("Il nome del server non esiste o non si riesce a risolverlo."), url=url)
    if host not in allowed_hosts() and not all(is_public_address(address) for address in addresses):
        raise UrlRefused(
            _("L'indirizzo porta a una rete privata o locale, che il portale non contatta."),
            url=url,
        )
    return addresses


_FAMILIES = (socket.AF_INET, socket.AF_INET6)


# --- the exchange ---------------------------------------------------------------------------------------------


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """The system's trusted authorities, hostname checking on; built once per process (loading them takes time)."""
    return ssl.create_default_context()


def _user_agent() -> str:
    return f"CST-Portal/1.0 (+{settings.SITE_URL})"


class _Clock:
    """The deadline of one exchange; every wait is cut to what is left of it."""

    def __init__(self, total: float) -> None:
        self.deadline = time.monotonic() + total

    def left(self, url: str) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(url=url)
        return remaining


@contextmanager
def _exchange(
    target: Target,
    *,
    method: str,
    body: bytes | None,
    headers: Mapping[str, str],
    clock: _Clock,
    connect_timeout: float,
    tls: ssl.SSLContext | None,
) -> Iterator[urllib3.BaseHTTPResponse]:
    """Send the request to the first of the checked addresses that accepts a connection and yield the response,
    its body unread; the connection is closed on leaving. The host name serves only for the certificate, SNI and
    the Host header (which the caller's headers cannot replace)."""
    request_headers = {"User-Agent": _user_agent(), "Accept-Encoding": "identity", **headers}
    request_headers["Host"] = target.host_header
    last_error: FetchError = Unreachable(url=target.url)
    for address in target.addresses:
        remaining = clock.left(target.url)
        timeout = urllib3.Timeout(connect=min(connect_timeout, remaining), read=remaining)
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                target.port,
                timeout=timeout,
                retries=False,
                maxsize=1,
                ssl_context=tls or _default_tls(),
                server_hostname=target.host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
        with pool:
            try:
                response = pool.urlopen(
                    method,
                    target.request_uri,
                    body=body,
                    headers=request_headers,
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    assert_same_host=False,
                )
            except NewConnectionError:  # a subclass of ConnectTimeoutError in urllib3 2: caught first
                last_error = Unreachable(_("Il server rifiuta la connessione."), url=target.url)
                continue
            except ConnectTimeoutError:
                last_error = FetchTimeout(url=target.url)
                continue
            except SSLError:
                raise CertificateRefused(url=target.url)
            except ReadTimeoutError:
                raise FetchTimeout(url=target.url)
            except (ProtocolError, HTTPError, OSError):
                raise Unreachable(
                    _("Il server ha interrotto la connessione o non ha risposto in HTTP."), url=target.url
                )
            try:
                yield response
            finally:
                response.close()  # closes the connection too: nothing is kept for another request
            return
    raise last_error


def _read(
    response: urllib3.BaseHTTPResponse, *, limit: int, clock: _Clock, url: str, truncate: bool
) -> tuple[bytes, bool]:
    """Read the body, at most `limit` bytes, before the deadline. Beyond the limit: TooLarge, or (with `truncate`)
    the first `limit` bytes and True. Each socket wait is cut to the time left, so a server sending one byte a
    second cannot hold the request past the deadline."""
    declared = response.headers.get("Content-Length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise TooLarge(_too_large_message(limit), url=url)
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            _cut_socket_wait(response, clock.left(url))
            chunk = response.read1(_CHUNK)
            if not chunk:
                return b"".join(parts), False
            size += len(chunk)
            if size > limit:
                if truncate:
                    parts.append(chunk[: len(chunk) - (size - limit)])
                    return b"".join(parts), True
                raise TooLarge(_too_large_message(limit), url=url)
            parts.append(chunk)
    except (ReadTimeoutError, TimeoutError):
        raise FetchTimeout(url=url)
    except (ProtocolError, HTTPError, OSError):
        raise Unreachable(_("Il server ha interrotto la connessione durante la risposta."), url=url)


def _cut_socket_wait(response: urllib3.BaseHTTPResponse, seconds: float) -> None:
    connection = response.connection
    sock = getattr(connection, "sock", None)
    if sock is not None:
        sock.settimeout(seconds)


def _too_large_message(limit: int) -> str:
    return str(_("Il file supera il limite di %(size)s.") % {"size": _size(limit)})


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.0f} MB"
    return f"{count / 1024:.0f} KB"


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


# --- the two entry points -------------------------------------------------------------------------------------


def fetch(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    accept: str = "*/*",
    tls: ssl.SSLContext | None = None,
) -> Fetched:
    """GET `url` under the rules of this module and return the whole body.

    `timeout` bounds the whole exchange, redirects included; `max_bytes` the body. Redirects (301, 302, 303, 307,
    308) are followed up to `max_redirects`, each target checked as if it had been given. A final status other than
    2xx raises `BadStatus`. `tls` replaces the system's trusted authorities (a private CA). Raises `FetchError`."""
    clock = _Clock(timeout)
    current = url
    for _hop in range(max_redirects + 1):
        target = check_url(current)
        with _exchange(
            target,
            method="GET",
            body=None,
            headers={"Accept": accept},
            clock=clock,
            connect_timeout=connect_timeout,
            tls=tls,
        ) as response:
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location", "")
                if not location:
                    raise BadStatus(
                        _("Il server rimanda a un altro indirizzo senza indicarlo."), url=current, status=status
                    )
                current = _join(target.url, location)
                continue
            if not 200 <= status < 300:
                raise BadStatus(
                    _("Il server ha risposto con lo stato HTTP %(status)s.") % {"status": status},
                    url=current,
                    status=status,
                )
            content, _cut = _read(response, limit=max_bytes, clock=clock, url=current, truncate=False)
            headers = dict(response.headers.items())
            return Fetched(
                url=target.url, status=status, content_type=_media_type(headers), headers=headers, content=content
            )
    raise TooManyRedirects(url=url)


def send(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
    timeout: float = DEFAULT_SEND_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    tls: ssl.SSLContext | None = None,
) -> Sent:
    """Send `body` to `url` (a webhook delivery) under the same address rules, and return the answer whatever its
    status, its body cut to `max_response_bytes`.

    Redirects are not followed: a receiver that moved answers 3xx, which the caller records as a failed delivery
    (repeating a POST elsewhere is not something to do on a third party's word). Raises `FetchError` when the URL
    is refused or the exchange fails (`transient` tells whether to retry)."""
    clock = _Clock(timeout)
    target = check_url(url)
    with _exchange(
        target,
        method=method.upper(),
        body=body,
        headers=dict(headers or {}),
        clock=clock,
        connect_timeout=connect_timeout,
        tls=tls,
    ) as response:
        content, truncated = _read(response, limit=max_response_bytes, clock=clock, url=target.url, truncate=True)
        return Sent(status=response.status, headers=dict(response.headers.items()), body=content, truncated=truncated)


def _join(base: str, location: str) -> str:
    return urljoin(base, location.strip())
