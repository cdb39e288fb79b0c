"""One provincial report built as a worker builds it, in a process of its own: its time and the process's peak memory.

    python -m bench.report_job xlsx|pdf

Started by bench/run.py with the environment of the measured server (database, cache, settings). The figures'
cache is invalidated first, as after any change: the report is the first reader and computes them. The report
runs through the task's own service (catalog.reports.services.run_report), so what is measured is the task's body;
the peak resident memory (VmHWM of /proc/self/status) includes Django and the app, as a worker process's does.
Not ru_maxrss: Linux keeps it across exec, so a process started by a big parent would report the parent's size at
the fork. Prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def peak_rss_mb() -> float:
    """The process's peak resident memory since its exec, in MB (ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    fmt = (argv or sys.argv[1:])[0]
    import django

    django.setup()
    from bench import seed
    from catalog.dashboards import stats
    from catalog.models import Report
    from catalog.reports.services import request_report, run_report
    from municipalities.models import User

    analyst = User.objects.get(email=seed.PERSONAS["analyst"][0])
    stats.invalidate()
    baseline = peak_rss_mb()
    report = request_report(by=analyst, kind=Report.Kind.PROVINCIAL, format=fmt)
    started = time.perf_counter()
    done = run_report(report_id=report.pk)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    print("BENCH_JSON " + json.dumps({
        "status": done.status if done else "not run", "error": done.error if done else "",
        "seconds": round(seconds, 2), "max_rss_mb": round(peak, 1), "rss_before_mb": round(baseline, 1),
        "bytes": done.file.size if done and done.file else 0,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
