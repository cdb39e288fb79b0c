"""Full-text search and facets of the catalogue.

A search reads the name, descriptions, features, tags, category labels (in Italian and English) and owner of a
solution, and widens each word with the domain's synonyms (catalog/solutions/synonyms.yml: "tributi" also finds
TARI and IMU). The words, synonyms and labels are read by catalog.solutions.terms, the same way on both databases;
a search that finds nothing may be answered with a corrected query (catalog.solutions.suggestions).

PostgreSQL: a stored, weighted tsvector (`Solution.search_vector`, GIN index from migration 0003) built with the
"italian" configuration, so that "tributo" finds "tributi". Weights: A name and short descriptions; B features,
tags, category labels, origin project and owner body; C long descriptions; D the words that find the solution
through the synonyms (a solution that mentions TARI holds "tributi" too: see refresh_search_vector). A query goes
through `websearch_to_tsquery`, which accepts any text (operators included) without raising; results are ordered
by `ts_rank`. The vector is written by refresh_search_vector after every change of a solution's text, tags or
categories (the services call it last, after the many-to-many links).

SQLite (the one-machine demo): no stored vector. The fallback matches every word of the query, or one of its
synonyms, at the start of a word of the name, the descriptions, a tag or a category label, after a crude Italian
stemming (a word of four letters or more loses its final vowel: "tributo" → "tribut" finds "tributi"; an acronym
of the synonyms file, such as TASI, is matched whole); a match in the name ranks above one in the short
description, a tag or a category, which ranks above one in the long description.

Facets are counted over the filtered catalogue with a fixed number of aggregate queries, whatever the number of
values: one for the fixed vocabularies (kind, development status, origin, supports) and the total, one GROUP BY for
owner bodies, one GROUP BY for categories.
"""

from __future__ import annotations

import heapq
import operator
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Replace

from catalog.caching import FACETS, PAGES
from catalog.solutions import terms
from catalog.vocabulary import SUPPORTS, category_label
from cstportal import versioned_cache

SEARCH_CONFIG = "italian"
MAX_QUERY_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def normalise_query(q: Any) -> str:
    """A search string safe for both back ends: no NUL or control characters, single spaces, capped length."""
    text = unicodedata.normalize("NFC", str(q or ""))
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


# --- the stored vector (PostgreSQL) ---------------------------------------------------------------------------


def _category_text() -> Case:
    """The text of a category in SQL: its labels and code words from terms.category_texts, as one CASE."""
    texts = terms.category_texts()
    return Case(
        *[When(code=code, then=Value(text)) for code, text in sorted(texts.items())],
        default=Replace(F("code"), Value("-"), Value(" ")),
        output_field=TextField(),
    )


