"""E2E fixtures: the product as a user runs it, against the session's cluster.

The OCS simulator and the operator run as child processes (`outbound-scheduler
ocs-simulator` and `outbound-scheduler run`), started by the same code as
`make run`. Each test works in a namespace of its own and on Campaign Group
DBIDs of its own, so tests never see each other's objects or requests.
"""

import itertools
import json
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outbound_scheduler.dev import environment
from outbound_scheduler.dev.kubectl import KubectlClient

_dbids = itertools.count(5000)


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


class Ocs:
    """The simulator seen from a test: register groups, read what it received."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with self._opener.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def requests(self, dbid: int, *names: str) -> list[dict[str, Any]]:
        """Every OCS request received for `dbid` (of the given names, if any), in order."""
        log = self.call("GET", "/admin/requests")
        return [r for r in log if r["campaignGroup"] == dbid and (not names or r["req"] in names)]

    def register(self, dbid: int, records: int = 1000, dialing_rate: float = 5) -> None:
        """Make the simulator know a Campaign Group, as OCS knows those in its configuration."""
        body = {"dbid": dbid, "name": f"cg-{dbid}", "records": records, "dialingRate": dialing_rate}
        self.call("POST", "/admin/campaigngroups", body)

    def state(self, dbid: int) -> str:
        return self.call("GET", f"/admin/campaigngroups/{dbid}")["state"]


class Namespace:
    """A test's own namespace, with helpers to apply and read our objects in it."""

    def __init__(self, cluster: KubectlClient, name: str) -> None:
        self.cluster = cluster
        self.name = name

    def apply(self, *documents: dict[str, Any]) -> None:
        body = json.dumps({"apiVersion": "v1", "kind": "List", "items": list(documents)})
        self.cluster.kubectl("apply", "-n", self.name, "-f", "-", input=body)

    def kubectl(self, *args: str, check: bool = True) -> str:
        return self.cluster.kubectl("-n", self.name, *args, check=check).stdout

    def get(self, kind: str, name: str) -> dict[str, Any]:
        return json.loads(self.kubectl("get", kind, name, "-o", "json"))

    def status(self, kind: str, name: str) -> dict[str, Any]:
        return self.get(kind, name).get("status") or {}


@pytest.fixture(scope="session")
def crds(cluster: KubectlClient) -> None:
    environment.apply_crds(cluster)


@pytest.fixture(scope="session")
def ocs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ocs]:
    log = tmp_path_factory.mktemp("ocs") / "ocs-simulator.log"
    child, url = environment.simulator(log)
    child.start()
    yield Ocs(url)
    child.stop()


@pytest.fixture(scope="session")
def operator(
    cluster: KubectlClient, crds: None, ocs: Ocs, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[environment.Child]:
    log = tmp_path_factory.mktemp("operator") / "operator.log"
    child = environment.operator(cluster.kubeconfig, ocs.url, log)
    child.start()
    yield child
    child.stop()


@pytest.fixture
def namespace(cluster: KubectlClient, operator: environment.Child) -> Iterator[Namespace]:
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    yield Namespace(cluster, name)
    cluster.kubectl("delete", "namespace", name, "--wait=false")


@pytest.fixture
def dbid() -> Callable[[], int]:
    """Hands out Campaign Group DBIDs no other test uses."""
    return lambda: next(_dbids)


def campaign_group(name: str, dbid: int, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "CampaignGroup",
        "metadata": {"name": name},
        "spec": {"dbid": dbid, "campaign": "E2E", "group": "E2E Agents", **spec},
    }


def schedule(name: str, groups: list[str], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "Schedule",
        "metadata": {"name": name},
        "spec": {"campaignGroups": [{"name": g} for g in groups], **spec},
    }


def opening_in(seconds: float) -> datetime:
    """A whole-second instant `seconds` or a little more from now, in UTC."""
    return (datetime.now(UTC) + timedelta(seconds=seconds + 1)).replace(microsecond=0)


def received_at(request: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(request["receivedAt"].replace("Z", "+00:00"))
