"""The match table: what an anonymous visitor's search of the catalogue finds, read once per query and version.

A search of a common word ("tributi": one solution in three) matches tens of thousands of solutions. Counting its
facets and ranking its page in SQL reads every matching row and unpacks its stored vector, once per aggregate and
once more for the page (0.5–1.0 s each at 100,000 solutions), for every filter, page, ordering and language of the
same word. The match table reads the matches once per (normalised query, version of catalog.caching.MATCHES): their
ids in relevance order (`-rank, name, pk`, as order_catalogue), their position by name, their kind, development
status, origin, platforms, owner, categories, tags, latest release and vitality. Then, for any address searching
that word with filters on those columns (kind, development status, origin, platforms, category, tag, owner):

- the facets are summed in Python, the same rows as catalog.solutions.search._facet_rows (a FacetTable over the
  matches' cells);
- the page's ids come from the kept orders (relevance, name, latest release, vitality, bodies using it in
  production) without a query; adoptions do not bump MATCHES, so the counts of bodies using each match are read
  again on their own (one pass over the index of those counts) when that ordering is asked after an adoption
  changed;
- the page then reads its own rows by id (and their categories): two queries.

Anonymous visitors only (the published catalogue, the same for all), with the shared cache on: the version comes
from it, so a change of the catalogue (anything that makes the anonymous pages stale) is seen by every process
within ANON_CACHE_VERSION_CHECK_SECONDS, at once in the process that made it. When the cache cannot tell the
version, or another filter is chosen (`used_by`, `status`), the caller counts in SQL as before.

Memory: at most MAX_MATCHES matches per query (a search finding more is left to SQL, remembered as such), at most
MAX_TABLES queries per process (least recently used first out); a table is also kept in the shared cache under the
version, so that the other processes read it instead of the database. A table of 31,000 matches holds ≈ 8 MB in a
process (columns in arrays, dates and vitality as objects), ≈ 0.25 MB more for each ordering asked, up to
MAX_SUMMED facet counts of a few KB; ≈ 3.2 MB pickled in the shared cache.
"""

from __future__ import annotations

import hashlib
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import F, IntegerField, OuterRef, QuerySet, Value, Window
from django.db.models.functions import RowNumber

from catalog.caching import MATCHES, PAGES
from catalog.solutions.search import (
    _ENUM_FILTERS,
    _SUPPORT_CODES,
    FacetTable,
    _Cell,
    is_postgres,
    normalise_query,
    order_catalogue,
    search_solutions,
)
from cstportal import versioned_cache

MAX_MATCHES = 50_000
MAX_TABLES = 4
# Each table keeps the facets' rows of this many filter combinations (the rest are summed again when asked).
MAX_SUMMED = 256
# Up to this many matches, fresh_adoptions reads their counts by id and sorts them; above, one pass over the index
# of every solution's count costs less than sending the ids.
SMALL_TABLE = 2_000
# The filters the table answers besides the fixed vocabularies; any other (used_by, status) goes to SQL.
_ROW_FILTERS = ("category", "tag", "owner")
_ANSWERED = frozenset((*_ENUM_FILTERS, "supports", *_ROW_FILTERS, "ordering", "q"))
# The orderings kept in the table: every one of catalog.solutions.filters.SOLUTION_ORDERINGS.
_KEPT_ORDERINGS = frozenset(
    (
        "relevance",
        "name",
        "-name",
        "latest_release_date",
        "-latest_release_date",
        "vitality",
        "-vitality",
        "used_by_count",
        "-used_by_count",
    )
)
_OVERFLOW = "overflow"  # what is kept for a search that matches more than MAX_MATCHES
_summed_lock = threading.Lock()


