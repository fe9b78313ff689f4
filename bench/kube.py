"""The benchmark's own line to the API server: bulk creation, lists, write counting, purges.

Creation is not what the benchmark measures, so it must not take long: objects are
POSTed straight to the API server with the admin token, many at a time, instead of
one `kubectl` round trip each. Writes are counted from watch streams (every write to
an object is one MODIFIED event), reading only the event type and the object's name
from each line so that counting stays cheap while the operator is being measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import ssl
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aiohttp

OUR_API = "/apis/outbound.dev/v1alpha1"
CONCURRENCY = 32
PURGE_PATIENCE = 600.0  # seconds a deleted collection may take to empty
_TYPE = re.compile(rb'^\{"type":"([A-Z]+)"')
_NAME = re.compile(rb'"name":"([^"]+)"')
_VERSION = re.compile(rb'"resourceVersion":"([0-9]+)"')


def collection(kind_path: str, namespace: str) -> str:
    """`/apis/outbound.dev/v1alpha1` + `schedules` in a namespace → the collection's path."""
    api, plural = kind_path.rsplit("/", 1)
    return f"{api}/namespaces/{namespace}/{plural}"


SCHEDULES = f"{OUR_API}/schedules"
CAMPAIGN_GROUPS = f"{OUR_API}/campaigngroups"
CRONJOBS = "/apis/batch/v1/cronjobs"
JOBS = "/apis/batch/v1/jobs"
EVENTS = "/api/v1/events"


class Api:
    """An admin aiohttp session on one API server; an async context manager."""

    def __init__(self, server: str, token: str, ca_file: Path) -> None:
        self.server = server
        self._token = token
        self._ca_file = ca_file
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Api:
        context = ssl.create_default_context(cafile=str(self._ca_file))
        self._session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {self._token}"},
            connector=aiohttp.TCPConnector(ssl=context, limit=CONCURRENCY * 2),
            timeout=aiohttp.ClientTimeout(total=None, sock_read=None),
            read_bufsize=2**22,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None, "use Api as an async context manager"
        return self._session

    async def call(self, method: str, path: str, body: Any = None, **options: Any) -> Any:
        """One request; the decoded answer, or an error naming what the server said."""
        headers = options.pop("headers", {})
        accepted = options.pop("ok", ())
        if body is not None and method == "PATCH":
            headers.setdefault("Content-Type", "application/merge-patch+json")
        async with self.session.request(
            method, self.server + path, json=body, headers=headers, **options
        ) as response:
            text = await response.text()
            if response.status >= 400 and response.status not in accepted:
                raise RuntimeError(f"{method} {path}: {response.status} {text[:300]}")
            return json.loads(text) if text else None

    async def create_all(self, objects: Iterable[dict[str, Any]], path_of: Any) -> float:
        """POST every object (to `path_of(object)`), many at a time; return the seconds taken."""
        began = time.monotonic()
        pending = list(objects)
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def create(document: dict[str, Any]) -> None:
            async with semaphore:
                await self.call("POST", path_of(document), document)

        await asyncio.gather(*(create(document) for document in pending))
        return time.monotonic() - began

    async def ensure_namespace(self, name: str) -> None:
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        async with self.session.post(f"{self.server}/api/v1/namespaces", json=body) as response:
            if response.status not in (201, 409):
                raise RuntimeError(f"namespace {name}: {response.status} {await response.text()}")

    async def items(self, path: str, *, metadata_only: bool = False) -> list[dict[str, Any]]:
        """Every object of a collection, page by page."""
        headers = {}
        if metadata_only:
            headers["Accept"] = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
        found: list[dict[str, Any]] = []
        token = ""
        while True:
            query = f"?limit=5000&continue={token}" if token else "?limit=5000"
            page = await self.call("GET", path + query, headers=headers)
            found += page.get("items") or []
            token = page["metadata"].get("continue") or ""
            if not token:
                return found

    async def versions(self, path: str) -> dict[str, str]:
        """Each object's resourceVersion by name: what changed between two calls was written."""
        return {
            item["metadata"]["name"]: item["metadata"]["resourceVersion"]
            for item in await self.items(path, metadata_only=True)
        }

    async def purge(self, path: str) -> None:
        """Delete every object of a collection, lifting finalizers first: nothing waits on us."""
        patch = {"metadata": {"finalizers": None}}
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def lift(name: str) -> None:
            async with semaphore:
                await self.call("PATCH", f"{path}/{name}", patch, ok=(404,))

        held = [
            item["metadata"]["name"]
            for item in await self.items(path, metadata_only=True)
            if item["metadata"].get("finalizers")
        ]
        await asyncio.gather(*(lift(name) for name in held))
        # Tens of thousands of objects outlast the server's request time-out (504), and the
        # deletion stops with the request: ask again until the collection is empty.
        deadline = time.monotonic() + PURGE_PATIENCE
        while await self.items(path, metadata_only=True):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path}: objects still there {PURGE_PATIENCE:.0f} s on")
            await self.call("DELETE", path, {"propagationPolicy": "Background"}, ok=(504,))


