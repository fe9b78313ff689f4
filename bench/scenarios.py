"""The product's scenarios: a burst due at one instant, a steady stream, a restart at rest.

Each scenario works in a namespace of its own with Campaign Groups of its own, and
follows the same course: create the objects (not measured), start a fresh
operator, let it see them all (its first-sight writes are reported apart), then
measure from the due instant on; finally stop the operator and delete the objects.
The due instant lies far enough ahead for all that; a run that was not settled in
time says so (`settled: false`) instead of measuring a mixture silently.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import objects, report
from bench.kube import CAMPAIGN_GROUPS, EVENTS, SCHEDULES, WriteCounter, collection, quiet
from bench.stack import ProcessProbe, Stack

SETTLE_QUIET = 2.0  # seconds without a write after which the operator has caught up
LOOK_AGAIN = 10.0  # seconds between lists of a collection while waiting on what it shows


def lead_seconds(schedules: int, groups_each: int) -> float:
    """How far ahead to put the first opening: creation plus the operator's first sight.

    Measured here: about 400 objects created per second, and about 200 first-sight
    writes per second (two per Schedule, one per group); a margin on top.
    """
    return 12 + schedules * (1 + groups_each) * 0.015


SAME_STATE = re.compile(rb'"ocsState":"([A-Za-z]+)"')


class Watch:
    """Write counters on one namespace's Schedules, CampaignGroups and Events."""

    def __init__(self, stack: Stack, namespace: str) -> None:
        assert stack.api is not None
        self.schedules = WriteCounter(stack.api, collection(SCHEDULES, namespace))
        # A CampaignGroup write that leaves its OCS state as it was brings statistics only:
        # paced by the operator, counted apart from the writes runs make.
        self.groups = WriteCounter(
            stack.api, collection(CAMPAIGN_GROUPS, namespace), same_if=SAME_STATE
        )
        self.events = WriteCounter(stack.api, collection(EVENTS, namespace))

    @property
    def writers(self) -> list[WriteCounter]:
        return [self.schedules, self.groups]

    async def start(self) -> None:
        await asyncio.gather(*(c.start() for c in (self.schedules, self.groups, self.events)))

    async def stop(self) -> None:
        await asyncio.gather(*(c.stop() for c in (self.schedules, self.groups, self.events)))

    def snapshot(self) -> dict[str, int]:
        return {
            "schedules": self.schedules.by_type["MODIFIED"],
            "campaigngroups": self.groups.by_type["MODIFIED"],
            "campaigngroup_statistics": self.groups.by_type["MODIFIED_SAME"],
            "events": self.events.by_type["ADDED"],
        }


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before.get(key, 0) for key in after}


def whole_second(seconds_ahead: float) -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=0) + timedelta(seconds=math.ceil(seconds_ahead))


async def sleep_until(instant: datetime) -> None:
    await asyncio.sleep(max(0.0, (instant - datetime.now(UTC)).total_seconds()))


async def prepare(
    stack: Stack, plan: objects.Plan, settle_by: float
) -> tuple[ProcessProbe, Watch, dict]:
    """Create the plan's objects, start the operator, wait until it has seen and written them."""
    assert stack.api is not None
    assert stack.ocs is not None
    api, namespace = stack.api, plan.namespace
    await stack.sweep()  # what the scenario before left, once its figures are out
    await api.ensure_namespace(namespace)
    await stack.ocs.register(plan.dbids)
    await stack.ocs.clear()  # what earlier scenarios caused is theirs
    watch = Watch(stack, namespace)
    await watch.start()

    groups_path, schedules_path = (
        collection(CAMPAIGN_GROUPS, namespace),
        collection(SCHEDULES, namespace),
    )
    create_s = await api.create_all(plan.groups, lambda _: groups_path)
    create_s += await api.create_all(plan.schedules, lambda _: schedules_path)

    began = time.time()
    probe = await stack.start_operator()
    settled = await settle(stack, watch, namespace, len(plan.schedules), settle_by)
    first_sight_s = time.time() - began
    groups = await api.items(groups_path)
    setup = {
        "create_s": round(create_s, 1),
        "first_sight_s": round(first_sight_s, 1),
        "first_sight_writes": watch.snapshot(),
        "settled": settled,
        "groups_without_status": sum(1 for group in groups if not observed(group)),
    }
    return probe, watch, setup


async def settle(stack: Stack, watch: Watch, namespace: str, count: int, deadline: float) -> bool:
    """Wait until every Schedule shows a status for its generation and writes have stopped."""
    assert stack.api is not None
    path = collection(SCHEDULES, namespace)
    while await quiet(watch.writers, SETTLE_QUIET, deadline):
        items = await stack.api.items(path)
        done = sum(1 for item in items if observed(item))
        if done >= count:
            return True
        await asyncio.sleep(2)
    return False


async def recorded(
    stack: Stack, plan: objects.Plan, written: Callable[[str], bool], deadline: float
) -> bool:
    """Wait until every Schedule's status shows each of its groups started; False at
    `deadline`. The collection is read only once every Schedule was `written` since the
    instant: a list of thousands of statuses is itself heavy work for the API server,
    and asked every few seconds it slowed the very writes it waited for."""
    assert stack.api is not None
    path = collection(SCHEDULES, plan.namespace)
    names = [schedule["metadata"]["name"] for schedule in plan.schedules]
    while time.time() < deadline:
        if all(map(written, names)):
            items = await stack.api.items(path)
            if len(items) >= len(plan.schedules) and all(map(started, items)):
                return True
            await asyncio.sleep(LOOK_AGAIN)
        await asyncio.sleep(0.5)
    return False


def started(item: dict[str, Any]) -> bool:
    entries = (item.get("status") or {}).get("campaignGroups") or []
    return bool(entries) and all(entry.get("started") for entry in entries)


