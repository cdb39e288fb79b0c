"""Query parameters of the API lists. An unknown choice is a 400 naming the parameter, never an empty 200.

The solutions' parameters are the catalogue's, shared with the HTML page: catalog.solutions.filters.SolutionFilter."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Adoption
from catalog.solutions.filters import SolutionFilter
from cstportal.api.fields import BODY_CODE_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN
from cstportal.api.filters import ChoiceFilter, TextFilter
from municipalities.models import Body

__all__ = ["AdoptionFilter", "SolutionFilter"]


class AdoptionFilter(filters.FilterSet):
    status = ChoiceFilter(choices=Adoption.Status.choices, help_text=_("Stato dell'adozione."))
    solution = TextFilter(field_name="solution__slug", max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN,
                          help_text=_("Slug della soluzione."))
    municipality = TextFilter(method="filter_body", max_length=160, pattern=BODY_CODE_PATTERN,
                              help_text=_("Ente adottante: codice pubblico (ISTAT, altrimenti IPA) o codice IPA."))

    class Meta:
        model = Adoption
        fields: list[str] = []

    def filter_body(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(body__in=Body.objects.by_code(value).values("pk"))
