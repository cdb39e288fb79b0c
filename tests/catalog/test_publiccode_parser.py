"""parse_publiccode: what it accepts, and how it refuses (every error with its field path, in Italian)."""

from __future__ import annotations

import copy

import pytest

from catalog.publiccode import parse_publiccode, parser
from catalog.publiccode.loader import MAX_NODES, PubliccodeLoader, TooManyNodes, compose_yaml
from catalog.publiccode.schema import PUBLICCODE, SUPPORTED_VERSIONS
from catalog.vocabulary import CATEGORIES

from .publiccode_helpers import VALID, dump, read, valid_doc

pytestmark = pytest.mark.django_db


def paths(result) -> list[str]:
    return [e.path for e in result.errors]


def message_at(result, path: str) -> str:
    return next(e.message for e in result.errors if e.path == path)


@pytest.mark.parametrize("name", ["v0_2_it_riuso.yml", "v0_4_owner_by_argument.yml", "v0_7_organisation_uri.yml"])
def test_the_sample_files_of_versions_0_2_0_4_and_0_7_are_valid(name):
    result = parse_publiccode(read(name))
    assert result.errors == []
    assert result.data["name"]


def test_the_owner_is_read_from_it_riuso_codice_ipa_in_version_0_2():
    result = parse_publiccode(read("v0_2_it_riuso.yml"))
    assert (result.version, result.ipa_code, result.ipa_path) == ("0.2", "c_g479", "it.riuso.codiceIPA")


def test_the_owner_is_read_from_organisation_uri_in_version_0_7():
    result = parse_publiccode(read("v0_7_organisation_uri.yml"))
    assert (result.version, result.ipa_code, result.ipa_path) == ("0.7", "c_g479", "organisation.uri")


@pytest.mark.parametrize("version", ["0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0.5",
                                     "0.5.0", "0.7", "0.7.0"])
def test_versions_from_0_2_to_0_7_are_accepted(version):
    assert parse_publiccode(dump(valid_doc(publiccodeYmlVersion=version))).errors == []


@pytest.mark.parametrize("version", ["0.1", "0.6", "0.6.0", "0.4.7", "0.8", "1.0", "2", ""])
def test_other_versions_are_refused(version):
    result = parse_publiccode(dump(valid_doc(publiccodeYmlVersion=version)))
    assert paths(result) == ["publiccodeYmlVersion"]
    assert "versione non supportata" in message_at(result, "publiccodeYmlVersion")


def test_an_unquoted_version_number_is_refused_as_the_validator_refuses_it():
    raw = dump(VALID).replace(b"publiccodeYmlVersion: 0.4.0", b"publiccodeYmlVersion: 0.4")
    result = parse_publiccode(raw)
    assert paths(result) == ["publiccodeYmlVersion"]
    assert "virgolette" in result.errors[0].message


def test_an_unquoted_software_version_keeps_the_text_it_was_written_with():
    raw = dump(VALID).replace(b"softwareVersion: '5.2'", b"softwareVersion: 5.20")
    result = parse_publiccode(raw)
    assert result.errors == []
    assert result.data["softwareVersion"] == "5.20"


def test_an_unquoted_date_stays_a_date_string():
    raw = dump(VALID).replace(b"releaseDate: '2024-09-30'", b"releaseDate: 2024-09-30")
    result = parse_publiccode(raw)
    assert result.errors == []
    assert result.data["releaseDate"] == "2024-09-30"


def test_the_categories_vocabulary_follows_the_standard():
    assert "service-desk" in CATEGORIES and "other" in CATEGORIES
    assert "local-authorities" not in CATEGORIES  # a scope, not a category
    assert len(CATEGORIES) == len(set(CATEGORIES))


def test_the_schema_names_every_key_of_the_standard_with_its_rules():
    assert PUBLICCODE.field("name").rules == ("required",)
    assert PUBLICCODE.field("supports") is not None
    assert "0.7" in SUPPORTED_VERSIONS and "0.2" in SUPPORTED_VERSIONS and "0.6" not in SUPPORTED_VERSIONS


# --- refusing safely -----------------------------------------------------------------------------------------------

