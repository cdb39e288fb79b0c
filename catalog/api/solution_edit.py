"""PATCH of a solution through the API: the text and choice fields of the solution's form, with the form's rules.

A field that a harvested publiccode.yml sets (catalog.harvest.querysets.harvested_fields) is read-only here as in
the form: a PATCH that would change one answers 422 with the field and a message saying that it changes in the
repository, and changes nothing; sending its current value is not a change. The other fields stay editable.

The request is validated by the solution's form (catalog.solutions.forms.SolutionForm) filled with the solution's
current values and the fields sent, so that the API and the page accept and refuse the same things; the write is
the same service call as the page's.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers

from catalog.harvest.querysets import harvested_fields
from catalog.models import Solution
from catalog.solutions import services
from catalog.solutions.forms import SolutionForm
from cstportal.api.fields import StrictCharField
from cstportal.api.responses import Unprocessable
from municipalities.models import User

# The fields a PATCH may send: each one a JSON string, as the solution's form holds it.
WRITABLE = (
    "name",
    "kind",
    "short_description_it",
    "short_description_en",
    "long_description_it",
    "long_description_en",
    "origin",
    "origin_other",
    "software_type",
    "development_status",
    "licence",
    "main_copyright_owner",
    "repo_owner",
    "repository_url",
    "landing_url",
    "documentation_url",
    "maintenance_type",
    "maintenance_contractor",
)
HARVESTED_MESSAGE = gettext_lazy(
    "Questo campo viene dal publiccode.yml raccolto dal repository: si modifica nel repository, non qui."
)


class SolutionPatchSerializer(serializers.Serializer):
    """What a PATCH may send: any of the fields below, each a string (empty to clear an optional one)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: StrictCharField(required=False, allow_blank=True, help_text=_field_label(name)) for name in WRITABLE
        }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(WRITABLE))
            if unknown:
                raise exceptions.ValidationError(
                    {name: [_("Campo sconosciuto o non modificabile tramite l'API.")] for name in unknown}
                )
        return super().to_internal_value(data)


def _field_label(name: str) -> str:
    return str(Solution._meta.get_field(name).verbose_name)


def _current(form: SolutionForm) -> dict[str, Any]:
    """The form's data as the page would post it unchanged."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None:
            continue
        data[bound.name] = value
    return data


def patch_solution(solution: Solution, *, by: User, changes: dict[str, str]) -> Solution:
    """Apply `changes` (validated by SolutionPatchSerializer) with the form's rules. Raises Unprocessable (422) for
    a harvested field that would change, ValidationError (400) for what the form refuses; the service's refusals
    pass through."""
    locked = set(harvested_fields(solution))
    unchanged_form = SolutionForm(user=by, instance=solution, read_only=locked)
    current = _current(unchanged_form)
    refused = {
        name: [HARVESTED_MESSAGE]
        for name, value in changes.items()
        if name in unchanged_form.read_only and str(current.get(name, "") or "") != value
    }
    if refused:
        raise Unprocessable(refused, code="harvested_field")
    form = SolutionForm({**current, **changes}, user=by, instance=solution, read_only=locked)
    if not form.is_valid():
        raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return services.update_solution(solution, by=by, **form.service_arguments())
