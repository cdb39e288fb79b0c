"""Requests waiting longer than ADOPTION_REMINDER_DAYS working days go back to the reviewers and CST, once per
threshold crossing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from catalog.adoptions import services as workflow
from catalog.notices import remind_waiting_adoptions, send_adoption_reminders
from cstportal.notifications.models import Delivery, Notification
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def at(day: int, hour: int = 8) -> dt.datetime:
    """A moment of March 2026 (Monday 2 March is a working day)."""
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=ROME)


def reminders() -> set[str]:
    return set(Notification.objects.filter(kind="adoption.reminder").values_list("recipient__email", flat=True))


@pytest.fixture(autouse=True)
def five_days(settings):
    settings.ADOPTION_REMINDER_DAYS = 5


@pytest.fixture
def solution(pesaro):
    return SolutionFactory(owner=pesaro, name="Tributi")


def request_on(moment, *, solution, body, by):
    with time_machine.travel(moment, tick=False):
        return workflow.request_adoption(solution=solution, body=body, by=by)


def test_a_request_waiting_more_than_five_working_days_reminds_reviewers_and_cst_once(
    solution, fano, referent_fano, publisher_pesaro, cst_admin
):
    adoption = request_on(at(2, 10), solution=solution, body=fano, by=referent_fano)  # Monday
    with time_machine.travel(at(9), tick=False):  # next Monday: 5 working days, not more
        assert remind_waiting_adoptions() == 0
    with time_machine.travel(at(10), tick=False):  # Tuesday: 6
        assert remind_waiting_adoptions() == 1
        assert remind_waiting_adoptions() == 0  # a second run the same day sends nothing
    with time_machine.travel(at(11), tick=False):
        assert send_adoption_reminders.apply().get() == 0  # nor the next day
    assert reminders() == {publisher_pesaro.email, cst_admin.email}
    assert Delivery.objects.filter(notification__kind="adoption.reminder").count() == 2
    adoption.refresh_from_db()
    assert adoption.reminded_at == at(10)
    text = Notification.objects.filter(kind="adoption.reminder").first().text
    assert text == "La richiesta di Fano per «Tributi» attende una risposta da più di 5 giorni lavorativi"


def test_weekends_do_not_count(solution, fano, referent_fano, publisher_pesaro):
    request_on(at(6, 10), solution=solution, body=fano, by=referent_fano)  # Friday
    with time_machine.travel(at(13), tick=False):  # next Friday: 5 working days
        assert remind_waiting_adoptions() == 0
    with time_machine.travel(at(16), tick=False):  # Monday: 6
        assert remind_waiting_adoptions() == 1


def test_a_request_that_comes_back_to_review_is_a_new_crossing(solution, fano, referent_fano, publisher_pesaro):
    adoption = request_on(at(2, 10), solution=solution, body=fano, by=referent_fano)
    with time_machine.travel(at(10), tick=False):
        assert remind_waiting_adoptions() == 1
    with time_machine.travel(at(11, 9), tick=False):
        workflow.transition_adoption(adoption, action="ask_info", by=publisher_pesaro, note="Quale versione?")
    with time_machine.travel(at(12, 9), tick=False):
        workflow.transition_adoption(adoption, action="answer", by=referent_fano, note="La 2.0")
    with time_machine.travel(at(19), tick=False):  # Thursday 12 → Thursday 19: 5
        assert remind_waiting_adoptions() == 0
    with time_machine.travel(at(20), tick=False):  # 6
        assert remind_waiting_adoptions() == 1
        assert remind_waiting_adoptions() == 0
    assert Notification.objects.filter(kind="adoption.reminder", recipient=publisher_pesaro).count() == 2


def test_decided_requests_are_not_reminded(solution, fano, referent_fano, publisher_pesaro):
    adoption = request_on(at(2, 10), solution=solution, body=fano, by=referent_fano)
    with time_machine.travel(at(3), tick=False):
        workflow.transition_adoption(adoption, action="approve", by=publisher_pesaro)
    with time_machine.travel(at(20), tick=False):
        assert remind_waiting_adoptions() == 0
    assert reminders() == set()


def test_the_threshold_is_configurable(settings, solution, fano, referent_fano, publisher_pesaro):
    settings.ADOPTION_REMINDER_DAYS = 2
    request_on(at(2, 10), solution=solution, body=fano, by=referent_fano)
    with time_machine.travel(at(5), tick=False):  # Thursday: 3 working days
        assert remind_waiting_adoptions() == 1


def test_public_holidays_do_not_count(solution, fano, referent_fano, publisher_pesaro):
    # Friday 18 December 2026; the 25th (Christmas, a Friday) is a public holiday, as is the 1st of January.
    request_on(dt.datetime(2026, 12, 18, 10, tzinfo=ROME), solution=solution, body=fano, by=referent_fano)
    with time_machine.travel(dt.datetime(2026, 12, 28, 8, tzinfo=ROME), tick=False):  # 21-24 and 28: five
        assert remind_waiting_adoptions() == 0
    with time_machine.travel(dt.datetime(2026, 12, 29, 8, tzinfo=ROME), tick=False):  # six
        assert remind_waiting_adoptions() == 1
