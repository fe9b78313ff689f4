"""Occurrences of once, monthly and every, and the startDate/endDate bounds on all forms."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from outbound_scheduler.timing.days import EveryPeriod, MonthDays, OneDate, Weekdays
from tests.timing.test_recurrence import occurrences, recurrence


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_once_is_one_occurrence_at_the_local_date_time() -> None:
    rule = recurrence("Europe/London", once={"at": "2026-12-24T09:00:00"})
    assert rule.next_after(utc(2020, 1, 1)) == utc(2026, 12, 24, 9)
    assert rule.next_after(utc(2026, 12, 24, 9)) is None
    assert rule.previous_at_or_before(utc(2030, 1, 1)) == utc(2026, 12, 24, 9)
    assert rule.previous_at_or_before(utc(2026, 12, 24, 8, 59)) is None
    summer = recurrence("Europe/London", once={"at": "2026-07-01T09:00"})
    assert summer.next_after(utc(2026, 1, 1)) == utc(2026, 7, 1, 8)


def test_once_follows_the_dst_policy() -> None:
    in_gap = recurrence("America/New_York", once={"at": "2026-03-08T02:30:00"})
    assert in_gap.next_after(utc(2026, 1, 1)) == utc(2026, 3, 8, 7, 0)  # 03:00 EDT
    repeated = recurrence("America/New_York", once={"at": "2026-11-01T01:30:00"})
    assert repeated.next_after(utc(2026, 1, 1)) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert repeated.next_after(utc(2026, 11, 1, 5, 30)) is None


def test_monthly_skips_a_day_the_month_lacks() -> None:
    rule = recurrence(monthly={"days": [31], "at": "12:00"})
    found = occurrences(rule, utc(2026, 1, 1), utc(2026, 9, 1))
    assert [t.date() for t in found] == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
        date(2026, 8, 31),
    ]
    assert rule.previous_at_or_before(utc(2026, 3, 30)) == utc(2026, 1, 31, 12)


def test_monthly_last_is_the_months_last_day() -> None:
    rule = recurrence(monthly={"days": ["last"], "at": "18:00"})
    found = occurrences(rule, utc(2024, 1, 1), utc(2024, 5, 1))
    assert [t.date() for t in found] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_monthly_31_and_last_on_the_same_day_open_once() -> None:
    rule = recurrence(monthly={"days": [1, "last", 31], "at": "18:00"})
    found = occurrences(rule, utc(2026, 1, 1), utc(2026, 3, 2))
    assert [t.date() for t in found] == [
        date(2026, 1, 1),
        date(2026, 1, 31),
        date(2026, 2, 1),
        date(2026, 2, 28),
        date(2026, 3, 1),
    ]


def test_monthly_in_a_zone_across_dst() -> None:
    rule = recurrence("Europe/London", monthly={"days": [1, 15], "at": "09:00"})
    assert rule.next_after(utc(2026, 3, 15, 9)) == utc(2026, 4, 1, 8)  # BST
    assert rule.previous_at_or_before(utc(2026, 4, 1, 7, 59)) == utc(2026, 3, 15, 9)  # GMT


def test_every_n_days_counts_from_the_anchor_and_not_before_it() -> None:
    rule = recurrence(every={"days": 3, "from": "2026-01-01", "at": "07:30"})
    assert rule.next_after(utc(2025, 6, 1)) == utc(2026, 1, 1, 7, 30)
    assert rule.previous_at_or_before(utc(2026, 1, 1, 7, 29)) is None
    assert rule.previous_at_or_before(utc(2026, 1, 6)) == utc(2026, 1, 4, 7, 30)
    found = occurrences(rule, utc(2026, 1, 1), utc(2026, 1, 12))
    assert [t.day for t in found] == [1, 4, 7, 10]


def test_every_n_weeks_is_on_the_anchors_weekday() -> None:
    rule = recurrence("Europe/London", every={"weeks": 2, "from": "2026-01-05", "at": "07:30"})
    found = occurrences(rule, utc(2026, 1, 1), utc(2026, 4, 1))
    assert [t.date() for t in found] == [
        date(2026, 1, 5),
        date(2026, 1, 19),
        date(2026, 2, 2),
        date(2026, 2, 16),
        date(2026, 3, 2),
        date(2026, 3, 16),
        date(2026, 3, 30),
    ]
    assert found[-1] == utc(2026, 3, 30, 6, 30)  # 07:30 BST


def test_every_one_day_is_daily_from_the_anchor() -> None:
    rule = recurrence(every={"days": 1, "from": "2026-05-01", "at": "08:00"})
    assert rule.next_after(utc(2026, 5, 3, 8)) == utc(2026, 5, 4, 8)
    assert rule.previous_at_or_before(utc(2026, 5, 1, 7)) is None


def test_start_and_end_dates_bound_openings_inclusively() -> None:
    rule = recurrence(daily={"at": "09:00"}, startDate="2026-05-10", endDate="2026-05-12")
    found = occurrences(rule, utc(2026, 5, 1), utc(2026, 6, 1))
    assert [t.day for t in found] == [10, 11, 12]
    assert rule.next_after(utc(2026, 5, 12, 9)) is None
    assert rule.previous_at_or_before(utc(2026, 5, 10, 8)) is None
    assert rule.previous_at_or_before(utc(2030, 1, 1)) == utc(2026, 5, 12, 9)


def test_bounds_are_local_dates() -> None:
    """08:00 in Tokyo on the 10th is 23:00 UTC on the 9th, and it is in bounds."""
    rule = recurrence("Asia/Tokyo", daily={"at": "08:00"}, startDate="2026-05-10")
    assert rule.next_after(utc(2026, 5, 1)) == utc(2026, 5, 9, 23)


def test_bounds_apply_to_cron() -> None:
    rule = recurrence(cron="0 9 * * 1-5", startDate="2026-05-06", endDate="2026-05-08")
    found = occurrences(rule, utc(2026, 5, 1), utc(2026, 6, 1))
    assert [t.day for t in found] == [6, 7, 8]


def test_bounds_judge_the_instant_a_gap_moves_an_opening_to() -> None:
    """Samoa skipped 2011-12-30: its 09:00 opens at 00:00 on the 31st, so the 31st owns it."""
    until_30th = recurrence("Pacific/Apia", daily={"at": "09:00"}, endDate="2011-12-30")
    assert until_30th.previous_at_or_before(utc(2012, 1, 5)) == utc(2011, 12, 29, 19)
    from_31st = recurrence("Pacific/Apia", daily={"at": "09:00"}, startDate="2011-12-31")
    found = occurrences(from_31st, utc(2011, 12, 25), utc(2011, 12, 31))
    assert found == [utc(2011, 12, 30, 10), utc(2011, 12, 30, 19)]


def test_a_bounded_schedule_ends() -> None:
    rule = recurrence(cron="* * * * *", endDate="2026-01-01")
    assert rule.next_after(utc(2026, 1, 1, 23, 59)) is None
    assert rule.next_after(utc(2027, 1, 1)) is None


@pytest.mark.parametrize(
    ("rule", "day", "first", "last"),
    [
        (Weekdays(frozenset({0})), date(2026, 5, 6), date(2026, 5, 11), date(2026, 5, 4)),
        (MonthDays(frozenset({30}), False), date(2026, 2, 1), date(2026, 3, 30), date(2026, 1, 30)),
        (MonthDays(frozenset(), True), date(2026, 2, 28), date(2026, 2, 28), date(2026, 2, 28)),
        (EveryPeriod(date(2026, 1, 1), 7), date(2026, 1, 9), date(2026, 1, 15), date(2026, 1, 8)),
        (OneDate(date(2026, 1, 1)), date(2025, 1, 1), date(2026, 1, 1), None),
        (OneDate(date(2026, 1, 1)), date(2027, 1, 1), None, date(2026, 1, 1)),
    ],
)
def test_day_rules_search_both_ways(rule: Any, day: date, first: Any, last: Any) -> None:
    assert rule.first_on_or_after(day) == first
    assert rule.last_on_or_before(day) == last
