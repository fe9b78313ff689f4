"""The planner with what OCS reports: stop rules, sequences, a group stopped or lost in OCS,
dialing-mode conflicts, and the final statistic in history. Explicit `now` and statistics."""

from datetime import UTC, datetime, timedelta

import pytest

from outbound_scheduler.models import (
    CampaignGroupSpec,
    ScheduleSpec,
    ScheduleStatus,
    SpecError,
    parse_spec,
)
from outbound_scheduler.planning import (
    CommandKind,
    Outcome,
    ScheduleView,
    decide,
    next_wake,
    record,
)
from outbound_scheduler.planning.decide import ModeConflict
from outbound_scheduler.planning.observed import Observation
from outbound_scheduler.timing import compile_timetable

OPENING = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
EAST, WEST, SOUTH = ("default", 1042), ("default", 1043), ("default", 1044)
GROUPS = {
    "east": CampaignGroupSpec(dbid=1042, dialing_mode="Predict"),
    "west": CampaignGroupSpec(dbid=1043, dialing_mode="Progress"),
    "south": CampaignGroupSpec(dbid=1044),
}


def spec(*entries: dict, **fields) -> ScheduleSpec:
    body = {"daily": {"at": "09:00"}, "end": {"at": "17:00"}, "campaignGroups": list(entries)}
    return parse_spec(ScheduleSpec, {**body, **fields})


def view(s: ScheduleSpec, status=None, observed=None, **extra) -> ScheduleView:
    return ScheduleView(
        spec=s,
        timetable=compile_timetable(s),
        status=status or ScheduleStatus(),
        campaign_groups=GROUPS,
        observed=observed or {},
        **extra,
    )


def seen(at: datetime, state="Running", penetration=None, completion=None, **extra):
    loaded = state in ("InActive", "Active", "Running")
    return Observation(
        at=at, synced=at, state=state, loaded=loaded, dialing=state == "Running",
        penetration=penetration, completion=completion, **extra,
    )  # fmt: skip


def step(s: ScheduleSpec, status, now: datetime, observed=None, **extra):
    """Decide at `now`, pretend OCS did everything, and record: (decision, status, notices)."""
    v = view(s, status, observed, **extra)
    decision = decide(v, now)
    states = {CommandKind.STOP: "NotLoaded", CommandKind.RECORD: None}
    outcomes = [Outcome(c, now, ocs_state=states.get(c.kind, "Running")) for c in decision.commands]
    after, notices = record(v, decision, outcomes, now)
    return decision, after, notices


def kinds(decision) -> list[tuple[str, CommandKind, str | None]]:
    return [(c.entry, c.kind, c.reason) for c in decision.commands]


def test_penetration_rule_stops_the_run_and_history_keeps_the_final_statistic():
    """stopWhen.penetration 90: at 89.9 % nothing happens, at 90.2 % the group stops with
    reason Penetration, and history records 90.2 % as the run's final statistic."""
    s = spec({"name": "east", "stopWhen": {"penetration": 90}})
    _, status, _ = step(s, None, OPENING)
    later = OPENING + timedelta(minutes=30)
    assert decide(view(s, status, {EAST: seen(later, penetration=89.9)}), later).commands == ()

    observed = {EAST: seen(later, penetration=90.2, completion=70.0)}
    decision, after, notices = step(s, status, later, observed)
    assert kinds(decision) == [("east", CommandKind.STOP, "Penetration")]
    assert after.history[0].stop_reason == "Penetration"
    assert (after.history[0].penetration, after.history[0].completion) == (90.2, 70.0)
    assert after.campaign_groups[0].penetration == 90.2
    assert [n.reason for n in notices] == ["Stopped"]
    # Ended for this window: the group is not started again while it stays open.
    assert decide(view(s, after, observed), later + timedelta(hours=1)).commands == ()


