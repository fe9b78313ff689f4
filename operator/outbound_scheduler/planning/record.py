"""The status a Schedule should show after its commands were carried out.

Status is the operator's memory: which run each Campaign Group belongs to and
whether it was started, so that a restart never starts a run twice. It is
rebuilt from the previous status, the decision and the outcomes; a caller
writes it only when it differs from what is stored.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from outbound_scheduler.models import (
    Action,
    Condition,
    EntryStatus,
    RunRecord,
    ScheduleState,
    ScheduleStatus,
    SkippedOpening,
)
from outbound_scheduler.models.status import HISTORY_LIMIT
from outbound_scheduler.planning.commands import Command, CommandKind, Outcome
from outbound_scheduler.planning.decide import Decision, ScheduleView, holding
from outbound_scheduler.planning.observed import Observation
from outbound_scheduler.timing import local_text, opening_key, schedule_text
from outbound_scheduler.timing.words import duration_text

ENDING = (CommandKind.STOP, CommandKind.RELEASE, CommandKind.RECORD)  # kinds that end a run


@dataclass(frozen=True)
class Notice:
    """Something a person should hear about, posted as a Kubernetes Event."""

    type: str  # Normal or Warning
    reason: str
    message: str


def record(
    view: ScheduleView, decision: Decision, outcomes: list[Outcome], now: datetime
) -> tuple[ScheduleStatus, list[Notice]]:
    entries = {e.name: e for e in view.status.campaign_groups}
    history = list(view.status.history) + unrun(view, decision)
    for outcome in outcomes:
        entry = entries.get(outcome.command.entry)
        seen = view.observed.get((outcome.command.ocs, outcome.command.dbid))
        entries[outcome.command.entry] = applied(entry, outcome, decision, seen)
        history = chronicle(history, outcome, decision, seen)
    history.sort(key=lambda run: run.opened, reverse=True)
    kept = kept_entries(view, entries, decision)

    upcoming = None
    if decision.problem is None and not decision.suspended and view.timetable is not None:
        upcoming = view.timetable.next_window_after(now)
    spec = view.spec
    status = ScheduleStatus(
        state=state_of(decision),
        description=spec.description if spec else view.status.description,
        schedule_text=schedule_text(spec) if spec else view.status.schedule_text,
        last_run=history[0].opened if history else view.status.last_run,
        next_run=upcoming.start if upcoming else None,
        next_run_local=local_text(upcoming.start, spec.zone) if upcoming and spec else None,
        suspend_reason=(spec.suspend_reason or "no reason given")
        if decision.suspended and spec
        else None,
        campaign_groups=kept,
        history=history[:HISTORY_LIMIT],
        conditions=[ready_condition(view, decision, kept, now), *conflict_condition(view, now)],
        observed_generation=view.generation,
        run_now=decision.run_now or view.status.run_now,
        last_skipped=last_skipped(view, decision),
    )
    return status, notices(view, decision, outcomes)


def state_of(decision: Decision) -> ScheduleState:
    if decision.problem is not None:
        return ScheduleState.ERROR
    if decision.suspended:
        return ScheduleState.SUSPENDED
    return ScheduleState.ACTIVE if decision.window is not None else ScheduleState.IDLE


def applied(
    previous: EntryStatus | None, outcome: Outcome, decision: Decision, seen: Observation | None
) -> EntryStatus:
    """The entry after one outcome: a new run, a stopped run, or the error to retry."""
    command = outcome.command
    entry = previous or EntryStatus(name=command.entry)
    if not outcome.ok and (command.kind in ENDING or command.kind is CommandKind.ACT):
        return entry.model_copy(update={"message": outcome.error})
    if command.kind in ENDING:
        return entry.model_copy(
            update={
                "stopped": outcome.at,
                "stop_reason": command.reason,
                "ocs_state": outcome.ocs_state or (seen.state if seen else entry.ocs_state),
                "penetration": seen.penetration if seen else None,
                "completion": seen.completion if seen else None,
                "message": None,
            }
        )
    if outcome.skipped is not None:  # nothing to do: the run is over before it began
        return EntryStatus(
            name=command.entry, ocs=command.ocs, dbid=command.dbid, run_id=command.run_id,
            ocs_state=outcome.ocs_state or entry.ocs_state, stopped=outcome.at,
            stop_reason=outcome.skipped,
        )  # fmt: skip
    if command.recovery:  # the same run goes on: only the state and the error change
        update = {"message": outcome.error}
        return entry.model_copy(update=update | {"ocs_state": outcome.ocs_state or entry.ocs_state})

    # A one-time action is over as soon as it is done.
    if command.kind is CommandKind.ACT:
        return EntryStatus(
            name=command.entry, ocs=command.ocs, dbid=command.dbid, run_id=command.run_id,
            ocs_state=outcome.ocs_state, started=outcome.at, stopped=outcome.at, stop_reason="Done",
        )  # fmt: skip

    # A start that failed leaves the run pending (no start time): it is retried.
    started = outcome.ok and not outcome.missed
    return EntryStatus(
        name=command.entry,
        ocs=command.ocs,
        dbid=command.dbid,
        ocs_state=outcome.ocs_state or entry.ocs_state,
        run_id=command.run_id,
        until=decision.window.end if decision.window else None,
        started=outcome.at if started else None,
        stopped=outcome.at if outcome.missed else None,
        stop_reason="Missed" if outcome.missed else None,
        message=outcome.error,
    )


def chronicle(
    history: list[RunRecord], outcome: Outcome, decision: Decision, seen: Observation | None
) -> list[RunRecord]:
    """History after one outcome, newest run first; failures leave it as it was."""
    command = outcome.command
    if not outcome.ok:
        return history

    def same(run: RunRecord) -> bool:
        return run.run_id == command.run_id and run.campaign_group == command.entry

    if command.kind in ENDING:
        final = {
            "stopped": outcome.at,
            "stop_reason": command.reason,
            "penetration": seen.penetration if seen else None,
            "completion": seen.completion if seen else None,
        }
        if command.kind is CommandKind.RELEASE:
            final["note"] = "released: another open window keeps the group running"
        return [run.model_copy(update=final) if same(run) else run for run in history]
    if command.recovery:
        note = f"recovered at {outcome.at:%H:%M:%S} UTC after OCS lost the group"
        return [run.model_copy(update={"note": note}) if same(run) else run for run in history]
    assert decision.window is not None
    history = [
        superseded(run, outcome.at)
        if run.campaign_group == command.entry and run.stopped is None
        else run
        for run in history
    ]
    ended = outcome.missed or outcome.skipped is not None or command.kind is CommandKind.ACT
    reason = "Missed" if outcome.missed else outcome.skipped
    if command.kind is CommandKind.ACT and outcome.skipped is None:
        reason = "Done"
    run = RunRecord(
        run_id=command.run_id,
        campaign_group=command.entry,
        opened=decision.window.start,
        started=None if outcome.missed or outcome.skipped else outcome.at,
        adopted=outcome.adopted,
        stopped=outcome.at if ended else None,
        stop_reason=reason,
        note=outcome.detail or run_note(decision, command),
    )
    return [run, *history]


def run_note(decision: Decision, command: Command) -> str | None:
    window = decision.window
    if window is None:
        return None
    if command.action is not Action.START:
        return f"action {command.action}"
    run_now = decision.run_now
    if run_now is not None and run_now.start == window.start:
        return f"run now ({run_now.token})"
    return "clipped to the allowed hours" if window.clipped else None


def unrun(view: ScheduleView, decision: Decision) -> list[RunRecord]:
    """History records of openings that ran nothing: skipped, missed during downtime, or a
    sequence whose condition the window never met."""
    names = [e.name for e in view.spec.campaign_groups] if view.spec else []
    runs = []
    if decision.skipped is not None:
        stamp = opening_key(decision.skipped.opening)
        runs += [
            RunRecord(
                run_id=stamp,
                campaign_group=name,
                opened=decision.skipped.opening,
                stop_reason="Skipped",
                note=decision.skipped.reason,
            )
            for name in names
        ]
    opened = view.status.last_run
    moved_on = decision.window is None or decision.window.start != opened
    for entry in view.status.campaign_groups:
        if entry.waiting_for and opened is not None and moved_on:
            runs.append(
                RunRecord(
                    run_id=opened.strftime("%Y%m%dT%H%M%SZ"),
                    campaign_group=entry.name,
                    opened=opened,
                    stop_reason="NotStarted",
                    note=f"waited for {entry.waiting_for}; the window closed first",
                )
            )
    for window in decision.missed:
        runs += [
            RunRecord(
                run_id=window.opening,
                campaign_group=name,
                opened=window.start,
                stop_reason="Missed",
                note="opened and closed while the operator was not running",
            )
            for name in names
        ]
    return runs


def last_skipped(view: ScheduleView, decision: Decision) -> SkippedOpening | None:
    skip = decision.skipped
    if skip is None:
        return view.status.last_skipped
    return SkippedOpening(opening=skip.opening, reason=skip.reason)


def kept_entries(
    view: ScheduleView, entries: dict[str, EntryStatus], decision: Decision
) -> list[EntryStatus]:
    """Entries of the spec in spec order, then any others still holding a group."""
    names = [e.name for e in view.spec.campaign_groups] if view.spec and not view.deleted else []
    kept = [
        (entries.get(name) or EntryStatus(name=name)).model_copy(
            update={"waiting_for": decision.waiting.get(name)}
        )
        for name in names
    ]
    kept += [e for name, e in entries.items() if name not in names and holding(e)]
    return kept


def superseded(run: RunRecord, at: datetime) -> RunRecord:
    """An older run still holding the group ends where the next window opens."""
    return run.model_copy(update={"stopped": at, "stop_reason": "NextWindow"})


def repeated(view: ScheduleView, outcome: Outcome) -> bool:
    """A failure already reported with the same words: retried quietly, not announced again."""
    if outcome.ok:
        return False
    before = next((e for e in view.status.campaign_groups if e.name == outcome.command.entry), None)
    return before is not None and before.message == outcome.error


def ready_condition(
    view: ScheduleView, decision: Decision, entries: list[EntryStatus], now: datetime
) -> Condition:
    failing = next(((e.name, e.message) for e in entries if e.message), None)
    failing = failing or unreachable(view, entries)
    if decision.problem is not None:
        status, reason, message = "False", decision.reason or "Invalid", decision.problem
    elif failing is not None:
        status, reason = "False", "OcsError"
        message = f"campaign group {failing[0]}: {failing[1]}; retrying"
    else:
        status, reason, message = "True", "Scheduled", "windows are computed and enforced"
    previous = next((c for c in view.status.conditions if c.type == "Ready"), None)
    unchanged = previous is not None and (previous.status, previous.reason) == (status, reason)
    return Condition(
        type="Ready",
        status=status,
        reason=reason,
        message=message,
        last_transition_time=previous.last_transition_time if unchanged else now,
        observed_generation=view.generation,
    )


def unreachable(view: ScheduleView, entries: list[EntryStatus]) -> tuple[str, str] | None:
    """A group this Schedule holds that OCS did not answer about when last asked."""
    for entry in entries:
        seen = view.observed.get((entry.ocs, entry.dbid)) if holding(entry) else None
        if entry.ocs is not None and entry.dbid is not None and seen and seen.error:
            return entry.name, seen.error
    return None


def conflict_message(view: ScheduleView) -> str | None:
    if not view.conflicts:
        return None
    name, conflict = sorted(view.conflicts.items())[0]
    mode = conflict.dialing_mode or "its default mode"
    return (
        f"campaign group {name}: Schedule {conflict.winner} opened its window earlier and "
        f"dials it in {mode}; this Schedule's dialing mode is not used while that window is open"
    )


def conflict_condition(view: ScheduleView, now: datetime) -> list[Condition]:
    """Conflict=True while another Schedule's window keeps a shared group its own way."""
    message = conflict_message(view)
    if message is None:
        return []
    previous = next((c for c in view.status.conditions if c.type == "Conflict"), None)
    return [
        Condition(
            type="Conflict",
            status="True",
            reason="DialingModeConflict",
            message=message,
            last_transition_time=previous.last_transition_time if previous else now,
            observed_generation=view.generation,
        )
    ]


