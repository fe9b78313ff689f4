"""Cron stepped on croniter's parse agrees with croniter stepping itself."""

from datetime import datetime
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from outbound_scheduler.timing.cron import CronReadings, FieldReadings, cron_readings

FIELDS = [
    ["*", "*/15", "0", "5,35", "10-20/5", "59"],
    ["*", "*/6", "9", "8-17", "0,12", "23"],
    ["*", "1", "15", "L", "1,15", "*/10", "31", "29", "1,L", "?"],
    ["*", "2", "*/3", "jan,jul", "6-8", "12"],
    ["*", "1-5", "0", "7", "sun,sat", "5", "?", "mon-fri"],
]
expressions = st.tuples(*(st.sampled_from(field) for field in FIELDS)).map(" ".join)
readings = st.datetimes(datetime(2001, 1, 1), datetime(2035, 12, 31)).map(
    lambda wall: wall.replace(microsecond=0)
)


@settings(max_examples=300, deadline=None)
@given(expressions, readings)
def test_field_readings_match_croniter(expression: str, wall: datetime) -> None:
    ours, theirs = cron_readings(expression), CronReadings(expression)
    assert isinstance(ours, FieldReadings)
    assert list(islice(ours.after(wall), 4)) == list(islice(theirs.after(wall), 4))
    assert list(islice(ours.at_or_before(wall), 4)) == list(islice(theirs.at_or_before(wall), 4))


def test_nearest_weekday_and_nth_weekday_stay_with_croniter() -> None:
    assert isinstance(cron_readings("0 9 15W * *"), CronReadings)
    assert isinstance(cron_readings("0 9 * * 1#2"), CronReadings)
    second_monday = next(cron_readings("0 9 * * 1#2").after(datetime(2026, 5, 1)))
    assert second_monday == datetime(2026, 5, 11, 9)


def test_an_expression_naming_no_date_ends_the_search() -> None:
    assert (
        next(iter(FieldReadings([[0], [0], [30], [2], ["*"]]).after(datetime(2026, 1, 1))), None)
        is None
    )
