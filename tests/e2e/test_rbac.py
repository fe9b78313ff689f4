"""The operator under exactly the chart's RBAC: it authenticates as the chart's
ServiceAccount, the API server enforces the chart's rules, and a whole run works —
StartDialing reaches OCS, status and Events are written — while verbs the chart does not
grant are refused.

The session's admin operator is stopped meanwhile, so that only the ServiceAccount's
operator acts, and started again afterwards.
"""

import importlib.util
import json
import re
import uuid
from collections.abc import Iterator

import pytest

from outbound_scheduler.dev import environment
from tests.e2e.support import Namespace, campaign_group, opening_in, schedule, wait_for
from tests.install.support import Helm, argocd_health, documents, find, helm_path

# Built at collection, before pytest-timeout starts counting: minutes on a cold cache.
HELM = helm_path()

# The API server's words when RBAC refuses the ServiceAccount something.
RBAC_DENIAL = re.compile(r'User \\?"system:serviceaccount:[^"\\]+\\?" cannot')


@pytest.fixture(scope="module")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Helm:
    return Helm(HELM, tmp_path_factory.mktemp("helm"))


@pytest.fixture(scope="module")
def admin_operator_stopped(operator: environment.Child) -> Iterator[None]:
    """The session's admin operator, stopped for this module so that it acts on nothing."""
    operator.stop()
    try:
        yield
    finally:
        operator.start()


@pytest.fixture
def own_namespace(cluster, admin_operator_stopped) -> Iterator[Namespace]:
    name = f"e2e-rbac-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", name)
    yield Namespace(cluster, name)
    # No namespace controller runs here: delete our objects, or they would outlive us; the
    # admin operator, back, lets go of any Schedule whose finalizer still holds it.
    cluster.kubectl(
        "delete", "schedules,campaigngroups", "--all", "-n", name, "--wait=false", check=False
    )
    cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)


def can_i(namespace: Namespace, kubeconfig, verb: str, resource: str, *flags: str) -> bool:
    result = namespace.cluster.kubectl(
        "auth", "can-i", verb, resource, *flags, kubeconfig=kubeconfig, check=False
    )
    return result.stdout.strip() == "yes"


def assert_refused(namespace: Namespace, kubeconfig, *args: str) -> None:
    result = namespace.cluster.kubectl(*args, kubeconfig=kubeconfig, check=False)
    assert result.returncode != 0, f"kubectl {' '.join(args)} was allowed"
    assert "Forbidden" in result.stderr, result.stderr


@pytest.mark.parametrize("restricted", [False, True], ids=["cluster-wide", "namespace-restricted"])
def test_operator_runs_under_exactly_the_charts_rbac(
    cluster, own_namespace, ocs, dbid, helm, tmp_path, restricted
):
    """With only the chart's rules, a window's opening starts the group, status and an Event
    are written, the close stops it, a deletion is let go; creating, deleting, updating,
    touching CampaignGroups' metadata and reading Secrets are refused."""
    namespace = own_namespace
    release = f"rbac-{uuid.uuid4().hex[:6]}"
    values = {
        "ocs": {"endpoints": {"default": {"url": ocs.url}}},
        "namespaceRestricted": {"enabled": restricted, "watchNamespaces": [namespace.name]},
    }
    rendered = helm.template(release, namespace.name, values)
    docs = documents(rendered)
    rbac = [d for d in docs if d["kind"] in ("ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                                             "Role", "RoleBinding")]  # fmt: skip
    rbac = [d for d in rbac if not d["metadata"]["name"].endswith(("-viewer", "-editor"))]
    manifests = json.dumps({"apiVersion": "v1", "kind": "List", "items": rbac})
    cluster.kubectl("apply", "-f", "-", input=manifests)
    try:
        # The operator as the chart's Deployment configures it: its ServiceAccount, its env.
        account = find(docs, "ServiceAccount")["metadata"]["name"]
        kubeconfig = cluster.service_account_kubeconfig(
            namespace.name, account, tmp_path / "kubeconfig"
        )
        deployment = find(docs, "Deployment")
        env = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]
               ["containers"][0]["env"]}  # fmt: skip
        log = tmp_path / "operator.log"
        child = environment.operator(kubeconfig, ocs.url, log, env=env)
        child.start()
        try:
            run_one_window(namespace, ocs, dbid())
            # Deleting the Schedule: the operator's finalizer is removed, under the same rules.
            namespace.kubectl("delete", "schedule", "rbac", "--timeout=30s")
        finally:
            child.stop()
        refused_what_the_chart_does_not_grant(namespace, kubeconfig, restricted)
    finally:
        cluster.kubectl("delete", "--ignore-not-found", "-f", "-", input=manifests)

    # Sufficient: nothing the operator or Kopf asked for was refused, not even once.
    text = log.read_text()
    assert not RBAC_DENIAL.search(text), "the API server refused the operator something"
    assert "Not enough permissions" not in text


