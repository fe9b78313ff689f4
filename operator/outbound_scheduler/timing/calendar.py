"""Calendar rules around the recurrence: dates that open nothing, hours that allow dialing.

Both are read on the schedule's wall clock. Exclusions are whole local dates
(listed dates, date ranges, public holidays from the `holidays` package), and
each can say why it excludes a date. Allowed hours are a daily wall-clock
range; the Schedule's own and the cluster-wide guard combine by intersection,
which can leave up to two ranges a day (or none). Each day's ranges become
spans of instants through the same DST policy as openings, `zones.resolve`,
except that a range beginning at a reading the clock repeats begins at its last
occurrence (`resolve(..., last=True)`): from the first, the span would run on through
the repeated readings before the range's start. A range whose ends resolve to the
same instant (it lies wholly in a gap) allows nothing that day.
"""

from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

from outbound_scheduler.models.calendar import AllowedHours, Exclusions
from outbound_scheduler.timing.zones import local_date, resolve

ONE_DAY = timedelta(days=1)
DAY_SECONDS = 86_400
# A range of allowed hours: seconds after a date's midnight, the end up to a day later.
DailyRange = tuple[int, int]


class YearHolidays(NamedTuple):
    names: dict[date, str]
    days: tuple[date, ...]


@lru_cache(maxsize=1)
def _english_countries() -> frozenset[str]:
    return frozenset(
        country
        for country, languages in holidays.list_localized_countries().items()
        if "en_US" in languages
    )


@lru_cache(maxsize=2048)
def holidays_in(country: str, subdivision: str | None, year: int) -> YearHolidays:
    """One calendar's public holidays in one year, named in English where the package can."""
    language = "en_US" if country in _english_countries() else None
    found = holidays.country_holidays(country, subdiv=subdivision, years=year, language=language)
    names = {day: name for day, name in found.items() if day.year == year}
    return YearHolidays(names, tuple(sorted(names)))


class ExclusionCalendar:
    """The local dates on which no window opens, each with the reason it is excluded."""

    def __init__(self, exclusions: Exclusions) -> None:
        self.dates = tuple(sorted({date.fromisoformat(day) for day in exclusions.dates}))
        self._date_set = frozenset(self.dates)
        spans = exclusions.ranges
        self.ranges = tuple(
            sorted((date.fromisoformat(r.from_), date.fromisoformat(r.to)) for r in spans)
        )
        self.calendars = tuple((c.country, c.subdivision) for c in exclusions.holidays)

    def reason(self, day: date) -> str | None:
        """Why `day` is excluded (listed dates first, then ranges, then holidays), or None."""
        if day in self._date_set:
            return f"excluded date {day}"
        for first, last in self.ranges:
            if first <= day <= last:
                return f"excluded range {first}..{last}"
        for country, subdivision in self.calendars:
            name = holidays_in(country, subdivision, day.year).names.get(day)
            if name is not None:
                label = f"{country}-{subdivision}" if subdivision else country
                return f"holiday: {name} ({label})"
        return None

    def first_from(self, day: date, until: date) -> date | None:
        """The first excluded date from `day` to `until`, both included."""
        found = []
        if (index := bisect_left(self.dates, day)) < len(self.dates):
            found.append(self.dates[index])
        found += [max(first, day) for first, last in self.ranges if last >= day]
        for country, subdivision in self.calendars:
            for year in range(day.year, until.year + 1):
                days = holidays_in(country, subdivision, year).days
                if (index := bisect_left(days, day)) < len(days):
                    found.append(days[index])
                    break
        best = min(found, default=None)
        return best if best is not None and best <= until else None

    def last_to(self, day: date, since: date) -> date | None:
        """The last excluded date from `since` to `day`, both included."""
        found = []
        if index := bisect_right(self.dates, day):
            found.append(self.dates[index - 1])
        found += [min(last, day) for first, last in self.ranges if first <= day]
        for country, subdivision in self.calendars:
            for year in range(day.year, since.year - 1, -1):
                days = holidays_in(country, subdivision, year).days
                if index := bisect_right(days, day):
                    found.append(days[index - 1])
                    break
        best = max(found, default=None)
        return best if best is not None and best >= since else None

    def run_through(self, day: date) -> date:
        """The last date of the stretch of consecutive excluded dates that holds `day`."""
        while True:
            day = max((last for first, last in self.ranges if first <= day <= last), default=day)
            if self.reason(day + ONE_DAY) is None:
                return day
            day += ONE_DAY

    def run_since(self, day: date) -> date:
        """The first date of the stretch of consecutive excluded dates that holds `day`."""
        while True:
            day = min((first for first, last in self.ranges if first <= day <= last), default=day)
            if self.reason(day - ONE_DAY) is None:
                return day
            day -= ONE_DAY


