"""«Forse cercavi …?»: a corrected query offered when a search finds nothing.

Each word of the query (of four letters or more) that is not a word of the catalogue is replaced by the closest
word of the catalogue, if one is close enough (trigram similarity, and a length within two letters); the query is offered again only when a word changed. The words of
the catalogue are those of the names and tags of the solutions the visitor may see, of the labels of the categories
those solutions use, and of the synonyms file: the words a search can find, never a word of a draft the visitor may
not see.

Cost: one query, made only by a search that found nothing (a search that finds something never pays for it).

- PostgreSQL (pg_trgm, extension and trigram indexes from migration 0010): for each word, the few names and tag
  names with the highest word similarity (`%>`, served by the GIN trigram indexes, so the cost does not grow with
  the catalogue), and the codes of the categories in use; one UNION ALL.
- SQLite (the demo): the names, tag names and category codes in use, at most VOCABULARY_LIMIT rows.

The closest word is then chosen in Python with terms.similarity, pg_trgm's own measure, because the category labels
live in the translation catalogue and not in the database.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordDistance
from django.db.models import Exists, OuterRef, QuerySet

from catalog.solutions import terms
from catalog.solutions.search import is_postgres, normalise_query

MIN_LENGTH = 4  # shorter words are abbreviations ("IMU", "SUE"): not corrected
MIN_SIMILARITY = 0.45  # "tribbuti" → "tributi" is 0.70, "gestiome" → "gestione" 0.50, "mensa" → "messa" 0.33
MAX_LENGTH_CHANGE = 2  # a slip of the fingers adds or drops a letter or two: "documentazione" is not "document"
CANDIDATES_PER_WORD = 5  # PostgreSQL: names and tags read for each word
VOCABULARY_LIMIT = 5000  # SQLite: names, tags and categories read at most


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
