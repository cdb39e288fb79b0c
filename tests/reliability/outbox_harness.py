"""Real processes for the reliability tests: a Celery worker and the relay loop (and, in production.py, the web
server), run as subprocesses with the broker and the cache on one private Redis and on the same database as the test.

The test database is shared with the subprocesses as it is: on PostgreSQL the test database itself (tests run with
transaction=True so the rows are committed); on SQLite, whose test database lives in memory, a file copy made with
`VACUUM INTO` once the in-process part of the test is done (after that, only the subprocesses write).
E-mails go to the file backend in a temporary folder and are counted by their X-Portal-Delivery header.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]


# --- the database the subprocesses use -------------------------------------------------------------------------


class SharedDatabase:
    def __init__(self, tmp_path: Path) -> None:
        from django.db import connection

        self.vendor = connection.vendor
        self.path = tmp_path / "shared.sqlite3"
        if self.vendor == "postgresql":
            s = connection.settings_dict
            auth = quote(s["USER"] or "")
            if s.get("PASSWORD"):
                auth += ":" + quote(s["PASSWORD"])
            host = s.get("HOST") or "127.0.0.1"
            port = s.get("PORT") or 5432
            self.url = f"postgres://{auth}@{host}:{port}/{s['NAME']}"
        else:
            self.url = f"sqlite:///{self.path}"

    def share(self) -> str:
        """Make the test's rows visible to the subprocesses; returns the DATABASE_URL to give them."""
        if self.vendor != "postgresql":
            from django.db import connection

            self.path.unlink(missing_ok=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(self.path)])
        return self.url

    def deliveries(self) -> list[dict]:
        """Every delivery row as the subprocesses left it."""
        return self.rows("notifications_delivery", ["id", "key", "status", "attempts", "last_error"])

    def rows(self, table: str, columns: list[str]) -> list[dict]:
        """Every row of `table` (fixed names from the test, never input), as the subprocesses left it."""
        query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"  # noqa: S608
        if self.vendor == "postgresql":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(query)
                found = cursor.fetchall()
        else:
            with contextlib.closing(sqlite3.connect(self.path, timeout=20)) as db:
                found = db.execute(query).fetchall()
        return [dict(zip(columns, row, strict=True)) for row in found]


# --- subprocesses ----------------------------------------------------------------------------------------------


def cache_url_beside(redis_url: str) -> str:
    """The cache on the broker's Redis server, in its own database number (docs/deployment.md, small machine)."""
    return redis_url.rsplit("/", 1)[0] + "/1"


def subprocess_env(*, redis_url: str, database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a subprocess: broker and cache on the private Redis, the shared database, e-mail to files."""
    drop = {"REDIS_URL", "CACHE_URL", "CELERY_DATA_DIR", "DATABASE_URL", "EMAIL_HOST", "VAR_DIR",
            "CELERY_TASK_ALWAYS_EAGER"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("NOTIFICATION_")}
    env.update(
        {
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "cstportal.settings",
            "REDIS_URL": redis_url,
            "CACHE_URL": cache_url_beside(redis_url),
            "DATABASE_URL": database_url,
            "VAR_DIR": str(var_dir),  # e-mails land in VAR_DIR/mail (file backend)
            "CELERY_BEAT_SCHEDULE": str(var_dir / "celerybeat-schedule"),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


class Process:
    """A subprocess in its own process group (so a kill reaches its pool children too), output to a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self) -> None:
        """SIGKILL the whole group: no clean-up, no acknowledgement, like a machine losing power."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP the whole group: it holds what it holds and does nothing more until thawed or killed."""
        os.killpg(self.popen.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]


def start_worker(env: dict[str, str], log_dir: Path, name: str = "worker") -> Process:
    return Process(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cstportal",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ],
        env,
        log_dir,
    )


def start_relay(env: dict[str, str], log_dir: Path) -> Process:
    return Process("relay", [sys.executable, "manage.py", "relay_outbox", "--loop", "--interval", "0.3"], env, log_dir)


def run_relay_once(env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "relay_outbox"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- what arrived ----------------------------------------------------------------------------------------------


def delivered(mail_dir: Path) -> Counter:
    """How many times each delivery key was e-mailed (the file backend appends each message to a file)."""
    found: Counter = Counter()
    if not mail_dir.exists():
        return found
    for path in mail_dir.iterdir():
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("X-Portal-Delivery: "):
                found[line.split(": ", 1)[1].strip()] += 1
    return found


def wait_until(predicate, *, timeout: float, interval: float = 0.2, message: str = "", logs: tuple = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    details = "\n".join(f"--- {p.name} ---\n{p.output()}" for p in logs)
    raise AssertionError(f"timed out after {timeout}s: {message}\n{details}")


def dump(rows: list[dict]) -> str:
    return json.dumps(rows, indent=1, default=str)[:4000]
