"""«Forse cercavi …?»: a corrected query offered when a search finds nothing.

Each word of the query (of four letters or more) that is not a word of the catalogue is replaced by the closest
word of the catalogue, if one is close enough (trigram similarity, and a length within two letters); the query is offered again only when a word changed. The words of
the catalogue are those of the names and tags of the solutions the visitor may see, of the labels of the categories
those solutions use, and of the synonyms file: the words a search can find, never a word of a draft the visitor may
not see.

Cost: one query, made only by a search whose words find nothing (a search that finds something, or whose words
find something that the other filters leave out, never pays for it: catalog.solutions.views).

- PostgreSQL (pg_trgm, extension and trigram indexes from migration 0010): for each word, the few names and tag
  names with the highest word similarity (`%>`, served by the GIN trigram indexes, so the cost does not grow with
  the catalogue), and the codes of the categories in use; one UNION ALL.
- SQLite (the demo): the names, tag names and category codes in use, at most VOCABULARY_LIMIT rows.

The closest word is then chosen in Python with terms.similarity, pg_trgm's own measure, because the category labels
live in the translation catalogue and not in the database.

«Esiste già …?»: the same measure finds the solutions close to one a publisher is about to create or import
(`near_duplicates`): a name close to theirs, or an Italian short description close to theirs. PostgreSQL computes
pg_trgm's similarity() in the query; SQLite reads the names and short descriptions (at most VOCABULARY_LIMIT) and
computes terms.text_similarity, the same measure, in Python. One query either way, made only when a form is sent.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordDistance
from django.db.models import Exists, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest

from catalog.solutions import terms
from catalog.solutions.search import is_postgres, normalise_query

MIN_LENGTH = 4  # shorter words are abbreviations ("IMU", "SUE"): not corrected
MIN_SIMILARITY = 0.45  # "tribbuti" → "tributi" is 0.70, "gestiome" → "gestione" 0.50, "mensa" → "messa" 0.33
MAX_LENGTH_CHANGE = 2  # a slip of the fingers adds or drops a letter or two: "documentazione" is not "document"
CANDIDATES_PER_WORD = 5  # PostgreSQL: names and tags read for each word
VOCABULARY_LIMIT = 5000  # SQLite: names, tags and categories read at most
NEAR_NAME_SIMILARITY = 0.5  # "Gestione TARI" and "Gestione della TARI" are 0.70; "Gestione mensa" and "Gestione TARI" 0.45
NEAR_DESCRIPTION_SIMILARITY = 0.5  # two sentences about the same thing in other words stay under it
NEAR_LIMIT = 5  # close matches shown at most


def _catalogue_rows(visible: QuerySet, words: list[str]) -> list[str]:
    """Names, tag names and category codes near `words` among what `visible` holds: one query."""
    from catalog.models import Category, Tag

    tags = Tag.objects.order_by().filter(Exists(visible.filter(tags=OuterRef("pk"))))
    categories = Category.objects.order_by().filter(Exists(visible.filter(categories=OuterRef("pk"))))
    if is_postgres():
        parts = []
        for word in words:
            parts.append(visible.filter(name__trigram_word_similar=word)
                         .order_by(TrigramWordDistance(word, "name")).values_list("name")[:CANDIDATES_PER_WORD])
            parts.append(tags.filter(name__trigram_word_similar=word)
                         .order_by(TrigramWordDistance(word, "name")).values_list("name")[:CANDIDATES_PER_WORD])
        rows = categories.values_list("code").union(*parts, all=True)
    else:
        rows = visible.order_by().values_list("name").union(
            tags.values_list("name"), categories.values_list("code"), all=True
        )[:VOCABULARY_LIMIT]
    return [value for (value,) in rows]


def _vocabulary(rows: list[str]) -> set[str]:
    """The words of the catalogue: those of `rows` (a category code stands for its labels) and of the synonyms."""
    labels = terms.category_texts()
    words = set(terms.synonym_words())
    for value in rows:
        words.update(terms.query_words(labels.get(value, value), limit=None))
    return words


def _closest(word: str, vocabulary: set[str]) -> str:
    if len(word) < MIN_LENGTH or word in vocabulary:
        return word
    folded = terms.fold(word)
    best, best_score = word, MIN_SIMILARITY
    for candidate in sorted(vocabulary):  # sorted: the same answer on every run when two words tie
        if terms.fold(candidate) == folded:
            return word  # the same word, accents aside
        if abs(len(candidate) - len(word)) > MAX_LENGTH_CHANGE:
            continue
        score = terms.similarity(word, candidate)
        if score > best_score:
            best, best_score = candidate, score
    return best


def suggest_query(visible: QuerySet, q: str) -> str | None:
    """A corrected `q` to offer when its search found nothing among `visible`, or None (nothing to correct)."""
    words = terms.query_words(normalise_query(q))
    long_words = [word for word in words if len(word) >= MIN_LENGTH]
    if not long_words:
        return None
    vocabulary = _vocabulary(_catalogue_rows(visible, long_words))
    corrected = [_closest(word, vocabulary) for word in words]
    if corrected == words:
        return None
    return " ".join(corrected)


def near_duplicates(visible: QuerySet, *, name: str, description: str = "", limit: int = NEAR_LIMIT) -> list:
    """The solutions among `visible` whose name is close to `name` or whose Italian short description is close to
    `description` (trigram similarity at least NEAR_NAME_SIMILARITY / NEAR_DESCRIPTION_SIMILARITY), the closest
    first, at most `limit`; each with `near_similarity`, the higher of the two. One query."""
    name, description = " ".join(name.split()), " ".join(description.split())
    if not name and not description:
        return []
    if is_postgres():
        none = Value(0.0, output_field=FloatField())
        rows = (
            visible.annotate(
                name_similarity=TrigramSimilarity("name", name) if name else none,
                description_similarity=(TrigramSimilarity("short_description_it", description)
                                        if description else none),
            )
            .filter(Q(name_similarity__gte=NEAR_NAME_SIMILARITY)
                    | Q(description_similarity__gte=NEAR_DESCRIPTION_SIMILARITY))
            .annotate(near_similarity=Greatest("name_similarity", "description_similarity"))
            .select_related("owner")
            .defer("search_vector")
            .order_by("-near_similarity", "name", "pk")[:limit]
        )
        return list(rows)
    found = []
    for solution in visible.select_related("owner").defer("search_vector").order_by("pk")[:VOCABULARY_LIMIT]:
        by_name = terms.text_similarity(name, solution.name) if name else 0.0
        by_description = (terms.text_similarity(description, solution.short_description_it)
                          if description else 0.0)
        if by_name >= NEAR_NAME_SIMILARITY or by_description >= NEAR_DESCRIPTION_SIMILARITY:
            solution.near_similarity = max(by_name, by_description)
            found.append(solution)
    found.sort(key=lambda s: (-s.near_similarity, s.name, s.pk))
    return found[:limit]
