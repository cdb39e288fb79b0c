"""Reading source repositories with real git: local bare repositories by file:// and the same repositories served
over smart HTTP by `git http-backend` on 127.0.0.1. No mock of git or of HTTP."""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from catalog.harvest.repository import (
    CredentialsRefused,
    FileNotFound,
    FileTooBig,
    InvalidPath,
    LocalPathRefused,
    NotAFile,
    NotARepository,
    PrivateAddressRefused,
    PubliccodeMissing,
    RepositoryEmpty,
    RepositoryError,
    RepositoryMoved,
    RepositoryNotFound,
    RepositoryTimeout,
    RepositoryTooBig,
    SchemeRefused,
    SourceMalformed,
    SourceRefused,
    Tag,
    parse_source,
    read_repository,
)

from .gitrepos import GitHttpServer, SilentServer, SourceRepo, git, git_env

PUBLICCODE = "publiccodeYmlVersion: '0.4'\nname: Tributi online\nurl: https://example.org/tributi.git\n"
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture
def harvest(settings, tmp_path):
    settings.HARVEST_CACHE_DIR = tmp_path / "cache"
    settings.HARVEST_LOCAL_ROOTS = [str(tmp_path / "sources")]
    settings.FETCH_ALLOWED_HOSTS = []
    settings.HARVEST_TIMEOUT_SECONDS = 30
    return tmp_path


@pytest.fixture
def tributi(harvest) -> SourceRepo:
    """Two versions of a solution: v1.0.0 (lightweight tag) and v1.1.0 (annotated)."""
    repo = SourceRepo(harvest / "sources", "tributi")
    repo.commit({"publiccode.yml": PUBLICCODE, "img/logo.png": LOGO, "src/app.py": "print('ciao')\n",
                 "docs/manuale.md": "# Manuale\n"}, message="Prima versione")
    repo.tag("v1.0.0")
    repo.commit({"src/app.py": "print('buongiorno')\n"}, message="Saluto migliore")
    repo.tag("v1.1.0", message="Versione 1.1")
    return repo