def notices(view: ScheduleView, decision: Decision, outcomes: list[Outcome]) -> list[Notice]:
    said = [
        notice_of(outcome, view.catch_up) for outcome in outcomes if not repeated(view, outcome)
    ]
    said += calendar_notices(view, decision)
    was_suspended = view.status.state == ScheduleState.SUSPENDED
    if decision.suspended and not was_suspended:
        reason = view.spec.suspend_reason if view.spec else None
        said.append(Notice("Normal", "Suspended", f"suspended: {reason or 'no reason given'}"))
    elif was_suspended and not decision.suspended and decision.problem is None:
        said.append(Notice("Normal", "Resumed", "resumed; windows open again"))
    previous = next((c for c in view.status.conditions if c.type == "Ready"), None)
    if decision.problem is not None and (previous is None or previous.message != decision.problem):
        said.append(Notice("Warning", decision.reason or "Invalid", decision.problem))
    lost = unreachable(view, view.status.campaign_groups)
    if (
        lost is not None
        and not decision.problem
        and (previous is None or lost[1] not in previous.message)
    ):
        said.append(Notice("Warning", "OcsError", f"campaign group {lost[0]}: {lost[1]}"))
    conflict = conflict_message(view)
    if conflict is not None and not any(c.type == "Conflict" for c in view.status.conditions):
        said.append(Notice("Warning", "Conflict", conflict))
    return said


