"""Connections to OCS are opened shortly before Schedules are due, sized by their groups."""

import asyncio
import time

from outbound_scheduler.handlers import reconcile
from outbound_scheduler.handlers.reconcile import Reconciler
from outbound_scheduler.handlers.store import Store
from tests.handlers.test_store import group, schedule, settings


class Preparing:
    """An executor that only notes when, and for how many requests, it was prepared."""

    def __init__(self) -> None:
        self.prepared: list[tuple[float, int]] = []

    async def prepare(self, requests: int) -> None:
        self.prepared.append((time.time(), requests))


async def test_connections_are_opened_before_a_burst_for_each_of_its_groups(monkeypatch):
    monkeypatch.setattr(reconcile, "PREPARE_AHEAD", 0.4)
    store = Store(settings())
    for name in ("a", "b", "c"):
        store.put_group(group(name, dbid=ord(name)))
    store.put_schedule(schedule("two", [{"name": "a"}, {"name": "b"}]))
    store.put_schedule(schedule("one", [{"name": "c"}]))
    executor = Preparing()
    reconciler = Reconciler(settings(), store, executor, writer=None)  # type: ignore[arg-type]
    due = time.time() + 0.3
    reconciler.queue.add(("ns", "two"), at=due)
    reconciler.queue.add(("ns", "one"), at=due + 0.5)  # the same burst
    reconciler.queue.add(("ns", "later"), at=due + 60)  # not this one

    task = asyncio.create_task(reconciler.prepare_for_openings())
    await asyncio.sleep(0.6)
    task.cancel()

    assert len(executor.prepared) == 1
    at, requests = executor.prepared[0]
    assert at < due
    assert requests == 3
