"""Two operators sharing one API server, each owning its own namespaces: every Schedule is
handled by its shard alone, none twice and none missed; a stopped shard leaves its own
Schedules waiting (the other shard carries on) and catches up when it is back.

The test runs a control plane of its own: the e2e session's operator watches every
namespace and would be a third, unsharded operator."""

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from outbound_scheduler.dev import environment
from outbound_scheduler.dev.control_plane import ControlPlane, locate_binaries
from tests.e2e.support import Namespace, Ocs, campaign_group, opening_in, schedule, wait_for

SHARDS = {"shard-a": ["team-a1", "team-a2"], "shard-b": ["team-b"]}
PER_NAMESPACE = 4


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    with ControlPlane(locate_binaries(), tmp_path_factory.mktemp("k8s")) as started:
        environment.apply_crds(started)
        for namespaces in SHARDS.values():
            for name in namespaces:
                started.kubectl("create", "namespace", name)
        yield started


@pytest.fixture(scope="module")
def ocs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ocs]:
    child, url = environment.simulator(tmp_path_factory.mktemp("ocs") / "ocs-simulator.log")
    child.start()
    yield Ocs(url)
    child.stop()


def shard(plane: ControlPlane, ocs: Ocs, name: str, log_dir: Path) -> environment.Child:
    env = {"OUTBOUND_SCHEDULER_NAMESPACES": json.dumps(SHARDS[name])}
    return environment.operator(plane.kubeconfig, ocs.url, log_dir / f"{name}.log", env=env)


def started_by(operator: environment.Child) -> dict[str, float]:
    """Runs this operator started, by namespace, from its own /metrics."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{operator.server_url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        sample.labels["namespace"]: sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "outbound_scheduler_runs"
        for sample in family.samples
        if sample.name == "outbound_scheduler_runs_total" and sample.labels["outcome"] == "started"
    }


def schedules(plane: ControlPlane, ocs: Ocs, namespace: str, first_dbid: int, opening) -> list:
    """PER_NAMESPACE groups and Schedules in `namespace`, opening at `opening`; their DBIDs."""
    space = Namespace(plane, namespace)
    dbids = list(range(first_dbid, first_dbid + PER_NAMESPACE))
    documents = []
    for dbid in dbids:
        ocs.register(dbid)
        documents += [
            campaign_group(f"cg-{dbid}", dbid),
            schedule(f"s-{dbid}", [f"cg-{dbid}"], daily={"at": opening.strftime("%H:%M:%S")},
                     end={"after": "10m"}),
        ]  # fmt: skip
    space.apply(*documents)
    return dbids


def test_two_shards_each_handle_their_own_namespaces_once(plane, ocs, tmp_path):
    """Schedules in three namespaces, two shards: every group started exactly once, each
    shard's metrics count only its own namespaces. Then shard-b stops: a team-b Schedule
    opening meanwhile is not started (nobody owns it) while team-a's are; shard-b back
    within the catch-up deadline starts it."""
    a, b = (shard(plane, ocs, name, tmp_path).start() for name in SHARDS)
    try:
        opening = opening_in(3)
        groups = {
            namespace: schedules(plane, ocs, namespace, 100 + 10 * index, opening)
            for index, namespace in enumerate(["team-a1", "team-a2", "team-b"])
        }
        every = [dbid for dbids in groups.values() for dbid in dbids]
        wait_for(
            "every group dialing",
            lambda: all(ocs.requests(dbid, "StartDialing") for dbid in every),
            timeout=30,
        )
        assert all(len(ocs.requests(dbid, "LoadCampaign")) == 1 for dbid in every)
        wait_for("shard-a counted", lambda: started_by(a) == {"team-a1": 4, "team-a2": 4})
        wait_for("shard-b counted", lambda: started_by(b) == {"team-b": 4})

        b.stop()
        later = opening_in(3)
        orphans = schedules(plane, ocs, "team-b", 200, later)
        owned = schedules(plane, ocs, "team-a1", 300, later)
        wait_for(
            "team-a's new groups dialing",
            lambda: all(ocs.requests(dbid, "StartDialing") for dbid in owned),
            timeout=30,
        )
        assert all(ocs.requests(dbid, "LoadCampaign") == [] for dbid in orphans)

        b = shard(plane, ocs, "shard-b", tmp_path).start()
        wait_for(
            "team-b's groups started by the returning shard",
            lambda: all(ocs.requests(dbid, "StartDialing") for dbid in orphans),
            timeout=30,
        )
        assert all(len(ocs.requests(dbid, "StartDialing")) == 1 for dbid in orphans + owned)
        wait_for("shard-b counted its catch-up", lambda: started_by(b) == {"team-b": 4})
    finally:
        a.stop()
        b.stop()
