"""Cold start and idle: the operator restarted among N Schedules of which none is due.

Every status is already right before the restart (a first operator wrote them), so
the right number of writes after it is zero. Writes are counted twice over: MODIFIED
watch events, and the objects whose resourceVersion moved. "Caught up" is when a
canary Schedule, created once the restarted operator answers health, has its status:
the canary arrives on the watch after the initial listing and joins the work queue
behind every listed Schedule, so by then all of them have been looked at.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import objects
from bench.kube import CAMPAIGN_GROUPS, SCHEDULES, collection
from bench.scenarios import Watch, delta, finish, observed, prepare
from bench.stack import ProcessProbe, Stack

CANARY = "canary"
AHEAD = timedelta(hours=6)  # the daily opening: far from every run
IDLE_AFTER = 10.0  # seconds after catching up before idle is measured: start-up's tail


async def restart(stack: Stack, schedules: int, idle_seconds: float) -> dict[str, Any]:
    """Cold start, then idle, with `schedules` Schedules x 1 Campaign Group present."""
    opening = datetime.now(UTC).replace(microsecond=0) + AHEAD
    plan = objects.plan(f"restart-{schedules}", [opening] * schedules, 1, daily=True)
    _, watch, setup = await prepare(stack, plan, time.time() + 120 + schedules * 0.05)
    try:
        cold, probe = await cold_start(stack, plan, watch, opening)
        await asyncio.sleep(IDLE_AFTER)
        idle = {"seconds": idle_seconds, "cpu_percent": await probe.cpu_percent(idle_seconds)}
        idle.update(probe.memory_mb())
    finally:
        await finish(stack, watch, plan.namespace)
    return {
        "scenario": "restart",
        "name": f"restart {schedules}x1",
        "schedules": schedules,
        "setup": setup,
        "cold_start": cold,
        "idle": idle,
    }


async def versions(stack: Stack, namespace: str) -> dict[str, str]:
    assert stack.api is not None
    found = {}
    for kind in (SCHEDULES, CAMPAIGN_GROUPS):
        for name, version in (await stack.api.versions(collection(kind, namespace))).items():
            found[f"{kind}/{name}"] = version
    return found


async def cold_start(
    stack: Stack, plan: objects.Plan, watch: Watch, opening: datetime
) -> tuple[dict[str, Any], ProcessProbe]:
    """Restart the operator; time it until the canary is seen; count what it wrote."""
    assert stack.api is not None
    namespace = plan.namespace
    before_versions = await versions(stack, namespace)
    before = watch.snapshot()
    stack.stop_operator()

    began = time.time()
    probe = await stack.start_operator()
    healthy_s = time.time() - began

    # The canary names a group of the plan: a new group would be a write of its own.
    group = plan.groups[0]["metadata"]["name"]
    canary = objects.schedule(namespace, CANARY, [group], **objects.daily_at(opening))
    await stack.api.call("POST", collection(SCHEDULES, namespace), canary)
    await wait_observed(stack, namespace, CANARY, began + 600)
    caught_up_s = time.time() - began
    quiet_s = await cpu_quiet(probe, began + 600) - began

    after_versions = await versions(stack, namespace)
    changed = [
        key for key, version in before_versions.items() if after_versions.get(key) != version
    ]
    writes = delta(watch.snapshot(), before)
    canary_writes = watch.schedules.modified_by_name[CANARY]
    right = await statuses_right(stack, namespace, opening)
    figures = {
        "healthy_s": round(healthy_s, 2),
        "caught_up_s": round(caught_up_s, 2),
        "cpu_quiet_s": round(quiet_s, 2),
        "writes": writes["schedules"] + writes["campaigngroups"] - canary_writes,
        "writes_by_kind": writes,
        "objects_changed": len(changed),
        "statuses_right": right == len(plan.schedules),
        "statuses_right_count": right,
    }
    return figures, probe


async def wait_observed(stack: Stack, namespace: str, name: str, deadline: float) -> None:
    assert stack.api is not None
    path = f"{collection(SCHEDULES, namespace)}/{name}"
    while not observed(await stack.api.call("GET", path)):
        if time.time() > deadline:
            raise RuntimeError(f"the restarted operator never wrote {name}'s status")
        await asyncio.sleep(0.1)


async def cpu_quiet(probe: ProcessProbe, deadline: float, window: float = 1.0) -> float:
    """The time.time() at which the process used under 5 % CPU over a whole `window`."""
    while time.time() < deadline:
        if await probe.cpu_percent(window) < 5:
            return time.time() - window
    return time.time()


async def statuses_right(stack: Stack, namespace: str, opening: datetime) -> int:
    """How many of the plan's Schedules show Idle, their generation and the right next run."""
    assert stack.api is not None
    expected = opening.strftime("%Y-%m-%dT%H:%M:%SZ")
    right = 0
    for item in await stack.api.items(collection(SCHEDULES, namespace)):
        status = item.get("status") or {}
        if item["metadata"]["name"] == CANARY:
            continue
        if observed(item) and status.get("state") == "Idle" and status.get("nextRun") == expected:
            right += 1
    return right