@pytest.fixture
def http_server(harvest, settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    with GitHttpServer(harvest / "sources") as server:
        yield server


def _copy(snapshot) -> Path:
    return snapshot._git.path


def _inspect(copy: Path, *args: str) -> str:
    return git(f"--git-dir={copy}", *args, cwd=copy, env=git_env(copy.parent))


def _missing_objects(copy: Path) -> set[str]:
    """Objects the copy knows of but lacks (listed without fetching them)."""
    listing = _inspect(copy, "rev-list", "--objects", "--missing=print", "refs/harvest/head")
    return {line[1:] for line in listing.splitlines() if line.startswith("?")}


def _blob(repo: SourceRepo, path: str, commit: str = "HEAD") -> str:
    return repo.server("rev-parse", f"{commit}:{path}")


# --- what a read returns --------------------------------------------------------------------------------------


def test_read_returns_publiccode_head_branch_tags_and_root_commit(tributi):
    snapshot = read_repository(tributi.url)

    assert snapshot.publiccode == PUBLICCODE.encode()
    assert snapshot.require_publiccode() == PUBLICCODE.encode()
    assert snapshot.default_branch == "main"
    assert snapshot.head == tributi.server("rev-parse", "main")
    assert snapshot.head_date.isoformat() == tributi.server("show", "-s", "--format=%cI", "main")
    first = tributi.server("rev-list", "--max-parents=0", "main")
    assert snapshot.root_commits == (first,)
    assert [tag.name for tag in snapshot.tags] == ["v1.0.0", "v1.1.0"]
    lightweight, annotated = snapshot.tags
    assert lightweight == Tag(name="v1.0.0", commit=first, date=lightweight.date)
    assert lightweight.date.isoformat() == tributi.server("show", "-s", "--format=%cI", first)
    assert annotated.commit == snapshot.head  # peeled from the tag object to its commit
    assert annotated.date.isoformat() == tributi.server("for-each-ref", "--format=%(taggerdate:iso-strict)",
                                                        "refs/tags/v1.1.0")
    assert snapshot.fetched


def test_the_fetch_is_blob_less_and_a_file_read_fetches_only_that_file(tributi):
    snapshot = read_repository(tributi.url)
    copy = _copy(snapshot)

    # Every commit and tree is there, and of the files' contents only publiccode.yml, read at the head.
    missing = _missing_objects(copy)
    assert {_blob(tributi, "img/logo.png"), _blob(tributi, "docs/manuale.md"), _blob(tributi, "src/app.py"),
            _blob(tributi, "src/app.py", "v1.0.0")} <= missing
    assert _blob(tributi, "publiccode.yml") not in missing
    assert _inspect(copy, "config", "remote.origin.partialclonefilter") == "blob:none"
    assert _inspect(copy, "rev-list", "--count", "refs/harvest/head") == "2"

    assert snapshot.read_file("img/logo.png") == LOGO
    after = _missing_objects(copy)
    assert _blob(tributi, "img/logo.png") not in after
    assert after == missing - {_blob(tributi, "img/logo.png")}


def test_file_paths_as_publiccode_writes_them_are_read_from_the_root(tributi):
    snapshot = read_repository(tributi.url)

    assert snapshot.read_file("./img/logo.png") == LOGO
    assert snapshot.read_file("/img/logo.png") == LOGO
    assert snapshot.read_file("img/../img/logo.png") == LOGO


@pytest.mark.parametrize("path", ["../etc/passwd", "..", ".", "", "img/../../x", "a\nb"])
def test_a_path_outside_the_repository_is_refused(tributi, path):
    snapshot = read_repository(tributi.url)
    with pytest.raises(InvalidPath):
        snapshot.read_file(path)


def test_a_missing_file_a_folder_and_a_symbolic_link_are_not_read(tributi):
    os.symlink("/etc/passwd", tributi.work / "password")
    tributi.commit(message="Collegamento")
    snapshot = read_repository(tributi.url)

    with pytest.raises(FileNotFound, match="«img/logo.svg» non esiste"):
        snapshot.read_file("img/logo.svg")
    with pytest.raises(NotAFile):
        snapshot.read_file("img")
    with pytest.raises(NotAFile):
        snapshot.read_file("password")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tributi):
    tributi.commit({"img/screenshot.png": os.urandom(512 * 1024)}, message="Schermata")
    snapshot = read_repository(tributi.url)

    with pytest.raises(FileTooBig, match="«img/screenshot.png» supera la dimensione massima"):
        snapshot.read_file("img/screenshot.png", max_bytes=100 * 1024)
    assert not list((_copy(snapshot) / "objects" / "pack").glob("tmp_*"))  # a transfer cut short leaves nothing
    assert len(snapshot.read_file("img/screenshot.png", max_bytes=600 * 1024)) == 512 * 1024


def test_a_head_without_publiccode_is_reported_as_absent(harvest):
    repo = SourceRepo(harvest / "sources", "senza")
    repo.commit({"README.md": "Nessun publiccode qui.\n"})
    snapshot = read_repository(repo.url)

    assert snapshot.publiccode is None
    with pytest.raises(PubliccodeMissing) as refused:
        snapshot.require_publiccode()
    assert refused.value.message == ("Il repository non contiene il file publiccode.yml nella radice del ramo "
                                     "predefinito «main».")


def test_publiccode_only_in_an_older_commit_or_another_branch_is_absent(tributi):
    tributi.git("checkout", "--quiet", "-b", "sviluppo")
    tributi.commit({"publiccode.yml": "name: Solo in sviluppo\n"})
    tributi.git("checkout", "--quiet", "main")
    tributi.commit(remove=("publiccode.yml",), message="Tolto publiccode.yml")

    assert read_repository(tributi.url).publiccode is None


def test_a_publiccode_over_its_limit_is_refused(tributi, settings):
    settings.PUBLICCODE_MAX_BYTES = 32
    with pytest.raises(FileTooBig, match="publiccode.yml"):
        read_repository(tributi.url)


# --- reading again --------------------------------------------------------------------------------------------


def test_a_second_read_with_nothing_new_fetches_nothing(tributi):
    first = read_repository(tributi.url)
    packs = sorted(p.name for p in (_copy(first) / "objects" / "pack").iterdir())

    second = read_repository(tributi.url)

    assert not second.fetched
    assert sorted(p.name for p in (_copy(second) / "objects" / "pack").iterdir()) == packs
    assert (second.head, second.tags, second.root_commits, second.publiccode) == (
        first.head, first.tags, first.root_commits, first.publiccode)


