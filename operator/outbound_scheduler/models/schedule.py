"""The Schedule kind's spec: when its Campaign Groups run.

A Schedule has exactly one recurrence (when windows open), a way for every
window to end, a time zone its wall-clock times are read in, calendar rules
(bounds, exclusions, allowed hours) and one or more entries naming the
Campaign Groups it runs.
"""

from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from outbound_scheduler.models.calendar import AllowedHours, Exclusions
from outbound_scheduler.models.campaign_group import Optimization
from outbound_scheduler.models.common import ApiModel
from outbound_scheduler.models.fields import NAME_PATTERN, LocalDate
from outbound_scheduler.models.recurrence import (
    RECURRENCE_FIELDS,
    DailyRecurrence,
    EveryRecurrence,
    MonthlyRecurrence,
    OnceRecurrence,
    WeeklyRecurrence,
    WindowEnd,
    check_cron,
    exactly_one_rule,
)
from outbound_scheduler.models.rules import Sequence, StopRule
from outbound_scheduler.models.vocabulary import DialingMode

MAX_ENTRIES = 64  # Campaign Groups per Schedule; bounds the CRD's validation cost


class Action(StrEnum):
    """What a window's opening does to a Campaign Group (CX Contact's schedule actions)."""

    START = "Start"  # load and start dialing; the closing stops and unloads
    START_PAUSED = "StartPaused"  # load without dialing; the closing unloads
    STOP = "Stop"  # stop dialing and unload, once, at the opening
    FORCE_STOP = "ForceStop"  # force unload at once, calls in progress included, at the opening
    SET_DIALING_MODE = "SetDialingMode"  # change mode and optimization of a loaded group

    @property
    def holds(self) -> bool:
        """True when the action keeps the group in a state until the window closes."""
        return self in (Action.START, Action.START_PAUSED)


class CampaignGroupEntry(ApiModel):
    """One Campaign Group the Schedule runs, and how."""

    name: str = Field(
        pattern=NAME_PATTERN,
        max_length=253,
        description="Name of a CampaignGroup object in the Schedule's namespace.",
    )
    action: Action = Field(
        default=Action.START,
        description="What a window's opening does. Start: load and start dialing, stopped and "
        "unloaded at the closing. StartPaused: load only, unloaded at the closing. Stop: stop "
        "dialing and unload. ForceStop: unload at once, calls in progress included. "
        "SetDialingMode: change the mode and optimization of a loaded group. The last three "
        "act once, at the opening.",
    )
    dialing_mode: DialingMode | None = Field(
        default=None, description="Dialing mode for this Schedule; defaults to the group's own."
    )
    optimization: Optimization | None = Field(
        default=None, description="Optimization method and goal; defaults to the group's own."
    )
    auto_completion: bool = Field(
        default=False,
        description="Ask OCS to stop and unload the group by itself when no dialable records "
        "remain (GSW_AUTO_COMPLETION).",
    )
    stop_when: StopRule | None = Field(
        default=None,
        description="Ends this entry's run before its window closes: after a duration, or at a "
        "penetration or completion percentage, whichever comes first.",
    )
    after: Sequence | None = Field(
        default=None,
        description="Starts this entry, within the window, only once another entry's group "
        "reaches a penetration or completion percentage or completes.",
    )

    @model_validator(mode="after")
    def _mode_needs_something(self) -> "CampaignGroupEntry":
        if self.action is Action.SET_DIALING_MODE and not (self.dialing_mode or self.optimization):
            raise ValueError("action SetDialingMode needs dialingMode or optimization to set")
        if self.stop_when is not None and not self.action.holds:
            raise ValueError(
                f"stopWhen ends a run, but action {self.action} acts once at the opening; "
                "use it with Start or StartPaused"
            )
        return self


