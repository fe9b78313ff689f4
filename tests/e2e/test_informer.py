"""The operator's own list+watch against the real API server: listing in pages, the
changes after it, and listing again when the watch's version has expired, with what
vanished meanwhile handed over as deleted."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import kopf
import pytest

from outbound_scheduler.dev.kubectl import KubectlClient
from outbound_scheduler.handlers.informer import Informer
from outbound_scheduler.handlers.kube import KubeApi
from outbound_scheduler.handlers.operator import connection
from tests.e2e.support import Namespace, campaign_group

pytestmark = pytest.mark.e2e
EXPIRED = "1"  # a resourceVersion far older than any the server still keeps changes after


@pytest.fixture
def space(cluster: KubectlClient, crds: None) -> Iterator[Namespace]:
    name = f"informer-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    yield Namespace(cluster, name)
    cluster.kubectl("delete", "namespace", name, "--wait=false")


@pytest.fixture
async def api(cluster: KubectlClient, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[KubeApi]:
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
    client = KubeApi(connection(kopf.OperatorSettings()))  # the operator's own log-in
    yield client
    await client.close()


class Seen:
    """What the informer handed over, in order, as (type, name, uid, generation)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, int]] = []
        self.arrived = asyncio.Event()

    def __call__(self, type_: str, body: dict[str, Any]) -> None:
        metadata = body["metadata"]
        self.events.append((type_, metadata["name"], metadata["uid"], metadata.get("generation")))
        self.arrived.set()

    async def until(self, done: Callable[[], bool]) -> None:
        async with asyncio.timeout(30):
            while not done():
                self.arrived.clear()
                await self.arrived.wait()

    def names(self, type_: str) -> set[str]:
        return {event[1] for event in self.events if event[0] == type_}


def create(space: Namespace, count: int) -> None:
    space.apply(*(campaign_group(f"group-{n}", 7000 + n) for n in range(count)))


async def test_a_listing_in_pages_reads_every_object_at_one_version(
    space: Namespace, api: KubeApi
) -> None:
    create(space, 7)
    pages = [page async for page in api.list_pages("campaigngroups", space.name, limit=3)]
    assert [len(items) for items, _ in pages] == [3, 3, 1]
    assert len({version for _, version in pages}) == 1
    names = {item["metadata"]["name"] for items, _ in pages for item in items}
    assert names == {f"group-{n}" for n in range(7)}


async def test_changes_after_the_listing_arrive_in_order(space: Namespace, api: KubeApi) -> None:
    create(space, 2)
    seen = Seen()
    informer = Informer(api, "campaigngroups", space.name, seen)
    await informer.list()
    assert seen.names("ADDED") == {"group-0", "group-1"}
    watching = asyncio.create_task(informer.run())
    try:
        space.apply(campaign_group("group-0", 7000, campaign="Renamed"))
        space.kubectl("delete", "campaigngroup", "group-1")
        await seen.until(lambda: "group-1" in seen.names("DELETED"))
    finally:
        watching.cancel()
    # The operator of the e2e session may write status in between: those are MODIFIED too.
    changes = [(kind, name, generation) for kind, name, _, generation in seen.events[2:]]
    assert changes.index(("MODIFIED", "group-0", 2)) < changes.index(("DELETED", "group-1", 1))
    assert changes[-1] == ("DELETED", "group-1", 1)


async def test_an_expired_watch_lists_again_and_hands_over_what_vanished(
    space: Namespace, api: KubeApi
) -> None:
    create(space, 3)
    seen = Seen()
    informer = Informer(api, "campaigngroups", space.name, seen)
    await informer.list()
    first_uid = {event[1]: event[2] for event in seen.events}
    # While the operator was away: one deleted, one deleted and created again, one new.
    space.kubectl("delete", "campaigngroup", "group-1", "group-2")
    create(space, 4)
    space.kubectl("delete", "campaigngroup", "group-3")
    space.apply(campaign_group("group-5", 7005))
    informer._version = EXPIRED  # as after a long absence: the server no longer has it
    watching = asyncio.create_task(informer.run())
    try:
        await seen.until(lambda: len(seen.events) >= 3 + 6)
    finally:
        watching.cancel()
    # The listing again hands over everything present, and what vanished under its old uid;
    # changes watched after it may follow.
    events = seen.events[3 : 3 + 6]
    assert sorted((kind, name) for kind, name, _, _ in events) == [
        ("ADDED", "group-0"),
        ("ADDED", "group-1"),
        ("ADDED", "group-2"),
        ("ADDED", "group-5"),
        ("DELETED", "group-1"),
        ("DELETED", "group-2"),
    ]
    deleted = {name: uid for kind, name, uid, _ in events if kind == "DELETED"}
    assert deleted == {"group-1": first_uid["group-1"], "group-2": first_uid["group-2"]}
    for name in deleted:
        assert [kind for kind, named, _, _ in events if named == name] == ["DELETED", "ADDED"]
    assert informer._version not in (None, EXPIRED)
