"""`outbound-scheduler dev`: the whole product on one machine, until Ctrl-C.

Starts the local control plane, the OCS simulator (pushing status to the
operator, as OCS does) and the operator; installs the CRDs and the example
Schedules, plus a demo Schedule whose window opens within the first minute:
its first Campaign Group dials until 60 % penetration, and the second, in
sequence, starts when the first gets there, about a minute later. On Ctrl-C
or SIGTERM everything it started is stopped, in reverse order.
"""

import contextlib
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from outbound_scheduler.dev import environment, processes
from outbound_scheduler.dev.control_plane import ControlPlane, locate_binaries

DEMO_LEAD = timedelta(seconds=40)


DEMO_PACE = {"records": 300, "dialingRate": 5}  # 60 % penetration after 36 s of dialing


def demo_manifests(now: datetime) -> list[dict[str, Any]]:
    """Two Campaign Groups in sequence and a Schedule whose window opens 40 s from `now`
    for 5 minutes: demo-blast dials until 60 % penetration, then demo-followup starts."""
    opening = (now + DEMO_LEAD).astimezone(UTC)
    groups = [
        {
            "apiVersion": "outbound.dev/v1alpha1",
            "kind": "CampaignGroup",
            "metadata": {"name": name},
            "spec": {"dbid": dbid, "campaign": "Demo", "group": group, "dialingMode": "Power"},
        }
        for name, dbid, group in [
            ("demo-blast", 9001, "Demo Agents"),
            ("demo-followup", 9002, "Demo Agents Late"),
        ]
    ]
    schedule = {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "Schedule",
        "metadata": {"name": "demo"},
        "spec": {
            "description": "Demo: a sequence within minutes of start",
            "daily": {"at": opening.strftime("%H:%M:%S")},
            "end": {"after": "5m"},
            "campaignGroups": [
                {"name": "demo-blast", "stopWhen": {"penetration": 60}},
                {
                    "name": "demo-followup",
                    "after": {"campaignGroup": "demo-blast", "penetration": 60},
                },
            ],
        },
    }
    return [*groups, schedule]


def raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_dev(examples: Path) -> int:
    signal.signal(signal.SIGTERM, raise_interrupt)
    processes.stop_with_parent(signal.SIGTERM)  # `make run` killed: clean up all the same
    work_dir = Path(tempfile.mkdtemp(prefix="outbound-scheduler-dev-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, work_dir, ignore_errors=True)
        try:
            print("starting the local control plane (etcd + kube-apiserver) ...", flush=True)
            cluster = stack.enter_context(ControlPlane(locate_binaries(), work_dir / "k8s"))
            simulator, ocs_url = environment.simulator(work_dir / "ocs-simulator.log")
            stack.callback(simulator.stop)
            simulator.start()

            examples_manifests = environment.load_manifests(examples)
            demo = demo_manifests(datetime.now(UTC))
            environment.register_groups(ocs_url, examples_manifests, records=2000, dialingRate=5)
            environment.register_groups(ocs_url, demo, **DEMO_PACE)
            manifests = examples_manifests + demo
            environment.apply_crds(cluster)
            # New statistics reach `kubectl get campaigngroups` every 5 s rather than 30 s.
            lively = {"OUTBOUND_SCHEDULER_STATISTICS_SECONDS": "5"}
            operator = environment.operator(cluster.kubeconfig, ocs_url, None, env=lively)
            stack.callback(operator.stop)
            operator.start()
            # Pushed every 2 s (OCS's default is 10): the demo's 60 % is seen within 2 %.
            environment.push_status(ocs_url, operator, interval=2.0)
            # Groups first, so that no Schedule is seen before the groups it names.
            groups = [m for m in manifests if m["kind"] == "CampaignGroup"]
            cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(groups))
            cluster.kubectl("wait", "--for=jsonpath={.status.conditions[0].status}=True",
                            "campaigngroups", "--all", "--timeout=60s")  # fmt: skip
            schedules = [m for m in manifests if m["kind"] != "CampaignGroup"]
            cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(schedules))
            announce(cluster, ocs_url, work_dir)
            while operator.running and simulator.running:
                time.sleep(0.5)
            stopped = operator if not operator.running else simulator
            print(f"{stopped.name} exited; stopping everything", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nstopping ...", flush=True)
            return 0


def announce(cluster: ControlPlane, ocs_url: str, work_dir: Path) -> None:
    print(
        f"""
outbound-scheduler is running. In another terminal:

export KUBECONFIG={cluster.kubeconfig}
export PATH={cluster.bin_dir}:$PATH   # kubectl matching the local API server
OCS simulator: {ocs_url}   (what it received: curl {ocs_url}/admin/requests)

Watch the demo Schedule open within a minute: demo-blast dials until 60 % penetration,
then demo-followup starts in sequence (about a minute later):
  kubectl get schedules -w
  kubectl get campaigngroups -w
  kubectl get schedule demo -o jsonpath='{{.status.history}}'
  kubectl describe schedule demo

Logs of the simulator and the control plane: {work_dir}
Press Ctrl-C to stop everything.
""",
        flush=True,
    )
