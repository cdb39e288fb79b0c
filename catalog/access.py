"""Fetch-and-authorise helpers shared by the HTML views and the API.

An object the user may not see is a 404 (never a hint that it exists); one they may see but not act on is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from catalog import permissions
from catalog.models import Adoption, Report, Solution, Source
from catalog.workflow import Action


def get_solution_for(user: Any, slug: str, *, edit: bool = False) -> Solution:
    solution = Solution.objects.select_related("owner").filter(slug=slug).first()
    if solution is None or not permissions.can_view_solution(user, solution):
        raise Http404("solution")
    if edit and not permissions.can_edit_solution(user, solution):
        raise PermissionDenied
    return solution


def get_adoption_for(user: Any, pk: int, *, action: Action | str | None = None) -> Adoption:
    adoption = Adoption.objects.select_related("solution", "body", "owner_body").filter(pk=pk).first()
    if adoption is None or not permissions.can_view_adoption(user, adoption):
        raise Http404("adoption")
    if action is not None and not permissions.can_act_on_adoption(user, adoption, action):
        raise PermissionDenied
    return adoption


def get_report_for(user: Any, pk: int) -> Report:
    report = Report.objects.select_related("body", "solution__owner", "requested_by").filter(pk=pk).first()
    if report is None or not permissions.can_view_report(user, report):
        raise Http404("report")
    return report


def get_source_for(user: Any, pk: int, *, manage: bool = False) -> Source:
    source = Source.objects.select_related("body", "solution", "registered_by", "last_run").filter(pk=pk).first()
    if source is None or not permissions.can_view_source(user, source):
        raise Http404("source")
    if manage and not permissions.can_manage_source(user, source):
        raise PermissionDenied
    return source
