"""Outbound requests (cstportal/fetch.py) against real servers on the loopback: what a URL from a third party may
reach, for how long, how much, and that the address checked is the address contacted.

Name resolution is replaced at `socket.getaddrinfo`, the boundary between the portal and the network, so made-up
names (*.test) can point at the loopback, and change their answer between two look-ups as a rebinding attack does.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
from collections import Counter
from types import SimpleNamespace

import pytest

from cstportal import fetch
from cstportal.errors import Invalid

from . import http_servers as hs


@pytest.fixture
def dns(monkeypatch):
    """Answers for the names in `answers` (a list of answers: the n-th look-up gets the n-th, the last repeats),
    the real resolver for the rest; `asked` counts the look-ups of each made-up name."""
    real = socket.getaddrinfo
    state = SimpleNamespace(answers={}, asked=Counter())

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in state.answers:
            return real(host, port, family, type, proto, flags)
        state.asked[host] += 1
        sequence = state.answers[host]
        addresses = sequence[min(state.asked[host], len(sequence)) - 1]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return state


@pytest.fixture
def allow(settings):
    """Lists hosts in FETCH_ALLOWED_HOSTS for one test: allow("fetch.test")."""
    settings.FETCH_ALLOWED_HOSTS = []

    def add(*hosts: str) -> None:
        settings.FETCH_ALLOWED_HOSTS = [*settings.FETCH_ALLOWED_HOSTS, *hosts]

    return add


@pytest.fixture
def server():
    with hs.running(
        {
            "/ok": hs.body(b"hello"),
            "/host": hs.host_header,
            "/echo": hs.echo,
            "/secret": hs.body(b"internal"),
            "/missing": lambda handler: handler.reply(404, b"no"),
            "/unavailable": lambda handler: handler.reply(503, b"later"),
            "/big": hs.stream(300 * 1024, declare=False),
            "/big-declared": hs.stream(50 * 1024 * 1024, declare=True),
            "/exact": hs.body(b"y" * 1000),
            "/drip": hs.drip(),
            "/silent": hs.silent(),
            "/loop": hs.redirect("/loop"),
            "/hop": hs.redirect("/ok", status=301),
        }
    ) as running:
        yield running


# --- which addresses ------------------------------------------------------------------------------------------


def test_loopback_is_refused_and_never_contacted(server, allow):
    with pytest.raises(fetch.UrlRefused) as refused:
        fetch.fetch(server.url("/ok"))
    assert "rete privata o locale" in refused.value.message
    assert server.seen == []


def test_loopback_is_fetched_when_its_host_is_allowed(server, allow):
    allow("127.0.0.1")
    fetched = fetch.fetch(server.url("/ok"))
    assert (fetched.status, fetched.content, fetched.content_type) == (200, b"hello", "text/plain")


def test_a_name_that_resolves_to_loopback_is_refused_unless_allowed(server, allow, dns):
    dns.answers["intranet.test"] = [["127.0.0.1"]]
    with pytest.raises(fetch.UrlRefused):
        fetch.fetch(server.url("/ok", host="intranet.test"))
    assert server.seen == []
    allow("INTRANET.test")  # compared in lower case
    assert fetch.fetch(server.url("/ok", host="intranet.test")).content == b"hello"


def test_ipv6_loopback_and_link_local_literals_are_refused(allow):
    for url in (
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",
        "http://10.0.0.1:6379/",
    ):
        with pytest.raises(fetch.UrlRefused):
            fetch.fetch(url)


def test_every_address_of_a_name_must_be_public(dns, allow):
    # No connection is attempted: the look-up alone decides.
    dns.answers["mixed.test"] = [["8.8.8.8", "10.1.2.3"]]
    with pytest.raises(fetch.UrlRefused):
        fetch.resolve("mixed.test", 80)
    dns.answers["public.test"] = [["8.8.8.8", "2001:4860:4860::8888"]]
    assert fetch.resolve("public.test", 443) == ("8.8.8.8", "2001:4860:4860::8888")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast
        ("239.255.255.250", False),
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),  # unique local
        ("fec0::1", False),  # site-local
        ("ff02::1", False),  # multicast
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:8.8.8.8", False),  # mapped addresses are refused whatever they map
        ("2002:7f00:1::1", False),  # 6to4 around 127.0.0.1
        ("2002:a00:1::1", False),  # 6to4 around 10.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 around 10.0.0.1
        ("2001:db8::1", False),  # documentation
        ("not-an-address", False),
    ],
)
def test_public_addresses(address, public):
    assert fetch.is_public_address(address) is public


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/", "javascript:alert(1)",
     "data:text/plain,hi", "dict://127.0.0.1:6379/info", "//example.org/x", "example.org/x", "", "http://",
     "http://exa mple.org/", "http://example.org/\r\nHost: x"],
)  # fmt: skip
def test_only_http_and_https_urls_are_accepted(url, dns):
    with pytest.raises(fetch.UrlRefused):
        fetch.fetch(url)
    assert not dns.asked  # refused before any look-up


def test_credentials_in_the_url_are_refused(server, allow):
    allow("127.0.0.1")
    with pytest.raises(fetch.UrlRefused) as refused:
        fetch.fetch(server.url("/ok").replace("http://", "http://user:secret@"))
    assert "nome utente e password" in refused.value.message
    assert server.seen == []


def test_a_name_that_does_not_resolve_is_unreachable(dns):
    dns.answers["nowhere.test"] = [[]]
    with pytest.raises(fetch.Unreachable) as failed:
        fetch.fetch("https://nowhere.test/publiccode.yml")
    assert failed.value.transient


def test_a_closed_port_is_unreachable(allow):
    allow("127.0.0.1")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(fetch.Unreachable):
        fetch.fetch(f"http://127.0.0.1:{port}/")


# --- pinning --------------------------------------------------------------------------------------------------


def test_the_name_is_resolved_once_and_the_connection_goes_to_that_address(dns, allow):
    if not hs.loopback_alias_works("127.0.0.2"):
        pytest.skip("this system does not answer on 127.0.0.2")
    with hs.running({"/who": hs.body(b"first")}) as first, \
         hs.running({"/who": hs.body(b"second")}, host="127.0.0.2", port=first.port) as second:  # fmt: skip
        # Same port on both addresses: only the address the name resolves to tells them apart.
        dns.answers["rebind.test"] = [["127.0.0.1"], ["127.0.0.2"]]
        allow("rebind.test")
        fetched = fetch.fetch(f"http://rebind.test:{first.port}/who")
    assert fetched.content == b"first"
    assert dns.asked["rebind.test"] == 1
    assert second.seen == []


def test_a_rebinding_name_cannot_turn_private_after_the_check(server, dns, allow):
    # The first answer is refused outright; a later, different answer is never asked for.
    dns.answers["rebind.test"] = [["127.0.0.1"], ["8.8.8.8"]]
    with pytest.raises(fetch.UrlRefused):
        fetch.fetch(server.url("/ok", host="rebind.test"))
    assert dns.asked["rebind.test"] == 1
    assert server.seen == []


def test_the_host_header_names_the_host_not_the_address(server, dns, allow):
    dns.answers["fetch.test"] = [["127.0.0.1"]]
    allow("fetch.test")
    fetched = fetch.fetch(server.url("/host", host="fetch.test"))
    assert fetched.content == f"fetch.test:{server.port}".encode()
    assert server.seen[0].headers["User-Agent"].startswith("CST-Portal/")


# --- size and time --------------------------------------------------------------------------------------------


def test_a_body_beyond_the_limit_is_refused_while_streaming(server, allow):
    allow("127.0.0.1")
    with pytest.raises(fetch.TooLarge) as refused:
        fetch.fetch(server.url("/big"), max_bytes=100 * 1024)
    assert "100 KB" in refused.value.message


def test_a_declared_length_beyond_the_limit_is_refused_before_reading(server, allow):
    allow("127.0.0.1")
    started = time.monotonic()
    with pytest.raises(fetch.TooLarge):
        fetch.fetch(server.url("/big-declared"), max_bytes=1024 * 1024)
    assert time.monotonic() - started < 2  # 50 MB were not read


def test_a_compressed_body_is_counted_once_decompressed(allow):
    # 20 MB of zeros are 20 KB once gzipped: the limit applies to what the portal would hold in memory.
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))

    def route(handler):
        handler.reply(200, bomb, "text/plain", Content_Encoding="gzip")

    allow("127.0.0.1")
    with hs.running({"/bomb": route}) as server, pytest.raises(fetch.TooLarge):
        fetch.fetch(server.url("/bomb"), max_bytes=1024 * 1024)


def test_spaces_in_the_path_are_encoded(server, allow):
    allow("127.0.0.1")
    with pytest.raises(fetch.BadStatus):
        fetch.fetch(server.url("/logo del comune.png"))
    assert server.paths() == ["/logo%20del%20comune.png"]


def test_a_body_of_exactly_the_limit_is_read(server, allow):
    allow("127.0.0.1")
    assert len(fetch.fetch(server.url("/exact"), max_bytes=1000).content) == 1000
    with pytest.raises(fetch.TooLarge):
        fetch.fetch(server.url("/exact"), max_bytes=999)


def test_a_server_dripping_bytes_is_cut_at_the_total_timeout(server, allow):
    allow("127.0.0.1")
    started = time.monotonic()
    with pytest.raises(fetch.FetchTimeout) as failed:
        fetch.fetch(server.url("/drip"), timeout=1.0)
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.0, elapsed
    assert failed.value.transient
    assert "in tempo" in failed.value.message


def test_a_server_that_never_answers_times_out(server, allow):
    allow("127.0.0.1")
    started = time.monotonic()
    with pytest.raises(fetch.FetchTimeout):
        fetch.fetch(server.url("/silent"), timeout=0.8)
    assert time.monotonic() - started < 1.8


# --- redirects ------------------------------------------------------------------------------------------------


def test_a_redirect_to_a_loopback_address_is_refused(dns, allow):
    dns.answers["fetch.test"] = [["127.0.0.1"]]
    allow("fetch.test")  # the first host is allowed; where it sends us is not
    with hs.running({"/secret": hs.body(b"internal")}) as internal, \
         hs.running({"/go": hs.redirect(internal.url("/secret"))}) as public, \
         pytest.raises(fetch.UrlRefused) as refused:  # fmt: skip
        fetch.fetch(public.url("/go", host="fetch.test"))
    assert refused.value.url == internal.url("/secret")
    assert public.paths() == ["/go"]
    assert internal.seen == []


@pytest.mark.parametrize(
    "location",
    ["http://169.254.169.254/latest/meta-data/", "http://[::1]:6379/", "file:///etc/passwd", "gopher://x/",
     "http://localhost:5432/", "http://private.test/"],
)  # fmt: skip
def test_a_redirect_is_checked_like_the_first_url(location, dns, allow):
    dns.answers["fetch.test"] = [["127.0.0.1"]]
    dns.answers["private.test"] = [["192.168.0.10"]]
    allow("fetch.test")
    with hs.running({"/go": hs.redirect(location, status=307)}) as public, pytest.raises(fetch.UrlRefused):
        fetch.fetch(public.url("/go", host="fetch.test"))


def test_redirects_are_followed_and_each_hop_resolved_again(server, dns, allow):
    dns.answers["fetch.test"] = [["127.0.0.1"]]
    allow("fetch.test")
    fetched = fetch.fetch(server.url("/hop", host="fetch.test"))
    assert fetched.content == b"hello"
    assert fetched.url == server.url("/ok", host="fetch.test")
    assert dns.asked["fetch.test"] == 2


def test_a_redirect_loop_stops_at_the_limit(server, allow):
    allow("127.0.0.1")
    with pytest.raises(fetch.TooManyRedirects):
        fetch.fetch(server.url("/loop"), max_redirects=3)
    assert server.paths() == ["/loop"] * 4


def test_an_error_status_is_reported_with_its_code(server, allow):
    allow("127.0.0.1")
    with pytest.raises(fetch.BadStatus) as missing:
        fetch.fetch(server.url("/missing"))
    assert (missing.value.status, missing.value.transient) == (404, False)
    assert "404" in missing.value.message
    with pytest.raises(fetch.BadStatus) as unavailable:
        fetch.fetch(server.url("/unavailable"))
    assert (unavailable.value.status, unavailable.value.transient) == (503, True)


def test_a_refusal_is_a_service_error_with_an_italian_message(allow):
    with pytest.raises(Invalid) as refused:
        fetch.fetch("ftp://example.org/publiccode.yml")
    assert refused.value.code == "url_refused"
    assert str(refused.value) == "Sono ammessi solo indirizzi http:// e https://."


# --- HTTPS ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    made = hs.make_certificate(tmp_path_factory.mktemp("tls"), "fetch.test")
    if made is None:
        pytest.skip("the openssl command is not installed")
    return made


def test_https_is_pinned_and_verified_against_the_host_name(certificate, dns, allow):
    dns.answers["fetch.test"] = [["127.0.0.1"]]
    allow("fetch.test")
    with hs.running({"/host": hs.host_header}, tls=certificate.server_context()) as secure:
        fetched = fetch.fetch(secure.url("/host", host="fetch.test"), tls=certificate.client_context())
    assert fetched.content == f"fetch.test:{secure.port}".encode()
    assert dns.asked["fetch.test"] == 1


def test_a_certificate_for_another_name_is_refused(certificate, dns, allow):
    dns.answers["other.test"] = [["127.0.0.1"]]
    allow("other.test")
    with hs.running({"/ok": hs.body(b"hello")}, tls=certificate.server_context()) as secure, \
         pytest.raises(fetch.CertificateRefused) as refused:  # fmt: skip
        fetch.fetch(secure.url("/ok", host="other.test"), tls=certificate.client_context())
    assert not refused.value.transient
    assert secure.seen == []


def test_a_self_signed_certificate_is_refused_by_default(certificate, dns, allow):
    dns.answers["fetch.test"] = [["127.0.0.1"]]
    allow("fetch.test")
    with hs.running({"/ok": hs.body(b"hello")}, tls=certificate.server_context()) as secure, \
         pytest.raises(fetch.CertificateRefused):  # fmt: skip
        fetch.fetch(secure.url("/ok", host="fetch.test"))
    assert secure.seen == []


# --- send (webhooks) ------------------------------------------------------------------------------------------


def test_send_posts_the_body_and_headers_and_returns_the_answer(server, dns, allow):
    dns.answers["hooks.test"] = [["127.0.0.1"]]
    allow("hooks.test")
    sent = fetch.send(
        server.url("/echo", host="hooks.test"),
        body=b'{"event": "adoption.requested"}',
        headers={"Content-Type": "application/json", "X-CST-Signature": "sha256=abc"},
    )
    assert sent.ok and sent.status == 200 and not sent.truncated
    echoed = json.loads(sent.body)
    assert echoed["method"] == "POST"
    assert echoed["body"] == '{"event": "adoption.requested"}'
    assert echoed["headers"]["X-CST-Signature"] == "sha256=abc"
    assert echoed["headers"]["Host"] == f"hooks.test:{server.port}"


def test_send_keeps_only_the_start_of_a_long_answer(server, allow):
    allow("127.0.0.1")
    sent = fetch.send(server.url("/big"), body=b"{}", max_response_bytes=1000)
    assert (sent.status, len(sent.body), sent.truncated) == (200, 1000, True)


def test_send_does_not_follow_redirects(server, allow):
    allow("127.0.0.1")
    sent = fetch.send(server.url("/hop"), body=b"{}")
    assert (sent.status, sent.ok) == (301, False)
    assert server.paths() == ["/hop"]


def test_send_reports_an_error_status_without_raising(server, allow):
    allow("127.0.0.1")
    sent = fetch.send(server.url("/unavailable"), body=b"{}")
    assert (sent.status, sent.body) == (503, b"later")


def test_send_refuses_private_addresses(server, allow):
    with pytest.raises(fetch.UrlRefused):
        fetch.send(server.url("/echo"), body=b"{}")
    assert server.seen == []


def test_send_times_out(server, allow):
    allow("127.0.0.1")
    started = time.monotonic()
    with pytest.raises(fetch.FetchTimeout) as failed:
        fetch.send(server.url("/silent"), body=b"{}", timeout=0.8)
    assert failed.value.transient
    assert time.monotonic() - started < 1.8


def test_the_message_is_in_the_language_of_the_person(allow, settings):
    from django.core.management import call_command
    from django.utils import translation

    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # Django reads the compiled catalogue again
    with translation.override("en"), pytest.raises(fetch.UrlRefused) as refused:
        fetch.fetch("http://10.0.0.1/publiccode.yml")
    assert (
        refused.value.message == "The address leads to a private or local network, which the portal does not contact."
    )
