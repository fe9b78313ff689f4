"""A work queue of keys that wakes each key at its due instant.

One task sleeps until the earliest due instant; workers take ready keys.
A key is never worked on by two workers at once: a key made ready while it
is being worked on is marked and handed out again afterwards. Each key has
at most one due instant, the earliest asked for; so 10,000 Schedules cost a
heap entry each, not a task or a timer each.
"""

import asyncio
import contextlib
import heapq
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class DueQueue(Generic[K]):
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, K]] = []
        self._due: dict[K, float] = {}
        self._counter = 0
        self._ready: asyncio.Queue[K] = asyncio.Queue()
        self._queued: set[K] = set()
        self._active: set[K] = set()
        self._again: set[K] = set()
        self._changed = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def add(self, key: K, at: float | None = None) -> None:
        """Make `key` ready now, or at `at` (seconds since the epoch) if that is later."""
        if at is None or at <= self._clock():
            self._make_ready(key)
            return
        if key in self._due and self._due[key] <= at:
            return
        self._due[key] = at
        self._counter += 1
        heapq.heappush(self._heap, (at, self._counter, key))
        if self._heap[0][2] == key:
            self._changed.set()

    async def get(self) -> K:
        key = await self._ready.get()
        self._queued.discard(key)
        self._active.add(key)
        self._update_idle()
        return key

    def done(self, key: K) -> None:
        self._active.discard(key)
        if key in self._again:
            self._again.discard(key)
            self._make_ready(key)
        self._update_idle()

    def _make_ready(self, key: K) -> None:
        if key in self._active:
            self._again.add(key)
        elif key not in self._queued:
            self._queued.add(key)
            self._ready.put_nowait(key)
            self._idle.clear()

    def release_due(self) -> float | None:
        """Make every key whose instant has come ready; return the seconds to the next one."""
        now = self._clock()
        while self._heap and self._heap[0][0] <= now:
            at, _, key = heapq.heappop(self._heap)
            if self._due.get(key) == at:
                del self._due[key]
                self._make_ready(key)
        return self._heap[0][0] - now if self._heap else None

    @property
    def next_at(self) -> float | None:
        """The earliest instant a key waits for (perhaps one re-added later since)."""
        return self._heap[0][0] if self._heap else None

    def due_between(self, first: float, last: float) -> list[K]:
        """The keys waiting for an instant from `first` to `last` (seconds since the epoch)."""
        return [key for key, at in self._due.items() if first <= at <= last]

    @property
    def ready_count(self) -> int:
        return self._ready.qsize()

    async def until_idle(self) -> None:
        """Wait until no key waits to be taken or is being worked on."""
        await self._idle.wait()

    def _update_idle(self) -> None:
        if self._queued or self._active:
            self._idle.clear()
        else:
            self._idle.set()

    async def run_timer(self) -> None:
        """Release keys as their instants come; runs for the operator's life."""
        while True:
            self._changed.clear()
            delay = self.release_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=delay)
