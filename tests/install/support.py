"""What the install tests share: the chart and Kustomize paths, Helm as a subprocess,
rendered manifests as dicts, and Argo CD's health scripts run in Lua 5.1.

Helm is built from pinned Go modules like the control plane (hack/build-control-plane.sh),
once, into the same cache; `helm_path()` finds or builds it.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from outbound_scheduler.dev.kubectl import BIN_DIR_ENV

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "outbound-scheduler"
KUSTOMIZE = ROOT / "manifests" / "install"
CRDS = ROOT / "crds"
ARGOCD_DOC = ROOT / "docs" / "argocd-health.md"

# Values that turn on every switch of the chart's default, cluster-wide mode.
EVERY_SWITCH = {
    "serviceAccount": {"create": True, "annotations": {"example.com/owner": "platform"}},
    "rbac": {"create": True, "userRoles": {"enabled": True}},
    "ocs": {
        "endpoints": {
            "default": {"url": "http://ocs-east:8090", "timeout": 5},
            "west": {"url": "http://ocs-west:8090", "timeout": 2.5},
        },
        "credentialsSecret": "ocs-credentials",
    },
    "settings": {
        "catchUpSeconds": 120,
        "retrySeconds": 5,
        "workers": 16,
        "logFormat": "json",
        "allowedHours": {"from": "08:00", "to": "21:00"},
    },
    "extraArgs": ["--verbose"],
    "podAnnotations": {"example.com/team": "contact-centre"},
    "podLabels": {"example.com/tier": "operators"},
    "imagePullSecrets": [{"name": "registry"}],
    "priorityClassName": "system-cluster-critical",
}


@functools.cache
def helm_path() -> Path:
    """Helm from ``$OUTBOUND_SCHEDULER_K8S_BIN`` if it is there, else from the cached build."""
    configured = os.environ.get(BIN_DIR_ENV)
    if configured and os.access(Path(configured) / "helm", os.X_OK):
        return Path(configured) / "helm"
    # The script's progress goes to stderr, straight to the user; stdout is the directory.
    built = subprocess.run(
        ["bash", str(ROOT / "hack" / "build-control-plane.sh"), "helm"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return Path(built.stdout.strip().splitlines()[-1]) / "helm"


class Helm:
    """The helm CLI with its cache, config and data in a directory of its own."""

    def __init__(self, path: Path, home: Path) -> None:
        self.path = path
        self.home = home
        self.env = {
            **os.environ,
            "HELM_CACHE_HOME": str(home / "cache"),
            "HELM_CONFIG_HOME": str(home / "config"),
            "HELM_DATA_HOME": str(home / "data"),
        }

    def run(
        self, *args: str, kubeconfig: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [str(self.path), *args]
        if kubeconfig is not None:
            command += ["--kubeconfig", str(kubeconfig)]
        result = subprocess.run(
            command, capture_output=True, text=True, env=self.env, timeout=120, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result

    def values_file(self, values: Mapping[str, Any], name: str = "values") -> Path:
        """Write `values` as a values file (JSON is YAML) and return its path."""
        path = self.home / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
        return path

    def template(
        self,
        release: str,
        namespace: str,
        values: Mapping[str, Any] | None = None,
        *options: str,
    ) -> str:
        """The chart rendered as `helm install` would apply it, as YAML text."""
        args = ["template", release, str(CHART), "--namespace", namespace, *options]
        if values:
            args += ["--values", str(self.values_file(values, f"values-{release}"))]
        return self.run(*args).stdout


def documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def find(docs: Iterable[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and name in (None, d["metadata"]["name"])]
    assert len(matches) == 1, f"expected one {kind} {name or ''}, found {len(matches)}"
    return matches[0]


def kinds(docs: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(d["kind"] for d in docs)


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def environment(deployment: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(deployment).get("env", [])}


def argocd_health_scripts() -> dict[str, str]:
    """The Lua scripts of docs/argocd-health.md by kind, taken from its argocd-cm example."""
    text = ARGOCD_DOC.read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(block)["data"]
    prefix = "resource.customizations.health.outbound.dev_"
    return {key.removeprefix(prefix): script for key, script in data.items()}


def argocd_health(kind: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """Run the doc's health script for `kind` on `obj` as Argo CD does: Lua 5.1, no os/io."""
    from lupa import lua51  # imported here: only the tests that run Lua need lupa

    lua = lua51.LuaRuntime(unpack_returned_tuples=True)
    lua.execute("os = nil; io = nil; dofile = nil; loadfile = nil; require = nil")
    lua.globals().obj = lua.table_from(json.loads(json.dumps(obj)), recursive=True)
    result = lua.execute(argocd_health_scripts()[kind])
    return dict(result.items())
