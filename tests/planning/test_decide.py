"""The planner: which commands a Schedule needs at an instant, and the status that follows."""

from datetime import UTC, datetime, timedelta

from outbound_scheduler.models import (
    CampaignGroupSpec,
    EntryStatus,
    ScheduleSpec,
    ScheduleStatus,
    parse_spec,
)
from outbound_scheduler.planning import CommandKind, Outcome, ScheduleView, decide, record
from outbound_scheduler.timing import compile_timetable

OPENING = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
GROUPS = {
    "east": CampaignGroupSpec(dbid=1042, dialing_mode="Predict"),
    "west": CampaignGroupSpec(dbid=1043, dialing_mode="Progress"),
}


def schedule(**fields) -> ScheduleSpec:
    body = {
        "daily": {"at": "09:00"},
        "end": {"at": "17:00"},
        "campaignGroups": [{"name": "east", "dialingMode": "Power"}, {"name": "west"}],
    }
    return parse_spec(ScheduleSpec, {**body, **fields})


def view(spec=None, status=None, groups=GROUPS, **extra) -> ScheduleView:
    spec = spec or schedule()
    return ScheduleView(
        spec=spec,
        timetable=compile_timetable(spec),
        status=status or ScheduleStatus(),
        campaign_groups=groups,
        **extra,
    )


def run_at(v: ScheduleView, now: datetime, fail: str | None = None):
    """Decide, pretend OCS did (or refused) everything, and record."""
    decision = decide(v, now)
    outcomes = [Outcome(c, now, ocs_state="Running", error=fail) for c in decision.commands]
    status, notices = record(v, decision, outcomes, now)
    return decision, status, notices


def holding_status(now: datetime) -> ScheduleStatus:
    return run_at(view(), now)[1]


def test_opening_starts_every_group_with_its_dialing_mode():
    """At the opening each entry gets one Start, the entry's mode overriding the group's."""
    decision = decide(view(), OPENING)
    assert [(c.kind, c.entry, c.dbid, c.dialing_mode) for c in decision.commands] == [
        (CommandKind.START, "east", 1042, "Power"),
        (CommandKind.START, "west", 1043, "Progress"),
    ]
    assert {c.run_id for c in decision.commands} == {"20261207T090000Z"}


def test_nothing_is_started_before_the_opening():
    """One second before the window opens, nothing is commanded and the state is Idle."""
    decision, status, _ = run_at(view(), OPENING - timedelta(seconds=1))
    assert decision.commands == ()
    assert status.state == "Idle"
    assert status.next_run == OPENING


def test_a_started_run_is_never_started_again():
    """After a recorded start (e.g. across an operator restart) the same window commands nothing."""
    status = holding_status(OPENING)
    later = OPENING + timedelta(hours=3)
    assert decide(view(status=status), later).commands == ()


def test_late_opening_within_catch_up_starts():
    """A window first seen 4 minutes after opening still starts (catch-up is 5 minutes)."""
    decision = decide(view(), OPENING + timedelta(minutes=4))
    assert {c.kind for c in decision.commands} == {CommandKind.START}


def test_late_opening_beyond_catch_up_only_adopts():
    """A window first seen an hour late adopts a running group, else records it Missed."""
    v = view()
    now = OPENING + timedelta(hours=1)
    decision = decide(v, now)
    assert {c.kind for c in decision.commands} == {CommandKind.ADOPT}
    outcomes = [Outcome(c, now, ocs_state="NotLoaded", missed=True) for c in decision.commands]
    status, notices = record(v, decision, outcomes, now)
    assert [e.stop_reason for e in status.campaign_groups] == ["Missed", "Missed"]
    assert [n.reason for n in notices] == ["Missed", "Missed"]
    assert decide(view(status=status), now + timedelta(minutes=1)).commands == ()


def test_closing_stops_what_the_run_started():
    """At the window's end each group it started gets one Stop with reason WindowClosed."""
    status = holding_status(OPENING)
    closing = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    decision, after, _notices = run_at(view(status=status), closing)
    assert [(c.kind, c.reason) for c in decision.commands] == [
        (CommandKind.STOP, "WindowClosed"),
        (CommandKind.STOP, "WindowClosed"),
    ]
    assert after.state == "Idle"
    assert all(run.stop_reason == "WindowClosed" for run in after.history)
    assert decide(view(status=after), closing + timedelta(seconds=1)).commands == ()


def test_closing_hands_over_a_group_another_window_wants():
    """A group another Schedule's open window wants is released, not stopped."""
    status = holding_status(OPENING)
    closing = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    v = view(status=status, wanted_elsewhere=frozenset({("default", 1042)}))
    kinds = {c.entry: c.kind for c in decide(v, closing).commands}
    assert kinds == {"east": CommandKind.RELEASE, "west": CommandKind.STOP}


