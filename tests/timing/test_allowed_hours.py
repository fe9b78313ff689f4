"""The calling-hours guard: windows cut to allowed hours, and run-now windows."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from outbound_scheduler.models import AllowedHours, ScheduleSpec
from outbound_scheduler.timing import Timetable, Window, compile_timetable
from outbound_scheduler.timing.calendar import allowed_clock, daily_range, intersect

H = 3600
EIGHT_TO_NINE_PM = {"from": "08:00", "to": "21:00"}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def hours(start: str, end: str) -> AllowedHours:
    return AllowedHours.model_validate({"from": start, "to": end})


def table(zone: str = "UTC", guard: AllowedHours | None = None, **fields: Any) -> Timetable:
    spec = ScheduleSpec.model_validate(
        {"timeZone": zone, "campaignGroups": [{"name": "cg"}], **fields}
    )
    return compile_timetable(spec, guard)


@pytest.mark.parametrize(
    ("ours", "theirs", "both"),
    [
        ((8 * H, 21 * H), (20 * H, 34 * H), ((8 * H, 10 * H), (20 * H, 21 * H))),
        ((8 * H, 21 * H), (9 * H, 17 * H), ((9 * H, 17 * H),)),
        ((8 * H, 12 * H), (13 * H, 17 * H), ()),
        ((22 * H, 30 * H), (23 * H, 26 * H), ((23 * H, 26 * H),)),
        ((22 * H, 30 * H), (4 * H, 12 * H), ((4 * H, 6 * H),)),
    ],
)
def test_intersection_of_daily_ranges(ours: Any, theirs: Any, both: Any) -> None:
    assert intersect((ours,), (theirs,)) == both
    assert intersect((theirs,), (ours,)) == both


def test_to_before_from_runs_past_midnight() -> None:
    assert daily_range(hours("22:00", "06:00")) == (22 * H, 30 * H)
    assert daily_range(hours("08:00", "21:00:30")) == (8 * H, 21 * H + 30)


def test_no_allowed_hours_anywhere_means_no_clock() -> None:
    assert allowed_clock(None, None, ZoneInfo("UTC")) is None


def test_a_window_across_two_allowed_ranges_becomes_two_windows() -> None:
    """20:00-10:00 with 08:00-21:00 allowed runs 20:00-21:00, then 08:00-10:00 next day."""
    timetable = table(
        "Europe/London", daily={"at": "20:00"}, end={"at": "10:00"}, allowedHours=EIGHT_TO_NINE_PM
    )
    windows = list(timetable.windows_between(utc(2026, 7, 1, 12), utc(2026, 7, 3, 12)))
    assert windows == [
        Window(utc(2026, 7, 1, 19), utc(2026, 7, 1, 20), clipped=True),
        Window(utc(2026, 7, 2, 7), utc(2026, 7, 2, 9), clipped=True),
        Window(utc(2026, 7, 2, 19), utc(2026, 7, 2, 20), clipped=True),
        Window(utc(2026, 7, 3, 7), utc(2026, 7, 3, 9), clipped=True),
    ]
    assert windows[1].opening == "20260702T070000Z"
    assert windows[1].scheduled == utc(2026, 7, 1, 19)
    assert timetable.window_at(utc(2026, 7, 1, 23)) is None
    assert timetable.window_at(utc(2026, 7, 2, 8)) == windows[1]
    assert timetable.next_change_after(utc(2026, 7, 1, 19, 30)) == utc(2026, 7, 1, 20)
    assert timetable.next_change_after(utc(2026, 7, 1, 20)) == utc(2026, 7, 2, 7)


def test_a_window_starting_early_begins_when_dialing_is_allowed() -> None:
    timetable = table(daily={"at": "07:00"}, end={"at": "12:00"}, allowedHours=EIGHT_TO_NINE_PM)
    assert timetable.next_window_after(utc(2026, 5, 1)) == Window(
        utc(2026, 5, 1, 8), utc(2026, 5, 1, 12), clipped=True
    )
    assert timetable.window_at(utc(2026, 5, 1, 7, 30)) is None


def test_a_window_inside_allowed_hours_is_not_clipped() -> None:
    timetable = table(daily={"at": "09:00"}, end={"at": "17:00"}, allowedHours=EIGHT_TO_NINE_PM)
    window = timetable.window_at(utc(2026, 5, 1, 12))
    assert window == Window(utc(2026, 5, 1, 9), utc(2026, 5, 1, 17))
    assert not window.clipped


def test_the_guard_and_the_schedules_own_hours_intersect() -> None:
    timetable = table(
        daily={"at": "07:00"},
        end={"at": "23:00"},
        allowedHours=EIGHT_TO_NINE_PM,
        guard=hours("09:00", "22:00"),
    )
    assert timetable.window_at(utc(2026, 5, 1, 12)) == Window(
        utc(2026, 5, 1, 9), utc(2026, 5, 1, 21), clipped=True
    )
    guard_only = table(daily={"at": "07:00"}, end={"at": "23:00"}, guard=hours("09:00", "22:00"))
    assert guard_only.window_at(utc(2026, 5, 1, 12)).end == utc(2026, 5, 1, 22)


def test_disjoint_hours_suppress_every_window() -> None:
    timetable = table(
        daily={"at": "07:00"},
        end={"at": "23:00"},
        allowedHours={"from": "08:00", "to": "12:00"},
        guard=hours("13:00", "17:00"),
    )
    assert timetable.window_at(utc(2026, 5, 1, 10)) is None
    assert timetable.next_window_after(utc(2026, 5, 1)) is None
    assert timetable.next_change_after(utc(2026, 5, 1)) is None
    assert timetable.window_from(utc(2026, 5, 1, 10)) is None


def test_a_window_wholly_outside_allowed_hours_does_not_exist() -> None:
    timetable = table(daily={"at": "22:00"}, end={"after": "30m"}, allowedHours=EIGHT_TO_NINE_PM)
    assert timetable.window_at(utc(2026, 5, 1, 22, 10)) is None
    assert timetable.next_window_after(utc(2026, 5, 1)) is None


def test_a_cron_mostly_outside_allowed_hours_opens_at_its_first_allowed_run() -> None:
    timetable = table(cron="*/30 * * * *", end={"after": "30m"}, allowedHours=EIGHT_TO_NINE_PM)
    assert timetable.next_window_after(utc(2026, 5, 1, 21)) == Window(
        utc(2026, 5, 2, 8), utc(2026, 5, 2, 8, 30)
    )


@pytest.mark.parametrize(
    ("allowed", "asked", "window"),
    [
        # Allowed from 02:30 on the spring day begins at 03:00 EDT, the gap's end.
        (("02:30", "21:00"), utc(2026, 3, 7, 12), Window(utc(2026, 3, 8, 7), utc(2026, 3, 8, 16))),
        # Allowed from 01:30 on the fall-back day: from 01:30 EDT the clock would go back to
        # 01:00 EST, half an hour before the allowed start; so dialing begins at 01:30 EST
        # and never covers 01:00-01:30.
        (
            ("01:30", "03:00"),
            utc(2026, 10, 31, 12),
            Window(utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 8)),
        ),
    ],
)
def test_allowed_boundaries_follow_the_dst_policy(allowed, asked, window) -> None:
    """New York's windows from 01:00 to 12:00 cut to allowed hours beginning in a gap and
    in the repeated hour."""
    timetable = table(
        "America/New_York",
        daily={"at": "01:00"},
        end={"at": "12:00"},
        allowedHours={"from": allowed[0], "to": allowed[1]},
    )
    assert timetable.next_window_after(asked) == replace(window, clipped=True)


def test_allowed_hours_around_a_change_at_midnight_never_cover_the_evening() -> None:
    """St John's went back from 00:01 to 23:01 in 2000; allowed 00:00-00:15 must not
    span the repeated 23:01-00:00 between its two passes (a case property tests found)."""
    timetable = table(
        "America/St_Johns",
        daily={"at": "00:00"},
        end={"at": "00:00"},
        allowedHours={"from": "00:00", "to": "00:15"},
    )
    asked = utc(2000, 10, 29, 2, 31)  # 00:01 NDT, the instant the clock went back to 23:01
    window = timetable.window_from(asked)
    assert window == Window(utc(2000, 10, 29, 3, 30), utc(2000, 10, 29, 3, 45), clipped=True)


def test_run_now_uses_the_end_rule_from_the_request() -> None:
    by_length = table(daily={"at": "09:00"}, end={"after": "90m"})
    asked = utc(2026, 5, 1, 3, 0, 0) + timedelta(microseconds=250_000)
    assert by_length.window_from(asked) == Window(asked, asked + timedelta(minutes=90))
    by_time = table("Europe/London", daily={"at": "09:00"}, end={"at": "17:00"})
    assert by_time.window_from(utc(2026, 7, 1, 10)).end == utc(2026, 7, 1, 16)
    assert by_time.window_from(utc(2026, 7, 1, 16, 30)).end == utc(2026, 7, 2, 16)


def test_run_now_ignores_exclusions_dates_and_the_next_opening() -> None:
    timetable = table(
        daily={"at": "09:00"},
        end={"after": "30h"},
        endDate="2026-01-01",
        exclusions={"dates": ["2026-05-01"]},
    )
    asked = utc(2026, 5, 1, 8)
    assert timetable.window_from(asked) == Window(asked, asked + timedelta(hours=30))


def test_run_now_is_cut_to_allowed_hours() -> None:
    timetable = table(daily={"at": "09:00"}, end={"after": "4h"}, allowedHours=EIGHT_TO_NINE_PM)
    inside = timetable.window_from(utc(2026, 5, 1, 19))
    assert inside == Window(utc(2026, 5, 1, 19), utc(2026, 5, 1, 21), clipped=True)
    early = timetable.window_from(utc(2026, 5, 1, 6))
    assert early == Window(utc(2026, 5, 1, 8), utc(2026, 5, 1, 10), clipped=True)
    assert early.scheduled == utc(2026, 5, 1, 6)
    assert timetable.window_from(utc(2026, 5, 1, 2)) is None  # ends 06:00, before 08:00