def notice_of(outcome: Outcome, catch_up: timedelta) -> Notice:
    command = outcome.command
    group = f"campaign group {command.entry} (DBID {command.dbid})"
    if not outcome.ok:
        what = (
            command.action if command.kind in (CommandKind.START, CommandKind.ACT) else command.kind
        )
        return Notice("Warning", "OcsError", f"{what} of {group} failed: {outcome.error}")
    if outcome.missed:
        return Notice(
            "Warning",
            "Missed",
            f"run {command.run_id} of {group} missed: its window opened more than "
            f"{duration_text(catch_up)} before the operator saw it, and the group was not running",
        )
    if command.kind is CommandKind.ACT and outcome.skipped is not None:
        return Notice(
            "Warning", "NotDone", f"{command.action} not done on {group}: {outcome.detail}"
        )
    if command.kind is CommandKind.ACT:
        return Notice("Normal", str(command.action), f"{command.action} done on {group}")
    if outcome.skipped is not None:
        return Notice(
            "Normal", "NotStarted",
            f"{group} not started for run {command.run_id}: {outcome.detail}, its stop rule",
        )  # fmt: skip
    if command.recovery:
        return Notice(
            "Normal",
            "Recovered",
            f"OCS had lost {group} (restart or outage); started it again for run {command.run_id}",
        )
    paused = command.action is Action.START_PAUSED
    if command.kind in (CommandKind.START, CommandKind.ADOPT):
        if outcome.adopted:
            state = "loaded" if paused else "running"
            return Notice("Normal", "Adopted", f"{group} was already {state}; run {command.run_id}")
        verb = "loaded (paused)" if paused else "started"
        return Notice("Normal", "Started", f"{verb} {group} for run {command.run_id}")
    if command.kind is CommandKind.RECORD:
        return Notice(
            "Warning",
            "StoppedInOcs",
            f"{group} was stopped in OCS during run {command.run_id}; "
            "not started again in this window",
        )
    if command.kind is CommandKind.RELEASE:
        return Notice(
            "Normal",
            "Released",
            f"run {command.run_id} of {group} ended ({command.reason}); "
            "another open window keeps the group running",
        )
    return Notice("Normal", "Stopped", f"stopped {group} ({command.reason}), run {command.run_id}")


def calendar_notices(view: ScheduleView, decision: Decision) -> list[Notice]:
    said = []
    zone = view.spec.zone if view.spec else None
    run_now = decision.run_now
    if run_now is not None and run_now.refused:
        said.append(
            Notice(
                "Warning", "RunNowRefused", f"run now ({run_now.token}) refused: {run_now.refused}"
            )
        )
    elif run_now is not None and run_now.start and run_now.end and zone is not None:
        said.append(
            Notice(
                "Normal",
                "RunNow",
                f"run now ({run_now.token}): window "
                f"{local_text(run_now.start, zone)} to {local_text(run_now.end, zone)}",
            )
        )
    if decision.skipped is not None and zone is not None:
        opening = local_text(decision.skipped.opening, zone)
        said.append(
            Notice("Normal", "Skipped", f"opening {opening} skipped: {decision.skipped.reason}")
        )
    for window in decision.missed:
        said.append(
            Notice(
                "Warning",
                "Missed",
                f"window {window.opening} opened and closed while the operator was not running",
            )
        )
    return said
