"""The chart's observability switches: metrics port, Service and ServiceMonitor that find
each other, the readiness probe, the alert rules and the dashboard ConfigMap; off by
default, and accepted by a real API server that serves the Prometheus Operator's CRDs."""

import json
import uuid

import pytest

from outbound_scheduler.settings import Settings
from tests.install.support import CHART, EVERY_SWITCH, container, documents, environment, find
from tests.observability.support import DASHBOARD, OBSERVABILITY

MONITORING_KINDS = {"Service", "ServiceMonitor", "PrometheusRule", "ConfigMap"}


def render(helm, values, *options):
    return documents(helm.template("rel", "ops", values, *options))


def test_everything_is_off_by_default_and_the_metrics_port_is_closed(helm):
    """The defaults render no Service, ServiceMonitor, PrometheusRule or dashboard, and tell
    the operator to serve no metrics port, which its settings read as off."""
    docs = render(helm, None)
    assert MONITORING_KINDS.isdisjoint(d["kind"] for d in docs)
    deployment = find(docs, "Deployment")
    assert environment(deployment)["OUTBOUND_SCHEDULER_METRICS_PORT"] == "0"
    assert [p["name"] for p in container(deployment)["ports"]] == ["liveness"]
    assert "readinessProbe" not in container(deployment)
    assert Settings.model_fields["metrics_port"].default == 8000  # the operator's own default


@pytest.mark.parametrize("values", [OBSERVABILITY, EVERY_SWITCH | OBSERVABILITY],
                         ids=["observability", "all"])  # fmt: skip
def test_helm_lint_passes_with_the_observability_switches(helm, values):
    """helm lint --strict finds nothing with metrics, rules and dashboard on."""
    result = helm.run("lint", "--strict", str(CHART), "--values",
                      str(helm.values_file(values, "lint-observability")))  # fmt: skip
    assert "0 chart(s) failed" in result.stdout
    assert "[WARNING]" not in result.stdout, result.stdout


def test_service_monitor_finds_the_service_that_finds_the_pod(helm):
    """The container serves metrics on metrics.port and says so in its environment; the
    Service selects the pod and targets that port by name; the ServiceMonitor selects the
    Service, scrapes that port's /metrics, keeps the operator's labels and carries the
    labels a Prometheus selects by."""
    docs = render(helm, OBSERVABILITY)
    deployment = find(docs, "Deployment")
    operator = container(deployment)
    port = next(p for p in operator["ports"] if p["name"] == "metrics")
    assert port["containerPort"] == 9100
    assert environment(deployment)["OUTBOUND_SCHEDULER_METRICS_PORT"] == "9100"
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]

    service = find(docs, "Service")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    (service_port,) = service["spec"]["ports"]
    assert (service_port["name"], service_port["targetPort"]) == ("metrics", "metrics")

    monitor = find(docs, "ServiceMonitor")
    selected = monitor["spec"]["selector"]["matchLabels"]
    assert selected.items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["ops"]}
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "metrics"
    assert endpoint["path"] == "/metrics"
    assert endpoint["honorLabels"] is True
    assert monitor["metadata"]["labels"]["release"] == "prometheus"


def test_readiness_probe_asks_the_metrics_port(helm):
    """With metrics on, the kubelet asks /readyz on the metrics port, which the operator
    answers once its start-up is done."""
    operator = container(find(render(helm, OBSERVABILITY), "Deployment"))
    probe = operator["readinessProbe"]["httpGet"]
    assert (probe["path"], probe["port"]) == ("/readyz", "metrics")


def test_dashboard_configmap_carries_the_dashboard_file_for_grafanas_sidecar(helm):
    """The ConfigMap holds dashboards/outbound-scheduler.json unchanged, with the sidecar's
    label, the folder annotation, and the namespace asked for."""
    values = OBSERVABILITY | {"grafanaDashboard": {**OBSERVABILITY["grafanaDashboard"],
                                                   "namespace": "grafana"}}  # fmt: skip
    configmap = find(render(helm, values), "ConfigMap")
    assert configmap["metadata"]["namespace"] == "grafana"
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert configmap["metadata"]["annotations"] == {"grafana_folder": "Outbound"}
    embedded = configmap["data"]["outbound-scheduler.json"]
    assert json.loads(embedded) == json.loads(DASHBOARD.read_text())


def test_prometheus_rule_keeps_prometheus_templates_and_takes_values(helm):
    """Helm leaves the alerts' {{ $labels }} markers for Prometheus; severity, `for` and
    the selector labels come from the values."""
    values = OBSERVABILITY | {"prometheusRule": {**OBSERVABILITY["prometheusRule"],
                                                 "severity": "critical", "for": "2m"}}  # fmt: skip
    rule = find(render(helm, values), "PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == "prometheus"
    rules = [r for group in rule["spec"]["groups"] for r in group["rules"]]
    assert {r["alert"] for r in rules} == {
        "OutboundSchedulerRunsMissed", "OutboundSchedulerRunsFailed",
        "OutboundSchedulerOcsUnreachable",
    }  # fmt: skip
    assert all(r["labels"]["severity"] == "critical" for r in rules)
    assert next(r for r in rules if r["alert"].endswith("Unreachable"))["for"] == "2m"
    for r in rules:
        assert "{{ $labels." in r["annotations"]["summary"], r["annotations"]


def test_every_switch_on_is_accepted_by_the_api_server(cluster, helm, monitoring_crds_installed):
    """helm template with every switch of the chart on (CRDs included), applied with a
    server-side dry run to a control plane serving ServiceMonitor and PrometheusRule:
    the API server validates every object against its schema and admits it."""
    suffix = uuid.uuid4().hex[:6]
    namespace = f"obs-{suffix}"
    cluster.kubectl("create", "namespace", namespace)
    try:
        rendered = helm.template(f"rel-{suffix}", namespace, EVERY_SWITCH | OBSERVABILITY,
                                 "--include-crds")  # fmt: skip
        kinds = {d["kind"] for d in documents(rendered)}
        assert kinds >= MONITORING_KINDS | {"Deployment", "CustomResourceDefinition"}
        result = cluster.kubectl("apply", "--dry-run=server", "--validate=strict", "-f", "-",
                                 input=rendered, check=False)  # fmt: skip
        assert result.returncode == 0, result.stderr
        applied = result.stdout
        fullname = f"rel-{suffix}-outbound-scheduler"
        for expected in (
            f"servicemonitor.monitoring.coreos.com/{fullname} created (server dry run)",
            f"prometheusrule.monitoring.coreos.com/{fullname} created (server dry run)",
            f"service/{fullname}-metrics created (server dry run)",
            f"configmap/{fullname}-dashboard created (server dry run)",
            f"deployment.apps/{fullname} created (server dry run)",
        ):
            assert expected in applied, applied
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
