"""The production configuration for the outage tests: settings evaluated from a deployment's environment, and a real
web server (gunicorn, started from the Procfile line as in production) with DEBUG off, the broker and the cache on one
private Redis and the test's database shared as `outbox_harness.SharedDatabase` does it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from unittest import mock

import requests

from tests.services import RedisServer, free_port

from . import outbox_harness as harness

ROOT = harness.ROOT
SECRET_KEY = "reliability-check-" + "s" * 50
# What the tests give the people who log in through the real server: hashed with the production hasher.
PASSWORD = "Prova-Password-2026"


def settings_module(**environ: str) -> ModuleType:
    """cstportal/settings.py evaluated afresh with `environ` added, as a deployment would; this process's settings
    stay as they are."""
    spec = importlib.util.spec_from_file_location("cstportal.settings_under_test", ROOT / "cstportal" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, environ):
        spec.loader.exec_module(module)
    return module


def production_caches(redis: RedisServer) -> dict:
    """CACHES as settings.py makes it for a deployment whose cache is on `redis`."""
    return settings_module(CACHE_URL=harness.cache_url_beside(redis.url), DEBUG="0", SECRET_KEY=SECRET_KEY).CACHES


def set_production_password(*users) -> None:
    """The tests hash passwords with MD5 for speed; a real server only knows the production hashers."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    for user in users:
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])


def static_root(tmp_dir: Path) -> Path:
    """A collected STATIC_ROOT (DEBUG off needs the manifest): the checkout's own when set up, else a fresh one."""
    collected = ROOT / "var" / "staticfiles"
    if (collected / "staticfiles.json").exists():
        return collected
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env={**os.environ, "DEBUG": "1", "STATIC_ROOT": str(tmp_dir)}, check=True, timeout=600,
    )
    return tmp_dir


def production_env(*, redis: RedisServer, database_url: str, var_dir: Path, static: Path, **extra: str) -> dict:
    return harness.subprocess_env(
        redis_url=redis.url,
        database_url=database_url,
        var_dir=var_dir,
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        STATIC_ROOT=str(static),
        LOG_LEVEL="WARNING",
        **extra,
    )


class WebServer:
    """gunicorn from `deploy/procfile-exec web`, two processes with two threads each."""

    def __init__(self, env: dict[str, str], log_dir: Path, *, workers: int = 2, threads: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**env, "WEB_BIND": f"127.0.0.1:{self.port}", "WEB_WORKERS": str(workers), "WEB_THREADS": str(threads)}
        self.process = harness.Process("web", [str(ROOT / "deploy" / "procfile-exec"), "web"], env, log_dir)

    def wait_ready(self, timeout: float = 90) -> None:
        def answers() -> bool:
            with contextlib.suppress(requests.RequestException):
                return requests.get(f"{self.base}/healthz", timeout=5).status_code == 200
            return False

        harness.wait_until(answers, timeout=timeout, interval=0.3, message="gunicorn ready", logs=(self.process,))

    def stop(self) -> None:
        self.process.stop()


@dataclass
class Sample:
    label: str
    status: int
    seconds: float


@dataclass
class Timings:
    """Every request sent to the server, with its answer and how long it took."""

    base: str
    samples: list[Sample] = field(default_factory=list)

    def request(self, session: requests.Session, method: str, path: str, label: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        response = session.request(method, self.base + path, timeout=15, allow_redirects=False, **kwargs)
        self.samples.append(Sample(label, response.status_code, time.perf_counter() - started))
        return response

    def percentile(self, share: float) -> float:
        ordered = sorted(sample.seconds for sample in self.samples)
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]

    def slowest(self) -> Sample:
        return max(self.samples, key=lambda sample: sample.seconds)

    def summary(self) -> str:
        slowest = self.slowest()
        return (
            f"{len(self.samples)} requests: p50 {self.percentile(0.5) * 1000:.0f} ms, "
            f"p95 {self.percentile(0.95) * 1000:.0f} ms, max {slowest.seconds * 1000:.0f} ms ({slowest.label})"
        )

    def by_label(self) -> str:
        """The slowest request of each kind."""
        slowest: dict[str, float] = {}
        for sample in self.samples:
            slowest[sample.label] = max(slowest.get(sample.label, 0.0), sample.seconds)
        return ", ".join(f"{label} {seconds * 1000:.0f}" for label, seconds in slowest.items())

    def failures(self) -> list[Sample]:
        return [sample for sample in self.samples if sample.status >= 500]


def csrf_token(session: requests.Session) -> str:
    return session.cookies.get("csrftoken", "")


def log_in(timings: Timings, email: str) -> requests.Session:
    """Log in through the login form, as a browser does (form page, then POST with the CSRF token)."""
    session = requests.Session()
    page = timings.request(session, "GET", "/account/accedi/", "login form")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    response = timings.request(
        session, "POST", "/account/accedi/", "login",
        data={"csrfmiddlewaretoken": token.group(1), "username": email, "password": PASSWORD},
    )
    assert response.status_code == 302, (response.status_code, response.text[:500])
    return session
