"""Reading another catalogue through its national-catalogue-shaped `software` list (catalog.harvest.catalog_source).

Against real servers only: another instance of the portal (gunicorn, started from the Procfile line, on its own
SQLite database migrated and seeded with the demo data), and small HTTP servers on 127.0.0.1 answering as a
national-catalogue export or a broken catalogue would. No mock of HTTP.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from catalog.harvest.catalog_source import CatalogSourceError, fetch_page, read_catalog
from catalog.publiccode.parser import parse_publiccode
from tests.reliability import outbox_harness as harness
from tests.services import free_port

ROOT = harness.ROOT
SOFTWARE = "/api/v1/software/"


@pytest.fixture
def allowed(settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]


# --- a catalogue that answers as the test says -----------------------------------------------------------------

Answer = Callable[[BaseHTTPRequestHandler], None]


class Catalogue(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1: each GET is recorded (path and query) and answered by `answer`."""

    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def queries(self) -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(path).query) for path in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: Catalogue

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        self.server.answer(self)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def catalogue(answer: Answer) -> Iterator[Catalogue]:
    server = Catalogue(answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def send(handler: BaseHTTPRequestHandler, body: bytes, *, status: int = 200, length: bool = True,
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def software(n: int, *, updated: str = "2026-03-01T10:00:00Z", **extra) -> dict:
    return {"id": f"id-{n}", "url": f"https://git.example.org/ente/app-{n}", "aliases": [],
            "publiccodeYml": f"publiccodeYmlVersion: '0.4'\nname: App {n}\n", "active": True, "vitality": None,
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": updated, **extra}


def pages_as_the_national_api(pages: list[list[dict]], *, link: str = "?page[after]={n}") -> Answer:
    """Pages linked as the national API links them: the cursor alone, `?page[after]=<n>`."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        index = int(query.get("page[after]", ["0"])[0])
        more = index + 1 < len(pages)
        base = f"http://127.0.0.1:{handler.server.server_address[1]}"
        links = {"prev": None, "next": link.format(n=index + 1, base=base) if more else None}
        send(handler, json.dumps({"data": pages[index], "links": links}).encode())

    return answer


# --- the walk ---------------------------------------------------------------------------------------------------


def test_pages_linked_as_the_national_api_are_read_with_the_same_size_and_filter(allowed):
    since = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with catalogue(pages_as_the_national_api([[software(1), software(2)], [software(3)]])) as server:
        entries = list(read_catalog(f"{server.base}/v1/software?all=false", since=since, page_size=2))
    assert [entry.id for entry in entries] == ["id-1", "id-2", "id-3"]
    assert entries[0].url == "https://git.example.org/ente/app-1"
    assert entries[0].publiccode_yml.startswith("publiccodeYmlVersion")
    assert entries[0].updated_at == dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    first, second = server.queries()
    assert first == {"all": ["false"], "page[size]": ["2"], "from": ["2026-03-01T09:00:00Z"]}
    assert second == {**first, "page[after]": ["1"]}


@pytest.mark.parametrize("link", ["/v1/software?page[after]={n}", "{base}/v1/software?page[after]={n}&page[size]=1"])
def test_a_link_written_as_a_path_or_an_address_on_the_same_server_is_followed(allowed, link):
    with catalogue(pages_as_the_national_api([[software(1)], [software(2)]], link=link)) as server:
        assert [entry.id for entry in read_catalog(f"{server.base}/v1/software", page_size=5)] == ["id-1", "id-2"]
    assert urlsplit(server.requests[1]).path == "/v1/software"
    assert server.queries()[1]["page[size]"] == (["1"] if "size" in link else ["5"])


def test_inactive_software_and_what_changed_before_since_are_left_out(allowed):
    """A server that ignores `from` (a static export) gives the same answer as one that applies it."""
    page = [software(1, updated="2026-02-01T00:00:00Z"), software(2, active=False), software(3),
            software(4, updated="2026-03-01T11:00:00+01:00")]  # 10:00 UTC: exactly `since`
    since = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    with catalogue(pages_as_the_national_api([page])) as server:
        assert [entry.id for entry in read_catalog(server.base, since=since)] == ["id-3", "id-4"]


def test_an_empty_catalogue_is_one_request(allowed):
    with catalogue(pages_as_the_national_api([[]])) as server:
        assert list(read_catalog(server.base)) == []
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"<html>no</html>",
        b'["data"]',
        b'{"data": {"id": 1}}',
        b'{"data": [{"id": "a", "url": "https://x.example", "updatedAt": "2026-03-01T10:00:00Z"}]}',
        b'{"data": [{"id": "a", "url": "https://x.example", "publiccodeYml": "x", "updatedAt": "ieri"}]}',
        b'{"data": [{"id": "a", "url": "https://x.example", "publiccodeYml": "x", "updatedAt": "2026-03-01T10:00"}]}',
        b'{"data": [], "links": []}',
    ],
    ids=["html", "list", "data-object", "no-publiccode", "bad-date", "naive-date", "links-list"],
)
def test_a_page_that_is_not_the_list_stops_the_walk(allowed, body):
    with catalogue(lambda handler: send(handler, body)) as server, pytest.raises(CatalogSourceError) as refused:
        list(read_catalog(server.base))
    assert "forma attesa" in str(refused.value) and not refused.value.transient


def test_a_link_back_to_a_page_already_read_stops_the_walk(allowed):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, json.dumps({"data": [software(1)], "links": {"prev": None, "next": "?page[after]=x"}}).encode())

    with catalogue(answer) as server, pytest.raises(CatalogSourceError, match="già letta"):
        list(read_catalog(server.base))
    assert len(server.requests) == 2


def test_a_link_to_another_server_is_not_followed(allowed):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        links = {"prev": None, "next": "http://127.0.0.2:9/v1/software?page[after]=1"}
        send(handler, json.dumps({"data": [software(1)], "links": links}).encode())

    with catalogue(answer) as server, pytest.raises(CatalogSourceError, match="altro server"):
        list(read_catalog(server.base))


# --- one page: limits and refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [True, False], ids=["declared", "streamed"])
def test_a_page_over_the_size_limit_is_refused(allowed, length):
    with catalogue(lambda handler: send(handler, b"x" * 5000, length=length)) as server:
        assert fetch_page(server.base, max_bytes=5000) == b"x" * 5000
        with pytest.raises(CatalogSourceError, match="dimensione massima"):
            fetch_page(server.base, max_bytes=4999)


def test_a_server_that_drips_is_cut_at_the_deadline(allowed):
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        with contextlib.suppress(OSError):  # the reader hangs up
            for _ in range(40):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.1)

    with catalogue(drip) as server:
        started = time.monotonic()
        with pytest.raises(CatalogSourceError) as cut:
            fetch_page(server.base, timeout=1)
    assert cut.value.transient
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(("status", "transient"), [(503, True), (429, True), (404, False), (403, False)])
def test_an_error_status_says_whether_to_try_again(allowed, status, transient):
    with catalogue(lambda handler: send(handler, b"{}", status=status)) as server, \
            pytest.raises(CatalogSourceError) as refused:
        fetch_page(server.base)
    assert str(status) in str(refused.value) and refused.value.transient is transient


def test_a_server_that_does_not_listen_is_transient(allowed):
    with pytest.raises(CatalogSourceError) as refused:
        fetch_page(f"http://127.0.0.1:{free_port()}/v1/software")
    assert refused.value.transient


def test_a_private_address_is_read_only_when_its_host_is_allowed(settings):
    settings.FETCH_ALLOWED_HOSTS = []
    with catalogue(pages_as_the_national_api([[software(1)]])) as server:
        with pytest.raises(CatalogSourceError, match="privata o locale"):
            list(read_catalog(server.base))
        assert server.requests == []
        settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
        assert len(list(read_catalog(server.base))) == 1


def test_a_redirect_is_checked_as_the_first_address(allowed):
    def moved(handler: BaseHTTPRequestHandler) -> None:
        send(handler, b"", status=302, headers={"Location": "http://10.1.2.3/v1/software"})

    with catalogue(moved) as server, pytest.raises(CatalogSourceError, match="privata o locale"):
        fetch_page(server.base)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/software", "http://utente:segreto@127.0.0.1/software", "software"]
)
def test_only_http_addresses_without_credentials_are_read(allowed, url):
    with pytest.raises(CatalogSourceError):
        fetch_page(url)


# --- another instance of the portal ----------------------------------------------------------------------------


@dataclass
class Peer:
    base: str
    database: Path
    env: dict[str, str]

    @property
    def software(self) -> str:
        return self.base + SOFTWARE

    def published(self) -> dict[str, str]:
        """slug -> repository URL of the solutions the peer's own database says are published."""
        with closing(sqlite3.connect(self.database)) as db:
            rows = db.execute("SELECT slug, repository_url FROM catalog_solution WHERE status = 'published'")
            return dict(rows.fetchall())

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        return done.stdout


@pytest.fixture
def peer(tmp_path) -> Iterator[Peer]:
    """The portal as a deployment runs it (gunicorn from the Procfile line), on a SQLite database of its own,
    migrated and seeded with the demo data, with no broker or cache server."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    drop = {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "VAR_DIR", "CELERY_DATA_DIR", "CELERY_TASK_ALWAYS_EAGER",
            "EMAIL_HOST", "ALLOWED_HOSTS"}
    env = {name: value for name, value in os.environ.items() if name not in drop}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="cstportal.settings", PYTHONUNBUFFERED="1",
               DATABASE_URL=f"sqlite:///{tmp_path / 'peer.sqlite3'}", VAR_DIR=str(tmp_path), SITE_URL=base,
               WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS="1", WEB_THREADS="4")
    instance = Peer(base=base, database=tmp_path / "peer.sqlite3", env=env)
    instance.manage("migrate", "--noinput", "--verbosity", "0")
    instance.manage("seed_demo")
    web = harness.Process("peer-web", [str(ROOT / "deploy" / "procfile-exec"), "web"], env, tmp_path)

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310 - the test's server
                return response.status == 200
        except OSError:
            return False

    try:
        harness.wait_until(answers, timeout=90, interval=0.3, message="the peer portal answers", logs=(web,))
        yield instance
    finally:
        web.stop()


@pytest.mark.slow
@pytest.mark.django_db
def test_another_portal_is_read_through_its_software_list(peer, allowed, settings):
    # Page by page (10 published solutions, 3 a page): exactly the solutions the peer's database has published,
    # each at its repository (or its page on the peer), with a publiccode.yml that the parser reads (whether the
    # export validates is tests/api/test_software.py's business).
    entries = list(read_catalog(peer.software, page_size=3))
    published = peer.published()
    assert len(published) >= 7  # the demo also has drafts, one under review and one retired: none of them here
    assert [entry.id for entry in entries].count(entries[0].id) == 1
    assert {entry.id: entry.url for entry in entries} == {
        slug: repository or f"{peer.base}/catalogo/soluzioni/{slug}/" for slug, repository in published.items()
    }
    for entry in entries:
        parsed = parse_publiccode(entry.publiccode_yml)
        assert parsed.data is not None, (entry.id, parsed.errors)
        assert parsed.data["url"] == entry.url

    # The same as this portal's endpoint serves over the same demo data.
    settings.DEBUG = True  # seed_demo's own guard
    call_command("seed_demo", stdout=io.StringIO())
    settings.SITE_URL = peer.base
    ours = APIClient().get(SOFTWARE, {"page[size]": 100}).json()["data"]
    assert {item["id"]: (item["url"], item["publiccodeYml"]) for item in ours} == {
        entry.id: (entry.url, entry.publiccode_yml) for entry in entries
    }

    # Changes since the last read: nothing, then the one solution that got a release on the peer.
    since = max(entry.updated_at for entry in entries) + dt.timedelta(microseconds=1)
    assert list(read_catalog(peer.software, since=since)) == []
    slug = entries[0].id
    peer.manage("shell", "-c", (
        "import datetime; from catalog.models import Solution; from catalog.solutions.services import add_release; "
        f"add_release(Solution.objects.get(slug='{slug}'), by=None, version='9.9.9', date=datetime.date.today())"
    ))
    changed = list(read_catalog(peer.software, since=since))
    assert [entry.id for entry in changed] == [slug]
    assert "9.9.9" in changed[0].publiccode_yml and changed[0].updated_at >= since
