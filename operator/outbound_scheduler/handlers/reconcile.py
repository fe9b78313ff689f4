"""One pass over one Schedule: decide, command OCS, record, write status, wake again.

OCS commands go first and status follows: a run's start is never queued
behind an etcd write, nor behind the bookkeeping of other starts. A pass has
two halves: a worker decides and sends the commands, then hands the answers
to the recorder, which notes what they say of each group and turns them into
status, Events and the next wake once no due Schedule waits for a worker. At
08:00 sharp every due group hears from the operator before any of them is
recorded; the Schedule stays taken until it is, so no second pass overtakes
the first. A restart stays safe without a write ahead of the command because
starting is idempotent (a group OCS already runs is adopted) and the run id
is the window's opening, the same on every pass.

A Schedule carries the operator's finalizer, so deleting it while the
operator is down still stops what it started once the operator is back: the
object waits, marked for deletion, until its runs are stopped.
"""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from outbound_scheduler.handlers import metrics
from outbound_scheduler.handlers.executor import Executor
from outbound_scheduler.handlers.kube import KubeApi, ObjectRef
from outbound_scheduler.handlers.observer import Change, Observer
from outbound_scheduler.handlers.queue import DueQueue
from outbound_scheduler.handlers.store import FINALIZER, Key, ScheduleRecord, Store
from outbound_scheduler.handlers.writes import HOLD_BACK_LIMIT, WriteBehind
from outbound_scheduler.planning import Outcome, decide, next_wake, record
from outbound_scheduler.planning.decide import Decision, GroupId, ScheduleView, holding
from outbound_scheduler.planning.groups import group_status
from outbound_scheduler.planning.observed import Observation
from outbound_scheduler.settings import Settings

logger = logging.getLogger(__name__)

GoneKey = tuple[str, str, str]  # (namespace, name, uid) of a Schedule already gone from the API
MAX_RETRY = timedelta(minutes=5)
WRITERS = 8  # status writes in flight at once
PREPARE_AHEAD = 2.0  # seconds before Schedules are due that OCS connections are opened
BURST = 1.0  # seconds of due instants counted as one burst


@dataclass(slots=True)  # made for every start: a frozen one's __init__ costs 6x
class Pass:
    """One reconcile pass between sending its commands and recording what came of them."""

    key: Key | GoneKey
    known: ScheduleRecord
    view: ScheduleView
    decision: Decision
    outcomes: list[Outcome]
    now: datetime


def status_patch(model: Any) -> dict[str, Any]:
    """A merge patch setting every status field: absent fields become null, so they clear."""
    dumped = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {alias: dumped.get(alias) for alias in aliases(model)}


def aliases(model: Any) -> list[str]:
    return [info.alias or name for name, info in type(model).model_fields.items()]


def same(a: Any, b: Any) -> bool:
    return a.model_dump(mode="json", exclude_none=True) == b.model_dump(
        mode="json", exclude_none=True
    )