def test_failed_start_is_retried_while_the_window_is_open():
    """A start OCS refused is retried as a Start even after the catch-up allowance."""
    _, status, notices = run_at(view(), OPENING, fail="OCS unreachable")
    assert notices[0].type == "Warning"
    assert status.campaign_groups[0].message == "OCS unreachable"
    retry = decide(view(status=status), OPENING + timedelta(hours=2))
    assert {c.kind for c in retry.commands} == {CommandKind.START}


def test_missing_campaign_group_is_an_error_that_sends_nothing():
    """A Schedule naming an absent CampaignGroup is in Error, names the field, commands nothing."""
    decision, status, notices = run_at(view(groups={"east": GROUPS["east"]}), OPENING)
    assert decision.commands == ()
    assert status.state == "Error"
    ready = status.conditions[0]
    assert (ready.status, ready.reason) == ("False", "CampaignGroupMissing")
    assert ready.message.startswith("spec.campaignGroups[1].name: CampaignGroup 'west'")
    assert notices[0].reason == "CampaignGroupMissing"


def test_invalid_spec_stops_what_it_had_started():
    """A spec made invalid mid-window stops its running groups (reason ScheduleInvalid)."""
    status = holding_status(OPENING)
    v = ScheduleView(
        spec=None, timetable=None, status=status, campaign_groups=GROUPS, problem="spec.cron: bad"
    )
    decision, after, _ = run_at(v, OPENING + timedelta(hours=1))
    assert {(c.kind, c.reason) for c in decision.commands} == {
        (CommandKind.STOP, "ScheduleInvalid")
    }
    assert after.state == "Error"
    assert after.next_run is None


def test_deleting_mid_window_stops_what_it_started():
    """A Schedule deleted while its window is open stops its groups (ScheduleDeleted)."""
    status = holding_status(OPENING)
    decision = decide(view(status=status, deleted=True), OPENING + timedelta(hours=1))
    assert {(c.kind, c.reason) for c in decision.commands} == {
        (CommandKind.STOP, "ScheduleDeleted")
    }


def test_edit_that_closes_the_window_stops_the_run():
    """Moving the start later so the window is no longer open stops the run (ScheduleChanged)."""
    status = holding_status(OPENING)
    moved = schedule(daily={"at": "12:00"})
    decision = decide(view(spec=moved, status=status), OPENING + timedelta(hours=1))
    assert {(c.kind, c.reason) for c in decision.commands} == {
        (CommandKind.STOP, "ScheduleChanged")
    }


def test_entry_removed_mid_window_is_stopped_and_then_forgotten():
    """A group dropped from the spec is stopped; its entry stays until the stop succeeded."""
    status = holding_status(OPENING)
    fewer = schedule(campaignGroups=[{"name": "east"}])
    now = OPENING + timedelta(hours=1)
    v = view(spec=fewer, status=status)
    decision = decide(v, now)
    assert [(c.entry, c.reason) for c in decision.commands] == [("west", "RemovedFromSchedule")]
    failed = [Outcome(c, now, error="timeout") for c in decision.commands]
    kept, _ = record(v, decision, failed, now)
    assert [e.name for e in kept.campaign_groups] == ["east", "west"]
    done = [Outcome(c, now, ocs_state="NotLoaded") for c in decision.commands]
    gone, _ = record(v, decision, done, now)
    assert [e.name for e in gone.campaign_groups] == ["east"]