def _vector_expression():
    from catalog.models import Category, Tag
    from municipalities.models import Body

    owner_name = Subquery(Body.objects.filter(pk=OuterRef("owner_id")).values("name")[:1])
    tag_names = Subquery(
        Tag.objects.filter(solutions=OuterRef("pk"))
        .order_by()
        .values("solutions")
        .annotate(names=StringAgg("name", delimiter=" "))
        .values("names")[:1]
    )
    category_labels = Subquery(
        Category.objects.filter(solutions=OuterRef("pk"))
        .order_by()
        .values("solutions")
        .annotate(labels=StringAgg(_category_text(), delimiter=" "))
        .values("labels")[:1]
    )
    text = TextField()
    return (
        SearchVector("name", "short_description_it", "short_description_en", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            Cast("features_it", text),
            Cast("features_en", text),
            Coalesce(tag_names, Value(""), output_field=text),
            Coalesce(category_labels, Value(""), output_field=text),
            Coalesce(owner_name, Value(""), output_field=text),
            "origin",
            "origin_other",
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("long_description_it", "long_description_en", weight="C", config=SEARCH_CONFIG)
    )


def _synonyms_sql(vector: str) -> tuple[str, list[str]]:
    """SQL adding to `vector` (an SQL expression) the words that find it through the synonyms file, with weight D:
    for each word on the right of the file that the vector holds, the words on its left ("TARI" brings "tributi").
    One `@@` test per word of the file (a binary search in the vector each), so the cost does not grow with the
    length of the texts."""
    cases, params = [], []
    for target, finders in sorted(terms.synonym_finders().items()):
        cases.append(f"CASE WHEN {vector} @@ plainto_tsquery(%s::regconfig, %s) THEN %s END")
        params += [SEARCH_CONFIG, target, " ".join(finders)]
    if not cases:
        return vector, []
    added = f"setweight(to_tsvector(%s::regconfig, concat_ws(' ', {', '.join(cases)})), 'D')"
    return f"({vector} || {added})", [SEARCH_CONFIG, *params]


def refresh_search_vector(ids: Iterable[int] | None) -> int:
    """Recompute the stored search vector of the given solutions (all of them when `ids` is None).

    One UPDATE on PostgreSQL; a no-op on SQLite, whose fallback reads the columns directly. Call it after any write
    that changes a solution's text, tags, categories or owner, after its many-to-many links are set (the services
    and the publiccode.yml import do; catalog.admin after the related objects are saved), and after a change of the
    synonyms file or of the labels (manage.py refresh_search_vectors). Returns the number of rows updated.

    The synonyms are written into the vector rather than into each query: a query stays one tsquery of its own
    words, as cheap as without synonyms, and a quoted or excluded word works with its synonyms too. The vector is
    computed once per row in a common table expression, then widened with _synonyms_sql: raw SQL around the ORM's
    own, because the widening reads the vector it extends.
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
    rows = qs.order_by().annotate(vector=_vector_expression()).values_list("pk", "vector")
    select, params = rows.query.sql_with_params()
    widened, widened_params = _synonyms_sql("x.vector")
    table = connection.ops.quote_name(Solution._meta.db_table)
    # MATERIALIZED: computed once per row; a subquery in FROM would be folded into the widening, which reads the
    # vector once per word of the synonyms file.
    sql = (
        f"WITH x (pk, vector) AS MATERIALIZED ({select}) "  # noqa: S608  # nosec B608 - the ORM's SQL and fixed names, values as parameters
        f"UPDATE {table} SET search_vector = {widened} FROM x WHERE {table}.id = x.pk"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *widened_params])
        return cursor.rowcount


# --- searching ------------------------------------------------------------------------------------------------


def stem_words(q: str) -> list[str]:
    """The SQLite fallback's crude Italian stemming: each word of 4+ letters loses its final vowel."""
    stems: list[str] = []
    for word in terms.query_words(normalise_query(q)):
        if terms.stem(word) not in stems:
            stems.append(terms.stem(word))
    return stems


def _fallback_search(queryset: QuerySet, text: str) -> QuerySet:
    """The SQLite search: see the module's docstring."""
    from catalog.models import Solution, Tag

    words = terms.query_words(text)
    if not words:
        return queryset.none().annotate(rank=Value(0.0))
    fields = (("name", 4), ("short_description_it", 2), ("short_description_en", 2),
              ("long_description_it", 1), ("long_description_en", 1))
    through = Solution.categories.through
    matches = Q()
    score: Any = Value(0)
    for word in words:
        pattern = terms.word_pattern([word, *terms.synonyms_of(word)])
        conditions = [(Q(**{f"{name}__iregex": pattern}), weight) for name, weight in fields]
        conditions.append((Q(Exists(Tag.objects.filter(solutions=OuterRef("pk"), name__iregex=pattern))), 2))
        codes = terms.categories_matching(pattern)
        if codes:
            in_category = through.objects.filter(solution_id=OuterRef("pk"), category__code__in=codes)
            conditions.append((Q(Exists(in_category)), 2))
        matches &= reduce(operator.or_, [condition for condition, _weight in conditions])
        for condition, weight in conditions:
            score = score + Case(When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField())
    return queryset.filter(matches).annotate(rank=score)


def search_solutions(queryset: QuerySet, q: str) -> QuerySet:
    """Filter `queryset` to the solutions matching `q`, annotated with `rank` (higher is more relevant).

    Any input is safe: it is normalised and capped first, and PostgreSQL parses it with websearch_to_tsquery
    (quotes, `or`, `-` work as on a web search engine; nothing raises a syntax error) or plainto_tsquery. An empty
    `q` returns the queryset unchanged with rank 0; a `q` with nothing searchable in it (only punctuation) matches
    nothing.
    """
    text = normalise_query(q)
    if not text:
        return queryset.annotate(rank=Value(0.0))
    if is_postgres():
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    return _fallback_search(queryset, text)


# --- filters and sorting of the catalogue ----------------------------------------------------------------------

def order_catalogue(queryset: QuerySet, ordering: str) -> QuerySet:
    """Order by one of catalog.solutions.filters.SOLUTION_ORDERINGS: relevance (needs the `rank` annotation), name, latest
    release (solutions without one count as the oldest), bodies using it in production (`adoption_count`) or the
    vitality index of its repository (solutions without one count as the least vital).

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
    if ordering == "vitality":
        return queryset.order_by(F("vitality").asc(nulls_first=True), "pk")
    if ordering == "-vitality":
        return queryset.order_by(F("vitality").desc(nulls_last=True), "-pk")
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
    more: int = 0  # values left out (the owner facet shows the OWNER_FACET_LIMIT largest)

    @property
    def has_values(self) -> bool:
        return any(v.count or v.selected for v in self.values)


# The owner facet lists this many bodies, those with the most solutions: a national catalogue has thousands of
# owners, and a list of every one of them would make the page megabytes long. The others are reached through the
# list of bodies (each body's page lists what it publishes) or the search.
OWNER_FACET_LIMIT = 12


def _joins(queryset: QuerySet) -> bool:
    """Whether the query joins other tables (a filter on categories or tags), which could repeat a solution."""
    return len(queryset.query.alias_map) > 1


def _facet_rows(filtered: QuerySet) -> dict[str, Any]:
    """The counts behind the facets, as plain values (kept in the cache as they are)."""
    from catalog.models import Solution

    pks = filtered.order_by().values("pk")
    base = Solution.objects.filter(pk__in=Subquery(pks)) if _joins(filtered) else filtered.order_by()

    enums = {
        "kind": Solution.Kind.choices,
        "development_status": Solution.DevelopmentStatus.choices,
        "origin": Solution.Origin.choices,
    }
    aggregates: dict[str, Any] = {"total": Count("pk"), "owners": Count("owner", distinct=True)}
    for name, choices in enums.items():
        for value, _label in choices:
            aggregates[f"{name}__{value}"] = Count("pk", filter=Q(**{name: value}))
    for code, _label in SUPPORTS:
        aggregates[f"supports__{code}"] = Count("pk", filter=Q(**{f"supports_{code}": True}))
    counts = base.aggregate(**aggregates)  # query 1

    owners = list(  # query 2
        base.values("owner__key", "owner__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner__name")[:OWNER_FACET_LIMIT]
    )
    through = Solution.categories.through
    categories = list(  # query 3
        through.objects.filter(solution__in=Subquery(pks))
        .values("category__code")
        .annotate(n=Count("solution_id"))
        .order_by("-n", "category__code")
    )
    return {"counts": counts, "owners": owners, "categories": categories}


# --- the facet table: the published catalogue's facets for any choice of the fixed vocabularies ------------------

# The filters the facet table answers: those on a column of the solution with a fixed vocabulary, and one category
# or one tag (the table keeps each published solution's cell, owner and categories, listed by category and by tag).
# Any other filter (a search, an owner, a body using it, a status) is counted by the database.
_ENUM_FILTERS = ("kind", "development_status", "origin")
_SET_FILTERS = ("category", "tag")
_TABLE_FILTERS = frozenset((*_ENUM_FILTERS, *_SET_FILTERS, "supports", "ordering"))
# The sums kept per choice: every choice of the fixed vocabularies (a few hundred), and as many with a category or
# a tag as fit (each a few kB): beyond, a choice is summed again when asked (a few ms over a category's solutions).
_SUMMED_MAX = 4096
_SUPPORT_CODES = tuple(code for code, _label in SUPPORTS)


@dataclass
class _Cell:
    """The published solutions of one combination of kind, development status, origin and platforms."""

    total: int = 0
    owners: Counter = field(default_factory=Counter)  # owner id -> solutions
    categories: Counter = field(default_factory=Counter)  # category code -> solutions


@dataclass
class FacetTable:
    """The published catalogue's counts by (kind, development status, origin, supports_* …): at most a few hundred
    cells, whatever the size of the catalogue, each with its solutions per owner and per category."""

    cells: dict[tuple, _Cell]
    owners: dict[int, tuple[str, str]]  # owner id -> (key, name)
    # Each choice's rows, summed once: a few hundred choices of the vocabularies, up to _SUMMED_MAX in all.
    summed: dict[tuple, dict[str, Any]] = field(default_factory=dict)
    # Each published solution as a slot: its cell (a key of `cells`), its owner id and its category codes (one
    # tuple shared by every solution with the same categories); the slots of each category code and tag slug.
    slot_cells: list[tuple] = field(default_factory=list)
    slot_owners: list[int] = field(default_factory=list)
    slot_categories: list[tuple[str, ...]] = field(default_factory=list)
    by_set: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # "category"/"tag" -> value -> slots

    def rows(self, selected: dict[str, Any]) -> dict[str, Any]:
        """What _facet_rows returns for the published catalogue filtered by `selected` (fixed vocabularies, one
        category, one tag)."""
        wanted = {n: str(selected[n]) for n in _ENUM_FILTERS if selected.get(n)}
        platforms = sorted({_SUPPORT_CODES.index(code) for code in selected.get("supports") or []})
        within = tuple((n, str(selected[n])) for n in _SET_FILTERS if selected.get(n))
        choice = (tuple(sorted(wanted.items())), tuple(platforms), within)
        found = self.summed.get(choice)
        if found is None:
            found = self._sum(wanted, platforms) if not within else self._sum_slots(wanted, platforms, within)
            if len(self.summed) < _SUMMED_MAX:
                self.summed[choice] = found
        return found

    def _sum_slots(self, wanted: dict[str, str], platforms: list[int], within: tuple) -> dict[str, Any]:
        """The rows of a choice with a category or a tag: its solutions' slots, counted one by one."""
        chosen = [self.by_set.get(name, {}).get(value, []) for name, value in within]
        slots = chosen[0] if len(chosen) == 1 else sorted(set(chosen[0]).intersection(*chosen[1:]))
        totals: Counter = Counter()
        owners: Counter = Counter()
        categories: Counter = Counter()
        taken: dict[tuple, bool] = {}
        for slot in slots:
            key = self.slot_cells[slot]
            ok = taken.get(key)
            if ok is None:
                ok = taken[key] = _cell_wanted(key, wanted, platforms)
            if ok:
                totals[key] += 1
                owners[self.slot_owners[slot]] += 1
                categories.update(self.slot_categories[slot])
        return self._rows(dict(totals), owners, categories)

    def _sum(self, wanted: dict[str, str], platforms: list[int]) -> dict[str, Any]:
        owners: Counter = Counter()
        categories: Counter = Counter()
        totals: dict[tuple, int] = {}
        for key, cell in self.cells.items():
            if not _cell_wanted(key, wanted, platforms):
                continue
            totals[key] = cell.total
            owners.update(cell.owners)
            categories.update(cell.categories)
        return self._rows(totals, owners, categories)

    def _rows(self, totals: dict[tuple, int], owners: Counter, categories: Counter) -> dict[str, Any]:
        counts: dict[str, Any] = {"total": 0}
        counts.update({f"{name}__{value}": 0 for name, choices in _enum_choices().items() for value, _ in choices})
        counts.update({f"supports__{code}": 0 for code in _SUPPORT_CODES})
        for key, total in totals.items():
            kind, development_status, origin, supports = key[0], key[1], key[2], key[3:]
            values = {"kind": kind, "development_status": development_status, "origin": origin}
            counts["total"] += total
            for name, value in values.items():
                if f"{name}__{value}" in counts:
                    counts[f"{name}__{value}"] += total
            for code, supported in zip(_SUPPORT_CODES, supports, strict=True):
                if supported:
                    counts[f"supports__{code}"] += total
        owners = Counter({pk: n for pk, n in owners.items() if pk in self.owners})
        counts["owners"] = sum(1 for n in owners.values() if n)
        top = heapq.nsmallest(OWNER_FACET_LIMIT, ((-n, self.owners[pk][1], pk) for pk, n in owners.items() if n))
        return {
            "counts": counts,
            "owners": [{"owner__key": self.owners[pk][0], "owner__name": name, "n": -n} for n, name, pk in top],
            "categories": [
                {"category__code": code, "n": n}
                for code, n in sorted(categories.items(), key=lambda item: (-item[1], item[0]))
                if n
            ],
        }


def _cell_wanted(key: tuple, wanted: dict[str, str], platforms: list[int]) -> bool:
    """Whether a cell of the facet table (kind, development status, origin, supports_* …) is in the choice."""
    values = {"kind": key[0], "development_status": key[1], "origin": key[2]}
    supports = key[3:]
    return all(values[n] == v for n, v in wanted.items()) and all(supports[i] for i in platforms)


def _enum_choices() -> dict[str, Any]:
    from catalog.models import Solution

    return {
        "kind": Solution.Kind.choices,
        "development_status": Solution.DevelopmentStatus.choices,
        "origin": Solution.Origin.choices,
    }


def read_facet_table() -> FacetTable:
    """Read the facet table from the database: six queries over narrow rows (the index solution_facets, the
    categories' links, the categories, the tags' links, the tags, the owners): about a second at 100,000 solutions
    on a busy machine. Each published solution is kept as a slot (its cell, owner and categories: about 10 MB at
    100,000 solutions), listed under its categories and tags."""
    from catalog.models import Category, Solution, Tag
    from municipalities.models import Body

    columns = [*_ENUM_FILTERS, *(f"supports_{code}" for code in _SUPPORT_CODES)]
    published = Solution.objects.filter(status=Solution.Status.PUBLISHED).order_by()
    cells: dict[tuple, _Cell] = {}
    keys: dict[tuple, tuple] = {}
    slots: dict[int, int] = {}  # solution id -> slot
    slot_cells: list[tuple] = []
    slot_owners: list[int] = []
    for pk, owner_id, *values in published.values_list("pk", "owner_id", *columns).iterator(chunk_size=5000):
        key = keys.setdefault(tuple(values), tuple(values))  # one tuple per cell, shared by its slots
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Cell()
        cell.total += 1
        cell.owners[owner_id] += 1
        slots[pk] = len(slot_cells)
        slot_cells.append(key)
        slot_owners.append(owner_id)
    codes = dict(Category.objects.values_list("pk", "code"))
    solution_codes: dict[int, list[str]] = {}
    by_category: dict[str, list[int]] = {}
    links = Solution.categories.through.objects.order_by().values_list("solution_id", "category_id")
    for solution_id, category_id in links.iterator(chunk_size=5000):
        slot = slots.get(solution_id)  # None: not published (or published since the first query)
        if slot is not None and category_id in codes:
            code = codes[category_id]
            cells[slot_cells[slot]].categories[code] += 1
            solution_codes.setdefault(slot, []).append(code)
            by_category.setdefault(code, []).append(slot)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
    slot_categories: list[tuple[str, ...]] = [()] * len(slot_cells)
    for slot, found in solution_codes.items():
        together = tuple(sorted(found))
        slot_categories[slot] = shared.setdefault(together, together)
    del solution_codes
    slugs = dict(Tag.objects.values_list("pk", "slug"))
    by_tag: dict[str, list[int]] = {}
    tagged = Solution.tags.through.objects.order_by().values_list("solution_id", "tag_id")
    for solution_id, tag_id in tagged.iterator(chunk_size=5000):
        slot = slots.get(solution_id)
        if slot is not None and tag_id in slugs:
            by_tag.setdefault(slugs[tag_id], []).append(slot)
    owner_ids = {pk for cell in cells.values() for pk in cell.owners}
    bodies = Body.objects.filter(pk__in=published.values("owner_id")).values_list("pk", "key", "name")
    owners = {pk: (key, name) for pk, key, name in bodies}
    missing = owner_ids - owners.keys()  # an owner changed between the queries: counted next version
    for cell in cells.values():
        for pk in missing:
            cell.owners.pop(pk, None)
    for found in (*by_category.values(), *by_tag.values()):
        found.sort()
    return FacetTable(cells=cells, owners=owners, slot_cells=slot_cells, slot_owners=slot_owners,
                      slot_categories=slot_categories, by_set={"category": by_category, "tag": by_tag})


_table_lock = threading.Lock()
_table: tuple[str, FacetTable] | None = None


def facet_table() -> FacetTable | None:
    """The facet table of the current catalogue, read once per version of catalog.caching.FACETS in each process
    (one reader at a time: the others wait for it). Like the anonymous pages, a process re-reads the shared version
    at most every ANON_CACHE_VERSION_CHECK_SECONDS, and at once after a change it made itself. None when the shared
    cache cannot tell the version (unreachable, or behind its breaker): the caller counts in the database."""
    global _table
    max_age = float(getattr(settings, "ANON_CACHE_VERSION_CHECK_SECONDS", 1) or 0)
    try:
        current = versioned_cache.version(FACETS, max_age=max_age)
    except Exception:
        return None
    if current == "0":  # what version() answers for a cache that forgets what it is given
        return None
    kept = _table
    if kept is not None and kept[0] == current:
        return kept[1]
    with _table_lock:
        kept = _table
        if kept is None or kept[0] != current:
            kept = _table = (current, read_facet_table())
        return kept[1]


def _table_answers(selected: dict[str, Any]) -> bool:
    """Whether the facet table can count this choice: only filters on the fixed vocabularies, one category and one
    tag, no search."""
    return not any(value not in (None, "", []) for name, value in selected.items() if name not in _TABLE_FILTERS)


def count_facets(
    filtered: QuerySet,
    selected: dict[str, Any],
    *,
    keep_as: str | None = None,
    published: bool = False,
    rows: dict[str, Any] | None = None,
) -> tuple[int, list[Facet]]:
    """(total, facets) counted over `filtered` in three queries, whatever the number of values.

    `selected` maps a parameter name to the selected value (a list for `supports`) so that the facet can mark it;
    owners are named by their public key (Body.key), the OWNER_FACET_LIMIT largest and the selected one.
    Values with no solutions are left out unless selected. A filter that joins (categories, tags) is counted over
    the matching ids, so that no solution counts twice; otherwise the match is read as it is, once per query.

    `keep_as` names the match for every visitor who sees the same (anonymous visitors, one filter combination):
    its counts are then kept under the catalogue's version (catalog.caching.PAGES, as the anonymous pages are, for
    `settings.ANON_CACHE_SECONDS`), so that every page number, ordering and language of the same filters reuses
    them. A change of the catalogue makes them stale at once.

    `published` says that `filtered` is the published catalogue filtered by `selected` and nothing else (what an
    anonymous visitor sees): a choice among the fixed vocabularies (kind, development status, origin, platforms,
    or none), with at most one category and one tag, is then counted from the facet table (facet_table), without a
    query; the table is read again after any change of a solution, its categories or tags, or a body. Both need the shared cache
    (`settings.ANON_CACHE_SECONDS` above 0), as the pages do.

    `rows` are the counts already summed elsewhere (a search's match table: catalog.solutions.matches), in the
    form _facet_rows returns: no query.
    """
    from django.utils.translation import gettext as _

    from catalog.models import Solution

    timeout = int(getattr(settings, "ANON_CACHE_SECONDS", 0) or 0)
    table = facet_table() if rows is None and published and timeout > 0 and _table_answers(selected) else None
    if rows is not None:
        pass
    elif table is not None:
        rows = table.rows(selected)
    elif keep_as and timeout > 0:
        rows = versioned_cache.get_or_compute(PAGES, f"facets:{keep_as}", lambda: _facet_rows(filtered), timeout)
    else:
        rows = _facet_rows(filtered)
    counts, owners, categories = rows["counts"], rows["owners"], rows["categories"]

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
            more=counts["owners"] - len(owners),
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
