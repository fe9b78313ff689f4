"""The Helm chart on its own: it lints, its CRDs are the generated ones, its pod is
hardened, its RBAC is least privilege, and the settings it renders are ones the operator
accepts."""

import os
import re
from urllib.parse import urlsplit

import pytest

from outbound_scheduler.cli.main import parser
from outbound_scheduler.settings import ENV_PREFIX, Settings
from tests.install.support import (
    CHART,
    CRDS,
    EVERY_SWITCH,
    KUSTOMIZE,
    container,
    documents,
    environment,
    find,
    kinds,
)

RESTRICTED = {"namespaceRestricted": {"enabled": True, "watchNamespaces": ["east", "west"]}}
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection", "*"}


def operator_rules(docs):
    """Every rule granted to the operator's ServiceAccount, by ClusterRole or Role."""
    roles = [d for d in docs if d["kind"] in ("ClusterRole", "Role")]
    return [rule for role in roles if not role["metadata"]["name"].endswith(("-viewer", "-editor"))
            for rule in role["rules"]]  # fmt: skip


def granted(rules, group, resource):
    return {v for r in rules if group in r["apiGroups"] and resource in r["resources"]
            for v in r["verbs"]}  # fmt: skip


@pytest.mark.parametrize("values", [{}, EVERY_SWITCH, RESTRICTED], ids=["defaults", "all", "ns"])
def test_helm_lint_passes(helm, values):
    """helm lint --strict finds nothing, with the defaults and with every switch on."""
    args = ["lint", "--strict", str(CHART)]
    if values:
        args += ["--values", str(helm.values_file(values, "lint"))]
    result = helm.run(*args)
    assert "0 chart(s) failed" in result.stdout
    assert "[WARNING]" not in result.stdout
    assert "[ERROR]" not in result.stdout


def test_chart_crds_are_the_generated_ones():
    """The chart's copy of the CRDs equals crds/, byte for byte; `make crds` refreshes both."""
    generated = {path.name: path.read_text() for path in CRDS.glob("*.outbound.dev.yaml")}
    assert generated
    for copy in (CHART / "crds",):
        copied = {path.name: path.read_text() for path in copy.glob("*.yaml")}
        assert copied.keys() == generated.keys(), f"{copy}: run make crds"
        for name, text in generated.items():
            assert copied[name] == text, f"{copy / name} differs from crds/{name}: run make crds"


