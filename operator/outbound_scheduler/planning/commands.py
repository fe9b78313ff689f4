"""What the planner asks of OCS, and what came back.

A command is addressed by the Campaign Group's OCS endpoint name and DBID,
so it can be carried out even when the CampaignGroup object is gone.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from outbound_scheduler.models import Action, DialingMode, Optimization


class CommandKind(StrEnum):
    START = "Start"  # bring the group to its action's state (dialing, or loaded when paused)
    ADOPT = "Adopt"  # too late to start: adopt a group already so, else record Missed
    ACT = "Act"  # a one-time action at the opening: Stop, ForceStop or SetDialingMode
    STOP = "Stop"  # the run ends: stop dialing and unload
    RELEASE = "Release"  # the run ends but another open window still wants the group running
    RECORD = "Record"  # the run ended in OCS (a person stopped the group): record it, send nothing


@dataclass(slots=True)  # made for every start: a frozen one's __init__ costs 6x
class Command:
    kind: CommandKind
    entry: str  # the CampaignGroup's name, as the Schedule lists it
    ocs: str
    dbid: int
    run_id: str
    reason: str | None = None  # why a STOP is due
    action: Action = Action.START  # the entry's action, for START, ADOPT and ACT
    dialing_mode: DialingMode | None = None
    optimization: Optimization | None = None
    auto_completion: bool = False
    recovery: bool = False  # START again of a run OCS lost while it could not be reached
    stop_at: tuple[float | None, float | None] = (None, None)  # stopWhen (penetration,
    # completion) in percent: a START finding the group already there starts nothing


@dataclass(slots=True)  # made for every start: a frozen one's __init__ costs 6x
class Outcome:
    """The result of one command: ok, or an error to report and retry."""

    command: Command
    at: datetime
    ocs_state: str | None = None
    dialing_mode: str | None = None
    adopted: bool = False  # START or ADOPT found the group already running
    missed: bool = False  # ADOPT found the group not running
    error: str | None = None
    skipped: str | None = None  # why nothing was done: a stop reason (Penetration, ...)
    detail: str | None = None  # the skip in words, e.g. "penetration 52.5% ≥ 50%"
    unreachable: bool = False  # the error is OCS not answering (5xx, time-out, no connection)

    @property
    def ok(self) -> bool:
        return self.error is None
