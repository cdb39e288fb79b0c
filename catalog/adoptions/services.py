"""The adoption workflow's writes: requesting, moving along the table in catalog.workflow, comments and stories.

Every change of status is a compare-and-set (`UPDATE … WHERE id = ? AND status = <expected>`), writes exactly one
AdoptionEvent and calls the notification hook, all in one database transaction. Refusals are the shared service
errors of cstportal.errors, which the HTML pages and the REST API each map in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import notices, permissions
from catalog.models import Adoption, AdoptionEvent, ReuseStory, Solution
from catalog.models.adoptions import count_in_production
from catalog.workflow import Action, AdoptionStatus, transition_for
from cstportal.errors import AlreadyChanged, Conflict, Invalid, NotAllowed, StatusConflict
from municipalities.models import Body, User

COMMENT_ACTION = "comment"
NOTE_MAX_LENGTH = 4000


# What go_live records on the adoption, shaped beforehand by catalog.adoptions.forms.GoLiveFieldsForm (whose limits
# are the model fields'). adopted_version and go_live_date are required; the rest may be left out.
GO_LIVE_FIELDS: tuple[str, ...] = (
    "adopted_version", "go_live_date", "environment", "estimated_cost", "actual_cost", "effort_days",
    "agreement_reference",
)


# --- errors ---------------------------------------------------------------------------------------------------


class UnknownAction(Invalid):
    """The action is not a move of an existing adoption: unknown, or `request` (which creates one)."""


class DuplicateAdoption(Conflict):
    """The body already has an active adoption of the solution."""

    default_message = gettext_lazy("Questo ente ha già una richiesta di adozione attiva per questa soluzione.")


class InvalidData(Invalid):
    """A note or a go-live figure is missing or not valid; `errors` names the fields."""


ALREADY_CHANGED = gettext_lazy("La richiesta è già stata modificata da un'altra persona: ricarica la pagina.")


# --- requesting -----------------------------------------------------------------------------------------------


@transaction.atomic
def request_adoption(*, solution: Solution, body: Body, by: User, note: str = "") -> Adoption:
    """Ask, on behalf of `body`, to adopt `solution`; the owner's publishers review it.

    Preconditions: `by` is a referent of `body` or CST staff, the solution is published and not owned by `body`, and
    `body` has no active adoption of it. Effects: a `requested` adoption with its first event, and the notification
    hook. Raises NotAllowed, InvalidData or DuplicateAdoption (also when a simultaneous request won the race).
    """
    note = _clean_note(note)
    if solution.owner_id == body.pk:
        raise NotAllowed(_("Un ente non può richiedere l'adozione di una propria soluzione."))
    if not permissions.can_request_adoption(by, solution, body):
        if solution.status != Solution.Status.PUBLISHED:
            raise NotAllowed(_("Si può richiedere l'adozione solo di una soluzione pubblicata."))
        raise NotAllowed(_("Non puoi richiedere l'adozione per conto di %(body)s.") % {"body": body.name})
    duplicate = DuplicateAdoption(
        _("%(body)s ha già una richiesta di adozione attiva per «%(solution)s».")
        % {"body": body.name, "solution": solution.name}
    )
    if Adoption.objects.active().filter(solution=solution, body=body).exists():
        raise duplicate
    now = timezone.now()
    try:
        # A savepoint: a simultaneous request that committed first trips the partial unique constraint here.
        with transaction.atomic():
            adoption = Adoption.objects.create(
                solution=solution,
                body=body,
                owner_body_id=solution.owner_id,
                status=AdoptionStatus.REQUESTED,
                requested_by=by,
                requested_at=now,
                status_changed_at=now,
            )
    except IntegrityError:
        raise duplicate
    event = AdoptionEvent.objects.create(
        adoption=adoption,
        sequence=1,
        action=Action.REQUEST,
        from_status="",
        to_status=AdoptionStatus.REQUESTED,
        actor=by,
        note=note,
    )
    notices.adoption_transitioned(adoption, event)
    if not solution.owner.is_member:
        _approve_as_portal(adoption)
    return adoption


def _approve_as_portal(adoption: Adoption) -> None:
    """Reusing a solution of a body outside the CST needs no permission from its owner (the national guidelines on
    reuse: accepting the licence is enough), and nobody could give it: the portal approves the request at once, in
    the request's transaction, and says so in the timeline."""
    _move(adoption, Action.APPROVE, expected=AdoptionStatus.REQUESTED, by=None, note="")


