"""The authorisation policy for solutions and adoptions (built on municipalities.permissions).

Predicates answer for one object; the querysets' `visible_to` / `editable_by` answer for lists. Views, the API,
exports and reports all ask here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import Adoption, Report, Solution, Source, Webhook, WebhookEvent
from catalog.workflow import PUBLICATION_STEPS, Action, Actor, PublicationAction, actions_from, transition_for
from municipalities import permissions as people
from municipalities.models import Body, Role
from municipalities.permissions import Person

# --- solutions ------------------------------------------------------------------------------------------------


def can_view_solution(user: Person, solution: Solution) -> bool:
    if solution.status == Solution.Status.PUBLISHED:
        return True
    return people.is_cst_admin(user) or people.is_publisher_of(user, solution.owner_id)


def can_view_solution_contacts(user: Person, solution: Solution) -> bool:
    """Contacts are for logged-in people of a member body and CST staff."""
    return people.sees_everything(user) or bool(people.body_ids_with_role(user))


def can_create_solution(user: Person, owner: Body | None = None) -> bool:
    if people.is_cst_admin(user):
        return True
    if owner is None:
        return bool(people.body_ids_with_role(user, Role.PUBLISHER))
    return people.is_publisher_of(user, owner)


def can_list_own_solutions(user: Person) -> bool:
    """A publisher of at least one body has a "my solutions" page (its list is `Solution.objects.editable_by`)."""
    return bool(people.body_ids_with_role(user, Role.PUBLISHER))


def can_view_publication_history(user: Person, solution: Solution) -> bool:
    """Who moved the solution through publication, and why: its body's publishers and CST staff."""
    return people.is_cst_admin(user) or people.is_publisher_of(user, solution.owner_id)


def can_edit_solution(user: Person, solution: Solution) -> bool:
    if solution.status == Solution.Status.RETIRED:
        return people.is_cst_admin(user)
    return people.is_cst_admin(user) or people.is_publisher_of(user, solution.owner_id)


def publication_roles(user: Person, solution: Solution) -> set[Actor]:
    """The publication table's roles `user` holds on `solution`."""
    roles: set[Actor] = set()
    if people.is_cst_admin(user):
        roles.add(Actor.CST)
    if people.is_publisher_of(user, solution.owner_id):
        roles.add(Actor.OWNER_PUBLISHER)
    return roles


def can_take_publication_step(user: Person, solution: Solution, action: PublicationAction | str) -> bool:
    """The publication table allows `action` from the solution's status, and the user holds one of its roles."""
    step = PUBLICATION_STEPS[PublicationAction(action)]
    return solution.status == step.source and bool(publication_roles(user, solution) & step.actors)


def can_submit_solution(user: Person, solution: Solution) -> bool:
    return can_take_publication_step(user, solution, PublicationAction.SUBMIT)


def can_review_solution(user: Person, solution: Solution | None = None) -> bool:
    """Publishing and requesting changes is CST staff's."""
    return people.is_cst_admin(user)


def can_decide_solution(user: Person, solution: Solution) -> bool:
    """Publish or request changes now: a reviewer, on a solution waiting in review."""
    return can_take_publication_step(user, solution, PublicationAction.PUBLISH)


def can_retire_solution(user: Person, solution: Solution) -> bool:
    return can_take_publication_step(user, solution, PublicationAction.RETIRE)


# --- adoptions ------------------------------------------------------------------------------------------------


def actor_roles(user: Person, adoption: Adoption) -> set[Actor]:
    """The workflow roles `user` holds on `adoption`."""
    roles: set[Actor] = set()
    if people.is_cst_admin(user):
        roles.add(Actor.CST)
    if people.is_referent_of(user, adoption.body_id):
        roles.add(Actor.ADOPTER_REFERENT)
    if people.is_publisher_of(user, adoption.owner_body_id):
        roles.add(Actor.OWNER_PUBLISHER)
    return roles


def can_view_adoption(user: Person, adoption: Adoption) -> bool:
    return (
        people.sees_everything(user)
        or people.is_member_of(user, adoption.body_id)
        or people.is_member_of(user, adoption.owner_body_id)
    )