def test_a_file_over_one_megabyte_is_refused_before_being_read(settings):
    raw = dump(VALID) + b"#" * settings.PUBLICCODE_MAX_BYTES
    result = parse_publiccode(raw)
    assert result.data is None
    assert paths(result) == [""]
    assert "1 MB" in result.errors[0].message


def test_a_file_that_is_not_utf_8_is_refused():
    result = parse_publiccode(dump(VALID).replace(b"Protocollo Informatico", "Protocollo Informàtico".encode("latin-1")))
    assert result.data is None
    assert "UTF-8" in result.errors[0].message


def test_a_utf_8_byte_order_mark_is_accepted():
    assert parse_publiccode(b"\xef\xbb\xbf" + dump(VALID)).errors == []


def test_a_file_that_is_not_yaml_is_refused_with_the_line():
    result = parse_publiccode(read("not_yaml.yml"))
    assert result.data is None
    assert "YAML" in result.errors[0].message and "riga" in result.errors[0].message


def test_an_alias_bomb_is_refused_without_expanding_it():
    result = parse_publiccode(read("alias_bomb.yml"))
    assert result.data is None
    assert "alias" in result.errors[0].message


def test_anchors_and_aliases_within_the_limits_are_read_as_the_validator_reads_them():
    raw = dump(valid_doc(usedBy=None)) + b"usedBy: &users\n- Comune di Fano\n"
    raw = raw.replace(b"  license: EUPL-1.2\n", b"  license: &licence EUPL-1.2\n  mainCopyrightOwner: *licence\n")
    result = parse_publiccode(raw)
    assert result.errors == []
    assert result.data["legal"]["mainCopyrightOwner"] == "EUPL-1.2"


def test_a_key_repeated_in_a_mapping_is_refused_not_overwritten():
    result = parse_publiccode(dump(VALID) + b"name: Un altro nome\n")
    assert paths(result) == [""]
    assert "«name» è ripetuta" in result.errors[0].message


def test_yes_and_no_are_text_not_booleans():
    raw = dump(VALID).replace(b"localisationReady: true", b"localisationReady: no")
    result = parse_publiccode(raw)
    assert set(paths(result)) == {"localisation.localisationReady", "localisation.availableLanguages"}
    assert "true o false" in result.errors[0].message


def test_python_specific_yaml_tags_are_refused():
    result = parse_publiccode(b"name: !!python/object/apply:os.system ['true']\n")
    assert result.data is None
    assert "YAML" in result.errors[0].message


@pytest.mark.parametrize("raw", [b"- una\n- lista\n", b"solo testo\n", b"", b"# solo un commento\n"])
def test_a_top_level_that_is_not_a_mapping_is_refused(raw):
    result = parse_publiccode(raw)
    assert result.data is None and paths(result) == ["publiccodeYmlVersion"]


def test_the_not_a_mapping_sample_is_refused():
    assert "sezione di chiavi" in parse_publiccode(read("not_a_mapping.yml")).errors[0].message


def test_absurd_nesting_is_refused_without_crashing():
    result = parse_publiccode(b"a: " + b"[" * 3000 + b"]" * 3000)
    assert result.data is None and result.errors


def one_line_keys(count: int, indent: str = "") -> bytes:
    return b"".join(f"{indent}{i:05d}: v\n".encode() for i in range(count))


def test_a_file_of_a_hundred_thousand_keys_is_refused_by_the_loader_before_the_schema(monkeypatch, settings):
    raw = dump(VALID) + one_line_keys(100_000)
    assert len(raw) <= settings.PUBLICCODE_MAX_BYTES  # under the size cap: only the node budget stops it

    def no_validation(*args, **kwargs):
        raise AssertionError("the schema validator must not see a file over the node budget")

    monkeypatch.setattr(parser, "check_document", no_validation)
    result = parse_publiccode(raw)
    assert result.data is None
    assert paths(result) == [""]
    assert "troppi elementi" in result.errors[0].message and "20.000" in result.errors[0].message


def test_a_flood_of_keys_under_an_unknown_key_is_refused_at_that_key(settings):
    raw = dump(VALID) + b"x-extra:\n" + one_line_keys(100_000, indent=" ")
    assert len(raw) <= settings.PUBLICCODE_MAX_BYTES
    result = parse_publiccode(raw)
    assert result.data is None
    assert paths(result) == ["x-extra"]
    assert "troppi elementi" in result.errors[0].message


