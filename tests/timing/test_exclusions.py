"""Exclusions: excluded dates, ranges and public holidays suppress openings, with a reason."""

import time as clock
from datetime import UTC, date, datetime
from typing import Any

from outbound_scheduler.models import Exclusions
from outbound_scheduler.timing import Skip, Timetable, Window
from outbound_scheduler.timing.calendar import ExclusionCalendar, exclusion_calendar
from tests.timing.test_windows import timetable

CHRISTMAS_2026 = {"dates": ["2026-12-24"], "holidays": [{"country": "GB", "subdivision": "ENG"}]}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def daily_london(**fields: Any) -> Timetable:
    return timetable("Europe/London", daily={"at": "09:00"}, end={"at": "17:00"}, **fields)


def opening_days(table: Timetable, a: datetime, b: datetime) -> list[int]:
    return [window.start.day for window in table.windows_between(a, b)]


def test_holidays_dates_and_ranges_open_nothing() -> None:
    table = daily_london(
        exclusions={
            "dates": ["2026-12-24"],
            "ranges": [{"from": "2026-12-29", "to": "2026-12-30"}],
            "holidays": [{"country": "GB", "subdivision": "ENG"}],
        }
    )
    # 25th Christmas Day, 26th Boxing Day, 28th Boxing Day (observed).
    assert opening_days(table, utc(2026, 12, 21), utc(2027, 1, 1)) == [21, 22, 23, 27, 31]
    assert table.window_at(utc(2026, 12, 25, 12)) is None
    assert table.next_window_after(utc(2026, 12, 23, 12)).start == utc(2026, 12, 27, 9)


def test_each_skip_says_why() -> None:
    table = daily_london(
        exclusions={
            "dates": ["2026-12-24"],
            "ranges": [{"from": "2026-12-29", "to": "2026-12-31"}],
            "holidays": [{"country": "GB", "subdivision": "ENG"}],
        }
    )
    assert table.skipped_at_or_before(utc(2026, 12, 24, 12)) == Skip(
        utc(2026, 12, 24, 9), "excluded date 2026-12-24"
    )
    assert table.skipped_at_or_before(utc(2026, 12, 25, 9)) == Skip(
        utc(2026, 12, 25, 9), "holiday: Christmas Day (GB-ENG)"
    )
    assert table.skipped_at_or_before(utc(2026, 12, 30, 8)) == Skip(
        utc(2026, 12, 29, 9), "excluded range 2026-12-29..2026-12-31"
    )
    assert table.next_skip_after(utc(2026, 12, 25, 9)) == Skip(
        utc(2026, 12, 26, 9), "holiday: Boxing Day (GB-ENG)"
    )


def test_skipped_at_or_before_finds_the_latest_and_none_before_any() -> None:
    table = daily_london(exclusions={"holidays": [{"country": "GB", "subdivision": "ENG"}]})
    latest = table.skipped_at_or_before(utc(2026, 12, 24, 12))
    assert latest == Skip(utc(2026, 8, 31, 8), "holiday: Late Summer Bank Holiday (GB-ENG)")
    assert daily_london().skipped_at_or_before(utc(2026, 12, 24)) is None
    assert daily_london().next_skip_after(utc(2026, 12, 24)) is None


def test_a_listed_date_is_named_before_a_holiday_on_it() -> None:
    calendar = ExclusionCalendar(
        Exclusions.model_validate({"dates": ["2026-12-25"], "holidays": [{"country": "GB"}]})
    )
    assert calendar.reason(date(2026, 12, 25)) == "excluded date 2026-12-25"
    assert calendar.reason(date(2026, 12, 26)) == "holiday: Boxing Day (GB)"
    assert calendar.reason(date(2026, 12, 23)) is None


def test_holiday_names_are_english_where_the_calendar_can_be() -> None:
    calendar = exclusion_calendar(
        Exclusions.model_validate({"holidays": [{"country": "DE", "subdivision": "BY"}]})
    )
    assert calendar is not None
    assert calendar.reason(date(2026, 12, 25)) == "holiday: Christmas Day (DE-BY)"
    assert calendar.reason(date(2026, 1, 6)) == "holiday: Epiphany (DE-BY)"


