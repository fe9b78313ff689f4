"""The planner and the calendar: run-now requests, skipped openings, downtime."""

from datetime import UTC, datetime, timedelta

from outbound_scheduler.models import AllowedHours, ScheduleStatus
from outbound_scheduler.planning import CommandKind, decide, record
from outbound_scheduler.timing import compile_timetable
from tests.planning.test_decide import OPENING, run_at, schedule, view

CREATED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_run_now_opens_a_window_at_once_with_the_normal_end():
    """A new run-now token starts the groups now; the window ends by end.after."""
    spec = schedule(end={"after": "2h"})
    now = OPENING + timedelta(hours=12)
    decision, status, notices = run_at(view(spec=spec, run_now_token="t1"), now)
    assert {c.kind for c in decision.commands} == {CommandKind.START}
    assert decision.window is not None
    assert (decision.window.start, decision.window.end) == (now, now + timedelta(hours=2))
    assert status.run_now is not None
    assert (status.run_now.token, status.run_now.refused) == ("t1", None)
    assert status.history[0].note == "run now (t1)"
    assert "RunNow" in [n.reason for n in notices]


def test_run_now_token_is_acted_on_once():
    """The same token seen again (an echo, a restart) starts nothing new after its window."""
    spec = schedule(end={"after": "2h"})
    now = OPENING + timedelta(hours=12)
    _, status, _ = run_at(view(spec=spec, run_now_token="t1"), now)
    inside = decide(view(spec=spec, status=status, run_now_token="t1"), now + timedelta(hours=1))
    assert inside.commands == ()
    after = now + timedelta(hours=2)
    closing = decide(view(spec=spec, status=status, run_now_token="t1"), after)
    assert {c.kind for c in closing.commands} == {CommandKind.STOP}


def test_run_now_while_suspended_is_refused():
    """A suspended Schedule refuses run-now and says why."""
    spec = schedule(suspend=True)
    decision, status, notices = run_at(view(spec=spec, run_now_token="t2"), OPENING)
    assert decision.commands == ()
    assert status.run_now is not None
    assert status.run_now.refused == "the Schedule is suspended"
    assert [n.reason for n in notices if n.type == "Warning"] == ["RunNowRefused"]


def test_excluded_opening_is_recorded_as_skipped_once():
    """An opening on an excluded date starts nothing and is recorded once, with the reason."""
    spec = schedule(exclusions={"dates": ["2026-12-07"]})
    v = view(spec=spec, created=CREATED)
    decision, status, notices = run_at(v, OPENING + timedelta(minutes=1))
    assert decision.commands == ()
    assert status.last_skipped is not None
    assert status.last_skipped.opening == OPENING
    assert "2026-12-07" in status.last_skipped.reason
    assert {r.stop_reason for r in status.history} == {"Skipped"}
    assert "Skipped" in [n.reason for n in notices]
    again = decide(view(spec=spec, status=status, created=CREATED), OPENING + timedelta(hours=1))
    assert again.skipped is None


def test_window_that_opened_and_closed_during_downtime_is_recorded_missed():
    """On the first look after a restart, windows that came and went unseen are Missed."""
    prior = run_at(view(created=CREATED), datetime(2026, 12, 5, 9, 0, tzinfo=UTC))[1]
    assert prior.history[0].opened == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    stopped = prior.model_copy(
        update={
            "campaign_groups": [
                e.model_copy(update={"stopped": datetime(2026, 12, 5, 17, tzinfo=UTC)})
                for e in prior.campaign_groups
            ]
        }
    )
    back = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    v = view(status=stopped, created=CREATED, first_pass=True)
    decision = decide(v, back)
    assert [w.start.day for w in decision.missed] == [6]
    status, notices = record(v, decision, [], back)
    missed = [r for r in status.history if r.stop_reason == "Missed"]
    assert {r.opened.day for r in missed} == {6}
    assert "Missed" in [n.reason for n in notices]
    later = decide(view(status=status, created=CREATED, first_pass=True), back)
    assert later.missed == ()


def test_downtime_is_not_looked_at_after_the_first_pass():
    """Only the first look after start-up records downtime; later looks never do."""
    v = view(status=ScheduleStatus(), created=CREATED, first_pass=False)
    assert decide(v, datetime(2026, 12, 7, 8, 0, tzinfo=UTC)).missed == ()


def test_clipped_window_starts_at_the_allowed_hour_and_says_so():
    """A 07:00 opening with calling hours from 08:00 starts at 08:00, noted as clipped."""
    spec = schedule(daily={"at": "07:00"}, allowedHours={"from": "08:00", "to": "21:00"})
    early = decide(view(spec=spec), datetime(2026, 12, 7, 7, 30, tzinfo=UTC))
    assert early.commands == ()
    decision, status, _ = run_at(view(spec=spec), datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert {c.kind for c in decision.commands} == {CommandKind.START}
    assert status.history[0].note == "clipped to the allowed hours"


def test_cluster_guard_clips_every_schedule():
    """The operator-wide calling hours cut a Schedule that sets none of its own."""
    spec = schedule(daily={"at": "06:00"})
    guard = AllowedHours.model_validate({"from": "09:00", "to": "17:00"})
    timetable = compile_timetable(spec, guard)
    window = timetable.window_at(datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
    assert window is not None
    assert window.start == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert window.clipped
    assert timetable.window_at(datetime(2026, 12, 7, 7, 0, tzinfo=UTC)) is None
