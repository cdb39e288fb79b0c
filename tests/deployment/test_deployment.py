"""docs/deployment.md followed on this machine: PostgreSQL, a private Redis, gunicorn, two workers and one beat,
each started from the Procfile command line through deploy/procfile-exec, as the systemd units do. A workflow
action over HTTP then produces its e-mails, each delivered exactly once."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from email import message_from_string
from pathlib import Path

import pytest

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
PROCFILE_EXEC = ROOT / "deploy" / "procfile-exec"
DOC = ROOT / "docs" / "deployment.md"
SECRET = "deployment-check-" + "s" * 50


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in lines if ":" in line}


# --- the documents and the example files agree with the Procfile ---------------------------------------------


def test_the_deployment_doc_gives_the_procfile_command_lines_verbatim():
    doc = DOC.read_text()
    for name, command in _procfile().items():
        assert f"{name}: {command}" in doc, name


@pytest.mark.parametrize("unit", ["cstportal-web.service", "cstportal-worker@.service", "cstportal-beat.service"])
def test_every_systemd_unit_starts_its_procfile_line(unit):
    text = (ROOT / "deploy" / "systemd" / unit).read_text()
    name = {"cstportal-web.service": "web", "cstportal-worker@.service": "worker", "cstportal-beat.service": "beat"}
    assert f"ExecStart=/srv/cstportal/deploy/procfile-exec {name[unit]}\n" in text
    assert "EnvironmentFile=/etc/cstportal/cstportal.env" in text


def test_the_worker_units_give_each_instance_its_own_node_name():
    assert "Environment=WORKER_NAME=worker-%i@%H" in (ROOT / "deploy/systemd/cstportal-worker@.service").read_text()


def test_the_broker_redis_is_append_only_and_never_evicts():
    conf = (ROOT / "deploy" / "redis" / "broker.conf").read_text()
    assert re.search(r"^appendonly yes$", conf, re.M)
    assert re.search(r"^maxmemory-policy noeviction$", conf, re.M)


def test_the_upgrade_order_is_migrate_collectstatic_web_workers_beat():
    script = (ROOT / "deploy" / "upgrade.sh").read_text()
    steps = ["migrate --noinput", "collectstatic", "cstportal-web", "cstportal-worker@", "cstportal-beat"]
    positions = [script.index(step) for step in steps]
    assert positions == sorted(positions)


def test_procfile_exec_refuses_an_unknown_process():
    result = subprocess.run([str(PROCFILE_EXEC), "nope"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert "no process 'nope'" in result.stderr


def test_the_example_environment_passes_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    for line in (ROOT / "deploy" / "cstportal.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value.strip('"')
    env.update({"SECRET_KEY": SECRET, "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3", "VAR_DIR": "/tmp"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the whole installation on this machine -------------------------------------------------------------------


class Processes:
    """The processes of the installation, each from `deploy/procfile-exec NAME`, stopped in reverse order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, env: dict[str, str], label: str | None = None) -> subprocess.Popen:
        log = (self.folder / f"{label or name}.log").open("ab")
        process = subprocess.Popen(
            [str(PROCFILE_EXEC), name], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((label or name, process))
        return process

    def logs(self, *, tail: int | None = 3000) -> str:
        """Every process's log, each cut to its last `tail` characters (None: whole)."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-tail if tail else 0:]}"
            for path in sorted(self.folder.glob("*.log"))
        )

    def stop(self) -> None:
        for _label, process in reversed(self.running):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _label, process in reversed(self.running):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(predicate, timeout: float, what: str, processes: Processes):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}\n{processes.logs()}")


def _sent_mail(folder: Path) -> list[tuple[str, str]]:
    """(recipient, subject) of every message the file e-mail backend wrote."""
    sent = []
    for path in sorted(folder.glob("*")):
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if chunk.strip():
                message = message_from_string(chunk.strip())
                for recipient in (message.get("To") or "").split(","):
                    sent.append((recipient.strip(), message.get("Subject", "")))
    return sent


@pytest.fixture
def installation(tmp_path, redis_server):
    """Environment of docs/deployment.md section 3, pointed at this test's database and a private Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "WEB_", "WORKER_", "CELERY_"))}
    env.update({
        "DEBUG": "0", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "127.0.0.1", "HTTPS": "0",
        "SITE_URL": "http://127.0.0.1", "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_server.url, "CACHE_URL": redis_server.url.rsplit("/", 1)[0] + "/1",
        "VAR_DIR": str(tmp_path / "var"), "STATIC_ROOT": str(tmp_path / "static"),
        "CELERY_BEAT_SCHEDULE": str(tmp_path / "celerybeat-schedule"),
        "NOTIFICATION_RELAY_INTERVAL_SECONDS": "1", "LOG_LEVEL": "INFO",
        "WEB_WORKERS": "2", "WEB_THREADS": "2", "WORKER_CONCURRENCY": "2",
    })
    (tmp_path / "var" / "mail").mkdir(parents=True)
    processes = Processes(tmp_path)
    yield env, processes
    processes.stop()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_following_the_deployment_doc_two_workers_and_one_beat_deliver_each_email_once(
    installation, referent_fano, publisher_pesaro, cst_admin, fano
):
    import requests

    from cstportal.apitokens.services import create_api_token
    from tests.factories import SolutionFactory

    env, processes = installation
    var = Path(env["VAR_DIR"])
    manage = [sys.executable, "manage.py"]
    # Section 6: collectstatic (the schema is already migrated by the test database set-up).
    subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True,
                   timeout=300)
    port = free_port()
    processes.start("web", {**env, "WEB_BIND": f"127.0.0.1:{port}"})
    processes.start("worker", {**env, "WORKER_NAME": "worker-1@%h"}, label="worker-1")
    processes.start("worker", {**env, "WORKER_NAME": "worker-2@%h"}, label="worker-2")
    processes.start("beat", env)
    base = f"http://127.0.0.1:{port}"

    def healthy():
        with contextlib.suppress(requests.RequestException):
            response = requests.get(f"{base}/healthz", timeout=2)
            return response.status_code == 200 and response.json()
        return None

    health = _wait_for(healthy, 60, "gunicorn", processes)
    assert health["database"]["ok"] and health["broker"]["ok"] and health["broker"]["kind"] == "redis"
    assert requests.get(f"{base}/", headers={"Host": "evil.example"}, timeout=5).status_code == 400
    page = requests.get(f"{base}/catalogo/", timeout=10)
    assert page.status_code == 200
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]+\.css)"', page.text)
    assert stylesheet, "the page links the hashed stylesheet collected by collectstatic"
    assert requests.get(base + stylesheet.group(1), timeout=5).status_code == 200

    # A workflow action over HTTP: Fano's referent asks to adopt Pesaro's solution through the API.
    solution = SolutionFactory(owner=publisher_pesaro.memberships.get().body, status="published")
    referent_token = create_api_token(user=referent_fano, name="deployment check").key
    response = requests.post(
        f"{base}/api/v1/adoptions/",
        json={"solution": solution.slug, "municipality": fano.istat_code, "note": "Vorremmo adottarla."},
        headers={"Authorization": f"Token {referent_token}"}, timeout=10,
    )
    assert response.status_code == 201, response.text
    adoption_id = response.json()["id"]

    # The owner's publisher and CST staff are told by e-mail: each exactly once, delivered by the workers.
    expected = {publisher_pesaro.email, cst_admin.email}
    _wait_for(lambda: expected <= {to for to, _ in _sent_mail(var / "mail")}, 90, "the request e-mails", processes)

    # The publisher approves over HTTP; the adopter's referent is told.
    publisher_token = create_api_token(user=publisher_pesaro, name="deployment check").key
    response = requests.post(
        f"{base}/api/v1/adoptions/{adoption_id}/transition/", json={"action": "approve", "note": "Va bene."},
        headers={"Authorization": f"Token {publisher_token}"}, timeout=10,
    )
    assert response.status_code == 200, response.text
    _wait_for(lambda: referent_fano.email in {to for to, _ in _sent_mail(var / "mail")}, 90, "the approval e-mail",
              processes)

    time.sleep(5)  # several more relay ticks: nothing may be sent twice
    sent = _sent_mail(var / "mail")
    recipients = [to for to, _ in sent]
    for email in (publisher_pesaro.email, cst_admin.email, referent_fano.email):
        assert recipients.count(email) == 1, (email, sent)
    assert len(sent) == 3, sent
    # Each worker names itself in its start-up banner, which later task lines push out of a log's tail.
    whole = processes.logs(tail=None)
    assert "worker-1@" in whole and "worker-2@" in whole
    logs = processes.logs()
    assert all(process.poll() is None for _label, process in processes.running), logs
