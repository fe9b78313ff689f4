"""What OCS says about the Campaign Groups that matter now: polled, pushed, or answered.

Groups a run holds are polled with GetCampaignStatus every `poll_seconds`
unless something newer arrived meanwhile: OCS's status push (an endpoint of
the operator's HTTP server) or the answer to a command. A push brings
statistics at once; a change of state it announces is confirmed by a poll
taken under the group's lock, so a push sent before a command cannot undo
what the command did.

OCS does not say why a group stopped. A group that OCS could not be reached
about since it was last seen up, and that comes back unloaded, is taken as
lost in an OCS restart (`after_outage`); the planner starts the same run
again. One that stops while OCS answered all along was stopped by a person.
"""

import asyncio
import heapq
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from outbound_scheduler import ocs
from outbound_scheduler.handlers.executor import Executor
from outbound_scheduler.planning import Outcome
from outbound_scheduler.planning.decide import GroupId
from outbound_scheduler.planning.observed import Observation

logger = logging.getLogger(__name__)
POLLS = 8  # GetCampaignStatus requests in flight at once: polls never crowd out commands
POLL_RATE = 200  # polls per second at most, over all groups and endpoints
TICK = timedelta(seconds=1)  # how often the poller looks for groups due a poll
SLICE = 1000  # groups looked at between two yields to due work
NEVER = datetime.min.replace(tzinfo=UTC)


class Change(Enum):
    """What changed in what OCS says of a group, from the planner's point of view."""

    STATE = "state"  # state, outage or error: every Schedule naming the group looks again
    MODE = "mode"  # dialing mode or optimization: shown in status at once
    STATISTICS = "statistics"  # penetration or completion: Schedules whose rules read them
    OTHER = "other"  # the other statistics: shown in status, at the statistics pace


Changed = Callable[[GroupId, Observation, Change, bool], None]  # ..., a command's answer


