"""A small HTTP/1.1 client for one server: kept-alive connections, nothing else.

At 08:00 sharp thousands of campaign groups start at once, two requests each,
and the operator has one core to send them from. A general client spends
most of a request's time on what OCS never needs (cookies, redirects,
proxies, header multidicts, tracing hooks); here a request is one prepared
byte string written to an idle connection and its answer is read by
httptools' C parser, about a quarter of the CPU per request (see bench/).
The status writes and Events that follow the starts, to the Kubernetes API,
take the same way. Requests whose connection broke or timed out fail with
`HttpError`; the caller decides what to retry.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
import time
from collections import deque
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools

IDLE_SECONDS = 15.0  # a connection idle longer is closed, before OCS closes it under us
SWEEPS = 8  # looks for late answers per time-out: one fails at most 1/8 of it late


class HttpError(Exception):
    """The request got no complete answer: refused, broken, unparsable or too slow."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes


class _Connection(asyncio.Protocol):
    """One connection; at most one request on it at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[Response] | None = None
        self._body: list[bytes] = []
        self._headers_done = False
        self._framed = False  # the answer says where its body ends (length or chunks)
        self._reusable = True

    @property
    def usable(self) -> bool:
        return self._reusable and self.transport is not None and not self.transport.is_closing()

    def send(self, request: bytes, answer: asyncio.Future[Response]) -> None:
        assert self.transport is not None
        self._answer, self._body, self._headers_done, self._framed = answer, [], False, False
        self.transport.write(request)

    def fail(self, error: HttpError) -> None:
        """Give up on the request in flight and on the connection."""
        self._fail(error)
        self.close()

    def close(self) -> None:
        self._reusable = False
        if self.transport is not None:
            self.transport.close()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(HttpError(f"unreadable answer: {error}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport, self._reusable = None, False
        if self._headers_done and not self._framed:  # the body ran until the connection closed
            self._finish()
        self._fail(HttpError(f"connection closed: {exc}" if exc else "connection closed"))

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self._framed = True

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._reusable = self._reusable and self._parser.should_keep_alive()
        self._finish()

    def _finish(self) -> None:
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_result(Response(self._parser.get_status_code(), b"".join(self._body)))

    def _fail(self, error: HttpError) -> None:
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_exception(error)


class HttpClient:
    """Requests to one origin (scheme, host, port) over a pool of kept-alive connections.

    The pool has no size limit of its own: callers bound the requests in flight, and a
    smaller pool would queue starts behind each other."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        headers: dict[str, str] | None = None,
        ssl: ssl_module.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{base_url!r}: expected http://host[:port] or https://host[:port]")
        secure = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if secure else 80)
        self._prefix = parts.path.rstrip("/")
        self._ssl = (ssl or ssl_module.create_default_context()) if secure else None
        self._timeout = timeout
        host = f"[{self._host}]" if ":" in self._host else self._host
        lines = [f"Host: {host}:{self._port}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
        self._head = "".join(f"{line}\r\n" for line in lines).encode("latin-1")
        self._idle: deque[_Connection] = deque()  # most recently used on the right
        self._waiting: dict[_Connection, float] = {}  # in flight → when its answer is late
        self._sweeper: asyncio.TimerHandle | None = None
        self._closed = False

    async def request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        content_type: bytes = b"application/json",
    ) -> Response:
        """Send one request (`target`: path and query under the base URL) and read its answer;
        a `body` goes with its type and length."""
        start = f"{method} {self._prefix}{target} HTTP/1.1\r\n".encode("latin-1")
        if body is None:
            message = start + self._head + b"\r\n"
        else:
            length = b"Content-Type: %s\r\nContent-Length: %d\r\n\r\n" % (content_type, len(body))
            message = start + self._head + length + body
        try:
            connection = await self._connection()
        except TimeoutError:
            raise HttpError(f"no answer within {self._timeout:g} s") from None
        except OSError as error:
            raise HttpError(f"cannot reach {self._host}:{self._port}: {error}") from error
        answer = asyncio.get_running_loop().create_future()
        connection.send(message, answer)
        self._watch(connection)
        try:
            response = await answer
        except HttpError:
            connection.close()  # a late answer would be read as the next request's
            raise
        finally:
            self._waiting.pop(connection, None)
        self._release(connection)
        return response

    def _watch(self, connection: _Connection) -> None:
        """Fail the request on `connection` if no answer comes in time. One timer sweeps all
        requests in flight, a few times per time-out: cheaper than a timer per request."""
        self._waiting[connection] = time.monotonic() + self._timeout
        if self._sweeper is None:
            loop = asyncio.get_running_loop()
            self._sweeper = loop.call_later(self._timeout / SWEEPS, self._sweep)

    def _sweep(self) -> None:
        now, self._sweeper = time.monotonic(), None
        late = [connection for connection, due in self._waiting.items() if due <= now]
        for connection in late:
            del self._waiting[connection]
            connection.fail(HttpError(f"no answer within {self._timeout:g} s"))
        if self._waiting:
            loop = asyncio.get_running_loop()
            self._sweeper = loop.call_later(self._timeout / SWEEPS, self._sweep)

    async def connect_ahead(self, count: int) -> int:
        """Open connections until `count` are idle, so that as many requests sent at once
        need no handshake first; the number that could not be opened."""
        missing = count - sum(1 for connection in self._idle if connection.usable)
        if missing <= 0:
            return 0
        loop = asyncio.get_running_loop()
        opened = await asyncio.gather(
            *(
                loop.create_connection(_Connection, self._host, self._port, ssl=self._ssl)
                for _ in range(missing)
            ),
            return_exceptions=True,
        )
        failed = 0
        for result in opened:
            if isinstance(result, BaseException):
                failed += 1
            else:
                self._release(result[1])
        return failed

    async def _connection(self) -> _Connection:
        """An idle kept-alive connection, or a new one."""
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.usable and now - connection.idle_since < IDLE_SECONDS:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        _, connection = await asyncio.wait_for(
            loop.create_connection(_Connection, self._host, self._port, ssl=self._ssl),
            self._timeout,
        )
        return connection

    def _release(self, connection: _Connection) -> None:
        if not connection.usable or self._closed:
            connection.close()
            return
        connection.idle_since = now = time.monotonic()
        self._idle.append(connection)
        while now - self._idle[0].idle_since >= IDLE_SECONDS:  # left behind since a burst
            self._idle.popleft().close()

    async def close(self) -> None:
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for connection in list(self._waiting):
            connection.fail(HttpError("the client was closed"))
        while self._idle:
            self._idle.pop().close()
