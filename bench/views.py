"""The reference view of the benchmark (`make bench`), routed only by the benchmark's own URLconf (bench/urls.py).

It does no work of its own: a request to it costs exactly the WSGI server, the middleware stack (sessions,
CSRF, locale, security headers, CSP, axes...) and the network, so every other endpoint's throughput is reported as a
ratio to it, which makes the figures comparable across machines.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")
