"""Calls to the Kubernetes API that the operator makes: lists and watches of its kinds,
status patches, Events.

Kopf logs in; every call goes through this small client, built from the
credentials Kopf logged in with. A run starts when its window opens, not when an
object changes, so the operator's writes happen outside any handler cycle.
"""

import asyncio
import base64
import contextlib
import logging
import ssl
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
import kopf
import orjson

from outbound_scheduler.handlers.writes import HOLD_BACK_LIMIT
from outbound_scheduler.models.crd import GROUP, VERSION
from outbound_scheduler.ocs.http import HttpClient, HttpError

logger = logging.getLogger(__name__)
EVENT_SOURCE = "outbound-scheduler"
RETRIES = 8
CALL_SECONDS = 30.0  # an API call without an answer this long failed
MERGE_PATCH = b"application/merge-patch+json"
PAGE = 500  # objects per list request: a page's JSON is parsed and dropped before the next
WATCH_SECONDS = 600  # a watch stream's life, asked of the server; then it is opened again


class Expired(Exception):
    """The server no longer has the changes after the version asked for: list again."""


@dataclass(frozen=True)
class ObjectRef:
    kind: str
    plural: str
    namespace: str
    name: str
    uid: str

    @property
    def path(self) -> str:
        return f"/apis/{GROUP}/{VERSION}/namespaces/{self.namespace}/{self.plural}/{self.name}"


def ssl_context(info: kopf.ConnectionInfo) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=info.ca_path and str(info.ca_path))
    if info.insecure:  # the kubeconfig's insecure-skip-tls-verify
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if info.ca_data:
        context.load_verify_locations(cadata=base64.b64decode(info.ca_data).decode())
    certificate, key = info.certificate_path, info.private_key_path
    with contextlib.ExitStack() as stack:
        if info.certificate_data and info.private_key_data:
            certificate = _temp_pem(stack, info.certificate_data)
            key = _temp_pem(stack, info.private_key_data)
        if certificate:
            context.load_cert_chain(str(certificate), key and str(key))
    return context


def _temp_pem(stack: contextlib.ExitStack, data: str | bytes) -> str:
    handle = stack.enter_context(tempfile.NamedTemporaryFile("wb", suffix=".pem"))  # noqa: SIM115
    handle.write(base64.b64decode(data))
    handle.flush()
    return handle.name


