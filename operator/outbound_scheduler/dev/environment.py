"""The rest of a local environment: the OCS simulator and the operator as processes,
the CRDs, and the Campaign Groups the simulator must know.

`make run` and the e2e tests use these same pieces, so the tests exercise the
product as a user runs it: real processes, talking HTTP on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from outbound_scheduler.dev.kubectl import KubectlClient
from outbound_scheduler.dev.processes import (
    StartError,
    free_ports,
    log_tail,
    spawn,
    terminate,
    wait_until_healthy,
)
from outbound_scheduler.models.crd import all_crds

CLI = [sys.executable, "-m", "outbound_scheduler.cli.main"]


class Child:
    """One of our own commands run as a child process that serves HTTP."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        health_url: str,
        log_path: Path | None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = argv
        self.health_url = health_url
        self.log_path = log_path
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.server_url: str | None = None  # the operator's HTTP server, where it has one

    def start(self, timeout: float = 60.0) -> Child:
        self.process = spawn(self.argv, self.log_path, env=self.env)
        try:
            wait_until_healthy(
                self.name, self.health_url, {self.name: self.process}, time.monotonic() + timeout
            )
        except StartError as error:
            self.stop()
            tail = log_tail(self.log_path) if self.log_path else ""
            raise RuntimeError(f"{error}\n{tail}") from None
        return self

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.name, self.process)
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def simulator(log_path: Path | None) -> tuple[Child, str]:
    """The OCS simulator on a free loopback port, and its base URL."""
    (port,) = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    argv = [*CLI, "ocs-simulator", "--host", "127.0.0.1", "--port", str(port)]
    return Child("ocs-simulator", argv, f"{url}/admin/campaigngroups", log_path), url


def operator(
    kubeconfig: Path,
    ocs_url: str,
    log_path: Path | None,
    env: Mapping[str, str] | None = None,
) -> Child:
    """The operator, as `outbound-scheduler run`, healthy once its start-up is done; its
    HTTP server (metrics, status push) on a free loopback port unless `env` says otherwise."""
    port, metrics = free_ports(2)
    health = f"http://127.0.0.1:{port}/healthz"
    argv = [*CLI, "run", "--ocs", f"default={ocs_url}", "--liveness", health]
    local = {
        "KUBECONFIG": str(kubeconfig),
        "OUTBOUND_SCHEDULER_METRICS_ADDRESS": "127.0.0.1",
        "OUTBOUND_SCHEDULER_METRICS_PORT": str(metrics),
    }
    child = Child("operator", argv, health, log_path, {**local, **(env or {})})
    child.server_url = f"http://127.0.0.1:{child.env['OUTBOUND_SCHEDULER_METRICS_PORT']}"
    return child


def push_status(ocs_url: str, operator: Child, interval: float = 10.0) -> None:
    """Have the simulator push Campaign Group status to the operator, as OCS does with
    send-campaigngroup-states=true, every `interval` seconds and on every change."""
    uri = f"{operator.server_url}/ocs/default/campaigngroup-states"
    admin(ocs_url, "/admin/config", {"statusPushUri": uri, "statusPushInterval": interval})


def apply_crds(cluster: KubectlClient) -> None:
    """Install the CRDs generated from the models and wait until the API serves them."""
    documents = yaml.safe_dump_all(all_crds(), sort_keys=False)
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input=documents)
    names = [f"crd/{crd['metadata']['name']}" for crd in all_crds()]
    cluster.kubectl("wait", "--for", "condition=Established", "--timeout", "60s", *names)

    # Established comes a moment before the storage serves lists (429 until then).
    deadline = time.monotonic() + 60
    for crd in all_crds():
        plural = crd["spec"]["names"]["plural"]
        while cluster.kubectl("get", plural, "--all-namespaces", check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the API server does not serve {plural} after 60 s")
            time.sleep(0.2)


def load_manifests(directory: Path) -> list[dict[str, Any]]:
    documents = []
    for path in sorted(directory.glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def register_groups(ocs_url: str, manifests: Iterable[Mapping[str, Any]], **pace: Any) -> None:
    """Tell the simulator about every CampaignGroup among `manifests`, as OCS would know them."""
    groups = [
        {
            "dbid": doc["spec"]["dbid"],
            "name": doc["metadata"]["name"],
            "campaign": doc["spec"].get("campaign", ""),
            "group": doc["spec"].get("group", ""),
            **pace,
        }
        for doc in manifests
        if doc.get("kind") == "CampaignGroup"
    ]
    admin(ocs_url, "/admin/campaigngroups", groups)


def admin(ocs_url: str, path: str, body: Any) -> None:
    """POST to the simulator's admin API."""
    request = urllib.request.Request(
        f"{ocs_url}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        response.read()
