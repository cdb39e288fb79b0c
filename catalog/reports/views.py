"""Report pages: request a report, follow its progress, download it, read its HTML version.

A report of another body (or solution) is a 404, on the page, the download and the HTML version alike.
"""

from __future__ import annotations

from typing import Any

from csp.constants import NONE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog import permissions
from catalog.access import get_report_for
from catalog.models import Report
from catalog.reports.documents import CONTENT_TYPES
from catalog.reports.forms import ReportRequestForm
from catalog.reports.services import request_report
from cstportal.errors import service_errors_as_messages

PAGE_SIZE = 20


def _list_context(request: HttpRequest, form: ReportRequestForm) -> dict[str, Any]:
    # Queries: count, one page of reports with body, solution and requester joined.
    reports = permissions.reports_visible_to(
        request.user, Report.objects.select_related("body", "solution", "requested_by")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "form": form,
        "page_obj": page,
        "reports": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number),
    }


@require_http_methods(["GET", "POST"])
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the person may see and the form to request one. The form posts here, so that a form sent back
    with errors is at an address that also answers GET."""
    if request.method == "GET":
        return render(request, "catalog/reports/list.html", _list_context(request, ReportRequestForm(user=request.user)))
    form = ReportRequestForm(request.POST, user=request.user)
    if not form.can_request or not form.is_valid():
        return render(request, "catalog/reports/list.html", _list_context(request, form), status=400)
    data = form.cleaned_data
    with service_errors_as_messages(request, form=form) as outcome:
        report = request_report(
            by=request.user, kind=data["kind"], format=data["format"], body=data.get("body"),
            solution=data.get("solution"), date_from=data.get("date_from"), date_to=data.get("date_to"),
            solution_kind=data.get("solution_kind") or "",
        )
    if not outcome.ok:
        return render(request, "catalog/reports/list.html", _list_context(request, form), status=400)
    messages.success(request, _("Richiesta registrata: il rapporto sarà pronto tra poco in questa pagina."))
    return redirect(report)


@require_http_methods(["GET", "POST"])
@login_required
def report_request(request: HttpRequest) -> HttpResponse:
    """The form's former address: a page loaded before the form moved still posts here; a GET goes to the form."""
    if request.method == "GET":
        return redirect("catalog:report-list")
    return report_list(request)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "catalog/reports/detail.html", {"report": get_report_for(request.user, pk)})


@login_required
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone: htmx polls it every 2 seconds while the report is queued or running."""
    return render(request, "catalog/reports/_progress.html", {"report": get_report_for(request.user, pk)})


def _open_stored(report: Report, field: str):
    """The finished report's stored file (`file` or `html_file`), open for reading; 404 while there is none."""
    stored = getattr(report, field)
    if report.status != Report.Status.DONE or not stored:
        raise Http404(f"report {field}")
    try:
        return stored.open("rb")
    except FileNotFoundError:
        raise Http404(f"report {field}")


@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = get_report_for(request.user, pk)
    return FileResponse(_open_stored(report, "file"), as_attachment=True, filename=report.filename)


# A stored page served from the portal's own address: it needs no script, so none may run, whatever it held.
@csp_replace({"script-src": [NONE], "connect-src": [NONE], "form-action": [NONE]})
@login_required
def report_html(request: HttpRequest, pk: int) -> FileResponse:
    """The report's accessible HTML version, shown in the browser (and saved as a .html file from there)."""
    report = get_report_for(request.user, pk)
    return FileResponse(_open_stored(report, "html_file"), filename=report.html_filename,
                        content_type=CONTENT_TYPES["html"])
