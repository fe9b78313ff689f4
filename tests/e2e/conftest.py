"""E2E fixtures: the product as a user runs it, against the session's cluster.

The OCS simulator and the operator run as child processes (`outbound-scheduler
ocs-simulator` and `outbound-scheduler run`), started by the same code as
`make run`. Each test works in a namespace of its own and on Campaign Group
DBIDs of its own, so tests never see each other's objects or requests.
"""

import itertools
import uuid
from collections.abc import Callable, Iterator

import pytest

from outbound_scheduler.dev import environment
from outbound_scheduler.dev.kubectl import KubectlClient
from outbound_scheduler.dev.processes import free_ports
from tests.e2e.support import Namespace, Ocs

_dbids = itertools.count(5000)


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
    # Its metrics on a free loopback port, not on every interface's 8000 (the default).
    (port,) = free_ports(1)
    metrics = {"OUTBOUND_SCHEDULER_METRICS_PORT": str(port),
               "OUTBOUND_SCHEDULER_METRICS_ADDRESS": "127.0.0.1"}  # fmt: skip
    child = environment.operator(cluster.kubeconfig, ocs.url, log, env=metrics)
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
