"""The chart and the Kustomize install against a real API server: the server accepts what
they render, Helm installs and uninstalls without taking the CRDs along, and Kustomize
installs what the chart's defaults install."""

import copy
import json
import uuid

import pytest

from tests.install.support import (
    CHART,
    CRDS,
    EVERY_SWITCH,
    KUSTOMIZE,
    documents,
    find,
)

CRD_NAMES = ["campaigngroups.outbound.dev", "schedules.outbound.dev"]
HELM_LABELS = ("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/version")
POD_SECURITY_WARNING = "would violate PodSecurity"


def restricted_namespace(cluster, name):
    """A namespace that warns about any pod breaking the restricted Pod Security Standard."""
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    }
    cluster.kubectl("apply", "-f", "-", input=json.dumps(namespace))


def server_dry_run(cluster, *args, manifests=None):
    """kubectl apply --dry-run=server: the API server validates and admits, stores nothing."""
    result = cluster.kubectl("apply", "--dry-run=server", *args, input=manifests, check=False)
    assert result.returncode == 0, result.stderr
    assert POD_SECURITY_WARNING not in result.stderr, result.stderr
    return result.stdout


@pytest.mark.parametrize("restricted", [False, True], ids=["cluster-wide", "namespace-restricted"])
def test_every_switch_renders_what_the_server_accepts(cluster, helm, restricted):
    """helm template with every switch on (CRDs included), applied with a server-side dry
    run: valid objects, admitted, and a pod the restricted Pod Security Standard allows."""
    suffix = uuid.uuid4().hex[:6]
    home = f"install-{suffix}"
    watched = [f"east-{suffix}", f"west-{suffix}"] if restricted else []
    values = EVERY_SWITCH | {
        "namespaceRestricted": {"enabled": restricted, "watchNamespaces": watched}
    }
    for namespace in [home, *watched]:
        restricted_namespace(cluster, namespace)

    rendered = helm.template(f"rel-{suffix}", home, values, "--include-crds")
    applied = server_dry_run(cluster, "-f", "-", manifests=rendered)
    assert f"deployment.apps/rel-{suffix}-outbound-scheduler created (server dry run)" in applied
    for name in CRD_NAMES:
        assert f"customresourcedefinition.apiextensions.k8s.io/{name}" in applied
    expected = "role.rbac" if restricted else "clusterrole.rbac"
    assert f"{expected}.authorization.k8s.io/rel-{suffix}-outbound-scheduler" in applied


def test_helm_install_then_uninstall_keeps_crds_and_schedules(bare_cluster, helm):
    """helm install (no --wait: nothing runs pods here) creates the CRDs and the operator's
    objects; helm uninstall removes the objects and keeps the CRDs and users' Schedules."""
    cluster = bare_cluster
    namespace = f"helm-{uuid.uuid4().hex[:6]}"
    installed = helm.run(
        "install", "scheduler", str(CHART), "--namespace", namespace, "--create-namespace",
        kubeconfig=cluster.kubeconfig,
    )  # fmt: skip
    assert "STATUS: deployed" in installed.stdout
    assert "kubectl get schedules -w" in installed.stdout  # NOTES.txt
    cluster.kubectl("wait", "--for", "condition=Established", "--timeout", "30s",
                    *[f"crd/{name}" for name in CRD_NAMES])  # fmt: skip
    fullname = "scheduler-outbound-scheduler"
    for kind in ("deployment", "serviceaccount"):
        cluster.kubectl("get", "-n", namespace, kind, fullname)
    for name in (fullname, f"{fullname}-viewer", f"{fullname}-editor"):
        cluster.kubectl("get", "clusterrole", name)
    cluster.kubectl("get", "clusterrolebinding", fullname)

    # A user's object in a CRD Helm installed: uninstalling must not take it away.
    schedule = {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "Schedule",
        "metadata": {"name": "keep-me", "namespace": namespace},
        "spec": {"campaignGroups": [{"name": "cg"}], "daily": {"at": "08:00"},
                 "end": {"after": "1h"}},
    }  # fmt: skip
    cluster.kubectl("create", "-f", "-", input=json.dumps(schedule))

    uninstalled = helm.run("uninstall", "scheduler", "--namespace", namespace,
                           kubeconfig=cluster.kubeconfig)  # fmt: skip
    assert "uninstalled" in uninstalled.stdout
    for name in CRD_NAMES:
        cluster.kubectl("get", "crd", name)
    cluster.kubectl("get", "schedule", "keep-me", "-n", namespace)
    left = cluster.kubectl("get", "deployment,serviceaccount", "-n", namespace,
                           "-l", "app.kubernetes.io/instance=scheduler", "-o", "name")  # fmt: skip
    assert left.stdout.strip() == ""
    gone = cluster.kubectl("get", "clusterrole", fullname, check=False)
    assert gone.returncode != 0
    assert "NotFound" in gone.stderr


def comparable(doc):
    """An object without the labels only Helm adds."""
    doc = copy.deepcopy(doc)
    for meta in (doc["metadata"], doc.get("spec", {}).get("template", {}).get("metadata", {})):
        for label in HELM_LABELS:
            meta.get("labels", {}).pop(label, None)
    return doc


def by_identity(docs):
    return {
        (d["kind"], d["metadata"]["name"]): comparable(d) for d in docs if d["kind"] != "Namespace"
    }


def test_kustomize_installs_what_the_chart_defaults_install(cluster, helm):
    """kubectl kustomize manifests/install renders the same CRDs, ServiceAccount, RBAC rules
    and Deployment (pod, securityContext, env, probe) as the chart's defaults for release
    and namespace outbound-scheduler; the API server accepts it in a dry run."""
    kustomized = documents(cluster.kubectl("kustomize", str(KUSTOMIZE)).stdout)
    charted = documents(helm.template("outbound-scheduler", "outbound-scheduler", None,
                                      "--include-crds"))  # fmt: skip
    from_kustomize, from_chart = by_identity(kustomized), by_identity(charted)
    assert sorted(from_kustomize) == sorted(from_chart)
    for identity, doc in from_chart.items():
        assert from_kustomize[identity] == doc, f"{identity} differs between chart and kustomize"
    assert find(kustomized, "Namespace")["metadata"]["name"] == "outbound-scheduler"
    crds = sorted(name for kind, name in from_kustomize if kind == "CustomResourceDefinition")
    assert crds == sorted(path.stem for path in CRDS.glob("*.outbound.dev.yaml"))

    # The namespace for real, so that the dry run can admit the objects inside it.
    cluster.kubectl("apply", "-f", str(KUSTOMIZE / "namespace.yaml"))
    applied = server_dry_run(cluster, "-k", str(KUSTOMIZE))
    assert "deployment.apps/outbound-scheduler created (server dry run)" in applied
