"""Real HTTP(S) servers on this machine's loopback for the outbound-request tests, each in a thread.

A `LocalServer` answers by path from a table of small behaviours (a body, a redirect, a slow drip, an echo) and
records every request it received, so a test can prove that a refused URL was never contacted. The HTTPS flavour
uses a certificate made by the openssl command for one host name, trusted through an `ssl.SSLContext` the test
passes to `fetch`.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

Route = Callable[["Handler"], None]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    host: str
    port: int
    scheme: str
    routes: dict[str, Route]
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, *, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [request.path for request in self.seen]


class Handler(http.server.BaseHTTPRequestHandler):
    server_state: LocalServer  # set on the subclass made for each server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        self.server_state.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        self.request_body = body
        route = self.server_state.routes.get(path)
        if route is None:
            self.reply(404, b"not found")
        else:
            route(self)

    do_GET = do_POST = do_PUT = _handle

    def reply(self, status: int, body: bytes, content_type: str = "text/plain", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


# --- behaviours -----------------------------------------------------------------------------------------------


def body(content: bytes, content_type: str = "text/plain") -> Route:
    return lambda handler: handler.reply(200, content, content_type)


def redirect(location: str, status: int = 302) -> Route:
    return lambda handler: handler.reply(status, b"", Location=location)


def host_header(handler: Handler) -> None:
    handler.reply(200, handler.headers.get("Host", "").encode())


def echo(handler: Handler) -> None:
    answer = {
        "method": handler.command,
        "headers": dict(handler.headers.items()),
        "body": handler.request_body.decode(),
    }
    handler.reply(200, json.dumps(answer).encode(), "application/json")


def stream(size: int, *, declare: bool) -> Route:
    """`size` bytes, with or without a Content-Length; the writing stops quietly when the client hangs up."""

    def route(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        if declare:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        sent = 0
        try:
            while sent < size and not handler.server_state.stopping.is_set():
                part = min(16 * 1024, size - sent)
                handler.wfile.write(b"x" * part)
                sent += part
        except OSError:
            pass
        handler.close_connection = True

    return route


def drip(*, every: float = 0.1, for_at_most: float = 15.0) -> Route:
    """Headers at once, then one byte every `every` seconds: each read is quick, the whole never ends."""

    def route(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Connection", "close")
        handler.end_headers()
        started = time.monotonic()
        try:
            while time.monotonic() - started < for_at_most and not handler.server_state.stopping.is_set():
                handler.wfile.write(b".")
                handler.wfile.flush()
                time.sleep(every)
        except OSError:
            pass
        handler.close_connection = True

    return route


def silent(*, for_at_most: float = 15.0) -> Route:
    """Accepts the request and answers nothing until the client gives up (or the test ends)."""

    def route(handler: Handler) -> None:
        handler.server_state.stopping.wait(for_at_most)
        handler.close_connection = True

    return route


# --- starting them --------------------------------------------------------------------------------------------


@contextmanager
def running(
    routes: dict[str, Route], *, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
) -> Iterator[LocalServer]:
    state = LocalServer(host=host, port=0, scheme="https" if tls else "http", routes=routes)
    handler = type("BoundHandler", (Handler,), {"server_state": state})
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def loopback_alias_works(address: str) -> bool:
    """Linux answers on all of 127.0.0.0/8; other systems may not."""
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Trusts this certificate only, hostname checking on: what `fetch(..., tls=...)` receives."""
        context = ssl.create_default_context(cafile=str(self.cert))
        return context


def make_certificate(folder: Path, host: str) -> Certificate | None:
    """A self-signed certificate for `host`, made by the openssl command (None where it is missing)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / f"{host}.pem", folder / f"{host}.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}",
         "-addext", f"subjectAltName=DNS:{host}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Certificate(cert=cert, key=key)
