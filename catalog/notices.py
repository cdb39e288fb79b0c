"""Who is told what. The services call these hooks inside their transaction; each writes in-app notifications and
outbox rows (cstportal.notifications), never talks to the broker.

| event                                   | who is told                                           |
|-----------------------------------------|-------------------------------------------------------|
| adoption requested                      | the owner body's publishers and CST staff             |
| approved / rejected / information asked | the adopting body's referents                         |
| information given (answer)              | the owner body's publishers                           |
| in production (go_live)                 | the owner body's publishers and CST staff             |
| comment                                 | the other party (adopter's referents / owner's publishers; both for CST) |
| new release                             | referents of every body with the solution in progress or in production |
| solution submitted for review           | CST staff                                             |
| solution published / changes requested  | the owner body's publishers                           |
| solution retired                        | referents of every body with an active adoption of it |
| request waiting too long (daily task)   | the owner body's publishers and CST staff             |
| a harvest finds new errors in a source  | the source body's publishers (an external body's: its registrant and CST) |

Nobody is told about their own action. Each recipient set is read with one query.

Webhooks (catalog.webhooks.events) are told too, in the same transaction, whoever acted: a solution published,
updated while published, or retired; a release added; every status change of an adoption (its request included).
Each webhook receives what its owner may see.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext_noop

from catalog.models import Adoption, Solution, WebhookEvent
from catalog.webhooks import events as webhooks
from catalog.workflow import ACTIVE_STATUSES, Action, AdoptionStatus
from cstportal.notifications.services import record_notifications
from cstportal.workdays import working_days_ago
from municipalities import permissions as people
from municipalities.models import Role, User

logger = logging.getLogger(__name__)

# Italian message ids, translated when shown (in-app: the reader's language; e-mail: the recipient's).
MESSAGES: dict[str, str] = {
    "adoption.requested": gettext_noop("%(body)s chiede di adottare la soluzione «%(solution)s»"),
    "adoption.approved": gettext_noop("La richiesta di adozione di «%(solution)s» per %(body)s è stata approvata"),
    "adoption.rejected": gettext_noop("La richiesta di adozione di «%(solution)s» per %(body)s è stata respinta"),
    "adoption.info_needed": gettext_noop(
        "Servono informazioni sulla richiesta di adozione di «%(solution)s» per %(body)s"
    ),
    "adoption.answered": gettext_noop("%(body)s ha risposto alla richiesta di informazioni su «%(solution)s»"),
    "adoption.live.owner": gettext_noop("%(body)s ora usa la tua soluzione «%(solution)s»"),
    "adoption.live.cst": gettext_noop("%(body)s ora usa in produzione «%(solution)s» di %(owner)s"),
    "adoption.commented": gettext_noop("Nuovo commento sull'adozione di «%(solution)s» da parte di %(body)s"),
    "adoption.reminder": gettext_noop(
        "La richiesta di %(body)s per «%(solution)s» attende una risposta da più di %(days)s giorni lavorativi"
    ),
    "release.added": gettext_noop("È disponibile la versione %(version)s di «%(solution)s»"),
    "solution.submitted": gettext_noop("%(owner)s ha inviato «%(solution)s» per la revisione"),
    "solution.published": gettext_noop("«%(solution)s» è stata pubblicata nel catalogo"),
    "solution.changes_requested": gettext_noop("Sono state richieste modifiche a «%(solution)s»"),
    "solution.retired": gettext_noop("«%(solution)s» di %(owner)s è stata ritirata dal catalogo"),
    "harvest.errors": gettext_noop(
        "La raccolta da %(source)s ha trovato errori nuovi (%(count)s): il catalogo non è cambiato"
    ),
}

# Adoptions whose body hears about new releases.
RELEASE_AUDIENCE_STATUSES = (AdoptionStatus.IN_PROGRESS.value, AdoptionStatus.IN_PRODUCTION.value)


# --- recipients: one query each ---------------------------------------------------------------------------------


def _people() -> QuerySet[User]:
    return User.objects.filter(is_active=True).only("pk", "is_active").order_by("pk")


def _recipients(condition: Q) -> list[User]:
    return list(_people().filter(condition).distinct())


def publishers_of(body_id: int) -> list[User]:
    return _recipients(people.with_role(Role.PUBLISHER, body_id=body_id))


def referents_of(body_id: int) -> list[User]:
    return _recipients(people.with_role(Role.REFERENT, body_id=body_id))


def cst_staff() -> list[User]:
    return _recipients(people.CST_STAFF)


def publishers_and_cst(body_id: int) -> tuple[list[User], list[User]]:
    """The body's publishers, and the CST staff who are not among them."""
    publishers = publishers_of(body_id)
    known = {person.pk for person in publishers}
    return publishers, [person for person in cst_staff() if person.pk not in known]


# --- helpers ----------------------------------------------------------------------------------------------------