def test_defaults_render_a_hardened_single_replica_operator(helm):
    """The pod runs non-root with a read-only root, no escalation, no capabilities,
    RuntimeDefault seccomp and resource limits; one replica, replaced, never doubled."""
    docs = documents(helm.template("outbound-scheduler", "outbound-scheduler"))
    assert kinds(docs) == [
        "ClusterRole", "ClusterRole", "ClusterRole", "ClusterRoleBinding", "Deployment",
        "ServiceAccount",
    ]  # fmt: skip
    deployment = find(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    hardened = container(deployment)["securityContext"]
    assert hardened["allowPrivilegeEscalation"] is False
    assert hardened["readOnlyRootFilesystem"] is True
    assert hardened["capabilities"] == {"drop": ["ALL"]}
    assert hardened["seccompProfile"] == {"type": "RuntimeDefault"}
    resources = container(deployment)["resources"]
    assert resources["requests"].keys() == resources["limits"].keys() == {"cpu", "memory"}
    assert pod["serviceAccountName"] == find(docs, "ServiceAccount")["metadata"]["name"]


def test_liveness_probe_asks_the_endpoint_the_operator_serves(helm):
    """The probe's port and path are those of `run --liveness`, and the image's
    `outbound-scheduler run` accepts the chart's arguments."""
    deployment = find(documents(helm.template("rel", "ops", EVERY_SWITCH)), "Deployment")
    operator = container(deployment)
    args = parser().parse_args(["run", *operator["args"]])
    liveness = urlsplit(args.liveness)
    probe = operator["livenessProbe"]["httpGet"]
    port = next(p for p in operator["ports"] if p["name"] == probe["port"])
    assert (liveness.hostname, liveness.port) == ("0.0.0.0", port["containerPort"])
    assert liveness.path == probe["path"] == "/healthz"
    assert args.verbose  # extraArgs follow


def test_rendered_settings_are_accepted_by_the_operator(helm, monkeypatch):
    """Every OUTBOUND_SCHEDULER_* variable the chart sets is a setting, and the values
    parse into what values.yaml said: OCS endpoints, namespaces, calling hours."""
    values = EVERY_SWITCH | RESTRICTED
    deployment = find(documents(helm.template("rel", "ops", values)), "Deployment")
    env = environment(deployment)
    for name in [n for n in env if n.startswith(ENV_PREFIX)]:
        field = name.removeprefix(ENV_PREFIX).lower()
        assert field in Settings.model_fields, f"{name} is no operator setting"
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    settings = Settings()
    assert {name: str(e.url) for name, e in settings.ocs_endpoints.items()} == {
        "default": "http://ocs-east:8090/",
        "west": "http://ocs-west:8090/",
    }
    assert settings.ocs_endpoints["west"].timeout == 2.5
    assert settings.namespaces == ["east", "west"]
    assert (settings.catch_up_seconds, settings.workers, settings.log_format) == (120, 16, "json")
    assert settings.allowed_hours is not None
    secret = container(deployment)["envFrom"]
    assert secret == [{"secretRef": {"name": "ocs-credentials", "optional": True}}]


def test_operator_rules_are_the_least_it_needs(helm):
    """The operator's rules: watch Schedules and CampaignGroups, patch their status and the
    Schedules' finalizers, create Events; no create, update or delete, nothing on Secrets,
    no wildcards."""
    rules = operator_rules(documents(helm.template("rel", "ops", EVERY_SWITCH)))
    assert granted(rules, "outbound.dev", "schedules") == {"list", "watch", "patch"}
    assert granted(rules, "outbound.dev", "campaigngroups") == {"list", "watch"}
    for resource in ("schedules", "campaigngroups"):
        assert granted(rules, "outbound.dev", f"{resource}/status") == {"patch"}
    assert granted(rules, "", "events") == {"create"}
    assert granted(rules, "", "secrets") == set()
    assert granted(rules, "apiextensions.k8s.io", "customresourcedefinitions") == set()
    for rule in rules:
        assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"], rule


def test_namespace_restricted_mode_grants_our_kinds_only_in_those_namespaces(helm):
    """With namespaceRestricted, a Role and RoleBinding in each watched namespace; cluster-wide
    only the people's roles, and no binding for the operator."""
    docs = documents(helm.template("rel", "ops", RESTRICTED))
    cluster_roles = {d["metadata"]["name"] for d in docs if d["kind"] == "ClusterRole"}
    assert cluster_roles == {"rel-outbound-scheduler-viewer", "rel-outbound-scheduler-editor"}
    assert [d for d in docs if d["kind"] == "ClusterRoleBinding"] == []

    roles = {d["metadata"]["namespace"] for d in docs if d["kind"] == "Role"}
    bindings = [d for d in docs if d["kind"] == "RoleBinding"]
    assert roles == {b["metadata"]["namespace"] for b in bindings} == {"east", "west"}
    for binding in bindings:
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": "rel-outbound-scheduler", "namespace": "ops"}
        ]
    assert environment(find(docs, "Deployment"))["OUTBOUND_SCHEDULER_NAMESPACES"] == (
        '["east","west"]'
    )


def test_people_get_viewer_and_editor_roles_without_status_writes(helm):
    """viewer aggregates into view, editor into edit and admin; neither writes status."""
    docs = documents(helm.template("rel", "ops"))
    viewer = find(docs, "ClusterRole", "rel-outbound-scheduler-viewer")
    editor = find(docs, "ClusterRole", "rel-outbound-scheduler-editor")
    assert viewer["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-view"] == "true"
    assert editor["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-edit"] == "true"
    assert granted(viewer["rules"], "outbound.dev", "schedules") == {"get", "list", "watch"}
    assert WRITE_VERBS & granted(editor["rules"], "outbound.dev", "schedules")
    for role in (viewer, editor):
        assert not WRITE_VERBS & granted(role["rules"], "outbound.dev", "schedules/status")


@pytest.mark.parametrize(
    "path",
    [
        CHART / "templates" / "_helpers.tpl",
        CHART / "templates" / "rbac.yaml",
        CHART / "templates" / "user-roles.yaml",
        KUSTOMIZE / "rbac.yaml",
        KUSTOMIZE / "user-roles.yaml",
    ],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_every_rbac_rule_says_why(path):
    """Each rule, active or commented out, follows a comment line saying why it is there."""
    lines = path.read_text().splitlines()
    rules = [n for n, line in enumerate(lines) if re.match(r"\s*(# )?- apiGroups:", line)]
    assert rules, f"no rules in {path}"
    for n in rules:
        if lines[n].lstrip().startswith("# -"):
            continue  # a disabled rule: the comment block above it says why
        assert lines[n - 1].lstrip().startswith("#"), f"{path.name}:{n + 1} has no comment"
