"""`{% public_summary %}`: the three public figures of the catalogue, for the home page."""

from __future__ import annotations

from django import template

from catalog.dashboards import stats
from catalog.reports import documents

register = template.Library()


@register.inclusion_tag("catalog/dashboards/_public_summary.html")
def public_summary() -> dict:
    return {"summary": stats.public_summary()}


@register.filter
def figure(value) -> str:
    """A number, date or text as a person reads it (Italian separators, em dash for nothing)."""
    return documents.display(value)


@register.filter
def status_label(code: str) -> str:
    return documents.status_label(code)


@register.filter
def kind_label(code: str) -> str:
    return documents.kind_label(code)


@register.filter
def has_dashboard(user) -> bool:
    """The person sees at least one dashboard: CST staff, analysts, anyone with a role in a body."""
    from municipalities import permissions as people

    return people.sees_everything(user) or bool(people.body_ids_with_role(user))
