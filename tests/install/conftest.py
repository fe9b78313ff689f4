"""Fixtures of the install tests: Helm (built before the tests are timed) and a control
plane of their own for installing the chart into a cluster that has no CRDs yet."""

import os
from collections.abc import Iterator

import pytest

from outbound_scheduler.dev.control_plane import ControlPlane, locate_binaries
from outbound_scheduler.dev.kubectl import KubectlClient
from tests.conftest import KUBECONFIG_ENV
from tests.install.support import Helm, helm_path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Build Helm before pytest-timeout starts timing tests: minutes on a cold cache."""
    if any("helm" in getattr(item, "fixturenames", ()) for item in items):
        helm_path()


@pytest.fixture(scope="session")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Helm:
    return Helm(helm_path(), tmp_path_factory.mktemp("helm"))


@pytest.fixture(scope="module")
def bare_cluster(request: pytest.FixtureRequest) -> Iterator[KubectlClient]:
    """A control plane that has never seen our CRDs, so an install shows what Helm does
    with them. Against an existing cluster (OUTBOUND_SCHEDULER_KUBECONFIG), that one."""
    if os.environ.get(KUBECONFIG_ENV):
        yield request.getfixturevalue("cluster")
        return
    with ControlPlane(locate_binaries()) as plane:
        yield plane
