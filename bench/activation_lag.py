"""Activation lag: scheduled opening → the simulator's receipt of LoadCampaign and StartDialing.

Starts the local control plane, the OCS simulator and the operator as a user
runs them, creates N Schedules whose windows open a few seconds apart, waits
for every StartDialing, and prints min / median / p99 / max in milliseconds,
as a table and as JSON.

    .venv/bin/python bench/activation_lag.py [--schedules 20] [--spacing 0.5]
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from outbound_scheduler.dev import environment
from outbound_scheduler.dev.control_plane import ControlPlane, locate_binaries

FIRST_DBID = 20_000


def manifests(
    count: int, first: datetime, spacing: float
) -> tuple[list[dict], dict[int, datetime]]:
    documents, openings = [], {}
    for index in range(count):
        dbid = FIRST_DBID + index
        opening = first + timedelta(seconds=round(index * spacing))
        openings[dbid] = opening
        documents.append(
            {
                "apiVersion": "outbound.dev/v1alpha1",
                "kind": "CampaignGroup",
                "metadata": {"name": f"lag-{index}", "namespace": "default"},
                "spec": {"dbid": dbid},
            }
        )
        documents.append(
            {
                "apiVersion": "outbound.dev/v1alpha1",
                "kind": "Schedule",
                "metadata": {"name": f"lag-{index}", "namespace": "default"},
                "spec": {
                    "daily": {"at": opening.strftime("%H:%M:%S")},
                    "end": {"after": "1m"},
                    "campaignGroups": [{"name": f"lag-{index}"}],
                },
            }
        )
    return documents, openings


def requests(ocs_url: str) -> list[dict]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{ocs_url}/admin/requests", timeout=30) as response:
        return json.load(response)


def lags_ms(log: list[dict], openings: dict[int, datetime], request: str) -> list[float]:
    firsts: dict[int, datetime] = {}
    for entry in log:
        if entry["req"] == request and entry["campaignGroup"] in openings:
            at = datetime.fromisoformat(entry["receivedAt"].replace("Z", "+00:00"))
            firsts.setdefault(entry["campaignGroup"], at)
    return [(firsts[d] - openings[d]).total_seconds() * 1000 for d in openings if d in firsts]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "count": len(ordered),
        "min": round(ordered[0], 1),
        "median": round(statistics.median(ordered), 1),
        "p99": round(p99, 1),
        "max": round(ordered[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=20)
    parser.add_argument("--spacing", type=float, default=0.5, help="seconds between openings")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="outbound-scheduler-bench-"))
    with ControlPlane(locate_binaries(), work / "k8s") as cluster:
        simulator, ocs_url = environment.simulator(work / "ocs.log")
        simulator.start()
        operator = environment.operator(cluster.kubeconfig, ocs_url, work / "operator.log")
        try:
            environment.apply_crds(cluster)
            operator.start()
            first = (datetime.now(UTC) + timedelta(seconds=15)).replace(microsecond=0)
            documents, openings = manifests(args.schedules, first, args.spacing)
            environment.register_groups(ocs_url, documents)
            cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(documents))
            last = max(openings.values())
            while datetime.now(UTC) < last + timedelta(seconds=10):
                time.sleep(0.5)
            log = requests(ocs_url)
        finally:
            operator.stop()
            simulator.stop()
    result = {
        request: summary(lags_ms(log, openings, request))
        for request in ("LoadCampaign", "StartDialing")
    }
    print(f"{'request':<14} {'n':>5} {'min':>8} {'median':>8} {'p99':>8} {'max':>8}  (ms)")
    for request, row in result.items():
        print(
            f"{request:<14} {row['count']:>5} {row['min']:>8} {row['median']:>8} "
            f"{row['p99']:>8} {row['max']:>8}"
        )
    print(json.dumps({"schedules": args.schedules, "lag_ms": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
