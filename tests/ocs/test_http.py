"""The OCS HTTP client against a loopback server that answers exactly as each test scripts."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from outbound_scheduler.ocs.http import HttpClient, HttpError

JSON_OK = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'
)


Answer = Callable[[bytes], bytes | None]


@dataclass
class Script:
    """A server that reads one request at a time and writes what `answer(request)` returns
    (None: stay silent; b"": close the connection; an answer without a length: close after)."""

    answer: Answer
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    url: str = ""

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                answer = self.answer(request)
                if answer == b"":
                    break
                if answer is not None:
                    writer.write(answer)
                    await writer.drain()
                    if not framed(answer):  # its body ends where the connection does
                        break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def framed(answer: bytes) -> bool:
    head = answer.partition(b"\r\n\r\n")[0].lower()
    return b"content-length:" in head or b"transfer-encoding:" in head


async def refused_port() -> int:
    """A loopback port that was free a moment ago: nothing listens there now."""
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    return port


Serve = Callable[[Answer], Awaitable[Script]]


@pytest.fixture
async def server() -> AsyncIterator[Serve]:
    """Start scripted servers on loopback; they stop with the test."""
    started: list[asyncio.Server] = []

    async def serve(answer: Answer) -> Script:
        script = Script(answer)
        listening = await asyncio.start_server(script.serve, "127.0.0.1", 0)
        started.append(listening)
        script.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
        return script

    yield serve
    for listening in started:
        listening.close()


async def test_connections_are_kept_alive_and_reused(server: Serve) -> None:
    """Requests one after another share one connection, and each gets its own answer."""
    script = await server(lambda request: JSON_OK)
    client = HttpClient(script.url, timeout=1.0, headers={"Authorization": "Bearer x"})
    try:
        for _ in range(3):
            answer = await client.request("POST", "/campaigngroups/7?req=LoadCampaign", b"{}")
            assert (answer.status, answer.body) == (200, b'{"ok": true}')
    finally:
        await client.close()
    assert script.connections == 1
    first = script.requests[0].decode()
    assert first.startswith("POST /campaigngroups/7?req=LoadCampaign HTTP/1.1\r\n")
    assert f"Host: {script.url.removeprefix('http://')}\r\n" in first
    assert "Authorization: Bearer x\r\n" in first
    assert first.endswith("Content-Length: 2\r\n\r\n{}")


async def test_concurrent_requests_open_more_connections(server: Serve) -> None:
    """Requests in flight together each get a connection: none waits behind another."""
    script = await server(lambda request: JSON_OK)
    client = HttpClient(script.url, timeout=1.0)
    try:
        answers = await asyncio.gather(*(client.request("GET", "/x") for _ in range(5)))
    finally:
        await client.close()
    assert [a.status for a in answers] == [200] * 5
    assert script.connections == 5


async def test_a_chunked_answer_is_read_whole(server: Serve) -> None:
    chunked = (
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n3\r\n 1}\r\n0\r\n\r\n'
    )
    script = await server(lambda request: chunked)
    client = HttpClient(script.url, timeout=1.0)
    try:
        assert (await client.request("GET", "/x")).body == b'{"a": 1}'
        assert (await client.request("GET", "/x")).body == b'{"a": 1}'
    finally:
        await client.close()
    assert script.connections == 1


async def test_an_answer_that_closes_its_connection_is_not_reused(server: Serve) -> None:
    """`Connection: close`, or a body that runs until the close: the next request reconnects."""
    closing = b"HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    unframed = b'HTTP/1.0 200 OK\r\n\r\n{"b": 2}'
    answers = iter([closing, unframed])
    script = await server(lambda request: next(answers))
    client = HttpClient(script.url, timeout=1.0)
    try:
        assert (await client.request("GET", "/x")).status == 409
        assert (await client.request("GET", "/x")).body == b'{"b": 2}'
    finally:
        await client.close()
    assert script.connections == 2


async def test_a_silent_server_times_out_and_its_late_answer_is_not_read(server: Serve) -> None:
    """A request without an answer in time fails; the connection it waited on is dropped, so a
    late answer cannot pass for the next request's."""
    answers = iter([None, JSON_OK])
    script = await server(lambda request: next(answers, JSON_OK))
    client = HttpClient(script.url, timeout=0.2)
    try:
        with pytest.raises(HttpError, match=r"no answer within 0\.2 s"):
            await client.request("POST", "/campaigngroups/1?req=StartDialing", b"{}")
        assert (await client.request("GET", "/x")).status == 200
    finally:
        await client.close()
    assert script.connections == 2


async def test_garbage_and_refused_connections_are_http_errors(server: Serve) -> None:
    script = await server(lambda request: b"SMTP ready\r\n\r\n")
    client = HttpClient(script.url, timeout=1.0)
    try:
        with pytest.raises(HttpError, match="unreadable answer"):
            await client.request("GET", "/x")
    finally:
        await client.close()
    hung_up = await server(lambda request: b"")
    client = HttpClient(hung_up.url, timeout=1.0)
    try:
        with pytest.raises(HttpError, match="connection closed"):
            await client.request("GET", "/x")
    finally:
        await client.close()


async def test_an_unreachable_ocs_is_an_http_error() -> None:
    port = await refused_port()
    client = HttpClient(f"http://127.0.0.1:{port}", timeout=1.0)
    with pytest.raises(HttpError, match=f"cannot reach 127.0.0.1:{port}"):
        await client.request("GET", "/x")


def test_a_base_url_without_a_host_is_refused() -> None:
    with pytest.raises(ValueError, match="expected http://host"):
        HttpClient("ocs.example:8080", timeout=1.0)


async def test_connections_opened_ahead_serve_a_burst_without_handshakes(server: Serve) -> None:
    """Connections opened ahead of a burst carry it: none is opened at the instant itself."""
    script = await server(lambda request: JSON_OK)
    client = HttpClient(script.url, timeout=1.0)
    try:
        assert await client.connect_ahead(3) == 0
        assert await client.connect_ahead(3) == 0  # already there: nothing more is opened
        answers = await asyncio.gather(*(client.request("GET", "/x") for _ in range(3)))
    finally:
        await client.close()
    assert [a.status for a in answers] == [200] * 3
    assert script.connections == 3


async def test_connecting_ahead_to_an_unreachable_ocs_only_counts_failures() -> None:
    port = await refused_port()
    client = HttpClient(f"http://127.0.0.1:{port}", timeout=1.0)
    assert await client.connect_ahead(2) == 2
