"""Real git repositories and a real smart-HTTP git server for the harvest tests.

`SourceRepo` is a bare repository (the "server side", upload-pack allowed to filter) fed by a working copy next to
it. `GitHttpServer` serves a folder of bare repositories over HTTP on 127.0.0.1 through `git http-backend`, the CGI
program git ships for this, behind a small threaded WSGI server; it records the requests so that a test can see
what the client asked for. `SilentServer` accepts connections and never answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

AUTHOR = {"GIT_AUTHOR_NAME": "Comune di Pesaro", "GIT_AUTHOR_EMAIL": "ict@comune.pesaro.example",
          "GIT_COMMITTER_NAME": "Comune di Pesaro", "GIT_COMMITTER_EMAIL": "ict@comune.pesaro.example"}


def git_env(home: Path) -> dict[str, str]:
    """The fixtures' own git runs without the machine's configuration either."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C", **AUTHOR}


def git(*args: str, cwd: Path, env: dict[str, str], input: bytes | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env=env, input=input, capture_output=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr.decode()}"
    return result.stdout.decode().strip()


class SourceRepo:
    def __init__(self, root: Path, name: str, *, allow_filter: bool = True) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.home = root.parent / "fixture-home"
        self.home.mkdir(exist_ok=True)
        self.env = git_env(self.home)
        self.bare = root / f"{name}.git"
        self.work = root.parent / "work" / name
        self.work.mkdir(parents=True)
        git("init", "--quiet", "--bare", "-b", "main", str(self.bare), cwd=root, env=self.env)
        if allow_filter:
            git("config", "uploadpack.allowFilter", "true", cwd=self.bare, env=self.env)
        git("config", "http.receivepack", "false", cwd=self.bare, env=self.env)
        git("init", "--quiet", "-b", "main", cwd=self.work, env=self.env)
        git("remote", "add", "origin", str(self.bare), cwd=self.work, env=self.env)
        self._clock = 1_700_000_000

    @property
    def url(self) -> str:
        return f"file://{self.bare}"

    def git(self, *args: str, input: bytes | None = None) -> str:
        return git(*args, cwd=self.work, env=self.env, input=input)

    def commit(self, files: dict[str, bytes | str] | None = None, *, message: str = "Modifica",
               remove: tuple[str, ...] = ()) -> str:
        """Write (or remove) files, commit at a fixed, increasing time and push everything. Returns the commit."""
        for name, content in (files or {}).items():
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        for name in remove:
            (self.work / name).unlink()
        self._clock += 3600
        date = f"{self._clock} +0100"
        self.env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        self.push()
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, *, message: str = "", commit: str = "HEAD") -> None:
        if message:
            self.git("tag", "-a", name, "-m", message, commit)
        else:
            self.git("tag", name, commit)
        self.push()

    def push(self) -> None:
        self.git("push", "--quiet", "--force", "--all", "origin")
        self.git("push", "--quiet", "--force", "--tags", "--prune", "origin", "refs/tags/*:refs/tags/*")

    def server(self, *args: str) -> str:
        """A git command on the bare ("server side") repository."""
        return git(*args, cwd=self.bare, env=self.env)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class GitHttpServer:
    """Bare repositories under `root` served over smart HTTP at http://127.0.0.1:PORT/<name>.git.

    Three paths are special: /moved/… answers a permanent redirect to the same repository, /private/… asks for a
    password, /html/… answers a web page, as a forge's page for a wrong address would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[tuple[str, str]] = []
        self._server = make_server("127.0.0.1", 0, self._app, server_class=_ThreadingServer,
                                   handler_class=_QuietHandler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> GitHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def _app(self, environ, start_response):  # type: ignore[no-untyped-def]
        path = environ["PATH_INFO"]
        self.requests.append((environ["REQUEST_METHOD"], path))
        if path.startswith("/moved/"):
            start_response("301 Moved Permanently", [("Location", self.url(path.removeprefix("/moved/")))])
            return [b""]
        if path.startswith("/private/"):
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"')])
            return [b""]
        if path.startswith("/html/"):
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [b"<!doctype html><title>Pagina</title><p>Nessun repository qui.</p>"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        cgi_env = {
            "PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_PROJECT_ROOT": str(self.root), "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path,
            "REQUEST_METHOD": environ["REQUEST_METHOD"], "QUERY_STRING": environ.get("QUERY_STRING", ""),
            "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""), "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1", "GIT_PROTOCOL": environ.get("HTTP_GIT_PROTOCOL", ""),
            "HTTP_CONTENT_ENCODING": environ.get("HTTP_CONTENT_ENCODING", ""),
        }
        output = subprocess.run(["git", "http-backend"], input=body, env=cgi_env, capture_output=True,
                                check=False).stdout
        head, _sep, payload = output.partition(b"\r\n\r\n")
        status = "200 OK"
        headers = []
        for line in head.decode("latin-1").split("\r\n"):
            name, _colon, value = line.partition(":")
            if name.lower() == "status":
                status = value.strip()
            elif name:
                headers.append((name, value.strip()))
        start_response(status, headers)
        return [payload]


class SilentServer:
    """A TCP port on 127.0.0.1 that accepts connections and never answers: the client waits until its timeout."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.port = self._socket.getsockname()[1]

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._socket.close()
