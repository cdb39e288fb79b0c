from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check_broker, check_database


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    broker = check_broker()
    status = 200 if database["ok"] else 503
    return JsonResponse(
        {"status": "ok" if database["ok"] and broker["ok"] else "degraded", "database": database, "broker": broker},
        status=status,
    )


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
