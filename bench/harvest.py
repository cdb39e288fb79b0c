"""Benchmark of the harvest: N local repositories harvested by real Celery workers, then harvested again unchanged.

    python -m bench.harvest [--sources 200] [--workers 2]

Steps: a dedicated PostgreSQL database (BENCH_HARVEST_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/cstportal_harvest_bench) is dropped, created and migrated; N bare repositories are
made with the git CLI under BENCH_DIR (each: a valid publiccode.yml, a logo, source files over three commits, a
version tag) and registered as sources of the Comune di Pesaro; a private redis-server is the broker. The beat
job's service queues a run per source while `--workers` worker processes (one task at a time each) and the outbox
relay (`relay_outbox --loop`, every 0.3 s) are running, and the clock runs from the queueing until every run is done. The second pass queues every source again with nothing changed in any repository (each run
lists the remote's refs, finds the fingerprint unchanged, writes nothing but its own row).

Prints the figures as JSON; docs/performance.md keeps them (section "Harvest"). Not a test: figures are measured,
not asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.run import ROOT, Redis, log

WORK = Path(os.environ.get("BENCH_DIR", "/tmp/cstportal-bench")) / "harvest"
DATABASE_URL = os.environ.get("BENCH_HARVEST_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/cstportal_harvest_bench")
GIT_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "LC_ALL": "C", "GIT_AUTHOR_NAME": "Comune di Pesaro", "GIT_AUTHOR_EMAIL": "ict@comune.pesaro.example",
           "GIT_COMMITTER_NAME": "Comune di Pesaro", "GIT_COMMITTER_EMAIL": "ict@comune.pesaro.example"}
PUBLICCODE = """publiccodeYmlVersion: '0.4.0'
name: Soluzione {n:03d}
url: https://code.cstpu.example/pesaro/soluzione-{n:03d}.git
softwareVersion: '1.{n}'
releaseDate: '2025-01-15'
logo: img/logo.png
platforms: [web]
categories: [document-management]
developmentStatus: stable
softwareType: standalone/web
description:
  it:
    shortDescription: Soluzione {n:03d} per la gestione documentale dei comuni.
    longDescription: >-
      La soluzione {n:03d} registra i documenti in entrata e in uscita, li assegna agli uffici, conserva i fascicoli
      e si integra con la posta elettronica certificata e con la conservazione a norma dell'ente che la usa.
    features: [Registrazione, Fascicolazione]
legal: {{license: EUPL-1.2}}
maintenance: {{type: internal, contacts: [{{name: Anna Verdi, email: anna.verdi@cstpu.example}}]}}
localisation: {{localisationReady: true, availableLanguages: [it]}}
organisation: {{name: Comune di Pesaro, uri: 'urn:x-italian-pa:c_g479'}}
"""


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, env={**GIT_ENV, "HOME": str(WORK)}, check=True, capture_output=True)


def logo(n: int) -> bytes:
    """A small real PNG of its own for each solution (the harvest checks and keeps it)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (n % 256, (n * 7) % 256, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_repositories(count: int) -> list[Path]:
    sources = WORK / "sources"
    shutil.rmtree(WORK / "sources", ignore_errors=True)
    shutil.rmtree(WORK / "work", ignore_errors=True)
    sources.mkdir(parents=True)
    bare_paths = []
    for n in range(count):
        work = WORK / "work" / f"soluzione-{n:03d}"
        (work / "img").mkdir(parents=True)
        (work / "src").mkdir()
        bare = sources / f"soluzione-{n:03d}.git"
        git("init", "--quiet", "--bare", "-b", "main", str(bare), cwd=sources)
        git("config", "uploadpack.allowFilter", "true", cwd=bare)
        git("init", "--quiet", "-b", "main", cwd=work)
        (work / "publiccode.yml").write_text(PUBLICCODE.format(n=n))
        (work / "img" / "logo.png").write_bytes(logo(n))
        for step in range(3):
            (work / "src" / f"modulo{step}.py").write_text(f"# modulo {step} della soluzione {n}\n" * 50)
            git("add", "--all", cwd=work)
            git("commit", "--quiet", "-m", f"Passo {step}", cwd=work)
        git("tag", f"v1.{n}", cwd=work)
        git("push", "--quiet", str(bare), "main", "--tags", cwd=work)
        bare_paths.append(bare)
    return bare_paths


def recreate_database() -> None:
    import psycopg

    base, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def start(name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
    log_file = (WORK / f"{name}.log").open("w")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)


def wait_until_done(expected: int, timeout: float) -> float:
    from catalog.models import HarvestRun

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if HarvestRun.objects.filter(status=HarvestRun.Status.DONE, finished_at__isnull=False).count() >= expected:
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"not every harvest finished within {timeout:.0f} s (logs in {WORK})")


def harvest_pass(label: str, *, now: dt.datetime, expected_done: int) -> dict:
    from catalog.harvest import services
    from catalog.models import HarvestRun

    queued = services.queue_due_harvests(now=now)
    seconds = wait_until_done(expected_done, timeout=900)
    runs = HarvestRun.objects.filter(pk__in=queued)
    outcomes: dict[str, int] = {}
    for outcome in runs.values_list("outcome", flat=True):
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    log(f"{label}: {len(queued)} sources in {seconds:.1f} s — {outcomes}")
    return {"sources": len(queued), "seconds": round(seconds, 1), "outcomes": outcomes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    log(f"making {args.sources} repositories under {WORK / 'sources'}")
    made = time.monotonic()
    repositories = make_repositories(args.sources)
    log(f"repositories made in {time.monotonic() - made:.1f} s")
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    shutil.rmtree(WORK / "media", ignore_errors=True)
    redis = Redis(WORK / "redis").start()
    env = {
        **os.environ,
        "DEBUG": "0", "SECRET_KEY": "bench-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": f"{redis.url}/0", "VAR_DIR": str(WORK / "var"), "MEDIA_ROOT": str(WORK / "media"),
        "LOG_LEVEL": "WARNING",
        "HARVEST_LOCAL_ROOTS": str(WORK / "sources"), "HARVEST_CACHE_DIR": str(WORK / "cache"),
        "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "cstportal.settings",
    }
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    os.environ.update(env)
    workers: list[subprocess.Popen] = []
    try:
        log(f"database {DATABASE_URL}: recreating and migrating")
        recreate_database()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
        import django

        django.setup()
        from django.conf import settings
        from django.utils import timezone

        from catalog.models import Source
        from municipalities.models import Body

        pesaro = Body.objects.get(istat_code="041044")
        Source.objects.bulk_create([Source(url=f"file://{path}", body=pesaro) for path in repositories])
        for n in range(args.workers):
            workers.append(start(f"worker-{n}", [
                sys.executable, "-m", "celery", "-A", "cstportal", "worker", "--concurrency", "1", "--pool",
                "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"harvest{n}@%h",
                "--loglevel", os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING")], env))
        workers.append(start("relay", [sys.executable, "manage.py", "relay_outbox", "--loop", "--interval", "0.3"],
                             env))
        time.sleep(10)  # the workers' and the relay's start, outside the measure
        now = timezone.now()
        first = harvest_pass("first", now=now, expected_done=args.sources)
        later = now + dt.timedelta(seconds=settings.HARVEST_INTERVAL_SECONDS + 1)
        second = harvest_pass("second (unchanged)", now=later, expected_done=2 * args.sources)
        print(json.dumps({"sources": args.sources, "workers": args.workers, "first": first, "second": second},
                         indent=2))
    finally:
        for worker in workers:
            stop(worker)
        redis.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
