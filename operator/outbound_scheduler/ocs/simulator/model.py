"""The simulated OCS: campaign groups, their state machine and their status documents.

Time is passed in (`now`, seconds on a monotonic clock), never read, so every transition
is testable without sleeping. Timed transitions are lazy: a CG records when its load or
drain ends and `settle` moves it on when asked, so a request costs the same whether the
simulator holds ten CGs or ten thousand.

States: NotLoaded -LoadCampaign-> InActive (loading, `load_delay`) -> Active -StartDialing->
Running -StopDialing-> Active -UnloadCampaign-> WaitingUnload -> UnloadInProgress
(`unload_delay` in all) -> NotLoaded. ForceUnloadCampaign goes to NotLoaded at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outbound_scheduler.ocs.codes import (
    DRAINING_STATES,
    LOADED_STATES,
    CampaignGroupState,
    DialingMode,
    OptimizationMethod,
)
from outbound_scheduler.ocs.simulator.progress import (
    FINALIZE_LAG,
    Progress,
    dialing_progress,
    dialing_statistics,
    running_time_to_exhaust,
)

S = CampaignGroupState

STATUS_REQUEST = "GetCampaignStatus"
STATISTICS = ("GSW_STAT_BUSY_FACTOR", "GSW_STAT_HIT_RATIO", "GSW_STAT_OVERDIAL_RATE",
              "GSW_STAT_TIME_TO_COMPLETE")  # fmt: skip


class UnknownCampaignGroup(Exception):
    """No CG with this DBID was given to the simulator."""


class BadRequest(Exception):
    """The request or its body cannot be understood."""


class Refused(Exception):
    """The CG's current state does not allow the request."""

    def __init__(self, request: str, state: CampaignGroupState) -> None:
        super().__init__(f"{request} is not allowed in state {state.name}")
        self.state = state


@dataclass(slots=True)
class CampaignGroup:
    """One CG as OCS holds it: configuration, state and how much it has dialed."""

    dbid: int
    name: str
    campaign: str
    group: str
    records: int
    dialing_rate: float
    state: CampaignGroupState = S.NotLoaded
    mode: DialingMode | None = None
    optimization: tuple[OptimizationMethod, int] | None = None
    auto_completion: bool = False
    dialed_before: float = 0.0
    running_since: float | None = None
    ready_at: float = 0.0
    drain_from: float = 0.0
    drain_until: float = 0.0

    def progress(self, now: float, lag: float = FINALIZE_LAG) -> Progress:
        running_for = now - self.running_since if self.running_since is not None else 0.0
        return dialing_progress(
            self.records, self.dialing_rate, self.dialed_before, running_for, lag
        )

    def exhausted_at(self, lag: float = FINALIZE_LAG) -> float | None:
        """When a running CG will have finalized every record, or None if never."""
        if self.running_since is None:
            return None
        needed = running_time_to_exhaust(self.records, self.dialing_rate, self.dialed_before, lag)
        return None if needed is None else self.running_since + needed


@dataclass(slots=True)
class Timing:
    """Durations of the simulated OCS, in seconds."""

    load_delay: float = 0.2
    unload_delay: float = 0.1
    finalize_lag: float = FINALIZE_LAG


def campaign_group_from_json(item: Any) -> CampaignGroup:
    """Build a CG from the admin/seed shape {dbid, name, campaign, group, records, dialingRate}."""
    if not isinstance(item, dict) or not _is_int(item.get("dbid")):
        raise BadRequest("each campaign group needs an integer 'dbid'")
    dbid = item["dbid"]
    records, rate = item.get("records", 1000), item.get("dialingRate", 10.0)
    if not _is_int(records) or records < 0:
        raise BadRequest(f"campaign group {dbid}: 'records' must be a non-negative integer")
    if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 0:
        raise BadRequest(f"campaign group {dbid}: 'dialingRate' must be a non-negative number")
    return CampaignGroup(
        dbid=dbid,
        name=str(item.get("name", f"CG {dbid}")),
        campaign=str(item.get("campaign", f"Campaign {dbid}")),
        group=str(item.get("group", f"Group {dbid}")),
        records=records,
        dialing_rate=float(rate),
    )


