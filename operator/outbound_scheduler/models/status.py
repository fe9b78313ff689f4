"""The Schedule kind's status: what the operator observed and did, for kubectl and dashboards.

Status is also the operator's memory across restarts: which run each
Campaign Group belongs to and whether it was started, so that no run starts
twice.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from outbound_scheduler.models.common import Condition, StatusModel

HISTORY_LIMIT = 20


class ScheduleState(StrEnum):
    ACTIVE = "Active"
    IDLE = "Idle"
    SUSPENDED = "Suspended"
    ERROR = "Error"


class EntryStatus(StatusModel):
    """What one Campaign Group of the Schedule is doing now."""

    name: str = Field(description="The CampaignGroup's name.")
    ocs: str | None = Field(default=None, description="OCS endpoint the run was started on.")
    dbid: int | None = Field(default=None, description="DBID the run was started with.")
    ocs_state: str | None = Field(default=None, description="Last state OCS reported.")
    run_id: str | None = Field(default=None, description="Run this group belongs to, if any.")
    until: datetime | None = Field(default=None, description="When the run's window closes.")
    started: datetime | None = Field(default=None, description="When this run started it.")
    stopped: datetime | None = Field(default=None, description="When this run stopped it.")
    stop_reason: str | None = Field(default=None, description="Why the run ended.")
    waiting_for: str | None = Field(
        default=None, description="The sequence condition this entry waits for in the window."
    )
    penetration: float | None = Field(
        default=None, description="Penetration in percent when its run stopped."
    )
    completion: float | None = Field(
        default=None, description="Completion in percent when its run stopped."
    )
    message: str | None = Field(default=None, description="Last problem, if any.")


class RunRecord(StatusModel):
    """One window of one Campaign Group, as it happened."""

    run_id: str = Field(description="Identifier of the window: schedule and opening instant.")
    campaign_group: str = Field(description="The CampaignGroup's name.")
    opened: datetime = Field(description="When the window opened.")
    started: datetime | None = Field(default=None, description="When the group was started.")
    adopted: bool = Field(
        default=False, description="True when OCS already had it running at the opening."
    )
    stopped: datetime | None = Field(default=None, description="When the group was stopped.")
    stop_reason: str | None = Field(
        default=None,
        description="Why the run ended: WindowClosed, Duration, Penetration, Completion, "
        "Completed, StoppedInOcs, Suspended, Missed, Skipped, ...",
    )
    penetration: float | None = Field(
        default=None, description="Final penetration in percent, as OCS last reported it."
    )
    completion: float | None = Field(
        default=None, description="Final completion in percent, as OCS last reported it."
    )
    note: str | None = Field(
        default=None, description="What else shaped the run, e.g. a window clipped or run now."
    )


class SkippedOpening(StatusModel):
    """An opening an exclusion suppressed."""

    opening: datetime = Field(description="When the window would have opened.")
    reason: str = Field(description="Which exclusion suppressed it, e.g. a holiday's name.")


class RunNow(StatusModel):
    """The last run-now request the operator acknowledged."""

    token: str = Field(description="Value of the outbound.dev/run-now annotation acknowledged.")
    requested: datetime = Field(description="When the operator saw the request.")
    start: datetime | None = Field(default=None, description="When its window opens.")
    end: datetime | None = Field(default=None, description="When its window closes.")
    refused: str | None = Field(default=None, description="Why no window was opened, if so.")


class ScheduleStatus(StatusModel):
    """What the operator observed and did; read by kubectl and dashboards."""

    state: ScheduleState | None = Field(
        default=None,
        description="Active (a window is open), Idle, Suspended, or Error (spec unusable).",
    )
    description: str | None = Field(default=None, description="Copy of spec.description.")
    schedule_text: str | None = Field(default=None, description="The schedule in words.")
    last_run: datetime | None = Field(default=None, description="When the last window opened.")
    next_run: datetime | None = Field(
        default=None, description="When the next window opens (RFC 3339)."
    )
    next_run_local: str | None = Field(
        default=None, description="nextRun in the schedule's zone, e.g. 2026-12-07 09:00 GMT."
    )
    campaign_groups: list[EntryStatus] = Field(
        default_factory=list, description="One entry per Campaign Group of the spec."
    )
    history: list[RunRecord] = Field(
        default_factory=list,
        max_length=HISTORY_LIMIT,
        description=f"The last {HISTORY_LIMIT} runs, newest first.",
    )
    last_skipped: SkippedOpening | None = Field(
        default=None, description="The latest opening an exclusion suppressed, and why."
    )
    run_now: RunNow | None = Field(default=None, description="The last run-now request seen.")
    suspend_reason: str | None = Field(default=None, description="Why it is suspended.")
    conditions: list[Condition] = Field(
        default_factory=list,
        description="Standard conditions: Ready, and Conflict while another Schedule's "
        "dialing mode wins a Campaign Group both want.",
    )
    observed_generation: int | None = Field(
        default=None, description="The spec generation this status was computed from."
    )
