"""Five-field cron as naive wall-clock readings, stepped here on croniter's parse.

croniter parses and validates every expression, but stepping it costs hundreds
of microseconds, and the operator asks for the windows of thousands of
Schedules at once. So for ordinary expressions (numbers, ranges, steps, lists,
names, "L" for the month's last day) the readings are generated here from
croniter's expanded fields: a day matches when its month matches and its day
of month or its day of week does (either one when both fields are restricted,
as croniter and Vixie cron read them; both otherwise), and every matching day
has the same sorted times of day. Expressions with "W" or "#" are stepped by
croniter itself. A test checks the two agree.
"""

import bisect
import threading
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from croniter import CroniterBadDateError, croniter

ONE_DAY = timedelta(days=1)
ONE_TICK = timedelta(microseconds=1)
# Every date cron can name recurs within eight years (29 February included); a search that
# sees no match for longer is for an expression that names no date at all.
LONGEST_MISS = 8 * 366


class FieldReadings:
    """The readings of a cron expression without "W" or "#", from its expanded fields."""

    def __init__(self, expanded: list[list[int | str]]) -> None:
        minutes, hours, days, months, weekdays = expanded
        self.times = tuple(
            time(hour, minute) for hour in _values(hours, 24) for minute in _values(minutes, 60)
        )
        self.months = frozenset(_values(months, 13))
        self.days = None if days == ["*"] else frozenset(d for d in days if isinstance(d, int))
        self.last_day = "l" in days
        self.weekdays = None if weekdays == ["*"] else frozenset(int(d) % 7 for d in weekdays)
        self.either = self.days is not None and self.weekdays is not None

    def matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_date = self.days is None or day.day in self.days
        by_date = by_date or (self.last_day and (day + ONE_DAY).day == 1)
        by_weekday = self.weekdays is None or day.isoweekday() % 7 in self.weekdays
        return by_date or by_weekday if self.either else by_date and by_weekday

    def after(self, wall: datetime) -> Iterator[datetime]:
        day, first = wall.date(), bisect.bisect_right(self.times, wall.time())
        misses = 0
        while misses <= LONGEST_MISS:
            if self.matches(day):
                misses = 0
                for at in self.times[first:]:
                    yield datetime.combine(day, at)
            else:
                misses += 1
            day, first = day + ONE_DAY, 0

    def at_or_before(self, wall: datetime) -> Iterator[datetime]:
        day, stop = wall.date(), bisect.bisect_right(self.times, wall.time())
        misses = 0
        while misses <= LONGEST_MISS:
            if self.matches(day):
                misses = 0
                for at in reversed(self.times[:stop]):
                    yield datetime.combine(day, at)
            else:
                misses += 1
            day, stop = day - ONE_DAY, len(self.times)


def _values(field: list[int | str], size: int) -> list[int]:
    return list(range(size)) if field == ["*"] else sorted(int(value) for value in field)


class CronReadings:
    """Matches of a five-field cron expression stepped by croniter, for "W" and "#"."""

    def __init__(self, expression: str) -> None:
        # Compiled once; croniter keeps a cursor, so each step passes its start explicitly
        # and a lock keeps two threads from sharing the cursor.
        self._cron = croniter(expression, datetime(2000, 1, 1))
        self._lock = threading.Lock()

    def after(self, wall: datetime) -> Iterator[datetime]:
        while (found := self._step(wall, forward=True)) is not None:
            yield found
            wall = found

    def at_or_before(self, wall: datetime) -> Iterator[datetime]:
        # croniter's previous is strictly earlier, at minute precision.
        cursor = wall + ONE_TICK
        while (found := self._step(cursor, forward=False)) is not None:
            yield found
            cursor = found

    def _step(self, wall: datetime, forward: bool) -> datetime | None:
        with self._lock:
            try:
                if forward:
                    return self._cron.get_next(datetime, start_time=wall)
                return self._cron.get_prev(datetime, start_time=wall)
            except CroniterBadDateError:  # no match within croniter's horizon (50 years)
                return None


@lru_cache(maxsize=4096)
def cron_readings(expression: str) -> FieldReadings | CronReadings:
    """The readings of an expression; compiling costs more than stepping, so schedules share."""
    parsed = croniter(expression, datetime(2000, 1, 1))
    day_field = expression.split()[2].lower()
    if parsed.nth_weekday_of_month or "w" in day_field:
        return CronReadings(expression)
    return FieldReadings(parsed.expanded)
