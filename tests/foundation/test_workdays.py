"""Working days are Monday to Friday less the Italian national holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cstportal.workdays import is_working_day, working_days_ago

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 1, 1), dt.date(2026, 1, 6), dt.date(2026, 4, 6),  # New Year, Epiphany, Easter Monday 2026
        dt.date(2026, 4, 25), dt.date(2026, 5, 1), dt.date(2026, 6, 2), dt.date(2026, 8, 15),
        dt.date(2026, 11, 1), dt.date(2026, 12, 8), dt.date(2026, 12, 25), dt.date(2026, 12, 26),
        dt.date(2027, 3, 29),  # Easter Monday moves: 2027's
    ],
)
def test_national_holidays_are_not_working_days(day):
    assert not is_working_day(day)


def test_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(dt.date(2026, 3, 2))  # a Monday
    assert not is_working_day(dt.date(2026, 3, 7))  # a Saturday
    assert not is_working_day(dt.date(2026, 3, 8))  # a Sunday


def test_patron_saints_days_are_working_days():
    # San Terenzio (Pesaro) and San Crescentino (Urbino) are holidays of one comune only.
    assert is_working_day(dt.date(2026, 9, 24))
    assert is_working_day(dt.date(2026, 6, 1))


def test_working_days_ago_skips_weekends():
    monday = dt.datetime(2026, 3, 2, 12, tzinfo=ROME)
    assert working_days_ago(5, now=monday) == dt.datetime(2026, 2, 23, 12, tzinfo=ROME)
    assert working_days_ago(1, now=monday) == dt.datetime(2026, 2, 27, 12, tzinfo=ROME)


def test_working_days_ago_skips_holidays():
    # Friday 1 May and Tuesday 2 June 2026 are national holidays.
    after_may_day = dt.datetime(2026, 5, 4, 9, tzinfo=ROME)  # Monday
    assert working_days_ago(1, now=after_may_day) == dt.datetime(2026, 4, 30, 9, tzinfo=ROME)
    after_republic_day = dt.datetime(2026, 6, 3, 9, tzinfo=ROME)  # Wednesday
    assert working_days_ago(1, now=after_republic_day) == dt.datetime(2026, 6, 1, 9, tzinfo=ROME)