class ScheduleSpec(ApiModel):
    """When a set of Campaign Groups runs."""

    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "x-kubernetes-validations": [
                exactly_one_rule(
                    RECURRENCE_FIELDS,
                    "set exactly one recurrence: once, daily, weekly, monthly, every or cron",
                )
            ]
        }
    }

    description: str = Field(default="", max_length=256, description="Shown in the list view.")
    time_zone: str = Field(
        default="UTC",
        max_length=64,
        description="IANA time zone every wall-clock time of this spec is read in, "
        "e.g. Europe/London.",
    )
    once: OnceRecurrence | None = Field(default=None, description="One window, once.")
    daily: DailyRecurrence | None = Field(default=None, description="Every day at a time.")
    weekly: WeeklyRecurrence | None = Field(
        default=None, description="On some days of the week at a time."
    )
    monthly: MonthlyRecurrence | None = Field(
        default=None, description="On some days of the month at a time."
    )
    every: EveryRecurrence | None = Field(
        default=None, description="Every N days or weeks from an anchor date, at a time."
    )
    cron: str | None = Field(
        default=None,
        description='Five-field cron expression in the schedule\'s zone, e.g. "0 8 * * 1-5".',
    )
    end: WindowEnd | None = Field(
        default=None, description="How every window ends; a window that never ends is refused."
    )
    start_date: LocalDate | None = Field(
        default=None, description="No window opens before this local date (YYYY-MM-DD)."
    )
    end_date: LocalDate | None = Field(
        default=None, description="No window opens after this local date (included)."
    )
    exclusions: Exclusions | None = Field(
        default=None, description="Dates, ranges and public holidays on which no window opens."
    )
    allowed_hours: AllowedHours | None = Field(
        default=None,
        description="Hours of the day dialing is allowed; every window is cut to them.",
    )
    starting_deadline_seconds: int | None = Field(
        default=None,
        ge=0,
        description="How late after an opening (e.g. after operator downtime) a run may still "
        "start; later it is adopted if OCS already runs the group, else Missed. Default: the "
        "operator's setting, 300.",
    )
    suspend: bool = Field(
        default=False,
        description="True closes open windows, stopping what they started, and opens no more.",
    )
    suspend_reason: str | None = Field(
        default=None, max_length=256, description="Why the Schedule is suspended, for people."
    )
    campaign_groups: list[CampaignGroupEntry] = Field(
        min_length=1,
        max_length=MAX_ENTRIES,
        description="Campaign Groups this Schedule runs, each at most once.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, a long name
            raise ValueError(
                f"unknown time zone {name!r}; use an IANA name such as Europe/London or UTC"
            ) from None
        return name

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, expression: str | None) -> str | None:
        return check_cron(expression) if expression is not None else None

    @model_validator(mode="after")
    def _whole_spec(self) -> "ScheduleSpec":
        chosen = [name for name in RECURRENCE_FIELDS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(
                "set exactly one recurrence of once, daily, weekly, monthly, every or cron "
                f"(found {len(chosen)})"
            )
        if self.end is None:
            raise ValueError(
                "windows never end: set end.at (a time of day) or end.after (a duration)"
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"endDate {self.end_date} is before startDate {self.start_date}")
        names = [entry.name for entry in self.campaign_groups]
        if len(set(names)) != len(names):
            raise ValueError("campaignGroups names a Campaign Group twice; list each once")
        check_sequences(self.campaign_groups)
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def first_date(self) -> date | None:
        return date.fromisoformat(self.start_date) if self.start_date else None

    @property
    def last_date(self) -> date | None:
        return date.fromisoformat(self.end_date) if self.end_date else None

    @property
    def starting_deadline(self) -> timedelta | None:
        seconds = self.starting_deadline_seconds
        return timedelta(seconds=seconds) if seconds is not None else None


def check_sequences(entries: list[CampaignGroupEntry]) -> None:
    """Every `after` names another entry that dials, and following them never loops."""
    by_name = {entry.name: entry for entry in entries}
    for index, entry in enumerate(entries):
        if entry.after is None:
            continue
        where = f"campaignGroups[{index}].after.campaignGroup"
        leader = by_name.get(entry.after.campaign_group)
        if leader is None or leader is entry:
            others = sorted(set(by_name) - {entry.name})
            fix = f"name one of {others}" if others else "add the leading entry to campaignGroups"
            raise ValueError(
                f"{where}: {entry.after.campaign_group!r} is not another entry of this "
                f"Schedule; {fix}"
            )
        if leader.action is not Action.START:
            raise ValueError(
                f"{where}: {leader.name!r} has action {leader.action}; only a dialing entry "
                "(Start) makes progress to follow"
            )
    for entry in entries:
        chain, current = [entry.name], entry
        while current.after is not None:
            current = by_name[current.after.campaign_group]
            if current.name in chain:
                loop = " → ".join([*chain[chain.index(current.name) :], current.name])
                raise ValueError(
                    f"campaignGroups: the sequence {loop} is a cycle; "
                    "one entry of it must start without after"
                )
            chain.append(current.name)
