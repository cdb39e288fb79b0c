"""`make bench`: seed PostgreSQL at national scale, serve the production settings under gunicorn, measure with wrk.

    .venv/bin/python -m bench.run [--sizes full] [--rounds 3] [--duration 4] [--keep]

Sizes are bench/seed.py's SCALES: `full` (the default: 100,000 solutions, 8,000 bodies, 1,000,000 adoptions, the
scale of the targets) and `small` (10,000 / 500 / 50,000, a quick run); `--sizes small,full` runs both in turn on
the same database, which also checks that queries per request do not grow with the data.

Steps: a dedicated database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cstportal_bench) is
dropped and created, migrated and seeded with COPY (bench/seed.py); a private redis-server holds the cache
(CACHE_URL) and the broker (REDIS_URL), as in production; the web process is the Procfile's `web` command line with
DEBUG=0 and the benchmark's settings (bench/settings.py: the portal's, plus the reference views of bench/urls.py).
Each endpoint is measured with wrk in interleaved rounds together with the bare reference view (/_bench/bare/) and
the plain DRF peer of the solution API (bench/peer.py), so that throughput is a ratio to what the same machine does,
in the same round, with no view work at all or with the code a typical team writes. A "miss" endpoint rotates over
addresses that no cache can answer (bench/rotation.py); a "hit" endpoint repeats one anonymous address. Queries per
request come from separate, instrumented requests made in this process (CaptureQueriesContext); the provincial
reports are built in a process of their own (bench/report_job.py); the web workers' memory is read at the end.

Writes bench/results.json and the results table of docs/performance.md; exits 1 when a target is missed, 2 when the
harness itself could not run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/cstportal-bench"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cstportal_bench")
RESULTS = BENCH / "results.json"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
TABLE_START, TABLE_END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"

POOL = 8_000  # requested adoptions reserved for the transition benchmark, per size
SEARCH_PARTS = 2  # connections computing the search vectors while the adoptions load
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))  # two cores: one process per core...
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "4"))  # ...with threads to overlap database waits
THROUGHPUT_CONNECTIONS = 8  # enough to keep every gunicorn thread busy
LATENCY_CONNECTIONS = 2  # one request per worker process: latency of a busy server without queueing
CLIENTS = 50_000  # distinct client addresses the requests rotate over
ROTATION = 40_000  # addresses in each miss rotation: more than a run asks for
REPORT_TIMEOUT = 300  # seconds: a report still running then is reported as taking at least that
LOAD_AT_START = ""  # the machine is shared: its load average is part of every figure
READ_LIMIT_BLOCKS = 10  # "reads no more than an index entry or a counter": an index descent and a heap page

# The targets of issue 16, at every size measured. Kinds:
#   ratio    throughput / bare view of the same round ≥ value (median of the rounds)
#   vs       throughput / `other`'s of the same round ≥ value (median of the rounds)
#   p95      p95 latency ≤ value ms
#   reads    every query of the request reads at most `value` buffer pages (EXPLAIN ANALYZE, BUFFERS)
#   seconds  wall time ≤ value s;  memory: peak resident memory ≤ value MB
#   constant queries per request do not change with the page size or with the data
TARGETS: list[dict[str, Any]] = [
    {"endpoint": "api_list_miss", "kind": "vs", "value": 1.5, "other": "peer_list_miss"},
    {"endpoint": "api_detail_miss", "kind": "vs", "value": 1.5, "other": "peer_detail_miss"},
    {"endpoint": "api_list_hit", "kind": "ratio", "value": 0.6},
    {"endpoint": "api_detail_hit", "kind": "ratio", "value": 0.6},
    {"endpoint": "api_list_304", "kind": "ratio", "value": 0.5},
    {"endpoint": "api_list_304", "kind": "reads", "value": READ_LIMIT_BLOCKS},
    {"endpoint": "api_detail_304", "kind": "ratio", "value": 0.5},
    {"endpoint": "api_detail_304", "kind": "reads", "value": READ_LIMIT_BLOCKS},
    {"endpoint": "catalogue_miss", "kind": "p95", "value": 150.0},
    {"endpoint": "catalogue_hit", "kind": "ratio", "value": 0.6},
    {"endpoint": "search_common", "kind": "p95", "value": 150.0},
    {"endpoint": "search_rare", "kind": "p95", "value": 20.0},
    {"endpoint": "dashboard_cold", "kind": "p95", "value": 200.0},
    {"endpoint": "transition", "kind": "p95", "value": 60.0},
    {"endpoint": "report_xlsx", "kind": "seconds", "value": 60.0},
    {"endpoint": "report_xlsx", "kind": "memory", "value": 400.0},
    {"endpoint": "report_pdf", "kind": "seconds", "value": 60.0},
    {"endpoint": "report_pdf", "kind": "memory", "value": 400.0},
    {"endpoint": "web_memory", "kind": "memory", "value": 300.0},
    {"endpoint": "queries", "kind": "constant", "value": None},
]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- services -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing the Debian package")
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    subprocess.run([*apt, "install", "-y", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is required: apt-get install -y wrk")
    return found


class Redis:
    """A private redis-server for the cache and the broker of the measured server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> Redis:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def flush(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "FLUSHALL"], check=False, capture_output=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def recreate_database() -> None:
    import psycopg

    base, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    import psycopg

    base, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def procfile_command(name: str) -> str:
    """The command line of process `name` in the top-level Procfile (the one `make run` starts)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise RuntimeError(f"no {name} process in the Procfile")


class Web:
    """The Procfile's web process (gunicorn) with the production settings."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = {**env, "WEB_BIND": f"127.0.0.1:{port}"}
        self.port = port
        self.process: subprocess.Popen | None = None
        self.log = WORK / "gunicorn.log"

    def start(self) -> Web:
        command = procfile_command("web")
        self.process = subprocess.Popen(
            ["sh", "-c", f"exec {command}"], cwd=ROOT, env=self.env, start_new_session=True,
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            with contextlib.suppress(OSError):
                if http_get(self.url("/_bench/bare/"))[0] == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer; see {self.log}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[Path]:
        """The /proc folders of the gunicorn workers: the processes whose parent is the master."""
        if not self.process:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(entry)
        return found

    def worker_memory(self) -> list[float]:
        """Resident memory (MB) of each gunicorn worker."""
        found = []
        for entry in self.workers():
            with contextlib.suppress(OSError, ValueError, IndexError):
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        found.append(round(int(line.split()[1]) / 1024, 1))
        return sorted(found)

    def activity(self) -> tuple[int, bool]:
        """The workers' CPU time so far (clock ticks, user and system) and whether any of their threads is running
        or waiting for a core (state R)."""
        ticks, running = 0, False
        for entry in self.workers():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
                for task in (entry / "task").iterdir():
                    running = running or (task / "stat").read_text().rsplit(")", 1)[1].split()[0] == "R"
        return ticks, running

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


_runner_addresses = itertools.count(1)


def http_get(url: str, headers: dict[str, str] | None = None, method: str = "GET", data: bytes | None = None):
    """One request of this process, from a client address of its own (as wrk's are: the anonymous rate limit is
    per address, and the checks of a run would otherwise use up the runner's)."""
    n = next(_runner_addresses)
    headers = {"X-Forwarded-For": f"10.251.{n // 256 % 256}.{n % 256}", **(headers or {})}
    request = urllib.request.Request(url, headers=headers, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# --- endpoints ------------------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    key: str
    label: str
    path: str | None  # None: the feature is missing
    headers: dict[str, str] = field(default_factory=dict)
    connections: int = THROUGHPUT_CONNECTIONS
    expect: int = 200
    script: str = "report.lua"
    script_env: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    note: str = ""
    status: str = "ok"  # ok, missing, error
    urls: list[tuple[str, str]] | None = None  # a miss run: the addresses it rotates over
    urls_file: Path | None = None
    offset: int = 0  # the next address of the rotation
    kind: str = ""  # miss, hit, 304, reference, peer


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def reverse_or_none(name: str, **kwargs: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def prepare_state(env: dict[str, str]) -> dict[str, Any]:
    """Personas, an API token for the publisher, an analyst's session and the solution used for the detail."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench import seed
    from catalog.models import Solution

    people = seed.ensure_personas()
    state: dict[str, Any] = {"token": None, "session": None}
    try:
        state["token"] = manage("create_api_token", people["publisher"].email, env=env).strip().splitlines()[-1]
    except RuntimeError as exc:
        log(f"no API token ({str(exc).splitlines()[0]}): token endpoints are reported as missing")
    session = SessionStore()
    analyst = people["analyst"]
    session[SESSION_KEY] = str(analyst.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = analyst.get_session_auth_hash()
    session.create()
    state["session"] = session.session_key
    state["detail_slug"] = Solution.objects.filter(status="published").order_by("slug").values_list("slug", flat=True)[42]
    return state


def endpoints(state: dict[str, Any], pool: tuple[int, int], folder: Path) -> list[Endpoint]:
    from django.conf import settings
    from django.templatetags.static import static

    from bench import rotation, seed

    token = state.get("token")
    auth = {"Authorization": f"Token {token}"} if token else {}
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={state['session']}"}
    catalogue = reverse_or_none("catalog:solution-list")
    api_list = reverse_or_none("api:solution-list")
    api_detail = reverse_or_none("api:solution-detail", slug=state["detail_slug"])
    api_detail_pattern = reverse_or_none("api:solution-detail", slug="SLUG")
    peer_list = reverse_or_none("bench-peer-list")
    peer_detail_pattern = reverse_or_none("bench-peer-detail", slug="SLUG")
    dashboard = reverse_or_none("catalog:dashboard-province")
    transition = reverse_or_none("api:adoption-transition", pk=pool[0])

    vocab = rotation.read_vocabulary()
    lists: dict[str, list[tuple[str, str]] | None] = {
        "catalogue_miss": rotation.catalogue(vocab, catalogue, ROTATION) if catalogue else None,
        "search_rare": rotation.catalogue(vocab, catalogue, ROTATION, q=seed.RARE_WORD, seed=4) if catalogue else None,
        "search_common": rotation.catalogue(vocab, catalogue, ROTATION, q=seed.COMMON_WORD, seed=5) if catalogue else None,
        "api_list_miss": rotation.api_list(vocab, api_list, ROTATION) if api_list else None,
        "api_detail_miss": (rotation.details(vocab, api_detail_pattern.replace("SLUG", "{slug}"), ROTATION)
                            if api_detail_pattern else None),
    }
    lists["peer_list_miss"] = rotation.with_base(lists["api_list_miss"], api_list, peer_list) if lists["api_list_miss"] else None
    lists["peer_detail_miss"] = (
        rotation.with_base(lists["api_detail_miss"], api_detail_pattern.split("SLUG")[0],
                           peer_detail_pattern.split("SLUG")[0])
        if lists["api_detail_miss"] and peer_detail_pattern else None
    )

    def miss(key: str, label: str, connections: int = THROUGHPUT_CONNECTIONS) -> Endpoint:
        urls = lists.get(key)
        return Endpoint(key, label, urls[0][0] if urls else None, connections=connections, urls=urls,
                        urls_file=rotation.write(urls, folder / f"{key}.tsv") if urls else None,
                        script="rotate.lua", kind="miss")

    return [
        Endpoint("bare", "bare view (reference)", "/_bench/bare/", kind="reference"),
        Endpoint("static", "static file (whitenoise)", static("css/portal.css"), kind="reference"),
        miss("catalogue_miss", "catalogue HTML, anonymous, miss (rotating filters, owners, pages, languages)",
             LATENCY_CONNECTIONS),
        Endpoint("catalogue_hit", "catalogue HTML, anonymous, hit (one address)", catalogue, kind="hit"),
        miss("api_list_miss", "API solution list, miss (rotating filters, owners, cursors, page sizes, languages)"),
        miss("peer_list_miss", "plain DRF list (peer), miss, same addresses"),
        Endpoint("api_list_hit", "API solution list, anonymous, hit (one address)", api_list, kind="hit"),
        Endpoint("api_list_304", "API solution list, If-None-Match → 304", api_list, expect=304, kind="304"),
        miss("api_detail_miss", "API solution detail, miss (rotating solutions, languages)"),
        miss("peer_detail_miss", "plain DRF detail (peer), miss, same solutions"),
        Endpoint("api_detail_hit", "API solution detail, anonymous, hit (one address)", api_detail, kind="hit"),
        Endpoint("api_detail_304", "API solution detail, If-None-Match → 304", api_detail, expect=304, kind="304"),
        miss("search_rare", f"search, rare word «{seed.RARE_WORD}», miss", LATENCY_CONNECTIONS),
        miss("search_common", f"search, common word «{seed.COMMON_WORD}», miss", LATENCY_CONNECTIONS),
        Endpoint("dashboard", "provincial dashboard (analyst session), as served", dashboard, dict(cookie),
                 LATENCY_CONNECTIONS),
        Endpoint("transition", "adoption transition: approve (POST, token)",
                 transition if token else None, dict(auth), LATENCY_CONNECTIONS, script="transition.lua",
                 method="POST"),
    ]


def _language_headers(language: str) -> dict[str, str]:
    return {"Accept-Language": language} if language else {}


def check_endpoint(web: Web, endpoint: Endpoint) -> None:
    """Mark the endpoint missing (not routed) or in error (not the expected answer); fetch ETags for 304 runs. A
    rotation is checked on its first addresses, which the runs then skip."""
    if endpoint.path is None:
        endpoint.status, endpoint.note = "missing", "not routed"
        return
    if endpoint.method != "GET":
        return
    if endpoint.expect == 304 and not refresh_etag(web, endpoint):
        endpoint.status, endpoint.note = "missing", "no ETag on the 200 response"
        return
    addresses = endpoint.urls[:10] if endpoint.urls else [(endpoint.path, "")]
    # Asked together (the server has threads to spare), judged in order.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(
            lambda address: http_get(web.url(address[0]), {**endpoint.headers, **_language_headers(address[1])}),
            addresses,
        ))
    for (path, _language), (status, _headers, body) in zip(addresses, answers, strict=True):
        if status == 404 and endpoint.expect != 404:
            endpoint.status, endpoint.note = "missing", f"404 at {path}"
        elif status != endpoint.expect:
            endpoint.status, endpoint.note = "error", f"HTTP {status} at {path}: {body[:200]!r}"
        if endpoint.status != "ok":
            return
    if endpoint.urls:
        endpoint.offset = 10


def refresh_etag(web: Web, endpoint: Endpoint) -> bool:
    """Send the current ETag: the transition rounds change what lists show (used_by_count), hence their ETags."""
    headers = {k: v for k, v in endpoint.headers.items() if k != "If-None-Match"}
    status, response_headers, _ = http_get(web.url(endpoint.path), headers)
    etag = response_headers.get("ETag")
    if status != 200 or not etag:
        return False
    endpoint.headers["If-None-Match"] = etag
    return True


def run_wrk(wrk: str, web: Web, endpoint: Endpoint, duration: float) -> dict[str, Any]:
    env = {**os.environ, "BENCH_LUA_DIR": str(BENCH / "wrk"), "BENCH_CLIENTS": str(CLIENTS), **endpoint.script_env}
    if endpoint.urls_file:
        env.update({"BENCH_URLS": str(endpoint.urls_file), "BENCH_URL_OFFSET": str(endpoint.offset)})
    command = [wrk, "-t1", f"-c{endpoint.connections}", f"-d{int(duration)}s", "--timeout", "10s", "--latency",
               "-s", str(BENCH / "wrk" / endpoint.script)]
    for name, value in endpoint.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(web.url(endpoint.path or "/"))
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=duration + 60)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {endpoint.key}: {result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    data["rps"] = data["requests"] / data["duration_s"] if data["duration_s"] else 0.0
    data["errors"] = sum(data[k] for k in data if k.startswith("errors_"))
    if not data["requests"]:
        # Not one answer before the deadline: every request took longer than the run. wrk reports no latency at
        # all then; the run's length is a lower bound of it, and is what the figures carry.
        data["no_answer"] = True
        data.update({k: duration * 1000.0 for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms")})
    if endpoint.urls:
        # Requests still in flight at the deadline were sent too: never ask their addresses again.
        endpoint.offset += data["requests"] + endpoint.connections
    return data


def other_queries() -> int:
    """How many other connections run a query on the benchmark database now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_for_idle_database(timeout: float = 90.0) -> float:
    """Wait until no other connection runs a query on the benchmark database (twice in a row, 0.2 s apart): a
    request still running when wrk stopped (a dashboard recomputing its figures takes seconds) would otherwise run
    during the next endpoint's measurement. Returns the seconds waited."""
    started = time.monotonic()
    quiet = 0
    while time.monotonic() - started < timeout and quiet < 2:
        quiet = quiet + 1 if other_queries() == 0 else 0
        time.sleep(0.2)
    return time.monotonic() - started


def settle(web: Web, bound: float) -> float:
    """Wait until the server has finished the requests still in flight when wrk stopped (wrk stops at its deadline;
    the server still finishes what it was sent), so that a slow endpoint's leftovers are not measured as part of the
    next one: three samples in a row, 0.1 s apart, in which the web workers used no CPU, had no thread running or
    waiting for a core, and no query ran on the database. At most `bound` seconds, the wait the runner used to make
    whatever the server did; wait_for_idle_database follows. Returns the seconds waited."""
    started = time.monotonic()
    quiet, last = 0, None
    while quiet < 3 and time.monotonic() - started < bound:
        time.sleep(0.1)
        ticks, running = web.activity()
        quiet = quiet + 1 if ticks == last and not running and not other_queries() else 0
        last = ticks
    return time.monotonic() - started


# --- queries per request (instrumented, in this process) -----------------------------------------------------


def _client_and_extra(headers: dict[str, str]):
    from django.test import Client

    client = Client(raise_request_exception=False)
    extra = {}
    for name, value in headers.items():
        if name == "Cookie":
            key, _, val = value.partition("=")
            client.cookies[key] = val
        else:
            extra["HTTP_" + name.upper().replace("-", "_")] = value
    return client, extra


def captured(call) -> tuple[Any, list[dict[str, Any]], float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000
    return response, list(queries.captured_queries), elapsed


def instrumented(endpoint: Endpoint, pool_id: int | None) -> dict[str, Any]:
    """One request of the endpoint in this process, after one to warm up: its queries, total and SQL time. A miss
    endpoint is measured on the first address of its rotation that filters nothing, with the page cache bypassed;
    a 304 also gets, for each query, the buffer pages it reads (EXPLAIN ANALYZE, BUFFERS)."""
    client, extra = _client_and_extra(endpoint.headers)
    if endpoint.method == "POST":
        # Two adoptions of the pool: the first warms this process up (imports, token lookup), the second is measured.
        def post(pk: int):
            return client.post(reverse_or_none("api:adoption-transition", pk=pk),
                               data={"action": "approve", "note": "misura"}, content_type="application/json", **extra)

        post(pool_id)
        call = lambda: post(pool_id + 1)  # noqa: E731
    elif endpoint.urls:
        path, language = representative(endpoint.urls)
        extra["HTTP_X_BENCH_CACHE"] = "bypass"  # the view runs, as on a miss
        client.get(path, **extra, **_http_language(language))
        call = lambda: client.get(path, **extra, **_http_language(language))  # noqa: E731
    else:
        client.get(endpoint.path, **extra)  # warm: caches, connection
        call = lambda: client.get(endpoint.path, **extra)  # noqa: E731
    response, queries, elapsed = captured(call)
    db_ms = sum(float(q["time"]) for q in queries) * 1000
    found = {"queries": len(queries), "status": response.status_code, "ms": round(elapsed, 2), "db_ms": round(db_ms, 1)}
    if endpoint.kind == "304":
        found["reads"] = [{"blocks": buffer_pages(q["sql"]), "sql": q["sql"][:300]} for q in queries]
        found["max_blocks"] = max((r["blocks"] for r in found["reads"]), default=0)
    return found


def representative(urls: list[tuple[str, str]]) -> tuple[str, str]:
    """The first address of a rotation that filters nothing (a page, a cursor, a search word): a full page."""
    from urllib.parse import parse_qs, urlsplit

    plain = {"page", "cursor", "page_size", "ordering", "q"}
    return next((u for u in urls if set(parse_qs(urlsplit(u[0]).query)) <= plain), urls[0])


def _http_language(language: str) -> dict[str, str]:
    return {"HTTP_ACCEPT_LANGUAGE": language} if language else {}


def buffer_pages(sql: str) -> int:
    """Buffer pages (shared, hit or read) that one execution of `sql` touches, by EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    return int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))


def query_counts() -> dict[str, dict[str, int]]:
    """Queries per request of the same endpoint asked for more items or over more data. Each group must be
    constant: a count that grows with the page or the data is a query per item (or per facet value).

    Every request carries `X-Bench-Cache: bypass` so that the view runs, not a kept answer or page."""
    from django.db.models import Count, Q

    from bench import seed
    from catalog.models import Solution
    from municipalities.models import Body

    client, _extra = _client_and_extra({})
    bypass = {"HTTP_X_BENCH_CACHE": "bypass"}
    published = Solution.objects.filter(status="published")
    small_owner = (Body.objects.annotate(n=Count("solutions", filter=Q(solutions__status="published")))
                   .filter(n__gte=1, istat_code__isnull=False).order_by("n", "pk").values_list("istat_code", flat=True)
                   .first())
    adopted = (published.annotate(n=Count("adoptions", filter=Q(adoptions__status="in_production")))
               .order_by("-n", "pk").values_list("slug", flat=True).first())
    lonely = published.filter(adoptions__isnull=True).order_by("pk").values_list("slug", flat=True).first()
    api, catalogue = reverse_or_none("api:solution-list"), reverse_or_none("catalog:solution-list")
    peer = reverse_or_none("bench-peer-list")
    groups: dict[str, dict[str, str]] = {
        "api_list": {"20 items": api, "100 items": f"{api}?page_size=100", "one owner's": f"{api}?owner={small_owner}"},
        "api_detail": {"most adopted": reverse_or_none("api:solution-detail", slug=adopted),
                       "never adopted": reverse_or_none("api:solution-detail", slug=lonely or adopted)},
        "catalogue": {"whole catalogue": catalogue, "page 50": f"{catalogue}?page=50",
                      "one owner's": f"{catalogue}?owner={small_owner}"},
        "search": {"rare word": f"{catalogue}?q={seed.RARE_WORD}", "common word": f"{catalogue}?q={seed.COMMON_WORD}"},
        "peer_list": {"20 items": peer, "100 items": f"{peer}?page_size=100"},
    }
    counts: dict[str, dict[str, int]] = {}
    for group, variants in groups.items():
        counts[group] = {}
        for label, path in variants.items():
            if path is None:
                continue
            client.get(path, **bypass)
            _response, queries, _ms = captured(lambda path=path: client.get(path, **bypass))
            counts[group][label] = len(queries)
    return counts


def cold_dashboard(endpoint: Endpoint, repeat: int = 12) -> dict[str, Any] | None:
    """The provincial dashboard right after a change, as a visitor meets it, timed in this process: a copy of its
    figures exists (the page was served before), a change bumps their version (`stats.invalidate()`, as any change
    does), then the page is asked. The figures are then served as last computed, marked stale, and their refresh is
    queued (no worker runs here: the first request queues it, the others find it queued). Measured apart: one
    recompute of the figures in this process (`province_stats(fresh=True)`, what the refresh task does), in seconds,
    so that the cost a worker pays after each change stays in the table."""
    try:
        from catalog.dashboards import stats

    except ImportError:
        return None
    client, _extra = _client_and_extra(endpoint.headers)
    warm = client.get(endpoint.path)  # a copy of the figures exists, as for any visitor after the first
    if warm.status_code != 200:
        return {"status": "error", "note": f"HTTP {warm.status_code}"}
    times, counts, stale = [], [], 0
    for _ in range(repeat):
        stats.invalidate()
        response, queries, elapsed = captured(lambda: client.get(endpoint.path))
        times.append(elapsed)
        counts.append(len(queries))
        if response.status_code != 200:
            return {"status": "error", "note": f"HTTP {response.status_code}"}
        stale += b'data-stale="true"' in response.content
    stats.invalidate()
    started = time.perf_counter()
    stats.province_stats(fresh=True)
    recompute_s = round(time.perf_counter() - started, 2)
    times.sort()
    return {
        "status": "ok", "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2), "queries": {"queries": max(counts)},
        "rounds": repeat, "requests": repeat, "stale_answers": stale, "recompute_s": recompute_s,
        "note": f"{stale} of {repeat} answers served the last figures, marked stale; recomputing them (the queued "
                f"refresh, once per change, in a worker) measured apart: {recompute_s} s",
    }


def report_job(fmt: str, env: dict[str, str]) -> dict[str, Any]:
    """A provincial report in a process of its own (bench/report_job.py): time and peak memory."""
    label = f"provincial report, {fmt.upper()} (first after a change, in a worker process)"
    try:
        result = subprocess.run([sys.executable, "-m", "bench.report_job", fmt], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=REPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"label": label, "status": "ok", "seconds": float(REPORT_TIMEOUT), "max_rss_mb": None,
                "note": f"stopped after {REPORT_TIMEOUT} s"}
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        return {"label": label, "status": "error", "note": (result.stderr or result.stdout)[-300:]}
    data = json.loads(line.removeprefix("BENCH_JSON "))
    status = "ok" if data["status"] == "done" else "error"
    return {**data, "label": label, "status": status, "note": data.get("error", "")[:200]}


# --- one size -------------------------------------------------------------------------------------------------


def seed_scale(scale) -> tuple[dict[str, float], tuple[int, int]]:
    """Seed one size; returns the seconds of each phase and the transition pool.

    The search vectors (SEARCH_PARTS connections, each on a range of solutions) are computed while the adoptions
    load: they write only solutions, the adoptions only their own tables. `search_vectors` is their own time,
    `adoptions_and_search_vectors` the time of both together, which is what the seeding waits for."""
    from bench import seed

    phases: dict[str, float] = {}
    t = time.monotonic()
    added = seed.seed_bodies(scale.bodies)
    added_solutions = seed.seed_solutions(scale.solutions)
    phases["bodies_and_solutions"] = round(time.monotonic() - t, 1)
    log(f"{scale.name}: {added:,} synthetic bodies and {added_solutions:,} solutions added in "
        f"{phases['bodies_and_solutions']} s; seeding {scale.adoptions:,} adoptions and their events while "
        f"{SEARCH_PARTS} connections refresh the search vectors")

    def search_vectors() -> None:
        started = time.monotonic()
        seed.refresh_search(parts=SEARCH_PARTS)
        phases["search_vectors"] = round(time.monotonic() - started, 1)
        log(f"{scale.name}: search vectors in {phases['search_vectors']} s")

    t = time.monotonic()
    pool = seed.seed_adoptions(scale.adoptions, pool=POOL, alongside=search_vectors)
    phases["adoptions_and_search_vectors"] = round(time.monotonic() - t, 1)
    log(f"{scale.name}: adoptions and search vectors in {phases['adoptions_and_search_vectors']} s; vacuum")
    t = time.monotonic()
    seed.vacuum()
    phases["vacuum_analyze"] = round(time.monotonic() - t, 1)
    return phases, pool


def table_sizes() -> dict[str, int]:
    from django.db import connection

    from catalog.models import Adoption, AdoptionEvent, Solution
    from municipalities.models import Body

    found = {}
    with connection.cursor() as cursor:
        for key, model in (("solutions", Solution), ("bodies", Body), ("adoptions", Adoption),
                           ("adoption_events", AdoptionEvent)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(model._meta.db_table)}")
            found[key] = cursor.fetchone()[0]
    return found


def measure_size(scale, args, env: dict[str, str], redis: Redis, wrk: str) -> dict[str, Any]:
    started = time.monotonic()
    phases, pool = seed_scale(scale)
    state = prepare_state(env)
    seeding_seconds = time.monotonic() - started
    log(f"{scale.name}: seeded in {seeding_seconds:.0f} s ({phases})")
    redis.flush()

    web = Web(env, free_port()).start()
    folder = WORK / scale.name
    try:
        found = endpoints(state, pool, folder)
        next_pool_id = pool[0]
        for endpoint in found:
            check_endpoint(web, endpoint)
            if endpoint.key == "transition" and endpoint.status == "ok":
                status, _h, body = http_get(
                    web.url(endpoint.path), {**endpoint.headers, "Content-Type": "application/json"}, "POST",
                    json.dumps({"action": "approve", "note": "prova"}).encode(),
                )
                next_pool_id += 1
                if status != 200:
                    endpoint.status, endpoint.note = "error", f"HTTP {status}: {body[:200]!r}"
            log(f"  {endpoint.key}: {endpoint.status} {endpoint.note}")
        active = [e for e in found if e.status == "ok"]
        runs: dict[str, list[dict[str, Any]]] = {e.key: [] for e in active}
        rounds = args.rounds + 1  # the first round warms up and is not counted
        settling = 0.0
        for round_no in range(rounds):
            order = active[round_no % len(active):] + active[: round_no % len(active)]
            for endpoint in order:
                if endpoint.key == "transition":
                    endpoint.script_env = {
                        "BENCH_POOL_FIRST": str(next_pool_id), "BENCH_POOL_LAST": str(pool[1]),
                        "BENCH_TOKEN": state["token"], "BENCH_THREADS": "1",
                    }
                if endpoint.expect == 304:
                    refresh_etag(web, endpoint)
                duration = 1 if round_no == 0 else args.duration
                data = run_wrk(wrk, web, endpoint, duration)
                # wrk stops at the deadline but the server still finishes the requests in flight: let it, so
                # that a slow endpoint's leftovers are not measured as part of the next one. They take at most
                # about the longest request of the run; settle() stops waiting as soon as the server is idle.
                settling += settle(web, min(15.0, 1.2 * data["max_ms"] / 1000) + 0.2)
                settling += wait_for_idle_database()
                if endpoint.key == "transition":
                    next_pool_id += data["requests"] + endpoint.connections + 1
                if round_no:
                    runs[endpoint.key].append(data)
            log(f"{scale.name}: round {round_no}/{args.rounds} done" + (" (warm-up)" if round_no == 0 else ""))
        results: dict[str, Any] = {}
        bare_rps = [r["rps"] for r in runs.get("bare", [])]
        for endpoint in found:
            entry: dict[str, Any] = {"label": endpoint.label, "path": endpoint.path, "status": endpoint.status,
                                     "note": endpoint.note, "connections": endpoint.connections,
                                     "kind": endpoint.kind}
            if endpoint.urls:
                entry["addresses"] = len(endpoint.urls)
            if endpoint.status == "ok":
                data = runs[endpoint.key]
                entry["rps"] = round(statistics.median(r["rps"] for r in data), 1)
                entry["p50_ms"] = round(statistics.median(r["p50_ms"] for r in data), 2)
                entry["p95_ms"] = round(statistics.median(r["p95_ms"] for r in data), 2)
                entry["errors"] = sum(r["errors"] for r in data)
                entry["requests"] = sum(r["requests"] for r in data)
                entry["cache_hits"] = sum(r.get("cache_hits", 0) for r in data)
                silent = sum(1 for r in data if r.get("no_answer"))
                if bare_rps:
                    entry["ratio"] = round(statistics.median(r["rps"] / b for r, b in zip(data, bare_rps, strict=True)), 3)
                entry["rounds"] = [{k: round(r[k], 2) for k in ("rps", "p50_ms", "p95_ms", "errors")} for r in data]
                if entry["errors"]:
                    entry["status"], entry["note"] = "error", f"{entry['errors']} failed requests"
                elif silent:
                    entry["note"] = (f"no answer within {args.duration} s in {silent} of {len(data)} rounds: latency "
                                     f"counted as {args.duration * 1000} ms there, a lower bound")
                elif endpoint.kind == "miss" and entry["cache_hits"]:
                    entry["note"] = f"{entry['cache_hits']} of {entry['requests']} answers came from the page cache"
            results[endpoint.key] = entry
        # Queries per request: one instrumented request each, in this process, after the load.
        for endpoint in found:
            if endpoint.status != "ok" or endpoint.kind == "reference":
                continue
            if endpoint.expect == 304:
                refresh_etag(web, endpoint)
            results[endpoint.key]["queries"] = instrumented(endpoint, next_pool_id)
            if results[endpoint.key]["queries"]["status"] != endpoint.expect:
                results[endpoint.key]["note"] = f"instrumented request got {results[endpoint.key]['queries']['status']}"
            if endpoint.method == "POST":
                next_pool_id += 2
        dashboard = next((e for e in found if e.key == "dashboard" and e.status == "ok"), None)
        if dashboard:
            cold = cold_dashboard(dashboard)
            if cold:
                results["dashboard_cold"] = {"label": "provincial dashboard, first view after a change (last figures "
                                             "served, refresh queued; in this process)", "path": dashboard.path,
                                             **cold}
        else:
            results["dashboard_cold"] = {"label": "provincial dashboard, first view after a change", "status": "missing"}
        log(f"{scale.name}: counting queries per request at other page sizes and over other data")
        counts = query_counts()
        memory = web.worker_memory()
        results["web_memory"] = {"label": "memory of each web worker after the run (RSS)", "status": "ok",
                                 "workers_mb": memory, "max_rss_mb": max(memory) if memory else None}
    finally:
        web.stop()
    for fmt in ("xlsx", "pdf"):
        log(f"{scale.name}: provincial report, {fmt}, in a worker process")
        results[f"report_{fmt}"] = report_job(fmt, env)
    return {
        "scale": scale.name, "solutions": scale.solutions, "bodies": scale.bodies, "adoptions": scale.adoptions,
        "rows": table_sizes(), "seconds_seeding": round(seeding_seconds, 1), "seeding_phases": phases,
        "seconds_search_vector": phases["search_vectors"], "seconds_settling_after_runs": round(settling, 1),
        "seconds_total": round(time.monotonic() - started, 1),
        "endpoints": results, "query_counts": counts,
    }


# --- targets, results, report ---------------------------------------------------------------------------------


def _per_round_ratio(entry: dict[str, Any], other: dict[str, Any]) -> float | None:
    """Median over the rounds of entry's throughput / other's in the same round."""
    pairs = [(a["rps"], b["rps"]) for a, b in zip(entry.get("rounds", []), other.get("rounds", []), strict=False)
             if b["rps"]]
    if not pairs:
        return None
    return round(statistics.median(a / b for a, b in pairs), 3)


def constant_counts(sizes: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether every portal endpoint's queries per request stay the same across its variants and across the sizes
    measured; the list says where they do not (the peer's are informative only)."""
    problems = []
    across: dict[str, set[int]] = {}
    for size_key, data in sizes.items():
        for group, variants in data.get("query_counts", {}).items():
            if group.startswith("peer"):
                continue
            values = set(variants.values())
            if values == {0}:  # every page answered without a query: something kept was measured, not the view
                problems.append(f"{group} at {size_key}: no query at all (a kept answer, not the view)")
            if len(values) > 1:
                problems.append(f"{group} at {size_key}: " + ", ".join(f"{k} {v}" for k, v in variants.items()))
            across.setdefault(group, set()).update(values)
    if len(sizes) > 1:
        for group, values in across.items():
            if len(values) > 1:
                problems.append(f"{group} across sizes: {sorted(values)}")
    return not problems, problems


def evaluate(sizes: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for target in TARGETS:
        for size_key, data in sizes.items():
            endpoints_ = data["endpoints"]
            entry = endpoints_.get(target["endpoint"], {"status": "missing"})
            check = {**target, "size": size_key, "measured": None, "met": False}
            if target["kind"] == "constant":
                met, problems = constant_counts({size_key: data} if len(sizes) == 1 else sizes)
                check.update(measured="constant" if met else "; ".join(problems), met=met, status="ok")
                checks.append(check)
                if len(sizes) > 1:
                    break  # one check across every size
                continue
            if entry.get("status") != "ok":
                check["status"] = entry.get("status", "missing")
            elif target["kind"] == "ratio":
                check["measured"] = entry.get("ratio")
                check["met"] = entry.get("ratio", 0) >= target["value"]
            elif target["kind"] == "p95":
                check["measured"] = entry["p95_ms"]
                check["met"] = entry["p95_ms"] <= target["value"]
            elif target["kind"] == "vs":
                other = endpoints_.get(target["other"], {})
                ratio = _per_round_ratio(entry, other) if other.get("status") == "ok" else None
                if ratio is None:
                    check["status"] = "missing"
                else:
                    check["measured"] = ratio
                    check["met"] = ratio >= target["value"]
            elif target["kind"] == "reads":
                blocks = entry.get("queries", {}).get("max_blocks")
                check["measured"] = blocks
                check["met"] = blocks is not None and blocks <= target["value"]
            elif target["kind"] == "seconds":
                check["measured"] = entry.get("seconds")
                check["met"] = check["measured"] is not None and check["measured"] <= target["value"]
            elif target["kind"] == "memory":
                check["measured"] = entry.get("max_rss_mb")
                check["met"] = check["measured"] is not None and check["measured"] <= target["value"]
            check.setdefault("status", "ok")
            checks.append(check)
    return checks


def describe_target(check: dict[str, Any]) -> str:
    kind, value = check["kind"], check["value"]
    return {
        "ratio": f"≥ {value} × bare",
        "p95": f"p95 ≤ {value:g} ms" if value is not None else "",
        "vs": f"≥ {value} × {check.get('other')}",
        "reads": f"each query reads ≤ {value} pages",
        "seconds": f"≤ {value:g} s" if value is not None else "",
        "memory": f"≤ {value:g} MB RSS" if value is not None else "",
        "constant": "constant in page size and data",
    }[kind]


def describe_measured(check: dict[str, Any]) -> str:
    measured = check["measured"]
    if measured is None:
        return check.get("status", "missing")
    unit = {"p95": " ms", "reads": " pages", "seconds": " s", "memory": " MB"}.get(check["kind"], "")
    return f"{measured:,}{unit}".replace(",", " ") if isinstance(measured, int | float) else str(measured)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def markdown(results: dict[str, Any]) -> str:
    config = results["config"]
    lines = [TABLE_START, "", f"Measured {results['generated_at']} on {results['machine']['description']}; "
             f"gunicorn {config['web_workers']} workers × {config['web_threads']} threads; "
             f"{config['rounds']} rounds of {config['duration_s']} s per endpoint after a warm-up round; "
             f"whole run {results['seconds_total']:.0f} s.", ""]
    for size_key, data in results["sizes"].items():
        rows = data.get("rows", {})
        phases = data.get("seeding_phases", {})
        lines += [
            f"### {size_key}: {_n(rows.get('solutions', data['solutions']))} solutions, "
            f"{_n(rows.get('bodies', data['bodies']))} bodies, {_n(rows.get('adoptions', data['adoptions']))} adoptions, "
            f"{_n(rows.get('adoption_events', 0))} adoption events",
            "",
            f"Seeding {data['seconds_seeding']} s (" + ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in phases.items())
            + f"); this size took {data['seconds_total']:.0f} s in all.",
            "",
            "| endpoint | conns | answers | req/s | × bare | p50 ms | p95 ms | queries | one request: total / SQL ms "
            "| status |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key, entry in data["endpoints"].items():
            if key.startswith("report_") or key == "web_memory":
                continue
            queries = entry.get("queries", {})
            q = queries.get("queries", "") if isinstance(queries, dict) else queries
            one = f"{queries['ms']} / {queries['db_ms']}" if isinstance(queries, dict) and "db_ms" in queries else ""
            lines.append(
                f"| {entry.get('label', key)} | {_cell(entry.get('connections'))} | {_cell(entry.get('requests'))} | "
                f"{_cell(entry.get('rps'))} | "
                f"{_cell(entry.get('ratio'))} | {_cell(entry.get('p50_ms'))} | {_cell(entry.get('p95_ms'))} | {q} | "
                f"{one} | {entry.get('status')}{(' — ' + entry['note']) if entry.get('note') else ''} |"
            )
        lines += ["", "| measured apart | figure | status |", "|---|---|---|"]
        for fmt in ("xlsx", "pdf"):
            entry = data["endpoints"].get(f"report_{fmt}", {})
            figure = (f"{entry.get('seconds')} s, peak {entry.get('max_rss_mb')} MB RSS ({_n(entry.get('bytes', 0))} bytes)"
                      if entry.get("seconds") is not None else "")
            lines.append(f"| {entry.get('label', fmt)} | {figure} | {entry.get('status', 'missing')}"
                         f"{(' — ' + entry['note']) if entry.get('note') else ''} |")
        memory = data["endpoints"].get("web_memory", {})
        lines.append(f"| {memory.get('label', 'web workers')} | "
                     f"{', '.join(f'{m} MB' for m in memory.get('workers_mb', []))} | {memory.get('status', 'missing')} |")
        for group, variants in data.get("query_counts", {}).items():
            lines.append(f"| queries per request, {group.replace('_', ' ')} | "
                         + ", ".join(f"{k}: {v}" for k, v in variants.items()) + " | "
                         + ("constant" if len(set(variants.values())) <= 1 else "**grows**") + " |")
        for key in ("api_list_304", "api_detail_304"):
            reads = data["endpoints"].get(key, {}).get("queries", {}).get("reads")
            if reads is not None:
                lines.append(f"| buffer pages read by each query of {key.replace('_', ' ')} | "
                             + (", ".join(str(r["blocks"]) for r in reads) or "no query") + " | |")
        lines.append("")
    lines += ["### Targets", "", "| size | endpoint | target | measured | met |", "|---|---|---|---:|---|"]
    for check in results["targets"]:
        lines.append(f"| {check['size']} | {check['endpoint']} | {describe_target(check)} | {describe_measured(check)} | "
                     f"{'yes' if check['met'] else '**no**'} |")
    lines += ["", TABLE_END]
    return "\n".join(lines)


def write_report(results: dict[str, Any]) -> None:
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = markdown(results)
    text = PERFORMANCE_DOC.read_text() if PERFORMANCE_DOC.exists() else f"# Performance\n\n{TABLE_START}\n{TABLE_END}\n"
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        tail = rest.split(TABLE_END, 1)[1]
        text = head + table + tail
    else:
        text = text.rstrip() + "\n\n" + table + "\n"
    PERFORMANCE_DOC.write_text(text)


def machine() -> dict[str, Any]:
    import psycopg

    cpus = os.cpu_count()
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "cpus": cpus, "python": platform.python_version(), "postgresql": pg, "wrk": wrk_version,
        "load_average_at_end": load,
        "description": f"{cpus} CPUs, Python {platform.python_version()}, PostgreSQL {pg}, wrk {wrk_version}; "
                       "load generator, database and server on the same machine; load average at the start "
                       f"{LOAD_AT_START}, at the end {load} (1, 5, 15 min)",
    }


def parse_sizes(value: str):
    from bench.seed import SCALES

    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCALES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"sizes are among {', '.join(SCALES)}; got {value!r}")
    return sorted((SCALES[name] for name in names), key=lambda s: (s.solutions, s.adoptions))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="full", type=parse_sizes,
                        help="comma-separated: small (10 000 solutions, 500 bodies, 50 000 adoptions), "
                             "full (100 000, 8 000, 1 000 000: the default)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--no-report", action="store_true", help="do not write results.json and the doc table")
    args = parser.parse_args(argv)
    global LOAD_AT_START
    LOAD_AT_START = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    started = time.monotonic()
    wrk = ensure_wrk()
    WORK.mkdir(parents=True, exist_ok=True)
    redis = Redis(WORK / "redis").start()
    env = {
        **os.environ,
        "DEBUG": "0", "HTTPS": "0", "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": f"{redis.url}/1", "REDIS_URL": f"{redis.url}/0", "VAR_DIR": str(WORK / "var"),
        "WEB_WORKERS": str(WEB_WORKERS), "WEB_THREADS": str(WEB_THREADS), "LOG_LEVEL": "WARNING",
        # As docs/deployment.md sets it behind the proxy: one connection per request, to whichever worker is free.
        "WEB_WORKER_CONNECTIONS": str(WEB_THREADS),
        # As behind the reverse proxy of docs/deployment.md: wrk sends each request from another client address
        # (bench/wrk/report.lua), so the anonymous API rate limit works at its production rate without refusing
        # the load. The one token client of the transition benchmark gets a rate above what it sends.
        "PROXY_COUNT": "1", "BEHIND_PROXY": "1", "API_THROTTLE_USER": "100000/second",
        "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    os.environ.update(env)
    try:
        log(f"database {DATABASE_URL}: recreating, migrating, collecting static files")
        recreate_database()
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
        import django

        django.setup()
        measured = {}
        for scale in args.sizes:
            measured[scale.name] = measure_size(scale, args, env, redis, wrk)
    finally:
        redis.stop()
        if not args.keep:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
                drop_database()
    results = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "config": {"web_workers": WEB_WORKERS, "web_threads": WEB_THREADS, "rounds": args.rounds,
                   "duration_s": args.duration, "throughput_connections": THROUGHPUT_CONNECTIONS,
                   "latency_connections": LATENCY_CONNECTIONS, "web_command": procfile_command("web"),
                   "rotation_addresses": ROTATION, "read_limit_blocks": READ_LIMIT_BLOCKS},
        "sizes": measured,
    }
    results["targets"] = evaluate(measured)
    results["seconds_total"] = round(time.monotonic() - started, 1)
    results["passed"] = all(c["met"] for c in results["targets"])
    (WORK / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if not args.no_report:
        write_report(results)
    for check in results["targets"]:
        log(f"{'ok  ' if check['met'] else 'MISS'} {check['size']:>6} {check['endpoint']:<18} "
            f"{describe_target(check):<34} measured {describe_measured(check)}")
    log(f"finished in {results['seconds_total']:.0f} s: " + ("every target met" if results["passed"] else "TARGETS MISSED"))
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except RuntimeError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