def test_a_new_commit_and_tag_are_fetched_into_the_same_copy(tributi):
    first = read_repository(tributi.url)
    pack_dir = _copy(first) / "objects" / "pack"
    packs = {p.name for p in pack_dir.glob("*.pack")}

    new_publiccode = PUBLICCODE + "softwareVersion: 2.0.0\n"
    head = tributi.commit({"publiccode.yml": new_publiccode}, message="Versione 2")
    tributi.tag("v2.0.0", message="Versione 2")
    second = read_repository(tributi.url)

    assert second.fetched
    assert second.head == head
    assert second.publiccode == new_publiccode.encode()
    assert [tag.name for tag in second.tags] == ["v1.0.0", "v1.1.0", "v2.0.0"]
    assert second.root_commits == first.root_commits
    # Fetched, not cloned again: the first pack is still there, one more arrived, new contents still not fetched.
    after = {p.name for p in pack_dir.glob("*.pack")}
    assert packs < after
    assert len(after - packs) == 2  # the history's news, then the new publiccode.yml alone
    assert _blob(tributi, "src/app.py") in _missing_objects(_copy(second))


def test_deleted_and_moved_tags_follow_the_repository(tributi):
    read_repository(tributi.url)
    tributi.git("tag", "-d", "v1.0.0")
    head = tributi.commit(message="Correzione")
    tributi.git("tag", "-f", "-a", "v1.1.0", "-m", "Versione 1.1 corretta")
    tributi.push()

    snapshot = read_repository(tributi.url)

    assert [(tag.name, tag.commit) for tag in snapshot.tags] == [("v1.1.0", head)]


def test_a_new_default_branch_is_followed(tributi):
    read_repository(tributi.url)
    tributi.git("checkout", "--quiet", "-b", "principale")
    head = tributi.commit({"publiccode.yml": "name: Nuovo ramo\n"})
    tributi.server("symbolic-ref", "HEAD", "refs/heads/principale")

    snapshot = read_repository(tributi.url)

    assert (snapshot.default_branch, snapshot.head) == ("principale", head)
    assert snapshot.publiccode == b"name: Nuovo ramo\n"


def test_a_moved_repository_is_recognised_by_its_root_commit(tributi, harvest):
    before = read_repository(tributi.url)
    moved = harvest / "sources" / "archivio" / "tributi-online.git"
    moved.parent.mkdir()
    tributi.bare.rename(moved)

    after = read_repository(f"file://{moved}")

    assert after.source.url != before.source.url
    assert _copy(after) != _copy(before)
    assert after.root_commits == before.root_commits
    assert after.head == before.head


def test_a_merged_history_has_every_root_and_thousands_of_commits_read_quickly(harvest):
    repo = SourceRepo(harvest / "sources", "grande")
    # Two unrelated histories of 1,500 commits each, merged: the repository has two roots.
    stream = []
    mark = 0
    for branch, start in (("main", 0), ("importato", 1_500)):
        previous = None
        for n in range(start, start + 1_500):
            mark += 1
            stream.append(f"commit refs/heads/{branch}\nmark :{mark}\n"
                          f"committer Ufficio ICT <ict@comune.example> {1_600_000_000 + n * 60} +0100\n"
                          f"data {len(f'c{n}')}\nc{n}\n" + (f"from :{previous}\n" if previous else "")
                          + f"M 644 inline file{n % 10}.txt\ndata {len(str(n))}\n{n}\n")
            previous = mark
    stream.append(f"commit refs/heads/main\nmark :{mark + 1}\ncommitter Ufficio ICT <ict@comune.example> "
                  f"1700000000 +0100\ndata 5\nunion\nfrom :1500\nmerge :3000\n"
                  f"M 644 inline publiccode.yml\ndata {len(PUBLICCODE)}\n{PUBLICCODE}\n")
    git("fast-import", "--quiet", cwd=repo.bare, env=repo.env, input="".join(stream).encode())

    started = time.monotonic()
    snapshot = read_repository(repo.url)
    elapsed = time.monotonic() - started

    assert len(snapshot.root_commits) == 2
    assert set(snapshot.root_commits) == set(repo.server("rev-list", "--max-parents=0", "main").split())
    assert _inspect(_copy(snapshot), "rev-list", "--count", "refs/harvest/head") == "3001"
    assert snapshot.publiccode == PUBLICCODE.encode()
    assert elapsed < 20, elapsed  # about 0.3 s on a laptop; the bound only catches a walk gone wrong


