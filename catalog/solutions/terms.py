"""The words of a search, read the same way on both databases: stems, the domain's synonyms, category labels and
trigram similarity.

A clerk types the words of the office ("tributi", "protocollo"), not those the publisher happened to write ("TARI",
"Gestione documentale"). Three things close the gap, and each is kept here so that PostgreSQL and the SQLite
fallback (catalog.solutions.search) cannot drift apart:

- synonyms: one data file, synonyms.yml beside this module, written by people who know the domain (one-way
  entries: "tributi" also finds "tari"); a word matches an entry whatever its final vowel;
- category labels: the publiccode.yml codes are stored, their labels live in the translation catalogue, so the text
  of a category (Italian label, English label, the code's words) is made here for the stored vector and for the
  fallback alike;
- trigram similarity: pg_trgm's measure (each word padded with two spaces before and one after, lower case, the
  share of three-letter pieces in common; here accents aside too), written again in Python for the words PostgreSQL does not hold (the
  labels) and for SQLite, so that "tribbuti" comes out as "tributi" on both.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import yaml
from django.conf import settings
from django.utils import translation

from catalog.vocabulary import CATEGORY_LABELS_IT, category_label

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yml")
MAX_WORDS = 8  # words of a query that are read: a longer query is a sentence, not a search
_VOWELS = "aeiouàèéìíòóù"
_WORD = re.compile(r"\w+")


def query_words(text: str, *, limit: int | None = MAX_WORDS) -> list[str]:
    """The words of a query, lower case, in order, without repeats, at most `limit`."""
    found = list(dict.fromkeys(_WORD.findall(text.lower())))
    return found if limit is None else found[:limit]


def stem(word: str) -> str:
    """A crude Italian stem: a word of four letters or more loses its final vowel ("tributo" → "tribut")."""
    word = word.lower()
    if len(word) >= 4 and word[-1] in _VOWELS:
        return word[:-1]
    return word


def is_acronym(word: str) -> bool:
    """A word written in capitals in the synonyms file ("TARI"): matched whole, never stemmed."""
    return len(word) > 1 and word.isupper()


def word_pattern(words: list[str]) -> str:
    """A regular expression matching a word that begins with the stem of one of `words`, or is one of the acronyms
    among them (the SQLite fallback's unit of matching)."""
    pieces = dict.fromkeys(re.escape(w.lower()) + r"\b" if is_acronym(w) else re.escape(stem(w)) for w in words)
    return r"\b(?:" + "|".join(pieces) + ")"


# --- synonyms -------------------------------------------------------------------------------------------------


@functools.cache
def _synonym_entries() -> dict[str, list[str]]:
    with SYNONYMS_FILE.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or {}
    return {str(word).lower(): [str(o).strip() for o in others] for word, others in entries.items()}


@functools.cache
def synonym_table() -> dict[str, tuple[str, ...]]:
    """{stem of a word: the words it also finds}, read once from synonyms.yml."""
    table: dict[str, tuple[str, ...]] = {}
    for word, others in _synonym_entries().items():
        key = stem(word)
        known = list(table.get(key, ()))
        known += [o for o in others if o not in known and stem(o) != key]  # stem() reads an acronym in lower case
        table[key] = tuple(known)
    return table


def synonym_finders() -> dict[str, list[str]]:
    """{a word on the right of the synonyms file, in lower case: the words on the left that find it}. The synonyms
    turned round, as the stored vector applies them: a solution that mentions TARI is also found by "tributi",
    "tasse", "rifiuti"."""
    finders: dict[str, list[str]] = {}
    for word, others in _synonym_entries().items():
        for other in others:
            finders.setdefault(other.lower(), []).append(word)
    return finders


def synonym_words() -> set[str]:
    """Every word of the synonyms file, in lower case."""
    return {w.lower() for word, others in _synonym_entries().items() for w in (word, *others)}


def synonyms_of(word: str) -> tuple[str, ...]:
    """The words a search for `word` also finds (not `word` itself; none when it has no entry), acronyms in
    capitals."""
    return synonym_table().get(stem(word), ())


# --- category labels ------------------------------------------------------------------------------------------


def category_texts() -> dict[str, str]:
    """{category code: its searchable text}: the label in every language of the site and the code's own words.

    Read from the translation catalogue on each call (a few hundred look-ups): a cached copy would miss English
    labels compiled after the first search."""
    texts: dict[str, list[str]] = {code: [] for code in CATEGORY_LABELS_IT}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, parts in texts.items():
                label = category_label(code)
                if label not in parts:
                    parts.append(label)
    return {code: " ".join([*parts, code.replace("-", " ")]) for code, parts in texts.items()}


def categories_matching(pattern: str) -> list[str]:
    """The category codes whose text matches `pattern` (one of word_pattern's), ignoring case."""
    compiled = re.compile(pattern, re.IGNORECASE)
    return [code for code, text in category_texts().items() if compiled.search(text)]


# --- trigram similarity ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def fold(word: str) -> str:
    """Lower case without accents: "Città" and "citta" are the same word to a clerk typing fast."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8192)  # the words of the catalogue come back at every suggestion
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {fold(word)} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() of two words: trigrams in common over trigrams in either (0 to 1)."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def text_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() of two texts: the trigrams of all their words, in common over in either (0 to 1)."""
    ta = frozenset().union(*(trigrams(word) for word in _WORD.findall(a)))
    tb = frozenset().union(*(trigrams(word) for word in _WORD.findall(b)))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)
