"""Run etcd and kube-apiserver on loopback as a real, disposable Kubernetes API.

This is the project's counterpart of controller-runtime's ``envtest``: no kubelet, no
scheduler, just the API server and its store, which is all an operator that runs no
pods needs. RBAC is enforced and TokenRequest works, so tests can act as a
ServiceAccount and be refused like on any cluster. The TLS certificate is the one the
API server signs for itself; clients verify it, nothing skips verification.

The children never outlive this process (see `processes`); they are stopped in
order, API server first, then etcd. Call ``start()`` from a thread that lives as long
as the control plane (the main thread, normally).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from outbound_scheduler.dev.kubectl import (
    BIN_DIR_ENV,
    KubectlClient,
    write_kubeconfig,
    write_private,
)
from outbound_scheduler.dev.processes import (
    StartError,
    free_ports,
    log_tail,
    spawn,
    terminate,
    wait_until_healthy,
)

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

DEFAULT_BINARIES = ("etcd", "kube-apiserver", "kubectl")
SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc"
LOG_TAIL_LINES = 25


class ControlPlaneError(RuntimeError):
    """The control plane could not be located, built or started."""


def locate_binaries(names: Sequence[str] = DEFAULT_BINARIES) -> Path:
    """Return the directory holding ``names``: ``$OUTBOUND_SCHEDULER_K8S_BIN``, else a build.

    The build runs the repository's ``hack/build-control-plane.sh``, which reuses its
    cache (instant when warm, minutes when cold) and so exists only in a checkout.
    """
    configured = os.environ.get(BIN_DIR_ENV)
    if configured:
        return _checked_bin_dir(Path(configured), names, source=f"${BIN_DIR_ENV}")

    script = Path(__file__).resolve().parents[3] / "hack" / "build-control-plane.sh"
    if not script.is_file():
        raise ControlPlaneError(
            f"no Kubernetes binaries: set {BIN_DIR_ENV} to a directory holding "
            f"{', '.join(names)}, or run `make` in an outbound-scheduler checkout"
        )
    logger.info("locating control plane binaries with %s", script)
    # The script's progress goes to stderr, straight to the user; stdout is the directory.
    built = subprocess.run(
        ["bash", str(script), *names], stdout=subprocess.PIPE, text=True, check=False
    )
    if built.returncode != 0:
        raise ControlPlaneError(f"{script} failed with exit code {built.returncode}")
    return _checked_bin_dir(Path(built.stdout.strip().splitlines()[-1]), names, source=str(script))


def _checked_bin_dir(bin_dir: Path, names: Sequence[str], *, source: str) -> Path:
    missing = [name for name in names if not os.access(bin_dir / name, os.X_OK)]
    if missing:
        raise ControlPlaneError(
            f"{source} points at {bin_dir}, which has no executable {', '.join(missing)}"
        )
    return bin_dir


class ControlPlane(KubectlClient):
    """etcd plus kube-apiserver on 127.0.0.1, with an admin kubeconfig; a context manager.

    ``work_dir`` holds etcd's data, the certificates, the credentials and the logs
    (``etcd.log``, ``kube-apiserver.log``). Without one, a temporary directory is
    created and removed again by ``stop()``; a given one is kept.
    """

    def __init__(self, bin_dir: Path, work_dir: Path | None = None) -> None:
        self._bin_dir = bin_dir
        self._given_work_dir = work_dir
        self._work_dir: Path | None = None
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._server: str | None = None
        self._admin_token: str | None = None

    def __enter__(self) -> ControlPlane:
        return self if self.running else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def bin_dir(self) -> Path:
        return self._bin_dir

    @property
    def kubectl_path(self) -> Path:
        return self._bin_dir / "kubectl"

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def work_dir(self) -> Path:
        return self._started(self._work_dir)

    @property
    def server(self) -> str:
        return self._started(self._server)

    @property
    def admin_token(self) -> str:
        return self._started(self._admin_token)

    @property
    def ca_file(self) -> Path:
        return self.work_dir / "certs" / "apiserver.crt"

    @property
    def kubeconfig(self) -> Path:
        return self.work_dir / "kubeconfig"

    @property
    def pids(self) -> dict[str, int]:
        """The process id of each running child, by binary name."""
        return {name: process.pid for name, process in self._processes.items()}

    def _started(self, value: _T | None) -> _T:
        if value is None:
            raise ControlPlaneError("the control plane is not running; call start() first")
        return value

    def start(self, timeout: float = 60.0) -> ControlPlane:
        """Start etcd and kube-apiserver, wait until the API is ready, write the kubeconfig."""
        if self._processes:
            raise ControlPlaneError("the control plane is already started")
        began = time.monotonic()
        deadline = began + timeout
        try:
            work_dir = self._prepare_work_dir()
            etcd_port, peer_port, api_port = free_ports(3)
            etcd_url = f"http://127.0.0.1:{etcd_port}"
            self._spawn("etcd", self._etcd_args(work_dir, etcd_url, peer_port))
            self._wait_until_healthy("etcd", f"{etcd_url}/health", deadline, ca_file=None)

            self._spawn("kube-apiserver", self._apiserver_args(work_dir, etcd_url, api_port))
            server = f"https://127.0.0.1:{api_port}"
            self._wait_until_healthy("kube-apiserver", f"{server}/readyz", deadline, self.ca_file)

            cluster = {"server": server, "certificate-authority": str(self.ca_file)}
            write_kubeconfig(self.kubeconfig, cluster, user="admin", token=self.admin_token)
            self._server = server
        except BaseException:
            # Ctrl-C included: whatever was started so far must not outlive this call.
            self.stop()
            raise
        elapsed = time.monotonic() - began
        logger.info(
            "control plane ready in %.1f s: %s, kubeconfig %s", elapsed, server, self.kubeconfig
        )
        return self

    def stop(self) -> None:
        """Stop kube-apiserver, then etcd, and remove the work dir if it is ours. Idempotent."""
        for name in ("kube-apiserver", "etcd"):
            process = self._processes.pop(name, None)
            if process is not None:
                # Its data is disposable: no need to wait out open watches' grace period.
                terminate(name, process, timeout=5.0)
        if self._work_dir is not None and self._given_work_dir is None:
            shutil.rmtree(self._work_dir, ignore_errors=True)
        if self._work_dir is not None:
            logger.info("control plane stopped")
        self._work_dir = self._server = self._admin_token = None

    def _prepare_work_dir(self) -> Path:
        if self._given_work_dir is None:
            self._work_dir = Path(tempfile.mkdtemp(prefix="outbound-scheduler-k8s-"))
        else:
            self._work_dir = self._given_work_dir
            self._work_dir.mkdir(parents=True, exist_ok=True)

        # A fresh admin token on every start; the service-account key pair is kept in a
        # given work dir, so tokens issued before a restart stay valid.
        self._admin_token = secrets.token_urlsafe(32)
        write_private(
            self._work_dir / "tokens.csv", f"{self._admin_token},admin,admin,system:masters\n"
        )
        _ensure_rsa_key_pair(
            self._work_dir / "service-account.key", self._work_dir / "service-account.pub"
        )
        return self._work_dir

    def _etcd_args(self, work_dir: Path, client_url: str, peer_port: int) -> list[str]:
        peer_url = f"http://127.0.0.1:{peer_port}"
        return [
            "--name", "default",
            "--data-dir", str(work_dir / "etcd"),
            "--listen-client-urls", client_url,
            "--advertise-client-urls", client_url,
            "--listen-peer-urls", peer_url,
            "--initial-advertise-peer-urls", peer_url,
            "--initial-cluster", f"default={peer_url}",
            # Durability is worthless for a disposable store, and fsync is slow.
            "--unsafe-no-fsync",
        ]  # fmt: skip

    def _apiserver_args(self, work_dir: Path, etcd_url: str, port: int) -> list[str]:
        return [
            "--etcd-servers", etcd_url,
            "--bind-address", "127.0.0.1",
            "--secure-port", str(port),
            "--cert-dir", str(work_dir / "certs"),
            "--advertise-address", "127.0.0.1",
            # v1.37 refuses a loopback advertise address with the endpoint reconciler on.
            "--endpoint-reconciler-type", "none",
            "--service-cluster-ip-range", SERVICE_CLUSTER_IP_RANGE,
            "--allow-privileged=true",
            "--authorization-mode", "RBAC",
            "--token-auth-file", str(work_dir / "tokens.csv"),
            "--service-account-issuer", SERVICE_ACCOUNT_ISSUER,
            "--service-account-key-file", str(work_dir / "service-account.pub"),
            "--service-account-signing-key-file", str(work_dir / "service-account.key"),
        ]  # fmt: skip

    def _spawn(self, name: str, args: list[str]) -> None:
        log_path = self.work_dir / f"{name}.log"
        logger.debug("starting %s, logging to %s", name, log_path)
        self._processes[name] = spawn(
            [str(self._bin_dir / name), *args], log_path, cwd=self.work_dir
        )

    def _wait_until_healthy(
        self, name: str, url: str, deadline: float, ca_file: Path | None
    ) -> None:
        """Poll ``url`` until it answers 200; fail early if any child has exited."""
        try:
            wait_until_healthy(
                name, url, self._processes, deadline, ca_file=ca_file, token=self._admin_token
            )
        except StartError as error:
            tail = log_tail(self.work_dir / f"{error.name}.log", LOG_TAIL_LINES)
            raise ControlPlaneError(f"{error}\n{tail}") from None


def _ensure_rsa_key_pair(private_key: Path, public_key: Path) -> None:
    """Create the service-account signing key pair with the openssl CLI, unless present."""
    if private_key.is_file() and public_key.is_file():
        return
    write_private(private_key, "")  # so openssl writes the key into an owner-only file
    for command in (
        ["openssl", "genrsa", "-out", str(private_key), "2048"],
        ["openssl", "rsa", "-in", str(private_key), "-pubout", "-out", str(public_key)],
    ):
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ControlPlaneError(f"{' '.join(command[:2])} failed: {result.stderr.strip()}")
