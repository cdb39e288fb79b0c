"""Pages of the sources: the list, registering one, a source with its last harvests, and the buttons that harvest
now, pause, resume or remove it. A source of another body is a 404; a button it may not press, a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog import permissions
from catalog.access import acting_person, get_source_for
from catalog.harvest import services
from catalog.harvest.forms import SourceForm
from catalog.harvest.presentation import describe_change
from catalog.models import HarvestRun, Source
from cstportal.errors import service_errors_as_messages
from municipalities import permissions as people

PAGE_SIZE = 25
RECENT_RUNS = 10


def _may_list(user: Any) -> bool:
    return permissions.can_register_source(user) or people.sees_everything(user)


@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    """The sources of the person's bodies (every source for CST staff and analysts), with their last harvest."""
    if not _may_list(request.user):
        raise PermissionDenied
    # Queries: count, one page of sources with body, solution and last run joined.
    sources = permissions.sources_visible_to(
        request.user,
        Source.objects.exclude(status=Source.Status.REMOVED).select_related("body", "solution", "last_run"),
    ).order_by("url", "pk")
    page = Paginator(sources, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/harvest/source_list.html", {
        "page_obj": page, "sources": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "can_register": permissions.can_register_source(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def source_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_register_source(request.user):
        raise PermissionDenied
    form = SourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with service_errors_as_messages(request, form=form) as outcome:
            source = services.register_source(url=form.cleaned_data["url"], by=acting_person(request),
                                              body=form.cleaned_data["body"], kind=form.cleaned_data.get("kind", ""))
        if outcome.ok:
            messages.success(request, _("Sorgente registrata: la prima raccolta è in corso."))
            return redirect(source)
    return render(request, "catalog/harvest/source_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _run_context(run: HarvestRun | None) -> dict[str, Any]:
    if run is None:
        return {"run": None}
    return {
        "run": run,
        "changes": [describe_change(change) for change in run.changes],
        "errors": run.error_messages(),
        "warnings": run.warning_messages(),
    }


@login_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_source_for(request.user, pk)
    runs = list(source.runs.select_related("requested_by")[:RECENT_RUNS])
    pending = next((run for run in runs if run.is_pending), None)
    last_change = source.runs.filter(outcome__in=[HarvestRun.Outcome.CREATED, HarvestRun.Outcome.UPDATED]).first()
    return render(request, "catalog/harvest/source_detail.html", {
        "source": source,
        "runs": runs,
        "pending": pending,
        "last": _run_context(source.last_run),
        "last_change": _run_context(last_change) if last_change and last_change != source.last_run else None,
        "can_manage": permissions.can_manage_source(request.user, source),
        "catalog_solutions": (
            source.entries.filter(solution__isnull=False).count() if source.kind == Source.Kind.CATALOG else 0
        ),
    })


@login_required
def source_run_progress(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """The progress block alone: htmx polls it every 2 seconds while the harvest is queued or running."""
    source = get_source_for(request.user, pk)
    run = source.runs.filter(pk=run_pk).first()
    if run is None:
        raise Http404("run")
    return render(request, "catalog/harvest/_run_progress.html", {"source": source, "pending": run})


@login_required
@require_http_methods(["GET", "POST"])
def source_harvest(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_source_for(request.user, pk, manage=True)
    if request.method == "GET":  # the button lives on the source's page; a GET changes nothing
        return redirect(source)
    with service_errors_as_messages(request) as outcome:
        services.request_harvest(source, by=acting_person(request))
    if outcome.ok:
        messages.success(request, _("Raccolta avviata: l'avanzamento è qui sotto."))
    return redirect(source)


@login_required
@require_http_methods(["GET", "POST"])
def source_pause(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_source_for(request.user, pk, manage=True)
    if request.method == "GET":  # the button lives on the source's page; a GET changes nothing
        return redirect(source)
    with service_errors_as_messages(request) as outcome:
        services.pause_source(source, by=acting_person(request))
    if outcome.ok:
        messages.success(request, _("Sorgente in pausa: non sarà raccolta finché non la riattivi."))
    return redirect(source)


@login_required
@require_http_methods(["GET", "POST"])
def source_resume(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_source_for(request.user, pk, manage=True)
    if request.method == "GET":  # the button lives on the source's page; a GET changes nothing
        return redirect(source)
    with service_errors_as_messages(request) as outcome:
        services.resume_source(source, by=acting_person(request))
    if outcome.ok:
        messages.success(request, _("Sorgente riattivata: sarà raccolta a breve."))
    return redirect(source)


@login_required
@require_http_methods(["GET", "POST"])
def source_remove(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_source_for(request.user, pk, manage=True)
    if request.method == "GET":  # the button lives on the source's page; a GET changes nothing
        return redirect(source)
    with service_errors_as_messages(request) as outcome:
        services.remove_source(source, by=acting_person(request))
    if outcome.ok:
        messages.success(request, _("Sorgente rimossa. La soluzione resta nel catalogo e si modifica ora dal portale."))
        return redirect("catalog:source-list")
    return redirect(source)
