"""A real Prometheus scrapes the real operator: every query of the Grafana dashboard and of
the alert rules runs against it, is valid PromQL, and reads only metrics the operator
exports; the dashboard's panels show data after one run; the rules evaluate cleanly and
stay silent; the operator's logs are JSON when asked.

The operator runs as `outbound-scheduler run` against a control plane of this module's own,
with the OCS simulator, so that it is the only operator acting on its objects whatever the
e2e session's operator does on the session's cluster. Against an existing cluster
(OUTBOUND_SCHEDULER_KUBECONFIG) it watches only its own namespace there instead.
"""

import itertools
import json
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from outbound_scheduler.dev import environment
from outbound_scheduler.dev.control_plane import ControlPlane, locate_binaries
from outbound_scheduler.dev.kubectl import KubectlClient
from outbound_scheduler.dev.processes import free_ports
from tests.conftest import KUBECONFIG_ENV
from tests.e2e.support import Namespace, Ocs, start_a_run, wait_for
from tests.observability.support import (
    Prometheus,
    dashboard,
    dashboard_queries,
    exported_names,
    fill_variables,
    metric_names,
    rendered_rule,
    rule_exprs,
    variable_queries,
)

pytestmark = pytest.mark.e2e

# Dashboard queries that may rightly be empty after one clean run, and why.
MAY_BE_EMPTY = {
    "outbound_scheduler_campaign_group_penetration_percent": "no CampaignGroup status "
    "carries penetration yet",
    'result!="ok"': "the run had no failed OCS request",
}
_dbids = itertools.count(8000)


@dataclass
class Scraped:
    """The operator under test, its metrics endpoint, and where its objects live."""

    namespace: Namespace
    ocs: Ocs
    metrics_url: str
    log: Path

    def exposition(self) -> str:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.metrics_url}/metrics", timeout=10) as answer:
            return answer.read().decode()


@pytest.fixture(scope="module")
def plane(request: pytest.FixtureRequest) -> Iterator[KubectlClient]:
    if os.environ.get(KUBECONFIG_ENV):
        yield request.getfixturevalue("cluster")
        return
    with ControlPlane(locate_binaries()) as own:
        yield own


@pytest.fixture(scope="module")
def scraped(plane: KubectlClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scraped]:
    """The OCS simulator and the operator, with its metrics on a free loopback port and JSON
    logs, started by the same code as `make run`."""
    work = tmp_path_factory.mktemp("observability")
    environment.apply_crds(plane)
    simulator, ocs_url = environment.simulator(work / "ocs-simulator.log")
    simulator.start()
    namespace = Namespace(plane, f"obs-{uuid.uuid4().hex[:6]}")
    plane.kubectl("create", "namespace", namespace.name)
    (port,) = free_ports(1)
    env = {
        "OUTBOUND_SCHEDULER_METRICS_PORT": str(port),
        "OUTBOUND_SCHEDULER_METRICS_ADDRESS": "127.0.0.1",
        "OUTBOUND_SCHEDULER_LOG_FORMAT": "json",
    }
    if os.environ.get(KUBECONFIG_ENV):
        env["OUTBOUND_SCHEDULER_NAMESPACES"] = json.dumps([namespace.name])
    log = work / "operator.log"
    operator = environment.operator(plane.kubeconfig, ocs_url, log, env=env)
    operator.start()
    try:
        yield Scraped(namespace, Ocs(ocs_url), f"http://127.0.0.1:{port}", log)
        # Deleted while the operator runs, so that its finalizer is let go.
        namespace.kubectl("delete", "schedules,campaigngroups", "--all", "--timeout=30s",
                          check=False)  # fmt: skip
    finally:
        operator.stop()
        simulator.stop()
        plane.kubectl("delete", "namespace", namespace.name, "--wait=false", check=False)


@pytest.fixture(scope="module")
def prometheus(scraped, prometheus_binary, helm, tmp_path_factory) -> Iterator[Prometheus]:
    """Prometheus scraping the operator every second and evaluating the chart's rules."""
    rules = rendered_rule(helm)["spec"]
    target = scraped.metrics_url.removeprefix("http://")
    server = Prometheus(prometheus_binary, tmp_path_factory.mktemp("prometheus"), [target], rules)
    server.start()
    yield server
    server.stop()


def one_run(scraped: Scraped, name: str) -> None:
    """A window of a few seconds on a group of its own: started, stopped at its close, Idle."""
    dbid = next(_dbids)
    start_a_run(scraped.namespace, scraped.ocs, dbid, name, "3s", lead=2)
    wait_for("UnloadCampaign at the close",
             lambda: scraped.ocs.requests(dbid, "UnloadCampaign"), timeout=30)  # fmt: skip
    wait_for("Idle after the close",
             lambda: scraped.namespace.status("schedule", name).get("state") == "Idle")  # fmt: skip


def seen_by_prometheus(prometheus: Prometheus, namespace: str, runs: int) -> None:
    """Prometheus has scraped `runs` stopped runs in `namespace`."""
    stopped = f'outbound_scheduler_runs_total{{namespace="{namespace}", outcome="stopped"}}'
    wait_for(f"{runs} stopped run(s) in Prometheus",
             lambda: prometheus.value(f"max_over_time({stopped}[1m])") >= runs)  # fmt: skip