@dataclass
class MatchTable:
    """The published solutions matching one query, in relevance order (row i is the i-th most relevant)."""

    ids: array  # solution id per row
    name_pos: array  # position of the row by (name, pk)
    cell: array  # index into `cells` per row: (kind, development status, origin, supports_* …)
    owner: array  # owner id per row
    released: list  # latest_release_date per row (None: no release)
    vitality: list  # vitality per row (None: never harvested)
    adoptions: array  # bodies using it in production per row, as of `_adoptions_version` (fresh_adoptions)
    categories: list[tuple[str, ...]]  # category codes per row (shared tuples)
    cells: list[tuple]
    owners: dict[int, tuple[str, str]]  # owner id -> (key, name)
    by_category: dict[str, array] = field(default_factory=dict)  # code -> rows
    by_tag: dict[str, array] = field(default_factory=dict)  # slug -> rows
    by_owner: dict[int, array] = field(default_factory=dict)  # owner id -> rows
    _orders: dict[str, Sequence[int]] = field(default_factory=dict, repr=False)
    _whole: FacetTable | None = field(default=None, repr=False)
    _summed: OrderedDict = field(default_factory=OrderedDict, repr=False)
    # The version of PAGES (which adoptions bump) the adoption counts were read at; None: to be read before use.
    _adoptions_version: str | None = field(default=None, repr=False)
    _row_of: dict[int, int] | None = field(default=None, repr=False)  # solution id -> row, once asked

    def __getstate__(self) -> dict[str, Any]:  # what the shared cache keeps: the columns, not the lazy parts
        state = dict(self.__dict__)
        state.update(_orders={}, _whole=None, _summed=OrderedDict(), _adoptions_version=None, _row_of=None)
        return state

    def fresh_adoptions(self) -> None:
        """Read the matches' counts of bodies using them in production again if an adoption changed since they were
        read (the version of PAGES moved), and with them the orderings by that count. A large table: one pass over
        the index solution_in_production_id (every solution's count and id, in that order, read from the index
        alone: ≈ 20–50 ms at 100,000 solutions), whose matches are the ascending order as it stands; no sorting and
        no list of ids sent. A small one (SMALL_TABLE): its matches' counts by id, sorted when asked. The whole
        table is not read again."""
        from catalog.models import Solution

        max_age = float(getattr(settings, "ANON_CACHE_VERSION_CHECK_SECONDS", 1) or 0)
        try:
            current: str | None = versioned_cache.version(PAGES, max_age=max_age)
        except Exception:
            current = None  # no version to trust: read them every time
        if current is not None and current == self._adoptions_version:
            return
        n = len(self.ids)
        if n <= SMALL_TABLE:  # a few matches: their own counts by id, then sorted (less than the whole index)
            counts: dict[int, int] = {}
            for chunk in _chunks(self.ids):
                counts.update(
                    Solution.objects.filter(pk__in=list(chunk)).order_by().values_list("pk", "in_production_count")
                )
            self.adoptions = array("l", (counts.get(pk, 0) for pk in self.ids))
            for ordering in ("used_by_count", "-used_by_count"):
                self._orders.pop(ordering, None)
            self._adoptions_version = current
            return
        row_of = self._row_of
        if row_of is None:
            row_of = self._row_of = {pk: row for row, pk in enumerate(self.ids)}
        adoptions = array("l", [0]) * n
        ascending = array("l")
        counted = Solution.objects.order_by("in_production_count", "pk").values_list("in_production_count", "pk")
        for count, pk in counted:
            row = row_of.get(pk)
            if row is not None:
                adoptions[row] = count
                ascending.append(row)
        if len(ascending) < n:  # matches deleted since the table was read: counted 0, in their place by id
            ids = self.ids
            ascending = array("l", sorted(range(n), key=lambda r: (adoptions[r], ids[r])))
        self.adoptions = adoptions
        self._orders["used_by_count"] = ascending
        self._orders["-used_by_count"] = ascending[::-1]
        self._adoptions_version = current

    # -- filtering --

    def _rows(self, selected: dict[str, Any], owner_ids: Iterable[int]) -> set[int] | None:
        """The rows passing the category, tag and owner filters (None: no such filter, every row)."""
        found: set[int] | None = None
        if selected.get("category"):
            found = set(self.by_category.get(str(selected["category"]), ()))
        if selected.get("tag"):
            tagged = set(self.by_tag.get(str(selected["tag"]), ()))
            found = tagged if found is None else found & tagged
        if selected.get("owner"):
            owned = {row for pk in owner_ids for row in self.by_owner.get(pk, ())}
            found = owned if found is None else found & owned
        return found

    def _cell_test(self, selected: dict[str, Any]):
        wanted = [(i, str(selected[name])) for i, name in enumerate(_ENUM_FILTERS) if selected.get(name)]
        platforms = [3 + _SUPPORT_CODES.index(code) for code in selected.get("supports") or []]
        passing = {
            n
            for n, key in enumerate(self.cells)
            if all(key[i] == value for i, value in wanted) and all(key[i] for i in platforms)
        }
        return passing

    def facet_rows(self, selected: dict[str, Any], owner_ids: Iterable[int] = ()) -> dict[str, Any]:
        """What _facet_rows returns for the published matches filtered by `selected`."""
        choice = _choice_key(selected)
        with _summed_lock:
            found = self._summed.get(choice)
            if found is not None:
                self._summed.move_to_end(choice)
                return found
        rows = self._rows(selected, owner_ids)
        if rows is None:
            if self._whole is None:
                self._whole = self._facet_table(range(len(self.ids)))
            found = self._whole.rows(selected)
        else:
            # The rows are those of the category, tag and owner chosen already: the facet table built from them
            # sums the fixed vocabularies' choice alone (given a category, it would look for its own lists).
            within = {name: value for name, value in selected.items() if name not in _ROW_FILTERS}
            found = self._facet_table(sorted(rows)).rows(within)
        with _summed_lock:  # the threads of a process share the table
            self._summed[choice] = found
            while len(self._summed) > MAX_SUMMED:
                self._summed.popitem(last=False)
        return found

    def _facet_table(self, rows: Iterable[int]) -> FacetTable:
        cells: dict[tuple, _Cell] = {}
        for row in rows:
            key = self.cells[self.cell[row]]
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = _Cell()
            cell.total += 1
            cell.owners[self.owner[row]] += 1
            cell.categories.update(self.categories[row])
        return FacetTable(cells=cells, owners=self.owners)

    # -- ordering --

    def order(self, ordering: str) -> Sequence[int]:
        """The rows in the order of order_catalogue(…, ordering) (one of _KEPT_ORDERINGS)."""
        kept = self._orders.get(ordering)
        if kept is not None:
            return kept
        n = len(self.ids)
        ids, name_pos = self.ids, self.name_pos
        if ordering == "relevance":
            kept = range(n)
        elif ordering in ("name", "-name"):
            kept = sorted(range(n), key=name_pos.__getitem__)
        elif ordering in ("latest_release_date", "-latest_release_date"):
            released = self.released
            kept = sorted(range(n), key=lambda r: (released[r] is not None, released[r] or 0, ids[r]))
        elif ordering in ("vitality", "-vitality"):
            vitality = self.vitality
            kept = sorted(range(n), key=lambda r: (vitality[r] is not None, vitality[r] or 0, ids[r]))
        else:
            adoptions = self.adoptions
            kept = sorted(range(n), key=lambda r: (adoptions[r], ids[r]))
        if ordering.startswith("-"):  # (x desc nulls last, pk desc) is (x asc nulls first, pk asc) reversed
            kept = kept[::-1]
        if not isinstance(kept, range):
            kept = array("l", kept)  # 8 bytes a row, not a list of int objects
        self._orders[ordering] = kept
        return kept

    def matching_ids(self, selected: dict[str, Any], owner_ids: Iterable[int], ordering: str) -> list[int]:
        """The ids of the matches passing `selected`, in the order `ordering` (relevance order when unknown)."""
        rows = self._rows(selected, owner_ids)
        cells = self._cell_test(selected)
        ordering = ordering if ordering in _KEPT_ORDERINGS else "relevance"
        if ordering in ("used_by_count", "-used_by_count"):
            self.fresh_adoptions()
        order = self.order(ordering)
        ids, cell = self.ids, self.cell
        return [ids[r] for r in order if cell[r] in cells and (rows is None or r in rows)]