def _move(
    adoption: Adoption, action: Action, *, expected: str, by: User | None, note: str, extra: dict[str, Any] | None = None
) -> None:
    """Move `adoption` from `expected` along `action`'s transition: the status and the dates the table stamps, with
    a compare-and-set (its row lock also serialises the event sequence), then exactly one event and the notification
    hook. Raises AlreadyChanged when the row no longer has `expected`."""
    transition = transition_for(action)
    now = timezone.now()
    updates: dict[str, Any] = {"status": transition.target, "status_changed_at": now, "updated_at": now,
                               "reminded_at": None, **(extra or {}), **{name: now for name in transition.stamps}}
    if Adoption.objects.filter(pk=adoption.pk, status=expected).update(**updates) == 0:
        raise AlreadyChanged(ALREADY_CHANGED)
    count_in_production(adoption.solution_id, expected, transition.target)  # entering or leaving production
    for name, value in updates.items():
        setattr(adoption, name, value)
    adoption._stored_status = transition.target
    event = _append_event(adoption, action=action, from_status=expected, to_status=transition.target, by=by, note=note)
    notices.adoption_transitioned(adoption, event)


# --- moving along the table -----------------------------------------------------------------------------------


@transaction.atomic
def transition_adoption(adoption: Adoption, *, action: Action | str, by: User, note: str = "", **fields: Any) -> Adoption:
    """Take `action` on `adoption` as `by`, following catalog.workflow.TRANSITIONS.

    `adoption.status` is the status the person saw: the update only happens if the row still has it. Only go_live
    takes `fields` (GO_LIVE_FIELDS), as catalog.adoptions.forms.GoLiveFieldsForm cleans them (types and limits);
    the rules that need the adoption are in `_check_go_live_fields`: what it records must be possible (a date
    between the request and today, a version the solution has released, the production environment).

    Effects, in one transaction: the status and the dates the table stamps on the adoption, exactly one
    AdoptionEvent, and the notification hook. Raises StatusConflict (the table), NotAllowed (the role), InvalidData
    (note or figures), AlreadyChanged (someone else moved it first). Returns the same instance, updated.
    """
    try:
        action = Action(action)
        transition = transition_for(action)
    except ValueError:
        raise UnknownAction(_("Azione sconosciuta."), errors={"action": _("Azione sconosciuta.")})
    if action == Action.REQUEST:
        message = _("Per richiedere un'adozione usa il modulo «Richiedi l'adozione».")
        raise UnknownAction(message, errors={"action": message})
    expected = adoption.status
    if expected not in transition.sources:
        raise StatusConflict(
            _("Non è possibile eseguire «%(action)s»: l'adozione è nello stato «%(status)s».")
            % {"action": action.label, "status": _status_label(expected)}
        )
    if not permissions.can_act_on_adoption(by, adoption, action):
        raise NotAllowed(
            _("Non hai i permessi per eseguire «%(action)s» su questa adozione.") % {"action": action.label}
        )
    note = _clean_note(note)
    if transition.note_required and not note:
        raise InvalidData(
            _("Per «%(action)s» scrivi una nota che spieghi il motivo.") % {"action": action.label},
            errors={"note": _("Questo campo è obbligatorio.")},
        )
    if action == Action.GO_LIVE:
        extra = _check_go_live_fields(adoption, fields)
    elif fields:
        raise InvalidData(_("Questa azione non accetta altri dati oltre alla nota."))
    else:
        extra = {}

    _move(adoption, action, expected=expected, by=by, note=note, extra=extra)
    return adoption


# --- comments and stories -------------------------------------------------------------------------------------


@transaction.atomic
def comment_on_adoption(adoption: Adoption, *, by: User, note: str) -> AdoptionEvent:
    """Add a comment to the timeline (an event without a change of status) and call the notification hook.

    Preconditions: `by` is a person of either body or CST staff, and `note` is not blank.
    Raises NotAllowed or InvalidData.
    """
    if not permissions.can_comment_on_adoption(by, adoption):
        raise NotAllowed(_("Non puoi commentare questa adozione."))
    note = _clean_note(note)
    if not note:
        raise InvalidData(_("Il commento è vuoto."), errors={"note": _("Questo campo è obbligatorio.")})
    # Lock the row (PostgreSQL) so the sequence is serialised with transitions; SQLite serialises writers anyway.
    Adoption.objects.select_for_update().filter(pk=adoption.pk).values_list("pk").first()
    event = _append_event(adoption, action=COMMENT_ACTION, from_status="", to_status="", by=by, note=note)
    notices.adoption_commented(adoption, event)
    return event


