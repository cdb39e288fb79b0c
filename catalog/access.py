"""Fetch-and-authorise helpers shared by the HTML views and the API.

An object the user may not see is a 404 (never a hint that it exists); one they may see but not act on is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from catalog import permissions
from catalog.models import Adoption, Report, Solution, Source, Webhook
from catalog.workflow import Action
from municipalities.models import User


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


def get_webhook_for(user: Any, pk: int) -> Webhook:
    """A webhook is its owner's alone: anybody else's is a 404 (the secret and the delivery log are theirs)."""
    webhook = Webhook.objects.filter(pk=pk).first()
    if webhook is None or not permissions.can_manage_webhook(user, webhook):
        raise Http404("webhook")
    return webhook


def acting_person(request: HttpRequest) -> User:
    """The person acting in a view that requires a login (a service wants a User, not an anonymous one)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
