"""Tidying between busy spells: it collects and freezes only when nothing is due soon."""

import asyncio
import gc
import time

import pytest

from outbound_scheduler.handlers import tidy as tidying
from outbound_scheduler.handlers.queue import DueQueue


@pytest.fixture(autouse=True)
def calm_at_once(monkeypatch):
    """Tidy after 10 ms of calm; leave the collector as it was found."""
    monkeypatch.setattr(tidying, "CALM", 0.01)
    threshold = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.fixture
def collections(monkeypatch) -> list[int]:
    """The generations collected, instead of collecting them."""
    asked: list[int] = []
    monkeypatch.setattr(tidying.gc, "collect", lambda generation=2: asked.append(generation))
    return asked


async def run_for(queue: DueQueue, seconds: float, activity=lambda: 7) -> None:
    task = asyncio.create_task(tidying.tidy(queue, activity))
    await asyncio.sleep(seconds)
    task.cancel()


async def test_a_quiet_operator_freezes_what_survives():
    await run_for(DueQueue(), 0.2)
    assert gc.get_freeze_count() > 0


async def test_the_young_generation_is_collected_less_often():
    gc.set_threshold(700, 10, 10)
    await run_for(DueQueue(), 0.05)
    assert gc.get_threshold() == (tidying.YOUNG, 10, 10)


async def test_an_idle_operator_is_left_alone(collections):
    """Once tidied, nothing more happens while no pass runs: idle costs no collections."""
    await run_for(DueQueue(), 0.2)
    assert collections == [2]


async def test_a_busy_operator_gets_no_full_collection(collections):
    """While passes keep coming, only young objects are collected, and the survivors frozen:
    a full collection never starts in the middle of the work."""
    passes = iter(range(1_000_000))
    await run_for(DueQueue(), 0.2, activity=lambda: next(passes))
    assert collections
    assert set(collections) == {1}
    assert gc.get_freeze_count() > 0


async def test_nothing_is_collected_in_full_just_before_a_schedule_is_due(collections):
    queue: DueQueue[str] = DueQueue()
    queue.add("due-soon", at=time.time() + 5)  # inside the quiet margin of 10 s
    await run_for(queue, 0.2)
    assert 2 not in collections