def settled(prometheus: Prometheus) -> None:
    """A few more scrapes taken, and every rule evaluated at least once."""
    since = time.monotonic()
    wait_for("three more scrapes", lambda: time.monotonic() - since > 3.5)

    def evaluated() -> bool:
        rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
        return bool(rules) and all(r["lastEvaluation"].startswith("20") for r in rules)

    wait_for("rules evaluated", evaluated)


def test_every_query_runs_and_reads_only_what_the_operator_exports(scraped, prometheus):
    """After one run scraped by a real Prometheus: each dashboard query and alert expression,
    variables filled as Grafana does, is valid PromQL that names only metrics the operator's
    /metrics offers; every dashboard panel has data except where noted why not; the
    dashboard's variables find the job and the namespace."""
    one_run(scraped, "first")
    seen_by_prometheus(prometheus, scraped.namespace.name, 1)
    settled(prometheus)
    exported = exported_names(scraped.exposition())

    board = dashboard()
    queries = [("dashboard", q) for q in dashboard_queries(board)]
    queries += [("rule", q) for q in rule_exprs(prometheus.rules)]
    empty = []
    for source, expr in queries:
        filled = fill_variables(expr)
        names = metric_names(filled)
        assert names, f"{source} query names no metric: {expr}"
        assert names <= exported, f"{source} query reads {names - exported}, not exported"
        result = prometheus.query(filled)  # raises with Prometheus' words if invalid
        if source == "dashboard" and not result:
            empty.append(expr)
    unexplained = [q for q in empty if not any(key in q for key in MAY_BE_EMPTY)]
    assert not unexplained, f"dashboard panels without data: {unexplained}"

    for selector, label in variable_queries(board):
        assert metric_names(fill_variables(selector)) <= exported
        values = prometheus.api(f"label/{label}/values", **{"match[]": fill_variables(selector)})
        wanted = {"job": "outbound-scheduler", "namespace": scraped.namespace.name}[label]
        assert wanted in values, (label, values)


def test_the_run_shows_in_the_metrics(scraped, prometheus):
    """One more run: Prometheus sees it started and stopped in its namespace, its activation
    lag observed, the OCS requests it took counted ok and timed, the Schedule Idle with its
    next run ahead, and the CampaignGroup in the state OCS left it."""
    namespace = scraped.namespace.name
    selector = f'namespace="{namespace}"'
    stopped_before = prometheus.value(
        f'sum(outbound_scheduler_runs_total{{{selector}, outcome="stopped"}})'
    )
    before = prometheus.value("sum(outbound_scheduler_activation_lag_seconds_count)")
    one_run(scraped, "second")
    seen_by_prometheus(prometheus, namespace, stopped_before + 1)
    settled(prometheus)

    def value(expr):
        return prometheus.value(expr)

    def runs(outcome):
        return value(f'sum(outbound_scheduler_runs_total{{{selector}, outcome=~"{outcome}"}})')

    assert runs("started|adopted") >= 1
    assert runs("stopped") >= 1
    assert runs("failed|missed") == 0
    if not os.environ.get(KUBECONFIG_ENV):  # alone on its objects: every start is its own
        assert value("sum(outbound_scheduler_activation_lag_seconds_count)") > before
    for request in ("GetCampaignStatus", "LoadCampaign", "StartDialing", "StopDialing",
                    "UnloadCampaign"):  # fmt: skip
        ok = f'outbound_scheduler_ocs_requests_total{{request="{request}", result="ok"}}'
        assert value(f"sum({ok})") >= 1, request
        timed = f'outbound_scheduler_ocs_request_duration_seconds_count{{request="{request}"}}'
        assert value(f"sum({timed})") >= 1, request
    assert value(f'outbound_scheduler_schedules{{{selector}, state="Idle"}}') >= 1
    assert value(f"outbound_scheduler_next_run_timestamp_seconds{{{selector}}}") > time.time()
    assert value(f'sum(outbound_scheduler_campaign_groups{{{selector}, state="NotLoaded"}})') >= 1
    assert value('process_resident_memory_bytes{job="outbound-scheduler"}') > 0


def test_rules_evaluate_cleanly_and_stay_silent_when_all_is_well(scraped, prometheus):
    """Prometheus loaded the chart's rules, evaluates each without error on the operator's
    real series, and none is pending or firing after clean runs."""
    settled(prometheus)
    rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
    assert {r["name"] for r in rules} >= {"OutboundSchedulerRunsMissed",
                                          "OutboundSchedulerOcsUnreachable"}  # fmt: skip
    for rule in rules:
        assert (rule["health"], rule.get("lastError", "")) == ("ok", ""), rule
    assert prometheus.api("alerts")["alerts"] == []


def test_readyz_and_json_logs(scraped):
    """The operator answers /readyz once started, and with LOG_FORMAT=json every line it
    logs is a JSON object, the metrics endpoint's announcement among them."""
    probe = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with probe.open(f"{scraped.metrics_url}/readyz", timeout=5) as answer:
        assert answer.status == 200
    lines = [line for line in scraped.log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # each line is one JSON object
    assert all(isinstance(record, dict) for record in records)
    messages = [record.get("message", "") for record in records]
    assert f"metrics endpoint: {scraped.metrics_url}/metrics" in messages, messages[:20]
