"""Working days in Italy: Monday to Friday, less the national public holidays.

Reminders and the dashboards' "waiting too long" figure count working days, so that a request is not "late" because
of Christmas or 25 April. The calendar comes from the maintained `holidays` package (Easter Monday moves every year).
Only national holidays count: the patron saints' days differ from one comune to the next, and an adoption involves
two bodies.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
from django.utils import timezone


@cache
def _italian_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("IT", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _italian_holidays(day.year)


def working_days_ago(days: int, *, now: dt.datetime | None = None) -> dt.datetime:
    """The moment `days` working days before `now`: a request older than this has waited too long."""
    moment = timezone.localtime(now or timezone.now())
    left = days
    while left > 0:
        moment -= dt.timedelta(days=1)
        if is_working_day(moment.date()):
            left -= 1
    return moment