def _adoption_url(adoption: Adoption) -> str:
    try:
        return adoption.get_absolute_url()
    except NoReverseMatch:  # the adoption pages are not wired: point at the solution instead
        return _solution_url(adoption.solution)


def _solution_url(solution: Solution) -> str:
    try:
        return solution.get_absolute_url()
    except NoReverseMatch:
        return "/"


def _adoption_params(adoption: Adoption, **extra: Any) -> dict[str, Any]:
    return {
        "solution": adoption.solution.name,
        "body": adoption.body.name,
        "owner": adoption.owner_body.name,
        **extra,
    }


def _notify_adoption(adoption: Adoption, event: Any, kind: str, recipients: list[User], **extra: Any) -> None:
    record_notifications(
        recipients=recipients,
        kind=kind,
        event_key=f"adoption-event:{event.pk}",
        message=MESSAGES[kind],
        params=_adoption_params(adoption, note=getattr(event, "note", "") or "", **extra),
        url=_adoption_url(adoption),
        actor=getattr(event, "actor", None),
    )


# --- hooks called by the services -------------------------------------------------------------------------------


def adoption_transitioned(adoption: Adoption, event: Any) -> None:
    """After an adoption changed status (or was requested): tell the parties the design names, and the webhooks."""
    action = event.action
    webhooks.record_webhook_event(
        event=WebhookEvent.ADOPTION_STATUS_CHANGED,
        event_key=f"adoption-event:{event.pk}",
        data={"adoption": webhooks.adoption_data(adoption, from_status=event.from_status, action=str(action))},
        solution=adoption.solution,
        adoption=adoption,
    )
    if action == Action.REQUEST:
        _notify_adoption(
            adoption,
            event,
            "adoption.requested",
            _recipients(people.with_role(Role.PUBLISHER, body_id=adoption.owner_body_id) | people.CST_STAFF),
        )
    elif action in (Action.APPROVE, Action.REJECT, Action.ASK_INFO):
        kind = {
            Action.APPROVE: "adoption.approved",
            Action.REJECT: "adoption.rejected",
            Action.ASK_INFO: "adoption.info_needed",
        }[Action(action)]
        _notify_adoption(adoption, event, kind, referents_of(adoption.body_id))
    elif action == Action.ANSWER:
        _notify_adoption(adoption, event, "adoption.answered", publishers_of(adoption.owner_body_id))
    elif action == Action.GO_LIVE:
        owners, staff = publishers_and_cst(adoption.owner_body_id)
        # Same event: the publishers get "your solution", CST staff the provincial wording.
        _notify_adoption(adoption, event, "adoption.live.owner", owners)
        _notify_adoption(adoption, event, "adoption.live.cst", staff)
    # start, retire and withdraw concern the adopting body only: nobody else is told.


def adoption_commented(adoption: Adoption, event: Any) -> None:
    """After a comment on an adoption: tell the other party (both parties when CST staff or a third person
    comments)."""
    actor = getattr(event, "actor", None)
    of_adopter = actor is not None and people.is_member_of(actor, adoption.body_id)
    of_owner = actor is not None and people.is_member_of(actor, adoption.owner_body_id)
    adopter_side = people.with_role(Role.REFERENT, body_id=adoption.body_id)
    owner_side = people.with_role(Role.PUBLISHER, body_id=adoption.owner_body_id)
    if of_adopter and not of_owner:
        condition = owner_side
    elif of_owner and not of_adopter:
        condition = adopter_side
    else:
        condition = adopter_side | owner_side
    _notify_adoption(adoption, event, "adoption.commented", _recipients(condition))


def solution_status_changed(solution: Solution, event: Any) -> None:
    """After submit / publish / request changes / retire of a solution."""
    to_status, from_status = event.to_status, event.from_status
    S = Solution.Status
    webhook_event = {S.PUBLISHED: WebhookEvent.SOLUTION_PUBLISHED, S.RETIRED: WebhookEvent.SOLUTION_RETIRED}.get(
        to_status
    )
    if webhook_event is not None:
        webhooks.record_webhook_event(
            event=webhook_event,
            event_key=f"publication-event:{event.pk}",
            data={"solution": webhooks.solution_data(solution)},
            solution=solution,
        )
    if to_status == S.IN_REVIEW:
        kind, recipients = "solution.submitted", cst_staff()
    elif to_status == S.PUBLISHED:
        kind, recipients = "solution.published", publishers_of(solution.owner_id)
    elif to_status == S.DRAFT and from_status == S.IN_REVIEW:
        kind, recipients = "solution.changes_requested", publishers_of(solution.owner_id)
    elif to_status == S.RETIRED:
        # The bodies that use it need to know, and why (the reason is required).
        kind, recipients = (
            "solution.retired",
            _recipients(people.with_role(
                Role.REFERENT, adoptions__solution_id=solution.pk, adoptions__status__in=ACTIVE_STATUSES
            )),
        )
    else:
        return
    record_notifications(
        recipients=recipients,
        kind=kind,
        event_key=f"publication-event:{event.pk}",
        message=MESSAGES[kind],
        params={"solution": solution.name, "owner": solution.owner.name, "note": event.reason or ""},
        url=_solution_url(solution),
        actor=event.actor,
    )