def observed(item: dict[str, Any]) -> bool:
    status = item.get("status") or {}
    return status.get("observedGeneration") == item["metadata"].get("generation")


async def collect(stack: Stack, plan: objects.Plan, deadline: float) -> list[dict[str, Any]]:
    """Read the simulator's log until every Campaign Group got StartDialing, or `deadline`."""
    assert stack.ocs is not None
    log: list[dict[str, Any]] = []
    waiting = set(plan.due)
    while waiting and time.time() < deadline:
        fresh = [e for e in await stack.ocs.new_requests() if e["campaignGroup"] in plan.due]
        log += fresh
        waiting -= {e["campaignGroup"] for e in fresh if e["req"] == "StartDialing"}
        await asyncio.sleep(0.5)
    log += [e for e in await stack.ocs.new_requests() if e["campaignGroup"] in plan.due]
    return log


async def measure(
    stack: Stack, plan: objects.Plan, probe: ProcessProbe, watch: Watch, patience: float
) -> dict[str, Any]:
    """From the first due instant on: lags, writes, the operator's CPU and memory."""
    first, last = min(plan.due.values()), max(plan.due.values())
    before = watch.snapshot()
    writes_before = Counter(watch.schedules.modified_by_name)
    await sleep_until(first - timedelta(seconds=1))
    profile = stack.start_profile(plan.namespace)
    await sleep_until(first)
    cpu_at_due = stack.cpu_seconds()

    # Until the last StartDialing: what the starts cost, and which writes competed with them.
    log = await collect(stack, plan, last.timestamp() + patience)
    stack.stop_profile(profile)  # the profile shows what delays starts, not what follows
    cpu_starting = delta_seconds(stack.cpu_seconds(), cpu_at_due)
    writes_starting = delta(watch.snapshot(), before)

    # Status is written behind every start: wait until each Schedule shows its run started,
    # then until writes stop, so that all of them are counted.
    def written(name: str) -> bool:
        return watch.schedules.modified_by_name[name] > writes_before[name]

    await recorded(stack, plan, written, time.time() + patience)
    await quiet(watch.writers, SETTLE_QUIET, time.time() + patience)
    last_write = max(c.last_event for c in watch.writers)
    cpu = delta_seconds(stack.cpu_seconds(), cpu_at_due)

    # Events are posted one after another, behind the statuses: count them once all are in.
    await quiet([watch.events], SETTLE_QUIET, time.time() + patience)
    writes = delta(watch.snapshot(), before)
    runs = len(plan.due)
    return {
        **report.activation(log, plan.due),
        "writes": {
            **writes,
            "per_run_per_group": round((writes["schedules"] + writes["campaigngroups"]) / runs, 3),
            "events_per_run_per_group": round(writes["events"] / runs, 3),
            "status_done_after_last_due_s": round(last_write - last.timestamp(), 2),
            "events_done_after_last_due_s": round(watch.events.last_event - last.timestamp(), 2),
            "while_starting": writes_starting,
        },
        "operator": {"cpu_s": cpu["operator"], **probe.memory_mb()},
        "cpu_s_by_process": cpu,
        "cpu_s_by_process_until_last_start": cpu_starting,
    }


def delta_seconds(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before.get(name, 0.0), 2) for name in after}


async def finish(stack: Stack, watch: Watch, namespace: str) -> None:
    """Stop the operator; the scenario's objects are deleted when the next one is prepared
    (after this one's figures are out), so that it starts clean."""
    await watch.stop()
    stack.stop_operator()
    stack.litter += [collection(kind, namespace) for kind in (SCHEDULES, CAMPAIGN_GROUPS)]


async def burst(
    stack: Stack, schedules: int, groups_each: int = 1, lead: float | None = None
) -> dict[str, Any]:
    """`schedules` Schedules x `groups_each` Campaign Groups, all due at one instant."""
    lead = lead or lead_seconds(schedules, groups_each)
    instant = whole_second(lead)
    plan = objects.plan(f"burst-{schedules}x{groups_each}", [instant] * schedules, groups_each)
    probe, watch, setup = await prepare(stack, plan, instant.timestamp() - 2)
    try:
        patience = 60 + schedules * groups_each * 0.02
        measured = await measure(stack, plan, probe, watch, patience)
    finally:
        await finish(stack, watch, plan.namespace)
    return {
        "scenario": "burst",
        "name": f"burst {schedules}x{groups_each}",
        "schedules": schedules,
        "groups_each": groups_each,
        "due": instant.isoformat(),
        "setup": setup,
        **measured,
    }


async def steady(
    stack: Stack, schedules: int, seconds: float, groups_each: int = 3, lead: float | None = None
) -> dict[str, Any]:
    """`schedules` Schedules x `groups_each` groups, openings spread evenly over `seconds`."""
    lead = lead or lead_seconds(schedules, groups_each)
    first = whole_second(lead)
    openings = [first + timedelta(seconds=int(i * seconds / schedules)) for i in range(schedules)]
    plan = objects.plan(f"steady-{schedules}x{groups_each}", openings, groups_each)
    probe, watch, setup = await prepare(stack, plan, first.timestamp() - 2)
    try:
        measured = await measure(stack, plan, probe, watch, patience=60)
        measured["operator"]["cpu_percent"] = round(
            100 * measured["operator"]["cpu_s"] / max(seconds, 1), 1
        )
    finally:
        await finish(stack, watch, plan.namespace)
    return {
        "scenario": "steady",
        "name": f"steady {schedules}x{groups_each} over {seconds:.0f} s",
        "schedules": schedules,
        "groups_each": groups_each,
        "seconds": seconds,
        "setup": setup,
        **measured,
    }
