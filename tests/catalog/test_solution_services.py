"""The publication workflow of solutions and the other services that write them."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from catalog.models import PublicationEvent, Release, Solution
from catalog.solutions import services
from cstportal import errors
from tests.factories import ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db

Status = Solution.Status


def _new_draft(publisher, owner, **extra):
    fields = {
        "name": "Gestione dei tributi minori",
        "short_description_it": "Canone unico e imposte minori.",
        "long_description_it": "Descrizione estesa.",
        "licence": "EUPL-1.2",
        **extra,
    }
    return services.create_solution(by=publisher, owner=owner, **fields)


# --- creating and editing -------------------------------------------------------------------------------------


def test_publisher_creates_a_draft_with_its_first_event(publisher_pesaro, pesaro):
    solution = _new_draft(publisher_pesaro, pesaro, categories=["taxes-management"], tags=["tributi", "Canone"])
    assert solution.status == Status.DRAFT
    assert solution.slug == "gestione-dei-tributi-minori"
    assert solution.created_by == publisher_pesaro
    assert [c.code for c in solution.categories.all()] == ["taxes-management"]
    assert sorted(t.name for t in solution.tags.all()) == ["Canone", "tributi"]
    event = solution.publication_events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", Status.DRAFT, publisher_pesaro)


def test_second_solution_with_the_same_name_gets_a_distinct_slug(publisher_pesaro, pesaro):
    first = _new_draft(publisher_pesaro, pesaro)
    second = _new_draft(publisher_pesaro, pesaro)
    assert first.slug != second.slug


def test_publisher_cannot_create_for_another_body(publisher_pesaro, fano):
    with pytest.raises(errors.NotAllowed):
        _new_draft(publisher_pesaro, fano)


def test_referent_cannot_create_solutions(referent_fano, fano):
    with pytest.raises(errors.NotAllowed):
        _new_draft(referent_fano, fano)


def test_unknown_category_is_refused(publisher_pesaro, pesaro):
    with pytest.raises(errors.ServiceError):
        _new_draft(publisher_pesaro, pesaro, categories=["not-a-category"])
    assert not Solution.objects.exists()


def test_services_refuse_fields_they_do_not_own(publisher_pesaro, pesaro):
    with pytest.raises(TypeError):
        _new_draft(publisher_pesaro, pesaro, status=Status.PUBLISHED)


def test_update_changes_fields_but_never_the_status(publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro, status=Status.IN_REVIEW)
    stale = Solution.objects.get(pk=solution.pk)
    Solution.objects.filter(pk=solution.pk).update(status=Status.PUBLISHED)  # CST published meanwhile
    services.update_solution(stale, by=publisher_pesaro, name="Nuovo nome", tags=["catasto"])
    solution.refresh_from_db()
    assert solution.name == "Nuovo nome"
    assert solution.status == Status.PUBLISHED
    assert [t.slug for t in solution.tags.all()] == ["catasto"]


def test_publisher_of_another_body_cannot_update(publisher_pesaro, fano):
    solution = SolutionFactory(owner=fano)
    with pytest.raises(errors.NotAllowed):
        services.update_solution(solution, by=publisher_pesaro, name="X")


# --- releases -------------------------------------------------------------------------------------------------


def test_add_release_updates_the_latest_release_date_and_notifies(publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro)
    ReleaseFactory(solution=solution, version="1.0.0", date=dt.date(2025, 1, 1))
    with mock.patch("catalog.notices.release_added") as notice:
        release = services.add_release(solution, by=publisher_pesaro, version="1.1.0", date=dt.date(2025, 6, 1))
    notice.assert_called_once_with(release)
    solution.refresh_from_db()
    assert solution.latest_release_date == dt.date(2025, 6, 1)
    # An older release registered late does not move the date back.
    services.add_release(solution, by=publisher_pesaro, version="0.9.0", date=dt.date(2024, 1, 1))
    solution.refresh_from_db()
    assert solution.latest_release_date == dt.date(2025, 6, 1)
    assert solution.releases.first().version == "1.1.0"  # the newest is the current one


def test_same_version_twice_is_refused(publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro)
    services.add_release(solution, by=publisher_pesaro, version="2.0", date=dt.date(2025, 1, 1))
    with pytest.raises(services.ReleaseExists):
        services.add_release(solution, by=publisher_pesaro, version="2.0", date=dt.date(2025, 2, 1))
    assert Release.objects.filter(solution=solution).count() == 1


def test_referent_cannot_add_releases(referent_fano, pesaro):
    with pytest.raises(errors.NotAllowed):
        services.add_release(SolutionFactory(owner=pesaro), by=referent_fano, version="1", date=dt.date(2025, 1, 1))


# --- publication ----------------------------------------------------------------------------------------------


def test_the_whole_path_records_who_when_and_why(publisher_pesaro, cst_admin, pesaro):
    solution = _new_draft(publisher_pesaro, pesaro)
    with mock.patch("catalog.notices.solution_status_changed") as notice:
        services.submit_solution(solution, by=publisher_pesaro, note="Pronta")
        services.request_changes(solution, by=cst_admin, reason="Manca la licenza delle icone.")
        services.submit_solution(solution, by=publisher_pesaro)
        services.publish_solution(solution, by=cst_admin)
        services.retire_solution(solution, by=publisher_pesaro, reason="Sostituita da un servizio regionale.")
    assert notice.call_count == 5
    solution.refresh_from_db()
    assert solution.status == Status.RETIRED
    assert solution.published_at is not None
    assert solution.status_reason == "Sostituita da un servizio regionale."
    rows = list(PublicationEvent.objects.filter(solution=solution).values_list("from_status", "to_status", "actor",
                                                                              "reason"))
    assert rows == [
        ("", "draft", publisher_pesaro.pk, ""),
        ("draft", "in_review", publisher_pesaro.pk, "Pronta"),
        ("in_review", "draft", cst_admin.pk, "Manca la licenza delle icone."),
        ("draft", "in_review", publisher_pesaro.pk, ""),
        ("in_review", "published", cst_admin.pk, ""),
        ("published", "retired", publisher_pesaro.pk, "Sostituita da un servizio regionale."),
    ]
    assert all(e.created_at for e in PublicationEvent.objects.filter(solution=solution))


def test_notice_receives_the_solution_and_its_event(publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro, status=Status.DRAFT)
    with mock.patch("catalog.notices.solution_status_changed") as notice:
        event = services.submit_solution(solution, by=publisher_pesaro)
    notice.assert_called_once_with(solution, event)


def test_second_publication_is_refused(cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status=Status.IN_REVIEW)
    services.publish_solution(solution, by=cst_admin)
    with pytest.raises(errors.StatusConflict):
        services.publish_solution(solution, by=cst_admin)
    assert PublicationEvent.objects.filter(solution=solution, to_status=Status.PUBLISHED).count() == 1


def test_concurrent_publication_is_already_changed(cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status=Status.IN_REVIEW)
    first, second = Solution.objects.get(pk=solution.pk), Solution.objects.get(pk=solution.pk)
    services.publish_solution(first, by=cst_admin)
    with pytest.raises(errors.AlreadyChanged):
        services.publish_solution(second, by=cst_admin)  # read before the first publication
    assert PublicationEvent.objects.filter(solution=solution).count() == 1


def test_request_changes_needs_a_reason(cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status=Status.IN_REVIEW)
    with pytest.raises(errors.Invalid):
        services.request_changes(solution, by=cst_admin, reason="   ")
    solution.refresh_from_db()
    assert solution.status == Status.IN_REVIEW
    assert not PublicationEvent.objects.exists()


def test_retire_needs_a_reason(cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status=Status.PUBLISHED)
    with pytest.raises(errors.Invalid):
        services.retire_solution(solution, by=cst_admin, reason="")


PUBLICATION_CASES = [
    # (action, from status, persona, allowed)
    ("submit", "draft", "publisher_pesaro", True),
    ("submit", "draft", "cst_admin", True),
    ("submit", "draft", "publisher_fano", False),
    ("submit", "draft", "referent_fano", False),
    ("submit", "draft", "analyst", False),
    ("submit", "in_review", "publisher_pesaro", False),
    ("submit", "published", "publisher_pesaro", False),
    ("publish", "in_review", "cst_admin", True),
    ("publish", "in_review", "publisher_pesaro", False),
    ("publish", "in_review", "analyst", False),
    ("publish", "draft", "cst_admin", False),
    ("publish", "retired", "cst_admin", False),
    ("request_changes", "in_review", "cst_admin", True),
    ("request_changes", "in_review", "publisher_pesaro", False),
    ("request_changes", "published", "cst_admin", False),
    ("retire", "published", "publisher_pesaro", True),
    ("retire", "published", "cst_admin", True),
    ("retire", "published", "publisher_fano", False),
    ("retire", "published", "referent_fano", False),
    ("retire", "draft", "publisher_pesaro", False),
    ("retire", "retired", "cst_admin", False),
]


@pytest.fixture
def publisher_fano(db):
    from tests.conftest import _person

    return _person("redazione.fano@cstpu.test", roles=(("041013", "publisher"),))


@pytest.mark.parametrize("action,from_status,persona,allowed", PUBLICATION_CASES)
def test_who_may_move_a_solution(request, pesaro, action, from_status, persona, allowed):
    user = request.getfixturevalue(persona)
    solution = SolutionFactory(owner=pesaro, status=from_status)
    call = {
        "submit": lambda: services.submit_solution(solution, by=user),
        "publish": lambda: services.publish_solution(solution, by=user),
        "request_changes": lambda: services.request_changes(solution, by=user, reason="Da completare"),
        "retire": lambda: services.retire_solution(solution, by=user, reason="Non più mantenuta"),
    }[action]
    if allowed:
        call()
        assert PublicationEvent.objects.filter(solution=solution, actor=user).count() == 1
    else:
        with pytest.raises((errors.NotAllowed, errors.StatusConflict)):
            call()
        solution.refresh_from_db()
        assert solution.status == from_status
        assert not PublicationEvent.objects.filter(solution=solution).exists()