def _choice_key(selected: dict[str, Any]) -> tuple:
    return (
        tuple(str(selected.get(name) or "") for name in (*_ENUM_FILTERS, *_ROW_FILTERS)),
        tuple(sorted(selected.get("supports") or [])),
    )


# --- reading the table ----------------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    size = 10_000 if is_postgres() else 500  # SQLite caps the parameters of a statement
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def read_match_table(q: str) -> MatchTable | str:
    """Read the published solutions matching `q`: one pass over the matches (the search, ranked, with the columns
    the facets and orderings need, their owner, categories and tags; on SQLite the categories and tags are read
    apart, by id). _OVERFLOW when more than MAX_MATCHES match."""
    from catalog.models import Category, Solution, Tag

    published = Solution.objects.filter(status=Solution.Status.PUBLISHED)
    columns = [*_ENUM_FILTERS, *(f"supports_{code}" for code in _SUPPORT_CODES)]
    categories = Solution.categories.through.objects.order_by()
    tags = Solution.tags.through.objects.order_by()
    found = order_catalogue(search_solutions(published, q).with_adoption_count(), "relevance").annotate(
        name_pos=Window(RowNumber(), order_by=[F("name").asc(), F("pk").asc()])
    )
    linked = is_postgres()  # each match's categories and tags in the same pass (SQLite: read apart, by id)
    if linked:
        found = found.annotate(
            category_ids=ArraySubquery(categories.filter(solution_id=OuterRef("pk")).values("category_id")),
            tag_ids=ArraySubquery(tags.filter(solution_id=OuterRef("pk")).values("tag_id")),
        )
        code_of = dict(Category.objects.values_list("pk", "code"))
        slug_of = dict(Tag.objects.values_list("pk", "slug"))
    else:
        nothing = Value(None, output_field=IntegerField())
        found = found.annotate(category_ids=nothing, tag_ids=nothing)
    found = found.values_list(
        "pk",
        "name_pos",
        "owner_id",
        "owner__key",
        "owner__name",
        "latest_release_date",
        "vitality",
        "adoption_count",
        "category_ids",
        "tag_ids",
        *columns,
    )
    with transaction.atomic(using=found.db):
        if linked:
            # Compiling this query takes longer than running it (2.7 s of JIT for a 2 s query at 100,000 rows).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        rows = list(found[: MAX_MATCHES + 1])
    if len(rows) > MAX_MATCHES:
        return _OVERFLOW
    cell_index: dict[tuple, int] = {}
    table = MatchTable(
        ids=array("q"),
        name_pos=array("q"),
        cell=array("H"),
        owner=array("q"),
        released=[],
        vitality=[],
        adoptions=array("l"),
        categories=[],
        cells=[],
        owners={},
    )
    per_row: dict[int, list[str]] = {}
    row_of: dict[int, int] = {}
    for n, row in enumerate(rows):
        pk, name_pos, owner_id, owner_key, owner_name, released, vitality, adoptions, codes, slugs, *key = row
        cell = cell_index.get(tuple(key))
        if cell is None:
            cell = cell_index[tuple(key)] = len(table.cells)
            table.cells.append(tuple(key))
        table.ids.append(pk)
        table.name_pos.append(name_pos)
        table.cell.append(cell)
        table.owner.append(owner_id)
        table.released.append(released)
        table.vitality.append(vitality)
        table.adoptions.append(adoptions)
        table.owners[owner_id] = (owner_key, owner_name)
        table.by_owner.setdefault(owner_id, array("l")).append(n)
        row_of[pk] = n
        for category_id in codes or ():
            code = code_of[category_id]
            per_row.setdefault(n, []).append(code)
            table.by_category.setdefault(code, array("l")).append(n)
        for tag_id in slugs or ():
            table.by_tag.setdefault(slug_of[tag_id], array("l")).append(n)
    if not linked:
        ids = list(row_of)
        for chunk in _chunks(ids):
            for pk, code in categories.filter(solution_id__in=chunk).values_list("solution_id", "category__code"):
                per_row.setdefault(row_of[pk], []).append(code)
                table.by_category.setdefault(code, array("l")).append(row_of[pk])
            for pk, slug in tags.filter(solution_id__in=chunk).values_list("solution_id", "tag__slug"):
                table.by_tag.setdefault(slug, array("l")).append(row_of[pk])
        for rows_of in (*table.by_category.values(), *table.by_tag.values()):
            rows_of[:] = array("l", sorted(rows_of))
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    for n in range(len(rows)):
        codes = tuple(sorted(per_row.get(n, ())))
        table.categories.append(shared.setdefault(codes, codes))
    return table


