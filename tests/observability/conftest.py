"""Fixtures of the observability tests: Helm, the Prometheus Operator's CRDs in the
session's cluster, and Prometheus' tools, each fetched or built before tests are timed."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from outbound_scheduler.dev.kubectl import KubectlClient
from tests.install.support import Helm, helm_path
from tests.observability.support import monitoring_crds, prometheus_tools

NEEDS = {
    "helm": helm_path,
    "monitoring_crds_installed": monitoring_crds,
    "promtool": prometheus_tools,
    "prometheus_binary": prometheus_tools,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Install or build what the collected tests need before pytest-timeout counts: Helm
    takes minutes on a cold cache, Prometheus an apt-get."""
    wanted = {name for item in items for name in getattr(item, "fixturenames", ())}
    for name, prepare in NEEDS.items():
        if name in wanted:
            prepare()


@pytest.fixture(scope="session")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Helm:
    return Helm(helm_path(), tmp_path_factory.mktemp("helm"))


@pytest.fixture(scope="session")
def promtool():
    return prometheus_tools()[1]


@pytest.fixture(scope="session")
def prometheus_binary():
    return prometheus_tools()[0]


@pytest.fixture(scope="session")
def monitoring_crds_installed(cluster: KubectlClient) -> Iterator[None]:
    """ServiceMonitor and PrometheusRule served by the session's cluster, as on one that runs
    the Prometheus Operator. A cluster that already has them keeps its own; ours are applied
    server-side (too big for client-side apply's annotation) and removed afterwards."""
    missing = [path for path in monitoring_crds() if not served(cluster, crd_name(path))]
    args = [arg for path in missing for arg in ("-f", str(path))]
    if missing:
        cluster.kubectl("apply", "--server-side", "--force-conflicts", *args)
        names = [f"crd/{crd_name(path)}" for path in missing]
        cluster.kubectl("wait", "--for", "condition=Established", "--timeout", "60s", *names)
    yield
    if missing:
        cluster.kubectl("delete", "--ignore-not-found", "--wait=false", *args)


def crd_name(path: Path) -> str:
    """monitoring.coreos.com_servicemonitors.yaml → servicemonitors.monitoring.coreos.com"""
    group, plural = path.stem.split("_", 1)
    return f"{plural}.{group}"


def served(cluster: KubectlClient, crd: str) -> bool:
    return cluster.kubectl("get", "crd", crd, check=False).returncode == 0
