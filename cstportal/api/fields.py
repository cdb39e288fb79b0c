"""Shapes of the API's values, shared by every app's serializers and query parameters.

Input fields are strict about JSON types (a number is not a string and a string is not a number), so that what the
OpenAPI schema calls invalid is refused, and what it calls valid is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# --- shapes of codes and text ---------------------------------------------------------------------------------

# Each is both the "pattern" of the OpenAPI schema and what the server checks, in bodies, query strings and paths,
# so that a client validating against the schema is never refused for the shape of a value. Written so that
# Python and ECMAScript read them alike ([0-9], not \d, which is wider in Python).
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
ISTAT_PATTERN = r"^[0-9]{6}$"
# A body named by one of its codes: its public key (ISTAT code, else IPA code, else slug) or its IPA code.
BODY_CODE_PATTERN = r"^[-A-Za-z0-9_]{1,160}$"
# A body's public key as it is written (lower case).
BODY_KEY_PATTERN = r"^[-a-z0-9_]{1,160}$"
# Free text: anything but NUL, which PostgreSQL cannot store (DRF refuses it in every text field). Not empty: an
# optional text field takes "" besides (allow_blank), which the schema shows as a second, empty, choice.
TEXT_PATTERN = r"^[^\x00]+$"
# Free text that must say something: at least one character besides blanks (which the services trim). The blanks
# are spelled out, those of Python's str.strip(), because "\s" means other sets in other engines.
BLANKS = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
REQUIRED_TEXT_PATTERN = rf"^[^\x00]*[^\x00{BLANKS}][^\x00]*$"

SLUG_MAX_LENGTH = 120  # every slug of the portal (Solution.slug, Body.slug)

# RFC 3339 date-time, as the schema's "date-time" format: a date, a time and an offset (or Z) are all required.
RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def parse_rfc3339(raw: str) -> dt.datetime:
    """An RFC 3339 date-time, in UTC. Instants beyond what Python holds are taken as the first or last it holds
    (everything changed after the first, nothing after the last). Raises ValueError."""
    if not RFC3339.fullmatch(raw):
        raise ValueError(raw)
    text = raw.upper()
    leap = text[17:19] == "60"  # a leap second: RFC 3339 allows it, Python does not
    if leap:
        text = text[:17] + "59" + text[19:]
    moment = dt.datetime.fromisoformat(text)
    try:
        return moment.astimezone(dt.UTC) + dt.timedelta(seconds=int(leap))
    except OverflowError:
        bound = dt.datetime.min if moment.year == dt.MINYEAR else dt.datetime.max
        return bound.replace(tzinfo=dt.UTC)


class PatternValidator(RegexValidator):
    """A RegexValidator that reads the pattern as the schema's readers do (ECMAScript): the whole value must match,
    where Python's "$" would also let a trailing newline through."""

    def __call__(self, value) -> None:
        if not self.regex.fullmatch(str(value)):
            raise ValidationError(self.message, code=self.code, params={"value": value})


# --- strict input fields --------------------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A JSON string only (DRF's CharField would also take 12 or 1.5 and turn them into text), matching `pattern`
    (by default any text without NUL). Checked as sent, blanks included, so that it is exactly what the schema
    declares (the services trim what they store). The pattern stands in for DRF's own NUL check, which the schema
    could not show: every pattern here refuses NUL."""

    default_error_messages = {"invalid": _("Serve una stringa di testo.")}

    def __init__(self, *, pattern: str = TEXT_PATTERN, pattern_message=None, **kwargs) -> None:
        super().__init__(trim_whitespace=False, **kwargs)
        self.validators = [
            *(v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)),
            PatternValidator(pattern, pattern_message or _("Il testo non può contenere il carattere NUL."),
                             code="invalid"),
        ]

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    default_error_messages = {"invalid_choice": _("«{input}» non è una scelta valida.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """A decimal number ≥ 0 written as a JSON string of digits ("1250.00"): `pattern` is exactly what the schema
    declares (cstportal.api.schema), so no sign, exponent or blank that DRF's DecimalField would also take."""

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs) -> None:
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, min_value=Decimal("0"), **kwargs)
        self.pattern = rf"^[0-9]{{1,{max_digits - decimal_places}}}(\.[0-9]{{1,{decimal_places}}})?$"

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateField(serializers.DateField):
    """A date written as the schema's "date" format says (YYYY-MM-DD), not in the other ISO 8601 forms Python reads."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", data):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(data)


# --- read fields ----------------------------------------------------------------------------------------------


class BlankAsNullMixin:
    """An empty text column is "not given": JSON null, so that a URL, an e-mail or a choice is always valid for
    its format when present."""

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)


class OptionalURLField(BlankAsNullMixin, serializers.URLField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)


class OptionalEmailField(BlankAsNullMixin, serializers.EmailField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)


class OptionalChoiceField(BlankAsNullMixin, serializers.ChoiceField):
    def __init__(self, choices, **kwargs):
        super().__init__(choices, read_only=True, allow_null=True, **kwargs)


def slug_field(**kwargs) -> StrictCharField:
    return StrictCharField(max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN,
                           pattern_message=_("Uno slug contiene solo lettere, cifre, «-» e «_»."), **kwargs)


def body_code_field(**kwargs) -> StrictCharField:
    """A body named by one of its codes (its public key: ISTAT, else IPA, else slug; or its IPA code)."""
    return StrictCharField(max_length=160, pattern=BODY_CODE_PATTERN,
                           pattern_message=_("Indica il codice dell'ente: ISTAT, IPA o il suo codice pubblico."),
                           **kwargs)


def text_field(*, max_length: int, required_text: bool = False, **kwargs) -> StrictCharField:
    """Free text, optional; with `required_text`, required and holding something besides blanks."""
    if required_text:
        return StrictCharField(max_length=max_length, pattern=REQUIRED_TEXT_PATTERN,
                               pattern_message=_("Questo campo è obbligatorio."), **kwargs)
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, **kwargs)
