"""Settings of the portal under the benchmark: the portal's own, plus the benchmark's URLconf (the bare reference
view and the plain DRF peer of the solution API, bench/urls.py) and a way to run a catalogue view without the page
cache (a request with `X-Bench-Cache: bypass`: bench/profile.py and the query counts of bench/run.py use it)."""

from cstportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ANON_CACHE_BYPASS_HEADER = "X-Bench-Cache"