class WriteCounter:
    """Counts watch events on one collection, from when it starts, by type and by name.

    Read `snapshot()` before and after a phase and subtract: MODIFIED events are writes
    to existing objects (status patches, finalizer patches); ADDED ones are creations.
    """

    def __init__(self, api: Api, path: str, same_if: re.Pattern[bytes] | None = None) -> None:
        self.api = api
        self.path = path
        # With `same_if`, a MODIFIED event whose match equals the object's previous one is
        # counted apart ("MODIFIED_SAME") and does not count as activity for `quiet`.
        self.same_if = same_if
        self._last_match: dict[bytes, bytes] = {}
        self.by_type: Counter[str] = Counter()
        self.modified_by_name: Counter[str] = Counter()
        self.last_event = 0.0  # time.time() of the last event seen
        self._task: asyncio.Task[None] | None = None
        self._started = asyncio.Event()

    async def start(self) -> WriteCounter:
        self._task = asyncio.create_task(self._watch(), name=f"watch {self.path}")
        await self._started.wait()
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def snapshot(self) -> Counter[str]:
        return Counter(self.by_type)

    async def _watch(self) -> None:
        listed = await self.api.call("GET", f"{self.path}?limit=1")
        version = listed["metadata"]["resourceVersion"]
        while True:
            query = f"?watch=1&allowWatchBookmarks=true&resourceVersion={version}"
            url = f"{self.api.server}{self.path}{query}&timeoutSeconds=3600"
            async with self.api.session.get(url) as response:
                if response.status >= 400:
                    raise RuntimeError(f"watch {self.path}: {response.status}")
                self._started.set()
                async for line in response.content:
                    version = self._count(line) or version

    def _count(self, line: bytes) -> str | None:
        """Count one event; return its resourceVersion, to resume the watch from."""
        kind = _TYPE.match(line)
        if kind is None:
            return None
        event = kind.group(1).decode()
        version = _VERSION.search(line)
        if event == "BOOKMARK":
            return version.group(1).decode() if version else None
        name = _NAME.search(line)
        if self.same_if is not None and name is not None:
            found = self.same_if.search(line)
            value = found.group(1) if found else b""
            before = self._last_match.get(name.group(1))
            self._last_match[name.group(1)] = value
            if event == "MODIFIED" and before == value and value:
                self.by_type["MODIFIED_SAME"] += 1
                return version.group(1).decode() if version else None
        self.by_type[event] += 1
        self.last_event = time.time()
        if event == "MODIFIED" and name is not None:
            self.modified_by_name[name.group(1).decode()] += 1
        return version.group(1).decode() if version else None


async def quiet(counters: Iterable[WriteCounter], seconds: float, deadline: float) -> bool:
    """Wait until none of `counters` has seen an event for `seconds`; False at `deadline`."""
    counters = list(counters)
    while time.time() < deadline:
        last = max((counter.last_event for counter in counters), default=0.0)
        if time.time() - last >= seconds:
            return True
        await asyncio.sleep(0.2)
    return False
