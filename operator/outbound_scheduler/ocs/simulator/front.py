"""The simulator's front door: one port that answers OCS requests itself and passes the rest on.

OCS requests come by the tens of thousands in a burst, and the simulator shares the
machine's cores with the operator it is measuring, so they are parsed with httptools and
answered from a prepared byte string, without a web framework's routing and request
objects. Everything else (the admin API) is passed to the aiohttp application behind,
on a loopback port of its own, and its answer passed back. Answers leave a connection in
the order its requests came, even when one of them is delayed (a latency fault) or
passed on.
"""

from __future__ import annotations

import asyncio
import functools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, cast

import httptools
import orjson

from outbound_scheduler.ocs.http import HttpClient, HttpError

OCS_PATH = b"/campaigngroups/"


@dataclass(slots=True)  # one per request: a frozen one's __init__ costs 6x
class OcsRequest:
    method: str
    dbid: str  # the path's last part, as sent
    req: str | None  # the `req` query parameter
    authorization: str | None
    body: bytes


@dataclass(slots=True)
class Answer:
    """What to send back: a JSON document with its status, or nothing at all (`drop`)."""

    status: int = 200
    document: Any = None
    drop: bool = False


@dataclass(slots=True)  # one per request: a frozen one's __init__ costs 6x
class Handling:
    """How the simulator takes an OCS request: answer now, or after `delay` seconds."""

    delay: float
    answer: Callable[[], Answer]


def encoded(status: int, body: bytes, keep_alive: bool) -> bytes:
    closing = b"" if keep_alive else b"Connection: close\r\n"
    return b"%sContent-Length: %d\r\n%s\r\n%s" % (_head(status), len(body), closing, body)


@functools.lru_cache(maxsize=64)
def _head(status: int) -> bytes:
    """The status line and the content type, the same for every answer with this status."""
    return (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
    ).encode("latin-1")


def json_answer(answer: Answer, keep_alive: bool) -> bytes:
    return encoded(answer.status, orjson.dumps(answer.document), keep_alive)


class Front:
    """Listens on the simulator's port; `receive` takes each OCS request."""

    def __init__(self, receive: Callable[[OcsRequest], Handling], admin_url: str) -> None:
        self.receive = receive
        self._admin = HttpClient(admin_url, timeout=60.0)
        self._server: asyncio.Server | None = None
        self.passing: set[asyncio.Task[None]] = set()  # admin requests on their way

    async def start(self, host: str, port: int) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), host, port, backlog=1024)
        return self._server.sockets[0].getsockname()[:2]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._admin.close()

    async def pass_on(self, method: str, target: str, body: bytes) -> tuple[int, bytes]:
        try:
            answer = await self._admin.request(method, target, body or None)
        except HttpError as error:
            return 502, orjson.dumps({"error": "BadGateway", "message": str(error)})
        return answer.status, answer.body


class _Slot:
    """One request's place in its connection's line of answers."""

    __slots__ = ("close", "data", "done")

    def __init__(self) -> None:
        self.done = False
        self.data: bytes | None = None  # None when done: drop the connection
        self.close = False  # close the connection after this answer


class _Connection(asyncio.Protocol):
    def __init__(self, front: Front) -> None:
        self.front = front
        self.transport: asyncio.Transport | None = None
        self._parser = httptools.HttpRequestParser(self)
        self._url = b""
        self._authorization: str | None = None
        self._body: list[bytes] = []
        self._line: deque[_Slot] = deque()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            slot = self._take_slot()
            document = {"error": "BadRequest", "message": "unreadable HTTP request"}
            self._fill(slot, encoded(400, orjson.dumps(document), False), close=True)

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._url, self._authorization, self._body = b"", None, []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"authorization":
            self._authorization = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        method = self._parser.get_method().decode("latin-1")
        keep_alive = self._parser.should_keep_alive()
        body = b"".join(self._body)
        slot = self._take_slot()
        url = httptools.parse_url(self._url)
        if url.path.startswith(OCS_PATH):
            self._ocs(slot, method, url, body, keep_alive)
        else:
            target = self._url.decode("latin-1")
            task = asyncio.ensure_future(self._pass_on(slot, method, target, body, keep_alive))
            self.front.passing.add(task)
            task.add_done_callback(self.front.passing.discard)

    # answering

    def _ocs(self, slot: _Slot, method: str, url: Any, body: bytes, keep_alive: bool) -> None:
        req = None
        for part in (url.query or b"").split(b"&"):
            name, _, value = part.partition(b"=")
            if name == b"req":
                req = value
        request = OcsRequest(
            method=method,
            dbid=url.path[len(OCS_PATH) :].decode("latin-1"),
            req=req.decode("latin-1") if req is not None else None,
            authorization=self._authorization,
            body=body,
        )
        handling = self.front.receive(request)

        def answer() -> None:
            result = handling.answer()
            data = None if result.drop else json_answer(result, keep_alive)
            self._fill(slot, data, close=not keep_alive)

        if handling.delay > 0:
            asyncio.get_running_loop().call_later(handling.delay, answer)
        else:
            answer()

    async def _pass_on(
        self, slot: _Slot, method: str, target: str, body: bytes, keep_alive: bool
    ) -> None:
        status, answer = await self.front.pass_on(method, target, body)
        self._fill(slot, encoded(status, answer, keep_alive), close=not keep_alive)

    def _take_slot(self) -> _Slot:
        slot = _Slot()
        self._line.append(slot)
        return slot

    def _fill(self, slot: _Slot, data: bytes | None, close: bool = False) -> None:
        slot.done, slot.data, slot.close = True, data, close
        while self._line and self._line[0].done and self.transport is not None:
            ready = self._line.popleft()
            if ready.data is None:  # a dropped answer: the client sees the connection break
                self.transport.abort()
                return
            self.transport.write(ready.data)
            if ready.close:
                self.transport.close()
                return
