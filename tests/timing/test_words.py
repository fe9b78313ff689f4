"""The schedule in words, as CX Contact's Schedules list writes it."""

from typing import Any

import pytest

from outbound_scheduler.models import ScheduleSpec
from outbound_scheduler.timing.words import clock_text, schedule_text, window_text


def spec(**fields: Any) -> ScheduleSpec:
    return ScheduleSpec.model_validate(
        {"end": {"after": "8h"}, "campaignGroups": [{"name": "cg"}], **fields}
    )


@pytest.mark.parametrize(
    ("at", "text"),
    [
        ("08:00", "08:00 AM"),
        ("14:00", "02:00 PM"),
        ("12:00", "12:00 PM"),
        ("00:00", "12:00 AM"),
        ("23:59", "11:59 PM"),
        ("08:00:30", "08:00:30 AM"),
        ("08:00:00", "08:00 AM"),
    ],
)
def test_clock_text_is_twelve_hour_with_seconds_only_when_set(at: str, text: str) -> None:
    assert clock_text(at) == text


def test_daily() -> None:
    assert schedule_text(spec(daily={"at": "08:00"})) == "Everyday at 08:00 AM"
    assert schedule_text(spec(daily={"at": "14:00"})) == "Everyday at 02:00 PM"
    assert schedule_text(spec(daily={"at": "08:00:30"})) == "Everyday at 08:00:30 AM"


def test_weekly_lists_days_in_week_order() -> None:
    weekly = {"days": ["Thursday", "Monday", "Wednesday", "Tuesday"], "at": "09:00"}
    assert schedule_text(spec(weekly=weekly)) == "Monday, Tuesday, Wednesday, Thursday at 09:00 AM"
    assert schedule_text(spec(weekly={"days": ["Sunday"], "at": "00:00"})) == "Sunday at 12:00 AM"


def test_weekly_on_all_seven_days_is_everyday() -> None:
    days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    assert schedule_text(spec(weekly={"days": days, "at": "12:00"})) == "Everyday at 12:00 PM"


@pytest.mark.parametrize(
    ("cron", "text"),
    [
        ("0 8 * * 1-5", "At 08:00 AM, Monday through Friday"),
        ("30 14 1 * *", "At 02:30 PM, on day 1 of the month"),
        ("0 0 * * 0", "At 12:00 AM, only on Sunday"),
        ("0 17 * * 7", "At 05:00 PM, only on Sunday"),
    ],
)
def test_cron_words_come_from_cron_descriptor_in_twelve_hour_time(cron: str, text: str) -> None:
    assert schedule_text(spec(cron=cron)) == text


def test_window_text() -> None:
    assert window_text(spec(daily={"at": "09:00"}, end={"at": "17:00"})) == "until 05:00 PM"
    assert window_text(spec(daily={"at": "09:00"}, end={"after": "8h"})) == "for 8h"
    assert window_text(spec(daily={"at": "09:00"}, end={"after": "90m"})) == "for 1h30m"


def test_once() -> None:
    christmas_eve = spec(once={"at": "2026-12-24T09:00:00"})
    assert schedule_text(christmas_eve) == "Once on 2026-12-24 at 09:00 AM"
    evening = spec(once={"at": "2026-12-24T18:30"})
    assert schedule_text(evening) == "Once on 2026-12-24 at 06:30 PM"


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ([1, "last"], "On day 1 and the last day of the month at 06:00 PM"),
        (["last", 1], "On day 1 and the last day of the month at 06:00 PM"),
        ([15], "On day 15 of the month at 06:00 PM"),
        ([15, 1], "On days 1 and 15 of the month at 06:00 PM"),
        ([20, "last", 1, 10], "On days 1, 10, 20 and the last day of the month at 06:00 PM"),
        (["last"], "On the last day of the month at 06:00 PM"),
    ],
)
def test_monthly_lists_days_in_order_with_the_last_day_last(days: list, text: str) -> None:
    assert schedule_text(spec(monthly={"days": days, "at": "18:00"})) == text


@pytest.mark.parametrize(
    ("every", "text"),
    [
        ({"weeks": 2, "from": "2026-01-05"}, "Every 2 weeks on Monday at 07:30 AM"),
        ({"weeks": 1, "from": "2026-01-04"}, "Every week on Sunday at 07:30 AM"),
        ({"days": 3, "from": "2026-01-05"}, "Every 3 days at 07:30 AM"),
        ({"days": 1, "from": "2026-01-05"}, "Every day at 07:30 AM"),
    ],
)
def test_every(every: dict, text: str) -> None:
    assert schedule_text(spec(every={**every, "at": "07:30"})) == text
