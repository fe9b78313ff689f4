"""Windows: the stretches of time a Schedule's Campaign Groups should run.

Each occurrence of the recurrence opens a window; the spec's end rule closes it.
`end.after` keeps its real length whatever the clocks do. `end.at` closes at a
reading of the wall clock: on the occurrence's own day when end.at is later than
the occurrence's reading, else on the next day (so end.at equal to the start
reading means a whole day of wall-clock time); the reading is resolved by the
same DST policy as openings. If the whole window fell into one gap, so that the
end would not come after the shifted start, it keeps its planned wall-clock
length from the shifted start instead of collapsing to nothing.

Overlap policy: a window never runs past the next opening of the same
timetable. Its end is clipped to the next occurrence, which opens a new window
(a new run). So the windows of one timetable never overlap, every instant lies
in at most one of them, and `window_at`, `next_window_after` and a walk with
`windows_between` always agree.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from outbound_scheduler.models.schedule import ScheduleSpec
from outbound_scheduler.timing.recurrence import Occurrence, Recurrence, compile_recurrence
from outbound_scheduler.timing.zones import resolve

ONE_DAY = timedelta(days=1)
ONE_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Window:
    """One window, from its opening (included) to its closing (excluded), in UTC."""

    start: datetime
    end: datetime

    @property
    def opening(self) -> str:
        """The opening instant as a compact key, e.g. `20261207T090000Z`; a run id part."""
        return self.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def contains(self, t: datetime) -> bool:
        return self.start <= t < self.end


class Timetable:
    """All windows of one Schedule spec, answerable for any instant."""

    def __init__(
        self, recurrence: Recurrence, length: timedelta | None, end_at: time | None
    ) -> None:
        if (length is None) == (end_at is None):
            raise ValueError("a timetable needs exactly one of a length or an end time of day")
        self.recurrence = recurrence
        self.length = length
        self.end_at = end_at

    def window_at(self, t: datetime) -> Window | None:
        """The window open at `t` (start <= t < end), if any."""
        occurrence = self.recurrence.occurrence_at_or_before(t)
        if occurrence is None:
            return None
        planned_end = self._planned_end(occurrence)
        if planned_end <= t:
            return None
        # The next opening is after t, so clipping can shorten this window but not close it.
        return self._clipped(occurrence.start, planned_end, self.recurrence.next_after(t))

    def next_window_after(self, t: datetime) -> Window | None:
        """The first window that opens strictly after `t`."""
        occurrence = self.recurrence.occurrence_after(t)
        return self._window(occurrence) if occurrence else None

    def windows_between(self, a: datetime, b: datetime) -> Iterator[Window]:
        """The windows that open at or after `a` and before `b`, in order."""
        occurrence = self.recurrence.occurrence_after(a - ONE_TICK)
        while occurrence is not None and occurrence.start < b:
            following = self.recurrence.occurrence_after(occurrence.start)
            yield self._clipped(
                occurrence.start,
                self._planned_end(occurrence),
                following.start if following else None,
            )
            occurrence = following

    def next_change_after(self, t: datetime) -> datetime | None:
        """When the open window next changes: the current one closes or the next one opens."""
        # Clipping puts the close of an open window no later than the next opening.
        current = self.window_at(t)
        return current.end if current else self.recurrence.next_after(t)

    def _window(self, occurrence: Occurrence) -> Window:
        following = self.recurrence.next_after(occurrence.start)
        return self._clipped(occurrence.start, self._planned_end(occurrence), following)

    @staticmethod
    def _clipped(start: datetime, planned_end: datetime, next_opening: datetime | None) -> Window:
        if next_opening is not None and next_opening < planned_end:
            return Window(start, next_opening)
        return Window(start, planned_end)

    def _planned_end(self, occurrence: Occurrence) -> datetime:
        """Where the end rule closes the window this occurrence opens, before clipping."""
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


def compile_timetable(spec: ScheduleSpec) -> Timetable:
    """The timetable of a valid ScheduleSpec; cheap to ask, so compile once per generation."""
    if spec.end is None:
        raise ValueError("windows never end: set end.at (a time of day) or end.after (a duration)")
    end_at = time.fromisoformat(spec.end.at) if spec.end.at is not None else None
    return Timetable(compile_recurrence(spec), spec.end.length, end_at)
