"""`make bench`: seed PostgreSQL at two sizes, serve the production settings under gunicorn, measure with wrk.

    .venv/bin/python -m bench.run [--sizes 10000,100000] [--rounds 3] [--duration 4] [--keep]

Steps: a dedicated database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cstportal_bench) is
dropped and created, migrated and seeded (bench/seed.py); a private redis-server holds the cache (CACHE_URL) and the
broker (REDIS_URL), as in production; the web process is the Procfile's `web` command line with DEBUG=0 and
the benchmark's settings (bench/settings.py: the portal's, plus the reference view). Each endpoint is measured with wrk in interleaved rounds together with the bare reference view
(/_bench/bare/), so throughput is a ratio to what the same machine does with no view work at all. Queries per request
come from one separate, instrumented request made in this process (CaptureQueriesContext).

Writes bench/results.json and the results table of docs/performance.md; exits 1 when a target is missed, 2 when the
harness itself could not run.
"""

from __future__ import annotations

import argparse
import contextlib
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

ADOPTIONS = 50_000
POOL = 8_000  # requested adoptions reserved for the transition benchmark, per size
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))  # two cores: one process per core...
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "4"))  # ...with threads to overlap database waits
THROUGHPUT_CONNECTIONS = 8  # enough to keep every gunicorn thread busy
LATENCY_CONNECTIONS = 2  # one request per worker process: latency of a busy server without queueing
CLIENTS = 50_000  # distinct client addresses the requests rotate over

