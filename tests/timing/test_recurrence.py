"""Occurrences of daily, weekly and cron recurrences, across zones and DST changes."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outbound_scheduler.models import ScheduleSpec
from outbound_scheduler.timing.recurrence import Recurrence, compile_recurrence


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def recurrence(zone: str = "UTC", **fields: Any) -> Recurrence:
    spec = ScheduleSpec.model_validate(
        {"timeZone": zone, "end": {"after": "1h"}, "campaignGroups": [{"name": "cg"}], **fields}
    )
    return compile_recurrence(spec)


def occurrences(rule: Recurrence, a: datetime, b: datetime) -> list[datetime]:
    """Every occurrence in [a, b), walked with next_after."""
    found, t = [], a - timedelta(microseconds=1)
    while (t := rule.next_after(t)) is not None and t < b:
        found.append(t)
    return found


def test_daily_in_utc() -> None:
    rule = recurrence(daily={"at": "08:00"})
    assert rule.next_after(utc(2026, 5, 1, 7, 59)) == utc(2026, 5, 1, 8, 0)
    assert rule.next_after(utc(2026, 5, 1, 8, 0)) == utc(2026, 5, 2, 8, 0)
    assert rule.previous_at_or_before(utc(2026, 5, 1, 8, 0)) == utc(2026, 5, 1, 8, 0)
    assert rule.previous_at_or_before(utc(2026, 5, 1, 7, 59, 59)) == utc(2026, 4, 30, 8, 0)


def test_daily_with_seconds() -> None:
    rule = recurrence(daily={"at": "08:00:30"})
    assert rule.next_after(utc(2026, 5, 1, 8, 0)) == utc(2026, 5, 1, 8, 0, 30)


def test_answers_are_utc_whatever_zone_t_is_given_in() -> None:
    rule = recurrence("Europe/London", daily={"at": "09:00"})
    t = datetime(2026, 7, 6, 12, 0, tzinfo=rule.zone)
    assert rule.next_after(t) == utc(2026, 7, 7, 8, 0)
    assert rule.next_after(t).tzinfo is UTC


def test_weekly_in_london_skips_to_the_next_listed_day() -> None:
    rule = recurrence(
        "Europe/London",
        weekly={"days": ["Thursday", "Monday", "Tuesday", "Wednesday"], "at": "09:00"},
    )
    thursday_noon = utc(2026, 12, 3, 12, 0)
    assert rule.next_after(thursday_noon) == utc(2026, 12, 7, 9, 0)  # Monday, GMT
    assert rule.previous_at_or_before(thursday_noon) == utc(2026, 12, 3, 9, 0)
    assert rule.previous_at_or_before(utc(2026, 12, 7, 8, 0)) == utc(2026, 12, 3, 9, 0)
    assert rule.next_after(utc(2026, 7, 2, 12, 0)) == utc(2026, 7, 6, 8, 0)  # Monday, BST


def test_cron_weekdays_in_new_york() -> None:
    rule = recurrence("America/New_York", cron="0 8 * * 1-5")
    friday_noon = utc(2026, 12, 4, 17, 0)
    assert rule.next_after(friday_noon) == utc(2026, 12, 7, 13, 0)
    assert rule.previous_at_or_before(friday_noon) == utc(2026, 12, 4, 13, 0)
    assert rule.previous_at_or_before(utc(2026, 12, 4, 13, 0)) == utc(2026, 12, 4, 13, 0)
    assert rule.next_after(utc(2026, 7, 3, 17, 0)) == utc(2026, 7, 6, 12, 0)  # EDT


def test_cron_that_never_matches_has_no_occurrences() -> None:
    """The models refuse such a cron now; timing still answers None rather than hanging."""
    spec = ScheduleSpec.model_validate(
        {"cron": "0 0 * * *", "end": {"after": "1h"}, "campaignGroups": [{"name": "cg"}]}
    )
    rule = compile_recurrence(spec.model_copy(update={"cron": "0 0 30 2 *"}))
    assert rule.next_after(utc(2026, 1, 1)) is None
    assert rule.previous_at_or_before(utc(2026, 1, 1)) is None


def test_new_york_0230_on_the_spring_day_fires_at_0300() -> None:
    for rule in (
        recurrence("America/New_York", daily={"at": "02:30"}),
        recurrence("America/New_York", cron="30 2 * * *"),
    ):
        found = occurrences(rule, utc(2026, 3, 7), utc(2026, 3, 10))
        assert found == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]


def test_london_spring_day() -> None:
    """London skips 01:00-02:00: 01:30 fires at 02:00 BST, 02:30 is an ordinary 02:30 BST."""
    in_gap = recurrence("Europe/London", daily={"at": "01:30"})
    assert in_gap.next_after(utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1, 0)
    after_gap = recurrence("Europe/London", daily={"at": "02:30"})
    assert after_gap.next_after(utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1, 30)


def test_new_york_0130_on_the_fall_day_fires_once() -> None:
    for rule in (
        recurrence("America/New_York", daily={"at": "01:30"}),
        recurrence("America/New_York", cron="30 1 * * *"),
    ):
        found = occurrences(rule, utc(2026, 10, 31), utc(2026, 11, 3))
        assert found == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]
        second_0130 = utc(2026, 11, 1, 6, 30)  # 01:30 EST
        assert rule.previous_at_or_before(second_0130) == utc(2026, 11, 1, 5, 30)
        assert rule.next_after(second_0130) == utc(2026, 11, 2, 6, 30)


def test_berlin_0200_on_the_fall_day_fires_once_not_twice() -> None:
    for rule in (
        recurrence("Europe/Berlin", daily={"at": "02:00"}),
        recurrence("Europe/Berlin", cron="0 2 * * *"),
    ):
        found = occurrences(rule, utc(2023, 10, 28, 12), utc(2023, 10, 30, 12))
        assert found == [utc(2023, 10, 29, 0, 0), utc(2023, 10, 30, 1, 0)]


def test_warsaw_midnight_across_the_spring_day() -> None:
    for rule in (
        recurrence("Europe/Warsaw", daily={"at": "00:00"}),
        recurrence("Europe/Warsaw", cron="0 0 * * *"),
    ):
        found = occurrences(rule, utc(2017, 3, 25), utc(2017, 3, 28))
        assert found == [utc(2017, 3, 25, 23, 0), utc(2017, 3, 26, 22, 0), utc(2017, 3, 27, 22, 0)]
        assert rule.previous_at_or_before(utc(2017, 3, 26, 21, 59)) == utc(2017, 3, 25, 23, 0)


def test_paris_2000_stays_2000_local_across_the_fall_day() -> None:
    for rule in (
        recurrence("Europe/Paris", daily={"at": "20:00"}),
        recurrence("Europe/Paris", cron="0 20 * * *"),
    ):
        found = occurrences(rule, utc(2022, 10, 29), utc(2022, 11, 1))
        assert found == [
            utc(2022, 10, 29, 18, 0),
            utc(2022, 10, 30, 19, 0),
            utc(2022, 10, 31, 19, 0),
        ]


def test_hourly_cron_on_lord_howe_half_hour_jump() -> None:
    """02:00 does not exist on 2019-10-06 (02:00 -> 02:30): it fires at 02:30, then 03:00."""
    rule = recurrence("Australia/Lord_Howe", cron="0 * * * *")
    found = occurrences(rule, utc(2019, 10, 5, 14), utc(2019, 10, 5, 17, 1))
    assert found == [
        utc(2019, 10, 5, 14, 30),  # 01:00 +1030
        utc(2019, 10, 5, 15, 30),  # 02:00 -> 02:30 +11
        utc(2019, 10, 5, 16, 0),  # 03:00 +11
        utc(2019, 10, 5, 17, 0),  # 04:00 +11
    ]
    assert rule.previous_at_or_before(utc(2019, 10, 5, 15, 45)) == utc(2019, 10, 5, 15, 30)


def test_hourly_cron_on_lord_howe_half_hour_fold_fires_once() -> None:
    """On 2019-04-07 01:30-02:00 repeats: 01:00 fires once, the next is 02:00 +1030."""
    rule = recurrence("Australia/Lord_Howe", cron="0 * * * *")
    found = occurrences(rule, utc(2019, 4, 6, 13, 0), utc(2019, 4, 6, 16, 31))
    assert found == [
        utc(2019, 4, 6, 13, 0),  # 00:00 +11
        utc(2019, 4, 6, 14, 0),  # 01:00 +11
        utc(2019, 4, 6, 15, 30),  # 02:00 +1030
        utc(2019, 4, 6, 16, 30),  # 03:00 +1030
    ]


def test_even_hours_cron_in_london_on_the_spring_day() -> None:
    rule = recurrence("Europe/London", cron="0 */2 * * *")
    found = occurrences(rule, utc(2025, 3, 29, 22), utc(2025, 3, 30, 6))
    assert found == [
        utc(2025, 3, 29, 22, 0),  # 22:00 GMT
        utc(2025, 3, 30, 0, 0),  # 00:00 GMT
        utc(2025, 3, 30, 1, 0),  # 02:00 BST
        utc(2025, 3, 30, 3, 0),  # 04:00 BST
        utc(2025, 3, 30, 5, 0),  # 06:00 BST
    ]


def test_hourly_cron_skips_the_repeated_0100_in_london() -> None:
    rule = recurrence("Europe/London", cron="0 * * * *")
    found = occurrences(rule, utc(2026, 10, 24, 23), utc(2026, 10, 25, 3, 1))
    assert found == [
        utc(2026, 10, 24, 23, 0),  # 00:00 BST
        utc(2026, 10, 25, 0, 0),  # 01:00 BST; 01:00 GMT does not fire
        utc(2026, 10, 25, 2, 0),  # 02:00 GMT
        utc(2026, 10, 25, 3, 0),
    ]


@pytest.mark.parametrize("cron", ["0 * * * *", "*/15 * * * *"])
def test_cron_asked_from_inside_the_repeated_hour(cron: str) -> None:
    rule = recurrence("Europe/London", cron=cron)
    second_0130 = utc(2026, 10, 25, 1, 30)  # 01:30 GMT; 01:30 BST was an hour ago
    assert rule.next_after(second_0130) == utc(2026, 10, 25, 2, 0)
    expected_previous = utc(2026, 10, 25, 0, 0) if cron == "0 * * * *" else utc(2026, 10, 25, 0, 45)
    assert rule.previous_at_or_before(second_0130) == expected_previous


def test_cron_asked_just_after_a_gap() -> None:
    rule = recurrence("America/New_York", cron="*/20 * * * *")
    just_after = utc(2026, 3, 8, 7, 0)  # 03:00 EDT; 02:00-03:00 never happened
    assert rule.previous_at_or_before(just_after) == just_after  # 03:00 itself
    assert rule.previous_at_or_before(just_after - timedelta(seconds=1)) == utc(2026, 3, 8, 6, 40)
    assert rule.next_after(just_after) == utc(2026, 3, 8, 7, 20)


def test_collapsed_occurrence_is_named_by_its_earliest_reading() -> None:
    rule = recurrence("Europe/London", cron="0 * * * *")
    at_gap_end = utc(2026, 3, 29, 1, 0)
    assert rule.occurrence_at_or_before(at_gap_end) == rule.occurrence_after(
        utc(2026, 3, 29, 0, 30)
    )
    assert rule.occurrence_at_or_before(at_gap_end).wall == datetime(2026, 3, 29, 1, 0)