# --- the same over smart HTTP ---------------------------------------------------------------------------------


def test_a_repository_is_read_over_smart_http_blob_less(tributi, http_server):
    snapshot = read_repository(http_server.url("tributi.git"))

    assert snapshot.source.scheme == "http"
    assert snapshot.head == tributi.server("rev-parse", "main")
    assert [tag.name for tag in snapshot.tags] == ["v1.0.0", "v1.1.0"]
    assert snapshot.publiccode == PUBLICCODE.encode()
    assert _blob(tributi, "img/logo.png") in _missing_objects(_copy(snapshot))
    # The logo's content comes over HTTP on demand.
    requests = len(http_server.requests)
    assert snapshot.read_file("img/logo.png") == LOGO
    assert ("POST", "/tributi.git/git-upload-pack") in http_server.requests[requests:]
    assert _blob(tributi, "img/logo.png") not in _missing_objects(_copy(snapshot))


def test_an_unchanged_repository_over_http_costs_one_listing(tributi, http_server):
    read_repository(http_server.url("tributi.git"))
    http_server.requests.clear()

    snapshot = read_repository(http_server.url("tributi.git"))

    assert not snapshot.fetched
    # The ref listing (protocol v2: the capabilities, then ls-refs) and nothing else.
    assert http_server.requests == [("GET", "/tributi.git/info/refs"), ("POST", "/tributi.git/git-upload-pack")]


def test_a_new_tag_over_http_is_fetched(tributi, http_server):
    read_repository(http_server.url("tributi.git"))
    head = tributi.commit({"publiccode.yml": PUBLICCODE + "softwareVersion: 1.2.0\n"})
    tributi.tag("v1.2.0")

    snapshot = read_repository(http_server.url("tributi.git"))

    assert snapshot.fetched
    assert snapshot.tags[-1] == Tag(name="v1.2.0", commit=head, date=snapshot.head_date)
    assert b"softwareVersion: 1.2.0" in snapshot.publiccode


def test_http_answers_become_clear_errors(tributi, http_server):
    with pytest.raises(RepositoryNotFound, match="non esiste o non è pubblico"):
        read_repository(http_server.url("inesistente.git"))
    with pytest.raises(NotARepository, match="non è quello di un repository git"):
        read_repository(http_server.url("html/tributi.git"))
    # A repository behind a password: git would ask for it on a terminal; it gives up at once instead.
    started = time.monotonic()
    with pytest.raises(RepositoryNotFound):
        read_repository(http_server.url("private/tributi.git"))
    assert time.monotonic() - started < 5
    # A redirect is not followed (it could lead to an address never checked): the publisher updates the address.
    with pytest.raises(RepositoryMoved, match="registra l'indirizzo attuale"):
        read_repository(http_server.url("moved/tributi.git"))


def test_an_empty_repository_over_http_is_reported_as_empty(harvest, http_server):
    SourceRepo(harvest / "sources", "vuoto")
    with pytest.raises(RepositoryEmpty, match="Il repository è vuoto"):
        read_repository(http_server.url("vuoto.git"))


