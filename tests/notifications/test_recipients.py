"""Who is told what: each workflow and publication step, through the real services, writes one in-app
notification and one e-mail outbox row for exactly the people the design names — never for the actor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.adoptions import services as workflow
from catalog.solutions import services as publication
from cstportal.notifications.models import Delivery, Notification
from municipalities.models import Membership
from tests.factories import SolutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def told(kind: str | None = None) -> set[str]:
    qs = Notification.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return set(qs.values_list("recipient__email", flat=True))


@pytest.fixture
def solution(pesaro):
    return SolutionFactory(owner=pesaro, name="Tributi")


@pytest.fixture
def requested(solution, fano, referent_fano, publisher_pesaro, cst_admin):
    adoption = workflow.request_adoption(solution=solution, body=fano, by=referent_fano, note="Ci serve")
    return adoption


def test_request_tells_the_owners_publishers_and_cst_but_not_the_requester(requested, publisher_pesaro, cst_admin):
    assert told("adoption.requested") == {publisher_pesaro.email, cst_admin.email}
    notification = Notification.objects.get(recipient=publisher_pesaro)
    assert notification.text == "Fano chiede di adottare la soluzione «Tributi»"
    assert notification.note == "Ci serve"
    assert Delivery.objects.filter(notification__kind="adoption.requested", channel="email").count() == 2


def test_request_made_by_cst_is_not_notified_to_the_same_cst_person(solution, fano, cst_admin, publisher_pesaro):
    workflow.request_adoption(solution=solution, body=fano, by=cst_admin)
    assert told() == {publisher_pesaro.email}


@pytest.mark.parametrize(
    ("action", "kind"),
    [("approve", "adoption.approved"), ("reject", "adoption.rejected"), ("ask_info", "adoption.info_needed")],
)
def test_review_decisions_tell_the_adopters_referents_only(
    requested, action, kind, publisher_pesaro, referent_fano, member_fano, cst_admin
):
    Notification.objects.all().delete()
    workflow.transition_adoption(requested, action=action, by=publisher_pesaro, note="Motivo")
    assert told(kind) == {referent_fano.email}
    assert told() == {referent_fano.email}  # not the member, not CST, not the publisher who acted


def test_answer_tells_the_owners_publishers(requested, publisher_pesaro, referent_fano):
    workflow.transition_adoption(requested, action="ask_info", by=publisher_pesaro, note="Quale versione?")
    Notification.objects.all().delete()
    workflow.transition_adoption(requested, action="answer", by=referent_fano, note="La 2.0")
    assert told("adoption.answered") == {publisher_pesaro.email}
    assert told() == {publisher_pesaro.email}


def test_go_live_tells_the_owner_your_solution_and_cst(requested, publisher_pesaro, referent_fano, cst_admin):
    workflow.transition_adoption(requested, action="approve", by=publisher_pesaro)
    workflow.transition_adoption(requested, action="start", by=referent_fano)
    Notification.objects.all().delete()
    workflow.transition_adoption(
        requested, action="go_live", by=referent_fano, adopted_version="2.0", go_live_date=timezone.localdate()
    )
    assert told("adoption.live.owner") == {publisher_pesaro.email}
    assert told("adoption.live.cst") == {cst_admin.email}
    text = Notification.objects.get(recipient=publisher_pesaro).text
    assert text == "Fano ora usa la tua soluzione «Tributi»"
    # One event, one key: each person is told once.
    assert Notification.objects.values("event_key").distinct().count() == 1


def test_a_cst_person_who_is_also_publisher_gets_one_go_live_notice(requested, publisher_pesaro, referent_fano, pesaro):
    both = UserFactory(email="doppio@cstpu.test", global_role="cst_admin")
    Membership.objects.create(user=both, body=pesaro, role="publisher")
    workflow.transition_adoption(requested, action="approve", by=publisher_pesaro)
    workflow.transition_adoption(requested, action="start", by=referent_fano)
    Notification.objects.all().delete()
    workflow.transition_adoption(
        requested, action="go_live", by=referent_fano, adopted_version="2.0", go_live_date=timezone.localdate()
    )
    assert Notification.objects.filter(recipient=both).count() == 1
    assert Notification.objects.get(recipient=both).kind == "adoption.live.owner"


@pytest.mark.parametrize("action", ["start", "withdraw"])
def test_steps_of_the_adopter_alone_tell_nobody(requested, action, publisher_pesaro, referent_fano):
    workflow.transition_adoption(requested, action="approve", by=publisher_pesaro)
    Notification.objects.all().delete()
    workflow.transition_adoption(requested, action=action, by=referent_fano)
    assert told() == set()


def test_comment_by_the_adopter_tells_the_owner_and_vice_versa(requested, publisher_pesaro, referent_fano):
    Notification.objects.all().delete()
    workflow.comment_on_adoption(requested, by=referent_fano, note="Una domanda")
    assert told("adoption.commented") == {publisher_pesaro.email}
    Notification.objects.all().delete()
    workflow.comment_on_adoption(requested, by=publisher_pesaro, note="Una risposta")
    assert told("adoption.commented") == {referent_fano.email}


def test_comment_by_cst_tells_both_parties(requested, publisher_pesaro, referent_fano, cst_admin):
    Notification.objects.all().delete()
    workflow.comment_on_adoption(requested, by=cst_admin, note="Nota del CST")
    assert told() == {publisher_pesaro.email, referent_fano.email}


def test_new_release_tells_bodies_in_progress_or_in_production_only(
    solution,
    pesaro,
    fano,
    urbino,
    frontino,
    referent_fano,
    referent_urbino,
    referent_frontino,
    publisher_pesaro,
    cst_admin,
):
    in_production = workflow.request_adoption(solution=solution, body=fano, by=referent_fano)
    in_progress = workflow.request_adoption(solution=solution, body=urbino, by=referent_urbino)
    workflow.request_adoption(solution=solution, body=frontino, by=referent_frontino)  # only requested
    for adoption, referent in ((in_production, referent_fano), (in_progress, referent_urbino)):
        workflow.transition_adoption(adoption, action="approve", by=publisher_pesaro)
        workflow.transition_adoption(adoption, action="start", by=referent)
    workflow.transition_adoption(
        in_production, action="go_live", by=referent_fano, adopted_version="1.0", go_live_date=timezone.localdate()
    )
    Notification.objects.all().delete()
    publication.add_release(solution, by=publisher_pesaro, version="3.0", date=dt.date(2026, 2, 1))
    assert told("release.added") == {referent_fano.email, referent_urbino.email}
    assert Notification.objects.filter(kind="release.added").first().text == (
        "È disponibile la versione 3.0 di «Tributi»"
    )


def test_publication_review_steps(pesaro, publisher_pesaro, cst_admin):
    draft = publication.create_solution(
        by=publisher_pesaro,
        owner=pesaro,
        name="Protocollo",
        short_description_it="Protocollo informatico",
        long_description_it="Descrizione",
        licence="EUPL-1.2",
    )
    assert told() == set()
    publication.submit_solution(draft, by=publisher_pesaro)
    assert told("solution.submitted") == {cst_admin.email}
    publication.request_changes(draft, by=cst_admin, reason="Manca la licenza")
    assert told("solution.changes_requested") == {publisher_pesaro.email}
    assert Notification.objects.get(kind="solution.changes_requested").note == "Manca la licenza"
    publication.submit_solution(draft, by=publisher_pesaro)
    publication.publish_solution(draft, by=cst_admin)
    assert told("solution.published") == {publisher_pesaro.email}


def test_retiring_a_solution_tells_the_bodies_that_use_it(requested, solution, publisher_pesaro, referent_fano):
    Notification.objects.all().delete()
    publication.retire_solution(solution, by=publisher_pesaro, reason="Sostituita da una nuova versione")
    assert told("solution.retired") == {referent_fano.email}


def test_inactive_people_and_people_of_ceased_bodies_are_not_told(solution, fano, referent_fano, publisher_pesaro):
    publisher_pesaro.is_active = False
    publisher_pesaro.save()
    workflow.request_adoption(solution=solution, body=fano, by=referent_fano)
    assert told() == set()
