"""Which external services this test run has, and starting a private Redis server for reliability tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def have_postgres() -> tuple[bool, str]:
    from django.db import connection

    if connection.vendor == "postgresql":
        return True, ""
    return False, "needs PostgreSQL: set DATABASE_URL=postgres://…"


def have_redis() -> tuple[bool, str]:
    if shutil.which("redis-server"):
        return True, ""
    return False, "needs redis-server on PATH (apt-get install redis-server)"


def have_browser() -> tuple[bool, str]:
    if not Path(CHROMIUM).exists():
        return False, f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False, "needs the playwright package"
    return True, ""


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server on a free port, in a temporary folder; stop/freeze/thaw for failure tests."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.workdir), "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        import signal

        assert self.process
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        import signal

        assert self.process
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def celery_broker(url: str):
    """Point this process's Celery app at `url` (the private Redis), with the production socket timeouts."""
    from cstportal.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"socket_timeout": 2, "socket_connect_timeout": 2, "max_retries": 1}
    app._pool = None
    app.amqp._producer_pool = None  # built on the connection pool: a new one for the new broker
    try:
        yield app
    finally:
        with contextlib.suppress(Exception):
            app.pool.force_close_all()
        app.conf.broker_url, app.conf.broker_transport_options = saved
        app._pool = None
        app.amqp._producer_pool = None