def test_a_server_that_never_answers_is_given_up_at_the_deadline(harvest, settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    with SilentServer() as server:
        started = time.monotonic()
        with pytest.raises(RepositoryTimeout) as refused:
            read_repository(f"http://127.0.0.1:{server.port}/tributi.git", timeout=1.5)
        elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 4, elapsed
    assert refused.value.message == "La lettura del repository ha superato il tempo massimo di 2 secondi."
    assert refused.value.transient
    # git and its helper (git-remote-http) went with the deadline: none is left talking to the port.
    assert not _processes_mentioning(f":{server.port}/")


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


def test_git_connects_to_the_address_checked_not_to_a_second_lookup(tributi, http_server, settings, monkeypatch):
    # The name exists only for the portal's own lookup: git, pinned to the address found, never asks the resolver.
    real_lookup = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        return real_lookup("127.0.0.1" if host == "git.comune.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    settings.FETCH_ALLOWED_HOSTS = ["git.comune.example"]

    snapshot = read_repository(f"http://git.comune.example:{http_server.port}/tributi.git")

    assert snapshot.head == tributi.server("rev-parse", "main")
    assert snapshot.read_file("img/logo.png") == LOGO  # the later fetch of one file is pinned as well


def test_a_name_with_several_addresses_falls_back_among_those_checked(tributi, http_server, settings):
    # localhost is ::1 and 127.0.0.1; the server listens on 127.0.0.1 only.
    settings.FETCH_ALLOWED_HOSTS = ["localhost"]
    assert read_repository(f"http://localhost:{http_server.port}/tributi.git").publiccode == PUBLICCODE.encode()


# --- refusals -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "error"), [
    ("", SourceMalformed),
    ("https://", SourceMalformed),
    ("https://github.com/comune/tributi?tab=readme", SourceMalformed),
    ("https://github.com:porta/comune/tributi", SourceMalformed),
    ("tributi.git", SchemeRefused),
    ("ssh://git@github.com/comune/tributi.git", SchemeRefused),
    ("git@github.com:comune/tributi.git", SchemeRefused),
    ("git://github.com/comune/tributi.git", SchemeRefused),
    ("ext::sh -c touch% /tmp/pwned", SchemeRefused),
    ("http://github.com/comune/tributi.git", SchemeRefused),
    ("https://utente:segreto@github.com/comune/tributi.git", CredentialsRefused),
    ("https://token@github.com/comune/tributi.git", CredentialsRefused),
    ("/etc", LocalPathRefused),
    ("file:///etc", LocalPathRefused),
    ("file://altro-server/srv/tributi.git", SourceMalformed),
])
def test_addresses_the_portal_does_not_read_are_refused(harvest, address, error):
    with pytest.raises(error):
        parse_source(address)
    assert issubclass(error, SourceRefused)


def test_https_addresses_are_normalised():
    source = parse_source("  HTTPS://GitHub.com/Comune/Tributi.git/ ")
    assert (source.url, source.host, source.port) == ("https://github.com/Comune/Tributi.git", "github.com", 443)
    assert parse_source("https://git.comune.example:8443/tributi").url == "https://git.comune.example:8443/tributi"


def test_a_local_path_that_leaves_the_allowed_folder_is_refused(tributi, harvest):
    escape = harvest / "sources" / "fuga.git"
    escape.symlink_to(tributi.work / ".git")  # inside the folder by name, outside it in fact
    with pytest.raises(LocalPathRefused):
        read_repository(str(escape))
    with pytest.raises(LocalPathRefused):
        read_repository(f"file://{harvest}/sources/../work/tributi")


def test_local_reads_need_an_allowed_folder(tributi, settings):
    settings.HARVEST_LOCAL_ROOTS = []
    with pytest.raises(LocalPathRefused):
        read_repository(tributi.url)


@pytest.mark.parametrize("address", [
    "https://127.0.0.1/tributi.git",
    "https://localhost/tributi.git",
    "https://10.1.2.3/tributi.git",
    "https://192.168.0.10:8443/tributi.git",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/tributi.git",
    "https://[::ffff:127.0.0.1]/tributi.git",
    "https://0.0.0.0/tributi.git",
])
def test_private_and_loopback_addresses_are_refused_before_connecting(harvest, address):
    with pytest.raises(PrivateAddressRefused, match="indirizzo di rete privato o locale"):
        read_repository(address, timeout=5)
    assert not list((harvest / "cache").glob("*.git"))


def test_a_listed_host_may_be_private_and_plain_http(tributi, http_server, settings):
    assert read_repository(http_server.url("tributi.git")).head
    settings.FETCH_ALLOWED_HOSTS = []
    with pytest.raises(SchemeRefused):
        read_repository(http_server.url("tributi.git"))
    with pytest.raises(PrivateAddressRefused):
        read_repository(f"https://127.0.0.1:{http_server.port}/tributi.git")


def test_local_errors_say_what_is_wrong(harvest):
    (harvest / "sources" / "cartella").mkdir(parents=True)
    with pytest.raises(RepositoryNotFound):
        read_repository(f"file://{harvest}/sources/inesistente.git")
    with pytest.raises(NotARepository):
        read_repository(f"{harvest}/sources/cartella")
    SourceRepo(harvest / "sources", "vuoto")
    with pytest.raises(RepositoryEmpty):
        read_repository(f"{harvest}/sources/vuoto.git")


