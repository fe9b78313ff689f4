"""Windows: the stretches of time a Schedule's Campaign Groups should run.

Each opening (an occurrence that no exclusion suppressed, see openings.py)
plans a window; the spec's end rule closes it. `end.after` keeps its real
length whatever the clocks do. `end.at` closes at a reading of the wall clock:
on the occurrence's own day when end.at is later than the occurrence's
reading, else on the next day (so end.at equal to the start reading means a
whole day of wall-clock time); the reading is resolved by the same DST policy
as openings. If the whole window fell into one gap, so that the end would not
come after the shifted start, it keeps its planned wall-clock length from the
shifted start instead of collapsing to nothing.

Overlap policy: a planned window never runs past the next real opening of the
same timetable; it is cut there and the opening starts a new window (a new
run). A skipped opening does not cut it: the window that is open runs on.

Calling hours: every planned window is then cut to the allowed hours in force
(calendar.py's spans). Each stretch of it inside one allowed span is a window of
its own, with its own opening, marked `clipped` when the cut moved its start or
its end; a planned window wholly outside allowed hours yields none. So windows
never overlap, every instant lies in at most one, and `window_at`,
`next_window_after` and a walk with `windows_between` always agree.

Searches ahead are bounded: at most openings.HORIZON (four years and a month),
and under allowed hours at most SEARCH_STEPS candidates (a year of openings
that all fall outside them); past that a schedule is taken to have no more
windows. Only a schedule that cannot dial for a year meets the second bound.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cached_property, lru_cache

from outbound_scheduler.models.calendar import AllowedHours
from outbound_scheduler.models.schedule import ScheduleSpec
from outbound_scheduler.timing.calendar import (
    AllowedClock,
    Span,
    allowed_clock,
    exclusion_calendar,
)
from outbound_scheduler.timing.openings import HORIZON, Openings, Skip
from outbound_scheduler.timing.recall import Recall
from outbound_scheduler.timing.recurrence import Occurrence, Recurrence, compile_recurrence
from outbound_scheduler.timing.zones import resolve, wall_clock

ONE_DAY = timedelta(days=1)
ONE_TICK = timedelta(microseconds=1)
# Candidates a search for the next window under allowed hours examines before it gives up:
# about two a day, so over a year of openings that all fall outside the allowed hours.
SEARCH_STEPS = 1000


@dataclass(frozen=True)
class Window:
    """One window, from its opening (included) to its closing (excluded), in UTC.

    `clipped` is True when allowed calling hours moved its start or its end.
    `scheduled` is the instant the opening (or the run-now request) planned it for; it
    differs from `start` when the window was clipped at its start.
    """

    start: datetime
    end: datetime
    clipped: bool = False
    scheduled: datetime | None = field(default=None, compare=False)

    @cached_property
    def opening(self) -> str:
        """The opening instant as a compact key, e.g. `20261207T090000Z`; a run id part."""
        return opening_key(self.start)

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def contains(self, t: datetime) -> bool:
        return self.start <= t < self.end


@lru_cache(maxsize=1024)
def opening_key(instant: datetime) -> str:
    """An instant as a compact UTC key, e.g. `20261207T090000Z`. Thousands of windows open
    at the same instant (08:00 sharp), so each instant is formatted once."""
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class Timetable:
    """All windows of one Schedule spec, answerable for any instant."""

    def __init__(
        self,
        recurrence: Recurrence,
        length: timedelta | None,
        end_at: time | None,
        openings: Openings | None = None,
        allowed: AllowedClock | None = None,
    ) -> None:
        if (length is None) == (end_at is None):
            raise ValueError("a timetable needs exactly one of a length or an end time of day")
        self.recurrence = recurrence
        self.length = length
        self.end_at = end_at
        self.openings = openings or Openings(recurrence, None)
        self.allowed = allowed
        self._at = Recall(self._window_at)
        self._after = Recall(self._next_window_after)
        self._known: Window | None = None  # the window last found, by either question

    def window_at(self, t: datetime) -> Window | None:
        """The window open at `t` (start <= t < end), if any.

        Windows never overlap, so a window found before that contains `t` is the answer:
        the look that planned a Schedule's next wake found its next window, and the pass
        at its opening (a burst at 08:00) needs no search."""
        known = self._known
        if known is not None and known.start <= t < known.end:
            return known
        window = self._at(t)
        self._known = window or known
        return window

    def next_window_after(self, t: datetime) -> Window | None:
        """The first window that opens strictly after `t`."""
        window = self._after(t)
        self._known = window or self._known
        return window

    def _window_at(self, t: datetime) -> Window | None:
        planned = self._planned_at(t)
        if planned is None or self.allowed is None:
            return planned
        span = self.allowed.span_at(t)
        return _cut(planned, span) if span is not None else None

    def _next_window_after(self, t: datetime) -> Window | None:
        if self.allowed is None:
            return self._planned_after(t)
        # A window opens either at an opening inside allowed hours, or where allowed hours
        # begin inside a planned window. Step from one candidate to the next, jumping over
        # stretches where neither can happen.
        cursor, limit = t, t + HORIZON
        for _ in range(SEARCH_STEPS):
            opening = self.openings.first_after(cursor)
            span = self.allowed.span_after(cursor)
            if opening is not None and (span is None or opening.start < span.start):
                inside = self.allowed.span_at(opening.start)
                if inside is not None:
                    return _cut(self._planned_from(opening), inside)
                if span is None:
                    return None
                cursor = span.start - ONE_TICK  # nothing is allowed until that span
            else:
                around = self._planned_at(span.start) if span is not None else None
                if around is not None:
                    assert span is not None
                    return _cut(around, span)
                if opening is None:
                    return None
                cursor = opening.start - ONE_TICK  # no window is open until that opening
            if cursor > limit:
                return None
        return None

    def windows_between(self, a: datetime, b: datetime) -> Iterator[Window]:
        """The windows that open at or after `a` and before `b`, in order."""
        window = self.next_window_after(a - ONE_TICK)
        while window is not None and window.start < b:
            yield window
            window = self.next_window_after(window.start)

    def next_change_after(self, t: datetime) -> datetime | None:
        """When the operator next has something to do: the open window closes, the next one
        opens, or an opening is skipped (to record it)."""
        current = self.window_at(t)
        if current is not None:
            change: datetime | None = current.end
        else:
            following = self.next_window_after(t)
            change = following.start if following else None
        skip = self.openings.skip_after(t)
        if skip is not None and (change is None or skip.opening < change):
            return skip.opening
        return change

    def skipped_at_or_before(self, t: datetime) -> Skip | None:
        """The latest opening at or before `t` that an exclusion suppressed, and why."""
        return self.openings.skip_at_or_before(t)

    def next_skip_after(self, t: datetime) -> Skip | None:
        """The first opening strictly after `t` that an exclusion suppresses, and why."""
        return self.openings.skip_after(t)

    def window_from(self, t: datetime) -> Window | None:
        """A window opened by hand at `t` ("run now"), closed by the spec's end rule.

        Exclusions, start and end dates and the next opening do not bound it: a person
        asked for it. Allowed hours do: outside them it starts when they next begin, if
        that comes before its end; otherwise there is no window.
        """
        end = t + self.length if self.length is not None else self._next_end_at(t)
        asked = Window(t, end, scheduled=t)
        if self.allowed is None:
            return asked
        span = self.allowed.span_at(t) or self.allowed.span_after(t)
        if span is None or span.start >= end:
            return None
        return _cut(asked, span)

    def _planned_at(self, t: datetime) -> Window | None:
        """The planned window (before allowed hours) open at `t`."""
        occurrence = self.openings.last_at_or_before(t)
        if occurrence is None:
            return None
        planned_end = self._planned_end(occurrence)
        if planned_end <= t:
            return None
        # The next opening is after t, so cutting there can shorten this window but not close it.
        following = self.openings.first_after(t)
        return _planned(occurrence, planned_end, following)

    def _planned_after(self, t: datetime) -> Window | None:
        """The first planned window (before allowed hours) that opens strictly after `t`."""
        occurrence = self.openings.first_after(t)
        return self._planned_from(occurrence) if occurrence is not None else None

    def _planned_from(self, occurrence: Occurrence) -> Window:
        """The planned window (before allowed hours) an opening opens."""
        following = self.openings.first_after(occurrence.start)
        return _planned(occurrence, self._planned_end(occurrence), following)

    def _planned_end(self, occurrence: Occurrence) -> datetime:
        """Where the end rule closes the window this occurrence opens, before any cut."""
        if self.length is not None:
            return occurrence.start + self.length
        assert self.end_at is not None
        day = occurrence.wall.date()
        if self.end_at <= occurrence.wall.time():
            day += ONE_DAY
        end_wall = datetime.combine(day, self.end_at)
        end = resolve(end_wall, self.recurrence.zone)
        if end <= occurrence.start:
            return occurrence.start + (end_wall - occurrence.wall)
        return end

    def _next_end_at(self, t: datetime) -> datetime:
        """The first instant after `t` at which the wall clock reads end.at, by the policy."""
        assert self.end_at is not None
        day = wall_clock(t, self.recurrence.zone).date()
        while (end := resolve(datetime.combine(day, self.end_at), self.recurrence.zone)) <= t:
            day += ONE_DAY
        return end


def _planned(occurrence: Occurrence, planned_end: datetime, following: Occurrence | None) -> Window:
    """The window an occurrence opens, cut at the next opening if that comes first."""
    end = min(planned_end, following.start) if following is not None else planned_end
    return Window(occurrence.start, end, scheduled=occurrence.start)


def _cut(window: Window, span: Span) -> Window:
    """The part of a window inside one allowed span (which must overlap it)."""
    start, end = max(window.start, span.start), min(window.end, span.end)
    clipped = window.clipped or start != window.start or end != window.end
    return Window(start, end, clipped, window.scheduled)


def compile_timetable(spec: ScheduleSpec, guard: AllowedHours | None = None) -> Timetable:
    """The timetable of a valid ScheduleSpec; cheap to ask, so compile once per generation.

    `guard` is the cluster-wide calling-hours guard: windows are cut to the hours both it
    and the Schedule's own `allowedHours` allow.
    """
    if spec.end is None:
        raise ValueError("windows never end: set end.at (a time of day) or end.after (a duration)")
    end_at = time.fromisoformat(spec.end.at) if spec.end.at is not None else None
    recurrence = compile_recurrence(spec)
    openings = Openings(recurrence, exclusion_calendar(spec.exclusions))
    allowed = allowed_clock(spec.allowed_hours, guard, spec.zone)
    return Timetable(recurrence, spec.end.length, end_at, openings, allowed)