class OcsModel:
    """All campaign groups of one simulated OCS and the requests that change them."""

    def __init__(self, timing: Timing | None = None) -> None:
        self.timing = timing or Timing()
        self.groups: dict[int, CampaignGroup] = {}
        self.loaded: set[int] = set()

    def put(self, group: CampaignGroup) -> None:
        """Create or replace a CG; a replaced CG starts over, NotLoaded."""
        self.groups[group.dbid] = group
        self.loaded.discard(group.dbid)

    def get(self, dbid: int, now: float) -> CampaignGroup:
        group = self.groups.get(dbid)
        if group is None:
            raise UnknownCampaignGroup(f"campaign group {dbid} is unknown to OCS")
        self.settle(group, now)
        return group

    def handle(self, dbid: int, request: str, body: dict[str, Any], now: float) -> CampaignGroup:
        """Apply one OCS request; raises UnknownCampaignGroup, BadRequest or Refused."""
        group = self.get(dbid, now)
        if request == STATUS_REQUEST:
            return group
        if request not in _TRANSITIONS:
            raise BadRequest(f"unknown request {request!r}")
        allowed, action = _TRANSITIONS[request]
        if group.state not in allowed:
            raise Refused(request, group.state)
        getattr(self, action)(group, body, now)
        return group

    def settle(self, group: CampaignGroup, now: float) -> bool:
        """Apply the transitions that time has brought about; True if the state changed."""
        before = group.state
        if group.state is S.InActive and now >= group.ready_at:
            group.state = S.Active
        if group.state is S.Running and group.auto_completion:
            done_at = group.exhausted_at(self.timing.finalize_lag)
            if done_at is not None and now >= done_at:
                self._stop(group, done_at)
                self._drain(group, done_at)
        if group.state in DRAINING_STATES:
            self._settle_drain(group, now)
        return group.state is not before

    def restart(self, now: float) -> None:
        """Forget what was loaded, as when OCS restarts; dialing history is kept."""
        for dbid in self.loaded:
            group = self.groups[dbid]
            self._stop(group, now)
            group.state = S.NotLoaded
        self.loaded.clear()

    def stop_by_person(self, dbid: int, now: float) -> CampaignGroup:
        """What a person stopping the CG in CX Contact causes: stop dialing, then unload."""
        group = self.get(dbid, now)
        if group.state is S.Running:
            self._stop(group, now)
        if group.state in (S.Active, S.InActive):
            self._drain(group, now)
        return group

    def _on_load(self, group: CampaignGroup, body: dict[str, Any], now: float) -> None:
        group.auto_completion = _auto_completion(body, default=False)
        group.ready_at = now + self.timing.load_delay
        group.state = S.InActive if self.timing.load_delay > 0 else S.Active
        self.loaded.add(group.dbid)

    def _on_start(self, group: CampaignGroup, body: dict[str, Any], now: float) -> None:
        _apply_mode(group, body)
        group.mode = group.mode or DialingMode.Progress
        group.running_since = now
        group.state = S.Running
        self.settle(group, now)

    def _on_set_mode(self, group: CampaignGroup, body: dict[str, Any], now: float) -> None:
        _apply_mode(group, body)
        self.settle(group, now)

    def _on_stop(self, group: CampaignGroup, body: dict[str, Any], now: float) -> None:
        self._stop(group, now)

    def _on_unload(self, group: CampaignGroup, body: dict[str, Any], now: float) -> None:
        self._drain(group, now)

    def _on_force_unload(self, group: CampaignGroup, body: dict[str, Any], now: float) -> None:
        self._stop(group, now)
        group.state = S.NotLoaded
        self.loaded.discard(group.dbid)

    def _stop(self, group: CampaignGroup, now: float) -> None:
        if group.running_since is not None:
            group.dialed_before += max(0.0, now - group.running_since)
            group.running_since = None
        group.state = S.Active

    def _drain(self, group: CampaignGroup, now: float) -> None:
        group.drain_from, group.drain_until = now, now + self.timing.unload_delay
        group.state = S.WaitingUnload
        self._settle_drain(group, now)

    def _settle_drain(self, group: CampaignGroup, now: float) -> None:
        if now >= group.drain_until:
            group.state = S.NotLoaded
            self.loaded.discard(group.dbid)
        elif now >= (group.drain_from + group.drain_until) / 2:
            group.state = S.UnloadInProgress