def test_a_repository_over_the_size_limit_is_refused_and_not_kept(harvest, settings):
    # A server that ignores the filter sends every file: the history here weighs 2 MiB of incompressible bytes.
    repo = SourceRepo(harvest / "sources", "enorme", allow_filter=False)
    repo.commit({"publiccode.yml": PUBLICCODE, "dati.bin": os.urandom(2 * 1024 * 1024)})
    settings.HARVEST_MAX_REPOSITORY_BYTES = 1024 * 1024

    with pytest.raises(RepositoryTooBig, match=r"dimensione massima consentita \(1,0\xa0MB\)"):
        read_repository(repo.url)
    assert not list((harvest / "cache").glob("*.git"))

    settings.HARVEST_MAX_REPOSITORY_BYTES = 4 * 1024 * 1024
    assert read_repository(repo.url).publiccode == PUBLICCODE.encode()


def test_the_machines_git_configuration_and_hooks_are_ignored(tributi, harvest, monkeypatch):
    hooks = harvest / "hooks"
    hooks.mkdir()
    marker = harvest / "hook-ran"
    hook = hooks / "reference-transaction"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    evil = harvest / "evil.gitconfig"
    evil.write_text(f"[core]\n\thooksPath = {hooks}\n[url \"file:///nowhere/\"]\n\tinsteadOf = file://\n"
                    "[protocol]\n\tallow = always\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(evil))
    monkeypatch.setenv("GIT_CONFIG_SYSTEM", str(evil))
    monkeypatch.setenv("HOME", str(harvest))
    (harvest / ".gitconfig").write_text(evil.read_text())

    snapshot = read_repository(tributi.url)

    assert snapshot.publiccode == PUBLICCODE.encode()
    assert not marker.exists()


# --- concurrency and leftovers --------------------------------------------------------------------------------


def test_two_workers_reading_one_source_at_once_both_succeed(tributi):
    results: list[object] = []

    def read() -> None:
        try:
            results.append(read_repository(tributi.url).head)
        except RepositoryError as error:  # pragma: no cover - shown by the assertion below
            results.append(error)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [tributi.server("rev-parse", "main")] * 4


def test_a_read_waits_for_the_lock_only_until_its_deadline(tributi):
    copy = _copy(read_repository(tributi.url))
    with open(copy.with_suffix(".lock"), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RepositoryTimeout):
            read_repository(tributi.url, timeout=0.5)


def test_leftovers_of_a_killed_read_are_cleared(tributi):
    copy = _copy(read_repository(tributi.url))
    (copy / "refs" / "harvest" / "head.lock").write_text("")
    (copy / "packed-refs.lock").write_text("")
    (copy / "objects" / "pack" / "tmp_pack_abc123").write_bytes(b"PACK")
    head = tributi.commit({"publiccode.yml": "name: Dopo\n"})

    assert read_repository(tributi.url).head == head
    assert not list(copy.rglob("*.lock"))
    assert not list((copy / "objects" / "pack").glob("tmp_*"))


# --- messages -------------------------------------------------------------------------------------------------


def test_a_recorded_error_is_rendered_again_in_english(settings):
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # Django reads the just compiled catalogue again
    error = RepositoryTooBig(limit=1024 * 1024)
    assert (error.code, error.params) == ("repository_too_big", {"limit": 1024 * 1024})

    with translation.override("en"):
        again = RepositoryError.from_code(error.code, error.params)
        assert isinstance(again, RepositoryTooBig)
        assert again.message == "The repository is larger than the maximum allowed (1.0\xa0MB)."
        assert RepositoryError.from_code("file_not_found", {"path": "logo.svg"}).message == (
            "The file “logo.svg” is not in the repository.")


def test_a_copy_fetched_many_times_is_repacked_and_stays_blob_less(tributi, monkeypatch):
    from catalog.harvest import repository

    monkeypatch.setattr(repository, "_MAX_PACKS", 3)
    for n in range(4):
        tributi.commit({f"src/modulo{n}.py": f"N = {n}\n"}, message=f"Modulo {n}")
        snapshot = read_repository(tributi.url)
    copy = _copy(snapshot)

    assert len(list((copy / "objects" / "pack").glob("*.pack"))) <= 3
    assert _blob(tributi, "src/modulo3.py") in _missing_objects(copy)
    assert _inspect(copy, "rev-list", "--count", "refs/harvest/head") == "6"
    assert snapshot.read_file("src/modulo3.py") == b"N = 3\n"
