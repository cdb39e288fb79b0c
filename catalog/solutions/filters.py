"""The catalogue's filters: one FilterSet read by the HTML catalogue page and by the API's list of solutions.

Both take the same query string, with the same names, values and checks:

    kind, category, owner, used_by, status, development_status, origin, tag, supports (repeatable: all of them), q,
    ordering

`owner` and `used_by` (the solutions a body runs in production: catalog.models.querysets.in_use) take a body's public code: its ISTAT code (6 digits), or its IPA code for a body without one (the Province,
a union). An unknown choice or a malformed value is an error of that parameter: the API answers 400 naming it, the
HTML page drops it and says so (catalog.solutions.views). The HTML page also redirects the parameters it used to
take (`sort`, an owner's slug) to these, so that bookmarked addresses keep working.

Filtering only: the full-text search and the facets are catalog.solutions.search's; the order is applied by each reader
(the API's cursor pagination needs the ordering key, the page its paginator), from `ordering_for`.
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Adoption, Solution
from catalog.solutions.search import search_solutions
from catalog.vocabulary import SUPPORTS
from cstportal.api.fields import BODY_CODE_PATTERN, SLUG_PATTERN
from cstportal.api.filters import ChoiceFilter, FormClassBuiltOnce, TextFilter
from municipalities.models import Body

SEARCH_MAX_LENGTH = 200
CODE_MAX_LENGTH = 60  # Category.code, Tag.slug
OWNER_MAX_LENGTH = 160  # Body.key (an ISTAT code, an IPA code or a slug)

SOLUTION_ORDERINGS = (
    ("name", _("nome (A-Z)")),
    ("-name", _("nome (Z-A)")),
    ("latest_release_date", _("ultimo rilascio, dal meno recente")),
    ("-latest_release_date", _("ultimo rilascio, dal più recente")),
    ("used_by_count", _("enti che la usano in produzione, crescente")),
    ("-used_by_count", _("enti che la usano in produzione, decrescente")),
    ("vitality", _("indice di vitalità del repository, crescente (senza indice per prime)")),
    ("-vitality", _("indice di vitalità del repository, decrescente (senza indice per ultime)")),
    ("relevance", _("pertinenza rispetto a q (senza q: per nome)")),
)


def ordering_for(wanted: str, *, searching: bool) -> str:
    """The ordering applied: the one asked for, else relevance when searching and name otherwise (relevance without
    a search has nothing to rank by: it is by name)."""
    wanted = wanted or ("relevance" if searching else "name")
    if wanted == "relevance" and not searching:
        return "name"
    return wanted


def _noop(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return queryset


class SolutionFilter(FormClassBuiltOnce, filters.FilterSet):
    kind = ChoiceFilter(choices=Solution.Kind.choices, help_text=_("Tipo: software a riuso o servizio."))
    category = TextFilter(
        field_name="categories__code", max_length=CODE_MAX_LENGTH, pattern=SLUG_PATTERN,
        help_text=_("Codice di categoria del vocabolario publiccode.yml."),
    )
    owner = TextFilter(method="filter_owner", max_length=OWNER_MAX_LENGTH, pattern=BODY_CODE_PATTERN,
                       help_text=_("Ente titolare: codice ISTAT o codice IPA."))
    used_by = TextFilter(method="filter_used_by", max_length=OWNER_MAX_LENGTH, pattern=BODY_CODE_PATTERN,
                         help_text=_("Ente che la usa in produzione: codice ISTAT o codice IPA."))
    status = ChoiceFilter(
        choices=Solution.Status.choices,
        help_text=_("Stato di pubblicazione. Chi vede solo le soluzioni pubblicate riceve solo quelle."),
    )
    development_status = ChoiceFilter(choices=Solution.DevelopmentStatus.choices, help_text=_("Stato di sviluppo."))
    origin = ChoiceFilter(choices=Solution.Origin.choices, help_text=_("Progetto di origine."))
    tag = TextFilter(field_name="tags__slug", max_length=CODE_MAX_LENGTH, pattern=SLUG_PATTERN,
                     help_text=_("Slug di un'etichetta."))
    supports = filters.MultipleChoiceFilter(
        choices=SUPPORTS, method="filter_supports",
        help_text=_("Piattaforma nazionale integrata. Ripetibile: le soluzioni che le integrano tutte."),
    )
    q = TextFilter(method="filter_q", max_length=SEARCH_MAX_LENGTH, help_text=_("Ricerca a testo libero."))
    ordering = ChoiceFilter(
        choices=SOLUTION_ORDERINGS,
        method=_noop,  # applied by each reader from ordering_for(): the API's cursor needs the ordering key
        help_text=_("Ordinamento. Predefinito: pertinenza con q, altrimenti nome."),
    )

    class Meta:
        model = Solution
        fields: list[str] = []

    def filter_owner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The same reading of a code as everywhere else a body is named by one (Body.objects.by_code).
        bodies = Body.objects.by_code(value).values("pk")
        if connection.vendor != "postgresql":
            return queryset.filter(owner__in=bodies)
        # On PostgreSQL as `owner_id = ANY(ARRAY(SELECT …))`: the planner then estimates the match as one owner's
        # solutions (a dozen) and reads them through the owner index. With `owner_id IN (SELECT …)` it guessed
        # hundreds and walked the ordering's index (name, in-production count) over most of the catalogue until it
        # had a page: 0.2-0.8 s for a small owner.
        owned = Func(F("owner_id"), ArraySubquery(bodies), arg_joiner=" = ANY(", template="%(expressions)s)",
                     output_field=BooleanField())
        return queryset.filter(owned)

    def filter_used_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        in_production = Adoption.objects.in_production().filter(
            solution=OuterRef("pk"), body__in=Body.objects.by_code(value).values("pk")
        )
        return queryset.filter(Exists(in_production))

    def filter_supports(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(**{f"supports_{code}": True for code in value})

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        return search_solutions(queryset, value)

    @property
    def searching(self) -> bool:
        """Whether the result is ranked by a full-text search (valid data only)."""
        return bool((self.form.cleaned_data.get("q") or "").strip())

    @property
    def chosen_ordering(self) -> str:
        """The ordering to apply (valid data only)."""
        return ordering_for(self.form.cleaned_data.get("ordering") or "", searching=self.searching)