@transaction.atomic
def save_reuse_story(
    adoption: Adoption, *, by: User, outcome: str, lessons: str = "", savings_note: str = ""
) -> ReuseStory:
    """Write or rewrite the adopter's reuse story, shown on the solution page.

    Preconditions: the adoption is in production (checked on the locked row) and `by` is a referent of the
    adopting body or CST staff; `outcome` is not blank. Raises NotAllowed or InvalidData.
    """
    current = Adoption.objects.select_for_update().filter(pk=adoption.pk).values_list("status", flat=True).first()
    if current is not None:
        adoption.status = current
    if adoption.status != AdoptionStatus.IN_PRODUCTION:
        raise NotAllowed(_("La storia di riuso si può scrivere solo quando la soluzione è in produzione."))
    if not permissions.can_write_story(by, adoption):
        raise NotAllowed(_("Solo i referenti dell'ente adottante possono scrivere la storia di riuso."))
    outcome, lessons, savings_note = (str(v or "").strip() for v in (outcome, lessons, savings_note))
    if not outcome:
        raise InvalidData(_("Racconta almeno il risultato ottenuto."), errors={"outcome": _("Questo campo è obbligatorio.")})
    story, _created = ReuseStory.objects.update_or_create(
        adoption=adoption,
        defaults={"outcome": outcome, "lessons": lessons, "savings_note": savings_note, "author": by,
                  "is_published": True},
    )
    return story


# --- helpers --------------------------------------------------------------------------------------------------


def _append_event(
    adoption: Adoption, *, action: str, from_status: str, to_status: str, by: User | None, note: str
) -> AdoptionEvent:
    """The next event of the timeline. Call inside the transaction, after the adoption row is locked."""
    last = AdoptionEvent.objects.filter(adoption_id=adoption.pk).aggregate(last=Max("sequence"))["last"] or 0
    return AdoptionEvent.objects.create(
        adoption=adoption,
        sequence=last + 1,
        action=str(action),
        from_status=from_status,
        to_status=to_status,
        actor=by,
        note=note,
        by_portal=by is None,
    )


def _clean_note(note: Any) -> str:
    note = str(note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidData(
            _("La nota è troppo lunga (al massimo %(max)d caratteri).") % {"max": NOTE_MAX_LENGTH},
            errors={"note": _("Al massimo %(max)d caratteri.") % {"max": NOTE_MAX_LENGTH}},
        )
    return note


def _status_label(status: str) -> str:
    try:
        return str(AdoptionStatus(status).label)
    except ValueError:
        return status


def _check_go_live_fields(adoption: Adoption, fields: dict[str, Any]) -> dict[str, Any]:
    """The rules of go_live that need the adoption, on fields already shaped by GoLiveFieldsForm; raise InvalidData
    naming every wrong field.

    go_live means production: it is the step that puts the adopter among the bodies that use the solution ("Usata
    da", the counts and the dashboards: AdoptionQuerySet.in_production), so what it records must be possible:
    - go_live_date lies between the day of the request and today, both included;
    - adopted_version is one of the solution's releases; any version is accepted only from a solution that has
      published none (a shared service, a solution catalogued before its first release);
    - environment is production (or left out): a deployment in the test environment ("Collaudo") is not in
      production yet, and the adoption stays in progress until it is.
    """
    unknown = sorted(set(fields) - set(GO_LIVE_FIELDS))
    if unknown:
        raise InvalidData(_("Dati non previsti: %(names)s.") % {"names": ", ".join(unknown)})
    cleaned: dict[str, Any] = {name: fields.get(name) for name in GO_LIVE_FIELDS}
    version, go_live_date = cleaned["adopted_version"], cleaned["go_live_date"]
    if not version or not isinstance(go_live_date, dt.date):
        # A caller that skipped the form: nothing to check the rules against.
        raise InvalidData(_("Controlla i dati dell'avvio in produzione."))
    cleaned["environment"] = cleaned["environment"] or Adoption.Environment.PRODUCTION
    cleaned["agreement_reference"] = cleaned["agreement_reference"] or ""
    errors: dict[str, str] = {}

    released = list(adoption.solution.releases.values_list("version", flat=True))
    if released and version not in released:
        errors["adopted_version"] = _(
            "«%(version)s» non è una versione pubblicata di questa soluzione: scegli tra %(versions)s."
        ) % {"version": version, "versions": ", ".join(released[:10]) + (", …" if len(released) > 10 else "")}

    requested_on = timezone.localdate(adoption.requested_at)
    if go_live_date > timezone.localdate():
        errors["go_live_date"] = _("La data di avvio in produzione non può essere nel futuro.")
    elif go_live_date < requested_on:
        errors["go_live_date"] = _(
            "La data di avvio in produzione non può precedere la richiesta di adozione (%(date)s)."
        ) % {"date": date_format(requested_on, "j F Y")}

    if cleaned["environment"] != Adoption.Environment.PRODUCTION:
        errors["environment"] = _(
            "Il collaudo non è ancora produzione: registra l'avvio quando la soluzione è in uso nell'ambiente di "
            "produzione."
        )

    if errors:
        raise InvalidData(_("Controlla i dati dell'avvio in produzione."), errors=errors)
    return cleaned
