"""manage.py harvest: the given sources at once (registering a new address for the body its file names), or every
due source when given none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import HarvestRun, Solution, Source

from .conftest import LOGO, publiccode
from .gitrepos import SourceRepo

pytestmark = pytest.mark.django_db


def test_a_new_address_is_registered_for_the_body_its_file_names_and_harvested(protocollo, pesaro, capsys):
    call_command("harvest", protocollo.url)

    source = Source.objects.get()
    assert (source.body, source.registered_by, source.solution) == (pesaro, None, Solution.objects.get())
    assert Solution.objects.get().status == "published"
    out = capsys.readouterr().out
    assert "Soluzione creata" in out and "Nuovo rilascio 5.2." in out


def test_an_external_owner_named_by_the_file_is_recorded(harvest_dirs):
    repo = SourceRepo(harvest_dirs / "sources", "bari")
    repo.commit({"publiccode.yml": publiccode(organisation={"name": "Comune di Bari",
                                                            "uri": "urn:x-italian-pa:c_a662"}),
                 "img/logo.png": LOGO})

    call_command("harvest", repo.url)

    source = Source.objects.get()
    assert source.body.ipa_code == "c_a662" and not source.body.is_member
    assert Solution.objects.get().owner == source.body


def test_a_registered_source_is_harvested_again_not_registered_twice(protocollo, pesaro, cst_admin):
    Source.objects.create(url=protocollo.url, body=pesaro, registered_by=cst_admin)

    call_command("harvest", protocollo.url)
    call_command("harvest", str(protocollo.bare))  # the same repository by its path

    assert Source.objects.count() == 1
    assert list(HarvestRun.objects.order_by("pk").values_list("outcome", flat=True)) == ["created", "unchanged"]


def test_without_addresses_every_due_source_is_harvested(protocollo, harvest_dirs, pesaro, cst_admin):
    other = SourceRepo(harvest_dirs / "sources", "altro")
    other.commit({"publiccode.yml": publiccode(name="Albo pretorio", url="https://code.cstpu.example/albo.git"),
                  "img/logo.png": LOGO})
    due = Source.objects.create(url=protocollo.url, body=pesaro, registered_by=cst_admin)
    later = Source.objects.create(url=other.url, body=pesaro, registered_by=cst_admin,
                                  next_harvest_at=timezone.now() + dt.timedelta(hours=1))

    call_command("harvest")

    assert due.runs.get().outcome == "created" and not later.runs.exists()
    assert list(Solution.objects.values_list("name", flat=True)) == ["Protocollo Informatico"]


def test_a_failed_harvest_exits_with_an_error(protocollo, pesaro, cst_admin, capsys):
    protocollo.commit({"publiccode.yml": publiccode(developmentStatus="quasi pronto")})

    with pytest.raises(CommandError):
        call_command("harvest", protocollo.url)

    assert "developmentStatus" in capsys.readouterr().err
    assert not Solution.objects.exists()


def test_an_address_the_portal_does_not_read_is_refused(settings):
    with pytest.raises(CommandError, match="ftp://"):
        call_command("harvest", "ftp://code.cstpu.example/x.git")
    assert not Source.objects.exists()