def solution_updated(solution: Solution) -> None:
    """After a change of a solution's fields: the webhooks, when the solution is published (a draft's edits are
    nobody else's business; its publication is the event)."""
    if solution.status != Solution.Status.PUBLISHED:
        return
    webhooks.record_webhook_event(
        event=WebhookEvent.SOLUTION_UPDATED,
        event_key=f"solution-updated:{solution.pk}:{solution.updated_at.timestamp():.6f}",
        data={"solution": webhooks.solution_data(solution)},
        solution=solution,
    )


def release_added(release: Any) -> None:
    """After a new release: tell every body that has the solution in progress or in production, and the webhooks."""
    solution = release.solution
    webhooks.record_webhook_event(
        event=WebhookEvent.RELEASE_ADDED,
        event_key=f"release:{release.pk}",
        data={"solution": webhooks.solution_data(solution), "release": webhooks.release_data(release)},
        solution=solution,
    )
    recipients = _recipients(people.with_role(
        Role.REFERENT, adoptions__solution_id=solution.pk, adoptions__status__in=RELEASE_AUDIENCE_STATUSES
    ))
    record_notifications(
        recipients=recipients,
        kind="release.added",
        event_key=f"release:{release.pk}",
        message=MESSAGES["release.added"],
        params={"solution": solution.name, "version": release.version, "note": release.notes or ""},
        url=_solution_url(solution),
    )


def harvest_found_errors(source: Any, run: Any, *, count: int) -> None:
    """After a harvest that found errors the last one did not have: tell the people who can fix the source, once
    (the key is the run's, and a run is applied once). A member body's publishers fix its sources; an external
    body has no people of its own, so whoever registered the source and CST staff are told instead."""
    recipients = publishers_of(source.body_id) if source.body_id is not None and source.body.is_member else []
    if not recipients:
        recipients = cst_staff()
        registrant = source.registered_by if source.registered_by_id else None
        if registrant is not None and registrant.pk not in {person.pk for person in recipients}:
            recipients.append(registrant)
    record_notifications(
        recipients=recipients,
        kind="harvest.errors",
        event_key=f"harvest-run:{run.pk}",
        message=MESSAGES["harvest.errors"],
        params={"source": source.url, "count": count},
        url=source.get_absolute_url(),
    )


# --- reminders --------------------------------------------------------------------------------------------------


def remind_waiting_adoptions(*, now: dt.datetime | None = None) -> int:
    """Remind the reviewers (owner's publishers) and CST of requests waiting more than ADOPTION_REMINDER_DAYS
    working days. Once per threshold crossing: an adoption is reminded again only after it has left `requested`
    and come back (an answer to a request for information), because `reminded_at` is then older than
    `status_changed_at`; the delivery key carries the crossing, so a second run sends nothing either way.
    Returns the number of adoptions reminded."""
    now = now or timezone.now()
    threshold = settings.ADOPTION_REMINDER_DAYS
    # The same cut-off as the dashboard's "waiting beyond the threshold" figure.
    candidates = (
        Adoption.objects.filter(
            status=AdoptionStatus.REQUESTED, status_changed_at__lt=working_days_ago(threshold, now=now)
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("status_changed_at")))
        .select_related("solution", "body", "owner_body")
        .order_by("pk")
    )
    reminded = 0
    for adoption in candidates:
        with transaction.atomic():
            # Compare-and-set: two reminder runs at once remind once.
            claimed = (
                Adoption.objects.filter(
                    pk=adoption.pk, status=AdoptionStatus.REQUESTED, status_changed_at=adoption.status_changed_at
                )
                .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("status_changed_at")))
                .update(reminded_at=now)
            )
            if not claimed:
                continue
            crossing = adoption.status_changed_at.strftime("%Y%m%dT%H%M%S%f")
            record_notifications(
                recipients=_recipients(
                    people.with_role(Role.PUBLISHER, body_id=adoption.owner_body_id) | people.CST_STAFF
                ),
                kind="adoption.reminder",
                event_key=f"adoption-reminder:{adoption.pk}:{crossing}",
                message=MESSAGES["adoption.reminder"],
                params=_adoption_params(adoption, days=threshold),
                url=_adoption_url(adoption),
            )
        reminded += 1
    return reminded


@shared_task(name="catalog.send_adoption_reminders", ignore_result=True, time_limit=300)
def send_adoption_reminders() -> int:
    """Daily (beat): the reminders of requests waiting too long. Writes outbox rows; the relay sends them."""
    return remind_waiting_adoptions()
