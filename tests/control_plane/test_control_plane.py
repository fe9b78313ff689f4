"""The local control plane: a verified TLS API with RBAC, started and stopped cleanly."""

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from outbound_scheduler.dev.control_plane import ControlPlane, ControlPlaneError, locate_binaries
from outbound_scheduler.dev.kubectl import BIN_DIR_ENV, ExistingCluster

READER_RBAC = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: configmap-reader, namespace: NS}
rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-reads-configmaps, namespace: NS}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmap-reader}
subjects:
  - {kind: ServiceAccount, name: reader, namespace: NS}
"""


@pytest.fixture(scope="module")
def plane(cluster: ControlPlane | ExistingCluster) -> Iterator[ControlPlane]:
    """The session's control plane, or one of our own when the session uses another cluster."""
    if isinstance(cluster, ControlPlane):
        yield cluster
    else:
        with ControlPlane(locate_binaries()) as own:
            yield own


@pytest.fixture
def namespace(cluster: ControlPlane | ExistingCluster) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    yield name
    # Without a namespace controller it stays Terminating; on a real cluster it goes.
    cluster.kubectl("delete", "namespace", name, "--wait=false")


def processes_mentioning(text: str) -> list[int]:
    """PIDs of live processes whose command line contains ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue  # exited while we looked
    return found


def fake_bin_dir(path: Path, real: Path, kube_apiserver_script: str) -> Path:
    """A bin dir with the real etcd and kubectl but a scripted kube-apiserver."""
    path.mkdir()
    for name in ("etcd", "kubectl"):
        (path / name).symlink_to(real / name)
    apiserver = path / "kube-apiserver"
    apiserver.write_text(f"#!/bin/sh\n{kube_apiserver_script}\n")
    apiserver.chmod(0o755)
    return path


def test_kubectl_lists_namespaces(cluster: ControlPlane | ExistingCluster) -> None:
    """kubectl with the cluster's kubeconfig lists the built-in namespaces."""
    names = cluster.kubectl("get", "namespaces", "-o", "name").stdout.split()

    assert {"namespace/default", "namespace/kube-system"} <= set(names)


def test_server_certificate_is_verified(plane: ControlPlane, tmp_path: Path) -> None:
    """The kubeconfig trusts only the server's own certificate: another CA is refused."""
    config = json.loads(plane.kubeconfig.read_text())
    assert config["clusters"][0]["cluster"] == {
        "server": plane.server,
        "certificate-authority": str(plane.ca_file),
    }

    other_ca = tmp_path / "other-ca.crt"
    openssl_req = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=not-the-apiserver", "-keyout", str(tmp_path / "key.pem"),
        "-out", str(other_ca),
    ]  # fmt: skip
    subprocess.run(openssl_req, check=True, capture_output=True)
    config["clusters"][0]["cluster"]["certificate-authority"] = str(other_ca)
    wrong = tmp_path / "wrong-ca.kubeconfig"
    wrong.write_text(json.dumps(config))

    refused = plane.kubectl("get", "namespaces", kubeconfig=wrong, check=False)

    assert refused.returncode != 0
    assert "certificate signed by unknown authority" in refused.stderr


def test_server_reports_its_version(plane: ControlPlane) -> None:
    """`kubectl version` parses the server's version stamp: v1.37.2."""
    version = json.loads(plane.kubectl("version", "-o", "json").stdout)

    assert version["serverVersion"]["gitVersion"] == "v1.37.2"
    assert version["clientVersion"]["gitVersion"] == "v1.37.2"


def test_service_account_is_held_to_its_role(
    cluster: ControlPlane | ExistingCluster, namespace: str, tmp_path: Path
) -> None:
    """A ServiceAccount allowed get/list on configmaps lists them but may not delete one."""
    cluster.kubectl("apply", "-f", "-", input=READER_RBAC.replace("NS", namespace))
    cluster.kubectl("create", "configmap", "settings", "--namespace", namespace)
    reader = cluster.service_account_kubeconfig(namespace, "reader", tmp_path / "reader")

    listed = cluster.kubectl("get", "configmaps", "-o", "name", kubeconfig=reader)
    refused = cluster.kubectl("delete", "configmap", "settings", kubeconfig=reader, check=False)

    assert "configmap/settings" in listed.stdout.split()
    assert refused.returncode != 0
    assert "forbidden" in refused.stderr
    assert f"system:serviceaccount:{namespace}:reader" in refused.stderr


def test_existing_cluster_is_reached_through_its_kubeconfig(plane: ControlPlane) -> None:
    """ExistingCluster drives any cluster given its kubeconfig and a kubectl."""
    existing = ExistingCluster(plane.kubeconfig, kubectl=plane.bin_dir / "kubectl")

    assert "namespace/default" in existing.kubectl("get", "namespaces", "-o", "name").stdout


def test_stop_leaves_no_process_and_removes_work_dir(plane: ControlPlane) -> None:
    """stop() ends kube-apiserver and etcd and deletes the temporary dir; twice is fine."""
    own = ControlPlane(plane.bin_dir)
    began = time.monotonic()
    own.start()
    started = time.monotonic()
    work_dir, pids = own.work_dir, own.pids
    assert set(pids) == {"etcd", "kube-apiserver"}

    own.stop()
    stopped = time.monotonic()
    own.stop()

    print(f"start {started - began:.1f} s, stop {stopped - started:.1f} s")
    assert not [pid for pid in pids.values() if Path(f"/proc/{pid}").exists()]
    assert not work_dir.exists()
    assert not processes_mentioning(str(work_dir))


@pytest.mark.parametrize(
    ("script", "timeout", "expected"),
    [
        ("echo 'Error: unknown flag: --bogus' >&2; exit 1", 30, "exited with code 1"),
        ("echo 'waiting forever'; exec sleep 600", 3, "not ready in time"),
    ],
    ids=["exits", "never-ready"],
)
def test_failed_start_reports_log_and_leaves_no_process(
    plane: ControlPlane, tmp_path: Path, script: str, timeout: float, expected: str
) -> None:
    """A kube-apiserver that dies or never gets ready fails start() with its log tail, cleanly."""
    bin_dir = fake_bin_dir(tmp_path / "bin", plane.bin_dir, script)
    work_dir = tmp_path / "work"
    failing = ControlPlane(bin_dir, work_dir=work_dir)

    with pytest.raises(ControlPlaneError, match=expected) as raised:
        failing.start(timeout=timeout)

    assert script.split("'")[1] in str(raised.value)
    assert "kube-apiserver.log" in str(raised.value)
    assert not processes_mentioning(str(work_dir))
    assert work_dir.is_dir()  # a given work dir is kept, logs included


def test_locate_binaries_names_the_missing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$OUTBOUND_SCHEDULER_K8S_BIN without kubectl is refused, naming kubectl."""
    for name in ("etcd", "kube-apiserver"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv(BIN_DIR_ENV, str(tmp_path))

    with pytest.raises(ControlPlaneError, match="no executable kubectl"):
        locate_binaries()