def test_status_shows_words_and_local_next_run():
    """Status carries the schedule in words and the next run in the schedule's zone."""
    spec = schedule(
        timeZone="Europe/London",
        daily=None,
        weekly={"days": ["Monday", "Tuesday", "Wednesday", "Thursday"], "at": "09:00"},
    )
    _, status, _ = run_at(view(spec=spec), datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    assert status.schedule_text == "Monday, Tuesday, Wednesday, Thursday at 09:00 AM"
    assert status.next_run_local == "2026-12-07 09:00 GMT"
    assert status.state == "Idle"


def test_started_entry_records_run_and_history():
    """A start records run id, start time and window end, and one history record."""
    status = holding_status(OPENING)
    east = status.campaign_groups[0]
    assert isinstance(east, EntryStatus)
    assert (east.run_id, east.started, east.until) == (
        "20261207T090000Z",
        OPENING,
        datetime(2026, 12, 7, 17, 0, tzinfo=UTC),
    )
    assert status.last_run == OPENING
    assert [(r.campaign_group, r.run_id) for r in status.history] == [
        ("west", "20261207T090000Z"),
        ("east", "20261207T090000Z"),
    ]


def test_a_run_whose_start_kept_failing_is_stopped_at_closing():
    """A run still pending a start when its window closes is stopped, in case it half started."""
    _, status, _ = run_at(view(), OPENING, fail="OCS unreachable")
    closing = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    decision = decide(view(status=status), closing)
    assert {(c.kind, c.reason) for c in decision.commands} == {(CommandKind.STOP, "WindowClosed")}


def test_unusable_campaign_group_is_named_in_the_error():
    """A Schedule whose CampaignGroup is invalid is in Error with reason CampaignGroupInvalid."""
    v = view(groups={"east": GROUPS["east"]}, unusable_groups={"west": "spec.ocs: no endpoint"})
    decision, status, _ = run_at(v, OPENING)
    assert decision.commands == ()
    ready = status.conditions[0]
    assert ready.reason == "CampaignGroupInvalid"
    assert ready.message == (
        "spec.campaignGroups[1].name: CampaignGroup 'west' is invalid: spec.ocs: no endpoint"
    )


def test_suspending_mid_window_stops_and_opens_nothing_more():
    """suspend: true stops what the open window started and shows Suspended with the reason."""
    status = holding_status(OPENING)
    suspended = schedule(suspend=True, suspendReason="audit")
    later = OPENING + timedelta(hours=1)
    decision, after, notices = run_at(view(spec=suspended, status=status), later)
    assert {(c.kind, c.reason) for c in decision.commands} == {(CommandKind.STOP, "Suspended")}
    assert (after.state, after.suspend_reason, after.next_run) == ("Suspended", "audit", None)
    assert "Suspended" in [n.reason for n in notices]
    next_day = OPENING + timedelta(days=1)
    assert decide(view(spec=suspended, status=after), next_day).commands == ()


def test_resuming_inside_a_window_follows_the_catch_up_rule():
    """Resumed 2 minutes into a window the run starts; resumed an hour in, it only adopts."""
    _, suspended, _ = run_at(view(spec=schedule(suspend=True)), OPENING - timedelta(minutes=1))
    soon = decide(view(status=suspended), OPENING + timedelta(minutes=2))
    assert {c.kind for c in soon.commands} == {CommandKind.START}
    late = decide(view(status=suspended), OPENING + timedelta(hours=1))
    assert {c.kind for c in late.commands} == {CommandKind.ADOPT}


def test_starting_deadline_is_per_schedule():
    """startingDeadlineSeconds overrides the operator's catch-up allowance."""
    strict = schedule(startingDeadlineSeconds=30)
    assert {
        c.kind for c in decide(view(spec=strict), OPENING + timedelta(seconds=31)).commands
    } == {CommandKind.ADOPT}
    lenient = schedule(startingDeadlineSeconds=3600)
    assert {
        c.kind for c in decide(view(spec=lenient), OPENING + timedelta(minutes=59)).commands
    } == {CommandKind.START}


def test_start_paused_loads_and_is_unloaded_at_the_close():
    """StartPaused opens a run like Start (its closing unloads), asking only for a load."""
    spec = schedule(campaignGroups=[{"name": "east", "action": "StartPaused"}])
    decision, status, notices = run_at(view(spec=spec), OPENING)
    assert [(c.kind, c.action) for c in decision.commands] == [(CommandKind.START, "StartPaused")]
    assert "loaded (paused)" in notices[0].message
    closing = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert {c.kind for c in decide(view(spec=spec, status=status), closing).commands} == {
        CommandKind.STOP
    }


def test_one_time_actions_act_once_and_hold_nothing():
    """Stop, ForceStop and SetDialingMode act at the opening, are Done, and close nothing."""
    entries = [
        {"name": "east", "action": "ForceStop"},
        {"name": "west", "action": "SetDialingMode", "dialingMode": "Preview",
         "optimization": {"method": "OverdialRate", "goal": 3}},
    ]  # fmt: skip
    spec = schedule(campaignGroups=entries)
    late = OPENING + timedelta(hours=2)  # long past the catch-up allowance: still done
    decision, status, _ = run_at(view(spec=spec), late)
    assert [(c.kind, c.action, c.dialing_mode) for c in decision.commands] == [
        (CommandKind.ACT, "ForceStop", "Predict"),
        (CommandKind.ACT, "SetDialingMode", "Preview"),
    ]
    assert decision.commands[1].optimization is not None
    assert decision.commands[1].optimization.goal == 3
    assert {e.stop_reason for e in status.campaign_groups} == {"Done"}
    assert decide(view(spec=spec, status=status), late + timedelta(minutes=1)).commands == ()
    closing = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert decide(view(spec=spec, status=status), closing).commands == ()


def test_failed_one_time_action_is_tried_again_and_never_stopped():
    """A one-time action OCS refused is retried while the window is open; at the close
    nothing is stopped on its account."""
    spec = schedule(campaignGroups=[{"name": "east", "action": "Stop"}])
    _, status, _ = run_at(view(spec=spec), OPENING, fail="OCS unreachable")
    again = decide(view(spec=spec, status=status), OPENING + timedelta(minutes=1))
    assert [c.kind for c in again.commands] == [CommandKind.ACT]
    closing = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert decide(view(spec=spec, status=status), closing).commands == ()


def test_auto_completion_is_passed_through():
    """autoCompletion on an entry reaches the start command."""
    spec = schedule(campaignGroups=[{"name": "east", "autoCompletion": True}])
    (command,) = decide(view(spec=spec), OPENING).commands
    assert command.auto_completion
