"""Tidying between busy spells: it collects and freezes only when nothing is due soon."""

import asyncio
import gc
import time

from outbound_scheduler.handlers import tidy as tidying
from outbound_scheduler.handlers.queue import DueQueue


async def run_for(queue: DueQueue, seconds: float, activity=lambda: 7) -> None:
    task = asyncio.create_task(tidying.tidy(queue, activity))
    await asyncio.sleep(seconds)
    task.cancel()


async def test_a_quiet_operator_freezes_what_survives(monkeypatch):
    monkeypatch.setattr(tidying, "CALM", 0.01)
    gc.unfreeze()
    try:
        await run_for(DueQueue(), 0.2)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


async def test_an_idle_operator_is_left_alone(monkeypatch):
    """Once tidied, nothing more happens while no pass runs: idle costs no collections."""
    monkeypatch.setattr(tidying, "CALM", 0.01)
    collections = []
    monkeypatch.setattr(tidying.gc, "collect", lambda generation=2: collections.append(generation))
    await run_for(DueQueue(), 0.2)
    assert collections == [2]
    gc.unfreeze()


async def test_a_busy_operator_gets_no_full_collection(monkeypatch):
    """While passes keep coming, only young objects are collected, and the survivors frozen:
    a full collection never starts in the middle of the work."""
    monkeypatch.setattr(tidying, "CALM", 0.01)
    collections = []
    monkeypatch.setattr(tidying.gc, "collect", lambda generation=2: collections.append(generation))
    passes = iter(range(1_000_000))
    gc.unfreeze()
    try:
        await run_for(DueQueue(), 0.2, activity=lambda: next(passes))
        assert collections
        assert set(collections) == {1}
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


async def test_nothing_is_collected_in_full_just_before_a_schedule_is_due(monkeypatch):
    monkeypatch.setattr(tidying, "CALM", 0.01)
    collections = []
    monkeypatch.setattr(tidying.gc, "collect", lambda generation=2: collections.append(generation))
    queue: DueQueue[str] = DueQueue()
    queue.add("due-soon", at=time.time() + 5)  # inside the quiet margin of 10 s
    await run_for(queue, 0.2)
    gc.unfreeze()
    assert 2 not in collections
