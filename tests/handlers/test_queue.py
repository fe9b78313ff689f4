"""The due-instant work queue: each key is handed out once per wake, never to two workers."""

import pytest

from outbound_scheduler.handlers.queue import DueQueue


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_key_due_now_is_ready_at_once(clock):
    """A key added without an instant, or with one already past, is ready immediately."""
    queue = DueQueue(clock)
    queue.add("a")
    queue.add("b", at=clock.now - 5)
    assert [await queue.get(), await queue.get()] == ["a", "b"]


async def test_keys_wake_at_their_instants_in_order(clock):
    """Future keys become ready only when their instant comes, earliest first."""
    queue = DueQueue(clock)
    queue.add("late", at=clock.now + 20)
    queue.add("early", at=clock.now + 10)
    assert queue.release_due() == 10
    assert queue.ready_count == 0
    clock.now += 10
    assert queue.release_due() == 10
    assert await queue.get() == "early"
    clock.now += 10
    assert queue.release_due() is None
    assert await queue.get() == "late"


async def test_only_the_earliest_instant_of_a_key_counts(clock):
    """Asking for a key at several instants wakes it once, at the earliest."""
    queue = DueQueue(clock)
    queue.add("a", at=clock.now + 30)
    queue.add("a", at=clock.now + 10)
    queue.add("a", at=clock.now + 20)
    clock.now += 30
    queue.release_due()
    assert queue.ready_count == 1


async def test_a_key_is_never_worked_on_twice_at_once(clock):
    """A key made ready while a worker holds it is handed out again only after done()."""
    queue = DueQueue(clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    queue.add("a")
    assert queue.ready_count == 0
    queue.done("a")
    assert queue.ready_count == 1
    assert await queue.get() == "a"
    queue.done("a")
    assert queue.ready_count == 0


async def test_ready_keys_are_not_queued_twice(clock):
    """Adding a key that is already waiting to be taken does not queue it again."""
    queue = DueQueue(clock)
    queue.add("a")
    queue.add("a")
    assert queue.ready_count == 1
