"""Preview: a Schedule's coming windows and skipped openings, as a list a person can check.

The list is walked in time order from an explicit instant, never the clock: the
window open at that instant (if any) and the next ones up to a count, with the
openings exclusions suppress interleaved where they fall. Each item carries its
times in UTC and in the schedule's zone, whether allowed hours clipped it, and
any change of the zone's UTC offset (DST or otherwise) since the previous item
or during the window, because those are the places where a schedule surprises
people.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from outbound_scheduler.models.calendar import AllowedHours
from outbound_scheduler.models.schedule import ScheduleSpec
from outbound_scheduler.timing.openings import Skip
from outbound_scheduler.timing.windows import Timetable, Window, compile_timetable
from outbound_scheduler.timing.words import duration_text
from outbound_scheduler.timing.zones import offset_changes

ONE_TICK = timedelta(microseconds=1)
SKIP_RUN = 10


@dataclass(frozen=True)
class PreviewItem:
    """One window, or one skipped opening (`skipped` says why; it has no end)."""

    start: datetime
    end: datetime | None
    zone: ZoneInfo
    clipped: bool = False
    skipped: str | None = None
    dst_shift: str | None = None

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime | None:
        return self.end.astimezone(self.zone) if self.end is not None else None

    def record(self) -> dict[str, object]:
        """The item as JSON-ready fields: instants in RFC 3339, UTC ones ending in "Z"."""
        local_end = self.local_end
        return {
            "start": utc_text(self.start),
            "end": utc_text(self.end) if self.end is not None else None,
            "skipped": self.skipped,
            "localStart": self.local_start.isoformat(),
            "localEnd": local_end.isoformat() if local_end is not None else None,
            "clipped": self.clipped,
            "dstShift": self.dst_shift,
        }


def utc_text(instant: datetime) -> str:
    """An instant in RFC 3339 UTC: `2026-12-07T09:00:00Z`."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def preview(
    spec: ScheduleSpec, start: datetime, count: int, guard: AllowedHours | None = None
) -> list[PreviewItem]:
    """The window open at `start` and the following ones, `count` in all, with the skipped
    openings from `start` on interleaved where they fall."""
    table, zone = compile_timetable(spec, guard), spec.zone
    items, previous = [], start
    for found in walk(table, start, count):
        if isinstance(found, Skip):
            shifts = shift_text(previous, found.opening, zone, "before this opening")
            items.append(PreviewItem(found.opening, None, zone, False, found.reason, shifts))
            previous = max(previous, found.opening)
            continue
        shifts = "; ".join(
            text
            for text in (
                shift_text(previous, found.start, zone, "before this window"),
                shift_text(found.start, found.end, zone, "inside this window"),
            )
            if text
        )
        items.append(PreviewItem(found.start, found.end, zone, found.clipped, None, shifts or None))
        previous = max(previous, found.end)
    return items


def walk(table: Timetable, start: datetime, count: int) -> Iterator[Window | Skip]:
    """Windows and skipped openings from `start`, in the order they happen.

    A long run of skipped openings (a minute-by-minute cron over an excluded month) is
    cut after `max(count, SKIP_RUN)` of them, and the walk goes on at the next window.
    """
    run_limit = max(count, SKIP_RUN)
    window = table.window_at(start) or table.next_window_after(start)
    skip = table.next_skip_after(start - ONE_TICK)
    windows = in_a_row = 0
    while windows < count and (window is not None or skip is not None):
        if skip is not None and (window is None or skip.opening < window.start):
            if in_a_row == run_limit:
                if window is None:
                    return
                skip = table.next_skip_after(window.start - ONE_TICK)
                continue
            yield skip
            in_a_row += 1
            skip = table.next_skip_after(skip.opening)
        else:
            assert window is not None
            yield window
            windows, in_a_row = windows + 1, 0
            window = table.next_window_after(window.start)


def shift_text(a: datetime, b: datetime, zone: ZoneInfo, where: str) -> str | None:
    """The zone's offset changes in (a, b], e.g. "+1h at 2026-03-29 01:00 UTC (before ...)"."""
    changes = offset_changes(a, b, zone)
    if not changes:
        return None
    return "; ".join(
        f"{'+' if change > timedelta(0) else '-'}{duration_text(abs(change))} "
        f"at {instant:%Y-%m-%d %H:%M} UTC ({where})"
        for instant, change in changes
    )
