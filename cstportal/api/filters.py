"""Query parameters as the API's schema declares them, shared by every FilterSet (the HTML catalogue's too).

A present parameter must be valid: an unknown choice or a malformed text is an error of that parameter (the API
answers 400 naming it), never an empty or unfiltered answer.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters import rest_framework as filters

from cstportal.api.fields import PatternValidator, parse_rfc3339

# The changes-since parameter of every list that a client keeps in sync (solutions, releases, adoptions, bodies).
UPDATED_SINCE = "updated_since"


class FormClassBuiltOnce:
    """A FilterSet whose form class is made once per process and FilterSet class: django-filter makes a new one
    (a form field for every filter and a new class) for every request, a third of a list's filtering time (the API's and the catalogue page's). Its
    fields depend on the filters' declarations only; each form still copies them (Django's forms do). The fields'
    labels are made in the language of the request that built the class (django-filter makes them strings): the
    forms serve validation only, never a rendered label."""

    _form_classes: ClassVar[dict[type, type]] = {}

    def get_form_class(self):
        form_class = FormClassBuiltOnce._form_classes.get(type(self))
        if form_class is None:
            form_class = FormClassBuiltOnce._form_classes[type(self)] = super().get_form_class()
        return form_class


class TextField(forms.CharField):
    """Text from a query string, at most `max_length` characters and, if given, matching `pattern` (both declared
    in the schema by cstportal.api.schema), checked as sent: nothing is trimmed first, so that what the schema calls
    invalid is refused. With a pattern, `?name=` is refused too, like an empty choice.

    A NUL character cannot reach the database (PostgreSQL refuses it), so in free text it is dropped after the
    checks rather than turned into an error: it never carries meaning in a search."""

    def __init__(self, *, pattern: str | None = None, **kwargs) -> None:
        super().__init__(strip=False, **kwargs)
        self.pattern = pattern
        if pattern:
            self.validators.append(PatternValidator(pattern, _("Valore non valido."), code="invalid"))

    def clean(self, value):
        if self.pattern and value == "":
            raise forms.ValidationError(_("Valore non valido."), code="invalid")
        value = super().clean(value)
        return value.replace("\x00", "") if isinstance(value, str) else value


class TextFilter(filters.CharFilter):
    """A text parameter; `max_length` (required: no parameter is unbounded) and `pattern` go to TextField."""

    field_class = TextField

    def __init__(self, *args, max_length: int, **kwargs) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)


class PresentChoiceField(filter_fields.ChoiceField):
    """A choice parameter that, when present, must hold one of the choices: `?kind=` is an error, not "any kind"."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().clean(value)


class ChoiceFilter(filters.ChoiceFilter):
    field_class = PresentChoiceField


class Rfc3339Field(forms.Field):
    """An RFC 3339 date-time (date, time and offset all required), as the schema's "date-time" format; in UTC."""

    default_error_messages = {"invalid": _("Indica data e ora come in RFC 3339, per esempio 2026-01-31T08:00:00Z.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_rfc3339(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def clean(self, value):
        if value == "":  # present but empty: an error of the parameter, not "since ever"
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().clean(value)


class UpdatedSinceFilter(filters.IsoDateTimeFilter):
    """`updated_since`: the items changed at or after an instant (`field_name` >= it). The views that take it order
    the list by that field then by id (cstportal.api.views.CHANGES_ORDERING), so that a client pages through by
    cursor and keeps the largest value it read as the next `updated_since`. (An IsoDateTimeFilter for the schema's
    "date-time" format; the field is this module's, stricter than ISO 8601.)"""

    field_class = Rfc3339Field

    def __init__(self, *, field_name: str = "updated_at", **kwargs) -> None:
        kwargs.setdefault(
            "help_text",
            _(
                "Solo gli elementi modificati da questo istante (RFC 3339, per esempio 2026-01-31T08:00:00Z) in "
                "poi, in ordine di modifica."
            ),
        )
        super().__init__(field_name=field_name, lookup_expr="gte", **kwargs)
