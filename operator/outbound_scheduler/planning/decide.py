"""Which commands one Schedule needs at one instant.

The planner is level-triggered: it compares the window open now with the
runs recorded in status and asks only for the difference. A run that status
records as started is never started again; a window that opened longer ago
than the catch-up allowance is adopted if OCS already runs it, else Missed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from outbound_scheduler.models import (
    CampaignGroupEntry,
    CampaignGroupSpec,
    DialingMode,
    EntryStatus,
    Optimization,
    RunNow,
    ScheduleSpec,
    ScheduleStatus,
)
from outbound_scheduler.planning.commands import Command, CommandKind
from outbound_scheduler.planning.observed import (
    Observation,
    fresh,
    in_wanted_state,
    sequence_met,
    stop_due,
    stop_rule_met,
)
from outbound_scheduler.planning.openings import missed_windows, new_run_now, new_skip, open_window
from outbound_scheduler.timing import Skip, Timetable, Window

GroupId = tuple[str, int]  # (OCS endpoint name, DBID): one Campaign Group in one OCS


@dataclass(frozen=True)
class ModeConflict:
    """Another Schedule's window opened earlier on the same group and dials it its own way."""

    winner: str  # namespace/name of the Schedule whose mode the group keeps
    dialing_mode: DialingMode | None
    optimization: Optimization | None


@dataclass(slots=True)  # made for every start: a frozen one's __init__ costs 6x
class ScheduleView:
    """Everything the planner may know about one Schedule."""

    spec: ScheduleSpec | None  # None when the spec is invalid
    timetable: Timetable | None
    status: ScheduleStatus
    campaign_groups: Mapping[str, CampaignGroupSpec]  # the usable CampaignGroups, by name
    unusable_groups: Mapping[str, str] = field(default_factory=dict)  # name → what is wrong
    wanted_elsewhere: frozenset[GroupId] = frozenset()  # wanted now by another open window
    catch_up: timedelta = timedelta(minutes=5)
    problem: str | None = None  # why the spec is unusable, naming the field
    deleted: bool = False
    generation: int | None = None
    created: datetime | None = None  # when the Schedule was created: nothing before counts
    run_now_token: str | None = None  # the outbound.dev/run-now annotation's value
    first_pass: bool = False  # first look since the operator started: catch up on downtime
    observed: Mapping[GroupId, Observation] = field(default_factory=dict)  # what OCS last said
    conflicts: Mapping[str, ModeConflict] = field(default_factory=dict)  # entry → the winner


@dataclass(slots=True)  # made for every start: a frozen one's __init__ costs 6x
class Decision:
    commands: tuple[Command, ...]
    window: Window | None  # the window open now, if the Schedule is usable
    problem: str | None = None  # why nothing may run, naming the field
    reason: str | None = None  # the problem in one word: InvalidSpec, CampaignGroupMissing, ...
    suspended: bool = False
    run_now: RunNow | None = None  # a run-now request seen now for the first time
    skipped: Skip | None = None  # a suppressed opening not yet recorded
    missed: tuple[Window, ...] = ()  # windows that opened and closed while nobody watched
    waiting: Mapping[str, str] = field(default_factory=dict)  # entry → the sequence it waits on


def run_id(window: Window) -> str:
    """A run is named by its window's opening instant, stable across restarts."""
    return window.opening


def holding(entry: EntryStatus) -> bool:
    """True while a run of ours is not over: started, or pending a start that may have half
    happened (a load without the dialing); either way it must be stopped when it ends."""
    return entry.run_id is not None and entry.stopped is None


def decide(view: ScheduleView, now: datetime) -> Decision:
    reason, problem = ("InvalidSpec", view.problem) if view.problem else group_problem(view)
    usable = view.spec is not None and view.timetable is not None and not problem
    suspended = usable and view.spec is not None and view.spec.suspend
    live = usable and not (suspended or view.deleted)
    run_now = new_run_now(view, now, suspended) if usable and not view.deleted else None
    window = open_window(view, run_now or view.status.run_now, now) if live else None
    skipped = new_skip(view, now) if live else None
    missed = missed_windows(view, now) if live and view.first_pass else ()

    commands: list[Command] = []
    wanted: set[str] = set()
    waiting: dict[str, str] = {}
    if window is not None:
        assert view.spec is not None
        for entry in view.spec.campaign_groups:
            wanted.add(entry.name)
            condition = unmet_sequence(view, entry, window)
            if condition is not None:
                waiting[entry.name] = condition
                continue
            command = entry_command(view, entry, window, now)
            if command is not None:
                commands.append(command)

    for previous in view.status.campaign_groups:
        if previous.name not in wanted and holding(previous):
            commands.append(
                closing_command(view, previous, stop_reason(view, previous, problem, now))
            )
    return Decision(
        tuple(commands), window, problem, reason, suspended, run_now, skipped, missed, waiting
    )


def next_wake(view: ScheduleView, decision: Decision, now: datetime) -> datetime | None:
    """When this Schedule next needs a look: its window's end, a run's duration rule, or its
    next opening or skip. Statistics rules wake it through new observations instead."""
    if decision.problem or decision.suspended or view.deleted or view.timetable is None:
        return None
    wakes = [view.timetable.next_change_after(now)]
    wakes += [decision.window.end] if decision.window is not None else []
    if view.spec is not None:
        entries = {e.name: e for e in view.status.campaign_groups}
        wakes += [
            stop_due(entry, entries[entry.name])
            for entry in view.spec.campaign_groups
            if entry.name in entries
        ]
    return min((wake for wake in wakes if wake is not None and wake > now), default=None)


