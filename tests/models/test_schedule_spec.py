"""Schedule specs: what is accepted, and how refusals name the field and the fix."""

import pytest

from outbound_scheduler.models import ScheduleSpec, SpecError, parse_spec


def spec(**fields):
    base = {
        "daily": {"at": "08:00"},
        "end": {"at": "17:00"},
        "campaignGroups": [{"name": "ivr-blast-east"}],
    }
    return {**base, **fields}


def refusal(body) -> str:
    with pytest.raises(SpecError) as caught:
        parse_spec(ScheduleSpec, body)
    return str(caught.value)


def test_design_example_is_accepted():
    """The DESIGN.md example parses with its defaults filled in."""
    parsed = parse_spec(
        ScheduleSpec,
        {
            "description": "IVR Blast",
            "timeZone": "Europe/London",
            "weekly": {"days": ["Monday", "Tuesday", "Wednesday", "Thursday"], "at": "09:00"},
            "end": {"at": "17:00"},
            "campaignGroups": [
                {"name": "ivr-blast-east", "action": "Start", "dialingMode": "Power"}
            ],
        },
    )
    assert parsed.zone.key == "Europe/London"
    assert parsed.campaign_groups[0].dialing_mode == "Power"
    assert parsed.weekly is not None
    assert len(parsed.weekly.days) == 4


def test_time_zone_defaults_to_utc():
    """A spec without timeZone reads its times in UTC."""
    assert parse_spec(ScheduleSpec, spec()).time_zone == "UTC"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"timeZone": "Mars/Olympus"}, "spec.timeZone: unknown time zone 'Mars/Olympus'"),
        ({"daily": None, "cron": "0 8 * *"}, "spec.cron: '0 8 * *' is not a five-field cron"),
        ({"daily": None, "cron": "0 25 * * *"}, "spec.cron:"),
        ({"daily": {"at": "8am"}}, "spec.daily.at: '8am' is not a time of day"),
        ({"end": {"after": "eight hours"}}, "spec.end.after: 'eight hours' is not a duration"),
        ({"end": {"at": "17:00", "after": "8h"}}, "exactly one of end.at"),
        ({"end": None}, "windows never end: set end.at"),
        ({"cron": "0 8 * * *"}, "exactly one recurrence"),
        ({"weekly": {"days": ["Monday", "Monday"], "at": "09:00"}, "daily": None}, "listed twice"),
        ({"campaignGroups": []}, "spec.campaignGroups:"),
        ({"surprise": 1}, "spec.surprise:"),
    ],
)
def test_refusals_name_the_field(fields, named):
    """Each bad spec is refused with a message naming the field as the user wrote it."""
    assert named in refusal(spec(**fields))


def test_duration_reads_go_style():
    """end.after takes Go-style durations such as 1h30m."""
    parsed = parse_spec(ScheduleSpec, spec(end={"after": "1h30m"}))
    assert parsed.end is not None
    assert parsed.end.length is not None
    assert parsed.end.length.total_seconds() == 5400


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"daily": None, "once": {"at": "2026-12-24 09:00"}}, "spec.once.at: '2026-12-24 09:00'"),
        ({"daily": None, "monthly": {"days": [0], "at": "18:00"}}, "day 0 does not exist"),
        ({"daily": None, "monthly": {"days": [1, 1], "at": "18:00"}}, "listed twice"),
        (
            {"daily": None, "every": {"days": 2, "weeks": 1, "from": "2026-01-05", "at": "07:30"}},
            "exactly one of every.days or every.weeks",
        ),
        ({"startDate": "2026-12-10", "endDate": "2026-12-01"}, "endDate 2026-12-01 is before"),
        ({"exclusions": {"dates": ["2026-02-30"]}}, "spec.exclusions.dates[0]: '2026-02-30'"),
        (
            {"exclusions": {"ranges": [{"from": "2026-12-31", "to": "2026-12-24"}]}},
            "the range ends (2026-12-24) before it begins",
        ),
        ({"exclusions": {"holidays": [{"country": "XX"}]}}, "no holiday calendar for country"),
        (
            {"exclusions": {"holidays": [{"country": "GB", "subdivision": "XYZ"}]}},
            "country GB has no subdivision 'XYZ'; use one of ENG",
        ),
        ({"allowedHours": {"from": "08:00", "to": "08:00"}}, "the range is empty"),
        ({"startingDeadlineSeconds": -1}, "spec.startingDeadlineSeconds:"),
    ],
)
def test_calendar_and_recurrence_refusals_name_the_field(fields, named):
    """Each bad recurrence or calendar rule is refused with a message naming the fix."""
    assert named in refusal(spec(**fields))


def test_every_form_of_recurrence_parses():
    """once, monthly with last, and every N weeks from an anchor are accepted."""
    once = parse_spec(ScheduleSpec, spec(daily=None, once={"at": "2026-12-24T09:00:00"}))
    assert once.once is not None
    monthly = parse_spec(
        ScheduleSpec, spec(daily=None, monthly={"days": [1, "last"], "at": "18:00"})
    )
    assert monthly.monthly is not None
    assert monthly.monthly.days == [1, "last"]
    every = parse_spec(
        ScheduleSpec, spec(daily=None, every={"weeks": 2, "from": "2026-01-05", "at": "07:30"})
    )
    assert every.every is not None
    assert every.every.period_days == 14
