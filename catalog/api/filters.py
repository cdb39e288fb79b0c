"""Query parameters of the API lists. An unknown choice is a 400 naming the parameter, never an empty 200."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters import rest_framework as filters

from municipalities.models import Body, SizeClass

from ..models import Adoption, Solution
from ..vocabulary import SUPPORTS
from .serializers import BODY_CODE_PATTERN, ISTAT_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN, PatternValidator

SEARCH_MAX_LENGTH = 200
CODE_MAX_LENGTH = 60  # Category.code, Tag.slug

SOLUTION_ORDERINGS = (
    ("name", _("nome (A-Z)")),
    ("-name", _("nome (Z-A)")),
    ("latest_release_date", _("ultimo rilascio, dal meno recente")),
    ("-latest_release_date", _("ultimo rilascio, dal più recente")),
    ("used_by_count", _("enti che la usano in produzione, crescente")),
    ("-used_by_count", _("enti che la usano in produzione, decrescente")),
    ("relevance", _("pertinenza rispetto a q (senza q: per nome)")),
)


class TextField(forms.CharField):
    """Text from a query string, at most `max_length` characters and, if given, matching `pattern` (both declared
    in the schema by catalog.api.schema), checked as sent: nothing is trimmed first, so that what the schema calls
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
    """A choice parameter that, when present, must hold one of the choices: `?kind=` is a 400, not "any kind"."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().clean(value)


class ChoiceFilter(filters.ChoiceFilter):
    field_class = PresentChoiceField


def _noop(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return queryset


class SolutionFilter(filters.FilterSet):
    kind = ChoiceFilter(choices=Solution.Kind.choices, help_text=_("Tipo: software a riuso o servizio."))
    category = TextFilter(
        field_name="categories__code", max_length=CODE_MAX_LENGTH, pattern=SLUG_PATTERN,
        help_text=_("Codice di categoria del vocabolario publiccode.yml."),
    )
    owner = TextFilter(method="filter_owner", max_length=20, pattern=BODY_CODE_PATTERN,
                       help_text=_("Ente titolare: codice ISTAT o codice IPA."))
    status = ChoiceFilter(
        choices=Solution.Status.choices,
        help_text=_("Stato di pubblicazione. Chi vede solo le soluzioni pubblicate riceve solo quelle."),
    )
    development_status = ChoiceFilter(choices=Solution.DevelopmentStatus.choices, help_text=_("Stato di sviluppo."))
    origin = ChoiceFilter(choices=Solution.Origin.choices, help_text=_("Progetto di origine."))
    tag = TextFilter(field_name="tags__slug", max_length=CODE_MAX_LENGTH, pattern=SLUG_PATTERN,
                     help_text=_("Slug di un'etichetta."))
    supports = ChoiceFilter(
        choices=SUPPORTS, method="filter_supports", help_text=_("Piattaforma nazionale integrata.")
    )
    q = TextFilter(method="filter_q", max_length=SEARCH_MAX_LENGTH, help_text=_("Ricerca a testo libero."))
    ordering = ChoiceFilter(
        choices=SOLUTION_ORDERINGS,
        method=_noop,  # applied by the cursor pagination, which needs to know the ordering key
        help_text=_("Ordinamento. Predefinito: pertinenza con q, altrimenti nome."),
    )

    class Meta:
        model = Solution
        fields: list[str] = []

    def filter_owner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip()
        if code.isdigit():
            return queryset.filter(owner__istat_code=code)
        return queryset.filter(owner__ipa_code__iexact=code)

    def filter_supports(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{f"supports_{value}": True})

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        from ..search import search_solutions

        if not value.strip():
            return queryset
        return search_solutions(queryset, value)


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
