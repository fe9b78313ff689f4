"""kubectl and kubeconfigs: what every cluster offers the tests and the `dev` command.

The local control plane and an existing cluster (kind, say) look the same to
their users: a kubeconfig, a kubectl to run against it, and kubeconfigs that
act as a ServiceAccount so that RBAC is enforced by the API server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

BIN_DIR_ENV = "OUTBOUND_SCHEDULER_K8S_BIN"


class KubectlError(subprocess.CalledProcessError):
    """A kubectl call failed; unlike its base class, the message includes kubectl's stderr."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n{(self.stderr or '').strip()}"


class KubectlClient:
    """What every cluster offers the tests and the ``dev`` command: kubectl and kubeconfigs."""

    @property
    def kubeconfig(self) -> Path:
        raise NotImplementedError

    @property
    def kubectl_path(self) -> Path:
        raise NotImplementedError

    def kubectl(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        kubeconfig: Path | None = None,
        timeout: float = 60.0,
    ) -> subprocess.CompletedProcess[str]:
        """Run kubectl against this cluster, as admin unless another ``kubeconfig`` is given."""
        command = [str(self.kubectl_path), "--kubeconfig", str(kubeconfig or self.kubeconfig)]
        command += args
        result = subprocess.run(
            command, input=input, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise KubectlError(result.returncode, command, result.stdout, result.stderr)
        return result

    def service_account_kubeconfig(
        self, namespace: str, name: str, path: Path, *, duration: str | None = None
    ) -> Path:
        """Write a kubeconfig that acts as the ServiceAccount ``namespace/name``; return ``path``.

        The token comes from TokenRequest (``kubectl create token``), so the API server
        authenticates it like a pod's and RBAC applies in full.
        """
        request = ["create", "token", name, "--namespace", namespace]
        if duration:
            request += ["--duration", duration]
        token = self.kubectl(*request).stdout.strip()

        # Self-contained copy of the admin's cluster entry: server and embedded CA.
        view = self.kubectl("config", "view", "--raw", "--minify", "--flatten", "-o", "json")
        cluster = json.loads(view.stdout)["clusters"][0]["cluster"]
        user = f"system:serviceaccount:{namespace}:{name}"
        write_kubeconfig(path, cluster, user=user, token=token, namespace=namespace)
        return path


class ExistingCluster(KubectlClient):
    """A cluster someone else runs (kind, say), reached through its kubeconfig."""

    def __init__(self, kubeconfig: Path, kubectl: Path | None = None) -> None:
        self._kubeconfig = kubeconfig
        self._kubectl = kubectl or default_kubectl()

    @property
    def kubeconfig(self) -> Path:
        return self._kubeconfig

    @property
    def kubectl_path(self) -> Path:
        return self._kubectl

    def stop(self) -> None:
        """Nothing to stop: the cluster is not ours."""


def default_kubectl() -> Path:
    configured = os.environ.get(BIN_DIR_ENV)
    if configured and os.access(Path(configured) / "kubectl", os.X_OK):
        return Path(configured) / "kubectl"
    found = shutil.which("kubectl")
    if found is None:
        raise FileNotFoundError(f"no kubectl on PATH or in ${BIN_DIR_ENV}")
    return Path(found)


def write_kubeconfig(
    path: Path, cluster: dict[str, str], *, user: str, token: str, namespace: str | None = None
) -> None:
    """Write a one-context kubeconfig (as JSON, which is valid YAML) readable only by us."""
    context = {"cluster": "local", "user": user}
    if namespace:
        context["namespace"] = namespace
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "local", "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": "local", "context": context}],
        "current-context": "local",
    }
    write_private(path, json.dumps(config, indent=2) + "\n")


def write_private(path: Path, text: str) -> None:
    """Write a file holding a secret, readable by the owner only from the first byte on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # in case the file existed with a wider mode
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
