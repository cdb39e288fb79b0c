"""The upload page (publishers and CST staff only) and the publiccode.yml download of a solution."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Category, Solution
from tests.factories import SolutionFactory

from .publiccode_helpers import dump, read, valid_doc

pytestmark = pytest.mark.django_db

IMPORT_URL = "/catalogo/importa-publiccode/"


def upload(content: bytes, name: str = "publiccode.yml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/x-yaml")


def test_the_urls_are_the_documented_ones():
    assert reverse("catalog:publiccode-import") == IMPORT_URL
    assert reverse("catalog:solution-publiccode", kwargs={"slug": "abc"}) == "/catalogo/soluzioni/abc/publiccode.yml"


# --- upload --------------------------------------------------------------------------------------------------------

def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["member_fano", "referent_fano", "outsider", "analyst"])
def test_people_who_do_not_publish_get_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload(read("v0_7_organisation_uri.yml"))}).status_code == 403
    assert Solution.objects.count() == 0


def test_a_publisher_sees_the_form_with_only_their_bodies_as_owners(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["owner"].queryset) == [pesaro]
    assert form.fields["owner"].initial == pesaro.pk
    html = response.content.decode()
    assert 'accept=".yml,.yaml"' in html and 'enctype="multipart/form-data"' in html


def test_cst_staff_may_choose_any_active_body(client, cst_admin):
    client.force_login(cst_admin)
    form = client.get(IMPORT_URL).context["form"]
    assert form.fields["owner"].queryset.count() >= 50


def test_a_publisher_imports_a_file_and_lands_on_the_new_solution(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT_URL, {"file": upload(read("v0_7_organisation_uri.yml")), "owner": pesaro.pk})
    solution = Solution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == solution.get_absolute_url()
    assert solution.status == "in_review" and solution.owner == pesaro
    page = client.get(response["Location"])
    assert "inviata in revisione" in page.content.decode()


def test_a_publisher_cannot_import_a_file_of_another_body(client, publisher_pesaro, fano):
    client.force_login(publisher_pesaro)
    doc = valid_doc(organisation={"name": "Comune di Fano", "uri": "urn:x-italian-pa:c_d488"})
    response = client.post(IMPORT_URL, {"file": upload(dump(doc))})
    assert response.status_code == 200
    assert "permessi" in response.content.decode()
    assert Solution.objects.count() == 0


def test_a_publisher_cannot_pick_another_body_as_owner(client, publisher_pesaro, fano):
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT_URL, {"file": upload(read("v0_4_owner_by_argument.yml")), "owner": fano.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert Solution.objects.count() == 0


def test_every_error_is_listed_with_its_field(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT_URL, {"file": upload(read("invalid_many_errors.yml"))})
    html = response.content.decode()
    assert response.status_code == 200
    result = response.context["result"]
    assert len(result.errors) >= 15
    for error in result.errors:
        assert f"<code class=\"text-dark\">{error.label}</code>" in html
    assert "Il file non è stato importato" in html
    assert Solution.objects.count() == 0


def test_a_dry_run_reports_success_and_writes_nothing(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT_URL, {"file": upload(read("v0_7_organisation_uri.yml")), "dry_run": "on"})
    assert response.status_code == 200
    assert "Verifica riuscita" in response.content.decode()
    assert Solution.objects.count() == 0


def test_a_file_with_another_extension_is_refused_by_the_form(client, publisher_pesaro):
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT_URL, {"file": upload(read("v0_7_organisation_uri.yml"), name="publiccode.txt")})
    assert response.context["form"].errors["file"]
    assert Solution.objects.count() == 0


def test_a_file_over_one_megabyte_is_refused_by_the_form(client, publisher_pesaro, settings):
    client.force_login(publisher_pesaro)
    big = read("v0_7_organisation_uri.yml") + b"#" * settings.PUBLICCODE_MAX_BYTES
    response = client.post(IMPORT_URL, {"file": upload(big)})
    assert "1 MB" in str(response.context["form"].errors["file"])
    assert Solution.objects.count() == 0


def test_a_file_of_too_many_elements_is_refused_with_the_limit(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    flood = read("v0_7_organisation_uri.yml") + b"x-extra:\n" + b"".join(b" %05d: v\n" % i for i in range(50_000))
    response = client.post(IMPORT_URL, {"file": upload(flood), "owner": pesaro.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<code class="text-dark">x-extra</code>' in html and "troppi elementi" in html
    assert Solution.objects.count() == 0


def test_reimporting_redirects_to_the_updated_solution(client, publisher_pesaro, pesaro):
    existing = SolutionFactory(owner=pesaro, repository_url="https://code.cstpu.example/pesaro/fascicolo-catastale.git")
    client.force_login(publisher_pesaro)
    response = client.post(IMPORT_URL, {"file": upload(read("v0_7_organisation_uri.yml"))})
    assert response["Location"] == existing.get_absolute_url()
    assert Solution.objects.count() == 1


# --- download ------------------------------------------------------------------------------------------------------

def export_url(solution: Solution) -> str:
    return reverse("catalog:solution-publiccode", kwargs={"slug": solution.slug})


@pytest.fixture
def published(pesaro):
    solution = SolutionFactory(owner=pesaro, features_it=["Una funzione"], platforms=["web"],
                               contacts=[{"name": "Anna Verdi", "email": "anna.verdi@cstpu.example"}])
    solution.categories.set(Category.objects.filter(code="document-management"))
    return solution


def test_anyone_downloads_the_publiccode_yml_of_a_published_solution(client, published):
    response = client.get(export_url(published))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="publiccode.yml"'
    doc = yaml.safe_load(response.content.decode("utf-8"))
    assert doc["name"] == published.name
    assert doc["organisation"]["uri"] == "urn:x-italian-pa:c_g479"


def test_contacts_are_in_the_file_only_for_those_who_may_see_them(client, published, member_fano):
    assert "anna.verdi" not in client.get(export_url(published)).content.decode()
    client.force_login(member_fano)
    assert "anna.verdi" in client.get(export_url(published)).content.decode()


def test_a_draft_is_404_for_anonymous_users(client, pesaro):
    draft = SolutionFactory(owner=pesaro, status="draft")
    assert client.get(export_url(draft)).status_code == 404


@pytest.mark.parametrize("status", ["draft", "in_review", "retired"])
def test_an_unpublished_solution_is_404_for_another_body_s_people(client, pesaro, referent_fano, status):
    solution = SolutionFactory(owner=pesaro, status=status)
    client.force_login(referent_fano)
    assert client.get(export_url(solution)).status_code == 404


def test_the_owner_s_publisher_downloads_a_draft(client, pesaro, publisher_pesaro):
    draft = SolutionFactory(owner=pesaro, status="draft")
    client.force_login(publisher_pesaro)
    assert client.get(export_url(draft)).status_code == 200


def test_an_unknown_slug_is_404(client, db):
    assert client.get("/catalogo/soluzioni/non-esiste/publiccode.yml").status_code == 404
