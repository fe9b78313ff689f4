"""Wall-clock readings in a time zone, turned into instants under the DST policy.

Every time a spec names is a reading of the wall clock in the schedule's zone,
and a reading does not always name exactly one instant: on a spring-forward day
some readings never happen, on a fall-back day some happen twice. The policy
(DESIGN.md, "Time zone") lives here and only here: a reading inside a gap means
the first instant after the gap, and a repeated reading means its first
occurrence. Everything else in timing goes through `resolve`; only where allowed
calling hours begin does a repeated reading stand for its last occurrence, so that a
range of allowed hours never allows the readings the clock repeats before its start.
"""

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Longest stretch of one day over which a clock is assumed to change at most once;
# clocks have jumped by up to a whole day (Pacific/Apia, 2011-12-30).
DAY_AND_A_BIT = timedelta(hours=26)
ONE_DAY = timedelta(days=1)


def wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive reading of the zone's wall clock at an aware instant."""
    return instant.astimezone(zone).replace(tzinfo=None)


def offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    """The zone's UTC offset at an aware instant."""
    result = instant.astimezone(zone).utcoffset()
    assert result is not None, "a ZoneInfo always knows its offset"
    return result


def resolve(wall: datetime, zone: ZoneInfo, *, last: bool = False) -> datetime:
    """The one UTC instant a naive wall-clock reading in `zone` stands for.

    fold=0 reads a repeated time with the offset before the change, which is its
    first occurrence; a reading inside a gap does not survive the round trip. With
    `last`, a repeated reading stands for its last occurrence instead: where allowed
    hours begin, so that they never allow the readings the clock repeats before it.
    """
    instant = wall.replace(tzinfo=zone, fold=int(last)).astimezone(UTC)
    if wall_clock(instant, zone) == wall:
        return instant
    return _gap_end(wall, zone)


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant the clock jumped over `wall`: the first valid one after the gap."""
    # Read with the offset in force after the jump, the reading names an instant before
    # the jump; read with the offset before it, an instant after. The jump lies between,
    # on a whole second.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return _change_between(before, after + timedelta(seconds=1), zone)


def starts_after_gap(instant: datetime, zone: ZoneInfo) -> bool:
    """True when the clock jumped forward exactly at `instant`."""
    return offset(instant - timedelta(seconds=1), zone) < offset(instant, zone)


def fold_margin(instant: datetime, zone: ZoneInfo) -> timedelta:
    """How far ahead of its reading at `instant` the wall clock has already been.

    Zero except within a day after a fall-back, when readings up to the size of the
    fold were shown before the clock went back.
    """
    drop = offset(instant - DAY_AND_A_BIT, zone) - offset(instant, zone)
    return max(drop, timedelta(0))


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The date the zone's calendar shows at an aware instant."""
    return instant.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant at which the zone's calendar shows `day`."""
    return resolve(datetime.combine(day, time()), zone)


def offset_changes(a: datetime, b: datetime, zone: ZoneInfo) -> list[tuple[datetime, timedelta]]:
    """Each instant in (a, b] at which the zone's UTC offset changes, with the change."""
    changes, low = [], a
    while low < b:
        high = min(low + ONE_DAY, b)
        before, after = offset(low, zone), offset(high, zone)
        if before != after:
            instant = _change_between(low, high, zone)
            changes.append((instant, after - before))
        low = high
    return changes


def _change_between(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The whole second in (low, high] at which the offset leaves the one in force at `low`."""
    old_offset = offset(low, zone)
    lo, hi = math.floor(low.timestamp()), math.ceil(high.timestamp())
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == old_offset:
            lo = middle
        else:
            hi = middle
    return datetime.fromtimestamp(hi, UTC)


def local_text(instant: datetime, zone: ZoneInfo) -> str:
    """An instant as people in the zone read it, e.g. `2026-12-07 09:00 GMT`; seconds are
    shown only when there are some (`2026-12-07 09:00:30 GMT`)."""
    local = instant.astimezone(zone)
    clock = "%H:%M:%S" if local.second else "%H:%M"
    return f"{local.strftime('%Y-%m-%d ' + clock)} {local.tzname()}"