def rounded(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def observation_of(
    status: ocs.CampaignGroupStatus, at: datetime, synced: datetime | None = None
) -> Observation:
    """Statistics rounded as status shows them, so a status changes only when they do."""

    def percent(fraction: float | None) -> float | None:
        return rounded(fraction * 100, 1) if fraction is not None else None

    optimization = status.optimization
    return Observation(
        at=at,
        synced=synced or at,
        state=status.state,
        loaded=status.loaded,
        dialing=status.dialing,
        dialing_mode=status.dialing_mode,
        optimization=(optimization.method, optimization.goal) if optimization else None,
        penetration=percent(status.penetration),
        completion=percent(status.completion),
        hit_ratio=rounded(status.hit_ratio, 1),
        busy_factor=rounded(status.busy_factor, 1),
        overdial_rate=rounded(status.overdial_rate, 1),
        time_to_complete=rounded(status.time_to_complete, 0),
    )


def unknown(at: datetime) -> Observation:
    """Nothing known yet but the time."""
    return Observation(at=at, synced=at, state="Unknown", loaded=False, dialing=False)


def change(before: Observation | None, after: Observation) -> Change | None:
    if before is None or _state(before) != _state(after):
        return Change.STATE
    if (before.dialing_mode, before.optimization) != (after.dialing_mode, after.optimization):
        return Change.MODE
    if (before.penetration, before.completion) != (after.penetration, after.completion):
        return Change.STATISTICS
    return Change.OTHER if _shown(before) != _shown(after) else None


class Observer:
    def __init__(
        self,
        executor: Executor,
        interval: float,
        changed: Changed,
        idle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.executor = executor
        self.idle = idle  # awaited before each round: polls never delay due Schedules
        self.interval = timedelta(seconds=interval)
        self.changed = changed
        self.seen: dict[GroupId, Observation] = {}
        self.wanted: Callable[[], Iterable[GroupId]] = tuple
        self._asked: dict[GroupId, datetime] = {}  # when a poll last went out, answered or not
        self._probed: dict[str, datetime] = {}  # when a poll last went to each endpoint
        self._up: dict[GroupId, datetime] = {}  # when each group was last seen loaded
        self._unreachable: dict[str, datetime] = {}  # when each endpoint last failed to answer
        self._failing: set[str] = set()  # endpoints whose last request failed
        self._slots = asyncio.Semaphore(POLLS)
        self._confirming: set[GroupId] = set()
        self.loaded = 0  # groups last seen loaded: what statistics writes are paced by

    async def run(self, wanted: Callable[[], Iterable[GroupId]]) -> None:
        """Poll the groups `wanted` names, each once per interval unless a push or a command
        said something newer, and each endpoint at least once per interval all the same (so
        an outage is seen even while pushes keep every group fresh), for the operator's life.

        With tens of thousands of groups held, a round is work of its own: it is done a
        slice at a time, and a Schedule falling due waits for one slice at most."""
        self.wanted = wanted
        while True:
            await self._calm()
            now = datetime.now(UTC)
            # Held groups, and groups still draining after a run ended, until they settle.
            held = list(wanted()) + [g for g, seen in self.seen.items() if draining(seen)]
            due: set[GroupId] = set()  # a group both held and draining is polled once
            oldest: dict[str, GroupId] = {}  # per endpoint, the group asked longest ago
            for first in range(0, len(held), SLICE):
                for group in held[first : first + SLICE]:
                    if self._due(group, now):
                        due.add(group)
                    known = oldest.get(group[0])
                    if known is None or self._last_asked(group) < self._last_asked(known):
                        oldest[group[0]] = group
                await self._calm()
            for endpoint, group in oldest.items():
                if now - self._probed.get(endpoint, NEVER) >= self.interval:
                    due.add(group)
            # Oldest first, and no more than the poll rate allows in one round: with more
            # groups than that, each is polled less often (OCS's push keeps them current).
            pause = max(TICK, self.interval / 2)
            budget = int(POLL_RATE * pause.total_seconds())
            chosen = heapq.nsmallest(budget, due, key=self._last_asked)
            await asyncio.gather(*(self.poll(group) for group in chosen))
            await asyncio.sleep(pause.total_seconds())

    async def _calm(self) -> None:
        """Let due Schedules go first: yield to the loop, then wait until none waits."""
        await asyncio.sleep(0)
        if self.idle is not None:
            await self.idle()

    def _last_asked(self, group: GroupId) -> datetime:
        return self._asked.get(group, NEVER)

    def _due(self, group: GroupId, now: datetime) -> bool:
        last = max(filter(None, [self._asked.get(group), _at(self.seen.get(group))]), default=None)
        return last is None or now - last >= self.interval

    async def poll(self, group: GroupId) -> None:
        async with self._slots:
            if self.idle is not None:
                await self.idle()  # each poll, not only each round, waits for due Schedules
            self._asked[group] = self._probed[group[0]] = datetime.now(UTC)
            try:
                asked, status = await self.executor.status(group)
            except ocs.OcsError as error:
                self.failed(group, str(error), isinstance(error, ocs.OcsUnavailable))
                return
            self.answered(group, status, asked)

    def answered(self, group: GroupId, status: ocs.CampaignGroupStatus, at: datetime) -> None:
        self._answering(group[0])
        self._store(group, observation_of(status, at))

    def failed(
        self, group: GroupId, error: str, unreachable: bool, at: datetime | None = None
    ) -> None:
        """A request about `group` failed (`at`, if not just now); OCS not answering is an
        outage of its endpoint."""
        at = at or datetime.now(UTC)
        if unreachable:
            self._unreachable[group[0]] = max(at, self._unreachable.get(group[0], NEVER))
            self._failing.add(group[0])
        before = self.seen.get(group) or unknown(at)
        self._store(group, replace(before, error=error))

    def _answering(self, endpoint: str) -> None:
        """OCS answered: if it had failed, look at once at every group held there, so that
        what each is doing after the outage is known before anything else happens to it."""
        if endpoint not in self._failing:
            return
        self._failing.discard(endpoint)
        for group in self.wanted():
            if group[0] == endpoint:
                self._confirm(group)

    def command_done(self, outcome: Outcome) -> None:
        """A command's answer: the state it left, not newer than the run it started. It is
        noted when its pass is recorded, after a burst's starts: a poll asked since then
        says more, and is kept."""
        command = outcome.command
        group = (command.ocs, command.dbid)
        before = self.seen.get(group)
        if before is not None and before.at > outcome.at:
            return
        if not outcome.ok:
            self.failed(group, outcome.error or "", outcome.unreachable, outcome.at)
            return
        self._answering(group[0])
        if outcome.ocs_state is None:
            return
        state = ocs.CampaignGroupState[outcome.ocs_state]
        before = before or unknown(outcome.at)
        self._store(
            group,
            replace(
                before, at=outcome.at, synced=outcome.at, state=outcome.ocs_state,
                loaded=state in ocs.LOADED_STATES, dialing=state is ocs.CampaignGroupState.Running,
                dialing_mode=outcome.dialing_mode or before.dialing_mode, error=None,
            ),
            answer=True,
        )  # fmt: skip

    def pushed(self, endpoint: str, document: Any) -> None:
        """One status document OCS pushed; raises OcsError when it cannot be read.

        A push is not ordered with commands, so it keeps the time of the last poll or
        command: the planner judges a run only by what OCS said after the run started.
        A new state it brings is confirmed at once by a poll under the group's lock."""
        status = ocs.parse_push(document)
        group = (endpoint, status.dbid)
        before = self.seen.get(group)
        ordered = before.at if before is not None else NEVER
        seen = observation_of(status, ordered, synced=datetime.now(UTC))
        if before is None or before.state != seen.state:
            self._confirm(group)
        self._store(group, seen)

    def _confirm(self, group: GroupId) -> None:
        if group in self._confirming:
            return
        self._confirming.add(group)
        task = asyncio.get_running_loop().create_task(self.poll(group))
        task.add_done_callback(lambda _: self._confirming.discard(group))

    def _store(self, group: GroupId, seen: Observation, answer: bool = False) -> None:
        """Keep an observation; a group not loaded after OCS failed to answer since it was
        last seen loaded is marked as lost in an outage (after_outage)."""
        if seen.loaded:
            self._up[group] = max(seen.synced, self._up.get(group, NEVER))
        elif seen.error is None:
            outage = self._unreachable.get(group[0])
            lost = outage is not None and outage > self._up.get(group, NEVER)
            seen = replace(seen, after_outage=lost)
        before = self.seen.get(group)
        self.seen[group] = seen
        self.loaded += seen.loaded - (before is not None and before.loaded)
        what = change(before, seen)
        if what is not None:
            self.changed(group, seen, what, answer)


def draining(seen: Observation) -> bool:
    return seen.error is None and ocs.CampaignGroupState[seen.state] in ocs.DRAINING_STATES


def _at(seen: Observation | None) -> datetime | None:
    return seen.synced if seen is not None and seen.error is None else None


def _state(seen: Observation) -> tuple:
    return (seen.state, seen.after_outage, seen.error)


def _shown(seen: Observation) -> tuple:
    """Everything a status shows of an observation (not when it was taken)."""
    return (*_state(seen), seen.penetration, seen.completion, seen.dialing_mode,
            seen.optimization, seen.hit_ratio, seen.busy_factor, seen.overdial_rate,
            seen.time_to_complete)  # fmt: skip
