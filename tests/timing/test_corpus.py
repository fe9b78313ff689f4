"""A corpus of cron/DST cases from public bug reports, each with its answer under our policy.

Every case names where the behaviour was reported (the tracker and number), the
zone, the recurrence, an instant to ask from and the right answers, worked out
by hand from the zone's offsets: the next occurrences strictly after the
instant, the previous ones at or before it (latest first), and for some the
windows. The policy (DESIGN.md, "Time zone"): a reading in a spring-forward gap
fires at the first instant after the gap; a repeated reading fires once, at its
first occurrence; readings are wall-clock, so a repeated hour is not run again
even by an every-minute cron. Where a report expected something else, the case
says so.
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

import pytest

from outbound_scheduler.models import ScheduleSpec
from outbound_scheduler.timing import compile_timetable


@dataclass(frozen=True)
class Case:
    source: str
    zone: str
    recurrence: dict[str, Any]
    start: str
    following: tuple[str, ...] = ()
    previous: tuple[str, ...] = ()
    end: str = "1m"
    windows: tuple[tuple[str, str], ...] = ()


def daily(at: str) -> dict[str, Any]:
    return {"daily": {"at": at}}


def cron(expression: str) -> dict[str, Any]:
    return {"cron": expression}


CASES = [
    Case(
        "croniter #82: daily midnight across Warsaw's spring day jumped to 01:00",
        "Europe/Warsaw",
        daily("00:00"),
        "2017-03-25T23:00:00Z",
        following=("2017-03-26T22:00:00Z", "2017-03-27T22:00:00Z"),
        previous=("2017-03-25T23:00:00Z", "2017-03-24T23:00:00Z"),
    ),
    Case(
        "croniter #82: hourly from 01:00 CET on Warsaw's spring day; 02:00 lands on 03:00",
        "Europe/Warsaw",
        cron("0 * * * *"),
        "2017-03-26T00:00:00Z",
        following=("2017-03-26T01:00:00Z", "2017-03-26T02:00:00Z"),
        previous=("2017-03-26T00:00:00Z", "2017-03-25T23:00:00Z"),
    ),
    Case(
        "croniter #82: daily midnight across Warsaw's fall-back day",
        "Europe/Warsaw",
        daily("00:00"),
        "2017-10-28T22:00:00Z",
        following=("2017-10-29T23:00:00Z", "2017-10-30T23:00:00Z"),
    ),
    Case(
        "croniter #25 (dup of kiorky/croniter #1): 20:00 Paris became 21:00 after fall-back",
        "Europe/Paris",
        daily("20:00"),
        "2022-10-29T22:00:00Z",
        following=("2022-10-30T19:00:00Z", "2022-10-31T19:00:00Z", "2022-11-01T19:00:00Z"),
        end="12h",
        windows=(
            ("2022-10-30T19:00:00Z", "2022-10-31T07:00:00Z"),
            ("2022-10-31T19:00:00Z", "2022-11-01T07:00:00Z"),
        ),
    ),
    Case(
        "croniter #116: 06:00 New York forwards across 2024-03-10 stays 06:00 local",
        "America/New_York",
        daily("06:00"),
        "2024-03-08T00:00:00Z",
        following=(
            "2024-03-08T11:00:00Z",
            "2024-03-09T11:00:00Z",
            "2024-03-10T10:00:00Z",
            "2024-03-11T10:00:00Z",
        ),
    ),
    Case(
        "croniter #116: 06:00 New York backwards across 2024-03-10 (prev was an hour off)",
        "America/New_York",
        daily("06:00"),
        "2024-03-11T12:00:00Z",
        previous=(
            "2024-03-11T10:00:00Z",
            "2024-03-10T10:00:00Z",
            "2024-03-09T11:00:00Z",
            "2024-03-08T11:00:00Z",
        ),
    ),
    Case(
        "croniter #116: weekdays 08:00 New York, get_prev from fall-back Sunday gave 09:00",
        "America/New_York",
        cron("0 8 * * 1,2,3,4,5"),
        "2018-11-04T10:00:00Z",
        following=("2018-11-05T13:00:00Z", "2018-11-06T13:00:00Z"),
        previous=("2018-11-02T12:00:00Z", "2018-11-01T12:00:00Z"),
    ),
    Case(
        "croniter PR #92: daily 16:00 US/Eastern through the 2017 fall-back",
        "US/Eastern",
        cron("0 16 * * *"),
        "2017-11-03T04:00:00Z",
        following=(
            "2017-11-03T20:00:00Z",
            "2017-11-04T20:00:00Z",
            "2017-11-05T21:00:00Z",
            "2017-11-06T21:00:00Z",
        ),
    ),
    Case(
        "quartz PR #1517 / quartznet PR #3195: hourly on Lord Howe's 30-minute spring jump",
        "Australia/Lord_Howe",
        cron("0 * * * *"),
        "2019-10-05T14:00:00Z",
        following=(
            "2019-10-05T14:30:00Z",
            "2019-10-05T15:30:00Z",
            "2019-10-05T16:00:00Z",
            "2019-10-05T17:00:00Z",
        ),
    ),
    Case(
        "elizaOS PR #11100: 01:45 on Lord Howe's 30-minute fall-back fired twice",
        "Australia/Lord_Howe",
        daily("01:45"),
        "2026-04-04T15:20:00Z",
        following=("2026-04-05T15:15:00Z",),
        previous=("2026-04-04T14:45:00Z", "2026-04-03T14:45:00Z"),
    ),
    Case(
        "kubernetes #121594 (CronJob look-back): weekly Sunday 00:00 seen from Monday noon",
        "US/Eastern",
        {"weekly": {"days": ["Sunday"], "at": "00:00"}},
        "2025-11-03T17:00:00Z",
        following=("2025-11-09T05:00:00Z",),
        previous=("2025-11-02T04:00:00Z", "2025-10-26T04:00:00Z"),
    ),
    Case(
        "netresearch/go-cron #349 shape: 01:45 Los Angeles on 2025-11-02 runs once",
        "America/Los_Angeles",
        daily("01:45"),
        "2025-11-02T07:00:00Z",
        following=("2025-11-02T08:45:00Z", "2025-11-03T09:45:00Z"),
        end="1h",
        windows=(
            ("2025-11-02T08:45:00Z", "2025-11-02T09:45:00Z"),
            ("2025-11-03T09:45:00Z", "2025-11-03T10:45:00Z"),
        ),
    ),
    Case(
        "netresearch/go-cron #349 shape: asked during the second 01:45 in Los Angeles",
        "America/Los_Angeles",
        daily("01:45"),
        "2025-11-02T09:50:00Z",
        following=("2025-11-03T09:45:00Z",),
        previous=("2025-11-02T08:45:00Z",),
    ),
    Case(
        "kubernetes #121594: CronJob 02:00 Europe/Berlin ran twice on 2023-10-29",
        "Europe/Berlin",
        daily("02:00"),
        "2023-10-28T12:00:00Z",
        following=("2023-10-29T00:00:00Z", "2023-10-30T01:00:00Z"),
        end="1h",
        windows=(
            ("2023-10-29T00:00:00Z", "2023-10-29T01:00:00Z"),
            ("2023-10-30T01:00:00Z", "2023-10-30T02:00:00Z"),
        ),
    ),
    Case(
        "node-red-contrib-cron-plus #108/#131: every even hour, London spring day 2025",
        "Europe/London",
        cron("0 */2 * * *"),
        "2025-03-29T21:00:00Z",
        following=(
            "2025-03-29T22:00:00Z",
            "2025-03-30T00:00:00Z",
            "2025-03-30T01:00:00Z",
            "2025-03-30T03:00:00Z",
            "2025-03-30T05:00:00Z",
        ),
    ),
    Case(
        "kelektiv/node-cron #563: 02:30 skipped on the spring day; Linux cron runs it at 03:00",
        "America/New_York",
        daily("02:30"),
        "2021-03-13T12:00:00Z",
        following=("2021-03-14T07:00:00Z", "2021-03-15T06:30:00Z"),
    ),
    Case(
        "kelektiv/node-cron #563: 01:30 fired twice on the fall-back day",
        "America/New_York",
        daily("01:30"),
        "2021-11-06T12:00:00Z",
        following=("2021-11-07T05:30:00Z", "2021-11-08T06:30:00Z"),
    ),
    Case(
        "kelektiv/node-cron #120: every minute stopped at 01:59 EDT; ours pauses for the"
        " repeated hour (readings run once) and goes on at 02:00 EST",
        "America/New_York",
        cron("* * * * *"),
        "2014-11-02T05:59:00Z",
        following=("2014-11-02T07:00:00Z", "2014-11-02T07:01:00Z"),
        previous=("2014-11-02T05:59:00Z",),
    ),
    Case(
        "quartz-scheduler/quartz #81: every minute in Berlin's repeated hour (as designed)",
        "Europe/Berlin",
        cron("* * * * *"),
        "2016-10-30T00:59:00Z",
        following=("2016-10-30T02:00:00Z", "2016-10-30T02:01:00Z"),
    ),
    Case(
        "kelektiv/node-cron #881: */30 in Melbourne's repeated hour; the reporter expected"
        " half-hourly, ours runs each reading once",
        "Australia/Melbourne",
        cron("*/30 * * * *"),
        "2024-04-06T15:30:00Z",
        following=("2024-04-06T17:00:00Z", "2024-04-06T17:30:00Z"),
    ),
    Case(
        "agronholm/apscheduler #529: Sun-Thu midnight US/Central skipped a day",
        "US/Central",
        cron("0 0 * * 0-4"),
        "2021-03-12T06:00:00.000001Z",
        following=("2021-03-14T06:00:00Z", "2021-03-15T05:00:00Z"),
    ),
    Case(
        "agronholm/apscheduler #606: midnight US/Pacific skipped 2022-03-14",
        "US/Pacific",
        daily("00:00"),
        "2022-03-13T08:00:07Z",
        following=("2022-03-14T07:00:00Z", "2022-03-15T07:00:00Z"),
    ),
    Case(
        "agronholm/apscheduler #1059: hour=2 on 2013-03-10 returned a non-existent time",
        "US/Eastern",
        cron("0 2 * * *"),
        "2013-03-10T07:00:00Z",
        following=("2013-03-11T06:00:00Z",),
        previous=("2013-03-10T07:00:00Z", "2013-03-09T07:00:00Z"),
    ),
    Case(
        "agronholm/apscheduler #115 interval_autumn: */30 from 01:35 EDT; they expected"
        " 01:00 EST, ours does not rerun the repeated hour",
        "US/Eastern",
        cron("*/30 * * * *"),
        "2013-11-03T05:35:00Z",
        following=("2013-11-03T07:00:00Z",),
        previous=("2013-11-03T05:30:00Z",),
    ),
    Case(
        "agronholm/apscheduler #115 absolute_autumn: 08:00 across the fall-back",
        "US/Eastern",
        cron("0 8 * * *"),
        "2013-11-02T16:00:00Z",
        following=("2013-11-03T13:00:00Z",),
    ),
    Case(
        "quartz-scheduler/quartz #1352: daily 02:30 Amsterdam skipped 2025-04-01",
        "Europe/Amsterdam",
        daily("02:30"),
        "2025-04-01T00:00:00Z",
        following=("2025-04-01T00:30:00Z", "2025-04-02T00:30:00Z"),
    ),
    Case(
        "quartz-scheduler/quartz #1352: the same 02:30 on Amsterdam's spring day",
        "Europe/Amsterdam",
        daily("02:30"),
        "2025-03-29T12:00:00Z",
        following=("2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z"),
    ),
    Case(
        "quartznet #846: every 2 hours 17:00-19:30 weekdays fired at 18:00 after DST",
        "America/New_York",
        cron("0 17-19/2 * * 1-5"),
        "2020-03-07T12:00:00Z",
        following=("2020-03-09T21:00:00Z", "2020-03-09T23:00:00Z", "2020-03-10T21:00:00Z"),
    ),
    Case(
        "quartznet #587: daily 07:11 kept EDT after the fall-back",
        "America/New_York",
        cron("11 7 * * *"),
        "2017-11-04T11:11:00Z",
        following=("2017-11-05T12:11:00Z",),
        previous=("2017-11-04T11:11:00Z",),
    ),
    Case(
        "quartznet PR #3615: a skipped 02:30 fires at the gap's end, not shifted to 03:30",
        "America/Chicago",
        daily("02:30"),
        "2026-03-07T12:00:00Z",
        following=("2026-03-08T08:00:00Z", "2026-03-09T07:30:00Z"),
    ),
    Case(
        "mariusbancila/croncpp #8: next after 14:30 the day before DST returned the same time",
        "Europe/Vilnius",
        cron("30 14 * * *"),
        "2020-03-28T12:30:00Z",
        following=("2020-03-29T11:30:00Z",),
        previous=("2020-03-28T12:30:00Z",),
    ),
    Case(
        "staticlibs/ccronexpr #15: 00:05 daily on the night of a spring change went backwards",
        "Europe/Paris",
        daily("00:05"),
        "2018-03-24T12:00:00Z",
        following=("2018-03-24T23:05:00Z", "2018-03-25T22:05:00Z"),
    ),
    Case(
        "exander77/supertinycron #14: every minute from 02:59 on Athens' spring day",
        "Europe/Athens",
        cron("* * * * *"),
        "2024-03-31T00:59:02Z",
        following=("2024-03-31T01:00:00Z", "2024-03-31T01:01:00Z"),
        previous=("2024-03-31T00:59:00Z",),
    ),
    Case(
        "Hexagon/croner #284: hourly in UTC was shifted by the host's DST",
        "UTC",
        cron("0 * * * *"),
        "2025-10-05T02:00:00Z",
        following=("2025-10-05T03:00:00Z", "2025-10-05T04:00:00Z"),
    ),
    Case(
        "cronie-crond/cronie #124: CRON_TZ=UTC 01:30 never ran when London fell back",
        "UTC",
        cron("30 1 * * *"),
        "2022-10-30T00:00:00Z",
        following=("2022-10-30T01:30:00Z", "2022-10-31T01:30:00Z"),
    ),
    Case(
        "cronie-crond/cronie #217: next in a DST month from a standard-time month was 01:00",
        "America/New_York",
        cron("* * * */3 *"),
        "2015-02-15T05:00:00Z",
        following=("2015-04-01T04:00:00Z", "2015-04-01T04:01:00Z"),
    ),
    Case(
        "healthchecks #196: 0 2 * * * in Copenhagen around 2018-10-28",
        "Europe/Copenhagen",
        cron("0 2 * * *"),
        "2018-10-27T12:00:00Z",
        following=("2018-10-28T00:00:00Z", "2018-10-29T01:00:00Z"),
    ),
    Case(
        "meteor/meteor-synced-cron #152: jobs in Berlin's repeated 02:xx ran continuously",
        "Europe/Berlin",
        cron("*/15 2 * * *"),
        "2024-10-26T23:50:00Z",
        following=(
            "2024-10-27T00:00:00Z",
            "2024-10-27T00:15:00Z",
            "2024-10-27T00:30:00Z",
            "2024-10-27T00:45:00Z",
            "2024-10-28T01:00:00Z",
        ),
    ),
    Case(
        "vatesfr/xen-orchestra #4024: a 2 AM job ran at 1 AM and at 3 AM on 2019-03-10",
        "America/Toronto",
        cron("0 2 * * *"),
        "2019-03-09T12:00:00Z",
        following=("2019-03-10T07:00:00Z", "2019-03-11T06:00:00Z"),
    ),
    Case(
        "temporalio/documentation PR #952: 30 2 * * * 'may run zero, one or two times' (spring)",
        "America/New_York",
        cron("30 2 * * *"),
        "2022-03-12T12:00:00Z",
        following=("2022-03-13T07:00:00Z", "2022-03-14T06:30:00Z"),
    ),
    Case(
        "temporalio/documentation PR #952: the same 30 2 * * * on the fall-back day",
        "America/New_York",
        cron("30 2 * * *"),
        "2022-11-05T12:00:00Z",
        following=("2022-11-06T07:30:00Z", "2022-11-07T07:30:00Z"),
    ),
    Case(
        "harrisiirak/cron-parser PR #435 / quartz PR #1517: Troll's two-hour jump",
        "Antarctica/Troll",
        daily("01:30"),
        "2026-03-28T12:00:00Z",
        following=("2026-03-29T01:00:00Z", "2026-03-29T23:30:00Z"),
    ),
    Case(
        "quartz PR #1517: Santiago skips midnight on its spring day",
        "America/Santiago",
        daily("00:00"),
        "2026-09-05T12:00:00Z",
        following=("2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z"),
    ),
    Case(
        "quartz PR #1517: Santiago repeats 23:xx when it falls back at midnight",
        "America/Santiago",
        daily("23:30"),
        "2026-04-04T12:00:00Z",
        following=("2026-04-05T02:30:00Z", "2026-04-06T03:30:00Z"),
    ),
    Case(
        "quartz PR #1517: Casablanca's Ramadan fall-back repeats 02:xx",
        "Africa/Casablanca",
        daily("02:30"),
        "2026-02-14T12:00:00Z",
        following=("2026-02-15T01:30:00Z", "2026-02-16T02:30:00Z"),
    ),
    Case(
        "quartz PR #1517: Casablanca's spring-forward after Ramadan skips 02:xx",
        "Africa/Casablanca",
        daily("02:30"),
        "2026-03-21T12:00:00Z",
        following=("2026-03-22T02:00:00Z", "2026-03-23T01:30:00Z"),
    ),
    Case(
        "davedelong/calendar_fallacies #67 and kin: Samoa skipped 2011-12-30 entirely",
        "Pacific/Apia",
        daily("09:00"),
        "2011-12-29T12:00:00Z",
        following=("2011-12-29T19:00:00Z", "2011-12-30T10:00:00Z", "2011-12-30T19:00:00Z"),
    ),
]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("case", CASES, ids=[case.source.split(":")[0] for case in CASES])
def test_reported_case(case: Case) -> None:
    spec = ScheduleSpec.model_validate(
        {
            "timeZone": case.zone,
            "end": {"after": case.end},
            "campaignGroups": [{"name": "cg"}],
            **case.recurrence,
        }
    )
    table = compile_timetable(spec)
    rule = table.recurrence

    following, t = [], instant(case.start)
    for _ in case.following:
        t = rule.next_after(t)
        following.append(t)
    assert following == [instant(text) for text in case.following]

    previous, t = [], instant(case.start)
    for _ in case.previous:
        t = rule.previous_at_or_before(t)
        previous.append(t)
        t -= t.resolution
    assert previous == [instant(text) for text in case.previous]

    expected = [(instant(a), instant(b)) for a, b in case.windows]
    walk = table.windows_between(instant(case.start), instant("2100-01-01T00:00:00Z"))
    assert [(w.start, w.end) for w in islice(walk, len(expected))] == expected


def test_corpus_is_large_enough() -> None:
    """The issue asks for at least 30 reported cases."""
    assert len(CASES) >= 30
