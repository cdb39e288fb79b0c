"""Registering sources and the rules of who may: a publisher for its body, CST staff for any body (external ones
included) and for local paths; one source per address; the harvest now button, rate-limited per source."""

from __future__ import annotations

import pytest

from catalog.harvest import services
from catalog.harvest.services import HarvestRateLimited
from catalog.models import HarvestRun, Source
from cstportal.errors import Conflict, Invalid, NotAllowed, StatusConflict
from municipalities.models import Body

pytestmark = pytest.mark.django_db

REPO = "https://code.cstpu.example/pesaro/protocollo.git"


def test_a_publisher_registers_a_repository_of_its_body_and_its_first_harvest_is_queued(publisher_pesaro, pesaro):
    source = services.register_source(url=REPO + "/", by=publisher_pesaro, body=pesaro)

    assert (source.url, source.kind, source.body, source.status) == (REPO, "repository", pesaro, "active")
    assert source.runs.get().status == HarvestRun.Status.QUEUED


def test_a_publisher_may_not_register_for_another_body(publisher_pesaro, fano):
    with pytest.raises(NotAllowed):
        services.register_source(url=REPO, by=publisher_pesaro, body=fano)


def test_an_external_body_is_cst_staffs(publisher_pesaro, cst_admin):
    bari = Body.objects.create(name="Comune di Bari", slug="bari", kind=Body.Kind.ENTE, ipa_code="c_a662",
                               is_member=False)
    with pytest.raises(NotAllowed):
        services.register_source(url=REPO, by=publisher_pesaro, body=bari)
    assert services.register_source(url=REPO, by=cst_admin, body=bari).body == bari


def test_a_local_path_is_cst_staffs_and_only_under_the_allowed_folders(harvest_dirs, publisher_pesaro, cst_admin,
                                                                       pesaro):
    allowed = harvest_dirs / "sources" / "protocollo.git"
    with pytest.raises(Invalid) as refused:
        services.register_source(url=str(allowed), by=publisher_pesaro, body=pesaro)
    assert "url" in refused.value.errors
    with pytest.raises(Invalid):
        services.register_source(url=str(harvest_dirs / "altrove.git"), by=cst_admin, body=pesaro)

    source = services.register_source(url=f"file://{allowed}", by=cst_admin, body=pesaro)
    assert source.url == f"file://{allowed}"


@pytest.mark.parametrize("address", ["ftp://code.cstpu.example/x.git", "http://code.cstpu.example/x.git",
                                     "https://utente:segreto@code.cstpu.example/x.git", "https://10.0.0.1:99999/x"])
def test_addresses_the_portal_does_not_read_are_refused_at_the_url_field(address, cst_admin, pesaro):
    with pytest.raises(Invalid) as refused:
        services.register_source(url=address, by=cst_admin, body=pesaro)
    assert refused.value.errors["url"]


def test_a_publiccode_address_is_a_file_source():
    assert services.normalise_address("https://www.comune.example/riuso/publiccode.yml") == (
        "file", "https://www.comune.example/riuso/publiccode.yml")
    assert services.normalise_address("HTTPS://Code.Example/ente/app.git/")[0] == "repository"
    with pytest.raises(Invalid):
        services.normalise_address("https://user@www.comune.example/publiccode.yml")


def test_one_source_per_address_until_it_is_removed(publisher_pesaro, pesaro):
    source = services.register_source(url=REPO, by=publisher_pesaro, body=pesaro)
    with pytest.raises(Conflict):
        services.register_source(url=REPO, by=publisher_pesaro, body=pesaro)

    services.remove_source(source, by=publisher_pesaro)

    assert services.register_source(url=REPO, by=publisher_pesaro, body=pesaro).pk != source.pk


def test_harvest_now_is_rate_limited_per_source(publisher_pesaro, pesaro, settings):
    first = services.register_source(url=REPO, by=publisher_pesaro, body=pesaro)
    other = services.register_source(url=REPO + "-bis", by=publisher_pesaro, body=pesaro)
    HarvestRun.objects.update(status=HarvestRun.Status.DONE, due_at=None)

    run = services.request_harvest(first, by=publisher_pesaro)
    HarvestRun.objects.filter(pk=run.pk).update(status=HarvestRun.Status.DONE, due_at=None)
    with pytest.raises(HarvestRateLimited):
        services.request_harvest(first, by=publisher_pesaro)
    assert services.request_harvest(other, by=publisher_pesaro).source == other

    settings.HARVEST_NOW_MIN_SECONDS = 0
    assert services.request_harvest(first, by=publisher_pesaro).pk != run.pk


def test_only_the_bodys_publishers_and_cst_staff_manage_a_source(publisher_pesaro, referent_fano, analyst, pesaro):
    source = services.register_source(url=REPO, by=publisher_pesaro, body=pesaro)
    for person in (referent_fano, analyst):
        with pytest.raises(NotAllowed):
            services.pause_source(source, by=person)
        with pytest.raises(NotAllowed):
            services.remove_source(source, by=person)


def test_a_paused_source_is_not_harvested_now(publisher_pesaro, pesaro):
    source = services.register_source(url=REPO, by=publisher_pesaro, body=pesaro)
    services.pause_source(source, by=publisher_pesaro)

    with pytest.raises(StatusConflict):
        services.request_harvest(source, by=publisher_pesaro)
    with pytest.raises(StatusConflict):
        services.pause_source(source, by=publisher_pesaro)
    assert Source.objects.get().status == "paused"