def test_loading_stops_at_the_node_budget():
    loader = PubliccodeLoader(one_line_keys(10_000).decode())
    loader.max_nodes = 100
    with pytest.raises(TooManyNodes) as refused:
        loader.get_single_node()
    # The root mapping and 49.5 keys with their values: reading stopped on line 50 of 10,000.
    assert loader.composed_nodes == 101
    assert refused.value.problem_mark.line == 49


def test_a_file_at_the_node_budget_loads_and_one_more_node_is_refused():
    # The root mapping, its key and the list take three nodes; the rest are list items.
    def document(items: int) -> str:
        return "a:\n" + "- x\n" * items

    assert len(compose_yaml(document(MAX_NODES - 3)).value[0][1].value) == MAX_NODES - 3
    with pytest.raises(TooManyNodes) as refused:
        compose_yaml(document(MAX_NODES - 2))
    assert refused.value.path == ["a"]


def test_a_key_that_is_not_text_is_refused_as_unknown():
    result = parse_publiccode(dump(VALID) + b"true: chiave booleana\n")
    assert paths(result) == ["true"] and "chiave sconosciuta" in result.errors[0].message


# --- field-level errors --------------------------------------------------------------------------------------------

def test_every_problem_of_a_bad_file_is_reported_by_field_path():
    result = parse_publiccode(read("invalid_many_errors.yml"))
    assert set(paths(result)) >= {
        "name",
        "landingURL",
        "releaseDate",
        "platforms",
        "categories[1]",
        "developmentStatus",
        "description",  # left out whole: its features are text, not a list
        "description.it.features",
        "legal.license",
        "maintenance.contractors[0].until",
        "maintenance.contractors[0].email",
        "localisation.localisationReady",
        "localisation.availableLanguages",
        "it.riuso.codiceIPA",
    }


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"name": ["un", "elenco"]}, "name[0]", "tipo errato"),
        ({"categories": "document-management"}, "categories", "tipo errato"),
        ({"description": "testo"}, "description", "tipo errato"),
        ({"legal": {"license": "Licenza-Inventata-1.0"}}, "legal.license", "SPDX"),
        ({"legal": {"license": "MIT AND"}}, "legal.license", "SPDX"),
        ({"releaseDate": "2024-02-30"}, "releaseDate", "AAAA-MM-GG"),
        ({"releaseDate": "30/09/2024"}, "releaseDate", "AAAA-MM-GG"),
        ({"url": "ftp//sbagliato"}, "url", "indirizzo"),
        ({"url": ""}, "url", "indirizzo"),
        ({"landingURL": "www.senza-schema.it"}, "landingURL", "indirizzo web"),
        ({"categories": ["gestione-tributi"]}, "categories[0]", "categoria sconosciuta"),
        ({"developmentStatus": "finito"}, "developmentStatus", "valori ammessi"),
        ({"softwareType": "standalone"}, "softwareType", "valori ammessi"),
        ({"intendedAudience": {"scope": ["comuni"]}}, "intendedAudience.scope[0]", "ambito sconosciuto"),
        ({"name": None}, "name", "obbligatorio"),
        ({"url": None}, "url", "obbligatorio"),
        ({"organisation": {"name": "Comune", "uri": "urn:x-italian-pa:"}}, "organisation.uri", "urn:x-italian-pa"),
        ({"organisation": {"name": "Comune di Nessuno", "uri": "urn:x-italian-pa:c_zzzz"}}, "organisation.uri",
         "codice IPA sconosciuto"),
    ],
)
def test_a_wrong_value_is_reported_at_its_field(changes, path, words):
    result = parse_publiccode(dump(valid_doc(**changes)))
    assert path in paths(result), result.errors
    assert words in message_at(result, path)


def test_a_short_description_over_150_characters_is_refused():
    doc = valid_doc()
    doc["description"]["it"]["shortDescription"] = "x" * 151
    result = parse_publiccode(dump(doc))
    assert paths(result) == ["description.it.shortDescription"]
    assert message_at(result, "description.it.shortDescription") == "troppo lungo: al massimo 150 caratteri (ora 151)"


