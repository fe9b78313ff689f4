"""Decisions: from specs, what was recorded, what OCS said and `now`, to commands and status.

Pure functions of their inputs: no I/O, no clock. The handlers feed them and
carry out what they return.
"""

from outbound_scheduler.planning.commands import Command, CommandKind, Outcome
from outbound_scheduler.planning.decide import Decision, ScheduleView, decide, next_wake, run_id
from outbound_scheduler.planning.record import Notice, record

__all__ = [
    "Command",
    "CommandKind",
    "Decision",
    "Notice",
    "Outcome",
    "ScheduleView",
    "decide",
    "next_wake",
    "record",
    "run_id",
]
