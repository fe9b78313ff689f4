"""Field types every part of the API shares: times of day, durations, local dates.

Each is a string on the wire (what a user writes in YAML) with a pattern the
CRD enforces, and a validator here whose message says how to write it.
"""

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated

from pydantic import AfterValidator, Field

TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(h|m|s))+$"
NAME_PATTERN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
LONGEST_WINDOW = timedelta(days=31)
LOCAL_DATE_TIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
)


def check_time_of_day(text: str) -> str:
    if not re.fullmatch(TIME_OF_DAY_PATTERN, text):
        raise ValueError(
            f"{text!r} is not a time of day; write 24-hour HH:MM or HH:MM:SS, e.g. 08:00"
        )
    return text


def check_duration(text: str) -> str:
    if len(text) > 32 or not re.fullmatch(DURATION_PATTERN, text):
        raise ValueError(f"{text!r} is not a duration; write it like 90m, 8h or 1h30m")
    return text


def check_date(text: str) -> str:
    if re.fullmatch(DATE_PATTERN, text):
        try:
            date.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-12-24")


def check_local_date_time(text: str) -> str:
    if re.fullmatch(LOCAL_DATE_TIME_PATTERN, text):
        try:
            datetime.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise ValueError(
        f"{text!r} is not a local date and time; write YYYY-MM-DDTHH:MM[:SS], "
        "e.g. 2026-12-24T09:00:00, with no zone (timeZone gives it)"
    )


def parse_duration(text: str) -> timedelta:
    """Read a Go-style duration such as `90m`, `8h` or `1h30m`."""
    check_duration(text)
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    parts = re.findall(r"([0-9]+(\.[0-9]+)?)(h|m|s)", text)
    seconds = sum(float(n) * units[u] for n, _, u in parts)
    if seconds > LONGEST_WINDOW.total_seconds():
        raise ValueError(f"{text!r} is longer than {LONGEST_WINDOW.days} days; windows are shorter")
    return timedelta(seconds=seconds)


def parse_time_of_day(text: str) -> time:
    return time.fromisoformat(check_time_of_day(text))


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
    Field(max_length=32, json_schema_extra={"pattern": DURATION_PATTERN}),
]
LocalDate = Annotated[
    str,
    AfterValidator(check_date),
    Field(json_schema_extra={"pattern": DATE_PATTERN}),
]
LocalDateTime = Annotated[
    str,
    AfterValidator(check_local_date_time),
    Field(json_schema_extra={"pattern": LOCAL_DATE_TIME_PATTERN}),
]
