"""Preview: windows and skipped openings in order, with DST changes and clipping marked."""

from datetime import UTC, datetime
from typing import Any

from outbound_scheduler.models import AllowedHours, ScheduleSpec
from outbound_scheduler.timing import PreviewItem, preview

ENGLAND = {"holidays": [{"country": "GB", "subdivision": "ENG"}]}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def spec(zone: str = "Europe/London", **fields: Any) -> ScheduleSpec:
    return ScheduleSpec.model_validate(
        {"timeZone": zone, "campaignGroups": [{"name": "cg"}], **fields}
    )


def summary(items: list[PreviewItem]) -> list[tuple[str, str | None]]:
    return [(item.start.strftime("%m-%d %H:%M"), item.skipped) for item in items]


def test_lists_count_windows_and_marks_a_clock_change_before_one() -> None:
    items = preview(spec(daily={"at": "09:00"}, end={"at": "17:00"}), utc(2026, 3, 27), 4)
    assert summary(items) == [
        ("03-27 09:00", None),
        ("03-28 09:00", None),
        ("03-29 08:00", None),
        ("03-30 08:00", None),
    ]
    assert [item.dst_shift for item in items] == [
        None,
        None,
        "+1h at 2026-03-29 01:00 UTC (before this window)",
        None,
    ]
    assert items[2].local_start.strftime("%H:%M %Z") == "09:00 BST"


def test_skipped_openings_are_interleaved_with_their_reasons() -> None:
    london = spec(daily={"at": "09:00"}, end={"at": "17:00"}, exclusions=ENGLAND)
    items = preview(london, utc(2026, 12, 23, 12), 4)
    assert summary(items) == [
        ("12-23 09:00", None),  # open at the instant asked from
        ("12-24 09:00", None),
        ("12-25 09:00", "holiday: Christmas Day (GB-ENG)"),
        ("12-26 09:00", "holiday: Boxing Day (GB-ENG)"),
        ("12-27 09:00", None),
        ("12-28 09:00", "holiday: Boxing Day (observed) (GB-ENG)"),
        ("12-29 09:00", None),
    ]
    assert items[2].end is None
    assert items[2].local_end is None
    assert items[0].end == utc(2026, 12, 23, 17)


def test_marks_a_clock_change_inside_a_window() -> None:
    night = spec("America/New_York", daily={"at": "22:00"}, end={"at": "06:00"})
    items = preview(night, utc(2026, 10, 31, 12), 2)
    assert items[0].start == utc(2026, 11, 1, 2)
    assert items[0].end == utc(2026, 11, 1, 11)  # 06:00 EST: nine real hours
    assert items[0].dst_shift == "-1h at 2026-11-01 06:00 UTC (inside this window)"
    assert items[1].dst_shift is None


def test_marks_clipped_windows() -> None:
    guard = AllowedHours.model_validate({"from": "10:00", "to": "16:00"})
    office = spec("UTC", daily={"at": "09:00"}, end={"at": "17:00"})
    items = preview(office, utc(2026, 5, 1), 1, guard)
    assert [(item.start, item.end, item.clipped) for item in items] == [
        (utc(2026, 5, 1, 10), utc(2026, 5, 1, 16), True)
    ]


def test_a_schedule_with_no_windows_lists_only_its_skips() -> None:
    once = spec(once={"at": "2026-12-25T09:00"}, end={"after": "1h"}, exclusions=ENGLAND)
    items = preview(once, utc(2026, 12, 1), 10)
    assert summary(items) == [("12-25 09:00", "holiday: Christmas Day (GB-ENG)")]
    assert preview(once, utc(2027, 1, 1), 10) == []


def test_a_long_run_of_skips_is_cut_and_the_walk_goes_on() -> None:
    christmas = spec(cron="0 9 25 12 *", end={"after": "1h"}, exclusions=ENGLAND)
    items = preview(christmas, utc(2026, 1, 1), 2)
    assert [item.start.year for item in items] == list(range(2026, 2036))
    assert {item.skipped for item in items} == {"holiday: Christmas Day (GB-ENG)"}
    minutes = spec(
        "UTC",
        cron="* * * * *",
        end={"after": "1m"},
        exclusions={"ranges": [{"from": "2026-05-02", "to": "2026-05-30"}]},
    )
    items = preview(minutes, utc(2026, 5, 1, 23, 58), 3)
    assert summary(items) == [
        ("05-01 23:58", None),
        ("05-01 23:59", None),
        *[
            (f"05-02 00:{minute:02d}", "excluded range 2026-05-02..2026-05-30")
            for minute in range(10)
        ],
        ("05-31 00:00", None),
    ]


def test_record_is_rfc3339_with_utc_in_z() -> None:
    items = preview(spec(daily={"at": "09:00"}, end={"at": "17:00"}), utc(2026, 7, 1), 1)
    assert items[0].record() == {
        "start": "2026-07-01T08:00:00Z",
        "end": "2026-07-01T16:00:00Z",
        "skipped": None,
        "localStart": "2026-07-01T09:00:00+01:00",
        "localEnd": "2026-07-01T17:00:00+01:00",
        "clipped": False,
        "dstShift": None,
    }