def operator_events(namespace: Namespace, schedule_name: str) -> list[dict]:
    selector = f"involvedObject.kind=Schedule,involvedObject.name={schedule_name}"
    text = namespace.kubectl("get", "events", "-o", "json", "--field-selector", selector)
    items = json.loads(text)["items"]
    return [e for e in items if e.get("source", {}).get("component") == "outbound-scheduler"]


def run_one_window(namespace: Namespace, ocs, group: int) -> None:
    """One window of one group, from the opening to the close, checked in OCS and the API."""
    ocs.register(group)
    opening = opening_in(3)
    namespace.apply(
        campaign_group("blast", group, dialingMode="Power"),
        schedule(
            "rbac", ["blast"], daily={"at": opening.strftime("%H:%M:%S")}, end={"after": "3s"}
        ),
    )
    wait_for("StartDialing", lambda: ocs.requests(group, "StartDialing"), timeout=20)
    wait_for(
        "Schedule status with the run",
        lambda: namespace.status("schedule", "rbac").get("history"),
    )
    wait_for(
        "CampaignGroup status from OCS",
        lambda: namespace.status("campaigngroup", "blast").get("ocsState"),
    )
    assert wait_for("an Event on the Schedule", lambda: operator_events(namespace, "rbac"))
    wait_for("UnloadCampaign at the close", lambda: ocs.requests(group, "UnloadCampaign"))
    idle = wait_for(
        "Idle after the close",
        lambda: (s := namespace.status("schedule", "rbac")).get("state") == "Idle" and s,
    )
    assert idle["history"][0]["stopReason"] == "WindowClosed"

    # GitOps owns spec: every field the operator's writes own is status or metadata.
    for kind, name in (("schedule", "rbac"), ("campaigngroup", "blast")):
        text = namespace.kubectl("get", kind, name, "-o", "json", "--show-managed-fields")
        managed = json.loads(text)["metadata"]["managedFields"]
        ours = [entry for entry in managed if not entry["manager"].startswith("kubectl")]
        assert ours, f"no field of the {kind} is the operator's"
        for entry in ours:
            assert "f:spec" not in entry.get("fieldsV1", {}), entry

    # Argo CD's health scripts (docs/argocd-health.md) on what the operator really wrote.
    if importlib.util.find_spec("lupa") is not None:
        for kind, name in (("Schedule", "rbac"), ("CampaignGroup", "blast")):
            health = argocd_health(kind, namespace.get(kind.lower(), name))
            assert health["status"] == "Healthy", health


def refused_what_the_chart_does_not_grant(namespace: Namespace, kubeconfig, restricted) -> None:
    """The ServiceAccount may do what the operator needs and is refused the rest."""
    ns = ["-n", namespace.name]
    assert can_i(namespace, kubeconfig, "watch", "schedules.outbound.dev", *ns)
    assert can_i(
        namespace, kubeconfig, "patch", "schedules.outbound.dev", "--subresource=status", *ns
    )
    assert can_i(namespace, kubeconfig, "create", "events", *ns)
    for verb, resource in [
        ("update", "schedules.outbound.dev"),
        ("patch", "campaigngroups.outbound.dev"),
        ("create", "schedules.outbound.dev"),
        ("delete", "schedules.outbound.dev"),
        ("get", "secrets"),
        ("list", "configmaps"),
        ("patch", "events"),
    ]:
        assert not can_i(namespace, kubeconfig, verb, resource, *ns), f"{verb} {resource} allowed"

    # Refused for real, not only in theory: the API server answers 403 Forbidden.
    assert_refused(namespace, kubeconfig, "delete", "schedule", "rbac", *ns)
    assert_refused(namespace, kubeconfig, "get", "secrets", *ns)
    assert_refused(namespace, kubeconfig, "annotate", "campaigngroup", "blast", "x=y", *ns)
    if restricted:
        assert_refused(namespace, kubeconfig, "get", "schedules", "--all-namespaces")
        assert_refused(namespace, kubeconfig, "get", "schedules", "-n", "default")
    else:
        assert can_i(namespace, kubeconfig, "list", "schedules.outbound.dev", "--all-namespaces")
