"""Full-text search: the stored Italian vector on PostgreSQL, the documented fallback on SQLite, any input safe."""

from __future__ import annotations

import pytest

from catalog.models import Category, Solution, Tag
from catalog.solutions.search import normalise_query, refresh_search_vector, search_solutions, stem_words
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def _search(q: str) -> list[str]:
    return list(search_solutions(Solution.objects.all(), q).order_by("-rank", "name").values_list("slug", flat=True))


@pytest.fixture
def texts(db):
    made = [
        SolutionFactory(slug="anagrafe-catasto", name="Anagrafe del catasto",
                        short_description_it="Soggetti e oggetti del catasto comunale.",
                        long_description_it="Registro degli immobili."),
        SolutionFactory(slug="imu", name="Gestione IMU", short_description_it="Imposta municipale propria.",
                        long_description_it="Legge i dati dal catasto e gestisce i tributi immobiliari."),
        SolutionFactory(slug="albo", name="Albo pretorio", short_description_it="Pubblicazione degli atti.",
                        long_description_it="Affissione online degli atti amministrativi."),
    ]
    refresh_search_vector([s.pk for s in made])
    return made


def test_normalise_query_strips_control_characters_and_caps_length():
    assert normalise_query("  cat\x00asto \n\t tributi ") == "cat asto tributi"
    assert len(normalise_query("x" * 10_000)) == 200
    assert normalise_query(None) == ""


def test_fallback_stemming_drops_the_final_vowel_of_long_words():
    assert stem_words("Tributo IMU catasto per la casa") == ["tribut", "imu", "catast", "per", "la", "cas"]


def test_name_and_short_description_rank_above_the_long_description(texts):
    assert _search("catasto")[:2] == ["anagrafe-catasto", "imu"]


def test_plural_finds_the_singular(texts):
    assert _search("tributo") == ["imu"]


def test_every_word_must_match(texts):
    assert _search("catasto albo") == []


def test_empty_query_keeps_everything(texts):
    assert len(_search("")) == 3


@pytest.mark.parametrize(
    "q",
    [
        "catasto & | ! ( ) :* <-> \\",
        "' OR 1=1 --",
        "\x00\x00catasto\x00",
        "%_%",
        "\"unterminated",
        "-",
        "a" * 10_000,
        "cat " * 3000,
        "🙂 città perché",
        "!!!",
    ],
)
def test_any_input_is_safe(texts, q):
    result = _search(q)
    assert isinstance(result, list)


@pytest.mark.postgres
def test_postgres_italian_stemming_finds_tributi_with_tributo(db):
    only_plural = SolutionFactory(slug="solo-plurale", name="Gestione entrate",
                                  short_description_it="Riscossione.", long_description_it="Tutti i tributi locali.")
    SolutionFactory(slug="altro", name="Albo", short_description_it="Atti.", long_description_it="Atti pubblici.")
    refresh_search_vector(None)
    assert _search("tributo") == [only_plural.slug]


@pytest.mark.postgres
def test_postgres_vector_includes_tags_features_and_owner(db, fano):
    solution = SolutionFactory(slug="con-etichetta", owner=fano, features_it=["Conservazione sostitutiva"])
    solution.tags.add(Tag.objects.create(name="Protocollazione", slug="protocollazione"))
    refresh_search_vector([solution.pk])
    assert _search("protocollazione") == ["con-etichetta"]
    assert _search("conservazione") == ["con-etichetta"]
    assert _search("Fano") == ["con-etichetta"]


@pytest.mark.postgres
def test_postgres_refresh_is_one_update(db, django_assert_num_queries):
    made = [SolutionFactory() for _ in range(5)]
    with django_assert_num_queries(1):
        assert refresh_search_vector([s.pk for s in made]) == 5


def test_refresh_writes_the_vector_only_on_postgresql(db):
    from django.db import connection

    expected = 1 if connection.vendor == "postgresql" else 0  # SQLite searches without a stored vector
    assert refresh_search_vector([SolutionFactory().pk]) == expected


@pytest.mark.postgres
def test_postgres_vector_holds_category_labels_in_both_languages(db, settings):
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # Django reads the just compiled catalogue again
    solution = SolutionFactory(slug="canone", name="Canone unico")
    solution.categories.set([Category.objects.get(code="hr")])
    refresh_search_vector([solution.pk])
    assert _search("risorse umane") == ["canone"]  # Risorse umane
    assert _search("human resources") == ["canone"]  # Human resources


@pytest.mark.postgres
def test_postgres_synonyms_are_written_into_the_vector(db, django_assert_num_queries):
    tari = SolutionFactory(slug="tari", name="FISCAT TARI")
    SolutionFactory(slug="imu", name="FISCAT IMU")
    SolutionFactory(slug="entrate", name="Gestione dei tributi")
    with django_assert_num_queries(1):
        refresh_search_vector(None)
    assert _search("tributi") == ["entrate", "imu", "tari"]  # its own word first, then by name (equal ranks)
    assert sorted(_search('"tributi" -imu')) == ["entrate", tari.slug]  # operators work with the synonyms too
    assert _search("rifiuti") == [tari.slug]
    assert _search("tari") == [tari.slug]  # one way: TARI does not bring every tax


@pytest.mark.postgres
def test_postgres_has_pg_trgm_and_the_trigram_indexes(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname IN ('solution_name_trgm', 'tag_name_trgm')")
        assert sorted(row[0] for row in cursor.fetchall()) == ["solution_name_trgm", "tag_name_trgm"]


def test_the_command_writes_every_vector_again(db):
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    SolutionFactory()
    SolutionFactory()
    out = StringIO()
    call_command("refresh_search_vectors", stdout=out)
    expected = 2 if connection.vendor == "postgresql" else 0  # SQLite searches without a stored vector
    assert out.getvalue().strip() == f"Vettori di ricerca ricalcolati: {expected}."


@pytest.mark.postgres
def test_postgres_a_tag_renamed_in_the_admin_is_searched_by_its_new_name(db):
    from django.contrib import admin

    from catalog.admin import TagAdmin

    solution = SolutionFactory(slug="con-etichetta")
    tag = Tag.objects.create(name="Protocolo", slug="protocolo")
    solution.tags.add(tag)
    refresh_search_vector([solution.pk])
    tag.name = "Conservazione"
    TagAdmin(Tag, admin.site).save_model(None, tag, None, change=True)
    assert _search("conservazione") == ["con-etichetta"]


@pytest.mark.postgres
def test_postgres_every_word_of_the_synonyms_file_is_searchable(db):
    # A stop word of the Italian configuration ("sue", "con") would give an empty tsquery: never found, never finding.
    from django.db import connection

    from catalog.solutions import terms

    words = sorted(terms.synonym_words())
    with connection.cursor() as cursor:
        cursor.execute("SELECT w FROM unnest(%s::text[]) AS w WHERE numnode(plainto_tsquery('italian', w)) = 0",
                       [words])
        assert cursor.fetchall() == []
