"""Fixtures every test folder shares: the Kubernetes cluster that e2e tests talk to.

By default a local control plane (etcd + kube-apiserver on loopback) is started once
per session; ``OUTBOUND_SCHEDULER_KUBECONFIG`` points the tests at an existing cluster
instead, kind for example.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from outbound_scheduler.dev.control_plane import ControlPlane, locate_binaries
from outbound_scheduler.dev.kubectl import ExistingCluster

KUBECONFIG_ENV = "OUTBOUND_SCHEDULER_KUBECONFIG"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Build missing binaries before pytest-timeout starts timing tests: it takes minutes."""
    wanted = any("cluster" in getattr(item, "fixturenames", ()) for item in items)
    if wanted and not os.environ.get(KUBECONFIG_ENV):
        locate_binaries()


@pytest.fixture(scope="session")
def cluster() -> Iterator[ControlPlane | ExistingCluster]:
    """The session's cluster, offering ``kubeconfig`` and ``kubectl(...)``."""
    existing = os.environ.get(KUBECONFIG_ENV)
    if existing:
        yield ExistingCluster(Path(existing))
        return
    with ControlPlane(locate_binaries()) as plane:
        yield plane