# Targets of the issue. kind "ratio": throughput / bare ≥ value; "p95": p95 latency ≤ value ms; "vs": throughput ≥
# value × the named endpoint's. `sizes` None = checked at every size.
TARGETS: list[dict[str, Any]] = [
    {"endpoint": "api_list", "kind": "ratio", "value": 0.25, "sizes": None},
    {"endpoint": "api_detail", "kind": "ratio", "value": 0.30, "sizes": None},
    {"endpoint": "catalogue_uncached", "kind": "ratio", "value": 0.15, "sizes": None},
    {"endpoint": "catalogue_cached", "kind": "ratio", "value": 0.60, "sizes": None},
    {"endpoint": "search_rare", "kind": "p95", "value": 20.0, "sizes": [100_000]},
    {"endpoint": "search_common", "kind": "p95", "value": 150.0, "sizes": [100_000]},
    {"endpoint": "dashboard", "kind": "p95", "value": 200.0, "sizes": None},
    {"endpoint": "dashboard_cold", "kind": "p95", "value": 200.0, "sizes": None},
    {"endpoint": "transition", "kind": "p95", "value": 60.0, "sizes": None},
    {"endpoint": "api_detail_304", "kind": "vs", "value": 1.0, "other": "api_detail", "sizes": None},
    {"endpoint": "api_list_304", "kind": "vs", "value": 1.0, "other": "api_list", "sizes": None},
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

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def http_get(url: str, headers: dict[str, str] | None = None, method: str = "GET", data: bytes | None = None):
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
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


def endpoints(state: dict[str, Any], pool: tuple[int, int]) -> list[Endpoint]:
    from django.conf import settings
    from django.templatetags.static import static

    from bench import seed

    bypass = {"X-Bench-Cache": "bypass"}
    token = state.get("token")
    auth = {"Authorization": f"Token {token}"} if token else {}
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={state['session']}"}
    catalogue = reverse_or_none("catalog:solution-list")
    api_list = reverse_or_none("api:solution-list")
    api_detail = reverse_or_none("api:solution-detail", slug=state["detail_slug"])
    dashboard = reverse_or_none("catalog:dashboard-province")
    transition = reverse_or_none("api:adoption-transition", pk=pool[0])
    found = [
        Endpoint("bare", "bare view (reference)", "/_bench/bare/"),
        Endpoint("catalogue_uncached", "catalogue HTML, anonymous, uncached", catalogue, dict(bypass)),
        Endpoint("catalogue_cached", "catalogue HTML, anonymous, cached", catalogue),
        Endpoint("api_list", "API solution list", api_list),
        Endpoint("api_list_304", "API solution list, If-None-Match → 304", api_list, expect=304),
        Endpoint("api_detail", "API solution detail", api_detail),
        Endpoint("api_detail_304", "API solution detail, If-None-Match → 304", api_detail, expect=304),
        Endpoint("static", "static file (whitenoise)", static("css/portal.css")),
        Endpoint("search_rare", f"search, rare word «{seed.RARE_WORD}»",
                 f"{catalogue}?q={seed.RARE_WORD}" if catalogue else None, dict(bypass), LATENCY_CONNECTIONS),
        Endpoint("search_common", f"search, common word «{seed.COMMON_WORD}»",
                 f"{catalogue}?q={seed.COMMON_WORD}" if catalogue else None, dict(bypass), LATENCY_CONNECTIONS),
        Endpoint("dashboard", "provincial dashboard (analyst session)", dashboard, dict(cookie), LATENCY_CONNECTIONS),
        Endpoint("transition", "adoption transition: approve (POST, token)",
                 transition if token else None, dict(auth), LATENCY_CONNECTIONS, script="transition.lua",
                 method="POST"),
    ]
    return found


def check_endpoint(web: Web, endpoint: Endpoint) -> None:
    """Mark the endpoint missing (not routed) or in error (not the expected answer); fetch ETags for 304 runs."""
    if endpoint.path is None:
        endpoint.status, endpoint.note = "missing", "not routed"
        return
    if endpoint.method != "GET":
        return
    if endpoint.expect == 304 and not refresh_etag(web, endpoint):
        endpoint.status, endpoint.note = "missing", "no ETag on the 200 response"
        return
    status, _headers, body = http_get(web.url(endpoint.path), endpoint.headers)
    if status == 404 and endpoint.expect != 404:
        endpoint.status, endpoint.note = "missing", "404"
    elif status != endpoint.expect:
        endpoint.status, endpoint.note = "error", f"HTTP {status}: {body[:200]!r}"


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
    return data


# --- queries per request (instrumented, in this process) -----------------------------------------------------


def instrumented(endpoint: Endpoint, pool_id: int | None) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    extra = {}
    for name, value in endpoint.headers.items():
        if name == "Cookie":
            key, _, val = value.partition("=")
            client.cookies[key] = val
        else:
            extra["HTTP_" + name.upper().replace("-", "_")] = value
    if endpoint.method == "POST":
        # Two adoptions of the pool: the first warms this process up (imports, token lookup), the second is measured.
        def post(pk: int):
            return client.post(reverse_or_none("api:adoption-transition", pk=pk),
                               data={"action": "approve", "note": "misura"}, content_type="application/json", **extra)

        post(pool_id)
        call = lambda: post(pool_id + 1)  # noqa: E731
    else:
        client.get(endpoint.path, **extra)  # warm: caches, connection
        call = lambda: client.get(endpoint.path, **extra)  # noqa: E731
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000
    db_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    return {"queries": len(queries.captured_queries), "status": response.status_code, "ms": round(elapsed, 2),
            "db_ms": round(db_ms, 1)}


def cold_dashboard(endpoint: Endpoint, repeat: int = 12) -> dict[str, Any] | None:
    """The provincial dashboard right after a change (its figures' cache invalidated), timed in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    try:
        from catalog.dashboards import stats

    except ImportError:
        return None
    client = Client(raise_request_exception=False)
    key, _, value = endpoint.headers["Cookie"].partition("=")
    client.cookies[key] = value
    times, counts = [], []
    for _ in range(repeat):
        stats.invalidate()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(endpoint.path)
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries.captured_queries))
        if response.status_code != 200:
            return {"status": "error", "note": f"HTTP {response.status_code}"}
    times.sort()
    return {
        "status": "ok", "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2), "queries": max(counts),
        "rounds": repeat,
    }


# --- one size -------------------------------------------------------------------------------------------------


def measure_size(size: int, args, env: dict[str, str], redis: Redis, wrk: str) -> dict[str, Any]:
    from bench import seed

    started = time.monotonic()
    log(f"size {size:,}: seeding solutions")
    added = seed.seed_solutions(size)
    log(f"size {size:,}: {added:,} solutions added; seeding {ADOPTIONS:,} adoptions")
    pool = seed.seed_adoptions(ADOPTIONS, pool=POOL)
    log(f"size {size:,}: refreshing the search vectors (one UPDATE)")
    t = time.monotonic()
    seed.refresh_search()
    search_seconds = time.monotonic() - t
    seed.vacuum()
    state = prepare_state(env)
    seeding_seconds = time.monotonic() - started
    redis.flush()

    web = Web(env, free_port()).start()
    try:
        found = endpoints(state, pool)
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
                # that a slow endpoint's leftovers are not measured as part of the next one.
                time.sleep(min(15.0, 1.2 * data["max_ms"] / 1000) + 0.2)
                if endpoint.key == "transition":
                    next_pool_id += data["requests"] + endpoint.connections + 1
                if round_no:
                    runs[endpoint.key].append(data)
            log(f"size {size:,}: round {round_no}/{args.rounds} done" + (" (warm-up)" if round_no == 0 else ""))
        results: dict[str, Any] = {}
        bare_rps = [r["rps"] for r in runs.get("bare", [])]
        for endpoint in found:
            entry: dict[str, Any] = {"label": endpoint.label, "path": endpoint.path, "status": endpoint.status,
                                     "note": endpoint.note, "connections": endpoint.connections}
            if endpoint.status == "ok":
                data = runs[endpoint.key]
                entry["rps"] = round(statistics.median(r["rps"] for r in data), 1)
                entry["p50_ms"] = round(statistics.median(r["p50_ms"] for r in data), 2)
                entry["p95_ms"] = round(statistics.median(r["p95_ms"] for r in data), 2)
                entry["errors"] = sum(r["errors"] for r in data)
                entry["requests"] = sum(r["requests"] for r in data)
                if bare_rps:
                    entry["ratio"] = round(statistics.median(r["rps"] / b for r, b in zip(data, bare_rps, strict=True)), 3)
                entry["rounds"] = [{k: r[k] for k in ("rps", "p50_ms", "p95_ms", "errors")} for r in data]
                if entry["errors"]:
                    entry["status"], entry["note"] = "error", f"{entry['errors']} failed requests"
            results[endpoint.key] = entry
        # Queries per request: one instrumented request each, in this process, after the load.
        for endpoint in found:
            if endpoint.status != "ok" or endpoint.key in ("bare", "static"):
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
                results["dashboard_cold"] = {"label": "provincial dashboard, figures recomputed (cache invalidated)",
                                             "path": dashboard.path, **cold}
        else:
            results["dashboard_cold"] = {"label": "provincial dashboard, figures recomputed", "status": "missing"}
    finally:
        web.stop()
    return {
        "solutions": size, "adoptions": ADOPTIONS, "seconds_seeding": round(seeding_seconds, 1),
        "seconds_search_vector": round(search_seconds, 1), "seconds_total": round(time.monotonic() - started, 1),
        "endpoints": results,
    }


# --- targets, results, report ---------------------------------------------------------------------------------


def evaluate(sizes: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for target in TARGETS:
        for size_key, data in sizes.items():
            size = int(size_key)
            if target["sizes"] is not None and size not in target["sizes"]:
                continue
            entry = data["endpoints"].get(target["endpoint"], {"status": "missing"})
            check = {**target, "size": size, "measured": None, "met": False}
            check.pop("sizes")
            if entry.get("status") != "ok":
                check["status"] = entry.get("status", "missing")
            elif target["kind"] == "ratio":
                check["measured"] = entry.get("ratio")
                check["met"] = entry.get("ratio", 0) >= target["value"]
            elif target["kind"] == "p95":
                check["measured"] = entry["p95_ms"]
                check["met"] = entry["p95_ms"] <= target["value"]
            elif target["kind"] == "vs":
                other = data["endpoints"].get(target["other"], {})
                if other.get("status") == "ok":
                    check["measured"] = round(entry["rps"] / other["rps"], 3)
                    check["met"] = check["measured"] >= target["value"]
                else:
                    check["status"] = "missing"
            check.setdefault("status", "ok")
            checks.append(check)
    return checks


def describe_target(check: dict[str, Any]) -> str:
    if check["kind"] == "ratio":
        return f"≥ {check['value']} × bare"
    if check["kind"] == "p95":
        return f"p95 ≤ {check['value']:g} ms"
    return f"≥ {check['value']} × {check['other']}"


def markdown(results: dict[str, Any]) -> str:
    lines = [TABLE_START, "", f"Measured {results['generated_at']} on {results['machine']['description']}; "
             f"gunicorn {results['config']['web_workers']} workers × {results['config']['web_threads']} threads; "
             f"{results['config']['rounds']} rounds of {results['config']['duration_s']} s per endpoint; "
             f"whole run {results['seconds_total']:.0f} s.", ""]
    for size_key, data in results["sizes"].items():
        lines += [f"### {int(size_key):,} solutions, {data['adoptions']:,} adoptions".replace(",", " "), "",
                  f"Seeding {data['seconds_seeding']} s (search vectors: {data['seconds_search_vector']} s).", "",
                  "| endpoint | conns | req/s | × bare | p50 ms | p95 ms | queries | one request: total / SQL ms | status |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for key, entry in data["endpoints"].items():
            queries = entry.get("queries", {})
            q = queries.get("queries", "") if isinstance(queries, dict) else queries
            one = f"{queries['ms']} / {queries['db_ms']}" if isinstance(queries, dict) and "db_ms" in queries else ""
            lines.append(
                f"| {entry.get('label', key)} | {entry.get('connections', '')} | {entry.get('rps', '')} | "
                f"{entry.get('ratio', '')} | {entry.get('p50_ms', '')} | {entry.get('p95_ms', '')} | {q} | {one} | "
                f"{entry.get('status')}{(' — ' + entry['note']) if entry.get('note') else ''} |"
            )
        lines.append("")
    lines += ["### Targets", "", "| size | endpoint | target | measured | met |", "|---:|---|---|---:|---|"]
    for check in results["targets"]:
        measured = check["measured"] if check["measured"] is not None else check["status"]
        lines.append(f"| {check['size']:,} | {check['endpoint']} | {describe_target(check)} | {measured} | "
                     f"{'yes' if check['met'] else '**no**'} |".replace(",", " "))
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
    return {
        "cpus": cpus, "python": platform.python_version(), "postgresql": pg, "wrk": wrk_version,
        "description": f"{cpus} CPUs, Python {platform.python_version()}, PostgreSQL {pg}, wrk {wrk_version}; "
                       "load generator, database and server on the same machine",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--no-report", action="store_true", help="do not write results.json and the doc table")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
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
        for size in sizes:
            measured[str(size)] = measure_size(size, args, env, redis, wrk)
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
                   "latency_connections": LATENCY_CONNECTIONS, "web_command": procfile_command("web")},
        "sizes": measured,
    }
    results["targets"] = evaluate(measured)
    results["seconds_total"] = round(time.monotonic() - started, 1)
    results["passed"] = all(c["met"] for c in results["targets"])
    (WORK / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if not args.no_report:
        write_report(results)
    for check in results["targets"]:
        log(f"{'ok  ' if check['met'] else 'MISS'} {check['size']:>7,} {check['endpoint']:<20} "
            f"{describe_target(check):<24} measured {check['measured'] if check['measured'] is not None else check['status']}")
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

