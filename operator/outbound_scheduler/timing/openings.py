"""Openings: the occurrences that open a window, and the ones exclusions suppress.

An occurrence whose local date (the date of the instant it opens at, in the
schedule's zone) is excluded opens nothing: it is a skipped opening, kept with
the reason so the operator can record it. Searches jump over excluded dates
rather than stepping through the occurrences on them, and the other way round
jump from one excluded date to the next when looking for skips, so a
minute-by-minute cron over a month-long excluded range costs a few steps.

A recurrence whose every occurrence is excluded (a yearly cron on a public
holiday) would make these searches endless, so each looks at most HORIZON away
from where it starts and answers None beyond it.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from outbound_scheduler.timing.calendar import ExclusionCalendar
from outbound_scheduler.timing.recall import Recall
from outbound_scheduler.timing.recurrence import Occurrence, Recurrence
from outbound_scheduler.timing.zones import day_start, local_date

ONE_DAY = timedelta(days=1)
ONE_TICK = timedelta(microseconds=1)
# Far enough for a leap-day schedule (every four years) and a little more.
HORIZON = timedelta(days=4 * 366 + 31)


class Skip(NamedTuple):
    """An opening an exclusion suppressed: when the window would have opened, and why not."""

    opening: datetime
    reason: str


class Openings:
    """The occurrences of a recurrence, sorted into real openings and skipped ones."""

    def __init__(self, recurrence: Recurrence, exclusions: ExclusionCalendar | None) -> None:
        self.recurrence = recurrence
        self.exclusions = exclusions
        self.zone = recurrence.zone
        self._after = Recall(self._first_after)
        self._before = Recall(self._last_at_or_before)

    def first_after(self, t: datetime) -> Occurrence | None:
        """The first occurrence strictly after `t` that opens a window."""
        return self._after(t)

    def last_at_or_before(self, t: datetime) -> Occurrence | None:
        """The last occurrence at or before `t` that opened a window."""
        return self._before(t)

    def _first_after(self, t: datetime) -> Occurrence | None:
        if self.exclusions is None:
            return self.recurrence.occurrence_after(t)
        limit, cursor = t + HORIZON, t
        while (found := self.recurrence.occurrence_after(cursor)) and found.start <= limit:
            day = local_date(found.start, self.zone)
            if self.exclusions.reason(day) is None:
                return found
            cursor = day_start(self.exclusions.run_through(day) + ONE_DAY, self.zone) - ONE_TICK
        return None

    def _last_at_or_before(self, t: datetime) -> Occurrence | None:
        if self.exclusions is None:
            return self.recurrence.occurrence_at_or_before(t)
        limit, cursor = t - HORIZON, t
        while (found := self.recurrence.occurrence_at_or_before(cursor)) and found.start >= limit:
            day = local_date(found.start, self.zone)
            if self.exclusions.reason(day) is None:
                return found
            cursor = day_start(self.exclusions.run_since(day), self.zone) - ONE_TICK
        return None

    def skip_after(self, t: datetime) -> Skip | None:
        """The first suppressed opening strictly after `t`."""
        if self.exclusions is None:
            return None
        limit, cursor = t + HORIZON, t
        while (found := self.recurrence.occurrence_after(cursor)) and found.start <= limit:
            day = local_date(found.start, self.zone)
            if reason := self.exclusions.reason(day):
                return Skip(found.start, reason)
            excluded = self.exclusions.first_from(day + ONE_DAY, local_date(limit, self.zone))
            if excluded is None:
                return None
            cursor = day_start(excluded, self.zone) - ONE_TICK
        return None

    def skip_at_or_before(self, t: datetime) -> Skip | None:
        """The last suppressed opening at or before `t`."""
        if self.exclusions is None:
            return None
        limit, cursor = t - HORIZON, t
        while (found := self.recurrence.occurrence_at_or_before(cursor)) and found.start >= limit:
            day = local_date(found.start, self.zone)
            if reason := self.exclusions.reason(day):
                return Skip(found.start, reason)
            excluded = self.exclusions.last_to(day - ONE_DAY, local_date(limit, self.zone))
            if excluded is None:
                return None
            cursor = day_start(excluded + ONE_DAY, self.zone) - ONE_TICK
        return None
