"""The source pages: the list by body, registering, a source with its last harvest and errors, the buttons, the
progress block htmx polls; another body's source is a 404. And the solution form with harvested fields read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.harvest import services
from catalog.models import HarvestRun, Solution, Source
from municipalities.models import Body

from .conftest import harvest, publiccode

pytestmark = pytest.mark.django_db

REPO = "https://code.cstpu.example/pesaro/protocollo.git"


def _logged(client, user):
    client.force_login(user)
    return client


def test_a_publisher_lists_the_sources_of_its_body_and_cst_staff_every_one(client, publisher_pesaro, cst_admin,
                                                                            pesaro, fano):
    Source.objects.create(url=REPO, body=pesaro)
    Source.objects.create(url="https://code.cstpu.example/fano/app.git", body=fano)

    page = _logged(client, publisher_pesaro).get(reverse("catalog:source-list")).content.decode()
    assert REPO in page and "fano/app.git" not in page

    page = _logged(client, cst_admin).get(reverse("catalog:source-list")).content.decode()
    assert REPO in page and "fano/app.git" in page


def test_the_list_costs_the_same_queries_whatever_its_length(client, cst_admin, pesaro, django_assert_num_queries):
    _logged(client, cst_admin)
    client.get(reverse("catalog:source-list"))  # the session and the person, read once
    for n in range(3):
        Source.objects.create(url=f"{REPO}-{n}", body=pesaro)
    # Queries: session, person, count of sources, unread notifications (the bell), the person's roles (the
    # navigation), one page of sources with body, solution and last run joined.
    with django_assert_num_queries(6):
        assert client.get(reverse("catalog:source-list")).status_code == 200
    for n in range(3, 20):
        Source.objects.create(url=f"{REPO}-{n}", body=pesaro)
    with django_assert_num_queries(6):
        assert client.get(reverse("catalog:source-list")).status_code == 200


def test_people_without_a_publisher_role_do_not_see_the_sources(client, referent_fano):
    assert _logged(client, referent_fano).get(reverse("catalog:source-list")).status_code == 403
    client.logout()
    response = client.get(reverse("catalog:source-list"))
    assert response.status_code == 302 and "/account/accedi/" in response["Location"]


def test_registering_a_source_through_the_form(client, publisher_pesaro, pesaro):
    response = _logged(client, publisher_pesaro).post(reverse("catalog:source-create"),
                                                      {"url": REPO, "body": pesaro.pk})

    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == source.get_absolute_url()
    assert source.registered_by == publisher_pesaro


def test_a_refused_address_comes_back_on_the_form(client, publisher_pesaro, pesaro, fano):
    _logged(client, publisher_pesaro)
    response = client.post(reverse("catalog:source-create"), {"url": "ftp://code.cstpu.example/x", "body": pesaro.pk})
    assert response.status_code == 400
    assert "Sono ammessi solo indirizzi https://" in response.content.decode()
    # Another body is not among the choices.
    assert client.post(reverse("catalog:source-create"), {"url": REPO, "body": fano.pk}).status_code == 400
    assert not Source.objects.exists()


def test_another_bodys_source_is_a_404_and_its_buttons_too(client, publisher_pesaro, fano):
    source = Source.objects.create(url=REPO, body=fano)
    _logged(client, publisher_pesaro)
    assert client.get(source.get_absolute_url()).status_code == 404
    assert client.post(reverse("catalog:source-harvest", kwargs={"pk": source.pk})).status_code == 404
    assert client.post(reverse("catalog:source-remove", kwargs={"pk": source.pk})).status_code == 404


def test_an_analyst_reads_a_source_but_presses_no_button(client, analyst, pesaro):
    source = Source.objects.create(url=REPO, body=pesaro)
    _logged(client, analyst)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "Raccogli ora" not in page
    assert client.post(reverse("catalog:source-pause", kwargs={"pk": source.pk})).status_code == 403


def test_the_source_page_shows_the_last_harvest_with_its_errors_at_their_paths(client, protocollo, pesaro, cst_admin,
                                                                               publisher_pesaro):
    source = Source.objects.create(url=protocollo.url, body=pesaro, registered_by=cst_admin)
    harvest(source)
    protocollo.commit({"publiccode.yml": publiccode(developmentStatus="quasi pronto")})
    harvest(source)

    page = _logged(client, publisher_pesaro).get(source.get_absolute_url()).content.decode()

    assert "File non valido: nulla è cambiato" in page
    assert "<code>developmentStatus</code>" in page and "quasi pronto" in page
    assert "Ultima modifica al catalogo" in page and "Soluzione «Protocollo Informatico» creata" in page


def test_harvest_now_shows_its_progress_until_done(client, protocollo, pesaro, cst_admin):
    source = Source.objects.create(url=protocollo.url, body=pesaro, registered_by=cst_admin)
    _logged(client, cst_admin)

    response = client.post(reverse("catalog:source-harvest", kwargs={"pk": source.pk}))

    assert response.status_code == 302
    run = HarvestRun.objects.get()
    page = client.get(source.get_absolute_url()).content.decode()
    progress = reverse("catalog:source-run-progress", kwargs={"pk": source.pk, "run_pk": run.pk})
    assert f'hx-get="{progress}"' in page and 'hx-trigger="every 2s"' in page
    services.run_harvest(run_id=run.pk)
    block = client.get(progress).content.decode()
    assert "hx-get" not in block and "Soluzione creata" in block
    # Pressed again at once: refused for a minute, with a message.
    response = client.post(reverse("catalog:source-harvest", kwargs={"pk": source.pk}), follow=True)
    assert "riprova tra un minuto" in response.content.decode()
    assert HarvestRun.objects.count() == 1


def test_pause_resume_and_remove_through_the_buttons(client, publisher_pesaro, pesaro):
    source = Source.objects.create(url=REPO, body=pesaro)
    _logged(client, publisher_pesaro)

    client.post(reverse("catalog:source-pause", kwargs={"pk": source.pk}))
    assert Source.objects.get().status == "paused"
    client.post(reverse("catalog:source-resume", kwargs={"pk": source.pk}))
    assert Source.objects.get().status == "active"
    response = client.post(reverse("catalog:source-remove", kwargs={"pk": source.pk}))
    assert response["Location"] == reverse("catalog:source-list")
    assert Source.objects.get().status == "removed"
    # A GET on a button's address (a reload, a login after an expired session) goes back to the page.
    response = client.get(reverse("catalog:source-pause", kwargs={"pk": source.pk}))
    assert response.status_code == 302 and response["Location"] == source.get_absolute_url()
    assert Source.objects.get().status == "removed"


def test_harvested_fields_are_read_only_in_the_solution_form_with_a_note(client, protocollo, pesaro, cst_admin,
                                                                         publisher_pesaro):
    harvest(Source.objects.create(url=protocollo.url, body=pesaro, registered_by=cst_admin))
    solution = Solution.objects.get()
    edit = reverse("catalog:solution-edit", kwargs={"slug": solution.slug})
    _logged(client, publisher_pesaro)

    page = client.get(edit).content.decode()

    assert "si modifica nel repository" in page
    form = client.get(edit).context["form"]
    assert form.fields["name"].disabled and form.fields["owner"].disabled and form.fields["categories"].disabled
    assert not form.fields["origin"].disabled  # not in publiccode.yml: still the publisher's
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(name="Nome cambiato a mano", origin="fiscat", features_it="\n".join(solution.features_it),
                contacts="Anna Verdi <anna.verdi@cstpu.example>", categories=["document-management"])
    data = {key: value for key, value in data.items() if value is not False}
    response = client.post(edit, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    solution.refresh_from_db()
    assert solution.name == "Protocollo Informatico" and solution.origin == "fiscat"
    assert solution.features_it == ["Registrazione di protocollo", "Fascicolazione"]


def test_a_solution_without_a_source_is_edited_as_before(client, publisher_pesaro):
    from tests.factories import SolutionFactory

    solution = SolutionFactory(owner=Body.objects.get(istat_code="041044"))
    _logged(client, publisher_pesaro)
    form = client.get(reverse("catalog:solution-edit", kwargs={"slug": solution.slug})).context["form"]
    assert not any(field.disabled for field in form.fields.values())


def test_the_source_page_and_its_log_read_in_english(client, protocollo, pesaro, cst_admin, english_catalogue):
    source = Source.objects.create(url=protocollo.url, body=pesaro, registered_by=cst_admin)
    harvest(source)
    protocollo.commit({"publiccode.yml": publiccode(developmentStatus="quasi pronto")})
    harvest(source)
    _logged(client, cst_admin)
    client.get("/lingua/en/", {"next": "/"})

    page = client.get(source.get_absolute_url()).content.decode()

    for text in ("Last harvest", "Invalid file: nothing changed", "Harvest now", "Last change to the catalogue",
                 "Solution “Protocollo Informatico” created from the publiccode.yml.", "New release 5.2."):
        assert text in page, text
    for text in ("Ultima raccolta", "File non valido", "Raccogli ora", "valore non ammesso"):
        assert text not in page, text
