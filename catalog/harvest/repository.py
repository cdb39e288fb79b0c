"""Reading a source repository with the git CLI: its publiccode.yml, head, tags and root commits.

Why the git CLI: it is the reference implementation of partial clone (`--filter=blob:none`), of protocol v2 and of
lazy fetching of single files, and it is on every machine the portal runs on. Each repository is kept in a bare
copy under `HARVEST_CACHE_DIR` that holds the whole history of the default branch and the tags but only the file
contents read so far (publiccode.yml, a logo, screenshots): the next read asks the server what changed and, when
nothing did, fetches nothing.

A read is `read_repository(url)` → `Snapshot` (default branch, head commit, tags, root commits, the publiccode.yml
bytes) and `Snapshot.read_file(path)` for the other files at that head. A failure raises one `RepositoryError`,
with a message for the publisher in Italian and a stable `code` (plus `params`) from which a harvest log renders
it again in the reader's language.

Whoever controls a source controls what the portal's git talks to, so every command runs:

- with a clean environment: no system or user configuration (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null,
  a HOME of its own), no proxy or credential helper, no terminal prompt (GIT_TERMINAL_PROMPT=0), no hooks
  (`core.hooksPath=/dev/null`, a cache created without templates), no submodules, no automatic maintenance;
- with a protocol allow-list: https only; plain http only to a host listed in FETCH_ALLOWED_HOSTS; `file` only for
  a source under a folder of HARVEST_LOCAL_ROOTS (who may register such a source is the caller's decision);
- against an address checked once: the host name is resolved here, refused when it is private, loopback or
  otherwise not global (unless listed in FETCH_ALLOWED_HOSTS), and git is pinned to that address
  (`http.curloptResolve`) and told not to follow redirects, so that neither a second lookup nor a redirect can lead
  it elsewhere;
- within limits: one deadline for the whole read (the process group is killed when it passes), a size limit on the
  repository's copy, watched while a pack arrives, and a size limit on each file read.

Reads of one repository are serialised by a lock file, so workers may read the same source at once; a worker killed
mid-read leaves lock and temporary files that the next read removes.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import ipaddress
import math
import os
import posixpath
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalog.harvest.vitality import Commit, History
from cstportal.errors import Invalid, ServiceError

PUBLICCODE_PATH = "publiccode.yml"
HEAD_REF = "refs/harvest/head"
REMOTE = "origin"
# How often a running git command is checked against the deadline and the size limit.
_POLL_SECONDS = 0.05
# A pack carrying one file is at most the file plus headers; anything beyond this margin is more than the file.
_PACK_MARGIN_BYTES = 64 * 1024
# As git's gc.autoPackLimit: past this many packs (one per fetch), the copy is repacked.
_MAX_PACKS = 50


# --- errors ---------------------------------------------------------------------------------------------------


class RepositoryError(ServiceError):
    """A repository could not be read. `code` and `params` are enough to render the message again later, in the
    language of whoever reads the harvest log (`RepositoryError.from_code`); `detail` keeps git's own words for
    the operators and is never shown to the publisher (it may name the server's paths)."""

    code = "repository_failed"
    template: ClassVar[str | Promise] = _("Lettura del repository non riuscita.")
    # A transient failure (time, network): the same read may succeed later.
    transient: ClassVar[bool] = False
    _classes: ClassVar[dict[str, type[RepositoryError]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        RepositoryError._classes[cls.code] = cls

    detail = ""

    def __init__(self, **params: str | int) -> None:
        self.params: dict[str, str | int] = dict(params)
        super().__init__(self.render())

    def render(self) -> str:
        """The message in the active language."""
        values: dict[str, str | int] = dict(self.params)
        if "limit" in values:
            values["limit"] = filesizeformat(values["limit"])
        return str(self.template) % values if values else str(self.template)

    @classmethod
    def from_code(cls, code: str, params: Mapping[str, str | int]) -> RepositoryError:
        """The error recorded as (`code`, `params`), to render its message again."""
        return RepositoryError._classes.get(code, RepositoryError)(**params)


RepositoryError._classes[RepositoryError.code] = RepositoryError


class SourceRefused(RepositoryError, Invalid):
    """The address is not one the portal reads (a 400 when registering it)."""

    code = "source_refused"
    template = _("Questo indirizzo non può essere letto dal portale.")


class SourceMalformed(SourceRefused):
    code = "source_malformed"
    template = _("L'indirizzo del repository non è valido: indica un indirizzo https://, senza ? né #.")


class SchemeRefused(SourceRefused):
    code = "source_scheme"
    template = _("Sono ammessi solo indirizzi https:// di repository git.")


class CredentialsRefused(SourceRefused):
    code = "source_credentials"
    template = _("L'indirizzo non deve contenere nome utente o password: il portale legge solo repository pubblici.")


class LocalPathRefused(SourceRefused):
    code = "source_local_path"
    template = _("Il percorso locale non è in una delle cartelle consentite per i repository.")


class PrivateAddressRefused(SourceRefused):
    code = "source_private_address"
    template = _("Il server «%(host)s» ha un indirizzo di rete privato o locale, che il portale non contatta.")


class HostNotFound(RepositoryError):
    code = "host_not_found"
    template = _("Il server «%(host)s» non esiste: controlla l'indirizzo del repository.")


class RepositoryNotFound(RepositoryError):
    code = "repository_not_found"
    template = _("Il repository non esiste o non è pubblico.")


class NotARepository(RepositoryError):
    code = "not_a_repository"
    template = _("L'indirizzo non è quello di un repository git.")


class RepositoryEmpty(RepositoryError):
    code = "repository_empty"
    template = _("Il repository è vuoto: non ha ancora commit sul ramo predefinito.")


class RepositoryMoved(RepositoryError):
    code = "repository_moved"
    template = _("Il server rimanda a un altro indirizzo: registra l'indirizzo attuale del repository.")


class CertificateRefused(RepositoryError):
    code = "certificate_refused"
    template = _("Il certificato HTTPS del server del repository non è valido.")


class RepositoryUnreachable(RepositoryError):
    code = "repository_unreachable"
    template = _("Il server del repository non risponde.")
    transient = True


class RepositoryTimeout(RepositoryError):
    code = "repository_timeout"
    template = _("La lettura del repository ha superato il tempo massimo di %(seconds)s secondi.")
    transient = True


class RepositoryTooBig(RepositoryError):
    code = "repository_too_big"
    template = _("Il repository supera la dimensione massima consentita (%(limit)s).")


class PubliccodeMissing(RepositoryError):
    code = "publiccode_missing"
    template = _("Il repository non contiene il file publiccode.yml nella radice del ramo predefinito «%(branch)s».")


class FileNotFound(RepositoryError):
    code = "file_not_found"
    template = _("Il file «%(path)s» non esiste nel repository.")


class NotAFile(RepositoryError):
    code = "not_a_file"
    template = _("«%(path)s» nel repository non è un file (è una cartella, un collegamento o un sottomodulo).")


class InvalidPath(RepositoryError):
    code = "invalid_path"
    template = _("Il percorso «%(path)s» non è valido: indica un file a partire dalla radice del repository.")


class FileTooBig(RepositoryError):
    code = "file_too_big"
    template = _("Il file «%(path)s» supera la dimensione massima consentita (%(limit)s).")


# --- sources --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A checked repository address. `url` is what git is given: https://…, http://… (allowed hosts only) or
    file:///… (an absolute path with symbolic links resolved, under an allowed root)."""

    url: str
    scheme: str
    host: str = ""
    port: int = 0

    @property
    def cache_key(self) -> str:
        return hashlib.sha256(self.url.encode()).hexdigest()[:32]


def _allowed_host(host: str) -> bool:
    def bare(name: str) -> str:
        return name.strip().strip("[]").lower().rstrip(".")

    return bare(host) in {bare(name) for name in settings.FETCH_ALLOWED_HOSTS if name.strip()}


def parse_source(address: str) -> Source:
    """Check a repository address and normalise it, without touching the network. Raises SourceRefused."""
    address = address.strip()
    if not address or any(ord(char) < 32 or ord(char) == 127 for char in address):
        raise SourceMalformed()
    if address.startswith("/"):
        return _local_source(address)
    parts = urlsplit(address)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise SourceMalformed()
        return _local_source(parts.path)
    if scheme not in ("https", "http"):
        raise SchemeRefused()
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, or out of range
        raise SourceMalformed()
    if not host or parts.query or parts.fragment or address.endswith(("?", "#")):
        raise SourceMalformed()
    if parts.username is not None or parts.password is not None:
        raise CredentialsRefused()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise SourceMalformed()
    if scheme == "http" and not _allowed_host(host):
        raise SchemeRefused()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    return Source(url=f"{scheme}://{netloc}{path}", scheme=scheme, host=host,
                  port=port or (443 if scheme == "https" else 80))


def _local_source(path: str) -> Source:
    if not path.startswith("/"):
        raise SourceMalformed()
    resolved = Path(path).resolve()
    roots = [Path(root).resolve() for root in settings.HARVEST_LOCAL_ROOTS if root.strip()]
    if not any(resolved.is_relative_to(root) for root in roots):
        raise LocalPathRefused()
    return Source(url=f"file://{resolved}", scheme="file")


def _pinned_addresses(source: Source) -> list[str]:
    """Resolve the host once and check every address it has; git then connects to these addresses only."""
    try:
        infos = socket.getaddrinfo(source.host, source.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise HostNotFound(host=source.host)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise HostNotFound(host=source.host)
    if not _allowed_host(source.host):
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if not ip.is_global or ip.is_multicast:
                raise PrivateAddressRefused(host=source.host)
    return addresses


# --- running git ----------------------------------------------------------------------------------------------


def _classify(stderr: str, source: Source) -> RepositoryError:
    """Turn git's complaint (in the C locale) into the error the publisher can act on."""
    error = _error_for(stderr.lower(), source)
    error.detail = stderr
    return error


def _error_for(text: str, source: Source) -> RepositoryError:
    if "could not resolve host" in text:
        return HostNotFound(host=source.host)
    if "ssl certificate" in text or "certificate verify" in text or "server certificate" in text:
        return CertificateRefused()
    if "returned error: 30" in text or "redirect" in text:
        return RepositoryMoved()
    if any(sign in text for sign in ("could not read username", "could not read password",
                                     "terminal prompts disabled", "authentication failed", "returned error: 401",
                                     "returned error: 403", "returned error: 404", "repository not found",
                                     "' not found")):
        return RepositoryNotFound()
    if any(sign in text for sign in ("does not appear to be a git repository", "not a git repository",
                                     "is this a git repository", "not valid: is this",
                                     "expected flush after ref listing", "invalid server response")):
        return NotARepository()
    if any(sign in text for sign in ("failed to connect", "connection refused", "couldn't connect",
                                     "connection timed out", "network is unreachable", "connection reset",
                                     "operation too slow", "empty reply", "remote end hung up",
                                     "recv failure", "send failure", "rpc failed", "returned error: 5",
                                     "unable to access")):
        return RepositoryUnreachable()
    return RepositoryError()


@dataclass
class _Git:
    """git commands on one cached copy, sharing the environment, the options and the deadline of one read."""

    source: Source
    path: Path
    home: Path
    options: tuple[str, ...]
    timeout: float
    deadline: float = 0.0

    def start(self) -> None:
        self.deadline = time.monotonic() + self.timeout

    @property
    def env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "LC_ALL": "C",
            "LANG": "C",
            "GIT_DIR": str(self.path),
            "GIT_CEILING_DIRECTORIES": str(self.path.parent),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_LITERAL_PATHSPECS": "1",
            "GIT_NO_REPLACE_OBJECTS": "1",
        }
        # Only the certificate store is taken from the process's environment (a private CA in production).
        for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            if name in os.environ:
                env[name] = os.environ[name]
        return env

    def run(self, *args: str, watch_limit: int = 0, watch_error: RepositoryError | None = None,
            git_dir: bool = True, stderr: bool = False, extra_env: Mapping[str, str] | None = None) -> bytes:
        """Run one git command and return its output (with `stderr`, its error output). With `watch_limit`, the
        copy's packs (those arriving included) may not grow past it: the command is killed, `watch_error` raised."""
        env = {**self.env, **(extra_env or {})}
        if not git_dir:
            del env["GIT_DIR"]
        command = ["git", *self.options, *args]
        with subprocess.Popen(command, cwd=self.home, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,  # noqa: S603
                              stderr=subprocess.PIPE, start_new_session=True) as process:
            try:
                while True:
                    left = self.deadline - time.monotonic()
                    if left <= 0:
                        raise RepositoryTimeout(seconds=math.ceil(self.timeout))
                    try:
                        out, err = process.communicate(timeout=min(_POLL_SECONDS, left))
                        break
                    except subprocess.TimeoutExpired:
                        if watch_limit and self.pack_bytes(incoming=True) > watch_limit:
                            raise (watch_error or RepositoryTooBig(limit=watch_limit)) from None
            finally:
                if process.returncode is None:
                    # git spawns helpers (remote-https, index-pack, upload-pack): the whole group goes, and what
                    # it was writing is thrown away.
                    with suppress(ProcessLookupError):  # already gone
                        os.killpg(process.pid, signal.SIGKILL)
                    process.communicate()
                    self.clear_leftovers()
        if process.returncode != 0:
            raise _classify(err.decode("utf-8", "replace"), self.source)
        return err if stderr else out

    def pack_bytes(self, *, incoming: bool = False) -> int:
        """The size of the copy's packs; with `incoming`, the pack being received too."""
        pack_dir = self.path / "objects" / "pack"
        total = 0
        with suppress(FileNotFoundError):
            for entry in os.scandir(pack_dir):
                if entry.name.endswith(".pack") or (incoming and entry.name.startswith("tmp_pack_")):
                    with suppress(FileNotFoundError):
                        total += entry.stat().st_size
        return total

    def clear_leftovers(self) -> None:
        """Remove the lock files and partial packs of a git killed on this copy: under the copy's lock no other git
        works on it, so they are all stale."""
        if not self.path.is_dir():
            return
        for stale in [*self.path.rglob("*.lock"), *(self.path / "objects" / "pack").glob("tmp_*")]:
            with suppress(FileNotFoundError):
                stale.unlink()

    def lines(self, *args: str) -> list[str]:
        return self.run(*args).decode("utf-8", "replace").splitlines()


def _options(source: Source) -> tuple[str, ...]:
    options = [
        "protocol.allow=never",
        "protocol.https.allow=always",
        "core.hooksPath=" + os.devnull,
        "core.fsmonitor=false",
        "credential.helper=",
        "protocol.version=2",
        "http.followRedirects=false",
        "http.sslVerify=true",
        # A server that stalls is given up well before the deadline kills git.
        "http.lowSpeedLimit=1024",
        "http.lowSpeedTime=30",
        "transfer.fsckObjects=true",
        # Every fetch goes through index-pack into objects/pack/tmp_pack_*, where its size is watched.
        "fetch.unpackLimit=1",
        "transfer.unpackLimit=1",
        "gc.auto=0",
        "maintenance.auto=false",
        "gc.autoDetach=false",
        "fetch.recurseSubmodules=false",
        "submodule.recurse=false",
    ]
    if source.scheme == "http":
        options.append("protocol.http.allow=always")
    if source.scheme == "file":
        options.append("protocol.file.allow=always")
    else:
        addresses = ",".join(f"[{address}]" if ":" in address else address for address in _pinned_addresses(source))
        options.append(f"http.curloptResolve={source.host}:{source.port}:{addresses}")
    return tuple(part for option in options for part in ("-c", option))


# --- the cached copy ------------------------------------------------------------------------------------------


def _cache_root() -> Path:
    root = Path(settings.HARVEST_CACHE_DIR)
    (root / "home").mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def _locked(git: _Git) -> Iterator[None]:
    """Hold the copy's lock for the rest of the read (other workers wait, within their own deadline)."""
    descriptor = os.open(git.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= git.deadline:
                    raise RepositoryTimeout(seconds=math.ceil(git.timeout))
                time.sleep(_POLL_SECONDS)
        yield
    finally:
        os.close(descriptor)


def _prepare(git: _Git) -> None:
    """Create the copy on the first read; on the next ones, clear what a read killed with its worker left."""
    if (git.path / "config").exists():
        git.clear_leftovers()
        return
    making = git.path.with_name(git.path.name + ".new")
    shutil.rmtree(making, ignore_errors=True)
    git.run("init", "--quiet", "--bare", "--template=", str(making), git_dir=False)
    settings_of_copy = {
        "core.repositoryformatversion": "1",
        "extensions.partialClone": REMOTE,
        f"remote.{REMOTE}.url": git.source.url,
        f"remote.{REMOTE}.promisor": "true",
        f"remote.{REMOTE}.partialCloneFilter": "blob:none",
    }
    config = making / "config"
    for key, value in settings_of_copy.items():
        git.run("config", "--file", str(config), key, value, git_dir=False)
    shutil.rmtree(git.path, ignore_errors=True)
    making.rename(git.path)


def _drop(git: _Git) -> None:
    shutil.rmtree(git.path, ignore_errors=True)


@dataclass(frozen=True)
class _Remote:
    default_branch: str
    head: str
    tags: dict[str, str]

    @property
    def refs(self) -> dict[str, str]:
        return {HEAD_REF: self.head, **{f"refs/tags/{name}": sha for name, sha in self.tags.items()}}

    @property
    def digest(self) -> str:
        """The default branch, its head and every tag in one value: equal digests, nothing new to read."""
        listing = "\n".join(f"{name} {sha}" for name, sha in sorted(self.refs.items()))
        return hashlib.sha256(f"{self.default_branch}\n{listing}".encode()).hexdigest()


def _list_remote(git: _Git) -> _Remote:
    branch, head, tags = "", "", {}
    for line in git.lines("ls-remote", "--symref", REMOTE):
        target, _tab, name = line.partition("\t")
        if target.startswith("ref: ") and name == "HEAD":
            branch = target.removeprefix("ref: ").removeprefix("refs/heads/")
        elif name == "HEAD":
            head = target
        elif name.startswith("refs/tags/") and not name.endswith("^{}"):
            tags[name.removeprefix("refs/tags/")] = target
    if not head:
        # A web page answered where a git server should (dumb HTTP sees "no refs" in it) or the repository has no
        # commit yet: only the smart protocol's own lines tell the two apart.
        if git.source.scheme != "file" and not _speaks_git(git):
            raise NotARepository()
        raise RepositoryEmpty()
    return _Remote(default_branch=branch, head=head, tags=tags)


def _speaks_git(git: _Git) -> bool:
    trace = git.run("ls-remote", REMOTE, stderr=True, extra_env={"GIT_TRACE_PACKET": "2"})
    return b"version 2" in trace or b"# service=git-upload-pack" in trace


def _local_refs(git: _Git) -> dict[str, str]:
    refs = {}
    for line in git.lines("for-each-ref", "--format=%(objectname) %(refname)", HEAD_REF, "refs/tags/"):
        sha, _space, name = line.partition(" ")
        refs[name] = sha
    return refs


def _fetch(git: _Git) -> None:
    limit = settings.HARVEST_MAX_REPOSITORY_BYTES
    try:
        git.run("fetch", "--quiet", "--no-progress", "--prune", "--no-tags", "--filter=blob:none",
                "--recurse-submodules=no", "--no-write-fetch-head", "--no-auto-maintenance",
                REMOTE, f"+HEAD:{HEAD_REF}", "+refs/tags/*:refs/tags/*", watch_limit=limit)
        if git.pack_bytes() > limit:
            raise RepositoryTooBig(limit=limit)
    except RepositoryTooBig:
        # The refs may already point at what was refused: the next read starts from an empty copy again.
        _drop(git)
        raise
    if sum(1 for _pack in (git.path / "objects" / "pack").glob("*.pack")) > _MAX_PACKS:
        git.run("gc", "--quiet")


# --- what a read returns --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A tag of the repository: `commit` is the commit it names (annotated tags peeled); `date` is the tagger's
    date for an annotated tag, the commit's date for a lightweight one."""

    name: str
    commit: str
    date: dt.datetime


def _tags(git: _Git) -> tuple[Tag, ...]:
    fields = "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00" \
             "%(creatordate:iso-strict)"
    tags = []
    for line in git.lines("for-each-ref", f"--format={fields}", "refs/tags/"):
        name, kind, sha, peeled_kind, peeled, date = line.split("\x00")
        if kind == "commit":
            commit = sha
        elif kind == "tag" and peeled_kind == "commit":
            commit = peeled
        elif kind == "tag" and peeled_kind == "tag":  # a tag of a tag: rare, peeled the slow way
            try:
                commit = git.run("rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}").decode().strip()
            except RepositoryError:
                continue
        else:  # a tag of a tree or a file names no version
            continue
        if not date:  # an annotated tag without a tagger line
            date = git.run("show", "-s", "--format=%cI", commit).decode().strip()
        tags.append(Tag(name=name, commit=commit, date=dt.datetime.fromisoformat(date)))
    return tuple(sorted(tags, key=lambda tag: (tag.date, tag.name)))


def _clean_path(path: str) -> str:
    """A path relative to the repository's root (a publiccode.yml may write `./logo.svg` or `/logo.svg`)."""
    if not path or any(ord(char) < 32 for char in path):
        raise InvalidPath(path=path.replace("\x00", ""))
    clean = posixpath.normpath(path.lstrip("/"))
    if clean in (".", "..") or clean.startswith("../"):
        raise InvalidPath(path=path)
    return clean


def _read_blob(git: _Git, commit: str, path: str, *, max_bytes: int, missing_ok: bool = False) -> bytes | None:
    """The file at `path` in `commit`. Its content is fetched now if the copy lacks it, watched against
    `max_bytes` while it arrives."""
    entry = git.run("ls-tree", "-z", "--full-tree", commit, "--", path).split(b"\x00")[0]
    if not entry:
        if missing_ok:
            return None
        raise FileNotFound(path=path)
    mode, kind, sha = entry.split(b"\t", 1)[0].decode().split(" ")
    if kind != "blob" or mode == "120000":
        raise NotAFile(path=path)
    too_big = FileTooBig(path=path, limit=max_bytes)
    # `cat-file -s` fetches a missing content from the remote: the pack arriving is watched for its size.
    size = int(git.run("cat-file", "-s", sha, watch_limit=git.pack_bytes() + max_bytes + _PACK_MARGIN_BYTES,
                       watch_error=too_big))
    if size > max_bytes:
        raise too_big
    return git.run("cat-file", "blob", sha)


@dataclass(frozen=True)
class Snapshot:
    """What a read found at the head of the default branch. `publiccode` is the file's bytes (the parser checks
    their encoding and reports it by field) or None when the head has none; `root_commits` are the commits without
    parents, which stay the same when a repository is renamed or moved to another host, so they recognise it."""

    source: Source
    default_branch: str
    head: str
    head_date: dt.datetime
    tags: tuple[Tag, ...]
    root_commits: tuple[str, ...]
    publiccode: bytes | None
    fetched: bool
    _git: _Git = field(repr=False, compare=False)
    # What `remote_digest` answers for the repository as this read found it.
    refs_digest: str = ""

    def require_publiccode(self) -> bytes:
        if self.publiccode is None:
            raise PubliccodeMissing(branch=self.default_branch or "HEAD")
        return self.publiccode

    def read_file(self, path: str, *, max_bytes: int | None = None, timeout: float | None = None) -> bytes:
        """The file at `path` (from the repository's root) at this snapshot's head: a logo, a screenshot.
        Raises InvalidPath, FileNotFound, NotAFile, FileTooBig and the errors of reaching the repository."""
        clean = _clean_path(path)
        git = _Git(source=self.source, path=self._git.path, home=self._git.home, options=self._git.options,
                   timeout=timeout or settings.HARVEST_TIMEOUT_SECONDS)
        git.start()
        with _locked(git):
            if not (git.path / "config").exists():  # the copy was removed meanwhile (refused as too big)
                raise FileNotFound(path=clean)
            content = _read_blob(git, self.head, clean, max_bytes=max_bytes or settings.HARVEST_MAX_FILE_BYTES)
        assert content is not None
        return content


def read_repository(address: str | Source, *, timeout: float | None = None) -> Snapshot:
    """Read the repository at `address` (checked by `parse_source` when given as text): fetch what changed since
    the last read into the cached copy, then report the default branch's head, its publiccode.yml, the tags and the
    root commits. Raises a RepositoryError; the copy is left consistent whatever happens."""
    source = parse_source(address) if isinstance(address, str) else address
    root = _cache_root()
    git = _Git(source=source, path=root / f"{source.cache_key}.git", home=root / "home",
               options=(), timeout=timeout or settings.HARVEST_TIMEOUT_SECONDS)
    git.start()
    if source.scheme == "file" and not Path(source.url.removeprefix("file://")).exists():
        raise RepositoryNotFound()
    git.options = _options(source)
    with _locked(git):
        _prepare(git)
        remote = _list_remote(git)
        fetched = remote.refs != _local_refs(git)
        if fetched:
            _fetch(git)
        head, date = git.run("log", "-1", "--format=%H %cI", HEAD_REF).decode().split()
        roots = tuple(sorted(git.lines("rev-list", "--max-parents=0", HEAD_REF)))
        tags = _tags(git)
        publiccode = _read_blob(git, head, PUBLICCODE_PATH, max_bytes=settings.PUBLICCODE_MAX_BYTES, missing_ok=True)
    return Snapshot(source=source, default_branch=remote.default_branch, head=head,
                    head_date=dt.datetime.fromisoformat(date), tags=tags, root_commits=roots, publiccode=publiccode,
                    fetched=fetched, _git=git, refs_digest=remote.digest)


def remote_digest(address: str | Source, *, timeout: float | None = None) -> str:
    """One listing of the remote's refs (nothing fetched), as a digest comparable with `Snapshot.refs_digest`: a
    harvest whose digest is the one its last read recorded knows the repository is as it was, at the cost of one
    `ls-remote`. Raises a RepositoryError like `read_repository`."""
    source = parse_source(address) if isinstance(address, str) else address
    root = _cache_root()
    git = _Git(source=source, path=root / f"{source.cache_key}.git", home=root / "home",
               options=(), timeout=timeout or settings.HARVEST_TIMEOUT_SECONDS)
    git.start()
    if source.scheme == "file" and not Path(source.url.removeprefix("file://")).exists():
        raise RepositoryNotFound()
    git.options = _options(source)
    with _locked(git):
        _prepare(git)
        return _list_remote(git).digest


def read_history(address: str | Source, *, timeout: float | None = None) -> History | None:
    """The history the vitality index reads (catalog.harvest.vitality), from the cached copy as the last read left
    it: every commit of the default branch's head (author, author date, merge or not) and the author date of the
    commit each tag names. Nothing is fetched (any transport is refused): the copy holds every commit and tag.
    None when there is no copy of the repository to read. Raises a RepositoryError (a timeout, a broken copy)."""
    source = parse_source(address) if isinstance(address, str) else address
    root = _cache_root()
    git = _Git(source=source, path=root / f"{source.cache_key}.git", home=root / "home",
               options=("-c", "protocol.allow=never"), timeout=timeout or settings.HARVEST_TIMEOUT_SECONDS)
    git.start()
    if not (git.path / "config").exists():
        return None
    with _locked(git):
        if not _local_refs(git).get(HEAD_REF):
            return None
        commits = []
        for line in git.lines("log", "--format=%ae%x00%aI%x00%P", HEAD_REF):
            email, date, parents = line.split("\x00")
            commits.append(Commit(author=email, authored_at=dt.datetime.fromisoformat(date),
                                  merge=len(parents.split()) > 1))
        tag_dates = []
        fields = "%(objecttype)%00%(authordate:iso-strict)%00%(*objecttype)%00%(*authordate:iso-strict)"
        for line in git.lines("for-each-ref", f"--format={fields}", "refs/tags/"):
            kind, date, peeled_kind, peeled_date = line.split("\x00")
            if kind == "commit" and date:
                tag_dates.append(dt.datetime.fromisoformat(date))
            elif kind == "tag" and peeled_kind == "commit" and peeled_date:
                tag_dates.append(dt.datetime.fromisoformat(peeled_date))
    return History(commits=commits, tag_dates=tag_dates)
