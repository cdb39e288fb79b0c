"""How a harvest's changes read in the log, in the reader's language (the run keeps them as kinds and values)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from catalog.models import Solution


def field_label(name: str) -> str:
    """The label of a solution field, as its form shows it."""
    try:
        field = Solution._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def describe_change(change: dict[str, Any]) -> str:
    kind = change.get("kind", "")
    params = change.get("params") or {}
    if kind == "created":
        return _("Soluzione «%(solution)s» creata dal publiccode.yml.") % {"solution": params.get("solution", "")}
    if kind == "fields":
        labels = ", ".join(field_label(name) for name in params.get("fields", []))
        return capfirst(_("campi aggiornati: %(fields)s.") % {"fields": labels})
    if kind == "release":
        return _("Nuovo rilascio %(version)s.") % {"version": params.get("version", "")}
    if kind == "moved":
        return _("Il repository ha un nuovo indirizzo (%(new)s): il precedente, %(old)s, resta come alias.") % {
            "new": params.get("new", ""), "old": params.get("old", "")}
    if kind == "took_over":
        return _("Stesso repository della sorgente %(old)s (riconosciuto dai commit iniziali): la soluzione resta la "
                 "stessa e quella sorgente è stata rimossa.") % {"old": params.get("old", "")}
    if kind == "images":
        return _("Logo e schermate aggiornati dal repository (logo: %(logo)s; schermate: %(screenshots)s).") % {
            "logo": _("sì") if params.get("logo") else _("no"), "screenshots": params.get("screenshots", 0)}
    if kind == "entry_fields":
        labels = ", ".join(field_label(name) for name in params.get("fields", []))
        return _("«%(solution)s»: campi aggiornati: %(fields)s.") % {"solution": params.get("solution", ""),
                                                                     "fields": labels}
    if kind == "entry_release":
        return _("«%(solution)s»: nuovo rilascio %(version)s.") % {"solution": params.get("solution", ""),
                                                                   "version": params.get("version", "")}
    if kind == "aliases":
        return _("«%(solution)s»: indirizzi precedenti del repository registrati: %(count)s.") % {
            "solution": params.get("solution", ""), "count": params.get("count", 0)}
    if kind == "retired":
        return _("«%(solution)s» non è più attiva nel catalogo: ritirata anche qui.") % {
            "solution": params.get("solution", "")}
    if kind == "body":
        return _("Ente della sorgente, dal publiccode.yml: %(body)s.") % {"body": params.get("body", "")}
    return kind
