"""How each workflow action and status looks on the pages: one row per action, beside the table in catalog.workflow.

The workflow says what an action does; this says how it is offered and told (button, help, confirmation, note
label, message after it, timeline verb, inbox section). Views, forms and template tags read it; nothing here
decides what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from catalog.workflow import TRANSITIONS, Action, AdoptionStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class InboxSection:
    """A section of "Da fare": the adoptions waiting for the action this row describes."""

    key: str
    title: StrOrPromise
    description: StrOrPromise


@dataclass(frozen=True)
class ActionPresentation:
    # Past-tense verb of the timeline: "Fano ha approvato".
    done_label: StrOrPromise
    # The message after the action succeeded.
    success: StrOrPromise = ""
    # Under the action's heading on the adoption page.
    help: StrOrPromise = ""
    button_class: str = "btn-primary"
    # Destructive actions ask for confirmation before the form is sent; their form stays closed until asked for.
    confirm: StrOrPromise = ""
    # The note's label where "Nota" would say too little.
    note_label: StrOrPromise = ""
    inbox: InboxSection | None = None


ACTIONS: dict[Action, ActionPresentation] = {
    Action.REQUEST: ActionPresentation(done_label=_("ha richiesto l'adozione")),
    Action.APPROVE: ActionPresentation(
        done_label=_("ha approvato"),
        success=_("Richiesta approvata: l'ente adottante può avviare l'adozione."),
        help=_("L'ente adottante potrà avviare l'adozione."),
        inbox=InboxSection(
            "review", _("Richieste da esaminare"),
            _("Richieste in attesa della decisione dell'ente titolare: approvarle, respingerle o chiedere "
              "informazioni."),
        ),
    ),
    Action.REJECT: ActionPresentation(
        done_label=_("ha respinto la richiesta"),
        success=_("Richiesta respinta."),
        help=_("Spiega il motivo: l'ente adottante lo leggerà nella cronologia."),
        button_class="btn-outline-danger",
        confirm=_("Confermi di voler respingere la richiesta? L'ente dovrà presentarne una nuova."),
        note_label=_("Motivo del rifiuto"),
    ),
    Action.ASK_INFO: ActionPresentation(
        done_label=_("ha chiesto informazioni"),
        success=_("Domanda inviata all'ente adottante."),
        help=_("La richiesta resta in sospeso finché l'ente adottante non risponde."),
        button_class="btn-outline-primary",
        note_label=_("Domanda per l'ente adottante"),
    ),
    Action.ANSWER: ActionPresentation(
        done_label=_("ha risposto"),
        success=_("Risposta inviata: la richiesta torna all'esame dell'ente titolare."),
        help=_("La richiesta torna all'esame dell'ente titolare."),
        note_label=_("La tua risposta"),
        inbox=InboxSection(
            "answer", _("Domande a cui rispondere"),
            _("L'ente titolare ha chiesto informazioni prima di decidere: tocca all'ente adottante rispondere."),
        ),
    ),
    Action.START: ActionPresentation(
        done_label=_("ha avviato l'adozione"),
        success=_("Adozione avviata."),
        help=_("Da usare quando comincia l'installazione o l'attivazione."),
        inbox=InboxSection(
            "start", _("Adozioni da avviare"),
            _("Richieste approvate: l'adozione si avvia quando comincia l'installazione o l'attivazione."),
        ),
    ),
    Action.GO_LIVE: ActionPresentation(
        done_label=_("ha registrato l'avvio in produzione"),
        success=_("Avvio in produzione registrato: l'ente compare tra chi usa la soluzione."),
        help=_("Registra versione, data e costi: l'ente comparirà tra chi usa la soluzione."),
        inbox=InboxSection(
            "go_live", _("Adozioni da mettere in produzione"),
            _("Adozioni in corso: all'avvio in produzione si registrano versione, data e costi."),
        ),
    ),
    Action.RETIRE: ActionPresentation(
        done_label=_("ha dismesso la soluzione"),
        success=_("Dismissione registrata: l'ente non compare più tra chi usa la soluzione."),
        help=_("L'ente non comparirà più tra chi usa la soluzione."),
        button_class="btn-outline-danger",
        confirm=_("Confermi la dismissione? L'ente non comparirà più tra chi usa la soluzione."),
    ),
    Action.WITHDRAW: ActionPresentation(
        done_label=_("ha ritirato la richiesta"),
        success=_("Richiesta ritirata."),
        help=_("La richiesta viene chiusa: per riprenderla ne servirà una nuova."),
        button_class="btn-outline-danger",
        confirm=_("Confermi di voler ritirare la richiesta? Per riprenderla servirà una nuova richiesta."),
    ),
}

# "Da fare", in the order of the workflow table: one section per action someone is waiting for.
INBOX_ACTIONS: tuple[Action, ...] = tuple(action for action in TRANSITIONS if ACTIONS[action].inbox)

STATUS_BADGES: dict[str, str] = {
    AdoptionStatus.REQUESTED: "bg-primary",
    AdoptionStatus.INFO_NEEDED: "bg-warning",
    AdoptionStatus.APPROVED: "bg-primary",
    AdoptionStatus.IN_PROGRESS: "bg-primary",
    AdoptionStatus.IN_PRODUCTION: "bg-success",
    AdoptionStatus.REJECTED: "bg-danger",
    AdoptionStatus.WITHDRAWN: "bg-secondary",
    AdoptionStatus.RETIRED: "bg-dark",
}


def presentation_of(action: str) -> ActionPresentation:
    """The row of `action`; ValueError for a value that is not an action (a comment on the timeline)."""
    return ACTIONS[Action(action)]