def exclusion_calendar(exclusions: Exclusions | None) -> ExclusionCalendar | None:
    """The calendar of a spec's exclusions; None when nothing is excluded."""
    if exclusions is None or not (exclusions.dates or exclusions.ranges or exclusions.holidays):
        return None
    return ExclusionCalendar(exclusions)


class Span(NamedTuple):
    """A stretch of instants, start included, end excluded."""

    start: datetime
    end: datetime

    def contains(self, t: datetime) -> bool:
        return self.start <= t < self.end


def daily_range(hours: AllowedHours) -> DailyRange:
    """Allowed hours as seconds after midnight; `to` not after `from` runs into the next day."""
    start, end = (_seconds(time.fromisoformat(text)) for text in (hours.from_, hours.to))
    return start, end if end > start else end + DAY_SECONDS


def _seconds(reading: time) -> int:
    return reading.hour * 3600 + reading.minute * 60 + reading.second


def intersect(
    ours: tuple[DailyRange, ...], theirs: tuple[DailyRange, ...]
) -> tuple[DailyRange, ...]:
    """The hours both sets of daily ranges allow, as daily ranges starting within the day."""
    pieces = set()
    for our_start, our_end in ours:
        for their_start, their_end in theirs:
            # Their ranges repeat every day; the day before and after can reach into ours.
            for shift in (-DAY_SECONDS, 0, DAY_SECONDS):
                start = max(our_start, their_start + shift)
                end = min(our_end, their_end + shift)
                if start < end:
                    pieces.add((start % DAY_SECONDS, start % DAY_SECONDS + end - start))
    return tuple(sorted(pieces))


class AllowedClock:
    """The instants dialing is allowed, from daily wall-clock ranges in a zone."""

    def __init__(self, ranges: tuple[DailyRange, ...], zone: ZoneInfo) -> None:
        self.ranges = ranges
        self.zone = zone

    def span_at(self, t: datetime) -> Span | None:
        """The allowed span that holds `t`, if any."""
        day = local_date(t, self.zone)
        for span in self._spans(day - 2 * ONE_DAY, day + ONE_DAY):
            if span.contains(t):
                return span
        return None

    def span_after(self, t: datetime) -> Span | None:
        """The first allowed span that starts strictly after `t`."""
        if not self.ranges:
            return None
        first = local_date(t, self.zone) - ONE_DAY
        for _ in range(4):  # a day without allowed hours needs a gap as long as the range
            for span in self._spans(first, first + 4 * ONE_DAY):
                if span.start > t:
                    return span
            first += 4 * ONE_DAY
        return None

    def _spans(self, first: date, last: date) -> list[Span]:
        """The spans whose ranges start on dates first..last, sorted, touching ones merged."""
        spans: list[Span] = []
        day = first
        while day <= last:
            for span in _day_spans(self.ranges, self.zone, day):
                if spans and span.start <= spans[-1].end:
                    spans[-1] = Span(spans[-1].start, max(spans[-1].end, span.end))
                else:
                    spans.append(span)
            day += ONE_DAY
        return spans


@lru_cache(maxsize=16_384)
def _day_spans(ranges: tuple[DailyRange, ...], zone: ZoneInfo, day: date) -> tuple[Span, ...]:
    """The spans the ranges allow that start on one local date; schedules share them."""
    midnight = datetime.combine(day, time())
    spans = []
    for start, end in ranges:
        span = Span(
            resolve(midnight + timedelta(seconds=start), zone, last=True),
            resolve(midnight + timedelta(seconds=end), zone),
        )
        if span.start < span.end:
            spans.append(span)
    return tuple(spans)


def allowed_clock(
    own: AllowedHours | None, guard: AllowedHours | None, zone: ZoneInfo
) -> AllowedClock | None:
    """The allowed hours in force: the Schedule's and the guard's together; None if neither."""
    given = [(daily_range(hours),) for hours in (own, guard) if hours is not None]
    if not given:
        return None
    ranges = given[0]
    for other in given[1:]:
        ranges = intersect(ranges, other)
    return AllowedClock(ranges, zone)
