"""Windows: end rules across DST, clipping at the next opening, and the questions asked of them."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from outbound_scheduler.models import ScheduleSpec
from outbound_scheduler.timing.windows import Timetable, Window, compile_timetable


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def timetable(zone: str = "UTC", **fields: Any) -> Timetable:
    spec = ScheduleSpec.model_validate(
        {"timeZone": zone, "campaignGroups": [{"name": "cg"}], **fields}
    )
    return compile_timetable(spec)


def test_window_opening_is_a_compact_utc_key() -> None:
    plus_one = timezone(timedelta(hours=1))
    window = Window(datetime(2026, 12, 7, 10, 0, tzinfo=plus_one), utc(2026, 12, 7, 17))
    assert window.opening == "20261207T090000Z"


def test_window_at_includes_the_start_and_excludes_the_end() -> None:
    table = timetable("Europe/London", daily={"at": "08:00"}, end={"at": "17:00"})
    window = Window(utc(2026, 12, 7, 8), utc(2026, 12, 7, 17))
    assert table.window_at(utc(2026, 12, 7, 8)) == window
    assert table.window_at(utc(2026, 12, 7, 16, 59, 59)) == window
    assert table.window_at(utc(2026, 12, 7, 17)) is None
    assert table.window_at(utc(2026, 12, 7, 7, 59)) is None


def test_next_window_after_is_strict() -> None:
    table = timetable(daily={"at": "08:00"}, end={"after": "8h"})
    assert table.next_window_after(utc(2026, 5, 1, 8)) == Window(
        utc(2026, 5, 2, 8), utc(2026, 5, 2, 16)
    )
    assert table.next_window_after(utc(2026, 5, 1, 7)) == Window(
        utc(2026, 5, 1, 8), utc(2026, 5, 1, 16)
    )


def test_windows_between_takes_openings_in_a_half_open_range() -> None:
    table = timetable(
        "Europe/London",
        weekly={"days": ["Monday", "Tuesday", "Wednesday", "Thursday"], "at": "09:00"},
        end={"at": "17:00"},
    )
    starts = [w.start for w in table.windows_between(utc(2026, 12, 3, 9), utc(2026, 12, 8, 9))]
    assert starts == [utc(2026, 12, 3, 9), utc(2026, 12, 7, 9)]


def test_next_change_is_the_close_inside_a_window_and_the_opening_outside() -> None:
    table = timetable(daily={"at": "08:00"}, end={"at": "17:00"})
    assert table.next_change_after(utc(2026, 5, 1, 12)) == utc(2026, 5, 1, 17)
    assert table.next_change_after(utc(2026, 5, 1, 17)) == utc(2026, 5, 2, 8)
    assert table.next_change_after(utc(2026, 5, 1, 7)) == utc(2026, 5, 1, 8)
    assert table.next_change_after(utc(2026, 5, 1, 8)) == utc(2026, 5, 1, 17)


def test_end_after_keeps_its_real_length_across_spring_forward() -> None:
    table = timetable("Europe/London", daily={"at": "23:30"}, end={"after": "8h"})
    window = table.next_window_after(utc(2026, 3, 28, 12))
    assert window == Window(utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 7, 30))  # 08:30 BST
    assert window.length == timedelta(hours=8)


def test_end_at_ends_at_the_wall_time_across_spring_forward() -> None:
    table = timetable("Europe/London", daily={"at": "23:30"}, end={"at": "07:30"})
    window = table.next_window_after(utc(2026, 3, 28, 12))
    assert window == Window(utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 6, 30))  # 07:30 BST
    assert window.length == timedelta(hours=7)


def test_end_at_ends_at_the_wall_time_across_fall_back() -> None:
    table = timetable("America/New_York", daily={"at": "22:00"}, end={"at": "06:00"})
    window = table.next_window_after(utc(2026, 10, 31, 12))
    assert window == Window(utc(2026, 11, 1, 2, 0), utc(2026, 11, 1, 11, 0))  # 06:00 EST
    assert window.length == timedelta(hours=9)


def test_end_at_in_the_repeated_hour_ends_at_its_first_occurrence() -> None:
    table = timetable("America/New_York", daily={"at": "00:30"}, end={"at": "01:30"})
    window = table.next_window_after(utc(2026, 10, 31, 12))
    assert window == Window(utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 5, 30))  # 01:30 EDT


def test_end_before_start_means_the_next_day() -> None:
    table = timetable(daily={"at": "22:00"}, end={"at": "06:00"})
    assert table.window_at(utc(2026, 5, 2, 3)) == Window(utc(2026, 5, 1, 22), utc(2026, 5, 2, 6))


def test_end_equal_to_start_means_a_whole_wall_clock_day() -> None:
    table = timetable(
        "Europe/London", weekly={"days": ["Saturday"], "at": "09:00"}, end={"at": "09:00"}
    )
    window = table.next_window_after(utc(2026, 3, 27))
    assert window == Window(utc(2026, 3, 28, 9), utc(2026, 3, 29, 8))  # 23 h of real time


def test_window_wholly_inside_a_gap_keeps_its_planned_length() -> None:
    """02:10-02:40 never happens on New York's spring day: it runs 03:00-03:30 EDT."""
    table = timetable("America/New_York", daily={"at": "02:10"}, end={"at": "02:40"})
    window = table.next_window_after(utc(2026, 3, 7, 12))
    assert window == Window(utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 30))


def test_window_is_clipped_at_the_next_opening() -> None:
    table = timetable(daily={"at": "08:00"}, end={"after": "30h"})
    first = table.next_window_after(utc(2026, 5, 1))
    assert first == Window(utc(2026, 5, 1, 8), utc(2026, 5, 2, 8))
    assert table.window_at(utc(2026, 5, 2, 9)) == Window(utc(2026, 5, 2, 8), utc(2026, 5, 3, 8))
    assert table.next_change_after(utc(2026, 5, 1, 12)) == utc(2026, 5, 2, 8)


def test_cron_window_clipped_by_a_cron_opening() -> None:
    table = timetable(cron="0 8,12 * * *", end={"after": "6h"})
    assert table.window_at(utc(2026, 5, 1, 13)) == Window(utc(2026, 5, 1, 12), utc(2026, 5, 1, 18))
    assert table.window_at(utc(2026, 5, 1, 11)) == Window(utc(2026, 5, 1, 8), utc(2026, 5, 1, 12))


def test_no_window_before_a_cron_that_never_matches() -> None:
    """The models refuse such a cron now; timing still answers None rather than hanging."""
    spec = ScheduleSpec.model_validate(
        {"cron": "0 0 * * *", "end": {"after": "1h"}, "campaignGroups": [{"name": "cg"}]}
    )
    table = compile_timetable(spec.model_copy(update={"cron": "0 0 30 2 *"}))
    assert table.window_at(utc(2026, 1, 1)) is None
    assert table.next_window_after(utc(2026, 1, 1)) is None
    assert table.next_change_after(utc(2026, 1, 1)) is None
    assert list(table.windows_between(utc(2026, 1, 1), utc(2027, 1, 1))) == []
