"""Query parameters of the API lists. An unknown choice is a 400 naming the parameter, never an empty 200.

The solutions' parameters are the catalogue's, shared with the HTML page: catalog.solutions.filters.SolutionFilter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Adoption
from catalog.solutions.filters import SolutionFilter
from cstportal.api.fields import ISTAT_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN
from cstportal.api.filters import ChoiceFilter, TextFilter

__all__ = ["AdoptionFilter", "SolutionFilter"]


class AdoptionFilter(filters.FilterSet):
    status = ChoiceFilter(choices=Adoption.Status.choices, help_text=_("Stato dell'adozione."))
    solution = TextFilter(field_name="solution__slug", max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN,
                          help_text=_("Slug della soluzione."))
    municipality = TextFilter(field_name="body__istat_code", max_length=6, pattern=ISTAT_PATTERN,
                              help_text=_("Codice ISTAT dell'ente adottante."))

    class Meta:
        model = Adoption
        fields: list[str] = []
