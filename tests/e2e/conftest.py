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
    # OCS is asked about running groups every second, so statistics rules act in seconds,
    # and new statistics reach CampaignGroup status every 2 s.
    paces = {"OUTBOUND_SCHEDULER_POLL_SECONDS": "1", "OUTBOUND_SCHEDULER_STATISTICS_SECONDS": "2"}
    child = environment.operator(cluster.kubeconfig, ocs.url, log, env=paces)
    child.start()
    environment.push_status(ocs.url, child, interval=1.0)
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
