"""What the benchmark runs: control plane, OCS simulator and operator, as a user runs them.

All are child processes started by the project's own `dev` code and stopped with
the benchmark (they die with it even on `kill -9`). The operator is started afresh
for each scenario, so each one measures a process that has seen only its own
objects; its CPU time and memory are read from /proc, as `top` would.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.kube import Api
from outbound_scheduler.dev import environment
from outbound_scheduler.dev.control_plane import ControlPlane, locate_binaries
from outbound_scheduler.dev.kubectl import BIN_DIR_ENV
from outbound_scheduler.dev.processes import spawn, terminate

BINARIES = ("etcd", "kube-apiserver", "kubectl", "kube-controller-manager")
TICKS = os.sysconf("SC_CLK_TCK")


def binaries() -> Path:
    """The control plane's binaries plus kube-controller-manager, built into the cache if absent.

    `$OUTBOUND_SCHEDULER_K8S_BIN` usually names the cache the build script fills, so a
    missing kube-controller-manager is built there and the variable is left alone.
    """
    configured = os.environ.get(BIN_DIR_ENV)
    if configured and all(os.access(Path(configured) / name, os.X_OK) for name in BINARIES):
        return Path(configured)
    saved = os.environ.pop(BIN_DIR_ENV, None)
    try:
        return locate_binaries(BINARIES)
    finally:
        if saved is not None:
            os.environ[BIN_DIR_ENV] = saved


class ProcessProbe:
    """CPU time and memory of one process, from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime

    def memory_mb(self) -> dict[str, float]:
        """Resident memory now (VmRSS) and its peak (VmHWM), in MB."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
        return {"rss_mb": values.get("VmRSS", 0.0), "peak_rss_mb": values.get("VmHWM", 0.0)}

    async def cpu_percent(self, seconds: float) -> float:
        """Average CPU use over the next `seconds`, in % of one core."""
        before, began = self.cpu_seconds(), time.monotonic()
        await asyncio.sleep(seconds)
        return round(100 * (self.cpu_seconds() - before) / (time.monotonic() - began), 2)


class Ocs:
    """The simulator's admin API: groups, timings, the request log."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.session = session
        self._seen = 0

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, self.url + path, json=body) as response:
            response.raise_for_status()
            return await response.json()

    async def register(self, dbids: list[int]) -> None:
        """Make the simulator know these Campaign Groups, as OCS knows its configuration."""
        for first in range(0, len(dbids), 5000):
            chunk = dbids[first : first + 5000]
            await self.call("POST", "/admin/campaigngroups", [{"dbid": d} for d in chunk])

    async def configure(self, **config: float) -> None:
        await self.call("POST", "/admin/config", config)

    async def clear(self) -> None:
        """Empty the request log, so that a long run does not carry every earlier request."""
        await self.call("DELETE", "/admin/requests")
        self._seen = 0

    async def new_requests(self) -> list[dict[str, Any]]:
        """The requests received since the last call (the log is only ever appended to)."""
        fresh = await self.call("GET", f"/admin/requests?since={self._seen}")
        self._seen += len(fresh)
        return fresh


class Stack:
    """The control plane, the simulator and (per scenario) the operator, for one benchmark run."""

    def __init__(
        self, work_dir: Path, operator_env: dict[str, str] | None = None, profile: bool = False
    ) -> None:
        self.work_dir = work_dir
        self.operator_env = operator_env or {}
        self.profile = profile  # record the operator with py-spy while a scenario is measured
        self.cluster = ControlPlane(binaries(), work_dir / "k8s")
        self.simulator: environment.Child | None = None
        self.operator: environment.Child | None = None
        self.api: Api | None = None
        self.ocs: Ocs | None = None
        self._http: aiohttp.ClientSession | None = None
        self._operators = 0
        self.litter: list[str] = []  # collections a measured scenario left to delete

    async def sweep(self) -> None:
        """Delete what the scenarios measured so far left behind."""
        assert self.api is not None
        while self.litter:
            await self.api.purge(self.litter.pop(0))

    async def __aenter__(self) -> Stack:
        try:
            self.cluster.start()
            environment.apply_crds(self.cluster)
            self.simulator, url = environment.simulator(self.work_dir / "ocs-simulator.log")
            self.simulator.start()
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
            self.ocs = Ocs(url, self._http)
            cluster = self.cluster
            self.api = await Api(cluster.server, cluster.admin_token, cluster.ca_file).__aenter__()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop_operator()
        if self.api is not None:
            await self.api.__aexit__()
        if self._http is not None:
            await self._http.close()
        if self.simulator is not None:
            self.simulator.stop()
        self.cluster.stop()

    async def start_operator(self, within: float = 120.0) -> ProcessProbe:
        """Start the operator as `outbound-scheduler run` does; return once it answers health."""
        assert self.ocs is not None
        self._operators += 1
        log = self.work_dir / f"operator-{self._operators}.log"
        child = environment.operator(self.cluster.kubeconfig, self.ocs.url, log, self.operator_env)
        child.process = spawn(child.argv, child.log_path, env=child.env)
        self.operator = child
        deadline = time.monotonic() + within
        while not await self._healthy(child.health_url):
            if child.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the operator did not start; see {log}")
            await asyncio.sleep(0.05)
        return ProcessProbe(child.process.pid)

    async def _healthy(self, url: str) -> bool:
        assert self._http is not None
        try:
            async with self._http.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time so far of each process in the run, the benchmark itself included."""
        pids = {**self.cluster.pids, "benchmark": os.getpid()}
        for name, child in (("ocs-simulator", self.simulator), ("operator", self.operator)):
            if child is not None and child.process is not None:
                pids[name] = child.process.pid
        return {name: ProcessProbe(pid).cpu_seconds() for name, pid in pids.items()}

    def stop_operator(self) -> None:
        if self.operator is not None:
            self.operator.stop()
            self.operator = None

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        """Another child of ours (kube-controller-manager, the load generator), logged to a file."""
        return spawn(argv, self.work_dir / f"{name}.log")

    @staticmethod
    def stop(name: str, process: subprocess.Popen[bytes]) -> None:
        terminate(name, process, timeout=10.0)

    def start_profile(self, name: str) -> subprocess.Popen[bytes] | None:
        """With `profile`, sample the operator's stacks into `<name>.py-spy.txt` (collapsed)."""
        if not self.profile or self.operator is None or self.operator.process is None:
            return None
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        output = self.work_dir / f"{name}.py-spy.txt"
        argv = [py_spy, "record", "--pid", str(self.operator.process.pid), "--rate", "100",
                "--format", "raw", "--output", str(output), "--nonblocking"]  # fmt: skip
        return self.spawn(f"{name}.py-spy", argv)

    @staticmethod
    def stop_profile(process: subprocess.Popen[bytes] | None) -> None:
        """py-spy writes its file on SIGINT."""
        if process is not None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                terminate("py-spy", process)
