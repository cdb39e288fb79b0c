from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check_broker, check_cache, check_database
from .lost_connection import database_unavailable_response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers: without the broker (notifications wait in the outbox) or the cache (pages
    and figures are computed) the portal serves every request, "degraded"; 503 when the database does not answer."""
    checks = {"database": check_database(), "broker": check_broker(), "cache": check_cache()}
    if not checks["database"]["ok"]:
        status = "down"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, **checks}, status=503 if status == "down" else 200)


def static_page(template: str):
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template)

    view.__name__ = template.rsplit("/", 1)[-1].replace(".html", "").replace("-", "_")
    return view


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a lost database connection is a 503, not a server error.
    unavailable = database_unavailable_response(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    # No context processors that could fail again: a plain render of a self-contained template.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)


def feedback(request: HttpRequest) -> HttpResponse:
    """A message from anybody to CST staff: stored in the notifications outbox, sent by the workers."""
    from .forms import FeedbackForm
    from .services import submit_feedback

    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit_feedback(name=data["name"], email=data["email"], page=data["page"], message=data["message"])
        return render(request, "pages/feedback.html", {"sent": True})
    return render(request, "pages/feedback.html", {"form": form}, status=400 if form.errors else 200)
