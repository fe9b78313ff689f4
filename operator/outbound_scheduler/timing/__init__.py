"""Timing: when a Schedule's windows open and close, and how to say it.

Pure functions of a spec and explicit instants — no clock is read here. The
chain is recurrence (wall-clock readings in the schedule's zone) → occurrences
(instants, through the DST policy in `zones`) → openings (occurrences no
exclusion suppressed) → windows (an opening plus the end rule, never
overlapping, cut to the allowed calling hours). All instants going out are
aware UTC datetimes.
"""

from outbound_scheduler.timing.openings import Skip
from outbound_scheduler.timing.preview import PreviewItem, preview
from outbound_scheduler.timing.recurrence import Occurrence, Recurrence, compile_recurrence
from outbound_scheduler.timing.windows import Timetable, Window, compile_timetable, opening_key
from outbound_scheduler.timing.words import clock_text, schedule_text, window_text
from outbound_scheduler.timing.zones import local_text, resolve, wall_clock

__all__ = [
    "Occurrence",
    "PreviewItem",
    "Recurrence",
    "Skip",
    "Timetable",
    "Window",
    "clock_text",
    "compile_recurrence",
    "compile_timetable",
    "local_text",
    "opening_key",
    "preview",
    "resolve",
    "schedule_text",
    "wall_clock",
    "window_text",
]