_lock = threading.Lock()
_build_lock = threading.Lock()
_tables: OrderedDict[tuple[str, str], MatchTable | str] = OrderedDict()


def forget_tables() -> None:
    """Forget the tables this process keeps, as a fresh process would (tests)."""
    with _lock:
        _tables.clear()


def _answers(values: dict[str, Any]) -> bool:
    return bool(values.get("q")) and not any(
        value not in (None, "", []) for name, value in values.items() if name not in _ANSWERED
    )


def _read_with_adoptions_version(text: str) -> MatchTable | str:
    """read_match_table, its adoption counts marked as read at the version of PAGES read just before (so at least
    as new as that version: the first ordering by them needs no second query)."""
    max_age = float(getattr(settings, "ANON_CACHE_VERSION_CHECK_SECONDS", 1) or 0)
    try:
        pages: str | None = versioned_cache.version(PAGES, max_age=max_age)
    except Exception:
        pages = None
    table = read_match_table(text)
    if isinstance(table, MatchTable):
        table._adoptions_version = pages
    return table


def match_table(q: str) -> MatchTable | None:
    """The match table of `q` for the current catalogue, or None: the shared cache off or unable to tell the
    version, or more than MAX_MATCHES matches. Read once per version in each process (one reader at a time), from
    the shared cache when another process has read it."""
    timeout = int(getattr(settings, "ANON_CACHE_SECONDS", 0) or 0)
    text = normalise_query(q)
    if timeout <= 0 or not text:
        return None
    max_age = float(getattr(settings, "ANON_CACHE_VERSION_CHECK_SECONDS", 1) or 0)
    try:
        current = versioned_cache.version(MATCHES, max_age=max_age)
    except Exception:
        return None
    if current == "0":  # a cache that forgets what it is given: no version to trust
        return None
    key = (current, text)
    with _lock:
        kept = _tables.get(key)
        if kept is not None:
            _tables.move_to_end(key)
    if kept is None:
        with _build_lock:  # one reader at a time: the others wait for it, then find it kept
            kept = _tables.get(key)
            if kept is None:
                digest = hashlib.sha256(text.encode()).hexdigest()[:32]
                kept = versioned_cache.get_or_compute(
                    MATCHES, f"matches:{digest}", lambda: _read_with_adoptions_version(text), timeout
                )
                with _lock:
                    _tables[key] = kept
                    while len(_tables) > MAX_TABLES:
                        _tables.popitem(last=False)
    return kept if isinstance(kept, MatchTable) else None


