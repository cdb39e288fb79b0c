"""Full-text search and facets of the catalogue.

PostgreSQL: a stored, weighted tsvector (`Solution.search_vector`, GIN index from migration 0003) built with the
"italian" configuration, so that "tributo" finds "tributi". Weights: A name and short descriptions; B features,
tags, origin project and owner body; C long descriptions. Queries go through `websearch_to_tsquery`, which accepts
any text (operators included) without raising, and results are ordered by `ts_rank`.

SQLite (the one-machine demo): no stored vector. The fallback matches every word of the query with `icontains` on
the name and the descriptions, after a crude Italian stemming (a word of four letters or more loses its final
vowel: "tributo" → "tribut" finds "tributi"); a match in the name ranks above a match in the short description,
which ranks above one in the long description.

Facets are counted over the filtered catalogue with a fixed number of aggregate queries, whatever the number of
values: one for the fixed vocabularies (kind, development status, origin, supports) and the total, one GROUP BY for
owner bodies, one GROUP BY for categories.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Coalesce

from catalog.vocabulary import SUPPORTS, category_label

SEARCH_CONFIG = "italian"
MAX_QUERY_LENGTH = 200
MAX_FALLBACK_WORDS = 8
_VOWELS = "aeiouàèéìíòóù"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def normalise_query(q: Any) -> str:
    """A search string safe for both back ends: no NUL or control characters, single spaces, capped length."""
    text = unicodedata.normalize("NFC", str(q or ""))
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


# --- the stored vector (PostgreSQL) ---------------------------------------------------------------------------


def _vector_expression():
    from catalog.models import Tag
    from municipalities.models import Body

    owner_name = Subquery(Body.objects.filter(pk=OuterRef("owner_id")).values("name")[:1])
    tag_names = Subquery(
        Tag.objects.filter(solutions=OuterRef("pk"))
        .order_by()
        .values("solutions")
        .annotate(names=StringAgg("name", delimiter=" "))
        .values("names")[:1]
    )
    text = TextField()
    return (
        SearchVector("name", "short_description_it", "short_description_en", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            Cast("features_it", text),
            Cast("features_en", text),
            Coalesce(tag_names, Value(""), output_field=text),
            Coalesce(owner_name, Value(""), output_field=text),
            "origin",
            "origin_other",
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("long_description_it", "long_description_en", weight="C", config=SEARCH_CONFIG)
    )


def refresh_search_vector(ids: Iterable[int] | None) -> int:
    """Recompute the stored search vector of the given solutions (all of them when `ids` is None).

    One UPDATE on PostgreSQL; a no-op on SQLite, whose fallback reads the columns directly. Call it after any write
    that changes a solution's text, tags or owner (the services and the publiccode.yml import do). Returns the
    number of rows updated.
    """
    if not is_postgres():
        return 0
    from catalog.models import Solution

    qs = Solution.objects.all()
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    return qs.update(search_vector=_vector_expression())


# --- searching ------------------------------------------------------------------------------------------------


def stem_words(q: str) -> list[str]:
    """The SQLite fallback's crude Italian stemming: each word of 4+ letters loses its final vowel."""
    words = re.findall(r"\w+", normalise_query(q).lower())[:MAX_FALLBACK_WORDS]
    stems = []
    for word in words:
        if len(word) >= 4 and word[-1] in _VOWELS:
            word = word[:-1]
        if word not in stems:
            stems.append(word)
    return stems


def search_solutions(queryset: QuerySet, q: str) -> QuerySet:
    """Filter `queryset` to the solutions matching `q`, annotated with `rank` (higher is more relevant).

    Any input is safe: it is normalised and capped first, and PostgreSQL parses it with websearch_to_tsquery
    (quotes, `or`, `-` work as on a web search engine; nothing raises a syntax error). An empty `q` returns the
    queryset unchanged with rank 0; a `q` with nothing searchable in it (only punctuation) matches nothing.
    """
    text = normalise_query(q)
    if not text:
        return queryset.annotate(rank=Value(0.0))
    if is_postgres():
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    stems = stem_words(text)
    if not stems:
        return queryset.none().annotate(rank=Value(0.0))
    fields = (("name", 4), ("short_description_it", 2), ("short_description_en", 2),
              ("long_description_it", 1), ("long_description_en", 1))
    matches = Q()
    score: Any = Value(0)
    for stem in stems:
        word_q = Q()
        for name, weight in fields:
            word_q |= Q(**{f"{name}__icontains": stem})
            score = score + Case(
                When(**{f"{name}__icontains": stem}, then=Value(weight)), default=Value(0), output_field=IntegerField()
            )
        matches &= word_q
    return queryset.filter(matches).annotate(rank=score)


