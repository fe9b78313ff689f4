"""One pass over one Schedule: decide, command OCS, record, write status, wake again.

OCS commands go first and status follows: a run's start is never queued
behind an etcd write. A restart stays safe without a write ahead of the
command because starting is idempotent (a group OCS already runs is adopted)
and the run id is the window's opening, the same on every pass.
"""

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from outbound_scheduler.handlers.executor import Executor
from outbound_scheduler.handlers.kube import KubeApi, ObjectRef
from outbound_scheduler.handlers.queue import DueQueue
from outbound_scheduler.handlers.store import Key, ScheduleRecord, Store
from outbound_scheduler.models import ScheduleStatus
from outbound_scheduler.planning import Outcome, decide, record
from outbound_scheduler.planning.groups import group_status
from outbound_scheduler.settings import Settings

logger = logging.getLogger(__name__)


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
        self.queue: DueQueue[Key] = DueQueue()
        self.deleted: dict[Key, ScheduleRecord] = {}

    async def work(self) -> None:
        """One worker: take due Schedules one by one, for the operator's life."""
        while True:
            key = await self.queue.get()
            try:
                await self.reconcile(key)
            except Exception:
                logger.exception("reconcile failed: schedule=%s/%s; retrying", *key)
                self.queue.add(key, at=self._retry_at())
            finally:
                self.queue.done(key)

    def _retry_at(self) -> float:
        return datetime.now(UTC).timestamp() + self.settings.retry_seconds

    async def reconcile(self, key: Key) -> None:
        now = datetime.now(UTC)
        gone = self.deleted.get(key)
        known = gone or self.store.schedules.get(key)
        if known is None:
            return
        view = self.store.view(key, now, deleted=gone)
        decision = decide(view, now)

        # OCS first: status follows, so a start never waits behind an etcd write.
        outcomes = await self.executor.run_all(decision.commands)
        status, notices = record(view, decision, outcomes, now)
        ref = ObjectRef("Schedule", "schedules", key[0], key[1], known.uid)
        for notice in notices:
            level = logging.WARNING if notice.type == "Warning" else logging.INFO
            logger.log(level, "[%s/%s] %s: %s", *key, notice.reason, notice.message)
            self.writer.post_event(ref, notice.type, notice.reason, notice.message)
        await self._sync_groups(outcomes, now)

        retry = None
        if any(not outcome.ok for outcome in outcomes):
            retry = now + timedelta(seconds=self.settings.retry_seconds)
        if gone is not None:
            self._settle_deleted(key, gone, status, retry)
            return
        current = self.store.schedules.get(key)
        if current is not None:
            if not same(status, current.status):
                await self.writer.patch_status(ref, status_patch(status))
            current.status = status
        wake = view.timetable.next_change_after(now) if view.timetable else None
        wake = min(filter(None, [wake, retry]), default=None)
        if wake is not None:
            self.queue.add(key, at=wake.timestamp())

    def _settle_deleted(
        self, key: Key, gone: ScheduleRecord, status: ScheduleStatus, retry: datetime | None
    ) -> None:
        """A deleted Schedule is forgotten once what it started is stopped."""
        gone.status = status
        if retry is not None:
            self.queue.add(key, at=retry.timestamp())
            return
        del self.deleted[key]
        if key in self.store.schedules:
            self.queue.add(key)  # re-created under the same name meanwhile

    async def _sync_groups(self, outcomes: list[Outcome], now: datetime) -> None:
        """Show the OCS state each command left behind on the CampaignGroups concerned."""
        writes = []
        for outcome in outcomes:
            if outcome.ocs_state is None:
                continue
            for key in self.store.groups_with_id((outcome.command.ocs, outcome.command.dbid)):
                writes.append(self.sync_group(key, now, outcome.ocs_state, outcome.dialing_mode))
        await asyncio.gather(*writes)

    async def sync_group(
        self, key: Key, now: datetime, ocs_state: str | None = None, mode: str | None = None
    ) -> None:
        group = self.store.groups.get(key)
        if group is None:
            return
        status = group_status(group.status, group.problem, group.generation, now, ocs_state, mode)
        if not same(status, group.status):
            ref = ObjectRef("CampaignGroup", "campaigngroups", key[0], key[1], group.uid)
            group.status = status
            await self.writer.patch_status(ref, status_patch(status))