# For each action: the states that allow it, and the OcsModel method that performs it.
_TRANSITIONS: dict[str, tuple[frozenset[CampaignGroupState], str]] = {
    "LoadCampaign": (frozenset({S.NotLoaded}), "_on_load"),
    "StartDialing": (frozenset({S.Active}), "_on_start"),
    "StopDialing": (frozenset({S.Running}), "_on_stop"),
    "UnloadCampaign": (frozenset({S.InActive, S.Active}), "_on_unload"),
    "ForceUnloadCampaign": (LOADED_STATES | DRAINING_STATES, "_on_force_unload"),
    "SetDialingMode": (LOADED_STATES, "_on_set_mode"),
}
ACTIONS = tuple(_TRANSITIONS)


def status_document(model: OcsModel, group: CampaignGroup, now: float) -> dict[str, Any]:
    """The JSON OCS answers about a CG and pushes to the status URI (wire codes, not names)."""
    progress = group.progress(now, model.timing.finalize_lag)
    method, goal = group.optimization or (None, None)
    document: dict[str, Any] = {
        "dbid": group.dbid,
        "state": group.state.name,
        "stateCode": int(group.state),
        "GSW_CAMPAIGN_GROUP_NAME": group.name,
        "GSW_CAMPAIGN_GROUP_GUID": str(group.dbid),
        "GSW_CAMPAIGN_NAME": group.campaign,
        "GSW_GROUP_NAME": group.group,
        "GSW_DIAL_MODE": int(group.mode) if group.mode else None,
        "GSW_OPTIMIZE_BY": int(method) if method else None,
        "GSW_OPTIMIZE_GOAL": goal,
        "penetration": round(progress.penetration, 6),
        "completion": round(progress.completion, 6),
    }
    document.update(_statistics_fields(group, progress, method, goal))
    return document


def _statistics_fields(
    group: CampaignGroup, progress: Progress, method: Any, goal: int | None
) -> dict[str, float | None]:
    if group.state not in LOADED_STATES:
        return dict.fromkeys(STATISTICS)
    busy_goal = goal if method is OptimizationMethod.BusyFactor else None
    stats = dialing_statistics(progress, group.dialing_rate, group.state is S.Running, busy_goal)
    values = (stats.busy_factor, stats.hit_ratio, stats.overdial_rate, stats.time_to_complete)
    return dict(zip(STATISTICS, values, strict=True))


def _apply_mode(group: CampaignGroup, body: dict[str, Any]) -> None:
    """Take the mode, optimization and auto-completion a request carries; keep the rest."""
    mode, optimization = _mode_of(body), _optimization_of(body)
    group.mode = mode or group.mode
    group.optimization = optimization or group.optimization
    group.auto_completion = _auto_completion(body, default=group.auto_completion)


def _mode_of(body: dict[str, Any]) -> DialingMode | None:
    code = body.get("GSW_DIAL_MODE")
    if code is None:
        return None
    if not _is_int(code) or code not in DialingMode._value2member_map_:
        raise BadRequest(f"GSW_DIAL_MODE {code!r} is not a dialing mode code (1-11)")
    return DialingMode(code)


def _optimization_of(body: dict[str, Any]) -> tuple[OptimizationMethod, int] | None:
    code, goal = body.get("GSW_OPTIMIZE_BY"), body.get("GSW_OPTIMIZE_GOAL")
    if code is None and goal is None:
        return None
    if not _is_int(code) or code not in OptimizationMethod._value2member_map_:
        raise BadRequest(f"GSW_OPTIMIZE_BY {code!r} is not an optimization method code (1-3)")
    if not _is_int(goal) or goal < 0:
        raise BadRequest(f"GSW_OPTIMIZE_GOAL {goal!r} must be a non-negative integer")
    return OptimizationMethod(code), goal


def _auto_completion(body: dict[str, Any], *, default: bool) -> bool:
    flag = body.get("GSW_AUTO_COMPLETION")
    return default if flag is None else flag in (1, True, "1", "true")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