def can_act_on_adoption(user: Person, adoption: Adoption, action: Action | str) -> bool:
    """The table allows `action` from the adoption's status, and the user holds one of its roles."""
    transition = transition_for(action)
    if adoption.status not in transition.sources:
        return False
    return bool(actor_roles(user, adoption) & transition.actors)


def allowed_actions(user: Person, adoption: Adoption) -> list[Action]:
    return [action for action in actions_from(adoption.status) if can_act_on_adoption(user, adoption, action)]


def can_comment_on_adoption(user: Person, adoption: Adoption) -> bool:
    """The people of both bodies and CST staff; analysts only read."""
    return (
        people.is_cst_admin(user)
        or people.is_member_of(user, adoption.body_id)
        or people.is_member_of(user, adoption.owner_body_id)
    )


def can_request_adoption(user: Person, solution: Solution, body: Body) -> bool:
    """A referent of `body` (or CST staff) may ask for a published solution that `body` does not own; `body` is an
    active member of the CST (an external body has nobody to ask for it)."""
    if (solution.status != Solution.Status.PUBLISHED or solution.owner_id == body.pk or not body.is_active
            or not body.is_member):
        return False
    return people.is_cst_admin(user) or people.is_referent_of(user, body)


def bodies_that_may_request(user: Person, solution: Solution) -> QuerySet[Body]:
    """The list counterpart of can_request_adoption: the bodies on whose behalf `user` may ask for `solution`
    (whether they already have it is the service's to say)."""
    bodies = Body.objects.filter(is_active=True, is_member=True).exclude(pk=solution.owner_id)
    if solution.status != Solution.Status.PUBLISHED:
        return bodies.none()
    if people.is_cst_admin(user):
        return bodies
    return bodies.filter(pk__in=people.body_ids_with_role(user, Role.REFERENT))


def can_write_story(user: Person, adoption: Adoption) -> bool:
    return adoption.status == "in_production" and (
        people.is_referent_of(user, adoption.body_id) or people.is_cst_admin(user)
    )


def adoptions_awaiting(user: Person, action: Action | str) -> Q:
    """The list counterpart of can_act_on_adoption: adoptions waiting for `action` from `user` ("Da fare").

    The table's source statuses, in bodies where the user holds one of the action's roles. CST staff and analysts
    oversee every pending step, whoever has to take it.
    """
    transition = transition_for(action)
    waiting = Q(status__in=transition.sources)
    if people.sees_everything(user):
        return waiting
    mine = Q(pk__in=[])
    if Actor.ADOPTER_REFERENT in transition.actors:
        mine |= Q(body_id__in=people.body_ids_with_role(user, Role.REFERENT))
    if Actor.OWNER_PUBLISHER in transition.actors:
        mine |= Q(owner_body_id__in=people.body_ids_with_role(user, Role.PUBLISHER))
    return waiting & mine


# --- dashboards and reports -----------------------------------------------------------------------------------


def can_view_province_dashboard(user: Person) -> bool:
    """Provincial figures and reports: CST staff and provincial analysts."""
    return people.sees_everything(user)


def can_view_body_dashboard(user: Person, body: Body) -> bool:
    """A body's dashboard and reports: its own people, CST staff and analysts."""
    return people.can_view_body_private(user, body)


def can_view_solution_report(user: Person, solution: Solution) -> bool:
    """A solution's report lists every adopter with its costs: the owner body's people, CST staff and analysts."""
    return people.sees_everything(user) or people.is_member_of(user, solution.owner_id)


def can_request_solution_report(user: Person, solution: Solution) -> bool:
    """A report is asked for a solution that has left the drafts, by whoever may see its report."""
    return solution.status != Solution.Status.DRAFT and can_view_solution_report(user, solution)


def solutions_for_reports(user: Person) -> QuerySet[Solution]:
    """The list counterpart of can_request_solution_report."""
    solutions = Solution.objects.exclude(status=Solution.Status.DRAFT)
    if people.sees_everything(user):
        return solutions
    return solutions.filter(owner_id__in=people.body_ids_with_role(user))


