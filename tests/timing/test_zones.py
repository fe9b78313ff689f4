"""Wall-clock readings to instants under the DST policy, and the NEXT RUN text."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outbound_scheduler.timing.zones import (
    fold_margin,
    local_text,
    resolve,
    starts_after_gap,
    wall_clock,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "wall", "instant"),
    [
        ("UTC", datetime(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 30)),
        ("Europe/London", datetime(2026, 1, 5, 9, 0), utc(2026, 1, 5, 9, 0)),
        ("Europe/London", datetime(2026, 7, 6, 9, 0), utc(2026, 7, 6, 8, 0)),
        ("Asia/Kolkata", datetime(2026, 7, 6, 9, 0), utc(2026, 7, 6, 3, 30)),
    ],
)
def test_ordinary_reading_is_its_one_instant(zone: str, wall: datetime, instant: datetime) -> None:
    assert resolve(wall, ZoneInfo(zone)) == instant


@pytest.mark.parametrize(
    ("zone", "wall", "instant"),
    [
        # London jumps 01:00 GMT -> 02:00 BST: 01:30 fires at 02:00 BST.
        ("Europe/London", datetime(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 0)),
        # New York jumps 02:00 EST -> 03:00 EDT: 02:30 fires at 03:00 EDT.
        ("America/New_York", datetime(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 0)),
        # Lord Howe jumps half an hour, 02:00 -> 02:30.
        ("Australia/Lord_Howe", datetime(2019, 10, 6, 2, 15), utc(2019, 10, 5, 15, 30)),
        # Samoa skipped 2011-12-30 entirely: any reading that day fires at 31st 00:00 (+14).
        ("Pacific/Apia", datetime(2011, 12, 30, 9, 0), utc(2011, 12, 30, 10, 0)),
    ],
)
def test_reading_in_a_gap_is_the_first_instant_after_it(
    zone: str, wall: datetime, instant: datetime
) -> None:
    assert resolve(wall, ZoneInfo(zone)) == instant
    assert starts_after_gap(instant, ZoneInfo(zone))


def test_london_0230_on_the_spring_day_exists() -> None:
    """London's gap is 01:00-02:00, so 02:30 on 2026-03-29 is an ordinary 02:30 BST."""
    assert resolve(datetime(2026, 3, 29, 2, 30), LONDON) == utc(2026, 3, 29, 1, 30)


def test_repeated_reading_is_its_first_occurrence() -> None:
    instant = resolve(datetime(2026, 11, 1, 1, 30), NEW_YORK)
    assert instant == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST
    assert instant.astimezone(NEW_YORK).tzname() == "EDT"


def test_wall_clock_reads_the_local_time() -> None:
    assert wall_clock(utc(2026, 7, 6, 8, 0), LONDON) == datetime(2026, 7, 6, 9, 0)


def test_fold_margin_is_the_fold_within_a_day_after_fall_back() -> None:
    assert fold_margin(utc(2026, 11, 1, 6, 30), NEW_YORK) == timedelta(hours=1)
    assert fold_margin(utc(2026, 11, 3, 6, 30), NEW_YORK) == timedelta(0)
    assert fold_margin(utc(2026, 3, 8, 8, 0), NEW_YORK) == timedelta(0)


@pytest.mark.parametrize(
    ("zone", "instant", "text"),
    [
        ("Europe/London", utc(2026, 12, 7, 9, 0), "2026-12-07 09:00 GMT"),
        ("Europe/London", utc(2026, 7, 6, 8, 0), "2026-07-06 09:00 BST"),
        ("America/New_York", utc(2026, 12, 7, 14, 0), "2026-12-07 09:00 EST"),
        ("Asia/Kathmandu", utc(2026, 12, 7, 3, 15), "2026-12-07 09:00 +0545"),
        ("UTC", utc(2026, 12, 7, 9, 0, 30), "2026-12-07 09:00:30 UTC"),  # seconds when set
    ],
)
def test_local_text_shows_local_date_time_and_zone(zone: str, instant: datetime, text: str) -> None:
    assert local_text(instant, ZoneInfo(zone)) == text