def test_no_exclusions_means_no_calendar() -> None:
    assert exclusion_calendar(None) is None
    assert exclusion_calendar(Exclusions()) is None


def test_skipped_openings_wake_the_operator() -> None:
    table = daily_london(exclusions=CHRISTMAS_2026)
    assert table.next_change_after(utc(2026, 12, 23, 17)) == utc(2026, 12, 24, 9)  # skip
    assert table.next_change_after(utc(2026, 12, 24, 9)) == utc(2026, 12, 25, 9)  # skip
    assert table.next_change_after(utc(2026, 12, 26, 9)) == utc(2026, 12, 27, 9)  # window
    assert table.next_change_after(utc(2026, 12, 27, 9)) == utc(2026, 12, 27, 17)


def test_a_skipped_opening_does_not_cut_the_open_window() -> None:
    table = timetable(
        daily={"at": "09:00"}, end={"after": "30h"}, exclusions={"dates": ["2026-05-02"]}
    )
    window = table.window_at(utc(2026, 5, 2, 12))
    assert window == Window(utc(2026, 5, 1, 9), utc(2026, 5, 2, 15))
    # The window stays open across the skip, and the skip still wakes the operator.
    assert table.next_change_after(utc(2026, 5, 2, 8)) == utc(2026, 5, 2, 9)
    assert table.window_at(utc(2026, 5, 2, 9)) == window


def test_the_opening_instants_local_date_is_what_is_excluded() -> None:
    """08:00 in Tokyo on the 10th is 23:00 UTC on the 9th: excluding the 10th skips it."""
    table = timetable(
        "Asia/Tokyo",
        daily={"at": "08:00"},
        end={"after": "1h"},
        exclusions={"dates": ["2026-05-10"]},
    )
    assert table.next_window_after(utc(2026, 5, 9)).start == utc(2026, 5, 10, 23)
    assert table.next_skip_after(utc(2026, 5, 9)).opening == utc(2026, 5, 9, 23)


def test_a_once_on_a_holiday_never_opens() -> None:
    table = timetable(
        "Europe/London",
        once={"at": "2026-12-25T09:00"},
        end={"after": "8h"},
        exclusions={"holidays": [{"country": "GB"}]},
    )
    assert table.next_window_after(utc(2026, 1, 1)) is None
    assert table.skipped_at_or_before(utc(2027, 1, 1)) == Skip(
        utc(2026, 12, 25, 9), "holiday: Christmas Day (GB)"
    )


def test_a_recurrence_that_only_hits_holidays_ends_the_search() -> None:
    table = timetable(
        "Europe/London",
        cron="0 9 25 12 *",
        end={"after": "1h"},
        exclusions={"holidays": [{"country": "GB"}]},
    )
    assert table.next_window_after(utc(2026, 1, 1)) is None
    assert table.window_at(utc(2026, 12, 25, 9, 30)) is None
    assert table.next_change_after(utc(2026, 1, 1)) == utc(2026, 12, 25, 9)


def test_a_long_range_is_jumped_not_walked() -> None:
    table = timetable(
        cron="* * * * *",
        end={"after": "1m"},
        exclusions={"ranges": [{"from": "2026-01-01", "to": "2026-03-31"}]},
    )
    began = clock.perf_counter()
    assert table.next_window_after(utc(2025, 12, 31, 23, 59)).start == utc(2026, 4, 1)
    assert table.window_at(utc(2026, 3, 31, 23, 59, 30)) is None
    assert table.skipped_at_or_before(utc(2026, 6, 1)).opening == utc(2026, 3, 31, 23, 59)
    assert clock.perf_counter() - began < 0.5
    previous = table.window_at(utc(2025, 12, 31, 23, 59, 30))
    assert previous == Window(utc(2025, 12, 31, 23, 59), utc(2026, 1, 1))