def test_an_observation_older_than_the_start_says_nothing_about_the_run():
    """Statistics taken before this run started (yesterday's 95 %) do not stop it."""
    s = spec({"name": "east", "stopWhen": {"penetration": 90}})
    _, status, _ = step(s, None, OPENING)
    stale = {EAST: seen(OPENING - timedelta(seconds=1), penetration=95.0)}
    assert decide(view(s, status, stale), OPENING + timedelta(minutes=1)).commands == ()


def test_duration_rule_stops_the_run_and_wakes_the_schedule_for_it():
    s = spec({"name": "east", "stopWhen": {"after": "90m"}})
    decision, status, _ = step(s, None, OPENING)
    v = view(s, status)
    assert next_wake(v, decide(v, OPENING), OPENING) == OPENING + timedelta(minutes=90)
    before = OPENING + timedelta(minutes=89)
    assert decide(view(s, status), before).commands == ()
    decision, after, _ = step(s, status, OPENING + timedelta(minutes=90))
    assert kinds(decision) == [("east", CommandKind.STOP, "Duration")]
    assert after.history[0].stop_reason == "Duration"


def test_whichever_rule_comes_first_ends_the_run():
    """Completion 50 % arrives before the 4 h duration: the run ends by Completion."""
    s = spec({"name": "east", "stopWhen": {"after": "4h", "completion": 50}})
    _, status, _ = step(s, None, OPENING)
    now = OPENING + timedelta(hours=1)
    decision = decide(view(s, status, {EAST: seen(now, completion=50.0)}), now)
    assert kinds(decision) == [("east", CommandKind.STOP, "Completion")]


def test_sequence_waits_for_its_leader_then_starts_within_the_window():
    """west follows east at penetration 90: it waits (said in status), starts when east
    reaches 90 %, even hours after the opening (a sequence is never too late)."""
    s = spec(
        {"name": "east"}, {"name": "west", "after": {"campaignGroup": "east", "penetration": 90}}
    )
    decision, status, _ = step(s, None, OPENING)
    assert kinds(decision) == [("east", CommandKind.START, None)]
    assert status.campaign_groups[1].waiting_for == "east penetration ≥ 90%"

    later = OPENING + timedelta(hours=2)
    decision, status, _ = step(s, status, later, {EAST: seen(later, penetration=80.0)})
    assert decision.commands == ()
    later += timedelta(minutes=10)
    decision, status, _ = step(s, status, later, {EAST: seen(later, penetration=91.0)})
    assert kinds(decision) == [("west", CommandKind.START, None)]
    assert status.campaign_groups[1].waiting_for is None
    assert status.campaign_groups[1].started == later


def test_a_chain_of_three_follows_the_final_statistics_of_stopped_leaders():
    """east stops itself at 90 % and west starts in the same pass; south follows west's
    completion; a follower whose leader already stopped reads the leader's final statistic."""
    s = spec(
        {"name": "east", "stopWhen": {"penetration": 90}},
        {"name": "west", "after": {"campaignGroup": "east", "penetration": 90}},
        {"name": "south", "after": {"campaignGroup": "west", "completed": True}},
    )
    _, status, _ = step(s, None, OPENING)
    t1 = OPENING + timedelta(hours=1)
    decision, status, _ = step(s, status, t1, {EAST: seen(t1, penetration=90.5)})
    assert kinds(decision) == [
        ("east", CommandKind.STOP, "Penetration"),
        ("west", CommandKind.START, None),
    ]
    assert status.campaign_groups[0].penetration == 90.5
    assert status.campaign_groups[2].waiting_for == "west completed"

    # west completes in OCS (auto-completion unloaded it): recorded Completed; south starts.
    t3 = t1 + timedelta(hours=1)
    observed = {WEST: seen(t3, "NotLoaded", penetration=100.0, completion=100.0)}
    decision, status, _ = step(s, status, t3, observed)
    assert kinds(decision) == [
        ("west", CommandKind.STOP, "Completed"),
        ("south", CommandKind.START, None),
    ]
    assert status.history[0].campaign_group == "south"


