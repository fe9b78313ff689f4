"""Occurrences of a Schedule's recurrence: the instants at which its windows open.

A recurrence is first a sequence of wall-clock readings in the schedule's zone
(every matching day at `at`, or every match of the cron expression), and only
then instants: each reading is resolved by the DST policy in zones.py. Cron is
walked over naive readings on purpose, so croniter never sees a time zone and
none of its own DST handling applies. Resolution can map several readings to
one instant (all readings inside a gap land on the gap's end) and can map a
reading to an instant earlier than the current one (a fall-back repeats
readings), so the searches below resolve each candidate and skip those on the
wrong side of `t`; an occurrence is then one instant, however many readings
name it, and it fires once.
"""

import threading
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from outbound_scheduler.models.schedule import ScheduleSpec
from outbound_scheduler.timing.zones import fold_margin, resolve, starts_after_gap, wall_clock

ONE_DAY = timedelta(days=1)
ALL_DAYS = frozenset(range(7))


class Occurrence(NamedTuple):
    """One opening: the UTC instant, and the earliest wall-clock reading that names it."""

    start: datetime
    wall: datetime


class Readings(Protocol):
    """The wall-clock readings a recurrence names, in either direction from a reading."""

    def after(self, wall: datetime) -> Iterator[datetime]:
        """Readings strictly later than `wall`, earliest first."""
        ...

    def at_or_before(self, wall: datetime) -> Iterator[datetime]:
        """Readings at or before `wall`, latest first."""
        ...


class DayReadings:
    """One time of day on chosen weekdays (Monday is 0); daily is all seven."""

    def __init__(self, days: frozenset[int], at: time) -> None:
        self.days = days
        self.at = at

    def after(self, wall: datetime) -> Iterator[datetime]:
        day = wall.date()
        while True:
            reading = self._on(day)
            if reading is not None and reading > wall:
                yield reading
            day += ONE_DAY

    def at_or_before(self, wall: datetime) -> Iterator[datetime]:
        day = wall.date()
        while True:
            reading = self._on(day)
            if reading is not None and reading <= wall:
                yield reading
            day -= ONE_DAY

    def _on(self, day: date) -> datetime | None:
        return datetime.combine(day, self.at) if day.weekday() in self.days else None


class CronReadings:
    """Matches of a five-field cron expression, over naive wall-clock readings."""

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
        cursor = wall + timedelta(microseconds=1)
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
def cron_readings(expression: str) -> CronReadings:
    """Compiling a cron expression costs far more than stepping it; schedules share them."""
    return CronReadings(expression)


class Recurrence:
    """The occurrences of one recurrence in one zone, found from any instant."""

    def __init__(self, readings: Readings, zone: ZoneInfo) -> None:
        self.readings = readings
        self.zone = zone

    def occurrence_after(self, t: datetime) -> Occurrence | None:
        """The first occurrence strictly after `t`."""
        # Readings up to the clock's reading at t have all been shown (or jumped over) by t.
        for reading in self.readings.after(wall_clock(t, self.zone)):
            start = resolve(reading, self.zone)
            if start > t:
                return Occurrence(start, reading)
        return None

    def occurrence_at_or_before(self, t: datetime) -> Occurrence | None:
        """The last occurrence at or before `t`."""
        # Just after a fall-back the clock has already shown readings later than it shows now.
        latest_shown = wall_clock(t, self.zone) + fold_margin(t, self.zone)
        candidates = self.readings.at_or_before(latest_shown)
        for reading in candidates:
            start = resolve(reading, self.zone)
            if start <= t:
                break
        else:
            return None

        # Readings inside a gap all land on its end: name the occurrence by the earliest.
        if starts_after_gap(start, self.zone):
            for earlier in candidates:
                if resolve(earlier, self.zone) != start:
                    break
                reading = earlier
        return Occurrence(start, reading)

    def next_after(self, t: datetime) -> datetime | None:
        """The first occurrence strictly after `t`, in UTC."""
        occurrence = self.occurrence_after(t)
        return occurrence.start if occurrence else None

    def previous_at_or_before(self, t: datetime) -> datetime | None:
        """The last occurrence at or before `t`, in UTC."""
        occurrence = self.occurrence_at_or_before(t)
        return occurrence.start if occurrence else None


def compile_recurrence(spec: ScheduleSpec) -> Recurrence:
    """The recurrence a valid ScheduleSpec names, ready to be asked many times."""
    readings: Readings
    if spec.daily is not None:
        readings = DayReadings(ALL_DAYS, time.fromisoformat(spec.daily.at))
    elif spec.weekly is not None:
        days = frozenset(day.index for day in spec.weekly.days)
        readings = DayReadings(days, time.fromisoformat(spec.weekly.at))
    elif spec.cron is not None:
        readings = cron_readings(spec.cron)
    else:
        raise ValueError("the spec names no recurrence: set daily, weekly or cron")
    return Recurrence(readings, spec.zone)