@pytest.mark.parametrize(("length", "ok"), [(149, False), (150, True), (10_000, True), (10_001, False)])
def test_the_long_description_must_have_between_150_and_10000_characters(length, ok):
    doc = valid_doc()
    doc["description"]["it"]["longDescription"] = "x" * length
    assert parse_publiccode(dump(doc)).ok is ok


def test_a_file_without_an_italian_description_is_valid_with_a_warning():
    doc = valid_doc()
    doc["description"] = {"en": copy.deepcopy(doc["description"]["it"])}
    result = parse_publiccode(dump(doc))
    assert result.errors == []
    assert [w.path for w in result.warnings] == ["description.it"]


def test_an_it_it_description_counts_as_italian():
    doc = valid_doc()
    doc["description"] = {"it-IT": doc["description"]["it"]}
    assert parse_publiccode(dump(doc)).errors == []


def test_a_wrong_language_key_is_refused():
    doc = valid_doc()
    doc["description"]["italiano!"] = doc["description"]["it"]
    assert "description" in paths(parse_publiccode(dump(doc)))


def test_missing_contacts_of_internal_maintenance_are_an_error_as_the_standard_says():
    result = parse_publiccode(dump(valid_doc(maintenance={"type": "internal"})))
    assert paths(result) == ["maintenance.contacts"]


def test_missing_available_languages_are_an_error_as_the_standard_says():
    result = parse_publiccode(dump(valid_doc(localisation={"localisationReady": False})))
    assert paths(result) == ["localisation.availableLanguages"]


def test_a_complete_file_has_no_warnings():
    assert parse_publiccode(dump(valid_doc())).warnings == []


def test_a_contractor_with_an_end_date_is_required_for_contract_maintenance():
    result = parse_publiccode(dump(valid_doc(maintenance={"type": "contract", "contractors": [{"name": "Ditta"}]})))
    assert paths(result) == ["maintenance.contractors[0].until"]


def test_contractors_are_refused_without_a_contract():
    doc = valid_doc()
    doc["maintenance"]["contractors"] = [{"name": "Ditta", "until": "2030-01-01"}]
    assert paths(parse_publiccode(dump(doc))) == ["maintenance.contractors"]


def test_organisation_uri_and_it_riuso_naming_different_bodies_is_a_warning():
    doc = valid_doc(it={"riuso": {"codiceIPA": "c_d488"}})
    result = parse_publiccode(dump(doc))
    assert result.errors == []
    assert [w.path for w in result.warnings] == ["it.riuso.codiceIPA"]
    assert result.ipa_code == "c_g479"


def test_the_ipa_code_is_matched_without_regard_to_case():
    doc = valid_doc(organisation={"name": "Provincia", "uri": "urn:x-italian-pa:P_pu"})
    assert parse_publiccode(dump(doc)).errors == []


def test_an_ipa_code_of_the_official_list_is_valid_whoever_the_body_is():
    doc = valid_doc(organisation={"name": "Roma Capitale", "uri": "urn:x-italian-pa:c_h501"})
    assert parse_publiccode(dump(doc)).errors == []


def test_yes_in_a_platform_flag_is_a_type_error():
    result = parse_publiccode(dump(valid_doc(IT={"piattaforme": {"spid": "yes"}})).replace(b"'yes'", b"yes"))
    assert paths(result) == ["IT.piattaforme.spid"]


def test_a_boolean_with_another_word_is_a_type_error():
    doc = valid_doc(localisation={"localisationReady": "forse", "availableLanguages": ["it"]})
    # The validator leaves out the whole section, so its languages are reported missing too.
    assert set(paths(parse_publiccode(dump(doc)))) == {"localisation.localisationReady",
                                                       "localisation.availableLanguages"}


def test_unknown_keys_are_refused_as_the_validator_refuses_them():
    result = parse_publiccode(dump(valid_doc(nuovaChiave={"x": "y"})))
    assert paths(result) == ["nuovaChiave"]


def test_a_spdx_licence_ref_is_accepted():
    assert parse_publiccode(dump(valid_doc(legal={"license": "LicenseRef-CST-1.0"}))).errors == []


def test_the_messages_name_the_whole_file_when_there_is_no_field():
    error = parse_publiccode(b"a: 1\na: 2\n").errors[0]
    assert str(error).startswith("file: ")
