"""Every (status, action, role) is allowed or refused exactly as the table below says, and
every allowed transition writes exactly one event with its actor and time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from catalog import notices
from catalog.adoptions import services
from catalog.adoptions.forms import GoLiveFieldsForm
from catalog.models import Adoption, AdoptionEvent
from catalog.workflow import ADOPTION_ACTIONS, Action, AdoptionStatus
from cstportal import errors

# The adoption workflow's rules are written out once for the tests, independently of catalog.workflow.
from .test_permission_matrix import SOURCES, WHO

TARGET = {
    "approve": "approved", "reject": "rejected", "ask_info": "info_needed", "answer": "requested",
    "start": "in_progress", "go_live": "in_production", "retire": "retired", "withdraw": "withdrawn",
}
# The dates each action sets to the moment it is taken (status_changed_at besides, always).
STAMPS = {
    "approve": {"decided_at"}, "reject": {"decided_at", "closed_at"}, "ask_info": set(), "answer": set(),
    "start": {"started_at"}, "go_live": {"in_production_at"}, "retire": {"closed_at"}, "withdraw": {"closed_at"},
}
STEP_DATES = ("decided_at", "started_at", "in_production_at", "closed_at")
# role -> persona fixture (None: an anonymous visitor)
ROLES = {
    "anonymous": None,
    "nobody": "outsider",
    "adopter_referent": "referent_fano",
    "adopter_member": "member_fano",
    "owner_publisher": "publisher_pesaro",
    "owner_member": "member_pesaro",
    "cst": "cst_admin",
    "analyst": "analyst",
    "other_body_referent": "referent_urbino",
}
# A week ago: after the request of the adoptions placed by `adoption_in` (two months ago), before today.
GO_LIVE_DAY = dt.date.today() - dt.timedelta(days=7)
GO_LIVE = {
    "adopted_version": "3.2.0", "go_live_date": GO_LIVE_DAY, "environment": "production",
    "estimated_cost": Decimal("48000"), "actual_cost": Decimal("6500.50"), "effort_days": Decimal("22.5"),
    "agreement_reference": "Accordo n. 12/2026",
}


def test_the_written_table_matches_the_code():
    assert {str(a) for a in ADOPTION_ACTIONS} == set(SOURCES)


def _cases():
    """For each action: allowed (a source status, an allowed role), refused for the role, refused for the status.
    Every (status, action, role) is walked without a database in test_permission_matrix.py."""
    for action in SOURCES:
        status = sorted(SOURCES[action])[0]
        allowed_role = sorted(WHO[action])[0]
        wrong_role = next(r for r in ("other_body_referent", "owner_member", "adopter_member") if r not in WHO[action])
        wrong_status = next(s for s in AdoptionStatus.values if s not in SOURCES[action])
        yield pytest.param(status, action, allowed_role, "allowed", id=f"{action}-allowed")
        yield pytest.param(status, action, wrong_role, "role", id=f"{action}-refused-for-{wrong_role}")
        yield pytest.param(wrong_status, action, allowed_role, "status", id=f"{action}-refused-from-{wrong_status}")


@pytest.mark.parametrize(("status", "action", "role", "outcome"), list(_cases()))
def test_the_service_follows_the_table(request, adoption_in, member_pesaro, status, action, role, outcome):
    fixture = ROLES[role]
    person = request.getfixturevalue(fixture) if fixture else AnonymousUser()
    adoption = adoption_in(status)
    events_before = AdoptionEvent.objects.filter(adoption=adoption).count()
    fields = GO_LIVE if action == "go_live" else {}

    if outcome == "allowed":
        before = timezone.now()
        result = services.transition_adoption(adoption, action=action, by=person, note="Motivo scritto.", **fields)
        adoption.refresh_from_db()
        assert result.status == adoption.status == TARGET[action]
        assert adoption.status_changed_at >= before
        events = list(AdoptionEvent.objects.filter(adoption=adoption).order_by("sequence"))
        assert len(events) == events_before + 1
        last = events[-1]
        assert (last.sequence, last.action, last.from_status, last.to_status) == (
            events_before + 1, action, status, TARGET[action]
        )
        assert last.actor == person and last.created_at >= before and last.note == "Motivo scritto."
        return
    refusal = errors.StatusConflict if outcome == "status" else errors.NotAllowed
    with pytest.raises(refusal) as refused:
        services.transition_adoption(adoption, action=action, by=person, note="Motivo scritto.", **fields)
    # A clear message naming the action the person tried; a refusal for the status is a conflict with the state.
    assert f"«{Action(action).label}»" in refused.value.message
    assert type(adoption).objects.get(pk=adoption.pk).status == status
    assert AdoptionEvent.objects.filter(adoption=adoption).count() == events_before


@pytest.mark.parametrize("action", list(SOURCES))
def test_each_action_stamps_the_dates_the_table_names(request, adoption_in, member_pesaro, action):
    adoption = adoption_in(sorted(SOURCES[action])[0])
    person = request.getfixturevalue(ROLES[sorted(WHO[action])[0]])
    dates_before = {name: getattr(adoption, name) for name in STEP_DATES}
    before = timezone.now()
    services.transition_adoption(adoption, action=action, by=person, note="Motivo scritto.",
                                 **(GO_LIVE if action == "go_live" else {}))
    adoption.refresh_from_db()
    stamped = {name for name in STEP_DATES if getattr(adoption, name) != dates_before[name]}
    assert stamped == STAMPS[action]
    assert all(getattr(adoption, name) >= before for name in stamped)


@pytest.mark.parametrize("action", ["reject", "ask_info", "answer"])
def test_actions_the_table_marks_need_a_note(adoption_in, publisher_pesaro, referent_fano, action):
    adoption = adoption_in("info_needed" if action == "answer" else "requested")
    person = referent_fano if action == "answer" else publisher_pesaro
    events_before = AdoptionEvent.objects.filter(adoption=adoption).count()
    with pytest.raises(services.InvalidData) as refused:
        services.transition_adoption(adoption, action=action, by=person, note="   ")
    assert "nota" in refused.value.message and "note" in refused.value.errors
    assert AdoptionEvent.objects.filter(adoption=adoption).count() == events_before


def test_the_go_live_form_needs_version_and_date_and_refuses_negative_figures():
    form = GoLiveFieldsForm(data={"adopted_version": "", "go_live_date": "", "actual_cost": "-1", "effort_days": "x"})
    assert not form.is_valid()
    assert set(form.errors) == {"adopted_version", "go_live_date", "actual_cost", "effort_days"}


@pytest.mark.parametrize(("name", "value", "limit"), [
    ("adopted_version", "1" * 51, "max_length"),
    ("agreement_reference", "x" * 201, "max_length"),
    ("estimated_cost", "10000000000", "max_digits"),
    ("estimated_cost", "1,125", "decimal_places"),
    ("effort_days", "1,25", "decimal_places"),
    ("effort_days", "-0,5", "min_value"),
    ("environment", "cloud", "invalid_choice"),
])
def test_the_go_live_form_keeps_the_limits_of_the_model(name, value, limit):
    """Lengths, digits, places, the minimum and the choices come from the Adoption fields, not retyped."""
    column = Adoption._meta.get_field(name)
    field = GoLiveFieldsForm.base_fields[name]
    if limit in ("max_length", "max_digits", "decimal_places"):
        assert getattr(field, limit) == getattr(column, limit)
    data = {"adopted_version": "3.2.0", "go_live_date": GO_LIVE_DAY.isoformat(), name: value}
    assert list(GoLiveFieldsForm(data=data).errors) == [name]


def test_the_service_refuses_a_go_live_without_the_cleaned_figures(adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    with pytest.raises(services.InvalidData):
        services.transition_adoption(adoption, action="go_live", by=referent_fano, adopted_version="3.2.0",
                                     go_live_date="yesterday")
    adoption.refresh_from_db()
    assert adoption.status == "in_progress"


def test_go_live_records_version_date_and_figures(adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    services.transition_adoption(adoption, action=Action.GO_LIVE, by=referent_fano, **GO_LIVE)
    adoption.refresh_from_db()
    assert adoption.status == "in_production" and adoption.in_production_at is not None
    assert (adoption.adopted_version, adoption.go_live_date) == ("3.2.0", GO_LIVE_DAY)
    assert adoption.savings == Decimal("41499.50") and adoption.effort_days == Decimal("22.5")
    assert adoption.agreement_reference == "Accordo n. 12/2026"


def test_other_actions_take_no_figures(adoption_in, publisher_pesaro):
    adoption = adoption_in("requested")
    with pytest.raises(services.InvalidData):
        services.transition_adoption(adoption, action="approve", by=publisher_pesaro, actual_cost="10")


def test_request_cannot_go_through_transition(adoption_in, referent_fano):
    with pytest.raises(services.UnknownAction):
        services.transition_adoption(adoption_in("requested"), action="request", by=referent_fano)


def test_a_stale_copy_is_told_it_was_already_changed(adoption_in, publisher_pesaro, cst_admin):
    adoption = adoption_in("requested")
    stale = type(adoption).objects.get(pk=adoption.pk)
    services.transition_adoption(adoption, action=Action.APPROVE, by=publisher_pesaro)
    with pytest.raises(errors.AlreadyChanged) as refused:
        services.transition_adoption(stale, action=Action.REJECT, by=cst_admin, note="No.")
    assert refused.value.message == "La richiesta è già stata modificata da un'altra persona: ricarica la pagina."
    assert list(AdoptionEvent.objects.filter(adoption=adoption).values_list("action", flat=True)) == [
        "request", "approve"
    ]


def test_the_whole_path_writes_one_event_per_step_with_actor_and_time(
    solution, fano, referent_fano, publisher_pesaro, cst_admin
):
    adoption = services.request_adoption(solution=solution, body=fano, by=referent_fano, note="Ci serve.")
    services.transition_adoption(adoption, action=Action.ASK_INFO, by=publisher_pesaro,
                                 note="Quale versione di PostgreSQL usate?")
    services.transition_adoption(adoption, action=Action.ANSWER, by=referent_fano, note="La 16.")
    services.transition_adoption(adoption, action=Action.APPROVE, by=cst_admin)
    services.transition_adoption(adoption, action=Action.START, by=referent_fano)
    services.transition_adoption(adoption, action=Action.GO_LIVE, by=referent_fano, adopted_version="3.2.0",
                                 go_live_date=timezone.localdate())
    services.comment_on_adoption(adoption, by=publisher_pesaro, note="Ottimo lavoro.")
    services.transition_adoption(adoption, action=Action.RETIRE, by=referent_fano,
                                 note="Sostituita dal nuovo gestionale.")

    events = list(AdoptionEvent.objects.filter(adoption=adoption).order_by("sequence"))
    assert [(e.sequence, e.action, e.to_status) for e in events] == [
        (1, "request", "requested"), (2, "ask_info", "info_needed"), (3, "answer", "requested"),
        (4, "approve", "approved"), (5, "start", "in_progress"), (6, "go_live", "in_production"),
        (7, "comment", ""), (8, "retire", "retired"),
    ]
    assert [e.actor for e in events] == [referent_fano, publisher_pesaro, referent_fano, cst_admin, referent_fano,
                                         referent_fano, publisher_pesaro, referent_fano]
    assert all(e.created_at is not None for e in events)
    adoption.refresh_from_db()
    assert adoption.decided_at and adoption.started_at and adoption.in_production_at and adoption.closed_at


def test_each_transition_and_comment_calls_its_notification_hook(
    monkeypatch, solution, fano, referent_fano, publisher_pesaro
):
    calls = []
    monkeypatch.setattr(notices, "adoption_transitioned", lambda a, e: calls.append(("transitioned", e.action)))
    monkeypatch.setattr(notices, "adoption_commented", lambda a, e: calls.append(("commented", e.action)))
    adoption = services.request_adoption(solution=solution, body=fano, by=referent_fano)
    services.transition_adoption(adoption, action=Action.APPROVE, by=publisher_pesaro)
    services.comment_on_adoption(adoption, by=referent_fano, note="Grazie!")
    assert calls == [("transitioned", "request"), ("transitioned", "approve"), ("commented", "comment")]


def test_a_failing_notification_hook_rolls_the_transition_back(monkeypatch, adoption_in, publisher_pesaro):
    adoption = adoption_in("requested")

    def broken(adoption, event):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(notices, "adoption_transitioned", broken)
    with pytest.raises(RuntimeError):
        services.transition_adoption(adoption, action=Action.APPROVE, by=publisher_pesaro)
    adoption.refresh_from_db()
    assert adoption.status == "requested"
    assert AdoptionEvent.objects.filter(adoption=adoption).count() == 1


def test_comments_are_for_the_two_bodies_and_cst_not_analysts(adoption_in, analyst, referent_urbino, member_fano):
    adoption = adoption_in("approved")
    for person in (analyst, referent_urbino):
        with pytest.raises(services.NotAllowed):
            services.comment_on_adoption(adoption, by=person, note="Posso dire una cosa?")
    with pytest.raises(services.InvalidData):
        services.comment_on_adoption(adoption, by=member_fano, note="  ")
    event = services.comment_on_adoption(adoption, by=member_fano, note="Il server è pronto.")
    assert (event.sequence, event.is_comment, event.actor) == (3, True, member_fano)
    adoption.refresh_from_db()
    assert adoption.status == "approved"


def test_reuse_story_only_in_production_and_by_the_adopter(adoption_in, referent_fano, publisher_pesaro):
    running = adoption_in("in_production")
    with pytest.raises(services.NotAllowed):
        services.save_reuse_story(running, by=publisher_pesaro, outcome="Bene.")
    with pytest.raises(services.NotAllowed):
        services.save_reuse_story(adoption_in("retired"), by=referent_fano, outcome="Bene.")
    story = services.save_reuse_story(running, by=referent_fano, outcome="Avviata in tre settimane.",
                                      lessons="Migrare i dati prima.", savings_note="Circa 40.000 euro.")
    again = services.save_reuse_story(running, by=referent_fano, outcome="Avviata in tre settimane, senza fermi.")
    assert again.pk == story.pk and again.outcome.endswith("senza fermi.") and again.is_published
