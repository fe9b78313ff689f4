"""Properties of full timetables: every recurrence form with bounds, exclusions and allowed hours.

Specs are drawn around the instant asked about (once, anchors, bounds and
excluded dates within days of it) over the tricky zones, so the calendar rules
actually bite. Exclusions and allowed hours are checked against oracles written
here from the spec itself and the `holidays` package, not from timing's code.
"""

import os
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from outbound_scheduler.models import AllowedHours, ScheduleSpec
from outbound_scheduler.timing import Timetable, compile_timetable
from outbound_scheduler.timing.zones import local_date, resolve, wall_clock
from tests.timing.test_timing_properties import (
    assert_window_at_agrees_with_walking,
    ends,
    recurrences,
    times_of_day,
    walk,
    zone_and_instant,
)

ONE_TICK = timedelta(microseconds=1)
LONGEST_WINDOW = timedelta(hours=50)
CALENDARS = [("GB", "ENG"), ("US", None), ("DE", "BY"), ("NZ", None)]
# EX=2000 in the environment runs a longer hunt than the default one.
EXAMPLES = settings(max_examples=int(os.environ.get("EX", 100)), deadline=None)

Case = tuple[ScheduleSpec, AllowedHours | None, Timetable, datetime]


def near(day: date) -> st.SearchStrategy[date]:
    return st.integers(-4, 4).map(lambda days: day + timedelta(days=days))


def more_forms(day: date) -> st.SearchStrategy[dict[str, Any]]:
    month_days = st.lists(
        st.one_of(st.integers(1, 31), st.just("last")), min_size=1, max_size=4, unique=True
    )
    return st.one_of(
        recurrences(),
        st.builds(lambda d, at: {"once": {"at": f"{d}T{at}"}}, near(day), times_of_day),
        st.builds(lambda days, at: {"monthly": {"days": days, "at": at}}, month_days, times_of_day),
        st.builds(
            lambda n, unit, d, at: {"every": {unit: n, "from": str(d), "at": at}},
            st.integers(1, 3),
            st.sampled_from(["days", "weeks"]),
            near(day),
            times_of_day,
        ),
    )


def exclusions(day: date) -> st.SearchStrategy[dict[str, Any]]:
    ranges = st.tuples(near(day), st.integers(0, 3)).map(
        lambda r: {"from": str(r[0]), "to": str(r[0] + timedelta(days=r[1]))}
    )
    calendars = st.sampled_from(CALENDARS).map(
        lambda c: {"country": c[0]} | ({"subdivision": c[1]} if c[1] else {})
    )
    return st.fixed_dictionaries(
        {
            "dates": st.lists(near(day).map(str), max_size=3, unique=True),
            "ranges": st.lists(ranges, max_size=2),
            "holidays": st.lists(calendars, max_size=1),
        }
    )


hours = st.tuples(times_of_day, times_of_day).filter(lambda h: h[0] != h[1])


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone, t = draw(zone_and_instant())
    day = wall_clock(t, ZoneInfo(zone)).date()
    fields = {"timeZone": zone, "end": draw(ends), "campaignGroups": [{"name": "cg"}]}
    fields |= draw(more_forms(day))
    if draw(st.booleans()):
        first = draw(near(day))
        fields |= {
            "startDate": str(first),
            "endDate": str(first + timedelta(days=draw(st.integers(0, 9)))),
        }
    if draw(st.booleans()):
        fields["exclusions"] = draw(exclusions(day))
    if draw(st.booleans()):
        start, end = draw(hours)
        fields["allowedHours"] = {"from": start, "to": end}
    guard = None
    if draw(st.booleans()):
        start, end = draw(hours)
        guard = AllowedHours.model_validate({"from": start, "to": end})
    spec = ScheduleSpec.model_validate(fields)
    return spec, guard, compile_timetable(spec, guard), t


@cache
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def excluded(spec: ScheduleSpec, day: date) -> bool:
    """The oracle for exclusions, read from the spec."""
    rules = spec.exclusions
    if rules is None:
        return False
    text = day.isoformat()
    return (
        text in rules.dates
        or any(r.from_ <= text <= r.to for r in rules.ranges)
        or any(day in public_holidays(c.country, c.subdivision, day.year) for c in rules.holidays)
    )


def within_bounds(spec: ScheduleSpec, day: date) -> bool:
    return (spec.first_date is None or day >= spec.first_date) and (
        spec.last_date is None or day <= spec.last_date
    )


