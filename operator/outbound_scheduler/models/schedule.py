"""The Schedule kind: when its Campaign Groups run, and what the operator reports.

A Schedule has exactly one recurrence (when windows open), a way for every
window to end, a time zone its wall-clock times are read in, and one or more
entries naming the Campaign Groups it runs.
"""

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import AfterValidator, Field, field_validator, model_validator

from outbound_scheduler.models.common import ApiModel, Condition, StatusModel
from outbound_scheduler.models.vocabulary import DialingMode, Weekday

TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(h|m|s))+$"
NAME_PATTERN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
HISTORY_LIMIT = 20


def check_time_of_day(text: str) -> str:
    if not re.fullmatch(TIME_OF_DAY_PATTERN, text):
        raise ValueError(
            f"{text!r} is not a time of day; write 24-hour HH:MM or HH:MM:SS, e.g. 08:00"
        )
    return text


def check_duration(text: str) -> str:
    if not re.fullmatch(DURATION_PATTERN, text):
        raise ValueError(f"{text!r} is not a duration; write it like 90m, 8h or 1h30m")
    return text


def parse_duration(text: str) -> timedelta:
    """Read a Go-style duration such as `90m`, `8h` or `1h30m`."""
    check_duration(text)
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    seconds = sum(
        float(n) * units[u] for n, _, u in re.findall(r"([0-9]+(\.[0-9]+)?)(h|m|s)", text)
    )
    return timedelta(seconds=seconds)


TimeOfDay = Annotated[
    str,
    AfterValidator(check_time_of_day),
    Field(
        description='Wall-clock time in the schedule\'s zone, 24-hour "HH:MM" or "HH:MM:SS".',
        json_schema_extra={"pattern": TIME_OF_DAY_PATTERN},
    ),
]
Duration = Annotated[
    str,
    AfterValidator(check_duration),
    Field(json_schema_extra={"pattern": DURATION_PATTERN}),
]


class DailyRecurrence(ApiModel):
    """Opens a window every day at one time."""

    at: TimeOfDay


class WeeklyRecurrence(ApiModel):
    """Opens a window on chosen days of the week at one time."""

    days: list[Weekday] = Field(
        min_length=1,
        max_length=7,
        description="Days of the week, e.g. [Monday, Tuesday]; each at most once.",
        json_schema_extra={"x-kubernetes-list-type": "set"},
    )
    at: TimeOfDay

    @field_validator("days")
    @classmethod
    def _days_once(cls, days: list[Weekday]) -> list[Weekday]:
        if len(set(days)) != len(days):
            raise ValueError("a day is listed twice; list each day once")
        return days


class WindowEnd(ApiModel):
    """How each window closes: at a time of day, or after a duration."""

    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "x-kubernetes-validations": [
                {
                    "rule": "has(self.at) != has(self.after)",
                    "message": "set exactly one of end.at (a time of day) "
                    "or end.after (a duration)",
                }
            ]
        }
    }

    at: TimeOfDay | None = Field(
        default=None,
        description="Time of day the window closes; earlier than the start means the next day.",
    )
    after: Duration | None = Field(
        default=None,
        description="Length of each window as a duration, e.g. 90m or 8h; keeps its real "
        "length across DST changes.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> "WindowEnd":
        if (self.at is None) == (self.after is None):
            raise ValueError("set exactly one of end.at (a time of day) or end.after (a duration)")
        if self.after is not None and parse_duration(self.after) <= timedelta(0):
            raise ValueError("end.after must be longer than zero")
        return self

    @property
    def length(self) -> timedelta | None:
        return parse_duration(self.after) if self.after is not None else None


class Action(StrEnum):
    START = "Start"


class CampaignGroupEntry(ApiModel):
    """One Campaign Group the Schedule runs, and how."""

    name: str = Field(
        pattern=NAME_PATTERN,
        max_length=253,
        description="Name of a CampaignGroup object in the Schedule's namespace.",
    )
    action: Action = Field(
        default=Action.START,
        description="What a window's opening does: Start loads the group and starts dialing; "
        "its closing stops dialing and unloads.",
    )
    dialing_mode: DialingMode | None = Field(
        default=None, description="Dialing mode for this Schedule; defaults to the group's own."
    )


RECURRENCE_FIELDS = ("daily", "weekly", "cron")


class ScheduleSpec(ApiModel):
    """When a set of Campaign Groups runs."""

    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "x-kubernetes-validations": [
                {
                    "rule": "[has(self.daily), has(self.weekly), has(self.cron)]"
                    ".filter(x, x).size() == 1",
                    "message": "set exactly one recurrence: daily, weekly or cron",
                }
            ]
        }
    }

    description: str = Field(default="", max_length=256, description="Shown in the list view.")
    time_zone: str = Field(
        default="UTC",
        description="IANA time zone every wall-clock time of this spec is read in, "
        "e.g. Europe/London.",
    )
    daily: DailyRecurrence | None = Field(default=None, description="Every day at a time.")
    weekly: WeeklyRecurrence | None = Field(
        default=None, description="On some days of the week at a time."
    )
    cron: str | None = Field(
        default=None,
        description='Five-field cron expression in the schedule\'s zone, e.g. "0 8 * * 1-5".',
    )
    end: WindowEnd | None = Field(
        default=None, description="How every window ends; a window that never ends is refused."
    )
    campaign_groups: list[CampaignGroupEntry] = Field(
        min_length=1, description="Campaign Groups this Schedule runs, each at most once."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r}; use an IANA name such as Europe/London or UTC"
            ) from None
        return name

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, expression: str | None) -> str | None:
        if expression is None:
            return None
        if len(expression.split()) != 5 or not croniter.is_valid(expression):
            raise ValueError(
                f"{expression!r} is not a five-field cron expression "
                '(minute hour day-of-month month day-of-week), e.g. "0 8 * * 1-5"'
            )
        return expression

    @model_validator(mode="after")
    def _whole_spec(self) -> "ScheduleSpec":
        chosen = [name for name in RECURRENCE_FIELDS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(
                f"set exactly one recurrence of daily, weekly or cron (found {len(chosen)})"
            )
        if self.end is None:
            raise ValueError(
                "windows never end: set end.at (a time of day) or end.after (a duration)"
            )
        names = [entry.name for entry in self.campaign_groups]
        if len(set(names)) != len(names):
            raise ValueError("campaignGroups names a Campaign Group twice; list each once")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class ScheduleState(StrEnum):
    ACTIVE = "Active"
    IDLE = "Idle"
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
    stop_reason: str | None = Field(default=None, description="Why the run ended.")


class ScheduleStatus(StatusModel):
    """What the operator observed and did; read by kubectl and dashboards."""

    state: ScheduleState | None = Field(
        default=None, description="Active (a window is open), Idle, or Error (spec unusable)."
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
    conditions: list[Condition] = Field(
        default_factory=list, description="Standard conditions: Ready."
    )
    observed_generation: int | None = Field(
        default=None, description="The spec generation this status was computed from."
    )