def test_a_follower_reads_the_final_statistic_of_a_leader_that_already_stopped():
    """Nothing is observed any more (the operator restarted): east's recorded 90.5 % at its
    stop is enough for west to start."""
    alone = spec({"name": "east", "stopWhen": {"penetration": 90}})
    _, status, _ = step(alone, None, OPENING)
    t1 = OPENING + timedelta(hours=1)
    _, status, _ = step(alone, status, t1, {EAST: seen(t1, penetration=90.5)})
    both = spec(
        {"name": "east", "stopWhen": {"penetration": 90}},
        {"name": "west", "after": {"campaignGroup": "east", "penetration": 90}},
    )
    decision = decide(view(both, status), t1 + timedelta(minutes=1))
    assert kinds(decision) == [("west", CommandKind.START, None)]


def test_a_leader_that_missed_its_window_never_starts_its_follower():
    s = spec(
        {"name": "east"}, {"name": "west", "after": {"campaignGroup": "east", "completion": 10}}
    )
    late = OPENING + timedelta(hours=1)
    v = view(s)
    decision = decide(v, late)
    assert kinds(decision) == [("east", CommandKind.ADOPT, None)]
    outcomes = [Outcome(c, late, ocs_state="NotLoaded", missed=True) for c in decision.commands]
    status, _ = record(v, decision, outcomes, late)
    assert decide(view(s, status), late + timedelta(minutes=5)).commands == ()


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ([{"name": "east", "after": {"campaignGroup": "west", "penetration": 5}},
          {"name": "west", "after": {"campaignGroup": "east", "penetration": 5}}],
         "east → west → east is a cycle"),
        ([{"name": "east", "after": {"campaignGroup": "east", "penetration": 5}}],
         "is not another entry"),
        ([{"name": "east"}, {"name": "west", "after": {"campaignGroup": "north", "completion": 5}}],
         "'north' is not another entry of this Schedule"),
        ([{"name": "east"}, {"name": "west", "after": {"campaignGroup": "east"}}],
         "set exactly one of penetration, completion or completed"),
        ([{"name": "east", "action": "Stop", "stopWhen": {"after": "1h"}}],
         "stopWhen ends a run, but action Stop acts once"),
        ([{"name": "east", "stopWhen": {}}], "stopWhen needs after, penetration or completion"),
        ([{"name": "east", "stopWhen": {"penetration": 120}}], "less than or equal to 100"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_field(entries, words):
    with pytest.raises(SpecError, match=words):
        spec(*entries)


def test_a_group_stopped_by_a_person_is_recorded_and_respected_for_the_window():
    """OCS answered all along and now says NotLoaded: a person stopped it. The run ends
    StoppedInOcs, nothing is sent, and nothing restarts it in this window."""
    s = spec({"name": "east"})
    _, status, _ = step(s, None, OPENING)
    now = OPENING + timedelta(minutes=20)
    observed = {EAST: seen(now, "NotLoaded", penetration=30.0)}
    decision, after, notices = step(s, status, now, observed)
    assert kinds(decision) == [("east", CommandKind.RECORD, "StoppedInOcs")]
    assert after.history[0].stop_reason == "StoppedInOcs"
    assert [n.reason for n in notices] == ["StoppedInOcs"]
    assert decide(view(s, after, observed), now + timedelta(hours=1)).commands == ()
    # The next window starts it again as usual.
    tomorrow = OPENING + timedelta(days=1)
    assert kinds(decide(view(s, after, observed), tomorrow)) == [("east", CommandKind.START, None)]


def test_a_group_ocs_lost_in_a_restart_is_started_again_as_the_same_run():
    """After an outage OCS says NotLoaded: the same run is started again (recovery), history
    keeps one run with a note, and an Event says Recovered."""
    s = spec({"name": "east"})
    _, status, _ = step(s, None, OPENING)
    now = OPENING + timedelta(minutes=20)
    observed = {EAST: seen(now, "NotLoaded", after_outage=True)}
    decision, after, notices = step(s, status, now, observed)
    assert [(c.kind, c.recovery) for c in decision.commands] == [(CommandKind.START, True)]
    assert len(after.history) == 1
    assert after.history[0].started == OPENING
    assert "recovered" in (after.history[0].note or "")
    assert after.campaign_groups[0].started == OPENING
    assert [n.reason for n in notices] == ["Recovered"]


def test_start_paused_is_satisfied_by_a_loaded_group():
    s = spec({"name": "east", "action": "StartPaused"})
    _, status, _ = step(s, None, OPENING)
    now = OPENING + timedelta(minutes=5)
    assert decide(view(s, status, {EAST: seen(now, "Active")}), now).commands == ()


def test_ocs_unreachable_about_a_held_group_makes_the_schedule_not_ready():
    s = spec({"name": "east"})
    _, status, _ = step(s, None, OPENING)
    now = OPENING + timedelta(minutes=5)
    observed = {EAST: seen(OPENING, error="GetCampaignStatus for CG 1042: OCS unavailable")}
    decision, after, notices = step(s, status, now, observed)
    assert decision.commands == ()
    ready = after.conditions[0]
    assert (ready.status, ready.reason) == ("False", "OcsError")
    assert "OCS unavailable" in ready.message
    assert [n.reason for n in notices] == ["OcsError"]
    # Said once: the next pass with the same trouble posts nothing new.
    assert step(s, after, now + timedelta(seconds=10), observed)[2] == []


def test_the_loser_of_a_mode_conflict_dials_the_winners_way_and_says_so():
    s = spec({"name": "east", "dialingMode": "Power"})
    conflict = ModeConflict("ns/early-bird", "Preview", None)
    decision, status, notices = step(s, None, OPENING, conflicts={"east": conflict})
    assert [c.dialing_mode for c in decision.commands] == ["Preview"]
    condition = next(c for c in status.conditions if c.type == "Conflict")
    assert (condition.status, condition.reason) == ("True", "DialingModeConflict")
    assert "ns/early-bird" in condition.message
    assert "Conflict" in [n.reason for n in notices]
    # Once the conflict is gone, the condition goes too.
    _, later, _ = step(s, status, OPENING + timedelta(minutes=1))
    assert [c.type for c in later.conditions] == ["Ready"]


def test_a_follower_whose_window_closes_first_is_recorded_not_started():
    s = spec(
        {"name": "east"}, {"name": "west", "after": {"campaignGroup": "east", "penetration": 90}}
    )
    _, status, _ = step(s, None, OPENING)
    closing = OPENING + timedelta(hours=8)
    _, after, _ = step(s, status, closing, {EAST: seen(closing, penetration=40.0)})
    west = [run for run in after.history if run.campaign_group == "west"]
    assert [(run.stop_reason, run.opened) for run in west] == [("NotStarted", OPENING)]
    assert "east penetration ≥ 90%" in west[0].note
    assert after.campaign_groups[1].waiting_for is None


def test_a_stop_rule_already_met_at_the_opening_starts_nothing():
    """The executor finds the group at 52.5 % (rule: 50 %) and starts nothing: the run is
    recorded as ended by Penetration, never started, with the figure in its note."""
    s = spec({"name": "east", "stopWhen": {"penetration": 50}})
    v = view(s)
    decision = decide(v, OPENING)
    assert decision.commands[0].stop_at == (50, None)
    skipped = Outcome(
        decision.commands[0], OPENING, skipped="Penetration", detail="penetration 52.5% ≥ 50%"
    )
    status, notices = record(v, decision, [skipped], OPENING)
    assert (status.history[0].started, status.history[0].stop_reason) == (None, "Penetration")
    assert status.history[0].note == "penetration 52.5% ≥ 50%"
    assert [n.reason for n in notices] == ["NotStarted"]
    assert decide(view(s, status), OPENING + timedelta(minutes=1)).commands == ()
