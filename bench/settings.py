"""Settings of the portal under the benchmark: the portal's own, plus the reference view and a way to measure the
catalogue's views without the page cache (a request with `X-Bench-Cache: bypass`)."""

from cstportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ANON_CACHE_BYPASS_HEADER = "X-Bench-Cache"
