"""Day rules: which local dates a friendly recurrence opens a window on.

Every friendly form is one time of day on a set of dates, so each is a rule
that can find, from any date, the first matching date on or after it and the
last on or before it. Each rule jumps straight to its answer (a week, a month,
a period from the anchor) instead of testing dates one by one, so a search
costs the same whether the next match is tomorrow or a year away. A rule may
run out (a single date, or before an anchor) and then answers None.
"""

import calendar
from datetime import date, timedelta
from typing import Protocol

ONE_DAY = timedelta(days=1)
MONTH_LENGTHS = (28, 29, 30, 31)


class DayRule(Protocol):
    """The dates a recurrence opens on, searchable both ways."""

    def first_on_or_after(self, day: date) -> date | None: ...

    def last_on_or_before(self, day: date) -> date | None: ...


class Weekdays:
    """Chosen days of the week (Monday is 0); daily is all seven."""

    def __init__(self, days: frozenset[int]) -> None:
        if not days:
            raise ValueError("a weekly rule needs at least one day")
        self.days = days

    def first_on_or_after(self, day: date) -> date:
        while day.weekday() not in self.days:
            day += ONE_DAY
        return day

    def last_on_or_before(self, day: date) -> date:
        while day.weekday() not in self.days:
            day -= ONE_DAY
        return day


class MonthDays:
    """Chosen days of the month; "last" is the month's last day, and a day a month lacks is
    skipped in that month (31 in April). A date named twice (31 and "last") is one date."""

    def __init__(self, days: frozenset[int], last: bool) -> None:
        if not days and not last:
            raise ValueError("a monthly rule needs at least one day")
        # Which days match depends only on the month's length: four lists cover every month.
        self.by_length = {
            length: sorted({day for day in days if day <= length} | ({length} if last else set()))
            for length in MONTH_LENGTHS
        }

    def first_on_or_after(self, day: date) -> date:
        year, month, least = day.year, day.month, day.day
        while True:
            for candidate in self._in_month(year, month):
                if candidate >= least:
                    return date(year, month, candidate)
            year, month, least = (year + 1, 1, 1) if month == 12 else (year, month + 1, 1)

    def last_on_or_before(self, day: date) -> date:
        year, month, most = day.year, day.month, day.day
        while True:
            for candidate in reversed(self._in_month(year, month)):
                if candidate <= most:
                    return date(year, month, candidate)
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            most = 31

    def _in_month(self, year: int, month: int) -> list[int]:
        return self.by_length[calendar.monthrange(year, month)[1]]


class EveryPeriod:
    """Every `period` days counting from an anchor date; nothing before the anchor."""

    def __init__(self, anchor: date, period: int) -> None:
        if period < 1:
            raise ValueError("the period must be at least one day")
        self.anchor = anchor
        self.period = period

    def first_on_or_after(self, day: date) -> date:
        if day <= self.anchor:
            return self.anchor
        periods = -(-(day - self.anchor).days // self.period)  # rounded up
        return self.anchor + timedelta(days=periods * self.period)

    def last_on_or_before(self, day: date) -> date | None:
        if day < self.anchor:
            return None
        periods = (day - self.anchor).days // self.period
        return self.anchor + timedelta(days=periods * self.period)


class OneDate:
    """A single date, for a recurrence that happens once."""

    def __init__(self, day: date) -> None:
        self.day = day

    def first_on_or_after(self, day: date) -> date | None:
        return self.day if day <= self.day else None

    def last_on_or_before(self, day: date) -> date | None:
        return self.day if day >= self.day else None