class KubeApi:
    """Lists and status patches, awaited; Events, queued and posted in the background.

    Watches stream through aiohttp; every other call goes through the lean client the
    OCS requests use, which costs a fraction of aiohttp's CPU per request: the writes
    that follow a burst of starts are thousands."""

    def __init__(self, info: kopf.ConnectionInfo) -> None:
        headers = {"User-Agent": EVENT_SOURCE}
        if info.token:
            headers["Authorization"] = f"{info.scheme or 'Bearer'} {info.token}"
        self._server = info.server.rstrip("/")
        context = ssl_context(info)
        # One stream per kind and namespace watched, each holding its connection: no cap.
        self._session = aiohttp.ClientSession(
            headers=headers, connector=aiohttp.TCPConnector(ssl=context, limit=0)
        )
        self._http = HttpClient(self._server, timeout=CALL_SECONDS, headers=headers, ssl=context)
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=10_000)
        self._until_idle: Callable[[], Awaitable[None]] | None = None
        self._poster = asyncio.create_task(self._post_events(), name="event poster")

    async def close(self) -> None:
        self._poster.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._poster
        await self._session.close()
        await self._http.close()

    @staticmethod
    def _collection(plural: str, namespace: str | None) -> str:
        scope = f"/namespaces/{namespace}" if namespace else ""
        return f"/apis/{GROUP}/{VERSION}{scope}/{plural}"

    async def list_pages(
        self, plural: str, namespace: str | None, limit: int = PAGE
    ) -> AsyncIterator[tuple[list[dict], str]]:
        """One of our kinds, in one namespace or in all of them, `limit` objects at a time;
        each page with the resourceVersion the whole list was read at. Expired when the
        listing took so long that the server no longer serves its continuation."""
        path, token = self._collection(plural, namespace), ""
        while True:
            query = urlencode({"limit": limit, **({"continue": token} if token else {})})
            answer = await self._request("GET", f"{path}?{query}", absent=(410,))
            if answer is None:
                raise Expired(f"listing {plural}: continuation expired")
            yield answer["items"], answer["metadata"]["resourceVersion"]
            token = answer["metadata"].get("continue") or ""
            if not token:
                return

    async def watch(
        self, plural: str, namespace: str | None, version: str
    ) -> AsyncIterator[dict[str, Any]]:
        """The changes after `version`, with bookmarks, until the server ends the stream
        (after WATCH_SECONDS); Expired when `version` is older than the server keeps."""
        params = {
            "watch": "1",
            "resourceVersion": version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(WATCH_SECONDS),
        }
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=WATCH_SECONDS + 60)
        url = self._server + self._collection(plural, namespace)
        async with self._session.get(url, params=params, timeout=timeout) as response:
            if response.status == 410:
                raise Expired(f"watching {plural}: version {version} expired")
            if response.status >= 400:
                detail = await response.text()
                raise kopf.TemporaryError(f"watching {plural}: {response.status} {detail}")
            rest = b""
            async for chunk in response.content.iter_any():
                *lines, rest = (rest + chunk).split(b"\n")
                for line in lines:
                    event = orjson.loads(line)
                    if event["type"] == "ERROR":
                        status = event["object"]
                        if status.get("code") == 410:
                            raise Expired(f"watching {plural}: {status.get('message')}")
                        raise kopf.TemporaryError(f"watching {plural}: {status.get('message')}")
                    yield event

    async def patch_status(self, ref: ObjectRef, status: dict[str, Any]) -> str | None:
        """Merge-patch the status subresource; the new resourceVersion, None if it is gone."""
        answer = await self._request(
            "PATCH", f"{ref.path}/status", {"status": status}, content_type=MERGE_PATCH
        )
        return answer["metadata"]["resourceVersion"] if answer else None

    async def set_finalizers(
        self, ref: ObjectRef, finalizers: list[str], version: str | None
    ) -> bool:
        """Replace the object's finalizers, unless it changed since `version` (then False: the
        change's watch event brings the object back for another look)."""
        answer = await self._request(
            "PATCH",
            ref.path,
            {"metadata": {"finalizers": finalizers, "resourceVersion": version}},
            content_type=MERGE_PATCH,
            absent=(404, 409),
        )
        return answer is not None

    async def _request(
        self,
        method: str,
        path: str,
        document: dict[str, Any] | None = None,
        content_type: bytes = b"application/json",
        absent: tuple[int, ...] = (404,),
    ) -> dict | None:
        """One API call, waited out while the server says "too many requests" or is busy;
        None when the answer is one of `absent` (by default: the object is not there)."""
        body = orjson.dumps(document) if document is not None else None
        for attempt in range(RETRIES):
            response = await self._http.request(method, path, body, content_type)
            if response.status in absent:
                return None
            if response.status < 400:
                return orjson.loads(response.body)
            if response.status not in (429, 500, 503, 504) or attempt == RETRIES - 1:
                detail = response.body.decode(errors="replace")
                raise kopf.TemporaryError(f"{method} {path} refused ({response.status}): {detail}")
            logger.debug("%s %s answered %s; again in 1 s", method, path, response.status)
            await asyncio.sleep(1)
        return None

    def post_event(self, ref: ObjectRef, type_: str, reason: str, message: str) -> None:
        """Queue an Event; a full queue drops it rather than slow down a run."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"generateName": f"{ref.name}.", "namespace": ref.namespace},
            "involvedObject": {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": ref.kind,
                "namespace": ref.namespace,
                "name": ref.name,
                "uid": ref.uid,
            },
            "type": type_,
            "reason": reason,
            "message": message[:1024],
            "source": {"component": EVENT_SOURCE},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        }
        try:
            self._events.put_nowait(event)
        except asyncio.QueueFull:
            logger.warning("event queue full; dropped %s for %s", reason, ref.name)

    def hold_events_while(self, until_idle: Callable[[], Awaitable[None]]) -> None:
        """Post Events only when `until_idle()` returns (or after HOLD_BACK_LIMIT seconds):
        like status, they wait for due OCS work to be done."""
        self._until_idle = until_idle

    async def _post_events(self) -> None:
        while True:
            event = await self._events.get()
            if self._until_idle is not None:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(HOLD_BACK_LIMIT):
                        await self._until_idle()
            namespace = event["metadata"]["namespace"]
            try:
                await self._request("POST", f"/api/v1/namespaces/{namespace}/events", event)
            except (HttpError, kopf.TemporaryError) as error:
                logger.warning("event not posted: %s", error)
