"""The informer's own course, whatever breaks its stream (the API server itself is in
tests/e2e/test_informer.py): a stream that fails in a way nobody foresaw is watched again
from where it was, not left dead with the operator blind."""

import asyncio
from typing import Any

import pytest

from outbound_scheduler.handlers import informer
from outbound_scheduler.handlers.informer import Informer


def body(name: str, version: str) -> dict[str, Any]:
    metadata = {"namespace": "ns", "name": name, "uid": f"uid-{name}", "resourceVersion": version}
    return {"metadata": metadata}


class BrokenOnce:
    """A listing of one object, then a watch that fails with garbage once and then works."""

    def __init__(self) -> None:
        self.watched_from: list[str] = []

    async def list_pages(self, plural: str, namespace: str | None):
        yield [body("listed", "5")], "5"

    async def watch(self, plural: str, namespace: str | None, version: str):
        self.watched_from.append(version)
        if len(self.watched_from) == 1:
            raise ValueError("an unreadable line in the stream")
        yield {"type": "ADDED", "object": body("created", "6")}
        await asyncio.Event().wait()  # the stream stays open


async def test_a_stream_broken_in_an_unforeseen_way_is_watched_again_from_its_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(informer, "PAUSE", 0.01)
    api, seen, arrived = BrokenOnce(), [], asyncio.Event()

    def handle(type_: str, document: dict[str, Any]) -> None:
        seen.append((type_, document["metadata"]["name"]))
        arrived.set()

    watching = asyncio.create_task(Informer(api, "schedules", None, handle).run())  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(5):
            while ("ADDED", "created") not in seen:
                arrived.clear()
                await arrived.wait()
    finally:
        watching.cancel()
    assert seen == [("ADDED", "listed"), ("ADDED", "created")]
    assert api.watched_from == ["5", "5"]  # not listed again: nothing expired
