"""Template helpers of the adoption workflow: the solution page's "Usata da" panel, status badges, timeline verbs."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from catalog import permissions
from catalog.adoptions.forms import RequestAdoptionForm
from catalog.adoptions.presentation import STATUS_BADGES, presentation_of
from catalog.models import Adoption, AdoptionEvent, Solution
from catalog.publiccode.mapping import declared_users
from catalog.workflow import Action, AdoptionStatus
from municipalities import permissions as people
from municipalities.models import Membership, Role

register = template.Library()


@register.inclusion_tag("catalog/adoptions/_panel.html", takes_context=True)
def adoption_panel(context: template.Context, solution: Solution) -> dict[str, Any]:
    """"Usata da" (bodies with the solution in production, derived from adoptions), apart from them the users its
    owner declares in its publiccode.yml (never verified, never counted), the reuse stories, and the "Richiedi
    l'adozione" form for people who may ask on behalf of a body that does not have it yet."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    # One query: the adoptions in production with their body and (reverse one-to-one) story.
    used_by = list(
        Adoption.objects.in_production()
        .filter(solution=solution)
        .select_related("body", "story")
        .order_by("body__name")
    )
    stories = [a.story for a in used_by if _published_story(a)]
    mine: list[Adoption] = []
    request_form = None
    who_can_request: list[tuple[str, list[str]]] | None = None
    authenticated = people.is_authenticated(user)
    if authenticated:
        own_bodies = people.body_ids_with_role(user)
        if own_bodies:
            # Their bodies' adoptions of this solution, closed ones too (a rejected request says why on its page).
            mine = list(
                Adoption.objects.filter(solution=solution, body_id__in=own_bodies)
                .select_related("body")
                .order_by("-requested_at", "-pk")[:10]
            )
        bodies = permissions.bodies_that_may_request(user, solution).order_by("name").exclude(
            pk__in=Adoption.objects.active().filter(solution=solution).values("body_id")
        )
        if bodies.exists():
            request_form = RequestAdoptionForm(bodies=bodies)
        elif own_bodies and solution.status == Solution.Status.PUBLISHED:
            who_can_request = _referents_of(own_bodies, solution)
    return {
        "solution": solution,
        "used_by": used_by,
        "declared": declared_users(solution),
        "stories": stories,
        "mine": mine,
        "request_form": request_form,
        "who_can_request": who_can_request,
        "authenticated": authenticated,
        "sees_adoptions": authenticated and (people.sees_everything(user) or bool(people.body_ids_with_role(user))),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


def _referents_of(body_ids: Any, solution: Solution) -> list[tuple[str, list[str]]]:
    """For a person who may not ask: who in their bodies (other than the owner) may, as (body, [names]); one query."""
    found: dict[str, list[str]] = {}
    memberships = (
        Membership.objects.filter(body_id__in=body_ids, role=Role.REFERENT, body__is_active=True,
                                  body__is_member=True, user__is_active=True)
        .exclude(body_id=solution.owner_id)
        .select_related("body", "user")
        .order_by("body__name", "user__last_name", "user__first_name")
    )
    for membership in memberships:
        found.setdefault(membership.body.name, []).append(str(membership.user))
    return list(found.items())


def _published_story(adoption: Adoption) -> bool:
    try:
        return adoption.story.is_published
    except Adoption.story.RelatedObjectDoesNotExist:
        return False


@register.inclusion_tag("catalog/adoptions/_status_badge.html")
def adoption_status_badge(status: str) -> dict[str, Any]:
    try:
        label = AdoptionStatus(status).label
    except ValueError:
        label = status
    return {"label": label, "css": STATUS_BADGES.get(status, "bg-secondary")}


@register.filter
def event_verb(event: AdoptionEvent) -> str:
    """"ha approvato", "ha commentato"…: what the event's actor did, for the timeline."""
    if event.is_comment:
        return _("ha commentato")
    try:
        return str(presentation_of(event.action).done_label)
    except ValueError:
        return event.action


@register.filter
def action_label(action: str) -> str:
    try:
        return str(Action(action).label)
    except ValueError:
        return action


@register.filter
def has_adoption_area(user: Any) -> bool:
    """People with a role in a body, CST staff and analysts get the adoption pages in the menu."""
    return people.is_authenticated(user) and (people.sees_everything(user) or bool(people.roles_by_body(user)))
