"""One kind in one namespace (or all of them), listed page by page and then watched.

Every object read is handed to `handle(type, body)` and then dropped: what the
operator keeps of it is what the store parses out of it. The informer itself
keeps only each object's uid, so that when the watch's version has expired (the
operator was away longer than the server keeps changes) it can list again and
hand over as DELETED what vanished meanwhile, and as ADDED what is there now.

Kopf's own watching keeps per-object machinery (a queue and a worker per object
while events flow) that costs more memory at 10,000 objects than everything the
operator stores (SCALE.md); one stream per kind handing raw objects straight to
the store costs almost nothing per object.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import kopf

from outbound_scheduler.handlers.kube import Expired, KubeApi
from outbound_scheduler.handlers.store import Key, key_of
from outbound_scheduler.ocs.http import HttpError

logger = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]
ADDED, DELETED = "ADDED", "DELETED"
PAUSE = 0.5  # seconds before watching again after a broken stream, doubled up to PAUSE_LIMIT
# Short: while the stream is down the operator acts on what it last saw (a Schedule suspended
# meanwhile would still start), so it tries again soon after the API server is back.
PAUSE_LIMIT = 4.0
# How a stream usually breaks: the connection, the server's refusal. Anything else is
# logged with its traceback.
BROKEN = (aiohttp.ClientError, HttpError, TimeoutError, kopf.TemporaryError)


class Informer:
    def __init__(self, api: KubeApi, plural: str, namespace: str | None, handle: Handler) -> None:
        self.api = api
        self.plural = plural
        self.namespace = namespace
        self.handle = handle
        self._uids: dict[Key, str] = {}
        self._version: str | None = None  # where the watch goes on from; None: list first

    async def list(self) -> None:
        """Read the whole collection; hand over every object there, and every object
        known from before that is no longer."""
        present: dict[Key, str] = {}
        version = None
        async for items, listed_at in self.api.list_pages(self.plural, self.namespace):
            version = listed_at
            for body in items:
                key, uid = key_of(body), body["metadata"]["uid"]
                present[key] = uid
                if self._uids.get(key, uid) != uid:  # deleted and created again meanwhile
                    self._hand(DELETED, self._gone(key, self._uids[key]))
                self._hand(ADDED, body)
        for key, uid in self._uids.items():
            if key not in present:
                self._hand(DELETED, self._gone(key, uid))
        self._uids, self._version = present, version

    async def run(self) -> None:
        """Watch from the last listing on, for ever: list again when the version expired,
        watch again after a pause when the stream broke."""
        pause = PAUSE
        while True:
            try:
                if self._version is None:
                    await self.list()
                    pause = PAUSE
                async for event in self.api.watch(self.plural, self.namespace, self._version):
                    body = event["object"]
                    self._version = body["metadata"]["resourceVersion"]
                    if event["type"] != "BOOKMARK":
                        self._remember(event["type"], body)
                        self._hand(event["type"], body)
                    pause = PAUSE
                pause = PAUSE  # the server ended the stream in time: nothing was broken
            except Expired as error:
                logger.info("%s; listing again", error)
                self._version = None
            except Exception as error:  # whatever broke the stream, the watch must go on
                logger.warning(
                    "watching %s broke (%s); again in %.0f s", self.plural, error, pause,
                    exc_info=not isinstance(error, BROKEN),
                )  # fmt: skip
                await asyncio.sleep(pause)
                pause = min(pause * 2, PAUSE_LIMIT)

    def _remember(self, type_: str, body: dict[str, Any]) -> None:
        key = key_of(body)
        if type_ == DELETED:
            self._uids.pop(key, None)
        else:
            self._uids[key] = body["metadata"]["uid"]

    def _hand(self, type_: str, body: dict[str, Any]) -> None:
        """One object to the handler; an object it cannot take is logged and skipped, so
        that one bad object stops neither the stream nor the others."""
        try:
            self.handle(type_, body)
        except Exception:
            metadata = body.get("metadata", {})
            logger.exception(
                "%s %s/%s not taken", self.plural, metadata.get("namespace"), metadata.get("name")
            )

    @staticmethod
    def _gone(key: Key, uid: str) -> dict[str, Any]:
        return {"metadata": {"namespace": key[0], "name": key[1], "uid": uid}}
