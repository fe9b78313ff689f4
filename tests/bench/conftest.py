"""The benchmark's smoke run: every scenario at a small size, on a control plane of its own.

Its own, not the session's `cluster`: the e2e operator watches every namespace of
that one and would act on the benchmark's Schedules too. One control plane, one
simulator and one run of the harness serve the whole module; the CronJob peer is
armed first and collected last, so its wait for a whole minute overlaps the rest.
"""

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bench import ceiling, cronjob_peer, restart, scenarios, stack

HERE = Path(__file__).parent
SCHEDULES = 20
LEAD = 8.0  # seconds from creating a scenario's objects to its first opening


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Build kube-controller-manager, if missing, before pytest-timeout starts timing tests."""
    if any(item.path.is_relative_to(HERE) for item in items):
        stack.binaries()


async def smoke(work_dir: Path) -> dict[str, dict[str, Any]]:
    async with stack.Stack(work_dir) as bench:
        assert bench.ocs is not None
        await bench.ocs.configure(loadDelay=0)
        armed = await cronjob_peer.arm(bench, SCHEDULES, "default", lead=5)
        return {
            "burst": await scenarios.burst(bench, SCHEDULES, 1, lead=LEAD),
            "burst3": await scenarios.burst(bench, SCHEDULES, 3, lead=LEAD),
            "steady": await scenarios.steady(bench, SCHEDULES, seconds=5, lead=LEAD),
            "restart": await restart.restart(bench, SCHEDULES, idle_seconds=2),
            "ceiling": await ceiling.measure(bench, requests=1000),
            "peer": await cronjob_peer.collect(bench, armed),
        }


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The figures of one small run of every scenario, by scenario."""
    return asyncio.run(smoke(tmp_path_factory.mktemp("bench")))
