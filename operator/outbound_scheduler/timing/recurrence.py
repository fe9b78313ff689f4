"""Occurrences of a Schedule's recurrence: the instants at which its windows open.

A recurrence is first a sequence of wall-clock readings in the schedule's zone
(a time of day on the dates a day rule names, or every match of the cron
expression), and only then instants: each reading is resolved by the DST
policy in zones.py. Cron is walked over naive readings on purpose, so croniter
never sees a time zone and none of its own DST handling applies (cron.py steps
ordinary expressions itself, on croniter's parse, for speed). Resolution
can map several readings to one instant (all readings inside a gap land on the
gap's end) and can map a reading to an instant earlier than the current one (a
fall-back repeats readings), so the searches below resolve each candidate and
skip those on the wrong side of `t`; an occurrence is then one instant, however
many readings name it, and it fires once.

`startDate`/`endDate` bound occurrences by the local date of the instant they
open at. Readings are bounded a little wider (a gap can carry a reading into the
next day) so that every search ends; the exact test is made on the instant.
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from outbound_scheduler.models.schedule import ScheduleSpec
from outbound_scheduler.timing.cron import cron_readings
from outbound_scheduler.timing.days import DayRule, EveryPeriod, MonthDays, OneDate, Weekdays
from outbound_scheduler.timing.zones import (
    fold_margin,
    local_date,
    resolve,
    starts_after_gap,
    wall_clock,
)

ONE_DAY = timedelta(days=1)
ONE_TICK = timedelta(microseconds=1)
ALL_DAYS = frozenset(range(7))
# How far a gap can carry a reading past its own date (Samoa skipped a whole day in 2011).
GAP_SLACK = timedelta(days=2)
NO_RECURRENCE = "the spec names no recurrence: set once, daily, weekly, monthly, every or cron"


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
    """One time of day on the dates a day rule names."""

    def __init__(self, rule: DayRule, at: time) -> None:
        self.rule = rule
        self.at = at

    def after(self, wall: datetime) -> Iterator[datetime]:
        day = wall.date()
        while (found := self.rule.first_on_or_after(day)) is not None:
            reading = datetime.combine(found, self.at)
            if reading > wall:
                yield reading
            day = found + ONE_DAY

    def at_or_before(self, wall: datetime) -> Iterator[datetime]:
        day = wall.date()
        while (found := self.rule.last_on_or_before(day)) is not None:
            reading = datetime.combine(found, self.at)
            if reading <= wall:
                yield reading
            day = found - ONE_DAY


class BoundedReadings:
    """Another recurrence's readings, only on dates from `first` to `last` (both included)."""

    def __init__(self, inner: Readings, first: date | None, last: date | None) -> None:
        self.inner = inner
        self.first = first
        self.last = last

    def after(self, wall: datetime) -> Iterator[datetime]:
        if self.first is not None:
            wall = max(wall, datetime.combine(self.first, time()) - ONE_TICK)
        for reading in self.inner.after(wall):
            if self.last is not None and reading.date() > self.last:
                return
            yield reading

    def at_or_before(self, wall: datetime) -> Iterator[datetime]:
        if self.last is not None:
            wall = min(wall, datetime.combine(self.last, time.max))
        for reading in self.inner.at_or_before(wall):
            if self.first is not None and reading.date() < self.first:
                return
            yield reading


class Recurrence:
    """The occurrences of one recurrence in one zone, found from any instant.

    `first` and `last`, when given, bound occurrences by the local date they open on.
    """

    def __init__(
        self,
        readings: Readings,
        zone: ZoneInfo,
        first: date | None = None,
        last: date | None = None,
    ) -> None:
        self.readings = readings
        self.zone = zone
        self.first = first
        self.last = last
        self._bounded = first is not None or last is not None

    def occurrence_after(self, t: datetime) -> Occurrence | None:
        """The first occurrence strictly after `t`."""
        # Readings up to the clock's reading at t have all been shown (or jumped over) by t.
        for reading in self.readings.after(wall_clock(t, self.zone)):
            start = resolve(reading, self.zone)
            if start > t and self._within(start):
                return Occurrence(start, reading)
        return None

    def occurrence_at_or_before(self, t: datetime) -> Occurrence | None:
        """The last occurrence at or before `t`."""
        # Just after a fall-back the clock has already shown readings later than it shows now.
        latest_shown = wall_clock(t, self.zone) + fold_margin(t, self.zone)
        candidates = self.readings.at_or_before(latest_shown)
        for reading in candidates:
            start = resolve(reading, self.zone)
            if start <= t and self._within(start):
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

    def _within(self, start: datetime) -> bool:
        if not self._bounded:
            return True
        day = local_date(start, self.zone)
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)

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
    readings: Readings = (
        cron_readings(spec.cron) if spec.cron is not None else DayReadings(*day_rule(spec))
    )
    first, last = spec.first_date, spec.last_date
    if first is not None or last is not None:
        readings = BoundedReadings(readings, first - GAP_SLACK if first else None, last)
    return Recurrence(readings, spec.zone, first, last)


def day_rule(spec: ScheduleSpec) -> tuple[DayRule, time]:
    """The dates and the time of day of a friendly recurrence form."""
    if spec.once is not None:
        local = spec.once.local
        return OneDate(local.date()), local.time()
    if spec.daily is not None:
        return Weekdays(ALL_DAYS), time.fromisoformat(spec.daily.at)
    if spec.weekly is not None:
        days = frozenset(day.index for day in spec.weekly.days)
        return Weekdays(days), time.fromisoformat(spec.weekly.at)
    if spec.monthly is not None:
        numbered = frozenset(day for day in spec.monthly.days if isinstance(day, int))
        last = "last" in spec.monthly.days
        return MonthDays(numbered, last), time.fromisoformat(spec.monthly.at)
    if spec.every is not None:
        every = EveryPeriod(spec.every.anchor, spec.every.period_days)
        return every, time.fromisoformat(spec.every.at)
    raise ValueError(NO_RECURRENCE)
