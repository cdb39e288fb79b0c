"""Query parameters of the API lists. An unknown choice is a 400 naming the parameter, never an empty 200.

The solutions' parameters are the catalogue's, shared with the HTML page: catalog.solutions.filters.SolutionFilter."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Adoption, Release
from catalog.solutions.filters import SolutionFilter
from cstportal.api.fields import BODY_CODE_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN
from cstportal.api.filters import ChoiceFilter, TextFilter, UpdatedSinceFilter
from municipalities.models import Body

__all__ = ["AdoptionFilter", "ApiSolutionFilter", "ReleaseFilter", "SolutionFilter"]


class ApiSolutionFilter(SolutionFilter):
    """The catalogue's parameters, and the API's changes-since."""

    updated_since = UpdatedSinceFilter(
        help_text=_(
            "Solo le soluzioni modificate da questo istante (RFC 3339) in poi, in ordine di modifica (updated_at, "
            "poi id; ordering non si applica). Elenca anche le soluzioni pubblicate e poi ritirate, con stato "
            "retired, perché chi sincronizza le tolga."
        )
    )

    class Meta(SolutionFilter.Meta):
        pass


class ReleaseFilter(filters.FilterSet):
    solution = TextFilter(field_name="solution__slug", max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN,
                          help_text=_("Slug della soluzione."))
    updated_since = UpdatedSinceFilter(
        field_name="created_at",
        help_text=_(
            "Solo i rilasci registrati da questo istante (RFC 3339) in poi, in ordine di registrazione (un "
            "rilascio non cambia dopo essere stato registrato)."
        ),
    )

    class Meta:
        model = Release
        fields: list[str] = []


class AdoptionFilter(filters.FilterSet):
    status = ChoiceFilter(choices=Adoption.Status.choices, help_text=_("Stato dell'adozione."))
    solution = TextFilter(field_name="solution__slug", max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN,
                          help_text=_("Slug della soluzione."))
    municipality = TextFilter(method="filter_body", max_length=160, pattern=BODY_CODE_PATTERN,
                              help_text=_("Ente adottante: codice pubblico (ISTAT, altrimenti IPA) o codice IPA."))
    updated_since = UpdatedSinceFilter(
        help_text=_(
            "Solo le adozioni modificate da questo istante (RFC 3339) in poi, in ordine di modifica (updated_at, poi "
            "id). Le adozioni non si cancellano: una richiesta ritirata, respinta o dismessa compare con il suo stato."
        )
    )

    class Meta:
        model = Adoption
        fields: list[str] = []

    def filter_body(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(body__in=Body.objects.by_code(value).values("pk"))
