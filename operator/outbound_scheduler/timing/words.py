"""A Schedule in words, the way CX Contact's Schedules list writes it.

"Everyday at 08:00 AM" for daily (or all seven days), "Monday, Tuesday at
09:00 AM" for weekly with the days in week order, and for cron whatever the
cron-descriptor library says, in US English with a 12-hour clock. The forms CX
Contact lacks follow the same pattern: "Once on 2026-12-24 at 09:00 AM", "On
days 1, 15 and the last day of the month at 06:00 PM" (numbered days in order,
the last day last), "Every 2 weeks on Monday at 07:30 AM", "Every 3 days at
07:30 AM". Times show seconds only when a spec gives non-zero ones. The words
never depend on the machine's locale.
"""

from datetime import time, timedelta
from functools import lru_cache

from cron_descriptor import Options, get_description

from outbound_scheduler.models.recurrence import EveryRecurrence, MonthDay
from outbound_scheduler.models.schedule import ScheduleSpec
from outbound_scheduler.models.vocabulary import Weekday
from outbound_scheduler.timing.recurrence import NO_RECURRENCE

CRON_WORDS = Options(locale_code="en_US", use_24hour_time_format=False)


def clock_text(at: str) -> str:
    """A 24-hour "HH:MM[:SS]" as a 12-hour reading: "00:00" is "12:00 AM", "12:00" "12:00 PM"."""
    reading = time.fromisoformat(at)
    hour = reading.hour % 12 or 12
    seconds = f":{reading.second:02d}" if reading.second else ""
    half = "AM" if reading.hour < 12 else "PM"
    return f"{hour:02d}:{reading.minute:02d}{seconds} {half}"


def schedule_text(spec: ScheduleSpec) -> str:
    """When the Schedule's windows open, in words."""
    if spec.daily is not None:
        return f"Everyday at {clock_text(spec.daily.at)}"
    if spec.weekly is not None:
        days = sorted(set(spec.weekly.days), key=lambda day: day.index)
        if len(days) == len(Weekday):
            return f"Everyday at {clock_text(spec.weekly.at)}"
        return f"{', '.join(days)} at {clock_text(spec.weekly.at)}"
    if spec.cron is not None:
        return cron_text(spec.cron)
    if spec.once is not None:
        local = spec.once.local
        return f"Once on {local:%Y-%m-%d} at {clock_text(local.time().isoformat())}"
    if spec.monthly is not None:
        days = month_days_text(spec.monthly.days)
        return f"On {days} of the month at {clock_text(spec.monthly.at)}"
    if spec.every is not None:
        return f"{every_text(spec.every)} at {clock_text(spec.every.at)}"
    raise ValueError(NO_RECURRENCE)


def month_days_text(days: list[MonthDay]) -> str:
    """Days of the month in words: "day 15", "days 1 and 15", "day 1 and the last day"."""
    numbered = sorted(day for day in days if isinstance(day, int))
    parts = [str(day) for day in numbered] + (["the last day"] if "last" in days else [])
    if not numbered:
        return listed(parts)
    return f"{'day' if len(numbered) == 1 else 'days'} {listed(parts)}"


def every_text(every: EveryRecurrence) -> str:
    """The period in words: "Every 2 weeks on Monday", "Every 3 days", "Every day"."""
    if every.weeks is not None:
        weekday = list(Weekday)[every.anchor.weekday()]
        count = "week" if every.weeks == 1 else f"{every.weeks} weeks"
        return f"Every {count} on {weekday}"
    assert every.days is not None
    return "Every day" if every.days == 1 else f"Every {every.days} days"


def listed(parts: list[str]) -> str:
    """Words joined the way people list them: "a", "a and b", "a, b and c"."""
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


@lru_cache(maxsize=4096)
def cron_text(expression: str) -> str:
    """A cron expression in words; cron-descriptor is slow enough to be worth remembering."""
    return get_description(expression, CRON_WORDS)


def duration_text(length: timedelta) -> str:
    """A length the short way Kubernetes users write it: "8h", "1h30m", "90s"."""
    seconds = int(length.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{count}{unit}" for count, unit in parts if count) or "0s"


def window_text(spec: ScheduleSpec) -> str:
    """How each window ends, in words: "until 05:00 PM" or "for 8h"."""
    if spec.end is None:
        raise ValueError("windows never end: set end.at or end.after")
    if spec.end.at is not None:
        return f"until {clock_text(spec.end.at)}"
    assert spec.end.length is not None
    return f"for {duration_text(spec.end.length)}"
