"""What OCS last said about a Campaign Group, and the per-entry rules that read it.

Observations come from polls, OCS's status push and the answers to the
operator's own commands. The planner reads them to end runs early (stop
rules), to start sequences, and to notice a group that stopped in OCS during
its window: completed, stopped by a person, or lost in an OCS restart.
"""

from dataclasses import dataclass
from datetime import datetime

from outbound_scheduler.models import Action, CampaignGroupEntry, EntryStatus


@dataclass(slots=True)  # made for every start: a frozen one's __init__ costs 6x
class Observation:
    at: datetime  # when OCS was last asked: later than any command it answered before
    synced: datetime  # when OCS last said anything about the group (a push, too)
    state: str  # OCS state name, e.g. Running
    loaded: bool
    dialing: bool
    dialing_mode: str | None = None
    optimization: tuple[str, int] | None = None  # (method, goal)
    penetration: float | None = None  # percent
    completion: float | None = None  # percent
    hit_ratio: float | None = None
    busy_factor: float | None = None
    overdial_rate: float | None = None
    time_to_complete: float | None = None  # seconds
    after_outage: bool = False  # OCS could not be reached since the group was last seen up
    error: str | None = None  # the last attempt to ask OCS failed, with this message

    @property
    def completed(self) -> bool:
        return self.completion is not None and self.completion >= 100


def fresh(observation: Observation | None, entry: EntryStatus) -> bool:
    """True when OCS was asked after this entry's run started, so the answer is about it."""
    return (
        observation is not None
        and observation.error is None
        and entry.started is not None
        and observation.at > entry.started
    )


def in_wanted_state(action: Action, observation: Observation) -> bool:
    return observation.loaded if action is Action.START_PAUSED else observation.dialing


def stop_rule_met(
    entry: CampaignGroupEntry, status: EntryStatus, seen: Observation | None, now: datetime
) -> str | None:
    """Which of the entry's stop rules ended its run by now: Duration, Penetration, Completion."""
    rule = entry.stop_when
    if rule is None or status.started is None:
        return None
    if rule.length is not None and now >= status.started + rule.length:
        return "Duration"
    if not fresh(seen, status):
        return None
    assert seen is not None
    if rule.penetration is not None and (seen.penetration or 0) >= rule.penetration:
        return "Penetration"
    if rule.completion is not None and (seen.completion or 0) >= rule.completion:
        return "Completion"
    return None


def stop_due(entry: CampaignGroupEntry, status: EntryStatus) -> datetime | None:
    """When the entry's duration rule ends its run, if it has one and the run started."""
    rule = entry.stop_when
    if rule is None or rule.length is None or status.started is None or status.stopped:
        return None
    return status.started + rule.length


def sequence_met(
    entry: CampaignGroupEntry, leader: EntryStatus | None, run_id: str, seen: Observation | None
) -> bool:
    """True once the leading entry's run of this window got as far as `entry.after` asks."""
    condition = entry.after
    if condition is None:
        return True
    if leader is None or leader.run_id != run_id or leader.started is None:
        return False
    live = leader.stopped is None and fresh(seen, leader)
    penetration = seen.penetration if live and seen else leader.penetration
    completion = seen.completion if live and seen else leader.completion
    if condition.completed:
        return leader.stop_reason == "Completed" or (completion or 0) >= 100
    if condition.penetration is not None:
        return (penetration or 0) >= condition.penetration
    return (completion or 0) >= (condition.completion or 0)
