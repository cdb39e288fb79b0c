"""The services' errors: one hierarchy for every app, and the one place each kind of interface maps it.

A service refuses by raising one of these, with a message for the person (Italian, translated when shown) and,
where fields are at fault, one message per field. Nothing else decides what a refusal means to a client:

- the REST API's exception handler (`cstportal.api.handler.ApiExceptionHandler`) answers `NotAllowed` with 403,
  `NotVisible` with 404, `Invalid` with 400 and its fields, `Conflict` with 409 — each with the class's `code`;
- the HTML pages call `service_errors_as_messages(request, form=...)` around the service call: the fields' messages
  go back on the form, the rest becomes a message at the top of the page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A change that a service refuses. `message` is meant for the person; `errors` names the fields at fault."""

    default_message = _("Operazione non riuscita.")
    code = "error"

    def __init__(self, message: object = None, *, errors: Mapping[str, object] | None = None) -> None:
        self.message = str(message or self.default_message)
        self.errors: dict[str, str] = {name: str(text) for name, text in (errors or {}).items()}
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class NotAllowed(ServiceError):
    """The person may see the object but may not do this to it (403)."""

    default_message = _("Non hai i permessi per questa operazione.")
    code = "permission_denied"


class NotVisible(ServiceError):
    """The person may not know the object exists (404)."""

    default_message = _("Risorsa non trovata.")
    code = "not_found"


class Invalid(ServiceError):
    """The data given is not acceptable; `errors` says why, field by field (400)."""

    default_message = _("Controlla i dati inseriti.")
    code = "invalid"


class Conflict(ServiceError):
    """The request clashes with what is stored now (409): retrying the same request will not help."""

    default_message = _("L'operazione è in conflitto con lo stato attuale: ricarica la pagina.")
    code = "conflict"


class StatusConflict(Conflict):
    """The object's status does not allow the action (a second approval finds the request approved already)."""

    code = "not_allowed_from_status"


class AlreadyChanged(Conflict):
    """Someone else changed the object between reading it and acting on it: the compare-and-set updated no row."""

    default_message = _("È già stata modificata da un'altra persona: ricarica la pagina.")


@dataclass
class Outcome:
    """What `service_errors_as_messages` caught: `error` is None when the service succeeded."""

    error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def service_errors_as_messages(request: HttpRequest, *, form: forms.Form | None = None) -> Iterator[Outcome]:
    """Run a service call for an HTML page: a refusal becomes the form's field errors (those the form has) and a
    message at the top of the page; the code after the call, inside the block, runs only on success."""
    outcome = Outcome()
    try:
        yield outcome
    except ServiceError as error:
        outcome.error = error
        messages.error(request, error.message)
        if form is not None:
            for name, text in error.errors.items():
                form.add_error(name if name in form.fields else None, text)
