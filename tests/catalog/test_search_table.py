"""What a clerk types, and the solution each query must find: tags, category labels (Italian and English), the
domain's synonyms, and «Forse cercavi …?» for a misspelling. Runs on both databases (CI runs the suite on each)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Solution
from catalog.solutions import services, terms
from catalog.solutions.search import search_solutions
from catalog.solutions.suggestions import suggest_query
from tests.catalog.test_publisher_pages import valid_data

pytestmark = pytest.mark.django_db

URL = reverse("catalog:solution-list")

# Each solution carries the word a query looks for in one place only, so that a row proves what it says.
SOLUTIONS = [
    {"slug": "fiscat-tari", "name": "FISCAT TARI", "categories": ["billing-and-invoicing"], "tags": ["FISCAT"],
     "short_description_it": "Avvisi di pagamento e rendicontazione della tassa annuale."},
    {"slug": "canone-unico", "name": "Canone unico patrimoniale", "categories": ["taxes-management"],
     "short_description_it": "Occupazioni di suolo pubblico, pubblicità e mercati."},
    {"slug": "protocollo-informatico", "name": "Protocollo informatico", "categories": ["workflow-management"],
     "tags": ["PEC"], "short_description_it": "Registrazione della corrispondenza in arrivo e in partenza."},
    {"slug": "virtualizzazione-server", "name": "Virtualizzazione dei server comunali",
     "categories": ["it-management"], "short_description_it": "Le macchine del comune nella server farm del CST."},
    {"slug": "rilevazione-presenze", "name": "Rilevazione delle presenze", "categories": ["hr"],
     "short_description_it": "Timbrature, ferie e permessi dei dipendenti."},
    {"slug": "albo-pretorio", "name": "Albo pretorio online", "categories": ["content-management"],
     "tags": ["trasparenza"], "short_description_it": "Pubblicazione degli atti amministrativi."},
]

# (query, the solution it must find, the corrected query offered if the query itself finds nothing, why). The SQLite
# fallback matches the beginning of words, so it finds some misspellings without a correction ("protocolo" begins
# "protocollo"); PostgreSQL matches whole stems and offers the correction.
TABLE = [
    ("refezione", "mensa-scolastica", None, "a tag given in the form"),
    ("scuola", "mensa-scolastica", None, "a tag given in the form"),
    ("mensa scuola", "mensa-scolastica", None, "two tags"),
    ("Refezione", "mensa-scolastica", None, "any case"),
    ("tributi", "canone-unico", None, "the Italian label of its category (Gestione dei tributi)"),
    ("tributo", "canone-unico", None, "the label, singular"),
    ("tax", "canone-unico", None, "the English label of its category (Tax management)"),
    ("human resources", "rilevazione-presenze", None, "the English label of the category hr"),
    ("risorse umane", "rilevazione-presenze", None, "the Italian label of the category hr"),
    ("tributi", "fiscat-tari", None, "synonyms: tributi → TARI"),
    ("rifiuti", "fiscat-tari", None, "synonyms: rifiuti → TARI"),
    ("tasse", "fiscat-tari", None, "synonyms: tasse → TARI"),
    ("documentale", "protocollo-informatico", None, "synonyms: documentale → protocollo"),
    ("datacenter", "virtualizzazione-server", None, "synonyms: datacenter → virtualizzazione"),
    ("timbrature", "rilevazione-presenze", None, "the short description"),
    ("tribbuti", "fiscat-tari", "tributi", "misspelt: corrected from the labels and synonyms"),
    ("tribbuti", "canone-unico", "tributi", "misspelt: corrected from the labels and synonyms"),
    ("protocolo", "protocollo-informatico", "protocollo", "misspelt: corrected from a name"),
    ("virtualizazione", "virtualizzazione-server", "virtualizzazione", "misspelt: corrected from a name"),
    ("refezzione", "mensa-scolastica", "refezione", "misspelt: corrected from a tag"),
    ("gestione dei tribbuti", "canone-unico", "gestione dei tributi", "one word of three corrected"),
]

# What a query must not bring: synonyms are one way.
NOT_FOUND = [
    ("tari", "canone-unico"),
    ("rifiuti", "canone-unico"),
    ("protocollo", "virtualizzazione-server"),
    ("scuola", "albo-pretorio"),
]


@pytest.fixture(scope="module")
def compiled_translations():
    call_command("compile_translations", verbosity=0)


@pytest.fixture
def catalogue(compiled_translations, client, settings, publisher_pesaro, pesaro):
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # Django reads the just compiled catalogue again
    client.force_login(publisher_pesaro)
    response = client.post(reverse("catalog:solution-create"), valid_data(
        name="Pasti e ristorazione collettiva", short_description_it="Iscrizioni, menù e diete speciali.",
        long_description_it="Per le famiglie e gli uffici comunali.", features_it="Iscrizioni online\n",
        categories=["online-booking"], tags="mensa, scuola, refezione", repository_url="https://git.example/pasti",
        owner=pesaro.pk,
    ))
    assert response.status_code == 302
    made = [Solution.objects.get(name="Pasti e ristorazione collettiva")]
    Solution.objects.filter(pk=made[0].pk).update(slug="mensa-scolastica")
    for spec in SOLUTIONS:
        fields = {k: v for k, v in spec.items() if k not in {"slug", "categories", "tags"}}
        made.append(services.create_solution(
            by=None, owner=pesaro, slug=spec["slug"], categories=spec["categories"], tags=spec.get("tags", ()),
            long_description_it="Una soluzione del catalogo.", **fields,
        ))
    for solution in made:
        solution.refresh_from_db()
        services.submit_solution(solution, by=None)
        services.publish_solution(solution, by=None)
    client.logout()
    return made


def _search(q: str) -> list[str]:
    found = search_solutions(Solution.objects.published(), q).order_by("-rank", "name")
    return list(found.values_list("slug", flat=True))


def _outcome(q: str) -> tuple[list[str], str | None]:
    """What the clerk gets: the solutions found, else those of the corrected query offered."""
    found = _search(q)
    if found:
        return found, None
    suggested = suggest_query(Solution.objects.published(), q)
    return (_search(suggested) if suggested else []), suggested


def test_every_query_of_the_table_finds_its_solution(catalogue):
    missed = []
    for q, slug, suggestion, why in TABLE:
        found, offered = _outcome(q)
        if slug not in found or offered not in {None, suggestion}:
            missed.append(f"{q!r} → {found} (offered {offered!r}): should find {slug}, {why}")
    assert not missed, "\n".join(missed)


def test_synonyms_are_one_way(catalogue):
    brought = [(q, slug) for q, slug in NOT_FOUND if slug in _search(q)]
    assert not brought


def test_a_word_of_the_catalogue_is_not_corrected(catalogue):
    assert suggest_query(Solution.objects.published(), "refezione") is None
    assert suggest_query(Solution.objects.published(), "imu") is None  # short words are not corrected
    assert suggest_query(Solution.objects.published(), "zzzzzzzz") is None  # nothing close


def test_a_draft_lends_no_word_to_the_suggestions(catalogue, pesaro):
    services.create_solution(by=None, owner=pesaro, name="Progetto riservatissimo", tags=["segretissimo"])
    assert suggest_query(Solution.objects.published(), "riservatisimo") is None
    assert suggest_query(Solution.objects.published(), "segretisimo") is None
    assert suggest_query(Solution.objects.all(), "riservatisimo") == "riservatissimo"


def test_tags_and_categories_changed_after_the_first_save_are_searched(catalogue):
    albo = Solution.objects.get(slug="albo-pretorio")
    services.update_solution(albo, by=None, tags=["delibere"], categories=["regulations-and-directives"])
    assert _search("delibere") == ["albo-pretorio"]
    assert _search("norme") == ["albo-pretorio"]  # Norme e direttive
    assert "albo-pretorio" not in _search("trasparenza")


def test_every_synonym_is_one_word():
    for word in terms.synonym_words():
        assert terms.query_words(word) == [word], word
    assert "TARI" in terms.synonyms_of("tributo")
    assert terms.synonyms_of("TARI") == ("rifiuti", "TARES")


def test_an_acronym_among_the_synonyms_is_matched_whole():
    pattern = re.compile(terms.word_pattern(["imu", *terms.synonyms_of("imu")]), re.IGNORECASE)
    assert pattern.search("Gestione TASI e IMU") and pattern.search("imposta municipale (imu)")
    assert not pattern.search("la tassa sui rifiuti")  # TASI is not stemmed into "tas"


def test_trigram_similarity_is_pg_trgm_s():
    # SELECT similarity('tribbuti', 'tributi'), similarity('protocolo', 'protocollo') → 0.7, 0.75
    assert terms.similarity("tribbuti", "tributi") == pytest.approx(0.7)
    assert terms.similarity("protocolo", "protocollo") == pytest.approx(0.75)
    assert terms.similarity("Città", "citta") == 1.0


# --- the catalogue page ---------------------------------------------------------------------------------------


def test_the_page_offers_the_corrected_query(client, catalogue):
    response = client.get(URL, {"q": "virtualizazione", "kind": "software"})
    assert response.context["total"] == 0
    assert response.context["suggestion"] == {"q": "virtualizzazione", "url": "?q=virtualizzazione&kind=software"}
    html = response.content.decode()
    assert 'Forse cercavi <a href="?q=virtualizzazione&amp;kind=software">«virtualizzazione»</a>?' in html
    response = client.get(URL, {"q": "virtualizzazione", "kind": "software"})
    assert [s.slug for s in response.context["page_obj"].object_list] == ["virtualizzazione-server"]
    assert response.context["suggestion"] is None


# A search that finds nothing: (1) facets' aggregate with the total, (2) owners, (3) categories, then no page to
# read but (4) the words of the catalogue for the suggestion: one query more than the three it needs, fewer than the
# five of a search that finds something (tests/catalog/test_catalogue_list.py).
NOTHING_FOUND_QUERIES = 4


@pytest.mark.parametrize("q", ["virtualizazione", "zzzzzzzz", "gestione dei tribbuti"])
def test_a_search_that_finds_nothing_costs_one_query_for_the_suggestion(client, catalogue, django_assert_num_queries,
                                                                        q):
    with django_assert_num_queries(NOTHING_FOUND_QUERIES):
        response = client.get(URL, {"q": q, "ordering": "name"})
    assert response.context["total"] == 0


def test_a_search_that_finds_something_offers_nothing(client, catalogue, django_assert_num_queries):
    with django_assert_num_queries(5):
        response = client.get(URL, {"q": "tributi"})
    assert response.context["total"] and response.context["suggestion"] is None


def test_the_english_page_offers_it_too(client, catalogue):
    client.get("/lingua/en/", {"next": "/"})
    html = client.get(URL, {"q": "virtualizazione"}).content.decode()
    assert 'Did you mean <a href="?q=virtualizzazione">“virtualizzazione”</a>?' in html


def test_the_api_list_uses_the_same_search(client, catalogue):
    response = client.get("/api/v1/solutions/", {"q": "refezione"})
    assert [s["slug"] for s in response.json()["results"]] == ["mensa-scolastica"]
    response = client.get("/api/v1/solutions/", {"q": "tributi", "ordering": "name"})
    assert {"canone-unico", "fiscat-tari"} <= {s["slug"] for s in response.json()["results"]}



@pytest.mark.parametrize("anonymous_tables", [False, True], ids=["database", "match table"])
def test_words_that_find_something_are_not_corrected_when_the_filters_leave_nothing(
    client, catalogue, django_assert_num_queries, anonymous_tables, request
):
    """«tributo» finds «Canone unico patrimoniale» (its category's label, singular), but no service: the filter left
    nothing, not the word, so nothing is offered in its place — where the old page offered «tributi», which finds
    no service either. The database path tells with one query instead of reading the catalogue's words; the match
    table knows without one."""
    params = {"q": "tributo", "kind": "service"}
    extra = {}
    if anonymous_tables:
        extra = request.getfixturevalue("shared_cache")
        client.get(URL, {"q": "tributo"}, **extra)  # the table read
    with django_assert_num_queries(0 if anonymous_tables else 4):
        response = client.get(URL, params, **extra)
    assert response.context["total"] == 0
    assert response.context["suggestion"] is None
    assert "Forse cercavi" not in response.content.decode()
    assert suggest_query(Solution.objects.published(), "tributo") == "tributi"  # what the words alone would get
