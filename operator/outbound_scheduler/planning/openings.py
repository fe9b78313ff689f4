"""What the calendar says at an instant: the open window, run-now requests, skips, downtime.

These read the timetable and what status already recorded; they never look
further back than the watermark, the latest opening status accounts for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from outbound_scheduler.models import RunNow
from outbound_scheduler.timing import Skip, Window

if TYPE_CHECKING:
    from outbound_scheduler.planning.decide import ScheduleView

MISSED_LIMIT = 10  # closed windows recorded after downtime, newest first


def open_window(view: ScheduleView, run_now: RunNow | None, now: datetime) -> Window | None:
    """The recurrence's window open now, else an accepted run-now window still open."""
    assert view.timetable is not None
    window = view.timetable.window_at(now)
    if window is not None or run_now is None or not (run_now.start and run_now.end):
        return window
    return Window(run_now.start, run_now.end) if run_now.start <= now < run_now.end else None


def new_run_now(view: ScheduleView, now: datetime, suspended: bool) -> RunNow | None:
    """A run-now request not yet acknowledged: its window, or why it gets none."""
    token = view.run_now_token
    if not token or (view.status.run_now is not None and view.status.run_now.token == token):
        return None
    assert view.timetable is not None
    if suspended:
        return RunNow(token=token, requested=now, refused="the Schedule is suspended")
    if view.timetable.window_at(now) is not None:
        return RunNow(token=token, requested=now, refused="a window is already open")
    window = view.timetable.window_from(now)
    if window is None:
        return RunNow(token=token, requested=now, refused="outside the allowed hours")
    return RunNow(token=token, requested=now, start=window.start, end=window.end)


def watermark(view: ScheduleView) -> datetime | None:
    """The latest instant whose openings are already accounted for."""
    marks = [view.created]
    marks += [view.status.history[0].opened] if view.status.history else []
    marks += [view.status.last_skipped.opening] if view.status.last_skipped else []
    known = [mark for mark in marks if mark is not None]
    return max(known) if known else None


def new_skip(view: ScheduleView, now: datetime) -> Skip | None:
    assert view.timetable is not None
    skip = view.timetable.skipped_at_or_before(now)
    if skip is None:
        return None
    since = watermark(view)
    return None if since is not None and skip.opening <= since else skip


def missed_windows(view: ScheduleView, now: datetime) -> tuple[Window, ...]:
    """Windows that opened after the watermark and closed before now, unseen (downtime)."""
    assert view.timetable is not None
    since = watermark(view)
    if since is None:
        return ()
    closed = [
        w for w in view.timetable.windows_between(since + timedelta.resolution, now) if w.end <= now
    ]
    return tuple(closed[-MISSED_LIMIT:])
