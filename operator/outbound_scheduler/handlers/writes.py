"""Status writes behind the OCS commands: coalesced per object, sent once due work is done.

A reconcile records the status it wants in memory and hands the object's key
here; a few writer tasks send the latest wanted status of each key. While
Schedules wait to be reconciled (a burst of openings at 08:00), writes hold
back, so the API server's CPU goes to nobody's status until every due start
reached OCS. A key submitted again before it was written is written once.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

logger = logging.getLogger(__name__)

HOLD_BACK_LIMIT = 10.0  # seconds a write may wait for due work to finish: a 10,000 burst lasts less
RETRY_DELAY = 1.0  # seconds before a failed write is tried again


class WriteBehind:
    def __init__(self, until_idle: Callable[[], Awaitable[None]]) -> None:
        self._until_idle = until_idle
        self._pending: dict[Hashable, Callable[[], Awaitable[None]]] = {}
        self._wake = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, key: Hashable, flush: Callable[[], Awaitable[None]]) -> None:
        """Ask for `flush()` to run soon; a newer request for the same key replaces this one."""
        self._pending.pop(key, None)
        self._pending[key] = flush
        self._wake.set()

    async def run(self) -> None:
        """One writer, for the operator's life."""
        loop = asyncio.get_running_loop()
        while True:
            while not self._pending:
                self._wake.clear()
                await self._wake.wait()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HOLD_BACK_LIMIT):
                    await self._until_idle()
            if not self._pending:
                continue
            key = next(iter(self._pending))
            flush = self._pending.pop(key)
            try:
                await flush()
            except Exception:
                logger.exception("status write failed: %s; trying again", key)
                loop.call_later(RETRY_DELAY, self._again, key, flush)

    def _again(self, key: Hashable, flush: Callable[[], Awaitable[None]]) -> None:
        if key not in self._pending:
            self.submit(key, flush)
