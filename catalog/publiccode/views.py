"""publiccode.yml upload (publishers, CST staff) and download (anyone who may see the solution)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalog.access import get_solution_for
from catalog.models import Solution
from catalog.permissions import can_create_solution, can_view_solution_contacts
from catalog.publiccode.export import export_publiccode
from catalog.publiccode.forms import PubliccodeImportForm
from catalog.publiccode.services import import_publiccode, import_publiccode_from_url
from catalog.solutions.forms import CONFIRM_NEW


@login_required
def publiccode_import(request: HttpRequest) -> HttpResponse:
    if not can_create_solution(request.user):
        raise PermissionDenied
    form = PubliccodeImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    kept = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Close matches first (catalog.solutions.suggestions); the second button imports it all the same.
        stop = CONFIRM_NEW not in request.POST
        raw = form.content()
        if raw is None:
            result = import_publiccode_from_url(data["url"], by=request.user, owner=data["owner"],
                                                dry_run=data["dry_run"], stop_at_near_duplicates=stop)
        else:
            result = import_publiccode(raw, by=request.user, owner=data["owner"], dry_run=data["dry_run"],
                                       stop_at_near_duplicates=stop)
            if result.near_duplicates:
                kept = base64.b64encode(raw).decode("ascii")
        if result.ok and not result.dry_run:
            if not result.created:
                message = _("Soluzione «%(name)s» aggiornata dal file publiccode.yml.")
            elif result.solution.status == Solution.Status.PUBLISHED:
                message = _("Soluzione «%(name)s» importata e pubblicata nel catalogo.")
            else:
                message = _("Soluzione «%(name)s» importata e inviata in revisione allo staff del CST.")
            messages.success(request, message % {"name": result.solution.name})
            for warning in result.warnings:
                messages.warning(request, _("Da completare — %(warning)s") % {"warning": warning})
            return redirect(result.solution)
    return render(request, "catalog/publiccode_import.html", {
        "form": form,
        "result": result,
        "duplicates": result.near_duplicates if result is not None else [],
        "confirm_new": CONFIRM_NEW,
        "kept": kept,
    })


def solution_publiccode(request: HttpRequest, slug: str) -> HttpResponse:
    solution = get_solution_for(request.user, slug)
    text = export_publiccode(solution, include_contacts=can_view_solution_contacts(request.user, solution))
    response = HttpResponse(text, content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="publiccode.yml"'
    return response
