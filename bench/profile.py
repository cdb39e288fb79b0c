"""Where the time of one request goes: its SQL (with EXPLAIN ANALYZE of the slowest) and a Python profile.

    .venv/bin/python -m bench.profile /catalogo/?q=tributi [--user EMAIL] [--header "Name: value"] [--repeat 5]
    .venv/bin/python -m bench.profile /catalogo/cruscotto/provincia/ --user EMAIL --invalidate-figures
    .venv/bin/python -m bench.profile "/api/v1/adoptions/{n}/transition/" --user EMAIL --post '{"action": "approve"}' --start 992100

Runs against the benchmark database left by `python -m bench.run --keep` (BENCH_DATABASE_URL), in this process,
with the production settings (DEBUG=0). The figures of docs/performance.md's analysis come from here.
`--invalidate-figures` makes every request the first after a change: the dashboards serve their last figures,
marked stale, and queue one refresh; with CELERY_TASK_ALWAYS_EAGER=1 the refresh runs in the request, which then
measures the recompute;
`--post` sends that JSON body instead of a GET, `{n}` in the path counting up from `--start` (each transition
needs an adoption of its own).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--user", help="log in as this e-mail address (a forced session)")
    parser.add_argument("--header", action="append", default=[], help='"Name: value", repeatable')
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE the N slowest queries")
    parser.add_argument("--top", type=int, default=25, help="lines of the Python profile")
    parser.add_argument("--invalidate-figures", action="store_true", help="invalidate catalog.dashboards.stats before each request")
    parser.add_argument("--post", help="a JSON body: POST it instead of a GET")
    parser.add_argument("--start", type=int, default=0, help="first value of {n} in the path")
    args = parser.parse_args(argv)

    from bench.run import DATABASE_URL

    os.environ.update({
        "DEBUG": "0", "SECRET_KEY": "bench-" + "k" * 60, "DATABASE_URL": DATABASE_URL,
        "ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "bench.settings", "LOG_LEVEL": "WARNING",
        "API_THROTTLE_ANON": "100000000/minute", "API_THROTTLE_USER": "100000000/minute",
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Static URLs without the manifest of a collectstatic run (a dictionary lookup in production either way).
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from municipalities.models import User

    client = Client(raise_request_exception=True)
    if args.user:
        client.force_login(User.objects.get(email=args.user))
    extra = {}
    for header in args.header:
        name, _, value = header.partition(":")
        extra["HTTP_" + name.strip().upper().replace("-", "_")] = value.strip()

    counter = iter(range(args.start, args.start + 10_000_000))

    def ask():
        path = args.path.replace("{n}", str(next(counter)))
        if args.invalidate_figures:
            from catalog.dashboards import stats

            stats.invalidate()
        if args.post is not None:
            return client.post(path, data=args.post, content_type="application/json", **extra)
        return client.get(path, **extra)

    ask()  # warm
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = ask()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{args.path}: HTTP {response.status_code}, {len(response.content):,} bytes, "
          f"median {statistics.median(times):.1f} ms over {args.repeat} (min {min(times):.1f}, max {max(times):.1f})")

    with CaptureQueriesContext(connection) as queries:
        ask()
    timed = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
    total = sum(float(q["time"]) for q in timed) * 1000
    print(f"\n{len(timed)} queries, {total:.1f} ms in the database:")
    for q in queries.captured_queries:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:160]}")
    for q in timed[: args.explain]:
        print(f"\nEXPLAIN ANALYZE ({float(q['time']) * 1000:.1f} ms): {q['sql'][:300]}")
        if not q["sql"].lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            for (line,) in cursor.fetchall():
                print("  " + line)

    profile = cProfile.Profile()
    profile.enable()
    ask()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print("\nPython profile (cumulative):")
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
