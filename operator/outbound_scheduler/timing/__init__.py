"""Timing: when a Schedule's windows open and close, and how to say it.

Pure functions of a spec and explicit instants — no clock is read here. The
chain is recurrence (wall-clock readings in the schedule's zone) → occurrences
(instants, through the DST policy in `zones`) → windows (an occurrence plus the
end rule, never overlapping). All instants going out are aware UTC datetimes.
"""

from outbound_scheduler.timing.recurrence import Occurrence, Recurrence, compile_recurrence
from outbound_scheduler.timing.windows import Timetable, Window, compile_timetable
from outbound_scheduler.timing.words import clock_text, schedule_text, window_text
from outbound_scheduler.timing.zones import local_text, resolve, wall_clock

__all__ = [
    "Occurrence",
    "Recurrence",
    "Timetable",
    "Window",
    "clock_text",
    "compile_recurrence",
    "compile_timetable",
    "local_text",
    "resolve",
    "schedule_text",
    "wall_clock",
    "window_text",
]