def bodies_for_reports(user: Person) -> QuerySet[Body]:
    """The list counterpart of can_view_body_dashboard (a body's report shows what its dashboard shows)."""
    return people.bodies_with_private_access(user)


def can_view_report(user: Person, report: Report) -> bool:
    """Whoever may see what a report contains may download it."""
    if report.kind == "body":
        return report.body is not None and can_view_body_dashboard(user, report.body)
    if report.kind == "solution":
        return report.solution is not None and can_view_solution_report(user, report.solution)
    return can_view_province_dashboard(user)


def reports_visible_to(user: Person, queryset: QuerySet[Report]) -> QuerySet[Report]:
    """The list counterpart of can_view_report."""
    if people.sees_everything(user):
        return queryset
    body_ids = people.body_ids_with_role(user)
    if not body_ids:
        return queryset.none()
    return queryset.filter(
        Q(kind="body", body_id__in=body_ids) | Q(kind="solution", solution__owner_id__in=body_ids)
    )


# --- sources of the harvest -----------------------------------------------------------------------------------


def can_register_source(user: Person, body: Body | None = None) -> bool:
    """CST staff for any body, external ones included; a publisher for a member body it publishes for."""
    if people.is_cst_admin(user):
        return True
    if body is None:
        return bool(people.body_ids_with_role(user, Role.PUBLISHER))
    return body.is_member and people.is_publisher_of(user, body)


def can_register_catalog_source(user: Person) -> bool:
    """Another catalogue as a source speaks for many bodies outside the CST: CST staff's."""
    return people.is_cst_admin(user)


def can_register_local_source(user: Person) -> bool:
    """A path on the portal's own disk (a mirror, a fixture) is CST staff's: it names the servers' folders."""
    return people.is_cst_admin(user)


def can_view_source(user: Person, source: Source) -> bool:
    """A source, its harvests and their errors: its body's publishers, CST staff and analysts."""
    if people.sees_everything(user):
        return True
    return source.body_id is not None and people.is_publisher_of(user, source.body_id)


def can_manage_source(user: Person, source: Source) -> bool:
    """Harvest now, pause, resume, remove: its body's publishers and CST staff."""
    if people.is_cst_admin(user):
        return True
    return source.body_id is not None and people.is_publisher_of(user, source.body_id)


def sources_visible_to(user: Person, queryset: QuerySet[Source]) -> QuerySet[Source]:
    """The list counterpart of can_view_source."""
    if people.sees_everything(user):
        return queryset
    return queryset.filter(body_id__in=people.body_ids_with_role(user, Role.PUBLISHER))


# --- webhooks -------------------------------------------------------------------------------------------------


def can_register_webhook(user: Person) -> bool:
    """The API user of a body (any role in one), CST staff and analysts."""
    return people.is_authenticated(user) and (people.sees_everything(user) or bool(people.body_ids_with_role(user)))


def can_manage_webhook(user: Person, webhook: Webhook) -> bool:
    """Only its owner: the secret and the delivery log are theirs."""
    return people.is_authenticated(user) and webhook.owner_id == user.pk


def webhooks_visible_to(user: Person, queryset: QuerySet[Webhook]) -> QuerySet[Webhook]:
    if not people.is_authenticated(user):
        return queryset.none()
    return queryset.filter(owner_id=user.pk)


def can_receive_webhook_event(
    user: Person, event: str, *, solution: Solution | None, adoption: Adoption | None = None
) -> bool:
    """Whether `user` may be told of `event` now, as the objects stand: an adoption's events go to those who see the
    adoption; a solution's (and its releases') to those who see the solution; a retirement to those who saw it
    published (everybody) or see it still (its publishers, CST staff)."""
    if not people.is_authenticated(user) or not user.is_active:
        return False
    if event == WebhookEvent.ADOPTION_STATUS_CHANGED:
        return adoption is not None and can_view_adoption(user, adoption)
    if solution is None:
        return False
    if event == WebhookEvent.SOLUTION_RETIRED and solution.published_at is not None:
        return solution.status == Solution.Status.RETIRED or can_view_solution(user, solution)
    return can_view_solution(user, solution)
