"""Status push: the simulator POSTs campaign-group status documents to a configured URI.

Like OCS with `send-campaigngroup-states=true`, it posts on every state-changing request and
every `interval` seconds for loaded CGs. Posts are fire-and-forget: a failed one is logged
and never retried, and a slow receiver cannot hold up the OCS requests that caused it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

PUSH_TIMEOUT = 2.0
MAX_IN_FLIGHT = 256


class StatusPusher:
    """Posts status documents to `uri` while one is set."""

    def __init__(self, uri: str | None = None, interval: float = 10.0) -> None:
        self.uri = uri
        self.interval = interval
        self._session: aiohttp.ClientSession | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)

    def push(self, document: dict[str, Any], event: str) -> None:
        """Send one document in the background, tagged with what caused it."""
        if not self.uri:
            return
        task = asyncio.create_task(self._post(self.uri, {**document, "event": event}))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def close(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(self, uri: str, document: dict[str, Any]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=PUSH_TIMEOUT))
        try:
            async with self._slots, self._session.post(uri, json=document) as response:
                await response.read()
                if response.status >= 300:
                    logger.info(
                        "status push refused: cg=%s status=%d", document["dbid"], response.status
                    )
        except (TimeoutError, aiohttp.ClientError) as exc:
            logger.info("status push failed: cg=%s error=%s", document["dbid"], type(exc).__name__)
