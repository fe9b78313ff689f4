"""When windows open and how they end: the recurrence forms and the end rule.

A Schedule uses exactly one recurrence. Friendly forms carry a start time of
day `at`; cron carries its own. All are read as wall-clock times in the
Schedule's zone.
"""

from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Literal

from croniter import CroniterBadDateError, croniter
from pydantic import Field, field_validator, model_validator

from outbound_scheduler.models.common import ApiModel
from outbound_scheduler.models.fields import (
    Duration,
    LocalDate,
    LocalDateTime,
    TimeOfDay,
    parse_duration,
)
from outbound_scheduler.models.vocabulary import Weekday

RECURRENCE_FIELDS = ("once", "daily", "weekly", "monthly", "every", "cron")


def exactly_one_rule(fields: tuple[str, ...], message: str) -> dict:
    """A CEL rule asking for exactly one of `fields` to be set."""
    listed = ", ".join(f"has(self.{name})" for name in fields)
    return {"rule": f"[{listed}].filter(x, x).size() == 1", "message": message}


class OnceRecurrence(ApiModel):
    """Opens one window, at one local date and time."""

    at: LocalDateTime = Field(
        description='Local date and time in the schedule\'s zone, e.g. "2026-12-24T09:00:00".'
    )

    @property
    def local(self) -> datetime:
        return datetime.fromisoformat(self.at)


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


MonthDay = int | Literal["last"]


class MonthlyRecurrence(ApiModel):
    """Opens a window on chosen days of the month at one time."""

    days: list[MonthDay] = Field(
        min_length=1,
        max_length=32,
        description='Days of the month, 1 to 31, or "last" for the month\'s last day; a day a '
        "month lacks (31 in April) is skipped that month.",
    )
    at: TimeOfDay

    @field_validator("days")
    @classmethod
    def _valid_days(cls, days: list[MonthDay]) -> list[MonthDay]:
        for day in days:
            if day != "last" and not 1 <= day <= 31:
                raise ValueError(f'day {day} does not exist; use 1 to 31 or "last"')
        if len(set(days)) != len(days):
            raise ValueError("a day is listed twice; list each day once")
        return days


class EveryRecurrence(ApiModel):
    """Opens a window every N days or every N weeks, counted from an anchor date."""

    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "x-kubernetes-validations": [
                {
                    "rule": "has(self.days) != has(self.weeks)",
                    "message": "set exactly one of every.days or every.weeks",
                }
            ]
        }
    }

    days: int | None = Field(default=None, ge=1, le=366, description="Every this many days.")
    weeks: int | None = Field(default=None, ge=1, le=52, description="Every this many weeks.")
    from_: LocalDate = Field(
        alias="from",
        description="The anchor date, the first day that can open a window; with weeks, "
        "windows open on its day of the week.",
    )
    at: TimeOfDay

    @model_validator(mode="after")
    def _exactly_one(self) -> "EveryRecurrence":
        if (self.days is None) == (self.weeks is None):
            raise ValueError("set exactly one of every.days or every.weeks")
        return self

    @property
    def anchor(self) -> date:
        return date.fromisoformat(self.from_)

    @property
    def period_days(self) -> int:
        return self.days if self.days is not None else 7 * (self.weeks or 1)


def check_cron(expression: str) -> str:
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValueError(
            f"{expression!r} is not a five-field cron expression "
            '(minute hour day-of-month month day-of-week), e.g. "0 8 * * 1-5"'
        )
    try:  # eight years cover every date that exists, 29 February included
        croniter(expression, datetime(2000, 1, 1), max_years_between_matches=8).get_next()
    except CroniterBadDateError:
        raise ValueError(f"{expression!r} never matches a date (e.g. 30 February)") from None
    return expression


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
        if self.after is not None and self.length <= timedelta(0):
            raise ValueError("end.after must be longer than zero")
        return self

    @cached_property
    def length(self) -> timedelta | None:
        return parse_duration(self.after) if self.after is not None else None
