"""Properties of occurrences and windows over tricky zones and instants from 2000 to 2035.

Instants are drawn both anywhere in the range and close to the zone's own clock
changes, where the DST policy matters.
"""

from datetime import UTC, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from outbound_scheduler.models import ScheduleSpec, Weekday
from outbound_scheduler.timing.windows import Timetable, Window, compile_timetable
from outbound_scheduler.timing.zones import resolve, wall_clock

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Apia",
    "America/Sao_Paulo",
    "Europe/Dublin",
    "Africa/Casablanca",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Tehran",
    "Europe/Moscow",
    "UTC",
    "America/Santiago",
    "Asia/Kathmandu",
]
# Sparse enough to walk two days of windows quickly; several sit on the hours clocks change.
CRONS = [
    "0 * * * *",
    "*/30 0-3 * * *",
    "0 */2 * * *",
    "0 8 * * 1-5",
    "15 0 * * 0,6",
    "0,45 1,2 * * *",
    "30 2 L * *",
]
ENDS_AFTER = ["30m", "1h", "90m", "8h", "23h", "25h"]
LONGEST_WINDOW = timedelta(hours=50)
ONE_TICK = timedelta(microseconds=1)
EXAMPLES = settings(max_examples=200, deadline=None)


@cache
def clock_changes(zone_name: str, year: int) -> list[datetime]:
    """The instants in `year` at which the zone's UTC offset changes."""
    zone, changes = ZoneInfo(zone_name), []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        following = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = int(day.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                offset = datetime.fromtimestamp(middle, zone).utcoffset()
                low, high = (
                    (middle, high) if offset == day.astimezone(zone).utcoffset() else (low, middle)
                )
            changes.append(datetime.fromtimestamp(high, UTC))
        day = following
    return changes


@st.composite
def zone_and_instant(draw: st.DrawFn) -> tuple[str, datetime]:
    zone = draw(st.sampled_from(ZONES))
    changes = clock_changes(zone, draw(st.integers(2000, 2035)))
    if changes and draw(st.booleans()):
        seconds = draw(st.integers(-30 * 3600, 30 * 3600))
        return zone, draw(st.sampled_from(changes)) + timedelta(seconds=seconds)
    anywhere = st.datetimes(datetime(2000, 1, 3), datetime(2035, 12, 28), timezones=st.just(UTC))
    return zone, draw(anywhere)


times_of_day = st.builds(
    time,
    st.integers(0, 23),
    st.sampled_from([0, 0, 15, 30, 45, 59]),
    st.sampled_from([0, 0, 0, 30]),
).map(lambda at: at.isoformat())


def recurrences() -> st.SearchStrategy[dict[str, Any]]:
    days = st.sets(st.sampled_from(list(Weekday)), min_size=1).map(sorted)
    return st.one_of(
        st.builds(lambda at: {"daily": {"at": at}}, times_of_day),
        st.builds(lambda d, at: {"weekly": {"days": d, "at": at}}, days, times_of_day),
        st.builds(lambda cron: {"cron": cron}, st.sampled_from(CRONS)),
    )


ends = st.one_of(
    st.builds(lambda at: {"at": at}, times_of_day),
    st.builds(lambda after: {"after": after}, st.sampled_from(ENDS_AFTER)),
)


@st.composite
def specs(draw: st.DrawFn) -> tuple[ScheduleSpec, datetime]:
    zone, t = draw(zone_and_instant())
    fields = {"timeZone": zone, "end": draw(ends), "campaignGroups": [{"name": "cg"}]}
    return ScheduleSpec.model_validate(fields | draw(recurrences())), t


def cases() -> st.SearchStrategy[tuple[Timetable, datetime]]:
    return specs().map(lambda case: (compile_timetable(case[0]), case[1]))


def walk(table: Timetable, a: datetime, b: datetime) -> list[Window]:
    return list(table.windows_between(a, b))


def assert_window_at_agrees_with_walking(table: Timetable, t: datetime, longest: timedelta) -> None:
    """The windows that opened lately never overlap, and window_at(t) is the one holding t."""
    windows = walk(table, t - longest, t + ONE_TICK)
    for window in windows:
        assert window.start < window.end
    for earlier, later in pairwise(windows):
        assert earlier.end <= later.start
    containing = [window for window in windows if window.contains(t)]
    assert len(containing) <= 1
    assert table.window_at(t) == (containing[0] if containing else None)


@EXAMPLES
@given(cases())
def test_next_and_previous_agree(case: tuple[Timetable, datetime]) -> None:
    """next is after t, previous at or before it, and each finds the other."""
    recurrence, t = case[0].recurrence, case[1]
    following = recurrence.next_after(t)
    assert following is not None
    assert following > t
    assert recurrence.previous_at_or_before(following) == following
    assert recurrence.previous_at_or_before(following - ONE_TICK) <= t

    previous = recurrence.previous_at_or_before(t)
    if previous is not None:
        assert previous <= t
        assert recurrence.next_after(previous) == following


@EXAMPLES
@given(cases())
def test_window_at_agrees_with_walking_windows(case: tuple[Timetable, datetime]) -> None:
    """Walking the windows that opened lately finds the same open window, and none overlap."""
    table, t = case
    assert_window_at_agrees_with_walking(table, t, LONGEST_WINDOW)


@EXAMPLES
@given(cases())
def test_next_change_is_the_first_instant_the_open_window_changes(
    case: tuple[Timetable, datetime],
) -> None:
    table, t = case
    now_open = table.window_at(t)
    assert now_open is None or now_open.contains(t)
    change = table.next_change_after(t)
    assert change is not None
    assert change > t
    assert table.window_at(change - ONE_TICK) == now_open
    assert table.window_at(change) != now_open


@EXAMPLES
@given(cases())
def test_next_window_opens_at_the_next_occurrence(case: tuple[Timetable, datetime]) -> None:
    table, t = case
    window = table.next_window_after(t)
    assert window is not None
    assert window.start == table.recurrence.next_after(t)
    assert table.window_at(window.start) == window
    assert window.opening == window.start.strftime("%Y%m%dT%H%M%SZ")


@EXAMPLES
@given(zone_and_instant(), st.integers(0, 3 * 3600))
def test_resolve_follows_the_policy(case: tuple[str, datetime], step: int) -> None:
    """A reading resolves to itself, or to the end of the gap it fell in; never backwards."""
    zone, t = ZoneInfo(case[0]), case[1]
    reading = wall_clock(t, zone).replace(microsecond=0)
    instant = resolve(reading, zone)
    shown = wall_clock(instant, zone)
    if shown == reading:
        # A repeated reading resolves to its first occurrence.
        assert reading.replace(tzinfo=zone, fold=1).astimezone(UTC) >= instant
    else:
        assert shown > reading
        assert wall_clock(instant - timedelta(seconds=1), zone) < reading
    later = reading + timedelta(seconds=step)
    assert resolve(later, zone) >= instant


@EXAMPLES
@given(specs(), st.lists(st.integers(-3 * 86400, 3 * 86400), max_size=8))
def test_answers_do_not_depend_on_the_questions_asked_before(
    case: tuple[ScheduleSpec, datetime], earlier: list[int]
) -> None:
    """A timetable remembers what it found; asked in any order, it answers as a new one."""
    spec, t = case
    asked = compile_timetable(spec)
    for seconds in earlier:
        asked.window_at(t + timedelta(seconds=seconds))
        asked.next_window_after(t + timedelta(seconds=seconds))
    assert asked.window_at(t) == compile_timetable(spec).window_at(t)
    assert asked.next_window_after(t) == compile_timetable(spec).next_window_after(t)
    assert asked.next_change_after(t) == compile_timetable(spec).next_change_after(t)
