"""The adoption workflow: statuses, actions, the statuses each action starts from, who may take it and the dates
it stamps on the adoption.

This table is the single source for the buttons on the adoption page, the API, the permission checks, the service
and the tests. How each action looks on the pages (labels, buttons, messages) is in catalog.adoptions.presentation.
The publication of a solution (draft → in review → published → retired) is a second table below, read the same way
by the solution services and the permission predicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AdoptionStatus(models.TextChoices):
    REQUESTED = "requested", _("Richiesta")
    INFO_NEEDED = "info_needed", _("Informazioni richieste")
    APPROVED = "approved", _("Approvata")
    REJECTED = "rejected", _("Respinta")
    IN_PROGRESS = "in_progress", _("In corso")
    IN_PRODUCTION = "in_production", _("In produzione")
    RETIRED = "retired", _("Dismessa")
    # A context of its own: a solution is "ritirata" (retired) too, an adoption request is withdrawn.
    WITHDRAWN = "withdrawn", pgettext_lazy("adoption status", "Ritirata")


ACTIVE_STATUSES: tuple[str, ...] = (
    AdoptionStatus.REQUESTED.value,
    AdoptionStatus.INFO_NEEDED.value,
    AdoptionStatus.APPROVED.value,
    AdoptionStatus.IN_PROGRESS.value,
    AdoptionStatus.IN_PRODUCTION.value,
)
CLOSED_STATUSES: tuple[str, ...] = (
    AdoptionStatus.REJECTED.value,
    AdoptionStatus.WITHDRAWN.value,
    AdoptionStatus.RETIRED.value,
)
# The main path shown by the stepper on the adoption page.
STEPS: tuple[str, ...] = (
    AdoptionStatus.REQUESTED.value,
    AdoptionStatus.APPROVED.value,
    AdoptionStatus.IN_PROGRESS.value,
    AdoptionStatus.IN_PRODUCTION.value,
)


class Actor(StrEnum):
    """Who may take an action, relative to the adoption."""

    ADOPTER_REFERENT = "adopter_referent"  # a referent of the adopting body
    OWNER_PUBLISHER = "owner_publisher"  # a publisher of the body that owns the solution
    CST = "cst"  # CST staff (cst_admin)


class Action(models.TextChoices):
    REQUEST = "request", _("Richiedi l'adozione")
    APPROVE = "approve", _("Approva")
    REJECT = "reject", _("Respingi")
    ASK_INFO = "ask_info", _("Chiedi informazioni")
    ANSWER = "answer", _("Rispondi")
    START = "start", _("Avvia l'adozione")
    GO_LIVE = "go_live", _("Registra l'avvio in produzione")
    RETIRE = "retire", _("Dismetti")
    WITHDRAW = "withdraw", _("Ritira la richiesta")


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: tuple[str, ...]  # empty for REQUEST, which creates the adoption
    target: str
    actors: frozenset[Actor]
    note_required: bool = False
    # The Adoption date fields the action sets to the moment it is taken (status_changed_at is set by every one).
    stamps: tuple[str, ...] = ()


S = AdoptionStatus
A = Actor

TRANSITIONS: dict[Action, Transition] = {
    Action.REQUEST: Transition(Action.REQUEST, (), S.REQUESTED, frozenset({A.ADOPTER_REFERENT, A.CST})),
    Action.APPROVE: Transition(
        Action.APPROVE, (S.REQUESTED,), S.APPROVED, frozenset({A.OWNER_PUBLISHER, A.CST}), stamps=("decided_at",)
    ),
    Action.REJECT: Transition(
        Action.REJECT, (S.REQUESTED,), S.REJECTED, frozenset({A.OWNER_PUBLISHER, A.CST}),
        note_required=True, stamps=("decided_at", "closed_at"),
    ),
    Action.ASK_INFO: Transition(
        Action.ASK_INFO, (S.REQUESTED,), S.INFO_NEEDED, frozenset({A.OWNER_PUBLISHER, A.CST}), note_required=True
    ),
    Action.ANSWER: Transition(
        Action.ANSWER, (S.INFO_NEEDED,), S.REQUESTED, frozenset({A.ADOPTER_REFERENT}), note_required=True
    ),
    Action.START: Transition(
        Action.START, (S.APPROVED,), S.IN_PROGRESS, frozenset({A.ADOPTER_REFERENT, A.CST}), stamps=("started_at",)
    ),
    Action.GO_LIVE: Transition(
        Action.GO_LIVE, (S.IN_PROGRESS,), S.IN_PRODUCTION, frozenset({A.ADOPTER_REFERENT}),
        stamps=("in_production_at",),
    ),
    Action.RETIRE: Transition(
        Action.RETIRE, (S.IN_PRODUCTION,), S.RETIRED, frozenset({A.ADOPTER_REFERENT, A.CST}), stamps=("closed_at",)
    ),
    Action.WITHDRAW: Transition(
        Action.WITHDRAW, (S.REQUESTED, S.INFO_NEEDED, S.APPROVED, S.IN_PROGRESS), S.WITHDRAWN,
        frozenset({A.ADOPTER_REFERENT, A.CST}), stamps=("closed_at",),
    ),
}

# Actions taken on an existing adoption (everything but REQUEST).
ADOPTION_ACTIONS: tuple[Action, ...] = tuple(a for a in TRANSITIONS if a is not Action.REQUEST)


def transition_for(action: str) -> Transition:
    return TRANSITIONS[Action(action)]


def actions_from(status: str) -> list[Action]:
    """The actions the table allows from `status`, in table order."""
    return [t.action for t in TRANSITIONS.values() if status in t.sources]


# --- publication of a solution, read the same way ------------------------------------------------------------


class SolutionStatus(models.TextChoices):
    DRAFT = "draft", _("Bozza")
    IN_REVIEW = "in_review", _("In revisione")
    PUBLISHED = "published", _("Pubblicata")
    RETIRED = "retired", _("Ritirata")


class PublicationAction(models.TextChoices):
    SUBMIT = "submit", _("Invia in revisione")
    PUBLISH = "publish", _("Pubblica")
    REQUEST_CHANGES = "request_changes", _("Chiedi modifiche")
    RETIRE = "retire", _("Ritira dal catalogo")


@dataclass(frozen=True)
class PublicationStep:
    action: PublicationAction
    source: str
    target: str
    actors: frozenset[Actor]  # OWNER_PUBLISHER: a publisher of the solution's owner
    refusal: StrOrPromise  # what to say when the solution is not in `source`
    reason_required: bool = False
    # The Solution date fields the step sets to the moment it is taken.
    stamps: tuple[str, ...] = ()


P = SolutionStatus

PUBLICATION_STEPS: dict[PublicationAction, PublicationStep] = {
    PublicationAction.SUBMIT: PublicationStep(
        PublicationAction.SUBMIT, P.DRAFT, P.IN_REVIEW, frozenset({A.OWNER_PUBLISHER, A.CST}),
        _("Solo una bozza può essere inviata in revisione."),
    ),
    PublicationAction.PUBLISH: PublicationStep(
        PublicationAction.PUBLISH, P.IN_REVIEW, P.PUBLISHED, frozenset({A.CST}),
        _("Si può pubblicare solo una soluzione in revisione."), stamps=("published_at",),
    ),
    PublicationAction.REQUEST_CHANGES: PublicationStep(
        PublicationAction.REQUEST_CHANGES, P.IN_REVIEW, P.DRAFT, frozenset({A.CST}),
        _("Si possono chiedere modifiche solo a una soluzione in revisione."), reason_required=True,
    ),
    # The bodies that use it need to know why: a retirement says its reason.
    PublicationAction.RETIRE: PublicationStep(
        PublicationAction.RETIRE, P.PUBLISHED, P.RETIRED, frozenset({A.OWNER_PUBLISHER, A.CST}),
        _("Si può ritirare solo una soluzione pubblicata."), reason_required=True,
    ),
}
