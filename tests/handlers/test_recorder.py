"""A burst of due Schedules: every command reaches OCS before any pass is recorded."""

import asyncio
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

from outbound_scheduler.handlers.reconcile import Reconciler
from outbound_scheduler.handlers.store import Store
from outbound_scheduler.planning import Outcome
from tests.handlers.test_store import body, group, settings

SCHEDULES = 30


class Ocs:
    """An executor that answers every command, one loop turn later, and notes the order of
    what happened: sends and records."""

    def __init__(self, journal: list[str]) -> None:
        self.journal = journal

    async def run_all(self, commands):
        self.journal += [f"sent {command.dbid}" for command in commands]
        await asyncio.sleep(0)
        now = datetime.now(UTC)
        return [Outcome(command, now, ocs_state="Running") for command in commands]


class Api:
    def __init__(self) -> None:
        self.events: list[str] = []

    def post_event(self, ref, type_, reason, message) -> None:
        self.events.append(reason)


def open_schedules(names: list[str]) -> Store:
    """A Schedule per name, each with a group of its own, whose window is open now."""
    opened = datetime.now(UTC) - timedelta(minutes=1)
    store = Store(settings())
    for n, name in enumerate(names):
        store.put_group(group(f"g-{name}", dbid=1000 + n))
        spec = {
            "daily": {"at": opened.strftime("%H:%M:%S")},
            "end": {"after": "1h"},
            "campaignGroups": [{"name": f"g-{name}"}],
        }
        store.put_schedule(body("Schedule", name, spec))
    return store


def journaling(store: Store, journal: list[str], api: Api) -> Reconciler:
    """A reconciler whose sends and records are noted in `journal`, in order."""
    reconciler = Reconciler(settings(), store, Ocs(journal), api)  # type: ignore[arg-type]
    conclude = reconciler.conclude

    def noting(done):
        journal.append(f"recorded {done.key[1]}")
        conclude(done)

    reconciler.conclude = noting  # type: ignore[method-assign]
    return reconciler


async def run_until(reconciler: Reconciler, done: Awaitable[object]) -> None:
    tasks = [asyncio.create_task(reconciler.work()) for _ in range(4)]
    tasks.append(asyncio.create_task(reconciler.record_passes()))
    tasks.append(asyncio.create_task(reconciler.queue.run_timer()))
    await asyncio.wait_for(done, timeout=5)
    for task in tasks:
        task.cancel()


async def test_every_due_group_is_started_before_any_pass_is_recorded():
    store = open_schedules([f"s{n}" for n in range(SCHEDULES)])
    journal: list[str] = []
    api = Api()
    reconciler = journaling(store, journal, api)
    for n in range(SCHEDULES):
        reconciler.queue.add(("ns", f"s{n}"))
    await run_until(reconciler, reconciler.queue.until_idle())

    sent = [i for i, line in enumerate(journal) if line.startswith("sent")]
    recorded = [i for i, line in enumerate(journal) if line.startswith("recorded")]
    assert len(sent) == len(recorded) == SCHEDULES
    assert max(sent) < min(recorded)
    assert api.events == ["Started"] * SCHEDULES
    assert all(
        store.schedules[("ns", f"s{n}")].status.campaign_groups[0].started is not None
        for n in range(SCHEDULES)
    )


async def test_a_schedule_due_while_a_burst_is_recorded_goes_first():
    """Recording a burst's passes leaves the loop between them, so the timer can make a
    Schedule ready that falls due meanwhile: it is sent at once, not after every pass of the
    burst is recorded."""
    store = open_schedules([*(f"s{n}" for n in range(SCHEDULES)), "late"])
    journal: list[str] = []
    reconciler = journaling(store, journal, Api())
    conclude = reconciler.conclude
    all_recorded = asyncio.get_running_loop().create_future()

    def falling_due(done):
        if not any(line.startswith("recorded") for line in journal):
            reconciler.queue.add(("ns", "late"), at=time.time() + 0.001)
            time.sleep(0.002)  # this pass's bookkeeping takes long enough for it to fall due
        conclude(done)
        if sum(line.startswith("recorded") for line in journal) == SCHEDULES + 1:
            all_recorded.set_result(None)

    reconciler.conclude = falling_due  # type: ignore[method-assign]
    for n in range(SCHEDULES):
        reconciler.queue.add(("ns", f"s{n}"))
    await run_until(reconciler, all_recorded)

    late = journal.index(f"sent {1000 + SCHEDULES}")
    recorded = [i for i, line in enumerate(journal) if line.startswith("recorded")]
    assert late < recorded[2], journal
