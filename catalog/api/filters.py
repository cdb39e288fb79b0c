"""Query parameters of the API lists. An unknown choice is a 400 naming the parameter, never an empty 200.

The solutions' parameters are the catalogue's, shared with the HTML page: catalog.filters.SolutionFilter."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from municipalities.models import Body, SizeClass

from ..filters import SEARCH_MAX_LENGTH, ChoiceFilter, SolutionFilter, TextFilter
from ..models import Adoption
from .serializers import ISTAT_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN

__all__ = ["AdoptionFilter", "MunicipalityFilter", "SolutionFilter"]


class MunicipalityFilter(filters.FilterSet):
    kind = ChoiceFilter(choices=Body.Kind.choices, help_text=_("Tipo di ente."))
    size_class = ChoiceFilter(choices=SizeClass.choices, help_text=_("Classe demografica."))
    q = TextFilter(method="filter_q", max_length=SEARCH_MAX_LENGTH, help_text=_("Nome, codice ISTAT o codice IPA."))

    class Meta:
        model = Body
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(istat_code=value) | Q(ipa_code__iexact=value))


class AdoptionFilter(filters.FilterSet):
    status = ChoiceFilter(choices=Adoption.Status.choices, help_text=_("Stato dell'adozione."))
    solution = TextFilter(field_name="solution__slug", max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN,
                          help_text=_("Slug della soluzione."))
    municipality = TextFilter(field_name="body__istat_code", max_length=6, pattern=ISTAT_PATTERN,
                              help_text=_("Codice ISTAT dell'ente adottante."))

    class Meta:
        model = Adoption
        fields: list[str] = []
