"""What the observability tests share: the chart's switches for metrics, alerts and the
dashboard; the queries of the dashboard and of the alert rules, with Grafana's variables
filled in and the metric names they read; the Prometheus Operator's CRDs; and a real
Prometheus server (Debian's package) run as a child process on loopback.

Prometheus and promtool are installed by `hack/install-prometheus.sh` and the CRDs fetched
by `hack/monitoring-crds.sh`, both at most once and before any test is timed.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from outbound_scheduler.dev.processes import free_ports, spawn, terminate, wait_until_healthy
from tests.install.support import CHART, ROOT, Helm, documents, find

DASHBOARD = CHART / "dashboards" / "outbound-scheduler.json"

# Every observability switch on, with the labels a Prometheus or Grafana would select by.
OBSERVABILITY = {
    "metrics": {
        "enabled": True,
        "port": 9100,
        "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
    },
    "prometheusRule": {"enabled": True, "labels": {"release": "prometheus"}},
    "grafanaDashboard": {"enabled": True, "annotations": {"grafana_folder": "Outbound"}},
}

# Grafana's variables as a query sees them with "All" chosen; intervals as Grafana would.
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "1h",
    "$job": ".+",
    "$namespace": ".*",
}
PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                   "and", "or", "unless", "offset", "inf", "nan"}  # fmt: skip
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


@functools.cache
def prometheus_tools() -> tuple[Path, Path]:
    """Paths of `prometheus` and `promtool`, installing Debian's package if they are missing."""
    subprocess.run(["bash", str(ROOT / "hack" / "install-prometheus.sh")], check=True)
    found = [shutil.which(name) for name in ("prometheus", "promtool")]
    assert all(found), "hack/install-prometheus.sh left prometheus or promtool off PATH"
    return Path(found[0]), Path(found[1])


@functools.cache
def monitoring_crds() -> list[Path]:
    """The ServiceMonitor and PrometheusRule CRDs of the pinned Prometheus Operator."""
    built = subprocess.run(
        ["bash", str(ROOT / "hack" / "monitoring-crds.sh")],
        stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    directory = Path(built.stdout.strip().splitlines()[-1])
    return sorted(directory.glob("monitoring.coreos.com_*.yaml"))


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def panels(board: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def dashboard_queries(board: Mapping[str, Any]) -> list[str]:
    return [target["expr"] for panel in panels(board) for target in panel.get("targets", [])
            if target.get("expr")]  # fmt: skip


def variable_queries(board: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The query variables' `label_values(selector, label)` as (selector, label)."""
    found = []
    for variable in board["templating"]["list"]:
        if variable["type"] != "query":
            continue
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else ""
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", query)
        assert match, f"variable {variable['name']}: not a label_values() query: {query}"
        found.append((match.group(1), match.group(2)))
    return found


def fill_variables(expr: str) -> str:
    """The query Grafana sends: variables replaced, longest names first."""
    for name in sorted(GRAFANA_VARIABLES, key=len, reverse=True):
        value = GRAFANA_VARIABLES[name]
        expr = expr.replace("${" + name[1:] + "}", value).replace(name, value)
    assert "$" not in expr, f"a variable the tests do not know is left in: {expr}"
    return expr


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (not functions, labels or keywords)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        called = text[match.end() :].lstrip().startswith("(")
        if not called and match.group().lower() not in PROMQL_KEYWORDS:
            names.add(match.group())
    return names


def exported_names(exposition: str) -> set[str]:
    """Every series name a /metrics text offers, a declared family without samples too."""
    names = set()
    for family in text_string_to_metric_families(exposition):
        names |= {family.name} | {sample.name for sample in family.samples}
        if family.type == "counter":
            names.add(f"{family.name}_total")
        if family.type == "histogram":
            names |= {family.name + suffix for suffix in HISTOGRAM_SUFFIXES}
    return names


def rendered_rule(helm: Helm, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The chart's PrometheusRule, rendered with the rules switched on."""
    values = {**OBSERVABILITY, **(values or {})}
    return find(documents(helm.template("rel", "monitoring", values)), "PrometheusRule")


def rule_exprs(spec: Mapping[str, Any]) -> list[str]:
    return [rule["expr"] for group in spec["groups"] for rule in group["rules"]]


class Prometheus:
    """A Prometheus server of our own: loopback port, temporary storage, 1 s scrapes."""

    def __init__(self, binary: Path, work_dir: Path, targets: Iterable[str], rules: Any) -> None:
        self.binary = binary
        self.work_dir = work_dir
        self.rules = rules
        (self.port,) = free_ports(1)
        self.url = f"http://127.0.0.1:{self.port}"
        (work_dir / "rules.yaml").write_text(yaml.safe_dump(rules))
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(work_dir / "rules.yaml")],
            # honor_labels as the chart's ServiceMonitor: the operator's `namespace` wins.
            "scrape_configs": [{"job_name": "outbound-scheduler", "honor_labels": True,
                                "static_configs": [{"targets": list(targets)}]}],
        }  # fmt: skip
        (work_dir / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.process: subprocess.Popen[bytes] | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def start(self, timeout: float = 60.0) -> Prometheus:
        argv = [
            str(self.binary),
            f"--config.file={self.work_dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.work_dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        self.process = spawn(argv, self.work_dir / "prometheus.log")
        deadline = time.monotonic() + timeout
        wait_until_healthy("prometheus", f"{self.url}/-/ready", {"prometheus": self.process},
                           deadline)  # fmt: skip
        return self

    def stop(self) -> None:
        if self.process is not None:
            terminate("prometheus", self.process)
            self.process = None

    def api(self, path: str, **params: Any) -> Any:
        """GET /api/v1/<path>; the `data` of a success, else AssertionError with the error."""
        query = urllib.parse.urlencode(params, doseq=True)
        try:
            with self._opener.open(f"{self.url}/api/v1/{path}?{query}", timeout=10) as answer:
                body = json.loads(answer.read())
        except urllib.error.HTTPError as error:
            body = json.loads(error.read() or b"{}")
        if body.get("status") != "success":
            raise AssertionError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.api("query", query=expr)["result"]

    def value(self, expr: str) -> float:
        """The single value of an instant query that sums to one series; 0 if none."""
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else 0.0
