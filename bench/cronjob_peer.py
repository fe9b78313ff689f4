"""The peer to beat: kube-controller-manager's CronJob controller on N CronJobs due at once.

Run against the benchmark's own API server with `--controllers=cronjob,job`, first
with its default settings, then with the tuned ones SCALE.md names. The CronJobs
are all due at the same minute (cron's resolution); lag is each Job's
creationTimestamp minus that minute, in whole seconds, as the API server records
it. The Jobs are created suspended: there is no kubelet, and a Job controller busy
failing to create pods would only blur the figure.

A run is armed (controller started, CronJobs created) and collected later, so a
smoke test can do other work while the minute comes.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from subprocess import Popen
from typing import Any

import aiohttp

from bench import objects, report
from bench.kube import CRONJOBS, EVENTS, JOBS, WriteCounter, collection
from bench.stack import Stack
from outbound_scheduler.dev.processes import free_ports

SETTINGS = {
    "default": [],
    "tuned": [
        "--kube-api-qps",
        "2000",
        "--kube-api-burst",
        "4000",
        "--concurrent-cron-job-syncs",
        "50",
    ],
}
# Seconds per CronJob the controller may take before a run is given up (SCALE.md: defaults
# need about 0.12 s each, one Job after another at client QPS 20).
PATIENCE = {"default": 0.2, "tuned": 0.03}


@dataclass
class PeerRun:
    settings: str
    namespace: str
    due: datetime
    cronjobs: int
    process: Popen[bytes]
    counters: dict[str, WriteCounter]

    @property
    def name(self) -> str:
        return f"CronJob peer {self.cronjobs} ({self.settings})"


async def start_controller(stack: Stack, settings: str, tag: str) -> Popen[bytes]:
    """kube-controller-manager running only the CronJob and Job controllers, once healthy."""
    (port,) = free_ports(1)
    cert_dir = stack.work_dir / f"kcm-{tag}"
    argv = [
        str(stack.cluster.bin_dir / "kube-controller-manager"),
        "--kubeconfig", str(stack.cluster.kubeconfig),
        "--controllers=cronjob,job",
        "--leader-elect=false",
        "--bind-address", "127.0.0.1",
        "--secure-port", str(port),
        "--cert-dir", str(cert_dir),
        *SETTINGS[settings],
    ]  # fmt: skip
    process = stack.spawn(f"kube-controller-manager-{tag}", argv)
    deadline = time.monotonic() + 60
    while not await _healthy(f"https://127.0.0.1:{port}/healthz", cert_dir):
        if process.poll() is not None or time.monotonic() > deadline:
            Stack.stop("kube-controller-manager", process)
            raise RuntimeError(f"kube-controller-manager did not start; see {stack.work_dir}")
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # its informers sync just after health answers
    return process


async def _healthy(url: str, cert_dir: Any) -> bool:
    """Probe health over TLS, trusting only the certificate the controller wrote for itself."""
    certificate = cert_dir / "kube-controller-manager.crt"
    if not certificate.is_file():
        return False
    try:
        context = ssl.create_default_context(cafile=str(certificate))
    except ssl.SSLError:  # read while still being written
        return False
    context.check_hostname = False  # issued to "localhost@<time>", reached as 127.0.0.1
    try:
        async with aiohttp.ClientSession() as session, session.get(url, ssl=context) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def arm(stack: Stack, count: int, settings: str, lead: float | None = None) -> PeerRun:
    """Start the controller; create `count` CronJobs due at the first whole minute after `lead`."""
    assert stack.api is not None
    api = stack.api
    namespace = f"peer-{settings}-{count}"
    await api.ensure_namespace(namespace)
    process = await start_controller(stack, settings, f"{settings}-{count}")
    counters = {
        "cronjobs": WriteCounter(api, collection(CRONJOBS, namespace)),
        "events": WriteCounter(api, collection(EVENTS, namespace)),
    }
    await asyncio.gather(*(counter.start() for counter in counters.values()))

    lead = lead if lead is not None else 10 + count * 0.005
    soonest = datetime.now(UTC) + timedelta(seconds=lead)
    due = soonest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    path = collection(CRONJOBS, namespace)
    cronjobs = [objects.cronjob(namespace, f"cj-{i:05d}", due) for i in range(count)]
    await api.create_all(cronjobs, lambda _: path)
    return PeerRun(settings, namespace, due, count, process, counters)


async def collect(stack: Stack, run: PeerRun) -> dict[str, Any]:
    """Wait for a Job per CronJob (or give up), then measure, stop the controller, clean up."""
    assert stack.api is not None
    jobs_path = collection(JOBS, run.namespace)
    deadline = run.due.timestamp() + 60 + run.cronjobs * PATIENCE[run.settings]
    await asyncio.sleep(max(0.0, run.due.timestamp() - time.time()))
    jobs = await stack.api.items(jobs_path, metadata_only=True)
    while len(jobs) < run.cronjobs and time.time() < deadline:
        await asyncio.sleep(2 if run.cronjobs > 1000 else 0.5)
        jobs = await stack.api.items(jobs_path, metadata_only=True)
    Stack.stop("kube-controller-manager", run.process)
    cronjob_writes = run.counters["cronjobs"].by_type["MODIFIED"]
    events = run.counters["events"].by_type["ADDED"]
    await asyncio.gather(*(counter.stop() for counter in run.counters.values()))
    await stack.api.purge(collection(CRONJOBS, run.namespace))
    await stack.api.purge(jobs_path)
    return _figures(run, jobs, cronjob_writes, events)


def _figures(run: PeerRun, jobs: list[dict[str, Any]], writes: int, events: int) -> dict[str, Any]:
    owners = Counter(
        ref["name"] for job in jobs for ref in job["metadata"].get("ownerReferences") or []
    )
    lags = [
        (report.parse_instant(job["metadata"]["creationTimestamp"]) - run.due).total_seconds()
        for job in jobs
    ]
    return {
        "scenario": "peer",
        "name": run.name,
        "settings": run.settings,
        "flags": SETTINGS[run.settings],
        "cronjobs": run.cronjobs,
        "due": run.due.isoformat(),
        "jobs": len(jobs),
        "duplicates": sum(1 for count in owners.values() if count > 1),
        "early": sum(1 for lag in lags if lag < 0),
        "lag_s": report.summary(lags, digits=0),
        "cronjob_status_writes_per_run": round(writes / max(len(jobs), 1), 3),
        "events_per_run": round(events / max(len(jobs), 1), 3),
    }