class Reconciler:
    def __init__(self, settings: Settings, store: Store, executor: Executor, writer: KubeApi):
        self.settings = settings
        self.store = store
        self.executor = executor
        self.writer = writer
        self.queue: DueQueue[Key | GoneKey] = DueQueue()
        self._recording: asyncio.Queue[Pass] = asyncio.Queue()  # sent, not yet recorded
        self._sending = 0  # passes between taking their Schedule and OCS's last answer
        self._sent = asyncio.Event()  # set when the last of them got its answers
        self.writes = WriteBehind(self.queue.until_idle)
        self.gone: dict[GoneKey, ScheduleRecord] = {}  # deleted without our finalizer, holding
        self.failures: dict[Key | GoneKey, int] = {}  # consecutive passes with an OCS error
        self.passes = 0  # reconcile passes so far: how busy the operator has been
        self.observer = Observer(
            executor, settings.poll_seconds, self.observed, idle=self.queue.until_idle
        )

    async def work(self) -> None:
        """One worker, for the operator's life: take due Schedules one by one and send their
        commands; a pass that sent any is recorded later, by the recorder."""
        while True:
            key = await self.queue.get()
            self._sending += 1
            try:
                done = await self.command(key)
            except Exception:
                self._failed(key)
                continue
            finally:
                self._sending -= 1
                if not self._sending:
                    self._sent.set()
            if done is None:
                self.queue.done(key)
            elif done.outcomes:
                self._recording.put_nowait(done)
            else:
                self._finish(done)

    async def record_passes(self) -> None:
        """The recorder, for the operator's life: status, history, Events and the next wake of
        each pass that sent commands. While other passes still send, or due Schedules wait for
        a worker (a burst at 08:00), it waits, up to a limit: their commands go to OCS first,
        and the bookkeeping of all of them follows. It leaves the loop after each pass: a
        burst's 10,000 take seconds to record, and the timer, the watch streams and the
        workers must not wait for the last of them."""
        while True:
            done = await self._recording.get()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HOLD_BACK_LIMIT):
                    await self._until_sent()
            self._finish(done)
            await asyncio.sleep(0)

    async def _until_sent(self) -> None:
        """Until no pass is sending commands and no due Schedule waits for a worker."""
        while self._sending or self.queue.ready_count:
            self._sent.clear()
            await self._sent.wait()

    def _finish(self, done: Pass) -> None:
        try:
            self.conclude(done)
        except Exception:
            self._failed(done.key)
        else:
            self.queue.done(done.key)

    def _failed(self, key: Key | GoneKey) -> None:
        logger.exception("reconcile failed: schedule=%s/%s; retrying", *key[:2])
        self.queue.add(key, at=self._retry_at(key).timestamp())
        self.queue.done(key)

    async def prepare_for_openings(self) -> None:
        """For the operator's life: shortly before Schedules are due, open as many OCS
        connections as their first passes will use at once, so that the handshakes happen
        before the instant instead of delaying the first starts of a burst."""
        prepared = None
        while True:
            upcoming = self.queue.next_at
            ahead = upcoming - time.time() if upcoming is not None else PREPARE_AHEAD + 1
            if upcoming == prepared or not 0 < ahead <= PREPARE_AHEAD:
                await asyncio.sleep(PREPARE_AHEAD / 4)
                continue
            due = self.queue.due_between(upcoming, upcoming + BURST)[: self.settings.workers]
            requests = sum(self._entries(key) for key in due)
            if requests:
                await self.executor.prepare(requests)
            prepared = upcoming

    def _entries(self, key: Key | GoneKey) -> int:
        record = self.store.schedules.get(key[:2]) if len(key) == 2 else None
        return len(record.spec.campaign_groups) if record and record.spec else 1

    def _retry_at(self, key: Key | GoneKey) -> datetime:
        """Capped exponential backoff from the operator's retry interval."""
        failures = self.failures[key] = self.failures.get(key, 0) + 1
        delay = timedelta(seconds=self.settings.retry_seconds) * 2 ** min(failures - 1, 10)
        return datetime.now(UTC) + min(delay, MAX_RETRY)

    def forget_schedule(self, key: Key, uid: str) -> None:
        """The Schedule is gone from the API; if it still holds runs, stop them anyway."""
        record = self.store.drop_schedule(key)
        if record is not None and any(holding(e) for e in record.status.campaign_groups):
            gone = (key[0], key[1], uid)
            self.gone[gone] = record
            self.queue.add(gone)

    async def command(self, key: Key | GoneKey) -> Pass | None:
        """The first half of a pass: decide what the Schedule needs now and tell OCS."""
        self.passes += 1
        now = datetime.now(UTC)
        known = self.gone.get(key) if len(key) == 3 else self.store.schedules.get(key)
        if known is None:
            return None
        schedule: Key = (key[0], key[1])
        deleted = len(key) == 3 or known.deleting
        view = self.store.view(schedule, now, known, deleted, self.observer.seen)
        decision = decide(view, now)

        # OCS first: status, and what the answers say of each group, follow.
        outcomes = await self.executor.run_all(decision.commands)
        return Pass(key, known, view, decision, outcomes, now)

    def conclude(self, done: Pass) -> None:
        """The second half: what OCS answered of each group, status, Events and the next wake."""
        key, known, view, decision, outcomes, now = (
            done.key,
            done.known,
            done.view,
            done.decision,
            done.outcomes,
            done.now,
        )
        schedule: Key = (key[0], key[1])
        for outcome in outcomes:
            self.observer.command_done(outcome)
        status, notices = record(view, decision, outcomes, now)
        metrics.observe_pass(schedule[0], decision, outcomes, notices)
        ref = ObjectRef("Schedule", "schedules", schedule[0], schedule[1], known.uid)
        for notice in notices:
            level = logging.WARNING if notice.type == "Warning" else logging.INFO
            logger.log(level, "[%s/%s] %s: %s", *schedule, notice.reason, notice.message)
            self.writer.post_event(ref, notice.type, notice.reason, notice.message)

        failed = any(not outcome.ok for outcome in outcomes)
        retry = self._retry_at(key) if failed else None
        if not failed:
            self.failures.pop(key, None)
        if len(key) == 3:
            known.status = status
            if failed:
                self.queue.add(key, at=retry.timestamp())
            else:
                del self.gone[key]
            return
        current = self.store.schedules.get(schedule) or known
        current.status, current.seen = status, True
        self.writes.submit(schedule, lambda: self._flush_schedule(schedule))
        wake = min(filter(None, [next_wake(view, decision, now), retry]), default=None)
        if wake is not None:
            self.queue.add(key, at=wake.timestamp())

    async def _flush_schedule(self, key: Key) -> None:
        """Status if it changed; our finalizer on, or off once a deleted Schedule holds nothing."""
        current = self.store.schedules.get(key)
        if current is None:
            return
        ref = ObjectRef("Schedule", "schedules", key[0], key[1], current.uid)
        status = current.status
        if current.written is None or not same(status, current.written):
            version = await self.writer.patch_status(ref, status_patch(status))
            current.version, current.written = version or current.version, status
        if current.deleting:
            if FINALIZER not in current.finalizers or any(map(holding, status.campaign_groups)):
                return
        elif FINALIZER in current.finalizers:
            return
        others = [f for f in current.finalizers if f != FINALIZER]
        wanted = others if current.deleting else [*others, FINALIZER]
        if await self.writer.set_finalizers(ref, wanted, current.version):
            current.finalizers = wanted
        else:
            self.queue.add(key)  # changed meanwhile: look again with the fresh object

    def observed(self, group_id: GroupId, seen: Observation, what: Change, answer: bool) -> None:
        """OCS said something new about a group: show it, and wake the Schedules it concerns:
        all that name it for a new state, those whose rules read them for new statistics. A
        command's answer wakes nobody: the Schedule that sent it has recorded it already."""
        now = datetime.now(UTC)
        for key in self.store.groups_with_id(group_id):
            self.sync_group(key, now, seen, urgent=what in (Change.STATE, Change.MODE))
            if answer or what in (Change.MODE, Change.OTHER):
                continue
            for schedule in self.store.schedules_naming(key):
                if what is Change.STATE or self.store.reads_statistics(schedule, key[1]):
                    self.queue.add(schedule)

    def sync_group(
        self, key: Key, now: datetime, seen: Observation | None = None, urgent: bool = True
    ) -> None:
        """Note what OCS said of a CampaignGroup and have its status written behind the OCS
        commands. New statistics alone are written at most every statistics interval per
        group, and at most `statistics_writes` per second over all groups."""
        group = self.store.groups.get(key)
        if group is None:
            return
        group.seen = seen or group.seen
        rate = self.settings.statistics_writes_per_second
        pace = max(self.settings.statistics_seconds, self.observer.loaded / rate)
        if (
            not urgent
            and group.flushed is not None
            and now - group.flushed < timedelta(seconds=pace)
        ):
            return  # the next observation after the interval writes the latest figures
        group.flushed = now
        self.writes.submit(("CampaignGroup", *key), lambda: self._flush_group(key))

    async def _flush_group(self, key: Key) -> None:
        group = self.store.groups.get(key)
        if group is None:
            return
        before = next((c for c in group.status.conditions if c.type == "Ready"), None)
        now = datetime.now(UTC)
        group.status = group_status(group.status, group.problem, group.generation, now, group.seen)
        ready = next(c for c in group.status.conditions if c.type == "Ready")
        ref = ObjectRef("CampaignGroup", "campaigngroups", key[0], key[1], group.uid)
        if ready.reason == "OcsError" and (before is None or before.reason != "OcsError"):
            self.writer.post_event(ref, "Warning", "OcsError", ready.message)
        if group.written is not None and same(group.status, group.written):
            return
        status = group.status
        await self.writer.patch_status(ref, status_patch(status))
        group.written = status
