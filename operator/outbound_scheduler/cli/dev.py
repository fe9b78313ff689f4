"""`outbound-scheduler dev`: the whole product on one machine, until Ctrl-C.

Starts the local control plane, the OCS simulator and the operator; installs
the CRDs and the example Schedules, plus a demo Schedule whose window opens
within the first minute and stays open for two; then waits. On Ctrl-C or
SIGTERM everything it started is stopped, in reverse order.
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


def demo_manifests(now: datetime) -> list[dict[str, Any]]:
    """A Campaign Group and a Schedule whose window opens 40 s from `now`, for 2 minutes."""
    opening = (now + DEMO_LEAD).astimezone(UTC)
    group = {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "CampaignGroup",
        "metadata": {"name": "demo-blast"},
        "spec": {"dbid": 9001, "campaign": "Demo", "group": "Demo Agents", "dialingMode": "Power"},
    }
    schedule = {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "Schedule",
        "metadata": {"name": "demo"},
        "spec": {
            "description": "Demo: opens within a minute of start",
            "daily": {"at": opening.strftime("%H:%M:%S")},
            "end": {"after": "2m"},
            "campaignGroups": [{"name": "demo-blast"}],
        },
    }
    return [group, schedule]


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

            manifests = environment.load_manifests(examples) + demo_manifests(datetime.now(UTC))
            environment.register_groups(ocs_url, manifests, records=2000, dialingRate=5)
            environment.apply_crds(cluster)
            operator = environment.operator(cluster.kubeconfig, ocs_url, log_path=None)
            stack.callback(operator.stop)
            operator.start()
            cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(manifests))
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

Watch the demo Schedule open within a minute, stay Active for two, then go Idle:
  kubectl get schedules -w
  kubectl get campaigngroups
  kubectl describe schedule demo

Logs of the simulator and the control plane: {work_dir}
Press Ctrl-C to stop everything.
""",
        flush=True,
    )