# --- what the catalogue page asks ----------------------------------------------------------------------------


class MatchPage:
    """The catalogue page's rows for a search answered by the match table: a sequence for the paginator, which
    reads only the slice of the page (its rows by id, in the table's order)."""

    def __init__(self, ids: list[int], queryset: QuerySet) -> None:
        self.ids = ids
        self.queryset = queryset

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        chosen = self.ids[index]
        position = {pk: n for n, pk in enumerate(chosen)}
        rows = list(self.queryset.filter(pk__in=chosen))
        rows.sort(key=lambda solution: position[solution.pk])
        return rows


@dataclass
class Answer:
    table: MatchTable
    owner_ids: list[int]

    def facet_rows(self, values: dict[str, Any]) -> dict[str, Any]:
        return self.table.facet_rows(values, self.owner_ids)

    def page_rows(self, values: dict[str, Any], queryset: QuerySet) -> MatchPage:
        ids = self.table.matching_ids(values, self.owner_ids, values["ordering"])
        return MatchPage(ids, queryset)


def answer(values: dict[str, Any]) -> Answer | None:
    """The match table's answer for the catalogue filtered by `values` (the view's cleaned filters), as an
    anonymous visitor sees it; None when the table cannot answer (see the module's docstring). An owner filter costs
    one query (the body's code read as the filter reads it)."""
    if not _answers(values):
        return None
    table = match_table(values["q"])
    if table is None:
        return None
    owner_ids: list[int] = []
    if values.get("owner"):
        from municipalities.models import Body

        owner_ids = list(Body.objects.by_code(str(values["owner"])).values_list("pk", flat=True))
    return Answer(table, owner_ids)