# --- filters and sorting of the catalogue ----------------------------------------------------------------------

def order_catalogue(queryset: QuerySet, ordering: str) -> QuerySet:
    """Order by one of catalog.solutions.filters.SOLUTION_ORDERINGS: relevance (needs the `rank` annotation), name, latest
    release (solutions without one count as the oldest) or bodies using it in production (`adoption_count`).

    Ties are broken as the API's cursor does (catalog.api.views.SOLUTION_CURSOR_ORDERINGS), so that the page and
    the API list the same solutions in the same order for the same query string."""
    if ordering == "relevance":
        return queryset.order_by("-rank", "name", "pk")
    if ordering == "-name":
        return queryset.order_by("-name", "-pk")
    if ordering == "latest_release_date":
        return queryset.order_by(F("latest_release_date").asc(nulls_first=True), "pk")
    if ordering == "-latest_release_date":
        return queryset.order_by(F("latest_release_date").desc(nulls_last=True), "-pk")
    if ordering == "used_by_count":
        return queryset.order_by("adoption_count", "pk")
    if ordering == "-used_by_count":
        return queryset.order_by("-adoption_count", "-pk")
    return queryset.order_by("name", "pk")


# --- facets ---------------------------------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    url: str = ""  # set by the view: the catalogue with this value toggled


@dataclass
class Facet:
    name: str  # the query-string parameter
    label: str
    values: list[FacetValue] = field(default_factory=list)
    multiple: bool = False

    @property
    def has_values(self) -> bool:
        return any(v.count or v.selected for v in self.values)


def count_facets(filtered: QuerySet, selected: dict[str, Any]) -> tuple[int, list[Facet]]:
    """(total, facets) counted over `filtered` in three queries, whatever the number of values.

    `selected` maps a parameter name to the selected value (a list for `supports`) so that the facet can mark it;
    owners are named by their public key (Body.key).
    Values with no solutions are left out unless selected.
    """
    from django.utils.translation import gettext as _

    from catalog.models import Solution

    pks = filtered.order_by().values("pk")
    base = Solution.objects.filter(pk__in=Subquery(pks))

    enums = {
        "kind": Solution.Kind.choices,
        "development_status": Solution.DevelopmentStatus.choices,
        "origin": Solution.Origin.choices,
    }
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for name, choices in enums.items():
        for value, _label in choices:
            aggregates[f"{name}__{value}"] = Count("pk", filter=Q(**{name: value}))
    for code, _label in SUPPORTS:
        aggregates[f"supports__{code}"] = Count("pk", filter=Q(**{f"supports_{code}": True}))
    counts = base.aggregate(**aggregates)  # query 1

    owners = list(  # query 2
        base.values("owner__key", "owner__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner__name")
    )
    through = Solution.categories.through
    categories = list(  # query 3
        through.objects.filter(solution__in=Subquery(pks))
        .values("category__code")
        .annotate(n=Count("solution_id"))
        .order_by("-n", "category__code")
    )

    def chosen(name: str, value: str) -> bool:
        current = selected.get(name)
        if isinstance(current, list | tuple | set):
            return value in current
        return current == value

    def enum_facet(name: str, label: str, choices) -> Facet:
        return Facet(
            name=name,
            label=label,
            values=[
                FacetValue(str(value), str(text), counts[f"{name}__{value}"], chosen(name, str(value)))
                for value, text in choices
                if counts[f"{name}__{value}"] or chosen(name, str(value))
            ],
        )

    facets = [
        enum_facet("kind", _("Tipo"), Solution.Kind.choices),
        Facet(
            name="category",
            label=_("Categoria"),
            values=[
                FacetValue(row["category__code"], category_label(row["category__code"]), row["n"],
                           chosen("category", row["category__code"]))
                for row in categories
            ],
        ),
        Facet(
            name="owner",
            label=_("Ente titolare"),
            values=[
                FacetValue(row["owner__key"], row["owner__name"], row["n"], chosen("owner", row["owner__key"]))
                for row in owners
            ],
        ),
        enum_facet("development_status", _("Stato di sviluppo"), Solution.DevelopmentStatus.choices),
        enum_facet("origin", _("Progetto di origine"), Solution.Origin.choices),
        Facet(
            name="supports",
            label=_("Integrazioni con le piattaforme nazionali"),
            multiple=True,
            values=[
                FacetValue(code, label, counts[f"supports__{code}"], chosen("supports", code))
                for code, label in SUPPORTS
                if counts[f"supports__{code}"] or chosen("supports", code)
            ],
        ),
    ]
    return counts["total"], facets