def entry_status(view: ScheduleView, name: str) -> EntryStatus | None:
    return next((e for e in view.status.campaign_groups if e.name == name), None)


def unmet_sequence(view: ScheduleView, entry: CampaignGroupEntry, window: Window) -> str | None:
    """The words of the sequence condition an entry still waits for in this window, if any."""
    if entry.after is None:
        return None
    previous = entry_status(view, entry.name)
    if previous is not None and previous.run_id == run_id(window):
        return None  # already started, adopted or ended in this window: nothing to wait for
    leader = entry_status(view, entry.after.campaign_group)
    group = view.campaign_groups.get(entry.after.campaign_group)
    seen = view.observed.get((group.ocs, group.dbid)) if group is not None else None
    return None if sequence_met(entry, leader, run_id(window), seen) else entry.after.words


def group_problem(view: ScheduleView) -> tuple[str | None, str | None]:
    """The first entry whose CampaignGroup is missing or unusable, as (reason, message)."""
    entries = view.spec.campaign_groups if view.spec else []
    for index, entry in enumerate(entries):
        if entry.name in view.campaign_groups:
            continue
        where = f"spec.campaignGroups[{index}].name: CampaignGroup {entry.name!r}"
        if entry.name in view.unusable_groups:
            return "CampaignGroupInvalid", f"{where} is invalid: {view.unusable_groups[entry.name]}"
        return (
            "CampaignGroupMissing",
            f"{where} does not exist in this namespace; create it or correct the name",
        )
    return None, None


def entry_command(
    view: ScheduleView, entry: CampaignGroupEntry, window: Window, now: datetime
) -> Command | None:
    rid = run_id(window)
    previous = entry_status(view, entry.name)
    same_run = previous is not None and previous.run_id == rid
    if same_run and previous.stop_reason is not None:
        return None  # this run ended: done, missed, stopped by a rule or in OCS
    if same_run and previous.started is not None:
        return running_command(view, entry, previous, now) if entry.action.holds else None

    # A run whose start failed is retried for as long as its window is open;
    # a new run starts only within the catch-up allowance after its opening.
    # One-time actions (stopping, changing the mode) are never too late to carry out,
    # nor is a sequence, which starts whenever its leader gets far enough.
    late = now - window.start
    deadline = view.spec.starting_deadline if view.spec else None
    if deadline is None:
        deadline = view.catch_up
    on_time = same_run or late <= deadline or entry.after is not None
    return start_command(view, entry, rid, CommandKind.START if on_time else CommandKind.ADOPT)


def start_command(
    view: ScheduleView, entry: CampaignGroupEntry, rid: str, kind: CommandKind
) -> Command:
    group = view.campaign_groups[entry.name]
    mode, optimization = entry.dialing_mode or group.dialing_mode, entry.optimization
    optimization = optimization or group.optimization
    conflict = view.conflicts.get(entry.name)
    if conflict is not None:  # the earliest-opened window's way of dialing wins
        mode, optimization = conflict.dialing_mode, conflict.optimization
    return Command(
        kind=kind if entry.action.holds else CommandKind.ACT,
        entry=entry.name,
        ocs=group.ocs,
        dbid=group.dbid,
        run_id=rid,
        action=entry.action,
        dialing_mode=mode,
        optimization=optimization,
        auto_completion=entry.auto_completion,
        stop_at=(rule.penetration, rule.completion) if (rule := entry.stop_when) else (None, None),
    )


def running_command(
    view: ScheduleView, entry: CampaignGroupEntry, previous: EntryStatus, now: datetime
) -> Command | None:
    """A started run: ended by a stop rule, completed or stopped in OCS, or lost by OCS."""
    assert previous.ocs is not None
    assert previous.dbid is not None
    assert previous.run_id is not None
    seen = view.observed.get((previous.ocs, previous.dbid))
    reason = stop_rule_met(entry, previous, seen, now)
    if reason is None and fresh(seen, previous):
        assert seen is not None
        if in_wanted_state(entry.action, seen):
            return None
        if seen.completed:
            reason = "Completed"
        elif seen.after_outage:  # OCS restarted and forgot it: the same run goes on
            command = start_command(view, entry, previous.run_id, CommandKind.START)
            return replace(command, recovery=True)
        else:  # OCS answered all along: a person stopped it; respected for this window
            return Command(
                kind=CommandKind.RECORD, entry=entry.name, ocs=previous.ocs,
                dbid=previous.dbid, run_id=previous.run_id, reason="StoppedInOcs",
            )  # fmt: skip
    return closing_command(view, previous, reason) if reason is not None else None


def closing_command(view: ScheduleView, previous: EntryStatus, reason: str) -> Command:
    assert previous.ocs is not None
    assert previous.dbid is not None
    assert previous.run_id is not None
    elsewhere = (previous.ocs, previous.dbid) in view.wanted_elsewhere
    return Command(
        kind=CommandKind.RELEASE if elsewhere else CommandKind.STOP,
        entry=previous.name,
        ocs=previous.ocs,
        dbid=previous.dbid,
        run_id=previous.run_id,
        reason=reason,
    )


def stop_reason(
    view: ScheduleView, previous: EntryStatus, problem: str | None, now: datetime
) -> str:
    if previous.until is not None and now >= previous.until:
        return "WindowClosed"
    if view.deleted:
        return "ScheduleDeleted"
    if problem is not None:
        return "ScheduleInvalid"
    if view.spec is not None and view.spec.suspend:
        return "Suspended"
    if view.spec is not None and previous.name not in {e.name for e in view.spec.campaign_groups}:
        return "RemovedFromSchedule"
    return "ScheduleChanged"