def allowed_by(rule: AllowedHours, zone: ZoneInfo, instant: datetime) -> bool:
    """The oracle for one allowed-hours rule: is `instant` inside one of its days' ranges?"""
    start = datetime.strptime(rule.from_, "%H:%M:%S" if rule.from_.count(":") == 2 else "%H:%M")
    end = datetime.strptime(rule.to, "%H:%M:%S" if rule.to.count(":") == 2 else "%H:%M")
    day = wall_clock(instant, zone).date()
    for offset in (-2, -1, 0):
        first = datetime.combine(day + timedelta(days=offset), start.time())
        last = datetime.combine(first.date(), end.time())
        if last <= first:
            last += timedelta(days=1)
        if resolve(first, zone) <= instant < resolve(last, zone):
            return True
    return False


def allowed(spec: ScheduleSpec, guard: AllowedHours | None, instant: datetime) -> bool:
    rules = [rule for rule in (spec.allowed_hours, guard) if rule is not None]
    return all(allowed_by(rule, spec.zone, instant) for rule in rules)


@EXAMPLES
@given(cases())
def test_openings_next_and_previous_agree(case: Case) -> None:
    table, t = case[2], case[3]
    following = table.openings.first_after(t)
    previous = table.openings.last_at_or_before(t)
    if following is not None:
        assert following.start > t
        assert table.openings.last_at_or_before(following.start) == following
        before = table.openings.last_at_or_before(following.start - ONE_TICK)
        assert before is None or before.start <= t
    if previous is not None:
        assert previous.start <= t
        assert table.openings.first_after(previous.start) == following


@EXAMPLES
@given(cases())
def test_windows_agree_and_never_overlap(case: Case) -> None:
    table, t = case[2], case[3]
    assert_window_at_agrees_with_walking(table, t, LONGEST_WINDOW)


@EXAMPLES
@given(cases())
def test_next_change_is_where_the_open_window_changes_or_an_opening_is_skipped(case: Case) -> None:
    table, t = case[2], case[3]
    now_open = table.window_at(t)
    change = table.next_change_after(t)
    following = table.next_window_after(t)
    if change is None:
        assert now_open is None
        assert following is None
        return
    assert change > t
    assert table.window_at(change - ONE_TICK) == now_open
    skip = table.skipped_at_or_before(change)
    assert table.window_at(change) != now_open or (skip is not None and skip.opening == change)
    assert following is None or following.start >= change


@EXAMPLES
@given(cases())
def test_windows_open_on_allowed_dates_inside_allowed_hours(case: Case) -> None:
    spec, guard, table, t = case
    for window in walk(table, t - LONGEST_WINDOW, t + LONGEST_WINDOW):
        assert window.scheduled is not None
        opened_on = local_date(window.scheduled, spec.zone)
        assert not excluded(spec, opened_on)
        assert within_bounds(spec, opened_on)
        middle = window.start + (window.end - window.start) / 2
        for instant in (window.start, middle, window.end - ONE_TICK):
            assert allowed(spec, guard, instant)
        assert window.clipped or window.start == window.scheduled


@EXAMPLES
@given(cases())
def test_skipped_openings_fall_on_excluded_dates(case: Case) -> None:
    spec, _, table, t = case
    for skip in (table.skipped_at_or_before(t), table.next_skip_after(t)):
        if skip is not None:
            day = local_date(skip.opening, spec.zone)
            assert excluded(spec, day)
            assert within_bounds(spec, day)
            assert table.openings.first_after(skip.opening - ONE_TICK) != skip.opening


@EXAMPLES
@given(cases())
def test_run_now_lies_within_allowed_hours(case: Case) -> None:
    spec, guard, table, t = case
    t += timedelta(microseconds=123)
    window = table.window_from(t)
    longest = spec.end.length or timedelta(days=1, hours=3)
    if window is None:
        assert spec.allowed_hours is not None or guard is not None
        return
    assert t <= window.start < window.end <= t + longest
    for instant in (window.start, window.end - ONE_TICK):
        assert allowed(spec, guard, instant)
    if spec.allowed_hours is None and guard is None:
        assert window.start == t
        assert not window.clipped
    assert window.start.tzinfo is not None
    assert window.start.astimezone(UTC) == window.start


@EXAMPLES
@given(cases(), st.lists(st.integers(-3 * 86400, 3 * 86400), max_size=8))
def test_answers_do_not_depend_on_the_questions_asked_before(
    case: Case, earlier: list[int]
) -> None:
    """Under exclusions and allowed hours too, a timetable asked in any order answers as a
    new one would."""
    spec, guard, asked, t = case
    for seconds in earlier:
        asked.window_at(t + timedelta(seconds=seconds))
        asked.next_window_after(t + timedelta(seconds=seconds))
    assert asked.window_at(t) == compile_timetable(spec, guard).window_at(t)
    assert asked.next_window_after(t) == compile_timetable(spec, guard).next_window_after(t)
    assert asked.next_change_after(t) == compile_timetable(spec, guard).next_change_after(t)
